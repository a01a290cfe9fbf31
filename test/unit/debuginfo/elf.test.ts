import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElf, ElfError, EM_ARM, PT_LOAD } from '../../../src/debuginfo/elf';

const tinyPath = join(__dirname, 'data', 'tiny.elf');
const tiny = new Uint8Array(readFileSync(tinyPath));

function patched(bytes: Uint8Array, offset: number, values: number[]): Uint8Array {
  const copy = bytes.slice();
  copy.set(values, offset);
  return copy;
}
function put32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

describe('debuginfo/elf', () => {
  it('reads the header, segments and sections of an ARM executable', () => {
    const elf = readElf(tiny, 'tiny.elf');
    assert.equal(elf.is64, false);
    assert.equal(elf.machine, EM_ARM);
    assert.equal(elf.entry, 0x08000059);
    const load = elf.segments.filter((s) => s.type === PT_LOAD);
    assert.ok(load.length >= 1);
    assert.equal(load[0].vaddr, 0x08000000);
    assert.equal(load[0].data.length, load[0].filesz);
    const text = elf.section('.text');
    assert.ok(text);
    assert.equal(text.addr, 0x08000000);
    assert.equal(text.data().length, text.size);
    const bss = elf.section('.bss');
    assert.ok(bss);
    assert.equal(bss.data().length, 0, 'NOBITS sections have no bytes');
    assert.ok(elf.sectionData('.debug_info')!.length > 0);
    assert.equal(elf.section('.nope'), undefined);
    assert.equal(elf.sectionData('.nope'), undefined);
    assert.equal(elf.sections[0].name, '');
  });

  it('reads symbols and clears the Thumb bit of function addresses', () => {
    const elf = readElf(tiny, 'tiny.elf');
    const main = elf.symbolByName('main');
    assert.ok(main);
    assert.equal(main.type, 'func');
    assert.equal(main.bind, 'global');
    assert.equal(main.value & 1, 1);
    assert.equal(main.address, main.value - 1);
    const counter = elf.symbolByName('counter');
    assert.equal(counter?.type, 'object');
    assert.equal(counter?.bind, 'local');
    assert.equal(counter?.address, 0x20000000);
  });

  it('finds the symbol containing an address, ignoring mapping symbols', () => {
    const elf = readElf(tiny, 'tiny.elf');
    const main = elf.symbolByName('main')!;
    assert.equal(elf.symbolAt(main.address)?.name, 'main');
    assert.equal(elf.symbolAt(main.address + main.size - 2)?.name, 'main');
    assert.equal(elf.symbolAt(0x08000000)?.name, 'vectors');
    assert.equal(elf.symbolAt(0x20000002)?.name, 'counter');
    assert.equal(elf.symbolAt(0x07000000), undefined);
  });

  it('rejects bad magic, big-endian, and unknown class with a message naming the file', () => {
    assert.throws(() => readElf(patched(tiny, 0, [0x7f, 0x45, 0x4c, 0x47]), 'x.elf'), (e: Error) => e instanceof ElfError && /x\.elf.*magic/.test(e.message));
    assert.throws(() => readElf(patched(tiny, 5, [2]), 'x.elf'), /big-endian/);
    assert.throws(() => readElf(patched(tiny, 4, [3]), 'x.elf'), /class/);
    assert.throws(() => readElf(new Uint8Array(10), 'short.elf'), /short\.elf.*past the end/);
  });

  it('rejects section headers past the end of the file', () => {
    assert.throws(() => readElf(tiny.subarray(0, tiny.length - 20), 't.elf'), (e: Error) => e instanceof ElfError && /section header table/.test(e.message));
    // e_shoff (offset 32) pointing far away.
    assert.throws(() => readElf(put32(tiny, 32, 0x100000), 't.elf'), /section header/);
  });

  it('rejects string table offsets out of range', () => {
    const elf = readElf(tiny);
    const shoff = new DataView(tiny.buffer, tiny.byteOffset).getUint32(32, true);
    // sh_name of section 1 → huge.
    assert.throws(() => readElf(put32(tiny, shoff + 40, 0xfffff), 't.elf'), /string offset 0xfffff is past the end/);
    // a symbol's st_name → huge.
    const symtab = elf.section('.symtab')!;
    assert.throws(() => readElf(put32(tiny, symtab.offset + 16 * 3, 0xfffff), 't.elf'), /name of symbol 3/);
  });

  it('rejects section data past the end of the file', () => {
    const shoff = new DataView(tiny.buffer, tiny.byteOffset).getUint32(32, true);
    // sh_size of section 1 (.text) → huge.
    assert.throws(() => readElf(put32(tiny, shoff + 40 + 20, 0x7fffffff), 't.elf'), /section 1 data/);
  });
});

describe('debuginfo/elf (ELF64)', () => {
  it('reads a 64-bit little-endian relocatable object', () => {
    const elf = readElf(new Uint8Array(readFileSync(join(__dirname, 'data', 'host64.o'))), 'host64.o');
    assert.equal(elf.is64, true);
    assert.equal(elf.type, 1);
    assert.ok(elf.section('.text'));
    const f = elf.symbolByName('answer');
    assert.equal(f?.type, 'func');
    assert.equal(f?.address, f?.value, 'no Thumb bit outside ARM');
    assert.ok(elf.sectionData('.debug_info')!.length > 0);
  });
});
