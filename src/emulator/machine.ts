// A whole simulated microcontroller: CPU, bus, memories, system control space, peripherals and
// semihosting, with the run loop that ties them together.
//
// The run loop executes instructions in slices. A slice ends at the next timer event (SysTick is
// computed from the cycle counter, never ticked) or as soon as something needs attention: an NVIC
// or SCB write that may make an exception take-able, a PRIMASK change, an SVC, WFI/WFE, an exception
// return, a semihosting exit. Requesting attention sets `sliceEnd` to 0, so the inner loop checks
// nothing per instruction beyond its three loop conditions, and allocates nothing.

import { Bus, type RamRegion, type Watch, type WatchAccess } from './bus';
import { addBitBandAliases } from './bitband';
import { coreHasFpu, cpuidFor, type ChipDescription } from './chips/chip';
import { Cpu, type CpuHooks } from './cpu/cpu';
import { opaqueDecoded, type Decoded } from './cpu/decoded';
import { BLOCK_REFUSED } from './cpu/blocks';
import { GuestFault } from './cpu/fault';
import { readElf, PT_LOAD, type ElfFile } from '../debuginfo/elf';
import { Exc, ExceptionModel, type FaultRecord } from './exceptions';
import { explainFault, type FaultExplanation } from './fault-explanation';
import { PlainRegisterBlock } from './peripherals/plain-registers';
import type { PeripheralContext, PeripheralDevice } from './peripherals/peripheral';
import { Dwt } from './scs/dwt';
import { Nvic } from './scs/nvic';
import { Scb } from './scs/scb';
import { DWT_BASE, SCS_BASE, SystemControlSpace } from './scs/scs';
import { SysTick } from './scs/systick';
import { NodeSemihostingFileSystem, Semihosting, type SemihostingFileSystem } from './semihosting';

export type StopReason =
  /** Semihosting SYS_EXIT / SYS_EXIT_EXTENDED (see exitCode). */
  | 'exit'
  /** A breakpoint, or a BKPT instruction that is not a semihosting call (debug halt; PC at it). */
  | 'breakpoint'
  /** A data breakpoint was hit: the accessing instruction completed, PC is after it; see
   *  Machine.lastDataBreakpointHit and message. */
  | 'data-breakpoint'
  /** A fault exception was entered and `stopOnFault` is set (PC at the handler). */
  | 'fault'
  /** The core locked up (a fault in HardFault/NMI, or with FAULTMASK set). */
  | 'fault-lockup'
  /** maxInstructions reached. */
  | 'limit'
  /** `halt()` was called (from an observer or another task). */
  | 'halted'
  /** The `until` predicate returned true. */
  | 'until'
  /** WFI/WFE with nothing that could ever wake the core. */
  | 'sleep-forever'
  /** The machine cannot continue (e.g. a system reset found no valid vector table); see message. */
  | 'error';

export interface RunOptions {
  maxInstructions?: number;
  /** Checked after every instruction (slower; use for "run to address" style stops). */
  until?: () => boolean;
}

export interface RunResult {
  reason: StopReason;
  /** Instructions retired by this call. */
  instructions: number;
  /** Cycles elapsed during this call (including sleep). */
  cycles: number;
  exitCode?: number;
  message?: string;
}

export interface MachineOptions {
  /** Serve BKPT 0xAB as semihosting (default true). */
  semihosting?: boolean;
  /** Working directory for semihosting files (Node file system, confined to it). */
  workingDirectory?: string;
  /** Or an explicit file system (e.g. in memory); none means file operations fail. */
  fileSystem?: SemihostingFileSystem;
  /** SYS_GET_CMDLINE result. */
  commandLine?: string;
  /** Console input for SYS_READC / SYS_READ on ":tt": next byte or -1. */
  input?: () => number;
  /** Stop run() with 'fault' when a fault exception is entered (the CLI reports it). */
  stopOnFault?: boolean;
  /** How instructions are executed: 'blocks' (default) runs straight-line code compiled into
   *  JavaScript functions (cpu/blocks.ts); 'interpreter' steps one decoded instruction at a time
   *  and is the reference. Both stop, fault and take interrupts at the same instructions. */
  engine?: ExecutionEngine;
}

export type ExecutionEngine = 'blocks' | 'interpreter';

export type DataBreakpointAccess = WatchAccess;

export interface DataBreakpointHit {
  /** The data breakpoint as it was set. */
  address: number;
  size: number;
  access: DataBreakpointAccess;
  /** The access that hit it. */
  accessAddress: number;
  accessSize: number;
  write: boolean;
  /** The value read or written. */
  value: number;
  /** The instruction that made the access. */
  pc: number;
}

export type RegisterName =
  | 'r0' | 'r1' | 'r2' | 'r3' | 'r4' | 'r5' | 'r6' | 'r7' | 'r8' | 'r9' | 'r10' | 'r11' | 'r12'
  | 'sp' | 'lr' | 'pc' | 'xpsr' | 'msp' | 'psp' | 'primask' | 'basepri' | 'faultmask' | 'control';

export const registerNames: readonly RegisterName[] = [
  'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12',
  'sp', 'lr', 'pc', 'xpsr', 'msp', 'psp', 'primask', 'basepri', 'faultmask', 'control',
];

export class MachineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineError';
  }
}

/** A device whose next event (an interrupt request) is known in advance, in core cycles. */
export interface TimedDevice {
  readonly nextEventCycle: number;
  /** Bring the device up to the current cycle count (called at or after nextEventCycle). */
  advance(): void;
  /** True for a host-side deadline (the real-time pacer) rather than a simulated device: its
   *  events bound a sleep but can never wake the core, so they do not keep a WFI that nothing
   *  else can end from being reported as 'sleep-forever'. */
  readonly hostDeadline?: boolean;
}

type Listener<T extends unknown[]> = (...args: T) => void;

class Observers<T extends unknown[]> {
  private readonly list: Listener<T>[] = [];
  add(listener: Listener<T>): () => void {
    this.list.push(listener);
    return () => {
      const i = this.list.indexOf(listener);
      if (i >= 0) this.list.splice(i, 1);
    };
  }
  get any(): boolean {
    return this.list.length > 0;
  }
  emit(...args: T): void {
    for (const l of this.list) l(...args);
  }
}

/** Thrown through Cpu.step to stop before an instruction (breakpoint or debug BKPT). Not an
 *  Error: no stack trace is captured, and it is never seen outside the Machine. */
const HALT = Symbol('halt');

function hex8(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

export class Machine {
  readonly bus = new Bus();
  readonly cpu: Cpu;
  readonly exceptions: ExceptionModel;
  readonly nvic: Nvic;
  readonly scb: Scb;
  readonly systick: SysTick;
  readonly dwt: Dwt | null;
  readonly scs: SystemControlSpace;
  readonly semihosting: Semihosting;
  readonly flash: RamRegion;
  readonly sram: RamRegion[];
  /** Peripheral blocks in chip order: behavioural models, or plain registers. */
  readonly peripherals: PeripheralDevice[] = [];
  /** Core (HCLK) frequency now; a clock-tree model updates it (chip.clockHz after reset). */
  coreClockHz: number;
  /** The ELF loaded last, if any. */
  elf: ElfFile | null = null;
  semihostingEnabled: boolean;
  stopOnFault: boolean;

  /** The core is in WFI/WFE sleep. */
  sleeping = false;
  /** Exit code from semihosting, once the firmware exited. */
  exitCode: number | undefined = undefined;

  private readonly timers: TimedDevice[] = [];
  readonly engine: ExecutionEngine;
  /** The inner loop runs while cpu.cycles < sliceEnd; 0 requests attention. Kept in the Cpu so
   *  that compiled blocks see it too. */
  private get sliceEnd(): number {
    return this.cpu.sliceEnd;
  }
  private set sliceEnd(value: number) {
    this.cpu.sliceEnd = value;
  }
  private stopReason: StopReason | null = null;
  private stopMessage: string | undefined = undefined;
  private svcRequested = false;
  private resetRequested = false;
  private readonly breakpoints = new Set<number>();
  /** The data breakpoint hit last (set when a run stops with 'data-breakpoint'). */
  lastDataBreakpointHit: DataBreakpointHit | null = null;
  /** While set, the breakpoint trap at the PC the run started from executes its instruction. */
  private skipBreakpointOnce = false;
  private readonly fileSystem: SemihostingFileSystem | null;
  private readonly commandLine: string;
  private readonly input: () => number;

  private readonly outputObservers = new Observers<[text: string, stream: 'stdout' | 'stderr']>();
  private readonly faultObservers = new Observers<[explanation: FaultExplanation]>();
  private readonly exitObservers = new Observers<[code: number]>();
  private readonly pinObservers = new Observers<[port: string, pin: number, level: boolean]>();
  private readonly warningObservers = new Observers<[message: string]>();
  private readonly resetObservers = new Observers<[]>();
  private readonly uartObservers = new Observers<[name: string, byte: number]>();
  private readonly exceptionObservers = new Observers<[exception: number, entered: boolean]>();

  constructor(readonly chip: ChipDescription, options: MachineOptions = {}) {
    this.semihostingEnabled = options.semihosting ?? true;
    this.stopOnFault = options.stopOnFault ?? false;
    // CORTEX_M_SIM_ENGINE=interpreter forces the reference engine (for tests and comparisons).
    const forced = typeof process === 'undefined' ? undefined : process.env.CORTEX_M_SIM_ENGINE;
    this.engine = options.engine ?? (forced === 'interpreter' ? 'interpreter' : 'blocks');
    this.fileSystem = options.fileSystem ?? (options.workingDirectory !== undefined ? new NodeSemihostingFileSystem(options.workingDirectory) : null);
    this.commandLine = options.commandLine ?? '';
    this.input = options.input ?? (() => -1);
    this.coreClockHz = chip.clockHz;

    const bus = this.bus;
    const cpu = (this.cpu = new Cpu(bus, chip.profile));
    cpu.hasFpu = coreHasFpu(chip.core);
    cpu.hasDoubleFpu = chip.core === 'cortex-m7f';

    // Memories. SRAM is executable (code may be copied there); flash is read-only to the CPU.
    this.flash = bus.addRam('flash', chip.flash.base, chip.flash.size, { writable: false, executable: true });
    if (chip.flash.aliasedAtZero && chip.flash.base !== 0) bus.addAlias('flash (boot alias)', 0, this.flash);
    this.sram = chip.sram.map((s) => bus.addRam(s.name, s.base, s.size, { writable: true, executable: true }));
    // Code was rewritten: put breakpoint traps back, and leave any compiled block at once so that
    // the next instruction is fetched afresh (as the interpreter would).
    for (const region of bus.regions) {
      region.onInvalidate = (address, size) => {
        this.sliceEnd = 0;
        this.reinstallBreakpoints(address, size);
      };
    }

    // System control space.
    this.exceptions = new ExceptionModel(cpu, { irqCount: chip.irqCount, priorityBits: chip.priorityBits }, {
      attention: () => { this.sliceEnd = 0; },
      lockup: (record) => this.onLockup(record),
      faultTaken: (record) => this.onFaultTaken(record),
      sleepOnExit: () => { this.sleeping = true; this.sliceEnd = 0; },
    });
    const divider = chip.systickReferenceDivider ?? 0;
    // SYST_CALIB: TENMS = reference ticks in 10 ms; NOREF when there is no reference clock.
    const calib = divider === 0 ? (1 << 31) | 0x40000000 : Math.round(chip.clockHz / divider / 100) - 1;
    this.systick = new SysTick(cpu, this.exceptions, divider, calib >>> 0, () => { this.sliceEnd = 0; });
    this.timers.push(this.systick);
    this.dwt = chip.profile === 'v6m' ? null : new Dwt(cpu);
    this.nvic = new Nvic(this.exceptions);
    this.scb = new Scb(cpu, this.exceptions, { cpuid: cpuidFor(chip.core), hasVtor: chip.core !== 'cortex-m0' }, this.dwt, () => {
      this.resetRequested = true;
      this.sliceEnd = 0;
    });
    this.scs = new SystemControlSpace(cpu, this.nvic, this.scb, this.systick);
    bus.addDevice('SCS', SCS_BASE, 0x1000, this.scs);
    if (this.dwt) bus.addDevice('DWT', DWT_BASE, 0x1000, this.dwt);
    if (chip.bitBand) addBitBandAliases(bus);

    const context = this.peripheralContext();
    for (const p of chip.peripherals) {
      const block = p.model ? p.model(p, context) : new PlainRegisterBlock(p, (message) => this.warningObservers.emit(message));
      this.peripherals.push(block);
      bus.addDevice(p.name, p.base, p.size, block);
    }
    for (const p of this.peripherals) p.link?.();

    this.semihosting = new Semihosting({
      cpu,
      output: (text, stream) => this.outputObservers.emit(text, stream),
      input: () => this.input(),
      exit: (code) => this.onSemihostingExit(code),
      cycles: () => cpu.cycles,
      clockHz: chip.clockHz,
      heapInfo: () => this.heapInfo(),
      commandLine: () => this.commandLine,
      fileSystem: this.fileSystem,
      now: () => Date.now(),
      warn: (message) => this.warningObservers.emit(message),
    });

    cpu.hooks = this.makeHooks();
    bus.onWatch = (watch, address, size, write, value) => this.onDataBreakpoint(watch, address, size, write, value);
  }

  /** What peripheral models see of the machine. */
  private peripheralContext(): PeripheralContext {
    return {
      cpu: this.cpu,
      pendIrq: (irq) => this.pendIrq(irq),
      setIrqLevel: (irq, asserted) => this.setIrqLevel(irq, asserted),
      addTimedDevice: (device) => this.addTimedDevice(device),
      requestAttention: () => { this.sliceEnd = 0; },
      emitPinChange: (port, pin, level) => this.pinObservers.emit(port, pin, level),
      emitUartOutput: (name, byte) => this.uartObservers.emit(name, byte),
      warn: (message) => this.warningObservers.emit(message),
      requestSystemReset: () => {
        this.resetRequested = true;
        this.sliceEnd = 0;
      },
      setCoreClockHz: (hz) => { this.coreClockHz = hz; },
      peripheral: (name) => this.peripheral(name),
    };
  }

  /** A peripheral block by name (e.g. 'GPIOA', 'USART2'); models have their own API. */
  peripheral(name: string): PeripheralDevice | undefined {
    return this.peripherals.find((p) => p.description.name === name);
  }

  /** Create a machine, load an ELF and reset it. */
  static fromElf(chip: ChipDescription, bytes: Uint8Array, fileName: string, options?: MachineOptions): Machine {
    const machine = new Machine(chip, options);
    machine.loadElf(bytes, fileName);
    machine.reset();
    return machine;
  }

  private makeHooks(): CpuHooks {
    return {
      svc: () => {
        this.svcRequested = true;
        this.sliceEnd = 0;
      },
      bkpt: (imm) => {
        if (imm === 0xab && this.semihostingEnabled) this.semihosting.call();
        else throw HALT;
      },
      wfi: () => {
        this.sleeping = true;
        this.sliceEnd = 0;
      },
      wfe: () => {
        // WFE returns at once if the event register was set, clearing it (B1.5.18).
        if (this.exceptions.eventRegister) this.exceptions.eventRegister = false;
        else {
          this.sleeping = true;
          this.sleepForEvent = true;
          this.sliceEnd = 0;
        }
      },
      sev: () => {
        this.exceptions.eventRegister = true;
      },
      priorityMaskChanged: () => {
        this.cpu.basepri &= this.exceptions.priorityMask;
        this.exceptions.changed();
      },
    };
  }
  private sleepForEvent = false;

  // ---- observers ---------------------------------------------------------------------------------

  /** Semihosting console output. */
  onSemihostingOutput(listener: (text: string, stream: 'stdout' | 'stderr') => void): () => void {
    return this.outputObservers.add(listener);
  }
  /** A fault exception was entered, or the core locked up. */
  onFault(listener: (explanation: FaultExplanation) => void): () => void {
    return this.faultObservers.add(listener);
  }
  onExit(listener: (code: number) => void): () => void {
    return this.exitObservers.add(listener);
  }
  /** GPIO pin level changes (for board models), from the GPIO models.  */
  onPinChange(listener: (port: string, pin: number, level: boolean) => void): () => void {
    return this.pinObservers.add(listener);
  }
  /** Notices such as "RCC is not modelled yet". */
  onWarning(listener: (message: string) => void): () => void {
    return this.warningObservers.add(listener);
  }
  /** A byte left a UART transmitter (peripheral name, e.g. 'USART2'). */
  onUartOutput(listener: (name: string, byte: number) => void): () => void {
    return this.uartObservers.add(listener);
  }
  /** Every exception entry (entered = true; cpu.cycles is still that of the interrupted instruction stream) and return
   *  (entered = false). The exception model only calls out while a listener is attached. */
  onException(listener: (exception: number, entered: boolean) => void): () => void {
    const remove = this.exceptionObservers.add(listener);
    this.exceptions.observer = (n, entered) => this.exceptionObservers.emit(n, entered);
    return () => {
      remove();
      if (!this.exceptionObservers.any) this.exceptions.observer = null;
    };
  }
  /** The machine was reset (by reset() or AIRCR.SYSRESETREQ). */
  onReset(listener: () => void): () => void {
    return this.resetObservers.add(listener);
  }
  /** For peripheral models: report a pin level change. */
  emitPinChange(port: string, pin: number, level: boolean): void {
    this.pinObservers.emit(port, pin, level);
  }

  /** Register a device with timed events (peripheral timers) with the run loop. */
  addTimedDevice(device: TimedDevice): void {
    this.timers.push(device);
    this.sliceEnd = 0;
  }
  /** Peripheral models call this when their next event time changed. */
  requestAttention(): void {
    this.sliceEnd = 0;
  }

  // ---- loading and reset -------------------------------------------------------------------------

  /** Load an ELF's PT_LOAD segments at their physical (load) addresses. */
  loadElf(bytes: Uint8Array, fileName = '<elf>'): ElfFile {
    const elf = readElf(bytes, fileName);
    if (elf.is64 || elf.machine !== 40) {
      throw new MachineError(`${fileName}: not a 32-bit ARM ELF (e_machine ${elf.machine}${elf.is64 ? ', 64-bit' : ''})`);
    }
    const segments = elf.segments.filter((s) => s.type === PT_LOAD && s.filesz > 0);
    if (segments.length === 0) throw new MachineError(`${fileName}: no loadable segments`);
    for (const s of segments) {
      if (!this.bus.load(s.paddr, s.data.subarray(0, s.filesz))) {
        throw new MachineError(
          `${fileName}: segment at ${hex8(s.paddr)}..${hex8(s.paddr + s.filesz)} (${s.filesz} bytes) does not fit in ` +
          `${this.chip.name}'s memory (${this.describeMemory()}); is the firmware linked for this chip?`,
        );
      }
    }
    this.elf = elf;
    return elf;
  }

  /** Load raw bytes (tests, binary images). */
  loadBytes(address: number, data: Uint8Array): void {
    if (!this.bus.load(address, data)) throw new MachineError(`${hex8(address)}+${data.length}: outside ${this.chip.name}'s memory (${this.describeMemory()})`);
  }

  describeMemory(): string {
    const f = this.chip.flash;
    const parts = [`flash ${hex8(f.base)}..${hex8(f.base + f.size)}`];
    for (const s of this.chip.sram) parts.push(`${s.name} ${hex8(s.base)}..${hex8(s.base + s.size)}`);
    return parts.join(', ');
  }

  private inRam(address: number): boolean {
    return this.chip.sram.some((s) => address >= s.base && address <= s.base + s.size);
  }

  /** Power-on reset: the core, the system control space and the peripherals; memory is kept.
   *  Reads the initial SP and the reset vector from the vector table at 0 and checks them. */
  reset(): void {
    const cpu = this.cpu;
    cpu.r.fill(0);
    cpu.n = cpu.z = cpu.c = cpu.v = cpu.q = false;
    cpu.ge = 0;
    cpu.itState = 0;
    cpu.thumb = true;
    cpu.setModeAndControl(0, 0);
    cpu.primask = cpu.faultmask = cpu.basepri = 0;
    cpu.pendingExceptionReturn = -1;
    cpu.exclusiveAddress = -1;
    cpu.unalignTrap = cpu.divZeroTrap = false;
    cpu.fpRegs.fill(0);
    cpu.fpscr = 0;
    cpu.cpacr = 0;
    cpu.fpccr = 0xc0000000;
    cpu.fpcar = 0;
    cpu.fpdscr = 0;
    this.exceptions.reset();
    this.systick.reset();
    this.dwt?.reset();
    this.scb.reset();
    for (const p of this.peripherals) p.reset();
    this.semihosting.reset();
    this.sleeping = false;
    this.sleepForEvent = false;
    this.svcRequested = false;
    this.resetRequested = false;
    this.exitCode = undefined;
    this.sliceEnd = 0;

    // Vector table at VTOR = 0 (B1.5.5 TakeReset).
    const sp = this.bus.peek(0, 4);
    const entry = this.bus.peek(4, 4);
    if (sp === null || entry === null) {
      throw new MachineError(`no vector table: nothing is mapped at 0x00000000 on ${this.chip.name} (${this.describeMemory()})`);
    }
    if (sp === 0 && entry === 0) {
      throw new MachineError(`the vector table at 0x00000000 is empty (initial SP and reset vector are 0): no firmware is loaded there (${this.describeMemory()})`);
    }
    if (!this.inRam(sp)) {
      throw new MachineError(`initial stack pointer ${hex8(sp)} (vector table word 0) is outside RAM (${this.describeMemory()})`);
    }
    if ((entry & 1) === 0) {
      throw new MachineError(`reset vector ${hex8(entry)} has bit 0 clear: Cortex-M vectors must be Thumb addresses (odd)`);
    }
    const region = this.bus.regionAt(entry & ~1, 2);
    if (region === null || !region.options.executable) {
      throw new MachineError(`reset vector ${hex8(entry)} points outside executable memory (${this.describeMemory()})`);
    }
    cpu.msp = sp;
    cpu.psp = 0;
    cpu.r[14] = 0xffffffff;
    cpu.pc = cpu.nextPc = (entry & ~1) >>> 0;
    this.resetObservers.emit();
  }

  /** AIRCR.SYSRESETREQ: a system reset, from inside a run. */
  private systemReset(): void {
    try {
      this.reset();
    } catch (e) {
      if (!(e instanceof MachineError)) throw e;
      this.stop('error', `system reset failed: ${e.message}`);
    }
  }

  // ---- running -----------------------------------------------------------------------------------

  /** Stop the current run() at the next opportunity (from an observer or a hook). */
  halt(): void {
    this.stop('halted');
  }

  private stop(reason: StopReason, message?: string): void {
    if (this.stopReason === null) {
      this.stopReason = reason;
      this.stopMessage = message;
    }
    this.sliceEnd = 0;
  }

  /** Execute one instruction (after taking any exception that is due). */
  step(): RunResult {
    return this.run({ maxInstructions: 1 });
  }

  run(options: RunOptions = {}): RunResult {
    const cpu = this.cpu;
    const startInstructions = cpu.instructions;
    const startCycles = cpu.cycles;
    const instructionEnd = options.maxInstructions === undefined ? Infinity : startInstructions + options.maxInstructions;
    const until = options.until;
    this.stopReason = null;
    this.stopMessage = undefined;
    if (this.exceptions.lockedUp) this.stop('fault-lockup', 'the core is locked up; reset it');
    else if (this.exitCode !== undefined) this.stop('exit');
    const startPc = cpu.pc;
    let first = true;

    while (this.stopReason === null) {
      try {
        this.service();
        if (this.stopReason !== null) break;
        if (this.sleeping) {
          this.sleep();
          continue;
        }
        if (cpu.instructions >= instructionEnd) {
          this.stop('limit');
          break;
        }
        this.sliceEnd = this.nextTimerEvent();
        if (first) {
          first = false;
          if (cpu.pc === startPc && this.breakpoints.has(cpu.pc)) {
            // Resuming from a breakpoint: execute the instruction under it once.
            this.skipBreakpointOnce = true;
            cpu.step();
            this.skipBreakpointOnce = false;
            if (until !== undefined && until()) this.stop('until');
            continue;
          }
        }
        if (until !== undefined) this.runSliceUntil(instructionEnd, until);
        else if (this.engine === 'blocks') this.runSliceBlocks(instructionEnd);
        else this.runSlice(instructionEnd);
      } catch (e) {
        this.skipBreakpointOnce = false;
        this.handleThrow(e);
      }
    }
    const result: RunResult = {
      reason: this.stopReason ?? 'halted',
      instructions: cpu.instructions - startInstructions,
      cycles: cpu.cycles - startCycles,
    };
    if (result.reason === 'exit') result.exitCode = this.exitCode;
    if (this.stopMessage !== undefined) result.message = this.stopMessage;
    return result;
  }

  /** The hot loop. */
  private runSlice(instructionEnd: number): void {
    const cpu = this.cpu;
    while (cpu.cycles < this.sliceEnd && cpu.instructions < instructionEnd && cpu.pendingExceptionReturn === -1) {
      cpu.step();
    }
  }

  /** The hot loop with compiled blocks; single instructions where a block would overrun the
   *  instruction budget, inside IT blocks, and where nothing compiles (the step raises the fault). */
  private runSliceBlocks(instructionEnd: number): void {
    const cpu = this.cpu;
    cpu.instructionEnd = instructionEnd;
    while (cpu.cycles < cpu.sliceEnd && cpu.instructions < instructionEnd && cpu.pendingExceptionReturn === -1) {
      if (cpu.itState === 0 && cpu.thumb && (cpu.pc & 1) === 0) {
        const block = cpu.blockAt(cpu.pc);
        if (block !== null) {
          let next = block.run(cpu);
          if (next !== BLOCK_REFUSED) {
            // From block to block while each leaves for a compiled one with nothing else to look
            // at (each checks the deadline and the budget itself on entry).
            while (next >= 0) {
              const following = cpu.compiledBlockAt(next);
              if (following === null) break;
              next = following.run(cpu);
            }
            continue;
          }
          if (cpu.cycles + block.margin >= cpu.sliceEnd) {
            // The block refused to start: the deadline is closer than the block is long, so the
            // interpreter takes the few instructions up to it.
            this.runSlice(instructionEnd);
            return;
          }
          // Otherwise the budget ends inside the block, or its first instruction is a load or
          // store the interpreter must run.
        }
      }
      cpu.step();
    }
  }

  private runSliceUntil(instructionEnd: number, until: () => boolean): void {
    const cpu = this.cpu;
    while (cpu.cycles < this.sliceEnd && cpu.instructions < instructionEnd && cpu.pendingExceptionReturn === -1) {
      cpu.step();
      if (until()) {
        this.stop('until');
        return;
      }
    }
  }

  private handleThrow(e: unknown): void {
    if (e === HALT) {
      this.stop('breakpoint');
      return;
    }
    if (e instanceof GuestFault) {
      this.exceptions.raiseFault(e);
      return;
    }
    // A bug in the simulator itself: stop cleanly rather than let it escape into the host.
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    this.stop('error', `internal error at PC ${hex8(this.cpu.pc)}: ${message}`);
  }

  /** Everything that happens between slices. */
  private service(): void {
    const cpu = this.cpu;
    const exceptions = this.exceptions;
    if (cpu.pendingExceptionReturn !== -1) exceptions.exceptionReturn();
    const timers = this.timers;
    for (let i = 0; i < timers.length; i++) if (cpu.cycles >= timers[i].nextEventCycle) timers[i].advance();
    // After the timed devices: a watchdog timeout requests a reset from advance().
    if (this.resetRequested) {
      this.resetRequested = false;
      this.systemReset();
      if (this.stopReason !== null) return;
    }
    if (this.svcRequested) {
      this.svcRequested = false;
      exceptions.serviceCall();
    }
    if (this.sleeping) {
      // WFI wakes on an exception that could preempt (even if only PRIMASK holds it back); WFE
      // also on the event register (B1.5.18, B1.5.19).
      if (exceptions.wakeUpPending()) {
        this.sleeping = false;
        this.sleepForEvent = false;
      } else if (this.sleepForEvent && exceptions.eventRegister) {
        exceptions.eventRegister = false;
        this.sleeping = false;
        this.sleepForEvent = false;
      }
    }
    if (exceptions.dirty && !this.sleeping) exceptions.takePending();
  }

  private nextTimerEvent(): number {
    let next = Infinity;
    const timers = this.timers;
    for (let i = 0; i < timers.length; i++) if (timers[i].nextEventCycle < next) next = timers[i].nextEventCycle;
    return next;
  }

  /** Sleeping: jump the clock to the next timer event instead of spinning. */
  private sleep(): void {
    const next = this.nextTimerEvent();
    let wake = Infinity;
    const timers = this.timers;
    for (let i = 0; i < timers.length; i++) {
      if (timers[i].hostDeadline !== true && timers[i].nextEventCycle < wake) wake = timers[i].nextEventCycle;
    }
    if (wake === Infinity) {
      this.stop('sleep-forever', `${this.sleepForEvent ? 'WFE' : 'WFI'} at ${hex8(this.cpu.pc - 2)} with no enabled interrupt source that could wake the core`);
      return;
    }
    if (next > this.cpu.cycles) this.cpu.cycles = next;
  }

  private onSemihostingExit(code: number): void {
    this.exitCode = code;
    this.stop('exit');
    this.exitObservers.emit(code);
  }

  private emitFault(): void {
    if (!this.faultObservers.any) return;
    const explanation = explainFault(this);
    if (explanation) this.faultObservers.emit(explanation);
  }

  private onFaultTaken(_record: FaultRecord): void {
    this.emitFault();
    if (this.stopOnFault) this.stop('fault');
  }

  private onLockup(_record: FaultRecord): void {
    this.stop('fault-lockup');
    this.emitFault();
  }

  // ---- breakpoints -------------------------------------------------------------------------------
  // A breakpoint replaces the cached decoded instruction at its address with a trap that stops the
  // run; instructions without breakpoints run exactly as before (no lookup per instruction).

  addBreakpoint(address: number): void {
    address = (address & ~1) >>> 0;
    this.breakpoints.add(address);
    this.installTrap(address);
  }

  removeBreakpoint(address: number): void {
    address = (address & ~1) >>> 0;
    if (!this.breakpoints.delete(address)) return;
    const region = this.bus.regionAt(address, 2);
    if (region?.decoded) region.decoded[(address - region.base) >> 1] = undefined;
    region?.forgetBlocks();
  }

  clearBreakpoints(): void {
    for (const address of [...this.breakpoints]) this.removeBreakpoint(address);
  }

  hasBreakpoint(address: number): boolean {
    return this.breakpoints.has((address & ~1) >>> 0);
  }

  private installTrap(address: number): void {
    const region = this.bus.regionAt(address, 2);
    if (region === null || !region.options.executable) return; // never fetched, so never hit
    const slot = (address - region.base) >> 1;
    if (region.decoded) region.decoded[slot] = undefined; // drop an older trap
    let inner: Decoded;
    try {
      inner = this.cpu.fetch(address);
    } catch {
      return;
    }
    const trap: Decoded = {
      size: inner.size,
      cycles: inner.cycles,
      asm: inner.asm,
      exec: (cpu) => {
        if (!this.skipBreakpointOnce) throw HALT;
        this.skipBreakpointOnce = false;
        inner.exec(cpu);
      },
    };
    opaqueDecoded.add(trap);
    (region.decoded as (Decoded | undefined)[])[slot] = trap;
    // Blocks compiled with the instruction itself must not run past the trap.
    region.forgetBlocks();
  }

  /** Code under breakpoints was rewritten: put the traps back. */
  private reinstallBreakpoints(address: number, size: number): void {
    if (this.breakpoints.size === 0) return;
    for (const bp of this.breakpoints) if (bp >= address - 2 && bp < address + size) this.installTrap(bp);
  }

  // ---- data breakpoints --------------------------------------------------------------------------
  // Watched memory is marked in the bus in 16-byte granules; only accesses to marked granules leave
  // the fast path, so data breakpoints cost nothing elsewhere. A hit stops the run after the
  // accessing instruction (as a DWT watchpoint does), with reason 'data-breakpoint'.

  /** Stop when the CPU accesses [address, address+size) as given (debugger accesses do not count). */
  addDataBreakpoint(address: number, size: number, access: DataBreakpointAccess = 'write'): void {
    this.bus.addWatch(address, size, access);
  }

  /** Remove the data breakpoints at address (of any size and access, or just the one given). */
  removeDataBreakpoint(address: number, size?: number, access?: DataBreakpointAccess): void {
    for (const w of [...this.bus.watchList]) {
      if (w.address === address >>> 0 && (size === undefined || w.size === size) && (access === undefined || w.access === access)) this.bus.removeWatch(w);
    }
  }

  clearDataBreakpoints(): void {
    for (const w of [...this.bus.watchList]) this.bus.removeWatch(w);
  }

  get dataBreakpoints(): readonly { address: number; size: number; access: DataBreakpointAccess }[] {
    return this.bus.watchList;
  }

  private onDataBreakpoint(watch: Watch, address: number, size: number, write: boolean, value: number): void {
    if (this.stopReason !== null) return;
    this.lastDataBreakpointHit = {
      address: watch.address, size: watch.size, access: watch.access,
      accessAddress: address >>> 0, accessSize: size, write, value: value >>> 0, pc: this.cpu.pc >>> 0,
    };
    this.stop('data-breakpoint', `${write ? 'write of' : 'read of'} ${hex8(value)} at ${hex8(address)} (${size} byte${size === 1 ? '' : 's'}) by the instruction at ${hex8(this.cpu.pc)}`);
  }

  // ---- registers and memory (debugger access: no side effects) ----------------------------------

  getRegister(name: RegisterName): number {
    const cpu = this.cpu;
    switch (name) {
      case 'sp': return cpu.r[13];
      case 'lr': return cpu.r[14];
      case 'pc': return cpu.pc >>> 0;
      case 'xpsr': return cpu.xpsr;
      case 'msp': return cpu.msp >>> 0;
      case 'psp': return cpu.psp >>> 0;
      case 'primask': return cpu.primask;
      case 'basepri': return cpu.basepri;
      case 'faultmask': return cpu.faultmask;
      case 'control': return cpu.control;
      default: {
        const n = Number(name.slice(1));
        if (name[0] !== 'r' || !(n >= 0 && n <= 12)) throw new MachineError(`unknown register '${name}'`);
        return cpu.r[n];
      }
    }
  }

  setRegister(name: RegisterName, value: number): void {
    const cpu = this.cpu;
    value >>>= 0;
    switch (name) {
      case 'sp': cpu.r[13] = value & ~3; break;
      case 'lr': cpu.r[14] = value; break;
      case 'pc': cpu.pc = cpu.nextPc = (value & ~1) >>> 0; break;
      case 'xpsr':
        cpu.xpsrFlagsAndState = value;
        cpu.setModeAndControl(value & 0x1ff, cpu.control);
        break;
      case 'msp': cpu.msp = value; break;
      case 'psp': cpu.psp = value; break;
      case 'primask': cpu.primask = value & 1; break;
      case 'basepri': cpu.basepri = value & this.exceptions.priorityMask; break;
      case 'faultmask': cpu.faultmask = value & 1; break;
      case 'control': cpu.setModeAndControl(cpu.ipsr, value & (cpu.hasFpu ? 7 : 3)); break;
      default: {
        const n = Number(name.slice(1));
        if (name[0] !== 'r' || !(n >= 0 && n <= 12)) throw new MachineError(`unknown register '${name}'`);
        cpu.r[n] = value;
      }
    }
    this.exceptions.changed();
  }

  /** Read without side effects; null where nothing is mapped. */
  peek(address: number, size: 1 | 2 | 4 = 4): number | null {
    return this.bus.peek(address, size);
  }

  /** Write as a debugger: also into flash; SCS writes bypass the privilege check. */
  poke(address: number, size: 1 | 2 | 4, value: number): boolean {
    this.scs.debugAccess = true;
    try {
      return this.bus.poke(address, size, value);
    } catch (e) {
      if (e instanceof GuestFault) return false;
      throw e;
    } finally {
      this.scs.debugAccess = false;
    }
  }

  /** Bytes at [address, address+length); unmapped bytes read as 0 (see `isMapped`). */
  readMemory(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.bus.peek((address + i) >>> 0, 1) ?? 0;
    return out;
  }

  writeMemory(address: number, data: Uint8Array): boolean {
    let ok = true;
    for (let i = 0; i < data.length; i++) ok = this.poke((address + i) >>> 0, 1, data[i]) && ok;
    return ok;
  }

  isMapped(address: number): boolean {
    return this.bus.peek(address, 1) !== null;
  }

  // ---- misc --------------------------------------------------------------------------------------

  /** Simulated time in seconds. */
  get seconds(): number {
    return this.cpu.cycles / this.chip.clockHz;
  }

  /** Pend an interrupt as a peripheral would (IRQ number, not exception number). */
  pendIrq(irq: number): void {
    this.exceptions.setPending(Exc.Irq0 + irq);
  }

  /** Drive a level-sensitive interrupt line as a peripheral does (IRQ number): while asserted,
   *  the interrupt is pending again each time its handler returns. */
  setIrqLevel(irq: number, asserted: boolean): void {
    this.exceptions.setLineLevel(Exc.Irq0 + irq, asserted);
  }

  /** SYS_HEAPINFO: heap from the end of the program's RAM data to below the stack. */
  private heapInfo(): [number, number, number, number] {
    const ram = this.chip.sram[0];
    const ramEnd = ram.base + ram.size;
    const stackBase = this.bus.peek(0, 4) ?? ramEnd;
    const elf = this.elf;
    let heapBase = ram.base;
    if (elf) {
      for (const name of ['__sheap', '__heap_start', '__heap_start__', '_end', '__end__', 'end']) {
        const s = elf.symbolByName(name);
        if (s && s.value >= ram.base && s.value < ramEnd) {
          heapBase = s.value;
          break;
        }
      }
    }
    const stackReserve = Math.min(0x2000, ram.size >> 2);
    const stackLimit = Math.max(heapBase, stackBase - stackReserve);
    return [heapBase >>> 0, stackLimit >>> 0, stackBase >>> 0, stackLimit >>> 0];
  }
}
