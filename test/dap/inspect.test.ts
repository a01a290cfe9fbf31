// DAP: conditional / hit-count / log / instruction breakpoints, registers, evaluate, memory and
// disassembly on the blinky fixture.

import * as assert from 'node:assert/strict';
import { DapSession, fixtureLaunch, fixtureSource, sessionPerTest } from './harness';
import { fixture } from '../fixtures/firmware/fixtures';
import { readElf } from '../../src/debuginfo/elf';
import * as fs from 'node:fs';

const BLINKY = 'rust/blinky';
const SOURCE = fixtureSource(BLINKY);
/** At line 63 (toggles += 1) the counter is kept at [sp, #4] (blinky keeps it in memory). */
const TOGGLES = '*(uint32_t*)($sp + 4)';

describe('DAP: breakpoint kinds, registers, memory, disassembly', function () {
  this.timeout(30_000);
  let s: DapSession;
  sessionPerTest((session) => { s = session; });

  /** Continues (first, when `fromStop`) until the firmware exits; counts the stops on the way. */
  async function runToExitCountingStops(fromStop = true): Promise<number> {
    let stops = 0;
    if (fromStop) await s.dc.continueRequest({ threadId: 1 });
    for (;;) {
      const stop = await s.nextStopOrExit();
      if (stop === null) return stops;
      if (stop.reason !== 'entry') stops++;
      await s.dc.continueRequest({ threadId: 1 });
    }
  }

  it('a conditional breakpoint stops only when its condition holds', async () => {
    await s.launch(fixtureLaunch(BLINKY), { breakpoints: [{ path: SOURCE, breakpoints: [{ line: 63, condition: `${TOGGLES} == 3` }] }] });
    assert.equal((await s.nextStop()).reason, 'entry');
    const stop = await s.run('continue');
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(await s.evaluate(TOGGLES), '3');
    assert.equal(await runToExitCountingStops(), 0);
    assert.equal(s.exitCode, 0);
  });

  it('a hit-count breakpoint stops on the Nth hit only', async () => {
    await s.launch(fixtureLaunch(BLINKY), { breakpoints: [{ path: SOURCE, breakpoints: [{ line: 63, hitCondition: '4' }] }] });
    await s.nextStop();
    await s.run('continue');
    assert.equal(await s.evaluate(TOGGLES), '3'); // 4th iteration: 3 toggles so far
    assert.equal(await runToExitCountingStops(), 0);
  });

  it('a logpoint prints with {expression} interpolation and does not stop', async () => {
    await s.launch(fixtureLaunch(BLINKY), { breakpoints: [{ path: SOURCE, breakpoints: [{ line: 63, logMessage: `toggles={${TOGGLES}} {{literal}}` }] }] });
    assert.equal(await runToExitCountingStops(false), 0);
    const lines = s.consoleOutput.split('\n').filter((l) => l.startsWith('toggles='));
    assert.deepEqual(lines, [0, 1, 2, 3, 4, 5].map((n) => `toggles=${n} {literal}`));
  });

  it('a bad condition is reported on the breakpoint', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    const r = await s.dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [{ line: 63, condition: 'r0 ==' }] });
    assert.equal(r.body.breakpoints[0].verified, false);
    assert.match(r.body.breakpoints[0].message ?? '', /unexpected end of expression/);
  });

  it('an instruction breakpoint stops at its address', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    const bp = await s.dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [{ line: 71 }] });
    const address = bp.body.breakpoints[0].instructionReference!;
    await s.dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [] });
    const r = await s.dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: address }] });
    assert.equal(r.body.breakpoints[0].verified, true);
    const stop = await s.run('continue');
    assert.equal(stop.reason, 'instruction breakpoint');
    assert.equal(await s.number('pc'), Number(address));
  });

  it('registers scope: values, xPSR flags, setVariable, and evaluate with formats', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    const scopes = await s.dc.scopesRequest({ frameId: 0 });
    const regs = scopes.body.scopes.find((x) => x.name === 'Registers')!;
    const vars = (await s.dc.variablesRequest({ variablesReference: regs.variablesReference })).body.variables;
    const names = vars.map((v) => v.name);
    for (const n of ['r0', 'r12', 'sp', 'lr', 'pc', 'xpsr', 'msp', 'psp', 'primask', 'basepri', 'faultmask', 'control']) assert.ok(names.includes(n), n);
    assert.ok(names.includes('fpu'), 'the M4F has FPU registers');
    const pc = vars.find((v) => v.name === 'pc')!;
    assert.equal(Number(pc.value), await s.number('pc'));
    const xpsr = vars.find((v) => v.name === 'xpsr')!;
    const flags = (await s.dc.variablesRequest({ variablesReference: xpsr.variablesReference })).body.variables;
    assert.deepEqual(flags.slice(0, 4).map((f) => f.name), ['N', 'Z', 'C', 'V']);
    assert.equal(flags.find((f) => f.name === 'T')!.value, '1');
    const set = await s.dc.setVariableRequest({ variablesReference: regs.variablesReference, name: 'r0', value: '0x1234 + 1' });
    assert.equal(set.body.value, '0x00001235');
    assert.equal(await s.evaluate('$r0'), '4661');
    assert.equal(await s.evaluate('/x r0'), '0x00001235');
    assert.equal(await s.evaluate('r0,x'), '0x00001235');
    assert.equal(await s.evaluate('(r0 & 0xff) << 4'), '848');
    await assert.rejects(s.dc.evaluateRequest({ expression: 'nonsense_name', context: 'repl' }), /no variable, symbol or register named 'nonsense_name'/);
  });

  it('evaluate reads memory and symbols', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    const elf = readElf(fs.readFileSync(fixture(BLINKY).elfPath));
    const initialSp = elf.segments.find((seg) => seg.type === 1 && seg.paddr === 0x08000000)!;
    const word0 = new DataView(initialSp.data.buffer, initialSp.data.byteOffset).getUint32(0, true);
    assert.equal(await s.number('*(uint32_t*)0x08000000'), word0);
    assert.equal(await s.number('*0x08000000'), word0);
    assert.equal(await s.number('&main'), elf.symbolByName('main')!.address);
  });

  it('readMemory / writeMemory round-trip in SRAM and report unreadable bytes', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    const data = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
    await s.dc.customRequest('writeMemory', { memoryReference: '0x20001000', data: data.toString('base64') });
    const r = await s.dc.customRequest('readMemory', { memoryReference: '0x20001000', count: 8 });
    assert.deepEqual(Buffer.from(r.body.data, 'base64'), data);
    assert.equal(await s.number('*(uint16_t*)0x20001002'), 0x0403);
    const edge = await s.dc.customRequest('readMemory', { memoryReference: '0x2001fffc', count: 8 });
    assert.equal(Buffer.from(edge.body.data, 'base64').length, 4);
    assert.equal(edge.body.unreadableBytes, 4);
  });

  it('disassemble around the PC uses the emulator\'s decoder, with symbols and lines', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    const mainAddress = await s.number('&main');
    const r = await s.dc.customRequest('disassemble', { memoryReference: '0x' + mainAddress.toString(16), instructionOffset: -2, instructionCount: 8, resolveSymbols: true });
    const list = r.body.instructions as { address: string; instruction: string; symbol?: string; line?: number; instructionBytes?: string }[];
    assert.equal(list.length, 8);
    const atMain = list[2];
    assert.equal(Number(atMain.address), mainAddress);
    assert.equal(atMain.symbol, 'main');
    assert.match(atMain.instruction, /^push\s*\{r7, lr\}/);
    assert.equal(atMain.instructionBytes, 'b580');
    assert.equal(atMain.line, 53);
    assert.match(list[3].instruction, /^mov\s+r7, sp/);
  });

  it('a status custom request reports the instruction count', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    const r = await s.dc.customRequest('cortex-m-sim/status');
    assert.equal(r.body.state, 'stopped');
    assert.ok(r.body.instructions > 0);
  });
});
