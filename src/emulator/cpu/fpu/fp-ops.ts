// Floating-point operations on single and double precision bit patterns, following the ARMv7-M ARM
// pseudocode (A2.5 "Floating-point data types and arithmetic": FPUnpack, FPProcessNaNs, FPAdd, FPMul,
// FPDiv, FPSqrt, FPMulAdd, FPCompare, FPToFixed, FixedToFP, FPConvert, FPRoundInt, FPMaxNum).
//
// Operands are unpacked into three module-level slots (no allocation per instruction); an operation
// leaves its outcome in `outcome` (a numeric value, a propagated NaN from a slot, or the default
// NaN), and pack32/pack64 turn that into bits for the destination format.

import {
  DOUBLE, Fpscr, type FpContext, type FpFormat, HALF, RoundingMode, SINGLE, errorOut, pow2, roundTo, scaleBy, trueExponent,
  twoProduct, twoSum,
} from './fp-round';

export const enum FpType { Zero = 0, Number = 1, Infinity = 2, QNaN = 3, SNaN = 4 }

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const w64 = new Uint32Array(f64.buffer); // [low word, high word] on little-endian hosts

export function f32FromBits(bits: number): number {
  u32[0] = bits;
  return f32[0];
}
/** Bits of a single-precision value (value must be exactly representable, or it is rounded RN). */
export function bitsFromF32(value: number): number {
  f32[0] = value;
  return u32[0];
}
export function f64FromWords(low: number, high: number): number {
  w64[0] = low;
  w64[1] = high;
  return f64[0];
}

// ---- operand slots ------------------------------------------------------------------------------

const slotType = new Int32Array(3);
const slotValue = new Float64Array(3);
/** Raw bits: single precision in slotHigh; double precision split high/low. */
const slotHigh = new Uint32Array(3);
const slotLow = new Uint32Array(3);

/** Outcome of the last operation: Numeric (value in outcomeValue), a slot number whose NaN is
 *  propagated (quietened), or DefaultNaN. */
export const enum Outcome { Numeric = -1, DefaultNaN = -2 }
let outcome: number = Outcome.Numeric;
let outcomeValue = 0;

export function rmodeOf(ctx: FpContext): RoundingMode {
  return (ctx.fpscr >>> Fpscr.RMODE_SHIFT) & 3;
}

/** FPUnpack for single precision into a slot (flushes a denormal input to zero when FZ: IDC). */
export function unpack32(slot: number, bits: number, ctx: FpContext): void {
  bits >>>= 0;
  slotHigh[slot] = bits;
  const exp = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  if (exp === 0) {
    if (frac === 0 || (ctx.fpscr & Fpscr.FZ) !== 0) {
      if (frac !== 0) ctx.fpscr |= Fpscr.IDC;
      slotType[slot] = FpType.Zero;
      slotValue[slot] = bits >>> 31 ? -0 : 0;
      return;
    }
  } else if (exp === 0xff) {
    if (frac === 0) {
      slotType[slot] = FpType.Infinity;
      slotValue[slot] = bits >>> 31 ? -Infinity : Infinity;
    } else {
      slotType[slot] = (frac & 0x400000) !== 0 ? FpType.QNaN : FpType.SNaN;
      slotValue[slot] = 0;
    }
    return;
  }
  slotType[slot] = FpType.Number;
  slotValue[slot] = f32FromBits(bits);
}

/** FPUnpack for double precision. */
export function unpack64(slot: number, low: number, high: number, ctx: FpContext): void {
  low >>>= 0;
  high >>>= 0;
  slotHigh[slot] = high;
  slotLow[slot] = low;
  const exp = (high >>> 20) & 0x7ff;
  const fracZero = (high & 0xfffff) === 0 && low === 0;
  if (exp === 0) {
    if (fracZero || (ctx.fpscr & Fpscr.FZ) !== 0) {
      if (!fracZero) ctx.fpscr |= Fpscr.IDC;
      slotType[slot] = FpType.Zero;
      slotValue[slot] = high >>> 31 ? -0 : 0;
      return;
    }
  } else if (exp === 0x7ff) {
    if (fracZero) {
      slotType[slot] = FpType.Infinity;
      slotValue[slot] = high >>> 31 ? -Infinity : Infinity;
    } else {
      slotType[slot] = (high & 0x80000) !== 0 ? FpType.QNaN : FpType.SNaN;
      slotValue[slot] = 0;
    }
    return;
  }
  slotType[slot] = FpType.Number;
  slotValue[slot] = f64FromWords(low, high);
}

/** Unpack a half-precision value (FZ never applies; with AHP exponent 31 is an ordinary number). */
export function unpack16(slot: number, bits: number, ahp: boolean): void {
  bits &= 0xffff;
  slotHigh[slot] = bits;
  const negative = (bits & 0x8000) !== 0;
  const exp = (bits >>> 10) & 0x1f;
  const frac = bits & 0x3ff;
  let value: number;
  if (exp === 0x1f && !ahp) {
    if (frac === 0) {
      slotType[slot] = FpType.Infinity;
      slotValue[slot] = negative ? -Infinity : Infinity;
    } else {
      slotType[slot] = (frac & 0x200) !== 0 ? FpType.QNaN : FpType.SNaN;
      slotValue[slot] = 0;
    }
    return;
  }
  if (exp === 0) value = frac * pow2(-24);
  else value = (1024 + frac) * pow2(exp - 25);
  slotType[slot] = value === 0 ? FpType.Zero : FpType.Number;
  slotValue[slot] = negative ? -value : value;
}

/** Negate a numeric slot's value (NaN slots keep their bits: FPSub propagates them unchanged). */
export function negateSlotValue(slot: number): void {
  if (slotType[slot] < FpType.QNaN) slotValue[slot] = -slotValue[slot];
}

export function slotTypeOf(slot: number): FpType {
  return slotType[slot];
}
export function slotValueOf(slot: number): number {
  return slotValue[slot];
}

function isNaNType(t: number): boolean {
  return t >= FpType.QNaN;
}

/** FPProcessNaNs over slots 0..count-1: signalling NaNs first (IOC), then quiet ones. */
function processNaNs(count: number, ctx: FpContext): boolean {
  for (let i = 0; i < count; i++) {
    if (slotType[i] === FpType.SNaN) {
      ctx.fpscr |= Fpscr.IOC;
      outcome = i;
      return true;
    }
  }
  for (let i = 0; i < count; i++) {
    if (slotType[i] === FpType.QNaN) {
      outcome = i;
      return true;
    }
  }
  return false;
}

function defaultNaN(ctx: FpContext): void {
  ctx.fpscr |= Fpscr.IOC;
  outcome = Outcome.DefaultNaN;
}

function numeric(value: number): void {
  outcome = Outcome.Numeric;
  outcomeValue = value;
}

/** The sign of an exact zero sum depends on the rounding mode (A2.5.x FPAdd). */
function exactZero(ctx: FpContext): number {
  return rmodeOf(ctx) === RoundingMode.RM ? -0 : 0;
}

function flushing(ctx: FpContext): boolean {
  return (ctx.fpscr & Fpscr.FZ) !== 0;
}

// ---- packing results ----------------------------------------------------------------------------

/** Bits of the last outcome as a single-precision value. */
export function pack32(ctx: FpContext): number {
  if (outcome === Outcome.Numeric) return bitsFromF32(outcomeValue);
  if (outcome === Outcome.DefaultNaN || (ctx.fpscr & Fpscr.DN) !== 0) return 0x7fc00000;
  return (slotHigh[outcome] | 0x400000) >>> 0;
}

/** High and low words of the last outcome as a double: high returned, low in packedLow. */
export let packedLow = 0;
export function pack64(ctx: FpContext): number {
  if (outcome === Outcome.Numeric) {
    f64[0] = outcomeValue;
    packedLow = w64[0];
    return w64[1];
  }
  if (outcome === Outcome.DefaultNaN || (ctx.fpscr & Fpscr.DN) !== 0) {
    packedLow = 0;
    return 0x7ff80000;
  }
  packedLow = slotLow[outcome];
  return (slotHigh[outcome] | 0x80000) >>> 0;
}

// ---- arithmetic ---------------------------------------------------------------------------------

/** FPAdd(slot0, slot1). */
export function fpAdd(fmt: FpFormat, ctx: FpContext): void {
  if (processNaNs(2, ctx)) return;
  const t1 = slotType[0];
  const t2 = slotType[1];
  const v1 = slotValue[0];
  const v2 = slotValue[1];
  if (t1 === FpType.Infinity && t2 === FpType.Infinity && v1 !== v2) return defaultNaN(ctx);
  if (t1 === FpType.Infinity) return numeric(v1);
  if (t2 === FpType.Infinity) return numeric(v2);
  if (t1 === FpType.Zero && t2 === FpType.Zero && Object.is(v1, v2)) return numeric(v1);
  let hi = twoSum(v1, v2);
  let lo = errorOut;
  let scaleExp = 0;
  if (!isFinite(hi) || lo !== lo) {
    // Only doubles can overflow here, in the sum or inside TwoSum (s - a for huge operands of
    // opposite signs); halving both operands is exact for such large values.
    hi = twoSum(v1 * 0.5, v2 * 0.5);
    lo = errorOut;
    scaleExp = 1;
  }
  if (hi === 0 && lo === 0) return numeric(exactZero(ctx));
  numeric(roundTo(fmt, hi, lo, ctx, rmodeOf(ctx), flushing(ctx), false, scaleExp));
}

/** FPMul(slot0, slot1). */
export function fpMul(fmt: FpFormat, ctx: FpContext): void {
  if (processNaNs(2, ctx)) return;
  const t1 = slotType[0];
  const t2 = slotType[1];
  const v1 = slotValue[0];
  const v2 = slotValue[1];
  if ((t1 === FpType.Infinity && t2 === FpType.Zero) || (t1 === FpType.Zero && t2 === FpType.Infinity)) return defaultNaN(ctx);
  if (t1 === FpType.Infinity || t2 === FpType.Infinity || t1 === FpType.Zero || t2 === FpType.Zero) return numeric(v1 * v2);
  if (fmt !== DOUBLE) {
    // A product of two singles has at most 48 significant bits and fits a double exactly.
    numeric(roundTo(fmt, v1 * v2, 0, ctx, rmodeOf(ctx), flushing(ctx)));
    return;
  }
  const e1 = trueExponent(v1);
  const e2 = trueExponent(v2);
  const hi = twoProduct(scaleBy(v1, -e1), scaleBy(v2, -e2));
  numeric(roundTo(fmt, hi, errorOut, ctx, rmodeOf(ctx), flushing(ctx), false, e1 + e2));
}

/** FPDiv(slot0, slot1). */
export function fpDiv(fmt: FpFormat, ctx: FpContext): void {
  if (processNaNs(2, ctx)) return;
  const t1 = slotType[0];
  const t2 = slotType[1];
  const v1 = slotValue[0];
  const v2 = slotValue[1];
  if ((t1 === FpType.Infinity && t2 === FpType.Infinity) || (t1 === FpType.Zero && t2 === FpType.Zero)) return defaultNaN(ctx);
  if (t1 === FpType.Infinity || t2 === FpType.Zero) {
    if (t1 !== FpType.Infinity) ctx.fpscr |= Fpscr.DZC;
    return numeric((v1 < 0 || Object.is(v1, -0)) !== (v2 < 0 || Object.is(v2, -0)) ? -Infinity : Infinity);
  }
  if (t1 === FpType.Zero || t2 === FpType.Infinity) {
    return numeric((v1 < 0 || Object.is(v1, -0)) !== (v2 < 0 || Object.is(v2, -0)) ? -0 : 0);
  }
  // Work on mantissas in [1, 2) so nothing underflows; the exponent goes to roundTo.
  const e1 = trueExponent(v1);
  const e2 = trueExponent(v2);
  const a = scaleBy(v1, -e1);
  const b = scaleBy(v2, -e2);
  const q = a / b;
  // The sign of the remainder a - q*b says on which side of q the exact quotient lies. It must be
  // exact when q is on or halfway between two representable values; q*b is then computed exactly.
  const p = twoProduct(q, b);
  const remainder = (a - p) - errorOut;
  const lo = remainder === 0 ? 0 : ((remainder < 0) !== (b < 0) ? -1 : 1) * Math.abs(q) * pow2(-80);
  numeric(roundTo(fmt, q, lo, ctx, rmodeOf(ctx), flushing(ctx), false, e1 - e2));
}

/** FPSqrt(slot0). */
export function fpSqrt(fmt: FpFormat, ctx: FpContext): void {
  if (processNaNs(1, ctx)) return;
  const t = slotType[0];
  const v = slotValue[0];
  if (t === FpType.Zero) return numeric(v);
  if (v < 0) return defaultNaN(ctx);
  if (t === FpType.Infinity) return numeric(v);
  let e = trueExponent(v);
  if ((e & 1) !== 0) e -= 1;
  const m = scaleBy(v, -e); // in [1, 4); 2^-e alone overflows for subnormal v
  const s = Math.sqrt(m);
  const p = twoProduct(s, s);
  const remainder = (m - p) - errorOut;
  const lo = remainder === 0 ? 0 : (remainder < 0 ? -1 : 1) * s * pow2(-80);
  numeric(roundTo(fmt, s, lo, ctx, rmodeOf(ctx), flushing(ctx), false, e / 2));
}

/** FPMulAdd(addend = slot0, slot1, slot2): fused, a single rounding. */
export function fpMulAdd(fmt: FpFormat, ctx: FpContext): void {
  const tA = slotType[0];
  const t1 = slotType[1];
  const t2 = slotType[2];
  const inf1 = t1 === FpType.Infinity;
  const inf2 = t2 === FpType.Infinity;
  const zero1 = t1 === FpType.Zero;
  const zero2 = t2 === FpType.Zero;
  const invalidProduct = (inf1 && zero2) || (zero1 && inf2);
  if (processNaNs(3, ctx)) {
    // A quiet NaN addend does not hide the Invalid Operation of 0 * inf.
    if (tA === FpType.QNaN && invalidProduct) defaultNaN(ctx);
    return;
  }
  const vA = slotValue[0];
  const v1 = slotValue[1];
  const v2 = slotValue[2];
  const signA = vA < 0 || Object.is(vA, -0);
  const signP = (v1 < 0 || Object.is(v1, -0)) !== (v2 < 0 || Object.is(v2, -0));
  const infA = tA === FpType.Infinity;
  const infP = inf1 || inf2;
  if (invalidProduct || (infA && infP && signA !== signP)) return defaultNaN(ctx);
  if ((infA && !signA) || (infP && !signP)) return numeric(Infinity);
  if ((infA && signA) || (infP && signP)) return numeric(-Infinity);
  const zeroA = tA === FpType.Zero;
  const zeroP = zero1 || zero2;
  if (zeroA && zeroP && signA === signP) return numeric(vA);
  if (fmt !== DOUBLE) {
    // The single-precision product is exact in a double; TwoSum then gives the exact sum.
    const hi = twoSum(vA, v1 * v2);
    const lo = errorOut;
    if (hi === 0 && lo === 0) return numeric(exactZero(ctx));
    numeric(roundTo(fmt, hi, lo, ctx, rmodeOf(ctx), flushing(ctx)));
    return;
  }
  if (zeroP) return numeric(zeroA ? exactZero(ctx) : vA);
  mulAddDoubleExact(zeroA ? 0 : vA, v1, v2, ctx);
}

// Double-precision fused multiply-add needs more than two doubles of precision: do it exactly with
// integers (rare: only FPv5 double-precision cores execute it).
function decompose(x: number): [bigint, number] {
  const e = trueExponent(x) - 52;
  return [BigInt(scaleBy(x, -e)), e]; // x = integer of 53 bits * 2^e
}

function mulAddDoubleExact(a: number, b: number, c: number, ctx: FpContext): void {
  let exactMant: bigint;
  let exactExp: number;
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const productMant = mb * mc;
  const productExp = eb + ec;
  if (a === 0) {
    exactMant = productMant;
    exactExp = productExp;
  } else {
    const [ma, ea] = decompose(a);
    const base = Math.min(ea, productExp);
    exactMant = (ma << BigInt(ea - base)) + (productMant << BigInt(productExp - base));
    exactExp = base;
  }
  if (exactMant === 0n) return numeric(exactZero(ctx));
  const negative = exactMant < 0n;
  let mag = negative ? -exactMant : exactMant;
  // Keep 64 bits plus a sticky bit so that converting to a double rounds correctly, and remember
  // the sign of what that conversion dropped.
  const bits = mag.toString(2).length;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const sticky = (mag & ((1n << shift) - 1n)) !== 0n ? 1n : 0n;
    mag = ((mag >> shift) << 1n) | sticky;
    exactExp += bits - 64 - 1;
  }
  const hiMant = Number(mag); // round to nearest even of a 65-bit integer: correct with the sticky bit
  const hiBig = BigInt(hiMant);
  const lo = hiBig === mag ? 0 : hiBig > mag ? -1 : 1;
  const hi = negative ? -hiMant : hiMant;
  const loSigned = (negative ? -lo : lo) * hiMant * pow2(-80);
  numeric(roundTo(DOUBLE, hi, loSigned, ctx, rmodeOf(ctx), flushing(ctx), false, exactExp));
}

/** FPCompare(slot0, slot1): returns NZCV in bits 31:28. */
export function fpCompare(quietNaNExc: boolean, ctx: FpContext): number {
  const t1 = slotType[0];
  const t2 = slotType[1];
  if (isNaNType(t1) || isNaNType(t2)) {
    if (t1 === FpType.SNaN || t2 === FpType.SNaN || quietNaNExc) ctx.fpscr |= Fpscr.IOC;
    return 0x30000000;
  }
  const v1 = slotValue[0];
  const v2 = slotValue[1];
  if (v1 === v2) return 0x60000000;
  return v1 < v2 ? 0x80000000 : 0x20000000;
}

/** FPMaxNum / FPMinNum (IEEE 754-2008 maxNum: a single quiet NaN loses to a number). */
export function fpMaxMinNum(max: boolean, ctx: FpContext): void {
  const t1 = slotType[0];
  const t2 = slotType[1];
  if (t1 === FpType.QNaN && t2 !== FpType.QNaN) {
    slotType[0] = FpType.Infinity;
    slotValue[0] = max ? -Infinity : Infinity;
  } else if (t1 !== FpType.QNaN && t2 === FpType.QNaN) {
    slotType[1] = FpType.Infinity;
    slotValue[1] = max ? -Infinity : Infinity;
  }
  if (processNaNs(2, ctx)) return;
  const v1 = slotValue[0];
  const v2 = slotValue[1];
  if (v1 === 0 && v2 === 0) {
    const n1 = Object.is(v1, -0);
    const n2 = Object.is(v2, -0);
    return numeric((max ? n1 && n2 : n1 || n2) ? -0 : 0);
  }
  numeric(max ? (v1 > v2 ? v1 : v2) : (v1 < v2 ? v1 : v2));
}

/** Round an integral-or-not value to an integer under a mode; sets `roundedInexact`. Works from
 *  the truncation: v - trunc(v) is exact, where v - floor(v) is not for negative v just above -1/2
 *  (-0.49999999999999994 + 1 rounds to a tie). */
let roundedInexact = false;
function roundToInteger(v: number, mode: RoundingMode): number {
  const truncated = Math.trunc(v);
  const diff = v - truncated;
  roundedInexact = diff !== 0;
  if (diff === 0) return truncated;
  const negative = v < 0;
  const part = negative ? -diff : diff;
  let away: boolean;
  switch (mode) {
    case RoundingMode.RN: away = part > 0.5 || (part === 0.5 && truncated % 2 !== 0); break;
    case RoundingMode.RA: away = part >= 0.5; break;
    case RoundingMode.RP: away = !negative; break;
    case RoundingMode.RM: away = negative; break;
    default: away = false; break;
  }
  return away ? truncated + (negative ? -1 : 1) : truncated;
}

/** FPRoundInt(slot0): VRINT*; `exact` raises IXC when the value changes (VRINTX). */
export function fpRoundInt(mode: RoundingMode, exact: boolean, ctx: FpContext): void {
  if (processNaNs(1, ctx)) return;
  const t = slotType[0];
  const v = slotValue[0];
  if (t !== FpType.Number) return numeric(v);
  let r = roundToInteger(v, mode);
  if (r === 0 && v < 0) r = -0;
  if (exact && roundedInexact) ctx.fpscr |= Fpscr.IXC;
  numeric(r);
}

/** FPToFixed(slot0): returns the saturated integer (as a uint32 bit pattern). size is 16 or 32. */
export function fpToFixed(size: number, fractionBits: number, unsigned: boolean, mode: RoundingMode, ctx: FpContext): number {
  const t = slotType[0];
  let value: number;
  if (isNaNType(t)) {
    ctx.fpscr |= Fpscr.IOC;
    return 0;
  }
  value = slotValue[0] * pow2(fractionBits);
  const r = roundToInteger(value, mode);
  const inexact = roundedInexact;
  const max = unsigned ? pow2(size) - 1 : pow2(size - 1) - 1;
  const min = unsigned ? 0 : -pow2(size - 1);
  if (r > max || r < min || t === FpType.Infinity) {
    ctx.fpscr |= Fpscr.IOC;
    value = r > max || (t === FpType.Infinity && slotValue[0] > 0) ? max : min;
  } else {
    if (inexact) ctx.fpscr |= Fpscr.IXC;
    value = r;
  }
  if (size === 16) return unsigned ? value & 0xffff : (value << 16 >> 16) >>> 0;
  return value >>> 0;
}

/** FixedToFP: an integer (already sign- or zero-extended, as a JS number) scaled by 2^-fractionBits. */
export function fixedToFp(integer: number, fractionBits: number, fmt: FpFormat, mode: RoundingMode, ctx: FpContext): void {
  const value = integer * pow2(-fractionBits);
  if (value === 0) return numeric(0);
  numeric(roundTo(fmt, value, 0, ctx, mode, flushing(ctx)));
}

/** Round slot0's (finite, nonzero) value into another format; NaNs/inf/zero handled by callers. */
export function fpConvertValue(fmt: FpFormat, ctx: FpContext): void {
  const v = slotValue[0];
  if (slotType[0] !== FpType.Number) return numeric(v);
  const ahp = fmt === HALF && (ctx.fpscr & Fpscr.AHP) !== 0;
  numeric(roundTo(fmt, v, 0, ctx, rmodeOf(ctx), fmt !== HALF && flushing(ctx), ahp));
}

/** FPConvert single → half (VCVTB/VCVTT): returns the 16-bit pattern. */
export function convert32To16(bits: number, ctx: FpContext): number {
  unpack32(0, bits, ctx);
  return convertSlotToHalf(ctx, (bits >>> 31) !== 0, (bits >>> 13) & 0x3ff);
}

/** FPConvert double → half (FPv5). */
export function convert64To16(low: number, high: number, ctx: FpContext): number {
  unpack64(0, low, high, ctx);
  return convertSlotToHalf(ctx, (high >>> 31) !== 0, (high >>> 10) & 0x3ff);
}

function convertSlotToHalf(ctx: FpContext, negative: boolean, nanPayload: number): number {
  const t = slotType[0];
  const sign = negative ? 0x8000 : 0;
  const ahp = (ctx.fpscr & Fpscr.AHP) !== 0;
  if (isNaNType(t)) {
    let result: number;
    if (ahp) {
      // No NaNs in the alternative format: a zero of the NaN's sign, Invalid Operation.
      result = sign;
      ctx.fpscr |= Fpscr.IOC;
    } else if ((ctx.fpscr & Fpscr.DN) !== 0) {
      result = 0x7e00;
    } else {
      result = sign | 0x7e00 | nanPayload;
    }
    if (t === FpType.SNaN) ctx.fpscr |= Fpscr.IOC;
    return result;
  }
  if (t === FpType.Infinity) {
    if (ahp) {
      ctx.fpscr |= Fpscr.IOC;
      return sign | 0x7fff;
    }
    return sign | 0x7c00;
  }
  if (t === FpType.Zero) return sign;
  fpConvertValue(HALF, ctx);
  return encodeHalf(outcomeValue);
}

/** Bits of a value exactly representable in (possibly alternative) half precision. */
function encodeHalf(value: number): number {
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const mag = Math.abs(value);
  if (mag === 0) return sign;
  if (mag === Infinity) return sign | 0x7c00;
  const e = trueExponent(mag);
  if (e < -14) return sign | (mag * pow2(24));
  return sign | ((e + 15) << 10) | ((mag * pow2(-e) - 1) * 1024);
}

/** FPConvert half → single. */
export function convert16To32(half: number, ctx: FpContext): number {
  unpack16(0, half, (ctx.fpscr & Fpscr.AHP) !== 0);
  const t = slotType[0];
  if (isNaNType(t)) {
    if (t === FpType.SNaN) ctx.fpscr |= Fpscr.IOC;
    if ((ctx.fpscr & Fpscr.DN) !== 0) return 0x7fc00000;
    return ((half & 0x8000) << 16 | 0x7fc00000 | ((half & 0x1ff) << 13)) >>> 0;
  }
  return bitsFromF32(slotValue[0]);
}

/** FPConvert half → double: high word returned, low word in packedLow. */
export function convert16To64(half: number, ctx: FpContext): number {
  unpack16(0, half, (ctx.fpscr & Fpscr.AHP) !== 0);
  const t = slotType[0];
  if (isNaNType(t)) {
    if (t === FpType.SNaN) ctx.fpscr |= Fpscr.IOC;
    packedLow = 0;
    if ((ctx.fpscr & Fpscr.DN) !== 0) return 0x7ff80000;
    return ((half & 0x8000) << 16 | 0x7ff80000 | ((half & 0x1ff) << 10)) >>> 0;
  }
  numeric(slotValue[0]);
  return pack64(ctx);
}

/** FPConvert single → double: high word returned, low in packedLow. */
export function convert32To64(bits: number, ctx: FpContext): number {
  unpack32(0, bits, ctx);
  const t = slotType[0];
  if (isNaNType(t)) {
    if (t === FpType.SNaN) ctx.fpscr |= Fpscr.IOC;
    if ((ctx.fpscr & Fpscr.DN) !== 0) {
      packedLow = 0;
      return 0x7ff80000;
    }
    packedLow = (bits << 29) >>> 0;
    return ((bits & 0x80000000) | 0x7ff80000 | ((bits >>> 3) & 0x7ffff)) >>> 0;
  }
  numeric(slotValue[0]);
  return pack64(ctx);
}

/** FPConvert double → single. */
export function convert64To32(low: number, high: number, ctx: FpContext): number {
  unpack64(0, low, high, ctx);
  const t = slotType[0];
  if (isNaNType(t)) {
    if (t === FpType.SNaN) ctx.fpscr |= Fpscr.IOC;
    if ((ctx.fpscr & Fpscr.DN) !== 0) return 0x7fc00000;
    return ((high & 0x80000000) | 0x7fc00000 | ((high & 0x7ffff) << 3) | (low >>> 29)) >>> 0;
  }
  fpConvertValue(SINGLE, ctx);
  return bitsFromF32(outcomeValue);
}
