// Source-level variables for the debugger: the locals and statics of a stack frame, read through
// their DWARF locations with that frame's registers, and shown the way a Rust or C programmer writes
// values — `Some(3)`, `[1, 2, 3]`, `"hello"`, `Point { x: 3, y: -4 }` — with structs, arrays,
// slices and vectors expandable. Also the typed half of the Debug Console: `name`, `*ptr`, `arr[2]`,
// `s.field`, `p->field`.
//
// This is presentation over the debuginfo type model (DIEs); nothing here allocates per executed
// instruction: it only runs while the firmware is stopped.

import type { Machine, RegisterName } from '../emulator/machine';
import type { Die, Unit } from '../debuginfo/dwarf/info';
import type { FunctionFrame, VariableInfo } from '../debuginfo/debuginfo';
import type { ExpressionContext, Location } from '../debuginfo/dwarf/expression';
import { resolveType, typeName, typeSize, arrayCount } from '../debuginfo/dwarf/types';
import type { ProgramInfo } from './program-info';
import type { StackFrameInfo } from './unwind';

// DWARF tags and attributes used here (DWARF 5 sections 5 and 7.5).
const TAG_ARRAY = 0x01;
const TAG_ENUMERATION = 0x04;
const TAG_MEMBER = 0x0d;
const TAG_POINTER = 0x0f;
const TAG_REFERENCE = 0x10;
const TAG_STRUCTURE = 0x13;
const TAG_SUBROUTINE_TYPE = 0x15;
const TAG_UNION = 0x17;
const TAG_VARIANT = 0x19;
const TAG_SUBRANGE = 0x21;
const TAG_BASE = 0x24;
const TAG_ENUMERATOR = 0x28;
const TAG_TEMPLATE_TYPE = 0x2f;
const TAG_VARIABLE = 0x34;
const TAG_VARIANT_PART = 0x33;
const TAG_NAMESPACE = 0x39;
const TAG_RVALUE_REFERENCE = 0x42;
const TAG_CLASS = 0x02;
const AT_LOCATION = 0x02;
const AT_BYTE_SIZE = 0x0b;
const AT_BIT_OFFSET = 0x0c;
const AT_BIT_SIZE = 0x0d;
const AT_DISCR = 0x15;
const AT_DISCR_VALUE = 0x16;
const AT_CONST_VALUE = 0x1c;
const AT_DATA_MEMBER_LOCATION = 0x38;
const AT_DECLARATION = 0x3c;
const AT_ENCODING = 0x3e;
const AT_TYPE = 0x49;
const AT_DATA_BIT_OFFSET = 0x6b;
// DW_ATE_* base type encodings.
const ATE_BOOLEAN = 0x02;
const ATE_FLOAT = 0x04;
const ATE_SIGNED = 0x05;
const ATE_SIGNED_CHAR = 0x06;
const ATE_UNSIGNED_CHAR = 0x08;
const ATE_UTF = 0x10;

/** Elements shown in a one-line summary of an array, slice or vector. */
const SUMMARY_ELEMENTS = 10;
/** Characters of a string shown (longer ones end in "…"). */
const STRING_LIMIT = 200;
const SUMMARY_LIMIT = 160;
const MAX_NESTING = 4;

/**
 * A value of a DWARF type: where it lives (memory: lvalue, writable) or its bytes (registers,
 * computed values), and for bitfields which bits of those.
 */
export interface TypedValue {
  /** The declared type (typedefs and qualifiers included); undefined = void / unknown. */
  type: Die | undefined;
  /** In target memory at this address. */
  address?: number;
  /** Or these bytes (little-endian), e.g. read from registers. */
  bytes?: Uint8Array;
  /** Held in this DWARF register as a whole (writable in the top frame). */
  register?: number;
  bitOffset?: number;
  bitSize?: number;
  /** Why there is no value ("optimized out", "not available"). */
  error?: string;
}

export interface NamedValue {
  name: string;
  value: TypedValue;
  /** An expression that evaluates to this value (for watch / copy as expression). */
  evaluateName?: string;
}

/** Memory and registers as one frame sees them. */
export interface FrameAccess {
  machine: Machine;
  frame: StackFrameInfo | undefined;
  /** The frame's registers are the core's current ones (top frame, not a fault stop). */
  live: boolean;
}

function hex(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

function escapeString(text: string): string {
  return JSON.stringify(text);
}

/** Sequence-like values: element type, where the elements are, and how many. */
interface Sequence {
  element: Die | undefined;
  /** Address of element 0 in memory (undefined: the elements are in `base` bytes). */
  address?: number;
  base?: TypedValue;
  length: number;
  elementSize: number;
}

export class VariableView {
  private staticsByUnit = new Map<number, NamedValue[]>();
  private globalIndex: Map<string, Die> | null = null;

  constructor(private readonly program: ProgramInfo) {}

  // ---- frames ------------------------------------------------------------------------------------

  /** The function (subprogram or inlined instance) a stack frame shows. */
  functionOf(frame: StackFrameInfo): FunctionFrame | undefined {
    const di = this.program.debugInfo;
    if (!di || frame.label) return undefined;
    const chain = di.functionsAt(frame.lookupPc);
    return chain[chain.length - 1 - frame.inlineDepth];
  }

  /** A DWARF expression context over a frame's registers (DWARF for the Arm architecture: 0-15
   *  core registers, 64-95 s0-s31, 256-287 d0-d31). */
  expressionContext(access: FrameAccess): ExpressionContext {
    const m = access.machine;
    const frame = access.frame;
    return {
      readRegister: (n) => {
        if (n >= 0 && n < 16) {
          if (access.live || !frame) return n === 15 ? m.cpu.pc >>> 0 : m.cpu.r[n] >>> 0;
          if ((frame.known & (1 << n)) === 0) throw new Error(`r${n} is not available in this frame`);
          return frame.registers[n] >>> 0;
        }
        if (n >= 64 && n < 96 && m.cpu.hasFpu && access.live) return m.cpu.fpRegs[n - 64] >>> 0;
        if (n >= 256 && n < 272 && m.cpu.hasFpu && access.live) return m.cpu.fpRegs[2 * (n - 256)] >>> 0;
        throw new Error(`register ${n} is not available in this frame`);
      },
      readMemory: (address, size) => {
        const v = m.peek(address >>> 0, size === 1 || size === 2 ? size : 4);
        if (v === null) throw new Error(`cannot read memory at ${hex(address)}`);
        return v;
      },
      cfa: frame ? () => frame.cfa >>> 0 : undefined,
    };
  }

  /** Parameters and locals in scope at the frame's PC (outer scopes first, innermost last). */
  locals(access: FrameAccess): NamedValue[] {
    const frame = access.frame;
    const di = this.program.debugInfo;
    if (!frame || !di) return [];
    const fn = this.functionOf(frame);
    if (!fn) return [];
    const ctx = this.expressionContext(access);
    return di.variablesAt(fn, frame.lookupPc).map((v) => ({ name: v.name, value: this.locate(v, frame.lookupPc, ctx, access), evaluateName: v.name }));
  }

  private locate(variable: VariableInfo, pc: number, ctx: ExpressionContext, access: FrameAccess): TypedValue {
    let location: Location;
    try {
      location = this.program.debugInfo!.locate(variable, pc, ctx);
    } catch (e) {
      return { type: variable.type, error: `<${e instanceof Error ? e.message : String(e)}>` };
    }
    return this.fromLocation(variable.type, location, ctx, access);
  }

  private fromLocation(type: Die | undefined, location: Location, ctx: ExpressionContext, access: FrameAccess): TypedValue {
    const size = typeSize(type) ?? 4;
    const word = (v: number) => {
      const b = new Uint8Array(Math.max(4, size));
      new DataView(b.buffer).setUint32(0, v >>> 0, true);
      return b;
    };
    try {
      switch (location.kind) {
        case 'memory':
          return { type, address: location.address >>> 0 };
        case 'register': {
          const b = word(ctx.readRegister(location.register));
          // A value wider than a core register continues in the next one (AAPCS register pairs).
          if (size > 4 && location.register < 15) new DataView(b.buffer).setUint32(4, ctx.readRegister(location.register + 1) >>> 0, true);
          return { type, bytes: b, register: access.live ? location.register : undefined };
        }
        case 'value':
          return { type, bytes: word(location.value) };
        case 'implicit':
          return { type, bytes: location.bytes };
        case 'pieces': {
          const total = location.pieces.reduce((n, p) => n + p.sizeInBits, 0);
          const bytes = new Uint8Array(Math.max(size, Math.ceil(total / 8)));
          let bit = 0;
          let missing = false;
          for (const piece of location.pieces) {
            const n = Math.ceil(piece.sizeInBits / 8);
            if (!piece.location || piece.location.kind === 'optimizedOut') {
              missing = true;
            } else {
              const part = this.fromLocation(undefined, piece.location, ctx, access);
              const src = part.address !== undefined ? access.machine.readMemory(part.address, n) : part.bytes ?? new Uint8Array(n);
              bytes.set(src.subarray(0, Math.min(n, bytes.length - (bit >> 3))), bit >> 3);
            }
            bit += piece.sizeInBits;
          }
          if (missing && location.pieces.every((p) => !p.location || p.location.kind === 'optimizedOut')) return { type, error: '<optimized out>' };
          return { type, bytes };
        }
        case 'optimizedOut':
          return { type, error: '<optimized out>' };
      }
    } catch (e) {
      return { type, error: `<${e instanceof Error ? e.message : String(e)}>` };
    }
    return { type, error: '<unknown location>' };
  }

  /** Statics of the frame's compilation unit (Rust: the crate being debugged). */
  statics(access: FrameAccess): NamedValue[] {
    const fn = access.frame ? this.functionOf(access.frame) : undefined;
    if (!fn) return [];
    const unit = fn.die.unit;
    let list = this.staticsByUnit.get(unit.offset);
    if (!list) {
      list = [];
      this.collectStatics(unit, list, 500);
      list.sort((a, b) => a.name.localeCompare(b.name));
      this.staticsByUnit.set(unit.offset, list);
    }
    return list;
  }

  private staticOf(die: Die): TypedValue | undefined {
    const attr = die.attr(AT_LOCATION);
    if (!attr || !(attr.value instanceof Uint8Array)) return undefined;
    const expr = attr.value;
    // Only fixed addresses (DW_OP_addr): thread-local or computed locations are not statics we can show.
    if (expr.length !== 5 || expr[0] !== 0x03) return undefined;
    const address = (expr[1] | (expr[2] << 8) | (expr[3] << 16) | (expr[4] << 24)) >>> 0;
    if (address === 0) return undefined; // discarded by the linker
    return { type: die.referenced(AT_TYPE) ?? die.referenced(0x47)?.referenced(AT_TYPE), address };
  }

  private collectStatics(unit: Unit, out: NamedValue[], limit: number): void {
    const visit = (die: Die, prefix: string, depth: number) => {
      if (depth > 16) return;
      for (const child of die.children()) {
        if (out.length >= limit) return;
        if (child.tag === TAG_VARIABLE && !child.flag(AT_DECLARATION)) {
          const name = child.name();
          const value = name ? this.staticOf(child) : undefined;
          if (name && value) out.push({ name, value, evaluateName: prefix + name });
        } else if (child.tag === TAG_NAMESPACE) {
          const ns = child.name();
          visit(child, ns ? `${prefix}${ns}::` : prefix, depth + 1);
        }
      }
    };
    visit(unit.root(), '', 0);
  }

  /** A static anywhere in the program by (short or path-qualified) name. */
  private globalNamed(name: string): TypedValue | undefined {
    if (!this.globalIndex) {
      const index = new Map<string, Die>();
      const di = this.program.debugInfo;
      for (const unit of di ? di.info.compileUnits() : []) {
        const visit = (die: Die, prefix: string, depth: number) => {
          if (depth > 16) return;
          for (const child of die.children()) {
            if (child.tag === TAG_VARIABLE && child.has(AT_LOCATION)) {
              const n = child.name();
              if (n) {
                if (!index.has(n)) index.set(n, child);
                if (prefix) index.set(prefix + n, child);
              }
            } else if (child.tag === TAG_NAMESPACE) {
              const ns = child.name();
              visit(child, ns ? `${prefix}${ns}::` : prefix, depth + 1);
            }
          }
        };
        visit(unit.root(), '', 0);
      }
      this.globalIndex = index;
    }
    const die = this.globalIndex.get(name);
    return die ? this.staticOf(die) : undefined;
  }

  /** A variable by name as the frame sees it: the innermost local, then statics. */
  lookup(name: string, access: FrameAccess): TypedValue | undefined {
    const locals = this.locals(access);
    for (let i = locals.length - 1; i >= 0; i--) if (locals[i].name === name) return locals[i].value;
    for (const s of this.statics(access)) if (s.name === name || s.evaluateName === name) return s.value;
    return this.globalNamed(name);
  }

  // ---- reading -----------------------------------------------------------------------------------

  private load(v: TypedValue, machine: Machine, offset: number, size: number): Uint8Array | null {
    if (v.address !== undefined) {
      const a = (v.address + offset) >>> 0;
      for (let i = 0; i < size; i += 1) if (!machine.isMapped((a + i) >>> 0)) return null;
      return machine.readMemory(a, size);
    }
    if (v.bytes) {
      if (offset + size > v.bytes.length) {
        const padded = new Uint8Array(size);
        padded.set(v.bytes.subarray(Math.min(offset, v.bytes.length)));
        return padded;
      }
      return v.bytes.subarray(offset, offset + size);
    }
    return null;
  }

  /** The value as an integer (bool, integers, chars, pointers, C enums); undefined for aggregates. */
  scalar(v: TypedValue, machine: Machine): number | undefined {
    if (v.error) return undefined;
    const t = resolveType(v.type);
    if (!t) return undefined;
    if (t.tag !== TAG_BASE && t.tag !== TAG_POINTER && t.tag !== TAG_REFERENCE && t.tag !== TAG_RVALUE_REFERENCE && t.tag !== TAG_ENUMERATION) return undefined;
    const size = typeSize(t) ?? 4;
    if (t.tag === TAG_BASE && t.number(AT_ENCODING) === ATE_FLOAT) {
      const b = this.load(v, machine, 0, size);
      if (!b) return undefined;
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      return size === 8 ? dv.getFloat64(0, true) : dv.getFloat32(0, true);
    }
    const b = this.load(v, machine, 0, Math.min(size, 8));
    if (!b) return undefined;
    let value = 0;
    for (let i = Math.min(b.length, 4) - 1; i >= 0; i--) value = value * 256 + b[i];
    if (size > 4) {
      let high = 0;
      for (let i = Math.min(b.length, 8) - 1; i >= 4; i--) high = high * 256 + b[i];
      value += high * 2 ** 32;
    }
    if (v.bitSize !== undefined) {
      value = Math.floor(value / 2 ** (v.bitOffset ?? 0)) % 2 ** v.bitSize;
      return this.signed(t) && value >= 2 ** (v.bitSize - 1) ? value - 2 ** v.bitSize : value;
    }
    if (this.signed(t) && size <= 4) {
      const bits = size * 8;
      if (value >= 2 ** (bits - 1)) value -= 2 ** bits;
    }
    return value;
  }

  private signed(t: Die): boolean {
    if (t.tag === TAG_ENUMERATION) {
      const base = resolveType(t.referenced(AT_TYPE));
      return base ? this.signed(base) : false;
    }
    const e = t.number(AT_ENCODING);
    return e === ATE_SIGNED || e === ATE_SIGNED_CHAR;
  }

  // ---- structure ---------------------------------------------------------------------------------

  private memberOffset(member: Die): number {
    const a = member.attr(AT_DATA_MEMBER_LOCATION);
    if (!a) return 0;
    if (a.value instanceof Uint8Array) {
      // An expression: the common form is DW_OP_plus_uconst n.
      const e = a.value;
      if (e[0] === 0x23) {
        let n = 0;
        let shift = 0;
        for (let i = 1; i < e.length; i++) {
          n += (e[i] & 0x7f) * 2 ** shift;
          shift += 7;
          if ((e[i] & 0x80) === 0) break;
        }
        return n;
      }
      return 0;
    }
    return member.number(AT_DATA_MEMBER_LOCATION) ?? 0;
  }

  /** A member of a struct/union value (bitfields included). */
  private memberValue(v: TypedValue, member: Die): TypedValue {
    const type = member.referenced(AT_TYPE);
    let offset = this.memberOffset(member);
    const bitSize = member.number(AT_BIT_SIZE);
    let bitOffset: number | undefined;
    if (bitSize !== undefined) {
      const dataBit = member.number(AT_DATA_BIT_OFFSET);
      const storage = member.number(AT_BYTE_SIZE) ?? typeSize(type) ?? 4;
      if (dataBit !== undefined) {
        // DWARF 4+: bits from the start of the containing struct; read the storage unit holding it.
        offset = Math.floor(dataBit / 8 / storage) * storage;
        bitOffset = dataBit - offset * 8;
      } else {
        // DWARF 2/3: DW_AT_bit_offset counts from the storage unit's most significant bit.
        const fromMsb = member.number(AT_BIT_OFFSET) ?? 0;
        bitOffset = storage * 8 - fromMsb - bitSize;
      }
    }
    const out = this.offsetValue(v, type, offset);
    if (bitSize !== undefined) {
      out.bitSize = bitSize;
      out.bitOffset = bitOffset;
    }
    return out;
  }

  private offsetValue(v: TypedValue, type: Die | undefined, offset: number): TypedValue {
    if (v.error) return { type, error: v.error };
    if (v.address !== undefined) return { type, address: (v.address + offset) >>> 0 };
    const size = typeSize(type) ?? 4;
    const bytes = new Uint8Array(size);
    if (v.bytes) bytes.set(v.bytes.subarray(Math.min(offset, v.bytes.length), Math.min(offset + size, v.bytes.length)));
    return { type, bytes, register: offset === 0 ? v.register : undefined };
  }

  private members(t: Die): Die[] {
    return t.children().filter((c) => c.tag === TAG_MEMBER);
  }

  private templateParam(t: Die, name: string): Die | undefined {
    for (const c of t.children()) if (c.tag === TAG_TEMPLATE_TYPE && c.name() === name) return c.referenced(AT_TYPE);
    return undefined;
  }

  /** For a Rust enum (a struct with a variant part): the active variant's name and payload. */
  private activeVariant(v: TypedValue, t: Die, machine: Machine): { name: string; payload: TypedValue | undefined; type: Die | undefined } | undefined {
    const part = t.children().find((c) => c.tag === TAG_VARIANT_PART);
    if (!part) return undefined;
    const discrMember = part.referenced(AT_DISCR);
    let discr: number | undefined;
    if (discrMember) {
      const dv = this.memberValue(v, discrMember);
      discr = this.scalar(dv, machine);
    }
    let fallback: Die | undefined;
    let chosen: Die | undefined;
    for (const variant of part.children()) {
      if (variant.tag !== TAG_VARIANT) continue;
      const a = variant.attr(AT_DISCR_VALUE);
      if (!a) {
        fallback = variant;
        continue;
      }
      const value = Number(typeof a.value === 'bigint' ? BigInt.asUintN(64, a.value) : a.value);
      if (discr !== undefined) {
        const size = discrMember ? typeSize(discrMember.referenced(AT_TYPE)) ?? 4 : 4;
        const mask = size >= 4 ? 2 ** 32 : 2 ** (size * 8);
        if (((value % mask) + mask) % mask === ((discr % mask) + mask) % mask) {
          chosen = variant;
          break;
        }
      }
    }
    chosen ??= fallback;
    if (!chosen) return undefined;
    const member = chosen.children().find((c) => c.tag === TAG_MEMBER);
    if (!member) return undefined;
    const type = member.referenced(AT_TYPE);
    return { name: member.name() ?? '?', payload: this.memberValue(v, member), type: resolveType(type) };
  }

  /** Slices (`&[T]`, `&str`, `Box<[T]>`), vectors and strings: where their elements are. */
  private sequence(v: TypedValue, t: Die, machine: Machine): Sequence | undefined {
    const tag = t.tag;
    if (tag === TAG_ARRAY) {
      const element = t.referenced(AT_TYPE);
      const subranges = t.children().filter((c) => c.tag === TAG_SUBRANGE);
      const length = subranges.length > 0 ? arrayCount(subranges[0]) ?? 0 : 0;
      let elementSize = typeSize(element) ?? 1;
      // Multi-dimensional C arrays: the first dimension's elements are rows.
      for (let i = 1; i < subranges.length; i++) elementSize *= arrayCount(subranges[i]) ?? 0;
      return { element: subranges.length > 1 ? undefined : element, address: v.address, base: v.address === undefined ? v : undefined, length, elementSize };
    }
    if (tag !== TAG_STRUCTURE) return undefined;
    const members = this.members(t);
    const dataPtr = members.find((m) => m.name() === 'data_ptr');
    const lengthMember = members.find((m) => m.name() === 'length');
    if (dataPtr && lengthMember) {
      const ptrType = resolveType(dataPtr.referenced(AT_TYPE));
      const element = ptrType?.referenced(AT_TYPE);
      const address = this.scalar(this.memberValue(v, dataPtr), machine);
      const length = this.scalar(this.memberValue(v, lengthMember), machine);
      if (address === undefined || length === undefined) return undefined;
      return { element, address, length, elementSize: typeSize(element) ?? 1 };
    }
    const name = t.name() ?? '';
    if (/^(alloc::vec::)?Vec</.test(name)) {
      const len = members.find((m) => m.name() === 'len');
      const buf = members.find((m) => m.name() === 'buf');
      const element = this.templateParam(t, 'T');
      if (!len || !buf) return undefined;
      const pointer = this.firstPointer(this.memberValue(v, buf), machine, 0);
      const length = this.scalar(this.memberValue(v, len), machine);
      if (pointer === undefined || length === undefined) return undefined;
      return { element, address: pointer, length, elementSize: typeSize(element) ?? 1 };
    }
    return undefined;
  }

  /** The first raw pointer inside a value (Vec's buffer: RawVec → Unique → NonNull → *const T). */
  private firstPointer(v: TypedValue, machine: Machine, depth: number): number | undefined {
    const t = resolveType(v.type);
    if (!t || depth > 8) return undefined;
    if (t.tag === TAG_POINTER) return this.scalar(v, machine);
    if (t.tag !== TAG_STRUCTURE) return undefined;
    for (const m of this.members(t)) {
      const p = this.firstPointer(this.memberValue(v, m), machine, depth + 1);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  private isStringType(t: Die): boolean {
    const name = t.name() ?? '';
    return name === '&str' || name === '&mut str' || name === 'String' || name === 'alloc::string::String' || name === '*const str' || name === '*mut str';
  }

  private stringOf(v: TypedValue, t: Die, machine: Machine): string | undefined {
    let seq: Sequence | undefined;
    if (t.name() === 'String' || t.name() === 'alloc::string::String') {
      const vec = this.members(t).find((m) => m.name() === 'vec');
      const vt = vec ? resolveType(vec.referenced(AT_TYPE)) : undefined;
      if (vec && vt) seq = this.sequence(this.memberValue(v, vec), vt, machine);
    } else {
      seq = this.sequence(v, t, machine);
    }
    if (!seq || seq.address === undefined) return undefined;
    const n = Math.min(seq.length, STRING_LIMIT);
    const bytes = this.load({ type: undefined, address: seq.address }, machine, 0, n);
    if (!bytes) return `<cannot read ${seq.length} bytes at ${hex(seq.address)}>`;
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    return escapeString(text) + (seq.length > n ? '…' : '');
  }

  private elementAt(seq: Sequence, index: number): TypedValue {
    if (seq.address !== undefined) return { type: seq.element, address: (seq.address + index * seq.elementSize) >>> 0 };
    return this.offsetValue(seq.base ?? { type: undefined, error: '<no value>' }, seq.element, index * seq.elementSize);
  }

  private pointee(v: TypedValue, t: Die, machine: Machine): TypedValue | undefined {
    const target = t.referenced(AT_TYPE);
    const rt = resolveType(target);
    if (!target || !rt || rt.tag === TAG_SUBROUTINE_TYPE) return undefined;
    const address = this.scalar(v, machine);
    if (address === undefined || address === 0) return undefined;
    if (!machine.isMapped(address >>> 0)) return undefined;
    return { type: target, address: address >>> 0 };
  }

  // ---- presentation ------------------------------------------------------------------------------

  /** One line for the value (`42`, `Some(3)`, `[1, 2, 3]`, `"hello"`, `Point { x: 3, y: -4 }`). */
  summary(v: TypedValue, machine: Machine, options: { hex?: boolean } = {}, depth = 0): string {
    if (v.error) return v.error;
    const t = resolveType(v.type);
    if (!t) return v.address !== undefined ? `<void at ${hex(v.address)}>` : '<no type>';
    const limit = (s: string) => (s.length > SUMMARY_LIMIT ? s.slice(0, SUMMARY_LIMIT - 1) + '…' : s);
    switch (t.tag) {
      case TAG_BASE: {
        const n = this.scalar(v, machine);
        if (n === undefined) return v.address !== undefined ? `<cannot read ${hex(v.address)}>` : '<unavailable>';
        const enc = t.number(AT_ENCODING);
        if (enc === ATE_BOOLEAN) return n === 0 ? 'false' : n === 1 ? 'true' : `true (${n})`;
        if (enc === ATE_FLOAT) return String(n);
        if (enc === ATE_UTF) return `'${String.fromCodePoint(n >>> 0 <= 0x10ffff ? n >>> 0 : 0xfffd)}'`;
        if (options.hex) return '0x' + (n < 0 ? n + 2 ** ((typeSize(t) ?? 4) * 8) : n).toString(16);
        if ((enc === ATE_SIGNED_CHAR || enc === ATE_UNSIGNED_CHAR) && (typeSize(t) ?? 1) === 1) {
          const c = n & 0xff;
          return c >= 0x20 && c < 0x7f ? `${n} '${String.fromCharCode(c)}'` : String(n);
        }
        return String(n);
      }
      case TAG_ENUMERATION: {
        const n = this.scalar(v, machine);
        if (n === undefined) return '<unavailable>';
        for (const e of t.children()) if (e.tag === TAG_ENUMERATOR && e.number(AT_CONST_VALUE) === n) return e.name() ?? String(n);
        return options.hex ? '0x' + (n >>> 0).toString(16) : String(n);
      }
      case TAG_POINTER:
      case TAG_REFERENCE:
      case TAG_RVALUE_REFERENCE: {
        const n = this.scalar(v, machine);
        if (n === undefined) return '<unavailable>';
        const shown = hex(n);
        if (depth >= MAX_NESTING) return shown;
        const p = this.pointee(v, t, machine);
        if (!p) return n === 0 ? 'null' : shown;
        return limit(`${shown} → ${this.summary(p, machine, options, depth + 1)}`);
      }
      case TAG_ARRAY:
      case TAG_STRUCTURE:
      case TAG_CLASS:
      case TAG_UNION: {
        if (depth >= MAX_NESTING) return '{…}';
        if (this.isStringType(t)) return this.stringOf(v, t, machine) ?? '<string?>';
        const variant = t.tag === TAG_STRUCTURE ? this.activeVariant(v, t, machine) : undefined;
        if (variant) {
          const vt = variant.type;
          const fields = vt ? this.members(vt) : [];
          if (!variant.payload || fields.length === 0) return variant.name;
          return limit(variant.name + this.fieldsSummary(variant.payload, vt!, machine, options, depth));
        }
        const seq = this.sequence(v, t, machine);
        if (seq) {
          const shown = Math.min(seq.length, SUMMARY_ELEMENTS);
          const parts: string[] = [];
          for (let i = 0; i < shown; i++) parts.push(this.summary(this.elementAt(seq, i), machine, options, depth + 1));
          if (seq.length > shown) parts.push('…');
          const prefix = t.tag === TAG_ARRAY ? '' : `len=${seq.length} `;
          return limit(`${prefix}[${parts.join(', ')}]`);
        }
        return limit((this.shortTypeName(t) ?? '') + this.fieldsSummary(v, t, machine, options, depth));
      }
      default:
        return `<${typeName(t)}>`;
    }
  }

  /** Rust-style `{ a: 1, b: 2 }`, or `(1, 2)` for tuples and tuple structs. */
  private fieldsSummary(v: TypedValue, t: Die, machine: Machine, options: { hex?: boolean }, depth: number): string {
    const members = this.members(t);
    const tuple = members.length > 0 && members.every((m) => /^__\d+$/.test(m.name() ?? ''));
    const parts = members.map((m) => {
      const s = this.summary(this.memberValue(v, m), machine, options, depth + 1);
      return tuple ? s : `${m.name() ?? '?'}: ${s}`;
    });
    if (tuple) return `(${parts.join(', ')})`;
    return parts.length === 0 ? '' : ` { ${parts.join(', ')} }`;
  }

  private shortTypeName(t: Die): string | undefined {
    const name = t.name();
    if (!name) return undefined;
    if (name.startsWith('(')) return ''; // a tuple: the fields say it all
    // Drop generic arguments and paths: `Point`, not `alloc::Point<...>`.
    const base = name.replace(/<.*$/, '');
    return base.split('::').pop();
  }

  /** Whether the value expands (and, for sequences, how many indexed children it has). */
  shape(v: TypedValue, machine: Machine): { expandable: boolean; indexed?: number } {
    if (v.error) return { expandable: false };
    const t = resolveType(v.type);
    if (!t) return { expandable: false };
    switch (t.tag) {
      case TAG_POINTER:
      case TAG_REFERENCE:
      case TAG_RVALUE_REFERENCE:
        return { expandable: this.pointee(v, t, machine) !== undefined };
      case TAG_ARRAY:
      case TAG_STRUCTURE:
      case TAG_CLASS:
      case TAG_UNION: {
        if (t.tag === TAG_STRUCTURE && t.children().some((c) => c.tag === TAG_VARIANT_PART)) {
          const variant = this.activeVariant(v, t, machine);
          return { expandable: !!variant?.type && this.members(variant.type).length > 0 };
        }
        const seq = this.sequence(v, t, machine);
        if (seq) return { expandable: seq.length > 0, indexed: seq.length };
        return { expandable: this.members(t).length > 0 };
      }
      default:
        return { expandable: false };
    }
  }

  /** The value's children: members, elements (`start`..`start+count` for sequences), or the pointee's. */
  children(v: TypedValue, machine: Machine, evaluateName: string | undefined, start = 0, count?: number): NamedValue[] {
    const t = resolveType(v.type);
    if (!t || v.error) return [];
    const path = (suffix: string) => (evaluateName !== undefined ? evaluateName + suffix : undefined);
    switch (t.tag) {
      case TAG_POINTER:
      case TAG_REFERENCE:
      case TAG_RVALUE_REFERENCE: {
        const p = this.pointee(v, t, machine);
        if (!p) return [];
        const pt = resolveType(p.type);
        // A pointer to an aggregate shows the aggregate's fields directly (one click, not two).
        if (pt && (pt.tag === TAG_STRUCTURE || pt.tag === TAG_UNION || pt.tag === TAG_CLASS || pt.tag === TAG_ARRAY) && this.shape(p, machine).expandable) {
          return this.children(p, machine, evaluateName !== undefined ? `(*${evaluateName})` : undefined, start, count);
        }
        return [{ name: `*${evaluateName ?? ''}`, value: p, evaluateName: evaluateName !== undefined ? `*${evaluateName}` : undefined }];
      }
      case TAG_ARRAY:
      case TAG_STRUCTURE:
      case TAG_CLASS:
      case TAG_UNION: {
        if (t.tag === TAG_STRUCTURE && t.children().some((c) => c.tag === TAG_VARIANT_PART)) {
          const variant = this.activeVariant(v, t, machine);
          if (!variant?.type || !variant.payload) return [];
          return this.members(variant.type).map((m) => {
            const n = m.name() ?? '?';
            return { name: n, value: this.memberValue(variant.payload!, m) };
          });
        }
        const seq = this.sequence(v, t, machine);
        if (seq) {
          const end = Math.min(seq.length, count !== undefined ? start + count : seq.length, start + 10_000);
          const out: NamedValue[] = [];
          for (let i = start; i < end; i++) out.push({ name: `[${i}]`, value: this.elementAt(seq, i), evaluateName: path(`[${i}]`) });
          return out;
        }
        return this.members(t).map((m) => {
          const n = m.name() ?? '?';
          return { name: n, value: this.memberValue(v, m), evaluateName: path(`.${n}`) };
        });
      }
      default:
        return [];
    }
  }

  // ---- access paths (Debug Console, hover, watch) -------------------------------------------------

  /** A member by name (through pointers, as `->` does; for Rust enums, of the active variant). */
  member(v: TypedValue, name: string, machine: Machine): TypedValue | undefined {
    let t = resolveType(v.type);
    let base = v;
    if (t && (t.tag === TAG_POINTER || t.tag === TAG_REFERENCE || t.tag === TAG_RVALUE_REFERENCE)) {
      const p = this.pointee(v, t, machine);
      if (!p) return undefined;
      base = p;
      t = resolveType(p.type);
    }
    if (!t) return undefined;
    if (t.tag === TAG_STRUCTURE && t.children().some((c) => c.tag === TAG_VARIANT_PART)) {
      const variant = this.activeVariant(base, t, machine);
      if (variant?.type && variant.payload) {
        const m = this.members(variant.type).find((x) => x.name() === name || x.name() === `__${name}`);
        if (m) return this.memberValue(variant.payload, m);
      }
      return undefined;
    }
    const m = this.members(t).find((x) => x.name() === name || x.name() === `__${name}`);
    return m ? this.memberValue(base, m) : undefined;
  }

  /** Element `index` of an array, slice, vector, or pointer (C `p[i]`). */
  index(v: TypedValue, index: number, machine: Machine): TypedValue | undefined {
    const t = resolveType(v.type);
    if (!t) return undefined;
    if (t.tag === TAG_POINTER) {
      const target = t.referenced(AT_TYPE);
      const address = this.scalar(v, machine);
      if (address === undefined || !target) return undefined;
      return { type: target, address: (address + index * (typeSize(target) ?? 1)) >>> 0 };
    }
    const seq = this.sequence(v, t, machine);
    if (!seq) return undefined;
    if (index < 0 || index >= seq.length) throw new Error(`index ${index} is out of bounds (length ${seq.length})`);
    return this.elementAt(seq, index);
  }

  deref(v: TypedValue, machine: Machine): TypedValue | undefined {
    const t = resolveType(v.type);
    if (!t || (t.tag !== TAG_POINTER && t.tag !== TAG_REFERENCE && t.tag !== TAG_RVALUE_REFERENCE)) return undefined;
    return this.pointee(v, t, machine);
  }

  /**
   * Evaluates an access path over variables: `name`, `a::b::NAME`, `*p`, `&x`, `s.field`, `p->f`,
   * `arr[2]`, `t.0`. Returns undefined when the text is not such a path (or names no variable),
   * so the caller can fall back to the arithmetic evaluator; throws when the path is wrong.
   */
  evaluatePath(text: string, access: FrameAccess, index: (expr: string) => number): { value: TypedValue; addressOf?: number } | undefined {
    const m = /^\s*([*&]?)\s*((?:[A-Za-z_][A-Za-z0-9_]*)(?:::[A-Za-z_][A-Za-z0-9_]*)*)((?:\s*(?:\.\s*[A-Za-z0-9_]+|->\s*[A-Za-z_][A-Za-z0-9_]*|\[[^\]]+\]))*)\s*$/.exec(text);
    if (!m) return undefined;
    const [, prefix, name, rest] = m;
    const machine = access.machine;
    let v = this.lookup(name, access);
    if (!v) return undefined;
    const steps = /\.\s*([A-Za-z0-9_]+)|->\s*([A-Za-z_][A-Za-z0-9_]*)|\[([^\]]+)\]/g;
    let s: RegExpExecArray | null;
    let shown = name;
    while ((s = steps.exec(rest)) !== null) {
      const field = s[1] ?? s[2];
      if (field !== undefined) {
        const next = this.member(v, field, machine);
        if (!next) throw new Error(`'${shown}' has no field '${field}'`);
        v = next;
        shown += `.${field}`;
      } else {
        const i = index(s[3]);
        const next = this.index(v, i, machine);
        if (!next) throw new Error(`'${shown}' cannot be indexed`);
        v = next;
        shown += `[${i}]`;
      }
    }
    if (prefix === '*') {
      const p = this.deref(v, machine);
      if (!p) throw new Error(`'${shown}' is not a pointer (or points to unreadable memory)`);
      return { value: p };
    }
    if (prefix === '&') {
      if (v.address === undefined) throw new Error(`'${shown}' is not in memory`);
      return { value: v, addressOf: v.address };
    }
    return { value: v };
  }

  // ---- writing -----------------------------------------------------------------------------------

  /** Stores an integer (or float) into a scalar variable in memory, or in a register of the top frame. */
  write(v: TypedValue, value: number, machine: Machine): void {
    if (v.error) throw new Error(`cannot set a value that is ${v.error}`);
    const t = resolveType(v.type);
    if (!t || (t.tag !== TAG_BASE && t.tag !== TAG_POINTER && t.tag !== TAG_REFERENCE && t.tag !== TAG_ENUMERATION)) {
      throw new Error('only scalars (integers, floats, bool, char, pointers, C enums) can be set');
    }
    const size = typeSize(t) ?? 4;
    const bytes = new Uint8Array(size);
    const dv = new DataView(bytes.buffer);
    if (t.tag === TAG_BASE && t.number(AT_ENCODING) === ATE_FLOAT) {
      if (size === 8) dv.setFloat64(0, value, true);
      else dv.setFloat32(0, value, true);
    } else if (v.bitSize !== undefined) {
      const old = this.load(v, machine, 0, size);
      if (!old) throw new Error('cannot read the bitfield\'s storage');
      bytes.set(old);
      let storage = 0;
      for (let i = Math.min(size, 4) - 1; i >= 0; i--) storage = storage * 256 + bytes[i];
      const mask = ((2 ** v.bitSize - 1) * 2 ** (v.bitOffset ?? 0)) >>> 0;
      storage = ((storage & ~mask) | ((value * 2 ** (v.bitOffset ?? 0)) & mask)) >>> 0;
      dv.setUint32(0, storage, true);
    } else {
      const lowWord = value >>> 0;
      for (let i = 0; i < Math.min(size, 4); i++) bytes[i] = (lowWord >>> (8 * i)) & 0xff;
      if (size === 8) dv.setUint32(4, Math.floor(value / 2 ** 32) >>> 0, true);
    }
    if (v.address !== undefined) {
      if (!machine.writeMemory(v.address, bytes)) throw new Error(`cannot write ${size} bytes at ${hex(v.address)}`);
      return;
    }
    if (v.register !== undefined && v.register < 13 && size <= 4) {
      const cur = machine.cpu.r[v.register] >>> 0;
      let word = 0;
      for (let i = 3; i >= 0; i--) word = word * 256 + (i < size ? bytes[i] : (cur >>> (8 * i)) & 0xff);
      machine.setRegister(`r${v.register}` as RegisterName, word >>> 0);
      return;
    }
    throw new Error('this value is not in memory or in a register of the top frame, so it cannot be changed');
  }

  /** The type's display name. */
  typeNameOf(v: TypedValue): string {
    return typeName(v.type);
  }

  /** Size in bytes of the value (for data breakpoints). */
  sizeOf(v: TypedValue): number | undefined {
    return typeSize(v.type);
  }

  /** Whether the value has a byte size we can read (unused types report nothing). */
  static hasByteSize(t: Die | undefined): boolean {
    return t?.has(AT_BYTE_SIZE) ?? false;
  }
}
