// Differential test: CFI unwind rows against `arm-none-eabi-readelf --debug-dump=frames-interp`.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { readElf } from '../../src/debuginfo/elf';
import { dwarfSectionsOf } from '../../src/debuginfo/dwarf/sections';
import { FrameTable, type RegisterRule, type UnwindRow } from '../../src/debuginfo/dwarf/frame';
import { skipUnlessOracle } from './oracles';
import { compiledElfs, oracleElfs, type OracleElf } from './debuginfo-oracle-elfs';

interface OracleFde {
  offset: number;
  start: number;
  end: number;
  columns: string[];
  rows: Array<{ loc: number; cells: string[] }>;
}

/** Parses readelf's interpreted frame tables. */
function readelfFrames(elfPath: string): OracleFde[] {
  const r = spawnSync('arm-none-eabi-readelf', ['--debug-dump=frames-interp', elfPath], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`readelf failed: ${r.stderr}`);
  const out: OracleFde[] = [];
  let cur: OracleFde | undefined;
  for (const line of r.stdout.split('\n')) {
    const fde = /^([0-9a-f]+) [0-9a-f]+ [0-9a-f]+ FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
    if (fde) {
      cur = { offset: parseInt(fde[1], 16), start: parseInt(fde[2], 16), end: parseInt(fde[3], 16), columns: [], rows: [] };
      out.push(cur);
      continue;
    }
    if (/CIE/.test(line)) {
      cur = undefined;
      continue;
    }
    if (!cur) continue;
    const cells = line.trim().split(/\s+/);
    if (cells[0] === 'LOC') cur.columns = cells.slice(2);
    else if (/^[0-9a-f]{8,16}$/.test(cells[0])) cur.rows.push({ loc: parseInt(cells[0], 16), cells: cells.slice(1) });
  }
  return out;
}

function regName(reg: number, ra: number): string {
  // readelf names ARM columns by number (r264 for d8), and the return-address column "ra".
  return reg === ra ? 'ra' : `r${reg}`;
}

function nameToReg(name: string, ra: number): number {
  return name === 'ra' ? ra : parseInt(name.slice(1), 10);
}

const signed = (n: number) => (n >= 0 ? `+${n}` : `${n}`);

function ruleText(rule: RegisterRule | undefined, ra: number): string {
  if (!rule) return 'u';
  switch (rule.kind) {
    case 'undefined':
      return 'u';
    case 'same':
      return 's';
    case 'offset':
      return `c${signed(rule.offset)}`;
    case 'valOffset':
      return `v${signed(rule.offset)}`;
    case 'register':
      return regName(rule.register, ra);
    case 'expression':
      return 'exp';
    case 'valExpression':
      return 'vexp';
  }
}

function rowText(row: UnwindRow, columns: string[], ra: number): string[] {
  const cfa = row.cfa.kind === 'register' ? `${regName(row.cfa.register, -1)}${signed(row.cfa.offset)}` : 'exp';
  return [cfa, ...columns.map((c) => ruleText(row.registers.get(nameToReg(c, ra)), ra))];
}

function check(elf: OracleElf): number {
  const file = readElf(new Uint8Array(fs.readFileSync(elf.path)), elf.path);
  const table = FrameTable.read(dwarfSectionsOf(file));
  const expected = readelfFrames(elf.path);
  const mismatches: string[] = [];
  let rowsChecked = 0;
  for (const e of expected) {
    // Match by entry offset: discarded functions leave many FDEs at address 0.
    const section = table.sections.find((x) => x.name === '.debug_frame')!;
    const fde = section.fdes.find((f) => f.offset === e.offset);
    const found = fde && { section, fde };
    if (!found || found.fde.start !== e.start || found.fde.end !== e.end) {
      mismatches.push(`FDE ${e.start.toString(16)}..${e.end.toString(16)}: ours ${found ? `${found.fde.start.toString(16)}..${found.fde.end.toString(16)}` : 'missing'}`);
      continue;
    }
    const ra = found.fde.cie.returnAddressRegister;
    const ours = found.section.rows(found.fde);
    // Registers we have rules for must all be columns readelf shows.
    for (const row of ours) {
      for (const [reg, rule] of row.registers) {
        if (rule.kind !== 'undefined' && e.rows.length > 0 && !e.columns.includes(regName(reg, ra))) {
          mismatches.push(`FDE ${e.start.toString(16)}: we have a rule for ${regName(reg, ra)}, readelf has no such column`);
        }
      }
    }
    // Each readelf row must match ours at its address, and each of our rows readelf's row there.
    const expectedAt = (a: number) => {
      let best: (typeof e.rows)[number] | undefined;
      for (const r of e.rows) if (r.loc <= a) best = r;
      return best;
    };
    for (const r of e.rows) {
      // Epilogue CFI can leave a row at the FDE's end address; it covers no code.
      if (r.loc >= e.end) continue;
      const row = ours.find((x) => r.loc >= x.address && r.loc < x.end);
      const text = row ? rowText(row, e.columns, ra).join(' ') : 'none';
      rowsChecked++;
      if (text !== r.cells.join(' ')) mismatches.push(`${r.loc.toString(16)}: ours ${text}, readelf ${r.cells.join(' ')}`);
    }
    for (const row of ours) {
      const x = expectedAt(row.address);
      if (!x) continue;
      const text = rowText(row, e.columns, ra).join(' ');
      if (text !== x.cells.join(' ')) mismatches.push(`${row.address.toString(16)} (our row start): ours ${text}, readelf ${x.cells.join(' ')}`);
    }
  }
  const ourFdes = table.sections.reduce((n, s) => n + s.fdes.length, 0);
  if (ourFdes !== expected.length) mismatches.push(`FDE count: ours ${ourFdes}, readelf ${expected.length}`);
  assert.equal(mismatches.length, 0, `${mismatches.length} differences:\n${mismatches.slice(0, 20).join('\n')}`);
  return rowsChecked;
}

describe('readelf oracle: call frame information', function () {
  before(function () {
    skipUnlessOracle(this, 'binutils');
  });
  for (const elf of oracleElfs()) {
    it(`${elf.name}: every FDE row`, () => {
      check(elf);
    });
  }
  it('gcc-compiled programs, DWARF 2/3/4/5, -O2 and -Og', function () {
    skipUnlessOracle(this, 'gcc');
    let rows = 0;
    for (const elf of compiledElfs()) rows += check(elf);
    assert.ok(rows > 0);
  });
});
