// DAP: firmware output besides semihosting in the Debug Console — the board's console UART
// (USART2 on the Nucleo, a line per output event) and RTT (channel 0 as is, other channels behind
// their name; "> text" and cortex-m-sim/stdin feed down channel 0).

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { closeServer, DapSession, fixtureLaunch } from './harness';

const RTT_ELF = path.join(__dirname, '..', 'fixtures', 'rtt', 'rtt.elf');

async function until(test: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('DAP: UART and RTT output in the Debug Console', function () {
  this.timeout(30_000);
  after(closeServer);

  it('rust/nucleo: USART2 ("nucleo ready\\r\\n") arrives as one stdout line', async () => {
    const s = await DapSession.start();
    const events: string[] = [];
    s.dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') events.push(e.body.output);
    });
    try {
      await s.launch(fixtureLaunch('rust/nucleo'));
      await s.nextStop();
      await s.dc.continueRequest({ threadId: 1 });
      assert.equal(await s.waitExit(20_000), 0);
      assert.ok(events.includes('nucleo ready\n'), JSON.stringify(events.slice(0, 8)));
      assert.match(s.output, /done: 20 toggles/);
    } finally {
      await s.stop();
    }
  });

  it('RTT (on by itself: the ELF has _SEGGER_RTT): channels to stdout, "> line" to down channel 0', async () => {
    const s = await DapSession.start();
    try {
      await s.launch({ program: RTT_ELF, chip: 'cortex-m3' });
      await s.nextStop();
      await s.dc.continueRequest({ threadId: 1 });
      await until(() => s.output.includes('[Log] log line\n'), () => JSON.stringify(s.output));
      assert.equal(s.output, 'hello over rtt\n[Log] log line\n');
      await s.dc.evaluateRequest({ expression: '> ping', context: 'repl' });
      assert.equal(await s.waitExit(), 0);
      assert.equal(s.output, 'hello over rtt\n[Log] log line\ngot: ping\n');
    } finally {
      await s.stop();
    }
  });

  it('the stdin request with channel "rtt"; RTT shown at a pause too', async () => {
    const s = await DapSession.start();
    try {
      await s.launch({ program: RTT_ELF, chip: 'cortex-m3', rtt: true });
      await s.nextStop();
      await s.dc.continueRequest({ threadId: 1 });
      await until(() => s.output.includes('log line'), () => JSON.stringify(s.output));
      await s.dc.pauseRequest({ threadId: 1 });
      await s.nextStop();
      const r = await s.dc.customRequest('cortex-m-sim/stdin', { text: 'via request\n', channel: 'rtt' });
      assert.equal(r.body.channel, 'rtt');
      await s.dc.continueRequest({ threadId: 1 });
      assert.equal(await s.waitExit(), 0);
      assert.match(s.output, /got: via request\n$/);
    } finally {
      await s.stop();
    }
  });

  it('"rtt": false leaves RTT alone; a stdin request for RTT is refused', async () => {
    const s = await DapSession.start();
    try {
      await s.launch({ program: RTT_ELF, chip: 'cortex-m3', rtt: false });
      await s.nextStop();
      await s.dc.continueRequest({ threadId: 1 });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(s.output, '');
      await assert.rejects(s.dc.customRequest('cortex-m-sim/stdin', { text: 'x\n', channel: 'rtt' }), /RTT is off/);
    } finally {
      await s.stop();
    }
  });
});
