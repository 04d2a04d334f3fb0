// Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX XX GT LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME,
// PERSIST. The command turns a relative or second-based time into absolute milliseconds with Redis's int64
// overflow checks (expire.c, expireGenericCommand); the store applies the condition and the deadline
// atomically. Nothing here knows how expiry is stored or enforced. The TTL readers count a keyspace hit or
// miss (ttlGenericCommand reads with lookupKeyReadWithFlags) and a miss is a `keymiss` event; EXPIRE* and
// PERSIST, write lookups, do not. Keyspace events as expire.c: `expire`, or `del` for a time already past;
// `persist`.

import { isKeyword, toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR, cString } from '../errors.js';
import { NOTIFY_GENERIC, notifyKeyspaceEvent, notifyMiss } from '../pubsub/keyspace-events.js';
import { integer, ONE, ZERO, type Reply } from '../reply.js';
import { deadlineInt64, timeLeftInt64 } from '../deadline-int64.js';
import type { ExpireCondition } from '../store/types.js';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

interface ExpireFlags {
  readonly nx: boolean;
  readonly xx: boolean;
  readonly gt: boolean;
  readonly lt: boolean;
}

/** parseExtendedExpireArgumentsOrReply: options may repeat; checked before the time argument is parsed. */
function parseExpireFlags(argv: readonly Buffer[]): ExpireFlags {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i];
    if (isKeyword(option, 'NX')) nx = true;
    else if (isKeyword(option, 'XX')) xx = true;
    else if (isKeyword(option, 'GT')) gt = true;
    else if (isKeyword(option, 'LT')) lt = true;
    else throw new CommandError(ERR.unsupportedOption(cString(option)));
  }
  if (nx && (xx || gt || lt)) throw new CommandError(ERR.expireNxConflict);
  if (gt && lt) throw new CommandError(ERR.expireGtLtConflict);
  return { nx, xx, gt, lt };
}

/**
 * The store checks every condition given at one instant (expire.c tests each flag in turn): NX, or XX with
 * GT or LT, or either alone, so a PERSIST from another thread cannot fall between XX and LT.
 */
function applyExpire(ctx: CommandContext, key: Buffer, at: number, flags: ExpireFlags): boolean {
  const conditions: ExpireCondition[] = [];
  if (flags.nx) conditions.push('NX');
  if (flags.xx) conditions.push('XX');
  if (flags.gt) conditions.push('GT');
  if (flags.lt) conditions.push('LT');
  return ctx.store.expireAt(key, at, conditions);
}

type Unit = 'seconds' | 'milliseconds';

/** expireGenericCommand: `basetime` is now for EXPIRE/PEXPIRE and 0 for the *AT forms. */
function expireGeneric(
  argv: Buffer[],
  ctx: CommandContext,
  name: string,
  unit: Unit,
  relative: boolean,
): Reply {
  const flags = parseExpireFlags(argv);
  let when = toBigInt(argv[2]);
  if (unit === 'seconds') {
    // BigInt division truncates toward zero, like C's LLONG_MAX / 1000.
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) throw new CommandError(ERR.invalidExpire(name));
    when *= 1000n;
  }
  const base = relative ? BigInt(ctx.server.clock()) : 0n;
  if (when > INT64_MAX - base) throw new CommandError(ERR.invalidExpire(name));
  when += base;
  // Past 2^53 ms (285,000 years) a double rounds the deadline; it stays far in the future, so the key
  // behaves the same, only (P)EXPIRETIME may print it rounded (never past int64: deadline-int64.ts).
  const at = Number(when);
  if (!applyExpire(ctx, argv[1], at, flags)) return ZERO;
  markChanged(ctx);
  // A time not in the future deleted the key (checkAlreadyExpired), as the store decides it: on its clock.
  notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, at <= ctx.server.clock() ? 'del' : 'expire', argv[1]);
  return ONE;
}

function expireSpec(
  name: string,
  syntax: string,
  summary: string,
  since: string,
  unit: Unit,
  relative: boolean,
) {
  const spec: CommandSpec = {
    name,
    syntax,
    summary,
    group: 'generic',
    since,
    arity: -3,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: (argv, ctx) => expireGeneric(argv, ctx, name, unit, relative),
  };
  return spec;
}

export const expire = expireSpec(
  'expire',
  'EXPIRE key seconds [NX | XX | GT | LT]',
  'Sets the expiration time of a key in seconds.',
  '1.0.0',
  'seconds',
  true,
);
export const pexpire = expireSpec(
  'pexpire',
  'PEXPIRE key milliseconds [NX | XX | GT | LT]',
  'Sets the expiration time of a key in milliseconds.',
  '2.6.0',
  'milliseconds',
  true,
);
export const expireat = expireSpec(
  'expireat',
  'EXPIREAT key unix-time-seconds [NX | XX | GT | LT]',
  'Sets the expiration time of a key to a Unix timestamp.',
  '1.2.0',
  'seconds',
  false,
);
export const pexpireat = expireSpec(
  'pexpireat',
  'PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]',
  'Sets the expiration time of a key to a Unix milliseconds timestamp.',
  '2.6.0',
  'milliseconds',
  false,
);

/**
 * A store figure that is -2 for a missing key (pttl, expireTime), counted as a keyspace hit or miss; a miss is a
 * `keymiss` event.
 */
function counted(ctx: CommandContext, key: Buffer, figure: number): number {
  ctx.server.counters?.keyLookup(figure !== -2);
  notifyMiss(ctx, key, figure !== -2);
  return figure;
}

/**
 * PTTL's figure: -2, -1, or the ms left as an int64. Past 2^53 ms left the store's double has rounded, so the
 * deadline is read instead and subtracted exactly (deadline-int64.ts), as Redis's int64s subtract.
 */
function timeLeft(ctx: CommandContext, key: Buffer): bigint {
  const ms = counted(ctx, key, ctx.store.pttl(key));
  if (ms <= Number.MAX_SAFE_INTEGER) return BigInt(ms);
  const at = ctx.store.expireTime(key);
  return at < 0 ? BigInt(at) : timeLeftInt64(at, ctx.server.clock());
}

/** An int64 figure as a plain number where a double holds it exactly (every figure but the far deadlines). */
const exact = (value: bigint): number | bigint =>
  value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;

/** A read-only one-key command that reports expiry. */
function ttlSpec(name: string, syntax: string, summary: string, since: string, run: CommandSpec['run']) {
  const spec: CommandSpec = {
    name,
    syntax,
    summary,
    group: 'generic',
    since,
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    run,
  };
  return spec;
}

// ttlGenericCommand: TTL rounds the milliseconds left to the nearest second, (ms + 500) / 1000.
export const ttl = ttlSpec(
  'ttl',
  'TTL key',
  'Returns the expiration time in seconds of a key.',
  '1.0.0',
  (argv, ctx) => {
    const ms = timeLeft(ctx, argv[1]);
    return integer(exact(ms < 0n ? ms : (ms + 500n) / 1000n));
  },
);
export const pttl = ttlSpec(
  'pttl',
  'PTTL key',
  'Returns the expiration time in milliseconds of a key.',
  '2.6.0',
  (argv, ctx) => integer(exact(timeLeft(ctx, argv[1]))),
);

// ttlGenericCommand answers EXPIRETIME as TTL: seconds rounded to the nearest, (ms + 500) / 1000 (expire.c).
export const expiretime = ttlSpec(
  'expiretime',
  'EXPIRETIME key',
  'Returns the expiration time of a key as a Unix timestamp.',
  '7.0.0',
  (argv, ctx) => {
    const at = counted(ctx, argv[1], ctx.store.expireTime(argv[1]));
    return integer(at < 0 ? at : exact((deadlineInt64(at) + 500n) / 1000n));
  },
);
export const pexpiretime = ttlSpec(
  'pexpiretime',
  'PEXPIRETIME key',
  'Returns the expiration time of a key as a Unix milliseconds timestamp.',
  '7.0.0',
  (argv, ctx) => {
    const at = counted(ctx, argv[1], ctx.store.expireTime(argv[1]));
    return integer(at < 0 ? at : exact(deadlineInt64(at)));
  },
);

export const persist: CommandSpec = {
  name: 'persist',
  syntax: 'PERSIST key',
  summary: 'Removes the expiration time of a key.',
  group: 'generic',
  since: '2.2.0',
  arity: 2,
  flags: ['write', 'fast'],
  keys: [1, 1, 1],
  run: (argv, ctx) => {
    if (!ctx.store.persist(argv[1])) return ZERO;
    markChanged(ctx);
    notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'persist', argv[1]);
    return ONE;
  },
};

export const expireCommands: readonly CommandSpec[] = [
  expire,
  pexpire,
  expireat,
  pexpireat,
  ttl,
  pttl,
  expiretime,
  pexpiretime,
  persist,
];
