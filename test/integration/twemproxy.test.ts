// Scale-out behind twemproxy (Debian's `nutcracker`), on every transport: three redis-lite instances behind one
// proxy (ketama over murmur: fnv1a_64, the hash twemproxy's README
// shows, put 3%, 33% and 63% of these keys on the three) that selects a database of its own, so what
// twemproxy sends a backend (plain RESP, SELECT on connect) is exercised too. (Not redis_auth together with
// redis_db: twemproxy 0.5 sends SELECT before AUTH, which Redis refuses with NOAUTH as redis-lite does.)
// Keys shard (each instance holds a share), MGET and DEL are split across shards and joined, expiry works
// through the proxy, and when one instance stops its keys get errors while the others keep serving, never a
// hang. Skipped, saying so, where nutcracker is not installed (.ci/run installs it).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BenchClient, TimeoutError, withTimeout } from '../../bench/lib/client.js';
import { RespError, type RespValue } from '../../bench/lib/resp.js';
import { nutcrackerAvailable, startTwemproxy, type Twemproxy } from '../../bench/lib/twemproxy.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

const hasNutcracker = nutcrackerAvailable();
const DB = 2;
const KEYS = Array.from({ length: 300 }, (_, i) => `user:${i}`);

/** A client of `port` in database `db`; a reply that never comes fails after 5 s (call's bound). */
async function connect(port: number, db?: number): Promise<BenchClient> {
  const client = await BenchClient.connect({ host: '127.0.0.1', port, timeoutMs: 5000 });
  if (db !== undefined) expect(await client.call(['SELECT', String(db)])).toBe('OK');
  return client;
}

const text = (reply: RespValue): unknown =>
  Buffer.isBuffer(reply) ? reply.toString() : Array.isArray(reply) ? reply.map(text) : reply;

describe.skipIf(!hasNutcracker)(
  'twemproxy (nutcracker) in front of three redis-lite instances' +
    (hasNutcracker ? '' : ' (skipped: nutcracker is not installed; apt-get install nutcracker)'),
  () => {
    describe.each(transports)('%s transport', (transport) => {
      let backends: TestServer[] = [];
      let proxy: Twemproxy | null = null;
      let proxyPort = 0;
      const clients: BenchClient[] = [];

      async function viaProxy(): Promise<BenchClient> {
        const client = await connect(proxyPort);
        clients.push(client);
        return client;
      }

      /**
       * Asks every backend directly, in database `db`, and hangs up at once: on the pool each open connection pins
       * one of its 4 workers, and the proxy holds one already.
       */
      async function askBackends<T>(db: number, ask: (client: BenchClient) => Promise<T>): Promise<T[]> {
        return Promise.all(
          backends.map(async (backend) => {
            const client = await connect(backend.port, db);
            try {
              return await ask(client);
            } finally {
              client.close();
            }
          }),
        );
      }

      /** Each backend's DBSIZE in the proxy's database. */
      const shares = (): Promise<number[]> => askBackends(DB, async (c) => Number(await c.call(['DBSIZE'])));

      beforeAll(async () => {
        backends = await Promise.all([1, 2, 3].map(() => startTestServer(transport, { workers: 4 })));
        proxy = await startTwemproxy({ backends: backends.map((b) => b.port), db: DB });
        proxyPort = proxy.port;
      });

      afterAll(async () => {
        for (const client of clients) client.close();
        await proxy?.stop();
        await Promise.all(backends.map((b) => b.close()));
      });

      it('shards keys: each instance holds a share, in the database the proxy selects', async () => {
        const client = await viaProxy();
        expect(await client.call(['PING'])).toBe('PONG');
        const replies = await Promise.all(KEYS.map((key) => client.call(['SET', key, `v-${key}`])));
        expect(replies.every((r) => r === 'OK')).toBe(true);
        const held = await shares();
        expect(held.reduce((a, b) => a + b, 0)).toBe(KEYS.length);
        // Deterministic: ketama places keys by the servers' names. Here 110, 97 and 93 of 300.
        for (const n of held) expect(n).toBeGreaterThan(KEYS.length / 5);
        // Nothing in database 0: the proxy's SELECT reached every backend.
        expect(await askBackends(0, async (c) => c.call(['DBSIZE']))).toEqual([0, 0, 0]);
      });

      it('splits MGET and DEL across the shards and joins the replies in order', async () => {
        const client = await viaProxy();
        const values = text(await client.call(['MGET', ...KEYS, 'user:missing']));
        expect(values).toEqual([...KEYS.map((key) => `v-${key}`), null]);
        expect(await client.call(['DEL', ...KEYS.slice(0, 150)])).toBe(150);
        expect((await shares()).reduce((a, b) => a + b, 0)).toBe(KEYS.length - 150);
        expect(text(await client.call(['MGET', 'user:0', 'user:299']))).toEqual([null, 'v-user:299']);
      });

      it('expires keys through the proxy', async () => {
        const client = await viaProxy();
        expect(await client.call(['SET', 'session:a', 'x', 'EX', '100'])).toBe('OK');
        expect(await client.call(['TTL', 'session:a'])).toBeGreaterThanOrEqual(99);
        // A time in the past: deleted at once, whichever shard holds it.
        expect(await client.call(['PEXPIREAT', 'session:a', '1'])).toBe(1);
        expect(await client.call(['GET', 'session:a'])).toBeNull();
        expect(await client.call(['SET', 'session:b', 'x', 'PX', '50'])).toBe('OK');
        // Expiry runs on the backends' own clocks: asked until it is gone, with a deadline.
        let gone = false;
        for (const deadline = Date.now() + 10_000; !gone && Date.now() < deadline;) {
          gone = (await client.call(['EXISTS', 'session:b'])) === 0;
        }
        expect(gone).toBe(true);
      });

      it("answers errors for a stopped instance's keys and keeps serving the others, without hanging", async () => {
        const client = await viaProxy();
        // Which instance holds which key, asked directly.
        const owners = await askBackends(DB, async (direct) => {
          const exists = await Promise.all(KEYS.map((key) => direct.call(['EXISTS', key])));
          return new Set(KEYS.filter((_, i) => exists[i] === 1));
        });
        const lostKey = [...owners[2]][0];
        const keptKeys = [...owners[0], ...owners[1]].slice(0, 10);
        await backends[2].close();
        const reply = await client.call(['GET', lostKey]);
        expect(reply).toBeInstanceOf(RespError);
        expect((reply as RespError).message).toMatch(/^ERR /);
        for (const key of keptKeys) expect(text(await client.call(['GET', key]))).toBe(`v-${key}`);
        // A command spanning the stopped shard fails (twemproxy answers an error or closes the connection)...
        const spanning = withTimeout(client.request(['MGET', lostKey, keptKeys[0]]), 5000, 'MGET').then(
          (r) => r,
          (e: Error) => e,
        );
        const outcome = await spanning;
        expect(
          outcome instanceof RespError || (outcome instanceof Error && !(outcome instanceof TimeoutError)),
        ).toBe(true);
        // ...and the proxy still serves the other shards to every client.
        const fresh = await viaProxy();
        for (const key of keptKeys) expect(text(await fresh.call(['GET', key]))).toBe(`v-${key}`);
      });
    });
  },
);
