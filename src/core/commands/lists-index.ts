// The list commands that read or write inside a list by index or by value (redis.io/commands/<name>, Redis
// 7.0's t_list.c): LRANGE LINDEX LSET LTRIM LINSERT LREM LPOS. Arguments are checked in Redis's order: LINDEX
// and LSET look the key up before they read the index (a missing key answers whatever the index), LRANGE and
// LTRIM read their indexes first. Keyspace events lset, ltrim, linsert, lrem and `del` for a list emptied; the
// reads count a keyspace hit or miss. Knows no locks: the store runs each at one instant.

import { parseInt64, toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import { NOTIFY_GENERIC, NOTIFY_LIST, notifyKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { array, bulk, bulkArray, integer, NIL, OK, type Reply } from '../reply.js';
import { cString, isWord, looked } from './bitmap.js';
import { rangeLong } from './lists-push-pop.js';

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A C long index as a number: lists are far shorter than 2^53, so clamping an int64 there changes no answer
 * (start + length stays negative, past-the-end stays past it).
 */
function index(arg: Buffer): number {
  const value = toBigInt(arg);
  return Number(value > SAFE ? SAFE : value < -SAFE ? -SAFE : value);
}

/** An index argument read after the key: null if it is no integer (the error comes once the key is found). */
function laterIndex(arg: Buffer): number | null {
  const value = parseInt64(arg);
  if (value === null) return null;
  return Number(value > SAFE ? SAFE : value < -SAFE ? -SAFE : value);
}

/** LRANGE key start stop. */
function lrange(argv: Buffer[], ctx: CommandContext): Reply {
  const start = index(argv[2]);
  const stop = index(argv[3]);
  const elements = ctx.store.listRange(argv[1], start, stop);
  looked(ctx, argv[1], elements !== null);
  return elements === null ? array([]) : bulkArray(elements);
}

/** LINDEX key index. */
function lindex(argv: Buffer[], ctx: CommandContext): Reply {
  const at = laterIndex(argv[2]);
  if (at === null) {
    // The key is looked up (and its type checked) before the index is read.
    const found = ctx.store.listLength(argv[1]) > 0;
    looked(ctx, argv[1], found);
    if (!found) return NIL;
    throw new CommandError(ERR.notInteger);
  }
  const value = ctx.store.listIndex(argv[1], at);
  looked(ctx, argv[1], value !== 'missing');
  return value === 'missing' || value === null ? NIL : bulk(value);
}

/** LSET key index element. */
function lset(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const at = laterIndex(argv[2]);
  if (at === null) {
    if (ctx.store.listLength(key) === 0) throw new CommandError(ERR.noSuchKey);
    throw new CommandError(ERR.notInteger);
  }
  const result = ctx.store.listSet(key, at, argv[3]);
  if (result === 'missing') throw new CommandError(ERR.noSuchKey);
  if (result === 'out of range') throw new CommandError('ERR index out of range');
  markChanged(ctx);
  notifyKeyspaceEvent(ctx, NOTIFY_LIST, 'lset', key);
  return OK;
}

/** LTRIM key start stop. */
function ltrim(argv: Buffer[], ctx: CommandContext): Reply {
  const start = index(argv[2]);
  const stop = index(argv[3]);
  const key = argv[1];
  const result = ctx.store.listTrim(key, start, stop);
  if (result === 'missing') return OK;
  markChanged(ctx, result.removed);
  notifyKeyspaceEvent(ctx, NOTIFY_LIST, 'ltrim', key);
  if (result.outcome === 'deleted') notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', key);
  return OK;
}

/** LINSERT key <BEFORE | AFTER> pivot element. */
function linsert(argv: Buffer[], ctx: CommandContext): Reply {
  let after: boolean;
  if (isWord(argv[2], 'AFTER')) after = true;
  else if (isWord(argv[2], 'BEFORE')) after = false;
  else throw new CommandError(ERR.syntax);
  const key = argv[1];
  const length = ctx.store.listInsert(key, after, argv[3], argv[4]);
  if (length > 0) {
    markChanged(ctx);
    notifyKeyspaceEvent(ctx, NOTIFY_LIST, 'linsert', key);
  }
  return integer(length);
}

/** LREM key count element. */
function lrem(argv: Buffer[], ctx: CommandContext): Reply {
  const count = toBigInt(argv[2]);
  const key = argv[1];
  const result = ctx.store.listRemove(key, Number(count), argv[3]);
  markChanged(ctx, result.removed);
  if (result.removed > 0) notifyKeyspaceEvent(ctx, NOTIFY_LIST, 'lrem', key);
  if (result.deleted) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', key);
  return integer(result.removed);
}

const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
function lpos(argv: Buffer[], ctx: CommandContext): Reply {
  let rank = 1n;
  let count = -1;
  let maxLength = 0;
  for (let j = 3; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    const option = cString(argv[j]);
    if (isWord(option, 'RANK') && more) {
      rank = toBigInt(argv[++j]);
      if (rank === 0n) throw new CommandError(RANK_ZERO);
    } else if (isWord(option, 'COUNT') && more) {
      count = rangeLong(argv[++j], 0n, INT64_MAX, "ERR COUNT can't be negative");
    } else if (isWord(option, 'MAXLEN') && more) {
      maxLength = rangeLong(argv[++j], 0n, INT64_MAX, "ERR MAXLEN can't be negative");
    } else {
      throw new CommandError(ERR.syntax);
    }
  }
  // A negative rank walks from the tail; -2^63 stays negative when C negates it, so every match qualifies,
  // and lposCommand's `matches-rank+1 >= count` overflows to a negative number: COUNT never ends the walk.
  const fromTail = rank < 0n;
  const wraps = rank === -(2n ** 63n);
  const magnitude = wraps ? 1 : Number(fromTail ? -rank : rank);
  const limit = wraps && count > 0 ? 0 : count;
  const found = ctx.store.listPositions(argv[1], argv[2], {
    rank: magnitude,
    fromTail,
    count: limit,
    maxLength,
  });
  looked(ctx, argv[1], found !== null);
  if (count !== -1) return array((found ?? []).map((i) => integer(i)));
  return found === null || found.length === 0 ? NIL : integer(found[0]);
}

export const listIndexCommands: readonly CommandSpec[] = [
  {
    name: 'lrange',
    syntax: 'LRANGE key start stop',
    summary: 'Get a range of elements from a list',
    group: 'list',
    since: '1.0.0',
    arity: 4,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: lrange,
  },
  {
    name: 'lindex',
    syntax: 'LINDEX key index',
    summary: 'Get an element from a list by its index',
    group: 'list',
    since: '1.0.0',
    arity: 3,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: lindex,
  },
  {
    name: 'lset',
    syntax: 'LSET key index element',
    summary: 'Set the value of an element in a list by its index',
    group: 'list',
    since: '1.0.0',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    run: lset,
  },
  {
    name: 'ltrim',
    syntax: 'LTRIM key start stop',
    summary: 'Trim a list to the specified range',
    group: 'list',
    since: '1.0.0',
    arity: 4,
    flags: ['write'],
    keys: [1, 1, 1],
    run: ltrim,
  },
  {
    name: 'linsert',
    syntax: 'LINSERT key <BEFORE | AFTER> pivot element',
    summary: 'Insert an element before or after another element in a list',
    group: 'list',
    since: '2.2.0',
    arity: 5,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    run: linsert,
  },
  {
    name: 'lrem',
    syntax: 'LREM key count element',
    summary: 'Remove elements from a list',
    group: 'list',
    since: '1.0.0',
    arity: 4,
    flags: ['write'],
    keys: [1, 1, 1],
    run: lrem,
  },
  {
    name: 'lpos',
    syntax: 'LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]',
    summary: 'Return the index of matching elements on a list',
    group: 'list',
    since: '6.0.6',
    arity: -3,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: lpos,
  },
];
