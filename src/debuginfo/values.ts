// Values of source-level variables: bytes from a stopped target, read through a DWARF type (DWARF 5
// section 5) and shown the way the program's language writes them.
//
// API
//
//   const target: ValueTarget = {
//     readMemory: (address, length) => bytes or undefined (unmapped),
//     readRegister: (dwarfRegister) => value or undefined (not recovered in this frame),
//   };
//   const v = readVariable(debugInfo, variable, pc, target);   // a local/parameter at pc
//   const g = valueAt('S_POINT', typeDie, { kind: 'memory', address }, target);
//   v.summary      one line: `42`, `Some(3)`, `"hello"`, `Point { x: 3, y: -4 }`, `{x = 3, y = -4}`
//   v.typeName     `Option<u32>`, `const char *`
//   v.address      where the value is in memory (undefined in a register or computed)
//   v.location     `0x20000010`, `r4`, `value`, `optimized out`
//   v.expandable   true when children() has something
//   v.children()   members, elements, pointee (`*p`), or an enum's active variant fields; computed
//                  when first asked for, then cached
//   v.children(start, count)   a page of an array's, slice's or Vec's elements (v.indexedCount of them)
//   v.summaryIn({ hex: true }) the summary with integers in hexadecimal
//
// Rust (DW_LANG_Rust units) is written Rust's way: `Some(3)`, `Err(-1)`, `Rect(2, 3)`,
// `Circle { r: 8 }`, `(1, -2, true)`, `[1, 2, 3]`, `"hello"` for &str, `()`. Enums with a
// DW_TAG_variant_part are decoded from their discriminant member, including niche layouts where the
// "discriminant" is a pointer or a NonZero field and the dataful variant has no DW_AT_discr_value
// (DWARF 5 section 5.7.10). Vec, String and Box are shown by their contents. C is written like C
// initialisers: `{x = 3, y = -4}`, `{1, 2, 3}`, enumerator names, `0x20000010 "text"` for char
// pointers. Unreadable memory gives `<unavailable>`, a missing location `<optimized out>`.
//
// Nothing here runs per executed instruction: values are read while the target is stopped.

import type { DebugInfo, VariableInfo } from './debuginfo';
// (Die is part of the API: Value.type lets a debugger write a value back through its type.)
import type { Die, Unit } from './dwarf/info';
import type { ExpressionContext, Location } from './dwarf/expression';
import { arrayCount, resolveType, typeName, typeSize } from './dwarf/types';

/** What the value reader needs from a stopped target. */
export interface ValueTarget {
  /** `length` bytes at `address`, or undefined when (part of) the range cannot be read. */
  readMemory(address: number, length: number): Uint8Array | undefined;
  /** A register by DWARF number (0–15 core, 64–95 s0–s31; d0–d15 are asked as s pairs), undefined if unknown. */
  readRegister(dwarfRegister: number): number | undefined;
  /** The frame's canonical frame address, for DW_OP_call_frame_cfa. */
  cfa?(): number;
}

export interface ValueOptions {
  /** Most children listed for an array, slice or vector (default 1000). */
  maxChildren?: number;
  /** Elements shown in a one-line summary (default 10; more end in `…`). */
  summaryElements?: number;
  /** Characters of a string shown (default 200). */
  stringLimit?: number;
  /**
   * Show what a pointer or reference points at after its address, `0x20000010 → Point { x: 3, y: -4 }`
   * (default false: the address alone, as a command-line debugger prints it). A variables view
   * wants the arrow: a Box or &T is read for what it holds.
   */
  pointees?: boolean;
}

/** How integers are written in a summary. */
export interface ValueFormat {
  hex?: boolean;
}

export interface Value {
  readonly name: string;
  readonly typeName: string;
  /** One-line rendering. */
  readonly summary: string;
  /** Address of the value in target memory, when it lives there. */
  readonly address: number | undefined;
  /** Where the value is: a hex address, a register name, `value`, `optimized out`. */
  readonly location: string;
  readonly expandable: boolean;
  /** The declared type (undefined for void, and for a row of a multi-dimensional array). */
  readonly type: Die | undefined;
  /** For a bitfield in memory: the address its bits count from (`address` is then undefined). */
  readonly bitField: { address: number; bitOffset: number; bitSize: number } | undefined;
  /** Elements of an array, slice or Vec (children() are those, paged by start/count); else undefined. */
  readonly indexedCount: number | undefined;
  /** All children (arrays and sequences capped at maxChildren), or elements start..start+count-1. */
  children(start?: number, count?: number): Value[];
  /** The summary with integers written in `format` (the plain `summary` is decimal). */
  summaryIn(format: ValueFormat): string;
  /** A scalar's number (integer, bool, char, float, C enum, pointer's address); undefined for aggregates or unreadable ones. */
  numeric(): number | undefined;
}

// DWARF tags and attributes (DWARF 5 section 7.5).
const TAG_ARRAY = 0x01;
const TAG_CLASS = 0x02;
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
const TAG_VARIANT_PART = 0x33;
const TAG_RVALUE_REFERENCE = 0x42;
const AT_BYTE_SIZE = 0x0b;
const AT_BIT_OFFSET = 0x0c;
const AT_BIT_SIZE = 0x0d;
const AT_LANGUAGE = 0x13;
const AT_DISCR = 0x15;
const AT_DISCR_VALUE = 0x16;
const AT_CONST_VALUE = 0x1c;
const AT_DATA_MEMBER_LOCATION = 0x38;
const AT_ENCODING = 0x3e;
const AT_TYPE = 0x49;
const AT_DATA_BIT_OFFSET = 0x6b;
const ATE_ADDRESS = 0x01;
const ATE_BOOLEAN = 0x02;
const ATE_FLOAT = 0x04;
const ATE_SIGNED = 0x05;
const ATE_SIGNED_CHAR = 0x06;
const ATE_UNSIGNED_CHAR = 0x08;
const ATE_UTF = 0x10;
const LANG_RUST = 0x1c;

const MAX_DEPTH = 12;
/** Longest one-line summary before it is cut with `…`. */
const SUMMARY_LIMIT = 240;

// --- where the bytes are -----------------------------------------------------------------------

/** The bytes of a value: in target memory (read on demand), or already in hand. */
type Storage = { kind: 'memory'; address: number } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'none'; why: string };

function readStorage(target: ValueTarget, s: Storage, offset: number, length: number): Uint8Array | undefined {
  if (length === 0) return new Uint8Array(0);
  if (s.kind === 'memory') return target.readMemory((s.address + offset) >>> 0, length);
  if (s.kind === 'bytes') return offset + length <= s.bytes.length ? s.bytes.subarray(offset, offset + length) : undefined;
  return undefined;
}

function subStorage(s: Storage, offset: number): Storage {
  if (s.kind === 'memory') return { kind: 'memory', address: (s.address + offset) >>> 0 };
  if (s.kind === 'bytes') return { kind: 'bytes', bytes: s.bytes.subarray(Math.min(offset, s.bytes.length)) };
  return s;
}

function le32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/**
 * A register's bytes; a value wider than 4 bytes continues in the next registers (AAPCS pairs). A
 * d register (DWARF 256–287) is read as its two s halves (64 + 2n, 65 + 2n): compilers describe an
 * f32 in s(2n) as living in dn, and the target only has to know the s registers.
 */
function registerBytes(target: ValueTarget, register: number, size: number): Uint8Array | undefined {
  if (register >= 256 && register < 272) return registerBytes(target, 64 + 2 * (register - 256), Math.max(size, 8));
  const n = Math.max(1, Math.ceil(size / 4));
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const v = target.readRegister(register + i);
    if (v === undefined) return undefined;
    out.set(le32(v), i * 4);
  }
  return out;
}

function storageOf(location: Location, size: number, target: ValueTarget): Storage {
  switch (location.kind) {
    case 'memory':
      return { kind: 'memory', address: location.address >>> 0 };
    case 'register': {
      const bytes = registerBytes(target, location.register, size);
      return bytes ? { kind: 'bytes', bytes } : { kind: 'none', why: '<unavailable>' };
    }
    case 'value':
      return { kind: 'bytes', bytes: le32(location.value) };
    case 'implicit':
      return { kind: 'bytes', bytes: location.bytes };
    case 'pieces': {
      // DWARF 5 section 2.6.1.2: the pieces are concatenated, lowest-addressed (least significant) first.
      const total = location.pieces.reduce((n, p) => n + p.sizeInBits, 0);
      const out = new Uint8Array(Math.max(size, Math.ceil(total / 8)));
      let bit = 0;
      for (const p of location.pieces) {
        const bytesNeeded = Math.ceil((p.sizeInBits + p.offsetInBits) / 8);
        const src = p.location ? storageOf(p.location, bytesNeeded, target) : undefined;
        const bytes = src ? readStorage(target, src, 0, bytesNeeded) : undefined;
        if (!bytes) return { kind: 'none', why: p.location ? '<unavailable>' : '<optimized out>' };
        for (let i = 0; i < p.sizeInBits; i++) {
          const from = p.offsetInBits + i;
          if ((bytes[from >> 3] >> (from & 7)) & 1) out[(bit + i) >> 3] |= 1 << ((bit + i) & 7);
        }
        bit += p.sizeInBits;
      }
      return { kind: 'bytes', bytes: out };
    }
    case 'optimizedOut':
      return { kind: 'none', why: '<optimized out>' };
  }
}

function locationText(location: Location): string {
  switch (location.kind) {
    case 'memory':
      return hex(location.address);
    case 'register':
      return registerName(location.register);
    case 'value':
    case 'implicit':
      return 'value';
    case 'pieces':
      return 'pieces';
    case 'optimizedOut':
      return 'optimized out';
  }
}

function registerName(n: number): string {
  if (n <= 12) return `r${n}`;
  if (n === 13) return 'sp';
  if (n === 14) return 'lr';
  if (n === 15) return 'pc';
  if (n >= 64 && n <= 95) return `s${n - 64}`;
  if (n >= 256 && n <= 287) return `d${n - 256}`;
  return `dwarf register ${n}`;
}

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

// --- reading numbers ---------------------------------------------------------------------------

function unsignedOf(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

function signedOf(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt.asIntN(bytes.length * 8, unsignedOf(bytes));
}

function u32Of(bytes: Uint8Array): number {
  return Number(unsignedOf(bytes.subarray(0, 4)) & 0xffffffffn);
}

/** The shortest decimal that reads back as the same f32. */
function formatF32(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'inf' : '-inf';
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

function formatF64(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'inf' : '-inf';
  return String(v);
}

function quoteChar(code: number): string {
  switch (code) {
    case 0:
      return '\\0';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x27:
      return "\\'";
    case 0x5c:
      return '\\\\';
  }
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return `\\u{${code.toString(16)}}`;
  return String.fromCodePoint(code);
}

function quoteString(text: string): string {
  return `"${text.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!)}"`;
}

const utf8 = new TextDecoder('utf-8');

/** Bytes as a C string literal: printable ASCII as is, the rest as escapes. */
function quoteBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else if (b === 0x0a) out += '\\n';
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out + '"';
}

// --- the reader ----------------------------------------------------------------------------------

interface Context {
  target: ValueTarget;
  maxChildren: number;
  summaryElements: number;
  stringLimit: number;
  pointees: boolean;
  /** Integers in hex while a summaryIn({ hex: true }) renders; summaries are cached per setting. */
  hex: boolean;
}

/** Pointers followed in one summary (a linked list would otherwise run to the depth limit). */
const POINTEE_DEPTH = 4;

function isRust(type: Die | undefined): boolean {
  if (!type) return false;
  return rustUnits.get(type.unit) ?? cacheLanguage(type.unit);
}
const rustUnits = new WeakMap<Unit, boolean>();
function cacheLanguage(unit: Unit): boolean {
  const rust = unit.root().number(AT_LANGUAGE) === LANG_RUST;
  rustUnits.set(unit, rust);
  return rust;
}

/** Byte offset of a member in its parent (a constant or, in DWARF 2, DW_OP_plus_uconst). */
function memberOffset(member: Die): number {
  const a = member.attr(AT_DATA_MEMBER_LOCATION);
  if (!a) return 0;
  if (a.value instanceof Uint8Array) {
    const e = a.value;
    if (e[0] === 0x23) {
      let v = 0;
      let shift = 0;
      for (let i = 1; i < e.length; i++) {
        v += (e[i] & 0x7f) * 2 ** shift;
        shift += 7;
        if ((e[i] & 0x80) === 0) break;
      }
      return v;
    }
    return 0;
  }
  return member.unit.numberValue(a);
}

/** A struct/union/class's data members, excluding the artificial discriminant and variant parts. */
function dataMembers(type: Die): Die[] {
  return type.children().filter((c) => c.tag === TAG_MEMBER);
}

function memberType(member: Die): Die | undefined {
  return member.referenced(AT_TYPE);
}

function elementCounts(array: Die): Array<number | undefined> {
  const dims = array.children().filter((c) => c.tag === TAG_SUBRANGE || c.tag === TAG_ENUMERATION).map((c) => (c.tag === TAG_SUBRANGE ? arrayCount(c) : undefined));
  return dims.length ? dims : [undefined];
}

function shortTypeName(type: Die | undefined): string {
  const name = typeName(type);
  // `alloc::vec::Vec<u32>` → `Vec<u32>` only for the path before the first generic argument.
  const lt = name.indexOf('<');
  const head = lt < 0 ? name : name.slice(0, lt);
  const cut = head.lastIndexOf('::');
  return cut < 0 ? name : name.slice(cut + 2);
}

class ValueNode implements Value {
  private summaryCache?: string;
  private hexSummaryCache?: string;
  private childCache?: Value[];

  constructor(
    readonly name: string,
    /** The declared type (typedefs and qualifiers kept for the name). */
    readonly type: Die | undefined,
    private readonly storage: Storage,
    readonly location: string,
    private readonly ctx: Context,
    private readonly depth: number,
    /** For bitfields: which bits of the storage hold the value. */
    private readonly bits?: { offset: number; size: number; storageBytes: number },
  ) {}

  get typeName(): string {
    return typeName(this.type);
  }

  get address(): number | undefined {
    return this.storage.kind === 'memory' && !this.bits ? this.storage.address : undefined;
  }

  private get resolved(): Die | undefined {
    return resolveType(this.type);
  }

  private get size(): number {
    return typeSize(this.type, 4) ?? 0;
  }

  private read(offset: number, length: number): Uint8Array | undefined {
    return readStorage(this.ctx.target, this.storage, offset, length);
  }

  get summary(): string {
    const cached = this.ctx.hex ? this.hexSummaryCache : this.summaryCache;
    if (cached !== undefined) return cached;
    let s: string;
    try {
      s = this.depth > MAX_DEPTH ? '…' : this.storage.kind === 'none' ? this.storage.why : this.render();
    } catch (e) {
      s = `<error: ${(e as Error).message}>`;
    }
    if (s.length > SUMMARY_LIMIT) s = `${s.slice(0, SUMMARY_LIMIT - 1)}…`;
    if (this.ctx.hex) this.hexSummaryCache = s;
    else this.summaryCache = s;
    return s;
  }

  summaryIn(format: ValueFormat): string {
    return summaryWith(this.ctx, format, () => this.summary);
  }

  get bitField(): { address: number; bitOffset: number; bitSize: number } | undefined {
    return this.bits && this.storage.kind === 'memory' ? { address: this.storage.address, bitOffset: this.bits.offset, bitSize: this.bits.size } : undefined;
  }

  numeric(): number | undefined {
    if (this.storage.kind === 'none') return undefined;
    const t = this.resolved;
    if (!t) return undefined;
    switch (t.tag) {
      case TAG_BASE: {
        const size = t.number(AT_BYTE_SIZE) ?? 0;
        const encoding = t.number(AT_ENCODING) ?? 0;
        if (encoding === ATE_FLOAT && !this.bits) {
          const bytes = this.read(0, size);
          if (!bytes || (size !== 4 && size !== 8)) return undefined;
          const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          return size === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
        }
        const v = this.scalar(size, encoding === ATE_SIGNED || encoding === ATE_SIGNED_CHAR);
        return v === undefined ? undefined : Number(v);
      }
      case TAG_ENUMERATION: {
        const underlying = resolveType(t.referenced(AT_TYPE));
        const v = this.scalar(t.number(AT_BYTE_SIZE) ?? 4, underlying ? [ATE_SIGNED, ATE_SIGNED_CHAR].includes(underlying.number(AT_ENCODING) ?? 0) : false);
        return v === undefined ? undefined : Number(v);
      }
      case TAG_POINTER:
      case TAG_REFERENCE:
      case TAG_RVALUE_REFERENCE:
        return this.pointerValue();
      default:
        return undefined;
    }
  }

  get indexedCount(): number | undefined {
    if (this.storage.kind === 'none' || this.depth > MAX_DEPTH) return undefined;
    const t = this.resolved;
    if (!t) return undefined;
    if (t.tag === TAG_ARRAY) return elementCounts(t)[0] ?? 0;
    if ((t.tag === TAG_STRUCTURE || t.tag === TAG_CLASS) && isRust(t)) {
      try {
        return this.rustSpecial(t)?.length;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  get expandable(): boolean {
    if (this.storage.kind === 'none' || this.depth > MAX_DEPTH) return false;
    const t = this.resolved;
    if (!t) return false;
    switch (t.tag) {
      case TAG_STRUCTURE:
      case TAG_CLASS:
      case TAG_UNION:
      case TAG_ARRAY:
        return true;
      case TAG_POINTER:
      case TAG_REFERENCE:
      case TAG_RVALUE_REFERENCE: {
        const target = resolveType(t.referenced(AT_TYPE));
        return target !== undefined && target.tag !== TAG_SUBROUTINE_TYPE && (typeSize(target) ?? 1) > 0;
      }
      default:
        return false;
    }
  }

  children(start?: number, count?: number): Value[] {
    if (start !== undefined || count !== undefined) {
      const from = Math.max(0, start ?? 0);
      const t = this.resolved;
      const total = this.indexedCount;
      if (!t || total === undefined) return this.children().slice(from, count === undefined ? undefined : from + count);
      const to = Math.min(total, count === undefined ? total : from + count);
      try {
        if (t.tag === TAG_ARRAY) return this.arrayElements(t, to, from);
        return this.rustSpecial(t)?.children(from, to) ?? [];
      } catch {
        return [];
      }
    }
    if (!this.childCache) {
      try {
        this.childCache = this.expandable ? this.makeChildren() : [];
      } catch {
        this.childCache = [];
      }
    }
    return this.childCache;
  }

  private child(name: string, type: Die | undefined, offset: number): ValueNode {
    const storage = subStorage(this.storage, offset);
    const location = storage.kind === 'memory' ? hex(storage.address) : this.location;
    return new ValueNode(name, type, storage, location, this.ctx, this.depth + 1);
  }

  /** A data member; `base` is added for fields of an enum variant (the variant's own offset). */
  private memberChild(member: Die, name: string, base = 0): ValueNode {
    const type = memberType(member);
    const bitSize = member.number(AT_BIT_SIZE);
    if (bitSize === undefined) return this.child(name, type, base + memberOffset(member));
    // A bitfield: DW_AT_data_bit_offset counts from the start of the containing object (DWARF 4+);
    // DWARF 2/3's DW_AT_bit_offset counts from the most significant bit of a storage unit of
    // DW_AT_byte_size at DW_AT_data_member_location (little-endian: flip it to count from bit 0).
    let bitOffset: number;
    const dataBit = member.number(AT_DATA_BIT_OFFSET);
    if (dataBit !== undefined) {
      bitOffset = (base + memberOffset(member)) * 8 + dataBit;
    } else {
      const unitBytes = member.number(AT_BYTE_SIZE) ?? typeSize(type) ?? 4;
      bitOffset = (base + memberOffset(member)) * 8 + unitBytes * 8 - (member.number(AT_BIT_OFFSET) ?? 0) - bitSize;
    }
    const firstByte = Math.floor(bitOffset / 8);
    const storageBytes = Math.ceil((bitOffset - firstByte * 8 + bitSize) / 8);
    const storage = subStorage(this.storage, firstByte);
    const location = storage.kind === 'memory' ? `${hex(storage.address)} bits ${bitOffset - firstByte * 8}..${bitOffset - firstByte * 8 + bitSize - 1}` : this.location;
    return new ValueNode(name, type, storage, location, this.ctx, this.depth + 1, { offset: bitOffset - firstByte * 8, size: bitSize, storageBytes });
  }

  // --- rendering --------------------------------------------------------------------------------

  private render(): string {
    const t = this.resolved;
    if (!t) return this.type ? '<unknown type>' : 'void';
    switch (t.tag) {
      case TAG_BASE:
        return this.renderBase(t);
      case TAG_ENUMERATION:
        return this.renderEnum(t);
      case TAG_POINTER:
      case TAG_REFERENCE:
      case TAG_RVALUE_REFERENCE:
        return this.renderPointer(t);
      case TAG_ARRAY:
        return this.renderArray(t);
      case TAG_STRUCTURE:
      case TAG_CLASS:
      case TAG_UNION:
        return this.renderStruct(t);
      case TAG_SUBROUTINE_TYPE:
        return '<function>';
      default:
        return `<${typeName(t)}>`;
    }
  }

  /** The raw integer of a scalar (bitfield bits extracted), or undefined when unreadable. */
  private scalar(size: number, signed: boolean): bigint | undefined {
    if (this.bits) {
      const bytes = this.read(0, this.bits.storageBytes);
      if (!bytes) return undefined;
      const raw = (unsignedOf(bytes) >> BigInt(this.bits.offset)) & ((1n << BigInt(this.bits.size)) - 1n);
      return signed ? BigInt.asIntN(this.bits.size, raw) : raw;
    }
    const bytes = this.read(0, size);
    if (!bytes) return undefined;
    return signed ? signedOf(bytes) : unsignedOf(bytes);
  }

  private renderBase(t: Die): string {
    const size = t.number(AT_BYTE_SIZE) ?? 0;
    const encoding = t.number(AT_ENCODING) ?? 0;
    if (size === 0) return t.name() === '()' ? '()' : '{}';
    if (encoding === ATE_FLOAT && !this.bits) {
      const bytes = this.read(0, size);
      if (!bytes) return '<unavailable>';
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (size === 4) return formatF32(view.getFloat32(0, true));
      if (size === 8) return formatF64(view.getFloat64(0, true));
      return `<${size}-byte float>`;
    }
    const signed = encoding === ATE_SIGNED || encoding === ATE_SIGNED_CHAR;
    const v = this.scalar(size, signed);
    if (v === undefined) return '<unavailable>';
    switch (encoding) {
      case ATE_BOOLEAN:
        return v === 0n ? 'false' : v === 1n ? 'true' : `${v}`;
      case ATE_SIGNED_CHAR:
      case ATE_UNSIGNED_CHAR:
        // C's char types; Rust's u8 is DW_ATE_unsigned and prints as a number.
        // A byte beyond ASCII is not a character on its own (its encoding is unknown): escape it.
        return `${v} '${Number(BigInt.asUintN(8, v)) >= 0x80 ? `\\x${BigInt.asUintN(8, v).toString(16)}` : quoteChar(Number(v))}'`;
      case ATE_UTF:
        return `${v} '${quoteChar(Number(v))}'`;
      case ATE_ADDRESS:
        return hex(Number(v));
      default:
        return this.ctx.hex ? hexInteger(v, this.bits?.size ?? size * 8) : `${v}`;
    }
  }

  private renderEnum(t: Die): string {
    const size = t.number(AT_BYTE_SIZE) ?? 4;
    const underlying = resolveType(t.referenced(AT_TYPE));
    const signed = underlying ? [ATE_SIGNED, ATE_SIGNED_CHAR].includes(underlying.number(AT_ENCODING) ?? 0) : false;
    const v = this.scalar(size, signed);
    if (v === undefined) return '<unavailable>';
    for (const e of t.children()) {
      if (e.tag !== TAG_ENUMERATOR) continue;
      const a = e.attr(AT_CONST_VALUE);
      if (!a) continue;
      const c = constantBigint(a.value);
      if (c !== undefined && BigInt.asUintN(size * 8, c) === BigInt.asUintN(size * 8, v)) return e.name() ?? `${v}`;
    }
    return this.ctx.hex ? hexInteger(v, size * 8) : `${v}`;
  }

  private pointerValue(): number | undefined {
    const bytes = this.read(0, 4);
    return bytes ? u32Of(bytes) : undefined;
  }

  private renderPointer(t: Die): string {
    const p = this.pointerValue();
    if (p === undefined) return '<unavailable>';
    const pointee = resolveType(t.referenced(AT_TYPE));
    // C strings: a char pointer shows the text it points at, as C programmers expect.
    if (!isRust(t) && pointee?.tag === TAG_BASE && pointee.number(AT_BYTE_SIZE) === 1) {
      const enc = pointee.number(AT_ENCODING);
      if ((enc === ATE_SIGNED_CHAR || enc === ATE_UNSIGNED_CHAR) && p !== 0) {
        const text = this.cString(p);
        return text === undefined ? hex(p) : `${hex(p)} ${text}`;
      }
    }
    return this.ctx.pointees ? this.withPointee(t, p) : hex(p);
  }

  /** `0x20000010 → Point { x: 3, y: -4 }` when the pointee can be read; the address alone otherwise. */
  private withPointee(t: Die, p: number): string {
    const pointee = t.referenced(AT_TYPE);
    const resolved = resolveType(pointee);
    const size = typeSize(pointee) ?? 0;
    if (p === 0 || !resolved || resolved.tag === TAG_SUBROUTINE_TYPE || size === 0 || this.depth >= POINTEE_DEPTH) return hex(p);
    if (!this.ctx.target.readMemory(p, Math.min(size, 4))) return hex(p);
    return `${hex(p)} → ${new ValueNode(`*${this.name}`, pointee, { kind: 'memory', address: p }, hex(p), this.ctx, this.depth + 1).summary}`;
  }

  /** A NUL-terminated string at `address`, quoted, cut at the string limit. */
  private cString(address: number): string | undefined {
    const bytes: number[] = [];
    for (let i = 0; i < this.ctx.stringLimit; i++) {
      const b = this.ctx.target.readMemory((address + i) >>> 0, 1);
      if (!b) return bytes.length ? quoteString(utf8.decode(new Uint8Array(bytes))) + '…' : undefined;
      if (b[0] === 0) return quoteString(utf8.decode(new Uint8Array(bytes)));
      bytes.push(b[0]);
    }
    return quoteString(utf8.decode(new Uint8Array(bytes))) + '…';
  }

  private stringAt(address: number, length: number): string {
    const n = Math.min(length, this.ctx.stringLimit);
    const bytes = n === 0 ? new Uint8Array(0) : this.ctx.target.readMemory(address >>> 0, n);
    if (!bytes) return `<unavailable string at ${hex(address)}>`;
    return quoteString(utf8.decode(bytes)) + (length > n ? '…' : '');
  }

  private renderArray(t: Die): string {
    const rust = isRust(t);
    const element = t.referenced(AT_TYPE);
    const counts = elementCounts(t);
    const elementSize = typeSize(element) ?? 0;
    // C char arrays read as strings up to the first NUL.
    const re = resolveType(element);
    if (!rust && counts.length === 1 && re?.tag === TAG_BASE && elementSize === 1 && [ATE_SIGNED_CHAR, ATE_UNSIGNED_CHAR].includes(re.number(AT_ENCODING) ?? 0)) {
      const n = Math.min(counts[0] ?? 0, this.ctx.stringLimit);
      const bytes = this.read(0, n);
      if (!bytes) return '<unavailable>';
      // Up to the first NUL when only NULs follow it (a C string in a buffer); otherwise every byte.
      const end = bytes.indexOf(0);
      const text = end >= 0 && bytes.subarray(end).every((b) => b === 0) ? bytes.subarray(0, end) : bytes;
      return quoteBytes(text) + ((counts[0] ?? 0) > n ? '…' : '');
    }
    return this.renderSequence(this.arrayElements(t), counts[0], rust);
  }

  private renderSequence(elements: Value[], total: number | undefined, rust: boolean): string {
    const shown = elements.slice(0, this.ctx.summaryElements).map((e) => e.summary);
    if ((total ?? elements.length) > shown.length) shown.push('…');
    return rust ? `[${shown.join(', ')}]` : `{${shown.join(', ')}}`;
  }

  /** Children of an array type: elements `from`..`limit`-1 of the first dimension (rows of a multi-dimensional one). */
  private arrayElements(t: Die, limit = this.ctx.maxChildren, from = 0): Value[] {
    const element = t.referenced(AT_TYPE);
    const counts = elementCounts(t);
    const inner = counts.slice(1);
    let stride = typeSize(element) ?? 0;
    for (const c of inner) stride *= c ?? 0;
    const n = Math.min(counts[0] ?? 0, limit);
    const out: Value[] = [];
    for (let i = from; i < n; i++) {
      if (inner.length === 0) {
        out.push(this.child(`[${i}]`, element, i * stride));
      } else {
        out.push(new SubArray(`[${i}]`, t, element, inner, subStorage(this.storage, i * stride), this.ctx, this.depth + 1));
      }
    }
    return out;
  }

  private renderStruct(t: Die): string {
    const rust = isRust(t);
    if (rust) {
      const special = this.rustSpecial(t);
      if (special) return special.summary();
      const variantPart = t.children().find((c) => c.tag === TAG_VARIANT_PART);
      if (variantPart) {
        const active = this.activeVariant(variantPart);
        if (!active) return '<invalid discriminant>';
        return this.renderFields(active.type, active.name, active.offset, true);
      }
    }
    return this.renderFields(t, rust ? shortTypeName(t) : '', 0, rust);
  }

  /** `Name { a: 1 }`, `Name(1, 2)`, `(1, 2)`, `Name` (Rust) or `{a = 1}` (C). */
  private renderFields(t: Die | undefined, name: string, offset: number, rust: boolean): string {
    const members = t ? dataMembers(t) : [];
    const parts: string[] = [];
    let length = 0;
    const tuple = members.length > 0 && members.every((m) => /^__\d+$/.test(m.name() ?? ''));
    for (const m of members) {
      const mname = m.name() ?? '';
      const v = this.memberChild(m, mname, offset);
      const text = rust ? (tuple ? v.summary : `${mname}: ${v.summary}`) : mname ? `${mname} = ${v.summary}` : v.summary;
      parts.push(text);
      length += text.length + 2;
      if (length > SUMMARY_LIMIT) {
        parts.push('…');
        break;
      }
    }
    if (!rust) return `{${parts.join(', ')}}`;
    if (members.length === 0) return name || '{}';
    if (tuple) return `${name.startsWith('(') ? '' : name}(${parts.join(', ')})`;
    return `${name} { ${parts.join(', ')} }`;
  }

  /** The variant of a Rust enum selected by its discriminant (DWARF 5 section 5.7.10). */
  private activeVariant(variantPart: Die): { name: string; type: Die | undefined; offset: number } | undefined {
    const discr = variantPart.referenced(AT_DISCR);
    let value: bigint | undefined;
    let bits = 0;
    if (discr) {
      const dtype = resolveType(memberType(discr));
      const size = typeSize(dtype) ?? 4;
      bits = size * 8;
      const bytes = this.read(memberOffset(discr), size);
      if (!bytes) return undefined;
      value = unsignedOf(bytes);
    }
    let fallback: Die | undefined;
    for (const variant of variantPart.children()) {
      if (variant.tag !== TAG_VARIANT) continue;
      const a = variant.attr(AT_DISCR_VALUE);
      if (!a) {
        fallback = variant; // the dataful variant of a niche layout: every other value
        continue;
      }
      const c = constantBigint(a.value);
      if (value !== undefined && c !== undefined && BigInt.asUintN(bits, c) === value) return variantMember(variant);
    }
    return fallback ? variantMember(fallback) : undefined;
  }

  /** Vec, String, &str, slices, Box: the shapes with a data pointer and a length. */
  private rustSpecial(t: Die): RustSpecial | undefined {
    const name = typeName(t);
    const members = dataMembers(t);
    const byName = (n: string) => members.find((m) => m.name() === n);
    const dataPtr = byName('data_ptr');
    const length = byName('length');
    if (dataPtr && length && members.length === 2) {
      const ptr = this.memberChild(dataPtr, 'data_ptr');
      const len = Number(this.memberChild(length, 'length').scalar(4, false) ?? 0n);
      const p = ptr.pointerValue();
      if (/^&(mut )?str$|^\*(const|mut) str$/.test(name)) {
        return { summary: () => (p === undefined ? '<unavailable>' : this.stringAt(p, len)), children: () => [] };
      }
      const element = resolveType(dataPtr.referenced(AT_TYPE))?.referenced(AT_TYPE);
      return this.sequence(p, len, element);
    }
    if (/^(alloc::vec::)?Vec<|^(alloc::string::)?String$/.test(name)) {
      if (/String$/.test(name)) {
        const vec = byName('vec');
        if (!vec) return undefined;
        const inner = this.memberChild(vec, 'vec');
        const parts = inner.vecParts();
        if (!parts) return undefined;
        return { summary: () => (parts.ptr === undefined ? '<unavailable>' : this.stringAt(parts.ptr, parts.len)), children: () => [] };
      }
      const parts = this.vecParts();
      if (!parts) return undefined;
      return this.sequence(parts.ptr, parts.len, parts.element);
    }
    return undefined;
  }

  /** A Vec's element pointer (found by following buf → ptr → pointer … to the first pointer), length and element type. */
  private vecParts(): { ptr: number | undefined; len: number; element: Die | undefined } | undefined {
    const t = this.resolved;
    if (!t) return undefined;
    const members = dataMembers(t);
    const lenMember = members.find((m) => m.name() === 'len');
    const buf = members.find((m) => m.name() === 'buf');
    if (!lenMember || !buf) return undefined;
    let node: ValueNode = this.memberChild(buf, 'buf');
    for (let i = 0; i < 8; i++) {
      const nt = node.resolved;
      if (!nt) return undefined;
      if (nt.tag === TAG_POINTER) {
        return { ptr: node.pointerValue(), len: Number(this.memberChild(lenMember, 'len').scalar(4, false) ?? 0n), element: nt.referenced(AT_TYPE) };
      }
      const first = dataMembers(nt).find((m) => m.name() === 'ptr' || m.name() === 'pointer') ?? dataMembers(nt)[0];
      if (!first) return undefined;
      node = node.memberChild(first, first.name() ?? '');
    }
    return undefined;
  }

  private sequence(ptr: number | undefined, len: number, element: Die | undefined): RustSpecial {
    const size = typeSize(element) ?? 0;
    const elements = (limit: number, from = 0) => {
      const out: Value[] = [];
      if (ptr === undefined) return out;
      for (let i = from; i < Math.min(len, limit); i++) {
        const address = (ptr + i * size) >>> 0;
        out.push(new ValueNode(`[${i}]`, element, { kind: 'memory', address }, hex(address), this.ctx, this.depth + 1));
      }
      return out;
    };
    return {
      summary: () => (ptr === undefined ? '<unavailable>' : this.renderSequence(elements(this.ctx.summaryElements), len, true)),
      children: (from = 0, to = this.ctx.maxChildren) => elements(to, from),
      length: ptr === undefined ? undefined : len,
    };
  }

  private makeChildren(): Value[] {
    const t = this.resolved!;
    switch (t.tag) {
      case TAG_ARRAY:
        return this.arrayElements(t);
      case TAG_POINTER:
      case TAG_REFERENCE:
      case TAG_RVALUE_REFERENCE: {
        const p = this.pointerValue();
        // Nothing to expand behind a null or dangling pointer.
        if (p === undefined || p === 0 || !this.ctx.target.readMemory(p, 1)) return [];
        const pointee = t.referenced(AT_TYPE);
        return [new ValueNode(`*${this.name}`, pointee, { kind: 'memory', address: p }, hex(p), this.ctx, this.depth + 1)];
      }
      default: {
        const rust = isRust(t);
        if (rust) {
          const special = this.rustSpecial(t);
          if (special) return special.children();
          const variantPart = t.children().find((c) => c.tag === TAG_VARIANT_PART);
          if (variantPart) {
            const active = this.activeVariant(variantPart);
            if (!active?.type) return [];
            return dataMembers(active.type).map((m) => this.memberChild(m, m.name() ?? '', active.offset));
          }
        }
        return dataMembers(t).map((m) => this.memberChild(m, m.name() ?? ''));
      }
    }
  }
}

/** A Rust value shown by its contents: a string (no children) or a sequence of `length` elements. */
interface RustSpecial {
  summary(): string;
  /** Elements `from`..`to`-1 (all up to maxChildren by default). */
  children(from?: number, to?: number): Value[];
  length?: number;
}

/** Integers in hex are the two's-complement bits of the value's width, as a debugger's /x shows them. */
function hexInteger(v: bigint, bits: number): string {
  return `0x${BigInt.asUintN(Math.max(bits, 1), v).toString(16)}`;
}

/** Renders with `format` in effect for the whole tree (summaries are cached per format). */
function summaryWith(ctx: Context, format: ValueFormat, render: () => string): string {
  const saved = ctx.hex;
  ctx.hex = format.hex ?? false;
  try {
    return render();
  } finally {
    ctx.hex = saved;
  }
}

function variantMember(variant: Die): { name: string; type: Die | undefined; offset: number } {
  const member = variant.children().find((c) => c.tag === TAG_MEMBER);
  return { name: member?.name() ?? '', type: member ? memberType(member) : undefined, offset: member ? memberOffset(member) : 0 };
}

function constantBigint(v: unknown): bigint | undefined {
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (v instanceof Uint8Array) return unsignedOf(v);
  return undefined;
}

/** One row of a multi-dimensional array: an array value without a type DIE of its own. */
class SubArray implements Value {
  private cache?: Value[];
  constructor(
    readonly name: string,
    private readonly arrayType: Die,
    private readonly element: Die | undefined,
    private readonly counts: Array<number | undefined>,
    private readonly storage: Storage,
    private readonly ctx: Context,
    private readonly depth: number,
  ) {}

  get typeName(): string {
    return `${typeName(this.element)}${this.counts.map((c) => `[${c ?? ''}]`).join('')}`;
  }

  get address(): number | undefined {
    return this.storage.kind === 'memory' ? this.storage.address : undefined;
  }

  get location(): string {
    return this.storage.kind === 'memory' ? hex(this.storage.address) : 'value';
  }

  readonly expandable = true;
  readonly type = undefined;
  readonly bitField = undefined;

  numeric(): undefined {
    return undefined;
  }

  get indexedCount(): number {
    return this.counts[0] ?? 0;
  }

  summaryIn(format: ValueFormat): string {
    return summaryWith(this.ctx, format, () => this.summary);
  }

  get summary(): string {
    const rust = isRust(this.arrayType);
    const shown = this.elements(this.ctx.summaryElements).map((e) => e.summary);
    if ((this.counts[0] ?? 0) > shown.length) shown.push('…');
    return rust ? `[${shown.join(', ')}]` : `{${shown.join(', ')}}`;
  }

  children(start?: number, count?: number): Value[] {
    if (start === undefined && count === undefined) return (this.cache ??= this.elements(this.ctx.maxChildren));
    const from = Math.max(0, start ?? 0);
    return this.elements(count === undefined ? this.indexedCount : from + count, from);
  }

  private elements(limit: number, from = 0): Value[] {
    const inner = this.counts.slice(1);
    let stride = typeSize(this.element) ?? 0;
    for (const c of inner) stride *= c ?? 0;
    const out: Value[] = [];
    for (let i = from; i < Math.min(this.counts[0] ?? 0, limit); i++) {
      const s = subStorage(this.storage, i * stride);
      if (inner.length === 0) {
        out.push(new ValueNode(`[${i}]`, this.element, s, s.kind === 'memory' ? hex(s.address) : 'value', this.ctx, this.depth + 1));
      } else {
        out.push(new SubArray(`[${i}]`, this.arrayType, this.element, inner, s, this.ctx, this.depth + 1));
      }
    }
    return out;
  }
}

function contextOf(target: ValueTarget, options: ValueOptions = {}): Context {
  return {
    target,
    maxChildren: options.maxChildren ?? 1000,
    summaryElements: options.summaryElements ?? 10,
    stringLimit: options.stringLimit ?? 200,
    pointees: options.pointees ?? false,
    hex: false,
  };
}

/** A value of `type` at `location` (as evaluated by DebugInfo.locate or evaluateLocation). */
export function valueAt(name: string, type: Die | undefined, location: Location, target: ValueTarget, options?: ValueOptions): Value {
  const size = typeSize(type) ?? 4;
  return new ValueNode(name, type, storageOf(location, size, target), locationText(location), contextOf(target, options), 0);
}

/**
 * A bitfield of `type` whose `bitSize` bits start `bitOffset` bits (0–7) above the byte at
 * `address`: what a debugger re-reads after writing a bitfield a Value's `bitField` described.
 */
export function bitFieldAt(name: string, type: Die | undefined, address: number, bitOffset: number, bitSize: number, target: ValueTarget, options?: ValueOptions): Value {
  const storage: Storage = { kind: 'memory', address: address >>> 0 };
  const storageBytes = Math.ceil((bitOffset + bitSize) / 8);
  const location = `${hex(address)} bits ${bitOffset}..${bitOffset + bitSize - 1}`;
  return new ValueNode(name, type, storage, location, contextOf(target, options), 0, { offset: bitOffset, size: bitSize, storageBytes });
}

/** A parameter or local variable of a frame stopped at `pc`, or a global. */
export function readVariable(debugInfo: DebugInfo, variable: VariableInfo, pc: number, target: ValueTarget, options?: ValueOptions): Value {
  const ctx: ExpressionContext = {
    readRegister: (n) => {
      const v = target.readRegister(n);
      if (v === undefined) throw new Error(`register ${registerName(n)} is not known in this frame`);
      return v;
    },
    readMemory: (address, size) => {
      const b = target.readMemory(address >>> 0, size);
      if (!b) throw new Error(`memory at ${hex(address)} cannot be read`);
      return Number(unsignedOf(b) & 0xffffffffn);
    },
    cfa: target.cfa,
  };
  let location: Location;
  try {
    location = debugInfo.locate(variable, pc, ctx);
  } catch {
    const node = new ValueNode(variable.name, variable.type, { kind: 'none', why: '<unavailable>' }, 'unavailable', contextOf(target, options), 0);
    return node;
  }
  return valueAt(variable.name, variable.type, location, target, options);
}
