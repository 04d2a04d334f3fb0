// Streams through ioredis, in the forms BullMQ sends (its Lua scripts append job events with XADD key MAXLEN ~
// <max> * event <name> ..., its QueueEvents reads them with XREAD BLOCK <ms> STREAMS key <id>), on every
// transport: the XADD from a script and from the client, the blocked XREAD woken by another connection's XADD,
// and ioredis's own parsing of the replies.

import { describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

/** What BullMQ's addJob script does with its events stream (trimmed as it trims it). */
const ADD_EVENT = `return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'event', 'added', 'jobId', ARGV[2], 'name', 'job')`;

describe.each(transports)('%s transport: streams through ioredis', (transport) => {
  const fixture = useIoredisServer(transport, 8);

  it('appends events with XADD MAXLEN ~ * from a script and from the client, trimmed by whole nodes', async () => {
    const client = await fixture.ioredis();
    const ids: string[] = [];
    for (let i = 0; i < 250; i++)
      ids.push((await client.eval(ADD_EVENT, 1, 'q:events', '100', String(i))) as string);
    expect(ids.every((id) => /^\d+-\d+$/.test(id))).toBe(true);
    // 250 entries in nodes of 100: `~ 100` removes the first whole node only while 100 or more stay.
    expect(await client.xlen('q:events')).toBe(150);
    const id = await client.xadd('q:events', 'MAXLEN', '~', '100', '*', 'event', 'drained');
    expect(await client.xrevrange('q:events', '+', '-', 'COUNT', 1)).toEqual([[id, ['event', 'drained']]]);
    const [first] = await client.xrange('q:events', '-', '+', 'COUNT', 1);
    expect(first[1]).toEqual(['event', 'added', 'jobId', '100', 'name', 'job']);
  });

  it('XREAD BLOCK from the last ID is woken by an XADD on another connection', async () => {
    const [reader, writer] = [await fixture.ioredis(), await fixture.ioredis()];
    const last = (await writer.xadd('q:events', '*', 'event', 'waiting')) as string;
    const read = reader.xread('BLOCK', 10000, 'STREAMS', 'q:events', last);
    await waitForBlocked(writer);
    const id = (await writer.xadd('q:events', '*', 'event', 'completed', 'jobId', '7')) as string;
    expect(await read).toEqual([['q:events', [[id, ['event', 'completed', 'jobId', '7']]]]]);
    expect(await reader.xread('BLOCK', 20, 'STREAMS', 'q:events', id)).toBeNull();
  });
});

async function waitForBlocked(client: { info(section: string): Promise<string> }): Promise<void> {
  for (;;) {
    if (/blocked_clients:1\r\n/.test(await client.info('clients'))) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
