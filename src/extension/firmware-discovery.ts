// Finds what F5 needs in a Rust embedded folder that has no launch.json: the firmware ELF under
// target/thumbv*/{debug,release}/, the crate name from Cargo.toml, the linker script (memory.x, or
// -T in .cargo/config.toml) and a guess at the chip from its memory regions and the build target. Pure Node (no vscode) so it can
// be unit-tested.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseScript } from '../linker/parser';
import { evaluate } from '../linker/evaluator';

/** The package name from Cargo.toml's [package] table, if any. */
export function cratePackageName(folder: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(folder, 'Cargo.toml'), 'utf8');
  } catch {
    return undefined;
  }
  let inPackage = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inPackage = line === '[package]';
    else if (inPackage) {
      const m = /^name\s*=\s*"([^"]+)"/.exec(line);
      if (m) return m[1];
    }
  }
  return undefined;
}

function isElf(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const magic = Buffer.alloc(4);
      return fs.readSync(fd, magic, 0, 4, 0) === 4 && magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * Candidate firmware ELFs, best first: target/thumbv*-none-eabi*\/debug/<crate> (then release, then
 * examples), newest first among equals.
 */
export function findFirmwareElfs(folder: string): string[] {
  const target = path.join(folder, 'target');
  let triples: string[];
  try {
    triples = fs.readdirSync(target).filter((t) => /^thumbv[678]/.test(t));
  } catch {
    return [];
  }
  const crate = cratePackageName(folder);
  const found: { file: string; rank: number; mtime: number }[] = [];
  for (const triple of triples) {
    for (const [profile, profileRank] of [['debug', 0], ['release', 2]] as const) {
      for (const [sub, subRank] of [['', 0], ['examples', 1]] as const) {
        const dir = path.join(target, triple, profile, sub);
        let names: string[];
        try {
          names = fs.readdirSync(dir);
        } catch {
          continue;
        }
        for (const name of names) {
          const file = path.join(dir, name);
          if (name.includes('.') && !name.endsWith('.elf')) continue;
          let stat: fs.Stats;
          try {
            stat = fs.statSync(file);
          } catch {
            continue;
          }
          if (!stat.isFile() || !isElf(file)) continue;
          const crateRank = crate !== undefined && name.replace(/\.elf$/, '') === crate ? 0 : 1;
          found.push({ file, rank: profileRank + subRank + crateRank * 4, mtime: stat.mtimeMs });
        }
      }
    }
  }
  found.sort((a, b) => a.rank - b.rank || b.mtime - a.mtime);
  return found.map((f) => f.file);
}

// ---- linker script, target triple and chip, for F5 with no launch.json -----------------------------

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The folder's .cargo/config.toml (or the older .cargo/config) text, if any. */
function cargoConfigText(folder: string): string | undefined {
  return readText(path.join(folder, '.cargo', 'config.toml')) ?? readText(path.join(folder, '.cargo', 'config'));
}

/** The TOML basic/literal strings in `text` (escapes other than \" and \\ are kept as written). */
function tomlStrings(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] !== undefined ? m[1].replace(/\\(["\\])/g, '$1') : m[2]);
  return out;
}

/** Drops TOML comments (a '#' outside strings to the end of its line). */
function stripTomlComments(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      let quote: string | null = null;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote) {
          if (c === '\\' && quote === '"') i++;
          else if (c === quote) quote = null;
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '#') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** Every `rustflags = [...]` entry of a cargo config, in order ([build] and [target.*] tables). */
export function cargoRustflags(configText: string): string[] {
  const text = stripTomlComments(configText);
  const flags: string[] = [];
  const re = /^\s*rustflags\s*=\s*(\[[\s\S]*?\]|"(?:[^"\\]|\\.)*"|'[^']*')/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const value = m[1];
    // A plain string is split on spaces, as cargo does.
    if (value.startsWith('[')) flags.push(...tomlStrings(value));
    else flags.push(...tomlStrings(value).flatMap((s) => s.split(/\s+/).filter((p) => p !== '')));
  }
  return flags;
}

/** The linker scripts named by -T in rustflags: `-Tfile`, `-T file`, `-C link-arg=-Tfile`,
 *  `-Clink-arg=-Tfile`, `-C link-args=-Ta -Tb`. */
export function linkerScriptArgs(flags: readonly string[]): string[] {
  const scripts: string[] = [];
  const linkerArgs: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    let value: string | undefined;
    if (f === '-C' && i + 1 < flags.length) value = flags[++i];
    else if (f.startsWith('-C')) value = f.slice(2);
    if (value !== undefined) {
      const m = /^link-args?=(.*)$/.exec(value);
      if (m) linkerArgs.push(...m[1].split(/\s+/).filter((p) => p !== ''));
      continue;
    }
    linkerArgs.push(f);
  }
  for (let i = 0; i < linkerArgs.length; i++) {
    const a = linkerArgs[i];
    if (a === '-T' && i + 1 < linkerArgs.length) scripts.push(linkerArgs[++i]);
    else if (a.startsWith('-T') && a.length > 2) scripts.push(a.slice(2));
    else if (a.startsWith('--script=')) scripts.push(a.slice('--script='.length));
  }
  return scripts;
}

/** `[build] target = "thumbv7em-none-eabihf"` of the folder's cargo config. */
export function cargoBuildTarget(configText: string): string | undefined {
  let inBuild = false;
  for (const raw of stripTomlComments(configText).split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inBuild = line === '[build]';
    else if (inBuild) {
      const m = /^target\s*=\s*["']([^"']+)["']/.exec(line);
      if (m) return m[1];
    }
  }
  return undefined;
}

/**
 * The linker script a Rust embedded folder describes its memory with: memory.x (then link.x) next
 * to Cargo.toml, else the first -T script of the cargo config's rustflags that exists in the folder.
 * (`-Tlink.x` names the runtime crate's generated script, which includes memory.x.)
 */
export function findLinkerScript(folder: string): string | undefined {
  for (const name of ['memory.x', 'link.x']) {
    const file = path.join(folder, name);
    if (fs.existsSync(file)) return file;
  }
  const config = cargoConfigText(folder);
  if (config === undefined) return undefined;
  for (const script of linkerScriptArgs(cargoRustflags(config))) {
    const file = path.resolve(folder, script);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

export interface MemoryRegionGuess {
  name: string;
  origin: number;
  length: number;
}

/** The MEMORY regions of a linker script, through the linker script evaluator. */
export function memoryRegions(scriptText: string, file = 'memory.x'): MemoryRegionGuess[] {
  const layout = evaluate(parseScript(scriptText, { file }));
  return layout.regions.map((r) => ({ name: r.name, origin: r.origin, length: r.length }));
}

export interface ChipGuess {
  /** The board or chip suggested, as launch.json spells it. */
  board?: string;
  chip?: string;
  /** False when the folder does not say enough: ask the user, with this guess first. */
  sure: boolean;
  /** Why (shown in the quick pick). */
  why: string;
}

/** Every choice a quick pick offers, boards first. */
export const CHIP_CHOICES: readonly { board?: string; chip?: string; label: string; detail: string }[] = [
  { board: 'nucleo-f411re', label: 'nucleo-f411re', detail: 'NUCLEO-F411RE board (STM32F411RE, LED, button, USART2)' },
  { chip: 'stm32f411re', label: 'stm32f411re', detail: 'STM32F411RE chip: 512 KB flash at 0x08000000, 128 KB RAM' },
  { chip: 'cortex-m0', label: 'cortex-m0', detail: 'generic Cortex-M0 (ARMv6-M): flash at 0, RAM at 0x20000000' },
  { chip: 'cortex-m3', label: 'cortex-m3', detail: 'generic Cortex-M3 (ARMv7-M): flash at 0, RAM at 0x20000000' },
  { chip: 'cortex-m4', label: 'cortex-m4', detail: 'generic Cortex-M4F (ARMv7E-M): flash at 0, RAM at 0x20000000' },
];

const STM32_FLASH = 0x08000000;
const KB = 1024;

/** The generic chip a target triple's architecture runs on. */
function chipForTriple(triple: string): string | undefined {
  if (/^thumbv6m/.test(triple)) return 'cortex-m0';
  if (/^thumbv7m/.test(triple)) return 'cortex-m3';
  if (/^thumbv7em/.test(triple)) return 'cortex-m4';
  return undefined;
}

/**
 * Which board or chip a folder's firmware is for, from its memory regions (memory.x) and target
 * triple: flash at 0x08000000 is the STM32F411RE (sure when the sizes fit it); flash at 0 is a
 * generic core picked by the triple (thumbv6m → Cortex-M0, thumbv7m → M3, thumbv7em → M4).
 */
export function guessChip(regions: readonly MemoryRegionGuess[] | undefined, triple: string | undefined): ChipGuess {
  const flash = regions?.find((r) => /^(flash|rom)$/i.test(r.name)) ?? regions?.find((r) => r.origin < 0x20000000);
  const ram = regions?.find((r) => /^ram$/i.test(r.name)) ?? regions?.find((r) => r.origin >= 0x20000000 && r.origin < 0x40000000);
  const byTriple = triple !== undefined ? chipForTriple(triple) : undefined;
  if (flash && flash.origin >= STM32_FLASH && flash.origin < STM32_FLASH + 0x01000000) {
    const fits = flash.origin + flash.length <= STM32_FLASH + 512 * KB && (!ram || (ram.origin >= 0x20000000 && ram.origin + ram.length <= 0x20000000 + 128 * KB));
    const v6m = byTriple === 'cortex-m0' || byTriple === 'cortex-m3';
    return {
      board: 'nucleo-f411re',
      sure: fits && !v6m,
      why: fits
        ? 'memory.x: FLASH at 0x08000000 within the STM32F411RE\'s 512 KB'
        : `memory.x: FLASH at 0x08000000 but ${flash.length / KB} KB (the STM32F411RE has 512 KB)`,
    };
  }
  if (flash && flash.origin === 0 && byTriple) {
    return { chip: byTriple, sure: true, why: `memory.x: FLASH at 0; target ${triple}` };
  }
  if (byTriple) {
    // No memory.x to go by (or an unusual one): the architecture is known, the chip is not.
    return { chip: byTriple, sure: false, why: `target ${triple}${flash ? ` (FLASH at 0x${flash.origin.toString(16)})` : ''}` };
  }
  return { board: 'nucleo-f411re', sure: false, why: 'no memory.x or build target to go by' };
}

/** The folder's linker script, build target and chip guess, all in one. */
export function describeFirmwareFolder(folder: string): { linkerScript?: string; triple?: string; guess: ChipGuess } {
  const linkerScript = findLinkerScript(folder);
  const config = cargoConfigText(folder);
  const triple = config !== undefined ? cargoBuildTarget(config) : undefined;
  let regions: MemoryRegionGuess[] | undefined;
  // memory.x itself, even when -T named the runtime's link.x (which includes it).
  const memoryX = path.join(folder, 'memory.x');
  const regionSource = fs.existsSync(memoryX) ? memoryX : linkerScript;
  if (regionSource !== undefined) {
    const text = readText(regionSource);
    if (text !== undefined) {
      try {
        regions = memoryRegions(text, regionSource);
      } catch {
        regions = undefined;
      }
    }
  }
  return { linkerScript, triple, guess: guessChip(regions, triple) };
}
