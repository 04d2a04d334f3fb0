// ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD (redis.io/commands/<name>; Redis 7.0's t_zset.c
// zunionInterDiffGenericCommand): numkeys, the keys, then WEIGHTS / AGGREGATE (not for ZDIFF), WITHSCORES (not
// for the STORE forms) or LIMIT (ZINTERCARD only), read in Redis's order. A STORE form publishes `new` and
// zunionstore / zinterstore / zdiffstore for a non-empty result, `del` when an empty one deleted its destination.

import { isKeyword, parseInt64 } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR, WrongTypeError } from '../errors.js';
import { countedKeys, oneKey } from '../key-specs.js';
import {
  NOTIFY_GENERIC,
  NOTIFY_ZSET,
  notifyCreated,
  notifyKeyspaceEvent,
  writeWithMissing,
} from '../pubsub/keyspace-events.js';
import { integer, type Reply } from '../reply.js';
import type { Aggregate, SetOperation, SetOperationQuery } from '../store/zset-types.js';
import { looked } from './bitmap.js';
import { parseScore, scoredReply, toPositiveLong } from './zset-args.js';

interface Parsed {
  readonly query: SetOperationQuery;
  readonly withScores: boolean;
  readonly limit: number;
}

/** Arguments from numkeys at argv[at]; `name` is the command's name in its errors. */
function parse(
  ctx: CommandContext,
  argv: Buffer[],
  at: number,
  op: SetOperation,
  store: boolean,
  cardinality: boolean,
  name: string,
): Parsed {
  const setnum = parseInt64(argv[at]);
  if (setnum === null) throw new CommandError(ERR.notInteger);
  if (setnum < 1n) throw new CommandError(`ERR at least 1 input key is needed for '${name}' command`);
  if (setnum > BigInt(argv.length - at - 1)) throw new CommandError(ERR.syntax);
  const count = Number(setnum);
  const keys = argv.slice(at + 1, at + 1 + count);
  // Redis looks the keys up (and checks their types) before it reads the options after them.
  const found: boolean[] = [];
  for (const [i, key] of keys.entries()) {
    const type = ctx.store.type(key);
    if (type !== 'none' && type !== 'zset' && type !== 'set')
      throw new WrongTypeError(keys.slice(0, i), found);
    found.push(type !== 'none');
  }
  const weights = keys.map(() => 1);
  let aggregate: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  for (let j = at + 1 + count; j < argv.length;) {
    const remaining = argv.length - j;
    const option = argv[j];
    if (op !== 'diff' && !cardinality && remaining >= count + 1 && isKeyword(option, 'WEIGHTS')) {
      j++;
      for (let i = 0; i < count; i++, j++)
        weights[i] = parseScore(argv[j], 'ERR weight value is not a float');
    } else if (op !== 'diff' && !cardinality && remaining >= 2 && isKeyword(option, 'AGGREGATE')) {
      const how = argv[j + 1];
      if (isKeyword(how, 'SUM')) aggregate = 'sum';
      else if (isKeyword(how, 'MIN')) aggregate = 'min';
      else if (isKeyword(how, 'MAX')) aggregate = 'max';
      else throw new CommandError(ERR.syntax);
      j += 2;
    } else if (!store && !cardinality && isKeyword(option, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardinality && remaining >= 2 && isKeyword(option, 'LIMIT')) {
      limit = toPositiveLong(argv[j + 1], "ERR LIMIT can't be negative");
      j += 2;
    } else {
      throw new CommandError(ERR.syntax);
    }
  }
  return { query: { op, keys, weights, aggregate }, withScores, limit };
}

function reading(op: SetOperation, name: string) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const { query, withScores } = parse(ctx, argv, 1, op, false, false, name);
    const { elements, found } = ctx.store.zsetOperation(query);
    query.keys.forEach((key, i) => looked(ctx, Buffer.from(key), found[i]));
    return scoredReply(ctx, elements, withScores);
  };
}

const STORE_EVENTS = { union: 'zunionstore', inter: 'zinterstore', diff: 'zdiffstore' } as const;

function storing(op: SetOperation, name: string) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const { query } = parse(ctx, argv, 2, op, true, false, name);
    const destination = argv[1];
    // Every key locked for the `new` check, as the operation locks them all.
    const keys = [destination, ...query.keys];
    const { result, missing } = writeWithMissing(ctx, keys, (store) =>
      store.zsetOperationStore(destination, query),
    );
    query.keys.forEach((key, i) => looked(ctx, Buffer.from(key), result.found[i]));
    if (result.length > 0) {
      markChanged(ctx);
      notifyCreated(ctx, keys, missing, 0);
      notifyKeyspaceEvent(ctx, NOTIFY_ZSET, STORE_EVENTS[op], destination);
    } else if (result.deleted) {
      markChanged(ctx);
      notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', destination);
    }
    return integer(result.length);
  };
}

function zintercard(argv: Buffer[], ctx: CommandContext): Reply {
  const { query, limit } = parse(ctx, argv, 1, 'inter', false, true, 'zintercard');
  const { count, found } = ctx.store.zinterCard(query.keys, limit);
  query.keys.forEach((key, i) => looked(ctx, Buffer.from(key), found[i]));
  return integer(count);
}

const READ_KEYS = [countedKeys(1, ['RO', 'access'])];
const STORE_KEYS = [oneKey(1, ['OW', 'update']), countedKeys(2, ['RO', 'access'])];

function readSpec(name: string, op: SetOperation, syntax: string, summary: string): CommandSpec {
  return {
    name,
    syntax,
    summary,
    group: 'sorted-set',
    since: '6.2.0',
    arity: -3,
    flags: ['readonly', 'movablekeys'],
    keys: [0, 0, 0],
    keySpecs: READ_KEYS,
    run: reading(op, name),
  };
}

function storeSpec(
  name: string,
  op: SetOperation,
  syntax: string,
  summary: string,
  since: string,
): CommandSpec {
  return {
    name,
    syntax,
    summary,
    group: 'sorted-set',
    since,
    arity: -4,
    flags: ['write', 'denyoom', 'movablekeys'],
    keys: [1, 1, 1],
    keySpecs: STORE_KEYS,
    run: storing(op, name),
  };
}

export const zsetSetOperationCommands: readonly CommandSpec[] = [
  readSpec(
    'zunion',
    'union',
    'ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]',
    'Add multiple sorted sets',
  ),
  readSpec(
    'zinter',
    'inter',
    'ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]',
    'Intersect multiple sorted sets',
  ),
  readSpec('zdiff', 'diff', 'ZDIFF numkeys key [key ...] [WITHSCORES]', 'Subtract multiple sorted sets'),
  storeSpec(
    'zunionstore',
    'union',
    'ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]',
    'Add multiple sorted sets and store the resulting sorted set in a new key',
    '2.0.0',
  ),
  storeSpec(
    'zinterstore',
    'inter',
    'ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]',
    'Intersect multiple sorted sets and store the resulting sorted set in a new key',
    '2.0.0',
  ),
  storeSpec(
    'zdiffstore',
    'diff',
    'ZDIFFSTORE destination numkeys key [key ...]',
    'Subtract multiple sorted sets and store the resulting sorted set in a new key',
    '6.2.0',
  ),
  {
    name: 'zintercard',
    syntax: 'ZINTERCARD numkeys key [key ...] [LIMIT limit]',
    summary: 'Intersect multiple sorted sets and return the cardinality of the result',
    group: 'sorted-set',
    since: '7.0.0',
    arity: -3,
    flags: ['readonly', 'movablekeys'],
    keys: [0, 0, 0],
    keySpecs: READ_KEYS,
    run: zintercard,
  },
];
