import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElf } from '../../../src/debuginfo/elf';
import { DebugInfo } from '../../../src/debuginfo/debuginfo';
import { DW_AT, DW_TAG } from '../../../src/debuginfo/dwarf/constants';
import { readAbbrevTable } from '../../../src/debuginfo/dwarf/abbrev';

const tiny = readElf(new Uint8Array(readFileSync(join(__dirname, 'data', 'tiny.elf'))), 'tiny.elf');

describe('debuginfo/dwarf/info', () => {
  const di = new DebugInfo(tiny);

  it('reads the compile unit header and root DIE', () => {
    const units = di.info.compileUnits();
    assert.equal(units.length, 1);
    const u = units[0];
    assert.equal(u.version, 4);
    assert.equal(u.addressSize, 4);
    assert.equal(u.root().tag, DW_TAG.compile_unit);
    assert.match(u.name!, /tiny\.c$/);
    assert.ok(u.compDir);
    assert.equal(u.stmtList, 0);
  });

  it('walks the DIE tree lazily and resolves references', () => {
    const root = di.info.compileUnits()[0].root();
    const subprograms = root.children().filter((d) => d.tag === DW_TAG.subprogram);
    const names = subprograms.map((d) => d.name());
    assert.ok(names.includes('scale') && names.includes('main') && names.includes('twice'));
    const scale = subprograms.find((d) => d.name() === 'scale')!;
    assert.deepEqual(scale.ranges(), [{ low: 0x08000008, high: 0x08000028 }]);
    const type = scale.referenced(DW_AT.type);
    assert.equal(type?.tag, DW_TAG.base_type);
    assert.equal(type?.name(), 'int');
    assert.equal(di.info.dieAt(scale.offset), scale);
  });

  it('returns the inline chain innermost first with the call site', () => {
    const chain = di.functionsAt(0x0800000c);
    assert.deepEqual(chain.map((f) => f.name), ['twice', 'scale']);
    assert.equal(chain[0].inlined, true);
    assert.match(chain[0].callFile!, /tiny\.c$/);
    assert.equal(chain[0].callLine, 8);
    assert.equal(chain[1].inlined, false);
    assert.deepEqual(di.functionsAt(0x08000030).map((f) => f.name), ['main']);
    assert.deepEqual(di.functionsAt(0x08000000), []);
  });

  it('finds the unit and line for an address', () => {
    assert.equal(di.unitAt(0x08000030)?.offset, 0);
    assert.equal(di.lineAt(0x0800000c)?.line, 3);
  });

  it('reads implicit_const attributes in abbreviations', () => {
    // code 1, DW_TAG_variable, no children, DW_AT_decl_line implicit_const -5, end; end of table.
    const t = readAbbrevTable(new Uint8Array([1, 0x34, 0, 0x3b, 0x21, 0x7b, 0, 0, 0]), 0);
    assert.deepEqual(t.get(1)?.attributes, [{ name: 0x3b, form: 0x21, implicitConst: -5 }]);
  });
});
