// Call frame information: .debug_frame (DWARF 5 section 6.4) and .eh_frame (the LSB's variant with
// augmentations and encoded pointers). CIEs and FDEs are indexed when the table is opened; an FDE's
// instructions are run only when a row inside it is asked for.

import { DwarfReader, type DwarfError } from './reader';
import type { DwarfSections } from './sections';
import { countAtOrBelow } from '../sorted-search';

/** How to compute the canonical frame address. */
export type CfaRule = { kind: 'register'; register: number; offset: number } | { kind: 'expression'; expression: Uint8Array };

/** How to recover a register of the caller (DWARF 5 section 6.4.1). */
export type RegisterRule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  | { kind: 'offset'; offset: number } // saved at CFA + offset
  | { kind: 'valOffset'; offset: number } // value is CFA + offset
  | { kind: 'register'; register: number }
  | { kind: 'expression'; expression: Uint8Array }
  | { kind: 'valExpression'; expression: Uint8Array };

export interface UnwindRow {
  /** First address the row applies to. */
  address: number;
  /** One past the last address. */
  end: number;
  cfa: CfaRule;
  /** Rules for registers with one; a register with none is undefined (or "same" by ABI convention). */
  registers: Map<number, RegisterRule>;
}

export interface Cie {
  offset: number;
  version: number;
  augmentation: string;
  addressSize: number;
  codeAlignment: number;
  dataAlignment: number;
  returnAddressRegister: number;
  /** .eh_frame: encoding of the FDEs' pc_begin / pc_range (DW_EH_PE_*). */
  fdeEncoding: number;
  lsdaEncoding: number;
  personality?: number;
  signalFrame: boolean;
  instructions: Uint8Array;
  /** Offset of the instructions in the section (for error messages). */
  instructionsOffset: number;
}

export interface Fde {
  offset: number;
  cie: Cie;
  start: number;
  end: number;
  lsda?: number;
  instructions: Uint8Array;
  instructionsOffset: number;
}

// DW_EH_PE_* pointer encodings (LSB 10.5 "DWARF Extensions").
const PE_OMIT = 0xff;
const PE_ABSPTR = 0x00;

interface Mutable {
  cfa: CfaRule;
  registers: Map<number, RegisterRule>;
}

function clone(s: Mutable): Mutable {
  return { cfa: s.cfa, registers: new Map(s.registers) };
}

export class FrameSection {
  readonly cies = new Map<number, Cie>();
  readonly fdes: Fde[] = [];
  private readonly rowsCache = new Map<Fde, UnwindRow[]>();

  constructor(
    readonly data: Uint8Array,
    /** ".debug_frame" or ".eh_frame". */
    readonly name: string,
    readonly addressSize: number,
    /** Load address of the section (for .eh_frame's pc-relative pointers). */
    readonly sectionAddress = 0,
  ) {
    const isEh = name === '.eh_frame';
    const r = new DwarfReader(data, name);
    while (r.remaining >= 4) {
      const entryOffset = r.offset;
      const { length, is64 } = r.initialLength();
      if (length === 0) {
        if (isEh) break; // .eh_frame terminator
        continue;
      }
      const body = r.sub(length, 'frame entry');
      const idAt = body.offset;
      const id = body.sectionOffset(is64);
      const isCie = isEh ? id === 0 : is64 ? id === 2 ** 64 - 1 : id === 0xffffffff;
      if (isCie) {
        this.cies.set(entryOffset, this.readCie(body, entryOffset, isEh));
      } else {
        const cieOffset = isEh ? idAt - id : id;
        let cie = this.cies.get(cieOffset);
        if (!cie) {
          // CIEs may follow their FDEs; read it where it is.
          cie = this.readCieAt(cieOffset, isEh, entryOffset);
        }
        this.fdes.push(this.readFde(body, entryOffset, cie, isEh));
      }
    }
    this.fdes.sort((a, b) => a.start - b.start);
  }

  private readCieAt(offset: number, isEh: boolean, from: number): Cie {
    const r = new DwarfReader(this.data, this.name);
    if (offset < 0 || offset + 4 > this.data.length) throw r.error(`FDE points to a CIE at 0x${offset.toString(16)}, outside the section`, from);
    r.seek(offset);
    const { length, is64 } = r.initialLength();
    const body = r.sub(length, 'CIE');
    const id = body.sectionOffset(is64);
    if (isEh ? id !== 0 : id !== (is64 ? 2 ** 64 - 1 : 0xffffffff)) throw r.error(`FDE points to 0x${offset.toString(16)}, which is not a CIE`, from);
    const cie = this.readCie(body, offset, isEh);
    this.cies.set(offset, cie);
    return cie;
  }

  private readCie(r: DwarfReader, offset: number, isEh: boolean): Cie {
    const versionAt = r.offset;
    const version = r.u8();
    if (version !== 1 && version !== 3 && version !== 4) throw r.error(`unsupported CIE version ${version}`, versionAt);
    const augmentation = r.cstr();
    let addressSize = this.addressSize;
    if (version >= 4) {
      addressSize = r.u8();
      r.u8(); // segment_selector_size
    }
    if (augmentation.includes('eh')) r.address(addressSize); // old GCC "eh" augmentation: a pointer follows
    const codeAlignment = r.uleb();
    const dataAlignment = r.sleb();
    const returnAddressRegister = version === 1 ? r.u8() : r.uleb();
    const cie: Cie = {
      offset,
      version,
      augmentation,
      addressSize,
      codeAlignment,
      dataAlignment,
      returnAddressRegister,
      fdeEncoding: PE_ABSPTR,
      lsdaEncoding: PE_OMIT,
      signalFrame: false,
      instructions: new Uint8Array(0),
      instructionsOffset: 0,
    };
    if (augmentation.startsWith('z')) {
      const augLength = r.uleb();
      const aug = r.sub(augLength, 'augmentation data');
      for (const c of augmentation.slice(1)) {
        switch (c) {
          case 'R':
            cie.fdeEncoding = aug.u8();
            break;
          case 'L':
            cie.lsdaEncoding = aug.u8();
            break;
          case 'P': {
            const enc = aug.u8();
            cie.personality = this.readEncoded(aug, enc, addressSize);
            break;
          }
          case 'S':
            cie.signalFrame = true;
            break;
          default:
            // Unknown augmentation letter: the length lets us skip the rest.
            aug.seek(aug.end);
        }
      }
    } else if (augmentation !== '' && !augmentation.includes('eh') && isEh) {
      throw r.error(`unsupported augmentation "${augmentation}"`, versionAt + 1);
    }
    cie.instructionsOffset = r.offset;
    cie.instructions = r.bytes(r.remaining);
    return cie;
  }

  private readFde(r: DwarfReader, offset: number, cie: Cie, isEh: boolean): Fde {
    let start: number;
    let range: number;
    let lsda: number | undefined;
    if (isEh) {
      start = this.readEncoded(r, cie.fdeEncoding, cie.addressSize);
      range = this.readEncoded(r, cie.fdeEncoding & 0x0f, cie.addressSize);
      if (cie.augmentation.startsWith('z')) {
        const augLength = r.uleb();
        const aug = r.sub(augLength, 'FDE augmentation data');
        if (cie.lsdaEncoding !== PE_OMIT && aug.remaining > 0) lsda = this.readEncoded(aug, cie.lsdaEncoding, cie.addressSize);
      }
    } else {
      start = r.address(cie.addressSize);
      range = r.address(cie.addressSize);
    }
    const instructionsOffset = r.offset;
    return { offset, cie, start, end: start + range, lsda, instructions: r.bytes(r.remaining), instructionsOffset };
  }

  /** Reads a DW_EH_PE_* encoded pointer. */
  private readEncoded(r: DwarfReader, encoding: number, addressSize: number): number {
    if (encoding === PE_OMIT) return 0;
    const fieldAddress = this.sectionAddress + r.offset;
    let v: number;
    switch (encoding & 0x0f) {
      case 0x00:
        v = r.address(addressSize);
        break;
      case 0x01:
        v = r.uleb();
        break;
      case 0x02:
        v = r.u16();
        break;
      case 0x03:
        v = r.u32();
        break;
      case 0x04:
        v = r.u64();
        break;
      case 0x09:
        v = r.sleb();
        break;
      case 0x0a:
        v = r.i16();
        break;
      case 0x0b:
        v = r.i32();
        break;
      case 0x0c:
        v = r.i64();
        break;
      default:
        throw r.error(`unsupported pointer encoding 0x${encoding.toString(16)}`);
    }
    switch (encoding & 0x70) {
      case 0x00:
        break;
      case 0x10: // pcrel
        v += fieldAddress;
        break;
      default:
        // textrel / datarel / funcrel need bases we do not have on ARM; leave the raw value.
        break;
    }
    if (addressSize === 4) v = v >>> 0;
    return v;
  }

  /** The FDE covering `address`. */
  fdeFor(address: number): Fde | undefined {
    const f = this.fdes;
    const lo = countAtOrBelow(f, address, (e) => e.start);
    for (let i = lo - 1; i >= 0 && i >= lo - 4; i--) if (address < f[i].end) return f[i];
    return undefined;
  }

  /** Every row of an FDE's table, in address order. */
  rows(fde: Fde): UnwindRow[] {
    let rows = this.rowsCache.get(fde);
    if (!rows) {
      rows = this.execute(fde);
      this.rowsCache.set(fde, rows);
    }
    return rows;
  }

  /** The unwind row that applies at `address`. */
  rowAt(address: number): UnwindRow | undefined {
    const fde = this.fdeFor(address);
    if (!fde) return undefined;
    for (const row of this.rows(fde)) if (address >= row.address && address < row.end) return row;
    return undefined;
  }

  /** Runs the CIE's initial instructions then the FDE's (DWARF 5 section 6.4.2). */
  private execute(fde: Fde): UnwindRow[] {
    const cie = fde.cie;
    const initial: Mutable = { cfa: { kind: 'register', register: 0, offset: 0 }, registers: new Map() };
    this.run(cie.instructions, cie.instructionsOffset, cie, initial, initial, fde.start, undefined);
    const state = clone(initial);
    const rows: UnwindRow[] = [];
    this.run(fde.instructions, fde.instructionsOffset, cie, state, initial, fde.start, rows);
    rows.push({ address: rows.length ? rows[rows.length - 1].end : fde.start, end: fde.end, cfa: state.cfa, registers: new Map(state.registers) });
    // The last row's start was set by the final advance; fix up ends so rows tile [start, end).
    for (let i = 0; i < rows.length - 1; i++) rows[i].end = rows[i + 1].address;
    return rows.filter((r) => r.end > r.address || rows.length === 1);
  }

  private run(code: Uint8Array, codeOffset: number, cie: Cie, state: Mutable, initial: Mutable, start: number, rows: UnwindRow[] | undefined): void {
    const r = new DwarfReader(this.data, this.name, codeOffset, codeOffset + code.length);
    const caf = cie.codeAlignment;
    const daf = cie.dataAlignment;
    const stack: Mutable[] = [];
    let loc = start;
    const advanceTo = (next: number) => {
      if (rows) rows.push({ address: loc, end: next, cfa: state.cfa, registers: new Map(state.registers) });
      loc = next;
    };
    const setCfaOffset = (offset: number, at: number) => {
      if (state.cfa.kind !== 'register') throw r.error('DW_CFA_def_cfa_offset while the CFA is an expression', at);
      state.cfa = { kind: 'register', register: state.cfa.register, offset };
    };
    const setCfaRegister = (register: number) => {
      const offset = state.cfa.kind === 'register' ? state.cfa.offset : 0;
      state.cfa = { kind: 'register', register, offset };
    };
    const restore = (reg: number) => {
      const rule = initial.registers.get(reg);
      if (rule) state.registers.set(reg, rule);
      else state.registers.delete(reg);
    };
    while (!r.atEnd) {
      const at = r.offset;
      const op = r.u8();
      const high = op & 0xc0;
      const low = op & 0x3f;
      if (high === 0x40) {
        advanceTo(loc + low * caf);
        continue;
      }
      if (high === 0x80) {
        state.registers.set(low, { kind: 'offset', offset: r.uleb() * daf });
        continue;
      }
      if (high === 0xc0) {
        restore(low);
        continue;
      }
      switch (op) {
        case 0x00: // DW_CFA_nop
          break;
        case 0x01: // DW_CFA_set_loc
          advanceTo(this.name === '.eh_frame' ? this.readEncoded(r, cie.fdeEncoding, cie.addressSize) : r.address(cie.addressSize));
          break;
        case 0x02:
          advanceTo(loc + r.u8() * caf);
          break;
        case 0x03:
          advanceTo(loc + r.u16() * caf);
          break;
        case 0x04:
          advanceTo(loc + r.u32() * caf);
          break;
        case 0x05: // DW_CFA_offset_extended
          state.registers.set(r.uleb(), { kind: 'offset', offset: r.uleb() * daf });
          break;
        case 0x06: // DW_CFA_restore_extended
          restore(r.uleb());
          break;
        case 0x07: // DW_CFA_undefined
          state.registers.set(r.uleb(), { kind: 'undefined' });
          break;
        case 0x08: // DW_CFA_same_value
          state.registers.set(r.uleb(), { kind: 'same' });
          break;
        case 0x09: {
          // DW_CFA_register
          const reg = r.uleb();
          state.registers.set(reg, { kind: 'register', register: r.uleb() });
          break;
        }
        case 0x0a: // DW_CFA_remember_state
          stack.push(clone(state));
          break;
        case 0x0b: {
          // DW_CFA_restore_state: the CFA rule is not part of the remembered state in DWARF 2, but
          // every producer and consumer treats it as if it were (DWARF 5 restores both).
          const s = stack.pop();
          if (!s) throw r.error('DW_CFA_restore_state with no remembered state', at);
          state.cfa = s.cfa;
          state.registers = s.registers;
          break;
        }
        case 0x0c: {
          // DW_CFA_def_cfa
          const reg = r.uleb();
          state.cfa = { kind: 'register', register: reg, offset: r.uleb() };
          break;
        }
        case 0x0d: // DW_CFA_def_cfa_register
          setCfaRegister(r.uleb());
          break;
        case 0x0e: // DW_CFA_def_cfa_offset
          setCfaOffset(r.uleb(), at);
          break;
        case 0x0f: // DW_CFA_def_cfa_expression
          state.cfa = { kind: 'expression', expression: r.bytes(r.uleb()) };
          break;
        case 0x10: {
          // DW_CFA_expression
          const reg = r.uleb();
          state.registers.set(reg, { kind: 'expression', expression: r.bytes(r.uleb()) });
          break;
        }
        case 0x11: {
          // DW_CFA_offset_extended_sf
          const reg = r.uleb();
          state.registers.set(reg, { kind: 'offset', offset: r.sleb() * daf });
          break;
        }
        case 0x12: {
          // DW_CFA_def_cfa_sf
          const reg = r.uleb();
          state.cfa = { kind: 'register', register: reg, offset: r.sleb() * daf };
          break;
        }
        case 0x13: // DW_CFA_def_cfa_offset_sf
          setCfaOffset(r.sleb() * daf, at);
          break;
        case 0x14: {
          // DW_CFA_val_offset
          const reg = r.uleb();
          state.registers.set(reg, { kind: 'valOffset', offset: r.uleb() * daf });
          break;
        }
        case 0x15: {
          // DW_CFA_val_offset_sf
          const reg = r.uleb();
          state.registers.set(reg, { kind: 'valOffset', offset: r.sleb() * daf });
          break;
        }
        case 0x16: {
          // DW_CFA_val_expression
          const reg = r.uleb();
          state.registers.set(reg, { kind: 'valExpression', expression: r.bytes(r.uleb()) });
          break;
        }
        case 0x1d: // DW_CFA_MIPS_advance_loc8
          advanceTo(loc + r.u64() * caf);
          break;
        case 0x2d: // DW_CFA_GNU_window_save (SPARC) / AArch64 negate_ra_state: nothing on ARM
          break;
        case 0x2e: // DW_CFA_GNU_args_size
          r.uleb();
          break;
        case 0x2f: {
          // DW_CFA_GNU_negative_offset_extended
          const reg = r.uleb();
          state.registers.set(reg, { kind: 'offset', offset: -r.uleb() * daf });
          break;
        }
        default:
          throw r.error(`unknown call frame instruction 0x${op.toString(16)}`, at);
      }
    }
  }
}

/** .debug_frame and .eh_frame of a file; .debug_frame is asked first. */
export class FrameTable {
  constructor(readonly sections: FrameSection[]) {}

  static read(s: DwarfSections): FrameTable {
    const list: FrameSection[] = [];
    if (s.frame) list.push(new FrameSection(s.frame, '.debug_frame', s.addressSize));
    if (s.ehFrame) list.push(new FrameSection(s.ehFrame, '.eh_frame', s.addressSize, s.ehFrameAddress ?? 0));
    return new FrameTable(list);
  }

  fdeFor(address: number): { section: FrameSection; fde: Fde } | undefined {
    for (const section of this.sections) {
      const fde = section.fdeFor(address);
      if (fde) return { section, fde };
    }
    return undefined;
  }

  rowAt(address: number): UnwindRow | undefined {
    const found = this.fdeFor(address);
    return found ? found.section.rowAt(address) : undefined;
  }
}

export type { DwarfError };
