// Generic Cortex-M chips: a core with flash at 0 and SRAM at 0x20000000 and no vendor peripherals.
// Their memory maps match the C fixtures' reference boards: a micro:bit-like M0 (256 KiB flash,
// 16 KiB RAM) and an LM3S6965-like M3 (256 KiB flash, 64 KiB RAM).

import type { ChipDescription } from './chip';

export const cortexM0: ChipDescription = {
  id: 'cortex-m0',
  name: 'Generic Cortex-M0',
  core: 'cortex-m0',
  profile: 'v6m',
  clockHz: 16_000_000,
  flash: { base: 0x00000000, size: 256 * 1024, aliasedAtZero: false },
  sram: [{ name: 'SRAM', base: 0x20000000, size: 16 * 1024 }],
  priorityBits: 2,
  irqCount: 32,
  bitBand: false,
  peripherals: [],
};

export const cortexM3: ChipDescription = {
  id: 'cortex-m3',
  name: 'Generic Cortex-M3',
  core: 'cortex-m3',
  profile: 'v7m',
  clockHz: 12_000_000,
  flash: { base: 0x00000000, size: 256 * 1024, aliasedAtZero: false },
  sram: [{ name: 'SRAM', base: 0x20000000, size: 64 * 1024 }],
  priorityBits: 3,
  irqCount: 64,
  bitBand: true,
  peripherals: [],
};

export const cortexM4: ChipDescription = {
  id: 'cortex-m4',
  name: 'Generic Cortex-M4F',
  core: 'cortex-m4f',
  profile: 'v7em',
  clockHz: 16_000_000,
  flash: { base: 0x00000000, size: 1024 * 1024, aliasedAtZero: false },
  sram: [{ name: 'SRAM', base: 0x20000000, size: 256 * 1024 }],
  priorityBits: 4,
  irqCount: 96,
  bitBand: true,
  peripherals: [],
};
