// Differential test of the sorted set commands against real Redis 7.0, for every transport: random sequences of
// ZADD ... ZSCAN over a few keys (a string key among them, for WRONGTYPE, and a plain set, an input of ZUNION
// and friends), in RESP2 and RESP3, with the listpack
// limits lowered at random so both encodings and the conversions between them run; every reply must match byte
// for byte (OBJECT ENCODING included), except where Redis's own answer is random: ZRANDMEMBER is compared by its
// shape and by membership (exactly when it returns the whole set: fewer members than its count), ZSCAN as the set of pairs it returned. Lexicographic commands use their own key
// whose members all score 0: Redis leaves their result unspecified when scores differ.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeResp,
  fcParameters,
  numRuns,
  respBytes,
  timeoutFor,
  type Arg,
  type Value,
  showArgv,
} from '../support/live-harness.js';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { transports } from '../support/server.js';

type Argv = readonly Arg[];

const zkey = fc.constantFrom<Arg>('a', 'b', 'c', 's', 'st', 'nokey');
const lexKey = 'lx';
const member = fc.constantFrom<Arg>(
  'm',
  'n',
  'o',
  'p',
  'q',
  '',
  'a',
  '12',
  Buffer.from([0, 0xff]),
  'long-member-name',
);
const score = fc.constantFrom<Arg>(
  '0',
  '1',
  '-1',
  '1.5',
  '2',
  '10',
  'inf',
  '-inf',
  '+inf',
  '1e3',
  '0x10',
  'nan',
  'abc',
  '',
  ' 1',
  '1 ',
  '-0',
  '0.1',
  '3.0000000000000001',
  '1e400',
  '1e-400',
  '(1',
  '4.9e-324',
  '1.7976931348623157e308',
);
const scoreBound = fc.constantFrom<Arg>(
  '-inf',
  '+inf',
  'inf',
  '(1',
  '1',
  '(0',
  '0',
  '2',
  '(2',
  '1.5',
  'x',
  '(',
  '',
  ' 1',
  '(nan',
  '10',
);
const lexBound = fc.constantFrom<Arg>('-', '+', '[m', '(m', '[o', '(p', '[', '(', 'x', '+x', '[zz', '[a');
const index = fc.constantFrom<Arg>('0', '1', '-1', '2', '-2', '10', '-10', 'x', '9223372036854775807');
const count = fc.constantFrom<Arg>('0', '1', '2', '5', '-1', 'x');
const members = fc.array(member, { minLength: 1, maxLength: 4 });
const keys = fc.array(zkey, { minLength: 1, maxLength: 3 });
const weight = fc.constantFrom<Arg>('1', '2', '-1', '0', 'inf', '0.5', 'x');

const zaddFlags = fc.subarray(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'], { maxLength: 3 });
const pairs = fc.array(fc.tuple(score, member), { minLength: 0, maxLength: 4 }).map((ps) => ps.flat());

const rangeOptions = fc.subarray(['REV', 'WITHSCORES', 'LIMIT'], { maxLength: 3 });

/** The ZRANGE family's arguments after the key: min, max, then options in random order. */
function rangeTail(kind: 'rank' | 'score' | 'lex', bounds: fc.Arbitrary<Arg>) {
  return fc
    .tuple(bounds, bounds, rangeOptions, index, count)
    .map(([min, max, options, offset, limit]): Arg[] => {
      const out: Arg[] = [min, max];
      if (kind === 'score') out.push('BYSCORE');
      if (kind === 'lex') out.push('BYLEX');
      for (const option of options) out.push(...(option === 'LIMIT' ? ['LIMIT', offset, limit] : [option]));
      return out;
    });
}

const setOpOptions = fc.tuple(
  fc.option(fc.array(weight, { minLength: 1, maxLength: 3 })),
  fc.option(fc.constantFrom('SUM', 'MIN', 'MAX', 'AVG')),
  fc.boolean(),
);

const command: fc.Arbitrary<Argv> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(zkey, zaddFlags, pairs).map(([k, f, p]): Argv => ['ZADD', k, ...f, ...p]),
  },
  { weight: 2, arbitrary: fc.tuple(zkey, score, member).map(([k, s, m]): Argv => ['ZINCRBY', k, s, m]) },
  { weight: 2, arbitrary: fc.tuple(zkey, members).map(([k, m]): Argv => ['ZREM', k, ...m]) },
  fc.tuple(fc.constantFrom('ZCARD', 'TYPE'), zkey).map((t): Argv => t),
  fc.tuple(fc.constantFrom('OBJECT'), zkey).map(([, k]): Argv => ['OBJECT', 'ENCODING', k]),
  fc.tuple(fc.constantFrom('ZSCORE', 'ZRANK', 'ZREVRANK'), zkey, member).map((t): Argv => t),
  fc.tuple(zkey, members).map(([k, m]): Argv => ['ZMSCORE', k, ...m]),
  fc.tuple(zkey, scoreBound, scoreBound).map(([k, a, b]): Argv => ['ZCOUNT', k, a, b]),
  fc.tuple(zkey, rangeTail('rank', index)).map(([k, t]): Argv => ['ZRANGE', k, ...t]),
  fc.tuple(zkey, rangeTail('score', scoreBound)).map(([k, t]): Argv => ['ZRANGE', k, ...t]),
  fc
    .tuple(zkey, zkey, rangeTail('score', scoreBound))
    .map(([d, k, t]): Argv => ['ZRANGESTORE', d, k, ...t.filter((a) => a !== 'WITHSCORES')]),
  fc
    .tuple(zkey, index, index, fc.boolean())
    .map(([k, a, b, w]): Argv => ['ZREVRANGE', k, a, b, ...(w ? ['WITHSCORES'] : [])]),
  fc
    .tuple(
      fc.constantFrom('ZRANGEBYSCORE', 'ZREVRANGEBYSCORE'),
      zkey,
      scoreBound,
      scoreBound,
      fc.boolean(),
      fc.option(fc.tuple(index, count)),
    )
    .map(([c, k, a, b, w, l]): Argv => [
      c,
      k,
      a,
      b,
      ...(w ? ['WITHSCORES'] : []),
      ...(l ? ['LIMIT', ...l] : []),
    ]),
  fc
    .tuple(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), zkey, fc.option(count))
    .map(([c, k, n]): Argv => (n === null ? [c, k] : [c, k, n])),
  fc
    .tuple(keys, fc.constantFrom('MIN', 'MAX', 'max', 'BAD'), fc.option(count))
    .map(([ks, w, n]): Argv => ['ZMPOP', String(ks.length), ...ks, w, ...(n === null ? [] : ['COUNT', n])]),
  fc.tuple(fc.constantFrom('ZREMRANGEBYRANK'), zkey, index, index).map((t): Argv => t),
  fc.tuple(fc.constantFrom('ZREMRANGEBYSCORE'), zkey, scoreBound, scoreBound).map((t): Argv => t),
  fc
    .tuple(fc.constantFrom('ZUNION', 'ZINTER', 'ZDIFF'), keys, setOpOptions)
    .map(([c, ks, [ws, agg, withScores]]): Argv => [
      c,
      String(ks.length),
      ...ks,
      ...(ws ? ['WEIGHTS', ...ws] : []),
      ...(agg ? ['AGGREGATE', agg] : []),
      ...(withScores ? ['WITHSCORES'] : []),
    ]),
  fc
    .tuple(fc.constantFrom('ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE'), zkey, keys, setOpOptions)
    .map(([c, d, ks, [ws, agg]]): Argv => [
      c,
      d,
      String(ks.length),
      ...ks,
      ...(ws ? ['WEIGHTS', ...ws] : []),
      ...(agg ? ['AGGREGATE', agg] : []),
    ]),
  fc
    .tuple(keys, fc.option(count))
    .map(([ks, l]): Argv => ['ZINTERCARD', String(ks.length), ...ks, ...(l === null ? [] : ['LIMIT', l])]),
  fc.constantFrom<Argv>(
    ['ZUNION', '0', 'a'],
    ['ZINTERCARD', 'x', 'a'],
    ['ZMPOP', '0', 'a', 'MIN'],
    ['ZUNIONSTORE', 'a', '3', 'b'],
    ['ZADD', 'a', 'NX', 'XX', '1', 'm'],
    ['ZADD', 'a', 'INCR', '1', 'm', '2', 'n'],
    ['ZADD', 'a', 'GT', 'LT', '1', 'm'],
    ['ZADD', 'a', '1'],
  ),
  fc
    .tuple(fc.constantFrom('ZRANDMEMBER'), zkey, fc.option(fc.tuple(count, fc.boolean())))
    .map(([c, k, o]): Argv => (o === null ? [c, k] : [c, k, o[0], ...(o[1] ? ['WITHSCORES'] : [])])),
  fc
    .tuple(zkey, fc.constantFrom('0', 'x', '007'), fc.option(fc.constantFrom('*', 'm*', '?', '[mn]')))
    .map(([k, cursor, m]): Argv => ['ZSCAN', k, cursor, ...(m ? ['MATCH', m] : []), 'COUNT', '1000']),
  // The lexicographic commands, on a key whose members all score 0.
  { weight: 3, arbitrary: members.map((m): Argv => ['ZADD', lexKey, ...m.flatMap((x) => ['0', x])]) },
  fc.tuple(lexBound, lexBound).map(([a, b]): Argv => ['ZLEXCOUNT', lexKey, a, b]),
  fc.tuple(rangeTail('lex', lexBound)).map(([t]): Argv => ['ZRANGE', lexKey, ...t]),
  fc
    .tuple(
      fc.constantFrom('ZRANGEBYLEX', 'ZREVRANGEBYLEX'),
      lexBound,
      lexBound,
      fc.option(fc.tuple(index, count)),
    )
    .map(([c, a, b, l]): Argv => [c, lexKey, a, b, ...(l ? ['LIMIT', ...l] : [])]),
  fc.tuple(lexBound, lexBound).map(([a, b]): Argv => ['ZREMRANGEBYLEX', lexKey, a, b]),
  fc
    .tuple(zkey, rangeTail('lex', lexBound))
    .map(([d, t]): Argv => ['ZRANGESTORE', d, lexKey, ...t.filter((a) => a !== 'WITHSCORES')]),
  // Plain sets are inputs of the set operations (each member scores 1): an intset or a hash table.
  fc.tuple(members).map(([m]): Argv => ['SADD', 'st', ...m]),
  // Keyspace commands over both encodings.
  fc.tuple(fc.constantFrom('COPY', 'RENAME'), zkey, zkey).map((t): Argv => t),
  fc.tuple(fc.constantFrom('DEL'), zkey).map((t): Argv => t),
  // The listpack limits, so that small sets are skip lists too.
  fc.constantFrom('1', '2', '3', '128').map((n): Argv => ['CONFIG', 'SET', 'zset-max-listpack-entries', n]),
  fc.constantFrom('1', '4', '64').map((n): Argv => ['CONFIG', 'SET', 'zset-max-listpack-value', n]),
);

/** Redis picks ZRANDMEMBER's elements at random and ZSCAN walks its dict: compared by what must hold. */
function normalize(argv: Argv, value: Value): string {
  const name = Buffer.from(argv[0]).toString().toUpperCase();
  if (name === 'ZSCAN' && value.type === 'array' && value.items[1]?.type === 'array') {
    const flat = value.items[1].items;
    const pairs: string[] = [];
    for (let i = 0; i < flat.length; i += 2)
      pairs.push(respBytes(flat[i]).toString('latin1') + respBytes(flat[i + 1]).toString('latin1'));
    return `${respBytes(value.items[0]).toString('latin1')} ${pairs.sort().join('|')}`;
  }
  if (name === 'ZRANDMEMBER' && value.type === 'array') {
    // Fewer members than a positive count asked for: the whole set, in the order Redis walks it (exact).
    const members =
      argv[3] === undefined || value.items[0]?.type === 'array' ? value.items.length : value.items.length / 2;
    if (members < Number(Buffer.from(argv[2]).toString())) return respBytes(value).toString('latin1');
    // The reply's length and element shapes; which members is random.
    return `array of ${value.items.length}: ${value.items.map((item) => item.type).join(',')}`;
  }
  if (name === 'ZRANDMEMBER' && value.type === 'bulk') return 'a member';
  return respBytes(value).toString('latin1');
}

/** The suite replays one seed (FC_SEED=random soaks: live-harness.ts fcParameters). */
const FIXED_SEED = 9703;
const RUNS = numRuns(60);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: sorted sets against redis-server',
  (transport) => {
    const both = useBothServers(transport);

    it('describes the sorted set commands as Redis 7.0 does (COMMAND INFO, key specs, COMMAND GETKEYS)', async () => {
      const names = ['ZADD', 'ZINCRBY', 'ZREM', 'ZCARD', 'ZSCORE', 'ZMSCORE', 'ZRANK', 'ZREVRANK', 'ZCOUNT'];
      names.push('ZLEXCOUNT', 'ZRANGE', 'ZRANGESTORE', 'ZREVRANGE', 'ZRANGEBYSCORE', 'ZREVRANGEBYSCORE');
      names.push(
        'ZRANGEBYLEX',
        'ZREVRANGEBYLEX',
        'ZPOPMIN',
        'ZPOPMAX',
        'ZMPOP',
        'ZRANDMEMBER',
        'ZUNIONSTORE',
      );
      names.push('ZINTERSTORE', 'ZDIFFSTORE', 'ZUNION', 'ZINTER', 'ZDIFF', 'ZINTERCARD', 'ZREMRANGEBYRANK');
      names.push('ZREMRANGEBYSCORE', 'ZREMRANGEBYLEX', 'ZSCAN');
      for (const c of [both.lite, both.real]) await c.call(['HELLO', '3']);
      for (const name of names) {
        const [mine, theirs] = await Promise.all(
          [both.lite, both.real].map((c) => c.call(['COMMAND', 'INFO', name])),
        );
        expect(mine.toString('latin1'), name).toBe(theirs.toString('latin1'));
      }
      const getkeys: Argv[] = [
        ['ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
        ['ZINTER', '3', 'a', 'b', 'c'],
        ['ZMPOP', '2', 'a', 'b', 'MIN'],
        ['ZRANGESTORE', 'd', 's', '0', '-1'],
        ['ZUNION', '0', 'a'],
        ['ZUNION', '3', 'a', 'b'],
        ['ZDIFF', 'x', 'a'],
      ];
      for (const argv of getkeys) {
        const [mine, theirs] = await Promise.all(
          [both.lite, both.real].map((c) => c.call(['COMMAND', 'GETKEYS', ...argv])),
        );
        expect(mine.toString('latin1'), showArgv(argv)).toBe(theirs.toString('latin1'));
      }
      for (const c of [both.lite, both.real]) await c.call(['HELLO', '2']);
    });

    it('refuses a repeated or fixed ZRANGE option as Redis does', async () => {
      const script: Argv[] = [
        ['ZADD', 'k', '1', 'a', '2', 'b'],
        ['ZRANGE', 'k', '0', '1', 'REV', 'REV'],
        ['ZRANGE', 'k', '0', '1', 'BYSCORE', 'BYLEX'],
        ['ZRANGEBYSCORE', 'k', '0', '1', 'REV'],
        ['ZREVRANGE', 'k', '0', '1', 'BYSCORE'],
        ['ZRANGE', 'k', '0', '1', 'LIMIT', '0', '-1'],
        ['ZRANGE', 'k', '0', '1', 'LIMIT', '0', '5'],
        ['ZRANGESTORE', 'd', 'k', '0', '1', 'WITHSCORES'],
        ['ZRANGEBYLEX', 'k', '-', '+', 'WITHSCORES'],
      ];
      for (const c of [both.lite, both.real]) await c.call(['FLUSHALL']);
      for (const argv of script) {
        const [mine, theirs] = await Promise.all([both.lite, both.real].map((c) => c.call(argv)));
        expect(mine.toString('latin1'), showArgv(argv)).toBe(theirs.toString('latin1'));
      }
    });

    it.each([2, 3] as const)(
      'answers random sorted set sequences as Redis 7.0 does, in RESP%s',
      async (protocol) => {
        const opening: Argv[] = [
          ['RESET'],
          ...(protocol === 3 ? [['HELLO', '3']] : []),
          ['FLUSHALL'],
          ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
          ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
          ['SET', 's', 'string'],
        ];
        const closing: Argv[] = ['a', 'b', 'c', lexKey].flatMap((k): Argv[] => [
          ['ZRANGE', k, '0', '-1', 'WITHSCORES'],
          ['OBJECT', 'ENCODING', k],
        ]);
        await fc.assert(
          fc.asyncProperty(
            fc.array(command, { minLength: 1, maxLength: 40 }),
            fc.context(),
            async (requests, ctx) => {
              for (const argv of opening) await Promise.all([both.real.call(argv), both.lite.call(argv)]);
              for (const argv of [...requests, ...closing]) {
                const expected = normalize(argv, decodeResp(await both.real.call(argv)));
                const actual = normalize(argv, decodeResp(await both.lite.call(argv)));
                ctx.log(`${showArgv(argv)} -> ${JSON.stringify(expected)}`);
                expect(actual, showArgv(argv)).toBe(expected);
              }
            },
          ),
          fcParameters(RUNS, FIXED_SEED),
        );
      },
      timeoutFor(RUNS, 80),
    );
  },
);
