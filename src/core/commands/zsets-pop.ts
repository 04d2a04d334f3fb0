// ZPOPMIN, ZPOPMAX and ZMPOP (redis.io/commands/<name>; Redis 7.0's t_zset.c genericZpopCommand), and what the
// blocking forms (BZPOPMIN, BZPOPMAX, BZMPOP) share with them: the events of a pop (zpopmin / zpopmax, then `del`
// when it emptied the key) and the shapes of its reply, which depend on the command and the client's protocol.

import { isKeyword } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import { countedKeys, oneKey } from '../key-specs.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET, notifyKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { array, bulk, double, NIL_ARRAY, type Reply } from '../reply.js';
import type { ZpopResult } from '../store/zset-types.js';
import { scoredReply, toPositiveLong, toPositiveWithMessage } from './zset-args.js';

/** A pop's changes (one per member, as genericZpopCommand counts them) and keyspace events, in Redis's order. */
export function notifyPopped(ctx: CommandContext, result: ZpopResult, min: boolean): void {
  markChanged(ctx, result.popped.length);
  notifyKeyspaceEvent(ctx, NOTIFY_ZSET, min ? 'zpopmin' : 'zpopmax', result.key);
  if (result.deleted) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', result.key);
}

/** ZMPOP's and BZMPOP's reply: [key, [[member, score], ...]] in every protocol. */
export function keyedPopReply(result: ZpopResult): Reply {
  return array([
    bulk(result.key),
    array(result.popped.map(({ member, score }) => array([bulk(member), double(score)]))),
  ]);
}

/** BZPOPMIN's and BZPOPMAX's reply: [key, member, score] in every protocol. */
export function blockingPopReply(result: ZpopResult): Reply {
  const { member, score } = result.popped[0];
  return array([bulk(result.key), bulk(member), double(score)]);
}

/** ZPOPMIN / ZPOPMAX key [count]: flat pairs, or [member, score] pairs in RESP3 when a count was given. */
function zpop(min: boolean) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    if (argv.length > 3) throw new CommandError(ERR.syntax);
    const counted = argv.length === 3;
    const count = counted ? toPositiveLong(argv[2]) : 1;
    if (count === 0) {
      ctx.store.zcard(argv[1]); // still looked up: WRONGTYPE for another type
      return array([]);
    }
    const result = ctx.store.zpop([argv[1]], min, count);
    if (result === null) return array([]);
    notifyPopped(ctx, result, min);
    if (counted && ctx.client.resp === 3) return scoredReply(ctx, result.popped, true);
    const flat: Reply[] = [];
    for (const { member, score } of result.popped) flat.push(bulk(member), double(score));
    return array(flat);
  };
}

/**
 * ZMPOP numkeys key [key ...] <MIN | MAX> [COUNT count] (zmpopGenericCommand). Exported for BZMPOP, whose
 * arguments are the same after its timeout (at: the index of numkeys).
 */
export function parseMpop(argv: Buffer[], at: number): { keys: Buffer[]; min: boolean; count: number } {
  const numkeys = toPositiveWithMessage(argv[at], 'ERR numkeys should be greater than 0');
  const whereAt = at + numkeys + 1;
  if (whereAt >= argv.length) throw new CommandError(ERR.syntax);
  let min: boolean;
  if (isKeyword(argv[whereAt], 'MIN')) min = true;
  else if (isKeyword(argv[whereAt], 'MAX')) min = false;
  else throw new CommandError(ERR.syntax);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && isKeyword(argv[j], 'COUNT') && j + 1 < argv.length) {
      count = toPositiveWithMessage(argv[++j], 'ERR count should be greater than 0');
    } else {
      throw new CommandError(ERR.syntax);
    }
  }
  return { keys: argv.slice(at + 1, whereAt), min, count: count === -1 ? 1 : count };
}

function zmpop(argv: Buffer[], ctx: CommandContext): Reply {
  const { keys, min, count } = parseMpop(argv, 1);
  const result = ctx.store.zpop(keys, min, count);
  if (result === null) return NIL_ARRAY;
  notifyPopped(ctx, result, min);
  return keyedPopReply(result);
}

const POP_KEY = [oneKey(1, ['RW', 'access', 'delete'])];

export const zsetPopCommands: readonly CommandSpec[] = [
  {
    name: 'zpopmin',
    syntax: 'ZPOPMIN key [count]',
    summary: 'Remove and return members with the lowest scores in a sorted set',
    group: 'sorted-set',
    since: '5.0.0',
    arity: -2,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    keySpecs: POP_KEY,
    run: zpop(true),
  },
  {
    name: 'zpopmax',
    syntax: 'ZPOPMAX key [count]',
    summary: 'Remove and return members with the highest scores in a sorted set',
    group: 'sorted-set',
    since: '5.0.0',
    arity: -2,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    keySpecs: POP_KEY,
    run: zpop(false),
  },
  {
    name: 'zmpop',
    syntax: 'ZMPOP numkeys key [key ...] <MIN | MAX> [COUNT count]',
    summary: 'Remove and return members with scores in a sorted set',
    group: 'sorted-set',
    since: '7.0.0',
    arity: -4,
    flags: ['write', 'movablekeys'],
    keys: [0, 0, 0],
    keySpecs: [countedKeys(1, ['RW', 'access', 'delete'])],
    run: zmpop,
  },
];
