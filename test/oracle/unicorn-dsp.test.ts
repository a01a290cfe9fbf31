// Differential test: random ARMv7E-M DSP instructions against unicorn's Cortex-M4.
import { strict as assert } from 'node:assert';
import { generateDspCases } from './unicorn/gen-dsp';
import { runDifferential } from './unicorn/fpdsp-run';

describe('unicorn differential: DSP extension', function () {
  this.timeout(240000);
  it('100,000 random DSP instructions match unicorn (seed 0x5eed0001)', function () {
    const report = runDifferential(this, generateDspCases(0x5eed0001, 100000));
    assert.equal(report, '');
  });
});
