import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElf } from '../../../src/debuginfo/elf';
import { dwarfSectionsOf } from '../../../src/debuginfo/dwarf/sections';
import { LineTable, samePath } from '../../../src/debuginfo/dwarf/line';
import { DwarfReader, DwarfError } from '../../../src/debuginfo/dwarf/reader';

const tiny = readElf(new Uint8Array(readFileSync(join(__dirname, 'data', 'tiny.elf'))), 'tiny.elf');

describe('debuginfo/dwarf/reader', () => {
  it('reads LEB128 values and fixed-size integers', () => {
    const r = new DwarfReader(new Uint8Array([0xe5, 0x8e, 0x26, 0x7f, 0x80, 0x7f, 0x34, 0x12, 0xff, 0xff, 0xff, 0xff]), '.test');
    assert.equal(r.uleb(), 624485);
    assert.equal(r.sleb(), -1);
    assert.equal(r.sleb(), -128);
    assert.equal(r.u16(), 0x1234);
    assert.equal(r.i32(), -1);
    assert.ok(r.atEnd);
  });

  it('names the section and offset when a read runs past the end', () => {
    const r = new DwarfReader(new Uint8Array([1, 2, 3]), '.debug_foo', 1);
    assert.throws(() => r.u32(), (e: Error) => e instanceof DwarfError && /\.debug_foo: offset 0x1/.test(e.message));
    assert.throws(() => new DwarfReader(new Uint8Array([0x80, 0x80]), '.x').uleb(), /ULEB128 runs past the end/);
    assert.throws(() => new DwarfReader(new Uint8Array([0x41, 0x42]), '.x').cstr(), /not NUL-terminated/);
  });
});

describe('debuginfo/dwarf/line', () => {
  const table = LineTable.read(dwarfSectionsOf(tiny));

  it('maps addresses to file and line', () => {
    const main = tiny.symbolByName('main')!;
    const loc = table.find(main.address);
    assert.ok(loc);
    assert.match(loc.file!.path, /tiny\.c$/);
    assert.equal(loc.line, 12);
    assert.equal(table.find(0x08000000), undefined, 'the vector table has no line info');
  });

  it('finds breakpoint addresses for a line, or the next line with code', () => {
    const scale = tiny.symbolByName('scale')!;
    const five = table.addressesFor('tiny.c', 5); // the function's opening line has no code of its own here
    assert.ok(five.line >= 5);
    assert.ok(five.addresses.length > 0);
    assert.ok(five.addresses.every((a) => a >= scale.address && a < scale.address + scale.size));
    const fourteen = table.addressesFor('/somewhere/else/tiny.c', 14);
    assert.equal(fourteen.line, 14);
    assert.deepEqual(fourteen.addresses, [0x08000038]);
    assert.deepEqual(table.addressesFor('other.c', 14).addresses, []);
  });

  it('finds the end of a function prologue', () => {
    const main = tiny.symbolByName('main')!;
    assert.equal(table.prologueEnd(main.address, main.address + main.size), 0x0800002c);
  });

  it('compares paths by suffix', () => {
    assert.ok(samePath('/a/b/c.rs', 'b/c.rs'));
    assert.ok(samePath('src/main.rs', '/home/u/proj/src/main.rs'));
    assert.ok(!samePath('/a/bc.rs', 'c.rs'));
  });
});
