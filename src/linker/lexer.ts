// Tokeniser for GNU ld linker scripts. The language has no single token grammar: the same
// characters mean different things in different places (`*` is a wildcard inside an input section
// description but multiplication in an expression; `-` belongs to a file name but is subtraction in
// an expression; `/` ends `/DISCARD/` yet `a/b` is one symbol in an expression, as ld lexes it). So
// the parser says which mode it wants each time it asks for a token, and the lexer keeps no state
// beyond its offset.

import type { Comment, Position, Range } from './ast';

export type LexMode = 'script' | 'expr' | 'wild';

export type TokenKind = 'name' | 'number' | 'string' | 'punct' | 'eof' | 'bad';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

// Operators, longest first so `<<=` wins over `<<` and `<`.
const PUNCTUATORS = [
  '<<=', '>>=',
  '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '&=', '|=',
  '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '?', ':', '=', '(', ')', '{', '}', ',', ';',
];

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// Character classes after ld's own lexer (file-name characters in commands, symbol characters in
// expressions, wildcard characters in input section descriptions).
const SCRIPT_START = '_./\\$~';
const SCRIPT_PART = '_./\\$~-[]';
const EXPR_START = '_.\\$';
const EXPR_PART = '_.\\$~/';
const WILD_PART = '_./\\$~-+:[]?*^!';

function inClass(c: number, extra: string, digits: boolean): boolean {
  if (isAlpha(c)) return true;
  if (digits && isDigit(c)) return true;
  return extra.indexOf(String.fromCharCode(c)) >= 0;
}

/** Maps offsets to zero-based line/character positions. */
export class LineMap {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.lineStarts[lo], offset };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  offsetAt(line: number, character: number): number {
    if (line < 0) return 0;
    if (line >= this.lineStarts.length) return this.text.length;
    return Math.min(this.lineStarts[line] + character, this.text.length);
  }
}

export interface LexError {
  message: string;
  start: number;
  end: number;
}

export class Lexer {
  pos = 0;
  readonly comments: Comment[] = [];
  readonly errors: LexError[] = [];
  private readonly seenComments = new Set<number>();

  constructor(readonly text: string, readonly lines: LineMap = new LineMap(text)) {}

  /** Skips whitespace and comments, recording each comment once (tokens may be re-lexed). */
  private skipTrivia(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) {
        this.pos++;
      } else if (c === 0x2f && t.charCodeAt(this.pos + 1) === 0x2a) {
        const start = this.pos;
        const close = t.indexOf('*/', start + 2);
        const end = close < 0 ? t.length : close + 2;
        if (!this.seenComments.has(start)) {
          this.seenComments.add(start);
          this.comments.push({ range: this.lines.range(start, end), text: t.slice(start, end) });
          if (close < 0) this.errors.push({ message: 'unterminated comment', start, end });
        }
        this.pos = end;
      } else {
        break;
      }
    }
  }

  /** Reads the next token in the given mode and advances past it. */
  next(mode: LexMode): Token {
    this.skipTrivia();
    const t = this.text;
    const start = this.pos;
    if (start >= t.length) return { kind: 'eof', text: '', start, end: start };
    const c = t.charCodeAt(start);

    if (c === 0x22) {
      const close = t.indexOf('"', start + 1);
      const nl = t.indexOf('\n', start + 1);
      if (close < 0 || (nl >= 0 && nl < close)) {
        const end = nl < 0 ? t.length : nl;
        this.pos = end;
        if (!this.errors.some((e) => e.start === start)) this.errors.push({ message: 'unterminated string', start, end });
        return { kind: 'string', text: t.slice(start + 1, end), start, end };
      }
      this.pos = close + 1;
      return { kind: 'string', text: t.slice(start + 1, close), start, end: close + 1 };
    }

    if (mode === 'expr') {
      if (isDigit(c) || (c === 0x24 && isHexDigit(t.charCodeAt(start + 1)))) {
        let end = start + 1;
        while (end < t.length && (isAlpha(t.charCodeAt(end)) || isDigit(t.charCodeAt(end)))) end++;
        this.pos = end;
        return { kind: 'number', text: t.slice(start, end), start, end };
      }
      if (inClass(c, EXPR_START, false)) return this.scanName(start, EXPR_PART);
    } else if (mode === 'script') {
      if (isDigit(c)) {
        let end = start + 1;
        while (end < t.length && (isAlpha(t.charCodeAt(end)) || isDigit(t.charCodeAt(end)))) end++;
        this.pos = end;
        return { kind: 'number', text: t.slice(start, end), start, end };
      }
      if (inClass(c, SCRIPT_START, false)) return this.scanName(start, SCRIPT_PART);
    } else if (inClass(c, WILD_PART, true)) {
      return this.scanName(start, WILD_PART);
    }

    for (const p of PUNCTUATORS) {
      if (t.startsWith(p, start)) {
        this.pos = start + p.length;
        return { kind: 'punct', text: p, start, end: this.pos };
      }
    }
    this.pos = start + 1;
    return { kind: 'bad', text: t[start], start, end: start + 1 };
  }

  private scanName(start: number, part: string): Token {
    const t = this.text;
    let end = start + 1;
    while (end < t.length) {
      const c = t.charCodeAt(end);
      if (!inClass(c, part, true)) break;
      // `x-=1`, `x+=1`, `x*=2`: the operator character belongs to the compound assignment.
      if (t.charCodeAt(end + 1) === 0x3d && (c === 0x2d || c === 0x2b || c === 0x2a || c === 0x2f)) break;
      end++;
    }
    this.pos = end;
    return { kind: 'name', text: t.slice(start, end), start, end };
  }
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * Parses an ld integer literal: 0x/0X or $ prefix for hex, a leading 0 for octal, suffixes h/H (hex),
 * o/O (octal), b/B (binary), d/D (decimal), and K/M scaling by 1024 / 1024*1024 (ld manual
 * "Constants"). Returns undefined when the text is not a valid number.
 */
export function parseNumber(text: string): bigint | undefined {
  let body = text;
  let scale = 1n;
  let radix = 10;
  if (/^0[xX]/.test(body) || body.startsWith('$')) {
    body = body.startsWith('$') ? body.slice(1) : body.slice(2);
    const last = body[body.length - 1];
    if (last === 'K' || last === 'k') { scale = 1024n; body = body.slice(0, -1); }
    else if (last === 'M' || last === 'm') { scale = 1024n * 1024n; body = body.slice(0, -1); }
    radix = 16;
  } else {
    const last = body[body.length - 1];
    switch (last) {
      case 'K': case 'k': scale = 1024n; body = body.slice(0, -1); break;
      case 'M': case 'm': scale = 1024n * 1024n; body = body.slice(0, -1); break;
      case 'h': case 'H': case 'x': case 'X': radix = 16; body = body.slice(0, -1); break;
      case 'o': case 'O': radix = 8; body = body.slice(0, -1); break;
      case 'b': case 'B': radix = 2; body = body.slice(0, -1); break;
      case 'd': case 'D': radix = 10; body = body.slice(0, -1); break;
      default:
        if (body.length > 1 && body[0] === '0') radix = 8;
    }
  }
  if (body.length === 0) return undefined;
  const digits = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : radix === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digits.test(body)) return undefined;
  let value = 0n;
  const r = BigInt(radix);
  for (const ch of body) value = value * r + BigInt(parseInt(ch, 16));
  return BigInt.asUintN(64, value * scale);
}
