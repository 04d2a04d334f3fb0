// The store's bit operations: SETBIT, GETBIT, BITCOUNT, BITPOS, BITFIELD (one key) and BITOP (a destination and
// its sources at one instant), with Redis 7.0's semantics (bitops.c). Reads run on the value in place under the
// read lock; writes edit it in place under the write lock, growing it zero-filled as lookupStringForBitCommand
// does, and call touchLocked where Redis calls signalModifiedKey. The algorithms are bitmap.ts's. Knows no
// command syntax.

import { WrongTypeError } from '../errors.js';
import { isString, requireString } from './containers.js';
import type { TableAccess, WriteWork } from './access.js';
import {
  bitCount as countBits,
  bitFieldRead,
  bitFieldWrite,
  bitOperation,
  bitPos as findBit,
  type BitFieldOp,
  type BitOperation,
  type BitRange,
} from './bitmap.js';
import { H_MAX_VALUE, OBJ_RAW } from './layout.js';
import type { Bytes } from './types.js';
import { resizeLocked, storeLocked } from './values.js';
import { touchLocked } from './watch.js';

/** proto-max-bulk-len as the store applies it (shared by every thread). */
export function maxValueBytes(a: TableAccess): number {
  return Atomics.load(a.control, H_MAX_VALUE);
}

/**
 * lookupStringForBitCommand under the write lock: the key's entry made at least `bytes` long (created zero-filled
 * if missing) and raw (dbUnshareStringValue). Returns the entry, whether it was created and whether it grew.
 */
function bitStringLocked(
  a: TableAccess,
  entry: number,
  shard: number,
  hash: number,
  key: Bytes,
  bytes: number,
): { entry: number; created: boolean; grew: boolean } {
  requireString(a.table, entry);
  // No length check: the command has checked the offset, and a field of up to 64 bits there may end a few bytes
  // past proto-max-bulk-len, which Redis allows.
  if (entry === 0) {
    const created = a.table.newEntry(shard, hash, key, bytes, bytes);
    const start = a.table.valueStart(created);
    a.arena.u8.fill(0, start, start + bytes);
    a.table.insert(shard, created, 0);
    a.table.setObject(created, OBJ_RAW);
    return { entry: created, created: true, grew: true };
  }
  const length = a.table.valueLength(entry);
  if (bytes > length) entry = resizeLocked(a, shard, key, entry, length, bytes);
  a.table.setObject(entry, OBJ_RAW);
  return { entry, created: false, grew: bytes > length };
}

export interface SetBitResult {
  readonly previous: 0 | 1;
  /** The key was made. */
  readonly created: boolean;
  /** Made, grown or the bit flipped: Redis signals the key and publishes `setbit`. */
  readonly changed: boolean;
}

export function setBit(a: TableAccess, db: number, key: Bytes, offset: number, on: 0 | 1): SetBitResult {
  return a.writing(db, key, setBitLocked, offset, on);
}

const setBitLocked: WriteWork<number, 0 | 1, SetBitResult> = (a, entry, shard, hash, key, offset, on) => {
  const byte = Math.floor(offset / 8);
  const made = bitStringLocked(a, entry, shard, hash, key, byte + 1);
  const at = a.table.valueStart(made.entry) + byte;
  const u8 = a.arena.u8;
  const bit = 7 - (offset % 8);
  const previous = ((u8[at] >> bit) & 1) as 0 | 1;
  const changed = made.grew || previous !== on;
  if (changed) {
    u8[at] = (u8[at] & ~(1 << bit)) | (on << bit);
    touchLocked(a, shard, hash);
  }
  return { previous, created: made.created, changed };
};

/** GETBIT: null for a missing key. */
export function getBit(a: TableAccess, db: number, key: Bytes, offset: number): 0 | 1 | null {
  return a.reading(db, key, getBitLocked, offset, undefined);
}

function getBitLocked(a: TableAccess, entry: number, offset: number): 0 | 1 | null {
  if (entry === 0) return null;
  requireString(a.table, entry);
  a.table.touch(entry);
  const byte = Math.floor(offset / 8);
  if (byte >= a.table.valueLength(entry)) return 0;
  return ((a.arena.u8[a.table.valueStart(entry) + byte] >> (7 - (offset % 8))) & 1) as 0 | 1;
}

/** BITCOUNT of the whole value (range null) or a range: null for a missing key. */
export function bitCount(a: TableAccess, db: number, key: Bytes, range: BitRange | null): number | null {
  return a.reading(db, key, bitCountLocked, range, undefined);
}

function bitCountLocked(a: TableAccess, entry: number, range: BitRange | null): number | null {
  if (entry === 0) return null;
  requireString(a.table, entry);
  a.table.touch(entry);
  return countBits(a.table.valueView(entry), range);
}

/** BITPOS: null for a missing key. */
export function bitPos(
  a: TableAccess,
  db: number,
  key: Bytes,
  bit: 0 | 1,
  range: BitRange | null,
): number | null {
  return a.reading(db, key, bitPosLocked, bit, range);
}

function bitPosLocked(a: TableAccess, entry: number, bit: 0 | 1, range: BitRange | null): number | null {
  if (entry === 0) return null;
  requireString(a.table, entry);
  a.table.touch(entry);
  return findBit(a.table.valueView(entry), bit, range);
}

export interface BitFieldResult {
  /** One per operation: a GET's, SET's or INCRBY's integer, or null where OVERFLOW FAIL refused a write. */
  readonly replies: (bigint | null)[];
  /** Read-only: whether the key existed (a read lookup). */
  readonly found: boolean;
  readonly created: boolean;
  /** A write stored something new (or made or grew the key): Redis signals the key and publishes `setbit`. */
  readonly changed: boolean;
  /** The writes that stored something new (or made or grew the key): bitfieldGeneric's `changes`. */
  readonly changes: number;
}

/**
 * BITFIELD: only GETs (or nothing) read the key; any SET or INCRBY makes the key reach the highest bit written
 * first, then the operations run in order.
 */
export function bitField(a: TableAccess, db: number, key: Bytes, ops: readonly BitFieldOp[]): BitFieldResult {
  let highest = -1;
  for (const op of ops) if (op.op !== 'get') highest = Math.max(highest, op.offset + op.bits - 1);
  if (highest < 0) return a.reading(db, key, bitFieldReadLocked, ops, undefined);
  return a.writing(db, key, bitFieldLocked, ops, Math.floor(highest / 8) + 1);
}

function bitFieldReadLocked(a: TableAccess, entry: number, ops: readonly BitFieldOp[]): BitFieldResult {
  requireString(a.table, entry);
  if (entry !== 0) a.table.touch(entry);
  const value = entry === 0 ? new Uint8Array(0) : a.table.valueView(entry);
  return {
    replies: ops.map((op) => bitFieldRead(value, op)),
    found: entry !== 0,
    created: false,
    changed: false,
    changes: 0,
  };
}

const bitFieldLocked: WriteWork<readonly BitFieldOp[], number, BitFieldResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  ops,
  bytes,
) => {
  const made = bitStringLocked(a, entry, shard, hash, key, bytes);
  const value = a.table.valueView(made.entry);
  let changes = 0;
  const replies = ops.map((op) => {
    if (op.op === 'get') return bitFieldRead(value, op);
    const { reply, changed } = bitFieldWrite(value, op);
    if (reply !== null && (made.grew || changed)) changes++;
    return reply;
  });
  if (changes > 0) touchLocked(a, shard, hash);
  return { replies, found: entry !== 0, created: made.created, changed: changes > 0, changes };
};

export interface BitOpResult {
  /** The destination's new length (0: it was deleted, or stays missing). */
  readonly length: number;
  /** Per source: whether it was found (a read lookup each). */
  readonly found: boolean[];
  /** Whether the destination existed before. */
  readonly existed: boolean;
}

/** BITOP op destination source...: the sources and the destination locked together (the lock order: access.ts). */
export function bitOp(
  a: TableAccess,
  db: number,
  op: BitOperation,
  destination: Bytes,
  sources: readonly Bytes[],
): BitOpResult {
  return a.withKeys(db, [destination, ...sources], true, bitOpLocked, op, undefined);
}

function bitOpLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  keys: readonly Bytes[],
  op: BitOperation,
): BitOpResult {
  const found: boolean[] = [];
  const values: Uint8Array[] = [];
  for (let i = 1; i < keys.length; i++) {
    const entry = a.findLiveLocked(a.shardOf(db, hashes[i]), hashes[i], keys[i]);
    // bitopCommand's lookupKeyRead of each source, counted up to the refused one.
    if (entry !== 0 && !isString(a.table, entry)) throw new WrongTypeError(keys.slice(1, i), found);
    found.push(entry !== 0);
    values.push(entry === 0 ? new Uint8Array(0) : a.table.valueView(entry));
  }
  const result = bitOperation(op, values); // a copy: the views are not used after this
  const shard = a.shardOf(db, hashes[0]);
  const entry = a.findLiveLocked(shard, hashes[0], keys[0]);
  if (result.length > 0) {
    // setKey: the whole value replaced, its TTL cleared; createObject(OBJ_STRING, ...) is raw.
    a.table.setObject(storeLocked(a, shard, hashes[0], keys[0], entry, result, 0), OBJ_RAW);
    touchLocked(a, shard, hashes[0]);
  } else if (entry !== 0) {
    a.table.remove(shard, entry);
    touchLocked(a, shard, hashes[0]);
  }
  return { length: result.length, found, existed: entry !== 0 };
}
