// Differential test: parameters and locals whose location is a value on function entry
// (DW_OP_entry_value / DW_OP_GNU_entry_value, resolved through the caller's call site), as the
// debugger's Locals scope shows them, against gdb-multiarch attached to QEMU.
//
// For each C fixture, the stop addresses are where such a location list entry starts (one per
// function, a few per fixture). gdb runs the fixture under QEMU with a temporary breakpoint on
// each and prints `info args` and `info locals` at every stop; our adapter runs the same fixture
// over DAP with instruction breakpoints on the same addresses (removing each once hit, as a
// temporary breakpoint is) and lists the Locals scope. The programs are deterministic, so both see
// the same stops in the same order. Every value gdb prints must be ours, and the entry-value ones
// must be among them with real values (not all optimised out).
//
// Values are compared after dropping what only one side adds: gdb's `<symbol>` after an address and
// the quoted character after a char's number, our `→ pointee` after a pointer.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { readElf, SHF_EXECINSTR, type ElfFile } from '../../src/debuginfo/elf';
import { paintStack } from '../../src/adapter/memory-map';
import { DebugInfo } from '../../src/debuginfo/debuginfo';
import { DW_AT, DW_TAG } from '../../src/debuginfo/dwarf/constants';
import type { Die } from '../../src/debuginfo/dwarf/info';
import { locationAt, locationEntries } from '../../src/debuginfo/dwarf/loc';
import { fixtures, type Fixture } from '../fixtures/firmware/fixtures';
import { closeServer, DapSession, fixtureLaunch } from '../dap/harness';
import { requireOracle } from './oracles';
import { freePort } from '../support/free-port';

const MAX_STOPS = 8;
const ENTRY_VALUE_OPS = new Set([0xa3, 0xf3]);

interface Stop {
  pc: number;
  /** gdb: the parameters (`info args`); ours: the whole Locals scope. */
  values: Map<string, string>;
  /** gdb: the locals (`info locals`), compared only where they are entry values. */
  locals?: Map<string, string>;
}

/** Whether a location expression starts with DW_OP_entry_value (the value is computed from it). */
function isEntryValue(expr: Uint8Array | undefined): boolean {
  return expr !== undefined && expr.length > 0 && ENTRY_VALUE_OPS.has(expr[0]);
}

/** The halfword at `address` in the ELF's code, or undefined. */
function halfword(elf: ElfFile, address: number): number | undefined {
  for (const s of elf.sections) {
    if ((s.flags & SHF_EXECINSTR) === 0 || address < s.addr || address + 2 > s.addr + s.size) continue;
    const d = s.data();
    return d[address - s.addr] | (d[address - s.addr + 1] << 8);
  }
  return undefined;
}

/**
 * Whether a breakpoint there is ordinary: in code, and not perhaps inside an IT block (gdb moves
 * such a breakpoint to the IT instruction; a skipped conditional instruction is never reached).
 */
function plainStop(elf: ElfFile, address: number): boolean {
  if (halfword(elf, address) === undefined) return false;
  for (let back = 2; back <= 8; back += 2) {
    const h = halfword(elf, address - back);
    if (h !== undefined && (h & 0xff00) === 0xbf00 && (h & 0xf) !== 0) return false;
  }
  return true;
}

/**
 * Addresses where a parameter or local starts to live as an entry value: one per variable, those of
 * the fixture's own source file first (the shared runtime's printing helpers after them).
 */
function stopAddresses(di: DebugInfo, elf: ElfFile, f: Fixture): number[] {
  const own = f.language === 'rust' ? /(^|\/)main\.rs$/ : new RegExp(`(^|/)${path.basename(f.name)}\\.c$`);
  const byFunction = new Map<string, number>();
  const visit = (die: Die, fn: string, depth: number) => {
    if (depth > 32) return;
    for (const c of die.children()) {
      const name = c.tag === DW_TAG.subprogram ? c.name() ?? fn : fn;
      const attr = (c.tag === DW_TAG.formal_parameter || c.tag === DW_TAG.variable) && c.attr(DW_AT.location);
      if (attr && !(attr.value instanceof Uint8Array)) {
        const entries = locationEntries(c.unit, attr);
        for (const e of 'list' in entries ? entries.list : []) {
          const key = `${name}:${c.name() ?? ''}`;
          if (isEntryValue(e.expression) && !byFunction.has(key) && plainStop(elf, e.low)) byFunction.set(key, e.low);
        }
      }
      if (c.abbrev.hasChildren) visit(c, name, depth + 1);
    }
  };
  for (const u of di.info.compileUnits()) visit(u.root(), '', 0);
  const ownFirst = (a: number) => (own.test(di.lineAt(a)?.file?.path ?? '') ? 0 : 1);
  return [...new Set([...byFunction.values()].sort((a, b) => ownFirst(a) - ownFirst(b) || a - b))].slice(0, MAX_STOPS);
}

/** Names of the variables in scope at `pc` whose location there is an entry value. */
function entryValueNames(di: DebugInfo, pc: number): string[] {
  const fn = di.functionsAt(pc)[0];
  if (!fn) return [];
  return di
    .variablesAt(fn, pc)
    .filter((v) => {
      const attr = v.die.attr(DW_AT.location);
      return attr !== undefined && isEntryValue(locationAt(v.die.unit, attr, pc));
    })
    .map((v) => v.name);
}

function gdbStops(f: Fixture, addresses: number[], port: number): Stop[] {
  const args = ['-batch', '-nx', f.elfPath, '-ex', 'set pagination off', '-ex', 'set width 0', '-ex', `target remote 127.0.0.1:${port}`];
  for (const a of addresses) args.push('-ex', `tbreak *0x${a.toString(16)}`);
  for (let i = 0; i < addresses.length; i++) {
    args.push('-ex', 'continue', '-ex', 'echo @@STOP\\n', '-ex', 'printf "pc %x\\n", $pc', '-ex', 'info args', '-ex', 'echo @@LOCALS\\n', '-ex', 'info locals', '-ex', 'echo @@END\\n');
  }
  args.push('-ex', 'kill');
  const r = spawnSync('gdb-multiarch', args, { encoding: 'utf8', timeout: 120000, maxBuffer: 1 << 26 });
  const stops: Stop[] = [];
  for (const block of r.stdout.split('@@STOP\n').slice(1)) {
    const [args, locals = ''] = block.split('@@END\n')[0].split('@@LOCALS\n');
    const lines = args.split('\n');
    const pc = /^pc ([0-9a-f]+)$/.exec(lines[0] ?? '');
    if (!pc) continue;
    stops.push({ pc: parseInt(pc[1], 16), values: gdbValues(lines.slice(1)), locals: gdbValues(locals.split('\n')) });
  }
  return stops;
}

/** `name = value` lines; `name@entry = …` lines repeat a parameter's value on entry and are left out. */
function gdbValues(lines: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const l of lines) {
    const m = /^(\w+) = (.*)$/.exec(l);
    if (m && !values.has(m[1])) values.set(m[1], m[2]);
  }
  return values;
}
async function ourStops(f: Fixture, elf: ElfFile, addresses: number[]): Promise<Stop[]> {
  const s = await DapSession.start();
  const stops: Stop[] = [];
  try {
    // No stops on faults: v7m-ops traps a division by zero on purpose, as under QEMU.
    await s.launch(fixtureLaunch(f.name), { exceptionFilters: [] });
    assert.equal((await s.nextStop()).reason, 'entry');
    // QEMU starts with RAM zeroed; the adapter paints the free stack (paintStack). Values read from
    // stack slots not written yet (or, in an epilogue without CFI rows, through a stale frame base)
    // must agree, so the painted area is zeroed again.
    let painted: { address: number; length: number } | undefined;
    paintStack(elf, await s.number('sp'), (address, data) => {
      painted = { address, length: data.length };
      return true;
    });
    if (painted) await s.dc.customRequest('writeMemory', { memoryReference: `0x${painted.address.toString(16)}`, data: Buffer.alloc(painted.length).toString('base64') });
    let pending = addresses.map((a) => `0x${a.toString(16)}`);
    while (pending.length > 0) {
      await s.dc.customRequest('setInstructionBreakpoints', { breakpoints: pending.map((instructionReference) => ({ instructionReference })) });
      await s.dc.continueRequest({ threadId: 1 });
      const stopped = await Promise.race([s.nextStop(60_000).then((x) => x.reason), s.waitExit(60_000).then(() => 'exited')]);
      if (stopped !== 'instruction breakpoint') break;
      const [top] = await s.frames();
      const pc = Number(top.instructionPointerReference);
      pending = pending.filter((a) => Number(a) !== pc);
      const scopes = await s.dc.scopesRequest({ frameId: top.id });
      const locals = scopes.body.scopes.find((x) => x.name === 'Locals');
      const vars: DebugProtocol.Variable[] = locals ? (await s.dc.variablesRequest({ variablesReference: locals.variablesReference })).body.variables : [];
      const values = new Map<string, string>();
      // Inner blocks come last: the innermost of two same-named variables wins, as in gdb.
      for (const v of vars) values.set(v.name, v.value);
      stops.push({ pc, values });
    }
  } finally {
    await s.stop();
  }
  return stops;
}

function normalise(v: string): string {
  return v
    .replace(/ → .*$/, '')
    .replace(/(0x[0-9a-f]+) <[^>]*>/g, '$1')
    .replace(/^(0x[0-9a-f]+) ".*$/, '$1')
    .replace(/0x[0-9a-f]+/g, (h) => `0x${parseInt(h, 16).toString(16)}`)
    .replace(/^(-?\d+) '(?:[^'\\]|\\.+)'$/, '$1')
    .replace(/\s+/g, '');
}

describe('gdb oracle: entry values (DW_OP_entry_value) in the Locals scope, under QEMU', function () {
  this.timeout(300000);
  before(requireOracle('qemu', 'gdb'));
  after(closeServer);

  let resolved = 0;
  let checked = 0;
  let skipped = 0;
  after(() => {
    if (process.env.DEBUGINFO_VERBOSE) console.log(`      ${checked} values compared (${resolved} entry values resolved), ${skipped} aggregates not compared`);
  });
  // The interrupt fixtures' SysTick follows the host clock in QEMU: their stop order is not fixed.
  // C only: gdb prints Rust aggregates and floats in its own way (compared in debuginfo-gdb-frames).
  for (const f of fixtures.filter((x) => x.language === 'c' && !x.qemuSkip && !/interrupts/.test(x.name))) {
    it(`${f.name}: parameters located by entry values show gdb's values`, async () => {
      const elf = readElf(new Uint8Array(fs.readFileSync(f.elfPath)), f.elfPath);
      const di = new DebugInfo(elf);
      const addresses = stopAddresses(di, elf, f);
      assert.ok(addresses.length > 0, 'no location list uses DW_OP_entry_value');
      const port = await freePort();
      const qemu = spawn('qemu-system-arm', ['-M', f.qemuMachine, '-nographic', '-semihosting-config', 'enable=on,target=native', '-kernel', f.elfPath, '-S', '-gdb', `tcp:127.0.0.1:${port}`, '-monitor', 'none', '-serial', 'none'], { stdio: 'ignore' });
      let theirs: Stop[];
      try {
        await new Promise((r) => setTimeout(r, 300));
        theirs = gdbStops(f, addresses, port);
      } finally {
        qemu.kill('SIGKILL');
      }
      const ours = await ourStops(f, elf, addresses);
      assert.ok(theirs.length > 0, 'gdb stopped nowhere');
      assert.deepEqual(ours.map((s) => s.pc.toString(16)), theirs.map((s) => s.pc.toString(16)), 'the same stops in the same order');
      const problems: string[] = [];
      for (let i = 0; i < theirs.length; i++) {
        const where = `stop at 0x${theirs[i].pc.toString(16)}`;
        const entryValues = entryValueNames(di, theirs[i].pc);
        // Parameters, then locals (an inner block's variable hides an outer one of the same name).
        const compared = new Map([...(theirs[i].locals ?? []), ...theirs[i].values]);
        for (const [name, value] of compared) {
          // Arrays, strings and structs: gdb's repeats and elisions are not our summaries.
          if (/^["{']|<repeats|\.\.\./.test(value)) {
            skipped++;
            continue;
          }
          checked++;
          const our = ours[i].values.get(name);
          if (our === undefined) problems.push(`${where}: ${name}: gdb ${value}, not in our Locals`);
          else if (normalise(our) !== normalise(value)) problems.push(`${where}: ${name}: ours ${our}, gdb ${value}`);
        }
        for (const name of entryValues) {
          const value = compared.get(name);
          if (value === undefined) problems.push(`${where}: ${name} (an entry value) not listed by gdb`);
          else if (value !== '<optimized out>') resolved++;
        }
      }
      if (process.env.DEBUGINFO_VERBOSE) console.log(`      ${theirs.length} stops: ${theirs.map((s, i) => `0x${s.pc.toString(16)} ${[...ours[i].values].map(([n, v]) => `${n}=${v}`).join(', ')}`).join('; ')}`);
      assert.deepEqual(problems, []);
    });
  }

  it('entry values were resolved at some stops (not all optimised out)', () => {
    // 12 with the committed fixtures: sift_down's start, put's o, put_number's base and upper.
    assert.ok(resolved >= 8, `only ${resolved} parameters located by entry values had a value`);
  });
});

// Without the tools: one stop checked against what gdb printed there once
// (`sift_down (a=a@entry=0x20000004 <values>, start=start@entry=506, end=end@entry=1023)`).
describe('entry values in the Locals scope (recorded from gdb)', function () {
  this.timeout(60000);
  after(closeServer);

  it('c/m0/workload: sift_down\'s start, an entry value at 0x47e, is 506', async () => {
    const s = await DapSession.start();
    try {
      await s.launch(fixtureLaunch('c/m0/workload'), { exceptionFilters: [] });
      assert.equal((await s.nextStop()).reason, 'entry');
      await s.dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x47e' }] });
      assert.equal((await s.run('continue')).reason, 'instruction breakpoint');
      const [top] = await s.frames();
      const scopes = await s.dc.scopesRequest({ frameId: top.id });
      const locals = scopes.body.scopes.find((x) => x.name === 'Locals')!;
      const vars = (await s.dc.variablesRequest({ variablesReference: locals.variablesReference })).body.variables;
      const value = (name: string) => vars.find((v) => v.name === name)?.value;
      assert.equal(value('start'), '506');
      assert.equal(value('end'), '1023');
      assert.match(value('a') ?? '', /^0x20000004\b/);
      assert.equal(await s.evaluate('start + 1'), '507');
    } finally {
      await s.stop();
    }
  });
});
