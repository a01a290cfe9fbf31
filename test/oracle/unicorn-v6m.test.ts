// Differential test of our ARMv6-M (Cortex-M0 model) against unicorn, one instruction (or IT block) at a time.
//
// How to run:
//   M="npx mocha --no-config -r tsx/cjs -t 0"   (plain `npx mocha <file>` also runs .mocharc's spec list)
//   $M test/oracle/unicorn-v6m.test.ts                        # 200000 cases, seed 1 (as CI)
//   DIFF_FILTER=ldm $M test/oracle/unicorn-v6m.test.ts         # classes whose name contains 'ldm'
//   DIFF_COUNT=5000000 DIFF_SEED=123 $M test/oracle/unicorn-v6m.test.ts
//   npx tsx test/oracle/unicorn/run-many.ts --profile v6m --count 5000000 --seed 123   # no mocha timeout
// Needs Debian's python3-unicorn (/usr/bin/python3, or UNICORN_PYTHON=...). Skips without it unless
// REQUIRE_ORACLES=1. Divergences are grouped by class and mnemonic with three examples each;
// test/oracle/unicorn/KNOWN-DEVIATIONS.md lists where unicorn is wrong and how cases avoid it.

import { differentialTest, requireUnicorn } from './unicorn/config';

describe('unicorn differential: v6m', function () {
  this.timeout(0);

  it('agrees with unicorn on registers, APSR flags and memory for every generated instruction', async function () {
    requireUnicorn(this);
    await differentialTest('v6m');
  });
});
