// The write requests the change-count suites (dirty-differential.test.ts) send to redis-server 7.0 and to redis-lite:
// every write command of the table, each in forms that change something and forms that change nothing (SADD of a
// member already there, SREM of a missing one, ZADD XX of a new member, LTRIM that keeps everything, a SET NX that
// aborts, HSET of the value already there, ...), over a few keys of every type so that types also collide. A unit
// is one request, or a MULTI ... EXEC block whose commands are these. Only requests whose effect is certain: no
// SPOP of part of a set, no EXPIRE GT racing the clock, no ZREMRANGEBYLEX over unequal scores. Knows only request
// text.

import fc from 'fast-check';
import type { Arg } from '../support/live-harness.js';

export type Argv = readonly Arg[];
/** What is sent between two looks at the server's figures: one request, or a whole transaction. */
export type Unit = readonly Argv[];

/** Keys of every type, rebuilt by OPENING before each run, and keys that start out missing. */
const KEYS = ['str', 'num', 'lst', 'st', 'zs', 'hs', 'sm', 'hll', 'geo', 'nokey', 'dst'] as const;

/** The library FUNCTION LOAD loads and FUNCTION DELETE deletes. */
const LIBRARY = "#!lua name=dirtylib\nredis.register_function('dirtyfn', function() return 1 end)";

/** Every key of every type again, the change count of their writes included (compared as deltas only). */
export const OPENING: readonly Argv[] = [
  ['FLUSHALL'],
  ['FUNCTION', 'FLUSH'],
  ['SET', 'str', 'hello'],
  ['SET', 'num', '7'],
  ['RPUSH', 'lst', 'a', 'b', 'c', 'b'],
  ['SADD', 'st', 'a', 'b', '1'],
  ['ZADD', 'zs', '1', 'a', '2', 'b', '3', 'c'],
  ['HSET', 'hs', 'a', '1', 'b', '2'],
  ['XADD', 'sm', '1-1', 'f', 'v'],
  ['XADD', 'sm', '1-2', 'f', 'v'],
  ['XGROUP', 'CREATE', 'sm', 'g', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 'sm', '>'],
  ['PFADD', 'hll', 'a', 'b'],
  ['GEOADD', 'geo', '13.361389', '38.115556', 'a', '15.087269', '37.502669', 'b'],
];

const key = fc.constantFrom<Arg>(...KEYS);
const keys = (min: number, max: number) => fc.array(key, { minLength: min, maxLength: max });
const member = fc.constantFrom<Arg>('a', 'b', 'c', '1', 'z');
const side = fc.constantFrom<Arg>('LEFT', 'RIGHT');
const value = fc.constantFrom<Arg>('1', 'hello', 'v');

const k1 = (name: string, ...rest: Arg[]) => key.map((k): Argv => [name, k, ...rest]);
const k1m = (name: string, ...rest: Arg[]) =>
  fc.tuple(key, member).map(([k, m]): Argv => [name, k, m, ...rest]);
const k2 = (name: string, ...rest: Arg[]) => fc.tuple(key, key).map(([a, b]): Argv => [name, a, b, ...rest]);
const destAndKeys = (name: string) =>
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => [name, dest, ...ks]);
const destAndNumbered = (name: string) =>
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => [name, dest, String(ks.length), ...ks]);

const strings: fc.Arbitrary<Argv>[] = [
  fc.tuple(key, value).map(([k, v]): Argv => ['SET', k, v]),
  fc
    .tuple(key, value, fc.constantFrom<Arg>('NX', 'XX', 'GET', 'KEEPTTL'))
    .map(([k, v, o]): Argv => ['SET', k, v, o]),
  fc.tuple(key, value).map(([k, v]): Argv => ['SET', k, v, 'NX', 'GET']),
  fc.tuple(key, value).map(([k, v]): Argv => ['SETNX', k, v]),
  fc.tuple(key, value).map(([k, v]): Argv => ['SETEX', k, '100', v]),
  fc.tuple(key, value).map(([k, v]): Argv => ['PSETEX', k, '100000', v]),
  fc.tuple(key, value).map(([k, v]): Argv => ['GETSET', k, v]),
  k1('GETDEL'),
  k1('GETEX'),
  k1('GETEX', 'PERSIST'),
  k1('GETEX', 'EX', '100'),
  fc.tuple(key, key).map(([a, b]): Argv => ['MSET', a, '1', b, '2']),
  fc.tuple(key, key).map(([a, b]): Argv => ['MSETNX', a, '1', b, '2']),
  k1('INCR'),
  k1('DECRBY', '0'),
  k1('INCRBYFLOAT', '1.5'),
  k1('APPEND', 'x'),
  k1('APPEND', ''),
  k1('SETRANGE', '0', 'x'),
  k1('SETRANGE', '2', ''),
  k1('SETBIT', '3', '1'),
  k1('SETBIT', '3', '0'),
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => ['BITOP', 'OR', dest, ...ks]),
  k1('BITFIELD', 'SET', 'u8', '0', '1', 'INCRBY', 'u8', '8', '1'),
  k1('BITFIELD', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '5'),
  k1('BITFIELD', 'GET', 'u8', '0'),
];

const keyspace: fc.Arbitrary<Argv>[] = [
  keys(1, 3).map((ks): Argv => ['DEL', ...ks]),
  keys(1, 3).map((ks): Argv => ['UNLINK', ...ks]),
  k2('RENAME'),
  k2('RENAMENX'),
  k2('COPY'),
  k2('COPY', 'REPLACE'),
  k1('MOVE', '1'),
  k1('EXPIRE', '100'),
  k1('EXPIRE', '100', 'NX'),
  k1('PEXPIREAT', '99999999999999', 'GT'),
  k1('EXPIRE', '-1'),
  k1('EXPIREAT', '1'),
  k1('PEXPIREAT', '99999999999999'),
  k1('PERSIST'),
  fc.constant<Argv>(['SWAPDB', '0', '1']),
  fc.constant<Argv>(['SWAPDB', '0', '0']),
  fc.constant<Argv>(['FLUSHDB']),
  k1('SORT', 'ALPHA', 'STORE', 'dst'),
  fc.constant<Argv>(['FUNCTION', 'LOAD', 'REPLACE', LIBRARY]),
  fc.constant<Argv>(['FUNCTION', 'DELETE', 'dirtylib']),
  fc.constant<Argv>(['FUNCTION', 'FLUSH']),
  k1('EVAL', "redis.call('sadd', KEYS[1], 'a') return 1", '1'),
  k1('EVAL', "return redis.pcall('srem', KEYS[1], 'a', 'b')", '1'),
  k1('EVAL', "return redis.call('get', KEYS[1])", '1'),
];

const sets: fc.Arbitrary<Argv>[] = [
  k1m('SADD'),
  k1m('SADD', 'b'),
  k1m('SREM'),
  k1m('SREM', 'z'),
  fc.tuple(key, key, member).map(([a, b, m]): Argv => ['SMOVE', a, b, m]),
  // Whole sets only: which member a smaller SPOP takes is chance, and later requests would see it.
  k1('SPOP', '10'),
  k1('SPOP', '0'),
  destAndKeys('SINTERSTORE'),
  destAndKeys('SUNIONSTORE'),
  destAndKeys('SDIFFSTORE'),
];

const lists: fc.Arbitrary<Argv>[] = [
  k1m('LPUSH'),
  k1m('RPUSH', 'x'),
  k1m('LPUSHX'),
  k1m('RPUSHX'),
  k1('LPOP'),
  k1('RPOP', '2'),
  k1('LPOP', '0'),
  fc.tuple(key, key, side, side).map(([a, b, x, y]): Argv => ['LMOVE', a, b, x, y]),
  k2('RPOPLPUSH'),
  fc.tuple(keys(1, 3), side).map(([ks, end]): Argv => ['LMPOP', String(ks.length), ...ks, end, 'COUNT', '2']),
  k1('LSET', '0', 'v'),
  k1('LSET', '1', 'b'),
  k1('LTRIM', '1', '-2'),
  k1('LTRIM', '0', '-1'),
  k1('LINSERT', 'BEFORE', 'b', 'x'),
  k1('LINSERT', 'AFTER', 'missing', 'x'),
  k1('LREM', '0', 'b'),
  k1('LREM', '1', 'missing'),
  k1('BLPOP', '0.01'),
  fc.tuple(key, key).map(([a, b]): Argv => ['BLMOVE', a, b, 'LEFT', 'RIGHT', '0.01']),
  keys(1, 2).map((ks): Argv => ['BLMPOP', '0.01', String(ks.length), ...ks, 'RIGHT']),
];

const hashes: fc.Arbitrary<Argv>[] = [
  fc.tuple(key, member, value).map(([k, f, v]): Argv => ['HSET', k, f, v]),
  fc.tuple(key, member).map(([k, f]): Argv => ['HSET', k, f, '1', 'b', '2']),
  fc.tuple(key, member).map(([k, f]): Argv => ['HMSET', k, f, '1']),
  fc.tuple(key, member).map(([k, f]): Argv => ['HSETNX', k, f, '1']),
  k1m('HDEL'),
  k1m('HDEL', 'z'),
  k1m('HINCRBY', '0'),
  k1m('HINCRBYFLOAT', '2.5'),
];

const streams: fc.Arbitrary<Argv>[] = [
  k1('XADD', '*', 'f', 'v'),
  k1('XADD', 'NOMKSTREAM', '*', 'f', 'v'),
  k1('XADD', 'MAXLEN', '1', '*', 'f', 'v'),
  k1('XDEL', '1-1', '1-2'),
  k1('XDEL', '9-9'),
  k1('XTRIM', 'MAXLEN', '0'),
  k1('XTRIM', 'MAXLEN', '100'),
  k1('XSETID', '1-2'),
  k1('XSETID', '999999999999999-0'),
  k1('XGROUP', 'CREATE', 'g2', '0', 'MKSTREAM'),
  k1('XGROUP', 'CREATE', 'g', '0'),
  k1('XGROUP', 'CREATECONSUMER', 'g', 'c2'),
  k1('XGROUP', 'CREATECONSUMER', 'g', 'c'),
  k1('XGROUP', 'DELCONSUMER', 'g', 'c'),
  k1('XGROUP', 'DELCONSUMER', 'g', 'nobody'),
  k1('XGROUP', 'DESTROY', 'g'),
  k1('XGROUP', 'DESTROY', 'nogroup'),
  k1('XGROUP', 'SETID', 'g', '0'),
  k1('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', '>').map(([name, k, ...rest]): Argv => [
    name,
    ...rest.slice(0, 4),
    k,
    rest[4],
  ]),
  k1('XREADGROUP', 'GROUP', 'g', 'c3', 'STREAMS', '0').map(([name, k, ...rest]): Argv => [
    name,
    ...rest.slice(0, 4),
    k,
    rest[4],
  ]),
  k1('XACK', 'g', '1-1'),
  k1('XACK', 'g', '5-5'),
  k1('XCLAIM', 'g', 'c4', '0', '1-1'),
  k1('XCLAIM', 'g', 'c4', '0', '5-5'),
  k1('XCLAIM', 'g', 'c', '0', '1-1', 'JUSTID'),
  k1('XAUTOCLAIM', 'g', 'c5', '0', '0'),
  k1('XAUTOCLAIM', 'g', 'c5', '99999999999', '0'),
];

const others: fc.Arbitrary<Argv>[] = [
  k1m('PFADD'),
  k1('PFADD'),
  k1('PFCOUNT'),
  fc.tuple(key, keys(1, 2)).map(([dest, ks]): Argv => ['PFMERGE', dest, ...ks]),
  fc.tuple(key, member).map(([k, m]): Argv => ['ZADD', k, '4', m]),
  fc.tuple(key, member).map(([k, m]): Argv => ['ZADD', k, '1', m]),
  fc.tuple(key, member).map(([k, m]): Argv => ['ZADD', k, 'XX', '5', m]),
  fc.tuple(key, member).map(([k, m]): Argv => ['ZADD', k, 'NX', 'CH', '5', m, '6', 'y']),
  fc.tuple(key, member).map(([k, m]): Argv => ['ZADD', k, 'GT', 'INCR', '1', m]),
  fc.tuple(key, member).map(([k, m]): Argv => ['ZINCRBY', k, '0', m]),
  k1m('ZREM'),
  k1m('ZREM', 'z'),
  k1('ZREMRANGEBYRANK', '0', '0'),
  k1('ZREMRANGEBYSCORE', '10', '20'),
  k1('ZREMRANGEBYLEX', '-', '+'),
  k2('ZRANGESTORE', '0', '-1'),
  k2('ZRANGESTORE', '5', '9'),
  k1('ZPOPMIN'),
  k1('ZPOPMAX', '2'),
  fc.tuple(keys(1, 2)).map(([ks]): Argv => ['ZMPOP', String(ks.length), ...ks, 'MIN']),
  destAndNumbered('ZUNIONSTORE'),
  destAndNumbered('ZINTERSTORE'),
  destAndNumbered('ZDIFFSTORE'),
  keys(1, 2).map((ks): Argv => ['BZPOPMIN', ...ks, '0.01']),
  keys(1, 2).map((ks): Argv => ['BZMPOP', '0.01', String(ks.length), ...ks, 'MAX']),
  fc.tuple(key, member).map(([k, m]): Argv => ['GEOADD', k, '15', '37', m]),
  fc.tuple(key, member).map(([k, m]): Argv => ['GEOADD', k, 'XX', '13.361389', '38.115556', m]),
  k1('GEORADIUS', '15', '37', '200', 'km', 'STORE', 'dst'),
  k1('GEORADIUS', '0', '0', '1', 'km', 'STORE', 'dst'),
  k1('GEORADIUSBYMEMBER', 'a', '500', 'km', 'STOREDIST', 'dst'),
  k2('GEOSEARCHSTORE', 'FROMLONLAT', '15', '37', 'BYRADIUS', '500', 'km'),
];

/** One write request of any family. */
export const dirtyCommand: fc.Arbitrary<Argv> = fc.oneof(
  ...strings,
  ...keyspace,
  ...sets,
  ...lists,
  ...hashes,
  ...streams,
  ...others,
);

/** A request, or a transaction of a few (EXEC's change count is its commands'). */
export const dirtyUnit: fc.Arbitrary<Unit> = fc.oneof(
  { weight: 6, arbitrary: dirtyCommand.map((argv): Unit => [argv]) },
  {
    weight: 1,
    arbitrary: fc
      .array(dirtyCommand, { minLength: 1, maxLength: 4 })
      .map((argvs): Unit => [['MULTI'], ...argvs, ['EXEC']]),
  },
);
