// Generators for the 16-bit Thumb encodings (ARMv7-M ARM A5.2, ARMv6-M ARM A5.2).
//
// Exclusions (not compared, on purpose):
// - SVC, BKPT, UDF-as-trap, WFI/WFE/SEV/YIELD: they hand control to the exception model or the
//   debugger, which a one-instruction comparison cannot judge. (UDF is compared as "must fault".)
// - CPS: changes PRIMASK/FAULTMASK, privileged state the harness does not compare.
// - UNPREDICTABLE forms: CMP (high registers) with two low registers or with PC; ADD/MOV (high)
//   writing SP with a value that is not word aligned; BX/BLX with Rm = PC; STM with the base in the
//   list when it is not the lowest register; empty register lists; instructions not allowed inside
//   an IT block (CBZ, IT, MOVS T2 (LSL #0), B<c>) are not generated inside one.

import type { CaseBuilder, InstrClass } from './case-builder';
import { FaultKind } from '../../../src/emulator/cpu/fault';

const BOTH = ['v6m', 'v7m'] as const;
const V7 = ['v7m'] as const;

/** LSLS/LSRS/ASRS (immediate), MOVS (register) when LSL #0 (A5.2.1). */
export function shiftImm16(g: CaseBuilder, inIt = false): void {
  const op = g.rng.int(3);
  let imm5 = g.imm5();
  if (inIt && op === 0 && imm5 === 0) imm5 = 1; // MOVS T2 is UNPREDICTABLE in an IT block
  g.emit16((op << 11) | (imm5 << 6) | (g.low() << 3) | g.low());
}

/** ADDS/SUBS (register), ADDS/SUBS (3-bit immediate) (A5.2.1). */
export function addSub16(g: CaseBuilder): void {
  g.emit16(0x1800 | (g.rng.int(4) << 9) | (g.low() << 6) | (g.low() << 3) | g.low());
}

/** MOVS/CMP/ADDS/SUBS (8-bit immediate) (A5.2.1). */
export function imm8Ops16(g: CaseBuilder): void {
  g.emit16(0x2000 | (g.rng.int(4) << 11) | (g.low() << 8) | g.imm8());
}

/** The sixteen data-processing register operations (A5.2.2). */
export function dataProcessing16(g: CaseBuilder): void {
  const op = g.rng.int(16);
  const rm = g.low();
  const rdn = g.low();
  // LSL/LSR/ASR/ROR by register: make the shift amount interesting.
  if ((op === 2 || op === 3 || op === 4 || op === 7) && rm !== rdn) g.set(rm, g.shiftAmount());
  g.emit16(0x4000 | (op << 6) | (rm << 3) | rdn);
}

/** ADD/CMP/MOV with high registers (A5.2.3); branches excluded (see branchExchange16). */
function highRegister16(g: CaseBuilder): void {
  const op = g.rng.int(3);
  for (;;) {
    const d = g.rng.int(16);
    const m = g.rng.int(16);
    if (op === 1) {
      // CMP: at least one high register, neither PC (A7.7.28 T2).
      if ((d < 8 && m < 8) || d === 15 || m === 15) continue;
    } else {
      if (d === 15 && m === 15) continue;
      if (d === 15 && !g.v7 && op === 0) continue;
      // Writing SP: keep it word aligned (SP[1:0] is SBZP; other values are UNPREDICTABLE).
      if (d === 13) {
        if (m === 15) continue;
        if (m !== 13) g.set(m, op === 0 ? 4 * g.rng.range(-64, 64) : g.stackPointer());
      }
      if (d === 15 && m !== 15) g.set(m, g.rng.chance(0.8) ? g.codeAddress() | g.rng.int(2) : g.value());
    }
    g.emit16(0x4400 | (op << 8) | ((d >> 3) << 7) | (m << 3) | (d & 7));
    return;
  }
}

/** BX / BLX (register) (A5.2.3). Targets: code addresses with and without the Thumb bit. */
function branchExchange16(g: CaseBuilder): void {
  const link = g.rng.int(2);
  const m = g.rng.int(15);
  if (m !== 13) g.set(m, g.rng.chance(0.85) ? g.codeAddress() | (g.rng.chance(0.8) ? 1 : 0) : g.value());
  g.emit16(0x4700 | (link << 7) | (m << 3));
}

/** LDR (literal) (A5.2.1 / A7.7.43 T1). */
function loadLiteral16(g: CaseBuilder): void {
  g.emit16(0x4800 | (g.low() << 8) | g.imm8());
}

const REG_OFFSET_SIZE = [4, 2, 1, 1, 4, 2, 1, 2];

/** Place an address for a base + offset access: returns the base register value. */
function baseFor(g: CaseBuilder, size: number, offset: number, alignedOnly: boolean): { base: number; unaligned: boolean } {
  const unaligned = size > 1 && g.rng.chance(alignedOnly ? 0.05 : 0.15);
  const address = g.address(size, size, unaligned);
  return { base: (address - offset) >>> 0, unaligned: unaligned && (address & (size - 1)) !== 0 };
}

/** STR/STRH/STRB/LDRSB/LDR/LDRH/LDRB/LDRSH (register offset) (A5.2.4). */
export function loadStoreRegister16(g: CaseBuilder): void {
  const opB = g.rng.int(8);
  const size = REG_OFFSET_SIZE[opB];
  const rt = g.low();
  const rn = g.low();
  const rm = g.low();
  if (rn === rm) {
    // address = 2 * Rn
    const a = g.address(size);
    g.set(rn, a >>> 1);
  } else {
    const offset = g.rng.chance(0.5) ? g.rng.range(-256, 256) : 4 * g.rng.range(-64, 64);
    g.set(rm, offset);
    const { base, unaligned } = baseFor(g, size, offset, !g.v7);
    g.set(rn, base);
    if (unaligned && !g.v7) g.expectUnaligned();
  }
  g.emit16(0x5000 | (opB << 9) | (rm << 6) | (rn << 3) | rt);
}

/** STR/LDR/STRB/LDRB/STRH/LDRH (immediate offset) (A5.2.4). */
export function loadStoreImm16(g: CaseBuilder): void {
  const kind = g.rng.int(3);
  const load = g.rng.int(2);
  const imm5 = g.imm5();
  const rn = g.low();
  const rt = g.low();
  const size = kind === 0 ? 4 : kind === 1 ? 1 : 2;
  const { base, unaligned } = baseFor(g, size, imm5 * size, !g.v7);
  g.set(rn, base);
  if (unaligned && !g.v7) g.expectUnaligned();
  const top = kind === 0 ? 0x6000 : kind === 1 ? 0x7000 : 0x8000;
  g.emit16(top | (load << 11) | (imm5 << 6) | (rn << 3) | rt);
}

/** STR/LDR (SP plus immediate) (A5.2.4). */
function loadStoreSp16(g: CaseBuilder): void {
  const imm8 = g.rng.int(256);
  // sp + imm8*4 stays inside the data window.
  g.set(13, 0x20000000 + 4 * g.rng.range(0x8, (0x1000 - 0x400 - 0x10) / 4));
  g.emit16(0x9000 | (g.rng.int(2) << 11) | (g.low() << 8) | imm8);
}

/** ADR, ADD (SP plus immediate), ADD/SUB SP, SP, #imm7 (A5.2.1, A5.2.5). */
function addressArithmetic16(g: CaseBuilder): void {
  switch (g.rng.int(3)) {
    case 0: g.emit16(0xa000 | (g.low() << 8) | g.imm8()); break;
    case 1: g.emit16(0xa800 | (g.low() << 8) | g.imm8()); break;
    default: g.emit16(0xb000 | (g.rng.int(2) << 7) | g.rng.int(128)); break;
  }
}

/** CBZ/CBNZ (A5.2.5), ARMv7-M only. */
function compareBranch16(g: CaseBuilder): void {
  const rn = g.low();
  if (g.rng.chance(0.5)) g.set(rn, 0);
  g.emit16(0xb100 | (g.rng.int(2) << 11) | (g.rng.int(2) << 9) | (g.rng.int(32) << 3) | rn);
}

/** SXTH/SXTB/UXTH/UXTB (A5.2.5). */
export function extend16(g: CaseBuilder): void {
  g.emit16(0xb200 | (g.rng.int(4) << 6) | (g.low() << 3) | g.low());
}

/** REV/REV16/REVSH (A5.2.5); op 2 is UNDEFINED and compared as such. */
export function reverse16(g: CaseBuilder, allowUndefined = true): void {
  let op = g.rng.int(4);
  if (op === 2 && !allowUndefined) op = 3;
  g.emit16(0xba00 | (op << 6) | (g.low() << 3) | g.low());
}

function nonEmptyList8(g: CaseBuilder): number {
  const list = g.rng.chance(0.3) ? 1 << g.rng.int(8) : g.rng.int(256);
  return list === 0 ? 1 << g.rng.int(8) : list;
}

/** PUSH / POP (A5.2.5). SP stays word aligned (it cannot be anything else on M-profile). */
function pushPop16(g: CaseBuilder): void {
  const pop = g.rng.int(2);
  const extra = g.rng.int(2); // LR for PUSH, PC for POP
  let list = g.rng.chance(0.2) ? 0 : nonEmptyList8(g);
  if (list === 0 && extra === 0) list = 1;
  g.emit16((pop ? 0xbc00 : 0xb400) | (extra << 8) | list);
}

/** STM / LDM (A5.2.1 T1). Base in the data window; unaligned bases must fault (MemA). */
function loadStoreMultiple16(g: CaseBuilder): void {
  const load = g.rng.int(2);
  const rn = g.low();
  let list = nonEmptyList8(g);
  // STM with the base in the list stores an UNKNOWN value unless it is the lowest register.
  if (!load && (list & (1 << rn)) !== 0 && (list & ((1 << rn) - 1)) !== 0) list &= ~(1 << rn);
  if (list === 0) list = 1 << rn;
  const unaligned = g.rng.chance(0.05);
  const address = g.address(4, 32, unaligned);
  g.set(rn, address);
  if ((address & 3) !== 0) g.expectUnaligned();
  g.emit16((load ? 0xc800 : 0xc000) | (rn << 8) | list);
}

/** B<c> (A5.2.6); cond 14 and 15 are UDF and SVC (elsewhere). */
function conditionalBranch16(g: CaseBuilder): void {
  g.emit16(0xd000 | (g.rng.int(14) << 8) | g.rng.int(256));
}

/** B (A5.2 T2). */
function branch16(g: CaseBuilder): void {
  g.emit16(0xe000 | g.rng.int(2048));
}

/** NOP and UDF (16-bit): UDF must raise an undefined-instruction fault on both sides. */
function nopUdf16(g: CaseBuilder): void {
  g.emit16(g.rng.chance(0.5) ? 0xbf00 : 0xde00 | g.rng.int(256));
}

/** Instructions allowed anywhere in an IT block (no flag-setting restrictions matter to us). */
export const IT_BODY_16: Array<(g: CaseBuilder) => void> = [
  (g) => shiftImm16(g, true), addSub16, imm8Ops16, dataProcessing16, extend16,
  (g) => reverse16(g, false), loadStoreImm16, loadStoreRegister16,
];

/** The IT mask for `count` instructions where then[i] says instruction i+1 is a "then" (A7.7.38). */
export function itMask(firstCond: number, thens: boolean[]): number {
  const count = thens.length + 1;
  let mask = 0;
  for (let i = 0; i < thens.length; i++) {
    const bit = thens[i] ? firstCond & 1 : (~firstCond) & 1;
    mask |= bit << (3 - i);
  }
  return mask | (1 << (4 - count));
}

/** IT followed by its 1-4 instructions, run as one sequence (unicorn counts IT with the next one). */
function itBlock16(g: CaseBuilder): void {
  const count = g.rng.range(1, 4);
  const firstCond = g.rng.int(15);
  const thens: boolean[] = [];
  // AL with an "else" is UNPREDICTABLE.
  for (let i = 1; i < count; i++) thens.push(firstCond === 14 ? true : g.rng.chance(0.5));
  g.emit16(0xbf00 | (firstCond << 4) | itMask(firstCond, thens));
  for (let i = 0; i < count; i++) g.rng.pick(IT_BODY_16)(g);
  g.steps = count + 1;
}

/** Encodings ARMv6-M does not have (CBZ/CBNZ, IT): they must be UNDEFINED there. */
function v6mUndefined16(g: CaseBuilder): void {
  if (g.rng.chance(0.5)) compareBranch16(g);
  else g.emit16(0xbf00 | (g.rng.int(15) << 4) | (1 + g.rng.int(15)));
  g.expect(FaultKind.UndefinedInstruction);
}

export const CLASSES_16: InstrClass[] = [
  { name: 'shift-imm16', profiles: BOTH, weight: 4, gen: (g) => shiftImm16(g) },
  { name: 'addsub16', profiles: BOTH, weight: 4, gen: addSub16 },
  { name: 'imm8-16', profiles: BOTH, weight: 4, gen: imm8Ops16 },
  { name: 'dp16', profiles: BOTH, weight: 8, gen: dataProcessing16 },
  { name: 'hireg16', profiles: BOTH, weight: 4, gen: highRegister16 },
  { name: 'bx16', profiles: BOTH, weight: 2, gen: branchExchange16 },
  { name: 'ldr-lit16', profiles: BOTH, weight: 2, gen: loadLiteral16 },
  { name: 'ldst-reg16', profiles: BOTH, weight: 5, gen: loadStoreRegister16 },
  { name: 'ldst-imm16', profiles: BOTH, weight: 6, gen: loadStoreImm16 },
  { name: 'ldst-sp16', profiles: BOTH, weight: 2, gen: loadStoreSp16 },
  { name: 'addr16', profiles: BOTH, weight: 3, gen: addressArithmetic16 },
  { name: 'cbz16', profiles: V7, weight: 2, gen: compareBranch16 },
  { name: 'extend16', profiles: BOTH, weight: 2, gen: extend16 },
  { name: 'rev16', profiles: BOTH, weight: 2, gen: (g) => reverse16(g) },
  { name: 'pushpop16', profiles: BOTH, weight: 4, gen: pushPop16 },
  { name: 'ldm16', profiles: BOTH, weight: 4, gen: loadStoreMultiple16 },
  { name: 'bcond16', profiles: BOTH, weight: 3, gen: conditionalBranch16 },
  { name: 'b16', profiles: BOTH, weight: 1, gen: branch16 },
  { name: 'nop-udf16', profiles: BOTH, weight: 1, gen: nopUdf16 },
  { name: 'it16', profiles: V7, weight: 5, gen: itBlock16 },
  { name: 'v6m-undef16', profiles: ['v6m'], weight: 1, gen: v6mUndefined16 },
];
