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

/** Bounds of the search for source files under the search roots (a cargo workspace's sources sit a
 *  few levels down; the walk happens once, and only when a path does not resolve directly). */
const INDEX_MAX_DEPTH = 6;
const INDEX_MAX_ENTRIES = 50_000;
const INDEX_SKIPPED_DIRS = new Set(['target', 'node_modules']);

function isFile(path: string): boolean {
  try {
    return fs.statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A path's names, without `.`; a `..` ends what can be matched (nothing before it is known). */
function pathComponents(path: string): string[] {
  const parts = nodePath.posix.normalize(path.replace(/\\/g, '/')).split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  const up = parts.lastIndexOf('..');
  return up >= 0 ? parts.slice(up + 1) : parts;
}

/** How many trailing names two paths share. */
function commonSuffixLength(a: readonly string[], b: readonly string[]): number {
  const fold = process.platform === 'win32' ? (s: string) => s.toLowerCase() : (s: string) => s;
  let n = 0;
  while (n < a.length && n < b.length && fold(a[a.length - 1 - n]) === fold(b[b.length - 1 - n])) n++;
  return n;
}

/** The fewest trailing names a match must share with a table path: its file name for a relative
 *  path (the build named files from its own directory, any layout is possible), the file and its
 *  folder for an absolute one (a tree built elsewhere keeps its layout; a bare `mod.rs` or `lib.rs`
 *  of some other crate must not match). */
function minimumSuffix(tablePath: string, components: number): number {
  return Math.min(components, nodePath.isAbsolute(tablePath) ? 2 : 1);
}

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
  private unresolvedTablePaths?: Set<string>;
  private filesByName?: Map<string, { path: string; rank: number }[]>;
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
    if (cwd) roots.push(nodePath.resolve(cwd));
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
    this.unresolvedTablePaths = undefined;
    this.filesByName = undefined;
  }

  /**
   * A debug-info path as a file on this machine. Tried in order: the path itself (absolute), the
   * path against each search root (relative: compiled with a relative or remapped directory), then
   * the file under the first search root holding one whose path ends the same way for the most
   * components (a build that named `blinky/main.rs` when the crate has `src/main.rs`, or a tree
   * moved since the build), taken only when that best match is unique. Unchanged if nothing fits.
   */
  resolvePath(tablePath: string): string {
    let r = this.resolvedPaths.get(tablePath);
    if (r === undefined) {
      r = this.findOnDisk(tablePath);
      this.resolvedPaths.set(tablePath, r ?? tablePath);
      if (r === undefined) r = tablePath;
    }
    return r;
  }

  private findOnDisk(tablePath: string): string | undefined {
    if (nodePath.isAbsolute(tablePath)) {
      if (isFile(tablePath)) return tablePath;
    } else {
      for (const root of this.searchRoots) {
        const candidate = nodePath.resolve(root, tablePath);
        if (isFile(candidate)) return candidate;
      }
    }
    const want = pathComponents(tablePath);
    const name = want[want.length - 1];
    if (name === undefined) return undefined;
    const candidates = (this.filesByName ??= this.indexFiles()).get(name) ?? [];
    // The earliest search root holding a match decides (the workspace before the ELF's folders and
    // the crate before its neighbours); under it, the longest suffix.
    const minimum = minimumSuffix(tablePath, want.length);
    let best: string[] = [];
    let bestRank = Infinity;
    let bestLength = 0;
    for (const c of candidates) {
      const n = commonSuffixLength(want, pathComponents(c.path));
      if (n < minimum || c.rank > bestRank || (c.rank === bestRank && n < bestLength)) continue;
      if (c.rank < bestRank || n > bestLength) {
        bestRank = c.rank;
        bestLength = n;
        best = [];
      }
      best.push(c.path);
    }
    return best.length === 1 ? best[0] : undefined;
  }

  /** Files below the search roots by base name, each with the index of the first root it is under.
   *  Bounded (depth and entries) and blind to build output, dependencies and hidden folders. */
  private indexFiles(): Map<string, { path: string; rank: number }[]> {
    const index = new Map<string, { path: string; rank: number }[]>();
    const visited = new Set<string>();
    let budget = INDEX_MAX_ENTRIES;
    const walk = (dir: string, depth: number, rank: number): void => {
      if (visited.has(dir) || budget <= 0) return;
      visited.add(dir);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      const subdirs: string[] = [];
      for (const e of entries) {
        if (--budget < 0) return;
        const full = nodePath.join(dir, e.name);
        if (e.isDirectory()) {
          if (depth < INDEX_MAX_DEPTH && !e.name.startsWith('.') && !INDEX_SKIPPED_DIRS.has(e.name)) subdirs.push(full);
        } else if (e.isFile() || e.isSymbolicLink()) {
          const list = index.get(e.name);
          if (list) list.push({ path: full, rank });
          else index.set(e.name, [{ path: full, rank }]);
        }
      }
      for (const d of subdirs) walk(d, depth + 1, rank);
    };
    this.searchRoots.forEach((root, rank) => walk(root, 0, rank));
    return index;
  }

  /** The line table's spelling of a file the user names by its path on disk: the table file that
   *  resolves to it, else the one table file not found on disk whose path ends the same way for
   *  the most components (so a breakpoint in `src/main.rs` binds to a table's `blinky/main.rs`). */
  private tablePathFor(userPath: string): string {
    if (!this.debugInfo) return userPath;
    if (!this.tablePathsByResolved || !this.unresolvedTablePaths) {
      const map = new Map<string, string>();
      const unresolved = new Set<string>();
      for (const program of this.debugInfo.lineTable.programs) {
        for (const f of program.files) {
          if (!f) continue;
          const resolved = this.resolvePath(f.path);
          map.set(nodePath.normalize(nodePath.resolve(resolved)), f.path);
          if (resolved === f.path && !(nodePath.isAbsolute(f.path) && isFile(f.path))) unresolved.add(f.path);
        }
      }
      this.tablePathsByResolved = map;
      this.unresolvedTablePaths = unresolved;
    }
    const exact = this.tablePathsByResolved.get(nodePath.normalize(nodePath.resolve(userPath)));
    if (exact !== undefined) return exact;
    const have = pathComponents(userPath);
    let best: string[] = [];
    let bestLength = 0;
    for (const tablePath of this.unresolvedTablePaths) {
      const want = pathComponents(tablePath);
      const n = commonSuffixLength(want, have);
      if (n < minimumSuffix(tablePath, want.length) || n < bestLength) continue;
      if (n > bestLength) {
        bestLength = n;
        best = [];
      }
      best.push(tablePath);
    }
    return best.length === 1 ? best[0] : userPath;
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
