// The exception model of ARMv7-M and ARMv6-M (ARMv7-M ARM B1.5 "ARMv7-M exception model";
// ARMv6-M ARM B1.5): pending/active/enabled state, priorities with grouping, the execution
// priority, exception entry (stacking), exception return (unstacking, tail-chaining), fault
// escalation to HardFault and lockup.
//
// The NVIC and SCB register views (scs/nvic.ts, scs/scb.ts) read and write the state kept here.
// Nothing here runs per instruction: the Machine calls in only when `dirty` says that something
// changed which could make an exception preempt, or when the CPU faults or returns from a handler.

import { popFpContext, pushFpContext } from './cpu/fpu/fp-state';
import type { Cpu } from './cpu/cpu';
import { FaultKind, GuestFault } from './cpu/fault';

export const enum Exc {
  Reset = 1,
  NMI = 2,
  HardFault = 3,
  MemManage = 4,
  BusFault = 5,
  UsageFault = 6,
  SVCall = 11,
  DebugMonitor = 12,
  PendSV = 14,
  SysTick = 15,
  /** First external interrupt (IRQ0). */
  Irq0 = 16,
}

export const exceptionNames: Readonly<Record<number, string>> = {
  1: 'Reset', 2: 'NMI', 3: 'HardFault', 4: 'MemManage', 5: 'BusFault', 6: 'UsageFault',
  11: 'SVCall', 12: 'DebugMonitor', 14: 'PendSV', 15: 'SysTick',
};

export function exceptionName(n: number): string {
  return exceptionNames[n] ?? (n >= 16 ? `IRQ${n - 16}` : `reserved exception ${n}`);
}

/** CFSR bit positions (B3.2.15): MMFSR in 7:0, BFSR in 15:8, UFSR in 31:16. */
export const Cfsr = {
  IACCVIOL: 1 << 0, DACCVIOL: 1 << 1, MUNSTKERR: 1 << 3, MSTKERR: 1 << 4, MLSPERR: 1 << 5, MMARVALID: 1 << 7,
  IBUSERR: 1 << 8, PRECISERR: 1 << 9, IMPRECISERR: 1 << 10, UNSTKERR: 1 << 11, STKERR: 1 << 12, LSPERR: 1 << 13, BFARVALID: 1 << 15,
  UNDEFINSTR: 1 << 16, INVSTATE: 1 << 17, INVPC: 1 << 18, NOCP: 1 << 19, UNALIGNED: 1 << 24, DIVBYZERO: 1 << 25,
} as const;

/** HFSR bits (B3.2.16). */
export const Hfsr = { VECTTBL: 1 << 1, FORCED: 1 << 30, DEBUGEVT: 1 << 31 } as const;

/** What happened at the last fault, for the fault explanation. */
export interface FaultRecord {
  /** The fault as raised (the CFSR condition). */
  kind: FaultKind | 'VECTTBL' | 'SVC-PRIORITY';
  /** The exception the fault would go to without escalation (MemManage/BusFault/UsageFault or HardFault on v6-M). */
  natural: number;
  /** The exception actually taken (HardFault when escalated), or 0 on lockup. */
  taken: number;
  forced: boolean;
  lockup: boolean;
  /** Address of the faulting instruction (or the return address for asynchronous causes). */
  pc: number;
  /** Address of the exception frame pushed for it (-1 if none). */
  frameAddress: number;
  /** Data address (BFAR/MMFAR or the unaligned address), if known. */
  address?: number;
  detail?: string;
  /** IPSR when the fault happened. */
  ipsr: number;
  /** LR (EXC_RETURN) on entry to the fault handler. */
  excReturn?: number;
}

/** Told of every exception entry (`entered` true, before the handler's first instruction) and
 *  every exception return (`entered` false), for timelines and traces. A tail-chain is a return
 *  followed by an entry. */
export type ExceptionObserver = (exception: number, entered: boolean) => void;

export interface ExceptionModelOptions {
  irqCount: number;
  priorityBits: number;
}

export interface ExceptionModelEvents {
  /** Something changed that may let a pending exception be taken; re-check soon. */
  attention(): void;
  /** The processor locked up (B1.5.15 "Unrecoverable exception cases"). */
  lockup(record: FaultRecord): void;
  /** A fault exception was entered (its frame is on the stack). */
  faultTaken(record: FaultRecord): void;
  /** Returning to Thread mode with SCR.SLEEPONEXIT set: go to sleep. */
  sleepOnExit(): void;
}

const FAULT_TARGET: Readonly<Record<string, [exception: number, cfsrBit: number]>> = {
  UNDEFINSTR: [Exc.UsageFault, Cfsr.UNDEFINSTR],
  INVSTATE: [Exc.UsageFault, Cfsr.INVSTATE],
  INVPC: [Exc.UsageFault, Cfsr.INVPC],
  NOCP: [Exc.UsageFault, Cfsr.NOCP],
  UNALIGNED: [Exc.UsageFault, Cfsr.UNALIGNED],
  DIVBYZERO: [Exc.UsageFault, Cfsr.DIVBYZERO],
  IBUSERR: [Exc.BusFault, Cfsr.IBUSERR],
  PRECISERR: [Exc.BusFault, Cfsr.PRECISERR],
  IMPRECISERR: [Exc.BusFault, Cfsr.IMPRECISERR],
  UNSTKERR: [Exc.BusFault, Cfsr.UNSTKERR],
  STKERR: [Exc.BusFault, Cfsr.STKERR],
  IACCVIOL: [Exc.MemManage, Cfsr.IACCVIOL],
  DACCVIOL: [Exc.MemManage, Cfsr.DACCVIOL],
};

/** Execute-never regions of the default memory map (B3.1 table B3-1): fetching from them is a
 *  MemManage IACCVIOL, not a bus error. */
function isExecuteNever(address: number): boolean {
  address >>>= 0;
  return (address >= 0x40000000 && address < 0x60000000) || address >= 0xa0000000;
}

/** lr itself when it is a well-formed EXC_RETURN value, else 0. */
function excReturnForFrame(lr: number): number {
  return (lr >>> 4) === 0xfffffff || (lr >>> 5) === 0x7ffffff ? lr : 0;
}

export class ExceptionModel {
  /** 16 system exception slots + external interrupts. */
  readonly count: number;
  /** One past the highest exception number ever made pending or active since reset: the priority
   *  scans stop there (interrupts above it cannot be pending or active; SHCSR only reaches the
   *  system exceptions below 16). Saves scanning hundreds of unused IRQ slots per exception. */
  private used = 16;
  /** Configured priority (8-bit, unimplemented low bits zero); fixed -3/-2/-1 for Reset/NMI/HardFault. */
  readonly priority: Int16Array;
  readonly pending: Uint8Array;
  readonly active: Uint8Array;
  /** IRQs: NVIC enable; MemManage/BusFault/UsageFault: SHCSR enable; other system exceptions: 1. */
  readonly enabled: Uint8Array;
  /** Implemented bits of a priority field, e.g. 0xf0 for 4 bits. */
  readonly priorityMask: number;
  readonly isV6m: boolean;

  /** AIRCR.PRIGROUP. */
  prigroup = 0;
  /** Priority bits that form the group priority for the current PRIGROUP. */
  groupMask = 0xff;
  vtor = 0;
  // CCR
  stackAlign8 = true;
  nonBaseThreadEnable = false;
  // SCR
  sleepOnExit = false;
  sevOnPend = false;
  sleepDeep = false;
  // Fault status
  cfsr = 0;
  hfsr = 0;
  dfsr = 0;
  mmfar = 0;
  bfar = 0;
  afsr = 0;
  /** The WFE event register. */
  eventRegister = false;
  /** A change may have made a pending exception take-able. */
  dirty = false;
  lockedUp = false;
  lastFault: FaultRecord | null = null;
  /** Exception numbers entered since reset, for tests and statistics. */
  entries = 0;
  /** Entry/return observer; null (the usual case) costs one check per entry and per return. */
  observer: ExceptionObserver | null = null;
  /** Per exception: the interrupt line from the peripheral is asserted (a level, not a pulse).
   *  The NVIC samples it: a line still high when its handler returns, or when software clears
   *  its pending bit, makes it pending again (ARMv7-M ARM B3.4.1, level-sensitive and pulse interrupts). */
  readonly lineLevel: Uint8Array;

  constructor(
    private readonly cpu: Cpu,
    options: ExceptionModelOptions,
    private readonly events: ExceptionModelEvents,
  ) {
    this.isV6m = cpu.profile === 'v6m';
    this.count = 16 + options.irqCount;
    this.priority = new Int16Array(this.count);
    this.pending = new Uint8Array(this.count);
    this.active = new Uint8Array(this.count);
    this.enabled = new Uint8Array(this.count);
    this.lineLevel = new Uint8Array(this.count);
    this.priorityMask = (0xff << (8 - options.priorityBits)) & 0xff;
    this.reset();
  }

  reset(): void {
    this.used = Math.min(16, this.count);
    this.priority.fill(0);
    this.priority[Exc.Reset] = -3;
    this.priority[Exc.NMI] = -2;
    this.priority[Exc.HardFault] = -1;
    this.pending.fill(0);
    this.active.fill(0);
    this.enabled.fill(0);
    this.lineLevel.fill(0);
    for (const n of [Exc.NMI, Exc.HardFault, Exc.SVCall, Exc.DebugMonitor, Exc.PendSV, Exc.SysTick]) this.enabled[n] = 1;
    // ARMv6-M has no configurable fault handlers: every fault is a HardFault.
    this.setPriorityGrouping(0);
    this.vtor = 0;
    this.stackAlign8 = true; // CCR.STKALIGN resets to 1 on Cortex-M3 r2p0+ and Cortex-M4 (RO 1 on v6-M)
    this.nonBaseThreadEnable = false;
    this.sleepOnExit = this.sevOnPend = this.sleepDeep = false;
    this.cfsr = this.hfsr = this.dfsr = this.mmfar = this.bfar = this.afsr = 0;
    this.eventRegister = false;
    this.lockedUp = false;
    this.lastFault = null;
    this.dirty = false;
  }

  setPriorityGrouping(prigroup: number): void {
    this.prigroup = this.isV6m ? 0 : prigroup & 7;
    // PRIGROUP = n: group priority is bits [7:n+1], subpriority bits [n:0] (B1.5.4). ARMv6-M has
    // no subpriority.
    this.groupMask = this.isV6m ? 0xff : (0xff << (this.prigroup + 1)) & 0xff;
    this.changed();
  }

  /** Set a configurable exception's priority (masked to the implemented bits). */
  setPriority(n: number, value: number): void {
    if (n <= Exc.HardFault || n >= this.count) return;
    this.priority[n] = value & this.priorityMask;
    this.changed();
  }

  changed(): void {
    this.dirty = true;
    this.events.attention();
  }

  /** The group priority of exception n (negative for Reset/NMI/HardFault). */
  groupPriority(n: number): number {
    const p = this.priority[n];
    return p < 0 ? p : p & this.groupMask;
  }

  /** ExecutionPriority() (B1.5.4): the highest group priority among active exceptions, boosted
   *  by PRIMASK/FAULTMASK/BASEPRI. 256 means "thread mode, nothing masked". */
  executionPriority(ignorePrimask = false): number {
    let highest = 256;
    const active = this.active;
    for (let n = 1; n < this.used; n++) {
      if (active[n] !== 0) {
        const g = this.groupPriority(n);
        if (g < highest) highest = g;
      }
    }
    const cpu = this.cpu;
    let boosted = 256;
    const basepri = cpu.basepri & this.priorityMask;
    if (basepri !== 0) boosted = basepri & this.groupMask;
    if (cpu.primask !== 0 && !ignorePrimask) boosted = 0;
    if (cpu.faultmask !== 0) boosted = -1;
    return boosted < highest ? boosted : highest;
  }

  /** The pending, enabled exception with the highest priority (lowest value, then lowest
   *  number), or 0. */
  highestPending(): number {
    let best = 0;
    let bestPriority = 1 << 16;
    const pending = this.pending;
    const enabled = this.enabled;
    for (let n = 1; n < this.used; n++) {
      if (pending[n] !== 0 && enabled[n] !== 0) {
        const p = this.priority[n];
        if (p < bestPriority) {
          best = n;
          bestPriority = p;
        }
      }
    }
    return best;
  }

  activeCount(): number {
    let count = 0;
    for (let n = 1; n < this.used; n++) count += this.active[n];
    return count;
  }

  setPending(n: number): void {
    if (n <= 0 || n >= this.count) return;
    if (this.pending[n] === 0) {
      if (n >= this.used) this.used = n + 1;
      this.pending[n] = 1;
      // SCR.SEVONPEND: a newly pending interrupt is a WFE wake-up event (B1.5.18).
      if (this.sevOnPend) this.eventRegister = true;
    }
    this.changed();
  }

  clearPending(n: number): void {
    if (n <= 0 || n >= this.count) return;
    // A line still asserted is sampled again at once: the pending bit does not stay clear.
    if (this.lineLevel[n] !== 0 && this.active[n] === 0) return;
    this.pending[n] = 0;
    this.changed();
  }

  /** A peripheral drives interrupt line n (exception number) to `asserted`. Rising pends it;
   *  while it stays high, returning from its handler pends it again (see lineLevel). Falling
   *  leaves a latched pending bit alone, as the NVIC does. */
  setLineLevel(n: number, asserted: boolean): void {
    if (n <= 0 || n >= this.count) return;
    const was = this.lineLevel[n];
    if (!asserted) {
      this.lineLevel[n] = 0;
      return;
    }
    this.lineLevel[n] = 1;
    if (was === 0 || (this.active[n] === 0 && this.pending[n] === 0)) this.setPending(n);
  }

  setEnabled(n: number, on: boolean): void {
    if (n <= 0 || n >= this.count) return;
    this.enabled[n] = on ? 1 : 0;
    this.changed();
  }

  /** True if exception n would preempt now (enabled, and its group priority is higher than the
   *  execution priority). */
  canPreempt(n: number, ignorePrimask = false): boolean {
    return this.enabled[n] !== 0 && this.groupPriority(n) < this.executionPriority(ignorePrimask);
  }

  /** A pending exception could wake the core from WFI: one that would preempt, counting those
   *  masked only by PRIMASK (B1.5.19). */
  wakeUpPending(): boolean {
    const n = this.highestPending();
    return n !== 0 && this.groupPriority(n) < this.executionPriority(true);
  }

  /** Take pending exceptions that can preempt (called when `dirty`). Returns true if one was
   *  entered. Loops so that a higher-priority exception that became pending meanwhile is taken
   *  at once (the outcome of late arrival: the higher one runs first). */
  takePending(): boolean {
    let taken = false;
    for (let guard = 0; guard < 8 && !this.lockedUp; guard++) {
      const n = this.highestPending();
      if (n === 0 || this.groupPriority(n) >= this.executionPriority()) break;
      this.enter(n, this.cpu.pc);
      taken = true;
    }
    this.dirty = false;
    return taken;
  }

  // ---- exception entry (B1.5.6) ------------------------------------------------------------------

  /** PushStack + ExceptionTaken for exception n with the given return address. */
  enter(n: number, returnAddress: number): void {
    const frame = this.pushStack(returnAddress);
    if (frame.fault !== null) {
      // A derived fault on stacking (B1.5.14): still enter n (the frame is partial), then the
      // STKERR BusFault is raised in n's context, which escalates or locks up as usual.
      this.exceptionTaken(n, frame.excReturn, frame.frameAddress);
      if (this.lockedUp) return;
      this.raiseFault(new GuestFault(FaultKind.StackingBusError, frame.fault, 'exception stacking hit unmapped memory'));
      return;
    }
    this.exceptionTaken(n, frame.excReturn, frame.frameAddress);
  }

  private readonly frameResult = { excReturn: 0, frameAddress: 0, fault: null as number | null };

  /** DEMCR.MON_EN, kept here by the SCB: FPCCR.MONRDY depends on it. */
  debugMonitorEnabled = false;

  /** FPCCR.HFRDY/MMRDY/BFRDY/MONRDY for lazy FP stacking, reused to avoid allocation. */
  private readonly fpReadiness = { hf: false, mm: false, bf: false, mon: false };

  /** UpdateFPCCR() (B1.5.7): whether the code that owns the FP context could have pended
   *  HardFault, MemManage, BusFault and DebugMonitor, judged at the execution priority before
   *  the new exception becomes active. A fault during the deferred save later uses these. */
  private lazyFpReadiness(): { hf: boolean; mm: boolean; bf: boolean; mon: boolean } {
    const r = this.fpReadiness;
    const executionPriority = this.executionPriority();
    r.hf = executionPriority > -1;
    r.mm = this.enabled[Exc.MemManage] !== 0 && executionPriority > this.groupPriority(Exc.MemManage);
    r.bf = this.enabled[Exc.BusFault] !== 0 && executionPriority > this.groupPriority(Exc.BusFault);
    r.mon = this.debugMonitorEnabled && executionPriority > this.groupPriority(Exc.DebugMonitor);
    return r;
  }

  private pushStack(returnAddress: number): { excReturn: number; frameAddress: number; fault: number | null } {
    const cpu = this.cpu;
    const extended = cpu.hasFpu && (cpu.control & 4) !== 0;
    const frameSize = extended ? 0x68 : 0x20;
    const forceAlign = this.isV6m || this.stackAlign8;
    const usePsp = cpu.usingPsp;
    let sp = usePsp ? cpu.psp : cpu.msp;
    const realigned = forceAlign && (sp & 4) !== 0 ? 1 : 0;
    sp = ((sp - frameSize) & (forceAlign ? ~7 : ~3)) >>> 0;
    if (usePsp) cpu.psp = sp;
    else cpu.msp = sp;
    let excReturn = cpu.ipsr !== 0 ? 0xfffffff1 : usePsp ? 0xfffffffd : 0xfffffff9;
    if (extended) excReturn = (excReturn & ~0x10) >>> 0;
    const result = this.frameResult;
    result.excReturn = excReturn;
    result.frameAddress = sp;
    result.fault = null;
    const xpsr = ((cpu.xpsr & ~(1 << 9)) | (realigned << 9)) >>> 0;
    const bus = cpu.bus;
    try {
      bus.write32(sp, cpu.r[0]);
      bus.write32(sp + 4, cpu.r[1]);
      bus.write32(sp + 8, cpu.r[2]);
      bus.write32(sp + 12, cpu.r[3]);
      bus.write32(sp + 16, cpu.r[12]);
      bus.write32(sp + 20, cpu.r[14]);
      bus.write32(sp + 24, returnAddress);
      bus.write32(sp + 28, xpsr);
      // Extended frame: S0-S15 and FPSCR (B1.5.7), reserved only when FPCCR.LSPEN (lazy).
      if (extended) pushFpContext(cpu, sp + 0x20, this.lazyFpReadiness());
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      result.fault = e.address ?? sp;
    }
    return result;
  }

  /** ExceptionTaken(n) (B1.5.6): vector fetch, mode change, LR = EXC_RETURN. */
  private exceptionTaken(n: number, excReturn: number, frameAddress: number): void {
    const cpu = this.cpu;
    let vector: number;
    try {
      vector = cpu.bus.read32((this.vtor + 4 * n) >>> 0);
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      // A vector table read error is a HardFault with HFSR.VECTTBL; on HardFault itself, lockup.
      this.hfsr |= Hfsr.VECTTBL;
      const record = this.record('VECTTBL', n, n === Exc.HardFault || n === Exc.NMI ? 0 : Exc.HardFault, false, cpu.pc, frameAddress, (this.vtor + 4 * n) >>> 0, `vector table entry of ${exceptionName(n)} unreadable`);
      if (n === Exc.HardFault || n === Exc.NMI) {
        this.lockup(record);
        return;
      }
      this.active[n] = 0;
      this.exceptionTaken(Exc.HardFault, excReturn, frameAddress);
      return;
    }
    cpu.pc = (vector & ~1) >>> 0;
    cpu.nextPc = cpu.pc;
    cpu.thumb = (vector & 1) !== 0;
    cpu.itState = 0;
    // Handler mode uses the MSP; CONTROL.FPCA is cleared for the handler.
    cpu.setModeAndControl(n, cpu.control & ~(2 | 4));
    cpu.r[14] = excReturn;
    this.pending[n] = 0;
    if (n >= this.used) this.used = n + 1;
    this.active[n] = 1;
    cpu.exclusiveAddress = -1;
    this.eventRegister = true;
    if (this.observer !== null) this.observer(n, true);
    cpu.cycles += 12;
    this.entries++;
    this.dirty = true;
  }

  // ---- faults (B1.5.14, B1.5.15) ---------------------------------------------------------------

  /** Turn a GuestFault raised by an instruction (or by stacking) into the right exception: set
   *  the fault status, escalate to HardFault when the fault handler is disabled or cannot
   *  preempt, lock up when even HardFault cannot. The return address is cpu.pc (the faulting
   *  instruction). */
  raiseFault(fault: GuestFault): void {
    const cpu = this.cpu;
    let kind = fault.kind;
    if (kind === FaultKind.InstructionBusError && isExecuteNever(fault.address ?? cpu.pc)) kind = FaultKind.InstructionAccessViolation;
    const [natural, bit] = FAULT_TARGET[kind] ?? [Exc.HardFault, 0];
    let address = fault.address;
    if (!this.isV6m) {
      this.cfsr |= bit;
      if (kind === FaultKind.PreciseDataBusError && address !== undefined) {
        this.bfar = address >>> 0;
        this.cfsr |= Cfsr.BFARVALID;
      } else if (kind === FaultKind.DataAccessViolation && address !== undefined) {
        this.mmfar = address >>> 0;
        this.cfsr |= Cfsr.MMARVALID;
      } else if (kind === FaultKind.InstructionAccessViolation) {
        address = undefined;
      }
    }
    const target = this.isV6m ? Exc.HardFault : natural;
    this.takeFault(kind, target, address, fault.detail);
  }

  /** Enter the fault handler for `target`, escalating to HardFault (FORCED) or locking up. */
  takeFault(kind: FaultRecord['kind'], target: number, address?: number, detail?: string, returnAddress = this.cpu.pc): void {
    const cpu = this.cpu;
    const executionPriority = this.executionPriority();
    let taken = target;
    let forced = false;
    if (target !== Exc.HardFault && (this.enabled[target] === 0 || this.groupPriority(target) >= executionPriority)) {
      taken = Exc.HardFault;
      forced = true;
      this.hfsr |= Hfsr.FORCED;
    }
    if (taken === Exc.HardFault && executionPriority <= -1) {
      this.lockup(this.record(kind, target, 0, forced, returnAddress, -1, address, detail));
      return;
    }
    const ipsr = cpu.ipsr;
    this.enter(taken, returnAddress);
    if (this.lockedUp) return;
    const record = this.record(kind, target, taken, forced, returnAddress, this.frameResult.frameAddress, address, detail);
    record.ipsr = ipsr;
    record.excReturn = cpu.r[14];
    this.events.faultTaken(record);
  }

  private record(kind: FaultRecord['kind'], natural: number, taken: number, forced: boolean, pc: number, frameAddress: number, address?: number, detail?: string): FaultRecord {
    const record: FaultRecord = { kind, natural, taken, forced, lockup: taken === 0, pc: pc >>> 0, frameAddress, address, detail, ipsr: this.cpu.ipsr };
    this.lastFault = record;
    return record;
  }

  private lockup(record: FaultRecord): void {
    record.lockup = true;
    record.taken = 0;
    this.lastFault = record;
    this.lockedUp = true;
    this.events.lockup(record);
  }

  /** SVC was executed: SVCall is taken after the instruction if its priority allows; otherwise
   *  the SVC is a fault that escalates to HardFault (B1.5.14). Called after the SVC retired. */
  serviceCall(): void {
    if (this.canPreempt(Exc.SVCall)) {
      this.enter(Exc.SVCall, this.cpu.pc);
      return;
    }
    this.takeFault('SVC-PRIORITY', Exc.SVCall, undefined, 'SVC executed where SVCall cannot preempt (priority or masking)');
  }

  // ---- exception return (B1.5.8) ----------------------------------------------------------------

  /** Perform the exception return requested by cpu.pendingExceptionReturn. */
  exceptionReturn(): void {
    const cpu = this.cpu;
    const excReturn = cpu.pendingExceptionReturn >>> 0;
    cpu.pendingExceptionReturn = -1;
    const returning = cpu.ipsr;
    const hasFpu = cpu.hasFpu;
    const others = this.activeCount() - (this.active[returning] !== 0 ? 1 : 0);
    const extended = hasFpu && (excReturn & 0x10) === 0;
    const low = excReturn & 0xf;
    const validHigh = hasFpu ? (excReturn >>> 5) === 0x7ffffff : (excReturn >>> 4) === 0xfffffff;
    let valid = this.active[returning] !== 0 && validHigh;
    if (valid) {
      if (low === 0x1) valid = others !== 0;
      else if (low === 0x9 || low === 0xd) valid = others === 0 || this.nonBaseThreadEnable;
      else valid = false;
    }
    if (!valid) {
      // INVPC: a UsageFault taken without unstacking; LR is made an invalid EXC_RETURN so the
      // handler cannot blindly retry (B1.5.8 ExceptionReturn pseudocode).
      cpu.pc = excReturn;
      if (!this.isV6m) this.cfsr |= Cfsr.INVPC;
      const lr = (0xf0000000 + excReturn) >>> 0;
      this.takeFaultWithoutStacking(FaultKind.InvalidPc, this.isV6m ? Exc.HardFault : Exc.UsageFault, lr, `invalid EXC_RETURN 0x${excReturn.toString(16)}`);
      return;
    }

    // DeActivate (B1.5.8): FAULTMASK clears on return from anything but NMI (ARMv7-M).
    this.active[returning] = 0;
    if (returning !== Exc.NMI) cpu.faultmask = 0;
    this.dirty = true;
    if (this.observer !== null) this.observer(returning, false);
    // A level-sensitive line the handler did not deassert is sampled again: pending once more,
    // so it is taken (tail-chained) again when its priority allows.
    if (this.lineLevel[returning] !== 0) this.pending[returning] = 1;

    // Tail-chaining: a pending exception that can preempt the context being returned to is taken
    // straight away, reusing the frame already on the stack (B1.5.12).
    const next = this.highestPending();
    if (next !== 0 && this.groupPriority(next) < this.executionPriority()) {
      this.tailChain(next, excReturn);
      cpu.cycles += 6 - 12; // tail-chain costs 6 cycles instead of 12 for a full entry
      return;
    }

    const toThread = low !== 0x1;
    const usePsp = low === 0xd;
    const frameptr = usePsp ? cpu.psp : cpu.msp;
    const bus = cpu.bus;
    let r0, r1, r2, r3, r12, lr, pc, xpsr;
    try {
      r0 = bus.read32(frameptr);
      r1 = bus.read32(frameptr + 4);
      r2 = bus.read32(frameptr + 8);
      r3 = bus.read32(frameptr + 12);
      r12 = bus.read32(frameptr + 16);
      lr = bus.read32(frameptr + 20);
      pc = bus.read32(frameptr + 24);
      xpsr = bus.read32(frameptr + 28);
      if (extended) popFpContext(cpu, frameptr + 0x20);
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      // UNSTKERR: the return is abandoned and the BusFault is taken on the existing frame.
      if (!this.isV6m) this.cfsr |= Cfsr.UNSTKERR;
      this.takeFaultWithoutStacking(FaultKind.UnstackingBusError, this.isV6m ? Exc.HardFault : Exc.BusFault, excReturn, 'exception return unstacking hit unmapped memory', e.address);
      return;
    }
    const forceAlign = this.isV6m || this.stackAlign8;
    const newSp = (frameptr + (extended ? 0x68 : 0x20) + (forceAlign && (xpsr & (1 << 9)) !== 0 ? 4 : 0)) >>> 0;
    if (usePsp) cpu.psp = newSp;
    else cpu.msp = newSp;
    cpu.r[0] = r0;
    cpu.r[1] = r1;
    cpu.r[2] = r2;
    cpu.r[3] = r3;
    cpu.r[12] = r12;
    cpu.r[14] = lr;
    cpu.pc = (pc & ~1) >>> 0;
    cpu.nextPc = cpu.pc;
    cpu.xpsrFlagsAndState = xpsr;
    const frameIpsr = xpsr & (this.isV6m ? 0x3f : 0x1ff);
    let control = (cpu.control & ~(2 | 4)) | (usePsp ? 2 : 0) | (extended ? 4 : 0);
    if (!hasFpu) control &= ~4;
    cpu.setModeAndControl(toThread ? 0 : frameIpsr, control);
    cpu.exclusiveAddress = -1;
    this.eventRegister = true;
    cpu.cycles += 10;
    if (toThread ? frameIpsr !== 0 : frameIpsr === 0) {
      // The frame's IPSR disagrees with the mode EXC_RETURN asked for: INVPC (B1.5.8).
      if (!this.isV6m) this.cfsr |= Cfsr.INVPC;
      this.takeFault(FaultKind.InvalidPc, this.isV6m ? Exc.HardFault : Exc.UsageFault, undefined, `stacked IPSR ${frameIpsr} does not match EXC_RETURN 0x${excReturn.toString(16)}`);
      return;
    }
    if (toThread && this.sleepOnExit) this.events.sleepOnExit();
  }

  /** Enter exception n on the frame that is already stacked (tail-chaining, or a fault raised
   *  during exception return). */
  private tailChain(n: number, excReturn: number): void {
    this.exceptionTaken(n, excReturn, -1);
  }

  private takeFaultWithoutStacking(kind: FaultRecord['kind'], target: number, lr: number, detail: string, address?: number): void {
    const executionPriority = this.executionPriority();
    let taken = target;
    let forced = false;
    if (target !== Exc.HardFault && (this.enabled[target] === 0 || this.groupPriority(target) >= executionPriority)) {
      taken = Exc.HardFault;
      forced = true;
      this.hfsr |= Hfsr.FORCED;
    }
    const pc = this.cpu.pc;
    if (taken === Exc.HardFault && executionPriority <= -1) {
      this.lockup(this.record(kind, target, 0, forced, pc, -1, address, detail));
      return;
    }
    const cpu = this.cpu;
    const ipsr = cpu.ipsr;
    // The frame in use is the one EXC_RETURN (in LR before this fault) names.
    const frameAddress = lr === excReturnForFrame(lr) && (lr & 4) !== 0 ? cpu.psp : cpu.msp;
    this.exceptionTaken(taken, lr, frameAddress);
    if (this.lockedUp) return;
    const record = this.record(kind, target, taken, forced, pc, frameAddress, address, detail);
    record.ipsr = ipsr;
    record.excReturn = lr;
    this.events.faultTaken(record);
  }
}
