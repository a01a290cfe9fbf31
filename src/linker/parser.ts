// Recursive-descent parser for GNU ld linker scripts (ld manual chapter "Linker Scripts").
// It never throws on bad input: each problem becomes a Diagnostic with a range, the parser skips
// to the next statement boundary, and the rest of the file still yields a tree.

import type {
  AssertCommand, AssignOp, Assignment, BinaryOp, Call, Command, DataSize, Diagnostic, EntryCommand,
  Expr, IncludeCommand, IncludeContext, InputSection, MemoryRegion, Name, OutputSection,
  OutputSectionStatement, OutputSectionType, Overlay, Pattern, Range, Script, SectionPatternGroup,
  SectionsStatement, SortKind, UnaryOp,
} from './ast';
import { Lexer, LineMap, parseNumber, type LexMode, type Token } from './lexer';

/** Reads an INCLUDEd file: returns its resolved path and text, or undefined when not found. */
export type IncludeResolver = (path: string, fromFile: string) => { file: string; text: string } | undefined;

export interface ParseOptions {
  /** File name recorded in ranges/diagnostics. */
  file?: string;
  /** Resolves INCLUDE; without it INCLUDE commands are recorded but not followed. */
  resolveInclude?: IncludeResolver;
  /** Files already being parsed (cycle detection); internal. */
  includeStack?: string[];
  /** Where the text is parsed; 'top' for a whole script. */
  context?: IncludeContext;
}

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '<<=', '>>=', '&=', '|=']);
const SECTION_TYPES = new Set(['NOLOAD', 'DSECT', 'COPY', 'INFO', 'OVERLAY', 'READONLY', 'TYPE']);
const SORT_KEYWORDS = new Set([
  'SORT', 'SORT_BY_NAME', 'SORT_BY_ALIGNMENT', 'SORT_BY_INIT_PRIORITY', 'SORT_NONE', 'REVERSE',
]);
const DATA_SIZES = new Set(['BYTE', 'SHORT', 'LONG', 'QUAD', 'SQUAD']);
const PROVIDE_WRAPPERS = new Set(['PROVIDE', 'PROVIDE_HIDDEN', 'HIDDEN']);
/** Keyword statements allowed alone inside an output section. */
const OUTPUT_KEYWORDS = new Set(['CREATE_OBJECT_SYMBOLS', 'CONSTRUCTORS']);
/** Top-level commands taking a parenthesised argument list that we record without interpreting. */
export const GENERIC_COMMANDS = new Set([
  'OUTPUT_FORMAT', 'OUTPUT_ARCH', 'SEARCH_DIR', 'GROUP', 'INPUT', 'OUTPUT', 'TARGET', 'STARTUP',
  'NOCROSSREFS', 'NOCROSSREFS_TO', 'LD_FEATURE', 'FORCE_COMMON_ALLOCATION', 'INHIBIT_COMMON_ALLOCATION',
  'FORCE_GROUP_ALLOCATION', 'CONSTRUCTORS', 'MAP', 'PHDRS', 'VERSION', 'AS_NEEDED', 'SECTIONS_ALIGN',
]);

/** Functions of the expression language and how many arguments each takes. */
export const BUILTIN_FUNCTIONS: Record<string, { min: number; max: number; nameArg?: 'region' | 'section' | 'symbol' | 'constant' }> = {
  ORIGIN: { min: 1, max: 1, nameArg: 'region' },
  LENGTH: { min: 1, max: 1, nameArg: 'region' },
  ADDR: { min: 1, max: 1, nameArg: 'section' },
  LOADADDR: { min: 1, max: 1, nameArg: 'section' },
  SIZEOF: { min: 1, max: 1, nameArg: 'section' },
  ALIGNOF: { min: 1, max: 1, nameArg: 'section' },
  DEFINED: { min: 1, max: 1, nameArg: 'symbol' },
  CONSTANT: { min: 1, max: 1, nameArg: 'constant' },
  ALIGN: { min: 1, max: 2 },
  MAX: { min: 2, max: 2 },
  MIN: { min: 2, max: 2 },
  ABSOLUTE: { min: 1, max: 1 },
  NEXT: { min: 1, max: 1 },
  BLOCK: { min: 1, max: 1 },
  LOG2CEIL: { min: 1, max: 1 },
  SEGMENT_START: { min: 2, max: 2 },
  DATA_SEGMENT_ALIGN: { min: 2, max: 2 },
  DATA_SEGMENT_END: { min: 1, max: 1 },
  DATA_SEGMENT_RELRO_END: { min: 2, max: 2 },
  ASSERT: { min: 2, max: 2 },
};

// Binary operator precedence, after ld's grammar (which follows C): higher binds tighter.
const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6,
  '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

export function parseScript(text: string, options: ParseOptions = {}): Script {
  return new Parser(text, options).parse();
}

class Parser {
  private readonly lines: LineMap;
  private readonly lex: Lexer;
  private readonly file: string;
  private readonly diagnostics: Diagnostic[] = [];
  /** End offset of the last consumed token, for node ranges. */
  private lastEnd = 0;
  private readonly includeStack: string[];

  constructor(private readonly text: string, private readonly options: ParseOptions) {
    this.lines = new LineMap(text);
    this.lex = new Lexer(text, this.lines);
    this.file = options.file ?? '<script>';
    this.includeStack = options.includeStack ?? [this.file];
  }

  parse(): Script {
    const context = this.options.context ?? 'top';
    const script: Script = {
      kind: 'Script', file: this.file, text: this.text, context, commands: [], memoryRegions: [],
      sectionsStatements: [], outputStatements: [], comments: this.lex.comments,
      diagnostics: this.diagnostics, range: this.lines.range(0, this.text.length),
    };
    switch (context) {
      case 'top':
        while (!this.atEof()) {
          const c = this.parseCommand();
          if (c) script.commands.push(c);
        }
        break;
      case 'memory':
        while (!this.atEof()) this.parseMemoryItem(script.memoryRegions);
        break;
      case 'sections':
        while (!this.atEof()) {
          const s = this.parseSectionsStatement();
          if (s) script.sectionsStatements.push(s);
        }
        break;
      case 'output':
        while (!this.atEof()) {
          const s = this.parseOutputStatement();
          if (s) script.outputStatements.push(s);
        }
        break;
    }
    for (const e of this.lex.errors) this.error(e.message, e.start, e.end);
    this.diagnostics.sort((a, b) => (a.file === b.file ? a.range.start.offset - b.range.start.offset : 0));
    return script;
  }

  // -------------------------------------------------------------------------------------------
  // Token helpers.

  private peek(mode: LexMode): Token {
    const save = this.lex.pos;
    const t = this.lex.next(mode);
    this.lex.pos = save;
    return t;
  }

  /** The token after the next one (both read in the given modes). */
  private peek2(mode1: LexMode, mode2: LexMode): Token {
    const save = this.lex.pos;
    this.lex.next(mode1);
    const t = this.lex.next(mode2);
    this.lex.pos = save;
    return t;
  }

  private next(mode: LexMode): Token {
    const t = this.lex.next(mode);
    if (t.kind !== 'eof') this.lastEnd = t.end;
    return t;
  }

  private atEof(): boolean {
    return this.peek('script').kind === 'eof';
  }

  private isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.text === p;
  }

  /** Consumes the punctuator if it is next; returns whether it was. */
  private accept(p: string, mode: LexMode = 'script'): boolean {
    const t = this.peek(mode);
    if (this.isPunct(t, p)) {
      this.next(mode);
      return true;
    }
    return false;
  }

  private expect(p: string, context: string, mode: LexMode = 'script'): boolean {
    if (this.accept(p, mode)) return true;
    const t = this.peek(mode);
    this.errorAt(t, `expected '${p}' ${context}, found ${describe(t)}`);
    return false;
  }

  private range(start: number, end: number = this.lastEnd): Range {
    return this.lines.range(start, Math.max(start, end));
  }

  private error(message: string, start: number, end: number): void {
    this.diagnostics.push({ severity: 'error', message, range: this.range(start, end), file: this.file });
  }

  private errorAt(t: Token, message: string): void {
    // At end of file point just after the last token, where the missing text belongs.
    if (t.kind === 'eof') this.error(message, this.lastEnd, this.lastEnd);
    else this.error(message, t.start, t.end);
  }

  private nameFrom(t: Token): Name {
    return { kind: 'Name', text: t.text, range: this.range(t.start, t.end) };
  }

  /** Reads a word (bare or quoted) or reports what was expected. */
  private expectName(what: string, mode: LexMode = 'script'): Name | undefined {
    const t = this.peek(mode);
    if (t.kind === 'name' || t.kind === 'string') {
      this.next(mode);
      return this.nameFrom(t);
    }
    this.errorAt(t, `expected ${what}, found ${describe(t)}`);
    return undefined;
  }

  /**
   * Error recovery: skips to the end of the broken statement — a `;` (consumed), a `}` closing the
   * enclosing block (left for the caller), or the first token on a later line than `from`.
   */
  private recover(from: number): void {
    const fromLine = this.lines.position(from).line;
    let depth = 0;
    let first = true;
    while (true) {
      const t = this.peek('wild');
      if (t.kind === 'eof') return;
      if (depth === 0 && !first && this.lines.position(t.start).line > fromLine) return;
      if (t.kind === 'punct') {
        if (t.text === ';' && depth === 0) { this.next('wild'); return; }
        if (t.text === '}' && depth === 0) return;
        if (t.text === '(' || t.text === '{') depth++;
        if ((t.text === ')' || t.text === '}') && depth > 0) depth--;
      }
      this.next('wild');
      first = false;
    }
  }

  /** Skips an optional statement terminator. */
  private skipSeparators(): void {
    while (this.accept(';') || this.accept(',')) { /* repeat */ }
  }

  // -------------------------------------------------------------------------------------------
  // Top level.

  private parseCommand(): Command | undefined {
    const t = this.peek('script');
    if (this.isPunct(t, ';')) {
      this.next('script');
      return undefined;
    }
    if (t.kind !== 'name' && t.kind !== 'string') {
      this.errorAt(t, `unexpected ${describe(t)}`);
      this.next('script');
      this.recover(t.start);
      return undefined;
    }
    switch (t.text) {
      case 'MEMORY': return this.parseMemory();
      case 'SECTIONS': return this.parseSections();
      case 'ENTRY': return this.parseEntry();
      case 'EXTERN': return this.parseExtern();
      case 'INCLUDE': return this.parseInclude('top');
      case 'INSERT': return this.parseInsert();
      case 'REGION_ALIAS': return this.parseRegionAlias();
      case 'ASSERT': return this.parseAssert();
    }
    if (PROVIDE_WRAPPERS.has(t.text)) return this.parseProvide();
    if (this.isAssignOp(this.peek2('script', 'expr'))) return this.parseAssignment();
    if (GENERIC_COMMANDS.has(t.text)) return this.parseGeneric();
    this.errorAt(t, `unknown command '${t.text}'`);
    this.next('script');
    this.recover(t.start);
    return undefined;
  }

  private isAssignOp(t: Token): boolean {
    return t.kind === 'punct' && ASSIGN_OPS.has(t.text);
  }

  private parseGeneric(): Command | undefined {
    const kw = this.next('script');
    const name = this.nameFrom(kw);
    const args: Name[] = [];
    const open = this.peek('script');
    if (this.isPunct(open, '{')) {
      // PHDRS { ... } and VERSION { ... }: recorded, bodies not interpreted.
      this.next('script');
      let depth = 1;
      while (depth > 0) {
        const t = this.next('wild');
        if (t.kind === 'eof') { this.error(`unterminated ${kw.text} block`, kw.start, kw.end); break; }
        if (this.isPunct(t, '{')) depth++;
        else if (this.isPunct(t, '}')) depth--;
        else if (t.kind === 'name' || t.kind === 'string') args.push(this.nameFrom(t));
      }
      return { kind: 'Command', name, args, range: this.range(kw.start) };
    }
    if (!this.isPunct(open, '(')) {
      // FORCE_COMMON_ALLOCATION and friends take no arguments.
      return { kind: 'Command', name, args, range: this.range(kw.start) };
    }
    this.next('script');
    let depth = 1;
    while (depth > 0) {
      const t = this.peek('wild');
      if (t.kind === 'eof') { this.errorAt(t, `expected ')' to close ${kw.text}(`); break; }
      if (this.isPunct(t, ';') || this.isPunct(t, '}')) { this.errorAt(t, `expected ')' to close ${kw.text}(`); break; }
      this.next('wild');
      if (this.isPunct(t, '(')) depth++;
      else if (this.isPunct(t, ')')) depth--;
      else if (t.kind === 'name' || t.kind === 'string') args.push(this.nameFrom(t));
    }
    return { kind: 'Command', name, args, range: this.range(kw.start) };
  }

  private parseEntry(): EntryCommand | undefined {
    const kw = this.next('script');
    if (!this.expect('(', 'after ENTRY')) { this.recover(kw.start); return undefined; }
    const symbol = this.expectName('a symbol name', 'expr');
    if (!symbol || !this.expect(')', 'to close ENTRY(')) { this.recover(kw.start); return undefined; }
    return { kind: 'Entry', symbol, range: this.range(kw.start) };
  }

  private parseExtern(): Command | undefined {
    const kw = this.next('script');
    if (!this.expect('(', 'after EXTERN')) { this.recover(kw.start); return undefined; }
    const symbols: Name[] = [];
    while (true) {
      const t = this.peek('expr');
      if (this.isPunct(t, ')')) { this.next('expr'); break; }
      if (this.isPunct(t, ',')) { this.next('expr'); continue; }
      if (t.kind === 'name' || t.kind === 'string') { this.next('expr'); symbols.push(this.nameFrom(t)); continue; }
      this.errorAt(t, `expected a symbol name or ')' in EXTERN, found ${describe(t)}`);
      this.recover(kw.start);
      break;
    }
    return { kind: 'Extern', symbols, range: this.range(kw.start) };
  }

  private parseInsert(): Command | undefined {
    const kw = this.next('script');
    const where = this.peek('script');
    if (where.kind !== 'name' || (where.text !== 'AFTER' && where.text !== 'BEFORE')) {
      this.errorAt(where, `expected AFTER or BEFORE after INSERT, found ${describe(where)}`);
      this.recover(kw.start);
      return undefined;
    }
    this.next('script');
    const section = this.expectName('an output section name');
    if (!section) { this.recover(kw.start); return undefined; }
    return { kind: 'Insert', where: where.text as 'AFTER' | 'BEFORE', section, range: this.range(kw.start) };
  }

  private parseRegionAlias(): Command | undefined {
    const kw = this.next('script');
    if (!this.expect('(', 'after REGION_ALIAS')) { this.recover(kw.start); return undefined; }
    const alias = this.expectName('an alias name');
    if (!alias || !this.expect(',', 'between alias and region')) { this.recover(kw.start); return undefined; }
    const region = this.expectName('a memory region name');
    if (!region || !this.expect(')', 'to close REGION_ALIAS(')) { this.recover(kw.start); return undefined; }
    return { kind: 'RegionAlias', alias, region, range: this.range(kw.start) };
  }

  private parseAssert(): AssertCommand | undefined {
    const kw = this.next('script');
    if (!this.expect('(', 'after ASSERT')) { this.recover(kw.start); return undefined; }
    const expr = this.parseExpr();
    if (!this.expect(',', 'between ASSERT condition and message', 'expr')) { this.recover(kw.start); return undefined; }
    const msg = this.peek('script');
    let message = '';
    if (msg.kind === 'string' || msg.kind === 'name') {
      this.next('script');
      message = msg.text;
    } else {
      this.errorAt(msg, `expected the ASSERT message, found ${describe(msg)}`);
    }
    if (!this.expect(')', 'to close ASSERT(')) { this.recover(kw.start); return undefined; }
    this.accept(';');
    return { kind: 'Assert', expr, message, range: this.range(kw.start) };
  }

  private parseInclude(context: IncludeContext): IncludeCommand | undefined {
    const kw = this.next('script');
    const path = this.expectName('a file name after INCLUDE');
    if (!path) { this.recover(kw.start); return undefined; }
    const node: IncludeCommand = { kind: 'Include', path, range: this.range(kw.start) };
    this.accept(';');
    const resolve = this.options.resolveInclude;
    if (!resolve) return node;
    const found = resolve(path.text, this.file);
    if (!found) {
      this.error(`cannot find INCLUDE file '${path.text}'`, path.range.start.offset, path.range.end.offset);
      return node;
    }
    node.resolvedPath = found.file;
    if (this.includeStack.includes(found.file)) {
      this.error(`INCLUDE cycle: '${path.text}' is already being included`, path.range.start.offset, path.range.end.offset);
      return node;
    }
    const child = new Parser(found.text, {
      file: found.file, resolveInclude: resolve, includeStack: [...this.includeStack, found.file], context,
    }).parse();
    node.script = child;
    // The child's diagnostics name their own file; surface them with ours so nothing is lost.
    for (const d of child.diagnostics) this.diagnostics.push(d);
    return node;
  }

  private parseProvide(): Assignment | undefined {
    const kw = this.next('script');
    if (!this.expect('(', `after ${kw.text}`)) { this.recover(kw.start); return undefined; }
    const a = this.parseAssignmentBody(kw.start);
    if (!a) { this.recover(kw.start); return undefined; }
    if (!this.expect(')', `to close ${kw.text}(`, 'expr')) { this.recover(kw.start); return undefined; }
    a.wrapper = kw.text as Assignment['wrapper'];
    a.range = this.range(kw.start);
    this.accept(';');
    return a;
  }

  private parseAssignmentBody(start: number): Assignment | undefined {
    const targetTok = this.peek('script');
    if (targetTok.kind !== 'name' && targetTok.kind !== 'string') {
      this.errorAt(targetTok, `expected a symbol name, found ${describe(targetTok)}`);
      return undefined;
    }
    this.next('script');
    const op = this.peek('expr');
    if (!this.isAssignOp(op)) {
      this.errorAt(op, `expected an assignment operator after '${targetTok.text}', found ${describe(op)}`);
      return undefined;
    }
    this.next('expr');
    const expr = this.parseExpr();
    return {
      kind: 'Assignment', target: this.nameFrom(targetTok), op: op.text as AssignOp, expr, range: this.range(start),
    };
  }

  /** `symbol op expr ;` — the semicolon is required, as in ld. */
  private parseAssignment(): Assignment | undefined {
    const start = this.peek('script').start;
    const a = this.parseAssignmentBody(start);
    if (!a) { this.recover(start); return undefined; }
    const t = this.peek('script');
    if (this.isPunct(t, ';') || this.isPunct(t, ',')) {
      this.next('script');
    } else {
      this.error(`expected ';' after assignment to '${a.target.text}', found ${describe(t)}`, a.range.end.offset, a.range.end.offset);
      if (!this.isPunct(t, '}') && t.kind !== 'eof' && this.lines.position(t.start).line === a.range.end.line) this.recover(t.start);
    }
    return a;
  }

  // -------------------------------------------------------------------------------------------
  // MEMORY.

  private parseMemory(): Command | undefined {
    const kw = this.next('script');
    if (!this.expect('{', 'after MEMORY')) { this.recover(kw.start); return undefined; }
    const regions: (MemoryRegion | IncludeCommand)[] = [];
    while (true) {
      const t = this.peek('script');
      if (this.isPunct(t, '}')) { this.next('script'); break; }
      if (t.kind === 'eof') { this.errorAt(t, "expected '}' to close MEMORY"); break; }
      this.parseMemoryItem(regions);
    }
    return { kind: 'Memory', regions, range: this.range(kw.start) };
  }

  private parseMemoryItem(out: (MemoryRegion | IncludeCommand)[]): void {
    const t = this.peek('script');
    if (this.isPunct(t, ';') || this.isPunct(t, ',')) { this.next('script'); return; }
    if (t.kind === 'name' && t.text === 'INCLUDE') {
      const inc = this.parseInclude('memory');
      if (inc) out.push(inc);
      return;
    }
    const r = this.parseMemoryRegion();
    if (r) out.push(r);
  }

  private parseMemoryRegion(): MemoryRegion | undefined {
    const start = this.peek('script').start;
    const name = this.expectName('a memory region name');
    if (!name) { this.next('script'); this.recover(start); return undefined; }
    let attributes: Name | undefined;
    if (this.accept('(')) {
      // Attributes are letters with an optional leading '!' (ld manual "MEMORY Command").
      const close = this.text.indexOf(')', this.lex.pos);
      const nl = this.text.indexOf('\n', this.lex.pos);
      if (close < 0 || (nl >= 0 && nl < close)) {
        this.error(`expected ')' to close the attributes of region '${name.text}'`, name.range.start.offset, this.lex.pos);
        this.recover(start);
        return undefined;
      }
      const raw = this.text.slice(this.lex.pos, close);
      const lead = raw.length - raw.trimStart().length;
      const attrText = raw.trim();
      const aStart = this.lex.pos + lead;
      attributes = { kind: 'Name', text: attrText, range: this.range(aStart, aStart + attrText.length) };
      if (!/^!?[rwxaliRWXALI!]*$/.test(attrText)) {
        this.error(`invalid memory attributes '${attrText}' (use r, w, x, a, i, l and !)`, aStart, aStart + attrText.length);
      }
      this.lex.pos = close + 1;
      this.lastEnd = close + 1;
    }
    if (!this.expect(':', `after region name '${name.text}'`)) { this.recover(start); return undefined; }
    const origin = this.parseMemoryAttr(['ORIGIN', 'org', 'o'], 'ORIGIN');
    if (!origin) { this.recover(start); return undefined; }
    this.accept(',', 'expr');
    const length = this.parseMemoryAttr(['LENGTH', 'len', 'l'], 'LENGTH');
    if (!length) { this.recover(start); return undefined; }
    return { kind: 'MemoryRegion', name, attributes, origin, length, range: this.range(start) };
  }

  private parseMemoryAttr(spellings: string[], what: string): Expr | undefined {
    const t = this.peek('script');
    if (t.kind !== 'name' || !spellings.includes(t.text)) {
      this.errorAt(t, `expected ${what} (or ${spellings.slice(1).join(', ')}), found ${describe(t)}`);
      return undefined;
    }
    this.next('script');
    if (!this.expect('=', `after ${t.text}`, 'expr')) return undefined;
    return this.parseExpr();
  }

  // -------------------------------------------------------------------------------------------
  // SECTIONS.

  private parseSections(): Command | undefined {
    const kw = this.next('script');
    if (!this.expect('{', 'after SECTIONS')) { this.recover(kw.start); return undefined; }
    const statements: SectionsStatement[] = [];
    while (true) {
      const t = this.peek('script');
      if (this.isPunct(t, '}')) { this.next('script'); break; }
      if (t.kind === 'eof') { this.errorAt(t, "expected '}' to close SECTIONS"); break; }
      const s = this.parseSectionsStatement();
      if (s) statements.push(s);
    }
    return { kind: 'Sections', statements, range: this.range(kw.start) };
  }

  private parseSectionsStatement(): SectionsStatement | undefined {
    const t = this.peek('script');
    if (this.isPunct(t, ';') || this.isPunct(t, ',')) { this.next('script'); return undefined; }
    if (t.kind !== 'name' && t.kind !== 'string') {
      this.errorAt(t, `expected an output section, assignment or command, found ${describe(t)}`);
      this.next('script');
      this.recover(t.start);
      return undefined;
    }
    if (t.kind === 'name') {
      switch (t.text) {
        case 'ENTRY': return this.parseEntry();
        case 'ASSERT': return this.parseAssert();
        case 'INCLUDE': return this.parseInclude('sections');
        case 'OVERLAY': return this.parseOverlay();
      }
      if (PROVIDE_WRAPPERS.has(t.text)) return this.parseProvide();
    }
    if (this.isAssignOp(this.peek2('script', 'expr'))) return this.parseAssignment();
    return this.parseOutputSection();
  }

  private parseOverlay(): Overlay | undefined {
    const kw = this.next('script');
    let address: Expr | undefined;
    if (!this.isPunct(this.peek('expr'), ':')) address = this.parseExpr();
    if (!this.expect(':', 'after OVERLAY')) { this.recover(kw.start); return undefined; }
    while (this.peek('script').kind === 'name' && ['NOCROSSREFS'].includes(this.peek('script').text)) this.next('script');
    if (this.peek('script').text === 'AT') { this.next('script'); this.expect('(', 'after AT'); this.parseExpr(); this.expect(')', 'to close AT(', 'expr'); }
    if (!this.expect('{', 'to open the OVERLAY body')) { this.recover(kw.start); return undefined; }
    const sections: OutputSection[] = [];
    while (true) {
      const t = this.peek('script');
      if (this.isPunct(t, '}')) { this.next('script'); break; }
      if (t.kind === 'eof') { this.errorAt(t, "expected '}' to close OVERLAY"); break; }
      const s = this.parseOutputSection(true);
      if (s) sections.push(s);
    }
    const node: Overlay = { kind: 'Overlay', address, sections, range: this.range(kw.start) };
    this.parseSectionTail(node);
    node.range = this.range(kw.start);
    return node;
  }

  private parseOutputSection(inOverlay = false): OutputSection | undefined {
    const nameTok = this.next('script');
    const name = this.nameFrom(nameTok);
    const start = nameTok.start;
    const sec: OutputSection = { kind: 'OutputSection', name, statements: [], phdrs: [], range: name.range };

    // [address] [(type)] before the colon. `(NOLOAD)` alone is a type, anything else an address.
    if (!inOverlay) {
      if (!this.isPunct(this.peek('expr'), ':')) {
        if (!this.tryParseSectionType(sec)) {
          sec.address = this.parseExpr();
          this.tryParseSectionType(sec);
        }
      }
    } else {
      this.tryParseSectionType(sec);
    }
    if (!this.expect(':', `after output section name '${name.text}'`, 'expr')) {
      this.recover(start);
      return undefined;
    }
    // AT(lma), ALIGN(n) / ALIGN_WITH_INPUT, SUBALIGN(n), ONLY_IF_RO / ONLY_IF_RW, in that order in
    // the manual but accepted in any order here.
    while (true) {
      const t = this.peek('script');
      if (t.kind !== 'name') break;
      if (t.text === 'AT' && this.isPunct(this.peek2('script', 'script'), '(')) {
        this.next('script'); this.next('script');
        sec.at = this.parseExpr();
        this.expect(')', 'to close AT(', 'expr');
      } else if (t.text === 'ALIGN') {
        this.next('script');
        this.expect('(', 'after ALIGN');
        sec.align = this.parseExpr();
        this.expect(')', 'to close ALIGN(', 'expr');
      } else if (t.text === 'SUBALIGN') {
        this.next('script');
        this.expect('(', 'after SUBALIGN');
        sec.subalign = this.parseExpr();
        this.expect(')', 'to close SUBALIGN(', 'expr');
      } else if (t.text === 'ALIGN_WITH_INPUT') {
        this.next('script');
        sec.alignWithInput = true;
      } else if (t.text === 'ONLY_IF_RO' || t.text === 'ONLY_IF_RW') {
        this.next('script');
        sec.constraint = t.text;
      } else {
        break;
      }
    }
    const open = this.peek('script');
    if (!this.isPunct(open, '{')) {
      this.errorAt(open, `expected '{' to open output section '${name.text}', found ${describe(open)}`);
      this.recover(start);
      sec.range = this.range(start);
      return sec;
    }
    this.next('script');
    while (true) {
      const t = this.peek('script');
      if (this.isPunct(t, '}')) { this.next('script'); break; }
      if (t.kind === 'eof') { this.errorAt(t, `expected '}' to close output section '${name.text}'`); break; }
      const s = this.parseOutputStatement();
      if (s) sec.statements.push(s);
    }
    sec.bodyRange = this.range(open.start);
    this.parseSectionTail(sec);
    sec.range = this.range(start);
    return sec;
  }

  private tryParseSectionType(sec: OutputSection): boolean {
    if (!this.isPunct(this.peek('script'), '(')) return false;
    const t = this.peek2('script', 'script');
    if (t.kind !== 'name' || !SECTION_TYPES.has(t.text)) return false;
    this.next('script');
    this.next('script');
    sec.type = t.text as OutputSectionType;
    if (t.text === 'TYPE') {
      // (TYPE = SHT_...) — record the keyword only.
      this.expect('=', 'after TYPE', 'expr');
      this.parseExpr();
    }
    this.expect(')', 'to close the section type');
    return true;
  }

  /** `> region`, `AT > lma_region`, `:phdr ...`, `= fill`, trailing `,`. */
  private parseSectionTail(sec: OutputSection | Overlay): void {
    while (true) {
      const t = this.peek('script');
      if (this.isPunct(t, '>')) {
        this.next('script');
        const r = this.expectName('a memory region name after >');
        if (r) sec.region = r;
      } else if (t.kind === 'name' && t.text === 'AT' && this.isPunct(this.peek2('script', 'script'), '>')) {
        this.next('script'); this.next('script');
        const r = this.expectName('a memory region name after AT>');
        if (r) sec.lmaRegion = r;
      } else if (this.isPunct(t, ':') && sec.kind === 'OutputSection') {
        this.next('script');
        const p = this.expectName('a program header name after :');
        if (p) sec.phdrs.push(p);
      } else if (this.isPunct(t, '=') && sec.kind === 'OutputSection') {
        this.next('script');
        sec.fill = this.parseExpr();
      } else if (this.isPunct(t, ',')) {
        this.next('script');
        break;
      } else {
        break;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Output section contents.

  private parseOutputStatement(): OutputSectionStatement | undefined {
    const t = this.peek('script');
    if (this.isPunct(t, ';') || this.isPunct(t, ',')) { this.next('script'); return undefined; }
    if (t.kind === 'name') {
      if (DATA_SIZES.has(t.text) && this.isPunct(this.peek2('script', 'script'), '(')) return this.parseData();
      switch (t.text) {
        case 'FILL':
          if (this.isPunct(this.peek2('script', 'script'), '(')) return this.parseFill();
          break;
        case 'ASSERT': return this.parseAssert();
        case 'INCLUDE': return this.parseInclude('output');
        case 'KEEP': return this.parseKeep();
      }
      if (OUTPUT_KEYWORDS.has(t.text)) {
        this.next('script');
        this.accept(';');
        return { kind: 'Keyword', keyword: t.text, range: this.range(t.start, t.end) };
      }
      if (PROVIDE_WRAPPERS.has(t.text) && this.isPunct(this.peek2('script', 'script'), '(')) return this.parseProvide();
    }
    if ((t.kind === 'name' || t.kind === 'string') && this.isAssignOp(this.peek2('script', 'expr'))) return this.parseAssignment();
    const w = this.peek('wild');
    if (w.kind === 'name' || w.kind === 'string') {
      const s = this.parseInputSection(false);
      if (!s) this.recover(w.start);
      return s;
    }
    this.errorAt(w, `expected an input section description, assignment or data command, found ${describe(w)}`);
    this.next('wild');
    this.recover(w.start);
    return undefined;
  }

  private parseData(): OutputSectionStatement | undefined {
    const kw = this.next('script');
    this.next('script');
    const expr = this.parseExpr();
    if (!this.expect(')', `to close ${kw.text}(`, 'expr')) { this.recover(kw.start); }
    const node = { kind: 'Data' as const, size: kw.text as DataSize, expr, range: this.range(kw.start) };
    this.accept(';');
    return node;
  }

  private parseFill(): OutputSectionStatement | undefined {
    const kw = this.next('script');
    this.next('script');
    const expr = this.parseExpr();
    if (!this.expect(')', 'to close FILL(', 'expr')) { this.recover(kw.start); }
    const node = { kind: 'Fill' as const, expr, range: this.range(kw.start) };
    this.accept(';');
    return node;
  }

  private parseKeep(): InputSection | undefined {
    const kw = this.next('script');
    if (!this.expect('(', 'after KEEP')) { this.recover(kw.start); return undefined; }
    const inner = this.parseInputSection(true);
    if (!inner) { this.recover(kw.start); return undefined; }
    if (!this.expect(')', 'to close KEEP(', 'wild')) { this.recover(kw.start); }
    inner.range = this.range(kw.start);
    return inner;
  }

  /** `[EXCLUDE_FILE(...)] filepattern[(sectionpatterns)]`, file pattern possibly inside SORT(). */
  private parseInputSection(keep: boolean): InputSection | undefined {
    const start = this.peek('wild').start;
    // INPUT_SECTION_FLAGS(...) filters are accepted and ignored.
    if (this.peek('wild').text === 'INPUT_SECTION_FLAGS') {
      this.next('wild');
      this.skipParenthesised();
    }
    const excludeFiles = this.parseExcludeFile();
    const file = this.parsePattern('a file name pattern');
    if (!file) return undefined;
    const node: InputSection = { kind: 'InputSection', keep, file, excludeFiles, range: this.range(start) };
    if (this.accept('(', 'wild')) {
      const groups: SectionPatternGroup[] = [];
      while (true) {
        const t = this.peek('wild');
        if (this.isPunct(t, ')')) { this.next('wild'); break; }
        if (this.isPunct(t, ',')) { this.next('wild'); continue; }
        if (t.kind === 'eof' || this.isPunct(t, '}') || this.isPunct(t, ';')) {
          this.errorAt(t, `expected ')' to close the section list of '${file.text}'`);
          break;
        }
        const ex = this.parseExcludeFile();
        const pattern = this.parsePattern('a section name pattern');
        if (!pattern) {
          this.next('wild');
          continue;
        }
        groups.push({ excludeFiles: ex, pattern });
      }
      node.sections = groups;
    }
    node.range = this.range(start);
    return node;
  }

  private skipParenthesised(): void {
    if (!this.accept('(', 'wild')) return;
    let depth = 1;
    while (depth > 0) {
      const t = this.next('wild');
      if (t.kind === 'eof') return;
      if (this.isPunct(t, '(')) depth++;
      else if (this.isPunct(t, ')')) depth--;
    }
  }

  private parseExcludeFile(): Pattern[] {
    const t = this.peek('wild');
    if (t.kind !== 'name' || t.text !== 'EXCLUDE_FILE') return [];
    this.next('wild');
    const out: Pattern[] = [];
    if (!this.expect('(', 'after EXCLUDE_FILE', 'wild')) return out;
    while (true) {
      const p = this.peek('wild');
      if (this.isPunct(p, ')')) { this.next('wild'); break; }
      if (this.isPunct(p, ',')) { this.next('wild'); continue; }
      if (p.kind === 'name' || p.kind === 'string') {
        this.next('wild');
        out.push({ kind: 'Pattern', text: p.text, sort: [], range: this.range(p.start, p.end) });
        continue;
      }
      this.errorAt(p, `expected a file pattern or ')' in EXCLUDE_FILE, found ${describe(p)}`);
      break;
    }
    return out;
  }

  /** A glob, or SORT_*(glob) nested up to a few levels. */
  private parsePattern(what: string): Pattern | undefined {
    const t = this.peek('wild');
    if (t.kind === 'name' && SORT_KEYWORDS.has(t.text) && this.isPunct(this.peek2('wild', 'wild'), '(')) {
      this.next('wild');
      this.next('wild');
      const inner = this.parsePattern(what);
      this.expect(')', `to close ${t.text}(`, 'wild');
      if (!inner) return undefined;
      return { kind: 'Pattern', text: inner.text, sort: [t.text as SortKind, ...inner.sort], range: this.range(t.start) };
    }
    if (t.kind === 'name' || t.kind === 'string') {
      this.next('wild');
      return { kind: 'Pattern', text: t.text, sort: [], range: this.range(t.start, t.end) };
    }
    this.errorAt(t, `expected ${what}, found ${describe(t)}`);
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Expressions.

  parseExpr(): Expr {
    return this.parseTernary();
  }

  private parseTernary(): Expr {
    const cond = this.parseBinary(1);
    if (!this.accept('?', 'expr')) return cond;
    const then = this.parseTernary();
    if (!this.expect(':', 'in conditional expression', 'expr')) {
      return { kind: 'Ternary', cond, then, else: { kind: 'ErrorExpr', range: this.range(this.lastEnd) }, range: this.range(cond.range.start.offset) };
    }
    const otherwise = this.parseTernary();
    return { kind: 'Ternary', cond, then, else: otherwise, range: this.range(cond.range.start.offset) };
  }

  private parseBinary(minPrec: number): Expr {
    let left = this.parseUnary();
    while (true) {
      const t = this.peek('expr');
      if (t.kind !== 'punct') break;
      const prec = BINARY_PRECEDENCE[t.text];
      if (prec === undefined || prec < minPrec) break;
      this.next('expr');
      if (t.text === '^') this.diagnostics.push({ severity: 'warning', message: "GNU ld rejects '^' in expressions (it is not in its expression lexer)", range: this.range(t.start, t.end), file: this.file });
      const right = this.parseBinary(prec + 1);
      left = { kind: 'Binary', op: t.text as BinaryOp, left, right, range: this.range(left.range.start.offset) };
    }
    return left;
  }

  private parseUnary(): Expr {
    const t = this.peek('expr');
    if (t.kind === 'punct' && (t.text === '-' || t.text === '!' || t.text === '~' || t.text === '+')) {
      this.next('expr');
      const operand = this.parseUnary();
      return { kind: 'Unary', op: t.text as UnaryOp, operand, range: this.range(t.start) };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const t = this.peek('expr');
    if (t.kind === 'number') {
      this.next('expr');
      const value = parseNumber(t.text);
      if (value === undefined) {
        this.error(`invalid number '${t.text}'`, t.start, t.end);
        return { kind: 'ErrorExpr', range: this.range(t.start, t.end) };
      }
      return { kind: 'Number', value, text: t.text, range: this.range(t.start, t.end) };
    }
    if (this.isPunct(t, '(')) {
      this.next('expr');
      const inner = this.parseExpr();
      this.expect(')', 'to close the parenthesis', 'expr');
      return inner;
    }
    if (t.kind === 'string') {
      this.next('expr');
      return { kind: 'Symbol', name: t.text, range: this.range(t.start, t.end) };
    }
    if (t.kind === 'name') {
      this.next('expr');
      if (t.text === '.') return { kind: 'Dot', range: this.range(t.start, t.end) };
      if (t.text === 'SIZEOF_HEADERS' || t.text === 'sizeof_headers') {
        return { kind: 'Call', fn: 'SIZEOF_HEADERS', fnRange: this.range(t.start, t.end), args: [], range: this.range(t.start, t.end) };
      }
      if (this.isPunct(this.peek('expr'), '(')) return this.parseCall(t);
      return { kind: 'Symbol', name: t.text, range: this.range(t.start, t.end) };
    }
    this.errorAt(t, `expected an expression, found ${describe(t)}`);
    return { kind: 'ErrorExpr', range: t.kind === 'eof' ? this.range(this.lastEnd, this.lastEnd) : this.range(t.start, t.end) };
  }

  private parseCall(fnTok: Token): Expr {
    const spec = BUILTIN_FUNCTIONS[fnTok.text];
    this.next('expr'); // (
    const args: (Expr | Name)[] = [];
    if (!spec) {
      this.error(`unknown function '${fnTok.text}'`, fnTok.start, fnTok.end);
    }
    if (spec?.nameArg) {
      const mode: LexMode = spec.nameArg === 'symbol' ? 'expr' : 'script';
      const n = this.expectName(`a ${spec.nameArg} name in ${fnTok.text}()`, mode);
      if (n) args.push(n);
    } else if (!this.isPunct(this.peek('expr'), ')')) {
      if (fnTok.text === 'SEGMENT_START') {
        const seg = this.expectName('a segment name', 'script');
        if (seg) args.push(seg);
        this.expect(',', 'after the segment name', 'expr');
      }
      args.push(this.parseExpr());
      while (this.accept(',', 'expr')) {
        if (fnTok.text === 'ASSERT') {
          const msg = this.expectName('the ASSERT message', 'script');
          if (msg) args.push(msg);
        } else {
          args.push(this.parseExpr());
        }
      }
    }
    if (!this.expect(')', `to close ${fnTok.text}(`, 'expr')) {
      // Skip the rest of a broken argument list so the caller resynchronises on ')' or ';'.
      let depth = 0;
      while (true) {
        const t = this.peek('expr');
        if (t.kind === 'eof' || this.isPunct(t, ';') || this.isPunct(t, '}')) break;
        if (this.isPunct(t, '(')) depth++;
        if (this.isPunct(t, ')')) { if (depth === 0) { this.next('expr'); break; } depth--; }
        this.next('expr');
      }
    }
    const node: Call = { kind: 'Call', fn: fnTok.text, fnRange: this.range(fnTok.start, fnTok.end), args, range: this.range(fnTok.start) };
    if (spec && args.length > 0 && (args.length < spec.min || args.length > spec.max)) {
      this.error(`${fnTok.text} takes ${spec.min === spec.max ? spec.min : `${spec.min} or ${spec.max}`} argument${spec.max > 1 ? 's' : ''}, not ${args.length}`, fnTok.start, this.lastEnd);
    }
    return node;
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of file';
    case 'string': return `"${t.text}"`;
    case 'number': return `number '${t.text}'`;
    case 'bad': return `unexpected character '${t.text}'`;
    default: return `'${t.text}'`;
  }
}

/** Every INCLUDE-expanded top-level command, in order (included files spliced in). */
export function flattenCommands(script: Script): Command[] {
  const out: Command[] = [];
  for (const c of script.commands) {
    if (c.kind === 'Include' && c.script) out.push(...flattenCommands(c.script));
    else out.push(c);
  }
  return out;
}
