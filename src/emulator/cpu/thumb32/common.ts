// Helpers shared by the 32-bit Thumb decoders: building Decoded values, the rare-case wrappers
// that keep the hot closures simple, and disassembly formatting.

import type { Cpu } from '../cpu';
import type { Decoded, Exec } from '../decoded';
import { undefinedInstruction } from '../undefined';

export const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'sl', 'fp', 'ip', 'sp', 'lr', 'pc'];
export const COND_NAMES = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', '', ''];
export const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror', 'rrx'];

export function reg(r: number): string {
  return REG_NAMES[r];
}

/** A 32-bit instruction. */
export function insn(exec: Exec, cycles: number, asm: () => string): Decoded {
  return { exec, size: 4, cycles, asm };
}

export function undef(hw1: number, hw2: number, why?: string): Decoded {
  return undefinedInstruction(4, hw1, hw2, why);
}

/** "#imm" as the disassembler prints it: decimal, with the hex value as a comment when large. */
export function immText(value: number): string {
  const unsigned = value >>> 0;
  if (unsigned < 10) return `#${unsigned}`;
  return `#${unsigned}\t; 0x${unsigned.toString(16)}`;
}

export function hexAddr(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

/** ", lsl #2" etc. for a DecodeImmShift result (empty for LSL #0). */
export function shiftText(type: number, amount: number): string {
  if (type === 4) return ', rrx';
  if (type === 0 && amount === 0) return '';
  return `, ${SHIFT_NAMES[type]} #${amount}`;
}

/** Register list "{r4, r5, lr}". */
export function regList(mask: number): string {
  const names: string[] = [];
  for (let i = 0; i < 16; i++) if (mask & (1 << i)) names.push(REG_NAMES[i]);
  return `{${names.join(', ')}}`;
}

/**
 * Wraps an ALU closure that names r13/r15 as destination or r15 as a source (all rare, most of them
 * UNPREDICTABLE in Thumb-2): the hot closure reads and writes r[] directly, and this wrapper makes
 * r[15] hold the PC value a read sees (instruction address + 4, A2.3.1) and then turns a write of
 * r[15] into a branch and a write of r[13] into one with bits 1:0 clear (B1.4.1).
 */
export function fixRegisters(exec: Exec, d: number, readsPc: boolean, address: number): Exec {
  const pcValue = (address + 4) >>> 0;
  let result = exec;
  if (d === 15) {
    const inner = result;
    result = (cpu: Cpu) => {
      cpu.r[15] = pcValue;
      inner(cpu);
      cpu.branchWritePc(cpu.r[15]);
    };
  } else if (d === 13) {
    const inner = result;
    result = (cpu: Cpu) => {
      inner(cpu);
      cpu.r[13] &= ~3;
    };
  }
  if (readsPc && d !== 15) {
    const inner = result;
    result = (cpu: Cpu) => {
      cpu.r[15] = pcValue;
      inner(cpu);
    };
  }
  return result;
}

/** Count of set bits in a 16-bit register list. */
export function bitCount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}
