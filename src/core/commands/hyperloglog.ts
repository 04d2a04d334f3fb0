// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST (redis.io/commands/<name>; Redis 7.0's
// hyperloglog.c). An HLL is a plain string, so GET, DUMP, RDB and the append-only file carry it as any string.
// Keyspace events as Redis's: `new` for a key made, then `pfadd` (PFMERGE publishes `pfadd` too, "a mass-add");
// PFCOUNT and PFMERGE read their keys with lookupKeyRead (a hit or miss each, a miss's `keymiss`). PFCOUNT of
// one key writes the cardinality it computed into the value, which Redis propagates: logged here too, while
// its key's lock is held (the flag may_replicate routes it through the executor's write path).

import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, cString } from '../errors.js';
import { keysToEnd, oneKey } from '../key-specs.js';
import { hllSelfTest } from '../hyperloglog/selftest.js';
import { NOTIFY_NEW, NOTIFY_STRING, notifyKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { array, bulkString, integer, OK, ONE, status, ZERO, type Reply } from '../reply.js';
import type { PfDebugOperation } from '../store/hyperloglogs.js';
import { isWord, looked } from './bitmap.js';

/** PFADD key [element [element ...]]: 1 if a register changed (or the key was made), else 0. */
function pfadd(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const result = ctx.store.pfAdd(key, argv.slice(2));
  markChanged(ctx, result.changes);
  if (result.created) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', key);
  if (result.updated) notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'pfadd', key);
  return result.updated ? ONE : ZERO;
}

/**
 * The keys' read lookups, in order, then the store's error if one stopped them. The key a WRONGTYPE refused is
 * the executor's to count (wrong-type-lookups.ts), so it is left out here.
 */
function lookedThenRefused(
  ctx: CommandContext,
  keys: readonly Buffer[],
  result: { readonly found: readonly boolean[]; readonly error?: string },
): void {
  const refused = result.error === undefined ? null : new CommandError(result.error);
  const counted = refused?.code === 'WRONGTYPE' ? result.found.length - 1 : result.found.length;
  for (let i = 0; i < counted; i++) looked(ctx, keys[i], result.found[i]);
  if (refused !== null) throw refused;
}

/** PFCOUNT key [key ...]: one key's (cached) cardinality, or the cardinality of several keys' union. */
function pfcount(argv: Buffer[], ctx: CommandContext): Reply {
  const keys = argv.slice(1);
  const result = keys.length === 1 ? ctx.store.pfCountOne(keys[0]) : ctx.store.pfCountUnion(keys);
  lookedThenRefused(ctx, keys, result);
  if (result.cacheWritten) {
    markChanged(ctx);
    ctx.server.aof?.recordCommand(ctx.store.db, argv);
  }
  return integer(BigInt.asIntN(64, result.count)); // addReplyLongLong of a uint64
}

/** PFMERGE destkey [sourcekey ...]: the union of every key, the destination's own registers included. */
function pfmerge(argv: Buffer[], ctx: CommandContext): Reply {
  const keys = argv.slice(1);
  const result = ctx.store.pfMerge(keys[0], keys.slice(1));
  lookedThenRefused(ctx, keys, result);
  markChanged(ctx); // pfmergeCommand: one change, whatever the registers did
  if (result.created) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', keys[0]);
  notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'pfadd', keys[0]);
  return OK;
}

const DEBUG_OPERATIONS: readonly PfDebugOperation[] = ['getreg', 'decode', 'encoding', 'todense'];

/** PFDEBUG <GETREG | DECODE | ENCODING | TODENSE> key. */
function pfdebug(argv: Buffer[], ctx: CommandContext): Reply {
  const operation = DEBUG_OPERATIONS.find((name) => isWord(argv[1], name.toUpperCase())) ?? null;
  const result = ctx.store.pfDebug(argv[2], operation);
  if ('unknown' in result) throw new CommandError(`ERR Unknown PFDEBUG subcommand '${cString(argv[1])}'`);
  // GETREG and TODENSE that made a sparse HLL dense changed it (pfdebugCommand forces its propagation so).
  if ('converted' in result && result.converted) markChanged(ctx);
  if ('registers' in result) return array(result.registers.map((r) => integer(r)));
  if ('decoded' in result) return bulkString(result.decoded);
  if ('encoding' in result) return status(result.encoding);
  return result.converted ? ONE : ZERO;
}

/** PFSELFTEST: Redis's own check of the register access and the estimates (seconds of work, as in Redis). */
function pfselftest(_argv: Buffer[], ctx: CommandContext): Reply {
  const failure = hllSelfTest(ctx.store.containerLimit('hll-sparse-max-bytes'));
  if (failure !== null) throw new CommandError(`ERR ${failure}`);
  return OK;
}

export const hyperloglogCommands: readonly CommandSpec[] = [
  {
    name: 'pfadd',
    syntax: 'PFADD key [element [element ...]]',
    summary: 'Adds the specified elements to the specified HyperLogLog.',
    group: 'hyperloglog',
    since: '2.8.9',
    arity: -2,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    run: pfadd,
  },
  {
    name: 'pfcount',
    syntax: 'PFCOUNT key [key ...]',
    summary: 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).',
    group: 'hyperloglog',
    since: '2.8.9',
    arity: -2,
    flags: ['readonly', 'may_replicate'],
    keys: [1, -1, 1],
    run: pfcount,
  },
  {
    name: 'pfmerge',
    syntax: 'PFMERGE destkey sourcekey [sourcekey ...]',
    summary: 'Merge N different HyperLogLogs into a single one.',
    group: 'hyperloglog',
    since: '2.8.9',
    arity: -2,
    flags: ['write', 'denyoom'],
    keys: [1, -1, 1],
    // Two specs, as Redis's: COMMAND GETKEYS refuses "PFMERGE destkey" alone, whose source range is empty.
    keySpecs: [oneKey(1, ['RW', 'access', 'insert']), keysToEnd(2, ['RO', 'access'])],
    run: pfmerge,
  },
  {
    name: 'pfdebug',
    syntax: 'PFDEBUG subcommand key',
    summary: 'Internal commands for debugging HyperLogLog values',
    group: 'hyperloglog',
    since: '2.8.9',
    arity: 3,
    flags: ['write', 'denyoom', 'admin'],
    keys: [2, 2, 1],
    run: pfdebug,
  },
  {
    name: 'pfselftest',
    syntax: 'PFSELFTEST',
    summary: 'An internal command for testing HyperLogLog values',
    group: 'hyperloglog',
    since: '2.8.9',
    arity: 1,
    flags: ['admin'],
    keys: [0, 0, 0],
    run: pfselftest,
  },
];
