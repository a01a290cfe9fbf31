// STM32F411 external interrupt/event controller (RM0383 section 10.2). Lines 0..15 come from the
// GPIO pins chosen by SYSCFG_EXTICRx; lines 16..22 are internal (PVD, RTC, USB wake-up) and only
// reachable through the software interrupt register here. A selected edge (RTSR/FTSR) or a
// SWIER 0→1 write sets the line's PR bit whatever IMR says; PR & IMR drives the NVIC.
//
// The EXTI output to the NVIC is a level per NVIC line: the OR of PR & IMR over the EXTI lines that
// share it. A handler that returns without clearing PR is entered again, as on silicon.

import type { PeripheralBlockDescription } from '../../chips/chip';
import type { PeripheralContext, PeripheralDevice } from '../peripheral';
import { RegisterBlock, type FieldSpec } from '../register-block';
import { Syscfg } from './syscfg';

const IMR = 0x00, EMR = 0x04, RTSR = 0x08, FTSR = 0x0c, SWIER = 0x10, PR = 0x14;
export const EXTI_LINES = 23;
const LINE_MASK = (1 << EXTI_LINES) - 1;

/** NVIC IRQ per EXTI line (RM0383 table 37). */
export const EXTI_IRQ: readonly number[] = [
  6, 7, 8, 9, 10, // EXTI0..4
  23, 23, 23, 23, 23, // EXTI9_5
  40, 40, 40, 40, 40, 40, // EXTI15_10
  1, // 16: PVD
  41, // 17: RTC alarm
  42, // 18: USB OTG FS wake-up
  -1, -1, // 19, 20: reserved on this part
  2, // 21: RTC tamper / time stamp
  3, // 22: RTC wake-up
];

/** The NVIC lines EXTI drives, each with the mask of the EXTI lines that share it. */
const IRQ_LINE_MASKS: readonly (readonly [irq: number, lines: number])[] = (() => {
  const masks = new Map<number, number>();
  EXTI_IRQ.forEach((irq, line) => { if (irq >= 0) masks.set(irq, (masks.get(irq) ?? 0) | (1 << line)); });
  return [...masks];
})();

function lineFields(prefix: string, access?: FieldSpec['access']): FieldSpec[] {
  const fields: FieldSpec[] = [];
  for (let i = 0; i < EXTI_LINES; i++) fields.push({ name: `${prefix}${i}`, lsb: i, width: 1, access });
  return fields;
}

export class Exti extends RegisterBlock {
  private syscfg: Syscfg | undefined;

  constructor(description: PeripheralBlockDescription, context: PeripheralContext) {
    super(description, context);
    this.define([
      { name: 'IMR', offset: IMR, reset: 0, writable: LINE_MASK, write: () => this.updateIrqLevels(), fields: lineFields('MR') },
      { name: 'EMR', offset: EMR, reset: 0, writable: LINE_MASK, fields: lineFields('MR') },
      { name: 'RTSR', offset: RTSR, reset: 0, writable: LINE_MASK, fields: lineFields('TR') },
      { name: 'FTSR', offset: FTSR, reset: 0, writable: LINE_MASK, fields: lineFields('TR') },
      {
        name: 'SWIER', offset: SWIER, reset: 0, writable: LINE_MASK,
        write: (value, _lanes, old) => this.setPending(value & ~old & LINE_MASK),
        fields: lineFields('SWIER'),
      },
      {
        name: 'PR', offset: PR, reset: 0, writable: 0, clearOnWrite1: LINE_MASK,
        // Clearing a PR bit also clears its SWIER bit (RM0383 10.3.5).
        write: () => {
          this.store(SWIER, this.stored(SWIER) & this.stored(PR));
          this.updateIrqLevels();
        },
        fields: lineFields('PR', 'rc_w1'),
      },
    ]);
  }

  link(): void {
    const s = this.context.peripheral('SYSCFG');
    this.syscfg = s instanceof Syscfg ? s : undefined;
  }

  /** Lines pending (PR). */
  get pending(): number {
    return this.stored(PR);
  }

  /** A GPIO pin changed level (port 0 = A ... 7 = H). */
  pinChanged(port: number, pin: number, level: boolean): void {
    const selected = this.syscfg === undefined ? 0 : this.syscfg.portForLine(pin);
    if (selected !== port) return;
    const bit = 1 << pin;
    const trigger = level ? this.stored(RTSR) : this.stored(FTSR);
    if ((trigger & bit) !== 0) this.setPending(bit);
  }

  /** Set PR bits (an edge or a software trigger) and drive the NVIC lines. */
  setPending(lines: number): void {
    if (lines === 0) return;
    this.store(PR, this.stored(PR) | lines);
    this.updateIrqLevels();
  }

  /** Each NVIC line is asserted while any of its EXTI lines is pending and unmasked. */
  private updateIrqLevels(): void {
    const requested = this.stored(PR) & this.stored(IMR);
    for (const [irq, lines] of IRQ_LINE_MASKS) this.context.setIrqLevel(irq, (requested & lines) !== 0);
  }
}

export function createExti(description: PeripheralBlockDescription, context: PeripheralContext): PeripheralDevice {
  return new Exti(description, context);
}
