// The string commands through the real executor and store (test/support/context.ts), asserting Redis 7's exact
// replies: values, nils, integers and every error line. Expiry is driven by the fake clock, never by sleeping.
// Expected values come from redis.io/commands/<name> and Redis 7's t_string.c.

import { describe, expect, it } from 'vitest';
import {
  array,
  bulk,
  bulkString,
  error,
  integer,
  NIL,
  OK,
  ONE,
  ZERO,
  type Reply,
} from '../../src/core/reply.js';
import { createTestContext, type TestContext } from '../support/context.js';

const b = bulkString;
const EMPTY = bulk(Buffer.alloc(0));
const syntaxError = error('ERR syntax error');
const notInteger = error('ERR value is not an integer or out of range');
const notFloat = error('ERR value is not a valid float');
const overflow = error('ERR increment or decrement would overflow');
const invalidExpire = (command: string) => error(`ERR invalid expire time in '${command}' command`);
const wrongArity = (command: string) => error(`ERR wrong number of arguments for '${command}' command`);

const INT64_MAX = '9223372036854775807';
const INT64_MIN = '-9223372036854775808';

/** Milliseconds left on a key, read from the store: -2 missing, -1 no expiry. */
const pttl = (ctx: TestContext, key: string): number => ctx.store.pttl(Buffer.from(key));
const exists = (ctx: TestContext, key: string): boolean => ctx.store.exists([Buffer.from(key)]) === 1;

/** Runs several commands, returning every reply (for compact expectations). */
function runAll(ctx: TestContext, ...commands: (string | Uint8Array)[][]): Reply[] {
  return commands.map((argv) => ctx.run(...argv));
}

describe('command metadata as Redis 7 COMMAND INFO reports it', () => {
  const expected: [string, number, string[], [number, number, number]][] = [
    ['get', 2, ['readonly', 'fast'], [1, 1, 1]],
    ['set', -3, ['write', 'denyoom'], [1, 1, 1]],
    ['setnx', 3, ['write', 'denyoom', 'fast'], [1, 1, 1]],
    ['setex', 4, ['write', 'denyoom'], [1, 1, 1]],
    ['psetex', 4, ['write', 'denyoom'], [1, 1, 1]],
    ['getset', 3, ['write', 'denyoom', 'fast'], [1, 1, 1]],
    ['getdel', 2, ['write', 'fast'], [1, 1, 1]],
    ['getex', -2, ['write', 'fast'], [1, 1, 1]],
    ['mget', -2, ['readonly', 'fast'], [1, -1, 1]],
    ['mset', -3, ['write', 'denyoom'], [1, -1, 2]],
    ['msetnx', -3, ['write', 'denyoom'], [1, -1, 2]],
    ['append', 3, ['write', 'denyoom', 'fast'], [1, 1, 1]],
    ['strlen', 2, ['readonly', 'fast'], [1, 1, 1]],
    ['incr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1]],
    ['decr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1]],
    ['incrby', 3, ['write', 'denyoom', 'fast'], [1, 1, 1]],
    ['decrby', 3, ['write', 'denyoom', 'fast'], [1, 1, 1]],
    ['incrbyfloat', 3, ['write', 'denyoom', 'fast'], [1, 1, 1]],
    ['getrange', 4, ['readonly'], [1, 1, 1]],
    ['setrange', 4, ['write', 'denyoom'], [1, 1, 1]],
  ];

  it.each(expected)('%s: arity %i, flags %j, keys %j', (name, arity, flags, keys) => {
    const spec = createTestContext().server.commands.lookup(name);
    expect(spec).toBeDefined();
    expect(spec?.group).toBe('string');
    expect(spec?.arity).toBe(arity);
    expect([...(spec?.flags ?? [])].sort()).toEqual([...flags].sort());
    expect(spec?.keys).toEqual(keys);
    expect(spec?.syntax.startsWith(name.toUpperCase() + ' ')).toBe(true);
  });

  it.each(expected)('%s with too few arguments is an arity error', (name, arity) => {
    const argc = Math.abs(arity) - 1;
    const argv = [name, ...Array.from({ length: argc - 1 }, () => 'x')];
    expect(createTestContext().run(...argv)).toEqual(wrongArity(name));
  });

  it('fixed-arity commands refuse an extra argument', () => {
    const ctx = createTestContext();
    expect(ctx.run('GET', 'a', 'b')).toEqual(wrongArity('get'));
    expect(ctx.run('INCR', 'a', 'b')).toEqual(wrongArity('incr'));
    expect(ctx.run('SETRANGE', 'a', '0', 'x', 'y')).toEqual(wrongArity('setrange'));
  });
});

describe('GET', () => {
  it('returns nil for a missing key and the value for a present one', () => {
    const ctx = createTestContext();
    expect(ctx.run('GET', 'k')).toEqual(NIL);
    ctx.run('SET', 'k', 'v');
    expect(ctx.run('GET', 'k')).toEqual(b('v'));
  });

  it('is binary safe in keys and values', () => {
    const ctx = createTestContext();
    const key = Uint8Array.from([0, 0xff, 0x0d, 0x0a, 0x20]);
    const value = Uint8Array.from([0xc3, 0x28, 0, 0x0a, 0xfe]);
    expect(ctx.run('SET', key, value)).toEqual(OK);
    expect(ctx.run('GET', key)).toEqual(bulk(Buffer.from(value)));
    expect(ctx.run('GET', Uint8Array.from([0, 0xff]))).toEqual(NIL);
  });

  it('stores the empty string as a value', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', '');
    expect(ctx.run('GET', 'k')).toEqual(EMPTY);
    expect(exists(ctx, 'k')).toBe(true);
  });
});

describe('SET', () => {
  it('creates and overwrites', () => {
    const ctx = createTestContext();
    expect(runAll(ctx, ['SET', 'k', 'a'], ['SET', 'k', 'b'], ['GET', 'k'])).toEqual([OK, OK, b('b')]);
  });

  it('without options clears an existing expiry', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'a', 'EX', '10');
    ctx.run('SET', 'k', 'b');
    expect(pttl(ctx, 'k')).toBe(-1);
    ctx.clock.advance(20_000);
    expect(ctx.run('GET', 'k')).toEqual(b('b'));
  });

  it('EX and PX set a relative expiry; the key is gone once it has passed', () => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'v', 'EX', '10')).toEqual(OK);
    expect(pttl(ctx, 'k')).toBe(10_000);
    ctx.clock.advance(9_999);
    expect(ctx.run('GET', 'k')).toEqual(b('v'));
    ctx.clock.advance(2);
    expect(ctx.run('GET', 'k')).toEqual(NIL);

    expect(ctx.run('SET', 'p', 'v', 'PX', '1500')).toEqual(OK);
    expect(pttl(ctx, 'p')).toBe(1500);
    ctx.clock.advance(1501);
    expect(ctx.run('GET', 'p')).toEqual(NIL);
  });

  it('EXAT and PXAT set an absolute expiry', () => {
    const ctx = createTestContext();
    const now = ctx.clock.now;
    const inTenSeconds = Math.floor(now / 1000) + 10;
    expect(ctx.run('SET', 'k', 'v', 'EXAT', String(inTenSeconds))).toEqual(OK);
    expect(pttl(ctx, 'k')).toBe(inTenSeconds * 1000 - now);
    expect(ctx.run('SET', 'p', 'v', 'PXAT', String(now + 2500))).toEqual(OK);
    expect(pttl(ctx, 'p')).toBe(2500);
  });

  it('an absolute time already past is accepted, and the key is then expired', () => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'v', 'PXAT', '1')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(NIL);
    expect(ctx.run('SET', 'k', 'v', 'EXAT', '1')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(NIL);
  });

  it('NX sets only a missing key, otherwise replies nil and keeps the value', () => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'a', 'NX')).toEqual(OK);
    expect(ctx.run('SET', 'k', 'b', 'NX')).toEqual(NIL);
    expect(ctx.run('GET', 'k')).toEqual(b('a'));
  });

  it('NX treats an expired key as missing', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'a', 'PX', '10');
    ctx.clock.advance(11);
    expect(ctx.run('SET', 'k', 'b', 'NX')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(b('b'));
  });

  it('XX sets only an existing key, otherwise replies nil and creates nothing', () => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'a', 'XX')).toEqual(NIL);
    expect(exists(ctx, 'k')).toBe(false);
    ctx.run('SET', 'k', 'a');
    expect(ctx.run('SET', 'k', 'b', 'XX')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(b('b'));
  });

  it('a blocked NX/XX write leaves the expiry alone', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'a', 'EX', '100');
    expect(ctx.run('SET', 'k', 'b', 'NX', 'EX', '5')).toEqual(NIL);
    expect(pttl(ctx, 'k')).toBe(100_000);
  });

  it('GET returns the old value (nil when missing) and still sets', () => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'a', 'GET')).toEqual(NIL);
    expect(ctx.run('SET', 'k', 'b', 'GET')).toEqual(b('a'));
    expect(ctx.run('GET', 'k')).toEqual(b('b'));
  });

  it('GET with NX (allowed since 7.0) returns the old value even when the write is refused', () => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'a', 'NX', 'GET')).toEqual(NIL);
    expect(ctx.run('GET', 'k')).toEqual(b('a'));
    expect(ctx.run('SET', 'k', 'b', 'GET', 'NX')).toEqual(b('a'));
    expect(ctx.run('GET', 'k')).toEqual(b('a'));
  });

  it('GET with XX on a missing key replies nil and creates nothing', () => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'a', 'XX', 'GET')).toEqual(NIL);
    expect(exists(ctx, 'k')).toBe(false);
    ctx.run('SET', 'k', 'a');
    expect(ctx.run('SET', 'k', 'b', 'XX', 'GET')).toEqual(b('a'));
    expect(ctx.run('GET', 'k')).toEqual(b('b'));
  });

  it('KEEPTTL keeps the current expiry; on a key without one it sets none', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'a', 'PX', '5000');
    ctx.clock.advance(1000);
    expect(ctx.run('SET', 'k', 'b', 'KEEPTTL')).toEqual(OK);
    expect(pttl(ctx, 'k')).toBe(4000);
    expect(ctx.run('GET', 'k')).toEqual(b('b'));
    expect(ctx.run('SET', 'n', 'v', 'KEEPTTL')).toEqual(OK);
    expect(pttl(ctx, 'n')).toBe(-1);
  });

  it('a new expiry replaces the old one', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'a', 'EX', '100');
    ctx.run('SET', 'k', 'b', 'PX', '50');
    expect(pttl(ctx, 'k')).toBe(50);
  });

  it('options are case-insensitive and may repeat; a repeated EX keeps the last time', () => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'a', 'nx', 'Nx', 'eX', '5')).toEqual(OK);
    expect(ctx.run('SET', 'k', 'b', 'get', 'GET', 'xx', 'XX', 'px', '100', 'PX', '200')).toEqual(b('a'));
    expect(pttl(ctx, 'k')).toBe(200);
    expect(ctx.run('SET', 'k', 'c', 'EX', '1', 'EX', '7')).toEqual(OK);
    expect(pttl(ctx, 'k')).toBe(7000);
    expect(ctx.run('SET', 'k', 'd', 'KEEPTTL', 'KEEPTTL')).toEqual(OK);
    expect(pttl(ctx, 'k')).toBe(7000);
  });

  it.each([
    [['NX', 'XX']],
    [['XX', 'NX']],
    [['EX', '10', 'PX', '100']],
    [['PX', '100', 'EX', '10']],
    [['EX', '10', 'EXAT', '1']],
    [['PXAT', '1', 'PX', '1']],
    [['EXAT', '1', 'PXAT', '1']],
    [['EX', '10', 'KEEPTTL']],
    [['KEEPTTL', 'PX', '10']],
    [['KEEPTTL', 'EXAT', '10']],
    [['EX']],
    [['PX']],
    [['NX', 'EXAT']],
    [['PERSIST']],
    [['FOO']],
    [['NXX']],
    [['EX', '10', '20']],
    [['']],
  ])('refuses options %j with a syntax error and writes nothing', (options) => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'v', ...options)).toEqual(syntaxError);
    expect(exists(ctx, 'k')).toBe(false);
  });

  it('checks the option grammar before the expire time', () => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'v', 'EX', '0', 'NX', 'XX')).toEqual(syntaxError);
    expect(ctx.run('SET', 'k', 'v', 'EX', 'abc', 'FOO')).toEqual(syntaxError);
  });

  it.each([
    ['EX', '0'],
    ['EX', '-1'],
    ['PX', '0'],
    ['PX', '-100'],
    ['EXAT', '0'],
    ['EXAT', '-5'],
    ['PXAT', '0'],
    ['PXAT', INT64_MIN],
    // Seconds that overflow int64 once multiplied by 1000 (LLONG_MAX / 1000 = 9223372036854775).
    ['EX', '9223372036854776'],
    ['EXAT', '9223372036854776'],
    // Relative times that overflow int64 once the current time is added.
    ['EX', '9223372036854775'],
    ['PX', INT64_MAX],
    ['PX', '9223372036854775000'],
  ])("%s %s is ERR invalid expire time in 'set' command", (unit, time) => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'v', unit, time)).toEqual(invalidExpire('set'));
    expect(exists(ctx, 'k')).toBe(false);
  });

  it('accepts the largest absolute times that fit', () => {
    const ctx = createTestContext();
    expect(ctx.run('SET', 'k', 'v', 'PXAT', INT64_MAX)).toEqual(OK);
    expect(ctx.run('SET', 'k', 'v', 'EXAT', '9223372036854775')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(b('v'));
    expect(pttl(ctx, 'k')).toBeGreaterThan(0);
  });

  it.each([['abc'], ['1.5'], [''], [' 1'], ['+1'], ['01'], ['99999999999999999999']])(
    'a non-integer time %j is ERR value is not an integer or out of range',
    (time) => {
      const ctx = createTestContext();
      expect(ctx.run('SET', 'k', 'v', 'EX', time)).toEqual(notInteger);
      expect(ctx.run('SET', 'k', 'v', 'PXAT', time)).toEqual(notInteger);
      expect(exists(ctx, 'k')).toBe(false);
    },
  );

  it('an invalid time is reported even when NX would block the write', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'a');
    expect(ctx.run('SET', 'k', 'b', 'NX', 'EX', '0')).toEqual(invalidExpire('set'));
    expect(ctx.run('SET', 'k', 'b', 'GET', 'EX', '0')).toEqual(invalidExpire('set'));
    expect(ctx.run('GET', 'k')).toEqual(b('a'));
  });
});

describe('SETNX', () => {
  it('replies 1 and sets a missing key, 0 and leaves an existing one', () => {
    const ctx = createTestContext();
    expect(ctx.run('SETNX', 'k', 'a')).toEqual(ONE);
    expect(ctx.run('SETNX', 'k', 'b')).toEqual(ZERO);
    expect(ctx.run('GET', 'k')).toEqual(b('a'));
    expect(pttl(ctx, 'k')).toBe(-1);
  });
});

describe('SETEX and PSETEX', () => {
  it('set the value with an expiry in seconds / milliseconds, replacing any old value and expiry', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'old', 'EX', '1000');
    expect(ctx.run('SETEX', 'k', '10', 'v')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(b('v'));
    expect(pttl(ctx, 'k')).toBe(10_000);
    expect(ctx.run('PSETEX', 'p', '1500', 'w')).toEqual(OK);
    expect(pttl(ctx, 'p')).toBe(1500);
    ctx.clock.advance(1501);
    expect(ctx.run('GET', 'p')).toEqual(NIL);
    expect(ctx.run('GET', 'k')).toEqual(b('v'));
  });

  it('name themselves in the invalid-time error', () => {
    const ctx = createTestContext();
    expect(ctx.run('SETEX', 'k', '0', 'v')).toEqual(invalidExpire('setex'));
    expect(ctx.run('SETEX', 'k', '-10', 'v')).toEqual(invalidExpire('setex'));
    expect(ctx.run('SETEX', 'k', '9223372036854776', 'v')).toEqual(invalidExpire('setex'));
    expect(ctx.run('PSETEX', 'k', '0', 'v')).toEqual(invalidExpire('psetex'));
    expect(ctx.run('PSETEX', 'k', INT64_MAX, 'v')).toEqual(invalidExpire('psetex'));
    expect(exists(ctx, 'k')).toBe(false);
  });

  it('refuse a non-integer time', () => {
    const ctx = createTestContext();
    expect(ctx.run('SETEX', 'k', 'ten', 'v')).toEqual(notInteger);
    expect(ctx.run('PSETEX', 'k', '1.5', 'v')).toEqual(notInteger);
    expect(exists(ctx, 'k')).toBe(false);
  });
});

describe('GETSET', () => {
  it('returns the old value (nil when missing), sets the new one and drops the expiry', () => {
    const ctx = createTestContext();
    expect(ctx.run('GETSET', 'k', 'a')).toEqual(NIL);
    expect(ctx.run('GET', 'k')).toEqual(b('a'));
    ctx.run('SET', 'k', 'b', 'EX', '10');
    expect(ctx.run('GETSET', 'k', 'c')).toEqual(b('b'));
    expect(ctx.run('GET', 'k')).toEqual(b('c'));
    expect(pttl(ctx, 'k')).toBe(-1);
  });
});

describe('GETDEL', () => {
  it('returns the value and deletes the key; nil for a missing or expired key', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v');
    expect(ctx.run('GETDEL', 'k')).toEqual(b('v'));
    expect(exists(ctx, 'k')).toBe(false);
    expect(ctx.run('GETDEL', 'k')).toEqual(NIL);
    ctx.run('SET', 'e', 'v', 'PX', '5');
    ctx.clock.advance(6);
    expect(ctx.run('GETDEL', 'e')).toEqual(NIL);
  });
});

describe('GETEX', () => {
  it('without options is GET and leaves the expiry alone', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v', 'PX', '5000');
    expect(ctx.run('GETEX', 'k')).toEqual(b('v'));
    expect(pttl(ctx, 'k')).toBe(5000);
    expect(ctx.run('GETEX', 'missing')).toEqual(NIL);
  });

  it('EX, PX, EXAT and PXAT set the expiry', () => {
    const ctx = createTestContext();
    const now = ctx.clock.now;
    ctx.run('SET', 'k', 'v');
    expect(ctx.run('GETEX', 'k', 'EX', '10')).toEqual(b('v'));
    expect(pttl(ctx, 'k')).toBe(10_000);
    expect(ctx.run('GETEX', 'k', 'px', '250')).toEqual(b('v'));
    expect(pttl(ctx, 'k')).toBe(250);
    expect(ctx.run('GETEX', 'k', 'PXAT', String(now + 777))).toEqual(b('v'));
    expect(pttl(ctx, 'k')).toBe(777);
    const at = Math.floor(now / 1000) + 60;
    expect(ctx.run('GETEX', 'k', 'EXAT', String(at))).toEqual(b('v'));
    expect(pttl(ctx, 'k')).toBe(at * 1000 - now);
  });

  it('PERSIST removes the expiry', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v', 'EX', '10');
    expect(ctx.run('GETEX', 'k', 'PERSIST')).toEqual(b('v'));
    expect(pttl(ctx, 'k')).toBe(-1);
    ctx.clock.advance(20_000);
    expect(ctx.run('GET', 'k')).toEqual(b('v'));
  });

  it('an absolute time already past returns the value and deletes the key', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v');
    expect(ctx.run('GETEX', 'k', 'PXAT', String(ctx.clock.now - 1))).toEqual(b('v'));
    expect(exists(ctx, 'k')).toBe(false);
    ctx.run('SET', 'k', 'v');
    expect(ctx.run('GETEX', 'k', 'EXAT', '1')).toEqual(b('v'));
    expect(ctx.run('GET', 'k')).toEqual(NIL);
  });

  it('an expired key is nil', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v', 'PX', '10');
    ctx.clock.advance(11);
    expect(ctx.run('GETEX', 'k', 'PERSIST')).toEqual(NIL);
  });

  it.each([
    [['EX', '10', 'PERSIST']],
    [['PERSIST', 'EX', '10']],
    [['PX', '10', 'EXAT', '10']],
    [['NX']],
    [['XX']],
    [['GET']],
    [['KEEPTTL']],
    [['EX']],
    [['FOO']],
  ])('refuses options %j with a syntax error, even on a missing key', (options) => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v', 'EX', '10');
    expect(ctx.run('GETEX', 'k', ...options)).toEqual(syntaxError);
    expect(ctx.run('GETEX', 'missing', ...options)).toEqual(syntaxError);
    expect(pttl(ctx, 'k')).toBe(10_000);
  });

  it('allows PERSIST and the same expire option to repeat', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v', 'EX', '10');
    expect(ctx.run('GETEX', 'k', 'PERSIST', 'persist')).toEqual(b('v'));
    expect(pttl(ctx, 'k')).toBe(-1);
    expect(ctx.run('GETEX', 'k', 'PX', '5', 'PX', '9')).toEqual(b('v'));
    expect(pttl(ctx, 'k')).toBe(9);
  });

  it('reports a bad time on an existing key, in its own name', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v', 'EX', '10');
    expect(ctx.run('GETEX', 'k', 'EX', '0')).toEqual(invalidExpire('getex'));
    expect(ctx.run('GETEX', 'k', 'PX', '-1')).toEqual(invalidExpire('getex'));
    expect(ctx.run('GETEX', 'k', 'EX', '9223372036854776')).toEqual(invalidExpire('getex'));
    expect(ctx.run('GETEX', 'k', 'EX', 'soon')).toEqual(notInteger);
    expect(pttl(ctx, 'k')).toBe(10_000);
  });

  it('answers nil on a missing key without looking at the time, as Redis does', () => {
    const ctx = createTestContext();
    expect(ctx.run('GETEX', 'missing', 'EX', '0')).toEqual(NIL);
    expect(ctx.run('GETEX', 'missing', 'EX', 'soon')).toEqual(NIL);
    expect(exists(ctx, 'missing')).toBe(false);
  });
});

describe('MGET', () => {
  it('returns one value or nil per key, in order, repeats included', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'a', '1');
    ctx.run('SET', 'b', '2');
    ctx.run('SET', 'e', 'x', 'PX', '1');
    ctx.clock.advance(2);
    expect(ctx.run('MGET', 'a', 'missing', 'b', 'e', 'a')).toEqual(array([b('1'), NIL, b('2'), NIL, b('1')]));
    expect(ctx.run('MGET', 'nothing')).toEqual(array([NIL]));
  });
});

describe('MSET and MSETNX', () => {
  it('MSET sets every pair, later pairs win, and expiries are cleared', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'a', 'old', 'EX', '10');
    expect(ctx.run('MSET', 'a', '1', 'b', '2', 'a', '3')).toEqual(OK);
    expect(ctx.run('MGET', 'a', 'b')).toEqual(array([b('3'), b('2')]));
    expect(pttl(ctx, 'a')).toBe(-1);
  });

  it('an odd number of arguments is the command arity error, and nothing is set', () => {
    const ctx = createTestContext();
    expect(ctx.run('MSET', 'a', '1', 'b')).toEqual(wrongArity('mset'));
    expect(ctx.run('MSETNX', 'a', '1', 'b')).toEqual(wrongArity('msetnx'));
    expect(exists(ctx, 'a')).toBe(false);
  });

  it('MSETNX sets all keys (1) only when none exists, else nothing (0)', () => {
    const ctx = createTestContext();
    expect(ctx.run('MSETNX', 'a', '1', 'b', '2')).toEqual(ONE);
    expect(ctx.run('MSETNX', 'c', '3', 'b', 'x')).toEqual(ZERO);
    expect(ctx.run('MGET', 'a', 'b', 'c')).toEqual(array([b('1'), b('2'), NIL]));
  });

  it('MSETNX sees an expired key as missing, and a key named twice keeps the last value', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'a', 'old', 'PX', '1');
    ctx.clock.advance(2);
    expect(ctx.run('MSETNX', 'a', '1', 'a', '2')).toEqual(ONE);
    expect(ctx.run('GET', 'a')).toEqual(b('2'));
    expect(pttl(ctx, 'a')).toBe(-1);
  });
});

describe('APPEND and STRLEN', () => {
  it('APPEND creates the key, appends bytes and returns the new length', () => {
    const ctx = createTestContext();
    expect(ctx.run('APPEND', 'k', 'Hello')).toEqual(integer(5));
    expect(ctx.run('APPEND', 'k', ' World')).toEqual(integer(11));
    expect(ctx.run('GET', 'k')).toEqual(b('Hello World'));
    expect(ctx.run('APPEND', 'k', '')).toEqual(integer(11));
    expect(ctx.run('APPEND', 'bin', Uint8Array.from([0, 0xff]))).toEqual(integer(2));
    expect(ctx.run('GET', 'bin')).toEqual(bulk(Buffer.from([0, 0xff])));
  });

  it('APPEND keeps the expiry; on an expired key it starts afresh', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'a', 'PX', '100');
    expect(ctx.run('APPEND', 'k', 'b')).toEqual(integer(2));
    expect(pttl(ctx, 'k')).toBe(100);
    ctx.clock.advance(101);
    expect(ctx.run('APPEND', 'k', 'c')).toEqual(integer(1));
    expect(pttl(ctx, 'k')).toBe(-1);
  });

  it('APPEND of an empty string to a missing key creates an empty value', () => {
    const ctx = createTestContext();
    expect(ctx.run('APPEND', 'k', '')).toEqual(integer(0));
    expect(exists(ctx, 'k')).toBe(true);
  });

  it('STRLEN counts bytes, 0 for a missing key', () => {
    const ctx = createTestContext();
    expect(ctx.run('STRLEN', 'k')).toEqual(integer(0));
    ctx.run('SET', 'k', 'héllo');
    expect(ctx.run('STRLEN', 'k')).toEqual(integer(6));
  });
});

describe('INCR, DECR, INCRBY, DECRBY', () => {
  it('treat a missing key as 0 and reply the new value', () => {
    const ctx = createTestContext();
    expect(
      runAll(ctx, ['INCR', 'a'], ['INCR', 'a'], ['DECR', 'b'], ['INCRBY', 'c', '-7'], ['DECRBY', 'd', '5']),
    ).toEqual([integer(1n), integer(2n), integer(-1n), integer(-7n), integer(-5n)]);
    expect(ctx.run('INCRBY', 'a', '40')).toEqual(integer(42n));
    expect(ctx.run('DECRBY', 'a', '-8')).toEqual(integer(50n));
    expect(ctx.run('GET', 'a')).toEqual(b('50'));
  });

  it('keep the expiry', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', '10', 'EX', '100');
    ctx.run('INCR', 'k');
    ctx.run('DECRBY', 'k', '3');
    expect(pttl(ctx, 'k')).toBe(100_000);
    expect(ctx.run('GET', 'k')).toEqual(b('8'));
  });

  it.each([['abc'], ['1.5'], [''], [' 1'], ['1 '], ['+1'], ['01'], ['-0'], ['9223372036854775808']])(
    'refuse a stored value %j that is not a canonical int64, leaving it unchanged',
    (value) => {
      const ctx = createTestContext();
      ctx.run('SET', 'k', value);
      expect(ctx.run('INCR', 'k')).toEqual(notInteger);
      expect(ctx.run('DECRBY', 'k', '1')).toEqual(notInteger);
      expect(ctx.run('GET', 'k')).toEqual(b(value));
    },
  );

  it.each([['abc'], ['1.0'], [''], ['+5'], ['9223372036854775808']])('refuse a delta %j', (delta) => {
    const ctx = createTestContext();
    expect(ctx.run('INCRBY', 'k', delta)).toEqual(notInteger);
    expect(ctx.run('DECRBY', 'k', delta)).toEqual(notInteger);
    expect(exists(ctx, 'k')).toBe(false);
  });

  it('refuse to overflow int64 in either direction', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'max', INT64_MAX);
    expect(ctx.run('INCR', 'max')).toEqual(overflow);
    expect(ctx.run('INCRBY', 'max', '1')).toEqual(overflow);
    expect(ctx.run('DECRBY', 'max', '-1')).toEqual(overflow);
    expect(ctx.run('GET', 'max')).toEqual(b(INT64_MAX));
    ctx.run('SET', 'min', INT64_MIN);
    expect(ctx.run('DECR', 'min')).toEqual(overflow);
    expect(ctx.run('INCRBY', 'min', '-1')).toEqual(overflow);
    expect(ctx.run('GET', 'min')).toEqual(b(INT64_MIN));
    expect(ctx.run('INCRBY', 'min', INT64_MAX)).toEqual(integer(-1n));
  });

  it('reach the int64 bounds exactly', () => {
    const ctx = createTestContext();
    expect(ctx.run('INCRBY', 'a', INT64_MAX)).toEqual(integer(2n ** 63n - 1n));
    expect(ctx.run('INCRBY', 'b', INT64_MIN)).toEqual(integer(-(2n ** 63n)));
    expect(ctx.run('DECRBY', 'c', '-9223372036854775807')).toEqual(integer(2n ** 63n - 1n));
    expect(ctx.run('GET', 'b')).toEqual(b(INT64_MIN));
  });

  it('DECRBY of int64 min is ERR decrement would overflow, before the key is looked at', () => {
    const ctx = createTestContext();
    expect(ctx.run('DECRBY', 'k', INT64_MIN)).toEqual(error('ERR decrement would overflow'));
    ctx.run('SET', 'k', 'not a number');
    expect(ctx.run('DECRBY', 'k', INT64_MIN)).toEqual(error('ERR decrement would overflow'));
    expect(ctx.run('GET', 'k')).toEqual(b('not a number'));
  });
});

describe('INCRBYFLOAT', () => {
  it('follows the redis.io examples', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'mykey', '10.50');
    expect(ctx.run('INCRBYFLOAT', 'mykey', '0.1')).toEqual(b('10.6'));
    expect(ctx.run('INCRBYFLOAT', 'mykey', '-5')).toEqual(b('5.6'));
    ctx.run('SET', 'mykey', '5.0e3');
    expect(ctx.run('INCRBYFLOAT', 'mykey', '2.0e2')).toEqual(b('5200'));
    expect(ctx.run('GET', 'mykey')).toEqual(b('5200'));
  });

  it('computes in long double as Redis 7.0 does (replies read from redis-server 7.0.15)', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', '4611686018427387903');
    expect(ctx.run('INCRBYFLOAT', 'k', '0')).toEqual(b('4611686018427387903'));
    ctx.run('SET', 'k', '1.3');
    expect(ctx.run('INCRBYFLOAT', 'k', '5.0e3')).toEqual(b('5001.29999999999999982'));
    ctx.run('SET', 'k', '-1');
    expect(ctx.run('INCRBYFLOAT', 'k', '1.1')).toEqual(b('0.1'));
    ctx.run('SET', 'k', '1000');
    expect(ctx.run('INCRBYFLOAT', 'k', '1.1')).toEqual(b('1001.09999999999999998'));
    ctx.run('DEL', 'k');
    expect(ctx.run('INCRBYFLOAT', 'k', '0x1p-18')).toEqual(b('0.00000381469726562')); // a tie: to even
    ctx.run('SET', 'k', '1');
    const big = ctx.run('INCRBYFLOAT', 'k', '-1e4932');
    expect(
      big.kind === 'bulk' && Buffer.from(big.value).toString().startsWith('-100000000000000000000601894'),
    ).toBe(true);
    expect(ctx.run('INCRBYFLOAT', 'k', '-1e4932')).toEqual(
      error('ERR increment would produce NaN or Infinity'),
    );
  });

  it('accepts 1e309, beyond a double (a long double reaches about 1.19e4932)', () => {
    const ctx = createTestContext();
    const reply = ctx.run('INCRBYFLOAT', 'k', '1e309');
    expect(reply.kind === 'bulk' && Buffer.from(reply.value).toString()).toBe(
      '999999999999999999986349424581256454766307763249906048699722933664407363742116431635427166600418245409398702382304152749971957328402423172341126484032370375772746974788657214625693651444984012739133113268869496442311034817571120406763557498021655642425941543468850939783228659030453659621446207643423114002432',
    );
  });

  it('treats a missing key as 0 and keeps the expiry', () => {
    const ctx = createTestContext();
    expect(ctx.run('INCRBYFLOAT', 'k', '1.5')).toEqual(b('1.5'));
    ctx.run('SET', 'e', '3', 'EX', '10');
    expect(ctx.run('INCRBYFLOAT', 'e', '1')).toEqual(b('4'));
    expect(pttl(ctx, 'e')).toBe(10_000);
  });

  it.each([['abc'], [''], [' 1'], ['1 '], ['nan'], ['1.5x'], ['1e5000'], ['1e-5000'], ['2\u0000']])(
    'refuses a delta %j',
    (delta) => {
      const ctx = createTestContext();
      expect(ctx.run('INCRBYFLOAT', 'k', delta)).toEqual(notFloat);
      expect(exists(ctx, 'k')).toBe(false);
    },
  );

  it('refuses a stored value that is not a float, leaving it unchanged', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'abc');
    expect(ctx.run('INCRBYFLOAT', 'k', '1')).toEqual(notFloat);
    expect(ctx.run('GET', 'k')).toEqual(b('abc'));
  });

  it('refuses a result that is infinite', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', '1');
    expect(ctx.run('INCRBYFLOAT', 'k', 'inf')).toEqual(error('ERR increment would produce NaN or Infinity'));
    expect(ctx.run('INCRBYFLOAT', 'k', '-inf')).toEqual(error('ERR increment would produce NaN or Infinity'));
    expect(ctx.run('GET', 'k')).toEqual(b('1'));
  });
});

describe('GETRANGE', () => {
  const text = 'This is a string';

  it.each([
    ['0', '3', 'This'],
    ['-3', '-1', 'ing'],
    ['0', '-1', text],
    ['10', '100', 'string'],
    ['5', '3', ''],
    ['-1', '-5', ''],
    ['-100', '2', 'Thi'],
    ['100', '200', ''],
    ['0', INT64_MAX, text],
    [INT64_MIN, '-1', text],
    [INT64_MIN, INT64_MIN, 'T'],
    ['-9223372036854775807', INT64_MIN, ''],
  ])('GETRANGE %s %s is %j', (start, end, result) => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', text);
    expect(ctx.run('GETRANGE', 'k', start, end)).toEqual(b(result));
  });

  it('is the empty string for a missing key or an empty value', () => {
    const ctx = createTestContext();
    expect(ctx.run('GETRANGE', 'missing', '0', '-1')).toEqual(EMPTY);
    ctx.run('SET', 'k', '');
    expect(ctx.run('GETRANGE', 'k', '0', '-1')).toEqual(EMPTY);
  });

  it('refuses non-integer indexes, even for a missing key', () => {
    const ctx = createTestContext();
    expect(ctx.run('GETRANGE', 'k', 'a', '1')).toEqual(notInteger);
    expect(ctx.run('GETRANGE', 'k', '0', '1.5')).toEqual(notInteger);
    expect(ctx.run('GETRANGE', 'k', '0', '9223372036854775808')).toEqual(notInteger);
  });
});

describe('SETRANGE', () => {
  it('overwrites from the offset and returns the new length (redis.io example)', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'key1', 'Hello World');
    expect(ctx.run('SETRANGE', 'key1', '6', 'Redis')).toEqual(integer(11));
    expect(ctx.run('GET', 'key1')).toEqual(b('Hello Redis'));
    expect(ctx.run('SETRANGE', 'key1', '9', 'dish!')).toEqual(integer(14));
    expect(ctx.run('GET', 'key1')).toEqual(b('Hello Reddish!'));
  });

  it('zero-pads a missing key (redis.io example)', () => {
    const ctx = createTestContext();
    expect(ctx.run('SETRANGE', 'key2', '6', 'Redis')).toEqual(integer(11));
    expect(ctx.run('GET', 'key2')).toEqual(bulk(Buffer.concat([Buffer.alloc(6), Buffer.from('Redis')])));
  });

  it('with an empty value changes nothing: 0 for a missing key (not created), else the length', () => {
    const ctx = createTestContext();
    expect(ctx.run('SETRANGE', 'k', '10', '')).toEqual(integer(0));
    expect(exists(ctx, 'k')).toBe(false);
    ctx.run('SET', 'k', 'abc');
    expect(ctx.run('SETRANGE', 'k', '10', '')).toEqual(integer(3));
    expect(ctx.run('GET', 'k')).toEqual(b('abc'));
  });

  it('keeps the expiry', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'abc', 'PX', '500');
    ctx.run('SETRANGE', 'k', '1', 'X');
    expect(pttl(ctx, 'k')).toBe(500);
    expect(ctx.run('GET', 'k')).toEqual(b('aXc'));
  });

  it('refuses a negative offset and a non-integer one', () => {
    const ctx = createTestContext();
    expect(ctx.run('SETRANGE', 'k', '-1', 'x')).toEqual(error('ERR offset is out of range'));
    expect(ctx.run('SETRANGE', 'k', INT64_MIN, '')).toEqual(error('ERR offset is out of range'));
    expect(ctx.run('SETRANGE', 'k', 'one', 'x')).toEqual(notInteger);
    expect(exists(ctx, 'k')).toBe(false);
  });

  it('refuses a result longer than proto-max-bulk-len (512 MiB)', () => {
    const ctx = createTestContext();
    const tooLong = error('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    expect(ctx.run('SETRANGE', 'k', String(512 * 1024 * 1024), 'x')).toEqual(tooLong);
    expect(ctx.run('SETRANGE', 'k', INT64_MAX, 'x')).toEqual(tooLong);
    expect(exists(ctx, 'k')).toBe(false);
    expect(ctx.run('SETRANGE', 'k', INT64_MAX, '')).toEqual(integer(0));
  });
});
