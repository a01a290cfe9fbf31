// The debug target: a Machine with its firmware's debug information, and the run control a debugger
// needs on top of it — continue, pause, line and instruction stepping, breakpoints with conditions,
// hit counts and log messages, exception stops. It knows nothing of DAP: it reports through plain
// events ('stopped', 'output', 'exited', 'continued') and the session translates.
//
// The emulator runs in slices of a few milliseconds with setImmediate in between, so the adapter
// keeps answering requests (and a pause lands within one slice) even when the firmware spins with
// interrupts masked. Each run-control operation is a generator that yields between slices.

import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Machine, type RunResult } from '../emulator/machine';
import type { ChipDescription } from '../emulator/chips/chip';
import { explainFault, type FaultExplanation } from '../emulator/fault-explanation';
import type { PcRange } from '../debuginfo/dwarf/info';
import { compileExpression, interpolate, type Compiled, type EvalContext } from './expression';
import { ProgramInfo } from './program-info';
import { currentCfa, stackFrames, type StackFrameInfo } from './unwind';

export type StopReasonName = 'entry' | 'step' | 'breakpoint' | 'pause' | 'exception' | 'function breakpoint' | 'instruction breakpoint' | 'goto';

export interface StopInfo {
  reason: StopReasonName;
  /** Short text for the UI ("Paused on HardFault"). */
  description?: string;
  /** Longer text (the fault explanation). */
  text?: string;
  hitBreakpointIds?: number[];
  /** Set when the stop is a fault: the explanation, and where the faulting frame starts. */
  fault?: FaultExplanation;
}

export type BreakpointKind = 'source' | 'function' | 'instruction';

export interface BreakpointSpec {
  id: number;
  address: number;
  kind: BreakpointKind;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

interface ActiveBreakpoint extends BreakpointSpec {
  compiledCondition?: Compiled;
  hitTest?: (hits: number) => boolean;
  hits: number;
}

export interface TargetOptions {
  chip: ChipDescription;
  programPath: string;
  bytes: Uint8Array;
  semihosting?: boolean;
  cwd?: string;
}

type Halt = { kind: 'stop'; info: StopInfo } | { kind: 'exit'; code: number };
type Job = Generator<void, Halt>;

/** Parses a DAP hit condition: "5" / "== 5", ">= 5", "> 5", "% 5". */
export function parseHitCondition(text: string): (hits: number) => boolean {
  const m = /^\s*(==|>=|>|<=|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`hit count condition '${text}' is not one of: N, == N, >= N, > N, < N, <= N, % N`);
  const n = Number(m[2]);
  switch (m[1]) {
    case '>=': return (h) => h >= n;
    case '>': return (h) => h > n;
    case '<=': return (h) => h <= n;
    case '<': return (h) => h < n;
    case '%': return (h) => n > 0 && h % n === 0;
    default: return (h) => h === n;
  }
}

const SLICE_TARGET_MS = 4;

export class Target extends EventEmitter {
  readonly machine: Machine;
  readonly program: ProgramInfo;
  state: 'stopped' | 'running' | 'exited' = 'stopped';
  lastStop: StopInfo | null = null;
  exitCode: number | undefined;
  /** Stop when a fault exception is entered. */
  stopOnFault = true;
  /** Stop in the Rust panic handler. */
  stopOnPanic = true;

  private job: Job | null = null;
  private pauseRequested = false;
  private sliceInstructions = 100_000;
  private readonly groups = new Map<string, ActiveBreakpoint[]>();
  private readonly byAddress = new Map<number, ActiveBreakpoint[]>();
  /** Addresses of temporary stops (run to main, the panic handler) with the stop they report. */
  private readonly internalStops = new Map<number, StopInfo>();
  private readonly bytes: Uint8Array;
  private readonly programPath: string;
  private instructionsAtResume = 0;
  private resumedAt = 0;
  private panicAddress: number | undefined;

  constructor(options: TargetOptions) {
    super();
    this.bytes = options.bytes;
    this.programPath = options.programPath;
    this.machine = Machine.fromElf(options.chip, options.bytes, options.programPath, {
      semihosting: options.semihosting ?? true,
      workingDirectory: options.cwd,
      stopOnFault: true,
    });
    this.program = new ProgramInfo(this.machine.elf!);
    this.machine.onSemihostingOutput((text, stream) => this.emit('output', text, stream));
    this.machine.onWarning((message) => this.emit('output', `warning: ${message}\n`, 'console'));
    const panic = this.program.elf.symbolByName('rust_begin_unwind');
    this.panicAddress = panic ? panic.address : undefined;
    this.updateInternalBreakpoints();
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  /** Replaces the breakpoints of one group (a source file, 'function', 'instruction'). Returns an
   *  error message per breakpoint whose condition does not parse. */
  setBreakpoints(group: string, specs: BreakpointSpec[]): Map<number, string> {
    const errors = new Map<number, string>();
    const active: ActiveBreakpoint[] = specs.map((s) => {
      const a: ActiveBreakpoint = { ...s, hits: 0 };
      try {
        if (s.condition && s.condition.trim() !== '') a.compiledCondition = compileExpression(s.condition);
        if (s.hitCondition && s.hitCondition.trim() !== '') a.hitTest = parseHitCondition(s.hitCondition);
      } catch (e) {
        errors.set(s.id, e instanceof Error ? e.message : String(e));
      }
      return a;
    });
    this.groups.set(group, active);
    this.rebuildBreakpoints();
    return errors;
  }

  private rebuildBreakpoints(): void {
    this.byAddress.clear();
    for (const list of this.groups.values()) {
      for (const b of list) {
        const at = this.byAddress.get(b.address);
        if (at) at.push(b);
        else this.byAddress.set(b.address, [b]);
      }
    }
    this.syncMachineBreakpoints();
  }

  private updateInternalBreakpoints(): void {
    for (const [address, info] of [...this.internalStops]) {
      if (info.description === 'panic') this.internalStops.delete(address);
    }
    if (this.stopOnPanic && this.panicAddress !== undefined) {
      this.internalStops.set(this.panicAddress, { reason: 'exception', description: 'panic', text: 'The firmware panicked (stopped in the panic handler).' });
    }
    this.syncMachineBreakpoints();
  }

  private syncMachineBreakpoints(): void {
    this.machine.clearBreakpoints();
    for (const address of this.byAddress.keys()) this.machine.addBreakpoint(address);
    for (const address of this.internalStops.keys()) this.machine.addBreakpoint(address);
  }

  setExceptionFilters(fault: boolean, panic: boolean): void {
    this.stopOnFault = fault;
    this.machine.stopOnFault = fault;
    this.stopOnPanic = panic;
    this.updateInternalBreakpoints();
  }

  /** Decides what a breakpoint stop at the PC means: a stop, or (logpoints, false conditions) null. */
  private breakpointHit(): StopInfo | null {
    const pc = this.machine.cpu.pc >>> 0;
    const internal = this.internalStops.get(pc);
    const list = this.byAddress.get(pc);
    if (!list && !internal) {
      // A BKPT instruction in the firmware (not a semihosting call).
      const imm = (this.machine.peek(pc, 2) ?? 0) & 0xff;
      return { reason: 'breakpoint', description: `BKPT #${imm}`, text: `The firmware executed BKPT #${imm}.` };
    }
    const ctx = this.evalContext(0);
    const hit: number[] = [];
    let kind: BreakpointKind = 'source';
    let conditionError: string | undefined;
    for (const b of list ?? []) {
      if (b.compiledCondition) {
        try {
          if (b.compiledCondition(ctx) === 0) continue;
        } catch (e) {
          // A condition that cannot be evaluated stops, so the user sees why.
          conditionError = `breakpoint condition '${b.condition}': ${e instanceof Error ? e.message : String(e)}`;
          hit.push(b.id);
          continue;
        }
      }
      b.hits++;
      if (b.hitTest && !b.hitTest(b.hits)) continue;
      if (b.logMessage !== undefined) {
        this.emit('output', interpolate(b.logMessage, ctx) + '\n', 'console');
        continue;
      }
      hit.push(b.id);
      kind = b.kind;
    }
    if (hit.length > 0) {
      const reason: StopReasonName = kind === 'function' ? 'function breakpoint' : kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
      const info: StopInfo = { reason, hitBreakpointIds: hit };
      if (conditionError) info.text = conditionError;
      return info;
    }
    if (internal) return internal;
    return null;
  }

  /** A run-to-entry-point stop is temporary: gone once anything stopped the run. */
  private dropEntryStops(): void {
    let changed = false;
    for (const [address, info] of [...this.internalStops]) {
      if (info.reason === 'entry') {
        this.internalStops.delete(address);
        changed = true;
      }
    }
    if (changed) this.syncMachineBreakpoints();
  }

  /** Hits so far of a breakpoint (tests and the UI). */
  hitCount(id: number): number {
    for (const list of this.groups.values()) for (const b of list) if (b.id === id) return b.hits;
    return 0;
  }

  // ---- run control -------------------------------------------------------------------------------

  get running(): boolean {
    return this.state === 'running';
  }

  /** Instructions per second since the last resume (for a status display). */
  get instructionsPerSecond(): number {
    const seconds = (performance.now() - this.resumedAt) / 1000;
    return seconds > 0 ? (this.machine.cpu.instructions - this.instructionsAtResume) / seconds : 0;
  }

  /** Start after launch: stop at the reset handler, run to a function, or run freely. */
  start(options: { stopOnEntry: boolean; runToEntryPoint: string | false }): string | undefined {
    if (options.stopOnEntry) {
      this.stopNow({ reason: 'entry', description: 'reset handler' });
      return undefined;
    }
    let warning: string | undefined;
    if (options.runToEntryPoint !== false && options.runToEntryPoint !== '') {
      const found = this.program.findFunctions(options.runToEntryPoint);
      if (found.length === 0) {
        warning = `runToEntryPoint: no function '${options.runToEntryPoint}' in ${this.programPath}; running freely`;
      } else {
        const address = this.program.breakAddressForFunction(found[0]);
        this.internalStops.set(address, { reason: 'entry', description: `entry point ${options.runToEntryPoint}` });
        this.syncMachineBreakpoints();
      }
    }
    this.resume();
    return warning;
  }

  resume(): void {
    this.begin(this.runJob());
  }

  pause(): void {
    if (this.state === 'running') this.pauseRequested = true;
  }

  stepInstruction(): void {
    this.begin(this.stepInstructionJob());
  }

  stepLine(into: boolean): void {
    this.begin(this.stepLineJob(into));
  }

  stepOut(): void {
    this.begin(this.stepOutJob());
  }

  /** Reset the machine, reload the firmware's memory image and start again. */
  restart(options: { stopOnEntry: boolean; runToEntryPoint: string | false }): string | undefined {
    this.job = null;
    this.state = 'stopped';
    this.machine.loadElf(this.bytes, this.programPath);
    this.machine.reset();
    for (const list of this.groups.values()) for (const b of list) b.hits = 0;
    this.exitCode = undefined;
    this.lastStop = null;
    return this.start(options);
  }

  /** Stop all activity (terminate/disconnect). */
  dispose(): void {
    this.job = null;
    this.state = 'exited';
    this.removeAllListeners();
  }

  private stopNow(info: StopInfo): void {
    this.state = 'stopped';
    this.lastStop = info;
    this.emit('stopped', info);
  }

  private begin(job: Job): void {
    if (this.state === 'exited') return;
    this.prepareResume();
    this.job = job;
    this.state = 'running';
    this.pauseRequested = false;
    this.lastStop = null;
    this.instructionsAtResume = this.machine.cpu.instructions;
    this.resumedAt = performance.now();
    setImmediate(this.tick);
  }

  /** Resuming from a BKPT instruction steps over it (executing it would only stop again). */
  private prepareResume(): void {
    const m = this.machine;
    const pc = m.cpu.pc >>> 0;
    if (m.hasBreakpoint(pc)) return;
    const hw = m.peek(pc, 2);
    if (hw !== null && (hw & 0xff00) === 0xbe00 && ((hw & 0xff) !== 0xab || !m.semihostingEnabled)) m.setRegister('pc', pc + 2);
  }

  private readonly tick = (): void => {
    const job = this.job;
    if (!job) return;
    if (this.pauseRequested) {
      this.finish(job, { kind: 'stop', info: { reason: 'pause' } });
      return;
    }
    let result: IteratorResult<void, Halt>;
    try {
      result = job.next();
    } catch (e) {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      this.emit('output', `internal error: ${message}\n`, 'stderr');
      this.finish(job, { kind: 'stop', info: { reason: 'exception', description: 'internal error', text: message } });
      return;
    }
    if (this.job !== job) return; // restarted or disposed meanwhile
    if (result.done) this.finish(job, result.value);
    else setImmediate(this.tick);
  };

  private finish(job: Job, halt: Halt): void {
    if (this.job !== job) return;
    this.job = null;
    this.pauseRequested = false;
    this.dropEntryStops();
    if (halt.kind === 'exit') {
      this.state = 'exited';
      this.exitCode = halt.code;
      this.emit('exited', halt.code);
      return;
    }
    this.stopNow(halt.info);
  }

  /**
   * Runs the machine until `until` holds (returns null) or something stops it (returns why),
   * yielding between slices. Logpoints and false conditions continue transparently.
   */
  private *run(until?: () => boolean, maxInstructions = Infinity): Generator<void, Halt | null> {
    const machine = this.machine;
    const end = machine.cpu.instructions + maxInstructions;
    for (;;) {
      const remaining = end - machine.cpu.instructions;
      if (remaining <= 0) return { kind: 'stop', info: { reason: 'step' } };
      const t0 = performance.now();
      const r: RunResult = machine.run({ maxInstructions: Math.min(this.sliceInstructions, remaining), until });
      const elapsed = performance.now() - t0;
      switch (r.reason) {
        case 'limit':
          // Keep slices near SLICE_TARGET_MS whatever the speed of the code being run.
          if (r.instructions >= this.sliceInstructions) {
            if (elapsed < SLICE_TARGET_MS / 2 && this.sliceInstructions < 4_000_000) this.sliceInstructions *= 2;
            else if (elapsed > SLICE_TARGET_MS * 2 && this.sliceInstructions > 2_000) this.sliceInstructions >>= 1;
          }
          if (machine.cpu.instructions >= end) return { kind: 'stop', info: { reason: 'step' } };
          yield;
          break;
        case 'until':
          return null;
        case 'breakpoint': {
          const info = this.breakpointHit();
          if (info) return { kind: 'stop', info };
          if (elapsed > SLICE_TARGET_MS) yield;
          break;
        }
        case 'exit':
          return { kind: 'exit', code: r.exitCode ?? machine.exitCode ?? 0 };
        case 'fault':
        case 'fault-lockup': {
          const fault = explainFault(machine);
          const first = fault ? fault.text.split('\n')[0] : r.message ?? 'fault';
          if (fault) {
            const src = this.program.sourceAt(fault.pc);
            if (src) fault.sourceLine = `${src.path}:${src.line}`;
          }
          let text = fault?.text ?? first;
          if (fault?.sourceLine) text += `\n  source: ${fault.sourceLine}`;
          return { kind: 'stop', info: { reason: 'exception', description: r.reason === 'fault-lockup' ? `Lockup: ${first}` : first, text, fault } };
        }
        case 'halted':
          return { kind: 'stop', info: { reason: 'pause' } };
        case 'sleep-forever':
          this.emit('output', `${r.message ?? 'the core sleeps with nothing to wake it'}\n`, 'console');
          return { kind: 'stop', info: { reason: 'pause', description: 'sleeping forever', text: r.message } };
        case 'error':
          this.emit('output', `${r.message ?? 'the machine cannot continue'}\n`, 'stderr');
          return { kind: 'stop', info: { reason: 'exception', description: 'simulator error', text: r.message } };
        default:
          return { kind: 'stop', info: { reason: 'pause', description: r.reason } };
      }
    }
  }

  private *runJob(): Job {
    const halt = yield* this.run();
    return halt ?? { kind: 'stop', info: { reason: 'pause' } };
  }

  private *stepInstructionJob(): Job {
    const halt = yield* this.run(undefined, 1);
    return halt ?? { kind: 'stop', info: { reason: 'step' } };
  }

  /** The physical function (symbol or subprogram) around an address: [low, high). */
  private functionBounds(address: number): PcRange | null {
    const chain = this.program.functionsAt(address);
    if (chain.length > 0) {
      const outer = chain[chain.length - 1];
      for (const r of outer.ranges) if (address >= r.low && address < r.high) return r;
    }
    const s = this.program.functionSymbolAt(address);
    return s ? { low: s.address, high: s.address + Math.max(2, s.size) } : null;
  }

  /**
   * Source-line step (next / step in). Runs until the PC reaches the start of a statement on a
   * different line in the same function, or leaves the function to an outer frame. Calls are
   * stepped over by running to their return address with the stack back where it was (or, for step
   * in with debug info, stopped after the callee's prologue); inlined calls are stepped over by
   * running out of the inlined subroutine's ranges (or entered, for step in).
   */
  private *stepLineJob(into: boolean): Job {
    const m = this.machine;
    const cpu = m.cpu;
    const p = this.program;
    const step: Halt = { kind: 'stop', info: { reason: 'step' } };
    let range = p.lineRangeAt(cpu.pc);
    if (!range) {
      // No line information here: finish the function, as a source-level step must.
      return yield* this.stepOutJob();
    }
    const startLine = range.line;
    const startFile = range.file;
    const startIpsr = cpu.ipsr;
    const startCfa = currentCfa(m, p);
    const startDepth = p.functionsAt(cpu.pc).length;
    const bounds = this.functionBounds(cpu.pc);
    const inFunction = (a: number) => bounds !== null && a >= bounds.low && a < bounds.high;
    let iterations = 0;

    for (;;) {
      if (++iterations % 256 === 0) yield;
      const lo = range.start;
      const hi = range.end;
      if (cpu.pc >= lo && cpu.pc < hi && cpu.ipsr === startIpsr) {
        const halt = yield* this.run(() => cpu.pc < lo || cpu.pc >= hi || cpu.ipsr !== startIpsr);
        if (halt) return halt;
      }
      const pc = cpu.pc >>> 0;

      if (cpu.ipsr !== startIpsr) {
        if (cpu.r[14] >>> 0 >= 0xf0000000 && cpu.ipsr !== 0) {
          // An interrupt arrived mid-step: let it (and anything it chains to) finish.
          const halt = yield* this.run(() => cpu.ipsr === startIpsr);
          if (halt) return halt;
          continue;
        }
        return step; // returned from the handler being stepped, into the interrupted code
      }

      const lr = cpu.r[14] >>> 0;
      if (!inFunction(pc) && (lr & 1) === 1 && inFunction(lr & ~1)) {
        // A call from the line being stepped.
        if (into && p.lineAt(pc)) {
          const entry = p.functionSymbolAt(pc);
          const target = entry && entry.address === pc ? p.breakAddressForFunction({ name: entry.name, address: entry.address, end: entry.address + entry.size }) : pc;
          if (target !== pc) {
            const spAtCall = cpu.r[13];
            const halt = yield* this.run(() => cpu.pc === target || (cpu.pc === (lr & ~1) && cpu.r[13] >= spAtCall));
            if (halt) return halt;
          }
          return step;
        }
        const returnTo = (lr & ~1) >>> 0;
        const spAtCall = cpu.r[13] >>> 0;
        const halt = yield* this.run(() => cpu.pc === returnTo && cpu.r[13] >>> 0 >= spAtCall && cpu.ipsr === startIpsr);
        if (halt) return halt;
        continue;
      }

      if (!inFunction(pc)) {
        // Left the function without a call: a return (or a tail call); report where we are.
        const cfa = currentCfa(m, p);
        if (cfa >= startCfa || !p.lineAt(pc)) return step;
      }

      const loc = p.lineRangeAt(pc);
      if (!loc) {
        range = { start: pc, end: pc + 2, line: startLine, file: startFile };
        continue;
      }
      const chain = p.functionsAt(pc);
      if (chain.length > startDepth && inFunction(pc)) {
        // Entered an inlined call.
        if (into && p.isStatementStart(pc)) return step;
        const callee = chain[chain.length - startDepth - 1];
        const ranges = callee.ranges;
        const inCallee = (a: number) => {
          for (let i = 0; i < ranges.length; i++) if (a >= ranges[i].low && a < ranges[i].high) return true;
          return false;
        };
        const halt = yield* this.run(() => !inCallee(cpu.pc) && inFunction(cpu.pc) && cpu.ipsr === startIpsr);
        if (halt) return halt;
        const after = p.lineRangeAt(cpu.pc);
        if (after && p.isStatementStart(cpu.pc) && (after.line !== startLine || after.file !== startFile) && p.functionsAt(cpu.pc).length <= startDepth) return step;
        range = after ?? { start: cpu.pc, end: cpu.pc + 2, line: startLine, file: startFile };
        continue;
      }
      if (chain.length < startDepth && p.isStatementStart(pc)) return step; // out of an inlined function
      if (p.isStatementStart(pc) && (loc.line !== startLine || loc.file !== startFile)) return step;
      range = loc;
    }
  }

  /** Step out: run until the current function returns to its caller (or leaves its inlined body). */
  private *stepOutJob(): Job {
    const m = this.machine;
    const cpu = m.cpu;
    const frames = stackFrames(m, this.program).filter((f) => !f.label);
    const top = frames[0];
    const step: Halt = { kind: 'stop', info: { reason: 'step' } };
    const startIpsr = cpu.ipsr;
    if (top && top.inlineDepth > 0) {
      const chain = this.program.functionsAt(cpu.pc);
      const ranges = chain[0].ranges;
      const bounds = this.functionBounds(cpu.pc);
      const halt = yield* this.run(() => {
        const pc = cpu.pc;
        if (cpu.ipsr !== startIpsr) return false;
        for (let i = 0; i < ranges.length; i++) if (pc >= ranges[i].low && pc < ranges[i].high) return false;
        return bounds === null || (pc >= bounds.low && pc < bounds.high);
      });
      return halt ?? step;
    }
    const caller = frames.find((f) => f.physical > (top?.physical ?? 0));
    if (!caller) {
      const halt = yield* this.run();
      return halt ?? step;
    }
    const returnTo = caller.pc >>> 0;
    const callerIpsr = caller.ipsr;
    const cfa = top.cfa >>> 0;
    const viaException = callerIpsr !== startIpsr;
    const halt = yield* this.run(() => cpu.pc === returnTo && cpu.ipsr === callerIpsr && (viaException || cpu.r[13] >>> 0 >= cfa));
    return halt ?? step;
  }

  // ---- state for the UI --------------------------------------------------------------------------

  private framesCache: StackFrameInfo[] | null = null;
  private framesAtInstructions = -1;

  /** The call stack at the current stop (cached until the machine runs again). For a fault stop the
   *  stack starts at the faulting instruction's frame. */
  frames(): StackFrameInfo[] {
    const count = this.machine.cpu.instructions;
    if (this.framesCache && this.framesAtInstructions === count) return this.framesCache;
    let frames = stackFrames(this.machine, this.program);
    if (this.lastStop?.fault && !this.lastStop.fault.lockup) {
      const label = frames.findIndex((f) => f.label);
      if (label >= 0 && label + 1 < frames.length) frames = frames.slice(label + 1);
    }
    this.framesCache = frames;
    this.framesAtInstructions = count;
    return frames;
  }

  invalidateFrames(): void {
    this.framesCache = null;
  }

  /** An evaluation context for frame `index` of frames(). */
  evalContext(index: number): EvalContext {
    const m = this.machine;
    const frame = index === 0 && !this.lastStop?.fault ? undefined : this.frames()[index];
    const program = this.program;
    return {
      register: (name) => readRegisterByName(m, name, frame),
      read: (address, size) => m.peek(address, size),
      variable: (name) => {
        const s = program.elf.symbolByName(name) ?? program.findFunctions(name)[0];
        if (!s) return undefined;
        if ('type' in s && s.type === 'object' && (s.size === 1 || s.size === 2 || s.size === 4)) return m.peek(s.address, s.size) ?? undefined;
        return s.address;
      },
      address: (name) => program.elf.symbolByName(name)?.address ?? program.findFunctions(name)[0]?.address,
    };
  }
}

const CORE_INDEX: Record<string, number> = {
  r0: 0, r1: 1, r2: 2, r3: 3, r4: 4, r5: 5, r6: 6, r7: 7, r8: 8, r9: 9, r10: 10, r11: 11, r12: 12,
  sp: 13, r13: 13, lr: 14, r14: 14, pc: 15, r15: 15, fp: 7, ip: 12, sb: 9, sl: 10,
};

/** A register's value by name, as seen from `frame` (the current state when undefined). */
export function readRegisterByName(m: Machine, name: string, frame?: StackFrameInfo): number | undefined {
  const n = name.toLowerCase();
  const core = CORE_INDEX[n];
  if (core !== undefined) {
    if (frame) return (frame.known & (1 << core)) !== 0 ? frame.registers[core] : undefined;
    return core === 15 ? m.cpu.pc >>> 0 : m.cpu.r[core] >>> 0;
  }
  switch (n) {
    case 'xpsr': case 'psr': case 'cpsr': return m.getRegister('xpsr') >>> 0;
    case 'apsr': return m.cpu.apsr >>> 0;
    case 'ipsr': return m.cpu.ipsr;
    case 'msp': case 'psp': case 'primask': case 'basepri': case 'faultmask': case 'control':
      return m.getRegister(n) >>> 0;
    case 'fpscr': return m.cpu.hasFpu ? m.cpu.fpscr >>> 0 : undefined;
  }
  const s = /^s(\d+)$/.exec(n);
  if (s && m.cpu.hasFpu && Number(s[1]) < 32) return m.cpu.fpRegs[Number(s[1])] >>> 0;
  return undefined;
}
