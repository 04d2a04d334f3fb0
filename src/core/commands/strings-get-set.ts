// Reading and writing one whole string value: GET, SET, SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX.
// Semantics and replies follow redis.io/commands/<name> and Redis 7's t_string.c. Commands turn arguments
// into the store's semantic operations (expire times become absolute ms on the server clock here) and
// never see how or where the store keeps its data. GET, GETSET, GETDEL, GETEX and SET ... GET read the key as
// Redis's lookupKeyRead does, so each counts one keyspace hit or miss (ServerCounters.keyLookup) and a miss is a
// `keymiss` event. The other keyspace events are t_string.c's: `new` for a key created, `set`, `expire`, `del`,
// `persist`, in its order.

import { isKeyword } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import {
  NOTIFY_GENERIC,
  NOTIFY_NEW,
  NOTIFY_STRING,
  notifyCreated,
  notifyKeyspaceEvent,
  notifyMiss,
  wantsEvent,
  writeWithMissing,
} from '../pubsub/keyspace-events.js';
import { markChanged } from '../dirty.js';
import { bulkOrNil, NIL, OK, ONE, ZERO, type Reply } from '../reply.js';
import type { GetExChange, SetOptions } from '../store/types.js';
import {
  expireAtFromArgument,
  parseExtendedOptions,
  wrongTypeFirst,
  type ExpireUnit,
} from './string-options.js';

/** The value a read lookup of key found, or nil: counted as a keyspace hit or miss (a miss is a `keymiss`). */
function counted(ctx: CommandContext, key: Buffer, value: Buffer | null): Reply {
  ctx.server.counters?.keyLookup(value !== null);
  notifyMiss(ctx, key, value !== null);
  return bulkOrNil(value);
}

/** A string written whole (setKey, one change): `new` if it created the key, `set`, and `expire` if it got a time. */
function notifySet(
  ctx: CommandContext,
  key: Buffer,
  missing: readonly boolean[] | null,
  expire: boolean,
): void {
  markChanged(ctx);
  if (missing !== null) notifyCreated(ctx, [key], missing, 0);
  notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'set', key);
  if (expire) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'expire', key);
}

function expireAt(ctx: CommandContext, value: Buffer, unit: ExpireUnit, command: string): number {
  return expireAtFromArgument(value, unit, ctx.server.clock(), command);
}

/** SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT time|KEEPTTL]: OK, nil when NX/XX blocked it, or with GET the old value. */
function set(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length === 3 && !wantsEvent(ctx, NOTIFY_NEW)) return plainSet(argv[1], argv[2], ctx);
  const opts = parseExtendedOptions(argv, 'set');
  const options: SetOptions = {
    condition: opts.condition,
    expireAt: opts.expire && expireAt(ctx, opts.expire.value, opts.expire.unit, 'set'),
    keepTtl: opts.keepTtl,
    returnOld: opts.get,
  };
  const key = argv[1];
  const { result, missing } = writeWithMissing(ctx, [key], (store) => store.set(key, argv[2], options));
  // With GET, Redis replies with the old value whether or not NX/XX let the write happen; its lookup (and
  // keymiss) comes first.
  const reply = opts.get ? counted(ctx, key, result.old) : result.written ? OK : NIL;
  if (result.written) notifySet(ctx, key, missing, opts.expire !== undefined);
  return reply;
}

/**
 * SET key value, the most common request of all, while no one listens for `new` events: no options to parse and
 * no existence check, so nothing is allocated for them (in-process A/B: bench/results/session-set.md).
 */
function plainSet(key: Buffer, value: Buffer, ctx: CommandContext): Reply {
  ctx.store.set(key, value);
  markChanged(ctx);
  notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'set', key);
  return OK;
}

/** GETEX key [EX|PX|EXAT|PXAT time|PERSIST]: the value, changing (or removing) its expiry. */
function getex(argv: Buffer[], ctx: CommandContext): Reply {
  const opts = parseExtendedOptions(argv, 'getex');
  let change: GetExChange;
  try {
    change = opts.expire
      ? { expireAt: expireAt(ctx, opts.expire.value, opts.expire.unit, 'getex') }
      : opts.persist
        ? { persist: true }
        : undefined;
  } catch (e) {
    // Redis looks the key up (counted) before it validates the time: a missing key answers nil even for a
    // bad time.
    const found = ctx.store.exists([argv[1]]) === 1;
    ctx.server.counters?.keyLookup(found);
    notifyMiss(ctx, argv[1], found);
    if (!found) return NIL;
    throw wrongTypeFirst(ctx.store, argv[1], e);
  }
  const key = argv[1];
  if (change === undefined) return counted(ctx, key, ctx.store.getEx(key, change));
  if ('expireAt' in change && !wantsEvent(ctx, NOTIFY_GENERIC)) {
    const value = ctx.store.getEx(key, change);
    if (value !== null) markChanged(ctx);
    return counted(ctx, key, value);
  }
  // Which event depends on what GETEX did: a time already past deletes the key (`del`), another sets it
  // (`expire`); PERSIST is an event and a change only if the key had a time to remove. Asked under the key's lock.
  const { value, hadTime } = ctx.store.transaction([key], (locked) => ({
    hadTime: locked.pttl(key) >= 0,
    value: locked.getEx(key, change),
  }));
  const reply = counted(ctx, key, value);
  if (value === null) return reply;
  if ('persist' in change) {
    if (hadTime) {
      markChanged(ctx);
      notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'persist', key);
    }
  } else {
    markChanged(ctx);
    const past =
      opts.expire !== undefined && absolute(opts.expire.unit) && change.expireAt <= ctx.server.clock();
    notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, past ? 'del' : 'expire', key);
  }
  return reply;
}

/** EXAT / PXAT: a time that may already be past (EX / PX are checked positive). */
const absolute = (unit: ExpireUnit): boolean => unit === 'EXAT' || unit === 'PXAT';

/** SETEX / PSETEX key time value: SET with EX / PX, with its own name in the invalid-time error. */
function setWithExpire(unit: 'EX' | 'PX', command: string) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const key = argv[1];
    const at = expireAt(ctx, argv[2], unit, command);
    const { missing } = writeWithMissing(ctx, [key], (store) => store.set(key, argv[3], { expireAt: at }));
    notifySet(ctx, key, missing, true);
    return OK;
  };
}

/** SETNX key value: 1 when it set the key. */
function setnx(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const { result, missing } = writeWithMissing(ctx, [key], (store) =>
    store.set(key, argv[2], { condition: 'NX' }),
  );
  if (!result.written) return ZERO;
  notifySet(ctx, key, missing, false);
  return ONE;
}

/** GETSET key value: the old value; the key is set (its expiry dropped, as by SET without options). */
function getset(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const { result, missing } = writeWithMissing(ctx, [key], (store) =>
    store.set(key, argv[2], { returnOld: true }),
  );
  const reply = counted(ctx, key, result.old);
  notifySet(ctx, key, missing, false);
  return reply;
}

/** GETDEL key: the value, and the key deleted (`del`). */
function getdel(argv: Buffer[], ctx: CommandContext): Reply {
  const value = ctx.store.getDel(argv[1]);
  const reply = counted(ctx, argv[1], value);
  if (value !== null) {
    markChanged(ctx);
    notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', argv[1]);
  }
  return reply;
}

export const getSetCommands: readonly CommandSpec[] = [
  {
    name: 'get',
    syntax: 'GET key',
    summary: 'Returns the string value of a key.',
    group: 'string',
    since: '1.0.0',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    run: (argv, ctx) => counted(ctx, argv[1], ctx.store.get(argv[1])),
  },
  {
    name: 'set',
    syntax:
      'SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]',
    summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
    group: 'string',
    since: '1.0.0',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    // db.c setGetKeys: with a GET argument the old value is read too.
    keyFlagsOf: (argv) =>
      argv.slice(3).some((arg) => isKeyword(arg, 'GET')) ? ['RW', 'access', 'update'] : ['OW', 'update'],
    run: set,
  },
  {
    name: 'setnx',
    syntax: 'SETNX key value',
    summary: "Set the string value of a key only when the key doesn't exist.",
    group: 'string',
    since: '1.0.0',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    run: setnx,
  },
  {
    name: 'setex',
    syntax: 'SETEX key seconds value',
    summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
    group: 'string',
    since: '2.0.0',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    run: setWithExpire('EX', 'setex'),
  },
  {
    name: 'psetex',
    syntax: 'PSETEX key milliseconds value',
    summary:
      "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
    group: 'string',
    since: '2.6.0',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    run: setWithExpire('PX', 'psetex'),
  },
  {
    name: 'getset',
    syntax: 'GETSET key value',
    summary: 'Returns the previous string value of a key after setting it to a new value.',
    group: 'string',
    since: '1.0.0',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    // Like SET without options, GETSET drops any expiry the key had.
    run: getset,
  },
  {
    name: 'getdel',
    syntax: 'GETDEL key',
    summary: 'Returns the string value of a key after deleting the key.',
    group: 'string',
    since: '6.2.0',
    arity: 2,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: getdel,
  },
  {
    name: 'getex',
    syntax:
      'GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]',
    summary: 'Returns the string value of a key after setting its expiration time.',
    group: 'string',
    since: '6.2.0',
    arity: -2,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: getex,
  },
];
