// SharedStore: the KeyValueStore every thread shares, and the one public class of the store. It creates or
// attaches the shared buffers and hands each operation to the module that implements it: strings.ts (one
// key's value), multikey.ts (several keys at one instant), keyspace.ts (expiry, counts, databases), walk.ts
// (a whole database). All of them lock through access.ts, where the lock order is written.
// A SharedStore object is one logical database's view (Redis's c->db), made per thread by select(); every
// view of a thread shares one TableAccess, so they cost an object each.

import type { ArenaHugePages } from './huge-pages.js';
import type { LongDouble } from '../long-double/value.js';
import { freeListReport, type FreeListReport } from './free-lists.js';
import { Arena } from './arena.js';
import type { TouchedHashes } from './touched.js';
import { keysWorthWarming, warmKeys, type KeyPositions } from './warm-keys.js';
import { TableAccess } from './access.js';
import type { BitFieldOp, BitOperation, BitRange } from './bitmap.js';
import * as bits from './bits.js';
import {
  DEFAULT_CONTAINER_LIMITS,
  containerLimit,
  setContainerLimits,
  type ContainerLimits,
  type TypeName,
} from './containers.js';
import * as hashes from './hashes.js';
import * as streams from './streams.js';
import type { StreamId } from './stream-id.js';
import * as hyperloglogs from './hyperloglogs.js';
import {
  DEFAULT_EVICTION_SETTINGS,
  Evictor,
  maxmemoryOf,
  policyOf,
  POLICY_NAMES,
  setEvictionSettings,
  type EvictionOutcome,
  type EvictionSettings,
  type PolicyName,
} from './eviction.js';
import * as keyspace from './keyspace.js';
import * as lists from './lists.js';
import { loadHashListpack, loadZsetListpack } from './listpack-load.js';
import { lfuMinutes } from './lfu.js';
import {
  H_AOF_DB,
  H_AOF_GENERATION,
  H_AOF_LOCK,
  H_AOF_LAST_REWRITE_SECONDS,
  H_ARENA_UNITS,
  H_DATABASES,
  H_FIRST_UNIT,
  H_LFU_MINUTES,
  H_PROCESS_BASELINE,
  H_LRU_CLOCK,
  H_MAX_VALUE,
  H_MAGIC,
  H_SEED,
  H_SEGMENTS,
  H_TOP,
  HEADER_INTS,
  MAGIC,
  MAX_DATABASES,
  SEGMENT_INTS,
  S_LOCK,
  UNIT,
  controlBytes,
  databaseMap,
} from './layout.js';
import * as multikey from './multikey.js';
import * as objects from './objects.js';
import {
  AtomicSegmentLocks,
  HeldLocks,
  NoLocks,
  writeLock,
  writeUnlock,
  type SegmentLocks,
} from './rwlock.js';
import * as setAlgebra from './set-algebra.js';
import { copyStore, segmentEntries, type Snapshot, type SnapshotEntry } from './snapshot.js';
import type { SetAlgebraResult, SetOperation, SetStoreResult } from './set-algebra.js';
import * as sets from './sets.js';
import { sort, type SortOutcome } from './sort.js';
import type { SortRequest } from '../sort/request.js';
import * as strings from './strings.js';
import { Table } from './table.js';
import type {
  Bytes,
  Clock,
  DatabaseStats,
  ExpireConditions,
  GetExChange,
  KeyValueStore,
  KeyWatch,
  ScanResult,
  SetOptions,
  RemovalResult,
  SetResult,
  StoreHandles,
  StoreStats,
  ValueObject,
} from './types.js';
import { DEFAULT_MAX_VALUE } from './values.js';
import * as zsetMulti from './zset-multi.js';
import { zsetRead, zsetReadStore, type ZsetView } from './zset-view.js';
import * as zsets from './zsets.js';
import type {
  LexRange,
  ZpopResult,
  RangeQuery,
  RemoveRange,
  ScoredMember,
  ScoreRange,
  SetOperationQuery,
  SetOperationResult,
  StoreResult,
  ZaddOptions,
  ZaddResult,
} from './zset-types.js';
import { activeExpireStep, keysMatching, randomLiveKey, scanStep, type ExpireStepReport } from './walk.js';
import * as watch from './watch.js';

export type { StoreHandles } from './types.js';

export interface StoreOptions {
  readonly clock: Clock;
  /** The clock of times values record (TableAccess.eventClock); `clock` if not given. */
  readonly eventClock?: Clock;
  /** Lock stripes, a power of two (default 64). More segments: less contention, more fixed overhead. */
  readonly segments?: number;
  /** Databases (the `databases` setting, default 16, at most MAX_DATABASES): SELECT 0 .. databases - 1. */
  readonly databases?: number;
  /** Initial arena size (default 1 MiB); it grows by half its size at a time. */
  readonly initialBytes?: number;
  /** Arena ceiling (default and maximum: 4 GiB - 64 KiB, Node's growable SharedArrayBuffer limit). */
  readonly maxBytes?: number;
  /** Largest value (default 512 MiB, proto-max-bulk-len): APPEND/SETRANGE past it fail. See setMaxValueBytes. */
  readonly maxValueBytes?: number;
  /** Bytes the process holds besides the store, counted in used_memory and against maxmemory (default 0). */
  readonly processBaselineBytes?: number;
  /** false: no locks, for a store one thread owns alone (the unlocked baseline of bench/store-locks.ts). */
  readonly locking?: boolean;
  /** The keys' hash seed (default: random per store, as Redis's siphash key); tests fix it for a known layout. */
  readonly hashSeed?: number;
}

const NO_EVICTION: EvictionOutcome = { evicted: [], status: 'ok' };

const MAX_ARENA_BYTES = 2 ** 32 - 64 * 1024;
const MAX_VALUE_LIMIT = 2 ** 31 - 1;
/**
 * The append-only file's shared buffer (aof/append-buffer.ts): room for many threads' pipelined reads between
 * writes; only the pages it fills are touched.
 */
const APPEND_BUFFER_BYTES = 4 << 20;
/**
 * How far the append-only file's buffer may grow past its halves for what failed writes hold (aof/append-buffer.ts)
 * while the file cannot be written (Redis's aof_buf has no bound but memory); reserved address space, not memory.
 */
const APPEND_HELD_MAX_BYTES = 1 << 30;

/**
 * One thread's handle on the shared buffers: its access (array views, locks) and its database views. Made by
 * SharedStore.create/attach; exported only for SharedStore's constructor signature.
 */
export class StoreThread {
  readonly access: TableAccess;
  /** This thread's eviction pool (eviction.ts). */
  readonly evictor = new Evictor();
  /** The highest used_memory peak this thread has seen recorded (keyspace.notePeak). */
  knownPeak = 0;
  private readonly views: (SharedStore | undefined)[];
  /** transaction()'s thread over the same buffers, whose locks are the ones transaction() holds; made on first use. */
  private held: { thread: StoreThread; locks: HeldLocks } | undefined;

  constructor(
    readonly control: Int32Array,
    arenaBuffer: SharedArrayBuffer,
    readonly clock: Clock,
    locking: boolean | SegmentLocks,
    /** The append-only file's shared buffer; absent on a snapshot's copy. */
    readonly appendBuffer?: SharedArrayBuffer,
    eventClock: Clock = clock,
  ) {
    if (control[H_MAGIC] !== MAGIC) throw new Error('SharedStore: not a store control buffer');
    const segments = control[H_SEGMENTS];
    const arena = new Arena(arenaBuffer, control, segments);
    arena.soleThread = locking === false; // no locks: no other thread uses the store
    const table = new Table(arena, control, segments);
    const locks =
      locking === true
        ? new AtomicSegmentLocks(control, HEADER_INTS + S_LOCK, SEGMENT_INTS)
        : locking === false
          ? new NoLocks()
          : locking;
    this.access = new TableAccess(table, arena, locks, clock, control, segments, control[H_SEED]);
    this.access.eventClock = eventClock;
    this.views = new Array<SharedStore | undefined>(this.access.databases).fill(undefined);
  }

  view(db: number): SharedStore {
    const view = this.views[db];
    if (view !== undefined) return view;
    if (!Number.isInteger(db) || db < 0 || db >= this.views.length) throw new RangeError(`no database ${db}`);
    return (this.views[db] = new SharedStore(this, db));
  }

  /** This thread's expiry hook, on its transaction view too. */
  setExpiredHook(hook: ((db: number, key: Buffer) => void) | null): void {
    this.access.setExpiredHook(hook);
    this.held?.thread.setExpiredHook(hook);
  }

  /** This thread's note of the keys its writes modify (TableAccess.touched), on its transaction view too. */
  setTouched(hashes: TouchedHashes | null): void {
    this.access.touched = hashes;
    if (this.held !== undefined) this.held.thread.access.touched = hashes;
  }

  /** transaction()'s thread and the locks it holds (one pair per thread, made on first use). */
  heldThread(): { thread: StoreThread; locks: HeldLocks } {
    if (this.held === undefined) {
      const locks = new HeldLocks(this.access.segments);
      this.held = {
        locks,
        thread: new StoreThread(
          this.control,
          this.access.arena.buffer,
          this.clock,
          locks,
          this.appendBuffer,
          this.access.eventClock,
        ),
      };
      this.held.thread.setExpiredHook(this.access.expiredHook);
      this.held.thread.access.touched = this.access.touched;
    }
    return this.held;
  }
}

export class SharedStore implements KeyValueStore {
  private readonly access: TableAccess;

  /** Use create() or attach(), then select(). */
  constructor(
    private readonly thread: StoreThread,
    readonly db: number,
  ) {
    this.access = thread.access;
  }

  /** A new store, seen through database 0. */
  static create(options: StoreOptions): SharedStore {
    const segments = options.segments ?? 64;
    if (!Number.isInteger(segments) || segments < 1 || segments > 4096 || (segments & (segments - 1)) !== 0) {
      throw new RangeError('segments must be a power of two between 1 and 4096');
    }
    const databases = options.databases ?? 16;
    if (!Number.isInteger(databases) || databases < 1 || databases > MAX_DATABASES) {
      throw new RangeError(`databases must be an integer between 1 and ${MAX_DATABASES}`);
    }
    const maxBytes = Math.min(options.maxBytes ?? MAX_ARENA_BYTES, MAX_ARENA_BYTES);
    const initialBytes = Math.min(Math.ceil((options.initialBytes ?? 1 << 20) / UNIT) * UNIT, maxBytes);
    const control = new Int32Array(new SharedArrayBuffer(controlBytes(segments, databases)));
    const arena = new SharedArrayBuffer(Math.max(initialBytes, UNIT), { maxByteLength: maxBytes });
    control[H_MAGIC] = MAGIC;
    control[H_SEGMENTS] = segments;
    control[H_DATABASES] = databases;
    control[H_SEED] = options.hashSeed ?? (Math.random() * 2 ** 32) | 0;
    control[H_FIRST_UNIT] = 1; // unit 0 is the null offset
    control[H_TOP] = 1;
    control[H_ARENA_UNITS] = arena.byteLength / UNIT;
    control[H_MAX_VALUE] = Math.min(options.maxValueBytes ?? DEFAULT_MAX_VALUE, MAX_VALUE_LIMIT);
    control[H_LRU_CLOCK] = objects.accessClock(options.clock());
    setContainerLimits(control, DEFAULT_CONTAINER_LIMITS);
    setEvictionSettings(control, DEFAULT_EVICTION_SETTINGS);
    control[H_LFU_MINUTES] = lfuMinutes(options.clock());
    control[H_AOF_DB] = -1; // no SELECT written yet: the first record names its database
    control[H_AOF_LAST_REWRITE_SECONDS] = -1; // INFO aof_last_rewrite_time_sec before the first
    control[H_PROCESS_BASELINE] = Math.max(
      0,
      Math.min(2 ** 31 - 1, Math.floor(options.processBaselineBytes ?? 0)),
    );
    const map = databaseMap(segments);
    for (let db = 0; db < databases; db++) control[map + db] = db; // logical = physical until a SWAPDB
    const appendBuffer = new SharedArrayBuffer(APPEND_BUFFER_BYTES, {
      maxByteLength: APPEND_BUFFER_BYTES + APPEND_HELD_MAX_BYTES,
    });
    const thread = new StoreThread(
      control,
      arena,
      options.clock,
      options.locking ?? true,
      appendBuffer,
      options.eventClock,
    );
    thread.access.table.resetShards();
    return thread.view(0);
  }

  /** The same keyspace, from another thread, seen through database 0. */
  static attach(handles: StoreHandles, clock: Clock): SharedStore {
    return new StoreThread(
      new Int32Array(handles.control),
      handles.arena,
      clock,
      true,
      handles.appendBuffer,
    ).view(0);
  }

  get databases(): number {
    return this.access.databases;
  }

  select(db: number): SharedStore {
    return this.thread.view(db);
  }

  /**
   * CONFIG SET proto-max-bulk-len: the largest value APPEND/SETRANGE may build, for every thread at once
   * (it lives in shared memory). Capped at 2 GiB - 1, far above what the 4 GiB arena could hold twice.
   */
  setMaxValueBytes(bytes: number): void {
    Atomics.store(
      this.access.control,
      H_MAX_VALUE,
      Math.min(Math.max(0, Math.floor(bytes)), MAX_VALUE_LIMIT),
    );
  }

  appendInOrder(write: (fileDb: number, generation: number) => number, replacesFile = false): void {
    const control = this.access.control;
    writeLock(control, H_AOF_LOCK, control);
    try {
      control[H_AOF_DB] = write(control[H_AOF_DB], control[H_AOF_GENERATION]);
      if (replacesFile) control[H_AOF_GENERATION]++;
    } finally {
      writeUnlock(control, H_AOF_LOCK);
    }
  }

  /** CONFIG SET of maxmemory, maxmemory-policy and the other eviction settings, for every thread at once. */
  setEvictionSettings(settings: Partial<EvictionSettings>): void {
    setEvictionSettings(this.access.control, settings);
  }

  evict(keysWanted = true): EvictionOutcome {
    const maxmemory = maxmemoryOf(this.access);
    if (maxmemory === 0) return NO_EVICTION;
    const control = this.access.control;
    const limit = maxmemory - control.byteLength; // the store's usedMemory (its arena's live bytes + control)
    const outcome = this.thread.evictor.run(this.access, limit, keysWanted);
    // The arena's bytes the check read (before any eviction): the peak as Redis samples it after each command.
    this.thread.knownPeak = keyspace.notePeak(
      this.access,
      this.thread.evictor.checkedBytes,
      this.thread.knownPeak,
    );
    return outcome;
  }

  evictionPolicy(): PolicyName {
    return POLICY_NAMES[policyOf(this.access.control)];
  }

  containerLimit(name: keyof ContainerLimits): number {
    return containerLimit(this.access.control, name);
  }

  /** CONFIG SET of the container encoding thresholds (ContainerLimits), for every thread at once. */
  setContainerLimits(limits: Partial<ContainerLimits>): void {
    setContainerLimits(this.access.control, limits);
  }

  /** A point-in-time copy of every database (snapshot.ts), to attach() with a clock of its own. */
  snapshot(whileLocked?: () => void): Snapshot {
    return copyStore(this.access, whileLocked);
  }

  /**
   * Writers on every thread wait (every segment's read lock is held; readers go on) until the returned function
   * is called. A save made meanwhile (snapshot() takes read locks too: they do not wait on each other) holds
   * every write acknowledged before it and none after: SHUTDOWN's final save, which then exits.
   */
  pauseWrites(): () => void {
    return this.access.holdAllSegments(false);
  }

  /** Lock stripes: segmentEntries takes 0 .. segmentCount() - 1. */
  segmentCount(): number {
    return this.access.segments;
  }

  /** This database's live keys in one segment (snapshot.ts: how a save walks its copy). */
  segmentEntries(segment: number): SnapshotEntry[] {
    return segmentEntries(this.access, this.db, segment);
  }

  handles(): StoreHandles {
    return {
      control: this.access.control.buffer as SharedArrayBuffer,
      arena: this.access.arena.buffer,
      ...(this.thread.appendBuffer === undefined ? {} : { appendBuffer: this.thread.appendBuffer }),
    };
  }

  appendBuffer(): SharedArrayBuffer {
    if (this.thread.appendBuffer === undefined)
      throw new Error('a snapshot copy has no append-only file buffer');
    return this.thread.appendBuffer;
  }

  // ---- Strings (strings.ts, multikey.ts) ----

  get(key: Bytes): Buffer | null {
    return strings.get(this.access, this.db, key);
  }

  set(key: Bytes, value: Bytes, options?: SetOptions): SetResult {
    return strings.set(this.access, this.db, key, value, options);
  }

  getDel(key: Bytes): Buffer | null {
    return strings.getDel(this.access, this.db, key);
  }

  getEx(key: Bytes, change: GetExChange): Buffer | null {
    return strings.getEx(this.access, this.db, key, change);
  }

  mget(keys: readonly Bytes[], found?: boolean[]): (Buffer | null)[] {
    return multikey.mget(this.access, this.db, keys, found);
  }

  mset(keyValues: readonly Bytes[], onlyIfNoneExist: boolean): boolean {
    return multikey.mset(this.access, this.db, keyValues, onlyIfNoneExist);
  }

  append(key: Bytes, value: Bytes): number {
    return strings.append(this.access, this.db, key, value);
  }

  strlen(key: Bytes): number {
    return strings.strlen(this.access, this.db, key);
  }

  incrBy(key: Bytes, delta: bigint): bigint {
    return strings.incrBy(this.access, this.db, key, delta);
  }

  incrByFloat(key: Bytes, delta: LongDouble): Buffer {
    return strings.incrByFloat(this.access, this.db, key, delta);
  }

  getRange(key: Bytes, start: number, end: number): Buffer {
    return strings.getRange(this.access, this.db, key, start, end);
  }

  setRange(key: Bytes, offset: number, value: Bytes): number {
    return strings.setRange(this.access, this.db, key, offset, value);
  }

  // ---- Bits (bits.ts) ----

  maxValueBytes(): number {
    return bits.maxValueBytes(this.access);
  }

  setBit(key: Bytes, offset: number, on: 0 | 1): bits.SetBitResult {
    return bits.setBit(this.access, this.db, key, offset, on);
  }

  getBit(key: Bytes, offset: number): 0 | 1 | null {
    return bits.getBit(this.access, this.db, key, offset);
  }

  bitCount(key: Bytes, range: BitRange | null): number | null {
    return bits.bitCount(this.access, this.db, key, range);
  }

  bitPos(key: Bytes, bit: 0 | 1, range: BitRange | null): number | null {
    return bits.bitPos(this.access, this.db, key, bit, range);
  }

  bitField(key: Bytes, ops: readonly BitFieldOp[]): bits.BitFieldResult {
    return bits.bitField(this.access, this.db, key, ops);
  }

  bitOp(op: BitOperation, destination: Bytes, sources: readonly Bytes[]): bits.BitOpResult {
    return bits.bitOp(this.access, this.db, op, destination, sources);
  }

  // ---- HyperLogLogs (hyperloglogs.ts) ----

  pfAdd(key: Bytes, elements: readonly Bytes[]): hyperloglogs.PfAddResult {
    return hyperloglogs.pfAdd(this.access, this.db, key, elements);
  }

  pfCountOne(key: Bytes): hyperloglogs.PfCountResult {
    return hyperloglogs.pfCountOne(this.access, this.db, key);
  }

  pfCountUnion(keys: readonly Bytes[]): hyperloglogs.PfCountResult {
    return hyperloglogs.pfCountUnion(this.access, this.db, keys);
  }

  pfMerge(destination: Bytes, sources: readonly Bytes[]): hyperloglogs.PfMergeResult {
    return hyperloglogs.pfMerge(this.access, this.db, destination, sources);
  }

  pfDebug(key: Bytes, operation: hyperloglogs.PfDebugOperation | null): hyperloglogs.PfDebugResult {
    return hyperloglogs.pfDebug(this.access, this.db, key, operation);
  }

  // ---- Sets (sets.ts, set-algebra.ts) ----

  sadd(key: Bytes, members: readonly Bytes[]): sets.SetAddResult {
    return sets.sadd(this.access, this.db, key, members);
  }

  srem(key: Bytes, members: readonly Bytes[]): RemovalResult {
    return sets.srem(this.access, this.db, key, members);
  }

  smismember(key: Bytes, members: readonly Bytes[]): boolean[] | null {
    return sets.smismember(this.access, this.db, key, members);
  }

  scard(key: Bytes): number | null {
    return sets.scard(this.access, this.db, key);
  }

  spop(key: Bytes, count: number | null): sets.SetPopResult {
    return sets.spop(this.access, this.db, key, count);
  }

  srandmember(key: Bytes, count: number | null): Buffer[] | null {
    return sets.srandmember(this.access, this.db, key, count);
  }

  smove(source: Bytes, destination: Bytes, member: Bytes): sets.SetMoveResult {
    return sets.smove(this.access, this.db, source, destination, member);
  }

  sscan(key: Bytes, cursor: number, count: number): sets.SetScanResult | null {
    return sets.sscan(this.access, this.db, key, cursor, count);
  }

  setAlgebra(op: SetOperation, keys: readonly Bytes[]): SetAlgebraResult {
    return setAlgebra.setAlgebra(this.access, this.db, op, keys);
  }

  sinterCard(keys: readonly Bytes[], limit: number): { count: number; found: boolean[] } {
    return setAlgebra.sinterCard(this.access, this.db, keys, limit);
  }

  setAlgebraStore(op: SetOperation, destination: Bytes, keys: readonly Bytes[]): SetStoreResult {
    return setAlgebra.setAlgebraStore(this.access, this.db, op, destination, keys);
  }

  sort(key: Bytes, request: SortRequest, patterns: boolean): SortOutcome {
    return sort(this.access, this.db, key, request, patterns);
  }

  // ---- Lists (lists.ts) ----

  listPush(
    key: Bytes,
    elements: readonly Bytes[],
    end: lists.ListEnd,
    onlyIfExists = false,
  ): lists.PushResult {
    return lists.push(this.access, this.db, key, elements, end, onlyIfExists);
  }

  listLoad(key: Bytes, elements: readonly Bytes[], nodes: readonly number[]): void {
    lists.load(this.access, this.db, key, elements, nodes);
  }

  listPop(key: Bytes, end: lists.ListEnd, count: number | null): lists.PopResult | null {
    return lists.pop(this.access, this.db, key, end, count);
  }

  listMultiPop(keys: readonly Bytes[], end: lists.ListEnd, count: number): lists.MultiPopResult | null {
    return lists.multiPop(this.access, this.db, keys, end, count);
  }

  listMove(
    source: Bytes,
    destination: Bytes,
    from: lists.ListEnd,
    to: lists.ListEnd,
  ): lists.MoveResult | null {
    return lists.move(this.access, this.db, source, destination, from, to);
  }

  listLength(key: Bytes): number {
    return lists.length(this.access, this.db, key);
  }

  listRange(key: Bytes, start: number, stop: number): Buffer[] | null {
    return lists.range(this.access, this.db, key, start, stop);
  }

  listNodeCounts(key: Bytes): number[] | null {
    return lists.nodeCounts(this.access, this.db, key);
  }

  listIndex(key: Bytes, index: number): Buffer | null | 'missing' {
    return lists.index(this.access, this.db, key, index);
  }

  listPositions(key: Bytes, element: Bytes, query: lists.PositionQuery): number[] | null {
    return lists.positions(this.access, this.db, key, element, query);
  }

  listSet(key: Bytes, index: number, value: Bytes): lists.ListSetResult {
    return lists.set(this.access, this.db, key, index, value);
  }

  listInsert(key: Bytes, after: boolean, pivot: Bytes, value: Bytes): number {
    return lists.insert(this.access, this.db, key, after, pivot, value);
  }

  listRemove(key: Bytes, count: number, value: Bytes): RemovalResult {
    return lists.remove(this.access, this.db, key, count, value);
  }

  listTrim(key: Bytes, start: number, stop: number): lists.TrimResult {
    return lists.trim(this.access, this.db, key, start, stop);
  }

  // ---- Sorted sets (zsets.ts, zset-multi.ts) ----

  zadd(key: Bytes, pairs: readonly ScoredMember[], options: ZaddOptions): ZaddResult {
    return zsets.zadd(this.access, this.db, key, pairs, options);
  }

  zsetLoadListpack(key: Bytes, entries: readonly ScoredMember[]): void {
    loadZsetListpack(this.access, this.db, key, entries);
  }

  zrem(key: Bytes, members: readonly Bytes[]): RemovalResult {
    return zsets.zrem(this.access, this.db, key, members);
  }

  zcard(key: Bytes): number {
    return zsets.zcard(this.access, this.db, key);
  }

  zscore(key: Bytes, member: Bytes): number | null | 'missing' {
    return zsets.zscore(this.access, this.db, key, member);
  }

  zmscore(key: Bytes, members: readonly Bytes[]): (number | null)[] | null {
    return zsets.zmscore(this.access, this.db, key, members);
  }

  zrank(key: Bytes, member: Bytes, reverse: boolean): number | null | 'missing' {
    return zsets.zrank(this.access, this.db, key, member, reverse);
  }

  zcount(key: Bytes, range: ScoreRange): number | null {
    return zsets.zcount(this.access, this.db, key, range);
  }

  zlexcount(key: Bytes, range: LexRange): number | null {
    return zsets.zlexcount(this.access, this.db, key, range);
  }

  zrange(key: Bytes, query: RangeQuery): ScoredMember[] | null {
    return zsets.zrange(this.access, this.db, key, query);
  }

  zrangeStore(destination: Bytes, source: Bytes, query: RangeQuery): StoreResult {
    return zsetMulti.zrangeStore(this.access, this.db, destination, source, query);
  }

  zsetRead<R>(key: Bytes, read: (z: ZsetView | null) => R): R {
    return zsetRead(this.access, this.db, key, read);
  }

  zsetReadStore(
    destination: Bytes,
    source: Bytes,
    compute: (z: ZsetView | null) => readonly ScoredMember[],
  ): StoreResult {
    return zsetReadStore(this.access, this.db, destination, source, compute);
  }

  zremRange(key: Bytes, range: RemoveRange): RemovalResult {
    return zsets.zremRange(this.access, this.db, key, range);
  }

  zpop(keys: readonly Bytes[], min: boolean, count: number): ZpopResult | null {
    return zsetMulti.zpop(this.access, this.db, keys, min, count);
  }

  zrandMember(key: Bytes, count: number): ScoredMember[] | null {
    return zsets.zrandMember(this.access, this.db, key, count, Math.random);
  }

  zscan(key: Bytes, cursor: number, count: number): zsets.ZscanResult | null {
    return zsets.zscan(this.access, this.db, key, cursor, count);
  }

  zsetOperation(query: SetOperationQuery): SetOperationResult {
    return zsetMulti.zsetOperation(this.access, this.db, query);
  }

  zsetOperationStore(destination: Bytes, query: SetOperationQuery): StoreResult {
    return zsetMulti.zsetOperationStore(this.access, this.db, destination, query);
  }

  zinterCard(keys: readonly Bytes[], limit: number): { count: number; found: boolean[] } {
    return zsetMulti.zinterCard(this.access, this.db, keys, limit);
  }

  // ---- Keyspace (multikey.ts, keyspace.ts, walk.ts) ----

  del(keys: readonly Bytes[]): number {
    return multikey.del(this.access, this.db, keys);
  }

  exists(keys: readonly Bytes[]): number {
    return multikey.exists(this.access, this.db, keys);
  }

  touch(keys: readonly Bytes[]): boolean[] {
    return multikey.touch(this.access, this.db, keys);
  }

  type(key: Bytes): TypeName | 'none' {
    return keyspace.type(this.access, this.db, key);
  }

  expireAt(key: Bytes, at: number, condition?: ExpireConditions): boolean {
    return keyspace.expireAt(this.access, this.db, key, at, condition);
  }

  persist(key: Bytes): boolean {
    return keyspace.persist(this.access, this.db, key);
  }

  pttl(key: Bytes): number {
    return keyspace.pttl(this.access, this.db, key);
  }

  expireTime(key: Bytes): number {
    return keyspace.expireTime(this.access, this.db, key);
  }

  keys(pattern: Bytes): Buffer[] {
    return keysMatching(this.access, this.db, pattern);
  }

  scan(cursor: string, count: number, match?: Bytes, type?: string): ScanResult {
    return scanStep(this.access, this.db, cursor, count, match, type);
  }

  randomKey(): Buffer | null {
    return randomLiveKey(this.access, this.db);
  }

  rename(source: Bytes, destination: Bytes, onlyIfNew: boolean): 'ok' | 'missing' | 'exists' {
    return multikey.rename(this.access, this.db, source, destination, onlyIfNew);
  }

  copy(source: Bytes, destination: Bytes, replace: boolean, db: number = this.db): boolean {
    return multikey.copy(this.access, this.db, source, destination, replace, this.checked(db));
  }

  move(key: Bytes, db: number): boolean {
    return multikey.move(this.access, this.db, key, this.checked(db));
  }

  dbsize(): number {
    return keyspace.dbsize(this.access, this.db);
  }

  flushDb(): number {
    return keyspace.flushDb(this.access, this.db);
  }

  flushAll(): number {
    return keyspace.flushAll(this.access);
  }

  swapDb(x: number, y: number): void {
    keyspace.swapDb(this.access, this.checked(x), this.checked(y));
  }

  keyspace(): DatabaseStats[] {
    return keyspace.keyspace(this.access);
  }

  /** A database number the caller (the command) has already checked; a bad one here is a bug. */
  private checked(db: number): number {
    if (!Number.isInteger(db) || db < 0 || db >= this.access.databases)
      throw new RangeError(`no database ${db}`);
    return db;
  }

  // ---- Hashes (hashes.ts) ----

  xadd(key: Bytes, request: streams.XaddRequest): streams.XaddResult {
    return streams.xadd(this.access, this.db, key, request);
  }

  xlen(key: Bytes): number | null {
    return streams.xlen(this.access, this.db, key);
  }

  xrange(key: Bytes, query: streams.RangeQuery): streams.StreamEntry[] | null {
    return streams.xrange(this.access, this.db, key, query);
  }

  xdel(key: Bytes, ids: readonly StreamId[]): number {
    return streams.xdel(this.access, this.db, key, ids);
  }

  xtrim(key: Bytes, spec: streams.TrimSpec): streams.TrimResult {
    return streams.xtrim(this.access, this.db, key, spec);
  }

  xsetid(key: Bytes, request: streams.SetIdRequest): boolean {
    return streams.xsetid(this.access, this.db, key, request);
  }

  xlastId(key: Bytes): StreamId | null {
    return streams.xlastId(this.access, this.db, key);
  }

  xgroups<R>(key: Bytes, create: boolean, work: (w: streams.GroupsWork | null) => R): R {
    return streams.xgroups(this.access, this.db, key, create, work);
  }

  streamDump(key: Bytes): streams.StreamDump | null {
    return streams.streamDump(this.access, this.db, key);
  }

  streamLoad(key: Bytes, dump: streams.StreamDump): void {
    streams.streamLoad(this.access, this.db, key, dump);
  }

  xinfoStream(key: Bytes): streams.StreamInfo | null {
    return streams.xinfoStream(this.access, this.db, key);
  }

  hset(key: Bytes, pairs: readonly Bytes[]): number {
    return hashes.hset(this.access, this.db, key, pairs);
  }

  hashLoadListpack(key: Bytes, pairs: readonly Bytes[]): void {
    loadHashListpack(this.access, this.db, key, pairs);
  }

  hsetnx(key: Bytes, field: Bytes, value: Bytes): boolean {
    return hashes.hsetnx(this.access, this.db, key, field, value);
  }

  hget(key: Bytes, field: Bytes): Buffer | null | undefined {
    return hashes.hget(this.access, this.db, key, field);
  }

  hmget(key: Bytes, fields: readonly Bytes[]): (Buffer | null)[] | null {
    return hashes.hmget(this.access, this.db, key, fields);
  }

  hdel(key: Bytes, fields: readonly Bytes[]): RemovalResult {
    return hashes.hdel(this.access, this.db, key, fields);
  }

  hexists(key: Bytes, field: Bytes): boolean | null {
    return hashes.hexists(this.access, this.db, key, field);
  }

  hstrlen(key: Bytes, field: Bytes): number | null {
    return hashes.hstrlen(this.access, this.db, key, field);
  }

  hlen(key: Bytes): number {
    return hashes.hlen(this.access, this.db, key);
  }

  hgetall(key: Bytes, parts: hashes.HashParts): Buffer[] {
    return hashes.hgetall(this.access, this.db, key, parts);
  }

  hincrBy(key: Bytes, field: Bytes, delta: bigint): bigint {
    return hashes.hincrBy(this.access, this.db, key, field, delta);
  }

  hincrByFloat(key: Bytes, field: Bytes, delta: LongDouble): Buffer {
    return hashes.hincrByFloat(this.access, this.db, key, field, delta);
  }

  hrandfield(
    key: Bytes,
    count: number,
    distinct: boolean,
    withValues: boolean,
  ): hashes.HashRandomResult | null {
    return hashes.hrandfield(this.access, this.db, key, count, distinct, withValues);
  }

  hscan(
    key: Bytes,
    cursor: string,
    count: number,
    match: ((field: Uint8Array) => boolean) | null,
  ): hashes.HashScanResult | null {
    return hashes.hscan(this.access, this.db, key, cursor, count, match);
  }

  // ---- Transactions (watch.ts) ----

  transaction<R>(keys: readonly Bytes[] | null, work: (store: KeyValueStore) => R): R {
    return this.holding(keys, true, work);
  }

  writeHolding<R>(keys: readonly Bytes[] | null, work: (store: KeyValueStore) => R): R {
    return this.holding(keys, false, work);
  }

  /** transaction() and writeHolding(): `forExec` tracks the arguments EXEC's commands store (OBJECT REFCOUNT). */
  private holding<R>(keys: readonly Bytes[] | null, forExec: boolean, work: (store: KeyValueStore) => R): R {
    if (!forExec && keys !== null && keys.length === 1) return this.holdingOne(keys[0], work);
    const held = this.thread.heldThread();
    const view = held.thread.view(this.db);
    const a = this.access;
    const segments =
      keys === null
        ? Array.from({ length: a.segments }, (_, s) => s)
        : a.segmentsOf(keys.length === 1 ? [a.hash(keys[0])] : keys.map((key) => a.hash(key)));
    return a.withSegments(segments, true, () => {
      held.locks.mark(segments, true);
      const table = view.access.table;
      if (forExec) table.execArguments = new Set(); // Table.execArguments
      try {
        return work(view);
      } finally {
        if (forExec) table.execArguments = null;
        held.locks.mark(segments, false);
      }
    });
  }

  /**
   * holding() of a write naming one key, the append-only file's usual case on the pool and hybrid (SET, INCR, ...):
   * its segment's write lock held across the command on this very view (the store's own taking of it is then
   * free), rather than EXEC's separate held view and its marks, which cost a logged SET ~0.2 us more in process
   * (node dist/bench/aof-cost.js). A command naming one key touches only that key's segment.
   */
  private holdingOne<R>(key: Bytes, work: (store: KeyValueStore) => R): R {
    const a = this.access;
    a.locks.holdWrite(a.hash(key) & a.mask);
    try {
      a.arena.refresh();
      return work(this);
    } finally {
      a.locks.releaseHeld();
    }
  }

  countWatcher(delta: 1 | -1): void {
    watch.countWatcher(this.access, delta);
  }

  watchKey(key: Bytes): KeyWatch {
    return watch.watchKey(this.access, this.db, key);
  }

  watchedKeyChanged(key: Bytes, watched: KeyWatch): boolean {
    return watch.watchedKeyChangedLocked(this.access, this.db, key, watched);
  }

  watchedKeyTouched(watched: KeyWatch): boolean {
    return watch.watchedKeyTouched(this.access, watched);
  }

  unwatchKey(watched: KeyWatch): void {
    watch.unwatchKey(this.access, watched);
  }

  stats(): StoreStats {
    return keyspace.stats(this.access);
  }

  freeListReport(): FreeListReport {
    return freeListReport(this.access);
  }

  activeExpireCycle(report?: ExpireStepReport): number {
    return activeExpireStep(this.access, report);
  }

  /**
   * The hook for expiry events: `hook` hears of every key this thread removes because it expired (a lookup that
   * found it expired, or the active cycle), with its logical database, under the store lock that removes it.
   * One per thread, whichever view sets it. The hook must not take store locks (the append-only file's append
   * lock, a leaf, is allowed).
   */
  onExpired(hook: ((db: number, key: Buffer) => void) | null): void {
    this.thread.setExpiredHook(hook);
  }

  keepTouched(hashes: TouchedHashes | null): void {
    this.thread.setTouched(hashes);
  }

  keyHash(key: Bytes): number {
    return this.access.hash(key);
  }

  warmKeys(bytes: Uint8Array, keys: KeyPositions): void {
    warmKeys(this.access, this.db, bytes, keys);
  }

  keysWorthWarming(): boolean {
    return keysWorthWarming(this.access);
  }

  onEvicted(hook: ((db: number, key: Buffer) => void) | null, wanted: () => boolean = () => true): void {
    this.access.evictedHook = hook;
    this.access.evictedWanted = wanted;
  }

  // ---- OBJECT, DEBUG OBJECT (objects.ts) ----

  object(key: Bytes): ValueObject | null {
    return objects.objectOf(this.access, this.db, key);
  }

  debugObject(key: Bytes): ValueObject | null {
    return objects.debugObjectOf(this.access, this.db, key);
  }

  setAccess(key: Bytes, access: objects.AccessSetting): boolean {
    return objects.setAccess(this.access, this.db, key, access);
  }

  memoryUsage(key: Bytes, samples: number): number | null {
    return objects.memoryUsageOf(this.access, this.db, key, samples);
  }

  memoryPeak(): number {
    return keyspace.memoryPeak(this.access);
  }

  recordMemoryPeak(): void {
    keyspace.recordMemoryPeak(this.access);
  }

  collapseArenaPages(hugePages: ArenaHugePages, pages: number): number {
    return hugePages.step(this.access.arena.buffer, this.access.arena.touchedBytes(), pages);
  }

  refreshAccessClock(): void {
    objects.refreshAccessClock(this.access);
  }
}
