// DAP: faults, panics, interrupt handlers on the stack, semihosting exit codes and bad launch.json.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DapSession, fixtureLaunch, fixtureSource, sessionPerTest } from './harness';
import { fixture } from '../fixtures/firmware/fixtures';

describe('DAP: exceptions, interrupts and exit', function () {
  this.timeout(30_000);
  let s: DapSession;
  sessionPerTest((session) => { s = session; });

  it('rust/hardfault stops with reason exception at the faulting line', async () => {
    await s.launch(fixtureLaunch('rust/hardfault', { runToEntryPoint: false }));
    const stop = await s.nextStop();
    assert.equal(stop.reason, 'exception');
    assert.match(stop.description ?? '', /HardFault/);
    assert.match(stop.text ?? '', /PRECISERR|bus error/i);
    const frames = await s.frames();
    // The load is core::ptr::read_volatile inlined into read_sensor (its frame is de-emphasised
    // where core's source is not installed); read_sensor's frame is the line that faulted.
    assert.match(frames[0].name, /read_volatile/, frames.map((f) => f.name).join(' < '));
    const shown = frames[1];
    assert.equal(shown.name, 'hardfault::read_sensor');
    assert.equal(path.basename(shown.source?.path ?? ''), 'main.rs');
    assert.equal(shown.line, 14); // unsafe { core::ptr::read_volatile(addr) } // faults here
    assert.ok(frames.some((f) => f.name === 'main'), frames.map((f) => f.name).join(' < '));
    const info = await s.dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'HardFault');
    assert.match(info.body.details?.message ?? '', /stacked frame/);
  });

  it('c/m3/hardfault (UNALIGNED LDRD) stops at the faulting line in read_sensor', async () => {
    await s.launch(fixtureLaunch('c/m3/hardfault'));
    assert.equal((await s.nextStop()).reason, 'entry');
    const stop = await s.run('continue');
    assert.equal(stop.reason, 'exception');
    const top = await s.where();
    assert.equal(top.file, 'hardfault.c');
    assert.equal(top.line, 21);
    assert.match(top.name, /read_sensor/);
  });

  it('with the fault filter off, the firmware\'s own HardFault handler runs and exits 3', async () => {
    await s.launch(fixtureLaunch('rust/hardfault', { runToEntryPoint: false }), { exceptionFilters: [] });
    assert.equal(await s.waitExit(), 3);
    assert.match(s.output, /HardFault: stacked pc=/);
  });

  it('rust/panic stops in the panic handler with the panicking function on the stack', async () => {
    await s.launch(fixtureLaunch('rust/panic', { runToEntryPoint: false }));
    const stop = await s.nextStop();
    assert.equal(stop.reason, 'exception');
    assert.equal(stop.description, 'panic');
    const frames = await s.frames();
    const names = frames.map((f) => f.name);
    const ratio = frames.find((f) => f.name === 'panic::checked_ratio');
    assert.ok(ratio, names.join(' < '));
    assert.equal(ratio.line, 10); // panic!("cannot split ...")
  });

  it('exit code of a semihosting exit is reported (panic handler exits 1)', async () => {
    await s.launch(fixtureLaunch('rust/panic', { runToEntryPoint: false }), { exceptionFilters: [] });
    assert.equal(await s.waitExit(), 1);
    assert.match(s.output, /cannot split 12 into 0 parts/);
    assert.ok(s.terminated || (await s.dc.waitForEvent('terminated', 2000)));
  });

  for (const name of ['rust/hello', 'c/m0/hello', 'c/m3/hello']) {
    it(`${name}: runs freely to its exit code with the expected output`, async () => {
      const f = fixture(name);
      await s.launch(fixtureLaunch(name, { runToEntryPoint: false }));
      assert.equal(await s.waitExit(), f.exitCode);
      assert.equal(s.output, f.stdout);
    });
  }

  it('the stack goes through an interrupt handler into the interrupted code', async () => {
    const source = fixtureSource('rust/interrupts');
    await s.launch(fixtureLaunch('rust/interrupts'), { breakpoints: [{ path: source, breakpoints: [{ line: 62 }] }] });
    assert.equal((await s.nextStop()).reason, 'entry');

    const stop = await s.run('continue');
    assert.equal(stop.reason, 'breakpoint');
    const frames = await s.frames();
    const names = frames.map((f) => f.name);
    assert.equal(frames[0].name, 'PendSV');
    assert.equal(frames[0].line, 62);
    const label = frames.findIndex((f) => f.presentationHint === 'label');
    assert.ok(label > 0, names.join(' < '));
    assert.match(frames[label].name, /PendSV/);
    assert.ok(frames.slice(label).some((f) => f.name === 'main'), names.join(' < '));
    assert.equal(await s.number('ipsr'), 14);
    // Step out of the handler: back in thread mode.
    await s.run('stepOut');
    assert.equal(await s.number('ipsr'), 0);
  });

  it('C interrupts fixture: a breakpoint in an IRQ handler shows main below the exception entry', async () => {
    const source = fixtureSource('c/m3/interrupts');
    await s.launch(fixtureLaunch('c/m3/interrupts'), { functionBreakpoints: ['SysTick_Handler'] });
    const first = await s.nextStop();
    const stop = first.reason === 'entry' ? await s.run('continue') : first;
    assert.equal(stop.reason, 'function breakpoint');
    const frames = await s.frames();
    assert.ok(frames.some((f) => f.presentationHint === 'label'), frames.map((f) => f.name).join(' < '));
    assert.ok(frames.some((f) => f.name === 'main' && path.basename(f.source?.path ?? '') === path.basename(source)), frames.map((f) => f.name).join(' < '));
  });
});

describe('DAP: bad launch configurations fail with a clear message', function () {
  this.timeout(20_000);
  let s: DapSession;
  sessionPerTest((session) => { s = session; });

  const cases: [string, () => Record<string, unknown>, RegExp][] = [
    ['missing program', () => ({ board: 'nucleo-f411re' }), /"program" is missing/],
    ['program that does not exist', () => ({ program: '/nonexistent/firmware.elf' }), /'\/nonexistent\/firmware\.elf' does not exist/],
    ['unknown board', () => ({ program: fixture('rust/hello').elfPath, board: 'no-such-board' }), /unknown board 'no-such-board'.*nucleo-f411re/],
    ['unknown chip', () => ({ program: fixture('rust/hello').elfPath, chip: 'z80' }), /unknown chip 'z80'/],
    ['not an ELF', () => ({ program: fixture('rust/blinky').expectPath }), /is not an ELF file/],
    ['an ELF for another machine', () => ({ program: fs.existsSync('/bin/true') ? '/bin/true' : process.execPath }), /not a 32-bit ARM ELF/],
    ['a program linked for another chip', () => ({ program: fixture('rust/hello').elfPath, chip: 'cortex-m0' }), /does not fit|outside|memory/],
    ['runToEntryPoint of the wrong type', () => ({ program: fixture('rust/hello').elfPath, runToEntryPoint: 3 }), /runToEntryPoint/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      await assert.rejects(s.launch(args()), (e: Error) => {
        assert.match(e.message, message);
        return true;
      });
    });
  }
});
