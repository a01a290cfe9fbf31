// Correct rounding of an exact real to a binary floating-point format under any FPSCR rounding mode,
// with the FPSCR side effects of the ARMv7-M ARM FPRound() pseudocode (A2.5.x "FP rounding"):
// flush-to-zero of tiny results, underflow detected before rounding, overflow after rounding, inexact.
//
// The exact value is handed over as hi + lo where hi is the double nearest to it (JS arithmetic is
// round-to-nearest-even on doubles) and lo carries the remainder: its sign must be exact, its
// magnitude only has to be exact when hi could sit on a rounding midpoint of the target format
// (callers derive lo from error-free transforms: TwoSum, Veltkamp products or an exact residual).
// Every single-precision operation's exact result has this form, so single precision is correctly
// rounded in every mode without big-number arithmetic and without allocating.

/** FPSCR fields (ARMv7-M ARM A2.5.3). */
export const enum Fpscr {
  IOC = 1 << 0,
  DZC = 1 << 1,
  OFC = 1 << 2,
  UFC = 1 << 3,
  IXC = 1 << 4,
  IDC = 1 << 7,
  FZ = 1 << 24,
  DN = 1 << 25,
  AHP = 1 << 26,
  RMODE_SHIFT = 22,
  /** Bits software can write on an FPv4-SP / FPv5 M-profile FPU. */
  WRITABLE = 0xf7c0009f,
}

export const enum RoundingMode { RN = 0, RP = 1, RM = 2, RZ = 3, /** ties away (VRINTA/VCVTA) */ RA = 4 }

/** Anything holding an FPSCR (the Cpu). Operations read the mode and OR in exception bits. */
export interface FpContext {
  fpscr: number;
}

/** A binary interchange format: exponent bits E and fraction bits F. */
export interface FpFormat {
  readonly e: number;
  readonly f: number;
  /** The smallest normal exponent, 2 - 2^(E-1). */
  readonly minExp: number;
  /** The exponent of the largest normal, 2^(E-1) - 1. */
  readonly maxExp: number;
}

function format(e: number, f: number): FpFormat {
  return { e, f, minExp: 2 - (1 << (e - 1)), maxExp: (1 << (e - 1)) - 1 };
}
export const HALF = format(5, 10);
export const SINGLE = format(8, 23);
export const DOUBLE = format(11, 52);

const f64 = new Float64Array(1);
const u64 = new Uint32Array(f64.buffer);

/** 2^n for n in [-1074, 1023], built from bit patterns so every entry is exact. */
const POW2_BIAS = 1074;
const POW2 = new Float64Array(1074 + 1024);
for (let n = -1074; n <= 1023; n++) {
  if (n >= -1022) {
    u64[1] = (n + 1023) << 20;
    u64[0] = 0;
  } else if (n >= -1042) {
    u64[1] = 1 << (n + 1042);
    u64[0] = 0;
  } else {
    u64[1] = 0;
    u64[0] = 1 << (n + 1074);
  }
  POW2[n + POW2_BIAS] = f64[0];
}

/** Exact 2^n for any integer n (products of table entries are exact while in range). */
export function pow2(n: number): number {
  if (n >= -1074 && n <= 1023) return POW2[n + POW2_BIAS];
  return n > 0 ? POW2[1023 + POW2_BIAS] * pow2(n - 1023) : POW2[-1022 + POW2_BIAS] * pow2(n + 1022);
}

/** x * 2^n without overflowing the intermediate power (n up to 1074 + 600): exact whenever the
 *  result is a normal double, e.g. when normalising a subnormal operand by 2^1074. */
export function scaleBy(x: number, n: number): number {
  if (n > 1000) return x * pow2(n - 600) * pow2(600);
  if (n < -1000) return x * pow2(n + 600) * pow2(-600);
  return x * pow2(n);
}

/** floor(log2(|x|)) for finite non-zero x, subnormals included. */
export function trueExponent(x: number): number {
  const e = exponentOf(x);
  return e === -1023 ? exponentOf(x * pow2(64)) - 64 : e;
}

/** floor(log2(|x|)) for finite non-zero x (subnormal doubles all report -1023: only "below the
 *  double normal range" matters to the callers). */
export function exponentOf(x: number): number {
  f64[0] = x;
  const biased = (u64[1] >>> 20) & 0x7ff;
  return biased === 0 ? -1023 : biased - 1023;
}

function isPowerOfTwo(mag: number): boolean {
  f64[0] = mag;
  return (u64[1] & 0xfffff) === 0 && u64[0] === 0 && ((u64[1] >>> 20) & 0x7ff) !== 0;
}

/**
 * FPRound(hi + lo) into fmt under `mode` (RN/RP/RM/RZ, or RA for ties-away), returning the rounded
 * value as a JS number (exactly representable in fmt: ±0, ±inf, max-normal on directed overflow).
 * `ahp`: the alternative half-precision format (no infinities: overflow saturates with IOC).
 * `flushToZero` applies FPSCR.FZ (never to half precision).
 */
export function roundTo(
  fmt: FpFormat, hi: number, lo: number, ctx: FpContext, mode: RoundingMode, flushToZero: boolean, ahp = false,
  /** The exact value is (hi + lo) * 2^scaleExp (lets double operations keep hi in range). */
  scaleExp = 0,
): number {
  const negative = hi < 0;
  if (hi !== hi) return hi;
  if (hi === Infinity || hi === -Infinity) {
    // Only reachable from double-precision operands whose exact result is beyond the double range.
    return overflowed(fmt, negative, ctx, mode, ahp);
  }
  const mag = negative ? -hi : hi;
  const loMag = negative ? -lo : lo;
  let exponent = exponentOf(mag) + scaleExp;
  if (loMag < 0 && isPowerOfTwo(mag)) exponent -= 1; // the exact value sits just below 2^exponent
  if (flushToZero && exponent < fmt.minExp) {
    // FZ: a tiny result becomes a signed zero with UFC (and no IXC) — A2.5.3 "Flush-to-zero".
    ctx.fpscr |= Fpscr.UFC;
    return negative ? -0 : 0;
  }
  const ulpExp = (exponent < fmt.minExp ? fmt.minExp : exponent) - fmt.f;
  const scaled = scaleBy(mag, scaleExp - ulpExp);
  let truncated = Math.floor(scaled);
  // fraction: the exact value's distance above `truncated`, in target ulps (only compared to 1/2)
  let fraction = scaled - truncated;
  let tie = 0; // sign of the part of the fraction that lies beyond `fraction` when it is exactly 1/2
  if (fraction === 0) {
    if (loMag > 0) {
      fraction = scaleBy(loMag, scaleExp - ulpExp);
      if (fraction === 0) fraction = Number.MIN_VALUE; // nonzero sticky bit
    } else if (loMag < 0) {
      truncated -= 1;
      const below = scaleBy(loMag, scaleExp - ulpExp); // in (-1, 0)
      fraction = 1 + below;
      if (fraction === 1) fraction = 1 - Number.EPSILON;
      else if (fraction === 0.5) {
        // 1 + below may have rounded onto the midpoint; 0.5 + below is exact (Sterbenz) and
        // says on which side of it the exact value lies.
        const beyond = 0.5 + below;
        tie = beyond > 0 ? 1 : beyond < 0 ? -1 : 0;
      }
    }
  } else if (fraction === 0.5) {
    tie = loMag > 0 ? 1 : loMag < 0 ? -1 : 0;
  }
  const inexact = fraction !== 0;
  let up: boolean;
  switch (mode) {
    case RoundingMode.RN:
      up = fraction > 0.5 || (fraction === 0.5 && (tie > 0 || (tie === 0 && truncated % 2 === 1)));
      break;
    case RoundingMode.RA:
      up = fraction > 0.5 || (fraction === 0.5 && tie >= 0);
      break;
    case RoundingMode.RP: up = inexact && !negative; break;
    case RoundingMode.RM: up = inexact && negative; break;
    default: up = false;
  }
  // Underflow: tiny before rounding and inexact (FPRound: biased_exp == 0 && error != 0).
  if (inexact && exponent < fmt.minExp) ctx.fpscr |= Fpscr.UFC;
  const resultMag = (up ? truncated + 1 : truncated) * pow2(ulpExp);
  const limit = pow2(fmt.maxExp + (ahp ? 2 : 1));
  if (resultMag >= limit) return overflowed(fmt, negative, ctx, mode, ahp);
  if (inexact) ctx.fpscr |= Fpscr.IXC;
  return negative ? -resultMag : resultMag;
}

function overflowed(fmt: FpFormat, negative: boolean, ctx: FpContext, mode: RoundingMode, ahp: boolean): number {
  if (ahp) {
    // Alternative half precision has no infinity: saturate and signal Invalid, not Inexact.
    ctx.fpscr |= Fpscr.IOC;
    const max = (2 - pow2(-fmt.f)) * pow2(fmt.maxExp + 1);
    return negative ? -max : max;
  }
  ctx.fpscr |= Fpscr.OFC | Fpscr.IXC;
  const toInfinity = mode === RoundingMode.RN || mode === RoundingMode.RA ||
    (mode === RoundingMode.RP && !negative) || (mode === RoundingMode.RM && negative);
  const mag = toInfinity ? Infinity : (2 - pow2(-fmt.f)) * pow2(fmt.maxExp);
  return negative ? -mag : mag;
}

// ---- error-free transforms on doubles ----------------------------------------------------------

/** The rounding error of the last twoSum / twoProduct (exact when nothing over/underflows). */
export let errorOut = 0;

/** hi = fl(a + b), errorOut = (a + b) - hi exactly (Knuth's TwoSum). */
export function twoSum(a: number, b: number): number {
  const s = a + b;
  const bb = s - a;
  errorOut = (a - (s - bb)) + (b - bb);
  return s;
}

const SPLITTER = 134217729; // 2^27 + 1

/** hi = fl(a * b), errorOut = a * b - hi exactly (Dekker's product with Veltkamp splitting). */
export function twoProduct(a: number, b: number): number {
  const p = a * b;
  if (!isFinite(p) || Math.abs(a) > 1e300 || Math.abs(b) > 1e300) {
    errorOut = 0;
    return p;
  }
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  errorOut = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return p;
}
