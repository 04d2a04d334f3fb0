// The hybrid transport while it starts, with loop 1 held back (test/support/held-loop-worker.ts) as a slow
// thread start would hold it: loop 0 accepts no client before every loop is ready (memcached counts its threads
// before the first accept; a client served earlier met a server whose other loop, and its RSS, did not exist
// yet), and a loop that starts late leaves the store's limits as CONFIG SET left them, not as its config
// snapshot had them (bench/eviction.ts's caps ran with maxmemory undone: 700 MB in a 64 MB cap).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Config } from '../../src/core/config.js';
import { bindStoreLimits } from '../../src/core/store-limits.js';
import { SharedStore } from '../../src/core/store/store.js';
import { HybridTransport } from '../../src/transport/hybrid/index.js';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { HELD_LOOP_GATE } from '../support/held-loop-gate.js';
import { RawClient } from '../support/raw-client.js';
import { until } from '../support/wait.js';

const native = loadNative();
const HELD_LOOP = new URL('../../dist/test/support/held-loop-worker.js', import.meta.url);
const PING = '*1\r\n$4\r\nPING\r\n';
const PONG = '+PONG\r\n';
/** Long enough for a running loop 0 to answer a PING many times over; the check cannot fail with the fix. */
const NO_ANSWER_WINDOW_MS = 300;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** A 2-loop hybrid whose loop 1 waits for `open()`; `listening` resolves once listen() has. */
function startHeld(): {
  transport: HybridTransport;
  config: Config;
  store: SharedStore;
  listening: Promise<{ port: number }>;
  open(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'hybrid-start-'));
  const gate = join(dir, 'open');
  const before = process.env[HELD_LOOP_GATE];
  process.env[HELD_LOOP_GATE] = gate; // copied into each loop thread's environment when it is spawned
  const store = SharedStore.create({ clock: Date.now });
  const config = new Config({});
  bindStoreLimits(store, config); // as the server does before its transport starts
  let lastId = 0;
  const transport = new HybridTransport({
    host: '127.0.0.1',
    port: 0,
    backlog: 511,
    config,
    logger: pino({ level: 'silent' }),
    nextClientId: () => ++lastId,
    workers: 2,
    storeHandles: store.handles(),
    version: '0.1.0',
    startedAt: Date.now(),
    workerUrl: HELD_LOOP,
  });
  const open = (): void => writeFileSync(gate, '');
  const listening = transport.listen();
  cleanup.push(async () => {
    open();
    await listening.catch(() => undefined);
    // Only now: listen() spawns the loops after an await, and a loop spawned without it would not be held.
    if (before === undefined) delete process.env[HELD_LOOP_GATE];
    else process.env[HELD_LOOP_GATE] = before;
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { transport, config, store, listening, open };
}

describe.skipIf(native instanceof Error)('hybrid transport start', () => {
  it('accepts no client before every loop is ready', async () => {
    const { transport, config, listening, open } = startHeld();
    // Loop 0 runs (counted ready) and the socket is bound; loop 1 is held.
    await until(() => transport.stats().workers === 1 && config.number('port') > 0, 'loop 0 runs');
    const client = await RawClient.connect(config.number('port'), '127.0.0.1');
    cleanup.push(async () => client.destroy());
    await client.send(PING);
    const answer = client.readText(PONG);
    const early = await Promise.race([
      answer.then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('waiting'), NO_ANSWER_WINDOW_MS)),
    ]);
    expect(early).toBe('waiting');
    open();
    await listening;
    expect(transport.stats().workers).toBe(2);
    expect(await answer).toBe(PONG);
  });

  it("leaves the store's limits as a CONFIG SET made while a loop was starting left them", async () => {
    const { transport, config, store, listening, open } = startHeld();
    await until(() => transport.stats().workers === 1, 'loop 0 runs');
    config.set('maxmemory-policy', 'allkeys-lru'); // reaches the store at once (store-limits.ts)
    expect(store.evictionPolicy()).toBe('allkeys-lru');
    open();
    await listening;
    expect(store.evictionPolicy()).toBe('allkeys-lru');
  });
});
