// STM32F411 independent watchdog (RM0383 section 15). Keys in KR: 0xCCCC starts it (the counter
// starts at 0xFFF and LSI is forced on), 0xAAAA reloads the counter from RLR, 0x5555 unlocks PR
// and RLR for writing (any other key locks them again). The 12-bit counter counts down at
// LSI (32 kHz) / 4·2^PR; reaching 0 resets the system with RCC_CSR.IWDGRSTF set. Once started it
// cannot be stopped except by a reset. The timeout is converted to core cycles at the current
// core clock; a clock change rescales what remains of it.

import type { PeripheralBlockDescription } from '../../chips/chip';
import type { PeripheralContext, PeripheralDevice, PeripheralTimedDevice } from '../peripheral';
import { RegisterBlock } from '../register-block';
import { CSR_IWDGRSTF, findRcc, HSI_HZ, LSI_HZ } from './rcc';

const KR = 0x00, PR = 0x04, RLR = 0x08, SR = 0x0c;
export const IWDG_KEY_ENABLE = 0xcccc, IWDG_KEY_RELOAD = 0xaaaa, IWDG_KEY_ACCESS = 0x5555;

export class Iwdg extends RegisterBlock implements PeripheralTimedDevice {
  nextEventCycle = Infinity;
  private started = false;
  private accessEnabled = false;
  private cyclesPerLsi = HSI_HZ / LSI_HZ;

  constructor(description: PeripheralBlockDescription, context: PeripheralContext) {
    super(description, context);
    this.define([
      {
        name: 'KR', offset: KR, reset: 0, writable: 0,
        write: (value) => this.key(value & 0xffff),
        fields: [{ name: 'KEY', lsb: 0, width: 16, access: 'w' }],
      },
      {
        name: 'PR', offset: PR, reset: 0, writable: 0x7,
        write: (_v, _l, old) => { if (!this.accessEnabled) this.store(PR, old); },
        fields: [{ name: 'PR', lsb: 0, width: 3 }],
      },
      {
        name: 'RLR', offset: RLR, reset: 0xfff, writable: 0xfff,
        write: (_v, _l, old) => { if (!this.accessEnabled) this.store(RLR, old); },
        fields: [{ name: 'RL', lsb: 0, width: 12 }],
      },
      // The PR/RLR updates reach the LSI domain at once here: PVU/RVU read 0.
      { name: 'SR', offset: SR, reset: 0, writable: 0, fields: [{ name: 'PVU', lsb: 0, width: 1, access: 'r' }, { name: 'RVU', lsb: 1, width: 1, access: 'r' }] },
    ]);
  }

  link(): void {
    const rcc = findRcc(this.context);
    if (rcc === undefined) return;
    this.cyclesPerLsi = rcc.hclkHz / LSI_HZ;
    rcc.onClockChange(() => {
      const next = rcc.hclkHz / LSI_HZ;
      if (this.started) {
        const now = this.context.cpu.cycles;
        const remainingLsi = Math.max(0, this.nextEventCycle - now) / this.cyclesPerLsi;
        this.setDeadline(now + Math.ceil(remainingLsi * next));
      }
      this.cyclesPerLsi = next;
    });
  }

  override reset(): void {
    super.reset();
    this.started = false;
    this.accessEnabled = false;
    this.setDeadline(Infinity);
  }

  get running(): boolean {
    return this.started;
  }

  /** LSI ticks per counter step: 4 · 2^PR, at most 256 (RM0383 15.4.2). */
  get divider(): number {
    return 4 << Math.min(this.stored(PR), 6);
  }

  /** Core cycles from a reload with `count` until the counter reaches 0. */
  timeoutCycles(count: number): number {
    return Math.ceil((count + 1) * this.divider * this.cyclesPerLsi);
  }

  private key(value: number): void {
    const now = this.context.cpu.cycles;
    this.accessEnabled = value === IWDG_KEY_ACCESS;
    if (value === IWDG_KEY_ENABLE) {
      if (!this.started) {
        this.started = true;
        findRcc(this.context)?.forceLsiOn();
        this.setDeadline(now + this.timeoutCycles(0xfff));
      }
    } else if (value === IWDG_KEY_RELOAD && this.started) {
      this.setDeadline(now + this.timeoutCycles(this.stored(RLR)));
    }
  }

  private setDeadline(cycle: number): void {
    if (cycle === this.nextEventCycle) return;
    this.nextEventCycle = cycle;
    this.context.requestAttention();
  }

  advance(): void {
    if (!this.started || this.context.cpu.cycles < this.nextEventCycle) return;
    this.setDeadline(Infinity);
    this.started = false;
    findRcc(this.context)?.noteResetCause(CSR_IWDGRSTF);
    this.context.warn('IWDG: the watchdog was not refreshed in time; the system resets');
    this.context.requestSystemReset();
  }
}

export function createIwdg(description: PeripheralBlockDescription, context: PeripheralContext): PeripheralDevice {
  const iwdg = new Iwdg(description, context);
  context.addTimedDevice(iwdg);
  return iwdg;
}
