// Board descriptions (validation with file + JSON path in every message) and the board runtime on
// real firmware: LD2 follows PA5 as the blinky fixture writes ODR, B1 drives PC13, the VCP
// terminal reaches USART2.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';
import { BoardError, bundledBoard, parseBoardFile, validateBoard, lookup } from '../../../src/emulator/boards/index';
import { BoardRuntime } from '../../../src/emulator/boards/board-runtime';
import { fixture } from '../../fixtures/firmware/fixtures';

function boardError(json: unknown, file = 'board.json'): BoardError {
  try {
    validateBoard(json, file, lookup);
  } catch (e) {
    assert.ok(e instanceof BoardError, `expected a BoardError, got ${String(e)}`);
    return e;
  }
  assert.fail('the board was accepted');
}

describe('board descriptions', function () {
  it('bundles nucleo-f411re: LD2 on PA5 active high, B1 on PC13 active low, USART2 on PA2/PA3', function () {
    const b = bundledBoard('nucleo-f411re')!;
    assert.equal(b.chip, 'stm32f411re');
    assert.deepEqual(b.parts.map((p) => [p.type, p.id]), [['led', 'LD2'], ['button', 'B1'], ['uart-terminal', 'VCP']]);
    const ld2 = b.parts[0];
    assert.ok(ld2.type === 'led' && ld2.pin === 'PA5' && ld2.polarity === 'active-high');
    const b1 = b.parts[1];
    assert.ok(b1.type === 'button' && b1.pin === 'PC13' && b1.polarity === 'active-low');
    const vcp = b.parts[2];
    assert.ok(vcp.type === 'uart-terminal' && vcp.uart === 'USART2' && vcp.tx === 'PA2' && vcp.rx === 'PA3');
  });

  it('a user board.json extends a bundled board with LEDs, buttons and switches', function () {
    const b = parseBoardFile(JSON.stringify({
      extends: 'nucleo-f411re',
      parts: [
        { type: 'led', id: 'red', pin: 'pb0', color: '#ff2020', polarity: 'active-low' },
        { type: 'button', id: 'K1', pin: 'PB1', polarity: 'active-high' },
        { type: 'switch', id: 'SW1', pin: 'PC0', initiallyOn: true },
      ],
    }), '/ws/board.json');
    assert.equal(b.parts.length, 6);
    assert.deepEqual(b.parts[3], { type: 'led', id: 'red', label: 'red', pin: 'PB0', color: '#ff2020', polarity: 'active-low' });
    assert.deepEqual(b.parts[5], { type: 'switch', id: 'SW1', label: 'SW1', pin: 'PC0', polarity: 'active-high', initiallyOn: true });
  });

  it('unknown pin: names the file, the JSON path and the ports the chip has', function () {
    const e = boardError({ extends: 'nucleo-f411re', parts: [{ type: 'led', id: 'x', pin: 'PZ5' }] });
    assert.equal(e.file, 'board.json');
    assert.equal(e.jsonPath, '$.parts[0].pin');
    assert.match(e.message, /^board\.json: \$\.parts\[0\]\.pin: /);
    assert.match(e.message, /'PZ5' is not a pin name/);
    const f = boardError({ extends: 'nucleo-f411re', parts: [{ type: 'led', id: 'x', pin: 'PF3' }] });
    assert.match(f.message, /board\.json: \$\.parts\[0\]\.pin: unknown pin 'PF3': STM32F411RE has ports A, B, C, D, E, H/);
    const g = boardError({ extends: 'nucleo-f411re', parts: [{ type: 'led', id: 'x', pin: 'PA16' }] });
    assert.equal(g.jsonPath, '$.parts[0].pin');
  });

  it('unknown part type', function () {
    const e = boardError({ extends: 'nucleo-f411re', parts: [{ type: 'led', id: 'a', pin: 'PB0' }, { type: 'buzzer', id: 'bz', pin: 'PB1' }] }, 'ws/board.json');
    assert.equal(e.message, "ws/board.json: $.parts[1].type: unknown part 'buzzer' (known parts: led, button, switch, uart-terminal)");
  });

  it('duplicate id, also against the bundled board\'s parts', function () {
    const e = boardError({ extends: 'nucleo-f411re', parts: [{ type: 'led', id: 'a', pin: 'PB0' }, { type: 'led', id: 'a', pin: 'PB1' }] });
    assert.equal(e.jsonPath, '$.parts[1].id');
    assert.match(e.message, /duplicate id 'a' \(also at \$\.parts\[0\]\)/);
    const f = boardError({ extends: 'nucleo-f411re', parts: [{ type: 'button', id: 'B1', pin: 'PB1' }] });
    assert.match(f.message, /\$\.parts\[0\]\.id: duplicate id 'B1'/);
  });

  it('bad polarity', function () {
    const e = boardError({ extends: 'nucleo-f411re', parts: [{ type: 'button', id: 'K', pin: 'PB1', polarity: 'low' }] });
    assert.equal(e.message, 'board.json: $.parts[0].polarity: must be "active-high" or "active-low", not "low"');
  });

  it('other mistakes: input pin used twice, unknown UART, unknown property, bad JSON, unknown chip', function () {
    assert.match(boardError({ extends: 'nucleo-f411re', parts: [{ type: 'button', id: 'K', pin: 'PC13' }] }).message, /\$\.parts\[0\]\.pin: pin PC13 is already used by 'B1'/);
    assert.match(boardError({ extends: 'nucleo-f411re', parts: [{ type: 'uart-terminal', id: 'T', uart: 'USART9' }] }).message, /\$\.parts\[0\]\.uart: unknown UART 'USART9': STM32F411RE has USART2, USART1, USART6/);
    assert.match(boardError({ extends: 'nucleo-f411re', parts: [{ type: 'led', id: 'L', pin: 'PB0', colour: 'red' }] }).message, /\$\.parts\[0\]\.colour: unknown property/);
    assert.match(boardError({ id: 'b', chip: 'stm99', parts: [] }).message, /board\.json: \$\.chip: unknown chip 'stm99'/);
    assert.match(boardError({ extends: 'nope' }).message, /\$\.extends: unknown board 'nope'/);
    assert.throws(() => parseBoardFile('{\n  "extends": "nucleo-f411re",\n  "parts": [,]\n}', 'b.json'), /^BoardError: b\.json: line 3, column \d+: not valid JSON/);
  });

  it('a complete board for a chip without GPIO models has no pins to offer', function () {
    const e = boardError({ id: 'g', chip: 'cortex-m3', parts: [{ type: 'led', id: 'L', pin: 'PA0' }] });
    assert.match(e.message, /Generic Cortex-M3 has no GPIO ports/);
  });
});

describe('board runtime on the STM32F411 models', function () {
  const board = bundledBoard('nucleo-f411re')!;

  it('LD2 follows PA5 as blinky toggles ODR (pin changes arrive through onPinChange)', function () {
    const f = fixture('rust/blinky');
    const m = Machine.fromElf(chipById('stm32f411re'), fs.readFileSync(f.elfPath), f.elfPath);
    const runtime = new BoardRuntime(m, board);
    const states: boolean[] = [];
    const seenAt: number[] = [];
    m.onPinChange((port, pin) => {
      if (port === 'A' && pin === 5) {
        states.push(runtime.sample().leds[0].on);
        seenAt.push(m.cpu.cycles);
      }
    });
    assert.equal(runtime.sample().leds[0].on, false);
    const r = m.run({ maxInstructions: 50_000_000 });
    assert.equal(r.reason, 'exit');
    assert.deepEqual(states, [true, false, true, false, true, false]);
    // The timeline has the same edges, at the same cycles (after the reset-time level).
    const w = runtime.timeline.window();
    const pa5 = w.channels.find((c) => c.name === 'PA5')!.index;
    const edges = w.events.filter((e) => e.channel === pa5);
    assert.deepEqual(edges.map((e) => e.value), [0, 1, 0, 1, 0, 1, 0]);
    assert.deepEqual(edges.slice(1).map((e) => e.cycle), seenAt);
    // Each delay is 4 SysTick wraps of 1000 cycles: the LED is lit about half the time.
    const periods = seenAt.slice(1).map((c, i) => c - seenAt[i]);
    for (const p of periods) assert.ok(p >= 3900 && p < 4000 + 3000, `toggle period ${p} cycles`);
    runtime.dispose();
  });

  it('brightness is the lit fraction of simulated time (PWM duty)', function () {
    const m = new Machine(chipById('stm32f411re'));
    const runtime = new BoardRuntime(m, board);
    const gpio = m.peripheral('GPIOA')!;
    gpio.write(0x00, 4, 0x400); // MODER5 = output
    runtime.sample();
    // 25 % duty: on for 250 cycles of every 1000.
    for (let i = 0; i < 10; i++) {
      gpio.write(0x18, 4, 1 << 5);
      m.cpu.cycles += 250;
      gpio.write(0x18, 4, 1 << 21);
      m.cpu.cycles += 750;
    }
    const s = runtime.sample();
    assert.ok(Math.abs(s.leds[0].brightness - 0.25) < 1e-9, `brightness ${s.leds[0].brightness}`);
    assert.equal(s.leds[0].on, false);
    gpio.write(0x18, 4, 1 << 5);
    m.cpu.cycles += 100;
    assert.equal(runtime.sample().leds[0].brightness, 1);
    assert.equal(runtime.sample().leds[0].brightness, 1, 'no time passed: the steady state');
  });

  it('B1 drives PC13: high when released (pull-up on the board), low while pressed; EXTI sees the edge', function () {
    const m = new Machine(chipById('stm32f411re'));
    const runtime = new BoardRuntime(m, board);
    const gpioc = m.peripheral('GPIOC')!;
    const idr = () => (gpioc.read(0x10, 4) >>> 13) & 1;
    assert.equal(idr(), 1);
    // EXTI13 ← port C, falling edge, unmasked.
    m.peripheral('SYSCFG')!.write(0x14, 4, 2 << 4);
    const exti = m.peripheral('EXTI')!;
    exti.write(0x00, 4, 1 << 13);
    exti.write(0x0c, 4, 1 << 13);
    runtime.setInput('B1', true);
    assert.equal(idr(), 0);
    assert.equal((exti.read(0x14, 4) >>> 13) & 1, 1, 'EXTI_PR13 set by the falling edge');
    runtime.setInput('B1', false);
    assert.equal(idr(), 1);
    assert.deepEqual(runtime.sample().inputs, [{ id: 'B1', active: false }]);
    assert.throws(() => runtime.setInput('B9', true), /no button or switch 'B9' on NUCLEO-F411RE \(inputs: B1\)/);
  });

  it('the VCP terminal feeds USART2 at its baud rate and collects what it transmits', function () {
    const m = new Machine(chipById('stm32f411re'));
    const runtime = new BoardRuntime(m, board);
    const out: number[] = [];
    runtime.onUart((id, byte) => {
      assert.equal(id, 'VCP');
      out.push(byte);
    });
    m.peripheral('RCC')!.write(0x40, 4, 1 << 17); // APB1ENR.USART2EN
    const usart = m.peripheral('USART2')!;
    usart.write(0x08, 4, 0x8b); // 115200 Bd at 16 MHz
    usart.write(0x0c, 4, 0x200c); // UE | TE | RE
    usart.write(0x04, 4, 0x41);
    const done = m.cpu.cycles + 20_000;
    // Let the frame time pass (the USART is a timed device).
    while (m.cpu.cycles < done) {
      m.cpu.cycles += 100;
      (usart as unknown as { advance(): void }).advance();
    }
    assert.deepEqual(out, [0x41]);
    runtime.uartInput('VCP', new TextEncoder().encode('z'));
    for (let i = 0; i < 200 && (usart.peek!(0x00, 4)! & (1 << 5)) === 0; i++) {
      m.cpu.cycles += 100;
      (usart as unknown as { advance(): void }).advance();
    }
    assert.equal(usart.read(0x04, 4) & 0xff, 0x7a);
    const names = runtime.timeline.window().channels.map((c) => c.name);
    assert.ok(names.includes('USART2.tx') && names.includes('USART2.rx'));
  });
});
