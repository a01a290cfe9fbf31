// Interrupt lines as the NVIC sees them: peripheral outputs are levels (a handler that returns with
// its flag still set is entered again), and the exception model's entry/return observer, which the
// board's pin timeline turns into one channel per exception (also in the VCD export).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { Machine } from '../../../src/emulator/machine';
import { boardById, chipById } from '../../../src/emulator/chips/index';
import { bundledBoard } from '../../../src/emulator/boards/index';
import { BoardRuntime } from '../../../src/emulator/boards/board-runtime';
import type { Gpio } from '../../../src/emulator/peripherals/stm32f4/gpio';
import { fixture } from '../../fixtures/firmware/fixtures';
import { halfwords, words } from './cpu-test-helpers';

const FLASH = 0x08000000;
const MAIN = FLASH + 0x400;
const HANDLER = FLASH + 0x500;
const COUNTER = 0x20000000;
const NVIC_ISER = 0xe000e100, NVIC_ICPR = 0xe000e280, NVIC_ISPR = 0xe000e200;
const EXTI = 0x40013c00, EXTI_IMR = EXTI + 0x00, EXTI_SWIER = EXTI + 0x10, EXTI_PR = EXTI + 0x14;
const EXTI0_IRQ = 6;
const TIM2 = 0x40000000, TIM2_IRQ = 28;

/** Counts entries in the word at COUNTER and returns, leaving EXTI_PR alone. */
function handlerThatKeepsFlag(): Uint8Array {
  const out = new Uint8Array(16);
  // ldr r0,[pc,#8]; ldr r1,[r0]; adds r1,#1; str r1,[r0]; bx lr; nop; .word COUNTER
  out.set(halfwords(0x4802, 0x6801, 0x3101, 0x6001, 0x4770, 0xbf00), 0);
  out.set(words(COUNTER), 12);
  return out;
}

/** Counts entries, then clears EXTI_PR0 (write 1) and returns. */
function handlerThatClearsFlag(): Uint8Array {
  const out = new Uint8Array(28);
  // ldr r0,[pc,#16]; ldr r1,[r0]; adds r1,#1; str r1,[r0]; ldr r0,[pc,#12]; movs r1,#1; str r1,[r0]; bx lr; nop; nop
  out.set(halfwords(0x4804, 0x6801, 0x3101, 0x6001, 0x4803, 0x2101, 0x6001, 0x4770, 0xbf00, 0xbf00), 0);
  out.set(words(COUNTER, EXTI_PR), 20);
  return out;
}

/** `b .` in thread mode, `handler` on EXTI0 (IRQ6), which is enabled in the NVIC and EXTI. */
function extiMachine(handler: Uint8Array): Machine {
  const m = new Machine(chipById('stm32f411re'));
  const vectors = new Uint32Array(16 + 86);
  vectors[0] = 0x20020000;
  vectors[1] = MAIN | 1;
  for (let i = 2; i < vectors.length; i++) vectors[i] = (MAIN + 2) | 1;
  vectors[16 + EXTI0_IRQ] = HANDLER | 1;
  m.loadBytes(FLASH, new Uint8Array(vectors.buffer));
  m.loadBytes(MAIN, halfwords(0xe7fe, 0xe7fe));
  m.loadBytes(HANDLER, handler);
  m.reset();
  m.poke(NVIC_ISER, 4, 1 << EXTI0_IRQ);
  m.poke(EXTI_IMR, 4, 1);
  return m;
}

describe('interrupt lines are levels', function () {
  it('an EXTI handler that does not clear PR is entered again (the line is still high)', function () {
    const m = extiMachine(handlerThatKeepsFlag());
    m.poke(EXTI_SWIER, 4, 1);
    assert.equal(m.run({ maxInstructions: 600 }).reason, 'limit');
    const entries = m.peek(COUNTER, 4)!;
    assert.ok(entries >= 50, `re-entered ${entries} times in 600 instructions`);
    assert.equal(m.cpu.ipsr === 0 || m.cpu.ipsr === 16 + EXTI0_IRQ, true);
  });

  it('a handler that clears PR runs once per edge', function () {
    const m = extiMachine(handlerThatClearsFlag());
    m.poke(EXTI_SWIER, 4, 1);
    m.run({ maxInstructions: 600 });
    assert.equal(m.peek(COUNTER, 4), 1);
    assert.equal(m.exceptions.pending[16 + EXTI0_IRQ], 0);
    assert.equal(m.cpu.ipsr, 0, 'back in thread mode');
    // Another software trigger (SWIER was cleared with PR): one more entry.
    m.poke(EXTI_SWIER, 4, 1);
    m.run({ maxInstructions: 600 });
    assert.equal(m.peek(COUNTER, 4), 2);
  });

  it('clearing the NVIC pending bit while the line is high does not stick; masking the line lets it clear', function () {
    const m = extiMachine(handlerThatKeepsFlag());
    m.poke(NVIC_ISER + 0x80 /* ICER */, 4, 1 << EXTI0_IRQ); // disabled: stays pending, not taken
    m.poke(EXTI_SWIER, 4, 1);
    assert.equal((m.peek(NVIC_ISPR, 4)! >>> EXTI0_IRQ) & 1, 1);
    m.poke(NVIC_ICPR, 4, 1 << EXTI0_IRQ);
    assert.equal((m.peek(NVIC_ISPR, 4)! >>> EXTI0_IRQ) & 1, 1, 'sampled again: still pending');
    m.poke(EXTI_IMR, 4, 0); // the EXTI output falls
    m.poke(NVIC_ICPR, 4, 1 << EXTI0_IRQ);
    assert.equal((m.peek(NVIC_ISPR, 4)! >>> EXTI0_IRQ) & 1, 0);
  });

  it('a timer update handler that leaves UIF set is re-entered; one that clears it is not', function () {
    for (const clears of [false, true]) {
      const m = extiMachine(new Uint8Array(0));
      const handler = clears
        // ldr r0,[pc,#16]; ldr r1,[r0]; adds r1,#1; str r1,[r0]; ldr r0,[pc,#12]; movs r1,#0; str r1,[r0]; bx lr
        ? (() => { const o = new Uint8Array(28); o.set(halfwords(0x4804, 0x6801, 0x3101, 0x6001, 0x4803, 0x2100, 0x6001, 0x4770, 0xbf00, 0xbf00)); o.set(words(COUNTER, TIM2 + 0x10), 20); return o; })()
        : handlerThatKeepsFlag();
      m.loadBytes(HANDLER, handler);
      const vt = new Uint32Array(1);
      vt[0] = HANDLER | 1;
      m.loadBytes(FLASH + 4 * (16 + TIM2_IRQ), new Uint8Array(vt.buffer));
      m.poke(NVIC_ISER, 4, 1 << TIM2_IRQ);
      m.poke(TIM2 + 0x2c, 4, 999); // ARR
      m.poke(TIM2 + 0x0c, 4, 1); // DIER.UIE
      m.poke(TIM2, 4, 1); // CEN
      m.run({ maxInstructions: 3000 });
      const entries = m.peek(COUNTER, 4)!;
      const updates = Math.floor(m.cpu.cycles / 1000); // ARR+1 timer clocks per update (APB1 = core clock after reset)
      if (clears) assert.ok(entries >= updates - 1 && entries <= updates + 1, `one entry per update: ${entries} entries, ${updates} updates`);
      else assert.ok(entries >= 100, `re-entered while UIF stays set: ${entries}`);
    }
  });
});

describe('exception entry/return observer', function () {
  it('reports entries and returns (tail-chains as a return then an entry); none attached costs nothing', function () {
    const m = extiMachine(handlerThatClearsFlag());
    assert.equal(m.exceptions.observer, null);
    const seen: [number, boolean][] = [];
    const off = m.onException((n, entered) => seen.push([n, entered]));
    assert.notEqual(m.exceptions.observer, null);
    m.poke(EXTI_SWIER, 4, 1);
    m.run({ maxInstructions: 100 });
    assert.deepEqual(seen, [[22, true], [22, false]]);
    off();
    assert.equal(m.exceptions.observer, null);
  });
});

describe('interrupts in the board timeline', function () {
  this.timeout(30_000);

  it('the nucleo firmware: TIM2 and EXTI15_10 entries/returns are channels of the timeline and wires of the VCD', function () {
    const f = fixture('rust/nucleo');
    const m = Machine.fromElf(chipById(boardById(f.board!).chip), fs.readFileSync(f.elfPath), f.elfPath);
    const runtime = new BoardRuntime(m, bundledBoard('nucleo-f411re')!);
    let text = '';
    m.onSemihostingOutput((t) => { text += t; });
    const runUntil = (done: () => boolean) => {
      for (let i = 0; i < 10_000 && !done(); i++) assert.equal(m.run({ maxInstructions: 2000 }).reason, 'limit');
    };
    runUntil(() => text.includes('tick 3:'));
    (m.peripheral('GPIOC') as Gpio).setInputLevel(13, false);
    runUntil(() => text.includes('button pressed (1)'));

    const w = runtime.timeline.window();
    const tim2 = w.channels.find((c) => c.name === `IRQ${TIM2_IRQ}`);
    const exti = w.channels.find((c) => c.name === 'IRQ40');
    assert.ok(tim2 && exti, `channels: ${w.channels.map((c) => c.name).join(', ')}`);
    assert.equal(tim2.kind, 'irq');
    assert.equal(tim2.width, 1);
    const tim2Events = w.events.filter((e) => e.channel === tim2.index);
    assert.ok(tim2Events.length >= 6);
    tim2Events.forEach((e, i) => assert.equal(e.value, i % 2 === 0 ? 1 : 0, 'entry, return, entry, ...'));
    // Entries at the TIM2 period (100 ms at 100 MHz), returns shortly after their entries.
    const entries = tim2Events.filter((e) => e.value === 1).map((e) => e.cycle);
    for (let i = 2; i < entries.length; i++) {
      const period = entries[i] - entries[i - 1];
      assert.ok(Math.abs(period - 10_000_000) < 10_000, `TIM2 entries ${period} cycles apart`);
    }
    assert.ok(tim2Events[1].cycle - tim2Events[0].cycle < 100_000, 'the handler is short');
    assert.deepEqual(w.events.filter((e) => e.channel === exti.index).map((e) => e.value), [1, 0], 'one press, one handler run');

    const vcd = runtime.timeline.toVcd({ clockHz: m.coreClockHz });
    assert.match(vcd, new RegExp(`\\$var wire 1 \\S+ IRQ${TIM2_IRQ} \\$end`));
    assert.match(vcd, /\$var wire 1 \S+ IRQ40 \$end/);

    // After a reset the interrupt channels start inactive, not unknown.
    m.reset();
    const after = runtime.timeline.window();
    assert.equal(after.initial[tim2.index], 0);
    runtime.dispose();
    assert.equal(m.exceptions.observer, null);
  });
});
