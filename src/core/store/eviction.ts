// Redis as a cache (evict.c performEvictions): while the store holds more than its limit, keys are sampled and the
// best candidate by the policy is deleted, until it holds less. Candidates collect in an eviction pool of 16 kept
// by idle score (LRU: seconds idle; LFU: 255 - counter; TTL: how soon it expires), so each round's samples add to
// what earlier rounds found. The pool is this thread's own (Redis has one; here every thread evicts for itself,
// with no lock beyond one segment's at a time: a sample under its segment's read lock, a deletion under its write
// lock), so eviction never stalls the other threads. The settings live in the control buffer (layout.ts), so a
// CONFIG SET on any thread reaches every thread's next command.

import type { TableAccess } from './access.js';
import {
  H_EVICTION_TENACITY,
  H_LFU_DECAY_TIME,
  H_LFU_LOG_FACTOR,
  H_LFU_MINUTES,
  H_LRU_CLOCK,
  H_MAXMEMORY_F64,
  H_MAXMEMORY_POLICY,
  H_MAXMEMORY_SAMPLES,
  LRU_MASK,
  POLICY_ALLKEYS_LFU,
  POLICY_ALLKEYS_LRU,
  POLICY_ALLKEYS_RANDOM,
  POLICY_NOEVICTION,
  POLICY_VOLATILE_LFU,
  POLICY_VOLATILE_LRU,
  POLICY_VOLATILE_RANDOM,
  POLICY_VOLATILE_TTL,
  S_EVICTED,
  segmentBase,
} from './layout.js';
import { lfuDecayed } from './lfu.js';
import { pickNonEmptySegment, randomEntryLocked } from './walk.js';
import { touchLocked } from './watch.js';

/** maxmemory-policy names, by POLICY_* number (redis.conf order). */
export const POLICY_NAMES = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
] as const;

export type PolicyName = (typeof POLICY_NAMES)[number];

/** The eviction settings, under Redis's config names. */
export interface EvictionSettings {
  readonly maxmemory: number;
  readonly 'maxmemory-policy': PolicyName;
  readonly 'maxmemory-samples': number;
  readonly 'maxmemory-eviction-tenacity': number;
  readonly 'lfu-log-factor': number;
  readonly 'lfu-decay-time': number;
}

export const DEFAULT_EVICTION_SETTINGS: EvictionSettings = {
  maxmemory: 0,
  'maxmemory-policy': 'noeviction',
  'maxmemory-samples': 5,
  'maxmemory-eviction-tenacity': 10,
  'lfu-log-factor': 10,
  'lfu-decay-time': 1,
};

const INT32_MAX = 2 ** 31 - 1;
const clampInt = (n: number): number => Math.max(0, Math.min(INT32_MAX, Math.trunc(n)));

export function setEvictionSettings(control: Int32Array, settings: Partial<EvictionSettings>): void {
  const f64 = new Float64Array(control.buffer, 0, H_MAXMEMORY_F64 + 1); // rare: a view made per call
  for (const [name, value] of Object.entries(settings) as [keyof EvictionSettings, number | string][]) {
    if (name === 'maxmemory') f64[H_MAXMEMORY_F64] = Number(value);
    else if (name === 'maxmemory-policy') {
      Atomics.store(control, H_MAXMEMORY_POLICY, POLICY_NAMES.indexOf(value as PolicyName));
    } else if (name === 'maxmemory-samples')
      Atomics.store(control, H_MAXMEMORY_SAMPLES, clampInt(Number(value)));
    else if (name === 'maxmemory-eviction-tenacity') {
      Atomics.store(control, H_EVICTION_TENACITY, clampInt(Number(value)));
    } else if (name === 'lfu-log-factor') Atomics.store(control, H_LFU_LOG_FACTOR, clampInt(Number(value)));
    else if (name === 'lfu-decay-time') Atomics.store(control, H_LFU_DECAY_TIME, clampInt(Number(value)));
  }
}

/** maxmemory in bytes, 0 for none: read before every command, through the thread's Float64 view of control. */
export function maxmemoryOf(a: TableAccess): number {
  return a.controlF64[H_MAXMEMORY_F64];
}

export function policyOf(control: Int32Array): number {
  return Atomics.load(control, H_MAXMEMORY_POLICY);
}

/** Bytes in use in the arena, every segment together (what maxmemory caps, with the caller's overhead). */
export function arenaUsedBytes(a: TableAccess): number {
  let used = 0;
  for (let s = 0; s < a.segments; s++) used += a.arena.usedBytes(s);
  return used;
}

/** Keys evicted, every segment together (INFO evicted_keys). */
export function evictedKeys(a: TableAccess): number {
  let evicted = 0;
  for (let s = 0; s < a.segments; s++) evicted += a.controlF64[(segmentBase(s) + S_EVICTED) / 2];
  return evicted;
}

/** Evictions between two walks of the shard counts for the databases holding keys. */
const DATABASES_REFRESH = 256;

/** evict.c EVPOOL_SIZE. */
const POOL_SIZE = 16;

interface Candidate {
  score: number;
  db: number;
  /** The key's full hash (E_HASH): compared before the key's bytes. */
  hash: number;
  key: Buffer;
}

/** What one performEvictions did: the keys it deleted, and whether the store is now under its limit. */
export interface EvictionOutcome {
  /** Logical database and key of each key evicted, in order (keyspace `evicted` events). */
  readonly evicted: { db: number; key: Buffer }[];
  /** 'ok': under the limit (or none set); 'running': time ran out first; 'fail': nothing left to evict. */
  readonly status: 'ok' | 'running' | 'fail';
}

const NOTHING: EvictionOutcome = Object.freeze({ evicted: [], status: 'ok' });
/** noeviction over the limit: the same answer for every command until memory is freed. */
const REFUSED: EvictionOutcome = Object.freeze({ evicted: [], status: 'fail' });

/** One thread's evictor: its eviction pool and round-robin database cursor for the random policies. */
export class Evictor {
  private readonly pool: Candidate[] = [];
  private nextDb = 0;
  private known: number[] = [];
  private knownVolatile = false;
  private refreshIn = 0;

  /**
   * performEvictions: deletes keys by the policy until the arena holds at most `limit` bytes, within the time
   * maxmemory-eviction-tenacity allows. No lock may be held by the caller.
   */
  run(a: TableAccess, limit: number, now: () => number = performanceNow): EvictionOutcome {
    if (arenaUsedBytes(a) <= limit) return NOTHING;
    const policy = policyOf(a.control);
    if (policy === POLICY_NOEVICTION) return REFUSED;
    const evicted: { db: number; key: Buffer }[] = [];
    const budget = timeLimitMs(Atomics.load(a.control, H_EVICTION_TENACITY));
    const started = now();
    const volatile = policy >= POLICY_VOLATILE_LRU;
    while (arenaUsedBytes(a) > limit) {
      let victim = this.evictOne(a, policy, this.databases(a, volatile, false));
      // Nothing found where keys were: look again at which databases hold keys before giving up.
      if (victim === null) victim = this.evictOne(a, policy, this.databases(a, volatile, true));
      if (victim === null) return { evicted, status: 'fail' };
      evicted.push(victim);
      if (evicted.length % 16 === 0 && now() - started > budget) {
        return { evicted, status: arenaUsedBytes(a) > limit ? 'running' : 'ok' };
      }
    }
    return { evicted, status: 'ok' };
  }

  /**
   * The databases holding keys the policy may evict: found by walking every shard's count, so kept for
   * DATABASES_REFRESH evictions (a database filled meanwhile by another thread waits that long to be sampled).
   */
  private databases(a: TableAccess, volatile: boolean, refresh: boolean): readonly number[] {
    if (refresh || this.knownVolatile !== volatile || --this.refreshIn <= 0) {
      this.known = databasesWithKeys(a, volatile);
      this.knownVolatile = volatile;
      this.refreshIn = DATABASES_REFRESH;
    }
    return this.known;
  }

  /** Finds and deletes the next key by the policy; null when none of `databases` holds one it may evict. */
  private evictOne(a: TableAccess, policy: number, databases: readonly number[]): Candidate | null {
    const volatile = policy >= POLICY_VOLATILE_LRU;
    if (policy === POLICY_ALLKEYS_RANDOM || policy === POLICY_VOLATILE_RANDOM) {
      for (let i = 0; i < databases.length; i++) {
        const db = databases[this.nextDb++ % databases.length];
        const candidate = sampleOne(a, db, volatile, policy);
        if (candidate !== null && deleteVictim(a, candidate, volatile)) return candidate;
      }
      return null;
    }
    for (let attempt = 0; attempt < 16; attempt++) {
      let sampled = 0;
      for (const db of databases) sampled += this.fillPool(a, db, policy, volatile);
      if (sampled === 0 && this.pool.length === 0) return null;
      // The best candidate is the last; one gone meanwhile (deleted by another client) is skipped.
      while (this.pool.length > 0) {
        const best = this.pool.pop() as Candidate;
        if (deleteVictim(a, best, volatile)) return best;
      }
    }
    return null;
  }

  /**
   * evictionPoolPopulate: maxmemory-samples keys of `db` into the pool, taken as dict.c dictGetSomeKeys takes them:
   * from consecutive buckets of one random segment, under one read lock. Returns how many were sampled.
   */
  private fillPool(a: TableAccess, db: number, policy: number, volatile: boolean): number {
    const samples = Math.max(1, Atomics.load(a.control, H_MAXMEMORY_SAMPLES));
    const segment = pickNonEmptySegment(a, db, volatile);
    if (segment < 0) return 0;
    let sampled = 0;
    a.lockRead(segment);
    try {
      const table = a.table;
      const shard = a.shardOf(db, segment);
      const buckets = table.buckets(shard);
      let bucket = Math.floor(Math.random() * buckets);
      for (let visited = 0; visited < buckets && sampled < samples; visited++) {
        for (let e = table.bucketHead(shard, bucket); e !== 0 && sampled < samples; e = table.next(e)) {
          if (volatile && table.expireAt(e) === 0) continue;
          sampled++;
          const score = scoreOf(a, e, policy);
          // Copying the key out is most of a sample's cost: only for one that would enter the pool.
          if (this.pool.length === POOL_SIZE && score <= this.pool[0].score) continue;
          this.offer({ score, db, hash: table.hashOf(e), key: table.keyBuffer(e) });
        }
        bucket = (bucket + 1) & (buckets - 1);
      }
    } finally {
      a.locks.readRelease(segment);
    }
    return sampled;
  }

  /** Keeps the pool sorted by score, best (highest) last, at most POOL_SIZE, each key once. */
  private offer(candidate: Candidate): void {
    const pool = this.pool;
    if (pool.length === POOL_SIZE && candidate.score <= pool[0].score) return;
    for (const c of pool) {
      if (c.hash === candidate.hash && c.db === candidate.db && c.key.equals(candidate.key)) return;
    }
    let at = pool.length;
    while (at > 0 && pool[at - 1].score > candidate.score) at--;
    pool.splice(at, 0, candidate);
    if (pool.length > POOL_SIZE) pool.shift();
  }
}

const performanceNow = (): number => performance.now();

/** evict.c evictionTimeLimitUs, in ms: 50 us per tenacity step up to 10, then +15% a step, 100 unlimited. */
function timeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return (50 * tenacity) / 1000;
  if (tenacity < 100) return (500 * 1.15 ** (tenacity - 10)) / 1000;
  return Infinity;
}

/** The random policies' pick: a random key of `db` (with a TTL if volatile), read under its segment's lock; null if none. */
function sampleOne(a: TableAccess, db: number, volatile: boolean, policy: number): Candidate | null {
  const segment = pickNonEmptySegment(a, db, volatile);
  if (segment < 0) return null;
  a.lockRead(segment);
  try {
    const shard = a.shardOf(db, segment);
    const entry = randomEntryLocked(a, shard, volatile);
    if (entry === 0) return null;
    return {
      score: scoreOf(a, entry, policy),
      db,
      hash: a.table.hashOf(entry),
      key: a.table.keyBuffer(entry),
    };
  } finally {
    a.locks.readRelease(segment);
  }
}

/** The idle score evict.c ranks by: higher goes first. */
function scoreOf(a: TableAccess, entry: number, policy: number): number {
  const bits = a.table.objectWord(entry) & LRU_MASK;
  if (policy === POLICY_ALLKEYS_LRU || policy === POLICY_VOLATILE_LRU) {
    const clock = a.control[H_LRU_CLOCK];
    return clock >= bits ? clock - bits : clock + (LRU_MASK - bits); // estimateObjectIdleTime
  }
  if (policy === POLICY_ALLKEYS_LFU || policy === POLICY_VOLATILE_LFU) {
    return 255 - lfuDecayed(bits, a.control[H_LFU_MINUTES], a.control[H_LFU_DECAY_TIME]);
  }
  if (policy === POLICY_VOLATILE_TTL) return -a.table.expireAt(entry);
  return 0;
}

/** Logical databases holding keys (with a TTL if volatile), read without locks: a moment's picture. */
function databasesWithKeys(a: TableAccess, volatile: boolean): number[] {
  const out: number[] = [];
  for (let db = 0; db < a.databases; db++) {
    const physical = Atomics.load(a.control, a.mapIndex(db));
    for (let segment = 0; segment < a.segments; segment++) {
      const shard = a.table.shard(physical, segment);
      if ((volatile ? a.table.expiresCount(shard) : a.table.keyCount(shard)) > 0) {
        out.push(db);
        break;
      }
    }
  }
  return out;
}

/** Deletes the victim under its segment's write lock if it is still there (and still volatile if it must be). */
function deleteVictim(a: TableAccess, victim: Candidate, volatile: boolean): boolean {
  return a.writing(victim.db, victim.key, (access, entry, shard, hash) => {
    if (entry === 0 || (volatile && access.table.expireAt(entry) === 0)) return false;
    access.table.remove(shard, entry);
    access.table.countEvicted(shard);
    access.evictedHook?.(victim.db, victim.key);
    touchLocked(access, shard, hash); // a WATCH on it fails, as for any deletion
    return true;
  });
}
