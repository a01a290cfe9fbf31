// The CLI runs every firmware fixture and reproduces its recorded transcript and exit code (the
// ones QEMU produced: test/oracle/qemu-fixtures.test.ts), and keeps the exit-code contract for
// faults, timeouts and bad input.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fixtures, fixture } from '../../fixtures/firmware/fixtures';
import { runCommand, BadInputError, type RunCommandOptions } from '../../../src/cli/run';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

function run(elfPath: string, extra: Partial<RunCommandOptions> = {}): Captured {
  let stdout = '';
  let stderr = '';
  const code = runCommand({
    elfPath,
    stats: false,
    faultHandlers: false,
    firmwareArgs: [],
    timeoutSeconds: 60,
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    ...extra,
  });
  return { code, stdout, stderr };
}

/** The fixtures whose own HardFault handler reports the fault (exit 3 under QEMU). */
const handlesOwnFault = (name: string): boolean => /hardfault$/.test(name);

describe('cortex-m-sim run: fixtures', () => {
  for (const f of fixtures) {
    it(`${f.name}: transcript and exit code ${f.exitCode} as recorded under QEMU`, () => {
      // The fault fixtures match QEMU when their own handler runs; by default the CLI stops at
      // the HardFault instead (tested below).
      const result = run(f.elfPath, { board: f.board, chip: f.chip, faultHandlers: handlesOwnFault(f.name) });
      assert.equal(result.stdout, f.stdout);
      assert.equal(result.code, f.exitCode, result.stderr);
    });
  }

  it('also picks the right chip by itself (no --board/--chip)', () => {
    for (const name of ['rust/hello', 'c/m0/hello', 'c/m3/hello']) {
      const f = fixture(name);
      const result = run(f.elfPath);
      assert.equal(result.stdout, f.stdout, name);
      assert.equal(result.code, 0, `${name}: ${result.stderr}`);
    }
  });
});

describe('cortex-m-sim run: faults', () => {
  it('rust/hardfault exits 101 naming BusFault, the bad address and the source line', () => {
    const f = fixture('rust/hardfault');
    const result = run(f.elfPath, { board: 'nucleo-f411re' });
    assert.equal(result.code, 101);
    assert.equal(result.stdout, 'reading 0x30000000\n');
    assert.match(result.stderr, /HardFault \(escalated from BusFault\)/);
    assert.match(result.stderr, /PRECISERR/);
    assert.match(result.stderr, /address 0x30000000/);
    assert.match(result.stderr, /source line: +hardfault\/main\.rs:14/);
    assert.match(result.stderr, /called from: .* in main at hardfault\/main\.rs:20/);
  });

  it('c/m0/hardfault (ARMv6-M: straight to HardFault) exits 101 with the faulting C line', () => {
    const f = fixture('c/m0/hardfault');
    const result = run(f.elfPath, { chip: 'cortex-m0' });
    assert.equal(result.code, 101);
    assert.match(result.stderr, /HardFault/);
    assert.match(result.stderr, /hardfault\.c:\d+/);
  });

  it('c/m3/hardfault: an unaligned LDRD escalates UsageFault to HardFault', () => {
    const f = fixture('c/m3/hardfault');
    const result = run(f.elfPath, { chip: 'cortex-m3' });
    assert.equal(result.code, 101);
    assert.match(result.stderr, /UNALIGNED/);
  });
});

describe('cortex-m-sim run: limits and statistics', () => {
  it('--max-instructions stops with 124', () => {
    const f = fixture('c/m3/workload');
    const result = run(f.elfPath, { chip: 'cortex-m3', maxInstructions: 10_000 });
    assert.equal(result.code, 124);
    assert.match(result.stderr, /stopped after 10000 instructions/);
  });

  it('--stats prints instructions, cycles, wall time and MIPS as the last stderr line', () => {
    const f = fixture('c/m3/hello');
    const result = run(f.elfPath, { chip: 'cortex-m3', stats: true });
    const last = result.stderr.trimEnd().split('\n').pop() ?? '';
    assert.match(last, /^instructions=\d+ cycles=\d+ wall_ms=\d+ mips=\d+\.\d\d$/);
    const instructions = Number(/instructions=(\d+)/.exec(last)?.[1]);
    assert.ok(instructions > 1000, last);
  });
});

describe('cortex-m-sim run: bad input', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cortex-m-sim-cli-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, bytes: Uint8Array): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };
  const hello = (): Uint8Array => new Uint8Array(fs.readFileSync(fixture('c/m3/hello').elfPath));

  it('a missing file', () => {
    assert.throws(() => run(path.join(dir, 'nope.elf')), (e: unknown) => e instanceof BadInputError && /cannot read .*nope\.elf/.test(e.message));
  });

  it('a truncated ELF names the file and what is wrong', () => {
    const file = write('truncated.elf', hello().subarray(0, 40));
    assert.throws(() => run(file), (e: unknown) => e instanceof BadInputError && e.message.includes('truncated.elf'));
  });

  it('not an ELF at all', () => {
    const file = write('text.elf', new TextEncoder().encode('this is not firmware\n'));
    assert.throws(() => run(file), (e: unknown) => e instanceof BadInputError && e.message.includes('text.elf'));
  });

  it('an ELF for another architecture', () => {
    const bytes = hello();
    bytes[18] = 62; // e_machine = x86-64
    const file = write('x86.elf', bytes);
    assert.throws(() => run(file), (e: unknown) => e instanceof BadInputError && /not a 32-bit ARM ELF/.test(e.message));
  });

  it('firmware linked for another memory map', () => {
    // The generic Cortex-M0 has flash at 0 only: an image loaded at 0x08000000 cannot go there.
    const file = fixture('rust/hello').elfPath;
    assert.throws(() => run(file, { chip: 'cortex-m0' }), (e: unknown) => e instanceof BadInputError && /does not fit/.test(e.message));
  });

  it('no vector table: an erased (all 0xFF) reset vector', () => {
    const bytes = hello();
    // Overwrite the first 8 bytes of the loaded image (initial SP and reset vector) with 0xFF.
    const view = new DataView(bytes.buffer);
    const phoff = view.getUint32(28, true);
    const offset = view.getUint32(phoff + 4, true);
    bytes.fill(0xff, offset, offset + 8);
    const file = write('erased.elf', bytes);
    assert.throws(() => run(file, { chip: 'cortex-m3' }), (e: unknown) => e instanceof BadInputError && e.message.length > 0);
  });

  it('an initial SP outside RAM', () => {
    const bytes = hello();
    const view = new DataView(bytes.buffer);
    const phoff = view.getUint32(28, true);
    const offset = view.getUint32(phoff + 4, true);
    view.setUint32(offset, 0x10000000, true);
    const file = write('badsp.elf', bytes);
    assert.throws(() => run(file, { chip: 'cortex-m3' }), (e: unknown) => e instanceof BadInputError && /SP|stack/i.test(e.message));
  });
});

describe('cortex-m-sim (the program)', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../../src/cli/main.ts'), ...args], { encoding: 'utf8' });

  it('exits with the firmware exit code and prints semihosting output on stdout', () => {
    const r = cli(['run', fixture('rust/panic').elfPath, '--board', 'nucleo-f411re']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, fixture('rust/panic').stdout);
  });

  it('usage errors exit 2 with the usage text', () => {
    const r = cli(['run']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /run takes exactly one ELF file/);
    assert.match(r.stderr, /usage:/);
    const r2 = cli(['run', 'x.elf', '--board', 'nope']);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /cannot read x\.elf/);
    const r3 = cli(['run', fixture('rust/hello').elfPath, '--board', 'nope']);
    assert.equal(r3.status, 2);
    assert.match(r3.stderr, /unknown board 'nope'; known boards: nucleo-f411re/);
  });

  it('info prints sections, symbols and memory usage', () => {
    const r = cli(['info', fixture('rust/blinky').elfPath]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\.vector_table/);
    assert.match(r.stdout, /main +0x0800/);
    assert.match(r.stdout, /Memory region +Used Size +Region Size +%age Used/);
    assert.match(r.stdout, /FLASH: +\d+ B +512 KB/);
  });
});

describe('cortex-m-sim run: --uart and --rtt', () => {
  it('--uart - puts the console UART (USART2 on the Nucleo) into stdout, interleaved with semihosting by time', () => {
    const f = fixture('rust/nucleo');
    const result = run(f.elfPath, { board: 'nucleo-f411re', uart: '-' });
    assert.equal(result.code, 0, result.stderr);
    // The UART bytes take their transmission time at 115200 baud, so they land inside a later
    // semihosting line: what the firmware did, in simulated-time order.
    assert.ok(result.stdout.includes('nucleo ready'), result.stdout.slice(0, 300));
    assert.equal(result.stdout.replace('nucleo ready', '').replace('\r\n', ''), f.stdout);
  });

  it('--uart <file> writes the UART bytes to the file, stdout keeps only semihosting', () => {
    const f = fixture('rust/nucleo');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cms-uart-')), 'uart.txt');
    const result = run(f.elfPath, { board: 'nucleo-f411re', uart: file });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, f.stdout);
    assert.equal(fs.readFileSync(file, 'latin1'), 'nucleo ready\r\n');
  });

  it('--uart into a folder that does not exist is bad input', () => {
    const f = fixture('rust/nucleo');
    assert.throws(() => run(f.elfPath, { board: 'nucleo-f411re', uart: '/nonexistent-dir/x/uart.txt' }), BadInputError);
  });

  it('--rtt prints RTT up channel 0 (test/fixtures/rtt/rtt.elf greets, then waits for input)', () => {
    const elf = path.join(__dirname, '../../fixtures/rtt/rtt.elf');
    const result = run(elf, { chip: 'cortex-m3', rtt: true, maxInstructions: 3_000_000 });
    assert.equal(result.stdout, 'hello over rtt\n', 'channel 0 only; the "Log" channel is not printed');
    assert.equal(result.code, 124);
    assert.equal(run(elf, { chip: 'cortex-m3', maxInstructions: 3_000_000 }).stdout, '', 'off without --rtt');
  });
});
