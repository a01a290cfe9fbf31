// Peripheral registers declared as data: offset, reset value, which bits software may write, which
// bits clear on writing 1 or 0, and optional read/write callbacks for behaviour. A model is then
// mostly a table plus the few callbacks that make it do something.
//
// Every CPU (or debugger) write is recorded in a small per-register ring (cycle, PC, value before,
// value after, value written) so that a register panel can answer "who wrote this, and when".
// The ring is preallocated: recording a write allocates nothing.

import type { AccessSize } from '../bus';
import type { PeripheralBlockDescription } from '../chips/chip';
import type { PeripheralContext, PeripheralDevice } from './peripheral';

/** SVD-style field access, for documentation and the register panel. */
export type FieldAccess = 'rw' | 'r' | 'w' | 'rc_w1' | 'rc_w0' | 'rc_r' | 'rs' | 't';

export interface FieldSpec {
  name: string;
  lsb: number;
  width: number;
  access?: FieldAccess;
}

export interface RegisterSpec {
  name: string;
  /** Byte offset in the block (word aligned). */
  offset: number;
  reset: number;
  /** Bits a write stores (default all). Bits outside keep their value. */
  writable?: number;
  /** Bits cleared by writing 1 (rc_w1); they are not stored by writes otherwise. */
  clearOnWrite1?: number;
  /** Bits cleared by writing 0 (rc_w0); writing 1 leaves them alone. */
  clearOnWrite0?: number;
  /** The value as read, from the stored one. `sideEffects` is false for debugger peeks, which
   *  must change nothing the firmware could observe. */
  read?: (stored: number, sideEffects: boolean) => number;
  /** Before a write is stored (models that compute state lazily catch up to now here). */
  beforeWrite?: () => void;
  /** After a write was stored. `value` holds the written bytes (other lanes 0), `lanes` the mask
   *  of written bytes, `old` the stored value before. Action registers (BSRR, KR) act here. */
  write?: (value: number, lanes: number, old: number) => void;
  fields?: readonly FieldSpec[];
}

export interface WriteRecord {
  cycle: number;
  /** Address of the instruction that wrote (the PC at the time of a debugger write). */
  pc: number;
  /** Register value (as a peek reads it) before and after the write. */
  before: number;
  after: number;
  /** The bytes written, in place (other lanes 0). */
  written: number;
}

/** Writes remembered per register. */
export const WRITE_HISTORY_DEPTH = 16;

class RegisterSlot {
  readonly cycles = new Float64Array(WRITE_HISTORY_DEPTH);
  readonly pcs = new Uint32Array(WRITE_HISTORY_DEPTH);
  readonly before = new Uint32Array(WRITE_HISTORY_DEPTH);
  readonly after = new Uint32Array(WRITE_HISTORY_DEPTH);
  readonly written = new Uint32Array(WRITE_HISTORY_DEPTH);
  /** Writes ever recorded (the ring holds the last WRITE_HISTORY_DEPTH). */
  count = 0;
  readonly writable: number;
  readonly w1c: number;
  readonly w0c: number;
  constructor(readonly spec: RegisterSpec) {
    this.w1c = (spec.clearOnWrite1 ?? 0) >>> 0;
    this.w0c = (spec.clearOnWrite0 ?? 0) >>> 0;
    this.writable = ((spec.writable ?? 0xffffffff) & ~this.w1c & ~this.w0c) >>> 0;
  }
}

const LANE_MASKS = [0, 0xff, 0xffff, 0, 0xffffffff];

function hex8(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

export class RegisterBlock implements PeripheralDevice {
  /** Stored register values by word index. */
  protected readonly values: Uint32Array;
  private readonly slots: (RegisterSlot | undefined)[];
  private readonly registerList: RegisterSlot[];
  private warnedReserved = false;

  constructor(
    readonly description: PeripheralBlockDescription,
    protected readonly context: PeripheralContext,
    registers: readonly RegisterSpec[] = [],
  ) {
    const words = Math.ceil(description.size / 4);
    this.values = new Uint32Array(words);
    this.slots = new Array<RegisterSlot | undefined>(words).fill(undefined);
    this.registerList = [];
    this.define(registers);
  }

  /** Add registers (models whose callbacks need `this` define them after super()). */
  protected define(registers: readonly RegisterSpec[]): void {
    const description = this.description;
    for (const spec of registers) {
      if ((spec.offset & 3) !== 0 || spec.offset >= description.size) {
        throw new Error(`${description.name}.${spec.name}: offset ${spec.offset} is not a word inside the block`);
      }
      const existing = this.slots[spec.offset >> 2];
      if (existing !== undefined) {
        throw new Error(`${description.name}.${spec.name}: offset 0x${spec.offset.toString(16)} already used by ${existing.spec.name}`);
      }
      const slot = new RegisterSlot(spec);
      this.slots[spec.offset >> 2] = slot;
      this.registerList.push(slot);
      this.values[spec.offset >> 2] = spec.reset >>> 0;
    }
  }

  /** Registers in declaration order (for panels and tests). */
  get registers(): readonly RegisterSpec[] {
    return this.registerList.map((s) => s.spec);
  }

  /** Stored values back to their reset values; write histories are kept (they span resets). */
  protected resetRegisters(): void {
    this.values.fill(0);
    for (const slot of this.registerList) this.values[slot.spec.offset >> 2] = slot.spec.reset >>> 0;
  }

  reset(): void {
    this.resetRegisters();
  }

  /** Stored value of the register at `offset` (no read callback). */
  protected stored(offset: number): number {
    return this.values[offset >> 2];
  }

  protected store(offset: number, value: number): void {
    this.values[offset >> 2] = value >>> 0;
  }

  private wordValue(index: number, sideEffects: boolean): number {
    const slot = this.slots[index];
    if (slot === undefined) return 0;
    const read = slot.spec.read;
    return read === undefined ? this.values[index] : read(this.values[index], sideEffects) >>> 0;
  }

  read(offset: number, size: AccessSize): number {
    const value = this.wordValue(offset >> 2, true);
    return size === 4 ? value : (value >>> ((offset & 3) * 8)) & LANE_MASKS[size];
  }

  peek(offset: number, size: AccessSize): number {
    const value = this.wordValue(offset >> 2, false);
    return size === 4 ? value : (value >>> ((offset & 3) * 8)) & LANE_MASKS[size];
  }

  write(offset: number, size: AccessSize, value: number): void {
    const index = offset >> 2;
    const slot = this.slots[index];
    if (slot === undefined) {
      if (!this.warnedReserved) {
        this.warnedReserved = true;
        const d = this.description;
        this.context.warn(`${d.name}: write to reserved offset 0x${offset.toString(16)} (${hex8(d.base + offset)}) ignored`);
      }
      return;
    }
    if (slot.spec.beforeWrite !== undefined) slot.spec.beforeWrite();
    const shift = (offset & 3) * 8;
    const lanes = (LANE_MASKS[size] << shift) >>> 0;
    const written = ((value << shift) & lanes) >>> 0;
    const before = this.wordValue(index, false);
    const old = this.values[index];
    let next = ((old & ~(slot.writable & lanes)) | (written & slot.writable)) >>> 0;
    if (slot.w1c !== 0) next &= ~(written & slot.w1c);
    if (slot.w0c !== 0) next &= ~(~written & lanes & slot.w0c);
    this.values[index] = next >>> 0;
    const onWrite = slot.spec.write;
    if (onWrite !== undefined) onWrite(written, lanes, old);
    this.record(slot, before, this.wordValue(index, false), written);
  }

  private record(slot: RegisterSlot, before: number, after: number, written: number): void {
    const i = slot.count % WRITE_HISTORY_DEPTH;
    const cpu = this.context.cpu;
    slot.cycles[i] = cpu.cycles;
    slot.pcs[i] = cpu.pc;
    slot.before[i] = before;
    slot.after[i] = after;
    slot.written[i] = written;
    slot.count++;
  }

  /** The last writes to the register at `offset`, oldest first. */
  writeHistory(offset: number): WriteRecord[] {
    const slot = this.slots[offset >> 2];
    if (slot === undefined) return [];
    const out: WriteRecord[] = [];
    const n = Math.min(slot.count, WRITE_HISTORY_DEPTH);
    for (let k = slot.count - n; k < slot.count; k++) {
      const i = k % WRITE_HISTORY_DEPTH;
      out.push({ cycle: slot.cycles[i], pc: slot.pcs[i], before: slot.before[i], after: slot.after[i], written: slot.written[i] });
    }
    return out;
  }

  /** Register at `offset`, or undefined for a reserved offset. */
  registerAt(offset: number): RegisterSpec | undefined {
    return this.slots[offset >> 2]?.spec;
  }
}
