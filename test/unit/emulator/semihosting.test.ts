// Semihosting operations (BKPT 0xAB, op in r0, argument block at r1) on a tiny program:
// 0x100: bkpt 0xab; bkpt #1.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machine, type MachineOptions, type RunResult } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';
import { MemorySemihostingFileSystem } from '../../../src/emulator/semihosting';

const CODE = 0x100;
const ARGS = 0x20000100;
const DATA = 0x20000400;

function setup(options: MachineOptions = {}): Machine {
  const m = new Machine(chipById('cortex-m3'), options);
  const image = new Uint8Array(0x104);
  const view = new DataView(image.buffer);
  view.setUint32(0, 0x20008000, true);
  view.setUint32(4, CODE | 1, true);
  view.setUint16(CODE, 0xbeab, true); // bkpt 0xab
  view.setUint16(CODE + 2, 0xbe01, true); // bkpt #1
  m.loadBytes(0, image);
  m.reset();
  return m;
}

function putString(m: Machine, address: number, text: string, nul = true): number {
  const bytes = new TextEncoder().encode(text);
  m.writeMemory(address, bytes);
  if (nul) m.poke(address + bytes.length, 1, 0);
  return bytes.length;
}

function call(m: Machine, op: number, args: number[] | number): { r0: number; result: RunResult } {
  const r1 = typeof args === 'number' ? args : ARGS;
  if (typeof args !== 'number') args.forEach((w, i) => m.poke(ARGS + 4 * i, 4, w));
  m.setRegister('pc', CODE);
  m.setRegister('r0', op);
  m.setRegister('r1', r1 >>> 0);
  const result = m.run({ maxInstructions: 5 });
  return { r0: m.getRegister('r0') | 0, result };
}

function captured(m: Machine): { out: string[] } {
  const sink = { out: [] as string[] };
  m.onSemihostingOutput((text, stream) => sink.out.push(`${stream}:${text}`));
  return sink;
}

describe('semihosting', () => {
  it('SYS_WRITEC and SYS_WRITE0 print to the console', () => {
    const m = setup();
    const sink = captured(m);
    m.poke(DATA, 1, 0x41);
    call(m, 0x03, DATA);
    putString(m, DATA, 'héllo\n');
    const { result } = call(m, 0x04, DATA);
    assert.equal(result.reason, 'breakpoint', 'continues after the call');
    assert.equal(m.getRegister('pc'), CODE + 2);
    assert.deepEqual(sink.out, ['stdout:A', 'stdout:héllo\n']);
  });

  it('SYS_OPEN ":tt" gives console handles; SYS_WRITE returns the bytes not written', () => {
    const m = setup();
    const sink = captured(m);
    const n = putString(m, DATA, ':tt');
    const stdout = call(m, 0x01, [DATA, 4, n]).r0;
    const stderr = call(m, 0x01, [DATA, 8, n]).r0;
    assert.ok(stdout > 0 && stderr > 0 && stdout !== stderr);
    const len = putString(m, DATA + 16, 'out!', false);
    assert.equal(call(m, 0x05, [stdout, DATA + 16, len]).r0, 0);
    assert.equal(call(m, 0x05, [stderr, DATA + 16, len]).r0, 0);
    assert.equal(call(m, 0x09, [stdout]).r0, 1, 'SYS_ISTTY');
    assert.deepEqual(sink.out, ['stdout:out!', 'stderr:out!']);
  });

  it('SYS_EXIT: ApplicationExit is status 0, other reasons 1; SYS_EXIT_EXTENDED carries the status', () => {
    const ok = setup();
    const codes: number[] = [];
    ok.onExit((c) => codes.push(c));
    const r = call(ok, 0x18, 0x20026).result;
    assert.equal(r.reason, 'exit');
    assert.equal(r.exitCode, 0);
    assert.equal(ok.run().reason, 'exit', 'an exited machine stays exited');
    assert.deepEqual(codes, [0]);
    assert.equal(call(setup(), 0x18, 0x20023).result.exitCode, 1);
    assert.equal(call(setup(), 0x20, [0x20026, 7]).result.exitCode, 7);
    assert.equal(call(setup(), 0x20, [0x20023, 7]).result.exitCode, 1);
  });

  it('file operations through an in-memory file system', () => {
    const fsys = new MemorySemihostingFileSystem();
    const m = setup({ fileSystem: fsys });
    const n = putString(m, DATA, 'data.txt');
    assert.equal(call(m, 0x01, [DATA, 0, n]).r0, -1, 'opening a missing file for reading fails');
    assert.equal(call(m, 0x13, 0).r0, 2, 'SYS_ERRNO = ENOENT');
    const w = call(m, 0x01, [DATA, 4, n]).r0;
    const len = putString(m, DATA + 32, 'hello file', false);
    assert.equal(call(m, 0x05, [w, DATA + 32, len]).r0, 0);
    assert.equal(call(m, 0x09, [w]).r0, 0, 'not a tty');
    assert.equal(call(m, 0x02, [w]).r0, 0);
    assert.equal(new TextDecoder().decode(fsys.files.get('data.txt')), 'hello file');

    const rd = call(m, 0x01, [DATA, 1, n]).r0;
    assert.equal(call(m, 0x0c, [rd]).r0, 10, 'SYS_FLEN');
    assert.equal(call(m, 0x0a, [rd, 6]).r0, 0, 'SYS_SEEK');
    assert.equal(call(m, 0x06, [rd, DATA + 64, 8]).r0, 4, 'SYS_READ returns the bytes not read');
    assert.equal(new TextDecoder().decode(m.readMemory(DATA + 64, 4)), 'file');
    assert.equal(call(m, 0x06, [rd, DATA + 64, 8]).r0, 8, 'at end of file nothing is read');
    call(m, 0x02, [rd]);

    const n2 = putString(m, DATA + 96, 'moved.txt');
    assert.equal(call(m, 0x0f, [DATA, n, DATA + 96, n2]).r0, 0, 'SYS_RENAME');
    assert.ok(fsys.files.has('moved.txt'));
    assert.equal(call(m, 0x0e, [DATA + 96, n2]).r0, 0, 'SYS_REMOVE');
    assert.equal(fsys.files.size, 0);
    assert.equal(call(m, 0x08, [-1 >>> 0]).r0, 1, 'SYS_ISERROR');
    assert.equal(call(m, 0x08, [0]).r0, 0);
  });

  it('host files stay inside the working directory (.. and symlinks are refused)', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'semihosting-'));
    const root = path.join(base, 'work');
    fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(root, 'inside.txt'), 'ok');
    fs.writeFileSync(path.join(base, 'secret.txt'), 'secret');
    fs.symlinkSync(base, path.join(root, 'escape'));
    try {
      const m = setup({ workingDirectory: root });
      const open = (name: string, mode = 0) => call(m, 0x01, [DATA, mode, putString(m, DATA, name)]).r0;
      const inside = open('inside.txt');
      assert.ok(inside > 0);
      assert.equal(call(m, 0x0c, [inside]).r0, 2);
      assert.ok(open('sub/../inside.txt') > 0, 'a .. that stays inside is fine');
      assert.equal(open('../secret.txt'), -1);
      assert.equal(call(m, 0x13, 0).r0, 13, 'EACCES');
      assert.equal(open('escape/secret.txt'), -1, 'symlink out of the directory');
      assert.equal(open(path.join(base, 'secret.txt')), -1, 'absolute path outside');
      assert.equal(open('../created.txt', 4), -1, 'no creating files outside either');
      assert.equal(fs.existsSync(path.join(base, 'created.txt')), false);
      const created = open('sub/new.txt', 4);
      assert.ok(created > 0);
      call(m, 0x05, [created, DATA, 3]);
      call(m, 0x02, [created]);
      assert.equal(fs.readFileSync(path.join(root, 'sub/new.txt'), 'utf8').length, 3);
      const name = putString(m, DATA + 64, '../secret.txt');
      assert.notEqual(call(m, 0x0e, [DATA + 64, name]).r0, 0, 'SYS_REMOVE outside refused');
      assert.ok(fs.existsSync(path.join(base, 'secret.txt')));
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('no file system configured: file opens fail, the console still works', () => {
    const m = setup();
    assert.equal(call(m, 0x01, [DATA, 0, putString(m, DATA, 'x')]).r0, -1);
    assert.ok(call(m, 0x01, [DATA, 4, putString(m, DATA, ':tt')]).r0 > 0);
  });

  it('time: SYS_CLOCK in centiseconds of simulated time, SYS_ELAPSED and SYS_TICKFREQ in core cycles', () => {
    const m = setup();
    m.cpu.cycles = 1_200_000; // 0.1 s at 12 MHz
    assert.equal(call(m, 0x10, 0).r0, 10);
    assert.equal(call(m, 0x31, 0).r0, 12_000_000);
    call(m, 0x30, DATA);
    const low = m.peek(DATA, 4)!;
    assert.ok(low >= 1_200_000 && low < 1_200_100);
    assert.equal(m.peek(DATA + 4, 4), 0);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(Math.abs(call(m, 0x11, 0).r0 - now) <= 2, 'SYS_TIME');
  });

  it('refuses SYS_SYSTEM and SYS_TMPNAM', () => {
    const m = setup();
    assert.equal(call(m, 0x12, [DATA, putString(m, DATA, 'rm -rf /')]).r0, -1);
    assert.equal(call(m, 0x0d, [DATA, 0, 64]).r0, -1);
  });

  it('SYS_GET_CMDLINE, SYS_HEAPINFO and SYS_READC', () => {
    const input = [...new TextEncoder().encode('hi\n')];
    const m = setup({ commandLine: 'prog --fast', input: () => input.shift() ?? -1 });
    assert.equal(call(m, 0x15, [DATA, 64]).r0, 0);
    assert.equal(m.peek(ARGS + 4, 4), 11);
    assert.equal(new TextDecoder().decode(m.readMemory(DATA, 11)), 'prog --fast');
    assert.equal(call(m, 0x15, [DATA, 4]).r0, -1, 'buffer too small');

    m.poke(ARGS + 32, 4, DATA);
    assert.equal(call(m, 0x16, ARGS + 32).r0, 0);
    const [heapBase, heapLimit, stackBase, stackLimit] = [0, 1, 2, 3].map((i) => m.peek(DATA + 4 * i, 4)!);
    assert.equal(stackBase, 0x20008000);
    assert.ok(heapBase >= 0x20000000 && heapBase <= heapLimit && heapLimit <= stackLimit && stackLimit < stackBase);

    assert.equal(call(m, 0x07, 0).r0, 0x68);
    assert.equal(call(m, 0x06, [1, DATA, 10]).r0, 8, 'stdin read stops after the newline');
    assert.equal(call(m, 0x07, 0).r0, -1, 'end of input');
  });

  it('with semihosting disabled BKPT 0xAB is a debug halt', () => {
    const m = setup({ semihosting: false });
    const { result } = call(m, 0x18, 0x20026);
    assert.equal(result.reason, 'breakpoint');
    assert.equal(m.getRegister('pc'), CODE);
  });
});
