// The ARMv7E-M DSP extension (ARMv7-M ARM A5.3.12-A5.3.17 encodings, A7.7 semantics): parallel
// add/subtract with GE flags, saturating arithmetic, SEL, extend-and-add, the halfword and dual
// multiplies, most-significant-word multiplies, USAD8, SSAT16/USAT16 and PKHBT/PKHTB. Each
// instruction is decoded once into a closure specialised by its registers.

import type { Cpu, Profile } from './cpu';
import type { Decoded, Exec } from './decoded';

const reg = (i: number) => (i === 13 ? 'sp' : i === 14 ? 'lr' : i === 15 ? 'pc' : `r${i}`);

function make(exec: Exec, cycles: number, asm: () => string): Decoded {
  return { size: 4, cycles, exec, asm };
}

/** SignedSatQ(i, 32) for a JS integer: sets Q on saturation. */
function ssat32(cpu: Cpu, i: number): number {
  if (i > 0x7fffffff) { cpu.q = true; return 0x7fffffff; }
  if (i < -0x80000000) { cpu.q = true; return -0x80000000; }
  return i;
}

function satSigned(i: number, bits: number): number {
  const max = (1 << (bits - 1)) - 1;
  const min = -(1 << (bits - 1));
  return i > max ? max : i < min ? min : i;
}
function satUnsigned(i: number, bits: number): number {
  const max = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  return i > max ? max : i < 0 ? 0 : i;
}

const rorBytes = (v: number, rot: number) => (rot === 0 ? v >>> 0 : ((v >>> rot) | (v << (32 - rot))) >>> 0);
const lo16s = (v: number) => (v << 16) >> 16;
const hi16s = (v: number) => v >> 16;

/** Decode a DSP-extension instruction; null when (hw1, hw2) is not one (or the core lacks DSP). */
export function decodeDsp32(hw1: number, hw2: number, _address: number, profile: Profile): Decoded | null {
  if (profile !== 'v7em') return null;
  const top = hw1 & 0xff80;
  if ((hw1 & 0xff00) === 0xfa00 && (hw2 & 0xf000) === 0xf000) return decodeDataProcessingRegister(hw1, hw2);
  if (top === 0xfb00) return decodeMultiply(hw1, hw2);
  if (top === 0xfb80) return decodeLongMultiply(hw1, hw2);
  if ((hw1 & 0xfff0) === 0xf320 || (hw1 & 0xfff0) === 0xf3a0) return decodeSaturate16(hw1, hw2);
  if ((hw1 & 0xfff0) === 0xeac0 && (hw2 & 0x8010) === 0) return decodePack(hw1, hw2);
  return null;
}

// ---- A5.3.12 data processing (register): extend-and-add, parallel add/sub, misc ----------------

function decodeDataProcessingRegister(hw1: number, hw2: number): Decoded | null {
  const op1 = (hw1 >>> 4) & 0xf;
  const op2 = (hw2 >>> 4) & 0xf;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  if (op1 < 6 && (op2 & 0xc) === 8) return decodeExtend(op1, n, d, m, ((hw2 >>> 4) & 3) * 8);
  if ((op1 & 8) !== 0 && (op2 & 8) === 0) {
    return decodeParallel(op1 & 7, op2 & 7, n, d, m);
  }
  if ((op1 & 0xc) === 0x8 && (op2 & 0xc) === 0x8) {
    const k = op1 & 3;
    const j = op2 & 3;
    if (k === 0) return decodeSaturatingAdd(j, n, d, m);
    if (k === 2 && j === 0) {
      const exec: Exec = (cpu) => {
        const ge = cpu.ge;
        const a = cpu.r[n];
        const b = cpu.r[m];
        const mask = ((ge & 1) ? 0xff : 0) | ((ge & 2) ? 0xff00 : 0) | ((ge & 4) ? 0xff0000 : 0) | ((ge & 8) ? 0xff000000 : 0);
        cpu.r[d] = (a & mask) | (b & ~mask);
      };
      return make(exec, 1, () => `sel ${reg(d)}, ${reg(n)}, ${reg(m)}`);
    }
  }
  return null; // shifts, REV*, RBIT, CLZ and anything unallocated: the base decoder's business
}

function decodeExtend(op1: number, n: number, d: number, m: number, rot: number): Decoded {
  const names = ['sxtah', 'uxtah', 'sxtab16', 'uxtab16', 'sxtab', 'uxtab'];
  const accumulate = n !== 15;
  const name = accumulate ? names[op1] : names[op1].replace('a', '');
  const asm = () => `${name} ${reg(d)}, ${accumulate ? `${reg(n)}, ` : ''}${reg(m)}${rot ? `, ror #${rot}` : ''}`;
  let exec: Exec;
  switch (op1) {
    case 0: exec = accumulate ? (cpu) => { cpu.r[d] = cpu.r[n] + lo16s(rorBytes(cpu.r[m], rot)); } : (cpu) => { cpu.r[d] = lo16s(rorBytes(cpu.r[m], rot)); }; break;
    case 1: exec = accumulate ? (cpu) => { cpu.r[d] = cpu.r[n] + (rorBytes(cpu.r[m], rot) & 0xffff); } : (cpu) => { cpu.r[d] = rorBytes(cpu.r[m], rot) & 0xffff; }; break;
    case 2: exec = (cpu) => {
      const v = rorBytes(cpu.r[m], rot);
      const a = accumulate ? cpu.r[n] : 0;
      const lo = (a + ((v << 24) >> 24)) & 0xffff;
      const hi = ((a >>> 16) + ((v << 8) >> 24)) & 0xffff;
      cpu.r[d] = lo | (hi << 16);
    }; break;
    case 3: exec = (cpu) => {
      const v = rorBytes(cpu.r[m], rot);
      const a = accumulate ? cpu.r[n] : 0;
      const lo = (a + (v & 0xff)) & 0xffff;
      const hi = ((a >>> 16) + ((v >>> 16) & 0xff)) & 0xffff;
      cpu.r[d] = lo | (hi << 16);
    }; break;
    case 4: exec = accumulate ? (cpu) => { cpu.r[d] = cpu.r[n] + ((rorBytes(cpu.r[m], rot) << 24) >> 24); } : (cpu) => { cpu.r[d] = (rorBytes(cpu.r[m], rot) << 24) >> 24; }; break;
    default: exec = accumulate ? (cpu) => { cpu.r[d] = cpu.r[n] + (rorBytes(cpu.r[m], rot) & 0xff); } : (cpu) => { cpu.r[d] = rorBytes(cpu.r[m], rot) & 0xff; }; break;
  }
  return make(exec, 1, asm);
}

/**
 * Parallel add/subtract (A5.3.13). op = hw1[6:4]: 001 ADD16, 010 ASX, 110 SAX, 101 SUB16,
 * 000 ADD8, 100 SUB8. kind = hw2[6:4]: 000 S, 001 Q, 010 SH, 100 U, 101 UQ, 110 UH.
 */
function decodeParallel(op: number, kind: number, n: number, d: number, m: number): Decoded | null {
  const opNames: Record<number, string> = { 1: 'add16', 2: 'asx', 6: 'sax', 5: 'sub16', 0: 'add8', 4: 'sub8' };
  const kindNames: Record<number, string> = { 0: 's', 1: 'q', 2: 'sh', 4: 'u', 5: 'uq', 6: 'uh' };
  if (!(op in opNames) || !(kind in kindNames)) return null;
  const unsigned = (kind & 4) !== 0;
  const mode = kind & 3; // 0 plain (sets GE), 1 saturating, 2 halving
  const lanes16 = op === 1 || op === 2 || op === 6 || op === 5;
  const asm = () => `${kindNames[kind]}${opNames[op]} ${reg(d)}, ${reg(n)}, ${reg(m)}`;
  if (lanes16) {
    // lane 0 (bits 15:0) and lane 1 (31:16); each lane is a or b op per the exchange pattern.
    const lowSub = op === 5 || op === 2; // SUB16: lo = a.lo - b.lo; ASX: lo = a.lo - b.hi
    const highSub = op === 5 || op === 6; // SUB16: hi = a.hi - b.hi; SAX: hi = a.hi - b.lo
    const exchange = op === 2 || op === 6;
    const exec: Exec = (cpu) => {
      const a = cpu.r[n];
      const b = cpu.r[m];
      const aLo = unsigned ? a & 0xffff : lo16s(a);
      const aHi = unsigned ? a >>> 16 : hi16s(a);
      const bLo = unsigned ? b & 0xffff : lo16s(b);
      const bHi = unsigned ? b >>> 16 : hi16s(b);
      const x = exchange ? bHi : bLo;
      const y = exchange ? bLo : bHi;
      const r0 = lowSub ? aLo - x : aLo + x;
      const r1 = highSub ? aHi - y : aHi + y;
      cpu.r[d] = combine16(cpu, r0, r1, unsigned, mode, lowSub, highSub);
    };
    return make(exec, 1, asm);
  }
  const sub = op === 4;
  const exec: Exec = (cpu) => {
    const a = cpu.r[n];
    const b = cpu.r[m];
    let result = 0;
    let ge = 0;
    for (let i = 0; i < 32; i += 8) {
      const ai = unsigned ? (a >>> i) & 0xff : ((a << (24 - i)) >> 24);
      const bi = unsigned ? (b >>> i) & 0xff : ((b << (24 - i)) >> 24);
      const r = sub ? ai - bi : ai + bi;
      let lane: number;
      if (mode === 1) lane = unsigned ? satUnsigned(r, 8) : satSigned(r, 8);
      else if (mode === 2) lane = r >> 1;
      else {
        lane = r;
        if (unsigned ? (sub ? r >= 0 : r >= 0x100) : r >= 0) ge |= 1 << (i >>> 3);
      }
      result |= (lane & 0xff) << i;
    }
    if (mode === 0) cpu.ge = ge;
    cpu.r[d] = result;
  };
  return make(exec, 1, asm);
}

function combine16(cpu: Cpu, r0: number, r1: number, unsigned: boolean, mode: number, lowSub: boolean, highSub: boolean): number {
  if (mode === 1) {
    r0 = unsigned ? satUnsigned(r0, 16) : satSigned(r0, 16);
    r1 = unsigned ? satUnsigned(r1, 16) : satSigned(r1, 16);
  } else if (mode === 2) {
    r0 >>= 1;
    r1 >>= 1;
  } else {
    // GE: signed → result >= 0; unsigned add → carry out (>= 0x10000); unsigned sub → no borrow.
    const ge0 = unsigned ? (lowSub ? r0 >= 0 : r0 >= 0x10000) : r0 >= 0;
    const ge1 = unsigned ? (highSub ? r1 >= 0 : r1 >= 0x10000) : r1 >= 0;
    cpu.ge = (ge0 ? 3 : 0) | (ge1 ? 12 : 0);
  }
  return ((r0 & 0xffff) | (r1 << 16)) >>> 0;
}

/** QADD, QDADD, QSUB, QDSUB (A7.7): Rd = sat(Rm ± [sat(2 *)] Rn). */
function decodeSaturatingAdd(j: number, n: number, d: number, m: number): Decoded {
  const names = ['qadd', 'qdadd', 'qsub', 'qdsub'];
  const doubling = (j & 1) !== 0;
  const sub = (j & 2) !== 0;
  const exec: Exec = (cpu) => {
    let b = cpu.r[n] | 0;
    if (doubling) b = ssat32(cpu, 2 * b);
    cpu.r[d] = ssat32(cpu, sub ? (cpu.r[m] | 0) - b : (cpu.r[m] | 0) + b);
  };
  return make(exec, 1, () => `${names[j]} ${reg(d)}, ${reg(m)}, ${reg(n)}`);
}

// ---- A5.3.16 multiply, multiply-accumulate, absolute difference ---------------------------------

function decodeMultiply(hw1: number, hw2: number): Decoded | null {
  const op1 = (hw1 >>> 4) & 7;
  const n = hw1 & 0xf;
  const a = (hw2 >>> 12) & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  if ((hw2 & 0xc0) !== 0) return null;
  const op2 = (hw2 >>> 4) & 3;
  const acc = a !== 15;
  const ops = (name: string) => () => `${name} ${reg(d)}, ${reg(n)}, ${reg(m)}${acc ? `, ${reg(a)}` : ''}`;
  switch (op1) {
    case 1: {
      // SMLA<x><y> / SMUL<x><y>
      const nHigh = (op2 & 2) !== 0;
      const mHigh = (op2 & 1) !== 0;
      const xy = `${nHigh ? 't' : 'b'}${mHigh ? 't' : 'b'}`;
      const exec: Exec = acc
        ? (cpu) => {
          const p = (nHigh ? hi16s(cpu.r[n]) : lo16s(cpu.r[n])) * (mHigh ? hi16s(cpu.r[m]) : lo16s(cpu.r[m]));
          const r = p + (cpu.r[a] | 0);
          if (r !== (r | 0)) cpu.q = true;
          cpu.r[d] = r;
        }
        : (cpu) => { cpu.r[d] = (nHigh ? hi16s(cpu.r[n]) : lo16s(cpu.r[n])) * (mHigh ? hi16s(cpu.r[m]) : lo16s(cpu.r[m])); };
      return make(exec, 1, ops(acc ? `smla${xy}` : `smul${xy}`));
    }
    case 2:
    case 4: {
      // SMLAD/SMUAD, SMLSD/SMUSD (X swaps Rm's halves)
      if (op2 >= 2) return null;
      const swap = op2 === 1;
      const sub = op1 === 4;
      const name = `${acc ? (sub ? 'smlsd' : 'smlad') : (sub ? 'smusd' : 'smuad')}${swap ? 'x' : ''}`;
      const exec: Exec = (cpu) => {
        const rn = cpu.r[n];
        const rm = swap ? rorBytes(cpu.r[m], 16) : cpu.r[m];
        const p1 = lo16s(rn) * lo16s(rm);
        const p2 = hi16s(rn) * hi16s(rm);
        const r = (sub ? p1 - p2 : p1 + p2) + (acc ? cpu.r[a] | 0 : 0);
        if (r !== (r | 0)) cpu.q = true;
        cpu.r[d] = r;
      };
      return make(exec, 1, ops(name));
    }
    case 3: {
      // SMLAW<y> / SMULW<y>: (Rn * Rm.half) >> 16 (+ Ra)
      if (op2 >= 2) return null;
      const mHigh = op2 === 1;
      const exec: Exec = (cpu) => {
        const p = (cpu.r[n] | 0) * (mHigh ? hi16s(cpu.r[m]) : lo16s(cpu.r[m])); // 48 bits: exact
        const r = Math.floor(p / 65536) + (acc ? cpu.r[a] | 0 : 0);
        if (acc && r !== (r | 0)) cpu.q = true;
        cpu.r[d] = r;
      };
      return make(exec, 1, ops(`${acc ? 'smlaw' : 'smulw'}${mHigh ? 't' : 'b'}`));
    }
    case 5:
    case 6: {
      // SMMLA/SMMUL, SMMLS (R rounds): the top word of (Ra << 32) ± Rn * Rm
      if (op2 >= 2) return null;
      const round = op2 === 1;
      const sub = op1 === 6;
      if (sub && !acc) return null;
      const name = `${sub ? 'smmls' : acc ? 'smmla' : 'smmul'}${round ? 'r' : ''}`;
      const exec: Exec = (cpu) => {
        multiply64(cpu.r[n] | 0, cpu.r[m] | 0, true);
        let lo32: number;
        let hi32: number;
        if (sub) {
          // (Ra << 32) - product
          lo32 = productLow === 0 ? 0 : 4294967296 - productLow;
          hi32 = (acc ? cpu.r[a] | 0 : 0) - productHigh - (productLow === 0 ? 0 : 1);
        } else {
          lo32 = productLow;
          hi32 = (acc ? cpu.r[a] | 0 : 0) + productHigh;
        }
        if (round && lo32 + 0x80000000 >= 4294967296) hi32 += 1;
        cpu.r[d] = hi32;
      };
      return make(exec, 2, ops(name));
    }
    case 7: {
      if (op2 !== 0) return null;
      const exec: Exec = (cpu) => {
        const x = cpu.r[n];
        const y = cpu.r[m];
        let sum = acc ? cpu.r[a] : 0;
        for (let i = 0; i < 32; i += 8) sum += Math.abs(((x >>> i) & 0xff) - ((y >>> i) & 0xff));
        cpu.r[d] = sum;
      };
      return make(exec, 1, ops(acc ? 'usada8' : 'usad8'));
    }
  }
  return null; // MUL/MLA/MLS: base instructions
}

// ---- A5.3.17 long multiply ----------------------------------------------------------------------

function decodeLongMultiply(hw1: number, hw2: number): Decoded | null {
  const op1 = (hw1 >>> 4) & 7;
  const op2 = (hw2 >>> 4) & 0xf;
  const n = hw1 & 0xf;
  const lo = (hw2 >>> 12) & 0xf;
  const hi = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  const ops = (name: string) => () => `${name} ${reg(lo)}, ${reg(hi)}, ${reg(n)}, ${reg(m)}`;
  if (op1 === 4 && (op2 & 0xc) === 0x8) {
    const nHigh = (op2 & 2) !== 0;
    const mHigh = (op2 & 1) !== 0;
    const exec: Exec = (cpu) => {
      const p = (nHigh ? hi16s(cpu.r[n]) : lo16s(cpu.r[n])) * (mHigh ? hi16s(cpu.r[m]) : lo16s(cpu.r[m]));
      addSmall64(cpu, lo, hi, p);
    };
    return make(exec, 1, ops(`smlal${nHigh ? 't' : 'b'}${mHigh ? 't' : 'b'}`));
  }
  if ((op1 === 4 || op1 === 5) && (op2 & 0xe) === 0xc) {
    const swap = (op2 & 1) !== 0;
    const sub = op1 === 5;
    const exec: Exec = (cpu) => {
      const rn = cpu.r[n];
      const rm = swap ? rorBytes(cpu.r[m], 16) : cpu.r[m];
      const p1 = lo16s(rn) * lo16s(rm);
      const p2 = hi16s(rn) * hi16s(rm);
      addSmall64(cpu, lo, hi, sub ? p1 - p2 : p1 + p2);
    };
    return make(exec, 1, ops(`${sub ? 'smlsld' : 'smlald'}${swap ? 'x' : ''}`));
  }
  if (op1 === 6 && op2 === 6) {
    const exec: Exec = (cpu) => {
      // RdHi:RdLo = Rn * Rm + RdLo + RdHi (never overflows 64 bits)
      multiply64(cpu.r[n], cpu.r[m], false);
      const low = productLow + cpu.r[lo] + cpu.r[hi]; // < 3 * 2^32: exact
      cpu.r[hi] = productHigh + Math.floor(low / 4294967296);
      cpu.r[lo] = low;
    };
    return make(exec, 1, ops('umaal'));
  }
  return null; // SMULL/UMULL/SMLAL/UMLAL/SDIV/UDIV: base instructions
}

/** The 64-bit product of the last multiply64: low word unsigned, high word (signed when the
 *  operands were). Kept in module slots so no object or BigInt is allocated per instruction. */
let productLow = 0;
let productHigh = 0;

/** Exact 32 x 32 → 64-bit multiply in doubles: split b into 16-bit halves so each partial
 *  product stays below 2^53. a and b are int32 (signed) or uint32 (unsigned) values. */
function multiply64(a: number, b: number, signed: boolean): void {
  const bHigh = signed ? b >> 16 : b >>> 16;
  const bLow = b & 0xffff;
  const t1 = a * bLow; // |t1| < 2^48
  const t2 = a * bHigh; // |t2| < 2^48; t2 * 2^16 is exact (power-of-two scaling)
  const low = (t1 >>> 0) + ((t2 * 65536) >>> 0);
  const carry = low >= 4294967296 ? 1 : 0;
  productLow = low - carry * 4294967296;
  productHigh = Math.floor(t1 / 4294967296) + Math.floor(t2 / 65536) + carry;
}

/** RdHi:RdLo += value, where |value| < 2^33 (no 64-bit arithmetic needed beyond a carry). */
function addSmall64(cpu: Cpu, lo: number, hi: number, value: number): void {
  const low = cpu.r[lo] + (value >>> 0);
  const carry = low > 0xffffffff ? 1 : 0;
  // value's high word as a signed quantity: floor(value / 2^32)
  cpu.r[hi] = cpu.r[hi] + Math.floor(value / 4294967296) + carry;
  cpu.r[lo] = low;
}

// ---- SSAT16 / USAT16 (A5.3.3 plain binary immediate) -------------------------------------------

function decodeSaturate16(hw1: number, hw2: number): Decoded | null {
  if ((hw2 & 0x80f0) !== 0 || (hw2 & 0x7000) !== 0) return null; // imm3:imm2 != 0: a shifted SSAT/USAT
  const unsigned = (hw1 & 0x80) !== 0;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const satImm = hw2 & 0xf;
  const bits = unsigned ? satImm : satImm + 1;
  const exec: Exec = (cpu) => {
    const v = cpu.r[n];
    const lo = lo16s(v);
    const hi = hi16s(v);
    const rl = unsigned ? satUnsigned(lo, bits) : satSigned(lo, bits);
    const rh = unsigned ? satUnsigned(hi, bits) : satSigned(hi, bits);
    if (rl !== lo || rh !== hi) cpu.q = true;
    cpu.r[d] = (rl & 0xffff) | (rh << 16);
  };
  return make(exec, 1, () => `${unsigned ? 'usat16' : 'ssat16'} ${reg(d)}, #${bits}, ${reg(n)}`);
}

// ---- PKHBT / PKHTB -------------------------------------------------------------------------------

function decodePack(hw1: number, hw2: number): Decoded {
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  const imm = (((hw2 >>> 12) & 7) << 2) | ((hw2 >>> 6) & 3);
  const tb = (hw2 & 0x20) !== 0;
  if (tb) {
    const amount = imm === 0 ? 31 : imm; // ASR #32 and ASR #31 agree on the bottom halfword's sign fill
    const exec: Exec = (cpu) => { cpu.r[d] = (cpu.r[n] & 0xffff0000) | ((cpu.r[m] >> amount) & 0xffff); };
    return make(exec, 1, () => `pkhtb ${reg(d)}, ${reg(n)}, ${reg(m)}, asr #${imm === 0 ? 32 : imm}`);
  }
  const exec: Exec = (cpu) => { cpu.r[d] = (cpu.r[n] & 0xffff) | ((cpu.r[m] << imm) & 0xffff0000); };
  return make(exec, 1, () => `pkhbt ${reg(d)}, ${reg(n)}, ${reg(m)}${imm ? `, lsl #${imm}` : ''}`);
}
