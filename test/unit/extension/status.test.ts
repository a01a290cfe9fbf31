import * as assert from 'node:assert/strict';
import { formatRate, formatStatus } from '../../../src/extension/status';

describe('extension status bar text', () => {
  it('formats rates and states', () => {
    assert.equal(formatRate(42_300_000), '42.3 MIPS');
    assert.equal(formatRate(1500), '1.5 kIPS');
    assert.match(formatStatus({ state: 'running', instructionsPerSecond: 2e7, chip: 'stm32f411re' }), /stm32f411re running · 20\.0 MIPS/);
    assert.match(formatStatus({ state: 'stopped', seconds: 0.5 }), /stopped · 0\.500 s simulated/);
    assert.match(formatStatus({ state: 'exited' }), /exited/);
  });
});
