// DAP: source-level variables — Locals and Statics scopes from DWARF, Rust values (Vec, Box,
// String, &str), setVariable, and evaluate / hover of variable paths.

import * as assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DapSession, fixtureLaunch, fixtureSource, sessionPerTest } from './harness';

const BLINKY = 'rust/blinky';
const ALLOC = 'rust/alloc';

describe('DAP: locals, statics and variable expressions', function () {
  this.timeout(30_000);
  let s: DapSession;
  sessionPerTest((session) => { s = session; });

  async function scope(name: string, frameId = 0): Promise<DebugProtocol.Variable[]> {
    const frames = await s.frames();
    const scopes = await s.dc.scopesRequest({ frameId: frameId ?? frames[0].id });
    const sc = scopes.body.scopes.find((x) => x.name === name);
    assert.ok(sc, `a ${name} scope (got ${scopes.body.scopes.map((x) => x.name).join(', ')})`);
    return (await s.dc.variablesRequest({ variablesReference: sc.variablesReference })).body.variables;
  }

  async function expand(v: DebugProtocol.Variable): Promise<DebugProtocol.Variable[]> {
    assert.ok(v.variablesReference > 0, `${v.name} = ${v.value} expands`);
    return (await s.dc.variablesRequest({ variablesReference: v.variablesReference })).body.variables;
  }

  it('blinky: the loop\'s locals change between hits; setVariable and evaluate use them', async () => {
    await s.launch(fixtureLaunch(BLINKY), { breakpoints: [{ path: fixtureSource(BLINKY), breakpoints: [{ line: 66 }] }] });
    assert.equal((await s.nextStop()).reason, 'entry');
    const seen: string[] = [];
    for (let hit = 0; hit < 3; hit++) {
      assert.equal((await s.run('continue')).reason, 'breakpoint');
      const locals = await scope('Locals');
      const toggles = locals.find((v) => v.name === 'toggles');
      const ledOn = locals.find((v) => v.name === 'led_on');
      assert.ok(toggles && ledOn, `locals: ${locals.map((v) => `${v.name}=${v.value}`).join(', ')}`);
      assert.equal(toggles.type, 'u32');
      assert.equal(ledOn.type, 'bool');
      seen.push(`${toggles.value} ${ledOn.value}`);
      assert.equal(await s.evaluate('toggles'), toggles.value);
      assert.equal(await s.evaluate('toggles * 2 + 1'), String(Number(toggles.value) * 2 + 1));
    }
    // (At line 66 both are live; at 63 led_on is optimized out, as the DWARF says.)
    assert.deepEqual(seen, ['1 true', '2 false', '3 true']);

    // Set the counter from the Variables view; the loop then runs fewer times.
    const locals = await scope('Locals');
    const ref = (await s.dc.scopesRequest({ frameId: 0 })).body.scopes.find((x) => x.name === 'Locals')!.variablesReference;
    assert.ok(locals.length >= 2);
    const set = await s.dc.setVariableRequest({ variablesReference: ref, name: 'toggles', value: '4' });
    assert.equal(set.body.value, '4');
    assert.equal(await s.evaluate('toggles'), '4');
    assert.equal(await s.evaluate('/x toggles'), '0x4');
    const hover = await s.dc.evaluateRequest({ expression: 'led_on', context: 'hover', frameId: 0 });
    assert.equal(hover.body.result, 'true');
    // Held in a register here, so it has no address.
    await assert.rejects(s.dc.evaluateRequest({ expression: '&toggles', context: 'repl', frameId: 0 }), /not in memory/);
  });

  it('alloc: Box, Vec, String and &str locals render as values and expand', async () => {
    await s.launch(fixtureLaunch(ALLOC), { breakpoints: [{ path: fixtureSource(ALLOC), breakpoints: [{ line: 71 }, { line: 97 }] }] });
    await s.nextStop();
    assert.equal((await s.run('continue')).reason, 'breakpoint');
    let locals = await scope('Locals');
    const boxed = locals.find((v) => v.name === 'boxed');
    assert.ok(boxed, locals.map((v) => `${v.name}: ${v.type} = ${v.value}`).join('\n'));
    assert.match(boxed.value, /^0x2[0-9a-f]{7} → Point \{ x: 3, y: -4 \}$/);
    const fields = await expand(boxed);
    assert.deepEqual(fields.map((f) => `${f.name}=${f.value}`), ['x=3', 'y=-4']);
    assert.equal(await s.evaluate('boxed.y'), '-4');
    assert.equal(await s.evaluate('boxed->x'), '3');
    assert.match(await s.evaluate('*boxed'), /^Point \{ x: 3, y: -4 \}$/);
    await assert.rejects(s.dc.evaluateRequest({ expression: 'boxed.z', context: 'repl', frameId: 0 }), /no field 'z'/);

    assert.equal((await s.run('continue')).reason, 'breakpoint');
    locals = await scope('Locals');
    const byName = new Map(locals.map((v) => [v.name, v]));
    const describe = locals.map((v) => `${v.name}: ${v.type} = ${v.value}`).join('\n');

    const squares = byName.get('squares')!;
    assert.match(squares.value, /^\[1, 4, 9, 16, 25, 36, 49, 64, 81, 100, …\]$/, describe);
    assert.equal(squares.indexedVariables, 20);
    const page = await s.dc.variablesRequest({ variablesReference: squares.variablesReference, filter: 'indexed', start: 18, count: 2 });
    assert.deepEqual(page.body.variables.map((v) => `${v.name}=${v.value}`), ['[18]=361', '[19]=400']);

    assert.equal(byName.get('text')!.value, '"heap allocated strings work"', describe);
    assert.equal(byName.get('label')!.value, '"fixture-007"', describe);
    assert.equal(byName.get('nested')!.value, '[[1], [2, 2], [3, 3, 3], [4, 4, 4, 4]]', describe);
    assert.equal(byName.get('nested')!.indexedVariables, 4);

    // Paths over them in the Debug Console.
    assert.equal(await s.evaluate('squares[3]'), '16');
    assert.equal(await s.evaluate('squares[19] - squares[0]'), '399');
    await assert.rejects(s.dc.evaluateRequest({ expression: 'squares[25]', context: 'repl', frameId: 0 }), /out of bounds/);
  });

  it('statics scope lists the crate\'s statics with their values', async () => {
    await s.launch(fixtureLaunch(ALLOC), { breakpoints: [{ path: fixtureSource(ALLOC), breakpoints: [{ line: 97 }] }] });
    await s.nextStop();
    await s.run('continue');
    const statics = await scope('Statics');
    const heap = statics.find((v) => v.name === 'HEAP');
    assert.ok(heap, statics.map((v) => v.name).join(', '));
    const fields = await expand(heap);
    assert.deepEqual(fields.map((f) => f.name), ['heap', 'next']);
    const next = Number((await expand(fields[1])).find((f) => f.name === 'value')?.value);
    assert.ok(next > 0 && next <= 8192, `HEAP.next = ${next}`);
    assert.equal(await s.evaluate('HEAP.next.value'), String(next));
  });
});
