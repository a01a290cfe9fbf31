// A small, strict XML reader for CMSIS-SVD files, producing plain objects:
//   <a x="1"><b>t</b><b>u</b><c/></a>  →  { a: { '@_x': '1', b: ['t', 'u'], c: '' } }
// An element with only text (and no attributes) becomes its trimmed text; attributes are '@_name';
// text beside attributes or children is '#text'; a name in `repeated` is always an array.
//
// Why not a general XML library: vendor SVDs reach 20 MB, and the general-purpose parser we tried
// takes seconds on them (it builds path matchers per element); SVD needs no namespaces, DTDs or
// mixed content, so a scanner built on indexOf does the job in a fraction of the time. Text
// after an element's first child is ignored (SVD has no mixed content). Errors carry line and
// column.

export type XmlNode = { [key: string]: unknown };

export class XmlSyntaxError extends Error {
  constructor(readonly line: number, readonly column: number, readonly detail: string) {
    super(`line ${line}, column ${column}: ${detail}`);
    this.name = 'XmlSyntaxError';
  }
}

interface Frame {
  name: string;
  node: XmlNode;
  text: string;
  hasChildren: boolean;
  hasAttributes: boolean;
  start: number;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 58 || c > 127;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

export function readXml(text: string, repeated: ReadonlySet<string> = new Set()): XmlNode {
  const fail = (offset: number, message: string): never => {
    let line = 1, lineStart = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    throw new XmlSyntaxError(line, offset - lineStart + 1, message);
  };

  const decode = (s: string, offset: number): string => {
    if (s.indexOf('&') < 0) return s;
    return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|&/g, (whole, ref: string | undefined) => {
      if (ref === undefined) fail(offset, "'&' not starting an entity reference");
      if (ref![0] === '#') {
        const code = ref![1] === 'x' ? parseInt(ref!.slice(2), 16) : parseInt(ref!.slice(1), 10);
        if (!(code >= 0 && code <= 0x10ffff)) fail(offset, `bad character reference ${whole}`);
        return String.fromCodePoint(code);
      }
      const e = ENTITIES[ref!];
      if (e === undefined) fail(offset, `unknown entity ${whole}`);
      return e;
    });
  };

  const attach = (parent: XmlNode, name: string, value: unknown): void => {
    const existing = parent[name];
    if (repeated.has(name)) {
      if (existing === undefined) parent[name] = [value];
      else (existing as unknown[]).push(value);
    } else if (existing === undefined) parent[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else parent[name] = [existing, value];
  };

  const root: XmlNode = {};
  const stack: Frame[] = [];
  let current: Frame | null = null;
  let sawRoot = false;
  const n = text.length;
  let pos = 0;

  while (pos < n) {
    const lt = text.indexOf('<', pos);
    const end = lt < 0 ? n : lt;
    if (end > pos) {
      if (current === null) {
        for (let i = pos; i < end; i++) if (!isSpace(text.charCodeAt(i)) && text.charCodeAt(i) !== 0xfeff) fail(i, 'text outside the root element');
      } else if (!current.hasChildren) current.text += text.slice(pos, end);
    }
    if (lt < 0) break;
    const c = text.charCodeAt(lt + 1);
    if (c === 63 /* ? */) {
      const close = text.indexOf('?>', lt + 2);
      if (close < 0) fail(lt, 'unterminated processing instruction');
      pos = close + 2;
    } else if (c === 33 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        const close = text.indexOf('-->', lt + 4);
        if (close < 0) fail(lt, 'unterminated comment');
        pos = close + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const close = text.indexOf(']]>', lt + 9);
        if (close < 0) fail(lt, 'unterminated CDATA section');
        if (current === null) fail(lt, 'CDATA outside the root element');
        // Entity-escape it so that the later decode leaves it as written.
        if (!current!.hasChildren) current!.text += text.slice(lt + 9, close).replace(/&/g, '&amp;');
        pos = close + 3;
      } else if (text.startsWith('<!DOCTYPE', lt)) {
        let i = lt + 9, depth = 0;
        for (; i < n; i++) {
          const ch = text.charCodeAt(i);
          if (ch === 91) depth++;
          else if (ch === 93) depth--;
          else if (ch === 62 && depth <= 0) break;
        }
        if (i >= n) fail(lt, 'unterminated DOCTYPE');
        pos = i + 1;
      } else fail(lt, "unexpected '<!'");
    } else if (c === 47 /* / */) {
      const close = text.indexOf('>', lt + 2);
      if (close < 0) fail(lt, 'unterminated end tag');
      const name = text.slice(lt + 2, close).trim();
      if (current === null) fail(lt, `end tag </${name}> without a start tag`);
      if (name !== current!.name) fail(lt, `end tag </${name}> does not match <${current!.name}>`);
      const frame = current!;
      stack.pop();
      current = stack.length > 0 ? stack[stack.length - 1] : null;
      const trimmed = frame.text.trim();
      let value: unknown;
      if (!frame.hasChildren && !frame.hasAttributes) value = decode(trimmed, frame.start);
      else {
        if (trimmed !== '') frame.node['#text'] = decode(trimmed, frame.start);
        value = frame.node;
      }
      attach(current === null ? root : current.node, name, value);
      pos = close + 1;
    } else {
      // Start tag.
      let i = lt + 1;
      while (i < n && isNameChar(text.charCodeAt(i))) i++;
      if (i === lt + 1) fail(lt, "'<' not starting a tag");
      const name = text.slice(lt + 1, i);
      if (current === null) {
        if (sawRoot) fail(lt, `second root element <${name}>`);
        sawRoot = true;
      }
      const node: XmlNode = {};
      let hasAttributes = false;
      let selfClosing = false;
      for (;;) {
        const start = i;
        while (i < n && isSpace(text.charCodeAt(i))) i++;
        if (i >= n) fail(lt, `unterminated start tag <${name}>`);
        const ch = text.charCodeAt(i);
        if (ch === 62 /* > */) { i++; break; }
        if (ch === 47 /* / */) {
          if (text.charCodeAt(i + 1) !== 62) fail(i, `expected '>' after '/' in <${name}>`);
          selfClosing = true;
          i += 2;
          break;
        }
        if (i === start) fail(i, `expected whitespace before an attribute in <${name}>`);
        const nameStart = i;
        while (i < n && isNameChar(text.charCodeAt(i))) i++;
        if (i === nameStart) fail(i, `bad character in <${name}>`);
        const attribute = text.slice(nameStart, i);
        while (i < n && isSpace(text.charCodeAt(i))) i++;
        if (text.charCodeAt(i) !== 61 /* = */) fail(i, `attribute ${attribute} of <${name}> has no value`);
        i++;
        while (i < n && isSpace(text.charCodeAt(i))) i++;
        const quote = text.charCodeAt(i);
        if (quote !== 34 && quote !== 39) fail(i, `attribute ${attribute} of <${name}>: value not quoted`);
        const close = text.indexOf(quote === 34 ? '"' : "'", i + 1);
        if (close < 0) fail(i, `attribute ${attribute} of <${name}>: unterminated value`);
        const value = text.slice(i + 1, close);
        if (value.indexOf('<') >= 0) fail(i, `'<' in the value of attribute ${attribute}`);
        const key = '@_' + attribute;
        if (node[key] !== undefined) fail(nameStart, `attribute ${attribute} repeated in <${name}>`);
        node[key] = decode(value, i);
        hasAttributes = true;
        i = close + 1;
      }
      if (current !== null) current.hasChildren = true;
      if (selfClosing) attach(current === null ? root : current.node, name, hasAttributes ? node : '');
      else {
        current = { name, node, text: '', hasChildren: false, hasAttributes, start: lt };
        stack.push(current);
      }
      pos = i;
    }
  }
  if (current !== null) fail(current.start, `<${current.name}> is never closed`);
  if (!sawRoot) fail(0, 'no root element');
  return root;
}
