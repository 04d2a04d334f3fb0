// The keyspace (generic) commands through the real executor and store, with a fake clock: every command's
// semantics and every error line, compared with Redis 7's exact replies. Keys are set up through the store
// directly so these tests do not depend on the string commands.

import { beforeEach, describe, expect, it } from 'vitest';
import { array, bulkString, error, integer, NIL, status, type Reply } from '../../src/core/reply.js';
import { createTestContext, type TestContext } from '../support/context.js';

const OK_REPLY = status('OK');
const err = (message: string): Reply => error(message);
const SYNTAX = err('ERR syntax error');
const NOT_INTEGER = err('ERR value is not an integer or out of range');

let ctx: TestContext;
const b = (s: string | Uint8Array): Buffer => Buffer.from(s);

function put(key: string | Uint8Array, value = 'v', expireAt?: number): void {
  ctx.store.set(b(key), b(value), expireAt === undefined ? {} : { expireAt });
}

function value(key: string | Uint8Array): string | null {
  const v = ctx.store.get(b(key));
  return v === null ? null : v.toString('latin1');
}

/** The elements of an array reply of bulks, as latin1 strings. */
function strings(reply: Reply): string[] {
  if (reply.kind !== 'array') throw new Error(`expected an array, got ${JSON.stringify(reply)}`);
  return reply.value.map((r) => {
    if (r.kind !== 'bulk') throw new Error(`expected a bulk, got ${r.kind}`);
    return Buffer.from(r.value).toString('latin1');
  });
}

/** One SCAN call: [next cursor, keys], checking the reply's exact shape. */
function scanOnce(...argv: string[]): [string, string[]] {
  const reply = ctx.run('SCAN', ...argv);
  if (reply.kind !== 'array' || reply.value.length !== 2)
    throw new Error(`bad SCAN reply ${JSON.stringify(reply)}`);
  const [cursor, keys] = reply.value;
  if (cursor.kind !== 'bulk') throw new Error('SCAN cursor must be a bulk string');
  return [Buffer.from(cursor.value).toString('latin1'), strings(keys)];
}

/** A full SCAN iteration; fails if it does not end within `maxCalls`. `between` runs after each call. */
function scanAll(options: string[] = [], between?: (call: number) => void, maxCalls = 100_000): string[] {
  const seen: string[] = [];
  let cursor = '0';
  for (let call = 0; call < maxCalls; call++) {
    const [next, keys] = scanOnce(cursor, ...options);
    seen.push(...keys);
    if (next === '0') return seen;
    expect(next).toMatch(/^[1-9][0-9]*$/);
    cursor = next;
    between?.(call);
  }
  throw new Error('SCAN did not finish');
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

beforeEach(() => {
  ctx = createTestContext();
});

describe('command metadata (Redis 7 COMMAND INFO)', () => {
  const expected: [string, number, string[], [number, number, number], string, string][] = [
    ['del', -2, ['write'], [1, -1, 1], 'generic', '1.0.0'],
    ['unlink', -2, ['write', 'fast'], [1, -1, 1], 'generic', '4.0.0'],
    ['exists', -2, ['readonly', 'fast'], [1, -1, 1], 'generic', '1.0.0'],
    ['type', 2, ['readonly', 'fast'], [1, 1, 1], 'generic', '1.0.0'],
    ['expire', -3, ['write', 'fast'], [1, 1, 1], 'generic', '1.0.0'],
    ['pexpire', -3, ['write', 'fast'], [1, 1, 1], 'generic', '2.6.0'],
    ['expireat', -3, ['write', 'fast'], [1, 1, 1], 'generic', '1.2.0'],
    ['pexpireat', -3, ['write', 'fast'], [1, 1, 1], 'generic', '2.6.0'],
    ['ttl', 2, ['readonly', 'fast'], [1, 1, 1], 'generic', '1.0.0'],
    ['pttl', 2, ['readonly', 'fast'], [1, 1, 1], 'generic', '2.6.0'],
    ['expiretime', 2, ['readonly', 'fast'], [1, 1, 1], 'generic', '7.0.0'],
    ['pexpiretime', 2, ['readonly', 'fast'], [1, 1, 1], 'generic', '7.0.0'],
    ['persist', 2, ['write', 'fast'], [1, 1, 1], 'generic', '2.2.0'],
    ['keys', 2, ['readonly'], [0, 0, 0], 'generic', '1.0.0'],
    ['scan', -2, ['readonly'], [0, 0, 0], 'generic', '2.8.0'],
    ['randomkey', 1, ['readonly'], [0, 0, 0], 'generic', '1.0.0'],
    ['rename', 3, ['write'], [1, 2, 1], 'generic', '1.0.0'],
    ['renamenx', 3, ['write', 'fast'], [1, 2, 1], 'generic', '1.0.0'],
    ['copy', -3, ['write', 'denyoom'], [1, 2, 1], 'generic', '6.2.0'],
    ['dbsize', 1, ['readonly', 'fast'], [0, 0, 0], 'server', '1.0.0'],
    ['flushdb', -1, ['write'], [0, 0, 0], 'server', '1.0.0'],
    ['flushall', -1, ['write'], [0, 0, 0], 'server', '1.0.0'],
  ];
  it.each(expected)('%s', (name, arity, flags, keys, group, since) => {
    const spec = ctx.server.commands.lookup(name);
    expect(spec).toBeDefined();
    expect(spec?.arity).toBe(arity);
    expect(spec?.flags).toEqual(flags);
    expect(spec?.keys).toEqual(keys);
    expect(spec?.group).toBe(group);
    expect(spec?.since).toBe(since);
    expect(spec?.syntax.split(' ')[0]).toBe(name.toUpperCase());
  });

  it('arity is checked centrally for every keyspace command', () => {
    for (const argv of [
      ['DEL'],
      ['unlink'],
      ['EXISTS'],
      ['TYPE'],
      ['TYPE', 'a', 'b'],
      ['EXPIRE', 'k'],
      ['PEXPIREAT', 'k'],
    ]) {
      expect(ctx.run(...argv)).toEqual(
        err(`ERR wrong number of arguments for '${argv[0].toLowerCase()}' command`),
      );
    }
    expect(ctx.run('TTL')).toEqual(err("ERR wrong number of arguments for 'ttl' command"));
    expect(ctx.run('PERSIST', 'a', 'b')).toEqual(err("ERR wrong number of arguments for 'persist' command"));
    expect(ctx.run('KEYS')).toEqual(err("ERR wrong number of arguments for 'keys' command"));
    expect(ctx.run('KEYS', '*', '*')).toEqual(err("ERR wrong number of arguments for 'keys' command"));
    expect(ctx.run('SCAN')).toEqual(err("ERR wrong number of arguments for 'scan' command"));
    expect(ctx.run('RANDOMKEY', 'x')).toEqual(err("ERR wrong number of arguments for 'randomkey' command"));
    expect(ctx.run('RENAME', 'a')).toEqual(err("ERR wrong number of arguments for 'rename' command"));
    expect(ctx.run('RENAMENX', 'a', 'b', 'c')).toEqual(
      err("ERR wrong number of arguments for 'renamenx' command"),
    );
    expect(ctx.run('COPY', 'a')).toEqual(err("ERR wrong number of arguments for 'copy' command"));
    expect(ctx.run('DBSIZE', 'x')).toEqual(err("ERR wrong number of arguments for 'dbsize' command"));
  });
});

describe('DEL / UNLINK / EXISTS / TYPE', () => {
  it('DEL counts the keys it removed; a key named twice is removed once', () => {
    put('a');
    put('b');
    expect(ctx.run('DEL', 'a', 'b', 'c', 'a')).toEqual(integer(2));
    expect(ctx.run('EXISTS', 'a', 'b')).toEqual(integer(0));
    expect(ctx.run('DEL', 'a')).toEqual(integer(0));
  });

  it('UNLINK behaves as DEL', () => {
    put('a');
    put('b');
    expect(ctx.run('UNLINK', 'a', 'x', 'b')).toEqual(integer(2));
    expect(value('a')).toBeNull();
    expect(ctx.run('unlink', 'a')).toEqual(integer(0));
  });

  it('EXISTS counts a key as often as it is named', () => {
    put('a');
    expect(ctx.run('EXISTS', 'a', 'a', 'nope', 'a')).toEqual(integer(3));
    expect(ctx.run('EXISTS', 'nope')).toEqual(integer(0));
  });

  it('binary keys are distinct byte strings', () => {
    const k1 = Uint8Array.from([0xff, 0x00, 0x0a]);
    const k2 = Uint8Array.from([0xff, 0x00]);
    put(k1);
    expect(ctx.run('EXISTS', k1, k2)).toEqual(integer(1));
    expect(ctx.run('DEL', k2)).toEqual(integer(0));
    expect(ctx.run('DEL', k1)).toEqual(integer(1));
  });

  it('TYPE is string or none, as a status reply', () => {
    put('a');
    expect(ctx.run('TYPE', 'a')).toEqual(status('string'));
    expect(ctx.run('TYPE', 'nope')).toEqual(status('none'));
  });

  // Redis's keyIsExpired is `now > when`: a key still exists at its deadline and is gone 1 ms later.
  it('an expired key no longer exists for DEL, EXISTS and TYPE', () => {
    put('a', 'v', ctx.clock.now + 100);
    put('b', 'v', ctx.clock.now + 100);
    ctx.clock.advance(100);
    expect(ctx.run('EXISTS', 'a')).toEqual(integer(1));
    ctx.clock.advance(1);
    expect(ctx.run('EXISTS', 'a')).toEqual(integer(0));
    expect(ctx.run('TYPE', 'a')).toEqual(status('none'));
    expect(ctx.run('DEL', 'b')).toEqual(integer(0));
  });
});

describe('EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT', () => {
  it('EXPIRE sets a deadline in seconds; the key disappears when it passes', () => {
    put('k');
    expect(ctx.run('EXPIRE', 'k', '10')).toEqual(integer(1));
    expect(ctx.run('TTL', 'k')).toEqual(integer(10));
    expect(ctx.run('PTTL', 'k')).toEqual(integer(10_000));
    ctx.clock.advance(9_999);
    expect(ctx.run('PTTL', 'k')).toEqual(integer(1));
    ctx.clock.advance(1);
    // At the deadline itself the key still exists (keyIsExpired is now > when), with 0 ms left.
    expect(ctx.run('PTTL', 'k')).toEqual(integer(0));
    expect(ctx.run('TTL', 'k')).toEqual(integer(0));
    ctx.clock.advance(1);
    expect(ctx.run('EXISTS', 'k')).toEqual(integer(0));
    expect(ctx.run('TTL', 'k')).toEqual(integer(-2));
  });

  it('PEXPIRE, EXPIREAT and PEXPIREAT set the same absolute deadline', () => {
    const now = ctx.clock.now;
    put('a');
    put('b');
    put('c');
    expect(ctx.run('PEXPIRE', 'a', '1500')).toEqual(integer(1));
    expect(ctx.run('PEXPIRETIME', 'a')).toEqual(integer(now + 1500));
    expect(ctx.run('EXPIREAT', 'b', String(now / 1000 + 20))).toEqual(integer(1));
    expect(ctx.run('PEXPIRETIME', 'b')).toEqual(integer(now + 20_000));
    expect(ctx.run('PEXPIREAT', 'c', String(now + 1234))).toEqual(integer(1));
    expect(ctx.run('PTTL', 'c')).toEqual(integer(1234));
  });

  it('a missing key answers 0', () => {
    for (const cmd of ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']) {
      expect(ctx.run(cmd, 'nope', '100')).toEqual(integer(0));
    }
    expect(ctx.run('EXISTS', 'nope')).toEqual(integer(0));
  });

  it('a deadline not in the future deletes the key and answers 1', () => {
    put('a');
    put('b');
    put('c');
    put('d');
    put('e');
    expect(ctx.run('EXPIRE', 'a', '0')).toEqual(integer(1));
    expect(ctx.run('PEXPIRE', 'b', '-1')).toEqual(integer(1));
    expect(ctx.run('EXPIREAT', 'c', '1')).toEqual(integer(1));
    expect(ctx.run('PEXPIREAT', 'd', String(ctx.clock.now))).toEqual(integer(1));
    expect(ctx.run('EXISTS', 'a', 'b', 'c', 'd')).toEqual(integer(0));
    expect(ctx.run('PEXPIREAT', 'e', String(ctx.clock.now + 1))).toEqual(integer(1));
    expect(ctx.run('EXISTS', 'e')).toEqual(integer(1));
  });

  it('replaces an earlier deadline without options', () => {
    put('k', 'v', ctx.clock.now + 100_000);
    expect(ctx.run('EXPIRE', 'k', '5')).toEqual(integer(1));
    expect(ctx.run('TTL', 'k')).toEqual(integer(5));
  });

  it('the time must be a Redis integer', () => {
    put('k');
    for (const bad of [
      'abc',
      '10.5',
      ' 10',
      '+10',
      '1e3',
      '',
      '9223372036854775808',
      '-9223372036854775809',
    ]) {
      expect(ctx.run('EXPIRE', 'k', bad)).toEqual(NOT_INTEGER);
      expect(ctx.run('PEXPIREAT', 'k', bad)).toEqual(NOT_INTEGER);
    }
    expect(ctx.run('TTL', 'k')).toEqual(integer(-1));
  });

  describe('NX XX GT LT', () => {
    it('NX: only when the key has no expiry', () => {
      put('k');
      expect(ctx.run('EXPIRE', 'k', '100', 'NX')).toEqual(integer(1));
      expect(ctx.run('EXPIRE', 'k', '200', 'nx')).toEqual(integer(0));
      expect(ctx.run('TTL', 'k')).toEqual(integer(100));
    });

    it('XX: only when the key has an expiry', () => {
      put('k');
      expect(ctx.run('EXPIRE', 'k', '100', 'XX')).toEqual(integer(0));
      expect(ctx.run('TTL', 'k')).toEqual(integer(-1));
      ctx.run('EXPIRE', 'k', '100');
      expect(ctx.run('EXPIRE', 'k', '200', 'xx')).toEqual(integer(1));
      expect(ctx.run('TTL', 'k')).toEqual(integer(200));
    });

    it('GT: only a later deadline; no expiry counts as infinite', () => {
      put('k');
      expect(ctx.run('EXPIRE', 'k', '100', 'GT')).toEqual(integer(0));
      expect(ctx.run('TTL', 'k')).toEqual(integer(-1));
      ctx.run('EXPIRE', 'k', '100');
      expect(ctx.run('EXPIRE', 'k', '50', 'GT')).toEqual(integer(0));
      expect(ctx.run('EXPIRE', 'k', '100', 'GT')).toEqual(integer(0));
      expect(ctx.run('EXPIRE', 'k', '200', 'gt')).toEqual(integer(1));
      expect(ctx.run('TTL', 'k')).toEqual(integer(200));
    });

    it('LT: only an earlier deadline; a key without expiry takes any', () => {
      put('k');
      expect(ctx.run('EXPIRE', 'k', '100', 'LT')).toEqual(integer(1));
      expect(ctx.run('EXPIRE', 'k', '200', 'LT')).toEqual(integer(0));
      expect(ctx.run('EXPIRE', 'k', '100', 'LT')).toEqual(integer(0));
      expect(ctx.run('EXPIRE', 'k', '50', 'lt')).toEqual(integer(1));
      expect(ctx.run('TTL', 'k')).toEqual(integer(50));
    });

    it('XX GT and XX LT both need an existing expiry', () => {
      put('k');
      expect(ctx.run('EXPIRE', 'k', '100', 'XX', 'GT')).toEqual(integer(0));
      expect(ctx.run('EXPIRE', 'k', '100', 'XX', 'LT')).toEqual(integer(0));
      expect(ctx.run('TTL', 'k')).toEqual(integer(-1));
      ctx.run('EXPIRE', 'k', '100');
      expect(ctx.run('EXPIRE', 'k', '50', 'GT', 'XX')).toEqual(integer(0));
      expect(ctx.run('EXPIRE', 'k', '150', 'GT', 'XX')).toEqual(integer(1));
      expect(ctx.run('EXPIRE', 'k', '200', 'LT', 'XX')).toEqual(integer(0));
      expect(ctx.run('EXPIRE', 'k', '20', 'LT', 'XX')).toEqual(integer(1));
      expect(ctx.run('TTL', 'k')).toEqual(integer(20));
    });

    it('options may repeat', () => {
      put('k');
      expect(ctx.run('EXPIRE', 'k', '100', 'NX', 'nx')).toEqual(integer(1));
    });

    it('a failed condition leaves a past deadline unapplied; a passed one deletes the key', () => {
      put('k');
      expect(ctx.run('EXPIRE', 'k', '-10', 'GT')).toEqual(integer(0));
      expect(ctx.run('EXPIRE', 'k', '-10', 'XX')).toEqual(integer(0));
      expect(ctx.run('EXISTS', 'k')).toEqual(integer(1));
      expect(ctx.run('EXPIRE', 'k', '-10', 'LT')).toEqual(integer(1));
      expect(ctx.run('EXISTS', 'k')).toEqual(integer(0));
    });

    it('incompatible options, with Redis 7 messages', () => {
      put('k');
      const nx = err('ERR NX and XX, GT or LT options at the same time are not compatible');
      const gtlt = err('ERR GT and LT options at the same time are not compatible');
      expect(ctx.run('EXPIRE', 'k', '10', 'NX', 'XX')).toEqual(nx);
      expect(ctx.run('EXPIRE', 'k', '10', 'NX', 'GT')).toEqual(nx);
      expect(ctx.run('PEXPIRE', 'k', '10', 'LT', 'NX')).toEqual(nx);
      expect(ctx.run('EXPIREAT', 'k', '10', 'GT', 'LT')).toEqual(gtlt);
      expect(ctx.run('PEXPIREAT', 'k', '10', 'XX', 'GT', 'LT')).toEqual(gtlt);
      expect(ctx.run('EXPIRE', 'k', '10', 'NX', 'GT', 'LT')).toEqual(nx);
      expect(ctx.run('TTL', 'k')).toEqual(integer(-1));
    });

    it('an unknown option is named as given', () => {
      put('k');
      expect(ctx.run('EXPIRE', 'k', '10', 'foo')).toEqual(err('ERR Unsupported option foo'));
      expect(ctx.run('PEXPIRE', 'k', '10', 'NX', 'Bar')).toEqual(err('ERR Unsupported option Bar'));
      expect(ctx.run('EXPIRE', 'k', '10', 'NX', 'NXX')).toEqual(err('ERR Unsupported option NXX'));
    });

    it('options are checked before the time argument', () => {
      put('k');
      expect(ctx.run('EXPIRE', 'k', 'abc', 'foo')).toEqual(err('ERR Unsupported option foo'));
      expect(ctx.run('EXPIRE', 'k', 'abc', 'NX', 'XX')).toEqual(
        err('ERR NX and XX, GT or LT options at the same time are not compatible'),
      );
      expect(ctx.run('EXPIRE', 'k', 'abc', 'NX')).toEqual(NOT_INTEGER);
    });
  });

  describe('overflow (expireGenericCommand)', () => {
    it('EXPIRE: seconds that overflow as milliseconds, or once now is added', () => {
      put('foo');
      const e = err("ERR invalid expire time in 'expire' command");
      expect(ctx.run('EXPIRE', 'foo', '9223370399119966')).toEqual(e); // when > LLONG_MAX - now
      expect(ctx.run('EXPIRE', 'foo', '9223372036854776')).toEqual(e); // when > LLONG_MAX / 1000
      expect(ctx.run('EXPIRE', 'foo', '10000000000000000')).toEqual(e);
      expect(ctx.run('EXPIRE', 'foo', '18446744073709561')).toEqual(e);
      expect(ctx.run('EXPIRE', 'foo', '-9223372036854776')).toEqual(e); // when < LLONG_MIN / 1000
      expect(ctx.run('EXPIRE', 'foo', '-9999999999999999')).toEqual(e);
      expect(ctx.run('TTL', 'foo')).toEqual(integer(-1));
    });

    it('the error names the command', () => {
      put('foo');
      expect(ctx.run('PEXPIRE', 'foo', '9223372036854770000')).toEqual(
        err("ERR invalid expire time in 'pexpire' command"),
      );
      expect(ctx.run('EXPIREAT', 'foo', '9223372036854776')).toEqual(
        err("ERR invalid expire time in 'expireat' command"),
      );
      expect(ctx.run('expire', 'foo', '9223372036854776')).toEqual(
        err("ERR invalid expire time in 'expire' command"),
      );
    });

    it('overflow is checked even for a missing key', () => {
      expect(ctx.run('EXPIRE', 'nope', '9223372036854776')).toEqual(
        err("ERR invalid expire time in 'expire' command"),
      );
    });

    it('PEXPIREAT takes the whole int64 range: far future keeps, far past deletes', () => {
      put('foo');
      expect(ctx.run('PEXPIREAT', 'foo', '9223372036854770000')).toEqual(integer(1));
      const ttl = ctx.run('TTL', 'foo');
      expect(ttl.kind).toBe('integer');
      expect(Number((ttl as { value: number }).value)).toBeGreaterThan(9e15);
      expect(ctx.run('PEXPIREAT', 'foo', '-9223372036854770000')).toEqual(integer(1));
      expect(ctx.run('TTL', 'foo')).toEqual(integer(-2));
    });

    it('EXPIREAT at the largest seconds that fit', () => {
      put('foo');
      expect(ctx.run('EXPIREAT', 'foo', '9223372036854775')).toEqual(integer(1));
      expect(ctx.run('EXISTS', 'foo')).toEqual(integer(1));
    });
  });
});

describe('TTL / PTTL / EXPIRETIME / PEXPIRETIME / PERSIST', () => {
  it('-2 for a missing key, -1 for a key without expiry', () => {
    put('k');
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) {
      expect(ctx.run(cmd, 'nope')).toEqual(integer(-2));
      expect(ctx.run(cmd, 'k')).toEqual(integer(-1));
    }
  });

  it('TTL rounds the milliseconds left to the nearest second, (ms + 500) / 1000', () => {
    const cases: [number, number][] = [
      [1, 0],
      [499, 0],
      [500, 1],
      [1499, 1],
      [1500, 2],
      [2000, 2],
      [10_499, 10],
    ];
    for (const [ms, seconds] of cases) {
      put('k', 'v', ctx.clock.now + ms);
      expect(ctx.run('TTL', 'k')).toEqual(integer(seconds));
      expect(ctx.run('PTTL', 'k')).toEqual(integer(ms));
    }
  });

  it('TTL counts down with the clock', () => {
    put('k');
    ctx.run('EXPIRE', 'k', '3');
    ctx.clock.advance(1_400);
    expect(ctx.run('TTL', 'k')).toEqual(integer(2));
    ctx.clock.advance(200);
    expect(ctx.run('TTL', 'k')).toEqual(integer(1));
    expect(ctx.run('PTTL', 'k')).toEqual(integer(1_400));
  });

  // ttlGenericCommand (expire.c) rounds EXPIRETIME as it rounds TTL: (ms + 500) / 1000.
  it('EXPIRETIME rounds the absolute deadline to the nearest second; PEXPIRETIME is exact', () => {
    const at = 1_700_000_012_999;
    put('k', 'v', at);
    expect(ctx.run('EXPIRETIME', 'k')).toEqual(integer(1_700_000_013));
    put('k', 'v', 1_700_000_012_499);
    expect(ctx.run('EXPIRETIME', 'k')).toEqual(integer(1_700_000_012));
    put('k', 'v', at);
    expect(ctx.run('PEXPIRETIME', 'k')).toEqual(integer(at));
    ctx.clock.advance(5_000);
    expect(ctx.run('PEXPIRETIME', 'k')).toEqual(integer(at));
  });

  it('PERSIST removes an expiry: 1 when it did, 0 otherwise', () => {
    put('k');
    expect(ctx.run('PERSIST', 'k')).toEqual(integer(0));
    expect(ctx.run('PERSIST', 'nope')).toEqual(integer(0));
    ctx.run('EXPIRE', 'k', '10');
    expect(ctx.run('PERSIST', 'k')).toEqual(integer(1));
    expect(ctx.run('TTL', 'k')).toEqual(integer(-1));
    ctx.clock.advance(20_000);
    expect(value('k')).toBe('v');
    expect(ctx.run('PERSIST', 'k')).toEqual(integer(0));
  });

  it('PERSIST on an expired key answers 0', () => {
    put('k', 'v', ctx.clock.now + 10);
    ctx.clock.advance(11);
    expect(ctx.run('PERSIST', 'k')).toEqual(integer(0));
  });
});

describe('KEYS', () => {
  const names = ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'hbllo', 'hillo', 'h*llo', 'h?llo', 'other'];
  beforeEach(() => names.forEach((n) => put(n)));
  const keys = (pattern: string): string[] => sorted(strings(ctx.run('KEYS', pattern)));

  it('* lists every key', () => {
    expect(keys('*')).toEqual(sorted(names));
  });

  it('? matches one byte', () => {
    expect(keys('h?llo')).toEqual(sorted(['hello', 'hallo', 'hxllo', 'hbllo', 'hillo', 'h*llo', 'h?llo']));
  });

  it('* matches any run, including none', () => {
    expect(keys('h*llo')).toEqual(
      sorted(['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'hbllo', 'hillo', 'h*llo', 'h?llo']),
    );
    expect(keys('*o*')).toEqual(sorted(names));
    expect(keys('*r')).toEqual(['other']);
  });

  it('[ae], [^e] and [a-b] classes', () => {
    expect(keys('h[ae]llo')).toEqual(['hallo', 'hello']);
    expect(keys('h[^e]llo')).toEqual(sorted(['hallo', 'hxllo', 'hbllo', 'hillo', 'h*llo', 'h?llo']));
    expect(keys('h[a-b]llo')).toEqual(['hallo', 'hbllo']);
  });

  it('backslash escapes a special character', () => {
    expect(keys('h\\*llo')).toEqual(['h*llo']);
    expect(keys('h\\?llo')).toEqual(['h?llo']);
  });

  it('matching is case-sensitive and whole-key', () => {
    expect(keys('HELLO')).toEqual([]);
    expect(keys('hell')).toEqual([]);
    expect(keys('nothing*')).toEqual([]);
    expect(ctx.run('KEYS', 'zzz')).toEqual(array([]));
  });

  it('binary keys are listed byte for byte; expired keys are not listed', () => {
    ctx.run('FLUSHALL');
    const binary = Uint8Array.from([0x00, 0xff, 0x0d, 0x0a]);
    put(binary);
    put('gone', 'v', ctx.clock.now + 5);
    ctx.clock.advance(6);
    expect(ctx.run('KEYS', '*')).toEqual(array([{ kind: 'bulk', value: Buffer.from(binary) }]));
  });
});

describe('SCAN', () => {
  it('an empty keyspace answers cursor 0 and no keys, with the exact reply shape', () => {
    expect(ctx.run('SCAN', '0')).toEqual(array([bulkString('0'), array([])]));
  });

  it('a few keys come back in one call with the default COUNT, as from a small Redis dict', () => {
    // Redis sizes its dict to the keys (5 keys: 8 buckets, one SCAN). Here the table starts at 64 segments of
    // 16 buckets, so a walk charged for empty segments took ~10 calls (redis-cli users saw cursor 134 and 2
    // keys first); segments without keys cost nothing now.
    for (const key of ['a', 'b', 'c', 'd', 'e']) put(key);
    const [cursor, keys] = scanOnce('0');
    expect(cursor).toBe('0');
    expect(sorted(keys)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('an iteration over a keyspace emptied midway ends with cursor 0', () => {
    for (let i = 0; i < 200; i++) put(`k${i}`);
    const [cursor] = scanOnce('0', 'COUNT', '5');
    expect(cursor).not.toBe('0');
    ctx.run('FLUSHDB');
    expect(ctx.run('SCAN', cursor)).toEqual(array([bulkString('0'), array([])]));
  });

  it('a full iteration returns every key, with default COUNT and with COUNT 1, 7 and 1000', () => {
    const all = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      all.add(`key:${i}`);
      put(`key:${i}`);
    }
    for (const options of [[], ['COUNT', '1'], ['count', '7'], ['COUNT', '1000']]) {
      const seen = scanAll(options);
      expect(new Set(seen)).toEqual(all);
    }
  });

  it('a key present for the whole iteration is returned even while others come and go', () => {
    const stable = new Set<string>();
    for (let i = 0; i < 500; i++) {
      stable.add(`stable:${i}`);
      put(`stable:${i}`);
      put(`churn:${i}`);
    }
    let added = 0;
    const seen = scanAll(['COUNT', '10'], (call) => {
      ctx.run('DEL', `churn:${call}`);
      put(`new:${added++}`);
    });
    const seenSet = new Set(seen);
    for (const key of stable) expect(seenSet.has(key)).toBe(true);
  });

  it('MATCH filters by glob; COUNT and MATCH combine', () => {
    const expected = new Set<string>();
    for (let i = 0; i < 300; i++) {
      put(`user:${i}`);
      put(`order:${i}`);
      if (String(i).startsWith('1')) expected.add(`user:${i}`);
    }
    expect(new Set(scanAll(['MATCH', 'user:1*']))).toEqual(expected);
    expect(new Set(scanAll(['COUNT', '50', 'MATCH', 'user:1*']))).toEqual(expected);
    expect(scanAll(['MATCH', 'nothing:*'])).toEqual([]);
    expect(new Set(scanAll(['MATCH', '*'])).size).toBe(600);
  });

  it('TYPE string keeps every key (any case); any other type, known or not, matches none', () => {
    for (let i = 0; i < 50; i++) put(`k${i}`);
    expect(new Set(scanAll(['TYPE', 'string'])).size).toBe(50);
    expect(new Set(scanAll(['TYPE', 'STRING', 'COUNT', '5'])).size).toBe(50);
    expect(scanAll(['TYPE', 'hash'])).toEqual([]);
    expect(scanAll(['TYPE', 'list', 'COUNT', '3'])).toEqual([]);
    expect(scanAll(['TYPE', 'string1'])).toEqual([]);
  });

  it('expired keys are not returned', () => {
    for (let i = 0; i < 20; i++) put(`live${i}`);
    for (let i = 0; i < 20; i++) put(`dead${i}`, 'v', ctx.clock.now + 1);
    ctx.clock.advance(2);
    expect(sorted(scanAll(['COUNT', '3']))).toEqual(sorted(Array.from({ length: 20 }, (_, i) => `live${i}`)));
  });

  it('an invalid cursor is rejected before options are looked at', () => {
    const invalid = err('ERR invalid cursor');
    for (const bad of [
      'abc',
      '-1',
      '1.5',
      '',
      ' 1',
      '1 ',
      '0x10',
      '18446744073709551616',
      '99999999999999999999999',
    ]) {
      expect(ctx.run('SCAN', bad)).toEqual(invalid);
    }
    expect(ctx.run('SCAN', 'abc', 'COUNT', '0')).toEqual(invalid);
  });

  it('any unsigned 64-bit cursor is accepted', () => {
    put('a');
    for (const cursor of ['18446744073709551615', '00', '+0', '123456789']) {
      const reply = ctx.run('SCAN', cursor);
      expect(reply.kind).toBe('array');
    }
    expect(ctx.run('SCAN', '000', 'COUNT', '100')).toEqual(ctx.run('SCAN', '0', 'COUNT', '100'));
  });

  it('option errors', () => {
    put('a');
    expect(ctx.run('SCAN', '0', 'COUNT', '0')).toEqual(SYNTAX);
    expect(ctx.run('SCAN', '0', 'COUNT', '-5')).toEqual(SYNTAX);
    expect(ctx.run('SCAN', '0', 'COUNT', 'ten')).toEqual(NOT_INTEGER);
    expect(ctx.run('SCAN', '0', 'COUNT', '1.5')).toEqual(NOT_INTEGER);
    expect(ctx.run('SCAN', '0', 'COUNT')).toEqual(SYNTAX);
    expect(ctx.run('SCAN', '0', 'MATCH')).toEqual(SYNTAX);
    expect(ctx.run('SCAN', '0', 'TYPE')).toEqual(SYNTAX);
    expect(ctx.run('SCAN', '0', 'FOO', 'bar')).toEqual(SYNTAX);
    expect(ctx.run('SCAN', '0', 'MATCH', '*', 'COUNT', '0')).toEqual(SYNTAX);
    expect(ctx.run('SCAN', '0', 'COUNT', '0', 'FOO')).toEqual(SYNTAX);
    expect(ctx.run('SCAN', '0', 'COUNT', 'x', 'FOO')).toEqual(NOT_INTEGER);
  });

  it('a huge COUNT is a valid hint and returns everything', () => {
    for (let i = 0; i < 30; i++) put(`k${i}`);
    const [cursor, keys] = scanOnce('0', 'COUNT', '9223372036854775807');
    expect(cursor).toBe('0');
    expect(keys).toHaveLength(30);
  });
});

describe('RANDOMKEY', () => {
  it('nil on an empty keyspace', () => {
    expect(ctx.run('RANDOMKEY')).toEqual(NIL);
  });

  it('a key that exists', () => {
    put('only');
    expect(ctx.run('RANDOMKEY')).toEqual(bulkString('only'));
    put('other');
    for (let i = 0; i < 20; i++)
      expect(['only', 'other']).toContain(strings(array([ctx.run('RANDOMKEY')]))[0]);
  });

  it('never an expired key', () => {
    put('a', 'v', ctx.clock.now + 1);
    put('b', 'v', ctx.clock.now + 1);
    ctx.clock.advance(2);
    expect(ctx.run('RANDOMKEY')).toEqual(NIL);
  });
});

describe('RENAME / RENAMENX', () => {
  it('RENAME moves the value and its expiry, replacing the destination', () => {
    put('src', 'v1', ctx.clock.now + 5_000);
    put('dst', 'v2');
    expect(ctx.run('RENAME', 'src', 'dst')).toEqual(OK_REPLY);
    expect(value('src')).toBeNull();
    expect(value('dst')).toBe('v1');
    expect(ctx.run('PTTL', 'dst')).toEqual(integer(5_000));
  });

  it('RENAME clears the destination expiry when the source has none', () => {
    put('src', 'v1');
    put('dst', 'v2', ctx.clock.now + 5_000);
    expect(ctx.run('RENAME', 'src', 'dst')).toEqual(OK_REPLY);
    expect(ctx.run('TTL', 'dst')).toEqual(integer(-1));
  });

  it('RENAME of a missing or expired key: ERR no such key', () => {
    expect(ctx.run('RENAME', 'nope', 'dst')).toEqual(err('ERR no such key'));
    put('gone', 'v', ctx.clock.now + 1);
    ctx.clock.advance(2);
    expect(ctx.run('RENAME', 'gone', 'dst')).toEqual(err('ERR no such key'));
    expect(ctx.run('RENAMENX', 'nope', 'dst')).toEqual(err('ERR no such key'));
  });

  it('renaming a key to itself keeps it (RENAME OK, RENAMENX 0) but still needs the key', () => {
    put('k', 'v', ctx.clock.now + 5_000);
    expect(ctx.run('RENAME', 'k', 'k')).toEqual(OK_REPLY);
    expect(ctx.run('RENAMENX', 'k', 'k')).toEqual(integer(0));
    expect(value('k')).toBe('v');
    expect(ctx.run('PTTL', 'k')).toEqual(integer(5_000));
    expect(ctx.run('RENAME', 'nope', 'nope')).toEqual(err('ERR no such key'));
    expect(ctx.run('RENAMENX', 'nope', 'nope')).toEqual(err('ERR no such key'));
  });

  it('RENAMENX only when the destination does not exist', () => {
    put('a', '1');
    put('b', '2');
    expect(ctx.run('RENAMENX', 'a', 'b')).toEqual(integer(0));
    expect(value('a')).toBe('1');
    expect(value('b')).toBe('2');
    expect(ctx.run('RENAMENX', 'a', 'c')).toEqual(integer(1));
    expect(value('a')).toBeNull();
    expect(value('c')).toBe('1');
  });

  it('RENAMENX onto an expired destination succeeds', () => {
    put('a', '1');
    put('b', '2', ctx.clock.now + 1);
    ctx.clock.advance(2);
    expect(ctx.run('RENAMENX', 'a', 'b')).toEqual(integer(1));
    expect(value('b')).toBe('1');
  });

  it('binary key names', () => {
    const from = Uint8Array.from([0x00, 0xfe]);
    const to = Uint8Array.from([0xfe, 0x00]);
    put(from, 'x');
    expect(ctx.run('RENAME', from, to)).toEqual(OK_REPLY);
    expect(ctx.run('EXISTS', from, to)).toEqual(integer(1));
    expect(value(to)).toBe('x');
  });
});

describe('COPY', () => {
  it('copies the value and its expiry; the copy is independent', () => {
    put('src', 'sheep', ctx.clock.now + 7_000);
    expect(ctx.run('COPY', 'src', 'dst')).toEqual(integer(1));
    expect(value('dst')).toBe('sheep');
    expect(ctx.run('PTTL', 'dst')).toEqual(integer(7_000));
    put('src', 'goat');
    expect(value('dst')).toBe('sheep');
  });

  it('0 when the destination exists, unless REPLACE', () => {
    put('src', 'new');
    put('dst', 'old');
    expect(ctx.run('COPY', 'src', 'dst')).toEqual(integer(0));
    expect(value('dst')).toBe('old');
    expect(ctx.run('COPY', 'src', 'dst', 'replace')).toEqual(integer(1));
    expect(value('dst')).toBe('new');
  });

  it('REPLACE drops the destination expiry when the source has none', () => {
    put('src', 'new');
    put('dst', 'old', ctx.clock.now + 5_000);
    expect(ctx.run('COPY', 'src', 'dst', 'REPLACE')).toEqual(integer(1));
    expect(ctx.run('TTL', 'dst')).toEqual(integer(-1));
  });

  it('0 when the source is missing', () => {
    expect(ctx.run('COPY', 'nope', 'dst')).toEqual(integer(0));
    expect(ctx.run('COPY', 'nope', 'dst', 'REPLACE')).toEqual(integer(0));
    expect(ctx.run('EXISTS', 'dst')).toEqual(integer(0));
  });

  it('DB names the destination database, 0 to 15', () => {
    put('src', 'v');
    expect(ctx.run('COPY', 'src', 'dst', 'DB', '0')).toEqual(integer(1));
    expect(ctx.run('COPY', 'src', 'dst', 'db', '0', 'REPLACE')).toEqual(integer(1));
    expect(ctx.run('COPY', 'src', 'dst2', 'DB', '1')).toEqual(integer(1));
    expect(ctx.run('EXISTS', 'dst2')).toEqual(integer(0));
    expect(ctx.store.select(1).exists([b('dst2')])).toBe(1);
    expect(ctx.run('COPY', 'src', 'dst2', 'DB', '-1')).toEqual(err('ERR DB index is out of range'));
    expect(ctx.run('COPY', 'src', 'dst2', 'DB', '16')).toEqual(err('ERR DB index is out of range'));
  });

  it('DB must be an int (getIntFromObjectOrReply)', () => {
    put('src', 'v');
    expect(ctx.run('COPY', 'src', 'dst', 'DB', 'one')).toEqual(NOT_INTEGER);
    expect(ctx.run('COPY', 'src', 'dst', 'DB', '9223372036854775808')).toEqual(NOT_INTEGER);
    const range = err('ERR value is out of range, value must between -2147483648 and 2147483647');
    expect(ctx.run('COPY', 'src', 'dst', 'DB', '2147483648')).toEqual(range);
    expect(ctx.run('COPY', 'src', 'dst', 'DB', '-2147483649')).toEqual(range);
    expect(ctx.run('COPY', 'src', 'dst', 'DB', '9007199254740993')).toEqual(range);
    expect(ctx.run('COPY', 'src', 'dst', 'DB', '2147483647')).toEqual(err('ERR DB index is out of range'));
  });

  it('option errors are reported left to right', () => {
    put('src', 'v');
    expect(ctx.run('COPY', 'src', 'dst', 'DB')).toEqual(SYNTAX);
    expect(ctx.run('COPY', 'src', 'dst', 'FOO')).toEqual(SYNTAX);
    expect(ctx.run('COPY', 'src', 'dst', 'REPLACE', 'FOO')).toEqual(SYNTAX);
    expect(ctx.run('COPY', 'src', 'dst', 'DB', '16', 'FOO')).toEqual(err('ERR DB index is out of range'));
    expect(ctx.run('COPY', 'src', 'dst', 'DB', '1', 'FOO')).toEqual(SYNTAX);
    expect(ctx.run('COPY', 'src', 'dst', 'FOO', 'DB', '16')).toEqual(SYNTAX);
    expect(ctx.run('EXISTS', 'dst')).toEqual(integer(0));
  });

  it('source and destination the same key: an error, even when it does not exist', () => {
    put('k');
    expect(ctx.run('COPY', 'k', 'k')).toEqual(err('ERR source and destination objects are the same'));
    expect(ctx.run('COPY', 'nope', 'nope', 'REPLACE')).toEqual(
      err('ERR source and destination objects are the same'),
    );
    expect(ctx.run('COPY', 'k', 'k', 'DB', '0')).toEqual(
      err('ERR source and destination objects are the same'),
    );
    expect(ctx.run('COPY', 'k', 'k', 'DB', '1')).toEqual(integer(1)); // the same name in another database
  });
});

describe('DBSIZE / FLUSHDB / FLUSHALL', () => {
  it('DBSIZE counts keys', () => {
    expect(ctx.run('DBSIZE')).toEqual(integer(0));
    put('a');
    put('b');
    put('c');
    expect(ctx.run('DBSIZE')).toEqual(integer(3));
    ctx.run('DEL', 'b');
    expect(ctx.run('DBSIZE')).toEqual(integer(2));
  });

  it.each(['FLUSHDB', 'FLUSHALL'])('%s removes every key, with SYNC, ASYNC or nothing', (cmd) => {
    for (const option of [[], ['SYNC'], ['async'], ['ASYNC'], ['sync']]) {
      put('a');
      put('b', 'v', ctx.clock.now + 1000);
      expect(ctx.run(cmd, ...option)).toEqual(OK_REPLY);
      expect(ctx.run('DBSIZE')).toEqual(integer(0));
      expect(ctx.run('EXISTS', 'a', 'b')).toEqual(integer(0));
    }
  });

  it.each(['FLUSHDB', 'FLUSHALL'])('%s rejects anything else and keeps the keys', (cmd) => {
    put('a');
    expect(ctx.run(cmd, 'foo')).toEqual(SYNTAX);
    expect(ctx.run(cmd, 'SYNC', 'ASYNC')).toEqual(SYNTAX);
    expect(ctx.run(cmd, 'ASYNC', 'extra')).toEqual(SYNTAX);
    expect(ctx.run('DBSIZE')).toEqual(integer(1));
  });
});
