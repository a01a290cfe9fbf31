// Go to definition: a region to its MEMORY line (through REGION_ALIAS), a symbol to its
// assignment, a section to its output section description, an INCLUDE to the file.

import type { Location } from 'vscode-languageserver';
import type { Range } from '../ast';
import { referenceAt, resolveRegion, type Analysis } from './analysis';
import { lspRange } from './diagnostics';

/** A file path and range; the server turns the path into a URI. */
export interface Target {
  file: string;
  range: Location['range'];
}

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function definition(a: Analysis, file: string, line: number, character: number): Target[] {
  const ref = referenceAt(a, file, line, character);
  if (!ref) return [];
  const at = (f: string, r: Range): Target => ({ file: f, range: lspRange(r) });
  switch (ref.kind) {
    case 'region': {
      const alias = a.aliases.get(ref.name);
      if (alias && !sameRange(alias.range, ref.range)) return [at(alias.file, alias.range)];
      const r = resolveRegion(a, ref.name);
      return r ? [at(r.file, r.node.name.range)] : [];
    }
    case 'symbol': {
      const defs = a.symbols.get(ref.name) ?? [];
      // A plain assignment wins over PROVIDE (which the objects may override).
      const sorted = [...defs.filter((d) => !d.node.wrapper), ...defs.filter((d) => d.node.wrapper)];
      return sorted.slice(0, 1).map((d) => at(d.file, d.node.target.range));
    }
    case 'section': {
      const s = a.sections.get(ref.name);
      return s ? [at(s.file, s.node.name.range)] : [];
    }
    case 'include':
      return ref.target ? [{ file: ref.target, range: FILE_START }] : [];
    default:
      return [];
  }
}

function sameRange(x: Range, y: Range): boolean {
  return x.start.offset === y.start.offset && x.end.offset === y.end.offset;
}
