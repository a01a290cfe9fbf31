import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElf } from '../../../src/debuginfo/elf';
import { DebugInfo } from '../../../src/debuginfo/debuginfo';
import { evaluateLocation, type ExpressionContext } from '../../../src/debuginfo/dwarf/expression';
import { typeName, typeSize } from '../../../src/debuginfo/dwarf/types';
import { DwarfError } from '../../../src/debuginfo/dwarf/reader';

const regs = [0x20000100, 5, 0, 0, 0, 0, 0, 0x20000ff0, 0, 0, 0, 0, 0, 0x20000fe0, 0x08000041, 0x08000010];
const memory = new Map<number, number>([[0x20000ff8, 0x12345678]]);
const ctx: ExpressionContext = {
  readRegister: (n) => regs[n] ?? 0,
  readMemory: (a) => memory.get(a) ?? 0,
  cfa: () => 0x20001000,
};

describe('debuginfo/dwarf/expression', () => {
  const ev = (bytes: number[], c: ExpressionContext = ctx) => evaluateLocation(new Uint8Array(bytes), c);

  it('computes addresses, registers and values', () => {
    assert.deepEqual(ev([0x03, 0x00, 0x00, 0x00, 0x20]), { kind: 'memory', address: 0x20000000 });
    assert.deepEqual(ev([0x51]), { kind: 'register', register: 1 });
    assert.deepEqual(ev([0x90, 0x80, 0x02]), { kind: 'register', register: 256 });
    assert.deepEqual(ev([0x77, 0x08]), { kind: 'memory', address: 0x20000ff8 }); // breg7 +8
    assert.deepEqual(ev([0x77, 0x08, 0x06, 0x9f]), { kind: 'value', value: 0x12345678 }); // deref, stack_value
    assert.deepEqual(ev([0x9c, 0x23, 0x04]), { kind: 'memory', address: 0x20001004 }); // cfa + 4
    assert.deepEqual(ev([0x91, 0x70], { ...ctx, frameBase: () => 0x20001000 }), { kind: 'memory', address: 0x20000ff0 }); // fbreg -16
    assert.deepEqual(ev([0x35, 0x33, 0x1c, 0x9f]), { kind: 'value', value: 2 }); // 5 - 3
    assert.deepEqual(ev([0x31, 0x28, 0x02, 0x00, 0x3a, 0x9f, 0x3b, 0x9f]), { kind: 'value', value: 11 }); // bra taken
    assert.deepEqual(ev([]), { kind: 'optimizedOut' });
  });

  it('assembles pieces', () => {
    const loc = ev([0x50, 0x93, 0x04, 0x51, 0x93, 0x04]);
    assert.equal(loc.kind, 'pieces');
    if (loc.kind === 'pieces') assert.deepEqual(loc.pieces.map((p) => p.location), [{ kind: 'register', register: 0 }, { kind: 'register', register: 1 }]);
  });

  it('reports malformed expressions', () => {
    assert.throws(() => ev([0x1c]), (e: Error) => e instanceof DwarfError && /underflow/.test(e.message));
    assert.throws(() => ev([0xff]), /unsupported DWARF expression operation 0xff/);
    assert.throws(() => ev([0x2f, 0xfd, 0xff]), /runs too long/); // skip -3: an endless loop
  });
});

describe('debuginfo: variables in scope', () => {
  const di = new DebugInfo(readElf(new Uint8Array(readFileSync(join(__dirname, 'data', 'tiny.elf')))));

  it('lists parameters and locals, including those of lexical blocks holding the pc', () => {
    const frame = di.functionsAt(0x08000014).at(-1)!;
    assert.equal(frame.name, 'scale');
    const vars = di.variablesAt(frame, 0x08000014);
    assert.deepEqual(
      vars.map((v) => `${v.isParameter ? 'param' : 'local'} ${v.typeName} ${v.name}`),
      ['param struct point * p', 'param int k', 'local int s', 'local int i'].map((s) => s.replace('struct point', 'point')),
    );
    const p = vars[0];
    assert.equal(typeSize(p.type), 4);
    assert.equal(typeName(p.type), 'point *');
  });

  it('evaluates location lists at the pc', () => {
    const frame = di.functionsAt(0x08000008).at(-1)!;
    const [p, k, s] = di.variablesAt(frame, 0x08000008);
    assert.deepEqual(di.locate(p, 0x08000008, ctx), { kind: 'register', register: 0 });
    assert.deepEqual(di.locate(p, 0x08000012, ctx), { kind: 'optimizedOut' }, 'entry values are not recoverable');
    assert.deepEqual(di.locate(k, 0x08000008, ctx), { kind: 'register', register: 1 });
    assert.deepEqual(di.locate(s, 0x08000008, ctx), { kind: 'value', value: 0 });
  });

  it('locates globals and frame-base-relative locals', () => {
    const main = di.functionsAt(0x08000030).at(-1)!;
    const [p] = di.variablesAt(main, 0x08000030);
    assert.equal(p.name, 'p');
    // DW_OP_fbreg -16 with frame base DW_OP_call_frame_cfa.
    assert.deepEqual(di.locate(p, 0x08000030, ctx), { kind: 'memory', address: 0x20001000 - 16 });
  });
});
