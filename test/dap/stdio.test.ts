// DAP over stdin/stdout: the adapter as VS Code runs it (a child process), on rust/hello.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { fixture } from '../fixtures/firmware/fixtures';

describe('DAP: adapter as a child process on stdio', function () {
  this.timeout(60_000);

  it('launches rust/hello, stops at main, continues to the exit code', async () => {
    const root = path.resolve(__dirname, '..', '..');
    const dc = new DebugClient('node', path.join(root, 'src', 'adapter', 'main.ts'), 'cortex-m-sim', {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx` },
    });
    dc.defaultTimeout = 30_000;
    await dc.start();
    try {
      const f = fixture('rust/hello');
      const stopped = dc.waitForEvent('stopped');
      await Promise.all([dc.configurationSequence(), dc.launch({ program: f.elfPath, board: f.board })]);
      assert.equal((await stopped).body.reason, 'entry');
      const frames = await dc.stackTraceRequest({ threadId: 1 });
      assert.equal(frames.body.stackFrames[0].name, 'main');
      const exited = dc.waitForEvent('exited');
      await dc.continueRequest({ threadId: 1 });
      assert.equal((await exited).body.exitCode, 0);
    } finally {
      await dc.stop();
    }
  });
});
