// STM32F411RE (RM0383): Cortex-M4F, 512 KiB flash at 0x08000000 (aliased at 0 when booting from
// flash), 128 KiB SRAM at 0x20000000, 16 MHz HSI after reset, 86 interrupt lines, 4 priority bits.
// Peripheral block addresses are the reference manual's memory map (RM0383 table 1).

import type { PeripheralFactory } from '../peripherals/peripheral';
import { createExti } from '../peripherals/stm32f4/exti';
import { createFlashInterface } from '../peripherals/stm32f4/flash-interface';
import { createGpio } from '../peripherals/stm32f4/gpio';
import { createIwdg } from '../peripherals/stm32f4/iwdg';
import { createPwr } from '../peripherals/stm32f4/pwr';
import { createRcc } from '../peripherals/stm32f4/rcc';
import { createSyscfg } from '../peripherals/stm32f4/syscfg';
import { createTimer } from '../peripherals/stm32f4/timer';
import { createUsart } from '../peripherals/stm32f4/usart';
import type { ChipDescription, PeripheralBlockDescription } from './chip';

function blocks(list: [string, number, number?][]): PeripheralBlockDescription[] {
  return list.map(([name, base, size]) => ({ name, base, size: size ?? 0x400 }));
}

function modelled(name: string, base: number, model: PeripheralFactory): PeripheralBlockDescription {
  return { name, base, size: 0x400, model };
}

// Behavioural models: RCC, PWR, FLASH, GPIO, SYSCFG, EXTI, USART1/2/6, TIM2-5, TIM9-11, IWDG
// (peripherals/stm32f4). IRQ numbers are RM0383 table 37. The other blocks are plain registers.
const peripherals: PeripheralBlockDescription[] = [
  // APB1
  modelled('TIM2', 0x40000000, createTimer({ kind: 'general32', irq: 28, bus: 'apb1', optionBits: 0x00000c00 })),
  modelled('TIM3', 0x40000400, createTimer({ kind: 'general16', irq: 29, bus: 'apb1' })),
  modelled('TIM4', 0x40000800, createTimer({ kind: 'general16', irq: 30, bus: 'apb1' })),
  modelled('TIM5', 0x40000c00, createTimer({ kind: 'general32', irq: 50, bus: 'apb1', optionBits: 0x000000c0 })),
  ...blocks([['RTC', 0x40002800], ['WWDG', 0x40002c00]]),
  modelled('IWDG', 0x40003000, createIwdg),
  ...blocks([['I2S2ext', 0x40003400], ['SPI2', 0x40003800], ['SPI3', 0x40003c00], ['I2S3ext', 0x40004000]]),
  modelled('USART2', 0x40004400, createUsart({ irq: 38, bus: 'apb1' })),
  ...blocks([['I2C1', 0x40005400], ['I2C2', 0x40005800], ['I2C3', 0x40005c00]]),
  modelled('PWR', 0x40007000, createPwr),
  // APB2
  ...blocks([['TIM1', 0x40010000]]),
  modelled('USART1', 0x40011000, createUsart({ irq: 37, bus: 'apb2' })),
  modelled('USART6', 0x40011400, createUsart({ irq: 71, bus: 'apb2' })),
  ...blocks([['ADC1', 0x40012000], ['SDIO', 0x40012c00], ['SPI1', 0x40013000], ['SPI4', 0x40013400]]),
  modelled('SYSCFG', 0x40013800, createSyscfg),
  modelled('EXTI', 0x40013c00, createExti),
  modelled('TIM9', 0x40014000, createTimer({ kind: 'tim9', irq: 24, bus: 'apb2' })),
  modelled('TIM10', 0x40014400, createTimer({ kind: 'tim10_11', irq: 25, bus: 'apb2' })),
  modelled('TIM11', 0x40014800, createTimer({ kind: 'tim10_11', irq: 26, bus: 'apb2', optionBits: 0x00000003 })),
  ...blocks([['SPI5', 0x40015000]]),
  // AHB1
  modelled('GPIOA', 0x40020000, createGpio),
  modelled('GPIOB', 0x40020400, createGpio),
  modelled('GPIOC', 0x40020800, createGpio),
  modelled('GPIOD', 0x40020c00, createGpio),
  modelled('GPIOE', 0x40021000, createGpio),
  modelled('GPIOH', 0x40021c00, createGpio),
  ...blocks([['CRC', 0x40023000]]),
  // HSE: the NUCLEO-F411RE feeds 8 MHz from its ST-LINK's MCO.
  modelled('RCC', 0x40023800, createRcc({ hseHz: 8_000_000 })),
  modelled('FLASH', 0x40023c00, createFlashInterface),
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
  svd: 'STM32F411.svd',
};
