// Well-formed requests of every type's commands over a key space of three keys, for the sequence differential
// (differential-sequences.test.ts): every command may land on a key of any type, so WRONGTYPE paths, encoding
// conversions (with the listpack and intset limits lowered), expiry, blocking pops that find nothing within
// 0.01 s, transactions with queue-time and run-time errors, and the store-type commands (SINTERSTORE,
// ZUNIONSTORE, COPY, RENAME, LMOVE ...) that move data between types all meet. No random draws (SPOP,
// SRANDMEMBER, HRANDFIELD, ZRANDMEMBER, RANDOMKEY): their replies are the random source's, not the data's.

import fc from 'fast-check';
import type { Arg } from '../support/live-harness.js';

export type Argv = Arg[];

export const SEQUENCE_KEYS = ['k1', 'k2', 'k3'] as const;
const key = fc.constantFrom<Arg>(...SEQUENCE_KEYS);
const keys = (min: number, max: number) => fc.array(key, { minLength: min, maxLength: max });
const opt = <T>(a: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> => fc.oneof(fc.constant([] as T[]), a);

/** The limits both servers start with: a few elements convert a listpack or an intset. */
export const SEQUENCE_SETTINGS: Readonly<Record<string, string>> = {
  'hash-max-listpack-entries': '4',
  'hash-max-listpack-value': '8',
  'zset-max-listpack-entries': '4',
  'zset-max-listpack-value': '8',
  'set-max-intset-entries': '4',
  'proto-max-bulk-len': '1mb',
};

/** Values: integers (intset members, INCR targets), short and over-the-limit strings (9+ bytes), binary. */
const value = fc.constantFrom<Arg>(
  '1', '2', '3', '10', '-5', '007', 'a', 'b', 'c', 'hello', 'long-value-x', '', Buffer.from([0, 0xff]),
  '9223372036854775807', '1.5',
); // prettier-ignore
const values = (min: number, max: number) => fc.array(value, { minLength: min, maxLength: max });
const field = fc.constantFrom<Arg>('a', 'b', 'c', 'd', 'e', '1', 'long-field-y');
const int = fc.constantFrom<Arg>('0', '1', '2', '-1', '-2', '3', '5', '-100', '100', '9223372036854775807');
const incr = fc.constantFrom<Arg>('1', '-1', '5', '9223372036854775807', '-9223372036854775808', 'x');
const float = fc.constantFrom<Arg>(
  '0.1', '-0.1', '1e308', '-1e308', '5e-324', '1.5', '3.0', '-0', '1e-20', '123456789012345678901234567890',
  '2.5e15', 'inf', 'nan', '1e400',
); // prettier-ignore
/** Sorted set scores, infinities among them; `nan` is refused. */
const score = fc.constantFrom<Arg>('0', '1', '-1', '2.5', '1e-300', '-inf', '+inf', 'inf', '1e308', 'nan');
const weight = fc.constantFrom<Arg>('1', '0', '-1', '2', 'inf', '-inf', '0.5', 'nan');
const side = fc.constantFrom<Arg>('LEFT', 'RIGHT');
/** Relative times long enough that no key expires by the clock while a sequence runs. */
const longTtl = fc.constantFrom<Arg>('100', '1000', '0', '-1');

const strings: fc.Arbitrary<Argv> = fc.oneof(
  fc
    .tuple(
      key,
      value,
      opt(fc.constantFrom(['NX'], ['XX'])),
      opt(fc.constantFrom(['GET'])),
      opt(fc.constantFrom(['EX', '100'], ['PX', '100000'], ['KEEPTTL'], ['EXAT', '1'])),
    )
    .map(([k, v, a, b, c]): Argv => ['SET', k, v, ...a, ...b, ...c]),
  fc.tuple(fc.constantFrom('GET', 'STRLEN', 'GETDEL', 'INCR', 'DECR'), key).map((t): Argv => t),
  fc.tuple(key, value).map(([k, v]): Argv => ['APPEND', k, v]),
  fc.tuple(key, value).map(([k, v]): Argv => ['GETSET', k, v]),
  fc.tuple(key, value).map(([k, v]): Argv => ['SETNX', k, v]),
  fc.tuple(key, incr).map(([k, n]): Argv => ['INCRBY', k, n]),
  fc.tuple(key, float).map(([k, n]): Argv => ['INCRBYFLOAT', k, n]),
  // SETRANGE at and past proto-max-bulk-len (1 MiB here): an empty value only reads the length.
  fc
    .tuple(key, fc.constantFrom<[Arg, Arg]>(['0', 'xy'], ['5', 'z'], ['1048576', 'x'], ['1048575', ''], ['-1', 'x']))
    .map(([k, [o, v]]): Argv => ['SETRANGE', k, o, v]),
  fc.tuple(key, int, int).map(([k, s, e]): Argv => ['GETRANGE', k, s, e]),
  fc.tuple(key, opt(fc.constantFrom(['PERSIST'], ['EX', '100'], ['PXAT', '1']))).map(([k, o]): Argv => ['GETEX', k, ...o]),
  fc.tuple(key, value, key, value).map(([a, x, b, y]): Argv => ['MSET', a, x, b, y]),
  fc.tuple(key, value, key, value).map(([a, x, b, y]): Argv => ['MSETNX', a, x, b, y]),
  keys(1, 3).map((ks): Argv => ['MGET', ...ks]),
); // prettier-ignore

const bitType = fc.constantFrom<Arg>('u8', 'i8', 'i5', 'u3', 'u1', 'i64', 'u63');
const bitOffset = fc.constantFrom<Arg>('0', '3', '#1', '100', '8388600');
const bitfieldOp: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(bitType, bitOffset).map(([t, o]): Argv => ['GET', t, o]),
  fc.tuple(bitType, bitOffset, int).map(([t, o, v]): Argv => ['SET', t, o, v]),
  fc.tuple(bitType, bitOffset, incr).map(([t, o, v]): Argv => ['INCRBY', t, o, v]),
  fc.constantFrom<Argv>(['OVERFLOW', 'WRAP'], ['OVERFLOW', 'SAT'], ['OVERFLOW', 'FAIL']),
);
const bits: fc.Arbitrary<Argv> = fc.oneof(
  // 8388608 is the first bit past 1 MiB: refused under proto-max-bulk-len.
  fc
    .tuple(key, fc.constantFrom<Arg>('0', '7', '100', '8388608'), fc.constantFrom<Arg>('0', '1'))
    .map(([k, o, b]): Argv => ['SETBIT', k, o, b]),
  fc.tuple(key, fc.constantFrom<Arg>('0', '7', '100')).map(([k, o]): Argv => ['GETBIT', k, o]),
  fc
    .tuple(key, opt(fc.constantFrom(['0', '-1'], ['1', '1', 'BIT'], ['0', '0', 'BYTE'])))
    .map(([k, r]): Argv => ['BITCOUNT', k, ...r]),
  fc.tuple(key, fc.constantFrom<Arg>('0', '1')).map(([k, b]): Argv => ['BITPOS', k, b]),
  fc
    .tuple(key, fc.array(bitfieldOp, { minLength: 1, maxLength: 4 }))
    .map(([k, ops]): Argv => ['BITFIELD', k, ...ops.flat()]),
);

const lists: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX'), key, values(1, 4)).map(([c, k, vs]): Argv => [c, k, ...vs]),
  fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, opt(fc.constantFrom(['1'], ['3'], ['0']))).map(([c, k, n]): Argv => [c, k, ...n]),
  fc.tuple(key, int, int).map(([k, s, e]): Argv => ['LRANGE', k, s, e]),
  fc.tuple(key, int, int).map(([k, s, e]): Argv => ['LTRIM', k, s, e]),
  fc.tuple(key, fc.constantFrom('BEFORE', 'AFTER'), value, value).map(([k, w, p, v]): Argv => ['LINSERT', k, w, p, v]),
  fc.tuple(key, int, value).map(([k, n, v]): Argv => ['LREM', k, n, v]),
  fc.tuple(key, int, value).map(([k, i, v]): Argv => ['LSET', k, i, v]),
  fc.tuple(key, int).map(([k, i]): Argv => ['LINDEX', k, i]),
  key.map((k): Argv => ['LLEN', k]),
  fc.tuple(key, value, opt(fc.constantFrom(['RANK', '-1'], ['COUNT', '0'], ['RANK', '2', 'COUNT', '2']))).map(([k, v, o]): Argv => ['LPOS', k, v, ...o]),
  fc.tuple(key, key, side, side).map(([s, d, a, b]): Argv => ['LMOVE', s, d, a, b]),
  fc.tuple(key, key).map(([s, d]): Argv => ['RPOPLPUSH', s, d]),
  fc.tuple(keys(1, 2), side, opt(fc.constantFrom(['COUNT', '2']))).map(([ks, w, c]): Argv => ['LMPOP', String(ks.length), ...ks, w, ...c]),
); // prettier-ignore

const sets: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(key, values(1, 4)).map(([k, vs]): Argv => ['SADD', k, ...vs]),
  fc.tuple(key, values(1, 2)).map(([k, vs]): Argv => ['SREM', k, ...vs]),
  fc.tuple(fc.constantFrom('SCARD', 'SMEMBERS'), key).map((t): Argv => t),
  fc.tuple(key, value).map(([k, v]): Argv => ['SISMEMBER', k, v]),
  fc.tuple(key, values(1, 3)).map(([k, vs]): Argv => ['SMISMEMBER', k, ...vs]),
  fc.tuple(key, key, value).map(([s, d, v]): Argv => ['SMOVE', s, d, v]),
  fc.tuple(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), key, keys(1, 3)).map(([c, d, ks]): Argv => [c, d, ...ks]),
  fc.tuple(fc.constantFrom('SINTER', 'SUNION', 'SDIFF'), keys(1, 3)).map(([c, ks]): Argv => [c, ...ks]),
  keys(1, 3).map((ks): Argv => ['SINTERCARD', String(ks.length), ...ks]),
); // prettier-ignore

const hashes: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(key, fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 })).map(([k, fv]): Argv => ['HSET', k, ...fv.flat()]),
  fc.tuple(key, field, value).map(([k, f, v]): Argv => ['HSETNX', k, f, v]),
  fc.tuple(key, fc.array(field, { minLength: 1, maxLength: 2 })).map(([k, fs]): Argv => ['HDEL', k, ...fs]),
  fc.tuple(fc.constantFrom('HGET', 'HEXISTS', 'HSTRLEN'), key, field).map((t): Argv => t),
  fc.tuple(fc.constantFrom('HGETALL', 'HKEYS', 'HVALS', 'HLEN'), key).map((t): Argv => t),
  fc.tuple(key, fc.array(field, { minLength: 1, maxLength: 3 })).map(([k, fs]): Argv => ['HMGET', k, ...fs]),
  fc.tuple(key, field, incr).map(([k, f, n]): Argv => ['HINCRBY', k, f, n]),
  fc.tuple(key, field, float).map(([k, f, n]): Argv => ['HINCRBYFLOAT', k, f, n]),
); // prettier-ignore

const member = fc.constantFrom<Arg>('a', 'b', 'c', 'd', '1', 'long-member-z');
const weightsAndAggregate = (n: number): fc.Arbitrary<Argv> =>
  fc
    .tuple(
      opt(fc.array(weight, { minLength: n, maxLength: n }).map((w): Arg[] => ['WEIGHTS', ...w])),
      opt(fc.constantFrom<Arg>('SUM', 'MIN', 'MAX').map((a): Arg[] => ['AGGREGATE', a])),
    )
    .map(([w, a]) => [...w, ...a]);
const zsetAlgebra: fc.Arbitrary<Argv> = keys(1, 3).chain((ks) =>
  fc.oneof(
    fc
      .tuple(fc.constantFrom('ZUNIONSTORE', 'ZINTERSTORE'), key, weightsAndAggregate(ks.length))
      .map(([c, d, o]): Argv => [c, d, String(ks.length), ...ks, ...o]),
    key.map((d): Argv => ['ZDIFFSTORE', d, String(ks.length), ...ks]),
    fc
      .tuple(fc.constantFrom('ZUNION', 'ZINTER'), weightsAndAggregate(ks.length), fc.boolean())
      .map(([c, o, w]): Argv => [c, String(ks.length), ...ks, ...o, ...(w ? ['WITHSCORES'] : [])]),
    fc.boolean().map((w): Argv => ['ZDIFF', String(ks.length), ...ks, ...(w ? ['WITHSCORES'] : [])]),
  ),
);
const zsets: fc.Arbitrary<Argv> = fc.oneof(
  fc
    .tuple(key, opt(fc.constantFrom(['NX'], ['XX'], ['GT'], ['LT', 'CH'], ['CH'])), fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 3 }))
    .map(([k, o, sm]): Argv => ['ZADD', k, ...o, ...sm.flat()]),
  fc.tuple(key, score, member).map(([k, s, m]): Argv => ['ZADD', k, 'INCR', s, m]),
  fc.tuple(key, score, member).map(([k, s, m]): Argv => ['ZINCRBY', k, s, m]),
  fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 2 })).map(([k, ms]): Argv => ['ZREM', k, ...ms]),
  fc.tuple(fc.constantFrom('ZSCORE', 'ZRANK', 'ZREVRANK'), key, member).map((t): Argv => t),
  fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]): Argv => ['ZMSCORE', k, ...ms]),
  key.map((k): Argv => ['ZCARD', k]),
  fc.tuple(key, opt(fc.constantFrom(['REV'], ['WITHSCORES'], ['REV', 'WITHSCORES']))).map(([k, o]): Argv => ['ZRANGE', k, '0', '-1', ...o]),
  fc.tuple(key, fc.constantFrom<Arg[]>(['-inf', '+inf'], ['(1', '2.5'], ['-inf', '(0'], ['1e308', 'inf']), fc.boolean()).map(([k, r, w]): Argv => ['ZRANGEBYSCORE', k, ...r, ...(w ? ['WITHSCORES'] : [])]),
  fc.tuple(key, fc.constantFrom<Arg[]>(['-inf', '+inf'], ['(1', 'inf'])).map(([k, r]): Argv => ['ZCOUNT', k, ...r]),
  fc.tuple(key, key, fc.constantFrom<Arg[]>(['0', '-1'], ['1', '2'], ['-inf', '+inf', 'BYSCORE'], ['(1', 'inf', 'BYSCORE', 'LIMIT', '0', '1'], ['+inf', '-inf', 'BYSCORE', 'REV'])).map(([d, s, r]): Argv => ['ZRANGESTORE', d, s, ...r]),
  zsetAlgebra,
  fc.tuple(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), key, opt(fc.constantFrom(['2'], ['0']))).map(([c, k, n]): Argv => [c, k, ...n]),
  fc.tuple(key, fc.constantFrom<Arg[]>(['-inf', '0'], ['(1', '+inf'])).map(([k, r]): Argv => ['ZREMRANGEBYSCORE', k, ...r]),
  fc.tuple(keys(1, 2), fc.constantFrom('MIN', 'MAX')).map(([ks, w]): Argv => ['ZMPOP', String(ks.length), ...ks, w]),
); // prettier-ignore

/** Blocking pops with 0.01 s timeouts: served at once when there is something, else a null after 10 ms. */
const blocking: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(fc.constantFrom('BLPOP', 'BRPOP', 'BZPOPMIN', 'BZPOPMAX'), keys(1, 2)).map(([c, ks]): Argv => [c, ...ks, '0.01']),
  fc.tuple(key, key, side, side).map(([s, d, a, b]): Argv => ['BLMOVE', s, d, a, b, '0.01']),
  fc.tuple(key, key).map(([s, d]): Argv => ['BRPOPLPUSH', s, d, '0.01']),
  fc.tuple(keys(1, 2), side).map(([ks, w]): Argv => ['BLMPOP', '0.01', String(ks.length), ...ks, w, 'COUNT', '2']),
  fc.tuple(keys(1, 2), fc.constantFrom('MIN', 'MAX')).map(([ks, w]): Argv => ['BZMPOP', '0.01', String(ks.length), ...ks, w]),
); // prettier-ignore

const scanType = fc.constantFrom<Arg>('string', 'list', 'set', 'zset', 'hash', 'stream', 'nosuch');
const keyspace: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(fc.constantFrom('DEL', 'UNLINK', 'EXISTS'), keys(1, 3)).map(([c, ks]): Argv => [c, ...ks]),
  fc.tuple(fc.constantFrom('TYPE', 'PERSIST', 'TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME', 'DUMP'), key).map((t): Argv => t),
  fc.tuple(fc.constantFrom('RENAME', 'RENAMENX'), key, key).map((t): Argv => t),
  fc.tuple(key, key, opt(fc.constantFrom(['REPLACE']))).map(([s, d, r]): Argv => ['COPY', s, d, ...r]),
  fc.tuple(key, longTtl, opt(fc.constantFrom(['NX'], ['XX'], ['GT'], ['LT']))).map(([k, t, o]): Argv => ['EXPIRE', k, t, ...o]),
  fc.tuple(key, fc.constantFrom<Arg>('100000', '0')).map(([k, t]): Argv => ['PEXPIRE', k, t]),
  key.map((k): Argv => ['EXPIREAT', k, '1']),
  fc.tuple(fc.constantFrom('ENCODING', 'FREQ', 'REFCOUNT', 'IDLETIME'), key).map(([s, k]): Argv => ['OBJECT', s, k]),
  fc
    .tuple(opt(fc.constantFrom(['MATCH', 'k[12]'], ['MATCH', '*3'])), opt(scanType.map((t) => ['TYPE', t])))
    .map(([m, t]): Argv => ['SCAN', '0', 'COUNT', '100', ...m, ...t]),
  fc
    .tuple(fc.constantFrom('SSCAN', 'HSCAN', 'ZSCAN'), key, opt(fc.constantFrom(['MATCH', 'a*'], ['MATCH', '*1*'])))
    .map(([c, k, m]): Argv => [c, k, '0', 'COUNT', '100', ...m]),
  fc.constantFrom<Argv>(['DBSIZE'], ['INFO', 'keyspace']),
); // prettier-ignore

/** Transactions: queued commands, queue-time errors (unknown, wrong arity) and run-time ones (WRONGTYPE). */
const transactions: fc.Arbitrary<Argv> = fc.oneof(
  fc.constantFrom<Argv>(['MULTI'], ['MULTI'], ['EXEC'], ['EXEC'], ['DISCARD'], ['UNWATCH']),
  fc.constantFrom<Argv>(['NOSUCHCOMMAND', 'k1'], ['GET'], ['SET', 'k1'], ['ZADD', 'k1', '1']),
  // Its flags (x in MULTI, d once a watched key is written) and multi= count.
  fc.constantFrom<Argv>(['CLIENT', 'INFO']),
  keys(1, 2).map((ks): Argv => ['WATCH', ...ks]),
);

/**
 * A key that expires while the sequence runs: a relative time of 1-3 ms. The runner waits until that time has
 * passed on the clock before the next request (Redis's clock cannot be injected), then looks the key up so both
 * servers have deleted it by the time anything counts keys.
 */
export const SHORT_EXPIRY = new Set(['1', '2', '3']);
const shortExpiry: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(key, fc.constantFrom(...SHORT_EXPIRY)).map(([k, t]): Argv => ['PEXPIRE', k, t]),
  fc.tuple(key, value, fc.constantFrom(...SHORT_EXPIRY)).map(([k, v, t]): Argv => ['SET', k, v, 'PX', t]),
);

export const sequenceCommand: fc.Arbitrary<Argv> = fc.oneof(
  { weight: 3, arbitrary: strings },
  { weight: 2, arbitrary: bits },
  { weight: 3, arbitrary: lists },
  { weight: 3, arbitrary: sets },
  { weight: 3, arbitrary: hashes },
  { weight: 4, arbitrary: zsets },
  { weight: 1, arbitrary: blocking },
  { weight: 3, arbitrary: keyspace },
  { weight: 2, arbitrary: transactions },
  { weight: 1, arbitrary: shortExpiry },
);
