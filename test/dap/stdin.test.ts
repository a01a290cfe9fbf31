// DAP: console input for semihosting reads — "> text" in the Debug Console and the
// cortex-m-sim/stdin custom request; a read with nothing typed waits (the firmware does not see EOF).

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closeServer, DapSession } from './harness';
import { FIXTURES_DIR } from '../fixtures/firmware/fixtures';

const CC = process.env.FIXTURES_CC ?? 'arm-none-eabi-gcc';

function buildEcho(): string | null {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cms-stdin-')), 'echo.elf');
  const common = path.join(FIXTURES_DIR, 'c', 'common');
  const r = spawnSync(CC, ['-mcpu=cortex-m3', '-mthumb', '-g', '-O1', '-ffreestanding', '-nostdlib', `-I${common}`, `-L${common}`,
    '-T', path.join(FIXTURES_DIR, 'c', 'm3', 'link.ld'), path.join(common, 'startup.c'), path.join(common, 'semihosting.c'), path.join(common, 'mem.c'),
    path.join(__dirname, 'stdin', 'echo.c'), '-lgcc', '-o', out], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    if (process.env.REQUIRE_ORACLES === '1') throw new Error(`cannot build echo.elf: ${r.error?.message ?? r.stderr}`);
    return null;
  }
  return out;
}

describe('DAP: semihosting console input', function () {
  this.timeout(30_000);
  let elf: string | null = null;
  before(function () {
    elf = buildEcho();
    if (!elf) this.skip();
  });
  after(closeServer);

  it('SYS_READC waits for "> line" from the Debug Console; SYS_READ takes the stdin request', async () => {
    const s = await DapSession.start();
    try {
      await s.launch({ program: elf, chip: 'cortex-m3' });
      await s.nextStop();
      await s.dc.continueRequest({ threadId: 1 });
      await new Promise((r) => setTimeout(r, 150));
      const status = await s.dc.customRequest('cortex-m-sim/status');
      assert.equal(status.body.state, 'running', 'blocked in SYS_READC, still running');
      assert.equal(s.output, '');
      await s.dc.evaluateRequest({ expression: '> hello', context: 'repl' });
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(s.output, 'readc: hello\n');
      const r = await s.dc.customRequest('cortex-m-sim/stdin', { text: 'abc\nrest' });
      assert.equal(typeof r.body.waiting, 'boolean');
      assert.equal(await s.waitExit(), 0);
      assert.equal(s.output, 'readc: hello\nread: 4 bytes: abc\n');
    } finally {
      await s.stop();
    }
  });
});
