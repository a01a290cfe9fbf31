// Which simulated chip runs an ELF: the one the user named (--board / --chip), or, when none is
// named, a guess from where the firmware is linked and what it was compiled for.

import type { ElfFile } from '../debuginfo/elf';
import { readArmAttributes } from '../debuginfo/arm-attributes';
import { chipById, chipForBoard, type ChipDescription } from '../emulator/chips/index';

export interface ChipChoice {
  chip: ChipDescription;
  /** How it was chosen, for --stats and error messages. */
  why: string;
}

const STM32_FLASH = 0x08000000;

export function chooseChip(elf: ElfFile, board?: string, chip?: string): ChipChoice {
  if (board !== undefined) return { chip: chipForBoard(board), why: `board ${board}` };
  if (chip !== undefined) return { chip: chipById(chip), why: `chip ${chip}` };
  const loads = elf.segments.filter((s) => s.type === 1 && s.filesz > 0);
  const lowest = loads.length > 0 ? Math.min(...loads.map((s) => s.paddr)) : 0;
  if (lowest >= STM32_FLASH && lowest < STM32_FLASH + 0x01000000) {
    return { chip: chipForBoard('nucleo-f411re'), why: 'linked for STM32 flash at 0x08000000 (nucleo-f411re)' };
  }
  const attrs = readArmAttributes(elf);
  const arch = attrs?.cpuArch;
  if (arch === 11 || arch === 12) return { chip: chipById('cortex-m0'), why: 'built for ARMv6-M' };
  if (arch === 13) return { chip: chipById('cortex-m4'), why: 'built for ARMv7E-M' };
  if (arch === 10 && (attrs?.cpuProfile ?? 'M') === 'M') return { chip: chipById('cortex-m3'), why: 'built for ARMv7-M' };
  return { chip: chipForBoard('nucleo-f411re'), why: 'default board nucleo-f411re' };
}
