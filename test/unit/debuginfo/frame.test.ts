import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElf } from '../../../src/debuginfo/elf';
import { dwarfSectionsOf } from '../../../src/debuginfo/dwarf/sections';
import { FrameSection, FrameTable } from '../../../src/debuginfo/dwarf/frame';
import { DwarfError } from '../../../src/debuginfo/dwarf/reader';

/** Builds a section from entries: each entry's bytes get a 32-bit length prefix. */
function section(...entries: number[][]): Uint8Array {
  const out: number[] = [];
  for (const e of entries) {
    const n = e.length;
    out.push(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24, ...e);
  }
  return new Uint8Array(out);
}
const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];

// CIE: id 0xffffffff, version 3, "", caf 2, daf -4, ra 14, initial: def_cfa r13+0.
const cie = [...u32(0xffffffff), 3, 0, 2, 0x7c, 14, 0x0c, 13, 0];

describe('debuginfo/dwarf/frame', () => {
  it('runs every kind of CFA instruction into rows', () => {
    const fde = [
      ...u32(0), // CIE pointer
      ...u32(0x1000), // initial location
      ...u32(0x100), // range
      0x41, // advance_loc 1 (×2)
      0x0e, 8, // def_cfa_offset 8
      0x8e, 1, // offset r14, 1×-4
      0x84, 2, // offset r4, 2×-4
      0x0a, // remember_state
      0x02, 3, // advance_loc1 3 (×2)
      0x0d, 7, // def_cfa_register r7
      0x09, 5, 6, // register r5 in r6
      0x08, 8, // same_value r8
      0x07, 9, // undefined r9
      0x14, 10, 1, // val_offset r10, 1×-4
      0x03, 2, 0, // advance_loc2 2
      0x0b, // restore_state
      0xc4, // restore r4
      0x11, 11, 0x7e, // offset_extended_sf r11, -2×-4 = +8
      0x04, ...u32(1), // advance_loc4 1
      0x0f, 2, 0x7d, 0x00, // def_cfa_expression DW_OP_breg13 0
      0x16, 12, 1, 0x30, // val_expression r12, DW_OP_lit0
      0x00, 0x00,
    ];
    const s = new FrameSection(section(cie, fde), '.debug_frame', 4);
    assert.equal(s.fdes.length, 1);
    const rows = s.rows(s.fdes[0]);
    assert.deepEqual(rows.map((r) => [r.address, r.end]), [[0x1000, 0x1002], [0x1002, 0x1008], [0x1008, 0x100c], [0x100c, 0x100e], [0x100e, 0x1100]]);
    assert.deepEqual(rows[0].cfa, { kind: 'register', register: 13, offset: 0 });
    assert.deepEqual(rows[1].cfa, { kind: 'register', register: 13, offset: 8 });
    assert.deepEqual(rows[1].registers.get(14), { kind: 'offset', offset: -4 });
    assert.deepEqual(rows[2].cfa, { kind: 'register', register: 7, offset: 8 });
    assert.deepEqual(rows[2].registers.get(5), { kind: 'register', register: 6 });
    assert.deepEqual(rows[2].registers.get(8), { kind: 'same' });
    assert.deepEqual(rows[2].registers.get(9), { kind: 'undefined' });
    assert.deepEqual(rows[2].registers.get(10), { kind: 'valOffset', offset: -4 });
    // After restore_state: back to r13+8 with r4 and r14 saved; restore r4 → CIE's rule (none).
    assert.deepEqual(rows[3].cfa, { kind: 'register', register: 13, offset: 8 });
    assert.equal(rows[3].registers.has(4), false);
    assert.equal(rows[3].registers.has(5), false);
    assert.deepEqual(rows[3].registers.get(11), { kind: 'offset', offset: 8 });
    assert.equal(rows[4].cfa.kind, 'expression');
    assert.equal(rows[4].registers.get(12)?.kind, 'valExpression');
    assert.equal(s.rowAt(0x1009), rows[2]);
    assert.equal(s.rowAt(0x1100), undefined);
  });

  it('reads .eh_frame with zR augmentation and pc-relative pointers', () => {
    // CIE at 0: id 0, version 1, "zR", caf 2, daf -4, ra 14, aug length 1, FDE encoding pcrel|sdata4.
    const ehCie = [...u32(0), 1, 0x7a, 0x52, 0, 2, 0x7c, 14, 1, 0x1b, 0x0c, 13, 0, 0];
    // FDE at 4+ehCie.length: CIE pointer is relative to this field.
    const fdeAt = 4 + ehCie.length;
    const pcField = fdeAt + 8; // after length and CIE pointer
    const sectionAddress = 0x2000;
    const target = 0x1000;
    const rel = (target - (sectionAddress + pcField)) >>> 0;
    const ehFde = [...u32(fdeAt + 4), ...u32(rel), ...u32(0x20), 0, 0x42, 0x0e, 16, 0];
    const data = new Uint8Array([...section(ehCie, ehFde), 0, 0, 0, 0]);
    const s = new FrameSection(data, '.eh_frame', 4, sectionAddress);
    assert.equal(s.fdes.length, 1);
    assert.equal(s.fdes[0].start, target);
    assert.equal(s.fdes[0].end, target + 0x20);
    assert.deepEqual(s.rowAt(0x1010)?.cfa, { kind: 'register', register: 13, offset: 16 });
  });

  it('unwinds the committed firmware: main pushes lr', () => {
    const elf = readElf(new Uint8Array(readFileSync(join(__dirname, 'data', 'tiny.elf'))));
    const table = FrameTable.read(dwarfSectionsOf(elf));
    const main = elf.symbolByName('main')!;
    const afterPush = table.rowAt(main.address + 2)!;
    assert.deepEqual(afterPush.cfa, { kind: 'register', register: 13, offset: 4 });
    assert.deepEqual(afterPush.registers.get(14), { kind: 'offset', offset: -4 });
  });

  it('reports unknown instructions and bad CIE pointers with the offset', () => {
    const bad = [...u32(0), ...u32(0x1000), ...u32(4), 0x3f];
    const s = new FrameSection(section(cie, bad), '.debug_frame', 4);
    assert.throws(() => s.rows(s.fdes[0]), (e: Error) => e instanceof DwarfError && /\.debug_frame: offset 0x[0-9a-f]+: unknown call frame instruction 0x3f/.test(e.message));
    assert.throws(() => new FrameSection(section([...u32(0x500), ...u32(0), ...u32(4)]), '.debug_frame', 4), DwarfError);
  });
});
