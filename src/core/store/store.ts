// SharedStore: the KeyValueStore every thread shares. Redis semantics (t_string.c, db.c, expire.c) over the
// plain table (table.ts) and the per-segment locks (rwlock.ts). Every public method is "hash, lock, work,
// unlock"; methods named *Locked and the table's methods assume the caller holds the lock.
//
// LOCK ORDER (the only rule that keeps multi-key commands deadlock-free): a thread takes segment locks in
// ascending segment number, each segment at most once (duplicates removed), and holds them all until the
// operation ends; it never takes a segment lock while holding a higher one. The arena's grow lock is a leaf:
// taken inside segment locks, never the other way round. MGET/EXISTS/KEYS take read locks on all their
// segments at once, so they read one instant; MSET/MSETNX/DEL/RENAME/COPY/FLUSH take write locks likewise.

import { CommandError, ERR } from '../errors.js';
import { Arena } from './arena.js';
import { hashKey } from './hash.js';
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
import { addInt64, formatIncrFloat, storedFloat, storedInteger } from './numbers.js';
import { AtomicSegmentLocks, NoLocks, type SegmentLocks } from './rwlock.js';
import { Table } from './table.js';
import { activeExpireStep, keysMatching, randomLiveKey, scanStep, type WalkParts } from './walk.js';
import type {
  Bytes,
  Clock,
  ExpireCondition,
  GetExChange,
  KeyValueStore,
  ScanResult,
  SetOptions,
  SetResult,
  StoreHandles,
  StoreStats,
} from './types.js';

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
const DEFAULT_MAX_VALUE = 512 * 1024 * 1024;
const MAX_VALUE_LIMIT = 2 ** 31 - 1;

export class SharedStore implements KeyValueStore {
  private readonly arena: Arena;
  private readonly table: Table;
  private readonly locks: SegmentLocks;
  private readonly segments: number;
  private readonly mask: number;
  private readonly seed: number;
  private readonly parts: WalkParts;

  private constructor(
    private readonly control: Int32Array,
    arenaBuffer: SharedArrayBuffer,
    private readonly clock: Clock,
    locking: boolean,
  ) {
    if (control[H_MAGIC] !== MAGIC) throw new Error('SharedStore: not a store control buffer');
    this.segments = control[H_SEGMENTS];
    this.mask = this.segments - 1;
    this.seed = control[H_SEED];
    this.arena = new Arena(arenaBuffer, control, this.segments);
    this.table = new Table(this.arena, control, this.segments);
    this.locks = locking
      ? new AtomicSegmentLocks(control, HEADER_INTS + S_LOCK, SEGMENT_INTS)
      : new NoLocks();
    const { table, arena, locks, segments } = this;
    this.parts = { table, arena, locks, clock, control, segments };
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
    for (let s = 0; s < segments; s++) store.table.initSegment(s);
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
    return { control: this.control.buffer as SharedArrayBuffer, arena: this.arena.buffer };
  }

  // ---- Locking ----

  private lockRead(segment: number): void {
    this.locks.read(segment);
    this.arena.refresh();
  }

  private lockWrite(segment: number): void {
    this.locks.write(segment);
    this.arena.refresh();
  }

  /** Sorted, deduplicated segments of these hashes: the lock order. */
  private segmentsOf(hashes: readonly number[]): number[] {
    if (hashes.length === 1) return [hashes[0] & this.mask]; // DEL/EXISTS of one key: no Set, no sort
    const segments = [...new Set(hashes.map((h) => h & this.mask))];
    return segments.sort((a, b) => a - b);
  }

  private lockAll(segments: readonly number[], write: boolean): void {
    for (const s of segments) {
      if (write) this.locks.write(s);
      else this.locks.read(s);
    }
    this.arena.refresh();
  }

  private unlockAll(segments: readonly number[], write: boolean): void {
    for (let i = segments.length - 1; i >= 0; i--) {
      if (write) this.locks.writeRelease(segments[i]);
      else this.locks.readRelease(segments[i]);
    }
  }

  private allSegments(): number[] {
    return Array.from({ length: this.segments }, (_, s) => s);
  }

  private hashes(keys: readonly Bytes[]): number[] {
    return keys.map((k) => hashKey(k, this.seed));
  }

  // ---- Expiry helpers (lock held) ----

  private isExpired(entry: number): boolean {
    const at = this.table.expireAt(entry);
    return at !== 0 && this.clock() > at;
  }

  /** Read lock held: the entry if present and not expired, else 0. */
  private findReadableLocked(segment: number, hash: number, key: Bytes): number {
    const entry = this.table.find(segment, hash, key);
    return entry !== 0 && this.isExpired(entry) ? 0 : entry;
  }

  /** Write lock held: the entry if present; an expired one is deleted first (Redis's lazy expiry). */
  private findLiveLocked(segment: number, hash: number, key: Bytes): number {
    const entry = this.table.find(segment, hash, key);
    if (entry !== 0 && this.isExpired(entry)) {
      this.table.remove(segment, entry);
      this.table.countExpired(segment);
      return 0;
    }
    return entry;
  }

  /** A reader found key expired: delete it now under the write lock (it may have changed meanwhile). */
  private deleteIfExpired(segment: number, hash: number, key: Bytes): void {
    this.lockWrite(segment);
    try {
      this.findLiveLocked(segment, hash, key);
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  // ---- Writing values (write lock held) ----

  private writeBytes(at: number, bytes: Uint8Array): void {
    const u8 = this.arena.u8;
    if (bytes.length <= 64) for (let i = 0; i < bytes.length; i++) u8[at + i] = bytes[i];
    else u8.set(bytes, at);
  }

  /** Stores value under key (entry: the live entry or 0) with expiry `at`, in place when the block fits. */
  private storeLocked(
    segment: number,
    hash: number,
    key: Bytes,
    entry: number,
    value: Bytes,
    at: number,
  ): void {
    const t = this.table;
    if (entry !== 0 && t.valueCapacity(entry) >= value.length && !this.oversized(entry, value.length)) {
      this.writeBytes(t.valueStart(entry), value);
      t.setValueLength(entry, value.length);
      t.setExpireAt(segment, entry, at);
      return;
    }
    const created = t.newEntry(segment, hash, key, value.length, value.length);
    this.writeBytes(t.valueStart(created), value);
    if (entry !== 0) t.replace(segment, entry, created, at);
    else t.insert(segment, created, at);
  }

  /** A block more than twice what a value needs is given back rather than reused in place. */
  private oversized(entry: number, valueLength: number): boolean {
    const needed = Math.ceil((32 + this.table.keyLength(entry) + valueLength) / UNIT);
    return this.table.blockUnits(entry) > needed * 2 + 8;
  }

  /**
   * Makes entry's value `length` bytes long, keeping its first `keep` bytes and zero-filling the rest, growing
   * the block (with slack, as sds does: double below 1 MiB, else +1 MiB) when needed. Returns the entry.
   */
  private resizeLocked(segment: number, key: Bytes, entry: number, keep: number, length: number): number {
    const t = this.table;
    if (t.valueCapacity(entry) >= length) {
      const start = t.valueStart(entry);
      if (length > keep) this.arena.u8.fill(0, start + keep, start + length);
      t.setValueLength(entry, length);
      return entry;
    }
    const capacity = Math.max(
      length,
      Math.min(length < 1 << 20 ? length * 2 : length + (1 << 20), DEFAULT_MAX_VALUE),
    );
    const created = t.newEntry(segment, t.hashOf(entry), key, length, capacity);
    const from = t.valueStart(entry);
    const to = t.valueStart(created);
    const u8 = this.arena.u8;
    u8.copyWithin(to, from, from + keep);
    if (length > keep) u8.fill(0, to + keep, to + length);
    t.replace(segment, entry, created, t.expireAt(entry));
    return created;
  }

  /** A copy of `source` (any segment, locked) under a new key in `segment`; not linked. */
  private cloneLocked(source: number, segment: number, hash: number, key: Bytes): number {
    const t = this.table;
    const length = t.valueLength(source);
    const created = t.newEntry(segment, hash, key, length, length);
    const from = t.valueStart(source);
    this.arena.u8.copyWithin(t.valueStart(created), from, from + length);
    return created;
  }

  private checkLength(total: number): void {
    if (total > Atomics.load(this.control, H_MAX_VALUE)) throw new CommandError(ERR.stringTooLong);
  }

  // ---- Strings ----

  get(key: Bytes): Buffer | null {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    let expired = false;
    let value: Buffer | null = null;
    this.lockRead(segment);
    try {
      const entry = this.table.find(segment, hash, key);
      if (entry !== 0) {
        if (this.isExpired(entry)) expired = true;
        else value = this.table.valueBuffer(entry);
      }
    } finally {
      this.locks.readRelease(segment);
    }
    if (expired) this.deleteIfExpired(segment, hash, key);
    return value;
  }

  set(key: Bytes, value: Bytes, options?: SetOptions): SetResult {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      const entry = this.findLiveLocked(segment, hash, key);
      const old = options?.returnOld && entry !== 0 ? this.table.valueBuffer(entry) : null;
      const condition = options?.condition;
      if ((condition === 'NX' && entry !== 0) || (condition === 'XX' && entry === 0)) {
        return { written: false, old };
      }
      const at = options?.expireAt ?? (options?.keepTtl && entry !== 0 ? this.table.expireAt(entry) : 0);
      this.storeLocked(segment, hash, key, entry, value, at);
      return { written: true, old };
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  getDel(key: Bytes): Buffer | null {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      const entry = this.findLiveLocked(segment, hash, key);
      if (entry === 0) return null;
      const value = this.table.valueBuffer(entry);
      this.table.remove(segment, entry);
      return value;
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  getEx(key: Bytes, change: GetExChange): Buffer | null {
    if (change === undefined) return this.get(key);
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      const entry = this.findLiveLocked(segment, hash, key);
      if (entry === 0) return null;
      const value = this.table.valueBuffer(entry);
      if ('persist' in change) this.table.setExpireAt(segment, entry, 0);
      else if (change.expireAt <= this.clock())
        this.table.remove(segment, entry); // expire.c checkAlreadyExpired
      else this.table.setExpireAt(segment, entry, change.expireAt);
      return value;
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  mget(keys: readonly Bytes[]): (Buffer | null)[] {
    const hashes = this.hashes(keys);
    const segments = this.segmentsOf(hashes);
    this.lockAll(segments, false);
    try {
      return keys.map((key, i) => {
        const entry = this.findReadableLocked(hashes[i] & this.mask, hashes[i], key);
        return entry === 0 ? null : this.table.valueBuffer(entry);
      });
    } finally {
      this.unlockAll(segments, false);
    }
  }

  mset(keyValues: readonly Bytes[], onlyIfNoneExist: boolean): boolean {
    const keys = keyValues.filter((_, i) => i % 2 === 0);
    const hashes = this.hashes(keys);
    const segments = this.segmentsOf(hashes);
    this.lockAll(segments, true);
    try {
      if (onlyIfNoneExist) {
        for (let i = 0; i < keys.length; i++) {
          if (this.findLiveLocked(hashes[i] & this.mask, hashes[i], keys[i]) !== 0) return false;
        }
      }
      for (let i = 0; i < keys.length; i++) {
        const segment = hashes[i] & this.mask;
        const entry = this.findLiveLocked(segment, hashes[i], keys[i]);
        this.storeLocked(segment, hashes[i], keys[i], entry, keyValues[i * 2 + 1], 0);
      }
      return true;
    } finally {
      this.unlockAll(segments, true);
    }
  }

  append(key: Bytes, value: Bytes): number {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      let entry = this.findLiveLocked(segment, hash, key);
      if (entry === 0) {
        this.checkLength(value.length);
        this.storeLocked(segment, hash, key, 0, value, 0);
        return value.length;
      }
      const length = this.table.valueLength(entry);
      this.checkLength(length + value.length);
      entry = this.resizeLocked(segment, key, entry, length, length + value.length);
      this.writeBytes(this.table.valueStart(entry) + length, value);
      return length + value.length;
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  strlen(key: Bytes): number {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockRead(segment);
    try {
      const entry = this.findReadableLocked(segment, hash, key);
      return entry === 0 ? 0 : this.table.valueLength(entry);
    } finally {
      this.locks.readRelease(segment);
    }
  }

  incrBy(key: Bytes, delta: bigint): bigint {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      const entry = this.findLiveLocked(segment, hash, key);
      const current = entry === 0 ? 0n : storedInteger(this.table.valueView(entry));
      const result = addInt64(current, delta);
      const at = entry === 0 ? 0 : this.table.expireAt(entry); // INCR keeps the TTL
      this.storeLocked(segment, hash, key, entry, Buffer.from(result.toString(), 'latin1'), at);
      return result;
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  incrByFloat(key: Bytes, delta: number): Buffer {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      const entry = this.findLiveLocked(segment, hash, key);
      const current = entry === 0 ? 0 : storedFloat(this.table.valueView(entry));
      const result = current + delta;
      if (!Number.isFinite(result)) throw new CommandError(ERR.nanOrInfinity);
      const text = Buffer.from(formatIncrFloat(result), 'latin1');
      const at = entry === 0 ? 0 : this.table.expireAt(entry);
      this.storeLocked(segment, hash, key, entry, text, at);
      return text;
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  getRange(key: Bytes, start: number, end: number): Buffer {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockRead(segment);
    try {
      const entry = this.findReadableLocked(segment, hash, key);
      if (entry === 0) return Buffer.alloc(0);
      // t_string.c getrangeCommand, step by step.
      if (start < 0 && end < 0 && start > end) return Buffer.alloc(0);
      const length = this.table.valueLength(entry);
      if (start < 0) start = length + start;
      if (end < 0) end = length + end;
      if (start < 0) start = 0;
      if (end < 0) end = 0;
      if (end >= length) end = length - 1;
      if (start > end || length === 0) return Buffer.alloc(0);
      const from = this.table.valueStart(entry) + start;
      return Buffer.from(this.arena.u8.subarray(from, from + end - start + 1));
    } finally {
      this.locks.readRelease(segment);
    }
  }

  setRange(key: Bytes, offset: number, value: Bytes): number {
    if (offset < 0) throw new CommandError(ERR.offsetOutOfRange);
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      // t_string.c setrangeCommand: an empty value never creates a key and only reports the length.
      let entry = this.findLiveLocked(segment, hash, key);
      const length = entry === 0 ? 0 : this.table.valueLength(entry);
      if (value.length === 0) return length;
      this.checkLength(offset + value.length);
      const newLength = Math.max(length, offset + value.length);
      if (entry === 0) {
        entry = this.table.newEntry(segment, hash, key, newLength, newLength);
        this.arena.u8.fill(0, this.table.valueStart(entry), this.table.valueStart(entry) + offset);
        this.table.insert(segment, entry, 0);
      } else if (newLength > length) {
        entry = this.resizeLocked(segment, key, entry, length, newLength);
      }
      this.writeBytes(this.table.valueStart(entry) + offset, value);
      return newLength;
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  // ---- Keyspace ----

  del(keys: readonly Bytes[]): number {
    const hashes = this.hashes(keys);
    const segments = this.segmentsOf(hashes);
    this.lockAll(segments, true);
    try {
      let removed = 0;
      for (let i = 0; i < keys.length; i++) {
        const segment = hashes[i] & this.mask;
        const entry = this.findLiveLocked(segment, hashes[i], keys[i]);
        if (entry !== 0) {
          this.table.remove(segment, entry);
          removed++;
        }
      }
      return removed;
    } finally {
      this.unlockAll(segments, true);
    }
  }

  exists(keys: readonly Bytes[]): number {
    const hashes = this.hashes(keys);
    const segments = this.segmentsOf(hashes);
    this.lockAll(segments, false);
    try {
      let found = 0;
      for (let i = 0; i < keys.length; i++) {
        if (this.findReadableLocked(hashes[i] & this.mask, hashes[i], keys[i]) !== 0) found++;
      }
      return found;
    } finally {
      this.unlockAll(segments, false);
    }
  }

  type(key: Bytes): 'string' | 'none' {
    return this.exists([key]) === 1 ? 'string' : 'none';
  }

  expireAt(key: Bytes, at: number, condition?: ExpireCondition): boolean {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      const entry = this.findLiveLocked(segment, hash, key);
      if (entry === 0) return false;
      // expire.c expireGenericCommand: no expiry counts as an infinite TTL for GT and LT.
      const current = this.table.expireAt(entry);
      if (condition === 'NX' && current !== 0) return false;
      if (condition === 'XX' && current === 0) return false;
      if (condition === 'GT' && (current === 0 || at <= current)) return false;
      if (condition === 'LT' && current !== 0 && at >= current) return false;
      if (at <= this.clock()) this.table.remove(segment, entry);
      else this.table.setExpireAt(segment, entry, at);
      return true;
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  persist(key: Bytes): boolean {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      const entry = this.findLiveLocked(segment, hash, key);
      if (entry === 0 || this.table.expireAt(entry) === 0) return false;
      this.table.setExpireAt(segment, entry, 0);
      return true;
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  pttl(key: Bytes): number {
    const at = this.expireTime(key);
    return at < 0 ? at : Math.max(0, at - this.clock());
  }

  expireTime(key: Bytes): number {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockRead(segment);
    try {
      const entry = this.findReadableLocked(segment, hash, key);
      if (entry === 0) return -2;
      const at = this.table.expireAt(entry);
      return at === 0 ? -1 : at;
    } finally {
      this.locks.readRelease(segment);
    }
  }

  keys(pattern: Bytes): Buffer[] {
    return keysMatching(this.parts, pattern);
  }

  scan(cursor: string, count: number, match?: Bytes): ScanResult {
    return scanStep(this.parts, cursor, count, match);
  }

  randomKey(): Buffer | null {
    return randomLiveKey(this.parts);
  }

  rename(source: Bytes, destination: Bytes, onlyIfNew: boolean): 'ok' | 'missing' | 'exists' {
    const hashes = this.hashes([source, destination]);
    const segments = this.segmentsOf(hashes);
    const [from, to] = [hashes[0] & this.mask, hashes[1] & this.mask];
    this.lockAll(segments, true);
    try {
      const entry = this.findLiveLocked(from, hashes[0], source);
      if (entry === 0) return 'missing';
      if (Buffer.compare(source, destination) === 0) return onlyIfNew ? 'exists' : 'ok'; // db.c renameGenericCommand
      const existing = this.findLiveLocked(to, hashes[1], destination);
      if (existing !== 0 && onlyIfNew) return 'exists';
      const at = this.table.expireAt(entry);
      const moved = this.cloneLocked(entry, to, hashes[1], destination);
      if (existing !== 0) this.table.replace(to, existing, moved, at);
      else this.table.insert(to, moved, at);
      this.table.remove(from, entry);
      return 'ok';
    } finally {
      this.unlockAll(segments, true);
    }
  }

  copy(source: Bytes, destination: Bytes, replace: boolean): boolean {
    // db.c copyCommand checks "same object" before it even looks the source up.
    if (Buffer.compare(source, destination) === 0) throw new CommandError(ERR.sameObject);
    const hashes = this.hashes([source, destination]);
    const segments = this.segmentsOf(hashes);
    const [from, to] = [hashes[0] & this.mask, hashes[1] & this.mask];
    this.lockAll(segments, true);
    try {
      const entry = this.findLiveLocked(from, hashes[0], source);
      if (entry === 0) return false;
      const existing = this.findLiveLocked(to, hashes[1], destination);
      if (existing !== 0 && !replace) return false;
      const copied = this.cloneLocked(entry, to, hashes[1], destination);
      if (existing !== 0) this.table.replace(to, existing, copied, this.table.expireAt(entry));
      else this.table.insert(to, copied, this.table.expireAt(entry));
      return true;
    } finally {
      this.unlockAll(segments, true);
    }
  }

  dbsize(): number {
    let keys = 0;
    for (let s = 0; s < this.segments; s++) keys += this.table.keyCount(s);
    return keys;
  }

  flush(): void {
    const segments = this.allSegments();
    this.lockAll(segments, true);
    try {
      this.arena.reset();
      for (const segment of segments) this.table.initSegment(segment);
    } finally {
      this.unlockAll(segments, true);
    }
  }

  stats(): StoreStats {
    let keys = 0;
    let expires = 0;
    let usedMemory = this.control.byteLength;
    let expiredKeys = 0;
    for (let s = 0; s < this.segments; s++) {
      keys += this.table.keyCount(s);
      expires += this.table.expiresCount(s);
      usedMemory += this.arena.usedBytes(s);
      expiredKeys += this.table.expiredCount(s);
    }
    return {
      keys,
      expires,
      usedMemory,
      reservedMemory: this.arena.byteLength + this.control.byteLength,
      expiredKeys,
    };
  }

  activeExpireCycle(): number {
    return activeExpireStep(this.parts);
  }
}
