// Pseudocode helpers from the ARMv7-M ARM (A2.2 "Pseudocode details of operations on integers and
// floating-point values", A5.3.2 "Modified immediate constants", A7.4.2 "Shift and rotate operations").
// Carry/overflow results are returned through module-level slots so that no object is allocated per
// instruction; read them immediately after the call.

/** Carry out of the last addWithCarry / shift-with-carry call (0 or 1). */
export let carryOut = 0;
/** Signed overflow of the last addWithCarry call (0 or 1). */
export let overflowOut = 0;

/** AddWithCarry(x, y, carry_in): returns the 32-bit result; sets carryOut and overflowOut. */
export function addWithCarry(x: number, y: number, carryIn: number): number {
  const ux = x >>> 0;
  const uy = y >>> 0;
  const unsignedSum = ux + uy + carryIn;
  const result = unsignedSum >>> 0;
  carryOut = unsignedSum > 0xffffffff ? 1 : 0;
  const signedSum = (ux | 0) + (uy | 0) + carryIn;
  overflowOut = (result | 0) === signedSum ? 0 : 1;
  return result;
}

export const enum SRType { LSL = 0, LSR = 1, ASR = 2, ROR = 3, RRX = 4 }

/** DecodeImmShift(type, imm5) → [SRType, amount] packed as type | (amount << 8). */
export function decodeImmShift(type: number, imm5: number): number {
  switch (type & 3) {
    case 0: return SRType.LSL | (imm5 << 8);
    case 1: return SRType.LSR | ((imm5 === 0 ? 32 : imm5) << 8);
    case 2: return SRType.ASR | ((imm5 === 0 ? 32 : imm5) << 8);
    default: return imm5 === 0 ? SRType.RRX | (1 << 8) : SRType.ROR | (imm5 << 8);
  }
}

/**
 * Shift_C(value, type, amount, carry_in): returns the shifted value, sets carryOut.
 * amount may be 0..255 (register-specified shifts use the bottom byte of Rm).
 */
export function shiftC(value: number, type: SRType, amount: number, carryIn: number): number {
  value >>>= 0;
  if (amount === 0 && type !== SRType.RRX) {
    carryOut = carryIn;
    return value;
  }
  switch (type) {
    case SRType.LSL:
      if (amount < 32) { carryOut = (value >>> (32 - amount)) & 1; return (value << amount) >>> 0; }
      carryOut = amount === 32 ? value & 1 : 0;
      return 0;
    case SRType.LSR:
      if (amount < 32) { carryOut = (value >>> (amount - 1)) & 1; return value >>> amount; }
      carryOut = amount === 32 ? value >>> 31 : 0;
      return 0;
    case SRType.ASR:
      if (amount < 32) { carryOut = (value >>> (amount - 1)) & 1; return (value >> amount) >>> 0; }
      carryOut = value >>> 31;
      return carryOut ? 0xffffffff : 0;
    case SRType.ROR: {
      const m = amount & 31;
      const result = m === 0 ? value : ((value >>> m) | (value << (32 - m))) >>> 0;
      carryOut = result >>> 31;
      return result;
    }
    case SRType.RRX:
      carryOut = value & 1;
      return ((carryIn << 31) | (value >>> 1)) >>> 0;
  }
  return value;
}

/** Shift(value, type, amount, carry_in) without caring about the carry. */
export function shift(value: number, type: SRType, amount: number, carryIn: number): number {
  return shiftC(value, type, amount, carryIn);
}

/**
 * ThumbExpandImm_C(imm12, carry_in): returns the expanded constant and sets carryOut.
 * Returns -1 for the UNPREDICTABLE encodings (imm8 == 0 with a replicated pattern is fine; the
 * only unpredictable case is a rotation of an imm8 whose top bit... none, so -1 is never returned).
 */
export function thumbExpandImmC(imm12: number, carryIn: number): number {
  if ((imm12 >>> 10) === 0) {
    const imm8 = imm12 & 0xff;
    carryOut = carryIn;
    switch ((imm12 >>> 8) & 3) {
      case 0: return imm8;
      case 1: return ((imm8 << 16) | imm8) >>> 0;
      case 2: return ((imm8 << 24) | (imm8 << 8)) >>> 0;
      default: return ((imm8 << 24) | (imm8 << 16) | (imm8 << 8) | imm8) >>> 0;
    }
  }
  const unrotated = 0x80 | (imm12 & 0x7f);
  const rot = (imm12 >>> 7) & 0x1f;
  const result = ((unrotated >>> rot) | (unrotated << (32 - rot))) >>> 0;
  carryOut = result >>> 31;
  return result;
}

/** ThumbExpandImm(imm12): the constant only. */
export function thumbExpandImm(imm12: number): number {
  return thumbExpandImmC(imm12, 0);
}

/** Sign-extend the low `bits` bits of value. */
export function signExtend(value: number, bits: number): number {
  const s = 32 - bits;
  return (value << s) >> s;
}
