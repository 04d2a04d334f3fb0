// Writing values into entries, with the caller holding the key's segment write lock: store a whole value
// (in place when the block fits) or several all or nothing (MSET), resize one (APPEND/SETRANGE, with sds-like
// slack), clone one (RENAME/COPY), set or clear a deadline. Knows the entry format through the table; no locking, no command semantics.

import { CommandError, ERR } from '../errors.js';
import type { TableAccess } from './access.js';
import { cloneValue, hasExternalBlocks, isString, setContainerObject } from './containers.js';
import { H_MAX_VALUE, LRU_MASK, OBJ_AS_SET, UNIT } from './layout.js';
import { copyIntoShared } from './shared-copy.js';
import type { Bytes } from './types.js';

/** The largest value a store accepts by default (proto-max-bulk-len), also the cap of resize slack. */
export const DEFAULT_MAX_VALUE = 512 * 1024 * 1024;

/** An expiry argument of storeLocked: keep the entry's current deadline (INCR, SET KEEPTTL). */
export const KEEP_TTL = 'keep';

export function writeBytes(a: TableAccess, at: number, bytes: Uint8Array): void {
  copyIntoShared(a.arena.u8, at, bytes);
}

/**
 * Stores value under key (entry: its live entry or 0) with expiry `at` (0: none, KEEP_TTL: the entry's
 * current one), in place when the block fits. Returns the entry now holding it, a new object encoded as a
 * value set whole (OBJ_AS_SET).
 */
export function storeLocked(
  a: TableAccess,
  shard: number,
  hash: number,
  key: Bytes,
  entry: number,
  value: Bytes,
  expiry: number | typeof KEEP_TTL,
): number {
  const t = a.table;
  const at = expiry !== KEEP_TTL ? expiry : entry === 0 ? 0 : t.expireAt(entry);
  if (entry !== 0 && fitsInPlace(a, entry, value.length)) {
    writeBytes(a, t.valueStart(entry), value);
    t.setValueLength(entry, value.length);
    t.setExpireAt(shard, entry, at);
    t.setObject(entry, OBJ_AS_SET);
    return entry;
  }
  const created = t.newEntry(shard, hash, key, value.length, value.length);
  writeBytes(a, t.valueStart(created), value);
  if (entry !== 0) t.replace(shard, entry, created, at);
  else t.insert(shard, created, at);
  return created;
}

/**
 * Stores a container's whole value (a listpack, an intset, or a new root of an external encoding) under key
 * (entry: its live entry or 0), keeping an existing entry's expiry, as a new object of this type and encoding
 * (containers.ts). Returns the entry now holding it. If the entry's current value has blocks of its own they
 * are freed, so an external encoding changes a root it keeps by writing its bytes in place instead.
 */
export function storeContainerLocked(
  a: TableAccess,
  shard: number,
  hash: number,
  key: Bytes,
  entry: number,
  value: Bytes,
  type: number,
  encoding: number,
): number {
  const stored = storeLocked(a, shard, hash, key, entry, value, KEEP_TTL);
  setContainerObject(a.table, stored, type, encoding);
  return stored;
}

/**
 * MSET's store of several keys at once (no key twice; entries[i]: keys[i]'s live entry in shards[i], or 0), clearing any
 * TTL, all or nothing. Allocating is the only step that can fail (OOM), so it comes first: every block that
 * will not fit in place is taken before anything is written, and if one is refused those already taken are
 * given back and the error goes on with no key changed. Writing and linking then allocate nothing that can
 * fail (Table.insert grows its index only when there is room). Like Redis, which refuses a denyoom command
 * whole before running it; the cost is a peak of the new blocks plus the old ones they replace.
 */
export function storeAllLocked(
  a: TableAccess,
  shards: readonly number[],
  hashes: readonly number[],
  keys: readonly Bytes[],
  entries: readonly number[],
  values: readonly Bytes[],
): void {
  const t = a.table;
  const created: number[] = [];
  try {
    for (let i = 0; i < keys.length; i++) {
      const length = values[i].length;
      const fits = entries[i] !== 0 && fitsInPlace(a, entries[i], length);
      created.push(fits ? 0 : t.newEntry(shards[i], hashes[i], keys[i], length, length));
    }
  } catch (error) {
    for (let i = 0; i < created.length; i++) {
      if (created[i] !== 0) a.arena.free(t.segmentOf(shards[i]), created[i], t.blockUnits(created[i]));
    }
    throw error;
  }
  // From here on, storeLocked's writes with the blocks already in hand (newEntry gave each shard its index).
  for (let i = 0; i < keys.length; i++) {
    const shard = shards[i];
    const entry = entries[i];
    if (created[i] === 0) {
      writeBytes(a, t.valueStart(entry), values[i]);
      t.setValueLength(entry, values[i].length);
      t.setObject(entry, OBJ_AS_SET);
      t.argumentStored(entry);
      t.setExpireAt(shard, entry, 0);
      continue;
    }
    writeBytes(a, t.valueStart(created[i]), values[i]);
    if (entry !== 0) t.replace(shard, entry, created[i], 0);
    else t.insert(shard, created[i], 0);
    t.argumentStored(created[i]);
  }
}

/** Whether a value of `length` bytes is written into entry's own block. */
function fitsInPlace(a: TableAccess, entry: number, length: number): boolean {
  // A container with blocks of its own is replaced (Table.replace frees them), never overwritten.
  if (hasExternalBlocks(a.table, entry)) return false;
  return a.table.valueCapacity(entry) >= length && !oversized(a, entry, length);
}

/** A block more than twice what a value needs is given back rather than reused in place. */
function oversized(a: TableAccess, entry: number, valueLength: number): boolean {
  const needed = Math.ceil((32 + a.table.keyLength(entry) + valueLength) / UNIT);
  return a.table.blockUnits(entry) > needed * 2 + 8;
}

/**
 * Makes entry's value `length` bytes long, keeping its first `keep` bytes and zero-filling the rest, growing
 * the block (with slack, as sds does: double below 1 MiB, else +1 MiB) when needed. Returns the entry.
 */
export function resizeLocked(
  a: TableAccess,
  shard: number,
  key: Bytes,
  entry: number,
  keep: number,
  length: number,
): number {
  const t = a.table;
  if (t.valueCapacity(entry) >= length) {
    const start = t.valueStart(entry);
    if (length > keep) a.arena.u8.fill(0, start + keep, start + length);
    t.setValueLength(entry, length);
    return entry;
  }
  const capacity = Math.max(
    length,
    Math.min(length < 1 << 20 ? length * 2 : length + (1 << 20), DEFAULT_MAX_VALUE),
  );
  const created = t.newEntry(shard, t.hashOf(entry), key, length, capacity);
  const from = t.valueStart(entry);
  const to = t.valueStart(created);
  const u8 = a.arena.u8;
  u8.copyWithin(to, from, from + keep);
  if (length > keep) u8.fill(0, to + keep, to + length);
  t.replace(shard, entry, created, t.expireAt(entry));
  return created;
}

/**
 * Puts a copy of `source` (any shard, locked) under key in `shard` (existing: key's live entry there, or 0),
 * with source's expiry. Returns the new entry. A container's copy has the source's type and encoding; a
 * string's object header is the caller's to set (OBJ_AS_SET until then).
 */
export function cloneLocked(
  a: TableAccess,
  source: number,
  shard: number,
  hash: number,
  key: Bytes,
  existing: number,
): number {
  const t = a.table;
  const length = t.valueLength(source);
  const created = t.newEntry(shard, hash, key, length, length);
  const from = t.valueStart(source);
  a.arena.u8.copyWithin(t.valueStart(created), from, from + length);
  if (!isString(t, source)) {
    // A container keeps its type and encoding, and gets blocks of its own if its encoding has any.
    t.newObject(created, t.objectWord(source) & ~LRU_MASK);
    try {
      cloneValue(t, t.segmentOf(shard), created);
    } catch (error) {
      a.arena.free(t.segmentOf(shard), created, t.blockUnits(created)); // its root is still the source's
      throw error;
    }
  }
  if (existing !== 0) t.replace(shard, existing, created, t.expireAt(source));
  else t.insert(shard, created, t.expireAt(source));
  return created;
}

/** Sets a live entry's deadline; one not in the future deletes the key (expire.c checkAlreadyExpired). */
export function setDeadlineLocked(a: TableAccess, shard: number, entry: number, at: number): void {
  if (at <= a.clock()) a.table.remove(shard, entry);
  else a.table.setExpireAt(shard, entry, at);
}

/** A value may not grow past proto-max-bulk-len (shared, so CONFIG SET reaches every thread). */
export function checkLength(a: TableAccess, total: number): void {
  if (total > Atomics.load(a.control, H_MAX_VALUE)) throw new CommandError(ERR.stringTooLong);
}
