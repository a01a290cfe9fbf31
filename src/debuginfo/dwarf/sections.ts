// The DWARF sections of one file, as byte views. Built from an ElfFile, or by hand in tests.

import type { ElfFile } from '../elf';

export interface DwarfSections {
  info?: Uint8Array;
  abbrev?: Uint8Array;
  line?: Uint8Array;
  lineStr?: Uint8Array;
  str?: Uint8Array;
  strOffsets?: Uint8Array;
  addr?: Uint8Array;
  ranges?: Uint8Array;
  rnglists?: Uint8Array;
  loc?: Uint8Array;
  loclists?: Uint8Array;
  frame?: Uint8Array;
  ehFrame?: Uint8Array;
  /** Load address of .eh_frame, for its pc-relative pointer encodings. */
  ehFrameAddress?: number;
  /** Size of a target address when no unit says otherwise (4 for ARM ELF32). */
  addressSize: number;
}

export function dwarfSectionsOf(elf: ElfFile): DwarfSections {
  const d = (name: string) => {
    const s = elf.section(name);
    return s && s.size > 0 ? s.data() : undefined;
  };
  return {
    info: d('.debug_info'),
    abbrev: d('.debug_abbrev'),
    line: d('.debug_line'),
    lineStr: d('.debug_line_str'),
    str: d('.debug_str'),
    strOffsets: d('.debug_str_offsets'),
    addr: d('.debug_addr'),
    ranges: d('.debug_ranges'),
    rnglists: d('.debug_rnglists'),
    loc: d('.debug_loc'),
    loclists: d('.debug_loclists'),
    frame: d('.debug_frame'),
    ehFrame: d('.eh_frame'),
    ehFrameAddress: elf.section('.eh_frame')?.addr,
    addressSize: elf.is64 ? 8 : 4,
  };
}
