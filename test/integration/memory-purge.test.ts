// MEMORY PURGE on every transport, on a real socket: it answers +OK as Redis 7.0 does, and after a load that left
// garbage behind (a pipeline of writes, a KEYS reply of every key, the keys flushed) the process's resident set
// after the purge (INFO used_memory_rss) is no larger than before it: the thread's GC and malloc_trim gave back
// what was freed (transport/memory-purge.ts).

import { afterEach, describe, expect, it } from 'vitest';
import { resp, type RawClient } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

const KEYS = 5000;

async function rss(client: RawClient): Promise<number> {
  await client.send(resp('INFO', 'memory'));
  const rss = /\r\nused_memory_rss:(\d+)\r\n/.exec(await client.readBulk())?.[1];
  if (rss === undefined) throw new Error('INFO memory has no used_memory_rss');
  return Number(rss);
}

/** Writes KEYS keys of 1 KB in one pipeline, lists them all, then flushes them: garbage on the serving thread. */
async function leaveGarbage(client: RawClient): Promise<void> {
  const value = 'v'.repeat(1024);
  const pipeline = Buffer.concat(Array.from({ length: KEYS }, (_, i) => resp('SET', `key:${i}`, value)));
  await client.request(pipeline, '+OK\r\n'.length * KEYS);
  await client.send(resp('KEYS', '*'));
  const header = await client.readLine();
  expect(header).toBe(`*${KEYS}\r\n`);
  for (let i = 0; i < KEYS; i++) await client.readBulk();
  expect(await client.request(resp('FLUSHALL'), '+OK\r\n')).toBe('+OK\r\n');
}

describe.each(transports)('%s transport: MEMORY PURGE', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('answers +OK and leaves the resident set no larger than before', async () => {
    server = await startTestServer(transport, { workers: 2 });
    const client = await server.connect();
    await leaveGarbage(client);
    const before = await rss(client);
    expect(await client.request(resp('MEMORY', 'PURGE'), '+OK\r\n')).toBe('+OK\r\n');
    const after = await rss(client);
    expect(after).toBeLessThanOrEqual(before);
  });
});
