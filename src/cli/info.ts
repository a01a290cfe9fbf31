// `cortex-m-sim info <elf> [--linker-script <file>]`: what the firmware is made of — its sections,
// the symbols a firmware developer looks for first, and how full each memory region is (the table
// `ld --print-memory-usage` prints, which some linkers lack).

import * as fs from 'node:fs';
import { ElfError, readElf, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, type ElfFile } from '../debuginfo/elf';
import { demangle } from '../debuginfo/demangle';
import { evaluate, formatMemoryUsage, type MemoryUsageRow } from '../linker/evaluator';
import { parseScriptFile } from '../linker/include';
import { chooseChip } from './chip-choice';
import { BadInputError } from './run';
import { UnknownIdError } from '../emulator/chips/index';

export interface InfoCommandOptions {
  elfPath: string;
  linkerScript?: string;
  board?: string;
  chip?: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const INTERESTING_SYMBOLS = [
  'Reset', 'Reset_Handler', 'main', 'HardFault', 'HardFault_Handler', 'DefaultHandler', 'rust_begin_unwind',
  '__RESET_VECTOR', '__vector_table', '__isr_vector', 'g_pfnVectors', '_stack_start', '_estack', '__stack_top',
  '_sidata', '__sdata', '__edata', '_sdata', '_edata', '__sbss', '__ebss', '_sbss', '_ebss', '__sheap', '_end', 'end',
];

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function infoCommand(options: InfoCommandOptions): number {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(options.elfPath);
  } catch (e) {
    throw new BadInputError(`cannot read ${options.elfPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let elf: ElfFile;
  try {
    elf = readElf(bytes, options.elfPath);
  } catch (e) {
    if (e instanceof ElfError) throw new BadInputError(e.message);
    throw e;
  }
  const out: string[] = [];
  out.push(`${options.elfPath}: ELF${elf.is64 ? 64 : 32}, ${elf.machine === 40 ? 'ARM' : `machine ${elf.machine}`}, entry ${hex(elf.entry)}`);
  out.push('');
  out.push('Sections:');
  out.push('  name                       address     load addr   size        flags');
  const loadAddress = (addr: number, size: number): number => {
    const seg = elf.segments.find((s) => s.type === 1 && addr >= s.vaddr && addr + size <= s.vaddr + Math.max(s.memsz, 1));
    return seg ? seg.paddr + (addr - seg.vaddr) : addr;
  };
  for (const s of elf.sections) {
    if ((s.flags & SHF_ALLOC) === 0) continue;
    const flags = `${s.flags & SHF_ALLOC ? 'A' : ''}${s.flags & SHF_WRITE ? 'W' : ''}${s.flags & SHF_EXECINSTR ? 'X' : ''}${s.type === SHT_NOBITS ? ' nobits' : ''}`;
    out.push(`  ${s.name.padEnd(26)} ${hex(s.addr)}  ${hex(loadAddress(s.addr, s.size))}  ${String(s.size).padStart(10)}  ${flags}`);
  }
  out.push('');
  out.push('Symbols:');
  for (const name of INTERESTING_SYMBOLS) {
    const sym = elf.symbolByName(name);
    if (sym) out.push(`  ${name.padEnd(26)} ${hex(sym.type === 'func' ? sym.address : sym.value)}${sym.size ? `  size ${sym.size}` : ''}`);
  }
  const biggest = elf.symbols
    .filter((s) => s.type === 'func' && s.size > 0)
    .sort((a, b) => b.size - a.size)
    .slice(0, 5);
  if (biggest.length > 0) {
    out.push('');
    out.push('Largest functions:');
    for (const s of biggest) out.push(`  ${String(s.size).padStart(8)}  ${demangle(s.name)}`);
  }
  out.push('');

  let rows: MemoryUsageRow[];
  if (options.linkerScript) {
    let layoutRows: MemoryUsageRow[];
    try {
      const script = parseScriptFile(options.linkerScript);
      const layout = evaluate(script, { linked: elf });
      for (const d of [...script.diagnostics, ...layout.diagnostics]) {
        const at = `${d.file || options.linkerScript}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
        options.stderr(`${at}: ${d.severity}: ${d.message}\n`);
      }
      layoutRows = layout.memoryUsage();
    } catch (e) {
      throw new BadInputError(`${options.linkerScript}: ${(e as Error).message}`);
    }
    rows = layoutRows;
  } else {
    rows = usageFromChip(elf, options);
  }
  out.push(formatMemoryUsage(rows).trimEnd());
  options.stdout(out.join('\n') + '\n');
  return 0;
}

/** Region usage from the chip's memory map when no linker script is given: bytes from each region's
 *  start to the end of the last section loaded (LMA) or placed (VMA) in it, as ld counts. */
function usageFromChip(elf: ElfFile, options: InfoCommandOptions): MemoryUsageRow[] {
  let chip;
  try {
    chip = chooseChip(elf, options.board, options.chip).chip;
  } catch (e) {
    if (e instanceof UnknownIdError) throw new BadInputError(e.message);
    throw e;
  }
  const regions = [
    { name: 'FLASH', origin: chip.flash.base, length: chip.flash.size },
    ...chip.sram.map((s) => ({ name: s.name === 'SRAM' ? 'RAM' : s.name, origin: s.base, length: s.size })),
  ];
  const used = new Map<string, number>();
  const mark = (addr: number, size: number): void => {
    for (const r of regions) {
      if (addr >= r.origin && addr < r.origin + r.length) {
        used.set(r.name, Math.max(used.get(r.name) ?? 0, addr + size - r.origin));
      }
    }
  };
  for (const s of elf.sections) {
    if ((s.flags & SHF_ALLOC) === 0 || s.size === 0) continue;
    mark(s.addr, s.size);
    if (s.type !== SHT_NOBITS) {
      const seg = elf.segments.find((p) => p.type === 1 && s.addr >= p.vaddr && s.addr < p.vaddr + Math.max(p.memsz, 1));
      if (seg && seg.paddr !== seg.vaddr) mark(seg.paddr + (s.addr - seg.vaddr), s.size);
    }
  }
  return regions.map((r) => {
    const u = used.get(r.name) ?? 0;
    return { name: r.name, used: u, total: r.length, percent: (u * 100) / r.length };
  });
}
