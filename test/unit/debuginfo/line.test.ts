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

describe('debuginfo/dwarf/line: a hand-built DWARF 5 program', () => {
  // .debug_line_str: "/proj\0src\0main.c\0util.h\0"
  const lineStr = new TextEncoder().encode('/proj\0src\0main.c\0util.h\0');
  const md5a = Array.from({ length: 16 }, (_, i) => i);
  const md5b = Array.from({ length: 16 }, (_, i) => 0xf0 + i);
  const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
  const afterHeaderLength = [
    2, 1, 1, 0xfb, 14, 13, // min_inst 2, max_ops 1, default_is_stmt, line_base -5, line_range 14, opcode_base 13
    0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, // standard_opcode_lengths
    1, 0x01, 0x1f, // directory format: path as line_strp
    2, ...u32(0), ...u32(6), // "/proj", "src"
    3, 0x01, 0x1f, 0x02, 0x0f, 0x05, 0x1e, // file format: path, directory_index (udata), MD5 (data16)
    2, ...u32(10), 0, ...md5a, ...u32(17), 1, ...md5b,
  ];
  const program = [
    0, 5, 2, ...u32(0x08000100), // set_address
    4, 0, // set_file 0 (main.c)
    3, 9, // advance_line +9 → 10
    1, // copy
    33, // special: +1 op (2 bytes), +1 line
    10, 33, // prologue_end, special
    4, 1, 5, 7, 2, 2, 1, // file 1, column 7, advance_pc 2 ops, copy
    6, 9, 6, 0, 1, // negate_stmt, fixed_advance_pc 6, copy
    2, 1, 0, 1, 1, // advance_pc 1 op, end_sequence
  ];
  const unit = [5, 0, 4, 0, ...u32(afterHeaderLength.length), ...afterHeaderLength, ...program];
  const line = new Uint8Array([...u32(unit.length), ...unit]);
  const table = LineTable.read({ line, lineStr, addressSize: 4 });

  it('reads directory and file entry formats, line_strp paths and MD5', () => {
    const p = table.programs[0];
    assert.equal(p.version, 5);
    assert.deepEqual(p.directories, ['/proj', '/proj/src']);
    assert.equal(p.file(0)?.path, '/proj/main.c');
    assert.equal(p.file(1)?.path, '/proj/src/util.h');
    assert.deepEqual(Array.from(p.file(1)!.md5!), md5b);
  });

  it('runs the state machine into rows and one sequence', () => {
    const p = table.programs[0];
    const rows = p.rows();
    const got = Array.from({ length: rows.count }, (_, i) => rows.row(i)).map((r) => [r.address - 0x08000100, r.file, r.line, r.column, r.isStmt, r.prologueEnd, r.endSequence]);
    assert.deepEqual(got, [
      [0, 0, 10, 0, true, false, false],
      [2, 0, 11, 0, true, false, false],
      [4, 0, 12, 0, true, true, false],
      [8, 1, 12, 7, true, false, false],
      [14, 1, 12, 7, false, false, false],
      [16, 1, 12, 7, false, false, true],
    ]);
    assert.deepEqual(p.sequences(), [{ start: 0x08000100, end: 0x08000110, firstRow: 0, endRow: 5 }]);
  });

  it('answers queries', () => {
    assert.equal(table.find(0x08000103)?.line, 11);
    assert.equal(table.find(0x0800010f)?.file?.path, '/proj/src/util.h');
    assert.equal(table.find(0x08000110), undefined);
    assert.equal(table.prologueEnd(0x08000100, 0x08000110), 0x08000104);
    assert.deepEqual(table.addressesFor('main.c', 11), { line: 11, addresses: [0x08000102] });
  });

  it('reports a truncated header with the section and offset', () => {
    assert.throws(() => LineTable.read({ line: line.subarray(0, 30), addressSize: 4 }), /\.debug_line: offset 0x0: unit length/);
  });
});
