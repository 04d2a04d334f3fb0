// Differential test fixture: a redis-server 7.0 (started by live-tools on a free loopback port, no persistence,
// stopped by PID) and a redis-lite test server for one transport, started together, with one raw connection
// to each, and torn down together. For the conformance suites that send the same requests to both and compare
// the replies. Knows nothing of the requests; `haveRedisServer` is the suites' skip condition.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ServerOptions } from '../../src/server.js';
import { LiveClient } from './live-harness.js';
import { onPath, startRedisServer, type RedisServerProcess } from './live-tools.js';
import { RawClient } from './raw-client.js';
import { startTestServer, type TestServer, type TransportName } from './server.js';

/** Whether redis-server is on PATH; the differential suites are skipped without it. */
export const haveRedisServer = onPath('redis-server');
if (!haveRedisServer)
  console.warn(
    'redis-server not on PATH: skipping the differential tests against it (apt-get install redis-server)',
  );

export interface BothServersOptions {
  /** redis-lite's options besides the settings (its number of workers, ...). */
  readonly ours?: Partial<ServerOptions>;
  /** Settings both servers start with: redis-server's `--name value`, redis-lite's config. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Give each server a temporary directory of its own as `dir` (removed after), for commands that write. */
  readonly ownDirs?: boolean;
}

export interface BothServers {
  readonly redis: RedisServerProcess;
  readonly ours: TestServer;
  /** A connection to redis-server. */
  readonly theirs: RawClient;
  /** A connection to redis-lite. */
  readonly mine: RawClient;
  /** `mine` and `theirs` as LiveClients, for suites that compare decoded replies (use one view per suite). */
  readonly lite: LiveClient;
  readonly real: LiveClient;
  /** The directories of `ownDirs` (empty strings without it). */
  readonly dirs: { readonly theirs: string; readonly mine: string };
}

/** Starts both servers and connects to each; `close()` destroys the connections and stops both. */
export async function startBothServers(
  transport: TransportName,
  options: BothServersOptions = {},
): Promise<BothServers & { close(): Promise<void> }> {
  const settings = options.settings ?? {};
  const root = options.ownDirs === true ? mkdtempSync(join(tmpdir(), 'redis-lite-both-')) : null;
  const dirs = {
    theirs: root === null ? '' : join(root, 'redis'),
    mine: root === null ? '' : join(root, 'ours'),
  };
  const dirSetting = (dir: string): Record<string, string> => (root === null ? {} : { dir });
  if (root !== null) for (const dir of [dirs.theirs, dirs.mine]) mkdirSync(dir);
  const redisSettings = { ...settings, ...dirSetting(dirs.theirs) };
  const teardown: (() => Promise<void> | void)[] = [];
  const close = async (): Promise<void> => {
    for (const step of teardown.splice(0).reverse()) await step();
  };
  try {
    if (root !== null) teardown.push(() => rmSync(root, { recursive: true, force: true }));
    const redis = await startRedisServer(
      Object.entries(redisSettings).flatMap(([name, value]) => [`--${name}`, value]),
    );
    teardown.push(() => redis.stop());
    const ours = await startTestServer(transport, {
      workers: 2,
      ...options.ours,
      config: { ...options.ours?.config, ...settings, ...dirSetting(dirs.mine) },
    });
    teardown.push(() => ours.close());
    const theirs = await RawClient.connect(redis.port);
    teardown.push(() => theirs.destroy());
    const mine = await ours.connect();
    return {
      redis,
      ours,
      theirs,
      mine,
      lite: new LiveClient(mine),
      real: new LiveClient(theirs),
      dirs,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Registers beforeAll/afterAll that start both servers for the describe block and stop them after it; the
 * returned object's fields are those of the running pair (reading one outside the block's tests throws).
 */
export function useBothServers(transport: TransportName, options: BothServersOptions = {}): BothServers {
  let current: Awaited<ReturnType<typeof startBothServers>> | null = null;
  beforeAll(async () => {
    current = await startBothServers(transport, options);
  });
  afterAll(async () => {
    await current?.close();
    current = null;
  });
  const running = (): BothServers => {
    if (current === null) throw new Error('both servers are not running: use them inside the describe block');
    return current;
  };
  const view = {} as BothServers;
  for (const field of ['redis', 'ours', 'theirs', 'mine', 'lite', 'real', 'dirs'] as const)
    Object.defineProperty(view, field, { get: () => running()[field] });
  return view;
}
