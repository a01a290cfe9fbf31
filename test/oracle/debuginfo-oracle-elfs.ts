// ELFs the debug-info oracle tests read: the committed firmware fixtures, plus small programs compiled
// here with every DWARF version GCC emits (2, 3, 4, 5) at two optimisation levels, so each line-table
// and unit-header format is exercised even where the fixtures use only one.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixtures } from '../fixtures/firmware/fixtures';
import type { DebugInfo } from '../../src/debuginfo/debuginfo';
import { DW_AT, DW_TAG } from '../../src/debuginfo/dwarf/constants';
import type { Die } from '../../src/debuginfo/dwarf/info';
import { hasTool } from './oracles';

export interface OracleElf {
  name: string;
  path: string;
}

const DATA = path.join(__dirname, '..', 'unit', 'debuginfo', 'data');
let compiled: OracleElf[] | undefined;

/** Compiles the test sources with arm-none-eabi-gcc (once per run); empty when gcc is missing. */
export function compiledElfs(): OracleElf[] {
  if (compiled) return compiled;
  compiled = [];
  if (!hasTool('arm-none-eabi-gcc')) return compiled;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'debuginfo-oracle-'));
  for (const src of ['tiny.c', 'inline.c']) {
    for (const dwarf of [2, 3, 4, 5]) {
      for (const [cpu, opt] of [['cortex-m3', '-O2'], ['cortex-m0', '-Og']]) {
        const name = `${src.replace('.c', '')}-dwarf${dwarf}-${cpu}${opt}`;
        const out = path.join(dir, `${name}.elf`);
        const r = spawnSync('arm-none-eabi-gcc', [`-mcpu=${cpu}`, '-mthumb', opt, '-g', `-gdwarf-${dwarf}`, '-nostdlib', '-T', path.join(DATA, 'tiny.ld'), path.join(DATA, src), '-o', out], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`arm-none-eabi-gcc failed for ${name}: ${r.stderr}`);
        compiled.push({ name, path: out });
      }
    }
  }
  return compiled;
}

/** Every ELF to check: fixtures first, then the compiled ones. */
export function oracleElfs(): OracleElf[] {
  const list: OracleElf[] = fixtures.map((f) => ({ name: f.name, path: f.elfPath })).filter((f) => fs.existsSync(f.path));
  list.push({ name: 'unit/tiny', path: path.join(DATA, 'tiny.elf') });
  return list;
}

/**
 * The assembler records some functions' DW_AT_low_pc with the Thumb bit set, so the subprogram
 * seems to cover one byte of the next function. addr2line picks that subprogram's unit for the
 * next function's first address, finds no row there and prints ??:?; we answer from the line table
 * that really covers it. Returns those last-byte addresses.
 */
export function oddLowPcEnds(di: DebugInfo): Set<number> {
  const out = new Set<number>();
  const visit = (die: Die) => {
    for (const c of die.children()) {
      if (c.tag === DW_TAG.subprogram) {
        const low = c.number(DW_AT.low_pc);
        if (low !== undefined && (low & 1) === 1) for (const r of c.ranges()) out.add(r.high - 1);
      }
      if (c.abbrev.hasChildren) visit(c);
    }
  };
  for (const u of di.info.compileUnits()) visit(u.root());
  return out;
}

