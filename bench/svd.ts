// SVD parsing speed, for `npm run bench`: CPU time to parse generated vendor-shaped files of about
// 10, 15 and 20 MB (best of 3, after one warm-up parse), and the XML reader's share of it.
//
//   node --import tsx bench/svd.ts        (also run at the end of bench/run.ts)

import { parseSvd, readXml } from '../src/debuginfo/svd';
import { largeSvdText } from '../test/support/large-svd';

const REPEATED = new Set(['peripheral', 'register', 'cluster', 'field', 'enumeratedValues', 'enumeratedValue', 'interrupt', 'addressBlock']);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function bestCpuMs(work: () => void, reps = 3): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = cpuMs();
    work();
    best = Math.min(best, cpuMs() - t0);
  }
  return best;
}

export function printSvdBench(): void {
  console.log('\nSVD parsing (generated files, CPU time, best of 3):');
  for (const peripherals of [134, 200, 268]) {
    const text = largeSvdText(peripherals);
    parseSvd(text, 'big.svd');
    const xml = bestCpuMs(() => readXml(text, REPEATED));
    const total = bestCpuMs(() => parseSvd(text, 'big.svd'));
    console.log(`  ${(text.length / 1e6).toFixed(1).padStart(5)} MB  ${total.toFixed(0).padStart(5)} ms (XML ${xml.toFixed(0)} ms)`);
  }
}

if (require.main === module) printSvdBench();
