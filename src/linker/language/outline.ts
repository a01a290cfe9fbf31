// Document symbols (the outline): MEMORY with its regions, SECTIONS with its output sections and
// the symbols assigned in them, top-level assignments, ENTRY and INCLUDEs.

import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { Assignment, Command, Name, OutputSection, Range, Script, SectionsStatement } from '../ast';
import { lspRange } from './diagnostics';
import { hex32, size } from './format';
import type { Analysis } from './analysis';

export function documentSymbols(a: Analysis, file: string = a.file): DocumentSymbol[] {
  const script = file === a.file ? a.script : a.includes.find((i) => i.resolvedPath === file)?.script;
  if (!script) return [];
  return new Outline(a).script(script);
}

class Outline {
  constructor(private readonly a: Analysis) {}

  script(s: Script): DocumentSymbol[] {
    const out: DocumentSymbol[] = [];
    for (const c of s.commands) {
      const sym = this.command(c);
      if (sym) out.push(sym);
    }
    for (const r of s.memoryRegions) if (r.kind === 'MemoryRegion') out.push(this.region(r.name, r.range));
    for (const st of s.sectionsStatements) {
      const sym = this.sectionsStatement(st);
      if (sym) out.push(sym);
    }
    for (const st of s.outputStatements) if (st.kind === 'Assignment') out.push(this.assignment(st));
    return out;
  }

  private sym(name: string, kind: SymbolKind, range: Range, selection: Range, detail?: string, children?: DocumentSymbol[]): DocumentSymbol {
    // The selection range must lie inside the full range, or clients reject the whole answer.
    const sel = selection.start.offset >= range.start.offset && selection.end.offset <= range.end.offset ? selection : range;
    return { name: name || '?', kind, range: lspRange(range), selectionRange: lspRange(sel), detail, children };
  }

  private region(name: Name, range: Range): DocumentSymbol {
    const info = this.a.layout.regions.find((r) => r.name === name.text);
    const detail = info ? `${hex32(info.origin)}, ${size(info.length)}` : undefined;
    return this.sym(name.text, SymbolKind.Struct, range, name.range, detail);
  }

  private command(c: Command): DocumentSymbol | undefined {
    switch (c.kind) {
      case 'Memory': {
        const children = c.regions.filter((r) => r.kind === 'MemoryRegion').map((r) => this.region(r.name, r.range));
        return this.sym('MEMORY', SymbolKind.Namespace, c.range, c.range, undefined, children);
      }
      case 'Sections': {
        const children: DocumentSymbol[] = [];
        for (const st of c.statements) {
          const sym = this.sectionsStatement(st);
          if (sym) children.push(sym);
        }
        return this.sym('SECTIONS', SymbolKind.Namespace, c.range, c.range, undefined, children);
      }
      case 'Assignment': return this.assignment(c);
      case 'Entry': return this.sym(`ENTRY(${c.symbol.text})`, SymbolKind.Event, c.range, c.symbol.range);
      case 'Include': return this.sym(`INCLUDE ${c.path.text}`, SymbolKind.File, c.range, c.path.range);
      case 'RegionAlias': return this.sym(c.alias.text, SymbolKind.Struct, c.range, c.alias.range, `alias of ${c.region.text}`);
      default: return undefined;
    }
  }

  private sectionsStatement(st: SectionsStatement): DocumentSymbol | undefined {
    switch (st.kind) {
      case 'OutputSection': return this.outputSection(st);
      case 'Assignment': return this.assignment(st);
      case 'Include': return this.sym(`INCLUDE ${st.path.text}`, SymbolKind.File, st.range, st.path.range);
      case 'Overlay': {
        const children = st.sections.map((o) => this.outputSection(o));
        return this.sym('OVERLAY', SymbolKind.Namespace, st.range, st.range, undefined, children);
      }
      default: return undefined;
    }
  }

  private outputSection(o: OutputSection): DocumentSymbol {
    const children = o.statements.filter((s): s is Assignment => s.kind === 'Assignment' && s.target.text !== '.').map((s) => this.assignment(s));
    const elfSec = this.a.elf?.sections.find((s) => s.name === o.name.text);
    const placed = this.a.layout.sections.find((s) => s.name === o.name.text);
    const where = o.region ? `> ${o.region.text}${o.lmaRegion ? ` AT> ${o.lmaRegion.text}` : ''}` : '';
    const detail = [elfSec ? `${hex32(elfSec.addr)}, ${size(elfSec.size)}` : placed ? hex32(placed.vma) : '', where].filter(Boolean).join('  ');
    return this.sym(o.name.text, SymbolKind.Module, o.range, o.name.range, detail || undefined, children);
  }

  private assignment(s: Assignment): DocumentSymbol {
    const v = this.a.layout.symbols.get(s.target.text);
    const kind = s.target.text === '.' ? SymbolKind.Operator : SymbolKind.Variable;
    return this.sym(s.target.text, kind, s.range, s.target.range, v ? hex32(v.value) : s.wrapper);
  }
}
