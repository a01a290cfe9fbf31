// A basic Itanium C++ ABI demangler (the ABI's section 5.1 "Mangling"): nested and template names,
// constructors/destructors, operators, builtin/qualified/pointer/reference/array/function types,
// substitutions (S_, St, Sa, …), template parameters, literals, local names, vtables and clone
// suffixes — the shapes embedded C++ produces. Anything else (expressions in types, lambdas' closure
// types, pointer-to-member, packs) makes it return undefined so the caller shows the raw name.
// Output follows the binutils spelling: `char const*`, `Ring<int, 8>`, `int (&) [4]`.

class Unsupported extends Error {}

/** A type as the two halves around a declarator: `void (*` + `)(int)`. */
interface Type {
  left: string;
  right: string;
  /** Function and array types need parentheses when a pointer or reference wraps them. */
  compound: boolean;
}

const BUILTIN: Record<string, string> = {
  v: 'void',
  w: 'wchar_t',
  b: 'bool',
  c: 'char',
  a: 'signed char',
  h: 'unsigned char',
  s: 'short',
  t: 'unsigned short',
  i: 'int',
  j: 'unsigned int',
  l: 'long',
  m: 'unsigned long',
  x: 'long long',
  y: 'unsigned long long',
  n: '__int128',
  o: 'unsigned __int128',
  f: 'float',
  d: 'double',
  e: 'long double',
  g: '__float128',
  z: '...',
};

const BUILTIN_D: Record<string, string> = { i: 'char32_t', s: 'char16_t', u: 'char8_t', n: 'decltype(nullptr)', a: 'auto', f: 'decimal32', d: 'decimal64' };

const LITERAL_SUFFIX: Record<string, string> = { i: '', j: 'u', l: 'l', m: 'ul', x: 'll', y: 'ull' };

const OPERATORS: Record<string, string> = {
  nw: 'new',
  na: 'new[]',
  dl: 'delete',
  da: 'delete[]',
  ps: '+',
  ng: '-',
  ad: '&',
  de: '*',
  co: '~',
  pl: '+',
  mi: '-',
  ml: '*',
  dv: '/',
  rm: '%',
  an: '&',
  or: '|',
  eo: '^',
  aS: '=',
  pL: '+=',
  mI: '-=',
  mL: '*=',
  dV: '/=',
  rM: '%=',
  aN: '&=',
  oR: '|=',
  eO: '^=',
  ls: '<<',
  rs: '>>',
  lS: '<<=',
  rS: '>>=',
  eq: '==',
  ne: '!=',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
  ss: '<=>',
  nt: '!',
  aa: '&&',
  oo: '||',
  pp: '++',
  mm: '--',
  cm: ',',
  pm: '->*',
  pt: '->',
  cl: '()',
  ix: '[]',
};

const STD_SUBS: Record<string, string> = {
  a: 'std::allocator',
  b: 'std::basic_string',
  s: 'std::string',
  i: 'std::istream',
  o: 'std::ostream',
  d: 'std::iostream',
};

const named = (s: string): Type => ({ left: s, right: '', compound: false });
const text = (t: Type) => t.left + t.right;

class Demangler {
  private pos = 0;
  private subs: Type[] = [];
  private templateArgs: Type[] = [];
  private depth = 0;

  constructor(private readonly s: string) {}

  private peek(k = 0): string {
    return this.s[this.pos + k] ?? '';
  }
  private next(): string {
    if (this.pos >= this.s.length) throw new Unsupported();
    return this.s[this.pos++];
  }
  private eat(c: string): boolean {
    if (this.s.startsWith(c, this.pos)) {
      this.pos += c.length;
      return true;
    }
    return false;
  }
  private expect(c: string): void {
    if (!this.eat(c)) throw new Unsupported();
  }
  private number(): number {
    const start = this.pos;
    while (/[0-9]/.test(this.peek())) this.pos++;
    if (start === this.pos) throw new Unsupported();
    return Number(this.s.slice(start, this.pos));
  }
  private seqId(): number {
    // <seq-id>_ in base 36 (digits and upper-case letters); "S_" is 0, "S0_" is 1.
    if (this.eat('_')) return 0;
    let v = 0;
    while (this.peek() !== '_') {
      const c = this.next();
      const d = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c >= 'A' && c <= 'Z' ? c.charCodeAt(0) - 55 : -1;
      if (d < 0) throw new Unsupported();
      v = v * 36 + d;
    }
    this.pos++;
    return v + 1;
  }

  private sourceName(): string {
    const n = this.number();
    if (this.pos + n > this.s.length) throw new Unsupported();
    const id = this.s.slice(this.pos, this.pos + n);
    this.pos += n;
    return id.startsWith('_GLOBAL__N') ? '(anonymous namespace)' : id;
  }

  /** <encoding>: a function (name + parameter types) or data name. */
  encoding(): string {
    if (this.eat('TV')) return `vtable for ${text(this.type())}`;
    if (this.eat('TI')) return `typeinfo for ${text(this.type())}`;
    if (this.eat('TS')) return `typeinfo name for ${text(this.type())}`;
    if (this.eat('TT')) return `VTT for ${text(this.type())}`;
    if (this.eat('GV')) return `guard variable for ${this.nameOnly()}`;
    const saved = this.templateArgs;
    const name = this.name();
    if (this.pos >= this.s.length || this.peek() === 'E' || this.peek() === '.') return name.text;
    let ret = '';
    if (name.isTemplate && !name.isCtorDtor) ret = text(this.type()) + ' ';
    const params = this.parameters();
    this.templateArgs = name.isTemplate ? this.templateArgs : saved;
    return `${ret}${name.text}(${params})${name.cv}`;
  }

  private nameOnly(): string {
    return this.name().text;
  }

  private parameters(): string {
    const list: string[] = [];
    while (this.pos < this.s.length && this.peek() !== 'E' && this.peek() !== '.') list.push(text(this.type()));
    if (list.length === 1 && list[0] === 'void') return '';
    return list.join(', ');
  }

  private name(): { text: string; isTemplate: boolean; isCtorDtor: boolean; cv: string } {
    if (++this.depth > 100) throw new Unsupported();
    try {
      if (this.eat('N')) return this.nestedName();
      if (this.eat('Z')) {
        // <local-name>: function-scope entity.
        const fn = this.encoding();
        this.expect('E');
        if (this.eat('s')) {
          this.discriminator();
          return { text: `${fn}::string literal`, isTemplate: false, isCtorDtor: false, cv: '' };
        }
        const inner = this.name();
        this.discriminator();
        return { ...inner, text: `${fn}::${inner.text}` };
      }
      let prefix: string;
      if (this.eat('St')) prefix = 'std::' + this.unqualifiedName(undefined).text;
      else if (this.peek() === 'S') {
        prefix = text(this.substitution());
        if (this.peek() !== 'I') throw new Unsupported();
      } else prefix = this.unqualifiedName(undefined).text;
      if (this.peek() === 'I') {
        this.subs.push(named(prefix));
        const args = this.templateArgList();
        return { text: prefix + args, isTemplate: true, isCtorDtor: false, cv: '' };
      }
      return { text: prefix, isTemplate: false, isCtorDtor: false, cv: '' };
    } finally {
      this.depth--;
    }
  }

  private discriminator(): void {
    if (this.eat('_')) {
      if (this.eat('_')) {
        this.number();
        this.expect('_');
      } else this.number();
    }
  }

  private nestedName(): { text: string; isTemplate: boolean; isCtorDtor: boolean; cv: string } {
    let cv = '';
    if (this.eat('r')) cv += ' restrict';
    if (this.eat('V')) cv += ' volatile';
    if (this.eat('K')) cv += ' const';
    // Trailing order in the output is const, volatile (binutils prints "const volatile").
    cv = cv.includes('const') && cv.includes('volatile') ? ' const volatile' : cv;
    if (this.eat('R') || this.eat('O')) {
      // ref-qualifiers are rare in embedded code; printed without the & to stay simple
    }
    let prefix = '';
    let isTemplate = false;
    let isCtorDtor = false;
    let last = '';
    while (!this.eat('E')) {
      if (this.pos >= this.s.length) throw new Unsupported();
      isTemplate = false;
      if (this.peek() === 'S' && this.peek(1) !== 't' && prefix === '') {
        prefix = text(this.substitution());
        last = prefix.slice(prefix.lastIndexOf('::') + 2);
        continue;
      }
      if (this.eat('St')) {
        prefix = 'std';
        last = 'std';
        continue;
      }
      if (this.peek() === 'I') {
        prefix += this.templateArgList();
        isTemplate = true;
        if (this.peek() !== 'E') this.subs.push(named(prefix));
        continue;
      }
      if (this.peek() === 'T') {
        prefix = text(this.templateParam());
        this.subs.push(named(prefix));
        continue;
      }
      const u = this.unqualifiedName(last);
      isCtorDtor = u.isCtorDtor;
      if (!u.isCtorDtor) last = u.text.replace(/<.*$/, '');
      prefix = prefix ? `${prefix}::${u.text}` : u.text;
      if (this.peek() !== 'E') this.subs.push(named(prefix));
    }
    return { text: prefix, isTemplate, isCtorDtor, cv };
  }

  private unqualifiedName(enclosing: string | undefined): { text: string; isCtorDtor: boolean } {
    const c = this.peek();
    let result: { text: string; isCtorDtor: boolean };
    if (c >= '0' && c <= '9') result = { text: this.sourceName(), isCtorDtor: false };
    else if (c === 'C' && /[1-5]/.test(this.peek(1))) {
      this.pos += 2;
      if (!enclosing) throw new Unsupported();
      result = { text: enclosing, isCtorDtor: true };
    } else if (c === 'D' && /[0-5]/.test(this.peek(1))) {
      this.pos += 2;
      if (!enclosing) throw new Unsupported();
      result = { text: `~${enclosing}`, isCtorDtor: true };
    } else if (c === 'c' && this.peek(1) === 'v') {
      this.pos += 2;
      result = { text: `operator ${text(this.type())}`, isCtorDtor: true };
    } else if (c === 'L') {
      this.pos++; // internal-linkage name
      result = { text: this.sourceName(), isCtorDtor: false };
    } else {
      const op = OPERATORS[this.s.slice(this.pos, this.pos + 2)];
      if (!op) throw new Unsupported();
      this.pos += 2;
      result = { text: /^[a-z]/.test(op) ? `operator ${op}` : `operator${op}`, isCtorDtor: false };
    }
    while (this.eat('B')) result.text += `[abi:${this.sourceName()}]`;
    return result;
  }

  private templateArgList(): string {
    this.expect('I');
    const args: Type[] = [];
    while (!this.eat('E')) {
      if (this.pos >= this.s.length) throw new Unsupported();
      args.push(this.templateArg());
    }
    this.templateArgs = args;
    const body = args.map(text).join(', ');
    return `<${body}${body.endsWith('>') ? ' ' : ''}>`;
  }

  private templateArg(): Type {
    if (this.peek() === 'L') return named(this.literal());
    if (this.eat('X')) throw new Unsupported(); // expressions
    if (this.eat('J')) throw new Unsupported(); // packs
    return this.type();
  }

  private literal(): string {
    this.expect('L');
    if (this.eat('_Z')) {
      const e = this.encoding();
      this.expect('E');
      return e;
    }
    if (!BUILTIN[this.peek()]) {
      // A literal of a non-builtin type (an enum): `(drv::Mode)0`.
      const type = text(this.type());
      const neg = this.eat('n');
      const value = this.number();
      this.expect('E');
      return `(${type})${neg ? '-' : ''}${value}`;
    }
    const t = this.next();
    const negative = this.eat('n');
    const start = this.pos;
    while (/[0-9]/.test(this.peek())) this.pos++;
    const digits = this.s.slice(start, this.pos);
    this.expect('E');
    const v = (negative ? '-' : '') + digits;
    if (t === 'b') return digits === '0' ? 'false' : 'true';
    const suffix = LITERAL_SUFFIX[t];
    if (suffix !== undefined) return v + suffix;
    const b = BUILTIN[t];
    if (!b) throw new Unsupported();
    return `(${b})${v}`;
  }

  private templateParam(): Type {
    this.expect('T');
    const i = this.seqId();
    const t = this.templateArgs[i];
    if (!t) throw new Unsupported();
    return t;
  }

  private substitution(): Type {
    this.expect('S');
    const std = STD_SUBS[this.peek()];
    if (std) {
      this.pos++;
      return named(std);
    }
    const i = this.seqId();
    const t = this.subs[i];
    if (!t) throw new Unsupported();
    return t;
  }

  type(): Type {
    if (++this.depth > 100) throw new Unsupported();
    try {
      return this.typeInner();
    } finally {
      this.depth--;
    }
  }

  private typeInner(): Type {
    const c = this.peek();
    const b = BUILTIN[c];
    if (b) {
      this.pos++;
      return named(b);
    }
    if (c === 'D' && BUILTIN_D[this.peek(1)]) {
      const t = BUILTIN_D[this.peek(1)];
      this.pos += 2;
      return named(t);
    }
    let t: Type;
    switch (c) {
      case 'P':
      case 'R':
      case 'O': {
        this.pos++;
        const inner = this.type();
        const op = c === 'P' ? '*' : c === 'R' ? '&' : '&&';
        // Reference collapsing (C++11 [dcl.ref]): a reference to a reference is `&` unless both are `&&`.
        if (c !== 'P' && !inner.compound && inner.left.endsWith('&')) {
          t = c === 'R' && inner.left.endsWith('&&') ? { left: inner.left.slice(0, -1), right: inner.right, compound: false } : inner;
          break;
        }
        t = inner.compound ? { left: `${inner.left} (${op}`, right: `)${inner.right}`, compound: false } : { left: inner.left + op, right: inner.right, compound: false };
        break;
      }
      case 'K':
      case 'V':
      case 'r': {
        let quals = '';
        while ('rVK'.includes(this.peek()) && this.peek() !== '') {
          const q = this.next();
          quals = (q === 'K' ? ' const' : q === 'V' ? ' volatile' : ' restrict') + quals;
        }
        const inner = this.type();
        t = { left: inner.left + quals, right: inner.right, compound: inner.compound };
        break;
      }
      case 'F': {
        this.pos++;
        this.eat('Y');
        const ret = this.type();
        const params = this.parameters();
        this.expect('E');
        t = { left: text(ret), right: `(${params})`, compound: true };
        break;
      }
      case 'A': {
        this.pos++;
        const dim = /[0-9]/.test(this.peek()) ? String(this.number()) : '';
        this.expect('_');
        const inner = this.type();
        t = { left: inner.left, right: ` [${dim}]${inner.right}`, compound: true };
        break;
      }
      case 'T':
        t = this.templateParam();
        break;
      case 'S':
        if (this.peek(1) === 't') {
          const n = this.name();
          t = named(n.text);
          break;
        }
        t = this.substitution();
        if (this.peek() === 'I') {
          const args = this.templateArgList();
          t = named(text(t) + args);
          break;
        }
        return t; // a substitution is not itself a new candidate
      case 'N':
      case 'Z':
        t = named(this.name().text);
        break;
      default:
        if (/[0-9]/.test(c)) {
          t = named(this.name().text);
          break;
        }
        throw new Unsupported();
    }
    this.subs.push(t);
    return t;
  }
}

/** Demangles a `_Z…` symbol; undefined when it uses a construct this subset does not handle. */
export function demangleItanium(name: string): string | undefined {
  if (!name.startsWith('_Z')) return undefined;
  // GCC clones: `_Z3fooi.constprop.0` → `foo(int) [clone .constprop.0]`.
  const dot = name.indexOf('.');
  const core = dot > 0 ? name.slice(0, dot) : name;
  const clones = dot > 0 ? name.slice(dot).match(/\.[A-Za-z_]+(\.[0-9]+)*/g) : null;
  const d = new Demangler(core.slice(2));
  try {
    const out = d.encoding();
    if ((d as unknown as { pos: number }).pos !== core.length - 2) return undefined;
    return out + (clones ? clones.map((c) => ` [clone ${c}]`).join('') : '');
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
