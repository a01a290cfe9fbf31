// .debug_line: line number programs, DWARF 2–5 (DWARF 5 section 6.2).
//
// A program's header is read when the program is opened; its opcodes are run through the state
// machine only when rows are first asked for. Rows are kept column-wise in typed arrays (a large
// firmware has hundreds of thousands of them) and split into sequences, each a run of increasing
// addresses ended by DW_LNE_end_sequence.

import { DW_FORM as DW_FORM_, DW_LNCT as DW_LNCT_ } from './constants';
import { DwarfReader, dwarfError, stringAt } from './reader';
import type { DwarfSections } from './sections';
import { countAtOrBelow } from '../sorted-search';
// Module-local copies: reading an imported binding in a hot loop costs a getter call per access
// under the CommonJS transform; a local const does not.
const DW_FORM = DW_FORM_;
const DW_LNCT = DW_LNCT_;

export interface LineFileEntry {
  /** The file's name as written in the table. */
  name: string;
  /** Its directory, already resolved against the compilation directory. */
  directory: string;
  /** directory + name, or name if it is absolute: the path addr2line prints. */
  path: string;
  /** DWARF 5 DW_LNCT_MD5, when present. */
  md5?: Uint8Array;
}

export interface LineRow {
  address: number;
  /** The file register: an index into the program's file table (1-based before DWARF 5). */
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
  prologueEnd: boolean;
  epilogueBegin: boolean;
  endSequence: boolean;
  discriminator: number;
}

export interface LineSequence {
  start: number;
  /** One past the last address (the end_sequence row's address). */
  end: number;
  /** Index of the first row in the program's rows. */
  firstRow: number;
  /** Index of the end_sequence row. */
  endRow: number;
}

export interface LineLocation {
  program: LineProgram;
  /** Index of the row that covers the address. */
  row: number;
  file: LineFileEntry | undefined;
  line: number;
  column: number;
  address: number;
  discriminator: number;
}

/** What the compilation unit tells a DWARF 2–4 line program: directory 0 and file 0. */
export interface LineProgramContext {
  compDir?: string;
  compName?: string;
}

const FLAG_STMT = 1;
const FLAG_PROLOGUE_END = 2;
const FLAG_EPILOGUE_BEGIN = 4;
const FLAG_END_SEQUENCE = 8;

/** Rows of one program, column-wise. */
export class LineRows {
  count = 0;
  address = new Float64Array(64);
  file = new Uint32Array(64);
  line = new Uint32Array(64);
  column = new Uint32Array(64);
  flags = new Uint8Array(64);
  discriminator = new Uint32Array(64);

  push(address: number, file: number, line: number, column: number, flags: number, discriminator: number): void {
    if (this.count === this.address.length) this.grow();
    const i = this.count++;
    this.address[i] = address;
    this.file[i] = file;
    this.line[i] = line;
    this.column[i] = column;
    this.flags[i] = flags;
    this.discriminator[i] = discriminator;
  }

  private grow(): void {
    const n = this.address.length * 2;
    const g = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.address = g(this.address, (k) => new Float64Array(k));
    this.file = g(this.file, (k) => new Uint32Array(k));
    this.line = g(this.line, (k) => new Uint32Array(k));
    this.column = g(this.column, (k) => new Uint32Array(k));
    this.flags = g(this.flags, (k) => new Uint8Array(k));
    this.discriminator = g(this.discriminator, (k) => new Uint32Array(k));
  }

  isStmt(i: number): boolean {
    return (this.flags[i] & FLAG_STMT) !== 0;
  }
  isEndSequence(i: number): boolean {
    return (this.flags[i] & FLAG_END_SEQUENCE) !== 0;
  }
  isPrologueEnd(i: number): boolean {
    return (this.flags[i] & FLAG_PROLOGUE_END) !== 0;
  }

  row(i: number): LineRow {
    const f = this.flags[i];
    return {
      address: this.address[i],
      file: this.file[i],
      line: this.line[i],
      column: this.column[i],
      isStmt: (f & FLAG_STMT) !== 0,
      prologueEnd: (f & FLAG_PROLOGUE_END) !== 0,
      epilogueBegin: (f & FLAG_EPILOGUE_BEGIN) !== 0,
      endSequence: (f & FLAG_END_SEQUENCE) !== 0,
      discriminator: this.discriminator[i],
    };
  }
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

function joinPath(dir: string, name: string): string {
  if (!dir || isAbsolute(name)) return name;
  return dir.endsWith('/') || dir.endsWith('\\') ? dir + name : `${dir}/${name}`;
}

/** One line number program (one per compilation unit). */
export class LineProgram {
  readonly offset: number;
  readonly is64: boolean;
  readonly version: number;
  readonly addressSize: number;
  readonly minInstLength: number;
  readonly maxOpsPerInst: number;
  readonly defaultIsStmt: boolean;
  readonly lineBase: number;
  readonly lineRange: number;
  readonly opcodeBase: number;
  readonly standardOpcodeLengths: number[];
  /** Include directories, resolved (index 0 is the compilation directory in every version). */
  readonly directories: string[] = [];
  /** File table in file-register order: entry 0 is unused (undefined) before DWARF 5. */
  readonly files: (LineFileEntry | undefined)[] = [];
  /** Offset one past the end of this program in .debug_line. */
  readonly endOffset: number;
  private readonly programStart: number;
  private readonly section: Uint8Array;
  private rowsCache?: LineRows;
  private sequencesCache?: LineSequence[];
  private sortedSequences?: LineSequence[];

  constructor(
    private readonly sections: DwarfSections,
    offset: number,
    private readonly context: LineProgramContext = {},
  ) {
    const data = sections.line;
    if (!data) throw dwarfError('.debug_line', offset, 'section is missing');
    this.section = data;
    this.offset = offset;
    const r = new DwarfReader(data, '.debug_line', offset);
    const { length, is64 } = r.initialLength();
    this.is64 = is64;
    if (r.offset + length > data.length) throw r.error(`unit length 0x${length.toString(16)} runs past the end of the section`, offset);
    this.endOffset = r.offset + length;
    const unit = new DwarfReader(data, '.debug_line', r.offset, this.endOffset);
    const versionAt = unit.offset;
    this.version = unit.u16();
    if (this.version < 2 || this.version > 5) throw unit.error(`unsupported line table version ${this.version}`, versionAt);
    if (this.version >= 5) {
      this.addressSize = unit.u8();
      unit.u8(); // segment_selector_size
    } else {
      this.addressSize = sections.addressSize;
    }
    const headerLength = unit.sectionOffset(is64);
    this.programStart = unit.offset + headerLength;
    if (this.programStart > this.endOffset) throw unit.error(`header length 0x${headerLength.toString(16)} runs past the end of the unit`);
    this.minInstLength = unit.u8();
    this.maxOpsPerInst = this.version >= 4 ? unit.u8() || 1 : 1;
    this.defaultIsStmt = unit.u8() !== 0;
    this.lineBase = unit.i8();
    const lineRangeAt = unit.offset;
    this.lineRange = unit.u8();
    if (this.lineRange === 0) throw unit.error('line_range is 0', lineRangeAt);
    this.opcodeBase = unit.u8();
    this.standardOpcodeLengths = [];
    for (let i = 1; i < this.opcodeBase; i++) this.standardOpcodeLengths.push(unit.u8());
    if (this.version >= 5) this.readV5Tables(unit);
    else this.readV2Tables(unit);
  }

  private readV2Tables(r: DwarfReader): void {
    const compDir = this.context.compDir ?? '';
    this.directories.push(compDir);
    while (true) {
      const d = r.cstr();
      if (d === '') break;
      this.directories.push(joinPath(compDir, d));
    }
    this.files.push(undefined);
    while (true) {
      const name = r.cstr();
      if (name === '') break;
      const dir = r.uleb();
      r.uleb(); // modification time
      r.uleb(); // length
      this.files.push(this.fileEntry(name, dir));
    }
  }

  private fileEntry(name: string, dirIndex: number, md5?: Uint8Array): LineFileEntry {
    const directory = this.directories[dirIndex] ?? '';
    return { name, directory, path: joinPath(directory, name), md5 };
  }

  private readEntryFormat(r: DwarfReader): Array<[number, number]> {
    const n = r.u8();
    const format: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) format.push([r.uleb(), r.uleb()]);
    return format;
  }

  /** Reads one attribute of a DWARF 5 directory/file entry. */
  private readEntryValue(r: DwarfReader, form: number): string | number | Uint8Array {
    const at = r.offset;
    switch (form) {
      case DW_FORM.string:
        return r.cstr();
      case DW_FORM.line_strp: {
        const off = r.sectionOffset(this.is64);
        if (!this.sections.lineStr) throw r.error('DW_FORM_line_strp used but .debug_line_str is missing', at);
        return stringAt(this.sections.lineStr, off, '.debug_line_str');
      }
      case DW_FORM.strp: {
        const off = r.sectionOffset(this.is64);
        if (!this.sections.str) throw r.error('DW_FORM_strp used but .debug_str is missing', at);
        return stringAt(this.sections.str, off, '.debug_str');
      }
      case DW_FORM.udata:
        return r.uleb();
      case DW_FORM.data1:
        return r.u8();
      case DW_FORM.data2:
        return r.u16();
      case DW_FORM.data4:
        return r.u32();
      case DW_FORM.data8:
        return r.u64();
      case DW_FORM.data16:
        return r.bytes(16);
      case DW_FORM.block:
        return r.bytes(r.uleb());
      case DW_FORM.block1:
        return r.bytes(r.u8());
      case DW_FORM.block2:
        return r.bytes(r.u16());
      case DW_FORM.block4:
        return r.bytes(r.u32());
      case DW_FORM.sdata:
        return r.sleb();
      default:
        throw r.error(`unsupported form 0x${form.toString(16)} in a line table entry format`, at);
    }
  }

  private readV5Entries(r: DwarfReader, onEntry: (values: Map<number, string | number | Uint8Array>) => void): void {
    const format = this.readEntryFormat(r);
    const count = r.uleb();
    if (count > r.remaining) throw r.error(`entry count ${count} cannot fit in the header`);
    for (let i = 0; i < count; i++) {
      const values = new Map<number, string | number | Uint8Array>();
      for (const [type, form] of format) values.set(type, this.readEntryValue(r, form));
      onEntry(values);
    }
  }

  private readV5Tables(r: DwarfReader): void {
    const compDir = this.context.compDir ?? '';
    const rawDirs: string[] = [];
    this.readV5Entries(r, (v) => {
      const p = v.get(DW_LNCT.path);
      rawDirs.push(typeof p === 'string' ? p : '');
    });
    // Directory 0 is the compilation directory itself; others may be relative to it (DWARF 5 6.2.4 item 20).
    const dir0 = rawDirs.length > 0 ? joinPath(compDir, rawDirs[0]) : compDir;
    rawDirs.forEach((d, i) => this.directories.push(i === 0 ? dir0 : joinPath(dir0, d)));
    this.readV5Entries(r, (v) => {
      const p = v.get(DW_LNCT.path);
      const d = v.get(DW_LNCT.directory_index);
      const md5 = v.get(DW_LNCT.MD5);
      this.files.push(this.fileEntry(typeof p === 'string' ? p : '', typeof d === 'number' ? d : 0, md5 instanceof Uint8Array ? md5 : undefined));
    });
  }

  /** The file entry for a file-register value. */
  file(index: number): LineFileEntry | undefined {
    this.rows(); // DW_LNE_define_file may add entries while running
    return this.files[index];
  }

  /** All rows, running the program on first use. */
  rows(): LineRows {
    if (!this.rowsCache) this.run();
    return this.rowsCache!;
  }

  sequences(): LineSequence[] {
    if (!this.sequencesCache) this.run();
    return this.sequencesCache!;
  }

  /** The state machine (DWARF 5 section 6.2.2, opcodes 6.2.5). */
  private run(): void {
    const rows = new LineRows();
    const sequences: LineSequence[] = [];
    this.rowsCache = rows;
    this.sequencesCache = sequences;
    const r = new DwarfReader(this.section, '.debug_line', this.programStart, this.endOffset);
    const { minInstLength, maxOpsPerInst, lineBase, lineRange, opcodeBase } = this;
    let address = 0;
    let opIndex = 0;
    let file = 1;
    let line = 1;
    let column = 0;
    let isStmt = this.defaultIsStmt;
    let prologueEnd = false;
    let epilogueBegin = false;
    let discriminator = 0;
    let seqFirst = 0;

    const advance = (operationAdvance: number) => {
      if (maxOpsPerInst === 1) {
        address += minInstLength * operationAdvance;
      } else {
        const t = opIndex + operationAdvance;
        address += minInstLength * Math.floor(t / maxOpsPerInst);
        opIndex = t % maxOpsPerInst;
      }
    };
    const emit = (end: boolean) => {
      const flags = (isStmt ? FLAG_STMT : 0) | (prologueEnd ? FLAG_PROLOGUE_END : 0) | (epilogueBegin ? FLAG_EPILOGUE_BEGIN : 0) | (end ? FLAG_END_SEQUENCE : 0);
      rows.push(address, file, line, column, flags, discriminator);
      discriminator = 0;
      prologueEnd = false;
      epilogueBegin = false;
    };

    while (!r.atEnd) {
      const opcode = r.u8();
      if (opcode >= opcodeBase) {
        const adjusted = opcode - opcodeBase;
        advance(Math.floor(adjusted / lineRange));
        line += lineBase + (adjusted % lineRange);
        emit(false);
        continue;
      }
      switch (opcode) {
        case 0: {
          const lenAt = r.offset;
          const len = r.uleb();
          if (len === 0) break;
          const sub = r.sub(len, 'extended opcode');
          const ext = sub.u8();
          switch (ext) {
            case 1: // DW_LNE_end_sequence
              emit(true);
              sequences.push({ start: rows.address[seqFirst], end: address, firstRow: seqFirst, endRow: rows.count - 1 });
              seqFirst = rows.count;
              address = 0;
              opIndex = 0;
              file = 1;
              line = 1;
              column = 0;
              isStmt = this.defaultIsStmt;
              break;
            case 2: // DW_LNE_set_address
              if (len - 1 !== 4 && len - 1 !== 8 && len - 1 !== 2) throw r.error(`DW_LNE_set_address with a ${len - 1}-byte operand`, lenAt);
              address = sub.address(len - 1);
              opIndex = 0;
              break;
            case 3: {
              // DW_LNE_define_file (DWARF 2–4)
              const name = sub.cstr();
              const dir = sub.uleb();
              this.files.push(this.fileEntry(name, dir));
              break;
            }
            case 4: // DW_LNE_set_discriminator
              discriminator = sub.uleb();
              break;
            default:
              // Vendor extended opcodes: the length lets us skip them.
              break;
          }
          break;
        }
        case 1: // DW_LNS_copy
          emit(false);
          break;
        case 2: // DW_LNS_advance_pc
          advance(r.uleb());
          break;
        case 3: // DW_LNS_advance_line
          line += r.sleb();
          break;
        case 4: // DW_LNS_set_file
          file = r.uleb();
          break;
        case 5: // DW_LNS_set_column
          column = r.uleb();
          break;
        case 6: // DW_LNS_negate_stmt
          isStmt = !isStmt;
          break;
        case 7: // DW_LNS_set_basic_block
          break;
        case 8: // DW_LNS_const_add_pc
          advance(Math.floor((255 - opcodeBase) / lineRange));
          break;
        case 9: // DW_LNS_fixed_advance_pc
          address += r.u16();
          opIndex = 0;
          break;
        case 10: // DW_LNS_set_prologue_end
          prologueEnd = true;
          break;
        case 11: // DW_LNS_set_epilogue_begin
          epilogueBegin = true;
          break;
        case 12: // DW_LNS_set_isa
          r.uleb();
          break;
        default: {
          // An opcode this reader does not know, below opcode_base: the header says how many
          // ULEB128 operands it takes (DWARF 5 section 6.2.5.2).
          const n = this.standardOpcodeLengths[opcode - 1] ?? 0;
          for (let i = 0; i < n; i++) r.uleb();
        }
      }
      line >>>= 0;
    }
  }

  /**
   * The row covering `address`: in the sequence holding it, the last row at or before it. When
   * several rows share an address the last one wins, as addr2line does.
   */
  find(address: number): LineLocation | undefined {
    const rows = this.rows();
    const index = (this.sortedSequences ??= this.sequences()
      .filter((q) => q.end > q.start)
      .sort((a, b) => a.start - b.start));
    const lo = countAtOrBelow(index, address, (e) => e.start);
    // Sequences may overlap (discarded code relocated to 0): look back a few.
    for (let k = lo - 1; k >= 0 && k >= lo - 8; k--) {
      const seq = index[k];
      if (address >= seq.end) continue;
      let a = seq.firstRow;
      let b = seq.endRow; // exclusive of the end_sequence row
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (rows.address[mid] <= address) a = mid + 1;
        else b = mid;
      }
      if (a - 1 >= seq.firstRow) return this.location(a - 1);
    }
    return undefined;
  }

  location(i: number): LineLocation {
    const rows = this.rows();
    return {
      program: this,
      row: i,
      file: this.files[rows.file[i]],
      line: rows.line[i],
      column: rows.column[i],
      address: rows.address[i],
      discriminator: rows.discriminator[i],
    };
  }
}

function normalisePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/\/\.\//g, '/');
}

/** True when a table's file path and a user's path name the same file (one may be relative). */
export function samePath(tablePath: string, query: string): boolean {
  const a = normalisePath(tablePath);
  const b = normalisePath(query);
  if (a === b) return true;
  return a.endsWith('/' + b) || b.endsWith('/' + a);
}

/** Every line program of a file, with address lookups across all of them. */
export class LineTable {
  private index?: Array<{ start: number; end: number; program: LineProgram; seq: LineSequence }>;

  constructor(readonly programs: LineProgram[]) {}

  /** Opens the programs at the given offsets, or walks .debug_line from the start when none are given. */
  static read(sections: DwarfSections, units?: Array<{ offset: number; context: LineProgramContext }>): LineTable {
    const programs: LineProgram[] = [];
    if (units) {
      const seen = new Set<number>();
      for (const u of units) {
        if (seen.has(u.offset)) continue;
        seen.add(u.offset);
        programs.push(new LineProgram(sections, u.offset, u.context));
      }
    } else if (sections.line) {
      let offset = 0;
      while (offset < sections.line.length) {
        const p = new LineProgram(sections, offset);
        programs.push(p);
        offset = p.endOffset;
      }
    }
    return new LineTable(programs);
  }

  private buildIndex() {
    const index: Array<{ start: number; end: number; program: LineProgram; seq: LineSequence }> = [];
    for (const program of this.programs) {
      for (const seq of program.sequences()) {
        if (seq.end > seq.start) index.push({ start: seq.start, end: seq.end, program, seq });
      }
    }
    index.sort((a, b) => a.start - b.start || b.end - a.end);
    return index;
  }

  /** address → file/line/column, like addr2line. */
  find(address: number): LineLocation | undefined {
    const index = (this.index ??= this.buildIndex());
    const lo = countAtOrBelow(index, address, (e) => e.start);
    // Sequences can overlap (discarded functions relocated to 0): try the nearest ones first.
    for (let i = lo - 1; i >= 0 && i >= lo - 16; i--) {
      const e = index[i];
      if (address >= e.end) continue;
      const rows = e.program.rows();
      let a = e.seq.firstRow;
      let b = e.seq.endRow;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (rows.address[mid] <= address) a = mid + 1;
        else b = mid;
      }
      if (a - 1 >= e.seq.firstRow) return e.program.location(a - 1);
    }
    return undefined;
  }

  /**
   * Addresses to break at for (file, line): the first address of each run of is_stmt rows on that
   * line. When the line has no code, the nearest following line that has some is used instead.
   */
  addressesFor(file: string, line: number): { line: number; addresses: number[] } {
    let bestLine = Infinity;
    let addresses: number[] = [];
    for (const program of this.programs) {
      const rows = program.rows();
      const matching = new Set<number>();
      program.files.forEach((f, i) => {
        if (f && samePath(f.path, file)) matching.add(i);
      });
      if (matching.size === 0) continue;
      for (const seq of program.sequences()) {
        // Sequences of functions the linker discarded are relocated to address 0; on Cortex-M no
        // function can start there (address 0 holds the initial stack pointer of the vector table).
        if (seq.start === 0) continue;
        let prevOnLine = false;
        let lastLine = -1;
        let lastFile = -1;
        let lineHasDiscriminator = false;
        for (let i = seq.firstRow; i < seq.endRow; i++) {
          const l = rows.line[i];
          const f = rows.file[i];
          // A row repeating the previous row's line, on a line that has carried a non-zero
          // discriminator, is not a new statement for breakpoint purposes: the established debugger
          // drops such rows when it reads the table, and users expect the same locations.
          const sameLine = l === lastLine && f === lastFile;
          lineHasDiscriminator = sameLine ? lineHasDiscriminator || rows.discriminator[i] !== 0 : rows.discriminator[i] !== 0;
          if (sameLine && lineHasDiscriminator) continue;
          lastLine = l;
          lastFile = f;
          const here = matching.has(f) && rows.isStmt(i) && l >= line && l <= bestLine;
          if (here && rows.address[i] < rows.address[seq.endRow]) {
            if (l < bestLine) {
              bestLine = l;
              addresses = [];
              prevOnLine = false;
            }
            if (!prevOnLine) addresses.push(rows.address[i]);
          }
          prevOnLine = here && l === bestLine;
        }
      }
    }
    addresses = [...new Set(addresses)].sort((a, b) => a - b);
    return { line: bestLine === Infinity ? 0 : bestLine, addresses };
  }

  /**
   * Where a function's body starts: the first row flagged prologue_end in [low, high); failing that,
   * the address of the second line in the function (the first line is the prologue); else low.
   */
  prologueEnd(low: number, high: number): number {
    const loc = this.find(low);
    if (!loc) return low;
    const rows = loc.program.rows();
    const seq = loc.program.sequences().find((s) => s.firstRow <= loc.row && loc.row <= s.endRow);
    if (!seq) return low;
    let firstLineRow = -1;
    for (let i = loc.row; i < seq.endRow; i++) {
      const a = rows.address[i];
      if (a >= high) break;
      if (a < low) continue;
      if (rows.isPrologueEnd(i)) return a;
      if (firstLineRow < 0) firstLineRow = i;
    }
    if (firstLineRow < 0) return low;
    const firstLine = rows.line[firstLineRow];
    for (let i = firstLineRow + 1; i < seq.endRow; i++) {
      const a = rows.address[i];
      if (a >= high) break;
      if (rows.line[i] !== firstLine && rows.isStmt(i) && a > low) return a;
    }
    return low;
  }
}
