// Numbers kept as strings: INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT (redis.io/commands/<name>).
// The store does the read-modify-write atomically and owns the value checks (not an integer, overflow,
// NaN/Infinity); the commands only parse the delta. Integer replies carry the exact int64 as a bigint.
// Keyspace events as t_string.c: `new` for a key created, then `incrby` / `incrbyfloat`.

import { toBigInt, toLongDouble } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import {
  NOTIFY_STRING,
  notifyCreated,
  notifyKeyspaceEvent,
  writeWithMissing,
} from '../pubsub/keyspace-events.js';
import { markChanged } from '../dirty.js';
import { bulk, integer, type Reply } from '../reply.js';
import { wrongTypeFirst } from './string-options.js';

const INT64_MIN = -(2n ** 63n);

function incrBy(ctx: CommandContext, key: Buffer, delta: bigint): Reply {
  const { result, missing } = writeWithMissing(ctx, [key], (store) => store.incrBy(key, delta));
  markChanged(ctx);
  notifyCreated(ctx, [key], missing, 0);
  notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'incrby', key);
  return integer(result);
}

function incrByFloat(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  let delta;
  try {
    delta = toLongDouble(argv[2]);
  } catch (error) {
    throw wrongTypeFirst(ctx.store, key, error); // t_string.c: checkType before the increment is read
  }
  const { result, missing } = writeWithMissing(ctx, [key], (store) => store.incrByFloat(key, delta));
  markChanged(ctx);
  notifyCreated(ctx, [key], missing, 0);
  notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'incrbyfloat', key);
  return bulk(result);
}

function decrBy(argv: Buffer[], ctx: CommandContext): Reply {
  const decrement = toBigInt(argv[2]);
  // -INT64_MIN does not fit an int64, so Redis refuses before it looks at the key.
  if (decrement === INT64_MIN) throw new CommandError(ERR.decrementOverflow);
  return incrBy(ctx, argv[1], -decrement);
}

const counter = {
  group: 'string',
  flags: ['write', 'denyoom', 'fast'],
  keys: [1, 1, 1],
} as const satisfies Pick<CommandSpec, 'group' | 'flags' | 'keys'>;

export const counterCommands: readonly CommandSpec[] = [
  {
    ...counter,
    name: 'incr',
    syntax: 'INCR key',
    summary:
      "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    since: '1.0.0',
    arity: 2,
    run: (argv, ctx) => incrBy(ctx, argv[1], 1n),
  },
  {
    ...counter,
    name: 'decr',
    syntax: 'DECR key',
    summary:
      "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    since: '1.0.0',
    arity: 2,
    run: (argv, ctx) => incrBy(ctx, argv[1], -1n),
  },
  {
    ...counter,
    name: 'incrby',
    syntax: 'INCRBY key increment',
    summary:
      "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    since: '1.0.0',
    arity: 3,
    run: (argv, ctx) => incrBy(ctx, argv[1], toBigInt(argv[2])),
  },
  {
    ...counter,
    name: 'decrby',
    syntax: 'DECRBY key decrement',
    summary:
      "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
    since: '1.0.0',
    arity: 3,
    run: decrBy,
  },
  {
    ...counter,
    name: 'incrbyfloat',
    syntax: 'INCRBYFLOAT key increment',
    summary:
      "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    since: '2.6.0',
    arity: 3,
    // In long double, as Redis 7.0; the reply is the new value exactly as stored (%.17Lf, zeros trimmed).
    run: incrByFloat,
  },
];
