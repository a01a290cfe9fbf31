// Activation: registers the cortex-m-sim debugger's configuration provider and adapter factory.
// Only this folder imports vscode; the adapter runs as its own Node program (dist/adapter.js).

import * as vscode from 'vscode';
import * as path from 'node:path';
import { findFirmwareElfs } from './firmware-discovery';

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
    if (config.board === undefined && config.chip === undefined) config.board = 'nucleo-f411re';
    if (config.runToEntryPoint === undefined) config.runToEntryPoint = 'main';
    if (config.cwd === undefined && folder) config.cwd = folder.uri.fsPath;
    return config;
  }
}

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly context: vscode.ExtensionContext) {}
  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    return new vscode.DebugAdapterExecutable(process.execPath, [
      this.context.asAbsolutePath(path.join('dist', 'adapter.js')),
    ]);
  }
}

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(context)),
  );
}

export function deactivate(): void {}
