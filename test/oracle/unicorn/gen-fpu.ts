// Random FPv4-SP instructions (every A7.7 floating-point instruction a Cortex-M4F implements) with
// operands biased towards the interesting cases: signed zeros, denormals, infinities, quiet and
// signalling NaNs, rounding ties, integer-conversion boundaries, cancellation in fused operations.
import { type Case, DATA, prng } from './fpdsp-harness';

const SPECIAL = [
  0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x00400000, 0x80400000, 0x00800000, 0x80800000,
  0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc12345, 0x7f800001, 0xff812345, 0x7fbfffff,
  0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000, 0xc0200000, 0x3f400000, 0x40400000,
  0x4f000000, 0xcf000000, 0x4f7fffff, 0x4f800000, 0xcf000001, 0x4effffff, 0x7f7fffff, 0xff7fffff,
  0x477fe000, 0x477ff000, 0x477fefff, 0x387fc000, 0x33800000, 0x33000000, 0x38800000, 0x00000002,
  0x3effffff, 0x3f7fffff, 0x3f800001, 0x4b000000, 0x4b000001, 0x4b7fffff, 0x0d800000, 0x32800000,
];

export function generateFpuCases(seed: number, count: number): Case[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length];
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const value = (): number => {
    switch (rand() % 6) {
      case 0: case 1: return pick(SPECIAL);
      case 2: return rand();
      case 3: return ((rand() & 0x80000000) | ((100 + (rand() % 56)) << 23) | (rand() & 0x7fffff)) >>> 0; // moderate
      case 4: f32[0] = (rand() % 2001) - 1000 + (rand() % 4) / 4; return u32[0]; // integers and quarters
      default: return ((rand() & 0x80000000) | ((rand() % 3) << 23) | (rand() & 0x7fffff)) >>> 0; // tiny
    }
  };
  const cases: Case[] = [];
  const sreg = () => rand() & 31;
  while (cases.length < count) {
    const s = new Uint32Array(32);
    for (let i = 0; i < 32; i++) s[i] = value();
    const r = new Uint32Array(13);
    for (let i = 0; i < 13; i++) r[i] = rand() % 3 === 0 ? pick(SPECIAL) : rand();
    const vd = sreg();
    const vn = sreg();
    const vm = sreg();
    const D = vd & 1, Vd = vd >>> 1, N = vn & 1, Vn = vn >>> 1, M = vm & 1, Vm = vm >>> 1;
    let hw1: number;
    let hw2: number;
    let sp = DATA + 0x800;
    const kind = rand() % 16;
    if (kind < 6) {
      // three-register data processing
      const opc1 = pick([0x00, 0x10, 0x20, 0x30, 0x80, 0x90, 0xa0]);
      const op = opc1 === 0x80 ? 0 : rand() & 1;
      hw1 = 0xee00 | opc1 | (D << 6) | Vn;
      hw2 = (Vd << 12) | 0xa00 | (N << 7) | (op << 6) | (M << 5) | Vm;
      if (opc1 >= 0x90 && rand() % 3 === 0) {
        // cancellation: Sd close to -(Sn * Sm)
        f32[0] = -(new Float32Array(new Uint32Array([s[vn]]).buffer)[0] * new Float32Array(new Uint32Array([s[vm]]).buffer)[0]);
        s[vd] = (u32[0] ^ (rand() & 3)) >>> 0;
      }
    } else if (kind < 10) {
      const opc2 = pick([0, 0, 1, 1, 2, 3, 4, 5, 8, 0xa, 0xb, 0xe, 0xf, 0xc, 0xd, 0xc, 0xd, 0x10]);
      if (opc2 === 0x10) {
        // VMOV immediate
        hw1 = 0xeeb0 | (D << 6) | (rand() & 15);
        hw2 = (Vd << 12) | 0xa00 | (rand() & 15);
      } else {
        const bit7 = rand() & 1;
        let mField = (M << 5) | Vm;
        if (opc2 === 5) mField = 0;
        if (opc2 >= 0xa && opc2 <= 0xf && opc2 !== 0xc && opc2 !== 0xd) {
          // fixed point: imm4:i with frac_bits = size - imm >= 0
          const size = bit7 ? 32 : 16;
          const imm = rand() % (size === 16 ? 17 : 32);
          mField = ((imm & 1) << 5) | (imm >>> 1);
        }
        hw1 = 0xeeb0 | (D << 6) | opc2;
        hw2 = (Vd << 12) | 0xa40 | (bit7 << 7) | mField;
      }
    } else if (kind < 12) {
      switch (rand() % 5) {
        case 0: hw1 = 0xee00 | ((rand() & 1) << 4) | Vn; hw2 = (rand() % 13 << 12) | 0xa10 | (N << 7); break;
        case 1:
          if (rand() & 1) { hw1 = 0xeef1; hw2 = ((rand() % 3 === 0 ? 15 : rand() % 13) << 12) | 0xa10; }
          else { hw1 = 0xeee1; hw2 = ((rand() % 13) << 12) | 0xa10; }
          break;
        case 2: hw1 = 0xee00 | ((rand() & 1) << 5) | ((rand() & 1) << 4) | (rand() & 15); hw2 = ((rand() % 13) << 12) | 0xb10; break;
        default: {
          const t = rand() % 13;
          const t2 = (t + 1 + (rand() % 12)) % 13;
          const dbl = rand() & 1;
          const sm = dbl ? vm : Math.min(vm, 30);
          hw1 = 0xec40 | ((rand() & 1) << 4) | t2;
          hw2 = (t << 12) | (dbl ? 0xb10 : 0xa10) | (dbl ? (rand() & 15) : ((sm & 1) << 5) | (sm >>> 1));
          break;
        }
      }
    } else {
      // loads and stores
      const rn = rand() % 13;
      r[rn] = (DATA + 0x800 + (rand() % 16 === 0 ? 2 : 0)) >>> 0;
      const load = rand() & 1;
      const dbl = rand() & 1;
      const dField = dbl ? ((vd >>> 4) << 6) | ((vd & 15) << 12) : (D << 6) | (Vd << 12);
      if (rand() & 1) {
        hw1 = 0xed00 | ((rand() & 1) << 7) | (dField & 0x40) | (load << 4) | rn;
        hw2 = (dField & 0xf000) | (dbl ? 0xb00 : 0xa00) | (rand() & 0xff);
      } else {
        const first = dbl ? vd & 15 : vd;
        const limit = dbl ? 16 : 32;
        const regs = 1 + (rand() % Math.min(limit - first, 16));
        const useSp = rand() % 4 === 0;
        const base = useSp ? 13 : rn;
        if (useSp) sp = DATA + 0x800;
        const mode = rand() % 3; // 0 IA, 1 IA!, 2 DB!
        const p = mode === 2 ? 1 : 0, u = mode === 2 ? 0 : 1, w = mode === 0 ? 0 : 1;
        const fd = dbl ? ((first >>> 4) << 6) | ((first & 15) << 12) : ((first & 1) << 6) | ((first >>> 1) << 12);
        hw1 = 0xec00 | (p << 8) | (u << 7) | (fd & 0x40) | (w << 5) | (load << 4) | base;
        hw2 = (fd & 0xf000) | (dbl ? 0xb00 : 0xa00) | (dbl ? regs * 2 : regs);
      }
    }
    const rmode = rand() & 3;
    let fpscr = (rmode << 22) | ((rand() & 0xf) << 28);
    if (rand() % 4 === 0) fpscr |= 1 << 24; // FZ
    if (rand() % 4 === 0) fpscr |= 1 << 25; // DN
    if (rand() % 4 === 0) fpscr |= 1 << 26; // AHP
    if (rand() % 8 === 0) fpscr |= rand() & 0x9f;
    const apsr = (rand() & 0xf8000000) >>> 0;
    cases.push({ hw1, hw2, r, sp, apsr, fpscr: fpscr >>> 0, s });
  }
  return cases;
}
