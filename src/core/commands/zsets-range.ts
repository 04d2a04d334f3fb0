// The ZRANGE family (redis.io/commands/zrange; Redis 7.0's t_zset.c zrangeGenericCommand): ZRANGE with BYSCORE,
// BYLEX, REV, LIMIT and WITHSCORES, ZRANGESTORE, and the older ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE,
// ZRANGEBYLEX, ZREVRANGEBYLEX, which are ZRANGE with the kind of range or the direction fixed (their options are
// then not accepted). Options are read left to right, conflicts checked, the range parsed (REV takes max first),
// then the key looked up: Redis's order, which decides the error a bad request gets.

import { isKeyword } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import { oneKey } from '../key-specs.js';
import {
  NOTIFY_GENERIC,
  NOTIFY_ZSET,
  notifyCreated,
  notifyKeyspaceEvent,
  writeWithMissing,
} from '../pubsub/keyspace-events.js';
import { array, integer, type Reply } from '../reply.js';
import type { RangeQuery } from '../store/zset-types.js';
import { looked } from './bitmap.js';
import { parseLexRange, parseScoreRange, scoredReply, toLong } from './zset-args.js';

type Kind = 'rank' | 'score' | 'lex';

interface ParsedRange {
  readonly query: RangeQuery;
  readonly withScores: boolean;
}

/** zrangeGenericCommand's steps 1 and 2, for the source key at argv[at] (then min, max, options). */
function parseRange(
  argv: Buffer[],
  at: number,
  store: boolean,
  fixedKind: Kind | undefined,
  fixedReverse: boolean | undefined,
): ParsedRange {
  // Each of BYSCORE/BYLEX and REV is accepted once, and only where the command leaves it open (Redis tests
  // rangetype == ZRANGE_AUTO and direction == ZRANGE_DIRECTION_AUTO), so a second one is a syntax error.
  let kind = fixedKind;
  let reverse = fixedReverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = at + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const option = argv[j];
    if (!store && isKeyword(option, 'WITHSCORES')) withScores = true;
    else if (isKeyword(option, 'LIMIT') && left >= 2) {
      offset = toLong(argv[j + 1]);
      limit = toLong(argv[j + 2]);
      j += 2;
    } else if (reverse === undefined && isKeyword(option, 'REV')) reverse = true;
    else if (kind === undefined && isKeyword(option, 'BYLEX')) kind = 'lex';
    else if (kind === undefined && isKeyword(option, 'BYSCORE')) kind = 'score';
    else throw new CommandError(ERR.syntax);
  }
  const rev = reverse ?? false;
  const by = kind ?? 'rank';
  // Redis compares opt_limit with -1: LIMIT 0 -1 reads as no LIMIT at all.
  if (limit !== -1 && by === 'rank') {
    throw new CommandError(
      'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
    );
  }
  if (withScores && by === 'lex') {
    throw new CommandError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  }
  const [min, max] = rev && by !== 'rank' ? [argv[at + 2], argv[at + 1]] : [argv[at + 1], argv[at + 2]];
  let query: RangeQuery;
  if (by === 'rank') query = { by, start: toLong(min), end: toLong(max), reverse: rev };
  else if (by === 'score') query = { by, range: parseScoreRange(min, max), reverse: rev, offset, limit };
  else query = { by, range: parseLexRange(min, max), reverse: rev, offset, limit };
  return { query, withScores };
}

function zrangeReply(kind: Kind | undefined, reverse: boolean | undefined) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const { query, withScores } = parseRange(argv, 1, false, kind, reverse);
    const elements = ctx.store.zrange(argv[1], query);
    looked(ctx, argv[1], elements !== null);
    return elements === null ? array([]) : scoredReply(ctx, elements, withScores);
  };
}

/** ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]. */
function zrangestore(argv: Buffer[], ctx: CommandContext): Reply {
  const { query } = parseRange(argv, 2, true, undefined, undefined);
  const destination = argv[1];
  // Both keys locked for the `new` check, as the operation locks them.
  const keys = [destination, argv[2]];
  const { result, missing } = writeWithMissing(ctx, keys, (store) =>
    store.zrangeStore(destination, argv[2], query),
  );
  looked(ctx, argv[2], result.found[0]);
  if (result.length > 0) {
    markChanged(ctx);
    notifyCreated(ctx, keys, missing, 0);
    notifyKeyspaceEvent(ctx, NOTIFY_ZSET, 'zrangestore', destination);
  } else if (result.deleted) {
    markChanged(ctx);
    notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', destination);
  }
  return integer(result.length);
}

const base = { group: 'sorted-set', keys: [1, 1, 1], arity: -4, flags: ['readonly'] } as const;

export const zsetRangeCommands: readonly CommandSpec[] = [
  {
    ...base,
    name: 'zrange',
    syntax: 'ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]',
    summary: 'Return a range of members in a sorted set',
    since: '1.2.0',
    run: zrangeReply(undefined, undefined),
  },
  {
    name: 'zrangestore',
    syntax: 'ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]',
    summary: 'Store a range of members from sorted set into another key',
    group: 'sorted-set',
    since: '6.2.0',
    arity: -5,
    flags: ['write', 'denyoom'],
    keys: [1, 2, 1],
    keySpecs: [oneKey(1, ['OW', 'update']), oneKey(2, ['RO', 'access'])],
    run: zrangestore,
  },
  {
    ...base,
    name: 'zrevrange',
    syntax: 'ZREVRANGE key start stop [WITHSCORES]',
    summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low',
    since: '1.2.0',
    run: zrangeReply('rank', true),
  },
  {
    ...base,
    name: 'zrangebyscore',
    syntax: 'ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]',
    summary: 'Return a range of members in a sorted set, by score',
    since: '1.0.5',
    run: zrangeReply('score', false),
  },
  {
    ...base,
    name: 'zrevrangebyscore',
    syntax: 'ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]',
    summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low',
    since: '2.2.0',
    run: zrangeReply('score', true),
  },
  {
    ...base,
    name: 'zrangebylex',
    syntax: 'ZRANGEBYLEX key min max [LIMIT offset count]',
    summary: 'Return a range of members in a sorted set, by lexicographical range',
    since: '2.8.9',
    run: zrangeReply('lex', false),
  },
  {
    ...base,
    name: 'zrevrangebylex',
    syntax: 'ZREVRANGEBYLEX key max min [LIMIT offset count]',
    summary:
      'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.',
    since: '2.8.9',
    run: zrangeReply('lex', true),
  },
];
