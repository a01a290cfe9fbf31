// Instruction decoding entry point: picks the 16-bit or 32-bit Thumb decoder (A5.1).

import type { Decoded } from './decoded';
import type { Profile } from './cpu';
import { decodeThumb16 } from './thumb16';
import { decodeThumb32 } from './thumb32';

/** True if hw1 is the first halfword of a 32-bit instruction. */
export function is32Bit(hw1: number): boolean {
  return (hw1 >>> 11) >= 0x1d;
}

export function decode(hw1: number, hw2: number, address: number, profile: Profile): Decoded {
  return is32Bit(hw1) ? decodeThumb32(hw1, hw2, address, profile) : decodeThumb16(hw1, address, profile);
}
