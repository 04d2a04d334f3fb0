// With maxmemory set, the server cron maps the store's written arena by 2 MiB pages (store/huge-pages.ts), where
// eviction's samples land: its mapping holds huge pages for what was written. Runs where the native
// helper is built and the kernel can collapse pages (Linux 6.1+, transparent_hugepage `madvise`).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HUGE_PAGE_BYTES } from '../../src/core/store/huge-pages.js';
import { asHugePages } from '../../src/transport/threadpool/native-addon.js';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { until } from '../support/wait.js';

const native = loadNative();
const calls = native instanceof Error ? null : asHugePages(native);

/**
 * Whether this kernel collapses (one page of a scratch buffer tried), and would not have made huge pages anyway
 * (transparent_hugepage `always` faults them in itself: the test could not fail there).
 */
function canCollapse(): boolean {
  if (calls === null) return false;
  const mode = '/sys/kernel/mm/transparent_hugepage/enabled';
  if (!existsSync(mode) || readFileSync(mode, 'utf8').includes('[always]')) return false;
  const view = new Uint8Array(new SharedArrayBuffer(2 * HUGE_PAGE_BYTES)).fill(1);
  return calls.collapseHugePages(view, calls.hugePageOffset(view), HUGE_PAGE_BYTES) === 0;
}

/**
 * The most anonymous huge-page bytes in one mapping of this process (the in-process server's arena is one): the
 * probe's buffer, too small to be the one, may or may not be collected meanwhile.
 */
function largestHugeMapping(): number {
  const sizes = [...readFileSync('/proc/self/smaps', 'utf8').matchAll(/^AnonHugePages:\s+(\d+) kB/gm)];
  return Math.max(0, ...sizes.map((m) => Number(m[1]) * 1024));
}

describe.skipIf(!canCollapse())('arena huge pages', () => {
  const { ioredis } = useIoredisServer('eventloop', 1);

  it('with maxmemory set, the written arena is collapsed into huge pages by the cron', async () => {
    const client = await ioredis();
    await client.config('SET', 'maxmemory', '64mb');
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const value = 'v'.repeat(1000);
    const pipeline = client.pipeline();
    for (let i = 0; i < 10_000; i++) pipeline.set(`key:${i}`, value); // ~10 MB: at least 4 whole pages
    await pipeline.exec();
    await until(() => largestHugeMapping() >= 4 * HUGE_PAGE_BYTES, 'the arena is in huge pages');
    expect(largestHugeMapping()).toBeGreaterThanOrEqual(4 * HUGE_PAGE_BYTES);
  });
});
