// The commands client libraries and operators send that redis-lite answers as a master without replicas or
// cluster support, against redis-server 7.0.15 on every transport, byte for byte in RESP2 and RESP3: TOUCH (its
// count, the LFU counter it bumps where EXISTS does not, its keyspace hits and misses), SUBSTR, ROLE, READONLY
// and READWRITE, and WAIT (its argument errors, no wait for 0 replicas or inside MULTI, a short timeout, CLIENT
// UNBLOCK of a client waiting forever, ordered by INFO's blocked_clients). Skipped without redis-server.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { RawClient, resp } from '../support/raw-client.js';
import { transports } from '../support/server.js';
import { step, stepBoth } from '../support/script-step.js';

const SCRIPT: readonly string[][] = [
  ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu', 'lfu-decay-time', '0'],
  ['SET', 'k', 'hello world'],
  ['RPUSH', 'list', 'a'],
  ['OBJECT', 'FREQ', 'k'],
  ['EXISTS', 'k'],
  ['OBJECT', 'FREQ', 'k'],
  ['TOUCH', 'k'],
  ['OBJECT', 'FREQ', 'k'],
  ['TOUCH', 'k', 'missing', 'k', 'list'],
  ['TOUCH', 'missing'],
  ['TOUCH'],
  ['SUBSTR', 'k', '0', '4'],
  ['SUBSTR', 'k', '-5', '-1'],
  ['SUBSTR', 'k', '5', '1'],
  ['SUBSTR', 'missing', '0', '-1'],
  ['SUBSTR', 'list', '0', '-1'],
  ['SUBSTR', 'k', 'x', '1'],
  ['SUBSTR', 'k', '0'],
  ['ROLE'],
  ['ROLE', 'extra'],
  ['READONLY'],
  ['READWRITE'],
  ['READONLY', 'extra'],
  ['WAIT', '0', '0'],
  ['WAIT', '-3', '100'],
  ['WAIT', 'x', '0'],
  ['WAIT', '1', 'x'],
  ['WAIT', '1', '-1'],
  ['WAIT', 'x', '-1'],
  ['WAIT', '1', '99999999999999999999'],
  ['WAIT', '1'],
  ['WAIT', '1', '10'],
  ['MULTI', 'WAIT 1 0', 'TOUCH k', 'EXEC'],
];

/** In RESP3 after HELLO 3 (its own reply differs in version and id, so it is sent apart). */
const RESP3_SCRIPT: readonly string[][] = [
  ['ROLE'],
  ['TOUCH', 'k', 'nothing'],
  ['SUBSTR', 'nothing', '0', '1'],
  ['WAIT', '2', '5'],
  ['READWRITE'],
];

const compareScript = async (
  theirs: RawClient,
  mine: RawClient,
  script: readonly string[][],
): Promise<void> => {
  for (const entry of script) {
    const requests = entry.some((word) => word.includes(' ')) ? entry.map((r) => r.split(' ')) : [entry];
    const replies = await stepBoth(theirs, mine, requests);
    expect(replies.mine).toBe(replies.theirs);
  }
};

/** INFO stats' keyspace_hits and keyspace_misses lines. */
const lookups = (info: string): string[] =>
  info.split('\r\n').filter((l) => /^keyspace_(hits|misses):/.test(l));

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: TOUCH, SUBSTR, ROLE, READONLY, READWRITE, WAIT as redis-server 7.0',
  (transport) => {
    const both = useBothServers(transport, { ours: { workers: transport === 'hybrid' ? 2 : 6 } });

    it('answers the script byte for byte, in RESP2 and RESP3', async () => {
      const { theirs, mine } = both;
      for (const client of [theirs, mine]) await step(client, [['FLUSHALL']]);
      await compareScript(theirs, mine, SCRIPT);
      for (const client of [theirs, mine]) await step(client, [['HELLO', '3']]);
      await compareScript(theirs, mine, RESP3_SCRIPT);
      for (const client of [theirs, mine]) await step(client, [['HELLO', '2']]);
    });

    it('counts keyspace hits and misses of TOUCH as Redis does', async () => {
      const counted = async (client: RawClient): Promise<string[]> => {
        await step(client, [['FLUSHALL'], ['SET', 'a', '1'], ['CONFIG', 'RESETSTAT']]);
        await step(client, [
          ['TOUCH', 'a', 'b', 'a', 'c'],
          ['SUBSTR', 'a', '0', '0'],
        ]);
        return lookups(await step(client, [['INFO', 'stats']]));
      };
      const theirs = await counted(both.theirs);
      expect(theirs).toEqual(['keyspace_hits:3', 'keyspace_misses:2']);
      expect(await counted(both.mine)).toEqual(theirs);
    });

    it('blocks WAIT with no timeout until CLIENT UNBLOCK, as a blocked client', async () => {
      const script = async (port: number | null): Promise<string[]> => {
        const connect = () => (port === null ? both.ours.connect() : RawClient.connect(port));
        const [waiter, other] = [await connect(), await connect()];
        try {
          const id = (await step(waiter, [['CLIENT', 'ID']])).slice(1, -2);
          await waiter.send(resp('WAIT', '1', '0'));
          for (;;) {
            const info = await step(other, [['INFO', 'clients']]);
            if (info.includes('blocked_clients:1')) break;
          }
          const out = [await step(other, [['CLIENT', 'UNBLOCK', id]])];
          out.push(await step(waiter, [['PING']]));
          await waiter.send(resp('WAIT', '1', '0'));
          for (;;) {
            const info = await step(other, [['INFO', 'clients']]);
            if (info.includes('blocked_clients:1')) break;
          }
          out.push(await step(other, [['CLIENT', 'UNBLOCK', id, 'ERROR']]));
          out.push(await step(waiter, [['PING']]));
          out.push(await step(other, [['INFO', 'clients']]).then((i) => /blocked_clients:\d+/.exec(i)![0]));
          return out;
        } finally {
          waiter.destroy();
          other.destroy();
        }
      };
      expect(await script(null)).toEqual(await script(both.redis.port));
    });
  },
);
