// DAP: the peripheral register requests (cortex-m-sim/peripherals, /writeRegister,
// /registerHistory), the stop event the panel refreshes on, and the "Peripherals" scope of the
// Variables view, on the rust/nucleo fixture.
//
// The adapter runs in-process on a server of this file's own, so that a test can play the part of
// the outside world where DAP has no request for it: a byte arriving on USART2's RX pin.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CortexMSimSession } from '../../src/adapter/session';
import type { Target } from '../../src/adapter/target';
import type { PeripheralsResponse, PeripheralTree, RegisterHistoryResponse, RegisterInfo, WriteRegisterResponse } from '../../src/adapter/peripherals';
import type { Usart } from '../../src/emulator/peripherals/stm32f4/usart';
import { fixture } from '../fixtures/firmware/fixtures';

const NUCLEO = fixture('rust/nucleo');
const SR_RXNE = 1 << 5;

describe('DAP: peripheral registers', function () {
  this.timeout(30_000);
  let server: net.Server;
  let sessions: CortexMSimSession[] = [];
  let dc: DebugClient;
  let stops: DebugProtocol.StoppedEvent['body'][] = [];
  let stopWaiters: ((s: DebugProtocol.StoppedEvent['body']) => void)[] = [];
  let peripheralEvents = 0;

  before(async () => {
    server = await new Promise<net.Server>((resolve) => {
      const s = net.createServer((socket) => {
        const session = new CortexMSimSession();
        sessions.push(session);
        session.setRunAsServer(true);
        session.start(socket, socket);
      });
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
  });
  after(() => server.close());

  beforeEach(async () => {
    sessions = [];
    stops = [];
    stopWaiters = [];
    peripheralEvents = 0;
    dc = new DebugClient('node', '', 'cortex-m-sim');
    dc.defaultTimeout = 10_000;
    dc.on('stopped', (e: DebugProtocol.StoppedEvent) => {
      const w = stopWaiters.shift();
      if (w) w(e.body);
      else stops.push(e.body);
    });
    dc.on('cortex-m-sim/peripheralsChanged', () => { peripheralEvents++; });
    await dc.start((server.address() as AddressInfo).port);
  });
  afterEach(async () => {
    try {
      await dc.disconnectRequest({});
    } catch {
      // gone already
    }
    await dc.stop();
  });

  function nextStop(): Promise<DebugProtocol.StoppedEvent['body']> {
    const queued = stops.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no stop within 10 s')), 10_000);
      stopWaiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
    });
  }

  async function launch(functionBreakpoints: string[]): Promise<void> {
    await dc.initializeRequest({ adapterID: 'cortex-m-sim', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = dc.waitForEvent('initialized');
    const launched = dc.launchRequest({ program: NUCLEO.elfPath, board: NUCLEO.board } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.setFunctionBreakpointsRequest({ breakpoints: functionBreakpoints.map((name) => ({ name })) });
    await dc.setExceptionBreakpointsRequest({ filters: ['fault', 'panic'] });
    await dc.configurationDoneRequest();
    await launched;
    assert.equal((await nextStop()).reason, 'entry');
  }

  async function resume(): Promise<DebugProtocol.StoppedEvent['body']> {
    await dc.continueRequest({ threadId: 1 });
    return nextStop();
  }

  async function custom<T>(command: string, args?: unknown): Promise<T> {
    const r = await dc.customRequest(command, args);
    return r.body as T;
  }

  function registerIn(tree: PeripheralTree, name: string): RegisterInfo {
    const [p, ...rest] = name.split('.');
    const periph = tree.peripherals.find((x) => x.name === p);
    assert.ok(periph, `no peripheral ${p}`);
    const r = periph.registers.find((x) => x.name === rest.join('.'));
    assert.ok(r, `no register ${name}`);
    return r;
  }

  function target(): Target {
    const t = (sessions[sessions.length - 1] as unknown as { target: Target | null }).target;
    assert.ok(t);
    return t;
  }

  it('shows GPIOA.ODR with ODR5 changing between two stops in the TIM2 handler', async () => {
    await launch(['IRQ28']);
    assert.equal((await resume()).reason, 'function breakpoint');
    const first = await custom<PeripheralsResponse>('cortex-m-sim/peripherals');
    assert.ok(first.tree, first.error);
    assert.equal(first.tree.device, 'STM32F411');
    assert.equal(first.state, 'stopped');
    const odr = registerIn(first.tree, 'GPIOA.ODR');
    assert.equal(odr.address, 0x40020014);
    assert.ok(odr.fields.some((f) => f.name === 'ODR5' && f.lsb === 5 && f.width === 1));
    const odr5Before = (first.values![odr.id]! >>> 5) & 1;

    const eventsBefore = peripheralEvents;
    await resume();
    const second = await custom<PeripheralsResponse>('cortex-m-sim/peripherals', { tree: false });
    assert.equal(second.tree, undefined, 'values only when asked without the tree');
    const odr5After = (second.values![odr.id]! >>> 5) & 1;
    assert.notEqual(odr5After, odr5Before, 'the TIM2 handler toggled LD2 between the stops');
    assert.ok(second.changed!.includes(odr.id), 'ODR is marked as changed since the previous stop');
    assert.ok(second.stopCount! > first.stopCount!);
    assert.ok(peripheralEvents > eventsBefore, 'a cortex-m-sim/peripheralsChanged event came with the stop');
    // The clock tree the firmware set up is what the panel shows.
    const cfgr = registerIn(first.tree, 'RCC.CFGR');
    assert.equal((second.values![cfgr.id]! >>> 2) & 3, 2, 'SWS = PLL');
  });

  it('writeRegister changes a value and the write appears in registerHistory with the debugger mark', async () => {
    await launch(['IRQ28']);
    await resume();
    await resume(); // the first handler ran: the firmware has written ODR once
    const before = await custom<RegisterHistoryResponse>('cortex-m-sim/registerHistory', { register: 'GPIOA.ODR' });
    assert.equal(before.records.length, 1);
    for (const rec of before.records) assert.equal(rec.byDebugger, false);
    const last = before.records[before.records.length - 1];
    assert.equal(last.function, 'IRQ28');
    // The line of the firmware's own source that wrote (through an inlined volatile write).
    assert.ok(last.source && path.basename(last.source.path) === 'main.rs', JSON.stringify(last.source));
    assert.match(fs.readFileSync(last.source.path, 'utf8').split('\n')[last.source.line - 1], /regs::write\(GPIOA \+ ODR/);

    const current = (await custom<PeripheralsResponse>('cortex-m-sim/peripherals', { tree: false }));
    const tree = (await custom<PeripheralsResponse>('cortex-m-sim/peripherals', { values: false })).tree!;
    const odr = registerIn(tree, 'GPIOA.ODR');
    const odr5 = (current.values![odr.id]! >>> 5) & 1;
    const w = await custom<WriteRegisterResponse>('cortex-m-sim/writeRegister', { register: 'GPIOA.ODR', field: 'ODR5', value: odr5 ^ 1 });
    assert.equal((w.value! >>> 5) & 1, odr5 ^ 1);
    assert.equal(target().machine.peek(0x40020014, 4)! & (1 << 5), (odr5 ^ 1) << 5, 'the machine sees the write');
    const after = await custom<RegisterHistoryResponse>('cortex-m-sim/registerHistory', { register: 'GPIOA.ODR' });
    const mine = after.records[after.records.length - 1];
    assert.equal(mine.byDebugger, true);
    assert.equal(mine.written, w.written);
    assert.equal(after.records.filter((r) => r.byDebugger).length, 1);

    // A whole-register write by address, and a refusal for a read-only register.
    const w2 = await custom<WriteRegisterResponse>('cortex-m-sim/writeRegister', { address: 0x40020014, value: '0x20' });
    assert.equal(w2.value, 0x20);
    await assert.rejects(custom('cortex-m-sim/writeRegister', { register: 'GPIOA.IDR', value: 0 }), /read-only/);
  });

  it('edits respect modifiedWriteValues: TIM2.SR.UIF (zeroToClear) clears alone, EXTI.PR (oneToClear) cannot be set', async () => {
    await launch(['IRQ28']);
    await resume(); // at the TIM2 handler's entry: UIF is set
    const tree = (await custom<PeripheralsResponse>('cortex-m-sim/peripherals')).tree!;
    const sr = registerIn(tree, 'TIM2.SR');
    const m = target().machine;
    assert.equal(m.peek(sr.address, 4)! & 1, 1, 'UIF set on entry');
    const w = await custom<WriteRegisterResponse>('cortex-m-sim/writeRegister', { register: 'TIM2.SR', field: 'UIF', value: 0 });
    assert.equal(w.value! & 1, 0, 'UIF cleared');
    assert.equal(w.written & 1, 0, 'UIF written as 0');
    assert.equal(w.written & 0x1e, 0x1e, 'the other zeroToClear flags written as 1, so they stay');
    await assert.rejects(custom('cortex-m-sim/writeRegister', { register: 'EXTI.PR', field: 'PR13', value: 1 }), /oneToClear/);
  });

  it('reading USART2.DR for display does not clear RXNE; the firmware reading it does', async () => {
    await launch(['IRQ28', 'IRQ38']);
    assert.equal((await resume()).reason, 'function breakpoint'); // IRQ28: USART2 is set up by now
    const usart2 = target().machine.peripheral('USART2') as Usart;
    assert.equal(usart2.receive(0x41), true, 'a byte arrives on PA3 while stopped');
    const tree = (await custom<PeripheralsResponse>('cortex-m-sim/peripherals', { values: false })).tree!;
    const dr = registerIn(tree, 'USART2.DR');
    const sr = registerIn(tree, 'USART2.SR');
    for (let i = 0; i < 3; i++) {
      const v = await custom<PeripheralsResponse>('cortex-m-sim/peripherals', { tree: false });
      assert.equal(v.values![dr.id], 0x41);
      assert.equal(v.values![sr.id]! & SR_RXNE, SR_RXNE, `RXNE still set after ${i + 1} panel reads`);
    }
    // The Variables view reads it too.
    const scopes = await dc.scopesRequest({ frameId: 0 });
    const scope = scopes.body.scopes.find((s) => s.name === 'Peripherals');
    assert.ok(scope, 'a Peripherals scope');
    const periphs = await dc.variablesRequest({ variablesReference: scope.variablesReference });
    const u2 = periphs.body.variables.find((v) => v.name === 'USART2')!;
    const regs = await dc.variablesRequest({ variablesReference: u2.variablesReference });
    assert.equal(regs.body.variables.find((v) => v.name === 'DR')!.value, '0x00000041');
    assert.equal(target().machine.peek(sr.address, 4)! & SR_RXNE, SR_RXNE);
    // Now the firmware takes the interrupt and reads DR itself.
    const stop = await resume();
    assert.equal(stop.reason, 'function breakpoint');
    assert.equal(target().machine.cpu.ipsr, 16 + 38, 'stopped in the USART2 handler');
    await resume();
    assert.equal(target().machine.peek(sr.address, 4)! & SR_RXNE, 0, 'the handler read DR: RXNE cleared');
  });

  it('the Peripherals scope: peripheral → register → fields, setVariable on a field and on a register', async () => {
    await launch(['IRQ28']);
    await resume();
    const scopes = await dc.scopesRequest({ frameId: 0 });
    const scope = scopes.body.scopes.find((s) => s.name === 'Peripherals')!;
    assert.equal(scope.expensive, true);
    const periphs = await dc.variablesRequest({ variablesReference: scope.variablesReference });
    const gpioa = periphs.body.variables.find((v) => v.name === 'GPIOA')!;
    assert.equal(gpioa.value, '0x40020000');
    const regs = await dc.variablesRequest({ variablesReference: gpioa.variablesReference });
    const moder = regs.body.variables.find((v) => v.name === 'MODER')!;
    const fields = await dc.variablesRequest({ variablesReference: moder.variablesReference });
    const moder5 = fields.body.variables.find((v) => v.name === 'MODER5')!;
    assert.match(moder5.value, /^0x1\b/, 'PA5 is an output');
    assert.equal(fields.body.variables[0].name, 'MODER15', 'fields from the most significant down');

    const odr = regs.body.variables.find((v) => v.name === 'ODR')!;
    const odrFields = await dc.variablesRequest({ variablesReference: odr.variablesReference });
    assert.ok(odrFields.body.variables.some((v) => v.name === 'ODR5'));
    const set = await dc.setVariableRequest({ variablesReference: odr.variablesReference, name: 'ODR5', value: '1' });
    assert.equal(set.body.value, '1');
    assert.equal(target().machine.peek(0x40020014, 4)! & (1 << 5), 1 << 5);
    // Whole register, from the peripheral node (handles are still valid: no stop in between).
    const setReg = await dc.setVariableRequest({ variablesReference: gpioa.variablesReference, name: 'ODR', value: '0x0' });
    assert.equal(setReg.body.value, '0x00000000');
    await assert.rejects(dc.setVariableRequest({ variablesReference: gpioa.variablesReference, name: 'IDR', value: '1' }), /read-only/);
  });
});
