// Wildcard patterns as ld matches file and section names (ld manual "Input Section Wildcard
// Patterns"): `*`, `?`, `[chars]` with ranges and `!`/`^` negation. `*` also matches `/`.

const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') src += '.*';
    else if (c === '?') src += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        src += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      let negate = false;
      if (body[0] === '!' || body[0] === '^') {
        negate = true;
        body = body.slice(1);
      }
      src += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else {
      src += c.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
  }
  re = new RegExp(src + '$');
  cache.set(pattern, re);
  return re;
}

export function globMatch(pattern: string, text: string): boolean {
  if (pattern === '*') return true;
  if (!/[*?[]/.test(pattern)) return pattern === text;
  return globToRegExp(pattern).test(text);
}
