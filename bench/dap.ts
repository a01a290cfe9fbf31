// Debugger responsiveness, for `npm run bench`: launch → stopped at main, and one step over, on the
// rust/blinky fixture through the real DAP server (in process, over a local socket). Medians of 20.
//
//   node --import tsx bench/dap.ts        (also run at the end of bench/run.ts)

import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { serveOnPort } from '../src/adapter/main';

const ROOT = path.resolve(__dirname, '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'firmware', 'rust', 'blinky.elf');
const BOARD = 'nucleo-f411re';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export interface DapBenchResult {
  launchToMainMs: number;
  stepOverMs: number;
  reps: number;
}

export async function runDapBench(reps = 20): Promise<DapBenchResult> {
  const server = await serveOnPort(0);
  const port = (server.address() as AddressInfo).port;
  const launches: number[] = [];
  const steps: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      const dc = new DebugClient('node', '', 'cortex-m-sim');
      await dc.start(port);
      try {
        const t0 = performance.now();
        await dc.initializeRequest({ adapterID: 'cortex-m-sim', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
        const stopped = dc.waitForEvent('stopped', 30_000);
        await Promise.all([dc.configurationSequence(), dc.launch({ program: FIXTURE, board: BOARD } as DebugProtocol.LaunchRequestArguments)]);
        await stopped;
        // What the UI asks for at a stop is part of "stopped at main".
        await dc.stackTraceRequest({ threadId: 1 });
        launches.push(performance.now() - t0);
        const t1 = performance.now();
        const next = dc.waitForEvent('stopped', 30_000);
        await dc.nextRequest({ threadId: 1 });
        await next;
        const frames = await dc.stackTraceRequest({ threadId: 1 });
        await dc.scopesRequest({ frameId: frames.body.stackFrames[0].id });
        steps.push(performance.now() - t1);
      } finally {
        await dc.disconnectRequest({}).catch(() => undefined);
        await dc.stop();
      }
    }
  } finally {
    server.close();
  }
  return { launchToMainMs: median(launches), stepOverMs: median(steps), reps };
}

/** Prints the bench line (skipped when --only names something else). */
export async function printDapBench(argv = process.argv.slice(2)): Promise<void> {
  const only = argv.indexOf('--only');
  if (only >= 0 && !'dap'.includes(argv[only + 1] ?? '')) return;
  const r = await runDapBench();
  console.log(`dap/blinky: launch → stopped at main ${r.launchToMainMs.toFixed(1)} ms, step over ${r.stepOverMs.toFixed(1)} ms (medians of ${r.reps})`);
}

if (require.main === module) void printDapBench();
