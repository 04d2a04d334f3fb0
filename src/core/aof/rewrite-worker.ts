// The AOF rewrite's encoder, a worker thread of its own (entry point; runs as compiled JavaScript from dist/):
// Redis forks a child to write the rewrite's RDB so its main thread keeps serving; here a thread takes that part.
// It attaches to the snapshot's buffers (shared memory that nothing else writes, rewrite.ts's cut), encodes them
// as the base (an RDB, or commands: rewrite-commands.ts) into the temporary file, syncs it and says so. Knows
// nothing of the file's commands after the cut.

import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { IncrementalSync } from '../incremental-sync.js';
import { encodeRdb } from '../rdb/file.js';
import { storeDatabases } from '../rdb/store-io.js';
import { SharedStore } from '../store/store.js';
import { encodeAofCommands } from './rewrite-commands.js';
import type { RewriteJob, RewriteWorkerReply } from './rewrite-encoder.js';

if (parentPort === null) throw new Error('rewrite-worker.ts is a worker_threads entry point');
const port = parentPort;
const job = workerData as RewriteJob;

function encode(): number {
  const copy = SharedStore.attach({ control: job.control, arena: job.arena }, () => job.at);
  const fd = openSync(job.temp, 'w');
  let bytes = 0;
  try {
    const databases = storeDatabases(copy);
    const chunks =
      job.base.kind === 'rdb'
        ? encodeRdb(databases, job.options)
        : encodeAofCommands(databases, job.base.stamp, job.options.functions);
    const out = new IncrementalSync(fd, job.autosync);
    for (const chunk of chunks) {
      out.write(chunk);
      bytes += chunk.length;
    }
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

let reply: RewriteWorkerReply;
try {
  reply = { ok: true, bytes: encode() };
} catch (error) {
  reply = { ok: false, message: (error as Error).message };
}
port.postMessage(reply);
