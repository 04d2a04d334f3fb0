// SLOWLOG on real sockets, on every transport. On the pool each connection has a worker thread of its own and on
// the hybrid the connections are spread over its loops, so these are the cross-thread guarantees: one log for the
// server, whose entries every thread sees with one increasing id sequence, commands logged from several threads at
// once included; the threshold set on one thread applies to all (a DEBUG SLEEP past it is logged, a SET is not);
// a blocked command is logged when it is served or CLIENT UNBLOCK ends it, never when it times out.

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, transports, type TestServer } from '../support/server.js';

type Entry = [id: number, time: number, micros: number, argv: string[], peer: string, name: string];

const CONNECTIONS = 4;
const ROUNDS = 25;

describe.each(transports)('%s transport: one slow log across threads', (transport) => {
  let server: TestServer;
  const open: Redis[] = [];

  async function client(name?: string): Promise<Redis> {
    const c = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 });
    await c.connect();
    if (name !== undefined) await c.client('SETNAME', name);
    open.push(c);
    return c;
  }
  const entries = async (c: Redis, count = '-1'): Promise<Entry[]> =>
    (await c.call('SLOWLOG', 'GET', count)) as Entry[];

  beforeAll(async () => {
    server = await startTestServer(transport, {
      workers: CONNECTIONS + 3,
      config: { 'enable-debug-command': 'yes' },
    });
  });
  // Each test's clients leave with it: the pool has a worker per client, and no more than `workers`.
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.quit()));
  });
  afterAll(async () => {
    await server.close();
  });

  it('logs every thread commands into one log with one id sequence, seen alike from each', async () => {
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => client(`c${i}`)));
    const [first] = clients;
    await first.config('SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '1000');
    await first.call('SLOWLOG', 'RESET');
    // Every client at once, each from its own thread where the transport has several.
    await Promise.all(
      clients.map(async (c, i) => {
        for (let round = 0; round < ROUNDS; round++) await c.set(`k${i}`, String(round));
      }),
    );
    await first.config('SET', 'slowlog-log-slower-than', '-1');
    const views = await Promise.all(clients.map((c) => entries(c)));
    for (const view of views) expect(view).toEqual(views[0]);
    const log = views[0];
    const ids = log.map(([id]) => id);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, k) => ids[0] - k)); // newest first, no gap
    for (let i = 0; i < CONNECTIONS; i++) {
      const sets = log.filter(([, , , argv, , name]) => argv[0] === 'set' && name === `c${i}`);
      // Each client's own commands in its order, newest first.
      expect(sets.map(([, , , argv]) => argv[2])).toEqual(
        Array.from({ length: ROUNDS }, (_, r) => String(ROUNDS - 1 - r)),
      );
    }
    expect(await first.call('SLOWLOG', 'LEN')).toBe(log.length);
  });

  it('logs a command slower than the threshold set on another thread, not a fast one', async () => {
    const [setter, sleeper] = [await client(), await client('sleeper')];
    await setter.config('SET', 'slowlog-log-slower-than', '20000');
    await setter.call('SLOWLOG', 'RESET');
    await sleeper.set('fast', 'v');
    await sleeper.call('DEBUG', 'SLEEP', '0.03');
    const log = await entries(setter);
    expect(log.map(([, , , argv]) => argv)).toEqual([['DEBUG', 'SLEEP', '0.03']]);
    const [[, time, micros, , , name]] = log;
    expect(micros).toBeGreaterThanOrEqual(30_000);
    expect(name).toBe('sleeper');
    expect(Math.abs(time - Date.now() / 1000)).toBeLessThan(60);
    await setter.config('SET', 'slowlog-log-slower-than', '10000');
  });

  it('logs a blocked command once served or unblocked, not when it times out', async () => {
    const [pusher, waiter] = [await client('pusher'), await client('waiter')];
    const waiterId = (await waiter.client('ID')) as number;
    await pusher.config('SET', 'slowlog-log-slower-than', '0');
    await pusher.call('SLOWLOG', 'RESET');
    expect(await waiter.call('WAIT', '1', '5')).toBe(0);
    expect(await waiter.blpop('none', 0.005)).toBeNull();
    const untilBlocked = async (): Promise<void> => {
      while (!((await pusher.info('clients')) as string).includes('blocked_clients:1'));
    };
    const popped = waiter.blpop('list', 0);
    await untilBlocked();
    await pusher.rpush('list', 'v');
    expect(await popped).toEqual(['list', 'v']);
    const waited = waiter.call('WAIT', '1', '0');
    await untilBlocked();
    await pusher.client('UNBLOCK', waiterId);
    expect(await waited).toBe(0);
    await pusher.config('SET', 'slowlog-log-slower-than', '-1');
    const mine = (await entries(pusher)).filter(([, , , , , name]) => name === 'waiter');
    expect(mine.map(([, , , argv]) => argv)).toEqual([
      ['WAIT', '1', '0'],
      ['blpop', 'list', '0'],
    ]);
  });
});
