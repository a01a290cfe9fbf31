// One object answering the debugger's source-level questions about an ELF: where an address is in the
// source, which (possibly inlined) functions are executing there, and where to break for a line.
// It ties the section readers together; each reader stays lazy, so opening a large firmware costs
// only the unit headers until a question is asked.

import type { ElfFile } from './elf';
import { demangle } from './demangle';
import { DW_AT as DW_AT_, DW_TAG as DW_TAG_ } from './dwarf/constants';
import { DebugInfoReader, type Die, type PcRange, type Unit } from './dwarf/info';
import { LineProgram, LineTable, type LineLocation } from './dwarf/line';
import { dwarfSectionsOf, type DwarfSections } from './dwarf/sections';
import { entryValueFromCallSite, evaluateLocation, type ExpressionContext, type Location } from './dwarf/expression';
import { locationAt } from './dwarf/loc';
import { dwarfError } from './dwarf/reader';
import { typeName } from './dwarf/types';
import { countAtOrBelow } from './sorted-search';
// Module-local copies: reading an imported binding in a hot loop costs a getter call per access
// under the CommonJS transform; a local const does not.
const DW_AT = DW_AT_;
const DW_TAG = DW_TAG_;

export interface FunctionFrame {
  /** Display name: the demangled linkage name when there is one, else DW_AT_name. */
  name: string;
  /** DW_AT_name as written (may be bare, e.g. "main" for "hello::main"). */
  shortName: string | undefined;
  linkageName: string | undefined;
  die: Die;
  ranges: PcRange[];
  /** True for a DW_TAG_inlined_subroutine. */
  inlined: boolean;
  /** For an inlined frame: where in the caller the call was (DW_AT_call_file/line/column). */
  callFile?: string;
  callLine?: number;
  callColumn?: number;
}

export interface VariableInfo {
  name: string;
  die: Die;
  /** The variable's type DIE (undefined for void or when not recorded). */
  type: Die | undefined;
  typeName: string;
  isParameter: boolean;
  /** Declared only in the abstract instance of an inlined function: in scope but without a location. */
  abstractOnly?: boolean;
}

interface SubprogramEntry {
  low: number;
  high: number;
  die: Die;
}

export class DebugInfo {
  readonly sections: DwarfSections;
  readonly info: DebugInfoReader;
  private programs = new Map<number, LineProgram>();
  private lineTableCache?: LineTable;
  private unitRangesCache?: Array<{ low: number; high: number; unit: Unit }>;
  private subprogramsCache?: SubprogramEntry[];
  private longestSubprogram = 0;

  constructor(readonly elf: ElfFile) {
    this.sections = dwarfSectionsOf(elf);
    this.info = new DebugInfoReader(this.sections);
  }

  /** The line program of a unit (undefined if it has none). */
  lineProgram(unit: Unit): LineProgram | undefined {
    const off = unit.stmtList;
    if (off === undefined || !this.sections.line) return undefined;
    let p = this.programs.get(off);
    if (!p) {
      p = new LineProgram(this.sections, off, { compDir: unit.compDir, compName: unit.name });
      this.programs.set(off, p);
    }
    return p;
  }

  /** Every line program, with each unit's compilation directory applied. */
  get lineTable(): LineTable {
    if (!this.lineTableCache) {
      const units = this.info.compileUnits();
      const programs: LineProgram[] = [];
      for (const u of units) {
        const p = this.lineProgram(u);
        if (p && !programs.includes(p)) programs.push(p);
      }
      this.lineTableCache = units.length > 0 ? new LineTable(programs) : LineTable.read(this.sections);
    }
    return this.lineTableCache;
  }

  private unitRanges() {
    if (!this.unitRangesCache) {
      const list: Array<{ low: number; high: number; unit: Unit }> = [];
      for (const u of this.info.compileUnits()) {
        for (const r of u.root().ranges()) list.push({ low: r.low, high: r.high, unit: u });
      }
      list.sort((a, b) => a.low - b.low);
      this.unitRangesCache = list;
    }
    return this.unitRangesCache;
  }

  /** The compilation unit whose ranges hold `address`. */
  unitAt(address: number): Unit | undefined {
    for (const e of this.unitRanges()) {
      if (e.low > address) break;
      if (address < e.high) return e.unit;
    }
    return undefined;
  }

  /**
   * address → source location, like addr2line: the unit covering the address is asked first, then
   * every line table.
   */
  lineAt(address: number): LineLocation | undefined {
    const unit = this.unitAt(address);
    if (unit) {
      const loc = this.lineProgram(unit)?.find(address);
      if (loc) return loc;
    }
    return this.lineTable.find(address);
  }

  /**
   * Addresses to break at for a source line: the is_stmt rows of that line (or of the nearest
   * following line with code), reduced to the lowest address in each block (function, inlined
   * instance or lexical block), as a debugger user expects one stop per instance. A breakpoint on a
   * function's opening line at its entry moves past the prologue when that stays on the same line.
   */
  addressesFor(file: string, line: number): { line: number; addresses: number[] } {
    const found = this.lineTable.addressesFor(file, line);
    const byBlock = new Map<number, number>();
    const loose: number[] = [];
    for (const a of found.addresses) {
      const block = this.blockAt(a);
      if (!block) {
        // Rows of functions the linker discarded are relocated to 0; no subprogram covers them.
        if (a !== 0) loose.push(a);
        continue;
      }
      const prev = byBlock.get(block.offset);
      if (prev === undefined || a < prev) byBlock.set(block.offset, a);
    }
    const addresses = [...loose, ...byBlock.values()].map((a) => {
      const sub = this.subprogramAt(a);
      const r = sub?.ranges().find((x) => x.low === a);
      if (!r) return a;
      const after = this.lineTable.prologueEnd(r.low, r.high);
      // Only a breakpoint on the function's own line is moved past the prologue, and only when that
      // stays on the line asked for (the user chose the line; do not move them off it).
      if (sub?.number(DW_AT.decl_line) !== found.line) return a;
      return after !== a && this.lineAt(after)?.line === found.line ? after : a;
    });
    return { line: found.line, addresses: [...new Set(addresses)].sort((x, y) => x - y) };
  }

  /** The innermost block (subprogram, inlined subroutine or lexical block) holding `address`. */
  blockAt(address: number): Die | undefined {
    let block = this.subprogramAt(address);
    if (!block) return undefined;
    for (let depth = 0; depth < 64; depth++) {
      let inner: Die | undefined;
      for (const child of block.children()) {
        if (child.tag !== DW_TAG.inlined_subroutine && child.tag !== DW_TAG.lexical_block) continue;
        if (child.ranges().some((r) => address >= r.low && address < r.high)) {
          inner = child;
          break;
        }
      }
      if (!inner) break;
      block = inner;
    }
    return block;
  }

  private subprograms(): SubprogramEntry[] {
    if (!this.subprogramsCache) {
      const list: SubprogramEntry[] = [];
      const visit = (die: Die) => {
        for (const child of die.children()) {
          if (child.tag === DW_TAG.subprogram) {
            for (const r of child.ranges()) list.push({ low: r.low, high: r.high, die: child });
            // Nested functions (closures in some producers) sit inside subprograms too.
            if (child.abbrev.hasChildren) visitNested(child);
          } else if (child.abbrev.hasChildren) {
            visit(child);
          }
        }
      };
      const visitNested = (die: Die) => {
        for (const child of die.children()) {
          if (child.tag === DW_TAG.subprogram) {
            for (const r of child.ranges()) list.push({ low: r.low, high: r.high, die: child });
          }
          if (child.abbrev.hasChildren && child.tag !== DW_TAG.inlined_subroutine) visitNested(child);
        }
      };
      for (const u of this.info.compileUnits()) visit(u.root());
      list.sort((a, b) => a.low - b.low || a.high - b.high);
      for (const e of list) this.longestSubprogram = Math.max(this.longestSubprogram, e.high - e.low);
      this.subprogramsCache = list;
    }
    return this.subprogramsCache;
  }

  /** The innermost subprogram DIE whose ranges hold `address`. */
  subprogramAt(address: number): Die | undefined {
    const list = this.subprograms();
    const lo = countAtOrBelow(list, address, (e) => e.low);
    // Entries before lo start at or below address; only those within the longest extent can hold it.
    let best: SubprogramEntry | undefined;
    for (let i = lo - 1; i >= 0 && list[i].low + this.longestSubprogram > address; i--) {
      const e = list[i];
      // Smallest range wins; among equal ones (aliases) the later entry, as addr2line does (later
      // entries are visited first here, so only a strictly smaller one replaces it).
      if (address < e.high && (!best || e.high - e.low < best.high - best.low)) best = e;
    }
    return best?.die;
  }

  /**
   * The functions executing at `address`, innermost first: inlined subroutines, then the
   * subprogram that contains them. Empty when no debug info covers the address.
   */
  functionsAt(address: number): FunctionFrame[] {
    const sub = this.subprogramAt(address);
    if (!sub) return [];
    const chain: FunctionFrame[] = [this.frameOf(sub, sub.ranges())];
    let scope: Die = sub;
    for (let depth = 0; depth < 64; depth++) {
      const next = this.innerScope(scope, address);
      if (!next) break;
      chain.push(this.frameOf(next.die, next.ranges));
      scope = next.die;
    }
    return chain.reverse();
  }

  /** The inlined subroutine directly inside `scope` (looking through lexical blocks) that holds address. */
  private innerScope(scope: Die, address: number): { die: Die; ranges: PcRange[] } | undefined {
    for (const child of scope.children()) {
      const tag = child.tag;
      if (tag !== DW_TAG.inlined_subroutine && tag !== DW_TAG.lexical_block) continue;
      const ranges = child.ranges();
      const inside = ranges.some((r) => address >= r.low && address < r.high);
      if (tag === DW_TAG.inlined_subroutine) {
        if (inside) return { die: child, ranges };
      } else if (inside || ranges.length === 0) {
        const found = this.innerScope(child, address);
        if (found) return found;
      }
    }
    return undefined;
  }

  private readonly displayNames = new Map<number, string>();

  private frameOf(die: Die, ranges: PcRange[]): FunctionFrame {
    const shortName = die.name();
    const linkageName = die.linkageName();
    const frame: FunctionFrame = { name: this.displayName(die, shortName, linkageName), shortName, linkageName, die, ranges, inlined: die.tag === DW_TAG.inlined_subroutine };
    if (frame.inlined) {
      const fileIndex = die.number(DW_AT.call_file);
      if (fileIndex !== undefined) frame.callFile = this.lineProgram(die.unit)?.file(fileIndex)?.path;
      frame.callLine = die.number(DW_AT.call_line);
      frame.callColumn = die.number(DW_AT.call_column);
    }
    return frame;
  }

  private displayName(die: Die, shortName: string | undefined, linkageName: string | undefined): string {
    const cached = this.displayNames.get(die.offset);
    if (cached !== undefined) return cached;
    // The linkage name carries the full path (`hello::main`, not `main`) and is what the symbol
    // table shows for exported functions; a mangled name we cannot read falls back to DW_AT_name.
    let name = shortName ?? linkageName ?? '??';
    if (linkageName) {
      const demangled = demangle(linkageName);
      if (demangled !== linkageName || !/^_?_[ZR]/.test(linkageName)) name = demangled;
    }
    this.displayNames.set(die.offset, name);
    return name;
  }

  /**
   * Parameters and local variables visible at `pc` in a function frame (a subprogram or an inlined
   * instance): the frame's own, then those of each lexical block holding pc, innermost last.
   */
  variablesAt(frame: FunctionFrame, pc: number): VariableInfo[] {
    const out = this.scopeVariables(frame.die, (block) => {
      const ranges = block.ranges();
      return ranges.length === 0 || ranges.some((r) => pc >= r.low && pc < r.high);
    });
    this.addAbstractOnly(frame.die, pc, out);
    return out;
  }

  /**
   * A concrete instance (an inlined subroutine, or the out-of-line copy of an inline function) may
   * omit entries of its abstract instance (DWARF 5 section 3.3.8.2): parameters and locals that have
   * no location are still in scope, only optimized out. At each level, the abstract children that no
   * concrete child names through DW_AT_abstract_origin are inherited; an inherited lexical block has
   * no addresses, so its variables count as in scope throughout (as a debugger user expects from
   * locals that were optimized away). A variable already listed through a concrete entry is not
   * listed twice.
   */
  private addAbstractOnly(concrete: Die, pc: number, out: VariableInfo[]): void {
    const listed = new Set<number>();
    for (const v of out) {
      const ref = v.die.reference(DW_AT.abstract_origin);
      if (ref !== undefined) listed.add(ref);
    }
    const add = (die: Die) => {
      const name = die.name();
      if (!name || listed.has(die.offset)) return;
      listed.add(die.offset);
      const type = die.referenced(DW_AT.type);
      out.push({ name, die, type, typeName: typeName(type), isParameter: die.tag === DW_TAG.formal_parameter, abstractOnly: true });
    };
    const addAll = (block: Die, depth: number) => {
      if (depth > 64) return;
      for (const child of block.children()) {
        if (child.tag === DW_TAG.formal_parameter || child.tag === DW_TAG.variable) add(child);
        else if (child.tag === DW_TAG.lexical_block) addAll(child, depth + 1);
      }
    };
    const inherit = (scope: Die, depth: number) => {
      if (depth > 64) return;
      const origin = scope.referenced(DW_AT.abstract_origin);
      if (!origin) return;
      const named = new Set<number>();
      for (const child of scope.children()) {
        const ref = child.reference(DW_AT.abstract_origin);
        if (ref !== undefined) named.add(ref);
      }
      for (const child of origin.children()) {
        if (named.has(child.offset)) continue;
        if (child.tag === DW_TAG.formal_parameter || child.tag === DW_TAG.variable) add(child);
        else if (child.tag === DW_TAG.lexical_block) addAll(child, depth + 1);
      }
      for (const child of scope.children()) {
        if (child.tag !== DW_TAG.lexical_block || !child.has(DW_AT.abstract_origin)) continue;
        const ranges = child.ranges();
        if (ranges.length === 0 || ranges.some((r) => pc >= r.low && pc < r.high)) inherit(child, depth + 1);
      }
    };
    inherit(concrete, 0);
  }

  /** Every parameter and local of a function frame, in all its lexical blocks (whatever the pc). */
  allVariables(frame: FunctionFrame): VariableInfo[] {
    return this.scopeVariables(frame.die, () => true);
  }

  /** The named parameters and variables of a scope and of the lexical blocks `enter` accepts. */
  private scopeVariables(scope: Die, enter: (block: Die) => boolean): VariableInfo[] {
    const out: VariableInfo[] = [];
    const visit = (die: Die, depth: number) => {
      if (depth > 64) return;
      for (const child of die.children()) {
        if (child.tag === DW_TAG.formal_parameter || child.tag === DW_TAG.variable) {
          const name = child.name();
          if (!name) continue;
          const type = child.referenced(DW_AT.type) ?? child.referenced(DW_AT.abstract_origin)?.referenced(DW_AT.type);
          out.push({ name, die: child, type, typeName: typeName(type), isParameter: child.tag === DW_TAG.formal_parameter });
        } else if (child.tag === DW_TAG.lexical_block && enter(child)) {
          visit(child, depth + 1);
        }
      }
    };
    visit(scope, 0);
    return out;
  }

  private globalsCache?: VariableInfo[];

  /**
   * Static variables with a location: those at unit level and in namespaces (Rust modules, C++
   * namespaces), not function-local statics. A definition that refers to its declaration through
   * DW_AT_specification takes name and type from it.
   */
  globals(): VariableInfo[] {
    if (!this.globalsCache) {
      const out: VariableInfo[] = [];
      const visit = (scope: Die, depth: number) => {
        if (depth > 32) return;
        for (const child of scope.children()) {
          if (child.tag === DW_TAG.variable) {
            if (!child.has(DW_AT.location) || child.flag(DW_AT.declaration)) continue;
            const name = child.name();
            if (!name) continue;
            const type = child.referenced(DW_AT.type) ?? child.referenced(DW_AT.specification)?.referenced(DW_AT.type);
            out.push({ name, die: child, type, typeName: typeName(type), isParameter: false });
          } else if (child.tag === DW_TAG.namespace) {
            if (child.abbrev.hasChildren) visit(child, depth + 1);
          }
        }
      };
      for (const u of this.info.compileUnits()) visit(u.root(), 0);
      this.globalsCache = out;
    }
    return this.globalsCache;
  }

  /**
   * Where a variable is at `pc`, evaluating its location expression (or location list) against
   * the context. The frame base comes from the enclosing subprogram's DW_AT_frame_base.
   */
  locate(variable: VariableInfo, pc: number, ctx: ExpressionContext): Location {
    const die = variable.die;
    const attr = die.attr(DW_AT.location);
    if (!attr) {
      if (die.has(DW_AT.const_value)) {
        const a = die.attr(DW_AT.const_value)!;
        return a.value instanceof Uint8Array ? { kind: 'implicit', bytes: a.value } : { kind: 'value', value: die.unit.numberValue(a) >>> 0 };
      }
      return { kind: 'optimizedOut' };
    }
    const expr = locationAt(die.unit, attr, pc);
    if (!expr) return { kind: 'optimizedOut' };
    return evaluateLocation(expr, this.withFrameBase(ctx, pc, die), die.unit.addressSize);
  }

  /** `ctx` with DW_AT_frame_base of the function holding `pc` (for DW_OP_fbreg). */
  private withFrameBase(ctx: ExpressionContext, pc: number, user?: Die): ExpressionContext {
    const sub = this.subprogramAt(pc);
    const frameBaseAttr = sub?.attr(DW_AT.frame_base);
    return {
      ...ctx,
      frameBase: () => {
        if (!sub || !frameBaseAttr) throw dwarfError('.debug_info', user?.offset ?? 0, 'DW_OP_fbreg is used but the function has no DW_AT_frame_base');
        const fbExpr = locationAt(sub.unit, frameBaseAttr, pc);
        const fb = fbExpr ? evaluateLocation(fbExpr, ctx, sub.unit.addressSize) : { kind: 'optimizedOut' as const };
        if (fb.kind === 'register') return ctx.readRegister(fb.register);
        if (fb.kind === 'memory') return fb.address;
        if (fb.kind === 'value') return fb.value;
        throw dwarfError('.debug_info', sub.offset, `frame base is not available at 0x${pc.toString(16)}`);
      },
    };
  }

  /**
   * The DW_OP_entry_value hook for a frame executing `pc`, given its callers (nearest first, each
   * with the return address into it and its registers): the value a register had on entry is the
   * one the caller's call site says it passed (entryValueFromCallSite). A call value that is itself
   * an entry value is resolved one caller further up.
   */
  entryValueResolver(pc: number, callers: ReadonlyArray<{ returnAddress: number; context: ExpressionContext }>, depth = 0): ExpressionContext['entryValue'] {
    const [caller, ...further] = callers;
    const callee = this.subprogramAt(pc);
    if (!caller || !callee || depth > 16) return undefined;
    const returnAddress = (caller.returnAddress & ~1) >>> 0;
    // Inside the call instruction: the caller's function and scopes there.
    const callPc = returnAddress - 1;
    const subprogram = this.subprogramAt(callPc);
    if (!subprogram) return undefined;
    const context: ExpressionContext = { ...this.withFrameBase(caller.context, callPc), entryValue: this.entryValueResolver(callPc, further, depth + 1) };
    return (expression) => entryValueFromCallSite(expression, { subprogram, returnAddress, context, callee }, subprogram.unit.addressSize);
  }
}
