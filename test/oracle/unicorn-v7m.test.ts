// Differential test of our ARMv7-M (Cortex-M3 model) against unicorn, one instruction (or IT block) at a time.
//
// How to run:
//   M="npx mocha --no-config -r tsx/cjs -t 0"   (plain `npx mocha <file>` also runs .mocharc's spec list)
//   $M test/oracle/unicorn-v7m.test.ts                        # 200000 cases, seed 1 (as CI)
//   DIFF_FILTER=ldm $M test/oracle/unicorn-v7m.test.ts         # classes whose name contains 'ldm'
//   DIFF_COUNT=5000000 DIFF_SEED=123 $M test/oracle/unicorn-v7m.test.ts
//   npx tsx test/oracle/unicorn/run-many.ts --profile v7m --count 5000000 --seed 123   # no mocha timeout
// Needs Debian's python3-unicorn (/usr/bin/python3, or UNICORN_PYTHON=...). Skips without it unless
// REQUIRE_ORACLES=1. Divergences are grouped by class and mnemonic with three examples each;
// test/oracle/unicorn/KNOWN-DEVIATIONS.md lists where unicorn is wrong and how cases avoid it.

import { strict as assert } from 'node:assert';
import { differentialTest, requireUnicorn } from './unicorn/config';
import { runDifferential } from './unicorn/harness';

describe('unicorn differential: v7m', function () {
  this.timeout(0);

  it('agrees with unicorn on registers, APSR flags and memory for every generated instruction', async function () {
    requireUnicorn(this);
    await differentialTest('v7m');
  });

  it('notices wrong results (self-test of the comparison: flags, registers, memory, faults)', async function () {
    requireUnicorn(this);
    let tampered = 0;
    const report = await runDifferential({
      profile: 'v7m', count: 3000, seed: 7, workers: 1,
      tamper: (c, ours) => {
        if (c.expectFault !== undefined) {
          ours.fault = ours.fault === undefined ? 'UNDEFINSTR' : undefined;
          tampered++;
          return;
        }
        if (ours.fault !== undefined || c.regs[1] % 4 !== 0) return;
        tampered++;
        switch (c.regs[0] % 3) {
          case 0: ours.regs[c.regs[2] % 16] ^= 1; break;
          case 1: ours.psr ^= 0x20000000; break;
          default: ours.memory.push([0x20000ffc, 0x5a]); break;
        }
      },
    });
    assert.ok(tampered > 100, `only ${tampered} cases tampered`);
    assert.ok(report.divergences >= tampered, `${report.divergences} divergences for ${tampered} tampered cases`);
  });
});
