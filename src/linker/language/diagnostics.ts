// Problems shown in the editor for one file of an analysed script: syntax errors, unknown regions,
// overlapping regions, regions too small for what the linked ELF puts in them, failed ASSERTs.

import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic, Range } from '../ast';
import type { Analysis } from './analysis';
import { regionUsage } from './region-usage';
import { size } from './format';

const SOURCE = 'linker-script';

function severity(s: Diagnostic['severity']): DiagnosticSeverity {
  return s === 'error' ? DiagnosticSeverity.Error : s === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
}

export function lspRange(r: Range): { start: { line: number; character: number }; end: { line: number; character: number } } {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

/** Every diagnostic of the script tree (INCLUDEd files included), tagged with its file. */
function allScriptDiagnostics(a: Analysis): Diagnostic[] {
  const out: Diagnostic[] = [...a.script.diagnostics];
  for (const inc of a.includes) if (inc.script) out.push(...inc.script.diagnostics);
  return out;
}

export function computeDiagnostics(a: Analysis, file: string = a.file): LspDiagnostic[] {
  const out: LspDiagnostic[] = [];
  const seen = new Set<string>();
  const push = (d: Diagnostic): void => {
    const key = `${d.range.start.offset}:${d.range.end.offset}:${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ range: lspRange(d.range), severity: severity(d.severity), message: d.message, source: SOURCE });
  };
  // An unresolved INCLUDE usually holds the MEMORY block: do not follow it with one "not defined"
  // error per use of each region it would have defined.
  const suppressUnknownRegions = a.unresolvedIncludes.length > 0;
  for (const d of [...allScriptDiagnostics(a), ...a.layout.diagnostics]) {
    if (suppressUnknownRegions && /^memory region '.*' is not defined$/.test(d.message)) continue;
    if (d.file !== file) continue;
    if (/^undefined symbol/.test(d.message)) {
      // Symbols usually come from the object files; only the linked program can say one is missing.
      if (!a.elf || suppressUnknownRegions) continue;
      push({ ...d, severity: 'warning', message: `${d.message} (not in the script nor in ${a.elf.fileName ?? 'the linked program'})` });
      continue;
    }
    push(d);
  }
  // Errors inside an INCLUDEd file show on the INCLUDE line of this one too.
  for (const inc of a.includes) {
    if (!inc.script || a.includedFrom.get(inc) !== file) continue;
    const errors = inc.script.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      const first = errors[0];
      push({
        severity: 'error', file,
        message: `${errors.length} error${errors.length > 1 ? 's' : ''} in ${inc.path.text}: line ${first.range.start.line + 1}: ${first.message}`,
        range: inc.path.range,
      });
    }
  }
  // A MEMORY-only script places nothing itself, so the evaluator cannot see an overflow; the
  // linked ELF shows what the regions must hold.
  for (const u of regionUsage(a)) {
    if (u.source !== 'elf' || u.used <= u.length) continue;
    const def = a.regions.get(u.name);
    if (!def || def.file !== file) continue;
    push({
      severity: 'error', file,
      message: `region '${u.name}' (${size(u.length)}) is too small for the linked program: it places ${size(u.used)} in it (${u.used - u.length} bytes too many)`,
      range: def.node.name.range,
    });
  }
  return out;
}
