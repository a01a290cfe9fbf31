// Starts the linker-script language server (dist/linker-server.js) for memory.x, link.x and *.ld
// files. Settings under `cortex-m-sim.linker` (elf, searchPaths) are passed at start and on change.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

function linkerSettings(): { elf?: string; searchPaths?: string[] } {
  const c = vscode.workspace.getConfiguration('cortex-m-sim.linker');
  return { elf: c.get<string>('elf') || undefined, searchPaths: c.get<string[]>('searchPaths') ?? [] };
}

export function registerLinkerLanguageClient(context: vscode.ExtensionContext): void {
  const module = context.asAbsolutePath('dist/linker-server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'linker-script' }],
    initializationOptions: linkerSettings(),
    synchronize: {
      configurationSection: 'cortex-m-sim',
      // A rebuilt ELF or an edited INCLUDEd file changes the diagnostics of open scripts.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.x,*.ld,*.lds,Cargo.toml,target/thumbv*/*/*}'),
    },
  };
  client = new LanguageClient('cortex-m-sim.linkerScript', 'Linker Script (Cortex-M Sim)', serverOptions, clientOptions);
  void client.start().catch((e: unknown) => {
    void vscode.window.showWarningMessage(`Cortex-M Sim: the linker-script language server did not start: ${e instanceof Error ? e.message : String(e)}`);
  });
  context.subscriptions.push({ dispose: () => void client?.stop() });
}
