// Starts the AOF rewrite's encoder thread (rewrite-worker.ts) on a snapshot and waits for it: the RDB part of the
// rewrite leaves the main thread, which keeps serving (the event loop's clients) or accepting (the others).
// The thread runs the compiled module beside this one, or under vitest (TypeScript sources) the build's.

import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RdbSaveOptions } from '../rdb/file.js';
import { packageRoot } from '../../transport/threadpool/native.js';

/** What the encoder thread is given (workerData). */
export interface RewriteJob {
  readonly control: SharedArrayBuffer;
  readonly arena: SharedArrayBuffer;
  /** The snapshot's time: what had expired by then is left out. */
  readonly at: number;
  readonly temp: string;
  readonly options: RdbSaveOptions;
  /** The base's form: an RDB (aof-use-rdb-preamble yes) or the commands that rebuild the data. */
  readonly base: BaseFormat;
  /** aof-rewrite-incremental-fsync: an fdatasync every this many bytes (0: only at the end). */
  readonly autosync: number;
}

/**
 * What a rewrite writes as the base: an RDB, or commands (with the #TS annotation's second when
 * aof-timestamp-enabled is on, else null).
 */
export type BaseFormat =
  { readonly kind: 'rdb' } | { readonly kind: 'commands'; readonly stamp: number | null };

export type RewriteWorkerReply = { ok: true; bytes: number } | { ok: false; message: string };

function workerUrl(moduleUrl: string = import.meta.url): URL {
  if (moduleUrl.endsWith('.js')) return new URL('./rewrite-worker.js', moduleUrl);
  const root = packageRoot(fileURLToPath(moduleUrl)) ?? fileURLToPath(new URL('../../..', moduleUrl));
  return pathToFileURL(join(root, 'dist', 'src', 'core', 'aof', 'rewrite-worker.js'));
}

/** A running encoder: `done` resolves with the RDB's size in bytes; cancel() stops it. */
export interface Encoding {
  readonly done: Promise<number>;
  cancel(): Promise<void>;
}

export function encodeInWorker(job: RewriteJob): Encoding {
  const worker = new Worker(workerUrl(), { workerData: job });
  const done = new Promise<number>((resolve, reject) => {
    worker.once('message', (reply: RewriteWorkerReply) =>
      reply.ok ? resolve(reply.bytes) : reject(new Error(reply.message)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the rewrite's encoder exited (${code})`)));
  });
  done.catch(() => undefined); // a cancelled one is not waited for
  return {
    done,
    cancel: async () => {
      await worker.terminate();
    },
  };
}
