// Disassembly for the debugger's disassembly view, from the emulator's own decoder (the same
// Decoded.asm() the CPU executes, so what is shown is what runs), labelled with symbols and source
// lines. Thumb code has 2- and 4-byte instructions, so walking backwards is ambiguous: decoding
// starts at a known instruction boundary (a function symbol) before the requested window.

import { decode, is32Bit } from '../emulator/cpu/decode';
import type { Machine } from '../emulator/machine';
import { demangle } from '../debuginfo/demangle';
import type { ProgramInfo } from './program-info';

export interface DisassembledInstruction {
  address: number;
  bytes: string;
  text: string;
  /** Set on the first instruction of a symbol. */
  symbol?: string;
  path?: string;
  line?: number;
}

function hex(value: number, digits: number): string {
  return (value >>> 0).toString(16).padStart(digits, '0');
}

/** Decodes one instruction at `address`; null where memory is not mapped. */
export function disassembleOne(machine: Machine, program: ProgramInfo, address: number): DisassembledInstruction | null {
  const hw1 = machine.peek(address, 2);
  if (hw1 === null) return null;
  const wide = is32Bit(hw1);
  const hw2 = wide ? (machine.peek(address + 2, 2) ?? 0) : 0;
  let text: string;
  try {
    text = decode(hw1, hw2, address, machine.cpu.profile).asm();
  } catch (e) {
    text = `<cannot decode: ${e instanceof Error ? e.message : String(e)}>`;
  }
  const bytes = wide ? `${hex(hw1, 4)} ${hex(hw2, 4)}` : hex(hw1, 4);
  const out: DisassembledInstruction = { address, bytes, text };
  const sym = program.elf.symbolAt(address);
  if (sym && sym.address === address) out.symbol = demangle(sym.name);
  const src = program.sourceAt(address);
  if (src) {
    out.path = src.path;
    out.line = src.line;
  }
  return out;
}

/**
 * `count` instructions starting `offset` instructions from `address` (offset may be negative).
 * Addresses outside mapped memory give placeholder rows, as the DAP disassemble request expects
 * exactly `count` entries.
 */
export function disassemble(machine: Machine, program: ProgramInfo, address: number, offset: number, count: number): DisassembledInstruction[] {
  address = (address & ~1) >>> 0;
  // Start decoding from a boundary well before the window: the function symbol containing the
  // earliest address we might need (at most 4 bytes per instruction before).
  const earliest = Math.max(0, address + Math.min(0, offset) * 4 - 64);
  const sym = program.elf.symbolAt(earliest);
  let start = sym && sym.address <= earliest && earliest - sym.address < 0x10000 ? sym.address : earliest;
  start = (start & ~1) >>> 0;
  const list: DisassembledInstruction[] = [];
  let anchor = -1;
  let a = start;
  const wantAfter = Math.max(0, offset + count);
  // Decode forward until the window past `address` is covered.
  for (let guard = 0; guard < 100_000; guard++) {
    if (a >= address && anchor < 0) {
      if (a > address) a = address; // re-synchronise on the requested address
      anchor = list.length;
    }
    if (anchor >= 0 && list.length - anchor >= wantAfter) break;
    const insn = disassembleOne(machine, program, a);
    if (!insn) {
      list.push({ address: a, bytes: '', text: '??' });
      a += 2;
      continue;
    }
    list.push(insn);
    a += insn.bytes.length > 4 ? 4 : 2;
  }
  const from = anchor + offset;
  const out: DisassembledInstruction[] = [];
  for (let i = from; i < from + count; i++) {
    if (i >= 0 && i < list.length) out.push(list[i]);
    else if (i < 0) {
      const at = (list.length > 0 ? list[0].address : address) + 2 * i;
      out.push({ address: at >>> 0, bytes: '', text: '??' });
    } else {
      out.push({ address: (a + 2 * (i - list.length)) >>> 0, bytes: '', text: '??' });
    }
  }
  return out;
}
