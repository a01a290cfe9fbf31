// `cortex-m-sim/memoryMap` over DAP: launch rust/hello with the fixtures' link.x, stop at main and
// at a breakpoint deeper in, and check the regions, the live SP and the high-water mark against a
// second machine that ran the same instructions while tracking SP after every one of them.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeServer, DapSession, fixtureLaunch } from '../../dap/harness';
import { fixture } from '../../fixtures/firmware/fixtures';
import type { MemoryMapPayload } from '../../../src/adapter/memory-map';
import { paintStack } from '../../../src/adapter/memory-map';
import { ProgramInfo } from '../../../src/adapter/program-info';
import { Machine } from '../../../src/emulator/machine';
import { chipForBoard } from '../../../src/emulator/chips/index';

const RUST = path.join(__dirname, '../../fixtures/firmware/rust');

/** Deepest SP on the way from reset to the entry of `functionName` (the reference). */
function minSpUntil(elfPath: string, functionName: string): number {
  const m = new Machine(chipForBoard('nucleo-f411re'));
  const elf = m.loadElf(fs.readFileSync(elfPath), elfPath);
  m.reset();
  paintStack(elf, m.cpu.r[13], (a, d) => m.writeMemory(a, d));
  const program = new ProgramInfo(elf);
  const target = program.breakAddressForFunction(program.findFunctions(functionName)[0]);
  let minSp = m.cpu.r[13] >>> 0;
  const r = m.run({ maxInstructions: 10_000_000, until: () => { const sp = m.cpu.r[13] >>> 0; if (sp < minSp) minSp = sp; return m.cpu.pc === target; } });
  assert.equal(r.reason, 'until');
  return minSp;
}

describe('DAP cortex-m-sim/memoryMap', function () {
  this.timeout(30_000);
  let s: DapSession;
  after(async () => {
    await s?.stop();
    closeServer();
  });

  it('reports the layout, SP and an exact high-water mark at main', async () => {
    s = await DapSession.start();
    await s.launch(fixtureLaunch('rust/hello', { linkerScript: path.join(RUST, 'rt/link.x') }));
    await s.nextStop();
    const r = await s.dc.customRequest('cortex-m-sim/memoryMap');
    const map = r.body as MemoryMapPayload;
    assert.deepEqual(map.regions.map((x) => x.name), ['FLASH', 'RAM']);
    assert.equal(map.live, true);
    assert.equal(path.basename(map.linkerScript ?? ''), 'link.x');
    const text = map.regions[0].sections.find((x) => x.name === '.text');
    assert.ok(text?.source && text.source.line > 1);
    assert.ok(text.symbols.some((x) => x.source), 'function symbols carry their source line');
    const sp = await s.number('$sp');
    assert.equal(map.stack?.sp, sp >>> 0);
    assert.equal(map.stack?.method, 'paint');
    const minSp = minSpUntil(fixture('rust/hello').elfPath, 'main');
    // main's prologue has just reserved its frame: the deepest SP so far is the current one.
    assert.equal(map.stack!.highWater, minSp, `high-water 0x${map.stack!.highWater!.toString(16)}, deepest SP 0x${minSp.toString(16)}`);
    assert.ok(map.stack!.highWater! <= sp >>> 0);
    assert.equal(map.stack?.collision, false);
  });
});
