// 32-bit Thumb-2 instructions (ARMv7-M ARM A5.3 / A7.7), hand-encoded so the unit tests need no
// cross tools. Each test places the two halfwords in RAM, steps a Cpu and checks registers, flags,
// memory and faults.

import * as assert from 'node:assert/strict';
import type { Profile } from '../../../src/emulator/cpu/cpu';
import { FaultKind, GuestFault } from '../../../src/emulator/cpu/fault';
import { decodeThumb32 } from '../../../src/emulator/cpu/thumb32';
import { CODE, type CpuTestMachine as Machine, DATA, flags, load, machine, setFlags, STACK } from './cpu-test-helpers';

type Insn = [number, number];

/** Place instructions at `at`, point the PC there and execute `steps` of them. */
function run(m: Machine, insns: Insn[], steps = insns.length, at = CODE): void {
  load(m, insns.flat(), at);
  for (let i = 0; i < steps; i++) m.cpu.step();
}

/** Execute one instruction on a fresh machine with the given registers and flags. */
function exec1(insn: Insn, regs: Record<number, number> = {}, flagsIn = '', profile: Profile = 'v7m'): Machine {
  const m = machine(profile);
  for (const [i, v] of Object.entries(regs)) m.cpu.r[Number(i)] = v;
  setFlags(m.cpu, flagsIn);
  run(m, [insn]);
  return m;
}

function fault(fn: () => void): GuestFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof GuestFault) return e;
    throw e;
  }
  assert.fail('expected a GuestFault');
}

function asm(insn: Insn, address = CODE, profile: Profile = 'v7m'): string {
  return decodeThumb32(insn[0], insn[1], address, profile).asm();
}

// ---- encoders (field layouts from A5.3 / A7.7) --------------------------------------------------

/** Data processing (modified immediate), A5.3.1. */
const dpImm = (op: number, s: number, rn: number, rd: number, imm12: number): Insn =>
  [0xf000 | (((imm12 >> 11) & 1) << 10) | (op << 5) | (s << 4) | rn, (((imm12 >> 8) & 7) << 12) | (rd << 8) | (imm12 & 0xff)];
/** Data processing (plain binary immediate), A5.3.3, with a 12-bit immediate i:imm3:imm8. */
const plainImm = (op5: number, rn: number, rd: number, imm12: number): Insn =>
  [0xf200 | (((imm12 >> 11) & 1) << 10) | (op5 << 4) | rn, (((imm12 >> 8) & 7) << 12) | (rd << 8) | (imm12 & 0xff)];
/** Bitfield/saturate forms of A5.3.3: imm3:imm2 = lsb/shift, low 5 bits = widthm1/msb/sat_imm. */
const bitfield = (op5: number, rn: number, rd: number, imm5: number, low5: number): Insn =>
  [0xf300 | ((op5 & 0xf) << 4) | rn, (((imm5 >> 2) & 7) << 12) | (rd << 8) | ((imm5 & 3) << 6) | low5];
/** Data processing (shifted register), A5.3.11. */
const dpReg = (op: number, s: number, rn: number, rd: number, type: number, imm5: number, rm: number): Insn =>
  [0xea00 | (op << 5) | (s << 4) | rn, (((imm5 >> 2) & 7) << 12) | (rd << 8) | ((imm5 & 3) << 6) | (type << 4) | rm];
const movReg = (s: number, rd: number, type: number, imm5: number, rm: number): Insn => dpReg(2, s, 15, rd, type, imm5, rm);
/** LSL/LSR/ASR/ROR (register), A5.3.12. */
const regShift = (type: number, s: number, rn: number, rd: number, rm: number): Insn =>
  [0xfa00 | (type << 5) | (s << 4) | rn, 0xf000 | (rd << 8) | rm];
/** SXTH(0)/UXTH(1)/SXTB(4)/UXTB(5), rotation in bytes. */
const extend = (op1: number, rd: number, rm: number, rot: number): Insn => [0xfa0f | (op1 << 4), 0xf080 | (rd << 8) | (rot << 4) | rm];
/** Miscellaneous operations A5.3.13 (REV 1/0, REV16 1/1, RBIT 1/2, REVSH 1/3, CLZ 3/0). */
const misc = (op1: number, op2: number, rd: number, rm: number): Insn => [0xfa80 | (op1 << 4) | rm, 0xf080 | (rd << 8) | (op2 << 4) | rm];
const mul = (op2: number, rn: number, ra: number, rd: number, rm: number): Insn => [0xfb00 | rn, (ra << 12) | (rd << 8) | (op2 << 4) | rm];
const longMul = (op1: number, op2: number, rn: number, lo: number, hi: number, rm: number): Insn =>
  [0xfb80 | (op1 << 4) | rn, (lo << 12) | (hi << 8) | (op2 << 4) | rm];

/** B.W (T4) / BL (T1) by a byte offset from PC (= address + 4). */
function branchT4(offset: number, link: boolean): Insn {
  const s = (offset >>> 24) & 1;
  const i1 = (offset >>> 23) & 1;
  const i2 = (offset >>> 22) & 1;
  const j1 = (~(i1 ^ s)) & 1;
  const j2 = (~(i2 ^ s)) & 1;
  return [0xf000 | (s << 10) | ((offset >>> 12) & 0x3ff), (link ? 0xd000 : 0x9000) | (j1 << 13) | (j2 << 11) | ((offset >>> 1) & 0x7ff)];
}
/** B<cond>.W (T3). */
function branchT3(cond: number, offset: number): Insn {
  const s = (offset >>> 20) & 1;
  const j2 = (offset >>> 19) & 1;
  const j1 = (offset >>> 18) & 1;
  return [0xf000 | (s << 10) | (cond << 6) | ((offset >>> 12) & 0x3f), 0x8000 | (j1 << 13) | (j2 << 11) | ((offset >>> 1) & 0x7ff)];
}
const msr = (rn: number, sysm: number, mask = 2): Insn => [0xf380 | rn, 0x8000 | (mask << 10) | sysm];
const mrs = (rd: number, sysm: number): Insn => [0xf3ef, 0x8000 | (rd << 8) | sysm];

/** Load/store single: size 0 byte, 1 half, 2 word. */
const ldst12 = (load: number, signed: number, size: number, rt: number, rn: number, imm12: number): Insn =>
  [0xf880 | (signed << 8) | (size << 5) | (load << 4) | rn, (rt << 12) | imm12];
const ldst8 = (load: number, signed: number, size: number, rt: number, rn: number, p: number, u: number, w: number, imm8: number): Insn =>
  [0xf800 | (signed << 8) | (size << 5) | (load << 4) | rn, (rt << 12) | 0x800 | (p << 10) | (u << 9) | (w << 8) | imm8];
const ldstReg = (load: number, signed: number, size: number, rt: number, rn: number, rm: number, sh: number): Insn =>
  [0xf800 | (signed << 8) | (size << 5) | (load << 4) | rn, (rt << 12) | (sh << 4) | rm];
const ldrLiteral = (signed: number, size: number, rt: number, up: number, imm12: number): Insn =>
  [0xf81f | (signed << 8) | (up << 7) | (size << 5), (rt << 12) | imm12];
const ldstDual = (load: number, p: number, u: number, w: number, rn: number, rt: number, rt2: number, imm8: number): Insn =>
  [0xe840 | (p << 8) | (u << 7) | (w << 5) | (load << 4) | rn, (rt << 12) | (rt2 << 8) | imm8];
const ldrex = (rt: number, rn: number, imm8 = 0): Insn => [0xe850 | rn, (rt << 12) | 0xf00 | imm8];
const strex = (rd: number, rt: number, rn: number, imm8 = 0): Insn => [0xe840 | rn, (rt << 12) | (rd << 8) | imm8];
const ldrexbh = (half: number, rt: number, rn: number): Insn => [0xe8d0 | rn, (rt << 12) | 0xf4f | (half << 4)];
const strexbh = (half: number, rd: number, rt: number, rn: number): Insn => [0xe8c0 | rn, (rt << 12) | 0xf40 | (half << 4) | rd];
const CLREX: Insn = [0xf3bf, 0x8f2f];
const tbb = (rn: number, rm: number, half = 0): Insn => [0xe8d0 | rn, 0xf000 | (half << 4) | rm];
const ldm = (rn: number, w: number, list: number): Insn => [0xe890 | (w << 5) | rn, list];
const stm = (rn: number, w: number, list: number): Insn => [0xe880 | (w << 5) | rn, list];
const ldmdb = (rn: number, w: number, list: number): Insn => [0xe910 | (w << 5) | rn, list];
const stmdb = (rn: number, w: number, list: number): Insn => [0xe900 | (w << 5) | rn, list];

// Op numbers of the modified-immediate / shifted-register tables.
const AND = 0, BIC = 1, ORR = 2, ORN = 3, EOR = 4, ADD = 8, ADC = 10, SBC = 11, SUB = 13, RSB = 14;
const LSL = 0, LSR = 1, ASR = 2, ROR = 3;

describe('thumb32: data processing (modified immediate)', () => {
  it('expands the ThumbExpandImm patterns', () => {
    const cases: [number, number][] = [
      [0x0ab, 0x000000ab], [0x1ab, 0x00ab00ab], [0x2ab, 0xab00ab00], [0x3ab, 0xabababab],
      [0x400 | 0x7f, 0xff000000], // rot 8: 0xff ror 8
      [0x4ff, 0x7f800000], // rot 9
      [0xfff, 0x000001fe], // rot 31: 0xff ror 31 = 0x1fe
    ];
    for (const [imm12, value] of cases) {
      const m = exec1(dpImm(ORR, 0, 15, 3, imm12));
      assert.equal(m.cpu.r[3], value, `imm12=0x${imm12.toString(16)}`);
    }
  });

  it('MOVS with a rotated constant sets C from bit 31; unrotated leaves C alone', () => {
    let m = exec1(dpImm(ORR, 1, 15, 0, 0x4ff), {}, 'CV'); // 0x7f800000
    assert.equal(m.cpu.r[0], 0x7f800000);
    assert.equal(flags(m.cpu), 'V'); // carry = bit 31 = 0; V untouched
    m = exec1(dpImm(ORR, 1, 15, 0, 0x100 | 0x80), {}, 'C'); // 0x00800080
    assert.equal(flags(m.cpu), 'C');
    m = exec1(dpImm(ORR, 1, 15, 0, 0x47f), {}, ''); // 0xff000000
    assert.equal(m.cpu.r[0], 0xff000000);
    assert.equal(flags(m.cpu), 'NC');
  });

  it('AND/BIC/ORN/EOR/MVN with and without S', () => {
    assert.equal(exec1(dpImm(AND, 0, 1, 2, 0x0f0), { 1: 0x1234 }).cpu.r[2], 0x30);
    assert.equal(exec1(dpImm(BIC, 0, 1, 2, 0x0ff), { 1: 0x1234 }).cpu.r[2], 0x1200);
    assert.equal(exec1(dpImm(ORN, 0, 1, 2, 0x0ff), { 1: 0x1234 }).cpu.r[2], 0xffffff34);
    assert.equal(exec1(dpImm(EOR, 0, 1, 2, 0x3ff), { 1: 0xff00ff00 }).cpu.r[2], 0x00ff00ff);
    const mvn = exec1(dpImm(ORN, 1, 15, 4, 0), {}, 'C');
    assert.equal(mvn.cpu.r[4], 0xffffffff);
    assert.equal(flags(mvn.cpu), 'NC');
    const ands = exec1(dpImm(AND, 1, 1, 2, 0x0f), { 1: 0xf0 }, 'NV');
    assert.equal(flags(ands.cpu), 'ZV');
  });

  it('TST and TEQ set flags without writing', () => {
    const tst = exec1(dpImm(AND, 1, 1, 15, 0x4ff), { 1: 0x00800000 }); // constant 0x7f800000, C = 0
    assert.equal(flags(tst.cpu), '');
    const teq = exec1(dpImm(EOR, 1, 1, 15, 0x2ff), { 1: 0xff00ff00 }, 'C');
    assert.equal(flags(teq.cpu), 'ZC');
    assert.equal(tst.cpu.pc, CODE + 4);
  });

  it('ADD/ADDS/CMN and overflow', () => {
    assert.equal(exec1(dpImm(ADD, 0, 1, 2, 0x001), { 1: 0xffffffff }).cpu.r[2], 0);
    const adds = exec1(dpImm(ADD, 1, 1, 2, 0x001), { 1: 0x7fffffff });
    assert.equal(adds.cpu.r[2], 0x80000000);
    assert.equal(flags(adds.cpu), 'NV');
    const cmn = exec1(dpImm(ADD, 1, 1, 15, 0x001), { 1: 0xffffffff });
    assert.equal(flags(cmn.cpu), 'ZC');
  });

  it('SUB/SUBS/CMP/RSB', () => {
    assert.equal(exec1(dpImm(SUB, 0, 1, 2, 0x005), { 1: 3 }).cpu.r[2], 0xfffffffe);
    const subs = exec1(dpImm(SUB, 1, 1, 2, 0x005), { 1: 5 });
    assert.equal(subs.cpu.r[2], 0);
    assert.equal(flags(subs.cpu), 'ZC');
    const cmp = exec1(dpImm(SUB, 1, 1, 15, 0x001), { 1: 0x80000000 });
    assert.equal(flags(cmp.cpu), 'CV');
    const rsb = exec1(dpImm(RSB, 1, 1, 2, 0x000), { 1: 1 });
    assert.equal(rsb.cpu.r[2], 0xffffffff);
    assert.equal(flags(rsb.cpu), 'N');
    assert.equal(exec1(dpImm(RSB, 0, 1, 2, 0x010), { 1: 1 }).cpu.r[2], 15);
  });

  it('ADC/SBC use the carry flag', () => {
    assert.equal(exec1(dpImm(ADC, 0, 1, 2, 1), { 1: 1 }, 'C').cpu.r[2], 3);
    assert.equal(exec1(dpImm(ADC, 0, 1, 2, 1), { 1: 1 }, '').cpu.r[2], 2);
    assert.equal(exec1(dpImm(SBC, 0, 1, 2, 1), { 1: 5 }, 'C').cpu.r[2], 4);
    assert.equal(exec1(dpImm(SBC, 0, 1, 2, 1), { 1: 5 }, '').cpu.r[2], 3);
    const sbcs = exec1(dpImm(SBC, 1, 1, 2, 0), { 1: 0 }, '');
    assert.equal(sbcs.cpu.r[2], 0xffffffff);
    assert.equal(flags(sbcs.cpu), 'N');
    const adcs = exec1(dpImm(ADC, 1, 1, 2, 0), { 1: 0xffffffff }, 'C');
    assert.equal(flags(adcs.cpu), 'ZC');
  });

  it('ADD/SUB SP keep SP word-aligned', () => {
    assert.equal(exec1(dpImm(SUB, 0, 13, 13, 0x10)).cpu.r[13], STACK - 0x10);
    assert.equal(exec1(dpImm(ADD, 0, 13, 13, 0x3)).cpu.r[13], STACK);
  });

  it('unused op values are UNDEFINED', () => {
    for (const op of [5, 6, 7, 9, 12, 15]) {
      const f = fault(() => exec1(dpImm(op, 0, 1, 2, 0)));
      assert.equal(f.kind, FaultKind.UndefinedInstruction);
    }
  });

  it('disassembles', () => {
    assert.equal(asm(dpImm(ORR, 0, 15, 0, 0xff)), 'mov.w r0, #255\t; 0xff');
    assert.equal(asm(dpImm(SUB, 1, 1, 15, 4)), 'cmp.w r1, #4');
    assert.equal(asm(dpImm(ADD, 1, 2, 3, 1)), 'adds.w r3, r2, #1');
  });
});

describe('thumb32: data processing (plain binary immediate)', () => {
  it('ADDW/SUBW with a 12-bit immediate', () => {
    assert.equal(exec1(plainImm(0b00000, 1, 2, 0xfff), { 1: 1 }).cpu.r[2], 0x1000);
    assert.equal(exec1(plainImm(0b01010, 1, 2, 0x801), { 1: 0x801 }).cpu.r[2], 0);
    assert.equal(asm(plainImm(0b00000, 1, 2, 0xfff)), 'addw r2, r1, #4095\t; 0xfff');
  });

  it('ADR forwards and backwards from Align(PC, 4)', () => {
    const m = machine();
    run(m, [plainImm(0b00000, 15, 0, 0x10)], 1, CODE + 2);
    assert.equal(m.cpu.r[0], ((CODE + 2 + 4) & ~3) + 0x10);
    const back = machine();
    run(back, [plainImm(0b01010, 15, 1, 0x8)], 1, CODE + 0x100);
    assert.equal(back.cpu.r[1], CODE + 0x104 - 8);
  });

  it('MOVW/MOVT', () => {
    // MOVW r0, #0x1234: imm4 = 1 (Rn field), i:imm3:imm8 = 0x234
    const m = machine();
    run(m, [plainImm(0b00100, 0x1, 0, 0x234), plainImm(0b01100, 0xa, 0, 0xbcd)]);
    assert.equal(m.cpu.r[0], 0xabcd1234);
    assert.equal(asm(plainImm(0b00100, 0x1, 0, 0x234)), 'movw r0, #4660\t; 0x1234');
  });

  it('SBFX/UBFX', () => {
    assert.equal(exec1(bitfield(0b10100, 1, 2, 4, 7), { 1: 0x00000f80 }).cpu.r[2], 0xfffffff8);
    assert.equal(exec1(bitfield(0b11100, 1, 2, 4, 7), { 1: 0x00000f80 }).cpu.r[2], 0xf8);
    assert.equal(exec1(bitfield(0b11100, 1, 2, 0, 31), { 1: 0x87654321 }).cpu.r[2], 0x87654321);
    assert.equal(exec1(bitfield(0b10100, 1, 2, 31, 0), { 1: 0x80000000 }).cpu.r[2], 0xffffffff);
  });

  it('BFI/BFC', () => {
    assert.equal(exec1(bitfield(0b10110, 1, 2, 8, 15), { 1: 0xabcd, 2: 0xffffffff }).cpu.r[2], 0xffffcdff);
    assert.equal(exec1(bitfield(0b10110, 15, 2, 4, 11), { 2: 0xffffffff }).cpu.r[2], 0xfffff00f);
    assert.equal(exec1(bitfield(0b10110, 1, 2, 0, 31), { 1: 0x12345678, 2: 1 }).cpu.r[2], 0x12345678);
    assert.equal(asm(bitfield(0b10110, 15, 2, 4, 11)), 'bfc r2, #4, #8');
  });

  it('SSAT/USAT saturate and set Q', () => {
    let m = exec1(bitfield(0b10000, 1, 2, 0, 7), { 1: 200 }); // ssat r2, #8, r1
    assert.equal(m.cpu.r[2], 127);
    assert.equal(m.cpu.q, true);
    m = exec1(bitfield(0b10000, 1, 2, 0, 7), { 1: -200 >>> 0 });
    assert.equal(m.cpu.r[2], -128 >>> 0);
    m = exec1(bitfield(0b10000, 1, 2, 0, 7), { 1: 100 });
    assert.equal(m.cpu.r[2], 100);
    assert.equal(m.cpu.q, false);
    m = exec1(bitfield(0b11000, 1, 2, 0, 8), { 1: -5 >>> 0 }); // usat r2, #8, r1
    assert.equal(m.cpu.r[2], 0);
    assert.equal(m.cpu.q, true);
    m = exec1(bitfield(0b11000, 1, 2, 4, 8), { 1: 0x100 }); // usat r2, #8, r1, lsl #4
    assert.equal(m.cpu.r[2], 255);
    m = exec1(bitfield(0b10010, 1, 2, 4, 15), { 1: 0x80000000 }); // ssat r2, #16, r1, asr #4
    assert.equal(m.cpu.r[2], 0xffff8000);
  });

  it('SSAT16/USAT16 are UNDEFINED without the DSP extension', () => {
    assert.equal(fault(() => exec1(bitfield(0b10010, 1, 2, 0, 7))).kind, FaultKind.UndefinedInstruction);
  });
});

describe('thumb32: data processing (shifted register)', () => {
  it('ADD with LSL, SUB with ASR, RSB', () => {
    assert.equal(exec1(dpReg(ADD, 0, 1, 2, LSL, 2, 3), { 1: 1, 3: 4 }).cpu.r[2], 17);
    assert.equal(exec1(dpReg(SUB, 0, 1, 2, ASR, 1, 3), { 1: 0, 3: 0xfffffff0 }).cpu.r[2], 8);
    assert.equal(exec1(dpReg(RSB, 0, 1, 2, LSL, 1, 3), { 1: 1, 3: 4 }).cpu.r[2], 7);
    const rsbs = exec1(dpReg(RSB, 1, 1, 2, LSL, 0, 3), { 1: 4, 3: 4 });
    assert.equal(flags(rsbs.cpu), 'ZC');
  });

  it('logical S forms take C from the shifter', () => {
    let m = exec1(dpReg(AND, 1, 1, 2, LSR, 1, 3), { 1: 0xffffffff, 3: 0x3 });
    assert.equal(m.cpu.r[2], 1);
    assert.equal(flags(m.cpu), 'C');
    m = exec1(dpReg(ORR, 1, 1, 2, LSL, 0, 3), { 1: 0, 3: 0 }, 'C'); // LSL #0: C unchanged
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(dpReg(EOR, 1, 1, 15, LSL, 1, 3), { 1: 0, 3: 0x80000000 }); // TEQ: result 0, C = 1
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(dpReg(BIC, 1, 1, 2, ROR, 4, 3), { 1: 0xffffffff, 3: 0xf }); // ror #4 → 0xf0000000, C=1
    assert.equal(m.cpu.r[2], 0x0fffffff);
    assert.equal(flags(m.cpu), 'C');
    m = exec1(dpReg(ORN, 0, 1, 2, LSL, 4, 3), { 1: 0, 3: 0xf });
    assert.equal(m.cpu.r[2], 0xffffff0f);
  });

  it('arithmetic S forms ignore the shifter carry', () => {
    const m = exec1(dpReg(ADD, 1, 1, 2, LSR, 1, 3), { 1: 0, 3: 1 }); // 1 lsr 1 = 0, shifter C=1
    assert.equal(flags(m.cpu), 'Z');
  });

  it('CMP/CMN with shifted operands', () => {
    assert.equal(flags(exec1(dpReg(SUB, 1, 1, 15, LSL, 1, 3), { 1: 8, 3: 4 }).cpu), 'ZC');
    assert.equal(flags(exec1(dpReg(ADD, 1, 1, 15, LSL, 0, 3), { 1: 1, 3: 0xffffffff }).cpu), 'ZC');
  });

  it('ADC/SBC with registers', () => {
    assert.equal(exec1(dpReg(ADC, 0, 1, 2, LSL, 0, 3), { 1: 1, 3: 2 }, 'C').cpu.r[2], 4);
    const sbcs = exec1(dpReg(SBC, 1, 1, 2, LSL, 0, 3), { 1: 0, 3: 0 }, 'C');
    assert.equal(sbcs.cpu.r[2], 0);
    assert.equal(flags(sbcs.cpu), 'ZC');
  });

  it('MOV with shifts: LSR #32, ASR #32, ROR, RRX', () => {
    let m = exec1(movReg(1, 0, LSR, 0, 1), { 1: 0x80000001 }); // lsrs r0, r1, #32
    assert.equal(m.cpu.r[0], 0);
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(movReg(0, 0, LSR, 0, 1), { 1: 0x80000001 });
    assert.equal(m.cpu.r[0], 0);
    m = exec1(movReg(1, 0, ASR, 0, 1), { 1: 0x80000000 }); // asrs r0, r1, #32
    assert.equal(m.cpu.r[0], 0xffffffff);
    assert.equal(flags(m.cpu), 'NC');
    assert.equal(exec1(movReg(0, 0, ASR, 0, 1), { 1: 0x80000000 }).cpu.r[0], 0xffffffff);
    m = exec1(movReg(1, 0, ROR, 8, 1), { 1: 0x12345680 });
    assert.equal(m.cpu.r[0], 0x80123456);
    assert.equal(flags(m.cpu), 'NC');
    m = exec1(movReg(1, 0, ROR, 0, 1), { 1: 0x3 }, 'C'); // rrxs r0, r1
    assert.equal(m.cpu.r[0], 0x80000001);
    assert.equal(flags(m.cpu), 'NC');
    m = exec1(movReg(0, 0, ROR, 0, 1), { 1: 0x2 }, '');
    assert.equal(m.cpu.r[0], 1);
    m = exec1(movReg(1, 0, LSL, 1, 1), { 1: 0x80000000 });
    assert.equal(flags(m.cpu), 'ZC');
    assert.equal(exec1(movReg(0, 0, LSL, 31, 1), { 1: 3 }).cpu.r[0], 0x80000000);
    assert.equal(exec1(dpReg(ORN, 0, 15, 0, LSL, 0, 1), { 1: 0 }).cpu.r[0], 0xffffffff); // mvn
  });

  it('disassembles', () => {
    assert.equal(asm(dpReg(ADD, 0, 1, 2, LSL, 2, 3)), 'add.w r2, r1, r3, lsl #2');
    assert.equal(asm(movReg(1, 0, LSR, 0, 1)), 'lsrs.w r0, r1, #32');
    assert.equal(asm(movReg(0, 0, ROR, 0, 1)), 'rrx r0, r1');
    assert.equal(asm(movReg(0, 8, LSL, 0, 1)), 'mov.w r8, r1');
    assert.equal(asm(dpReg(SUB, 1, 1, 15, LSL, 0, 3)), 'cmp.w r1, r3');
  });
});

describe('thumb32: data processing (register)', () => {
  it('register shifts use the bottom byte of Rm', () => {
    assert.equal(exec1(regShift(LSL, 0, 1, 0, 2), { 1: 1, 2: 0x104 }).cpu.r[0], 16);
    let m = exec1(regShift(LSL, 1, 1, 0, 2), { 1: 1, 2: 32 });
    assert.equal(m.cpu.r[0], 0);
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(regShift(LSL, 1, 1, 0, 2), { 1: 1, 2: 33 });
    assert.equal(flags(m.cpu), 'Z');
    m = exec1(regShift(LSL, 1, 1, 0, 2), { 1: 5, 2: 0 }, 'C'); // shift 0: C unchanged
    assert.equal(m.cpu.r[0], 5);
    assert.equal(flags(m.cpu), 'C');
    m = exec1(regShift(LSR, 1, 1, 0, 2), { 1: 0x80000000, 2: 32 });
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(regShift(ASR, 1, 1, 0, 2), { 1: 0x80000000, 2: 200 });
    assert.equal(m.cpu.r[0], 0xffffffff);
    assert.equal(flags(m.cpu), 'NC');
    m = exec1(regShift(ROR, 1, 1, 0, 2), { 1: 0x80000001, 2: 32 });
    assert.equal(m.cpu.r[0], 0x80000001);
    assert.equal(flags(m.cpu), 'NC');
    assert.equal(exec1(regShift(ROR, 0, 1, 0, 2), { 1: 0x1, 2: 33 }).cpu.r[0], 0x80000000);
  });

  it('SXTH/UXTH/SXTB/UXTB with rotation', () => {
    assert.equal(exec1(extend(0, 0, 1, 0), { 1: 0x12348000 }).cpu.r[0], 0xffff8000);
    assert.equal(exec1(extend(1, 0, 1, 2), { 1: 0x8765abcd }).cpu.r[0], 0x8765);
    assert.equal(exec1(extend(4, 0, 1, 1), { 1: 0x00008000 }).cpu.r[0], 0xffffff80);
    assert.equal(exec1(extend(5, 0, 1, 3), { 1: 0xab000000 }).cpu.r[0], 0xab);
    assert.equal(exec1(extend(5, 0, 1, 0), { 1: 0x1234 }).cpu.r[0], 0x34);
    assert.equal(asm(extend(1, 0, 1, 2)), 'uxth.w r0, r1, ror #16');
  });

  it('REV/REV16/REVSH/RBIT/CLZ', () => {
    assert.equal(exec1(misc(1, 0, 0, 1), { 1: 0x12345678 }).cpu.r[0], 0x78563412);
    assert.equal(exec1(misc(1, 1, 0, 1), { 1: 0x12345678 }).cpu.r[0], 0x34127856);
    assert.equal(exec1(misc(1, 3, 0, 1), { 1: 0x000012f0 }).cpu.r[0], 0xfffff012);
    assert.equal(exec1(misc(1, 2, 0, 1), { 1: 0x00000001 }).cpu.r[0], 0x80000000);
    assert.equal(exec1(misc(1, 2, 0, 1), { 1: 0x12345678 }).cpu.r[0], 0x1e6a2c48);
    assert.equal(exec1(misc(3, 0, 0, 1), { 1: 0 }).cpu.r[0], 32);
    assert.equal(exec1(misc(3, 0, 0, 1), { 1: 0x00010000 }).cpu.r[0], 15);
  });

  it('DSP encodings are UNDEFINED on v7m', () => {
    assert.equal(fault(() => exec1([0xfa81, 0xf080 | 0x0002])).kind, FaultKind.UndefinedInstruction); // qadd
    assert.equal(fault(() => exec1([0xfa91, 0xf002])).kind, FaultKind.UndefinedInstruction); // sadd16
    assert.equal(fault(() => exec1(extend(0, 0, 1, 0).map((h, i) => (i === 0 ? h & ~0xf | 2 : h)) as Insn)).kind,
      FaultKind.UndefinedInstruction); // sxtah
  });
});

describe('thumb32: multiply and divide', () => {
  it('MUL/MLA/MLS', () => {
    assert.equal(exec1(mul(0, 1, 15, 0, 2), { 1: 0x10001, 2: 0x10001 }).cpu.r[0], 0x20001);
    assert.equal(exec1(mul(0, 1, 3, 0, 2), { 1: 3, 2: 4, 3: 0xfffffff0 }).cpu.r[0], 0xfffffffc);
    assert.equal(exec1(mul(1, 1, 3, 0, 2), { 1: 3, 2: 4, 3: 10 }).cpu.r[0], 0xfffffffe);
    assert.equal(asm(mul(0, 1, 15, 0, 2)), 'mul.w r0, r1, r2');
  });

  it('UMULL/SMULL/UMLAL/SMLAL', () => {
    let m = exec1(longMul(2, 0, 2, 0, 1, 3), { 2: 0xffffffff, 3: 0xffffffff });
    assert.deepEqual([m.cpu.r[0], m.cpu.r[1]], [0x00000001, 0xfffffffe]);
    m = exec1(longMul(0, 0, 2, 0, 1, 3), { 2: 0xffffffff, 3: 0xffffffff }); // -1 * -1
    assert.deepEqual([m.cpu.r[0], m.cpu.r[1]], [1, 0]);
    m = exec1(longMul(0, 0, 2, 0, 1, 3), { 2: 0x80000000, 3: 2 }); // INT_MIN * 2
    assert.deepEqual([m.cpu.r[0], m.cpu.r[1]], [0, 0xffffffff]);
    m = exec1(longMul(0, 0, 2, 0, 1, 3), { 2: 0x12345678, 3: 0xfedcba98 });
    const expect = BigInt.asUintN(64, BigInt(0x12345678) * BigInt(0xfedcba98 | 0));
    assert.deepEqual([m.cpu.r[0], m.cpu.r[1]], [Number(expect & 0xffffffffn), Number(expect >> 32n)]);
    m = exec1(longMul(6, 0, 2, 0, 1, 3), { 0: 0xffffffff, 1: 1, 2: 1, 3: 1 }); // umlal: 0x1_ffffffff + 1
    assert.deepEqual([m.cpu.r[0], m.cpu.r[1]], [0, 2]);
    m = exec1(longMul(4, 0, 2, 0, 1, 3), { 0: 0, 1: 0, 2: 0xffffffff, 3: 1 }); // smlal: 0 + -1
    assert.deepEqual([m.cpu.r[0], m.cpu.r[1]], [0xffffffff, 0xffffffff]);
  });

  it('SDIV/UDIV round towards zero; INT_MIN / -1 = INT_MIN', () => {
    assert.equal(exec1(longMul(1, 15, 1, 15, 0, 2), { 1: -7 >>> 0, 2: 2 }).cpu.r[0], -3 >>> 0);
    assert.equal(exec1(longMul(1, 15, 1, 15, 0, 2), { 1: 0x80000000, 2: 0xffffffff }).cpu.r[0], 0x80000000);
    assert.equal(exec1(longMul(3, 15, 1, 15, 0, 2), { 1: 0xffffffff, 2: 2 }).cpu.r[0], 0x7fffffff);
    assert.equal(asm(longMul(3, 15, 1, 15, 0, 2)), 'udiv r0, r1, r2');
  });

  it('divide by zero gives 0, or DIVBYZERO with CCR.DIV_0_TRP', () => {
    assert.equal(exec1(longMul(1, 15, 1, 15, 0, 2), { 0: 5, 1: 7, 2: 0 }).cpu.r[0], 0);
    assert.equal(exec1(longMul(3, 15, 1, 15, 0, 2), { 0: 5, 1: 7, 2: 0 }).cpu.r[0], 0);
    for (const op1 of [1, 3]) {
      const m = machine();
      m.cpu.divZeroTrap = true;
      m.cpu.r[1] = 7;
      const f = fault(() => run(m, [longMul(op1, 15, 1, 15, 0, 2)]));
      assert.equal(f.kind, FaultKind.DivideByZero);
      assert.equal(m.cpu.pc, CODE);
    }
  });
});

describe('thumb32: branches and miscellaneous control', () => {
  it('B.W forwards and backwards', () => {
    let m = exec1(branchT4(0x1000, false));
    assert.equal(m.cpu.pc, CODE + 4 + 0x1000);
    m = machine();
    run(m, [branchT4(-0x104, false)], 1, CODE + 0x200);
    assert.equal(m.cpu.pc, CODE + 0x200 + 4 - 0x104);
    assert.equal(asm(branchT4(0x1000, false)), `b.w 0x${(CODE + 0x1004).toString(16)}`);
  });

  it('BL forwards and backwards sets LR with bit 0', () => {
    let m = exec1(branchT4(0x123456, true));
    assert.equal(m.cpu.pc, CODE + 4 + 0x123456);
    assert.equal(m.cpu.r[14], (CODE + 4) | 1);
    m = machine();
    run(m, [branchT4(-0x800000 + 0x1000, true)], 1, CODE + 0x100);
    assert.equal(m.cpu.r[14], (CODE + 0x104) | 1);
    assert.equal(m.cpu.pc, (CODE + 0x104 - 0x800000 + 0x1000) >>> 0);
    // Extremes of the ±16 MB range exercise the I1/I2 inversion.
    assert.equal(decodeThumb32(...branchT4(-0x1000000, true), 0x02000000, 'v7m').asm(), 'bl 0x1000004');
    assert.equal(decodeThumb32(...branchT4(0xfffffe, true), 0, 'v7m').asm(), 'bl 0x1000002');
  });

  it('B<cond>.W taken and not taken', () => {
    let m = exec1(branchT3(0, 0x100), {}, 'Z'); // beq
    assert.equal(m.cpu.pc, CODE + 0x104);
    m = exec1(branchT3(0, 0x100), {}, '');
    assert.equal(m.cpu.pc, CODE + 4);
    m = machine();
    run(m, [branchT3(11, -0x80000)], 1, CODE + 0x2000); // blt, N != V
    assert.equal(m.cpu.pc, CODE + 0x2004);
    m.cpu.n = true;
    run(m, [branchT3(11, -0x80000)], 1, CODE + 0x2000);
    assert.equal(m.cpu.pc, (CODE + 0x2004 - 0x80000) >>> 0);
    assert.equal(asm(branchT3(1, 0x100)), `bne.w 0x${(CODE + 0x104).toString(16)}`);
  });

  it('taken branches cost extra cycles', () => {
    const taken = exec1(branchT3(0, 0x100), {}, 'Z');
    const notTaken = exec1(branchT3(0, 0x100), {}, '');
    assert.ok(taken.cpu.cycles > notTaken.cpu.cycles);
  });

  it('MRS reads every SYSm', () => {
    const m = machine();
    m.cpu.apsr = 0xf80f0000;
    m.cpu.ipsr = 0;
    m.cpu.primask = 1;
    m.cpu.basepri = 0x40;
    m.cpu.faultmask = 1;
    m.cpu.psp = 0x20003000;
    const read = (sysm: number) => { run(m, [mrs(0, sysm)]); return m.cpu.r[0]; };
    assert.equal(read(0), 0xf80f0000);
    assert.equal(read(1), 0xf80f0000);
    assert.equal(read(2), 0xf80f0000);
    assert.equal(read(3), 0xf80f0000);
    assert.equal(read(5), 0);
    assert.equal(read(6), 0);
    assert.equal(read(7), 0);
    assert.equal(read(8), STACK);
    assert.equal(read(9), 0x20003000);
    assert.equal(read(16), 1);
    assert.equal(read(17), 0x40);
    assert.equal(read(18), 0x40);
    assert.equal(read(19), 1);
    assert.equal(read(20), 0);
    assert.equal(asm(mrs(0, 16)), 'mrs r0, PRIMASK');
  });

  it('MSR writes every SYSm', () => {
    const m = machine();
    m.cpu.r[1] = 0xf8000000;
    run(m, [msr(1, 0)]);
    assert.equal(flags(m.cpu), 'NZCV');
    assert.equal(m.cpu.q, true);
    m.cpu.r[1] = 0;
    for (const sysm of [1, 2, 3]) {
      setFlags(m.cpu, 'NZCV');
      run(m, [msr(1, sysm)]);
      assert.equal(flags(m.cpu), '', `sysm ${sysm}`);
    }
    m.cpu.r[1] = 0x20001ff0;
    run(m, [msr(1, 8)]);
    assert.equal(m.cpu.msp, 0x20001ff0);
    assert.equal(m.cpu.r[13], 0x20001ff0);
    m.cpu.r[1] = 0x20000ff3;
    run(m, [msr(1, 9)]);
    assert.equal(m.cpu.psp, 0x20000ff0);
    m.cpu.r[1] = 1;
    run(m, [msr(1, 16)]);
    assert.equal(m.cpu.primask, 1);
    m.cpu.r[1] = 0x80;
    run(m, [msr(1, 17)]);
    assert.equal(m.cpu.basepri, 0x80);
    m.cpu.r[1] = 0x40;
    run(m, [msr(1, 18)]); // BASEPRI_MAX only raises priority (lowers the value)
    assert.equal(m.cpu.basepri, 0x40);
    m.cpu.r[1] = 0x60;
    run(m, [msr(1, 18)]);
    assert.equal(m.cpu.basepri, 0x40);
    m.cpu.r[1] = 1;
    run(m, [msr(1, 19)]);
    assert.equal(m.cpu.faultmask, 1);
    m.cpu.r[1] = 2; // SPSEL: switch to PSP in Thread mode
    run(m, [msr(1, 20)]);
    assert.equal(m.cpu.control, 2);
    assert.equal(m.cpu.r[13], 0x20000ff0);
    assert.ok(m.calls.includes('mask'));
    assert.equal(asm(msr(1, 0)), 'msr APSR_nzcvq, r1');
  });

  it('MSR APSR with mask 0b01 leaves NZCVQ alone', () => {
    const m = machine();
    m.cpu.r[1] = 0xf0000000;
    run(m, [msr(1, 0, 1)]);
    assert.equal(flags(m.cpu), '');
  });

  it('hints: NOP.W, YIELD.W, WFE.W, WFI.W, SEV.W', () => {
    const m = machine();
    run(m, [[0xf3af, 0x8000], [0xf3af, 0x8001], [0xf3af, 0x8002], [0xf3af, 0x8003], [0xf3af, 0x8004]]);
    assert.deepEqual(m.calls, ['wfe', 'wfi', 'sev']);
    assert.equal(m.cpu.pc, CODE + 20);
    assert.equal(asm([0xf3af, 0x8003]), 'wfi.w');
  });

  it('barriers and CLREX', () => {
    const m = machine();
    m.cpu.exclusiveAddress = DATA;
    run(m, [[0xf3bf, 0x8f4f], [0xf3bf, 0x8f5f], [0xf3bf, 0x8f6f], CLREX]);
    assert.equal(m.cpu.exclusiveAddress, -1);
    assert.equal(asm([0xf3bf, 0x8f5f]), 'dmb sy');
  });

  it('UDF.W and BLX (immediate) are UNDEFINED', () => {
    assert.equal(fault(() => exec1([0xf7f0, 0xa000])).kind, FaultKind.UndefinedInstruction);
    assert.equal(fault(() => exec1([0xf000, 0xc000])).kind, FaultKind.UndefinedInstruction);
  });
});

describe('thumb32: load/store single', () => {
  function memMachine(): Machine {
    const m = machine();
    for (let i = 0; i < 64; i++) m.bus.poke(DATA + i, 1, 0x80 + i);
    return m;
  }

  it('LDR/LDRB/LDRH/LDRSB/LDRSH with imm12', () => {
    const cases: [number, number, number][] = [[0, 2, 0x87868584], [0, 0, 0x84], [0, 1, 0x8584], [1, 0, 0xffffff84], [1, 1, 0xffff8584]];
    for (const [signed, size, value] of cases) {
      const m = memMachine();
      m.cpu.r[1] = DATA;
      run(m, [ldst12(1, signed, size, 0, 1, 4)]);
      assert.equal(m.cpu.r[0], value, `signed ${signed} size ${size}`);
    }
  });

  it('STR/STRB/STRH with negative imm8 and register offsets', () => {
    const m = memMachine();
    m.cpu.r[0] = 0x11223344;
    m.cpu.r[1] = DATA + 8;
    m.cpu.r[2] = 2;
    run(m, [ldst8(0, 0, 2, 0, 1, 1, 0, 0, 8), ldst8(0, 0, 0, 0, 1, 1, 0, 0, 1), ldstReg(0, 0, 1, 0, 1, 2, 2)]);
    assert.equal(m.bus.peek(DATA, 4), 0x11223344);
    assert.equal(m.bus.peek(DATA + 7, 1), 0x44);
    assert.equal(m.bus.peek(DATA + 16, 2), 0x3344);
    assert.equal(m.bus.peek(DATA + 18, 1), 0x80 + 18);
  });

  it('pre-indexed and post-indexed with writeback', () => {
    const m = memMachine();
    m.cpu.r[1] = DATA;
    run(m, [ldst8(1, 0, 2, 0, 1, 1, 1, 1, 4)]); // ldr r0, [r1, #4]!
    assert.equal(m.cpu.r[0], 0x87868584);
    assert.equal(m.cpu.r[1], DATA + 4);
    run(m, [ldst8(1, 0, 0, 2, 1, 0, 0, 1, 3)]); // ldrb r2, [r1], #-3
    assert.equal(m.cpu.r[2], 0x84);
    assert.equal(m.cpu.r[1], DATA + 1);
    m.cpu.r[3] = 0xdeadbeef;
    m.cpu.r[13] = DATA + 0x20;
    run(m, [ldst8(0, 0, 2, 3, 13, 1, 0, 1, 4)]); // str r3, [sp, #-4]! (push.w)
    assert.equal(m.cpu.r[13], DATA + 0x1c);
    assert.equal(m.bus.peek(DATA + 0x1c, 4), 0xdeadbeef);
    run(m, [ldst8(1, 0, 2, 4, 13, 0, 1, 1, 4)]); // ldr r4, [sp], #4 (pop.w)
    assert.equal(m.cpu.r[4], 0xdeadbeef);
    assert.equal(m.cpu.r[13], DATA + 0x20);
    assert.equal(asm(ldst8(1, 0, 2, 0, 1, 1, 1, 1, 4)), 'ldr.w r0, [r1, #4]!');
    assert.equal(asm(ldst8(1, 0, 0, 2, 1, 0, 0, 1, 3)), 'ldrb.w r2, [r1], #-3');
  });

  it('register offset with LSL #0-3', () => {
    const m = memMachine();
    m.cpu.r[1] = DATA;
    m.cpu.r[2] = 3;
    run(m, [ldstReg(1, 0, 2, 0, 1, 2, 2)]);
    assert.equal(m.cpu.r[0], m.bus.peek(DATA + 12, 4));
    run(m, [ldstReg(1, 1, 1, 0, 1, 2, 3)]);
    assert.equal(m.cpu.r[0], 0xffff9998);
    assert.equal(asm(ldstReg(1, 0, 2, 0, 1, 2, 2)), 'ldr.w r0, [r1, r2, lsl #2]');
  });

  it('literal loads use Align(PC, 4)', () => {
    const m = memMachine();
    // At CODE+2: Align(CODE+6, 4) = CODE+4; + 0xffc = DATA (0x1000 after CODE) when up.
    run(m, [ldrLiteral(0, 2, 0, 1, 0xffc)], 1, CODE + 2);
    assert.equal(m.cpu.r[0], 0x83828180);
    const back = memMachine();
    back.bus.poke(CODE + 0x100, 4, 0xcafef00d);
    run(back, [ldrLiteral(0, 2, 0, 0, 0x10)], 1, CODE + 0x10c);
    assert.equal(back.cpu.r[0], 0xcafef00d);
    run(back, [ldrLiteral(1, 0, 5, 0, 0x10)], 1, CODE + 0x10c);
    assert.equal(back.cpu.r[5], 0x0d);
  });

  it('LDRT/STRT and PLD/PLI', () => {
    const m = memMachine();
    m.cpu.r[1] = DATA;
    run(m, [ldst8(1, 0, 2, 0, 1, 1, 1, 0, 4)]);
    assert.equal(m.cpu.r[0], 0x87868584);
    assert.equal(asm(ldst8(1, 0, 2, 0, 1, 1, 1, 0, 4)), 'ldrt r0, [r1, #4]');
    m.cpu.r[1] = 0x40000000; // unmapped: a hint must not fault
    run(m, [ldst12(1, 0, 0, 15, 1, 0), ldst12(1, 1, 0, 15, 1, 0), ldst12(1, 0, 1, 15, 1, 0)]);
    assert.equal(asm(ldst12(1, 0, 0, 15, 1, 0)), 'pld [r1]');
  });

  it('LDR PC interworks and POP {pc} (LDR pc, [sp], #4) returns from an exception', () => {
    const m = memMachine();
    m.bus.poke(DATA, 4, (CODE + 0x41) >>> 0);
    m.cpu.r[1] = DATA;
    run(m, [ldst12(1, 0, 2, 15, 1, 0)]);
    assert.equal(m.cpu.pc, CODE + 0x40);
    assert.equal(m.cpu.thumb, true);
    const h = memMachine();
    h.cpu.ipsr = 3;
    h.cpu.r[13] = DATA;
    h.bus.poke(DATA, 4, 0xfffffff9);
    run(h, [ldst8(1, 0, 2, 15, 13, 0, 1, 1, 4)]);
    assert.equal(h.cpu.pendingExceptionReturn, 0xfffffff9);
    assert.equal(h.cpu.r[13], DATA + 4);
  });

  it('unaligned LDR is allowed on v7m unless UNALIGN_TRP', () => {
    const m = memMachine();
    m.cpu.r[1] = DATA + 1;
    run(m, [ldst12(1, 0, 2, 0, 1, 0)]);
    assert.equal(m.cpu.r[0], 0x84838281);
    m.cpu.unalignTrap = true;
    assert.equal(fault(() => run(m, [ldst12(1, 0, 2, 0, 1, 0)])).kind, FaultKind.Unaligned);
  });

  it('a faulting load leaves the base register alone', () => {
    const m = memMachine();
    m.cpu.r[1] = 0x40000000;
    assert.equal(fault(() => run(m, [ldst8(1, 0, 2, 0, 1, 1, 1, 1, 4)])).kind, FaultKind.PreciseDataBusError);
    assert.equal(m.cpu.r[1], 0x40000000);
  });

  it('undefined store and load encodings', () => {
    assert.equal(fault(() => exec1(ldst12(0, 0, 2, 0, 15, 0))).kind, FaultKind.UndefinedInstruction); // str to [pc]
    assert.equal(fault(() => exec1(ldst12(1, 1, 2, 0, 1, 0))).kind, FaultKind.UndefinedInstruction); // ldrs word
    assert.equal(fault(() => exec1(ldst8(1, 0, 2, 0, 1, 0, 1, 0, 0))).kind, FaultKind.UndefinedInstruction); // P=0 W=0
  });
});

describe('thumb32: load/store dual, exclusive, table branch', () => {
  it('LDRD/STRD with offset, pre-index and post-index writeback', () => {
    const m = machine();
    m.cpu.r[0] = 0x11111111;
    m.cpu.r[1] = 0x22222222;
    m.cpu.r[2] = DATA;
    run(m, [ldstDual(0, 1, 1, 1, 2, 0, 1, 2)]); // strd r0, r1, [r2, #8]!
    assert.equal(m.cpu.r[2], DATA + 8);
    assert.equal(m.bus.peek(DATA + 8, 4), 0x11111111);
    assert.equal(m.bus.peek(DATA + 12, 4), 0x22222222);
    run(m, [ldstDual(1, 0, 0, 1, 2, 3, 4, 1)]); // ldrd r3, r4, [r2], #-4
    assert.deepEqual([m.cpu.r[3], m.cpu.r[4], m.cpu.r[2]], [0x11111111, 0x22222222, DATA + 4]);
    run(m, [ldstDual(1, 1, 1, 0, 2, 5, 6, 1)]); // ldrd r5, r6, [r2, #4]
    assert.deepEqual([m.cpu.r[5], m.cpu.r[6], m.cpu.r[2]], [0x11111111, 0x22222222, DATA + 4]);
    assert.equal(asm(ldstDual(0, 1, 1, 1, 2, 0, 1, 2)), 'strd r0, r1, [r2, #8]!');
  });

  it('LDRD needs word alignment (MemA)', () => {
    const m = machine();
    m.cpu.r[2] = DATA + 2;
    assert.equal(fault(() => run(m, [ldstDual(1, 1, 1, 0, 2, 0, 1, 0)])).kind, FaultKind.Unaligned);
  });

  it('LDRD literal', () => {
    const m = machine();
    m.bus.poke(CODE + 0x10, 4, 0xaaaa5555);
    m.bus.poke(CODE + 0x14, 4, 0x5555aaaa);
    run(m, [ldstDual(1, 1, 1, 0, 15, 0, 1, 3)], 1, CODE); // [pc, #12] = CODE+4+12
    assert.deepEqual([m.cpu.r[0], m.cpu.r[1]], [0xaaaa5555, 0x5555aaaa]);
  });

  it('LDREX/STREX succeed with the monitor and fail without it', () => {
    const m = machine();
    m.bus.poke(DATA + 4, 4, 41);
    m.cpu.r[1] = DATA;
    run(m, [ldrex(0, 1, 1)]);
    assert.equal(m.cpu.r[0], 41);
    assert.equal(m.cpu.exclusiveAddress, DATA + 4);
    m.cpu.r[0] = 42;
    run(m, [strex(2, 0, 1, 1)]);
    assert.equal(m.cpu.r[2], 0);
    assert.equal(m.bus.peek(DATA + 4, 4), 42);
    assert.equal(m.cpu.exclusiveAddress, -1);
    m.cpu.r[0] = 43;
    run(m, [strex(2, 0, 1, 1)]);
    assert.equal(m.cpu.r[2], 1);
    assert.equal(m.bus.peek(DATA + 4, 4), 42);
    run(m, [ldrex(0, 1, 1), CLREX, strex(2, 0, 1, 1)]);
    assert.equal(m.cpu.r[2], 1);
    assert.equal(asm(strex(2, 0, 1, 1)), 'strex r2, r0, [r1, #4]');
  });

  it('LDREXB/LDREXH/STREXB/STREXH', () => {
    const m = machine();
    m.bus.poke(DATA, 4, 0x8281);
    m.cpu.r[1] = DATA;
    run(m, [ldrexbh(0, 0, 1)]);
    assert.equal(m.cpu.r[0], 0x81);
    m.cpu.r[3] = 0x1ff;
    run(m, [strexbh(0, 2, 3, 1)]);
    assert.equal(m.cpu.r[2], 0);
    assert.equal(m.bus.peek(DATA, 4), 0x82ff);
    run(m, [ldrexbh(1, 0, 1)]);
    assert.equal(m.cpu.r[0], 0x82ff);
    m.cpu.r[3] = 0x12345;
    run(m, [strexbh(1, 2, 3, 1)]);
    assert.equal(m.cpu.r[2], 0);
    assert.equal(m.bus.peek(DATA, 4), 0x2345);
    m.cpu.r[1] = DATA + 1;
    assert.equal(fault(() => run(m, [strexbh(1, 2, 3, 1)])).kind, FaultKind.Unaligned);
  });

  it('TBB and TBH', () => {
    const m = machine();
    m.cpu.r[0] = DATA;
    m.cpu.r[1] = 2;
    m.bus.poke(DATA + 2, 1, 0x10);
    run(m, [tbb(0, 1)]);
    assert.equal(m.cpu.pc, CODE + 4 + 0x20);
    m.bus.poke(DATA + 4, 2, 0x1234);
    run(m, [tbb(0, 1, 1)]);
    assert.equal(m.cpu.pc, CODE + 4 + 0x2468);
    // TBB [pc, r1]: the table follows the instruction.
    const p = machine();
    p.cpu.r[1] = 1;
    p.bus.poke(CODE + 4, 4, 0x00000302);
    run(p, [tbb(15, 1)]);
    assert.equal(p.cpu.pc, CODE + 4 + 6);
    assert.equal(asm(tbb(0, 1, 1)), 'tbh [r0, r1, lsl #1]');
  });
});

describe('thumb32: load/store multiple', () => {
  it('STMIA/LDMIA with writeback', () => {
    const m = machine();
    m.cpu.r[0] = DATA;
    m.cpu.r[1] = 1;
    m.cpu.r[2] = 2;
    m.cpu.r[8] = 8;
    run(m, [stm(0, 1, 0x0106)]);
    assert.equal(m.cpu.r[0], DATA + 12);
    assert.deepEqual([m.bus.peek(DATA, 4), m.bus.peek(DATA + 4, 4), m.bus.peek(DATA + 8, 4)], [1, 2, 8]);
    m.cpu.r[0] = DATA;
    run(m, [ldm(0, 0, 0x1c00)]);
    assert.deepEqual([m.cpu.r[10], m.cpu.r[11], m.cpu.r[12], m.cpu.r[0]], [1, 2, 8, DATA]);
  });

  it('PUSH.W/POP.W and STMDB/LDMDB', () => {
    const m = machine();
    m.cpu.r[4] = 4;
    m.cpu.r[5] = 5;
    m.cpu.r[14] = 0x14;
    run(m, [stmdb(13, 1, 0x4030)]);
    assert.equal(m.cpu.r[13], STACK - 12);
    assert.equal(m.bus.peek(STACK - 12, 4), 4);
    assert.equal(m.bus.peek(STACK - 4, 4), 0x14);
    assert.equal(asm(stmdb(13, 1, 0x4030)), 'push.w {r4, r5, lr}');
    run(m, [ldm(13, 1, 0x0130)]); // pop.w {r4, r5, r8}
    assert.deepEqual([m.cpu.r[4], m.cpu.r[5], m.cpu.r[8], m.cpu.r[13]], [4, 5, 0x14, STACK]);
    m.cpu.r[2] = STACK;
    run(m, [ldmdb(2, 1, 0x0003)]);
    assert.deepEqual([m.cpu.r[0], m.cpu.r[1], m.cpu.r[2]], [5, 0x14, STACK - 8]);
    m.cpu.r[1] = STACK;
    run(m, [ldmdb(1, 0, 0x0003)]);
    assert.deepEqual([m.cpu.r[0], m.cpu.r[1]], [5, 0x14]); // base in list without writeback: loaded
  });

  it('UNPREDICTABLE register lists are refused', () => {
    for (const insn of [ldmdb(1, 1, 0x0006), stm(0, 0, 0x2003), stm(0, 0, 0x8003), ldm(0, 0, 0xc003), ldm(0, 0, 0x2003)]) {
      assert.equal(fault(() => exec1(insn)).kind, FaultKind.UndefinedInstruction);
    }
  });

  it('LDM with pc interworks; POP {pc} with EXC_RETURN in Handler mode', () => {
    const m = machine();
    m.bus.poke(STACK, 4, 7);
    m.bus.poke(STACK + 4, 4, (CODE + 0x81) >>> 0);
    run(m, [ldm(13, 1, 0x8001)]);
    assert.equal(m.cpu.r[0], 7);
    assert.equal(m.cpu.pc, CODE + 0x80);
    assert.equal(m.cpu.r[13], STACK + 8);
    const h = machine();
    h.cpu.ipsr = 11;
    h.bus.poke(STACK, 4, 0x4);
    h.bus.poke(STACK + 4, 4, 0xfffffffd);
    run(h, [ldm(13, 1, 0x8010)]);
    assert.equal(h.cpu.r[4], 4);
    assert.equal(h.cpu.pendingExceptionReturn, 0xfffffffd);
    assert.equal(h.cpu.r[13], STACK + 8);
    assert.equal(asm(ldm(13, 1, 0x8010)), 'pop.w {r4, pc}');
  });

  it('a fault part-way through LDM leaves registers and base unchanged', () => {
    const m = machine();
    m.cpu.r[0] = 0x20003ffc; // second word falls off the end of RAM
    m.cpu.r[1] = 0x1111;
    const f = fault(() => run(m, [ldm(0, 1, 0x0006)]));
    assert.equal(f.kind, FaultKind.PreciseDataBusError);
    assert.deepEqual([m.cpu.r[0], m.cpu.r[1]], [0x20003ffc, 0x1111]);
  });

  it('unaligned base is an alignment fault', () => {
    const m = machine();
    m.cpu.r[0] = DATA + 2;
    assert.equal(fault(() => run(m, [stm(0, 0, 0x0006)])).kind, FaultKind.Unaligned);
  });
});

describe('thumb32: ARMv6-M', () => {
  it('BL, MSR, MRS, DMB, DSB, ISB work', () => {
    const m = machine('v6m');
    run(m, [branchT4(0x100, true)]);
    assert.equal(m.cpu.pc, CODE + 0x104);
    m.cpu.r[1] = 1;
    run(m, [msr(1, 16), mrs(2, 16), [0xf3bf, 0x8f4f], [0xf3bf, 0x8f5f], [0xf3bf, 0x8f6f]]);
    assert.equal(m.cpu.r[2], 1);
  });

  it('everything else is UNDEFINED', () => {
    const undefinedOnV6m: Insn[] = [
      dpImm(ADD, 0, 1, 2, 1), plainImm(0b00100, 0, 0, 1), dpReg(ADD, 0, 1, 2, LSL, 0, 3), mul(0, 1, 15, 0, 2),
      longMul(1, 15, 1, 15, 0, 2), ldst12(1, 0, 2, 0, 1, 0), ldm(0, 0, 6), branchT4(0x100, false), branchT3(0, 0x100),
      [0xf3af, 0x8000], CLREX, ldrex(0, 1), tbb(0, 1), [0xf7f0, 0xa000],
    ];
    for (const insn of undefinedOnV6m) {
      const m = machine('v6m');
      m.cpu.r[1] = DATA;
      const f = fault(() => run(m, [insn]));
      assert.equal(f.kind, FaultKind.UndefinedInstruction, `${insn[0].toString(16)} ${insn[1].toString(16)}`);
    }
  });
});

describe('thumb32: coprocessor and DSP space', () => {
  it('coprocessor instructions are UNDEFINED without an FPU', () => {
    for (const profile of ['v6m', 'v7m'] as Profile[]) {
      const f = fault(() => exec1([0xee00, 0x0a10], {}, '', profile)); // vmov s0, r0
      assert.equal(f.kind, FaultKind.UndefinedInstruction);
    }
    assert.match(fault(() => exec1([0xee00, 0x0b10])).message, /coprocessor 11/);
  });

  it('v7em runs the v7m instructions', () => {
    const m = exec1(dpImm(ADD, 1, 1, 2, 1), { 1: 0x7fffffff }, '', 'v7em');
    assert.equal(m.cpu.r[2], 0x80000000);
  });
});
