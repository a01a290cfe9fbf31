// Generators for the 32-bit Thumb encodings (ARMv7-M ARM A5.3; ARMv6-M has only BL, MSR, MRS,
// DMB, DSB and ISB, A5.3 of the ARMv6-M ARM).
//
// Exclusions (not compared, on purpose):
// - Coprocessor / floating-point space. DSP-extension instructions (SSAT16, SXTAB, QADD, SMLAxy,
//   UMAAL, PKHBT, ...) are not part of ARMv7-M without the DSP extension, but unicorn's only
//   M-profile model (see KNOWN-DEVIATIONS.md) implements them: class v7m-undef-dsp self-checks
//   that our Cortex-M3 model raises UNDEFINSTR for them instead.
// - MSR/MRS of privileged registers (MSP, PSP, PRIMASK, BASEPRI, FAULTMASK, CONTROL) and CPS:
//   state the harness does not compare. MSR APSR_g: needs the DSP extension.
// - PLD/PLI, LDRT-family with SP/PC, and every UNPREDICTABLE register choice the ARM ARM lists
//   (d/n/m = SP or PC in data processing, writeback with n == t, t == t2 in LDRD, reglists with fewer
//   than two registers or SP in them, ...) — noted at each generator.
// - Exclusive stores without a preceding LDREX/CLREX in the same case: the monitor state carried
//   over from an earlier case is not part of the compared state.

import type { CaseBuilder, InstrClass } from './case-builder';
import { FaultKind } from '../../../src/emulator/cpu/fault';
import { CODE_BASE, WINDOW } from './testcase';
import { IT_BODY_16, itMask } from './classes16';

const BOTH = ['v6m', 'v7m'] as const;
const V7 = ['v7m'] as const;

// ---- branches and miscellaneous control (A5.3.4) ------------------------------------------------

/** BL with a random 24-bit offset (both profiles). */
function branchLink(g: CaseBuilder): void {
  const s = g.rng.int(2);
  const imm10 = g.rng.int(1024);
  const j1 = g.rng.int(2);
  const j2 = g.rng.int(2);
  g.emit32(0xf000 | (s << 10) | imm10, 0xd000 | (j1 << 13) | (j2 << 11) | g.rng.int(2048));
}

/** B.W (T4) and B<c>.W (T3). */
function branch32(g: CaseBuilder): void {
  const s = g.rng.int(2);
  const j1 = g.rng.int(2);
  const j2 = g.rng.int(2);
  if (g.rng.chance(0.5)) {
    g.emit32(0xf000 | (s << 10) | g.rng.int(1024), 0x9000 | (j1 << 13) | (j2 << 11) | g.rng.int(2048));
  } else {
    const cond = g.rng.int(14);
    g.emit32(0xf000 | (s << 10) | (cond << 6) | g.rng.int(64), 0x8000 | (j1 << 13) | (j2 << 11) | g.rng.int(2048));
  }
}

/** MRS Rd, <APSR/IAPSR/EAPSR/xPSR/IPSR/EPSR/IEPSR>; MSR <APSR forms>_nzcvq, Rn (both profiles). */
function specialRegister(g: CaseBuilder): void {
  const sysm = g.rng.pick([0, 1, 2, 3, 5, 6, 7]);
  if (g.rng.chance(0.5)) {
    g.emit32(0xf3ef, 0x8000 | (g.reg() << 8) | sysm);
  } else {
    const rn = g.reg();
    if (g.rng.chance(0.5)) g.set(rn, g.rng.u32() & 0xf8000000);
    // MSR to IPSR/EPSR bits is ignored; only the APSR-containing names are generated.
    g.emit32(0xf380 | rn, 0x8800 | g.rng.pick([0, 1, 2, 3]));
  }
}

/** DMB/DSB/ISB (both profiles) and NOP.W (ARMv7-M). */
function barrier(g: CaseBuilder): void {
  const which = g.rng.int(g.v7 ? 4 : 3);
  if (which === 3) g.emit32(0xf3af, 0x8000);
  else g.emit32(0xf3bf, 0x8f00 | ([0x50, 0x40, 0x60][which]) | 0xf);
}

// ---- data processing (modified immediate) (A5.3.1) ----------------------------------------------

/** imm12 for ThumbExpandImm: the four replicated patterns and rotated bytes, biased to edges. */
function modifiedImmediate(g: CaseBuilder): number {
  if (g.rng.chance(0.25)) return g.rng.int(4) << 8 | g.imm8();
  if (g.rng.chance(0.2)) return g.rng.pick([0x000, 0x0ff, 0x1ff, 0x2ff, 0x3ff, 0x400, 0x4ff, 0x47f, 0x7ff, 0xfff, 0x800, 0x880]);
  return g.rng.int(4096);
}

function emitModImm(g: CaseBuilder, op: number, s: number, rn: number, rd: number): void {
  const imm12 = modifiedImmediate(g);
  g.emit32(0xf000 | (((imm12 >> 11) & 1) << 10) | (op << 5) | (s << 4) | rn, (((imm12 >> 8) & 7) << 12) | (rd << 8) | (imm12 & 0xff));
}

const MODIMM_OPS = [0, 1, 2, 3, 4, 8, 10, 11, 13, 14];

function dataProcessingModifiedImmediate(g: CaseBuilder): void {
  const op = g.rng.pick(MODIMM_OPS);
  const s = g.rng.int(2);
  let rd = g.reg();
  let rn = g.reg();
  // Compare forms: TST/TEQ/CMN/CMP are Rd = PC with S = 1.
  if (s === 1 && (op === 0 || op === 4 || op === 8 || op === 13) && g.rng.chance(0.3)) rd = 15;
  // MOV/MVN are ORR/ORN with Rn = PC.
  if ((op === 2 || op === 3) && g.rng.chance(0.4)) rn = 15;
  // ADD/SUB/CMN/CMP accept SP as Rn (ADD/SUB (SP plus immediate)); the result must not go to SP.
  if ((op === 8 || op === 13) && g.rng.chance(0.15)) rn = 13;
  emitModImm(g, op, s, rn, rd);
}

// ---- data processing (plain binary immediate) (A5.3.3) -------------------------------------------

function plainImm(g: CaseBuilder, op5: number, rn: number, rd: number, imm12: number): void {
  g.emit32(0xf200 | (((imm12 >> 11) & 1) << 10) | (op5 << 4) | rn, (((imm12 >> 8) & 7) << 12) | (rd << 8) | (imm12 & 0xff));
}

function dataProcessingPlainImmediate(g: CaseBuilder): void {
  const rd = g.reg();
  const kind = g.rng.int(8);
  switch (kind) {
    case 0: // ADDW / ADR (T3) when Rn = PC; SP allowed as Rn
    case 1: { // SUBW / ADR (T2)
      const rn = g.rng.chance(0.2) ? 15 : g.rng.chance(0.1) ? 13 : g.reg();
      plainImm(g, kind === 0 ? 0x00 : 0x0a, rn, rd, g.rng.int(4096));
      break;
    }
    case 2: // MOVW
    case 3: { // MOVT
      const imm16 = g.rng.chance(0.2) ? g.rng.pick([0, 0xffff, 0x8000, 0x7fff]) : g.rng.int(0x10000);
      plainImm(g, kind === 2 ? 0x04 : 0x0c, imm16 >> 12, rd, imm16 & 0xfff);
      break;
    }
    case 4: // SSAT / USAT: sh:imm3:imm2 shift, sat_imm in imm5
    case 5: {
      const rn = g.reg();
      const sh = g.rng.int(2);
      let shift = g.rng.int(32);
      if (sh === 1 && shift === 0) shift = 1; // sh=1, amount 0 is SSAT16/USAT16 (DSP)
      const sat = g.rng.chance(0.3) ? g.rng.pick([0, 1, 15, 16, 30, 31]) : g.rng.int(32);
      g.set(rn, g.value());
      const op5 = (kind === 4 ? 0x10 : 0x18) | (sh << 1);
      g.emit32(0xf300 | ((op5 & 0xf) << 4) | rn, ((shift >> 2) << 12) | (rd << 8) | ((shift & 3) << 6) | sat);
      break;
    }
    case 6: { // SBFX / UBFX: lsb + width - 1 <= 31
      const lsb = g.rng.int(32);
      const widthm1 = g.rng.int(32 - lsb);
      const op5 = g.rng.chance(0.5) ? 0x14 : 0x1c;
      g.emit32(0xf300 | ((op5 & 0xf) << 4) | g.reg(), ((lsb >> 2) << 12) | (rd << 8) | ((lsb & 3) << 6) | widthm1);
      break;
    }
    default: { // BFI / BFC (Rn = PC): msb >= lsb
      const lsb = g.rng.int(32);
      const msb = lsb + g.rng.int(32 - lsb);
      const rn = g.rng.chance(0.25) ? 15 : g.reg();
      g.emit32(0xf360 | rn, ((lsb >> 2) << 12) | (rd << 8) | ((lsb & 3) << 6) | msb);
      break;
    }
  }
}

// ---- data processing (shifted register) (A5.3.11) ------------------------------------------------

const SHIFTED_OPS = [0, 1, 2, 3, 4, 8, 10, 11, 13, 14];

function dataProcessingShiftedRegister(g: CaseBuilder): void {
  const op = g.rng.pick(SHIFTED_OPS);
  const s = g.rng.int(2);
  let rd = g.reg();
  let rn = g.reg();
  const rm = g.reg();
  if (s === 1 && (op === 0 || op === 4 || op === 8 || op === 13) && g.rng.chance(0.3)) rd = 15;
  if ((op === 2 || op === 3) && g.rng.chance(0.4)) rn = 15; // MOV/MVN (shifts)
  if ((op === 8 || op === 13) && rd !== 13 && g.rng.chance(0.1)) rn = 13;
  const type = g.rng.int(4);
  const amount = g.imm5();
  g.emit32(0xea00 | (op << 5) | (s << 4) | rn, ((amount >> 2) << 12) | (rd << 8) | ((amount & 3) << 6) | (type << 4) | rm);
}

// ---- data processing (register) (A5.3.12) --------------------------------------------------------

function dataProcessingRegister(g: CaseBuilder): void {
  const rd = g.reg();
  const rm = g.reg();
  switch (g.rng.int(3)) {
    case 0: { // LSL/LSR/ASR/ROR (register), optionally flag-setting
      const rn = g.reg();
      if (rm !== rn) g.set(rm, g.shiftAmount());
      g.emit32(0xfa00 | (g.rng.int(4) << 5) | (g.rng.int(2) << 4) | rn, 0xf000 | (rd << 8) | rm);
      break;
    }
    case 1: // SXTH/UXTH/SXTB/UXTB with rotation
      g.emit32(0xfa0f | (g.rng.pick([0, 1, 4, 5]) << 4), 0xf080 | (rd << 8) | (g.rng.int(4) << 4) | rm);
      break;
    default: { // REV/REV16/RBIT/REVSH, CLZ (Rm encoded twice)
      const pick = g.rng.int(5);
      const op1 = pick === 4 ? 3 : 1;
      const op2 = pick === 4 ? 0 : pick;
      if (g.rng.chance(0.2)) g.set(rm, g.rng.pick([0, 1, 0x80000000, 0xffffffff, 0x00010000]));
      g.emit32(0xfa80 | (op1 << 4) | rm, 0xf080 | (rd << 8) | (op2 << 4) | rm);
      break;
    }
  }
}

// ---- multiply, long multiply, divide (A5.3.16, A5.3.17) -------------------------------------------

function multiply32(g: CaseBuilder): void {
  const rd = g.reg();
  const rn = g.reg();
  const rm = g.reg();
  switch (g.rng.int(3)) {
    case 0: g.emit32(0xfb00 | rn, 0xf000 | (rd << 8) | rm); break; // MUL
    case 1: g.emit32(0xfb00 | rn, (g.reg() << 12) | (rd << 8) | rm); break; // MLA
    default: g.emit32(0xfb00 | rn, (g.reg() << 12) | (rd << 8) | 0x10 | rm); break; // MLS
  }
}

function longMultiply(g: CaseBuilder): void {
  const op = g.rng.pick([0x8, 0xa, 0xc, 0xe]); // SMULL, UMULL, SMLAL, UMLAL
  const lo = g.reg();
  const hi = g.regExcept(lo); // RdLo == RdHi is UNPREDICTABLE
  g.emit32(0xfb80 | ((op & 6) << 4) | g.reg(), (lo << 12) | (hi << 8) | g.reg());
}

function divide(g: CaseBuilder): void {
  const rn = g.reg();
  const rm = g.reg();
  if (rm !== rn && g.rng.chance(0.15)) g.set(rm, 0); // DIV_0_TRP clear: the result is 0
  if (rm !== rn && g.rng.chance(0.1)) { g.set(rm, 0xffffffff); g.set(rn, 0x80000000); }
  g.emit32(g.rng.chance(0.5) ? 0xfb90 | rn : 0xfbb0 | rn, 0xf0f0 | (g.reg() << 8) | rm);
}

// ---- load/store single (A5.3.7-A5.3.10) -----------------------------------------------------------

interface SingleForm {
  name: string;
  size: 1 | 2 | 4;
  load: boolean;
  /** hw1 with Rn = 0 for the imm12 form; the imm8/register form is this minus 0x80. */
  imm12: number;
}

const SINGLE_FORMS: SingleForm[] = [
  { name: 'strb', size: 1, load: false, imm12: 0xf880 },
  { name: 'strh', size: 2, load: false, imm12: 0xf8a0 },
  { name: 'str', size: 4, load: false, imm12: 0xf8c0 },
  { name: 'ldrb', size: 1, load: true, imm12: 0xf890 },
  { name: 'ldrh', size: 2, load: true, imm12: 0xf8b0 },
  { name: 'ldr', size: 4, load: true, imm12: 0xf8d0 },
  { name: 'ldrsb', size: 1, load: true, imm12: 0xf990 },
  { name: 'ldrsh', size: 2, load: true, imm12: 0xf9b0 },
];

function loadStoreSingle(g: CaseBuilder): void {
  const f = g.rng.pick(SINGLE_FORMS);
  // Rt: never SP; PC only for LDR (word) — a LoadWritePC branch — (byte/half with PC are hints).
  const rt = f.load && f.size === 4 && g.rng.chance(0.05) ? 15 : g.reg();
  // LDR pc from an address that is not word aligned is UNPREDICTABLE (A7.7.42).
  const unaligned = f.size > 1 && rt !== 15 && g.rng.chance(0.15);
  const mode = g.rng.int(f.load ? 4 : 3);
  if (mode === 0) { // imm12, positive offset (the base may sit below the window)
    const imm12 = g.rng.chance(0.3) ? g.rng.int(64) : g.rng.int(4096);
    const rn = g.reg();
    g.set(rn, (g.address(f.size, f.size, unaligned) - imm12) >>> 0);
    g.emit32(f.imm12 | rn, (rt << 12) | imm12);
  } else if (mode === 1) { // imm8 with P/U/W: offset, pre-indexed, post-indexed, negative, unprivileged
    const puw = g.rng.pick([0b100, 0b110, 0b101, 0b111, 0b001, 0b011]);
    // Writeback with n == t is UNPREDICTABLE; SP as the base keeps word alignment.
    const rn = g.rng.chance(0.1) ? 13 : g.regExcept(rt);
    let imm8 = g.imm8();
    if (rn === 13) imm8 &= ~3;
    const p = puw >> 2;
    const u = (puw >> 1) & 1;
    const offset = u ? imm8 : -imm8;
    const address = rn === 13 ? g.address(4, 4) : g.address(f.size, f.size, unaligned);
    g.set(rn, (address - (p ? offset : 0)) >>> 0);
    g.emit32((f.imm12 - 0x80) | rn, (rt << 12) | 0x800 | (puw << 8) | imm8);
  } else if (mode === 2) { // register offset, LSL #0-3
    const rn = g.reg();
    const rm = g.regExcept(rn);
    const shift = g.rng.int(4);
    const index = g.rng.range(-64, 64);
    g.set(rm, index);
    g.set(rn, (g.address(f.size, f.size, unaligned) - index * (1 << shift)) >>> 0);
    g.emit32((f.imm12 - 0x80) | rn, (rt << 12) | (shift << 4) | rm);
  } else { // literal: Align(PC, 4) +/- imm12 (loads only); pc low in the window so + offsets fit
    g.set(15, CODE_BASE + 2 * g.rng.range(0x10, 0x200));
    const u = g.rng.int(2);
    let imm12 = u ? g.rng.int(WINDOW - 0x500) : g.rng.int(0x20);
    if (rt === 15) imm12 &= ~3;
    g.emit32((f.imm12 - 0x80) | 0xf | (u << 7), (rt << 12) | imm12);
  }
}

// ---- load/store multiple, dual, exclusive, table branch (A5.3.5, A5.3.6) --------------------------

function bitCount(x: number): number {
  let n = 0;
  for (; x !== 0; x &= x - 1) n++;
  return n;
}

function loadStoreMultiple32(g: CaseBuilder): void {
  const load = g.rng.int(2);
  const db = g.rng.int(2); // 0 = IA, 1 = DB
  const wback = g.rng.int(2);
  const rn = g.rng.chance(0.15) ? 13 : g.reg();
  let list = 0;
  while (bitCount(list) < 2) {
    list = g.rng.int(0x10000) & ~(1 << 13); // SP never in the list
    if (!load) list &= ~(1 << 15); // PC never stored
    if (load && (list & 0xc000) === 0xc000) list &= ~(1 << 14); // PC and LR both loaded is UNPREDICTABLE
    if (wback) list &= ~(1 << rn); // writeback with the base in the list is UNPREDICTABLE
    if (rn === 13 && !load) list &= 0x5fff;
  }
  const span = 4 * bitCount(list);
  const unaligned = g.rng.chance(0.05);
  let address = g.address(4, span + 8, unaligned);
  if (db) address = (address + span) >>> 0;
  if (rn === 13) address &= ~3;
  g.set(rn, address);
  if ((address & 3) !== 0) g.expectUnaligned();
  g.emit32(0xe800 | ((db ? 2 : 1) << 7) | (wback << 5) | (load << 4) | rn, list);
}

function loadStoreDual(g: CaseBuilder): void {
  const load = g.rng.int(2);
  const puw = g.rng.pick([0b100, 0b110, 0b101, 0b111, 0b001, 0b011]);
  const p = puw >> 2;
  const u = (puw >> 1) & 1;
  const w = puw & 1;
  const rt = g.reg();
  const rt2 = g.regExcept(rt); // LDRD with t == t2 is UNPREDICTABLE
  const rn = w ? g.regExcept(rt, rt2) : g.reg();
  const imm8 = g.rng.int(256);
  const offset = (u ? 1 : -1) * imm8 * 4;
  const unaligned = g.rng.chance(0.08);
  const address = g.address(4, 8, unaligned);
  g.set(rn, (address - (p ? offset : 0)) >>> 0);
  if ((address & 3) !== 0) g.expectUnaligned();
  g.emit32(0xe840 | (p << 8) | (u << 7) | (w << 5) | (load << 4) | rn, (rt << 12) | (rt2 << 8) | imm8);
}

/** LDREX{B,H} / STREX{B,H}: an exclusive store always follows LDREX of the same address or CLREX
 *  in the same case (see the exclusion note at the top). */
function exclusive(g: CaseBuilder): void {
  const size = g.rng.pick([1, 2, 4]);
  const rn = g.reg();
  const unaligned = size > 1 && g.rng.chance(0.05);
  const imm8 = size === 4 ? g.rng.int(256) : 0;
  const address = g.address(size, size, unaligned);
  g.set(rn, (address - imm8 * 4) >>> 0);
  const ldrex = (rt: number): void => {
    if (size === 4) g.emit32(0xe850 | rn, (rt << 12) | 0xf00 | imm8);
    else g.emit32(0xe8d0 | rn, (rt << 12) | 0xf0f | (size === 1 ? 0x40 : 0x50));
  };
  const variant = g.rng.int(3);
  const aligned = (address & (size - 1)) === 0;
  if (variant === 0 || !aligned) {
    ldrex(g.reg());
  } else {
    // 1: LDREX then STREX of the same address (succeeds); 2: CLREX then STREX (fails, Rd = 1).
    if (variant === 1) ldrex(g.regExcept(rn)); // the base must survive for the STREX
    else g.emit32(0xf3bf, 0x8f2f);
    const rd = g.regExcept(rn); // d == n or d == t is UNPREDICTABLE
    const rt = g.regExcept(rd);
    if (size === 4) g.emit32(0xe840 | rn, (rt << 12) | (rd << 8) | imm8);
    else g.emit32(0xe8c0 | rn, (rt << 12) | 0xf00 | (size === 1 ? 0x40 : 0x50) | rd);
    g.steps = 2;
  }
  if (!aligned) g.expectUnaligned();
}

function tableBranch(g: CaseBuilder): void {
  const half = g.rng.int(2);
  const rm = g.reg();
  const usePc = g.rng.chance(0.5);
  const rn = usePc ? 15 : g.regExcept(rm);
  const index = g.rng.int(32);
  g.set(rm, index);
  if (!usePc) g.set(rn, g.address(2, 64) - (half ? 2 * index : index));
  g.emit32(0xe8d0 | rn, 0xf000 | (half << 4) | rm);
}

// ---- IT blocks mixing 16- and 32-bit instructions --------------------------------------------------

const IT_BODY_32: Array<(g: CaseBuilder) => void> = [
  dataProcessingModifiedImmediate, dataProcessingShiftedRegister, dataProcessingRegister, multiply32, divide,
];

function itBlock32(g: CaseBuilder): void {
  const firstCond = g.rng.int(15);
  const thens: boolean[] = [];
  const count = g.rng.range(1, 3);
  for (let i = 1; i < count; i++) thens.push(firstCond === 14 ? true : g.rng.chance(0.5));
  g.emit16(0xbf00 | (firstCond << 4) | itMask(firstCond, thens));
  for (let i = 0; i < count; i++) {
    if (g.rng.chance(0.5)) g.rng.pick(IT_BODY_32)(g);
    else g.rng.pick(IT_BODY_16)(g);
  }
  g.steps = count + 1;
}

// ---- ARMv6-M: every 32-bit encoding other than BL/MSR/MRS/DMB/DSB/ISB is UNDEFINED ---------------

const V7_ONLY_32: Array<(g: CaseBuilder) => void> = [
  dataProcessingModifiedImmediate, dataProcessingPlainImmediate, dataProcessingShiftedRegister,
  dataProcessingRegister, multiply32, longMultiply, divide, loadStoreSingle, loadStoreMultiple32,
  loadStoreDual, tableBranch, branch32,
];

function v6mUndefined32(g: CaseBuilder): void {
  g.rng.pick(V7_ONLY_32)(g);
  g.code.length = 2;
  g.steps = 1;
  g.expect(FaultKind.UndefinedInstruction);
}

/** DSP-extension encodings (ARMv7-M ARM A5.3: "ARMv7E-M" rows): UNDEFINED on a Cortex-M3. unicorn
 *  executes them (its only M-profile model has the extension), so this is self-checked. */
function v7mUndefinedDsp(g: CaseBuilder): void {
  const rd = g.reg();
  const rn = g.reg();
  const rm = g.reg();
  switch (g.rng.int(8)) {
    case 0: g.emit32(0xfa80 | rn, 0xf080 | (rd << 8) | (g.rng.int(4) << 4) | rm); break; // QADD/QDADD/QSUB/QDSUB
    case 1: g.emit32(0xfa90 | (g.rng.int(3) << 4) | rn, 0xf000 | (rd << 8) | (g.rng.int(8) << 4) | rm); break; // parallel add/sub
    case 2: g.emit32(0xfa40 | rn, 0xf080 | (rd << 8) | (g.rng.int(4) << 4) | rm); break; // SXTAB
    case 3: g.emit32(0xfb10 | rn, (g.reg() << 12) | (rd << 8) | (g.rng.int(4) << 4) | rm); break; // SMLA<x><y>
    case 4: g.emit32(0xfbe0 | rn, (rd << 12) | (g.regExcept(rd) << 8) | 0x60 | rm); break; // UMAAL
    case 5: g.emit32(0xeac0 | rn, (g.rng.int(8) << 12) | (rd << 8) | (g.rng.int(4) << 6) | (g.rng.int(2) << 5) | rm); break; // PKHBT/PKHTB
    case 6: g.emit32(0xfaa0 | rn, 0xf080 | (rd << 8) | rm); break; // SEL
    default: g.emit32(0xf320 | rn, (rd << 8) | g.rng.int(16)); break; // SSAT16
  }
  g.expect(FaultKind.UndefinedInstruction);
}

/** UDF.W and undefined op values in the data-processing tables: both sides must fault. */
function undefined32(g: CaseBuilder): void {
  switch (g.rng.int(2)) {
    case 0: g.emit32(0xf7f0 | g.rng.int(16), 0xa000 | g.rng.int(4096)); break;
    default: emitModImm(g, g.rng.pick([5, 6, 7, 9, 12, 15]), g.rng.int(2), g.reg(), g.reg()); break;
  }
}

export const CLASSES_32: InstrClass[] = [
  { name: 'bl', profiles: BOTH, weight: 2, gen: branchLink },
  { name: 'mrs-msr', profiles: BOTH, weight: 2, gen: specialRegister },
  { name: 'barrier', profiles: BOTH, weight: 1, gen: barrier },
  { name: 'v6m-undef32', profiles: ['v6m'], weight: 3, gen: v6mUndefined32 },
  { name: 'b32', profiles: V7, weight: 2, gen: branch32 },
  { name: 'dp-modimm', profiles: V7, weight: 8, gen: dataProcessingModifiedImmediate },
  { name: 'dp-plainimm', profiles: V7, weight: 6, gen: dataProcessingPlainImmediate },
  { name: 'dp-shiftreg', profiles: V7, weight: 8, gen: dataProcessingShiftedRegister },
  { name: 'dp-reg32', profiles: V7, weight: 6, gen: dataProcessingRegister },
  { name: 'mul32', profiles: V7, weight: 3, gen: multiply32 },
  { name: 'longmul', profiles: V7, weight: 3, gen: longMultiply },
  { name: 'div', profiles: V7, weight: 2, gen: divide },
  { name: 'ldst32', profiles: V7, weight: 10, gen: loadStoreSingle },
  { name: 'ldm32', profiles: V7, weight: 4, gen: loadStoreMultiple32 },
  { name: 'ldrd', profiles: V7, weight: 3, gen: loadStoreDual },
  { name: 'ldrex', profiles: V7, weight: 3, gen: exclusive },
  { name: 'tbb', profiles: V7, weight: 2, gen: tableBranch },
  { name: 'it32', profiles: V7, weight: 3, gen: itBlock32 },
  { name: 'undef32', profiles: V7, weight: 1, gen: undefined32 },
  { name: 'v7m-undef-dsp', profiles: V7, weight: 1, gen: v7mUndefinedDsp },
];

