// Differential test: address → file:line for every halfword of .text, against arm-none-eabi-addr2line.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { readElf } from '../../src/debuginfo/elf';
import { DebugInfo } from '../../src/debuginfo/debuginfo';
import { skipUnlessOracle } from './oracles';
import { compiledElfs, oddLowPcEnds, oracleElfs, type OracleElf } from './debuginfo-oracle-elfs';

function addr2line(elfPath: string, addresses: number[]): string[] {
  const r = spawnSync('arm-none-eabi-addr2line', ['-e', elfPath], {
    input: addresses.map((a) => a.toString(16)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`addr2line failed: ${r.stderr}`);
  return r.stdout.split('\n').slice(0, addresses.length).map((l) => l.replace(/ \(discriminator \d+\)$/, '').replace(/^\?\?:0$/, '??:?'));
}

function check(elf: OracleElf): void {
  const file = readElf(new Uint8Array(fs.readFileSync(elf.path)), elf.path);
  const di = new DebugInfo(file);
  const addresses: number[] = [];
  for (const s of file.sections) {
    if ((s.flags & 0x4) === 0 || s.type !== 1) continue; // SHF_EXECINSTR PROGBITS
    for (let a = s.addr; a < s.addr + s.size; a += 2) addresses.push(a);
  }
  const expected = addr2line(elf.path, addresses);
  const quirks = oddLowPcEnds(di);
  const fileSymbols = new Set(file.symbols.filter((s) => s.type === 'file').map((s) => s.name));
  const mismatches: string[] = [];
  addresses.forEach((a, i) => {
    const loc = di.lineAt(a);
    const ours = loc ? `${loc.file?.path ?? '??'}:${loc.line === 0 ? '?' : loc.line}` : '??:?';
    if (ours === expected[i]) return;
    // Known, deliberate differences (see the notes on oddLowPcEnds and below).
    if (expected[i] === '??:?' && quirks.has(a)) return;
    // With no line row (padding between functions), addr2line falls back to the symbol table and
    // prints the STT_FILE symbol's name with line '?'; we report no location.
    if (!loc && fileSymbols.has(expected[i].replace(/:\?$/, ''))) return;
    mismatches.push(`0x${a.toString(16)}: ours ${ours}, addr2line ${expected[i]}`);
  });
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${addresses.length} addresses differ:\n${mismatches.slice(0, 20).join('\n')}`);
}

describe('addr2line oracle: address → file:line', function () {
  before(function () {
    skipUnlessOracle(this, 'binutils');
  });
  for (const elf of oracleElfs()) {
    it(`${elf.name}: every halfword of .text`, () => check(elf));
  }
  it('gcc-compiled programs, DWARF 2/3/4/5, -O2 and -Og', function () {
    skipUnlessOracle(this, 'gcc');
    const elfs = compiledElfs();
    assert.ok(elfs.length >= 8);
    for (const elf of elfs) check(elf);
  });
});
