// STM32F411 general-purpose I/O port (RM0383 section 8). A pin's level is computed from its mode:
// an output drives ODR (open-drain releases the line for a 1), an input reads what the outside
// drives (`setInputLevel`) or else its pull resistor; analog pins read 0 in IDR. Level changes are
// reported to the machine (board models: LEDs) and to EXTI (edge interrupts: the input buffer also
// sees outputs, as on silicon). BSRR sets/resets ODR bits atomically (set wins); the LCKR sequence
// freezes the configuration of the selected pins until reset.

import type { PeripheralBlockDescription } from '../../chips/chip';
import type { PeripheralContext, PeripheralDevice } from '../peripheral';
import { RegisterBlock, type FieldSpec, type RegisterSpec } from '../register-block';
import { Exti } from './exti';

const MODER = 0x00, OTYPER = 0x04, OSPEEDR = 0x08, PUPDR = 0x0c, IDR = 0x10, ODR = 0x14, BSRR = 0x18, LCKR = 0x1c, AFRL = 0x20, AFRH = 0x24;
const LCKK = 1 << 16;

/** Reset values that differ from 0: the debug port pins of ports A and B (RM0383 8.4). */
const RESET_VALUES: Record<string, { moder: number; ospeedr: number; pupdr: number }> = {
  A: { moder: 0xa8000000, ospeedr: 0x0c000000, pupdr: 0x64000000 },
  B: { moder: 0x00000280, ospeedr: 0x000000c0, pupdr: 0x00000100 },
};

/** Port letter → index used by SYSCFG_EXTICR (PH = 7). */
const PORT_INDEX: Record<string, number> = { A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7 };

function pinFields(prefix: string, width: number, count = 16, first = 0, access?: FieldSpec['access']): FieldSpec[] {
  const fields: FieldSpec[] = [];
  for (let i = 0; i < count; i++) fields.push({ name: `${prefix}${first + i}`, lsb: i * width, width, access });
  return fields;
}

/** Spread a 16-bit pin mask to 2 bits per pin. */
function spread2(mask: number): number {
  let out = 0;
  for (let pin = 0; pin < 16; pin++) if ((mask & (1 << pin)) !== 0) out |= 3 << (2 * pin);
  return out >>> 0;
}

/** Spread 8 pins of a mask (starting at `first`) to 4 bits per pin. */
function spread4(mask: number, first: number): number {
  let out = 0;
  for (let i = 0; i < 8; i++) if ((mask & (1 << (first + i))) !== 0) out |= 0xf << (4 * i);
  return out >>> 0;
}

export class Gpio extends RegisterBlock {
  /** Port letter ('A' for GPIOA). */
  readonly port: string;
  readonly portIndex: number;
  /** Pins driven from outside, and the levels they are driven to. */
  private driven = 0;
  private drivenLevels = 0;
  /** Current pin levels (bit per pin). */
  private levels = 0;
  private locked = 0;
  private lockActive = false;
  private lockStep = 0;
  private exti: Exti | undefined;

  constructor(description: PeripheralBlockDescription, context: PeripheralContext) {
    super(description, context);
    this.port = description.name.replace(/^GPIO/, '');
    this.portIndex = PORT_INDEX[this.port] ?? 0;
    const r = RESET_VALUES[this.port] ?? { moder: 0, ospeedr: 0, pupdr: 0 };
    const config = (name: string, offset: number, reset: number, writable: number, fields: FieldSpec[], spread: (m: number) => number): RegisterSpec => ({
      name, offset, reset, writable, fields,
      write: (_value, _lanes, old) => {
        // Locked pins keep their configuration (RM0383 8.4.8).
        if (this.lockActive) {
          const frozen = spread(this.locked);
          this.store(offset, (this.stored(offset) & ~frozen) | (old & frozen));
        }
        this.update();
      },
    });
    this.define([
      config('MODER', MODER, r.moder, 0xffffffff, pinFields('MODER', 2), spread2),
      config('OTYPER', OTYPER, 0, 0xffff, pinFields('OT', 1), (m) => m),
      config('OSPEEDR', OSPEEDR, r.ospeedr, 0xffffffff, pinFields('OSPEEDR', 2), spread2),
      config('PUPDR', PUPDR, r.pupdr, 0xffffffff, pinFields('PUPDR', 2), spread2),
      { name: 'IDR', offset: IDR, reset: 0, writable: 0, read: () => this.inputData(), fields: pinFields('IDR', 1, 16, 0, 'r') },
      { name: 'ODR', offset: ODR, reset: 0, writable: 0xffff, write: () => this.update(), fields: pinFields('ODR', 1) },
      {
        name: 'BSRR', offset: BSRR, reset: 0, writable: 0,
        write: (value) => {
          const set = value & 0xffff;
          const clear = value >>> 16;
          this.store(ODR, (this.stored(ODR) & ~clear) | set);
          this.update();
        },
        fields: [...pinFields('BS', 1, 16, 0, 'w'), ...pinFields('BR', 1, 16, 0, 'w').map((f) => ({ ...f, lsb: f.lsb + 16 }))],
      },
      {
        name: 'LCKR', offset: LCKR, reset: 0, writable: 0x1ffff,
        write: (value, lanes, old) => this.lockWrite(value, lanes, old),
        fields: [...pinFields('LCK', 1), { name: 'LCKK', lsb: 16, width: 1 }],
      },
      config('AFRL', AFRL, 0, 0xffffffff, pinFields('AFRL', 4, 8), (m) => spread4(m, 0)),
      config('AFRH', AFRH, 0, 0xffffffff, pinFields('AFRH', 4, 8, 8), (m) => spread4(m, 8)),
    ]);
    this.levels = this.computeLevels();
  }

  link(): void {
    const e = this.context.peripheral('EXTI');
    this.exti = e instanceof Exti ? e : undefined;
  }

  override reset(): void {
    super.reset();
    this.locked = 0;
    this.lockActive = false;
    this.lockStep = 0;
    this.update();
  }

  /** Drive an input pin from outside (a button): true/false, or null to release it (then its
   *  pull resistor decides). */
  setInputLevel(pin: number, level: boolean | null): void {
    const bit = 1 << pin;
    if (level === null) this.driven &= ~bit;
    else {
      this.driven |= bit;
      this.drivenLevels = level ? this.drivenLevels | bit : this.drivenLevels & ~bit;
    }
    this.update();
  }

  /** Current level of a pin. */
  pinLevel(pin: number): boolean {
    return (this.levels & (1 << pin)) !== 0;
  }

  /** Mode of a pin: 0 input, 1 output, 2 alternate function, 3 analog. */
  pinMode(pin: number): number {
    return (this.stored(MODER) >>> (2 * pin)) & 3;
  }

  private computeLevels(): number {
    const moder = this.stored(MODER);
    const otyper = this.stored(OTYPER);
    const odr = this.stored(ODR);
    const pupdr = this.stored(PUPDR);
    let levels = 0;
    for (let pin = 0; pin < 16; pin++) {
      const bit = 1 << pin;
      const mode = (moder >>> (2 * pin)) & 3;
      let level: number;
      if (mode === 1 && ((odr & bit) === 0 || (otyper & bit) === 0)) level = odr & bit;
      else if ((this.driven & bit) !== 0) level = this.drivenLevels & bit;
      else level = ((pupdr >>> (2 * pin)) & 3) === 1 ? bit : 0; // pull-up, else pull-down/floating reads 0
      levels |= level;
    }
    return levels;
  }

  private inputData(): number {
    // The input buffer is off in analog mode: IDR reads 0 (RM0383 8.3.12).
    const moder = this.stored(MODER);
    let analog = 0;
    for (let pin = 0; pin < 16; pin++) if (((moder >>> (2 * pin)) & 3) === 3) analog |= 1 << pin;
    return this.levels & ~analog & 0xffff;
  }

  private update(): void {
    const levels = this.computeLevels();
    let changed = levels ^ this.levels;
    if (changed === 0) return;
    this.levels = levels;
    for (let pin = 0; changed !== 0; pin++, changed >>>= 1) {
      if ((changed & 1) === 0) continue;
      const level = (levels & (1 << pin)) !== 0;
      this.context.emitPinChange(this.port, pin, level);
      this.exti?.pinChanged(this.portIndex, pin, level);
    }
  }

  private lockWrite(value: number, lanes: number, old: number): void {
    // Once locked, LCKR keeps its value until reset.
    if (this.lockActive) {
      this.store(LCKR, old);
      return;
    }
    if (lanes !== 0xffffffff) {
      // The sequence needs word writes (RM0383 8.4.8).
      this.lockStep = 0;
      return;
    }
    const keys = value & 0xffff;
    const k = (value & LCKK) !== 0;
    const sameKeys = keys === (old & 0xffff);
    // Write LCKK=1, write LCKK=0, write LCKK=1, each with the same LCK[15:0].
    if (this.lockStep === 0 && k) this.lockStep = 1;
    else if (this.lockStep === 1 && !k && sameKeys) this.lockStep = 2;
    else if (this.lockStep === 2 && k && sameKeys) {
      this.lockStep = 0;
      this.locked = keys;
      this.lockActive = true;
      return; // LCKK stays 1: the port is locked
    } else this.lockStep = k ? 1 : 0;
    // During the sequence LCKK reads 0 until the lock is active.
    this.store(LCKR, this.stored(LCKR) & ~LCKK);
  }

  /** Pins whose configuration is locked. */
  get lockedPins(): number {
    return this.locked;
  }
}

export function createGpio(description: PeripheralBlockDescription, context: PeripheralContext): PeripheralDevice {
  return new Gpio(description, context);
}
