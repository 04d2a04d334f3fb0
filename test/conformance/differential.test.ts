// Differential test against real Redis, for every transport: the same random command sequences (fast-check)
// sent to redis-lite and to a redis-server this file starts on a free loopback port (no persistence; stopped
// by PID afterwards), on connections in RESP2 and, after HELLO 3, in RESP3, each request in RESP or inline
// (the connection has sent RESP, so both servers answer inline requests in its protocol). Every reply must
// match byte for byte, except the documented, intended differences in INTENDED_DIFFERENCES below (the README
// lists the same). Skipped with a message when redis-server is not on PATH. Runs: FC_NUM_RUNS; fast-check
// prints the seed and shrunk sequence.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeResp,
  LiveClient,
  fcParameters,
  numRuns,
  timeoutFor,
  respBytes,
  respFrame,
  type Arg,
  type Framing,
  type Value,
  showArgv,
} from '../support/live-harness.js';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { RawClient, resp } from '../support/raw-client.js';
import { normalizeSetReply, setCommands } from './set-commands.js';
import { listCommand } from './list-commands.js';
import { transports } from '../support/server.js';

/**
 * Where redis-lite answers differently from Redis 7 on purpose. Each entry says what differs and why; the
 * tests below pin redis-lite's side of each one.
 */
export const INTENDED_DIFFERENCES: readonly { topic: string; difference: string }[] = [
  {
    topic: 'inline requests of a plaintext-only connection',
    difference:
      'a connection that has only ever sent inline requests is answered in plaintext ("OK", "(integer) 1", ' +
      '"(nil)", "(array) N" lines) where Redis answers in RESP, unless the server runs with inline-replies resp; ' +
      'once a connection has sent a RESP request, its inline requests are answered in RESP as by Redis',
  },
  {
    topic: 'scan cursors',
    difference:
      'a SCAN, SSCAN, HSCAN or ZSCAN cursor of "-1" or "" is ERR invalid cursor, as in Redis 7.2 (string2ull); ' +
      "Redis 7.0's strtoul takes both",
  },
  {
    topic: 'KEYS / SCAN order',
    difference:
      "the order of keys in KEYS and SCAN replies follows redis-lite's table, not Redis's dict order",
  },
  {
    topic: 'commands outside the core',
    difference: 'scripting is not implemented: ' + '"ERR unknown command \'...\'"',
  },
  {
    topic: 'set orders and draws',
    difference:
      "a hash-table set's members (SMEMBERS, SINTER, SUNION, SDIFF, SSCAN) come in redis-lite's table order, " +
      "not Redis's dict order (compared as sets below; an intset's ascending order is the same); SPOP and " +
      'SRANDMEMBER draw with their own random source (compared by size, and whole when they must be the whole set)',
  },
  { topic: 'INFO', difference: 'INFO fields and values describe redis-lite (transport, workers), not Redis' },
  {
    topic: 'Pub/Sub orders',
    difference:
      'UNSUBSCRIBE (and SUNSUBSCRIBE) without arguments confirms channels in the order they were subscribed, ' +
      "Redis in its client dict's hash order; a client matching one message with several patterns gets its " +
      "pmessages in subscription order, Redis in its pattern dict's order; PUBSUB CHANNELS lists channels in " +
      "redis-lite's order (each compared as a set below: the counts and everything else byte for byte)",
  },
  {
    topic: 'INFO commandstats and latencystats order',
    difference:
      "commandstats and latencystats lines follow redis-lite's command table, not Redis's dict order (compared " +
      'as sets below and in info-differential.test.ts)',
  },
  {
    topic: 'OBJECT IDLETIME of small integers',
    difference:
      'Redis shares one object per integer 0 .. 9999 among the keys holding it, so their idle time is the last ' +
      "access to any of them; redis-lite keeps each key's own (IDLETIME is left out of the random commands)",
  },
  {
    topic: 'DEBUG',
    difference:
      'only OBJECT, SLEEP, SET-ACTIVE-EXPIRE and HELP (which lists those); DEBUG OBJECT\'s "Value at" is an ' +
      'offset in the store, not a pointer',
  },
];

// ---- random commands over a small key and value space, so they collide and reach the edge cases ----

const key = fc.constantFrom<Arg>('a', 'b', 'c', Buffer.from([0, 0xff]), '[a]', 'a*\\');
const value = fc.oneof(
  fc.constantFrom<Arg>(
    '',
    '0',
    '1',
    '-1',
    '10',
    'abc',
    '3.5',
    '01',
    ' 1',
    '1e3',
    '9223372036854775807',
    '-9223372036854775808',
  ),
  fc.uint8Array({ maxLength: 5 }).map((b) => Buffer.from(b)),
);
const integerArg = fc.constantFrom<Arg>(
  '0',
  '1',
  '-1',
  '5',
  '1000',
  '-3',
  'x',
  '',
  '9223372036854775807',
  '99999999999999999999',
  '1.5',
);
/** Database numbers: a few of the 16, the edges, and the errors (out of range, not an integer). */
const dbArg = fc.constantFrom<Arg>('0', '1', '1', '2', '15', '16', '-1', 'x', '99999999999');
const ttlArg = fc.constantFrom<Arg>(
  '1000',
  '86400',
  '0',
  '-1',
  'x',
  '9223372036854775807',
  '100000000000000',
);
/** INCRBYFLOAT increments: Redis reads them with strtold and adds in 80-bit long double; so must redis-lite. */
const floatArg = fc.constantFrom<Arg>(
  '1.5',
  '-0.25',
  '0',
  '-0',
  'abc',
  '1e3',
  '5.0e3',
  'inf',
  '-inf',
  'nan',
  '3',
  '.5',
  '1.1',
  '0x1p-18',
  '-0x1.8P3',
  '4611686018427387903',
  '1e309',
  '-1e4932',
  '1e4933',
  '1e-4950',
  '1e-5000',
  '3.14159265358979323846264338327950288',
  ' 1',
  '1e',
);

type Argv = Arg[];

/** Bit offsets: small ones that collide with the values above, the edges of a byte, #n (BITFIELD) and errors. */
const bitOffsetArg = fc.constantFrom<Arg>(
  '0',
  '1',
  '7',
  '8',
  '15',
  '23',
  '100',
  '-1',
  'x',
  '#1',
  '#2',
  '4294967295',
  '4294967296',
  '#2305843009213693952',
);
const rangeIndexArg = fc.constantFrom<Arg>(
  '0',
  '1',
  '2',
  '-1',
  '-2',
  '5',
  '-100',
  '13',
  'x',
  '9223372036854775807',
  '-9223372036854775808',
);
const unitArg = fc.constantFrom<Argv>([], [], ['BIT'], ['BYTE'], ['bit'], ['BOGUS']);
const bitfieldType = fc.constantFrom<Arg>(
  'u1',
  'u8',
  'i8',
  'i5',
  'u3',
  'i16',
  'u63',
  'i64',
  'u64',
  'i0',
  'x8',
  'I8',
);
const bitfieldValue = fc.constantFrom<Arg>(
  '0',
  '1',
  '-1',
  '100',
  '127',
  '-128',
  '255',
  '256',
  '-9223372036854775808',
  '9223372036854775807',
  'x',
);
const bitfieldOp: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(bitfieldType, bitOffsetArg).map(([t, o]): Argv => ['GET', t, o]),
  fc
    .tuple(fc.constantFrom('SET', 'INCRBY', 'incrby'), bitfieldType, bitOffsetArg, bitfieldValue)
    .map((t): Argv => t),
  fc.constantFrom<Argv>(
    ['OVERFLOW', 'WRAP'],
    ['OVERFLOW', 'SAT'],
    ['OVERFLOW', 'FAIL'],
    ['OVERFLOW', 'x'],
    ['BOGUS'],
    ['GET', 'u8'],
  ),
);
/** The bitmap commands and LCS (issue 10). */
const bitCommand: fc.Arbitrary<Argv> = fc.oneof(
  fc
    .tuple(key, bitOffsetArg, fc.constantFrom<Arg>('0', '1', '1', '2', '-1', 'x'))
    .map(([k, o, v]): Argv => ['SETBIT', k, o, v]),
  fc.tuple(key, bitOffsetArg).map(([k, o]): Argv => ['GETBIT', k, o]),
  fc
    .tuple(key, fc.option(fc.tuple(rangeIndexArg, rangeIndexArg, unitArg)))
    .map(([k, r]): Argv => ['BITCOUNT', k, ...(r === null ? [] : [r[0], r[1], ...r[2]])]),
  fc.tuple(key, rangeIndexArg).map(([k, s]): Argv => ['BITCOUNT', k, s]),
  fc
    .tuple(key, fc.constantFrom<Arg>('0', '1', '2', 'x'), fc.array(rangeIndexArg, { maxLength: 2 }), unitArg)
    .map(([k, b, r, u]): Argv => ['BITPOS', k, b, ...r, ...(r.length === 2 ? u : [])]),
  fc
    .tuple(
      fc.constantFrom('AND', 'OR', 'XOR', 'NOT', 'not', 'NAND'),
      key,
      fc.array(key, { minLength: 1, maxLength: 3 }),
    )
    .map(([op, d, ks]): Argv => ['BITOP', op, d, ...ks]),
  fc
    .tuple(
      fc.constantFrom('BITFIELD', 'BITFIELD', 'BITFIELD_RO'),
      key,
      fc.array(bitfieldOp, { maxLength: 4 }),
    )
    .map(([c, k, ops]): Argv => [c, k, ...ops.flat()]),
  fc
    .tuple(
      key,
      key,
      fc.array(
        fc.constantFrom<Argv>(
          ['LEN'],
          ['IDX'],
          ['WITHMATCHLEN'],
          ['MINMATCHLEN', '2'],
          ['MINMATCHLEN', '-1'],
          ['MINMATCHLEN', 'x'],
          ['MINMATCHLEN'],
          ['BAD'],
        ),
        { maxLength: 3 },
      ),
    )
    .map(([a, b, o]): Argv => ['LCS', a, b, ...o.flat()]),
);

const setOption = fc.oneof(
  fc.constantFrom<Argv>(['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['nx'], ['BOGUS']),
  fc.tuple(fc.constantFrom('EX', 'PX', 'ex'), ttlArg).map((t): Argv => t),
  fc.constantFrom<Argv>(['EXAT', '99999999999'], ['PXAT', '99999999999999'], ['EX']),
);

const command: fc.Arbitrary<Argv> = fc.oneof(
  fc
    .tuple(key, value, fc.array(setOption, { maxLength: 3 }))
    .map(([k, v, o]): Argv => ['SET', k, v, ...o.flat()]),
  fc
    .tuple(fc.constantFrom('GET', 'GETDEL', 'STRLEN', 'INCR', 'DECR', 'TTL', 'TYPE', 'PERSIST'), key)
    .map((t): Argv => t),
  fc.tuple(fc.constantFrom('APPEND', 'GETSET', 'SETNX'), key, value).map((t): Argv => t),
  fc.tuple(fc.constantFrom('INCRBY', 'DECRBY'), key, integerArg).map((t): Argv => t),
  fc.tuple(key, floatArg).map(([k, f]): Argv => ['INCRBYFLOAT', k, f]),
  fc.tuple(key, integerArg, integerArg).map(([k, s, e]): Argv => ['GETRANGE', k, s, e]),
  fc
    .tuple(key, fc.constantFrom<Arg>('0', '2', '-1', 'x', '7', '536870912'), value)
    .map(([k, o, v]): Argv => ['SETRANGE', k, o, v]),
  fc.tuple(fc.constantFrom('SETEX', 'PSETEX'), key, ttlArg, value).map((t): Argv => t),
  fc
    .tuple(
      key,
      fc.option(fc.constantFrom<Argv>(['PERSIST'], ['EX', '1000'], ['PX', '0'], ['EX', 'x'], ['BAD'])),
    )
    .map(([k, o]): Argv => ['GETEX', k, ...(o ?? [])]),
  fc
    .tuple(fc.constantFrom('DEL', 'UNLINK', 'EXISTS', 'MGET'), fc.array(key, { minLength: 1, maxLength: 4 }))
    .map(([c, ks]): Argv => [c, ...ks]),
  fc
    .tuple(fc.constantFrom('MSET', 'MSETNX'), fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }))
    .map(([c, kv]): Argv => [c, ...kv.flat()]),
  fc
    .tuple(
      fc.constantFrom('EXPIRE', 'PEXPIRE'),
      key,
      ttlArg,
      fc.constantFrom<Argv>([], ['NX'], ['XX'], ['GT'], ['LT'], ['NX', 'XX']),
    )
    .map(([c, k, t, o]): Argv => [c, k, t, ...o]),
  fc.tuple(fc.constantFrom('RENAME', 'RENAMENX'), key, key).map((t): Argv => t),
  fc
    .constantFrom('*', 'a*', '?', '[a-b]', '[^a]', '[b-a]', '\\a', '[', '[a', '\\', 'a?*', '*[*', '\x00*')
    .map((p): Argv => ['KEYS', Buffer.from(p, 'latin1')]),
  fc
    .tuple(key, key, fc.option(dbArg), fc.boolean())
    .map(([s, d, db, r]): Argv => [
      'COPY',
      s,
      d,
      ...(db === null ? [] : ['DB', db]),
      ...(r ? ['REPLACE'] : []),
    ]),
  // Databases: every command that selects, swaps, moves between or empties them.
  dbArg.map((db): Argv => ['SELECT', db]),
  fc.tuple(dbArg, dbArg).map(([x, y]): Argv => ['SWAPDB', x, y]),
  fc.tuple(key, dbArg).map(([k, db]): Argv => ['MOVE', k, db]),
  fc.constantFrom<Argv>(['FLUSHDB'], ['FLUSHDB', 'ASYNC'], ['FLUSHDB', 'x'], ['SWAPDB', '0'], ['MOVE', 'a']),
  fc.constantFrom<Argv>(
    ['DBSIZE'],
    ['PING'],
    ['PING', 'hi'],
    ['ECHO', ''],
    ['EXISTS'],
    ['GET'],
    ['MSET', 'a'],
    ['SELECT', '0'],
  ),
  fc.constantFrom<Argv>(['get', 'a'], ['sEt', 'a', '1'], ['INCRBY', 'a'], ['SET', 'a'], ['MGET']),
  bitCommand,
  bitCommand,
  // Sets (issue 12): set-commands.ts.
  setCommands(key),
  setCommands(key),
  setCommands(key),
  listCommand,
  listCommand,
  listCommand,
  fc.constantFrom<Argv>(
    ['SETBIT', 'a', '0'],
    ['BITOP', 'AND', 'a'],
    ['LCS', 'a'],
    ['BITFIELD'],
    ['GETBIT', 'a'],
  ),
  // Transactions: queued replies, nesting and queue-time errors, WATCH of keys this sequence then touches.
  fc.constantFrom<Argv>(['MULTI'], ['MULTI'], ['EXEC'], ['EXEC'], ['DISCARD'], ['UNWATCH'], ['EXEC', 'x']),
  fc.array(key, { minLength: 1, maxLength: 3 }).map((ks): Argv => ['WATCH', ...ks]),
  // Protocol switches, inside MULTI too (each reply of EXEC in the protocol it was written in).
  fc.constantFrom<Argv>(['HELLO', '3'], ['HELLO', '2'], ['HELLO'], ['HELLO', '4']),
  // OBJECT's answers that depend only on the commands before (IDLETIME depends on the clock, and in Redis on
  // its shared integers' last access: README), and DEBUG, which both servers refuse by default.
  fc
    .tuple(fc.constantFrom('ENCODING', 'REFCOUNT', 'FREQ', 'encoding', 'refcount'), key)
    .map(([sub, k]): Argv => ['OBJECT', sub, k]),
  fc.constantFrom<Argv>(
    ['OBJECT', 'HELP'],
    ['OBJECT'],
    ['OBJECT', 'ENCODING'],
    ['OBJECT', 'NOPE', 'a'],
    ['DEBUG', 'SLEEP', '0'],
    ['DEBUG', 'OBJECT', 'a'],
    ['DEBUG'],
  ),
);

/** A request and the framing it is sent in: after the first RESP request both servers answer inline in RESP. */
const framed = (commands: fc.Arbitrary<Argv>): fc.Arbitrary<[Argv, Framing]> =>
  fc.tuple(commands, fc.constantFrom<Framing>('resp', 'resp', 'inline'));

/** Random sequences of the mix above, and the same split at random between two connections. */
const commandSequence = fc.array(framed(command), { minLength: 1, maxLength: 40 });
const interleavedCommands = fc.array(fc.tuple(fc.boolean(), framed(command)), {
  minLength: 1,
  maxLength: 40,
});

/**
 * Database-heavy episodes over two keys and three databases, each WATCH, then commands that may touch, swap,
 * move, copy or flush the watched keys (from either connection when there are two), then MULTI, a few queued
 * commands (SELECT among them) and EXEC: so every episode checks a watch's outcome, and SWAPDB meets WATCH in
 * all of touchAllWatchedKeysInDb's cases (the mix above rarely gets there).
 */
const smallKey = fc.constantFrom<Arg>('a', 'b');
const smallDb = fc.constantFrom<Arg>('0', '1', '2');
const databaseCommand: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(smallKey, fc.constantFrom<Arg>('1', '2')).map(([k, v]): Argv => ['SET', k, v]),
  fc.tuple(fc.constantFrom('GET', 'DEL', 'EXISTS'), smallKey).map((t): Argv => t),
  fc.tuple(smallKey, smallDb).map(([k, db]): Argv => ['MOVE', k, db]),
  fc.tuple(smallKey, smallKey, smallDb).map(([s, d, db]): Argv => ['COPY', s, d, 'DB', db]),
  smallDb.map((db): Argv => ['SELECT', db]),
  smallDb.map((db): Argv => ['SELECT', db]),
  fc.tuple(smallDb, smallDb).map(([x, y]): Argv => ['SWAPDB', x, y]),
  fc.tuple(smallDb, smallDb).map(([x, y]): Argv => ['SWAPDB', x, y]),
  fc.constantFrom<Argv>(['FLUSHDB'], ['DBSIZE'], ['FLUSHALL'], ['UNWATCH']),
);
const databaseEpisodes = fc
  .array(
    fc.tuple(
      fc.array(smallKey, { minLength: 1, maxLength: 2 }),
      fc.array(fc.tuple(fc.boolean(), databaseCommand), { maxLength: 6 }),
      fc.array(databaseCommand, { maxLength: 3 }),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((episodes) =>
    episodes.flatMap(([watched, between, queued]): [boolean, [Argv, Framing]][] => [
      [true, [['WATCH', ...watched], 'resp']],
      ...between.map(([first, argv]): [boolean, [Argv, Framing]] => [first, [argv, 'resp']]),
      [true, [['MULTI'], 'resp']],
      ...queued.map((argv): [boolean, [Argv, Framing]] => [true, [argv, 'resp']]),
      [true, [['EXEC'], 'resp']],
    ]),
  );
/** The episodes on one connection. */
const databaseSequence = databaseEpisodes.map((steps) => steps.map(([, request]) => request));

/**
 * Back to a fresh connection: out of any MULTI, nothing watched, RESP2 (RESET), then in the RESP version of this
 * run (HELLO 3 for RESP3), then an empty keyspace.
 */
async function resetBoth(protocol: 2 | 3, ...clients: LiveClient[]): Promise<void> {
  for (const c of clients) {
    await c.call(['RESET']);
    if (protocol === 3) expect((await c.call(['HELLO', '3'])).toString('latin1')).toMatch(/^%7\r\n/);
    await c.call(['FLUSHALL']);
  }
}

const MASKED = { type: 'status', text: '(differs)' } as const;

/** HELLO's id and version are the server's own: masked, the rest compared (a map in RESP3, flat in RESP2). */
function maskHello(value: Value): Value {
  const masks = (k: Value): boolean =>
    k.type === 'bulk' && ['id', 'version'].includes(k.bytes.toString('latin1'));
  if (value.type === 'map') {
    return { type: 'map', entries: value.entries.map(([k, v]) => [k, masks(k) ? MASKED : v] as const) };
  }
  if (value.type === 'array' && value.items.length === 14) {
    return {
      type: 'array',
      items: value.items.map((v, i) => (i % 2 === 1 && masks(value.items[i - 1]) ? MASKED : v)),
    };
  }
  return value;
}

/** After a sequence: every database it can reach, compared key by key (the sequence may end anywhere). */
const DATABASES_AFTER: Argv[] = ['0', '1', '2', '15'].flatMap((db): Argv[] => [
  ['SELECT', db],
  ['KEYS', '*'],
  ['DBSIZE'],
]);

/** KEYS is compared as a set (intended difference: order), HELLO without its id and version; the rest byte for byte. */
const normalizeValue = (argv: Argv, value: Value): Value => {
  const name = Buffer.from(argv[0]).toString().toUpperCase();
  if (name === 'HELLO') return maskHello(value);
  if (name.startsWith('S')) return normalizeSetReply(name, argv, value);
  if (name !== 'KEYS' || value.type !== 'array') return value;
  const sorted = [...value.items].sort((x, y) => Buffer.compare(respBytes(x), respBytes(y)));
  return { type: 'array', items: sorted } as Value;
};

/**
 * One connection's replies, normalised: follows its MULTI state (from Redis's replies) so the replies inside
 * an EXEC are normalised as their queued commands' own would be.
 */
class Normalizer {
  private queued: Argv[] | null = null;

  reply(argv: Argv, reply: Buffer): string {
    const name = Buffer.from(argv[0]).toString().toUpperCase();
    const value = decodeResp(reply);
    const queued = this.queued;
    if (name === 'MULTI' && queued === null && value.type === 'status') this.queued = [];
    else if (queued !== null && value.type === 'status' && value.text === 'QUEUED') queued.push(argv);
    else if (['EXEC', 'DISCARD', 'RESET'].includes(name) && value.type !== 'error') this.queued = null;
    else if (name === 'EXEC') this.queued = null; // EXECABORT ends it too
    if (name === 'EXEC' && queued !== null && value.type === 'array') {
      const items = value.items.map((item, i) => normalizeValue(queued[i], item));
      return respBytes({ type: 'array', items } as Value).toString('latin1');
    }
    return respBytes(normalizeValue(argv, value)).toString('latin1');
  }
}

// ---- Pub/Sub: on each server a subscriber and a publisher, the same random steps on both. After every step the
// subscriber's stream is read up to a PING sentinel, so what it received (confirmations, messages, keyspace
// events, replies) is compared whole, as are the publisher's replies. ----

/** Which connection runs a request. */
type PubSubStep = readonly ['sub' | 'pub', Argv];

const channelArg = fc.constantFrom<Arg>('news', 'sport', 'n', '__keyevent@0__:set', Buffer.from([0, 0xff]));
const patternArg = fc.constantFrom<Arg>('n*', '*', 's?ort', '[ns]*', '__key*__:*', 'x\\*');
const payloadArg = fc.constantFrom<Arg>('hi', '', 'a b', Buffer.from([0, 0xff, 10]));
const names = (arb: fc.Arbitrary<Arg>, min: number) => fc.array(arb, { minLength: min, maxLength: 3 });

const pubsubStep: fc.Arbitrary<PubSubStep> = fc.oneof(
  // Weighted so that messages flow: subscriptions first, and publishes to the few names they use.
  { weight: 3, arbitrary: names(channelArg, 1).map((c): PubSubStep => ['sub', ['SUBSCRIBE', ...c]]) },
  { weight: 2, arbitrary: names(patternArg, 1).map((p): PubSubStep => ['sub', ['PSUBSCRIBE', ...p]]) },
  { weight: 1, arbitrary: names(channelArg, 1).map((c): PubSubStep => ['sub', ['SSUBSCRIBE', ...c]]) },
  { weight: 1, arbitrary: names(channelArg, 0).map((c): PubSubStep => ['sub', ['UNSUBSCRIBE', ...c]]) },
  { weight: 1, arbitrary: names(patternArg, 0).map((p): PubSubStep => ['sub', ['PUNSUBSCRIBE', ...p]]) },
  { weight: 1, arbitrary: names(channelArg, 0).map((c): PubSubStep => ['sub', ['SUNSUBSCRIBE', ...c]]) },
  {
    weight: 6,
    arbitrary: fc.tuple(channelArg, payloadArg).map(([c, m]): PubSubStep => ['pub', ['PUBLISH', c, m]]),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(channelArg, payloadArg).map(([c, m]): PubSubStep => ['pub', ['SPUBLISH', c, m]]),
  },
  // The subscriber publishing itself (RESP3: its message precedes the reply; RESP2: refused while subscribed).
  {
    weight: 1,
    arbitrary: fc.tuple(channelArg, payloadArg).map(([c, m]): PubSubStep => ['sub', ['PUBLISH', c, m]]),
  },
  { weight: 1, arbitrary: names(channelArg, 0).map((c): PubSubStep => ['pub', ['PUBSUB', 'NUMSUB', ...c]]) },
  {
    weight: 1,
    arbitrary: names(channelArg, 0).map((c): PubSubStep => ['pub', ['PUBSUB', 'SHARDNUMSUB', ...c]]),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom<PubSubStep>(
      ['pub', ['PUBSUB', 'NUMPAT']],
      ['pub', ['PUBSUB', 'CHANNELS']],
      ['pub', ['PUBSUB', 'CHANNELS', 'n*']],
      ['pub', ['PUBSUB', 'SHARDCHANNELS']],
      ['pub', ['PUBSUB', 'HELP']],
      ['pub', ['PUBSUB', 'CHANNELS', 'a', 'b']],
      ['sub', ['PING']],
      ['sub', ['PING', 'x']],
      ['sub', ['GET', 'k']],
      ['sub', ['ECHO', 'x']],
      ['sub', ['RESET']],
      ['sub', ['HELLO', '3']],
      ['sub', ['HELLO', '2']],
    ),
  },
  // Keyspace events, for the subscriber's __key*__ subscriptions.
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('', 'KEA', 'Kg$', 'E$m', 'AKEnm', 'KEx')
      .map((c): PubSubStep => ['pub', ['CONFIG', 'SET', 'notify-keyspace-events', c]]),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom<PubSubStep>(
      ['pub', ['SET', 'k', 'v']],
      ['pub', ['INCR', 'n']],
      ['pub', ['DEL', 'k', 'n']],
      ['pub', ['GET', 'nope']],
      ['pub', ['EXPIRE', 'k', '100']],
      ['pub', ['PEXPIRE', 'k', '-1']],
      ['pub', ['APPEND', 'k', 'x']],
      ['pub', ['RENAME', 'k', 'k2']],
      ['pub', ['MSET', 'k', '1', 'k3', '2']],
      ['pub', ['SETBIT', 'k', '3', '1']],
      ['pub', ['SETBIT', 'b', '9', '0']],
      ['pub', ['BITOP', 'OR', 'k2', 'k', 'nope']],
      ['pub', ['BITOP', 'AND', 'k2', 'nope']],
      ['pub', ['BITFIELD', 'k', 'INCRBY', 'u2', '0', '1']],
      ['pub', ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '9']],
      ['pub', ['BITFIELD_RO', 'nope', 'GET', 'u2', '0']],
      ['pub', ['LCS', 'k', 'nope']],
      // Sets: sadd/srem/spop/smove's srem+sadd, the *store events, new and del (t_set.c).
      ['pub', ['SADD', 's', '1', 'x']],
      ['pub', ['SADD', 's2', '2']],
      ['pub', ['SREM', 's', 'x', '1']],
      ['pub', ['SPOP', 's2', '5']],
      ['pub', ['SMOVE', 's', 's2', 'x']],
      ['pub', ['SMOVE', 's2', 's3', '2']],
      ['pub', ['SINTERSTORE', 's4', 's', 's2']],
      ['pub', ['SUNIONSTORE', 's4', 's', 's2', 's3']],
      ['pub', ['SDIFFSTORE', 's4', 'nope']],
      ['pub', ['SISMEMBER', 'nope', 'x']],
      ['pub', ['SINTERCARD', '2', 's', 'nope']],
    ),
  },
);

/** A bulk's text, or null. */
const text = (value: Value | undefined): string | null =>
  value !== undefined && value.type === 'bulk' ? value.bytes.toString('latin1') : null;

/** The items of an array or push, or null. */
const items = (value: Value): readonly Value[] | null =>
  value.type === 'array' || value.type === 'push' ? value.items : null;

/**
 * Where the two servers may order things differently, both are put in one order: the names of a run of
 * unsubscribe confirmations (UNSUBSCRIBE without arguments walks Redis's client dict, in hash order; redis-lite
 * goes in subscription order), keeping each position's count; the patterns of a run of pmessages of one message
 * (Redis walks its pattern dict); HELLO's id and version.
 */
function normalizeStream(values: readonly Value[]): Value[] {
  const out = values.map((v) => maskHello(v));
  const kindOf = (v: Value): string | null => text(items(v)?.[0]);
  for (let i = 0; i < out.length;) {
    const kind = kindOf(out[i]);
    let j = i + 1;
    const sameRun = (v: Value): boolean =>
      kindOf(v) === kind &&
      (kind === 'unsubscribe' ||
        kind === 'sunsubscribe' ||
        (kind === 'pmessage' &&
          respBytes(items(v)![2]).equals(respBytes(items(out[i])![2])) &&
          respBytes(items(v)![3]).equals(respBytes(items(out[i])![3]))));
    if (kind === 'unsubscribe' || kind === 'sunsubscribe' || kind === 'pmessage')
      while (j < out.length && sameRun(out[j])) j++;
    if (j - i > 1) {
      const run = out.slice(i, j);
      // The name (an unsubscribed channel, or a pmessage's pattern) is the second element of either.
      const name = 1;
      const sortedNames = run
        .map((v) => items(v)![name])
        .sort((a, b) => Buffer.compare(respBytes(a), respBytes(b)));
      for (let k = i; k < j; k++) {
        const frame = [...items(out[k])!];
        frame[name] = sortedNames[k - i];
        out[k] = { ...(out[k] as { type: 'array' | 'push' }), items: frame } as Value;
      }
    }
    i = j;
  }
  return out;
}

/** PUBSUB CHANNELS lists names in dict order: compared as sets. */
function normalizePublisher(argv: Argv, value: Value): Value {
  const sub = argv.length > 1 ? Buffer.from(argv[1]).toString().toUpperCase() : '';
  const list = items(value);
  if (
    Buffer.from(argv[0]).toString().toUpperCase() !== 'PUBSUB' ||
    !sub.endsWith('CHANNELS') ||
    list === null
  )
    return maskHello(value);
  return { type: 'array', items: [...list].sort((a, b) => Buffer.compare(respBytes(a), respBytes(b))) };
}

/** A subscriber and a publisher on one server. */
class PubSubPair {
  private sentinels = 0;

  constructor(
    readonly sub: LiveClient,
    readonly pub: LiveClient,
  ) {}

  /** Out of every subscription, in `protocol`, notifications off, an empty keyspace. */
  async reset(protocol: 2 | 3): Promise<void> {
    for (const c of [this.sub, this.pub]) {
      await c.call(['RESET']);
      if (protocol === 3) await c.call(['HELLO', '3']);
    }
    await this.pub.call(['CONFIG', 'SET', 'notify-keyspace-events', '']);
    await this.pub.call(['FLUSHALL']);
  }

  /** Runs a step: the publisher's reply (null for a subscriber's step) and everything the subscriber got. */
  async run([who, argv]: PubSubStep): Promise<{ reply: string | null; stream: string }> {
    let reply: string | null = null;
    if (who === 'pub')
      reply = respBytes(normalizePublisher(argv, decodeResp(await this.pub.call(argv)))).toString('latin1');
    else await this.sub.raw.send(resp(...argv));
    const token = `sentinel-${++this.sentinels}`;
    await this.sub.raw.send(resp('PING', token));
    const values: Value[] = [];
    for (;;) {
      const value = decodeResp(await this.sub.raw.readFramed(respFrame));
      // The sentinel's reply: the bulk, or ["pong", bulk] in RESP2's subscribed state.
      if (text(value) === token || (text(items(value)?.[0]) === 'pong' && text(items(value)?.[1]) === token))
        break;
      values.push(value);
    }
    const stream = normalizeStream(values)
      .map((v) => respBytes(v).toString('latin1'))
      .join('');
    return { reply, stream };
  }

  async close(): Promise<void> {
    await Promise.all([this.sub.close(), this.pub.close()]);
  }
}

/** The suite replays one seed (FC_SEED=random soaks: live-harness.ts fcParameters). */
const FIXED_SEED = 24221;
const RUNS = numRuns(60);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: differential against redis-server',
  (transport) => {
    const both = useBothServers(transport, { ours: { workers: 4 } });

    /** Sends a random sequence to both servers on one connection each; every reply must match. */
    async function sameSequence(sequences: fc.Arbitrary<[Argv, Framing][]>, protocol: 2 | 3): Promise<void> {
      await fc.assert(
        fc.asyncProperty(sequences, fc.context(), async (requests, ctx) => {
          await resetBoth(protocol, both.lite, both.real);
          const [forReal, forLite] = [new Normalizer(), new Normalizer()];
          const closing: [Argv, Framing][] = [
            [['EXEC'], 'resp'],
            [['KEYS', '*'], 'resp'],
            ...DATABASES_AFTER.map((argv): [Argv, Framing] => [argv, 'resp']),
          ];
          for (const [argv, framing] of [...requests, ...closing]) {
            const expected = forReal.reply(argv, await both.real.call(argv, framing));
            const actual = forLite.reply(argv, await both.lite.call(argv, framing));
            ctx.log(
              `${framing === 'inline' ? '(inline) ' : ''}${showArgv(argv)} -> ${JSON.stringify(expected)}`,
            );
            expect(actual, showArgv(argv)).toBe(expected);
          }
        }),
        fcParameters(RUNS, FIXED_SEED),
      );
    }

    /**
     * Two connections to each server, the random sequence's requests split between them: a WATCH on one is
     * touched, swapped or flushed by the other. On the pool the two are served by two worker threads.
     */
    async function interleavedSequences(
      sequences: fc.Arbitrary<[boolean, [Argv, Framing]][]>,
      protocol: 2 | 3,
    ): Promise<void> {
      const liteOther = new LiveClient(await both.ours.connect());
      const realOther = await LiveClient.connect(both.redis.port);
      try {
        await fc.assert(
          fc.asyncProperty(sequences, fc.context(), async (steps, ctx) => {
            await resetBoth(protocol, both.lite, both.real, liteOther, realOther);
            const normalizers = [0, 1, 2, 3].map(() => new Normalizer());
            const closing: [boolean, [Argv, Framing]][] = [
              [true, [['EXEC'], 'resp']],
              ...DATABASES_AFTER.map((argv): [boolean, [Argv, Framing]] => [true, [argv, 'resp']]),
            ];
            for (const [first, [argv, framing]] of [...steps, ...closing]) {
              const [r, l] = first ? [0, 1] : [2, 3];
              const expected = normalizers[r].reply(
                argv,
                await (first ? both.real : realOther).call(argv, framing),
              );
              const actual = normalizers[l].reply(
                argv,
                await (first ? both.lite : liteOther).call(argv, framing),
              );
              ctx.log(`${first ? 1 : 2}: ${showArgv(argv)} -> ${JSON.stringify(expected)}`);
              expect(actual, showArgv(argv)).toBe(expected);
            }
          }),
          fcParameters(RUNS, FIXED_SEED),
        );
      } finally {
        await liteOther.close();
        await realOther.close();
      }
    }

    it.each([2, 3] as const)(
      'answers random command sequences byte for byte as Redis does, in RESP%s',
      (protocol) => sameSequence(commandSequence, protocol),
      timeoutFor(RUNS, 50),
    );

    it(
      'counts INFO commandstats and errorstats, and lists latencystats, as Redis does for the same random sequences',
      async () => {
        /** A section's lines, usec masked (timings), sorted (Redis lists commands in its dict's order). */
        const section = async (client: LiveClient, name: string): Promise<string[]> =>
          ((decodeResp(await client.call(['INFO', name])) as { bytes?: Buffer }).bytes ?? Buffer.alloc(0))
            .toString('latin1')
            .split('\r\n')
            .filter((line) => line !== '' && !line.startsWith('#'))
            .map((line) => line.replace(/usec=\d+,usec_per_call=[\d.]+/, 'usec=*'))
            .sort();
        const totals = async (client: LiveClient): Promise<string[]> =>
          (await section(client, 'stats')).filter((line) =>
            /^(total_commands_processed|total_error_replies):/.test(line),
          );
        await fc.assert(
          fc.asyncProperty(commandSequence, fc.context(), async (requests, ctx) => {
            await resetBoth(2, both.lite, both.real);
            for (const c of [both.lite, both.real]) await c.call(['CONFIG', 'RESETSTAT']);
            for (const [argv, framing] of [...requests, [['EXEC'], 'resp'] as [Argv, Framing]]) {
              await both.real.call(argv, framing);
              await both.lite.call(argv, framing);
              ctx.log(showArgv(argv));
            }
            for (const name of ['commandstats', 'errorstats']) {
              expect(await section(both.lite, name), name).toEqual(await section(both.real, name));
            }
            // Latencies are each server's own: the same commands have a histogram.
            const names = async (client: LiveClient): Promise<string[]> =>
              (await section(client, 'latencystats')).map((line) => line.slice(0, line.indexOf(':')));
            expect(await names(both.lite), 'latencystats').toEqual(await names(both.real));
            expect(await totals(both.lite)).toEqual(await totals(both.real));
          }),
          fcParameters(RUNS, FIXED_SEED),
        );
      },
      timeoutFor(RUNS, 50),
    );

    it.each([2, 3] as const)(
      'answers two interleaved connections as Redis does (WATCH touched by the other client), in RESP%s',
      (protocol) => interleavedSequences(interleavedCommands, protocol),
      timeoutFor(RUNS, 50),
    );

    it(
      'answers database-heavy sequences as Redis does (SELECT, SWAPDB, MOVE, COPY ... DB, FLUSHDB with WATCH)',
      () => sameSequence(databaseSequence, 2),
      timeoutFor(RUNS, 50),
    );

    it(
      'answers two interleaved connections on database-heavy sequences as Redis does (SWAPDB against WATCH)',
      () => interleavedSequences(databaseEpisodes, 3),
      timeoutFor(RUNS, 50),
    );

    it('answers the database commands as Redis does, step by step (databases = 16)', async () => {
      const script: Argv[] = [
        ['SET', 'k', 'v', 'EX', '1000'],
        ['SELECT', '1'],
        ['GET', 'k'],
        ['SET', 'k', 'one'],
        ['SWAPDB', '0', '1'],
        ['GET', 'k'],
        ['MOVE', 'k', '1'],
        ['MOVE', 'k', '2'],
        ['SELECT', '2'],
        ['PERSIST', 'k'], // MOVE kept the TTL
        ['COPY', 'k', 'k', 'DB', '3'],
        ['COPY', 'k', 'k', 'DB', '3'],
        ['COPY', 'k', 'k'],
        ['COPY', 'k', 'k', 'DB', '2'],
        ['MOVE', 'k', '2'],
        ['SWAPDB', 'x', '0'],
        ['SWAPDB', '0', 'y'],
        ['SWAPDB', '0', '16'],
        ['SWAPDB', '3', '3'],
        ['SELECT', '16'],
        ['SELECT', '-1'],
        ['SELECT', '99999999999'],
        ['FLUSHDB'],
        ['DBSIZE'],
        ['SELECT', '3'],
        ['DBSIZE'],
        ['MULTI'],
        ['SELECT', '5'],
        ['SET', 'm', '1'],
        ['SELECT', '0'],
        ['GET', 'm'],
        ['EXEC'],
        ['DBSIZE'],
        ['SELECT', '5'],
        ['GET', 'm'],
        ['CONFIG', 'GET', 'databases'],
        ['CONFIG', 'SET', 'databases', '4'],
        ['FLUSHALL'],
        ['DBSIZE'],
      ];
      await resetBoth(2, both.lite, both.real);
      for (const argv of script) {
        const [expected, actual] = await Promise.all([both.real.call(argv), both.lite.call(argv)]);
        expect(actual.toString('latin1'), showArgv(argv)).toBe(expected.toString('latin1'));
      }
    });

    it.each([2, 3] as const)(
      'answers Pub/Sub as Redis does: a subscriber and a publisher, messages and keyspace events, in RESP%s',
      async (protocol) => {
        // On the pool and the hybrid the subscriber and the publisher are served by different threads.
        const litePair = new PubSubPair(
          new LiveClient(await both.ours.connect()),
          new LiveClient(await both.ours.connect()),
        );
        const realPair = new PubSubPair(
          await LiveClient.connect(both.redis.port),
          await LiveClient.connect(both.redis.port),
        );
        try {
          await fc.assert(
            fc.asyncProperty(
              fc.array(pubsubStep, { minLength: 5, maxLength: 30 }),
              fc.context(),
              async (steps, ctx) => {
                await Promise.all([litePair.reset(protocol), realPair.reset(protocol)]);
                for (const step of steps) {
                  const expected = await realPair.run(step);
                  const actual = await litePair.run(step);
                  ctx.log(`${step[0]}: ${showArgv(step[1])} -> ${JSON.stringify(expected)}`);
                  expect(actual, `${step[0]}: ${showArgv(step[1])}`).toEqual(expected);
                }
              },
            ),
            fcParameters(RUNS, FIXED_SEED),
          );
        } finally {
          await litePair.close();
          await realPair.close();
        }
      },
      timeoutFor(RUNS, 80),
    );

    it('differs only as documented', async () => {
      // Inline requests of a connection that never sent RESP: Redis answers in RESP, redis-lite in plaintext.
      const [plainLite, plainReal] = [await both.ours.connect(), await RawClient.connect(both.redis.port)];
      try {
        expect(await plainReal.request('PING\r\n', '+PONG\r\n')).toBe('+PONG\r\n');
        expect(await plainLite.request('PING\r\n', 'PONG\n')).toBe('PONG\n');
        // Once it has sent RESP, its inline requests are answered in RESP, as by Redis.
        for (const c of [plainLite, plainReal]) {
          expect(
            await c.request(
              Buffer.concat([resp('ECHO', 'x'), Buffer.from('PING\r\n')]),
              '$1\r\nx\r\n+PONG\r\n',
            ),
          ).toBe('$1\r\nx\r\n+PONG\r\n');
        }
      } finally {
        plainReal.destroy();
      }
    });

    it("answers HELLO 3 as Redis does (a map; only its id and version are the server's own)", async () => {
      for (const version of ['3', '2']) {
        const replies = await Promise.all([both.lite, both.real].map((c) => c.call(['HELLO', version])));
        const [mine, theirs] = replies.map((r) => respBytes(maskHello(decodeResp(r))).toString('latin1'));
        expect(mine).toBe(theirs);
        expect(mine.startsWith(version === '3' ? '%7\r\n' : '*14\r\n')).toBe(true);
      }
    });

    it('computes INCRBYFLOAT in long double as Redis does, not as an intended difference', async () => {
      const steps: [string, string, string][] = [
        ['-1', '1.1', '$3\r\n0.1\r\n'],
        ['4611686018427387903', '0', '$19\r\n4611686018427387903\r\n'],
        ['1.3', '5.0e3', '$22\r\n5001.29999999999999982\r\n'],
        ['1000', '1.1', '$22\r\n1001.09999999999999998\r\n'],
      ];
      for (const [stored, increment, reply] of steps) {
        for (const c of [both.lite, both.real]) {
          await c.call(['SET', 'f', stored]);
          expect((await c.call(['INCRBYFLOAT', 'f', increment])).toString()).toBe(reply);
        }
      }
      // Beyond a double's range, well inside a long double's: a 309-digit integer.
      for (const c of [both.lite, both.real]) await c.call(['DEL', 'f']);
      const big = await Promise.all([both.lite, both.real].map((c) => c.call(['INCRBYFLOAT', 'f', '1e309'])));
      expect(big[0].toString()).toMatch(/^\$309\r\n/);
      expect(big[0].toString()).toBe(big[1].toString());
    });
  },
);
