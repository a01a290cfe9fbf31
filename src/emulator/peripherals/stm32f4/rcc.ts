// STM32F411 reset and clock control (RM0383 section 6). Oscillators and PLLs lock at once, so the
// "ready" flags follow their "on" bits and CFGR.SWS follows CFGR.SW as soon as the selected clock
// is ready: clock set-up loops finish. The clock tree (HSI 16 MHz / HSE / main PLL → SYSCLK →
// AHB prescaler → HCLK → APB1/APB2 prescalers) is computed from the registers; the core clock is
// reported to the machine, and the APB dividers to peripheral models that count in bus clocks
// (USART baud rates, timers). Writing 1 to a bit of a *RSTR register resets that peripheral.

import type { PeripheralBlockDescription } from '../../chips/chip';
import type { PeripheralContext, PeripheralDevice } from '../peripheral';
import { RegisterBlock, type RegisterSpec } from '../register-block';

export const HSI_HZ = 16_000_000;
export const LSI_HZ = 32_000;

const CR = 0x00, PLLCFGR = 0x04, CFGR = 0x08, CIR = 0x0c;
const AHB1RSTR = 0x10, AHB2RSTR = 0x14, APB1RSTR = 0x20, APB2RSTR = 0x24;
const AHB1ENR = 0x30, AHB2ENR = 0x34, APB1ENR = 0x40, APB2ENR = 0x44;
const AHB1LPENR = 0x50, AHB2LPENR = 0x54, APB1LPENR = 0x60, APB2LPENR = 0x64;
const BDCR = 0x70, CSR = 0x74, SSCGR = 0x80, PLLI2SCFGR = 0x84, DCKCFGR = 0x8c;

const CR_HSION = 1 << 0, CR_HSEON = 1 << 16, CR_PLLON = 1 << 24, CR_PLLI2SON = 1 << 26;
const PLLCFGR_PLLSRC = 1 << 22;

/** RCC_CSR reset flags (bits 25..31) and RMVF (24). */
export const CSR_RMVF = 1 << 24;
export const CSR_BORRSTF = 1 << 25;
export const CSR_PINRSTF = 1 << 26;
export const CSR_PORRSTF = 1 << 27;
export const CSR_SFTRSTF = 1 << 28;
export const CSR_IWDGRSTF = 1 << 29;
const CSR_FLAGS = 0xfe000000;
const CSR_POWER_ON = CSR_BORRSTF | CSR_PINRSTF | CSR_PORRSTF;

/** Peripherals by reset/enable bit, per bus (RM0383 6.3.5-6.3.12). */
const AHB1_BITS: Record<number, string> = { 0: 'GPIOA', 1: 'GPIOB', 2: 'GPIOC', 3: 'GPIOD', 4: 'GPIOE', 7: 'GPIOH', 12: 'CRC', 21: 'DMA1', 22: 'DMA2' };
const AHB2_BITS: Record<number, string> = { 7: 'USB_OTG_FS' };
const APB1_BITS: Record<number, string> = {
  0: 'TIM2', 1: 'TIM3', 2: 'TIM4', 3: 'TIM5', 11: 'WWDG', 14: 'SPI2', 15: 'SPI3', 17: 'USART2',
  21: 'I2C1', 22: 'I2C2', 23: 'I2C3', 28: 'PWR',
};
const APB2_BITS: Record<number, string> = {
  0: 'TIM1', 4: 'USART1', 5: 'USART6', 8: 'ADC1', 11: 'SDIO', 12: 'SPI1', 13: 'SPI4', 14: 'SYSCFG',
  16: 'TIM9', 17: 'TIM10', 18: 'TIM11', 20: 'SPI5',
};
const AHB1_MASK = 0x0060109f, AHB2_MASK = 0x00000080, APB1_MASK = 0x10e2c80f, APB2_MASK = 0x00177931;

/** HPRE encodings 8..15 → 2, 4, 8, 16, 64, 128, 256, 512 (RM0383 6.3.3). */
const AHB_DIVIDERS = [1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 8, 16, 64, 128, 256, 512];
/** PPRE encodings 4..7 → 2, 4, 8, 16. */
const APB_DIVIDERS = [1, 1, 1, 1, 2, 4, 8, 16];

export type Bus = 'apb1' | 'apb2';

export interface RccOptions {
  /** HSE crystal or bypass clock (the NUCLEO-F411RE feeds 8 MHz from its ST-LINK). */
  hseHz?: number;
}

export class Rcc extends RegisterBlock {
  readonly hseHz: number;
  sysclkHz = HSI_HZ;
  hclkHz = HSI_HZ;
  /** HCLK / PCLKx. */
  apb1Divider = 1;
  apb2Divider = 1;
  /** Reset causes noted since the last reset (IWDG timeout...), reported in CSR afterwards. */
  private pendingResetFlags = 0;
  private readonly clockListeners: (() => void)[] = [];

  constructor(description: PeripheralBlockDescription, context: PeripheralContext, options: RccOptions = {}) {
    super(description, context);
    this.hseHz = options.hseHz ?? 8_000_000;
    this.define([
      {
        name: 'CR', offset: CR, reset: 0x00000083, writable: 0x050d00f9,
        // Ready flags: HSIRDY(1), HSERDY(17), PLLRDY(25), PLLI2SRDY(27) follow their ON bits.
        read: (v) => (v & ~0x0a020002) | ((v & (CR_HSION | CR_HSEON | CR_PLLON | CR_PLLI2SON)) << 1),
        write: () => this.crWritten(),
        fields: [
          { name: 'HSION', lsb: 0, width: 1 }, { name: 'HSIRDY', lsb: 1, width: 1, access: 'r' },
          { name: 'HSITRIM', lsb: 3, width: 5 }, { name: 'HSICAL', lsb: 8, width: 8, access: 'r' },
          { name: 'HSEON', lsb: 16, width: 1 }, { name: 'HSERDY', lsb: 17, width: 1, access: 'r' },
          { name: 'HSEBYP', lsb: 18, width: 1 }, { name: 'CSSON', lsb: 19, width: 1 },
          { name: 'PLLON', lsb: 24, width: 1 }, { name: 'PLLRDY', lsb: 25, width: 1, access: 'r' },
          { name: 'PLLI2SON', lsb: 26, width: 1 }, { name: 'PLLI2SRDY', lsb: 27, width: 1, access: 'r' },
        ],
      },
      {
        name: 'PLLCFGR', offset: PLLCFGR, reset: 0x24003010, writable: 0x0f437fff,
        write: () => this.updateClocks(),
        fields: [
          { name: 'PLLM', lsb: 0, width: 6 }, { name: 'PLLN', lsb: 6, width: 9 }, { name: 'PLLP', lsb: 16, width: 2 },
          { name: 'PLLSRC', lsb: 22, width: 1 }, { name: 'PLLQ', lsb: 24, width: 4 },
        ],
      },
      {
        name: 'CFGR', offset: CFGR, reset: 0, writable: 0xfffffcf3,
        write: () => this.cfgrWritten(),
        fields: [
          { name: 'SW', lsb: 0, width: 2 }, { name: 'SWS', lsb: 2, width: 2, access: 'r' }, { name: 'HPRE', lsb: 4, width: 4 },
          { name: 'PPRE1', lsb: 10, width: 3 }, { name: 'PPRE2', lsb: 13, width: 3 }, { name: 'RTCPRE', lsb: 16, width: 5 },
          { name: 'MCO1', lsb: 21, width: 2 }, { name: 'I2SSRC', lsb: 23, width: 1 }, { name: 'MCO1PRE', lsb: 24, width: 3 },
          { name: 'MCO2PRE', lsb: 27, width: 3 }, { name: 'MCO2', lsb: 30, width: 2 },
        ],
      },
      // Ready interrupts never fire (the oscillators are ready at once); the enables are stored.
      { name: 'CIR', offset: CIR, reset: 0, writable: 0x00003f00 },
      this.resetRegister('AHB1RSTR', AHB1RSTR, AHB1_MASK, AHB1_BITS),
      this.resetRegister('AHB2RSTR', AHB2RSTR, AHB2_MASK, AHB2_BITS),
      this.resetRegister('APB1RSTR', APB1RSTR, APB1_MASK, APB1_BITS),
      this.resetRegister('APB2RSTR', APB2RSTR, APB2_MASK, APB2_BITS),
      { name: 'AHB1ENR', offset: AHB1ENR, reset: 0x00100000, writable: AHB1_MASK },
      { name: 'AHB2ENR', offset: AHB2ENR, reset: 0, writable: AHB2_MASK },
      { name: 'APB1ENR', offset: APB1ENR, reset: 0, writable: APB1_MASK },
      { name: 'APB2ENR', offset: APB2ENR, reset: 0, writable: APB2_MASK },
      { name: 'AHB1LPENR', offset: AHB1LPENR, reset: 0x0061900f, writable: 0x0061909f },
      { name: 'AHB2LPENR', offset: AHB2LPENR, reset: 0x00000080, writable: AHB2_MASK },
      { name: 'APB1LPENR', offset: APB1LPENR, reset: 0x10e2c80f, writable: APB1_MASK },
      { name: 'APB2LPENR', offset: APB2LPENR, reset: 0x00077930, writable: APB2_MASK },
      {
        name: 'BDCR', offset: BDCR, reset: 0, writable: 0x00018305,
        read: (v) => (v & ~2) | ((v & 1) << 1), // LSERDY follows LSEON
      },
      {
        name: 'CSR', offset: CSR, reset: CSR_POWER_ON, writable: 0x00000001,
        read: (v) => (v & ~2) | ((v & 1) << 1), // LSIRDY follows LSION
        write: (value) => {
          if ((value & CSR_RMVF) !== 0) this.store(CSR, this.stored(CSR) & ~CSR_FLAGS);
        },
      },
      { name: 'SSCGR', offset: SSCGR, reset: 0, writable: 0xcfffffff },
      { name: 'PLLI2SCFGR', offset: PLLI2SCFGR, reset: 0x20003010, writable: 0x70007fff },
      { name: 'DCKCFGR', offset: DCKCFGR, reset: 0, writable: 0x01000000 },
    ]);
  }

  private resetRegister(name: string, offset: number, mask: number, bits: Record<number, string>): RegisterSpec {
    return {
      name, offset, reset: 0, writable: mask,
      write: (value, _lanes, old) => {
        // A peripheral is held in reset while its bit is 1; it comes out at its reset state.
        const rising = value & mask & ~old;
        for (const bit in bits) {
          if ((rising & (1 << Number(bit))) !== 0) this.context.peripheral(bits[bit])?.reset();
        }
      },
    };
  }

  override reset(): void {
    const flags = this.pendingResetFlags;
    const previous = this.stored(CSR) & CSR_FLAGS;
    super.reset();
    // A system reset keeps the reset flags and adds the new cause; a power-on reset sets POR/PDR,
    // BOR and PIN (RM0383 6.3.21).
    if (flags !== 0) this.store(CSR, previous | flags | CSR_PINRSTF);
    this.pendingResetFlags = 0;
    this.updateClocks();
  }

  /** A peripheral is about to reset the system for this reason (a CSR flag). */
  noteResetCause(flag: number): void {
    this.pendingResetFlags |= flag;
  }

  /** Force LSI on (the IWDG does when started, RM0383 15.3.2). */
  forceLsiOn(): void {
    this.store(CSR, this.stored(CSR) | 1);
  }

  /** Called after the clock tree changed. */
  onClockChange(listener: () => void): void {
    this.clockListeners.push(listener);
  }

  isEnabled(bus: 'ahb1' | 'ahb2' | 'apb1' | 'apb2', bit: number): boolean {
    const offset = bus === 'ahb1' ? AHB1ENR : bus === 'ahb2' ? AHB2ENR : bus === 'apb1' ? APB1ENR : APB2ENR;
    return (this.stored(offset) & (1 << bit)) !== 0;
  }

  /** Core cycles per tick of a bus's timer clock: TIMxCLK = PCLKx when the APB divider is 1,
   *  else 2 × PCLKx (RM0383 6.2, figure 13; DCKCFGR.TIMPRE not modelled). */
  timerCyclesPerTick(bus: Bus): number {
    const d = bus === 'apb1' ? this.apb1Divider : this.apb2Divider;
    return d === 1 ? 1 : d / 2;
  }

  busDivider(bus: Bus): number {
    return bus === 'apb1' ? this.apb1Divider : this.apb2Divider;
  }

  private crWritten(): void {
    // The oscillator driving SYSCLK (and the PLL's source while the PLL does) cannot be stopped
    // (RM0383 6.3.1: HSION "cannot be cleared if the HSI is used directly or indirectly").
    let cr = this.stored(CR);
    const sws = (this.stored(CFGR) >> 2) & 3;
    if (sws === 0) cr |= CR_HSION;
    else if (sws === 1) cr |= CR_HSEON;
    else if (sws === 2) {
      cr |= CR_PLLON;
      cr |= (this.stored(PLLCFGR) & PLLCFGR_PLLSRC) !== 0 ? CR_HSEON : CR_HSION;
    }
    this.store(CR, cr);
    this.cfgrWritten();
  }

  private cfgrWritten(): void {
    // SWS follows SW once the selected source is ready.
    const cfgr = this.stored(CFGR);
    const sw = cfgr & 3;
    const cr = this.stored(CR);
    const ready = sw === 0 ? (cr & CR_HSION) !== 0 : sw === 1 ? (cr & CR_HSEON) !== 0 : sw === 2 ? (cr & CR_PLLON) !== 0 : false;
    if (ready) this.store(CFGR, (cfgr & ~0xc) | (sw << 2));
    this.updateClocks();
  }

  /** Main PLL output (P), from PLLCFGR (RM0383 6.3.2). */
  pllOutputHz(): number {
    const cfg = this.stored(PLLCFGR);
    const input = (cfg & PLLCFGR_PLLSRC) !== 0 ? this.hseHz : HSI_HZ;
    const m = cfg & 0x3f;
    const n = (cfg >> 6) & 0x1ff;
    const p = 2 * (((cfg >> 16) & 3) + 1);
    if (m < 2 || n < 2) return 0; // invalid configurations: no clock
    return (input / m) * n / p;
  }

  private updateClocks(): void {
    const cfgr = this.stored(CFGR);
    const sws = (cfgr >> 2) & 3;
    const sysclk = sws === 1 ? this.hseHz : sws === 2 ? this.pllOutputHz() : HSI_HZ;
    const hclk = sysclk / AHB_DIVIDERS[(cfgr >> 4) & 0xf];
    const apb1 = APB_DIVIDERS[(cfgr >> 10) & 7];
    const apb2 = APB_DIVIDERS[(cfgr >> 13) & 7];
    if (sysclk === this.sysclkHz && hclk === this.hclkHz && apb1 === this.apb1Divider && apb2 === this.apb2Divider) return;
    this.sysclkHz = sysclk;
    this.hclkHz = hclk;
    this.apb1Divider = apb1;
    this.apb2Divider = apb2;
    if (hclk > 0) this.context.setCoreClockHz(hclk);
    for (const l of this.clockListeners) l();
  }
}

export function createRcc(options: RccOptions = {}) {
  return (description: PeripheralBlockDescription, context: PeripheralContext): PeripheralDevice => new Rcc(description, context, options);
}

/** The chip's RCC model, if it has one (models work alone in tests with the reset clocks). */
export function findRcc(context: PeripheralContext): Rcc | undefined {
  const rcc = context.peripheral('RCC');
  return rcc instanceof Rcc ? rcc : undefined;
}
