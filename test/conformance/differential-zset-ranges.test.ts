// Differential test of the sorted set commands that work by score and by rank, against redis-server 7.0 on
// every transport, over sets of up to 300 members with repeated scores: as skip lists past
// zset-max-listpack-entries (ranks from the spans), as large listpacks (the limit raised), and as skip lists of a
// few members (the limit lowered). ZRANGE BYSCORE [REV] [LIMIT] [WITHSCORES], ZRANGEBYSCORE, ZREVRANGEBYSCORE,
// ZCOUNT, ZRANGE/ZREVRANGE by index, ZRANK/ZREVRANK, ZREMRANGEBYSCORE/BYRANK, ZRANGESTORE (and the destination's
// encoding), ZPOPMIN/ZPOPMAX and ZADD/ZINCRBY moves between them; every reply must match byte for byte. The
// small-set sequences of differential-zsets.test.ts do not reach offsets and ranks past 128.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { fcParameters, numRuns, showArgv, timeoutFor, type Arg } from '../support/live-harness.js';
import { transports } from '../support/server.js';

type Argv = readonly Arg[];

const member = fc.integer({ min: 0, max: 400 }).map((i) => `m${i}`);
const score = fc.constantFrom('0', '1', '2', '3', '-1', '1.5', '2.5', '7', '100', '-inf', 'inf');
const bound = fc.oneof(
  score,
  score.map((s) => `(${s}`),
  fc.constantFrom('-inf', '+inf', '(-inf', '(+inf'),
);
const index = fc.constantFrom('0', '1', '-1', '5', '-5', '100', '-200', '300', '128', '-129');
const offset = fc.constantFrom('0', '1', '3', '-1', '128', '129', '200', '500');
const count = fc.constantFrom('-1', '0', '1', '5', '200', '-5');
const limit = fc.option(fc.tuple(offset, count));
const limitArgs = (l: [string, string] | null): Arg[] => (l === null ? [] : ['LIMIT', ...l]);
const rev = (r: boolean): Arg[] => (r ? ['REV'] : []);

const command: fc.Arbitrary<Argv> = fc.oneof(
  fc
    .tuple(bound, bound, fc.boolean(), limit, fc.boolean())
    .map(([a, b, r, l, w]): Argv => [
      'ZRANGE',
      'z',
      a,
      b,
      'BYSCORE',
      ...rev(r),
      ...limitArgs(l),
      ...(w ? ['WITHSCORES'] : []),
    ]),
  fc
    .tuple(bound, bound, limit)
    .map(([a, b, l]): Argv => ['ZRANGEBYSCORE', 'z', a, b, 'WITHSCORES', ...limitArgs(l)]),
  fc.tuple(bound, bound, limit).map(([a, b, l]): Argv => ['ZREVRANGEBYSCORE', 'z', a, b, ...limitArgs(l)]),
  fc.tuple(bound, bound).map(([a, b]): Argv => ['ZCOUNT', 'z', a, b]),
  fc
    .tuple(index, index, fc.boolean())
    .map(([a, b, r]): Argv => ['ZRANGE', 'z', a, b, ...rev(r), 'WITHSCORES']),
  fc.tuple(index, index).map(([a, b]): Argv => ['ZREVRANGE', 'z', a, b]),
  fc.tuple(fc.constantFrom('ZRANK', 'ZREVRANK'), member).map(([c, m]): Argv => [c, 'z', m]),
  fc.tuple(bound, bound).map(([a, b]): Argv => ['ZREMRANGEBYSCORE', 'z', a, b]),
  fc.tuple(index, index).map(([a, b]): Argv => ['ZREMRANGEBYRANK', 'z', a, b]),
  fc
    .tuple(bound, bound, fc.boolean(), limit)
    .map(([a, b, r, l]): Argv => ['ZRANGESTORE', 'd', 'z', a, b, 'BYSCORE', ...rev(r), ...limitArgs(l)]),
  fc.tuple(index, index, fc.boolean()).map(([a, b, r]): Argv => ['ZRANGESTORE', 'd', 'z', a, b, ...rev(r)]),
  fc
    .tuple(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), fc.constantFrom('1', '3', '0', '200'))
    .map(([c, n]): Argv => [c, 'z', n]),
  fc.tuple(score, member).map(([s, m]): Argv => ['ZINCRBY', 'z', s, m]),
  fc
    .tuple(fc.subarray(['GT', 'LT', 'XX', 'NX', 'CH']), score, member)
    .map(([flags, s, m]): Argv => ['ZADD', 'z', ...flags, s, m]),
);

/** The listpack limit of each case: large skip lists, large listpacks, small skip lists. */
const LIMITS = ['128', '1000', '4'] as const;

const FIXED_SEED = 2203;
const RUNS = numRuns(30);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: score and rank ranges over large sorted sets against redis-server',
  (transport) => {
    const both = useBothServers(transport);

    it(
      'answers as Redis 7.0 does',
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 300 }),
            fc.constantFrom(...LIMITS),
            fc.array(command, { minLength: 1, maxLength: 30 }),
            fc.context(),
            async (pairs, entries, steps, ctx) => {
              const opening: Argv[] = [
                ['FLUSHALL'],
                ['CONFIG', 'SET', 'zset-max-listpack-entries', entries],
                ['ZADD', 'z', ...pairs.flat()],
              ];
              const closing: Argv[] = [
                ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
                ['OBJECT', 'ENCODING', 'z'],
                ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'],
                ['OBJECT', 'ENCODING', 'd'],
              ];
              for (const argv of [...opening, ...steps, ...closing]) {
                const theirs = (await both.real.call(argv)).toString('latin1');
                const ours = (await both.lite.call(argv)).toString('latin1');
                ctx.log(`${showArgv(argv)} -> ${JSON.stringify(theirs)}`);
                expect(ours, showArgv(argv)).toBe(theirs);
              }
            },
          ),
          fcParameters(RUNS, FIXED_SEED),
        );
      },
      timeoutFor(RUNS, 300),
    );
  },
);
