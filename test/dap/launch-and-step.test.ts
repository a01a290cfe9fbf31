// DAP: launch, run to main, line breakpoints, stepping and exit on the blinky fixture.
//
// blinky is built optimised, so most of main's callees are inlined; line numbers below are
// blinky/main.rs lines. Lines whose code has no is_stmt row (systick_start's body, line 55) are
// stepped over, as gdb does.

import * as assert from 'node:assert/strict';
import { DapSession, fixtureLaunch, fixtureSource, sessionPerTest } from './harness';

const BLINKY = 'rust/blinky';
const SOURCE = fixtureSource(BLINKY);

describe('DAP: launch and stepping (rust/blinky)', function () {
  this.timeout(30_000);
  let s: DapSession;
  sessionPerTest((session) => { s = session; });

  it('launch stops at main (runToEntryPoint default) with the source line', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    const stop = await s.nextStop();
    assert.equal(stop.reason, 'entry');
    const top = await s.where();
    assert.equal(top.name, 'main');
    assert.equal(top.file, 'main.rs');
    assert.equal(top.line, 54); // led_init(); (inlined: the call line is shown, as gdb does)
    const frames = await s.frames();
    assert.ok(frames.some((f) => f.name === 'Reset'), 'the caller (Reset) is on the stack');
  });

  it('stopOnEntry stops at the reset handler\'s first instruction', async () => {
    await s.launch(fixtureLaunch(BLINKY, { stopOnEntry: true }));
    const stop = await s.nextStop();
    assert.equal(stop.reason, 'entry');
    const pc = await s.evaluate('/x pc');
    const reset = await s.evaluate('/x &Reset');
    assert.equal(pc, reset);
  });

  it('a breakpoint in the loop hits once per iteration, then the firmware exits 0', async () => {
    await s.launch(fixtureLaunch(BLINKY), { breakpoints: [{ path: SOURCE, breakpoints: [{ line: 63 }] }] });
    let hits = 0;
    for (;;) {
      const stop = await s.nextStopOrExit();
      if (stop === null) break;
      if (stop.reason === 'entry') {
        await s.dc.continueRequest({ threadId: 1 });
        continue;
      }
      assert.equal(stop.reason, 'breakpoint');
      assert.equal((await s.where()).line, 63);
      hits++;
      await s.dc.continueRequest({ threadId: 1 });
    }
    assert.equal(hits, 6);
    assert.equal(s.exitCode, 0);
    assert.match(s.output, /done: 6 toggles/);
  });

  it('breakpoints verify at the line they will stop on', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    const r = await s.dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [{ line: 63 }, { line: 56 }, { line: 500 }] });
    const [b63, b56, b500] = r.body.breakpoints;
    assert.equal(b63.verified, true);
    assert.equal(b63.line, 63);
    assert.equal(b56.verified, true);
    assert.ok(b56.line! > 56, `a comment line moves to the next line with code (got ${b56.line})`);
    assert.equal(b500.verified, false);
  });

  it('next / step in / step out land on the expected lines', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    assert.equal((await s.where()).line, 54);
    assert.equal((await s.run('next')).reason, 'step');
    assert.equal((await s.where()).line, 59); // let mut toggles = 0
    await s.run('next');
    assert.equal((await s.where()).line, 62); // led_set(led_on)
    await s.run('stepIn');
    let top = await s.where();
    assert.equal(top.name, 'blinky::led_set');
    assert.equal(top.line, 48); // let odr = regs::read(...)
    await s.run('stepOut');
    top = await s.where();
    assert.equal(top.name, 'main');
    assert.equal(top.line, 63); // toggles += 1
    await s.run('next');
    assert.equal((await s.where()).line, 61); // led_on = !led_on (scheduled after the store)
  });

  it('next steps over a real call (hprintln) and its output appears', async () => {
    await s.launch(fixtureLaunch(BLINKY), { breakpoints: [{ path: SOURCE, breakpoints: [{ line: 66 }] }] });
    await s.nextStop(); // entry
    await s.run('continue'); // line 66
    assert.equal((await s.where()).line, 66);
    let line = 66;
    for (let i = 0; i < 6 && line !== 71; i++) {
      await s.run('next');
      line = (await s.where()).line;
    }
    assert.equal(line, 71); // delay(...): after the print
    assert.equal(s.output, 'LED on\n');
  });

  it('instruction stepping advances one instruction', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    const before = await s.number('pc');
    const stop = await s.run('next', 'instruction');
    assert.equal(stop.reason, 'step');
    const after = await s.number('pc');
    assert.ok(after === before + 2 || after === before + 4, `pc moved from ${before.toString(16)} to ${after.toString(16)}`);
  });

  it('function breakpoints by plain name and by Rust path', async () => {
    await s.launch(fixtureLaunch(BLINKY), { functionBreakpoints: ['rt::semihosting::print_args', 'blinky::main'] });
    const r = await s.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'rt::semihosting::print_args' }, { name: 'blinky::main' }, { name: 'no_such_fn' }] });
    assert.deepEqual(r.body.breakpoints.map((b) => b.verified), [true, true, false]);
    let stop = await s.nextStop();
    // main: both the entry stop and the function breakpoint are at main's first line.
    assert.ok(stop.reason === 'function breakpoint' || stop.reason === 'entry', stop.reason);
    assert.equal((await s.where()).name, 'main');
    stop = await s.run('continue');
    assert.equal(stop.reason, 'function breakpoint');
    assert.equal((await s.where()).name, 'rt::semihosting::print_args');
  });

  it('pause lands within 100 ms while the core spins with interrupts masked', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    // cpsid i; b . — in SRAM, and jump there.
    const loop = 0x20010000;
    await s.dc.customRequest('writeMemory', { memoryReference: '0x' + loop.toString(16), data: Buffer.from([0x72, 0xb6, 0xfe, 0xe7]).toString('base64') });
    const scopes = await s.dc.scopesRequest({ frameId: 0 });
    const regs = scopes.body.scopes.find((x) => x.name === 'Registers')!;
    await s.dc.setVariableRequest({ variablesReference: regs.variablesReference, name: 'pc', value: '0x' + loop.toString(16) });
    await s.dc.continueRequest({ threadId: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const t0 = Date.now();
    await s.dc.pauseRequest({ threadId: 1 });
    const stop = await s.nextStop(2000);
    const elapsed = Date.now() - t0;
    assert.equal(stop.reason, 'pause');
    assert.ok(elapsed < 100, `pause took ${elapsed} ms`);
    const pc = await s.number('pc');
    assert.ok(pc === loop + 2, `stopped in the loop (pc ${pc.toString(16)})`);
    assert.equal(await s.number('primask'), 1);
  });

  it('restart runs to main again', async () => {
    await s.launch(fixtureLaunch(BLINKY), { breakpoints: [{ path: SOURCE, breakpoints: [{ line: 63 }] }] });
    await s.nextStop();
    await s.run('continue');
    assert.equal((await s.where()).line, 63);
    await s.dc.restartRequest({});
    const stop = await s.nextStop();
    assert.equal(stop.reason, 'entry');
    assert.equal((await s.where()).line, 54);
  });
});
