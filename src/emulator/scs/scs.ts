// The System Control Space at 0xE000E000-0xE000EFFF (ARMv7-M ARM B3.2 table B3-3): dispatches to
// the SysTick, NVIC and SCB register views. Accesses are assembled into word operations with a byte
// mask so that byte and halfword accesses (allowed on ARMv7-M for IPR, SHPR, CFSR, …) work on every
// register without each view handling sizes. Unprivileged accesses are BusFaults (B3.2.1), except
// STIR when CCR.USERSETMPEND allows it.

import type { AccessSize, MemoryDevice } from '../bus';
import type { Cpu } from '../cpu/cpu';
import { FaultKind, GuestFault } from '../cpu/fault';
import { Nvic } from './nvic';
import { Scb } from './scb';
import type { SysTick } from './systick';

export const SCS_BASE = 0xe000e000;
export const DWT_BASE = 0xe0001000;

export class SystemControlSpace implements MemoryDevice {
  /** Set while the debugger pokes: no privilege check. */
  debugAccess = false;

  constructor(
    private readonly cpu: Cpu,
    readonly nvic: Nvic,
    readonly scb: Scb,
    readonly systick: SysTick,
  ) {}

  private checkPrivilege(offset: number): void {
    if (this.debugAccess || this.cpu.profile === 'v6m' || this.cpu.privileged) return;
    if (offset === 0xf00 && this.scb.userSetPending) return;
    throw new GuestFault(FaultKind.PreciseDataBusError, (SCS_BASE + offset) >>> 0, 'unprivileged access to the System Control Space');
  }

  private readWord(offset: number, sideEffects: boolean): number {
    switch (offset) {
      case 0x010: return this.systick.readCsr(sideEffects);
      case 0x014: return this.systick.readRvr();
      case 0x018: return this.systick.readCvr();
      case 0x01c: return this.systick.calib >>> 0;
    }
    if (Nvic.owns(offset)) return this.nvic.readWord(offset);
    if (Scb.owns(offset)) return this.scb.readWord(offset);
    return 0; // reserved: RAZ/WI
  }

  read(offset: number, size: AccessSize): number {
    this.checkPrivilege(offset);
    return this.extract(offset, size, this.readWord(offset & ~3, true));
  }

  peek(offset: number, size: AccessSize): number {
    return this.extract(offset, size, this.readWord(offset & ~3, false));
  }

  private extract(offset: number, size: AccessSize, word: number): number {
    if (size === 4) return word >>> 0;
    const shift = (offset & 3) * 8;
    return (word >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: AccessSize, value: number): void {
    this.checkPrivilege(offset);
    const word = offset & ~3;
    const shift = (offset & 3) * 8;
    const mask = size === 4 ? 0xffffffff : ((size === 1 ? 0xff : 0xffff) << shift) >>> 0;
    const shifted = size === 4 ? value >>> 0 : ((value << shift) & mask) >>> 0;
    switch (word) {
      case 0x010: this.systick.writeCsr(shifted); return;
      case 0x014: this.systick.writeRvr(shifted); return;
      case 0x018: this.systick.writeCvr(); return;
      case 0x01c: return;
    }
    if (Nvic.owns(word)) this.nvic.writeWord(word, shifted, mask);
    else if (Scb.owns(word)) this.scb.writeWord(word, shifted, mask);
  }
}
