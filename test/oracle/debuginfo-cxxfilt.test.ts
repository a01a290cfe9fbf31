// Differential test: symbol demangling against arm-none-eabi-c++filt, over every symbol of the
// fixture ELFs plus a committed list of Rust v0 names. c++filt keeps legacy hashes and v0 crate
// disambiguators, so we compare with `verbose: true`; the default (display) form must be that text
// with those parts removed.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readElf } from '../../src/debuginfo/elf';
import { demangle, demangleRust } from '../../src/debuginfo/demangle';
import { skipUnlessOracle } from './oracles';
import { oracleElfs } from './debuginfo-oracle-elfs';

function cxxfilt(names: string[]): string[] {
  const r = spawnSync('arm-none-eabi-c++filt', [], { input: names.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`c++filt failed: ${r.stderr}`);
  return r.stdout.split('\n').slice(0, names.length);
}

function compare(names: string[], onlyRust: boolean): { checked: number; mismatches: string[] } {
  const expected = cxxfilt(names);
  const mismatches: string[] = [];
  let checked = 0;
  names.forEach((n, i) => {
    if (onlyRust && demangleRust(n) === undefined && expected[i] === n) return;
    checked++;
    const ours = demangle(n, { verbose: true });
    if (ours !== expected[i]) mismatches.push(`${n}\n  ours:     ${ours}\n  c++filt:  ${expected[i]}`);
    const display = demangle(n);
    const stripped = expected[i].replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]+\]/g, '').replace(/(<|, |; )(-?\d+): [iu](8|16|32|64|128|size)\b/g, '$1$2');
    if (display !== stripped) mismatches.push(`${n} (display)\n  ours:     ${display}\n  expected: ${stripped}`);
  });
  return { checked, mismatches };
}

describe('c++filt oracle: demangling', function () {
  before(function () {
    skipUnlessOracle(this, 'arm-none-eabi-c++filt');
  });

  for (const elf of oracleElfs()) {
    it(`${elf.name}: every symbol`, () => {
      const file = readElf(new Uint8Array(fs.readFileSync(elf.path)), elf.path);
      const names = [...new Set(file.symbols.map((s) => s.name).filter((n) => n !== ''))];
      const { mismatches } = compare(names, false);
      assert.equal(mismatches.length, 0, `${mismatches.length} differ:\n${mismatches.slice(0, 10).join('\n')}`);
    });
  }

  it('C++ names from ARM and host builds (templates, operators, ctors, std, substitutions)', () => {
    for (const list of ['cxx-arm-symbols.txt', 'cxx-host-symbols.txt']) {
      const names = fs.readFileSync(path.join(__dirname, '..', 'unit', 'debuginfo', 'data', list), 'utf8').split('\n').filter(Boolean);
      const expected = cxxfilt(names);
      const wrong: string[] = [];
      let unsupported = 0;
      names.forEach((n, i) => {
        const ours = demangle(n);
        if (ours === n) unsupported++; // a construct the basic demangler leaves alone (lambdas, expressions)
        else if (ours !== expected[i]) wrong.push(`${n}\n  ours:    ${ours}\n  c++filt: ${expected[i]}`);
      });
      assert.deepEqual(wrong, [], list);
      assert.ok(unsupported <= names.length * 0.1, `${list}: ${unsupported} of ${names.length} not demangled`);
    }
  });

  it('Rust v0 names (generics, closures, shims, consts, dyn, punycode)', () => {
    const names = fs.readFileSync(path.join(__dirname, '..', 'unit', 'debuginfo', 'data', 'rust-v0-symbols.txt'), 'utf8').split('\n').filter(Boolean);
    const { checked, mismatches } = compare(names, true);
    assert.ok(checked > 100);
    assert.equal(mismatches.length, 0, `${mismatches.length} differ:\n${mismatches.slice(0, 10).join('\n')}`);
  });
});
