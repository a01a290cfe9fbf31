// DWARF expressions (DWARF 5 section 2.5): the stack machine that says where a variable lives.
// Evaluation asks the caller for registers and memory, so it works against a live emulator or a
// saved frame alike. Values are 32-bit unsigned on the stack (the targets are ARM ELF32); wider
// arithmetic is not needed for location descriptions on Cortex-M.

import { DwarfReader } from './reader';

export interface ExpressionContext {
  readRegister(dwarfRegister: number): number;
  readMemory(address: number, size: number): number;
  /** DW_AT_frame_base of the enclosing function, already evaluated to an address. */
  frameBase?(): number;
  /** The canonical frame address, from the CFI. */
  cfa?(): number;
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
      case 0xf3: // DW_OP_GNU_entry_value
        // The value a register had on entry is not recoverable in general: optimised out.
        r.skip(r.uleb());
        return { kind: 'optimizedOut' };
      default:
        throw r.error(`unsupported DWARF expression operation 0x${op.toString(16)}`, at);
    }
  }
  if (pieces.length > 0) return { kind: 'pieces', pieces };
  if (current) return current;
  if (stack.length === 0) throw r.error('DWARF expression leaves an empty stack', 0);
  return { kind: 'memory', address: stack[stack.length - 1] };
}
