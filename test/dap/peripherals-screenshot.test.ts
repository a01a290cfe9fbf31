// The built peripherals webview (dist/webview/peripherals.js) rendered in headless Chromium with
// data from a real run of rust/nucleo: the tree, values with changes since the previous stop, a
// debugger edit and the write history. Asserts what the page shows and, with
// PERIPHERALS_SCREENSHOT=<file>, saves a screenshot (media/screenshots/peripherals.png).
// Skips when Chromium or the built bundle is missing.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PeripheralView } from '../../src/adapter/peripherals';
import { Target } from '../../src/adapter/target';
import { boardById, chipById } from '../../src/emulator/chips/index';
import type { Gpio } from '../../src/emulator/peripherals/stm32f4/gpio';
import { fixture } from '../fixtures/firmware/fixtures';

const CHROMIUM = '/usr/bin/chromium';
const DIST = path.resolve(__dirname, '../../dist/webview');

/** Runs nucleo for a while, stopping twice, and returns the messages the panel host would post. */
function realSession(): { messages: unknown[]; ids: Record<string, number> } {
  const f = fixture('rust/nucleo');
  const chip = chipById(boardById(f.board!).chip);
  const target = new Target({ chip, programPath: f.elfPath, bytes: fs.readFileSync(f.elfPath), semihosting: true });
  const view = new PeripheralView(target, chip, undefined);
  const m = target.machine;
  m.onSemihostingOutput(() => undefined);
  const runFor = (cycles: number) => {
    const end = m.cpu.cycles + cycles;
    while (m.cpu.cycles < end) m.run({ maxInstructions: 1000 });
  };
  runFor(32_000_000); // set-up and three TIM2 ticks (100 ms each at 100 MHz)
  view.peripheralsRequest({ values: false });
  view.onStopped();
  (m.peripheral('GPIOC') as Gpio).setInputLevel(13, false);
  runFor(10_000_000); // one more tick, and the button
  view.onStopped();
  const tree = view.peripheralsRequest({ values: false }).tree!;
  const id = (name: string) => view.findRegister({ register: name }).id;
  view.writeRegister({ register: 'GPIOA.ODR', field: 'ODR6', value: 1 });
  const history = view.registerHistory({ register: 'GPIOA.ODR' });
  const values = view.values();
  const ids = { odr: id('GPIOA.ODR'), cfgr: id('RCC.CFGR'), cnt: id('TIM2.CNT'), brr: id('USART2.BRR'), moder: id('GPIOA.MODER') };
  return { messages: [{ type: 'tree', tree }, { type: 'values', values }, { type: 'history', history }], ids };
}

/** A dark VS Code theme's colours, as the webview host would inject them. */
const THEME = `
  --vscode-foreground:#cccccc; --vscode-editor-background:#1f1f1f; --vscode-font-family:system-ui,'DejaVu Sans',sans-serif;
  --vscode-font-size:13px; --vscode-editor-font-family:'DejaVu Sans Mono',monospace; --vscode-descriptionForeground:#9d9d9d;
  --vscode-widget-border:#313131; --vscode-badge-background:#616161; --vscode-badge-foreground:#f8f8f8;
  --vscode-input-background:#313131; --vscode-input-foreground:#cccccc; --vscode-input-border:#3c3c3c;
  --vscode-focusBorder:#0078d4; --vscode-button-background:#0078d4; --vscode-button-foreground:#ffffff;
  --vscode-button-secondaryBackground:#313131; --vscode-button-secondaryForeground:#cccccc;
  --vscode-list-hoverBackground:#2a2d2e; --vscode-diffEditor-insertedTextBackground:rgba(156,204,44,0.13);
  --vscode-debugTokenExpression-number:#b5cea8; --vscode-charts-green:#89d185; --vscode-charts-orange:#d18616;
  --vscode-charts-yellow:#cca700; --vscode-charts-blue:#3794ff; --vscode-textLink-foreground:#4daafc;
  --vscode-editorWidget-background:#202020; --vscode-widget-shadow:rgba(0,0,0,0.36);`;

describe('peripherals webview in headless Chromium', function () {
  this.timeout(60_000);

  it('renders the tree, values, changes, pins and the write history', async function () {
    if (!fs.existsSync(CHROMIUM) || !fs.existsSync(path.join(DIST, 'peripherals.js'))) this.skip();
    const { chromium } = await import('playwright-core');
    const { messages, ids } = realSession();
    const state = { pinned: [ids.cfgr, ids.brr, ids.cnt], expanded: ['P:GPIOA', `tree:R:${ids.odr}`], radix: 'hex', search: '' };
    const html = `<!DOCTYPE html><html><head><meta charset="UTF-8"><style>:root{${THEME}}</style>
<style>${fs.readFileSync(path.join(DIST, 'peripherals.css'), 'utf8')}</style></head>
<body><div id="root"></div>
<script>
  window.__posted = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), setState: () => {}, getState: () => (${JSON.stringify(state)}) });
</script>
<script>${fs.readFileSync(path.join(DIST, 'peripherals.js'), 'utf8')}</script>
</body></html>`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--headless=new', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 860 } });
      await page.setContent(html);
      for (const m of messages) await page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`);
      await page.waitForSelector('.register .value');
      const text = (await page.evaluate('document.body.innerText')) as string;
      assert.match(text, /STM32F411 peripherals/);
      assert.match(text, /GPIOA/);
      assert.match(text, /ODR5/);
      assert.match(text, /RCC\.CFGR/, 'the pinned register is listed under Pinned');
      assert.match(text, /debugger/, 'the history shows the debugger write');
      assert.match(text, /IRQ28/, 'and the firmware writes, by function');
      const changedRows = await page.locator('.row.changed').count();
      assert.ok(changedRows > 0, 'rows changed since the previous stop are highlighted');
      const posted = (await page.evaluate('window.__posted')) as { type: string }[];
      assert.deepEqual(posted.map((p) => p.type), ['ready']);
      // Search narrows the tree: peripherals by name, or by a register or field inside.
      const visiblePeripherals = () => page.locator('.tree > .peripheral:not([hidden]) > .row .name').allTextContents();
      await page.fill('.search', 'brr');
      assert.deepEqual(await visiblePeripherals(), ['USART2', 'PWR', 'USART1', 'USART6']); // PWR: its CSR has a BRR field
      await page.fill('.search', 'gpioa');
      assert.deepEqual(await visiblePeripherals(), ['GPIOA', 'RCC']); // RCC: GPIOAEN, GPIOARST...
      const out = process.env.PERIPHERALS_SCREENSHOT;
      if (out) await page.screenshot({ path: out, fullPage: false });
    } finally {
      await browser.close();
    }
  });
});
