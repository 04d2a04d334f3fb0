// The blocking commands against real Redis, for every transport: the same scripts sent to redis-lite and to a
// redis-server 7.0 this file starts on a free loopback port (no persistence, stopped by PID), replies compared
// byte for byte. The deterministic parts: argument errors in Redis's order, timeout parsing, pops served at
// once, WRONGTYPE, MULTI, short timeouts, RESP3, CLIENT UNBLOCK's errors, and a two-client scenario ordered by
// waiting for INFO blocked_clients (a client blocks, another pushes, the pusher then reads the list; the same
// with SWAPDB bringing the list into the blocked client's database).
// Skipped when redis-server is not on PATH.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { RawClient, resp } from '../support/raw-client.js';
import { transports } from '../support/server.js';
import { step, stepBoth } from '../support/script-step.js';

/** A step: one request, or (a string[] of space-separated requests) several sent together. */
const SCRIPT: readonly string[][] = [
  ['BLPOP', 'a', '-1'],
  ['BLPOP', 'a', 'abc'],
  ['BLPOP', 'a', 'inf'],
  ['BLPOP', 'a', 'nan'],
  ['BLPOP', 'a', '1e30'],
  ['BLPOP', 'a', ' 1'],
  ['BLPOP', 'a', '0.01'],
  ['BRPOP', 'a', 'b', '0.001'],
  ['BLMOVE', 'a', 'b', 'LEFT', 'UP', '0'],
  ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', 'x'],
  ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0.01'],
  ['BRPOPLPUSH', 'a', 'b', '0.01'],
  ['BLMPOP', '0.01', '0', 'a', 'LEFT'],
  ['BLMPOP', '0.01', 'x', 'a', 'LEFT'],
  ['BLMPOP', '0.01', '3', 'a', 'LEFT'],
  ['BLMPOP', '0.01', '1', 'a', 'MIDDLE'],
  ['BLMPOP', '0.01', '1', 'a', 'LEFT', 'COUNT', '0'],
  ['BLMPOP', '0.01', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '2'],
  ['BLMPOP', 'x', '1', 'a', 'LEFT'],
  ['BLMPOP', '0.01', '1', 'a', 'LEFT'],
  ['RPUSH', 'list', '1', '2', '3', '4'],
  ['BLPOP', 'missing', 'list', '0'],
  ['BRPOP', 'list', '0'],
  ['BLMPOP', '0', '2', 'missing', 'list', 'RIGHT', 'COUNT', '10'],
  ['EXISTS', 'list'],
  ['SET', 'str', 'v'],
  ['BLPOP', 'missing', 'str', '0'],
  ['BLMPOP', '0', '1', 'str', 'LEFT'],
  ['RPUSH', 'src', 'x'],
  ['BLMOVE', 'src', 'str', 'LEFT', 'RIGHT', '0'],
  ['LRANGE', 'src', '0', '-1'],
  ['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0'],
  ['BRPOPLPUSH', 'dst', 'dst', '0'],
  ['LRANGE', 'dst', '0', '-1'],
  ['BLMOVE', 'str', 'dst', 'LEFT', 'RIGHT', '0'],
  [
    'MULTI',
    ...['BLPOP none 0', 'BLMOVE none d LEFT RIGHT 0', 'BRPOPLPUSH none d 0', 'BLMPOP 0 1 none LEFT'],
    'BLPOP dst 0',
    'EXEC',
  ],
  ['CLIENT', 'UNBLOCK', '99999'],
  ['CLIENT', 'UNBLOCK', 'abc'],
  ['CLIENT', 'UNBLOCK', '1', 'FOO'],
  ['CLIENT', 'UNBLOCK', '1', 'TIMEOUT', 'x'],
  ['BZPOPMIN', 'z', '-1'],
  ['BZPOPMAX', 'z', 'x'],
  ['BZMPOP', '0', '0', 'z', 'MIN'],
  ['BZMPOP', '0', '1', 'z', 'MIDDLE'],
  ['BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '0'],
  ['BZMPOP', 'x', '1', 'z', 'MIN'],
  ['BZPOPMIN', 'none', '0.01'],
  ['BZMPOP', '0.01', '1', 'none', 'MAX'],
  ['ZADD', 'z', '1', 'a', '2.5', 'b', '3', 'c', '-inf', 'd'],
  ['BZPOPMIN', 'none', 'z', '0'],
  ['BZPOPMAX', 'z', '0'],
  ['BZMPOP', '0', '2', 'none', 'z', 'MIN', 'COUNT', '5'],
  ['EXISTS', 'z'],
  ['BZPOPMIN', 'str', '0'],
  ['BZMPOP', '0', '1', 'str', 'MAX'],
  ['RPUSH', 'l9', 'x'],
  ['BZPOPMIN', 'none', 'l9', '0'],
  ['MULTI', 'BZPOPMIN none 0', 'BZMPOP 0 1 none MIN', 'EXEC'],
  ['RPUSH', 'l3', 'a', 'b'],
  ['ZADD', 'z2', '1.5', 'm', '2', 'n'],
];

/** In RESP3 (HELLO's own reply differs, in version and id, so it is sent apart): nulls are `_`. */
const RESP3_SCRIPT: readonly string[][] = [
  ['BLPOP', 'none', '0.01'],
  ['BLMOVE', 'none', 'd', 'LEFT', 'RIGHT', '0.01'],
  ['BLMPOP', '0', '1', 'l3', 'LEFT'],
  ['BLMOVE', 'l3', 'l3', 'LEFT', 'RIGHT', '0'],
  ['BZPOPMIN', 'z2', '0'],
  ['BZMPOP', '0', '1', 'z2', 'MAX'],
  ['BZPOPMIN', 'none', '0.01'],
];

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: blocking commands as redis-server 7.0',
  (transport) => {
    const both = useBothServers(transport, { ours: { workers: transport === 'hybrid' ? 2 : 6 } });

    it('answers the script byte for byte', async () => {
      const { theirs, mine } = both;
      await step(theirs, [['FLUSHALL']]);
      const compare = async (requests: string[][]): Promise<void> => {
        const replies = await stepBoth(theirs, mine, requests);
        expect(replies.mine).toBe(replies.theirs);
      };
      for (const entry of SCRIPT) {
        // An entry whose words hold spaces is a block of requests (MULTI ... EXEC), sent as one step.
        await compare(entry.some((word) => word.includes(' ')) ? entry.map((r) => r.split(' ')) : [entry]);
      }
      await step(theirs, [['HELLO', '3']]);
      await step(mine, [['HELLO', '3']]);
      for (const argv of RESP3_SCRIPT) await compare([argv]);
    });

    it('serves a blocked client from another client push, the pusher reading after it', async () => {
      const script = async (port: number | null): Promise<string[]> => {
        const connect = () => (port === null ? both.ours.connect() : RawClient.connect(port));
        const [waiter, pusher] = [await connect(), await connect()];
        try {
          await step(pusher, [['FLUSHALL']]);
          await waiter.send(resp('BLMPOP', '0', '2', 'q1', 'q2', 'LEFT', 'COUNT', '2'));
          for (;;) {
            const info = await step(pusher, [['INFO', 'clients']]);
            if (info.includes('blocked_clients:1')) break;
          }
          const out = [
            await step(pusher, [['RPUSH', 'q2', 'a', 'b', 'c']]),
            await step(pusher, [['LRANGE', 'q2', '0', '-1']]),
          ];
          out.push(await step(waiter, [['PING']]));
          return out;
        } finally {
          waiter.destroy();
          pusher.destroy();
        }
      };
      expect(await script(null)).toEqual(await script(both.redis.port));
    });

    it('serves a client blocked in a database SWAPDB fills, before the swapper reads it', async () => {
      const script = async (port: number | null): Promise<string[]> => {
        const connect = () => (port === null ? both.ours.connect() : RawClient.connect(port));
        const [waiter, swapper] = [await connect(), await connect()];
        try {
          await step(swapper, [['FLUSHALL']]);
          await step(waiter, [['SELECT', '1']]);
          await waiter.send(resp('BLMPOP', '0', '1', 'k', 'RIGHT', 'COUNT', '2'));
          for (;;) {
            const info = await step(swapper, [['INFO', 'clients']]);
            if (info.includes('blocked_clients:1')) break;
          }
          const out = [
            await step(swapper, [['RPUSH', 'k', 'a', 'b', 'c']]),
            await step(swapper, [['SWAPDB', '0', '1']]),
            await step(swapper, [
              ['SELECT', '1'],
              ['LRANGE', 'k', '0', '-1'],
            ]),
          ];
          out.push(await step(waiter, [['PING']]));
          return out;
        } finally {
          waiter.destroy();
          swapper.destroy();
        }
      };
      expect(await script(null)).toEqual(await script(both.redis.port));
    });
  },
);
