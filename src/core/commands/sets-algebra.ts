// Set algebra: SMEMBERS (Redis 7.0 runs it as SINTER of one key), SINTER, SINTERCARD, SUNION, SDIFF and the STORE
// forms (t_set.c sinterGenericCommand, sunionDiffGenericCommand, sinterCardCommand). The store reads every key
// at one instant and, for the STORE forms, writes the destination in the same instant. Every source is a read
// lookup (a keyspace hit or miss each, in 7.0 the STORE forms' too); a STORE publishes `new` when it makes the
// destination and `sinterstore`/`sunionstore`/`sdiffstore`, or `del` when an empty result removes it.

import { toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import { countedKeys, keysToEnd, oneKey, type KeySpec } from '../key-specs.js';
import { NOTIFY_GENERIC, NOTIFY_NEW, NOTIFY_SET, notifyKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { bulk, integer, set, type Reply } from '../reply.js';
import type { SetOperation } from '../store/set-algebra.js';
import { countedLookup } from './sets-lookup.js';

function countLookups(ctx: CommandContext, keys: readonly Buffer[], found: readonly boolean[]): void {
  for (let i = 0; i < found.length; i++) countedLookup(ctx, keys[i], found[i]);
}

function algebra(op: SetOperation) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const keys = argv.slice(1);
    const { members, found } = ctx.store.setAlgebra(op, keys);
    countLookups(ctx, keys, found);
    return set(members.map(bulk));
  };
}

const STORE_EVENTS: Readonly<Record<SetOperation, string>> = {
  inter: 'sinterstore',
  union: 'sunionstore',
  diff: 'sdiffstore',
};

function algebraStore(op: SetOperation) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const destination = argv[1];
    const keys = argv.slice(2);
    const { size, found, existed } = ctx.store.setAlgebraStore(op, destination, keys);
    countLookups(ctx, keys, found);
    if (size > 0) {
      markChanged(ctx);
      if (!existed) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', destination);
      notifyKeyspaceEvent(ctx, NOTIFY_SET, STORE_EVENTS[op], destination);
    } else if (existed) {
      markChanged(ctx);
      notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', destination);
    }
    return integer(size);
  };
}

const NUMKEYS_ERROR = 'ERR numkeys should be greater than 0';
const LIMIT_ERROR = "ERR LIMIT can't be negative";

/** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
function sintercard(argv: Buffer[], ctx: CommandContext): Reply {
  const numkeys = toBigInt(argv[1], NUMKEYS_ERROR);
  if (numkeys < 1n) throw new CommandError(NUMKEYS_ERROR);
  if (numkeys > BigInt(argv.length - 2)) {
    throw new CommandError("ERR Number of keys can't be greater than number of args");
  }
  const end = 2 + Number(numkeys);
  let limit = 0;
  for (let i = end; i < argv.length; i++) {
    if (argv[i].toString('latin1').toUpperCase() === 'LIMIT' && i + 1 < argv.length) {
      const n = toBigInt(argv[++i], LIMIT_ERROR);
      if (n < 0n) throw new CommandError(LIMIT_ERROR);
      limit = Number(n);
    } else {
      throw new CommandError(ERR.syntax);
    }
  }
  const keys = argv.slice(2, end);
  const { count, found } = ctx.store.sinterCard(keys, limit);
  countLookups(ctx, keys, found);
  return integer(count);
}

function command(
  name: string,
  syntax: string,
  summary: string,
  arity: number,
  flags: CommandSpec['flags'],
  keys: CommandSpec['keys'],
  run: CommandSpec['run'],
  since = '1.0.0',
  keySpecs?: readonly KeySpec[],
): CommandSpec {
  return {
    name,
    syntax,
    summary,
    group: 'set',
    since,
    arity,
    flags,
    keys,
    run,
    ...(keySpecs && { keySpecs }),
  };
}

export const setAlgebraCommands: readonly CommandSpec[] = [
  command(
    'smembers',
    'SMEMBERS key',
    'Get all the members in a set',
    2,
    ['readonly'],
    [1, 1, 1],
    algebra('inter'),
  ),
  command(
    'sinter',
    'SINTER key [key ...]',
    'Intersect multiple sets',
    -2,
    ['readonly'],
    [1, -1, 1],
    algebra('inter'),
  ),
  command(
    'sintercard',
    'SINTERCARD numkeys key [key ...] [LIMIT limit]',
    'Intersect multiple sets and return the cardinality of the result',
    -3,
    ['readonly', 'movablekeys'],
    [0, 0, 0],
    sintercard,
    '7.0.0',
    [countedKeys(1, ['RO', 'access'])],
  ),
  command(
    'sunion',
    'SUNION key [key ...]',
    'Add multiple sets',
    -2,
    ['readonly'],
    [1, -1, 1],
    algebra('union'),
  ),
  command(
    'sdiff',
    'SDIFF key [key ...]',
    'Subtract multiple sets',
    -2,
    ['readonly'],
    [1, -1, 1],
    algebra('diff'),
  ),
  command(
    'sinterstore',
    'SINTERSTORE destination key [key ...]',
    'Intersect multiple sets and store the resulting set in a key',
    -3,
    ['write', 'denyoom'],
    [1, -1, 1],
    algebraStore('inter'),
    undefined,
    [oneKey(1, ['RW', 'update']), keysToEnd(2, ['RO', 'access'])],
  ),
  command(
    'sunionstore',
    'SUNIONSTORE destination key [key ...]',
    'Add multiple sets and store the resulting set in a key',
    -3,
    ['write', 'denyoom'],
    [1, -1, 1],
    algebraStore('union'),
    undefined,
    [oneKey(1, ['OW', 'update']), keysToEnd(2, ['RO', 'access'])],
  ),
  command(
    'sdiffstore',
    'SDIFFSTORE destination key [key ...]',
    'Subtract multiple sets and store the resulting set in a key',
    -3,
    ['write', 'denyoom'],
    [1, -1, 1],
    algebraStore('diff'),
    undefined,
    [oneKey(1, ['OW', 'update']), keysToEnd(2, ['RO', 'access'])],
  ),
];
