// Multiply, multiply-accumulate (A5.3.14), long multiply and divide (A5.3.15).
// 64-bit products are built from 16-bit partial products in doubles (exact below 2^53), so no
// BigInt is allocated per instruction; the high word is handed back through a module slot.

import type { Cpu, Profile } from '../cpu';
import type { Decoded, Exec } from '../decoded';
import { FaultKind, GuestFault } from '../fault';
import { fixRegisters, insn, reg, undef } from './common';

/** High word of the last unsignedMultiply/signedMultiply (unsigned 32-bit). */
let productHigh = 0;

/** Low 32 bits of a * b (unsigned operands); the high 32 bits go to productHigh. */
function unsignedMultiply(a: number, b: number): number {
  const aLow = a & 0xffff;
  const aHigh = a >>> 16;
  const bLow = b & 0xffff;
  const bHigh = b >>> 16;
  const low = aLow * bLow;
  const cross1 = aHigh * bLow;
  const cross2 = aLow * bHigh;
  const middle = Math.floor(low / 0x10000) + (cross1 & 0xffff) + (cross2 & 0xffff);
  productHigh = (aHigh * bHigh + Math.floor(cross1 / 0x10000) + Math.floor(cross2 / 0x10000) + Math.floor(middle / 0x10000)) >>> 0;
  return Math.imul(a, b) >>> 0;
}

/** As unsignedMultiply for signed operands: the signed high word is the unsigned one minus each
 *  operand times the other's sign (two's complement identity). */
function signedMultiply(a: number, b: number): number {
  const low = unsignedMultiply(a, b);
  let high = productHigh;
  if ((a | 0) < 0) high -= b >>> 0;
  if ((b | 0) < 0) high -= a >>> 0;
  productHigh = high >>> 0;
  return low;
}

export function decodeMultiply(hw1: number, hw2: number, address: number, _profile: Profile): Decoded {
  const op1 = (hw1 >>> 4) & 7;
  const op2 = (hw2 >>> 4) & 3;
  const n = hw1 & 0xf;
  const a = hw2 >>> 12;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  if (op1 !== 0 || op2 > 1 || (hw2 & 0xc0) !== 0) {
    // The DSP multiplies: taken by the DSP decoder on ARMv7E-M.
    return undef(hw1, hw2);
  }
  const readsPc = n === 15 || m === 15 || (a === 15 && op2 === 1);
  if (op2 === 1) {
    return insn(fixRegisters((cpu) => { cpu.r[d] = cpu.r[a] - Math.imul(cpu.r[n], cpu.r[m]); }, d, readsPc, address), 2,
      () => `mls ${reg(d)}, ${reg(n)}, ${reg(m)}, ${reg(a)}`);
  }
  if (a === 15) {
    return insn(fixRegisters((cpu) => { cpu.r[d] = Math.imul(cpu.r[n], cpu.r[m]); }, d, readsPc, address), 1,
      () => `mul.w ${reg(d)}, ${reg(n)}, ${reg(m)}`);
  }
  return insn(fixRegisters((cpu) => { cpu.r[d] = Math.imul(cpu.r[n], cpu.r[m]) + cpu.r[a]; }, d, readsPc, address), 2,
    () => `mla ${reg(d)}, ${reg(n)}, ${reg(m)}, ${reg(a)}`);
}

export function decodeLongMultiply(hw1: number, hw2: number, address: number, _profile: Profile): Decoded {
  const op1 = (hw1 >>> 4) & 7;
  const op2 = (hw2 >>> 4) & 0xf;
  const n = hw1 & 0xf;
  const lo = hw2 >>> 12;
  const hi = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  const readsPc = n === 15 || m === 15;
  const operands = () => `${reg(lo)}, ${reg(hi)}, ${reg(n)}, ${reg(m)}`;
  let exec: Exec;
  switch (op1 << 4 | op2) {
    case 0x00:
      exec = (cpu) => { cpu.r[lo] = signedMultiply(cpu.r[n], cpu.r[m]); cpu.r[hi] = productHigh; };
      return longInsn(exec, lo, hi, readsPc, address, 3, () => `smull ${operands()}`);
    case 0x20:
      exec = (cpu) => { cpu.r[lo] = unsignedMultiply(cpu.r[n], cpu.r[m]); cpu.r[hi] = productHigh; };
      return longInsn(exec, lo, hi, readsPc, address, 3, () => `umull ${operands()}`);
    case 0x40:
      exec = (cpu) => { accumulate(cpu, signedMultiply(cpu.r[n], cpu.r[m]), lo, hi); };
      return longInsn(exec, lo, hi, readsPc, address, 4, () => `smlal ${operands()}`);
    case 0x60:
      exec = (cpu) => { accumulate(cpu, unsignedMultiply(cpu.r[n], cpu.r[m]), lo, hi); };
      return longInsn(exec, lo, hi, readsPc, address, 4, () => `umlal ${operands()}`);
    case 0x1f: case 0x3f:
      if (lo !== 15) return undef(hw1, hw2, 'SDIV/UDIV with bits 15:12 not 1111');
      return divide(op1 === 3, hw2, n, m, address);
    default:
      return undef(hw1, hw2);
  }
}

/** RdHi:RdLo += productHigh:productLow (64-bit). */
function accumulate(cpu: Cpu, productLow: number, lo: number, hi: number): void {
  // Read both halves first: RdLo == RdHi is UNPREDICTABLE, and then the high word wins.
  const sumLow = cpu.r[lo] + productLow;
  const sumHigh = cpu.r[hi] + productHigh + (sumLow > 0xffffffff ? 1 : 0);
  cpu.r[lo] = sumLow;
  cpu.r[hi] = sumHigh;
}

function longInsn(exec: Exec, lo: number, hi: number, readsPc: boolean, address: number, cycles: number, asm: () => string): Decoded {
  // RdLo/RdHi of SP or PC are UNPREDICTABLE; fix up the one that would matter most.
  const fixed = hi === 15 || hi === 13 ? fixRegisters(exec, hi, readsPc, address) : fixRegisters(exec, lo, readsPc, address);
  return insn(fixed, cycles, asm);
}

/**
 * SDIV/UDIV (A7.7.111, A7.7.178): quotient rounded towards zero; a zero divisor gives 0 unless
 * CCR.DIV_0_TRP, which raises DIVBYZERO. The Cortex-M3 divider takes 2-12 cycles and stops early
 * for small quotients; we charge one extra cycle per four significant quotient bits.
 */
function divide(unsigned: boolean, hw2: number, n: number, m: number, address: number): Decoded {
  const d = (hw2 >>> 8) & 0xf;
  const exec: Exec = unsigned
    ? (cpu) => {
      const divisor = cpu.r[m];
      if (divisor === 0) {
        if (cpu.divZeroTrap) throw new GuestFault(FaultKind.DivideByZero, undefined, 'UDIV by zero');
        cpu.r[d] = 0;
        return;
      }
      const q = Math.floor(cpu.r[n] / divisor);
      cpu.r[d] = q;
      cpu.cycles += (32 - Math.clz32(q)) >> 2;
    }
    : (cpu) => {
      const divisor = cpu.r[m] | 0;
      if (divisor === 0) {
        if (cpu.divZeroTrap) throw new GuestFault(FaultKind.DivideByZero, undefined, 'SDIV by zero');
        cpu.r[d] = 0;
        return;
      }
      // INT_MIN / -1 = 2^31, which wraps back to INT_MIN as the architecture requires.
      const q = Math.trunc((cpu.r[n] | 0) / divisor);
      cpu.r[d] = q;
      cpu.cycles += (32 - Math.clz32(Math.abs(q))) >> 2;
    };
  return insn(fixRegisters(exec, d, n === 15 || m === 15, address), 2,
    () => `${unsigned ? 'udiv' : 'sdiv'} ${reg(d)}, ${reg(n)}, ${reg(m)}`);
}
