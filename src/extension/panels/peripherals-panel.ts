// The peripheral register panel's host: a webview (dist/webview/peripherals.js + .css) under a strict
// CSP with a nonce and no remote content. It asks the active cortex-m-sim session for the SVD tree
// once (`cortex-m-sim/peripherals` with values: false), then for values on every stop (the
// adapter's `cortex-m-sim/peripheralsChanged` event, or a DAP 'stopped' / 'invalidated') and four
// times a second while the firmware runs. Edits go to `cortex-m-sim/writeRegister`, the history
// button to `cortex-m-sim/registerHistory`. It never touches emulator objects: the adapter may be
// another process.

import * as vscode from 'vscode';
import { createWebviewPanel, openSourceLine, webviewHtml } from './webview-html';
import type { PeripheralsResponse, PeripheralValues, RegisterHistoryResponse } from '../../adapter/peripherals-protocol';

const DEBUG_TYPE = 'cortex-m-sim';
const LIVE_POLL_MS = 250;

type FromPanel =
  | { type: 'ready' }
  | { type: 'write'; id: number; field?: string; value: string }
  | { type: 'history'; id: number }
  | { type: 'open'; path: string; line: number };

interface AdapterMessage { type?: string; event?: string; command?: string; success?: boolean }

export class PeripheralsPanel {
  private static current: PeripheralsPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private valuesInFlight = false;
  /** The session whose tree the webview shows. */
  private treeSession: vscode.DebugSession | undefined;

  static show(context: vscode.ExtensionContext): void {
    if (PeripheralsPanel.current) {
      PeripheralsPanel.current.panel.reveal();
      void PeripheralsPanel.current.refresh(true);
      return;
    }
    PeripheralsPanel.current = new PeripheralsPanel(context);
  }

  /** Debug adapter traffic: refresh on stop and on invalidation, poll while running. */
  static onAdapterMessage(message: AdapterMessage): void {
    const p = PeripheralsPanel.current;
    if (!p) return;
    if (message.type === 'event' && (message.event === 'stopped' || message.event === 'invalidated')) {
      p.running = false;
      void p.refresh(false);
    } else if (message.type === 'event' && message.event === 'continued') {
      p.running = true;
    } else if (message.type === 'event' && message.event === 'terminated') {
      p.running = false;
    } else if (message.type === 'response' && message.success && ['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue'].includes(message.command ?? '')) {
      p.running = true;
    }
  }

  private constructor(context: vscode.ExtensionContext) {
    const { panel, root } = createWebviewPanel(context, { viewType: 'cortex-m-sim.peripherals', title: 'Peripherals', retainContextWhenHidden: true });
    this.panel = panel;
    this.panel.webview.html = webviewHtml(panel.webview, root, { bundle: 'peripherals', title: 'Peripherals', loadingText: 'Loading the peripherals…' });
    this.panel.onDidDispose(() => this.dispose(), null, this.disposables);
    this.panel.webview.onDidReceiveMessage((m: FromPanel) => void this.onMessage(m), null, this.disposables);
    this.disposables.push(
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session.type === DEBUG_TYPE && e.event === 'cortex-m-sim/peripheralsChanged') {
          this.running = false;
          void this.refresh(false);
        }
      }),
      vscode.debug.onDidStartDebugSession(() => void this.refresh(true)),
      vscode.debug.onDidTerminateDebugSession(() => { this.running = false; void this.refresh(true); }),
      vscode.debug.onDidChangeActiveDebugSession(() => void this.refresh(true)),
    );
    this.timer = setInterval(() => { if (this.running && this.panel.visible) void this.refresh(false); }, LIVE_POLL_MS);
  }

  private session(): vscode.DebugSession | undefined {
    const s = vscode.debug.activeDebugSession;
    return s && s.type === DEBUG_TYPE ? s : undefined;
  }

  private post(message: unknown): void {
    void this.panel.webview.postMessage(message);
  }

  /** Sends the tree when the session changed (or `withTree`), then the values. */
  private async refresh(withTree: boolean): Promise<void> {
    const session = this.session();
    if (!session) {
      this.treeSession = undefined;
      this.post({ type: 'status', text: 'Start a Cortex-M Sim debug session to see the peripheral registers.' });
      return;
    }
    try {
      if (withTree || this.treeSession !== session) {
        const r = (await session.customRequest('cortex-m-sim/peripherals', { values: false })) as PeripheralsResponse;
        this.treeSession = session;
        this.post({ type: 'tree', tree: r.tree ?? null, error: r.error });
        if (!r.tree) return;
      }
      if (this.valuesInFlight) return;
      this.valuesInFlight = true;
      try {
        const v = (await session.customRequest('cortex-m-sim/peripherals', { tree: false })) as PeripheralValues;
        this.running = v.state === 'running';
        this.post({ type: 'values', values: v });
      } finally {
        this.valuesInFlight = false;
      }
    } catch (e) {
      this.post({ type: 'status', text: `No peripheral values: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async onMessage(m: FromPanel): Promise<void> {
    const session = this.session();
    switch (m.type) {
      case 'ready':
        await this.refresh(true);
        return;
      case 'write':
        if (!session) return;
        try {
          await session.customRequest('cortex-m-sim/writeRegister', { id: m.id, field: m.field, value: m.value });
        } catch (e) {
          this.post({ type: 'writeError', id: m.id, text: e instanceof Error ? e.message : String(e) });
        }
        await this.refresh(false);
        return;
      case 'history':
        if (!session) return;
        try {
          const history = (await session.customRequest('cortex-m-sim/registerHistory', { id: m.id })) as RegisterHistoryResponse;
          this.post({ type: 'history', history });
        } catch (e) {
          this.post({ type: 'writeError', id: m.id, text: e instanceof Error ? e.message : String(e) });
        }
        return;
      case 'open':
        await openSourceLine(m.path, m.line);
        return;
    }
  }

  private dispose(): void {
    PeripheralsPanel.current = undefined;
    if (this.timer) clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** The `cortex-m-sim.showPeripherals` command and the adapter tracker that keeps the panel live. */
export function registerPeripheralsPanel(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('cortex-m-sim.showPeripherals', () => PeripheralsPanel.show(context)),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: unknown) => PeripheralsPanel.onAdapterMessage(m as AdapterMessage) }),
    }),
  );
}
