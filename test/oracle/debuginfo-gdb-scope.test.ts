// Differential test: variable locations and sizes against gdb-multiarch's `info scope <function>`,
// for every named C function of the C fixtures and the gcc-compiled test programs (gdb lists the
// variables of the blocks holding the function's entry address). Compared per
// symbol: the location-list ranges, and for each range (or a single location) the register, the
// constant, the static address or the frame-base offset it names; and the type's size.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { readElf } from '../../src/debuginfo/elf';
import { DebugInfo, type VariableInfo } from '../../src/debuginfo/debuginfo';
import { DW_AT } from '../../src/debuginfo/dwarf/constants';
import { evaluateLocation, type Location } from '../../src/debuginfo/dwarf/expression';
import { locationEntries } from '../../src/debuginfo/dwarf/loc';
import { typeSize } from '../../src/debuginfo/dwarf/types';
import { skipUnlessOracle } from './oracles';
import { compiledElfs, oracleElfs, type OracleElf } from './debuginfo-oracle-elfs';

const FRAME_BASE = 0x10000;

/** gdb's wording for one location, or '*' for what this test does not compare. */
function describe_(loc: Location | 'fbreg', fbOffset = 0): string {
  if (loc === 'fbreg') return `fbreg ${fbOffset}`;
  switch (loc.kind) {
    case 'register':
      return `a variable in $${['sp', 'lr', 'pc'][loc.register - 13] ?? `r${loc.register}`}`;
    case 'value':
      return `the constant ${loc.value | 0}`;
    case 'memory':
      return `static storage at address 0x${loc.address.toString(16)}`;
    default:
      return '*';
  }
}

function ourDescription(v: VariableInfo): string {
  const attr = v.die.attr(DW_AT.location);
  const size = typeSize(v.type);
  const lengthText = size === undefined ? '' : `, length ${size}`;
  const one = (expr: Uint8Array): string => {
    if (expr.length >= 2 && expr[0] === 0x91) {
      const loc = evaluateLocation(expr, { readRegister: () => 0, readMemory: () => 0, frameBase: () => FRAME_BASE });
      return loc.kind === 'memory' && expr.length <= 6 ? describe_('fbreg', loc.address - FRAME_BASE) : '*';
    }
    try {
      // Register or memory reads make it "a complex DWARF expression" for gdb: not compared.
      const refuse = () => {
        throw new Error('not a constant');
      };
      const loc = evaluateLocation(expr, { readRegister: refuse, readMemory: refuse });
      // gdb says "the constant" only for DW_OP_lit<n>; other computed values are "complex".
      if (loc.kind === 'value' && !(expr.length === 2 && expr[0] >= 0x30 && expr[0] <= 0x4f && expr[1] === 0x9f)) return '*';
      return describe_(loc);
    } catch {
      return '*';
    }
  };
  if (!attr) {
    const c = v.die.attr(DW_AT.const_value);
    return c && typeof c.value === 'number' ? `a constant with value ${c.value}${lengthText}` : 'optimized out';
  }
  const e = locationEntries(v.die.unit, attr);
  if ('expression' in e) return one(e.expression) + lengthText;
  return `multi-location: ${e.list.map((x) => `${x.low.toString(16)}-${x.high.toString(16)} ${one(x.expression)}`).join('; ')}${lengthText}`;
}

function gdbScopes(elfPath: string, functions: string[]): Map<string, string[]> {
  const args = ['-batch', '-nx', elfPath];
  for (const f of functions) args.push('-ex', `info scope ${f}`);
  const r = spawnSync('gdb-multiarch', args, { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120000 });
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  let symbol: string | undefined;
  for (const line of r.stdout.split('\n')) {
    const scope = /^Scope for ([^:]+):$/.exec(line);
    if (scope) {
      current = [];
      out.set(scope[1], current);
      continue;
    }
    if (!current) continue;
    const sym = /^Symbol (\S+) is (.*)$/.exec(line);
    if (sym) symbol = `${sym[1]}: ${sym[2]}`;
    else if (symbol !== undefined) symbol += '\n' + line;
    if (symbol !== undefined && /(, length \d+|optimized out)\.$/.test(symbol.split('\n').at(-1)!)) {
      current.push(normaliseGdb(symbol));
      symbol = undefined;
    }
  }
  return out;
}

/** Turns gdb's text into the same shape as ourDescription. */
function normaliseGdb(text: string): string {
  const [head, ...rest] = text.split('\n');
  const name = head.slice(0, head.indexOf(':'));
  const one = (s: string): string => {
    const k = /^a constant with value (-?\d+) \(0x[0-9a-f]+\)$/.exec(s.trim());
    if (k) return `a constant with value ${k[1]}`;
    // With a register frame base gdb folds the offsets: "frame base reg $r7 offset 0+-16".
    const fbReg = /^a variable at frame base reg \$\S+ offset \d+\+(-?\d+)$/.exec(s.trim());
    if (fbReg) return `fbreg ${fbReg[1]}`;
    const fb = /^a complex DWARF expression:\s*0: DW_OP_fbreg (-?\d+)\s*$/.exec(s.trim());
    if (fb) return `fbreg ${fb[1]}`;
    if (/^(a variable in \$(r\d+|sp|lr|pc)|the constant -?\d+|static storage at address 0x[0-9a-f]+)$/.test(s.trim())) return s.trim();
    return '*';
  };
  const body = [head.slice(head.indexOf(':') + 2), ...rest].join('\n');
  const length = /, length (\d+)\.$/.exec(body);
  const lengthText = length ? `, length ${length[1]}` : '';
  if (body.startsWith('multi-location:')) {
    const ranges = [...body.matchAll(/Range 0x([0-9a-f]+)-0x([0-9a-f]+): ([^\n]*(?:\n\s+\d+:[^\n]*)*)/g)]
      .filter((m) => m[1] !== m[2]) // empty ranges cover no code; we drop them when reading the list
      .map((m) => `${m[1]}-${m[2]} ${one(m[3].replace(/\n\s*/g, ' '))}`);
    return `${name}: multi-location: ${ranges.join('; ')}${lengthText}`;
  }
  if (/optimized out\.$/.test(body)) return `${name}: optimized out`;
  return `${name}: ${one(body.replace(/, length \d+\.$/, '').replace(/\n\s*/g, ' '))}${lengthText}`;
}

function check(elf: OracleElf): number {
  const file = readElf(new Uint8Array(fs.readFileSync(elf.path)), elf.path);
  const di = new DebugInfo(file);
  const frames = new Map<string, ReturnType<DebugInfo['functionsAt']>[number]>();
  // A name defined twice (a weak default and its override) is ambiguous for `info scope`: skipped.
  const seen = new Map<string, number>();
  for (const u of di.info.compileUnits()) {
    for (const d of u.root().children()) {
      const name = d.tag === 0x2e && !d.flag(DW_AT.declaration) ? d.name() : undefined;
      if (name) seen.set(name, (seen.get(name) ?? 0) + 1);
    }
  }
  for (const u of di.info.compileUnits()) {
    for (const d of u.root().children()) {
      const name = d.name();
      // Skip copies the linker discarded (relocated to 0).
      if (d.tag !== 0x2e || !name || (seen.get(name) ?? 0) > 1 || d.ranges().length === 0 || d.ranges()[0].low === 0 || frames.has(name)) continue;
      const chain = di.functionsAt(d.ranges()[0].low);
      const frame = chain.at(-1);
      if (frame && frame.die === d) frames.set(name, frame);
    }
  }
  const expected = gdbScopes(elf.path, [...frames.keys()]);
  const mismatches: string[] = [];
  let compared = 0;
  for (const [name, frame] of frames) {
    const theirs = (expected.get(name) ?? []).sort();
    // gdb lists the symbols of the blocks that hold the function's entry address.
    const ours = di
      .variablesAt(frame, frame.ranges[0].low)
      .map((v) => `${v.name}: ${ourDescription(v)}`)
      .sort();
    compared += ours.length;
    if (ours.join('\n') !== theirs.join('\n')) mismatches.push(`${name}:\n  ours: ${ours.join('\n        ')}\n  gdb:  ${theirs.join('\n        ')}`);
  }
  if (mismatches.length && process.env.DEBUGINFO_VERBOSE) console.log(mismatches.join('\n'));
  assert.equal(mismatches.length, 0, `${mismatches.length} functions differ:\n${mismatches.slice(0, 4).join('\n')}`);
  return compared;
}

describe('gdb oracle: variable locations (info scope)', function () {
  this.timeout(600000);
  before(function () {
    skipUnlessOracle(this, 'gdb');
  });
  for (const elf of oracleElfs().filter((e) => !e.name.startsWith('rust/'))) {
    it(`${elf.name}: every C function's variables`, () => {
      check(elf);
    });
  }
  it('gcc-compiled programs, DWARF 2/3/4/5, -O2 and -Og', function () {
    skipUnlessOracle(this, 'gcc');
    let n = 0;
    for (const elf of compiledElfs()) n += check(elf);
    assert.ok(n > 0);
  });
});
