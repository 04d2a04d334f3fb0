// Operations over several keys at one instant, or one key in two databases: MGET, MSET/MSETNX, DEL, EXISTS, TOUCH,
// RENAME/RENAMENX, COPY, MOVE (Redis's t_string.c and db.c). Each runs its *Locked body holding the locks of
// all its keys' segments at once, taken in the lock order written in access.ts, so other threads see it happen
// all or nothing. Knows no command syntax and no memory layout.

import { CommandError, ERR } from '../errors.js';
import type { TableAccess, WriteWork } from './access.js';
import { isString } from './containers.js';
import type { Bytes } from './types.js';
import { duplicateKind, objectKind } from './objects.js';
import { cloneLocked, storeAllLocked } from './values.js';
import { touchLocked } from './watch.js';

/** `found`, when given, gets whether each key existed (of any type). */
export function mget(
  a: TableAccess,
  db: number,
  keys: readonly Bytes[],
  found?: boolean[],
): (Buffer | null)[] {
  return a.withKeys(db, keys, false, mgetLocked, found, undefined);
}

function mgetLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  keys: readonly Bytes[],
  found: boolean[] | undefined,
): (Buffer | null)[] {
  const values: (Buffer | null)[] = [];
  for (let i = 0; i < keys.length; i++) {
    const entry = a.lookupLocked(a.shardOf(db, hashes[i]), hashes[i], keys[i]);
    if (entry !== 0) a.table.touch(entry);
    found?.push(entry !== 0);
    // MGET answers nil for a key of another type, where the single-key reads say WRONGTYPE.
    values.push(entry === 0 || !isString(a.table, entry) ? null : a.table.valueBuffer(entry));
  }
  return values;
}

export function mset(
  a: TableAccess,
  db: number,
  keyValues: readonly Bytes[],
  onlyIfNoneExist: boolean,
): boolean {
  const keys = keyValues.filter((_, i) => i % 2 === 0);
  return a.withKeys(db, keys, true, msetLocked, keyValues, onlyIfNoneExist);
}

function msetLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  keys: readonly Bytes[],
  keyValues: readonly Bytes[],
  onlyIfNoneExist: boolean,
): boolean {
  const shards = hashes.map((hash) => a.shardOf(db, hash));
  const entries = keys.map((key, i) => a.findLiveLocked(shards[i], hashes[i], key));
  if (onlyIfNoneExist && entries.some((entry) => entry !== 0)) return false;
  // Redis writes the pairs in order, so a key given twice ends with its last value: write only that one (the
  // all-or-nothing store looks each key up once, before it writes any). MSET clears a TTL.
  const written = lastOccurrences(hashes, keys);
  storeAllLocked(
    a,
    written.map((i) => shards[i]),
    written.map((i) => hashes[i]),
    written.map((i) => keys[i]),
    written.map((i) => entries[i]),
    written.map((i) => keyValues[i * 2 + 1]),
  );
  for (let i = 0; i < hashes.length; i++) touchLocked(a, shards[i], hashes[i]);
  return true;
}

/** Indexes of the keys, in order, skipping any that appears again later. */
function lastOccurrences(hashes: readonly number[], keys: readonly Bytes[]): number[] {
  const all = keys.map((_, i) => i);
  if (new Set(hashes).size === hashes.length) return all; // distinct hashes: no key twice
  const kept = new Map<number, number[]>(); // hash -> indexes kept with it (several only on a collision)
  return all
    .reverse()
    .filter((i) => {
      const same = kept.get(hashes[i]);
      if (same === undefined) kept.set(hashes[i], [i]);
      else if (same.some((j) => Buffer.compare(keys[j], keys[i]) === 0)) return false;
      else same.push(i);
      return true;
    })
    .reverse();
}

export function del(a: TableAccess, db: number, keys: readonly Bytes[]): number {
  return a.withKeys(db, keys, true, delLocked);
}

function delLocked(a: TableAccess, db: number, hashes: number[], keys: readonly Bytes[]): number {
  let removed = 0;
  for (let i = 0; i < keys.length; i++) {
    const shard = a.shardOf(db, hashes[i]);
    const entry = a.findLiveLocked(shard, hashes[i], keys[i]);
    if (entry !== 0) {
      a.table.remove(shard, entry);
      touchLocked(a, shard, hashes[i]);
      removed++;
    }
  }
  return removed;
}

export function exists(a: TableAccess, db: number, keys: readonly Bytes[]): number {
  return a.withKeys(db, keys, false, existsLocked);
}

function existsLocked(a: TableAccess, db: number, hashes: number[], keys: readonly Bytes[]): number {
  let found = 0;
  for (let i = 0; i < keys.length; i++) {
    if (a.lookupLocked(a.shardOf(db, hashes[i]), hashes[i], keys[i]) !== 0) found++;
  }
  return found;
}

/**
 * TOUCH (db.c touchCommand: lookupKeyRead per key): which keys exist, each found one's access time (or LFU
 * counter) stamped as a read stamps it, at one instant under all their read locks.
 */
export function touch(a: TableAccess, db: number, keys: readonly Bytes[]): boolean[] {
  return a.withKeys(db, keys, false, touchKeysLocked);
}

function touchKeysLocked(a: TableAccess, db: number, hashes: number[], keys: readonly Bytes[]): boolean[] {
  const found: boolean[] = [];
  for (let i = 0; i < keys.length; i++) {
    const entry = a.lookupLocked(a.shardOf(db, hashes[i]), hashes[i], keys[i]);
    if (entry !== 0) a.table.touch(entry);
    found.push(entry !== 0);
  }
  return found;
}

export function rename(
  a: TableAccess,
  db: number,
  source: Bytes,
  destination: Bytes,
  onlyIfNew: boolean,
): 'ok' | 'missing' | 'exists' {
  return a.withKeys(db, [source, destination], true, renameLocked, onlyIfNew, undefined);
}

/** keys: [source, destination]. */
function renameLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  [source, destination]: readonly Bytes[],
  onlyIfNew: boolean,
): 'ok' | 'missing' | 'exists' {
  const [from, to] = [a.shardOf(db, hashes[0]), a.shardOf(db, hashes[1])];
  const entry = a.findLiveLocked(from, hashes[0], source);
  if (entry === 0) return 'missing';
  if (Buffer.compare(source, destination) === 0) return onlyIfNew ? 'exists' : 'ok'; // db.c renameGenericCommand
  const existing = a.findLiveLocked(to, hashes[1], destination);
  if (existing !== 0 && onlyIfNew) return 'exists';
  // Redis moves the object itself: its encoding, and its sharing, go with it.
  const created = cloneLocked(a, entry, to, hashes[1], destination, existing);
  if (isString(a.table, entry)) a.table.setObject(created, objectKind(a.table, entry));
  if (a.table.execArguments?.has(entry) === true) a.table.argumentStored(created);
  a.table.remove(from, entry);
  touchLocked(a, from, hashes[0]);
  touchLocked(a, to, hashes[1]);
  return 'ok';
}

/** COPY source (in logical `db`) to destination in logical `targetDb`. */
export function copy(
  a: TableAccess,
  db: number,
  source: Bytes,
  destination: Bytes,
  replace: boolean,
  targetDb: number,
): boolean {
  // db.c copyCommand checks "same object" before it even looks the source up.
  if (db === targetDb && Buffer.compare(source, destination) === 0) throw new CommandError(ERR.sameObject);
  return a.withKeys(db, [source, destination], true, copyLocked, replace, targetDb);
}

/** keys: [source, destination]. */
function copyLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  [source, destination]: readonly Bytes[],
  replace: boolean,
  targetDb: number,
): boolean {
  const entry = a.findLiveLocked(a.shardOf(db, hashes[0]), hashes[0], source);
  if (entry === 0) return false;
  const to = a.shardOf(targetDb, hashes[1]);
  const existing = a.findLiveLocked(to, hashes[1], destination);
  if (existing !== 0 && !replace) return false;
  const created = cloneLocked(a, entry, to, hashes[1], destination, existing);
  if (isString(a.table, entry)) a.table.setObject(created, duplicateKind(a.table, entry)); // dupStringObject
  touchLocked(a, to, hashes[1]);
  return true;
}

/**
 * MOVE key from logical `db` to `targetDb` (db.c moveCommand): false when the key is missing or already in the
 * target. The key's segment is the same in both databases, so one lock covers both, and the entry itself is
 * relinked: nothing is copied.
 */
export function move(a: TableAccess, db: number, key: Bytes, targetDb: number): boolean {
  if (db === targetDb) throw new CommandError(ERR.sameObject);
  return a.writing(db, key, moveLocked, targetDb);
}

const moveLocked: WriteWork<number, undefined, boolean> = (a, entry, shard, hash, key, targetDb) => {
  if (entry === 0) return false;
  const to = a.shardOf(targetDb, hash);
  if (a.findLiveLocked(to, hash, key) !== 0) return false;
  a.table.ensureIndex(to); // the one step that can fail (OOM): before anything changes
  a.table.relocate(shard, to, entry);
  touchLocked(a, shard, hash);
  touchLocked(a, to, hash);
  return true;
};
