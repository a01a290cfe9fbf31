// The same F5-at-main check in a downloaded desktop VS Code, through @vscode/test-electron, for
// machines that can download it. Not part of `npm run test:e2e` (this machine cannot download
// VS Code); run it with
//   npm i --no-save @vscode/test-electron && npm run package   (or install it in test/e2e/.tools)
//   npx mocha -r tsx/cjs --timeout 600000 test/e2e/electron/electron.e2e.ts
// When the package is missing or the download fails, the test is reported as pending with the
// reason printed: it never passes without having run.

import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';
import { buildRustWorkspace, removeWorkspaces, REPO_ROOT, workspacesRoot } from '../workspace';

interface TestElectron {
  downloadAndUnzipVSCode(options?: { version?: string; timeout?: number }): Promise<string>;
  runTests(options: { vscodeExecutablePath: string; extensionDevelopmentPath: string; extensionTestsPath: string; launchArgs?: string[]; extensionTestsEnv?: Record<string, string> }): Promise<number>;
}

describe('e2e (desktop VS Code via @vscode/test-electron)', function () {
  after(() => removeWorkspaces());

  it('F5 on blinky stops at main (run inside the downloaded VS Code)', async function () {
    let te: TestElectron;
    try {
      // The project's node_modules, else test/e2e/.tools (where setup.sh puts e2e-only packages).
      const load = createRequire(__filename);
      let resolved: string;
      try {
        resolved = load.resolve('@vscode/test-electron');
      } catch {
        resolved = load.resolve('@vscode/test-electron', { paths: [path.join(__dirname, '..', '.tools')] });
      }
      te = load(resolved) as TestElectron;
    } catch {
      console.log('      SKIPPED: @vscode/test-electron is not installed (npm i --no-save @vscode/test-electron, or in test/e2e/.tools)');
      this.skip();
    }
    let executable: string;
    try {
      executable = await te.downloadAndUnzipVSCode({ version: process.env.E2E_VSCODE_VERSION ?? 'stable', timeout: 60_000 });
    } catch (e) {
      console.log(`      SKIPPED: cannot download VS Code here: ${(e as Error).message}`);
      this.skip();
    }
    const ws = buildRustWorkspace('blinky');
    // The suite runs in VS Code's extension host, which loads plain CommonJS.
    const suite = path.join(workspacesRoot(), 'electron-suite.js');
    await build({ entryPoints: [path.join(__dirname, 'suite.ts')], bundle: true, platform: 'node', format: 'cjs', external: ['vscode'], outfile: suite, logLevel: 'error' });
    const code = await te.runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: suite,
      launchArgs: [ws.folder, '--disable-extensions', '--skip-welcome', '--disable-workspace-trust'],
      extensionTestsEnv: { E2E_MAIN_SOURCE: ws.mainSource },
    });
    assert.equal(code, 0, 'the in-editor suite failed (see its output above)');
  });
});
