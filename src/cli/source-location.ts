// Source locations for addresses, for the CLI's fault reports: "file:line (function)" from DWARF
// when the ELF has it, else the nearest symbol.

import * as path from 'node:path';
import { DebugInfo, type FunctionFrame } from '../debuginfo/debuginfo';
import { demangle } from '../debuginfo/demangle';
import type { ElfFile } from '../debuginfo/elf';

export class SourceLocator {
  private debugInfo: DebugInfo | null | undefined;

  constructor(private readonly elf: ElfFile) {}

  private info(): DebugInfo | null {
    if (this.debugInfo === undefined) {
      try {
        this.debugInfo = this.elf.section('.debug_info') ? new DebugInfo(this.elf) : null;
      } catch {
        this.debugInfo = null; // unreadable DWARF: fall back to symbols
      }
    }
    return this.debugInfo;
  }

  /** "hello/main.rs:12" or undefined. */
  line(address: number): string | undefined {
    try {
      const loc = this.info()?.lineAt(address);
      if (loc && loc.file && loc.line > 0) return `${path.normalize(loc.file.path)}:${loc.line}`;
    } catch {
      // broken line table: say nothing rather than fail the report
    }
    return undefined;
  }

  /** The function containing address ("blinky::main"), from DWARF, else the symbol table. */
  functionName(address: number): string | undefined {
    try {
      const frames = this.info()?.functionsAt(address);
      if (frames && frames.length > 0) return frames[frames.length - 1].name;
    } catch {
      // fall through to the symbol table
    }
    const sym = this.elf.symbolAt(address);
    if (!sym) return undefined;
    const offset = address - sym.address;
    return demangle(sym.name) + (offset ? `+0x${offset.toString(16)}` : '');
  }

  /** The inline chain at address, innermost first ([] without DWARF). */
  private frames(address: number): FunctionFrame[] {
    try {
      return this.info()?.functionsAt(address) ?? [];
    } catch {
      return [];
    }
  }

  /**
   * "0x08000248 in core::ptr::read_volatile at …/ptr/mod.rs:1504", followed by one line per
   * function it was inlined into ("inlined into hardfault::read_sensor at hardfault/main.rs:14"),
   * so the user's own line is shown even when the fault is inside inlined library code.
   */
  describe(address: number, indent = ''): string {
    const frames = this.frames(address);
    const head = [`0x${(address >>> 0).toString(16).padStart(8, '0')}`];
    const fn = frames.length > 0 ? frames[0].name : this.functionName(address);
    if (fn) head.push(`in ${fn}`);
    const line = this.line(address);
    if (line) head.push(`at ${line}`);
    const lines = [head.join(' ')];
    for (let i = 0; i + 1 < frames.length && frames[i].inlined; i++) {
      const call = frames[i].callFile && frames[i].callLine ? ` at ${path.normalize(frames[i].callFile!)}:${frames[i].callLine}` : '';
      lines.push(`${indent}inlined into ${frames[i + 1].name}${call}`);
    }
    return lines.join('\n');
  }

  /** The source line in the concrete (not inlined) function containing address: the user's line
   *  when the address is inside inlined library code. */
  userLine(address: number): string | undefined {
    const frames = this.frames(address);
    for (let i = frames.length - 2; i >= 0; i--) {
      const f = frames[i];
      if (f.inlined && f.callFile && f.callLine) return `${path.normalize(f.callFile)}:${f.callLine}`;
    }
    return this.line(address);
  }
}
