// The value reader over statics of many Rust and C types (data/values.rs, data/values.c), read from
// the initial images in the ELFs. Expected strings were checked against gdb's `print` (see
// data/README.md); only the spelling differs (ours: `Some(3)`, gdb: `core::option::Option<u32>::Some(3)`).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElf, type ElfFile } from '../../../src/debuginfo/elf';
import { DebugInfo } from '../../../src/debuginfo/debuginfo';
import { bitFieldAt, readVariable, valueAt, type Value, type ValueTarget } from '../../../src/debuginfo/values';

function imageTarget(elf: ElfFile): ValueTarget {
  return {
    readMemory(address, length) {
      for (const s of elf.sections) {
        if (s.addr === 0 || address < s.addr || address + length > s.addr + s.size) continue;
        return s.type === 8 ? new Uint8Array(length) : s.data().slice(address - s.addr, address - s.addr + length); // SHT_NOBITS: zeros
      }
      return undefined;
    },
    readRegister: () => undefined,
  };
}

function load(file: string) {
  const elf = readElf(new Uint8Array(readFileSync(join(__dirname, 'data', file))));
  const di = new DebugInfo(elf);
  const target = imageTarget(elf);
  const read = (name: string, options = {}): Value => {
    const g = di.globals().find((v) => v.name === name);
    assert.ok(g, `no global ${name}`);
    return readVariable(di, g, 0, target, options);
  };
  return { di, target, read };
}

describe('debuginfo/values: Rust', () => {
  const { read } = load('values-rust.elf');
  const cases: Array<[string, string, string]> = [
    ['S_U8', 'u8', '200'],
    ['S_I8', 'i8', '-5'],
    ['S_U16', 'u16', '65000'],
    ['S_I16', 'i16', '-300'],
    ['S_U32', 'u32', '4000000000'],
    ['S_I32', 'i32', '-70000'],
    ['S_U64', 'u64', '1099511627776'],
    ['S_I64', 'i64', '-3'],
    ['S_U128', 'u128', '1267650600228229401496703205376'],
    ['S_F32', 'f32', '1.5'],
    ['S_F32B', 'f32', '0.1'],
    ['S_F64', 'f64', '-2.25'],
    ['S_BOOL', 'bool', 'true'],
    ['S_CHAR', 'char', "233 'é'"],
    ['S_UNIT', '()', '()'],
    ['S_POINT', 'Point', 'Point { x: 3, y: -4 }'],
    ['S_WRAPPER', 'Wrapper', 'Wrapper(5, false)'],
    ['S_TUPLE', '(u8, i32, bool)', '(1, -2, true)'],
    ['S_ARR', '[u16; 4]', '[10, 20, 30, 40]'],
    ['S_ARR2', '[[u8; 3]; 2]', '[[1, 2, 3], [4, 5, 6]]'],
    ['S_BIG_ARR', '[u32; 40]', '[7, 7, 7, 7, 7, 7, 7, 7, 7, 7, …]'],
    ['S_STR', '&str', '"hello"'],
    ['S_SLICE', '&[u32]', '[1, 2, 3]'],
    ['S_OPT_SOME', 'Option<u32>', 'Some(3)'],
    ['S_OPT_NONE', 'Option<u32>', 'None'],
    ['S_OPT_REF_NONE', 'Option<&u32>', 'None'],
    ['S_OPT_NZ', 'Option<core::num::nonzero::NonZeroU32>', 'Some(NonZeroU32(7))'],
    ['S_OPT_NZ_NONE', 'Option<core::num::nonzero::NonZeroU32>', 'None'],
    ['S_OPT_BOOL', 'Option<bool>', 'Some(true)'],
    ['S_OPT_BOOL_NONE', 'Option<bool>', 'None'],
    ['S_NESTED', 'Option<core::option::Option<u8>>', 'Some(None)'],
    ['S_RES_OK', 'Result<u32, i8>', 'Ok(9)'],
    ['S_RES_ERR', 'Result<u32, i8>', 'Err(-1)'],
    ['S_SHAPE_CIRCLE', 'Shape', 'Circle { r: 8 }'],
    ['S_SHAPE_RECT', 'Shape', 'Rect(2, 3)'],
    ['S_SHAPE_EMPTY', 'Shape', 'Empty'],
    ['S_COLOR', 'Color', 'Green'],
    ['S_OPT_STR', 'Option<&str>', 'Some("hi")'],
  ];
  for (const [name, type, summary] of cases) {
    it(`${name}: ${summary}`, () => {
      const v = read(name);
      assert.equal(v.summary, summary);
      assert.equal(v.typeName, type);
    });
  }

  it('pointers show the address and expand to the pointee', () => {
    const point = read('S_POINT');
    const ref = read('S_REF');
    assert.equal(ref.summary, `0x${point.address!.toString(16).padStart(8, '0')}`);
    assert.ok(ref.expandable);
    const [pointee] = ref.children();
    assert.equal(pointee.name, '*S_REF');
    assert.equal(pointee.summary, 'Point { x: 3, y: -4 }');
    assert.equal(read('S_OPT_REF').summary, `Some(${read('S_U32').location})`);
  });

  it('structs, tuples and enum variants expand to their fields, at their addresses', () => {
    const p = read('S_POINT');
    assert.deepEqual(p.children().map((c) => `${c.name}: ${c.typeName} = ${c.summary}`), ['x: i32 = 3', 'y: i16 = -4']);
    assert.equal(p.children()[1].address, p.address! + 4);
    const rect = read('S_SHAPE_RECT');
    assert.deepEqual(rect.children().map((c) => `${c.name} = ${c.summary}`), ['__0 = 2', '__1 = 3']);
    assert.deepEqual(read('S_OPT_SOME').children().map((c) => c.summary), ['3']);
    assert.deepEqual(read('S_OPT_NONE').children(), []);
    assert.equal(read('S_SHAPE_EMPTY').expandable, true);
  });

  it('arrays and slices list their elements, capped', () => {
    const arr2 = read('S_ARR2');
    assert.deepEqual(arr2.children().map((c) => c.summary), ['[1, 2, 3]', '[4, 5, 6]']);
    assert.deepEqual(arr2.children()[1].children().map((c) => c.summary), ['4', '5', '6']);
    assert.equal(arr2.children()[1].address, arr2.address! + 3);
    assert.equal(read('S_BIG_ARR', { maxChildren: 16 }).children().length, 16);
    assert.equal(read('S_BIG_ARR', { summaryElements: 2 }).summary, '[7, 7, …]');
    assert.deepEqual(read('S_SLICE').children().map((c) => c.summary), ['1', '2', '3']);
    assert.equal(read('S_STR', { stringLimit: 3 }).summary, '"hel"…');
  });

  it('pages sequences: indexedCount and children(start, count), past maxChildren', () => {
    const big = read('S_BIG_ARR', { maxChildren: 16 });
    assert.equal(big.indexedCount, 40);
    assert.deepEqual(big.children(38, 5).map((c) => `${c.name}=${c.summary}`), ['[38]=7', '[39]=7']);
    assert.equal(big.children(20, 2)[0].address, big.address! + 80);
    assert.equal(read('S_SLICE').indexedCount, 3);
    assert.deepEqual(read('S_SLICE').children(1, 1).map((c) => `${c.name}=${c.summary}`), ['[1]=2']);
    assert.deepEqual(read('S_ARR2').children(1, 1)[0].children(2, 1).map((c) => c.summary), ['6']);
    assert.equal(read('S_STR').indexedCount, undefined);
    assert.equal(read('S_POINT').indexedCount, undefined);
  });

  it('formats: integers in hex on request, pointees behind an arrow, numbers for scalars', () => {
    const arr = read('S_ARR');
    assert.equal(arr.summaryIn({ hex: true }), '[0xa, 0x14, 0x1e, 0x28]');
    assert.equal(arr.summary, '[10, 20, 30, 40]');
    assert.equal(read('S_I8').summaryIn({ hex: true }), '0xfb');
    assert.equal(read('S_BOOL').summaryIn({ hex: true }), 'true');
    const ref = read('S_REF', { pointees: true });
    assert.match(ref.summary, /^0x[0-9a-f]{8} → Point \{ x: 3, y: -4 \}$/);
    assert.equal(ref.numeric(), read('S_POINT').address);
    assert.equal(read('S_I32').numeric(), -70000);
    assert.equal(read('S_F64').numeric(), -2.25);
    assert.equal(read('S_POINT').numeric(), undefined);
  });
});

describe('debuginfo/values: C', () => {
  const { read, target } = load('values-c.elf');
  const cases: Array<[string, string]> = [
    ['c_char', "65 'A'"],
    ['c_uchar', "250 '\\xfa'"],
    ['c_short', '-12'],
    ['c_ull', '10000000000'],
    ['c_ll', '-5'],
    ['c_float', '0.5'],
    ['c_double', '3.25'],
    ['c_bool', 'true'],
    ['c_color', 'BLUE'],
    ['c_color_bad', '9'],
    ['c_flags', '{a = 5, b = -3, c = 1, d = 48879, e = 291}'],
    ['c_point', '{x = 7, y = -8}'],
    ['c_word', '{u = 1065353216, b = "\\x00\\x00\\x80?", f = 1}'],
    ['c_matrix', '{{1, 2, 3}, {4, 5, 6}}'],
    ['c_text', '"abc"'],
    ['c_null', '0x00000000'],
    ['c_fn', '0x00000000'],
  ];
  for (const [name, summary] of cases) {
    it(`${name}: ${summary}`, () => assert.equal(read(name).summary, summary));
  }

  it('char pointers show their text; struct pointers expand', () => {
    assert.match(read('c_msg').summary, /^0x2000[0-9a-f]{4} "hi there"$/);
    const node1 = read('c_node1');
    assert.match(node1.summary, /^\{p = \{x = 3, y = 4\}, label = 0x[0-9a-f]{8} "one", next = 0x[0-9a-f]{8}, c = GREEN\}$/);
    const next = node1.children().find((c) => c.name === 'next')!;
    assert.equal(next.children()[0].summary.startsWith('{p = {x = 1, y = 2}, label = '), true);
    assert.deepEqual(read('c_null').children(), []);
    assert.equal(read('c_fn').expandable, false);
  });

  it('bitfields read their bits, signed ones sign-extended, and say where they are', () => {
    const f = read('c_flags');
    const [a, b, c, d, e] = f.children();
    assert.deepEqual([a.summary, b.summary, c.summary, d.summary, e.summary], ['5', '-3', '1', '48879', '291']);
    assert.equal(a.location, `0x${f.address!.toString(16)} bits 0..2`);
    assert.equal(b.location, `0x${f.address!.toString(16)} bits 3..7`);
    assert.equal(a.address, undefined);
  });

  it('a bitfield re-read from the place its bitField names', () => {
    const f = read('c_flags');
    const b = f.children()[1];
    const again = bitFieldAt('b', b.type, b.bitField!.address, b.bitField!.bitOffset, b.bitField!.bitSize, target);
    assert.equal(again.summary, '-3');
    assert.equal(again.numeric(), -3);
    assert.equal(again.location, b.location);
  });
});

describe('debuginfo/values: locations', () => {
  const { di, target } = load('values-rust.elf');
  const u64 = di.globals().find((v) => v.name === 'S_U64')!.type;
  const point = di.globals().find((v) => v.name === 'S_POINT')!.type;
  const regs = [7, 1, 0x20000050];
  const withRegs: ValueTarget = { ...target, readRegister: (n) => regs[n] };

  it('reads registers (a 64-bit value from a register pair), computed values and pieces', () => {
    assert.equal(valueAt('x', u64, { kind: 'register', register: 0 }, withRegs).summary, String(7 + 2 ** 32));
    assert.equal(valueAt('x', u64, { kind: 'register', register: 0 }, withRegs).location, 'r0');
    assert.equal(valueAt('x', u64, { kind: 'register', register: 5 }, withRegs).summary, '<unavailable>');
    assert.equal(valueAt('x', point, { kind: 'memory', address: 0x20000050 }, withRegs).summary, 'Point { x: 3, y: -4 }');
    const pieces = valueAt('p', point, { kind: 'pieces', pieces: [{ location: { kind: 'register', register: 1 }, sizeInBits: 32, offsetInBits: 0 }, { location: { kind: 'value', value: 0xfffe }, sizeInBits: 16, offsetInBits: 0 }] }, withRegs);
    assert.equal(pieces.summary, 'Point { x: 1, y: -2 }');
    assert.equal(valueAt('x', u64, { kind: 'optimizedOut' }, withRegs).summary, '<optimized out>');
    assert.equal(valueAt('x', point, { kind: 'memory', address: 0x40000000 }, withRegs).summary, 'Point { x: <unavailable>, y: <unavailable> }');
  });
});
