// The append-only file's buffer, shared by every thread (Redis's aof_buf): a record is copied here under the
// process-wide append lock, which is what orders the file, and the bytes go to the file in one write when a
// thread ends a client's read (or the buffer fills, or the once-a-second timer runs). Before, each pool worker or
// hybrid loop wrote every record with its own write(2) under the lock: hybrid SET with everysec ran at 0.23x
// Redis against 0.48x with the file off.
//
// Two halves, so that writing to the file does not hold appenders up: records go into the active half under
// the append lock; a thread that writes out takes the flush lock, swaps the halves under the append lock (a few
// word writes), and writes the half it took with only the flush lock held, while other threads keep appending
// into the other half. Flushes are one at a time (the flush lock), each writes everything appended before its
// swap, so the file keeps the order of the appends. Lock order: the flush lock, then the append lock; an
// appender holding the append lock never waits for the flush lock (a block that does not fit is retried after
// a flush, tryAppend). The plain reads and writes here are ordered between threads by those two locks:
// `appended` and the halves' fill under the append lock, `written` and `synced` under the flush lock.
//
// aof-timestamp-enabled (Redis 7.0's feedAppendOnlyFile): a block is preceded by `#TS:<unix seconds>\r\n` when its
// second is later than the last annotation's, whichever thread wrote that; the switch and the last second are
// words here, shared by every thread, so a CONFIG SET on one reaches all and the rule holds across them.
//
// A write that fails (a full disk, EIO: Redis's flushAppendOnlyFile keeps aof_buf and tries again) loses nothing:
// what it did not get into the file is held, after the halves, in a region of this buffer that grows as needed
// (a growable SharedArrayBuffer, so every thread sees it), and the next write-out, by any thread, writes the held
// bytes first, then what it took, in one write. A short write is cut back off the file (ftruncate) so the bytes are
// written again whole; where that fails, only the bytes that did not reach the file are held.

import { FILE_SYSTEM_DISK, writeFully, type AofDisk } from './aof-disk.js';
import { writeLock, writeUnlock } from '../store/rwlock.js';
import { commandLength, writeCommand } from './resp-command.js';

type Argv = readonly Uint8Array[];

/** Records to log: the commands one write made, on the database it ran on. */
export interface LogRecord {
  readonly db: number;
  readonly commands: readonly Argv[];
}

/** Header ints: the flush lock (and its sleeper count), the active half, the bytes in it. */
const FLUSH_LOCK = 0;
const ACTIVE = 2;
const USED = 3;
/** Header f64s (from byte 16): appended, written and synced totals, bytes since start-up. */
const APPENDED = 2;
const WRITTEN = 3;
const SYNCED = 4;
/** f64: the second of the last #TS annotation (Redis's aof_cur_timestamp; append lock). */
const LAST_STAMP = 5;
/** Int: aof-timestamp-enabled (1) or not (0), read at every record. */
const STAMPING = 12;
/** Int: bytes held by a failed write, at the start of the held region (flush lock; read without it by `idle`). */
const HELD = 13;
/** Int: the length of a half, fixed by the first instance, so a buffer grown for held bytes keeps its halves. */
const HALF = 14;
/** Int: the unix second a failed write was last logged in (flush lock): one line per 30 seconds, as Redis. */
const LAST_ERROR_LOG = 15;
const ERROR_LOG_SECONDS = 30;
const DATA = 64;

/** A write-out that did not get everything into the file: the rest is held for the next one. */
export interface WriteFailure {
  /** Node's error of the call that failed. */
  readonly error: unknown;
  /** Bytes of this write-out that reached the file before it failed (a short write), before any cut back. */
  readonly partial: number;
  /** The bytes the write-out tried to write: the held ones and what it took. */
  readonly expected: number;
  /** The short write could not be cut back off the file (ftruncate's error): its bytes stay there. */
  readonly truncateError: unknown;
}

/** The held bytes cannot grow: the buffer reached its maxByteLength while the file could not be written. */
export class HeldBytesFullError extends Error {
  override name = 'HeldBytesFullError';
}

/** tryAppend's answer when the block does not fit in the active half. */
export const NO_ROOM = -1;

const MULTI: Argv = [Buffer.from('MULTI')];
const EXEC: Argv = [Buffer.from('EXEC')];
const MULTI_BYTES = commandLength(MULTI);
const EXEC_BYTES = commandLength(EXEC);
const SELECT = Buffer.from('SELECT');
const DB_NAMES = Array.from({ length: 16 }, (_, db) => Buffer.from(String(db)));
const selectOf = (db: number): Argv => [SELECT, DB_NAMES[db] ?? Buffer.from(String(db))];

export class SharedAppendBuffer {
  private readonly words: Int32Array;
  private readonly totals: Float64Array;
  private readonly halves: [Buffer, Buffer];

  /** `control`: the store's control buffer, whose abandonment mark ends a wait for the flush lock; null: none. */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly control: Int32Array | null,
  ) {
    this.words = new Int32Array(buffer, 0, LAST_ERROR_LOG + 1);
    this.totals = new Float64Array(buffer, 0, LAST_STAMP + 1);
    const initial = Math.floor((buffer.byteLength - DATA) / 2);
    const half = Atomics.compareExchange(this.words, HALF, 0, initial) || initial;
    this.halves = [Buffer.from(buffer, DATA, half), Buffer.from(buffer, DATA + half, half)];
  }

  /** Bytes logged since start-up: the offset just past the last record, in the order of the file (append lock). */
  get appended(): number {
    return this.totals[APPENDED];
  }

  /** Bytes handed to the file (write(2)) so far (flush lock). */
  get written(): number {
    return this.totals[WRITTEN];
  }

  /** Bytes known to be on disk: an fdatasync that began after they were written returned (flush lock). */
  get synced(): number {
    return this.totals[SYNCED];
  }

  markSynced(upTo: number): void {
    if (upTo > this.totals[SYNCED]) this.totals[SYNCED] = upTo;
  }

  /** aof-timestamp-enabled, for every thread. */
  get stamping(): boolean {
    return Atomics.load(this.words, STAMPING) !== 0;
  }

  set stamping(on: boolean) {
    Atomics.store(this.words, STAMPING, on ? 1 : 0);
  }

  /** An annotation written outside the buffer (start-up's base) is the last one: no thread repeats its second. */
  noteStamp(second: number): void {
    if (second > this.totals[LAST_STAMP]) this.totals[LAST_STAMP] = second;
  }

  lockFlush(): void {
    writeLock(this.words, FLUSH_LOCK, this.control);
  }

  unlockFlush(): void {
    writeUnlock(this.words, FLUSH_LOCK);
  }

  /** Whether a block of `bytes` can ever go through the buffer (else: writeThrough). */
  fits(bytes: number): boolean {
    return bytes <= this.halves[0].length;
  }

  /**
   * Append lock held: `records` (one MULTI ... EXEC block if `wrapped`) after the file's last record, which chose
   * database `fileDb`; returns the database the file is on after them, or NO_ROOM when the active half cannot
   * take them (the caller releases the append lock, writes the buffer out and tries again). `second`: the unix
   * second the records were made in, while stamping (0 otherwise).
   */
  tryAppend(fileDb: number, records: readonly LogRecord[], wrapped: boolean, second = 0): number {
    const stamp = this.stampFor(second);
    const bytes = blockLength(fileDb, records, wrapped, stamp);
    const used = this.words[USED];
    const half = this.halves[this.words[ACTIVE]];
    if (used + bytes > half.length) return NO_ROOM;
    const db = writeBlock(half, used, fileDb, records, wrapped, stamp);
    this.words[USED] = used + bytes;
    this.totals[APPENDED] += bytes;
    if (stamp !== 0) this.totals[LAST_STAMP] = stamp;
    return db;
  }

  /** genAofTimestampAnnotationIfNeeded: an annotation only when the second moved past the last one's. */
  private stampFor(second: number): number {
    return second > this.totals[LAST_STAMP] ? second : 0;
  }

  /**
   * Append lock held: the active half's bytes are taken for writing (written by writeTaken, flush lock held) and
   * the other half, written out before, becomes the active one.
   */
  take(): Buffer {
    const active = this.words[ACTIVE];
    const taken = this.halves[active].subarray(0, this.words[USED]);
    this.words[ACTIVE] = 1 - active;
    this.words[USED] = 0;
    return taken;
  }

  /**
   * Flush lock held: the bytes an earlier failure held, then `taken` (what take() returned), in the file with one
   * write; `end`: the appended total when it was taken. Null when all of it went; otherwise what failed, with the
   * rest held (a short write cut back where ftruncate allows).
   */
  writeTaken(
    fd: number,
    taken: Uint8Array,
    end: number,
    disk: AofDisk = FILE_SYSTEM_DISK,
  ): WriteFailure | null {
    const bytes = this.withHeld(taken);
    const result = writeFully(disk, fd, bytes);
    if (result.error === null) {
      this.words[HELD] = 0;
      this.totals[WRITTEN] = end;
      return null;
    }
    let kept = result.written;
    let truncateError: unknown = null;
    if (kept > 0) {
      try {
        disk.truncate(fd, disk.size(fd) - kept);
        kept = 0;
      } catch (error) {
        truncateError = error;
      }
    }
    this.hold(bytes, kept, end);
    return { error: result.error, partial: result.written, expected: bytes.length, truncateError };
  }

  /**
   * Both locks held: what the active half holds, then `records` (when given: a block larger than a half), straight
   * to the file; returns the database the file is on after them, and what failed (null: nothing), the rest held.
   */
  writeThrough(
    fd: number,
    fileDb: number,
    records: readonly LogRecord[] | null,
    wrapped: boolean,
    second = 0,
    disk: AofDisk = FILE_SYSTEM_DISK,
  ): { db: number; failure: WriteFailure | null } {
    const failure = this.writeTaken(fd, this.take(), this.totals[APPENDED], disk);
    if (records === null) return { db: fileDb, failure };
    const { db, block } = this.appendBlock(fileDb, records, wrapped, second);
    if (failure !== null) {
      this.holdAfter(block, this.totals[APPENDED]); // after what the failed write held: not tried again now
      return { db, failure };
    }
    return { db, failure: this.writeTaken(fd, block, this.totals[APPENDED], disk) };
  }

  /** Both locks held: writeThrough where the file cannot be opened: all of it held, nothing written. */
  holdThrough(fileDb: number, records: readonly LogRecord[] | null, wrapped: boolean, second = 0): number {
    this.holdAfter(this.take(), this.totals[APPENDED]);
    if (records === null) return fileDb;
    const { db, block } = this.appendBlock(fileDb, records, wrapped, second);
    this.holdAfter(block, this.totals[APPENDED]);
    return db;
  }

  /** `records` as a block of their own (larger than a half), counted as appended. */
  private appendBlock(
    fileDb: number,
    records: readonly LogRecord[],
    wrapped: boolean,
    second: number,
  ): { db: number; block: Buffer } {
    const stamp = this.stampFor(second);
    const block = Buffer.allocUnsafe(blockLength(fileDb, records, wrapped, stamp));
    const db = writeBlock(block, 0, fileDb, records, wrapped, stamp);
    this.totals[APPENDED] += block.length;
    if (stamp !== 0) this.totals[LAST_STAMP] = stamp;
    return { db, block };
  }

  /**
   * Flush lock held: whether a failed write at unix second `now` may be logged (AOF_WRITE_LOG_ERROR_RATE: one line
   * per 30 seconds, whichever thread's write failed).
   */
  mayLogError(now: number): boolean {
    if (now - this.words[LAST_ERROR_LOG] <= ERROR_LOG_SECONDS) return false;
    this.words[LAST_ERROR_LOG] = now;
    return true;
  }

  /** Flush lock held: bytes a failed write left for the next one (aof_buf's length while it is not empty). */
  get held(): number {
    return this.words[HELD];
  }

  /**
   * Flush lock held: the held bytes are dropped (appendonly turned off: Redis's stopAppendOnly frees aof_buf); they
   * count as written, so nothing waits for them.
   */
  dropHeld(): void {
    this.totals[WRITTEN] += this.words[HELD];
    this.words[HELD] = 0;
  }

  /** `bytes` after the held ones, in the held region (a copy, only while something is held). */
  private withHeld(bytes: Uint8Array): Uint8Array {
    const held = this.words[HELD];
    if (held === 0) return bytes;
    const all = this.heldRegion(held + bytes.length);
    all.set(bytes, held);
    return all;
  }

  /**
   * `bytes` (a write-out that failed, ending at appended total `end`) from `kept` on are held, alone: the file has
   * everything before them (`bytes` may be the held region itself: set copies overlapping bytes correctly).
   */
  private hold(bytes: Uint8Array, kept: number, end: number): void {
    const rest = bytes.length - kept;
    this.heldRegion(rest).set(bytes.subarray(kept), 0);
    this.words[HELD] = rest;
    this.totals[WRITTEN] = end - rest;
  }

  /**
   * Flush lock held: `bytes` (taken, ending at appended total `end`) held after what is held already, not written
   * now (the file could not even be opened).
   */
  holdAfter(bytes: Uint8Array, end: number): void {
    const held = this.words[HELD];
    this.heldRegion(held + bytes.length).set(bytes, held);
    this.words[HELD] = held + bytes.length;
    this.totals[WRITTEN] = end - this.words[HELD];
  }

  /** The first `length` bytes of the held region, the buffer grown (for every thread) when it is shorter. */
  private heldRegion(length: number): Uint8Array {
    const buffer = this.words.buffer as SharedArrayBuffer;
    const start = DATA + 2 * this.halves[0].length; // the halves' end
    if (start + length > buffer.byteLength) {
      if (!buffer.growable || start + length > buffer.maxByteLength) {
        throw new HeldBytesFullError(
          `the append only file cannot be written and its buffer is full (${length} bytes held)`,
        );
      }
      const doubled = start + 2 * (buffer.byteLength - start);
      buffer.grow(Math.min(buffer.maxByteLength, Math.max(start + length, doubled)));
    }
    return new Uint8Array(buffer, start, length);
  }

  /**
   * No lock held: nothing appended waits and no write-out is under way, so everything appended is in the file
   * (what a write-out of everything would find). Lets a thread with nothing to write take no lock, as every
   * thread does while appendonly is off.
   */
  get idle(): boolean {
    return (
      Atomics.load(this.words, USED) === 0 &&
      Atomics.load(this.words, FLUSH_LOCK) === 0 &&
      Atomics.load(this.words, HELD) === 0
    );
  }

  /** Append lock held: bytes appended and not yet taken for writing. */
  get unwritten(): number {
    return this.words[USED];
  }
}

/** `#TS:<second>\r\n`, Redis's timestamp annotation ("TS" kept short: it is in the file every second). */
export function stampBytes(second: number): Buffer {
  return Buffer.from(`#TS:${second}\r\n`, 'latin1');
}

/**
 * The commands a block of records is logged as: the timestamp annotation of `stamp` (when not 0), a SELECT where a
 * record's database is not the one the file is on (before MULTI for a transaction, as Redis writes it: a block then
 * replays whole on one database), then the records' commands, wrapped in MULTI/EXEC for a transaction.
 */
export function blockLength(
  fileDb: number,
  records: readonly LogRecord[],
  wrapped: boolean,
  stamp = 0,
): number {
  let bytes = stamp === 0 ? 0 : 6 + String(stamp).length;
  let db = fileDb;
  if (wrapped) {
    if (records[0].db !== db) bytes += commandLength(selectOf((db = records[0].db)));
    bytes += MULTI_BYTES + EXEC_BYTES;
  }
  for (const record of records) {
    if (record.db !== db) bytes += commandLength(selectOf((db = record.db)));
    for (const command of record.commands) bytes += commandLength(command);
  }
  return bytes;
}

/** blockLength's commands written at `at`; returns the database the file is on after them. */
function writeBlock(
  target: Uint8Array,
  at: number,
  fileDb: number,
  records: readonly LogRecord[],
  wrapped: boolean,
  stamp: number,
): number {
  let db = fileDb;
  if (stamp !== 0) {
    const annotation = stampBytes(stamp);
    target.set(annotation, at);
    at += annotation.length;
  }
  if (wrapped) {
    if (records[0].db !== db) at = writeCommand(target, at, selectOf((db = records[0].db)));
    at = writeCommand(target, at, MULTI);
  }
  for (const record of records) {
    if (record.db !== db) at = writeCommand(target, at, selectOf((db = record.db)));
    for (const command of record.commands) at = writeCommand(target, at, command);
  }
  if (wrapped) writeCommand(target, at, EXEC);
  return db;
}
