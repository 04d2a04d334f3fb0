// Redis as a cache (evict.c performEvictions): while the store holds more than its limit, keys are sampled and the
// best candidate by the policy is deleted, until it holds less. Candidates collect in an eviction pool of 16 kept
// by idle score (LRU: seconds idle; LFU: 255 - counter; TTL: how soon it expires), so each round's samples add to
// what earlier rounds found. The pool is this thread's own (Redis has one; here every thread evicts for itself,
// with no lock beyond one segment's at a time: a sample under its segment's lock, a deletion under its write
// lock, both at once when the best candidate is in the segment just sampled), so eviction never stalls the other
// threads. The settings live in the control buffer (layout.ts), so a CONFIG SET on any thread reaches every
// thread's next command. What one eviction costs in CPU: bench/eviction-cost.ts.

import type { TableAccess } from './access.js';
import type { Table } from './table.js';
import {
  D_EXPIRES,
  D_INDEX,
  D_KEYS,
  D_MASK,
  E_OBJECT,
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
  S_USED_BYTES,
  SEGMENT_INTS,
  segmentBase,
} from './layout.js';
import { EvictionPool } from './eviction-pool.js';
import { lfuDecayed } from './lfu.js';
import { oneIfSet, warmChains } from './warm-chains.js';
import { pickNonEmptySegment, randomBelow, randomEntryLocked } from './walk.js';
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

/**
 * The eviction settings are read as plain words, not with Atomics.load (a runtime call each on Node 20, for every
 * command at the cap): CONFIG SET writes each with Atomics.store, and a command a moment after reads it.
 */
export function policyOf(control: Int32Array): number {
  return control[H_MAXMEMORY_POLICY];
}

/** Float64 index of segment 0's byte counter, and the distance between two segments' counters. */
const USED_BYTES_F64 = (segmentBase(0) + S_USED_BYTES) / 2;
const SEGMENT_F64 = SEGMENT_INTS / 2;

/**
 * Bytes in use in the arena, every segment together (what maxmemory caps, with the caller's overhead). Read before
 * every command once maxmemory is set: one strided walk of the segments' counters in the control buffer, ~40 ns
 * for 64 segments where a call per segment through Arena.usedBytes took ~250 ns (bench/eviction-cost.ts).
 */
export function arenaUsedBytes(a: TableAccess): number {
  const f64 = a.controlF64;
  let used = 0;
  for (let s = 0, at = USED_BYTES_F64; s < a.segments; s++, at += SEGMENT_F64) used += f64[at];
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

/**
 * Samples picked, and their memory warmed, ahead of the evictions that take them (Evictor.warmAhead). A sample's
 * reads are a chain of cache misses (the bucket's word, the head's header, the next entry's), a random place in
 * the arena each; one eviction at a time, the next sample's chain only starts once the last eviction is done. The
 * evictions at the cap run in batches (BATCH_BYTES), so the chains of this many samples are started together and
 * wait on memory at once, and the samples then read their lines from the cache.
 */
const AHEAD = 16;
/**
 * Buckets of a sample's walk whose words are warmed, and the chains among them whose entries are: a sample of five
 * keys reads five to seven chains, but eviction empties runs of buckets around where it sampled, so the walk to
 * them is longer than the index's load factor (0.5 to 1) says: over 8 buckets for 44% of samples at a 64mb cap,
 * over 32 for 4% (measured on a store held at the cap by 200,000 SETs).
 */
const AHEAD_BUCKETS = 32;
/** The most chains warmed per pick: maxmemory-samples of them (each gives a sample one key or more), up to this. */
const AHEAD_HEADS = 16;

/** What one performEvictions did: the keys it deleted, and whether the store is now under its limit. */
export interface EvictionOutcome {
  /**
   * Logical database and key of each key evicted, in order (keyspace `evicted` events); left empty when the
   * caller said it does not want them.
   */
  readonly evicted: { db: number; key: Buffer }[];
  /** 'ok': under the limit (or none set); 'running': time ran out first; 'fail': nothing left to evict. */
  readonly status: 'ok' | 'running' | 'fail';
  /**
   * Over the limit, when the eviction cycle began (performance.now()): the latency monitor times its
   * eviction-cycle event to the check's end, only while it is on. Absent under the limit.
   */
  readonly cycleStarted?: number;
}

const NOTHING: EvictionOutcome = Object.freeze({ evicted: [], status: 'ok' });
/** noeviction over the limit: the same answer for every command until memory is freed. */
const REFUSED: EvictionOutcome = Object.freeze({ evicted: [], status: 'fail' });
/** The evicted list when keys are not wanted: never added to. */
const NO_KEYS: { db: number; key: Buffer }[] = [];

/**
 * Once over the limit, eviction goes on down to this far below it (at most 1% of the limit): the evictions then run
 * back to back, the pool, the code and the lines they touch still in cache, and the next commands find the store
 * under the limit with one sum of the counters. Redis stops at the limit; the cap holds either way, and the share
 * of memory given up is too small to move the hit rate (bench/eviction.ts, bench/eviction-cost.ts).
 */
const BATCH_BYTES = 16 * 1024;

/** One thread's evictor: its eviction pool and round-robin database cursor for the random policies. */
export class Evictor {
  private readonly pool = new EvictionPool();
  private nextDb = 0;
  private known: number[] = [];
  private knownVolatile = false;
  private refreshIn = 0;
  /** fillPool's sampled entries. */
  private sampled = new Uint32Array(16);
  /** Samples picked ahead (see AHEAD): logical database, segment and a random number for the first bucket. */
  private readonly aheadDb = new Int32Array(AHEAD);
  private readonly aheadSegment = new Int32Array(AHEAD);
  private readonly aheadRandom = new Uint32Array(AHEAD);
  /** Each pick's index: its first word and its mask, read when it was picked (warming only). */
  private readonly aheadIndex = new Int32Array(AHEAD);
  private readonly aheadMask = new Int32Array(AHEAD);
  private readonly aheadVolatile = new Uint8Array(AHEAD);
  private aheadNext = 0;
  private aheadCount = 0;
  /** Entries found while warming, whose headers are read next. */
  private readonly warmed = new Uint32Array(AHEAD * (AHEAD_HEADS + 1));
  /** What warming read, kept so the reads are not optimized away. */
  private sink = 0;
  /** The running call's evicted keys, and whether its caller wants them. */
  private evicted: { db: number; key: Buffer }[] = [];
  private keysWanted = true;
  /** What fillPool freed by evicting the best candidate under the lock it sampled under; -1: it did not. */
  private freedInFill = -1;
  /** The arena's bytes in use that the last run() found before evicting anything (the peak samples it). */
  checkedBytes = 0;
  /** When the running cycle started, on its clock. */
  private started = 0;
  /** The outcome without keys, refilled for each cycle: one at the cap allocates nothing (bench/eviction.ts). */
  private readonly keyless: {
    evicted: { db: number; key: Buffer }[];
    status: EvictionOutcome['status'];
    cycleStarted: number;
  } = {
    evicted: NO_KEYS,
    status: 'ok',
    cycleStarted: 0,
  };

  /**
   * performEvictions: deletes keys by the policy until the arena holds at most `limit` bytes (and then on, down to
   * BATCH_BYTES below it), within the time maxmemory-eviction-tenacity allows. No lock may be held by the caller.
   * Without `keysWanted` (no `evicted` event is published), the outcome lists no keys and none is copied out for it.
   */
  run(a: TableAccess, limit: number, keysWanted = true, now: () => number = performanceNow): EvictionOutcome {
    let used = arenaUsedBytes(a);
    this.checkedBytes = used;
    if (used <= limit) return NOTHING;
    // isSafeToPerformEvictions: while CLIENT PAUSE holds, nothing is evicted and nothing refused for memory.
    if (a.clientsPaused()) return NOTHING;
    const policy = policyOf(a.control);
    if (policy === POLICY_NOEVICTION) return REFUSED;
    this.evicted = keysWanted ? [] : NO_KEYS;
    this.keysWanted = keysWanted;
    const target = limit - Math.max(0, Math.min(BATCH_BYTES, limit / 100)); // no batch under a limit below 0
    const budget = timeLimitMs(a.control[H_EVICTION_TENACITY]); // a setting: see policyOf
    const started = now();
    this.started = started;
    const volatile = policy >= POLICY_VOLATILE_LRU;
    for (let count = 1; ; count++) {
      let freed = this.evictOne(a, policy, this.databases(a, volatile, false));
      // Nothing found where keys were: look again at which databases hold keys before giving up.
      if (freed < 0) freed = this.evictOne(a, policy, this.databases(a, volatile, true));
      // Nothing left to evict: a failure only while over the limit itself.
      if (freed < 0) return this.outcome(arenaUsedBytes(a) <= limit ? 'ok' : 'fail');
      // As evict.c counts what each deletion freed instead of asking the allocator again: the counters are summed
      // again only once the count says the target is reached, for what other threads wrote meanwhile.
      used -= freed;
      if (used <= target) {
        used = arenaUsedBytes(a);
        if (used <= target) return this.outcome('ok');
      }
      if (count % 16 === 0 && now() - started > budget) {
        return this.outcome(arenaUsedBytes(a) > limit ? 'running' : 'ok');
      }
    }
  }

  /** The running call's outcome: with its keys, or one of the frozen answers when they were not wanted. */
  private outcome(status: EvictionOutcome['status']): EvictionOutcome {
    if (this.keysWanted) return { evicted: this.evicted, status, cycleStarted: this.started };
    this.keyless.status = status;
    this.keyless.cycleStarted = this.started;
    return this.keyless;
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

  /** Finds and deletes the next key by the policy: the bytes that freed, or -1 when `databases` hold none to evict. */
  private evictOne(a: TableAccess, policy: number, databases: readonly number[]): number {
    const volatile = policy >= POLICY_VOLATILE_LRU;
    if (policy === POLICY_ALLKEYS_RANDOM || policy === POLICY_VOLATILE_RANDOM) {
      for (let i = 0; i < databases.length; i++) {
        const freed = this.evictRandom(a, databases[this.nextDb++ % databases.length], volatile);
        if (freed >= 0) return freed;
      }
      return -1;
    }
    const pool = this.pool;
    const last = databases.length - 1;
    for (let attempt = 0; attempt < 16; attempt++) {
      let sampled = 0;
      for (let i = 0; i <= last; i++) {
        sampled += this.fillPool(a, databases[i], policy, volatile, i === last);
        if (this.freedInFill >= 0) return this.freedInFill;
      }
      if (sampled === 0 && pool.size === 0) return -1;
      // The best candidate is the last; one gone meanwhile (deleted by another client) is skipped.
      while (pool.size > 0) {
        const freed = this.evictCandidate(a, pool.pop(), volatile);
        if (freed >= 0) return freed;
      }
    }
    return -1;
  }

  /**
   * evictionPoolPopulate: maxmemory-samples keys of `db` into the pool, taken as dict.c dictGetSomeKeys takes them:
   * from consecutive buckets of one random segment, under one lock. Returns how many were sampled. For the last
   * database sampled (`evictHere`), the lock is the write lock, and when the pool's best candidate is then in this
   * segment (often: just sampled) it is evicted before the lock is released, saving a second lock and a second walk
   * to it (freedInFill says what that freed).
   */
  private fillPool(
    a: TableAccess,
    db: number,
    policy: number,
    volatile: boolean,
    evictHere: boolean,
  ): number {
    this.freedInFill = -1;
    const samples = Math.max(1, a.control[H_MAXMEMORY_SAMPLES]); // a setting: see policyOf
    if (this.aheadNext >= this.aheadCount) this.warmAhead(a, db, volatile);
    let segment = -1;
    let random = 0;
    const next = this.aheadNext;
    // The pick made ahead for this database, unless its segment has since lost its keys.
    if (
      next < this.aheadCount &&
      this.aheadDb[next] === db &&
      this.aheadVolatile[next] === (volatile ? 1 : 0)
    ) {
      this.aheadNext++;
      segment = this.aheadSegment[next];
      random = this.aheadRandom[next];
      if (a.control[a.shardOf(db, segment) + (volatile ? D_EXPIRES : D_KEYS)] <= 0) segment = -1;
    }
    if (segment < 0) {
      segment = pickNonEmptySegment(a, db, volatile);
      random = randomBelow(2 ** 32);
    }
    if (segment < 0) return 0;
    const pool = this.pool;
    if (this.sampled.length < samples) this.sampled = new Uint32Array(samples);
    const found = this.sampled;
    let sampled = 0;
    if (evictHere) a.lockWrite(segment);
    else a.lockRead(segment);
    try {
      const table = a.table;
      const shard = a.shardOf(db, segment);
      sampled = table.sample(shard, random & (table.buckets(shard) - 1), samples, volatile, found);
      for (let i = 0; i < sampled; i++) {
        const score = scoreOf(a, found[i], policy);
        if (pool.wants(score)) pool.offer(table, found[i], db, score);
      }
      const best = pool.size - 1;
      if (evictHere && best >= 0 && pool.db(best) === db && (pool.hash(best) & a.mask) === segment) {
        this.freedInFill = this.evictSlotLocked(a, pool.pop(), volatile);
      }
    } finally {
      if (evictHere) a.locks.writeRelease(segment);
      else a.locks.readRelease(segment);
    }
    return sampled;
  }

  /**
   * Picks the next AHEAD samples of `db` (a segment holding keys, a first bucket) and reads, without locks, the
   * memory their walks will read: the buckets' words, the headers of their chains' entries, two deep. A racy
   * read of shared memory that may change before the sample runs, bounded by the arena's size, and only to
   * bring lines into the cache: the sample itself reads again under its lock. Three rounds of reads, each
   * started for every sample together, in place of a round trip to memory per read per eviction.
   */
  private warmAhead(a: TableAccess, db: number, volatile: boolean): void {
    const control = a.control;
    const u32 = a.arena.u32;
    const index = this.aheadIndex;
    const mask = this.aheadMask;
    const random = this.aheadRandom;
    let count = 0;
    for (; count < AHEAD; count++) {
      const segment = pickNonEmptySegment(a, db, volatile);
      if (segment < 0) break;
      this.aheadDb[count] = db;
      this.aheadSegment[count] = segment;
      this.aheadVolatile[count] = volatile ? 1 : 0;
      random[count] = randomBelow(2 ** 32);
      const shard = a.shardOf(db, segment);
      index[count] = control[shard + D_INDEX] * 2;
      mask[count] = control[shard + D_MASK];
    }
    this.aheadCount = count;
    this.aheadNext = 0;
    // No branch below depends on a word read from the arena (warm-chains.ts says why). Round 1: the lines of every
    // pick's bucket words (AHEAD_BUCKETS words span at most three).
    let sink = 0;
    for (let p = 0; p < count; p++) {
      const r = random[p];
      const m = mask[p];
      const at = index[p];
      sink ^= u32[at + (r & m)] ^ u32[at + ((r + 16) & m)] ^ u32[at + ((r + AHEAD_BUCKETS - 1) & m)];
    }
    // Each pick's first chain heads, as many as a sample takes keys (a chain gives at least one), from words now
    // cached, packed one after another (the next pick's first head overwrites a pick's spare slot); then their
    // headers and the headers after them (warm-chains.ts).
    const heads = this.warmed;
    const wanted = Math.min(AHEAD_HEADS, Math.max(1, control[H_MAXMEMORY_SAMPLES]));
    let total = 0;
    for (let p = 0; p < count; p++) {
      const r = random[p];
      const m = mask[p];
      const at = index[p];
      let found = 0;
      for (let i = 0; i < AHEAD_BUCKETS; i++) {
        const head = u32[at + ((r + i) & m)];
        heads[total + Math.min(found, wanted)] = head;
        found += oneIfSet(head);
      }
      total += Math.min(found, wanted);
    }
    sink ^= warmChains(u32, heads, total, E_OBJECT, E_OBJECT);
    this.sink = sink;
  }

  /** Deletes the pool's candidate in `slot` under its segment's write lock: see evictSlotLocked. */
  private evictCandidate(a: TableAccess, slot: number, volatile: boolean): number {
    const segment = this.pool.hash(slot) & a.mask;
    a.lockWrite(segment);
    try {
      return this.evictSlotLocked(a, slot, volatile);
    } finally {
      a.locks.writeRelease(segment);
    }
  }

  /**
   * Its segment's write lock held: deletes the pool's candidate in `slot` if it is still there (and still volatile
   * if it must be), found by the hash and key the pool kept, without hashing the key again. Returns the bytes
   * freed, or -1 when it is gone.
   */
  private evictSlotLocked(a: TableAccess, slot: number, volatile: boolean): number {
    const pool = this.pool;
    const db = pool.db(slot);
    const hash = pool.hash(slot);
    const shard = a.shardOf(db, hash);
    const entry = a.table.find(shard, hash, pool.key(slot), pool.keyLength(slot));
    if (entry === 0 || (volatile && a.table.expireAt(entry) === 0)) return -1;
    return this.removeLocked(a, db, shard, entry);
  }

  /**
   * The random policies: a random key of `db` (with a TTL if volatile) deleted under the one write lock it was
   * picked under. Returns the bytes freed, or -1 when `db` has none.
   */
  private evictRandom(a: TableAccess, db: number, volatile: boolean): number {
    const segment = pickNonEmptySegment(a, db, volatile);
    if (segment < 0) return -1;
    a.lockWrite(segment);
    try {
      const shard = a.shardOf(db, segment);
      const entry = randomEntryLocked(a, shard, volatile);
      return entry === 0 ? -1 : this.removeLocked(a, db, shard, entry);
    } finally {
      a.locks.writeRelease(segment);
    }
  }

  /**
   * Write lock held: evicts `entry` as db.c dbGenericDelete would (counted in evicted_keys, told to the hook, a WATCH
   * on it fails) and returns the bytes that freed in its segment. The key is copied out only for someone to read it.
   */
  private removeLocked(a: TableAccess, db: number, shard: number, entry: number): number {
    const table = a.table;
    const counter = USED_BYTES_F64 + table.segmentOf(shard) * SEGMENT_F64;
    const hook = a.evictedHook !== null && a.evictedWanted() ? a.evictedHook : null;
    const key = hook !== null || this.keysWanted ? table.keyBuffer(entry) : null;
    const hash = table.hashOf(entry);
    const before = a.controlF64[counter];
    table.remove(shard, entry);
    table.countEvicted(shard);
    if (key !== null) {
      hook?.(db, key);
      if (this.keysWanted) this.evicted.push({ db, key });
    }
    touchLocked(a, shard, hash);
    return before - a.controlF64[counter];
  }
}

const performanceNow = (): number => performance.now();

/** evict.c evictionTimeLimitUs, in ms: 50 us per tenacity step up to 10, then +15% a step, 100 unlimited. */
function timeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return (50 * tenacity) / 1000;
  if (tenacity < 100) return (500 * 1.15 ** (tenacity - 10)) / 1000;
  return Infinity;
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

/**
 * Logical databases holding keys (with a TTL if volatile), read without locks: a moment's picture. The counts are
 * read as plain words, not with Atomics.load (a call into the runtime each on Node 20): a walk of 16 databases of
 * 64 segments reads 1,024 of them, once every DATABASES_REFRESH evictions, and a racy read of an aligned word only
 * gives a count a moment old, which the picture is anyway.
 */
function databasesWithKeys(a: TableAccess, volatile: boolean): number[] {
  const out: number[] = [];
  const control = a.control;
  const field = volatile ? D_EXPIRES : D_KEYS;
  for (let db = 0; db < a.databases; db++) {
    const physical = control[a.mapIndex(db)];
    for (let segment = 0; segment < a.segments; segment++) {
      if (control[a.table.shard(physical, segment) + field] > 0) {
        out.push(db);
        break;
      }
    }
  }
  return out;
}
