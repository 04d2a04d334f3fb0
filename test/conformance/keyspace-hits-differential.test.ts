// INFO stats keyspace_hits / keyspace_misses against redis-server 7.0, for every transport: random reads and
// writes over keys of every type (a string, a list, a set, a sorted set, a hash, a stream, an HLL, a geo set, a
// missing key), so every command meets its own type, another type (WRONGTYPE: Redis's lookupKeyRead counts the
// hit before the type check) and no key; multi-key reads (MGET, EXISTS, SUNION, ZUNION, LMPOP, SORT BY/GET,
// PFCOUNT, ...) name several. After each command both servers' figures must have moved by the same amounts, and
// the `keymiss` events of a sequence (db.c lookupKey's, one per read lookup that found nothing) name the same
// keys, compared as multisets: SORT BY/GET looks its patterns' keys up in the order of the set's or sorted set's
// dict, which Redis's random hash seed shuffles.
// Replies are not compared (other suites do): only the counting. Skipped without redis-server. A fixed seed
// in the suite (FC_SEED=random soaks: live-harness.ts fcParameters).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import {
  decodeResp,
  fcParameters,
  LiveClient,
  numRuns,
  respFrame,
  showArgv,
  timeoutFor,
  type Arg,
} from '../support/live-harness.js';
import { transports } from '../support/server.js';

type Argv = readonly Arg[];

/** Every type once, and a key that never exists. */
const KEYS = ['str', 'lst', 'st', 'zs', 'hs', 'sm', 'hll', 'geo', 'nokey'] as const;

/** The keys of every type, rebuilt before each run; w_* and h_* are SORT's BY and GET targets. */
const OPENING: readonly Argv[] = [
  ['FLUSHALL'],
  ['SET', 'str', '7'],
  ['RPUSH', 'lst', '3', '1', '2'],
  ['SADD', 'st', '1', '2', '3'],
  ['ZADD', 'zs', '1', 'a', '2', 'b', '3', 'c'],
  ['HSET', 'hs', 'f', '1', 'g', '2'],
  ['XADD', 'sm', '1-1', 'f', 'v'],
  ['XGROUP', 'CREATE', 'sm', 'g', '0'],
  ['PFADD', 'hll', 'x', 'y'],
  ['GEOADD', 'geo', '13.361389', '38.115556', 'a', '15.087269', '37.502669', 'b'],
  ['SET', 'w_1', '3'],
  ['SET', 'w_2', '1'],
  ['HSET', 'h_1', 'f', '5'],
  ['LPUSH', 'w_3', 'x'],
  ['CONFIG', 'RESETSTAT'],
];

const key = fc.constantFrom<Arg>(...KEYS);
const keys = (min: number, max: number) => fc.array(key, { minLength: min, maxLength: max });
const member = fc.constantFrom<Arg>('1', '2', 'a', 'b', 'f', 'x');
const side = fc.constantFrom<Arg>('LEFT', 'RIGHT');
const minMax = fc.constantFrom<Arg>('MIN', 'MAX');
const sortPattern = fc.constantFrom<Arg>('w_*', 'h_*->f', 'nosort', '#', 'nokey_*');

const k1 = (name: string, ...rest: Arg[]) => key.map((k): Argv => [name, k, ...rest]);
const k1m = (name: string, ...rest: Arg[]) =>
  fc.tuple(key, member).map(([k, m]): Argv => [name, k, m, ...rest]);
const numbered = (name: string, ...rest: Arg[]) =>
  keys(1, 4).map((ks): Argv => [name, String(ks.length), ...ks, ...rest]);

/** Reads of every type, one key each. */
const singleReads: fc.Arbitrary<Argv>[] = [
  ...['GET', 'STRLEN', 'TYPE', 'TTL', 'PTTL', 'EXPIRETIME', 'DUMP', 'BITCOUNT'].map((c) => k1(c)),
  k1('GETRANGE', '0', '-1'),
  k1('GETBIT', '0'),
  k1('BITPOS', '1'),
  k1('BITFIELD_RO', 'GET', 'u8', '0'),
  k1('OBJECT', 'ENCODING'),
  ...['LLEN', 'SMEMBERS', 'SCARD', 'ZCARD', 'HLEN', 'HGETALL', 'XLEN', 'SRANDMEMBER', 'ZRANDMEMBER'].map(
    (c) => k1(c),
  ),
  k1('LRANGE', '0', '-1'),
  k1('LINDEX', '0'),
  k1m('LPOS'),
  k1m('SISMEMBER'),
  k1m('SMISMEMBER', 'z'),
  k1('SSCAN', '0'),
  k1m('ZSCORE'),
  k1m('ZMSCORE', 'z'),
  k1m('ZRANK'),
  k1m('ZREVRANK'),
  k1('ZRANGE', '0', '-1'),
  k1('ZRANGE', '-inf', '+inf', 'BYSCORE'),
  k1('ZREVRANGE', '0', '-1'),
  k1('ZCOUNT', '-inf', '+inf'),
  k1('ZRANGEBYSCORE', '-inf', '+inf'),
  k1('ZREVRANGEBYSCORE', '+inf', '-inf'),
  k1('ZRANGEBYLEX', '-', '+'),
  k1('ZLEXCOUNT', '-', '+'),
  k1('ZSCAN', '0'),
  k1('ZRANDMEMBER', '2', 'WITHSCORES'),
  k1('SRANDMEMBER', '-2'),
  k1m('HGET'),
  k1m('HEXISTS'),
  k1('HRANDFIELD', '2'),
  k1('HSCAN', '0'),
  k1('XRANGE', '-', '+'),
  k1('XREVRANGE', '+', '-'),
  k1('XINFO', 'STREAM'),
  k1('XINFO', 'GROUPS'),
  k1('XINFO', 'STREAM', 'FULL'),
  k1('XINFO', 'CONSUMERS', 'g'),
  k1('XPENDING', 'g'),
  k1('XPENDING', 'g', '-', '+', '10'),
  k1('XPENDING', 'nogroup'),
  k1m('GEOPOS'),
  k1('GEODIST', 'a', 'b'),
  k1('GEOHASH', 'a'),
  k1('GEOSEARCH', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'),
  k1('GEORADIUS_RO', '15', '37', '200', 'km'),
  k1('GEORADIUS', '15', '37', '200', 'km'),
  k1('GEORADIUSBYMEMBER', 'a', '200', 'km'),
  k1('SORT'),
  k1('SORT', 'ALPHA'),
  k1('SORT_RO', 'ALPHA', 'LIMIT', '0', '2'),
  fc.tuple(key, sortPattern, sortPattern).map(([k, by, get]): Argv => ['SORT', k, 'BY', by, 'GET', get]),
  fc.tuple(key, sortPattern).map(([k, by]): Argv => ['SORT_RO', k, 'BY', by, 'ALPHA']),
  fc
    .tuple(key, sortPattern, key)
    .map(([k, by, dest]): Argv => ['SORT', k, 'BY', by, 'ALPHA', 'STORE', `${dest}_sorted`]),
  key.map((k): Argv => ['EVAL', "return redis.pcall('llen', KEYS[1])", '1', k]),
  key.map((k): Argv => ['EVAL', "return redis.pcall('zscore', KEYS[1], 'a')", '1', k]),
];

/** Reads of several keys: each is looked up until the first of the wrong type. */
const multiReads: fc.Arbitrary<Argv>[] = [
  ...['MGET', 'EXISTS', 'TOUCH', 'SUNION', 'SINTER', 'SDIFF', 'PFCOUNT'].map((c) =>
    keys(1, 4).map((ks): Argv => [c, ...ks]),
  ),
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => ['SUNIONSTORE', dest, ...ks]),
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => ['SINTERSTORE', dest, ...ks]),
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => ['SDIFFSTORE', dest, ...ks]),
  numbered('SINTERCARD'),
  numbered('ZUNION'),
  numbered('ZINTER', 'WITHSCORES'),
  numbered('ZDIFF'),
  numbered('ZINTERCARD'),
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => ['ZUNIONSTORE', dest, String(ks.length), ...ks]),
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => ['ZINTERSTORE', dest, String(ks.length), ...ks]),
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => ['ZDIFFSTORE', dest, String(ks.length), ...ks]),
  fc.tuple(key, key).map(([dest, src]): Argv => ['ZRANGESTORE', dest, src, '0', '-1']),
  fc.tuple(key, key).map(([a, b]): Argv => ['LCS', a, b]),
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => ['BITOP', 'OR', dest, ...ks]),
  fc.tuple(key, keys(1, 3)).map(([dest, ks]): Argv => ['PFMERGE', dest, ...ks]),
  fc.tuple(key, key).map(([src, dest]): Argv => ['COPY', src, dest]),
  numbered('LMPOP', 'LEFT'),
  numbered('ZMPOP', 'MIN'),
  fc.tuple(keys(1, 3)).map(([ks]): Argv => ['XREAD', 'STREAMS', ...ks, ...ks.map(() => '0')]),
  fc
    .tuple(keys(1, 3))
    .map(([ks]): Argv => ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', ...ks, ...ks.map(() => '>')]),
  fc
    .tuple(key, key)
    .map(([a, b]): Argv => ['GEOSEARCHSTORE', a, b, 'FROMMEMBER', 'a', 'BYRADIUS', '500', 'km']),
];

/** Writes that change which keys exist and of what type (and count, or not, as Redis's do). */
const writes: fc.Arbitrary<Argv>[] = [
  k1('SET', '5'),
  k1('SET', 'v', 'GET'),
  k1('GETDEL'),
  k1('GETEX', 'PERSIST'),
  k1('GETSET', '1'),
  k1('APPEND', 'x'),
  k1('INCR'),
  k1('SETRANGE', '0', 'x'),
  k1('DEL'),
  k1('EXPIRE', '100'),
  k1('PERSIST'),
  k1m('LPUSH'),
  k1('RPOP'),
  k1('LPOP', '2'),
  k1('LSET', '0', 'v'),
  k1m('SADD'),
  k1('SPOP'),
  k1m('SREM'),
  fc.tuple(key, member).map(([k, m]): Argv => ['ZADD', k, '4', m]),
  k1('ZPOPMIN'),
  k1('ZPOPMAX', '2'),
  fc.tuple(key, member).map(([k, m]): Argv => ['ZINCRBY', k, '1', m]),
  fc.tuple(key, member).map(([k, m]): Argv => ['HSET', k, m, '1']),
  k1m('HDEL'),
  fc.tuple(key, member).map(([k, m]): Argv => ['HINCRBY', k, m, '1']),
  k1('XADD', '*', 'f', 'v'),
  k1('XTRIM', 'MAXLEN', '0'),
  k1m('PFADD'),
  k1('SETBIT', '3', '1'),
  k1('BITFIELD', 'INCRBY', 'u8', '0', '1'),
  k1('BITFIELD', 'GET', 'u8', '0'),
  k1('XACK', 'g', '1-1'),
  k1('XACK', 'nogroup', '1-1'),
  k1('XCLAIM', 'g', 'c', '0', '1-1'),
  k1('XAUTOCLAIM', 'g', 'c', '0', '0'),
  fc.tuple(key, key, side, side).map(([a, b, x, y]): Argv => ['LMOVE', a, b, x, y]),
  fc.tuple(key, key).map(([a, b]): Argv => ['RPOPLPUSH', a, b]),
  fc.tuple(key, key, member).map(([a, b, m]): Argv => ['SMOVE', a, b, m]),
  fc.tuple(key, key).map(([a, b]): Argv => ['RENAME', a, b]),
  fc
    .tuple(keys(1, 3), minMax)
    .map(([ks, end]): Argv => ['ZMPOP', String(ks.length), ...ks, end, 'COUNT', '2']),
  fc.tuple(keys(1, 3), side).map(([ks, end]): Argv => ['LMPOP', String(ks.length), ...ks, end]),
  fc.tuple(key, member).map(([k, m]): Argv => ['GEOADD', k, '15', '37', m]),
];

const command = fc.oneof(...singleReads, ...multiReads, ...writes);

/** keyspace_hits and keyspace_misses from an INFO stats reply. */
function lookups(info: Buffer): string {
  const text = info.toString('latin1');
  const field = (name: string) => /\r\n(\d+)\r\n/.exec(`\r\n${text.split(`${name}:`)[1] ?? ''}`)?.[1] ?? '?';
  return `hits ${field('keyspace_hits')} misses ${field('keyspace_misses')}`;
}

/** Each command of the sequence with the figures INFO showed right after it. */
async function run(client: LiveClient, sequence: readonly Argv[]): Promise<string[]> {
  const requests = [...OPENING, ...sequence.flatMap((argv) => [argv, ['INFO', 'stats']])];
  const replies = await client.pipeline(requests);
  return sequence.map((argv, i) => `${showArgv(argv)} -> ${lookups(replies[OPENING.length + 2 * i + 1])}`);
}

const KEYMISS = '__keyevent@0__:keymiss';
/** Published after a sequence: its message follows every event the sequence published. */
const MARK = 'end-of-sequence';

/** The keys of the `keymiss` events `subscriber` receives up to MARK. */
async function keymisses(subscriber: LiveClient): Promise<string[]> {
  const keys: string[] = [];
  for (;;) {
    const message = decodeResp(await subscriber.raw.readFramed(respFrame));
    if (message.type !== 'array' && message.type !== 'push')
      throw new Error(`not a message: ${message.type}`);
    const payload = message.items[2];
    if (payload?.type !== 'bulk') throw new Error('a message without its payload');
    const key = payload.bytes.toString('latin1');
    if (key === MARK) return keys;
    keys.push(key);
  }
}

const FIXED_SEED = 7460;
const RUNS = numRuns(40);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: keyspace hits and misses as redis-server counts them',
  (transport) => {
    const both = useBothServers(transport);

    it(
      'moves keyspace_hits and keyspace_misses as Redis does after every read and write',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (sequence) => {
            const [theirs, ours] = await Promise.all([run(both.real, sequence), run(both.lite, sequence)]);
            // Every INFO reply showed both figures (a parse that found none would compare '?' with '?').
            expect(theirs.filter((line) => line.includes('?'))).toEqual([]);
            expect(ours).toEqual(theirs);
          }),
          fcParameters(RUNS, FIXED_SEED),
        );
      },
      timeoutFor(RUNS, 500),
    );

    it(
      'publishes `keymiss` for the same keys as Redis does',
      async () => {
        const subscribers = [
          await LiveClient.connect(both.redis.port),
          new LiveClient(await both.ours.connect()),
        ];
        const clients = [both.real, both.lite];
        try {
          for (const [i, client] of clients.entries()) {
            await client.call(['CONFIG', 'SET', 'notify-keyspace-events', 'Em']);
            await subscribers[i].call(['SUBSCRIBE', KEYMISS]);
          }
          await fc.assert(
            fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (sequence) => {
              const [theirs, ours] = await Promise.all(
                clients.map(async (client, i) => {
                  const events = keymisses(subscribers[i]);
                  await client.pipeline([...OPENING, ...sequence, ['PUBLISH', KEYMISS, MARK]]);
                  return events;
                }),
              );
              expect(ours.sort(), sequence.map(showArgv).join('\n')).toEqual(theirs.sort());
            }),
            fcParameters(RUNS, FIXED_SEED + 1),
          );
        } finally {
          for (const subscriber of subscribers) await subscriber.close();
          for (const client of clients) await client.call(['CONFIG', 'SET', 'notify-keyspace-events', '']);
        }
      },
      timeoutFor(RUNS, 500),
    );
  },
);
