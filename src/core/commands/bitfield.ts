// BITFIELD and BITFIELD_RO (redis.io/commands/bitfield; Redis 7.0's bitops.c bitfieldGeneric): every operation is
// parsed (and refused) before the key is looked at; then only GETs read the key (a keyspace hit or miss), while
// any SET or INCRBY makes it (`new`) or grows it to the highest bit written, and `setbit` is published once when a
// write changed something. Knows no locks: the store runs all the operations at one instant.

import { parseInt64, toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR, WrongTypeError } from '../errors.js';
import { markChanged } from '../dirty.js';
import { NOTIFY_NEW, NOTIFY_STRING, notifyKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { array, integer, NIL, type Reply } from '../reply.js';
import type { BitFieldOp, Overflow } from '../store/bitmap.js';
import type { BitFieldResult } from '../store/bits.js';
import { bitOffset, cString, isWord, looked } from './bitmap.js';

const BAD_TYPE =
  'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63 (the width read as a C string). */
function fieldType(arg: Buffer): { signed: boolean; bits: number } {
  const signed = arg[0] === 0x69; /* i */
  if (!signed && arg[0] !== 0x75 /* u */) throw new CommandError(BAD_TYPE);
  const bits = parseInt64(cString(arg.subarray(1)));
  if (bits === null || bits < 1n || bits > (signed ? 64n : 63n)) throw new CommandError(BAD_TYPE);
  return { signed, bits: Number(bits) };
}

function parseOps(argv: Buffer[], ctx: CommandContext): BitFieldOp[] {
  const ops: BitFieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const word = argv[j];
    let op: BitFieldOp['op'];
    if (isWord(word, 'GET') && left >= 2) op = 'get';
    else if (isWord(word, 'SET') && left >= 3) op = 'set';
    else if (isWord(word, 'INCRBY') && left >= 3) op = 'incrby';
    else if (isWord(word, 'OVERFLOW') && left >= 1) {
      const kind = argv[++j];
      if (isWord(kind, 'WRAP')) overflow = 'wrap';
      else if (isWord(kind, 'SAT')) overflow = 'sat';
      else if (isWord(kind, 'FAIL')) overflow = 'fail';
      else throw new CommandError('ERR Invalid OVERFLOW type specified');
      continue;
    } else throw new CommandError(ERR.syntax);
    const { signed, bits } = fieldType(argv[j + 1]);
    const offset = bitOffset(ctx, argv[j + 2], bits);
    const value = op === 'get' ? 0n : toBigInt(argv[j + 3]);
    ops.push({ op, signed, bits, offset, value, overflow });
    j += op === 'get' ? 2 : 3;
  }
  return ops;
}

/**
 * bitfieldGeneric looks the key up with lookupKeyRead when every operation is a GET (a key of another type is
 * then a keyspace hit: WrongTypeError tells the executor), else with lookupKeyWrite (nothing counted).
 */
function readOrWrite(ctx: CommandContext, key: Buffer, ops: BitFieldOp[], writes: boolean): BitFieldResult {
  try {
    return ctx.store.bitField(key, ops);
  } catch (e) {
    if (!writes && e instanceof CommandError && e.code === 'WRONGTYPE') throw new WrongTypeError([], []);
    throw e;
  }
}

function bitfield(argv: Buffer[], ctx: CommandContext, readOnly: boolean): Reply {
  const ops = parseOps(argv, ctx);
  const writes = ops.some((op) => op.op !== 'get');
  if (writes && readOnly) throw new CommandError('ERR BITFIELD_RO only supports the GET subcommand');
  const key = argv[1];
  const result = readOrWrite(ctx, key, ops, writes);
  if (!writes) looked(ctx, key, result.found);
  markChanged(ctx, result.changes);
  if (result.created) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', key);
  if (result.changed) notifyKeyspaceEvent(ctx, NOTIFY_STRING, 'setbit', key);
  return array(result.replies.map((r) => (r === null ? NIL : integer(r))));
}

/**
 * db.c bitfieldGetKeys: whether the line only reads its key (GETs and OVERFLOWs up to its end), for COMMAND
 * GETKEYSANDFLAGS. A SET, an INCRBY or anything it cannot read (a syntax error) counts as a write.
 */
function onlyReads(argv: readonly Buffer[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    const left = argv.length - i - 1;
    if (isWord(argv[i], 'GET') && left >= 2) i += 2;
    else if (isWord(argv[i], 'OVERFLOW') && left >= 1) i += 1;
    else return false;
  }
  return true;
}

export const bitfieldCommands: readonly CommandSpec[] = [
  {
    name: 'bitfield',
    syntax:
      'BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> ...]]',
    summary: 'Perform arbitrary bitfield integer operations on strings',
    group: 'bitmap',
    since: '3.2.0',
    arity: -2,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    keyFlagsOf: (argv) => (onlyReads(argv) ? ['RO', 'access'] : ['RW', 'access', 'update']),
    run: (argv, ctx) => bitfield(argv, ctx, false),
  },
  {
    name: 'bitfield_ro',
    syntax: 'BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]',
    summary: 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD',
    group: 'bitmap',
    since: '6.0.0',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    run: (argv, ctx) => bitfield(argv, ctx, true),
  },
];
