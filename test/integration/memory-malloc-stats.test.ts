// MEMORY MALLOC-STATS on every transport: the arena's report, whose figures agree with INFO's allocator fields
// (touched is allocator_active less the control buffer, live is allocator_allocated less it), and whose free
// blocks by size add up to the free bytes it reports, on the segments' own lists and the shared ones. Written
// with more values than the segments keep for themselves, then deleted, so both kinds of list hold blocks.
import { afterEach, describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

function field(text: string, pattern: RegExp): number {
  const match = pattern.exec(text);
  if (match === null) throw new Error(`${String(pattern)} not in:\n${text}`);
  return Number(match[1]);
}

describe.each(transports)('%s transport: MEMORY MALLOC-STATS', (transport) => {
  const fixture = useIoredisServer(transport, 2);

  afterEach(async () => (await fixture.ioredis()).flushall());

  it("reports the arena's live, touched and free bytes, by block size and list", async () => {
    const client = await fixture.ioredis();
    const pipeline = client.pipeline();
    for (let i = 0; i < 3000; i++) pipeline.set(`key:${i}`, 'v'.repeat(1000));
    for (let i = 0; i < 3000; i += 2) pipeline.del(`key:${i}`);
    await pipeline.exec();

    const report = String(await client.call('MEMORY', 'MALLOC-STATS'));
    const info = await client.info('memory');
    const touched = field(report, /^touched: (\d+)/m);
    const live = field(report, /^live: (\d+)/m);
    const ownFree = field(report, /^free: (\d+) on the segments' own lists/m);
    const sharedFree = field(report, /, (\d+) on the shared lists$/m);
    const control = field(info, /^allocator_active:(\d+)/m) - touched;
    expect(control).toBeGreaterThan(0);
    expect(field(info, /^allocator_allocated:(\d+)/m)).toBe(live + control);
    expect(field(info, /^arena_free_segments:(\d+)/m)).toBe(ownFree);
    expect(field(info, /^arena_free_shared:(\d+)/m)).toBe(sharedFree);
    expect(live + ownFree + sharedFree + 8).toBe(touched); // unit 0 is never handed out
    expect(sharedFree).toBeGreaterThan(0);

    const bySize = [
      ...report.matchAll(/^ {2}\d+: \d+ blocks, (\d+) bytes; shared (\d+), segments (\d+) in \d+$/gm),
    ];
    expect(bySize.length).toBeGreaterThan(0);
    expect(bySize.reduce((n, m) => n + Number(m[1]), 0)).toBe(ownFree + sharedFree);
    expect(bySize.reduce((n, m) => n + Number(m[2]), 0)).toBe(sharedFree);
    const bySegment = report.split('Free bytes by segment')[1];
    const segments = [...bySegment.matchAll(/^ {2}\d+: (\d+)$/gm)];
    expect(segments.reduce((n, m) => n + Number(m[1]), 0)).toBe(ownFree);
  });

  it('MEMORY HELP lists it, other subcommands are unknown', async () => {
    const client = await fixture.ioredis();
    const help = (await client.call('MEMORY', 'HELP')) as string[];
    expect(help[0]).toBe('MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toContain('MALLOC-STATS');
    await expect(client.call('MEMORY', 'NOPE')).rejects.toThrow(/unknown subcommand 'NOPE'/i);
  });
});
