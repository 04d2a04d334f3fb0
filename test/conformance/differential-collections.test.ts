// Differential test of the list, set and hash commands' option-heavy and non-blocking paths against real Redis
// 7.0, for every transport: LPOS with RANK, COUNT and MAXLEN at their edges, LMPOP and BLMPOP/BLPOP/BLMOVE on
// keys that are there or not (a timeout of 0.01 s, and inside MULTI, where they never block), SINTERCARD and
// SMISMEMBER, and the random draws where Redis's answer is determined: SRANDMEMBER, HRANDFIELD and ZRANDMEMBER
// of a one-element key (any count), of a missing key, and a positive count past the size (the whole key: an
// intset's, a listpack hash's and a sorted set's order), compared exactly; other draws by their shape. In RESP2
// and RESP3, after each request OBJECT ENCODING of each key. Every reply must match byte for byte.
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
  type Value,
} from '../support/live-harness.js';
import { transports } from '../support/server.js';

type Argv = Arg[];

/** Every key a request names ('none' starts missing and may be made), looked at after each request. */
const KEYS = ['l', 'm', 's', 'i', 'h', 'z', 'none'];
const listKey = fc.constantFrom<Arg>('l', 'm', 'l', 's', 'none');
const setKey = fc.constantFrom<Arg>('s', 'i', 's', 'l', 'none');
const hashKey = fc.constantFrom<Arg>('h', 'h', 'l', 'none');
const anyKey = fc.constantFrom<Arg>(...KEYS);
const element = fc.constantFrom<Arg>('a', 'b', 'c', '1', '2', '', 'x');
const int = fc.constantFrom<Arg>(
  '0', '1', '2', '3', '-1', '-2', '5', '100', '-100', '9223372036854775807', '-9223372036854775808',
  '-9223372036854775807', '2147483648', 'x', '1.5',
); // prettier-ignore
const count = fc.constantFrom<Arg>('1', '2', '3', '5', '100', '-1', '-2', '-5', '0');
const opt = <T>(a: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> => fc.oneof(fc.constant([] as T[]), a);

const collectionCommand: fc.Arbitrary<Argv> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        listKey,
        element,
        fc.shuffledSubarray(['RANK', 'COUNT', 'MAXLEN']),
        fc.array(int, { minLength: 3, maxLength: 3 }),
      )
      .map(([k, e, options, values]): Argv => ['LPOS', k, e, ...options.flatMap((o, i) => [o, values[i]])]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('LMPOP', 'BLMPOP'),
        fc.array(listKey, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('LEFT', 'RIGHT', 'left', 'UP'),
        opt(fc.tuple(fc.constant('COUNT'), int)),
        fc.constantFrom<Argv>([], [], ['COUNT', '1'], ['FOO']),
      )
      .map(([c, ks, w, n, extra]): Argv => [
        c,
        ...(c === 'BLMPOP' ? ['0.01'] : []),
        String(ks.length),
        ...ks,
        w,
        ...n,
        ...extra,
      ]),
  },
  fc
    .tuple(fc.constantFrom('BLPOP', 'BRPOP'), fc.array(listKey, { minLength: 1, maxLength: 2 }))
    .map(([c, ks]): Argv => [c, ...ks, '0.01']),
  fc
    .tuple(listKey, listKey, fc.constantFrom('LEFT', 'RIGHT'), fc.constantFrom('LEFT', 'RIGHT'))
    .map(([a, b, x, y]): Argv => ['BLMOVE', a, b, x, y, '0.01']),
  fc
    .tuple(
      fc.constantFrom('LPUSH', 'RPUSH', 'SADD'),
      anyKey,
      fc.array(element, { minLength: 1, maxLength: 3 }),
    )
    .map(([c, k, es]): Argv => [c, k, ...es]),
  fc
    .tuple(fc.array(setKey, { minLength: 1, maxLength: 3 }), opt(fc.tuple(fc.constant('LIMIT'), int)))
    .map(([ks, l]): Argv => ['SINTERCARD', String(ks.length), ...ks, ...l]),
  fc
    .tuple(int, fc.array(setKey, { minLength: 1, maxLength: 2 }))
    .map(([n, ks]): Argv => ['SINTERCARD', n, ...ks]),
  fc
    .tuple(setKey, fc.array(element, { minLength: 1, maxLength: 4 }))
    .map(([k, es]): Argv => ['SMISMEMBER', k, ...es]),
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('SRANDMEMBER', 'HRANDFIELD', 'ZRANDMEMBER'),
        anyKey,
        fc.option(count),
        fc.boolean(),
      )
      .map(([c, k, n, w]): Argv => [
        c,
        k,
        ...(n === null
          ? []
          : [n, ...(w && c !== 'SRANDMEMBER' ? [c === 'HRANDFIELD' ? 'WITHVALUES' : 'WITHSCORES'] : [])]),
      ]),
  },
  fc.tuple(hashKey, element, element).map(([k, f, v]): Argv => ['HSET', k, f, v]),
  fc
    .tuple(fc.constantFrom('SREM', 'HDEL', 'ZREM', 'LREM'), anyKey, element)
    .map(([c, k, e]): Argv => (c === 'LREM' ? [c, k, '0', e] : [c, k, e])),
  fc.tuple(fc.constantFrom('1', '-2.5', '3'), element).map(([s, m]): Argv => ['ZADD', 'z', s, m]),
  fc.constantFrom<Argv>(['MULTI'], ['EXEC'], ['DEL', 'l'], ['DEL', 's'], ['SET', 'm', 'x']),
);

/** How many distinct members `key` has now, for the draws that Redis decides. */
type Sizes = Map<string, number>;

/**
 * Whether Redis's draw is determined: a missing key, a key of one member (every pick is it), or a positive count
 * at least the size (the whole key, in its own order; an intset's, listpack hash's and sorted set's order is
 * Redis's order here). A hashtable set's whole-set order is its table's (README), so it is drawn only from sets
 * that are intsets or hold one member.
 */
function drawIsDetermined(argv: Argv, sizes: Sizes, encodings: Map<string, string>): boolean {
  const key = Buffer.from(argv[1]).toString();
  const size = sizes.get(key) ?? 0;
  if (size <= 1) return true;
  if (argv.length < 3) return false;
  const n = Number(Buffer.from(argv[2]).toString());
  return n >= size && encodings.get(key) !== 'hashtable';
}

const MASK: Value = { type: 'status', text: '(random)' };
/** Every bulk and double of a random draw masked: its shape (types, lengths, nils) kept. */
const shape = (value: Value): Value => {
  if (value.type === 'bulk' || value.type === 'double') return MASK;
  if (value.type === 'array' || value.type === 'set') return { ...value, items: value.items.map(shape) };
  return value;
};

const RUNS = numRuns(25);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: list, set and hash option paths against redis-server',
  (transport) => {
    const both = useBothServers(transport);

    it.each([2, 3] as const)(
      'answers random list, set and hash sequences as Redis 7.0 does, in RESP%s',
      async (protocol) => {
        const opening: Argv[] = [
          ['HELLO', String(protocol)],
          ['FLUSHALL'],
          ['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'a', '1'],
          ['SADD', 's', 'a', 'b', 'c'],
          ['SADD', 'i', '1', '2', '3'],
          ['HSET', 'h', 'a', '1', 'b', '2'],
          ['ZADD', 'z', '1', 'a', '2', 'b'],
        ];
        await fc.assert(
          fc.asyncProperty(
            fc.array(collectionCommand, { minLength: 1, maxLength: 25 }),
            fc.context(),
            async (requests, ctx) => {
              for (const c of [both.lite, both.real]) {
                await c.call(['RESET']);
                for (const argv of opening) await c.call(argv);
              }
              let queued = false;
              const sizes: Sizes = new Map();
              const encodings = new Map<string, string>();
              const check = async (argv: Argv, random = false): Promise<Value> => {
                const theirs = decodeResp(await both.real.call(argv));
                const ours = decodeResp(await both.lite.call(argv));
                const show = (v: Value): string => respBytes(random ? shape(v) : v).toString('latin1');
                ctx.log(`${showArgv(argv)} -> ${JSON.stringify(show(theirs))}`);
                expect(show(ours), showArgv(argv)).toBe(show(theirs));
                return theirs;
              };
              const look = async (): Promise<void> => {
                for (const k of KEYS) {
                  const encoding = await check(['OBJECT', 'ENCODING', k]);
                  encodings.set(k, encoding.type === 'bulk' ? encoding.bytes.toString() : '');
                  const type = await check(['TYPE', k]);
                  const counter = { set: 'SCARD', hash: 'HLEN', zset: 'ZCARD' }[
                    type.type === 'status' ? type.text : ''
                  ];
                  const size = counter === undefined ? null : await check([counter, k]);
                  sizes.set(k, size?.type === 'integer' ? Number(size.value) : 0);
                }
              };
              await look();
              for (const argv of requests) {
                const name = Buffer.from(argv[0]).toString();
                const random = name.endsWith('RANDMEMBER') || name === 'HRANDFIELD';
                const reply = await check(
                  argv,
                  random && (queued || !drawIsDetermined(argv, sizes, encodings)),
                );
                if (name === 'MULTI' && reply.type === 'status') queued = true;
                if (name === 'EXEC') queued = false;
                if (!queued) await look();
              }
              if (queued) await check(['DISCARD']);
            },
          ),
          fcParameters(RUNS, 5309 + protocol),
        );
      },
      timeoutFor(RUNS, 150),
    );
  },
);
