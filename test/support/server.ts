// Test fixture: a real server on 127.0.0.1 port 0 for one transport, with its log lines captured in memory
// so tests can await a warning as an event, and raw clients that are torn down with it.
// `transports` lists the transports to parametrize integration tests over: the pool and the hybrid only where
// the native helper is built (TEST_TRANSPORTS=eventloop,pool,hybrid overrides, e.g. to run one transport).

import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, beforeEach } from 'vitest';
import { pino, type Logger } from 'pino';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { RawClient } from './raw-client.js';

export type TransportName = 'eventloop' | 'pool' | 'hybrid';

function poolAvailable(): boolean {
  const index = new URL('../../src/transport/threadpool/index.ts', import.meta.url);
  return existsSync(index) && !(loadNative() instanceof Error);
}

function chooseTransports(): TransportName[] {
  const forced = process.env.TEST_TRANSPORTS;
  if (forced !== undefined && forced !== '') {
    return forced
      .split(',')
      .filter((t): t is TransportName => t === 'eventloop' || t === 'pool' || t === 'hybrid');
  }
  return poolAvailable() ? ['eventloop', 'pool', 'hybrid'] : ['eventloop'];
}

/** The transports every integration test runs against: `describe.each(transports)(...)`. */
export const transports: readonly TransportName[] = chooseTransports();

/** One parsed pino line. */
export type LogLine = Record<string, unknown> & { level: number; msg?: string };

/** Collects a logger's JSON lines; `waitFor` resolves on the first (past or future) line that matches. */
export class LogCapture {
  readonly lines: LogLine[] = [];
  private readonly waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  readonly logger: Logger;

  constructor(level = 'debug') {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const text of chunk.toString('utf8').split('\n')) {
          if (text !== '') this.add(JSON.parse(text) as LogLine);
        }
        done();
      },
    });
    this.logger = pino({ level }, sink);
  }

  waitFor(match: (line: LogLine) => boolean): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Lines whose message contains `text`. */
  matching(text: string): LogLine[] {
    return this.lines.filter((line) => typeof line.msg === 'string' && line.msg.includes(text));
  }

  private add(line: LogLine): void {
    this.lines.push(line);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].match(line)) this.waiters.splice(i, 1)[0].resolve(line);
    }
  }
}

export interface TestServer {
  readonly transport: TransportName;
  readonly server: RunningServer;
  readonly host: string;
  readonly port: number;
  readonly logs: LogCapture;
  /** A raw client, destroyed by close() if still open. */
  connect(options?: { paused?: boolean }): Promise<RawClient>;
  /** Destroys the raw clients still open, then closes the server gracefully. Idempotent. */
  close(): Promise<void>;
}

/** Starts a server for `transport` on 127.0.0.1:0; options override the defaults (small worker pool). */
export async function startTestServer(
  transport: TransportName,
  options: Partial<ServerOptions> = {},
): Promise<TestServer> {
  const logs = new LogCapture();
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    transport,
    workers: 4,
    logger: logs.logger,
    ...options,
  });
  const clients: RawClient[] = [];
  let closing: Promise<void> | null = null;
  return {
    transport,
    server,
    host: server.address.host,
    port: server.address.port,
    logs,
    connect: async (connectOptions) => {
      const client = await RawClient.connect(server.address.port, server.address.host, connectOptions);
      clients.push(client);
      return client;
    },
    close: () => {
      closing ??= (async () => {
        for (const client of clients) client.destroy();
        await Promise.all(clients.map((c) => c.closed));
        await server.close();
      })();
      return closing;
    },
  };
}

/**
 * Registers beforeEach/afterEach that start a fresh server for each test and close it after;
 * returns an accessor for the current one.
 */
export function useTestServer(
  transport: TransportName,
  options: Partial<ServerOptions> = {},
): () => TestServer {
  let current: TestServer | null = null;
  beforeEach(async () => {
    current = await startTestServer(transport, options);
  });
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return () => {
    if (current === null) throw new Error('no test server: call inside a test');
    return current;
  };
}
