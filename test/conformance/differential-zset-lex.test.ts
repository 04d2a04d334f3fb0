// Differential test of the lexicographic sorted set commands against redis-server 7.0 on sets whose scores
// differ, for every transport: ZLEXCOUNT, ZRANGEBYLEX, ZREVRANGEBYLEX, ZRANGE ... BYLEX [REV] [LIMIT],
// ZRANGESTORE ... BYLEX and ZREMRANGEBYLEX (with ZADDs between them), over small sets and sets past
// zset-max-listpack-entries, each as a listpack and as a skip list; every reply must match byte for byte.
// Redis walks rank order (zset-lex.ts), so those replies are not "the members in range". A skip list's searches
// descend its random levels: where that makes Redis's own answer depend on the levels (a search for min with more
// than one place to land, as this file's `landings` counts), the request is not sent to either server.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import {
  decodeResp,
  fcParameters,
  numRuns,
  showArgv,
  timeoutFor,
  type Arg,
  type LiveClient,
} from '../support/live-harness.js';
import { transports } from '../support/server.js';

type Argv = readonly Arg[];

/** A lex request on key z: its argv, the range it reads as [min, max], and which search it starts with. */
interface LexRequest {
  readonly argv: Argv;
  readonly min: string;
  readonly max: string;
  /** forward: the search for min; reverse: for max; count: both; remove: for min without the head/tail test. */
  readonly walk: 'forward' | 'reverse' | 'count' | 'remove' | 'none';
}

/** A population of members and scores: a few short members with small scores, or many in nearly lex order. */
interface Population {
  readonly pairs: readonly (readonly [number, string])[];
  readonly members: readonly string[];
}

const SMALL_MEMBERS = ['a', 'b', 'c', 'd', 'ab', 'ba', 'bb', '', 'c~'];
const small: fc.Arbitrary<Population> = fc
  .array(fc.tuple(fc.integer({ min: -1, max: 4 }), fc.constantFrom(...SMALL_MEMBERS)), {
    minLength: 1,
    maxLength: 9,
  })
  .map((pairs) => ({ pairs, members: SMALL_MEMBERS }));

/** 129 to 160 members m000.., scored by their index, a few of them moved by up to 4: mostly in lex order. */
const large: fc.Arbitrary<Population> = fc
  .tuple(
    fc.integer({ min: 129, max: 160 }),
    fc.array(fc.tuple(fc.nat(159), fc.integer({ min: -4, max: 4 })), { maxLength: 6 }),
  )
  .map(([n, moves]) => {
    const members = Array.from({ length: n }, (_, i) => `m${String(i).padStart(3, '0')}`);
    const scores = members.map((_, i) => i);
    for (const [at, by] of moves) if (at < n) scores[at] += by;
    return { pairs: members.map((m, i) => [scores[i], m] as const), members };
  });

function requests(members: readonly string[]): fc.Arbitrary<LexRequest> {
  const member = fc.constantFrom(...members);
  const bound = fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom('-', '+') },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom('[', '('), member).map(([k, m]) => k + m) },
  );
  const limit = fc.option(
    fc.tuple(fc.constantFrom('0', '1', '2', '-1', '5'), fc.constantFrom('-1', '0', '1', '3')),
  );
  const limitArgs = (l: [string, string] | null): Arg[] => (l === null ? [] : ['LIMIT', ...l]);
  return fc.oneof(
    fc.tuple(bound, bound).map(([min, max]): LexRequest => ({
      argv: ['ZLEXCOUNT', 'z', min, max],
      min,
      max,
      walk: 'count',
    })),
    fc.tuple(bound, bound, limit).map(([min, max, l]): LexRequest => ({
      argv: ['ZRANGEBYLEX', 'z', min, max, ...limitArgs(l)],
      min,
      max,
      walk: 'forward',
    })),
    fc.tuple(bound, bound, limit).map(([min, max, l]): LexRequest => ({
      argv: ['ZREVRANGEBYLEX', 'z', max, min, ...limitArgs(l)],
      min,
      max,
      walk: 'reverse',
    })),
    fc.tuple(bound, bound, fc.boolean(), limit).map(([min, max, rev, l]): LexRequest => ({
      argv: [
        'ZRANGE',
        'z',
        ...(rev ? [max, min] : [min, max]),
        'BYLEX',
        ...(rev ? ['REV'] : []),
        ...limitArgs(l),
      ],
      min,
      max,
      walk: rev ? 'reverse' : 'forward',
    })),
    fc.tuple(bound, bound, fc.boolean(), limit).map(([min, max, rev, l]): LexRequest => ({
      argv: [
        'ZRANGESTORE',
        'd',
        'z',
        ...(rev ? [max, min] : [min, max]),
        'BYLEX',
        ...(rev ? ['REV'] : []),
        ...limitArgs(l),
      ],
      min,
      max,
      walk: rev ? 'reverse' : 'forward',
    })),
    fc.tuple(bound, bound).map(([min, max]): LexRequest => ({
      argv: ['ZREMRANGEBYLEX', 'z', min, max],
      min,
      max,
      walk: 'remove',
    })),
    fc.tuple(fc.integer({ min: -1, max: 200 }), member).map(([score, m]): LexRequest => ({
      argv: ['ZADD', 'z', String(score), m],
      min: '-',
      max: '+',
      walk: 'none',
    })),
  );
}

// ---- where a skip list's search may land (t_zset.c, restated on its own so it can disagree) ----

/** sdscmplex of a member against a bound: `-` is below and `+` above every member. */
function compare(member: Buffer, bound: string): number {
  if (bound === '-') return 1;
  if (bound === '+') return -1;
  return Buffer.compare(member, Buffer.from(bound.slice(1), 'latin1'));
}

const atOrPastMin = (m: Buffer, min: string) =>
  min.startsWith('(') ? compare(m, min) > 0 : compare(m, min) >= 0;
const withinMax = (m: Buffer, max: string) =>
  max.startsWith('(') ? compare(m, max) < 0 : compare(m, max) <= 0;

function emptyRange(min: string, max: string): boolean {
  const value = (b: string) => Buffer.from(b.slice(1), 'latin1');
  let cmp: number;
  if (min === max && (min === '-' || min === '+')) cmp = 0;
  else if (min === '+' || max === '-') cmp = 1;
  else if (min === '-' || max === '+') cmp = -1;
  else cmp = Buffer.compare(value(min), value(max));
  return cmp > 0 || (cmp === 0 && (min.startsWith('(') || max.startsWith('(')));
}

/**
 * How many places a skip list's search can land, whatever its levels: the search for min stops before any
 * member at or past min whose predecessor is not (or at the end, if the tail is below min); the search for max
 * after any member within max whose successor is not (or before the head).
 */
function landings(order: readonly Buffer[], min: string, max: string) {
  const n = order.length;
  const gte = order.map((m) => atOrPastMin(m, min));
  const lte = order.map((m) => withinMax(m, max));
  let start = n > 0 && !gte[n - 1] ? 1 : 0;
  let end = n > 0 && !lte[0] ? 1 : 0;
  for (let i = 0; i < n; i++) {
    if (gte[i] && (i === 0 || !gte[i - 1])) start++;
    if (lte[i] && (i === n - 1 || !lte[i + 1])) end++;
  }
  const mayHold = n > 0 && !emptyRange(min, max) && gte[n - 1] && lte[0];
  return { start, end, mayHold };
}

/** Whether Redis's reply to `request` is the same whatever its skip list's levels (always, for a listpack). */
async function levelsDoNotMatter(real: LiveClient, request: LexRequest): Promise<boolean> {
  if (request.walk === 'none') return true;
  const encoding = decodeResp(await real.call(['OBJECT', 'ENCODING', 'z']));
  if (encoding.type !== 'bulk' || encoding.bytes.toString() !== 'skiplist') return true;
  const reply = decodeResp(await real.call(['ZRANGE', 'z', '0', '-1']));
  const order =
    reply.type === 'array' ? reply.items.map((v) => (v.type === 'bulk' ? v.bytes : Buffer.alloc(0))) : [];
  const { start, end, mayHold } = landings(order, request.min, request.max);
  switch (request.walk) {
    case 'remove':
      return start <= 1 || emptyRange(request.min, request.max);
    case 'forward':
      return !mayHold || start <= 1;
    case 'reverse':
      return !mayHold || end <= 1;
    case 'count':
      return !mayHold || (start <= 1 && end <= 1);
  }
}

const FIXED_SEED = 4127;
const RUNS = numRuns(40);

/** The listpack limit each case runs under: small sets as listpacks and skip lists, large ones likewise. */
const CASES = [
  { name: 'small listpacks', population: small, entries: '128' },
  { name: 'small skip lists', population: small, entries: '2' },
  { name: 'large skip lists', population: large, entries: '128' },
  { name: 'large listpacks', population: large, entries: '256' },
] as const;

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: lex ranges over mixed scores against redis-server',
  (transport) => {
    const both = useBothServers(transport);

    it.each(CASES)(
      'answers as Redis 7.0 does: $name',
      async ({ population, entries }) => {
        const scenario = population.chain((p) =>
          fc.tuple(fc.constant(p), fc.array(requests(p.members), { minLength: 1, maxLength: 10 })),
        );
        await fc.assert(
          fc.asyncProperty(scenario, fc.context(), async ([p, steps], ctx) => {
            const opening: Argv[] = [
              ['FLUSHALL'],
              ['CONFIG', 'SET', 'zset-max-listpack-entries', entries],
              ['ZADD', 'z', ...p.pairs.flatMap(([s, m]) => [String(s), m])],
            ];
            const check = async (argv: Argv): Promise<void> => {
              const theirs = (await both.real.call(argv)).toString('latin1');
              const ours = (await both.lite.call(argv)).toString('latin1');
              ctx.log(`${showArgv(argv)} -> ${JSON.stringify(theirs)}`);
              expect(ours, showArgv(argv)).toBe(theirs);
            };
            for (const argv of opening) await check(argv);
            await check(['OBJECT', 'ENCODING', 'z']);
            for (const request of steps) {
              if (!(await levelsDoNotMatter(both.real, request))) continue;
              await check(request.argv);
              if (request.argv[0] === 'ZRANGESTORE') {
                await check(['ZRANGE', 'd', '0', '-1', 'WITHSCORES']);
                await check(['OBJECT', 'ENCODING', 'd']);
              }
            }
            await check(['ZRANGE', 'z', '0', '-1', 'WITHSCORES']);
          }),
          fcParameters(RUNS, FIXED_SEED),
        );
      },
      timeoutFor(RUNS, 200),
    );
  },
);
