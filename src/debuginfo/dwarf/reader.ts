// A bounds-checked little-endian cursor over one DWARF section. Every section reader is built on
// this; an out-of-range read throws a DwarfError naming the section and the offset, so a corrupt
// file produces a message a user can act on rather than a RangeError from a DataView.

/** Thrown for malformed or unsupported DWARF; the message names the section and offset. */
export class DwarfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DwarfError';
  }
}

export function dwarfError(section: string, offset: number, what: string): DwarfError {
  return new DwarfError(`${section}: offset 0x${offset.toString(16)}: ${what}`);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Reads a NUL-terminated string at `offset` of `data` (a string section). */
export function stringAt(data: Uint8Array, offset: number, section: string): string {
  if (offset < 0 || offset >= data.length) throw dwarfError(section, offset, `string offset is past the end of the section (size 0x${data.length.toString(16)})`);
  let end = offset;
  while (end < data.length && data[end] !== 0) end++;
  if (end === data.length) throw dwarfError(section, offset, 'string is not NUL-terminated');
  return decodeString(data, offset, end);
}

function decodeString(data: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = data[i];
    if (c >= 0x80) return utf8.decode(data.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}

export class DwarfReader {
  /** Current position, relative to the start of `data`. */
  offset: number;
  /** One past the last readable byte. */
  readonly end: number;
  private readonly view: DataView;

  constructor(
    readonly data: Uint8Array,
    /** Section name used in error messages, e.g. ".debug_line". */
    readonly section: string,
    offset = 0,
    end = data.length,
  ) {
    this.offset = offset;
    this.end = Math.min(end, data.length);
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get atEnd(): boolean {
    return this.offset >= this.end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  error(what: string, at = this.offset): DwarfError {
    return dwarfError(this.section, at, what);
  }

  private need(n: number, what: string): void {
    if (this.offset + n > this.end) {
      throw this.error(`${what} needs ${n} byte(s) but only ${Math.max(0, this.end - this.offset)} remain`);
    }
  }

  /** A reader over the next `length` bytes; this reader skips past them. */
  sub(length: number, what = 'block'): DwarfReader {
    this.need(length, what);
    const r = new DwarfReader(this.data, this.section, this.offset, this.offset + length);
    this.offset += length;
    return r;
  }

  seek(offset: number): void {
    if (offset < 0 || offset > this.end) throw this.error(`seek to 0x${offset.toString(16)} is out of range`);
    this.offset = offset;
  }

  skip(n: number): void {
    this.need(n, 'skip');
    this.offset += n;
  }

  bytes(n: number): Uint8Array {
    this.need(n, 'bytes');
    const b = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  u8(): number {
    this.need(1, 'u8');
    return this.data[this.offset++];
  }

  i8(): number {
    this.need(1, 'i8');
    return (this.data[this.offset++] << 24) >> 24;
  }

  u16(): number {
    this.need(2, 'u16');
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }

  i16(): number {
    this.need(2, 'i16');
    const v = this.view.getInt16(this.offset, true);
    this.offset += 2;
    return v;
  }

  u24(): number {
    this.need(3, 'u24');
    const o = this.offset;
    this.offset += 3;
    return this.data[o] | (this.data[o + 1] << 8) | (this.data[o + 2] << 16);
  }

  u32(): number {
    this.need(4, 'u32');
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  i32(): number {
    this.need(4, 'i32');
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }

  /** A 64-bit value as a number (exact below 2^53, which covers every offset and 32-bit address). */
  u64(): number {
    this.need(8, 'u64');
    const lo = this.view.getUint32(this.offset, true);
    const hi = this.view.getUint32(this.offset + 4, true);
    this.offset += 8;
    return hi * 0x100000000 + lo;
  }

  i64(): number {
    this.need(8, 'i64');
    const lo = this.view.getUint32(this.offset, true);
    const hi = this.view.getInt32(this.offset + 4, true);
    this.offset += 8;
    return hi * 0x100000000 + lo;
  }

  u64big(): bigint {
    this.need(8, 'u64');
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128 (DWARF 5 section 7.6). Values above 2^53 lose precision rather than fail. */
  uleb(): number {
    let result = 0;
    let scale = 1;
    const start = this.offset;
    while (true) {
      if (this.offset >= this.end) throw this.error('ULEB128 runs past the end', start);
      const b = this.data[this.offset++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  }

  /** Signed LEB128. */
  sleb(): number {
    let result = 0;
    let scale = 1;
    const start = this.offset;
    while (true) {
      if (this.offset >= this.end) throw this.error('SLEB128 runs past the end', start);
      const b = this.data[this.offset++];
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= scale;
        return result;
      }
    }
  }

  /**
   * An initial length field (DWARF 5 section 7.4): 0xffffffff introduces the 64-bit format.
   * Returns the unit length and whether offsets in the unit are 8 bytes.
   */
  initialLength(): { length: number; is64: boolean } {
    const at = this.offset;
    const l = this.u32();
    if (l === 0xffffffff) return { length: this.u64(), is64: true };
    if (l >= 0xfffffff0) throw this.error(`reserved initial length 0x${l.toString(16)}`, at);
    return { length: l, is64: false };
  }

  /** A section offset: 4 bytes in 32-bit DWARF, 8 in 64-bit DWARF. */
  sectionOffset(is64: boolean): number {
    return is64 ? this.u64() : this.u32();
  }

  /** A target address of `size` bytes (1, 2, 4 or 8). */
  address(size: number): number {
    switch (size) {
      case 4:
        return this.u32();
      case 8:
        return this.u64();
      case 2:
        return this.u16();
      case 1:
        return this.u8();
      default:
        throw this.error(`unsupported address size ${size}`);
    }
  }

  /** An unsigned value of `size` bytes. */
  unsigned(size: number): number {
    return this.address(size);
  }

  /** A NUL-terminated string. */
  cstr(): string {
    const start = this.offset;
    let i = start;
    while (i < this.end && this.data[i] !== 0) i++;
    if (i >= this.end) throw this.error('string is not NUL-terminated', start);
    this.offset = i + 1;
    return decodeString(this.data, start, i);
  }
}
