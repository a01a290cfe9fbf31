// Branches and miscellaneous control (A5.3.4): B.W, B<cond>.W, BL, MSR, MRS, hints (A5.3.5),
// CLREX/DSB/DMB/ISB (A5.3.6) and the permanently UNDEFINED UDF.W.
// On ARMv6-M only BL, MSR, MRS, DMB, DSB, ISB and UDF.W exist (ARMv6-M ARM A5.3).

import type { Profile } from '../cpu';
import type { Decoded, Exec } from '../decoded';
import { COND_NAMES, hexAddr, insn, reg, undef } from './common';

/** Extra cycles for refilling the pipeline after a taken branch (Cortex-M3 TRM: 1 + P, P = 1..3). */
const BRANCH_REFILL = 2;

const SYSM_NAMES: Record<number, string> = {
  0: 'APSR', 1: 'IAPSR', 2: 'EAPSR', 3: 'PSR', 5: 'IPSR', 6: 'EPSR', 7: 'IEPSR', 8: 'MSP', 9: 'PSP',
  16: 'PRIMASK', 17: 'BASEPRI', 18: 'BASEPRI_MAX', 19: 'FAULTMASK', 20: 'CONTROL',
};

function sysmName(sysm: number): string {
  return SYSM_NAMES[sysm] ?? `sysm${sysm}`;
}

export function decodeBranchMisc(hw1: number, hw2: number, address: number, profile: Profile): Decoded {
  const op = (hw1 >>> 4) & 0x7f;
  const op1 = (hw2 >>> 12) & 7;
  const v6m = profile === 'v6m';

  if ((op1 & 5) === 5) return branch(hw1, hw2, address, true);
  if (op1 & 4) return undef(hw1, hw2, 'BLX (immediate) does not exist on M-profile');
  if (op1 & 1) return v6m ? undef(hw1, hw2) : branch(hw1, hw2, address, false);
  if (op1 === 2 && op === 0x7f) return undef(hw1, hw2, 'UDF.W');
  // op1 = 0x0
  if ((op & 0x38) !== 0x38) return v6m ? undef(hw1, hw2) : conditionalBranch(hw1, hw2, address);
  if ((op & 0x7e) === 0x38) return moveToSpecial(hw1, hw2, profile);
  // Hints and barriers have (1111) in hw1[3:0] and (0) in hw2 bit 13; hints have (0) in bit 11,
  // barriers (1111) in bits 11:8. Violations are UNPREDICTABLE and refused.
  if ((op === 0x3a || op === 0x3b) && ((hw1 & 0xf) !== 0xf || (hw2 & 0x2000) !== 0)) return undef(hw1, hw2);
  if (op === 0x3a && (hw2 & 0x800) !== 0) return undef(hw1, hw2);
  if (op === 0x3b && (hw2 & 0xf00) !== 0xf00) return undef(hw1, hw2);
  if (op === 0x3a) return v6m ? undef(hw1, hw2) : hint(hw1, hw2);
  if (op === 0x3b) return miscControl(hw1, hw2, profile);
  if ((op & 0x7e) === 0x3e) return moveFromSpecial(hw1, hw2);
  return undef(hw1, hw2);
}

/** B (T4) and BL (T1): imm32 = SignExtend(S:I1:I2:imm10:imm11:'0'), I1 = NOT(J1 XOR S). */
function branch(hw1: number, hw2: number, address: number, link: boolean): Decoded {
  const s = (hw1 >>> 10) & 1;
  const i1 = ((hw2 >>> 13) & 1) ^ s ^ 1;
  const i2 = ((hw2 >>> 11) & 1) ^ s ^ 1;
  const offset = ((((s << 24) | (i1 << 23) | (i2 << 22) | ((hw1 & 0x3ff) << 12) | ((hw2 & 0x7ff) << 1)) << 7) >> 7);
  const target = (address + 4 + offset) >>> 0;
  if (link) {
    const returnAddress = ((address + 4) | 1) >>> 0;
    return insn((cpu) => { cpu.r[14] = returnAddress; cpu.nextPc = target; }, 1 + BRANCH_REFILL + 1, () => `bl ${hexAddr(target)}`);
  }
  return insn((cpu) => { cpu.nextPc = target; }, 1 + BRANCH_REFILL, () => `b.w ${hexAddr(target)}`);
}

/** B<cond>.W (T3): imm32 = SignExtend(S:J2:J1:imm6:imm11:'0'). Extra cycles only when taken. */
function conditionalBranch(hw1: number, hw2: number, address: number): Decoded {
  const cond = (hw1 >>> 6) & 0xf;
  const s = (hw1 >>> 10) & 1;
  const j1 = (hw2 >>> 13) & 1;
  const j2 = (hw2 >>> 11) & 1;
  const offset = (((s << 20) | (j2 << 19) | (j1 << 18) | ((hw1 & 0x3f) << 12) | ((hw2 & 0x7ff) << 1)) << 11) >> 11;
  const target = (address + 4 + offset) >>> 0;
  const exec: Exec = (cpu) => {
    if (cpu.conditionPassed(cond)) {
      cpu.nextPc = target;
      cpu.cycles += BRANCH_REFILL;
    }
  };
  return insn(exec, 1, () => `b${COND_NAMES[cond]}.w ${hexAddr(target)}`);
}

/** MSR (register), B5.2.3: mask bit 1 writes NZCVQ, bit 0 writes GE (DSP only). */
function moveToSpecial(hw1: number, hw2: number, profile: Profile): Decoded {
  const n = hw1 & 0xf;
  const sysm = hw2 & 0xff;
  // Reserved SYSm values are UNPREDICTABLE; we treat them as UNDEFINED.
  if (SYSM_NAMES[sysm] === undefined) return undef(hw1, hw2, `MSR to reserved SYSm ${sysm}`);
  // ARMv7-M: a zero mask, or a mask other than 0b10 for a non-APSR register, is UNPREDICTABLE, as
  // are set (0) bits; all refused.
  if ((hw1 & 0x10) !== 0) return undef(hw1, hw2);
  if (profile !== 'v6m') {
    const maskField = (hw2 >>> 10) & 3;
    if ((hw2 & 0x2300) !== 0 || maskField === 0 || (maskField !== 2 && sysm > 3)) return undef(hw1, hw2, 'MSR with a reserved mask');
  }
  // ARMv6-M has no mask field: an APSR write always writes the flags.
  const mask = profile === 'v6m' ? 2 : (hw2 >>> 10) & 3;
  const exec: Exec = (cpu) => { cpu.writeSpecial(sysm, cpu.r[n], mask); };
  const target = sysm <= 3 ? `${sysmName(sysm)}_${['', 'g', 'nzcvq', 'nzcvqg'][mask]}` : sysmName(sysm);
  return insn(exec, 2, () => `msr ${target}, ${reg(n)}`);
}

/** MRS, B5.2.2. Rd = SP/PC is UNPREDICTABLE; we write it like any other register. */
function moveFromSpecial(hw1: number, hw2: number): Decoded {
  const d = (hw2 >>> 8) & 0xf;
  const sysm = hw2 & 0xff;
  if (SYSM_NAMES[sysm] === undefined) return undef(hw1, hw2, `MRS from reserved SYSm ${sysm}`);
  // hw1 bit 4 (the A-profile R bit) must be 0 and hw1[3:0] is (1111).
  if ((hw1 & 0x1f) !== 0x0f) return undef(hw1, hw2);
  const exec: Exec = (cpu) => { cpu.writeReg(d, cpu.readSpecial(sysm)); };
  return insn(exec, 2, () => `mrs ${reg(d)}, ${sysmName(sysm)}`);
}

/** NOP.W, YIELD.W, WFE.W, WFI.W, SEV.W and DBG (A5.3.5); other hint numbers execute as NOP. */
function hint(hw1: number, hw2: number): Decoded {
  if ((hw2 & 0x700) !== 0) return undef(hw1, hw2);
  const op2 = hw2 & 0xff;
  switch (op2) {
    case 0: return insn(() => {}, 1, () => 'nop.w');
    case 1: return insn(() => {}, 1, () => 'yield.w');
    case 2: return insn((cpu) => cpu.hooks.wfe(), 1, () => 'wfe.w');
    case 3: return insn((cpu) => cpu.hooks.wfi(), 1, () => 'wfi.w');
    case 4: return insn((cpu) => cpu.hooks.sev(), 1, () => 'sev.w');
    default:
      if ((op2 & 0xf0) === 0xf0) return insn(() => {}, 1, () => `dbg #${op2 & 0xf}`);
      return insn(() => {}, 1, () => `nop.w\t; hint #${op2}`);
  }
}

/** CLREX, DSB, DMB, ISB (A5.3.6). The barriers have nothing to wait for in a sequential model. */
function miscControl(hw1: number, hw2: number, profile: Profile): Decoded {
  const op = (hw2 >>> 4) & 0xf;
  const option = hw2 & 0xf;
  const optionText = option === 0xf ? 'sy' : `#${option}`;
  switch (op) {
    case 2:
      if (profile === 'v6m') return undef(hw1, hw2);
      return insn((cpu) => { cpu.exclusiveAddress = -1; }, 1, () => 'clrex');
    case 4: return insn(() => {}, 1, () => `dsb ${optionText}`);
    case 5: return insn(() => {}, 1, () => `dmb ${optionText}`);
    case 6: return insn(() => {}, 1 + BRANCH_REFILL, () => `isb ${optionText}`);
    default: return undef(hw1, hw2);
  }
}
