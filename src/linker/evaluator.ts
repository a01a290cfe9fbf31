// Evaluates a parsed linker script the way ld lays out an image: memory regions, output section
// VMAs and LMAs, symbol values, region usage, ASSERTs. It works from either
//   - a list of input sections (name, size, alignment — e.g. read from object files), simulating
//     ld's placement, or
//   - the output sections and symbols of the already linked ELF, which are taken as the truth,
//   - or nothing at all, when every input section counts as empty (the memory map of a bare script).
//
// Like ld, it applies INSERT AFTER/BEFORE (the statements before an INSERT move next to the named
// output section of another script) and places orphans: input sections no
// description matches get an output section of their own name, after the output section holding
// the same kind of contents (code, read-only data, data, zero-initialised), or join an output section
// of that name.
//
// Expression values follow ld's section-relative arithmetic (ld manual "The Section of an
// Expression"): a value is a plain number, an absolute address, or an offset into an output section.
// Inside an output section a plain number assigned to a symbol or to `.` is relative to that section,
// and absolute symbols read as numbers — the rules that make `_x = 0x10;` inside `.text` mean
// `ADDR(.text) + 0x10`.

import type {
  Assignment, Call, Command, Diagnostic, Expr, IncludeCommand, InputSection, MemoryRegion, Name,
  OutputSection, OutputSectionStatement, Range, Script, SectionsStatement,
} from './ast';
import { globMatch } from './glob';

/** An input section offered to the layout (from an object file, or made up). */
export interface InputSectionInfo {
  /** The object or archive member it comes from, matched against file patterns. */
  file?: string;
  name: string;
  size: number;
  /** Byte alignment (power of two); 1 when omitted. */
  align?: number;
  /** True for SHT_NOBITS sections (.bss-like: occupy no load space). Guessed from the name when omitted. */
  nobits?: boolean;
  /** False for non-allocated sections (.comment, debug info). Guessed from the name when omitted. */
  alloc?: boolean;
  /** Executable (for choosing a memory region by attributes). Guessed from the name when omitted. */
  code?: boolean;
  /** Writable. Guessed from the name when omitted. */
  writable?: boolean;
}

/** What is needed of a linked ELF (src/debuginfo/elf.ts's ElfFile satisfies it). */
export interface LinkedImage {
  sections: { name: string; addr: number; size: number; type?: number; flags?: number; addralign?: number }[];
  symbols?: { name: string; value: number; type?: string }[];
  segments?: { type: number; vaddr: number; paddr: number; memsz: number; filesz: number }[];
}

export interface EvaluateOptions {
  inputSections?: InputSectionInfo[];
  linked?: LinkedImage;
  /** Symbols defined by the object files (PROVIDE does not override them; DEFINED sees them). */
  objectSymbols?: Record<string, number>;
  /** CONSTANT(MAXPAGESIZE) / CONSTANT(COMMONPAGESIZE); default 0x1000 each, as arm-none-eabi ld. */
  maxPageSize?: number;
  commonPageSize?: number;
  /** SIZEOF_HEADERS estimate (ELF header + program headers); ld knows it only after layout. */
  sizeofHeaders?: number;
}

export interface RegionInfo {
  name: string;
  origin: number;
  length: number;
  attributes: string;
  /** Bytes from origin to the end of the last section placed in it (VMA or LMA), as ld counts. */
  used: number;
  node: MemoryRegion;
  file: string;
}

export interface PlacedInput {
  info: InputSectionInfo;
  vma: number;
}

export interface PlacedSection {
  name: string;
  vma: number;
  lma: number;
  size: number;
  region?: string;
  lmaRegion?: string;
  /** False for NOLOAD / .bss-like sections. */
  load: boolean;
  alloc: boolean;
  /** Kept in the output (ld drops output sections with no contents and no symbols). */
  kept: boolean;
  inputs: PlacedInput[];
  node: OutputSection;
  file: string;
}

export interface SymbolInfo {
  name: string;
  value: number;
  /** Output section the symbol is relative to; undefined for absolute symbols. */
  section?: string;
  node?: Assignment;
  file?: string;
  provided: boolean;
  /** Where the value came from: the script, the linked ELF, or the object files. */
  source: 'script' | 'elf' | 'object';
}

export interface MemoryUsageRow {
  name: string;
  used: number;
  total: number;
  /** used * 100 / total, unrounded. */
  percent: number;
}

export interface Layout {
  regions: RegionInfo[];
  sections: PlacedSection[];
  symbols: Map<string, SymbolInfo>;
  entry?: string;
  diagnostics: Diagnostic[];
  memoryUsage(): MemoryUsageRow[];
}

const ADDRESS_MASK = 0xffffffffn;

type Sec = SectionState;
/** An expression value: a plain number (sec null), an absolute address, or an offset into `sec`. */
interface Value {
  v: bigint;
  sec: Sec | null | 'abs';
}

interface SectionState {
  node: OutputSection;
  file: string;
  vma: bigint;
  lma: bigint;
  size: bigint;
  evaluated: boolean;
  placed?: PlacedSection;
  inputs: PlacedInput[];
  region?: RegionState;
  lmaRegion?: RegionState;
  load: boolean;
  alloc: boolean;
}

interface RegionState {
  info: RegionInfo;
  origin: bigint;
  length: bigint;
  current: bigint;
  /** ld region attribute flags (letters), and the negated ones. */
  flags: string;
  notFlags: string;
  /** Last output section placed in this region (for the LMA heuristic). */
  last?: SectionState;
  overflow: bigint;
}

interface SymbolState {
  value: bigint;
  sec: Sec | null;
  node?: Assignment;
  file?: string;
  provided: boolean;
  source: SymbolInfo['source'];
}

const NON_ALLOC_NAME = /^\.(debug|zdebug|comment|stab|line|ARM\.attributes|gnu\.attributes|gnu_debug|note\.GNU-stack)/;
const NOBITS_NAME = /^(\.bss|\.sbss|\.tbss|COMMON|\.noinit|\.uninit)/;
const CODE_NAME = /^\.(text|init|fini|vector|isr|ARM\.exidx|glue|plt|gnu\.sgstubs)/;
const READONLY_NAME = /^\.(text|rodata|init|fini|vector|isr|ARM\.ex|glue|eh_frame|gcc_except|gnu\.sgstubs)/;

function inputAlloc(i: InputSectionInfo): boolean { return i.alloc ?? !NON_ALLOC_NAME.test(i.name); }
function inputNobits(i: InputSectionInfo): boolean { return i.nobits ?? NOBITS_NAME.test(i.name); }

function alignUp(v: bigint, a: bigint): bigint {
  if (a <= 1n) return v;
  return ((v + a - 1n) / a) * a;
}

function toNumber(v: bigint): number {
  return Number(v & ADDRESS_MASK);
}

const SHT_NOBITS = 8;
const SHF_WRITE = 1;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;

/**
 * Lays out a script, or several given together as ld's -T options in command-line order (a script
 * with INSERT then adds its output sections to the others').
 */
export function evaluate(script: Script | Script[], options: EvaluateOptions = {}): Layout {
  return new Evaluator(Array.isArray(script) ? script : [script], options).run();
}

/** What an orphan holds, which decides where ld puts it (ldelf_place_orphan's kinds). */
type ContentKind = 'text' | 'rodata' | 'data' | 'bss' | 'nonalloc';

/** The output section ld puts each kind of orphan after, when the script has one of that name. */
const ORPHAN_ANCHOR: Record<ContentKind, string> = { text: '.text', rodata: '.rodata', data: '.data', bss: '.bss', nonalloc: '.comment' };

function contentKind(i: InputSectionInfo): ContentKind {
  if (!inputAlloc(i)) return 'nonalloc';
  if (inputNobits(i)) return 'bss';
  if (i.writable ?? !READONLY_NAME.test(i.name)) return 'data';
  if (i.code ?? CODE_NAME.test(i.name)) return 'text';
  return 'rodata';
}

type Item = { s: SectionsStatement; file: string };

/** Two decimals as C's printf("%.2f") gives them: an exact tie rounds to even (3.125 → 3.12). */
function percentText(percent: number): string {
  const scaled = percent * 100;
  if (Number.isInteger(scaled * 2) && !Number.isInteger(scaled)) {
    const down = Math.floor(scaled);
    return ((down % 2 === 0 ? down : down + 1) / 100).toFixed(2);
  }
  return percent.toFixed(2);
}

/** Formats usage rows exactly as `ld --print-memory-usage` prints them. */
export function formatMemoryUsage(rows: MemoryUsageRow[]): string {
  const size = (sz: number): string => {
    const n = BigInt(sz);
    if ((n & 0x3fffffffn) === 0n && n !== 0n) return `${String(n >> 30n).padStart(10)} GB`;
    if ((n & 0xfffffn) === 0n && n !== 0n) return `${String(n >> 20n).padStart(10)} MB`;
    if ((n & 0x3ffn) === 0n && n !== 0n) return `${String(n >> 10n).padStart(10)} KB`;
    return ` ${String(n).padStart(10)} B`;
  };
  let out = 'Memory region         Used Size  Region Size  %age Used\n';
  for (const r of rows) {
    out += `${r.name.padStart(16)}: ${size(r.used)}${size(r.total)}    ${percentText(r.percent).padStart(6)}%\n`;
  }
  return out;
}

class Evaluator {
  private diagnostics: Diagnostic[] = [];
  private regions = new Map<string, RegionState>();
  private regionList: RegionState[] = [];
  private aliases = new Map<string, { target: string; node: Name; file: string }>();
  private sections = new Map<string, SectionState>();
  private sectionOrder: SectionState[] = [];
  private symbols = new Map<string, SymbolState>();
  private previousSymbols = new Map<string, SymbolState>();
  private final = false;
  private dot = 0n;
  private cur: SectionState | null = null;
  private curFile = '';
  private entry?: string;
  /** Input sections chosen for each input section description, fixed before layout. */
  private matches = new Map<InputSection, InputSectionInfo[]>();
  private linkedSections = new Map<string, LinkedImage['sections'][number]>();
  private linkedSymbols = new Map<string, number>();
  private readonly maxPageSize: bigint;
  private readonly commonPageSize: bigint;
  /** The statements of each SECTIONS command, includes spliced in, after INSERTs and orphans. */
  private blocks = new Map<Command, Item[]>();
  /** Statements outside SECTIONS that an INSERT moved into a SECTIONS list. */
  private movedCommands = new Set<Command>();
  /** Orphans joining an output section of their name: an extra input description at its end. */
  private orphanInputs = new Map<OutputSection, InputSection>();

  constructor(private readonly scripts: Script[], private readonly options: EvaluateOptions) {
    this.maxPageSize = BigInt(options.maxPageSize ?? 0x1000);
    this.commonPageSize = BigInt(options.commonPageSize ?? 0x1000);
    for (const s of options.linked?.sections ?? []) if (!this.linkedSections.has(s.name)) this.linkedSections.set(s.name, s);
    for (const s of options.linked?.symbols ?? []) {
      if (s.type === 'section' || s.type === 'file' || !s.name) continue;
      if (!this.linkedSymbols.has(s.name)) this.linkedSymbols.set(s.name, s.value);
    }
  }

  run(): Layout {
    const commands = this.scripts.flatMap((script) => this.flatten(script));
    this.collectMemory(commands);
    this.buildBlocks(commands);
    this.mapInputSections(commands);
    this.placeOrphans();
    // ld iterates layout until addresses settle (forward references to later sections/symbols).
    for (let pass = 0; pass < 4; pass++) {
      this.final = false;
      if (!this.layoutPass(commands)) break;
    }
    this.final = true;
    this.layoutPass(commands);
    this.checkOverlaps();
    return this.result();
  }

  // -------------------------------------------------------------------------------------------
  // Includes are spliced in place: evaluation sees one flat script with each node's own file.

  private flatten(script: Script): { c: Command; file: string }[] {
    const out: { c: Command; file: string }[] = [];
    for (const c of script.commands) {
      if (c.kind === 'Include') {
        if (c.script) out.push(...this.flatten(c.script));
      } else {
        out.push({ c, file: script.file });
      }
    }
    return out;
  }

  private sectionsItems(items: SectionsStatement[], file: string): { s: SectionsStatement; file: string }[] {
    const out: { s: SectionsStatement; file: string }[] = [];
    for (const s of items) {
      if (s.kind === 'Include') {
        if (s.script) out.push(...this.sectionsItems(s.script.sectionsStatements, s.script.file));
      } else {
        out.push({ s, file });
      }
    }
    return out;
  }

  private outputItems(items: OutputSectionStatement[], file: string): { s: OutputSectionStatement; file: string }[] {
    const out: { s: OutputSectionStatement; file: string }[] = [];
    for (const s of items) {
      if (s.kind === 'Include') {
        if (s.script) out.push(...this.outputItems(s.script.outputStatements, s.script.file));
      } else {
        out.push({ s, file });
      }
    }
    return out;
  }

  private memoryItems(items: (MemoryRegion | IncludeCommand)[], file: string): { r: MemoryRegion; file: string }[] {
    const out: { r: MemoryRegion; file: string }[] = [];
    for (const r of items) {
      if (r.kind === 'Include') {
        if (r.script) out.push(...this.memoryItems(r.script.memoryRegions, r.script.file));
      } else {
        out.push({ r, file });
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------

  private report(severity: Diagnostic['severity'], message: string, range: Range, file = this.curFile): void {
    if (!this.final) return;
    if (this.diagnostics.some((d) => d.message === message && d.range.start.offset === range.start.offset && d.file === file)) return;
    this.diagnostics.push({ severity, message, range, file });
  }

  private collectMemory(commands: { c: Command; file: string }[]): void {
    for (const { c, file } of commands) {
      if (c.kind === 'RegionAlias') {
        this.aliases.set(c.alias.text, { target: c.region.text, node: c.alias, file });
      }
      if (c.kind !== 'Memory') continue;
      this.curFile = file;
      for (const { r, file: rfile } of this.memoryItems(c.regions, file)) {
        this.curFile = rfile;
        this.final = true;
        const origin = this.absolute(this.evalExpr(r.origin));
        const length = this.absolute(this.evalExpr(r.length));
        this.final = false;
        if (this.regions.has(r.name.text)) {
          this.diagnostics.push({ severity: 'error', message: `region '${r.name.text}' is already defined`, range: r.name.range, file: rfile });
          continue;
        }
        const attrs = r.attributes?.text ?? '';
        let flags = '';
        let notFlags = '';
        let negate = false;
        for (const ch of attrs.toLowerCase()) {
          if (ch === '!') negate = !negate;
          else if (negate) notFlags += ch;
          else flags += ch;
        }
        const info: RegionInfo = {
          name: r.name.text, origin: toNumber(origin), length: Number(length), attributes: attrs, used: 0, node: r, file: rfile,
        };
        const state: RegionState = { info, origin, length, current: origin, flags, notFlags, overflow: 0n };
        this.regions.set(r.name.text, state);
        this.regionList.push(state);
      }
    }
    for (const [alias, a] of this.aliases) {
      if (!this.regions.has(a.target)) {
        this.diagnostics.push({ severity: 'error', message: `REGION_ALIAS '${alias}': no memory region '${a.target}'`, range: a.node.range, file: a.file });
      }
    }
    // Regions sharing addresses are almost always a typo in ORIGIN or LENGTH.
    for (let i = 0; i < this.regionList.length; i++) {
      for (let j = i + 1; j < this.regionList.length; j++) {
        const a = this.regionList[i];
        const b = this.regionList[j];
        if (a.length === 0n || b.length === 0n) continue;
        if (a.origin < b.origin + b.length && b.origin < a.origin + a.length) {
          this.diagnostics.push({
            severity: 'warning',
            message: `memory region '${b.info.name}' [0x${hex(b.origin)}, 0x${hex(b.origin + b.length)}) overlaps region '${a.info.name}' [0x${hex(a.origin)}, 0x${hex(a.origin + a.length)})`,
            range: b.info.node.range, file: b.info.file,
          });
        }
      }
    }
  }

  private region(name: Name): RegionState | undefined {
    let n = name.text;
    const alias = this.aliases.get(n);
    if (alias) n = alias.target;
    const r = this.regions.get(n);
    if (!r) this.report('error', `memory region '${name.text}' is not defined`, name.range);
    return r;
  }

  // -------------------------------------------------------------------------------------------
  // Input section mapping: each input section goes to the first description that matches it, in
  // script order (ld manual "Input Section Basics").

  private mapInputSections(commands: { c: Command; file: string }[]): void {
    const inputs = this.options.inputSections ?? [];
    const taken = new Set<InputSectionInfo>();
    for (const { c } of commands) {
      if (c.kind !== 'Sections') continue;
      for (const { s, file: f } of this.blocks.get(c) ?? []) {
        const outs = s.kind === 'OutputSection' ? [s] : s.kind === 'Overlay' ? s.sections : [];
        for (const os of outs) {
          for (const { s: st } of this.outputItems(os.statements, f)) {
            if (st.kind !== 'InputSection') continue;
            const matched: InputSectionInfo[] = [];
            for (const info of inputs) {
              if (taken.has(info)) continue;
              if (this.inputMatches(st, info)) {
                matched.push(info);
                taken.add(info);
              }
            }
            const sortGroup = st.sections?.find((g) => g.pattern.sort.length > 0);
            const sort = sortGroup?.pattern.sort ?? st.file.sort;
            if (sort.length > 0 && !sort.includes('SORT_NONE')) {
              const byAlign = sort[0] === 'SORT_BY_ALIGNMENT';
              matched.sort((a, b) => (byAlign ? (b.align ?? 1) - (a.align ?? 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
            }
            this.matches.set(st, matched);
          }
        }
      }
    }
    this.orphans = inputs.filter((i) => !taken.has(i));
    if (!this.options.inputSections && this.options.linked) this.orphans = this.linkedOrphans();
  }

  /** With only the linked ELF: its allocated sections the script has no output section for. */
  private linkedOrphans(): InputSectionInfo[] {
    const named = new Set<string>();
    for (const items of this.blocks.values()) {
      for (const { s } of items) {
        if (s.kind === 'OutputSection') named.add(s.name.text);
        else if (s.kind === 'Overlay') for (const o of s.sections) named.add(o.name.text);
      }
    }
    return (this.options.linked?.sections ?? [])
      .filter((x) => x.name && !named.has(x.name) && x.size > 0 && x.flags !== undefined && (x.flags & SHF_ALLOC) !== 0)
      .map((x) => ({
        name: x.name, size: x.size, align: x.addralign || 1, nobits: x.type === SHT_NOBITS, alloc: true,
        code: ((x.flags ?? 0) & SHF_EXECINSTR) !== 0, writable: ((x.flags ?? 0) & SHF_WRITE) !== 0,
      }));
  }

  private orphans: InputSectionInfo[] = [];

  // -------------------------------------------------------------------------------------------
  // INSERT (ld manual "Other Linker Script Commands"; ld's process_insert_statements): the
  // statements before an INSERT, back to the previous one or the start of the first script, move
  // to just after the named output section (past the symbol assignments that follow it, as orphans
  // are placed), or before it. Scripts given as a list are in command-line order, so an INSERT
  // script comes first; one whose INSERT would move the named section itself finds nothing, as ld.

  private buildBlocks(commands: { c: Command; file: string }[]): void {
    let pending: { c: Command; file: string }[] = [];
    const moves: { items: Item[]; from: { c: Command; file: string }[]; where: 'AFTER' | 'BEFORE'; section: Name; file: string }[] = [];
    for (const entry of commands) {
      const { c, file } = entry;
      if (c.kind === 'Sections') {
        this.blocks.set(c, this.sectionsItems(c.statements, file));
        pending.push(entry);
      } else if (c.kind === 'Assignment' || c.kind === 'Assert') {
        pending.push(entry);
      } else if (c.kind === 'Insert') {
        const items: Item[] = [];
        for (const m of pending) {
          if (m.c.kind === 'Sections') {
            items.push(...(this.blocks.get(m.c) ?? []));
            this.blocks.set(m.c, []);
          } else if (m.c.kind === 'Assignment' || m.c.kind === 'Assert') {
            // A statement outside SECTIONS moves with them, evaluated where it lands.
            items.push({ s: m.c, file: m.file });
            this.movedCommands.add(m.c);
          }
        }
        moves.push({ items, from: pending, where: c.where, section: c.section, file });
        pending = [];
      }
    }
    for (const move of moves) {
      const at = this.findOutputSection(move.section.text);
      if (!at) {
        // ld stops with "not found for insert"; but a script with INSERT (a memory.x adding a section
        // after .bss) is often looked at without the scripts it is linked with: say so, mildly.
        this.diagnostics.push({
          severity: 'info', range: move.section.range, file: move.file,
          message: `${move.section.text} not found for INSERT (not an output section of this script or those evaluated with it)`,
        });
        // The statements stay where they were written.
        for (const m of move.from) {
          if (m.c.kind === 'Sections') this.blocks.set(m.c, this.sectionsItems(m.c.statements, m.file));
          this.movedCommands.delete(m.c);
        }
        continue;
      }
      let index: number;
      if (move.where === 'AFTER') index = insertionPoint(at.items, at.index);
      else {
        // Before it: after the output section that precedes it, past that one's assignments.
        let previous = at.index - 1;
        while (previous >= 0 && at.items[previous].s.kind !== 'OutputSection' && at.items[previous].s.kind !== 'Overlay') previous--;
        index = previous >= 0 ? insertionPoint(at.items, previous) : at.index;
      }
      at.items.splice(index, 0, ...move.items);
    }
  }

  private findOutputSection(name: string): { items: Item[]; index: number } | undefined {
    for (const items of this.blocks.values()) {
      const index = items.findIndex(({ s }) => s.kind === 'OutputSection' && s.name.text === name);
      if (index >= 0) return { items, index };
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Orphans (ld's ldelf_place_orphan / lang_insert_orphan): an input section no description took.

  private placeOrphans(): void {
    const byName = new Map<string, InputSectionInfo[]>();
    for (const i of this.orphans) byName.set(i.name, [...(byName.get(i.name) ?? []), i]);
    /** Per anchor section: the item the last orphan placed after it went in at. */
    const tails = new Map<OutputSection, Item>();
    for (const [name, infos] of byName) {
      const description: InputSection = {
        kind: 'InputSection', keep: false, excludeFiles: [],
        file: { kind: 'Pattern', text: '*', sort: [], range: EMPTY_RANGE }, range: EMPTY_RANGE,
      };
      this.matches.set(description, infos);
      // An output section of the same name takes them.
      const same = name === '/DISCARD/' ? undefined : this.findOutputSection(name);
      if (same) {
        this.orphanInputs.set(same.items[same.index].s as OutputSection, description);
        continue;
      }
      const kind = contentKind(infos[0]);
      const anchor = this.orphanAnchor(kind);
      // Not written anywhere: it points at the section it follows (where a click on it leads).
      const follows = anchor ? anchor.items[anchor.index] : undefined;
      const node: OutputSection = {
        kind: 'OutputSection', name: { kind: 'Name', text: name, range: follows?.s.range ?? EMPTY_RANGE }, statements: [description], phdrs: [],
        region: follows && kind !== 'nonalloc' ? (follows.s as OutputSection).region : undefined, range: follows?.s.range ?? EMPTY_RANGE,
      };
      const item: Item = { s: node, file: follows?.file ?? this.scripts[0]?.file ?? '' };
      if (!anchor) {
        // Nothing like it (or not allocated): at the end of the last SECTIONS, in the region of the
        // section before it (as ld counts it there).
        const last = [...this.blocks.values()].reverse().find((items) => items.length > 0);
        if (!last) continue;
        const previous = [...last].reverse().find(({ s }) => s.kind === 'OutputSection' && s.region !== undefined);
        if (kind !== 'nonalloc' && previous) node.region = (previous.s as OutputSection).region;
        const end = last[last.length - 1];
        node.range = node.name.range = end.s.range;
        item.file = end.file;
        last.push(item);
        continue;
      }
      const anchorNode = anchor.items[anchor.index].s as OutputSection;
      const tail = tails.get(anchorNode);
      const tailIndex = tail ? anchor.items.indexOf(tail) : -1;
      const at = tailIndex >= 0 ? tailIndex + 1 : insertionPoint(anchor.items, anchor.index);
      anchor.items.splice(at, 0, item);
      tails.set(anchorNode, item);
    }
  }

  /** The output section an orphan of this kind goes after: ld's named one, else the last alike. */
  private orphanAnchor(kind: ContentKind): { items: Item[]; index: number } | undefined {
    if (kind === 'nonalloc') return undefined;
    const named = this.findOutputSection(ORPHAN_ANCHOR[kind]);
    if (named) return named;
    const lastOfKind = (wanted: ContentKind) => {
      let found: { items: Item[]; index: number } | undefined;
      for (const items of this.blocks.values()) {
        items.forEach(({ s, file }, index) => {
          if (s.kind !== 'OutputSection' || s.name.text === '/DISCARD/') return;
          const inputs = this.outputItems(s.statements, file).flatMap(({ s: st }) => (st.kind === 'InputSection' ? this.matches.get(st) ?? [] : []));
          const extra = this.orphanInputs.get(s);
          if (extra) inputs.push(...(this.matches.get(extra) ?? []));
          // From the linked ELF: the output section's own flags.
          const linked = inputs.length === 0 ? this.linkedSections.get(s.name.text) : undefined;
          if (linked?.flags !== undefined && linked.size > 0) {
            inputs.push({
              name: s.name.text, size: linked.size, nobits: linked.type === SHT_NOBITS, alloc: (linked.flags & SHF_ALLOC) !== 0,
              code: (linked.flags & SHF_EXECINSTR) !== 0, writable: (linked.flags & SHF_WRITE) !== 0,
            });
          }
          if (inputs.length > 0 && sectionKind(inputs) === wanted) found = { items, index };
        });
      }
      return found;
    };
    // Read-only data with nowhere of its own follows the code (as ld does); other kinds go last.
    return lastOfKind(kind) ?? (kind === 'rodata' ? lastOfKind('text') : undefined);
  }

  private inputMatches(st: InputSection, info: InputSectionInfo): boolean {
    const file = info.file ?? '';
    if (!globMatch(st.file.text, file) && !globMatch(st.file.text, basename(file))) return false;
    if (st.excludeFiles.some((p) => globMatch(p.text, file) || globMatch(p.text, basename(file)))) return false;
    if (!st.sections) return true;
    return st.sections.some((g) => globMatch(g.pattern.text, info.name) &&
      !g.excludeFiles.some((p) => globMatch(p.text, file) || globMatch(p.text, basename(file))));
  }

  // -------------------------------------------------------------------------------------------
  // Layout.

  /** One pass over the script; returns true when any address or symbol changed. */
  private layoutPass(commands: { c: Command; file: string }[]): boolean {
    const before = this.snapshot();
    this.previousSymbols = this.symbols;
    this.symbols = new Map();
    for (const [name, value] of Object.entries(this.options.objectSymbols ?? {})) {
      this.symbols.set(name, { value: BigInt(value), sec: null, provided: false, source: 'object' });
    }
    for (const r of this.regionList) {
      r.current = r.origin;
      r.last = undefined;
      r.overflow = 0n;
    }
    this.dot = 0n;
    this.cur = null;
    for (const { c, file } of commands) {
      this.curFile = file;
      if (this.movedCommands.has(c)) continue;
      switch (c.kind) {
        case 'Assignment': this.assign(c); break;
        case 'Assert': this.checkAssert(c.expr, c.message, c.range); break;
        case 'Entry': this.entry = c.symbol.text; break;
        case 'Sections':
          for (const { s, file: f } of this.blocks.get(c) ?? []) {
            this.curFile = f;
            this.sectionsStatement(s, f);
          }
          break;
        default: break;
      }
    }
    if (this.final) {
      for (const r of this.regionList) {
        if (r.overflow > 0n) {
          this.report('error', `region '${r.info.name}' overflowed by ${r.overflow} bytes`, r.info.node.name.range, r.info.file);
        }
      }
    }
    return this.snapshot() !== before;
  }

  private snapshot(): string {
    let s = '';
    for (const sec of this.sectionOrder) s += `${sec.vma},${sec.lma},${sec.size};`;
    for (const [k, v] of this.symbols) s += `${k}=${v.value};`;
    return s;
  }

  private sectionsStatement(s: SectionsStatement, file: string): void {
    switch (s.kind) {
      case 'Assignment': this.assign(s); break;
      case 'Assert': this.checkAssert(s.expr, s.message, s.range); break;
      case 'Entry': this.entry = s.symbol.text; break;
      case 'OutputSection': this.outputSection(s, file); break;
      case 'Overlay': {
        // Overlay members share one VMA; each gets its own LMA after the previous one.
        const start = s.address ? this.absolute(this.evalExpr(s.address)) : this.dot;
        let end = start;
        for (const os of s.sections) {
          this.dot = start;
          this.outputSection(os, file, start);
          const st = this.sections.get(os.name.text);
          if (st && st.vma + st.size > end) end = st.vma + st.size;
        }
        this.dot = end;
        break;
      }
      default: break;
    }
  }

  private sectionState(node: OutputSection, file: string): SectionState {
    let st = this.sections.get(node.name.text);
    if (!st) {
      st = { node, file, vma: 0n, lma: 0n, size: 0n, evaluated: false, inputs: [], load: true, alloc: true };
      this.sections.set(node.name.text, st);
      this.sectionOrder.push(st);
    }
    return st;
  }

  private outputSection(node: OutputSection, file: string, overlayAddress?: bigint): void {
    if (node.name.text === '/DISCARD/') return;
    const st = this.sectionState(node, file);
    const items = this.outputItems(node.statements, file);
    const orphans = this.orphanInputs.get(node);
    if (orphans) items.push({ s: orphans, file });
    const linked = this.linkedSections.get(node.name.text);

    // What the section holds decides alignment, loadability and whether it is kept at all.
    let maxAlign = 1n;
    let hasInput = false;
    let allNobits = true;
    let anyAlloc = false;
    let anyCode = false;
    let anyWrite = false;
    let hasData = false;
    let definesSymbols = false;
    for (const { s } of items) {
      if (s.kind === 'InputSection') {
        for (const i of this.matches.get(s) ?? []) {
          hasInput = true;
          const a = BigInt(i.align ?? 1);
          if (a > maxAlign) maxAlign = a;
          if (!inputNobits(i)) allNobits = false;
          if (inputAlloc(i)) anyAlloc = true;
          if (i.code ?? CODE_NAME.test(i.name)) anyCode = true;
          if (i.writable ?? !READONLY_NAME.test(i.name)) anyWrite = true;
        }
      } else if (s.kind === 'Data') {
        hasData = true;
        allNobits = false;
        anyAlloc = true;
      } else if (s.kind === 'Assignment' && s.target.text !== '.') {
        definesSymbols = true;
      }
    }
    const subalign = node.subalign ? BigInt(Math.max(1, Number(this.absolute(this.evalOutside(node.subalign))))) : undefined;
    if (subalign !== undefined) maxAlign = subalign;
    let kept: boolean;
    let alloc: boolean;
    let load: boolean;
    if (linked) {
      kept = true;
      alloc = linked.flags === undefined ? !NON_ALLOC_NAME.test(node.name.text) : (linked.flags & SHF_ALLOC) !== 0;
      load = alloc && linked.type !== SHT_NOBITS && node.type !== 'NOLOAD';
      if (linked.addralign && BigInt(linked.addralign) > maxAlign) maxAlign = BigInt(linked.addralign);
      anyCode = linked.flags !== undefined ? (linked.flags & SHF_EXECINSTR) !== 0 : anyCode;
      anyWrite = linked.flags !== undefined ? (linked.flags & SHF_WRITE) !== 0 : anyWrite;
    } else if (this.options.inputSections) {
      kept = hasInput || hasData || definesSymbols;
      alloc = hasInput ? anyAlloc : hasData || !NON_ALLOC_NAME.test(node.name.text);
      load = alloc && !(hasInput && allNobits && !hasData) && node.type !== 'NOLOAD';
      // An output section with nothing but symbols is kept for them but takes no space (ld makes it
      // a non-allocated section), as observed with ld --print-memory-usage.
      if (!hasInput && !hasData) load = false;
    } else {
      // Bare script: every section is assumed present, typed from its name.
      kept = true;
      alloc = !NON_ALLOC_NAME.test(node.name.text);
      load = alloc && node.type !== 'NOLOAD' && !NOBITS_NAME.test(node.name.text);
      anyCode = CODE_NAME.test(node.name.text);
      anyWrite = !READONLY_NAME.test(node.name.text);
    }
    const empty = !linked && !hasInput && !hasData;
    if (node.type === 'NOLOAD') load = false;
    if (node.align) {
      const a = this.absolute(this.evalOutside(node.align));
      if (a > maxAlign) maxAlign = a;
    }

    // VMA: explicit address, else the region's next free address, else `.`.
    let region = node.region ? this.region(node.region) : undefined;
    let lmaRegion = node.lmaRegion ? this.region(node.lmaRegion) : undefined;
    let inheritedLmaRegion: RegionState | undefined;
    if (!region && !node.address && alloc && this.regionList.length > 0 && overlayAddress === undefined) {
      // ld picks the first region whose attributes fit the section (lang_memory_default).
      region = this.regionList.find((r) => regionAccepts(r, anyCode, anyWrite));
    }
    let vma: bigint;
    if (overlayAddress !== undefined) vma = overlayAddress;
    else if (node.address) vma = this.absolute(this.evalOutside(node.address));
    else if (region) vma = alignUp(region.current, maxAlign);
    else vma = alignUp(this.dot, maxAlign);
    if (node.address && node.align) vma = alignUp(vma, this.absolute(this.evalOutside(node.align)));
    if (linked && alloc) vma = BigInt(linked.addr);

    // LMA (ld manual "Output Section LMA").
    let lma: bigint;
    if (node.at) lma = this.absolute(this.evalOutside(node.at));
    else if (lmaRegion) lma = lmaRegion.current;
    else if (node.address || !alloc) lma = vma;
    else if (region?.last) {
      // Follow the previous section of this region: into its LMA region when it had one (checked
      // against ld), else at the same VMA-to-LMA distance.
      inheritedLmaRegion = region.last.lmaRegion;
      lma = inheritedLmaRegion && inheritedLmaRegion !== region
        ? inheritedLmaRegion.current
        : vma + (region.last.lma - region.last.vma);
    } else lma = vma;
    const linkedLma = linked && alloc ? this.lmaFromSegments(BigInt(linked.addr)) : undefined;
    if (linkedLma !== undefined) lma = linkedLma;

    if (!lmaRegion && inheritedLmaRegion && inheritedLmaRegion !== region) lmaRegion = inheritedLmaRegion;
    st.vma = vma;
    st.lma = lma;
    st.load = load;
    st.alloc = alloc;
    st.region = region;
    st.lmaRegion = lmaRegion;
    st.inputs = [];

    // Contents.
    const savedCur = this.cur;
    this.cur = st;
    this.dot = vma;
    for (const { s, file: f } of items) {
      this.curFile = f;
      switch (s.kind) {
        case 'InputSection':
          for (const info of this.matches.get(s) ?? []) {
            const a = subalign ?? BigInt(info.align ?? 1);
            this.dot = alignUp(this.dot, a);
            st.inputs.push({ info, vma: toNumber(this.dot) });
            this.dot += BigInt(info.size);
          }
          break;
        case 'Data':
          this.dot += BigInt({ BYTE: 1, SHORT: 2, LONG: 4, QUAD: 8, SQUAD: 8 }[s.size]);
          this.evalExpr(s.expr);
          break;
        case 'Fill': this.evalExpr(s.expr); break;
        case 'Assignment': this.assign(s); break;
        case 'Assert': this.checkAssert(s.expr, s.message, s.range); break;
        default: break;
      }
    }
    this.cur = savedCur;
    this.curFile = file;
    let size = this.dot - vma;
    if (linked) size = BigInt(linked.size);
    if (!alloc) size = linked ? BigInt(linked.size) : size;
    st.size = size;
    st.evaluated = true;
    st.placed = {
      name: node.name.text, vma: toNumber(vma), lma: toNumber(lma), size: Number(size), region: region?.info.name,
      lmaRegion: lmaRegion?.info.name, load, alloc, kept, inputs: st.inputs, node, file,
    };

    if (!alloc) {
      // Non-allocated sections (debug info, .comment) do not move `.` or use memory.
      this.dot = vma;
      return;
    }
    const end = vma + size;
    if (empty && size === 0n) {
      // ld keeps an empty section only for its symbols and does not advance the region for it.
      this.dot = end;
      return;
    }
    if (region) {
      if (end > region.current) region.current = end;
      region.last = st;
      this.checkFits(node, region, end, 'VMA');
    }
    if (lmaRegion && load) {
      const lmaEnd = lma + size;
      if (lmaEnd > lmaRegion.current) lmaRegion.current = lmaEnd;
      this.checkFits(node, lmaRegion, lmaEnd, 'LMA');
    } else if (!lmaRegion && load && region === undefined) {
      // No region at all: nothing to account.
    }
    this.dot = end;
  }

  private lmaFromSegments(vaddr: bigint): bigint | undefined {
    for (const seg of this.options.linked?.segments ?? []) {
      if (seg.type !== 1) continue;
      const v = BigInt(seg.vaddr);
      if (vaddr >= v && vaddr < v + BigInt(Math.max(seg.memsz, 1))) return BigInt(seg.paddr) + (vaddr - v);
    }
    return undefined;
  }

  private checkFits(node: OutputSection, region: RegionState, end: bigint, what: string): void {
    const limit = region.origin + region.length;
    if (end > limit) {
      const over = end - limit;
      if (over > region.overflow) region.overflow = over;
      this.report('error', `section '${node.name.text}' will not fit in region '${region.info.name}' (${what} end 0x${hex(end)} is ${over} bytes past 0x${hex(limit)})`, node.name.range);
    }
  }

  private evalOutside(e: Expr): Value {
    const saved = this.cur;
    this.cur = null;
    const v = this.evalExpr(e);
    this.cur = saved;
    return v;
  }

  private checkOverlaps(): void {
    const placed = this.sectionOrder.filter((s) => s.placed && s.placed.kept && s.alloc && s.size > 0n);
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) {
        const a = placed[i];
        const b = placed[j];
        if (a.vma < b.vma + b.size && b.vma < a.vma + a.size && !this.isOverlayPair(a, b)) {
          this.diagnostics.push({
            severity: 'error',
            message: `section '${b.node.name.text}' VMA [0x${hex(b.vma)}, 0x${hex(b.vma + b.size - 1n)}] overlaps section '${a.node.name.text}' VMA [0x${hex(a.vma)}, 0x${hex(a.vma + a.size - 1n)}]`,
            range: b.node.name.range, file: b.file,
          });
        }
        if (a.load && b.load && a.lma < b.lma + b.size && b.lma < a.lma + a.size) {
          this.diagnostics.push({
            severity: 'error',
            message: `section '${b.node.name.text}' LMA [0x${hex(b.lma)}, 0x${hex(b.lma + b.size - 1n)}] overlaps section '${a.node.name.text}' LMA [0x${hex(a.lma)}, 0x${hex(a.lma + a.size - 1n)}]`,
            range: b.node.name.range, file: b.file,
          });
        }
      }
    }
  }

  private isOverlayPair(a: SectionState, b: SectionState): boolean {
    return a.vma === b.vma && a.node.type === 'OVERLAY';
  }

  // -------------------------------------------------------------------------------------------
  // Assignments.

  private assign(a: Assignment): void {
    const target = a.target.text;
    if (target === '.') {
      let v = this.evalExpr(a.expr);
      if (a.op !== '=') v = this.binary(compoundOp(a.op), this.dotValue(), v, a.expr);
      const newDot = this.cur ? this.addressInSection(v) : this.absolute(v);
      if (this.cur && newDot < this.dot) {
        this.report('error', `cannot move location counter backwards (from 0x${hex(this.dot)} to 0x${hex(newDot)})`, a.range);
        return;
      }
      this.dot = newDot;
      return;
    }
    if (a.wrapper === 'PROVIDE' || a.wrapper === 'PROVIDE_HIDDEN') {
      const existing = this.symbols.get(target);
      if (existing && !existing.provided) return;
    }
    let v = this.evalExpr(a.expr);
    if (a.op !== '=') v = this.binary(compoundOp(a.op), this.symbolValue(target, a.target.range), v, a.expr);
    const abs = this.cur ? this.addressInSection(v) : this.absolute(v);
    const sec = v.sec === 'abs' ? null : v.sec === null ? this.cur : v.sec;
    this.symbols.set(target, {
      value: abs, sec, node: a, file: this.curFile,
      provided: a.wrapper === 'PROVIDE' || a.wrapper === 'PROVIDE_HIDDEN', source: 'script',
    });
  }

  /** Inside an output section a plain number is an offset from the section start. */
  private addressInSection(v: Value): bigint {
    if (v.sec === null) return BigInt.asUintN(64, (this.cur ? this.cur.vma : 0n) + v.v);
    return this.absolute(v);
  }

  private absolute(v: Value): bigint {
    if (v.sec === null || v.sec === 'abs') return BigInt.asUintN(64, v.v);
    return BigInt.asUintN(64, v.sec.vma + v.v);
  }

  private checkAssert(e: Expr, message: string, range: Range): void {
    const v = this.evalExpr(e);
    if (this.final && this.absolute(v) === 0n) this.report('error', `ASSERT failed: ${message}`, range);
  }

  // -------------------------------------------------------------------------------------------
  // Expressions.

  private relFromAbs(x: bigint): Value {
    if (this.cur) return { v: BigInt.asUintN(64, x - this.cur.vma), sec: this.cur };
    return { v: x, sec: 'abs' };
  }

  private num(x: bigint): Value {
    return { v: BigInt.asUintN(64, x), sec: null };
  }

  /** A literal: absolute outside output sections, a plain number inside them. */
  private literal(x: bigint): Value {
    return this.cur ? this.num(x) : { v: BigInt.asUintN(64, x), sec: 'abs' };
  }

  private dotValue(): Value {
    return this.relFromAbs(this.dot);
  }

  private symbolValue(name: string, range: Range): Value {
    const s = this.symbols.get(name) ?? this.previousSymbols.get(name);
    const linked = this.linkedSymbols.get(name);
    if (!s) {
      if (linked !== undefined) return this.cur ? this.num(BigInt(linked)) : { v: BigInt(linked), sec: 'abs' };
      this.report('error', `undefined symbol '${name}' referenced in expression`, range);
      return this.num(0n);
    }
    if (s.sec && s.sec !== this.cur) return { v: BigInt.asUintN(64, s.value - s.sec.vma), sec: s.sec };
    if (s.sec) return { v: BigInt.asUintN(64, s.value - s.sec.vma), sec: s.sec };
    // Absolute symbols read as numbers inside an output section.
    return this.cur ? this.num(s.value) : { v: s.value, sec: 'abs' };
  }

  private evalExpr(e: Expr): Value {
    switch (e.kind) {
      case 'Number': return this.literal(e.value);
      case 'Dot': return this.dotValue();
      case 'Symbol': return this.symbolValue(e.name, e.range);
      case 'ErrorExpr': return this.num(0n);
      case 'Unary': {
        const v = this.evalExpr(e.operand);
        switch (e.op) {
          case '-': return { v: BigInt.asUintN(64, -v.v), sec: v.sec };
          case '~': return { v: BigInt.asUintN(64, ~v.v), sec: v.sec };
          case '!': return { v: v.v === 0n ? 1n : 0n, sec: v.sec };
          default: return v;
        }
      }
      case 'Binary': {
        if (e.op === '&&' || e.op === '||') {
          const l = this.absolute(this.evalExpr(e.left)) !== 0n;
          if (e.op === '&&' && !l) return this.num(0n);
          if (e.op === '||' && l) return this.num(1n);
          return this.num(this.absolute(this.evalExpr(e.right)) !== 0n ? 1n : 0n);
        }
        return this.binary(e.op, this.evalExpr(e.left), this.evalExpr(e.right), e);
      }
      case 'Ternary': {
        const c = this.evalExpr(e.cond);
        return this.absolute(c) !== 0n ? this.evalExpr(e.then) : this.evalExpr(e.else);
      }
      case 'Call': return this.call(e);
    }
  }

  /** ld's fold_binary: unify the operands' sections, compute, pick the result's section. */
  private binary(op: string, l: Value, r: Value, at: Expr): Value {
    let ls = l.sec;
    const rs = r.sec;
    let lv = l.v;
    let rv = r.v;
    let resultSec: Value['sec'] = rs;
    if (ls !== rs) {
      if (ls !== null && rs !== null) {
        lv = this.absolute(l);
        rv = this.absolute(r);
        ls = 'abs';
        resultSec = 'abs';
      } else if (rs === null) {
        resultSec = ls;
        ls = null;
      }
    }
    const signed = (x: bigint): bigint => BigInt.asIntN(64, x);
    let v: bigint;
    switch (op) {
      case '+': v = lv + rv; break;
      case '-': v = lv - rv; break;
      case '*': v = lv * rv; break;
      case '/':
      case '%':
        if (rv === 0n) {
          this.report('error', `${op === '/' ? 'division' : 'modulo'} by zero`, at.range);
          v = 0n;
        } else {
          v = op === '/' ? signed(lv) / signed(rv) : signed(lv) % signed(rv);
        }
        break;
      case '<<': v = rv >= 64n ? 0n : lv << rv; break;
      case '>>': v = rv >= 64n ? 0n : lv >> rv; break;
      case '&': v = lv & rv; break;
      case '|': v = lv | rv; break;
      case '^': v = lv ^ rv; break;
      case 'MAX': v = lv > rv ? lv : rv; break;
      case 'MIN': v = lv < rv ? lv : rv; break;
      case 'ALIGN': v = alignUp(lv, rv); break;
      default: {
        // Comparisons give plain numbers.
        let b: boolean;
        switch (op) {
          case '==': b = lv === rv; break;
          case '!=': b = lv !== rv; break;
          case '<': b = lv < rv; break;
          case '<=': b = lv <= rv; break;
          case '>': b = lv > rv; break;
          default: b = lv >= rv; break;
        }
        return this.num(b ? 1n : 0n);
      }
    }
    v = BigInt.asUintN(64, v);
    // Both operands in the same section: the result is an absolute value outside output
    // sections and a plain number inside them (checked against ld, see test/oracle/linker-ld).
    if (ls === resultSec && ls !== null) resultSec = this.cur ? null : 'abs';
    return { v, sec: resultSec };
  }

  private nameArg(c: Call): Name | undefined {
    const a = c.args[0];
    return a && a.kind === 'Name' ? a : undefined;
  }

  private exprArg(c: Call, i: number): Value {
    const a = c.args[i];
    if (!a || a.kind === 'Name') return this.num(0n);
    return this.evalExpr(a);
  }

  private sectionArg(c: Call): SectionState | undefined {
    const n = this.nameArg(c);
    if (!n) return undefined;
    const s = this.sections.get(n.text);
    if (!s) {
      this.report('error', `${c.fn}: no output section '${n.text}'`, n.range);
      return undefined;
    }
    if (!s.evaluated && this.final) this.report('warning', `${c.fn}(${n.text}) used before the section is laid out`, n.range);
    return s;
  }

  private call(c: Call): Value {
    switch (c.fn) {
      case 'ORIGIN': case 'LENGTH': {
        const n = this.nameArg(c);
        const r = n ? this.region(n) : undefined;
        if (!r) return this.num(0n);
        return c.fn === 'ORIGIN' ? this.relFromAbs(r.origin) : this.num(r.length);
      }
      case 'ADDR': {
        const s = this.sectionArg(c);
        return s ? { v: 0n, sec: s } : this.num(0n);
      }
      case 'LOADADDR': {
        const s = this.sectionArg(c);
        return s ? { v: s.lma, sec: 'abs' } : this.num(0n);
      }
      case 'SIZEOF': {
        const s = this.sectionArg(c);
        return this.num(s ? s.size : 0n);
      }
      case 'ALIGNOF': {
        const s = this.sectionArg(c);
        return this.num(s ? BigInt(this.linkedSections.get(s.node.name.text)?.addralign ?? 1) : 0n);
      }
      case 'DEFINED': {
        const n = this.nameArg(c);
        const defined = n !== undefined && (this.symbols.has(n.text) || this.linkedSymbols.has(n.text));
        return this.num(defined ? 1n : 0n);
      }
      case 'CONSTANT': {
        const n = this.nameArg(c);
        if (n?.text === 'MAXPAGESIZE') return this.num(this.maxPageSize);
        if (n?.text === 'COMMONPAGESIZE') return this.num(this.commonPageSize);
        if (n) this.report('error', `unknown constant '${n.text}' (MAXPAGESIZE or COMMONPAGESIZE)`, n.range);
        return this.num(0n);
      }
      case 'SIZEOF_HEADERS':
        return this.num(BigInt(this.options.sizeofHeaders ?? 52 + 32 * 2));
      case 'ALIGN': case 'NEXT': case 'BLOCK': {
        if (c.args.length >= 2) return this.binary('ALIGN', this.exprArg(c, 0), this.exprArg(c, 1), c);
        const a = this.absolute(this.exprArg(c, 0));
        return this.relFromAbs(alignUp(this.dot, a));
      }
      case 'MAX': case 'MIN':
        return this.binary(c.fn, this.exprArg(c, 0), this.exprArg(c, 1), c);
      case 'ABSOLUTE':
        return { v: this.absolute(this.exprArg(c, 0)), sec: 'abs' };
      case 'LOG2CEIL': {
        const x = this.absolute(this.exprArg(c, 0));
        let n = 0n;
        while ((1n << n) < x) n++;
        return this.num(n);
      }
      case 'SEGMENT_START':
        return { v: this.absolute(this.exprArg(c, 1)), sec: 'abs' };
      case 'DATA_SEGMENT_ALIGN': {
        const max = this.absolute(this.exprArg(c, 0));
        return this.relFromAbs(alignUp(this.dot, max) + (this.dot & (max - 1n)));
      }
      case 'DATA_SEGMENT_END': return this.exprArg(c, 0);
      case 'DATA_SEGMENT_RELRO_END': return this.dotValue();
      case 'ASSERT': {
        const v = this.exprArg(c, 0);
        const msg = c.args[1]?.kind === 'Name' ? c.args[1].text : '';
        if (this.final && this.absolute(v) === 0n) this.report('error', `ASSERT failed: ${msg}`, c.range);
        return v;
      }
      default:
        return this.num(0n);
    }
  }

  // -------------------------------------------------------------------------------------------

  private result(): Layout {
    for (const r of this.regionList) r.info.used = Number(r.current - r.origin);
    const symbols = new Map<string, SymbolInfo>();
    for (const [name, s] of this.symbols) {
      symbols.set(name, {
        name, value: toNumber(s.value), section: s.sec?.node.name.text, node: s.node, file: s.file,
        provided: s.provided, source: s.source,
      });
    }
    // The linked image is the truth where it knows a symbol the script defines.
    for (const [name, value] of this.linkedSymbols) {
      const s = symbols.get(name);
      if (s && s.value !== value) symbols.set(name, { ...s, value, source: 'elf' });
    }
    const regions = this.regionList.map((r) => r.info);
    const sections = this.sectionOrder.filter((s) => s.placed).map((s) => s.placed as PlacedSection);
    return {
      regions, sections, symbols, entry: this.entry, diagnostics: this.diagnostics,
      memoryUsage: () => regions.map((r) => ({
        name: r.name, used: r.used, total: r.length, percent: r.length === 0 ? 0 : (r.used * 100) / r.length,
      })),
    };
  }
}

const EMPTY_RANGE: Range = { start: { line: 0, character: 0, offset: 0 }, end: { line: 0, character: 0, offset: 0 } };

/** The kind of an output section from its inputs' (union of) flags. */
function sectionKind(inputs: InputSectionInfo[]): ContentKind {
  if (!inputs.some(inputAlloc)) return 'nonalloc';
  if (inputs.every(inputNobits)) return 'bss';
  if (inputs.some((i) => i.writable ?? !READONLY_NAME.test(i.name))) return 'data';
  if (inputs.some((i) => i.code ?? CODE_NAME.test(i.name))) return 'text';
  return 'rodata';
}

/**
 * Where ld inserts an orphan after the output section at `index` (insert_os_after): past the
 * symbol assignments that follow it, but before an assignment to `.` that precedes the next output
 * section (so `. = ALIGN(4); _edata = .;` after .data still sees the orphan).
 */
function insertionPoint(items: Item[], index: number): number {
  let dotAssignment: number | undefined;
  for (let i = index + 1; i < items.length; i++) {
    const s = items[i].s;
    if (s.kind === 'Assignment') {
      if (dotAssignment === undefined && s.target.text === '.') dotAssignment = i;
      continue;
    }
    if (s.kind === 'OutputSection' || s.kind === 'Overlay') return dotAssignment ?? i;
  }
  return dotAssignment ?? items.length;
}

function regionAccepts(r: RegionState, code: boolean, writable: boolean): boolean {
  // Section flag letters as ld maps region attributes: r = read-only, w = data, x = code, a = alloc.
  const sec = (code ? 'x' : '') + (writable ? 'w' : 'r') + 'a';
  const hit = [...r.flags].some((f) => sec.includes(f) || f === 'l' || f === 'i');
  const miss = [...r.notFlags].some((f) => sec.includes(f));
  return hit && !miss;
}

function compoundOp(op: string): string {
  return op.slice(0, -1);
}

function hex(v: bigint): string {
  return (v & ADDRESS_MASK).toString(16).padStart(8, '0');
}

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? p : p.slice(i + 1);
}
