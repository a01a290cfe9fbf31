// Differential test: symbol demangling against arm-none-eabi-c++filt, over every symbol of the
// fixture ELFs, committed lists of C++ and Rust v0 names, and the C++ corpus (cxx-corpus.cpp)
// compiled for Arm and for the host. c++filt keeps legacy hashes and v0 crate
// disambiguators, so we compare with `verbose: true`; the default (display) form must be that text
// with those parts removed.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readElf } from '../../src/debuginfo/elf';
import { demangle, demangleRust } from '../../src/debuginfo/demangle';
import { hasTool, skipUnlessOracle } from './oracles';
import { oracleElfs } from './debuginfo-oracle-elfs';

function cxxfilt(names: string[]): string[] {
  const r = spawnSync('arm-none-eabi-c++filt', [], { input: names.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`c++filt failed: ${r.stderr}`);
  return r.stdout.split('\n').slice(0, names.length);
}

const DATA = path.join(__dirname, '..', 'unit', 'debuginfo', 'data');

/** Names we print differently from c++filt (a name left mangled counts). */
function differences(names: string[]): string[] {
  const expected = cxxfilt(names);
  const wrong: string[] = [];
  names.forEach((n, i) => {
    const ours = demangle(n);
    if (ours !== expected[i]) wrong.push(`${n}\n  ours:    ${ours}\n  c++filt: ${expected[i]}`);
  });
  return wrong;
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
      const names = fs.readFileSync(path.join(DATA, list), 'utf8').split('\n').filter(Boolean);
      assert.deepEqual(differences(names), [], list);
    }
  });

  // cxx-corpus.cpp compiled here: freestanding for Arm at two optimisation levels (no standard
  // library there), and hosted with the standard library's containers, function, tuple and variant.
  const builds: Array<{ name: string; compiler: string; args: string[] }> = [
    { name: 'arm-none-eabi-g++ -O0', compiler: 'arm-none-eabi-g++', args: ['-std=c++17', '-DFREESTANDING', '-mcpu=cortex-m3', '-mthumb', '-O0'] },
    { name: 'arm-none-eabi-g++ -O1 -fno-rtti', compiler: 'arm-none-eabi-g++', args: ['-std=c++17', '-DFREESTANDING', '-mcpu=cortex-m3', '-mthumb', '-O1', '-fno-exceptions', '-fno-rtti'] },
    { name: 'host g++ -std=c++20 (standard library)', compiler: 'g++', args: ['-std=c++20', '-O0'] },
  ];
  for (const build of builds) {
    it(`cxx-corpus.cpp (lambdas, unnamed and local types, packs, thunks, decltype) by ${build.name}: no differences`, function () {
      if (!hasTool(build.compiler)) this.skip();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cxx-corpus-'));
      try {
        const object = path.join(dir, 'corpus.o');
        const r = spawnSync(build.compiler, [...build.args, '-c', path.join(DATA, 'cxx-corpus.cpp'), '-o', object], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        const file = readElf(new Uint8Array(fs.readFileSync(object)), object);
        const names = [...new Set(file.symbols.map((s) => s.name).filter((n) => n.startsWith('_Z')))];
        assert.ok(names.length > 20, `only ${names.length} C++ symbols`);
        assert.deepEqual(differences(names), []);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('Rust v0 names (generics, closures, shims, consts, dyn, punycode)', () => {
    const names = fs.readFileSync(path.join(DATA, 'rust-v0-symbols.txt'), 'utf8').split('\n').filter(Boolean);
    const { checked, mismatches } = compare(names, true);
    assert.ok(checked > 100);
    assert.equal(mismatches.length, 0, `${mismatches.length} differ:\n${mismatches.slice(0, 10).join('\n')}`);
  });
});
