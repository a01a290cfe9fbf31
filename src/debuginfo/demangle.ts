// Symbol demangling for the names a Cortex-M debugger shows: Rust legacy (`_ZN…E` with a trailing
// `h<16 hex>` hash) and Rust v0 (`_R…`, RFC 2603), and the Itanium C++ ABI as GCC emits it for
// embedded and standard-library code. Anything not understood is returned unchanged.

import { demangleRustV0 } from './demangle-rust-v0';
import { demangleItanium } from './demangle-itanium';

export interface DemangleOptions {
  /** Keep the legacy `::h<hash>` suffix and v0 crate disambiguators (`core[7]`), as binutils prints them. */
  verbose?: boolean;
}

export function demangle(name: string, options: DemangleOptions = {}): string {
  const rust = demangleRust(name, options);
  if (rust !== undefined) return rust;
  const cpp = name.startsWith('_Z') ? demangleItanium(name) : undefined;
  return cpp ?? name;
}

/** Rust legacy or v0; undefined when `name` is neither. */
export function demangleRust(name: string, options: DemangleOptions = {}): string | undefined {
  // Some platforms add an extra leading underscore.
  let s = name;
  if (s.startsWith('__R') || s.startsWith('__ZN')) s = s.slice(1);
  if (s.startsWith('_R')) return demangleRustV0(s, options.verbose);
  if (s.startsWith('_ZN')) return demangleRustLegacy(s, options.verbose);
  return undefined;
}

const LEGACY_ESCAPES: Record<string, string> = {
  SP: '@',
  BP: '*',
  RF: '&',
  LT: '<',
  GT: '>',
  LP: '(',
  RP: ')',
  C: ',',
};

/** `_ZN` (<length><identifier>)+ `E`, optionally followed by a `.suffix`; undefined if not that shape. */
export function demangleRustLegacy(name: string, keepHash = false): string | undefined {
  let i = 3;
  const parts: string[] = [];
  while (i < name.length && name[i] !== 'E') {
    let len = 0;
    const start = i;
    while (i < name.length && name[i] >= '0' && name[i] <= '9') len = len * 10 + (name.charCodeAt(i++) - 48);
    if (i === start || len === 0 || i + len > name.length) return undefined;
    parts.push(name.slice(i, i + len));
    i += len;
  }
  if (i >= name.length || parts.length === 0) return undefined;
  const rest = name.slice(i + 1);
  // A C++ name has parameter types after the E; a Rust legacy name ends there (or has a '.' suffix).
  if (rest !== '' && !rest.startsWith('.')) return undefined;
  const last = parts[parts.length - 1];
  if (!keepHash && parts.length > 1 && /^h[0-9a-f]{16}$/.test(last)) parts.pop();
  const out: string[] = [];
  for (const p of parts) {
    const d = unescapeLegacy(p);
    if (d === undefined) return undefined;
    out.push(d);
  }
  return out.join('::');
}

function unescapeLegacy(ident: string): string | undefined {
  let s = ident;
  if (s.startsWith('_$')) s = s.slice(1);
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '$') {
      const end = s.indexOf('$', i + 1);
      if (end < 0) return undefined;
      const code = s.slice(i + 1, end);
      const simple = LEGACY_ESCAPES[code];
      if (simple !== undefined) out += simple;
      else if (/^u[0-9a-f]{1,6}$/.test(code) && parseInt(code.slice(1), 16) <= 0x10ffff) out += String.fromCodePoint(parseInt(code.slice(1), 16));
      else return undefined;
      i = end + 1;
    } else if (c === '.') {
      if (s[i + 1] === '.') {
        out += '::';
        i += 2;
      } else {
        out += '.';
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
