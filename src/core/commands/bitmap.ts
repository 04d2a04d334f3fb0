// Bitmaps on strings: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP (redis.io/commands/<name>; Redis 7.0's bitops.c).
// Arguments are checked in Redis's order, which decides which error a bad request gets and whether a missing key
// answers before the rest is even read (BITCOUNT and BITPOS answer a missing key whatever follows it). Reads
// count a keyspace hit or miss and a miss is a `keymiss` event (lookupKeyRead); SETBIT publishes `new` for a key
// it makes and `setbit` when it changed something; BITOP `new` and `set` for its destination, or `del` when the
// result is empty. Knows no locks: the store runs each at one instant.

import { isKeyword, parseInt64, toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import {
  NOTIFY_GENERIC,
  NOTIFY_NEW,
  NOTIFY_STRING,
  notifyKeyspaceEvent,
  notifyMiss,
} from '../pubsub/keyspace-events.js';
import { integer, ONE, ZERO, type Reply } from '../reply.js';
import type { BitOperation, BitRange } from '../store/bitmap.js';

const BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const NOT_A_BIT = 'ERR bit is not an integer or out of range';
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A C string's bytes (strcasecmp, strlen stop at the first NUL), for the words Redis compares that way. */
export function cString(b: Buffer): Buffer {
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

/** A keyword compared as Redis's strcasecmp does. */
export const isWord = (b: Buffer, upper: string): boolean => isKeyword(cString(b), upper);

/**
 * bitops.c getBitOffsetFromArgument: a bit offset, with `#n` meaning n * bits where `bits` is given (BITFIELD);
 * negative, or reaching a byte at or past proto-max-bulk-len, is an error. The product wraps as int64 in C.
 */
export function bitOffset(ctx: CommandContext, arg: Buffer, bits = 0): number {
  const hash = bits > 0 && arg[0] === 0x23; /* # */
  let offset = parseInt64(hash ? arg.subarray(1) : arg);
  if (offset === null) throw new CommandError(BIT_OFFSET);
  if (hash) offset = BigInt.asIntN(64, offset * BigInt(bits));
  if (offset < 0n || offset >> 3n >= BigInt(ctx.store.maxValueBytes())) throw new CommandError(BIT_OFFSET);
  return Number(offset);
}

/** A read lookup: a keyspace hit or miss, and a miss's `keymiss`. */
export function looked(ctx: CommandContext, key: Buffer, found: boolean): void {
  ctx.server.counters?.keyLookup(found);
  notifyMiss(ctx, key, found);
}

/** An int64 index clamped to a safe integer: every string is far shorter, so clamping changes no answer. */
const clamp = (v: bigint): number => Number(v > SAFE ? SAFE : v < -SAFE ? -SAFE : v);

/** BIT or BYTE (strcasecmp), else a syntax error. */
function unit(arg: Buffer): 'bit' | 'byte' {
  if (isWord(arg, 'BIT')) return 'bit';
  if (isWord(arg, 'BYTE')) return 'byte';
  throw new CommandError(ERR.syntax);
}

/** SETBIT key offset value: the bit's old value. */
function setbit(argv: Buffer[], ctx: CommandContext): Reply {
  const offset = bitOffset(ctx, argv[2]);
  const on = parseInt64(argv[3]);
  if (on !== 0n && on !== 1n) throw new CommandError(NOT_A_BIT);
  const key = argv[1];
  const result = ctx.store.setBit(key, offset, on === 1n ? 1 : 0);
  if (result.created) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', key);
  if (result.changed) {
    markChanged(ctx);
    notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'setbit', key);
  }
  return result.previous === 1 ? ONE : ZERO;
}

/** GETBIT key offset: 0 past the end or for a missing key. */
function getbit(argv: Buffer[], ctx: CommandContext): Reply {
  const offset = bitOffset(ctx, argv[2]);
  const bit = ctx.store.getBit(argv[1], offset);
  looked(ctx, argv[1], bit !== null);
  return bit === 1 ? ONE : ZERO;
}

/** A range whose checks are Redis's to make only once the key is found: its error is thrown then. */
type Deferred = { range: BitRange | null } | { error: CommandError } | { zero: true };
const EMPTY: BitRange = { start: 1, end: 0, unit: 'byte' }; // start > end: no bytes read

function deferred(parse: () => BitRange | null | 'zero'): Deferred {
  try {
    const range = parse();
    return range === 'zero' ? { zero: true } : { range };
  } catch (e) {
    if (e instanceof CommandError) return { error: e };
    throw e;
  }
}

/** BITCOUNT key [start end [BYTE | BIT]]. */
function bitcount(argv: Buffer[], ctx: CommandContext): Reply {
  const plan = deferred(() => {
    if (argv.length === 2) return null;
    if (argv.length !== 4 && argv.length !== 5) throw new CommandError(ERR.syntax);
    const start = toBigInt(argv[2]);
    const end = toBigInt(argv[3]);
    if (start < 0n && end < 0n && start > end) return 'zero'; // before BIT|BYTE is read, as bitcountCommand
    return { start: clamp(start), end: clamp(end), unit: argv.length === 5 ? unit(argv[4]) : 'byte' };
  });
  const count = ctx.store.bitCount(argv[1], 'range' in plan ? plan.range : EMPTY);
  looked(ctx, argv[1], count !== null);
  if (count === null) return ZERO;
  if ('error' in plan) throw plan.error;
  return 'zero' in plan ? ZERO : integer(count);
}

/** BITPOS key bit [start [end [BYTE | BIT]]]: a missing key is all zeros (0, or -1 looking for a 1). */
function bitpos(argv: Buffer[], ctx: CommandContext): Reply {
  const bit = toBigInt(argv[2]);
  if (bit !== 0n && bit !== 1n) throw new CommandError('ERR The bit argument must be 1 or 0.');
  const plan = deferred(() => {
    if (argv.length === 3) return null;
    if (argv.length > 6) throw new CommandError(ERR.syntax);
    const start = clamp(toBigInt(argv[3]));
    const u = argv.length === 6 ? unit(argv[5]) : 'byte';
    return argv.length >= 5 ? { start, end: clamp(toBigInt(argv[4])), unit: u } : { start, unit: u };
  });
  const b = bit === 1n ? 1 : 0;
  const pos = ctx.store.bitPos(argv[1], b, 'range' in plan ? plan.range : EMPTY);
  looked(ctx, argv[1], pos !== null);
  if (pos === null) return integer(b === 1 ? -1 : 0);
  if ('error' in plan) throw plan.error;
  return integer(pos);
}

const OPERATIONS: readonly [string, BitOperation][] = [
  ['AND', 'and'],
  ['OR', 'or'],
  ['XOR', 'xor'],
  ['NOT', 'not'],
];

/** BITOP <AND | OR | XOR | NOT> destkey key [key ...]: the destination's length. */
function bitop(argv: Buffer[], ctx: CommandContext): Reply {
  const op = OPERATIONS.find(([word]) => isWord(argv[1], word))?.[1];
  if (op === undefined) throw new CommandError(ERR.syntax);
  if (op === 'not' && argv.length !== 4)
    throw new CommandError('ERR BITOP NOT must be called with a single source key.');
  const destination = argv[2];
  const sources = argv.slice(3);
  const result = ctx.store.bitOp(op, destination, sources);
  sources.forEach((key, i) => looked(ctx, key, result.found[i]));
  if (result.length > 0) {
    markChanged(ctx);
    if (!result.existed) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', destination);
    notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'set', destination);
  } else if (result.existed) {
    markChanged(ctx);
    notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', destination);
  }
  return integer(result.length);
}

export const bitmapCommands: readonly CommandSpec[] = [
  {
    name: 'setbit',
    syntax: 'SETBIT key offset value',
    summary: 'Sets or clears the bit at offset in the string value stored at key',
    group: 'bitmap',
    since: '2.2.0',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    run: setbit,
  },
  {
    name: 'getbit',
    syntax: 'GETBIT key offset',
    summary: 'Returns the bit value at offset in the string value stored at key',
    group: 'bitmap',
    since: '2.2.0',
    arity: 3,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    run: getbit,
  },
  {
    name: 'bitcount',
    syntax: 'BITCOUNT key [start end [BYTE | BIT]]',
    summary: 'Count set bits in a string',
    group: 'bitmap',
    since: '2.6.0',
    arity: -2,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: bitcount,
  },
  {
    name: 'bitpos',
    syntax: 'BITPOS key bit [start [end [BYTE | BIT]]]',
    summary: 'Find first bit set or clear in a string',
    group: 'bitmap',
    since: '2.8.7',
    arity: -3,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: bitpos,
  },
  {
    name: 'bitop',
    syntax: 'BITOP <AND | OR | XOR | NOT> destkey key [key ...]',
    summary: 'Perform bitwise operations between strings',
    group: 'bitmap',
    since: '2.6.0',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: [2, -1, 1],
    run: bitop,
  },
];
