// Which linked program belongs to a linker script. A Rust embedded crate keeps memory.x next to
// Cargo.toml and cargo writes the ELF to target/<thumbv* triple>/{debug,release}/<crate name>; the
// newest of those is the one the user is looking at. Pure over a small file-system interface so
// tests can fake it.

import { dirname, join } from 'node:path';

export interface LocatorFileSystem {
  readFile(path: string): string | undefined;
  /** Names in a directory; empty when it does not exist. */
  list(dir: string): string[];
  /** Modification time in ms, or undefined when the path is not a file. */
  fileTime(path: string): number | undefined;
}

/** The directory of the nearest Cargo.toml at or above `dir` (up to `stopAt`, if given). */
export function findCargoRoot(dir: string, fs: LocatorFileSystem, stopAt?: string): string | undefined {
  let d = dir;
  for (let i = 0; i < 32; i++) {
    if (fs.readFile(join(d, 'Cargo.toml')) !== undefined) return d;
    if (d === stopAt) return undefined;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
  return undefined;
}

/** The package (or first binary target) name declared in a Cargo.toml; enough TOML for this. */
export function crateNames(cargoToml: string): string[] {
  const names: string[] = [];
  let table = '';
  for (const raw of cargoToml.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) { table = header[1]; continue; }
    const kv = /^name\s*=\s*"([^"]+)"/.exec(line);
    if (kv && (table === 'package' || table === 'bin')) names.push(kv[1]);
  }
  return names;
}

/**
 * The ELF built from the crate a script belongs to: the newest target/thumbv*\/{debug,release}/<name>
 * (or a binary target's name). Undefined when nothing has been built yet.
 */
export function findElfForScript(scriptPath: string, fs: LocatorFileSystem, stopAt?: string): string | undefined {
  const root = findCargoRoot(dirname(scriptPath), fs, stopAt);
  if (!root) return undefined;
  const toml = fs.readFile(join(root, 'Cargo.toml')) ?? '';
  const names = crateNames(toml);
  // A workspace member builds into the workspace's target directory, one or two levels up.
  const targetDirs = [join(root, 'target'), join(dirname(root), 'target'), join(dirname(dirname(root)), 'target')];
  let best: { path: string; time: number } | undefined;
  for (const target of targetDirs) {
    for (const triple of fs.list(target)) {
      if (!triple.startsWith('thumbv')) continue;
      for (const profile of ['debug', 'release']) {
        for (const name of names) {
          for (const candidate of [name, name.replace(/-/g, '_')]) {
            const path = join(target, triple, profile, candidate);
            const time = fs.fileTime(path);
            if (time !== undefined && (!best || time > best.time)) best = { path, time };
          }
        }
      }
    }
    if (best) break;
  }
  return best?.path;
}
