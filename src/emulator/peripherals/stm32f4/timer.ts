// STM32F411 general-purpose timers TIM2-TIM5 (RM0383 section 13) and TIM9-TIM11 (section 14):
// an up-counter with prescaler PSC and auto-reload ARR, the update event (UIF, preload transfer
// of PSC and of ARR when ARPE is set, UDIS/URS/OPM), and output-compare channel 1 (CC1IF when the
// counter reaches CCR1). Other channels are plain registers; down/centre-aligned counting, slave
// modes and input capture are not modelled.
//
// Nothing is ticked per instruction. The counter is a function of time: at core cycle `baseCycle`
// it held `baseCount` with the prescaler at 0, and it advances once per (PSC+1) timer-clock ticks.
// Flags are brought up to date when registers are read or written and when the run loop calls
// `advance()` at `nextEventCycle` (the next update or compare match, when its interrupt is enabled).

import type { PeripheralBlockDescription } from '../../chips/chip';
import type { PeripheralContext, PeripheralDevice, PeripheralTimedDevice } from '../peripheral';
import { RegisterBlock, type RegisterSpec } from '../register-block';
import { findRcc, type Bus } from './rcc';

const CR1 = 0x00, CR2 = 0x04, SMCR = 0x08, DIER = 0x0c, SR = 0x10, EGR = 0x14, CCMR1 = 0x18, CCMR2 = 0x1c, CCER = 0x20;
const CNT = 0x24, PSC = 0x28, ARR = 0x2c, CCR1 = 0x34, CCR2 = 0x38, CCR3 = 0x3c, CCR4 = 0x40, DCR = 0x48, DMAR = 0x4c, OR = 0x50;

const CR1_CEN = 1 << 0, CR1_UDIS = 1 << 1, CR1_URS = 1 << 2, CR1_OPM = 1 << 3, CR1_ARPE = 1 << 7;
export const TIM_SR_UIF = 1 << 0, TIM_SR_CC1IF = 1 << 1;
const DIER_UIE = 1 << 0, DIER_CC1IE = 1 << 1;
const EGR_UG = 1 << 0, EGR_CC1G = 1 << 1;

/** TIM2/TIM5 are 32-bit, TIM3/TIM4 16-bit (13.1); TIM9 has two channels, TIM10/TIM11 one. */
export type TimerKind = 'general32' | 'general16' | 'tim9' | 'tim10_11';

export interface TimerOptions {
  kind: TimerKind;
  irq: number;
  bus: Bus;
  /** The OR (option) register's writable bits, when the timer has one (TIM2, TIM5, TIM11). */
  optionBits?: number;
}

export class Timer extends RegisterBlock implements PeripheralTimedDevice {
  nextEventCycle = Infinity;
  readonly counterMask: number;
  private running = false;
  private baseCycle = 0;
  private baseCount = 0;
  /** Flags are accounted for up to this cycle. */
  private checked = 0;
  private pscActive = 0;
  private arrActive = 0;
  private cyclesPerClock = 1;

  constructor(description: PeripheralBlockDescription, context: PeripheralContext, readonly options: TimerOptions) {
    super(description, context);
    const mask = (this.counterMask = options.kind === 'general32' ? 0xffffffff : 0xffff);
    const general = options.kind === 'general32' || options.kind === 'general16';
    const one = options.kind === 'tim10_11';
    const sync = () => this.sync(this.context.cpu.cycles);
    const list: RegisterSpec[] = [
      {
        name: 'CR1', offset: CR1, reset: 0, writable: general ? 0x3ff : 0x38f, beforeWrite: sync,
        write: (_v, _l, old) => this.cr1Written(old),
        // One-pulse mode clears CEN at the update event: catch up before reading.
        read: () => {
          this.sync(this.context.cpu.cycles);
          return this.stored(CR1);
        },
        fields: [
          { name: 'CEN', lsb: 0, width: 1 }, { name: 'UDIS', lsb: 1, width: 1 }, { name: 'URS', lsb: 2, width: 1 },
          { name: 'OPM', lsb: 3, width: 1 }, ...(general ? [{ name: 'DIR', lsb: 4, width: 1 }, { name: 'CMS', lsb: 5, width: 2 }] : []),
          { name: 'ARPE', lsb: 7, width: 1 }, { name: 'CKD', lsb: 8, width: 2 },
        ],
      },
    ];
    if (general) list.push({ name: 'CR2', offset: CR2, reset: 0, writable: 0xf8 });
    if (!one) list.push({ name: 'SMCR', offset: SMCR, reset: 0, writable: general ? 0xfff7 : 0xf7 });
    list.push(
      {
        name: 'DIER', offset: DIER, reset: 0, writable: general ? 0x5f5f : one ? 0x3 : 0x47, beforeWrite: sync,
        write: () => this.changed(),
        fields: [{ name: 'UIE', lsb: 0, width: 1 }, { name: 'CC1IE', lsb: 1, width: 1 }],
      },
      {
        name: 'SR', offset: SR, reset: 0, writable: 0, clearOnWrite0: general ? 0x1e5f : one ? 0x203 : 0x647, beforeWrite: sync,
        read: () => {
          this.sync(this.context.cpu.cycles);
          return this.stored(SR);
        },
        write: () => this.changed(),
        fields: [
          { name: 'UIF', lsb: 0, width: 1, access: 'rc_w0' }, { name: 'CC1IF', lsb: 1, width: 1, access: 'rc_w0' },
          { name: 'CC1OF', lsb: 9, width: 1, access: 'rc_w0' },
        ],
      },
      {
        name: 'EGR', offset: EGR, reset: 0, writable: 0, beforeWrite: sync,
        write: (value) => this.generate(value),
        fields: [{ name: 'UG', lsb: 0, width: 1, access: 'w' }, { name: 'CC1G', lsb: 1, width: 1, access: 'w' }],
      },
      { name: 'CCMR1', offset: CCMR1, reset: 0, writable: one ? 0xff : 0xffff, beforeWrite: sync },
    );
    if (general) list.push({ name: 'CCMR2', offset: CCMR2, reset: 0, writable: 0xffff });
    list.push(
      { name: 'CCER', offset: CCER, reset: 0, writable: general ? 0xbbbb : one ? 0xb : 0xbb },
      {
        name: 'CNT', offset: CNT, reset: 0, writable: 0, beforeWrite: sync,
        read: () => this.counterAt(this.context.cpu.cycles),
        write: (value, lanes) => {
          const now = this.context.cpu.cycles;
          const count = ((this.counterAt(now) & ~lanes) | value) & mask;
          this.rebase(now, count);
          this.changed();
        },
        fields: [{ name: 'CNT', lsb: 0, width: mask === 0xffff ? 16 : 32 }],
      },
      // PSC is preloaded: it takes effect at the next update event (13.3.1).
      { name: 'PSC', offset: PSC, reset: 0, writable: 0xffff, fields: [{ name: 'PSC', lsb: 0, width: 16 }] },
      {
        name: 'ARR', offset: ARR, reset: 0, writable: mask, beforeWrite: sync,
        write: () => {
          if ((this.stored(CR1) & CR1_ARPE) === 0) this.setActiveArr(this.stored(ARR));
        },
        fields: [{ name: 'ARR', lsb: 0, width: mask === 0xffff ? 16 : 32 }],
      },
      { name: 'CCR1', offset: CCR1, reset: 0, writable: mask, beforeWrite: sync, write: () => this.changed() },
    );
    if (!one) list.push({ name: 'CCR2', offset: CCR2, reset: 0, writable: mask });
    if (general) {
      list.push(
        { name: 'CCR3', offset: CCR3, reset: 0, writable: mask },
        { name: 'CCR4', offset: CCR4, reset: 0, writable: mask },
        { name: 'DCR', offset: DCR, reset: 0, writable: 0x1f1f },
        { name: 'DMAR', offset: DMAR, reset: 0, writable: 0xffff },
      );
    }
    if (options.optionBits !== undefined) list.push({ name: 'OR', offset: OR, reset: 0, writable: options.optionBits });
    this.define(list);
  }

  link(): void {
    const rcc = findRcc(this.context);
    if (rcc === undefined) return;
    const update = () => {
      const now = this.context.cpu.cycles;
      this.sync(now);
      this.rebase(now, this.counterAt(now));
      this.cyclesPerClock = rcc.timerCyclesPerTick(this.options.bus);
      this.changed();
    };
    rcc.onClockChange(update);
    this.cyclesPerClock = rcc.timerCyclesPerTick(this.options.bus);
  }

  override reset(): void {
    super.reset();
    this.running = false;
    this.baseCycle = this.checked = this.context.cpu.cycles;
    this.baseCount = 0;
    this.pscActive = 0;
    this.arrActive = 0;
    this.schedule();
  }

  /** Core cycles per counter step. */
  private tickLength(): number {
    return (this.pscActive + 1) * this.cyclesPerClock;
  }

  /** Counter value at cycle `t` (t ≥ the last sync). */
  counterAt(t: number): number {
    if (!this.running || this.arrActive === 0) return this.baseCount;
    const ticks = Math.floor((t - this.baseCycle) / this.tickLength());
    const limit = this.baseCount <= this.arrActive ? this.arrActive : this.counterMask;
    const count = this.baseCount + ticks;
    return count <= limit ? count : (count - limit - 1) % (this.arrActive + 1);
  }

  /** The counter holds `count` at cycle `t`, with the prescaler at 0. */
  private rebase(t: number, count: number): void {
    this.baseCycle = t;
    this.baseCount = count;
    this.checked = Math.max(this.checked, t);
  }

  private setActiveArr(value: number): void {
    const now = this.context.cpu.cycles;
    if (this.running && this.arrActive !== 0) {
      // Keep the prescaler phase: the new base is the start of the current counter step.
      const len = this.tickLength();
      const ticks = Math.floor((now - this.baseCycle) / len);
      const count = this.counterAt(now);
      this.baseCycle += ticks * len;
      this.baseCount = count;
    }
    this.arrActive = value;
    this.changed();
  }

  private cr1Written(old: number): void {
    const now = this.context.cpu.cycles;
    const cr1 = this.stored(CR1);
    const wasRunning = (old & CR1_CEN) !== 0;
    const runs = (cr1 & CR1_CEN) !== 0;
    if (runs && !wasRunning) {
      this.rebase(now, this.baseCount);
      this.running = true;
    } else if (!runs && wasRunning) {
      this.baseCount = this.counterAt(now);
      this.running = false;
      this.rebase(now, this.baseCount);
    }
    if ((cr1 & CR1_ARPE) === 0 && this.arrActive !== this.stored(ARR)) this.setActiveArr(this.stored(ARR));
    this.changed();
  }

  /** The update event: counter to 0 (done by the caller), preloads transferred, UIF. */
  private updateEvent(t: number, fromUg: boolean): void {
    const cr1 = this.stored(CR1);
    this.rebase(t, 0);
    // The counter becomes 0: a match for CCR1 = 0.
    if (this.compareActive() && this.stored(CCR1) === 0) this.store(SR, this.stored(SR) | TIM_SR_CC1IF);
    if ((cr1 & CR1_UDIS) !== 0) return; // no UEV: shadows keep their values, no flag
    this.pscActive = this.stored(PSC);
    this.arrActive = this.stored(ARR);
    // URS: only counter overflow sets UIF, not UG (13.4.1).
    if (!fromUg || (cr1 & CR1_URS) === 0) this.store(SR, this.stored(SR) | TIM_SR_UIF);
    if (!fromUg && (cr1 & CR1_OPM) !== 0) {
      // One-pulse mode: the counter stops at the update event.
      this.store(CR1, cr1 & ~CR1_CEN);
      this.running = false;
    }
  }

  private generate(value: number): void {
    const now = this.context.cpu.cycles;
    if ((value & EGR_UG) !== 0) this.updateEvent(now, true);
    if ((value & EGR_CC1G) !== 0) this.store(SR, this.stored(SR) | TIM_SR_CC1IF);
    this.changed();
  }

  private compareActive(): boolean {
    return (this.stored(CCMR1) & 3) === 0; // CC1S = 00: channel 1 is an output (compare)
  }

  /** Account for update events and compare matches in (checked, now]. */
  private sync(now: number): void {
    if (now <= this.checked) return;
    const ccr1 = this.stored(CCR1);
    for (;;) {
      if (!this.running || this.arrActive === 0) break;
      const len = this.tickLength();
      const limit = this.baseCount <= this.arrActive ? this.arrActive : this.counterMask;
      if (this.compareActive() && ccr1 >= this.baseCount && ccr1 <= limit) {
        // A match at the base itself (CCR1 = 0 after an update) was flagged by updateEvent.
        const j = ccr1 - this.baseCount;
        const tMatch = this.baseCycle + j * len;
        if (j > 0 && tMatch > this.checked && tMatch <= now) this.store(SR, this.stored(SR) | TIM_SR_CC1IF);
      }
      const tUpdate = this.baseCycle + (limit - this.baseCount + 1) * len;
      if (tUpdate > now) break;
      this.updateEvent(tUpdate, false);
      this.checked = tUpdate;
      if (!this.running || this.arrActive === 0) break;
      // Whole periods in between repeat identically: skip them at once.
      const period = (this.arrActive + 1) * this.tickLength();
      const skipped = Math.floor((now - this.baseCycle) / period);
      if (skipped > 0) {
        this.baseCycle += skipped * period;
        this.checked = this.baseCycle;
        if ((this.stored(CR1) & CR1_UDIS) === 0) this.store(SR, this.stored(SR) | TIM_SR_UIF);
        if (this.compareActive() && this.stored(CCR1) <= this.arrActive) this.store(SR, this.stored(SR) | TIM_SR_CC1IF);
      }
    }
    this.checked = now;
  }

  advance(): void {
    this.sync(this.context.cpu.cycles);
    this.changed();
  }

  /** Interrupt output and the next event time. */
  private changed(): void {
    const sr = this.stored(SR);
    const dier = this.stored(DIER);
    this.context.setIrqLevel(this.options.irq, (sr & dier & (TIM_SR_UIF | TIM_SR_CC1IF)) !== 0);
    this.schedule();
  }

  private schedule(): void {
    let next = Infinity;
    const dier = this.stored(DIER);
    if (this.running && this.arrActive !== 0 && (dier & (DIER_UIE | DIER_CC1IE)) !== 0) {
      const len = this.tickLength();
      const limit = this.baseCount <= this.arrActive ? this.arrActive : this.counterMask;
      next = this.baseCycle + (limit - this.baseCount + 1) * len;
      const ccr1 = this.stored(CCR1);
      if ((dier & DIER_CC1IE) !== 0 && this.compareActive() && ccr1 >= this.baseCount && ccr1 <= limit) {
        const tMatch = this.baseCycle + (ccr1 - this.baseCount) * len;
        if (tMatch > this.checked && tMatch < next) next = tMatch;
      }
    }
    if (next !== this.nextEventCycle) {
      this.nextEventCycle = next;
      this.context.requestAttention();
    }
  }
}

export function createTimer(options: TimerOptions) {
  return (description: PeripheralBlockDescription, context: PeripheralContext): PeripheralDevice => {
    const timer = new Timer(description, context, options);
    context.addTimedDevice(timer);
    return timer;
  };
}
