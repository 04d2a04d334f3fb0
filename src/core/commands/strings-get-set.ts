// Reading and writing one whole string value: GET, SET, SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX.
// Semantics and replies follow redis.io/commands/<name> and Redis 7's t_string.c. Commands turn arguments
// into the store's semantic operations (expire times become absolute ms on the server clock here) and
// never see how or where the store keeps its data. GET, GETSET, GETDEL, GETEX and SET ... GET read the key as
// Redis's lookupKeyRead does, so each counts one keyspace hit or miss (ServerCounters.keyLookup).

import type { CommandContext, CommandSpec } from '../command.js';
import { bulkOrNil, NIL, OK, ONE, ZERO, type Reply } from '../reply.js';
import type { GetExChange, SetOptions } from '../store/types.js';
import { expireAtFromArgument, parseExtendedOptions, type ExpireUnit } from './string-options.js';

/** The value a read lookup found, or nil: counted as a keyspace hit or miss. */
function counted(ctx: CommandContext, value: Buffer | null): Reply {
  ctx.server.counters?.keyLookup(value !== null);
  return bulkOrNil(value);
}

function expireAt(ctx: CommandContext, value: Buffer, unit: ExpireUnit, command: string): number {
  return expireAtFromArgument(value, unit, ctx.server.clock(), command);
}

/** SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT time|KEEPTTL]: OK, nil when NX/XX blocked it, or with GET the old value. */
function set(argv: Buffer[], ctx: CommandContext): Reply {
  const opts = parseExtendedOptions(argv, 'set');
  const options: SetOptions = {
    condition: opts.condition,
    expireAt: opts.expire && expireAt(ctx, opts.expire.value, opts.expire.unit, 'set'),
    keepTtl: opts.keepTtl,
    returnOld: opts.get,
  };
  const result = ctx.store.set(argv[1], argv[2], options);
  // With GET, Redis replies with the old value whether or not NX/XX let the write happen.
  if (opts.get) return counted(ctx, result.old);
  return result.written ? OK : NIL;
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
    if (!found) return NIL;
    throw e;
  }
  return counted(ctx, ctx.store.getEx(argv[1], change));
}

/** SETEX / PSETEX key time value: SET with EX / PX, with its own name in the invalid-time error. */
function setWithExpire(unit: 'EX' | 'PX', command: string) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    ctx.store.set(argv[1], argv[3], { expireAt: expireAt(ctx, argv[2], unit, command) });
    return OK;
  };
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
    run: (argv, ctx) => counted(ctx, ctx.store.get(argv[1])),
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
    run: (argv, ctx) => (ctx.store.set(argv[1], argv[2], { condition: 'NX' }).written ? ONE : ZERO),
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
    run: (argv, ctx) => counted(ctx, ctx.store.set(argv[1], argv[2], { returnOld: true }).old),
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
    run: (argv, ctx) => counted(ctx, ctx.store.getDel(argv[1])),
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
