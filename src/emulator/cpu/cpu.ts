// The processor state of an ARMv6-M / ARMv7-M core (ARMv7-M ARM B1.4 "Registers") and the
// fetch/decode/execute step. Exceptions themselves (entry, return, priorities) live in the exception
// model (../exceptions.ts); this class only raises GuestFaults and asks its hooks for the rest.

import type { Bus, RamRegion } from '../bus';
import { FaultKind, GuestFault } from './fault';
import type { Decoded } from './decoded';
import { decode } from './decode';
import { compileBlock, type Block } from './blocks';

export type Profile = 'v6m' | 'v7m' | 'v7em';

/** Times the executor must arrive at an address before it compiles a block there (at most 255). */
const BLOCK_HOT = 64;

/** What the core needs from the system around it. */
export interface CpuHooks {
  /** SVC #imm was executed (the exception model pends SVCall). */
  svc(imm: number): void;
  /** BKPT #imm was executed (semihosting for 0xAB, a debug halt otherwise). */
  bkpt(imm: number): void;
  /** WFI / WFE / SEV hints. */
  wfi(): void;
  wfe(): void;
  sev(): void;
  /** PRIMASK/FAULTMASK/BASEPRI changed: pending exceptions may now be taken. */
  priorityMaskChanged(): void;
}

const nullHooks: CpuHooks = {
  svc: () => { throw new GuestFault(FaultKind.UndefinedInstruction, undefined, 'SVC without an exception model'); },
  bkpt: () => { throw new GuestFault(FaultKind.UndefinedInstruction, undefined, 'BKPT without a debugger'); },
  wfi: () => {},
  wfe: () => {},
  sev: () => {},
  priorityMaskChanged: () => {},
};

/** SYSm values for MRS/MSR (ARMv7-M ARM B5.1.1). */
export const enum Sysm {
  APSR = 0, IAPSR = 1, EAPSR = 2, XPSR = 3, IPSR = 5, EPSR = 6, IEPSR = 7,
  MSP = 8, PSP = 9, PRIMASK = 16, BASEPRI = 17, BASEPRI_MAX = 18, FAULTMASK = 19, CONTROL = 20,
}

export class Cpu {
  /** r0..r15. r[13] is the active stack pointer (MSP or PSP per CONTROL.SPSEL and mode); r[15]
   *  is not used while executing (see pc). */
  readonly r = new Uint32Array(16);
  /** Address of the instruction being executed. */
  pc = 0;
  /** Address of the next instruction; set to pc + size before exec, branches overwrite it. */
  nextPc = 0;

  // APSR
  n = false;
  z = false;
  c = false;
  v = false;
  q = false;
  /** APSR.GE[3:0] (DSP extension). */
  ge = 0;
  // EPSR
  /** ITSTATE[7:0]: condition in bits 7:4, mask in 3:0 (0 = not in an IT block). */
  itState = 0;
  /** EPSR.T; clearing it makes the next instruction raise INVSTATE. */
  thumb = true;
  /** IPSR: the active exception number, 0 in Thread mode. */
  ipsr = 0;

  /** The banked stack pointer that is not currently in r[13]. */
  private otherSp = 0;
  primask = 0;
  faultmask = 0;
  basepri = 0;
  /** CONTROL: bit 0 nPRIV, bit 1 SPSEL, bit 2 FPCA. */
  control = 0;

  /** CCR.UNALIGN_TRP and CCR.DIV_0_TRP (set by the SCB model). */
  unalignTrap = false;
  divZeroTrap = false;

  // ---- floating-point extension (FPv4-SP / FPv5, ARMv7-M ARM A2.5, B1.5.7); see fpu/ ----------
  /** S0..S31 (D0..D15 are the pairs S2n/S2n+1, low word first). */
  readonly fpRegs = new Uint32Array(32);
  /** FPSCR (A2.5.3): NZCV, AHP, DN, FZ, RMode and the cumulative exception bits. */
  fpscr = 0;
  /** CPACR (0xE000ED88): CP10 access in bits 21:20, CP11 in 23:22; reset denies access. */
  cpacr = 0;
  /** The core has an FPU (Cortex-M4F/M7F) and whether it also does double precision (M7). */
  hasFpu = false;
  hasDoubleFpu = false;
  /** FPCCR (0xE000EF34): reset ASPEN | LSPEN (automatic state preservation, lazy). */
  fpccr = 0xc0000000;
  /** FPCAR (0xE000EF38): address of the reserved S0-S15/FPSCR slot of a lazily stacked frame. */
  fpcar = 0;
  /** FPDSCR (0xE000EF3C): default AHP/DN/FZ/RMode for a new FP context. */
  fpdscr = 0;

  /** Local exclusive monitor: the tagged address, or -1 when open. */
  exclusiveAddress = -1;

  /** Cycle counter (approximate TRM timing). */
  cycles = 0;
  /** Instructions retired. */
  instructions = 0;

  /** Set by an instruction that wrote an EXC_RETURN value to the PC in Handler mode; the
   *  exception model performs the return after the instruction completes. */
  pendingExceptionReturn = -1;

  hooks: CpuHooks = nullHooks;

  // The region instructions were last fetched from, so that fetch() is one bounds check and one
  // array index: its base, its size less one halfword (a fetch needs 2 bytes) and its decoded-
  // instruction cache (the region's own array, so breakpoint traps placed there are seen).
  private codeBase = 0;
  private codeLimit = 0;
  private codeCache: (Decoded | undefined)[] = [];
  private codeRegion: RamRegion | null = null;

  /** The run loop's deadline in cycles: the Machine's slice end, kept here so that compiled
   *  blocks can stop where the interpreter loop would (0 requests attention). */
  sliceEnd = 0;
  /** The run loop's instruction budget (cpu.instructions stops at it), for compiled blocks. */
  instructionEnd = Infinity;

  constructor(readonly bus: Bus, readonly profile: Profile) {}

  get isV7(): boolean {
    return this.profile !== 'v6m';
  }
  get handlerMode(): boolean {
    return this.ipsr !== 0;
  }
  get privileged(): boolean {
    return this.ipsr !== 0 || (this.control & 1) === 0;
  }
  /** True when r[13] holds the PSP. */
  get usingPsp(): boolean {
    return this.ipsr === 0 && (this.control & 2) !== 0;
  }

  // ---- stack pointers -------------------------------------------------------------------------

  get msp(): number {
    return this.usingPsp ? this.otherSp : this.r[13];
  }
  set msp(value: number) {
    if (this.usingPsp) this.otherSp = value & ~3;
    else this.r[13] = value & ~3;
  }
  get psp(): number {
    return this.usingPsp ? this.r[13] : this.otherSp;
  }
  set psp(value: number) {
    if (this.usingPsp) this.r[13] = value & ~3;
    else this.otherSp = value & ~3;
  }

  /** Change mode/CONTROL while keeping MSP and PSP where they belong. */
  setModeAndControl(ipsr: number, control: number): void {
    const msp = this.msp;
    const psp = this.psp;
    this.ipsr = ipsr;
    this.control = control;
    if (this.usingPsp) {
      this.r[13] = psp;
      this.otherSp = msp;
    } else {
      this.r[13] = msp;
      this.otherSp = psp;
    }
  }

  // ---- program status -------------------------------------------------------------------------

  get apsr(): number {
    return (
      ((this.n ? 1 : 0) << 31) | ((this.z ? 1 : 0) << 30) | ((this.c ? 1 : 0) << 29) |
      ((this.v ? 1 : 0) << 28) | ((this.q ? 1 : 0) << 27) | (this.ge << 16)
    ) >>> 0;
  }
  set apsr(value: number) {
    this.n = (value & 0x80000000) !== 0;
    this.z = (value & 0x40000000) !== 0;
    this.c = (value & 0x20000000) !== 0;
    this.v = (value & 0x10000000) !== 0;
    this.q = (value & 0x08000000) !== 0;
    this.ge = (value >>> 16) & 0xf;
  }
  /** EPSR: T bit and ICI/IT bits (ARMv7-M ARM B1.4.2). */
  get epsr(): number {
    const it = this.itState;
    return ((this.thumb ? 1 : 0) << 24 | ((it & 3) << 25) | ((it >>> 2) << 10)) >>> 0;
  }
  get xpsr(): number {
    return (this.apsr | this.epsr | this.ipsr) >>> 0;
  }
  /** Restore xPSR from an exception frame (the IPSR part is managed by the exception model). */
  set xpsrFlagsAndState(value: number) {
    this.apsr = value;
    this.thumb = (value & (1 << 24)) !== 0;
    this.itState = this.isV7 ? (((value >>> 25) & 3) | (((value >>> 10) & 0x3f) << 2)) : 0;
  }

  /** Set N and Z from a 32-bit result. */
  setNZ(result: number): void {
    this.n = (result & 0x80000000) !== 0;
    this.z = (result >>> 0) === 0;
  }

  /** ConditionPassed for a 4-bit condition code (A7.3). */
  conditionPassed(cond: number): boolean {
    let result: boolean;
    switch (cond >>> 1) {
      case 0: result = this.z; break;
      case 1: result = this.c; break;
      case 2: result = this.n; break;
      case 3: result = this.v; break;
      case 4: result = this.c && !this.z; break;
      case 5: result = this.n === this.v; break;
      case 6: result = this.n === this.v && !this.z; break;
      default: return true; // AL (and 0b1111, which only appears as a decode slot)
    }
    return (cond & 1) !== 0 ? !result : result;
  }

  get inItBlock(): boolean {
    return (this.itState & 0xf) !== 0;
  }
  get lastInItBlock(): boolean {
    return (this.itState & 0xf) === 0x8;
  }
  /** ITAdvance() (A7.3.2). */
  itAdvance(): void {
    if ((this.itState & 7) === 0) this.itState = 0;
    else this.itState = (this.itState & 0xe0) | ((this.itState << 1) & 0x1f);
  }

  // ---- writes to the PC (A2.3.1) --------------------------------------------------------------

  /** BranchWritePC / ALUWritePC: bit 0 ignored. */
  branchWritePc(address: number): void {
    this.nextPc = (address & ~1) >>> 0;
  }
  /** BXWritePC / BLXWritePC / LoadWritePC: EXC_RETURN in Handler mode, else bit 0 → EPSR.T. */
  bxWritePc(address: number): void {
    address >>>= 0;
    if (this.ipsr !== 0 && address >>> 28 === 0xf) {
      this.pendingExceptionReturn = address;
      this.nextPc = address;
      return;
    }
    this.thumb = (address & 1) !== 0;
    this.nextPc = (address & ~1) >>> 0;
  }
  /** Write a general register from an instruction result; r13 keeps its bottom bits clear and
   *  r15 branches (ALUWritePC). Use only when d is not known at decode time. */
  writeReg(d: number, value: number): void {
    if (d === 15) this.branchWritePc(value);
    else if (d === 13) this.r[13] = value & ~3;
    else this.r[d] = value;
  }

  // ---- memory with the architecture's alignment rules (A3.2) -----------------------------------

  private checkAlign(address: number, mask: number): void {
    if ((address & mask) !== 0) throw new GuestFault(FaultKind.Unaligned, address >>> 0);
  }

  /** MemA: the access must be aligned (LDM/STM, PUSH/POP, LDRD/STRD, LDREX/STREX, v6-M always). */
  readA32(address: number): number {
    this.checkAlign(address, 3);
    return this.bus.read32(address >>> 0);
  }
  writeA32(address: number, value: number): void {
    this.checkAlign(address, 3);
    this.bus.write32(address >>> 0, value);
  }
  readA16(address: number): number {
    this.checkAlign(address, 1);
    return this.bus.read16(address >>> 0);
  }
  writeA16(address: number, value: number): void {
    this.checkAlign(address, 1);
    this.bus.write16(address >>> 0, value);
  }

  /** MemU: unaligned allowed on ARMv7-M unless CCR.UNALIGN_TRP; always a fault on ARMv6-M. */
  read32(address: number): number {
    address >>>= 0;
    if ((address & 3) === 0) return this.bus.read32(address);
    if (this.profile === 'v6m' || this.unalignTrap) throw new GuestFault(FaultKind.Unaligned, address);
    return (this.bus.read8(address) | (this.bus.read8(address + 1) << 8) |
      (this.bus.read8(address + 2) << 16) | (this.bus.read8(address + 3) << 24)) >>> 0;
  }
  write32(address: number, value: number): void {
    address >>>= 0;
    if ((address & 3) === 0) return this.bus.write32(address, value);
    if (this.profile === 'v6m' || this.unalignTrap) throw new GuestFault(FaultKind.Unaligned, address);
    this.bus.write8(address, value & 0xff);
    this.bus.write8(address + 1, (value >>> 8) & 0xff);
    this.bus.write8(address + 2, (value >>> 16) & 0xff);
    this.bus.write8(address + 3, (value >>> 24) & 0xff);
  }
  read16(address: number): number {
    address >>>= 0;
    if ((address & 1) === 0) return this.bus.read16(address);
    if (this.profile === 'v6m' || this.unalignTrap) throw new GuestFault(FaultKind.Unaligned, address);
    return this.bus.read8(address) | (this.bus.read8(address + 1) << 8);
  }
  write16(address: number, value: number): void {
    address >>>= 0;
    if ((address & 1) === 0) return this.bus.write16(address, value);
    if (this.profile === 'v6m' || this.unalignTrap) throw new GuestFault(FaultKind.Unaligned, address);
    this.bus.write8(address, value & 0xff);
    this.bus.write8(address + 1, (value >>> 8) & 0xff);
  }
  read8(address: number): number {
    return this.bus.read8(address >>> 0);
  }
  write8(address: number, value: number): void {
    this.bus.write8(address >>> 0, value);
  }

  // ---- fetch / decode / execute ---------------------------------------------------------------

  /** The decoded instruction at address (decoding and caching it on first use). */
  fetch(address: number): Decoded {
    const offset = address - this.codeBase;
    if (offset >= 0 && offset < this.codeLimit) {
      const d = this.codeCache[offset >> 1];
      if (d !== undefined) return d;
    }
    return this.fetchSlow(address);
  }

  private fetchSlow(address: number): Decoded {
    const region = this.bus.regionAt(address, 2);
    if (region === null || !region.options.executable) {
      throw new GuestFault(FaultKind.InstructionBusError, address >>> 0, 'instruction fetch from unmapped or non-executable memory');
    }
    let cache = region.decoded as (Decoded | undefined)[] | null;
    if (cache === null) cache = region.decoded = new Array(region.size >> 1);
    const slot = (address - region.base) >> 1;
    let d = cache[slot];
    if (d === undefined) {
      const hw1 = region.view.getUint16(address - region.base, true);
      const hw2 = address + 4 <= region.end ? region.view.getUint16(address - region.base + 2, true) : 0;
      d = decode(hw1, hw2, address >>> 0, this.profile);
      cache[slot] = d;
    }
    this.useCodeRegion(region, cache);
    return d;
  }

  private useCodeRegion(region: RamRegion, cache: (Decoded | undefined)[]): void {
    this.codeBase = region.base;
    this.codeLimit = region.size - 1;
    this.codeCache = cache;
    this.codeRegion = region;
  }

  /** The compiled block starting at address (compiling it on first use), or null when there is
   *  nothing to compile there (the caller steps instead, which raises the fault). */
  blockAt(address: number): Block | null {
    return this.compiledBlockAt(address) ?? this.compileBlockAt(address);
  }

  /** The block compiled at address in the current code region, if there is one (never compiles). */
  compiledBlockAt(address: number): Block | null {
    const offset = address - this.codeBase;
    const region = this.codeRegion;
    if (region !== null && offset >= 0 && offset < this.codeLimit) {
      const blocks = region.blocks as (Block | undefined)[] | null;
      if (blocks !== null) {
        const b = blocks[offset >> 1];
        if (b !== undefined) return b;
      }
    }
    return null;
  }

  private compileBlockAt(address: number): Block | null {
    try {
      this.fetch(address);
    } catch {
      return null;
    }
    const region = this.codeRegion;
    if (region === null) return null;
    // Compiling costs far more than interpreting a few times: only code that keeps coming back
    // here is worth it (start-up code, one-off initialisation never is).
    const heat = region.blockHeat ?? (region.blockHeat = new Uint8Array(region.size >> 1));
    const slot = (address - region.base) >> 1;
    if (heat[slot] < BLOCK_HOT) {
      heat[slot]++;
      return null;
    }
    const block = compileBlock(this, region, address);
    if (block === null) return null;
    const blocks = (region.blocks ?? (region.blocks = new Array(region.size >> 1))) as (Block | undefined)[];
    blocks[(address - region.base) >> 1] = block;
    return block;
  }

  /** Execute one instruction at pc. Throws GuestFault (the instruction is then not retired and
   *  pc still points at it, as the exception model expects for a precise fault). */
  step(): void {
    const pc = this.pc;
    if (!this.thumb) throw new GuestFault(FaultKind.InvalidState, undefined, 'EPSR.T is 0');
    if ((pc & 1) !== 0) throw new GuestFault(FaultKind.InvalidState, undefined, 'odd PC');
    const d = this.fetch(pc);
    this.nextPc = (pc + d.size) >>> 0;
    const it = this.itState;
    if (it !== 0) {
      if (this.conditionPassed(it >>> 4)) d.exec(this);
      this.itAdvance();
    } else {
      d.exec(this);
    }
    this.pc = this.nextPc;
    this.cycles += d.cycles;
    this.instructions++;
  }

  // ---- special registers (MRS/MSR, B5.2) ------------------------------------------------------

  /** MRS: reads a special register; unprivileged reads of privileged registers return 0. */
  readSpecial(sysm: number): number {
    switch (sysm) {
      case Sysm.APSR: return this.apsr & (this.isV7 ? 0xf80f0000 : 0xf0000000);
      case Sysm.IAPSR: return ((this.apsr & (this.isV7 ? 0xf80f0000 : 0xf0000000)) | this.ipsr) >>> 0;
      case Sysm.EAPSR: return this.apsr & (this.isV7 ? 0xf80f0000 : 0xf0000000);
      case Sysm.XPSR: return ((this.apsr & (this.isV7 ? 0xf80f0000 : 0xf0000000)) | this.ipsr) >>> 0;
      case Sysm.IPSR: return this.ipsr;
      case Sysm.EPSR: return 0; // EPSR reads as zero through MRS
      case Sysm.IEPSR: return this.ipsr;
      case Sysm.MSP: return this.privileged ? this.msp : 0;
      case Sysm.PSP: return this.privileged ? this.psp : 0;
      case Sysm.PRIMASK: return this.primask;
      case Sysm.BASEPRI: return this.isV7 ? this.basepri : 0;
      case Sysm.BASEPRI_MAX: return this.isV7 ? this.basepri : 0;
      case Sysm.FAULTMASK: return this.isV7 ? this.faultmask : 0;
      case Sysm.CONTROL: return this.control;
      default: return 0;
    }
  }

  /** MSR: writes a special register. mask is the 2-bit APSR write mask (bit 1 = NZCVQ,
   *  bit 0 = GE) for the APSR forms. basepriBits = implemented priority bits mask (e.g. 0xf0). */
  writeSpecial(sysm: number, value: number, mask = 2, basepriMask = 0xff): void {
    value >>>= 0;
    if (sysm <= 7) {
      if (mask & 2) {
        this.n = (value & 0x80000000) !== 0;
        this.z = (value & 0x40000000) !== 0;
        this.c = (value & 0x20000000) !== 0;
        this.v = (value & 0x10000000) !== 0;
        if (this.isV7) this.q = (value & 0x08000000) !== 0;
      }
      if ((mask & 1) && this.profile === 'v7em') this.ge = (value >>> 16) & 0xf;
      return;
    }
    if (!this.privileged) return;
    switch (sysm) {
      case Sysm.MSP: this.msp = value; break;
      case Sysm.PSP: this.psp = value; break;
      case Sysm.PRIMASK: this.primask = value & 1; this.hooks.priorityMaskChanged(); break;
      case Sysm.BASEPRI:
        if (this.isV7) { this.basepri = value & 0xff & basepriMask; this.hooks.priorityMaskChanged(); }
        break;
      case Sysm.BASEPRI_MAX: {
        const v = value & 0xff & basepriMask;
        if (this.isV7 && v !== 0 && (v < this.basepri || this.basepri === 0)) {
          this.basepri = v;
          this.hooks.priorityMaskChanged();
        }
        break;
      }
      case Sysm.FAULTMASK:
        // FAULTMASK cannot be set by an NMI or HardFault handler (execution priority < 0).
        if (this.isV7 && !(this.ipsr === 2 || this.ipsr === 3)) {
          this.faultmask = value & 1;
          this.hooks.priorityMaskChanged();
        }
        break;
      case Sysm.CONTROL: {
        // SPSEL can only change in Thread mode; nPRIV is v6-M optional (we implement it).
        let control = this.control;
        if (this.ipsr === 0) control = (control & ~2) | (value & 2);
        control = (control & ~1) | (value & 1);
        if (this.profile === 'v7em') control = (control & ~4) | (value & 4);
        this.setModeAndControl(this.ipsr, control);
        break;
      }
    }
  }
}
