// Rust v0 symbol demangling (RFC 2603, "Rust Symbol Mangling (v0)"). The parser prints as it goes;
// backrefs re-parse from an earlier position. Output matches the usual Rust notation:
// `<hello::Foo as core::fmt::Debug>::fmt`, `core::ptr::drop_in_place::<hello::Foo>`,
// `hello::main::{closure#0}`. With `verbose`, crate roots keep their disambiguator as `crate[hex]`.

class Malformed extends Error {}

const BASIC_TYPES: Record<string, string> = {
  a: 'i8',
  b: 'bool',
  c: 'char',
  d: 'f64',
  e: 'str',
  f: 'f32',
  h: 'u8',
  i: 'isize',
  j: 'usize',
  l: 'i32',
  m: 'u32',
  n: 'i128',
  o: 'u128',
  s: 'i16',
  t: 'u16',
  u: '()',
  v: '...',
  x: 'i64',
  y: 'u64',
  z: '!',
  p: '_',
};

const MAX_DEPTH = 200;

class V0Printer {
  private pos = 0;
  out = '';
  private depth = 0;
  private boundLifetimes = 0;

  constructor(
    private readonly s: string,
    private readonly verbose: boolean,
  ) {}

  private peek(): string {
    return this.s[this.pos] ?? '';
  }
  private next(): string {
    if (this.pos >= this.s.length) throw new Malformed();
    return this.s[this.pos++];
  }
  private eat(c: string): boolean {
    if (this.s[this.pos] === c) {
      this.pos++;
      return true;
    }
    return false;
  }

  private enter(): void {
    // Backrefs can re-expand earlier parts: bound both nesting and output size.
    if (++this.depth > MAX_DEPTH || this.out.length > 16384) throw new Malformed();
  }

  /** <base-62-number>: "_" is 0, otherwise the digits' value plus one. Disambiguators are 64-bit hashes. */
  private base62Big(): bigint {
    if (this.eat('_')) return 0n;
    let v = 0n;
    for (let n = 0; ; n++) {
      const c = this.next();
      if (c === '_') return v + 1n;
      let d: number;
      if (c >= '0' && c <= '9') d = c.charCodeAt(0) - 48;
      else if (c >= 'a' && c <= 'z') d = c.charCodeAt(0) - 97 + 10;
      else if (c >= 'A' && c <= 'Z') d = c.charCodeAt(0) - 65 + 36;
      else throw new Malformed();
      if (n > 12) throw new Malformed();
      v = v * 62n + BigInt(d);
    }
  }

  private base62(): number {
    const v = this.base62Big();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Malformed();
    return Number(v);
  }

  /** An optional tagged base-62 number: 0 when absent, else the number plus one. */
  private optBase62(tag: string): number {
    return this.eat(tag) ? this.base62() + 1 : 0;
  }

  private disambiguator(): bigint {
    return this.eat('s') ? this.base62Big() + 1n : 0n;
  }

  private decimal(): number {
    const c = this.next();
    if (c === '0') return 0;
    if (c < '1' || c > '9') throw new Malformed();
    let v = c.charCodeAt(0) - 48;
    while (this.peek() >= '0' && this.peek() <= '9') {
      v = v * 10 + (this.next().charCodeAt(0) - 48);
      if (v > this.s.length) throw new Malformed();
    }
    return v;
  }

  private identifier(): { name: string; disambiguator: bigint } {
    const disambiguator = this.disambiguator();
    return { name: this.undisambiguatedIdentifier(), disambiguator };
  }

  private undisambiguatedIdentifier(): string {
    const puny = this.eat('u');
    const len = this.decimal();
    this.eat('_');
    if (this.pos + len > this.s.length) throw new Malformed();
    const raw = this.s.slice(this.pos, this.pos + len);
    this.pos += len;
    return puny ? decodePunycode(raw) : raw;
  }

  /** Runs `f` at a backref's target position, then returns to just after the backref. */
  private backref(f: () => void): void {
    const start = this.pos - 1;
    const target = this.base62();
    if (target >= start) throw new Malformed(); // backrefs only point backwards
    const resume = this.pos;
    this.pos = target;
    f();
    this.pos = resume;
  }

  /** Parses without printing (the impl-path of an impl, which the notation omits). */
  private skip(f: () => void): void {
    const mark = this.out.length;
    f();
    this.out = this.out.slice(0, mark);
  }

  path(inValue: boolean): void {
    this.enter();
    const tag = this.next();
    switch (tag) {
      case 'C': {
        const { name, disambiguator } = this.identifier();
        this.out += name;
        if (this.verbose) this.out += `[${disambiguator.toString(16)}]`;
        break;
      }
      case 'N': {
        const ns = this.next();
        if (!/[A-Za-z]/.test(ns)) throw new Malformed();
        this.path(inValue);
        const { name, disambiguator } = this.identifier();
        if (ns >= 'A' && ns <= 'Z') {
          this.out += '::{' + (ns === 'C' ? 'closure' : ns === 'S' ? 'shim' : ns);
          if (name) this.out += ':' + name;
          this.out += `#${disambiguator}}`;
        } else if (name) {
          this.out += '::' + name;
        }
        break;
      }
      case 'M':
      case 'X':
      case 'Y': {
        if (tag !== 'Y') {
          this.skip(() => {
            this.disambiguator();
            this.path(false);
          });
        }
        this.out += '<';
        this.type();
        if (tag !== 'M') {
          this.out += ' as ';
          this.path(false);
        }
        this.out += '>';
        break;
      }
      case 'I': {
        this.path(inValue);
        if (inValue) this.out += '::';
        this.out += '<';
        for (let i = 0; !this.eat('E'); i++) {
          if (i > 0) this.out += ', ';
          this.genericArg();
        }
        this.out += '>';
        break;
      }
      case 'B':
        this.backref(() => this.path(inValue));
        break;
      default:
        throw new Malformed();
    }
    this.depth--;
  }

  private genericArg(): void {
    if (this.eat('L')) this.lifetime(this.base62());
    else if (this.eat('K')) this.constant();
    else this.type();
  }

  private lifetime(index: number): void {
    if (index === 0) {
      this.out += "'_";
      return;
    }
    const depth = this.boundLifetimes - index;
    if (depth < 0) throw new Malformed();
    this.out += depth < 26 ? `'${String.fromCharCode(97 + depth)}` : `'_${depth}`;
  }

  private binder(): number {
    const n = this.optBase62('G');
    if (n > 0) {
      this.out += 'for<';
      for (let i = 0; i < n; i++) {
        if (i > 0) this.out += ', ';
        this.boundLifetimes++;
        this.lifetime(1);
      }
      this.out += '> ';
    }
    return n;
  }

  type(): void {
    this.enter();
    const tag = this.next();
    const basic = BASIC_TYPES[tag];
    if (basic !== undefined) {
      this.out += basic;
      this.depth--;
      return;
    }
    switch (tag) {
      case 'R':
      case 'Q': {
        this.out += '&';
        if (this.eat('L')) {
          const lt = this.base62();
          if (lt !== 0) {
            this.lifetime(lt);
            this.out += ' ';
          }
        }
        if (tag === 'Q') this.out += 'mut ';
        this.type();
        break;
      }
      case 'P':
        this.out += '*const ';
        this.type();
        break;
      case 'O':
        this.out += '*mut ';
        this.type();
        break;
      case 'A':
        this.out += '[';
        this.type();
        this.out += '; ';
        this.constant();
        this.out += ']';
        break;
      case 'S':
        this.out += '[';
        this.type();
        this.out += ']';
        break;
      case 'T': {
        this.out += '(';
        let n = 0;
        for (; !this.eat('E'); n++) {
          if (n > 0) this.out += ', ';
          this.type();
        }
        if (n === 1) this.out += ',';
        this.out += ')';
        break;
      }
      case 'F': {
        const saved = this.boundLifetimes;
        this.binder();
        if (this.eat('U')) this.out += 'unsafe ';
        if (this.eat('K')) {
          const abi = this.eat('C') ? 'C' : this.undisambiguatedIdentifier().replace(/_/g, '-');
          this.out += `extern "${abi}" `;
        }
        this.out += 'fn(';
        for (let i = 0; !this.eat('E'); i++) {
          if (i > 0) this.out += ', ';
          this.type();
        }
        this.out += ')';
        if (this.eat('u')) {
          // unit return type: not printed
        } else {
          this.out += ' -> ';
          this.type();
        }
        this.boundLifetimes = saved;
        break;
      }
      case 'D': {
        this.out += 'dyn ';
        const saved = this.boundLifetimes;
        this.binder();
        for (let i = 0; !this.eat('E'); i++) {
          if (i > 0) this.out += ' + ';
          this.dynTrait();
        }
        this.boundLifetimes = saved;
        if (!this.eat('L')) throw new Malformed();
        const lt = this.base62();
        if (lt !== 0) {
          this.out += ' + ';
          this.lifetime(lt);
        }
        break;
      }
      case 'B':
        this.backref(() => this.type());
        break;
      default:
        this.pos--;
        this.path(false);
    }
    this.depth--;
  }

  private dynTrait(): void {
    this.path(false);
    let open = false;
    while (this.eat('p')) {
      if (!open) {
        // Associated-type bindings go inside the trait's generic arguments.
        if (this.out.endsWith('>')) {
          this.out = this.out.slice(0, -1) + ', ';
        } else {
          this.out += '<';
        }
        open = true;
      } else {
        this.out += ', ';
      }
      this.out += this.undisambiguatedIdentifier() + ' = ';
      this.type();
    }
    if (open) this.out += '>';
  }

  private constant(): void {
    this.enter();
    if (this.eat('B')) {
      this.backref(() => this.constant());
      this.depth--;
      return;
    }
    if (this.eat('p')) {
      this.out += '_';
      this.depth--;
      return;
    }
    const ty = this.next();
    const negative = this.eat('n');
    let hex = '';
    while (!this.eat('_')) {
      const c = this.next();
      if (!/[0-9a-f]/.test(c)) throw new Malformed();
      hex += c;
    }
    const value = hex === '' ? 0n : BigInt('0x' + hex);
    if ('hmjytoasilxn'.includes(ty)) {
      this.out += (negative ? '-' : '') + value.toString();
      // The non-alternate notation spells the type of an integer constant: `arr::<3: usize>`.
      if (this.verbose) this.out += `: ${BASIC_TYPES[ty]}`;
    } else if (ty === 'b') {
      if (value > 1n) throw new Malformed();
      this.out += value === 1n ? 'true' : 'false';
    } else if (ty === 'c') {
      if (value > 0x10ffffn) throw new Malformed();
      this.out += `'${String.fromCodePoint(Number(value))}'`;
    } else {
      throw new Malformed();
    }
    this.depth--;
  }

  symbol(): void {
    // Optional encoding version: only 0 (implicit) exists.
    if (this.peek() >= '0' && this.peek() <= '9') {
      if (this.decimal() !== 0) throw new Malformed();
    }
    this.path(true);
    // An instantiating crate may follow; it is not printed, and a malformed one does not make
    // the name itself unreadable.
    if (this.pos < this.s.length && /[A-Z]/.test(this.peek())) {
      const mark = this.out.length;
      try {
        this.skip(() => this.path(false));
      } catch (e) {
        if (!(e instanceof Malformed)) throw e;
        this.out = this.out.slice(0, mark);
      }
    }
  }
}

/** RFC 3492 punycode as the v0 scheme uses it ('_' instead of '-' before the encoded part). */
function decodePunycode(input: string): string {
  const split = input.lastIndexOf('_');
  const output: number[] = [];
  if (split > 0) for (const ch of input.slice(0, split)) output.push(ch.codePointAt(0)!);
  let i = 0;
  let n = 128;
  let bias = 72;
  let p = split > 0 ? split + 1 : 0;
  let first = true;
  while (p < input.length) {
    const oldi = i;
    let w = 1;
    for (let k = 36; ; k += 36) {
      if (p >= input.length) throw new Malformed();
      const c = input.charCodeAt(p++);
      const digit = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : -1;
      if (digit < 0) throw new Malformed();
      i += digit * w;
      const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
      if (digit < t) break;
      w *= 36 - t;
      if (w > 1e12) throw new Malformed();
    }
    const len = output.length + 1;
    let delta = first ? Math.floor((i - oldi) / 700) : Math.floor((i - oldi) / 2);
    first = false;
    delta += Math.floor(delta / len);
    let k = 0;
    while (delta > 455) {
      delta = Math.floor(delta / 35);
      k += 36;
    }
    bias = k + Math.floor((36 * delta) / (delta + 38));
    n += Math.floor(i / len);
    i %= len;
    if (n > 0x10ffff) throw new Malformed();
    output.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...output);
}

/** Demangles a `_R…` symbol; undefined when it is malformed. */
export function demangleRustV0(name: string, verbose = false): string | undefined {
  if (!name.startsWith('_R')) return undefined;
  const p = new V0Printer(name.slice(2), verbose);
  try {
    p.symbol();
    return p.out;
  } catch (e) {
    if (e instanceof Malformed) return undefined;
    throw e;
  }
}
