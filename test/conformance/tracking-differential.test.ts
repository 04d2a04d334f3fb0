// Client-side caching against real Redis, for every transport: one script of requests on four connections (a
// RESP3 tracker, a RESP2 client subscribed to __redis__:invalidate that trackers redirect to, a RESP2 writer, a
// RESP3 REDIRECT target that leaves) sent to redis-lite and to a redis-server 7.0 this file starts on a free
// loopback port (no persistence, stopped by PID). After each request every connection not inside MULTI sends a
// request whose reply is its own (CLIENT GETNAME of a name set at the start; PING for the subscribed one, which
// may send nothing else): a server writes an invalidation due to a connection before that reply, so each
// connection's bytes up to it are the same on both servers, pushes and their order relative to replies included.
// Client ids, which differ between the servers, are replaced by the connection's letter. Skipped without
// redis-server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPath, startRedisServer, type RedisServerProcess } from '../support/live-tools.js';
import { RawClient, resp } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

type Name = 'a' | 'b' | 'c' | 'd';
/** One request: the connection that sends it and its arguments ('@b' is b's client id). */
type Step = readonly [Name, ...string[]];

/** b subscribes first: its sync request is PING from then on. */
const SETUP: readonly Step[] = [
  ['b', 'SUBSCRIBE', '__redis__:invalidate'],
  ['a', 'HELLO', '3'],
  ['d', 'HELLO', '3'],
];

const SCRIPT: readonly Step[] = [
  // Default mode: another client's write, the tracker's own write (after its reply), keys read by MGET.
  ['a', 'CLIENT', 'TRACKING', 'ON'],
  ['a', 'GET', 'k1'],
  ['c', 'SET', 'k1', 'v'],
  ['a', 'MGET', 'k1', 'k2', 'k3'],
  ['a', 'SET', 'k1', 'w'],
  ['c', 'MSET', 'k2', '1', 'k3', '2'],
  ['a', 'CLIENT', 'TRACKINGINFO'],
  ['a', 'CLIENT', 'GETREDIR'],
  // Writes that change nothing invalidate nothing; those that do, whatever the command.
  ['a', 'MGET', 'k1', 'k2', 'l', 'h', 'z', 's'],
  ['c', 'SET', 'k1', 'x', 'NX'],
  ['c', 'DEL', 'nosuch'],
  ['c', 'EXPIRE', 'nosuch', '10'],
  ['c', 'RPUSH', 'l', 'a', 'b'],
  ['c', 'HSET', 'h', 'f', 'v'],
  ['c', 'ZADD', 'z', '1', 'm'],
  ['c', 'SADD', 's', 'm'],
  ['a', 'LRANGE', 'l', '0', '-1'],
  ['a', 'HGETALL', 'h'],
  ['c', 'RENAME', 'l', 'l2'],
  ['c', 'LPOP', 'l2'],
  ['c', 'PEXPIREAT', 'h', '1'],
  ['c', 'SWAPDB', '0', '1'],
  ['c', 'SWAPDB', '0', '1'],
  ['c', 'INCR', 'k2'],
  ['c', 'SETNX', 'k2', 'x'],
  ['a', 'GET', 'k2'],
  ['c', 'MOVE', 'k2', '1'],
  // A transaction and a script: the tracker's own invalidations come after EXEC's / EVAL's reply.
  ['a', 'MULTI'],
  ['a', 'GET', 'm1'],
  ['a', 'SET', 'm1', 'x'],
  ['a', 'GET', 'm2'],
  ['a', 'SET', 'm2', 'y'],
  ['a', 'EXEC'],
  ['c', 'SET', 'm2', 'z'],
  ['a', 'EVAL', "return redis.call('get', KEYS[1])", '1', 'e1'],
  ['c', 'SET', 'e1', 'v'],
  ['a', 'EVAL', "redis.call('set', KEYS[1], 'v') return 1", '1', 'e2'],
  ['a', 'EVAL', "redis.call('get', KEYS[1]) return redis.call('set', KEYS[1], 'w')", '1', 'e2'],
  ['a', 'EVAL_RO', "return redis.call('get', KEYS[1])", '1', 'e3'],
  ['c', 'SET', 'e3', 'v'],
  // NOLOOP: its own writes are not told.
  ['a', 'CLIENT', 'TRACKING', 'ON', 'NOLOOP'],
  ['a', 'GET', 'n1'],
  ['a', 'SET', 'n1', 'v'],
  ['a', 'GET', 'n1'],
  ['c', 'SET', 'n1', 'w'],
  ['a', 'CLIENT', 'TRACKINGINFO'],
  ['a', 'CLIENT', 'TRACKING', 'OFF'],
  // OPTIN / OPTOUT and CLIENT CACHING, which lasts one command or one transaction.
  ['a', 'CLIENT', 'TRACKING', 'ON', 'OPTIN'],
  ['a', 'CLIENT', 'CACHING', 'NO'],
  ['a', 'GET', 'o1'],
  ['a', 'CLIENT', 'CACHING', 'YES'],
  ['a', 'CLIENT', 'TRACKINGINFO'],
  ['a', 'GET', 'o2'],
  ['a', 'GET', 'o3'],
  ['c', 'MSET', 'o1', '1', 'o2', '2', 'o3', '3'],
  ['a', 'CLIENT', 'CACHING', 'YES'],
  ['a', 'MULTI'],
  ['a', 'GET', 'o4'],
  ['a', 'GET', 'o5'],
  ['a', 'EXEC'],
  ['c', 'MSET', 'o4', '1', 'o5', '2'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
  ['a', 'CLIENT', 'TRACKING', 'OFF'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
  ['a', 'CLIENT', 'CACHING', 'NO'],
  ['a', 'GET', 'p1'],
  ['a', 'GET', 'p2'],
  ['c', 'MSET', 'p1', '1', 'p2', '2'],
  ['a', 'CLIENT', 'CACHING', 'YES'],
  ['a', 'CLIENT', 'TRACKINGINFO'],
  ['a', 'CLIENT', 'TRACKING', 'OFF'],
  // Broadcasting: the keys under its prefixes, sorted, once per batch; NOLOOP leaves out its own.
  ['a', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b:', 'PREFIX', 'c:'],
  ['c', 'MSET', 'b:2', '1', 'b:1', '2', 'c:1', '3', 'x', '4'],
  ['a', 'SET', 'c:2', 'v'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b:x'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'd', 'PREFIX', 'dd'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'e:', 'NOLOOP'],
  ['a', 'SET', 'e:1', 'v'],
  ['c', 'SET', 'e:1', 'w'],
  ['a', 'CLIENT', 'TRACKINGINFO'],
  ['a', 'CLIENT', 'TRACKING', 'ON'],
  ['a', 'CLIENT', 'TRACKING', 'OFF'],
  // RESP2 through REDIRECT: messages on __redis__:invalidate to the subscribed client; a flush sends a null.
  ['c', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '@b'],
  ['c', 'CLIENT', 'GETREDIR'],
  ['c', 'GET', 'r1'],
  ['a', 'SET', 'r1', 'v'],
  ['c', 'GET', 'r1'],
  ['c', 'DEL', 'r1'],
  ['c', 'GET', 'r2'],
  ['a', 'FLUSHDB'],
  ['c', 'CLIENT', 'TRACKING', 'OFF'],
  // A RESP3 tracker redirecting to a RESP3 target that then leaves: tracking-redir-broken, flag R.
  ['a', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '@d'],
  ['a', 'GET', 't1'],
  ['c', 'SET', 't1', 'v'],
  ['a', 'GET', 't1'],
  ['d', 'QUIT'],
  ['c', 'SET', 't1', 'w'],
  ['a', 'CLIENT', 'TRACKINGINFO'],
  ['a', 'GET', 't1'],
  ['a', 'FLUSHALL'],
  // Refused options, in Redis's order of checks.
  ['a', 'CLIENT', 'TRACKING', 'ON', 'PREFIX', 'x'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'BCAST'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'OPTIN'],
  ['a', 'CLIENT', 'TRACKING', 'OFF'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '0'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'x'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '@b', 'REDIRECT', '@b'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'NOPE'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'PREFIX'],
  ['a', 'CLIENT', 'TRACKING', 'MAYBE'],
  ['a', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a'],
  ['a', 'CLIENT', 'CACHING', 'YES'],
  ['a', 'CLIENT', 'CACHING', 'MAYBE'],
  ['a', 'CLIENT', 'GETREDIR'],
  ['a', 'CLIENT', 'TRACKINGINFO'],
];

/** The length of the first whole RESP reply in `b` from `at`, or -1 while it is incomplete. */
function replyLength(b: Buffer, at = 0): number {
  const end = b.indexOf('\r\n', at);
  if (end < 0) return -1;
  const type = String.fromCharCode(b[at]);
  const n = Number(b.toString('latin1', at + 1, end));
  if (type === '$' || type === '=') {
    if (n < 0) return end + 2 - at;
    return b.length >= end + 4 + n ? end + 4 + n - at : -1;
  }
  if (type === '*' || type === '%' || type === '>' || type === '~') {
    let next = end + 2;
    for (let i = 0; i < (type === '%' ? 2 * n : Math.max(0, n)); i++) {
      const size = replyLength(b, next);
      if (size < 0) return -1;
      next += size;
    }
    return next - at;
  }
  return end + 2 - at;
}

const SYNC_NAME = (name: Name): string => `sync-${name}`;
const SYNC_ORDER: readonly Name[] = ['a', 'c', 'd', 'b'];
const SUBSCRIBED_PONG = '*2\r\n$4\r\npong\r\n$0\r\n\r\n';

/** Each step's bytes on each connection (ids replaced by letters). */
async function transcript(port: number): Promise<string[]> {
  const names: Name[] = ['a', 'b', 'c', 'd'];
  const conns = new Map<Name, RawClient>();
  const ids = new Map<Name, string>();
  const open = new Set<Name>(names);
  const inMulti = new Set<Name>();
  const out: string[] = [];
  try {
    for (const name of names) {
      const conn = await RawClient.connect(port);
      conns.set(name, conn);
      await conn.send(resp('CLIENT', 'ID'));
      ids.set(name, (await conn.readLine()).slice(1, -2));
      await conn.send(resp('CLIENT', 'SETNAME', SYNC_NAME(name)));
      await conn.readLine();
    }
    // Ids appear after these words, and as CLIENT GETREDIR's whole reply (small integers elsewhere are data).
    const letter = (id: string): string => {
      for (const [name, known] of ids) if (known === id) return `@${name}`;
      return id;
    };
    const normal = (text: string, getredir = false): string =>
      (getredir ? text.replace(/^:(\d+)\r\n/, (_, id: string) => `:${letter(id)}\r\n`) : text).replace(
        /(redirect\r\n|tracking-redir-broken\r\n):(\d+)\r\n/g,
        (_, before: string, id: string) => `${before}:${letter(id)}\r\n`,
      );
    let subscribedB = false;
    const syncReply = (name: Name): string =>
      name === 'b' && subscribedB ? SUBSCRIBED_PONG : `$${SYNC_NAME(name).length}\r\n${SYNC_NAME(name)}\r\n`;
    /** Reads whole replies up to the sync reply (excluded); returns what came before it. */
    const readUntilSync = async (name: Name): Promise<string> => {
      const conn = conns.get(name)!;
      let seen = '';
      for (;;) {
        const frame = (await conn.readFramed((received) => replyLength(received))).toString('latin1');
        if (frame === syncReply(name)) return seen;
        seen += frame;
      }
    };
    const sync = async (name: Name): Promise<string> => {
      const subscribed = name === 'b' && subscribedB;
      await conns.get(name)!.send(subscribed ? resp('PING') : resp('CLIENT', 'GETNAME'));
      return readUntilSync(name);
    };
    const run = async (steps: readonly Step[], record: boolean): Promise<void> => {
      for (const [name, ...argv] of steps) {
        const conn = conns.get(name)!;
        await conn.send(
          resp(...argv.map((arg) => (arg.startsWith('@') ? ids.get(arg.slice(1) as Name)! : arg))),
        );
        const verb = argv[0].toUpperCase();
        if (verb === 'MULTI') inMulti.add(name);
        if (verb === 'SUBSCRIBE') subscribedB = true;
        if (verb === 'EXEC' || verb === 'DISCARD') inMulti.delete(name);
        if (verb === 'QUIT') {
          await conn.closed;
          open.delete(name);
          // The server forgets the client as its session ends, which may follow the close: wait for CLIENT LIST
          // (from c, not recorded) to lose it, so the next invalidation for it finds it gone on both servers.
          const asker = conns.get('c')!;
          for (;;) {
            await asker.send(resp('CLIENT', 'LIST', 'ID', ids.get(name)!));
            if ((await asker.readBulk()) === '') break;
          }
        }
        const line: string[] = [`${name}> ${argv.join(' ')}`];
        if (open.has(name)) {
          // Its reply (after any pushes for it), then, outside MULTI, the sync request: what its command caused
          // for itself is written by then. Sent only once the reply is in, so it is never in the same batch.
          let seen = '';
          for (;;) {
            const frame = (await conn.readFramed((r) => replyLength(r))).toString('latin1');
            seen += frame;
            if (!frame.startsWith('>')) break;
          }
          if (!inMulti.has(name)) seen += await sync(name);
          const getredir = argv.join(' ').toUpperCase() === 'CLIENT GETREDIR';
          line.push(`${name}: ${normal(seen, getredir)}`);
        }
        // Then every other connection: what the command caused for it precedes its sync reply. The subscribed
        // REDIRECT target last: across threads an invalidation for a redirecting tracker reaches the target in two
        // hops (the writer's thread tells the tracker's, which tells the target's), and the tracker's own sync
        // request has its thread pass it on first.
        for (const other of SYNC_ORDER) {
          if (other === name || !open.has(other) || inMulti.has(other)) continue;
          line.push(`${other}: ${normal(await sync(other))}`);
        }
        if (record) out.push(line.join(' | '));
      }
    };
    await run(SETUP, false);
    await run(SCRIPT, true);
    return out;
  } finally {
    for (const conn of conns.values()) conn.destroy();
  }
}

describe.skipIf(!onPath('redis-server'))('client-side caching against redis-server 7.0', () => {
  let redis: RedisServerProcess;
  let expected: string[];

  beforeAll(async () => {
    redis = await startRedisServer();
    expected = await transcript(redis.port);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('redis-server answers the script as this file expects', () => {
    expect(expected.find((l) => l.startsWith('c> SET k1 v '))).toContain(
      'a: >2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk1',
    );
    expect(expected.find((l) => l.startsWith('c> SET t1 w'))).toContain('tracking-redir-broken');
  });

  describe.each(transports)('%s transport', (transport) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(transport, { workers: transport === 'hybrid' ? 2 : 6 });
    });
    afterAll(async () => {
      await server.close();
    });

    it('sends the same replies and invalidations, in the same order, as redis-server', async () => {
      expect(await transcript(server.port)).toEqual(expected);
    });
  });
});
