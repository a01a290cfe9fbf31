// The virtual board panel's host: a webview (dist/webview/board.js + .css) under a strict CSP with a
// nonce and no remote content. It asks the debug adapter for `cortex-m-sim/board` when a session
// starts or the panel opens, forwards the adapter's `cortex-m-sim/boardState` and
// `cortex-m-sim/uart` events to the webview, and turns the webview's clicks and keys into
// `cortex-m-sim/pressButton` / `setSwitch` / `uartInput` / `runMode` requests and debug commands.
// The webview is kept alive when its tab is hidden, so the terminal keeps its scrollback.

import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { FromPanel } from '../../../webview-ui/board/protocol';
import { createWebviewPanel, webviewHtml } from './webview-html';

const DEBUG_TYPE = 'cortex-m-sim';

interface BoardInfo {
  board: { id: string; name: string; chip: string; drawing?: string; parts: unknown[] } | null;
  boardFile?: string;
  boardFileError?: string;
  chip: { id: string; name: string };
  state: unknown;
}


export class BoardPanel {
  private static current: BoardPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private session: vscode.DebugSession | undefined;
  /** The run mode the user chose in the panel; a session the panel attaches to is switched to it
   *  (a board is watched in real time unless the user asks for fast). */
  private runMode: 'realtime' | 'fast' = 'realtime';

  static show(context: vscode.ExtensionContext): void {
    if (BoardPanel.current) {
      BoardPanel.current.panel.reveal();
      return;
    }
    BoardPanel.current = new BoardPanel(context);
  }

  private constructor(private readonly context: vscode.ExtensionContext) {
    const { panel, root } = createWebviewPanel(context, { viewType: 'cortex-m-sim.board', title: 'Virtual Board', retainContextWhenHidden: true });
    this.panel = panel;
    this.panel.webview.html = webviewHtml(panel.webview, root, {
      bundle: 'board', title: 'Virtual Board', loadingText: 'Waiting for a Cortex-M Sim debug session…',
      // The terminal measures characters and themes itself with <style> elements it creates, so
      // styles (only styles) may be inline (and images may be data: URIs); scripts need the nonce.
      inlineStyles: true, dataImages: true,
    });
    this.panel.onDidDispose(() => this.dispose(), null, this.disposables);
    this.panel.webview.onDidReceiveMessage((m: FromPanel) => void this.onPanelMessage(m), null, this.disposables);
    this.disposables.push(
      vscode.debug.onDidStartDebugSession((s) => { if (s.type === DEBUG_TYPE) void this.attach(s); }),
      vscode.debug.onDidChangeActiveDebugSession((s) => { if (s?.type === DEBUG_TYPE && s !== this.session) void this.attach(s); }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s !== this.session) return;
        this.session = undefined;
        void this.panel.webview.postMessage({ type: 'status', text: 'The debug session ended. Start one (F5) to run the board again.' });
      }),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session !== this.session) return;
        if (e.event === 'cortex-m-sim/boardState') void this.panel.webview.postMessage({ type: 'state', state: e.body });
        else if (e.event === 'cortex-m-sim/uart') void this.panel.webview.postMessage({ type: 'uart', terminal: e.body.terminal, data: e.body.data });
      }),
    );
  }

  private activeSession(): vscode.DebugSession | undefined {
    const s = vscode.debug.activeDebugSession;
    return s?.type === DEBUG_TYPE ? s : this.session;
  }

  /** Show the board of a session: its description, drawing and current state. */
  private async attach(session: vscode.DebugSession | undefined): Promise<void> {
    if (!session) {
      void this.panel.webview.postMessage({ type: 'status', text: 'No Cortex-M Sim debug session. Start one (F5) to see the board run.' });
      return;
    }
    this.session = session;
    try {
      await session.customRequest('cortex-m-sim/runMode', { mode: this.runMode });
      const info = (await session.customRequest('cortex-m-sim/board')) as BoardInfo;
      void this.panel.webview.postMessage({
        type: 'board',
        board: info.board,
        svg: info.board?.drawing ? this.drawing(info.board.drawing) : undefined,
        chipName: info.chip.name,
        notice: info.boardFileError ? `board.json not used: ${info.boardFileError}` : undefined,
        state: info.state,
      });
    } catch (e) {
      // The session may not have launched yet: the board request then fails; try again shortly.
      if (session === this.session) setTimeout(() => { if (session === this.session) void this.attach(session); }, 500);
      void this.panel.webview.postMessage({ type: 'status', text: `Waiting for the session: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  /** The SVG text of a bundled drawing (media/boards/<file>). */
  private drawing(file: string): string | undefined {
    if (!/^[\w.-]+\.svg$/.test(file)) return undefined;
    try {
      return fs.readFileSync(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'boards', file).fsPath, 'utf8');
    } catch {
      return undefined;
    }
  }

  private async onPanelMessage(m: FromPanel): Promise<void> {
    if (m.type === 'ready') {
      await this.attach(this.activeSession());
      return;
    }
    if (m.type === 'control') {
      const command = { continue: 'workbench.action.debug.continue', pause: 'workbench.action.debug.pause', restart: 'workbench.action.debug.restart' }[m.action];
      await vscode.commands.executeCommand(command);
      return;
    }
    const session = this.session;
    if (!session) return;
    try {
      switch (m.type) {
        case 'press': await session.customRequest('cortex-m-sim/pressButton', { id: m.id, pressed: m.pressed }); break;
        case 'switch': await session.customRequest('cortex-m-sim/setSwitch', { id: m.id, on: m.on }); break;
        case 'uart': await session.customRequest('cortex-m-sim/uartInput', { id: m.id, text: m.text }); break;
        case 'runMode':
          if (m.mode) this.runMode = m.mode;
          await session.customRequest('cortex-m-sim/runMode', { mode: m.mode, speed: m.speed });
          break;
        case 'exportVcd': {
          const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
          const target = await vscode.window.showSaveDialog({
            defaultUri: folder ? vscode.Uri.joinPath(folder, 'board.vcd') : undefined,
            filters: { 'Value change dump': ['vcd'] },
          });
          if (!target) return;
          const r = (await session.customRequest('cortex-m-sim/exportVcd')) as { vcd: string };
          await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(r.vcd));
          void vscode.window.showInformationMessage(`Cortex-M Sim: pin timeline saved to ${target.fsPath}`);
          break;
        }
      }
    } catch (e) {
      void vscode.window.showWarningMessage(`Cortex-M Sim board: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private dispose(): void {
    BoardPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

/** The `cortex-m-sim.showBoard` command. */
export function registerBoardPanel(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('cortex-m-sim.showBoard', () => BoardPanel.show(context)));
}
