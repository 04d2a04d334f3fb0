// The hash commands that read: HGET, HMGET, HEXISTS, HLEN, HSTRLEN, HKEYS, HVALS, HGETALL (redis.io/commands/<name>,
// Redis 7.0's t_hash.c). Each reads its key as lookupKeyRead does: one keyspace hit or miss (a key of another
// type is a hit, then WRONGTYPE) and a `keymiss` event for a miss. Replies in Redis's shapes: HGETALL is a map
// (RESP2 flattens it), HKEYS and HVALS arrays.

import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError } from '../errors.js';
import { notifyMiss } from '../pubsub/keyspace-events.js';
import { array, bulk, bulkArray, bulkOrNil, integer, map, NIL, ONE, ZERO, type Reply } from '../reply.js';
import type { KeyValueStore } from '../store/types.js';

/**
 * A read lookup of key: the store's answer, counted as a hit when `found` says the key was there, else as a miss
 * with its `keymiss` event.
 */
export function readHash<R>(
  ctx: CommandContext,
  key: Buffer,
  read: (store: KeyValueStore) => R,
  found: (result: R) => boolean,
): R {
  // A key of another type throws WRONGTYPE here, counted as a hit by the executor (wrong-type-lookups.ts).
  const result = read(ctx.store);
  const hit = found(result);
  ctx.server.counters?.keyLookup(hit);
  notifyMiss(ctx, key, hit);
  return result;
}

const present = (result: unknown): boolean => result !== null;
/** A hash is never empty, so an empty answer means the key was missing. */
const nonEmpty = (result: number | readonly unknown[]): boolean =>
  typeof result === 'number' ? result > 0 : result.length > 0;

function hmget(argv: Buffer[], ctx: CommandContext): Reply {
  const fields = argv.slice(2);
  const values = readHash(ctx, argv[1], (store) => store.hmget(argv[1], fields), present);
  return values === null ? array(fields.map(() => NIL)) : bulkArray(values);
}

/** HKEYS, HVALS: arrays; HGETALL: a map of field to value. */
function hgetall(argv: Buffer[], ctx: CommandContext, parts: 'fields' | 'values' | 'both'): Reply {
  const items = readHash(ctx, argv[1], (store) => store.hgetall(argv[1], parts), nonEmpty);
  if (parts !== 'both') return bulkArray(items);
  const pairs: [Reply, Reply][] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push([bulk(items[i]), bulk(items[i + 1])]);
  return map(pairs);
}

const hashReadSpec = {
  group: 'hash',
  flags: ['readonly', 'fast'],
  keys: [1, 1, 1],
} as const satisfies Pick<CommandSpec, 'group' | 'flags' | 'keys'>;

/** HKEYS, HVALS, HGETALL: O(N), and in the hash's order (which Redis's dict does not promise). */
const wholeHashSpec = {
  group: 'hash',
  flags: ['readonly'],
  keys: [1, 1, 1],
} as const satisfies Pick<CommandSpec, 'group' | 'flags' | 'keys'>;

export const hashReadCommands: readonly CommandSpec[] = [
  {
    ...hashReadSpec,
    name: 'hget',
    syntax: 'HGET key field',
    summary: 'Get the value of a hash field',
    since: '2.0.0',
    arity: 3,
    run: ([, key, field], ctx) =>
      bulkOrNil(
        readHash(
          ctx,
          key,
          (store) => store.hget(key, field),
          (value) => value !== undefined,
        ) ?? null,
      ),
  },
  {
    ...hashReadSpec,
    name: 'hmget',
    syntax: 'HMGET key field [field ...]',
    summary: 'Get the values of all the given hash fields',
    since: '2.0.0',
    arity: -3,
    run: hmget,
  },
  {
    ...hashReadSpec,
    name: 'hexists',
    syntax: 'HEXISTS key field',
    summary: 'Determine if a hash field exists',
    since: '2.0.0',
    arity: 3,
    run: ([, key, field], ctx) =>
      readHash(ctx, key, (store) => store.hexists(key, field), present) === true ? ONE : ZERO,
  },
  {
    ...hashReadSpec,
    name: 'hlen',
    syntax: 'HLEN key',
    summary: 'Get the number of fields in a hash',
    since: '2.0.0',
    arity: 2,
    run: ([, key], ctx) => integer(readHash(ctx, key, (store) => store.hlen(key), nonEmpty)),
  },
  {
    ...hashReadSpec,
    name: 'hstrlen',
    syntax: 'HSTRLEN key field',
    summary: 'Get the length of the value of a hash field',
    since: '3.2.0',
    arity: 3,
    run: ([, key, field], ctx) =>
      integer(readHash(ctx, key, (store) => store.hstrlen(key, field), present) ?? 0),
  },
  {
    ...wholeHashSpec,
    name: 'hkeys',
    syntax: 'HKEYS key',
    summary: 'Get all the fields in a hash',
    since: '2.0.0',
    arity: 2,
    run: (argv, ctx) => hgetall(argv, ctx, 'fields'),
  },
  {
    ...wholeHashSpec,
    name: 'hvals',
    syntax: 'HVALS key',
    summary: 'Get all the values in a hash',
    since: '2.0.0',
    arity: 2,
    run: (argv, ctx) => hgetall(argv, ctx, 'values'),
  },
  {
    ...wholeHashSpec,
    name: 'hgetall',
    syntax: 'HGETALL key',
    summary: 'Get all the fields and values in a hash',
    since: '2.0.0',
    arity: 2,
    run: (argv, ctx) => hgetall(argv, ctx, 'both'),
  },
];
