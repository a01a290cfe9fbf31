// STM32F411 peripheral models on a real Machine: hand-encoded Thumb code in flash, interrupt
// handlers either stop on BKPT (to see that they ran) or count in RAM.

import assert from 'node:assert/strict';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips';
import { Gpio } from '../../../src/emulator/peripherals/stm32f4/gpio';
import { Usart } from '../../../src/emulator/peripherals/stm32f4/usart';
import { Rcc } from '../../../src/emulator/peripherals/stm32f4/rcc';
import { Exti } from '../../../src/emulator/peripherals/stm32f4/exti';
import { RegisterBlock } from '../../../src/emulator/peripherals/register-block';
import { halfwords, words } from './cpu-test-helpers';

const FLASH = 0x08000000;
const MAIN = FLASH + 0x400;
const HANDLER = FLASH + 0x500;
const COUNTER = 0x20000000;
const NVIC_ISER = 0xe000e100;

const GPIOA = 0x40020000, GPIOC = 0x40020800;
const RCC = 0x40023800, EXTI = 0x40013c00, SYSCFG = 0x40013800;
const USART2 = 0x40004400, TIM2 = 0x40000000, TIM10 = 0x40014400, IWDG = 0x40003000;

/** A machine running `b .` at MAIN; `handler` (halfwords) at HANDLER for the given IRQs. */
function machine(irqs: number[] = [], handler: Uint8Array = halfwords(0xbe01 /* bkpt #1 */)): Machine {
  const m = new Machine(chipById('stm32f411re'));
  const vectors = new Uint32Array(16 + 86);
  vectors[0] = 0x20020000;
  vectors[1] = MAIN | 1;
  for (let i = 2; i < vectors.length; i++) vectors[i] = (MAIN + 2) | 1; // unexpected: spin elsewhere
  for (const irq of irqs) vectors[16 + irq] = HANDLER | 1;
  m.loadBytes(FLASH, new Uint8Array(vectors.buffer));
  m.loadBytes(MAIN, halfwords(0xe7fe, 0xe7fe)); // b . ; b .
  m.loadBytes(HANDLER, handler);
  m.reset();
  for (const irq of irqs) m.poke(NVIC_ISER + 4 * (irq >> 5), 4, 1 << (irq & 31));
  return m;
}

/** Handler: write 0 to `sr` (clear flags), increment the word at COUNTER, return. */
function countingHandler(sr: number): Uint8Array {
  const code = halfwords(0x4803, 0x2100, 0x6001, 0x4803, 0x6801, 0x3101, 0x6001, 0x4770);
  const out = new Uint8Array(24);
  out.set(code, 0);
  out.set(words(sr, COUNTER), 16);
  return out;
}

function runUntilCycle(m: Machine, cycle: number): void {
  const r = m.run({ until: () => m.cpu.cycles >= cycle });
  assert.equal(r.reason, 'until', r.message);
}

describe('STM32F411 peripherals', () => {
  describe('GPIO', () => {
    it('BSRR sets and resets ODR atomically (set wins), reports pin changes, IDR follows outputs', () => {
      const m = machine();
      const changes: string[] = [];
      m.onPinChange((port, pin, level) => changes.push(`${port}${pin}=${level ? 1 : 0}`));
      m.poke(GPIOA + 0x00, 4, 0xa8000400); // PA5 output (keep the debug pins)
      m.poke(GPIOA + 0x18, 4, 1 << 5);
      assert.equal(m.peek(GPIOA + 0x14), 1 << 5);
      assert.equal(m.peek(GPIOA + 0x10)! & (1 << 5), 1 << 5);
      m.poke(GPIOA + 0x18, 4, (1 << (16 + 5)) | (1 << 5)); // both: set wins
      assert.equal(m.peek(GPIOA + 0x14), 1 << 5);
      m.poke(GPIOA + 0x1a, 2, 1 << 5); // halfword write to the reset half
      assert.equal(m.peek(GPIOA + 0x14), 0);
      assert.deepEqual(changes.filter((c) => c.startsWith('A5')), ['A5=1', 'A5=0']);
      assert.equal(m.peek(GPIOA + 0x18), 0, 'BSRR reads 0');
    });

    it('inputs read the driven level or their pull; analog pins read 0; open-drain releases', () => {
      const m = machine();
      const gpioc = m.peripheral('GPIOC') as Gpio;
      assert.equal(m.peek(GPIOC + 0x10)! & (1 << 13), 0, 'floating reads 0');
      m.poke(GPIOC + 0x0c, 4, 1 << 26); // PC13 pull-up
      assert.equal(m.peek(GPIOC + 0x10)! & (1 << 13), 1 << 13);
      gpioc.setInputLevel(13, false);
      assert.equal(m.peek(GPIOC + 0x10)! & (1 << 13), 0);
      gpioc.setInputLevel(13, null);
      assert.equal(m.peek(GPIOC + 0x10)! & (1 << 13), 1 << 13);
      m.poke(GPIOC + 0x00, 4, 3 << 26); // analog
      assert.equal(m.peek(GPIOC + 0x10)! & (1 << 13), 0);
      // PC0 open-drain output: 1 releases the line (pull-down → 0), 0 drives low.
      m.poke(GPIOC + 0x00, 4, 1);
      m.poke(GPIOC + 0x04, 4, 1);
      m.poke(GPIOC + 0x0c, 4, 2);
      m.poke(GPIOC + 0x14, 4, 1);
      assert.equal(gpioc.pinLevel(0), false);
      gpioc.setInputLevel(0, true);
      assert.equal(gpioc.pinLevel(0), true);
    });

    it('the LCKR sequence freezes the locked pins configuration until reset', () => {
      const m = machine();
      const a = GPIOA;
      m.poke(a + 0x00, 4, 0xa8000400);
      m.poke(a + 0x1c, 4, 0x10020);
      m.poke(a + 0x1c, 4, 0x00020);
      m.poke(a + 0x1c, 4, 0x10020);
      assert.equal(m.peek(a + 0x1c), 0x10020, 'LCKK reads 1');
      m.poke(a + 0x00, 4, 0xa8000000 | (1 << 12));
      assert.equal(m.peek(a + 0x00), (0xa8000400 | (1 << 12)) >>> 0, 'PA5 stays output, PA6 changes');
      m.poke(a + 0x1c, 4, 0);
      assert.equal(m.peek(a + 0x1c), 0x10020, 'LCKR frozen');
      const broken = machine();
      broken.poke(a + 0x1c, 4, 0x10020);
      broken.poke(a + 0x1c, 4, 0x00040); // different keys: no lock
      broken.poke(a + 0x1c, 4, 0x10040);
      assert.equal(broken.peek(a + 0x1c)! & 0x10000, 0);
    });
  });

  describe('EXTI and SYSCFG', () => {
    it('a falling edge on PC13 pends EXTI15_10 (IRQ 40) and its handler runs', () => {
      const m = machine([40]);
      const gpioc = m.peripheral('GPIOC') as Gpio;
      m.poke(GPIOC + 0x0c, 4, 1 << 26); // pull-up: button released reads 1
      m.poke(SYSCFG + 0x14, 4, 2 << 4); // EXTICR4.EXTI13 = PC
      m.poke(EXTI + 0x0c, 4, 1 << 13); // FTSR
      m.poke(EXTI + 0x00, 4, 1 << 13); // IMR
      assert.equal(m.run({ maxInstructions: 100 }).reason, 'limit');
      gpioc.setInputLevel(13, false);
      assert.equal(m.peek(EXTI + 0x14), 1 << 13, 'PR');
      const r = m.run({ maxInstructions: 100 });
      assert.equal(r.reason, 'breakpoint');
      assert.equal(m.getRegister('pc'), HANDLER);
      assert.equal(m.getRegister('xpsr') & 0x1ff, 16 + 40);
      m.poke(EXTI + 0x14, 4, 1 << 13); // write 1 to clear
      assert.equal(m.peek(EXTI + 0x14), 0);
    });

    it('a rising edge on another port is ignored; SWIER sets PR even when masked; IMR later raises', () => {
      const m = machine([6]);
      const exti = m.peripheral('EXTI') as Exti;
      m.poke(EXTI + 0x08, 4, 1); // RTSR line 0, EXTICR1 = PA
      (m.peripheral('GPIOB') as Gpio).setInputLevel(0, true);
      assert.equal(exti.pending, 0);
      (m.peripheral('GPIOA') as Gpio).setInputLevel(0, true);
      assert.equal(exti.pending, 1);
      m.poke(EXTI + 0x14, 4, 1);
      m.poke(EXTI + 0x10, 4, 1); // SWIER
      assert.equal(m.peek(EXTI + 0x14), 1);
      assert.equal(m.run({ maxInstructions: 50 }).reason, 'limit', 'masked: no interrupt');
      m.poke(EXTI + 0x00, 4, 1); // IMR
      assert.equal(m.run({ maxInstructions: 50 }).reason, 'breakpoint');
      m.poke(EXTI + 0x14, 4, 1);
      assert.equal(m.peek(EXTI + 0x10), 0, 'clearing PR clears SWIER');
    });
  });

  describe('USART', () => {
    it('transmits paced by BRR: TXE/TC, bytes reach onUartOutput one frame apart', () => {
      const m = machine();
      const out: [string, number, number][] = [];
      m.onUartOutput((name, byte) => out.push([name, byte, m.cpu.cycles]));
      m.poke(USART2 + 0x08, 4, 139); // 16 MHz / 115200
      m.poke(USART2 + 0x0c, 4, (1 << 13) | (1 << 3) | (1 << 2));
      const start = m.cpu.cycles;
      m.bus.write32(USART2 + 0x04, 0x48);
      assert.equal(m.peek(USART2)! & 0xc0, 0x80, 'TXE again (shift register took it), TC clear');
      m.bus.write32(USART2 + 0x04, 0x69);
      assert.equal(m.peek(USART2)! & 0xc0, 0, 'TDR full');
      runUntilCycle(m, start + 3000);
      assert.deepEqual(out.map(([n, b]) => [n, b]), [['USART2', 0x48], ['USART2', 0x69]]);
      const frame = 10 * 139;
      assert.ok(Math.abs(out[0][2] - (start + frame)) <= 4, `first byte at ${out[0][2] - start}`);
      assert.ok(Math.abs(out[1][2] - out[0][2] - frame) <= 4, `second byte ${out[1][2] - out[0][2]} later`);
      assert.equal(m.peek(USART2)! & 0xc0, 0xc0, 'TXE and TC');
    });

    it('receives with RXNE and an RX interrupt (IRQ 38); peek of DR keeps RXNE, a read clears it', () => {
      const m = machine([38]);
      const usart = m.peripheral('USART2') as Usart;
      assert.equal(usart.receive(0x41), false, 'receiver off');
      m.poke(USART2 + 0x0c, 4, (1 << 13) | (1 << 2) | (1 << 5));
      assert.equal(usart.receive(0x41), true);
      assert.equal(m.peek(USART2 + 0x04), 0x41);
      assert.equal(m.peek(USART2)! & 0x20, 0x20, 'peek left RXNE');
      assert.equal(m.run({ maxInstructions: 20 }).reason, 'breakpoint');
      assert.equal(m.getRegister('pc'), HANDLER);
      usart.receive(0x42); // overrun
      assert.equal(m.peek(USART2)! & 0x08, 0x08, 'ORE');
      assert.equal(m.bus.read32(USART2 + 0x04), 0x41);
      assert.equal(m.peek(USART2)! & 0x28, 0, 'read cleared RXNE and ORE');
    });

    it('send() delivers bytes one frame apart', () => {
      const m = machine();
      const usart = m.peripheral('USART2') as Usart;
      m.poke(USART2 + 0x08, 4, 100);
      m.poke(USART2 + 0x0c, 4, (1 << 13) | (1 << 2));
      const start = m.cpu.cycles;
      usart.send([1, 2]);
      runUntilCycle(m, start + 1005);
      assert.equal(m.bus.read32(USART2 + 0x04), 1);
      runUntilCycle(m, start + 2005);
      assert.equal(m.bus.read32(USART2 + 0x04), 2);
    });
  });

  describe('timers', () => {
    it('TIM2 update interrupt every (PSC+1)(ARR+1) cycles', () => {
      const m = machine([28], countingHandler(TIM2 + 0x10));
      m.poke(TIM2 + 0x28, 4, 15); // PSC (preloaded)
      m.poke(TIM2 + 0x2c, 4, 999); // ARR
      m.poke(TIM2 + 0x14, 4, 1); // UG: load PSC (sets UIF: URS = 0)
      assert.equal(m.peek(TIM2 + 0x10)! & 1, 1);
      m.poke(TIM2 + 0x10, 4, 0);
      m.poke(TIM2 + 0x0c, 4, 1); // UIE
      const start = m.cpu.cycles;
      m.poke(TIM2 + 0x00, 4, 1); // CEN
      runUntilCycle(m, start + 16000 * 10 + 100);
      assert.equal(m.peek(COUNTER), 10);
      const cnt = m.peek(TIM2 + 0x24)!;
      assert.ok(cnt >= 6 && cnt <= 8, `CNT ${cnt}`);
    });

    it('polled flags are computed lazily: UIF, CC1IF at CCR1, URS, one-pulse mode, 16-bit counter', () => {
      const m = machine();
      m.poke(TIM10 + 0x2c, 4, 0x1ffff); // 16-bit ARR keeps 0xffff
      assert.equal(m.peek(TIM10 + 0x2c), 0xffff);
      m.poke(TIM10 + 0x2c, 4, 99);
      m.poke(TIM10 + 0x34, 4, 40); // CCR1
      m.poke(TIM10 + 0x00, 4, 1 << 2); // URS
      m.poke(TIM10 + 0x14, 4, 1); // UG: no UIF with URS
      assert.equal(m.peek(TIM10 + 0x10), 0);
      const start = m.cpu.cycles;
      m.poke(TIM10 + 0x00, 4, (1 << 2) | 1);
      runUntilCycle(m, start + 30);
      assert.equal(m.peek(TIM10 + 0x10), 0);
      runUntilCycle(m, start + 45);
      assert.equal(m.peek(TIM10 + 0x10), 2, 'CC1IF');
      runUntilCycle(m, start + 105);
      assert.equal(m.peek(TIM10 + 0x10), 3, 'UIF');
      m.poke(TIM10 + 0x10, 4, ~1); // rc_w0: clear UIF only
      assert.equal(m.peek(TIM10 + 0x10), 2);
      // One-pulse mode: CEN clears at the update event.
      m.poke(TIM10 + 0x00, 4, (1 << 3) | 1);
      runUntilCycle(m, m.cpu.cycles + 250);
      assert.equal(m.peek(TIM10 + 0x00)! & 1, 0);
    });
  });

  describe('RCC, PWR, FLASH', () => {
    it('PLL from HSE to 100 MHz: ready bits, SWS, the core clock and APB dividers follow', () => {
      const m = machine();
      const rcc = m.peripheral('RCC') as Rcc;
      m.poke(RCC + 0x00, 4, 0x83 | (1 << 16));
      assert.equal(m.peek(RCC)! & (1 << 17), 1 << 17, 'HSERDY');
      m.poke(RCC + 0x04, 4, (1 << 22) | (1 << 16) | (400 << 6) | 8 | (4 << 24)); // HSE/8*400/4
      m.poke(RCC + 0x00, 4, 0x83 | (1 << 16) | (1 << 24));
      assert.equal(m.peek(RCC)! & (1 << 25), 1 << 25, 'PLLRDY');
      m.poke(0x40023c00, 4, 3); // FLASH latency 3
      m.poke(RCC + 0x08, 4, (4 << 10) | 2); // APB1 /2, SW = PLL
      assert.equal((m.peek(RCC + 0x08)! >> 2) & 3, 2, 'SWS = PLL');
      assert.equal(rcc.hclkHz, 100e6);
      assert.equal(m.coreClockHz, 100e6);
      assert.equal(rcc.apb1Divider, 2);
      assert.equal(rcc.timerCyclesPerTick('apb1'), 1);
      m.poke(RCC + 0x00, 4, 0x83);
      assert.equal(m.peek(RCC)! & (1 << 24), 1 << 24, 'PLLON cannot be cleared while it is SYSCLK');
      assert.equal(m.peek(0x40007004)! & (1 << 14), 1 << 14, 'PWR VOSRDY');
    });

    it('warns when the flash wait states are too few for the clock', () => {
      const m = machine();
      const warnings: string[] = [];
      m.onWarning((w) => warnings.push(w));
      m.poke(RCC + 0x04, 4, (1 << 16) | (400 << 6) | 8);
      m.poke(RCC + 0x00, 4, 0x83 | (1 << 24));
      m.poke(RCC + 0x08, 4, 2);
      assert.ok(warnings.some((w) => /FLASH: 0 wait state/.test(w)), warnings.join('\n'));
    });

    it('writing a reset bit resets the peripheral; the flash key sequence unlocks CR', () => {
      const m = machine();
      m.poke(TIM2 + 0x2c, 4, 1234);
      m.poke(RCC + 0x20, 4, 1);
      m.poke(RCC + 0x20, 4, 0);
      assert.equal(m.peek(TIM2 + 0x2c), 0);
      m.poke(0x40023c10, 4, 1);
      assert.equal(m.peek(0x40023c10), 0x80000000, 'locked');
      m.poke(0x40023c04, 4, 0x45670123);
      m.poke(0x40023c04, 4, 0xcdef89ab);
      assert.equal(m.peek(0x40023c10), 0);
    });
  });

  describe('IWDG', () => {
    it('resets the system when not refreshed, with RCC_CSR.IWDGRSTF; refreshing keeps it alive', () => {
      const m = machine();
      const resets: number[] = [];
      m.onReset(() => resets.push(m.cpu.cycles));
      m.poke(IWDG, 4, 0x5555);
      m.poke(IWDG + 0x04, 4, 0); // /4
      m.poke(IWDG + 0x08, 4, 99); // 100 × 4 LSI ticks = 12.5 ms = 200000 cycles at 16 MHz
      m.poke(IWDG, 4, 0xcccc);
      m.poke(IWDG, 4, 0xaaaa);
      const start = m.cpu.cycles;
      for (let i = 0; i < 5; i++) {
        runUntilCycle(m, m.cpu.cycles + 150000);
        m.poke(IWDG, 4, 0xaaaa);
      }
      assert.equal(resets.length, 0, 'refreshed in time');
      const refreshed = m.cpu.cycles;
      runUntilCycle(m, refreshed + 250000);
      assert.equal(resets.length, 1);
      assert.ok(Math.abs(resets[0] - (refreshed + 200000)) <= 8, `reset ${resets[0] - refreshed} cycles after the refresh`);
      assert.ok(start < refreshed);
      assert.equal(m.peek(RCC + 0x74)! & (1 << 29), 1 << 29, 'IWDGRSTF');
      assert.equal(m.getRegister('pc'), MAIN, 'restarted at the reset vector');
      runUntilCycle(m, m.cpu.cycles + 10_000_000);
      assert.equal(resets.length, 1, 'the watchdog is stopped after the reset');
    });
  });

  describe('register helper', () => {
    it('records who wrote a register: cycle, PC, before, after, written (bounded)', () => {
      const m = machine();
      const gpioa = m.peripheral('GPIOA') as RegisterBlock;
      for (let i = 0; i < 20; i++) m.poke(GPIOA + 0x14, 4, i);
      const history = gpioa.writeHistory(0x14);
      assert.equal(history.length, 16);
      assert.deepEqual(history[15], { cycle: m.cpu.cycles, pc: MAIN, before: 18, after: 19, written: 19 });
      assert.equal(history[0].written, 4);
      m.poke(GPIOA + 0x18, 4, 1 << 16);
      const bsrr = gpioa.writeHistory(0x18);
      assert.equal(bsrr[0].written, 1 << 16);
    });

    it('peeks have no side effects on any modelled register', () => {
      const m = machine();
      m.poke(USART2 + 0x0c, 4, (1 << 13) | (1 << 2));
      (m.peripheral('USART2') as Usart).receive(0x55);
      const snapshot = () => m.peripherals.filter((p) => p instanceof RegisterBlock).flatMap((p) =>
        (p as RegisterBlock).registers.map((r) => m.peek(p.description.base + r.offset)));
      const first = snapshot();
      assert.deepEqual(snapshot(), first);
      assert.equal(m.peek(USART2)! & 0x20, 0x20);
    });
  });
});
