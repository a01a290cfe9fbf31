// Drives the real VS Code workbench (code-server 4.99.3, installed by setup.sh) with headless
// chromium through playwright-core, the way a user would: keys, clicks, and reading what the views
// show. One code-server per test run (the extension is installed once), one fresh page per
// scenario. Every wait is bounded; code-server and chromium are killed by process group on the
// way out, also when a scenario fails or mocha is interrupted.

import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserServer, Locator, Page } from 'playwright-core';
import { REPO_ROOT } from './workspace';
import { freePort } from '../support/free-port';

// What the page-side functions (page.evaluate) touch; the project is not compiled against the DOM
// library, and these declarations stay local to this module.
interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  parentElement: PageElement | null;
  style: { top: string };
  textContent: string | null;
}
declare const document: PageElement;

export const E2E_DIR = __dirname;
export const TOOLS_DIR = path.join(E2E_DIR, '.tools');
export const ARTIFACTS_DIR = path.join(E2E_DIR, 'artifacts');
const CODE_SERVER = path.join(TOOLS_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
export const VSIX = process.env.E2E_VSIX ?? path.join(REPO_ROOT, 'cortex-m-sim.vsix');
export const EXTENSION_ID = 'cortex-m-sim.cortex-m-sim';

/** Upper bounds for waits (ms). Generous for a loaded machine; a pass takes far less. */
export const T = {
  serverStart: 30_000,
  install: 90_000,
  workbench: 60_000,
  stop: 30_000,
  ui: 10_000,
  search: 30_000,
};

function loadPlaywright(): typeof import('playwright-core') {
  // The copy setup.sh installed, else the project's own devDependency.
  for (const base of [path.join(TOOLS_DIR, 'node_modules'), path.join(REPO_ROOT, 'node_modules')]) {
    const p = path.join(base, 'playwright-core');
    if (fs.existsSync(p)) return createRequire(__filename)(p) as typeof import('playwright-core');
  }
  throw new Error('playwright-core is not installed: run `bash test/e2e/setup.sh`');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Kills a detached child's whole process group (code-server forks its extension host and a
 *  file watcher; the adapter is a grandchild). */
function killGroup(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return Promise.race([new Promise<boolean>((r) => child.once('exit', () => r(true))), sleep(ms).then(() => false)]);
}

function runToEnd(args: string[], env: NodeJS.ProcessEnv, ms: number, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, [CODE_SERVER, ...args], { env, stdio: ['ignore', out, out], detached: true });
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`code-server ${args.join(' ')} took more than ${ms} ms (log: ${logFile})`));
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      fs.closeSync(out);
      if (code === 0) resolve();
      else reject(new Error(`code-server ${args.join(' ')} exited with ${code} (log: ${logFile})`));
    });
  });
}

/** A running code-server with our extension installed, and a headless chromium to look at it. */
export class CodeServer {
  private server?: ChildProcess;
  private browserServer?: BrowserServer;
  browser?: Browser;
  port = 0;
  readonly dataDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly logFile: string;

  constructor() {
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cortex-m-sim-code-server-'));
    this.userDataDir = path.join(this.dataDir, 'user-data');
    this.extensionsDir = path.join(this.dataDir, 'extensions');
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    for (const f of fs.readdirSync(ARTIFACTS_DIR)) if (f.endsWith('.png') || f.endsWith('-console.log') || f === 'logs') fs.rmSync(path.join(ARTIFACTS_DIR, f), { recursive: true });
    this.logFile = path.join(ARTIFACTS_DIR, 'code-server.log');
    fs.writeFileSync(this.logFile, '');
  }

  private env(): NodeJS.ProcessEnv {
    // Keep the server from reading the caller's settings or trying the network.
    return { ...process.env, HOME: this.dataDir, XDG_CONFIG_HOME: path.join(this.dataDir, 'config'), XDG_DATA_HOME: path.join(this.dataDir, 'data') };
  }

  async start(): Promise<void> {
    if (!fs.existsSync(CODE_SERVER)) throw new Error(`code-server is not installed (${CODE_SERVER}): run \`bash test/e2e/setup.sh\``);
    if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} does not exist: run \`npm run package\``);
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} does not exist: run \`bash test/e2e/setup.sh\``);

    fs.mkdirSync(path.join(this.userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(this.userDataDir, 'User', 'settings.json'),
      JSON.stringify(
        {
          // --disable-workspace-trust does not stop the prompt; the setting does.
          'security.workspace.trust.enabled': false,
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.enableExperiments': false,
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'extensions.ignoreRecommendations': true,
          'telemetry.telemetryLevel': 'off',
          'update.mode': 'none',
          'git.enabled': false,
          'editor.hover.delay': 100,
          'debug.openDebug': 'openOnDebugBreak',
          'debug.toolBarLocation': 'floating',
          'window.commandCenter': false,
          'chat.commandCenter.enabled': false,
          'workbench.secondarySideBar.defaultVisibility': 'hidden',
          // The linker language server's requests and answers, in its output channel's log (kept
          // under artifacts/logs).
          'cortex-m-sim.linkerScript.trace.server': 'verbose',
        },
        null,
        2,
      ),
    );
    const common = ['--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];
    await runToEnd([...common, '--force', '--install-extension', VSIX], this.env(), T.install, this.logFile);

    this.port = await freePort();
    const out = fs.openSync(this.logFile, 'a');
    this.server = spawn(
      process.execPath,
      [
        CODE_SERVER,
        ...common,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${this.port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        // E2E_LOG=trace: everything, the language server's messages included, in artifacts/logs.
        ...(process.env.E2E_LOG ? ['--log', process.env.E2E_LOG] : []),
      ],
      { env: this.env(), stdio: ['ignore', out, out], detached: true },
    );
    fs.closeSync(out);
    const deadline = Date.now() + T.serverStart;
    for (;;) {
      if (this.server.exitCode !== null) throw new Error(`code-server exited with ${this.server.exitCode} (log: ${this.logFile})`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within ${T.serverStart} ms (log: ${this.logFile})`);
      await sleep(200);
    }

    const { chromium } = loadPlaywright();
    this.browserServer = await chromium.launchServer({
      executablePath: CHROMIUM,
      headless: true,
      timeout: T.serverStart,
      args: ['--no-sandbox', '--disable-gpu', '--headless=new', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-dev-shm-usage'],
    });
    this.browser = await chromium.connect(this.browserServer.wsEndpoint(), { timeout: T.serverStart });
  }

  /** A new page showing the workbench with `folder` open. */
  async open(folder: string, name: string): Promise<Workbench> {
    if (!this.browser) throw new Error('CodeServer.start() first');
    const context = await this.browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    const wb = new Workbench(page, name);
    // The page's console (with E2E_LOG=trace also the keybinding dispatch and commands run).
    const consoleLog = path.join(ARTIFACTS_DIR, `${name}-console.log`);
    page.on('console', (m) => {
      if (m.type() === 'error') wb.consoleErrors.push(m.text());
      fs.appendFile(consoleLog, `${new Date().toISOString()} [${m.type()}] ${m.text()}\n`, () => undefined);
    });
    // Hover requests the workbench makes to the extension host and the hover answers it gets,
    // counted on the remote connection, so a missing hover says which side stayed silent.
    page.on('websocket', (socket) => {
      socket.on('framesent', (f) => {
        if (frameHas(f.payload, '$provideHover')) wb.hoverTraffic.requests++;
      });
      socket.on('framereceived', (f) => {
        if (wb.hoverTraffic.answerMarker && frameHas(f.payload, wb.hoverTraffic.answerMarker)) wb.hoverTraffic.answers++;
      });
    });
    await page.goto(`http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(folder)}`, { timeout: T.workbench });
    await page.locator('.monaco-workbench').waitFor({ timeout: T.workbench });
    // The extension host and our activation (workspaceContains:memory.x) come after the shell.
    await page.locator('.statusbar').waitFor({ timeout: T.workbench });
    await sleep(1500);
    return wb;
  }

  /** Kills code-server's and chromium's process groups at once (for signal handlers). */
  killNow(): void {
    const chromiumProcess = this.browserServer?.process();
    if (chromiumProcess?.pid) {
      try {
        process.kill(-chromiumProcess.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    killGroup(this.server, 'SIGKILL');
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.browser?.close(), sleep(5000)]);
    } catch {
      // closing anyway
    }
    try {
      await Promise.race([this.browserServer?.close(), sleep(5000)]);
    } catch {
      // killed below
    }
    const chromiumProcess = this.browserServer?.process();
    if (chromiumProcess?.pid && chromiumProcess.exitCode === null) {
      try {
        process.kill(-chromiumProcess.pid, 'SIGKILL');
      } catch {
        try {
          chromiumProcess.kill('SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (this.server) {
      killGroup(this.server, 'SIGTERM');
      if (!(await waitForExit(this.server, 5000))) killGroup(this.server, 'SIGKILL');
      // The extension host and adapter may have their own groups' leftovers; the group kill above
      // reaches them because code-server does not detach its children.
      killGroup(this.server, 'SIGKILL');
    }
    this.server = undefined;
    this.browser = undefined;
    this.browserServer = undefined;
    // The workbench's and extension host's logs (output channels included) are what explains a
    // failure after the fact.
    const logs = path.join(this.userDataDir, 'logs');
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(ARTIFACTS_DIR, 'logs'), { recursive: true });
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function frameHas(payload: string | Buffer, text: string): boolean {
  return typeof payload === 'string' ? payload.includes(text) : payload.includes(text, 0, 'latin1');
}

/** One workbench page, with what the scenarios do and look at. */
export class Workbench {
  readonly consoleErrors: string[] = [];
  /** `answers` counts the frames from the server holding `answerMarker` (set by hoverAt). */
  readonly hoverTraffic = { requests: 0, answers: 0, answerMarker: '' };
  private shot = 0;

  constructor(
    readonly page: Page,
    readonly name: string,
  ) {}

  async close(): Promise<void> {
    try {
      await Promise.race([this.page.context().close(), sleep(5000)]);
    } catch {
      // the browser goes with the server
    }
  }

  /** Saves test/e2e/artifacts/<scenario>-<n>-<label>.png and returns its path. */
  async screenshot(label: string): Promise<string> {
    const file = path.join(ARTIFACTS_DIR, `${this.name}-${String(++this.shot).padStart(2, '0')}-${label}.png`);
    await this.page.screenshot({ path: file, timeout: T.ui });
    return file;
  }

  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }

  /** Opens the Command Palette. Focus may be inside a webview (which does not always pass F1 on),
   *  so when the palette does not show, focus the status bar and press again. */
  private async openPalette(): Promise<Locator> {
    const input = this.page.locator('.quick-input-widget input.input');
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.press('F1');
      if (await input.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) return input;
      await this.page.locator('.statusbar').click({ position: { x: 600, y: 5 }, timeout: T.ui }).catch(() => undefined);
    }
    await input.waitFor({ state: 'visible', timeout: T.ui });
    return input;
  }

  /** Runs a command through the Command Palette by its title. */
  async command(title: string): Promise<void> {
    const input = await this.openPalette();
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: T.ui });
    await this.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: T.ui }).catch(() => undefined);
  }

  /** Titles the Command Palette offers for `query` (e.g. "Cortex-M Sim:"), then closes it. */
  async paletteCommands(query: string): Promise<string[]> {
    const input = await this.openPalette();
    await input.fill(`>${query}`, { timeout: T.ui });
    await sleep(600);
    const labels = (await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    await this.press('Escape');
    return labels;
  }

  /** Runs the first palette command whose title matches `pattern`; fails naming what was offered. */
  async commandMatching(query: string, pattern: RegExp, what: string): Promise<string> {
    const offered = await this.paletteCommands(query);
    const title = offered.find((t) => pattern.test(t));
    if (!title) throw new Error(`no ${what} command in the Command Palette (searched "${query}" for ${pattern}; offered: ${JSON.stringify(offered)})`);
    await this.command(title.replace(/^.*?:\s*/, ''));
    return title;
  }

  /** The document of the webview panel whose page is titled `title` (a webview is an iframe
   *  holding the extension's page in a nested iframe; this finds the nested one). */
  async webview(title: string, ms = 15_000): Promise<import('playwright-core').Frame> {
    const deadline = Date.now() + ms;
    const seen = new Set<string>();
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        const t = await frame.title().catch(() => '');
        seen.add(t);
        if (t === title) return frame;
      }
      await sleep(250);
    }
    throw new Error(`no webview titled "${title}" within ${ms} ms (frames: ${JSON.stringify([...seen])})`);
  }

  /**
   * Shows the hover at `line`:`column` of the active editor and returns its text. Two things make
   * a naive Show Hover come back empty:
   * - Show Hover (Ctrl+K Ctrl+I) asks the language's hover providers only when the editor has
   *   keyboard focus; with focus elsewhere the same keys run the workbench's own Show Hover, which
   *   asks nobody. So every try places the cursor with Go to Line, which makes sure of the focus.
   * - Asked for before the language server's providers are registered, it finds none; and the
   *   editor does not start a new hover computation whose anchor equals that of the one it has,
   *   so tries at the same spot after that one may never reach the server. Callers wait for a sign
   *   that the server is up first (see waitForBreadcrumb), and each try closes what the previous
   *   one left, alternates between `column` and `column + 1` (both must be inside the hovered
   *   word), and alternates between the keyboard and the mouse.
   */
  async hoverAt(line: number, column: number, answerMarker = '"contents"'): Promise<string> {
    this.hoverTraffic.answerMarker = answerMarker;
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
    const deadline = Date.now() + T.search;
    let text = '';
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      await this.page.mouse.move(0, 0);
      await this.goToLine(line, column + (attempt % 2));
      if (Math.floor(attempt / 2) % 2 === 1) {
        // Just right of the cursor: over the character at that column.
        const at = await this.cursorPoint();
        await this.page.mouse.move(at.x + 4, at.y, { steps: 3 });
      } else {
        await this.press('Control+K');
        await this.press('Control+I');
      }
      const until = Math.min(deadline, Date.now() + 4000);
      while (Date.now() < until) {
        text = (await hover.innerText().catch(() => '')).trim();
        if (text && !/^Loading/.test(text)) break;
        await sleep(250);
      }
      if (text && !/^Loading/.test(text)) break;
      await this.press('Escape');
    }
    if (!text) {
      const focus = await this.page.evaluate('document.activeElement ? document.activeElement.tagName + "." + document.activeElement.className : "none"');
      const hovers = await this.page.evaluate('Array.from(document.querySelectorAll(".monaco-hover")).map((e) => e.className + " [" + (e.textContent || "").slice(0, 40) + "]").join("; ")');
      throw new Error(`no hover at ${line}:${column} within ${T.search} ms (hover requests to the extension host: ${this.hoverTraffic.requests}, answers holding ${JSON.stringify(answerMarker)}: ${this.hoverTraffic.answers}; focus: ${String(focus)}; hover widgets: ${String(hovers) || 'none'})`);
    }
    return text;
  }

  /** Waits until the active editor's breadcrumb shows `item` (a symbol there means a document
   *  symbol provider has answered for the file: its language server is up). */
  async waitForBreadcrumb(item: string, ms = T.search): Promise<string[]> {
    const deadline = Date.now() + ms;
    let items: string[] = [];
    while (Date.now() < deadline) {
      items = await this.breadcrumbs().catch(() => []);
      if (items.includes(item)) return items;
      await sleep(250);
    }
    throw new Error(`the breadcrumb did not show ${item} within ${ms} ms (it shows ${JSON.stringify(items)})`);
  }

  /** The page coordinates of the active editor's cursor (its vertical middle). */
  private async cursorPoint(): Promise<{ x: number; y: number }> {
    const cursor = this.page.locator('.editor-group-container.active .monaco-editor .cursors-layer .cursor').first();
    await cursor.waitFor({ state: 'attached', timeout: T.ui });
    const box = await cursor.boundingBox({ timeout: T.ui });
    if (!box) throw new Error('the active editor shows no cursor');
    return { x: box.x, y: box.y + box.height / 2 };
  }

  /** Whether keyboard focus is inside the active editor. */
  private async editorHasFocus(): Promise<boolean> {
    return (await this.page.evaluate(
      'document.activeElement !== null && document.activeElement.closest(".editor-group-container.active .monaco-editor") !== null',
    )) as boolean;
  }

  /** Gives the active editor keyboard focus without moving its cursor: closing a quick input
   *  normally hands focus back to the editor, but not always (it can land on the page body). A
   *  click exactly at the cursor focuses the editor and leaves the cursor where it was. */
  async focusEditor(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await this.editorHasFocus()) return;
      await sleep(200);
      if (await this.editorHasFocus()) return;
      const at = await this.cursorPoint();
      await this.page.mouse.click(at.x, at.y);
    }
    if (!(await this.editorHasFocus())) throw new Error('could not give the editor keyboard focus');
  }

  /** Rows of the Problems panel (opened by its command), as their visible text. */
  async problems(): Promise<string[]> {
    await this.command('View: Focus Problems');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout: T.ui }).catch(() => undefined);
    return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Opens a workspace file by Quick Open (Ctrl+P) with its workspace-relative path. */
  async openFile(relativePath: string): Promise<void> {
    await this.press('Control+P');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: T.ui });
    await input.fill(relativePath);
    const base = path.basename(relativePath);
    // File search runs in the server (ripgrep); its first query in a fresh folder can be slow.
    await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: base }).first().waitFor({ timeout: T.search });
    await this.press('Enter');
    await this.activeTab(base).waitFor({ timeout: T.ui });
    // The tab shows before the file's text is loaded into the editor; keys sent before then (Go
    // to Line, Show Hover) go astray.
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').first().waitFor({ timeout: T.ui });
    await this.focusEditor();
  }

  activeTab(label?: string): Locator {
    const tab = this.page.locator('.tabs-container .tab.active');
    return label ? tab.filter({ hasText: label }) : tab;
  }

  /** The labels of all editor tabs, in order. */
  async tabLabels(): Promise<string[]> {
    return (await this.page.locator('.tabs-container .tab .label-name').allInnerTexts()).map((t) => t.trim());
  }

  /** The active editor's breadcrumb (folders relative to the workspace, the file, then symbols). */
  async breadcrumbs(): Promise<string[]> {
    const items = this.page.locator('.editor-group-container.active .breadcrumbs-control .monaco-breadcrumb-item');
    await items.first().waitFor({ timeout: T.ui });
    return (await items.allInnerTexts()).map((t) => t.trim()).filter((t) => t !== '');
  }

  /** The label of the active editor tab. */
  async activeTabLabel(): Promise<string> {
    return (await this.page.locator('.tabs-container .tab.active .label-name').first().innerText({ timeout: T.ui })).trim();
  }

  // ---- debugging ----------------------------------------------------------------------------------

  /** The debug toolbar (floating, per the settings above). */
  debugToolbar(): Locator {
    return this.page.locator('.debug-toolbar');
  }

  /** Waits for the debugger to be paused: the toolbar's Continue button (it replaces Pause). */
  async waitForStopped(ms = T.stop): Promise<void> {
    await this.debugToolbar().waitFor({ state: 'visible', timeout: ms });
    await this.debugToolbar().locator('.action-label.codicon-debug-continue').waitFor({ state: 'visible', timeout: ms });
    // The stack trace and the editor decoration follow the stopped event.
    await this.page.locator('.debug-top-stack-frame-line').first().waitFor({ state: 'attached', timeout: ms }).catch(() => undefined);
  }

  async waitForRunning(ms = T.ui): Promise<void> {
    await this.debugToolbar().locator('.action-label.codicon-debug-pause').waitFor({ state: 'visible', timeout: ms });
  }

  async waitForNoSession(ms = T.stop): Promise<void> {
    await this.debugToolbar().waitFor({ state: 'hidden', timeout: ms });
  }

  /** Shift+F5 and wait for the toolbar to go. */
  async stopDebugging(): Promise<void> {
    if (!(await this.debugToolbar().isVisible())) return;
    await this.press('Shift+F5');
    await this.waitForNoSession(T.ui).catch(() => undefined);
  }

  /**
   * Text of the call stack's frames, top first, as "name file:line" (what the view shows; the
   * file:line part is the frame's source label when there is one).
   */
  async callStack(): Promise<string[]> {
    const rows = this.page.locator('.debug-call-stack .monaco-list-row .stack-frame');
    await rows.first().waitFor({ timeout: T.ui });
    const out: string[] = [];
    for (const row of await rows.all()) {
      const name = (await row.locator('.expression').innerText().catch(() => '')).trim();
      const file = (await row.locator('.file').innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
      out.push(`${name} ${file}`.trim());
    }
    return out;
  }

  /**
   * Rows of the Variables view, top to bottom, as "name = value" (scopes as their bare name). The
   * view is a virtual list that renders only what is in sight, so this scrolls it with the mouse
   * wheel from the top and collects rows by their list index.
   */
  async variables(): Promise<string[]> {
    const view = this.page.locator('.debug-variables .monaco-list');
    await view.locator('.monaco-list-row').first().waitFor({ timeout: T.ui });
    const box = await view.boundingBox();
    if (!box) return [];
    await this.page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 40));
    // Back to the top: until the first row (data-index 0) is rendered.
    for (let i = 0; i < 20; i++) {
      await this.page.mouse.wheel(0, -10_000);
      await sleep(100);
      if ((await view.locator('.monaco-list-row[data-index="0"]').count()) > 0) break;
    }
    const byIndex = new Map<number, string>();
    let unchanged = 0;
    for (let i = 0; i < 40 && unchanged < 2; i++) {
      await sleep(120);
      const rows = await view.locator('.monaco-list-row').evaluateAll((els) =>
        // No named inner functions here: the test runner's transpiler would wrap them in a helper
        // that does not exist in the page.
        els.map((el) => {
          const scope = el.querySelector('.scope');
          const label = scope
            ? (scope.textContent ?? '')
            : `${el.querySelector('.name')?.textContent ?? ''} ${el.querySelector('.value')?.textContent ?? ''}`;
          return [Number(el.getAttribute('data-index')), label.replace(/\s+/g, ' ').trim()] as [number, string];
        }),
      );
      const before = byIndex.size;
      for (const [index, label] of rows) byIndex.set(index, label);
      unchanged = byIndex.size === before ? unchanged + 1 : 0;
      await this.page.mouse.wheel(0, Math.max(60, box.height - 60));
    }
    await this.page.mouse.wheel(0, -100_000);
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, label]) => label);
  }

  /** Waits until some Variables row satisfies `pred`; returns all rows then. */
  async waitForVariable(pred: (row: string) => boolean, ms = T.ui): Promise<string[]> {
    const deadline = Date.now() + ms;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = await this.variables().catch(() => []);
      if (rows.some(pred)) return rows;
      await sleep(200);
    }
    throw new Error(`no Variables row matched within ${ms} ms; rows: ${JSON.stringify(rows)}`);
  }

  /** Expands a collapsed scope or variable row in the Variables view by its label. */
  async expandVariable(label: string): Promise<void> {
    const row = this.page.locator('.debug-variables .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ timeout: T.ui });
    const expanded = this.page.locator(`.debug-variables .monaco-list-row[aria-expanded="true"]`, { hasText: label }).first();
    // A click during a refresh of the view can be lost, and when a refresh moves the rows, the
    // pointer can end up resting on a value whose hover (the value with Copy actions) then covers
    // the row: move the pointer away and let the hover go before each try.
    for (let attempt = 0; attempt < 6 && (await expanded.count()) === 0; attempt++) {
      await this.page.mouse.move(0, 0);
      await this.page.locator('.workbench-hover-container, .monaco-hover:not(.hidden)').first().waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
      if ((await row.getAttribute('aria-expanded')) === 'false') await row.click({ timeout: 3000 }).catch(() => undefined);
      await expanded.waitFor({ timeout: 2000 }).catch(() => undefined);
    }
    await expanded.waitFor({ timeout: T.ui });
  }

  /**
   * The 1-based line the editor highlights as the current statement (the top stack frame's
   * decoration, a whole-line decoration in the view overlay), read from the line-number gutter at
   * the same vertical position. Undefined if there is none in view.
   */
  async currentLine(): Promise<number | undefined> {
    return this.page.evaluate(() => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor') ?? document.querySelector('.monaco-editor');
      if (!editor) return undefined;
      const deco = editor.querySelector('.view-overlays .debug-top-stack-frame-line, .view-overlays .debug-focused-stack-frame-line');
      if (!deco) return undefined;
      const row = deco.parentElement;
      if (!row) return undefined;
      const top = row.style.top;
      for (const n of Array.from(editor.querySelectorAll('.margin-view-overlays > div'))) {
        const el = n;
        if (el.style.top === top) {
          const num = el.querySelector('.line-numbers');
          if (num) return Number.parseInt((num.textContent ?? '').trim(), 10);
        }
      }
      return undefined;
    });
  }

  async waitForCurrentLine(expected: number, ms = T.ui): Promise<void> {
    const deadline = Date.now() + ms;
    let seen: number | undefined;
    while (Date.now() < deadline) {
      seen = await this.currentLine();
      if (seen === expected) return;
      await sleep(150);
    }
    throw new Error(`the editor's current line is ${seen ?? 'not shown'}, expected ${expected}`);
  }

  /** The text of the current-line row in the active editor. */
  async currentLineText(): Promise<string | undefined> {
    const line = await this.currentLine();
    if (line === undefined) return undefined;
    return this.lineText(line);
  }

  async lineText(line: number): Promise<string | undefined> {
    return this.page.evaluate((want) => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor') ?? document.querySelector('.monaco-editor');
      if (!editor) return undefined;
      for (const n of Array.from(editor.querySelectorAll('.margin-view-overlays > div'))) {
        const el = n;
        const num = el.querySelector('.line-numbers');
        if (num && Number.parseInt((num.textContent ?? '').trim(), 10) === want) {
          for (const l of Array.from(editor.querySelectorAll('.view-lines .view-line'))) {
            if (l.style.top === el.style.top) return (l.textContent ?? '').replace(/\u00a0/g, ' ');
          }
        }
      }
      return undefined;
    }, line);
  }

  /** Goes to `line` (and `column`) in the active editor (Ctrl+G) so it is in view with the cursor
   *  there, and leaves keyboard focus in the editor (keys like F9 act on the focused editor). */
  async goToLine(line: number, column?: number): Promise<void> {
    await this.press('Control+G');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: T.ui });
    await input.fill(column === undefined ? `:${line}` : `:${line}:${column}`);
    await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: `line ${line}` }).first().waitFor({ timeout: T.ui });
    // An Enter that arrives while the picker is still updating its item is dropped: press again.
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.press('Enter');
      if (await input.waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false)) break;
    }
    await input.waitFor({ state: 'hidden', timeout: T.ui });
    await this.focusEditor();
  }

  /** Toggles a breakpoint on `line` of the active editor with F9, and waits for its glyph. */
  async toggleBreakpoint(line: number): Promise<void> {
    await this.goToLine(line);
    await this.press('F9');
    await this.page.locator('.monaco-editor .codicon-debug-breakpoint, .monaco-editor .codicon-debug-breakpoint-unverified').first().waitFor({ timeout: T.ui });
  }

  /** Text of the Debug Console (the REPL's output). */
  async debugConsoleText(): Promise<string> {
    return (await this.page.locator('.repl .monaco-list-rows').innerText({ timeout: T.ui }).catch(() => '')).trim();
  }

  /** Text of notifications currently shown (toasts). */
  async notifications(): Promise<string[]> {
    const items = this.page.locator('.notification-toast .notification-list-item-message');
    return (await items.allInnerTexts().catch(() => [])).map((s) => s.trim());
  }
}
