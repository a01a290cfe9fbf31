import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElf } from '../../../src/debuginfo/elf';
import { DebugInfo } from '../../../src/debuginfo/debuginfo';
import { entryValueFromCallSite, evaluateLocation, type ExpressionContext } from '../../../src/debuginfo/dwarf/expression';
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
    assert.deepEqual(di.locate(p, 0x08000012, ctx), { kind: 'optimizedOut' }, 'entry values need the caller');
    assert.deepEqual(di.locate(k, 0x08000008, ctx), { kind: 'register', register: 1 });
    assert.deepEqual(di.locate(s, 0x08000008, ctx), { kind: 'value', value: 0 });
  });

  // scale's p is DW_OP_GNU_entry_value(DW_OP_reg0) from 0x08000010; main calls scale(&p, 5) with
  // the call site at return address 0x08000040 recording r0 = DW_OP_breg13 0 and r1 = DW_OP_lit5.
  const callerRegs = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20000ff0, 0x08000061, 0x08000040];
  const callerCtx: ExpressionContext = { readRegister: (n) => callerRegs[n] ?? 0, readMemory: () => 0 };
  const entryCtx = (returnAddress: number): ExpressionContext => ({
    ...ctx,
    entryValue: (e) => entryValueFromCallSite(e, { subprogram: di.subprogramAt(returnAddress)!, returnAddress, context: callerCtx }),
  });

  it('resolves DW_OP_GNU_entry_value through the caller\'s call site parameters', () => {
    const frame = di.functionsAt(0x08000012).at(-1)!;
    const [p] = di.variablesAt(frame, 0x08000012);
    assert.deepEqual(di.locate(p, 0x08000012, entryCtx(0x08000041)), { kind: 'value', value: 0x20000ff0 });
    assert.deepEqual(di.locate(p, 0x08000026, entryCtx(0x08000040)), { kind: 'value', value: 0x20000ff0 });
    // A return address with no call site there: optimised out, as without a caller.
    assert.deepEqual(di.locate(p, 0x08000012, entryCtx(0x08000044)), { kind: 'optimizedOut' });
  });

  it('entry values: register forms, arithmetic after them, and what cannot be resolved', () => {
    const caller = { subprogram: di.subprogramAt(0x08000040)!, returnAddress: 0x08000040, context: callerCtx };
    assert.equal(entryValueFromCallSite(new Uint8Array([0x51]), caller), 5); // r1 = DW_OP_lit5
    assert.equal(entryValueFromCallSite(new Uint8Array([0x90, 0x01]), caller), 5); // DW_OP_regx 1
    assert.equal(entryValueFromCallSite(new Uint8Array([0x52]), caller), undefined); // r2: no parameter
    assert.equal(entryValueFromCallSite(new Uint8Array([0x71, 0x00]), caller), undefined); // not a register
    assert.equal(entryValueFromCallSite(new Uint8Array([0x50]), undefined), undefined); // no caller
    const failing = { ...caller, context: { readRegister: () => { throw new Error('unknown'); }, readMemory: () => 0 } };
    assert.equal(entryValueFromCallSite(new Uint8Array([0x50]), failing), undefined); // breg13 unreadable
    // DW_OP_entry_value(DW_OP_reg1) DW_OP_plus_uconst 3 DW_OP_stack_value, in both encodings.
    const c: ExpressionContext = { ...ctx, entryValue: (e) => entryValueFromCallSite(e, caller) };
    assert.deepEqual(evaluateLocation(new Uint8Array([0xa3, 0x01, 0x51, 0x23, 0x03, 0x9f]), c), { kind: 'value', value: 8 });
    assert.deepEqual(evaluateLocation(new Uint8Array([0xf3, 0x01, 0x51, 0x23, 0x03, 0x9f]), c), { kind: 'value', value: 8 });
    assert.deepEqual(evaluateLocation(new Uint8Array([0xa3, 0x01, 0x52, 0x9f]), c), { kind: 'optimizedOut' });
  });

  it('entry values: a call site of another function is not the call (a tail call reached the callee)', () => {
    const scale = di.subprogramAt(0x08000012)!;
    const main = di.subprogramAt(0x08000040)!;
    const caller = { subprogram: main, returnAddress: 0x08000040, context: callerCtx };
    assert.equal(entryValueFromCallSite(new Uint8Array([0x51]), { ...caller, callee: scale }), 5);
    assert.equal(entryValueFromCallSite(new Uint8Array([0x51]), { ...caller, callee: main }), undefined);
  });

  it('entryValueResolver: the hook for a frame from its callers\' return addresses and registers', () => {
    const frame = di.functionsAt(0x08000012).at(-1)!;
    const [p] = di.variablesAt(frame, 0x08000012);
    const entryValue = di.entryValueResolver(0x08000012, [{ returnAddress: 0x08000041, context: callerCtx }]);
    assert.ok(entryValue);
    assert.deepEqual(di.locate(p, 0x08000012, { ...ctx, entryValue }), { kind: 'value', value: 0x20000ff0 });
    assert.equal(di.entryValueResolver(0x08000012, []), undefined, 'no caller, no hook');
    // A caller frame that returns somewhere with no call site: optimised out.
    const nowhere = di.entryValueResolver(0x08000012, [{ returnAddress: 0x08000045, context: callerCtx }]);
    assert.deepEqual(di.locate(p, 0x08000012, { ...ctx, entryValue: nowhere }), { kind: 'optimizedOut' });
  });

  it('locates globals and frame-base-relative locals', () => {
    const main = di.functionsAt(0x08000030).at(-1)!;
    const [p] = di.variablesAt(main, 0x08000030);
    assert.equal(p.name, 'p');
    // DW_OP_fbreg -16 with frame base DW_OP_call_frame_cfa.
    assert.deepEqual(di.locate(p, 0x08000030, ctx), { kind: 'memory', address: 0x20001000 - 16 });
  });
});
