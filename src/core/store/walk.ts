// Whole-database walks: KEYS, SCAN, RANDOMKEY of one logical database, and the active expiry cycle over every
// database. They visit buckets segment by segment, each under that segment's lock (KEYS: every segment's read
// lock at once, in ascending order, as the lock order in access.ts says), in the shard of the database walked.
// They know the table, the locks and the clock, not command syntax.

import { typeNumber, valueType } from './containers.js';
import { nextReverseCursor } from './reverse-cursor.js';
import { CommandError, ERR } from '../errors.js';
import { globMatch } from '../glob.js';
import type { TableAccess } from './access.js';
import { D_EXPIRES, D_KEYS, H_EXPIRE_BUCKET, H_EXPIRE_DB, H_EXPIRE_SEGMENT } from './layout.js';
import type { ExpireTally } from './table.js';
import type { Bytes, ScanResult } from './types.js';

const STAR = 0x2a;
/** Active expiry visits this many buckets per round, and repeats while many sampled keys were expired. */
const EXPIRE_BUCKETS_PER_ROUND = 1024;
const EXPIRE_MAX_ROUNDS = 8;

/**
 * This thread's xorshift32 state for the random picks below: an int32, which V8 keeps without boxing, where each
 * Math.random() returned a freshly allocated number (two per eviction at the cap, 6% of what the event loop
 * allocated under bench/eviction.ts's write load). Seeded once per thread.
 */
let randomState = Math.floor(Math.random() * 0x7fffffff) | 1;

/** A random integer in [0, n), for 0 < n <= 2^32: picks of segments, buckets and chain positions. */
export function randomBelow(n: number): number {
  let x = randomState;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  randomState = x;
  return (x >>> 0) % n;
}

/** KEYS (db.c keysCommand): expired keys are left out, not deleted (it checks keyIsExpired only). */
export function keysMatching(p: TableAccess, db: number, pattern: Bytes): Buffer[] {
  // db.c keysCommand: a lone "*" matches every key (even the empty one, which stringmatchlen would not).
  const all = pattern.length === 1 && pattern[0] === STAR;
  const now = p.clock();
  const found: Buffer[] = [];
  p.withAllSegments(false, (segments) => {
    const physical = p.physical(db);
    for (const segment of segments) {
      const shard = p.table.shard(physical, segment);
      const buckets = p.table.buckets(shard);
      for (let b = 0; b < buckets; b++)
        collectBucketLocked(p, shard, b, now, all ? null : pattern, found, null);
    }
  });
  return found;
}

/**
 * Appends the live keys of one bucket matching pattern (null: all); returns how many entries it saw. Expired
 * keys that match go to `expired` when given (SCAN deletes them afterwards), else are skipped.
 */
/** collectBucketLocked's type filter that keeps every key. */
const ANY_TYPE = -1;

function collectBucketLocked(
  p: TableAccess,
  shard: number,
  bucket: number,
  now: number,
  pattern: Bytes | null,
  out: Buffer[],
  expired: Buffer[] | null,
  type = ANY_TYPE,
): number {
  let seen = 0;
  for (let entry = p.table.bucketHead(shard, bucket); entry !== 0; entry = p.table.next(entry)) {
    seen++;
    const at = p.table.expireAt(entry);
    const live = at === 0 || now <= at;
    if (!live && expired === null) continue;
    if (type !== ANY_TYPE && live && valueType(p.table, entry) !== type) continue;
    const key = p.table.keyBuffer(entry);
    if (pattern !== null && !globMatch(pattern, key)) continue;
    if (live) out.push(key);
    else expired?.push(key);
  }
  return seen;
}

/**
 * The cursor is v * segments + segment: segments are visited in order, and within one the bucket position v
 * advances in reverse-binary order (Redis dict.c dictScan), so an index that doubles between two calls
 * neither skips a bucket nor forces a restart. 0 starts and ends an iteration. Matching keys found expired are
 * deleted, as scanGenericCommand's expireIfNeeded does, once their segment's lock is released.
 */
export function scanStep(
  p: TableAccess,
  db: number,
  cursor: string,
  count: number,
  match?: Bytes,
  type?: string,
): ScanResult {
  const wantedType = type === undefined ? ANY_TYPE : typeNumber(type);
  if (!/^[0-9]+$/.test(cursor)) throw new CommandError(ERR.invalidCursor);
  const value = BigInt(cursor);
  if (value >= 2n ** 64n) throw new CommandError(ERR.invalidCursor);
  let segment = Number(value % BigInt(p.segments));
  let v = Number((value / BigInt(p.segments)) & 0xffffffffn);
  const pattern = match === undefined || (match.length === 1 && match[0] === STAR) ? null : match;
  const wanted = Math.max(1, count);
  let budget = wanted * 10; // db.c: maxiterations = count * 10
  let seen = 0;
  const keys: Buffer[] = [];
  const expired: Buffer[] = [];
  const now = p.clock();
  try {
    while (budget > 0 && seen < wanted) {
      // A segment without keys of this database holds none that the iteration must return: skipped at no
      // cost. Redis sizes its dict to the keys (5 keys: 8 buckets, one call); our table starts at segments x
      // INITIAL_BUCKETS, and charging its empty buckets made a handful of keys take ~10 calls.
      if (keysInSegment(p, db, segment) === 0) {
        v = 0;
        if (++segment === p.segments) return { cursor: '0', keys };
        continue;
      }
      p.lockRead(segment);
      try {
        const shard = p.shardOf(db, segment);
        const mask = p.table.buckets(shard) - 1;
        do {
          seen += collectBucketLocked(p, shard, v & mask, now, pattern, keys, expired, wantedType);
          v = nextReverseCursor(v, mask);
          budget--;
        } while (v !== 0 && budget > 0 && seen < wanted);
      } finally {
        p.locks.readRelease(segment);
      }
      if (v === 0) {
        segment++;
        if (segment === p.segments) return { cursor: '0', keys };
      }
    }
    // Redis's dictScan ends at once on an empty table; here emptied segments keep their buckets, so stop as
    // soon as nothing is left to visit. Sound mid-segment too: a key present for the whole iteration is
    // counted in its segment now, and an empty segment has none.
    if (noKeysFrom(p, db, segment)) return { cursor: '0', keys };
    return { cursor: String(v * p.segments + segment), keys };
  } finally {
    for (const key of expired) p.deleteIfExpired(db, key);
  }
}

/** Keys of logical `db` in a segment, unlocked (a moment's count; the table read with Atomics). */
function keysInSegment(p: TableAccess, db: number, segment: number): number {
  return p.table.keyCount(p.table.shard(Atomics.load(p.control, p.mapIndex(db)), segment));
}

/** True when segments `from`..last hold no keys of `db` (expired ones not yet removed count as keys). */
function noKeysFrom(p: TableAccess, db: number, from: number): boolean {
  for (let s = from; s < p.segments; s++) if (keysInSegment(p, db, s) !== 0) return false;
  return true;
}

/** RANDOMKEY (db.c dbRandomKey): a random key of `db`; an expired one picked is deleted and another tried. */
export function randomLiveKey(p: TableAccess, db: number): Buffer | null {
  // Bounded: each failed try deletes an expired key, so this ends even when most keys are expired.
  for (let tries = 0; tries < 1000; tries++) {
    const segment = pickNonEmptySegment(p, db);
    if (segment < 0) return null;
    p.lockWrite(segment);
    try {
      const shard = p.shardOf(db, segment);
      const entry = randomEntryLocked(p, shard);
      if (entry === 0) continue;
      if (!p.isExpired(entry)) return p.table.keyBuffer(entry);
      if (!p.clientsPaused()) p.removeExpiredLocked(shard, entry); // kept while CLIENT PAUSE holds
    } finally {
      p.locks.writeRelease(segment);
    }
  }
  return null;
}

/**
 * A segment holding keys of logical `db` (with an expiry, when `volatile`), looked for from a random one on;
 * -1 when none does. Unlocked counts: a moment's picture (RANDOMKEY, eviction's sampling), so read as plain words
 * rather than with Atomics.load, a runtime call each on Node 20 (eviction calls this for every key it evicts).
 */
export function pickNonEmptySegment(p: TableAccess, db: number, volatile = false): number {
  const control = p.control;
  const physical = control[p.mapIndex(db)];
  const count = volatile ? D_EXPIRES : D_KEYS;
  const start = randomBelow(p.segments);
  for (let i = 0; i < p.segments; i++) {
    if (control[p.table.shard(physical, (start + i) & (p.segments - 1)) + count] > 0)
      return (start + i) & p.mask;
  }
  return -1;
}

/**
 * Lock held: a random entry of the shard (with an expiry, when `volatile`): the first bucket from a random one
 * that holds such entries, then one of them at random; 0 when there is none.
 */
export function randomEntryLocked(p: TableAccess, shard: number, volatile = false): number {
  const buckets = p.table.buckets(shard);
  const start = randomBelow(buckets);
  for (let i = 0; i < buckets; i++) {
    const head = p.table.bucketHead(shard, (start + i) & (buckets - 1));
    let length = 0;
    for (let e = head; e !== 0; e = p.table.next(e)) if (matchesPick(p, e, volatile)) length++;
    if (length === 0) continue;
    let skip = randomBelow(length);
    for (let e = head; e !== 0; e = p.table.next(e))
      if (matchesPick(p, e, volatile) && skip-- === 0) return e;
  }
  return 0;
}

/** randomEntryLocked's filter, a function of its own (a closure there was made per pick: one per eviction). */
function matchesPick(p: TableAccess, entry: number, volatile: boolean): boolean {
  return !volatile || p.table.expireAt(entry) !== 0;
}

/**
 * One bounded step of active expiry: walks buckets from a cursor shared by all threads (segment, physical
 * database, bucket), skipping segments and shards with no volatile keys, deleting expired entries under each
 * segment's write lock (briefly: one round is EXPIRE_BUCKETS_PER_ROUND buckets). Like Redis's activeExpireCycle it repeats while more than 10% of the
 * volatile keys it saw had expired (Redis's acceptable stale share), up to EXPIRE_MAX_ROUNDS.
 */
export function activeExpireStep(p: TableAccess, report?: ExpireStepReport): number {
  const now = p.clock();
  // CLIENT PAUSE holds the dataset still: no step at all (activeExpireCycle returns before its figures change).
  if (p.clientsPaused()) return -1;
  let removed = 0;
  let sampled = 0;
  let capReached = true;
  for (let round = 0; round < EXPIRE_MAX_ROUNDS; round++) {
    const tally: ExpireTally = { expired: 0, volatile: 0 };
    expireRound(p, now, tally);
    removed += tally.expired;
    sampled += tally.volatile;
    if (tally.expired * 10 <= tally.volatile || tally.volatile === 0) {
      capReached = false;
      break;
    }
  }
  if (report !== undefined) {
    report.sampled = sampled;
    report.expired = removed;
    report.capReached = capReached;
  }
  return removed;
}

/** What one step saw (INFO expired_stale_perc, expired_time_cap_reached_count). */
export interface ExpireStepReport {
  /** Keys with a TTL it looked at, and how many of them it removed as expired. */
  sampled: number;
  expired: number;
  /** It stopped at EXPIRE_MAX_ROUNDS with expired keys still above 10% (Redis: its time limit was reached). */
  capReached: boolean;
}

function expireRound(p: TableAccess, now: number, tally: ExpireTally): void {
  let segment = Atomics.load(p.control, H_EXPIRE_SEGMENT) & (p.segments - 1);
  let db = Atomics.load(p.control, H_EXPIRE_DB);
  let bucket = Atomics.load(p.control, H_EXPIRE_BUCKET);
  if (db < 0 || db >= p.databases) db = bucket = 0;
  let budget = EXPIRE_BUCKETS_PER_ROUND;
  for (let segmentsSeen = 0; budget > 0 && segmentsSeen <= p.segments; segmentsSeen++) {
    if (p.table.segmentVolatile(segment) > 0) {
      p.lockWrite(segment);
      try {
        for (; db < p.databases && budget > 0; db++, bucket = 0) {
          const shard = p.table.shard(db, segment);
          if (p.table.expiresCount(shard) === 0) continue;
          const buckets = p.table.buckets(shard);
          for (; bucket < buckets && budget > 0; bucket++, budget--) {
            p.table.removeExpiredInBucket(shard, bucket, now, tally, p.reportExpired);
          }
          if (bucket < buckets) break; // budget spent mid-shard: resume here next time
        }
      } finally {
        p.locks.writeRelease(segment);
      }
      if (db < p.databases) break; // budget spent mid-segment
    }
    segment = (segment + 1) & (p.segments - 1);
    db = bucket = 0;
  }
  Atomics.store(p.control, H_EXPIRE_SEGMENT, segment);
  Atomics.store(p.control, H_EXPIRE_DB, db);
  Atomics.store(p.control, H_EXPIRE_BUCKET, bucket);
}
