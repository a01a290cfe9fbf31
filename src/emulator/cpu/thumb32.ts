// 32-bit Thumb-2 instructions (A5.3). Placeholder until the decoder lands.
import type { Decoded } from './decoded';
import type { Profile } from './cpu';
import { undefinedInstruction } from './undefined';

export function decodeThumb32(hw1: number, hw2: number, _address: number, _profile: Profile): Decoded {
  return undefinedInstruction(4, hw1, hw2);
}
