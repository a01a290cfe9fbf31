// 16-bit Thumb instructions: the whole ARMv7-M ARM A5.2 encoding space (ARMv6-M is the subset
// without CBZ/CBNZ and IT). Each encoding is decoded once into a closure specialised for its
// operands; PC-relative values are folded into constants because the instruction's address is
// known at decode time.
//
// Flag setting: most 16-bit data-processing instructions are "S" outside an IT block and plain
// inside one (A7.7, `setflags = !InITBlock()`). ARMv6-M has no IT so itState is always 0 there and
// the same run-time check gives "always set flags".

import type { Cpu, Profile } from './cpu';
import type { Decoded, Exec } from './decoded';
import { undefinedInstruction } from './undefined';

// ---- helpers ----------------------------------------------------------------------------------

const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'];
export const CONDITION_NAMES = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', '', ''];

function reg(i: number): string {
  return REG_NAMES[i];
}

function regList(mask: number): string {
  const names: string[] = [];
  for (let i = 0; i < 16; i++) if (mask & (1 << i)) names.push(REG_NAMES[i]);
  return `{${names.join(', ')}}`;
}

function listToRegs(mask: number): number[] {
  const regs: number[] = [];
  for (let i = 0; i < 16; i++) if (mask & (1 << i)) regs.push(i);
  return regs;
}

function addr(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

/** Every Decoded built here has the same shape (keeps call sites monomorphic). */
function make(cycles: number, exec: Exec, asm: () => string): Decoded {
  return { size: 2, cycles, exec, asm };
}

/** True when flags should be set: outside an IT block (always on ARMv6-M). */
function flagsOn(cpu: Cpu): boolean {
  return (cpu.itState & 0xf) === 0;
}

/** AddWithCarry (A2.2.1) on unsigned 32-bit operands, writing NZCV straight into the cpu. */
function addFlags(cpu: Cpu, a: number, b: number, carryIn: number): number {
  const sum = a + b + carryIn;
  const result = sum >>> 0;
  cpu.n = result >= 0x80000000;
  cpu.z = result === 0;
  cpu.c = sum > 0xffffffff;
  // Overflow: both operands have the same sign and the result's sign differs.
  cpu.v = ((a ^ result) & (b ^ result)) < 0;
  return result;
}

/** a - b with flags, as AddWithCarry(a, NOT(b), 1). */
function subFlags(cpu: Cpu, a: number, b: number): number {
  return addFlags(cpu, a, ~b >>> 0, 1);
}

function setNZ(cpu: Cpu, result: number): void {
  cpu.n = (result & 0x80000000) !== 0;
  cpu.z = result === 0;
}

/** Scratch for LDM/POP so that a fault part-way leaves the registers untouched (restartable). */
const loadScratch = new Uint32Array(16);

// ---- decoder ----------------------------------------------------------------------------------

export function decodeThumb16(hw: number, address: number, profile: Profile): Decoded {
  hw &= 0xffff;
  address >>>= 0;
  switch (hw >>> 12) {
    case 0x0: case 0x1: case 0x2: case 0x3:
      return decodeShiftAddSubMovCmp(hw);
    case 0x4:
      if ((hw & 0x0800) !== 0) return decodeLdrLiteral(hw, address);
      if ((hw & 0x0400) === 0) return decodeDataProcessing(hw);
      return decodeSpecialDataBranch(hw, address);
    case 0x5:
      return decodeLoadStoreRegister(hw);
    case 0x6: case 0x7: case 0x8:
      return decodeLoadStoreImmediate(hw);
    case 0x9:
      return decodeLoadStoreSp(hw);
    case 0xa:
      return decodeAdrAddSp(hw, address);
    case 0xb:
      return decodeMisc(hw, address, profile);
    case 0xc:
      return decodeLdmStm(hw);
    case 0xd:
      return decodeConditionalBranch(hw, address);
    case 0xe:
      if ((hw & 0x0800) === 0) return decodeBranch(hw, address);
      break;
  }
  // 0b11101 / 0b1111x are first halfwords of 32-bit instructions: never routed here.
  return undefinedInstruction(2, hw, 0);
}

// ---- A5.2.1 shift (immediate), add, subtract, move, and compare ---------------------------------

function decodeShiftAddSubMovCmp(hw: number): Decoded {
  const op = (hw >>> 9) & 0x1f;
  const d = hw & 7;
  const m = (hw >>> 3) & 7; // Rm for shifts, Rn for add/sub
  const imm5 = (hw >>> 6) & 0x1f;
  switch (op >>> 2) {
    case 0: { // LSL (immediate); imm5 == 0 is MOVS Rd, Rm (MOV register T2)
      if (imm5 === 0) {
        // Architecturally "not permitted in an IT block"; we treat it like the LSL #0 it is.
        return make(1, (cpu) => {
          const result = cpu.r[m];
          cpu.r[d] = result;
          if (flagsOn(cpu)) setNZ(cpu, result);
        }, () => `movs ${reg(d)}, ${reg(m)}`);
      }
      const carryShift = 32 - imm5;
      return make(1, (cpu) => {
        const value = cpu.r[m];
        const result = (value << imm5) >>> 0;
        cpu.r[d] = result;
        if (flagsOn(cpu)) {
          setNZ(cpu, result);
          cpu.c = ((value >>> carryShift) & 1) !== 0;
        }
      }, () => `lsls ${reg(d)}, ${reg(m)}, #${imm5}`);
    }
    case 1: { // LSR (immediate); imm5 == 0 means 32
      const amount = imm5 === 0 ? 32 : imm5;
      if (amount === 32) {
        return make(1, (cpu) => {
          const value = cpu.r[m];
          cpu.r[d] = 0;
          if (flagsOn(cpu)) {
            cpu.n = false;
            cpu.z = true;
            cpu.c = value >= 0x80000000;
          }
        }, () => `lsrs ${reg(d)}, ${reg(m)}, #32`);
      }
      return make(1, (cpu) => {
        const value = cpu.r[m];
        const result = value >>> amount;
        cpu.r[d] = result;
        if (flagsOn(cpu)) {
          setNZ(cpu, result);
          cpu.c = ((value >>> (amount - 1)) & 1) !== 0;
        }
      }, () => `lsrs ${reg(d)}, ${reg(m)}, #${amount}`);
    }
    case 2: { // ASR (immediate); imm5 == 0 means 32
      const amount = imm5 === 0 ? 32 : imm5;
      // An arithmetic shift by 32 gives the same result and carry as one by 31 then a copy of
      // the sign, so clamp the JS shift to 31 and take the carry from bit (amount-1) capped at 31.
      const jsShift = amount === 32 ? 31 : amount;
      const carryBit = amount - 1 > 31 ? 31 : amount - 1;
      return make(1, (cpu) => {
        const value = cpu.r[m];
        const result = (value >> jsShift) >>> 0;
        cpu.r[d] = result;
        if (flagsOn(cpu)) {
          setNZ(cpu, result);
          cpu.c = ((value >>> carryBit) & 1) !== 0;
        }
      }, () => `asrs ${reg(d)}, ${reg(m)}, #${amount}`);
    }
    case 3: {
      const n = m;
      const third = (hw >>> 6) & 7; // Rm or imm3
      switch (op & 3) {
        case 0: // ADD (register) T1
          return make(1, (cpu) => {
            const a = cpu.r[n];
            const b = cpu.r[third];
            if (flagsOn(cpu)) cpu.r[d] = addFlags(cpu, a, b, 0);
            else cpu.r[d] = a + b;
          }, () => `adds ${reg(d)}, ${reg(n)}, ${reg(third)}`);
        case 1: // SUB (register) T1
          return make(1, (cpu) => {
            const a = cpu.r[n];
            const b = cpu.r[third];
            if (flagsOn(cpu)) cpu.r[d] = subFlags(cpu, a, b);
            else cpu.r[d] = a - b;
          }, () => `subs ${reg(d)}, ${reg(n)}, ${reg(third)}`);
        case 2: // ADD (immediate) T1
          return make(1, (cpu) => {
            const a = cpu.r[n];
            if (flagsOn(cpu)) cpu.r[d] = addFlags(cpu, a, third, 0);
            else cpu.r[d] = a + third;
          }, () => `adds ${reg(d)}, ${reg(n)}, #${third}`);
        default: { // SUB (immediate) T1
          const notImm = ~third >>> 0;
          return make(1, (cpu) => {
            const a = cpu.r[n];
            if (flagsOn(cpu)) cpu.r[d] = addFlags(cpu, a, notImm, 1);
            else cpu.r[d] = a - third;
          }, () => `subs ${reg(d)}, ${reg(n)}, #${third}`);
        }
      }
    }
  }
  const dn = (hw >>> 8) & 7;
  const imm8 = hw & 0xff;
  switch (op >>> 2) {
    case 4: // MOV (immediate) T1: carry is unchanged (no shift involved)
      return make(1, (cpu) => {
        cpu.r[dn] = imm8;
        if (flagsOn(cpu)) {
          cpu.n = false;
          cpu.z = imm8 === 0;
        }
      }, () => `movs ${reg(dn)}, #${imm8}`);
    case 5: { // CMP (immediate) T1
      const notImm = ~imm8 >>> 0;
      return make(1, (cpu) => {
        addFlags(cpu, cpu.r[dn], notImm, 1);
      }, () => `cmp ${reg(dn)}, #${imm8}`);
    }
    case 6: // ADD (immediate) T2
      return make(1, (cpu) => {
        const a = cpu.r[dn];
        if (flagsOn(cpu)) cpu.r[dn] = addFlags(cpu, a, imm8, 0);
        else cpu.r[dn] = a + imm8;
      }, () => `adds ${reg(dn)}, #${imm8}`);
    default: { // SUB (immediate) T2
      const notImm = ~imm8 >>> 0;
      return make(1, (cpu) => {
        const a = cpu.r[dn];
        if (flagsOn(cpu)) cpu.r[dn] = addFlags(cpu, a, notImm, 1);
        else cpu.r[dn] = a - imm8;
      }, () => `subs ${reg(dn)}, #${imm8}`);
    }
  }
}

// ---- A5.2.2 data processing -------------------------------------------------------------------

function decodeDataProcessing(hw: number): Decoded {
  const op = (hw >>> 6) & 0xf;
  const dn = hw & 7;
  const m = (hw >>> 3) & 7;
  const two = (name: string) => () => `${name} ${reg(dn)}, ${reg(m)}`;
  switch (op) {
    case 0x0: // AND
      return make(1, (cpu) => {
        const result = cpu.r[dn] & cpu.r[m];
        cpu.r[dn] = result;
        if (flagsOn(cpu)) setNZ(cpu, result);
      }, two('ands'));
    case 0x1: // EOR
      return make(1, (cpu) => {
        const result = cpu.r[dn] ^ cpu.r[m];
        cpu.r[dn] = result;
        if (flagsOn(cpu)) setNZ(cpu, result);
      }, two('eors'));
    case 0x2: // LSL (register): shift by Rm[7:0] (A7.4.2 Shift_C)
      return make(1, (cpu) => {
        const value = cpu.r[dn];
        const amount = cpu.r[m] & 0xff;
        let result: number;
        let carry: boolean;
        if (amount === 0) { result = value; carry = cpu.c; }
        else if (amount < 32) { result = (value << amount) >>> 0; carry = ((value >>> (32 - amount)) & 1) !== 0; }
        else { result = 0; carry = amount === 32 && (value & 1) !== 0; }
        cpu.r[dn] = result;
        if (flagsOn(cpu)) { setNZ(cpu, result); cpu.c = carry; }
      }, two('lsls'));
    case 0x3: // LSR (register)
      return make(1, (cpu) => {
        const value = cpu.r[dn];
        const amount = cpu.r[m] & 0xff;
        let result: number;
        let carry: boolean;
        if (amount === 0) { result = value; carry = cpu.c; }
        else if (amount < 32) { result = value >>> amount; carry = ((value >>> (amount - 1)) & 1) !== 0; }
        else { result = 0; carry = amount === 32 && value >= 0x80000000; }
        cpu.r[dn] = result;
        if (flagsOn(cpu)) { setNZ(cpu, result); cpu.c = carry; }
      }, two('lsrs'));
    case 0x4: // ASR (register)
      return make(1, (cpu) => {
        const value = cpu.r[dn];
        const amount = cpu.r[m] & 0xff;
        let result: number;
        let carry: boolean;
        if (amount === 0) { result = value; carry = cpu.c; }
        else if (amount < 32) { result = (value >> amount) >>> 0; carry = ((value >>> (amount - 1)) & 1) !== 0; }
        else { carry = value >= 0x80000000; result = carry ? 0xffffffff : 0; }
        cpu.r[dn] = result;
        if (flagsOn(cpu)) { setNZ(cpu, result); cpu.c = carry; }
      }, two('asrs'));
    case 0x5: // ADC
      return make(1, (cpu) => {
        const a = cpu.r[dn];
        const b = cpu.r[m];
        const carryIn = cpu.c ? 1 : 0;
        if (flagsOn(cpu)) cpu.r[dn] = addFlags(cpu, a, b, carryIn);
        else cpu.r[dn] = a + b + carryIn;
      }, two('adcs'));
    case 0x6: // SBC
      return make(1, (cpu) => {
        const a = cpu.r[dn];
        const notB = ~cpu.r[m] >>> 0;
        const carryIn = cpu.c ? 1 : 0;
        if (flagsOn(cpu)) cpu.r[dn] = addFlags(cpu, a, notB, carryIn);
        else cpu.r[dn] = a + notB + carryIn;
      }, two('sbcs'));
    case 0x7: // ROR (register): amount 0 keeps C; a multiple of 32 sets C from bit 31
      return make(1, (cpu) => {
        const value = cpu.r[dn];
        const amount = cpu.r[m] & 0xff;
        if (amount === 0) {
          if (flagsOn(cpu)) setNZ(cpu, value);
          return;
        }
        const rot = amount & 31;
        const result = rot === 0 ? value : ((value >>> rot) | (value << (32 - rot))) >>> 0;
        cpu.r[dn] = result;
        if (flagsOn(cpu)) { setNZ(cpu, result); cpu.c = result >= 0x80000000; }
      }, two('rors'));
    case 0x8: // TST
      return make(1, (cpu) => {
        setNZ(cpu, (cpu.r[dn] & cpu.r[m]) >>> 0);
      }, () => `tst ${reg(dn)}, ${reg(m)}`);
    case 0x9: // RSB (immediate) #0, i.e. NEG
      return make(1, (cpu) => {
        const b = cpu.r[m];
        if (flagsOn(cpu)) cpu.r[dn] = addFlags(cpu, ~b >>> 0, 0, 1);
        else cpu.r[dn] = -b;
      }, () => `negs ${reg(dn)}, ${reg(m)}`);
    case 0xa: // CMP (register) T1
      return make(1, (cpu) => {
        subFlags(cpu, cpu.r[dn], cpu.r[m]);
      }, () => `cmp ${reg(dn)}, ${reg(m)}`);
    case 0xb: // CMN
      return make(1, (cpu) => {
        addFlags(cpu, cpu.r[dn], cpu.r[m], 0);
      }, () => `cmn ${reg(dn)}, ${reg(m)}`);
    case 0xc: // ORR
      return make(1, (cpu) => {
        const result = (cpu.r[dn] | cpu.r[m]) >>> 0;
        cpu.r[dn] = result;
        if (flagsOn(cpu)) setNZ(cpu, result);
      }, two('orrs'));
    case 0xd: // MUL: Rdm = Rn * Rdm; N and Z only (C and V unchanged, A7.7.83)
      return make(1, (cpu) => {
        const result = Math.imul(cpu.r[m], cpu.r[dn]) >>> 0;
        cpu.r[dn] = result;
        if (flagsOn(cpu)) setNZ(cpu, result);
      }, () => `muls ${reg(dn)}, ${reg(m)}`);
    case 0xe: // BIC
      return make(1, (cpu) => {
        const result = (cpu.r[dn] & ~cpu.r[m]) >>> 0;
        cpu.r[dn] = result;
        if (flagsOn(cpu)) setNZ(cpu, result);
      }, two('bics'));
    default: // MVN
      return make(1, (cpu) => {
        const result = ~cpu.r[m] >>> 0;
        cpu.r[dn] = result;
        if (flagsOn(cpu)) setNZ(cpu, result);
      }, two('mvns'));
  }
}

// ---- A5.2.3 special data instructions and branch and exchange --------------------------------

function decodeSpecialDataBranch(hw: number, address: number): Decoded {
  const op = (hw >>> 8) & 3;
  const m = (hw >>> 3) & 0xf;
  const dn = ((hw >>> 4) & 8) | (hw & 7);
  // Reading the PC as an operand gives the instruction's address + 4 (A5.1.2).
  const pcValue = (address + 4) >>> 0;
  switch (op) {
    case 0: { // ADD (register) T2; ADD (SP plus register) T1/T2. Never sets flags.
      const asm = () => `add ${reg(dn)}, ${reg(m)}`;
      if (dn === 15) {
        // ALUWritePC; the PC as the first operand also reads as address + 4.
        return make(3, (cpu) => {
          cpu.branchWritePc(pcValue + (m === 15 ? pcValue : cpu.r[m]));
        }, asm);
      }
      if (m === 15) {
        return make(1, (cpu) => {
          const result = (cpu.r[dn] + pcValue) >>> 0;
          cpu.r[dn] = dn === 13 ? result & ~3 : result;
        }, asm);
      }
      if (dn === 13) {
        return make(1, (cpu) => {
          cpu.r[13] = (cpu.r[13] + cpu.r[m]) & ~3;
        }, asm);
      }
      return make(1, (cpu) => {
        cpu.r[dn] = cpu.r[dn] + cpu.r[m];
      }, asm);
    }
    case 1: { // CMP (register) T2 (both-low is UNPREDICTABLE; executed as CMP)
      return make(1, (cpu) => {
        const a = dn === 15 ? pcValue : cpu.r[dn];
        const b = m === 15 ? pcValue : cpu.r[m];
        subFlags(cpu, a, b);
      }, () => `cmp ${reg(dn)}, ${reg(m)}`);
    }
    case 2: { // MOV (register) T1. Never sets flags.
      const asm = () => `mov ${reg(dn)}, ${reg(m)}`;
      if (dn === 15) {
        return make(3, (cpu) => {
          cpu.branchWritePc(m === 15 ? pcValue : cpu.r[m]);
        }, asm);
      }
      if (m === 15) {
        const value = dn === 13 ? pcValue & ~3 : pcValue;
        return make(1, (cpu) => {
          cpu.r[dn] = value;
        }, asm);
      }
      if (dn === 13) {
        return make(1, (cpu) => {
          cpu.r[13] = cpu.r[m] & ~3;
        }, asm);
      }
      return make(1, (cpu) => {
        cpu.r[dn] = cpu.r[m];
      }, asm);
    }
    default: {
      // Bits 2:0 are (0) for BX/BLX; bit 2 set is the ARMv8-M BXNS/BLXNS slot, which we run as
      // BX/BLX, while bits 1:0 set are UNPREDICTABLE and made UNDEFINED here.
      if ((hw & 3) !== 0) return undefinedInstruction(2, hw, 0);
      if ((hw & 0x80) === 0) { // BX: BXWritePC (handles EXC_RETURN in Handler mode)
        if (m === 15) {
          return make(3, (cpu) => {
            cpu.bxWritePc(pcValue);
          }, () => 'bx pc');
        }
        return make(3, (cpu) => {
          cpu.bxWritePc(cpu.r[m]);
        }, () => `bx ${reg(m)}`);
      }
      // BLX (register): BLXWritePC, which unlike BXWritePC does not recognise EXC_RETURN
      // (A2.3.1), so a BLX to 0xFFFFFFFx simply branches there.
      const returnAddress = ((address + 2) | 1) >>> 0;
      return make(3, (cpu) => {
        const target = m === 15 ? pcValue : cpu.r[m];
        cpu.r[14] = returnAddress;
        cpu.thumb = (target & 1) !== 0;
        cpu.nextPc = (target & ~1) >>> 0;
      }, () => `blx ${reg(m)}`);
    }
  }
}

// ---- LDR (literal) ----------------------------------------------------------------------------

function decodeLdrLiteral(hw: number, address: number): Decoded {
  const t = (hw >>> 8) & 7;
  const offset = (hw & 0xff) << 2;
  // Align(PC, 4) + imm: fixed at decode time.
  const target = (((address + 4) & ~3) + offset) >>> 0;
  return make(2, (cpu) => {
    cpu.r[t] = cpu.read32(target);
  }, () => `ldr ${reg(t)}, [pc, #${offset}] @ ${addr(target)}`);
}

// ---- A5.2.4 load/store single data item ---------------------------------------------------------

function decodeLoadStoreRegister(hw: number): Decoded {
  const op = (hw >>> 9) & 7;
  const t = hw & 7;
  const n = (hw >>> 3) & 7;
  const m = (hw >>> 6) & 7;
  const operands = `${reg(t)}, [${reg(n)}, ${reg(m)}]`;
  switch (op) {
    case 0: return make(2, (cpu) => { cpu.write32(cpu.r[n] + cpu.r[m], cpu.r[t]); }, () => `str ${operands}`);
    case 1: return make(2, (cpu) => { cpu.write16(cpu.r[n] + cpu.r[m], cpu.r[t] & 0xffff); }, () => `strh ${operands}`);
    case 2: return make(2, (cpu) => { cpu.write8(cpu.r[n] + cpu.r[m], cpu.r[t] & 0xff); }, () => `strb ${operands}`);
    case 3: return make(2, (cpu) => { cpu.r[t] = (cpu.read8(cpu.r[n] + cpu.r[m]) << 24) >> 24; }, () => `ldrsb ${operands}`);
    case 4: return make(2, (cpu) => { cpu.r[t] = cpu.read32(cpu.r[n] + cpu.r[m]); }, () => `ldr ${operands}`);
    case 5: return make(2, (cpu) => { cpu.r[t] = cpu.read16(cpu.r[n] + cpu.r[m]); }, () => `ldrh ${operands}`);
    case 6: return make(2, (cpu) => { cpu.r[t] = cpu.read8(cpu.r[n] + cpu.r[m]); }, () => `ldrb ${operands}`);
    default: return make(2, (cpu) => { cpu.r[t] = (cpu.read16(cpu.r[n] + cpu.r[m]) << 16) >> 16; }, () => `ldrsh ${operands}`);
  }
}

function decodeLoadStoreImmediate(hw: number): Decoded {
  const t = hw & 7;
  const n = (hw >>> 3) & 7;
  const imm5 = (hw >>> 6) & 0x1f;
  const load = (hw & 0x0800) !== 0;
  if ((hw >>> 12) === 0x8) { // STRH / LDRH (immediate)
    const offset = imm5 << 1;
    const operands = `${reg(t)}, [${reg(n)}, #${offset}]`;
    if (load) return make(2, (cpu) => { cpu.r[t] = cpu.read16(cpu.r[n] + offset); }, () => `ldrh ${operands}`);
    return make(2, (cpu) => { cpu.write16(cpu.r[n] + offset, cpu.r[t] & 0xffff); }, () => `strh ${operands}`);
  }
  if ((hw & 0x1000) === 0) { // STR / LDR (immediate) T1
    const offset = imm5 << 2;
    const operands = `${reg(t)}, [${reg(n)}, #${offset}]`;
    if (load) return make(2, (cpu) => { cpu.r[t] = cpu.read32(cpu.r[n] + offset); }, () => `ldr ${operands}`);
    return make(2, (cpu) => { cpu.write32(cpu.r[n] + offset, cpu.r[t]); }, () => `str ${operands}`);
  }
  // STRB / LDRB (immediate)
  const operands = `${reg(t)}, [${reg(n)}, #${imm5}]`;
  if (load) return make(2, (cpu) => { cpu.r[t] = cpu.read8(cpu.r[n] + imm5); }, () => `ldrb ${operands}`);
  return make(2, (cpu) => { cpu.write8(cpu.r[n] + imm5, cpu.r[t] & 0xff); }, () => `strb ${operands}`);
}

function decodeLoadStoreSp(hw: number): Decoded {
  const t = (hw >>> 8) & 7;
  const offset = (hw & 0xff) << 2;
  const operands = `${reg(t)}, [sp, #${offset}]`;
  if ((hw & 0x0800) !== 0) return make(2, (cpu) => { cpu.r[t] = cpu.read32(cpu.r[13] + offset); }, () => `ldr ${operands}`);
  return make(2, (cpu) => { cpu.write32(cpu.r[13] + offset, cpu.r[t]); }, () => `str ${operands}`);
}

// ---- ADR, ADD (SP plus immediate) -------------------------------------------------------------

function decodeAdrAddSp(hw: number, address: number): Decoded {
  const d = (hw >>> 8) & 7;
  const offset = (hw & 0xff) << 2;
  if ((hw & 0x0800) === 0) { // ADR: Align(PC, 4) + imm, a constant
    const value = (((address + 4) & ~3) + offset) >>> 0;
    return make(1, (cpu) => { cpu.r[d] = value; }, () => `add ${reg(d)}, pc, #${offset} @ ${addr(value)}`);
  }
  return make(1, (cpu) => { cpu.r[d] = cpu.r[13] + offset; }, () => `add ${reg(d)}, sp, #${offset}`);
}

// ---- A5.2.5 miscellaneous 16-bit instructions ---------------------------------------------------

function decodeMisc(hw: number, address: number, profile: Profile): Decoded {
  const v7 = profile !== 'v6m';
  const op = (hw >>> 5) & 0x7f;
  if ((op & 0x78) === 0x00) { // ADD (SP plus immediate) T2 / SUB (SP minus immediate) T1
    const offset = (hw & 0x7f) << 2;
    if ((hw & 0x80) === 0) return make(1, (cpu) => { cpu.r[13] = cpu.r[13] + offset; }, () => `add sp, #${offset}`);
    return make(1, (cpu) => { cpu.r[13] = cpu.r[13] - offset; }, () => `sub sp, #${offset}`);
  }
  if ((hw & 0x0500) === 0x0100) { // CBZ / CBNZ (1011 o0i1 ...), ARMv7-M only
    if (!v7) return undefinedInstruction(2, hw, 0);
    return decodeCompareAndBranch(hw, address);
  }
  if ((op & 0x78) === 0x10) { // extend
    const d = hw & 7;
    const m = (hw >>> 3) & 7;
    switch ((hw >>> 6) & 3) {
      case 0: return make(1, (cpu) => { cpu.r[d] = (cpu.r[m] << 16) >> 16; }, () => `sxth ${reg(d)}, ${reg(m)}`);
      case 1: return make(1, (cpu) => { cpu.r[d] = (cpu.r[m] << 24) >> 24; }, () => `sxtb ${reg(d)}, ${reg(m)}`);
      case 2: return make(1, (cpu) => { cpu.r[d] = cpu.r[m] & 0xffff; }, () => `uxth ${reg(d)}, ${reg(m)}`);
      default: return make(1, (cpu) => { cpu.r[d] = cpu.r[m] & 0xff; }, () => `uxtb ${reg(d)}, ${reg(m)}`);
    }
  }
  // An empty register list is UNPREDICTABLE (A7.7.99/A7.7.101); we make it UNDEFINED.
  if ((op & 0x70) === 0x20) return (hw & 0x1ff) === 0 ? undefinedInstruction(2, hw, 0) : decodePush(hw);
  if ((op & 0x70) === 0x60) return (hw & 0x1ff) === 0 ? undefinedInstruction(2, hw, 0) : decodePop(hw);
  if ((hw & 0xffec) === 0xb660) return decodeCps(hw, v7);
  if ((op & 0x78) === 0x50) { // reverse bytes
    const d = hw & 7;
    const m = (hw >>> 3) & 7;
    switch ((hw >>> 6) & 3) {
      case 0: return make(1, (cpu) => {
        const x = cpu.r[m];
        cpu.r[d] = (x >>> 24) | ((x >>> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
      }, () => `rev ${reg(d)}, ${reg(m)}`);
      case 1: return make(1, (cpu) => {
        const x = cpu.r[m];
        cpu.r[d] = ((x >>> 8) & 0x00ff00ff) | ((x << 8) & 0xff00ff00);
      }, () => `rev16 ${reg(d)}, ${reg(m)}`);
      case 3: return make(1, (cpu) => {
        const x = cpu.r[m];
        // SignExtend(R[m]<7:0> : R[m]<15:8>)
        cpu.r[d] = (((x << 24) >> 16) | ((x >>> 8) & 0xff));
      }, () => `revsh ${reg(d)}, ${reg(m)}`);
      default: break;
    }
    return undefinedInstruction(2, hw, 0);
  }
  if ((op & 0x78) === 0x70) { // BKPT
    const imm8 = hw & 0xff;
    return make(1, (cpu) => { cpu.hooks.bkpt(imm8); }, () => `bkpt 0x${imm8.toString(16).padStart(4, '0')}`);
  }
  if ((op & 0x78) === 0x78) { // IT and hints
    if ((hw & 0xf) !== 0) {
      if (!v7) return undefinedInstruction(2, hw, 0);
      return decodeIt(hw);
    }
    return decodeHint(hw);
  }
  return undefinedInstruction(2, hw, 0);
}

function decodeCompareAndBranch(hw: number, address: number): Decoded {
  const n = hw & 7;
  const nonZero = (hw & 0x0800) !== 0;
  const offset = (((hw >>> 9) & 1) << 6) | (((hw >>> 3) & 0x1f) << 1);
  const target = (address + 4 + offset) >>> 0;
  const asm = () => `${nonZero ? 'cbnz' : 'cbz'} ${reg(n)}, ${addr(target)}`;
  // Taken costs a pipeline refill (1 + P on the Cortex-M3 TRM); not taken is 1 cycle.
  if (nonZero) {
    return make(1, (cpu) => {
      if (cpu.r[n] !== 0) { cpu.nextPc = target; cpu.cycles += 2; }
    }, asm);
  }
  return make(1, (cpu) => {
    if (cpu.r[n] === 0) { cpu.nextPc = target; cpu.cycles += 2; }
  }, asm);
}

function decodePush(hw: number): Decoded {
  const mask = (hw & 0xff) | ((hw & 0x100) << 6); // M bit → LR
  const regs = listToRegs(mask);
  const count = regs.length;
  const bytes = count * 4;
  // STMDB SP!: lowest register at the lowest address; SP only moves once every store succeeded.
  return make(1 + count, (cpu) => {
    const start = (cpu.r[13] - bytes) >>> 0;
    let a = start;
    for (let i = 0; i < count; i++) {
      cpu.writeA32(a, cpu.r[regs[i]]);
      a += 4;
    }
    cpu.r[13] = start;
  }, () => `push ${regList(mask)}`);
}

function decodePop(hw: number): Decoded {
  const mask = (hw & 0xff) | ((hw & 0x100) << 7); // P bit → PC
  const regs = listToRegs(mask & 0xff);
  const count = regs.length;
  const loadsPc = (mask & 0x8000) !== 0;
  const total = count + (loadsPc ? 1 : 0);
  const bytes = total * 4;
  const asm = () => `pop ${regList(mask)}`;
  if (loadsPc) {
    // LoadWritePC (= BXWritePC): may be an exception return. SP is updated first so the
    // exception model unstacks from the right place.
    return make(1 + total + 2, (cpu) => {
      const base = cpu.r[13];
      for (let i = 0; i < count; i++) loadScratch[i] = cpu.readA32(base + 4 * i);
      const pc = cpu.readA32(base + 4 * count);
      for (let i = 0; i < count; i++) cpu.r[regs[i]] = loadScratch[i];
      cpu.r[13] = base + bytes;
      cpu.bxWritePc(pc);
    }, asm);
  }
  return make(1 + total, (cpu) => {
    const base = cpu.r[13];
    for (let i = 0; i < count; i++) loadScratch[i] = cpu.readA32(base + 4 * i);
    for (let i = 0; i < count; i++) cpu.r[regs[i]] = loadScratch[i];
    cpu.r[13] = base + bytes;
  }, asm);
}

function decodeCps(hw: number, v7: boolean): Decoded {
  const disable = (hw & 0x10) !== 0;
  const affectI = (hw & 2) !== 0;
  // FAULTMASK exists only on ARMv7-M.
  const affectF = v7 && (hw & 1) !== 0;
  const flags = `${(hw & 2) !== 0 ? 'i' : ''}${(hw & 1) !== 0 ? 'f' : ''}`;
  return make(1, (cpu) => {
    // Unprivileged CPS is ignored (B5.2.1), not a fault.
    if (!cpu.privileged) return;
    if (affectI) cpu.primask = disable ? 1 : 0;
    if (affectF) {
      // FAULTMASK can only be set at execution priority > -1 (not in NMI or HardFault).
      if (!disable) cpu.faultmask = 0;
      else if (cpu.ipsr !== 2 && cpu.ipsr !== 3) cpu.faultmask = 1;
    }
    cpu.hooks.priorityMaskChanged();
  }, () => `cps${disable ? 'id' : 'ie'} ${flags}`);
}

function itName(firstCond: number, mask: number): string {
  let suffix = '';
  // Instructions 2..4 of the block follow mask bits 3, 2, 1 until the trailing 1 (A7.7.38).
  for (let bit = 3; bit > 0 && (mask & ((1 << bit) - 1)) !== 0; bit--) {
    suffix += ((mask >>> bit) & 1) === (firstCond & 1) ? 't' : 'e';
  }
  return `it${suffix} ${CONDITION_NAMES[firstCond] || 'al'}`;
}

function decodeIt(hw: number): Decoded {
  const state = hw & 0xff;
  // Cpu.step applies the condition to the following instructions and advances ITSTATE.
  return make(1, (cpu) => { cpu.itState = state; }, () => itName(state >>> 4, state & 0xf));
}

function decodeHint(hw: number): Decoded {
  switch ((hw >>> 4) & 0xf) {
    case 0: return make(1, () => {}, () => 'nop');
    case 1: return make(1, () => {}, () => 'yield');
    case 2: return make(1, (cpu) => { cpu.hooks.wfe(); }, () => 'wfe');
    case 3: return make(1, (cpu) => { cpu.hooks.wfi(); }, () => 'wfi');
    case 4: return make(1, (cpu) => { cpu.hooks.sev(); }, () => 'sev');
    default: {
      // Unallocated hints execute as NOPs (A5.2.5).
      const op = (hw >>> 4) & 0xf;
      return make(1, () => {}, () => `nop {${op}}`);
    }
  }
}

// ---- LDM / STM ----------------------------------------------------------------------------------

function decodeLdmStm(hw: number): Decoded {
  const n = (hw >>> 8) & 7;
  const mask = hw & 0xff;
  // An empty register list is UNPREDICTABLE; we make it UNDEFINED.
  if (mask === 0) return undefinedInstruction(2, hw, 0);
  const regs = listToRegs(mask);
  const count = regs.length;
  const bytes = count * 4;
  if ((hw & 0x0800) === 0) {
    // STM (STMIA Rn!): always writes back. With Rn in the list (UNPREDICTABLE unless it is the
    // lowest) we store the original value, which is what the lowest-register case requires.
    return make(1 + count, (cpu) => {
      const base = cpu.r[n];
      let a = base;
      for (let i = 0; i < count; i++) {
        cpu.writeA32(a, cpu.r[regs[i]]);
        a += 4;
      }
      cpu.r[n] = base + bytes;
    }, () => `stmia ${reg(n)}!, ${regList(mask)}`);
  }
  // LDM (LDMIA Rn{!}): writeback only when Rn is not in the list (then Rn gets the loaded value).
  const writeback = (mask & (1 << n)) === 0;
  return make(1 + count, (cpu) => {
    const base = cpu.r[n];
    for (let i = 0; i < count; i++) loadScratch[i] = cpu.readA32(base + 4 * i);
    if (writeback) cpu.r[n] = base + bytes;
    for (let i = 0; i < count; i++) cpu.r[regs[i]] = loadScratch[i];
  }, () => `ldmia ${reg(n)}${writeback ? '!' : ''}, ${regList(mask)}`);
}

// ---- branches, SVC, UDF -------------------------------------------------------------------------

function decodeConditionalBranch(hw: number, address: number): Decoded {
  const cond = (hw >>> 8) & 0xf;
  const imm8 = hw & 0xff;
  if (cond === 0xe) {
    // UDF: permanently undefined.
    const und = undefinedInstruction(2, hw, 0, `udf #${imm8}`);
    return make(1, und.exec, () => `udf #${imm8}`);
  }
  if (cond === 0xf) {
    return make(1, (cpu) => { cpu.hooks.svc(imm8); }, () => `svc ${imm8}`);
  }
  const target = (address + 4 + (((imm8 << 24) >> 23))) >>> 0;
  const asm = () => `b${CONDITION_NAMES[cond]}.n ${addr(target)}`;
  // Taken: 1 + P cycles (P = pipeline refill, ~2) on the Cortex-M3/M4; not taken: 1.
  return make(1, (cpu) => {
    if (cpu.conditionPassed(cond)) {
      cpu.nextPc = target;
      cpu.cycles += 2;
    }
  }, asm);
}

function decodeBranch(hw: number, address: number): Decoded {
  const target = (address + 4 + ((hw << 21) >> 20)) >>> 0;
  return make(3, (cpu) => { cpu.nextPc = target; }, () => `b.n ${addr(target)}`);
}
