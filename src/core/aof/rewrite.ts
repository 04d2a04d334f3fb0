// BGREWRITEAOF's steps: the append-only file replaced by a compact one that replays to the same data, as Redis 7
// writes it with aof-use-rdb-preamble: an RDB of the dataset, then the commands logged since that snapshot.
//
// The cut point. The snapshot is taken holding every segment's read lock, so no logged write is between being
// applied and being logged (with appendonly on, writes are logged under their keys' locks, aof-log.ts; a write
// that began while appendonly was off logs nothing, and the scheduler waits for those to end before the cut,
// rewrite-scheduler.ts); the file's length and last SELECT read then, under the append lock, say where its
// commands after the snapshot begin. The RDB is written to a temporary file with the locks released, by a thread of
// its own (rewrite-worker.ts; clients are served meanwhile, their records keep going to the old file), then the
// old file's commands since the snapshot are
// copied after it: most of them in steps with no lock held, and the last part, under the append lock, with the
// sync, the rename over the old file and a bump of the file's generation, so every thread reopens it before its
// next append. Knows files and the store's snapshot; not who asked, nor when.

import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { Config } from '../config.js';
import type { Snapshot } from '../store/snapshot.js';
import type { KeyValueStore } from '../store/types.js';
import type { RewriteJob } from './rewrite-encoder.js';

export type SnapshotStore = KeyValueStore & { snapshot(whileLocked?: () => void): Snapshot };

/**
 * Runs `section` holding the append lock, with every record logged so far in the file (the shared buffer written
 * out first, aof-log.ts), given the database the file's last SELECT chose; replacesFile: bumps its generation.
 */
export type InFileOrder = (section: (fileDb: number) => void, replacesFile?: boolean) => void;

/** A started rewrite: the snapshot to encode (rewrite-encoder.ts), and where the old file's commands after it begin. */
export interface RewriteCut {
  readonly job: Omit<RewriteJob, 'temp'>;
  readonly offset: number;
  /** The database the file's last SELECT chose at the cut (-1: none yet). */
  readonly fileDb: number;
  /** The snapshot's copy pause, microseconds. */
  readonly pauseMicros: number;
}

/** Tail copies longer than this are done before the append lock is taken, so writers wait only for the rest. */
const LOCKED_TAIL_BYTES = 1 << 20;

/**
 * The snapshot and the file's length at that instant. `logging`: writes are being appended to `file` (else
 * there is nothing after the snapshot to keep, and the file is not created).
 */
export function cutForRewrite(
  store: SnapshotStore,
  file: string,
  config: Config,
  logging: boolean,
  inFileOrder: InFileOrder,
): RewriteCut {
  const at = Date.now();
  let offset = 0;
  let fileDb = -1;
  const handles = store.snapshot(() => {
    if (!logging) return;
    inFileOrder((db) => {
      offset = sizeOf(file);
      fileDb = db;
    });
  });
  const options = {
    compress: config.string('rdbcompression') === 'yes',
    checksum: config.string('rdbchecksum') === 'yes',
    ctime: Math.floor(at / 1000),
    usedMemory: store.stats().usedMemory,
  };
  const job = { control: handles.control, arena: handles.arena, at, options };
  return { job, offset, fileDb, pauseMicros: handles.pauseMicros };
}

/** The temporary file a rewrite of `file` writes. */
export function rewriteTempPath(file: string): string {
  return `${file}.rewrite-${process.pid}.tmp`;
}

/**
 * The old file's commands from `from` to its current end appended to `to` (no lock held: the file only grows
 * while its generation stands); returns where it stopped.
 */
export function copyTailSoFar(file: string, from: number, to: number): number {
  const source = openSync(file, 'r');
  try {
    return copyRange(source, from, to);
  } finally {
    closeSync(source);
  }
}

/**
 * The last step, under the append lock: the rest of the old file's commands, sync, rename over `file`, new
 * generation. `stillWanted` is asked under the lock: false (appendonly was turned off) leaves the old file be.
 * Returns the new file's size, or -1 when it was not wanted.
 */
export function finishRewrite(
  inFileOrder: InFileOrder,
  file: string,
  temp: number,
  tempPath: string,
  copied: number | null,
  stillWanted: () => boolean,
): number {
  let size = -1;
  inFileOrder(() => {
    if (!stillWanted()) return;
    if (copied !== null) copyTailSoFar(file, copied, temp);
    fdatasyncSync(temp);
    renameSync(tempPath, file);
    size = fstatSync(temp).size;
  }, true);
  return size;
}

/** A SELECT of the file's database at the cut, written before the commands since it. */
export function selectCommand(db: number): Buffer {
  const text = String(db);
  return Buffer.from(`*2\r\n$6\r\nSELECT\r\n$${text.length}\r\n${text}\r\n`, 'latin1');
}

export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already renamed into place or never made.
  }
}

/** Whether the rest of the tail is short enough to copy under the append lock. */
export function tailIsShort(file: string, from: number): boolean {
  return sizeOf(file) - from <= LOCKED_TAIL_BYTES;
}

function sizeOf(file: string): number {
  const fd = openSync(file, 'a');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

function copyRange(source: number, from: number, to: number): number {
  const buffer = Buffer.allocUnsafe(1 << 20);
  let at = from;
  for (;;) {
    const read = readSync(source, buffer, 0, buffer.length, at);
    if (read === 0) return at;
    writeAll(to, buffer.subarray(0, read));
    at += read;
  }
}
