// The FP extension's system-level state handling: the access check every FP instruction performs
// (ARMv7-M ARM B1.5.7 / B3.2.20 CPACR, pseudocode ExecuteFPCheck) and lazy context preservation
// (B1.5.7 "Context state stacking" with FPCCR.LSPEN), plus the extended exception frame helpers the
// exception model calls (B1.5.6 / B1.5.8: S0-S15, FPSCR and a reserved word after the basic frame).

import type { Cpu } from '../cpu';
import { FaultKind, GuestFault } from '../fault';

/** FPCCR bits (B3.2.x). */
export const enum Fpccr {
  LSPACT = 1 << 0,
  USER = 1 << 1,
  THREAD = 1 << 3,
  HFRDY = 1 << 4,
  MMRDY = 1 << 5,
  BFRDY = 1 << 6,
  MONRDY = 1 << 8,
  LSPEN = 1 << 30,
  ASPEN = 1 << 31,
  /** Bits software may write (the *RDY/USER/THREAD/LSPACT state bits included, as on silicon). */
  WRITABLE = 0xc000017b,
}

/** CONTROL.FPCA: the current context has live FP state. */
export const CONTROL_FPCA = 4;
/** FPSCR bits that FPDSCR supplies to a new FP context: AHP, DN, FZ, RMode. */
const FPDSCR_MASK = 0x07c00000;

/** ExecuteFPCheck(): run at the start of every FP instruction. */
export function fpCheck(cpu: Cpu): void {
  if (!cpu.hasFpu) throw new GuestFault(FaultKind.NoCoprocessor, undefined, 'no floating-point unit');
  // CPACR.CP10 decides (CP11 must be programmed the same way: B3.2.20).
  const access = (cpu.cpacr >>> 20) & 3;
  if (access === 0 || access === 2 || (access === 1 && !cpu.privileged)) {
    throw new GuestFault(FaultKind.NoCoprocessor, undefined, 'CP10/CP11 access denied by CPACR');
  }
  if ((cpu.fpccr & Fpccr.LSPACT) !== 0) preserveFpState(cpu);
  if ((cpu.fpccr & Fpccr.ASPEN) !== 0 && (cpu.control & CONTROL_FPCA) === 0) {
    cpu.fpscr = ((cpu.fpscr & ~FPDSCR_MASK) | (cpu.fpdscr & FPDSCR_MASK)) >>> 0;
    cpu.control |= CONTROL_FPCA;
  }
}

/** PreserveFPState(): the deferred half of lazy stacking — write S0-S15 and FPSCR into the space
 *  reserved at FPCAR by exception entry, then clear LSPACT. */
export function preserveFpState(cpu: Cpu): void {
  const base = cpu.fpcar >>> 0;
  for (let i = 0; i < 16; i++) cpu.writeA32(base + 4 * i, cpu.fpRegs[i]);
  cpu.writeA32(base + 64, cpu.fpscr);
  cpu.fpccr = (cpu.fpccr & ~Fpccr.LSPACT) >>> 0;
}

/** Size in bytes of the extended part of an exception frame (S0-S15, FPSCR, reserved). */
export const FP_FRAME_EXTRA = 72;

/**
 * Exception entry with CONTROL.FPCA set (B1.5.6 PushStack, FP part). `fpFrameAddress` is the
 * address just above the 8-word basic frame (frameptr + 0x20). With FPCCR.LSPEN the space is only
 * reserved (LSPACT and FPCAR record it); otherwise S0-S15 and FPSCR are written now. Also records
 * the *RDY/USER/THREAD bits and clears CONTROL.FPCA for the handler. Returns nothing; the caller
 * builds EXC_RETURN with bit 4 = 0 when it called this.
 */
export function pushFpContext(cpu: Cpu, fpFrameAddress: number, handlerPriorities?: { hf: boolean; mm: boolean; bf: boolean; mon: boolean }): void {
  fpFrameAddress >>>= 0;
  if ((cpu.fpccr & Fpccr.LSPEN) !== 0) {
    let fpccr = cpu.fpccr | Fpccr.LSPACT;
    fpccr = cpu.privileged ? fpccr & ~Fpccr.USER : fpccr | Fpccr.USER;
    fpccr = cpu.ipsr === 0 ? fpccr | Fpccr.THREAD : fpccr & ~Fpccr.THREAD;
    if (handlerPriorities) {
      fpccr = handlerPriorities.hf ? fpccr | Fpccr.HFRDY : fpccr & ~Fpccr.HFRDY;
      fpccr = handlerPriorities.mm ? fpccr | Fpccr.MMRDY : fpccr & ~Fpccr.MMRDY;
      fpccr = handlerPriorities.bf ? fpccr | Fpccr.BFRDY : fpccr & ~Fpccr.BFRDY;
      fpccr = handlerPriorities.mon ? fpccr | Fpccr.MONRDY : fpccr & ~Fpccr.MONRDY;
    } else {
      fpccr |= Fpccr.HFRDY | Fpccr.MMRDY | Fpccr.BFRDY | Fpccr.MONRDY;
    }
    cpu.fpccr = fpccr >>> 0;
    cpu.fpcar = fpFrameAddress;
  } else {
    for (let i = 0; i < 16; i++) cpu.writeA32(fpFrameAddress + 4 * i, cpu.fpRegs[i]);
    cpu.writeA32(fpFrameAddress + 64, cpu.fpscr);
  }
}

/**
 * Exception return to a frame with EXC_RETURN bit 4 = 0 (B1.5.8 PopStack, FP part): if the state
 * was never saved (LSPACT still set) the registers still hold it and only LSPACT is cleared;
 * otherwise S0-S15 and FPSCR are reloaded from the frame. The caller restores CONTROL.FPCA = 1
 * (it is set from NOT EXC_RETURN[4]).
 */
export function popFpContext(cpu: Cpu, fpFrameAddress: number): void {
  fpFrameAddress >>>= 0;
  if ((cpu.fpccr & Fpccr.LSPACT) !== 0) {
    cpu.fpccr = (cpu.fpccr & ~Fpccr.LSPACT) >>> 0;
    return;
  }
  for (let i = 0; i < 16; i++) cpu.fpRegs[i] = cpu.readA32(fpFrameAddress + 4 * i);
  cpu.fpscr = cpu.readA32(fpFrameAddress + 64) & 0xf7c0009f;
}
