// `cortex-m-sim run <elf>`: load, reset and run firmware until it exits through semihosting, with
// the exit codes DESIGN.md fixes: the firmware's own code; 101 after a fault; 124 on timeout or
// instruction limit; 2 for bad input.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ElfError, readElf } from '../debuginfo/elf';
import { UnknownIdError } from '../emulator/chips/index';
import type { FaultExplanation } from '../emulator/fault-explanation';
import { Machine, MachineError } from '../emulator/machine';
import { bundledBoard } from '../emulator/boards/index';
import { RttHost } from '../emulator/rtt';
import { chooseChip } from './chip-choice';
import { SourceLocator } from './source-location';

export const EXIT_FAULT = 101;
export const EXIT_TIMEOUT = 124;
export const EXIT_BAD_INPUT = 2;

export interface RunCommandOptions {
  elfPath: string;
  board?: string;
  chip?: string;
  timeoutSeconds?: number;
  maxInstructions?: number;
  stats: boolean;
  /** Let the firmware's own HardFault handler run instead of stopping at the fault. */
  faultHandlers: boolean;
  /** Where UART output goes: a file, or '-' for stdout. */
  uart?: string;
  /** Print RTT up channel 0 to stdout. */
  rtt?: boolean;
  /** Arguments passed to the firmware (SYS_GET_CMDLINE). */
  firmwareArgs: string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Instructions per run() call: short enough to check the wall clock often, long enough to be free. */
const SLICE = 2_000_000;
/** With RTT on, the host reads the firmware's ring buffers between slices: shorter slices keep a
 *  small buffer from overflowing (firmware that does not block on a full buffer drops output). */
const RTT_SLICE = 100_000;

export class BadInputError extends Error {}

export function runCommand(options: RunCommandOptions): number {
  const { stdout, stderr } = options;
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(options.elfPath);
  } catch (e) {
    throw new BadInputError(`cannot read ${options.elfPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }

  let machine: Machine;
  let locator: SourceLocator;
  try {
    const elf = readElf(bytes, options.elfPath);
    const choice = chooseChip(elf, options.board, options.chip);
    machine = new Machine(choice.chip, {
      workingDirectory: process.cwd(),
      commandLine: [path.basename(options.elfPath), ...options.firmwareArgs].join(' '),
      input: stdinByte,
    });
    machine.loadElf(bytes, options.elfPath);
    machine.reset();
    locator = new SourceLocator(machine.elf ?? elf);
  } catch (e) {
    if (e instanceof ElfError || e instanceof MachineError || e instanceof UnknownIdError) throw new BadInputError(e.message);
    throw e;
  }

  // Console output is buffered and flushed between slices: one write per character would cost
  // more than running the firmware.
  let pending = '';
  const flush = (): void => {
    if (pending) stdout(pending);
    pending = '';
  };
  machine.onSemihostingOutput((text) => {
    pending += text;
    if (pending.length > 65536) flush();
  });
  const uart = options.uart !== undefined ? uartSink(machine, options.uart, options.board, (text) => {
    pending += text;
    if (pending.length > 65536) flush();
  }) : null;
  let rtt: { host: RttHost; decoder: InstanceType<typeof TextDecoder> } | null = null;
  if (options.rtt) {
    const symbol = machine.elf?.symbolByName('_SEGGER_RTT');
    rtt = {
      host: new RttHost(machine, { address: symbol?.address, ranges: machine.chip.sram.map((r) => ({ base: r.base, size: r.size })) }),
      decoder: new TextDecoder('utf-8'),
    };
  }
  const pollRtt = (): void => {
    if (!rtt) return;
    const { decoder } = rtt;
    rtt.host.poll((channel, data) => {
      if (channel.index === 0) pending += decoder.decode(data, { stream: true });
    });
  };
  const warned = new Set<string>();
  machine.onWarning((message) => {
    if (!warned.has(message)) {
      warned.add(message);
      flush();
      stderr(`cortex-m-sim: warning: ${message}\n`);
    }
  });
  let fault: FaultExplanation | undefined;
  machine.onFault((explanation) => {
    fault = explanation;
    // The firmware's fault handlers usually spin forever; a runner stops at HardFault instead.
    // Configurable faults the firmware enabled a handler for (UsageFault, BusFault, MemManage) are
    // left to the firmware, which may recover from them.
    if (!options.faultHandlers && explanation.kind === 'HardFault') machine.halt();
  });

  const started = performance.now();
  const deadline = options.timeoutSeconds !== undefined ? started + options.timeoutSeconds * 1000 : Infinity;
  const limit = options.maxInstructions ?? Infinity;
  let executed = 0;
  let code: number | undefined;
  let cycles = 0;
  while (code === undefined) {
    const slice = Math.min(rtt ? RTT_SLICE : SLICE, limit - executed);
    const result = machine.run({ maxInstructions: slice });
    executed += result.instructions;
    cycles += result.cycles;
    pollRtt();
    uart?.flush();
    flush();
    switch (result.reason) {
      case 'exit':
        code = result.exitCode ?? machine.exitCode ?? 0;
        break;
      case 'limit':
        if (executed >= limit) {
          stderr(`cortex-m-sim: stopped after ${executed} instructions (--max-instructions)\n`);
          code = EXIT_TIMEOUT;
        } else if (performance.now() > deadline) {
          stderr(`cortex-m-sim: timed out after ${options.timeoutSeconds} s; the firmware was at ${locator.describe(machine.cpu.pc)}\n`);
          code = EXIT_TIMEOUT;
        }
        break;
      case 'halted':
      case 'fault':
      case 'fault-lockup':
        if (fault) {
          fault.sourceLine = locator.userLine(fault.pc);
          stderr(formatFault(fault, locator));
        } else {
          stderr(`cortex-m-sim: ${result.reason}${result.message ? `: ${result.message}` : ''}\n`);
        }
        code = EXIT_FAULT;
        break;
      case 'breakpoint':
        stderr(`cortex-m-sim: the firmware hit a breakpoint instruction at ${locator.describe(machine.cpu.pc)}\n`);
        code = EXIT_FAULT;
        break;
      case 'sleep-forever':
        stderr(`cortex-m-sim: the firmware is asleep (WFI/WFE) with no interrupt that could wake it, at ${locator.describe(machine.cpu.pc)}\n`);
        code = EXIT_TIMEOUT;
        break;
      default:
        stderr(`cortex-m-sim: stopped (${result.reason})${result.message ? `: ${result.message}` : ''}\n`);
        code = EXIT_FAULT;
    }
  }
  uart?.close();
  const wallMs = performance.now() - started;
  if (options.stats) {
    const mips = wallMs > 0 ? executed / wallMs / 1000 : 0;
    stderr(`instructions=${executed} cycles=${cycles} wall_ms=${Math.round(wallMs)} mips=${mips.toFixed(2)}\n`);
  }
  return code;
}

function formatFault(fault: FaultExplanation, locator: SourceLocator): string {
  const lines = [fault.text.trimEnd()];
  const indent = ' '.repeat(22);
  lines.push(`faulting instruction: ${locator.describe(fault.pc, indent)}`);
  if (fault.sourceLine) lines.push(`source line:          ${fault.sourceLine}`);
  if (fault.frame) {
    // The caller of the faulting function, from the stacked LR (no CFI unwinding needed for the
    // common case of a fault one call deep).
    const caller = fault.frame.lr & ~1;
    if (caller !== 0 && (fault.frame.lr >>> 28) !== 0xf) lines.push(`called from:          ${locator.describe(caller, indent)}`);
  }
  return `cortex-m-sim: ${lines.join('\n')}\n`;
}

/**
 * `--uart <file|->`: the bytes the console UART transmits (the board's uart-terminal parts with
 * --board, else every UART) to a file, or with '-' into the stdout stream (in order with
 * semihosting output).
 */
function uartSink(machine: Machine, where: string, boardId: string | undefined, toStdout: (text: string) => void): { flush(): void; close(): void } {
  const board = boardId !== undefined ? bundledBoard(boardId) : undefined;
  const wanted = new Set((board?.parts ?? []).flatMap((p) => (p.type === 'uart-terminal' ? [p.uart] : [])));
  let bytes: number[] = [];
  const decoder = new TextDecoder('utf-8');
  const one = new Uint8Array(1);
  machine.onUartOutput((name, byte) => {
    if (wanted.size > 0 && !wanted.has(name)) return;
    if (fd !== undefined) {
      bytes.push(byte);
      return;
    }
    // Into the stdout stream at once, so it interleaves with semihosting output as it happened.
    one[0] = byte;
    toStdout(decoder.decode(one, { stream: true }));
  });
  let fd: number | undefined;
  if (where !== '-') {
    try {
      fd = fs.openSync(where, 'w');
    } catch (e) {
      throw new BadInputError(`cannot write UART output to ${where}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const flush = (): void => {
    if (bytes.length === 0 || fd === undefined) return;
    const chunk = Uint8Array.from(bytes);
    bytes = [];
    fs.writeSync(fd, chunk);
  };
  return {
    flush,
    close: () => {
      flush();
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}

/** SYS_READC / SYS_READ from our stdin, one byte at a time (-1 at end of input). */
function stdinByte(): number {
  const buffer = Buffer.alloc(1);
  try {
    return fs.readSync(0, buffer, 0, 1, null) === 1 ? buffer[0] : -1;
  } catch {
    return -1;
  }
}
