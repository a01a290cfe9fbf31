// Oracles are external tools the differential tests compare against (QEMU, binutils,
// gdb-multiarch, unicorn). A test that needs one calls requireOracle: when the tool is
// missing the test is skipped, unless REQUIRE_ORACLES=1 (as in CI), where it fails.
//
//   before(requireOracle('qemu'));                  // skip/fail a whole suite
//   it('...', function () { skipUnlessOracle(this, 'binutils'); ... });
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Known oracle names and the commands each one needs. Other names are taken as commands. */
export const ORACLE_TOOLS: Readonly<Record<string, readonly string[]>> = {
  qemu: ['qemu-system-arm'],
  binutils: ['arm-none-eabi-readelf', 'arm-none-eabi-objdump', 'arm-none-eabi-nm', 'arm-none-eabi-addr2line'],
  gdb: ['gdb-multiarch'],
  gcc: ['arm-none-eabi-gcc'],
  unicorn: ['python3:unicorn'],
};

const cache = new Map<string, boolean>();

function onPath(cmd: string): boolean {
  if (cmd.includes('/')) return isExecutable(cmd);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, cmd))) return true;
  }
  return false;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

const pythonCache = new Map<string, string | null>();

/**
 * A Python interpreter that can import `module`: `python3` on PATH first, then Debian's
 * /usr/bin/python3 (where python3-unicorn installs, and which a python3 from a version
 * manager on PATH may hide). Undefined when none can.
 */
export function pythonWith(module: string): string | undefined {
  let found = pythonCache.get(module);
  if (found === undefined) {
    found = null;
    for (const python of ['python3', '/usr/bin/python3']) {
      if (onPath(python) &&
        spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 20000 }).status === 0) {
        found = python;
        break;
      }
    }
    pythonCache.set(module, found);
  }
  return found ?? undefined;
}

/**
 * True when `cmd` can be run: an executable on PATH (or a path), or `python3:<module>`
 * for a Python module that some python3 imports (see pythonWith).
 */
export function hasTool(cmd: string): boolean {
  let found = cache.get(cmd);
  if (found === undefined) {
    const python = /^python3?:(.+)$/.exec(cmd);
    found = python ? pythonWith(python[1]) !== undefined : onPath(cmd);
    cache.set(cmd, found);
  }
  return found;
}

/** True when REQUIRE_ORACLES=1 (missing oracles are failures, not skips). */
export function oraclesRequired(): boolean {
  return process.env.REQUIRE_ORACLES === '1';
}

/** The commands among `names` (oracle names or commands) that are missing. */
export function missingTools(...names: string[]): string[] {
  const missing: string[] = [];
  for (const name of names) {
    for (const cmd of ORACLE_TOOLS[name] ?? [name]) {
      if (!hasTool(cmd)) missing.push(cmd);
    }
  }
  return missing;
}

/**
 * Skips the running test or hook when one of the oracles is missing; throws instead
 * when REQUIRE_ORACLES=1.
 */
export function skipUnlessOracle(ctx: Mocha.Context, ...names: string[]): void {
  const missing = missingTools(...names);
  if (missing.length === 0) return;
  const what = `${names.join(', ')} (missing: ${missing.join(', ')})`;
  if (oraclesRequired()) {
    throw new Error(`required oracle not available: ${what}; REQUIRE_ORACLES=1 makes this a failure`);
  }
  ctx.skip();
}

/** A mocha hook/test function that applies skipUnlessOracle: `before(requireOracle('qemu'))`. */
export function requireOracle(...names: string[]): (this: Mocha.Context) => void {
  return function (this: Mocha.Context) {
    skipUnlessOracle(this, ...names);
  };
}
