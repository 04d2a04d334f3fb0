// The store's databases (issue 10): one SharedStore seen through per-database views. Keys of one database are
// invisible to the others; DBSIZE, KEYS, SCAN, RANDOMKEY, FLUSHDB act on one; FLUSHALL and SWAPDB on the store;
// MOVE and COPY ... DB cross databases; WATCH follows a key in one database, and SWAPDB dirties watchers as
// Redis 7.0's touchAllWatchedKeysInDb does (each WATCH case below was checked against redis-server 7.0).
// The fake clock moves by hand.

import { describe, expect, it } from 'vitest';
import { ERR } from '../../src/core/errors.js';
import { SharedStore } from '../../src/core/store/store.js';
import type { KeyValueStore } from '../../src/core/store/types.js';
import { b, commandError, FakeClock, setup, str } from '../support/store-fixture.js';

const sorted = (keys: Buffer[]): (string | null)[] => keys.map(str).sort();

function allScanned(store: KeyValueStore): string[] {
  const keys: Buffer[] = [];
  let cursor = '0';
  do {
    const step = store.scan(cursor, 3);
    keys.push(...step.keys);
    cursor = step.cursor;
  } while (cursor !== '0');
  return sorted(keys) as string[];
}

describe('SharedStore databases', () => {
  it('has 16 by default, each view its own keyspace; select() out of range is a RangeError', () => {
    const { store } = setup();
    expect(store.databases).toBe(16);
    expect(store.db).toBe(0);
    const one = store.select(1);
    expect(one.db).toBe(1);
    expect(store.select(1)).toBe(one); // one view per database and thread
    store.set(b('k'), b('zero'));
    one.set(b('k'), b('one'));
    one.set(b('only1'), b('x'), { expireAt: 1e15 });
    expect(str(store.get(b('k')))).toBe('zero');
    expect(str(one.get(b('k')))).toBe('one');
    expect(store.exists([b('only1')])).toBe(0);
    expect([store.dbsize(), one.dbsize(), store.select(2).dbsize()]).toEqual([1, 2, 0]);
    expect(sorted(one.keys(b('*')))).toEqual(['k', 'only1']);
    expect(allScanned(store)).toEqual(['k']);
    expect(allScanned(one)).toEqual(['k', 'only1']);
    expect(str(store.select(2).randomKey())).toBeNull();
    for (let i = 0; i < 20; i++) expect(str(store.randomKey())).toBe('k');
    expect(store.stats()).toMatchObject({ keys: 3, expires: 1 });
    expect(store.keyspace()).toMatchObject([
      { db: 0, keys: 1, expires: 0 },
      { db: 1, keys: 2, expires: 1 },
    ]);
    expect(() => store.select(16)).toThrow(RangeError);
    expect(() => store.select(-1)).toThrow(RangeError);
    const clock = new FakeClock();
    expect(SharedStore.create({ clock: clock.read, databases: 3 }).databases).toBe(3);
    expect(() => SharedStore.create({ clock: clock.read, databases: 0 })).toThrow(RangeError);
    expect(() => SharedStore.create({ clock: clock.read, databases: 16385 })).toThrow(RangeError);
  });

  it('another thread attaching sees every database', () => {
    const { store, clock } = setup();
    const other = SharedStore.attach(structuredClone(store.handles()), clock.read);
    expect(other.databases).toBe(16);
    store.select(7).set(b('k'), b('seven'));
    expect(str(other.select(7).get(b('k')))).toBe('seven');
    expect(other.get(b('k'))).toBeNull();
    other.swapDb(0, 7);
    expect(str(store.get(b('k')))).toBe('seven');
  });

  it('FLUSHDB empties one database, FLUSHALL all; freed memory comes back', () => {
    const { store } = setup();
    const one = store.select(1);
    const empty = store.stats().usedMemory;
    for (let i = 0; i < 2000; i++) store.set(b(`a${i}`), b('v'));
    for (let i = 0; i < 2000; i++) one.set(b(`b${i}`), b('v'), { expireAt: 1e15 });
    one.flushDb(); // other databases hold keys: the slow path, entry by entry
    expect([store.dbsize(), one.dbsize()]).toEqual([2000, 0]);
    expect(store.stats()).toMatchObject({ keys: 2000, expires: 0 });
    expect(str(store.get(b('a1999')))).toBe('v');
    expect(one.get(b('b1'))).toBeNull();
    one.set(b('b1'), b('again'));
    expect(str(one.get(b('b1')))).toBe('again');
    one.flushDb();
    store.flushDb(); // the only database with keys: a reset
    expect(store.stats()).toMatchObject({ keys: 0, expires: 0, usedMemory: empty });
    store.set(b('x'), b('1'));
    one.set(b('y'), b('1'));
    store.select(15).set(b('z'), b('1'));
    store.flushAll();
    expect(store.keyspace()).toEqual([]);
    expect(store.stats().usedMemory).toBe(empty);
  });

  it('SWAPDB exchanges contents, expiries and counts; views keep their numbers', () => {
    const { store, clock } = setup();
    const [zero, one, two] = [store, store.select(1), store.select(2)];
    zero.set(b('k'), b('zero'), { expireAt: clock.now + 1000 });
    for (let i = 0; i < 500; i++) one.set(b(`m${i}`), b('one'));
    zero.swapDb(0, 1);
    expect(zero.dbsize()).toBe(500);
    expect(str(zero.get(b('m7')))).toBe('one');
    expect(str(one.get(b('k')))).toBe('zero');
    expect(one.pttl(b('k'))).toBe(1000);
    expect(store.keyspace()).toMatchObject([
      { db: 0, keys: 500, expires: 0 },
      { db: 1, keys: 1, expires: 1 },
    ]);
    // Writes after the swap land in the database the number now names.
    zero.set(b('after'), b('0'));
    one.del([b('k')]);
    two.swapDb(2, 2); // a database with itself: nothing changes
    zero.swapDb(1, 0);
    expect(str(one.get(b('after')))).toBe('0');
    expect(zero.dbsize()).toBe(0);
    expect(one.dbsize()).toBe(501);
    // Active expiry reaches every database, swapped or not.
    two.set(b('t'), b('x'), { expireAt: clock.now + 10 });
    one.set(b('t'), b('x'), { expireAt: clock.now + 10 });
    two.swapDb(2, 9);
    clock.now += 11;
    let removed = 0;
    for (let i = 0; i < 10 && removed < 2; i++) removed += store.activeExpireCycle();
    expect(removed).toBe(2);
    expect(store.stats()).toMatchObject({ keys: 501, expires: 0, expiredKeys: 2 });
  });

  it('MOVE relinks a key, TTL and all, into another database', () => {
    const { store, clock } = setup();
    const one = store.select(1);
    store.set(b('k'), b('v'), { expireAt: clock.now + 5000 });
    const used = store.stats().usedMemory;
    expect(store.move(b('k'), 1)).toBe(true);
    expect(store.exists([b('k')])).toBe(0);
    expect(str(one.get(b('k')))).toBe('v');
    expect(one.pttl(b('k'))).toBe(5000);
    expect(store.keyspace()).toMatchObject([{ db: 1, keys: 1, expires: 1 }]);
    expect(store.stats().usedMemory - used).toBeLessThanOrEqual(64); // db 1's first index, nothing copied
    expect(store.move(b('k'), 1)).toBe(false); // missing here
    store.set(b('k'), b('other'));
    expect(store.move(b('k'), 1)).toBe(false); // taken there
    expect(str(store.get(b('k')))).toBe('other');
    // An expired key in the target counts as missing, and is deleted on the way.
    one.set(b('k'), b('old'), { expireAt: clock.now + 1 });
    clock.now += 2;
    expect(store.move(b('k'), 1)).toBe(true);
    expect(str(one.get(b('k')))).toBe('other');
    expect(store.stats().expiredKeys).toBe(1);
    expect(commandError(() => store.move(b('k'), 0))).toBe(ERR.sameObject);
  });

  it('COPY ... DB copies into another database, the same name allowed there', () => {
    const { store, clock } = setup();
    const three = store.select(3);
    store.set(b('k'), b('v'), { expireAt: clock.now + 100 });
    expect(store.copy(b('k'), b('k'), false, 3)).toBe(true);
    expect(str(three.get(b('k')))).toBe('v');
    expect(three.pttl(b('k'))).toBe(100);
    expect(str(store.get(b('k')))).toBe('v');
    three.set(b('k'), b('mine'));
    expect(store.copy(b('k'), b('k'), false, 3)).toBe(false);
    expect(store.copy(b('k'), b('k'), true, 3)).toBe(true);
    expect(str(three.get(b('k')))).toBe('v');
    expect(commandError(() => store.copy(b('k'), b('k'), true, 0))).toBe(ERR.sameObject);
    expect(commandError(() => three.copy(b('k'), b('k'), true))).toBe(ERR.sameObject);
  });

  it('a database that never had a key gets its index on the first write, all or nothing under OOM', () => {
    const { store } = setup({ initialBytes: 64 * 1024, maxBytes: 64 * 1024 });
    const five = store.select(5);
    let i = 0;
    for (const size of [200, 1]) {
      // Large values, then 6-unit entries into what is left: no room for an 8-unit index remains.
      for (;;) {
        try {
          store.set(b(`fill${i++}`), Buffer.alloc(size));
        } catch {
          break;
        }
      }
    }
    const before = store.stats();
    // No room for db 5's index: MOVE and MSET fail whole, nothing half done.
    expect(commandError(() => store.move(b('fill0'), 5))).toBe(ERR.oom);
    expect(commandError(() => five.mset([b('a'), b('1'), b('b'), b('2')], false))).toBe(ERR.oom);
    expect(store.stats()).toMatchObject({ keys: before.keys, usedMemory: before.usedMemory });
    expect(str(store.get(b('fill0')))).not.toBeNull();
    expect(five.dbsize()).toBe(0);
    store.flushAll();
    store.set(b('k'), b('v'));
    expect(store.move(b('k'), 5)).toBe(true);
    expect(five.dbsize()).toBe(1);
  });
});

/** WATCH key in `db`, run `between`, then ask (as EXEC does, every segment locked) whether it changed. */
function watchOutcome(
  store: KeyValueStore,
  db: number,
  setupFn: () => void,
  between: () => void,
): 'changed' | 'unchanged' {
  store.flushAll();
  setupFn();
  const view = store.select(db);
  view.countWatcher(1);
  const watch = view.watchKey(b('k'));
  between();
  const changed = store.transaction(null, (locked) => locked.select(db).watchedKeyChanged(b('k'), watch));
  view.unwatchKey(watch);
  view.countWatcher(-1);
  return changed ? 'changed' : 'unchanged';
}

describe('WATCH and databases (Redis 7.0: key and db; SWAPDB/FLUSHDB as touchAllWatchedKeysInDb)', () => {
  const { store, clock } = setup();
  const [zero, one] = [store, store.select(1)];
  const live = (s: KeyValueStore) => () => s.set(b('k'), b('v'));
  const expired = (s: KeyValueStore) => () => {
    s.set(b('k'), b('v'), { expireAt: clock.now + 1 });
    clock.now += 2;
  };
  const nothing = () => undefined;
  const both =
    (...fns: (() => void)[]) =>
    () =>
      fns.forEach((f) => f());
  const swap01 = () => store.swapDb(0, 1);

  it.each([
    // [case, setup, between, outcome] for a watch of k in db 0
    ['missing; SWAPDB with a db without k', nothing, swap01, 'unchanged'],
    ['missing; SWAPDB with a db holding k', live(one), swap01, 'changed'],
    ['missing; SWAPDB with a db holding k expired', expired(one), swap01, 'unchanged'],
    ['live; SWAPDB with a db without k', live(zero), swap01, 'changed'],
    ['live; SWAPDB with a db holding k', both(live(zero), live(one)), swap01, 'changed'],
    ['live; SWAPDB there and back', live(zero), both(swap01, swap01), 'changed'],
    ['live; SWAPDB of two other databases', live(zero), () => store.swapDb(2, 3), 'unchanged'],
    ['expired; SWAPDB with a db without k', expired(zero), swap01, 'unchanged'],
    ['expired; SWAPDB with a db holding k expired', both(expired(zero), expired(one)), swap01, 'unchanged'],
    ['expired; SWAPDB with a db holding k live', both(expired(zero), live(one)), swap01, 'changed'],
    ['missing; SWAPDB, then k written in db 0', nothing, both(swap01, live(zero)), 'changed'],
    ['missing; SWAPDB, then k written in db 1', nothing, both(swap01, live(one)), 'unchanged'],
    ['missing; FLUSHDB', nothing, () => zero.flushDb(), 'unchanged'],
    ['live; FLUSHDB of db 1', both(live(zero), live(one)), () => one.flushDb(), 'unchanged'],
    ['live; FLUSHDB', live(zero), () => zero.flushDb(), 'changed'],
    ['expired; FLUSHDB', expired(zero), () => zero.flushDb(), 'unchanged'],
    ['expired; FLUSHALL', expired(zero), () => zero.flushAll(), 'unchanged'],
    ['live; k written in db 1', live(zero), live(one), 'unchanged'],
    ['live; MOVE k 1', live(zero), () => zero.move(b('k'), 1), 'changed'],
    ['missing; MOVE k from db 1 into it', live(one), () => one.move(b('k'), 0), 'changed'],
    ['missing; COPY k k DB 0 from db 1', live(one), () => one.copy(b('k'), b('k'), false, 0), 'changed'],
  ] as const)('%s', (_name, setupFn, between, outcome) => {
    expect(watchOutcome(store, 0, setupFn, between)).toBe(outcome);
  });

  it('a watch follows its database number through any number of swaps', () => {
    expect(
      watchOutcome(store, 1, nothing, () => {
        store.swapDb(1, 4);
        store.swapDb(4, 9);
        store.swapDb(1, 9);
        store.select(4).set(b('k'), b('elsewhere'));
        store.select(1).set(b('k'), b('here'));
      }),
    ).toBe('changed');
    expect(
      watchOutcome(store, 1, nothing, () => {
        store.swapDb(1, 4);
        store.swapDb(4, 9);
        store.select(4).set(b('k'), b('elsewhere'));
        store.select(9).set(b('k'), b('elsewhere'));
      }),
    ).toBe('unchanged');
  });
});
