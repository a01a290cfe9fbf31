// Differential test: random FPv4-SP instructions against unicorn's Cortex-M4 (FPU enabled).
import { strict as assert } from 'node:assert';
import { generateFpuCases } from './unicorn/gen-fpu';
import { runDifferential } from './unicorn/fpdsp-run';

describe('unicorn differential: FPv4-SP floating point', function () {
  this.timeout(240000);
  it('100,000 random FP instructions match unicorn (seed 0xf10a7001)', function () {
    const report = runDifferential(this, generateFpuCases(0xf10a7001, 100000));
    assert.equal(report, '');
  });
});
