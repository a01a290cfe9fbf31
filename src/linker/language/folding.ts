// Folding ranges: MEMORY / SECTIONS / PHDRS blocks, output section bodies, overlays, and comments
// that span lines.

import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import type { Range, Script } from '../ast';

export function foldingRanges(script: Script): FoldingRange[] {
  const out: FoldingRange[] = [];
  const add = (r: Range | undefined, kind?: FoldingRangeKind): void => {
    if (!r || r.end.line <= r.start.line) return;
    out.push({ startLine: r.start.line, endLine: r.end.line, kind });
  };
  for (const c of script.comments) add(c.range, FoldingRangeKind.Comment);
  for (const c of script.commands) {
    if (c.kind === 'Memory' || c.kind === 'Command') add(c.range);
    if (c.kind !== 'Sections') continue;
    add(c.range);
    for (const s of c.statements) {
      if (s.kind === 'OutputSection') add(s.bodyRange ?? s.range);
      if (s.kind === 'Overlay') {
        add(s.range);
        for (const o of s.sections) add(o.bodyRange ?? o.range);
      }
    }
  }
  for (const s of script.sectionsStatements) if (s.kind === 'OutputSection') add(s.bodyRange ?? s.range);
  return out;
}
