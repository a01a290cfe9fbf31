// The System Control Block and the other system registers of the SCS (ARMv7-M ARM B3.2; ARMv6-M
// ARM B3.2): CPUID, ICSR, VTOR, AIRCR, SCR, CCR, SHPR1-3, SHCSR, the fault status and address
// registers, CPACR, ICTR/ACTLR, DEMCR and the FP context registers. Offsets are relative to
// 0xE000E000. The exception state itself lives in the exception model.

import type { Cpu } from '../cpu/cpu';
import { Exc, type ExceptionModel } from '../exceptions';
import type { Dwt } from './dwt';

export interface ScbOptions {
  cpuid: number;
  /** VTOR is implemented (all ARMv7-M; optional on ARMv6-M, absent on Cortex-M0). */
  hasVtor: boolean;
}

/** ICSR bits (B3.2.4). */
const ICSR_NMIPENDSET = 1 << 31;
const ICSR_PENDSVSET = 1 << 28;
const ICSR_PENDSVCLR = 1 << 27;
const ICSR_PENDSTSET = 1 << 26;
const ICSR_PENDSTCLR = 1 << 25;
const ICSR_ISRPENDING = 1 << 22;
const ICSR_RETTOBASE = 1 << 11;

/** SHCSR bit → exception for the active and pended flags (B3.2.13). */
const SHCSR_ACTIVE: readonly [number, number][] = [
  [0, Exc.MemManage], [1, Exc.BusFault], [3, Exc.UsageFault], [7, Exc.SVCall], [8, Exc.DebugMonitor],
  [10, Exc.PendSV], [11, Exc.SysTick],
];
const SHCSR_PENDED: readonly [number, number][] = [
  [12, Exc.UsageFault], [13, Exc.MemManage], [14, Exc.BusFault], [15, Exc.SVCall],
];
const SHCSR_ENABLE: readonly [number, number][] = [[16, Exc.MemManage], [17, Exc.BusFault], [18, Exc.UsageFault]];

/** Cortex-M4 ID registers ID_PFR0..ID_ISAR4 at 0xD40..0xD70 (Cortex-M4 TRM 4.3). */
const ID_REGISTERS: Readonly<Record<number, number>> = {
  0xd40: 0x00000030, 0xd44: 0x00000200, 0xd48: 0x00100000, 0xd4c: 0x00000000,
  0xd50: 0x00100030, 0xd54: 0x00000000, 0xd58: 0x01000000, 0xd5c: 0x00000000,
  0xd60: 0x01101110, 0xd64: 0x02111000, 0xd68: 0x21112231, 0xd6c: 0x01111110, 0xd70: 0x01310132,
};

export class Scb {
  private actlr = 0;
  private demcr = 0;
  private readonly isV6m: boolean;

  constructor(
    private readonly cpu: Cpu,
    private readonly exceptions: ExceptionModel,
    private readonly options: ScbOptions,
    private readonly dwt: Dwt | null,
    /** AIRCR.SYSRESETREQ was written with the right key. */
    private readonly requestReset: () => void,
  ) {
    this.isV6m = cpu.profile === 'v6m';
  }

  reset(): void {
    this.actlr = 0;
    this.demcr = 0;
    this.exceptions.debugMonitorEnabled = false;
    this.applyCcrToCpu();
  }

  private applyCcrToCpu(): void {
    if (this.isV6m) {
      this.cpu.unalignTrap = true;
      this.cpu.divZeroTrap = false;
    }
  }

  static owns(offset: number): boolean {
    return offset === 0x004 || offset === 0x008 || (offset >= 0xd00 && offset < 0xf00) || (offset >= 0xf34 && offset < 0xf50);
  }

  readWord(offset: number): number {
    const e = this.exceptions;
    const cpu = this.cpu;
    const v7 = !this.isV6m;
    switch (offset) {
      case 0x004: return v7 ? Math.max(0, Math.ceil((e.count - Exc.Irq0) / 32) - 1) : 0; // ICTR
      case 0x008: return this.actlr;
      case 0xd00: return this.options.cpuid >>> 0;
      case 0xd04: return this.readIcsr();
      case 0xd08: return this.options.hasVtor ? e.vtor : 0;
      case 0xd0c: return ((0xfa05 << 16) | (v7 ? e.prigroup << 8 : 0)) >>> 0; // AIRCR: VECTKEYSTAT, little-endian
      case 0xd10: return (e.sevOnPend ? 0x10 : 0) | (e.sleepDeep ? 4 : 0) | (e.sleepOnExit ? 2 : 0);
      case 0xd14: return this.readCcr();
      case 0xd18: case 0xd1c: case 0xd20: {
        let value = 0;
        for (let i = 0; i < 4; i++) {
          const n = 4 + (offset - 0xd18) + i;
          if (this.hasConfigurablePriority(n)) value |= (e.priority[n] & 0xff) << (8 * i);
        }
        return value >>> 0;
      }
      case 0xd24: return v7 ? this.readShcsr() : 0;
      case 0xd28: return v7 ? e.cfsr >>> 0 : 0;
      case 0xd2c: return v7 ? e.hfsr >>> 0 : 0;
      case 0xd30: return e.dfsr >>> 0;
      case 0xd34: return v7 ? e.mmfar >>> 0 : 0;
      case 0xd38: return v7 ? e.bfar >>> 0 : 0;
      case 0xd3c: return v7 ? e.afsr >>> 0 : 0;
      case 0xd88: return cpu.hasFpu ? cpu.cpacr >>> 0 : 0;
      case 0xdfc: return this.demcr >>> 0;
      case 0xf34: return cpu.hasFpu ? cpu.fpccr >>> 0 : 0;
      case 0xf38: return cpu.hasFpu ? cpu.fpcar >>> 0 : 0;
      case 0xf3c: return cpu.hasFpu ? cpu.fpdscr >>> 0 : 0;
      // MVFR0/1: single-precision FPv4 (Cortex-M4 TRM 7.3); double as well on an FPv5-DP core.
      case 0xf40: return cpu.hasFpu ? (cpu.hasDoubleFpu ? 0x10110221 : 0x10110021) : 0;
      case 0xf44: return cpu.hasFpu ? (cpu.hasDoubleFpu ? 0x12000011 : 0x11000011) : 0;
      case 0xf48: return cpu.hasDoubleFpu ? 0x00000040 : 0;
      default:
        if (v7 && ID_REGISTERS[offset] !== undefined) return ID_REGISTERS[offset];
        return 0;
    }
  }

  private hasConfigurablePriority(n: number): boolean {
    if (this.isV6m) return n === Exc.SVCall || n === Exc.PendSV || n === Exc.SysTick;
    return n === Exc.MemManage || n === Exc.BusFault || n === Exc.UsageFault || n === Exc.SVCall ||
      n === Exc.DebugMonitor || n === Exc.PendSV || n === Exc.SysTick;
  }

  private readIcsr(): number {
    const e = this.exceptions;
    let value = this.cpu.ipsr & 0x1ff;
    if (e.pending[Exc.NMI]) value |= ICSR_NMIPENDSET;
    if (e.pending[Exc.PendSV]) value |= ICSR_PENDSVSET;
    if (e.pending[Exc.SysTick]) value |= ICSR_PENDSTSET;
    for (let n = Exc.Irq0; n < e.count; n++) {
      if (e.pending[n]) {
        value |= ICSR_ISRPENDING;
        break;
      }
    }
    value |= (e.highestPending() & 0x1ff) << 12;
    // RETTOBASE: in Handler mode with no other exception active (B3.2.4).
    if (!this.isV6m && this.cpu.ipsr !== 0 && e.activeCount() <= 1) value |= ICSR_RETTOBASE;
    return value >>> 0;
  }

  private readCcr(): number {
    if (this.isV6m) return 0x208; // STKALIGN and UNALIGN_TRP, read-only
    const e = this.exceptions;
    const cpu = this.cpu;
    return (e.stackAlign8 ? 1 << 9 : 0) | (cpu.divZeroTrap ? 1 << 4 : 0) | (cpu.unalignTrap ? 1 << 3 : 0) |
      (this.userSetPending ? 2 : 0) | (e.nonBaseThreadEnable ? 1 : 0) | (this.bfhfnmign ? 1 << 8 : 0);
  }

  /** CCR.USERSETMPEND: unprivileged code may write STIR. */
  userSetPending = false;
  private bfhfnmign = false;

  private readShcsr(): number {
    const e = this.exceptions;
    let value = 0;
    for (const [bit, n] of SHCSR_ACTIVE) if (e.active[n]) value |= 1 << bit;
    for (const [bit, n] of SHCSR_PENDED) if (e.pending[n]) value |= 1 << bit;
    for (const [bit, n] of SHCSR_ENABLE) if (e.enabled[n]) value |= 1 << bit;
    return value >>> 0;
  }

  /** Write the bytes of `value` selected by `mask`. */
  writeWord(offset: number, value: number, mask: number): void {
    const e = this.exceptions;
    const cpu = this.cpu;
    const v7 = !this.isV6m;
    const merged = (old: number): number => ((old & ~mask) | (value & mask)) >>> 0;
    value &= mask;
    switch (offset) {
      case 0x008: this.actlr = merged(this.actlr); break;
      case 0xd04:
        if (value & ICSR_NMIPENDSET) e.setPending(Exc.NMI);
        if (value & ICSR_PENDSVSET) e.setPending(Exc.PendSV);
        else if (value & ICSR_PENDSVCLR) e.clearPending(Exc.PendSV);
        if (value & ICSR_PENDSTSET) e.setPending(Exc.SysTick);
        else if (value & ICSR_PENDSTCLR) e.clearPending(Exc.SysTick);
        break;
      case 0xd08:
        if (this.options.hasVtor) e.vtor = merged(e.vtor) & 0xffffff80;
        break;
      case 0xd0c:
        // AIRCR writes are ignored without VECTKEY = 0x05FA in the top halfword (B3.2.6).
        if ((mask >>> 16) === 0xffff && (value >>> 16) === 0x05fa) {
          if (v7 && (mask & 0x700) !== 0) e.setPriorityGrouping((value >>> 8) & 7);
          if (value & 4) this.requestReset(); // SYSRESETREQ
          else if (v7 && (value & 1)) this.requestReset(); // VECTRESET (a local reset; close enough)
        }
        break;
      case 0xd10: {
        const scr = merged((e.sevOnPend ? 0x10 : 0) | (e.sleepDeep ? 4 : 0) | (e.sleepOnExit ? 2 : 0));
        e.sevOnPend = (scr & 0x10) !== 0;
        e.sleepDeep = (scr & 4) !== 0;
        e.sleepOnExit = (scr & 2) !== 0;
        break;
      }
      case 0xd14: {
        if (!v7) break;
        const ccr = merged(this.readCcr());
        e.stackAlign8 = (ccr & (1 << 9)) !== 0;
        this.bfhfnmign = (ccr & (1 << 8)) !== 0;
        cpu.divZeroTrap = (ccr & (1 << 4)) !== 0;
        cpu.unalignTrap = (ccr & (1 << 3)) !== 0;
        this.userSetPending = (ccr & 2) !== 0;
        e.nonBaseThreadEnable = (ccr & 1) !== 0;
        break;
      }
      case 0xd18: case 0xd1c: case 0xd20:
        for (let i = 0; i < 4; i++) {
          if (((mask >>> (8 * i)) & 0xff) === 0) continue;
          const n = 4 + (offset - 0xd18) + i;
          if (this.hasConfigurablePriority(n)) e.setPriority(n, (value >>> (8 * i)) & 0xff);
        }
        break;
      case 0xd24: {
        if (!v7) break;
        const shcsr = merged(this.readShcsr());
        for (const [bit, n] of SHCSR_ENABLE) e.enabled[n] = (shcsr >>> bit) & 1;
        for (const [bit, n] of SHCSR_PENDED) e.pending[n] = (shcsr >>> bit) & 1;
        for (const [bit, n] of SHCSR_ACTIVE) e.active[n] = (shcsr >>> bit) & 1;
        e.changed();
        break;
      }
      // Fault status registers are write-one-to-clear (B3.2.15-B3.2.17).
      case 0xd28: if (v7) e.cfsr = (e.cfsr & ~value) >>> 0; break;
      case 0xd2c: if (v7) e.hfsr = (e.hfsr & ~value) >>> 0; break;
      case 0xd30: e.dfsr = (e.dfsr & ~value) >>> 0; break;
      case 0xd34: if (v7) e.mmfar = merged(e.mmfar); break;
      case 0xd38: if (v7) e.bfar = merged(e.bfar); break;
      case 0xd3c: if (v7) e.afsr = (e.afsr & ~value) >>> 0; break;
      case 0xd88: if (cpu.hasFpu) cpu.cpacr = merged(cpu.cpacr) & 0x00f00000; break;
      case 0xdfc:
        this.demcr = merged(this.demcr) & 0x010f07f1;
        if (this.dwt) this.dwt.setTraceEnable((this.demcr & (1 << 24)) !== 0);
        this.exceptions.debugMonitorEnabled = (this.demcr & (1 << 16)) !== 0;
        break;
      case 0xf34: if (cpu.hasFpu) cpu.fpccr = merged(cpu.fpccr) & 0xc00001fb; break;
      case 0xf38: if (cpu.hasFpu) cpu.fpcar = merged(cpu.fpcar) & ~7; break;
      case 0xf3c: if (cpu.hasFpu) cpu.fpdscr = merged(cpu.fpdscr) & 0x07c00000; break;
    }
  }
}
