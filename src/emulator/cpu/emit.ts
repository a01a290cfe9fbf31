// JavaScript source for the common Thumb instructions, for the block compiler (blocks.ts): the
// operands are baked in as constants, the registers and flags are the block function's locals, and
// loads and stores go straight to the memory region's typed arrays when they can. What is not
// covered here (or not in its plain form: the PC or, mostly, the SP as an operand) returns null and
// the block calls the decoder's closure instead, so the semantics here only ever need to match the
// decoders' for the shapes they accept. The block compiler also checks that the decoder agrees on
// the mnemonic before using the source.
//
// Conventions of the generated code (see BlockWriter in blocks.ts): register i is the local `r<i>`
// holding its value as a signed 32-bit integer; the flags are the booleans fn, fz, fc and fv;
// registers and flags are read and written through the EmitContext so the block knows which locals
// it needs and what to write back at its exits.

import type { Profile } from './cpu';
import { is32Bit } from './decode';

/** What an emitter needs from the block being written. */
export interface EmitContext {
  /** The local holding register i (0..14) for reading. */
  get(i: number): string;
  /** A statement writing a signed 32-bit expression to register i (0..14). */
  set(i: number, expr: string): string;
  /** Mark the flags as read and/or written by this instruction. */
  flags(): void;
  /** A statement leaving the block just before this instruction, so that the interpreter runs it
   *  (a load or store that is not plain memory: a device, unaligned, a data breakpoint's granule,
   *  code, nothing at all). The instruction must not have changed anything yet, except memory
   *  it will write again with the same values. */
  bail(): string;
  /** A statement leaving the block after this instruction, with the next PC and extra cycles. */
  exit(nextPc: number, extraCycles: number): string;
  /** A statement leaving the block after this instruction for an address loaded or read from a
   *  register (BXWritePC / LoadWritePC: interworking, EXC_RETURN in Handler mode). */
  exitTo(target: string): string;
  /** A memory region the generated code may address directly (its storage bound to constants of
   *  the block): the one holding `address` when that is known at compile time, else the block's
   *  home region (where the stack is); null for none. */
  region(address?: number): RegionRef | null;
}

/** A plain memory region as the generated code names it: `<id>` the region, `<id>b`/`<id>h`/
 *  `<id>w` its bytes, halfwords and words. */
export interface RegionRef {
  id: string;
  base: number;
  size: number;
  writable: boolean;
}

/** Source for one instruction, and the mnemonic the decoder must agree on (without any .w). */
export interface Emitted {
  code: string;
  name: string;
  /** Cycles the closure would add on top of Decoded.cycles when the instruction falls through. */
  extraCycles: number;
  /** The instruction may leave the block (a taken branch): where to, or -1. */
  branchTarget: number;
  /** It always leaves the block (it writes the PC). */
  leaves?: boolean;
}

const CONDITIONS = ['fz', '!fz', 'fc', '!fc', 'fn', '!fn', 'fv', '!fv', '(fc && !fz)', '(!fc || fz)',
  '(fn === fv)', '(fn !== fv)', '(!fz && fn === fv)', '(fz || fn !== fv)'];

/** JavaScript condition for a condition code 0..13 (flags must be marked). */
export function conditionSource(cond: number): string {
  return CONDITIONS[cond];
}

type LoadKind = 'u32' | 'u16' | 'u8' | 's16' | 's8';

const SIZE: Record<LoadKind, number> = { u32: 4, u16: 2, u8: 1, s16: 2, s8: 1 };

/** How the generated code names a region and its typed arrays: the page-table lookup's `R`, or
 *  a region bound to the block's constants (RegionRef). */
interface Arrays {
  region: string;
  b: string;
  h: string;
  w: string;
}
const LOOKED_UP: Arrays = { region: 'R', b: 'R.bytes', h: 'R.u16', w: 'R.u32' };
function bound(m: RegionRef): Arrays {
  return { region: m.id, b: `${m.id}b`, h: `${m.id}h`, w: `${m.id}w` };
}

/** The load expression for kind at byte offset `o` (an expression). */
function typedLoad(x: Arrays, kind: LoadKind, o: string): string {
  switch (kind) {
    case 'u32': return `${x.w}[${o} >>> 2] | 0`;
    case 'u16': return `${x.h}[${o} >>> 1]`;
    case 'u8': return `${x.b}[${o}]`;
    case 's16': return `(${x.h}[${o} >>> 1] << 16) >> 16`;
    default: return `(${x.b}[${o}] << 24) >> 24`;
  }
}

/** The store statement of size bytes at byte offset `o`. */
function typedStore(x: Arrays, size: 1 | 2 | 4, o: string, value: string): string {
  return size === 4 ? `${x.w}[${o} >>> 2] = ${value}` : size === 2 ? `${x.h}[${o} >>> 1] = ${value}` : `${x.b}[${o}] = ${value}`;
}

/** No data breakpoint's granule covers byte offset `o` of the region. */
function unwatched(x: Arrays, o: string): string {
  return `(${x.region}.watching === 0 || ${x.region}.watched[${o}] === 0)`;
}

/** Statements loading from the address expression into `v` (declared by the caller) when it is
 *  plain memory, aligned and not watched; otherwise the interpreter runs the instruction. */
function load(ctx: EmitContext, kind: LoadKind, address: string): string {
  const size = SIZE[kind];
  const align = size === 1 ? '' : ` && (a & ${size - 1}) === 0`;
  const anywhere = `R = pages[a >>> 16];` +
    ` if (R !== null${align} && (o = a - R.base) >= 0 && o <= R.size - ${size} && ${unwatched(LOOKED_UP, 'o >>> 4')}) v = ${typedLoad(LOOKED_UP, kind, 'o')};` +
    ` else ${ctx.bail()}`;
  // A literal address (a PC-relative load): its region and offset are known now.
  if (/^\d+$/.test(address)) {
    const at = Number(address) >>> 0;
    const m = ctx.region(at);
    if (m !== null && at % size === 0 && at + size <= m.base + m.size) {
      return `if ${unwatched(bound(m), String((at - m.base) >>> 4))} v = ${typedLoad(bound(m), kind, String(at - m.base))}; else { a = ${at}; ${anywhere} }`;
    }
    return `a = ${at}; ${anywhere}`;
  }
  // Otherwise the home region first (the stack and, mostly, the data), then any region.
  const m = ctx.region();
  if (m === null) return `a = (${address}) >>> 0; ${anywhere}`;
  return `a = (${address}) >>> 0; o = a - ${m.base};` +
    ` if (o >= 0 && o <= ${m.size - size}${align} && ${unwatched(bound(m), 'o >>> 4')}) v = ${typedLoad(bound(m), kind, 'o')}; else { ${anywhere} }`;
}

/** Statements storing the expression to the address when it is plain writable memory, aligned,
 *  not watched and holding no decoded code; otherwise the interpreter runs the instruction (a
 *  write to code then forgets the decoded instructions there and asks the loop for attention). */
function store(ctx: EmitContext, size: 1 | 2 | 4, address: string, value: string): string {
  const align = size === 1 ? '' : ` && (a & ${size - 1}) === 0`;
  const anywhere = `R = pages[a >>> 16];` +
    ` if (R !== null && R.writable${align} && (o = a - R.base) >= 0 && o <= R.size - ${size} && ${unwatched(LOOKED_UP, 'o >>> 4')} && (R.decoded === null || codeFree(R.decoded, o))) ${typedStore(LOOKED_UP, size, 'o', value)};` +
    ` else ${ctx.bail()}`;
  const m = ctx.region();
  if (m === null || !m.writable) return `a = (${address}) >>> 0; ${anywhere}`;
  return `a = (${address}) >>> 0; o = a - ${m.base};` +
    ` if (o >= 0 && o <= ${m.size - size}${align} && ${unwatched(bound(m), 'o >>> 4')} && (${m.id}.decoded === null || codeFree(${m.id}.decoded, o))) ${typedStore(bound(m), size, 'o', value)}; else { ${anywhere} }`;
}

/** Statements loading `count` consecutive words from the address expression `base` into the
 *  locals w0..w<count-1> (declared here): one bounds check for all of them in the home region,
 *  else word by word (any of which may leave the block before the instruction). */
function loadWords(ctx: EmitContext, base: string, count: number): string {
  const names = Array.from({ length: count }, (_, k) => `w${k}`);
  const one = names.map((w, k) => `${load(ctx, 'u32', `${base} + ${k * 4}`)} ${w} = v;`).join(' ');
  const declare = `let v = 0, ${names.map((w) => `${w} = 0`).join(', ')};`;
  const m = ctx.region();
  if (m === null || count < 2) return `${declare} ${one}`;
  const all = names.map((w, k) => `${w} = ${m.id}w[k + ${k}] | 0;`).join(' ');
  return `${declare} a = (${base}) >>> 0; o = a - ${m.base};` +
    ` if (o >= 0 && o <= ${m.size - 4 * count} && (a & 3) === 0 && ${m.id}.watching === 0) { const k = o >>> 2; ${all} } else { ${one} }`;
}

/** Statements storing the expressions to consecutive words from `base`: as loadWords, the home
 *  region's check once for all of them when it holds no decoded code. */
function storeWords(ctx: EmitContext, base: string, values: string[]): string {
  const one = values.map((value, k) => store(ctx, 4, `${base} + ${k * 4}`, value)).join(' ');
  const m = ctx.region();
  if (m === null || !m.writable || values.length < 2) return one;
  const all = values.map((value, k) => `${m.id}w[k + ${k}] = ${value};`).join(' ');
  return `a = (${base}) >>> 0; o = a - ${m.base};` +
    ` if (o >= 0 && o <= ${m.size - 4 * values.length} && (a & 3) === 0 && ${m.id}.watching === 0 && ${m.id}.decoded === null) { const k = o >>> 2; ${all} } else { ${one} }`;
}

function plain(code: string, name: string): Emitted {
  return { code, name, extraCycles: 0, branchTarget: -1 };
}
/** A load or store: its slow cases leave the block before it (see EmitContext.bail). */
function memory(code: string, name: string, extraCycles = 0): Emitted {
  return { code, name, extraCycles, branchTarget: -1 };
}

function nz(x: string): string {
  return `fn = ${x} < 0; fz = ${x} === 0;`;
}

/** x + y + carry with all four flags: the result is left in the const `x` of the statement. */
function addWithFlags(ctx: EmitContext, a: string, b: string, carry: '0' | '1' | 'fc'): string {
  ctx.flags();
  if (carry === '0') {
    return `const p = ${a}, q = ${b}, x = (p + q) | 0; fc = (x >>> 0) < (p >>> 0); fv = ((p ^ x) & (q ^ x)) < 0; ${nz('x')}`;
  }
  const cin = carry === '1' ? '1' : '(fc ? 1 : 0)';
  return `const p = ${a}, q = ${b}, s = (p >>> 0) + (q >>> 0) + ${cin}, x = s | 0; fc = s > 0xffffffff; fv = ((p ^ x) & (q ^ x)) < 0; ${nz('x')}`;
}

/** a - b with flags (AddWithCarry(a, NOT b, 1)); result in `x`. */
function subWithFlags(ctx: EmitContext, a: string, b: string): string {
  ctx.flags();
  return `const p = ${a}, q = ${b}, x = (p - q) | 0; fc = (p >>> 0) >= (q >>> 0); fv = ((p ^ q) & (p ^ x)) < 0; ${nz('x')}`;
}

/** An immediate shift of the local `src` (types: 0 LSL, 1 LSR, 2 ASR, 3 ROR, 4 RRX; amount as
 *  DecodeImmShift gives it): the value expression and, when it changes C, the carry expression. */
function immShift(src: string, type: number, amount: number): { value: string; carry: string | null } {
  switch (type) {
    case 0:
      if (amount === 0) return { value: src, carry: null };
      return { value: `(${src} << ${amount})`, carry: `((${src} >>> ${32 - amount}) & 1) !== 0` };
    case 1:
      if (amount === 32) return { value: '0', carry: `${src} < 0` };
      return { value: `((${src} >>> ${amount}) | 0)`, carry: `((${src} >>> ${amount - 1}) & 1) !== 0` };
    case 2:
      if (amount === 32) return { value: `(${src} >> 31)`, carry: `${src} < 0` };
      return { value: `(${src} >> ${amount})`, carry: `((${src} >>> ${amount - 1}) & 1) !== 0` };
    case 3:
      return { value: `((${src} >>> ${amount}) | (${src} << ${32 - amount}))`, carry: `((${src} >>> ${amount - 1}) & 1) !== 0` };
    default:
      return { value: `((fc ? 0x80000000 : 0) | (${src} >>> 1))`, carry: `(${src} & 1) !== 0` };
  }
}

/** DecodeImmShift (A7.4.2): [type, amount]. */
function decodeImmShift(type: number, imm5: number): [number, number] {
  switch (type) {
    case 0: return [0, imm5];
    case 1: return [1, imm5 === 0 ? 32 : imm5];
    case 2: return [2, imm5 === 0 ? 32 : imm5];
    default: return imm5 === 0 ? [4, 1] : [3, imm5];
  }
}

function bitCount(mask: number): number {
  let count = 0;
  for (let m = mask; m !== 0; m &= m - 1) count++;
  return count;
}

function regMaskList(mask: number): number[] {
  const regs: number[] = [];
  for (let i = 0; i < 16; i++) if (mask & (1 << i)) regs.push(i);
  return regs;
}

/** Source for the instruction at address, or null when the block should call its closure. */
export function emitInstruction(ctx: EmitContext, hw1: number, hw2: number, address: number, profile: Profile): Emitted | null {
  return is32Bit(hw1) ? (profile === 'v6m' ? emitBl(ctx, hw1, hw2, address) : emit32(ctx, hw1, hw2, address)) : emit16(ctx, hw1, address, profile);
}

// ---- 16-bit ---------------------------------------------------------------------------------

function emit16(ctx: EmitContext, hw: number, address: number, profile: Profile): Emitted | null {
  const g = (i: number) => ctx.get(i);
  switch (hw >>> 12) {
    case 0x0: case 0x1: case 0x2: case 0x3: {
      const op = (hw >>> 9) & 0x1f;
      const d = hw & 7;
      const m = (hw >>> 3) & 7;
      const imm5 = (hw >>> 6) & 0x1f;
      const third = (hw >>> 6) & 7;
      const dn = (hw >>> 8) & 7;
      const imm8 = hw & 0xff;
      switch (op >>> 2) {
        case 0: case 1: case 2: {
          const type = op >>> 2;
          const [, amount] = decodeImmShift(type, imm5);
          ctx.flags();
          if (type === 0 && imm5 === 0) return plain(`{ const x = ${g(m)}; ${ctx.set(d, 'x')} ${nz('x')} }`, 'movs');
          const sh = immShift('y', type, amount);
          return plain(`{ const y = ${g(m)}, x = ${sh.value} | 0; fc = ${sh.carry}; ${ctx.set(d, 'x')} ${nz('x')} }`, ['lsls', 'lsrs', 'asrs'][type]);
        }
        case 3:
          switch (op & 3) {
            case 0: return plain(`{ ${addWithFlags(ctx, g(m), g(third), '0')} ${ctx.set(d, 'x')} }`, 'adds');
            case 1: return plain(`{ ${subWithFlags(ctx, g(m), g(third))} ${ctx.set(d, 'x')} }`, 'subs');
            case 2: return plain(`{ ${addWithFlags(ctx, g(m), String(third), '0')} ${ctx.set(d, 'x')} }`, 'adds');
            default: return plain(`{ ${subWithFlags(ctx, g(m), String(third))} ${ctx.set(d, 'x')} }`, 'subs');
          }
        case 4: ctx.flags(); return plain(`${ctx.set(dn, String(imm8))} fn = false; fz = ${imm8 === 0};`, 'movs');
        case 5: return plain(`{ ${subWithFlags(ctx, g(dn), String(imm8))} }`, 'cmp');
        case 6: return plain(`{ ${addWithFlags(ctx, g(dn), String(imm8), '0')} ${ctx.set(dn, 'x')} }`, 'adds');
        default: return plain(`{ ${subWithFlags(ctx, g(dn), String(imm8))} ${ctx.set(dn, 'x')} }`, 'subs');
      }
    }
    case 0x4:
      if ((hw & 0x0800) !== 0) { // LDR (literal)
        const t = (hw >>> 8) & 7;
        const target = (((address + 4) & ~3) + ((hw & 0xff) << 2)) >>> 0;
        return memory(`{ let v = 0; ${load(ctx, 'u32', String(target))} ${ctx.set(t, 'v')} }`, 'ldr');
      }
      if ((hw & 0x0400) === 0) return emitDataProcessing16(ctx, hw);
      return emitSpecial16(ctx, hw, address);
    case 0x5: {
      const op = (hw >>> 9) & 7;
      const t = hw & 7;
      const address = `${g((hw >>> 3) & 7)} + ${g((hw >>> 6) & 7)}`;
      return emitLoadStore16(ctx, op, t, address);
    }
    case 0x6: case 0x7: case 0x8: {
      const t = hw & 7;
      const n = (hw >>> 3) & 7;
      const imm5 = (hw >>> 6) & 0x1f;
      const load16 = (hw & 0x0800) !== 0;
      if ((hw >>> 12) === 0x8) return emitLoadStore16(ctx, load16 ? 5 : 1, t, `${g(n)} + ${imm5 << 1}`);
      if ((hw & 0x1000) === 0) return emitLoadStore16(ctx, load16 ? 4 : 0, t, `${g(n)} + ${imm5 << 2}`);
      return emitLoadStore16(ctx, load16 ? 6 : 2, t, `${g(n)} + ${imm5}`);
    }
    case 0x9: {
      const t = (hw >>> 8) & 7;
      const offset = (hw & 0xff) << 2;
      return emitLoadStore16(ctx, (hw & 0x0800) !== 0 ? 4 : 0, t, `${g(13)} + ${offset}`);
    }
    case 0xa: {
      const d = (hw >>> 8) & 7;
      const offset = (hw & 0xff) << 2;
      if ((hw & 0x0800) === 0) return plain(ctx.set(d, String((((address + 4) & ~3) + offset) | 0)), 'add');
      return plain(ctx.set(d, `${g(13)} + ${offset}`), 'add');
    }
    case 0xb:
      return emitMisc16(ctx, hw, address, profile);
    case 0xc: {
      const n = (hw >>> 8) & 7;
      const mask = hw & 0xff;
      if (mask === 0) return null;
      const regs = regMaskList(mask);
      if ((hw & 0x0800) === 0) {
        if ((mask & (1 << n)) !== 0 && regs[0] !== n) return null; // UNPREDICTABLE: leave it to the closure
        return emitStoreMultiple(ctx, n, regs, true, 'stmia', 0);
      }
      return emitLoadMultiple(ctx, n, regs, (mask & (1 << n)) === 0, 'ldmia', 0);
    }
    case 0xd: {
      const cond = (hw >>> 8) & 0xf;
      if (cond >= 0xe) return null;
      const target = (address + 4 + ((hw << 24) >> 23)) >>> 0;
      ctx.flags();
      return { code: `if (${conditionSource(cond)}) ${ctx.exit(target, 2)}`, name: `b${['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'][cond]}`, extraCycles: 0, branchTarget: target };
    }
    case 0xe:
      if ((hw & 0x0800) === 0) {
        const target = (address + 4 + ((hw << 21) >> 20)) >>> 0;
        return { code: '', name: 'b', extraCycles: 0, branchTarget: target };
      }
      return null;
  }
  return null;
}

function emitLoadStore16(ctx: EmitContext, op: number, t: number, address: string): Emitted {
  const g = (i: number) => ctx.get(i);
  switch (op) {
    case 0: return memory(`{ ${store(ctx, 4, address, g(t))} }`, 'str');
    case 1: return memory(`{ ${store(ctx, 2, address, g(t))} }`, 'strh');
    case 2: return memory(`{ ${store(ctx, 1, address, g(t))} }`, 'strb');
    case 3: return memory(`{ let v = 0; ${load(ctx, 's8', address)} ${ctx.set(t, 'v')} }`, 'ldrsb');
    case 4: return memory(`{ let v = 0; ${load(ctx, 'u32', address)} ${ctx.set(t, 'v')} }`, 'ldr');
    case 5: return memory(`{ let v = 0; ${load(ctx, 'u16', address)} ${ctx.set(t, 'v')} }`, 'ldrh');
    case 6: return memory(`{ let v = 0; ${load(ctx, 'u8', address)} ${ctx.set(t, 'v')} }`, 'ldrb');
    default: return memory(`{ let v = 0; ${load(ctx, 's16', address)} ${ctx.set(t, 'v')} }`, 'ldrsh');
  }
}

function emitDataProcessing16(ctx: EmitContext, hw: number): Emitted | null {
  const op = (hw >>> 6) & 0xf;
  const dn = hw & 7;
  const m = (hw >>> 3) & 7;
  const a = ctx.get(dn);
  const b = ctx.get(m);
  ctx.flags();
  const logical = (expr: string, name: string) => plain(`{ const x = ${expr}; ${ctx.set(dn, 'x')} ${nz('x')} }`, name);
  switch (op) {
    case 0x0: return logical(`${a} & ${b}`, 'ands');
    case 0x1: return logical(`${a} ^ ${b}`, 'eors');
    case 0x2: return plain(`{ const y = ${a}, k = ${b} & 0xff; let x = y;` +
      ` if (k !== 0) { if (k < 32) { x = y << k; fc = ((y >>> (32 - k)) & 1) !== 0; } else { x = 0; fc = k === 32 && (y & 1) !== 0; } }` +
      ` ${ctx.set(dn, 'x')} ${nz('x')} }`, 'lsls');
    case 0x3: return plain(`{ const y = ${a}, k = ${b} & 0xff; let x = y;` +
      ` if (k !== 0) { if (k < 32) { x = (y >>> k) | 0; fc = ((y >>> (k - 1)) & 1) !== 0; } else { x = 0; fc = k === 32 && y < 0; } }` +
      ` ${ctx.set(dn, 'x')} ${nz('x')} }`, 'lsrs');
    case 0x4: return plain(`{ const y = ${a}, k = ${b} & 0xff; let x = y;` +
      ` if (k !== 0) { if (k < 32) { x = y >> k; fc = ((y >>> (k - 1)) & 1) !== 0; } else { fc = y < 0; x = y >> 31; } }` +
      ` ${ctx.set(dn, 'x')} ${nz('x')} }`, 'asrs');
    case 0x5: return plain(`{ ${addWithFlags(ctx, a, b, 'fc')} ${ctx.set(dn, 'x')} }`, 'adcs');
    case 0x6: return plain(`{ ${addWithFlags(ctx, a, `~${b}`, 'fc')} ${ctx.set(dn, 'x')} }`, 'sbcs');
    case 0x7: return plain(`{ const y = ${a}, k = ${b} & 0xff; let x = y;` +
      ` if (k !== 0) { const j = k & 31; x = j === 0 ? y : (y >>> j) | (y << (32 - j)); fc = x < 0; }` +
      ` ${ctx.set(dn, 'x')} ${nz('x')} }`, 'rors');
    case 0x8: return plain(`{ const x = ${a} & ${b}; ${nz('x')} }`, 'tst');
    case 0x9: return plain(`{ ${subWithFlags(ctx, '0', b)} ${ctx.set(dn, 'x')} }`, 'negs');
    case 0xa: return plain(`{ ${subWithFlags(ctx, a, b)} }`, 'cmp');
    case 0xb: return plain(`{ ${addWithFlags(ctx, a, b, '0')} }`, 'cmn');
    case 0xc: return logical(`${a} | ${b}`, 'orrs');
    case 0xd: return logical(`Math.imul(${b}, ${a})`, 'muls');
    case 0xe: return logical(`${a} & ~${b}`, 'bics');
    default: return logical(`~${b}`, 'mvns');
  }
}

function emitSpecial16(ctx: EmitContext, hw: number, address: number): Emitted | null {
  const op = (hw >>> 8) & 3;
  const m = (hw >>> 3) & 0xf;
  const dn = ((hw >>> 4) & 8) | (hw & 7);
  if (op === 3 && (hw & 0x87) === 0 && m !== 15) { // BX Rm
    return { code: ctx.exitTo(ctx.get(m)), name: 'bx', extraCycles: 0, branchTarget: -1, leaves: true };
  }
  if (op === 3 && (hw & 0x87) === 0x80 && m !== 15) { // BLX Rm
    // BLXWritePC does not treat 0xFxxxxxxx as EXC_RETURN (the exit's BXWritePC would): the
    // interpreter takes those.
    const returnAddress = ((address + 2) | 1) >>> 0;
    return { code: `{ const t = ${ctx.get(m)} >>> 0; if ((t >>> 28) === 0xf) ${ctx.bail()} ${ctx.set(14, String(returnAddress))} ${ctx.exitTo('t')} }`,
      name: 'blx', extraCycles: 0, branchTarget: -1, leaves: true };
  }
  if (m === 15 || dn === 15 || op === 3) return null;
  switch (op) {
    case 0:
      if (dn === 13) return plain(ctx.set(13, `(${ctx.get(13)} + ${ctx.get(m)}) & ~3`), 'add');
      return plain(ctx.set(dn, `${ctx.get(dn)} + ${ctx.get(m)}`), 'add');
    case 1:
      return plain(`{ ${subWithFlags(ctx, ctx.get(dn), ctx.get(m))} }`, 'cmp');
    default:
      if (dn === 13) return plain(ctx.set(13, `${ctx.get(m)} & ~3`), 'mov');
      return plain(ctx.set(dn, ctx.get(m)), 'mov');
  }
}

function emitMisc16(ctx: EmitContext, hw: number, address: number, profile: Profile): Emitted | null {
  const op = (hw >>> 5) & 0x7f;
  const g = (i: number) => ctx.get(i);
  if ((op & 0x78) === 0x00) {
    const offset = (hw & 0x7f) << 2;
    return plain(ctx.set(13, `${g(13)} ${(hw & 0x80) === 0 ? '+' : '-'} ${offset}`), (hw & 0x80) === 0 ? 'add' : 'sub');
  }
  if ((hw & 0x0500) === 0x0100) { // CBZ / CBNZ
    if (profile === 'v6m') return null;
    const n = hw & 7;
    const nonZero = (hw & 0x0800) !== 0;
    const target = (address + 4 + ((((hw >>> 9) & 1) << 6) | (((hw >>> 3) & 0x1f) << 1))) >>> 0;
    return { code: `if (${g(n)} ${nonZero ? '!==' : '==='} 0) ${ctx.exit(target, 2)}`, name: nonZero ? 'cbnz' : 'cbz', extraCycles: 0, branchTarget: target };
  }
  if ((op & 0x78) === 0x10) {
    const d = hw & 7;
    const m = (hw >>> 3) & 7;
    switch ((hw >>> 6) & 3) {
      case 0: return plain(ctx.set(d, `(${g(m)} << 16) >> 16`), 'sxth');
      case 1: return plain(ctx.set(d, `(${g(m)} << 24) >> 24`), 'sxtb');
      case 2: return plain(ctx.set(d, `${g(m)} & 0xffff`), 'uxth');
      default: return plain(ctx.set(d, `${g(m)} & 0xff`), 'uxtb');
    }
  }
  if ((op & 0x70) === 0x20) { // PUSH
    if ((hw & 0x1ff) === 0) return null;
    const mask = (hw & 0xff) | ((hw & 0x100) << 6);
    return emitStoreMultiple(ctx, 13, regMaskList(mask), false, 'push', 0);
  }
  if ((op & 0x70) === 0x60) { // POP
    if ((hw & 0x1ff) === 0) return null;
    if ((hw & 0x100) === 0) return emitLoadMultiple(ctx, 13, regMaskList(hw & 0xff), true, 'pop', 0);
    return emitPopPc(ctx, regMaskList(hw & 0xff), 'pop', 0);
  }
  if ((op & 0x78) === 0x50) {
    const d = hw & 7;
    const m = (hw >>> 3) & 7;
    switch ((hw >>> 6) & 3) {
      case 0: return plain(`{ const y = ${g(m)}; ${ctx.set(d, '(y >>> 24) | ((y >>> 8) & 0xff00) | ((y << 8) & 0xff0000) | (y << 24)')} }`, 'rev');
      case 1: return plain(`{ const y = ${g(m)}; ${ctx.set(d, '((y >>> 8) & 0x00ff00ff) | ((y << 8) & 0xff00ff00)')} }`, 'rev16');
      case 3: return plain(`{ const y = ${g(m)}; ${ctx.set(d, '((y << 24) >> 16) | ((y >>> 8) & 0xff)')} }`, 'revsh');
      default: return null;
    }
  }
  if (hw === 0xbf00) return plain('', 'nop');
  return null;
}

/** POP / LDMIA SP! with the PC: the registers, then SP, then LoadWritePC (a return). */
function emitPopPc(ctx: EmitContext, regs: number[], name: string, extraCycles: number, alignSp = false): Emitted {
  const lines = [`const b = ${ctx.get(13)};`, loadWords(ctx, 'b', regs.length + 1), `const target = w${regs.length};`];
  regs.forEach((i, k) => lines.push(ctx.set(i, `w${k}`)));
  lines.push(ctx.set(13, `b + ${(regs.length + 1) * 4}${alignSp ? ' & ~3' : ''}`));
  lines.push(ctx.exitTo('target'));
  return { code: `{ ${lines.join(' ')} }`, name, extraCycles, branchTarget: -1, leaves: true };
}

/** STMIA Rn! / PUSH (STMDB SP!): stores in register order, the base written once all succeeded. */
function emitStoreMultiple(ctx: EmitContext, n: number, regs: number[], increment: boolean, name: string, extraCycles: number): Emitted {
  const bytes = regs.length * 4;
  const lines = [`const b = ${ctx.get(n)}, s = ${increment ? 'b' : `(b - ${bytes}) | 0`};`];
  lines.push(storeWords(ctx, 's', regs.map((i) => ctx.get(i))));
  lines.push(ctx.set(n, increment ? `b + ${bytes}` : 's'));
  return memory(`{ ${lines.join(' ')} }`, name, extraCycles);
}

/** LDMIA Rn{!} / POP without the PC: every word is loaded before any register is written. */
function emitLoadMultiple(ctx: EmitContext, n: number, regs: number[], writeback: boolean, name: string, extraCycles: number): Emitted {
  const lines = [`const b = ${ctx.get(n)};`, loadWords(ctx, 'b', regs.length)];
  if (writeback) lines.push(ctx.set(n, `b + ${regs.length * 4}`));
  regs.forEach((i, k) => lines.push(ctx.set(i, `w${k}`)));
  return memory(`{ ${lines.join(' ')} }`, name, extraCycles);
}

// ---- 32-bit -----------------------------------------------------------------------------------

/** BL (and B.W on ARMv7-M): the block follows the target. */
function emitBl(ctx: EmitContext, hw1: number, hw2: number, address: number): Emitted | null {
  if ((hw1 & 0xf800) !== 0xf000 || (hw2 & 0xd000) !== 0xd000) return null;
  const s = (hw1 >>> 10) & 1;
  const i1 = ((hw2 >>> 13) & 1) ^ s ^ 1;
  const i2 = ((hw2 >>> 11) & 1) ^ s ^ 1;
  const offset = ((((s << 24) | (i1 << 23) | (i2 << 22) | ((hw1 & 0x3ff) << 12) | ((hw2 & 0x7ff) << 1)) << 7) >> 7);
  const target = (address + 4 + offset) >>> 0;
  return { code: ctx.set(14, String(((address + 4) | 1) | 0)), name: 'bl', extraCycles: 0, branchTarget: target };
}

function emit32(ctx: EmitContext, hw1: number, hw2: number, address: number): Emitted | null {
  if ((hw1 & 0xf800) === 0xf000 && (hw2 & 0x8000) !== 0) return emitBranch32(ctx, hw1, hw2, address);
  if ((hw1 & 0xfa00) === 0xf000 && (hw2 & 0x8000) === 0) return emitModifiedImmediate(ctx, hw1, hw2);
  if ((hw1 & 0xfa00) === 0xf200 && (hw2 & 0x8000) === 0) return emitPlainImmediate(ctx, hw1, hw2);
  if ((hw1 & 0xfe00) === 0xea00) return emitShiftedRegister(ctx, hw1, hw2);
  if ((hw1 & 0xff00) === 0xfa00 && (hw2 & 0xf000) === 0xf000) return emitRegister32(ctx, hw1, hw2);
  if ((hw1 & 0xfe00) === 0xf800) return emitLoadStore32(ctx, hw1, hw2, address);
  if ((hw1 & 0xfff0) === 0xfb00 && (hw2 & 0xe0) === 0) return emitMultiply(ctx, hw1, hw2);
  if ((hw1 & 0xfe40) === 0xe800 && (hw1 & 0x0180) !== 0 && (hw1 & 0x0180) !== 0x0180) return emitLoadStoreMultiple32(ctx, hw1, hw2);
  if ((hw1 & 0xfe40) === 0xe840 && ((hw1 & 0x100) !== 0 || (hw1 & 0x20) !== 0)) return emitLoadStoreDual(ctx, hw1, hw2);
  return null;
}

/** LDRD/STRD (immediate): MemA word accesses, lower address first; the base written last. */
function emitLoadStoreDual(ctx: EmitContext, hw1: number, hw2: number): Emitted | null {
  const p = (hw1 & 0x100) !== 0;
  const w = (hw1 & 0x20) !== 0;
  const isLoad = (hw1 & 0x10) !== 0;
  const n = hw1 & 0xf;
  const t = hw2 >>> 12;
  const t2 = (hw2 >>> 8) & 0xf;
  const offset = (hw1 & 0x80) !== 0 ? (hw2 & 0xff) << 2 : -((hw2 & 0xff) << 2);
  if (n === 15 || !ordinary(t) || !ordinary(t2) || (w && (t === n || t2 === n))) return null;
  const lines = [`const b = ${ctx.get(n)}, e = (b + ${offset}) | 0, s = ${p ? 'e' : 'b'};`];
  if (isLoad) {
    lines.push(loadWords(ctx, 's', 2));
    lines.push(`${ctx.set(t, 'w0')} ${ctx.set(t2, 'w1')}`);
  } else {
    lines.push(storeWords(ctx, 's', [ctx.get(t), ctx.get(t2)]));
  }
  if (w) lines.push(ctx.set(n, n === 13 ? 'e & ~3' : 'e'));
  return memory(`{ ${lines.join(' ')} }`, isLoad ? 'ldrd' : 'strd');
}

function emitBranch32(ctx: EmitContext, hw1: number, hw2: number, address: number): Emitted | null {
  if ((hw2 & 0xd000) === 0xd000) return emitBl(ctx, hw1, hw2, address);
  if ((hw2 & 0xd000) === 0x9000) {
    const s = (hw1 >>> 10) & 1;
    const i1 = ((hw2 >>> 13) & 1) ^ s ^ 1;
    const i2 = ((hw2 >>> 11) & 1) ^ s ^ 1;
    const offset = ((((s << 24) | (i1 << 23) | (i2 << 22) | ((hw1 & 0x3ff) << 12) | ((hw2 & 0x7ff) << 1)) << 7) >> 7);
    return { code: '', name: 'b', extraCycles: 0, branchTarget: (address + 4 + offset) >>> 0 };
  }
  if ((hw2 & 0xd000) === 0x8000) {
    const cond = (hw1 >>> 6) & 0xf;
    if (cond >= 0xe) return null;
    const s = (hw1 >>> 10) & 1;
    const j1 = (hw2 >>> 13) & 1;
    const j2 = (hw2 >>> 11) & 1;
    const offset = (((s << 20) | (j2 << 19) | (j1 << 18) | ((hw1 & 0x3f) << 12) | ((hw2 & 0x7ff) << 1)) << 11) >> 11;
    const target = (address + 4 + offset) >>> 0;
    ctx.flags();
    return { code: `if (${conditionSource(cond)}) ${ctx.exit(target, 2)}`, name: `b${['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'][cond]}`, extraCycles: 0, branchTarget: target };
  }
  return null;
}

const DP_NAMES: Record<number, string> = { 0: 'and', 1: 'bic', 2: 'orr', 3: 'orn', 4: 'eor', 8: 'add', 10: 'adc', 11: 'sbc', 13: 'sub', 14: 'rsb' };

/** Registers an operand may be in the emitted forms: not the SP, not the PC. */
function ordinary(i: number): boolean {
  return i !== 13 && i !== 15;
}

/** The shared body of the modified-immediate and shifted-register forms. `operand` is the second
 *  operand's expression, `carry` the carry it produces for the logical forms with S (null: C is
 *  unchanged); `prelude` declares what they use. */
function dataProcessing(ctx: EmitContext, op: number, s: boolean, d: number, n: number, prelude: string, operand: string, carry: string | null): Emitted | null {
  const name = DP_NAMES[op];
  if (name === undefined) return null;
  const logical = op <= 4;
  const setCarry = carry === null ? '' : `fc = ${carry};`;
  if (d === 15) {
    if (!s || !ordinary(n)) return null;
    if (op === 0 || op === 4) { // TST / TEQ
      ctx.flags();
      return plain(`{ ${prelude} const x = ${ctx.get(n)} ${op === 0 ? '&' : '^'} ${operand}; ${nz('x')} ${setCarry} }`, op === 0 ? 'tst' : 'teq');
    }
    if (op === 8) return plain(`{ ${prelude} ${addWithFlags(ctx, ctx.get(n), operand, '0')} }`, 'cmn');
    if (op === 13) return plain(`{ ${prelude} ${subWithFlags(ctx, ctx.get(n), operand)} }`, 'cmp');
    return null;
  }
  if (!ordinary(d)) return null;
  if (logical && n === 15 && (op === 2 || op === 3)) { // MOV / MVN
    const value = op === 2 ? operand : `~${operand}`;
    if (!s) return plain(`{ ${prelude} ${ctx.set(d, value)} }`, op === 2 ? 'mov' : 'mvn');
    ctx.flags();
    return plain(`{ ${prelude} const x = ${value}; ${setCarry} ${ctx.set(d, 'x')} ${nz('x')} }`, op === 2 ? 'movs' : 'mvns');
  }
  if (n === 15 || (n === 13 && logical)) return null;
  const a = ctx.get(n);
  const sname = `${name}${s ? 's' : ''}`;
  if (logical) {
    const expr = op === 0 ? `${a} & ${operand}` : op === 1 ? `${a} & ~${operand}` : op === 2 ? `${a} | ${operand}` : op === 3 ? `${a} | ~${operand}` : `${a} ^ ${operand}`;
    if (!s) return plain(`{ ${prelude} ${ctx.set(d, expr)} }`, sname);
    ctx.flags();
    return plain(`{ ${prelude} const x = ${expr}; ${setCarry} ${ctx.set(d, 'x')} ${nz('x')} }`, sname);
  }
  if (!s) {
    switch (op) {
      case 8: return plain(`{ ${prelude} ${ctx.set(d, `${a} + ${operand}`)} }`, sname);
      case 13: return plain(`{ ${prelude} ${ctx.set(d, `${a} - ${operand}`)} }`, sname);
      case 14: return plain(`{ ${prelude} ${ctx.set(d, `${operand} - ${a}`)} }`, sname);
      case 10: ctx.flags(); return plain(`{ ${prelude} ${ctx.set(d, `${a} + ${operand} + (fc ? 1 : 0)`)} }`, sname);
      default: ctx.flags(); return plain(`{ ${prelude} ${ctx.set(d, `${a} + ~${operand} + (fc ? 1 : 0)`)} }`, sname);
    }
  }
  switch (op) {
    case 8: return plain(`{ ${prelude} ${addWithFlags(ctx, a, operand, '0')} ${ctx.set(d, 'x')} }`, sname);
    case 13: return plain(`{ ${prelude} ${subWithFlags(ctx, a, operand)} ${ctx.set(d, 'x')} }`, sname);
    case 14: return plain(`{ ${prelude} ${subWithFlags(ctx, operand, a)} ${ctx.set(d, 'x')} }`, sname);
    case 10: return plain(`{ ${prelude} ${addWithFlags(ctx, a, operand, 'fc')} ${ctx.set(d, 'x')} }`, sname);
    default: return plain(`{ ${prelude} ${addWithFlags(ctx, a, `~${operand}`, 'fc')} ${ctx.set(d, 'x')} }`, sname);
  }
}

/** ThumbExpandImm_C: [value, carry] with carry -1 when C is unchanged. */
function expandImmediate(imm12: number): [number, number] {
  if ((imm12 >>> 10) === 0) {
    const imm8 = imm12 & 0xff;
    switch ((imm12 >>> 8) & 3) {
      case 0: return [imm8, -1];
      case 1: return [(imm8 << 16) | imm8, -1];
      case 2: return [(imm8 << 24) | (imm8 << 8), -1];
      default: return [(imm8 << 24) | (imm8 << 16) | (imm8 << 8) | imm8, -1];
    }
  }
  const unrotated = 0x80 | (imm12 & 0x7f);
  const rot = (imm12 >>> 7) & 0x1f;
  const value = (unrotated >>> rot) | (unrotated << (32 - rot));
  return [value, value < 0 ? 1 : 0];
}

function emitModifiedImmediate(ctx: EmitContext, hw1: number, hw2: number): Emitted | null {
  const op = (hw1 >>> 5) & 0xf;
  const s = (hw1 & 0x10) !== 0;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const imm12 = ((hw1 & 0x400) << 1) | ((hw2 >>> 4) & 0x700) | (hw2 & 0xff);
  const [value, carry] = expandImmediate(imm12);
  return dataProcessing(ctx, op, s, d, n, '', `(${value | 0})`, carry < 0 ? null : String(carry === 1));
}

function emitPlainImmediate(ctx: EmitContext, hw1: number, hw2: number): Emitted | null {
  const op = (hw1 >>> 4) & 0x1f;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const imm12 = ((hw1 & 0x400) << 1) | ((hw2 >>> 4) & 0x700) | (hw2 & 0xff);
  const imm5 = ((hw2 >>> 10) & 0x1c) | ((hw2 >>> 6) & 3);
  const low5 = hw2 & 0x1f;
  if (!ordinary(d)) return null;
  if ((op & 0b10000) !== 0 && ((hw1 & 0x400) !== 0 || (hw2 & 0x20) !== 0)) return null;
  switch (op) {
    case 0b00000: case 0b01010:
      if (n === 15) return null;
      return plain(ctx.set(d, `${ctx.get(n)} ${op === 0 ? '+' : '-'} ${imm12}`), op === 0 ? 'addw' : 'subw');
    case 0b00100:
      return plain(ctx.set(d, String((n << 12) | imm12)), 'movw');
    case 0b01100:
      return plain(ctx.set(d, `(${ctx.get(d)} & 0xffff) | ${((n << 12) | imm12) << 16}`), 'movt');
    case 0b10100: case 0b11100: {
      if (!ordinary(n) || imm5 + low5 > 31) return null;
      const up = 32 - (low5 + 1);
      const down = up - imm5;
      return op === 0b10100
        ? plain(ctx.set(d, `(${ctx.get(n)} << ${down}) >> ${up}`), 'sbfx')
        : plain(ctx.set(d, `((${ctx.get(n)} << ${down}) >>> ${up}) | 0`), 'ubfx');
    }
    case 0b10110: {
      if (n === 13 || low5 < imm5) return null;
      const width = low5 - imm5 + 1;
      const mask = width === 32 ? -1 : (((1 << width) - 1) << imm5) | 0;
      if (n === 15) return plain(ctx.set(d, `${ctx.get(d)} & ${~mask}`), 'bfc');
      return plain(ctx.set(d, `(${ctx.get(d)} & ${~mask}) | ((${ctx.get(n)} << ${imm5}) & ${mask})`), 'bfi');
    }
    default:
      return null;
  }
}

function emitShiftedRegister(ctx: EmitContext, hw1: number, hw2: number): Emitted | null {
  const op = (hw1 >>> 5) & 0xf;
  const s = (hw1 & 0x10) !== 0;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  if ((hw2 & 0x8000) !== 0 || !ordinary(m) || op === 6) return null;
  const [type, amount] = decodeImmShift((hw2 >>> 4) & 3, ((hw2 >>> 10) & 0x1c) | ((hw2 >>> 6) & 3));
  const shifted = immShift('y', type, amount);
  // The carry is only used by the logical forms with S (and the compare TST/TEQ); RRX reads C.
  if (type === 4) ctx.flags();
  const logicalS = op <= 4 && s;
  const result = dataProcessing(ctx, op, s, d, n, `const y = ${ctx.get(m)}, z = ${shifted.value} | 0;`, 'z', logicalS ? shifted.carry : null);
  if (result === null) return null;
  // The decoder names the move forms by their shift (lsl, lsr, asr, ror, rrx).
  if (n === 15 && op === 2 && !(type === 0 && amount === 0)) result.name = `${['lsl', 'lsr', 'asr', 'ror', 'rrx'][type]}${s ? 's' : ''}`;
  return result;
}

/** Data processing (register), A5.3.12/A5.3.13: shifts by a register, the plain extends, CLZ
 *  and the byte reversals. */
function emitRegister32(ctx: EmitContext, hw1: number, hw2: number): Emitted | null {
  const op1 = (hw1 >>> 4) & 0xf;
  const op2 = (hw2 >>> 4) & 0xf;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  if (!ordinary(d) || !ordinary(m)) return null;
  if (op1 < 8 && op2 === 0) {
    if (!ordinary(n)) return null;
    const type = (hw1 >>> 5) & 3;
    const s = (hw1 & 0x10) !== 0;
    const name = `${['lsl', 'lsr', 'asr', 'ror'][type]}${s ? 's' : ''}`;
    // Shift_C by Rm[7:0] (A7.4.2): 0 keeps the value (and C); 32 and more per type.
    const shifts = [
      'if (k < 32) { x = y << k; c = ((y >>> (32 - k)) & 1) !== 0; } else { x = 0; c = k === 32 && (y & 1) !== 0; }',
      'if (k < 32) { x = (y >>> k) | 0; c = ((y >>> (k - 1)) & 1) !== 0; } else { x = 0; c = k === 32 && y < 0; }',
      'if (k < 32) { x = y >> k; c = ((y >>> (k - 1)) & 1) !== 0; } else { x = y >> 31; c = y < 0; }',
      'const j = k & 31; x = j === 0 ? y : (y >>> j) | (y << (32 - j)); c = x < 0;',
    ];
    if (s) ctx.flags();
    const flags = s ? ` fc = c; ${nz('x')}` : '';
    return plain(`{ const y = ${ctx.get(n)}, k = ${ctx.get(m)} & 0xff; let x = y, c = ${s ? 'fc' : 'false'}; if (k !== 0) { ${shifts[type]} } ${ctx.set(d, 'x')}${flags} }`, name);
  }
  if (op1 < 8 && (op2 & 8) !== 0) {
    if (op1 > 5 || op1 === 2 || op1 === 3 || (hw2 & 0x40) !== 0 || n !== 15) return null;
    const rotation = ((hw2 >>> 4) & 3) << 3;
    const rotated = rotation === 0 ? 'y' : `((y >>> ${rotation}) | (y << ${32 - rotation}))`;
    const value = { 0: `(${rotated} << 16) >> 16`, 1: `${rotated} & 0xffff`, 4: `(${rotated} << 24) >> 24`, 5: `${rotated} & 0xff` }[op1 as 0 | 1 | 4 | 5];
    return plain(`{ const y = ${ctx.get(m)}; ${ctx.set(d, value)} }`, { 0: 'sxth', 1: 'uxth', 4: 'sxtb', 5: 'uxtb' }[op1 as 0 | 1 | 4 | 5]);
  }
  if ((op1 & 0xc) === 8 && (op2 & 0xc) === 8) {
    const kind = ((op1 & 3) << 2) | (op2 & 3);
    switch (kind) {
      case 0b0100: return plain(`{ const y = ${ctx.get(m)}; ${ctx.set(d, '(y << 24) | ((y & 0xff00) << 8) | ((y >>> 8) & 0xff00) | (y >>> 24)')} }`, 'rev');
      case 0b0101: return plain(`{ const y = ${ctx.get(m)}; ${ctx.set(d, '((y & 0x00ff00ff) << 8) | ((y >>> 8) & 0x00ff00ff)')} }`, 'rev16');
      case 0b0111: return plain(`{ const y = ${ctx.get(m)}; ${ctx.set(d, '(((y & 0xff) << 24) >> 16) | ((y >>> 8) & 0xff)')} }`, 'revsh');
      case 0b1100: return plain(ctx.set(d, `Math.clz32(${ctx.get(m)})`), 'clz');
      default: return null;
    }
  }
  return null;
}

function emitLoadStore32(ctx: EmitContext, hw1: number, hw2: number, address: number): Emitted | null {
  const isLoad = (hw1 & 0x10) !== 0;
  const size = (hw1 >>> 5) & 3;
  const signed = (hw1 & 0x100) !== 0;
  const n = hw1 & 0xf;
  const t = hw2 >>> 12;
  if (size === 3 || (signed && (size === 2 || !isLoad)) || !ordinary(t)) return null;
  const kind: LoadKind = size === 2 ? 'u32' : size === 1 ? (signed ? 's16' : 'u16') : (signed ? 's8' : 'u8');
  const name = isLoad ? { u32: 'ldr', u16: 'ldrh', u8: 'ldrb', s16: 'ldrsh', s8: 'ldrsb' }[kind] : ['strb', 'strh', 'str'][size];
  const access = (addr: string) => isLoad
    ? `let v = 0; ${load(ctx, kind, addr)} ${ctx.set(t, 'v')}`
    : store(ctx, SIZE[kind] as 1 | 2 | 4, addr, ctx.get(t));
  if (n === 15) {
    if (!isLoad) return null;
    const imm12 = hw2 & 0xfff;
    const target = (((address + 4) & ~3) + ((hw1 & 0x80) !== 0 ? imm12 : -imm12)) >>> 0;
    return memory(`{ ${access(String(target))} }`, name);
  }
  if ((hw1 & 0x80) !== 0) return memory(`{ ${access(`${ctx.get(n)} + ${hw2 & 0xfff}`)} }`, name);
  if ((hw2 & 0x800) !== 0) {
    const p = (hw2 & 0x400) !== 0;
    const u = (hw2 & 0x200) !== 0;
    const w = (hw2 & 0x100) !== 0;
    if ((!p && !w) || (p && u && !w)) return null;
    const offset = u ? hw2 & 0xff : -(hw2 & 0xff);
    if (!w) return memory(`{ ${access(`${ctx.get(n)} + ${offset}`)} }`, name);
    // Writeback with Rt = Rn is UNPREDICTABLE: the closure decides.
    if (t === n) return null;
    const base = (value: string) => n === 13 ? ctx.set(13, `(${value}) & ~3`) : ctx.set(n, value);
    if (isLoad) {
      // The loaded value is written after the base, as the closure does.
      const e = p
        ? `const e = (${ctx.get(n)} + ${offset}) | 0; let v = 0; ${load(ctx, kind, 'e')} ${base('e')} ${ctx.set(t, 'v')}`
        : `const e = ${ctx.get(n)}; let v = 0; ${load(ctx, kind, 'e')} ${base(`e + ${offset}`)} ${ctx.set(t, 'v')}`;
      return memory(`{ ${e} }`, name);
    }
    const e = p
      ? `const e = (${ctx.get(n)} + ${offset}) | 0; ${store(ctx, SIZE[kind] as 1 | 2 | 4, 'e', ctx.get(t))} ${base('e')}`
      : `const e = ${ctx.get(n)}; ${store(ctx, SIZE[kind] as 1 | 2 | 4, 'e', ctx.get(t))} ${base(`e + ${offset}`)}`;
    return memory(`{ ${e} }`, name);
  }
  if ((hw2 & 0xfc0) === 0) {
    const m = hw2 & 0xf;
    if (!ordinary(m)) return null;
    return memory(`{ ${access(`${ctx.get(n)} + (${ctx.get(m)} << ${(hw2 >>> 4) & 3})`)} }`, name);
  }
  return null;
}

function emitMultiply(ctx: EmitContext, hw1: number, hw2: number): Emitted | null {
  const op2 = (hw2 >>> 4) & 3;
  const n = hw1 & 0xf;
  const a = hw2 >>> 12;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  if (op2 > 1 || !ordinary(n) || !ordinary(m) || !ordinary(d) || a === 13) return null;
  const product = `Math.imul(${ctx.get(n)}, ${ctx.get(m)})`;
  if (op2 === 1) return a === 15 ? null : plain(ctx.set(d, `${ctx.get(a)} - ${product}`), 'mls');
  if (a === 15) return plain(ctx.set(d, product), 'mul');
  return plain(ctx.set(d, `${product} + ${ctx.get(a)}`), 'mla');
}

function emitLoadStoreMultiple32(ctx: EmitContext, hw1: number, hw2: number): Emitted | null {
  const increment = ((hw1 >>> 7) & 3) === 1;
  const w = (hw1 & 0x20) !== 0;
  const isLoad = (hw1 & 0x10) !== 0;
  const n = hw1 & 0xf;
  const list = hw2;
  if (isLoad && increment && w && n === 13 && (list & 0xe000) === 0x8000) {
    // POP.W with the PC (a function return); LDM with the PC otherwise is left to the closure.
    return emitPopPc(ctx, regMaskList(list & 0x1fff), 'pop', bitCount(list) + 2, true);
  }
  if (n === 15 || (list & 0xa000) !== 0 || (w && (list & (1 << n)) !== 0) || list === 0) return null;
  const regs = regMaskList(list);
  const count = regs.length;
  const bytes = count * 4;
  const stack = n === 13 && w;
  if (isLoad) {
    const name = stack && increment ? 'pop' : increment ? 'ldmia' : 'ldmdb';
    const lines = [`const b = ${ctx.get(n)}, s = ${increment ? 'b' : `(b - ${bytes}) | 0`};`, loadWords(ctx, 's', count)];
    if (w) lines.push(n === 13 ? ctx.set(13, `(b ${increment ? '+' : '-'} ${bytes}) & ~3`) : ctx.set(n, `b ${increment ? '+' : '-'} ${bytes}`));
    regs.forEach((i, k) => lines.push(ctx.set(i, `w${k}`)));
    return memory(`{ ${lines.join(' ')} }`, name, count);
  }
  const name = stack && !increment ? 'push' : increment ? 'stmia' : 'stmdb';
  const lines = [`const b = ${ctx.get(n)}, s = ${increment ? 'b' : `(b - ${bytes}) | 0`};`, storeWords(ctx, 's', regs.map((i) => ctx.get(i)))];
  if (w) lines.push(n === 13 ? ctx.set(13, `(b ${increment ? '+' : '-'} ${bytes}) & ~3`) : ctx.set(n, `b ${increment ? '+' : '-'} ${bytes}`));
  return memory(`{ ${lines.join(' ')} }`, name, count);
}
