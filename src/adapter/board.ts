// The virtual board, as the debug adapter serves it to the board panel: custom requests
// (cortex-m-sim/board, pressButton, setSwitch, uartInput, timeline, exportVcd, runMode) and custom
// events (cortex-m-sim/boardState at most 20 per second while running and once at each stop;
// cortex-m-sim/uart with terminal output, batched the same way). The panel never sees emulator
// objects, so this works with the adapter in or out of process. Reads have no side effects on the
// simulated chip: LED levels and the timeline come from the board runtime's own records.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Event } from '@vscode/debugadapter';
import { BoardError, bundledBoard, parseBoardFile, type Board } from '../emulator/boards/index';
import { BoardRuntime, type BoardState } from '../emulator/boards/board-runtime';
import { RealTimePacer, type RunMode } from '../emulator/realtime';
import type { Target } from './target';

/** Events per second while running, at most. */
const EVENT_HZ = 20;
/** Terminal output per event, at most (more waits for the next event). */
const MAX_UART_BYTES_PER_EVENT = 16 * 1024;
/** The board file a workspace may hold (next to Cargo.toml / the launch cwd). */
export const USER_BOARD_FILE = 'board.json';

export interface BoardOptions {
  /** Board id from the launch configuration (undefined when only a chip was given). */
  boardId: string | undefined;
  /** Where to look for a user's board.json. */
  cwd: string | undefined;
  /** Initial run mode (launch.json "runMode"); fast when absent. */
  runMode?: unknown;
}

export interface BoardStateEvent extends BoardState {
  state: Target['state'];
  /** Simulated seconds since reset. */
  seconds: number;
  /** Measured simulated seconds per wall second. */
  speed: number;
  runMode: RunMode;
  /** The speed factor asked for in real-time mode. */
  targetSpeed: number;
}

type Send = (event: Event) => void;

function stringArg(args: Record<string, unknown>, key: string, fallback?: string): string {
  const v = args[key] ?? fallback;
  if (typeof v !== 'string' || v === '') throw new Error(`"${key}" must be a non-empty string`);
  return v;
}

export class BoardController {
  readonly board: Board | null;
  /** Why the workspace's board.json was not used (shown by the panel). */
  readonly boardFileError: string | undefined;
  readonly boardFile: string | undefined;
  readonly runtime: BoardRuntime | null;
  readonly pacer: RealTimePacer;
  private readonly uartOut = new Map<string, number[]>();
  private timer: NodeJS.Timeout | undefined;
  private lastSent = 0;
  private readonly onStopped = () => this.flush(true);

  constructor(private readonly target: Target, options: BoardOptions, private readonly send: Send, log: (text: string) => void) {
    const machine = target.machine;
    let board: Board | null = options.boardId !== undefined ? bundledBoard(options.boardId) ?? null : null;
    const userFile = options.cwd !== undefined ? path.join(options.cwd, USER_BOARD_FILE) : undefined;
    if (userFile !== undefined && fs.existsSync(userFile)) {
      this.boardFile = userFile;
      try {
        const user = parseBoardFile(fs.readFileSync(userFile, 'utf8'), userFile);
        if (user.chip !== machine.chip.id) throw new BoardError(userFile, '$.chip', `the board's chip is '${user.chip}' but the session simulates '${machine.chip.id}'`);
        board = user;
      } catch (e) {
        this.boardFileError = e instanceof Error ? e.message : String(e);
        log(`board: ${this.boardFileError}; using ${board ? `the bundled ${board.id}` : 'no board'}\n`);
      }
    }
    this.board = board;
    this.runtime = board ? new BoardRuntime(machine, board) : null;
    this.runtime?.onUart((id, byte) => {
      let list = this.uartOut.get(id);
      if (!list) this.uartOut.set(id, (list = []));
      list.push(byte);
    });
    const mode = options.runMode === 'realtime' ? 'realtime' : 'fast';
    this.pacer = new RealTimePacer(machine, mode);
    machine.onReset(() => this.pacer.resetTime());
    target.pacer = this.pacer;
    target.on('stopped', this.onStopped);
    target.on('exited', this.onStopped);
    this.timer = setInterval(() => this.flush(false), 1000 / EVENT_HZ);
    this.timer.unref?.();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.runtime?.dispose();
    this.target.pacer = null;
    this.target.off('stopped', this.onStopped);
    this.target.off('exited', this.onStopped);
  }

  /** Sends terminal output and, while running or when forced (a stop), the board state. */
  private flush(force: boolean): void {
    for (const [terminal, bytes] of this.uartOut) {
      if (bytes.length === 0) continue;
      const chunk = bytes.splice(0, MAX_UART_BYTES_PER_EVENT);
      this.send(new Event('cortex-m-sim/uart', { terminal, data: Buffer.from(chunk).toString('base64') }));
    }
    if (!force && !this.target.running && !(this.runtime?.takeChanged() ?? false)) return;
    const now = Date.now();
    if (!force && now - this.lastSent < 1000 / EVENT_HZ / 2) return;
    this.lastSent = now;
    this.send(new Event('cortex-m-sim/boardState', this.state()));
  }

  state(): BoardStateEvent {
    const sample = this.runtime?.sample() ?? { leds: [], inputs: [], cycles: this.target.machine.cpu.cycles };
    return {
      ...sample,
      state: this.target.state,
      seconds: this.pacer.simulatedSeconds,
      speed: this.target.running ? this.pacer.sampleSpeed() : 0,
      runMode: this.pacer.mode,
      targetSpeed: this.pacer.speed,
    };
  }

  /** Handles a board request; undefined when `command` is not one of ours. Throws on bad input. */
  request(command: string, rawArgs: unknown): unknown {
    const args = (typeof rawArgs === 'object' && rawArgs !== null ? rawArgs : {}) as Record<string, unknown>;
    switch (command) {
      case 'cortex-m-sim/board':
        return {
          board: this.board,
          boardFile: this.boardFile,
          boardFileError: this.boardFileError,
          chip: { id: this.target.machine.chip.id, name: this.target.machine.chip.name },
          clockHz: this.target.machine.coreClockHz,
          state: this.state(),
        };
      case 'cortex-m-sim/pressButton': {
        const runtime = this.requireRuntime();
        const pressed = args.pressed ?? true;
        if (typeof pressed !== 'boolean') throw new Error('"pressed" must be true or false');
        runtime.setInput(stringArg(args, 'id'), pressed);
        this.flush(true);
        return { id: args.id, pressed };
      }
      case 'cortex-m-sim/setSwitch': {
        const runtime = this.requireRuntime();
        if (typeof args.on !== 'boolean') throw new Error('"on" must be true or false');
        runtime.setInput(stringArg(args, 'id'), args.on);
        this.flush(true);
        return { id: args.id, on: args.on };
      }
      case 'cortex-m-sim/uartInput': {
        const runtime = this.requireRuntime();
        const terminal = stringArg(args, 'id', runtime.defaultTerminal);
        let bytes: Uint8Array;
        if (typeof args.text === 'string') bytes = new TextEncoder().encode(args.text);
        else if (Array.isArray(args.bytes) && args.bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) bytes = Uint8Array.from(args.bytes as number[]);
        else throw new Error('give "text" (a string) or "bytes" (numbers 0-255)');
        runtime.uartInput(terminal, bytes);
        return { id: terminal, sent: bytes.length };
      }
      case 'cortex-m-sim/timeline': {
        const runtime = this.requireRuntime();
        const num = (key: string, fallback: number) => {
          const v = args[key];
          if (v === undefined) return fallback;
          if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`"${key}" must be a number`);
          return v;
        };
        const w = runtime.timeline.window(num('fromCycle', 0), num('toCycle', Infinity), Math.min(num('maxEvents', 10_000), 100_000));
        return {
          ...w,
          // JSON has no NaN: unknown starting values are null.
          initial: w.initial.map((v) => (Number.isNaN(v) ? null : v)),
          cycles: this.target.machine.cpu.cycles,
          clockHz: this.target.machine.coreClockHz,
        };
      }
      case 'cortex-m-sim/exportVcd': {
        const runtime = this.requireRuntime();
        const m = this.target.machine;
        const vcd = runtime.timeline.toVcd({ clockHz: m.coreClockHz, scope: this.board?.id, date: new Date(), endCycle: m.cpu.cycles });
        if (args.path !== undefined) {
          const file = stringArg(args, 'path');
          fs.writeFileSync(file, vcd);
          return { path: file, bytes: Buffer.byteLength(vcd) };
        }
        return { vcd };
      }
      case 'cortex-m-sim/runMode': {
        if (args.mode !== undefined) {
          if (args.mode !== 'realtime' && args.mode !== 'fast') throw new Error('"mode" must be "realtime" or "fast"');
          this.pacer.mode = args.mode;
        }
        if (args.speed !== undefined) {
          if (typeof args.speed !== 'number') throw new Error('"speed" must be a number');
          this.pacer.speed = args.speed;
        }
        this.flush(true);
        return { mode: this.pacer.mode, speed: this.pacer.speed };
      }
      default:
        return undefined;
    }
  }

  private requireRuntime(): BoardRuntime {
    if (!this.runtime) throw new Error('this session has no board (launch with "board", e.g. "nucleo-f411re", or add a board.json)');
    return this.runtime;
  }
}
