// Long local differential runs outside mocha (no timeout, progress lines):
//   npx tsx test/oracle/unicorn/run-many.ts --profile v7m --count 5000000 --seed 123 [--filter ldm,dp16]
// Replay one batch of a report ("seed 123, batch 295"; same filter as the run that printed it):
//   npx tsx test/oracle/unicorn/run-many.ts --profile v7m --seed 123 --batch 295 --count 500
// Exit code 1 when anything diverges.

import { formatReport, runDifferential } from './harness';
import { unicornUnavailable } from './oracle-process';
import { defaultWorkers } from './config';
import type { CoreProfile } from './testcase';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const why = unicornUnavailable();
  if (why !== null) {
    console.error(`unicorn unavailable: ${why}`);
    process.exit(2);
  }
  const profiles = arg('profile', 'v6m,v7m').split(',') as CoreProfile[];
  let failed = false;
  for (const profile of profiles) {
    const report = await runDifferential({
      profile,
      count: Number(arg('count', process.env.DIFF_COUNT ?? '1000000')),
      seed: Number(arg('seed', process.env.DIFF_SEED ?? '1')),
      filter: arg('filter', process.env.DIFF_FILTER ?? '').split(',').filter((s) => s !== ''),
      examples: Number(arg('examples', '3')),
      firstBatch: Number(arg('batch', '0')),
      workers: Number(arg('workers', process.env.DIFF_WORKERS ?? String(defaultWorkers()))),
      progress: (line) => console.error(`[${profile}] ${line}`),
    });
    console.log(formatReport(report, 200));
    if (report.divergences > 0) failed = true;
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(3);
});
