// Scenarios 1–3 on the blinky fixture, in one workbench (each step starts where the previous one
// left the debugger, as a user's session would):
//   1. F5 in a Rust folder with no launch.json stops at `main`: main.rs is shown with the current
//      line, the Call Stack's top frame is `main`. The workspace has the source only as the crate
//      has it, src/main.rs, while the fixture's DWARF says blinky/main.rs: the stop shows the tab
//      the user has open and a breakpoint set there binds.
//   2. Step Over twice moves the highlighted line; the Variables view shows a local with its value
//      and the Registers scope shows pc.
//   3. A breakpoint in the blink loop, Continue: stops there, and again on the next iteration.
//   4. The panels, while stopped in the loop: memory map (FLASH/RAM with the firmware's sections),
//      peripherals (GPIOA), and 3b. the board panel's LED flipping between two loop stops.
//
// The fixture is optimised (opt-level 1): led_init, systick_start and led_set are inlined into
// main, and `led_set(led_on);` has no line-table row of its own (its code is attributed to
// led_set's body lines 48-49 under an inlined-call entry), so the loop breakpoint goes on
// `toggles += 1;`, which has one.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Workbench } from './harness';
import { codeServer } from './hooks';
import { buildRustWorkspace, lineOf, type FirmwareWorkspace } from './workspace';

describe('e2e blinky: F5, step, variables, breakpoints', function () {
  let ws: FirmwareWorkspace;
  let wb: Workbench;
  // Lines of the fixture source, found by their text so a rebuilt fixture fails loudly here.
  let mainEntryLine: number;
  let systickLine: number;
  let loopLine: number;

  before(async function () {
    ws = buildRustWorkspace('blinky');
    mainEntryLine = lineOf(ws.mainSource, 'led_init();', lineOf(ws.mainSource, 'fn main()'));
    systickLine = lineOf(ws.mainSource, 'systick_start();', mainEntryLine);
    loopLine = lineOf(ws.mainSource, 'toggles += 1;');
    wb = await codeServer().open(ws.folder, 'blinky');
  });

  after(async function () {
    if (wb) {
      await wb.screenshot('final').catch(() => undefined);
      await wb.stopDebugging().catch(() => undefined);
      await wb.close();
    }
  });

  // The steps build on each other: after a failure the rest fail at once, naming the cause, rather
  // than each waiting out its timeouts.
  let broken: string | undefined;
  beforeEach(function () {
    if (broken) throw new Error(`not run: the earlier step "${broken}" failed`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && !broken && /^(1|2a|3)\./.test(this.currentTest.title)) broken = this.currentTest.title;
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => undefined);
  });

  it('1. F5 with no launch.json stops at main: main.rs with the current line, Call Stack shows main', async function () {
    assert.ok(!fs.existsSync(path.join(ws.folder, '.vscode', 'launch.json')), 'the workspace must have no launch.json');
    // A user presses F5 with their crate's main.rs open; VS Code picks our debugger for Rust.
    await wb.openFile('src/main.rs');
    await wb.press('F5');
    await wb.waitForStopped();

    const stack = await wb.callStack();
    assert.match(stack[0] ?? '', /^main main\.rs\b/, `top frame should be main in main.rs; Call Stack: ${JSON.stringify(stack)}`);
    assert.equal(await wb.activeTabLabel(), 'main.rs');
    // The stop shows the file the user has open (src/main.rs, although the DWARF says
    // blinky/main.rs), not a second tab.
    assert.deepEqual((await wb.tabLabels()).filter((t) => t === 'main.rs'), ['main.rs'], `one main.rs tab: ${JSON.stringify(await wb.tabLabels())}`);
    assert.deepEqual((await wb.breadcrumbs()).slice(0, 2), ['src', 'main.rs']);
    await wb.waitForCurrentLine(mainEntryLine);
    assert.match((await wb.currentLineText()) ?? '', /led_init\(\);/);
    await wb.screenshot('stopped-at-main');
  });

  it('2a. Step Over twice: the highlighted line moves forward through main each time', async function () {
    const seen: number[] = [mainEntryLine];
    for (let step = 1; step <= 2; step++) {
      await wb.press('F10');
      await wb.waitForStopped();
      const prev = seen[seen.length - 1];
      const deadline = Date.now() + 5000;
      let line: number | undefined;
      while (Date.now() < deadline && ((line = await wb.currentLine()) === undefined || line === prev)) await new Promise((r) => setTimeout(r, 150));
      // Straight-line set-up code: each Step Over lands on a later statement of main, before the loop body.
      assert.ok(line !== undefined && line > prev && line <= loopLine, `step ${step}: the current line should move past ${prev} within main's set-up (lines ${mainEntryLine}..${loopLine}), it is ${line}; lines so far ${seen.join(' → ')}`);
      const stack = await wb.callStack();
      assert.match(stack[0] ?? '', new RegExp(`^main main\\.rs ${line}:`), `step ${step}: the Call Stack's top should be main at line ${line}: ${JSON.stringify(stack)}`);
      assert.ok(((await wb.currentLineText()) ?? '').trim().length > 0, 'the highlighted line is a statement');
      seen.push(line);
    }
    console.log(`      (lines: ${seen.join(' → ')}; systick_start() is line ${systickLine})`);
    await wb.screenshot('after-two-steps');
  });

  it('2b. the Registers scope shows pc', async function () {
    await wb.expandVariable('Registers');
    const rows = await wb.waitForVariable((r) => /^pc\b/.test(r));
    const pc = rows.find((r) => /^pc\b/.test(r));
    assert.match(pc ?? '', /^pc =? ?0x080[0-9a-f]{5}$/i, `pc should be a flash address: ${pc}`);
  });

  it('2c. the Variables view lists main\'s locals (toggles, led_on) under Locals', async function () {
    // Here (inside the inlined led_set) the DWARF location lists cover neither local, so
    // "<optimized out>" is the right value; 3. checks a value where toggles has a location.
    const rows = await wb.variables();
    assert.ok(rows.includes('Locals'), `a Locals scope: ${JSON.stringify(rows)}`);
    for (const name of ['toggles', 'led_on']) assert.ok(rows.some((r) => r.startsWith(`${name} `)), `${name} in Locals: ${JSON.stringify(rows)}`);
  });

  it('3. a breakpoint in the blink loop: Continue stops there, and again on the next iteration', async function () {
    // Set in src/main.rs: it binds to the line table's blinky/main.rs (a verified, filled glyph).
    await wb.toggleBreakpoint(loopLine);
    await wb.page.locator('.monaco-editor .codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
    await wb.press('F5');
    await wb.waitForStopped();
    await wb.waitForCurrentLine(loopLine);
    let stack = await wb.callStack();
    assert.match(stack[0] ?? '', new RegExp(`^main main\\.rs ${loopLine}:`), JSON.stringify(stack));
    assert.deepEqual((await wb.breadcrumbs()).slice(0, 2), ['src', 'main.rs']);
    assert.equal(await wb.page.locator('.debug-breakpoints .monaco-list-row', { hasText: `main.rs` }).count() > 0, true, 'the Breakpoints view lists the main.rs breakpoint');
    await wb.screenshot('breakpoint-1');

    await wb.press('F5');
    await wb.waitForRunning(5000).catch(() => undefined);
    await wb.waitForStopped();
    await wb.waitForCurrentLine(loopLine);
    stack = await wb.callStack();
    assert.match(stack[0] ?? '', new RegExp(`^main main\\.rs ${loopLine}:`), JSON.stringify(stack));
    // The first pass printed over semihosting before the second stop.
    const console_ = await wb.debugConsoleText();
    assert.match(console_, /LED on/, `Debug Console: ${console_}`);
    // Second pass, before `toggles += 1`: one toggle done (toggles is in r0 here per its location list).
    const rows = await wb.waitForVariable((r) => /^toggles = \d+$/.test(r)).catch(async () => wb.variables());
    assert.ok(rows.includes('toggles = 1'), `the Variables view shows toggles = 1: ${JSON.stringify(rows.slice(0, 6))}`);
    await wb.screenshot('breakpoint-2');
  });

  it('4a. the memory-map panel shows FLASH and RAM with the firmware\'s sections', async function () {
    await wb.command('Cortex-M Sim: Show Memory Map');
    const body = (await wb.webview('Memory Map')).locator('body');
    await body.waitFor({ timeout: 15_000 });
    const deadline = Date.now() + 15_000;
    let text = '';
    while (Date.now() < deadline) {
      text = (await body.innerText().catch(() => '')).replace(/\s+/g, ' ');
      if (/FLASH/.test(text) && /RAM/.test(text) && /\.text/.test(text)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.match(text, /FLASH/, `memory map: ${text.slice(0, 300)}`);
    assert.match(text, /RAM/, `memory map: ${text.slice(0, 300)}`);
    assert.match(text, /\.text/, `memory map lists sections: ${text.slice(0, 300)}`);
    await wb.screenshot('memory-map');
  });

  it('4b. the peripheral panel shows GPIOA with its registers', async function () {
    await wb.commandMatching('Cortex-M Sim', /peripheral/i, 'peripheral panel');
    const view = await wb.webview('Peripherals');
    const gpioa = view.getByText('GPIOA', { exact: true }).first();
    await gpioa.waitFor({ timeout: 15_000 });
    await gpioa.click();
    await view.getByText(/MODER|ODR/).first().waitFor({ timeout: 15_000 });
    await wb.screenshot('peripherals');
  });

  it('3b. the board panel shows LD2 flipping between two stops in the loop', async function () {
    await wb.commandMatching('Cortex-M Sim', /board/i, 'board panel');
    const view = await wb.webview('Virtual Board');
    // LD2 (PA5) is the SVG part whose .led-glow opacity follows the pin; read it and its body fill.
    const led = view.locator('[data-part]:has(.led-glow)');
    await led.first().waitFor({ timeout: 15_000 });
    const state = async (): Promise<string> =>
      JSON.stringify(
        await led.evaluateAll((els) =>
          els
            .filter((e) => /ld2|user|pa5/i.test(`${e.getAttribute('data-part')} ${e.textContent}`))
            .map((e) => `${e.getAttribute('data-part')}:${(e.querySelector('.led-glow') as unknown as { style: { opacity: string } } | null)?.style.opacity ?? '?'}`),
        ),
      );
    const before = await state();
    await wb.press('F5');
    await wb.waitForStopped();
    await wb.waitForCurrentLine(loopLine);
    const deadline = Date.now() + 5000;
    let after = await state();
    while (after === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = await state();
    }
    assert.notEqual(after, before, `LD2 should change between two loop stops (was "${before}")`);
    await wb.screenshot('board');
  });
});
