// Keyspace operations about keys rather than values: a key's expiry (EXPIRE family with its conditions,
// PERSIST, PTTL, EXPIRETIME; Redis's expire.c), the databases (DBSIZE, FLUSHDB, FLUSHALL, SWAPDB; db.c) and
// the counters INFO reports. Locks through access.ts. Knows no command syntax and no memory layout.

import type { TableAccess, WriteWork } from './access.js';
import { typeName, valueType, type TypeName } from './containers.js';
import { evictedKeys } from './eviction.js';
import { H_MEMORY_PEAK_F64, H_PROCESS_BASELINE } from './layout.js';
import type { Bytes, DatabaseStats, ExpireCondition, ExpireConditions, StoreStats } from './types.js';
import { setDeadlineLocked } from './values.js';
import { swapWatchesLocked, touchLocked } from './watch.js';

/**
 * Whether one condition lets a new deadline `at` replace `current` (0: none). expire.c expireGenericCommand:
 * no expiry counts as an infinite TTL for GT and LT.
 */
function allows(condition: ExpireCondition, current: number, at: number): boolean {
  switch (condition) {
    case 'NX':
      return current === 0;
    case 'XX':
      return current !== 0;
    case 'GT':
      return current !== 0 && at > current;
    case 'LT':
      return current === 0 || at < current;
  }
}

/** Applies `at` if every condition given holds, in one critical section (XX LT must not see a PERSIST between). */
export function expireAt(
  a: TableAccess,
  db: number,
  key: Bytes,
  at: number,
  conditions?: ExpireConditions,
): boolean {
  return a.writing(db, key, expireAtLocked, at, conditions);
}

const expireAtLocked: WriteWork<number, ExpireConditions | undefined, boolean> = (
  a,
  entry,
  shard,
  hash,
  _key,
  at,
  conditions,
) => {
  if (entry === 0) return false;
  const current = a.table.expireAt(entry);
  if (typeof conditions === 'string') {
    if (!allows(conditions, current, at)) return false;
  } else if (conditions !== undefined) {
    for (const condition of conditions) if (!allows(condition, current, at)) return false;
  }
  setDeadlineLocked(a, shard, entry, at);
  touchLocked(a, shard, hash);
  return true;
};

/** TYPE (db.c typeCommand: a lookup with LOOKUP_NOTOUCH): the value's type name, or none. */
export function type(a: TableAccess, db: number, key: Bytes): TypeName | 'none' {
  return a.reading(db, key, typeLocked);
}

function typeLocked(a: TableAccess, entry: number): TypeName | 'none' {
  return entry === 0 ? 'none' : typeName(valueType(a.table, entry));
}

export function persist(a: TableAccess, db: number, key: Bytes): boolean {
  return a.writing(db, key, persistLocked);
}

function persistLocked(a: TableAccess, entry: number, shard: number, hash: number): boolean {
  if (entry === 0 || a.table.expireAt(entry) === 0) return false;
  a.table.setExpireAt(shard, entry, 0);
  touchLocked(a, shard, hash);
  return true;
}

/** -2: no such key, -1: no expiry, else the absolute expiry in ms. */
export function expireTime(a: TableAccess, db: number, key: Bytes): number {
  return a.reading(db, key, expireTimeLocked);
}

function expireTimeLocked(a: TableAccess, entry: number): number {
  if (entry === 0) return -2;
  const at = a.table.expireAt(entry);
  return at === 0 ? -1 : at;
}

/** -2: no such key, -1: no expiry, else milliseconds left. */
export function pttl(a: TableAccess, db: number, key: Bytes): number {
  const at = expireTime(a, db, key);
  return at < 0 ? at : Math.max(0, at - a.clock());
}

/**
 * Keys stored in logical `db`, expired ones not yet removed included (as Redis's DBSIZE). Unlocked: a moment's
 * count, and the database table read without a lock (a SWAPDB meanwhile: either database's count).
 */
export function dbsize(a: TableAccess, db: number): number {
  const physical = Atomics.load(a.control, a.mapIndex(db));
  let keys = 0;
  for (let s = 0; s < a.segments; s++) keys += a.table.keyCount(a.table.shard(physical, s));
  return keys;
}

/**
 * FLUSHDB: empties logical `db` under every segment's write lock. When no other database holds a key, that is
 * FLUSHALL's reset (O(segments)); otherwise each of the database's shards is freed entry by entry.
 */
export function flushDb(a: TableAccess, db: number): number {
  return a.withAllSegments(true, (segments) => {
    const physical = a.physical(db);
    let removed = 0;
    for (const s of segments) removed += a.table.keyCount(a.table.shard(physical, s));
    let others = 0;
    for (let p = 0; p < a.databases && others === 0; p++) {
      if (p === physical) continue;
      for (const s of segments) others += a.table.keyCount(a.table.shard(p, s));
    }
    if (others === 0) resetLocked(a);
    else for (const s of segments) a.table.drop(a.table.shard(physical, s));
    return removed;
  });
}

/** FLUSHALL: every database empty, the arena's blocks all forgotten; the keys there were. */
export function flushAll(a: TableAccess): number {
  return a.withAllSegments(true, (segments) => {
    let removed = 0;
    for (let p = 0; p < a.databases; p++)
      for (const s of segments) removed += a.table.keyCount(a.table.shard(p, s));
    resetLocked(a);
    return removed;
  });
}

function resetLocked(a: TableAccess): void {
  a.arena.reset();
  a.table.resetShards();
}

/**
 * SWAPDB x y (db.c dbSwapDatabases): the two logical databases exchange contents, O(1) in keys: their entries
 * stay where they are and the logical -> physical table changes, under every segment's write lock, after the
 * watches of both are dealt with as Redis 7.0 does (watch.ts). Swapping a database with itself changes nothing.
 */
export function swapDb(a: TableAccess, x: number, y: number): void {
  if (x === y) return;
  a.withAllSegments(true, () => {
    swapWatchesLocked(a, a.physical(x), a.physical(y));
    a.swapPhysicalLocked(x, y);
  });
}

export function stats(a: TableAccess): StoreStats {
  let keys = 0;
  let expires = 0;
  let usedMemory = a.control.byteLength;
  let expiredKeys = 0;
  let freeInSegments = 0;
  for (let s = 0; s < a.segments; s++) {
    for (let p = 0; p < a.databases; p++) {
      keys += a.table.keyCount(a.table.shard(p, s));
      expires += a.table.expiresCount(a.table.shard(p, s));
    }
    usedMemory += a.arena.usedBytes(s);
    freeInSegments += a.arena.freeBytes(s);
    expiredKeys += a.table.expiredCount(s);
  }
  return {
    keys,
    expires,
    usedMemory,
    reservedMemory: a.arena.byteLength + a.control.byteLength,
    controlBytes: a.control.byteLength,
    arenaTouchedBytes: a.arena.touchedBytes(),
    arenaFreeSegmentBytes: freeInSegments,
    arenaFreeSharedBytes: a.arena.freeBytes(a.segments),
    expiredKeys,
    evictedKeys: evictedKeys(a),
    processBaselineBytes: a.control[H_PROCESS_BASELINE],
  };
}

/** used_memory now: the store's bytes and the process's baseline (INFO used_memory). */
function usedMemoryNow(a: TableAccess): number {
  return stats(a).usedMemory + a.control[H_PROCESS_BASELINE];
}

/**
 * The highest used_memory recorded (Redis's stat_peak_memory): a 64-bit integer any thread may raise (a CAS loop,
 * so two threads' peaks never overwrite each other with the lower one).
 */
function peakSlot(a: TableAccess): BigInt64Array {
  return new BigInt64Array(a.control.buffer, a.control.byteOffset + H_MEMORY_PEAK_F64 * 8, 1);
}

/** Raises the recorded peak to `used` if that is higher; returns the peak after. */
export function raiseMemoryPeak(a: TableAccess, used: number): number {
  const slot = peakSlot(a);
  const value = BigInt(Math.floor(used));
  let seen = Atomics.load(slot, 0);
  while (value > seen) {
    const before = Atomics.compareExchange(slot, 0, seen, value);
    if (before === seen) return used;
    seen = before;
  }
  return Number(seen);
}

/** MEMORY STATS peak.allocated, INFO used_memory_peak: the recorded peak, or used_memory now if it is higher. */
export function memoryPeak(a: TableAccess): number {
  return Math.max(Number(Atomics.load(peakSlot(a), 0)), usedMemoryNow(a));
}

/** serverCron's peak sample, and INFO's (any thread). */
export function recordMemoryPeak(a: TableAccess): void {
  raiseMemoryPeak(a, usedMemoryNow(a));
}

/**
 * The per-command sample (server.c call() records the peak after each command): the maxmemory check before a
 * command has just summed the arena (`arenaBytes`), so used_memory costs two additions here; the shared peak is
 * only touched when this thread sees a value above the highest it knows of (`known`). Returns the new `known`.
 */
export function notePeak(a: TableAccess, arenaBytes: number, known: number): number {
  const used = arenaBytes + a.control.byteLength + a.control[H_PROCESS_BASELINE];
  return used > known ? raiseMemoryPeak(a, used) : known;
}

/** INFO keyspace: the logical databases holding keys, in order. Unlocked, as dbsize. */
export function keyspace(a: TableAccess): DatabaseStats[] {
  const found: DatabaseStats[] = [];
  for (let db = 0; db < a.databases; db++) {
    const physical = Atomics.load(a.control, a.mapIndex(db));
    let keys = 0;
    let expires = 0;
    let indexBytes = 0;
    for (let s = 0; s < a.segments; s++) {
      keys += a.table.keyCount(a.table.shard(physical, s));
      expires += a.table.expiresCount(a.table.shard(physical, s));
      indexBytes += a.table.indexBytes(a.table.shard(physical, s));
    }
    if (keys > 0) found.push({ db, keys, expires, indexBytes });
  }
  return found;
}
