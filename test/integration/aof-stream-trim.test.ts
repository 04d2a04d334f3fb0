// A `~` trim in the append-only file, on every transport: XADD and XTRIM with MAXLEN ~ / MINID ~ (and LIMIT) are
// logged as Redis propagates them, `=` and the length or first ID they left (t_stream.c streamRewriteTrimArgument),
// so the stream replays to what it was even when the node size at replay differs: written with
// stream-node-max-entries 5 (set at run time, so the restart is back at 100), where replaying `~ 10` as sent
// would trim no whole node of 100 and leave every entry.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { lastIncrPath } from '../support/aof-dir.js';
import { withIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

function withServer<R>(
  transport: (typeof transports)[number],
  dir: string,
  work: (client: () => Promise<Redis>) => Promise<R>,
): Promise<R> {
  return withIoredisServer(transport, { workers: 4, config: { appendonly: 'yes', dir } }, work);
}

async function contents(c: Redis): Promise<unknown> {
  return {
    s: await c.xrange('s', '-', '+'),
    t: await c.xrange('t', '-', '+'),
    info: [await c.xlen('s'), await c.xlen('t')],
  };
}

describe.each(transports)('%s transport: `~` trims in the append-only file', (transport) => {
  it('logs XADD and XTRIM `~` as the exact trim they did, which replays the same at another node size', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-trim-'));
    const before = await withServer(transport, dir, async (client) => {
      const c = await client();
      await c.config('SET', 'stream-node-max-entries', '5');
      for (let i = 1; i <= 60; i++) await c.xadd('s', 'MAXLEN', '~', '10', `${i}-0`, 'f', `v${i}`);
      await c.xadd('s', 'MAXLEN', '~', '3', 'LIMIT', '5', '*', 'f', 'last');
      for (let i = 1; i <= 60; i++) await c.xadd('t', `${i}-0`, 'f', `v${i}`);
      expect(await c.xtrim('t', 'MINID', '~', '33-0')).toBeGreaterThan(0);
      expect(await c.call('XTRIM', 't', 'MAXLEN', '~', '12', 'LIMIT', '10')).toBeGreaterThan(0);
      return contents(c);
    });
    const file = readFileSync(lastIncrPath(dir), 'latin1');
    expect(file).not.toMatch(/\r\n~\r\n/);
    expect(file).not.toMatch(/\r\nLIMIT\r\n/);
    expect(file).toMatch(/\*8\r\n\$4\r\nXADD\r\n\$1\r\ns\r\n\$6\r\nMAXLEN\r\n\$1\r\n=\r\n\$2\r\n1\d\r\n/i);
    expect(file).toMatch(/\$5\r\nXTRIM\r\n\$1\r\nt\r\n\$5\r\nMINID\r\n\$1\r\n=\r\n\$4\r\n3\d-0\r\n/i);
    const after = await withServer(transport, dir, async (client) => contents(await client()));
    expect(after).toEqual(before);
  });
});
