// Shared set-up of the unicorn differential tests: environment variables and the skip/fail rule.
//
//   DIFF_COUNT=5000000   cases per profile (default 200000, the CI amount)
//   DIFF_SEED=123        generator seed (default 1, fixed so CI runs are reproducible)
//   DIFF_FILTER=ldm,dp16 only classes whose name contains one of these
//   DIFF_EXAMPLES=3      examples printed per divergence group
//   DIFF_WORKERS=2       unicorn processes run in parallel (default: 2, or 1 on a single CPU)
//   REQUIRE_ORACLES=1    a missing unicorn fails instead of skipping (CI)

import type { Context } from 'mocha';
import * as os from 'node:os';
import { formatReport, runDifferential } from './harness';
import { unicornUnavailable } from './oracle-process';
import { oraclesRequired, skipUnlessOracle } from '../oracles';
import type { CoreProfile } from './testcase';

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw} is not a number`);
  return value;
}

export function envFilter(): string[] {
  return (process.env.DIFF_FILTER ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Skip (locally) or fail (REQUIRE_ORACLES=1) when unicorn cannot be imported. */
export function requireUnicorn(ctx: Context): void {
  skipUnlessOracle(ctx, 'unicorn');
  // UNICORN_PYTHON may name an interpreter the shared check did not look at.
  const why = unicornUnavailable();
  if (why === null) return;
  if (oraclesRequired()) throw new Error(`REQUIRE_ORACLES=1 but unicorn is unavailable: ${why}`);
  console.log(`    (skipped: ${why})`);
  ctx.skip();
}

/** The body of one profile's test: run, print the summary, fail on any divergence. */
export async function differentialTest(profile: CoreProfile): Promise<void> {
  const report = await runDifferential({
    profile,
    count: envNumber('DIFF_COUNT', 200000),
    seed: envNumber('DIFF_SEED', 1),
    filter: envFilter(),
    examples: envNumber('DIFF_EXAMPLES', 3),
    workers: envNumber('DIFF_WORKERS', defaultWorkers()),
  });
  const text = formatReport(report);
  console.log(text.split('\n').map((l) => '    ' + l).join('\n'));
  if (report.divergences > 0) {
    throw new Error(`${report.divergences} of ${report.cases} cases diverge from unicorn (${report.groups.size} groups, summary above)`);
  }
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(2, os.availableParallelism()));
}
