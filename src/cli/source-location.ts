// Source locations for addresses, for the CLI's fault reports: "file:line (function)" from DWARF
// when the ELF has it, else the nearest symbol.

import { DebugInfo } from '../debuginfo/debuginfo';
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
      if (loc && loc.file && loc.line > 0) return `${loc.file.path}:${loc.line}`;
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

  /** "0x08000248 in hardfault::read_sensor at hardfault/main.rs:14". */
  describe(address: number): string {
    const parts = [`0x${(address >>> 0).toString(16).padStart(8, '0')}`];
    const fn = this.functionName(address);
    if (fn) parts.push(`in ${fn}`);
    const line = this.line(address);
    if (line) parts.push(`at ${line}`);
    return parts.join(' ');
  }
}
