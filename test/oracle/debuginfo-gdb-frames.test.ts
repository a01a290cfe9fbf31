// Differential test: call stacks and local variables at breakpoints, against gdb-multiarch attached
// to QEMU. For each firmware fixture QEMU runs the ELF under its gdb stub; gdb stops at a few
// addresses (the first statement after the prologue and a point in the middle of each function of the
// fixture's own source file: main's loop, called functions, interrupt handlers) and at each stop
// prints `bt`, `info locals`, all registers and a dump of RAM. Our side rebuilds the same stop from
// those registers and that memory (plus the ELF's flash image): physical frames from the CFI unwinder
// (src/adapter/unwind.ts, which crosses exception frames), each expanded into its inlined functions
// (DebugInfo.functionsAt), and the innermost frame's locals through src/debuginfo/values.ts.
//
// Normalisation (applied to both sides before comparing):
//   frames   function names compared by their last path segment without generic arguments or hash
//            (`blinky::main` ~ `main`, `core::ptr::read_volatile<u32>` ~ `read_volatile`), files by
//            base name, plus the line; gdb's `<signal handler called>` lines match our exception
//            entries. The outermost frames (reset code without CFI, where gdb and we may stop at
//            different depths) are compared up to the shorter stack, which must reach `main` or a
//            handler.
//   values   path prefixes and generic arguments removed (`core::option::Option<u32>::Some(3)` ~
//            `Some(3)`), whitespace removed, casts before addresses (`(*mut u8) 0x…`) and symbols
//            after them (`<S_POINT>`) dropped, addresses compared as numbers, floats to 6 significant
//            digits (gdb `3e+09` ~ our `3000000000`), the quoted character after a char's number
//            dropped (`97 'a'` ~ `97`). gdb lists a lexical block's variable twice in an
//            out-of-line copy of an inline function when the concrete block does not name its abstract
//            origin (the extra one `<optimized out>`); the extra entry is dropped.
//   lines    where several rows share the stop address, gdb takes the last is_stmt row and we (like
//            addr2line) the last row; gdb's line is accepted for the top frame when such a row has it.
//            Not compared: values of Vec/String/Box (we show contents, gdb without pretty-printers
//            the raw struct) and values where gdb abbreviates (`<repeats …>`, `...`).
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readElf, type ElfFile } from '../../src/debuginfo/elf';
import { DebugInfo } from '../../src/debuginfo/debuginfo';
import { FrameTable } from '../../src/debuginfo/dwarf/frame';
import { readVariable, type ValueTarget } from '../../src/debuginfo/values';
import { unwindPhysical } from '../../src/adapter/unwind';
import type { Machine } from '../../src/emulator/machine';
import type { ProgramInfo } from '../../src/adapter/program-info';
import { fixtures, type Fixture } from '../fixtures/firmware/fixtures';
import { requireOracle } from './oracles';
import { freePort } from '../support/free-port';

const RAM_BASE = 0x20000000;
const RAM_SIZE: Record<string, number> = { netduinoplus2: 0x20000, microbit: 0x4000, lm3s6965evb: 0x10000 };
const MAX_STOPS = 6;

interface Stop {
  bt: string[];
  locals: string[];
  registers: Map<string, number>;
  ram: Uint8Array;
}

/** Where to stop: in each function of the fixture's own source, after the prologue and mid-way. */
function stopAddresses(di: DebugInfo, f: Fixture): number[] {
  const own = (file: string | undefined) => !!file && (f.language === 'rust' ? /(^|\/)main\.rs$/.test(file) : new RegExp(`(^|/)${path.basename(f.name)}\\.c$`).test(file));
  const picks: Array<{ address: number; main: boolean }> = [];
  for (const u of di.info.compileUnits()) {
    const visit = (die: ReturnType<typeof u.root>, depth: number) => {
      if (depth > 4) return;
      for (const c of die.children()) {
        if (c.tag === 0x2e) {
          const r = c.ranges()[0];
          if (!r || r.low === 0) continue;
          const entry = di.lineAt(r.low);
          if (!own(entry?.file?.path)) continue;
          const main = di.functionsAt(r.low).at(-1)?.shortName === 'main';
          let a = di.lineTable.prologueEnd(r.low, r.high);
          while (a < r.high && di.lineAt(a)?.line === entry?.line) a += 2;
          if (a < r.high) picks.push({ address: a, main });
          const mid = (r.low + Math.floor((r.high - r.low) * 0.6)) & ~1;
          const midLine = di.lineAt(mid);
          if (main && midLine?.file && mid > a && mid < r.high) picks.push({ address: di.lineTable.addressesFor(midLine.file.path, midLine.line).addresses.find((x) => x >= r.low && x < r.high) ?? mid, main });
        } else if (c.abbrev.hasChildren && c.tag === 0x39) {
          visit(c, depth + 1);
        }
      }
    };
    visit(u.root(), 0);
  }
  picks.sort((x, y) => Number(y.main) - Number(x.main) || x.address - y.address);
  return [...new Set(picks.map((p) => p.address))].slice(0, MAX_STOPS);
}

async function runGdb(f: Fixture, addresses: number[], dir: string): Promise<Stop[]> {
  const port = await freePort();
  const qemu = spawn('qemu-system-arm', ['-M', f.qemuMachine, '-nographic', '-semihosting-config', 'enable=on,target=native', '-kernel', f.elfPath, '-S', '-gdb', `tcp:127.0.0.1:${port}`, '-monitor', 'none', '-serial', 'none'], { stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const ramSize = RAM_SIZE[f.qemuMachine];
    const args = ['-batch', '-nx', f.elfPath, '-ex', 'set pagination off', '-ex', 'set width 0', '-ex', 'set print elements 200', '-ex', `target remote 127.0.0.1:${port}`];
    for (const a of addresses) args.push('-ex', `tbreak *0x${a.toString(16)}`);
    for (let i = 0; i < addresses.length; i++) {
      const dump = path.join(dir, `ram${i}.bin`);
      args.push('-ex', 'continue', '-ex', `echo @@STOP ${i}\\n`, '-ex', 'echo @@BT\\n', '-ex', 'bt', '-ex', 'echo @@LOCALS\\n', '-ex', 'info locals', '-ex', 'echo @@REGS\\n', '-ex', 'info all-registers', '-ex', `dump binary memory ${dump} 0x${RAM_BASE.toString(16)} 0x${(RAM_BASE + ramSize).toString(16)}`, '-ex', 'echo @@END\\n');
    }
    args.push('-ex', 'kill');
    const r = spawnSync('gdb-multiarch', args, { encoding: 'utf8', timeout: 60000, maxBuffer: 1 << 26 });
    const stops: Stop[] = [];
    for (const block of r.stdout.split('@@STOP ').slice(1)) {
      const index = Number(/^\d+/.exec(block)![0]);
      const section = (name: string) => (block.split(`@@${name}\n`)[1] ?? '').split(/@@\w+\n/)[0].split('\n').filter((l) => l.trim());
      const registers = new Map<string, number>();
      for (const l of section('REGS')) {
        const m = /^(\w+)\s+(0x[0-9a-f]+|-?[\d.e+-]+|nan\S*|-?inf)\s*(?:.*\(raw (0x[0-9a-f]+)\))?/.exec(l);
        if (!m) continue;
        registers.set(m[1], m[3] ? parseInt(m[3], 16) : m[2].startsWith('0x') ? parseInt(m[2], 16) : Number(m[2]) >>> 0);
      }
      const dump = path.join(dir, `ram${index}.bin`);
      if (!fs.existsSync(dump) || !registers.has('pc')) continue;
      stops.push({ bt: section('BT'), locals: section('LOCALS'), registers, ram: new Uint8Array(fs.readFileSync(dump)) });
    }
    return stops;
  } finally {
    qemu.kill('SIGKILL');
  }
}

/** Every line the line table gives for exactly this address. */
function linesAt(di: DebugInfo, address: number): number[] {
  const unit = di.unitAt(address);
  const program = unit ? di.lineProgram(unit) : undefined;
  if (!program) return [];
  const rows = program.rows();
  const out: number[] = [];
  for (let i = 0; i < rows.count; i++) if (rows.address[i] === address && !rows.isEndSequence(i)) out.push(rows.line[i]);
  return out;
}

function baseName(name: string): string {
  let s = name.replace(/::h[0-9a-f]{16}$/, '');
  // Drop generic arguments (balanced), then keep the last path segment.
  for (let i = 0; i < 8 && /<[^<>]*>/.test(s); i++) s = s.replace(/<[^<>]*>/g, '');
  const parts = s.split('::').filter(Boolean);
  return parts.at(-1) ?? s;
}

/** gdb `bt` lines → `name file:line` (or `<exception>`). */
function gdbFrames(bt: string[]): string[] {
  const out: string[] = [];
  for (const l of bt) {
    if (/<signal handler called>/.test(l)) {
      out.push('<exception>');
      continue;
    }
    const m = /^#\d+\s+(?:0x[0-9a-f]+ in )?(.+?) \(.*\) at (\S+):(\d+)$/.exec(l) ?? /^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(/.exec(l);
    if (!m) continue;
    out.push(m[2] ? `${baseName(m[1])} ${path.basename(m[2])}:${m[3]}` : `${baseName(m[1])} ??`);
  }
  return out;
}

function ourStop(di: DebugInfo, elf: ElfFile, frames: FrameTable, stop: Stop) {
  const flash = (address: number, length: number): Uint8Array | undefined => {
    for (const s of elf.sections) {
      if (s.addr === 0 && address >= 0x1000) continue;
      if (s.type === 8 || address < s.addr || address + length > s.addr + s.size || (s.flags & 2) === 0) continue;
      return s.data().slice(address - s.addr, address - s.addr + length);
    }
    return undefined;
  };
  const readMemory = (address: number, length: number): Uint8Array | undefined => {
    if (address >= RAM_BASE && address + length <= RAM_BASE + stop.ram.length) return stop.ram.slice(address - RAM_BASE, address - RAM_BASE + length);
    return flash(address, length);
  };
  const reg = (n: string) => stop.registers.get(n) ?? 0;
  const r = Array.from({ length: 16 }, (_, i) => reg(i === 13 ? 'sp' : i === 14 ? 'lr' : i === 15 ? 'pc' : `r${i}`));
  const xpsr = reg('xpsr');
  const machine = {
    cpu: { r, pc: r[15], ipsr: xpsr & 0x1ff, psp: reg('psp') },
    peek: (address: number, size: number) => {
      const b = readMemory(address >>> 0, size);
      return b ? b.reduce((v, x, i) => v + x * 2 ** (8 * i), 0) : null;
    },
  } as unknown as Machine;
  const physical = unwindPhysical(machine, { frames } as unknown as ProgramInfo);
  const names: string[] = [];
  physical.forEach((p, i) => {
    if (p.interruptedBy !== undefined && i > 0) names.push('<exception>');
    const lookup = p.exact ? p.pc : p.pc - 1;
    const chain = di.functionsAt(lookup);
    const at = di.lineAt(lookup);
    let loc = at?.file ? { file: at.file.path, line: at.line } : undefined;
    chain.forEach((fn) => {
      names.push(`${baseName(fn.name)} ${loc ? `${path.basename(loc.file)}:${loc.line}` : '??'}`);
      if (fn.inlined) loc = fn.callFile ? { file: fn.callFile, line: fn.callLine ?? 0 } : undefined;
    });
    if (chain.length === 0) names.push('?? ??');
  });
  // Locals of the innermost frame (gdb's `info locals`: no parameters).
  const top = physical[0];
  const chain = di.functionsAt(top.pc);
  const locals: string[] = [];
  if (chain.length) {
    const target: ValueTarget = {
      readMemory,
      readRegister: (n) => {
        if (n < 16) return top.registers[n];
        if (n >= 64 && n < 96) return stop.registers.get(`s${n - 64}`);
        return undefined;
      },
      cfa: () => top.cfa,
    };
    for (const v of di.variablesAt(chain[0], top.pc)) {
      if (v.isParameter) continue;
      const value = readVariable(di, v, top.pc, target);
      locals.push(`${v.name} = ${value.summary}\t${v.typeName}`);
    }
  }
  return { frames: names, locals };
}

const PROTECTED = ['optimized out', 'unavailable', 'synthetic pointer', 'error'];

function normaliseValue(v: string): string {
  let s = v.trim();
  for (const p of PROTECTED) s = s.split(`<${p}>`).join(`@${p.replace(/ /g, '_')}@`);
  s = s.replace(/\((?:[^()]|\([^()]*\))*\) (?=0x)/g, ''); // casts before addresses
  s = s.replace(/(0x[0-9a-f]+) <[^>]*>/g, '$1'); // symbols after addresses
  s = s.replace(/0x[0-9a-f]+/g, (h) => `0x${parseInt(h, 16).toString(16)}`);
  s = s.replace(/(-?\d+) '(?:[^'\\]|\\[^']*)'/g, '$1'); // chars
  for (let i = 0; i < 8 && /<[^<>]*>/.test(s); i++) s = s.replace(/<[^<>]*>/g, '');
  s = s.replace(/\b[A-Za-z_]\w*::/g, '');
  s = s.replace(/-?\d+(?:\.\d+(?:e[-+]?\d+)?|e[-+]?\d+)/g, (x) => String(Number(Number(x).toPrecision(6))));
  return s.replace(/\s+/g, '');
}

function gdbLocals(lines: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of lines) {
    const m = /^(\w+) = (.*)$/.exec(l);
    if (!m) continue;
    out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  }
  return out;
}

describe('oracle: gdb bt and info locals at breakpoints under QEMU', function () {
  this.timeout(180000);
  before(requireOracle('qemu', 'gdb'));
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'di-gdb-frames-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const f of fixtures) {
    if (f.qemuSkip) continue;
    it(`${f.name}: call stacks and locals match gdb`, async function () {
      const elf = readElf(new Uint8Array(fs.readFileSync(f.elfPath)), f.elfPath);
      const di = new DebugInfo(elf);
      const frames = FrameTable.read(di.sections);
      const addresses = stopAddresses(di, f);
      assert.ok(addresses.length > 0, 'no functions of the fixture source found');
      const sub = path.join(dir, f.name.replace(/\//g, '_'));
      fs.mkdirSync(sub, { recursive: true });
      const stops = await runGdb(f, addresses, sub);
      assert.ok(stops.length > 0, `gdb stopped nowhere (tried ${addresses.map((a) => a.toString(16)).join(', ')})`);
      const problems: string[] = [];
      let comparedLocals = 0;
      let skippedLocals = 0;
      for (const stop of stops) {
        const where = `stop at 0x${stop.registers.get('pc')!.toString(16)}`;
        const ours = ourStop(di, elf, frames, stop);
        const theirs = gdbFrames(stop.bt);
        const n = Math.min(ours.frames.length, theirs.length);
        const reached = theirs.slice(0, n).some((x) => /^main |^[A-Z]\w* /.test(x) || x === '<exception>');
        if (!reached) problems.push(`${where}: the common part of the stacks does not reach main or a handler:\n  ours ${ours.frames.join(' | ')}\n  gdb  ${theirs.join(' | ')}`);
        // Known divergence: where several line-table rows share the stopped address, gdb takes the
        // last is_stmt one, we (like addr2line) the last row. Accept gdb's line for the top frame
        // when a row at exactly that address has it.
        const pc = stop.registers.get('pc')!;
        if (n > 0 && ours.frames[0] !== theirs[0] && ours.frames[0].replace(/:\d+$/, '') === theirs[0].replace(/:\d+$/, '')) {
          const gdbLine = Number(/:(\d+)$/.exec(theirs[0])?.[1]);
          if (linesAt(di, pc).includes(gdbLine)) ours.frames[0] = theirs[0];
        }
        if (ours.frames.slice(0, n).join(' | ') !== theirs.slice(0, n).join(' | ')) {
          problems.push(`${where}: frames differ:\n  ours ${ours.frames.join(' | ')}\n  gdb  ${theirs.join(' | ')}`);
        }
        if (process.env.DEBUGINFO_VERBOSE === '2') console.log(`${where}\n  gdb bt: ${theirs.join(' | ')}\n  our bt: ${ours.frames.join(' | ')}\n  gdb locals: ${stop.locals.join(' ; ')}\n  our locals: ${ours.locals.join(' ; ')}`);
        const expected = gdbLocals(stop.locals);
        const got = new Map<string, Array<{ value: string; type: string }>>();
        for (const l of ours.locals) {
          const [nv, type] = l.split('\t');
          const i = nv.indexOf(' = ');
          const name = nv.slice(0, i);
          got.set(name, [...(got.get(name) ?? []), { value: nv.slice(i + 3), type }]);
        }
        const names = new Set([...expected.keys(), ...got.keys()]);
        for (const name of names) {
          let e = expected.get(name) ?? [];
          const g = got.get(name) ?? [];
          // gdb quirk: a variable of a lexical block in an out-of-line copy of an inline function is
          // listed twice, once more (optimized out) from the abstract instance, when the concrete block
          // does not name its abstract origin. Drop the extra optimized-out entries.
          while (g.length > 0 && e.length > g.length && e.includes('<optimized out>')) e = e.filter((x, i) => i !== e.lastIndexOf('<optimized out>'));
          if (e.length !== g.length) {
            problems.push(`${where}: local ${name}: gdb lists ${e.length}, we list ${g.length}`);
            continue;
          }
          // gdb lists the innermost block first; we list outer first.
          const gs = [...g].reverse();
          for (let i = 0; i < e.length; i++) {
            if (/Vec<|String|Box</.test(gs[i].type) || /<repeats|\.\.\./.test(e[i])) {
              skippedLocals++;
              continue;
            }
            comparedLocals++;
            if (normaliseValue(e[i]) !== normaliseValue(gs[i].value)) problems.push(`${where}: ${name}: ours ${gs[i].value}, gdb ${e[i]}`);
          }
        }
      }
      if (process.env.DEBUGINFO_VERBOSE) console.log(`      ${f.name}: ${stops.length}/${addresses.length} stops, ${comparedLocals} locals compared, ${skippedLocals} not compared`);
      assert.deepEqual(problems, []);
    });
  }
});
