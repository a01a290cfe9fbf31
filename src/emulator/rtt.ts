// Real-time transfer (RTT): the firmware keeps ring buffers in its own RAM, described by a control
// block that starts with the ID string "SEGGER RTT"; a debug probe reads the "up" buffers (target
// to host) and writes the "down" buffers (host to target) through memory accesses while the core
// runs. This is the host side of that protocol over a Machine's peek/poke, as a probe does it: it
// reads WrOff, copies the bytes up to it and writes RdOff back into target memory.
//
// Control block layout (32-bit target, all fields little-endian words):
//   +0   char id[16]              "SEGGER RTT\0…"
//   +16  int  maxNumUpBuffers
//   +20  int  maxNumDownBuffers
//   +24  up buffers[maxNumUpBuffers], then down buffers[maxNumDownBuffers], 24 bytes each:
//        +0 const char *name, +4 char *buffer, +8 unsigned size, +12 unsigned wrOff,
//        +16 unsigned rdOff, +20 unsigned flags
// Up buffers: the target writes at wrOff, the host reads from rdOff. Down buffers: the host writes
// at wrOff (leaving one byte free so full and empty differ), the target reads from rdOff.

export interface RttMemory {
  peek(address: number, size: 1 | 2 | 4): number | null;
  poke(address: number, size: 1 | 2 | 4, value: number): boolean;
}

export interface RttRange {
  base: number;
  size: number;
}

export const RTT_ID = 'SEGGER RTT';
const ID_BYTES = 16;
const HEADER_BYTES = 24;
const DESCRIPTOR_BYTES = 24;
/** More channels than any firmware uses: a larger count means the block is not (yet) valid. */
const MAX_CHANNELS = 64;
/** Ring buffers larger than this are taken as garbage rather than read. */
const MAX_BUFFER_BYTES = 16 * 1024 * 1024;

export interface RttChannel {
  index: number;
  /** The channel's name from the firmware ("Terminal", "defmt"), '' when it has none. */
  name: string;
  /** Address of the channel's descriptor in the control block. */
  descriptor: number;
}

/** True when the 16 bytes at `address` are the RTT ID ("SEGGER RTT" and a NUL). */
function hasId(mem: RttMemory, address: number): boolean {
  for (let i = 0; i <= RTT_ID.length; i++) {
    const b = mem.peek((address + i) >>> 0, 1);
    const want = i < RTT_ID.length ? RTT_ID.charCodeAt(i) : 0;
    if (b !== want) return false;
  }
  return true;
}

/** "SEGG" as a little-endian word: the scan compares words, not bytes. */
const ID_FIRST_WORD = 0x47474553;

/**
 * Scans `ranges` (word-aligned: compilers align the control block to at least 4) for the RTT ID;
 * the address of the first control block found, or null.
 */
export function findRttControlBlock(mem: RttMemory, ranges: readonly RttRange[]): number | null {
  for (const r of ranges) {
    const end = r.base + r.size - ID_BYTES;
    for (let a = (r.base + 3) & ~3; a <= end; a += 4) {
      if (mem.peek(a >>> 0, 4) === ID_FIRST_WORD && hasId(mem, a >>> 0)) return a >>> 0;
    }
  }
  return null;
}

function readCString(mem: RttMemory, address: number, max = 64): string {
  if (address === 0) return '';
  let s = '';
  for (let i = 0; i < max; i++) {
    const b = mem.peek((address + i) >>> 0, 1);
    if (b === null || b === 0) break;
    s += String.fromCharCode(b);
  }
  return s;
}

/** The host side of one RTT control block. */
export class RttControlBlock {
  readonly up: RttChannel[] = [];
  readonly down: RttChannel[] = [];

  private constructor(private readonly mem: RttMemory, readonly address: number) {}

  /**
   * Attaches to the control block at `address` when it holds the ID and sane channel counts;
   * null otherwise (the firmware may not have initialised it yet: try again later).
   */
  static attach(mem: RttMemory, address: number): RttControlBlock | null {
    if (!hasId(mem, address)) return null;
    const ups = mem.peek((address + ID_BYTES) >>> 0, 4);
    const downs = mem.peek((address + ID_BYTES + 4) >>> 0, 4);
    if (ups === null || downs === null || ups > MAX_CHANNELS || downs > MAX_CHANNELS) return null;
    const cb = new RttControlBlock(mem, address);
    for (let i = 0; i < ups; i++) {
      const descriptor = (address + HEADER_BYTES + i * DESCRIPTOR_BYTES) >>> 0;
      cb.up.push({ index: i, name: readCString(mem, mem.peek(descriptor, 4) ?? 0), descriptor });
    }
    for (let i = 0; i < downs; i++) {
      const descriptor = (address + HEADER_BYTES + (ups + i) * DESCRIPTOR_BYTES) >>> 0;
      cb.down.push({ index: i, name: readCString(mem, mem.peek(descriptor, 4) ?? 0), descriptor });
    }
    return cb;
  }

  /** Re-reads the channel names (the firmware may set them after the ID). */
  refreshNames(): void {
    for (const c of [...this.up, ...this.down]) c.name = readCString(this.mem, this.mem.peek(c.descriptor, 4) ?? 0);
  }

  /**
   * Takes what the firmware wrote to up channel `index` since the last read and advances its RdOff
   * in target memory (freeing the space for the firmware). Empty when there is nothing new or the
   * descriptor does not (yet) describe a valid buffer.
   */
  readUp(index: number): Uint8Array {
    const c = this.up[index];
    if (!c) return EMPTY;
    const mem = this.mem;
    const buffer = mem.peek((c.descriptor + 4) >>> 0, 4);
    const size = mem.peek((c.descriptor + 8) >>> 0, 4);
    const wr = mem.peek((c.descriptor + 12) >>> 0, 4);
    const rd = mem.peek((c.descriptor + 16) >>> 0, 4);
    if (buffer === null || size === null || wr === null || rd === null) return EMPTY;
    if (buffer === 0 || size === 0 || size > MAX_BUFFER_BYTES || wr >= size || rd >= size || wr === rd) return EMPTY;
    const count = wr > rd ? wr - rd : size - rd + wr;
    const out = new Uint8Array(count);
    let at = rd;
    for (let i = 0; i < count; i++) {
      out[i] = mem.peek((buffer + at) >>> 0, 1) ?? 0;
      if (++at === size) at = 0;
    }
    mem.poke((c.descriptor + 16) >>> 0, 4, wr);
    return out;
  }

  /**
   * Writes as much of `data` into down channel `index` as fits (one byte of the ring stays free)
   * and advances its WrOff; returns how many bytes were written (0 when full or invalid).
   */
  writeDown(index: number, data: Uint8Array): number {
    const c = this.down[index];
    if (!c) return 0;
    const mem = this.mem;
    const buffer = mem.peek((c.descriptor + 4) >>> 0, 4);
    const size = mem.peek((c.descriptor + 8) >>> 0, 4);
    const wr = mem.peek((c.descriptor + 12) >>> 0, 4);
    const rd = mem.peek((c.descriptor + 16) >>> 0, 4);
    if (buffer === null || size === null || wr === null || rd === null) return 0;
    if (buffer === 0 || size < 2 || size > MAX_BUFFER_BYTES || wr >= size || rd >= size) return 0;
    const free = rd > wr ? rd - wr - 1 : size - wr + rd - 1;
    const count = Math.min(free, data.length);
    let at = wr;
    for (let i = 0; i < count; i++) {
      mem.poke((buffer + at) >>> 0, 1, data[i]);
      if (++at === size) at = 0;
    }
    if (count > 0) mem.poke((c.descriptor + 12) >>> 0, 4, at);
    return count;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * Finds and follows a firmware's RTT control block: at the given address (the `_SEGGER_RTT`
 * symbol) or by scanning RAM. The firmware writes the ID at run time, so until it has, every
 * poll() looks again (a scan only every `scanInterval` polls: it reads all of RAM).
 */
export class RttHost {
  block: RttControlBlock | null = null;
  private polls = 0;

  constructor(
    private readonly mem: RttMemory,
    private readonly where: { address?: number; ranges: readonly RttRange[] },
    private readonly scanInterval = 16,
  ) {}

  /** Forget the control block (after a reset the firmware builds it again). */
  reset(): void {
    this.block = null;
    this.polls = 0;
  }

  /** Attaches if not yet attached; true when a control block is known. */
  private locate(): boolean {
    if (this.block) {
      // A reset firmware may have wiped the block: check the ID is still there.
      if (hasId(this.mem, this.block.address)) return true;
      this.block = null;
    }
    let address: number | null | undefined = this.where.address;
    if (address === undefined) {
      if (this.polls++ % this.scanInterval !== 0) return false;
      address = findRttControlBlock(this.mem, this.where.ranges);
      if (address === null) return false;
    }
    this.block = RttControlBlock.attach(this.mem, address);
    return this.block !== null;
  }

  /** Reads every up channel; calls `sink` for each with new bytes. */
  poll(sink: (channel: RttChannel, data: Uint8Array) => void): void {
    if (!this.locate()) return;
    const block = this.block!;
    for (const c of block.up) {
      const data = block.readUp(c.index);
      if (data.length > 0) {
        if (c.name === '') block.refreshNames();
        sink(c, data);
      }
    }
  }

  /** Writes to down channel `index`; bytes written (0 when no block or no room). */
  write(index: number, data: Uint8Array): number {
    if (!this.locate()) return 0;
    return this.block!.writeDown(index, data);
  }
}
