// BGREWRITEAOF: the append-only file replaced by a compact one that replays to the same data, as Redis 7 writes
// it with aof-use-rdb-preamble: an RDB of the dataset, then the commands logged since that snapshot. The snapshot
// is taken holding every segment's read lock, so no write is between being applied and being logged (writes are
// logged under their keys' locks, aof-log.ts); the file's length and last SELECT at that instant say where its
// commands after the snapshot begin. The RDB is written to a temporary file with the locks released (clients are
// served meanwhile; their records keep going to the old file), then, under the append lock, the old file's commands
// since the snapshot are copied after it, the temporary file is synced and renamed over the old one, and the file's
// generation is bumped so every thread reopens it before its next append. The rewrite runs on the thread of the
// client that asked, which waits for it (Redis forks a child and answers at once).

import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import type { Config } from '../config.js';
import { encodeRdb } from '../rdb/file.js';
import { storeDatabases } from '../rdb/store-io.js';
import type { Snapshot } from '../store/snapshot.js';
import { SharedStore } from '../store/store.js';
import type { KeyValueStore } from '../store/types.js';

type SnapshotStore = KeyValueStore & { snapshot(whileLocked?: () => void): Snapshot };

export function rewriteAppendOnlyFile(store: KeyValueStore, file: string, config: Config): void {
  if (!('snapshot' in store)) throw new Error('BGREWRITEAOF needs a store that can take a snapshot');
  const at = Date.now();
  // The file as it is while no write can be half done: its length, and the database its last SELECT chose.
  let offset = 0;
  let fileDb = -1;
  const handles = (store as SnapshotStore).snapshot(() => {
    store.appendInOrder((db) => {
      offset = sizeOf(file);
      fileDb = db;
      return db;
    });
  });
  const copy = SharedStore.attach(handles, () => at);
  const temp = `${file}.rewrite-${process.pid}-${Math.floor(Math.random() * 1e9)}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    for (const chunk of encodeRdb(storeDatabases(copy), {
      compress: config.string('rdbcompression') === 'yes',
      checksum: config.string('rdbchecksum') === 'yes',
      ctime: Math.floor(at / 1000),
      usedMemory: store.stats().usedMemory,
    })) {
      writeAll(fd, chunk);
    }
    store.appendInOrder((db) => {
      // The commands logged since the snapshot, on the database the file was on then.
      if (fileDb >= 0) writeAll(fd, selectCommand(fileDb));
      copyTail(file, offset, fd);
      fdatasyncSync(fd);
      renameSync(temp, file);
      return db;
    }, true);
  } finally {
    closeSync(fd);
  }
}

function sizeOf(file: string): number {
  const fd = openSync(file, 'a');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

function copyTail(file: string, from: number, to: number): void {
  const source = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let at = from; ;) {
      const read = readSync(source, buffer, 0, buffer.length, at);
      if (read === 0) return;
      writeAll(to, buffer.subarray(0, read));
      at += read;
    }
  } finally {
    closeSync(source);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

function selectCommand(db: number): Buffer {
  const text = String(db);
  return Buffer.from(`*2\r\n$6\r\nSELECT\r\n$${text.length}\r\n${text}\r\n`, 'latin1');
}
