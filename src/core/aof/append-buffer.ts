// The append-only file's buffer, shared by every thread (Redis's aof_buf): a record is copied here under the
// process-wide append lock, which is what orders the file, and the bytes go to the file in one write when a
// thread ends a client's read (or the buffer fills, or the once-a-second timer runs). Before, each pool worker or
// hybrid loop wrote every record with its own write(2) under the lock: hybrid SET with everysec ran at 0.23x
// Redis against 0.48x with the file off. Every method is called holding the append lock (store.appendInOrder),
// which orders these plain reads and writes between threads.

import { writeSync } from 'node:fs';
import { commandLength, writeCommand } from './resp-command.js';

type Argv = readonly Uint8Array[];

/** Records to log: the commands one write made, on the database it ran on. */
export interface LogRecord {
  readonly db: number;
  readonly commands: readonly Argv[];
}

/** The buffer (any size; the store allocates it): appended, written and synced totals (f64), then the data. */
const APPENDED = 0;
const WRITTEN = 1;
const SYNCED = 2;
const DATA = 32;

const MULTI: Argv = [Buffer.from('MULTI')];
const EXEC: Argv = [Buffer.from('EXEC')];
const MULTI_BYTES = commandLength(MULTI);
const EXEC_BYTES = commandLength(EXEC);
const SELECT = Buffer.from('SELECT');
const DB_NAMES = Array.from({ length: 16 }, (_, db) => Buffer.from(String(db)));
const selectOf = (db: number): Argv => [SELECT, DB_NAMES[db] ?? Buffer.from(String(db))];

export class SharedAppendBuffer {
  private readonly totals: Float64Array;
  private readonly data: Buffer;

  constructor(buffer: SharedArrayBuffer) {
    this.totals = new Float64Array(buffer, 0, 3);
    this.data = Buffer.from(buffer, DATA, buffer.byteLength - DATA);
  }

  /** Bytes logged since start-up: the offset just past the last record, in the order of the file. */
  get appended(): number {
    return this.totals[APPENDED];
  }

  /** Bytes handed to the file (write(2)) so far. */
  get written(): number {
    return this.totals[WRITTEN];
  }

  /** Bytes known to be on disk (an fdatasync that began after they were written returned). */
  get synced(): number {
    return this.totals[SYNCED];
  }

  markSynced(upTo: number): void {
    if (upTo > this.totals[SYNCED]) this.totals[SYNCED] = upTo;
  }

  /**
   * Appends `records` (one MULTI ... EXEC block if `wrapped`) after the file's last record, which chose database
   * `fileDb`, and returns the database the file is on after them. What does not fit is made room for by
   * writing the buffer to `fd` first; a block larger than the whole buffer goes straight to `fd`.
   */
  append(fd: number, fileDb: number, records: readonly LogRecord[], wrapped: boolean): number {
    // Measured first, then written: one pass each, no array of commands built (this runs for every write).
    const bytes = blockLength(fileDb, records, wrapped);
    let used = this.totals[APPENDED] - this.totals[WRITTEN];
    if (used + bytes > this.data.length) {
      this.writeTo(fd);
      used = 0;
    }
    let db: number;
    if (bytes > this.data.length) {
      const block = Buffer.allocUnsafe(bytes);
      db = writeBlock(block, 0, fileDb, records, wrapped);
      writeAll(fd, block);
      this.totals[APPENDED] += bytes;
      this.totals[WRITTEN] = this.totals[APPENDED];
      return db;
    }
    db = writeBlock(this.data, used, fileDb, records, wrapped);
    this.totals[APPENDED] += bytes;
    return db;
  }

  /** Everything appended and not yet written goes to `fd`, in one write. */
  writeTo(fd: number): void {
    const used = this.totals[APPENDED] - this.totals[WRITTEN];
    if (used === 0) return;
    writeAll(fd, this.data.subarray(0, used));
    this.totals[WRITTEN] = this.totals[APPENDED];
  }
}

/**
 * The commands a block of records is logged as: a SELECT where a record's database is not the one the file is
 * on (before MULTI for a transaction, as Redis writes it: a block then replays whole on one database), then the
 * records' commands, wrapped in MULTI/EXEC for a transaction.
 */
function blockLength(fileDb: number, records: readonly LogRecord[], wrapped: boolean): number {
  let bytes = 0;
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
): number {
  let db = fileDb;
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

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}
