// Builds one test case: random but plausible register values, pointers into the data window, and
// the instruction halfwords an encoding-class generator asks for.

import { FaultKind } from '../../../src/emulator/cpu/fault';
import type { Rng } from './rng';
import { CODE_BASE, DATA_BASE, MAX_HALFWORDS, WINDOW, type CoreProfile, type TestCase } from './testcase';

/** Register values that sit on the edges of the arithmetic (carry, overflow, sign, shift limits). */
const EDGE_VALUES = [
  0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
  0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0xffffff00, 0xffff0000,
  0xff, 0xff00ff00, 0x00ff00ff, 0x55555555, 0xaaaaaaaa, 0x12345678,
];

/** Low-byte shift amounts for shifts by register (0, inside, the 32 boundary, above it). */
const SHIFT_AMOUNTS = [0, 1, 2, 15, 16, 30, 31, 32, 33, 63, 64, 127, 128, 255, 256, 0xffffff20];

export class CaseBuilder {
  regs = new Uint32Array(16);
  xpsr = 0;
  code: number[] = [];
  steps = 1;
  expectFault: FaultKind | undefined = undefined;

  constructor(readonly rng: Rng, readonly profile: CoreProfile) {}

  get v7(): boolean {
    return this.profile !== 'v6m';
  }

  /** Fresh random state: registers, flags, a pc inside the code window, sp inside the data window. */
  reset(): void {
    for (let i = 0; i < 13; i++) this.regs[i] = this.value();
    this.regs[14] = this.rng.chance(0.5) ? this.codeAddress() | 1 : this.value();
    this.regs[13] = this.stackPointer();
    this.regs[15] = CODE_BASE + 2 * this.rng.range(0x80, 0x700);
    const flags = this.rng.u32() & (this.v7 ? 0xf8000000 : 0xf0000000);
    this.xpsr = (flags | 0x01000000) >>> 0;
    this.code.length = 0;
    this.steps = 1;
    this.expectFault = undefined;
  }

  build(cls: string): TestCase {
    if (this.code.length > MAX_HALFWORDS) throw new Error(`${cls}: ${this.code.length} halfwords`);
    return {
      cls,
      regs: this.regs.slice(),
      xpsr: this.xpsr,
      code: this.code.slice(),
      steps: this.steps,
      expectFault: this.expectFault,
    };
  }

  // ---- values --------------------------------------------------------------------------------

  /** A register value: edges, small numbers (both signs) or anything. */
  value(): number {
    const r = this.rng.int(8);
    if (r < 2) return this.rng.pick(EDGE_VALUES) >>> 0;
    if (r < 3) return this.rng.range(0, 64);
    if (r < 4) return (-this.rng.range(1, 64)) >>> 0;
    return this.rng.u32();
  }

  shiftAmount(): number {
    return this.rng.chance(0.6) ? this.rng.pick(SHIFT_AMOUNTS) >>> 0 : this.rng.u32();
  }

  /** An 8-bit immediate biased to its edges. */
  imm8(): number {
    return this.rng.chance(0.3) ? this.rng.pick([0, 1, 0x7f, 0x80, 0xfe, 0xff]) : this.rng.int(256);
  }

  /** A 5-bit shift immediate biased to 0, 1, 31. */
  imm5(): number {
    return this.rng.chance(0.3) ? this.rng.pick([0, 1, 16, 31]) : this.rng.int(32);
  }

  codeAddress(): number {
    return CODE_BASE + 2 * this.rng.range(0x10, 0x7f0);
  }

  /** A word-aligned sp with at least 0x200 bytes of room each way. */
  stackPointer(): number {
    return DATA_BASE + 4 * this.rng.range(0x80, 0x380);
  }

  // ---- registers -----------------------------------------------------------------------------

  low(): number {
    return this.rng.int(8);
  }

  /** r0-r12 or lr: the registers every 32-bit data-processing form accepts (no SP, no PC). */
  reg(): number {
    const r = this.rng.int(14);
    return r === 13 ? 14 : r;
  }

  /** A register from reg() that is none of the given ones. */
  regExcept(...taken: number[]): number {
    for (;;) {
      const r = this.reg();
      if (!taken.includes(r)) return r;
    }
  }
  lowExcept(...taken: number[]): number {
    for (;;) {
      const r = this.low();
      if (!taken.includes(r)) return r;
    }
  }

  set(reg: number, value: number): void {
    this.regs[reg] = value >>> 0;
  }

  get(reg: number): number {
    return this.regs[reg];
  }

  /**
   * An address in the data window for an access of `size` bytes that may extend `span` bytes.
   * Aligned to `size` unless `unaligned`; occasionally just outside the window (the access then
   * faults on both sides, which is compared too).
   */
  address(size: number, span = size, unaligned = false): number {
    if (this.rng.chance(0.02)) return this.rng.pick([DATA_BASE - size, DATA_BASE + WINDOW, 0x30000000, 0]) >>> 0;
    let offset = this.rng.range(0x20, WINDOW - span - 0x20);
    offset -= offset % size;
    if (unaligned && size > 1) offset += this.rng.range(1, size - 1);
    return (DATA_BASE + offset) >>> 0;
  }

  // ---- code ----------------------------------------------------------------------------------

  emit16(hw: number): void {
    this.code.push(hw & 0xffff);
  }

  emit32(hw1: number, hw2: number): void {
    this.code.push(hw1 & 0xffff, hw2 & 0xffff);
  }

  /** The PC value an instruction at code offset `index` (halfwords) reads (its address + 4). */
  pcValue(index = 0): number {
    return (this.regs[15] + 2 * index + 4) >>> 0;
  }

  /** Mark the case as one the oracle cannot judge: it must raise this fault on our core. */
  expect(kind: FaultKind): void {
    this.expectFault = kind;
  }

  /** Unaligned access that the ARM ARM requires to fault (all of ARMv6-M; MemA on ARMv7-M). */
  expectUnaligned(): void {
    this.expect(FaultKind.Unaligned);
  }
}

/** One family of encodings (roughly one row of the ARM ARM's A5.2 / A5.3 decode tables). */
export interface InstrClass {
  /** Used by DIFF_FILTER and in the statistics. */
  name: string;
  profiles: readonly CoreProfile[];
  /** Relative frequency among the classes of a profile. */
  weight: number;
  /** Emit the instruction(s) into g and adjust g's registers. */
  gen(g: CaseBuilder): void;
}
