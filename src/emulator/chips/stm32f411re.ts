// STM32F411RE (RM0383): Cortex-M4F, 512 KiB flash at 0x08000000 (aliased at 0 when booting from
// flash), 128 KiB SRAM at 0x20000000, 16 MHz HSI after reset, 86 interrupt lines, 4 priority bits.
// Peripheral block addresses are the reference manual's memory map (RM0383 table 1).

import type { ChipDescription, PeripheralBlockDescription } from './chip';

function blocks(list: [string, number, number?][]): PeripheralBlockDescription[] {
  return list.map(([name, base, size]) => ({ name, base, size: size ?? 0x400 }));
}

/** RCC: the "ready" flags follow their enable bits (the oscillators and PLLs start at once) and
 *  CFGR.SWS follows CFGR.SW, so firmware clock set-up loops complete. */
function rccReadFixup(offset: number, value: number): number {
  if (offset === 0x00) {
    // CR: HSION(0)→HSIRDY(1), HSEON(16)→HSERDY(17), PLLON(24)→PLLRDY(25), PLLI2SON(26)→PLLI2SRDY(27)
    value &= ~((1 << 1) | (1 << 17) | (1 << 25) | (1 << 27));
    value |= ((value & 1) << 1) | ((value & (1 << 16)) << 1) | ((value & (1 << 24)) << 1) | ((value & (1 << 26)) << 1);
  } else if (offset === 0x08) {
    value = (value & ~0xc) | ((value & 3) << 2); // CFGR.SWS = CFGR.SW
  } else if (offset === 0x70) {
    value = (value & ~2) | ((value & 1) << 1); // BDCR: LSERDY follows LSEON
  } else if (offset === 0x74) {
    value = (value & ~2) | ((value & 1) << 1); // CSR: LSIRDY follows LSION
  }
  return value >>> 0;
}

/** PWR_CSR.VOSRDY (bit 14) reads as ready: the regulator scale change is instantaneous here. */
function pwrReadFixup(offset: number, value: number): number {
  return offset === 0x04 ? (value | (1 << 14)) >>> 0 : value;
}

const peripherals: PeripheralBlockDescription[] = [
  // APB1
  ...blocks([
    ['TIM2', 0x40000000], ['TIM3', 0x40000400], ['TIM4', 0x40000800], ['TIM5', 0x40000c00],
    ['RTC', 0x40002800], ['WWDG', 0x40002c00], ['IWDG', 0x40003000], ['I2S2ext', 0x40003400],
    ['SPI2', 0x40003800], ['SPI3', 0x40003c00], ['I2S3ext', 0x40004000], ['USART2', 0x40004400],
    ['I2C1', 0x40005400], ['I2C2', 0x40005800], ['I2C3', 0x40005c00],
  ]),
  { name: 'PWR', base: 0x40007000, size: 0x400, readFixup: pwrReadFixup },
  // APB2
  ...blocks([
    ['TIM1', 0x40010000], ['USART1', 0x40011000], ['USART6', 0x40011400], ['ADC1', 0x40012000],
    ['SDIO', 0x40012c00], ['SPI1', 0x40013000], ['SPI4', 0x40013400], ['SYSCFG', 0x40013800],
    ['EXTI', 0x40013c00], ['TIM9', 0x40014000], ['TIM10', 0x40014400], ['TIM11', 0x40014800],
    ['SPI5', 0x40015000],
  ]),
  // AHB1 (GPIO reset values from RM0383 8.4: port A/B have debug pins configured)
  { name: 'GPIOA', base: 0x40020000, size: 0x400, resetValues: { 0x00: 0xa8000000, 0x08: 0x0c000000, 0x0c: 0x64000000 } },
  { name: 'GPIOB', base: 0x40020400, size: 0x400, resetValues: { 0x00: 0x00000280, 0x08: 0x000000c0, 0x0c: 0x00000100 } },
  ...blocks([
    ['GPIOC', 0x40020800], ['GPIOD', 0x40020c00], ['GPIOE', 0x40021000], ['GPIOH', 0x40021c00],
    ['CRC', 0x40023000],
  ]),
  {
    name: 'RCC', base: 0x40023800, size: 0x400, readFixup: rccReadFixup,
    resetValues: { 0x00: 0x00000083, 0x04: 0x24003010, 0x30: 0x00100000, 0x50: 0x00077cff, 0x74: 0x0e000000, 0x84: 0x24003000 },
  },
  { name: 'FLASH', base: 0x40023c00, size: 0x400, resetValues: { 0x10: 0x80000000 /* CR.LOCK */, 0x14: 0x0fffaaed } },
  ...blocks([['DMA1', 0x40026000], ['DMA2', 0x40026400]]),
  // AHB2
  { name: 'USB_OTG_FS', base: 0x50000000, size: 0x40000 },
  // Debug MCU (PPB): IDCODE = device 0x431, revision A.
  { name: 'DBGMCU', base: 0xe0042000, size: 0x400, resetValues: { 0x00: 0x10006431 } },
];

export const stm32f411re: ChipDescription = {
  id: 'stm32f411re',
  name: 'STM32F411RE',
  core: 'cortex-m4f',
  profile: 'v7em',
  clockHz: 16_000_000,
  flash: { base: 0x08000000, size: 512 * 1024, aliasedAtZero: true },
  sram: [{ name: 'SRAM', base: 0x20000000, size: 128 * 1024 }],
  priorityBits: 4,
  irqCount: 86,
  // SysTick's external clock is HCLK/8 on STM32F4 (RM0383 6.2).
  systickReferenceDivider: 8,
  bitBand: true,
  peripherals,
};
