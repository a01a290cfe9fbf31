// DAP: data breakpoints (watchpoints) on statics and addresses, and where fault and watchpoint
// stops put the user: library frames are 'subtle', so VS Code shows the user's line.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DapSession, fixtureLaunch, fixtureSource, sessionPerTest } from './harness';

describe('DAP: data breakpoints and the user frame at a stop', function () {
  this.timeout(30_000);
  let s: DapSession;
  sessionPerTest((session) => { s = session; });

  /** The frame VS Code focuses: the first one not marked subtle. */
  async function userFrame(): Promise<{ name: string; file: string; line: number }> {
    const frames = await s.frames();
    const f = frames.find((x) => x.presentationHint !== 'subtle' && x.presentationHint !== 'label');
    assert.ok(f, 'a non-subtle frame');
    return { name: f.name, file: f.source?.path ? path.basename(f.source.path) : '', line: f.line };
  }

  it('C: a write watchpoint on a static stops at the writing line, each time, until removed', async () => {
    await s.launch(fixtureLaunch('c/m3/interrupts'));
    assert.equal((await s.nextStop()).reason, 'entry');
    const info = await s.dc.dataBreakpointInfoRequest({ name: 'ticks', frameId: 0 });
    assert.equal(info.body.dataId?.replace(/^0x[0-9a-f]+/, 'A'), 'A/4', info.body.description);
    assert.deepEqual(info.body.accessTypes, ['write', 'read', 'readWrite']);
    const set = await s.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    for (let n = 1; n <= 2; n++) {
      const stop = await s.run('continue');
      assert.equal(stop.reason, 'data breakpoint');
      assert.deepEqual(stop.hitBreakpointIds, [set.body.breakpoints[0].id]);
      assert.match(stop.description ?? '', new RegExp(`write of 0x${n} at`));
      const where = await s.where();
      assert.deepEqual(where, { name: 'SysTick_Handler', file: 'interrupts.c', line: 79 });
      assert.equal(await s.evaluate('ticks'), String(n));
    }
    await s.dc.setDataBreakpointsRequest({ breakpoints: [] });
    await s.dc.continueRequest({ threadId: 1 });
    assert.equal(await s.waitExit(), 0);
  });

  it('C: a read watchpoint from the Variables view with a condition', async () => {
    await s.launch(fixtureLaunch('c/m3/interrupts'));
    await s.nextStop();
    const scopes = await s.dc.scopesRequest({ frameId: 0 });
    const statics = scopes.body.scopes.find((x) => x.name === 'Statics')!;
    const vars = (await s.dc.variablesRequest({ variablesReference: statics.variablesReference })).body.variables;
    assert.ok(vars.some((v) => v.name === 'ticks'), vars.map((v) => v.name).join(', '));
    const info = await s.dc.dataBreakpointInfoRequest({ name: 'ticks', variablesReference: statics.variablesReference });
    assert.ok(info.body.dataId, info.body.description);
    await s.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId, accessType: 'read', condition: 'ticks == 3' }] });
    const stop = await s.run('continue');
    assert.equal(stop.reason, 'data breakpoint');
    assert.match(stop.description ?? '', /read of 0x3/);
    assert.equal(await s.evaluate('ticks'), '3');
  });

  it('an address watchpoint (asAddress, bytes) and registers that cannot be watched', async () => {
    await s.launch(fixtureLaunch('c/m3/interrupts'));
    await s.nextStop();
    const address = Number(await s.evaluate('&ticks'));
    const info = await s.dc.dataBreakpointInfoRequest({ name: '0x' + address.toString(16), asAddress: true, bytes: 1 });
    assert.equal(info.body.dataId, `0x${address.toString(16).padStart(8, '0')}/1`);
    await s.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'readWrite' }] });
    assert.equal((await s.run('continue')).reason, 'data breakpoint');
    const regs = (await s.dc.scopesRequest({ frameId: 0 })).body.scopes.find((x) => x.name === 'Registers')!;
    const r = await s.dc.dataBreakpointInfoRequest({ name: 'r0', variablesReference: regs.variablesReference });
    assert.equal(r.body.dataId, null);
  });

  it('Rust: a watchpoint on an atomic static stops in the interrupt handler at the store', async () => {
    await s.launch(fixtureLaunch('rust/interrupts'));
    await s.nextStop();
    const info = await s.dc.dataBreakpointInfoRequest({ name: 'TICKS', frameId: 0 });
    assert.ok(info.body.dataId, info.body.description);
    await s.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId, accessType: 'write' }] });
    const stop = await s.run('continue');
    assert.equal(stop.reason, 'data breakpoint');
    const where = await userFrame();
    assert.equal(where.file, 'main.rs');
    assert.equal(where.line, 105);
    assert.match(where.name, /SysTick/);
  });

  it('Rust hardfault: the first frame VS Code shows is read_sensor at main.rs:14', async () => {
    await s.launch(fixtureLaunch('rust/hardfault'));
    await s.nextStop();
    const stop = await s.run('continue');
    assert.equal(stop.reason, 'exception');
    const frames: DebugProtocol.StackFrame[] = await s.frames();
    const where = await userFrame();
    assert.deepEqual({ name: where.name.replace(/^hardfault::/, ''), file: where.file, line: where.line }, { name: 'read_sensor', file: 'main.rs', line: 14 }, frames.map((f) => `${f.name} ${f.presentationHint ?? ''}`).join('\n'));
    // The library frames are still there (the faulting instruction's own frame list).
    const first = frames[0];
    if (first.name !== where.name) assert.equal(first.presentationHint, 'subtle');
    assert.ok(fixtureSource('rust/hardfault').endsWith('main.rs'));
  });
});
