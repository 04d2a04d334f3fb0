// Writes a large file (a dump, a rewrite's base) to its descriptor with an fdatasync every REDIS_AUTOSYNC_BYTES
// written, as Redis's rio does with rdb-save-incremental-fsync / aof-rewrite-incremental-fsync (rioSetAutoSync):
// the kernel never holds a whole file's dirty pages for one sync at the end, whose flush would stall every other
// write to the disk (the append-only file's among them). Redis uses sync_file_range where it can; Node has no
// binding for it, so this is rio's portable branch (redis_fsync at each boundary). Knows descriptors, not content.

import { fdatasyncSync, writeSync } from 'node:fs';

/** server.h REDIS_AUTOSYNC_BYTES. */
export const AUTOSYNC_BYTES = 4 * 1024 * 1024;

export type WriteAll = (fd: number, bytes: Buffer) => void;

export const writeAllSync: WriteAll = (fd, bytes) => {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
};

export class IncrementalSync {
  /** Bytes written since the last sync (rio's io.file.buffered). */
  private sinceSync = 0;

  constructor(
    private readonly fd: number,
    /** Sync every this many bytes; 0: never (the setting is off). */
    private readonly every: number,
    private readonly writeAll: WriteAll = writeAllSync,
    private readonly sync: (fd: number) => void = fdatasyncSync,
  ) {}

  /** rioFileWrite with autosync: no single write crosses a boundary; each boundary reached is synced. */
  write(bytes: Buffer): void {
    if (this.every === 0) return this.writeAll(this.fd, bytes);
    for (let at = 0; at < bytes.length;) {
      const take = Math.min(this.every - this.sinceSync, bytes.length - at);
      this.writeAll(this.fd, take === bytes.length ? bytes : bytes.subarray(at, at + take));
      at += take;
      this.sinceSync += take;
      if (this.sinceSync >= this.every) {
        this.sync(this.fd);
        this.sinceSync = 0;
      }
    }
  }
}
