// What the debugger needs to know about the loaded firmware, in the terms the adapter asks its
// questions: where a function starts (by any of the names a user types), which addresses to break
// at for a source line, the source location and function chain at an address, and the address
// range of "the current line" for line stepping. Built over the ELF symbol table, the DWARF readers
// and the call frame tables; everything is computed lazily and cached.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { readElf, type ElfFile, type ElfSymbol } from '../debuginfo/elf';
import { DebugInfo, type FunctionFrame } from '../debuginfo/debuginfo';
import { demangle } from '../debuginfo/demangle';
import { DW_TAG } from '../debuginfo/dwarf/constants';
import type { Die } from '../debuginfo/dwarf/info';
import { FrameTable } from '../debuginfo/dwarf/frame';
import type { LineLocation } from '../debuginfo/dwarf/line';

export interface SourcePosition {
  path: string;
  line: number;
  column: number;
}

export interface FunctionEntry {
  /** The name shown to users: demangled path ("blinky::main") or the plain symbol name. */
  name: string;
  /** Address of the first instruction (Thumb bit clear). */
  address: number;
  /** One past the last instruction (address + size, or the DWARF high_pc). */
  end: number;
}

/** Address range [start, end) that one line-table row block covers. */
export interface LineRange {
  start: number;
  end: number;
  line: number;
  file: string | undefined;
}

export class ProgramInfo {
  readonly debugInfo: DebugInfo | null;
  readonly frames: FrameTable | null;
  private functionIndex?: Map<string, FunctionEntry[]>;
  private readonly resolvedPaths = new Map<string, string>();
  private tablePathsByResolved?: Map<string, string>;
  /** Directories that relative paths in the debug info may be relative to (most likely first). */
  searchRoots: string[] = [];

  constructor(readonly elf: ElfFile) {
    let info: DebugInfo | null;
    let frames: FrameTable | null;
    try {
      info = new DebugInfo(elf);
      if (!info.sections.info && !info.sections.line) info = null;
    } catch {
      info = null;
    }
    try {
      frames = info ? FrameTable.read(info.sections) : null;
    } catch {
      frames = null;
    }
    this.debugInfo = info;
    this.frames = frames;
  }

  static fromBytes(bytes: Uint8Array, fileName: string): ProgramInfo {
    return new ProgramInfo(readElf(bytes, fileName));
  }

  /** Where relative source paths are looked for: the working directory, then the ELF's folder and
   *  its parents (a cargo ELF sits in target/<triple>/debug/, four levels below the crate). */
  setSearchRoots(elfPath: string, cwd: string | undefined): void {
    const roots: string[] = [];
    if (cwd) roots.push(cwd);
    let dir = nodePath.dirname(nodePath.resolve(elfPath));
    for (let i = 0; i < 5; i++) {
      roots.push(dir);
      const up = nodePath.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    this.searchRoots = roots;
    this.resolvedPaths.clear();
    this.tablePathsByResolved = undefined;
  }

  /** A debug-info path as a file on this machine: relative paths (compiled with a relative or
   *  remapped directory) are tried against the search roots; unchanged if nothing exists. */
  resolvePath(tablePath: string): string {
    let r = this.resolvedPaths.get(tablePath);
    if (r === undefined) {
      r = tablePath;
      if (!nodePath.isAbsolute(tablePath)) {
        for (const root of this.searchRoots) {
          const candidate = nodePath.resolve(root, tablePath);
          if (fs.existsSync(candidate)) {
            r = candidate;
            break;
          }
        }
      }
      this.resolvedPaths.set(tablePath, r);
    }
    return r;
  }

  /** The line table's spelling of a file the user names by its path on disk. */
  private tablePathFor(userPath: string): string {
    if (!this.debugInfo) return userPath;
    if (!this.tablePathsByResolved) {
      const map = new Map<string, string>();
      for (const program of this.debugInfo.lineTable.programs) {
        for (const f of program.files) {
          if (f && !nodePath.isAbsolute(f.path)) map.set(nodePath.normalize(this.resolvePath(f.path)), f.path);
        }
      }
      this.tablePathsByResolved = map;
    }
    return this.tablePathsByResolved.get(nodePath.normalize(nodePath.resolve(userPath))) ?? userPath;
  }

  // ---- source lines ------------------------------------------------------------------------------

  /** The line-table row covering `address` (null when there is no line info there). */
  lineAt(address: number): LineLocation | null {
    if (!this.debugInfo) return null;
    try {
      const loc = this.debugInfo.lineAt(address);
      return loc && loc.line !== 0 ? loc : null;
    } catch {
      return null;
    }
  }

  sourceAt(address: number): SourcePosition | null {
    const loc = this.lineAt(address);
    if (!loc || !loc.file) return null;
    return { path: this.resolvePath(loc.file.path), line: loc.line, column: loc.column };
  }

  /**
   * The block of consecutive line-table rows around `address` that share its line and file: the
   * range a line step must leave before it can stop.
   */
  lineRangeAt(address: number): LineRange | null {
    const loc = this.lineAt(address);
    if (!loc) return null;
    const program = loc.program;
    const rows = program.rows();
    const seq = program.sequences().find((s) => s.firstRow <= loc.row && loc.row < s.endRow);
    if (!seq) return null;
    const line = rows.line[loc.row];
    const file = rows.file[loc.row];
    let first = loc.row;
    while (first > seq.firstRow && rows.line[first - 1] === line && rows.file[first - 1] === file) first--;
    let last = loc.row;
    while (last + 1 < seq.endRow && rows.line[last + 1] === line && rows.file[last + 1] === file) last++;
    return { start: rows.address[first], end: rows.address[last + 1], line, file: loc.file?.path };
  }

  /** True when `address` is the first address of a row that starts a statement (is_stmt). */
  isStatementStart(address: number): boolean {
    const loc = this.lineAt(address);
    if (!loc || loc.address !== address) return false;
    const rows = loc.program.rows();
    // Several rows can share an address; any is_stmt among them counts.
    for (let i = loc.row; i >= 0 && rows.address[i] === address; i--) if (rows.isStmt(i)) return true;
    return false;
  }

  /** Addresses to break at for a source line, and the line actually used. */
  addressesForLine(path: string, line: number): { line: number; addresses: number[] } {
    if (!this.debugInfo) return { line: 0, addresses: [] };
    try {
      return this.debugInfo.addressesFor(this.tablePathFor(path), line);
    } catch {
      return { line: 0, addresses: [] };
    }
  }

  // ---- functions ---------------------------------------------------------------------------------

  /** The functions executing at `address`, innermost (inlined) first. */
  functionsAt(address: number): FunctionFrame[] {
    if (!this.debugInfo) return [];
    try {
      return this.debugInfo.functionsAt(address);
    } catch {
      return [];
    }
  }

  /** A display name for the function at `address` from the symbol table. */
  symbolNameAt(address: number): string | undefined {
    const s = this.elf.symbolAt(address);
    if (!s) return undefined;
    const name = demangle(s.name);
    return s.address === address ? name : `${name}+${address - s.address}`;
  }

  /** The function symbol containing `address`. */
  functionSymbolAt(address: number): ElfSymbol | undefined {
    const s = this.elf.symbolAt(address);
    return s && s.type === 'func' ? s : undefined;
  }

  /**
   * Functions a user may mean by `name`: the exact symbol, the demangled path ("blinky::main"), or a
   * path by its last components ("main" also finds "blinky::main" when no symbol is called "main").
   */
  findFunctions(name: string): FunctionEntry[] {
    const index = (this.functionIndex ??= this.buildFunctionIndex());
    const exact = index.get(name);
    if (exact) return exact;
    const found: FunctionEntry[] = [];
    const seen = new Set<number>();
    for (const [key, list] of index) {
      if (key.endsWith('::' + name)) {
        for (const f of list) {
          if (!seen.has(f.address)) {
            seen.add(f.address);
            found.push(f);
          }
        }
      }
    }
    return found;
  }

  /** The address a breakpoint on a function uses: after the prologue, as a debugger places it. */
  breakAddressForFunction(f: FunctionEntry): number {
    if (!this.debugInfo || !this.lineAt(f.address)) return f.address;
    try {
      return this.debugInfo.lineTable.prologueEnd(f.address, f.end);
    } catch {
      return f.address;
    }
  }

  private buildFunctionIndex(): Map<string, FunctionEntry[]> {
    const index = new Map<string, FunctionEntry[]>();
    const add = (key: string, entry: FunctionEntry) => {
      const list = index.get(key);
      if (!list) index.set(key, [entry]);
      else if (!list.some((e) => e.address === entry.address)) list.push(entry);
    };
    for (const s of this.elf.symbols) {
      if (s.type !== 'func' || s.name === '' || s.sectionIndex === 0) continue;
      const demangled = demangle(s.name);
      const entry: FunctionEntry = { name: demangled, address: s.address, end: s.address + Math.max(s.size, 2) };
      add(s.name, entry);
      if (demangled !== s.name) add(demangled, entry);
    }
    // DWARF gives #[no_mangle] functions their module path too ("blinky::main").
    if (this.debugInfo) {
      try {
        for (const unit of this.debugInfo.info.compileUnits()) this.indexScope(unit.root(), [], add);
      } catch {
        // Partial DWARF: the symbol table entries are still there.
      }
    }
    return index;
  }

  private indexScope(scope: Die, path: string[], add: (key: string, entry: FunctionEntry) => void): void {
    for (const child of scope.children()) {
      const tag = child.tag;
      if (tag === DW_TAG.namespace || tag === DW_TAG.structure_type || tag === DW_TAG.enumeration_type || tag === DW_TAG.union_type) {
        const n = child.name();
        if (child.abbrev.hasChildren) this.indexScope(child, n ? [...path, n] : path, add);
      } else if (tag === DW_TAG.subprogram) {
        const ranges = child.ranges();
        const n = child.name();
        if (ranges.length === 0 || !n) continue;
        const low = Math.min(...ranges.map((r) => r.low));
        const high = Math.max(...ranges.map((r) => r.high));
        if (low === 0) continue; // discarded by the linker
        add([...path, n].join('::'), { name: [...path, n].join('::'), address: low, end: high });
      }
    }
  }
}
