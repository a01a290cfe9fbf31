// What a chip is, as data: its core, clock, memory map, interrupt controller size and the
// peripheral blocks on its buses. The Machine builds the bus and the system control space from this.

import type { Profile } from '../cpu/cpu';
import type { PeripheralFactory } from '../peripherals/peripheral';

export type CoreType = 'cortex-m0' | 'cortex-m0+' | 'cortex-m3' | 'cortex-m4' | 'cortex-m4f' | 'cortex-m7f';

export interface FlashDescription {
  base: number;
  size: number;
  /** Also visible at address 0 (the STM32 boot alias when booting from main flash). */
  aliasedAtZero: boolean;
}

export interface SramDescription {
  name: string;
  base: number;
  size: number;
}

/** A block of peripheral registers. Until a real model exists for it, it behaves as plain
 *  registers (reads return what was written, starting from the reset values). */
export interface PeripheralBlockDescription {
  name: string;
  base: number;
  size: number;
  /** Reset values by byte offset (word registers); everything else resets to 0. */
  resetValues?: Readonly<Record<number, number>>;
  /** Adjusts a register's value as read (e.g. "ready" flags that follow their "on" bits so that
   *  clock set-up loops finish). */
  readFixup?: (offset: number, value: number) => number;
  /** A behavioural model for the block; without one it behaves as plain registers. */
  model?: PeripheralFactory;
}

export interface ChipDescription {
  id: string;
  /** Human-readable name, e.g. "STM32F411RE". */
  name: string;
  core: CoreType;
  profile: Profile;
  /** Core clock after reset (Hz): SysTick, DWT.CYCCNT and semihosting SYS_CLOCK derive from it. */
  clockHz: number;
  flash: FlashDescription;
  sram: SramDescription[];
  /** Implemented priority bits (the top bits of each 8-bit priority field). */
  priorityBits: number;
  /** External interrupt lines (IRQ0..IRQn-1). */
  irqCount: number;
  /** SysTick external reference clock = core clock / this divider; absent = no reference clock
   *  (SYST_CSR.CLKSOURCE then reads as 1, CALIB.NOREF = 1). */
  systickReferenceDivider?: number;
  /** SRAM 0x20000000 and peripherals 0x40000000 have bit-band aliases (Cortex-M3/M4 option). */
  bitBand: boolean;
  /** Peripheral register blocks (address order is not required). */
  peripherals: PeripheralBlockDescription[];
  /** File name of the chip's CMSIS-SVD bundled in media/svd (the peripheral register panel's
   *  default when launch.json has no "svdFile"); absent when none is bundled. */
  svd?: string;
}

export interface BoardDescription {
  id: string;
  name: string;
  chip: string;
}

/** CPUID (ARMv7-M ARM B4.1.2; ARMv6-M ARM B4.1.3) per core. */
export function cpuidFor(core: CoreType): number {
  switch (core) {
    case 'cortex-m0': return 0x410cc200;
    case 'cortex-m0+': return 0x410cc601;
    case 'cortex-m3': return 0x412fc231;
    case 'cortex-m4': case 'cortex-m4f': return 0x410fc241;
    case 'cortex-m7f': return 0x411fc270;
  }
}

export function coreHasFpu(core: CoreType): boolean {
  return core === 'cortex-m4f' || core === 'cortex-m7f';
}
