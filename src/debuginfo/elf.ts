// ELF reader: headers, program headers (segments), section headers and the symbol table, read
// straight out of the file's bytes. Nothing is copied: segment and section data are views into the
// input array. Only little-endian files are supported (every Cortex-M toolchain emits those); ELF64 is
// accepted so host objects and tools' outputs can be inspected too.
//
// Reference: System V ABI "gABI" chapter 4 (ELF header, sections, symbols) and chapter 5 (program
// headers); ARM-specific values from "ELF for the Arm Architecture" (AAELF32).

import { countAtOrBelow } from './sorted-search';

/** Thrown for any malformed, truncated or unsupported ELF; the message names the file and offset. */
export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

export const EM_ARM = 40;
export const PT_LOAD = 1;
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;

export type ElfSymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'other';
export type ElfSymbolBind = 'local' | 'global' | 'weak' | 'other';

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  index: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** The section's bytes (a view into the file); NOBITS sections give an empty array. */
  data(): Uint8Array;
}

export interface ElfSegment {
  /** 1 = PT_LOAD */
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  /** The filesz bytes of the segment (a view into the file). */
  data: Uint8Array;
}

export interface ElfSymbol {
  name: string;
  value: number;
  /** value with the Thumb bit cleared for functions (AAELF32 5.5.3: bit 0 of a Thumb function symbol is set). */
  address: number;
  size: number;
  type: ElfSymbolType;
  bind: ElfSymbolBind;
  sectionIndex: number;
}

export interface ElfFile {
  fileName: string;
  is64: boolean;
  /** e_type: 1 relocatable, 2 executable, 3 shared object. */
  type: number;
  /** e_machine: 40 = ARM. */
  machine: number;
  /** e_flags (for ARM: EABI version and float ABI). */
  flags: number;
  entry: number;
  segments: ElfSegment[];
  sections: ElfSection[];
  symbols: ElfSymbol[];
  section(name: string): ElfSection | undefined;
  sectionData(name: string): Uint8Array | undefined;
  /** The function or object symbol whose [address, address+size) holds `address` (nearest preceding sized-0 symbol as a fallback). */
  symbolAt(address: number): ElfSymbol | undefined;
  /** A symbol by exact name, preferring global over weak over local definitions. */
  symbolByName(name: string): ElfSymbol | undefined;
}

const SYMBOL_TYPES: ElfSymbolType[] = ['notype', 'object', 'func', 'section', 'file'];
const SYMBOL_BINDS: ElfSymbolBind[] = ['local', 'global', 'weak'];

/** Parses an ELF image. Throws ElfError naming `fileName`, the offset and the problem. */
export function readElf(bytes: Uint8Array, fileName = '<elf>'): ElfFile {
  return new ElfParser(bytes, fileName).parse();
}

class ElfParser {
  private readonly view: DataView;
  private is64 = false;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly fileName: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(offset: number, what: string): never {
    throw new ElfError(`${this.fileName}: offset 0x${offset.toString(16)}: ${what}`);
  }

  private need(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.length) {
      this.fail(offset, `${what} (${length} bytes) extends past the end of the file (${this.bytes.length} bytes)`);
    }
  }

  private u16(o: number): number {
    return this.view.getUint16(o, true);
  }
  private u32(o: number): number {
    return this.view.getUint32(o, true);
  }
  /** A 64-bit field as a number; values above 2^53 cannot be addresses we handle. */
  private u64(o: number, what: string): number {
    const lo = this.view.getUint32(o, true);
    const hi = this.view.getUint32(o + 4, true);
    if (hi >= 0x200000) this.fail(o, `${what} 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} is too large`);
    return hi * 0x100000000 + lo;
  }
  /** An address/offset-sized field: 4 bytes in ELF32, 8 in ELF64. */
  private word(o: number, what: string): number {
    return this.is64 ? this.u64(o, what) : this.u32(o);
  }

  parse(): ElfFile {
    const b = this.bytes;
    this.need(0, 16, 'ELF identification');
    if (b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) this.fail(0, 'bad magic: not an ELF file');
    const elfClass = b[4];
    if (elfClass !== 1 && elfClass !== 2) this.fail(4, `unknown ELF class ${elfClass} (expected 1 = ELF32 or 2 = ELF64)`);
    this.is64 = elfClass === 2;
    const data = b[5];
    if (data === 2) this.fail(5, 'big-endian ELF files are not supported');
    if (data !== 1) this.fail(5, `unknown data encoding ${data} (expected 1 = little-endian)`);
    if (b[6] !== 1) this.fail(6, `unsupported ELF version ${b[6]}`);

    const ehsize = this.is64 ? 64 : 52;
    this.need(0, ehsize, 'ELF header');
    const type = this.u16(16);
    const machine = this.u16(18);
    const w = this.is64 ? 8 : 4;
    const entry = this.word(24, 'e_entry');
    const phoff = this.word(24 + w, 'e_phoff');
    const shoff = this.word(24 + 2 * w, 'e_shoff');
    const p = 24 + 3 * w; // e_flags onwards
    const flags = this.u32(p);
    const phentsize = this.u16(p + 6);
    let phnum = this.u16(p + 8);
    const shentsize = this.u16(p + 10);
    let shnum = this.u16(p + 12);
    let shstrndx = this.u16(p + 14);

    const wantSh = this.is64 ? 64 : 40;
    const wantPh = this.is64 ? 56 : 32;
    if (shoff !== 0) {
      if (shentsize < wantSh) this.fail(p + 10, `section header size ${shentsize} is smaller than ${wantSh}`);
      this.need(shoff, shentsize, 'section header 0');
      // gABI 4.1 extended numbering: counts that do not fit 16 bits live in section header 0.
      if (shnum === 0) shnum = this.word(shoff + (this.is64 ? 32 : 20), 'section count');
      if (shstrndx === SHN_XINDEX) shstrndx = this.u32(shoff + (this.is64 ? 40 : 24));
      if (phnum === 0xffff) phnum = this.u32(shoff + (this.is64 ? 44 : 28));
    } else {
      shnum = 0;
    }
    if (phoff !== 0 && phnum > 0 && phentsize < wantPh) this.fail(p + 6, `program header size ${phentsize} is smaller than ${wantPh}`);

    const segments = this.readSegments(phoff, phentsize, phnum);
    const sections = this.readSections(shoff, shentsize, shnum, shstrndx);
    const symbols = this.readSymbols(sections);
    return new ElfImage(this.fileName, this.is64, type, machine, flags, entry, segments, sections, symbols);
  }

  private readSegments(phoff: number, entsize: number, count: number): ElfSegment[] {
    const segments: ElfSegment[] = [];
    if (phoff === 0 || count === 0) return segments;
    this.need(phoff, entsize * count, `program header table (${count} entries)`);
    for (let i = 0; i < count; i++) {
      const o = phoff + i * entsize;
      let seg: Omit<ElfSegment, 'data'>;
      if (this.is64) {
        seg = {
          type: this.u32(o),
          flags: this.u32(o + 4),
          offset: this.u64(o + 8, 'p_offset'),
          vaddr: this.u64(o + 16, 'p_vaddr'),
          paddr: this.u64(o + 24, 'p_paddr'),
          filesz: this.u64(o + 32, 'p_filesz'),
          memsz: this.u64(o + 40, 'p_memsz'),
        };
      } else {
        seg = {
          type: this.u32(o),
          offset: this.u32(o + 4),
          vaddr: this.u32(o + 8),
          paddr: this.u32(o + 12),
          filesz: this.u32(o + 16),
          memsz: this.u32(o + 20),
          flags: this.u32(o + 24),
        };
      }
      if (seg.filesz > 0) this.need(seg.offset, seg.filesz, `segment ${i} data`);
      if (seg.type === PT_LOAD && seg.filesz > seg.memsz) {
        this.fail(o, `segment ${i}: file size 0x${seg.filesz.toString(16)} exceeds memory size 0x${seg.memsz.toString(16)}`);
      }
      segments.push({ ...seg, data: this.bytes.subarray(seg.offset, seg.offset + seg.filesz) });
    }
    return segments;
  }

  private readSections(shoff: number, entsize: number, count: number, shstrndx: number): ElfSection[] {
    const sections: ElfSection[] = [];
    if (count === 0) return sections;
    if (count > this.bytes.length / entsize) this.fail(shoff, `section count ${count} cannot fit in the file`);
    this.need(shoff, entsize * count, `section header table (${count} entries)`);
    const raw: Array<{ nameOffset: number; headerOffset: number }> = [];
    for (let i = 0; i < count; i++) {
      const o = shoff + i * entsize;
      let s: ElfSection;
      const bytes = this.bytes;
      if (this.is64) {
        s = {
          name: '',
          type: this.u32(o + 4),
          flags: this.u64(o + 8, 'sh_flags'),
          addr: this.u64(o + 16, 'sh_addr'),
          offset: this.u64(o + 24, 'sh_offset'),
          size: this.u64(o + 32, 'sh_size'),
          link: this.u32(o + 40),
          info: this.u32(o + 44),
          addralign: this.u64(o + 48, 'sh_addralign'),
          entsize: this.u64(o + 56, 'sh_entsize'),
          index: i,
          data: sectionDataFn,
        };
      } else {
        s = {
          name: '',
          type: this.u32(o + 4),
          flags: this.u32(o + 8),
          addr: this.u32(o + 12),
          offset: this.u32(o + 16),
          size: this.u32(o + 20),
          link: this.u32(o + 24),
          info: this.u32(o + 28),
          addralign: this.u32(o + 32),
          entsize: this.u32(o + 36),
          index: i,
          data: sectionDataFn,
        };
      }
      if (i > 0 && s.type !== SHT_NOBITS && s.type !== SHT_NULL && s.size > 0) {
        this.need(s.offset, s.size, `section ${i} data`);
      }
      const view = s.type === SHT_NOBITS || s.type === SHT_NULL ? new Uint8Array(0) : bytes.subarray(s.offset, s.offset + s.size);
      sectionViews.set(s, view);
      raw.push({ nameOffset: this.u32(o), headerOffset: o });
      sections.push(s);
    }
    if (shstrndx !== SHN_UNDEF) {
      if (shstrndx >= count) this.fail(shoff, `section name table index ${shstrndx} is out of range (${count} sections)`);
      const strtab = sections[shstrndx];
      for (let i = 0; i < count; i++) {
        sections[i].name = this.stringAt(strtab, raw[i].nameOffset, `name of section ${i}`, raw[i].headerOffset);
      }
    }
    return sections;
  }

  /** A NUL-terminated string at `offset` in string table section `strtab`. */
  private stringAt(strtab: ElfSection, offset: number, what: string, where: number): string {
    if (strtab.type === SHT_NOBITS) this.fail(where, `${what}: string table section ${strtab.index} has no data`);
    if (offset >= strtab.size) {
      if (offset === 0 && strtab.size === 0) return '';
      this.fail(where, `${what}: string offset 0x${offset.toString(16)} is past the end of string table section ${strtab.index} (size 0x${strtab.size.toString(16)})`);
    }
    const start = strtab.offset + offset;
    const end = strtab.offset + strtab.size;
    let i = start;
    while (i < end && this.bytes[i] !== 0) i++;
    if (i === end) this.fail(where, `${what}: string at 0x${start.toString(16)} is not NUL-terminated within its string table`);
    return latin1OrUtf8(this.bytes, start, i);
  }

  private readSymbols(sections: ElfSection[]): ElfSymbol[] {
    const symtab = sections.find((s) => s.type === SHT_SYMTAB) ?? sections.find((s) => s.type === SHT_DYNSYM);
    if (!symtab) return [];
    const entsize = this.is64 ? 24 : 16;
    if (symtab.entsize !== 0 && symtab.entsize < entsize) {
      this.fail(symtab.offset, `symbol table entry size ${symtab.entsize} is smaller than ${entsize}`);
    }
    const step = symtab.entsize || entsize;
    if (symtab.link >= sections.length) this.fail(symtab.offset, `symbol table's string table index ${symtab.link} is out of range`);
    const strtab = sections[symtab.link];
    const count = Math.floor(symtab.size / step);
    const symbols: ElfSymbol[] = [];
    // Entry 0 is the reserved undefined symbol (gABI 4.5); skip it.
    for (let i = 1; i < count; i++) {
      const o = symtab.offset + i * step;
      let nameOff: number, value: number, size: number, info: number, shndx: number;
      if (this.is64) {
        nameOff = this.u32(o);
        info = this.bytes[o + 4];
        shndx = this.u16(o + 6);
        value = this.u64(o + 8, 'st_value');
        size = this.u64(o + 16, 'st_size');
      } else {
        nameOff = this.u32(o);
        value = this.u32(o + 4);
        size = this.u32(o + 8);
        info = this.bytes[o + 12];
        shndx = this.u16(o + 14);
      }
      const type = SYMBOL_TYPES[info & 0xf] ?? 'other';
      const bind = SYMBOL_BINDS[info >> 4] ?? 'other';
      const name = nameOff === 0 ? '' : this.stringAt(strtab, nameOff, `name of symbol ${i}`, o);
      const address = type === 'func' && !this.is64 ? (value & ~1) >>> 0 : value;
      symbols.push({ name, value, address, size, type, bind, sectionIndex: shndx });
    }
    return symbols;
  }
}

// Section data views are kept beside the section objects so ElfSection stays a plain record with a
// shared data() function (no closure per section).
const sectionViews = new WeakMap<ElfSection, Uint8Array>();
function sectionDataFn(this: ElfSection): Uint8Array {
  return sectionViews.get(this) ?? new Uint8Array(0);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
function latin1OrUtf8(bytes: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return utf8.decode(bytes.subarray(start, end));
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** ARM mapping symbols ($a, $t, $d, optionally followed by '.' and anything) mark code/data runs, not names (AAELF32 5.5.5). */
export function isArmMappingSymbol(name: string): boolean {
  return name.length >= 2 && name[0] === '$' && 'atdx'.includes(name[1]) && (name.length === 2 || name[2] === '.');
}

class ElfImage implements ElfFile {
  private byName?: Map<string, ElfSection>;
  private addressIndex?: ElfSymbol[];
  private symbolNames?: Map<string, ElfSymbol>;

  constructor(
    readonly fileName: string,
    readonly is64: boolean,
    readonly type: number,
    readonly machine: number,
    readonly flags: number,
    readonly entry: number,
    readonly segments: ElfSegment[],
    readonly sections: ElfSection[],
    readonly symbols: ElfSymbol[],
  ) {}

  section(name: string): ElfSection | undefined {
    if (!this.byName) {
      this.byName = new Map();
      for (const s of this.sections) if (s.name && !this.byName.has(s.name)) this.byName.set(s.name, s);
    }
    return this.byName.get(name);
  }

  sectionData(name: string): Uint8Array | undefined {
    return this.section(name)?.data();
  }

  symbolAt(address: number): ElfSymbol | undefined {
    const index = (this.addressIndex ??= this.buildAddressIndex());
    // Last symbol starting at or before address.
    const lo = countAtOrBelow(index, address, (e) => e.address);
    let fallback: ElfSymbol | undefined;
    // Symbols can nest (a sized function containing a sized-0 label); look back a little for one
    // whose extent holds the address.
    for (let i = lo - 1, n = 0; i >= 0 && n < 32; i--, n++) {
      const s = index[i];
      if (s.size > 0 && address < s.address + s.size) return s;
      if (s.size === 0 && fallback === undefined && n === 0) fallback = s;
    }
    return fallback;
  }

  symbolByName(name: string): ElfSymbol | undefined {
    if (!this.symbolNames) {
      const rank = (s: ElfSymbol) => (s.bind === 'global' ? 3 : s.bind === 'weak' ? 2 : 1);
      const m = new Map<string, ElfSymbol>();
      for (const s of this.symbols) {
        if (!s.name || s.type === 'section' || s.type === 'file') continue;
        if (s.sectionIndex === SHN_UNDEF) continue;
        const prev = m.get(s.name);
        if (!prev || rank(s) > rank(prev)) m.set(s.name, s);
      }
      this.symbolNames = m;
    }
    return this.symbolNames.get(name);
  }

  private buildAddressIndex(): ElfSymbol[] {
    const list = this.symbols.filter(
      (s) =>
        s.name !== '' &&
        (s.type === 'func' || s.type === 'object' || s.type === 'notype') &&
        s.sectionIndex !== SHN_UNDEF &&
        (s.sectionIndex < SHN_LORESERVE || s.sectionIndex === SHN_XINDEX) &&
        !isArmMappingSymbol(s.name),
    );
    // Sort by address; at equal addresses functions first, then sized before unsized, so the
    // binary search lands on the most useful one.
    const typeRank = (s: ElfSymbol) => (s.type === 'func' ? 0 : s.type === 'object' ? 1 : 2);
    list.sort((a, b) => a.address - b.address || typeRank(b) - typeRank(a) || a.size - b.size);
    return list;
  }
}
