// Source-level variables for the debugger: the locals and statics of a stack frame, located
// through their DWARF locations with that frame's registers, and the typed half of the Debug
// Console: `name`, `*ptr`, `arr[2]`, `s.field`, `p->field`.
//
// Reading and showing values (summaries like `Some(3)`, `[1, 2, 3]`, `"hello"`,
// `Point { x: 3, y: -4 }`, children, enum variants, strings, slices, Vec) is the debuginfo value
// reader's (../debuginfo/values.ts). What stays here is what the Debug Adapter Protocol needs on top:
// frame registers as the reader's target, the values behind variablesReference handles, paging of
// long sequences, access paths (evaluateName) for watch and data breakpoints, statics, and writing.
//
// Nothing here allocates per executed instruction: it only runs while the firmware is stopped.

import type { Machine, RegisterName } from '../emulator/machine';
import type { Die, Unit } from '../debuginfo/dwarf/info';
import type { FunctionFrame, VariableInfo } from '../debuginfo/debuginfo';
import type { ExpressionContext, Location } from '../debuginfo/dwarf/expression';
import { resolveType, typeName, typeSize } from '../debuginfo/dwarf/types';
import { bitFieldAt, valueAt, type Value, type ValueOptions, type ValueTarget } from '../debuginfo/values';
import type { ProgramInfo } from './program-info';
import type { StackFrameInfo } from './unwind';

// DWARF tags and attributes used here (DWARF 5 sections 5 and 7.5).
const TAG_ARRAY = 0x01;
const TAG_CLASS = 0x02;
const TAG_ENUMERATION = 0x04;
const TAG_POINTER = 0x0f;
const TAG_REFERENCE = 0x10;
const TAG_STRUCTURE = 0x13;
const TAG_UNION = 0x17;
const TAG_BASE = 0x24;
const TAG_VARIABLE = 0x34;
const TAG_NAMESPACE = 0x39;
const TAG_RVALUE_REFERENCE = 0x42;
const AT_LOCATION = 0x02;
const AT_BYTE_SIZE = 0x0b;
const AT_DECLARATION = 0x3c;
const AT_ENCODING = 0x3e;
const AT_TYPE = 0x49;
const ATE_FLOAT = 0x04;

/** How the Variables view shows values: a pointer or Box with what it points at. */
const VIEW_OPTIONS: ValueOptions = { pointees: true };

/**
 * A value the adapter holds on to (behind a variablesReference, or as the result of an access
 * path): where it lives, so it can be re-read fresh after a write and written itself.
 */
export interface TypedValue {
  /** The declared type (typedefs and qualifiers included); undefined = void / unknown. */
  type: Die | undefined;
  /** In target memory at this address (for a bitfield: the address its bits count from). */
  address?: number;
  /** Held in this DWARF register as a whole (writable in the top frame). */
  register?: number;
  bitOffset?: number;
  bitSize?: number;
  /** The reader's node, for values that are not (only) in memory: registers, computed values, array rows. */
  shown?: Value;
  /** Why there is no value ("optimized out", "not available"). */
  error?: string;
}

export interface NamedValue {
  name: string;
  value: TypedValue;
  /** An expression that evaluates to this value (for watch / copy as expression). */
  evaluateName?: string;
}

/** Memory and registers as one frame sees them. */
export interface FrameAccess {
  machine: Machine;
  frame: StackFrameInfo | undefined;
  /** The frame's registers are the core's current ones (top frame, not a fault stop). */
  live: boolean;
  /**
   * The frames that called this one, nearest first (one per physical frame, ending at an exception
   * entry): where parameters' values on entry (DW_OP_entry_value) are found.
   */
  callers?: StackFrameInfo[];
}

function hex(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

function isPointer(t: Die | undefined): boolean {
  return t !== undefined && (t.tag === TAG_POINTER || t.tag === TAG_REFERENCE || t.tag === TAG_RVALUE_REFERENCE);
}

function isAggregate(t: Die | undefined): boolean {
  return t !== undefined && (t.tag === TAG_STRUCTURE || t.tag === TAG_UNION || t.tag === TAG_CLASS || t.tag === TAG_ARRAY);
}

/** Target memory as the value reader sees it: unmapped bytes are unreadable, not zero. */
function memoryTarget(machine: Machine): ValueTarget {
  return {
    readMemory: (address, length) => {
      for (let i = 0; i < length; i++) if (!machine.isMapped((address + i) >>> 0)) return undefined;
      return machine.readMemory(address >>> 0, length);
    },
    readRegister: () => undefined,
  };
}

/** A child of the reader's tree as a value the adapter can hold, re-read and write. */
function heldValue(child: Value): TypedValue {
  const bits = child.bitField;
  if (bits) return { type: child.type, address: bits.address, bitOffset: bits.bitOffset, bitSize: bits.bitSize, shown: child };
  return { type: child.type, address: child.address, shown: child };
}

export class VariableView {
  private staticsByUnit = new Map<number, NamedValue[]>();
  private globalIndex: Map<string, Die> | null = null;

  constructor(private readonly program: ProgramInfo) {}

  // ---- frames ------------------------------------------------------------------------------------

  /** The function (subprogram or inlined instance) a stack frame shows. */
  functionOf(frame: StackFrameInfo): FunctionFrame | undefined {
    const di = this.program.debugInfo;
    if (!di || frame.label) return undefined;
    const chain = di.functionsAt(frame.lookupPc);
    return chain[chain.length - 1 - frame.inlineDepth];
  }

  /** A DWARF expression context over a frame's registers (DWARF for the Arm architecture: 0-15
   *  core registers, 64-95 s0-s31, 256-287 d0-d31). */
  expressionContext(access: FrameAccess): ExpressionContext {
    const m = access.machine;
    const frame = access.frame;
    return {
      readRegister: (n) => {
        if (n >= 0 && n < 16) {
          if (access.live || !frame) return n === 15 ? m.cpu.pc >>> 0 : m.cpu.r[n] >>> 0;
          if ((frame.known & (1 << n)) === 0) throw new Error(`r${n} is not available in this frame`);
          return frame.registers[n] >>> 0;
        }
        if (n >= 64 && n < 96 && m.cpu.hasFpu && access.live) return m.cpu.fpRegs[n - 64] >>> 0;
        if (n >= 256 && n < 272 && m.cpu.hasFpu && access.live) return m.cpu.fpRegs[2 * (n - 256)] >>> 0;
        throw new Error(`register ${n} is not available in this frame`);
      },
      readMemory: (address, size) => {
        const v = m.peek(address >>> 0, size === 1 || size === 2 ? size : 4);
        if (v === null) throw new Error(`cannot read memory at ${hex(address)}`);
        return v;
      },
      cfa: frame ? () => frame.cfa >>> 0 : undefined,
      entryValue: frame ? this.entryValues(access, frame) : undefined,
    };
  }

  /** DW_OP_entry_value through the callers' call sites, evaluated with each caller's registers. */
  private entryValues(access: FrameAccess, frame: StackFrameInfo): ExpressionContext['entryValue'] {
    const di = this.program.debugInfo;
    const callers = access.callers ?? [];
    if (!di || callers.length === 0) return undefined;
    const contexts = callers.map((caller) => ({
      returnAddress: caller.pc,
      // Without callers of its own: the resolver chains the next caller in itself.
      context: this.expressionContext({ machine: access.machine, frame: caller, live: false }),
    }));
    return di.entryValueResolver(frame.lookupPc, contexts);
  }

  /** Parameters and locals in scope at the frame's PC (outer scopes first, innermost last). */
  locals(access: FrameAccess): NamedValue[] {
    const frame = access.frame;
    const di = this.program.debugInfo;
    if (!frame || !di) return [];
    const fn = this.functionOf(frame);
    if (!fn) return [];
    const ctx = this.expressionContext(access);
    const target: ValueTarget = {
      readMemory: memoryTarget(access.machine).readMemory,
      readRegister: (n) => {
        try {
          return ctx.readRegister(n);
        } catch {
          return undefined;
        }
      },
      cfa: ctx.cfa,
    };
    return di.variablesAt(fn, frame.lookupPc).map((v) => ({ name: v.name, value: this.locate(v, frame.lookupPc, ctx, target, access), evaluateName: v.name }));
  }

  private locate(variable: VariableInfo, pc: number, ctx: ExpressionContext, target: ValueTarget, access: FrameAccess): TypedValue {
    let location: Location;
    try {
      location = this.program.debugInfo!.locate(variable, pc, ctx);
    } catch (e) {
      return { type: variable.type, error: `<${e instanceof Error ? e.message : String(e)}>` };
    }
    if (location.kind === 'memory') return { type: variable.type, address: location.address >>> 0 };
    if (location.kind === 'optimizedOut') return { type: variable.type, error: '<optimized out>' };
    // Registers (read now, through this frame), computed values, pieces: the reader holds the bytes.
    const shown = valueAt(variable.name, variable.type, location, target, VIEW_OPTIONS);
    return { type: variable.type, shown, register: location.kind === 'register' && access.live ? location.register : undefined };
  }

  /** Statics of the frame's compilation unit (Rust: the crate being debugged). */
  statics(access: FrameAccess): NamedValue[] {
    const fn = access.frame ? this.functionOf(access.frame) : undefined;
    if (!fn) return [];
    const unit = fn.die.unit;
    let list = this.staticsByUnit.get(unit.offset);
    if (!list) {
      list = [];
      this.collectStatics(unit, list, 500);
      list.sort((a, b) => a.name.localeCompare(b.name));
      this.staticsByUnit.set(unit.offset, list);
    }
    return list;
  }

  private staticOf(die: Die): TypedValue | undefined {
    const attr = die.attr(AT_LOCATION);
    if (!attr || !(attr.value instanceof Uint8Array)) return undefined;
    const expr = attr.value;
    // Only fixed addresses (DW_OP_addr): thread-local or computed locations are not statics we can show.
    if (expr.length !== 5 || expr[0] !== 0x03) return undefined;
    const address = (expr[1] | (expr[2] << 8) | (expr[3] << 16) | (expr[4] << 24)) >>> 0;
    if (address === 0) return undefined; // discarded by the linker
    return { type: die.referenced(AT_TYPE) ?? die.referenced(0x47)?.referenced(AT_TYPE), address };
  }

  private collectStatics(unit: Unit, out: NamedValue[], limit: number): void {
    const visit = (die: Die, prefix: string, depth: number) => {
      if (depth > 16) return;
      for (const child of die.children()) {
        if (out.length >= limit) return;
        if (child.tag === TAG_VARIABLE && !child.flag(AT_DECLARATION)) {
          const name = child.name();
          const value = name ? this.staticOf(child) : undefined;
          if (name && value) out.push({ name, value, evaluateName: prefix + name });
        } else if (child.tag === TAG_NAMESPACE) {
          const ns = child.name();
          visit(child, ns ? `${prefix}${ns}::` : prefix, depth + 1);
        }
      }
    };
    visit(unit.root(), '', 0);
  }

  /** A static anywhere in the program by (short or path-qualified) name. */
  private globalNamed(name: string): TypedValue | undefined {
    if (!this.globalIndex) {
      const index = new Map<string, Die>();
      const di = this.program.debugInfo;
      for (const unit of di ? di.info.compileUnits() : []) {
        const visit = (die: Die, prefix: string, depth: number) => {
          if (depth > 16) return;
          for (const child of die.children()) {
            if (child.tag === TAG_VARIABLE && child.has(AT_LOCATION)) {
              const n = child.name();
              if (n) {
                if (!index.has(n)) index.set(n, child);
                if (prefix) index.set(prefix + n, child);
              }
            } else if (child.tag === TAG_NAMESPACE) {
              const ns = child.name();
              visit(child, ns ? `${prefix}${ns}::` : prefix, depth + 1);
            }
          }
        };
        visit(unit.root(), '', 0);
      }
      this.globalIndex = index;
    }
    const die = this.globalIndex.get(name);
    return die ? this.staticOf(die) : undefined;
  }

  /** A variable by name as the frame sees it: the innermost local, then statics. */
  lookup(name: string, access: FrameAccess): TypedValue | undefined {
    const locals = this.locals(access);
    for (let i = locals.length - 1; i >= 0; i--) if (locals[i].name === name) return locals[i].value;
    for (const s of this.statics(access)) if (s.name === name || s.evaluateName === name) return s.value;
    return this.globalNamed(name);
  }

  // ---- reading (through the value reader) ---------------------------------------------------------

  /** The reader's node for a held value, re-read from memory when it lives there. */
  private present(v: TypedValue, machine: Machine, name = ''): Value | undefined {
    if (v.error) return undefined;
    if (v.address !== undefined && v.type !== undefined) {
      const target = memoryTarget(machine);
      if (v.bitSize !== undefined) return bitFieldAt(name, v.type, v.address, v.bitOffset ?? 0, v.bitSize, target, VIEW_OPTIONS);
      return valueAt(name, v.type, { kind: 'memory', address: v.address }, target, VIEW_OPTIONS);
    }
    return v.shown;
  }

  /** The value as a number (bool, integers, chars, floats, pointers, C enums); undefined for aggregates. */
  scalar(v: TypedValue, machine: Machine): number | undefined {
    return this.present(v, machine)?.numeric();
  }

  // ---- presentation ------------------------------------------------------------------------------

  /** One line for the value (`42`, `Some(3)`, `[1, 2, 3]`, `"hello"`, `0x20000400 → Point { x: 3, y: -4 }`). */
  summary(v: TypedValue, machine: Machine, options: { hex?: boolean } = {}): string {
    if (v.error) return v.error;
    return this.present(v, machine)?.summaryIn(options) ?? '<unavailable>';
  }

  /** Whether the value expands (and, for arrays, slices and vectors, how many indexed children it has). */
  shape(v: TypedValue, machine: Machine): { expandable: boolean; indexed?: number } {
    const value = this.present(v, machine);
    if (!value || !value.expandable) return { expandable: false };
    const indexed = value.indexedCount;
    if (indexed !== undefined) return { expandable: indexed > 0, indexed };
    // An enum variant without fields, a null pointer: nothing to open.
    return { expandable: this.visibleChildren(value, undefined).values.length > 0 };
  }

  /**
   * What a value shows when expanded, with their access paths. A pointer to an aggregate shows the
   * aggregate's fields directly (one click, not two).
   */
  private visibleChildren(value: Value, evaluateName: string | undefined, start?: number, count?: number): { values: Value[]; path: string | undefined } {
    const t = resolveType(value.type);
    if (isPointer(t)) {
      const [pointee] = value.children();
      if (pointee && isAggregate(resolveType(pointee.type)) && pointee.expandable) {
        return { values: pointee.children(start, count), path: evaluateName !== undefined ? `(*${evaluateName})` : undefined };
      }
    }
    return { values: value.children(start, count), path: evaluateName };
  }

  /** The value's children: members, elements (`start`..`start+count` for sequences), or the pointee's. */
  children(v: TypedValue, machine: Machine, evaluateName: string | undefined, start?: number, count?: number): NamedValue[] {
    const value = this.present(v, machine, evaluateName ?? '');
    if (!value || !value.expandable) return [];
    const paged = value.indexedCount !== undefined || isPointer(resolveType(value.type));
    const { values, path } = paged ? this.visibleChildren(value, evaluateName, start, count) : this.visibleChildren(value, evaluateName);
    return values.map((child) => ({ name: child.name, value: heldValue(child), evaluateName: this.childPath(path, child.name) }));
  }

  /** `s.field`, `a[3]`, `*p` for a child named by the reader. */
  private childPath(parent: string | undefined, child: string): string | undefined {
    if (parent === undefined) return undefined;
    if (child.startsWith('[')) return parent + child;
    if (child.startsWith('*')) return `*${parent}`;
    return `${parent}.${child}`;
  }

  // ---- access paths (Debug Console, hover, watch) -------------------------------------------------

  /** A member by name (through pointers, as `->` does; for Rust enums, of the active variant). */
  member(v: TypedValue, name: string, machine: Machine): TypedValue | undefined {
    const value = this.present(v, machine);
    if (!value) return undefined;
    let base = value;
    if (isPointer(resolveType(value.type))) {
      const [pointee] = value.children();
      if (!pointee) return undefined;
      base = pointee;
    }
    if (base.indexedCount !== undefined) return undefined;
    const found = base.children().find((c) => c.name === name || c.name === `__${name}`);
    return found ? heldValue(found) : undefined;
  }

  /** Element `index` of an array, slice, vector, or pointer (C `p[i]`). */
  index(v: TypedValue, index: number, machine: Machine): TypedValue | undefined {
    const t = resolveType(v.type);
    if (t?.tag === TAG_POINTER) {
      const target = t.referenced(AT_TYPE);
      const address = this.scalar(v, machine);
      if (address === undefined || !target) return undefined;
      return { type: target, address: (address + index * (typeSize(target) ?? 1)) >>> 0 };
    }
    const value = this.present(v, machine);
    const length = value?.indexedCount;
    if (!value || length === undefined) return undefined;
    if (index < 0 || index >= length) throw new Error(`index ${index} is out of bounds (length ${length})`);
    const [element] = value.children(index, 1);
    return element ? heldValue(element) : undefined;
  }

  deref(v: TypedValue, machine: Machine): TypedValue | undefined {
    const value = this.present(v, machine);
    if (!value || !isPointer(resolveType(value.type))) return undefined;
    const [pointee] = value.children();
    return pointee ? heldValue(pointee) : undefined;
  }

  /**
   * Evaluates an access path over variables: `name`, `a::b::NAME`, `*p`, `&x`, `s.field`, `p->f`,
   * `arr[2]`, `t.0`. Returns undefined when the text is not such a path (or names no variable),
   * so the caller can fall back to the arithmetic evaluator; throws when the path is wrong.
   */
  evaluatePath(text: string, access: FrameAccess, index: (expr: string) => number): { value: TypedValue; addressOf?: number } | undefined {
    const m = /^\s*([*&]?)\s*((?:[A-Za-z_][A-Za-z0-9_]*)(?:::[A-Za-z_][A-Za-z0-9_]*)*)((?:\s*(?:\.\s*[A-Za-z0-9_]+|->\s*[A-Za-z_][A-Za-z0-9_]*|\[[^\]]+\]))*)\s*$/.exec(text);
    if (!m) return undefined;
    const [, prefix, name, rest] = m;
    const machine = access.machine;
    let v = this.lookup(name, access);
    if (!v) return undefined;
    const steps = /\.\s*([A-Za-z0-9_]+)|->\s*([A-Za-z_][A-Za-z0-9_]*)|\[([^\]]+)\]/g;
    let s: RegExpExecArray | null;
    let shown = name;
    while ((s = steps.exec(rest)) !== null) {
      const field = s[1] ?? s[2];
      if (field !== undefined) {
        const next = this.member(v, field, machine);
        if (!next) throw new Error(`'${shown}' has no field '${field}'`);
        v = next;
        shown += `.${field}`;
      } else {
        const i = index(s[3]);
        const next = this.index(v, i, machine);
        if (!next) throw new Error(`'${shown}' cannot be indexed`);
        v = next;
        shown += `[${i}]`;
      }
    }
    if (prefix === '*') {
      const p = this.deref(v, machine);
      if (!p) throw new Error(`'${shown}' is not a pointer (or points to unreadable memory)`);
      return { value: p };
    }
    if (prefix === '&') {
      if (v.address === undefined) throw new Error(`'${shown}' is not in memory`);
      return { value: v, addressOf: v.address };
    }
    return { value: v };
  }

  // ---- writing -----------------------------------------------------------------------------------

  /** Stores an integer (or float) into a scalar variable in memory, or in a register of the top frame. */
  write(v: TypedValue, value: number, machine: Machine): void {
    if (v.error) throw new Error(`cannot set a value that is ${v.error}`);
    const t = resolveType(v.type);
    if (!t || (t.tag !== TAG_BASE && t.tag !== TAG_POINTER && t.tag !== TAG_REFERENCE && t.tag !== TAG_ENUMERATION)) {
      throw new Error('only scalars (integers, floats, bool, char, pointers, C enums) can be set');
    }
    const size = typeSize(t) ?? 4;
    let bytes = new Uint8Array(size);
    const dv = new DataView(bytes.buffer);
    if (t.tag === TAG_BASE && t.number(AT_ENCODING) === ATE_FLOAT) {
      if (size === 8) dv.setFloat64(0, value, true);
      else dv.setFloat32(0, value, true);
    } else if (v.bitSize !== undefined) {
      // Read-modify-write of the bytes holding the bits (bitOffset counts from v.address, 0-7).
      const n = Math.min(4, Math.ceil(((v.bitOffset ?? 0) + v.bitSize) / 8));
      if (v.address === undefined || !machine.isMapped(v.address) || !machine.isMapped((v.address + n - 1) >>> 0)) throw new Error('cannot read the bitfield\'s storage');
      bytes = machine.readMemory(v.address, n).slice();
      let storage = 0;
      for (let i = n - 1; i >= 0; i--) storage = storage * 256 + bytes[i];
      const mask = ((2 ** v.bitSize - 1) * 2 ** (v.bitOffset ?? 0)) >>> 0;
      storage = ((storage & ~mask) | ((value * 2 ** (v.bitOffset ?? 0)) & mask)) >>> 0;
      for (let i = 0; i < n; i++) bytes[i] = (storage >>> (8 * i)) & 0xff;
    } else {
      const lowWord = value >>> 0;
      for (let i = 0; i < Math.min(size, 4); i++) bytes[i] = (lowWord >>> (8 * i)) & 0xff;
      if (size === 8) dv.setUint32(4, Math.floor(value / 2 ** 32) >>> 0, true);
    }
    if (v.address !== undefined) {
      if (!machine.writeMemory(v.address, bytes)) throw new Error(`cannot write ${bytes.length} bytes at ${hex(v.address)}`);
      return;
    }
    if (v.register !== undefined && v.register < 13 && size <= 4) {
      const cur = machine.cpu.r[v.register] >>> 0;
      let word = 0;
      for (let i = 3; i >= 0; i--) word = word * 256 + (i < size ? bytes[i] : (cur >>> (8 * i)) & 0xff);
      machine.setRegister(`r${v.register}` as RegisterName, word >>> 0);
      return;
    }
    throw new Error('this value is not in memory or in a register of the top frame, so it cannot be changed');
  }

  /** The type's display name. */
  typeNameOf(v: TypedValue): string {
    return v.type === undefined && v.shown ? v.shown.typeName : typeName(v.type);
  }

  /** Size in bytes of the value (for data breakpoints). */
  sizeOf(v: TypedValue): number | undefined {
    return typeSize(v.type);
  }

  /** Whether the value has a byte size we can read (unused types report nothing). */
  static hasByteSize(t: Die | undefined): boolean {
    return t?.has(AT_BYTE_SIZE) ?? false;
  }
}
