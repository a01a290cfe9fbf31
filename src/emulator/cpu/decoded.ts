// What the decoder produces: one object per instruction address, built once and cached, holding a
// closure specialised for that instruction's operands (so executing it needs no further decoding).

import type { Cpu } from './cpu';

export type Exec = (cpu: Cpu) => void;

export interface Decoded {
  /** Executes the instruction. Conditional branches check their own condition; IT-block
   *  conditions are checked by Cpu.step before calling this. May throw GuestFault. */
  exec: Exec;
  /** 2 or 4 bytes. */
  size: 2 | 4;
  /** Base cycle count (Cortex-M3/M4 TRM tables); exec may add to cpu.cycles for extra cost. */
  cycles: number;
  /** Disassembly in the usual unified syntax, e.g. "adds r0, r1, #4" (computed on demand). */
  asm: () => string;
}

/** Decoded values that must run through their closure even where the block compiler knows the
 *  instruction (breakpoint traps wrapping the real instruction). */
export const opaqueDecoded = new WeakSet<Decoded>();
