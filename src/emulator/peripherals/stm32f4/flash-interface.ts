// STM32F411 flash interface registers (RM0383 section 3.8): ACR (wait states, caches), the
// KEYR/OPTKEYR unlock sequences for CR/OPTCR, SR error flags (write 1 to clear). Programming and
// erasing the flash array are not modelled (a warning says so); the wait states only matter as
// a check: too few for the core clock is reported once, since real silicon would misread flash.

import type { PeripheralBlockDescription } from '../../chips/chip';
import type { PeripheralContext, PeripheralDevice } from '../peripheral';
import { RegisterBlock } from '../register-block';
import { findRcc } from './rcc';

const ACR = 0x00, KEYR = 0x04, OPTKEYR = 0x08, SR = 0x0c, CR = 0x10, OPTCR = 0x14;
export const FLASH_KEY1 = 0x45670123, FLASH_KEY2 = 0xcdef89ab;
export const FLASH_OPTKEY1 = 0x08192a3b, FLASH_OPTKEY2 = 0x4c5d6e7f;
const CR_LOCK = 1 << 31, CR_STRT = 1 << 16, OPTCR_OPTLOCK = 1;

/** Highest HCLK for 0..3 wait states at 2.7-3.6 V (RM0383 table 5). */
const MAX_HZ_FOR_WAIT_STATES = [30e6, 64e6, 90e6, 100e6];

export class FlashInterface extends RegisterBlock {
  private keyStep = 0;
  private optKeyStep = 0;
  private warnedLatency = false;
  private warnedProgramming = false;

  constructor(description: PeripheralBlockDescription, context: PeripheralContext) {
    super(description, context);
    this.define([
      {
        name: 'ACR', offset: ACR, reset: 0, writable: 0x00001f0f,
        // ICRST/DCRST reset the caches and read back as written; nothing to do.
        write: () => this.checkLatency(),
        fields: [
          { name: 'LATENCY', lsb: 0, width: 4 }, { name: 'PRFTEN', lsb: 8, width: 1 }, { name: 'ICEN', lsb: 9, width: 1 },
          { name: 'DCEN', lsb: 10, width: 1 }, { name: 'ICRST', lsb: 11, width: 1 }, { name: 'DCRST', lsb: 12, width: 1 },
        ],
      },
      {
        name: 'KEYR', offset: KEYR, reset: 0, writable: 0,
        write: (value) => {
          // KEY1 then KEY2 clears CR.LOCK; a wrong key keeps it locked (RM0383 3.5.1).
          if (this.keyStep === 0 && value === FLASH_KEY1) this.keyStep = 1;
          else if (this.keyStep === 1 && value === FLASH_KEY2) {
            this.keyStep = 0;
            this.store(CR, this.stored(CR) & ~CR_LOCK);
          } else this.keyStep = 0;
        },
      },
      {
        name: 'OPTKEYR', offset: OPTKEYR, reset: 0, writable: 0,
        write: (value) => {
          if (this.optKeyStep === 0 && value === FLASH_OPTKEY1) this.optKeyStep = 1;
          else if (this.optKeyStep === 1 && value === FLASH_OPTKEY2) {
            this.optKeyStep = 0;
            this.store(OPTCR, this.stored(OPTCR) & ~OPTCR_OPTLOCK);
          } else this.optKeyStep = 0;
        },
      },
      {
        name: 'SR', offset: SR, reset: 0, writable: 0, clearOnWrite1: 0x000001f3,
        fields: [
          { name: 'EOP', lsb: 0, width: 1, access: 'rc_w1' }, { name: 'OPERR', lsb: 1, width: 1, access: 'rc_w1' },
          { name: 'WRPERR', lsb: 4, width: 1, access: 'rc_w1' }, { name: 'PGAERR', lsb: 5, width: 1, access: 'rc_w1' },
          { name: 'PGPERR', lsb: 6, width: 1, access: 'rc_w1' }, { name: 'PGSERR', lsb: 7, width: 1, access: 'rc_w1' },
          { name: 'RDERR', lsb: 8, width: 1, access: 'rc_w1' }, { name: 'BSY', lsb: 16, width: 1, access: 'r' },
        ],
      },
      {
        name: 'CR', offset: CR, reset: 0x80000000, writable: 0x8301037f,
        write: (value, _lanes, old) => {
          // Locked: writes are ignored (LOCK can only be set, by writing 1).
          if ((old & CR_LOCK) !== 0) this.store(CR, old);
          else if ((value & CR_STRT) !== 0 && !this.warnedProgramming) {
            this.warnedProgramming = true;
            this.context.warn('FLASH: erase/program operations are not modelled (the flash array is unchanged)');
          }
          this.store(CR, this.stored(CR) & ~CR_STRT);
        },
        fields: [
          { name: 'PG', lsb: 0, width: 1 }, { name: 'SER', lsb: 1, width: 1 }, { name: 'MER', lsb: 2, width: 1 },
          { name: 'SNB', lsb: 3, width: 4 }, { name: 'PSIZE', lsb: 8, width: 2 }, { name: 'STRT', lsb: 16, width: 1, access: 'rs' },
          { name: 'EOPIE', lsb: 24, width: 1 }, { name: 'ERRIE', lsb: 25, width: 1 }, { name: 'LOCK', lsb: 31, width: 1, access: 'rs' },
        ],
      },
      {
        name: 'OPTCR', offset: OPTCR, reset: 0x0fffaaed, writable: 0x8fffffef,
        write: (_value, _lanes, old) => {
          if ((old & OPTCR_OPTLOCK) !== 0) this.store(OPTCR, old);
          this.store(OPTCR, this.stored(OPTCR) & ~2); // OPTSTRT: option bytes are not reprogrammed
        },
      },
    ]);
  }

  link(): void {
    findRcc(this.context)?.onClockChange(() => this.checkLatency());
  }

  override reset(): void {
    super.reset();
    this.keyStep = this.optKeyStep = 0;
  }

  /** Wait states configured in ACR.LATENCY. */
  get latency(): number {
    return this.stored(ACR) & 0xf;
  }

  private checkLatency(): void {
    const rcc = findRcc(this.context);
    if (rcc === undefined || this.warnedLatency) return;
    const ws = this.latency;
    const max = ws < MAX_HZ_FOR_WAIT_STATES.length ? MAX_HZ_FOR_WAIT_STATES[ws] : Infinity;
    if (rcc.hclkHz > max) {
      this.warnedLatency = true;
      this.context.warn(`FLASH: ${ws} wait state(s) are too few for HCLK ${rcc.hclkHz / 1e6} MHz (RM0383 table 5 allows at most ${max / 1e6} MHz); real silicon would read flash wrongly`);
    }
  }
}

export function createFlashInterface(description: PeripheralBlockDescription, context: PeripheralContext): PeripheralDevice {
  return new FlashInterface(description, context);
}
