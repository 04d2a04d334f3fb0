// The server's one slow log (slowlog.c), in a growable SharedArrayBuffer every thread attaches to: the pool's
// workers and the hybrid's loops log into it and SLOWLOG on any of them reads every entry, numbered by one id
// sequence. Entries sit oldest to newest between two offsets (slowlog-entry.ts: each tagged with its size at both
// ends); a new one goes at the end, trimming drops from the start, and the live bytes are moved back to the front
// when the end reaches the buffer's (growing it when they fill more than half).
//
// What a command pays when it is not slow: one comparison of its time with `gate[0]` (executor.ts), a Float64 of
// the buffer read without a lock. The gate is slowlog-log-slower-than, +Infinity while that is negative (off),
// and -Infinity after a CONFIG SET of either setting, so that command's end does what every command's end does
// in Redis (slowlogPushEntryIfNeeded): trim to slowlog-max-len when the log is on. The gate also lets through
// what the latency monitor samples (its latency-monitor-threshold, the floor), so that it costs no comparison
// of its own.
//
// LOCKING: one lock (owned-lock.ts) guards the offsets, the count and the next id; a leaf, taken with no other
// lock held and holding none. Knows entries' bytes; nothing of commands, clients or threads.

import { OwnedLock } from '../owned-lock.js';
import {
  decodeEntry,
  encodeEntry,
  entrySize,
  type NewSlowlogEntry,
  type SlowlogEntry,
  setEntryId,
  sizeBefore,
} from './slowlog-entry.js';

// ---- Header: Int32 words, then Float64s. ----
const H_LOCK = 0; // and word 1, its sleepers (owned-lock.ts)
const H_COUNT = 2;
const H_START = 3; // byte offset of the oldest entry
const H_END = 4; // byte offset past the newest
const F_GATE = 4; // Float64 index (byte 32): what a command's time is compared with
const F_THRESHOLD = 5; // slowlog-log-slower-than
const F_MAX_LEN = 6; // slowlog-max-len
const F_NEXT_ID = 7;
const F_FLOOR = 3; // Float64 (byte 24): the latency monitor's threshold in µs, +Infinity while it is off
const DATA = 64;

const INITIAL_BYTES = 64 * 1024;
/** Room for 256 MiB of entries (128 entries of 32 full arguments are under 1 MiB). */
const MAX_BYTES = 256 * 1024 * 1024;

export type SlowlogHandles = SharedArrayBuffer;

export class SharedSlowLog {
  /** A command whose microseconds reach gate[0] calls commandEnded (see the file's head). */
  readonly gate: Float64Array;
  private readonly words: Int32Array;
  private readonly floats: Float64Array;
  private readonly mutex: OwnedLock;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, 8);
    this.floats = new Float64Array(buffer, 0, DATA / 8);
    this.gate = new Float64Array(buffer, F_GATE * 8, 1);
    this.mutex = new OwnedLock(this.words, H_LOCK, 'slow log');
  }

  /** An empty log with Redis's defaults (slowlog-log-slower-than 10000, slowlog-max-len 128). */
  static create(threshold = 10000, maxLen = 128): SharedSlowLog {
    const log = new SharedSlowLog(new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES }));
    log.words[H_START] = log.words[H_END] = DATA;
    log.floats[F_THRESHOLD] = threshold;
    log.floats[F_MAX_LEN] = maxLen;
    log.floats[F_FLOOR] = Infinity;
    log.gate[0] = gateFor(threshold, Infinity);
    return log;
  }

  static attach(buffer: SlowlogHandles): SharedSlowLog {
    return new SharedSlowLog(buffer);
  }

  handles(): SlowlogHandles {
    return this.buffer;
  }

  /** slowlog-log-slower-than, microseconds; negative: the log is off. */
  threshold(): number {
    return this.floats[F_THRESHOLD];
  }

  /** CONFIG SET slowlog-log-slower-than (any thread). */
  setThreshold(microseconds: number): void {
    this.mutex.locked(() => {
      this.floats[F_THRESHOLD] = microseconds;
      this.gate[0] = -Infinity; // this command's end trims, as Redis's does
    });
  }

  /** CONFIG SET latency-monitor-threshold (any thread): commands of `microseconds` or more pass the gate too. */
  setLatencyFloor(microseconds: number): void {
    this.mutex.locked(() => {
      this.floats[F_FLOOR] = microseconds;
      this.gate[0] = -Infinity;
    });
  }

  /** CONFIG SET slowlog-max-len (any thread). */
  setMaxLen(entries: number): void {
    this.mutex.locked(() => {
      this.floats[F_MAX_LEN] = entries;
      this.gate[0] = -Infinity;
    });
  }

  /**
   * The end of a command that reached the gate (slowlogPushEntryIfNeeded): while the log is on, `entry` (null: it
   * was not slow enough) is logged, numbered next, and the log trimmed to slowlog-max-len. Then the gate is the
   * threshold again. An entry is given its number even when slowlog-max-len 0 drops it at once, as Redis's.
   */
  commandEnded(entry: NewSlowlogEntry | null): void {
    const bytes = entry === null ? null : encodeEntry(entry);
    this.mutex.locked(() => {
      const threshold = this.floats[F_THRESHOLD];
      this.gate[0] = gateFor(threshold, this.floats[F_FLOOR]);
      if (threshold < 0) return;
      if (bytes !== null) this.append(bytes);
      this.trimTo(this.floats[F_MAX_LEN]);
    });
  }

  /** SLOWLOG LEN. */
  length(): number {
    return this.mutex.locked(() => this.words[H_COUNT]);
  }

  /** SLOWLOG GET: up to `count` entries, newest first. */
  newest(count: number): SlowlogEntry[] {
    return this.mutex.locked(() => {
      const view = new DataView(this.buffer);
      const bytes = new Uint8Array(this.buffer);
      const out: SlowlogEntry[] = [];
      const start = this.words[H_START];
      for (let end = this.words[H_END]; out.length < count && end > start;) {
        const at = end - sizeBefore(view, end);
        out.push(decodeEntry(view, bytes, at));
        end = at;
      }
      return out;
    });
  }

  /** SLOWLOG RESET: every entry goes; the ids go on from where they were. */
  reset(): void {
    this.mutex.locked(() => {
      this.words[H_COUNT] = 0;
      this.words[H_START] = this.words[H_END] = DATA;
    });
  }

  /** The thread `deadThreadId` died (main thread only): a hold of the lock it died with is undone. */
  releaseDeadHolder(deadThreadId: number): void {
    this.mutex.releaseDeadHolder(deadThreadId);
  }

  // ---- Lock held ----

  private append(bytes: Buffer): void {
    const id = this.floats[F_NEXT_ID];
    this.floats[F_NEXT_ID] = id + 1;
    if (!this.makeRoom(bytes.length)) return; // larger than the whole log could ever hold: dropped
    const end = this.words[H_END];
    new Uint8Array(this.buffer).set(bytes, end);
    setEntryId(new DataView(this.buffer), end, id);
    this.words[H_END] = end + bytes.length;
    this.words[H_COUNT] += 1;
  }

  /** Room for `size` more bytes at the end: the live entries moved to the front, the buffer grown, or the oldest dropped. */
  private makeRoom(size: number): boolean {
    if (DATA + size > MAX_BYTES) return false;
    for (;;) {
      if (this.words[H_END] + size <= this.buffer.byteLength) return true;
      const start = this.words[H_START];
      const live = this.words[H_END] - start;
      if (start > DATA) {
        new Uint8Array(this.buffer).copyWithin(DATA, start, start + live);
        this.words[H_START] = DATA;
        this.words[H_END] = DATA + live;
        if (2 * (live + size) <= this.buffer.byteLength) continue;
      }
      if (this.buffer.byteLength < MAX_BYTES) {
        const wanted = Math.max(2 * this.buffer.byteLength, 2 * (DATA + live + size));
        this.buffer.grow(Math.min(MAX_BYTES, wanted));
        continue;
      }
      this.dropOldest();
    }
  }

  private trimTo(maxLen: number): void {
    while (this.words[H_COUNT] > maxLen) this.dropOldest();
  }

  private dropOldest(): void {
    const start = this.words[H_START];
    this.words[H_START] = start + entrySize(new DataView(this.buffer), start);
    this.words[H_COUNT] -= 1;
    if (this.words[H_COUNT] === 0) this.words[H_START] = this.words[H_END] = DATA;
  }
}

/** What a command's time is compared with: the threshold (+Infinity while negative: off), or the floor if lower. */
function gateFor(threshold: number, floor: number): number {
  return Math.min(threshold < 0 ? Infinity : threshold, floor);
}
