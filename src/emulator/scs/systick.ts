// SysTick (ARMv7-M ARM B3.3; ARMv6-M ARM B3.3): a 24-bit down-counter clocked by the core clock or
// an external reference clock. It is not ticked per instruction: its value is computed from the
// cycle counter, and the Machine asks `nextEventCycle` when the next interrupt is due so that it
// can run straight to it (or fast-forward a sleeping core to it).
//
// Counting rules (B3.3.1): the counter decrements on each clock; the transition from 1 to 0 sets
// COUNTFLAG and, with TICKINT, pends SysTick; on the clock after reaching 0 it reloads from RVR, so
// the period is RVR+1 clocks. With RVR = 0 it stops at 0. Writing CVR clears it (and COUNTFLAG)
// without an exception. Reading CSR clears COUNTFLAG.

import type { Cpu } from '../cpu/cpu';
import { Exc, type ExceptionModel } from '../exceptions';

const CSR_ENABLE = 1;
const CSR_TICKINT = 2;
const CSR_CLKSOURCE = 4;
const CSR_COUNTFLAG = 1 << 16;

export class SysTick {
  private enabled = false;
  private tickInterrupt = false;
  /** 1 = core clock, 0 = external reference clock. */
  private clockSource = 1;
  private reload = 0;
  /** The counter held `baseValue` at tick `baseTick` (ticks of the selected clock). */
  private baseTick = 0;
  private baseValue = 0;
  /** Zero crossings up to this tick have been accounted for (COUNTFLAG, pending). */
  private checkedTick = 0;
  private countFlag = false;
  /** Core cycle of the next SysTick exception request, or Infinity. */
  nextEventCycle = Infinity;

  constructor(
    private readonly cpu: Cpu,
    private readonly exceptions: ExceptionModel,
    /** External reference clock divider (core clock / n), or 0 when there is none. */
    private readonly referenceDivider: number,
    /** SYST_CALIB value. */
    readonly calib: number,
    /** Called when the next event time changed. */
    private readonly rescheduled: () => void,
  ) {
    this.reset();
  }

  reset(): void {
    this.enabled = false;
    this.tickInterrupt = false;
    this.clockSource = this.referenceDivider === 0 ? 1 : 0;
    this.reload = 0;
    this.baseValue = 0;
    this.baseTick = this.checkedTick = this.now();
    this.countFlag = false;
    this.nextEventCycle = Infinity;
  }

  private divider(): number {
    return this.clockSource === 1 ? 1 : this.referenceDivider;
  }

  private now(): number {
    const d = this.divider();
    return d === 1 ? this.cpu.cycles : Math.floor(this.cpu.cycles / d);
  }

  /** Tick of the first 1→0 transition after baseTick, or Infinity. */
  private firstZero(): number {
    if (this.baseValue > 0) return this.baseTick + this.baseValue;
    return this.reload > 0 ? this.baseTick + this.reload + 1 : Infinity;
  }

  /** First zero transition strictly after tick t. */
  private zeroAfter(t: number): number {
    const z0 = this.firstZero();
    if (t < z0) return z0;
    if (this.reload === 0) return Infinity;
    const period = this.reload + 1;
    return z0 + (Math.floor((t - z0) / period) + 1) * period;
  }

  private valueAt(t: number): number {
    if (!this.enabled) return this.baseValue;
    const z0 = this.firstZero();
    if (z0 === Infinity) return 0;
    if (t < z0) return t === this.baseTick && this.baseValue === 0 ? 0 : z0 - t;
    if (this.reload === 0) return 0;
    const period = this.reload + 1;
    const m = (t - z0) % period;
    return m === 0 ? 0 : period - m;
  }

  /** Account for every zero crossing up to now: COUNTFLAG and the SysTick request. */
  advance(): void {
    if (!this.enabled) return;
    const t = this.now();
    if (this.zeroAfter(this.checkedTick) <= t) {
      this.countFlag = true;
      if (this.tickInterrupt) this.exceptions.setPending(Exc.SysTick);
    }
    this.checkedTick = t;
    this.schedule();
  }

  private schedule(): void {
    let next = Infinity;
    if (this.enabled && this.tickInterrupt) {
      const z = this.zeroAfter(this.checkedTick);
      if (z !== Infinity) next = z * this.divider();
    }
    this.nextEventCycle = next;
    this.rescheduled();
  }

  /** Freeze the current value as the new base (before changing the clock or the reload). */
  private rebase(): void {
    const t = this.now();
    this.baseValue = this.valueAt(t);
    this.baseTick = this.checkedTick = t;
  }

  // ---- registers ------------------------------------------------------------------------------

  readCsr(sideEffects: boolean): number {
    this.advance();
    const value = (this.enabled ? CSR_ENABLE : 0) | (this.tickInterrupt ? CSR_TICKINT : 0) |
      (this.clockSource ? CSR_CLKSOURCE : 0) | (this.countFlag ? CSR_COUNTFLAG : 0);
    if (sideEffects) this.countFlag = false;
    return value;
  }

  writeCsr(value: number): void {
    this.advance();
    this.rebase();
    this.enabled = (value & CSR_ENABLE) !== 0;
    this.tickInterrupt = (value & CSR_TICKINT) !== 0;
    // Without a reference clock CLKSOURCE is fixed at 1 (B3.3.3).
    const source = this.referenceDivider === 0 ? 1 : (value & CSR_CLKSOURCE) !== 0 ? 1 : 0;
    if (source !== this.clockSource) {
      this.clockSource = source;
      this.baseTick = this.checkedTick = this.now();
    }
    this.schedule();
  }

  readRvr(): number {
    return this.reload;
  }

  writeRvr(value: number): void {
    this.advance();
    this.rebase();
    this.reload = value & 0xffffff;
    this.schedule();
  }

  readCvr(): number {
    return this.valueAt(this.now());
  }

  writeCvr(): void {
    this.advance();
    this.baseValue = 0;
    this.baseTick = this.checkedTick = this.now();
    this.countFlag = false;
    this.schedule();
  }
}
