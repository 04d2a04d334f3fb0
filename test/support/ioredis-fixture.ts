// Test fixture: one server per describe block and ioredis clients that are quit after each test (on the pool
// each open client pins a worker thread, so a test's clients must not outlive it). For integration suites
// parameterised over `transports`.

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ServerOptions } from '../../src/server.js';
import { startTestServer, type TestServer, type TransportName } from './server.js';

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
 * One server for one piece of a test (a test that restarts its server calls this once per life), with ioredis
 * clients made on demand; after `work` every client still open is quit and the server closed.
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
  } finally {
    await Promise.all(clients.map((c) => (c.status === 'end' ? undefined : c.quit())));
    await server.close();
  }
}
