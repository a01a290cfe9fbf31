// The peripheral register panel (runs inside the webview). It shows what the extension posts: the
// SVD tree (peripheral → cluster → register → field) once, then values on every stop and a few
// times a second while the firmware runs. Values are shown in hex, binary or decimal with enum
// names; what changed since the last stop is highlighted; registers can be pinned to the top, and
// a register's or field's value edited (Enter writes it through the adapter, which honours the
// field's access and write semantics). The DOM is built once per tree and updated in place, so a
// refresh never steals the focus from an edit box. Names come from the SVD and are never
// interpreted as markup (textContent only).

import type {
  ClusterInfo, FieldInfo, HistoryRecord, PeripheralInfo, PeripheralTree, PeripheralValues, RegisterHistoryResponse, RegisterInfo,
} from '../../src/adapter/peripherals-protocol';
import './style.css';

interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Messages from the extension. */
export type ToPanel =
  | { type: 'tree'; tree: PeripheralTree | null; error?: string }
  | { type: 'values'; values: PeripheralValues }
  | { type: 'history'; history: RegisterHistoryResponse }
  | { type: 'status'; text: string }
  | { type: 'writeError'; id: number; text: string };
/** Messages to the extension. */
export type FromPanel =
  | { type: 'ready' }
  | { type: 'write'; id: number; field?: string; value: string }
  | { type: 'history'; id: number }
  | { type: 'open'; path: string; line: number };

type Radix = 'hex' | 'bin' | 'dec';
interface SavedState { pinned: number[]; expanded: string[]; radix: Radix; search: string }

const vscode = acquireVsCodeApi();
const saved = (vscode.getState() as SavedState | undefined) ?? { pinned: [], expanded: [], radix: 'hex', search: '' };
const state: SavedState = { pinned: [...saved.pinned], expanded: [...saved.expanded], radix: saved.radix, search: saved.search };
const save = (): void => vscode.setState(state);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

const hex8 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');
const mask = (width: number): number => (width >= 32 ? 0xffffffff : ((1 << width) - 1) >>> 0);
const fieldOf = (value: number, f: FieldInfo): number => ((value >>> f.lsb) & mask(f.width)) >>> 0;
const isReadOnly = (access: string): boolean => access === 'read-only';
const ACCESS_SHORT: Record<string, string> = {
  'read-only': 'RO', 'write-only': 'WO', 'read-write': 'RW', writeOnce: 'W1', 'read-writeOnce': 'RW1',
};
const MWV_SHORT: Record<string, string> = {
  oneToClear: 'w1c', zeroToClear: 'w0c', oneToSet: 'w1s', zeroToSet: 'w0s', oneToToggle: 'w1t', zeroToToggle: 'w0t',
  clear: 'wc', set: 'ws', modify: '',
};

function formatNumber(value: number, bits: number, radix: Radix): string {
  switch (radix) {
    case 'hex': return '0x' + (value >>> 0).toString(16).padStart(Math.max(1, Math.ceil(bits / 4)), '0');
    case 'dec': return String(value >>> 0);
    case 'bin': {
      const s = (value >>> 0).toString(2).padStart(bits, '0');
      // Groups of four bits, most significant first.
      return '0b' + s.replace(/\B(?=(\d{4})+$)/g, '_');
    }
  }
}

function fieldText(f: FieldInfo, v: number, radix: Radix): string {
  const e = f.enums.find((x) => x.usage !== 'write' && x.value === v);
  const n = f.width === 1 ? String(v) : formatNumber(v, f.width, radix);
  return e ? `${n} ${e.name}` : n;
}

// ---- page skeleton ----------------------------------------------------------------------------------

const root = document.getElementById('root') as HTMLElement;
const header = el('header');
const title = el('h1', undefined, 'Peripherals');
const badge = el('span', 'badge', 'no session');
const search = el('input', 'search');
search.type = 'search';
search.placeholder = 'Filter: peripheral, register or field';
search.value = state.search;
const radixGroup = el('div', 'radix');
const radixButtons = new Map<Radix, HTMLButtonElement>();
for (const r of ['hex', 'bin', 'dec'] as Radix[]) {
  const b = el('button', undefined, r);
  b.title = `Show values in ${r === 'hex' ? 'hexadecimal' : r === 'bin' ? 'binary' : 'decimal'}`;
  b.addEventListener('click', () => {
    state.radix = r;
    save();
    syncRadix();
    updateValues();
  });
  radixButtons.set(r, b);
  radixGroup.appendChild(b);
}
const meta = el('span', 'meta');
header.append(title, badge, meta, search, radixGroup);
const message = el('div', 'message');
message.hidden = true;
const pinnedSection = el('section', 'pinned');
const treeSection = el('section', 'tree');
root.replaceChildren(header, message, pinnedSection, treeSection);

function syncRadix(): void {
  for (const [r, b] of radixButtons) b.classList.toggle('active', r === state.radix);
}
syncRadix();

// ---- model ------------------------------------------------------------------------------------------

let tree: PeripheralTree | null = null;
let registers: RegisterInfo[] = [];
let values: (number | null)[] = [];
let changed = new Map<number, number | null>();
let running = false;

/** Value cells to update in place, per register id (a pinned copy and the tree's); an updater
 *  whose node left the page (a pinned row re-rendered) is dropped. */
const valueCells = new Map<number, Map<() => void, Node>>();
function onValue(id: number, node: Node, update: () => void): void {
  let set = valueCells.get(id);
  if (!set) valueCells.set(id, (set = new Map()));
  set.set(update, node);
  update();
}

function showMessage(text: string | null, kind: 'info' | 'error' = 'info'): void {
  message.hidden = text === null;
  message.className = `message ${kind}`;
  message.textContent = text ?? '';
}

// ---- rows -------------------------------------------------------------------------------------------

function twisty(open: boolean): HTMLElement {
  return el('span', `twisty${open ? ' open' : ''}`, '▸');
}

/** Starts editing `cell` (a value span): an input in its place; Enter writes, Escape or leaving
 *  the box cancels. The next value update puts the text back. */
function startEdit(cell: HTMLElement, current: string, commit: (text: string) => void): void {
  if (running) {
    showMessage('Pause the firmware to change registers.', 'info');
    return;
  }
  const initial = current.split(' ')[0];
  const input = el('input', 'edit');
  input.value = initial;
  input.spellcheck = false;
  let done = false;
  const finish = (write: boolean) => {
    if (done) return;
    done = true;
    cell.classList.remove('editing');
    input.remove();
    if (write && input.value.trim() !== '' && input.value.trim() !== initial) commit(input.value.trim());
    updateValues();
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') finish(true);
    else if (e.key === 'Escape') finish(false);
  });
  input.addEventListener('blur', () => finish(false));
  input.addEventListener('click', (e) => e.stopPropagation());
  cell.classList.add('editing');
  cell.replaceChildren(input);
  input.focus();
  input.select();
}

function fieldRows(r: RegisterInfo): HTMLElement {
  const table = el('div', 'fields');
  for (const f of r.fields) {
    const row = el('div', 'field');
    const bits = f.width === 1 ? `[${f.lsb}]` : `[${f.lsb + f.width - 1}:${f.lsb}]`;
    const name = el('span', 'fname', f.name);
    name.title = f.description ?? f.name;
    const value = el('span', 'fvalue');
    const access = el('span', 'access', ACCESS_SHORT[f.access] ?? f.access);
    const mwv = f.modifiedWriteValues ?? r.modifiedWriteValues;
    if (mwv && MWV_SHORT[mwv]) access.textContent += ' ' + MWV_SHORT[mwv];
    access.title = `${f.access}${mwv ? `, ${mwv}` : ''}${f.readAction ? `, read: ${f.readAction}` : ''}`;
    const writable = !isReadOnly(f.access) && !isReadOnly(r.access);
    if (f.enums.length > 0) value.title = f.enums.map((e) => `${e.value}: ${e.name}${e.description ? ' — ' + e.description : ''}`).join('\n');
    if (writable) {
      value.classList.add('editable');
      value.addEventListener('dblclick', () => startEdit(value, value.textContent ?? '', (text) => write(r.id, text, f.name)));
    }
    row.append(el('span', 'bits', bits), name, value, access);
    onValue(r.id, row, () => {
      if (value.classList.contains('editing')) return;
      const v = values[r.id];
      if (v === null || v === undefined) {
        value.textContent = r.access === 'write-only' ? '—' : '?';
        row.classList.remove('changed');
        return;
      }
      const fv = fieldOf(v, f);
      value.textContent = fieldText(f, fv, state.radix);
      const before = changed.get(r.id);
      row.classList.toggle('changed', changed.has(r.id) && (before === null || before === undefined || fieldOf(before, f) !== fv));
    });
    table.appendChild(row);
  }
  return table;
}

function registerRow(r: RegisterInfo, where: 'tree' | 'pinned'): HTMLElement {
  const box = el('div', 'register');
  const row = el('div', 'row reg');
  const key = `${where}:R:${r.id}`;
  const open = state.expanded.includes(key);
  const tw = twisty(open);
  if (r.fields.length === 0) tw.classList.add('leaf');
  const name = el('span', 'name', where === 'pinned' ? r.qualifiedName : r.name);
  name.title = `${r.qualifiedName}${r.description ? ' — ' + r.description : ''}`;
  const address = el('span', 'address', hex8(r.address));
  const value = el('span', 'value');
  const access = el('span', 'access', ACCESS_SHORT[r.access] ?? r.access);
  access.title = r.access + (r.readAction ? `, read: ${r.readAction}` : '');
  const pin = el('button', 'icon pin', state.pinned.includes(r.id) ? '★' : '☆');
  pin.title = state.pinned.includes(r.id) ? 'Unpin' : 'Pin to the top';
  pin.addEventListener('click', (e) => {
    e.stopPropagation();
    const i = state.pinned.indexOf(r.id);
    if (i >= 0) state.pinned.splice(i, 1);
    else state.pinned.push(r.id);
    save();
    renderPinned();
    for (const b of document.querySelectorAll<HTMLButtonElement>(`button.pin[data-id="${r.id}"]`)) {
      b.textContent = state.pinned.includes(r.id) ? '★' : '☆';
    }
  });
  pin.dataset.id = String(r.id);
  const hist = el('button', 'icon history', '⏱');
  hist.title = 'Write history: who wrote this register, and when';
  hist.addEventListener('click', (e) => {
    e.stopPropagation();
    vscode.postMessage({ type: 'history', id: r.id } satisfies FromPanel);
  });
  row.append(tw, name, address, value, access, hist, pin);
  box.appendChild(row);
  let fields: HTMLElement | null = null;
  const setOpen = (o: boolean) => {
    tw.classList.toggle('open', o);
    if (o && !fields && r.fields.length > 0) {
      fields = fieldRows(r);
      box.appendChild(fields);
    }
    if (fields) fields.hidden = !o;
  };
  if (open) setOpen(true);
  row.addEventListener('click', () => {
    if (r.fields.length === 0) return;
    const o = !tw.classList.contains('open');
    setOpen(o);
    const i = state.expanded.indexOf(key);
    if (o && i < 0) state.expanded.push(key);
    if (!o && i >= 0) state.expanded.splice(i, 1);
    save();
  });
  if (!isReadOnly(r.access)) {
    value.classList.add('editable');
    value.title = 'Double-click to edit';
    value.addEventListener('dblclick', (e) => {
      e.stopPropagation();
      startEdit(value, value.textContent ?? '', (text) => write(r.id, text));
    });
  }
  onValue(r.id, row, () => {
    if (value.classList.contains('editing')) return;
    const v = values[r.id];
    value.textContent = v === null || v === undefined ? (r.access === 'write-only' ? 'write-only' : '—') : formatNumber(v, r.size, state.radix);
    row.classList.toggle('changed', changed.has(r.id));
  });
  box.dataset.search = `${r.qualifiedName} ${r.fields.map((f) => f.name).join(' ')}`.toLowerCase();
  return box;
}

function groupRow(name: string, description: string | undefined, address: number, key: string, registersOf: () => HTMLElement[], allIds: number[], className: string): HTMLElement {
  const box = el('div', className);
  const row = el('div', 'row group');
  const open = state.expanded.includes(key);
  const tw = twisty(open);
  const n = el('span', 'name', name);
  const d = el('span', 'desc', description ?? '');
  const a = el('span', 'address', hex8(address));
  const dot = el('span', 'dot', '●');
  dot.title = 'changed since the last stop';
  row.append(tw, n, a, d, dot);
  const children = el('div', 'children');
  let built = false;
  const setOpen = (o: boolean) => {
    tw.classList.toggle('open', o);
    if (o && !built) {
      built = true;
      children.append(...registersOf());
    }
    children.hidden = !o;
  };
  setOpen(open);
  row.addEventListener('click', () => {
    const o = !tw.classList.contains('open');
    setOpen(o);
    const i = state.expanded.indexOf(key);
    if (o && i < 0) state.expanded.push(key);
    if (!o && i >= 0) state.expanded.splice(i, 1);
    save();
    if (o) updateValues();
  });
  box.append(row, children);
  const update = () => { row.classList.toggle('has-changes', allIds.some((id) => changed.has(id))); };
  for (const id of allIds) onValue(id, row, update);
  (box as HTMLElement & { forceOpen?: (o: boolean) => void }).forceOpen = setOpen;
  return box;
}

function idsOfCluster(c: ClusterInfo): number[] {
  return [...c.registers.map((r) => r.id), ...c.clusters.flatMap(idsOfCluster)];
}

function clusterRow(p: PeripheralInfo, c: ClusterInfo, path: string): HTMLElement {
  const key = `C:${path}`;
  const box = groupRow(c.name, c.description, c.address, key, () => [
    ...c.clusters.map((cc) => clusterRow(p, cc, `${path}.${cc.name}`)),
    ...c.registers.map((r) => registerRow(r, 'tree')),
  ], idsOfCluster(c), 'cluster');
  box.dataset.search = `${p.name}.${c.name} ${idsOfCluster(c).map((id) => registers[id].qualifiedName + ' ' + registers[id].fields.map((f) => f.name).join(' ')).join(' ')}`.toLowerCase();
  return box;
}

function peripheralRow(p: PeripheralInfo): HTMLElement {
  const ids = [...p.registers.map((r) => r.id), ...p.clusters.flatMap(idsOfCluster)];
  const box = groupRow(p.name, p.description ?? p.groupName, p.baseAddress, `P:${p.name}`, () => [
    ...p.clusters.map((c) => clusterRow(p, c, `${p.name}.${c.name}`)),
    ...p.registers.map((r) => registerRow(r, 'tree')),
  ], ids, 'peripheral');
  box.dataset.search = `${p.name} ${ids.map((id) => registers[id].qualifiedName + ' ' + registers[id].fields.map((f) => f.name).join(' ')).join(' ')}`.toLowerCase();
  box.dataset.name = p.name.toLowerCase();
  return box;
}

// ---- rendering ----------------------------------------------------------------------------------------

function renderTree(): void {
  valueCells.clear();
  if (!tree) {
    treeSection.replaceChildren();
    pinnedSection.replaceChildren();
    return;
  }
  title.textContent = `${tree.device} peripherals`;
  meta.textContent = `${tree.peripherals.length} peripherals, ${tree.registerCount} registers · ${tree.svdFile.split(/[\\/]/).pop()}`;
  meta.title = tree.svdFile;
  treeSection.replaceChildren(...tree.peripherals.map(peripheralRow));
  renderPinned();
  applySearch();
}

function renderPinned(): void {
  pinnedSection.replaceChildren();
  const ids = state.pinned.filter((id) => registers[id] !== undefined);
  if (ids.length === 0) {
    pinnedSection.hidden = true;
    return;
  }
  pinnedSection.hidden = false;
  pinnedSection.append(el('div', 'section-title', 'Pinned'), ...ids.map((id) => registerRow(registers[id], 'pinned')));
}

function applySearch(): void {
  const q = state.search.trim().toLowerCase();
  for (const p of treeSection.querySelectorAll<HTMLElement>(':scope > .peripheral')) {
    const match = q === '' || (p.dataset.search ?? '').includes(q);
    p.hidden = !match;
    const force = (p as HTMLElement & { forceOpen?: (o: boolean) => void }).forceOpen;
    // Open peripherals whose registers match (not those matched by name only), and filter inside.
    if (q !== '' && match && !(p.dataset.name ?? '').includes(q) && force) force(true);
    for (const r of p.querySelectorAll<HTMLElement>('.register, .cluster')) {
      r.hidden = q !== '' && !(p.dataset.name ?? '').includes(q) && !(r.dataset.search ?? '').includes(q);
    }
  }
}

search.addEventListener('input', () => {
  state.search = search.value;
  save();
  applySearch();
});

function updateValues(): void {
  for (const set of valueCells.values()) {
    for (const [f, node] of set) {
      if (node.isConnected) f();
      else set.delete(f);
    }
  }
}

function write(id: number, value: string, field?: string): void {
  showMessage(null);
  vscode.postMessage({ type: 'write', id, field, value } satisfies FromPanel);
}

// ---- write history --------------------------------------------------------------------------------------

const historyBox = el('div', 'history');
historyBox.hidden = true;
document.body.appendChild(historyBox);

function showHistory(h: RegisterHistoryResponse): void {
  const close = el('button', 'icon close', '✕');
  close.title = 'Close';
  close.addEventListener('click', () => { historyBox.hidden = true; });
  const head = el('div', 'history-title');
  head.append(el('span', undefined, `${h.register} — last writes`), close);
  const list = el('div', 'history-list');
  if (h.records.length === 0) list.append(el('div', 'status', 'No writes recorded (or this register keeps no history).'));
  const r = registers.find((x) => x.qualifiedName === h.register);
  for (const rec of [...h.records].reverse()) list.append(historyRow(rec, h, r?.size ?? 32));
  historyBox.replaceChildren(head, list);
  historyBox.hidden = false;
}

function historyRow(rec: HistoryRecord, h: RegisterHistoryResponse, bits: number): HTMLElement {
  const row = el('div', `hrow${rec.byDebugger ? ' debugger' : ''}`);
  const ms = h.clockHz > 0 ? (rec.cycle / h.clockHz) * 1000 : 0;
  row.append(
    el('span', 'htime', `${ms.toFixed(3)} ms`),
    el('span', 'hchange', `${formatNumber(rec.before, bits, state.radix)} → ${formatNumber(rec.after, bits, state.radix)}`),
  );
  if (rec.byDebugger) {
    row.append(el('span', 'badge', 'debugger'));
  } else {
    const where = el('span', 'hwhere', `${rec.function ?? '?'} @ ${hex8(rec.pc)}`);
    row.append(where);
    if (rec.source) {
      const src = rec.source;
      const link = el('a', 'hsource', `${src.path.split(/[\\/]/).pop()}:${src.line}`);
      link.href = '#';
      link.title = src.path;
      link.addEventListener('click', (e) => {
        e.preventDefault();
        vscode.postMessage({ type: 'open', path: src.path, line: src.line } satisfies FromPanel);
      });
      row.append(link);
    }
  }
  row.title = `cycle ${rec.cycle}, wrote ${formatNumber(rec.written, bits, 'hex')}`;
  return row;
}

// ---- messages -------------------------------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent<ToPanel>) => {
  const m = event.data;
  switch (m.type) {
    case 'tree':
      tree = m.tree;
      registers = [];
      if (tree) {
        const add = (list: RegisterInfo[]) => { for (const r of list) registers[r.id] = r; };
        const walk = (c: ClusterInfo) => { add(c.registers); c.clusters.forEach(walk); };
        for (const p of tree.peripherals) { add(p.registers); p.clusters.forEach(walk); }
      }
      showMessage(m.tree ? null : m.error ?? 'No SVD for this device.', m.tree ? 'info' : 'error');
      renderTree();
      break;
    case 'values':
      values = m.values.values;
      changed = new Map(m.values.changed.map((id, i) => [id, m.values.changedFrom[i]]));
      running = m.values.state === 'running';
      badge.textContent = m.values.state;
      badge.className = `badge ${m.values.state}`;
      updateValues();
      break;
    case 'history':
      showHistory(m.history);
      break;
    case 'status':
      badge.textContent = 'no session';
      badge.className = 'badge';
      showMessage(m.text);
      break;
    case 'writeError':
      showMessage(`${registers[m.id]?.qualifiedName ?? 'write'}: ${m.text}`, 'error');
      break;
  }
});

vscode.postMessage({ type: 'ready' } satisfies FromPanel);
