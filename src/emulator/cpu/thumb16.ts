// 16-bit Thumb instructions (A5.2). Placeholder until the decoder lands.
import type { Decoded } from './decoded';
import type { Profile } from './cpu';
import { undefinedInstruction } from './undefined';

export function decodeThumb16(hw: number, _address: number, _profile: Profile): Decoded {
  return undefinedInstruction(2, hw, 0);
}
