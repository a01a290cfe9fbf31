// The ARM exception-handling index (.ARM.exidx) and table (.ARM.extab), read as a fallback unwinder
// for code without call frame information (EHABI: "Exception Handling ABI for the ARM Architecture",
// sections 5-10). Each index entry maps a function start to either "cannot unwind", a compact-model
// entry inline (personality 0, three opcode bytes) or an offset into .ARM.extab (compact models 1
// and 2 with more opcode words, or a generic personality routine followed by its data).
//
// The opcodes describe how to undo the function's prologue from any point in its body: they are
// exact once the prologue has run (not inside the prologue or epilogue, unlike DWARF CFI rows).

import { ElfError, type ElfFile, type ElfSection } from './elf';
import { countAtOrBelow } from './sorted-search';

/** sh_type of an exception index section (ELF for the ARM Architecture, 4.3.3). */
export const SHT_ARM_EXIDX = 0x70000001;
/** The index entry's second word meaning "this function cannot be unwound" (EHABI 5). */
export const EXIDX_CANTUNWIND = 1;

/** One unwind instruction, decoded (EHABI 10.3, table 4). */
export type ExidxOp =
  | { kind: 'vspAdd'; amount: number } // vsp += amount (negative: vsp -= ...)
  | { kind: 'popCore'; mask: number } // pop the registers in mask (bit n = rn), lowest first
  | { kind: 'vspFromRegister'; register: number }
  | { kind: 'popVfp'; first: number; count: number; fstmfdx: boolean } // d[first]..d[first+count-1]
  | { kind: 'popWmmxData'; first: number; count: number }
  | { kind: 'popWmmxControl'; mask: number }
  | { kind: 'finish' }
  | { kind: 'refuse' }
  | { kind: 'spare' }; // reserved or spare encodings: unwinding stops

/** A decoded opcode and the bytes it came from. */
export interface ExidxInstruction {
  op: ExidxOp;
  /** Offset of the first byte in the entry's opcode bytes. */
  offset: number;
  length: number;
}

export type ExidxModel = 'cantunwind' | 'compact' | 'generic';

export interface ExidxEntry {
  /** First address the entry covers (Thumb bit clear). */
  start: number;
  /** One past the last address: the next entry's start, or the end of the code section. */
  end: number;
  /** The index entry's second word as stored. */
  word: number;
  model: ExidxModel;
  /** Compact models: the personality routine index (0 = Su16, 1 = Lu16, 2 = Lu32). */
  personalityIndex?: number;
  /** Generic model: address of the personality routine. */
  personality?: number;
  /** Address of the .ARM.extab entry, when the index does not hold the entry inline. */
  extabAddress?: number;
  /** The unwind opcode bytes (empty for EXIDX_CANTUNWIND). */
  opcodes: Uint8Array;
}

/** Registers of the caller, recovered by running an entry's opcodes. */
export interface ExidxUnwound {
  /** r0..r15 of the caller: r13 is the caller's SP, r15 the return address (Thumb bit as stored). */
  registers: Uint32Array;
  /** Bit n set: registers[n] is known. */
  known: number;
  /** The caller's SP at the call (the canonical frame address). */
  cfa: number;
}

/** Sign-extends a prel31 field and adds the address of the word holding it (EHABI 5, "prel31"). */
export function prel31(word: number, place: number): number {
  return (place + ((word << 1) >> 1)) >>> 0;
}

/** Decodes unwind opcode bytes until they run out or a "finish" (trailing bytes are padding). */
export function decodeExidxOpcodes(bytes: Uint8Array): ExidxInstruction[] {
  const out: ExidxInstruction[] = [];
  let i = 0;
  while (i < bytes.length) {
    const offset = i;
    const b = bytes[i++];
    const next = (): number | undefined => (i < bytes.length ? bytes[i++] : undefined);
    let op: ExidxOp;
    if (b < 0x80) {
      // 00xxxxxx: vsp += (x << 2) + 4; 01xxxxxx: vsp -= (x << 2) + 4
      const amount = ((b & 0x3f) << 2) + 4;
      op = { kind: 'vspAdd', amount: b & 0x40 ? -amount : amount };
    } else if (b < 0x90) {
      // 1000iiii iiiiiiii: pop r4-r15 under mask; all zero: refuse to unwind
      const b2 = next();
      if (b2 === undefined) op = { kind: 'spare' };
      else {
        const mask = (((b & 0x0f) << 8) | b2) << 4;
        op = mask === 0 ? { kind: 'refuse' } : { kind: 'popCore', mask };
      }
    } else if (b < 0xa0) {
      // 1001nnnn: vsp = r[nnnn]; r13 and r15 are reserved
      const n = b & 0x0f;
      op = n === 13 || n === 15 ? { kind: 'spare' } : { kind: 'vspFromRegister', register: n };
    } else if (b < 0xb0) {
      // 10100nnn: pop r4-r[4+nnn]; 10101nnn: the same and r14
      let mask = ((1 << ((b & 7) + 1)) - 1) << 4;
      if (b & 0x08) mask |= 1 << 14;
      op = { kind: 'popCore', mask };
    } else if (b === 0xb0) {
      op = { kind: 'finish' };
    } else if (b === 0xb1) {
      // 10110001 0000iiii: pop r0-r3 under mask
      const b2 = next();
      op = b2 === undefined || b2 === 0 || b2 & 0xf0 ? { kind: 'spare' } : { kind: 'popCore', mask: b2 };
    } else if (b === 0xb2) {
      // 10110010 uleb128: vsp += 0x204 + (uleb128 << 2)
      let value = 0;
      let shift = 0;
      let complete = false;
      while (i < bytes.length) {
        const c = bytes[i++];
        value += (c & 0x7f) * 2 ** shift;
        shift += 7;
        if ((c & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      op = complete ? { kind: 'vspAdd', amount: 0x204 + value * 4 } : { kind: 'spare' };
    } else if (b === 0xb3) {
      // 10110011 sssscccc: pop d[ssss]-d[ssss+cccc] saved by FSTMFDX
      const b2 = next();
      op = b2 === undefined ? { kind: 'spare' } : { kind: 'popVfp', first: b2 >> 4, count: (b2 & 0x0f) + 1, fstmfdx: true };
    } else if (b < 0xb8) {
      op = { kind: 'spare' }; // 101101nn
    } else if (b < 0xc0) {
      // 10111nnn: pop d8-d[8+nnn] saved by FSTMFDX
      op = { kind: 'popVfp', first: 8, count: (b & 7) + 1, fstmfdx: true };
    } else if (b < 0xc6) {
      // 11000nnn (nnn != 6, 7): pop wR[10]-wR[10+nnn]
      op = { kind: 'popWmmxData', first: 10, count: (b & 7) + 1 };
    } else if (b === 0xc6) {
      const b2 = next();
      op = b2 === undefined ? { kind: 'spare' } : { kind: 'popWmmxData', first: b2 >> 4, count: (b2 & 0x0f) + 1 };
    } else if (b === 0xc7) {
      const b2 = next();
      op = b2 === undefined || b2 === 0 || b2 & 0xf0 ? { kind: 'spare' } : { kind: 'popWmmxControl', mask: b2 };
    } else if (b === 0xc8 || b === 0xc9) {
      // 11001000 sssscccc: pop d[16+ssss]-d[16+ssss+cccc] (VPUSH); 11001001: d[ssss]-d[ssss+cccc]
      const b2 = next();
      op = b2 === undefined ? { kind: 'spare' } : { kind: 'popVfp', first: (b === 0xc8 ? 16 : 0) + (b2 >> 4), count: (b2 & 0x0f) + 1, fstmfdx: false };
    } else if (b >= 0xd0 && b < 0xd8) {
      // 11010nnn: pop d8-d[8+nnn] saved by VPUSH
      op = { kind: 'popVfp', first: 8, count: (b & 7) + 1, fstmfdx: false };
    } else {
      op = { kind: 'spare' };
    }
    out.push({ op, offset, length: i - offset });
    if (op.kind === 'finish') break;
  }
  return out;
}

function registerList(mask: number): string {
  const names: string[] = [];
  for (let r = 0; r < 16; r++) if (mask & (1 << r)) names.push(`r${r}`);
  return names.join(', ');
}

/** One opcode in the usual notation ("pop {r4, r14}", "vsp = vsp + 12", "pop {D8-D9}"). */
export function describeExidxOp(op: ExidxOp): string {
  switch (op.kind) {
    case 'vspAdd':
      return op.amount >= 0 ? `vsp = vsp + ${op.amount}` : `vsp = vsp - ${-op.amount}`;
    case 'popCore':
      return `pop {${registerList(op.mask)}}`;
    case 'vspFromRegister':
      return `vsp = r${op.register}`;
    case 'popVfp': {
      const last = op.first + op.count - 1;
      return op.count === 1 ? `pop {D${op.first}}` : `pop {D${op.first}-D${last}}`;
    }
    case 'popWmmxData': {
      const last = op.first + op.count - 1;
      return op.count === 1 ? `pop {wR${op.first}}` : `pop {wR${op.first}-wR${last}}`;
    }
    case 'popWmmxControl': {
      const names: string[] = [];
      for (let r = 0; r < 4; r++) if (op.mask & (1 << r)) names.push(`wCGR${r}`);
      return `pop {${names.join(', ')}}`;
    }
    case 'finish':
      return 'finish';
    case 'refuse':
      return 'refuse to unwind';
    case 'spare':
      return 'spare';
  }
}

/**
 * Runs opcodes against a frame (EHABI 9.3, 10.3): `registers` are the frame's r0..r15 (r13 its SP,
 * the initial vsp), `known` which of them are valid. Returns the caller's registers, or null when
 * the opcodes refuse, use a register that is not known, or a stack word cannot be read.
 */
export function runExidxOpcodes(
  instructions: readonly ExidxInstruction[],
  registers: ArrayLike<number>,
  known: number,
  readWord: (address: number) => number | null,
): ExidxUnwound | null {
  const regs = new Uint32Array(16);
  for (let r = 0; r < 16; r++) regs[r] = registers[r] >>> 0;
  if ((known & (1 << 13)) === 0) return null;
  let vsp = regs[13];
  let pcSet = false;
  for (const { op } of instructions) {
    switch (op.kind) {
      case 'vspAdd':
        vsp = (vsp + op.amount) >>> 0;
        break;
      case 'popCore': {
        for (let r = 0; r < 16; r++) {
          if ((op.mask & (1 << r)) === 0) continue;
          const v = readWord(vsp);
          if (v === null) return null;
          regs[r] = v;
          known |= 1 << r;
          vsp = (vsp + 4) >>> 0;
        }
        // A popped SP replaces the write-back (EHABI 10.3 note on "pop r4-r15 under mask").
        if (op.mask & (1 << 13)) vsp = regs[13];
        if (op.mask & (1 << 15)) pcSet = true;
        break;
      }
      case 'vspFromRegister':
        if ((known & (1 << op.register)) === 0) return null;
        vsp = regs[op.register];
        break;
      case 'popVfp':
        // FSTMFDX stores a format word after the doubles.
        vsp = (vsp + 8 * op.count + (op.fstmfdx ? 4 : 0)) >>> 0;
        break;
      case 'popWmmxData':
        vsp = (vsp + 8 * op.count) >>> 0;
        break;
      case 'popWmmxControl':
        for (let r = 0; r < 4; r++) if (op.mask & (1 << r)) vsp = (vsp + 4) >>> 0;
        break;
      case 'finish':
        break;
      case 'refuse':
      case 'spare':
        return null;
    }
    if (op.kind === 'finish') break;
  }
  // Without a popped PC the return address is in LR (EHABI 10.3: "finish" copies r14 to r15).
  if (!pcSet) {
    if ((known & (1 << 14)) === 0) return null;
    regs[15] = regs[14];
  }
  regs[13] = vsp;
  known |= (1 << 13) | (1 << 15);
  return { registers: regs, known, cfa: vsp };
}

/** The exception index tables of a file, merged (one per linked .ARM.exidx* output section). */
export class ExidxTable {
  private readonly decoded = new Map<ExidxEntry, ExidxInstruction[]>();

  constructor(readonly entries: readonly ExidxEntry[]) {}

  /** Reads every SHT_ARM_EXIDX section; null when the file has none. */
  static read(elf: ElfFile): ExidxTable | null {
    const indexSections = elf.sections.filter((s) => s.type === SHT_ARM_EXIDX && s.size > 0);
    if (indexSections.length === 0) return null;
    const loaded = elf.sections.filter((s) => s.addr !== 0 && s.size > 0 && s.type !== 8 /* SHT_NOBITS */);
    const sectionAt = (address: number): ElfSection | undefined => loaded.find((s) => address >= s.addr && address - s.addr < s.size);
    const wordAt = (address: number, what: string): number => {
      const s = sectionAt(address);
      if (!s || address + 4 > s.addr + s.size) throw new ElfError(`${elf.fileName}: ${what} at 0x${address.toString(16)} is outside the file's sections`);
      const d = s.data();
      const o = address - s.addr;
      return (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0;
    };
    const raw: Array<Omit<ExidxEntry, 'end'>> = [];
    for (const section of indexSections) {
      const data = section.data();
      if (data.length % 8 !== 0) throw new ElfError(`${elf.fileName}: ${section.name} is ${data.length} bytes, not a multiple of 8`);
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let o = 0; o < data.length; o += 8) {
        const place = section.addr + o;
        const first = view.getUint32(o, true);
        const word = view.getUint32(o + 4, true);
        const start = prel31(first, place) & ~1;
        raw.push({ start: start >>> 0, word, ...readEntry(word, place + 4, wordAt) });
      }
    }
    raw.sort((a, b) => a.start - b.start);
    const exec = elf.sections.filter((s) => (s.flags & 0x4) !== 0 && s.size > 0);
    const entries: ExidxEntry[] = raw.map((e, k) => {
      let end: number;
      if (k + 1 < raw.length) end = raw[k + 1].start;
      else {
        const code = exec.find((s) => e.start >= s.addr && e.start < s.addr + s.size);
        end = code ? code.addr + code.size : e.start + 1;
      }
      return { ...e, end };
    });
    return new ExidxTable(entries);
  }

  /** The entry covering `address`, if any. */
  entryFor(address: number): ExidxEntry | undefined {
    const a = address >>> 0;
    const found = this.entries[countAtOrBelow(this.entries, a, (e) => e.start) - 1];
    return found && a < found.end ? found : undefined;
  }

  /** The entry's opcodes, decoded once. */
  instructions(entry: ExidxEntry): ExidxInstruction[] {
    let d = this.decoded.get(entry);
    if (!d) {
      d = decodeExidxOpcodes(entry.opcodes);
      this.decoded.set(entry, d);
    }
    return d;
  }

  /**
   * The caller's registers for a frame stopped at `pc` (past the prologue) with the given
   * registers; null when no entry covers pc, the entry says it cannot unwind, or unwinding fails.
   */
  unwind(pc: number, registers: ArrayLike<number>, known: number, readWord: (address: number) => number | null): ExidxUnwound | null {
    const entry = this.entryFor(pc);
    if (!entry || entry.model === 'cantunwind') return null;
    return runExidxOpcodes(this.instructions(entry), registers, known, readWord);
  }
}

/** Splits an index entry's second word (at `place`) into model, personality and opcode bytes. */
function readEntry(word: number, place: number, wordAt: (address: number, what: string) => number): Omit<ExidxEntry, 'start' | 'end' | 'word'> {
  if (word === EXIDX_CANTUNWIND) return { model: 'cantunwind', opcodes: new Uint8Array(0) };
  if (word & 0x80000000) {
    // Inline compact entry: 1000 iiii followed by three bytes (only Su16 fits; EHABI 6.3).
    const index = (word >>> 24) & 0x0f;
    return { model: 'compact', personalityIndex: index, opcodes: compactBytes(word, index, () => 0) };
  }
  const extabAddress = prel31(word, place);
  const head = wordAt(extabAddress, 'exception table entry');
  if (head & 0x80000000) {
    const index = (head >>> 24) & 0x0f;
    let at = extabAddress;
    return { model: 'compact', personalityIndex: index, extabAddress, opcodes: compactBytes(head, index, () => wordAt((at += 4), 'exception table word')) };
  }
  // Generic model: a personality routine and its data. The GNU personality routines keep their
  // unwind opcodes in the compact layout after it: a word holding the number of further words in
  // its top byte and three opcode bytes, then the further words.
  const personality = prel31(head, extabAddress);
  const dataWord = wordAt(extabAddress + 4, 'personality data');
  const count = dataWord >>> 24;
  const bytes = new Uint8Array(3 + 4 * count);
  bytes[0] = (dataWord >>> 16) & 0xff;
  bytes[1] = (dataWord >>> 8) & 0xff;
  bytes[2] = dataWord & 0xff;
  for (let k = 0; k < count; k++) putWord(bytes, 3 + 4 * k, wordAt(extabAddress + 8 + 4 * k, 'personality data'));
  return { model: 'generic', personality, extabAddress, opcodes: bytes };
}

/** Opcode bytes of a compact-model entry whose first word is `head` (EHABI 6.3: Su16 three bytes;
 *  Lu16/Lu32 two bytes then the number of further words in bits 23-16). */
function compactBytes(head: number, index: number, nextWord: () => number): Uint8Array {
  if (index === 0) return new Uint8Array([(head >>> 16) & 0xff, (head >>> 8) & 0xff, head & 0xff]);
  const count = (head >>> 16) & 0xff;
  const bytes = new Uint8Array(2 + 4 * count);
  bytes[0] = (head >>> 8) & 0xff;
  bytes[1] = head & 0xff;
  for (let k = 0; k < count; k++) putWord(bytes, 2 + 4 * k, nextWord());
  return bytes;
}

/** Opcode bytes are packed most significant byte first within each word. */
function putWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = (word >>> 16) & 0xff;
  bytes[at + 2] = (word >>> 8) & 0xff;
  bytes[at + 3] = word & 0xff;
}
