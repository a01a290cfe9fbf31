// The Debug Adapter Protocol session: translates DAP requests into Target operations and Target
// events into DAP events. No vscode import, so it runs inline in the extension host, as its own
// process (stdin/stdout or a TCP port), and under the DAP tests.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Breakpoint, Event, ExitedEvent, Handles, InitializedEvent, InvalidatedEvent, LoggingDebugSession, OutputEvent, Scope, Source,
  StackFrame, StoppedEvent, TerminatedEvent, Thread, logger, Logger,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { registerNames, type RegisterName } from '../emulator/machine';
import { exceptionName } from '../emulator/exceptions';
import { BoardController } from './board';
import { disassemble } from './disassembly';
import { PeripheralView, type PeripheralVariableRef } from './peripherals';
import { memoryMapForTarget, paintStack } from './memory-map';
import { compileExpression, formatValue, splitFormat } from './expression';
import { LaunchError, resolveLaunch, type LaunchAttributes, type ResolvedLaunch } from './launch-config';
import { readRegisterByName, Target, type BreakpointSpec, type StopInfo } from './target';
import type { StackFrameInfo } from './unwind';
import type { NamedValue, TypedValue } from './variables';
import { dataIdFor, parseDataId, type DataBreakpointSpec } from './data-breakpoints';
import { RttConsole, firmwareHasRtt } from './rtt';
import { UartConsole } from './uart-console';

export interface LaunchRequestArguments extends DebugProtocol.LaunchRequestArguments, LaunchAttributes {
  /** Log the DAP traffic to the Debug Console (for debugging the adapter itself). */
  trace?: boolean;
}

const THREAD_ID = 1;
const CONFIGURATION_DONE_TIMEOUT_MS = 2000;

function hex8(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

/** The text an error response carries for a thrown value. */
function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A breakpoint that could not be set, and why. */
function unverifiedBreakpoint(id: number, message: string): DebugProtocol.Breakpoint {
  const b = new Breakpoint(false) as DebugProtocol.Breakpoint;
  b.id = id;
  b.message = message;
  return b;
}

/** What a variablesReference stands for. */
type VariableContainer =
  | { kind: 'registers'; frame: number }
  | { kind: 'xpsr'; frame: number }
  | { kind: 'control'; frame: number }
  | { kind: 'locals'; frame: number }
  | { kind: 'statics'; frame: number }
  | { kind: 'value'; frame: number; value: TypedValue; evaluateName?: string }
  | { kind: 'fpu'; frame: number }
  | { kind: 'peripherals'; ref: PeripheralVariableRef };

/** Parses a memory/instruction reference: "0x20000000", "536870912", or an expression. */
function parseAddress(reference: string, target: Target | null): number {
  const t = reference.trim();
  if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) return Number(t) >>> 0;
  if (!target) throw new Error(`bad address '${reference}'`);
  return compileExpression(t)(target.evalContext(0)) >>> 0;
}

export class CortexMSimSession extends LoggingDebugSession {
  private target: Target | null = null;
  private board: BoardController | null = null;
  private peripherals: PeripheralView | null = null;
  private launch: ResolvedLaunch | null = null;
  /** RTT channels in the Debug Console (launch.json "rtt", or the firmware has a control block). */
  private rtt: RttConsole | null = null;
  /** The board's console UART (all UARTs without a board) in the Debug Console. */
  private uartConsole: UartConsole | null = null;
  private configurationDone: (() => void) | null = null;
  private readonly configured: Promise<void>;
  private readonly variableHandles = new Handles<VariableContainer>();
  private nextBreakpointId = 1;
  private readonly sourceBreakpointIds = new Map<string, Map<number, number>>();

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.configured = new Promise((resolve) => {
      this.configurationDone = resolve;
    });
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsInstructionBreakpoints: true,
      supportsSteppingGranularity: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsSetVariable: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsValueFormattingOptions: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      exceptionBreakpointFilters: [
        { filter: 'fault', label: 'Faults', description: 'HardFault, MemManage, BusFault and UsageFault: stop at the faulting instruction', default: true },
        { filter: 'panic', label: 'Rust panics', description: 'Stop in the panic handler (rust_begin_unwind)', default: true },
      ],
    };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configurationDone?.();
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchRequestArguments): Promise<void> {
    logger.setup(args.trace ? Logger.LogLevel.Verbose : Logger.LogLevel.Stop, false);
    let target: Target;
    try {
      this.launch = resolveLaunch(args);
      target = new Target({
        chip: this.launch.chip,
        programPath: this.launch.programPath,
        bytes: this.launch.bytes,
        semihosting: this.launch.semihosting,
        cwd: this.launch.cwd,
      });
    } catch (e) {
      const message = e instanceof LaunchError ? e.message : `cannot start '${String(args.program)}': ${errorText(e)}`;
      this.sendErrorResponse(response, { id: 1001, format: '{_message}', variables: { _message: message }, showUser: true });
      return;
    }
    this.target = target;
    this.peripherals = new PeripheralView(target, this.launch.chip, this.launch.svdFile);
    // Fill the free stack with a pattern so the memory map's high-water mark is exact.
    paintStack(target.program.elf, target.machine.cpu.r[13], (a, d) => target.machine.writeMemory(a, d));
    this.attachTarget(target);
    this.board = new BoardController(target, { boardId: this.launch.boardId, cwd: this.launch.cwd, runMode: (args as { runMode?: unknown }).runMode },
      (event) => this.sendEvent(event), (text) => this.sendEvent(new OutputEvent(text, 'console')));
    const stdout = (text: string): void => this.sendEvent(new OutputEvent(text, 'stdout'));
    // "rtt" unset: on when the firmware links an RTT control block.
    if (args.rtt === undefined ? firmwareHasRtt(target.machine) : this.launch.rtt) {
      const rtt = new RttConsole(target.machine, stdout);
      this.rtt = rtt;
      target.on('slice', () => rtt.poll());
    }
    const consoleUarts = (this.board.board?.parts ?? []).flatMap((p) => (p.type === 'uart-terminal' ? [p.uart] : []));
    this.uartConsole = new UartConsole(target.machine, consoleUarts, stdout);
    // The target exists now, so breakpoints can be resolved against its debug info.
    this.sendEvent(new InitializedEvent());
    await Promise.race([this.configured, new Promise((resolve) => setTimeout(resolve, CONFIGURATION_DONE_TIMEOUT_MS))]);
    this.sendResponse(response);
    const chipLine = `Cortex-M Sim: ${path.basename(this.launch.programPath)} on ${this.launch.boardId ?? this.launch.chip.id} (${this.launch.chip.name}, ${this.launch.chip.core})\n`;
    this.sendEvent(new OutputEvent(chipLine, 'console'));
    const warning = target.start({ stopOnEntry: this.launch.stopOnEntry, runToEntryPoint: this.launch.runToEntryPoint });
    if (warning) this.sendEvent(new OutputEvent(warning + '\n', 'console'));
  }

  private attachTarget(target: Target): void {
    target.on('stopped', (info: StopInfo) => this.onStopped(info));
    target.on('output', (text: string, stream: string) => {
      this.sendEvent(new OutputEvent(text, stream === 'stderr' ? 'stderr' : stream === 'stdout' ? 'stdout' : 'console'));
    });
    target.on('exited', (code: number) => {
      this.flushConsoles();
      this.sendEvent(new OutputEvent(`firmware exited with code ${code}\n`, 'console'));
      this.sendEvent(new ExitedEvent(code));
      this.sendEvent(new TerminatedEvent());
    });
  }

  /** Firmware output not yet shown (RTT, a UART's unfinished line) goes out before a stop/exit. */
  private flushConsoles(): void {
    this.rtt?.flush();
    this.uartConsole?.flush();
  }

  private onStopped(info: StopInfo): void {
    this.flushConsoles();
    this.variableHandles.reset();
    const event = new StoppedEvent(info.reason, THREAD_ID, info.text) as DebugProtocol.StoppedEvent;
    event.body.allThreadsStopped = true;
    if (info.description) event.body.description = info.description;
    if (info.hitBreakpointIds) event.body.hitBreakpointIds = info.hitBreakpointIds;
    if (info.reason === 'exception' && info.text) this.sendEvent(new OutputEvent(info.text + '\n', 'console'));
    this.peripherals?.onStopped();
    this.sendEvent(event);
    this.sendEvent(new Event('cortex-m-sim/peripheralsChanged', { reason: info.reason }));
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse): void {
    const target = this.target;
    const launch = this.launch;
    if (!target || !launch) {
      this.sendErrorResponse(response, 1002, 'nothing to restart: the firmware is not loaded');
      return;
    }
    try {
      this.sendResponse(response);
      const warning = target.restart({ stopOnEntry: launch.stopOnEntry, runToEntryPoint: launch.runToEntryPoint });
      if (warning) this.sendEvent(new OutputEvent(warning + '\n', 'console'));
      this.sendEvent(new InvalidatedEvent(['all']));
    } catch (e) {
      this.sendEvent(new OutputEvent(`restart failed: ${errorText(e)}\n`, 'stderr'));
      this.sendEvent(new TerminatedEvent());
    }
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.board?.dispose();
    this.target?.dispose();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.board?.dispose();
    this.board = null;
    this.target?.dispose();
    this.target = null;
    this.sendResponse(response);
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  private breakpointIdFor(group: string, key: number): number {
    let ids = this.sourceBreakpointIds.get(group);
    if (!ids) this.sourceBreakpointIds.set(group, (ids = new Map()));
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = this.nextBreakpointId++));
    return id;
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const target = this.target;
    const sourcePath = args.source.path ? this.convertClientPathToDebugger(args.source.path) : args.source.name ?? '';
    const requested: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    const specs: BreakpointSpec[] = [];
    const result: DebugProtocol.Breakpoint[] = [];
    const group = `source:${sourcePath}`;
    const ids = new Map<number, number>();
    for (const bp of requested) {
      const line = this.convertClientLineToDebugger(bp.line);
      const id = this.breakpointIdFor(group, line);
      ids.set(line, id);
      const resolved = target ? target.program.addressesForLine(sourcePath, line) : { line: 0, addresses: [] };
      if (resolved.addresses.length === 0) {
        const b = new Breakpoint(false, bp.line) as DebugProtocol.Breakpoint;
        b.id = id;
        b.message = target ? `no code at ${path.basename(sourcePath)}:${bp.line} or below it` : 'the firmware is not loaded yet';
        result.push(b);
        continue;
      }
      for (const address of resolved.addresses) {
        specs.push({ id, address, kind: 'source', condition: bp.condition, hitCondition: bp.hitCondition, logMessage: bp.logMessage, line: resolved.line, file: sourcePath });
      }
      const b = new Breakpoint(true, this.convertDebuggerLineToClient(resolved.line), undefined, new Source(path.basename(sourcePath), args.source.path)) as DebugProtocol.Breakpoint;
      b.id = id;
      b.instructionReference = hex8(resolved.addresses[0]);
      result.push(b);
    }
    if (target) {
      const errors = target.setBreakpoints(group, specs);
      for (const b of result) {
        const error = b.id !== undefined ? errors.get(b.id) : undefined;
        if (error) {
          b.verified = false;
          b.message = error;
        }
      }
    }
    this.sourceBreakpointIds.set(group, ids);
    response.body = { breakpoints: result };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    const target = this.target;
    const specs: BreakpointSpec[] = [];
    const result: DebugProtocol.Breakpoint[] = [];
    for (const fb of args.breakpoints) {
      const id = this.nextBreakpointId++;
      const found = target ? target.program.findFunctions(fb.name.trim()) : [];
      if (found.length === 0) {
        result.push(unverifiedBreakpoint(id, `no function '${fb.name}'`));
        continue;
      }
      let first: DebugProtocol.Breakpoint | undefined;
      for (const f of found) {
        const address = target!.program.breakAddressForFunction(f);
        specs.push({ id, address, kind: 'function', condition: fb.condition, hitCondition: fb.hitCondition });
        if (!first) {
          const src = target!.program.sourceAt(address);
          first = new Breakpoint(true, src ? this.convertDebuggerLineToClient(src.line) : undefined, undefined, src ? this.sourceFor(src.path) : undefined) as DebugProtocol.Breakpoint;
          first.id = id;
          first.instructionReference = hex8(address);
        }
      }
      result.push(first!);
    }
    target?.setBreakpoints('function', specs);
    response.body = { breakpoints: result };
    this.sendResponse(response);
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    const target = this.target;
    const specs: BreakpointSpec[] = [];
    const result: DebugProtocol.Breakpoint[] = [];
    for (const ib of args.breakpoints) {
      const id = this.nextBreakpointId++;
      let address: number;
      try {
        address = (parseAddress(ib.instructionReference, target) + (ib.offset ?? 0)) >>> 0;
      } catch (e) {
        result.push(unverifiedBreakpoint(id, errorText(e)));
        continue;
      }
      specs.push({ id, address, kind: 'instruction', condition: ib.condition, hitCondition: ib.hitCondition });
      const b = new Breakpoint(true) as DebugProtocol.Breakpoint;
      b.id = id;
      b.instructionReference = hex8(address);
      result.push(b);
    }
    target?.setBreakpoints('instruction', specs);
    response.body = { breakpoints: result };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const filters = new Set([...args.filters, ...(args.filterOptions ?? []).map((f) => f.filterId)]);
    this.target?.setExceptionFilters(filters.has('fault'), filters.has('panic'));
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const stop = this.target?.lastStop;
    const fault = stop?.fault;
    response.body = {
      exceptionId: fault ? fault.kind : stop?.description ?? 'exception',
      description: fault ? fault.text.split('\n')[0] : stop?.text ?? stop?.description,
      breakMode: 'always',
      details: fault ? { message: fault.text, stackTrace: fault.sourceLine } : undefined,
    };
    this.sendResponse(response);
  }

  // ---- run control -------------------------------------------------------------------------------

  private requireTarget(response: DebugProtocol.Response): Target | null {
    if (!this.target) {
      this.sendErrorResponse(response, 1003, 'the firmware is not running');
      return null;
    }
    return this.target;
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, this.launch ? `${this.launch.chip.name} core` : 'core')] };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    const target = this.requireTarget(response);
    if (!target) return;
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    target.resume();
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.target?.pause();
    this.sendResponse(response);
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    const target = this.requireTarget(response);
    if (!target) return;
    this.sendResponse(response);
    if (args.granularity === 'instruction') target.stepInstruction();
    else target.stepLine(false);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    const target = this.requireTarget(response);
    if (!target) return;
    this.sendResponse(response);
    if (args.granularity === 'instruction') target.stepInstruction();
    else target.stepLine(true);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    const target = this.requireTarget(response);
    if (!target) return;
    this.sendResponse(response);
    target.stepOut();
  }

  // ---- stack, scopes, variables ------------------------------------------------------------------

  private sourceFor(filePath: string): Source {
    const source = new Source(path.basename(filePath), this.convertDebuggerPathToClient(filePath)) as DebugProtocol.Source;
    // Library sources (core, compiler runtime) are usually not on this machine.
    if (!fs.existsSync(filePath)) source.presentationHint = 'deemphasize';
    return source as Source;
  }

  /** Library code (the Rust standard library, crates from the registry, sources not on this
   *  machine): VS Code passes over 'subtle' frames when it picks the frame to show, so a stop inside
   *  inlined library code (a faulting read_volatile) lands on the user's line. */
  private isLibrarySource(filePath: string): boolean {
    const p = filePath.replace(/\\/g, '/');
    return /\/rustlib\/|\/rustc\/[0-9a-f]{40}\/|\/\.cargo\/registry\/|\/\.cargo\/git\/|\/\.rustup\//.test(p) || !fs.existsSync(filePath);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const target = this.target;
    if (!target || target.running) {
      response.body = { stackFrames: [], totalFrames: 0 };
      this.sendResponse(response);
      return;
    }
    const frames = target.frames();
    const start = args.startFrame ?? 0;
    const count = args.levels && args.levels > 0 ? args.levels : frames.length;
    const out: DebugProtocol.StackFrame[] = [];
    for (let i = start; i < Math.min(frames.length, start + count); i++) {
      const f = frames[i];
      const sf = new StackFrame(i, f.name) as DebugProtocol.StackFrame;
      if (f.label) {
        sf.presentationHint = 'label';
      } else {
        sf.instructionPointerReference = hex8(f.pc);
        if (f.source) {
          sf.source = this.sourceFor(f.source.path);
          if (this.isLibrarySource(f.source.path)) {
            sf.presentationHint = 'subtle';
            (sf.source as DebugProtocol.Source).presentationHint = 'deemphasize';
          }
          sf.line = this.convertDebuggerLineToClient(f.source.line);
          sf.column = this.convertDebuggerColumnToClient(Math.max(1, f.source.column));
        } else {
          sf.name = `${f.name} @ ${hex8(f.pc)}`;
        }
      }
      out.push(sf);
    }
    response.body = { stackFrames: out, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const scopes: DebugProtocol.Scope[] = [new Scope('Registers', this.variableHandles.create({ kind: 'registers', frame: args.frameId }), false)];
    (scopes[0] as DebugProtocol.Scope).presentationHint = 'registers';
    if (this.target?.program.debugInfo) {
      const locals = new Scope('Locals', this.variableHandles.create({ kind: 'locals', frame: args.frameId }), false) as DebugProtocol.Scope;
      locals.presentationHint = 'locals';
      scopes.unshift(locals, new Scope('Statics', this.variableHandles.create({ kind: 'statics', frame: args.frameId }), false));
    }
    if (this.peripherals?.available) scopes.push(new Scope('Peripherals', this.variableHandles.create({ kind: 'peripherals', ref: { level: 'root' } }), true));
    response.body = { scopes };
    this.sendResponse(response);
  }

  private frameAt(index: number): StackFrameInfo | undefined {
    return this.target?.frames()[index];
  }

  /** A register as seen from a frame: the current value in the top frame, the unwound value
   *  (when the frame saved it) in callers. */
  private registerValue(frameIndex: number, name: string): number | undefined {
    const target = this.target!;
    const frame = this.frameAt(frameIndex);
    const live = frameIndex === 0 && !target.lastStop?.fault;
    return readRegisterByName(target.machine, name, live ? undefined : frame);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const target = this.target;
    const container = this.variableHandles.get(args.variablesReference);
    if (!target || !container) {
      response.body = { variables: [] };
      this.sendResponse(response);
      return;
    }
    const hexFormat = args.format?.hex ?? true;
    const fmt = (v: number | undefined) => (v === undefined ? '<not saved>' : hexFormat ? hex8(v) : String(v >>> 0));
    const variables: DebugProtocol.Variable[] = [];
    const m = target.machine;
    if (container.kind === 'peripherals') {
      response.body = { variables: this.peripherals?.variables(container.ref, (ref) => this.variableHandles.create({ kind: 'peripherals', ref }), hexFormat) ?? [] };
      this.sendResponse(response);
      return;
    }
    if (container.kind === 'locals' || container.kind === 'statics' || container.kind === 'value') {
      response.body = { variables: this.sourceVariables(container, args) };
      this.sendResponse(response);
      return;
    }
    const frame = container.frame;
    switch (container.kind) {
      case 'registers': {
        for (const name of registerNames) {
          const value = this.registerValue(frame, name);
          const v: DebugProtocol.Variable = { name, value: fmt(value), variablesReference: 0 };
          if (name === 'xpsr') v.variablesReference = this.variableHandles.create({ kind: 'xpsr', frame });
          if (name === 'control') v.variablesReference = this.variableHandles.create({ kind: 'control', frame });
          if (value !== undefined && (name === 'sp' || name === 'pc' || name === 'lr' || name === 'msp' || name === 'psp')) v.memoryReference = hex8(value);
          variables.push(v);
        }
        if (m.cpu.hasFpu) {
          variables.push({ name: 'fpu', value: `fpscr=${hex8(m.cpu.fpscr)}`, variablesReference: this.variableHandles.create({ kind: 'fpu', frame }) });
        }
        break;
      }
      case 'xpsr': {
        const x = this.registerValue(frame, 'xpsr') ?? 0;
        const flag = (name: string, bit: number) => variables.push({ name, value: String((x >>> bit) & 1), variablesReference: 0 });
        flag('N', 31);
        flag('Z', 30);
        flag('C', 29);
        flag('V', 28);
        flag('Q', 27);
        if (m.cpu.profile !== 'v6m') variables.push({ name: 'GE', value: '0b' + ((x >>> 16) & 0xf).toString(2).padStart(4, '0'), variablesReference: 0 });
        flag('T', 24);
        const ipsr = x & 0x1ff;
        variables.push({ name: 'IPSR', value: ipsr === 0 ? '0 (Thread mode)' : `${ipsr} (${exceptionName(ipsr)})`, variablesReference: 0 });
        const it = ((x >>> 25) & 0x3) | ((x >>> 8) & 0xfc);
        if (it !== 0) variables.push({ name: 'IT', value: '0x' + it.toString(16), variablesReference: 0 });
        break;
      }
      case 'control': {
        const c = m.cpu.control;
        variables.push({ name: 'nPRIV', value: (c & 1) !== 0 ? '1 (unprivileged)' : '0 (privileged)', variablesReference: 0 });
        variables.push({ name: 'SPSEL', value: (c & 2) !== 0 ? '1 (PSP)' : '0 (MSP)', variablesReference: 0 });
        if (m.cpu.hasFpu) variables.push({ name: 'FPCA', value: String((c >>> 2) & 1), variablesReference: 0 });
        break;
      }
      case 'fpu': {
        const f32 = new Float32Array(1);
        const u32 = new Uint32Array(f32.buffer);
        for (let i = 0; i < 32; i++) {
          u32[0] = m.cpu.fpRegs[i];
          variables.push({ name: `s${i}`, value: `${f32[0]} (${hex8(u32[0])})`, variablesReference: 0 });
        }
        variables.push({ name: 'fpscr', value: hex8(m.cpu.fpscr), variablesReference: 0 });
        break;
      }
    }
    response.body = { variables };
    this.sendResponse(response);
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    const target = this.target;
    const container = this.variableHandles.get(args.variablesReference);
    if (!target || !container || target.running) {
      this.sendErrorResponse(response, 1004, 'registers can only be changed while the firmware is stopped');
      return;
    }
    if (container.kind === 'locals' || container.kind === 'statics' || container.kind === 'value') {
      try {
        response.body = this.setSourceVariable(container, args);
      } catch (e) {
        this.sendErrorResponse(response, 1013, `'${args.name}': ${errorText(e)}`);
        return;
      }
      this.sendResponse(response);
      this.sendEvent(new InvalidatedEvent(['variables']));
      return;
    }
    if (container.kind === 'peripherals') {
      try {
        response.body = { value: this.peripherals!.setVariable(container.ref, args.name, args.value, args.format?.hex ?? true) };
      } catch (e) {
        this.sendErrorResponse(response, 1030, errorText(e));
        return;
      }
      this.sendResponse(response);
      this.sendEvent(new InvalidatedEvent(['variables']));
      return;
    }
    if (container.kind !== 'registers' && container.kind !== 'fpu') {
      this.sendErrorResponse(response, 1005, `'${args.name}' cannot be set; set the whole register instead`);
      return;
    }
    if (container.frame !== 0) {
      this.sendErrorResponse(response, 1006, 'registers can only be changed in the top frame');
      return;
    }
    let value: number;
    try {
      value = compileExpression(args.value)(target.evalContext(0)) >>> 0;
    } catch (e) {
      this.sendErrorResponse(response, 1007, `'${args.value}': ${errorText(e)}`);
      return;
    }
    const name = args.name.toLowerCase();
    if ((registerNames as readonly string[]).includes(name)) {
      target.machine.setRegister(name as RegisterName, value);
    } else if (/^s\d+$/.test(name) && Number(name.slice(1)) < 32) {
      target.machine.cpu.fpRegs[Number(name.slice(1))] = value;
    } else if (name === 'fpscr') {
      target.machine.cpu.fpscr = value;
    } else {
      this.sendErrorResponse(response, 1008, `no register '${args.name}'`);
      return;
    }
    target.invalidateFrames();
    response.body = { value: hex8(readRegisterByName(target.machine, name) ?? value) };
    this.sendResponse(response);
    this.sendEvent(new InvalidatedEvent(['stacks', 'variables']));
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const target = this.target;
    if (!target) {
      this.sendErrorResponse(response, 1003, 'the firmware is not running');
      return;
    }
    if (args.context === 'repl' && args.expression.startsWith('>')) {
      // "> text" in the Debug Console is console input for the firmware: RTT down channel 0 once
      // the firmware's RTT control block is found, else semihosting SYS_READC/READ.
      const line = args.expression.slice(1).replace(/^ /, '') + '\n';
      if (this.rtt?.attached) this.rtt.sendInput(line);
      else target.sendInput(line);
      response.body = { result: '', variablesReference: 0 };
      this.sendResponse(response);
      return;
    }
    try {
      const { expression, format } = splitFormat(args.expression);
      const frameIndex = args.frameId ?? 0;
      const typed = this.evaluateVariablePath(target, expression, frameIndex, format === 'x' || args.format?.hex === true);
      if (typed) {
        response.body = typed;
        this.sendResponse(response);
        return;
      }
      const value = compileExpression(expression)(target.evalContext(frameIndex));
      const shown = formatValue(value, args.format?.hex ? 'x' : format);
      response.body = { result: shown, variablesReference: 0, memoryReference: Number.isInteger(value) ? hex8(value) : undefined };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1009, format: '{_message}', variables: { _message: errorText(e) }, showUser: args.context === 'repl' });
    }
  }

  // ---- data breakpoints --------------------------------------------------------------------------

  /** What can be watched: a variable in memory (from the Variables view), an expression naming one
   *  or an address (Watch view, Debug Console), or `bytes` at an address. */
  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const target = this.target;
    const none = (description: string) => {
      response.body = { dataId: null, description };
      this.sendResponse(response);
    };
    if (!target) return none('the firmware is not loaded');
    const accessTypes: DebugProtocol.DataBreakpointAccessType[] = ['write', 'read', 'readWrite'];
    const view = target.variables;
    let address: number | undefined;
    let size: number | undefined;
    let label = args.name;
    try {
      const container = args.variablesReference ? this.variableHandles.get(args.variablesReference) : undefined;
      if (container && (container.kind === 'locals' || container.kind === 'statics' || container.kind === 'value')) {
        const list = container.kind === 'value' ? view.children(container.value, target.machine, container.evaluateName)
          : container.kind === 'locals' ? view.locals(target.frameAccess(container.frame)) : view.statics(target.frameAccess(container.frame));
        let named: NamedValue | undefined;
        for (const n of list) if (n.name === args.name) named = n;
        if (!named) return none(`no variable '${args.name}' here`);
        if (named.value.address === undefined) return none(`'${args.name}' is not in memory (it lives in a register or was optimized out)`);
        address = named.value.address;
        size = view.sizeOf(named.value) ?? 4;
        label = named.evaluateName ?? args.name;
      } else if (container) {
        return none('registers cannot be watched; watch memory instead');
      } else {
        const frameIndex = args.frameId ?? 0;
        const text = args.name.trim();
        if (args.asAddress || /^(0x[0-9a-f]+|\d+)$/i.test(text)) {
          address = compileExpression(text)(target.evalContext(frameIndex)) >>> 0;
          size = args.bytes ?? 4;
        } else {
          const found = target.variables.evaluatePath(text, target.frameAccess(frameIndex), (e) => compileExpression(e)(target.evalContext(frameIndex)));
          if (found && found.addressOf === undefined) {
            if (found.value.address === undefined) return none(`'${text}' is not in memory`);
            address = found.value.address;
            size = view.sizeOf(found.value) ?? 4;
          } else {
            address = compileExpression(text.startsWith('&') ? text : `&${text}`)(target.evalContext(frameIndex)) >>> 0;
            size = args.bytes ?? 4;
          }
        }
      }
    } catch (e) {
      return none(errorText(e));
    }
    if (size === 0) size = 1;
    response.body = {
      dataId: dataIdFor(address, size),
      description: `${label} (${size} byte${size === 1 ? '' : 's'} at ${hex8(address)})`,
      accessTypes,
      canPersist: true,
    };
    this.sendResponse(response);
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    const target = this.target;
    const specs: DataBreakpointSpec[] = [];
    const result: DebugProtocol.Breakpoint[] = [];
    for (const db of args.breakpoints) {
      const id = this.breakpointIdFor('data', this.dataKey(db.dataId, db.accessType ?? 'write'));
      const where = parseDataId(db.dataId);
      const b = new Breakpoint(!!where && !!target) as DebugProtocol.Breakpoint;
      b.id = id;
      if (!where) b.message = `bad data breakpoint id '${db.dataId}'`;
      else if (!target) b.message = 'the firmware is not loaded yet';
      else specs.push({ id, address: where.address, size: where.size, access: db.accessType ?? 'write', condition: db.condition, hitCondition: db.hitCondition });
      result.push(b);
    }
    if (target) {
      const errors = target.dataBreakpoints.set(specs);
      for (const b of result) {
        const error = b.id !== undefined ? errors.get(b.id) : undefined;
        if (error) {
          b.verified = false;
          b.message = error;
        }
      }
    }
    response.body = { breakpoints: result };
    this.sendResponse(response);
  }

  private readonly dataKeys = new Map<string, number>();

  /** A stable number per (dataId, access) so a data breakpoint keeps its id across requests. */
  private dataKey(dataId: string, access: string): number {
    const key = `${dataId}:${access}`;
    let n = this.dataKeys.get(key);
    if (n === undefined) this.dataKeys.set(key, (n = this.dataKeys.size));
    return n;
  }

  // ---- source variables --------------------------------------------------------------------------

  /** A DAP variable for a source-level value; aggregates get a handle to expand them. */
  private toDapVariable(target: Target, frame: number, named: NamedValue, hex: boolean): DebugProtocol.Variable {
    const view = target.variables;
    const m = target.machine;
    const shape = view.shape(named.value, m);
    const v: DebugProtocol.Variable = {
      name: named.name,
      value: view.summary(named.value, m, { hex }),
      type: view.typeNameOf(named.value),
      variablesReference: shape.expandable ? this.variableHandles.create({ kind: 'value', frame, value: named.value, evaluateName: named.evaluateName }) : 0,
    };
    if (shape.indexed !== undefined) v.indexedVariables = shape.indexed;
    if (named.evaluateName !== undefined) v.evaluateName = named.evaluateName;
    if (named.value.address !== undefined) v.memoryReference = hex8(named.value.address);
    return v;
  }

  private sourceVariables(container: Extract<VariableContainer, { kind: 'locals' | 'statics' | 'value' }>, args: DebugProtocol.VariablesArguments): DebugProtocol.Variable[] {
    const target = this.target!;
    const hex = args.format?.hex ?? false;
    const view = target.variables;
    let list: NamedValue[];
    if (container.kind === 'value') {
      list = view.children(container.value, target.machine, container.evaluateName, args.start ?? 0, args.count || undefined);
    } else {
      const access = target.frameAccess(container.frame);
      list = container.kind === 'locals' ? view.locals(access) : view.statics(access);
    }
    return list.map((named) => this.toDapVariable(target, container.frame, named, hex));
  }

  private setSourceVariable(container: Extract<VariableContainer, { kind: 'locals' | 'statics' | 'value' }>, args: DebugProtocol.SetVariableArguments): { value: string; type?: string; variablesReference?: number } {
    const target = this.target!;
    const view = target.variables;
    let list: NamedValue[];
    if (container.kind === 'value') list = view.children(container.value, target.machine, container.evaluateName);
    else list = container.kind === 'locals' ? view.locals(target.frameAccess(container.frame)) : view.statics(target.frameAccess(container.frame));
    let named: NamedValue | undefined;
    for (const n of list) if (n.name === args.name) named = n; // the innermost of shadowed names
    if (!named) throw new Error('no such variable here');
    const text = args.value.trim();
    const number = text === 'true' ? 1 : text === 'false' ? 0 : /^[-+]?(\d+\.\d*|\.\d+|\d+e[-+]?\d+)$/i.test(text) ? Number(text)
      : /^'.'$/u.test(text) ? text.codePointAt(1)! : compileExpression(text)(target.evalContext(container.frame));
    view.write(named.value, number, target.machine);
    target.invalidateFrames();
    // Read it back (a register-held value is re-read through its location).
    let now = named.value;
    if (container.kind !== 'value') {
      const again = container.kind === 'locals' ? view.locals(target.frameAccess(container.frame)) : view.statics(target.frameAccess(container.frame));
      for (const n of again) if (n.name === args.name) now = n.value;
    }
    return { value: view.summary(now, target.machine, { hex: args.format?.hex ?? false }) };
  }

  /** `name`, `*p`, `s.field`, `arr[2]`...: evaluated with types, shown like the Variables view. */
  private evaluateVariablePath(target: Target, expression: string, frameIndex: number, hex: boolean): DebugProtocol.EvaluateResponse['body'] | undefined {
    if (!target.program.debugInfo || /^\$/.test(expression.trim())) return undefined;
    const access = target.frameAccess(frameIndex);
    const index = (text: string) => compileExpression(text)(target.evalContext(frameIndex));
    const found = target.variables.evaluatePath(expression, access, index);
    if (!found) return undefined;
    if (found.addressOf !== undefined) {
      return { result: hex8(found.addressOf), type: `${target.variables.typeNameOf(found.value)} *`, variablesReference: 0, memoryReference: hex8(found.addressOf) };
    }
    const v = this.toDapVariable(target, frameIndex, { name: expression, value: found.value, evaluateName: expression.trim() }, hex);
    return { result: v.value, type: v.type, variablesReference: v.variablesReference, indexedVariables: v.indexedVariables, memoryReference: v.memoryReference };
  }

  // ---- memory and disassembly --------------------------------------------------------------------

  /** The address a memory request names (its reference plus offset), or undefined once the request
   *  has been answered with why the reference does not parse. */
  private memoryAddress(response: DebugProtocol.Response, target: Target, args: { memoryReference: string; offset?: number }): number | undefined {
    try {
      return (parseAddress(args.memoryReference, target) + (args.offset ?? 0)) >>> 0;
    } catch (e) {
      this.sendErrorResponse(response, 1010, errorText(e));
      return undefined;
    }
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    const target = this.requireTarget(response);
    if (!target) return;
    const address = this.memoryAddress(response, target, args);
    if (address === undefined) return;
    const count = Math.max(0, Math.min(args.count, 1 << 20));
    const m = target.machine;
    let readable = 0;
    while (readable < count && m.isMapped((address + readable) >>> 0)) readable++;
    const data = m.readMemory(address, readable);
    response.body = { address: hex8(address), data: Buffer.from(data).toString('base64'), unreadableBytes: count - readable };
    this.sendResponse(response);
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    const target = this.requireTarget(response);
    if (!target) return;
    const address = this.memoryAddress(response, target, args);
    if (address === undefined) return;
    const data = Buffer.from(args.data, 'base64');
    const ok = target.machine.writeMemory(address, data);
    target.invalidateFrames();
    response.body = { offset: 0, bytesWritten: ok ? data.length : 0 };
    if (!ok) {
      this.sendErrorResponse(response, 1011, `cannot write ${data.length} bytes at ${hex8(address)}: not all of it is mapped memory`);
      return;
    }
    this.sendResponse(response);
    this.sendEvent(new InvalidatedEvent(['variables']));
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    const target = this.requireTarget(response);
    if (!target) return;
    const address = this.memoryAddress(response, target, args);
    if (address === undefined) return;
    const list = disassemble(target.machine, target.program, address, args.instructionOffset ?? 0, args.instructionCount);
    let lastPath: string | undefined;
    const instructions: DebugProtocol.DisassembledInstruction[] = list.map((d) => {
      const insn: DebugProtocol.DisassembledInstruction = { address: hex8(d.address), instruction: d.text };
      if (d.bytes) insn.instructionBytes = d.bytes;
      if (d.symbol && args.resolveSymbols !== false) insn.symbol = d.symbol;
      if (d.path !== undefined && d.line !== undefined) {
        if (d.path !== lastPath) insn.location = this.sourceFor(d.path);
        lastPath = d.path;
        insn.line = this.convertDebuggerLineToClient(d.line);
      }
      if (!d.bytes) insn.presentationHint = 'invalid';
      return insn;
    });
    response.body = { instructions };
    this.sendResponse(response);
  }

  // ---- custom requests for the extension's panels -----------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    const target = this.target;
    if (this.board && command.startsWith('cortex-m-sim/')) {
      try {
        const body = this.board.request(command, args);
        if (body !== undefined) {
          response.body = body;
          this.sendResponse(response);
          return;
        }
      } catch (e) {
        this.sendErrorResponse(response, { id: 1020, format: '{_message}', variables: { _message: `${command}: ${errorText(e)}` }, showUser: false });
        return;
      }
    }
    switch (command) {
      case 'cortex-m-sim/stdin': {
        // Console input for the firmware: { text, eof?, channel? } (the Debug Console's "> text"
        // does the same). channel 'rtt' or 'semihosting'; by default RTT once it is found.
        const a = (args ?? {}) as { text?: unknown; eof?: unknown; channel?: unknown };
        if (!target || typeof a.text !== 'string' || (a.channel !== undefined && a.channel !== 'rtt' && a.channel !== 'semihosting')) {
          this.sendErrorResponse(response, 1014, target ? "cortex-m-sim/stdin needs { text: string, channel?: 'rtt' | 'semihosting' }" : 'the firmware is not running');
          return;
        }
        const toRtt = a.channel === 'rtt' || (a.channel === undefined && this.rtt?.attached === true);
        if (toRtt) {
          if (!this.rtt) {
            this.sendErrorResponse(response, 1015, 'RTT is off for this session (set "rtt": true in launch.json)');
            return;
          }
          this.rtt.sendInput(a.text);
          response.body = { waiting: false, channel: 'rtt' };
          this.sendResponse(response);
          return;
        }
        target.sendInput(a.text, a.eof === true);
        response.body = { waiting: target.waitingForInput };
        this.sendResponse(response);
        return;
      }
      case 'cortex-m-sim/status': {
        response.body = target
          ? {
            state: target.state,
            instructions: target.machine.cpu.instructions,
            cycles: target.machine.cpu.cycles,
            seconds: target.machine.seconds,
            instructionsPerSecond: target.running ? target.instructionsPerSecond : 0,
            chip: target.machine.chip.id,
          }
          : { state: 'none' };
        this.sendResponse(response);
        return;
      }
      case 'cortex-m-sim/memoryMap': {
        if (!target) { this.sendErrorResponse(response, 1002, 'no target'); return; }
        const list = (d: string): string[] => { try { return fs.readdirSync(d); } catch { return []; } };
        response.body = memoryMapForTarget(target, this.launch?.linkerScript, fs.existsSync, list);
        this.sendResponse(response);
        return;
      }
      case 'cortex-m-sim/peripherals':
      case 'cortex-m-sim/writeRegister':
      case 'cortex-m-sim/registerHistory': {
        try {
          if (!this.peripherals) throw new Error('the firmware is not loaded');
          response.body = this.peripherals.handleRequest(command, args);
        } catch (e) {
          this.sendErrorResponse(response, 1031, errorText(e));
          return;
        }
        this.sendResponse(response);
        if (command === 'cortex-m-sim/writeRegister') this.sendEvent(new InvalidatedEvent(['variables']));
        return;
      }
      default:
        super.customRequest(command, response, args);
    }
  }
}
