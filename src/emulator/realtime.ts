// Real-time pacing: keeps simulated time (core cycles at the current core clock) in step with the
// wall clock, so a firmware that blinks at 1 Hz blinks at 1 Hz on screen, at any emulator speed.
// 'fast' mode runs flat out.
//
// The pacer is a timed device of the machine: before each run slice the host asks it how long to
// wait (simulated time ahead of the wall clock) and it arms a deadline, a few milliseconds of
// simulated time ahead, at which it halts the run. A deadline rather than an instruction budget
// also bounds sleep: WFI jumps the clock to the next timed event, and the deadline is one, so a
// firmware that sleeps between blinks is paced too.

import type { TimedDevice } from './machine';

export type RunMode = 'realtime' | 'fast';

/** What the pacer needs of a Machine. */
export interface PacedMachine {
  readonly cpu: { cycles: number };
  readonly coreClockHz: number;
  addTimedDevice(device: TimedDevice): void;
  halt(): void;
}

/** What a run loop needs of a pacer (the debug target's view). */
export interface SlicePacer {
  /** Called when the run loop resumes after a stop: simulated time restarts from now. */
  resume(): void;
  /** Before a slice: milliseconds to wait before running (0 = run now, a deadline is armed). */
  beforeSlice(): number;
  /** True (once) if the last run stopped because the pacer's deadline halted it. */
  takeDeadlineHalt(): boolean;
}

/** Simulated time per slice in real-time mode: small enough that pin changes reach the screen at
 *  their moment, large enough that the per-slice overhead stays negligible. */
const SLICE_MS = 8;
/** When the emulator falls this far behind (a slow host, a long stop), it gives up catching up and
 *  restarts the wall-clock anchor instead of running a burst. */
const MAX_LAG_MS = 100;
/** Longest single wait, so that mode changes and pauses are noticed promptly. */
const MAX_WAIT_MS = 20;

export class RealTimePacer implements TimedDevice, SlicePacer {
  nextEventCycle = Infinity;
  /** The deadline paces the host; it never wakes a sleeping core (see TimedDevice). */
  readonly hostDeadline = true;
  private modeValue: RunMode;
  private speedValue = 1;
  private anchorWallMs = 0;
  private anchorCycles = 0;
  private anchorHz = 0;
  private deadlineHit = false;
  /** For the measured speed: simulated seconds and wall milliseconds since the last sample. */
  private sampleWallMs = 0;
  private sampleSimSeconds = 0;
  private simSeconds = 0;
  private lastCycles = 0;
  private lastHz = 0;
  private measured = 0;

  constructor(private readonly machine: PacedMachine, mode: RunMode = 'realtime', private readonly now: () => number = () => performance.now()) {
    this.modeValue = mode;
    machine.addTimedDevice(this);
    this.lastCycles = machine.cpu.cycles;
    this.lastHz = machine.coreClockHz;
    this.sampleWallMs = now();
    this.resume();
  }

  get mode(): RunMode {
    return this.modeValue;
  }
  set mode(mode: RunMode) {
    this.modeValue = mode;
    this.nextEventCycle = Infinity;
    this.resume();
  }

  /** Simulated seconds per wall second in real-time mode (1 = real time; 0.1 = slow motion). */
  get speed(): number {
    return this.speedValue;
  }
  set speed(value: number) {
    if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`speed must be a positive number, not ${value}`);
    this.speedValue = value;
    this.resume();
  }

  resume(): void {
    this.anchorWallMs = this.now();
    this.anchorCycles = this.machine.cpu.cycles;
    this.anchorHz = this.machine.coreClockHz;
    this.deadlineHit = false;
  }

  /** Simulated seconds elapsed (integrates over core clock changes). */
  get simulatedSeconds(): number {
    this.account();
    return this.simSeconds;
  }

  /** Simulated seconds per wall second since the previous call (×real time), for a display. */
  sampleSpeed(): number {
    this.account();
    const wall = this.now();
    const dt = (wall - this.sampleWallMs) / 1000;
    if (dt >= 0.05) {
      this.measured = (this.simSeconds - this.sampleSimSeconds) / dt;
      this.sampleWallMs = wall;
      this.sampleSimSeconds = this.simSeconds;
    }
    return this.measured;
  }

  /** Forget simulated time (a machine reset zeroes the cycle counter). */
  resetTime(): void {
    this.simSeconds = 0;
    this.sampleSimSeconds = 0;
    this.lastCycles = this.machine.cpu.cycles;
    this.lastHz = this.machine.coreClockHz;
    this.resume();
  }

  private account(): void {
    const cycles = this.machine.cpu.cycles;
    if (cycles < this.lastCycles) this.lastCycles = cycles; // reset
    this.simSeconds += (cycles - this.lastCycles) / this.lastHz;
    this.lastCycles = cycles;
    this.lastHz = this.machine.coreClockHz;
  }

  beforeSlice(): number {
    this.deadlineHit = false;
    this.account();
    if (this.modeValue === 'fast') {
      this.nextEventCycle = Infinity;
      return 0;
    }
    const m = this.machine;
    const hz = m.coreClockHz;
    const cycles = m.cpu.cycles;
    const wall = this.now();
    if (hz !== this.anchorHz || cycles < this.anchorCycles) this.resume();
    const cyclesPerMs = (hz * this.speedValue) / 1000;
    const due = this.anchorCycles + (wall - this.anchorWallMs) * cyclesPerMs;
    const ahead = cycles - due;
    if (ahead > 0) {
      this.nextEventCycle = Infinity;
      return Math.max(1, Math.min(MAX_WAIT_MS, Math.ceil(ahead / cyclesPerMs)));
    }
    if (-ahead > MAX_LAG_MS * cyclesPerMs) {
      this.anchorWallMs = wall;
      this.anchorCycles = cycles;
    }
    this.nextEventCycle = Math.max(cycles + 1, Math.min(due, cycles) + SLICE_MS * cyclesPerMs);
    return 0;
  }

  advance(): void {
    // Reached the deadline: end this run so the host can wait.
    this.nextEventCycle = Infinity;
    this.deadlineHit = true;
    this.machine.halt();
  }

  takeDeadlineHalt(): boolean {
    const hit = this.deadlineHit;
    this.deadlineHit = false;
    return hit;
  }
}
