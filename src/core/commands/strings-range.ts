// Parts of a string: APPEND, STRLEN, GETRANGE, SETRANGE (redis.io/commands/<name>).
// Offsets arrive as int64 as in Redis; the store works in safe JavaScript integers, so values beyond 2^53
// are clamped here, which changes nothing because no string gets anywhere near that long. Length limits
// (proto-max-bulk-len) are the store's to enforce.

import { toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
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
  // Redis answers this case before anything else; doing it before clamping keeps it exact for huge values.
  if (start < 0n && end < 0n && start > end) return bulk(EMPTY);
  return bulk(ctx.store.getRange(argv[1], clamp(start), clamp(end)));
}

/** SETRANGE key offset value: the new length. A negative offset is refused before the key is looked at. */
function setrange(argv: Buffer[], ctx: CommandContext): Reply {
  const offset = toBigInt(argv[2]);
  if (offset < 0n) throw new CommandError(ERR.offsetOutOfRange);
  return integer(ctx.store.setRange(argv[1], clamp(offset), argv[3]));
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
    run: (argv, ctx) => integer(ctx.store.append(argv[1], argv[2])),
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
    run: (argv, ctx) => integer(ctx.store.strlen(argv[1])),
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
