// One analysed linker script, as the language features see it: the parse tree (INCLUDEs followed),
// the layout evaluated against the linked ELF when one is known, and an index of every definition
// and reference with its range, so hover / go-to-definition / completion are lookups, not re-walks.
// Pure: file access goes through the `readFile` callback, so tests and the server share it.

import { dirname, isAbsolute, resolve } from 'node:path';
import type {
  Assignment, Command, Expr, IncludeCommand, MemoryRegion, Name, OutputSection, OutputSectionStatement, Range,
  Script, SectionsStatement,
} from '../ast';
import { evaluate, type Layout, type LinkedImage } from '../evaluator';
import { BUILTIN_FUNCTIONS, parseScript, type IncludeResolver } from '../parser';

/** What a name at some position stands for. */
export type ReferenceKind = 'region' | 'symbol' | 'section' | 'function' | 'include' | 'number';

export interface Reference {
  kind: ReferenceKind;
  name: string;
  range: Range;
  file: string;
  /** For 'include': the file it resolved to. */
  target?: string;
  /** For 'number': its value. */
  value?: bigint;
}

export interface RegionDefinition {
  name: string;
  node: MemoryRegion;
  file: string;
}

export interface SymbolDefinition {
  name: string;
  node: Assignment;
  file: string;
  /** Output section it is assigned in (undefined at top level / in SECTIONS). */
  section?: string;
}

export interface SectionDefinition {
  name: string;
  node: OutputSection;
  file: string;
}

export interface AliasDefinition {
  alias: string;
  region: string;
  range: Range;
  file: string;
}

/** The part of a linked ELF the language features use (ElfFile satisfies it). */
export interface LinkedProgram extends LinkedImage {
  fileName?: string;
  symbols: { name: string; value: number; type?: string; size?: number; address?: number }[];
  sections: { name: string; addr: number; size: number; type?: number; flags?: number; addralign?: number }[];
}

export interface AnalyzeOptions {
  /** Reads a file an INCLUDE names; undefined when it does not exist. Open editors come first. */
  readFile: (path: string) => string | undefined;
  /** Directories searched for INCLUDEs after the script's own (like ld's -L). */
  searchPaths?: string[];
  /** The linked program the script produced, when it was found. */
  elf?: LinkedProgram;
}

export interface Analysis {
  file: string;
  script: Script;
  layout: Layout;
  elf?: LinkedProgram;
  regions: Map<string, RegionDefinition>;
  aliases: Map<string, AliasDefinition>;
  /** Every assignment of each symbol, in script order. */
  symbols: Map<string, SymbolDefinition[]>;
  sections: Map<string, SectionDefinition>;
  references: Reference[];
  includes: IncludeCommand[];
  /** The file each INCLUDE is written in. */
  includedFrom: Map<IncludeCommand, string>;
  /** INCLUDEs that could not be found (definitions may be missing because of them). */
  unresolvedIncludes: IncludeCommand[];
}

export function includeResolver(readFile: AnalyzeOptions['readFile'], searchPaths: string[]): IncludeResolver {
  return (path, fromFile) => {
    const candidates = isAbsolute(path)
      ? [path]
      : [resolve(dirname(fromFile), path), ...searchPaths.map((d) => resolve(d, path))];
    for (const file of candidates) {
      const text = readFile(file);
      if (text !== undefined) return { file, text };
    }
    return undefined;
  };
}

export function analyze(file: string, text: string, options: AnalyzeOptions): Analysis {
  const script = parseScript(text, { file, resolveInclude: includeResolver(options.readFile, options.searchPaths ?? []) });
  const layout = evaluate(script, options.elf ? { linked: options.elf } : {});
  const a: Analysis = {
    file, script, layout, elf: options.elf, regions: new Map(), aliases: new Map(), symbols: new Map(),
    sections: new Map(), references: [], includes: [], includedFrom: new Map(), unresolvedIncludes: [],
  };
  new Indexer(a).script(script);
  return a;
}

class Indexer {
  constructor(private readonly a: Analysis) {}

  script(s: Script): void {
    const f = s.file;
    for (const c of s.commands) this.command(c, f);
    for (const r of s.memoryRegions) this.memoryItem(r, f);
    for (const st of s.sectionsStatements) this.sectionsStatement(st, f);
    for (const st of s.outputStatements) this.outputStatement(st, f, undefined);
  }

  private include(c: IncludeCommand, file: string): void {
    this.a.includes.push(c);
    this.a.includedFrom.set(c, file);
    this.ref('include', c.path.text, c.path.range, file, c.resolvedPath);
    if (c.script) this.script(c.script);
    else if (!c.resolvedPath) this.a.unresolvedIncludes.push(c);
  }

  private ref(kind: ReferenceKind, name: string, range: Range, file: string, target?: string): void {
    this.a.references.push({ kind, name, range, file, target });
  }

  private command(c: Command, file: string): void {
    switch (c.kind) {
      case 'Memory':
        for (const r of c.regions) this.memoryItem(r, file);
        break;
      case 'Sections':
        for (const s of c.statements) this.sectionsStatement(s, file);
        break;
      case 'Assignment': this.assignment(c, file, undefined); break;
      case 'Entry': this.ref('symbol', c.symbol.text, c.symbol.range, file); break;
      case 'Extern': for (const n of c.symbols) this.ref('symbol', n.text, n.range, file); break;
      case 'Include': this.include(c, file); break;
      case 'Insert': this.ref('section', c.section.text, c.section.range, file); break;
      case 'RegionAlias':
        if (!this.a.aliases.has(c.alias.text)) this.a.aliases.set(c.alias.text, { alias: c.alias.text, region: c.region.text, range: c.alias.range, file });
        this.ref('region', c.alias.text, c.alias.range, file);
        this.ref('region', c.region.text, c.region.range, file);
        break;
      case 'Assert': this.expr(c.expr, file); break;
      case 'Command': break;
    }
  }

  private memoryItem(r: MemoryRegion | IncludeCommand, file: string): void {
    if (r.kind === 'Include') { this.include(r, file); return; }
    if (!this.a.regions.has(r.name.text)) this.a.regions.set(r.name.text, { name: r.name.text, node: r, file });
    this.ref('region', r.name.text, r.name.range, file);
    this.expr(r.origin, file);
    this.expr(r.length, file);
  }

  private sectionsStatement(s: SectionsStatement, file: string): void {
    switch (s.kind) {
      case 'OutputSection': this.outputSection(s, file); break;
      case 'Assignment': this.assignment(s, file, undefined); break;
      case 'Assert': this.expr(s.expr, file); break;
      case 'Include': this.include(s, file); break;
      case 'Entry': this.ref('symbol', s.symbol.text, s.symbol.range, file); break;
      case 'Overlay':
        if (s.address) this.expr(s.address, file);
        for (const o of s.sections) this.outputSection(o, file);
        this.regionName(s.region, file);
        this.regionName(s.lmaRegion, file);
        break;
    }
  }

  private regionName(n: Name | undefined, file: string): void {
    if (n) this.ref('region', n.text, n.range, file);
  }

  private outputSection(s: OutputSection, file: string): void {
    if (!this.a.sections.has(s.name.text)) this.a.sections.set(s.name.text, { name: s.name.text, node: s, file });
    this.ref('section', s.name.text, s.name.range, file);
    for (const e of [s.address, s.at, s.align, s.subalign, s.fill]) if (e) this.expr(e, file);
    for (const st of s.statements) this.outputStatement(st, file, s.name.text);
    this.regionName(s.region, file);
    this.regionName(s.lmaRegion, file);
  }

  private outputStatement(s: OutputSectionStatement, file: string, section: string | undefined): void {
    switch (s.kind) {
      case 'Assignment': this.assignment(s, file, section); break;
      case 'Data': case 'Fill': case 'Assert': this.expr(s.expr, file); break;
      case 'Include': this.include(s, file); break;
      default: break;
    }
  }

  private assignment(s: Assignment, file: string, section: string | undefined): void {
    const name = s.target.text;
    if (name !== '.') {
      let list = this.a.symbols.get(name);
      if (!list) this.a.symbols.set(name, (list = []));
      list.push({ name, node: s, file, section });
      this.ref('symbol', name, s.target.range, file);
    }
    this.expr(s.expr, file);
  }

  private expr(e: Expr, file: string): void {
    switch (e.kind) {
      case 'Symbol': this.ref('symbol', e.name, e.range, file); break;
      case 'Unary': this.expr(e.operand, file); break;
      case 'Binary': this.expr(e.left, file); this.expr(e.right, file); break;
      case 'Ternary': this.expr(e.cond, file); this.expr(e.then, file); this.expr(e.else, file); break;
      case 'Call': {
        this.ref('function', e.fn, e.fnRange, file);
        const nameArg = BUILTIN_FUNCTIONS[e.fn]?.nameArg;
        for (const arg of e.args) {
          if (arg.kind === 'Name') {
            if (nameArg === 'region') this.ref('region', arg.text, arg.range, file);
            else if (nameArg === 'section') this.ref('section', arg.text, arg.range, file);
            else if (nameArg === 'symbol') this.ref('symbol', arg.text, arg.range, file);
          } else {
            this.expr(arg, file);
          }
        }
        break;
      }
      case 'Number': this.a.references.push({ kind: 'number', name: e.text, range: e.range, file, value: e.value }); break;
      default: break;
    }
  }
}

/** The reference under a zero-based line/character in `file`, innermost (shortest) first. */
export function referenceAt(a: Analysis, file: string, line: number, character: number): Reference | undefined {
  let best: Reference | undefined;
  for (const r of a.references) {
    if (r.file !== file || !contains(r.range, line, character)) continue;
    if (!best || r.range.end.offset - r.range.start.offset < best.range.end.offset - best.range.start.offset) best = r;
  }
  return best;
}

export function contains(r: Range, line: number, character: number): boolean {
  const afterStart = line > r.start.line || (line === r.start.line && character >= r.start.character);
  const beforeEnd = line < r.end.line || (line === r.end.line && character <= r.end.character);
  return afterStart && beforeEnd;
}

/** A region name through REGION_ALIAS to the region it stands for. */
export function resolveRegion(a: Analysis, name: string): RegionDefinition | undefined {
  const seen = new Set<string>();
  let n = name;
  while (!a.regions.has(n) && a.aliases.has(n) && !seen.has(n)) {
    seen.add(n);
    n = a.aliases.get(n)!.region;
  }
  return a.regions.get(n);
}
