// Debugger peeks (what the peripheral register panel shows) are up to date with simulated time and
// change nothing: counters computed from cycles (TIM CNT, SysTick CVR), USART SR after a frame's
// end even before the run loop advanced the model.

import { strict as assert } from 'node:assert';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';
import type { Usart } from '../../../src/emulator/peripherals/stm32f4/usart';

const TIM2 = 0x40000000, USART2 = 0x40004400, SYST = 0xe000e010;
const SR_TXE = 1 << 7, SR_TC = 1 << 6, SR_RXNE = 1 << 5;

function spinningMachine(): Machine {
  const m = new Machine(chipById('stm32f411re'));
  const vectors = new Uint32Array(16);
  vectors[0] = 0x20020000;
  vectors[1] = 0x08000401;
  m.loadBytes(0x08000000, new Uint8Array(vectors.buffer));
  m.loadBytes(0x08000400, Uint8Array.of(0xfe, 0xe7)); // b .
  m.reset();
  return m;
}

describe('peripheral peeks are current and side-effect free', function () {
  it('TIM2.CNT: a peek while running equals the counter computed from cycles, and matches a CPU read', function () {
    const m = spinningMachine();
    m.poke(TIM2 + 0x28, 4, 15); // PSC: one count per 16 cycles
    m.poke(TIM2 + 0x2c, 4, 0xffffffff); // ARR
    m.poke(TIM2 + 0x14, 4, 1); // EGR.UG: load PSC
    m.poke(TIM2, 4, 1); // CEN
    const start = m.cpu.cycles;
    m.run({ maxInstructions: 10_000 });
    const expected = Math.floor((m.cpu.cycles - start) / 16);
    assert.ok(expected > 1000);
    assert.equal(m.peek(TIM2 + 0x24, 4), expected);
    // Time passes without the run loop (as between panel refreshes in a paused slice): still current.
    m.cpu.cycles += 1600;
    assert.equal(m.peek(TIM2 + 0x24, 4), expected + 100);
    assert.equal(m.peek(TIM2 + 0x24, 2), (expected + 100) & 0xffff);
    assert.equal(m.bus.read32(TIM2 + 0x24), expected + 100);
  });

  it('SysTick CVR: a peek counts down with cycles', function () {
    const m = spinningMachine();
    m.poke(SYST + 4, 4, 99_999);
    m.poke(SYST + 8, 4, 0);
    m.poke(SYST, 4, 5); // enable, core clock, no interrupt
    assert.equal(m.peek(SYST + 8, 4), 0, 'CVR 0 until the first clock reloads it');
    m.cpu.cycles += 10;
    const v0 = m.peek(SYST + 8, 4)!;
    assert.equal(v0, 100_000 - 10);
    m.cpu.cycles += 1234;
    assert.equal(v0 - m.peek(SYST + 8, 4)!, 1234);
  });

  it('USART2.SR: TXE/TC are set in a peek once the frame ended, before the model was advanced; the peek emits nothing', function () {
    const m = spinningMachine();
    const out: number[] = [];
    m.onUartOutput((_name, byte) => out.push(byte));
    m.poke(USART2 + 0x08, 4, 139); // BRR: 115200 baud at 16 MHz
    m.poke(USART2 + 0x0c, 4, (1 << 13) | (1 << 3) | (1 << 2)); // UE, TE, RE
    const usart = m.peripheral('USART2') as Usart;
    const frame = usart.frameCycles();
    m.poke(USART2 + 0x04, 4, 0x41); // DR: 'A' moves to the shift register at once
    m.poke(USART2 + 0x04, 4, 0x42); // 'B' waits in TDR
    assert.equal(m.peek(USART2, 4)! & (SR_TXE | SR_TC), 0);
    m.cpu.cycles += frame; // 'A' left the line, 'B' started
    assert.equal(m.peek(USART2, 4)! & (SR_TXE | SR_TC), SR_TXE);
    m.cpu.cycles += frame; // 'B' left too
    assert.equal(m.peek(USART2, 4)! & (SR_TXE | SR_TC), SR_TXE | SR_TC);
    assert.deepEqual(out, [], 'a peek does not advance the model');
    // A byte arriving is visible as RXNE in a peek.
    usart.send([0x7a]);
    m.cpu.cycles += frame;
    assert.equal(m.peek(USART2, 4)! & SR_RXNE, SR_RXNE);
    assert.deepEqual(out, []);
    // A CPU read catches the model up: the bytes go out, the flags are stored.
    assert.equal(m.bus.read32(USART2) & (SR_TXE | SR_TC | SR_RXNE), SR_TXE | SR_TC | SR_RXNE);
    assert.deepEqual(out, [0x41, 0x42]);
    assert.equal(m.peek(USART2 + 0x04, 4), 0x7a);
  });
});
