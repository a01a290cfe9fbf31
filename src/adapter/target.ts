// The debug target: a Machine with its firmware's debug information, and the run control a debugger
// needs on top of it — continue, pause, line and instruction stepping, breakpoints with conditions,
// hit counts and log messages, exception stops. It knows nothing of DAP: it reports through plain
// events ('stopped', 'output', 'exited', 'continued', 'slice' after each run slice) and the session translates.
//
// The emulator runs in slices of a few milliseconds with setImmediate in between, so the adapter
// keeps answering requests (and a pause lands within one slice) even when the firmware spins with
// interrupts masked. Each run-control operation is a generator that yields between slices.

import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Machine, type RunResult } from '../emulator/machine';
import type { ChipDescription } from '../emulator/chips/chip';
import type { SlicePacer } from '../emulator/realtime';
import { explainFault, type FaultExplanation } from '../emulator/fault-explanation';
import type { PcRange } from '../debuginfo/dwarf/info';
import { compileExpression, interpolate, type Compiled, type EvalContext } from './expression';
import { ProgramInfo } from './program-info';
import { currentCfa, isExcReturn, stackFrames, type StackFrameInfo } from './unwind';
import type { FunctionFrame } from '../debuginfo/debuginfo';
import { samePath } from '../debuginfo/dwarf/line';
import { VariableView, type FrameAccess, type TypedValue } from './variables';
import { DataBreakpoints } from './data-breakpoints';

export type StopReasonName = 'entry' | 'step' | 'breakpoint' | 'pause' | 'exception' | 'function breakpoint' | 'instruction breakpoint' | 'data breakpoint' | 'goto';

export interface StopInfo {
  reason: StopReasonName;
  /** Short text for the UI ("Paused on HardFault"). */
  description?: string;
  /** Longer text (the fault explanation). */
  text?: string;
  hitBreakpointIds?: number[];
  /** Set when the stop is a fault: the explanation, and where the faulting frame starts. */
  fault?: FaultExplanation;
  /** How many inlined frames at the top to hide: a stop "in the caller, at the inlined call's
   *  line" shows the caller as the top frame although the PC is already in the inlined code. */
  hideInline?: number;
  /** For a data breakpoint stop: the instruction that made the access (the PC is already past it);
   *  the top frame shows its line. */
  accessPc?: number;
}

export type BreakpointKind = 'source' | 'function' | 'instruction';

export interface BreakpointSpec {
  id: number;
  address: number;
  kind: BreakpointKind;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  /** For source breakpoints: the line (and file) it was resolved to. */
  line?: number;
  file?: string;
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
  /** Source-level variables (locals, statics) of the stopped program. */
  readonly variables: VariableView;
  /** Data breakpoints (watchpoints) on memory. */
  readonly dataBreakpoints: DataBreakpoints;
  state: 'stopped' | 'running' | 'exited' = 'stopped';
  lastStop: StopInfo | null = null;
  exitCode: number | undefined;
  /** Stop when a fault exception is entered. */
  stopOnFault = true;
  /** Stop in the Rust panic handler. */
  stopOnPanic = true;
  /** Paces run slices to the wall clock (the board's real-time mode); null runs flat out. */
  pacer: SlicePacer | null = null;

  private job: Job | null = null;
  /** A paced wait before the next slice. */
  private waitTimer: NodeJS.Timeout | undefined;
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
  /** Inlined frames hidden at the current stop (see StopInfo.hideInline). */
  private hiddenInline = 0;

  constructor(options: TargetOptions) {
    super();
    this.bytes = options.bytes;
    this.programPath = options.programPath;
    this.machine = Machine.fromElf(options.chip, options.bytes, options.programPath, {
      semihosting: options.semihosting ?? true,
      workingDirectory: options.cwd,
      stopOnFault: true,
      input: () => this.readInput(),
    });
    this.program = new ProgramInfo(this.machine.elf!);
    this.program.setSearchRoots(options.programPath, options.cwd);
    this.variables = new VariableView(this.program);
    this.dataBreakpoints = new DataBreakpoints(this.machine);
    this.machine.onSemihostingOutput((text, stream) => this.emit('output', text, stream));
    this.machine.onWarning((message) => this.emit('output', `warning: ${message}\n`, 'console'));
    const panic = this.program.elf.symbolByName('rust_begin_unwind');
    this.panicAddress = panic ? panic.address : undefined;
    this.updateInternalBreakpoints();
  }

  // ---- semihosting console input -----------------------------------------------------------------
  // SYS_READC / SYS_READ on the console take bytes the user typed (the session's stdin request).
  // With none queued the call waits: the run halts after the BKPT, which is rewound so the call
  // is made again once input arrives, and the run loop polls until then.

  private readonly stdin: number[] = [];
  private inputEof = false;
  /** Set while the firmware waits for console input: the call's operation number (r0). */
  private inputWait: { op: number } | null = null;
  private inputCall = -1;

  /** Queues console input for the firmware (UTF-8); `eof` makes reads past it return end of file. */
  sendInput(text: string, eof = false): void {
    for (const b of new TextEncoder().encode(text)) this.stdin.push(b);
    if (eof) this.inputEof = true;
  }

  /** True while the firmware is blocked in a console read with nothing typed. */
  get waitingForInput(): boolean {
    return this.inputWait !== null;
  }

  private readInput(): number {
    const b = this.stdin.shift();
    if (b !== undefined) {
      this.inputCall = this.machine.cpu.instructions;
      return b;
    }
    // A read that already got bytes in this call ends there (a partial line).
    if (this.inputEof || this.inputCall === this.machine.cpu.instructions) return -1;
    this.inputWait = { op: this.machine.cpu.r[0] >>> 0 };
    this.machine.halt();
    return -1;
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
    if (this.temporaryBreak) this.machine.addBreakpoint(this.temporaryBreak.address);
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
    let hitSpec: ActiveBreakpoint | undefined;
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
      hitSpec = b;
    }
    if (hit.length > 0) {
      const reason: StopReasonName = kind === 'function' ? 'function breakpoint' : kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
      const info: StopInfo = { reason, hitBreakpointIds: hit, hideInline: this.inlineFramesToHide(pc, hitSpec) };
      if (conditionError) info.text = conditionError;
      return info;
    }
    if (internal) return { ...internal, hideInline: this.inlineFramesToHide(pc, undefined) };
    return null;
  }

  /**
   * At a breakpoint inside inlined code, show the frame the user asked for: for a source breakpoint
   * the frame whose position is the breakpoint's line; for a function (or entry) breakpoint the
   * function itself, not what is inlined at its first instruction.
   */
  private inlineFramesToHide(pc: number, spec: ActiveBreakpoint | undefined): number {
    const chain = this.program.functionsAt(pc);
    if (chain.length <= 1) return 0;
    if (spec && spec.kind === 'source' && spec.line !== undefined) {
      for (let hide = 0; hide < chain.length; hide++) {
        const view = this.viewAt(pc, chain.length - hide, chain);
        if (view && view.line === spec.line && (spec.file === undefined || view.file === undefined || samePath(this.program.resolvePath(view.file), spec.file))) return hide;
      }
      return 0;
    }
    if (spec && spec.kind === 'instruction') return 0;
    return chain.length - 1;
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
    this.dataBreakpoints.resetHits();
    this.exitCode = undefined;
    this.lastStop = null;
    return this.start(options);
  }

  /** Stop all activity (terminate/disconnect). */
  dispose(): void {
    clearTimeout(this.waitTimer);
    this.job = null;
    this.state = 'exited';
    this.removeAllListeners();
  }

  private stopNow(info: StopInfo): void {
    this.hiddenInline = info.hideInline ?? 0;
    this.framesCache = null;
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
    clearTimeout(this.waitTimer);
    this.pacer?.resume();
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
    const wait = this.pacer ? this.pacer.beforeSlice() : 0;
    if (wait > 0) {
      this.waitTimer = setTimeout(this.tick, wait);
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
    // Between slices: hosts of memory-polled channels (RTT) read the target now.
    this.emit('slice');
    if (result.done) this.finish(job, result.value);
    else if (this.inputWait) setTimeout(this.tick, 20); // waiting for console input: poll gently
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
          const temp = this.temporaryBreak;
          if (temp && machine.cpu.pc >>> 0 === temp.address && temp.accept()) return null;
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
        case 'data-breakpoint': {
          const hit = machine.lastDataBreakpointHit;
          if (!hit) return { kind: 'stop', info: { reason: 'data breakpoint' } };
          const decision = this.dataBreakpoints.decide(hit, this.evalContext(0));
          if (decision.ids.length > 0) {
            const what = `${hit.write ? 'write of' : 'read of'} 0x${hit.value.toString(16)} at 0x${hit.accessAddress.toString(16).padStart(8, '0')}`;
            const info: StopInfo = { reason: 'data breakpoint', description: `Data breakpoint: ${what}`, hitBreakpointIds: decision.ids, accessPc: hit.pc };
            if (decision.conditionError) info.text = decision.conditionError;
            return { kind: 'stop', info };
          }
          if (machine.cpu.instructions >= end) return { kind: 'stop', info: { reason: 'step' } };
          if (until && until()) return null;
          if (elapsed > SLICE_TARGET_MS) yield;
          break;
        }
        case 'halted':
          // The real-time pacer's deadline: the host waits, then the run goes on.
          if (this.pacer?.takeDeadlineHalt()) {
            yield;
            break;
          }
          if (this.inputWait) {
            // Rewind to the semihosting BKPT (16 bits) so the read is made again with input.
            const pc = machine.cpu.pc >>> 0;
            if (machine.peek(pc - 2, 2) === 0xbeab) {
              machine.setRegister('pc', pc - 2);
              machine.setRegister('r0', this.inputWait.op);
            }
            while (this.stdin.length === 0 && !this.inputEof) yield;
            this.inputWait = null;
            break;
          }
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

  private temporaryBreak: { address: number; accept: () => boolean } | null = null;

  /**
   * Runs until the PC reaches `address` with `accept()` true (returns null), using a breakpoint
   * rather than a per-instruction check: fast, and exact even when the address is reached by an
   * exception return (which happens between instructions).
   */
  private *runTo(address: number, accept: () => boolean): Generator<void, Halt | null> {
    address = (address & ~1) >>> 0;
    const m = this.machine;
    const hadBreakpoint = m.hasBreakpoint(address);
    if (!hadBreakpoint) m.addBreakpoint(address);
    this.temporaryBreak = { address, accept };
    try {
      return yield* this.run();
    } finally {
      this.temporaryBreak = null;
      if (!hadBreakpoint) m.removeBreakpoint(address);
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

  /** The source position of the frame at inline depth `depth` (1 = the physical function) at pc:
   *  the line table's row when no deeper inlined frame is there, else the deeper frame's call site. */
  private viewAt(pc: number, depth: number, chain = this.program.functionsAt(pc)): { line: number; file: string | undefined } | null {
    if (chain.length <= depth || depth <= 0) {
      const loc = this.program.lineRangeAt(pc);
      return loc ? { line: loc.line, file: loc.file } : null;
    }
    const inner = chain[chain.length - depth - 1];
    return inner.callLine !== undefined ? { line: inner.callLine, file: inner.callFile } : null;
  }

  /**
   * Source-line step (next / step in), honouring inlined frames: the frame being stepped is the
   * visible top frame, at inline depth `startDepth`. Runs until the PC reaches the start of a
   * statement whose position, seen from that frame, is a different line; or leaves the function to
   * an outer frame. Calls are stepped over by running to their return address with the stack back
   * where it was (or, for step in with line info, stopped after the callee's prologue); inlined
   * calls are stepped over by running out of the inlined subroutine's ranges. Reaching an inlined
   * call site stops in the caller (at the call's line), as a line step would; step in from there
   * enters the inlined function without executing anything.
   */
  private *stepLineJob(into: boolean): Job {
    const m = this.machine;
    const cpu = m.cpu;
    const p = this.program;
    const hidden = this.hiddenInline;
    const stop = (hideInline = 0): Halt => ({ kind: 'stop', info: { reason: 'step', hideInline } });
    if (into && hidden > 0) return stop(hidden - 1);
    const startChain = p.functionsAt(cpu.pc);
    const startDepth = Math.max(0, startChain.length - hidden);
    const startView = this.viewAt(cpu.pc, startDepth, startChain);
    if (!startView) {
      // No line information here: finish the function, as a source-level step must.
      return yield* this.stepOutJob();
    }
    const startIpsr = cpu.ipsr;
    const startCfa = currentCfa(m, p);
    const bounds = this.functionBounds(cpu.pc);
    const inFunction = (a: number) => bounds !== null && a >= bounds.low && a < bounds.high;
    const blockAt = (pc: number, chain: FunctionFrame[]): PcRange[] => {
      if (chain.length > startDepth && startDepth > 0) return chain[chain.length - startDepth - 1].ranges;
      const loc = p.lineRangeAt(pc);
      return [loc ? { low: loc.start, high: loc.end } : { low: pc, high: pc + 2 }];
    };
    let block = blockAt(cpu.pc, startChain);
    let iterations = 0;

    for (;;) {
      if (++iterations % 256 === 0) yield;
      const ranges = block;
      const inBlock = (a: number) => {
        for (let i = 0; i < ranges.length; i++) if (a >= ranges[i].low && a < ranges[i].high) return true;
        return false;
      };
      if (inBlock(cpu.pc) && cpu.ipsr === startIpsr) {
        const halt = yield* this.run(() => !inBlock(cpu.pc) || cpu.ipsr !== startIpsr);
        if (halt) return halt;
      }
      const pc = cpu.pc >>> 0;

      if (cpu.ipsr !== startIpsr) {
        if (isExcReturn(cpu.r[14]) && cpu.ipsr !== 0) {
          // An interrupt arrived mid-step: let it (and anything it chains to) finish.
          const halt = yield* this.run(() => cpu.ipsr === startIpsr);
          if (halt) return halt;
          continue;
        }
        return stop(); // returned from the handler being stepped, into the interrupted code
      }

      const lr = cpu.r[14] >>> 0;
      if (!inFunction(pc) && (lr & 1) === 1 && inFunction(lr & ~1)) {
        // A call from the line being stepped.
        if (into && p.lineAt(pc)) {
          const entry = p.functionSymbolAt(pc);
          const target = entry && entry.address === pc ? p.breakAddressForFunction({ name: entry.name, address: entry.address, end: entry.address + entry.size }) : pc;
          if (target !== pc) {
            const spAtCall = cpu.r[13] >>> 0;
            const returnTo = (lr & ~1) >>> 0;
            const halt = yield* this.run(() => cpu.pc === target || (cpu.pc === returnTo && cpu.r[13] >>> 0 >= spAtCall));
            if (halt) return halt;
          }
          return stop(Math.max(0, p.functionsAt(cpu.pc).length - 1));
        }
        const returnTo = (lr & ~1) >>> 0;
        const spAtCall = cpu.r[13] >>> 0;
        const halt = yield* this.runTo(returnTo, () => cpu.r[13] >>> 0 >= spAtCall && cpu.ipsr === startIpsr);
        if (halt) return halt;
        continue;
      }

      if (!inFunction(pc)) {
        // Left the function without a call: a return (or a tail call); report where we are.
        if (currentCfa(m, p) >= startCfa || !p.lineAt(pc)) return stop();
      }

      if (!p.lineAt(pc)) {
        block = [{ low: pc, high: pc + 2 }];
        continue;
      }
      const chain = p.functionsAt(pc);
      const statement = p.isStatementStart(pc);
      if (chain.length < startDepth) {
        if (statement) return stop();
      } else {
        const view = this.viewAt(pc, startDepth, chain);
        const newLine = view !== null && (view.line !== startView.line || view.file !== startView.file);
        if (statement && chain.length > startDepth) {
          if (newLine) return stop(chain.length - startDepth);
          if (into) return stop(chain.length - startDepth - 1);
        } else if (statement && newLine) {
          return stop();
        }
      }
      block = blockAt(pc, chain);
    }
  }

  /** Step out: run until the visible top frame returns to its caller (for an inlined frame: until
   *  the PC leaves the inlined body). */
  private *stepOutJob(): Job {
    const m = this.machine;
    const cpu = m.cpu;
    const frames = this.frames().filter((f) => !f.label);
    const top = frames[0];
    const step: Halt = { kind: 'stop', info: { reason: 'step' } };
    const startIpsr = cpu.ipsr;
    if (top && top.inlineDepth > 0 && top.physical === 0) {
      const chain = this.program.functionsAt(cpu.pc);
      const visibleDepth = chain.length - this.hiddenInline;
      const ranges = chain[this.hiddenInline].ranges;
      const bounds = this.functionBounds(cpu.pc);
      const halt = yield* this.run(() => {
        const pc = cpu.pc;
        if (cpu.ipsr !== startIpsr) return false;
        for (let i = 0; i < ranges.length; i++) if (pc >= ranges[i].low && pc < ranges[i].high) return false;
        return bounds === null || (pc >= bounds.low && pc < bounds.high);
      });
      if (halt) return halt;
      const now = this.program.functionsAt(cpu.pc).length;
      return { kind: 'stop', info: { reason: 'step', hideInline: Math.max(0, now - (visibleDepth - 1)) } };
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
    const halt = yield* this.runTo(returnTo, () => cpu.ipsr === callerIpsr && (viaException || cpu.r[13] >>> 0 >= cfa));
    if (halt) return halt;
    // Back in the caller, mid-line; show it as the frame it was (its inlined frames hidden).
    const caller2 = this.program.functionsAt(returnTo);
    const callerVisible = frames.filter((f) => f.physical === caller.physical).length;
    return { kind: 'stop', info: { reason: 'step', hideInline: Math.max(0, caller2.length - callerVisible) } };
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
    } else {
      let hide = 0;
      while (hide < this.hiddenInline && hide + 1 < frames.length && frames[hide].physical === 0 && frames[hide].inlineDepth > 0) hide++;
      if (hide > 0) frames = frames.slice(hide);
    }
    const accessPc = this.lastStop?.accessPc;
    if (accessPc !== undefined && frames.length > 0 && !frames[0].label && frames[0].physical === 0) {
      // The access is done and the PC is past it: show the accessing instruction's line (the line
      // that wrote) and the inlined functions it was in, as the user expects of a watchpoint stop.
      const chain = this.program.functionsAt(accessPc);
      const top = frames[0];
      let source = this.program.sourceAt(accessPc);
      if (chain.length > 0 && source) {
        const rebuilt: StackFrameInfo[] = chain.map((f, k) => {
          const frame: StackFrameInfo = { ...top, name: f.name, source, inlineDepth: chain.length - 1 - k };
          if (f.inlined) source = f.callFile !== undefined && f.callLine !== undefined ? { path: this.program.resolvePath(f.callFile), line: f.callLine, column: f.callColumn ?? 0 } : null;
          return frame;
        });
        frames = [...rebuilt, ...frames.filter((f) => f.physical !== 0)];
      }
    }
    this.framesCache = frames;
    this.framesAtInstructions = count;
    return frames;
  }

  invalidateFrames(): void {
    this.framesCache = null;
  }

  /** Memory and registers as frame `index` of frames() sees them. */
  frameAccess(index: number): FrameAccess {
    const live = index === 0 && !this.lastStop?.fault;
    const frames = this.frames();
    const frame = frames[index];
    // One frame per calling physical frame; an exception entry is not a call, so the chain ends there.
    const callers: StackFrameInfo[] = [];
    for (let i = index + 1, physical = frame?.physical ?? Infinity; i < frames.length; i++) {
      if (frames[i].physical === physical) continue;
      if (frames[i].label) break;
      physical = frames[i].physical;
      callers.push(frames[i]);
    }
    return { machine: this.machine, frame, live, callers };
  }

  /** An evaluation context for frame `index` of frames(). */
  evalContext(index: number): EvalContext {
    const m = this.machine;
    const frame = index === 0 && !this.lastStop?.fault ? undefined : this.frames()[index];
    const program = this.program;
    let access: FrameAccess | undefined;
    return {
      register: (name) => readRegisterByName(m, name, frame),
      read: (address, size) => m.peek(address, size),
      variable: (name) => {
        // Source variables first (locals of the frame, then statics), then ELF symbols.
        if (program.debugInfo) {
          access ??= this.frameAccess(index);
          const v = this.variables.lookup(name, access);
          if (v) {
            const n = this.variables.scalar(v, m);
            if (n !== undefined) return n;
            if (v.address !== undefined) return v.address;
            if (v.error) throw new Error(`'${name}' is ${v.error.replace(/^<|>$/g, '')}`);
          }
        }
        const s = program.elf.symbolByName(name) ?? program.findFunctions(name)[0];
        if (!s) return undefined;
        if ('type' in s && s.type === 'object' && (s.size === 1 || s.size === 2 || s.size === 4)) return m.peek(s.address, s.size) ?? undefined;
        return s.address;
      },
      path: (name, steps) => {
        if (!program.debugInfo) return undefined;
        access ??= this.frameAccess(index);
        const view = this.variables;
        const found = view.lookup(name, access);
        if (!found) return undefined;
        let v: TypedValue = found;
        let shown = name;
        for (const step of steps) {
          const next: TypedValue | undefined = typeof step === 'string' ? view.member(v, step, m) : view.index(v, step, m);
          if (!next) throw new Error(typeof step === 'string' ? `'${shown}' has no field '${step}'` : `'${shown}' cannot be indexed`);
          v = next;
          shown += typeof step === 'string' ? `.${step}` : `[${step}]`;
        }
        const n = view.scalar(v, m);
        if (n !== undefined) return n;
        if (v.address !== undefined) return v.address;
        throw new Error(`'${shown}' is ${v.error ? v.error.replace(/^<|>$/g, '') : 'not a number'}`);
      },
      address: (name) => {
        if (program.debugInfo) {
          access ??= this.frameAccess(index);
          const v = this.variables.lookup(name, access);
          if (v?.address !== undefined) return v.address;
        }
        return program.elf.symbolByName(name)?.address ?? program.findFunctions(name)[0]?.address;
      },
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
