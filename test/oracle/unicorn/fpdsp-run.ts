// Runs a batch of cases on both sides and summarises the mismatches (grouped by mnemonic).
import { type Case, OurMachine, describeCase, diffOutcomes, runUnicorn, unicornAvailable } from './fpdsp-harness';
import { isKnownDeviation } from './fpdsp-deviations';

/** Returns '' when everything matches, else a report of the first mismatches per mnemonic. */
export function runDifferential(ctx: Mocha.Context, cases: Case[], model: 'm4' | 'm7' = 'm4'): string {
  if (!unicornAvailable()) {
    if (process.env.REQUIRE_ORACLES === '1') throw new Error('unicorn (python3-unicorn for /usr/bin/python3) is required');
    ctx.skip();
  }
  const theirs = runUnicorn(cases, model);
  const machine = new OurMachine();
  // The M7 model's FPv5 instructions (VSEL, VMAXNM, VRINT, VCVTA...) need an FPv5 core on our side.
  if (model === 'm7') machine.cpu.hasDoubleFpu = true;
  const byMnemonic = new Map<string, { count: number; examples: string[] }>();
  let mismatches = 0;
  cases.forEach((c, k) => {
    const ours = machine.run(c);
    const diff = diffOutcomes(ours, theirs[k]);
    if (diff.length === 0) return;
    const asm = machine.asm(c);
    if (isKnownDeviation(c, asm, ours, theirs[k])) return;
    mismatches++;
    const mnemonic = asm.split(' ')[0];
    let entry = byMnemonic.get(mnemonic);
    if (!entry) byMnemonic.set(mnemonic, entry = { count: 0, examples: [] });
    entry.count++;
    if (entry.examples.length < 3) {
      entry.examples.push(`  #${k} ${c.hw1.toString(16)} ${c.hw2.toString(16)} ${asm}\n    ${diff.join('\n    ')}\n    ${describeCase(c)}`);
    }
  });
  if (mismatches === 0) return '';
  const lines = [`${mismatches} of ${cases.length} differ`];
  for (const [mnemonic, entry] of [...byMnemonic].sort((x, y) => y[1].count - x[1].count)) {
    lines.push(`${mnemonic}: ${entry.count}`, ...entry.examples);
  }
  return lines.join('\n');
}
