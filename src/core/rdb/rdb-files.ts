// Writing and reading the dump file as Redis does (rdb.c rdbSave): the bytes go to a temporary file in the
// same directory, which is fsynced and then renamed over the dump, so a crash or a failed write at any point
// leaves the previous dump whole; with rdb-save-incremental-fsync, synced every 4 MB on the way (incremental-sync.ts).
// Knows files and chunks, not what they contain.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { IncrementalSync } from '../incremental-sync.js';

/** The temporary file's name next to `path` (Redis: temp-<pid>.rdb; a thread id too, as threads may save). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `temp-${process.pid}-${threadId}.rdb`);
}

/** Seam for tests: how bytes reach the disk (a failing one simulates a full disk mid-save). */
export interface FileSink {
  writeSync(fd: number, chunk: Buffer): void;
}

const NODE_SINK: FileSink = {
  writeSync(fd, chunk) {
    let done = 0;
    while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
  },
};

/**
 * Writes every chunk, fsyncs and renames; on failure the temporary file is removed and the error thrown.
 * `autosync`: an fdatasync every this many bytes on the way (0: only the one at the end).
 */
export function writeFileAtomically(
  path: string,
  chunks: Iterable<Buffer>,
  sink: FileSink = NODE_SINK,
  autosync = 0,
  sync?: (fd: number) => void,
): void {
  const temp = tempPathFor(path);
  const fd = openSync(temp, 'w');
  try {
    const out = new IncrementalSync(fd, autosync, (to, bytes) => sink.writeSync(to, bytes), sync);
    for (const chunk of chunks) out.write(chunk);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    removeQuietly(temp);
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
}

/**
 * The same, yielding to the event loop between chunks (BGSAVE on a thread that serves clients), with the
 * fsync on libuv's thread pool.
 */
export async function writeFileAtomicallyAsync(
  path: string,
  chunks: Iterator<Buffer>,
  sink: FileSink = NODE_SINK,
  autosync = 0,
): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'w');
  try {
    const out = new IncrementalSync(handle.fd, autosync, (to, bytes) => sink.writeSync(to, bytes));
    for (;;) {
      const next = chunks.next();
      if (next.done === true) break;
      out.write(next.value);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    removeQuietly(temp);
    throw error;
  }
  await handle.close();
  renameSync(temp, path);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or the directory itself is unwritable: nothing more to do.
  }
}

/** The dump's bytes, or null when there is none. */
export function readDumpFile(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
