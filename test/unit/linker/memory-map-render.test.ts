// The memory-map webview rendered in headless chromium with the Rust blinky's map (run to its end
// on a painted stack, so SP and the high-water mark are real): bars, tooltips, clicks. With
// UPDATE_SCREENSHOTS=1 it also writes media/screenshots/memory-map.png for the README.
// Skips when chromium is not installed (it is an optional tool for unit tests).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { computeMemoryMap, paintStack, type MemoryMapPayload } from '../../../src/adapter/memory-map';
import { demangle } from '../../../src/debuginfo/demangle';
import { evaluate } from '../../../src/linker/evaluator';
import { parseScriptFile } from '../../../src/linker/include';
import { Machine } from '../../../src/emulator/machine';
import { chipForBoard } from '../../../src/emulator/chips/index';
import { ProgramInfo } from '../../../src/adapter/program-info';

const ROOT = path.resolve(__dirname, '../../..');
const RUST = path.join(ROOT, 'test/fixtures/firmware/rust');
/** The little of a DOM element the page callbacks touch (the project compiles without DOM types). */
interface DomNode { textContent: string | null; className: string; hidden: boolean }

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Dark-theme values of the variables VS Code defines in webviews. */
const THEME = `
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace;
  --vscode-foreground: #cccccc; --vscode-editor-background: #1e1e1e; --vscode-descriptionForeground: #9d9d9d;
  --vscode-widget-border: #454545; --vscode-input-background: #2a2a2a; --vscode-badge-background: #4d4d4d;
  --vscode-badge-foreground: #ffffff; --vscode-charts-blue: #3794ff; --vscode-charts-purple: #b180d7;
  --vscode-charts-green: #89d185; --vscode-charts-yellow: #cca700; --vscode-charts-orange: #d18616;
  --vscode-charts-red: #f14c4c; --vscode-list-hoverBackground: #2a2d2e; --vscode-textLink-foreground: #3794ff;
  --vscode-editorHoverWidget-background: #252526; --vscode-editorHoverWidget-border: #454545;`;

function blinkyPayload(): MemoryMapPayload {
  const elfPath = path.join(RUST, 'blinky.elf');
  const m = new Machine(chipForBoard('nucleo-f411re'));
  const elf = m.loadElf(fs.readFileSync(elfPath), elfPath);
  m.reset();
  paintStack(elf, m.cpu.r[13], (a, d) => m.writeMemory(a, d));
  const r = m.run({ maxInstructions: 50_000_000 });
  assert.equal(r.reason, 'exit');
  const script = parseScriptFile(path.join(RUST, 'rt/link.x'), [RUST]);
  const program = new ProgramInfo(elf);
  return computeMemoryMap({
    elf, layout: evaluate(script, { linked: elf }), linkerScript: path.join(RUST, 'rt/link.x'), demangle,
    readSp: () => m.cpu.r[13], readMemory: (a, n) => m.readMemory(a, n),
    sourceAt: (a) => { const s = program.sourceAt(a); return s ? { file: s.path, line: s.line } : undefined; },
  });
}

describe('memory-map webview (headless chromium)', function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-map-'));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let browser: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let page: any;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    await esbuild.build({
      entryPoints: { 'memory-map': path.join(ROOT, 'webview-ui/memory-map/main.ts') }, bundle: true, platform: 'browser',
      target: 'es2022', format: 'iife', outdir: dir, logLevel: 'silent',
    });
    fs.writeFileSync(path.join(dir, 'index.html'), `<!DOCTYPE html><html><head><meta charset="utf-8">
      <link rel="stylesheet" href="memory-map.css"><style>html { ${THEME} }</style>
      <script>window.sent = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.sent.push(m), setState() {}, getState() { return undefined; } });</script>
      </head><body><div id="root"></div><script src="memory-map.js"></script></body></html>`);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--headless=new', '--disable-background-networking', '--disable-component-update'],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
    await page.goto('file://' + path.join(dir, 'index.html'));
    await page.evaluate((payload: MemoryMapPayload) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage({ type: 'update', payload }, '*'), blinkyPayload());
    await page.waitForSelector('.region');
  });

  after(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('draws one bar per region with the sections to scale, and the stack on RAM', async () => {
    assert.deepEqual(await page.$$eval('.region-name', (n: DomNode[]) => n.map((e) => e.textContent)), ['FLASH', 'RAM']);
    const segs = await page.$$eval('.region:first-of-type .seg', (n: DomNode[]) => n.map((e) => e.className));
    assert.ok(segs.length >= 4, segs.join());
    assert.ok(segs.some((c: string) => c.includes('load-image')));
    // The full RAM bar and the zoom on the stack's top both show the mark and SP.
    assert.equal(await page.$$eval('.stack-hw', (n: DomNode[]) => n.length), 2);
    assert.equal(await page.$$eval('.stack-sp', (n: DomNode[]) => n.length), 2);
    assert.deepEqual(await page.$$eval('.zoom-label', (n: DomNode[]) => n.map((e) => e.textContent?.split(':')[0])), ['zoomed', 'stack, zoomed']);
    assert.equal(await page.$$eval('.warning', (n: DomNode[]) => n.length), 0);
  });

  it('shows section details on hover and opens the script line on click', async () => {
    const text = (await page.$$('.region:first-of-type .seg[data-name=".text"]')).at(-1);
    await text.hover();
    const tip = await page.$eval('.tooltip', (e: DomNode) => (e.hidden ? '' : e.textContent));
    assert.match(tip, /\.text/);
    await text.click();
    const sent = await page.evaluate(() => (globalThis as unknown as { sent: unknown[] }).sent);
    const openMsg = sent.find((m: unknown) => (m as { type: string }).type === 'open') as { source: { file: string; line: number } };
    assert.ok(openMsg, JSON.stringify(sent));
    assert.equal(path.basename(openMsg.source.file), 'link.x');
  });

  it('renders the screenshot', async () => {
    await page.mouse.move(1, 1);
    const hover = (await page.$$('.region:first-of-type .seg[data-name=".text"]')).at(-1);
    const box = await hover.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const shot = path.join(dir, 'memory-map.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(fs.statSync(shot).size > 10_000);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      fs.mkdirSync(path.join(ROOT, 'media/screenshots'), { recursive: true });
      fs.copyFileSync(shot, path.join(ROOT, 'media/screenshots/memory-map.png'));
    }
  });
});
