// Sorted set writes on one key (redis.io/commands/<name>; Redis 7.0's t_zset.c): ZADD with NX XX GT LT CH INCR,
// ZINCRBY (ZADD INCR with its own arity), ZREM, ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX. Arguments
// are read in Redis's order, so a bad request gets Redis's error, and before the key is looked up; keyspace
// events as Redis sends them: `new` for a key made, then zadd / zincr / zrem / zremrangeby*, then `del` when
// a removal emptied it.

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
import { double, integer, NIL, type Reply } from '../reply.js';
import type { RemoveRange, ScoredMember } from '../store/zset-types.js';
import { parseLexRange, parseScore, parseScoreRange, toLong } from './zset-args.js';

/** ZADD and ZINCRBY (zaddGenericCommand): options, then score-member pairs, all scores read before any write. */
function zaddGeneric(argv: Buffer[], ctx: CommandContext, incrOnly: boolean): Reply {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrOnly;
  let at = 2;
  for (; at < argv.length; at++) {
    const option = argv[at];
    if (isKeyword(option, 'NX')) nx = true;
    else if (isKeyword(option, 'XX')) xx = true;
    else if (isKeyword(option, 'CH')) ch = true;
    else if (isKeyword(option, 'INCR')) incr = true;
    else if (isKeyword(option, 'GT')) gt = true;
    else if (isKeyword(option, 'LT')) lt = true;
    else break;
  }
  const elements = argv.length - at;
  if (elements % 2 !== 0 || elements === 0) throw new CommandError(ERR.syntax);
  if (nx && xx) throw new CommandError('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    throw new CommandError('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (incr && elements > 2)
    throw new CommandError('ERR INCR option supports a single increment-element pair');
  const pairs: ScoredMember[] = [];
  for (let i = at; i < argv.length; i += 2) pairs.push({ score: parseScore(argv[i]), member: argv[i + 1] });
  const key = argv[1];
  const { result, missing } = writeWithMissing(ctx, [key], (store) =>
    store.zadd(key, pairs, { nx, xx, gt, lt, incr }),
  );
  markChanged(ctx, result.added + result.updated);
  if (result.added > 0) notifyCreated(ctx, [key], missing, 0);
  if (result.added + result.updated > 0) notifyKeyspaceEvent(ctx, NOTIFY_ZSET, incr ? 'zincr' : 'zadd', key);
  if (incr) return result.processed > 0 ? double(result.score) : NIL;
  return integer(ch ? result.added + result.updated : result.added);
}

/** ZREM key member [member ...]. */
function zrem(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const { removed, deleted } = ctx.store.zrem(key, argv.slice(2));
  markChanged(ctx, removed);
  if (removed > 0) notifyKeyspaceEvent(ctx, NOTIFY_ZSET, 'zrem', key);
  if (deleted) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', key);
  return integer(removed);
}

const REMOVE_EVENTS = { rank: 'zremrangebyrank', score: 'zremrangebyscore', lex: 'zremrangebylex' } as const;

/** ZREMRANGEBY{RANK,SCORE,LEX} key min max (zremrangeGenericCommand): the range first, then the key. */
function zremrange(by: RemoveRange['by']) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const range: RemoveRange =
      by === 'rank'
        ? { by, start: toLong(argv[2]), end: toLong(argv[3]) }
        : by === 'score'
          ? { by, range: parseScoreRange(argv[2], argv[3]) }
          : { by, range: parseLexRange(argv[2], argv[3]) };
    const key = argv[1];
    const { removed, deleted } = ctx.store.zremRange(key, range);
    markChanged(ctx, removed);
    if (removed > 0) {
      notifyKeyspaceEvent(ctx, NOTIFY_ZSET, REMOVE_EVENTS[by], key);
      if (deleted) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', key);
    }
    return integer(removed);
  };
}

const base = { group: 'sorted-set', keys: [1, 1, 1] } as const;

export const zsetWriteCommands: readonly CommandSpec[] = [
  {
    ...base,
    name: 'zadd',
    syntax: 'ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]',
    summary: 'Add one or more members to a sorted set, or update its score if it already exists',
    since: '1.2.0',
    arity: -4,
    flags: ['write', 'denyoom', 'fast'],
    run: (argv, ctx) => zaddGeneric(argv, ctx, false),
  },
  {
    ...base,
    name: 'zincrby',
    syntax: 'ZINCRBY key increment member',
    summary: 'Increment the score of a member in a sorted set',
    since: '1.2.0',
    arity: 4,
    flags: ['write', 'denyoom', 'fast'],
    keySpecs: [oneKey(1, ['RW', 'access', 'update'])],
    run: (argv, ctx) => zaddGeneric(argv, ctx, true),
  },
  {
    ...base,
    name: 'zrem',
    syntax: 'ZREM key member [member ...]',
    summary: 'Remove one or more members from a sorted set',
    since: '1.2.0',
    arity: -3,
    flags: ['write', 'fast'],
    keySpecs: [oneKey(1, ['RW', 'delete'])],
    run: zrem,
  },
  {
    ...base,
    name: 'zremrangebyrank',
    syntax: 'ZREMRANGEBYRANK key start stop',
    summary: 'Remove all members in a sorted set within the given indexes',
    since: '2.0.0',
    arity: 4,
    flags: ['write'],
    keySpecs: [oneKey(1, ['RW', 'delete'])],
    run: zremrange('rank'),
  },
  {
    ...base,
    name: 'zremrangebyscore',
    syntax: 'ZREMRANGEBYSCORE key min max',
    summary: 'Remove all members in a sorted set within the given scores',
    since: '1.2.0',
    arity: 4,
    flags: ['write'],
    keySpecs: [oneKey(1, ['RW', 'delete'])],
    run: zremrange('score'),
  },
  {
    ...base,
    name: 'zremrangebylex',
    syntax: 'ZREMRANGEBYLEX key min max',
    summary: 'Remove all members in a sorted set between the given lexicographical range',
    since: '2.8.9',
    arity: 4,
    flags: ['write'],
    keySpecs: [oneKey(1, ['RW', 'delete'])],
    run: zremrange('lex'),
  },
];
