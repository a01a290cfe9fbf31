import * as assert from 'node:assert/strict';
import { compileExpression, formatValue, interpolate, splitFormat, type EvalContext } from '../../../src/adapter/expression';
import { parseHitCondition } from '../../../src/adapter/target';

const memory = new Map<number, number>([[0x20000000, 0x78], [0x20000001, 0x56], [0x20000002, 0x34], [0x20000003, 0x12]]);
const ctx: EvalContext = {
  register: (n) => ({ r0: 5, sp: 0x20000000, pc: 0x08000100 } as Record<string, number>)[n],
  read: (a, size) => {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const b = memory.get(a + i);
      if (b === undefined) return null;
      v = v * 256 + b;
    }
    return v;
  },
  variable: (n) => (n === 'COUNT' ? 7 : undefined),
  address: (n) => (n === 'COUNT' ? 0x20000100 : undefined),
};
const ev = (s: string) => compileExpression(s)(ctx);

describe('adapter expressions', () => {
  it('arithmetic, precedence and comparisons', () => {
    assert.equal(ev('1 + 2 * 3'), 7);
    assert.equal(ev('(1 + 2) * 3'), 9);
    assert.equal(ev('1 << 4 | 1'), 17);
    assert.equal(ev('r0 == 5 && $sp > 0x10'), 1);
    assert.equal(ev('!r0'), 0);
    assert.equal(ev('~0'), 0xffffffff);
    assert.equal(ev('-r0 + 2'), -3);
    assert.equal(ev('0x1_0000 + 0b11'), 65539);
  });
  it('memory reads, casts, symbols', () => {
    assert.equal(ev('*(uint32_t*)0x20000000'), 0x12345678);
    assert.equal(ev('*(uint8_t*)(sp + 1)'), 0x56);
    assert.equal(ev('*(int16_t*)0x20000002'), 0x1234);
    assert.equal(ev('*sp'), 0x12345678);
    assert.equal(ev('(uint8_t)0x1ff'), 0xff);
    assert.equal(ev('(int8_t)0xff'), -1);
    assert.equal(ev('COUNT + 1'), 8);
    assert.equal(ev('&COUNT'), 0x20000100);
    assert.throws(() => ev('*0x30000000'), /cannot read memory at 0x30000000/);
    assert.throws(() => ev('nope'), /no variable, symbol or register named 'nope'/);
    assert.throws(() => compileExpression('1 +'), /unexpected end of expression/);
  });
  it('formats and logpoint interpolation', () => {
    assert.deepEqual(splitFormat('/x pc'), { expression: 'pc', format: 'x' });
    assert.deepEqual(splitFormat('p/d r0'), { expression: 'r0', format: 'd' });
    assert.deepEqual(splitFormat('r0,x'), { expression: 'r0', format: 'x' });
    assert.equal(formatValue(255, 'x'), '0x000000ff');
    assert.equal(formatValue(5, 'b'), '0b101');
    assert.equal(formatValue(0xffffffff, 'd'), '-1');
    assert.equal(interpolate('r0={r0} pc={pc,x} {{x}} {bad +}', ctx), 'r0=5 pc=0x08000100 {x} <unexpected end of expression in \'bad +\'>');
  });
  it('hit conditions', () => {
    assert.equal(parseHitCondition('3')(3), true);
    assert.equal(parseHitCondition('3')(4), false);
    assert.equal(parseHitCondition('>= 2')(2), true);
    assert.equal(parseHitCondition('% 2')(4), true);
    assert.equal(parseHitCondition('% 2')(3), false);
    assert.throws(() => parseHitCondition('often'), /hit count condition/);
  });
});
