import { strict as assert } from 'node:assert';
import type { ElfFile, ElfSection } from '../../../src/debuginfo/elf';
import {
  ExidxTable,
  SHT_ARM_EXIDX,
  decodeExidxOpcodes,
  describeExidxOp,
  prel31,
  runExidxOpcodes,
} from '../../../src/debuginfo/arm-exidx';

const describe_ = (bytes: number[]) => decodeExidxOpcodes(new Uint8Array(bytes)).map((i) => describeExidxOp(i.op));

/** A stack of words at `base` and a reader over it. */
function stack(base: number, words: number[]) {
  return (address: number): number | null => {
    const i = (address - base) / 4;
    return Number.isInteger(i) && i >= 0 && i < words.length ? words[i] : null;
  };
}

function regs(values: Record<number, number>): Uint32Array {
  const r = new Uint32Array(16);
  for (const [k, v] of Object.entries(values)) r[Number(k)] = v;
  return r;
}

function section(name: string, type: number, addr: number, bytes: Uint8Array, flags = 0x2): ElfSection {
  return { name, type, flags, addr, offset: 0, size: bytes.length, index: 0, link: 0, info: 0, addralign: 4, entsize: 0, data: () => bytes };
}

function words(list: number[]): Uint8Array {
  const out = new Uint8Array(list.length * 4);
  const v = new DataView(out.buffer);
  list.forEach((w, i) => v.setUint32(4 * i, w >>> 0, true));
  return out;
}

function fakeElf(sections: ElfSection[]): ElfFile {
  return {
    fileName: 'fake.elf', is64: false, type: 2, machine: 40, flags: 0, entry: 0, segments: [], sections, symbols: [],
    section: (n) => sections.find((s) => s.name === n),
    sectionData: (n) => sections.find((s) => s.name === n)?.data(),
    symbolAt: () => undefined,
    symbolByName: () => undefined,
  };
}

/** prel31 field pointing from `place` to `target`. */
const rel = (place: number, target: number) => (target - place) & 0x7fffffff;

describe('ARM exception index: opcodes', () => {
  it('decodes every opcode class (EHABI 10.3)', () => {
    assert.deepEqual(describe_([0x00, 0x02, 0x3f, 0x40, 0x7f]), ['vsp = vsp + 4', 'vsp = vsp + 12', 'vsp = vsp + 256', 'vsp = vsp - 4', 'vsp = vsp - 256']);
    assert.deepEqual(describe_([0x80, 0x00]), ['refuse to unwind']);
    assert.deepEqual(describe_([0x88, 0x08]), ['pop {r7, r15}']);
    assert.deepEqual(describe_([0x8f, 0xff]), ['pop {r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15}']);
    assert.deepEqual(describe_([0x97, 0x9d, 0x9f]), ['vsp = r7', 'spare', 'spare']);
    assert.deepEqual(describe_([0xa0, 0xa3, 0xa8, 0xaf]), ['pop {r4}', 'pop {r4, r5, r6, r7}', 'pop {r4, r14}', 'pop {r4, r5, r6, r7, r8, r9, r10, r11, r14}']);
    assert.deepEqual(describe_([0xb1, 0x0f, 0xb1, 0x00, 0xb1, 0x10]), ['pop {r0, r1, r2, r3}', 'spare', 'spare']);
    assert.deepEqual(describe_([0xb2, 0x15, 0xb2, 0x81, 0x01]), ['vsp = vsp + 600', 'vsp = vsp + 1032']);
    assert.deepEqual(describe_([0xb3, 0x12, 0xb4, 0xb8, 0xbf]), ['pop {D1-D3}', 'spare', 'pop {D8}', 'pop {D8-D15}']);
    assert.deepEqual(describe_([0xc0, 0xc6, 0x23, 0xc7, 0x05, 0xc8, 0x01, 0xc9, 0x81, 0xca, 0xd0, 0xd7, 0xd8, 0xff]),
      ['pop {wR10}', 'pop {wR2-wR5}', 'pop {wCGR0, wCGR2}', 'pop {D16-D17}', 'pop {D8-D9}', 'spare', 'pop {D8}', 'pop {D8-D15}', 'spare', 'spare']);
  });

  it('stops at "finish"; truncated operands are spare', () => {
    assert.deepEqual(describe_([0xa8, 0xb0, 0xb0]), ['pop {r4, r14}', 'finish']);
    assert.deepEqual(describe_([0x84]), ['spare']);
    assert.deepEqual(describe_([0xb2, 0x80]), ['spare']);
  });

  it('prel31 sign-extends bit 30', () => {
    assert.equal(prel31(0x10, 0x1000), 0x1010);
    assert.equal(prel31(0x7ffffff0, 0x1000), 0x0ff0);
    assert.equal(prel31(0xfffffff0, 0x1000), 0x0ff0); // bit 31 is not part of the offset
  });
});

describe('ARM exception index: unwinding', () => {
  const SP = 0x20000f00;

  it('pops r4-r7 and r14, copying r14 to the PC on finish', () => {
    const ops = decodeExidxOpcodes(new Uint8Array([0x02, 0xab, 0xb0]));
    const read = stack(SP, [0, 0, 0, 0x44, 0x55, 0x66, 0x77, 0x08000101]);
    const r = runExidxOpcodes(ops, regs({ 13: SP, 14: 0x1234 }), 0xffff, read)!;
    assert.equal(r.cfa, SP + 32);
    assert.equal(r.registers[13], SP + 32);
    assert.deepEqual(Array.from(r.registers.subarray(4, 8)), [0x44, 0x55, 0x66, 0x77]);
    assert.equal(r.registers[14], 0x08000101);
    assert.equal(r.registers[15], 0x08000101);
  });

  it('takes the PC from a popped r15 instead of r14', () => {
    const ops = decodeExidxOpcodes(new Uint8Array([0x88, 0x08])); // pop {r7, r15}
    const r = runExidxOpcodes(ops, regs({ 13: SP, 14: 0xaaaa }), 0xffff, stack(SP, [7, 0x08000201]))!;
    assert.equal(r.registers[15], 0x08000201);
    assert.equal(r.registers[14], 0xaaaa);
    assert.equal(r.cfa, SP + 8);
  });

  it('vsp = r7 (frame pointer), then pop {r7, r14}', () => {
    const fp = SP + 0x40;
    const ops = decodeExidxOpcodes(new Uint8Array([0x97, 0x84, 0x08]));
    const r = runExidxOpcodes(ops, regs({ 7: fp, 13: SP }), 0xffff, stack(fp, [0x20000f80, 0x08000301]))!;
    assert.equal(r.registers[7], 0x20000f80);
    assert.equal(r.registers[15], 0x08000301);
    assert.equal(r.cfa, fp + 8);
  });

  it('a popped SP replaces the incremented vsp', () => {
    const ops = decodeExidxOpcodes(new Uint8Array([0x80, 0x0a, 0xb0])); // pop {r5, r7}... mask bits 1,3 -> r5, r7
    assert.deepEqual(ops.map((i) => describeExidxOp(i.op)), ['pop {r5, r7}', 'finish']);
    const withSp = decodeExidxOpcodes(new Uint8Array([0x82, 0x00])); // pop {r13}
    const r = runExidxOpcodes(withSp, regs({ 13: SP, 14: 0x0800_0401 }), 0xffff, stack(SP, [0x20000800]))!;
    assert.equal(r.cfa, 0x20000800);
  });

  it('skips VFP registers: VPUSH forms 8 bytes each, FSTMFDX one word more', () => {
    const vpush = runExidxOpcodes(decodeExidxOpcodes(new Uint8Array([0xc9, 0x81, 0xa8])), regs({ 13: SP }), 0xffff, stack(SP + 16, [4, 0x08000501]))!;
    assert.equal(vpush.registers[4], 4);
    assert.equal(vpush.registers[15], 0x08000501);
    assert.equal(vpush.cfa, SP + 24);
    const fstmfdx = runExidxOpcodes(decodeExidxOpcodes(new Uint8Array([0xb9])), regs({ 13: SP, 14: 0x08000601 }), 0xffff, stack(SP, []))!;
    assert.equal(fstmfdx.cfa, SP + 20);
  });

  it('pop r0-r3 under mask and large vsp increments', () => {
    const ops = decodeExidxOpcodes(new Uint8Array([0xb2, 0x15, 0xb1, 0x05, 0x84, 0x00]));
    const base = SP + 600;
    const r = runExidxOpcodes(ops, regs({ 13: SP }), 0xffff, stack(base, [10, 12, 0x08000701]))!;
    assert.equal(r.registers[0], 10);
    assert.equal(r.registers[2], 12);
    assert.equal(r.registers[15], 0x08000701);
    assert.equal(r.cfa, base + 12);
  });

  it('fails on refuse, spare, unreadable stack, unknown registers', () => {
    const run = (bytes: number[], known = 0xffff) => runExidxOpcodes(decodeExidxOpcodes(new Uint8Array(bytes)), regs({ 13: SP }), known, stack(SP, [1]));
    assert.equal(run([0x80, 0x00]), null);
    assert.equal(run([0x9d]), null);
    assert.equal(run([0xa1]), null); // pop {r4, r5}: the second word is not readable
    assert.equal(run([0x97], 0xffff & ~(1 << 7)), null);
    assert.equal(run([0xb0], 0xffff & ~(1 << 14)), null); // no return address
  });
});

describe('ARM exception index: tables', () => {
  // Code at 0x1000..0x1100; index at 0x2000, extab at 0x3000.
  const IDX = 0x2000;
  const TAB = 0x3000;
  const extab = words([
    0x8102ab02, // Lu16: 2 more words; bytes ab 02 ...
    0x84080000 | 0xb0b0, // ... 84 08 b0 b0
    0xb0b0b0b0,
    rel(TAB + 12, 0x1200), // generic: personality at 0x1200
    0x0197a8b0, // one more word; bytes 97 a8 b0
    0xb0b0b0b0,
  ]);
  const index = words([
    rel(IDX, 0x1000), 0x80a8b0b0, // inline Su16: pop {r4, r14}
    rel(IDX + 8, 0x1020), 0x1, // cantunwind
    rel(IDX + 16, 0x1041), rel(IDX + 20, TAB), // Thumb bit in the function address is ignored
    rel(IDX + 24, 0x1080), rel(IDX + 28, TAB + 12),
  ]);
  const elf = fakeElf([
    section('.text', 1, 0x1000, new Uint8Array(0x100), 0x6),
    section('.ARM.exidx', SHT_ARM_EXIDX, IDX, index),
    section('.ARM.extab', 1, TAB, extab),
  ]);
  const table = ExidxTable.read(elf)!;

  it('reads inline, cantunwind, compact extab and generic entries with their ranges', () => {
    assert.deepEqual(table.entries.map((e) => [e.start, e.end, e.model, e.personalityIndex]), [
      [0x1000, 0x1020, 'compact', 0],
      [0x1020, 0x1040, 'cantunwind', undefined],
      [0x1040, 0x1080, 'compact', 1],
      [0x1080, 0x1100, 'generic', undefined],
    ]);
    assert.equal(table.entries[3].personality, 0x1200);
    assert.equal(table.entries[2].extabAddress, TAB);
    assert.deepEqual(table.instructions(table.entries[2]).map((i) => describeExidxOp(i.op)), ['pop {r4, r5, r6, r7, r14}', 'vsp = vsp + 12', 'pop {r7, r14}', 'finish']);
    assert.deepEqual(table.instructions(table.entries[3]).map((i) => describeExidxOp(i.op)), ['vsp = r7', 'pop {r4, r14}', 'finish']);
  });

  it('finds the entry for an address', () => {
    assert.equal(table.entryFor(0x0fff), undefined);
    assert.equal(table.entryFor(0x1000)?.start, 0x1000);
    assert.equal(table.entryFor(0x107f)?.start, 0x1040);
    assert.equal(table.entryFor(0x10ff)?.start, 0x1080);
    assert.equal(table.entryFor(0x1100), undefined);
  });

  it('unwinds through an entry, and not through cantunwind', () => {
    const r = table.unwind(0x1004, regs({ 13: 0x20000100 }), 0xffff, stack(0x20000100, [0x4444, 0x08000801]))!;
    assert.equal(r.registers[4], 0x4444);
    assert.equal(r.registers[15], 0x08000801);
    assert.equal(r.cfa, 0x20000108);
    assert.equal(table.unwind(0x1024, regs({ 13: 0x20000100, 14: 1 }), 0xffff, () => 0), null);
  });

  it('is absent without an index section, and rejects an index outside the file', () => {
    assert.equal(ExidxTable.read(fakeElf([section('.text', 1, 0x1000, new Uint8Array(4), 0x6)])), null);
    const bad = fakeElf([section('.ARM.exidx', SHT_ARM_EXIDX, IDX, words([rel(IDX, 0x1000), rel(IDX + 4, 0x9000)]))]);
    assert.throws(() => ExidxTable.read(bad), /outside the file's sections/);
  });
});
