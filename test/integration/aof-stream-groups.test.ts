// Consumer groups replayed from the append-only file, on every transport: what XREADGROUP (with and without
// NOACK), XCLAIM (TIME, RETRYCOUNT, a deleted entry, LASTID) and XAUTOCLAIM left (each pending entry's owner,
// delivery count and delivery time, each consumer's pending count, the group's last ID) is what the server has
// after a restart from the file they wrote, which holds the XCLAIMs Redis propagates in their place. Idle times
// only grow across the restart, by less than a minute: delivery times came through as they were (one set 30 s
// back by XCLAIM TIME), not as the replay's time nor as the clock the store holds at 0 while it loads (the wall
// clock: worker threads read no injected one). History reads are left out: Redis propagates nothing for them, so
// the delivery counts they raise are not in its file either.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { withIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const MINUTE = 60_000;

/** The groups' state, from XPENDING and XINFO, with the fields a replay keeps (not the consumers' seen times). */
async function groupsState(c: Redis) {
  const pending = (await c.xpending('s', 'g', '-', '+', 100)) as [string, string, number, number][];
  const groups = (await c.xinfo('GROUPS', 's')) as unknown[][];
  const consumers = (await c.xinfo('CONSUMERS', 's', 'g')) as unknown[][];
  const field = (list: unknown[], name: string): unknown => list[list.indexOf(name) + 1];
  return {
    pending,
    groups: groups.map((g) => ['name', 'consumers', 'pending', 'last-delivered-id'].map((f) => field(g, f))),
    consumers: consumers.map((k) => [field(k, 'name'), field(k, 'pending')]),
  };
}

describe.each(transports)('%s transport: consumer groups replayed from the append-only file', (transport) => {
  it('gives each pending entry its owner, delivery count and time, and the group its last ID', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-groups-'));
    const options = { workers: 4, config: { appendonly: 'yes', dir } };
    const before = await withIoredisServer(transport, options, async (client) => {
      const c = await client();
      for (let i = 1; i <= 8; i++) await c.xadd('s', `${i}-0`, 'f', `v${i}`);
      await c.xgroup('CREATE', 's', 'g', '0');
      await c.xreadgroup('GROUP', 'g', 'alice', 'COUNT', '3', 'STREAMS', 's', '>');
      await c.xreadgroup('GROUP', 'g', 'bob', 'COUNT', '1', 'NOACK', 'STREAMS', 's', '>');
      await c.xreadgroup('GROUP', 'g', 'carol', 'COUNT', '2', 'STREAMS', 's', '>');
      await c.call(
        'XCLAIM',
        's',
        'g',
        'dave',
        '0',
        '2',
        '2-0',
        'TIME',
        String(Date.now() - 30_000),
        'RETRYCOUNT',
        '5',
      );
      await c.xdel('s', '3-0');
      await c.call('XCLAIM', 's', 'g', 'dave', '0', '3-0');
      await c.call('XCLAIM', 's', 'g', 'dave', '0', '99-0', 'LASTID', '6-5');
      await c.xdel('s', '5-0');
      await c.call('XAUTOCLAIM', 's', 'g', 'erin', '0', '3-0', 'COUNT', '2');
      await c.xgroup('CREATECONSUMER', 's', 'g', 'frank');
      return groupsState(c);
    });
    // What this means to compare: entries with several owners, counts and delivery times, one gone from the PEL.
    const owners = (state: typeof before) => state.pending.map(([id, owner, , count]) => [id, owner, count]);
    expect(owners(before)).toEqual([
      ['1-0', 'alice', 1],
      ['2-0', 'dave', 5],
      ['6-0', 'erin', 2],
    ]);
    expect(before.pending[1][2]).toBeGreaterThanOrEqual(30_000);
    expect(before.groups).toEqual([['g', 6, 3, '6-5']]);
    const after = await withIoredisServer(transport, options, async (client) => groupsState(await client()));
    expect(owners(after)).toEqual(owners(before));
    for (let i = 0; i < before.pending.length; i++) {
      const [was, is] = [before.pending[i][2], after.pending[i][2]];
      expect(is).toBeGreaterThanOrEqual(was);
      expect(is).toBeLessThan(was + MINUTE);
    }
    expect(after.groups).toEqual(before.groups);
    expect(after.consumers).toEqual(before.consumers);
  });
});
