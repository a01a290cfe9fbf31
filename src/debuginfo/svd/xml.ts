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

/** An open element. Frames are reused by depth (no allocation per element). Its text is kept
 *  as one range of the input [textStart, textEnd) while it comes in one piece (the usual case);
 *  only text split by comments or CDATA is concatenated into `text`. */
class Frame {
  name = '';
  node: XmlNode = {};
  textStart = 0;
  textEnd = 0;
  /** Concatenated text, or null while the text is the single range above. */
  text: string | null = null;
  hasChildren = false;
  hasAttributes = false;
  start = 0;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 58 || c > 127;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Tag names seen so far, by length and first/last character: the same few names recur
 *  hundreds of thousands of times in an SVD, and reusing the string saves an allocation each
 *  (the candidate is checked against the input, so a collision only costs a slice). */
class NameCache {
  private readonly names = new Map<number, string>();
  get(text: string, start: number, end: number): string {
    const key = (end - start) * 65536 + text.charCodeAt(start) * 256 + (text.charCodeAt(end - 1) & 0xff);
    const cached = this.names.get(key);
    if (cached !== undefined && text.startsWith(cached, start)) return cached;
    const name = text.slice(start, end);
    this.names.set(key, name);
    return name;
  }
}

/** The trimmed text of text[start, end) (one slice, no intermediate strings). */
function trimmedSlice(text: string, start: number, end: number): string {
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return start === end ? '' : text.slice(start, end);
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
  const frames: Frame[] = [];
  let depth = 0;
  const names = new NameCache();
  let current: Frame | null = null;
  /** Append text[from, to) to the frame's text (a second piece: switch to concatenation). */
  const addText = (frame: Frame, from: number, to: number, piece?: string): void => {
    if (frame.text === null && frame.textStart === frame.textEnd && piece === undefined) {
      frame.textStart = from;
      frame.textEnd = to;
      return;
    }
    if (frame.text === null) frame.text = text.slice(frame.textStart, frame.textEnd);
    frame.text += piece ?? text.slice(from, to);
  };
  let sawRoot = false;
  const n = text.length;
  let pos = 0;

  while (pos < n) {
    const lt = text.indexOf('<', pos);
    const end = lt < 0 ? n : lt;
    if (end > pos) {
      if (current === null) {
        for (let i = pos; i < end; i++) if (!isSpace(text.charCodeAt(i)) && text.charCodeAt(i) !== 0xfeff) fail(i, 'text outside the root element');
      } else if (!current.hasChildren) addText(current, pos, end);
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
        if (!current!.hasChildren) addText(current!, lt + 9, close, text.slice(lt + 9, close).replace(/&/g, '&amp;'));
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
      // Compare in place: </name> or </name  > (no slice unless it is an error).
      const open = current;
      let matches = open !== null && text.startsWith(open.name, lt + 2);
      if (matches) for (let k = lt + 2 + open!.name.length; k < close; k++) if (!isSpace(text.charCodeAt(k))) matches = false;
      if (!matches) {
        const name = text.slice(lt + 2, close).trim();
        if (open === null) fail(lt, `end tag </${name}> without a start tag`);
        fail(lt, `end tag </${name}> does not match <${open!.name}>`);
      }
      const frame = open!;
      const name = frame.name;
      depth--;
      current = depth > 0 ? frames[depth - 1] : null;
      const trimmed = frame.text === null ? trimmedSlice(text, frame.textStart, frame.textEnd) : frame.text.trim();
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
      const name = names.get(text, lt + 1, i);
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
        const attribute = names.get(text, nameStart, i);
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
        let frame = frames[depth];
        if (frame === undefined) frames.push((frame = new Frame()));
        frame.name = name;
        frame.node = node;
        frame.textStart = frame.textEnd = 0;
        frame.text = null;
        frame.hasChildren = false;
        frame.hasAttributes = hasAttributes;
        frame.start = lt;
        depth++;
        current = frame;
      }
      pos = i;
    }
  }
  if (current !== null) fail(current.start, `<${current.name}> is never closed`);
  if (!sawRoot) fail(0, 'no root element');
  return root;
}
