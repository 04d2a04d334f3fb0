// The list commands that add and take elements at the ends (redis.io/commands/<name>, Redis 7.0's t_list.c):
// LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LMPOP LMOVE RPOPLPUSH, and LLEN. Arguments are checked in Redis's order,
// which decides which error a bad request gets (LPOP reads its count before the key; LMOVE its ends). Keyspace
// events as t_list.c sends them: `new` for a key a push makes, lpush/rpush, lpop/rpop, `del` for a list emptied;
// LMOVE's push events come before its pop events. Knows no locks: the store runs each at one instant.

import { isKeyword, parseInt64 } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import { countedKeys, oneKey } from '../key-specs.js';
import { NOTIFY_GENERIC, NOTIFY_LIST, NOTIFY_NEW, notifyKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { array, bulk, bulkArray, integer, NIL, NIL_ARRAY, type Reply } from '../reply.js';
import type { ListEnd, PopResult } from '../store/lists.js';
import { cString, looked } from './bitmap.js';

const MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
const INT64_MAX = 2n ** 63n - 1n;

/** getRangeLongFromObjectOrReply with a message: `message` for a non-integer and for one outside [min, max]. */
export function rangeLong(arg: Buffer, min: bigint, max: bigint, message: string): number {
  const value = parseInt64(arg);
  if (value === null || value < min || value > max) throw new CommandError(message);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** t_list.c getListPositionFromObjectOrReply: LEFT or RIGHT (strcasecmp), else a syntax error. */
export function listEnd(arg: Buffer): ListEnd {
  const word = cString(arg);
  if (isKeyword(word, 'LEFT')) return 'left';
  if (isKeyword(word, 'RIGHT')) return 'right';
  throw new CommandError(ERR.syntax);
}

const popEvent = (end: ListEnd): string => (end === 'left' ? 'lpop' : 'rpop');
const pushEvent = (end: ListEnd): string => (end === 'left' ? 'lpush' : 'rpush');

/** listElementsRemoved: the pop's event, then `del` if the list is gone. */
export function notifyPopped(ctx: CommandContext, key: Buffer, end: ListEnd, result: PopResult): void {
  notifyKeyspaceEvent(ctx, NOTIFY_LIST, popEvent(end), key);
  if (result.deleted) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', key);
}

/** pushGenericCommand: LPUSH/RPUSH key element [element ...], LPUSHX/RPUSHX. */
function pusher(end: ListEnd, onlyIfExists: boolean) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const key = argv[1];
    const result = ctx.store.listPush(key, argv.slice(2), end, onlyIfExists);
    // A change per element pushed; LPUSHX and RPUSHX of a missing key push none.
    if (result.length > 0) markChanged(ctx, argv.length - 2);
    if (result.created) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', key);
    if (result.length > 0) notifyKeyspaceEvent(ctx, NOTIFY_LIST, pushEvent(end), key);
    return integer(result.length);
  };
}

/** popGenericCommand: LPOP/RPOP key [count]. */
function popper(end: ListEnd, name: string) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    if (argv.length > 3) throw new CommandError(ERR.wrongArity(name));
    const hasCount = argv.length === 3;
    const count = hasCount ? rangeLong(argv[2], 0n, INT64_MAX, MUST_BE_POSITIVE) : null;
    const key = argv[1];
    const result = ctx.store.listPop(key, end, count);
    if (result === null) return hasCount ? NIL_ARRAY : NIL;
    if (result.elements.length === 0) return array([]); // COUNT 0: the fast exit, nothing popped, no event
    markChanged(ctx, result.elements.length);
    notifyPopped(ctx, key, end, result);
    return hasCount ? bulkArray(result.elements) : bulk(result.elements[0]);
  };
}

/** LLEN key. */
function llen(argv: Buffer[], ctx: CommandContext): Reply {
  const length = ctx.store.listLength(argv[1]);
  looked(ctx, argv[1], length > 0);
  return integer(length);
}

/** lmoveGenericCommand: the moved element, or null when source is missing. */
function moveReply(
  ctx: CommandContext,
  source: Buffer,
  destination: Buffer,
  from: ListEnd,
  to: ListEnd,
): Reply {
  const result = ctx.store.listMove(source, destination, from, to);
  if (result === null) return NIL;
  markChanged(ctx);
  if (result.created) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', destination);
  notifyKeyspaceEvent(ctx, NOTIFY_LIST, pushEvent(to), destination);
  notifyKeyspaceEvent(ctx, NOTIFY_LIST, popEvent(from), source);
  if (result.deleted) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', source);
  return bulk(result.value);
}

/** LMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT>. */
function lmove(argv: Buffer[], ctx: CommandContext): Reply {
  const from = listEnd(argv[3]);
  const to = listEnd(argv[4]);
  return moveReply(ctx, argv[1], argv[2], from, to);
}

/** RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT. */
function rpoplpush(argv: Buffer[], ctx: CommandContext): Reply {
  return moveReply(ctx, argv[1], argv[2], 'right', 'left');
}

/** The keys, end and count of LMPOP (and BLMPOP, whose numkeys is argv[2]): lmpopGenericCommand's parse. */
export function parseMultiPop(
  argv: Buffer[],
  numkeysAt: number,
): { keys: Buffer[]; end: ListEnd; count: number } {
  const numkeys = rangeLong(argv[numkeysAt], 1n, INT64_MAX, 'ERR numkeys should be greater than 0');
  const endAt = numkeysAt + numkeys + 1;
  if (endAt >= argv.length) throw new CommandError(ERR.syntax);
  const end = listEnd(argv[endAt]);
  let count = -1;
  for (let j = endAt + 1; j < argv.length; j++) {
    if (count === -1 && isKeyword(cString(argv[j]), 'COUNT') && j + 1 < argv.length) {
      count = rangeLong(argv[++j], 1n, INT64_MAX, 'ERR count should be greater than 0');
    } else {
      throw new CommandError(ERR.syntax);
    }
  }
  return { keys: argv.slice(numkeysAt + 1, endAt), end, count: count === -1 ? 1 : count };
}

/** LMPOP numkeys key [key ...] <LEFT | RIGHT> [COUNT count]: [key, elements] of the first non-empty list. */
function lmpop(argv: Buffer[], ctx: CommandContext): Reply {
  const { keys, end, count } = parseMultiPop(argv, 1);
  const result = ctx.store.listMultiPop(keys, end, count);
  if (result === null) return NIL_ARRAY;
  const key = keys[result.index];
  markChanged(ctx, result.elements.length);
  notifyPopped(ctx, key, end, result);
  return array([bulk(key), bulkArray(result.elements)]);
}

export const listPushPopCommands: readonly CommandSpec[] = [
  {
    name: 'lpush',
    syntax: 'LPUSH key element [element ...]',
    summary: 'Prepend one or multiple elements to a list',
    group: 'list',
    since: '1.0.0',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    run: pusher('left', false),
  },
  {
    name: 'rpush',
    syntax: 'RPUSH key element [element ...]',
    summary: 'Append one or multiple elements to a list',
    group: 'list',
    since: '1.0.0',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    run: pusher('right', false),
  },
  {
    name: 'lpushx',
    syntax: 'LPUSHX key element [element ...]',
    summary: 'Prepend an element to a list, only if the list exists',
    group: 'list',
    since: '2.2.0',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    run: pusher('left', true),
  },
  {
    name: 'rpushx',
    syntax: 'RPUSHX key element [element ...]',
    summary: 'Append an element to a list, only if the list exists',
    group: 'list',
    since: '2.2.0',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    run: pusher('right', true),
  },
  {
    name: 'lpop',
    syntax: 'LPOP key [count]',
    summary: 'Remove and get the first elements in a list',
    group: 'list',
    since: '1.0.0',
    arity: -2,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: popper('left', 'lpop'),
  },
  {
    name: 'rpop',
    syntax: 'RPOP key [count]',
    summary: 'Remove and get the last elements in a list',
    group: 'list',
    since: '1.0.0',
    arity: -2,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: popper('right', 'rpop'),
  },
  {
    name: 'llen',
    syntax: 'LLEN key',
    summary: 'Get the length of a list',
    group: 'list',
    since: '1.0.0',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    run: llen,
  },
  {
    name: 'lmove',
    syntax: 'LMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT>',
    summary: 'Pop an element from a list, push it to another list and return it',
    group: 'list',
    since: '6.2.0',
    arity: 5,
    flags: ['write', 'denyoom'],
    keys: [1, 2, 1],
    keySpecs: [oneKey(1, ['RW', 'access', 'delete']), oneKey(2, ['RW', 'insert'])],
    run: lmove,
  },
  {
    name: 'rpoplpush',
    syntax: 'RPOPLPUSH source destination',
    summary: 'Remove the last element in a list, prepend it to another list and return it',
    group: 'list',
    since: '1.2.0',
    arity: 3,
    flags: ['write', 'denyoom'],
    keys: [1, 2, 1],
    keySpecs: [oneKey(1, ['RW', 'access', 'delete']), oneKey(2, ['RW', 'insert'])],
    run: rpoplpush,
  },
  {
    name: 'lmpop',
    syntax: 'LMPOP numkeys key [key ...] <LEFT | RIGHT> [COUNT count]',
    summary: 'Pop elements from a list',
    group: 'list',
    since: '7.0.0',
    arity: -4,
    flags: ['write', 'movablekeys'],
    keys: [0, 0, 0],
    keySpecs: [countedKeys(1, ['RW', 'access', 'delete'])],
    run: lmpop,
  },
];
