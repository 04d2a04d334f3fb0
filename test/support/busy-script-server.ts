// Test fixture for scripts that run past busy-reply-threshold, on every transport. The pool and the hybrid run in
// this process (useTestServer). The event loop runs the script on its only thread, which in this process is the
// test's own: a script that never ends would stop the test itself, so there the server is a child process
// (cli-process.ts), which also lets a test see SHUTDOWN NOSAVE end the process. The moment a script times out is
// awaited as its "Slow script detected" log line, as an event.

import { afterEach, beforeEach } from 'vitest';
import { launchServer, stopAll, type ServerProcess } from './cli-process.js';
import { RawClient } from './raw-client.js';
import { useTestServer, type TransportName } from './server.js';

export interface BusyScriptServer {
  readonly port: number;
  connect(): Promise<RawClient>;
  /** Resolves once a script has logged that it passed busy-reply-threshold (since the start, or later). */
  timedOut(): Promise<unknown>;
  /** Resolves once the server has logged a line whose message starts with `text` (since the start, or later). */
  logged(text: string): Promise<unknown>;
  /** The HTTP interface's port (with `http` given to useBusyScriptServer), else null. */
  readonly httpPort: number | null;
  /** The child process's exit code (the event loop), or null for a server in this process. */
  readonly exited: Promise<number | string> | null;
}

const SLOW_SCRIPT = 'Slow script detected';

/** A fresh server for each test; `workers` for the pool and the hybrid; `http`: with the HTTP interface too. */
export function useBusyScriptServer(
  transport: TransportName,
  workers: number,
  http = false,
): () => BusyScriptServer {
  return transport === 'eventloop' ? useChildServer(http) : useEmbeddedServer(transport, workers, http);
}

function useEmbeddedServer(transport: TransportName, workers: number, http: boolean): () => BusyScriptServer {
  // DEBUG SLEEP holds a loop while requests arrive (a turn that reads several).
  const fixture = useTestServer(transport, {
    workers,
    config: { 'enable-debug-command': 'yes' },
    ...(http ? { httpPort: 0 } : {}),
  });
  return () => {
    const server = fixture();
    return {
      port: server.port,
      httpPort: server.server.httpAddress?.port ?? null,
      connect: () => server.connect(),
      timedOut: () =>
        server.logs.waitFor((line) => typeof line.msg === 'string' && line.msg.startsWith(SLOW_SCRIPT)),
      logged: (text) =>
        server.logs.waitFor((line) => typeof line.msg === 'string' && line.msg.startsWith(text)),
      exited: null,
    };
  };
}

function useChildServer(http: boolean): () => BusyScriptServer {
  let current: { process: ServerProcess; clients: RawClient[]; httpPort: number | null } | null = null;
  beforeEach(async () => {
    // DEBUG SLEEP holds the loop while requests arrive (a turn that reads several).
    const args = ['--transport', 'eventloop', '--enable-debug-command', 'local'];
    const process = await launchServer(http ? [...args, '--http-port', '0'] : args);
    // The HTTP interface logs its port before the server says it is ready.
    const httpPort = http ? Number(/HTTP interface on [^"]*:(\d+)"/.exec(process.output())![1]) : null;
    current = { process, clients: [], httpPort };
  });
  afterEach(async () => {
    for (const client of current?.clients ?? []) client.destroy();
    stopAll();
    await current?.process.exited;
    current = null;
  });
  return () => {
    const { process, clients, httpPort } = current!;
    return {
      port: process.port,
      httpPort,
      connect: async () => {
        const client = await RawClient.connect(process.port);
        clients.push(client);
        return client;
      },
      timedOut: () => logged(process, SLOW_SCRIPT),
      logged: (text) => logged(process, text),
      exited: process.exited,
    };
  };
}

/** Resolves once the child has written a line containing `text` (already, or later). */
export function logged(server: ServerProcess, text: string): Promise<void> {
  if (server.output().includes(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const stdout = server.child.stdout!;
    const onData = (): void => {
      if (!server.output().includes(text)) return;
      stdout.off('data', onData);
      resolve();
    };
    stdout.on('data', onData);
  });
}
