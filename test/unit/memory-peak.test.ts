// used_memory_peak (Redis's stat_peak_memory) in the store: sampled by the server cron and INFO
// (recordMemoryPeak), and by the maxmemory check before every command (evict), which sees a spike that a
// command freed again before any cron tick; raised by a CAS, so a thread never lowers another's peak.

import { describe, expect, it } from 'vitest';
import { SharedStore } from '../../src/core/store/store.js';
import { b, setup } from '../support/store-fixture.js';

const BIG = Buffer.alloc(256 * 1024, 'x');
const used = (store: SharedStore): number => {
  const s = store.stats();
  return s.usedMemory + s.processBaselineBytes;
};

describe('memory peak', () => {
  it('is used_memory now until a sample records more', () => {
    const { store } = setup();
    expect(store.memoryPeak()).toBe(used(store));
    store.set(b('big'), BIG);
    const high = used(store);
    store.recordMemoryPeak(); // the cron's or INFO's sample
    store.del([b('big')]);
    expect(used(store)).toBeLessThan(high);
    expect(store.memoryPeak()).toBe(high);
  });

  it('is sampled by the maxmemory check before each command: a spike between two cron ticks is kept', () => {
    const { store } = setup();
    store.setEvictionSettings({ maxmemory: 1 << 30 });
    store.set(b('big'), BIG);
    const high = used(store);
    store.evict(); // the check before the next command (DEL) reads the arena
    store.del([b('big')]);
    store.evict();
    expect(store.memoryPeak()).toBe(high);
  });

  it('is raised by any thread and never lowered by another', () => {
    const { store } = setup();
    const other = SharedStore.attach(store.handles(), () => 0);
    store.set(b('big'), BIG);
    other.recordMemoryPeak();
    const high = used(store);
    store.del([b('big')]);
    store.recordMemoryPeak(); // lower now: leaves the other thread's peak
    expect(other.memoryPeak()).toBe(high);
    expect(store.memoryPeak()).toBe(high);
  });
});
