// Redis's change count (server.dirty) against redis-server 7.0 where one client's requests cannot show it (the random
// suite is dirty-differential.test.ts): a blocked pop served by another client's push (BLPOP and BLMOVE served later
// count nothing, BLMPOP and BZPOPMIN their elements), a key that expired and was deleted on access (not counted in
// 7.0), CONFIG RESETSTAT (leaves the count), and FLUSHALL with save points set, which saves at once so the count
// starts again from 0. On every transport (the pool's and the hybrid's clients run on threads of their own, which
// share the count). Skipped without redis-server.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers, type BothServers } from '../support/both-servers.js';
import { LiveClient, type Arg } from '../support/live-harness.js';
import { transports } from '../support/server.js';

type Argv = readonly Arg[];

async function changes(client: LiveClient): Promise<number> {
  const info = (await client.call(['INFO', 'persistence'])).toString('latin1');
  const found = /rdb_changes_since_last_save:(\d+)\r\n/.exec(info);
  if (found === null) throw new Error('INFO persistence without rdb_changes_since_last_save');
  return Number(found[1]);
}

/** A second connection to each server of the pair. */
async function secondClients(both: BothServers): Promise<{ real: LiveClient; lite: LiveClient }> {
  return {
    real: await LiveClient.connect(both.redis.port),
    lite: new LiveClient(await both.ours.connect()),
  };
}

/**
 * `blocker` sends `blocking` and waits in it; once the server lists it as blocked, `pusher` sends `push`. The change
 * count's move over the push and the serving of the blocked client.
 */
async function servedLater(
  blocker: LiveClient,
  pusher: LiveClient,
  blocking: Argv,
  push: Argv,
): Promise<number> {
  const before = await changes(pusher);
  const reply = blocker.call(blocking);
  for (let round = 0; round < 10_000; round++) {
    const info = (await pusher.call(['INFO', 'clients'])).toString('latin1');
    if (/blocked_clients:1\r\n/.test(info)) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await pusher.call(push);
  await reply;
  return (await changes(pusher)) - before;
}

const BLOCKED_CASES: readonly { blocking: Argv; push: Argv }[] = [
  { blocking: ['BLPOP', 'q', '0'], push: ['RPUSH', 'q', 'a', 'b', 'c'] },
  { blocking: ['BLMOVE', 'q', 'dst', 'LEFT', 'RIGHT', '0'], push: ['RPUSH', 'q', 'a', 'b'] },
  { blocking: ['BLMPOP', '0', '1', 'q', 'LEFT', 'COUNT', '2'], push: ['RPUSH', 'q', 'a', 'b', 'c'] },
  { blocking: ['BZPOPMIN', 'z', '0'], push: ['ZADD', 'z', '1', 'a', '2', 'b'] },
  { blocking: ['BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '5'], push: ['ZADD', 'z', '1', 'a', '2', 'b'] },
];

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: the change count, as Redis counts it',
  (transport) => {
    describe('without save points', () => {
      const both = useBothServers(transport);

      it('counts a blocked pop served by another client as Redis does', async () => {
        const second = await secondClients(both);
        try {
          for (const { blocking, push } of BLOCKED_CASES) {
            const moved = async (blocker: LiveClient, pusher: LiveClient): Promise<number> => {
              await pusher.call(['FLUSHALL']);
              return servedLater(blocker, pusher, blocking, push);
            };
            const theirs = await moved(both.real, second.real);
            const ours = await moved(both.lite, second.lite);
            expect(`${blocking.join(' ')}: ${ours}`).toBe(`${blocking.join(' ')}: ${theirs}`);
          }
        } finally {
          await second.real.close();
          await second.lite.close();
        }
      });

      it('counts nothing for a key deleted because it expired, nor for CONFIG RESETSTAT', async () => {
        const moves = async (client: LiveClient): Promise<number[]> => {
          await client.call(['FLUSHALL']);
          const start = await changes(client);
          await client.call(['SET', 'k', 'v', 'PX', '1']);
          const set = await changes(client);
          // Read until the key is gone: the read that finds it expired deletes it (expireIfNeeded).
          for (let round = 0; round < 10_000; round++) {
            if ((await client.call(['EXISTS', 'k'])).toString('latin1') === ':0\r\n') break;
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
          const expired = await changes(client);
          await client.call(['CONFIG', 'RESETSTAT']);
          const reset = await changes(client);
          return [set - start, expired - set, reset - expired];
        };
        const theirs = await moves(both.real);
        expect(await moves(both.lite)).toEqual(theirs);
        expect(theirs).toEqual([1, 0, 0]);
      });
    });

    describe('with save points', () => {
      const both = useBothServers(transport, { settings: { save: '3600 1' }, ownDirs: true });

      it('FLUSHALL saves at once: the count starts again from 0', async () => {
        const after = async (client: LiveClient): Promise<number[]> => {
          await client.call(['SET', 'a', '1']);
          await client.call(['SET', 'b', '2']);
          const before = await changes(client);
          await client.call(['FLUSHALL']);
          return [before > 0 ? 1 : 0, await changes(client)];
        };
        expect(await after(both.lite)).toEqual(await after(both.real));
        expect(await after(both.lite)).toEqual([1, 0]);
      });
    });
  },
);
