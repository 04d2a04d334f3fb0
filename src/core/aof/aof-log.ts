// One thread's writer of the append-only file. Every thread that runs commands (the event loop, each pool worker,
// each hybrid loop) logs what it ran into the buffer they share (append-buffer.ts), while it still holds the
// locks of the keys the command touched (executor.ts, transaction.ts) and the process-wide append lock
// (store.appendInOrder): so two writes to one key reach the file in the order they were applied, whichever threads
// made them, a transaction's commands are one block wrapped in MULTI/EXEC, and a SELECT is written only when the
// file's database changes. endOfBatch writes what the buffer holds, this thread's records and any other thread's,
// in one write(2) (each thread has the file open, O_APPEND), before the replies go out (group commit: one write,
// and with appendfsync always one fdatasync, for everything logged meanwhile): the event loop and each hybrid loop
// call it once per turn of the loop (log-write-out.ts), a pool worker at the end of each client read. everysec:
// the server's timer syncs once a second (syncEverySecond); no: the kernel decides. no-appendfsync-on-rewrite yes
// holds both syncs back while a rewrite or a BGSAVE runs. This file decides what is logged and when a write-out is
// owed; the descriptor, the write-outs and the syncs are aof-file-writer.ts's.
//
// appendonly may be turned on and off at run time (CONFIG SET, from any thread): the state lives in shared memory
// (aof-state.ts) and each record is written only while it says on. A write command that starts while it is off
// runs as without the file, inside this thread's write fence (shared-counters.ts), so turning it on can wait for
// such writes to end before its rewrite takes the snapshot; one that starts while it is on runs holding its keys'
// locks (where other threads write too) and is logged. A thread opens the file at its first write-out, reopens it
// when its generation changed (a rewrite's cut moved the log to a new incremental file, or it was turned on
// again), and closes it once it sees the file turned off. Which file that is (aof-files.ts logPath) is a word of the
// shared state, read with the generation under the append lock.
//
// A write that fails loses nothing (Redis keeps aof_buf): the buffer holds what did not reach the file and the next
// write-out tries it again, as Redis's beforeSleep does at every turn: the end of any thread's turn or read (owes),
// or the server's once-a-second timer (serverCron's retry) when no client comes; meanwhile the shared
// status refuses write commands (MISCONF, disk-error.ts), and the replies already made go out, as Redis sends
// them. Under appendfsync always a failed write or sync stops the server instead (write-errors.ts).

import type { SharedLatencyMonitor } from '../latency/latency-monitor.js';
import type { Config } from '../config.js';
import type { Reply } from '../reply.js';
import type { KeyValueStore } from '../store/types.js';
import { blockLength, NO_ROOM, SharedAppendBuffer, type LogRecord } from './append-buffer.js';
import { FILE_SYSTEM_DISK, type AofDisk } from './aof-disk.js';
import { AofFileWriter, describeFailure } from './aof-file-writer.js';
import { AofWriteErrors } from './write-errors.js';
import { asLogged } from './as-logged.js';
import { AOF_WAIT_REWRITE, AofState, type RewriteRequest } from './aof-state.js';
import { removeQuietly, TEMP_INCR_SEQ, type AofFiles } from './aof-files.js';
import type { InFileOrder } from './rewrite.js';

export { encodeCommand } from './resp-command.js';

type Argv = readonly Uint8Array[];

const DEL = Buffer.from('DEL');

/** A thread's mark around a write command that is not logged (shared-counters.ts's write fence). */
export interface WriteFence {
  enterUnloggedWrite(): void;
  leaveUnloggedWrite(): void;
}

type StoreWithControl = KeyValueStore & { handles(): { control: SharedArrayBuffer } };

export class AofLog {
  /** A transaction's commands while EXEC runs them, written as one block when it ends. */
  private transaction: LogRecord[] | null = null;
  readonly state: AofState;
  private readonly buffer: SharedAppendBuffer;
  /** Where this thread's last record ends in the shared order, until endOfBatch saw it written (0: nothing owed). */
  private owed = 0;
  /** This thread's descriptor on the file, and the write-outs and syncs through it. */
  private readonly writer: AofFileWriter;

  constructor(
    /** The directory and its manifest (aof-files.ts); the main thread's instance holds the manifest. */
    readonly files: AofFiles,
    private readonly store: KeyValueStore,
    private readonly config: Config,
    private readonly clock: () => number,
    /**
     * Only this thread writes data (the event loop): a write need not hold its keys' locks until it is logged,
     * since no other thread can apply a write to the same key in between.
     */
    private readonly onlyWriter = false,
    /** This thread's write fence; null where no other thread runs commands (nothing to wait for). */
    private readonly fence: WriteFence | null = null,
    /** How bytes reach the file and the disk (a test counts the syncs, or plays a full disk). */
    private readonly disk: AofDisk = FILE_SYSTEM_DISK,
  ) {
    const control = (store as StoreWithControl).handles().control;
    this.state = new AofState(control);
    this.buffer = new SharedAppendBuffer(store.appendBuffer(), new Int32Array(control));
    this.errors = new AofWriteErrors(this.state, config);
    this.writer = new AofFileWriter(files, store, this.buffer, this.state, config, clock, disk, this.errors);
  }

  /** The status, log lines and exit of failed writes and syncs; its report and exit are set by the thread's core. */
  readonly errors: AofWriteErrors;

  /** appendonly is on (for every thread): writes are being logged. */
  get logging(): boolean {
    return this.state.logging;
  }

  /** Turned on at run time, and the rewrite that writes the data so far has not ended yet (AOF_WAIT_REWRITE). */
  get waitingForFirstRewrite(): boolean {
    return this.state.state === AOF_WAIT_REWRITE;
  }

  /** aof-timestamp-enabled: set by the thread whose CONFIG SET (or start-up) changed it, read by every thread. */
  set timestamps(on: boolean) {
    this.buffer.stamping = on;
  }

  /** Whether a BGSAVE runs (any thread's): set by the thread's core once its persistence exists. */
  set backgroundSaving(running: () => boolean) {
    this.writer.backgroundSaving = running;
  }

  /**
   * The latency monitor, where writes to the file and appendfsync always's syncs are timed while it is on
   * (flushAppendOnlyFile's aof-write-* and aof-fsync-always events); null: not timed.
   */
  set latency(monitor: SharedLatencyMonitor | null) {
    this.writer.latency = monitor;
  }

  /**
   * This thread logged records no endOfBatch has written yet, or a write (any thread's) failed and left bytes held:
   * Redis's beforeSleep calls flushAppendOnlyFile(0) at every turn of its loop, which writes what aof_buf still
   * holds, so the end of every turn here tries them again too (the first turn after the disk recovers clears
   * MISCONF for the commands of the next).
   */
  get owes(): boolean {
    return this.owed !== 0 || this.retryDue();
  }

  private retryDue(): boolean {
    return this.state.lastWriteFailed && !this.buffer.idle;
  }

  get needsKeyLocks(): boolean {
    return !this.onlyWriter;
  }

  /**
   * A write command starts: true when it is to be logged (appendonly on). Otherwise it runs inside this thread's
   * write fence, and the caller calls endUnloggedWrite when it ends. The fence is entered before the state is
   * read: a turn-on that then finds the fence open knows this write may have seen the file off.
   */
  beginWrite(): boolean {
    this.fence?.enterUnloggedWrite();
    if (this.state.logging) {
      this.fence?.leaveUnloggedWrite();
      return true;
    }
    if (this.writer.open) this.writer.closeFile(); // turned off since this thread last wrote (Redis closes the file)
    return false;
  }

  endUnloggedWrite(): void {
    this.fence?.leaveUnloggedWrite();
  }

  /** A write command ran on database `db` and replied `reply` (not an error): log what replays it. */
  record(name: string, argv: Argv, reply: Reply, db: number): void {
    if (!this.state.logging) return;
    const commands = asLogged(name, argv, reply, this.clock());
    if (commands.length > 0) this.add({ db, commands });
  }

  /** A key was removed without a command naming it (it expired, or was evicted): log its DEL. */
  recordDeletion(db: number, key: Uint8Array): void {
    if (this.state.logging) this.add({ db, commands: [[DEL, key]] });
  }

  /** A command already in the form to log (a served blocking pop), run on `db` under its keys' locks. */
  recordCommand(db: number, argv: Argv): void {
    if (this.state.logging) this.add({ db, commands: [argv] });
  }

  /**
   * The commands one command propagated in its place (alsoPropagate: XREADGROUP's XCLAIMs), already in the form
   * to log: more than one are wrapped in MULTI ... EXEC, as propagatePendingCommands wraps them, unless EXEC or
   * a script holds them for its own block.
   */
  recordCommands(db: number, commands: readonly Argv[]): void {
    if (!this.state.logging || commands.length === 0) return;
    if (this.transaction !== null) this.transaction.push({ db, commands });
    else this.append([{ db, commands }], commands.length > 1);
  }

  /**
   * The client's read was run: what this thread logged is in the file before the replies go out, and on disk
   * for appendfsync always, each with one call for everything logged meanwhile by any thread (group commit).
   */
  endOfBatch(): void {
    const owed = this.owed;
    if (owed === 0) {
      if (this.retryDue()) this.writer.writeBuffered(); // a failed write's held bytes (owes)
      return;
    }
    this.owed = 0;
    this.writer.writeOut(owed, this.config.string('appendfsync') === 'always');
  }

  /** EXEC starts running its commands: hold their records until it ends. */
  beginTransaction(): void {
    this.transaction = [];
  }

  /**
   * EXEC ended (still holding its keys' locks): its records as one MULTI ... EXEC block, if it wrote more than one
   * command; one alone is logged as it is (propagatePendingCommands wraps only more than one).
   */
  endTransaction(): void {
    const pending = this.transaction;
    this.transaction = null;
    if (pending === null) return;
    let commands = 0;
    for (const record of pending) commands += record.commands.length;
    if (commands > 0) this.append(pending, commands > 1);
  }

  /** A script SHUTDOWN NOSAVE stopped: nothing of it is written (Redis exits before propagating it). */
  discardTransaction(): void {
    this.transaction = null;
  }

  /**
   * appendfsync everysec's sync, from the server's once-a-second timer on one thread (any descriptor syncs the
   * file), on libuv's thread pool so the loop does not wait for the disk; one at a time. What the buffer holds is
   * written first (serverCron's retry of a failed write).
   */
  syncEverySecond(): void {
    this.writer.syncEverySecond();
  }

  /** SHUTDOWN (finishShutdown's flushAppendOnlyFile(1) and fsync): what this thread holds written, the file synced. */
  flushAndSync(): void {
    this.writer.flushAndSync();
  }

  /**
   * CONFIG SET appendonly on this thread (the others read the shared state): on, the file's generation moves so
   * every thread opens it afresh and the rewrite that writes the data so far is asked for (rewrite-scheduler.ts
   * runs it); off, this thread's records are flushed and synced and the file closed, as Redis's stopAppendOnly.
   */
  setEnabled(on: boolean, mustWait: boolean): void {
    if (on) {
      if (this.state.logging) return;
      // Redis's temporary incremental file, fresh (one a cancelled turn-on left is dropped): every thread's
      // records go there until the rewrite's cut empties it, and its end names it in the manifest. The state turns
      // on only once the directory exists and the word naming the file says the temporary one, under both locks:
      // any thread logs and writes out as soon as it reads on, to the file named then. Turned on first, a write-out
      // in between opened the file in a directory not made yet (ENOENT: the transports close the clients whose
      // replies wait for it), or appended to the incremental file of an earlier time on.
      this.files.ensureDir();
      this.errors.reopened();
      let turnedOn = false;
      this.inFileOrder(() => {
        turnedOn = this.state.turnOn(); // false: another thread's CONFIG SET turned it on first
        if (!turnedOn) return;
        removeQuietly(this.files.logPath(TEMP_INCR_SEQ));
        this.state.incrSeq = TEMP_INCR_SEQ;
      }, true);
      if (turnedOn) this.state.request(mustWait);
      return;
    }
    this.writer.writeBuffered(); // what every thread logged while it was on, as stopAppendOnly flushes aof_buf
    if (!this.state.turnOff()) return;
    this.dropHeld(); // what that write could not write: Redis frees aof_buf
    this.writer.syncAndClose();
  }

  private dropHeld(): void {
    this.buffer.lockFlush();
    try {
      this.buffer.dropHeld();
    } finally {
      this.buffer.unlockFlush();
    }
  }

  /** A rewrite is running (BGSAVE waits for it: one child at a time, as Redis). */
  get rewriting(): boolean {
    return this.state.inProgress;
  }

  /** BGSAVE SCHEDULE during a rewrite: started by the main thread once it ends. */
  scheduleBgsave(): void {
    this.state.scheduleBgsave();
  }

  /** BGREWRITEAOF from this thread: the rewrite is claimed here, run by the main thread. */
  requestRewrite(mustWait: boolean): RewriteRequest {
    return this.state.request(mustWait);
  }

  /** INFO persistence's aof_ fields, in Redis 7.0's order. */
  infoFields(): [string, string | number][] {
    const s = this.state;
    const now = Math.floor(Date.now() / 1000); // the clock aof-state.ts stamps a rewrite's start with
    const fields: [string, string | number][] = [
      ['aof_enabled', s.logging ? 1 : 0],
      ['aof_rewrite_in_progress', s.inProgress ? 1 : 0],
      ['aof_rewrite_scheduled', s.scheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', s.lastRewriteSeconds],
      ['aof_current_rewrite_time_sec', s.inProgress ? Math.max(0, now - s.startedAt) : -1],
      ['aof_last_bgrewrite_status', s.lastRewriteFailed ? 'err' : 'ok'],
      ['aof_rewrites', s.rewrites],
      ['aof_rewrites_consecutive_failures', s.consecutiveFailures],
      ['aof_last_write_status', s.writeStatusOk ? 'ok' : 'err'],
      ['aof_last_cow_size', 0],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
    ];
    if (s.logging) {
      // While the turn-on's rewrite runs Redis has no file yet: its sizes read 0 until it ends.
      const waiting = s.state === AOF_WAIT_REWRITE;
      fields.push(
        ['aof_current_size', waiting ? 0 : this.currentSize()],
        ['aof_base_size', waiting ? 0 : s.baseSize],
        ['aof_pending_rewrite', s.scheduled ? 1 : 0],
        // Redis's aof_buf: what the shared buffer holds that no thread has written to the file yet.
        ['aof_buffer_length', this.bufferedBytes],
        ['aof_pending_bio_fsync', 0],
        ['aof_delayed_fsync', 0],
      );
    }
    return fields;
  }

  get writeDeniedErrno(): number {
    return this.state.deniedErrno;
  }

  get bufferedBytes(): number {
    return Math.max(0, this.buffer.appended - this.buffer.written); // read without a lock
  }

  close(): void {
    this.writer.close();
  }

  /**
   * Runs `section` holding the append lock, with every record logged so far, by any thread, in the file: where
   * BGREWRITEAOF's cut moves the log to a new file (rewrite.ts). `replacesFile`: every thread reopens before its
   * next write-out, and the next record names its database (a new file starts with a SELECT).
   */
  readonly inFileOrder: InFileOrder = (section, replacesFile) => {
    this.buffer.lockFlush();
    try {
      this.store.appendInOrder((fileDb, generation) => {
        if (this.buffer.unwritten > 0 || this.buffer.held > 0) {
          const failure = this.writer.writeInOrder(generation, fileDb, null, false, 0).failure;
          // The cut would put the records it could not write after it, where they would replay twice.
          if (failure !== null)
            throw new Error(`the append only file cannot be written: ${describeFailure(failure)}`);
        }
        section(fileDb);
        return replacesFile === true ? -1 : fileDb;
      }, replacesFile);
    } finally {
      this.buffer.unlockFlush();
    }
  };

  private add(record: LogRecord): void {
    if (this.transaction !== null) this.transaction.push(record);
    else this.append([record], false);
  }

  private append(records: readonly LogRecord[], wrapped: boolean): void {
    // aof-timestamp-enabled: the second the records were made in (Redis's server.unixtime at the command's call).
    const second = this.buffer.stamping ? Math.floor(this.clock() / 1000) : 0;
    for (;;) {
      let appended = false;
      this.store.appendInOrder((fileDb) => {
        const db = this.buffer.tryAppend(fileDb, records, wrapped, second);
        if (db === NO_ROOM) return fileDb;
        appended = true;
        this.owed = this.buffer.appended;
        return db;
      });
      if (appended) return;
      // Full: written out, then tried again. Still holding the keys' locks, the record keeps its place among
      // writes to them; a block larger than a half goes straight to the file, after what the buffer holds.
      if (this.buffer.fits(blockLength(-1, records, wrapped, second))) this.writer.writeOut(Infinity, false);
      else {
        this.owed = this.writer.writeThrough(records, wrapped, second);
        return;
      }
    }
  }

  /**
   * aof_current_size: the base and incremental files the manifest lists. Any thread may answer INFO and only the
   * main thread holds the manifest, so it is read from the disk (it is replaced whole, by rename).
   */
  private currentSize(): number {
    try {
      return this.files.currentSize(this.files.loadManifest());
    } catch {
      return 0;
    }
  }
}
