// The store while CLIENT PAUSE holds (store/client-pause.ts in its control header): the dataset stays still, as
// Redis 7.0's expireIfNeeded, activeExpireCycle and isSafeToPerformEvictions keep it. An expired key a read finds
// is reported missing but kept and not counted, the active cycle runs no step, and nothing is evicted nor refused
// over maxmemory; once the pause is over, all of it happens again. On a fake clock.
import { describe, expect, it } from 'vitest';
import { ClientPauseWords, PAUSE_WRITE } from '../../src/core/store/client-pause.js';
import { b, setup } from '../support/store-fixture.js';

function pausedStore() {
  const { store, clock } = setup({ segments: 16 });
  const pause = new ClientPauseWords(store.handles().control);
  return { store, clock, pause };
}

describe('the store under CLIENT PAUSE', () => {
  it('keeps an expired key a read finds, reporting it missing, until the pause is over', () => {
    const { store, clock, pause } = pausedStore();
    store.set(b('k'), b('v'), { expireAt: clock.now + 10 });
    pause.pause(PAUSE_WRITE, clock.now + 1000, clock.now);
    clock.now += 20;
    expect(store.get(b('k'))).toBeNull();
    expect(store.exists([b('k')])).toBe(0);
    expect(store.dbsize()).toBe(1);
    expect(store.stats().expiredKeys).toBe(0);
    expect(store.activeExpireCycle()).toBe(-1);
    expect(store.dbsize()).toBe(1);
    clock.now += 1000; // the pause's end has passed: it no longer holds, even before anyone clears it
    expect(store.get(b('k'))).toBeNull();
    expect(store.dbsize()).toBe(0);
    expect(store.stats().expiredKeys).toBe(1);
  });

  it('runs no active expiry step while paused, and does once unpaused', () => {
    const { store, clock, pause } = pausedStore();
    for (let i = 0; i < 50; i++) store.set(b(`k${i}`), b('v'), { expireAt: clock.now + 10 });
    pause.pause(PAUSE_WRITE, clock.now + 100_000, clock.now);
    clock.now += 20;
    expect(store.activeExpireCycle()).toBe(-1);
    expect(store.dbsize()).toBe(50);
    pause.unpause();
    expect(store.activeExpireCycle()).toBeGreaterThan(0);
  });

  it('neither evicts nor refuses over maxmemory while paused', () => {
    const { store, clock, pause } = pausedStore();
    const value = Buffer.alloc(200, 'v');
    for (let i = 0; i < 500; i++) store.set(b(`key:${i}`), value);
    store.setEvictionSettings({ 'maxmemory-eviction-tenacity': 100, 'maxmemory-policy': 'noeviction' });
    store.setEvictionSettings({ maxmemory: Math.floor(store.stats().usedMemory / 2) });
    pause.pause(PAUSE_WRITE, clock.now + 100_000, clock.now);
    expect(store.evict()).toEqual({ evicted: [], status: 'ok' });
    store.setEvictionSettings({ 'maxmemory-policy': 'allkeys-lru' });
    expect(store.evict()).toEqual({ evicted: [], status: 'ok' });
    expect(store.dbsize()).toBe(500);
    pause.unpause();
    expect(store.evict().status).toBe('ok');
    expect(store.dbsize()).toBeLessThan(500);
  });
});
