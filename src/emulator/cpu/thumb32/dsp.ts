// Slots for the ARMv7E-M DSP extension inside the 32-bit Thumb encoding space (A5.3: parallel
// add/subtract, saturating arithmetic, SMLAxy and friends, PKH, SEL, SSAT16/USAT16, the extend-and-add
// forms). The decoders call these for every DSP encoding so the extension can be added here without
// touching them; until then each one is UNDEFINED, which is also the right answer on ARMv7-M.

import type { Decoded } from '../decoded';
import type { Profile } from '../cpu';
import { undef } from './common';

function notYet(hw1: number, hw2: number, profile: Profile, what: string): Decoded {
  return undef(hw1, hw2, profile === 'v7em' ? `DSP instruction not implemented: ${what}` : `${what} needs the DSP extension`);
}

/** PKHBT/PKHTB (data processing, shifted register, op 0110). */
export function decodePackHalfword(hw1: number, hw2: number, _address: number, profile: Profile): Decoded {
  return notYet(hw1, hw2, profile, 'PKHBT/PKHTB');
}

/** SSAT16/USAT16 (plain binary immediate with a zero shift). */
export function decodeSaturate16(hw1: number, hw2: number, _address: number, profile: Profile): Decoded {
  return notYet(hw1, hw2, profile, 'SSAT16/USAT16');
}

/** SXTAH/UXTAH/SXTAB/UXTAB, SXTB16/UXTB16/SXTAB16/UXTAB16 (data processing, register). */
export function decodeExtendAdd(hw1: number, hw2: number, _address: number, profile: Profile): Decoded {
  return notYet(hw1, hw2, profile, 'extend and add');
}

/** Parallel addition and subtraction, signed and unsigned (A5.3.14/A5.3.15 of the DSP tables). */
export function decodeParallelAddSub(hw1: number, hw2: number, _address: number, profile: Profile): Decoded {
  return notYet(hw1, hw2, profile, 'parallel add/subtract');
}

/** QADD/QDADD/QSUB/QDSUB and SEL (miscellaneous operations). */
export function decodeSaturatingMisc(hw1: number, hw2: number, _address: number, profile: Profile): Decoded {
  return notYet(hw1, hw2, profile, 'QADD/QSUB/SEL');
}

/** SMLA<x><y>, SMUL<x><y>, SMLAD, SMUAD, SMLAW, SMULW, SMLSD, SMUSD, SMMLA, SMMLS, SMMUL, USAD8, USADA8. */
export function decodeDspMultiply(hw1: number, hw2: number, _address: number, profile: Profile): Decoded {
  return notYet(hw1, hw2, profile, 'DSP multiply');
}

/** SMLAL<x><y>, SMLALD, SMLSLD, UMAAL. */
export function decodeDspLongMultiply(hw1: number, hw2: number, _address: number, profile: Profile): Decoded {
  return notYet(hw1, hw2, profile, 'DSP long multiply');
}
