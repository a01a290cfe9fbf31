// The memory-map panel's payload (custom request `cortex-m-sim/memoryMap`): memory regions with the
// output sections placed in them to scale, the biggest symbols of each section, and — while a
// target runs — the stack pointer, the stack's high-water mark and the heap.
//
// Pure: it reads the target through callbacks (registers and side-effect-free memory peeks), so the
// session, the panel's offline view and the tests share it.
//
// High-water mark: nothing is recorded per instruction. RAM starts zeroed in the simulator and
// `paintStack` can fill the free stack area with a pattern before the firmware runs; the deepest
// stack use is then the lowest word, scanning up from the stack limit, that no longer holds the
// untouched value. With the pattern it is exact unless the firmware stores the pattern itself; with
// zeroes it can read a few words short when the deepest words pushed were zero.

import { dirname, join } from 'node:path';
import type { ElfFile } from '../debuginfo/elf';
import { demangle } from '../debuginfo/demangle';
import { evaluate, type Layout } from '../linker/evaluator';
import { parseScriptFile } from '../linker/include';
import type { HeapInfo, MapRegion, MapSection, MapSymbol, MemoryMapPayload, SectionKind, SourceRef, StackInfo } from './memory-map-protocol';

export type { HeapInfo, MapRegion, MapSection, MapSymbol, MemoryMapPayload, SectionKind, SourceRef, StackInfo } from './memory-map-protocol';

const SHF_WRITE = 1;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;
const SHT_NOBITS = 8;
const PT_LOAD = 1;

/** Word written over the free stack area by `paintStack` (recognisable in a memory view). */
export const STACK_PAINT = 0xc5c5c5c5;

export interface MemoryMapInputs {
  elf: ElfFile;
  /** The script's evaluated layout; without it the regions come from `fallbackRegions`. */
  layout?: Layout;
  linkerScript?: string;
  /** Regions to use when there is no linker script (the chip's flash and RAM). */
  fallbackRegions?: { name: string; origin: number; length: number; attributes?: string }[];
  /** Current stack pointer (the active one), when a target exists. */
  readSp?: () => number;
  /** Side-effect-free memory read; undefined where nothing is mapped. */
  readMemory?: (address: number, length: number) => Uint8Array | undefined;
  /** Source position of an address (functions), from the line table. */
  sourceAt?: (address: number) => SourceRef | undefined;
  /** Symbol names as users write them. */
  demangle?: (name: string) => string;
}

export const MAX_SYMBOLS_PER_SECTION = 12;

const STACK_TOP_SYMBOLS = ['_stack_start', '_estack', '__stack_top', '__StackTop', '_stack_top', '__stack', '_stack_end_top'];
const STACK_LIMIT_SYMBOLS = ['_stack_end', '__StackLimit', '_sstack', '__stack_limit'];
const HEAP_RANGES: [string, string][] = [['__heap_start', '__heap_end'], ['_sheap', '_eheap'], ['__HeapBase', '__HeapLimit'], ['_heap_start', '_heap_end']];

function sectionKind(s: { type: number; flags: number; name: string }): SectionKind {
  if ((s.flags & SHF_ALLOC) === 0) return 'other';
  if (s.flags & SHF_EXECINSTR) return 'code';
  if (s.type === SHT_NOBITS) return 'bss';
  if (s.flags & SHF_WRITE) return 'data';
  return 'rodata';
}

function loadAddressOf(elf: ElfFile, addr: number): number {
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD) continue;
    if (addr >= seg.vaddr && addr < seg.vaddr + Math.max(seg.memsz, 1)) return seg.paddr + (addr - seg.vaddr);
  }
  return addr;
}

export function computeMemoryMap(inputs: MemoryMapInputs): MemoryMapPayload {
  const { elf, layout } = inputs;
  const demangle = inputs.demangle ?? ((n: string) => n);
  const warnings: string[] = [];
  const regionDefs = layout && layout.regions.length > 0
    ? layout.regions.map((r) => ({
      name: r.name, origin: r.origin, length: r.length, attributes: r.attributes,
      source: { file: r.file, line: r.node.range.start.line + 1 } as SourceRef | undefined,
    }))
    : (inputs.fallbackRegions ?? []).map((r) => ({ ...r, attributes: r.attributes ?? '', source: undefined as SourceRef | undefined }));

  const scriptLine = new Map<string, SourceRef>();
  for (const p of layout?.sections ?? []) scriptLine.set(p.name, { file: p.file, line: p.node.range.start.line + 1 });

  // Symbols by section index, for the "what is in here" lists.
  const bySection = new Map<number, MapSymbol[]>();
  for (const s of elf.symbols) {
    if (s.size === 0 || (s.type !== 'func' && s.type !== 'object') || !s.name || s.name.startsWith('$')) continue;
    let list = bySection.get(s.sectionIndex);
    if (!list) bySection.set(s.sectionIndex, (list = []));
    list.push({ name: s.name, address: s.address, size: s.size, kind: s.type });
  }

  const regions: MapRegion[] = regionDefs.map((r) => ({ ...r, used: 0, sections: [] }));
  const regionAt = (addr: number): MapRegion | undefined => regions.find((r) => addr >= r.origin && addr < r.origin + r.length);

  for (const s of elf.sections) {
    const kind = sectionKind(s);
    if (kind === 'other' || s.size === 0) continue;
    const symbols = (bySection.get(s.index) ?? []).sort((a, b) => b.size - a.size);
    const top = symbols.slice(0, MAX_SYMBOLS_PER_SECTION).map((sym) => {
      const source = sym.kind === 'func' && inputs.sourceAt ? inputs.sourceAt(sym.address) : undefined;
      return { ...sym, name: demangle(sym.name), ...(source ? { source } : {}) };
    });
    const lma = s.type === SHT_NOBITS ? s.addr : loadAddressOf(elf, s.addr);
    const base: Omit<MapSection, 'address' | 'loadImage'> = {
      name: s.name, size: s.size, vma: s.addr, lma, kind, source: scriptLine.get(s.name), symbols: top, symbolCount: symbols.length,
    };
    const runRegion = regionAt(s.addr);
    if (runRegion) runRegion.sections.push({ ...base, address: s.addr, loadImage: false });
    else warnings.push(`section ${s.name} at 0x${hex(s.addr)} is outside every memory region`);
    if (lma !== s.addr) {
      const loadRegion = regionAt(lma);
      if (loadRegion && loadRegion !== runRegion) loadRegion.sections.push({ ...base, address: lma, loadImage: true });
    }
  }
  for (const r of regions) {
    r.sections.sort((a, b) => a.address - b.address);
    for (const s of r.sections) r.used = Math.max(r.used, s.address + s.size - r.origin);
    if (r.used > r.length) warnings.push(`region ${r.name} overflows by ${r.used - r.length} bytes`);
  }

  const heap = findHeap(inputs, demangle);
  const stack = findStack(inputs, regions, heap);
  if (stack?.collision) {
    warnings.push(`the stack has reached ${stack.limitName} (stack limit 0x${hex(stack.limit)}, deepest use 0x${hex(Math.min(stack.highWater ?? stack.top, stack.sp ?? stack.top))})`);
  }
  return {
    program: elf.fileName, linkerScript: inputs.linkerScript, regions, stack, heap, warnings,
    live: inputs.readSp !== undefined,
  };
}

function symbolValue(elf: ElfFile, names: string[]): { name: string; value: number } | undefined {
  for (const n of names) {
    const s = elf.symbolByName(n);
    if (s) return { name: n, value: s.value >>> 0 };
  }
  return undefined;
}

/** The initial SP: a stack-top symbol, else word 0 of the vector table (the lowest loaded word). */
export function initialStackPointer(elf: ElfFile): number | undefined {
  const sym = symbolValue(elf, STACK_TOP_SYMBOLS);
  if (sym) return sym.value;
  const segs = elf.segments.filter((s) => s.type === PT_LOAD && s.filesz >= 4).sort((a, b) => a.paddr - b.paddr);
  const first = segs[0];
  if (!first) return undefined;
  const d = first.data;
  return (d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)) >>> 0;
}

/** The stack's room: from the end of the highest section (or heap) below the initial SP, up to it. */
export function stackBounds(elf: ElfFile, heap?: HeapInfo): { top: number; limit: number; limitName: string } | undefined {
  const top = initialStackPointer(elf);
  if (top === undefined) return undefined;
  const explicit = symbolValue(elf, STACK_LIMIT_SYMBOLS);
  if (explicit && explicit.value < top) return { top, limit: explicit.value, limitName: explicit.name };
  let limit = 0;
  let limitName = '';
  for (const s of elf.sections) {
    if ((s.flags & SHF_ALLOC) === 0 || s.size === 0) continue;
    const end = s.addr + s.size;
    // Only RAM below the stack counts, in the same 512 MiB block of the address map.
    if (end <= top && end > limit && (s.addr >>> 29) === ((top - 1) >>> 29)) {
      limit = end;
      limitName = s.name;
    }
  }
  if (heap && heap.end <= top && heap.end > limit) {
    limit = heap.end;
    limitName = `the heap (${heap.name})`;
  }
  if (limitName === '') return undefined;
  return { top, limit: (limit + 3) & ~3, limitName };
}

function findHeap(inputs: MemoryMapInputs, demangle: (n: string) => string): HeapInfo | undefined {
  const { elf } = inputs;
  let heap: HeapInfo | undefined;
  for (const [a, b] of HEAP_RANGES) {
    const s = elf.symbolByName(a);
    const e = elf.symbolByName(b);
    if (s && e && e.value > s.value) { heap = { name: a, start: s.value, end: e.value }; break; }
  }
  if (!heap) {
    // A `#[global_allocator]` over a static array: an object named like a heap, big enough to be one.
    const candidates = elf.symbols.filter((s) => s.type === 'object' && s.size >= 256 && /(^|::|_)(heap|allocator|ALLOCATOR|HEAP)(\b|$|::|[^a-z])/i.test(demangle(s.name)));
    candidates.sort((x, y) => y.size - x.size);
    const c = candidates[0];
    if (c) heap = { name: demangle(c.name), start: c.address, end: c.address + c.size };
  }
  if (heap && inputs.readMemory) {
    const bytes = inputs.readMemory(heap.start, heap.end - heap.start);
    if (bytes) {
      let last = -1;
      for (let i = bytes.length - 1; i >= 0; i--) if (bytes[i] !== 0) { last = i; break; }
      heap.used = last + 1;
    }
  }
  return heap;
}

function findStack(inputs: MemoryMapInputs, _regions: MapRegion[], heap: HeapInfo | undefined): StackInfo | undefined {
  const bounds = stackBounds(inputs.elf, heap);
  if (!bounds) return undefined;
  const info: StackInfo = { ...bounds, collision: false };
  if (inputs.readSp) info.sp = inputs.readSp() >>> 0;
  if (inputs.readMemory && inputs.readSp) {
    const hw = stackHighWater(inputs.readMemory, bounds.limit, bounds.top);
    if (hw) {
      // A frame just reserved (sub sp) but not yet written is in use too: the current SP bounds
      // the mark from below.
      info.highWater = info.sp !== undefined && info.sp >= bounds.limit ? Math.min(hw.address, info.sp) : hw.address;
      info.method = hw.method;
    }
  }
  const deepest = Math.min(info.highWater ?? bounds.top, info.sp ?? bounds.top);
  info.collision = deepest <= bounds.limit && (info.sp !== undefined || info.highWater !== undefined);
  return info;
}

/**
 * Lowest written address of a full-descending stack occupying [limit, top): the first word, from
 * `limit` up, that no longer holds the untouched value (the paint pattern if the bottom word still
 * holds it, else zero). `top` when nothing was written.
 */
export function stackHighWater(
  readMemory: (address: number, length: number) => Uint8Array | undefined, limit: number, top: number,
): { address: number; method: 'paint' | 'zero' } | undefined {
  const start = (limit + 3) & ~3;
  if (top <= start) return undefined;
  const bytes = readMemory(start, top - start);
  if (!bytes) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = bytes.byteLength >> 2;
  const untouched = words > 0 && view.getUint32(0, true) === STACK_PAINT ? STACK_PAINT : 0;
  let i = 0;
  while (i < words && view.getUint32(i * 4, true) === untouched) i++;
  return { address: start + i * 4, method: untouched === STACK_PAINT ? 'paint' : 'zero' };
}

/**
 * Fills the free stack area (from its limit up to just below the current SP) with STACK_PAINT so the
 * high-water mark is exact. Call after loading, before the firmware runs.
 */
export function paintStack(
  elf: ElfFile, sp: number, writeMemory: (address: number, data: Uint8Array) => boolean,
): { from: number; to: number } | undefined {
  const bounds = stackBounds(elf, findHeap({ elf }, (n) => n));
  if (!bounds) return undefined;
  const to = Math.min(bounds.top, sp >>> 0) & ~3;
  if (to <= bounds.limit) return undefined;
  const data = new Uint8Array(to - bounds.limit);
  new DataView(data.buffer).setUint32(0, STACK_PAINT, true);
  for (let i = 4; i < data.length; i *= 2) data.copyWithin(i, 0, Math.min(i, data.length - i));
  return writeMemory(bounds.limit, data) ? { from: bounds.limit, to } : undefined;
}

function hex(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

/**
 * The linker script of a program when launch.json names none: walking up from the ELF to the
 * crate/project root, a link.x (which INCLUDEs memory.x) or a memory.x, or a single *.ld file.
 */
export function findLinkerScript(programPath: string, exists: (path: string) => boolean, list: (dir: string) => string[]): string | undefined {
  let dir = dirname(programPath);
  for (let i = 0; i < 6; i++) {
    for (const name of ['link.x', 'memory.x']) {
      const p = join(dir, name);
      if (exists(p)) return p;
    }
    const ld = list(dir).filter((n) => n.endsWith('.ld'));
    if (ld.length === 1) return join(dir, ld[0]);
    if (exists(join(dir, 'Cargo.toml'))) return undefined;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** Keeps the parsed script and layout of one program; builds payloads on request. */
export class MemoryMapProvider {
  private layout?: Layout;
  private scriptError?: string;

  constructor(
    readonly elf: ElfFile,
    readonly linkerScript: string | undefined,
    private readonly fallbackRegions: MemoryMapInputs['fallbackRegions'],
    private readonly extras: Pick<MemoryMapInputs, 'sourceAt' | 'demangle'> = {},
  ) {
    if (linkerScript) {
      try {
        const script = parseScriptFile(linkerScript, [dirname(linkerScript), dirname(dirname(linkerScript))]);
        this.layout = evaluate(script, { linked: elf });
      } catch (e) {
        this.scriptError = `cannot read the linker script ${linkerScript}: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
  }

  payload(live?: Pick<MemoryMapInputs, 'readSp' | 'readMemory'>): MemoryMapPayload {
    const p = computeMemoryMap({
      elf: this.elf, layout: this.layout, linkerScript: this.layout ? this.linkerScript : undefined,
      fallbackRegions: this.fallbackRegions, ...this.extras, ...live,
    });
    if (this.scriptError) p.warnings.unshift(this.scriptError);
    return p;
  }
}

/** What the session's target offers (src/adapter/target.ts's Target satisfies it). */
export interface MemoryMapTarget {
  machine: {
    cpu: { r: ArrayLike<number> };
    chip: { flash: { base: number; size: number }; sram: { name: string; base: number; size: number }[] };
    readMemory(address: number, length: number): Uint8Array;
  };
  program: { elf: ElfFile; sourceAt(address: number): { path: string; line: number } | null };
}

const providers = new WeakMap<object, MemoryMapProvider>();

/**
 * The `cortex-m-sim/memoryMap` answer for a session's target: the layout is read once per target
 * (from launch.json's linkerScript, or found near the ELF), the live part on every request.
 */
export function memoryMapForTarget(target: MemoryMapTarget, linkerScript: string | undefined, exists: (p: string) => boolean, list: (d: string) => string[]): MemoryMapPayload {
  let provider = providers.get(target);
  if (!provider) {
    const { elf } = target.program;
    const chip = target.machine.chip;
    const fallback = [
      { name: 'FLASH', origin: chip.flash.base, length: chip.flash.size, attributes: 'rx' },
      ...chip.sram.map((s) => ({ name: s.name === 'SRAM' ? 'RAM' : s.name, origin: s.base, length: s.size, attributes: 'rwx' })),
    ];
    provider = new MemoryMapProvider(elf, linkerScript ?? findLinkerScript(elf.fileName, exists, list), fallback, {
      demangle,
      sourceAt: (a) => {
        const s = target.program.sourceAt(a);
        return s ? { file: s.path, line: s.line } : undefined;
      },
    });
    providers.set(target, provider);
  }
  const m = target.machine;
  return provider.payload({ readSp: () => m.cpu.r[13] >>> 0, readMemory: (a, n) => m.readMemory(a, n) });
}
