// QEMU is the reference for the firmware fixtures: every fixture must print exactly its
// declared semihosting transcript and exit with its declared status under qemu-system-arm.
// The Rust fixtures' debug info is checked with binutils (source files and line rows).
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixtures, type Fixture } from '../fixtures/firmware/fixtures';
import { requireOracle } from './oracles';

const QEMU_TIMEOUT_MS = 20_000;

interface QemuResult {
  stdout: string;
  stderr: string;
  status: number | null;
  timedOut: boolean;
}

function runQemu(f: Fixture): Promise<QemuResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'qemu-system-arm',
      ['-M', f.qemuMachine, '-nographic', '-semihosting-config', 'enable=on,target=native', '-kernel', f.elfPath],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, QEMU_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        status,
        timedOut,
      });
    });
  });
}

describe('firmware fixtures', function () {
  it('are declared and their ELFs exist', function () {
    assert.ok(fixtures.length >= 16, `only ${fixtures.length} fixtures found`);
    for (const f of fixtures) {
      assert.ok(fs.existsSync(f.elfPath), `${f.name}: ${f.elfPath} is missing (run npm run fixtures)`);
      assert.ok(f.board !== undefined || f.chip !== undefined, `${f.name}: neither board nor chip`);
    }
  });
});

describe('QEMU oracle: firmware fixtures', function () {
  this.timeout(QEMU_TIMEOUT_MS + 10_000);
  before(requireOracle('qemu'));

  for (const f of fixtures) {
    const skipped = f.qemuSkip ? ` — skipped: ${f.qemuSkip}` : '';
    it(`${f.name} on ${f.qemuMachine}: transcript and exit code ${f.exitCode}${skipped}`, async function () {
      if (f.qemuSkip) this.skip();
      const r = await runQemu(f);
      assert.ok(!r.timedOut, `${f.name}: QEMU did not exit within ${QEMU_TIMEOUT_MS / 1000} s; output so far:\n${r.stdout}`);
      assert.equal(r.stdout, f.stdout, `${f.name}: semihosting transcript differs (stderr: ${r.stderr.trim()})`);
      assert.equal(r.status, f.exitCode, `${f.name}: exit status`);
    });
  }
});

describe('binutils oracle: fixtures carry DWARF line rows for main', function () {
  before(requireOracle('binutils'));

  for (const f of fixtures) {
    const program = path.basename(f.name);
    // The source file main lives in, as the line table names it in its rows.
    const mainFile = f.language === 'rust' ? 'main.rs' : `${program}.c`;
    it(`${f.name}: ${mainFile} line rows cover main`, function () {
      const nm = spawnSync('arm-none-eabi-nm', ['-S', f.elfPath], { encoding: 'utf8' });
      assert.equal(nm.status, 0, nm.stderr);
      const mainSym = /^([0-9a-f]+) ([0-9a-f]+) T main$/m.exec(nm.stdout);
      assert.ok(mainSym, `${f.name}: no global function symbol "main" with a size`);
      const start = parseInt(mainSym[1], 16);
      const end = start + parseInt(mainSym[2], 16);

      const dump = spawnSync('arm-none-eabi-readelf', ['--debug-dump=decodedline', f.elfPath], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(dump.status, 0, dump.stderr);
      // Rows look like: "main.rs    18    0x8000256    x".
      const rows = [...dump.stdout.matchAll(/^(\S+\.(?:rs|c))\s+(\d+)\s+0x([0-9a-f]+)/gm)].map((m) => ({
        file: m[1],
        line: Number(m[2]),
        address: parseInt(m[3], 16),
      }));
      const ext = f.language === 'rust' ? '.rs' : '.c';
      assert.ok(rows.some((r) => r.file.endsWith(ext)), `${f.name}: no line rows for ${ext} files`);
      if (f.language === 'rust') {
        // The unit headers name the program's source relative to the ELF's folder.
        assert.ok(
          dump.stdout.includes(`\n${program}/main.rs:\n`),
          `${f.name}: line table does not name ${program}/main.rs`,
        );
      }
      const inMain = rows.filter((r) => r.address >= start && r.address < end && r.file === mainFile);
      assert.ok(
        inMain.length > 0,
        `${f.name}: no ${mainFile} line rows inside main [0x${start.toString(16)}, 0x${end.toString(16)})`,
      );
    });
  }
});
