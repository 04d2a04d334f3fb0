// EVAL on a real socket, on every transport: a script's commands run as one atomic unit (concurrent scripts
// doing read-modify-write never lose an update, and no other client sees a script half done), the script cache
// is shared by every thread (EVALSHA on one connection finds what another loaded, on whichever worker or loop
// each landed), SCRIPT FLUSH forgets for all, a script inside MULTI runs under EXEC's locks, a script's write
// serves a client blocked on its key, and ioredis's
// defineCommand (EVALSHA first, EVAL on NOSCRIPT) works; redis.log reaches the server's log. With appendonly, a script's writes are logged as their
// effects in one MULTI ... EXEC block (never the EVAL), and replay after a restart.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastIncrPath } from '../support/aof-dir.js';
import { untilInfo } from '../support/info-wait.js';
import { useIoredisServer, withIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

/** Not atomic by itself: GET, then SET one more. Only the script's atomicity keeps every increment. */
const INCREMENT = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('SET', KEYS[2], 'busy')
redis.call('SET', KEYS[1], v + 1)
redis.call('DEL', KEYS[2])
return v + 1`;

describe.each(transports)('scripting on %s', (transport) => {
  const fixture = useIoredisServer(transport, 8);

  it('runs concurrent read-modify-write scripts atomically on every thread', async () => {
    const clients = await Promise.all([0, 1, 2, 3].map(() => fixture.ioredis()));
    const observer = await fixture.ioredis();
    let sawBusy = false;
    let watching = true;
    const watch = (async () => {
      while (watching) if ((await observer.exists('marker')) === 1) sawBusy = true;
    })();
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < 50; i++) await client.eval(INCREMENT, 2, 'counter', 'marker');
      }),
    );
    watching = false;
    await watch;
    expect(await observer.get('counter')).toBe('200');
    expect(sawBusy).toBe(false);
  });

  it('shares the script cache across threads, and SCRIPT FLUSH empties it for all', async () => {
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => fixture.ioredis()));
    const sha = (await a.script('LOAD', 'return ARGV[1] .. "!"')) as string;
    expect(await b.evalsha(sha, 0, 'hi')).toBe('hi!');
    expect(await c.evalsha(sha.toUpperCase(), 0, 'yo')).toBe('yo!');
    expect(await c.script('EXISTS', sha)).toEqual([1]);
    expect(await b.script('FLUSH')).toBe('OK');
    expect(await a.script('EXISTS', sha)).toEqual([0]);
    await expect(c.evalsha(sha, 0, 'x')).rejects.toThrow('NOSCRIPT No matching script. Please use EVAL.');
  });

  it('runs a script queued in MULTI inside EXEC, over keys it did not declare', async () => {
    const client = await fixture.ioredis();
    const replies = await client
      .multi()
      .set('m1', '5')
      .eval("return redis.call('INCRBY', 'm1', 2) + redis.call('INCR', 'undeclared')", 0)
      .get('m1')
      .exec();
    expect(replies).toEqual([
      [null, 'OK'],
      [null, 8],
      [null, '7'],
    ]);
  });

  it('serves a client blocked in BLPOP with what a script pushed, whichever thread either runs on', async () => {
    const [blocker, pusher] = await Promise.all([fixture.ioredis(), fixture.ioredis()]);
    const popped = blocker.blpop('queue', 10);
    await untilInfo(pusher, 'clients', (f) => f.get('blocked_clients') === '1', 'a blocked client');
    expect(await pusher.eval("return redis.call('LPUSH', 'queue', 'from-script')", 0)).toBe(1);
    expect(await popped).toEqual(['queue', 'from-script']);
  });

  it("writes redis.log's lines to the server's log at their level, from whichever thread ran the script", async () => {
    const client = await fixture.ioredis();
    await client.eval(
      "redis.log(redis.LOG_WARNING, 'disk', 'almost', 7); redis.log(redis.LOG_NOTICE, 'fyi')",
      0,
    );
    // pino's levels: warn 40, info 30.
    expect((await fixture.server().logs.waitFor((l) => l.msg === 'disk almost 7')).level).toBe(40);
    expect((await fixture.server().logs.waitFor((l) => l.msg === 'fyi')).level).toBe(30);
  });

  it("serves ioredis's defineCommand, which sends EVALSHA and falls back to EVAL", async () => {
    const client = await fixture.ioredis();
    await client.script('FLUSH');
    client.defineCommand('setAndDouble', {
      numberOfKeys: 1,
      lua: "redis.call('SET', KEYS[1], ARGV[1]); return tonumber(redis.call('GET', KEYS[1])) * 2",
    });
    const typed = client as typeof client & { setAndDouble(key: string, value: number): Promise<number> };
    expect(await typed.setAndDouble('d', 21)).toBe(42);
    // Now cached: a second client's EVALSHA finds it whichever thread serves it.
    const other = await fixture.ioredis();
    other.defineCommand('setAndDouble', {
      numberOfKeys: 1,
      lua: "redis.call('SET', KEYS[1], ARGV[1]); return tonumber(redis.call('GET', KEYS[1])) * 2",
    });
    expect(await (other as typeof typed).setAndDouble('d', 5)).toBe(10);
  });
});

describe.each(transports)('scripting and the append-only file on %s', (transport) => {
  it("logs a script's writes as one MULTI ... EXEC block of their effects, which replays", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-script-aof-'));
    const options = { workers: 2, config: { appendonly: 'yes', dir } };
    await withIoredisServer(transport, options, async (client) => {
      const c = await client();
      await c.eval("redis.call('SET', KEYS[1], 'a'); redis.call('INCRBY', 'n', 5); return 1", 1, 's');
      await c.eval("return redis.call('GET', 's')", 0); // writes nothing: logs nothing
    });
    const log = readFileSync(lastIncrPath(dir), 'latin1');
    expect(log).not.toContain('EVAL');
    expect(log).toContain(
      '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\ns\r\n$1\r\na\r\n*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$1\r\n5\r\n*1\r\n$4\r\nEXEC\r\n',
    );
    await withIoredisServer(transport, options, async (client) => {
      const c = await client();
      expect(await c.mget('s', 'n')).toEqual(['a', '5']);
    });
  });
});
