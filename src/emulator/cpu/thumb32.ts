// 32-bit Thumb-2 instructions: the top-level split of the encoding space (ARMv7-M ARM A5.3,
// ARMv6-M ARM A5.3). Each family has its own file under thumb32/. On ARMv7E-M the DSP extension
// (dsp.ts) and the FPU (fpu/vfp-decode.ts) decode first; elsewhere their encodings are UNDEFINED,
// and what those decoders decline falls to the base decoders, which make it UNDEFINED too.

import type { Decoded } from './decoded';
import type { Profile } from './cpu';
import { undef } from './thumb32/common';
import { decodeModifiedImmediate, decodePlainImmediate, decodeRegister, decodeShiftedRegister } from './thumb32/dataprocessing';
import { decodeBranchMisc } from './thumb32/branchmisc';
import { decodeLoadStoreSingle } from './thumb32/loadstore';
import { decodeDualExclusiveTable, decodeLoadStoreMultiple } from './thumb32/loadstoremultiple';
import { decodeLongMultiply, decodeMultiply } from './thumb32/multiply';
import { decodeDsp32 } from './dsp';
import { decodeFp32 } from './fpu/vfp-decode';

export function decodeThumb32(hw1: number, hw2: number, address: number, profile: Profile): Decoded {
  const op1 = (hw1 >>> 11) & 3;
  const op2 = (hw1 >>> 4) & 0x7f;
  const op = hw2 >>> 15;

  if (profile === 'v7em') {
    // DSP extension and FPU (CP10/CP11) encodings: see dsp.ts and fpu/vfp-decode.ts.
    const extension = decodeDsp32(hw1, hw2, address, profile) ?? decodeFp32(hw1, hw2, address, profile);
    if (extension !== null) return extension;
  }

  if (profile === 'v6m') {
    // ARMv6-M has only the branch-and-miscellaneous-control group (BL, MSR, MRS, barriers, UDF.W).
    if (op1 === 2 && op === 1) return decodeBranchMisc(hw1, hw2, address, profile);
    return undef(hw1, hw2);
  }

  switch (op1) {
    case 1:
      if ((op2 & 0x64) === 0x00) return decodeLoadStoreMultiple(hw1, hw2, address, profile);
      if ((op2 & 0x64) === 0x04) return decodeDualExclusiveTable(hw1, hw2, address, profile);
      if ((op2 & 0x60) === 0x20) return decodeShiftedRegister(hw1, hw2, address, profile);
      return decodeCoprocessor(hw1, hw2, address, profile);
    case 2:
      if (op === 1) return decodeBranchMisc(hw1, hw2, address, profile);
      return (op2 & 0x20) === 0
        ? decodeModifiedImmediate(hw1, hw2, address, profile)
        : decodePlainImmediate(hw1, hw2, address, profile);
    default: // 3
      if ((op2 & 0x71) === 0x00) return decodeLoadStoreSingle(hw1, hw2, address, profile); // store single
      if ((op2 & 0x67) === 0x01 || (op2 & 0x67) === 0x03 || (op2 & 0x67) === 0x05) {
        return decodeLoadStoreSingle(hw1, hw2, address, profile);
      }
      if ((op2 & 0x70) === 0x20) return decodeRegister(hw1, hw2, address, profile);
      if ((op2 & 0x78) === 0x30) return decodeMultiply(hw1, hw2, address, profile);
      if ((op2 & 0x78) === 0x38) return decodeLongMultiply(hw1, hw2, address, profile);
      if ((op2 & 0x40) !== 0) return decodeCoprocessor(hw1, hw2, address, profile);
      return undef(hw1, hw2);
  }
}

/**
 * Coprocessor instructions (A5.3.18: MCR, MRC, LDC, STC, CDP and the FPU's VFP encodings on
 * ARMv7E-M). No coprocessor exists on v6-M/v7-M. The FPU of ARMv7E-M will slot in here; until
 * then (and until CPACR is modelled, which would make a denied access raise NOCP) it is UNDEFINED.
 */
function decodeCoprocessor(hw1: number, hw2: number, _address: number, profile: Profile): Decoded {
  const coproc = (hw2 >>> 8) & 0xf;
  if (profile === 'v7em' && (coproc === 10 || coproc === 11)) return undef(hw1, hw2, 'FPU instruction not implemented');
  return undef(hw1, hw2, `coprocessor ${coproc} instruction: no coprocessor`);
}
