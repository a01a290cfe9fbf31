// The chips and boards we know, looked up by id.

import type { BoardDescription, ChipDescription } from './chip';
import { cortexM0, cortexM3, cortexM4 } from './generic';
import { stm32f411re } from './stm32f411re';

export * from './chip';

export const chips: readonly ChipDescription[] = [stm32f411re, cortexM0, cortexM3, cortexM4];

export const boards: readonly BoardDescription[] = [
  { id: 'nucleo-f411re', name: 'NUCLEO-F411RE', chip: 'stm32f411re' },
];

export class UnknownIdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownIdError';
  }
}

export function chipById(id: string): ChipDescription {
  const chip = chips.find((c) => c.id === id.toLowerCase());
  if (!chip) throw new UnknownIdError(`unknown chip '${id}'; known chips: ${chips.map((c) => c.id).join(', ')}`);
  return chip;
}

export function boardById(id: string): BoardDescription {
  const board = boards.find((b) => b.id === id.toLowerCase());
  if (!board) throw new UnknownIdError(`unknown board '${id}'; known boards: ${boards.map((b) => b.id).join(', ')}`);
  return board;
}

/** The chip on a board. */
export function chipForBoard(id: string): ChipDescription {
  return chipById(boardById(id).chip);
}
