// The Data Watchpoint and Trace unit's cycle counter (ARMv7-M ARM C1.8): DWT_CTRL and DWT_CYCCNT.
// CYCCNT counts core cycles while DWT_CTRL.CYCCNTENA and DEMCR.TRCENA are both set; like SysTick
// it is derived from the cycle counter rather than incremented. Comparators read as zero.

import type { AccessSize, MemoryDevice } from '../bus';
import type { Cpu } from '../cpu/cpu';

/** DWT_CTRL.NUMCOMP = 4 comparators (Cortex-M3/M4). */
const NUMCOMP = 4 << 28;

export class Dwt implements MemoryDevice {
  private ctrl = 0;
  private trace = false;
  /** CYCCNT when it last stopped, or its value at `startCycle` while running. */
  private heldCount = 0;
  private startCycle = 0;
  private running = false;
  private readonly comparators = new Uint32Array(12);

  constructor(private readonly cpu: Cpu) {}

  reset(): void {
    this.ctrl = 0;
    this.trace = false;
    this.heldCount = 0;
    this.running = false;
    this.comparators.fill(0);
  }

  /** DEMCR.TRCENA gates the whole DWT. */
  setTraceEnable(on: boolean): void {
    this.trace = on;
    this.update();
  }

  get cycleCount(): number {
    return this.running ? (this.heldCount + (this.cpu.cycles - this.startCycle)) >>> 0 : this.heldCount;
  }

  private update(): void {
    const run = this.trace && (this.ctrl & 1) !== 0;
    if (run === this.running) return;
    this.heldCount = this.cycleCount;
    this.startCycle = this.cpu.cycles;
    this.running = run;
  }

  read(offset: number, size: AccessSize): number {
    const word = this.readWord(offset & ~3);
    const shift = (offset & 3) * 8;
    return size === 4 ? word : (word >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  peek(offset: number, size: AccessSize): number {
    return this.read(offset, size);
  }

  private readWord(offset: number): number {
    switch (offset) {
      case 0x000: return (NUMCOMP | this.ctrl) >>> 0;
      case 0x004: return this.cycleCount;
      case 0x01c: return this.cpu.pc; // PCSR: a sample of the PC
      case 0xfb4: return 0; // LSR: no lock
      default:
        if (offset >= 0x20 && offset < 0x50) return this.comparators[(offset - 0x20) >> 2];
        return 0;
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    switch (offset & ~3) {
      case 0x000:
        this.ctrl = value & 0x0fffffff;
        this.update();
        break;
      case 0x004:
        this.heldCount = value >>> 0;
        this.startCycle = this.cpu.cycles;
        break;
      default:
        if (offset >= 0x20 && offset < 0x50) this.comparators[(offset - 0x20) >> 2] = value;
    }
  }
}
