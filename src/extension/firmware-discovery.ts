// Finds what F5 needs in a Rust embedded folder that has no launch.json: the firmware ELF under
// target/thumbv*/{debug,release}/ and the crate name from Cargo.toml. Pure Node (no vscode) so it can
// be unit-tested.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package name from Cargo.toml's [package] table, if any. */
export function cratePackageName(folder: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(folder, 'Cargo.toml'), 'utf8');
  } catch {
    return undefined;
  }
  let inPackage = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inPackage = line === '[package]';
    else if (inPackage) {
      const m = /^name\s*=\s*"([^"]+)"/.exec(line);
      if (m) return m[1];
    }
  }
  return undefined;
}

function isElf(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const magic = Buffer.alloc(4);
      return fs.readSync(fd, magic, 0, 4, 0) === 4 && magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * Candidate firmware ELFs, best first: target/thumbv*-none-eabi*\/debug/<crate> (then release, then
 * examples), newest first among equals.
 */
export function findFirmwareElfs(folder: string): string[] {
  const target = path.join(folder, 'target');
  let triples: string[];
  try {
    triples = fs.readdirSync(target).filter((t) => /^thumbv[678]/.test(t));
  } catch {
    return [];
  }
  const crate = cratePackageName(folder);
  const found: { file: string; rank: number; mtime: number }[] = [];
  for (const triple of triples) {
    for (const [profile, profileRank] of [['debug', 0], ['release', 2]] as const) {
      for (const [sub, subRank] of [['', 0], ['examples', 1]] as const) {
        const dir = path.join(target, triple, profile, sub);
        let names: string[];
        try {
          names = fs.readdirSync(dir);
        } catch {
          continue;
        }
        for (const name of names) {
          const file = path.join(dir, name);
          if (name.includes('.') && !name.endsWith('.elf')) continue;
          let stat: fs.Stats;
          try {
            stat = fs.statSync(file);
          } catch {
            continue;
          }
          if (!stat.isFile() || !isElf(file)) continue;
          const crateRank = crate !== undefined && name.replace(/\.elf$/, '') === crate ? 0 : 1;
          found.push({ file, rank: profileRank + subRank + crateRank * 4, mtime: stat.mtimeMs });
        }
      }
    }
  }
  found.sort((a, b) => a.rank - b.rank || b.mtime - a.mtime);
  return found.map((f) => f.file);
}
