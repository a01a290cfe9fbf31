// Small C-like expressions for the Debug Console, breakpoint conditions and logpoints: numbers,
// registers ($r0, pc, sp...), symbols (global variables read their value, &name their address),
// memory reads (*(uint32_t*)0x20000000, *addr), casts, and the usual C operators. An expression is
// parsed once into a closure, so a conditional breakpoint costs one call per hit.

export interface EvalContext {
  /** A register's value by lower-case name (r0..r12, sp, lr, pc, xpsr, msp, s0..s31, ...). */
  register(name: string): number | undefined;
  /** Memory read without side effects; null if unmapped. */
  read(address: number, size: 1 | 2 | 4): number | null;
  /** A named value: a local variable or a global (symbol) value. */
  variable(name: string): number | undefined;
  /** A symbol's address (for &name). */
  address(name: string): number | undefined;
  /** A typed access path over a source variable, `name.field[2]`: steps are field names and
   *  indexes. Undefined when `name` is no source variable (the untyped rules apply then). */
  path?(name: string, steps: ReadonlyArray<string | number>): number | undefined;
}

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export type Compiled = (ctx: EvalContext) => number;

export type DisplayFormat = 'x' | 'd' | 'u' | 'b' | 'o' | 'c' | 'natural';

interface TypeInfo {
  size: 1 | 2 | 4;
  signed: boolean;
}

const TYPES: Record<string, TypeInfo> = {
  uint8_t: { size: 1, signed: false }, u8: { size: 1, signed: false }, 'unsigned char': { size: 1, signed: false },
  int8_t: { size: 1, signed: true }, i8: { size: 1, signed: true }, char: { size: 1, signed: true }, 'signed char': { size: 1, signed: true },
  uint16_t: { size: 2, signed: false }, u16: { size: 2, signed: false }, 'unsigned short': { size: 2, signed: false },
  int16_t: { size: 2, signed: true }, i16: { size: 2, signed: true }, short: { size: 2, signed: true },
  uint32_t: { size: 4, signed: false }, u32: { size: 4, signed: false }, unsigned: { size: 4, signed: false }, 'unsigned int': { size: 4, signed: false },
  'unsigned long': { size: 4, signed: false }, usize: { size: 4, signed: false }, size_t: { size: 4, signed: false },
  int32_t: { size: 4, signed: true }, i32: { size: 4, signed: true }, int: { size: 4, signed: true }, long: { size: 4, signed: true }, isize: { size: 4, signed: true },
  bool: { size: 1, signed: false },
};

type Token =
  | { kind: 'num'; value: number }
  | { kind: 'id'; value: string }
  | { kind: 'op'; value: string }
  | { kind: 'end' };

const OPERATORS = ['->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '::', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', '[', ']', '.'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const num = /^(0x[0-9a-f_]+|0b[01_]+|0o[0-7_]+|[0-9][0-9_]*)(u8|u16|u32|i8|i16|i32|usize|isize|[uUlL]*)?/i.exec(text.slice(i));
    if (num && /[0-9]/.test(ch)) {
      const digits = num[1].replace(/_/g, '');
      const value = digits.startsWith('0b') || digits.startsWith('0B') ? parseInt(digits.slice(2), 2)
        : digits.startsWith('0o') || digits.startsWith('0O') ? parseInt(digits.slice(2), 8)
        : Number(digits);
      if (!Number.isFinite(value)) throw new ExpressionError(`bad number '${num[0]}'`);
      tokens.push({ kind: 'num', value });
      i += num[0].length;
      continue;
    }
    const id = /^\$?[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (id) {
      tokens.push({ kind: 'id', value: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new ExpressionError(`unexpected '${ch}' at column ${i + 1}`);
    tokens.push({ kind: 'op', value: op });
    i += op.length;
  }
  tokens.push({ kind: 'end' });
  return tokens;
}

const BINARY: Record<string, [number, (a: number, b: number) => number]> = {
  '||': [1, (a, b) => (a !== 0 || b !== 0 ? 1 : 0)],
  '&&': [2, (a, b) => (a !== 0 && b !== 0 ? 1 : 0)],
  '|': [3, (a, b) => (a | b) >>> 0],
  '^': [4, (a, b) => (a ^ b) >>> 0],
  '&': [5, (a, b) => (a & b) >>> 0],
  '==': [6, (a, b) => (a === b ? 1 : 0)],
  '!=': [6, (a, b) => (a !== b ? 1 : 0)],
  '<': [7, (a, b) => (a < b ? 1 : 0)],
  '<=': [7, (a, b) => (a <= b ? 1 : 0)],
  '>': [7, (a, b) => (a > b ? 1 : 0)],
  '>=': [7, (a, b) => (a >= b ? 1 : 0)],
  '<<': [8, (a, b) => (a << b) >>> 0],
  '>>': [8, (a, b) => a >>> b],
  '+': [9, (a, b) => a + b],
  '-': [9, (a, b) => a - b],
  '*': [10, (a, b) => Math.imul(a, b) === a * b ? a * b : Math.imul(a, b) >>> 0],
  '/': [10, (a, b) => {
    if (b === 0) throw new ExpressionError('division by zero');
    return Math.trunc(a / b);
  }],
  '%': [10, (a, b) => {
    if (b === 0) throw new ExpressionError('division by zero');
    return a % b;
  }],
};

function convert(value: number, type: TypeInfo): number {
  if (type.size === 4) return type.signed ? value | 0 : value >>> 0;
  const bits = type.size * 8;
  const masked = value & ((1 << bits) - 1);
  return type.signed && masked >= 1 << (bits - 1) ? masked - (1 << bits) : masked;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly text: string) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }
  private isOp(value: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.value === value;
  }
  private expect(value: string): void {
    if (!this.isOp(value)) throw new ExpressionError(`expected '${value}' in '${this.text}'`);
    this.pos++;
  }

  parse(): Compiled {
    const e = this.binary(0);
    if (this.peek().kind !== 'end') throw new ExpressionError(`unexpected '${describe(this.peek())}' in '${this.text}'`);
    return e;
  }

  private binary(minPrecedence: number): Compiled {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op') break;
      const entry = BINARY[t.value];
      if (!entry || entry[0] < minPrecedence) break;
      this.pos++;
      const right = this.binary(entry[0] + 1);
      const apply = entry[1];
      const l = left;
      left = (ctx) => apply(l(ctx), right(ctx));
    }
    return left;
  }

  /** A type name in parentheses, if the tokens at pos spell one: "(uint32_t*)", "(unsigned int)". */
  private tryCast(): { type: TypeInfo; pointer: boolean } | undefined {
    if (!this.isOp('(')) return undefined;
    let p = this.pos + 1;
    const words: string[] = [];
    while (this.tokens[p].kind === 'id') {
      words.push((this.tokens[p] as { value: string }).value);
      p++;
    }
    const name = words.filter((w) => w !== 'const' && w !== 'volatile').join(' ');
    const type = TYPES[name];
    if (!type) return undefined;
    let pointer = false;
    if (this.tokens[p].kind === 'op' && (this.tokens[p] as { value: string }).value === '*') {
      pointer = true;
      p++;
    }
    if (!(this.tokens[p].kind === 'op' && (this.tokens[p] as { value: string }).value === ')')) return undefined;
    this.pos = p + 1;
    return { type, pointer };
  }

  private unary(): Compiled {
    const t = this.peek();
    if (t.kind === 'op') {
      switch (t.value) {
        case '-': { this.pos++; const e = this.unary(); return (ctx) => -e(ctx); }
        case '~': { this.pos++; const e = this.unary(); return (ctx) => ~e(ctx) >>> 0; }
        case '!': { this.pos++; const e = this.unary(); return (ctx) => (e(ctx) === 0 ? 1 : 0); }
        case '&': {
          this.pos++;
          const id = this.peek();
          if (id.kind !== 'id') throw new ExpressionError(`'&' needs a symbol name in '${this.text}'`);
          const name = this.qualifiedName();
          return (ctx) => {
            const a = ctx.address(name);
            if (a === undefined) throw new ExpressionError(`no symbol '${name}'`);
            return a;
          };
        }
        case '*': {
          this.pos++;
          // *(T*)expr reads a T; a plain *expr reads a word.
          const save = this.pos;
          const cast = this.tryCast();
          let type: TypeInfo = { size: 4, signed: false };
          let e: Compiled;
          if (cast && cast.pointer) {
            type = cast.type;
            e = this.unary();
          } else {
            this.pos = save;
            e = this.unary();
          }
          return (ctx) => {
            const address = e(ctx) >>> 0;
            const v = ctx.read(address, type.size);
            if (v === null) throw new ExpressionError(`cannot read memory at 0x${address.toString(16).padStart(8, '0')}`);
            return convert(v, type);
          };
        }
        case '(': {
          const cast = this.tryCast();
          if (cast) {
            const e = this.unary();
            if (cast.pointer) return (ctx) => e(ctx) >>> 0;
            return (ctx) => convert(e(ctx), cast.type);
          }
          break;
        }
      }
    }
    return this.postfix(this.primary());
  }

  private postfix(base: Compiled): Compiled {
    // name[i]: the ith word after a symbol/address (arrays of unknown type read as words).
    while (this.isOp('[')) {
      this.pos++;
      const index = this.binary(0);
      this.expect(']');
      const b = base;
      base = (ctx) => {
        const address = (b(ctx) + 4 * index(ctx)) >>> 0;
        const v = ctx.read(address, 4);
        if (v === null) throw new ExpressionError(`cannot read memory at 0x${address.toString(16)}`);
        return v;
      };
    }
    return base;
  }

  /** `.field`, `->field`, `.0` and `[index]` after a name. */
  private pathSteps(): Array<string | Compiled> {
    const steps: Array<string | Compiled> = [];
    for (;;) {
      if (this.isOp('.') || this.isOp('->')) {
        this.pos++;
        const t = this.peek();
        if (t.kind === 'id') steps.push(t.value);
        else if (t.kind === 'num') steps.push(String(t.value));
        else throw new ExpressionError(`expected a field name in '${this.text}'`);
        this.pos++;
      } else if (this.isOp('[')) {
        this.pos++;
        steps.push(this.binary(0));
        this.expect(']');
      } else {
        return steps;
      }
    }
  }

  /** A typed path when the context knows the variable's type; else `name[i]` reads the ith word. */
  private pathAccess(name: string, steps: Array<string | Compiled>): Compiled {
    const text = this.text;
    return (ctx) => {
      const resolved = steps.map((s) => (typeof s === 'string' ? s : s(ctx)));
      const typed = ctx.path?.(name, resolved);
      if (typed !== undefined) return typed;
      let value = ctx.variable(name);
      if (value === undefined) throw new ExpressionError(`no variable or symbol named '${name}'`);
      for (const step of resolved) {
        if (typeof step === 'string') throw new ExpressionError(`cannot take '.${step}' in '${text}': '${name}' has no type information`);
        const address = (value + 4 * step) >>> 0;
        const v = ctx.read(address, 4);
        if (v === null) throw new ExpressionError(`cannot read memory at 0x${address.toString(16)}`);
        value = v;
      }
      return value;
    };
  }

  private qualifiedName(): string {
    let name = (this.peek() as { value: string }).value;
    this.pos++;
    while (this.isOp('::') && this.tokens[this.pos + 1].kind === 'id') {
      name += '::' + (this.tokens[this.pos + 1] as { value: string }).value;
      this.pos += 2;
    }
    return name;
  }

  private primary(): Compiled {
    const t = this.peek();
    if (t.kind === 'num') {
      this.pos++;
      const v = t.value;
      return () => v;
    }
    if (t.kind === 'id') {
      const raw = t.value;
      if (raw === 'true' || raw === 'false') {
        this.pos++;
        const v = raw === 'true' ? 1 : 0;
        return () => v;
      }
      const name = this.qualifiedName();
      if (raw.startsWith('$')) {
        const reg = raw.slice(1).toLowerCase();
        return (ctx) => {
          const v = ctx.register(reg);
          if (v === undefined) throw new ExpressionError(`no register '${reg}'`);
          return v;
        };
      }
      // A variable of that name wins over a register (a local called "sp" is still reachable as $sp).
      const lower = name.toLowerCase();
      const steps = this.pathSteps();
      if (steps.length > 0) return this.pathAccess(name, steps);
      return (ctx) => {
        const v = ctx.variable(name);
        if (v !== undefined) return v;
        const r = ctx.register(lower);
        if (r !== undefined) return r;
        throw new ExpressionError(`no variable, symbol or register named '${name}'`);
      };
    }
    if (t.kind === 'op' && t.value === '(') {
      this.pos++;
      const e = this.binary(0);
      this.expect(')');
      return e;
    }
    throw new ExpressionError(`unexpected ${describe(t)} in '${this.text}'`);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end': return 'end of expression';
    case 'num': return String(t.value);
    default: return `'${t.value}'`;
  }
}

const cache = new Map<string, Compiled>();

/** Parses an expression (cached by text). Throws ExpressionError with what is wrong. */
export function compileExpression(text: string): Compiled {
  let c = cache.get(text);
  if (!c) {
    const trimmed = text.trim();
    if (trimmed === '') throw new ExpressionError('empty expression');
    c = new Parser(tokenize(trimmed), trimmed).parse();
    if (cache.size > 500) cache.clear();
    cache.set(text, c);
  }
  return c;
}

/** Splits a display format off an expression: "/x pc", "p/x pc", "pc,x". */
export function splitFormat(text: string): { expression: string; format: DisplayFormat } {
  let s = text.trim();
  let format: DisplayFormat = 'natural';
  const prefix = /^(?:p(?:rint)?\s*)?\/([xdubocXt])\s+/.exec(s);
  if (prefix) {
    format = normaliseFormat(prefix[1]);
    s = s.slice(prefix[0].length);
  } else {
    const suffix = /,\s*([xdubocXh])$/.exec(s);
    if (suffix) {
      format = normaliseFormat(suffix[1]);
      s = s.slice(0, suffix.index);
    } else if (/^p(?:rint)?\s+/.test(s)) {
      s = s.replace(/^p(?:rint)?\s+/, '');
    }
  }
  return { expression: s, format };
}

function normaliseFormat(c: string): DisplayFormat {
  switch (c) {
    case 'x': case 'X': case 'h': return 'x';
    case 'b': case 't': return 'b';
    case 'o': return 'o';
    case 'c': return 'c';
    case 'u': return 'u';
    default: return 'd';
  }
}

/** Formats a value as the Debug Console shows it. */
export function formatValue(value: number, format: DisplayFormat): string {
  switch (format) {
    case 'x': return '0x' + (value >>> 0).toString(16).padStart(8, '0');
    case 'b': return '0b' + (value >>> 0).toString(2);
    case 'o': return '0' + (value >>> 0).toString(8);
    case 'u': return String(value >>> 0);
    case 'd': return String(value | 0);
    case 'c': return `${value & 0xff} '${String.fromCharCode(value & 0xff)}'`;
    default:
      if (!Number.isInteger(value)) return String(value);
      return value < 0 || value < 0x10000 ? String(value) : `${value >>> 0} (0x${(value >>> 0).toString(16)})`;
  }
}

/** Expands "{expr}" in a logpoint message; "{{" and "}}" are literal braces. */
export function interpolate(message: string, ctx: EvalContext): string {
  return message.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (whole, inner: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    try {
      const { expression, format } = splitFormat(inner ?? '');
      return formatValue(compileExpression(expression)(ctx), format);
    } catch (e) {
      return `<${e instanceof Error ? e.message : String(e)}>`;
    }
  });
}
