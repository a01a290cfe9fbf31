// The memory-map panel's payload: regions and sections of real fixtures laid out from their linker
// scripts, and the stack high-water mark checked against the true deepest SP (tracked instruction
// by instruction here, which the panel itself never does).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { computeMemoryMap, paintStack, stackHighWater, STACK_PAINT, type MemoryMapInputs } from '../../../src/adapter/memory-map';
import { readElf } from '../../../src/debuginfo/elf';
import { demangle } from '../../../src/debuginfo/demangle';
import { evaluate } from '../../../src/linker/evaluator';
import { parseScriptFile } from '../../../src/linker/include';
import { Machine } from '../../../src/emulator/machine';
import { chipById, chipForBoard } from '../../../src/emulator/chips/index';

const FIXTURES = path.join(__dirname, '../../fixtures/firmware');
const RUST = path.join(FIXTURES, 'rust');

function rustLayout(elfName: string): MemoryMapInputs {
  const elf = readElf(fs.readFileSync(path.join(RUST, elfName)), path.join(RUST, elfName));
  const script = parseScriptFile(path.join(RUST, 'rt/link.x'), [RUST]);
  return { elf, layout: evaluate(script, { linked: elf }), linkerScript: path.join(RUST, 'rt/link.x'), demangle };
}

/** Runs a fixture to its exit, tracking the lowest SP after every instruction (the reference). */
function runTracked(chipId: string, elfRel: string, paint: boolean): { m: Machine; minSp: number; elfPath: string } {
  const elfPath = path.join(FIXTURES, elfRel);
  const m = new Machine(chipById(chipId));
  m.loadElf(fs.readFileSync(elfPath), elfPath);
  m.reset();
  if (paint) assert.ok(paintStack(m.elf!, m.cpu.r[13], (a, d) => m.writeMemory(a, d)));
  let minSp = m.cpu.r[13] >>> 0;
  const r = m.run({ maxInstructions: 20_000_000, until: () => { const sp = m.cpu.r[13] >>> 0; if (sp < minSp) minSp = sp; return false; } });
  assert.equal(r.reason, 'exit', `${elfRel}: ${r.reason} ${r.message ?? ''}`);
  return { m, minSp, elfPath };
}

describe('memory map payload', () => {
  it('places the blinky sections in FLASH and RAM with script lines and the .data load image', () => {
    const map = computeMemoryMap(rustLayout('blinky.elf'));
    assert.deepEqual(map.regions.map((r) => [r.name, r.origin, r.length]), [['FLASH', 0x08000000, 512 * 1024], ['RAM', 0x20000000, 128 * 1024]]);
    const flash = map.regions[0];
    const names = flash.sections.map((s) => s.name + (s.loadImage ? '@load' : ''));
    assert.deepEqual(names.slice(0, 2), ['.vector_table', '.text']);
    assert.ok(names.includes('.data@load'));
    const text = flash.sections.find((s) => s.name === '.text')!;
    assert.equal(text.kind, 'code');
    assert.equal(text.source?.file, path.join(RUST, 'rt/link.x'));
    assert.equal(text.source?.line, fs.readFileSync(path.join(RUST, 'rt/link.x'), 'utf8').split('\n').findIndex((l) => l.includes('.text :')) + 1);
    assert.ok(text.symbols.length > 0 && text.symbols[0].size >= text.symbols[text.symbols.length - 1].size);
    assert.ok(text.symbols.some((s) => s.name === 'blinky::main' || s.name.endsWith('main')), text.symbols.map((s) => s.name).join());
    const ram = map.regions[1];
    assert.ok(ram.sections.some((s) => s.name === '.data' && !s.loadImage));
    // Region usage agrees with the evaluator's ld-style count.
    const layoutUsage = rustLayout('blinky.elf').layout!.memoryUsage();
    assert.deepEqual(map.regions.map((r) => r.used), layoutUsage.map((u) => u.used));
    assert.equal(map.stack?.top, 0x20020000);
    assert.equal(map.live, false);
    assert.equal(map.stack?.highWater, undefined);
  });

  it('falls back to the chip regions without a linker script', () => {
    const { elf } = rustLayout('hello.elf');
    const map = computeMemoryMap({ elf, fallbackRegions: [{ name: 'FLASH', origin: 0x08000000, length: 0x80000 }, { name: 'RAM', origin: 0x20000000, length: 0x20000 }] });
    assert.ok(map.regions[0].sections.length >= 3);
    assert.deepEqual(map.warnings, []);
  });

  it('finds the #[global_allocator] heap of rust/alloc and how much of it was used', () => {
    const { m } = runTracked(chipForBoard('nucleo-f411re').id, 'rust/alloc.elf', false);
    const inputs = { ...rustLayout('alloc.elf'), readSp: () => m.cpu.r[13], readMemory: (a: number, n: number) => m.readMemory(a, n) };
    const map = computeMemoryMap(inputs);
    assert.ok(map.heap, 'heap found');
    assert.match(map.heap.name, /HEAP/);
    assert.ok(map.heap.end - map.heap.start >= 8 * 1024);
    assert.ok((map.heap.used ?? 0) > 0 && (map.heap.used ?? 0) <= 8 * 1024);
  });

  for (const [chip, elf] of [
    [chipForBoard('nucleo-f411re').id, 'rust/hello.elf'],
    [chipForBoard('nucleo-f411re').id, 'rust/interrupts.elf'],
    ['cortex-m3', 'c/m3/hello.elf'],
    ['cortex-m0', 'c/m0/interrupts.elf'],
  ] as const) {
    it(`high-water mark of ${elf} (painted stack) is the deepest SP the program reached`, () => {
      const { m, minSp } = runTracked(chip, elf, true);
      const map = computeMemoryMap({ elf: m.elf!, readSp: () => m.cpu.r[13], readMemory: (a, n) => m.readMemory(a, n) });
      assert.ok(map.stack?.highWater !== undefined);
      assert.equal(map.stack.method, 'paint');
      // Every word from the deepest SP up was pushed; the deepest frame may reserve a few words it
      // never writes (sub sp without a store), so the mark may sit that little above min SP.
      assert.ok(map.stack.highWater >= minSp, `mark 0x${map.stack.highWater.toString(16)} below min SP 0x${minSp.toString(16)}`);
      assert.ok(map.stack.highWater - minSp <= 32, `mark 0x${map.stack.highWater.toString(16)} vs min SP 0x${minSp.toString(16)}`);
      assert.equal(map.stack.collision, false);
    });
  }

  it('high-water mark without painting (zeroed RAM) is close to the deepest SP', () => {
    const { m, minSp } = runTracked(chipForBoard('nucleo-f411re').id, 'rust/hello.elf', false);
    const map = computeMemoryMap({ elf: m.elf!, readSp: () => m.cpu.r[13], readMemory: (a, n) => m.readMemory(a, n) });
    assert.equal(map.stack?.method, 'zero');
    assert.ok(map.stack!.highWater! >= minSp && map.stack!.highWater! - minSp <= 64);
  });

  it('warns when the stack reaches the data below it', () => {
    const { elf } = rustLayout('blinky.elf');
    const map0 = computeMemoryMap({ elf, readSp: () => 0x20020000 });
    const limit = map0.stack!.limit;
    const map = computeMemoryMap({ elf, readSp: () => limit - 8, readMemory: () => undefined });
    assert.equal(map.stack?.collision, true);
    assert.ok(map.warnings.some((w) => /the stack has reached \.data/.test(w)), map.warnings.join());
  });

  it('stackHighWater scans up from the limit for the first word that is not the untouched value', () => {
    const mem = new Uint8Array(64);
    const view = new DataView(mem.buffer);
    for (let i = 0; i < 64; i += 4) view.setUint32(i, STACK_PAINT, true);
    view.setUint32(40, 0, true); // a pushed zero still counts as written
    view.setUint32(44, 0x1234, true);
    const read = (a: number, n: number): Uint8Array => mem.slice(a - 0x1000, a - 0x1000 + n);
    assert.deepEqual(stackHighWater(read, 0x1000, 0x1040), { address: 0x1028, method: 'paint' });
    assert.equal(stackHighWater(read, 0x1040, 0x1040), undefined);
  });
});
