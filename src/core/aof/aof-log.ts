// One thread's writer of the append-only file. Every thread that runs commands (the event loop, each pool worker,
// each hybrid loop) opens the file itself (O_APPEND) and appends what it ran, while it still holds the locks of the
// keys the command touched (executor.ts, transaction.ts) and the process-wide append lock (store.appendInOrder):
// so two writes to one key reach the file in the order they were applied, whichever threads made them, a
// transaction's commands are one block wrapped in MULTI/EXEC, and a SELECT is written only when the file's
// database changes. appendfsync always: the data is on disk (fdatasync, after the append lock is released, so
// threads' syncs overlap) before the command's reply is written; everysec: the server's timer syncs once a second
// (syncEverySecond); no: the kernel decides.

import { closeSync, fdatasync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Reply } from '../reply.js';
import type { KeyValueStore } from '../store/types.js';
import { asLogged } from './as-logged.js';
import { rewriteAppendOnlyFile } from './rewrite.js';

type Argv = readonly Uint8Array[];

/** The RESP bytes of one command: *N, then $len and the bytes of each argument (one allocation). */
export function encodeCommand(argv: Argv): Buffer {
  let size = 3 + String(argv.length).length;
  for (const arg of argv) size += 5 + String(arg.length).length + arg.length;
  const out = Buffer.allocUnsafe(size);
  let at = out.write(`*${argv.length}\r\n`, 0, 'latin1');
  for (const arg of argv) {
    at += out.write(`$${arg.length}\r\n`, at, 'latin1');
    out.set(arg, at);
    at += arg.length;
    out[at++] = 13;
    out[at++] = 10;
  }
  return out;
}

const MULTI = encodeCommand([Buffer.from('MULTI')]);
const EXEC = encodeCommand([Buffer.from('EXEC')]);

/** The file's path for this configuration: dir and appendfilename. */
export function aofPath(config: Config): string {
  return path.join(config.string('dir'), config.string('appendfilename'));
}

/** A command that may change data, what the client it came from was on, and what it replied. */
interface Pending {
  readonly db: number;
  readonly commands: Buffer[];
}

export class AofLog {
  private fd: number;
  /** The file generation `fd` was opened at (store.appendInOrder's): a rewrite replaced the file after it. */
  private generation = -1;
  /** A transaction's commands while EXEC runs them, written as one block when it ends. */
  private transaction: Pending[] | null = null;
  private readonly path: string;
  private written = 0;
  private syncing = false;
  /** Records appended since the last endOfBatch (batching), or whether a sync is owed (appendfsync always). */
  private batch: Pending[] = [];
  private unsynced = false;

  constructor(
    file: string,
    private readonly store: KeyValueStore,
    private readonly config: Config,
    private readonly clock: () => number,
    /**
     * Only this thread writes the file (the event loop): records wait for the end of the client's read and go
     * out in one write. With several writing threads each record is written at once, under its keys' locks.
     */
    private readonly batching = false,
  ) {
    this.fd = openSync(file, 'a');
    this.path = file;
  }

  get needsKeyLocks(): boolean {
    return !this.batching;
  }

  /** Bytes this thread appended (INFO aof_current_size counts the file itself). */
  get bytesWritten(): number {
    return this.written;
  }

  /** A write command ran on database `db` and replied `reply` (not an error): log what replays it. */
  record(name: string, argv: Argv, reply: Reply, db: number): void {
    const commands = asLogged(name, argv, reply, this.clock()).map(encodeCommand);
    if (commands.length === 0) return;
    if (this.transaction !== null) this.transaction.push({ db, commands });
    else this.append([{ db, commands }], false);
  }

  /** A key was removed without a command naming it (it expired, or was evicted): log its DEL. */
  recordDeletion(db: number, key: Uint8Array): void {
    const del = encodeCommand([Buffer.from('DEL'), key]);
    if (this.transaction !== null) this.transaction.push({ db, commands: [del] });
    else this.append([{ db, commands: [del] }], false);
  }

  /** A command already in the form to log (a served blocking pop), run on `db` under its keys' locks. */
  recordCommand(db: number, argv: Argv): void {
    const commands = [encodeCommand(argv)];
    if (this.transaction !== null) this.transaction.push({ db, commands });
    else this.append([{ db, commands }], false);
  }

  /** The client's read was run: batched records written, and synced for appendfsync always (group commit). */
  endOfBatch(): void {
    if (this.batch.length > 0) {
      const batch = this.batch;
      this.batch = [];
      this.write(batch, false);
    }
    if (this.unsynced) {
      this.unsynced = false;
      fdatasyncSync(this.fd);
    }
  }

  /** EXEC starts running its commands: hold their records until it ends. */
  beginTransaction(): void {
    this.transaction = [];
  }

  /** EXEC ended (still holding its keys' locks): its records as one MULTI ... EXEC block, if it wrote anything. */
  endTransaction(): void {
    const pending = this.transaction;
    this.transaction = null;
    if (pending !== null && pending.length > 0) this.append(pending, true);
  }

  /**
   * appendfsync everysec's sync, from the server's once-a-second timer on one thread (any descriptor syncs the
   * file), on libuv's thread pool so the loop does not wait for the disk; one at a time.
   */
  syncEverySecond(logger: { error(obj: object, msg: string): void }): void {
    this.endOfBatch(); // what a timer logged (an expired key's DEL) since the last read
    if (this.syncing || this.config.string('appendfsync') !== 'everysec') return;
    this.syncing = true;
    fdatasync(this.fd, (error) => {
      this.syncing = false;
      if (error !== null) logger.error({ err: error }, 'fsync of the append only file failed');
    });
  }

  /** SHUTDOWN (finishShutdown's flushAppendOnlyFile(1) and fsync): what this thread holds written, the file synced. */
  flushAndSync(): void {
    this.endOfBatch();
    // Other threads' records are in the file already; sync the file they are in (a rewrite may have replaced it).
    this.store.appendInOrder((fileDb, generation) => {
      this.reopenIfReplaced(generation);
      return fileDb;
    });
    fdatasyncSync(this.fd);
  }

  close(): void {
    this.endOfBatch();
    closeSync(this.fd);
  }

  private append(pending: readonly Pending[], wrapped: boolean): void {
    if (this.batching && !wrapped) {
      this.batch.push(...pending);
    } else {
      if (this.batching && this.batch.length > 0) this.endOfBatch(); // keep the file in order
      this.write(pending, wrapped);
    }
    if (this.config.string('appendfsync') === 'always') this.unsynced = true;
  }

  /** BGREWRITEAOF put a new file in place since this thread opened its descriptor (append lock held). */
  private reopenIfReplaced(generation: number): void {
    if (this.generation === generation) return;
    // The first append reopens too: a rewrite may have come between this thread's open and now.
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.generation = generation;
  }

  /**
   * BGREWRITEAOF (rewrite.ts): this thread's records are flushed first, so the snapshot the rewrite takes is
   * exactly the file's contents up to its end at that moment.
   */
  rewrite(): void {
    this.endOfBatch();
    rewriteAppendOnlyFile(this.store, this.path, this.config);
  }

  private write(pending: readonly Pending[], wrapped: boolean): void {
    this.store.appendInOrder((fileDb, generation) => {
      this.reopenIfReplaced(generation);
      const parts: Buffer[] = [];
      let db = fileDb;
      if (wrapped) {
        // SELECT goes before MULTI, as Redis writes it: a block then replays whole on one database at a time.
        if (pending[0].db !== db) parts.push(select((db = pending[0].db)));
        parts.push(MULTI);
      }
      for (const p of pending) {
        if (p.db !== db) parts.push(select((db = p.db)));
        parts.push(...p.commands);
      }
      if (wrapped) parts.push(EXEC);
      const bytes = Buffer.concat(parts);
      let at = 0;
      while (at < bytes.length) at += writeSync(this.fd, bytes, at);
      this.written += bytes.length;
      return db;
    });
  }
}

function select(db: number): Buffer {
  return encodeCommand([Buffer.from('SELECT'), Buffer.from(String(db))]);
}
