// One differential test case and the memory layout both sides share.

import type { FaultKind } from '../../../src/emulator/cpu/fault';

/** Code window (executable, writable so stores into it are compared too). */
export const CODE_BASE = 0x08000000;
/** Data window: load/store base registers point in here. */
export const DATA_BASE = 0x20000000;
export const WINDOW = 0x1000;
/** Most halfwords a case may carry (IT + four 32-bit instructions would not fit; see generators). */
export const MAX_HALFWORDS = 8;

export type CoreProfile = 'v6m' | 'v7m';

export interface TestCase {
  /** Generator class (the DIFF_FILTER key and the statistics bucket). */
  cls: string;
  /** r0..r12, sp, lr, pc. */
  regs: Uint32Array;
  /** Initial xPSR: flags in 31:27, T (bit 24) always set. */
  xpsr: number;
  /** Instruction halfwords in memory order, placed at pc. */
  code: number[];
  /** Instructions our core executes (an IT instruction counts as one). */
  steps: number;
  /** Cases the oracle cannot judge (see KNOWN-DEVIATIONS.md) carry the fault the ARM ARM requires;
   *  they are checked against that instead of being sent to unicorn. */
  expectFault?: FaultKind;
}

/** The architectural state compared after a case. */
export interface Outcome {
  /** r0..r12, sp, lr, pc. */
  regs: Uint32Array;
  /** APSR.NZCVQ in 31:27 and T in bit 24. */
  psr: number;
  /** Changed bytes, address → value, ascending addresses. */
  memory: Array<[number, number]>;
  /** Set when the case ended in a fault (our GuestFault kind, or unicorn's error description). */
  fault?: string;
}
