// unicorn's own departures from the ARMv7-M ARM for DSP/FP instructions, each documented in
// KNOWN-DEVIATIONS.md ("DSP and floating point" section). A mismatch that one of these predicates
// explains is not counted as ours.
import type { Case, Outcome } from './fpdsp-harness';

/** VLDR/VSTR/VLDM/VSTM/VPUSH/VPOP use MemA (A7.7): an unaligned address is an UNALIGNED
 *  UsageFault whatever CCR.UNALIGN_TRP says; unicorn performs the access. */
function unalignedFpTransfer(asm: string, ours: Outcome, theirs: Outcome): boolean {
  return /^v(ldr|str|ldm|stm|push|pop)/.test(asm) && ours.fault && !theirs.fault;
}

/** VCVT from fixed point to floating point rounds to nearest even whatever FPSCR.RMode says
 *  (FixedToFP(..., FPRounding_TIEEVEN)); unicorn rounds per FPSCR.RMode. */
function fixedToFloatRounding(c: Case, asm: string): boolean {
  return /^vcvt\.f32\.[su](16|32) .*#\d+$/.test(asm) && ((c.fpscr >>> 22) & 3) !== 0;
}

export function isKnownDeviation(c: Case, asm: string, ours: Outcome, theirs: Outcome): boolean {
  return unalignedFpTransfer(asm, ours, theirs) || fixedToFloatRounding(c, asm);
}
