// The hash commands that write: HSET, HMSET, HSETNX, HDEL, HINCRBY, HINCRBYFLOAT (redis.io/commands/<name>,
// Redis 7.0's t_hash.c). Arguments are read here; the store does each read-modify-write atomically and owns the
// value checks. Keyspace events as t_hash.c: `new` for a key created, then `hset` / `hdel` (and `del` when
// the hash was emptied) / `hincrby` / `hincrbyfloat`. Writes look keys up for writing: no hits or misses.

import { toBigInt, toLongDouble } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import {
  NOTIFY_GENERIC,
  NOTIFY_HASH,
  notifyCreated,
  notifyKeyspaceEvent,
  writeWithMissing,
} from '../pubsub/keyspace-events.js';
import { bulk, integer, OK, ONE, ZERO, type Reply } from '../reply.js';
import { HASH_ERR } from '../store/hashes.js';
import type { KeyValueStore } from '../store/types.js';

/** A write of one hash: its `changes` counted and, when there are any, `new` for a key it created and the event. */
function hashWrite<R>(
  ctx: CommandContext,
  key: Buffer,
  event: string,
  write: (store: KeyValueStore) => R,
  changes: (result: R) => number = () => 1,
): R {
  const { result, missing } = writeWithMissing(ctx, [key], write);
  const changed = changes(result);
  if (changed > 0) {
    markChanged(ctx, changed);
    notifyCreated(ctx, [key], missing, 0);
    notifyKeyspaceEvent(ctx, NOTIFY_HASH, event, key);
  }
  return result;
}

/** HSET and HMSET (hsetCommand): an odd number of field/value arguments is the command's arity error. */
function setPairs(argv: Buffer[], ctx: CommandContext, name: string): number {
  if (argv.length % 2 === 1) throw new CommandError(ERR.wrongArity(name));
  const key = argv[1];
  const pairs = argv.slice(2);
  // hsetCommand counts every pair as a change, a field set to the value it had too.
  return hashWrite(
    ctx,
    key,
    'hset',
    (store) => store.hset(key, pairs),
    () => pairs.length / 2,
  );
}

function hdel(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const { removed, deleted } = ctx.store.hdel(key, argv.slice(2));
  if (removed > 0) {
    markChanged(ctx, removed);
    notifyKeyspaceEvent(ctx, NOTIFY_HASH, 'hdel', key);
    if (deleted) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', key);
  }
  return integer(removed);
}

function hincrbyfloat(argv: Buffer[], ctx: CommandContext): Reply {
  const [, key, field] = argv;
  const delta = toLongDouble(argv[3]);
  // Checked before the key is looked at (a NaN cannot be read: string2ld refuses it).
  if (delta.kind !== 'finite') throw new CommandError(HASH_ERR.incrementNotFinite);
  return bulk(hashWrite(ctx, key, 'hincrbyfloat', (store) => store.hincrByFloat(key, field, delta)));
}

const hashWriteSpec = {
  group: 'hash',
  flags: ['write', 'denyoom', 'fast'],
  keys: [1, 1, 1],
} as const satisfies Pick<CommandSpec, 'group' | 'flags' | 'keys'>;

export const hashWriteCommands: readonly CommandSpec[] = [
  {
    ...hashWriteSpec,
    name: 'hset',
    syntax: 'HSET key field value [field value ...]',
    summary: 'Set the string value of a hash field',
    since: '2.0.0',
    arity: -4,
    run: (argv, ctx) => integer(setPairs(argv, ctx, 'hset')),
  },
  {
    ...hashWriteSpec,
    name: 'hmset',
    syntax: 'HMSET key field value [field value ...]',
    summary: 'Set multiple hash fields to multiple values',
    since: '2.0.0',
    arity: -4,
    run: (argv, ctx) => {
      setPairs(argv, ctx, 'hmset');
      return OK;
    },
  },
  {
    ...hashWriteSpec,
    name: 'hsetnx',
    syntax: 'HSETNX key field value',
    summary: 'Set the value of a hash field, only if the field does not exist',
    since: '2.0.0',
    arity: 4,
    run: ([, key, field, value], ctx) =>
      hashWrite(
        ctx,
        key,
        'hset',
        (store) => store.hsetnx(key, field, value),
        (set) => (set ? 1 : 0),
      )
        ? ONE
        : ZERO,
  },
  {
    name: 'hdel',
    syntax: 'HDEL key field [field ...]',
    summary: 'Delete one or more hash fields',
    group: 'hash',
    since: '2.0.0',
    arity: -3,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: hdel,
  },
  {
    ...hashWriteSpec,
    name: 'hincrby',
    syntax: 'HINCRBY key field increment',
    summary: 'Increment the integer value of a hash field by the given number',
    since: '2.0.0',
    arity: 4,
    run: ([, key, field, increment], ctx) => {
      const delta = toBigInt(increment);
      return integer(hashWrite(ctx, key, 'hincrby', (store) => store.hincrBy(key, field, delta)));
    },
  },
  {
    ...hashWriteSpec,
    name: 'hincrbyfloat',
    syntax: 'HINCRBYFLOAT key field increment',
    summary: 'Increment the float value of a hash field by the given amount',
    since: '2.6.0',
    arity: 4,
    run: hincrbyfloat,
  },
];
