// SharedStore on one thread: every operation's Redis semantics, expiry on a fake clock (lazy and active),
// growth of the index and the arena, binary keys, free-list reuse and SCAN's guarantee across growth.
import { describe, expect, it } from 'vitest';
import { ERR } from '../../src/core/errors.js';
import { toLongDouble } from '../../src/core/args.js';
import { SharedStore } from '../../src/core/store/store.js';
import { b, commandError, FakeClock, setup, str } from '../support/store-fixture.js';

describe('SharedStore strings', () => {
  it('GET/SET round-trip and overwrite', () => {
    const { store } = setup();
    expect(store.get(b('k'))).toBeNull();
    expect(store.set(b('k'), b('v1'))).toEqual({ written: true, old: null });
    expect(str(store.get(b('k')))).toBe('v1');
    store.set(b('k'), b('a much longer value than before, to force a new block'));
    expect(str(store.get(b('k')))).toBe('a much longer value than before, to force a new block');
    store.set(b('k'), b(''));
    expect(str(store.get(b('k')))).toBe('');
    expect(store.dbsize()).toBe(1);
  });

  it('SET NX / XX / GET / KEEPTTL', () => {
    const { store, clock } = setup();
    expect(store.set(b('k'), b('1'), { condition: 'XX' }).written).toBe(false);
    expect(store.get(b('k'))).toBeNull();
    expect(store.set(b('k'), b('1'), { condition: 'NX' }).written).toBe(true);
    expect(store.set(b('k'), b('2'), { condition: 'NX', returnOld: true })).toEqual({
      written: false,
      old: b('1'),
    });
    expect(store.set(b('k'), b('3'), { condition: 'XX', returnOld: true })).toEqual({
      written: true,
      old: b('1'),
    });
    expect(store.set(b('missing'), b('x'), { returnOld: true })).toEqual({ written: true, old: null });
    store.set(b('k'), b('4'), { expireAt: clock.now + 1000 });
    expect(store.pttl(b('k'))).toBe(1000);
    store.set(b('k'), b('5'), { keepTtl: true });
    expect(store.pttl(b('k'))).toBe(1000);
    store.set(b('k'), b('6'));
    expect(store.pttl(b('k'))).toBe(-1);
    expect(store.stats().expires).toBe(0);
  });

  it('GETDEL and GETEX', () => {
    const { store, clock } = setup();
    store.set(b('k'), b('v'));
    expect(str(store.getEx(b('k'), undefined))).toBe('v');
    expect(str(store.getEx(b('k'), { expireAt: clock.now + 500 }))).toBe('v');
    expect(store.pttl(b('k'))).toBe(500);
    expect(str(store.getEx(b('k'), { persist: true }))).toBe('v');
    expect(store.pttl(b('k'))).toBe(-1);
    expect(str(store.getEx(b('k'), { expireAt: clock.now }))).toBe('v'); // not in the future: deleted
    expect(store.get(b('k'))).toBeNull();
    expect(store.getEx(b('k'), { persist: true })).toBeNull();
    store.set(b('k'), b('v'));
    expect(str(store.getDel(b('k')))).toBe('v');
    expect(store.getDel(b('k'))).toBeNull();
    expect(store.dbsize()).toBe(0);
  });

  it('MGET / MSET / MSETNX', () => {
    const { store } = setup();
    expect(store.mset([b('a'), b('1'), b('b'), b('2'), b('a'), b('3')], false)).toBe(true);
    expect(store.mget([b('a'), b('b'), b('c'), b('a')]).map(str)).toEqual(['3', '2', null, '3']);
    expect(store.mset([b('c'), b('x'), b('a'), b('y')], true)).toBe(false);
    expect(store.get(b('c'))).toBeNull();
    expect(store.mset([b('c'), b('x'), b('d'), b('y')], true)).toBe(true);
    expect(store.mget([b('c'), b('d')]).map(str)).toEqual(['x', 'y']);
  });

  it('MSET clears a TTL', () => {
    const { store, clock } = setup();
    store.set(b('a'), b('1'), { expireAt: clock.now + 10 });
    store.mset([b('a'), b('2')], false);
    expect(store.pttl(b('a'))).toBe(-1);
  });

  it('APPEND grows in place with slack, STRLEN', () => {
    const { store, clock } = setup();
    expect(store.append(b('k'), b('Hello'))).toBe(5);
    expect(store.append(b('k'), b(' World'))).toBe(11);
    expect(str(store.get(b('k')))).toBe('Hello World');
    expect(store.strlen(b('k'))).toBe(11);
    expect(store.strlen(b('nope'))).toBe(0);
    store.expireAt(b('k'), clock.now + 100);
    let expected = 'Hello World';
    const before = store.stats().usedMemory;
    for (let i = 0; i < 200; i++) {
      expected += `-${i}`;
      store.append(b('k'), b(`-${i}`));
    }
    expect(str(store.get(b('k')))).toBe(expected);
    expect(store.pttl(b('k'))).toBe(100); // APPEND keeps the TTL
    // Doubling capacity: far fewer reallocations than appends, and the block is at most ~2x the value.
    expect(store.stats().usedMemory - before).toBeLessThan(expected.length * 2 + 64);
  });

  it('APPEND past the size limit fails', () => {
    const clock = new FakeClock();
    const store = SharedStore.create({ clock: clock.read, maxValueBytes: 10 });
    store.set(b('k'), b('12345'));
    expect(commandError(() => store.append(b('k'), b('678901')))).toBe(ERR.stringTooLong);
    expect(str(store.get(b('k')))).toBe('12345');
    expect(store.append(b('k'), b('67890'))).toBe(10);
    // The limit lives in shared memory: a change reaches every attached thread.
    const other = SharedStore.attach(store.handles(), clock.read);
    store.setMaxValueBytes(12);
    expect(other.append(b('k'), b('12'))).toBe(12);
    expect(commandError(() => other.setRange(b('k'), 12, b('x')))).toBe(ERR.stringTooLong);
  });

  it('INCRBY: missing is 0, TTL kept, strict integers, overflow', () => {
    const { store, clock } = setup();
    expect(store.incrBy(b('n'), 1n)).toBe(1n);
    expect(store.incrBy(b('n'), -11n)).toBe(-10n);
    expect(str(store.get(b('n')))).toBe('-10');
    store.expireAt(b('n'), clock.now + 100);
    expect(store.incrBy(b('n'), 5n)).toBe(-5n);
    expect(store.pttl(b('n'))).toBe(100);
    for (const bad of ['', ' 1', '1 ', '01', '+1', '1.0', 'abc', '-0', '99999999999999999999']) {
      store.set(b('bad'), b(bad));
      expect(commandError(() => store.incrBy(b('bad'), 1n))).toBe(ERR.notInteger);
      expect(str(store.get(b('bad')))).toBe(bad);
    }
    store.set(b('max'), b('9223372036854775807'));
    expect(commandError(() => store.incrBy(b('max'), 1n))).toBe(ERR.overflow);
    store.set(b('min'), b('-9223372036854775808'));
    expect(commandError(() => store.incrBy(b('min'), -1n))).toBe(ERR.overflow);
    expect(store.incrBy(b('min'), 1n)).toBe(-9223372036854775807n);
  });

  it('INCRBYFLOAT in long double, formatted as Redis 7.0 stores it', () => {
    // Expected texts read from redis-server 7.0.15.
    const ld = (s: string) => toLongDouble(b(s));
    const { store } = setup();
    expect(str(store.incrByFloat(b('f'), ld('10.5')))).toBe('10.5');
    expect(str(store.incrByFloat(b('f'), ld('0.1')))).toBe('10.6');
    store.set(b('g'), b('5.0e3'));
    expect(str(store.incrByFloat(b('g'), ld('0')))).toBe('5000');
    store.set(b('h'), b('3.0e3'));
    expect(str(store.incrByFloat(b('h'), ld('2.0e2')))).toBe('3200');
    expect(str(store.get(b('h')))).toBe('3200');
    store.set(b('i'), b('1'));
    expect(str(store.incrByFloat(b('i'), ld('-1')))).toBe('0');
    store.set(b('p'), b('4611686018427387903'));
    expect(str(store.incrByFloat(b('p'), ld('0')))).toBe('4611686018427387903');
    store.set(b('q'), b('1.3'));
    expect(str(store.incrByFloat(b('q'), ld('5.0e3')))).toBe('5001.29999999999999982');
    expect(str(store.incrByFloat(b('r'), ld('123456.789')))).toBe('123456.78900000000000148');
    expect(str(store.incrByFloat(b('s'), ld('1e-18')))).toBe('0');
    store.set(b('bad'), b('1 '));
    expect(commandError(() => store.incrByFloat(b('bad'), ld('1')))).toBe(ERR.notFloat);
    store.set(b('long'), b(`${'0'.repeat(5119)}1`)); // string2ld reads at most 5119 bytes
    expect(commandError(() => store.incrByFloat(b('long'), ld('1')))).toBe(ERR.notFloat);
    store.set(b('j'), b('1'));
    expect(commandError(() => store.incrByFloat(b('j'), ld('inf')))).toBe(ERR.nanOrInfinity);
    expect(str(store.get(b('j')))).toBe('1');
  });

  it('GETRANGE with negative indexes', () => {
    const { store } = setup();
    store.set(b('k'), b('This is a string'));
    const r = (s: number, e: number) => str(store.getRange(b('k'), s, e));
    expect(r(0, 3)).toBe('This');
    expect(r(-3, -1)).toBe('ing');
    expect(r(0, -1)).toBe('This is a string');
    expect(r(10, 100)).toBe('string');
    expect(r(5, 3)).toBe('');
    expect(r(-1, -5)).toBe('');
    expect(r(-100, 2)).toBe('Thi');
    expect(str(store.getRange(b('missing'), 0, -1))).toBe('');
    store.set(b('e'), b(''));
    expect(str(store.getRange(b('e'), 0, -1))).toBe('');
  });

  it('SETRANGE zero-pads, grows, and checks limits', () => {
    const { store } = setup();
    expect(store.setRange(b('k'), 5, b(''))).toBe(0);
    expect(store.exists([b('k')])).toBe(0);
    expect(store.setRange(b('k'), 3, b('abc'))).toBe(6);
    expect(store.get(b('k'))).toEqual(Buffer.from([0, 0, 0, 0x61, 0x62, 0x63]));
    store.set(b('h'), b('Hello World'));
    expect(store.setRange(b('h'), 6, b('Redis'))).toBe(11);
    expect(str(store.get(b('h')))).toBe('Hello Redis');
    expect(store.setRange(b('h'), 0, b(''))).toBe(11);
    expect(store.setRange(b('h'), 13, b('!'))).toBe(14);
    expect(str(store.get(b('h')))).toBe('Hello Redis\0\0!');
    // A shrunk-then-regrown value never exposes old bytes in its slack.
    store.set(b('s'), b('xxxxxxxxxxxxxxxxxxxx'));
    store.set(b('s'), b('ab'));
    expect(store.setRange(b('s'), 4, b('c'))).toBe(5);
    expect(store.get(b('s'))).toEqual(Buffer.from([0x61, 0x62, 0, 0, 0x63]));
    expect(commandError(() => store.setRange(b('h'), 512 * 1024 * 1024, b('x')))).toBe(ERR.stringTooLong);
    expect(store.setRange(b('h'), 512 * 1024 * 1024, b(''))).toBe(14);
    expect(commandError(() => store.setRange(b('h'), -1, b('x')))).toBe(ERR.offsetOutOfRange);
  });
});

describe('SharedStore keyspace', () => {
  it('DEL / EXISTS / TYPE', () => {
    const { store } = setup();
    store.mset([b('a'), b('1'), b('b'), b('2')], false);
    expect(store.exists([b('a'), b('a'), b('x'), b('b')])).toBe(3);
    expect(store.type(b('a'))).toBe('string');
    expect(store.type(b('x'))).toBe('none');
    expect(store.del([b('a'), b('a'), b('x')])).toBe(1);
    expect(store.exists([b('a')])).toBe(0);
    expect(store.dbsize()).toBe(1);
  });

  it('EXPIREAT with NX / XX / GT / LT, PERSIST, PTTL, EXPIRETIME', () => {
    const { store, clock } = setup();
    const now = clock.now;
    expect(store.expireAt(b('k'), now + 100)).toBe(false);
    expect(store.pttl(b('k'))).toBe(-2);
    expect(store.expireTime(b('k'))).toBe(-2);
    store.set(b('k'), b('v'));
    expect(store.pttl(b('k'))).toBe(-1);
    expect(store.expireTime(b('k'))).toBe(-1);
    expect(store.expireAt(b('k'), now + 100, 'XX')).toBe(false);
    expect(store.expireAt(b('k'), now + 100, 'GT')).toBe(false); // no TTL = infinite
    expect(store.expireAt(b('k'), now + 100, 'LT')).toBe(true);
    expect(store.expireAt(b('k'), now + 50, 'NX')).toBe(false);
    expect(store.expireAt(b('k'), now + 50, 'GT')).toBe(false);
    expect(store.expireAt(b('k'), now + 200, 'GT')).toBe(true);
    expect(store.expireAt(b('k'), now + 300, 'LT')).toBe(false);
    expect(store.expireAt(b('k'), now + 150, 'XX')).toBe(true);
    expect(store.expireTime(b('k'))).toBe(now + 150);
    expect(store.pttl(b('k'))).toBe(150);
    expect(store.stats().expires).toBe(1);
    expect(store.persist(b('k'))).toBe(true);
    expect(store.persist(b('k'))).toBe(false);
    expect(store.persist(b('nope'))).toBe(false);
    expect(store.stats().expires).toBe(0);
    expect(store.expireAt(b('k'), now)).toBe(true); // not in the future: deleted
    expect(store.exists([b('k')])).toBe(0);
  });

  it('lazy expiry: an expired key reads as missing and is removed, counted once', () => {
    const { store, clock } = setup();
    store.set(b('k'), b('v'), { expireAt: clock.now + 10 });
    clock.now += 10;
    expect(str(store.get(b('k')))).toBe('v'); // expires only once the clock passes the time
    expect(store.pttl(b('k'))).toBe(0);
    clock.now += 1;
    expect(store.exists([b('k')])).toBe(0);
    expect(store.dbsize()).toBe(0); // EXISTS deleted it (db.c lookupKey)
    expect(store.mget([b('k')])).toEqual([null]);
    expect(store.strlen(b('k'))).toBe(0);
    expect(store.pttl(b('k'))).toBe(-2);
    expect(store.get(b('k'))).toBeNull();
    expect(store.stats()).toMatchObject({ keys: 0, expires: 0, expiredKeys: 1 });
    // Write paths treat it as missing too.
    store.set(b('n'), b('5'), { expireAt: clock.now + 1 });
    clock.now += 2;
    expect(store.incrBy(b('n'), 1n)).toBe(1n);
    expect(store.pttl(b('n'))).toBe(-1);
    store.set(b('x'), b('5'), { expireAt: clock.now + 1 });
    clock.now += 2;
    expect(store.set(b('x'), b('new'), { condition: 'NX' }).written).toBe(true);
    expect(store.stats().expiredKeys).toBe(3);
  });

  it('every read lookup deletes a key it finds expired and counts it; KEYS and WATCH only skip it', () => {
    const { store, clock } = setup();
    const reads: [string, (key: Buffer) => unknown][] = [
      ['GET', (k) => store.get(k)],
      ['GETEX', (k) => store.getEx(k, undefined)],
      ['EXISTS', (k) => store.exists([b('other'), k])],
      ['TYPE', (k) => store.type(k)],
      ['MGET', (k) => store.mget([k, b('other')])],
      ['STRLEN', (k) => store.strlen(k)],
      ['GETRANGE', (k) => store.getRange(k, 0, -1)],
      ['PTTL', (k) => store.pttl(k)],
      ['EXPIRETIME', (k) => store.expireTime(k)],
      ['SCAN', () => store.scan('0', 1000)],
      ['SCAN MATCH', () => store.scan('0', 1000, b('k*'))],
      ['RANDOMKEY', () => store.randomKey()],
      ['COPY', (k) => store.copy(k, b('copy'), false)],
      ['MOVE', (k) => store.move(k, 1)],
      ['RENAME', (k) => store.rename(k, b('renamed'), false)],
    ];
    let expired = 0;
    for (const [name, read] of reads) {
      store.set(b('k'), b('v'), { expireAt: clock.now + 10 });
      clock.now += 11;
      expect(store.dbsize(), name).toBe(1);
      read(b('k'));
      expect(store.dbsize(), name).toBe(0);
      expect(store.stats().expiredKeys, name).toBe(++expired);
    }
    // SCAN's MATCH filters first: a key the pattern leaves out is not looked up, so not deleted.
    store.set(b('k'), b('v'), { expireAt: clock.now + 10 });
    clock.now += 11;
    expect(store.scan('0', 1000, b('x*'))).toEqual({ cursor: '0', keys: [] });
    expect(store.keys(b('*'))).toEqual([]);
    store.countWatcher(1);
    const watch = store.watchKey(b('k'));
    store.unwatchKey(watch);
    store.countWatcher(-1);
    expect(store.dbsize()).toBe(1);
    expect(store.stats().expiredKeys).toBe(expired);
  });

  it('active expiry removes expired keys in bounded steps', () => {
    const { store, clock } = setup();
    for (let i = 0; i < 5000; i++) store.set(b(`v${i}`), b('x'), { expireAt: clock.now + 100 });
    for (let i = 0; i < 5000; i++) store.set(b(`p${i}`), b('x'));
    expect(store.activeExpireCycle()).toBe(0);
    clock.now += 101;
    let removed = 0;
    let steps = 0;
    while (store.stats().expires > 0 && steps < 1000) {
      const n = store.activeExpireCycle();
      expect(n).toBeLessThanOrEqual(5000);
      removed += n;
      steps++;
    }
    expect(removed).toBe(5000);
    expect(steps).toBeGreaterThan(1); // bounded: not all in one step
    expect(store.stats()).toMatchObject({ keys: 5000, expires: 0, expiredKeys: 5000 });
    expect(store.activeExpireCycle()).toBe(0);
  });

  it('KEYS with patterns, skipping expired keys', () => {
    const { store, clock } = setup();
    store.mset([b('one'), b('1'), b('two'), b('2'), b('three'), b('3'), b(''), b('empty')], false);
    store.set(b('tmp'), b('x'), { expireAt: clock.now + 1 });
    clock.now += 2;
    const sorted = (keys: Buffer[]) => keys.map(str).sort();
    expect(sorted(store.keys(b('*')))).toEqual(['', 'one', 'three', 'two']);
    expect(sorted(store.keys(b('t*')))).toEqual(['three', 'two']);
    expect(sorted(store.keys(b('?n?')))).toEqual(['one']);
    expect(sorted(store.keys(b('x*')))).toEqual([]);
  });

  it('SCAN returns every key once with a complete iteration, MATCH and COUNT', () => {
    const { store } = setup();
    for (let i = 0; i < 1000; i++) store.set(b(`key:${i}`), b('v'));
    const seen = new Map<string, number>();
    let cursor = '0';
    let calls = 0;
    do {
      const r = store.scan(cursor, 10);
      for (const k of r.keys) seen.set(str(k)!, (seen.get(str(k)!) ?? 0) + 1);
      cursor = r.cursor;
      calls++;
    } while (cursor !== '0');
    expect(seen.size).toBe(1000);
    expect([...seen.values()].every((n) => n === 1)).toBe(true); // no growth: no duplicates
    expect(calls).toBeGreaterThan(50);
    const matched: string[] = [];
    cursor = '0';
    do {
      const r = store.scan(cursor, 100, b('key:1?'));
      matched.push(...r.keys.map((k) => str(k)!));
      cursor = r.cursor;
    } while (cursor !== '0');
    expect(matched.sort()).toEqual([
      'key:10',
      'key:11',
      'key:12',
      'key:13',
      'key:14',
      'key:15',
      'key:16',
      'key:17',
      'key:18',
      'key:19',
    ]);
    expect(commandError(() => store.scan('abc', 10))).toBe(ERR.invalidCursor);
    expect(commandError(() => store.scan('-1', 10))).toBe(ERR.invalidCursor);
    expect(commandError(() => store.scan('18446744073709551616', 10))).toBe(ERR.invalidCursor);
    expect(store.scan('18446744073709551615', 10).cursor).toMatch(/^[0-9]+$/);
  });

  it('SCAN returns keys present throughout even while indexes double', () => {
    const { store } = setup({ segments: 4 });
    for (let i = 0; i < 200; i++) store.set(b(`old:${i}`), b('v'));
    const seen = new Set<string>();
    let cursor = '0';
    let added = 0;
    do {
      const r = store.scan(cursor, 5);
      for (const k of r.keys) seen.add(str(k)!);
      cursor = r.cursor;
      // Growing faster than the scan at first forces many index doublings mid-iteration.
      if (added < 20_000) for (let i = 0; i < 100; i++) store.set(b(`new:${added++}`), b('v'));
    } while (cursor !== '0');
    for (let i = 0; i < 200; i++) expect(seen.has(`old:${i}`)).toBe(true);
    expect(store.dbsize()).toBe(200 + added);
  });

  it('RANDOMKEY', () => {
    const { store, clock } = setup();
    expect(store.randomKey()).toBeNull();
    store.set(b('a'), b('1'));
    expect(str(store.randomKey())).toBe('a');
    store.set(b('gone'), b('1'), { expireAt: clock.now + 1 });
    clock.now += 2;
    for (let i = 0; i < 20; i++) expect(str(store.randomKey())).toBe('a');
    store.del([b('a')]);
    expect(store.randomKey()).toBeNull();
    expect(store.dbsize()).toBe(0);
    const keys = new Set<string>();
    for (let i = 0; i < 100; i++) store.set(b(`k${i}`), b('v'));
    for (let i = 0; i < 300; i++) keys.add(str(store.randomKey())!);
    expect(keys.size).toBeGreaterThan(50);
  });

  it('RENAME / RENAMENX move the value and TTL', () => {
    const { store, clock } = setup();
    expect(store.rename(b('a'), b('b'), false)).toBe('missing');
    store.set(b('a'), b('v'), { expireAt: clock.now + 100 });
    expect(store.rename(b('a'), b('a'), false)).toBe('ok');
    expect(store.rename(b('a'), b('a'), true)).toBe('exists');
    expect(store.rename(b('a'), b('b'), false)).toBe('ok');
    expect(store.get(b('a'))).toBeNull();
    expect(str(store.get(b('b')))).toBe('v');
    expect(store.pttl(b('b'))).toBe(100);
    store.set(b('c'), b('other'));
    expect(store.rename(b('b'), b('c'), true)).toBe('exists');
    expect(store.rename(b('b'), b('c'), false)).toBe('ok');
    expect(str(store.get(b('c')))).toBe('v');
    expect(store.pttl(b('c'))).toBe(100);
    expect(store.stats()).toMatchObject({ keys: 1, expires: 1 });
  });

  it('COPY', () => {
    const { store, clock } = setup();
    expect(commandError(() => store.copy(b('a'), b('a'), false))).toBe(ERR.sameObject);
    expect(store.copy(b('a'), b('b'), false)).toBe(false);
    store.set(b('a'), b('v'), { expireAt: clock.now + 100 });
    expect(store.copy(b('a'), b('b'), false)).toBe(true);
    expect(str(store.get(b('b')))).toBe('v');
    expect(store.pttl(b('b'))).toBe(100);
    store.set(b('c'), b('x'));
    expect(store.copy(b('a'), b('c'), false)).toBe(false);
    expect(store.copy(b('a'), b('c'), true)).toBe(true);
    expect(str(store.get(b('c')))).toBe('v');
    expect(store.stats()).toMatchObject({ keys: 3, expires: 3 });
  });

  it('FLUSHALL empties everything and the store keeps working', () => {
    const { store } = setup();
    for (let i = 0; i < 3000; i++) store.set(b(`k${i}`), b('v'));
    store.flushAll();
    expect(store.dbsize()).toBe(0);
    expect(store.get(b('k1'))).toBeNull();
    const empty = store.stats().usedMemory;
    for (let i = 0; i < 3000; i++) store.set(b(`k${i}`), b('w'));
    expect(str(store.get(b('k2999')))).toBe('w');
    store.flushAll();
    expect(store.stats().usedMemory).toBe(empty);
  });
});

describe('SharedStore memory', () => {
  it('grows its index and arena across many keys, binary keys included', () => {
    const { store } = setup({ initialBytes: 64 * 1024 });
    const start = store.stats().reservedMemory;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const key = Buffer.alloc(8);
      key.writeUInt32LE(i, 0);
      key.writeUInt32LE(~i >>> 0, 4);
      store.set(key, Buffer.from([i & 0xff, 0, 0xff, 0x0a]));
    }
    expect(store.dbsize()).toBe(n);
    expect(store.stats().reservedMemory).toBeGreaterThan(start * 10);
    for (let i = 0; i < n; i += 7) {
      const key = Buffer.alloc(8);
      key.writeUInt32LE(i, 0);
      key.writeUInt32LE(~i >>> 0, 4);
      expect(store.get(key)).toEqual(Buffer.from([i & 0xff, 0, 0xff, 0x0a]));
    }
    expect(store.keys(b('*')).length).toBe(n);
    // 8-byte key + 4-byte value: a 48-byte entry plus 4-8 bytes of index.
    const perKey = store.stats().usedMemory / n;
    expect(perKey).toBeGreaterThan(48);
    expect(perKey).toBeLessThan(60);
  });

  it('keys differing only in bytes, and the empty key', () => {
    const { store } = setup();
    store.set(Buffer.from([0]), b('zero'));
    store.set(Buffer.from([0, 0]), b('two zeros'));
    store.set(Buffer.alloc(0), b('empty'));
    store.set(Buffer.from([0xff, 0xfe]), Buffer.from([0, 1, 2]));
    expect(str(store.get(Buffer.from([0])))).toBe('zero');
    expect(str(store.get(Buffer.from([0, 0])))).toBe('two zeros');
    expect(str(store.get(Buffer.alloc(0)))).toBe('empty');
    expect(store.get(Buffer.from([0xff, 0xfe]))).toEqual(Buffer.from([0, 1, 2]));
    expect(store.get(Buffer.from([0xff]))).toBeNull();
  });

  it('reuses freed blocks: churn keeps usedMemory and the arena stable', () => {
    const { store } = setup();
    const sizes = [1, 10, 100, 1000, 5000];
    const round = (r: number) => {
      for (let i = 0; i < 2000; i++) {
        store.set(b(`k${i}`), Buffer.alloc(sizes[(i + r) % sizes.length], r));
      }
      for (let i = 0; i < 2000; i += 2) store.del([b(`k${i}`)]);
    };
    round(0);
    round(1);
    const used = store.stats().usedMemory;
    const reserved = store.stats().reservedMemory;
    for (let r = 0; r < 30; r++) round(r % sizes.length === 0 ? 5 : r % sizes.length === 1 ? 6 : r);
    for (let r = 2; r < 7; r++) round(r); // end on a comparable mix
    round(0);
    round(1);
    expect(store.stats().usedMemory).toBe(used);
    expect(store.stats().reservedMemory).toBeLessThanOrEqual(reserved * 1.5);
    for (let i = 1; i < 2000; i += 2) expect(store.strlen(b(`k${i}`))).toBe(sizes[(i + 1) % sizes.length]);
  });

  it('accounts live bytes: a 16-byte key with a 16-byte value is 64 bytes plus its index slot', () => {
    const { store } = setup({ segments: 1 });
    const empty = store.stats().usedMemory;
    store.set(b('0123456789abcdef'), b('0123456789abcdef'));
    expect(store.stats().usedMemory - empty).toBe(64);
    store.del([b('0123456789abcdef')]);
    expect(store.stats().usedMemory).toBe(empty);
  });

  it('refuses to grow past maxBytes with the OOM error, without corrupting anything', () => {
    const { store } = setup({ initialBytes: 64 * 1024, maxBytes: 256 * 1024 });
    store.set(b('keep'), b('safe'));
    expect(commandError(() => store.set(b('big'), Buffer.alloc(300 * 1024)))).toBe(ERR.oom);
    expect(store.get(b('big'))).toBeNull();
    expect(str(store.get(b('keep')))).toBe('safe');
    store.set(b('small'), Buffer.alloc(1000));
    expect(store.strlen(b('small'))).toBe(1000);
  });

  it('runs without locks for a single owner, and refuses a foreign control buffer', () => {
    const clock = new FakeClock();
    const store = SharedStore.create({ clock: clock.read, locking: false });
    store.mset([b('a'), b('1'), b('b'), b('2')], false);
    expect(store.mget([b('a'), b('b')]).map(str)).toEqual(['1', '2']);
    const handles = { control: new SharedArrayBuffer(4096), arena: store.handles().arena };
    expect(() => SharedStore.attach(handles, clock.read)).toThrow(/not a store control buffer/);
    expect(() => SharedStore.create({ clock: clock.read, segments: 3 })).toThrow(RangeError);
  });

  it('attach() shares the keyspace through handles()', () => {
    const { store, clock } = setup();
    const other = SharedStore.attach(structuredClone(store.handles()), clock.read);
    store.set(b('k'), b('v'));
    expect(str(other.get(b('k')))).toBe('v');
    for (let i = 0; i < 20_000; i++) other.set(b(`g${i}`), b('grown'));
    expect(str(store.get(b('g19999')))).toBe('grown');
    expect(store.dbsize()).toBe(20_001);
  });
});

describe('SharedStore expiry conditions together (expire.c: no TTL counts as an infinite TTL)', () => {
  it('XX with LT: only a key that has an expiry, and only an earlier deadline', () => {
    const { store, clock } = setup();
    const now = clock.now;
    expect(store.expireAt(b('k'), now + 100, ['XX', 'LT'])).toBe(false); // missing key
    store.set(b('k'), b('v'));
    expect(store.expireAt(b('k'), now + 100, 'LT')).toBe(true); // LT alone takes a key without expiry
    expect(store.persist(b('k'))).toBe(true);
    expect(store.expireAt(b('k'), now + 100, ['XX', 'LT'])).toBe(false); // XX: no expiry, nothing applied
    expect(store.expireTime(b('k'))).toBe(-1);
    store.expireAt(b('k'), now + 200);
    expect(store.expireAt(b('k'), now + 300, ['XX', 'LT'])).toBe(false);
    expect(store.expireAt(b('k'), now + 200, ['XX', 'LT'])).toBe(false); // equal is not less
    expect(store.expireTime(b('k'))).toBe(now + 200);
    expect(store.expireAt(b('k'), now + 150, ['XX', 'LT'])).toBe(true);
    expect(store.expireTime(b('k'))).toBe(now + 150);
    expect(store.expireAt(b('k'), now - 1, ['LT', 'XX'])).toBe(true); // earlier and in the past: deleted
    expect(store.exists([b('k')])).toBe(0);
    expect(store.stats()).toMatchObject({ keys: 0, expires: 0 });
  });

  it('XX with GT: only a later deadline on a key that has an expiry', () => {
    const { store, clock } = setup();
    const now = clock.now;
    store.set(b('k'), b('v'));
    expect(store.expireAt(b('k'), now + 100, ['XX', 'GT'])).toBe(false);
    expect(store.expireTime(b('k'))).toBe(-1);
    store.expireAt(b('k'), now + 100);
    expect(store.expireAt(b('k'), now + 50, ['XX', 'GT'])).toBe(false);
    expect(store.expireAt(b('k'), now + 100, ['XX', 'GT'])).toBe(false); // equal is not greater
    expect(store.expireAt(b('k'), now + 200, ['XX', 'GT'])).toBe(true);
    expect(store.expireTime(b('k'))).toBe(now + 200);
    expect(store.expireAt(b('missing'), now + 300, ['XX', 'GT'])).toBe(false);
  });

  it('a list of one condition is that condition; an empty list is none; mixes that cannot hold never apply', () => {
    const { store, clock } = setup();
    const now = clock.now;
    store.set(b('k'), b('v'));
    expect(store.expireAt(b('k'), now + 100, ['GT'])).toBe(false);
    expect(store.expireAt(b('k'), now + 100, ['NX'])).toBe(true);
    expect(store.expireAt(b('k'), now + 300, [])).toBe(true);
    expect(store.expireTime(b('k'))).toBe(now + 300);
    expect(store.expireAt(b('k'), now + 200, ['NX', 'XX'])).toBe(false);
    expect(store.expireAt(b('k'), now + 400, ['GT', 'LT'])).toBe(false);
    expect(store.expireAt(b('k'), now + 200, ['GT', 'LT'])).toBe(false);
    expect(store.expireTime(b('k'))).toBe(now + 300);
  });
});

describe('SharedStore SCAN ends when nothing is left to visit', () => {
  it('an empty keyspace answers cursor 0 at once, from any cursor', () => {
    const { store } = setup();
    expect(store.scan('0', 10)).toEqual({ cursor: '0', keys: [] });
    expect(store.scan('0', 1)).toEqual({ cursor: '0', keys: [] });
    expect(store.scan('12345', 10)).toEqual({ cursor: '0', keys: [] });
    expect(store.scan('18446744073709551615', 10)).toEqual({ cursor: '0', keys: [] });
  });

  it('a keyspace emptied mid-iteration ends the iteration at the next call', () => {
    const { store } = setup();
    for (let i = 0; i < 500; i++) store.set(b(`k${i}`), b('v'));
    const first = store.scan('0', 10);
    expect(first.cursor).not.toBe('0');
    store.flushDb();
    expect(store.scan(first.cursor, 10)).toEqual({ cursor: '0', keys: [] });
    for (let i = 0; i < 500; i++) store.set(b(`k${i}`), b('v'));
    store.del(Array.from({ length: 500 }, (_, i) => b(`k${i}`))); // emptied, index kept grown
    expect(store.scan('0', 10)).toEqual({ cursor: '0', keys: [] });
  });

  it('ends once only empty segments remain, returning the keys of this call', () => {
    const { store } = setup({ segments: 64 });
    // One key: every segment but its own is empty, so the call that visits it also ends the iteration.
    store.set(b('only'), b('v'));
    const seen: string[] = [];
    let cursor = '0';
    let callsAfterKey = 0;
    do {
      const r = store.scan(cursor, 1);
      if (seen.length > 0) callsAfterKey++;
      seen.push(...r.keys.map((k) => str(k)!));
      cursor = r.cursor;
    } while (cursor !== '0' && callsAfterKey < 1000);
    expect(seen).toEqual(['only']);
    // At most the rest of its own segment, then one call that finds only empty segments ahead (walking them
    // 10 buckets a call, as before the fix, would take up to ~100 calls).
    expect(callsAfterKey).toBeLessThanOrEqual(2);
  });
});
