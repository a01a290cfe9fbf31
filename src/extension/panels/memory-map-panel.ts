// The memory-map panel's host: a webview (dist/webview/memory-map.js + .css) under a strict CSP with
// a nonce and no remote content. During a cortex-m-sim debug session it asks the adapter for
// `cortex-m-sim/memoryMap` on every stop and twice a second while the target runs; with no session
// it shows the static map of the workspace's firmware from its linker script and ELF.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findLinkerScript, MemoryMapProvider, type MemoryMapPayload, type SourceRef } from '../../adapter/memory-map';
import { readElf } from '../../debuginfo/elf';
import { demangle } from '../../debuginfo/demangle';
import { findElfForScript } from '../../linker/language/elf-locator';
import { findFirmwareElfs } from '../firmware-discovery';
import { createWebviewPanel, openSourceLine, webviewHtml } from './webview-html';

const DEBUG_TYPE = 'cortex-m-sim';
const LIVE_POLL_MS = 500;

export class MemoryMapPanel {
  private static current: MemoryMapPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;

  static show(context: vscode.ExtensionContext): void {
    if (MemoryMapPanel.current) {
      MemoryMapPanel.current.panel.reveal();
      void MemoryMapPanel.current.refresh();
      return;
    }
    MemoryMapPanel.current = new MemoryMapPanel(context);
  }

  /** Debug adapter messages: refresh on stop, poll while running. */
  static onAdapterMessage(message: { type?: string; event?: string; command?: string; success?: boolean }): void {
    const p = MemoryMapPanel.current;
    if (!p) return;
    if (message.type === 'event' && message.event === 'stopped') {
      p.running = false;
      void p.refresh();
    } else if (message.type === 'event' && (message.event === 'continued' || message.event === 'terminated')) {
      p.running = message.event === 'continued';
      if (!p.running) void p.refresh();
    } else if (message.type === 'response' && message.success && ['continue', 'next', 'stepIn', 'stepOut'].includes(message.command ?? '')) {
      p.running = true;
    }
  }

  private constructor(context: vscode.ExtensionContext) {
    const { panel, root } = createWebviewPanel(context, { viewType: 'cortex-m-sim.memoryMap', title: 'Memory Map', retainContextWhenHidden: false });
    this.panel = panel;
    this.panel.webview.html = webviewHtml(panel.webview, root, { bundle: 'memory-map', title: 'Memory Map', loadingText: 'Loading the memory map…' });
    this.panel.onDidDispose(() => this.dispose(), null, this.disposables);
    this.panel.webview.onDidReceiveMessage((m: { type: string; source?: SourceRef }) => {
      if (m.type === 'ready' || m.type === 'refresh') void this.refresh();
      else if (m.type === 'open' && m.source) void this.open(m.source);
    }, null, this.disposables);
    this.disposables.push(
      vscode.debug.onDidStartDebugSession(() => void this.refresh()),
      vscode.debug.onDidTerminateDebugSession(() => { this.running = false; void this.refresh(); }),
      vscode.debug.onDidChangeActiveDebugSession(() => void this.refresh()),
    );
    this.timer = setInterval(() => { if (this.running && this.panel.visible) void this.refresh(); }, LIVE_POLL_MS);
  }

  private async refresh(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      const payload = await this.fetch();
      if (payload) void this.panel.webview.postMessage({ type: 'update', payload });
    } catch (e) {
      void this.panel.webview.postMessage({ type: 'status', text: `No memory map: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      this.inFlight = false;
    }
  }

  private async fetch(): Promise<MemoryMapPayload | undefined> {
    const session = vscode.debug.activeDebugSession;
    if (session && session.type === DEBUG_TYPE) {
      try {
        return (await session.customRequest('cortex-m-sim/memoryMap')) as MemoryMapPayload;
      } catch {
        // An adapter without the request (or not launched yet): fall back to the static map.
      }
    }
    return this.staticMap();
  }

  /** The map of the workspace firmware without running it. */
  private staticMap(): MemoryMapPayload {
    const editor = vscode.window.activeTextEditor?.document;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const exists = (p: string): boolean => fs.existsSync(p);
    const list = (d: string): string[] => { try { return fs.readdirSync(d); } catch { return []; } };
    const diskFs = {
      readFile: (p: string) => { try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; } },
      list, fileTime: (p: string) => { try { return fs.statSync(p).isFile() ? fs.statSync(p).mtimeMs : undefined; } catch { return undefined; } },
    };
    let script = editor?.languageId === 'linker-script' ? editor.uri.fsPath : undefined;
    const configured = vscode.workspace.getConfiguration('cortex-m-sim.linker').get<string>('elf');
    let elfPath = configured ? path.resolve(folder ?? '.', configured) : script ? findElfForScript(script, diskFs) : undefined;
    if (!elfPath && folder) elfPath = findFirmwareElfs(folder)[0];
    if (!elfPath) throw new Error('no firmware ELF found (build it, or set cortex-m-sim.linker.elf)');
    script ??= findLinkerScript(elfPath, exists, list) ?? (folder && exists(path.join(folder, 'memory.x')) ? path.join(folder, 'memory.x') : undefined);
    const elf = readElf(fs.readFileSync(elfPath), elfPath);
    return new MemoryMapProvider(elf, script, [], { demangle }).payload();
  }

  private async open(source: SourceRef): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const file = path.isAbsolute(source.file) ? source.file : path.resolve(folder, source.file);
    await openSourceLine(file, source.line);
  }

  private dispose(): void {
    MemoryMapPanel.current = undefined;
    if (this.timer) clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** The `cortex-m-sim.showMemoryMap` command and the adapter tracker that keeps the panel live. */
export function registerMemoryMapPanel(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('cortex-m-sim.showMemoryMap', () => MemoryMapPanel.show(context)),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: unknown) => MemoryMapPanel.onAdapterMessage(m as never) }),
    }),
  );
}
