// Boards: the bundled ones, validated at first use, and a user's board.json on top of them.

import { boards as boardIds, chipById } from '../chips/index';
import { parseJsonText, validateBoard, type Board, type BoardLookup } from './board-description';
import { nucleoF411reJson } from './nucleo-f411re';

export * from './board-description';

const bundledJson: Record<string, unknown> = {
  'nucleo-f411re': nucleoF411reJson,
};

const cache = new Map<string, Board>();

/** A bundled board by id (case-insensitive), or undefined. Only boards listed in chips/index.ts
 *  with a description here have parts; others get an empty parts list. */
export function bundledBoard(id: string): Board | undefined {
  const key = id.toLowerCase();
  const cached = cache.get(key);
  if (cached) return cached;
  const json = bundledJson[key];
  let board: Board | undefined;
  if (json !== undefined) board = validateBoard(json, `bundled board ${key}`, lookup);
  else {
    const known = boardIds.find((b) => b.id === key);
    if (known) board = { id: known.id, name: known.name, chip: known.chip, parts: [] };
  }
  if (board) cache.set(key, board);
  return board;
}

export const lookup: BoardLookup = {
  chip: (id) => chipById(id),
  board: (id) => bundledBoard(id),
};

/** Parses and validates a user's board description (board.json). */
export function parseBoardFile(text: string, file: string): Board {
  return validateBoard(parseJsonText(text, file), file, lookup);
}
