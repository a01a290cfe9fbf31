// Load/store single data item (A5.3.7 load byte/memory hints, A5.3.8 load halfword, A5.3.9 load
// word, A5.3.10 store single): immediate offset (imm12, negative imm8), pre/post-indexed with
// writeback, register offset with LSL #0-3, PC-relative literal, the unprivileged LDRT/STRT family
// and the PLD/PLI hints. Accesses go through MemU (cpu.read32 etc.), so unaligned word and halfword
// accesses are allowed unless CCR.UNALIGN_TRP is set.

import type { Cpu, Profile } from '../cpu';
import type { Decoded, Exec } from '../decoded';
import { hexAddr, insn, reg, undef } from './common';

const enum Kind { U8 = 0, U16 = 1, U32 = 2, S8 = 4, S16 = 5 }

const LOAD_NAMES: Record<number, string> = { 0: 'ldrb', 1: 'ldrh', 2: 'ldr', 4: 'ldrsb', 5: 'ldrsh' };
const STORE_NAMES: Record<number, string> = { 0: 'strb', 1: 'strh', 2: 'str' };

/** Extra cycles when a load writes the PC (pipeline refill). */
const LOAD_PC_REFILL = 2;

function loadValue(cpu: Cpu, kind: Kind, address: number): number {
  switch (kind) {
    case Kind.U8: return cpu.read8(address);
    case Kind.U16: return cpu.read16(address);
    case Kind.U32: return cpu.read32(address);
    case Kind.S8: return (cpu.read8(address) << 24) >> 24;
    default: return (cpu.read16(address) << 16) >> 16;
  }
}

function storeValue(cpu: Cpu, kind: Kind, address: number, value: number): void {
  switch (kind) {
    case Kind.U8: cpu.write8(address, value & 0xff); break;
    case Kind.U16: cpu.write16(address, value & 0xffff); break;
    default: cpu.write32(address, value); break;
  }
}

/** R[t] = loaded value: LoadWritePC for the PC (interworking, EXC_RETURN), SP keeps bits 1:0 clear. */
function writeLoaded(cpu: Cpu, t: number, value: number): void {
  if (t === 15) {
    cpu.bxWritePc(value);
    cpu.cycles += LOAD_PC_REFILL;
  } else if (t === 13) {
    cpu.r[13] = value & ~3;
  } else {
    cpu.r[t] = value;
  }
}

function writeBase(cpu: Cpu, n: number, value: number): void {
  cpu.r[n] = n === 13 ? value & ~3 : value;
}

/** The register value a store reads for Rt (PC reads as the instruction address + 4). */
function storeSource(t: number, address: number): number {
  return t === 15 ? (address + 4) >>> 0 : -1;
}

export function decodeLoadStoreSingle(hw1: number, hw2: number, address: number, _profile: Profile): Decoded {
  const load = (hw1 & 0x10) !== 0;
  const size = (hw1 >>> 5) & 3;
  const signed = (hw1 & 0x100) !== 0;
  const n = hw1 & 0xf;
  const t = hw2 >>> 12;
  if (size === 3) return undef(hw1, hw2);
  if (!load && (signed || n === 15)) return undef(hw1, hw2);
  if (signed && size === 2) return undef(hw1, hw2);
  const kind = (size | (signed ? 4 : 0)) as Kind;
  const hint = load && t === 15 && size < 2;
  const name = load ? LOAD_NAMES[kind] : STORE_NAMES[kind];
  const cycles = load ? 2 : 1;

  if (load && n === 15) {
    // Literal: Align(PC, 4) ± imm12, folded to a constant address.
    const imm12 = hw2 & 0xfff;
    const up = (hw1 & 0x80) !== 0;
    const target = ((((address + 4) & ~3) + (up ? imm12 : -imm12)) >>> 0);
    const text = () => `${hint ? hintName(kind) : `${name}.w ${reg(t)},`} [pc, #${up ? '' : '-'}${imm12}]\t; (${hexAddr(target)})`;
    if (hint) return insn(() => {}, 1, text);
    if (kind === Kind.U32 && t < 13) return insn((cpu) => { cpu.r[t] = cpu.read32(target); }, cycles, text);
    return insn((cpu) => { writeLoaded(cpu, t, loadValue(cpu, kind, target)); }, cycles, text);
  }

  let offset: number;
  let index = true;
  let writeback = false;
  let unprivileged = false;
  if (hw1 & 0x80) {
    offset = hw2 & 0xfff;
  } else if (hw2 & 0x800) {
    const p = (hw2 & 0x400) !== 0;
    const u = (hw2 & 0x200) !== 0;
    const w = (hw2 & 0x100) !== 0;
    if (!p && !w) return undef(hw1, hw2);
    offset = u ? hw2 & 0xff : -(hw2 & 0xff);
    index = p;
    writeback = w;
    // LDRT/STRT...: an unprivileged access. Without an MPU, privilege does not change the result.
    unprivileged = p && u && !w;
  } else if ((hw2 & 0xfc0) === 0) {
    return registerOffset(hw1, hw2, address, load, kind, hint, name, cycles);
  } else {
    return undef(hw1, hw2);
  }

  const memText = !index ? `[${reg(n)}], #${offset}`
    : `[${reg(n)}${offset === 0 && !writeback ? '' : `, #${offset}`}]${writeback ? '!' : ''}`;
  const asm = hint ? () => `${hintName(kind)} ${memText}`
    : () => `${name}${unprivileged ? 't' : '.w'} ${reg(t)}, ${memText}`;
  // A hint slot with writeback or the unprivileged form is UNPREDICTABLE; treated as UNDEFINED.
  if (hint && (writeback || unprivileged || !index)) return undef(hw1, hw2);
  if (hint) return insn(() => {}, 1, asm);

  if (!writeback) {
    if (load) return insn(offsetLoad(kind, t, n, offset), cycles, asm);
    const source = storeSource(t, address);
    return insn(offsetStore(kind, t, n, offset, source), cycles, asm);
  }
  let exec: Exec;
  if (load) {
    exec = index
      ? (cpu) => { const a = (cpu.r[n] + offset) >>> 0; const v = loadValue(cpu, kind, a); writeBase(cpu, n, a); writeLoaded(cpu, t, v); }
      : (cpu) => { const a = cpu.r[n]; const v = loadValue(cpu, kind, a); writeBase(cpu, n, a + offset); writeLoaded(cpu, t, v); };
  } else {
    const source = storeSource(t, address);
    exec = index
      ? (cpu) => { const a = (cpu.r[n] + offset) >>> 0; storeValue(cpu, kind, a, source < 0 ? cpu.r[t] : source); writeBase(cpu, n, a); }
      : (cpu) => { const a = cpu.r[n]; storeValue(cpu, kind, a, source < 0 ? cpu.r[t] : source); writeBase(cpu, n, a + offset); };
  }
  return insn(exec, cycles, asm);
}

function hintName(kind: Kind): string {
  return kind === Kind.U8 ? 'pld' : kind === Kind.S8 ? 'pli' : 'nop.w\t; hint';
}

/** [Rn, #offset] without writeback: the most common shape, specialised per access size. */
function offsetLoad(kind: Kind, t: number, n: number, offset: number): Exec {
  if (t < 13) {
    switch (kind) {
      case Kind.U32: return (cpu) => { cpu.r[t] = cpu.read32(cpu.r[n] + offset); };
      case Kind.U8: return (cpu) => { cpu.r[t] = cpu.read8(cpu.r[n] + offset); };
      case Kind.U16: return (cpu) => { cpu.r[t] = cpu.read16(cpu.r[n] + offset); };
      case Kind.S8: return (cpu) => { cpu.r[t] = (cpu.read8(cpu.r[n] + offset) << 24) >> 24; };
      default: return (cpu) => { cpu.r[t] = (cpu.read16(cpu.r[n] + offset) << 16) >> 16; };
    }
  }
  return (cpu) => { writeLoaded(cpu, t, loadValue(cpu, kind, cpu.r[n] + offset)); };
}

function offsetStore(kind: Kind, t: number, n: number, offset: number, source: number): Exec {
  if (source >= 0) return (cpu) => { storeValue(cpu, kind, cpu.r[n] + offset, source); };
  switch (kind) {
    case Kind.U32: return (cpu) => { cpu.write32(cpu.r[n] + offset, cpu.r[t]); };
    case Kind.U8: return (cpu) => { cpu.write8(cpu.r[n] + offset, cpu.r[t] & 0xff); };
    default: return (cpu) => { cpu.write16(cpu.r[n] + offset, cpu.r[t] & 0xffff); };
  }
}

/** [Rn, Rm, LSL #imm2] (A7.7.44 etc.). */
function registerOffset(hw1: number, hw2: number, address: number, load: boolean, kind: Kind, hint: boolean, name: string, cycles: number): Decoded {
  const n = hw1 & 0xf;
  const t = hw2 >>> 12;
  const m = hw2 & 0xf;
  const sh = (hw2 >>> 4) & 3;
  const memText = `[${reg(n)}, ${reg(m)}${sh ? `, lsl #${sh}` : ''}]`;
  if (hint) return insn(() => {}, 1, () => `${hintName(kind)} ${memText}`);
  const asm = () => `${name}.w ${reg(t)}, ${memText}`;
  if (load) {
    if (t < 13 && kind === Kind.U32) return insn((cpu) => { cpu.r[t] = cpu.read32(cpu.r[n] + (cpu.r[m] << sh >>> 0)); }, cycles, asm);
    return insn((cpu) => { writeLoaded(cpu, t, loadValue(cpu, kind, cpu.r[n] + (cpu.r[m] << sh >>> 0))); }, cycles, asm);
  }
  const source = storeSource(t, address);
  if (source < 0 && kind === Kind.U32) return insn((cpu) => { cpu.write32(cpu.r[n] + (cpu.r[m] << sh >>> 0), cpu.r[t]); }, cycles, asm);
  return insn((cpu) => { storeValue(cpu, kind, cpu.r[n] + (cpu.r[m] << sh >>> 0), source < 0 ? cpu.r[t] : source); }, cycles, asm);
}
