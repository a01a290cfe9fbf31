// F5 with no launch.json: the linker script, the build target and the chip guess, from Rust
// embedded folders made in a temporary directory (memory.x, .cargo/config.toml, Cargo.toml).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  cargoBuildTarget, cargoRustflags, describeFirmwareFolder, findLinkerScript, guessChip, linkerScriptArgs, memoryRegions,
} from '../../../src/extension/firmware-discovery';

const STM32_MEMORY_X = `MEMORY
{
  /* NOTE 1 K = 1 KiBi = 1024 bytes */
  FLASH : ORIGIN = 0x08000000, LENGTH = 512K
  RAM : ORIGIN = 0x20000000, LENGTH = 128K
}
`;
const GENERIC_MEMORY_X = `MEMORY { FLASH : ORIGIN = 0x00000000, LENGTH = 256K
  RAM : ORIGIN = 0x20000000, LENGTH = 64K }
_stack_start = ORIGIN(RAM) + LENGTH(RAM);
`;

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cms-f5-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('firmware discovery: cargo config', () => {
  it('collects rustflags from [build] and [target.*] tables, arrays and strings, ignoring comments', () => {
    const config = `
[target.thumbv7em-none-eabihf]
runner = "probe-run --chip STM32F411RETx" # a comment with "quotes"
rustflags = [
  "-C", "link-arg=-Tlink.x",   # the runtime's script
  # "-C", "link-arg=-Tdisabled.x",
  "-C", "link-arg=--nmagic",
]
[build]
target = "thumbv7em-none-eabihf"
rustflags = "-C link-arg=-Tdefmt.x"
`;
    assert.deepEqual(cargoRustflags(config), ['-C', 'link-arg=-Tlink.x', '-C', 'link-arg=--nmagic', '-C', 'link-arg=-Tdefmt.x']);
    assert.deepEqual(linkerScriptArgs(cargoRustflags(config)), ['link.x', 'defmt.x']);
    assert.equal(cargoBuildTarget(config), 'thumbv7em-none-eabihf');
  });

  it('understands every spelling of a linker script argument', () => {
    assert.deepEqual(linkerScriptArgs(['-Clink-arg=-Ta.x', '-C', 'link-args=-Tb.x -T c.x', '-T', 'd.x', '-Te.x', '-C', 'link-arg=--script=f.x', '-C', 'opt-level=s']),
      ['a.x', 'b.x', 'c.x', 'd.x', 'e.x', 'f.x']);
  });

  it('has no build target without a [build] table', () => {
    assert.equal(cargoBuildTarget('[target.thumbv6m-none-eabi]\ntarget = "x"\n'), undefined);
  });
});

describe('firmware discovery: linker script', () => {
  it('prefers memory.x next to Cargo.toml', () => {
    const dir = folder({ 'Cargo.toml': '[package]\nname = "app"\n', 'memory.x': STM32_MEMORY_X, 'link.x': '' });
    assert.equal(findLinkerScript(dir), path.join(dir, 'memory.x'));
  });

  it('else the first -T script of .cargo/config.toml that exists in the folder', () => {
    const dir = folder({
      'Cargo.toml': '',
      '.cargo/config.toml': '[build]\nrustflags = ["-C", "link-arg=-Tlink.x", "-C", "link-arg=-Tboard/layout.ld"]\n',
      'board/layout.ld': GENERIC_MEMORY_X,
    });
    assert.equal(findLinkerScript(dir), path.join(dir, 'board', 'layout.ld'));
  });

  it('none in an empty folder', () => {
    assert.equal(findLinkerScript(folder({})), undefined);
  });

  it('reads MEMORY regions through the linker script evaluator (K suffixes, comments)', () => {
    assert.deepEqual(memoryRegions(STM32_MEMORY_X), [
      { name: 'FLASH', origin: 0x08000000, length: 512 * 1024 },
      { name: 'RAM', origin: 0x20000000, length: 128 * 1024 },
    ]);
  });
});

describe('firmware discovery: chip guess', () => {
  const stm32 = memoryRegions(STM32_MEMORY_X);
  const generic = memoryRegions(GENERIC_MEMORY_X);

  it('FLASH at 0x08000000 within 512 KB: the NUCLEO-F411RE, sure', () => {
    const g = guessChip(stm32, 'thumbv7em-none-eabihf');
    assert.equal(g.board, 'nucleo-f411re');
    assert.equal(g.sure, true);
    assert.equal(guessChip(stm32, undefined).sure, true);
  });

  it('FLASH at 0x08000000 but bigger than the F411 has, or an ARMv6-M target: suggested, not sure', () => {
    const big = [{ name: 'FLASH', origin: 0x08000000, length: 1024 * 1024 }, stm32[1]];
    assert.deepEqual({ ...guessChip(big, undefined), why: '' }, { board: 'nucleo-f411re', sure: false, why: '' });
    assert.equal(guessChip(stm32, 'thumbv6m-none-eabi').sure, false);
  });

  it('FLASH at 0: the generic core of the target triple', () => {
    assert.deepEqual([guessChip(generic, 'thumbv6m-none-eabi'), guessChip(generic, 'thumbv7m-none-eabi'), guessChip(generic, 'thumbv7em-none-eabihf')]
      .map((g) => [g.chip, g.sure]), [['cortex-m0', true], ['cortex-m3', true], ['cortex-m4', true]]);
  });

  it('unsure without a triple for flash at 0, or with nothing to go by', () => {
    assert.equal(guessChip(generic, undefined).sure, false);
    const nothing = guessChip(undefined, undefined);
    assert.equal(nothing.sure, false);
    assert.equal(nothing.board, 'nucleo-f411re');
    const tripleOnly = guessChip(undefined, 'thumbv7m-none-eabi');
    assert.deepEqual([tripleOnly.chip, tripleOnly.sure], ['cortex-m3', false]);
  });

  it('describes whole folders: quickstart for the F411, and a generic ARMv6-M one', () => {
    const f411 = folder({
      'Cargo.toml': '[package]\nname = "blinky"\n',
      'memory.x': STM32_MEMORY_X,
      '.cargo/config.toml': '[target.\'cfg(all(target_arch = "arm", target_os = "none"))\']\nrustflags = ["-C", "link-arg=-Tlink.x"]\n\n[build]\ntarget = "thumbv7em-none-eabihf" # Cortex-M4F\n',
    });
    const a = describeFirmwareFolder(f411);
    assert.equal(a.linkerScript, path.join(f411, 'memory.x'));
    assert.equal(a.triple, 'thumbv7em-none-eabihf');
    assert.deepEqual([a.guess.board, a.guess.sure], ['nucleo-f411re', true]);

    const m0 = folder({ 'Cargo.toml': '', 'memory.x': GENERIC_MEMORY_X, '.cargo/config': '[build]\ntarget = "thumbv6m-none-eabi"\n' });
    const b = describeFirmwareFolder(m0);
    assert.deepEqual([b.guess.chip, b.guess.sure], ['cortex-m0', true]);

    const broken = folder({ 'memory.x': 'MEMORY { FLASH : ORIGIN = ' });
    assert.equal(describeFirmwareFolder(broken).guess.sure, false, 'a script that does not parse is no evidence');
  });
});
