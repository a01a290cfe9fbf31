// The memory-map panel (runs inside the webview). It draws what the extension posts: one bar per
// memory region with its sections to scale, the stack and heap over the RAM bar, a table of the
// sections and their biggest symbols. Clicking a section opens its linker-script line, clicking a
// symbol its source. Everything is built with DOM calls (no HTML strings): names come from the
// firmware and must not be interpreted as markup.

import type { MapRegion, MapSection, MapSymbol, MemoryMapPayload, SourceRef } from '../../src/adapter/memory-map-protocol';
import './style.css';

interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Messages from the extension. */
export type ToPanel = { type: 'update'; payload: MemoryMapPayload } | { type: 'status'; text: string };
/** Messages to the extension. */
export type FromPanel = { type: 'ready' } | { type: 'open'; source: SourceRef } | { type: 'refresh' };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') as HTMLElement;
const tooltip = document.createElement('div');
tooltip.className = 'tooltip';
tooltip.hidden = true;
document.body.appendChild(tooltip);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((part * 100) / whole).toFixed(1)}%` : '—';
}

function open(source: SourceRef | undefined): void {
  if (source) vscode.postMessage({ type: 'open', source } satisfies FromPanel);
}

// ---- tooltip ---------------------------------------------------------------------------------------

function showTooltip(e: MouseEvent, lines: string[]): void {
  tooltip.replaceChildren(...lines.map((l, i) => el('div', i === 0 ? 'tt-title' : 'tt-line', l)));
  tooltip.hidden = false;
  const pad = 12;
  const w = tooltip.offsetWidth;
  const h = tooltip.offsetHeight;
  tooltip.style.left = `${Math.min(e.clientX + pad, window.innerWidth - w - 4)}px`;
  tooltip.style.top = `${e.clientY + pad + h > window.innerHeight ? e.clientY - h - pad : e.clientY + pad}px`;
}

function withTooltip(node: HTMLElement, lines: () => string[]): void {
  node.addEventListener('mousemove', (e) => showTooltip(e, lines()));
  node.addEventListener('mouseleave', () => { tooltip.hidden = true; });
}

function sectionLines(s: MapSection): string[] {
  const lines = [`${s.name}${s.loadImage ? ' (load image)' : ''}`, `${hex(s.address)} – ${hex(s.address + s.size)}`, `${size(s.size)} (${s.size} bytes)`];
  if (s.vma !== s.lma) lines.push(s.loadImage ? `copied to ${hex(s.vma)} at boot` : `loaded from ${hex(s.lma)}`);
  for (const sym of s.symbols.slice(0, 5)) lines.push(`  ${size(sym.size).padStart(9)}  ${sym.name}`);
  if (s.symbolCount > 5) lines.push(`  … ${s.symbolCount - 5} more symbols`);
  if (s.source) lines.push(`click: ${basename(s.source.file)}:${s.source.line}`);
  return lines;
}

function basename(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

// ---- rendering -------------------------------------------------------------------------------------

function render(p: MemoryMapPayload): void {
  const header = el('header');
  header.append(el('h1', undefined, basename(p.program)));
  const meta = el('div', 'meta');
  meta.append(el('span', undefined, p.linkerScript ? `layout from ${basename(p.linkerScript)}` : 'regions from the chip (no linker script found)'));
  meta.append(el('span', p.live ? 'badge live' : 'badge', p.live ? 'live' : 'not running'));
  header.append(meta);
  const children: HTMLElement[] = [header];
  for (const w of p.warnings) children.push(el('div', 'warning', `⚠ ${w}`));
  for (const r of p.regions) children.push(renderRegion(p, r));
  root.replaceChildren(...children);
}

function renderRegion(p: MemoryMapPayload, r: MapRegion): HTMLElement {
  const box = el('section', 'region');
  const title = el('div', 'region-title');
  const name = el('span', 'region-name', r.name);
  if (r.source) {
    name.classList.add('link');
    name.title = `${basename(r.source.file)}:${r.source.line}`;
    name.addEventListener('click', () => open(r.source));
  }
  title.append(name, el('span', 'region-range', `${hex(r.origin)} – ${hex(r.origin + r.length)}`));
  title.append(el('span', r.used > r.length ? 'region-usage over' : 'region-usage', `${size(r.used)} of ${size(r.length)} used (${pct(r.used, r.length)}), ${size(Math.max(0, r.length - r.used))} free`));
  box.append(title);

  box.append(renderBar(p, r, r.origin, r.origin + r.length), renderScale(r.origin, r.origin + r.length));
  // A region is usually mostly empty: zoom on the part in use, and on the stack's top, so the
  // sections and the stack depth are visible and not just slivers.
  const sectionsEnd = r.origin + r.used;
  const holdsStack = p.stack !== undefined && p.stack.top > r.origin && p.stack.top <= r.origin + r.length;
  if (r.used > 0 && r.used < r.length * 0.2 && !(holdsStack && r.used < 1024)) {
    const to = Math.min(r.origin + r.length, r.origin + niceSpan(r.used * 1.15));
    box.append(el('div', 'zoom-label', `zoomed: ${hex(r.origin)} – ${hex(to)}`), renderBar(p, r, r.origin, to), renderScale(r.origin, to));
  }
  const stack = p.stack;
  if (stack && holdsStack) {
    const deepest = Math.min(stack.highWater ?? stack.top, stack.sp ?? stack.top);
    const from = Math.max(stack.limit, sectionsEnd, stack.top - niceSpan(Math.max(1024, (stack.top - deepest) * 2)));
    if (from > r.origin + r.length * 0.05) {
      box.append(el('div', 'zoom-label', `stack, zoomed: ${hex(from)} – ${hex(stack.top)}`), renderBar(p, r, from, stack.top), renderScale(from, stack.top));
    }
  }
  box.append(renderTable(p, r));
  return box;
}

/** Smallest power of two (from 256 bytes) at least `n`, for round zoom windows. */
function niceSpan(n: number): number {
  let span = 256;
  while (span < n) span *= 2;
  return span;
}

/** One bar drawing [from, to) of a region: its sections, the stack and the heap, clipped. */
function renderBar(p: MemoryMapPayload, r: MapRegion, from: number, to: number): HTMLElement {
  const bar = el('div', 'bar');
  const span = to - from;
  const at = (addr: number): number => Math.max(0, Math.min(100, ((addr - from) * 100) / span));
  const place = (node: HTMLElement, start: number, end: number, minPx = 2): boolean => {
    if (end <= from || start >= to) return false;
    node.style.left = `${at(start)}%`;
    node.style.width = `max(${minPx}px, ${at(end) - at(start)}%)`;
    bar.append(node);
    return true;
  };
  for (const s of r.sections) {
    const seg = el('div', `seg kind-${s.kind}${s.loadImage ? ' load-image' : ''}`);
    seg.dataset.name = s.name;
    withTooltip(seg, () => sectionLines(s));
    if (s.source) seg.addEventListener('click', () => open(s.source));
    place(seg, s.address, s.address + s.size);
  }
  const stack = p.stack;
  const inRegion = (a: number): boolean => a > r.origin && a <= r.origin + r.length;
  if (stack && inRegion(stack.top)) {
    const reserve = el('div', 'stack-room');
    withTooltip(reserve, () => ['free RAM for the stack', `${hex(stack.limit)} – ${hex(stack.top)}`, `${size(stack.top - stack.limit)}`, `bounded below by ${stack.limitName}`]);
    place(reserve, stack.limit, stack.top, 0);
    if (stack.highWater !== undefined) {
      const hw = el('div', stack.collision ? 'stack-hw collision' : 'stack-hw');
      withTooltip(hw, () => ['stack high-water mark', `deepest use ${hex(stack.highWater!)}: ${size(stack.top - stack.highWater!)} of ${size(stack.top - stack.limit)}`, `measured by ${stack.method === 'paint' ? 'the painted stack pattern' : 'untouched (zero) RAM'}`]);
      place(hw, stack.highWater, stack.top);
    }
    if (stack.sp !== undefined && stack.sp >= from && stack.sp <= to) {
      const sp = el('div', 'stack-sp');
      sp.style.left = `${at(stack.sp)}%`;
      withTooltip(sp, () => ['stack pointer', `SP = ${hex(stack.sp!)}`, `${size(stack.top - stack.sp!)} in use`]);
      bar.append(sp);
    }
  }
  const heap = p.heap;
  if (heap && heap.start >= r.origin && heap.end <= r.origin + r.length && heap.used !== undefined && heap.used > 0) {
    const h = el('div', 'heap-used');
    withTooltip(h, () => [`heap ${heap.name}`, `${hex(heap.start)} – ${hex(heap.end)}`, `${size(heap.used!)} of ${size(heap.end - heap.start)} touched`]);
    place(h, heap.start, heap.start + heap.used);
  }
  return bar;
}

function renderScale(from: number, to: number): HTMLElement {
  const scale = el('div', 'scale');
  scale.append(el('span', undefined, hex(from)), el('span', undefined, hex(from + Math.floor((to - from) / 2))), el('span', undefined, hex(to)));
  return scale;
}

function renderTable(p: MemoryMapPayload, r: MapRegion): HTMLElement {
  const table = el('table', 'sections');
  const head = el('tr');
  for (const h of ['', 'section', 'address', 'size', '% of region']) head.append(el('th', undefined, h));
  table.append(head);
  for (const s of r.sections) {
    const row = el('tr', 'section-row');
    const swatch = el('td');
    swatch.append(el('span', `swatch kind-${s.kind}${s.loadImage ? ' load-image' : ''}`));
    const name = el('td', s.source ? 'link' : undefined, s.loadImage ? `${s.name} (load image)` : s.name);
    if (s.source) name.addEventListener('click', () => open(s.source));
    row.append(swatch, name, el('td', 'num', hex(s.address)), el('td', 'num', size(s.size)), el('td', 'num', pct(s.size, r.length)));
    withTooltip(row, () => sectionLines(s));
    table.append(row);
    // Compiler-generated constant pools ("anon.<hash>…") mean nothing to a reader of the table.
    if (!s.loadImage) for (const sym of s.symbols.filter((x) => !x.name.startsWith('anon.')).slice(0, 3)) table.append(symbolRow(sym, r));
  }
  const stack = p.stack;
  if (stack && stack.top > r.origin && stack.top <= r.origin + r.length) {
    const row = el('tr', stack.collision ? 'section-row stack-row collision' : 'section-row stack-row');
    const swatch = el('td');
    swatch.append(el('span', 'swatch stack'));
    const used = stack.highWater !== undefined ? `${size(stack.top - stack.highWater)} deepest` : 'not measured';
    const sp = stack.sp !== undefined ? `SP ${hex(stack.sp)}` : '';
    row.append(swatch, el('td', undefined, `stack (${used}${sp ? ', ' + sp : ''})`), el('td', 'num', hex(stack.limit)), el('td', 'num', size(stack.top - stack.limit)), el('td', 'num', pct(stack.top - stack.limit, r.length)));
    table.append(row);
  }
  return table;
}

function symbolRow(sym: MapSymbol, r: MapRegion): HTMLElement {
  const row = el('tr', 'symbol-row');
  const name = el('td', sym.source ? 'link' : undefined, sym.name);
  if (sym.source) {
    name.title = `${basename(sym.source.file)}:${sym.source.line}`;
    name.addEventListener('click', () => open(sym.source));
  }
  row.append(el('td'), name, el('td', 'num', hex(sym.address)), el('td', 'num', size(sym.size)), el('td', 'num', pct(sym.size, r.length)));
  return row;
}

window.addEventListener('message', (e: MessageEvent<ToPanel>) => {
  const m = e.data;
  if (m.type === 'update') {
    vscode.setState(m.payload);
    render(m.payload);
  } else if (m.type === 'status') {
    root.replaceChildren(el('div', 'status', m.text));
  }
});

const saved = vscode.getState() as MemoryMapPayload | undefined;
if (saved && Array.isArray(saved.regions)) render(saved);
vscode.postMessage({ type: 'ready' } satisfies FromPanel);
