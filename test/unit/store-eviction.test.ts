// maxmemory in the store (eviction.ts, lfu.ts) on a fake clock: each policy's choice of victims (LRU keeps what was
// read recently, LFU what is read often, volatile-ttl takes the soonest to expire, volatile-* never touch a key
// without a TTL), the cap held however much is written, 'fail' when nothing may go, and the LFU counter's rules.
import { describe, expect, it } from 'vitest';
import { lfuDecayed, lfuFresh, lfuLogIncr, lfuMinutes, LFU_INIT_VAL } from '../../src/core/store/lfu.js';
import type { TableAccess } from '../../src/core/store/access.js';
import { arenaUsedBytes, type EvictionSettings } from '../../src/core/store/eviction.js';
import { b, setup } from '../support/store-fixture.js';

const VALUE = Buffer.alloc(200, 'v');

/** A store with `keys` keys of 200-byte values, then capped at `fraction` of what it holds. */
function filled(keys: number, settings: Partial<EvictionSettings>, ttl = false) {
  const { store, clock } = setup({ segments: 16 });
  // Unlimited time per eviction (tenacity 100), so one call gets under the limit whatever the machine's speed.
  store.setEvictionSettings({ 'maxmemory-eviction-tenacity': 100, ...settings });
  for (let i = 0; i < keys; i++) {
    store.set(b(`key:${i}`), VALUE, ttl ? { expireAt: clock.now + 1_000_000 + i * 1000 } : undefined);
  }
  const cap = (fraction: number) => {
    const used = store.stats().usedMemory;
    store.setEvictionSettings({ maxmemory: Math.floor(used * fraction) });
    return Math.floor(used * fraction);
  };
  return { store, clock, cap };
}

const survivors = (store: ReturnType<typeof setup>['store'], keys: string[]) =>
  keys.filter((k) => store.exists([b(k)]) === 1).length;

describe('eviction policies', () => {
  it('noeviction refuses once over the limit and evicts nothing', () => {
    const { store, cap } = filled(500, { 'maxmemory-policy': 'noeviction' });
    expect(store.evict().status).toBe('ok'); // no limit yet
    cap(0.5);
    expect(store.evict()).toEqual({ evicted: [], status: 'fail' });
    expect(store.dbsize()).toBe(500);
  });

  it('allkeys-lru evicts until under the limit and keeps the keys read recently', () => {
    const { store, clock, cap } = filled(2000, {
      'maxmemory-policy': 'allkeys-lru',
      'maxmemory-samples': 10,
    });
    clock.now += 100_000;
    store.refreshAccessClock();
    const hot = Array.from({ length: 100 }, (_, i) => `key:${i * 7}`);
    for (const k of hot) store.get(b(k));
    const limit = cap(0.5);
    const outcome = store.evict();
    expect(outcome.status).toBe('ok');
    expect(store.stats().usedMemory).toBeLessThanOrEqual(limit);
    expect(outcome.evicted.length).toBeGreaterThan(800);
    expect(store.stats().evictedKeys).toBe(outcome.evicted.length);
    expect(survivors(store, hot)).toBe(hot.length);
  });

  it('allkeys-lfu keeps the keys read often, and OBJECT FREQ counts the reads', () => {
    const { store, cap } = filled(2000, { 'maxmemory-policy': 'allkeys-lfu', 'maxmemory-samples': 10 });
    const hot = Array.from({ length: 100 }, (_, i) => `key:${i * 13}`);
    for (let round = 0; round < 50; round++) for (const k of hot) store.get(b(k));
    expect(store.object(b(hot[0]))?.frequency).toBeGreaterThan(LFU_INIT_VAL);
    cap(0.5);
    expect(store.evict().status).toBe('ok');
    expect(survivors(store, hot)).toBe(hot.length);
  });

  it('volatile-ttl takes the keys closest to expiring first', () => {
    const { store, cap } = filled(
      1000,
      { 'maxmemory-policy': 'volatile-ttl', 'maxmemory-samples': 10 },
      true,
    );
    cap(0.5);
    expect(store.evict().status).toBe('ok');
    const late = Array.from({ length: 100 }, (_, i) => `key:${900 + i}`);
    const early = Array.from({ length: 100 }, (_, i) => `key:${i}`);
    expect(survivors(store, late)).toBeGreaterThan(90);
    expect(survivors(store, early)).toBeLessThan(30); // sampled, as Redis's approximation
  });

  it('volatile-* never touch a key without a TTL, and fail when only such keys are left', () => {
    const { store, clock, cap } = filled(500, { 'maxmemory-policy': 'volatile-lru' });
    for (let i = 0; i < 100; i++) store.set(b(`ttl:${i}`), VALUE, { expireAt: clock.now + 60_000 });
    cap(0.5);
    const outcome = store.evict();
    expect(outcome.status).toBe('fail');
    expect(outcome.evicted.every(({ key }) => key.toString().startsWith('ttl:'))).toBe(true);
    expect(outcome.evicted).toHaveLength(100);
    expect(store.dbsize()).toBe(500);
  });

  it('without keys wanted, lists none but still tells the hook (the append-only file) every key it evicts', () => {
    for (const policy of ['allkeys-lru', 'allkeys-random'] as const) {
      const { store, cap } = filled(500, { 'maxmemory-policy': policy });
      const hooked: string[] = [];
      store.onEvicted((db, key) => hooked.push(`${db}:${key.toString()}`));
      const limit = cap(0.5);
      const outcome = store.evict(false);
      expect(outcome).toMatchObject({ evicted: [], status: 'ok' });
      expect(store.stats().usedMemory).toBeLessThanOrEqual(limit);
      expect(hooked).toHaveLength(store.stats().evictedKeys);
      expect(hooked.length).toBeGreaterThan(200);
      for (const key of hooked) expect(store.exists([b(key.slice(2))])).toBe(0);
      expect(store.dbsize()).toBe(500 - hooked.length);
    }
  });

  it('copies out no key for the hook while it wants none (the append-only file is off), and evicts the same', () => {
    const { store, cap } = filled(500, { 'maxmemory-policy': 'allkeys-lru' });
    const hooked: string[] = [];
    let wanted = false;
    store.onEvicted(
      (db, key) => hooked.push(`${db}:${key.toString()}`),
      () => wanted,
    );
    const limit = cap(0.5);
    expect(store.evict(false)).toMatchObject({ evicted: [], status: 'ok' });
    expect(store.stats().usedMemory).toBeLessThanOrEqual(limit);
    expect(store.stats().evictedKeys).toBeGreaterThan(200);
    expect(hooked).toEqual([]);
    // Wanted again: told of each key evicted from then on.
    wanted = true;
    const before = store.stats().evictedKeys;
    cap(0.25);
    store.evict(false);
    expect(hooked).toHaveLength(store.stats().evictedKeys - before);
    expect(hooked.length).toBeGreaterThan(0);
  });

  it('evicts on down to a batch below the limit, so the next small writes find room without evicting', () => {
    const { store, cap } = filled(2000, { 'maxmemory-policy': 'allkeys-lru' });
    const maxmemory = cap(0.5);
    const access = (store as unknown as { access: TableAccess }).access;
    const batch = Math.min(16 * 1024, (maxmemory - access.control.byteLength) / 100); // 1% here
    expect(store.evict(false).status).toBe('ok');
    expect(store.stats().usedMemory).toBeLessThanOrEqual(maxmemory - batch);
    const evicted = store.stats().evictedKeys;
    for (let i = 0; i < 5; i++) {
      store.set(b(`more:${i}`), VALUE); // 5 x ~250 bytes: less than the batch
      expect(store.evict(false)).toMatchObject({ evicted: [], status: 'ok' });
    }
    expect(store.stats().evictedKeys).toBe(evicted);
  });

  it('sums the arena as its segments count it (the check before every command)', () => {
    const { store } = filled(300, {});
    const access = (store as unknown as { access: TableAccess }).access;
    let bySegment = 0;
    for (let s = 0; s < access.segments; s++) bySegment += access.arena.usedBytes(s);
    expect(bySegment).toBeGreaterThan(300 * VALUE.length);
    expect(arenaUsedBytes(access)).toBe(bySegment);
    expect(arenaUsedBytes(access)).toBe(store.stats().usedMemory - access.control.byteLength);
  });

  it('evicts only live keys when the store changed under the samples it picked ahead', () => {
    const { store, cap } = filled(2000, { 'maxmemory-policy': 'allkeys-lru' });
    cap(0.9);
    expect(store.evict(false).status).toBe('ok'); // picks samples of db 0 ahead, and takes some
    // The picks' segments lose their keys, the indexes are rebuilt smaller, and the keys move to database 3.
    store.setEvictionSettings({ maxmemory: 0 });
    store.flushAll();
    const db3 = store.select(3);
    for (let i = 0; i < 400; i++) db3.set(b(`other:${i}`), VALUE);
    const limit = cap(0.5);
    const before = db3.dbsize();
    const outcome = db3.evict();
    expect(outcome.status).toBe('ok');
    expect(store.stats().usedMemory).toBeLessThanOrEqual(limit);
    expect(outcome.evicted.every(({ db, key }) => db === 3 && key.toString().startsWith('other:'))).toBe(
      true,
    );
    expect(new Set(outcome.evicted.map(({ key }) => key.toString())).size).toBe(outcome.evicted.length);
    expect(db3.dbsize()).toBe(before - outcome.evicted.length);
    expect(store.dbsize()).toBe(0);
  });

  it('allkeys-random and volatile-random hold the cap too', () => {
    for (const policy of ['allkeys-random', 'volatile-random'] as const) {
      const { store, cap } = filled(1000, { 'maxmemory-policy': policy }, true);
      const limit = cap(0.3);
      expect(store.evict().status).toBe('ok');
      expect(store.stats().usedMemory).toBeLessThanOrEqual(limit);
    }
  });
});

describe('LFU counter (evict.c)', () => {
  it('starts at LFU_INIT_VAL, climbs logarithmically and decays one per lfu-decay-time minutes', () => {
    const minutes = lfuMinutes(1_700_000_000_000);
    expect(lfuDecayed(lfuFresh(minutes), minutes, 1)).toBe(LFU_INIT_VAL);
    expect(lfuDecayed(lfuFresh(minutes), (minutes + 3) & 0xffff, 1)).toBe(LFU_INIT_VAL - 3);
    expect(lfuDecayed(lfuFresh(minutes), (minutes + 3) & 0xffff, 0)).toBe(LFU_INIT_VAL); // no decay
    expect(lfuDecayed(lfuFresh(65534), 1, 1)).toBe(LFU_INIT_VAL - 2); // the minute clock wraps (65535 - 65534 + 1)
    expect(lfuLogIncr(LFU_INIT_VAL, 10, 0.99)).toBe(LFU_INIT_VAL + 1); // p = 1 at the initial value
    expect(lfuLogIncr(15, 10, 0.5)).toBe(15); // p = 1 / 101
    expect(lfuLogIncr(15, 10, 0.005)).toBe(16);
    expect(lfuLogIncr(255, 10, 0)).toBe(255);
  });
});
