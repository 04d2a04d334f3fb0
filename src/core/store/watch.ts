// WATCH's view of the keyspace (Redis's multi.c, across threads). Redis marks every client watching a key
// when a command modifies it (signalModifiedKey -> touchWatchedKey); here the watchers may be on other threads,
// so WATCH registers the key's hash and physical database in its segment's registry (layout.ts) and a
// modification bumps the version of a registered (hash, database), under the segment's write lock the writer
// already holds; EXEC compares versions. Knows the registry's layout; no command syntax, no client state.
//
// What counts as a change, as Redis 7.0 decides it:
// - a write that modifies the key: every store operation calls touchLocked where Redis calls signalModifiedKey
//   (a SET NX that did not set, a DEL of a missing key, a PERSIST of a key without a TTL touch nothing);
// - a key that was live at WATCH and is missing or expired at EXEC (isWatchedKeyExpired, and the deletion of
//   an expired or flushed key: FLUSHDB/FLUSHALL only dirty watchers of keys that existed). So expiry and
//   flushes need no stamps of their own, and a key already expired when watched may be deleted silently;
// - SWAPDB (touchAllWatchedKeysInDb both ways): watchers stay with their database's number, so a registered
//   (hash, database) follows the physical database its logical one now maps to; and a watch is dirtied when
//   the database swapped in holds the key live. That and the rule above give 7.0's outcome in every case: a key
//   live at WATCH is dirtied by any swap (afterwards it is missing or expired, unless the swapped-in database
//   held it live), one missing or expired at WATCH only when the swapped-in database holds it live.
// Where the two differ, a watched key reads as changed when it was not: when another key with the same full
// 32-bit hash was written (one in 2^32), or when more than WATCH_SLOTS distinct keys of one segment are watched
// at once and the others share the segment's overflow version. A false abort is EXEC answering null with
// nothing applied, which a WATCH retry loop absorbs; a missed change cannot happen.

import type { TableAccess } from './access.js';
import {
  H_WATCHING,
  W_FIRST_SLOT,
  W_OVERFLOW_VERSION,
  W_OVERFLOW_WATCHERS,
  W_SLOT_INTS,
  WATCH_SLOTS,
  watchRegistry,
} from './layout.js';
import type { Bytes } from './types.js';

/** What WATCH saw of one key. Opaque to the caller: pass it back to the functions below. */
export interface KeyWatch {
  readonly hash: number;
  /** Int index of the version this watch follows: its slot's, or the segment's overflow version. */
  readonly versionAt: number;
  readonly version: number;
  /** Present and not expired when watched. */
  readonly live: boolean;
}

// Slot words, from the slot's first int.
const SLOT_HASH = 0;
const SLOT_DB = 1;
const SLOT_WATCHERS = 2;
const SLOT_VERSION = 3;

/**
 * Write lock of the key's segment held: the key, in the shard's database, was modified (its hash is also noted
 * for client-side caching, when this thread keeps them: TableAccess.touched). Costs one load while nobody
 * watches anything; otherwise a scan of the segment's WATCH_SLOTS slots. Plain ints: the segment lock
 * orders every access.
 */
export function touchLocked(a: TableAccess, shard: number, hash: number): void {
  a.touched?.note(hash);
  const control = a.control;
  // A plain read (Atomics.load is a runtime call on Node 20, and this runs for every write): the segment lock
  // orders it after a WATCH's count, which comes before that WATCH takes the lock (countWatcher).
  if (control[H_WATCHING] === 0) return;
  const registry = watchRegistry(a.segments, a.table.segmentOf(shard));
  const db = a.table.physicalOf(shard);
  for (let slot = registry + W_FIRST_SLOT, i = 0; i < WATCH_SLOTS; i++, slot += W_SLOT_INTS) {
    if (
      control[slot + SLOT_WATCHERS] !== 0 &&
      control[slot + SLOT_HASH] === (hash | 0) &&
      control[slot + SLOT_DB] === db
    ) {
      control[slot + SLOT_VERSION]++;
    }
  }
  if (control[registry + W_OVERFLOW_WATCHERS] !== 0) control[registry + W_OVERFLOW_VERSION]++;
}

/**
 * SWAPDB of physical databases x and y, every segment's write lock held, before the logical table changes:
 * a watch of either is dirtied if the other holds its key live, then follows its logical database to the
 * other physical one. The overflow's keys are unknown, so an overflow with watchers is dirtied (a false abort
 * the README documents).
 */
export function swapWatchesLocked(a: TableAccess, x: number, y: number): void {
  const control = a.control;
  if (Atomics.load(control, H_WATCHING) === 0) return;
  const now = a.clock();
  for (let segment = 0; segment < a.segments; segment++) {
    const registry = watchRegistry(a.segments, segment);
    for (let slot = registry + W_FIRST_SLOT, i = 0; i < WATCH_SLOTS; i++, slot += W_SLOT_INTS) {
      const db = control[slot + SLOT_DB];
      if (control[slot + SLOT_WATCHERS] === 0 || (db !== x && db !== y)) continue;
      const other = db === x ? y : x;
      if (a.table.hasLiveHash(a.table.shard(other, segment), control[slot + SLOT_HASH] >>> 0, now)) {
        control[slot + SLOT_VERSION]++;
      }
      control[slot + SLOT_DB] = other;
    }
    if (control[registry + W_OVERFLOW_WATCHERS] !== 0) control[registry + W_OVERFLOW_VERSION]++;
  }
}

/**
 * A client starts (+1) or stops (-1) watching keys. Counted before its first watchKey: a writer holding the
 * key's lock then either finished before WATCH read the key or sees the count and bumps the version.
 */
export function countWatcher(a: TableAccess, delta: 1 | -1): void {
  Atomics.add(a.control, H_WATCHING, delta);
}

/**
 * WATCH one key of logical database `db`: registers its hash and physical database in its segment (write lock)
 * and notes its version and liveness (keyIsExpired: an expired key is not deleted here, as in Redis).
 */
export function watchKey(a: TableAccess, db: number, key: Bytes): KeyWatch {
  const hash = a.hash(key);
  const segment = hash & a.mask;
  a.lockWrite(segment);
  try {
    const shard = a.shardOf(db, hash);
    const versionAt = registerLocked(a, shard, hash);
    const live = a.findReadableLocked(shard, hash, key) !== 0;
    return { hash, versionAt, version: a.control[versionAt], live };
  } finally {
    a.locks.writeRelease(segment);
  }
}

/**
 * The slot already following this hash in this database, else a free one, else the segment's overflow; one
 * watcher more.
 */
function registerLocked(a: TableAccess, shard: number, hash: number): number {
  const control = a.control;
  const registry = watchRegistry(a.segments, a.table.segmentOf(shard));
  const db = a.table.physicalOf(shard);
  let free = -1;
  for (let slot = registry + W_FIRST_SLOT, i = 0; i < WATCH_SLOTS; i++, slot += W_SLOT_INTS) {
    if (control[slot + SLOT_WATCHERS] === 0) {
      if (free < 0) free = slot;
    } else if (control[slot + SLOT_HASH] === (hash | 0) && control[slot + SLOT_DB] === db) {
      control[slot + SLOT_WATCHERS]++;
      return slot + SLOT_VERSION;
    }
  }
  if (free < 0) {
    control[registry + W_OVERFLOW_WATCHERS]++;
    return registry + W_OVERFLOW_VERSION;
  }
  // The slot's version carries on from its last key: a watcher compares against what it read, never zero.
  control[free + SLOT_HASH] = hash;
  control[free + SLOT_DB] = db;
  control[free + SLOT_WATCHERS] = 1;
  return free + SLOT_VERSION;
}

/**
 * Whether a watched key of logical database `db` (the one it was watched in) changed since watchKey.
 * Precondition: the key's segment is locked (EXEC: all are).
 */
export function watchedKeyChangedLocked(a: TableAccess, db: number, key: Bytes, watched: KeyWatch): boolean {
  if (a.control[watched.versionAt] !== watched.version) return true;
  return watched.live && a.findReadableLocked(a.shardOf(db, watched.hash), watched.hash, key) === 0;
}

/**
 * Whether the watched key's slot was written since WATCH (Redis's CLIENT_DIRTY_CAS, CLIENT LIST flags=d): the
 * version alone, no lock needed for a figure that is shown, not acted on. EXEC decides with watchedKeyChangedLocked.
 */
export function watchedKeyTouched(a: TableAccess, watched: KeyWatch): boolean {
  return Atomics.load(a.control, watched.versionAt) !== watched.version;
}

/** Gives up one watch (UNWATCH, EXEC, DISCARD, a closed client). Precondition: the key's segment write lock. */
export function unwatchKeyLocked(a: TableAccess, watched: KeyWatch): void {
  // versionAt - SLOT_VERSION + SLOT_WATCHERS is the slot's watcher count; for the overflow pair, its watchers.
  const watchers =
    watched.versionAt === watchRegistry(a.segments, watched.hash & a.mask) + W_OVERFLOW_VERSION
      ? watched.versionAt - W_OVERFLOW_VERSION + W_OVERFLOW_WATCHERS
      : watched.versionAt - SLOT_VERSION + SLOT_WATCHERS;
  a.control[watchers]--;
}

/** unwatchKeyLocked, taking the segment's write lock. */
export function unwatchKey(a: TableAccess, watched: KeyWatch): void {
  const segment = watched.hash & a.mask;
  a.lockWrite(segment);
  try {
    unwatchKeyLocked(a, watched);
  } finally {
    a.locks.writeRelease(segment);
  }
}
