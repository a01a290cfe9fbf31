// Mocha root hooks for the end-to-end suite: one code-server (with the packaged extension
// installed) for the whole run, stopped at the end and on Ctrl+C.

import { CodeServer } from './harness';
import { removeWorkspaces } from './workspace';

let shared: CodeServer | undefined;
let startError: Error | undefined;

/** The run's code-server; throws the start-up error in every scenario if it could not start. */
export function codeServer(): CodeServer {
  if (startError) throw startError;
  if (!shared) throw new Error('code-server was not started (is test/e2e/hooks.ts in --require?)');
  return shared;
}

function stopNow(): void {
  // Synchronous best effort for signals: the async stop() cannot run to completion here.
  shared?.killNow();
  removeWorkspaces();
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    process.once('SIGINT', () => {
      stopNow();
      process.exit(130);
    });
    process.once('SIGTERM', () => {
      stopNow();
      process.exit(143);
    });
    const t0 = Date.now();
    shared = new CodeServer();
    try {
      await shared.start();
      console.log(`  (code-server on port ${shared.port}, extension installed, chromium up: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      startError = e as Error;
    }
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await shared?.stop();
    shared = undefined;
    removeWorkspaces();
  },
};
