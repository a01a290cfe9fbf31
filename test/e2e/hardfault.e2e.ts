// Scenario 6: the hardfault fixture reads unmapped memory. F5 stops at main; Continue runs into
// the bus fault, and the debugger stops on the faulting line in read_sensor with an exception
// description in the editor's exception widget, before the HardFault handler runs.

import * as assert from 'node:assert/strict';
import type { Workbench } from './harness';
import { codeServer } from './hooks';
import { buildRustWorkspace, lineOf, type FirmwareWorkspace } from './workspace';

describe('e2e hardfault: the fault stops on the faulting line with a description', function () {
  let ws: FirmwareWorkspace;
  let wb: Workbench;
  let faultLine: number;
  let mainLine: number;

  before(async function () {
    ws = buildRustWorkspace('hardfault');
    faultLine = lineOf(ws.mainSource, 'read_volatile(addr');
    mainLine = lineOf(ws.mainSource, 'hprintln!("reading', lineOf(ws.mainSource, 'fn main()'));
    wb = await codeServer().open(ws.folder, 'hardfault');
  });

  after(async function () {
    if (wb) {
      await wb.stopDebugging().catch(() => undefined);
      await wb.close();
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot('failed').catch(() => undefined);
  });

  it('6. F5 stops at main, Continue stops at the bus fault in read_sensor with an exception description', async function () {
    await wb.openFile('src/main.rs');
    await wb.press('F5');
    await wb.waitForStopped();
    await wb.waitForCurrentLine(mainLine);

    await wb.press('F5');
    await wb.waitForStopped();
    const widget = wb.page.locator('.exception-widget');
    await widget.waitFor({ state: 'visible', timeout: 15_000 });
    const description = (await widget.innerText()).replace(/\s+/g, ' ').trim();
    assert.match(description, /fault/i, `the exception widget should describe the fault: ${description}`);
    assert.match(description, /0x30000000|bus|HardFault|BusFault|precise/i, `the description should say what faulted: ${description}`);

    // The faulting load is core::ptr::read_volatile inlined into read_sensor: the innermost frame
    // is that inlined function (core's mod.rs when rust-src is installed, as here), and the frame
    // below it is read_sensor on the faulting line of the user's code.
    const stack = await wb.callStack();
    const top = stack[0] ?? '';
    assert.match(top, /read_volatile|read_sensor/, `the top frame is the faulting load: ${JSON.stringify(stack)}`);
    const sensor = wb.page.locator('.debug-call-stack .monaco-list-row', { hasText: 'read_sensor' }).first();
    assert.ok(stack.some((f) => /read_sensor main\.rs/.test(f)), `read_sensor in main.rs is on the Call Stack: ${JSON.stringify(stack)}`);
    assert.ok(stack.some((f) => /main main\.rs/.test(f)), `main is below it: ${JSON.stringify(stack)}`);
    await wb.screenshot('fault');
    await sensor.click();
    await wb.waitForCurrentLine(faultLine);
    assert.equal(await wb.activeTabLabel(), 'main.rs');
    assert.deepEqual((await wb.breadcrumbs()).slice(0, 2), ['src', 'main.rs']);
    assert.deepEqual((await wb.tabLabels()).filter((t) => t === 'main.rs'), ['main.rs'], `one main.rs tab: ${JSON.stringify(await wb.tabLabels())}`);
    assert.match((await wb.currentLineText()) ?? '', /read_volatile\(addr/);
    // The Call Stack's header names why the target stopped.
    const header = (await wb.page.locator('.debug-call-stack .monaco-list-row .state.label, .debug-call-stack .monaco-list-row .session .state').allInnerTexts().catch(() => [])).join(' ');
    console.log(`      (exception widget: "${description}"; call stack: ${JSON.stringify(stack)}; state: "${header}")`);
    await wb.screenshot('fault');
  });
});
