// Test fixture: one server per describe block and ioredis clients that are quit after each test (on the pool
// each open client pins a worker thread, so a test's clients must not outlive it). For integration suites
// parameterised over `transports`.

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ServerOptions } from '../../src/server.js';
import { startTestServer, type TestServer, type TransportName } from './server.js';

/** pino's level number of warn. */
const WARN = 40;

export interface IoredisFixture {
  /** The server of the running describe block. */
  server(): TestServer;
  /** A connected ioredis client on database `db`, quit after the test. */
  ioredis(db?: number): Promise<Redis>;
}

/** Registers the hooks; `workers` should exceed the clients a test opens at once (the pool's size). */
export function useIoredisServer(transport: TransportName, workers: number): IoredisFixture {
  let server: TestServer | null = null;
  const open: Redis[] = [];
  beforeAll(async () => {
    server = await startTestServer(transport, { workers });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.quit()));
  });
  afterAll(async () => {
    await server?.close();
  });
  const current = (): TestServer => {
    if (server === null) throw new Error('no test server: call inside a test');
    return server;
  };
  return {
    server: current,
    ioredis: async (db = 0) => {
      const { host, port } = current();
      const client = new Redis({ host, port, db, lazyConnect: true, maxRetriesPerRequest: 0 });
      await client.connect();
      open.push(client);
      return client;
    },
  };
}

/**
 * A failure of the work, with the server's warnings and errors logged meanwhile added to its message: a client
 * sees a closed connection (ioredis: MaxRetriesPerRequestError) and nothing of why the server closed it.
 */
function withServerWarnings(error: unknown, server: TestServer): unknown {
  const lines = server.logs.lines.filter((line) => line.level >= WARN);
  if (lines.length === 0 || !(error instanceof Error)) return error;
  error.message += `\nThe server's warnings and errors:\n${lines.map((line) => JSON.stringify(line)).join('\n')}`;
  return error;
}

/**
 * One server for one piece of a test (a test that restarts its server calls this once per life), with ioredis
 * clients made on demand; after `work` every client still open is quit and the server closed. A failure of `work`
 * carries the server's warnings and errors.
 */
export async function withIoredisServer<R>(
  transport: TransportName,
  options: Partial<ServerOptions>,
  work: (client: () => Promise<Redis>, server: TestServer) => Promise<R>,
): Promise<R> {
  const server = await startTestServer(transport, options);
  const clients: Redis[] = [];
  try {
    return await work(async () => {
      const c = new Redis({
        host: server.host,
        port: server.port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
      });
      await c.connect();
      clients.push(c);
      return c;
    }, server);
  } catch (error) {
    throw withServerWarnings(error, server);
  } finally {
    await Promise.all(clients.map((c) => (c.status === 'end' ? undefined : c.quit())));
    await server.close();
  }
}
