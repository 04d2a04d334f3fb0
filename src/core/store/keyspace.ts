// Keyspace operations about keys rather than values: a key's expiry (EXPIRE family with its conditions,
// PERSIST, PTTL, EXPIRETIME; Redis's expire.c), the key count, FLUSHALL and the counters INFO reports. Locks
// through access.ts. Knows no command syntax and no memory layout.

import type { TableAccess, WriteWork } from './access.js';
import type { Bytes, ExpireCondition, ExpireConditions, StoreStats } from './types.js';
import { setDeadlineLocked } from './values.js';
import { touchLocked } from './watch.js';

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
export function expireAt(a: TableAccess, key: Bytes, at: number, conditions?: ExpireConditions): boolean {
  return a.writing(key, expireAtLocked, at, conditions);
}

const expireAtLocked: WriteWork<number, ExpireConditions | undefined, boolean> = (
  a,
  entry,
  segment,
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
  setDeadlineLocked(a, segment, entry, at);
  touchLocked(a, segment, hash);
  return true;
};

export function persist(a: TableAccess, key: Bytes): boolean {
  return a.writing(key, persistLocked);
}

function persistLocked(a: TableAccess, entry: number, segment: number, hash: number): boolean {
  if (entry === 0 || a.table.expireAt(entry) === 0) return false;
  a.table.setExpireAt(segment, entry, 0);
  touchLocked(a, segment, hash);
  return true;
}

/** -2: no such key, -1: no expiry, else the absolute expiry in ms. */
export function expireTime(a: TableAccess, key: Bytes): number {
  return a.reading(key, expireTimeLocked);
}

function expireTimeLocked(a: TableAccess, entry: number): number {
  if (entry === 0) return -2;
  const at = a.table.expireAt(entry);
  return at === 0 ? -1 : at;
}

/** -2: no such key, -1: no expiry, else milliseconds left. */
export function pttl(a: TableAccess, key: Bytes): number {
  const at = expireTime(a, key);
  return at < 0 ? at : Math.max(0, at - a.clock());
}

/** Keys stored, expired ones not yet removed included (as Redis's DBSIZE). Unlocked: a moment's count. */
export function dbsize(a: TableAccess): number {
  let keys = 0;
  for (let s = 0; s < a.segments; s++) keys += a.table.keyCount(s);
  return keys;
}

export function flush(a: TableAccess): void {
  a.withAllSegments(true, (segments) => {
    a.arena.reset();
    for (const segment of segments) a.table.initSegment(segment);
  });
}

export function stats(a: TableAccess): StoreStats {
  let keys = 0;
  let expires = 0;
  let usedMemory = a.control.byteLength;
  let expiredKeys = 0;
  for (let s = 0; s < a.segments; s++) {
    keys += a.table.keyCount(s);
    expires += a.table.expiresCount(s);
    usedMemory += a.arena.usedBytes(s);
    expiredKeys += a.table.expiredCount(s);
  }
  return {
    keys,
    expires,
    usedMemory,
    reservedMemory: a.arena.byteLength + a.control.byteLength,
    expiredKeys,
  };
}
