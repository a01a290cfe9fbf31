// Scenario 5: the linker-script language features on memory.x, in the real editor: the hover on a
// MEMORY region shows its size, and a region too small for the linked firmware gets an overflow
// diagnostic in the Problems panel.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Workbench } from './harness';
import { codeServer } from './hooks';
import { buildRustWorkspace, type FirmwareWorkspace } from './workspace';

function positionOf(file: string, word: string): { line: number; column: number } {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const col = lines[i].search(new RegExp(`\\b${word}\\b`));
    if (col >= 0 && !lines[i].trimStart().startsWith('/*')) return { line: i + 1, column: col + 2 };
  }
  throw new Error(`${word} not found in ${file}`);
}

describe('e2e linker script: memory.x hover and overflow diagnostic', function () {
  let wb: Workbench | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot('failed').catch(() => undefined);
    await wb?.close();
    wb = undefined;
  });

  it('5a. hovering FLASH in memory.x shows the region size', async function () {
    const ws: FirmwareWorkspace = buildRustWorkspace('blinky');
    wb = await codeServer().open(ws.folder, 'linker-hover');
    await wb.openFile('memory.x');
    const { line, column } = positionOf(ws.memoryX, 'FLASH');
    // The outline's FLASH under MEMORY in the breadcrumb: the language server is up.
    await wb.goToLine(line, column);
    await wb.waitForBreadcrumb('FLASH');
    const text = await wb.hoverAt(line, column, 'memory region');
    console.log(`      (hover: ${JSON.stringify(text.slice(0, 200))}; hover requests/answers on the wire: ${wb.hoverTraffic.requests}/${wb.hoverTraffic.answers})`);
    assert.match(text, /FLASH/, `hover text: ${text}`);
    assert.match(text, /512\s*KiB|0x0*80000\b|524288/i, `the hover should give FLASH's size (512K): ${text}`);
    // Past the hover's fade-in, so the screenshot shows it opaque.
    await new Promise((r) => setTimeout(r, 500));
    await wb.screenshot('hover');
  });

  it('5b. a FLASH region smaller than the firmware gets an overflow diagnostic', async function () {
    const ws = buildRustWorkspace('blinky', {
      memoryX: 'MEMORY\n{\n  FLASH : ORIGIN = 0x08000000, LENGTH = 1K\n  RAM   : ORIGIN = 0x20000000, LENGTH = 128K\n}\n',
    });
    wb = await codeServer().open(ws.folder, 'linker-overflow');
    await wb.openFile('memory.x');
    const deadline = Date.now() + 20_000;
    let problems: string[] = [];
    while (Date.now() < deadline) {
      problems = await wb.problems();
      if (problems.some((p) => /overflow|too small/i.test(p))) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(problems.some((p) => /FLASH/.test(p) && /overflow|too small/i.test(p)), `Problems should report FLASH overflowing; it shows: ${JSON.stringify(problems)}`);
    await wb.page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 10_000 });
    await wb.screenshot('overflow');
  });
});
