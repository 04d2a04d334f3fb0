// The calls that put the append-only file on disk (write(2), fdatasync, ftruncate, fstat), as one seam: the file
// system's by default, another where a test plays a full or failing disk (aof-fault-switch.ts; the unit tests'
// own). Knows nothing of what is written or when.

import { fdatasync, fdatasyncSync, fstatSync, ftruncateSync, writeSync } from 'node:fs';

export interface AofDisk {
  /** write(2): how many bytes went (possibly fewer than `length`); throws the failure (a Node error with `code`). */
  write(fd: number, bytes: Uint8Array, offset: number, length: number): number;
  /** fdatasync(2), waited for (appendfsync always, SHUTDOWN, turning the file off). */
  sync(fd: number): void;
  /** fdatasync(2) on libuv's thread pool (appendfsync everysec): `done` gets its failure or null. */
  syncInBackground(fd: number, done: (error: Error | null) => void): void;
  /** ftruncate(2): a short write cut back off the file. */
  truncate(fd: number, length: number): void;
  /** The file's length (fstat). */
  size(fd: number): number;
}

export const FILE_SYSTEM_DISK: AofDisk = {
  write: (fd, bytes, offset, length) => writeSync(fd, bytes, offset, length),
  sync: (fd) => fdatasyncSync(fd),
  syncInBackground: (fd, done) => fdatasync(fd, done),
  truncate: (fd, length) => ftruncateSync(fd, length),
  size: (fd) => fstatSync(fd).size,
};

/** What a write of `bytes` left: how many of them reached the file, and the failure that stopped it (or null). */
export interface WriteResult {
  readonly written: number;
  readonly error: unknown;
}

/**
 * aofWrite: write(2) again after a short write until all of `bytes` went or a call failed (then the bytes that
 * went before it, as Redis returns totwritten, with the failure). Node retries EINTR itself.
 */
export function writeFully(disk: AofDisk, fd: number, bytes: Uint8Array): WriteResult {
  let written = 0;
  try {
    while (written < bytes.length) written += disk.write(fd, bytes, written, bytes.length - written);
  } catch (error) {
    return { written, error };
  }
  return { written, error: null };
}
