// One thread's descriptor on the append-only file and what goes through it (aof-log.ts decides what is logged and
// when a write-out is owed): write-outs of the shared buffer (append-buffer.ts) under its flush lock and the
// process-wide append lock, in the file of the generation those locks show (reopened after a rewrite's cut or a
// turn-on), timed for the latency monitor as flushAppendOnlyFile names its events; a failed write reported as Redis
// reports it (write-errors.ts) with the bytes held for the next write-out; the syncs (appendfsync always after a
// write-out, everysec from the server's timer on libuv's pool, SHUTDOWN's) and no-appendfsync-on-rewrite's hold on
// them. Knows the buffer, the file and the disk; nothing of commands or records' meaning.

import { closeSync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LatencyEvent, SharedLatencyMonitor } from '../latency/latency-monitor.js';
import type { Config } from '../config.js';
import type { KeyValueStore } from '../store/types.js';
import {
  HeldBytesFullError,
  type SharedAppendBuffer,
  type LogRecord,
  type WriteFailure,
} from './append-buffer.js';
import type { AofDisk } from './aof-disk.js';
import { errnoOfError, strerror } from '../errno-text.js';
import { AofExitError, type AofWriteErrors } from './write-errors.js';
import type { AofState } from './aof-state.js';
import type { AofFiles } from './aof-files.js';

const EMPTY = Buffer.alloc(0);

/** A failed write-out in a line: the error's text, and how much of it went. */
export function describeFailure(failure: WriteFailure): string {
  const text = strerror(errnoOfError(failure.error));
  return failure.partial > 0 ? `${text} (a short write of ${failure.partial} bytes)` : text;
}

export class AofFileWriter {
  /** -1 while this thread has the file closed (appendonly off, or nothing written yet). */
  private fd = -1;
  /** The file generation `fd` was opened at (store.appendInOrder's): a rewrite replaced the file after it. */
  private generation = -1;
  private syncing = false;
  /** Whether a BGSAVE runs (any thread's): set by the thread's core once its persistence exists. */
  backgroundSaving: () => boolean = () => false;
  /**
   * The latency monitor, where writes to the file and appendfsync always's syncs are timed while it is on
   * (flushAppendOnlyFile's aof-write-* and aof-fsync-always events); null: not timed.
   */
  latency: SharedLatencyMonitor | null = null;

  constructor(
    private readonly files: AofFiles,
    private readonly store: KeyValueStore,
    private readonly buffer: SharedAppendBuffer,
    private readonly state: AofState,
    private readonly config: Config,
    private readonly clock: () => number,
    private readonly disk: AofDisk,
    private readonly errors: AofWriteErrors,
  ) {}

  /** This thread has the file open. */
  get open(): boolean {
    return this.fd >= 0;
  }

  /** Closed by this thread (appendonly turned off elsewhere, or the thread stops), what the buffer holds written. */
  close(): void {
    this.writeBuffered();
    if (this.fd >= 0) this.closeFile();
  }

  /** stopAppendOnly's end: the file synced (a failure logged: the server goes on) and closed, if open here. */
  syncAndClose(): void {
    if (this.fd < 0) return;
    this.syncLogged();
    this.closeFile();
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

  closeFile(): void {
    this.writeBuffered();
    closeSync(this.fd);
    this.fd = -1;
    this.generation = -1;
  }

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

  /**
   * What the buffer holds is in the file once this returns, up to `owed` at least (Infinity: all of it),
   * written by this thread unless another's write already covered it; `sync`: and on disk, with one fdatasync
   * for every thread whose records it covers (group commit: a thread waiting here behind another's sync finds
   * its records synced).
   */
  writeOut(owed: number, sync: boolean): void {
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
  writeInOrder(
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
  writeThrough(records: readonly LogRecord[], wrapped: boolean, second: number): number {
    let appended = 0;
    this.buffer.lockFlush();
    try {
      this.store.appendInOrder((fileDb, generation) => {
        const db = this.writeInOrder(generation, fileDb, records, wrapped, second).db;
        appended = this.buffer.appended;
        return db;
      });
    } finally {
      this.buffer.unlockFlush();
    }
    return appended;
  }

  /** What the buffer holds, any thread's, written to the file (when it holds anything). */
  writeBuffered(): void {
    if (!this.buffer.idle) this.writeOut(Infinity, false);
  }

  /**
   * This thread's descriptor on the file as it is now (the generation is stable under the flush lock); false when
   * it cannot be opened (logged: a sync of it is skipped).
   */
  reopenCurrent(): boolean {
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
}
