// Differential test of the keyspace commands against real Redis 7.0, for every transport: random sequences over
// keys of every type in two databases of COPY (DB, REPLACE), RENAME, RENAMENX, MOVE, SWAPDB, SELECT, DEL, UNLINK,
// EXISTS, TOUCH, TYPE, the EXPIRE family with NX, XX, GT and LT in any combination, PERSIST, the TTL readers,
// OBJECT, DBSIZE, KEYS, SCAN with MATCH and TYPE, RANDOMKEY, and DUMP of one key RESTOREd into another (REPLACE,
// ABSTTL, IDLETIME, FREQ). After every sequence, each database's keys with their types and deadlines. In RESP2
// and RESP3; every reply must match byte for byte, except where Redis's own answer is not the data's:
// - a time left or deadline that counts down from now (TTL, PTTL, and EXPIRETIME/PEXPIRETIME of a relative
//   expiry) by its sign only; every expiry here is far ahead or already past, never racing the clock;
// - KEYS and SCAN in redis-lite's table order (README: intended differences): compared sorted (SCAN with a COUNT
//   that finishes in one call), RANDOMKEY by its shape, OBJECT FREQ's figure by its sign, OBJECT IDLETIME's not at all
//   (a shared integer's idle time is every holder's in Redis: README);
// - DUMP of a hash-table set by its length (its members in table order: README).
// Fixed seed (fcParameters: FC_SEED=random FC_NUM_RUNS=2000 for a soak). Skipped without redis-server on PATH.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import {
  decodeResp,
  fcParameters,
  numRuns,
  respBytes,
  showArgv,
  timeoutFor,
  type Arg,
  type LiveClient,
  type Value,
} from '../support/live-harness.js';
import { transports } from '../support/server.js';

type Argv = Arg[];

const KEYS = ['str', 'num', 'list', 'set', 'iset', 'hash', 'zset', 'a', 'b'];
const key = fc.constantFrom<Arg>(...KEYS, 'none');
const db = fc.constantFrom<Arg>('0', '1', '1', '2', '-1', '16', 'x');

/** The keyspace each run starts from, in databases 0 and 1; some keys with a far deadline (year 2100). */
const OPENING: Argv[] = [
  ['FLUSHALL'],
  ['SELECT', '1'],
  ['SET', 'str', 'other'],
  ['RPUSH', 'a', 'x'],
  ['SELECT', '0'],
  ['SET', 'str', 'hello'],
  ['SET', 'num', '10'],
  ['RPUSH', 'list', 'a', 'b', 'c'],
  ['SADD', 'set', 'a', 'b', '1'],
  ['SADD', 'iset', '1', '2', '3'],
  ['HSET', 'hash', 'f', 'v', 'n', '5'],
  ['ZADD', 'zset', '1', 'a', '2', 'b'],
  ['EXPIREAT', 'list', '4102444800'],
  ['PEXPIREAT', 'hash', '4102444800123'],
  ['PEXPIREAT', 'zset', '4102444800700'],
];

const FAR_AT = '4102444800';
/** Relative times: far ahead, zero, negative, overflowing and malformed, never one that lands within the run. */
const relativeTime = fc.constantFrom<Arg>(
  '100000',
  '200000',
  '0',
  '-1',
  FAR_AT,
  '9223372036854775807',
  '1.5',
  'x',
);
/** Absolute times: far ahead (year 2100), long past, zero, negative, overflowing. */
const absoluteTime = fc.constantFrom<Arg>(
  FAR_AT, '4102444801', '4102444800600', '1', '0', '-1', '9223372036854775807', 'x',
); // prettier-ignore
const expireFlags = fc.subarray(['NX', 'XX', 'GT', 'LT', 'nx', 'gt', 'FOO'], { maxLength: 2 });
const pattern = fc.constantFrom<Arg>('*', 's*', '*t', '?et', '[a-n]*', '[^s]*', 'h\\ash', 'none', '');
const typeName = fc.constantFrom<Arg>('string', 'list', 'set', 'zset', 'hash', 'stream', 'STRING', 'foo');

const keyspaceCommand: fc.Arbitrary<Argv> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(key, key, fc.option(db), fc.boolean(), fc.boolean())
      .map(([s, d, n, replace, twice]): Argv => [
        'COPY',
        s,
        d,
        ...(n === null ? [] : ['DB', n]),
        ...(replace ? ['REPLACE'] : []),
        ...(twice ? ['REPLACE'] : []),
      ]),
  },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('RENAME', 'RENAMENX'), key, key).map((t): Argv => t) },
  { weight: 2, arbitrary: fc.tuple(key, db).map(([k, n]): Argv => ['MOVE', k, n]) },
  fc.tuple(db, db).map(([x, y]): Argv => ['SWAPDB', x, y]),
  fc.constantFrom<Argv>(['SELECT', '0'], ['SELECT', '1'], ['SELECT', '0'], ['SELECT', '17']),
  fc
    .tuple(fc.constantFrom('DEL', 'UNLINK', 'EXISTS', 'TOUCH'), fc.array(key, { minLength: 1, maxLength: 3 }))
    .map(([c, ks]): Argv => [c, ...ks]),
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT'), key, expireFlags)
      .chain(([c, k, f]) =>
        (c.endsWith('AT') ? absoluteTime : relativeTime).map((t): Argv => [c, k, t, ...f]),
      ),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME', 'PERSIST', 'TYPE'), key)
      .map((t): Argv => t),
  },
  fc
    .tuple(fc.constantFrom('ENCODING', 'REFCOUNT', 'IDLETIME', 'FREQ', 'encoding', 'NOPE'), key)
    .map(([s, k]): Argv => ['OBJECT', s, k]),
  fc.constantFrom<Argv>(['DBSIZE'], ['RANDOMKEY'], ['OBJECT', 'ENCODING'], ['COPY', 'a'], ['MOVE', 'a']),
  pattern.map((p): Argv => ['KEYS', p]),
  fc
    .tuple(fc.option(pattern), fc.option(typeName))
    .map(([p, t]): Argv => [
      'SCAN',
      '0',
      ...(p === null ? [] : ['MATCH', p]),
      ...(t === null ? [] : ['TYPE', t]),
      'COUNT',
      '1000',
    ]),
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        key,
        key,
        fc.constantFrom('0', FAR_AT + '000', '100000', '-1', '1'),
        fc.subarray(['REPLACE', 'ABSTTL', 'IDLETIME', 'FREQ'], { maxLength: 3 }),
      )
      .map(([s, d, ttl, options]): Argv => [
        'RESTORE-FROM',
        s,
        d,
        ttl,
        ...options.flatMap((o) => (o === 'IDLETIME' ? [o, '100'] : o === 'FREQ' ? [o, '5'] : [o])),
        // A ttl of 1 is a deadline long past, never 1 ms ahead (that would race the clock).
        ...(ttl === '1' && !options.includes('ABSTTL') ? ['ABSTTL'] : []),
      ]),
  },
  fc.constantFrom<Argv>(
    ['SET', 'a', '1'],
    ['RPUSH', 'b', 'x'],
    ['SET', 'str', 'v', 'EX', '100000'],
    ['HSET', 'a', 'f', 'v'],
    ['SADD', 'b', 'm'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
  ),
);

const MASK: Value = { type: 'status', text: '(masked)' };
const byBytes = (x: Value, y: Value): number => Buffer.compare(respBytes(x), respBytes(y));
const sorted = (value: Value): Value =>
  value.type === 'array' ? { ...value, items: [...value.items].sort(byBytes) } : value;
/** The absolute deadlines the sequences set: EXPIRETIME and PEXPIRETIME of those are exact. */
const ABSOLUTE = new Set([
  4102444800n, 4102444801n, 4102444800000n, 4102444800123n, 4102444801000n, 4102444800600n,
  4102444800600000n, 4102444800700n, 9223372036854776n, 9223372036854775807n,
]); // prettier-ignore
const RDB_TYPE_SET = 2;

function normalize(argv: Argv, value: Value): Value {
  const name = Buffer.from(argv[0]).toString().toUpperCase();
  const sub = Buffer.from(argv[1] ?? '')
    .toString()
    .toUpperCase();
  const positive = value.type === 'integer' && value.value > 0n;
  if (['TTL', 'PTTL'].includes(name) && positive) return MASK;
  if (
    ['EXPIRETIME', 'PEXPIRETIME'].includes(name) &&
    positive &&
    !ABSOLUTE.has((value as { value: bigint }).value)
  )
    return MASK;
  // Idle time: Redis's of a shared integer (0 to 9999) is every holder's (README), so not even its sign.
  if (name === 'OBJECT' && sub === 'IDLETIME' && value.type === 'integer') return MASK;
  if (name === 'OBJECT' && sub === 'FREQ' && positive) return MASK;
  if (name === 'RANDOMKEY' && value.type === 'bulk') return MASK;
  if (name === 'KEYS') return sorted(value);
  if (name === 'SCAN' && value.type === 'array' && value.items.length === 2)
    return { ...value, items: [value.items[0], sorted(value.items[1])] };
  if (name === 'DUMP' && value.type === 'bulk' && value.bytes[0] === RDB_TYPE_SET)
    return { type: 'bulk', bytes: Buffer.alloc(value.bytes.length) };
  return value;
}

/**
 * RESTORE-FROM source destination ttl options...: this test's own step, DUMP of source then RESTORE of its
 * payload (a missing source's nil payload as an empty one) into destination; both replies, as one array.
 */
async function run(client: LiveClient, argv: Argv): Promise<Value> {
  if (argv[0] !== 'RESTORE-FROM') return decodeResp(await client.call(argv));
  const dump = decodeResp(await client.call(['DUMP', argv[1]]));
  const payload = dump.type === 'bulk' ? dump.bytes : Buffer.alloc(0);
  const restored = decodeResp(await client.call(['RESTORE', argv[2], argv[3], payload, ...argv.slice(4)]));
  return { type: 'array', items: [normalize(['DUMP'], dump), restored] };
}

const RUNS = numRuns(40);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: keyspace commands against redis-server',
  (transport) => {
    const both = useBothServers(transport);

    it.each([2, 3] as const)(
      'answers random keyspace command sequences over two databases as Redis 7.0 does, in RESP%s',
      async (protocol) => {
        const closing: Argv[] = ['1', '0'].flatMap((n): Argv[] => [
          ['SELECT', n],
          ['DBSIZE'],
          ['KEYS', '*'],
          ...KEYS.flatMap((k): Argv[] => [
            ['TYPE', k],
            ['PEXPIRETIME', k],
            ['OBJECT', 'ENCODING', k],
          ]),
        ]);
        await fc.assert(
          fc.asyncProperty(
            fc.array(keyspaceCommand, { minLength: 1, maxLength: 25 }),
            fc.context(),
            async (requests, ctx) => {
              for (const c of [both.lite, both.real]) {
                await c.call(['HELLO', String(protocol)]);
                await c.call(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
                for (const argv of OPENING) await c.call(argv);
              }
              for (const argv of [...requests, ...closing]) {
                const expected = respBytes(normalize(argv, await run(both.real, argv))).toString('latin1');
                const actual = respBytes(normalize(argv, await run(both.lite, argv))).toString('latin1');
                ctx.log(`${showArgv(argv)} -> ${JSON.stringify(expected)}`);
                expect(actual, showArgv(argv)).toBe(expected);
              }
            },
          ),
          fcParameters(RUNS, 4111 + protocol),
        );
      },
      timeoutFor(RUNS, 150),
    );
  },
);
