// What a board is, as data: a chip and the parts wired to its pins (LEDs, push buttons, switches,
// a UART terminal), like a wiring diagram. Bundled boards are written in this format and a user's
// board.json is read into it; validation names the file and the JSON path of every mistake
// ("board.json: $.parts[2].pin: unknown pin 'PZ5' …") so a typo is found without reading code.

import type { ChipDescription } from '../chips/chip';

/** Which pin level means "on" (LED lit, button pressed, switch closed). */
export type Polarity = 'active-high' | 'active-low';

export interface LedPart {
  type: 'led';
  id: string;
  label: string;
  /** A pin name such as "PA5". */
  pin: string;
  /** CSS colour of the lit LED: a name ("green") or "#rrggbb". */
  color: string;
  polarity: Polarity;
}

export interface ButtonPart {
  type: 'button';
  id: string;
  label: string;
  pin: string;
  /** Active-low: pressing pulls the pin to ground, a pull-up resistor holds it high otherwise. */
  polarity: Polarity;
  /** Keyboard key that presses it while the board panel has focus (e.g. "b"). */
  key?: string;
}

export interface SwitchPart {
  type: 'switch';
  id: string;
  label: string;
  pin: string;
  polarity: Polarity;
  /** Position at power-on. */
  initiallyOn: boolean;
}

export interface UartTerminalPart {
  type: 'uart-terminal';
  id: string;
  label: string;
  /** The chip's UART peripheral (e.g. "USART2"). */
  uart: string;
  /** The pins it is wired to, for the drawing and the timeline (optional). */
  tx?: string;
  rx?: string;
}

export type BoardPart = LedPart | ButtonPart | SwitchPart | UartTerminalPart;
export type PartType = BoardPart['type'];
export const PART_TYPES: readonly PartType[] = ['led', 'button', 'switch', 'uart-terminal'];

export interface Board {
  id: string;
  name: string;
  /** Chip id (see chips/index.ts). */
  chip: string;
  /** Drawing in media/boards/ (file name), if the board has one. */
  drawing?: string;
  parts: BoardPart[];
}

/** A mistake in a board description: `file: $.path: message`. */
export class BoardError extends Error {
  constructor(readonly file: string, readonly jsonPath: string, readonly detail: string) {
    super(`${file}: ${jsonPath}: ${detail}`);
    this.name = 'BoardError';
  }
}

export interface ParsedPin {
  /** Port letter, "A".."K". */
  port: string;
  /** 0..15 */
  pin: number;
}

/** "PA5" / "pa05" → { port: 'A', pin: 5 }; null when it does not look like a pin name. */
export function parsePinName(name: string): ParsedPin | null {
  const m = /^P([A-K])(\d{1,2})$/i.exec(name.trim());
  if (!m) return null;
  const pin = Number(m[2]);
  if (pin > 15) return null;
  return { port: m[1].toUpperCase(), pin };
}

/** The GPIO ports a chip has (from its GPIOx peripheral blocks). */
export function chipPorts(chip: ChipDescription): string[] {
  return chip.peripherals.map((p) => /^GPIO([A-K])$/.exec(p.name)?.[1]).filter((p): p is string => p !== undefined).sort();
}

function chipUarts(chip: ChipDescription): string[] {
  return chip.peripherals.map((p) => p.name).filter((n) => /^(US|U|LPU)ART\d*$/.test(n));
}

const COLOR = /^(#[0-9a-f]{3}|#[0-9a-f]{6}|[a-z]+)$/i;
const ID = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Reads one JSON value under a path with typed accessors that throw BoardError. */
class Reader {
  constructor(readonly file: string) {}
  fail(at: string, detail: string): never {
    throw new BoardError(this.file, at, detail);
  }
  object(value: unknown, at: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(at, `must be an object, not ${describe(value)}`);
    return value as Record<string, unknown>;
  }
  string(o: Record<string, unknown>, key: string, at: string): string {
    const v = o[key];
    if (v === undefined) this.fail(at, `"${key}" is missing`);
    if (typeof v !== 'string' || v === '') this.fail(`${at}.${key}`, `must be a non-empty string, not ${describe(v)}`);
    return v;
  }
  optionalString(o: Record<string, unknown>, key: string, at: string): string | undefined {
    if (o[key] === undefined) return undefined;
    return this.string(o, key, at);
  }
  onlyKeys(o: Record<string, unknown>, allowed: readonly string[], at: string): void {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) this.fail(`${at}.${key}`, `unknown property (expected one of: ${allowed.join(', ')})`);
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

export interface ValidateOptions {
  /** The chip the pins and UARTs are checked against. */
  chip: ChipDescription;
  /** Parts already on the board (a user board.json extending a bundled board): their ids count
   *  as taken and their pins as used. */
  existing?: readonly BoardPart[];
}

/**
 * Validates the parts array at `at` (a JSON path such as "$.parts") and returns typed parts with
 * defaults filled in. Throws BoardError at the first mistake.
 */
export function validateParts(value: unknown, file: string, at: string, options: ValidateOptions): BoardPart[] {
  const r: Reader = new Reader(file);
  if (!Array.isArray(value)) r.fail(at, `must be an array of parts, not ${describe(value)}`);
  const { chip } = options;
  const ports = chipPorts(chip);
  const uarts = chipUarts(chip);
  const ids = new Map<string, string>();
  for (const p of options.existing ?? []) ids.set(p.id, `the board's own part`);
  const pinOwners = new Map<string, string>();
  for (const p of options.existing ?? []) for (const pin of partPins(p)) pinOwners.set(pin, p.id);

  const pin = (o: Record<string, unknown>, key: string, path: string, required: boolean, owner: string): string | undefined => {
    const name = required ? r.string(o, key, path) : r.optionalString(o, key, path);
    if (name === undefined) return undefined;
    const parsed = parsePinName(name);
    const where = `${path}.${key}`;
    if (!parsed) r.fail(where, `'${name}' is not a pin name (expected P<port><0-15>, e.g. PA5)`);
    if (!ports.includes(parsed.port)) {
      r.fail(where, `unknown pin '${name}': ${chip.name} has ${ports.length === 0 ? 'no GPIO ports' : `ports ${ports.join(', ')} with pins 0-15`}`);
    }
    const canonical = `P${parsed.port}${parsed.pin}`;
    const other = pinOwners.get(canonical);
    // Several LEDs may watch one pin; an input driven by two parts would fight.
    if (other !== undefined && o.type !== 'led') r.fail(where, `pin ${canonical} is already used by '${other}'`);
    pinOwners.set(canonical, owner);
    return canonical;
  };
  const polarity = (o: Record<string, unknown>, path: string, fallback: Polarity): Polarity => {
    const v = o.polarity;
    if (v === undefined) return fallback;
    if (v !== 'active-high' && v !== 'active-low') r.fail(`${path}.polarity`, `must be "active-high" or "active-low", not ${describe(v)}`);
    return v;
  };

  const parts: BoardPart[] = [];
  value.forEach((item, i) => {
    const path = `${at}[${i}]`;
    const o = r.object(item, path);
    const type = r.string(o, 'type', path);
    if (!(PART_TYPES as readonly string[]).includes(type)) r.fail(`${path}.type`, `unknown part '${type}' (known parts: ${PART_TYPES.join(', ')})`);
    const id = r.string(o, 'id', path);
    if (!ID.test(id)) r.fail(`${path}.id`, `'${id}' is not a valid id (letters, digits, _ . -; not starting with a digit)`);
    const previous = ids.get(id);
    if (previous !== undefined) r.fail(`${path}.id`, `duplicate id '${id}' (also ${previous})`);
    ids.set(id, `at ${path}`);
    const label = r.optionalString(o, 'label', path) ?? id;
    switch (type as PartType) {
      case 'led': {
        r.onlyKeys(o, ['type', 'id', 'label', 'pin', 'color', 'polarity'], path);
        const color = r.optionalString(o, 'color', path) ?? 'red';
        if (!COLOR.test(color)) r.fail(`${path}.color`, `'${color}' is not a colour name or #rrggbb`);
        parts.push({ type: 'led', id, label, pin: pin(o, 'pin', path, true, id)!, color, polarity: polarity(o, path, 'active-high') });
        break;
      }
      case 'button': {
        r.onlyKeys(o, ['type', 'id', 'label', 'pin', 'polarity', 'key'], path);
        const key = r.optionalString(o, 'key', path);
        if (key !== undefined && key.length !== 1) r.fail(`${path}.key`, `must be a single character, not ${describe(key)}`);
        const part: ButtonPart = { type: 'button', id, label, pin: pin(o, 'pin', path, true, id)!, polarity: polarity(o, path, 'active-low') };
        if (key !== undefined) part.key = key;
        parts.push(part);
        break;
      }
      case 'switch': {
        r.onlyKeys(o, ['type', 'id', 'label', 'pin', 'polarity', 'initiallyOn'], path);
        const initial = o.initiallyOn;
        if (initial !== undefined && typeof initial !== 'boolean') r.fail(`${path}.initiallyOn`, `must be true or false, not ${describe(initial)}`);
        parts.push({ type: 'switch', id, label, pin: pin(o, 'pin', path, true, id)!, polarity: polarity(o, path, 'active-high'), initiallyOn: initial ?? false });
        break;
      }
      case 'uart-terminal': {
        r.onlyKeys(o, ['type', 'id', 'label', 'uart', 'tx', 'rx'], path);
        const uart = r.string(o, 'uart', path);
        if (!uarts.includes(uart.toUpperCase())) {
          r.fail(`${path}.uart`, `unknown UART '${uart}': ${chip.name} has ${uarts.length === 0 ? 'no UARTs' : uarts.join(', ')}`);
        }
        const part: UartTerminalPart = { type: 'uart-terminal', id, label, uart: uart.toUpperCase() };
        const tx = pin(o, 'tx', path, false, id);
        const rx = pin(o, 'rx', path, false, id);
        if (tx !== undefined) part.tx = tx;
        if (rx !== undefined) part.rx = rx;
        parts.push(part);
        break;
      }
    }
  });
  return parts;
}

/** The pins a part is wired to. */
export function partPins(part: BoardPart): string[] {
  if (part.type === 'uart-terminal') return [part.tx, part.rx].filter((p): p is string => p !== undefined);
  return [part.pin];
}

/** Parses JSON text, turning a syntax error into a BoardError with the line and column. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    const offset = syntaxErrorOffset(text);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    throw new BoardError(file, `line ${line}, column ${column}`, `not valid JSON (${message.replace(/, ".*$/s, '')})`);
  }
}

/** Offset of the first character that makes `text` invalid JSON. Every shorter prefix is either
 *  valid or merely incomplete ("unexpected end"), so the offset is found by bisection. */
function syntaxErrorOffset(text: string): number {
  const incomplete = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return true;
    } catch (e) {
      // Errors at the very end of the prefix only mean "more text needed".
      const m = e instanceof Error ? e.message : String(e);
      if (/end of (JSON )?input/i.test(m)) return true;
      const at = /position (\d+)/.exec(m);
      return at !== null && Number(at[1]) >= k;
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (incomplete(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface BoardLookup {
  /** A chip by id (throws for an unknown one). */
  chip(id: string): ChipDescription;
  /** A bundled board by id, or undefined. */
  board(id: string): Board | undefined;
}

/**
 * Validates a whole board description. Two shapes are accepted: a complete board
 * `{ "id", "name", "chip", "parts" }`, or `{ "extends": "<bundled board id>", "parts": [...] }`
 * which adds parts to a bundled board (the usual board.json in a workspace).
 */
export function validateBoard(value: unknown, file: string, lookup: BoardLookup): Board {
  const r: Reader = new Reader(file);
  const o = r.object(value, '$');
  const base = r.optionalString(o, 'extends', '$');
  if (base !== undefined) {
    r.onlyKeys(o, ['$schema', 'extends', 'name', 'parts'], '$');
    const parent = lookup.board(base);
    if (!parent) r.fail('$.extends', `unknown board '${base}'`);
    const chip = lookup.chip(parent.chip);
    const extra = o.parts === undefined ? [] : validateParts(o.parts, file, '$.parts', { chip, existing: parent.parts });
    return { ...parent, name: r.optionalString(o, 'name', '$') ?? parent.name, parts: [...parent.parts, ...extra] };
  }
  r.onlyKeys(o, ['$schema', 'id', 'name', 'chip', 'drawing', 'parts'], '$');
  const id = r.string(o, 'id', '$');
  const chipId = r.string(o, 'chip', '$');
  let chip: ChipDescription;
  try {
    chip = lookup.chip(chipId);
  } catch (e) {
    r.fail('$.chip', e instanceof Error ? e.message : String(e));
  }
  const board: Board = {
    id,
    name: r.optionalString(o, 'name', '$') ?? id,
    chip: chip.id,
    parts: validateParts(o.parts ?? [], file, '$.parts', { chip }),
  };
  const drawing = r.optionalString(o, 'drawing', '$');
  if (drawing !== undefined) {
    if (!/^[\w.-]+\.svg$/.test(drawing)) r.fail('$.drawing', `'${drawing}' must be an SVG file name in media/boards/`);
    board.drawing = drawing;
  }
  return board;
}
