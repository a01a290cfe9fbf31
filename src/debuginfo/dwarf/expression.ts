// DWARF expressions (DWARF 5 section 2.5): the stack machine that says where a variable lives.
// Evaluation asks the caller for registers and memory, so it works against a live emulator or a
// saved frame alike. Values are 32-bit unsigned on the stack (the targets are ARM ELF32); wider
// arithmetic is not needed for location descriptions on Cortex-M.

import { DwarfReader } from './reader';
import type { Die } from './info';

export interface ExpressionContext {
  readRegister(dwarfRegister: number): number;
  readMemory(address: number, size: number): number;
  /** DW_AT_frame_base of the enclosing function, already evaluated to an address. */
  frameBase?(): number;
  /** The canonical frame address, from the CFI. */
  cfa?(): number;
  /**
   * DW_OP_entry_value: the value `expression` (normally a DW_OP_regN) had when the current
   * function was entered, or undefined when that cannot be known (then the location is optimised
   * out). See entryValueFromCallSite for the usual answer.
   */
  entryValue?(expression: Uint8Array): number | undefined;
}

/** Where (or what) the described object is. */
export type Location =
  | { kind: 'memory'; address: number }
  | { kind: 'register'; register: number }
  | { kind: 'value'; value: number }
  | { kind: 'implicit'; bytes: Uint8Array }
  | { kind: 'pieces'; pieces: Array<{ location: Location | undefined; sizeInBits: number; offsetInBits: number }> }
  | { kind: 'optimizedOut' };

const MAX_STEPS = 10000;

/**
 * Evaluates an expression. `section` names where the bytes came from (for errors). Throws DwarfError
 * on malformed input; reading registers/memory may throw whatever the context throws.
 */
export function evaluateLocation(expr: Uint8Array, ctx: ExpressionContext, addressSize = 4, section = '.debug_info'): Location {
  if (expr.length === 0) return { kind: 'optimizedOut' };
  const r = new DwarfReader(expr, section);
  const stack: number[] = [];
  const pieces: Array<{ location: Location | undefined; sizeInBits: number; offsetInBits: number }> = [];
  let current: Location | undefined; // a register or implicit location set by the last operation
  const pop = (at: number): number => {
    const v = stack.pop();
    if (v === undefined) throw r.error('DWARF expression stack underflow', at);
    return v;
  };
  const u32 = (v: number) => v >>> 0;
  let steps = 0;
  while (!r.atEnd) {
    if (++steps > MAX_STEPS) throw r.error('DWARF expression runs too long');
    const at = r.offset;
    const op = r.u8();
    if (op >= 0x30 && op <= 0x4f) {
      stack.push(op - 0x30); // DW_OP_lit0..31
      continue;
    }
    if (op >= 0x50 && op <= 0x6f) {
      current = { kind: 'register', register: op - 0x50 }; // DW_OP_reg0..31
      continue;
    }
    if (op >= 0x70 && op <= 0x8f) {
      stack.push(u32(ctx.readRegister(op - 0x70) + r.sleb())); // DW_OP_breg0..31
      continue;
    }
    switch (op) {
      case 0x03: // DW_OP_addr
        stack.push(r.address(addressSize));
        break;
      case 0x06: // DW_OP_deref
        stack.push(u32(ctx.readMemory(pop(at), addressSize)));
        break;
      case 0x08:
        stack.push(r.u8());
        break;
      case 0x09:
        stack.push(u32(r.i8()));
        break;
      case 0x0a:
        stack.push(r.u16());
        break;
      case 0x0b:
        stack.push(u32(r.i16()));
        break;
      case 0x0c:
        stack.push(r.u32());
        break;
      case 0x0d:
        stack.push(u32(r.i32()));
        break;
      case 0x0e:
        stack.push(u32(r.u64()));
        break;
      case 0x0f:
        stack.push(u32(r.i64()));
        break;
      case 0x10:
        stack.push(u32(r.uleb()));
        break;
      case 0x11:
        stack.push(u32(r.sleb()));
        break;
      case 0x12: // dup
        stack.push(stack.length ? stack[stack.length - 1] : pop(at));
        break;
      case 0x13: // drop
        pop(at);
        break;
      case 0x14: // over
        if (stack.length < 2) throw r.error('DW_OP_over needs two entries', at);
        stack.push(stack[stack.length - 2]);
        break;
      case 0x15: {
        // pick
        const i = r.u8();
        if (i >= stack.length) throw r.error(`DW_OP_pick ${i} beyond the stack`, at);
        stack.push(stack[stack.length - 1 - i]);
        break;
      }
      case 0x16: {
        // swap
        const a = pop(at);
        const b = pop(at);
        stack.push(a, b);
        break;
      }
      case 0x17: {
        // rot
        const a = pop(at);
        const b = pop(at);
        const c = pop(at);
        stack.push(a, c, b);
        break;
      }
      case 0x19: // abs
        stack.push(u32(Math.abs(pop(at) | 0)));
        break;
      case 0x1a: {
        const b = pop(at);
        stack.push(u32(pop(at) & b));
        break;
      }
      case 0x1b: {
        // div (signed)
        const b = pop(at) | 0;
        const a = pop(at) | 0;
        if (b === 0) throw r.error('DW_OP_div by zero', at);
        stack.push(u32(Math.trunc(a / b)));
        break;
      }
      case 0x1c: {
        const b = pop(at);
        stack.push(u32(pop(at) - b));
        break;
      }
      case 0x1d: {
        // mod (unsigned)
        const b = pop(at);
        if (b === 0) throw r.error('DW_OP_mod by zero', at);
        stack.push(pop(at) % b);
        break;
      }
      case 0x1e: {
        const b = pop(at);
        stack.push(u32(Math.imul(pop(at), b)));
        break;
      }
      case 0x1f:
        stack.push(u32(-pop(at)));
        break;
      case 0x20:
        stack.push(u32(~pop(at)));
        break;
      case 0x21: {
        const b = pop(at);
        stack.push(u32(pop(at) | b));
        break;
      }
      case 0x22: {
        const b = pop(at);
        stack.push(u32(pop(at) + b));
        break;
      }
      case 0x23: // plus_uconst
        stack.push(u32(pop(at) + r.uleb()));
        break;
      case 0x24: {
        const b = pop(at);
        stack.push(b >= 32 ? 0 : u32(pop(at) << b));
        break;
      }
      case 0x25: {
        const b = pop(at);
        stack.push(b >= 32 ? 0 : pop(at) >>> b);
        break;
      }
      case 0x26: {
        const b = pop(at);
        stack.push(u32((pop(at) | 0) >> Math.min(b, 31)));
        break;
      }
      case 0x27: {
        const b = pop(at);
        stack.push(u32(pop(at) ^ b));
        break;
      }
      case 0x28: {
        // bra
        const off = r.i16(); // relative to the end of this operation
        if (pop(at) !== 0) r.seek(r.offset + off);
        break;
      }
      case 0x29:
      case 0x2a:
      case 0x2b:
      case 0x2c:
      case 0x2d:
      case 0x2e: {
        // eq ge gt le lt ne (signed comparisons)
        const b = pop(at) | 0;
        const a = pop(at) | 0;
        const res = op === 0x29 ? a === b : op === 0x2a ? a >= b : op === 0x2b ? a > b : op === 0x2c ? a <= b : op === 0x2d ? a < b : a !== b;
        stack.push(res ? 1 : 0);
        break;
      }
      case 0x2f: {
        // skip: relative to the end of this operation (read the operand before taking the offset)
        const off = r.i16();
        r.seek(r.offset + off);
        break;
      }
      case 0x90: // DW_OP_regx
        current = { kind: 'register', register: r.uleb() };
        break;
      case 0x91: {
        // DW_OP_fbreg
        if (!ctx.frameBase) throw r.error('DW_OP_fbreg outside a function with a frame base', at);
        stack.push(u32(ctx.frameBase() + r.sleb()));
        break;
      }
      case 0x92: {
        // DW_OP_bregx
        const reg = r.uleb();
        stack.push(u32(ctx.readRegister(reg) + r.sleb()));
        break;
      }
      case 0x93: {
        // DW_OP_piece
        const size = r.uleb();
        pieces.push({ location: current ?? (stack.length ? { kind: 'memory', address: pop(at) } : undefined), sizeInBits: size * 8, offsetInBits: 0 });
        current = undefined;
        break;
      }
      case 0x94: {
        // DW_OP_deref_size
        const size = r.u8();
        stack.push(u32(ctx.readMemory(pop(at), size)));
        break;
      }
      case 0x96: // nop
        break;
      case 0x9c: // DW_OP_call_frame_cfa
        if (!ctx.cfa) throw r.error('DW_OP_call_frame_cfa without frame information', at);
        stack.push(u32(ctx.cfa()));
        break;
      case 0x9d: {
        // DW_OP_bit_piece
        const size = r.uleb();
        const offset = r.uleb();
        pieces.push({ location: current ?? (stack.length ? { kind: 'memory', address: pop(at) } : undefined), sizeInBits: size, offsetInBits: offset });
        current = undefined;
        break;
      }
      case 0x9e: {
        // DW_OP_implicit_value
        current = { kind: 'implicit', bytes: r.bytes(r.uleb()) };
        break;
      }
      case 0x9f: // DW_OP_stack_value
        current = { kind: 'value', value: pop(at) };
        break;
      case 0xa3: // DW_OP_entry_value
      case 0xf3: {
        // DW_OP_GNU_entry_value. The value a register had on entry is only known when the caller
        // recorded what it passed (call site parameters); otherwise the object is optimised out.
        const sub = r.bytes(r.uleb());
        const value = ctx.entryValue?.(sub);
        if (value === undefined) return { kind: 'optimizedOut' };
        stack.push(u32(value));
        break;
      }
      default:
        throw r.error(`unsupported DWARF expression operation 0x${op.toString(16)}`, at);
    }
  }
  if (pieces.length > 0) return { kind: 'pieces', pieces };
  if (current) return current;
  if (stack.length === 0) throw r.error('DWARF expression leaves an empty stack', 0);
  return { kind: 'memory', address: stack[stack.length - 1] };
}

// Call site description (DWARF 5 section 3.4; DWARF 4 GNU extension with the same shape).
const TAG_CALL_SITE = 0x48;
const TAG_CALL_SITE_PARAMETER = 0x49;
const TAG_GNU_CALL_SITE = 0x4109;
const TAG_GNU_CALL_SITE_PARAMETER = 0x410a;
const AT_LOCATION = 0x02;
const AT_LOW_PC = 0x11;
const AT_CALL_RETURN_PC = 0x7d;
const AT_CALL_VALUE = 0x7e;
const AT_GNU_CALL_SITE_VALUE = 0x2111;
const AT_ABSTRACT_ORIGIN = 0x31;
const AT_SPECIFICATION = 0x47;
const AT_CALL_ORIGIN = 0x7f;
const SCOPE_TAGS = new Set([0x0b /* lexical_block */, 0x1d /* inlined_subroutine */]);

/** The frame that called the current function, as far as DW_OP_entry_value needs it. */
export interface CallerFrame {
  /** The caller's DW_TAG_subprogram (the one whose code holds the return address). */
  subprogram: Die;
  /** Where the call returns to (a Thumb bit is ignored). */
  returnAddress: number;
  /** Registers and memory of the caller's frame. */
  context: ExpressionContext;
  /**
   * The called function's DW_TAG_subprogram, when known: a call site that names another function
   * is not the call that entered it (the callee was reached by a tail call from there).
   */
  callee?: Die;
}

/** The DIE offsets a subprogram is known by: itself and its abstract origins / specifications. */
function identities(die: Die): Set<number> {
  const out = new Set<number>();
  let d: Die | undefined = die;
  for (let depth = 0; d && depth < 8 && !out.has(d.offset); depth++) {
    out.add(d.offset);
    d = d.referenced(AT_ABSTRACT_ORIGIN) ?? d.referenced(AT_SPECIFICATION);
  }
  return out;
}

/** Whether a call site may be the call of `callee` (an indirect call names no function). */
function callsFunction(site: Die, callee: Die): boolean {
  // DWARF 5 DW_AT_call_origin; the GNU form uses DW_AT_abstract_origin.
  const origin = site.reference(AT_CALL_ORIGIN) ?? site.reference(AT_ABSTRACT_ORIGIN);
  if (origin === undefined) return true;
  const known = identities(callee);
  if (known.has(origin)) return true;
  const target = site.unit.info.dieAt(origin);
  return target !== undefined && [...identities(target)].some((o) => known.has(o));
}

/** The register a DW_OP_entry_value sub-expression names (DW_OP_regN or DW_OP_regx), or undefined. */
function registerOf(expression: Uint8Array): number | undefined {
  if (expression.length === 1 && expression[0] >= 0x50 && expression[0] <= 0x6f) return expression[0] - 0x50;
  if (expression.length >= 2 && expression[0] === 0x90) {
    const r = new DwarfReader(expression, 'DW_OP_entry_value');
    r.u8();
    const reg = r.uleb();
    return r.atEnd ? reg : undefined;
  }
  return undefined;
}

function findCallSite(scope: Die, returnAddress: number, depth: number): Die | undefined {
  if (depth > 32) return undefined;
  for (const child of scope.children()) {
    if (child.tag === TAG_CALL_SITE || child.tag === TAG_GNU_CALL_SITE) {
      // DWARF 5 names the return address DW_AT_call_return_pc; the GNU form puts it in DW_AT_low_pc.
      const at = child.number(AT_CALL_RETURN_PC) ?? child.number(AT_LOW_PC);
      if (at !== undefined && (at & ~1) >>> 0 === returnAddress) return child;
    } else if (SCOPE_TAGS.has(child.tag)) {
      const found = findCallSite(child, returnAddress, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Resolves a DW_OP_entry_value of a register through the caller: the call site whose return
 * address is the caller's, its parameter passed in that register, and that parameter's
 * DW_AT_call_value evaluated in the caller's frame (DWARF 5 sections 2.5.1.7 and 3.4.2).
 * Undefined when any of these is missing or cannot be evaluated.
 */
export function entryValueFromCallSite(expression: Uint8Array, caller: CallerFrame | undefined, addressSize = 4): number | undefined {
  if (!caller) return undefined;
  const register = registerOf(expression);
  if (register === undefined) return undefined;
  try {
    const site = findCallSite(caller.subprogram, (caller.returnAddress & ~1) >>> 0, 0);
    if (!site || (caller.callee && !callsFunction(site, caller.callee))) return undefined;
    for (const param of site.children()) {
      if (param.tag !== TAG_CALL_SITE_PARAMETER && param.tag !== TAG_GNU_CALL_SITE_PARAMETER) continue;
      const where = param.attr(AT_LOCATION)?.value;
      if (!(where instanceof Uint8Array) || registerOf(where) !== register) continue;
      const value = (param.attr(AT_CALL_VALUE) ?? param.attr(AT_GNU_CALL_SITE_VALUE))?.value;
      if (!(value instanceof Uint8Array)) return undefined;
      // The value expression computes the value itself: the top of the stack, not an address.
      const loc = evaluateLocation(value, caller.context, addressSize);
      if (loc.kind === 'memory') return loc.address;
      if (loc.kind === 'value') return loc.value;
      if (loc.kind === 'register') return caller.context.readRegister(loc.register) >>> 0;
      return undefined;
    }
  } catch {
    // A caller register or memory word that cannot be read: unknown.
  }
  return undefined;
}
