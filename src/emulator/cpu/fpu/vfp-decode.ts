// Decoder for the floating-point extension's instructions in the coprocessor space (ARMv7-M ARM
// A6 "Floating-point instruction encoding", A7.7 instruction details), FPv4-SP plus the FPv5 (M7)
// additions: double-precision data processing, VSEL, VMAXNM/VMINNM, VRINT*, VCVTA/N/P/M, VCVT
// between single and double. Each instruction becomes a closure specialised for its registers.

import type { Cpu, Profile } from '../cpu';
import type { Decoded, Exec } from '../decoded';
import { FaultKind, GuestFault } from '../fault';
import { hex } from '../undefined';
import { fpCheck } from './fp-state';
import { DOUBLE, Fpscr, type FpFormat, RoundingMode, SINGLE } from './fp-round';
import {
  convert16To32, convert16To64, convert32To16, convert32To64, convert64To16, convert64To32, fixedToFp, fpAdd,
  fpCompare, fpDiv, fpMaxMinNum, fpMul, fpMulAdd, fpRoundInt, fpSqrt, fpToFixed, negateSlotValue, pack32, pack64, packedLow, rmodeOf,
  unpack32, unpack64,
} from './fp-ops';

const SIGN = 0x80000000;

function undefinedFp(hw1: number, hw2: number, why: string): Decoded {
  const encoding = `${hex(hw1, 4)} ${hex(hw2, 4)}`;
  return {
    size: 4,
    cycles: 1,
    exec: (cpu) => {
      // Without FP access the coprocessor space reports NOCP before anything is decoded.
      fpCheck(cpu);
      throw new GuestFault(FaultKind.UndefinedInstruction, undefined, `${why} (${encoding})`);
    },
    asm: () => `udf ; ${encoding}`,
  };
}

function requireDouble(cpu: Cpu): void {
  if (!cpu.hasDoubleFpu) throw new GuestFault(FaultKind.UndefinedInstruction, undefined, 'FPv5 instruction on an FPv4-SP core');
}

function make(exec: Exec, cycles: number, asm: () => string): Decoded {
  return { size: 4, cycles, exec, asm };
}

const sReg = (i: number) => `s${i}`;
const dReg = (i: number) => `d${i}`;

// ---- register accessors on the Cpu's Uint32Array ------------------------------------------------

function readD(cpu: Cpu, slot: number, d: number, negate = false): void {
  unpack64(slot, cpu.fpRegs[2 * d], negate ? cpu.fpRegs[2 * d + 1] ^ SIGN : cpu.fpRegs[2 * d + 1], cpu);
}
function readS(cpu: Cpu, slot: number, s: number, negate = false): void {
  unpack32(slot, negate ? cpu.fpRegs[s] ^ SIGN : cpu.fpRegs[s], cpu);
}
function writeD(cpu: Cpu, d: number, negate = false): void {
  const high = pack64(cpu);
  cpu.fpRegs[2 * d] = packedLow;
  cpu.fpRegs[2 * d + 1] = negate ? high ^ SIGN : high;
}
function writeS(cpu: Cpu, s: number, negate = false): void {
  const bits = pack32(cpu);
  cpu.fpRegs[s] = negate ? bits ^ SIGN : bits;
}

type BinaryOp = (fmt: FpFormat, cpu: Cpu) => void;

/** Dd = op(Dn, Dm) / Sd = op(Sn, Sm), with optional FPNeg of the first operand or the result. */
function binary(dbl: boolean, d: number, n: number, m: number, op: BinaryOp, negResult: boolean): Exec {
  if (dbl) {
    return (cpu) => {
      fpCheck(cpu);
      requireDouble(cpu);
      readD(cpu, 0, n);
      readD(cpu, 1, m);
      op(DOUBLE, cpu);
      writeD(cpu, d, negResult);
    };
  }
  return (cpu) => {
    fpCheck(cpu);
    readS(cpu, 0, n);
    readS(cpu, 1, m);
    op(SINGLE, cpu);
    writeS(cpu, d, negResult);
  };
}

/**
 * The unfused multiply-accumulate family (A7.7 VMLA/VMLS/VNMLA/VNMLS): product = FPMul(n, m),
 * then Dd = FPAdd(negAddend ? -Dd : Dd, negProduct ? -product : product), two roundings.
 */
function mulAccumulate(dbl: boolean, d: number, n: number, m: number, negAddend: boolean, negProduct: boolean): Exec {
  if (dbl) {
    return (cpu) => {
      fpCheck(cpu);
      requireDouble(cpu);
      readD(cpu, 0, n);
      readD(cpu, 1, m);
      fpMul(DOUBLE, cpu);
      let high = pack64(cpu);
      const low = packedLow;
      if (negProduct) high ^= SIGN;
      readD(cpu, 0, d, negAddend);
      unpack64(1, low, high, cpu);
      fpAdd(DOUBLE, cpu);
      writeD(cpu, d);
    };
  }
  return (cpu) => {
    fpCheck(cpu);
    readS(cpu, 0, n);
    readS(cpu, 1, m);
    fpMul(SINGLE, cpu);
    let product = pack32(cpu);
    if (negProduct) product ^= SIGN;
    readS(cpu, 0, d, negAddend);
    unpack32(1, product, cpu);
    fpAdd(SINGLE, cpu);
    writeS(cpu, d);
  };
}

/** VFMA/VFMS/VFNMA/VFNMS: Dd = FPMulAdd(negAddend ? -Dd : Dd, negOp1 ? -Dn : Dn, Dm). */
function fusedMulAdd(dbl: boolean, d: number, n: number, m: number, negAddend: boolean, negOp1: boolean): Exec {
  if (dbl) {
    return (cpu) => {
      fpCheck(cpu);
      requireDouble(cpu);
      readD(cpu, 0, d, negAddend);
      readD(cpu, 1, n, negOp1);
      readD(cpu, 2, m);
      fpMulAdd(DOUBLE, cpu);
      writeD(cpu, d);
    };
  }
  return (cpu) => {
    fpCheck(cpu);
    readS(cpu, 0, d, negAddend);
    readS(cpu, 1, n, negOp1);
    readS(cpu, 2, m);
    fpMulAdd(SINGLE, cpu);
    writeS(cpu, d);
  };
}

/** VFPExpandImm (A6.4.1). */
function expandImm(imm8: number, dbl: boolean): number {
  const sign = (imm8 >>> 7) << 31;
  const b6 = (imm8 >>> 6) & 1;
  if (dbl) {
    const exp = ((b6 ^ 1) << 10) | (b6 ? 0xff << 2 : 0) | ((imm8 >>> 4) & 3);
    return (sign | (exp << 20) | ((imm8 & 0xf) << 16)) >>> 0;
  }
  const exp = ((b6 ^ 1) << 7) | (b6 ? 0x1f << 2 : 0) | ((imm8 >>> 4) & 3);
  return (sign | (exp << 23) | ((imm8 & 0xf) << 19)) >>> 0;
}

// ---- the decoder -------------------------------------------------------------------------------

/** Decode a 32-bit coprocessor-space instruction for CP10/CP11; null for any other coprocessor
 *  (or anything outside the coprocessor space). */
export function decodeFp32(hw1: number, hw2: number, address: number, profile: Profile): Decoded | null {
  if ((hw2 & 0x0e00) !== 0x0a00) return null; // coprocessor field must be 101x (CP10/CP11)
  const top = hw1 >>> 8;
  if ((top & 0xec) !== 0xec) return null; // not 111x 11xx: not coprocessor space
  if (profile !== 'v7em') return undefinedFp(hw1, hw2, 'floating-point instruction on a core without the FP extension');
  if ((hw1 & 0xf000) === 0xf000) {
    if ((hw1 & 0xff00) === 0xfe00 && (hw2 & 0x10) === 0) return decodeFpv5Unconditional(hw1, hw2);
    return undefinedFp(hw1, hw2, 'unallocated coprocessor encoding');
  }
  if ((hw1 & 0x0300) === 0x0300) return undefinedFp(hw1, hw2, 'unallocated coprocessor encoding');
  if ((hw1 & 0x0f00) === 0x0e00) {
    return (hw2 & 0x10) === 0 ? decodeDataProcessing(hw1, hw2) : decodeRegisterTransfer(hw1, hw2);
  }
  return decodeLoadStore(hw1, hw2, address);
}

function fields(hw1: number, hw2: number) {
  const dbl = (hw2 & 0x100) !== 0;
  const D = (hw1 >>> 6) & 1;
  const N = (hw2 >>> 7) & 1;
  const M = (hw2 >>> 5) & 1;
  const vd = (hw2 >>> 12) & 0xf;
  const vn = hw1 & 0xf;
  const vm = hw2 & 0xf;
  return {
    dbl,
    d: dbl ? (D << 4) | vd : (vd << 1) | D,
    n: dbl ? (N << 4) | vn : (vn << 1) | N,
    m: dbl ? (M << 4) | vm : (vm << 1) | M,
    /** Single-register indices regardless of sz (for conversions that mix precisions). */
    sd: (vd << 1) | D,
    sm: (vm << 1) | M,
    dd: (D << 4) | vd,
    dm: (M << 4) | vm,
  };
}

/** M-profile FPUs have D0-D15 only (S0-S31); naming D16-D31 is UNDEFINED. */
const NO_HIGH_D = 'D16-D31 do not exist on an M-profile FPU';

function decodeDataProcessing(hw1: number, hw2: number): Decoded {
  const { dbl, d, n, m, sd, sm, dd, dm } = fields(hw1, hw2);
  if (dbl && (d | n | m) >= 16 && (hw1 & 0xb0) !== 0xb0) return undefinedFp(hw1, hw2, NO_HIGH_D);
  const r = dbl ? dReg : sReg;
  const ty = dbl ? '.f64' : '.f32';
  const opc1 = (hw1 >>> 4) & 0xb;
  const op = (hw2 >>> 6) & 1;
  const three = (name: string) => () => `${name}${ty} ${r(d)}, ${r(n)}, ${r(m)}`;
  switch (opc1) {
    case 0x0: return make(mulAccumulate(dbl, d, n, m, false, op === 1), 3, three(op ? 'vmls' : 'vmla'));
    case 0x1: return make(mulAccumulate(dbl, d, n, m, true, op === 1), 3, three(op ? 'vnmla' : 'vnmls'));
    case 0x2: return make(binary(dbl, d, n, m, fpMul, op === 1), 1, three(op ? 'vnmul' : 'vmul'));
    case 0x3: return make(binary(dbl, d, n, m, op ? fpSubtract : fpAdd, false), 1, three(op ? 'vsub' : 'vadd'));
    case 0x8:
      if (op) break;
      return make(binary(dbl, d, n, m, fpDiv, false), 14, three('vdiv'));
    case 0x9: return make(fusedMulAdd(dbl, d, n, m, true, op === 1), 3, three(op ? 'vfnma' : 'vfnms'));
    case 0xa: return make(fusedMulAdd(dbl, d, n, m, false, op === 1), 3, three(op ? 'vfms' : 'vfma'));
    case 0xb: return decodeOther(hw1, hw2, dbl, d, m, sd, sm, dd, dm);
  }
  return undefinedFp(hw1, hw2, 'unallocated floating-point data-processing encoding');
}

/** FPSub(a, b): FPAdd with the second operand's value negated; a NaN second operand still
 *  propagates with its own sign (A2.5.x FPSub processes NaNs before negating anything). */
function fpSubtract(fmt: FpFormat, cpu: Cpu): void {
  negateSlotValue(1);
  fpAdd(fmt, cpu);
}

function decodeOther(hw1: number, hw2: number, dbl: boolean, d: number, m: number, sd: number, sm: number, dd: number, dm: number): Decoded {
  const r = dbl ? dReg : sReg;
  const ty = dbl ? '.f64' : '.f32';
  const opc2 = hw1 & 0xf;
  const opc3 = (hw2 >>> 6) & 3;
  if ((opc3 & 1) === 0) {
    // VMOV (immediate)
    const imm8 = ((hw1 & 0xf) << 4) | (hw2 & 0xf);
    const bits = expandImm(imm8, dbl);
    if (dbl && d >= 16) return undefinedFp(hw1, hw2, NO_HIGH_D);
    if (dbl) {
      return make((cpu) => { fpCheck(cpu); requireDouble(cpu); cpu.fpRegs[2 * d] = 0; cpu.fpRegs[2 * d + 1] = bits; }, 1,
        () => `vmov${ty} ${r(d)}, #0x${hex(bits, 8)}00000000`);
    }
    return make((cpu) => { fpCheck(cpu); cpu.fpRegs[d] = bits; }, 1, () => `vmov${ty} ${r(d)}, #0x${hex(bits, 8)}`);
  }
  const bit7 = opc3 >>> 1;
  // Which operands are doubles depends on the conversion; reject D16-D31 wherever one is named.
  const destDouble = dbl
    ? !((opc2 === 7 && bit7 === 1) || opc2 === 0xc || opc2 === 0xd || opc2 === 3)
    : opc2 === 7 && bit7 === 1;
  const sourceDouble = dbl && !(opc2 === 2 || opc2 === 5 || opc2 === 8 || opc2 === 0xa || opc2 === 0xb || opc2 === 0xe || opc2 === 0xf);
  if ((destDouble && dd >= 16) || (sourceDouble && dm >= 16)) return undefinedFp(hw1, hw2, NO_HIGH_D);
  switch (opc2) {
    case 0x0:
    case 0x1: {
      // VMOV (register), VABS, VNEG, VSQRT: the first three only touch the sign bit (no exceptions).
      if (opc2 === 1 && bit7 === 1) {
        const exec: Exec = dbl
          ? (cpu) => { fpCheck(cpu); requireDouble(cpu); readD(cpu, 0, m); fpSqrt(DOUBLE, cpu); writeD(cpu, d); }
          : (cpu) => { fpCheck(cpu); readS(cpu, 0, m); fpSqrt(SINGLE, cpu); writeS(cpu, d); };
        return make(exec, 14, () => `vsqrt${ty} ${r(d)}, ${r(m)}`);
      }
      const name = opc2 === 0 ? (bit7 ? 'vabs' : 'vmov') : 'vneg';
      const clear = name === 'vabs' ? 0x7fffffff : 0xffffffff;
      const flip = name === 'vneg' ? SIGN : 0;
      const exec: Exec = dbl
        ? (cpu) => {
          fpCheck(cpu);
          requireDouble(cpu);
          cpu.fpRegs[2 * d] = cpu.fpRegs[2 * m];
          cpu.fpRegs[2 * d + 1] = (cpu.fpRegs[2 * m + 1] & clear) ^ flip;
        }
        : (cpu) => { fpCheck(cpu); cpu.fpRegs[d] = (cpu.fpRegs[m] & clear) ^ flip; };
      return make(exec, 1, () => `${name}${ty} ${r(d)}, ${r(m)}`);
    }
    case 0x2:
    case 0x3: {
      // VCVTB/VCVTT: half <-> single (double with FPv5).
      const top = bit7 === 1;
      const toHalf = opc2 === 3;
      const name = `vcvt${top ? 't' : 'b'}`;
      if (toHalf) {
        const exec: Exec = dbl
          ? (cpu) => {
            fpCheck(cpu);
            requireDouble(cpu);
            const h = convert64To16(cpu.fpRegs[2 * dm], cpu.fpRegs[2 * dm + 1], cpu);
            cpu.fpRegs[sd] = top ? (cpu.fpRegs[sd] & 0xffff) | (h << 16) : (cpu.fpRegs[sd] & 0xffff0000) | h;
          }
          : (cpu) => {
            fpCheck(cpu);
            const h = convert32To16(cpu.fpRegs[sm], cpu);
            cpu.fpRegs[sd] = top ? (cpu.fpRegs[sd] & 0xffff) | (h << 16) : (cpu.fpRegs[sd] & 0xffff0000) | h;
          };
        return make(exec, 1, () => `${name}.f16${ty} ${sReg(sd)}, ${dbl ? dReg(dm) : sReg(sm)}`);
      }
      const exec: Exec = dbl
        ? (cpu) => {
          fpCheck(cpu);
          requireDouble(cpu);
          const v = cpu.fpRegs[sm];
          const high = convert16To64(top ? v >>> 16 : v & 0xffff, cpu);
          cpu.fpRegs[2 * dd] = packedLow;
          cpu.fpRegs[2 * dd + 1] = high;
        }
        : (cpu) => {
          fpCheck(cpu);
          const v = cpu.fpRegs[sm];
          cpu.fpRegs[sd] = convert16To32(top ? v >>> 16 : v & 0xffff, cpu);
        };
      return make(exec, 1, () => `${name}${ty}.f16 ${dbl ? dReg(dd) : sReg(sd)}, ${sReg(sm)}`);
    }
    case 0x4:
    case 0x5: {
      // VCMP{E}: with a register or with +0.0.
      const withZero = opc2 === 5;
      if (withZero && (hw2 & 0x2f) !== 0) break;
      const quietNaNExc = bit7 === 1;
      const exec: Exec = dbl
        ? (cpu) => {
          fpCheck(cpu);
          requireDouble(cpu);
          readD(cpu, 0, d);
          if (withZero) unpack64(1, 0, 0, cpu); else readD(cpu, 1, m);
          const nzcv = fpCompare(quietNaNExc, cpu); // may set IOC: read FPSCR after it
          cpu.fpscr = ((cpu.fpscr & 0x0fffffff) | nzcv) >>> 0;
        }
        : (cpu) => {
          fpCheck(cpu);
          readS(cpu, 0, d);
          if (withZero) unpack32(1, 0, cpu); else readS(cpu, 1, m);
          const nzcv = fpCompare(quietNaNExc, cpu); // may set IOC: read FPSCR after it
          cpu.fpscr = ((cpu.fpscr & 0x0fffffff) | nzcv) >>> 0;
        };
      return make(exec, 1, () => `vcmp${quietNaNExc ? 'e' : ''}${ty} ${r(d)}, ${withZero ? '#0.0' : r(m)}`);
    }
    case 0x6:
    case 0x7: {
      if (opc2 === 7 && bit7 === 1) {
        // VCVT between single and double (FPv5).
        const exec: Exec = dbl
          ? (cpu) => { fpCheck(cpu); requireDouble(cpu); cpu.fpRegs[sd] = convert64To32(cpu.fpRegs[2 * dm], cpu.fpRegs[2 * dm + 1], cpu); }
          : (cpu) => {
            fpCheck(cpu);
            requireDouble(cpu);
            const high = convert32To64(cpu.fpRegs[sm], cpu);
            cpu.fpRegs[2 * dd] = packedLow;
            cpu.fpRegs[2 * dd + 1] = high;
          };
        return make(exec, 1, () => dbl ? `vcvt.f32.f64 ${sReg(sd)}, ${dReg(dm)}` : `vcvt.f64.f32 ${dReg(dd)}, ${sReg(sm)}`);
      }
      // VRINTR / VRINTZ / VRINTX (FPv5)
      const kind = opc2 === 7 ? 'x' : bit7 ? 'z' : 'r';
      return make(roundIntExec(dbl, d, m, kind === 'z' ? RoundingMode.RZ : -1, kind === 'x'), 1,
        () => `vrint${kind}${ty} ${r(d)}, ${r(m)}`);
    }
    case 0x8: {
      // VCVT from a 32-bit integer in Sm to floating point, rounding per FPSCR.
      const signed = bit7 === 1;
      const exec: Exec = dbl
        ? (cpu) => {
          fpCheck(cpu);
          requireDouble(cpu);
          const v = cpu.fpRegs[sm];
          fixedToFp(signed ? v | 0 : v, 0, DOUBLE, rmodeOf(cpu), cpu);
          writeD(cpu, dd);
        }
        : (cpu) => {
          fpCheck(cpu);
          const v = cpu.fpRegs[sm];
          fixedToFp(signed ? v | 0 : v, 0, SINGLE, rmodeOf(cpu), cpu);
          writeS(cpu, sd);
        };
      return make(exec, 1, () => `vcvt${ty}.${signed ? 's' : 'u'}32 ${r(dbl ? dd : sd)}, ${sReg(sm)}`);
    }
    case 0xa: case 0xb: case 0xe: case 0xf: {
      // VCVT between floating point and fixed point, in place (A7.7.x).
      const toFixed = (opc2 & 4) !== 0;
      const unsigned = (opc2 & 1) !== 0;
      const size = bit7 ? 32 : 16;
      const imm = ((hw2 & 0xf) << 1) | ((hw2 >>> 5) & 1);
      const fracBits = size - imm;
      if (fracBits < 0) break;
      const tyInt = `${unsigned ? 'u' : 's'}${size}`;
      const exec = fixedExec(dbl, d, toFixed, unsigned, size, fracBits);
      return make(exec, 1, () => toFixed
        ? `vcvt.${tyInt}${ty} ${r(d)}, ${r(d)}, #${fracBits}`
        : `vcvt${ty}.${tyInt} ${r(d)}, ${r(d)}, #${fracBits}`);
    }
    case 0xc:
    case 0xd: {
      // VCVT{R} from floating point to a 32-bit integer in Sd.
      const signed = (opc2 & 1) !== 0;
      const roundZero = bit7 === 1;
      const exec: Exec = dbl
        ? (cpu) => {
          fpCheck(cpu);
          requireDouble(cpu);
          readD(cpu, 0, dm);
          cpu.fpRegs[sd] = fpToFixed(32, 0, !signed, roundZero ? RoundingMode.RZ : rmodeOf(cpu), cpu);
        }
        : (cpu) => {
          fpCheck(cpu);
          readS(cpu, 0, sm);
          cpu.fpRegs[sd] = fpToFixed(32, 0, !signed, roundZero ? RoundingMode.RZ : rmodeOf(cpu), cpu);
        };
      return make(exec, 1, () => `vcvt${roundZero ? '' : 'r'}.${signed ? 's' : 'u'}32${ty} ${sReg(sd)}, ${r(dbl ? dm : sm)}`);
    }
  }
  return undefinedFp(hw1, hw2, 'unallocated floating-point data-processing encoding');
}

function fixedExec(dbl: boolean, d: number, toFixed: boolean, unsigned: boolean, size: number, fracBits: number): Exec {
  if (toFixed) {
    return dbl
      ? (cpu) => {
        fpCheck(cpu);
        requireDouble(cpu);
        readD(cpu, 0, d);
        const v = fpToFixed(size, fracBits, unsigned, RoundingMode.RZ, cpu);
        cpu.fpRegs[2 * d] = v;
        cpu.fpRegs[2 * d + 1] = unsigned || (v & SIGN) === 0 ? 0 : 0xffffffff;
      }
      : (cpu) => {
        fpCheck(cpu);
        readS(cpu, 0, d);
        cpu.fpRegs[d] = fpToFixed(size, fracBits, unsigned, RoundingMode.RZ, cpu);
      };
  }
  const integerOf = (word: number): number => {
    if (size === 16) return unsigned ? word & 0xffff : (word << 16) >> 16;
    return unsigned ? word >>> 0 : word | 0;
  };
  // FixedToFP with round_to_nearest = TRUE: RN whatever FPSCR.RMode says.
  return dbl
    ? (cpu) => {
      fpCheck(cpu);
      requireDouble(cpu);
      fixedToFp(integerOf(cpu.fpRegs[2 * d]), fracBits, DOUBLE, RoundingMode.RN, cpu);
      writeD(cpu, d);
    }
    : (cpu) => {
      fpCheck(cpu);
      fixedToFp(integerOf(cpu.fpRegs[d]), fracBits, SINGLE, RoundingMode.RN, cpu);
      writeS(cpu, d);
    };
}

/** VRINT*: mode -1 means FPSCR.RMode. All are FPv5. */
function roundIntExec(dbl: boolean, d: number, m: number, mode: number, exact: boolean): Exec {
  return dbl
    ? (cpu) => {
      fpCheck(cpu);
      requireDouble(cpu);
      readD(cpu, 0, m);
      fpRoundInt(mode < 0 ? rmodeOf(cpu) : mode, exact, cpu);
      writeD(cpu, d);
    }
    : (cpu) => {
      fpCheck(cpu);
      requireDouble(cpu);
      readS(cpu, 0, m);
      fpRoundInt(mode < 0 ? rmodeOf(cpu) : mode, exact, cpu);
      writeS(cpu, d);
    };
}

/** VSEL, VMAXNM/VMINNM, VRINTA/N/P/M, VCVTA/N/P/M (FPv5, hw1 = 1111 1110 ...). */
function decodeFpv5Unconditional(hw1: number, hw2: number): Decoded {
  const { dbl, d, n, m, sd, dm, sm } = fields(hw1, hw2);
  // Which fields name D registers: VSEL/VMAXNM/VMINNM all three; VRINT<a,n,p,m> Dd and Dm (Vn holds
  // opcode bits); VCVT<a,n,p,m> only Dm (the destination is an S register).
  const threeRegister = (hw1 & 0x80) === 0 || ((hw1 >>> 4) & 3) === 0;
  const highD = threeRegister ? (d | n | m) >= 16 : (hw1 & 0x4) === 0 ? (d | m) >= 16 : m >= 16;
  if (dbl && highD) return undefinedFp(hw1, hw2, NO_HIGH_D);
  const r = dbl ? dReg : sReg;
  const ty = dbl ? '.f64' : '.f32';
  if ((hw1 & 0x80) === 0) {
    // VSEL<cc>: eq, vs, ge, gt (the other four are their negations by operand order).
    const cc = (hw1 >>> 4) & 3;
    const cond = [0x0, 0x6, 0xa, 0xc][cc];
    const exec: Exec = (cpu) => {
      fpCheck(cpu);
      requireDouble(cpu);
      const src = cpu.conditionPassed(cond) ? n : m;
      if (dbl) {
        cpu.fpRegs[2 * d] = cpu.fpRegs[2 * src];
        cpu.fpRegs[2 * d + 1] = cpu.fpRegs[2 * src + 1];
      } else {
        cpu.fpRegs[d] = cpu.fpRegs[src];
      }
    };
    return make(exec, 1, () => `vsel${['eq', 'vs', 'ge', 'gt'][cc]}${ty} ${r(d)}, ${r(n)}, ${r(m)}`);
  }
  const opc = (hw1 >>> 4) & 3;
  if (opc === 0) {
    const min = (hw2 & 0x40) !== 0;
    const op: BinaryOp = (_fmt, cpu) => fpMaxMinNum(!min, cpu);
    const inner = binary(dbl, d, n, m, op, false);
    return make((cpu) => { requireDouble(cpu); inner(cpu); }, 1, () => `${min ? 'vminnm' : 'vmaxnm'}${ty} ${r(d)}, ${r(n)}, ${r(m)}`);
  }
  if (opc === 3 && (hw1 & 0x8) === 0x8 && (hw2 & 0x40) !== 0) {
    const rm = hw1 & 3;
    const mode = [RoundingMode.RA, RoundingMode.RN, RoundingMode.RP, RoundingMode.RM][rm];
    const letter = 'anpm'[rm];
    if ((hw1 & 0x4) === 0) {
      // VRINTA/N/P/M
      if ((hw2 & 0x80) !== 0) return undefinedFp(hw1, hw2, 'unallocated FPv5 encoding');
      return make(roundIntExec(dbl, d, m, mode, false), 1, () => `vrint${letter}${ty} ${r(d)}, ${r(m)}`);
    }
    // VCVTA/N/P/M to a 32-bit integer in Sd
    const signed = (hw2 & 0x80) !== 0;
    const exec: Exec = (cpu) => {
      fpCheck(cpu);
      requireDouble(cpu);
      if (dbl) readD(cpu, 0, dm); else readS(cpu, 0, sm);
      cpu.fpRegs[sd] = fpToFixed(32, 0, !signed, mode, cpu);
    };
    return make(exec, 1, () => `vcvt${letter}.${signed ? 's' : 'u'}32${ty} ${sReg(sd)}, ${r(dbl ? dm : sm)}`);
  }
  return undefinedFp(hw1, hw2, 'unallocated FPv5 encoding');
}

// ---- register transfers (A6.6) -------------------------------------------------------------------

function decodeRegisterTransfer(hw1: number, hw2: number): Decoded {
  const a = (hw1 >>> 5) & 7;
  const toCore = (hw1 & 0x10) !== 0;
  const c = (hw2 >>> 8) & 1;
  const t = (hw2 >>> 12) & 0xf;
  if (c === 0 && a === 0) {
    if ((hw2 & 0x6f) !== 0) return undefinedFp(hw1, hw2, 'bad VMOV encoding');
    const n = ((hw1 & 0xf) << 1) | ((hw2 >>> 7) & 1);
    if (toCore) {
      return make((cpu) => { fpCheck(cpu); cpu.writeReg(t, cpu.fpRegs[n]); }, 1, () => `vmov r${t}, ${sReg(n)}`);
    }
    return make((cpu) => { fpCheck(cpu); cpu.fpRegs[n] = cpu.r[t]; }, 1, () => `vmov ${sReg(n)}, r${t}`);
  }
  if (c === 0 && a === 7) {
    if ((hw1 & 0xf) !== 1) return undefinedFp(hw1, hw2, 'VMRS/VMSR of a register other than FPSCR');
    if (toCore) {
      if (t === 15) {
        // vmrs APSR_nzcv, fpscr
        return make((cpu) => {
          fpCheck(cpu);
          const f = cpu.fpscr;
          cpu.n = (f & 0x80000000) !== 0;
          cpu.z = (f & 0x40000000) !== 0;
          cpu.c = (f & 0x20000000) !== 0;
          cpu.v = (f & 0x10000000) !== 0;
        }, 1, () => 'vmrs APSR_nzcv, fpscr');
      }
      return make((cpu) => { fpCheck(cpu); cpu.writeReg(t, cpu.fpscr); }, 1, () => `vmrs r${t}, fpscr`);
    }
    return make((cpu) => { fpCheck(cpu); cpu.fpscr = (cpu.r[t] & Fpscr.WRITABLE) >>> 0; }, 1, () => `vmsr fpscr, r${t}`);
  }
  if (c === 1 && (a & 4) === 0 && (hw2 & 0x6f) === 0) {
    // VMOV between a core register and half of a doubleword register (scalar).
    const h = (hw1 >>> 5) & 1;
    const dIdx = (((hw2 >>> 7) & 1) << 4) | (hw1 & 0xf);
    const s = 2 * dIdx + h;
    if (dIdx >= 16) return undefinedFp(hw1, hw2, NO_HIGH_D);
    if (toCore) {
      return make((cpu) => { fpCheck(cpu); cpu.writeReg(t, cpu.fpRegs[s]); }, 1,
        () => `vmov r${t}, ${dReg(dIdx)}[${h}]`);
    }
    return make((cpu) => { fpCheck(cpu); cpu.fpRegs[s] = cpu.r[t]; }, 1,
      () => `vmov ${dReg(dIdx)}[${h}], r${t}`);
  }
  return undefinedFp(hw1, hw2, 'unallocated floating-point register transfer');
}

// ---- loads, stores and 64-bit transfers (A6.5) -------------------------------------------------

function decodeLoadStore(hw1: number, hw2: number, address: number): Decoded {
  const op = (hw1 >>> 4) & 0x1f; // P U D W L
  const rn = hw1 & 0xf;
  const dbl = (hw2 & 0x100) !== 0;
  const D = (hw1 >>> 6) & 1;
  const vd = (hw2 >>> 12) & 0xf;
  const first = dbl ? (D << 4) | vd : (vd << 1) | D;
  const imm8 = hw2 & 0xff;
  const load = (op & 1) !== 0;
  const r = dbl ? dReg : sReg;
  if ((op & 0x1e) === 0x04) {
    // 64-bit transfers between two core registers and two singles / one double: 0010x
    return decodeTwoRegisterMove(hw1, hw2);
  }
  if (dbl && first >= 16) return undefinedFp(hw1, hw2, NO_HIGH_D);
  const p = (op >>> 4) & 1;
  const u = (op >>> 3) & 1;
  const w = (op >>> 1) & 1;
  if (p === 1 && w === 0) {
    // VLDR / VSTR
    const offset = imm8 * 4;
    const add = u === 1;
    const words = dbl ? 2 : 1;
    const base = rn === 15 ? ((address + 4) & ~3) >>> 0 : -1;
    const exec: Exec = (cpu) => {
      fpCheck(cpu);
      const b = base >= 0 ? base : cpu.r[rn];
      const addr = (add ? b + offset : b - offset) >>> 0;
      const s = dbl ? 2 * first : first;
      if (load) {
        cpu.fpRegs[s] = cpu.readA32(addr);
        if (words === 2) cpu.fpRegs[s + 1] = cpu.readA32(addr + 4);
      } else {
        cpu.writeA32(addr, cpu.fpRegs[s]);
        if (words === 2) cpu.writeA32(addr + 4, cpu.fpRegs[s + 1]);
      }
    };
    const ea = rn === 15 ? `[pc, #${add ? '' : '-'}${offset}]` : `[r${rn}, #${add ? '' : '-'}${offset}]`;
    return make(exec, 2, () => `${load ? 'vldr' : 'vstr'} ${r(first)}, ${ea}`);
  }
  if ((p === 0 && u === 1) || (p === 1 && u === 0 && w === 1)) {
    // VLDM / VSTM / VPUSH / VPOP
    const increment = u === 1;
    const writeback = w === 1;
    const regs = dbl ? imm8 >>> 1 : imm8;
    const limit = dbl ? 16 : 32;
    if (regs === 0 || first + regs > limit || (writeback && rn === 15)) {
      return undefinedFp(hw1, hw2, 'UNPREDICTABLE VLDM/VSTM register list');
    }
    const words = dbl ? 2 * regs : regs;
    const firstWord = dbl ? 2 * first : first;
    const bytes = imm8 * 4;
    const exec: Exec = (cpu) => {
      fpCheck(cpu);
      const base = cpu.r[rn];
      let addr = (increment ? base : base - bytes) >>> 0;
      if (load) {
        for (let i = 0; i < words; i++, addr += 4) cpu.fpRegs[firstWord + i] = cpu.readA32(addr);
      } else {
        for (let i = 0; i < words; i++, addr += 4) cpu.writeA32(addr, cpu.fpRegs[firstWord + i]);
      }
      if (writeback) cpu.writeReg(rn, increment ? base + bytes : base - bytes);
    };
    const list = `{${r(first)}${regs > 1 ? `-${r(first + regs - 1)}` : ''}}`;
    const asm = () => {
      if (rn === 13 && writeback && load && increment) return `vpop ${list}`;
      if (rn === 13 && writeback && !load && !increment) return `vpush ${list}`;
      return `${load ? 'vldm' : 'vstm'}${increment ? 'ia' : 'db'} r${rn}${writeback ? '!' : ''}, ${list}`;
    };
    return make(exec, 1 + words, asm);
  }
  return undefinedFp(hw1, hw2, 'unallocated floating-point load/store encoding');
}

function decodeTwoRegisterMove(hw1: number, hw2: number): Decoded {
  const toCore = (hw1 & 0x10) !== 0;
  const t2 = hw1 & 0xf;
  const t = (hw2 >>> 12) & 0xf;
  const dbl = (hw2 & 0x100) !== 0;
  if ((hw2 & 0xd0) !== 0x10) return undefinedFp(hw1, hw2, 'bad 64-bit transfer encoding');
  const M = (hw2 >>> 5) & 1;
  const vm = hw2 & 0xf;
  if (dbl) {
    const dm = (M << 4) | vm;
    if (dm >= 16) return undefinedFp(hw1, hw2, NO_HIGH_D);
    const s = 2 * dm;
    if (toCore) {
      return make((cpu) => { fpCheck(cpu); const lo = cpu.fpRegs[s]; const hi = cpu.fpRegs[s + 1]; cpu.writeReg(t, lo); cpu.writeReg(t2, hi); }, 2,
        () => `vmov r${t}, r${t2}, ${dReg(dm)}`);
    }
    return make((cpu) => { fpCheck(cpu); cpu.fpRegs[s] = cpu.r[t]; cpu.fpRegs[s + 1] = cpu.r[t2]; }, 2,
      () => `vmov ${dReg(dm)}, r${t}, r${t2}`);
  }
  const sm = (vm << 1) | M;
  if (sm === 31) return undefinedFp(hw1, hw2, 'UNPREDICTABLE VMOV of S31 and S32');
  if (toCore) {
    return make((cpu) => { fpCheck(cpu); const a = cpu.fpRegs[sm]; const b = cpu.fpRegs[sm + 1]; cpu.writeReg(t, a); cpu.writeReg(t2, b); }, 2,
      () => `vmov r${t}, r${t2}, ${sReg(sm)}, ${sReg(sm + 1)}`);
  }
  return make((cpu) => { fpCheck(cpu); cpu.fpRegs[sm] = cpu.r[t]; cpu.fpRegs[sm + 1] = cpu.r[t2]; }, 2,
    () => `vmov ${sReg(sm)}, ${sReg(sm + 1)}, r${t}, r${t2}`);
}
