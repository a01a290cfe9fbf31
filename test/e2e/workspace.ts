// Builds throwaway firmware workspaces for the end-to-end scenarios: a folder shaped like a Rust
// embedded crate after `cargo build` (Cargo.toml, src/main.rs, memory.x,
// target/thumbv7em-none-eabihf/debug/<crate>), made from the committed fixtures, so F5 with no
// launch.json has to find everything the way it would in a user's project.
//
// Source paths: the fixtures are compiled from test/fixtures/firmware/rust with relative paths, so
// their DWARF names the program's file `<name>/main.rs` (and the runtime `rt/*.rs`) with comp_dir
// ".", while the workspace has it where a crate has it, `src/main.rs`, and nowhere else. The
// adapter finds it there by the path's suffix (see README.md, "Source paths"); `rt/` is a path
// dependency of the crate and matches the DWARF's spelling as it is.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RUST_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'firmware', 'rust');
export const TARGET_TRIPLE = 'thumbv7em-none-eabihf';

export interface FirmwareWorkspace {
  /** Absolute path of the folder to open. */
  folder: string;
  /** The crate (and ELF) name. */
  crate: string;
  /** src/main.rs: what the user edits, and the file the debugger shows for `main`. */
  mainSource: string;
  elf: string;
  memoryX: string;
}

let tempRoot: string | undefined;

/** One temp folder per test run, holding every workspace it builds. */
export function workspacesRoot(): string {
  tempRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cortex-m-sim-e2e-'));
  return tempRoot;
}

export function removeWorkspaces(): void {
  if (tempRoot) fs.rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = undefined;
}

/**
 * A workspace for the Rust fixture `name` (blinky, hardfault, ...). The folder is named after the
 * crate, as `cargo new` would, since the default launch configuration uses
 * ${workspaceFolderBasename} for the ELF's name.
 */
export function buildRustWorkspace(name: string, options: { memoryX?: string } = {}): FirmwareWorkspace {
  const fixtureElf = path.join(RUST_FIXTURES, `${name}.elf`);
  const fixtureSrc = path.join(RUST_FIXTURES, name, 'main.rs');
  if (!fs.existsSync(fixtureElf)) throw new Error(`fixture ELF missing: ${fixtureElf}`);
  const parent = fs.mkdtempSync(path.join(workspacesRoot(), `${name}-`));
  const folder = path.join(parent, name);
  fs.mkdirSync(folder);

  fs.writeFileSync(
    path.join(folder, 'Cargo.toml'),
    [
      '[package]',
      `name = "${name}"`,
      'version = "0.1.0"',
      'edition = "2021"',
      '',
      '[dependencies]',
      'rt = { path = "rt" }',
      '',
      '[profile.dev]',
      'opt-level = 1',
      '',
    ].join('\n'),
  );
  fs.mkdirSync(path.join(folder, 'src'));
  fs.copyFileSync(fixtureSrc, path.join(folder, 'src', 'main.rs'));
  fs.cpSync(path.join(RUST_FIXTURES, 'rt'), path.join(folder, 'rt'), { recursive: true });

  const memoryX = path.join(folder, 'memory.x');
  fs.writeFileSync(memoryX, options.memoryX ?? fs.readFileSync(path.join(RUST_FIXTURES, 'memory.x'), 'utf8'));
  fs.mkdirSync(path.join(folder, '.cargo'));
  fs.writeFileSync(
    path.join(folder, '.cargo', 'config.toml'),
    `[build]\ntarget = "${TARGET_TRIPLE}"\n\n[target.${TARGET_TRIPLE}]\nrustflags = ["-C", "link-arg=-Tlink.x"]\n`,
  );

  const elfDir = path.join(folder, 'target', TARGET_TRIPLE, 'debug');
  fs.mkdirSync(elfDir, { recursive: true });
  const elf = path.join(elfDir, name);
  fs.copyFileSync(fixtureElf, elf);

  return {
    folder,
    crate: name,
    mainSource: path.join(folder, 'src', 'main.rs'),
    elf,
    memoryX,
  };
}

/** 1-based line of the first line of `file` containing `text` (throws if absent, so a changed
 *  fixture fails loudly instead of a scenario clicking the wrong line). */
export function lineOf(file: string, text: string, after = 0): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = after; i < lines.length; i++) if (lines[i].includes(text)) return i + 1;
  throw new Error(`'${text}' not found in ${file}`);
}
