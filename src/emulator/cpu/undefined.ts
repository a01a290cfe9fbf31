// The Decoded value for encodings that are UNDEFINED (or that this core does not implement).

import type { Decoded } from './decoded';
import { FaultKind, GuestFault } from './fault';

export function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

/** An UNDEFINED (or unimplemented) encoding: executing it raises a UsageFault (HardFault on v6-M). */
export function undefinedInstruction(size: 2 | 4, hw1: number, hw2: number, why = 'undefined instruction'): Decoded {
  const encoding = size === 2 ? hex(hw1, 4) : `${hex(hw1, 4)} ${hex(hw2, 4)}`;
  return {
    size,
    cycles: 1,
    exec: () => { throw new GuestFault(FaultKind.UndefinedInstruction, undefined, `${why} (${encoding})`); },
    asm: () => `udf ; ${encoding}`,
  };
}

