// Several keys at once: MGET, MSET, MSETNX (redis.io/commands/<name>). The store makes each one atomic across
// threads (one lock order for every multi-key operation); here only the argument shape is checked.
// Knows nothing of locks or of how values are stored. MGET counts a keyspace hit or miss per key, as Redis's
// lookupKeyRead does for each; MSET and MSETNX look keys up for writing, which Redis does not count.
// Keyspace events as t_string.c: `keymiss` for each key MGET misses; `new` and `set` for each pair MSET sets.

import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import {
  NOTIFY_STRING,
  notifyCreated,
  notifyKeyspaceEvent,
  notifyMiss,
  writeWithMissing,
} from '../pubsub/keyspace-events.js';
import { markChanged } from '../dirty.js';
import { bulkArray, OK, ONE, ZERO, type Reply } from '../reply.js';

/** argv[1..] as key/value pairs. An odd count is reported as Redis does: as an arity error of the command. */
function pairs(argv: Buffer[], name: string): Buffer[] {
  if (argv.length % 2 === 0) throw new CommandError(ERR.wrongArity(name));
  return argv.slice(1);
}

function mget(argv: Buffer[], ctx: CommandContext): Reply {
  // A key of another type is nil in the reply but a hit, as lookupKeyRead found it (t_string.c mgetCommand).
  const found: boolean[] = [];
  const values = ctx.store.mget(argv.slice(1), found);
  let misses = 0;
  for (const exists of found) if (!exists) misses++;
  ctx.server.counters?.keyLookups(values.length - misses, misses);
  if (misses > 0) for (let i = 0; i < values.length; i++) notifyMiss(ctx, argv[i + 1], found[i]);
  return bulkArray(values);
}

/** MSET, or MSETNX (onlyIfNoneExist): whether the keys were set, and their events in pair order. */
function setPairs(ctx: CommandContext, keyValues: Buffer[], onlyIfNoneExist: boolean): boolean {
  const keys = keyValues.filter((_, i) => i % 2 === 0);
  const { result, missing } = writeWithMissing(ctx, keys, (store) => store.mset(keyValues, onlyIfNoneExist));
  if (!result) return false;
  markChanged(ctx, keys.length); // msetGenericCommand: a change per pair, a key given twice counted twice
  keys.forEach((key, i) => {
    notifyCreated(ctx, keys, missing, i);
    notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'set', key);
  });
  return true;
}

function mset(argv: Buffer[], ctx: CommandContext): Reply {
  setPairs(ctx, pairs(argv, 'mset'), false);
  return OK;
}

/** 1 when every key was set, 0 (and nothing set) when any of them already existed. */
function msetnx(argv: Buffer[], ctx: CommandContext): Reply {
  return setPairs(ctx, pairs(argv, 'msetnx'), true) ? ONE : ZERO;
}

export const multiKeyCommands: readonly CommandSpec[] = [
  {
    name: 'mget',
    syntax: 'MGET key [key ...]',
    summary: 'Atomically returns the string values of one or more keys.',
    group: 'string',
    since: '1.0.0',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: [1, -1, 1],
    run: mget,
  },
  {
    name: 'mset',
    syntax: 'MSET key value [key value ...]',
    summary: 'Atomically creates or modifies the string values of one or more keys.',
    group: 'string',
    since: '1.0.1',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: [1, -1, 2],
    run: mset,
  },
  {
    name: 'msetnx',
    syntax: 'MSETNX key value [key value ...]',
    summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.",
    group: 'string',
    since: '1.0.1',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: [1, -1, 2],
    run: msetnx,
  },
];
