// The rust/nucleo fixture on the simulated NUCLEO-F411RE. QEMU cannot run it (no RCC/GPIO model),
// so its transcript, and what it does with input, are checked here against the Machine: LD2
// toggles at the TIM2 period, pressing B1 (PC13 low) runs the EXTI15_10 handler, bytes arriving on
// USART2 come back out of its transmitter.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Machine } from '../../../src/emulator/machine';
import { boardById, chipById } from '../../../src/emulator/chips/index';
import type { Gpio } from '../../../src/emulator/peripherals/stm32f4/gpio';
import type { Usart } from '../../../src/emulator/peripherals/stm32f4/usart';
import { fixture } from '../../fixtures/firmware/fixtures';

const NUCLEO = fixture('rust/nucleo');
const CORE_HZ = 100_000_000;
const TIM2_PERIOD_CYCLES = CORE_HZ / 10; // 100 ms

interface Run {
  m: Machine;
  out: () => string;
  /** (cycle, level) of every PA5 change. */
  led: { cycle: number; level: boolean }[];
  uart: number[];
}

function boot(): Run {
  const chip = chipById(boardById(NUCLEO.board!).chip);
  const m = Machine.fromElf(chip, fs.readFileSync(NUCLEO.elfPath), NUCLEO.elfPath);
  let text = '';
  m.onSemihostingOutput((t) => { text += t; });
  const led: Run['led'] = [];
  m.onPinChange((port, pin, level) => {
    if (port === 'A' && pin === 5) led.push({ cycle: m.cpu.cycles, level });
  });
  const uart: number[] = [];
  m.onUartOutput((name, byte) => {
    if (name === 'USART2') uart.push(byte);
  });
  return { m, out: () => text, led, uart };
}

/** Runs until `done()` (checked between slices) or the firmware exits. */
function runUntil(r: Run, done: () => boolean, maxSlices = 10_000): void {
  for (let i = 0; i < maxSlices && !done(); i++) {
    const res = r.m.run({ maxInstructions: 2_000 });
    if (res.reason === 'exit') return;
    assert.ok(res.reason === 'limit', `unexpected stop ${res.reason}: ${res.message ?? ''}\n${r.out()}`);
  }
}

describe('rust/nucleo fixture on the simulator', function () {
  this.timeout(30_000);

  it('prints its declared transcript and exits 0 without input', () => {
    const r = boot();
    const res = r.m.run({ maxInstructions: 5_000_000 });
    assert.equal(res.reason, 'exit', r.out());
    assert.equal(res.exitCode, NUCLEO.exitCode);
    assert.equal(r.out(), NUCLEO.stdout);
  });

  it('runs the core at 100 MHz and sends its greeting on USART2', () => {
    const r = boot();
    runUntil(r, () => r.out().includes('tim2:'));
    assert.equal(r.m.coreClockHz, CORE_HZ);
    runUntil(r, () => r.uart.length >= 14);
    assert.equal(Buffer.from(r.uart).toString('latin1'), 'nucleo ready\r\n');
  });

  it('toggles LD2 (PA5) at the TIM2 period', () => {
    const r = boot();
    runUntil(r, () => r.led.length >= 6);
    assert.ok(r.led.length >= 6, r.out());
    assert.deepEqual(r.led.slice(0, 6).map((e) => e.level), [true, false, true, false, true, false]);
    for (let i = 1; i < 6; i++) {
      const period = r.led[i].cycle - r.led[i - 1].cycle;
      assert.ok(Math.abs(period - TIM2_PERIOD_CYCLES) <= TIM2_PERIOD_CYCLES / 1000, `toggle ${i}: ${period} cycles apart, expected ${TIM2_PERIOD_CYCLES}`);
    }
  });

  it('B1 (PC13 low) runs the EXTI15_10 handler, once per falling edge', () => {
    const r = boot();
    runUntil(r, () => r.out().includes('tick 1:'));
    const gpioc = r.m.peripheral('GPIOC') as Gpio;
    gpioc.setInputLevel(13, false);
    runUntil(r, () => r.out().includes('button pressed (1)'));
    assert.match(r.out(), /button pressed \(1\), PC13=0\n/);
    // Releasing (rising edge) does nothing; pressing again is press 2.
    gpioc.setInputLevel(13, true);
    runUntil(r, () => r.out().includes('tick 2:'));
    assert.doesNotMatch(r.out(), /button pressed \(2\)/);
    gpioc.setInputLevel(13, false);
    runUntil(r, () => r.out().includes('button pressed (2)'));
    gpioc.setInputLevel(13, true);
    runUntil(r, () => r.out().includes('done:'));
    assert.match(r.out(), /done: 20 toggles, 2 presses, 0 bytes echoed\n$/);
  });

  it('echoes bytes received on USART2 through its transmitter', () => {
    const r = boot();
    runUntil(r, () => r.uart.length >= 14); // the greeting
    const usart2 = r.m.peripheral('USART2') as Usart;
    usart2.send([...Buffer.from('hi!')]);
    runUntil(r, () => r.uart.length >= 17);
    assert.equal(Buffer.from(r.uart.slice(14)).toString('latin1'), 'hi!');
    assert.match(r.out(), /echo 0x68\necho 0x69\necho 0x21\n/);
    // A byte written straight into the receiver (receive()) is echoed too.
    assert.equal(usart2.receive(0x41), true);
    runUntil(r, () => r.uart.length >= 18);
    assert.equal(r.uart[17], 0x41);
    runUntil(r, () => r.out().includes('done:'));
    assert.match(r.out(), /done: 20 toggles, 0 presses, 4 bytes echoed\n$/);
  });
});
