// The TypeScript end of oracle.py: one long-lived Python process driven with binary batches
// (the record layouts are documented at the top of oracle.py).

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { pythonWith } from '../oracles';
import { MAX_HALFWORDS, WINDOW, type Outcome, type TestCase } from './testcase';

/** The interpreter that imports unicorn (Debian's /usr/bin/python3 when a version manager's
 *  python3 comes first on PATH); UNICORN_PYTHON overrides. */
export function oraclePython(): string | undefined {
  return process.env.UNICORN_PYTHON ?? pythonWith('unicorn');
}
const ORACLE_SCRIPT = path.join(__dirname, 'oracle.py');

const CASE_SIZE = 17 * 4 + 4 + MAX_HALFWORDS * 2;
const RESULT_SIZE = 4 + 17 * 4;

/** Why unicorn is unusable here, or null when it works. */
export function unicornUnavailable(): string | null {
  const python = oraclePython();
  if (python === undefined) return 'no python3 on this machine imports unicorn (install python3-unicorn)';
  const probe = spawnSync(python, ['-c', 'import unicorn, unicorn.arm_const; print(unicorn.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${python}: ${probe.error.message}`;
  if (probe.status !== 0) return `${python} cannot import unicorn: ${probe.stderr.trim().split('\n').pop()}`;
  return null;
}

/** Unicorn's answer for one case. */
export interface OracleResult extends Outcome {
  /** 0 ran, 1 unicorn error (detail = uc_err), 2 interrupt hook (detail = exception number). */
  status: number;
  detail: number;
  /** Raw xPSR as unicorn reports it. */
  xpsr: number;
}

export class UnicornOracle {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered: Buffer[] = [];
  private bufferedLength = 0;
  private waiting: Array<{ count: number; resolve: (r: OracleResult[]) => void; reject: (e: Error) => void }> = [];
  private stderr = '';
  private exited: Error | null = null;

  constructor() {
    const python = oraclePython();
    if (python === undefined) throw new Error(unicornUnavailable() ?? 'unicorn unavailable');
    this.child = spawn(python, [ORACLE_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffered.push(chunk);
      this.bufferedLength += chunk.length;
      this.drain();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.child.on('exit', (code) => {
      this.exited = new Error(`oracle.py exited with ${code}: ${this.stderr.trim()}`);
      for (const w of this.waiting) w.reject(this.exited);
      this.waiting = [];
    });
    this.child.on('error', (e) => {
      this.exited = e;
      for (const w of this.waiting) w.reject(e);
      this.waiting = [];
    });
  }

  /** Send a batch; the promise resolves with one result per case, in order. Batches queue. */
  run(codeImage: Uint8Array, dataImage: Uint8Array, cases: readonly TestCase[]): Promise<OracleResult[]> {
    if (this.exited) return Promise.reject(this.exited);
    const message = Buffer.alloc(8 + 2 * WINDOW + cases.length * CASE_SIZE);
    message.write('UCB1', 0, 'latin1');
    message.writeUInt32LE(cases.length, 4);
    message.set(codeImage, 8);
    message.set(dataImage, 8 + WINDOW);
    let o = 8 + 2 * WINDOW;
    for (const c of cases) {
      for (let i = 0; i < 16; i++) message.writeUInt32LE(c.regs[i], o + 4 * i);
      message.writeUInt32LE(c.xpsr >>> 0, o + 64);
      message.writeUInt8(c.code.length, o + 68);
      message.writeUInt8(c.steps, o + 69);
      for (let i = 0; i < c.code.length; i++) message.writeUInt16LE(c.code[i], o + 72 + 2 * i);
      o += CASE_SIZE;
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ count: cases.length, resolve, reject });
      this.child.stdin.write(message);
    });
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.bufferedLength >= 4) {
      const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
      this.buffered = [all];
      const length = all.readUInt32LE(0);
      if (all.length < 4 + length) return;
      const body = all.subarray(4, 4 + length);
      const rest = all.subarray(4 + length);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedLength = rest.length;
      const w = this.waiting.shift()!;
      w.resolve(parseResults(body, w.count));
    }
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const end = Buffer.alloc(8);
    end.write('UCB1', 0, 'latin1');
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.stdin.end(end);
    });
  }
}

function parseResults(body: Buffer, count: number): OracleResult[] {
  const results: OracleResult[] = [];
  let o = 0;
  for (let k = 0; k < count; k++) {
    const status = body.readUInt8(o);
    const detail = body.readUInt8(o + 1);
    const changed = body.readUInt16LE(o + 2);
    const regs = new Uint32Array(16);
    for (let i = 0; i < 16; i++) regs[i] = body.readUInt32LE(o + 4 + 4 * i);
    const xpsr = body.readUInt32LE(o + 68);
    o += RESULT_SIZE;
    const memory: Array<[number, number]> = [];
    for (let i = 0; i < changed; i++) {
      memory.push([body.readUInt32LE(o), body.readUInt8(o + 4)]);
      o += 5;
    }
    results.push({ status, detail, regs, xpsr, psr: (xpsr & 0xf9000000) >>> 0, memory });
  }
  if (o !== body.length) throw new Error(`oracle.py: result batch has ${body.length - o} stray bytes`);
  return results;
}
