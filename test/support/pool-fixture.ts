// Test fixture: a thread-pool transport on 127.0.0.1, port 0, with its own store, config and captured log
// lines, and raw clients that are destroyed with it. Every pool started is closed by closeTestPools() (call it
// in afterEach). Real worker threads running the compiled dist/: run `npm run build` first.

import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Config } from '../../src/core/config.js';
import { SharedStore } from '../../src/core/store/store.js';
import { ThreadPoolTransport } from '../../src/transport/threadpool/index.js';
import { RawClient } from './raw-client.js';

export interface TestPoolOptions {
  readonly workers: number;
  /** Config settings, as the CLI would pass them. */
  readonly settings?: Record<string, string>;
  readonly closeGraceMs?: number;
  readonly idleCheckIntervalMs?: number;
  readonly minSpareWorkers?: number;
  readonly workerIdleTimeoutMs?: number;
  /** The worker entry to run instead of the production one (ThreadPoolOptions.workerUrl). */
  readonly workerUrl?: URL;
}

export interface TestPool {
  readonly transport: ThreadPoolTransport;
  readonly config: Config;
  readonly store: SharedStore;
  readonly port: number;
  /** Every log line the pool wrote (pino JSON, debug level and up). */
  readonly logs: string[];
  connect(options?: { paused?: boolean }): Promise<RawClient>;
  /** Destroys the client with the pool, for client kinds other than RawClient. */
  adopt<T extends { destroy(): void }>(client: T): T;
}

const open: { transport: ThreadPoolTransport; clients: { destroy(): void }[] }[] = [];

/** Destroys every client of every pool started, then closes the pools. */
export async function closeTestPools(): Promise<void> {
  for (const { transport, clients } of open.splice(0)) {
    for (const client of clients) client.destroy();
    await transport.close();
  }
}

export async function startTestPool(options: TestPoolOptions): Promise<TestPool> {
  const logs: string[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      logs.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  const store = SharedStore.create({ clock: Date.now });
  const config = new Config(options.settings ?? {});
  let lastId = 0;
  const transport = new ThreadPoolTransport({
    host: '127.0.0.1',
    port: 0,
    backlog: 511,
    config,
    logger: pino({ level: 'debug' }, sink),
    nextClientId: () => ++lastId,
    workers: options.workers,
    storeHandles: store.handles(),
    version: '0.1.0',
    startedAt: Date.now(),
    closeGraceMs: options.closeGraceMs,
    idleCheckIntervalMs: options.idleCheckIntervalMs,
    minSpareWorkers: options.minSpareWorkers,
    workerIdleTimeoutMs: options.workerIdleTimeoutMs,
    workerUrl: options.workerUrl,
  });
  const entry = { transport, clients: [] as { destroy(): void }[] };
  open.push(entry);
  const { port } = await transport.listen();
  const adopt = <T extends { destroy(): void }>(client: T): T => {
    entry.clients.push(client);
    return client;
  };
  return {
    transport,
    config,
    store,
    port,
    logs,
    connect: async (connectOptions) => adopt(await RawClient.connect(port, '127.0.0.1', connectOptions)),
    adopt,
  };
}
