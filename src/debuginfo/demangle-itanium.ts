// A basic Itanium C++ ABI demangler (the ABI's section 5.1 "Mangling"): nested and template names,
// constructors/destructors, operators, builtin/qualified/pointer/reference/array/function types,
// substitutions (S_, St, Sa, …), template parameters and packs, literals, local names, lambdas and
// unnamed types, ref-qualifiers, thunks, vtables, simple decltype expressions and clone suffixes —
// the shapes embedded C++ produces. Anything else (most expressions, pointer-to-member types) makes
// it return undefined so the caller shows the raw name.
// Output follows the binutils spelling: `char const*`, `Ring<int, 8>`, `int (&) [4]`.

class Unsupported extends Error {}

/** A type as the two halves around a declarator: `void (*` + `)(int)`. */
interface Type {
  left: string;
  right: string;
  /** Function and array types need parentheses when a pointer or reference wraps them. */
  compound: boolean;
  /** A template argument pack, or a pack expansion: stands for this list of types. */
  pack?: Type[];
  /**
   * Read from here in a generic lambda's signature, with its `auto:N` parameters: a substitution
   * refers to it again where template arguments are bound, so it is read again there.
   */
  reparseAt?: number;
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

const BUILTIN_D: Record<string, string> = { c: 'decltype(auto)', i: 'char32_t', s: 'char16_t', u: 'char8_t', n: 'decltype(nullptr)', a: 'auto', f: 'decimal32', d: 'decimal64' };

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

/** Operator codes read as prefix operators in expressions; the rest of OPERATORS are binary. */
const UNARY = new Set(['ps', 'ng', 'ad', 'de', 'co', 'nt']);
const NOT_BINARY = new Set(['nw', 'na', 'dl', 'da', 'pp', 'mm', 'cl', 'ix']);

const STD_SUBS: Record<string, string> = {
  a: 'std::allocator',
  b: 'std::basic_string',
  s: 'std::string',
  i: 'std::istream',
  o: 'std::ostream',
  d: 'std::iostream',
};

const named = (s: string): Type => ({ left: s, right: '', compound: false });
const text = (t: Type): string => (t.pack ? t.pack.map(text).join(', ') : t.left + t.right);
const endsInEmptyPack = (t: Type | undefined): boolean => t?.pack !== undefined && (t.pack.length === 0 || endsInEmptyPack(t.pack[t.pack.length - 1]));
/** A list of types with packs expanded in place. */
const flatten = (list: Type[]): Type[] => list.flatMap((t) => (t.pack ? flatten(t.pack) : [t]));

class Demangler {
  private pos = 0;
  private subs: Type[] = [];
  private templateArgs: Type[] = [];
  private depth = 0;
  /** How many types enclose the current position (template arguments of a type are not the function's). */
  private typeDepth = 0;
  /** Inside a lambda's signature: template parameters are its `auto` parameters. */
  private inLambdaSignature = false;
  /** While a pack expansion (Dp) is expanded: which element its pack parameters stand for. */
  private packElement: number | undefined;
  /** Set when a template parameter that is a pack is met (its length). */
  private packSeen: number | undefined;
  /** Counts the `auto:N` parameters read (to mark the types that contain one). */
  private autosSeen = 0;
  private steps = 0;
  /** The last source name read outside template arguments (what a constructor is called). */
  private lastName = '';

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
    this.lastName = id.startsWith('_GLOBAL__N') ? '(anonymous namespace)' : id;
    return this.lastName;
  }

  /** <encoding>: a function (name + parameter types) or data name. */
  encoding(withReturnType = true): string {
    if (this.eat('TV')) return `vtable for ${text(this.type())}`;
    if (this.eat('TI')) return `typeinfo for ${text(this.type())}`;
    if (this.eat('TS')) return `typeinfo name for ${text(this.type())}`;
    if (this.eat('TT')) return `VTT for ${text(this.type())}`;
    if (this.eat('GV')) return `guard variable for ${this.nameOnly()}`;
    if (this.eat('GR')) {
      const n = this.nameOnly();
      if (this.peek() !== '_') this.seqId();
      else this.pos++;
      return `reference temporary #0 for ${n}`;
    }
    if (this.eat('TH')) return `TLS init function for ${this.nameOnly()}`;
    if (this.eat('TW')) return `TLS wrapper function for ${this.nameOnly()}`;
    if (this.eat('Th')) {
      this.callOffset('h');
      return `non-virtual thunk to ${this.encoding()}`;
    }
    if (this.eat('Tv')) {
      this.callOffset('v');
      return `virtual thunk to ${this.encoding()}`;
    }
    if (this.eat('Tc')) {
      this.callOffset(this.next());
      this.callOffset(this.next());
      return `covariant return thunk to ${this.encoding()}`;
    }
    const saved = this.templateArgs;
    const savedTypeDepth = this.typeDepth;
    this.typeDepth = 0;
    try {
      const name = this.name();
      if (this.pos >= this.s.length || this.peek() === 'E' || this.peek() === '.') return name.text;
      const ret = name.isTemplate && !name.isCtorDtor ? this.type() : undefined;
      const params = this.parameters();
      const fn = `${name.text}(${params})${name.cv}`;
      if (!ret || !withReturnType) return fn;
      // A return type with a declarator (a reference to an array, a pointer to a function) wraps the function.
      return ret.right ? `${ret.left}${fn}${ret.right}` : `${text(ret)} ${fn}`;
    } finally {
      // A local name's function (Z <encoding> E) does not change what T_ means after it.
      this.templateArgs = saved;
      this.typeDepth = savedTypeDepth;
    }
  }

  /** <call-offset>: h <offset> _ or v <offset> _ <virtual offset> _ (printed by nobody). */
  private callOffset(kind: string): void {
    const offset = () => {
      this.eat('n');
      this.number();
      this.expect('_');
    };
    if (kind === 'h') offset();
    else if (kind === 'v') {
      offset();
      offset();
    } else throw new Unsupported();
  }

  private nameOnly(): string {
    return this.name().text;
  }

  private parameters(): string {
    const types: Type[] = [];
    while (this.pos < this.s.length && this.peek() !== 'E' && this.peek() !== '.') types.push(this.type());
    const list = flatten(types).map(text);
    if (list.length === 1 && list[0] === 'void') return '';
    return list.join(', ');
  }

  private name(): { text: string; isTemplate: boolean; isCtorDtor: boolean; cv: string } {
    if (++this.depth > 100) throw new Unsupported();
    try {
      if (this.eat('N')) return this.nestedName();
      if (this.eat('Z')) {
        // <local-name>: function-scope entity.
        // The function a local entity belongs to is printed without its return type.
        const fn = this.encoding(false);
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
    if (this.eat('R')) cv += ' &';
    else if (this.eat('O')) cv += ' &&';
    let prefix = '';
    let isTemplate = false;
    let isCtorDtor = false;
    // A constructor is named after the last source name read outside template arguments (closures
    // and unnamed types have none of their own: `f()::{lambda()#1}::f()`, as binutils prints it).
    let last = this.lastName;
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
      if (!u.isCtorDtor && !u.text.startsWith('{')) last = u.text.replace(/<.*$/, '');
      prefix = prefix ? `${prefix}::${u.text}` : u.text;
      if (this.peek() !== 'E') this.subs.push(named(prefix));
    }
    return { text: prefix, isTemplate, isCtorDtor, cv };
  }

  private unqualifiedName(enclosing: string | undefined): { text: string; isCtorDtor: boolean } {
    const c = this.peek();
    let result: { text: string; isCtorDtor: boolean };
    if (c >= '0' && c <= '9') result = { text: this.sourceName(), isCtorDtor: false };
    else if (c === 'C' && this.peek(1) === 'I' && /[1-5]/.test(this.peek(2))) {
      // An inheriting constructor names the base it comes from: printed as that class's name.
      this.pos += 3;
      const base = text(this.type()).replace(/<.*$/, '');
      result = { text: base.slice(base.lastIndexOf('::') + 2), isCtorDtor: true };
    } else if (c === 'C' && /[1-5]/.test(this.peek(1))) {
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
    } else if (c === 'U' && this.peek(1) === 'l') {
      // A closure type: Ul <parameter types> E [<number>] _, numbered from 1 in its scope.
      this.pos += 2;
      const outer = this.inLambdaSignature;
      this.inLambdaSignature = true;
      let params: string;
      try {
        params = this.parameters();
      } finally {
        this.inLambdaSignature = outer;
      }
      this.expect('E');
      result = { text: `{lambda(${params})#${this.closureNumber()}}`, isCtorDtor: false };
    } else if (c === 'U' && this.peek(1) === 't') {
      this.pos += 2;
      result = { text: `{unnamed type#${this.closureNumber()}}`, isCtorDtor: false };
    } else {
      const op = OPERATORS[this.s.slice(this.pos, this.pos + 2)];
      if (!op) throw new Unsupported();
      this.pos += 2;
      result = { text: /^[a-z]/.test(op) ? `operator ${op}` : `operator${op}`, isCtorDtor: false };
    }
    while (this.eat('B')) result.text += `[abi:${this.sourceName()}]`;
    return result;
  }

  /** [<number>] _ after a closure or unnamed type: absent is #1, n is #n+2. */
  private closureNumber(): number {
    if (this.eat('_')) return 1;
    const n = this.number();
    this.expect('_');
    return n + 2;
  }

  private templateArgList(): string {
    this.expect('I');
    const args: Type[] = [];
    const lastName = this.lastName;
    while (!this.eat('E')) {
      if (this.pos >= this.s.length) throw new Unsupported();
      args.push(this.templateArg());
    }
    this.lastName = lastName;
    // The template arguments of the entity's own name (not of a type in it) are what T_ means.
    if (this.typeDepth === 0) this.templateArgs = args;
    const body = flatten(args).map(text).join(', ');
    // Like the binutils printer: no space before the closing '>' when the list ends in an empty pack.
    const space = body.endsWith('>') && !endsInEmptyPack(args[args.length - 1]);
    return `<${body}${space ? ' ' : ''}>`;
  }

  private templateArg(): Type {
    if (this.peek() === 'L') return named(this.literal());
    if (this.eat('X')) {
      this.typeDepth++;
      try {
        if (this.eat('sp')) {
          const list = this.expandPack(() => this.expression());
          this.expect('E');
          return this.lastExpansionWasPack ? { left: '', right: '', compound: false, pack: list.map(named) } : named(list[0]);
        }
        const e = this.expression();
        this.expect('E');
        return named(e);
      } finally {
        this.typeDepth--;
      }
    }
    if (this.eat('J')) {
      const pack: Type[] = [];
      while (!this.eat('E')) {
        if (this.pos >= this.s.length) throw new Unsupported();
        pack.push(this.templateArg());
      }
      return { left: '', right: '', compound: false, pack };
    }
    return this.type();
  }

  /** The expressions decltype and non-type template arguments use, as far as simple code needs. */
  private expression(): string {
    if (++this.depth > 100) throw new Unsupported();
    try {
      if (this.eat('fp')) {
        // Function parameter: fp <cv> _ is #1, fp <cv> n _ is #n+2.
        while ('rVK'.includes(this.peek()) && this.peek() !== '') this.pos++;
        if (this.eat('_')) return '{parm#1}';
        const n = this.number();
        this.expect('_');
        return `{parm#${n + 2}}`;
      }
      if (this.peek() === 'T') return text(this.templateParam());
      if (this.peek() === 'L') return this.literal();
      if (/[0-9]/.test(this.peek())) {
        // An unresolved name, maybe with template arguments: `is_invocable_r_v<int, F&>`.
        const id = this.sourceName();
        return this.peek() === 'I' ? id + this.templateArgList() : id;
      }
      if (this.eat('gs')) return `::${this.expression()}`;
      if (this.eat('nw')) {
        // new (placement args) type(initialisers): nw <expr>* _ <type> (E | pi <expr>* E)
        const placement = this.expressionList('_');
        const type = text(this.type());
        const init = this.eat('pi') ? `(${this.expressionList('E').join(', ')})` : '';
        if (!init) this.expect('E');
        return `new ${placement.length ? `(${placement.join(', ')}) ` : ''}${type}${init}`;
      }
      if (this.eat('cv')) {
        const type = text(this.type());
        if (this.eat('_')) return `(${type})(${this.expressionList('E').join(', ')})`;
        return `(${type})(${this.expression()})`;
      }
      if (this.eat('cl')) {
        const callee = this.expression();
        const args = this.expressionList('E');
        return `${/^[\w:]+$/.test(callee) ? callee : `(${callee})`}(${args.join(', ')})`;
      }
      if (this.eat('sr')) {
        // A member of a dependent type: <type> <name> (the simple form only).
        const scope = text(this.type());
        const id = this.sourceName();
        return `${scope}::${this.peek() === 'I' ? id + this.templateArgList() : id}`;
      }
      const code = this.s.slice(this.pos, this.pos + 2);
      const op = OPERATORS[code];
      if (op && UNARY.has(code)) {
        this.pos += 2;
        return `${op}${this.operand()}`;
      }
      if (op && !NOT_BINARY.has(code)) {
        this.pos += 2;
        const left = this.operand();
        const right = this.operand();
        return `${left}${op}${right}`;
      }
      throw new Unsupported();
    } finally {
      this.depth--;
    }
  }

  /** Expressions up to `end`, pack expansions (sp) expanded in place. */
  private expressionList(end: string): string[] {
    const out: string[] = [];
    while (!this.eat(end)) {
      if (this.pos >= this.s.length) throw new Unsupported();
      if (this.eat('sp')) out.push(...this.expandPack(() => this.expression()));
      else out.push(this.expression());
    }
    return out;
  }

  /** An operand, in parentheses unless it is a single name, parameter or literal. */
  private operand(): string {
    const simple = OPERATORS[this.s.slice(this.pos, this.pos + 2)] === undefined;
    const e = this.expression();
    return simple ? e : `(${e})`;
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
    if (this.inLambdaSignature) {
      this.autosSeen++;
      return named(`auto:${i + 1}`);
    }
    const t = this.templateArgs[i];
    if (!t) throw new Unsupported();
    return this.packMember(t);
  }

  /** A pack met inside a pack expansion stands for its current element. */
  private packMember(t: Type): Type {
    if (!t.pack) return t;
    this.packSeen = t.pack.length;
    if (this.packElement === undefined) return t;
    const element = t.pack[this.packElement];
    if (!element) throw new Unsupported();
    return element;
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
    // A type with a generic lambda's auto parameters, referred to where template arguments are bound.
    if (t.reparseAt !== undefined && !this.inLambdaSignature) {
      const pos = this.pos;
      const subs = this.subs.length;
      try {
        this.pos = t.reparseAt;
        return this.type();
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        return t;
      } finally {
        this.pos = pos;
        this.subs.length = subs;
      }
    }
    return this.packMember(t);
  }

  type(): Type {
    // Re-reading (pack expansions, generic lambdas' types) is bounded: no input costs more than this.
    if (++this.depth > 100 || ++this.steps > 20000) throw new Unsupported();
    this.typeDepth++;
    const start = this.pos;
    const autos = this.autosSeen;
    try {
      const t = this.typeInner();
      if (this.autosSeen > autos && t.reparseAt === undefined) t.reparseAt = start;
      return t;
    } finally {
      this.depth--;
      this.typeDepth--;
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
    if (c === 'D' && (this.peek(1) === 'T' || this.peek(1) === 't')) {
      this.pos += 2;
      const e = this.expression();
      this.expect('E');
      t = named(`decltype (${e})`);
      this.subs.push(t);
      return t;
    }
    if (c === 'D' && this.peek(1) === 'p') {
      this.pos += 2;
      t = this.packExpansion();
      this.subs.push(t);
      return t;
    }
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
        t = inner.compound ? { left: `${inner.left.trimEnd()} (${op}`, right: `)${inner.right}`, compound: false } : { left: inner.left + op, right: inner.right, compound: false };
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
        t = { left: `${text(ret)} `, right: `(${params})`, compound: true };
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
        if (this.peek() === 'I') {
          // A template template parameter with its arguments: both are substitution candidates.
          this.subs.push(t);
          t = named(text(t) + this.templateArgList());
        }
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

  /** Dp <type>: the pattern once per element of the pack it names. */
  private packExpansion(): Type {
    const list = this.expandPack(() => this.type());
    return list.length === 1 && !this.lastExpansionWasPack ? list[0] : { left: '', right: '', compound: false, pack: list };
  }

  private lastExpansionWasPack = false;

  /**
   * Reads a pack expansion's pattern, then again once per element of the pack it names (its
   * template parameters standing for that element). The substitution candidates are the first read's.
   */
  private expandPack<T>(parse: () => T): T[] {
    const start = this.pos;
    const subs = this.subs.length;
    const outerSeen = this.packSeen;
    this.packSeen = undefined;
    const first = parse();
    const length = this.packSeen;
    this.packSeen = outerSeen;
    this.lastExpansionWasPack = length !== undefined && this.packElement === undefined;
    if (!this.lastExpansionWasPack) return [first];
    const end = this.pos;
    const afterFirst = this.subs.slice();
    const out: T[] = [];
    for (let k = 0; k < length!; k++) {
      this.pos = start;
      this.subs.length = subs;
      this.packElement = k;
      try {
        out.push(parse());
      } finally {
        this.packElement = undefined;
      }
    }
    this.pos = end;
    this.subs = afterFirst;
    this.lastExpansionWasPack = true;
    return out;
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
