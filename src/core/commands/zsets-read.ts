// Sorted set reads of one key (redis.io/commands/<name>; Redis 7.0's t_zset.c and db.c scanGenericCommand):
// ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, ZRANDMEMBER, ZSCAN. Ranges and counts are read
// before the key is looked up, as Redis does, so a bad argument is an error even for a missing key; ZSCAN reads
// its options only once it found the key.

import { isKeyword, parseInt64 } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { globMatch } from '../glob.js';
import { formatDouble } from '../format-double.js';
import { oneKey } from '../key-specs.js';
import { array, bulk, bulkString, double, integer, NIL, ZERO, type Reply } from '../reply.js';
import { MISSING_KEY } from '../store/zset-types.js';
import { parseScanOptions, parseCursor } from './scan-args.js';
import { looked } from './bitmap.js';
import { parseLexRange, parseScoreRange, scoredReply } from './zset-args.js';

const EMPTY_ARRAY = array([]);
const LONG_MAX = 2n ** 63n - 1n;

function zscore(argv: Buffer[], ctx: CommandContext): Reply {
  const score = ctx.store.zscore(argv[1], argv[2]);
  looked(ctx, argv[1], score !== MISSING_KEY);
  return score === null || score === MISSING_KEY ? NIL : double(score);
}

function zmscore(argv: Buffer[], ctx: CommandContext): Reply {
  const members = argv.slice(2);
  const scores = ctx.store.zmscore(argv[1], members);
  looked(ctx, argv[1], scores !== null);
  return array(
    members.map((_, i) => (scores === null || scores[i] === null ? NIL : double(scores[i] as number))),
  );
}

function zrank(reverse: boolean) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const rank = ctx.store.zrank(argv[1], argv[2], reverse);
    looked(ctx, argv[1], rank !== MISSING_KEY);
    return rank === null || rank === MISSING_KEY ? NIL : integer(rank);
  };
}

function zcount(argv: Buffer[], ctx: CommandContext): Reply {
  const count = ctx.store.zcount(argv[1], parseScoreRange(argv[2], argv[3]));
  looked(ctx, argv[1], count !== null);
  return integer(count ?? 0);
}

function zlexcount(argv: Buffer[], ctx: CommandContext): Reply {
  const count = ctx.store.zlexcount(argv[1], parseLexRange(argv[2], argv[3]));
  looked(ctx, argv[1], count !== null);
  return integer(count ?? 0);
}

/** ZRANDMEMBER key [count [WITHSCORES]] (zrandmemberCommand). */
function zrandmember(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  if (argv.length === 2) {
    const picked = ctx.store.zrandMember(key, 1);
    looked(ctx, key, picked !== null);
    return picked === null ? NIL : bulk(picked[0].member);
  }
  const requested = parseInt64(argv[2]);
  if (requested === null) throw new CommandError(ERR.notInteger);
  // getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): only LONG_MIN itself is out of range.
  if (requested < -LONG_MAX) {
    throw new CommandError(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`);
  }
  if (argv.length > 4 || (argv.length === 4 && !isKeyword(argv[3], 'WITHSCORES'))) {
    throw new CommandError(ERR.syntax);
  }
  const withScores = argv.length === 4;
  if (withScores && (requested < -(LONG_MAX / 2n) || requested > LONG_MAX / 2n)) {
    throw new CommandError('ERR value is out of range');
  }
  const count = Number(requested);
  if (count === 0) {
    // Still a lookup: WRONGTYPE for a key of another type.
    looked(ctx, key, ctx.store.zcard(key) > 0);
    return EMPTY_ARRAY;
  }
  const picked = ctx.store.zrandMember(key, count);
  looked(ctx, key, picked !== null);
  return picked === null ? EMPTY_ARRAY : scoredReply(ctx, picked, withScores);
}

/** ZSCAN key cursor [MATCH pattern] [COUNT count]: the cursor first, then the key, then the options. */
function zscan(argv: Buffer[], ctx: CommandContext): Reply {
  const cursor = BigInt(parseCursor(argv[2]));
  const key = argv[1];
  // Looked up before the options are read (zscanCommand), so a missing key answers the empty scan whatever follows.
  const found = ctx.store.zcard(key) > 0;
  looked(ctx, key, found);
  if (!found) return array([bulkString('0'), EMPTY_ARRAY]);
  const { count, match } = parseScanOptions(argv, 3, false);
  const result = ctx.store.zscan(key, Number(cursor & 0xffffffffn), count);
  if (result === null) return array([bulkString('0'), EMPTY_ARRAY]);
  const items: Reply[] = [];
  for (const { member, score } of result.elements) {
    if (match !== undefined && !globMatch(match, member)) continue;
    items.push(bulk(member), bulkString(formatDouble(score)));
  }
  return array([bulkString(String(result.cursor)), array(items)]);
}

const base = { group: 'sorted-set', keys: [1, 1, 1] } as const;
const READ_ACCESS = [oneKey(1, ['RO', 'access'])];

export const zsetReadCommands: readonly CommandSpec[] = [
  {
    ...base,
    name: 'zcard',
    syntax: 'ZCARD key',
    summary: 'Get the number of members in a sorted set',
    since: '1.2.0',
    arity: 2,
    flags: ['readonly', 'fast'],
    keySpecs: [oneKey(1, ['RO'])],
    run: (argv, ctx) => {
      const length = ctx.store.zcard(argv[1]); // 0 only for a missing key: Redis keeps no empty sorted set
      looked(ctx, argv[1], length > 0);
      return length === 0 ? ZERO : integer(length);
    },
  },
  {
    ...base,
    name: 'zscore',
    syntax: 'ZSCORE key member',
    summary: 'Get the score associated with the given member in a sorted set',
    since: '1.2.0',
    arity: 3,
    flags: ['readonly', 'fast'],
    run: zscore,
  },
  {
    ...base,
    name: 'zmscore',
    syntax: 'ZMSCORE key member [member ...]',
    summary: 'Get the score associated with the given members in a sorted set',
    since: '6.2.0',
    arity: -3,
    flags: ['readonly', 'fast'],
    run: zmscore,
  },
  {
    ...base,
    name: 'zrank',
    syntax: 'ZRANK key member',
    summary: 'Determine the index of a member in a sorted set',
    since: '2.0.0',
    arity: 3,
    flags: ['readonly', 'fast'],
    run: zrank(false),
  },
  {
    ...base,
    name: 'zrevrank',
    syntax: 'ZREVRANK key member',
    summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low',
    since: '2.0.0',
    arity: 3,
    flags: ['readonly', 'fast'],
    run: zrank(true),
  },
  {
    ...base,
    name: 'zcount',
    syntax: 'ZCOUNT key min max',
    summary: 'Count the members in a sorted set with scores within the given values',
    since: '2.0.0',
    arity: 4,
    flags: ['readonly', 'fast'],
    run: zcount,
  },
  {
    ...base,
    name: 'zlexcount',
    syntax: 'ZLEXCOUNT key min max',
    summary: 'Count the number of members in a sorted set between a given lexicographical range',
    since: '2.8.9',
    arity: 4,
    flags: ['readonly', 'fast'],
    run: zlexcount,
  },
  {
    ...base,
    name: 'zrandmember',
    syntax: 'ZRANDMEMBER key [count [WITHSCORES]]',
    summary: 'Get one or multiple random elements from a sorted set',
    since: '6.2.0',
    arity: -2,
    flags: ['readonly'],
    keySpecs: READ_ACCESS,
    run: zrandmember,
  },
  {
    ...base,
    name: 'zscan',
    syntax: 'ZSCAN key cursor [MATCH pattern] [COUNT count]',
    summary: 'Incrementally iterate sorted sets elements and associated scores',
    since: '2.8.0',
    arity: -3,
    flags: ['readonly'],
    keySpecs: READ_ACCESS,
    run: zscan,
  },
];
