// The append-only file's state every thread of a server shares, in words of the store's control header
// (store/layout.ts): whether appendonly is on (every thread's writer reads it before each write command), and the
// rewrite's bookkeeping (scheduled, in progress, the last one's time and status, counts, the size it wrote), which
// BGREWRITEAOF and INFO read and write from any thread while the main thread runs the rewrites
// (rewrite-scheduler.ts). Plain Atomics loads and stores; claiming the one rewrite slot is a CAS.

import {
  H_AOF_BASE_SIZE_F64,
  H_AOF_INCR_SEQ,
  H_AOF_LAST_REWRITE_SECONDS,
  H_AOF_REWRITE,
  H_AOF_REWRITE_EPOCH,
  H_AOF_REWRITE_FAILED,
  H_AOF_REWRITE_FAILURES,
  H_AOF_REWRITE_STARTED,
  H_AOF_REWRITES,
  H_AOF_STATE,
  H_AOF_WAKE,
  H_AOF_FAILURES,
  H_AOF_FSYNC_ERRNO,
  H_AOF_WRITE_ERRNO,
  H_BGSAVE_SCHEDULED,
} from '../store/layout.js';

/** Redis's aof_state: off, on, or on and waiting for the rewrite that writes the data so far (wait_rewrite). */
export const AOF_OFF = 0;
export const AOF_ON = 1;
export const AOF_WAIT_REWRITE = 2;

/** H_AOF_FAILURES's flags. */
const WRITE_FAILED = 1;
const FSYNC_FAILED = 2;

const REWRITE_NONE = 0;
const REWRITE_SCHEDULED = 1;
const REWRITE_RUNNING = 2;

/** What asking for a rewrite did (BGREWRITEAOF's three answers). */
export type RewriteRequest = 'started' | 'scheduled' | 'in-progress';

export class AofState {
  private readonly words: Int32Array;
  private readonly floats: Float64Array;

  constructor(control: SharedArrayBuffer) {
    this.words = new Int32Array(control);
    this.floats = new Float64Array(control, 0, 64 / 2);
  }

  get state(): number {
    return Atomics.load(this.words, H_AOF_STATE);
  }

  /** Whether writes are logged now (on, or on and waiting for its first rewrite). */
  get logging(): boolean {
    return Atomics.load(this.words, H_AOF_STATE) !== AOF_OFF;
  }

  /** Start-up (appendonly yes and its file loaded): on, no rewrite owed. */
  set state(value: number) {
    Atomics.store(this.words, H_AOF_STATE, value);
  }

  /**
   * CONFIG SET appendonly yes: false when it was on already. A rewrite running since before (BGREWRITEAOF while
   * off) took its snapshot with nothing logged after it: its epoch is over, the scheduler starts it again.
   */
  turnOn(): boolean {
    if (Atomics.compareExchange(this.words, H_AOF_STATE, AOF_OFF, AOF_WAIT_REWRITE) !== AOF_OFF) return false;
    Atomics.add(this.words, H_AOF_REWRITE_EPOCH, 1);
    return true;
  }

  /** CONFIG SET appendonly no: a rewrite running or scheduled is dropped (its epoch is over). */
  turnOff(): boolean {
    if (Atomics.exchange(this.words, H_AOF_STATE, AOF_OFF) === AOF_OFF) return false;
    Atomics.add(this.words, H_AOF_REWRITE_EPOCH, 1);
    Atomics.store(this.words, H_AOF_REWRITE, REWRITE_NONE);
    this.wake();
    return true;
  }

  /** The turn-on's rewrite succeeded: the file holds the data, the state is plain on. */
  finishTurnOn(): void {
    Atomics.compareExchange(this.words, H_AOF_STATE, AOF_WAIT_REWRITE, AOF_ON);
  }

  get epoch(): number {
    return Atomics.load(this.words, H_AOF_REWRITE_EPOCH);
  }

  /**
   * BGREWRITEAOF (or appendonly turned on, or the automatic trigger) on any thread. `mustWait`: a BGSAVE runs, or
   * the caller is inside EXEC: the rewrite is scheduled for when it may start (Redis's aof_rewrite_scheduled).
   */
  request(mustWait: boolean): RewriteRequest {
    const wanted = mustWait ? REWRITE_SCHEDULED : REWRITE_RUNNING;
    const was = Atomics.compareExchange(this.words, H_AOF_REWRITE, REWRITE_NONE, wanted);
    if (was === REWRITE_RUNNING) return 'in-progress';
    if (was === REWRITE_SCHEDULED) return 'scheduled';
    if (wanted === REWRITE_RUNNING) Atomics.store(this.words, H_AOF_REWRITE_STARTED, nowSeconds());
    this.wake();
    return mustWait ? 'scheduled' : 'started';
  }

  /** The main thread starts a scheduled rewrite: false when there is none (or it was dropped meanwhile). */
  startScheduled(): boolean {
    const started =
      Atomics.compareExchange(this.words, H_AOF_REWRITE, REWRITE_SCHEDULED, REWRITE_RUNNING) ===
      REWRITE_SCHEDULED;
    if (started) Atomics.store(this.words, H_AOF_REWRITE_STARTED, nowSeconds());
    return started;
  }

  get inProgress(): boolean {
    return Atomics.load(this.words, H_AOF_REWRITE) === REWRITE_RUNNING;
  }

  get scheduled(): boolean {
    return Atomics.load(this.words, H_AOF_REWRITE) === REWRITE_SCHEDULED;
  }

  /** A rewrite ended (ok false: failed) at `endSeconds`; `baseSize`: the size of the file it wrote. */
  end(ok: boolean, endSeconds: number, baseSize: number): void {
    const seconds = endSeconds - Atomics.load(this.words, H_AOF_REWRITE_STARTED);
    Atomics.store(this.words, H_AOF_LAST_REWRITE_SECONDS, Math.max(0, seconds));
    Atomics.store(this.words, H_AOF_REWRITE_FAILED, ok ? 0 : 1);
    if (ok) {
      Atomics.add(this.words, H_AOF_REWRITES, 1);
      Atomics.store(this.words, H_AOF_REWRITE_FAILURES, 0);
      this.baseSize = baseSize;
    } else {
      Atomics.add(this.words, H_AOF_REWRITE_FAILURES, 1);
    }
    Atomics.compareExchange(this.words, H_AOF_REWRITE, REWRITE_RUNNING, REWRITE_NONE);
  }

  /** A rewrite that was dropped (appendonly turned off while it ran): no figures change. */
  abandon(): void {
    Atomics.compareExchange(this.words, H_AOF_REWRITE, REWRITE_RUNNING, REWRITE_NONE);
  }

  get startedAt(): number {
    return Atomics.load(this.words, H_AOF_REWRITE_STARTED);
  }

  get lastRewriteSeconds(): number {
    return Atomics.load(this.words, H_AOF_LAST_REWRITE_SECONDS);
  }

  get lastRewriteFailed(): boolean {
    return Atomics.load(this.words, H_AOF_REWRITE_FAILED) !== 0;
  }

  get rewrites(): number {
    return Atomics.load(this.words, H_AOF_REWRITES);
  }

  get consecutiveFailures(): number {
    return Atomics.load(this.words, H_AOF_REWRITE_FAILURES);
  }

  /** Redis's aof_rewrite_base_size: the file's size after the last rewrite, or as loaded at start-up. */
  get baseSize(): number {
    return this.floats[H_AOF_BASE_SIZE_F64];
  }

  set baseSize(bytes: number) {
    this.floats[H_AOF_BASE_SIZE_F64] = bytes;
  }

  /**
   * Which incremental file records go to (aof-files.ts logPath): set at start-up, and by a rewrite's cut and the
   * end of a turn-on's rewrite, under the append lock, where every thread reads it when it reopens the file.
   */
  get incrSeq(): number {
    return Atomics.load(this.words, H_AOF_INCR_SEQ);
  }

  set incrSeq(seq: number) {
    Atomics.store(this.words, H_AOF_INCR_SEQ, seq);
  }

  /** aof_last_write_status: whether the last write to the file failed (any thread's). */
  get lastWriteFailed(): boolean {
    return (Atomics.load(this.words, H_AOF_FAILURES) & WRITE_FAILED) !== 0;
  }

  /** A write failed with `errno` (aof_last_write_errno); stored before the flag, which readers look at first. */
  writeFailed(errno: number): void {
    Atomics.store(this.words, H_AOF_WRITE_ERRNO, errno);
    Atomics.or(this.words, H_AOF_FAILURES, WRITE_FAILED);
  }

  /** A write succeeded: true when the last one had failed (the caller logs the recovery once). */
  writeSucceeded(): boolean {
    return (Atomics.and(this.words, H_AOF_FAILURES, ~WRITE_FAILED) & WRITE_FAILED) !== 0;
  }

  /** appendfsync everysec's background sync failed with `errno` (aof_bio_fsync_status); true if it had not. */
  syncFailed(errno: number): boolean {
    Atomics.store(this.words, H_AOF_FSYNC_ERRNO, errno);
    return (Atomics.or(this.words, H_AOF_FAILURES, FSYNC_FAILED) & FSYNC_FAILED) === 0;
  }

  /** A background sync succeeded. */
  syncSucceeded(): void {
    if ((Atomics.load(this.words, H_AOF_FAILURES) & FSYNC_FAILED) !== 0)
      Atomics.and(this.words, H_AOF_FAILURES, ~FSYNC_FAILED);
  }

  /**
   * writeCommandsDeniedByDiskError's AOF half: while the file is on and its last write, or its last background
   * sync, failed, the errno to refuse write commands with (MISCONF); 0 when writes are accepted. One load while
   * nothing failed: it runs before every write command.
   */
  get deniedErrno(): number {
    const failures = Atomics.load(this.words, H_AOF_FAILURES);
    if (failures === 0 || Atomics.load(this.words, H_AOF_STATE) === AOF_OFF) return 0;
    return Atomics.load(this.words, (failures & WRITE_FAILED) !== 0 ? H_AOF_WRITE_ERRNO : H_AOF_FSYNC_ERRNO);
  }

  /** INFO's aof_last_write_status: the last write and the last background sync both succeeded. */
  get writeStatusOk(): boolean {
    return Atomics.load(this.words, H_AOF_FAILURES) === 0;
  }

  /**
   * The file is opened afresh (appendonly turned on): errors of the last time are forgotten, as Redis's
   * startAppendOnly does ("AOF reopen, just ignore the last error"); returns which there were.
   */
  forgetErrors(): { write: boolean; sync: boolean } {
    const failures = Atomics.exchange(this.words, H_AOF_FAILURES, 0);
    return { write: (failures & WRITE_FAILED) !== 0, sync: (failures & FSYNC_FAILED) !== 0 };
  }

  /**
   * BGSAVE SCHEDULE while a rewrite runs (Redis runs one child at a time): the main thread starts the BGSAVE once
   * the rewrite has ended (takeScheduledBgsave).
   */
  scheduleBgsave(): void {
    Atomics.store(this.words, H_BGSAVE_SCHEDULED, 1);
  }

  takeScheduledBgsave(): boolean {
    return Atomics.exchange(this.words, H_BGSAVE_SCHEDULED, 0) === 1;
  }

  /** The main thread's rewrite loop waits on this word: any thread asking for something wakes it. */
  wake(): void {
    Atomics.add(this.words, H_AOF_WAKE, 1);
    Atomics.notify(this.words, H_AOF_WAKE);
  }

  /** Resolves when wake() is called after `seen` was read (wakeCount), or after `timeoutMs`. */
  waitForWake(seen: number, timeoutMs: number): Promise<unknown> {
    const wait = Atomics.waitAsync(this.words, H_AOF_WAKE, seen, timeoutMs);
    return wait.async ? wait.value : Promise.resolve(wait.value);
  }

  get wakeCount(): number {
    return Atomics.load(this.words, H_AOF_WAKE);
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
