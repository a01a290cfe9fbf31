// Hover: what a name or number in the script means once linked — addresses and sizes in hex,
// decimal and KiB, how full a region is, a symbol's final value from the ELF.

import { MarkupKind, type Hover } from 'vscode-languageserver';
import { basename } from 'node:path';
import { referenceAt, resolveRegion, type Analysis, type Reference } from './analysis';
import { COMMAND_DOCS, FUNCTION_DOCS } from './builtins';
import { describeNumber, hex32, percent, size } from './format';
import { lspRange } from './diagnostics';
import { loadAddress, regionUsage } from './region-usage';

export function hover(a: Analysis, file: string, line: number, character: number): Hover | null {
  const ref = referenceAt(a, file, line, character);
  if (!ref) return keywordHover(a, file, line, character);
  const text = describe(a, ref);
  if (!text) return null;
  return { contents: { kind: MarkupKind.Markdown, value: text }, range: lspRange(ref.range) };
}

function describe(a: Analysis, ref: Reference): string | undefined {
  switch (ref.kind) {
    case 'number': {
      const v = ref.value ?? 0n;
      if (v > 0xffffffffn) return `\`${ref.name}\` = 0x${v.toString(16)} (${v})`;
      return `\`${ref.name}\` = ${describeNumber(Number(v))}`;
    }
    case 'region': return regionHover(a, ref.name);
    case 'symbol': return symbolHover(a, ref.name);
    case 'section': return sectionHover(a, ref.name);
    case 'function': {
      const d = FUNCTION_DOCS[ref.name];
      return d ? `\`${d.signature}\`\n\n${d.doc}` : undefined;
    }
    case 'include': return ref.target ? `INCLUDE \`${ref.target}\`` : `INCLUDE \`${ref.name}\` — not found`;
  }
}

function regionHover(a: Analysis, name: string): string | undefined {
  const def = resolveRegion(a, name);
  if (!def) return `memory region \`${name}\` — not defined`;
  const info = a.layout.regions.find((r) => r.name === def.name);
  if (!info) return undefined;
  const lines = [`**${def.name}**${def.name !== name ? ` (alias \`${name}\`)` : ''} memory region${info.attributes ? ` (${info.attributes})` : ''}`, ''];
  lines.push(`- origin: ${hex32(info.origin)} (${info.origin})`);
  lines.push(`- length: ${describeNumber(info.length)}`);
  lines.push(`- end: ${hex32(info.origin + info.length)}`);
  const usage = regionUsage(a).find((u) => u.name === def.name);
  if (usage && usage.source !== 'none') {
    const from = usage.source === 'elf' ? ` (from ${a.elf?.fileName ? basename(a.elf.fileName) : 'the ELF'})` : '';
    lines.push(`- used: ${size(usage.used)} of ${size(info.length)} (${percent(usage.used, info.length)})${from}, free ${size(Math.max(0, info.length - usage.used))}`);
    if (usage.sections.length > 0) {
      lines.push('', '| section | address | size |', '|---|---|---|');
      for (const s of usage.sections) lines.push(`| ${s.name}${s.as === 'lma' ? ' (load image)' : ''} | ${hex32(s.address)} | ${size(s.size)} |`);
    }
  }
  return lines.join('\n');
}

function symbolHover(a: Analysis, name: string): string | undefined {
  const defs = a.symbols.get(name) ?? [];
  const computed = a.layout.symbols.get(name);
  const elfSym = a.elf?.symbols.find((s) => s.name === name && s.type !== 'section' && s.type !== 'file');
  const lines = [`**${name}**`, ''];
  if (elfSym) {
    lines.push(`- value in ${a.elf?.fileName ? basename(a.elf.fileName) : 'the ELF'}: ${describeNumber(elfSym.value)}${elfSym.type && elfSym.type !== 'notype' ? ` (${elfSym.type}${elfSym.size ? `, ${size(elfSym.size)}` : ''})` : ''}`);
    if (computed && computed.value !== elfSym.value && computed.source === 'script') lines.push(`- the script computes ${hex32(computed.value)}`);
  } else if (computed) {
    lines.push(`- value: ${describeNumber(computed.value)}${a.elf ? '' : ' (computed from the script; no linked ELF found)'}`);
  }
  if (computed?.section) lines.push(`- relative to section \`${computed.section}\``);
  const d = defs.find((x) => !x.node.wrapper) ?? defs[0];
  if (d) lines.push(`- ${d.node.wrapper ? `${d.node.wrapper}d` : 'defined'} at ${basename(d.file)}:${d.node.range.start.line + 1}`);
  if (lines.length === 2) lines.push(a.elf ? '- not defined in the script nor in the ELF' : '- defined by the object files (no linked ELF found)');
  return lines.join('\n');
}

function sectionHover(a: Analysis, name: string): string | undefined {
  const placed = a.layout.sections.find((s) => s.name === name);
  const elfSec = a.elf?.sections.find((s) => s.name === name);
  const lines = [`**${name}** output section`, ''];
  if (elfSec) {
    lines.push(`- address (VMA): ${hex32(elfSec.addr)}`);
    const lma = loadAddress(a.elf!, elfSec.addr);
    if (lma !== elfSec.addr && elfSec.type !== 8) lines.push(`- load address (LMA): ${hex32(lma)}`);
    lines.push(`- size: ${describeNumber(elfSec.size)}`);
  } else if (placed) {
    lines.push(`- address (VMA): ${hex32(placed.vma)}`);
    if (placed.lma !== placed.vma) lines.push(`- load address (LMA): ${hex32(placed.lma)}`);
    lines.push(`- size: ${describeNumber(placed.size)}${a.elf ? '' : ' (no linked ELF found: input sections count as empty)'}`);
  } else if (a.elf) {
    lines.push('- not in the linked ELF (empty, discarded or not defined)');
  }
  if (placed?.region) lines.push(`- region: ${placed.region}${placed.lmaRegion ? `, loaded from ${placed.lmaRegion}` : ''}`);
  return lines.join('\n');
}

function keywordHover(a: Analysis, file: string, line: number, character: number): Hover | null {
  const text = file === a.file ? a.script.text : a.includes.find((i) => i.resolvedPath === file)?.script?.text;
  if (text === undefined) return null;
  const lineText = text.split('\n')[line] ?? '';
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(lineText)) !== null) {
    if (character < m.index || character > m.index + m[0].length) continue;
    const doc = COMMAND_DOCS[m[0]];
    if (!doc) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: `**${m[0]}** — ${doc}` },
      range: { start: { line, character: m.index }, end: { line, character: m.index + m[0].length } },
    };
  }
  return null;
}
