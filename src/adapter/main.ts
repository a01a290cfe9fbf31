// The adapter's entry point (dist/adapter.js): DAP on stdin/stdout, or with `--port N` a server on
// 127.0.0.1:N that starts one session per connection.

import * as net from 'node:net';
import { CortexMSimSession } from './session';

function portArgument(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const inline = /^--port=(\d+)$/.exec(a);
    if (inline) return Number(inline[1]);
    if (a === '--port' && i + 1 < argv.length) {
      const n = Number(argv[i + 1]);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        process.stderr.write(`cortex-m-sim adapter: --port needs a port number, not '${argv[i + 1]}'\n`);
        process.exit(2);
      }
      return n;
    }
  }
  return undefined;
}

/** Listens on 127.0.0.1:port; resolves with the server once it is listening. */
export function serveOnPort(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      const session = new CortexMSimSession();
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function main(): void {
  const port = portArgument(process.argv.slice(2));
  if (port !== undefined) {
    serveOnPort(port).then(
      (server) => {
        const address = server.address();
        process.stderr.write(`cortex-m-sim adapter listening on 127.0.0.1:${typeof address === 'object' && address ? address.port : port}\n`);
      },
      (e: unknown) => {
        process.stderr.write(`cortex-m-sim adapter: cannot listen on 127.0.0.1:${port}: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
    return;
  }
  const session = new CortexMSimSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
}

if (require.main === module) main();
