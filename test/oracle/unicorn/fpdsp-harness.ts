// Differential harness for single DSP / FP instructions: the same random initial state is run on
// unicorn's Cortex-M4 (fpdsp_driver.py, one Python process per batch) and on our Cpu, and the
// resulting core registers, APSR (incl. Q and GE), S0-S31, FPSCR and data memory are compared.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bus } from '../../../src/emulator/bus';
import { Cpu } from '../../../src/emulator/cpu/cpu';
import { GuestFault } from '../../../src/emulator/cpu/fault';
export { prng } from '../../support/prng';

export const PYTHON = '/usr/bin/python3';
const DRIVER = path.join(__dirname, 'fpdsp_driver.py');
export const CODE = 0x1000;
export const DATA = 0x20000000;
const DATA_SIZE = 0x1000;

export interface Case {
  hw1: number;
  hw2: number;
  r: Uint32Array; // r0..r12
  sp: number;
  apsr: number;
  fpscr: number;
  s: Uint32Array; // s0..s31
}

export interface Outcome {
  fault: boolean;
  r: Uint32Array; // r0..r12, sp, pc, apsr, fpscr
  s: Uint32Array;
  memory: Map<number, number>;
}

export function unicornAvailable(): boolean {
  return fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import unicorn'], { stdio: 'ignore' }).status === 0;
}


function dataPattern(): Uint32Array {
  const words = new Uint32Array(DATA_SIZE / 4);
  for (let i = 0; i < words.length; i++) words[i] = (Math.imul(i, 0x9e3779b1) ^ 0x5a5a5a5a) >>> 0;
  return words;
}
const PATTERN = dataPattern();

export function runUnicorn(cases: Case[], model: 'm4' | 'm7' = 'm4'): Outcome[] {
  const input = new Uint32Array(cases.length * 49);
  cases.forEach((c, k) => {
    const o = k * 49;
    input[o] = (c.hw1 | (c.hw2 << 16)) >>> 0;
    input.set(c.r, o + 1);
    input[o + 14] = c.sp;
    input[o + 15] = c.apsr;
    input[o + 16] = c.fpscr;
    input.set(c.s, o + 17);
  });
  const file = path.join(os.tmpdir(), `fpdsp-${process.pid}-${Date.now()}.bin`);
  fs.writeFileSync(file, Buffer.from(input.buffer));
  try {
    const result = spawnSync(PYTHON, [DRIVER, file, model], { maxBuffer: 1 << 30 });
    if (result.status !== 0) throw new Error(`unicorn driver failed: ${result.stderr.toString()}`);
    const out = result.stdout;
    const words = new Uint32Array(out.buffer, out.byteOffset, out.byteLength / 4);
    const outcomes: Outcome[] = [];
    let p = 0;
    for (let k = 0; k < cases.length; k++) {
      const fault = words[p] !== 0;
      const r = words.slice(p + 1, p + 18);
      const s = words.slice(p + 18, p + 50);
      const n = words[p + 50];
      p += 51;
      const memory = new Map<number, number>();
      for (let i = 0; i < n; i++, p += 2) memory.set(words[p], words[p + 1]);
      outcomes.push({ fault, r, s, memory });
    }
    return outcomes;
  } finally {
    fs.unlinkSync(file);
  }
}

/** Our side: one Cpu reused for every case. */
export class OurMachine {
  readonly bus = new Bus();
  readonly cpu: Cpu;
  private readonly data;
  private readonly dataWords: Uint32Array;
  constructor() {
    this.bus.addRam('code', 0, 0x10000, { writable: true, executable: true });
    this.data = this.bus.addRam('data', DATA, 0x10000, { writable: true, executable: false });
    this.dataWords = new Uint32Array(this.data.bytes.buffer, 0, DATA_SIZE / 4);
    this.dataWords.set(PATTERN);
    this.cpu = new Cpu(this.bus, 'v7em');
    this.cpu.hasFpu = true;
    this.cpu.cpacr = 0xf << 20;
    for (let a = CODE + 4; a < CODE + 12; a += 2) this.bus.write16(a, 0xbf00);
  }

  run(c: Case): Outcome {
    const cpu = this.cpu;
    this.bus.write16(CODE, c.hw1);
    this.bus.write16(CODE + 2, c.hw2);
    cpu.r.set(c.r);
    cpu.control = 4; // FP context active: no FPDSCR defaults loaded into FPSCR
    cpu.fpccr = 0;
    cpu.r[13] = c.sp;
    cpu.r[14] = 0;
    cpu.apsr = c.apsr;
    cpu.fpscr = c.fpscr;
    cpu.fpRegs.set(c.s);
    cpu.itState = 0;
    cpu.pc = CODE;
    let fault = false;
    try {
      cpu.step();
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      fault = true;
    }
    const r = new Uint32Array(17);
    r.set(cpu.r.subarray(0, 13));
    r[13] = cpu.r[13];
    r[14] = cpu.pc;
    r[15] = cpu.apsr & 0xf80f0000;
    r[16] = cpu.fpscr;
    const memory = new Map<number, number>();
    const words = this.dataWords;
    for (let i = 0; i < words.length; i++) {
      if (words[i] !== PATTERN[i]) {
        memory.set(DATA + 4 * i, words[i]);
        words[i] = PATTERN[i];
      }
    }
    return { fault, r, s: cpu.fpRegs.slice(), memory };
  }

  asm(c: Case): string {
    this.bus.write16(CODE, c.hw1);
    this.bus.write16(CODE + 2, c.hw2);
    try {
      return this.cpu.fetch(CODE).asm();
    } catch (e) {
      return String(e);
    }
  }
}

const R_NAMES = [...Array.from({ length: 13 }, (_, i) => `r${i}`), 'sp', 'pc', 'apsr', 'fpscr'];
const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Differences between two outcomes, as readable lines ([] when equal). */
export function diffOutcomes(ours: Outcome, theirs: Outcome): string[] {
  if (ours.fault || theirs.fault) return ours.fault === theirs.fault ? [] : [`fault: ours ${ours.fault} unicorn ${theirs.fault}`];
  const lines: string[] = [];
  for (let i = 0; i < 17; i++) if (ours.r[i] !== theirs.r[i]) lines.push(`${R_NAMES[i]}: ours ${hex(ours.r[i])} unicorn ${hex(theirs.r[i])}`);
  for (let i = 0; i < 32; i++) if (ours.s[i] !== theirs.s[i]) lines.push(`s${i}: ours ${hex(ours.s[i])} unicorn ${hex(theirs.s[i])}`);
  const addresses = new Set([...ours.memory.keys(), ...theirs.memory.keys()]);
  for (const a of addresses) {
    if (ours.memory.get(a) !== theirs.memory.get(a)) lines.push(`mem ${hex(a)}: ours ${ours.memory.get(a)} unicorn ${theirs.memory.get(a)}`);
  }
  return lines;
}

export function describeCase(c: Case): string {
  return `r=[${[...c.r].map(hex).join(' ')}] sp=${hex(c.sp)} apsr=${hex(c.apsr)} fpscr=${hex(c.fpscr)} s=[${[...c.s].map(hex).join(' ')}]`;
}
