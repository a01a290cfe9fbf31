// launch.json → what the target needs, with one clear message per mistake (naming the attribute,
// the file or the value that is wrong) instead of a hang or a stack trace.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { boardById, chipById, UnknownIdError } from '../emulator/chips/index';
import type { ChipDescription } from '../emulator/chips/chip';

/** The launch.json attributes (DESIGN.md "launch.json (contract)"). */
export interface LaunchAttributes {
  program?: unknown;
  board?: unknown;
  chip?: unknown;
  svdFile?: unknown;
  linkerScript?: unknown;
  runToEntryPoint?: unknown;
  stopOnEntry?: unknown;
  semihosting?: unknown;
  rtt?: unknown;
  cwd?: unknown;
}

export interface ResolvedLaunch {
  programPath: string;
  bytes: Uint8Array;
  chip: ChipDescription;
  boardId: string | undefined;
  svdFile: string | undefined;
  linkerScript: string | undefined;
  runToEntryPoint: string | false;
  stopOnEntry: boolean;
  semihosting: boolean;
  rtt: boolean;
  cwd: string | undefined;
}

export class LaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

export const DEFAULT_BOARD = 'nucleo-f411re';

function optionalString(args: LaunchAttributes, key: keyof LaunchAttributes): string | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new LaunchError(`launch.json: "${key}" must be a string, not ${JSON.stringify(v)}`);
  return v;
}

function optionalBoolean(args: LaunchAttributes, key: keyof LaunchAttributes, fallback: boolean): boolean {
  const v = args[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new LaunchError(`launch.json: "${key}" must be true or false, not ${JSON.stringify(v)}`);
  return v;
}

function readableFile(file: string, key: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LaunchError(`launch.json: "${key}" file '${file}' ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(e)})`}`);
  }
  if (!stat.isFile()) throw new LaunchError(`launch.json: "${key}" '${file}' is not a file`);
}

export function resolveLaunch(args: LaunchAttributes): ResolvedLaunch {
  let cwd = optionalString(args, 'cwd');
  if (cwd !== undefined) {
    cwd = path.resolve(cwd);
    if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) throw new LaunchError(`launch.json: "cwd" '${cwd}' is not a directory`);
  }
  const base = cwd ?? process.cwd();

  const program = optionalString(args, 'program');
  if (program === undefined) {
    throw new LaunchError('launch.json: "program" is missing: set it to the firmware ELF, e.g. "${workspaceFolder}/target/thumbv7em-none-eabihf/debug/<crate>"');
  }
  const programPath = path.resolve(base, program);
  readableFile(programPath, 'program');
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(programPath);
  } catch (e) {
    throw new LaunchError(`launch.json: cannot read "program" '${programPath}': ${(e as Error).message}`);
  }
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new LaunchError(`launch.json: "program" '${programPath}' is not an ELF file (build the firmware and point "program" at the ELF, not a .bin or .hex)`);
  }
  // e_ident[EI_CLASS] = 1 (32-bit), EI_DATA = 1 (little-endian), e_machine = 40 (ARM).
  const machine = bytes.length >= 20 ? bytes[18] | (bytes[19] << 8) : 0;
  if (bytes[4] !== 1 || bytes[5] !== 1 || machine !== 40) {
    throw new LaunchError(`launch.json: "program" '${programPath}' is not a 32-bit ARM ELF (e_machine ${machine}${bytes[4] === 2 ? ', 64-bit' : ''}); build it for a thumbv6m/thumbv7m/thumbv7em target`);
  }

  const boardId = optionalString(args, 'board');
  const chipId = optionalString(args, 'chip');
  let chip: ChipDescription;
  let resolvedBoard: string | undefined;
  try {
    if (boardId !== undefined) {
      const board = boardById(boardId);
      resolvedBoard = board.id;
      chip = chipById(board.chip);
      if (chipId !== undefined && chipById(chipId).id !== chip.id) {
        throw new LaunchError(`launch.json: "board" '${boardId}' has chip '${chip.id}' but "chip" says '${chipId}'; give one of them`);
      }
    } else if (chipId !== undefined) {
      chip = chipById(chipId);
    } else {
      resolvedBoard = DEFAULT_BOARD;
      chip = chipById(boardById(DEFAULT_BOARD).chip);
    }
  } catch (e) {
    if (e instanceof UnknownIdError) throw new LaunchError(`launch.json: ${e.message}`);
    throw e;
  }

  let svdFile = optionalString(args, 'svdFile');
  if (svdFile !== undefined) {
    svdFile = path.resolve(base, svdFile);
    readableFile(svdFile, 'svdFile');
  }
  let linkerScript = optionalString(args, 'linkerScript');
  if (linkerScript !== undefined) {
    linkerScript = path.resolve(base, linkerScript);
    readableFile(linkerScript, 'linkerScript');
  }

  let runToEntryPoint: string | false;
  const r = args.runToEntryPoint;
  if (r === false || r === '') runToEntryPoint = false;
  else if (r === true || r === undefined || r === null) runToEntryPoint = 'main';
  else if (typeof r === 'string') runToEntryPoint = r;
  else throw new LaunchError(`launch.json: "runToEntryPoint" must be a function name or false, not ${JSON.stringify(r)}`);

  return {
    programPath,
    bytes,
    chip,
    boardId: resolvedBoard,
    svdFile,
    linkerScript,
    runToEntryPoint,
    stopOnEntry: optionalBoolean(args, 'stopOnEntry', false),
    semihosting: optionalBoolean(args, 'semihosting', true),
    rtt: optionalBoolean(args, 'rtt', false),
    cwd,
  };
}
