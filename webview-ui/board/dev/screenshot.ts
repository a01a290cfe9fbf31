// Renders the built board panel (dist/webview/board.js + .css) in headless Chromium with the state
// of a real run of the rust/nucleo fixture (LD2 lit, the VCP greeting and an echo in the terminal)
// and saves media/screenshots/board.png.
//
//   npm run build && npx tsx webview-ui/board/dev/screenshot.ts [out.png]
//
// Needs playwright-core and Chromium at /usr/bin/chromium (or CHROMIUM=/path).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { Machine } from '../../../src/emulator/machine';
import { chipById } from '../../../src/emulator/chips/index';
import { bundledBoard } from '../../../src/emulator/boards/index';
import { BoardRuntime } from '../../../src/emulator/boards/board-runtime';
import { RealTimePacer } from '../../../src/emulator/realtime';

const repo = path.resolve(__dirname, '../../..');
const out = path.resolve(process.argv[2] ?? path.join(repo, 'media/screenshots/board.png'));

function nucleoRun() {
  const elf = path.join(repo, 'test/fixtures/firmware/rust/nucleo.elf');
  const m = Machine.fromElf(chipById('stm32f411re'), fs.readFileSync(elf), elf);
  const board = bundledBoard('nucleo-f411re')!;
  const runtime = new BoardRuntime(m, board);
  const pacer = new RealTimePacer(m, 'fast');
  const uart: number[] = [];
  runtime.onUart((_id, b) => uart.push(b));
  let typed = false;
  let ledOn = false;
  let lit = 0;
  m.onPinChange((port, pin, level) => {
    if (port === 'A' && pin === 5) {
      ledOn = level;
      // Stop at the second time LD2 lights up (the echo is out by then).
      if (level && typed && ++lit === 2) m.halt();
    }
  });
  // Run to the third TIM2 tick (LD2 on), typing "hello" into the terminal on the way.
  for (let i = 0; i < 100_000; i++) {
    m.run({ maxInstructions: 20_000 });
    void pacer.simulatedSeconds; // account simulated time at the current clock
    if (!typed && uart.length > 10) {
      runtime.uartInput('VCP', new TextEncoder().encode('hello from the terminal\r\n'));
      typed = true;
    }
    if (typed && ledOn && lit >= 2) break;
  }
  runtime.sample();
  m.run({ maxInstructions: 50 });
  const sample = runtime.sample();
  return {
    board,
    state: { ...sample, state: 'running', seconds: pacer.simulatedSeconds, speed: 1.0, runMode: 'realtime', targetSpeed: 1 },
    uart: Buffer.from(uart).toString('base64'),
  };
}

async function main(): Promise<void> {
  const dist = path.join(repo, 'dist/webview');
  if (!fs.existsSync(path.join(dist, 'board.js'))) throw new Error('dist/webview/board.js is missing: run npm run build first');
  const run = nucleoRun();
  const svg = fs.readFileSync(path.join(repo, 'media/boards/nucleo-f411re.svg'), 'utf8');
  // VS Code's Dark Modern colours, as the webview would receive them.
  const theme = {
    '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-font-family': 'system-ui, sans-serif',
    '--vscode-font-size': '13px', '--vscode-editor-font-family': 'DejaVu Sans Mono, monospace', '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-button-secondaryHoverBackground': '#3c3c3c',
    '--vscode-widget-border': '#313131', '--vscode-focusBorder': '#0078d4', '--vscode-charts-green': '#89d185',
    '--vscode-terminal-background': '#181818', '--vscode-terminal-foreground': '#cccccc',
  };
  const style = Object.entries(theme).map(([k, v]) => `${k}: ${v};`).join(' ');
  const html = `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="board.css">
<script>window.__sent = []; function acquireVsCodeApi() { return { postMessage: (m) => window.__sent.push(m), setState() {}, getState() {} }; }</script>
</head><body style="${style}"><div id="root"></div><script src="board.js"></script></body></html>`;
  const page = path.join(dist, 'board-preview.html');
  fs.writeFileSync(page, html);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--headless=new', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const p = await browser.newPage({ viewport: { width: 1040, height: 640 }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto('file://' + page);
    await p.evaluate(({ board, svg, state, uart }) => {
      window.postMessage({ type: 'board', board, svg, chipName: 'STM32F411RE', state }, '*');
      window.postMessage({ type: 'uart', terminal: 'VCP', data: uart }, '*');
    }, { board: run.board, svg, state: run.state, uart: run.uart });
    await p.waitForTimeout(500);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    await p.screenshot({ path: out });
    console.log(`saved ${out}; LD2 ${JSON.stringify(run.state.leds[0])}; t = ${run.state.seconds.toFixed(3)} s`);
  } finally {
    await browser.close();
    fs.rmSync(page, { force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
