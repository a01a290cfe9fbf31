// 16-bit Thumb instructions (ARMv7-M ARM A5.2 / A7.7), hand-encoded so the unit tests need no
// cross tools. Each test places halfwords in RAM, steps a Cpu and checks registers, flags and memory.

import * as assert from 'node:assert/strict';
import type { Profile } from '../../../src/emulator/cpu/cpu';
import { GuestFault } from '../../../src/emulator/cpu/fault';
import { decodeThumb16 } from '../../../src/emulator/cpu/thumb16';
import { CODE, type CpuTestMachine as Machine, DATA, flags, load, machine, setFlags, STACK } from './cpu-test-helpers';

/** Load and execute `steps` instructions (default: one per halfword). */
function run(m: Machine, halfwords: number[], steps = halfwords.length, at = CODE): void {
  load(m, halfwords, at);
  for (let i = 0; i < steps; i++) m.cpu.step();
}

/** Execute a single instruction on a fresh machine with the given registers. */
function exec1(hw: number, regs: Record<number, number> = {}, profile: Profile = 'v7m', flags = ''): Machine {
  const m = machine(profile);
  for (const [i, v] of Object.entries(regs)) m.cpu.r[Number(i)] = v;
  setFlags(m.cpu, flags);
  run(m, [hw]);
  return m;
}

function assertFault(fn: () => void, kind: string): void {
  assert.throws(fn, (e: unknown) => e instanceof GuestFault && e.kind === kind);
}

// ---- tiny encoders for the most common forms --------------------------------------------------
const movsImm = (d: number, imm: number) => 0x2000 | (d << 8) | imm;
const cmpImm = (n: number, imm: number) => 0x2800 | (n << 8) | imm;
const addsReg = (d: number, n: number, m: number) => 0x1800 | (m << 6) | (n << 3) | d;
const dp = (op: number, dn: number, m: number) => 0x4000 | (op << 6) | (m << 3) | dn;
const NOP = 0xbf00;

describe('thumb16: disassembly', () => {
  // Expected strings follow `arm-none-eabi-objdump -d` (minus its symbol comments).
  const cases: [number, number, string][] = [
    [0x0008, 0, 'movs r0, r1'],
    [0x0088, 0, 'lsls r0, r1, #2'],
    [0x0848, 0, 'lsrs r0, r1, #1'],
    [0x0808, 0, 'lsrs r0, r1, #32'],
    [0x1008, 0, 'asrs r0, r1, #32'],
    [0x1888, 0, 'adds r0, r1, r2'],
    [0x1a88, 0, 'subs r0, r1, r2'],
    [0x1d08, 0, 'adds r0, r1, #4'],
    [0x1e48, 0, 'subs r0, r1, #1'],
    [0x2005, 0, 'movs r0, #5'],
    [0x2fff, 0, 'cmp r7, #255'],
    [0x30c8, 0, 'adds r0, #200'],
    [0x3801, 0, 'subs r0, #1'],
    [0x4008, 0, 'ands r0, r1'],
    [0x4248, 0, 'negs r0, r1'],
    [0x4348, 0, 'muls r0, r1'],
    [0x43c8, 0, 'mvns r0, r1'],
    [0x4208, 0, 'tst r0, r1'],
    [0x44c8, 0, 'add r8, r9'],
    [0x448d, 0, 'add sp, r1'],
    [0x4469, 0, 'add r1, sp'],
    [0x448f, 0, 'add pc, r1'],
    [0x4680, 0, 'mov r8, r0'],
    [0x46bd, 0, 'mov sp, r7'],
    [0x4588, 0, 'cmp r8, r1'],
    [0x4770, 0, 'bx lr'],
    [0x4798, 0, 'blx r3'],
    [0x4802, 0x10, 'ldr r0, [pc, #8] @ 0x1c'],
    [0xa00f, 0x12, 'add r0, pc, #60 @ 0x50'],
    [0x6808, 0, 'ldr r0, [r1, #0]'],
    [0x7808, 0, 'ldrb r0, [r1, #0]'],
    [0x8848, 0, 'ldrh r0, [r1, #2]'],
    [0x5e88, 0, 'ldrsh r0, [r1, r2]'],
    [0x9800, 0, 'ldr r0, [sp, #0]'],
    [0xa802, 0, 'add r0, sp, #8'],
    [0xb002, 0, 'add sp, #8'],
    [0xb082, 0, 'sub sp, #8'],
    [0xdf00, 0, 'svc 0'],
    [0xdfff, 0, 'svc 255'],
    [0xbeab, 0, 'bkpt 0x00ab'],
    [0xde03, 0, 'udf #3'],
    [0xb672, 0, 'cpsid i'],
    [0xb663, 0, 'cpsie if'],
    [0xc006, 0, 'stmia r0!, {r1, r2}'],
    [0xc806, 0, 'ldmia r0!, {r1, r2}'],
    [0xc803, 0, 'ldmia r0, {r0, r1}'],
    [0xb5f0, 0, 'push {r4, r5, r6, r7, lr}'],
    [0xbd10, 0, 'pop {r4, pc}'],
    [0xbf0c, 0, 'ite eq'],
    [0xbf08, 0, 'it eq'],
    [0xbf1e, 0, 'ittt ne'],
    [0xbfa6, 0, 'itte ge'],
    [0xbf10, 0, 'yield'],
    [0xbf00, 0, 'nop'],
    [0xbf30, 0, 'wfi'],
    [0xd001, 0x4a, 'beq.n 0x50'],
    [0xb100, 0x4c, 'cbz r0, 0x50'],
    [0xb9f8, 0x4c, 'cbnz r0, 0x8e'],
    [0xba08, 0, 'rev r0, r1'],
    [0xbac8, 0, 'revsh r0, r1'],
    [0xb2c8, 0, 'uxtb r0, r1'],
    [0xe7fe, 0x50, 'b.n 0x50'],
  ];
  for (const [hw, address, text] of cases) {
    it(`${hw.toString(16).padStart(4, '0')} → ${text}`, () => {
      assert.equal(decodeThumb16(hw, address, 'v7m').asm(), text);
    });
  }
});

describe('thumb16: add/sub/mov/cmp flags', () => {
  it('MOVS imm sets N/Z, leaves C and V', () => {
    const m = exec1(movsImm(3, 0), {}, 'v7m', 'NCV');
    assert.equal(m.cpu.r[3], 0);
    assert.equal(flags(m.cpu), 'ZCV');
  });
  it('ADDS reg: signed overflow, unsigned carry, zero', () => {
    let m = exec1(addsReg(0, 1, 2), { 1: 0x7fffffff, 2: 1 });
    assert.equal(m.cpu.r[0], 0x80000000);
    assert.equal(flags(m.cpu), 'NV');
    m = exec1(addsReg(0, 1, 2), { 1: 0xffffffff, 2: 1 });
    assert.equal(m.cpu.r[0], 0);
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(addsReg(0, 1, 2), { 1: 0x80000000, 2: 0x80000000 });
    assert.equal(flags(m.cpu), 'ZCV');
  });
  it('SUBS reg / imm3 / imm8', () => {
    let m = exec1(0x1a88, { 1: 0, 2: 1 }); // subs r0, r1, r2
    assert.equal(m.cpu.r[0], 0xffffffff);
    assert.equal(flags(m.cpu), 'N');
    m = exec1(0x1e48, { 1: 1 }); // subs r0, r1, #1
    assert.equal(m.cpu.r[0], 0);
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(0x3801, { 0: 0x80000000 }); // subs r0, #1
    assert.equal(m.cpu.r[0], 0x7fffffff);
    assert.equal(flags(m.cpu), 'CV');
  });
  it('ADDS imm3 / imm8', () => {
    let m = exec1(0x1d08, { 1: 0xfffffffc }); // adds r0, r1, #4
    assert.equal(m.cpu.r[0], 0);
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(0x30c8, { 0: 0x7fffff00 }); // adds r0, #200
    assert.equal(m.cpu.r[0], 0x7fffffc8);
    assert.equal(flags(m.cpu), '');
  });
  it('CMP imm / reg / CMN', () => {
    let m = exec1(cmpImm(2, 5), { 2: 5 });
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(cmpImm(2, 6), { 2: 5 });
    assert.equal(flags(m.cpu), 'N');
    m = exec1(dp(0xa, 0, 1), { 0: 0x80000000, 1: 1 }); // cmp r0, r1
    assert.equal(flags(m.cpu), 'CV');
    m = exec1(dp(0xb, 0, 1), { 0: 0xffffffff, 1: 1 }); // cmn r0, r1
    assert.equal(flags(m.cpu), 'ZC');
    assert.equal(m.cpu.r[0], 0xffffffff, 'CMN does not write');
  });
});

describe('thumb16: data processing', () => {
  it('AND/EOR/ORR/BIC/MVN set N,Z and leave C,V', () => {
    const cases: [number, number, number, number, string][] = [
      [0x0, 0xf0f0f0f0, 0x0f0f0f0f, 0, 'ZCV'],
      [0x1, 0xf0f0f0f0, 0x0f0f0f0f, 0xffffffff, 'NCV'],
      [0xc, 0x1, 0x80000000, 0x80000001, 'NCV'],
      [0xe, 0xff, 0x0f, 0xf0, 'CV'],
      [0xf, 0, 0xffffffff, 0, 'ZCV'],
    ];
    for (const [op, a, b, result, f] of cases) {
      const m = exec1(dp(op, 0, 1), { 0: a, 1: b }, 'v7m', 'CV');
      assert.equal(m.cpu.r[0], result, `op ${op}`);
      assert.equal(flags(m.cpu), f, `op ${op}`);
    }
  });
  it('TST writes only flags', () => {
    const m = exec1(dp(0x8, 0, 1), { 0: 0x80000000, 1: 0x80000001 });
    assert.equal(flags(m.cpu), 'N');
    assert.equal(m.cpu.r[0], 0x80000000);
  });
  it('ADCS / SBCS use the carry in', () => {
    let m = exec1(dp(0x5, 0, 1), { 0: 0xffffffff, 1: 0 }, 'v7m', 'C');
    assert.equal(m.cpu.r[0], 0);
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(dp(0x5, 0, 1), { 0: 0x7fffffff, 1: 0 }, 'v7m', 'C');
    assert.equal(m.cpu.r[0], 0x80000000);
    assert.equal(flags(m.cpu), 'NV');
    m = exec1(dp(0x6, 0, 1), { 0: 5, 1: 5 }, 'v7m', ''); // 5 - 5 - 1
    assert.equal(m.cpu.r[0], 0xffffffff);
    assert.equal(flags(m.cpu), 'N');
    m = exec1(dp(0x6, 0, 1), { 0: 5, 1: 5 }, 'v7m', 'C');
    assert.equal(m.cpu.r[0], 0);
    assert.equal(flags(m.cpu), 'ZC');
  });
  it('NEGS (RSB #0)', () => {
    let m = exec1(dp(0x9, 0, 1), { 1: 0 });
    assert.equal(m.cpu.r[0], 0);
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(dp(0x9, 0, 1), { 1: 1 });
    assert.equal(m.cpu.r[0], 0xffffffff);
    assert.equal(flags(m.cpu), 'N');
    m = exec1(dp(0x9, 0, 1), { 1: 0x80000000 });
    assert.equal(m.cpu.r[0], 0x80000000);
    assert.equal(flags(m.cpu), 'NV');
  });
  it('MULS sets N,Z only', () => {
    const m = exec1(dp(0xd, 0, 1), { 0: 0x10000, 1: 0x10000 }, 'v7m', 'CV');
    assert.equal(m.cpu.r[0], 0);
    assert.equal(flags(m.cpu), 'ZCV');
    const m2 = exec1(dp(0xd, 0, 1), { 0: 0xffffffff, 1: 3 });
    assert.equal(m2.cpu.r[0], 0xfffffffd);
    assert.equal(flags(m2.cpu), 'N');
  });
  it('shift by register: amounts 0, <32, 32, >32', () => {
    // [op, value, amount, result, flags] with C set on entry
    const cases: [number, number, number, number, string][] = [
      [0x2, 0x80000001, 0, 0x80000001, 'NC'], // LSL #0 keeps C
      [0x2, 0x80000001, 1, 2, 'C'],
      [0x2, 0x40000000, 2, 0, 'ZC'],
      [0x2, 0x00000001, 32, 0, 'ZC'],
      [0x2, 0xffffffff, 33, 0, 'Z'],
      [0x2, 0x00000001, 0x101, 2, ''], // only the bottom byte counts
      [0x3, 0x80000000, 32, 0, 'ZC'],
      [0x3, 0x80000000, 31, 1, ''],
      [0x3, 0xffffffff, 40, 0, 'Z'],
      [0x4, 0x80000000, 31, 0xffffffff, 'N'],
      [0x4, 0x80000000, 40, 0xffffffff, 'NC'],
      [0x4, 0x7fffffff, 32, 0, 'Z'],
      [0x7, 0x00000001, 1, 0x80000000, 'NC'],
      [0x7, 0x80000000, 32, 0x80000000, 'NC'],
      [0x7, 0x00000002, 0, 2, 'C'], // ROR #0 keeps C
      [0x7, 0x00000001, 0x21, 0x80000000, 'NC'],
    ];
    for (const [op, value, amount, result, f] of cases) {
      const m = exec1(dp(op, 0, 1), { 0: value, 1: amount }, 'v7m', 'C');
      const label = `op ${op} ${value.toString(16)} by ${amount}`;
      assert.equal(m.cpu.r[0], result, label);
      assert.equal(flags(m.cpu), f, label);
    }
  });
  it('shift by immediate: LSL/LSR/ASR including #32', () => {
    let m = exec1(0x0048, { 1: 0x80000001 }); // lsls r0, r1, #1
    assert.equal(m.cpu.r[0], 2);
    assert.equal(flags(m.cpu), 'C');
    m = exec1(0x0808, { 1: 0x80000000 }); // lsrs r0, r1, #32
    assert.equal(m.cpu.r[0], 0);
    assert.equal(flags(m.cpu), 'ZC');
    m = exec1(0x0848, { 1: 3 }); // lsrs r0, r1, #1
    assert.equal(m.cpu.r[0], 1);
    assert.equal(flags(m.cpu), 'C');
    m = exec1(0x1008, { 1: 0x80000000 }); // asrs r0, r1, #32
    assert.equal(m.cpu.r[0], 0xffffffff);
    assert.equal(flags(m.cpu), 'NC');
    m = exec1(0x1048, { 1: 0x80000000 }); // asrs r0, r1, #1
    assert.equal(m.cpu.r[0], 0xc0000000);
    assert.equal(flags(m.cpu), 'N');
    m = exec1(0x0008, { 1: 0 }, 'v7m', 'CV'); // movs r0, r1 keeps C and V
    assert.equal(flags(m.cpu), 'ZCV');
  });
  it('extend and reverse', () => {
    const cases: [number, number, number][] = [
      [0xb208, 0x00018000, 0xffff8000], // sxth
      [0xb248, 0x00000180, 0xffffff80], // sxtb
      [0xb288, 0xffff1234, 0x1234], // uxth
      [0xb2c8, 0xffff1234, 0x34], // uxtb
      [0xba08, 0x12345678, 0x78563412], // rev
      [0xba48, 0x12345678, 0x34127856], // rev16
      [0xbac8, 0x12345680, 0xffff8056], // revsh
      [0xbac8, 0x00001234, 0x3412],
    ];
    for (const [hw, value, result] of cases) {
      const m = exec1(hw, { 1: value }, 'v7m', 'NZCV');
      assert.equal(m.cpu.r[0], result, hw.toString(16));
      assert.equal(flags(m.cpu), 'NZCV');
    }
  });
});

describe('thumb16: high registers, PC reads and branches', () => {
  it('ADD/MOV high never set flags; SP writes keep bits 1:0 clear', () => {
    let m = exec1(0x44c8, { 8: 0xffffffff, 9: 1 }); // add r8, r9
    assert.equal(m.cpu.r[8], 0);
    assert.equal(flags(m.cpu), '');
    m = exec1(0x448d, { 1: 0x13 }); // add sp, r1
    assert.equal(m.cpu.r[13], STACK + 0x10);
    m = exec1(0x46bd, { 7: 0x20000ffe }); // mov sp, r7
    assert.equal(m.cpu.r[13], 0x20000ffc);
    m = exec1(0x4680, { 0: 42 }); // mov r8, r0
    assert.equal(m.cpu.r[8], 42);
    m = exec1(0x4469); // add r1, sp
    assert.equal(m.cpu.r[1], STACK);
  });
  it('PC as an operand reads as the address + 4', () => {
    const m = machine();
    run(m, [NOP, 0x4678, 0x4479], 3); // mov r0, pc at +2; add r1, pc at +4
    assert.equal(m.cpu.r[0], CODE + 6);
    assert.equal(m.cpu.r[1], CODE + 8);
  });
  it('CMP high with PC', () => {
    const m = exec1(0x45f8, { 8: CODE + 4 }); // cmp r8, pc
    assert.equal(flags(m.cpu), 'ZC');
  });
  it('MOV pc and ADD pc branch (ALUWritePC ignores bit 0)', () => {
    let m = exec1(0x4687, { 0: 0x20000101 }); // mov pc, r0
    assert.equal(m.cpu.pc, 0x20000100);
    assert.equal(m.cpu.thumb, true);
    m = exec1(0x4487, { 0: 0x10 }); // add pc, r0
    assert.equal(m.cpu.pc, CODE + 4 + 0x10);
  });
  it('BX to an odd address branches, to an even one faults INVSTATE on the next step', () => {
    const m = exec1(0x4700, { 0: 0x20000201 }); // bx r0
    assert.equal(m.cpu.pc, 0x20000200);
    assert.equal(m.cpu.thumb, true);
    const m2 = exec1(0x4700, { 0: 0x20000200 });
    assert.equal(m2.cpu.thumb, false);
    assert.equal(m2.cpu.pc, 0x20000200);
    assertFault(() => m2.cpu.step(), 'INVSTATE');
  });
  it('BLX reg sets LR to the next instruction | 1 and reads the old LR', () => {
    const m = machine();
    m.cpu.r[14] = 0x20000301;
    run(m, [NOP, 0x47f0], 2); // blx lr at +2
    assert.equal(m.cpu.pc, 0x20000300);
    assert.equal(m.cpu.r[14], CODE + 5);
  });
  it('BX LR with EXC_RETURN in Handler mode requests an exception return', () => {
    const m = machine();
    m.cpu.ipsr = 11;
    m.cpu.r[14] = 0xfffffff9;
    run(m, [0x4770]);
    assert.equal(m.cpu.pendingExceptionReturn, 0xfffffff9);
  });
  it('BX LR with EXC_RETURN-like value in Thread mode is an ordinary branch', () => {
    const m = exec1(0x4770, { 14: 0xfffffff9 });
    assert.equal(m.cpu.pendingExceptionReturn, -1);
    assert.equal(m.cpu.pc, 0xfffffff8);
  });
  it('B conditional: taken, not taken, backwards; cycles', () => {
    let m = exec1(0xd001, {}, 'v7m', 'Z'); // beq +2
    assert.equal(m.cpu.pc, CODE + 6);
    assert.equal(m.cpu.cycles, 3);
    m = exec1(0xd001, {}, 'v7m', ''); // not taken
    assert.equal(m.cpu.pc, CODE + 2);
    assert.equal(m.cpu.cycles, 1);
    m = exec1(0xdafe, {}, 'v7m', 'NV'); // bge . (N == V)
    assert.equal(m.cpu.pc, CODE);
    m = exec1(0xdcfe, {}, 'v7m', 'ZNV'); // bgt . not taken (Z)
    assert.equal(m.cpu.pc, CODE + 2);
  });
  it('B unconditional forwards and backwards', () => {
    let m = exec1(0xe002); // b +4
    assert.equal(m.cpu.pc, CODE + 8);
    m = machine();
    run(m, [NOP, NOP, 0xe7fc], 3); // b back to CODE
    assert.equal(m.cpu.pc, CODE);
    m = exec1(0xe400); // b with imm11 = 0x400 → -2048
    assert.equal(m.cpu.pc, (CODE + 4 - 2048) >>> 0);
  });
  it('CBZ / CBNZ, and UNDEFINED on v6m', () => {
    let m = exec1(0xb108, { 0: 0 }); // cbz r0, +2
    assert.equal(m.cpu.pc, CODE + 6);
    m = exec1(0xb108, { 0: 1 });
    assert.equal(m.cpu.pc, CODE + 2);
    m = exec1(0xbb08, { 0: 1 }); // cbnz r0, with i=1 → +64+2
    assert.equal(m.cpu.pc, CODE + 4 + 66);
    m = exec1(0xb9f8, { 0: 0 });
    assert.equal(m.cpu.pc, CODE + 2);
    const v6 = machine('v6m');
    load(v6, [0xb108]);
    assertFault(() => v6.cpu.step(), 'UNDEFINSTR');
  });
});

describe('thumb16: loads and stores', () => {
  it('LDR literal uses Align(PC, 4)', () => {
    const m = machine();
    m.bus.poke(CODE + 8, 4, 0x11111111);
    m.bus.poke(CODE + 12, 4, 0x22222222);
    run(m, [0x4801, 0x4901], 2); // ldr r0, [pc, #4] at 0; ldr r1, [pc, #4] at 2
    assert.equal(m.cpu.r[0], 0x11111111);
    assert.equal(m.cpu.r[1], 0x11111111);
  });
  it('ADR and ADD Rd, SP, #imm', () => {
    const m = machine();
    run(m, [NOP, 0xa001, 0xaa03], 3); // adr r0 at +2 → Align(+6,4)+4 = +8; add r2, sp, #12
    assert.equal(m.cpu.r[0], CODE + 8);
    assert.equal(m.cpu.r[2], STACK + 12);
  });
  it('register-offset forms, with sign extension', () => {
    const m = machine();
    m.cpu.r[1] = DATA;
    m.cpu.r[2] = 8;
    m.cpu.r[0] = 0xdeadbeef;
    run(m, [0x5088]); // str r0, [r1, r2]
    assert.equal(m.bus.peek(DATA + 8, 4), 0xdeadbeef);
    run(m, [0x5288]); // strh r0, [r1, r2]: overwrite low half with itself
    m.cpu.r[0] = 0x80;
    run(m, [0x5488]); // strb r0, [r1, r2]
    assert.equal(m.bus.peek(DATA + 8, 4), 0xdeadbe80);
    run(m, [0x5688]); // ldrsb r0, [r1, r2]
    assert.equal(m.cpu.r[0], 0xffffff80);
    run(m, [0x5888]); // ldr
    assert.equal(m.cpu.r[0], 0xdeadbe80);
    run(m, [0x5a88]); // ldrh
    assert.equal(m.cpu.r[0], 0xbe80);
    run(m, [0x5c88]); // ldrb
    assert.equal(m.cpu.r[0], 0x80);
    run(m, [0x5e88]); // ldrsh
    assert.equal(m.cpu.r[0], 0xffffbe80);
  });
  it('immediate-offset forms scale the offset', () => {
    const m = machine();
    m.cpu.r[1] = DATA;
    m.cpu.r[0] = 0x12345678;
    run(m, [0x6048, 0x8108, 0x7308]); // str r0,[r1,#4]; strh r0,[r1,#8]; strb r0,[r1,#12]
    assert.equal(m.bus.peek(DATA + 4, 4), 0x12345678);
    assert.equal(m.bus.peek(DATA + 8, 4), 0x5678);
    assert.equal(m.bus.peek(DATA + 12, 4), 0x78);
    run(m, [0x684a, 0x890b, 0x7b0c]); // ldr r2,[r1,#4]; ldrh r3,[r1,#8]; ldrb r4,[r1,#12]
    assert.equal(m.cpu.r[2], 0x12345678);
    assert.equal(m.cpu.r[3], 0x5678);
    assert.equal(m.cpu.r[4], 0x78);
  });
  it('SP-relative LDR/STR', () => {
    const m = machine();
    m.cpu.r[3] = 0xcafef00d;
    run(m, [0x9302, 0x9c02]); // str r3, [sp, #8]; ldr r4, [sp, #8]
    assert.equal(m.bus.peek(STACK + 8, 4), 0xcafef00d);
    assert.equal(m.cpu.r[4], 0xcafef00d);
  });
  it('unaligned LDR faults on v6m, works on v7m, faults with UNALIGN_TRP', () => {
    const v6 = machine('v6m');
    v6.cpu.r[1] = DATA + 1;
    load(v6, [0x6808]); // ldr r0, [r1, #0]
    assertFault(() => v6.cpu.step(), 'UNALIGNED');
    assert.equal(v6.cpu.pc, CODE, 'the faulting instruction is not retired');
    const v7 = machine('v7m');
    v7.bus.poke(DATA, 4, 0x44332211);
    v7.bus.poke(DATA + 4, 4, 0x88776655);
    v7.cpu.r[1] = DATA + 1;
    run(v7, [0x6808]);
    assert.equal(v7.cpu.r[0], 0x55443322);
    v7.cpu.unalignTrap = true;
    load(v7, [0x6808]);
    assertFault(() => v7.cpu.step(), 'UNALIGNED');
  });
  it('unaligned LDRH faults on v6m', () => {
    const v6 = machine('v6m');
    v6.cpu.r[1] = DATA + 1;
    load(v6, [0x8808]); // ldrh r0, [r1, #0]
    assertFault(() => v6.cpu.step(), 'UNALIGNED');
  });
});

describe('thumb16: multiple registers', () => {
  it('PUSH / POP with LR and PC', () => {
    const m = machine();
    m.cpu.r[4] = 4;
    m.cpu.r[5] = 5;
    m.cpu.r[14] = 0x20000401;
    run(m, [0xb530]); // push {r4, r5, lr}
    assert.equal(m.cpu.r[13], STACK - 12);
    assert.equal(m.bus.peek(STACK - 12, 4), 4);
    assert.equal(m.bus.peek(STACK - 8, 4), 5);
    assert.equal(m.bus.peek(STACK - 4, 4), 0x20000401);
    assert.equal(m.cpu.cycles, 4);
    m.cpu.r[4] = 0;
    m.cpu.r[5] = 0;
    run(m, [0xbd30]); // pop {r4, r5, pc}
    assert.equal(m.cpu.r[4], 4);
    assert.equal(m.cpu.r[5], 5);
    assert.equal(m.cpu.r[13], STACK);
    assert.equal(m.cpu.pc, 0x20000400);
    assert.equal(m.cpu.thumb, true);
  });
  it('POP {pc} with an even address faults INVSTATE next; with EXC_RETURN in Handler mode returns', () => {
    const m = machine();
    m.bus.poke(STACK, 4, 0x20000400);
    run(m, [0xbd00]);
    assertFault(() => m.cpu.step(), 'INVSTATE');
    const h = machine();
    h.cpu.ipsr = 15;
    h.bus.poke(STACK, 4, 0xfffffffd);
    run(h, [0xbd00]);
    assert.equal(h.cpu.pendingExceptionReturn, 0xfffffffd);
    assert.equal(h.cpu.r[13], STACK + 4);
  });
  it('POP faulting part-way changes no register', () => {
    const m = machine();
    m.cpu.r[13] = 0x20003ffc; // second word is beyond the RAM
    m.cpu.r[0] = 7;
    load(m, [0xbc03]); // pop {r0, r1}
    assertFault(() => m.cpu.step(), 'PRECISERR');
    assert.equal(m.cpu.r[0], 7);
    assert.equal(m.cpu.r[13], 0x20003ffc);
  });
  it('STMIA / LDMIA with writeback', () => {
    const m = machine();
    m.cpu.r[0] = DATA;
    m.cpu.r[1] = 0x11;
    m.cpu.r[2] = 0x22;
    run(m, [0xc006]); // stmia r0!, {r1, r2}
    assert.equal(m.cpu.r[0], DATA + 8);
    assert.equal(m.bus.peek(DATA, 4), 0x11);
    assert.equal(m.bus.peek(DATA + 4, 4), 0x22);
    m.cpu.r[3] = DATA;
    run(m, [0xcb30]); // ldmia r3!, {r4, r5}
    assert.equal(m.cpu.r[3], DATA + 8);
    assert.equal(m.cpu.r[4], 0x11);
    assert.equal(m.cpu.r[5], 0x22);
    assert.equal(m.cpu.cycles, 6);
  });
  it('LDMIA with the base in the list loads it and does not write back', () => {
    const m = machine();
    m.bus.poke(DATA, 4, 0xaaaa);
    m.bus.poke(DATA + 4, 4, 0xbbbb);
    m.cpu.r[0] = DATA;
    run(m, [0xc803]); // ldmia r0, {r0, r1}
    assert.equal(m.cpu.r[0], 0xaaaa);
    assert.equal(m.cpu.r[1], 0xbbbb);
  });
  it('STMIA with the base lowest in the list stores the original base', () => {
    const m = machine();
    m.cpu.r[0] = DATA;
    m.cpu.r[1] = 0x11;
    run(m, [0xc003]); // stmia r0!, {r0, r1}
    assert.equal(m.bus.peek(DATA, 4), DATA);
    assert.equal(m.cpu.r[0], DATA + 8);
  });
  it('LDM from an unaligned base faults even on v7m', () => {
    const m = machine();
    m.cpu.r[0] = DATA + 2;
    load(m, [0xc806]);
    assertFault(() => m.cpu.step(), 'UNALIGNED');
    assert.equal(m.cpu.r[0], DATA + 2);
  });
  it('ADD/SUB SP, #imm7', () => {
    const m = machine();
    run(m, [0xb0ff, 0xb07f]); // sub sp, #508; add sp, #508
    assert.equal(m.cpu.r[13], STACK);
    run(m, [0xb082]);
    assert.equal(m.cpu.r[13], STACK - 8);
  });
});

describe('thumb16: IT blocks', () => {
  it('suppresses flag setting inside the block and skips failed conditions', () => {
    const m = machine();
    m.cpu.r[0] = 1;
    m.cpu.r[1] = 1;
    // cmp r0, r1; ite eq; addeq r2, r0, r1 (no flags); subne r3, r0, r1 (skipped); adds r4, r0, r1
    run(m, [dp(0xa, 0, 1), 0xbf0c, addsReg(2, 0, 1), 0x1a43, addsReg(4, 0, 1)]);
    assert.equal(m.cpu.r[2], 2);
    assert.equal(m.cpu.r[3], 0);
    assert.equal(m.cpu.r[4], 2);
    assert.equal(m.cpu.itState, 0);
    assert.equal(flags(m.cpu), '', 'the last ADDS is outside the block and sets flags');
  });
  it('flags stay untouched by ADDS/MOVS/LSLS inside an IT block', () => {
    const m = machine();
    setFlags(m.cpu, 'ZC');
    // ittt eq; movs r0, #0x80 ; adds r1, r0, r0 ; lsls r2, r0, #25
    run(m, [0xbf02, movsImm(0, 0x80), addsReg(1, 0, 0), 0x0642]);
    assert.equal(m.cpu.r[0], 0x80);
    assert.equal(m.cpu.r[1], 0x100);
    assert.equal(m.cpu.r[2], 0);
    assert.equal(flags(m.cpu), 'ZC');
  });
  it('CMP inside an IT block sets flags, changing later conditions', () => {
    const m = machine();
    setFlags(m.cpu, 'Z');
    m.cpu.r[0] = 1;
    // itt eq; cmpeq r0, #2; moveq r1, #1 (skipped: Z cleared by the CMP)
    run(m, [0xbf04, cmpImm(0, 2), movsImm(1, 1)]);
    assert.equal(m.cpu.r[1], 0);
    assert.equal(flags(m.cpu), 'N');
  });
  it('IT is UNDEFINED on v6m; on v6m flags are always set', () => {
    const m = machine('v6m');
    load(m, [0xbf08]);
    assertFault(() => m.cpu.step(), 'UNDEFINSTR');
    const m2 = exec1(movsImm(0, 0), {}, 'v6m');
    assert.equal(flags(m2.cpu), 'Z');
  });
});

describe('thumb16: system', () => {
  it('SVC / BKPT / hints call the hooks', () => {
    const m = machine();
    run(m, [0xdf05, 0xbeab, 0xbf30, 0xbf20, 0xbf40, 0xbf10, NOP]);
    assert.deepEqual(m.calls, ['svc 5', 'bkpt 171', 'wfi', 'wfe', 'sev']);
    assert.equal(m.cpu.pc, CODE + 14);
  });
  it('UDF raises UNDEFINSTR', () => {
    const m = machine();
    load(m, [0xde00]);
    assertFault(() => m.cpu.step(), 'UNDEFINSTR');
  });
  it('CPS sets PRIMASK / FAULTMASK when privileged only', () => {
    const m = machine();
    run(m, [0xb672, 0xb671]); // cpsid i; cpsid f
    assert.equal(m.cpu.primask, 1);
    assert.equal(m.cpu.faultmask, 1);
    run(m, [0xb663]); // cpsie if
    assert.equal(m.cpu.primask, 0);
    assert.equal(m.cpu.faultmask, 0);
    assert.deepEqual(m.calls, ['mask', 'mask', 'mask']);
    m.cpu.control = 1; // unprivileged Thread mode
    run(m, [0xb672]);
    assert.equal(m.cpu.primask, 0);
  });
  it('CPSID f does nothing in HardFault; F is ignored on v6m', () => {
    const m = machine();
    m.cpu.ipsr = 3;
    run(m, [0xb671]);
    assert.equal(m.cpu.faultmask, 0);
    const v6 = machine('v6m');
    run(v6, [0xb673]);
    assert.equal(v6.cpu.primask, 1);
    assert.equal(v6.cpu.faultmask, 0);
  });
  it('unallocated misc encodings are UNDEFINED', () => {
    for (const hw of [0xb650, 0xb600, 0xb700, 0xb800, 0xba80]) {
      const d = decodeThumb16(hw, CODE, 'v7m');
      assert.throws(() => d.exec(machine().cpu), GuestFault, hw.toString(16));
    }
  });
});
