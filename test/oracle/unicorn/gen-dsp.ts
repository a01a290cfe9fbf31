// Random ARMv7E-M DSP instructions (every encoding family of A5.3.12-A5.3.17 plus SSAT16/USAT16 and
// PKHBT/PKHTB) with register values biased towards saturation and lane-boundary cases.
import { type Case, DATA, prng } from './fpdsp-harness';

const INTERESTING = [
  0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x00007fff, 0x00008000, 0x0000ffff, 0xffff8000, 0x7fff7fff,
  0x80008000, 0x7f7f7f7f, 0x80808080, 0xff00ff00, 0x00ff00ff, 0x01010101, 0xfefefefe, 0x7fff8000, 0x80007fff,
];

export function generateDspCases(seed: number, count: number): Case[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length];
  const reg = () => rand() % 13;
  const value = () => (rand() % 3 === 0 ? pick(INTERESTING) : rand() % 4 === 0 ? (rand() & 0x0001ffff) : rand());
  const cases: Case[] = [];
  while (cases.length < count) {
    const n = reg();
    const d = reg();
    const m = reg();
    const a = reg();
    let hw1: number;
    let hw2: number;
    switch (rand() % 9) {
      case 0: case 1: // parallel add/sub
        hw1 = 0xfa80 | (pick([0, 1, 2, 4, 5, 6]) << 4) | n;
        hw2 = 0xf000 | (d << 8) | (pick([0, 1, 2, 4, 5, 6]) << 4) | m;
        break;
      case 2: // QADD/QDADD/QSUB/QDSUB, SEL
        if (rand() % 4 === 0) { hw1 = 0xfaa0 | n; hw2 = 0xf080 | (d << 8) | m; }
        else { hw1 = 0xfa80 | n; hw2 = 0xf080 | (d << 8) | ((rand() & 3) << 4) | m; }
        break;
      case 3: // extend (and add)
        hw1 = 0xfa00 | ((rand() % 6) << 4) | (rand() % 5 === 0 ? 15 : n);
        hw2 = 0xf080 | (d << 8) | ((rand() & 3) << 4) | m;
        break;
      case 4: case 5: { // multiplies
        const op1 = 1 + (rand() % 7);
        const op2 = op1 === 1 ? rand() & 3 : op1 === 7 ? 0 : rand() & 1;
        const ra = op1 !== 6 && rand() % 3 === 0 ? 15 : a;
        hw1 = 0xfb00 | (op1 << 4) | n;
        hw2 = (ra << 12) | (d << 8) | (op2 << 4) | m;
        break;
      }
      case 6: { // long multiplies
        const [op1, op2] = pick([[4, 8], [4, 9], [4, 10], [4, 11], [4, 12], [4, 13], [5, 12], [5, 13], [6, 6]]);
        let hi = reg();
        if (hi === a) hi = (a + 1) % 13;
        hw1 = 0xfb80 | (op1 << 4) | n;
        hw2 = (a << 12) | (hi << 8) | (op2 << 4) | m;
        break;
      }
      case 7: // SSAT16 / USAT16
        hw1 = (rand() & 1 ? 0xf3a0 : 0xf320) | n;
        hw2 = (d << 8) | (rand() & 15);
        break;
      default: // PKHBT / PKHTB
        hw1 = 0xeac0 | n;
        hw2 = ((rand() & 7) << 12) | (d << 8) | ((rand() & 3) << 6) | ((rand() & 1) << 5) | m;
        break;
    }
    const r = new Uint32Array(13);
    for (let i = 0; i < 13; i++) r[i] = value();
    const apsr = ((rand() & 0xf8000000) | ((rand() & 0xf) << 16)) >>> 0;
    cases.push({ hw1, hw2, r, sp: DATA + 0x800, apsr, fpscr: 0, s: new Uint32Array(32) });
  }
  return cases;
}
