// Differential test: the FPv5 additions (VSEL, VMAXNM/VMINNM, VRINTA/N/P/M/Z/R/X, VCVTA/N/P/M) in
// single precision against unicorn's Cortex-M7 model. Unicorn 2.0.1's M7 does not implement the
// double-precision instructions (VADD.F64 is an invalid instruction there), so double precision is
// checked against the host's IEEE arithmetic in test/unit/emulator/fpu-double.test.ts instead.
import { strict as assert } from 'node:assert';
import { generateFpuCases } from './unicorn/gen-fpu';
import { prng } from './unicorn/fpdsp-harness';
import { runDifferential } from './unicorn/fpdsp-run';

const COUNT = 20000;

/** Random FPv5 single-precision encodings over the random register/FPSCR states of the FPv4 generator. */
function generateFpv5Cases(seed: number, count: number) {
  const rand = prng(seed);
  const cases = generateFpuCases(seed ^ 0x5eed, count);
  for (const c of cases) {
    const vd = rand() & 31, vn = rand() & 31, vm = rand() & 31;
    const D = vd & 1, Vd = vd >>> 1, N = vn & 1, Vn = vn >>> 1, M = vm & 1, Vm = vm >>> 1;
    const regs = (Vd << 12) | (M << 5) | Vm;
    switch (rand() % 6) {
      case 0: // VSEL<eq,vs,ge,gt>.F32
        c.hw1 = 0xfe00 | ((rand() & 3) << 4) | (D << 6) | Vn;
        c.hw2 = regs | 0xa00 | (N << 7);
        break;
      case 1: // VMAXNM / VMINNM.F32
        c.hw1 = 0xfe80 | (D << 6) | Vn;
        c.hw2 = regs | 0xa00 | (N << 7) | ((rand() & 1) << 6);
        break;
      case 2: // VRINT<a,n,p,m>.F32
        c.hw1 = 0xfeb8 | (D << 6) | (rand() & 3);
        c.hw2 = regs | 0xa40;
        break;
      case 3: // VCVT<a,n,p,m>.<S32,U32>.F32
        c.hw1 = 0xfebc | (D << 6) | (rand() & 3);
        c.hw2 = regs | 0xa40 | ((rand() & 1) << 7);
        break;
      case 4: // VRINTZ / VRINTR.F32
        c.hw1 = 0xeeb6 | (D << 6);
        c.hw2 = regs | 0xa40 | ((rand() & 1) << 7);
        break;
      default: // VRINTX.F32
        c.hw1 = 0xeeb7 | (D << 6);
        c.hw2 = regs | 0xa40;
        break;
    }
  }
  return cases;
}

describe('unicorn differential: FPv5 single precision (Cortex-M7 model)', function () {
  this.timeout(240000);
  it(`${COUNT.toLocaleString('en')} random VSEL/VMAXNM/VMINNM/VRINT*/VCVT[ANPM] match unicorn's M7 (seed 0xf5f5)`, function () {
    const report = runDifferential(this, generateFpv5Cases(0xf5f5, COUNT), 'm7');
    assert.equal(report, '');
  });
});
