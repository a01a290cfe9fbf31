// Completion: what may be written at the cursor — region names after `>` / `AT>` / in ORIGIN() and
// LENGTH(), section names in ADDR() and friends, otherwise keywords, built-in functions and symbols
// (the script's and, when the linked ELF is known, its global ones).

import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import type { Analysis } from './analysis';
import { FUNCTION_DOCS, COMMAND_DOCS, SECTION_KEYWORDS, TOP_LEVEL_KEYWORDS } from './builtins';
import { hex32, size } from './format';

/** Upper bound on ELF symbols offered, so a big firmware does not flood the list. */
const MAX_ELF_SYMBOLS = 500;

export function completion(a: Analysis, text: string, line: number, character: number): CompletionItem[] {
  const lineText = text.split('\n')[line] ?? '';
  const before = lineText.slice(0, Math.min(character, lineText.length));
  if (/(^|[\s})])(AT\s*)?>\s*[\w.]*$/.test(before) || /\b(ORIGIN|LENGTH)\s*\(\s*[\w.]*$/.test(before) || /REGION_ALIAS\s*\([^,]*,\s*[\w.]*$/.test(before)) {
    return regionItems(a);
  }
  if (/\b(ADDR|LOADADDR|SIZEOF|ALIGNOF)\s*\(\s*[\w.]*$/.test(before)) return sectionItems(a);
  if (/\bDEFINED\s*\(\s*[\w.$]*$/.test(before)) return symbolItems(a);
  const items: CompletionItem[] = [];
  const depth = braceDepth(text, line, character);
  const keywords = depth === 0 ? TOP_LEVEL_KEYWORDS : SECTION_KEYWORDS;
  for (const k of keywords) {
    items.push({ label: k, kind: CompletionItemKind.Keyword, documentation: COMMAND_DOCS[k], sortText: `2${k}` });
  }
  for (const [name, d] of Object.entries(FUNCTION_DOCS)) {
    items.push({
      label: name, kind: CompletionItemKind.Function, detail: d.signature, documentation: d.doc,
      insertText: `${name}($1)`, insertTextFormat: InsertTextFormat.Snippet, sortText: `3${name}`,
    });
  }
  items.push(...regionItems(a), ...symbolItems(a));
  return items;
}

function regionItems(a: Analysis): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const r of a.layout.regions) {
    items.push({ label: r.name, kind: CompletionItemKind.Struct, detail: `memory region ${hex32(r.origin)}, ${size(r.length)}`, sortText: `0${r.name}` });
  }
  for (const alias of a.aliases.values()) {
    items.push({ label: alias.alias, kind: CompletionItemKind.Struct, detail: `alias of ${alias.region}`, sortText: `0${alias.alias}` });
  }
  return items;
}

function sectionItems(a: Analysis): CompletionItem[] {
  return [...a.sections.keys()].map((name) => ({ label: name, kind: CompletionItemKind.Module, detail: 'output section' }));
}

function symbolItems(a: Analysis): CompletionItem[] {
  const items = new Map<string, CompletionItem>();
  for (const [name, s] of a.layout.symbols) {
    items.set(name, { label: name, kind: CompletionItemKind.Variable, detail: `${hex32(s.value)} (script)`, sortText: `1${name}` });
  }
  for (const name of a.symbols.keys()) {
    if (!items.has(name)) items.set(name, { label: name, kind: CompletionItemKind.Variable, detail: 'script symbol', sortText: `1${name}` });
  }
  let n = 0;
  for (const s of a.elf?.symbols ?? []) {
    if (n >= MAX_ELF_SYMBOLS) break;
    if (!s.name || items.has(s.name) || s.type === 'section' || s.type === 'file' || s.name.startsWith('$')) continue;
    items.set(s.name, { label: s.name, kind: s.type === 'func' ? CompletionItemKind.Function : CompletionItemKind.Variable, detail: `${hex32(s.value)} (ELF)`, sortText: `4${s.name}` });
    n++;
  }
  return [...items.values()];
}

/** Brace nesting at the cursor, skipping comments and strings (0 = top level). */
function braceDepth(text: string, line: number, character: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) { offset = text.length; break; }
    offset = nl + 1;
  }
  const end = Math.min(text.length, offset + character);
  let depth = 0;
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? end : close + 1;
    } else if (c === '"') {
      const close = text.indexOf('"', i + 1);
      i = close < 0 ? end : close;
    } else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
  }
  return depth;
}
