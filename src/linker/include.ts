// File-system INCLUDE resolution, as ld does it: first relative to the including script's
// directory, then through the search paths (-L / SEARCH_DIR), in order.

import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Script } from './ast';
import { parseScript, type IncludeResolver } from './parser';

export function fileIncludeResolver(searchPaths: string[] = []): IncludeResolver {
  return (path, fromFile) => {
    const candidates = isAbsolute(path)
      ? [path]
      : [resolve(dirname(fromFile), path), ...searchPaths.map((d) => resolve(d, path))];
    for (const file of candidates) {
      try {
        if (!statSync(file).isFile()) continue;
        return { file, text: readFileSync(file, 'utf8') };
      } catch {
        // not there: try the next directory
      }
    }
    return undefined;
  };
}

/** Reads and parses a script file, following INCLUDEs (cycle-safe) through the search paths. */
export function parseScriptFile(file: string, searchPaths: string[] = []): Script {
  const abs = resolve(file);
  return parseScript(readFileSync(abs, 'utf8'), { file: abs, resolveInclude: fileIncludeResolver(searchPaths) });
}
