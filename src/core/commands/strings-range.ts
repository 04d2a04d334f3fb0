// Parts of a string: APPEND, STRLEN, GETRANGE, SETRANGE (redis.io/commands/<name>).
// Offsets arrive as int64 as in Redis; the store works in safe JavaScript integers, so values beyond 2^53
// are clamped here, which changes nothing because no string gets anywhere near that long. Length limits
// (proto-max-bulk-len) are the store's to enforce. STRLEN and GETRANGE read the key as Redis's lookupKeyRead
// does, so each counts a keyspace hit or miss (and a `keymiss` event); APPEND and SETRANGE look it up for
// writing, which is not counted, and report `new` for a key they create, then `append` / `setrange`.

import { toBigInt } from '../args.js';
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
import { bulk, integer, type Reply } from '../reply.js';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = BigInt(Number.MIN_SAFE_INTEGER);
const EMPTY = Buffer.alloc(0);

function clamp(v: bigint): number {
  return Number(v > MAX ? MAX : v < MIN ? MIN : v);
}

/** GETRANGE key start end: negative indexes count from the end; a missing key is an empty string. */
function getrange(argv: Buffer[], ctx: CommandContext): Reply {
  const start = toBigInt(argv[2]);
  const end = toBigInt(argv[3]);
  // Redis answers this case once the key is looked up and its type checked (so it still counts a hit or miss
  // and a key of another type is WRONGTYPE) but before reading it; deciding it before clamping keeps it exact
  // for huge values.
  if (start < 0n && end < 0n && start > end) {
    const type = ctx.store.type(argv[1]);
    looked(ctx, argv[1], ctx.store.exists([argv[1]]) === 1);
    if (type !== 'none' && type !== 'string') throw new CommandError(ERR.wrongType);
    return bulk(EMPTY);
  }
  const range = ctx.store.getRange(argv[1], clamp(start), clamp(end));
  // Empty is a missing key or a slice outside the value: only then ask which (not counted again). Another
  // thread changing the key in between can only make this count disagree with the reply, never the reply.
  looked(ctx, argv[1], range.length > 0 || ctx.store.exists([argv[1]]) === 1);
  return bulk(range);
}

/** A read lookup of key (lookupKeyRead): a keyspace hit or miss, and the `keymiss` event of a miss. */
function looked(ctx: CommandContext, key: Buffer, found: boolean): void {
  ctx.server.counters?.keyLookup(found);
  notifyMiss(ctx, key, found);
}

/** STRLEN key: 0 for a missing key. */
function strlen(argv: Buffer[], ctx: CommandContext): Reply {
  const length = ctx.store.strlen(argv[1]);
  // 0 is a missing key or an empty string: only then ask which, as GETRANGE does.
  looked(ctx, argv[1], length > 0 || ctx.store.exists([argv[1]]) === 1);
  return integer(length);
}

/** SETRANGE key offset value: the new length. A negative offset is refused before the key is looked at. */
function setrange(argv: Buffer[], ctx: CommandContext): Reply {
  const offset = toBigInt(argv[2]);
  if (offset < 0n) throw new CommandError(ERR.offsetOutOfRange);
  const key = argv[1];
  const { result, missing } = writeWithMissing(ctx, [key], (store) =>
    store.setRange(key, clamp(offset), argv[3]),
  );
  // Setting nothing changes nothing (and creates no key): no event (t_string.c setrangeCommand).
  if (argv[3].length > 0) {
    markChanged(ctx);
    notifyCreated(ctx, [key], missing, 0);
    notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'setrange', key);
  }
  return integer(result);
}

/** APPEND key value: the new length. */
function append(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const { result, missing } = writeWithMissing(ctx, [key], (store) => store.append(key, argv[2]));
  markChanged(ctx); // even appending nothing (t_string.c appendCommand)
  notifyCreated(ctx, [key], missing, 0);
  notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'append', key);
  return integer(result);
}

export const rangeCommands: readonly CommandSpec[] = [
  {
    name: 'append',
    syntax: 'APPEND key value',
    summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.",
    group: 'string',
    since: '2.0.0',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    run: append,
  },
  {
    name: 'strlen',
    syntax: 'STRLEN key',
    summary: 'Returns the length of a string value.',
    group: 'string',
    since: '2.2.0',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    run: strlen,
  },
  {
    name: 'getrange',
    syntax: 'GETRANGE key start end',
    summary: 'Returns a substring of the string stored at a key.',
    group: 'string',
    since: '2.4.0',
    arity: 4,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: getrange,
  },
  {
    // GETRANGE's name before 2.4 (t_string.c: the same getrangeCommand), kept by Redis for old clients.
    name: 'substr',
    syntax: 'SUBSTR key start end',
    summary: 'Returns a substring from a string value.',
    group: 'string',
    since: '1.0.0',
    arity: 4,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: getrange,
  },
  {
    name: 'setrange',
    syntax: 'SETRANGE key offset value',
    summary:
      "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
    group: 'string',
    since: '2.2.0',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    run: setrange,
  },
];
