// Activation: registers the cortex-m-sim debugger's configuration provider and adapter factory,
// and a status-bar item with the simulation's state. Only this folder imports vscode. The adapter
// runs as its own Node program (dist/adapter.js) by default, or inside the extension host when the
// setting "cortex-m-sim.debugAdapter" is "inline" (easier to debug the adapter itself).

import * as vscode from 'vscode';
import * as path from 'node:path';
import { CortexMSimSession } from '../adapter/session';
import { CHIP_CHOICES, describeFirmwareFolder, findFirmwareElfs } from './firmware-discovery';
import { registerLinkerLanguageClient } from './linker-client';
import { registerBoardPanel } from './panels/board-panel';
import { registerMemoryMapPanel } from './panels/memory-map-panel';
import { registerPeripheralsPanel } from './panels/peripherals-panel';
import { formatStatus, type SimulationStatus } from './status';

const DEBUG_TYPE = 'cortex-m-sim';

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    // F5 with no launch.json: build a configuration from what the folder holds.
    if (!config.type && !config.request && !config.name) {
      if (!folder) {
        void vscode.window.showErrorMessage('Cortex-M Sim: open a firmware folder to debug.');
        return undefined;
      }
      config.type = DEBUG_TYPE;
      config.request = 'launch';
      config.name = 'Debug firmware (Cortex-M Sim)';
    }
    if (config.program === undefined && folder) {
      const elfs = findFirmwareElfs(folder.uri.fsPath);
      if (elfs.length === 1) config.program = elfs[0];
      else if (elfs.length > 1) {
        const pick = await vscode.window.showQuickPick(
          elfs.map((f) => ({ label: path.relative(folder.uri.fsPath, f), file: f })),
          { placeHolder: 'Which firmware ELF should Cortex-M Sim run?' },
        );
        if (!pick) return undefined;
        config.program = pick.file;
      } else {
        void vscode.window.showErrorMessage(
          'Cortex-M Sim: no firmware ELF found under target/thumbv*/debug/. Build it with `cargo build` or set "program" in launch.json.',
        );
        return undefined;
      }
    }
    if (typeof config.program !== 'string' || config.program === '') {
      void vscode.window.showErrorMessage('Cortex-M Sim: "program" must be the path of the firmware ELF.');
      return undefined;
    }
    if (folder && (config.linkerScript === undefined || (config.board === undefined && config.chip === undefined))) {
      const found = describeFirmwareFolder(folder.uri.fsPath);
      if (config.linkerScript === undefined && found.linkerScript !== undefined) config.linkerScript = found.linkerScript;
      if (config.board === undefined && config.chip === undefined) {
        let choice: { board?: string; chip?: string } = found.guess;
        if (!found.guess.sure) {
          // Not enough in memory.x / .cargo/config.toml to be sure: ask, with the guess first.
          const suggested = found.guess.board ?? found.guess.chip;
          const items = [...CHIP_CHOICES]
            .sort((a, b) => Number((b.board ?? b.chip) === suggested) - Number((a.board ?? a.chip) === suggested))
            .map((c) => ({ label: c.label, detail: c.detail, description: (c.board ?? c.chip) === suggested ? `suggested: ${found.guess.why}` : undefined, choice: c }));
          const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Which board or chip should Cortex-M Sim simulate? (set "board" or "chip" in launch.json to skip this)' });
          if (!pick) return undefined;
          choice = pick.choice;
        }
        if (choice.board !== undefined) config.board = choice.board;
        else if (choice.chip !== undefined) config.chip = choice.chip;
        else config.board = 'nucleo-f411re';
      }
    }
    if (config.board === undefined && config.chip === undefined) config.board = 'nucleo-f411re';
    if (config.runToEntryPoint === undefined) config.runToEntryPoint = 'main';
    if (config.cwd === undefined && folder) config.cwd = folder.uri.fsPath;
    return config;
  }
}

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly context: vscode.ExtensionContext) {}
  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    const mode = vscode.workspace.getConfiguration('cortex-m-sim').get<string>('debugAdapter', 'process');
    if (mode === 'inline') {
      // The session object speaks DAP messages directly (handleMessage / onDidSendMessage).
      return new vscode.DebugAdapterInlineImplementation(new CortexMSimSession() as unknown as vscode.DebugAdapter);
    }
    return new vscode.DebugAdapterExecutable(process.execPath, [
      this.context.asAbsolutePath(path.join('dist', 'adapter.js')),
    ]);
  }
}

/** Shows "running · 42.0 MIPS" / "stopped" for the active cortex-m-sim session, polled once a
 *  second through the adapter's status request (so it works in and out of process). */
class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor() {
    this.item.name = 'Cortex-M Sim';
    this.item.tooltip = 'Cortex-M Sim: simulation state';
  }

  update(session: vscode.DebugSession | undefined): void {
    if (!session || session.type !== DEBUG_TYPE) {
      this.stop();
      return;
    }
    if (!this.timer) this.timer = setInterval(() => void this.poll(), 1000);
    void this.poll();
  }

  private async poll(): Promise<void> {
    const session = vscode.debug.activeDebugSession;
    if (!session || session.type !== DEBUG_TYPE || this.busy) return;
    this.busy = true;
    try {
      const status = (await session.customRequest('cortex-m-sim/status')) as SimulationStatus;
      this.item.text = formatStatus(status);
      this.item.show();
    } catch {
      this.item.hide();
    } finally {
      this.busy = false;
    }
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.item.hide();
  }

  dispose(): void {
    this.stop();
    this.item.dispose();
  }
}

export function activate(context: vscode.ExtensionContext): void {
  const status = new StatusBar();
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(context)),
    status,
    vscode.debug.onDidChangeActiveDebugSession((s) => status.update(s)),
    vscode.debug.onDidStartDebugSession((s) => status.update(s)),
    vscode.debug.onDidTerminateDebugSession(() => status.update(vscode.debug.activeDebugSession)),
  );
  registerLinkerLanguageClient(context);
  registerMemoryMapPanel(context);
  registerBoardPanel(context);
  registerPeripheralsPanel(context);
}

export function deactivate(): void {}
