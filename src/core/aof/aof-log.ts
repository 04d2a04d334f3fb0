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
// holds both syncs back while a rewrite or a BGSAVE runs (fsyncHeldBack).
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

import { closeSync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LatencyEvent, SharedLatencyMonitor } from '../latency/latency-monitor.js';
import type { Config } from '../config.js';
import type { Reply } from '../reply.js';
import type { KeyValueStore } from '../store/types.js';
import {
  blockLength,
  HeldBytesFullError,
  NO_ROOM,
  SharedAppendBuffer,
  type LogRecord,
  type WriteFailure,
} from './append-buffer.js';
import { FILE_SYSTEM_DISK, type AofDisk } from './aof-disk.js';
import { errnoOfError, strerror } from '../errno-text.js';
import { AofExitError, AofWriteErrors } from './write-errors.js';
import { asLogged } from './as-logged.js';
import { AOF_WAIT_REWRITE, AofState, type RewriteRequest } from './aof-state.js';
import { removeQuietly, TEMP_INCR_SEQ, type AofFiles } from './aof-files.js';
import type { InFileOrder } from './rewrite.js';

export { encodeCommand } from './resp-command.js';

type Argv = readonly Uint8Array[];

const DEL = Buffer.from('DEL');
const EMPTY = Buffer.alloc(0);

/** A failed write-out in a line: the error's text, and how much of it went. */
function describe(failure: WriteFailure): string {
  const text = strerror(errnoOfError(failure.error));
  return failure.partial > 0 ? `${text} (a short write of ${failure.partial} bytes)` : text;
}

/** A thread's mark around a write command that is not logged (shared-counters.ts's write fence). */
export interface WriteFence {
  enterUnloggedWrite(): void;
  leaveUnloggedWrite(): void;
}

type StoreWithControl = KeyValueStore & { handles(): { control: SharedArrayBuffer } };

export class AofLog {
  /** -1 while this thread has the file closed (appendonly off, or nothing written yet). */
  private fd = -1;
  /** The file generation `fd` was opened at (store.appendInOrder's): a rewrite replaced the file after it. */
  private generation = -1;
  /** A transaction's commands while EXEC runs them, written as one block when it ends. */
  private transaction: LogRecord[] | null = null;
  readonly state: AofState;
  private readonly buffer: SharedAppendBuffer;
  /** Where this thread's last record ends in the shared order, until endOfBatch saw it written (0: nothing owed). */
  private owed = 0;
  private syncing = false;

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
  backgroundSaving: () => boolean = () => false;
  /**
   * The latency monitor, where writes to the file and appendfsync always's syncs are timed while it is on
   * (flushAppendOnlyFile's aof-write-* and aof-fsync-always events); null: not timed.
   */
  latency: SharedLatencyMonitor | null = null;

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
    if (this.fd >= 0) this.closeFile(); // turned off since this thread last wrote (Redis closes the file)
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
      if (this.retryDue()) this.writeBuffered(); // a failed write's held bytes (owes)
      return;
    }
    this.owed = 0;
    this.writeOut(owed, this.config.string('appendfsync') === 'always');
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
   * file), on libuv's thread pool so the loop does not wait for the disk; one at a time.
   */
  syncEverySecond(): void {
    // What any thread logged and no read's end wrote yet (a timer's expired keys), and what a failed write held:
    // serverCron tries a failed write again once a second.
    try {
      this.writeBuffered();
    } catch (error) {
      if (error instanceof AofExitError) return; // the server was asked to stop
      throw error;
    }
    if (!this.state.logging) {
      if (this.fd >= 0) this.closeFile();
      return;
    }
    if (this.syncing || this.config.string('appendfsync') !== 'everysec' || this.fsyncHeldBack()) return;
    if (this.state.lastWriteFailed) return; // the write failed: no sync (flushAppendOnlyFile returns before it)
    // Other threads may be the only ones writing: this one opens the file (the current one) to sync it.
    if (!this.reopenCurrent()) return;
    this.syncing = true;
    this.disk.syncInBackground(this.fd, (error) => {
      this.syncing = false;
      this.errors.backgroundSyncEnded(error);
    });
  }

  /** SHUTDOWN (finishShutdown's flushAppendOnlyFile(1) and fsync): what this thread holds written, the file synced. */
  flushAndSync(): void {
    this.writeBuffered(); // every thread's records
    if (!this.state.logging) return; // off: no file to sync (Redis checks aof_state too)
    if (!this.reopenCurrent()) return; // sync the file they are in (a rewrite may have replaced it)
    this.disk.sync(this.fd); // a failure is the caller's to log (shutdown.ts)
  }

  /** A sync whose failure is logged (stopAppendOnly's: the server goes on). */
  private syncLogged(): void {
    try {
      this.disk.sync(this.fd);
    } catch (error) {
      this.errors.report('warn', `Fail to fsync the AOF file: ${strerror(errnoOfError(error))}`);
    }
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
    this.writeBuffered(); // what every thread logged while it was on, as Redis's stopAppendOnly flushes aof_buf
    if (!this.state.turnOff()) return;
    this.dropHeld(); // what that write could not write: Redis frees aof_buf
    if (this.fd >= 0) {
      this.syncLogged();
      this.closeFile();
    }
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
    this.writeBuffered();
    if (this.fd >= 0) this.closeFile();
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
          const failure = this.writeInOrder(generation, fileDb, null, false, 0).failure;
          // The cut would put the records it could not write after it, where they would replay twice.
          if (failure !== null)
            throw new Error(`the append only file cannot be written: ${describe(failure)}`);
        }
        section(fileDb);
        return replacesFile === true ? -1 : fileDb;
      }, replacesFile);
    } finally {
      this.buffer.unlockFlush();
    }
  };

  private closeFile(): void {
    this.writeBuffered();
    closeSync(this.fd);
    this.fd = -1;
    this.generation = -1;
  }

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
      if (this.buffer.fits(blockLength(-1, records, wrapped, second))) this.writeOut(Infinity, false);
      else return this.writeThrough(records, wrapped, second);
    }
  }

  /**
   * What the buffer holds is in the file once this returns, up to `owed` at least (Infinity: all of it),
   * written by this thread unless another's write already covered it; `sync`: and on disk, with one fdatasync
   * for every thread whose records it covers (group commit: a thread waiting here behind another's sync finds
   * its records synced).
   */
  /** latencyStartMonitor: now, while the latency monitor is on; -1 (not timed) otherwise. */
  private latencyStart(): number {
    return this.latency !== null && this.latency.threshold() > 0 ? performance.now() : -1;
  }

  private sampleLatency(event: LatencyEvent, started: number): void {
    this.latency?.sampleIfNeeded(event, performance.now() - started, Math.floor(this.clock() / 1000));
  }

  /** A write to the file, as flushAppendOnlyFile names it: while a sync runs, while a child works, or alone. */
  private writeTimed(started: number): void {
    const alongside = this.syncing
      ? 'aof-write-pending-fsync'
      : this.state.inProgress || this.backgroundSaving()
        ? 'aof-write-active-child'
        : 'aof-write-alone';
    this.sampleLatency('aof-write', started);
    this.sampleLatency(alongside, started);
  }

  private writeOut(owed: number, sync: boolean): void {
    this.buffer.lockFlush();
    try {
      if (this.buffer.written < owed) {
        let taken: Buffer | null = null;
        let end = 0;
        let generation = 0;
        this.store.appendInOrder((fileDb, fileGeneration) => {
          generation = fileGeneration;
          if (this.buffer.unwritten > 0) {
            end = this.buffer.appended;
            taken = this.buffer.take();
          }
          return fileDb;
        });
        if (taken !== null || this.buffer.held > 0) {
          // The generation only moves holding the flush lock too (inFileOrder): it holds while this writes.
          const bytes: Buffer = taken ?? EMPTY;
          if (taken === null) end = this.buffer.written + this.buffer.held;
          const started = this.latencyStart();
          const failure = this.writeTaken(generation, bytes, end);
          if (started >= 0) this.writeTimed(started);
          if (failure !== null) return; // Redis returns before the sync: the next write-out tries again
        }
      }
      const unsynced = this.buffer.synced < Math.min(owed, this.buffer.written);
      if (sync && this.fd >= 0 && unsynced && !this.fsyncHeldBack()) {
        const upTo = this.buffer.written;
        const started = this.latencyStart();
        try {
          this.disk.sync(this.fd);
        } catch (error) {
          this.errors.alwaysSyncFailed(error);
        }
        if (started >= 0) this.sampleLatency('aof-fsync-always', started);
        this.buffer.markSynced(upTo);
      }
    } finally {
      this.buffer.unlockFlush();
    }
  }

  /**
   * Flush lock held: the held bytes and `bytes` (taken, ending at appended total `end`) written to the file of
   * `generation`; what failed (null: nothing), reported as Redis reports it, the rest held for the next write-out.
   */
  private writeTaken(generation: number, bytes: Uint8Array, end: number): WriteFailure | null {
    const openError = this.openFor(generation);
    const failure =
      openError === null
        ? this.guarded(() => this.buffer.writeTaken(this.fd, bytes, end, this.disk))
        : this.notOpened(openError, () => this.buffer.holdAfter(bytes, end));
    this.settled(failure);
    return failure;
  }

  /**
   * Both locks held: what the buffer holds, then `records` (null: none), written to the file of `generation`
   * (the buffer's writeThrough), reported as writeTaken's; the database the file is on after them.
   */
  private writeInOrder(
    generation: number,
    fileDb: number,
    records: readonly LogRecord[] | null,
    wrapped: boolean,
    second: number,
  ): { db: number; failure: WriteFailure | null } {
    const openError = this.openFor(generation);
    let result: { db: number; failure: WriteFailure | null };
    if (openError === null) {
      result = this.guarded(() =>
        this.buffer.writeThrough(this.fd, fileDb, records, wrapped, second, this.disk),
      );
    } else {
      let db = fileDb;
      const failure = this.notOpened(openError, () => {
        db = this.buffer.holdThrough(fileDb, records, wrapped, second);
      });
      result = { db, failure };
    }
    this.settled(result.failure);
    return result;
  }

  /** This thread's descriptor on the file of `generation` (reopenIfReplaced); the open's error, or null. */
  private openFor(generation: number): unknown {
    try {
      this.reopenIfReplaced(generation);
      return null;
    } catch (error) {
      return error;
    }
  }

  /** The file could not be opened: everything to write waits, held (`hold`), and the open's error is the failure. */
  private notOpened(error: unknown, hold: () => void): WriteFailure {
    this.guarded(hold);
    return { error, partial: 0, expected: this.buffer.held, truncateError: null };
  }

  /** A call on the buffer that may hold bytes: past the room it may grow to, the server stops (bufferFull). */
  private guarded<R>(call: () => R): R {
    try {
      return call();
    } catch (error) {
      if (error instanceof HeldBytesFullError) this.errors.bufferFull(error);
      throw error;
    }
  }

  /** A write-out's end reported: writes accepted again after a failure, or the failure (status, log, exit). */
  private settled(failure: WriteFailure | null): void {
    if (failure === null) this.errors.writeSucceeded();
    else this.failed(failure);
  }

  private failed(failure: WriteFailure): void {
    this.errors.writeFailed(failure, this.buffer.mayLogError(Math.floor(this.clock() / 1000)));
  }

  /**
   * no-appendfsync-on-rewrite yes, while a rewrite or a BGSAVE writes (Redis: hasActiveChildProcess): the file is
   * not synced, so its sync does not queue behind their writes on the disk (a reply of appendfsync always then
   * goes out with its record written but not synced); the first sync after they end covers what was held back.
   */
  private fsyncHeldBack(): boolean {
    return (
      this.config.string('no-appendfsync-on-rewrite') === 'yes' &&
      (this.state.inProgress || this.backgroundSaving())
    );
  }

  /** A block larger than a half of the buffer: written with what the buffer holds, in order, under both locks. */
  private writeThrough(records: readonly LogRecord[], wrapped: boolean, second: number): void {
    this.buffer.lockFlush();
    try {
      this.store.appendInOrder((fileDb, generation) => {
        const db = this.writeInOrder(generation, fileDb, records, wrapped, second).db;
        this.owed = this.buffer.appended;
        return db;
      });
    } finally {
      this.buffer.unlockFlush();
    }
  }

  /** What the buffer holds, any thread's, written to the file (when it holds anything). */
  private writeBuffered(): void {
    if (!this.buffer.idle) this.writeOut(Infinity, false);
  }

  /**
   * This thread's descriptor on the file as it is now (the generation is stable under the flush lock); false when
   * it cannot be opened (logged: a sync of it is skipped).
   */
  private reopenCurrent(): boolean {
    this.buffer.lockFlush();
    try {
      this.store.appendInOrder((fileDb, generation) => {
        this.reopenIfReplaced(generation);
        return fileDb;
      });
      return true;
    } catch (error) {
      this.errors.report('warn', `Can't open the append-only file: ${strerror(errnoOfError(error))}`);
      return false;
    } finally {
      this.buffer.unlockFlush();
    }
  }

  /** The file was replaced (a rewrite) or turned on again since this thread opened it (append lock held). */
  private reopenIfReplaced(generation: number): void {
    if (this.generation === generation && this.fd >= 0) return;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.fd = openSync(this.files.logPath(this.state.incrSeq), 'a');
    this.generation = generation;
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
