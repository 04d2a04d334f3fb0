// SharedStore: the KeyValueStore every thread shares, and the one public class of the store. It creates or
// attaches the shared buffers and hands each operation to the module that implements it: strings.ts (one
// key's value), multikey.ts (several keys at one instant), keyspace.ts (expiry, counts, flush), walk.ts (the
// whole keyspace). All of them lock through access.ts, where the lock order is written.

import type { LongDouble } from '../long-double/value.js';
import { Arena } from './arena.js';
import { TableAccess } from './access.js';
import * as keyspace from './keyspace.js';
import {
  H_ARENA_UNITS,
  H_FIRST_UNIT,
  H_MAX_VALUE,
  H_MAGIC,
  H_SEED,
  H_SEGMENTS,
  H_TOP,
  HEADER_INTS,
  MAGIC,
  SEGMENT_INTS,
  S_LOCK,
  UNIT,
  controlBytes,
} from './layout.js';
import * as multikey from './multikey.js';
import { AtomicSegmentLocks, HeldLocks, NoLocks, type SegmentLocks } from './rwlock.js';
import * as strings from './strings.js';
import { Table } from './table.js';
import type {
  Bytes,
  Clock,
  ExpireConditions,
  GetExChange,
  KeyValueStore,
  KeyWatch,
  ScanResult,
  SetOptions,
  SetResult,
  StoreHandles,
  StoreStats,
} from './types.js';
import { DEFAULT_MAX_VALUE } from './values.js';
import { activeExpireStep, keysMatching, randomLiveKey, scanStep } from './walk.js';
import * as watch from './watch.js';

export type { StoreHandles } from './types.js';

export interface StoreOptions {
  readonly clock: Clock;
  /** Lock stripes, a power of two (default 64). More segments: less contention, more fixed overhead. */
  readonly segments?: number;
  /** Initial arena size (default 1 MiB); it grows by half its size at a time. */
  readonly initialBytes?: number;
  /** Arena ceiling (default and maximum: 4 GiB - 64 KiB, Node's growable SharedArrayBuffer limit). */
  readonly maxBytes?: number;
  /** Largest value (default 512 MiB, proto-max-bulk-len): APPEND/SETRANGE past it fail. See setMaxValueBytes. */
  readonly maxValueBytes?: number;
  /** false: no locks, for a store one thread owns alone (the unlocked baseline of bench/store-locks.ts). */
  readonly locking?: boolean;
}

const MAX_ARENA_BYTES = 2 ** 32 - 64 * 1024;
const MAX_VALUE_LIMIT = 2 ** 31 - 1;

export class SharedStore implements KeyValueStore {
  private readonly access: TableAccess;
  /** transaction()'s view of the same buffers, whose locks are the ones transaction() holds; made on first use. */
  private held: { view: SharedStore; locks: HeldLocks } | undefined;

  private constructor(
    private readonly control: Int32Array,
    arenaBuffer: SharedArrayBuffer,
    private readonly clock: Clock,
    locking: boolean | SegmentLocks,
  ) {
    if (control[H_MAGIC] !== MAGIC) throw new Error('SharedStore: not a store control buffer');
    const segments = control[H_SEGMENTS];
    const arena = new Arena(arenaBuffer, control, segments);
    const table = new Table(arena, control, segments);
    const locks =
      locking === true
        ? new AtomicSegmentLocks(control, HEADER_INTS + S_LOCK, SEGMENT_INTS)
        : locking === false
          ? new NoLocks()
          : locking;
    this.access = new TableAccess(table, arena, locks, clock, control, segments, control[H_SEED]);
  }

  static create(options: StoreOptions): SharedStore {
    const segments = options.segments ?? 64;
    if (!Number.isInteger(segments) || segments < 1 || segments > 4096 || (segments & (segments - 1)) !== 0) {
      throw new RangeError('segments must be a power of two between 1 and 4096');
    }
    const maxBytes = Math.min(options.maxBytes ?? MAX_ARENA_BYTES, MAX_ARENA_BYTES);
    const initialBytes = Math.min(Math.ceil((options.initialBytes ?? 1 << 20) / UNIT) * UNIT, maxBytes);
    const control = new Int32Array(new SharedArrayBuffer(controlBytes(segments)));
    const arena = new SharedArrayBuffer(Math.max(initialBytes, UNIT), { maxByteLength: maxBytes });
    control[H_MAGIC] = MAGIC;
    control[H_SEGMENTS] = segments;
    control[H_SEED] = (Math.random() * 2 ** 32) | 0;
    control[H_FIRST_UNIT] = 1; // unit 0 is the null offset
    control[H_TOP] = 1;
    control[H_ARENA_UNITS] = arena.byteLength / UNIT;
    control[H_MAX_VALUE] = Math.min(options.maxValueBytes ?? DEFAULT_MAX_VALUE, MAX_VALUE_LIMIT);
    const store = new SharedStore(control, arena, options.clock, options.locking ?? true);
    for (let s = 0; s < segments; s++) store.access.table.initSegment(s);
    return store;
  }

  /** The same keyspace, from another thread. */
  static attach(handles: StoreHandles, clock: Clock): SharedStore {
    return new SharedStore(new Int32Array(handles.control), handles.arena, clock, true);
  }

  /**
   * CONFIG SET proto-max-bulk-len: the largest value APPEND/SETRANGE may build, for every thread at once
   * (it lives in shared memory). Capped at 2 GiB - 1, far above what the 4 GiB arena could hold twice.
   */
  setMaxValueBytes(bytes: number): void {
    Atomics.store(this.control, H_MAX_VALUE, Math.min(Math.max(0, Math.floor(bytes)), MAX_VALUE_LIMIT));
  }

  handles(): StoreHandles {
    return { control: this.control.buffer as SharedArrayBuffer, arena: this.access.arena.buffer };
  }

  // ---- Strings (strings.ts, multikey.ts) ----

  get(key: Bytes): Buffer | null {
    return strings.get(this.access, key);
  }

  set(key: Bytes, value: Bytes, options?: SetOptions): SetResult {
    return strings.set(this.access, key, value, options);
  }

  getDel(key: Bytes): Buffer | null {
    return strings.getDel(this.access, key);
  }

  getEx(key: Bytes, change: GetExChange): Buffer | null {
    return strings.getEx(this.access, key, change);
  }

  mget(keys: readonly Bytes[]): (Buffer | null)[] {
    return multikey.mget(this.access, keys);
  }

  mset(keyValues: readonly Bytes[], onlyIfNoneExist: boolean): boolean {
    return multikey.mset(this.access, keyValues, onlyIfNoneExist);
  }

  append(key: Bytes, value: Bytes): number {
    return strings.append(this.access, key, value);
  }

  strlen(key: Bytes): number {
    return strings.strlen(this.access, key);
  }

  incrBy(key: Bytes, delta: bigint): bigint {
    return strings.incrBy(this.access, key, delta);
  }

  incrByFloat(key: Bytes, delta: LongDouble): Buffer {
    return strings.incrByFloat(this.access, key, delta);
  }

  getRange(key: Bytes, start: number, end: number): Buffer {
    return strings.getRange(this.access, key, start, end);
  }

  setRange(key: Bytes, offset: number, value: Bytes): number {
    return strings.setRange(this.access, key, offset, value);
  }

  // ---- Keyspace (multikey.ts, keyspace.ts, walk.ts) ----

  del(keys: readonly Bytes[]): number {
    return multikey.del(this.access, keys);
  }

  exists(keys: readonly Bytes[]): number {
    return multikey.exists(this.access, keys);
  }

  type(key: Bytes): 'string' | 'none' {
    return this.exists([key]) === 1 ? 'string' : 'none';
  }

  expireAt(key: Bytes, at: number, condition?: ExpireConditions): boolean {
    return keyspace.expireAt(this.access, key, at, condition);
  }

  persist(key: Bytes): boolean {
    return keyspace.persist(this.access, key);
  }

  pttl(key: Bytes): number {
    return keyspace.pttl(this.access, key);
  }

  expireTime(key: Bytes): number {
    return keyspace.expireTime(this.access, key);
  }

  keys(pattern: Bytes): Buffer[] {
    return keysMatching(this.access, pattern);
  }

  scan(cursor: string, count: number, match?: Bytes): ScanResult {
    return scanStep(this.access, cursor, count, match);
  }

  randomKey(): Buffer | null {
    return randomLiveKey(this.access);
  }

  rename(source: Bytes, destination: Bytes, onlyIfNew: boolean): 'ok' | 'missing' | 'exists' {
    return multikey.rename(this.access, source, destination, onlyIfNew);
  }

  copy(source: Bytes, destination: Bytes, replace: boolean): boolean {
    return multikey.copy(this.access, source, destination, replace);
  }

  dbsize(): number {
    return keyspace.dbsize(this.access);
  }

  flush(): void {
    keyspace.flush(this.access);
  }

  // ---- Transactions (watch.ts) ----

  transaction<R>(keys: readonly Bytes[] | null, work: (store: KeyValueStore) => R): R {
    if (this.held === undefined) {
      const locks = new HeldLocks(this.access.segments);
      this.held = { locks, view: new SharedStore(this.control, this.access.arena.buffer, this.clock, locks) };
    }
    const { view, locks } = this.held;
    const a = this.access;
    const segments =
      keys === null
        ? Array.from({ length: a.segments }, (_, s) => s)
        : a.segmentsOf(keys.map((key) => a.hash(key)));
    return a.withSegments(segments, true, () => {
      locks.mark(segments, true);
      try {
        return work(view);
      } finally {
        locks.mark(segments, false);
      }
    });
  }

  countWatcher(delta: 1 | -1): void {
    watch.countWatcher(this.access, delta);
  }

  watchKey(key: Bytes): KeyWatch {
    return watch.watchKey(this.access, key);
  }

  watchedKeyChanged(key: Bytes, watched: KeyWatch): boolean {
    return watch.watchedKeyChangedLocked(this.access, key, watched);
  }

  unwatchKey(watched: KeyWatch): void {
    watch.unwatchKey(this.access, watched);
  }

  stats(): StoreStats {
    return keyspace.stats(this.access);
  }

  activeExpireCycle(): number {
    return activeExpireStep(this.access);
  }
}
