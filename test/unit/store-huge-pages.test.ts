// The arena's 2 MiB pages (store/huge-pages.ts): with fake native calls, the pacer collapses only whole pages of the
// bytes the arena has handed out, from the first address-aligned one, at most the step's count, each once; it
// stops for good when the kernel cannot collapse, retries a busy page, and moves past a page it had no huge page
// for. With the native helper built, the real calls collapse a written buffer without changing its bytes.

import { describe, expect, it } from 'vitest';
import { ArenaHugePages, HUGE_PAGE_BYTES, type HugePageCalls } from '../../src/core/store/huge-pages.js';
import { asHugePages } from '../../src/transport/threadpool/native-addon.js';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { b, setup } from '../support/store-fixture.js';

const MB = 1024 * 1024;

/** Fake calls: the buffer's 2 MiB boundary at `offset`, each collapse recorded and answered from `answers`. */
function fakeCalls(offset: number, answers: number[] = []) {
  const collapsed: [number, number][] = [];
  const calls: HugePageCalls = {
    hugePageOffset: () => offset,
    collapseHugePages: (view, from, length) => {
      expect(from + length).toBeLessThanOrEqual(view.length);
      collapsed.push([from, length]);
      return answers.shift() ?? 0;
    },
  };
  return { calls, collapsed };
}

const buffer = new SharedArrayBuffer(16 * MB);

describe('ArenaHugePages', () => {
  it('collapses whole pages of the written bytes from the aligned offset, a step at a time, each once', () => {
    const { calls, collapsed } = fakeCalls(MB / 2);
    const pages = new ArenaHugePages(calls);
    // Written: 7 MiB, so the pages at 0.5, 2.5 and 4.5 MiB fit whole; the one at 6.5 MiB does not yet.
    expect(pages.step(buffer, 7 * MB, 2)).toBe(2);
    expect(collapsed).toEqual([
      [MB / 2, HUGE_PAGE_BYTES],
      [MB / 2 + HUGE_PAGE_BYTES, HUGE_PAGE_BYTES],
    ]);
    expect(pages.step(buffer, 7 * MB, 4)).toBe(1);
    expect(pages.step(buffer, 7 * MB, 4)).toBe(0);
    expect(collapsed.map(([from]) => from)).toEqual([MB / 2, MB / 2 + 2 * MB, MB / 2 + 4 * MB]);
    // More written: the walk goes on where it stopped.
    expect(pages.step(buffer, 9 * MB, 4)).toBe(1);
    expect(collapsed.at(-1)).toEqual([MB / 2 + 6 * MB, HUGE_PAGE_BYTES]);
    expect(pages.collapsed).toBe(4);
  });

  it('stops for good when the kernel cannot collapse (EINVAL)', () => {
    const { calls, collapsed } = fakeCalls(0, [22]);
    const pages = new ArenaHugePages(calls);
    expect(pages.step(buffer, 8 * MB, 4)).toBe(0);
    expect(pages.supported).toBe(false);
    expect(pages.step(buffer, 8 * MB, 4)).toBe(0);
    expect(collapsed).toHaveLength(1);
  });

  it('tries a busy page (EAGAIN) again at the next step, and moves past one with no huge page (ENOMEM)', () => {
    const { calls, collapsed } = fakeCalls(0, [11, 0, 12]);
    const pages = new ArenaHugePages(calls);
    expect(pages.step(buffer, 8 * MB, 4)).toBe(0); // EAGAIN on page 0: the step ends
    expect(pages.step(buffer, 8 * MB, 4)).toBe(1); // page 0 collapsed, then ENOMEM on page 1 ends the step
    expect(pages.step(buffer, 8 * MB, 4)).toBe(2); // pages 4 and 6: page 2 is left as it is
    expect(collapsed.map(([from]) => from / MB)).toEqual([0, 0, 2, 4, 6]);
    expect(pages.refused).toBe(1);
    expect(pages.supported).toBe(true);
  });

  it("walks a store's arena only as far as its bump pointer has handed bytes out", () => {
    const { store } = setup({ segments: 4 });
    const value = Buffer.alloc(1000, 'v');
    for (let i = 0; i < 5000; i++) store.set(b(`key:${i}`), value); // ~5 MB
    const written = store.freeListReport().touchedBytes;
    const { calls, collapsed } = fakeCalls(0);
    const pages = new ArenaHugePages(calls);
    store.collapseArenaPages(pages, 100);
    expect(collapsed.length).toBe(Math.floor(written / HUGE_PAGE_BYTES));
    expect(collapsed.length).toBeGreaterThanOrEqual(2);
  });
});

const native = loadNative();
const real = native instanceof Error ? null : asHugePages(native);

describe.skipIf(real === null)('the native huge-page calls', () => {
  it('collapse written pages without changing their bytes, or say why not', () => {
    const calls = real!;
    const memory = new SharedArrayBuffer(8 * MB, { maxByteLength: 64 * MB });
    const view = new Uint8Array(memory);
    for (let i = 0; i < view.length; i += 4096) view[i] = (i >>> 12) & 0xff;
    const offset = calls.hugePageOffset(view);
    expect(offset % 4096).toBe(0);
    expect(offset).toBeLessThan(HUGE_PAGE_BYTES);
    const error = calls.collapseHugePages(view, offset, HUGE_PAGE_BYTES);
    // 0 where Linux 6.1+ collapses; EINVAL/ENOSYS where it cannot; EAGAIN/ENOMEM when it could not now.
    expect([0, 11, 12, 22, 38]).toContain(error);
    for (let i = 0; i < view.length; i += 4096) expect(view[i]).toBe((i >>> 12) & 0xff);
    expect(() => calls.collapseHugePages(view, 0, 9 * MB)).toThrow(/outside the view/);
  });
});
