// STM32F411 system configuration controller (RM0383 section 7): memory remap, the EXTI line →
// GPIO port multiplexers (EXTICR1..4, four bits per line: 0 = PA, 1 = PB, ... 7 = PH) and the
// compensation cell, whose READY flag follows its enable.

import type { PeripheralBlockDescription } from '../../chips/chip';
import type { PeripheralContext, PeripheralDevice } from '../peripheral';
import { RegisterBlock, type FieldSpec } from '../register-block';

const EXTICR1 = 0x08;

function exticrFields(first: number): FieldSpec[] {
  return [0, 1, 2, 3].map((i) => ({ name: `EXTI${first + i}`, lsb: 4 * i, width: 4 }));
}

export class Syscfg extends RegisterBlock {
  constructor(description: PeripheralBlockDescription, context: PeripheralContext) {
    super(description, context);
    this.define([
      // MEM_MODE resets to the boot pins' choice: main flash here.
      { name: 'MEMRMP', offset: 0x00, reset: 0, writable: 0x00000003, fields: [{ name: 'MEM_MODE', lsb: 0, width: 2 }] },
      { name: 'PMC', offset: 0x04, reset: 0, writable: 0x00010000, fields: [{ name: 'ADC1DC2', lsb: 16, width: 1 }] },
      { name: 'EXTICR1', offset: 0x08, reset: 0, writable: 0xffff, fields: exticrFields(0) },
      { name: 'EXTICR2', offset: 0x0c, reset: 0, writable: 0xffff, fields: exticrFields(4) },
      { name: 'EXTICR3', offset: 0x10, reset: 0, writable: 0xffff, fields: exticrFields(8) },
      { name: 'EXTICR4', offset: 0x14, reset: 0, writable: 0xffff, fields: exticrFields(12) },
      {
        name: 'CMPCR', offset: 0x20, reset: 0, writable: 0x00000001,
        read: (v) => (v & ~0x100) | ((v & 1) << 8),
        fields: [{ name: 'CMP_PD', lsb: 0, width: 1 }, { name: 'READY', lsb: 8, width: 1, access: 'r' }],
      },
    ]);
  }

  /** GPIO port index (0 = A ... 7 = H) selected for EXTI line 0..15. */
  portForLine(line: number): number {
    return (this.stored(EXTICR1 + 4 * (line >> 2)) >>> (4 * (line & 3))) & 0xf;
  }
}

export function createSyscfg(description: PeripheralBlockDescription, context: PeripheralContext): PeripheralDevice {
  return new Syscfg(description, context);
}
