// INFO commandstats / errorstats and DEBUG on real sockets, on every transport. On the pool each connection is
// served by its own worker thread and on the hybrid the connections are spread over its loop threads, so these
// are the cross-thread guarantees: commands counted on different threads add up to one total, CONFIG RESETSTAT
// on one thread clears every thread's counts, and DEBUG SET-ACTIVE-EXPIRE run on any thread stops and restarts
// the active expiry of the whole server.

import { Redis, ReplyError } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, transports, type TestServer } from '../support/server.js';

const CONNECTIONS = 4;
const ROUNDS = 50;

/** INFO's "name:value" lines of one section, as a map. */
function lines(info: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of info.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

/** A cmdstat_ value as numbers: { calls, usec, usec_per_call, rejected_calls, failed_calls }. */
function figures(value: string | undefined): Record<string, number> {
  if (value === undefined) return {};
  return Object.fromEntries(
    value
      .split(',')
      .map((kv) => kv.split('='))
      .map(([k, v]) => [k, Number(v)]),
  );
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe.each(transports)('%s transport: INFO commandstats and DEBUG across threads', (transport) => {
  let server: TestServer;
  const open: Redis[] = [];

  async function client(): Promise<Redis> {
    const c = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 });
    await c.connect();
    open.push(c);
    return c;
  }

  beforeAll(async () => {
    server = await startTestServer(transport, {
      workers: CONNECTIONS + 2,
      config: { 'enable-debug-command': 'yes', hz: '100' },
    });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.quit()));
  });
  afterAll(async () => {
    await server.close();
  });

  it('adds up the commands each thread counted, and CONFIG RESETSTAT clears them all', async () => {
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => client()));
    await clients[0].flushall();
    await clients[0].config('RESETSTAT');
    await Promise.all(
      clients.map(async (c, i) => {
        for (let j = 0; j < ROUNDS; j++) {
          await c.set(`k:${i}:${j}`, 'v');
          await c.get(`k:${i}:${j}`);
        }
        // Pipelined too: several requests in one read.
        const pipeline = c.pipeline();
        for (let j = 0; j < ROUNDS; j++) pipeline.incr(`n:${i}`);
        await pipeline.exec();
        await expect(c.incr(`k:${i}:0`)).rejects.toThrow(ReplyError); // failed: not an integer
        await expect(c.call('GET')).rejects.toThrow(/wrong number of arguments/); // rejected
        await expect(c.call('NOSUCH')).rejects.toThrow(/unknown command/); // errorstats only
      }),
    );
    const stats = lines(await clients[1].info('commandstats'));
    const n = CONNECTIONS * ROUNDS;
    expect(figures(stats.get('cmdstat_set'))).toMatchObject({ calls: n, rejected_calls: 0, failed_calls: 0 });
    expect(figures(stats.get('cmdstat_get'))).toMatchObject({ calls: n, rejected_calls: CONNECTIONS });
    expect(figures(stats.get('cmdstat_incr'))).toMatchObject({
      calls: n + CONNECTIONS,
      failed_calls: CONNECTIONS,
    });
    expect(figures(stats.get('cmdstat_set')).usec).toBeGreaterThan(0);
    const errors = lines(await clients[2].info('errorstats'));
    expect(errors.get('errorstat_ERR')).toBe(`count=${3 * CONNECTIONS}`);
    const total = lines(await clients[3].info('stats'));
    expect(total.get('total_error_replies')).toBe(String(3 * CONNECTIONS));
    // config|resetstat; SET, GET and INCR; the two INFOs before this one (not this one: counted once it ran).
    expect(Number(total.get('total_commands_processed'))).toBe(1 + 3 * n + CONNECTIONS + 2);

    await clients[3].config('RESETSTAT');
    const after = lines(await clients[0].info('commandstats'));
    expect([...after.keys()]).toEqual(['cmdstat_config|resetstat']);
    expect(lines(await clients[1].info('errorstats')).size).toBe(0);
  });

  it('INFO with no argument shows errorstats but not commandstats; INFO all shows both', async () => {
    const c = await client();
    const sections = (text: string) => text.split('\r\n').filter((l) => l.startsWith('# '));
    expect(sections(await c.info())).not.toContain('# Commandstats');
    expect(sections(await c.info())).toContain('# Errorstats');
    expect(sections((await c.call('INFO', 'all')) as string)).toEqual(
      expect.arrayContaining(['# Commandstats', '# Errorstats', '# Latencystats']),
    );
  });

  it('DEBUG SET-ACTIVE-EXPIRE, run on any thread, stops and restarts the active expiry cycle', async () => {
    const [a, b] = await Promise.all([client(), client()]);
    await a.flushall();
    expect(await b.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('OK');
    await a.set('soon', 'x', 'PX', 50);
    await new Promise((resolve) => setTimeout(resolve, 400)); // 40 cycles at hz 100
    expect(await a.dbsize()).toBe(1); // expired, but nothing looked it up and no cycle removed it
    expect(await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toBe('OK');
    expect(await until(async () => (await b.dbsize()) === 0, 3000)).toBe(true);
  });

  it('OBJECT and DEBUG OBJECT see what other threads did to a key, on the server cron clock', async () => {
    const [a, b] = await Promise.all([client(), client()]);
    await a.flushall();
    await a.set('n', '12');
    await a.append('s', 'abc');
    expect(await b.object('ENCODING', 'n')).toBe('int');
    expect(await b.object('REFCOUNT', 'n')).toBe(2147483647);
    expect(await b.object('ENCODING', 's')).toBe('embstr');
    await b.append('s', 'd');
    expect(await a.object('ENCODING', 's')).toBe('raw');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await b.object('IDLETIME', 's')).toBeGreaterThanOrEqual(1); // OBJECT itself does not stamp it
    await a.get('s');
    expect(await b.object('IDLETIME', 's')).toBe(0);
    expect(await a.call('DEBUG', 'OBJECT', 's')).toMatch(
      /^Value at:0x[0-9a-f]+ refcount:1 encoding:raw serializedlength:5 lru:\d+ lru_seconds_idle:0$/,
    );
  });

  it.skipIf(transport === 'hybrid')(
    'DEBUG SLEEP blocks the thread that runs it: every client on the event loop, one worker on the pool',
    async () => {
      const [sleeper, other] = await Promise.all([client(), client()]);
      await other.ping();
      // Timed from the request: on the event loop the server runs in this test's own thread, so the sleep
      // stops the test's timers too.
      const started = Date.now();
      const sleeping = sleeper.call('DEBUG', 'SLEEP', '0.4');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await other.ping()).toBe('PONG');
      const waited = Date.now() - started;
      expect(await sleeping).toBe('OK');
      if (transport === 'eventloop') expect(waited).toBeGreaterThanOrEqual(390);
      else expect(waited).toBeLessThan(300);
    },
  );
});
