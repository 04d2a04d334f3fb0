// Client-side caching on real sockets, on every transport, in exact bytes: RESP3 invalidation pushes on the
// tracking connection, RESP2 invalidations through REDIRECT to a client subscribed to __redis__:invalidate, flush
// nulls, BCAST prefixes, a REDIRECT target that leaves, tracking-table-max-keys, and INFO / CLIENT LIST. On the
// pool each connection has its own worker and on the hybrid connections are spread over the loops, so a writer
// and the client tracking its keys are on different threads: the push arrives with no request from the tracking
// client (its thread is woken through its mailbox), which is what a client-side cache relies on.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resp, type RawClient } from '../support/raw-client.js';
import { startTestServer, transports, useTestServer, type TestServer } from '../support/server.js';

/** `>2 invalidate [keys]`, or with null for a flush. */
const push = (...keys: string[]): string =>
  `>2\r\n$10\r\ninvalidate\r\n*${keys.length}\r\n` + keys.map((k) => `$${k.length}\r\n${k}\r\n`).join('');
const FLUSH_PUSH = '>2\r\n$10\r\ninvalidate\r\n_\r\n';
/** A RESP2 `message` on __redis__:invalidate carrying the keys, or a null for a flush. */
const message = (...keys: string[]): string =>
  '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n' +
  (keys.length === 0
    ? '$-1\r\n'
    : `*${keys.length}\r\n` + keys.map((k) => `$${k.length}\r\n${k}\r\n`).join(''));

/** HELLO 3: its map ends with the modules field. */
async function hello3(client: RawClient): Promise<void> {
  await client.send(resp('HELLO', '3'));
  const end = '$7\r\nmodules\r\n*0\r\n';
  await client.readFramed((received) => {
    const at = received.indexOf(end);
    return at < 0 ? -1 : at + end.length;
  });
}

/** CLIENT ID's integer reply. */
async function clientId(client: RawClient): Promise<number> {
  await client.send(resp('CLIENT', 'ID'));
  return Number((await client.readLine()).slice(1));
}

/** An INFO field's value, read by `client`. */
async function infoField(client: RawClient, field: string): Promise<string> {
  await client.send(resp('INFO', 'everything'));
  const info = await client.readBulk();
  return new RegExp(`^${field}:(.*)\r$`, 'm').exec(info)?.[1] ?? 'missing';
}

describe.each(transports)('%s transport: client-side caching', (transport) => {
  let server: TestServer;

  beforeAll(async () => {
    // The pool pins a worker per connection; the hybrid's two loops get connections in turn.
    server = await startTestServer(transport, { workers: transport === 'hybrid' ? 2 : 8 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('pushes a RESP3 invalidation for another client write at once, and for its own write after the reply', async () => {
    const tracker = await server.connect();
    const writer = await server.connect();
    await hello3(tracker);
    expect(await tracker.request(resp('CLIENT', 'TRACKING', 'ON'), 5)).toBe('+OK\r\n');
    expect(await tracker.request(resp('GET', 'csc:a'), 3)).toBe('_\r\n');
    expect(await writer.request(resp('SET', 'csc:a', 'v'), 5)).toBe('+OK\r\n');
    // No request from the tracker: the write's thread reached it.
    expect(await tracker.readText(push('csc:a'))).toBe(push('csc:a'));
    expect(await tracker.request(resp('GET', 'csc:a'), 7)).toBe('$1\r\nv\r\n');
    // Its own write: the reply first, then the invalidation (Redis's tracking_pending_keys).
    const own = '+OK\r\n' + push('csc:a');
    expect(await tracker.request(resp('SET', 'csc:a', 'w'), own)).toBe(own);
    // Not tracked any more until read again: this write tells nobody, the next read tracks it again.
    expect(await writer.request(resp('SET', 'csc:a', 'x'), 5)).toBe('+OK\r\n');
    expect(await tracker.request(resp('MGET', 'csc:a', 'csc:b'), 14)).toBe('*2\r\n$1\r\nx\r\n_\r\n');
    expect(await writer.request(resp('MSET', 'csc:b', '1', 'csc:a', '2'), 5)).toBe('+OK\r\n');
    const pushes = push('csc:b') + push('csc:a');
    expect(await tracker.readText(pushes)).toBe(pushes);
    tracker.destroy();
    writer.destroy();
  });

  it('sends RESP2 invalidations to the REDIRECT target in subscribed state, and a null on a flush', async () => {
    const subscriber = await server.connect();
    const tracker = await server.connect();
    const writer = await server.connect();
    const id = await clientId(subscriber);
    const subscribed = '*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n';
    expect(await subscriber.request(resp('SUBSCRIBE', '__redis__:invalidate'), subscribed)).toBe(subscribed);
    expect(await tracker.request(resp('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id)), 5)).toBe(
      '+OK\r\n',
    );
    expect(await tracker.request(resp('CLIENT', 'GETREDIR'), `:${id}\r\n`)).toBe(`:${id}\r\n`);
    expect(await tracker.request(resp('GET', 'csc:r'), 5)).toBe('$-1\r\n');
    expect(await writer.request(resp('SET', 'csc:r', 'v'), 5)).toBe('+OK\r\n');
    expect(await subscriber.readText(message('csc:r'))).toBe(message('csc:r'));
    // The tracker's own write goes to the target too; the tracker itself gets its reply only.
    expect(await tracker.request(resp('GET', 'csc:r'), 7)).toBe('$1\r\nv\r\n');
    expect(await tracker.request(resp('DEL', 'csc:r'), 4)).toBe(':1\r\n');
    expect(await subscriber.readText(message('csc:r'))).toBe(message('csc:r'));
    expect(await writer.request(resp('FLUSHALL'), 5)).toBe('+OK\r\n');
    expect(await subscriber.readText(message())).toBe(message());
    expect(tracker.text()).toBe('');
    for (const c of [subscriber, tracker, writer]) c.destroy();
  });

  it('broadcasts the keys written under a BCAST prefix, sorted, once per batch of requests', async () => {
    const tracker = await server.connect();
    const writer = await server.connect();
    await hello3(tracker);
    const on = resp('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'bc:', 'PREFIX', 'other:');
    expect(await tracker.request(on, 5)).toBe('+OK\r\n');
    expect(await writer.request(resp('MSET', 'bc:2', 'x', 'bc:1', 'y', 'zz', 'z'), 5)).toBe('+OK\r\n');
    expect(await tracker.readText(push('bc:1', 'bc:2'))).toBe(push('bc:1', 'bc:2'));
    // Its own write, with NOLOOP off: after its reply.
    const own = '+OK\r\n' + push('other:1');
    expect(await tracker.request(resp('SET', 'other:1', 'v'), own)).toBe(own);
    const info =
      '%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n' +
      '$8\r\nprefixes\r\n*2\r\n$3\r\nbc:\r\n$6\r\nother:\r\n';
    expect(await tracker.request(resp('CLIENT', 'TRACKINGINFO'), info)).toBe(info);
    tracker.destroy();
    writer.destroy();
  });

  it('tells a RESP3 tracker its REDIRECT target is gone (tracking-redir-broken, flags R)', async () => {
    const target = await server.connect();
    const tracker = await server.connect();
    const writer = await server.connect();
    const id = await clientId(target);
    const trackerId = await clientId(tracker);
    await hello3(tracker);
    expect(await tracker.request(resp('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id)), 5)).toBe(
      '+OK\r\n',
    );
    expect(await tracker.request(resp('GET', 'csc:gone'), 3)).toBe('_\r\n');
    expect(await writer.request(resp('CLIENT', 'KILL', 'ID', String(id)), 4)).toBe(':1\r\n');
    await target.closed;
    // The target leaves its thread's directory as its session ends: wait for CLIENT LIST to lose it.
    for (;;) {
      await writer.send(resp('CLIENT', 'LIST', 'ID', String(id)));
      if ((await writer.readBulk()) === '') break;
    }
    expect(await writer.request(resp('SET', 'csc:gone', 'v'), 5)).toBe('+OK\r\n');
    const broken = `>2\r\n$21\r\ntracking-redir-broken\r\n:${id}\r\n`;
    expect(await tracker.readText(broken)).toBe(broken);
    const info =
      '%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n' +
      `$8\r\nredirect\r\n:${id}\r\n$8\r\nprefixes\r\n*0\r\n`;
    expect(await tracker.request(resp('CLIENT', 'TRACKINGINFO'), info)).toBe(info);
    await writer.send(resp('CLIENT', 'LIST', 'ID', String(trackerId)));
    expect(await writer.readBulk()).toMatch(new RegExp(` flags=tR .* redir=${id} resp=3`));
    tracker.destroy();
    writer.destroy();
  });
});

describe.each(transports)('%s transport: client-side caching figures', (transport) => {
  const current = useTestServer(transport, { workers: transport === 'hybrid' ? 2 : 6 });

  it('counts tracking clients, keys, items and prefixes in INFO, and shows flags t, B and redir= in CLIENT LIST', async () => {
    const server = current();
    const a = await server.connect();
    const b = await server.connect();
    const c = await server.connect();
    const bId = await clientId(b);
    expect(await a.request(resp('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(bId)), 5)).toBe('+OK\r\n');
    expect(await a.request(resp('MGET', 'k1', 'k2'), 14)).toBe('*2\r\n$-1\r\n$-1\r\n');
    expect(await b.request(resp('CLIENT', 'TRACKING', 'ON'), 5)).toBe('+OK\r\n');
    expect(await b.request(resp('GET', 'k1'), 5)).toBe('$-1\r\n');
    expect(await c.request(resp('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'p'), 5)).toBe('+OK\r\n');
    expect(await infoField(c, 'tracking_clients')).toBe('3');
    expect(await infoField(c, 'tracking_total_keys')).toBe('2');
    expect(await infoField(c, 'tracking_total_items')).toBe('3');
    expect(await infoField(c, 'tracking_total_prefixes')).toBe('1');
    await c.send(resp('CLIENT', 'LIST'));
    const list = await c.readBulk();
    const line = (id: number): string => list.split('\n').find((l) => l.startsWith(`id=${id} `)) ?? '';
    expect(line(bId)).toMatch(/ flags=t .* redir=0 /);
    expect(list).toMatch(new RegExp(`flags=t .* redir=${bId} `));
    expect(list).toMatch(/ flags=tB .* redir=0 /);
    expect(await a.request(resp('CLIENT', 'TRACKING', 'OFF'), 5)).toBe('+OK\r\n');
    expect(await infoField(c, 'tracking_clients')).toBe('2');
    // A written key leaves the table: only k2 (read by a, no longer tracking) stays until it is written.
    expect(await c.request(resp('SET', 'k1', 'v'), 5)).toBe('+OK\r\n');
    expect(await infoField(c, 'tracking_total_keys')).toBe('1');
    expect(await infoField(c, 'tracking_total_items')).toBe('1');
  });

  it('invalidates a random key once the table passes tracking-table-max-keys, before the next reply', async () => {
    const server = current();
    const tracker = await server.connect();
    await hello3(tracker);
    expect(await tracker.request(resp('CONFIG', 'SET', 'tracking-table-max-keys', '1'), 5)).toBe('+OK\r\n');
    expect(await tracker.request(resp('CLIENT', 'TRACKING', 'ON'), 5)).toBe('+OK\r\n');
    expect(await tracker.request(resp('GET', 'm1'), 3)).toBe('_\r\n');
    expect(await tracker.request(resp('GET', 'm2'), 3)).toBe('_\r\n');
    const evicted = [push('m1') + '+PONG\r\n', push('m2') + '+PONG\r\n'];
    expect(evicted).toContain(await tracker.request(resp('PING'), evicted[0].length));
    expect(await infoField(tracker, 'tracking_total_keys')).toBe('1');
  });
});

describe.each(transports)('%s transport: client-side caching and eviction', (transport) => {
  const current = useTestServer(transport, { workers: transport === 'hybrid' ? 2 : 4 });

  it('invalidates exactly the keys maxmemory evicts', async () => {
    const server = current();
    const tracker = await server.connect();
    const writer = await server.connect();
    await hello3(tracker);
    const keys = Array.from({ length: 200 }, (_, i) => `ev${i}`);
    const value = 'v'.repeat(1000);
    const sets = '+OK\r\n'.repeat(keys.length);
    expect(await writer.request(Buffer.concat(keys.map((k) => resp('SET', k, value))), sets)).toBe(sets);
    expect(await tracker.request(resp('CLIENT', 'TRACKING', 'ON'), 5)).toBe('+OK\r\n');
    const values = `*${keys.length}\r\n` + `$1000\r\n${value}\r\n`.repeat(keys.length);
    expect(await tracker.request(resp('MGET', ...keys), values)).toBe(values);
    const used = Number(await infoField(writer, 'used_memory_dataset'));
    for (const [name, setting] of [
      ['maxmemory-policy', 'allkeys-lru'],
      ['maxmemory-eviction-tenacity', '100'], // no time limit: down to the cap at once
      ['maxmemory', String(Math.floor(used / 2))],
    ]) {
      expect(await writer.request(resp('CONFIG', 'SET', name, setting), 5)).toBe('+OK\r\n');
    }
    expect(await writer.request(resp('SET', 'after', 'x'), 5)).toBe('+OK\r\n'); // evicts first
    expect(Number(await infoField(writer, 'evicted_keys'))).toBeGreaterThan(50);
    // The tracker's pushes precede its next reply (its thread takes its mail first).
    await tracker.send(resp('PING'));
    let pushed = '';
    for (;;) {
      const line = await tracker.readLine();
      if (line === '+PONG\r\n') break;
      pushed += line;
    }
    const invalidated = [...pushed.matchAll(/^(ev\d+)\r$/gm)].map((m) => m[1]).sort();
    const missing: string[] = [];
    for (const key of keys) {
      if ((await writer.request(resp('EXISTS', key), 4)) === ':0\r\n') missing.push(key);
    }
    expect(invalidated).toEqual(missing.sort());
  });
});

describe('eventloop transport: client-side caching and expiry (an injected clock)', () => {
  let now = 1_000_000;
  const current = useTestServer('eventloop', { clock: () => now });

  it('invalidates an expired key: after the reply for the client that found it, at once for the others', async () => {
    const server = current();
    const tracker = await server.connect();
    const other = await server.connect();
    await hello3(tracker);
    await hello3(other);
    expect(await tracker.request(resp('CLIENT', 'TRACKING', 'ON'), 5)).toBe('+OK\r\n');
    expect(await other.request(resp('CLIENT', 'TRACKING', 'ON'), 5)).toBe('+OK\r\n');
    expect(await tracker.request(resp('SET', 'e', 'v', 'PX', '100'), 5)).toBe('+OK\r\n');
    expect(await tracker.request(resp('GET', 'e'), 7)).toBe('$1\r\nv\r\n');
    expect(await other.request(resp('GET', 'e'), 7)).toBe('$1\r\nv\r\n');
    now += 200;
    const own = '_\r\n' + push('e');
    expect(await tracker.request(resp('GET', 'e'), own)).toBe(own);
    expect(await other.readText(push('e'))).toBe(push('e'));
    // Found expired by a client that had not read it: it is not told (the key was not in its table yet).
    expect(await tracker.request(resp('SET', 'f', 'v', 'PX', '100'), 5)).toBe('+OK\r\n');
    now += 200;
    expect(await other.request(resp('GET', 'f'), 3)).toBe('_\r\n');
    expect(await other.request(resp('PING'), 7)).toBe('+PONG\r\n');
    // A flush tells every tracking client, whatever it read: a null.
    expect(await other.request(resp('FLUSHDB'), '+OK\r\n' + FLUSH_PUSH)).toBe('+OK\r\n' + FLUSH_PUSH);
    expect(await tracker.readText(FLUSH_PUSH)).toBe(FLUSH_PUSH);
  });
});
