// Emulator speed, side by side with peers, in one run:
//
//   npm run bench [-- --reps 5] [-- --only m4] [-- --engine <name>]
//
// - Cortex-M0+: the raw SRAM image bench/workloads/m0plus/bench.bin on our emulator and on rp2040js
//   (its bare executeInstruction loop, its fastest form), both to the BKPT at the end; the
//   checksums in r0 and the instruction counts must agree.
// - Cortex-M3/M4: each kernel ELF on our emulator and on qemu-system-arm TCG (lm3s6965evb /
//   mps2-an386, semihosting exit). QEMU's time is its run minus the run of an empty program (its
//   start-up); its MIPS uses our instruction count for the same program. Both run the ten-times
//   longer build (<kernel>.x10.elf) where there is one (QEMU's start-up would otherwise dominate);
//   ours also runs the short build on fresh Machines, to show what starting costs.
// - Our own variants: breakpoints (0, 32, 1000, never hit), data breakpoints (8, never hit; when
//   the Machine has them), a pin observer, and SysTick at 10 kHz.
//
// The machine the bench runs on is usually shared, so each figure is the median of several
// repetitions and both wall-clock and CPU-time rates are kept (CPU time is much less sensitive to
// other load); ratios use CPU time when every side has it. The load average is printed and saved.
// Our emulator is bundled first (as the extension ships it), not run from TypeScript sources.

import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Emulator from '../src/emulator/index';
import { printBoardBench } from './board';
import { printDapBench } from './dap';
import { printDebugInfoBench } from './debuginfo';
import { printSvdBench } from './svd';

const ROOT = path.resolve(__dirname, '..');
const WORKLOADS = path.join(ROOT, 'bench', 'workloads');
const RESULTS = path.join(ROOT, 'bench', 'results');

interface Options {
  reps: number;
  only: string | null;
  engine: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { reps: 3, only: null, engine: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--reps') options.reps = Math.max(1, Number(argv[++i]));
    else if (arg === '--only') options.only = argv[++i];
    else if (arg === '--engine') options.engine = argv[++i];
    else if (arg === '-h' || arg === '--help') {
      console.log('usage: npm run bench -- [--reps n] [--only <substring of a row name>] [--engine <machine engine>]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

/** Bundle the emulator library the way the extension ships it and load it. */
function loadEmulator(): typeof Emulator {
  const outfile = path.join(ROOT, 'bench', '.build', 'emulator.cjs');
  esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'src', 'emulator', 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(outfile) as typeof Emulator;
}

interface Timing {
  wallMs: number;
  /** CPU time of the process (all its threads), or NaN when not measurable. */
  cpuMs: number;
}

function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeInProcess(run: () => void): Timing {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** A run of one workload on one engine: instructions, and the median timing over repetitions. */
interface Measurement {
  instructions: number;
  wallMs: number;
  cpuMs: number;
  checksum?: number;
}

function measure(reps: number, once: () => { timing: Timing; instructions: number; checksum?: number }, warmUp = false): Measurement {
  // A discarded first run lets the engines' own JIT compilers settle on short programs.
  if (warmUp) once();
  const runs = [];
  for (let i = 0; i < reps; i++) runs.push(once());
  for (const r of runs) {
    if (r.instructions !== runs[0].instructions) throw new Error(`instruction counts differ between repetitions: ${runs.map((x) => x.instructions)}`);
  }
  return {
    instructions: runs[0].instructions,
    wallMs: median(runs.map((r) => r.timing.wallMs)),
    cpuMs: median(runs.map((r) => r.timing.cpuMs)),
    checksum: runs[0].checksum,
  };
}

function mips(instructions: number, ms: number): number {
  return ms > 0 ? instructions / ms / 1000 : NaN;
}

// ---- our emulator ----------------------------------------------------------------------------

interface OurRunSetup {
  breakpoints?: number;
  dataBreakpoints?: number;
  pinObserver?: boolean;
}

function runOursElf(emu: typeof Emulator, chipId: string, file: string, setup: OurRunSetup, engine: string | undefined): { timing: Timing; instructions: number } {
  const bytes = fs.readFileSync(file);
  const machineOptions = { semihosting: true, ...(engine ? { engine } : {}) } as Emulator.MachineOptions;
  const machine = emu.Machine.fromElf(emu.chipById(chipId), bytes, file, machineOptions);
  // Never-hit breakpoints: executable addresses past the program (the programs are a few KiB).
  for (let i = 0; i < (setup.breakpoints ?? 0); i++) machine.addBreakpoint(0x10000 + 4 * i);
  if (setup.dataBreakpoints) {
    const add = (machine as unknown as { addDataBreakpoint?: (address: number, size: number, access: string) => void }).addDataBreakpoint;
    if (add === undefined) throw new Error('the Machine has no data breakpoints');
    // Never-touched RAM words between .bss (at the bottom) and the stack (at the top).
    for (let i = 0; i < setup.dataBreakpoints; i++) add.call(machine, 0x20008000 + 64 * i, 4, 'readWrite');
  }
  if (setup.pinObserver) machine.onPinChange(() => {});
  let result: Emulator.RunResult | undefined;
  const timing = timeInProcess(() => {
    result = machine.run({});
  });
  if (result?.reason !== 'exit' || result.exitCode !== 0) throw new Error(`${file}: stopped with ${result?.reason} ${result?.message ?? ''}`);
  return { timing, instructions: result.instructions };
}

const M0_IMAGE_BASE = 0x20000000;
const M0_STACK_TOP = 0x20004000;

function runOursRaw(emu: typeof Emulator, image: Uint8Array, engine: string | undefined): { timing: Timing; instructions: number; checksum: number } {
  const machine = new emu.Machine(emu.chipById('cortex-m0'), { semihosting: false, ...(engine ? { engine } : {}) } as Emulator.MachineOptions);
  // A two-word vector table pointing at the image in SRAM.
  machine.poke(0, 4, M0_STACK_TOP);
  machine.poke(4, 4, M0_IMAGE_BASE | 1);
  if (!machine.bus.load(M0_IMAGE_BASE, image)) throw new Error('the M0+ image does not fit the SRAM');
  machine.reset();
  let result: Emulator.RunResult | undefined;
  const timing = timeInProcess(() => {
    result = machine.run({});
  });
  if (result?.reason !== 'breakpoint') throw new Error(`M0+ image stopped with ${result?.reason} ${result?.message ?? ''}`);
  // The BKPT that ends the program is not retired here; rp2040js counts it.
  return { timing, instructions: result.instructions + 1, checksum: machine.getRegister('r0') };
}

// ---- rp2040js ------------------------------------------------------------------------------------

interface Rp2040Core {
  PC: number;
  SP: number;
  readonly registers: Uint32Array;
  executeInstruction(): number;
}
interface Rp2040 {
  readonly sram: Uint8Array;
  readonly core: Rp2040Core;
  onBreak: (code: number) => void;
}

function loadRp2040(): (new () => Rp2040) | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('rp2040js') as { RP2040: new () => Rp2040 }).RP2040;
  } catch {
    return null;
  }
}

function runRp2040(RP2040: new () => Rp2040, image: Uint8Array): { timing: Timing; instructions: number; checksum: number } {
  const mcu = new RP2040();
  mcu.sram.set(image, 0);
  mcu.core.SP = M0_STACK_TOP;
  mcu.core.PC = M0_IMAGE_BASE;
  let stopped = false;
  mcu.onBreak = () => {
    stopped = true;
  };
  const core = mcu.core;
  let instructions = 0;
  const timing = timeInProcess(() => {
    while (!stopped) {
      core.executeInstruction();
      instructions++;
    }
  });
  return { timing, instructions, checksum: core.registers[0] };
}

// ---- QEMU ------------------------------------------------------------------------------------------

const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function qemuAvailable(): boolean {
  return spawnSync('qemu-system-arm', ['--version']).status === 0;
}

function runQemu(machineName: string, file: string): Timing {
  const args = ['-M', machineName, '-nographic', '-monitor', 'none', '-serial', 'none', '-semihosting-config', 'enable=on,target=native', '-kernel', file];
  const timesFile = path.join(os.tmpdir(), `bench-qemu-${process.pid}.txt`);
  const t0 = performance.now();
  const r = TIME
    ? spawnSync(TIME, ['-f', '%U %S', '-o', timesFile, 'qemu-system-arm', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawnSync('qemu-system-arm', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`qemu-system-arm ${machineName} ${file}: exit ${r.status}: ${r.stderr}`);
  let cpuMs = NaN;
  if (TIME) {
    const [user, sys] = fs.readFileSync(timesFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    cpuMs = (user + sys) * 1000;
    fs.rmSync(timesFile, { force: true });
  }
  return { wallMs, cpuMs };
}

// ---- report ----------------------------------------------------------------------------------------

interface Row {
  name: string;
  instructions: number;
  ours: { wallMs: number; cpuMs: number; mipsWall: number; mipsCpu: number };
  peer?: { name: string; wallMs: number; cpuMs: number; mipsWall: number; mipsCpu: number };
  /** ours / peer (CPU time when both have it, wall-clock otherwise); for variants: ours / our baseline. */
  ratio?: number;
  ratioOf?: string;
  note?: string;
  /** Ours on the short build of the same kernel, each run on a fresh Machine (start-up included). */
  short?: { instructions: number; wallMs: number; cpuMs: number; mipsWall: number; mipsCpu: number };
}

function fmt(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

function printTable(rows: Row[]): void {
  const header = ['workload', 'Minstr', 'ours MIPS cpu', 'ours MIPS wall', 'peer', 'peer MIPS cpu', 'peer MIPS wall', 'ratio'];
  const lines = rows.map((r) => [
    r.name,
    fmt(r.instructions / 1e6),
    fmt(r.ours.mipsCpu),
    fmt(r.ours.mipsWall),
    r.peer?.name ?? (r.ratioOf ? `(vs ${r.ratioOf})` : ''),
    fmt(r.peer?.mipsCpu),
    fmt(r.peer?.mipsWall),
    r.ratio === undefined ? '' : `${fmt(r.ratio, 2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const show = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(show(header));
  for (const l of lines) console.log(show(l));
  for (const r of rows) if (r.note) console.log(`note: ${r.name}: ${r.note}`);
  const short = rows.filter((r) => r.short !== undefined);
  if (short.length > 0) {
    console.log(`ours on the short builds (a tenth of the work, fresh Machine, start-up included), MIPS cpu: ${short.map((r) => `${r.name} ${fmt(r.short?.mipsCpu, 0)}`).join(', ')}`);
  }
}

function ourFigures(m: Measurement): Row['ours'] {
  return { wallMs: m.wallMs, cpuMs: m.cpuMs, mipsWall: mips(m.instructions, m.wallMs), mipsCpu: mips(m.instructions, m.cpuMs) };
}

function ratioOf(ours: Row['ours'], peer: NonNullable<Row['peer']>): number {
  return Number.isNaN(peer.mipsCpu) || Number.isNaN(ours.mipsCpu) ? ours.mipsWall / peer.mipsWall : ours.mipsCpu / peer.mipsCpu;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const wanted = (name: string): boolean => options.only === null || name.includes(options.only);
  const emu = loadEmulator();
  const rows: Row[] = [];
  const loadBefore = os.loadavg();
  console.log(`cortex-m-sim bench: ${options.reps} repetitions per figure (medians); ${os.cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  if (options.engine) console.log(`engine: ${options.engine}`);

  // Warm-up: the first run in a process pays for compiling the emulator's code.
  runOursElf(emu, 'cortex-m3', path.join(WORKLOADS, 'm3', 'empty.elf'), {}, options.engine);

  // Cortex-M0+ against rp2040js.
  if (wanted('m0plus')) {
    const image = fs.readFileSync(path.join(WORKLOADS, 'm0plus', 'bench.bin'));
    const ours = measure(options.reps, () => runOursRaw(emu, image, options.engine), true);
    const row: Row = { name: 'm0plus/mix', instructions: ours.instructions, ours: ourFigures(ours) };
    const RP2040 = loadRp2040();
    if (RP2040 === null) row.note = 'rp2040js is not installed (npm install)';
    else {
      const peer = measure(options.reps, () => runRp2040(RP2040, image), true);
      row.peer = { name: 'rp2040js', wallMs: peer.wallMs, cpuMs: peer.cpuMs, mipsWall: mips(peer.instructions, peer.wallMs), mipsCpu: mips(peer.instructions, peer.cpuMs) };
      row.ratio = ratioOf(row.ours, row.peer);
      if (peer.instructions !== ours.instructions || peer.checksum !== ours.checksum) {
        row.note = `results differ: ours ${ours.instructions} instructions, r0 ${ours.checksum?.toString(16)}; rp2040js ${peer.instructions}, r0 ${peer.checksum?.toString(16)}`;
      }
    }
    rows.push(row);
  }

  // Cortex-M3 / M4 against QEMU.
  const haveQemu = qemuAvailable();
  const kernels = ['crc32', 'sort', 'list', 'calls', 'loop'];
  for (const [core, chipId, qemuMachine] of [['m3', 'cortex-m3', 'lm3s6965evb'], ['m4', 'cortex-m4', 'mps2-an386']] as const) {
    const names = kernels.filter((k) => wanted(`${core}/${k}`));
    if (names.length === 0) continue;
    let qemuStartup: Timing | null = null;
    if (haveQemu) {
      const empty = path.join(WORKLOADS, core, 'empty.elf');
      const startups = Array.from({ length: Math.max(3, options.reps) }, () => runQemu(qemuMachine, empty));
      qemuStartup = { wallMs: median(startups.map((t) => t.wallMs)), cpuMs: median(startups.map((t) => t.cpuMs)) };
    }
    for (const kernel of names) {
      // Both sides run the same program: the ten-times build where there is one (QEMU's run of
      // the short one would be mostly its start-up). The short build, on a fresh Machine, shows
      // what our start (compiling the program's blocks, the JIT compiler's warm-up) costs.
      const short = path.join(WORKLOADS, core, `${kernel}.elf`);
      const long = path.join(WORKLOADS, core, `${kernel}.x10.elf`);
      const file = fs.existsSync(long) ? long : short;
      const ours = measure(options.reps, () => runOursElf(emu, chipId, file, {}, options.engine));
      const row: Row = { name: `${core}/${kernel}`, instructions: ours.instructions, ours: ourFigures(ours) };
      if (file === long) {
        const first = measure(options.reps, () => runOursElf(emu, chipId, short, {}, options.engine));
        row.short = { instructions: first.instructions, ...ourFigures(first) };
      }
      if (qemuStartup !== null) {
        const startup = qemuStartup;
        const peer = measure(options.reps, () => {
          const t = runQemu(qemuMachine, file);
          return { timing: { wallMs: t.wallMs - startup.wallMs, cpuMs: t.cpuMs - startup.cpuMs }, instructions: ours.instructions };
        });
        row.peer = { name: `qemu ${qemuMachine}`, wallMs: peer.wallMs, cpuMs: peer.cpuMs, mipsWall: mips(ours.instructions, peer.wallMs), mipsCpu: mips(ours.instructions, peer.cpuMs) };
        row.ratio = ratioOf(row.ours, row.peer);
      } else row.note = 'qemu-system-arm not found';
      rows.push(row);
    }
  }

  // Our own variants, against our plain run of the same program. Each repetition runs the plain
  // program and the variant, one after the other (alternating which goes first), and the row's ratio is the median of those
  // pairs' ratios: load that comes and goes on a shared machine then touches both sides of a pair
  // alike. The ten-times build (about 0.5-1 s a run) keeps timer and scheduling noise small next
  // to a 5 % difference.
  const crc32Long = path.join(WORKLOADS, 'm4', 'crc32.x10.elf');
  const crc32Systick = path.join(WORKLOADS, 'm4', 'crc32-systick.elf');
  const variants: [string, string, string, OurRunSetup][] = [
    ['m4/crc32 +32 breakpoints', crc32Long, crc32Long, { breakpoints: 32 }],
    ['m4/crc32 +1000 breakpoints', crc32Long, crc32Long, { breakpoints: 1000 }],
    ['m4/crc32 +8 data breakpoints', crc32Long, crc32Long, { dataBreakpoints: 8 }],
    ['m4/crc32 +pin observer', crc32Long, crc32Long, { pinObserver: true }],
    ['m4/crc32 SysTick 10 kHz', path.join(WORKLOADS, 'm4', 'crc32.elf'), crc32Systick, {}],
  ];
  if (variants.some(([name]) => wanted(name))) {
    // Discarded runs first: these rows compare the cost of a debugging feature, not how soon the
    // JIT compiler settles on a program it sees for the first time.
    for (const file of [crc32Long, crc32Systick]) runOursElf(emu, 'cortex-m4', file, {}, options.engine);
    for (const [name, plainFile, file, setup] of variants) {
      if (!wanted(name)) continue;
      try {
        const plainRuns: { timing: Timing; instructions: number }[] = [];
        const variantRuns: { timing: Timing; instructions: number }[] = [];
        const ratios: number[] = [];
        for (let i = 0; i < Math.max(6, options.reps); i++) {
          // Alternating which side goes first cancels any advantage of running second.
          const plainFirst = i % 2 === 0;
          const first = runOursElf(emu, 'cortex-m4', plainFirst ? plainFile : file, plainFirst ? {} : setup, options.engine);
          const second = runOursElf(emu, 'cortex-m4', plainFirst ? file : plainFile, plainFirst ? setup : {}, options.engine);
          const [p, v] = plainFirst ? [first, second] : [second, first];
          plainRuns.push(p);
          variantRuns.push(v);
          ratios.push(mips(v.instructions, v.timing.cpuMs) / mips(p.instructions, p.timing.cpuMs));
        }
        const m: Measurement = { instructions: variantRuns[0].instructions, wallMs: median(variantRuns.map((r) => r.timing.wallMs)), cpuMs: median(variantRuns.map((r) => r.timing.cpuMs)) };
        const spread = `pairs ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
        rows.push({ name, instructions: m.instructions, ours: ourFigures(m), ratio: median(ratios), ratioOf: `plain ${path.basename(plainFile)}`, note: spread });
      } catch (e) {
        rows.push({ name, instructions: 0, ours: { wallMs: NaN, cpuMs: NaN, mipsWall: NaN, mipsCpu: NaN }, note: (e as Error).message });
      }
    }
  }

  const loadAfter = os.loadavg();
  console.log('');
  printTable(rows);
  console.log(`\nload average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);

  fs.mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = path.join(RESULTS, `${stamp}.json`);
  fs.writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadAverage: { before: loadBefore, after: loadAfter },
    repetitions: options.reps,
    engine: options.engine ?? 'default',
    rows,
  }, null, 2) + '\n');
  console.log(`results: ${path.relative(ROOT, out)}`);
}

main();
void printDapBench().then(printDebugInfoBench).then(printSvdBench).then(printBoardBench);
