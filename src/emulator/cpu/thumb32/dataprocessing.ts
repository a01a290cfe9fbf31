// 32-bit data-processing instructions: modified immediate (A5.3.1), plain binary immediate (A5.3.3),
// shifted register (A5.3.11), register (A5.3.12) and miscellaneous operations (A5.3.13).
// Semantics per ARMv7-M ARM A7.7. Each decoder returns a closure specialised for its operands; the
// common shapes (no flags, low destination, unshifted register) get their own closures.

import type { Cpu, Profile } from '../cpu';
import type { Decoded, Exec } from '../decoded';
import { addWithCarry, carryOut, decodeImmShift, overflowOut, shift, shiftC, SRType, thumbExpandImmC } from '../alu';
import { fixRegisters, hexAddr, immText, insn, reg, shiftText, undef } from './common';

/** The op field shared by the modified-immediate and shifted-register tables. */
const enum DpOp { AND = 0, BIC = 1, ORR = 2, ORN = 3, EOR = 4, PKH = 6, ADD = 8, ADC = 10, SBC = 11, SUB = 13, RSB = 14 }

const DP_NAMES: Record<number, string> = { 0: 'and', 1: 'bic', 2: 'orr', 3: 'orn', 4: 'eor', 8: 'add', 10: 'adc', 11: 'sbc', 13: 'sub', 14: 'rsb' };
/** Mnemonics that also have a 16-bit encoding, so the disassembler marks the 32-bit one ".w". */
const HAS_NARROW = new Set(['and', 'bic', 'orr', 'eor', 'add', 'adc', 'sbc', 'sub', 'rsb', 'mov', 'mvn', 'tst', 'cmp', 'cmn',
  'lsl', 'lsr', 'asr', 'ror', 'sxth', 'sxtb', 'uxth', 'uxtb', 'rev', 'rev16', 'revsh']);

function mnemonic(name: string, s: boolean): string {
  return `${name}${s ? 's' : ''}${HAS_NARROW.has(name) ? '.w' : ''}`;
}

function setNZCV(cpu: Cpu, result: number): void {
  cpu.n = (result & 0x80000000) !== 0;
  cpu.z = result === 0;
  cpu.c = carryOut === 1;
  cpu.v = overflowOut === 1;
}

function isLogical(op: number): boolean {
  return op <= DpOp.EOR;
}

// ---- modified immediate (A5.3.1) ---------------------------------------------------------------

export function decodeModifiedImmediate(hw1: number, hw2: number, address: number, _profile: Profile): Decoded {
  const op = (hw1 >>> 5) & 0xf;
  const s = (hw1 & 0x10) !== 0;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const imm12 = ((hw1 & 0x400) << 1) | ((hw2 >>> 4) & 0x700) | (hw2 & 0xff);
  // The constant and, for the logical forms with S, the carry it produces (-1: C unchanged).
  const imm = thumbExpandImmC(imm12, 0);
  const immCarry = imm12 >>> 10 === 0 ? -1 : carryOut;
  if (DP_NAMES[op] === undefined) return undef(hw1, hw2);

  if (isLogical(op)) {
    const compare = d === 15 && s && (op === DpOp.AND || op === DpOp.EOR);
    const move = n === 15 && (op === DpOp.ORR || op === DpOp.ORN);
    // BIC, ORN and MVN are AND, ORR and MOV with the constant inverted at decode time.
    const invert = op === DpOp.BIC || op === DpOp.ORN;
    const k = (invert ? ~imm : imm) >>> 0;
    const kind = move ? 'mov' : op === DpOp.EOR ? 'eor' : op === DpOp.AND || op === DpOp.BIC ? 'and' : 'orr';
    let exec: Exec;
    if (compare) {
      exec = kind === 'and'
        ? (cpu) => { const r = (cpu.r[n] & k) >>> 0; cpu.setNZ(r); if (immCarry >= 0) cpu.c = immCarry === 1; }
        : (cpu) => { const r = (cpu.r[n] ^ k) >>> 0; cpu.setNZ(r); if (immCarry >= 0) cpu.c = immCarry === 1; };
      const name = op === DpOp.AND ? 'tst' : 'teq';
      return insn(fixRegisters(exec, -1, n === 15, address), 1, () => `${mnemonic(name, false)} ${reg(n)}, ${immText(imm)}`);
    }
    if (!s) {
      switch (kind) {
        case 'mov': exec = (cpu) => { cpu.r[d] = k; }; break;
        case 'and': exec = (cpu) => { cpu.r[d] = cpu.r[n] & k; }; break;
        case 'orr': exec = (cpu) => { cpu.r[d] = cpu.r[n] | k; }; break;
        default: exec = (cpu) => { cpu.r[d] = cpu.r[n] ^ k; }; break;
      }
    } else {
      switch (kind) {
        case 'mov': exec = (cpu) => { cpu.r[d] = k; cpu.setNZ(k); if (immCarry >= 0) cpu.c = immCarry === 1; }; break;
        case 'and': exec = (cpu) => { const r = cpu.r[n] & k; cpu.r[d] = r; cpu.setNZ(r); if (immCarry >= 0) cpu.c = immCarry === 1; }; break;
        case 'orr': exec = (cpu) => { const r = cpu.r[n] | k; cpu.r[d] = r; cpu.setNZ(r); if (immCarry >= 0) cpu.c = immCarry === 1; }; break;
        default: exec = (cpu) => { const r = cpu.r[n] ^ k; cpu.r[d] = r; cpu.setNZ(r); if (immCarry >= 0) cpu.c = immCarry === 1; }; break;
      }
    }
    const asm = move
      ? () => `${mnemonic(op === DpOp.ORR ? 'mov' : 'mvn', s)} ${reg(d)}, ${immText(imm)}`
      : () => `${mnemonic(DP_NAMES[op], s)} ${reg(d)}, ${reg(n)}, ${immText(imm)}`;
    return insn(fixRegisters(exec, d, n === 15 && !move, address), 1, asm);
  }

  // Arithmetic: x + y + carry_in with x, y and carry_in chosen per A7.7 (SUB is Rn + NOT(imm) + 1).
  const compare = d === 15 && s && (op === DpOp.ADD || op === DpOp.SUB);
  const y = op === DpOp.SUB || op === DpOp.SBC ? ~imm >>> 0 : imm;
  const carryIn = op === DpOp.SUB || op === DpOp.RSB ? 1 : op === DpOp.ADD ? 0 : -1; // -1: APSR.C
  let exec: Exec;
  if (op === DpOp.RSB) {
    exec = s
      ? (cpu) => { const r = addWithCarry(~cpu.r[n], imm, 1); cpu.r[d] = r; setNZCV(cpu, r); }
      : (cpu) => { cpu.r[d] = imm - cpu.r[n]; };
  } else if (compare) {
    exec = (cpu) => { setNZCV(cpu, addWithCarry(cpu.r[n], y, carryIn)); };
    const name = op === DpOp.ADD ? 'cmn' : 'cmp';
    return insn(fixRegisters(exec, -1, n === 15, address), 1, () => `${mnemonic(name, false)} ${reg(n)}, ${immText(imm)}`);
  } else if (!s) {
    // Without flags ADD/SUB are Rn + k and ADC/SBC are Rn + k + C (SBC: Rn + NOT(imm) + C).
    const k = op === DpOp.SUB ? -imm : y;
    exec = carryIn >= 0
      ? (cpu) => { cpu.r[d] = cpu.r[n] + k; }
      : (cpu) => { cpu.r[d] = cpu.r[n] + k + (cpu.c ? 1 : 0); };
  } else {
    exec = carryIn >= 0
      ? (cpu) => { const r = addWithCarry(cpu.r[n], y, carryIn); cpu.r[d] = r; setNZCV(cpu, r); }
      : (cpu) => { const r = addWithCarry(cpu.r[n], y, cpu.c ? 1 : 0); cpu.r[d] = r; setNZCV(cpu, r); };
  }
  return insn(fixRegisters(exec, d, n === 15, address), 1, () => `${mnemonic(DP_NAMES[op], s)} ${reg(d)}, ${reg(n)}, ${immText(imm)}`);
}

// ---- plain binary immediate (A5.3.3) -----------------------------------------------------------

export function decodePlainImmediate(hw1: number, hw2: number, address: number, _profile: Profile): Decoded {
  const op = (hw1 >>> 4) & 0x1f;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const imm12 = ((hw1 & 0x400) << 1) | ((hw2 >>> 4) & 0x700) | (hw2 & 0xff);
  const imm5 = ((hw2 >>> 10) & 0x1c) | ((hw2 >>> 6) & 3); // imm3:imm2
  const low5 = hw2 & 0x1f;
  // Outside ADDW/SUBW/MOVW/MOVT, hw1 bit 10 and hw2 bit 5 are (0): UNPREDICTABLE, treated as UNDEFINED.
  if ((op & 0b10000) !== 0 && ((hw1 & 0x400) !== 0 || (hw2 & 0x20) !== 0)) return undef(hw1, hw2);
  switch (op) {
    case 0b00000: case 0b01010: {
      const sub = op === 0b01010;
      if (n === 15) {
        // ADR: Align(PC, 4) ± imm12, folded to a constant.
        const value = ((((address + 4) & ~3) + (sub ? -imm12 : imm12)) >>> 0);
        return insn(fixRegisters((cpu) => { cpu.r[d] = value; }, d, false, address), 1, () => `adr.w ${reg(d)}, ${hexAddr(value)}`);
      }
      const k = sub ? -imm12 : imm12;
      return insn(fixRegisters((cpu) => { cpu.r[d] = cpu.r[n] + k; }, d, false, address), 1,
        () => `${sub ? 'subw' : 'addw'} ${reg(d)}, ${reg(n)}, ${immText(imm12)}`);
    }
    case 0b00100: case 0b01100: {
      const imm16 = (n << 12) | imm12;
      if (op === 0b00100) {
        return insn(fixRegisters((cpu) => { cpu.r[d] = imm16; }, d, false, address), 1, () => `movw ${reg(d)}, ${immText(imm16)}`);
      }
      const high = imm16 << 16;
      return insn(fixRegisters((cpu) => { cpu.r[d] = (cpu.r[d] & 0xffff) | high; }, d, false, address), 1,
        () => `movt ${reg(d)}, ${immText(imm16)}`);
    }
    case 0b10000: case 0b10010: case 0b11000: case 0b11010: {
      const unsigned = op >= 0b11000;
      const asr = (op & 2) !== 0;
      // SSAT16/USAT16 are DSP: on ARMv7E-M the DSP decoder has taken them before this point.
      if (asr && imm5 === 0) return undef(hw1, hw2);
      return saturate(unsigned, d, n, asr, imm5, low5, address);
    }
    case 0b10100: case 0b11100: {
      // SBFX/UBFX: lsb = imm3:imm2, width = widthm1 + 1 (lsb + width > 32 is UNPREDICTABLE: refused).
      const lsb = imm5;
      if (lsb + low5 > 31) return undef(hw1, hw2, 'bitfield extends beyond bit 31');
      const width = low5 + 1;
      const signed = op === 0b10100;
      const up = 32 - width;
      const down = 32 - width - lsb;
      const exec: Exec = signed
        ? (cpu) => { cpu.r[d] = (cpu.r[n] << down) >> up; }
        : (cpu) => { cpu.r[d] = (cpu.r[n] << down) >>> up; };
      return insn(fixRegisters(exec, d, n === 15, address), 1,
        () => `${signed ? 'sbfx' : 'ubfx'} ${reg(d)}, ${reg(n)}, #${lsb}, #${low5 + 1}`);
    }
    case 0b10110: {
      // BFI/BFC: msb < lsb is UNPREDICTABLE; refused.
      const lsb = imm5;
      const msb = low5;
      if (msb < lsb) return undef(hw1, hw2, 'bitfield msb < lsb');
      const width = msb - lsb + 1;
      const mask = (width === 32 ? 0xffffffff : (((1 << width) - 1) << lsb)) >>> 0;
      const exec: Exec = n === 15
        ? (cpu) => { cpu.r[d] = cpu.r[d] & ~mask; }
        : (cpu) => { cpu.r[d] = (cpu.r[d] & ~mask) | ((cpu.r[n] << lsb) & mask); };
      const asm = n === 15
        ? () => `bfc ${reg(d)}, #${lsb}, #${width}`
        : () => `bfi ${reg(d)}, ${reg(n)}, #${lsb}, #${width}`;
      return insn(fixRegisters(exec, d, false, address), 1, asm);
    }
    default:
      return undef(hw1, hw2);
  }
}

/** SSAT/USAT (A7.7.146, A7.7.181): saturate a shifted register, setting Q when clipped. */
function saturate(unsigned: boolean, d: number, n: number, asr: boolean, amount: number, satImm: number, address: number): Decoded {
  // SSAT saturates to satImm+1 signed bits; USAT to satImm unsigned bits.
  const max = 2 ** satImm - 1;
  const min = unsigned ? 0 : -(2 ** satImm);
  const exec: Exec = asr
    ? (cpu) => {
      const value = (cpu.r[n] | 0) >> amount;
      if (value > max) { cpu.r[d] = max; cpu.q = true; } else if (value < min) { cpu.r[d] = min; cpu.q = true; } else cpu.r[d] = value;
    }
    : (cpu) => {
      const value = (cpu.r[n] << amount) | 0;
      if (value > max) { cpu.r[d] = max; cpu.q = true; } else if (value < min) { cpu.r[d] = min; cpu.q = true; } else cpu.r[d] = value;
    };
  const shiftDesc = amount === 0 ? '' : `, ${asr ? 'asr' : 'lsl'} #${amount}`;
  return insn(fixRegisters(exec, d, n === 15, address), 1,
    () => `${unsigned ? 'usat' : 'ssat'} ${reg(d)}, #${unsigned ? satImm : satImm + 1}, ${reg(n)}${shiftDesc}`);
}

// ---- shifted register (A5.3.11) ----------------------------------------------------------------

export function decodeShiftedRegister(hw1: number, hw2: number, address: number, profile: Profile): Decoded {
  const op = (hw1 >>> 5) & 0xf;
  const s = (hw1 & 0x10) !== 0;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  const imm5 = ((hw2 >>> 10) & 0x1c) | ((hw2 >>> 6) & 3);
  const packed = decodeImmShift((hw2 >>> 4) & 3, imm5);
  const type = (packed & 0xff) as SRType;
  const amount = packed >>> 8;
  const plain = type === SRType.LSL && amount === 0;
  // Bit 15 of the second halfword is (0); a 1 is UNPREDICTABLE and we treat it as UNDEFINED.
  if (hw2 & 0x8000) return undef(hw1, hw2);
  // PKHBT/PKHTB are DSP: on ARMv7E-M the DSP decoder has taken the valid encodings before this point.
  if (op === DpOp.PKH) return profile === 'v7em' ? undef(hw1, hw2) : undef(hw1, hw2, 'PKHBT/PKHTB needs the DSP extension');
  if (DP_NAMES[op] === undefined) return undef(hw1, hw2);
  const readsPc = n === 15 || m === 15;
  const operandText = () => `${reg(m)}${shiftText(type, amount)}`;

  if (isLogical(op)) {
    const compare = d === 15 && s && (op === DpOp.AND || op === DpOp.EOR);
    const move = n === 15 && (op === DpOp.ORR || op === DpOp.ORN);
    if (compare) {
      const exec: Exec = op === DpOp.AND
        ? (cpu) => { const b = shiftC(cpu.r[m], type, amount, cpu.c ? 1 : 0); cpu.setNZ((cpu.r[n] & b) >>> 0); cpu.c = carryOut === 1; }
        : (cpu) => { const b = shiftC(cpu.r[m], type, amount, cpu.c ? 1 : 0); cpu.setNZ((cpu.r[n] ^ b) >>> 0); cpu.c = carryOut === 1; };
      const name = op === DpOp.AND ? 'tst' : 'teq';
      return insn(fixRegisters(exec, -1, readsPc, address), 1, () => `${mnemonic(name, false)} ${reg(n)}, ${operandText()}`);
    }
    const exec = move ? moveShifted(op === DpOp.ORN, d, m, type, amount, plain, s) : logicalShifted(op, d, n, m, type, amount, plain, s);
    const asm = move ? moveText(op === DpOp.ORN, s, d, m, type, amount) : () => `${mnemonic(DP_NAMES[op], s)} ${reg(d)}, ${reg(n)}, ${operandText()}`;
    return insn(fixRegisters(exec, d, move ? m === 15 : readsPc, address), 1, asm);
  }

  const compare = d === 15 && s && (op === DpOp.ADD || op === DpOp.SUB);
  let exec: Exec;
  if (!s && op === DpOp.ADD) {
    exec = plain
      ? (cpu) => { cpu.r[d] = cpu.r[n] + cpu.r[m]; }
      : (cpu) => { cpu.r[d] = cpu.r[n] + shift(cpu.r[m], type, amount, cpu.c ? 1 : 0); };
  } else if (!s && op === DpOp.SUB) {
    exec = plain
      ? (cpu) => { cpu.r[d] = cpu.r[n] - cpu.r[m]; }
      : (cpu) => { cpu.r[d] = cpu.r[n] - shift(cpu.r[m], type, amount, cpu.c ? 1 : 0); };
  } else {
    // x + y + carry_in (A7.7): SUB/CMP/SBC invert the shifted operand, RSB inverts Rn.
    const invertN = op === DpOp.RSB ? -1 : 0;
    const invertM = op === DpOp.SUB || op === DpOp.SBC ? -1 : 0;
    const carryIn = op === DpOp.SUB || op === DpOp.RSB ? 1 : op === DpOp.ADD ? 0 : -1;
    if (compare) {
      exec = (cpu) => {
        const c = cpu.c ? 1 : 0;
        setNZCV(cpu, addWithCarry(cpu.r[n], shift(cpu.r[m], type, amount, c) ^ invertM, carryIn < 0 ? c : carryIn));
      };
      const name = op === DpOp.ADD ? 'cmn' : 'cmp';
      return insn(fixRegisters(exec, -1, readsPc, address), 1, () => `${mnemonic(name, false)} ${reg(n)}, ${operandText()}`);
    }
    exec = s
      ? (cpu) => {
        const c = cpu.c ? 1 : 0;
        const r = addWithCarry(cpu.r[n] ^ invertN, shift(cpu.r[m], type, amount, c) ^ invertM, carryIn < 0 ? c : carryIn);
        cpu.r[d] = r;
        setNZCV(cpu, r);
      }
      : (cpu) => {
        const c = cpu.c ? 1 : 0;
        cpu.r[d] = addWithCarry(cpu.r[n] ^ invertN, shift(cpu.r[m], type, amount, c) ^ invertM, carryIn < 0 ? c : carryIn);
      };
  }
  return insn(fixRegisters(exec, d, readsPc, address), 1, () => `${mnemonic(DP_NAMES[op], s)} ${reg(d)}, ${reg(n)}, ${operandText()}`);
}

function logicalShifted(op: DpOp, d: number, n: number, m: number, type: SRType, amount: number, plain: boolean, s: boolean): Exec {
  if (s) {
    switch (op) {
      case DpOp.AND: return (cpu) => { const r = cpu.r[n] & shiftC(cpu.r[m], type, amount, cpu.c ? 1 : 0); cpu.r[d] = r; cpu.setNZ(r); cpu.c = carryOut === 1; };
      case DpOp.BIC: return (cpu) => { const r = cpu.r[n] & ~shiftC(cpu.r[m], type, amount, cpu.c ? 1 : 0); cpu.r[d] = r; cpu.setNZ(r); cpu.c = carryOut === 1; };
      case DpOp.ORR: return (cpu) => { const r = cpu.r[n] | shiftC(cpu.r[m], type, amount, cpu.c ? 1 : 0); cpu.r[d] = r; cpu.setNZ(r); cpu.c = carryOut === 1; };
      case DpOp.ORN: return (cpu) => { const r = cpu.r[n] | ~shiftC(cpu.r[m], type, amount, cpu.c ? 1 : 0); cpu.r[d] = r; cpu.setNZ(r); cpu.c = carryOut === 1; };
      default: return (cpu) => { const r = cpu.r[n] ^ shiftC(cpu.r[m], type, amount, cpu.c ? 1 : 0); cpu.r[d] = r; cpu.setNZ(r); cpu.c = carryOut === 1; };
    }
  }
  if (plain) {
    switch (op) {
      case DpOp.AND: return (cpu) => { cpu.r[d] = cpu.r[n] & cpu.r[m]; };
      case DpOp.BIC: return (cpu) => { cpu.r[d] = cpu.r[n] & ~cpu.r[m]; };
      case DpOp.ORR: return (cpu) => { cpu.r[d] = cpu.r[n] | cpu.r[m]; };
      case DpOp.ORN: return (cpu) => { cpu.r[d] = cpu.r[n] | ~cpu.r[m]; };
      default: return (cpu) => { cpu.r[d] = cpu.r[n] ^ cpu.r[m]; };
    }
  }
  switch (op) {
    case DpOp.AND: return (cpu) => { cpu.r[d] = cpu.r[n] & shift(cpu.r[m], type, amount, cpu.c ? 1 : 0); };
    case DpOp.BIC: return (cpu) => { cpu.r[d] = cpu.r[n] & ~shift(cpu.r[m], type, amount, cpu.c ? 1 : 0); };
    case DpOp.ORR: return (cpu) => { cpu.r[d] = cpu.r[n] | shift(cpu.r[m], type, amount, cpu.c ? 1 : 0); };
    case DpOp.ORN: return (cpu) => { cpu.r[d] = cpu.r[n] | ~shift(cpu.r[m], type, amount, cpu.c ? 1 : 0); };
    default: return (cpu) => { cpu.r[d] = cpu.r[n] ^ shift(cpu.r[m], type, amount, cpu.c ? 1 : 0); };
  }
}

/** MOV/MVN (register) with an immediate shift: also LSL/LSR/ASR/ROR/RRX (immediate), A7.7.76ff. */
function moveShifted(invert: boolean, d: number, m: number, type: SRType, amount: number, plain: boolean, s: boolean): Exec {
  const x = invert ? -1 : 0;
  if (s) return (cpu) => { const r = (shiftC(cpu.r[m], type, amount, cpu.c ? 1 : 0) ^ x) >>> 0; cpu.r[d] = r; cpu.setNZ(r); cpu.c = carryOut === 1; };
  if (plain) return invert ? (cpu) => { cpu.r[d] = ~cpu.r[m]; } : (cpu) => { cpu.r[d] = cpu.r[m]; };
  if (!invert) {
    switch (type) {
      case SRType.LSL: return (cpu) => { cpu.r[d] = cpu.r[m] << amount; };
      case SRType.LSR: return amount === 32 ? (cpu) => { cpu.r[d] = 0; } : (cpu) => { cpu.r[d] = cpu.r[m] >>> amount; };
      case SRType.ASR: { const a = Math.min(amount, 31); return (cpu) => { cpu.r[d] = (cpu.r[m] | 0) >> a; }; }
      default: break;
    }
  }
  return (cpu) => { cpu.r[d] = shift(cpu.r[m], type, amount, cpu.c ? 1 : 0) ^ x; };
}

function moveText(invert: boolean, s: boolean, d: number, m: number, type: SRType, amount: number): () => string {
  if (invert) return () => `${mnemonic('mvn', s)} ${reg(d)}, ${reg(m)}${shiftText(type, amount)}`;
  if (type === SRType.LSL && amount === 0) return () => `${mnemonic('mov', s)} ${reg(d)}, ${reg(m)}`;
  if (type === SRType.RRX) return () => `rrx${s ? 's' : ''} ${reg(d)}, ${reg(m)}`;
  return () => `${mnemonic(['lsl', 'lsr', 'asr', 'ror'][type], s)} ${reg(d)}, ${reg(m)}, #${amount}`;
}

// ---- data processing (register) (A5.3.12) and miscellaneous (A5.3.13) --------------------------

export function decodeRegister(hw1: number, hw2: number, address: number, _profile: Profile): Decoded {
  const op1 = (hw1 >>> 4) & 0xf;
  const op2 = (hw2 >>> 4) & 0xf;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  if ((hw2 & 0xf000) !== 0xf000) return undef(hw1, hw2);
  if (op1 < 8 && op2 === 0) return registerShift(hw1, hw2, address);
  if (op1 < 8 && (op2 & 8) !== 0) {
    // Extends: SXTH/UXTH/SXTB/UXTB with Rn = PC; the add forms and the 16-bit pair forms are DSP.
    if (op1 > 5 || (hw2 & 0x40) !== 0) return undef(hw1, hw2);
    if (n !== 15 || op1 === 2 || op1 === 3) return undef(hw1, hw2);
    const rotation = ((hw2 >>> 4) & 3) << 3;
    let exec: Exec;
    let name: string;
    switch (op1) {
      case 0: name = 'sxth'; exec = (cpu) => { cpu.r[d] = ((cpu.r[m] >>> rotation | cpu.r[m] << (32 - rotation)) << 16) >> 16; }; break;
      case 1: name = 'uxth'; exec = (cpu) => { cpu.r[d] = (cpu.r[m] >>> rotation | cpu.r[m] << (32 - rotation)) & 0xffff; }; break;
      case 4: name = 'sxtb'; exec = (cpu) => { cpu.r[d] = ((cpu.r[m] >>> rotation | cpu.r[m] << (32 - rotation)) << 24) >> 24; }; break;
      default: name = 'uxtb'; exec = (cpu) => { cpu.r[d] = (cpu.r[m] >>> rotation | cpu.r[m] << (32 - rotation)) & 0xff; }; break;
    }
    // A rotation of 0 makes "<< 32" a shift by 0 in JavaScript, which ORs Rm with itself: harmless.
    return insn(fixRegisters(exec, d, m === 15, address), 1,
      () => `${mnemonic(name, false)} ${reg(d)}, ${reg(m)}${rotation ? `, ror #${rotation}` : ''}`);
  }
  // Parallel add/subtract: DSP, taken by the DSP decoder on ARMv7E-M.
  if (op1 >= 8 && op2 < 8) return undef(hw1, hw2);
  if ((op1 & 0xc) === 8 && (op2 & 0xc) === 8) return decodeMisc(hw1, hw2, address);
  return undef(hw1, hw2);
}

/** LSL/LSR/ASR/ROR (register), A7.7.68 etc.: the shift amount is the bottom byte of Rm. */
function registerShift(hw1: number, hw2: number, address: number): Decoded {
  const type = ((hw1 >>> 5) & 3) as SRType;
  const s = (hw1 & 0x10) !== 0;
  const n = hw1 & 0xf;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf;
  const exec: Exec = s
    ? (cpu) => { const r = shiftC(cpu.r[n], type, cpu.r[m] & 0xff, cpu.c ? 1 : 0); cpu.r[d] = r; cpu.setNZ(r); cpu.c = carryOut === 1; }
    : (cpu) => { cpu.r[d] = shift(cpu.r[n], type, cpu.r[m] & 0xff, 0); };
  return insn(fixRegisters(exec, d, n === 15 || m === 15, address), 1,
    () => `${mnemonic(['lsl', 'lsr', 'asr', 'ror'][type], s)} ${reg(d)}, ${reg(n)}, ${reg(m)}`);
}

function decodeMisc(hw1: number, hw2: number, address: number): Decoded {
  const op1 = (hw1 >>> 4) & 3;
  const op2 = (hw2 >>> 4) & 3;
  const d = (hw2 >>> 8) & 0xf;
  const m = hw2 & 0xf; // also in hw1[3:0]; a mismatch is UNPREDICTABLE and we use the second copy
  let exec: Exec;
  let name: string;
  // QADD/QDADD/QSUB/QDSUB and SEL: DSP, taken by the DSP decoder on ARMv7E-M.
  if (op1 === 0 || (op1 === 2 && op2 === 0)) return undef(hw1, hw2);
  if (op1 === 1) {
    switch (op2) {
      case 0: name = 'rev'; exec = (cpu) => { const v = cpu.r[m]; cpu.r[d] = (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24); }; break;
      case 1: name = 'rev16'; exec = (cpu) => { const v = cpu.r[m]; cpu.r[d] = ((v & 0x00ff00ff) << 8) | ((v >>> 8) & 0x00ff00ff); }; break;
      case 2: name = 'rbit'; exec = (cpu) => { cpu.r[d] = reverseBits(cpu.r[m]); }; break;
      default: name = 'revsh'; exec = (cpu) => { const v = cpu.r[m]; cpu.r[d] = (((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff); }; break;
    }
  } else if (op1 === 3 && op2 === 0) {
    name = 'clz';
    exec = (cpu) => { cpu.r[d] = Math.clz32(cpu.r[m]); };
  } else {
    return undef(hw1, hw2);
  }
  return insn(fixRegisters(exec, d, m === 15, address), 1, () => `${mnemonic(name, false)} ${reg(d)}, ${reg(m)}`);
}

function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}
