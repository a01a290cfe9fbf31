// Syntax tree of a GNU ld linker script. Every node carries the exact source range it came from so
// the language server can point at it and diagnostics can name the line and column that is wrong.

/** A zero-based line/character pair (the language-server convention) plus the absolute offset. */
export interface Position {
  line: number;
  character: number;
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  message: string;
  range: Range;
  /** The script file the range refers to (an INCLUDEd file may differ from the main one). */
  file: string;
}

/** A bare or quoted word in the script: a symbol, region, section, file name or pattern. */
export interface Name {
  kind: 'Name';
  text: string;
  range: Range;
}

// ---------------------------------------------------------------------------------------------
// Expressions (ld manual "Expressions in Linker Scripts").

export type Expr = NumberLit | SymbolRef | Dot | Unary | Binary | Ternary | Call | ErrorExpr;

export interface NumberLit {
  kind: 'Number';
  /** 64-bit value: ld computes addresses in the host's widest address type. */
  value: bigint;
  text: string;
  range: Range;
}

export interface SymbolRef {
  kind: 'Symbol';
  name: string;
  range: Range;
}

export interface Dot {
  kind: 'Dot';
  range: Range;
}

export type UnaryOp = '-' | '!' | '~' | '+';

export interface Unary {
  kind: 'Unary';
  op: UnaryOp;
  operand: Expr;
  range: Range;
}

export type BinaryOp =
  | '*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '&' | '^' | '|' | '&&' | '||';

export interface Binary {
  kind: 'Binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
  range: Range;
}

export interface Ternary {
  kind: 'Ternary';
  cond: Expr;
  then: Expr;
  else: Expr;
  range: Range;
}

/** A builtin function. Arguments naming a region or section are kept as Names, not expressions. */
export interface Call {
  kind: 'Call';
  fn: string;
  /** Range of the function name itself. */
  fnRange: Range;
  args: (Expr | Name)[];
  range: Range;
}

/** Placeholder left where an expression could not be parsed (a diagnostic says why). */
export interface ErrorExpr {
  kind: 'ErrorExpr';
  range: Range;
}

// ---------------------------------------------------------------------------------------------
// Statements.

export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '<<=' | '>>=' | '&=' | '|=';

export interface Assignment {
  kind: 'Assignment';
  /** The symbol assigned, or "." for the location counter. */
  target: Name;
  op: AssignOp;
  expr: Expr;
  /** PROVIDE(...) / PROVIDE_HIDDEN(...) / HIDDEN(...) wrapper, if any. */
  wrapper?: 'PROVIDE' | 'PROVIDE_HIDDEN' | 'HIDDEN';
  range: Range;
}

export interface MemoryRegion {
  kind: 'MemoryRegion';
  name: Name;
  /** The text between the parentheses, e.g. "rx" or "!w", if given. */
  attributes?: Name;
  origin: Expr;
  length: Expr;
  range: Range;
}

export interface MemoryCommand {
  kind: 'Memory';
  regions: (MemoryRegion | IncludeCommand)[];
  range: Range;
}

export interface SectionsCommand {
  kind: 'Sections';
  statements: SectionsStatement[];
  range: Range;
}

export type SectionsStatement = OutputSection | Assignment | AssertCommand | IncludeCommand | EntryCommand | Overlay;

export type SortKind =
  | 'SORT' | 'SORT_BY_NAME' | 'SORT_BY_ALIGNMENT' | 'SORT_BY_INIT_PRIORITY' | 'SORT_NONE' | 'REVERSE';

/** A glob pattern, possibly wrapped in (nested) SORT_* keywords. */
export interface Pattern {
  kind: 'Pattern';
  text: string;
  sort: SortKind[];
  range: Range;
}

/** One group of section patterns, optionally preceded by EXCLUDE_FILE(...). */
export interface SectionPatternGroup {
  excludeFiles: Pattern[];
  pattern: Pattern;
}

export interface InputSection {
  kind: 'InputSection';
  keep: boolean;
  file: Pattern;
  /** EXCLUDE_FILE written before the file pattern. */
  excludeFiles: Pattern[];
  /** Section patterns in the parentheses; undefined when only a file name was given (all its sections). */
  sections?: SectionPatternGroup[];
  range: Range;
}

export type DataSize = 'BYTE' | 'SHORT' | 'LONG' | 'QUAD' | 'SQUAD';

export interface DataCommand {
  kind: 'Data';
  size: DataSize;
  expr: Expr;
  range: Range;
}

export interface FillCommand {
  kind: 'Fill';
  expr: Expr;
  range: Range;
}

/** Keyword-only statements inside an output section (CONSTRUCTORS, CREATE_OBJECT_SYMBOLS, ...). */
export interface KeywordStatement {
  kind: 'Keyword';
  keyword: string;
  range: Range;
}

export type OutputSectionStatement =
  | Assignment | InputSection | DataCommand | FillCommand | AssertCommand | IncludeCommand | KeywordStatement;

export type OutputSectionType = 'NOLOAD' | 'DSECT' | 'COPY' | 'INFO' | 'OVERLAY' | 'READONLY' | 'TYPE';

export interface OutputSection {
  kind: 'OutputSection';
  name: Name;
  address?: Expr;
  type?: OutputSectionType;
  at?: Expr;
  align?: Expr;
  alignWithInput?: boolean;
  subalign?: Expr;
  constraint?: 'ONLY_IF_RO' | 'ONLY_IF_RW';
  statements: OutputSectionStatement[];
  /** `> REGION` */
  region?: Name;
  /** `AT > REGION` */
  lmaRegion?: Name;
  phdrs: Name[];
  fill?: Expr;
  /** Range of the `{ ... }` body, for folding. */
  bodyRange?: Range;
  range: Range;
}

export interface Overlay {
  kind: 'Overlay';
  address?: Expr;
  sections: OutputSection[];
  region?: Name;
  lmaRegion?: Name;
  range: Range;
}

export interface AssertCommand {
  kind: 'Assert';
  expr: Expr;
  message: string;
  range: Range;
}

export interface IncludeCommand {
  kind: 'Include';
  path: Name;
  /** Filled in by the parser when an include resolver is given and the file was found. */
  script?: Script;
  /** Absolute path the include resolved to. */
  resolvedPath?: string;
  range: Range;
}

export interface EntryCommand {
  kind: 'Entry';
  symbol: Name;
  range: Range;
}

export interface ExternCommand {
  kind: 'Extern';
  symbols: Name[];
  range: Range;
}

export interface InsertCommand {
  kind: 'Insert';
  where: 'AFTER' | 'BEFORE';
  section: Name;
  range: Range;
}

export interface RegionAliasCommand {
  kind: 'RegionAlias';
  alias: Name;
  region: Name;
  range: Range;
}

/**
 * Commands recorded but not interpreted: OUTPUT_FORMAT, OUTPUT_ARCH, SEARCH_DIR, GROUP, INPUT,
 * OUTPUT, TARGET, STARTUP, AS_NEEDED, NOCROSSREFS, PHDRS, VERSION, ...
 */
export interface GenericCommand {
  kind: 'Command';
  name: Name;
  args: Name[];
  range: Range;
}

export type Command =
  | MemoryCommand | SectionsCommand | Assignment | EntryCommand | ExternCommand | IncludeCommand
  | InsertCommand | RegionAliasCommand | AssertCommand | GenericCommand;

export type IncludeContext = 'top' | 'memory' | 'sections' | 'output';

export interface Comment {
  range: Range;
  text: string;
}

export interface Script {
  kind: 'Script';
  file: string;
  /** The source text, kept so tools can map offsets back to lines. */
  text: string;
  /** Where this script was parsed: a top-level file, or an INCLUDE inside MEMORY/SECTIONS/an output section. */
  context: IncludeContext;
  commands: Command[];
  /** Filled instead of `commands` when the script was INCLUDEd inside MEMORY { }. */
  memoryRegions: (MemoryRegion | IncludeCommand)[];
  /** Filled instead of `commands` when the script was INCLUDEd inside SECTIONS { }. */
  sectionsStatements: SectionsStatement[];
  /** Filled instead of `commands` when the script was INCLUDEd inside an output section. */
  outputStatements: OutputSectionStatement[];
  comments: Comment[];
  diagnostics: Diagnostic[];
  range: Range;
}
