// Runs inside the downloaded VS Code (extensionTestsPath): F5's configuration resolution with no
// launch.json, the stop at main, and the top frame's source. Throws on any mismatch.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  const ext = vscode.extensions.getExtension('cortex-m-sim.cortex-m-sim');
  assert.ok(ext, 'the extension is loaded');
  await ext.activate();

  const stopped = new Promise<{ name: string; line: number; path: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no stop within 30 s')), 30_000);
    vscode.debug.registerDebugAdapterTrackerFactory('cortex-m-sim', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: async (m: { type?: string; event?: string; body?: { threadId?: number } }) => {
          if (m.type !== 'event' || m.event !== 'stopped') return;
          const r = (await session.customRequest('stackTrace', { threadId: m.body?.threadId ?? 1, levels: 1 })) as { stackFrames: { name: string; line: number; source?: { path?: string } }[] };
          clearTimeout(timer);
          const f = r.stackFrames[0];
          resolve({ name: f.name, line: f.line, path: f.source?.path ?? '' });
        },
      }),
    });
  });
  // An empty configuration is what F5 with no launch.json hands to the provider.
  const started = await vscode.debug.startDebugging(folder, { type: '', request: '', name: '' });
  assert.ok(started, 'the debug session started');
  const top = await stopped;
  assert.match(top.name, /\bmain$/);
  assert.equal(top.path, process.env.E2E_MAIN_SOURCE);
  await vscode.debug.stopDebugging();
}
