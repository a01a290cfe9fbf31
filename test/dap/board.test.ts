// The virtual board over DAP, as the board panel uses it: describe the board, press B1 and see the
// firmware's EXTI15_10 handler run, type into the VCP terminal and get the echo back as
// cortex-m-sim/uart events, LED state in cortex-m-sim/boardState events, the pin timeline and its
// VCD export, and real-time mode keeping simulated time with the wall clock.
import { strict as assert } from 'node:assert';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DapSession, fixtureLaunch, sessionPerTest } from './harness';

interface BoardStateBody {
  leds: { id: string; on: boolean; brightness: number }[];
  inputs: { id: string; active: boolean }[];
  state: string;
  seconds: number;
  speed: number;
  runMode: string;
}

function collect(s: DapSession) {
  const uart: number[] = [];
  const states: { wall: number; body: BoardStateBody }[] = [];
  s.dc.on('cortex-m-sim/uart', (e: DebugProtocol.Event) => {
    const body = e.body as { terminal: string; data: string };
    assert.equal(body.terminal, 'VCP');
    uart.push(...Buffer.from(body.data, 'base64'));
  });
  s.dc.on('cortex-m-sim/boardState', (e: DebugProtocol.Event) => states.push({ wall: performance.now(), body: e.body as BoardStateBody }));
  return { uart, states, text: () => Buffer.from(uart).toString('latin1') };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('DAP: virtual board (rust/nucleo on nucleo-f411re)', function () {
  this.timeout(30_000);
  let s: DapSession;

  sessionPerTest((session) => { s = session; });

  it('describes the board; B1 triggers the EXTI handler; typed bytes are echoed; timeline and VCD', async function () {
    const seen = collect(s);
    await s.launch(fixtureLaunch('rust/nucleo'), { functionBreakpoints: ['IRQ28'] });
    let stop = await s.nextStop();
    assert.equal(stop.reason, 'entry');
    stop = await s.run('continue');
    assert.equal(stop.reason, 'function breakpoint', 'the first TIM2 tick: everything is set up');

    const info = (await s.dc.customRequest('cortex-m-sim/board')).body as { board: { id: string; parts: { id: string; type: string }[] }; state: BoardStateBody };
    assert.equal(info.board.id, 'nucleo-f411re');
    assert.deepEqual(info.board.parts.map((p) => p.id), ['LD2', 'B1', 'VCP']);
    assert.deepEqual(info.state.leds.map((l) => [l.id, l.on]), [['LD2', false]]);
    await until(() => seen.text().includes('nucleo ready\r\n'), 2000, 'the greeting on the VCP terminal');

    // Press B1 while stopped: PC13 falls, EXTI13 pends IRQ40, which runs as soon as we continue.
    await s.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'IRQ40' }] });
    await s.dc.customRequest('cortex-m-sim/pressButton', { id: 'B1', pressed: true });
    stop = await s.run('continue');
    assert.equal(stop.reason, 'function breakpoint');
    assert.equal((await s.where()).name, 'IRQ40');
    await s.dc.customRequest('cortex-m-sim/pressButton', { id: 'B1', pressed: false });
    await s.dc.setFunctionBreakpointsRequest({ breakpoints: [] });

    // Type into the terminal: USART2's RX interrupt echoes every byte.
    await s.dc.customRequest('cortex-m-sim/uartInput', { id: 'VCP', text: 'hi!' });
    await s.dc.continueRequest({ threadId: 1 });
    await until(() => seen.text().includes('nucleo ready\r\nhi!'), 5000, `the echo (got ${JSON.stringify(seen.text())})`);
    const code = await s.waitExit();
    assert.equal(code, 0);
    assert.match(s.output, /button pressed \(1\), PC13=\d/);
    assert.match(s.output, /done: 20 toggles, 1 presses, 3 bytes echoed/);

    // LD2 was seen lit in the board state events.
    assert.ok(seen.states.some((e) => e.body.leds[0].on || e.body.leds[0].brightness > 0), 'LD2 seen on');

    const tl = (await s.dc.customRequest('cortex-m-sim/timeline')).body as { channels: { name: string }[]; events: { channel: number; value: number; cycle: number }[]; clockHz: number };
    const pa5 = tl.channels.findIndex((c) => c.name === 'PA5');
    const pc13 = tl.channels.findIndex((c) => c.name === 'PC13');
    const rx = tl.channels.findIndex((c) => c.name === 'USART2.rx');
    assert.equal(tl.events.filter((e) => e.channel === pa5).length, 21, 'reset level + 20 toggles');
    assert.deepEqual(tl.events.filter((e) => e.channel === pc13).map((e) => e.value), [1, 0, 1], 'pulled up, pressed, released');
    assert.deepEqual(tl.events.filter((e) => e.channel === rx).map((e) => e.value), [0x68, 0x69, 0x21]);
    // Interrupts: a channel per exception, 1 from entry to return. One button handler run (IRQ40,
    // EXTI15_10); the USART2 handler (IRQ38) ran for each of the three bytes received.
    const irq40 = tl.channels.findIndex((c) => c.name === 'IRQ40');
    const irq38 = tl.channels.findIndex((c) => c.name === 'IRQ38');
    assert.ok(irq40 >= 0 && irq38 >= 0, tl.channels.map((c) => c.name).join(', '));
    assert.deepEqual(tl.events.filter((e) => e.channel === irq40).map((e) => e.value), [1, 0]);
    assert.ok(tl.events.filter((e) => e.channel === irq38 && e.value === 1).length >= 3, 'USART2 handler entries');
    const vcd = ((await s.dc.customRequest('cortex-m-sim/exportVcd')).body as { vcd: string }).vcd;
    assert.match(vcd, /\$var wire 1 \S+ PA5 \$end/);
    assert.match(vcd, /\$var wire 1 \S+ IRQ40 \$end/);
    assert.match(vcd, /\$enddefinitions \$end/);
  });

  it('rejects unknown parts with a clear message', async function () {
    await s.launch(fixtureLaunch('rust/nucleo'));
    await s.nextStop();
    await assert.rejects(s.dc.customRequest('cortex-m-sim/pressButton', { id: 'B7', pressed: true }), /no button or switch 'B7' on NUCLEO-F411RE/);
    await assert.rejects(s.dc.customRequest('cortex-m-sim/uartInput', { id: 'VCP' }), /give "text"/);
  });

  it('real-time mode: simulated time follows the wall clock, LD2 toggles every 100 ms', async function () {
    const seen = collect(s);
    await s.launch(fixtureLaunch('rust/nucleo', { runMode: 'realtime', runToEntryPoint: false }));
    const t0 = performance.now();
    // Measure from a point after launch: launching (loading, reset, the first slice) takes wall
    // time but no simulated time, and more of it on a loaded machine.
    await until(() => performance.now() - t0 > 300, 3000, 'launch');
    const boardState = async () => ((await s.dc.customRequest('cortex-m-sim/board')).body as { state: BoardStateBody }).state;
    const first = await boardState();
    const t1 = performance.now();
    await until(() => performance.now() - t1 > 1200, 3000, 'time');
    const st = { state: await boardState() };
    const wall = (performance.now() - t1) / 1000;
    assert.equal(st.state.runMode, 'realtime');
    const ratio = (st.state.seconds - first.seconds) / wall;
    console.log(`      real time: ${(st.state.seconds - first.seconds).toFixed(3)} s simulated in ${wall.toFixed(3)} s wall (×${ratio.toFixed(3)})`);
    assert.ok(ratio > 0.9 && ratio < 1.05, `simulated/wall = ${ratio}`);
    // LED edges as the panel sees them, in wall time.
    const edges: number[] = [];
    let last: boolean | undefined;
    for (const e of seen.states) {
      const on = e.body.leds[0]?.on;
      if (last !== undefined && on !== last) edges.push(e.wall);
      last = on;
    }
    const gaps = edges.slice(1).map((t, i) => t - edges[i]);
    const median = gaps.sort((a, b) => a - b)[gaps.length >> 1];
    console.log(`      LD2: ${edges.length} edges seen in boardState events, median ${median.toFixed(1)} ms apart in wall time (firmware: 100 ms; events at 20 Hz)`);
    assert.ok(edges.length >= 8, `${edges.length} LED edges`);
    assert.ok(Math.abs(median - 100) <= 30, `median toggle gap ${median} ms`);
    // Switch to fast: it finishes the remaining simulated second at once.
    await s.dc.customRequest('cortex-m-sim/runMode', { mode: 'fast' });
    assert.equal(await s.waitExit(5000), 0);
  });
});
