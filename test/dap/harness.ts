// Drives the adapter over DAP in-process: a 127.0.0.1 server on a free port (one session per
// connection) and a DebugClient connected to it. Events are queued from the start, so a test never
// misses a 'stopped' that arrives before it starts waiting.

import type { AddressInfo, Server } from 'node:net';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { serveOnPort } from '../../src/adapter/main';
import { fixture } from '../fixtures/firmware/fixtures';

let server: Server | null = null;

async function adapterPort(): Promise<number> {
  server ??= await serveOnPort(0);
  return (server.address() as AddressInfo).port;
}

export function closeServer(): void {
  server?.close();
  server = null;
}

/** The mocha hooks of a suite whose tests each get a fresh session: `use` receives it before each
 *  test, it is disconnected after the test, and the server is closed after the suite. */
export function sessionPerTest(use: (session: DapSession) => void): void {
  let current: DapSession;
  beforeEach(async () => {
    current = await DapSession.start();
    use(current);
  });
  afterEach(async () => {
    await current.stop();
  });
  after(closeServer);
}

export interface LaunchOptions {
  breakpoints?: { path: string; breakpoints: DebugProtocol.SourceBreakpoint[] }[];
  functionBreakpoints?: string[];
  exceptionFilters?: string[];
}

export type Stop = DebugProtocol.StoppedEvent['body'];

export class DapSession {
  readonly dc: DebugClient;
  private readonly stopQueue: Stop[] = [];
  private stopWaiters: ((s: Stop) => void)[] = [];
  output = '';
  consoleOutput = '';
  exitCode: number | undefined;
  terminated = false;
  private exitWaiters: ((code: number) => void)[] = [];

  private constructor() {
    this.dc = new DebugClient('node', '', 'cortex-m-sim');
    this.dc.defaultTimeout = 10_000;
    this.dc.on('stopped', (e: DebugProtocol.StoppedEvent) => {
      const w = this.stopWaiters.shift();
      if (w) w(e.body);
      else this.stopQueue.push(e.body);
    });
    this.dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') this.output += e.body.output;
      else this.consoleOutput += e.body.output;
    });
    this.dc.on('exited', (e: DebugProtocol.ExitedEvent) => {
      this.exitCode = e.body.exitCode;
      for (const w of this.exitWaiters) w(e.body.exitCode);
      this.exitWaiters = [];
    });
    this.dc.on('terminated', () => {
      this.terminated = true;
    });
  }

  static async start(): Promise<DapSession> {
    const s = new DapSession();
    await s.dc.start(await adapterPort());
    return s;
  }

  async stop(): Promise<void> {
    try {
      await this.dc.disconnectRequest({});
    } catch {
      // already gone
    }
    await this.dc.stop();
  }

  /** The next stop, or null once the firmware exited (no timer is left behind either way). */
  nextStopOrExit(timeoutMs = 10_000): Promise<Stop | null> {
    const queued = this.stopQueue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.exitCode !== undefined) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.stopWaiters = this.stopWaiters.filter((w) => w !== waiter);
        this.exitWaiters = this.exitWaiters.filter((w) => w !== onExit);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`neither 'stopped' nor 'exited' within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (stop: Stop) => {
        done();
        resolve(stop);
      };
      const onExit = () => {
        done();
        resolve(null);
      };
      this.stopWaiters.push(waiter);
      this.exitWaiters.push(onExit);
    });
  }

  /** initialize → launch → (initialized) breakpoints → configurationDone. */
  async launch(args: Record<string, unknown>, options: LaunchOptions = {}): Promise<DebugProtocol.LaunchResponse> {
    await this.dc.initializeRequest({ adapterID: 'cortex-m-sim', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = this.dc.waitForEvent('initialized');
    const launched = this.dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
    const configured = initialized.then(async () => {
      for (const b of options.breakpoints ?? []) {
        await this.dc.setBreakpointsRequest({ source: { path: b.path }, breakpoints: b.breakpoints });
      }
      if (options.functionBreakpoints) {
        await this.dc.setFunctionBreakpointsRequest({ breakpoints: options.functionBreakpoints.map((name) => ({ name })) });
      }
      await this.dc.setExceptionBreakpointsRequest({ filters: options.exceptionFilters ?? ['fault', 'panic'] });
      await this.dc.configurationDoneRequest();
    });
    // A failed launch never sends 'initialized': report the launch error rather than a timeout.
    const response = await launched;
    await configured;
    return response;
  }

  nextStop(timeoutMs = 10_000): Promise<Stop> {
    const queued = this.stopQueue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stopWaiters = this.stopWaiters.filter((w) => w !== waiter);
        reject(new Error(`no 'stopped' event within ${timeoutMs} ms (output so far: ${JSON.stringify(this.output + this.consoleOutput)})`));
      }, timeoutMs);
      const waiter = (s: Stop) => {
        clearTimeout(timer);
        resolve(s);
      };
      this.stopWaiters.push(waiter);
    });
  }

  waitExit(timeoutMs = 10_000): Promise<number> {
    if (this.exitCode !== undefined) return Promise.resolve(this.exitCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no 'exited' event within ${timeoutMs} ms`)), timeoutMs);
      this.exitWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  async frames(): Promise<DebugProtocol.StackFrame[]> {
    const r = await this.dc.stackTraceRequest({ threadId: 1 });
    return r.body.stackFrames;
  }

  /** The top frame as "function file:line". */
  async where(): Promise<{ name: string; file: string; line: number }> {
    const [top] = await this.frames();
    return { name: top.name, file: top.source?.path ? path.basename(top.source.path) : '', line: top.line };
  }

  async evaluate(expression: string): Promise<string> {
    const r = await this.dc.evaluateRequest({ expression, context: 'repl', frameId: 0 });
    return r.body.result;
  }

  /** An expression's value as a number (evaluated in hex, so any size reads back exactly). */
  async number(expression: string): Promise<number> {
    return Number(await this.evaluate('/x ' + expression));
  }

  /** Sends a request that starts execution and waits for the stop it leads to. */
  async run(request: 'continue' | 'next' | 'stepIn' | 'stepOut', granularity?: DebugProtocol.SteppingGranularity): Promise<Stop> {
    switch (request) {
      case 'continue': await this.dc.continueRequest({ threadId: 1 }); break;
      case 'next': await this.dc.nextRequest({ threadId: 1, granularity }); break;
      case 'stepIn': await this.dc.stepInRequest({ threadId: 1, granularity }); break;
      case 'stepOut': await this.dc.stepOutRequest({ threadId: 1, granularity }); break;
    }
    return this.nextStop();
  }
}

export function fixtureLaunch(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const f = fixture(name);
  return { program: f.elfPath, ...(f.board ? { board: f.board } : { chip: f.chip }), ...extra };
}

export function fixtureSource(name: string, file = 'main.rs'): string {
  const f = fixture(name);
  return f.language === 'rust' ? path.join(path.dirname(f.elfPath), name.split('/')[1], file) : path.join(path.dirname(f.elfPath), '..', 'common', `${name.split('/').pop()}.c`);
}
