// Runs the append-only file's rewrites from the main thread, off every request path (Redis forks a child for them;
// Node cannot fork: the snapshot's RDB is encoded by a thread of its own, rewrite-encoder.ts, while the writes made
// meanwhile go to the incremental file the cut opened): the ones BGREWRITEAOF claimed on any thread, the ones scheduled while a BGSAVE ran, the one CONFIG SET appendonly yes owes,
// and the automatic ones (auto-aof-rewrite-percentage, auto-aof-rewrite-min-size: serverCron's rule). Other threads
// wake it through the shared state (aof-state.ts); otherwise it looks every 100 ms, as serverCron at hz 10.
// The rewrite's steps and its cut point are rewrite.ts's; this file knows when, and what to do when one fails.

import type { Config } from '../config.js';
import { AOF_ON, AOF_WAIT_REWRITE, type AofState } from './aof-state.js';
import type { AofLog } from './aof-log.js';
import { removeQuietly, TEMP_INCR_SEQ, type AofFiles } from './aof-files.js';
import type { AofManifest } from './aof-manifest.js';
import { encodeInWorker } from './rewrite-encoder.js';
import {
  cutForRewrite,
  installRewrite,
  listNewIncr,
  switchLogTo,
  type LogAtCut,
  type SnapshotStore,
} from './rewrite.js';

export type RewriteLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface RewriteSchedulerDeps {
  /** The main thread's writer (its batched records are flushed before the snapshot). */
  readonly aof: AofLog;
  readonly store: SnapshotStore;
  readonly config: Config;
  /** A BGSAVE is running: a rewrite waits for it (Redis runs one child at a time). */
  bgsaveRunning(): boolean;
  /** Starts the BGSAVE a BGSAVE SCHEDULE asked for while a rewrite ran. */
  bgsave(): void;
  /** The snapshot's pause, for INFO stats latest_fork_usec (Redis's fork for the rewrite). */
  recordPause(micros: number): void;
  /** The function libraries' codes, read at the cut (the base carries them); absent: none. */
  readonly functionCodes?: () => Buffer[];
  /** A check that turns true once every write that began unlogged has ended (shared-counters.ts); null: none. */
  readonly unloggedWritesEnded: (() => () => boolean) | null;
  readonly log: RewriteLog;
}

/** How often the scheduler looks when nobody wakes it (serverCron at hz 10). */
const TICK_MS = 100;
/** How often a rewrite whose encoder thread is at work checks whether it was cancelled. */
const ENCODER_LOOK_MS = 20;
/** aofRewriteLimited: after this many failures in a row, automatic and scheduled rewrites are delayed. */
const FAILURES_BEFORE_DELAY = 3;
const MAX_DELAY_MINUTES = 60;

type Outcome = 'done' | 'failed' | 'cancelled';

export class RewriteScheduler {
  private readonly state: AofState;
  private job: Promise<void> | null = null;
  private stopped = false;
  private delayMinutes = 0;
  private nextAllowedAt = 0;

  constructor(private readonly deps: RewriteSchedulerDeps) {
    this.state = deps.aof.state;
  }

  start(): void {
    void this.loop();
  }

  /** Server close: a running rewrite is dropped (its temporary file removed), as Redis kills its child. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.state.wake();
    await this.job;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const seen = this.state.wakeCount;
      this.tick();
      await this.state.waitForWake(seen, TICK_MS);
    }
  }

  private tick(): void {
    if (this.job !== null) return;
    // aof-disable-auto-gc set back to no (updateAofAutoGCEnabled): the history kept meanwhile goes now.
    this.deleteHistory();
    const s = this.state;
    if (s.inProgress) return this.run();
    if (s.takeScheduledBgsave()) this.deps.bgsave();
    const bgsave = this.deps.bgsaveRunning();
    if (s.scheduled) {
      if (!bgsave && !this.limited() && s.startScheduled()) this.run();
      return;
    }
    if (s.state !== AOF_ON || bgsave) return;
    const growth = this.growthDue();
    if (growth !== null && !this.limited() && s.request(false) === 'started') {
      this.deps.log('info', `Starting automatic rewriting of AOF on ${growth}% growth`);
      this.run();
    }
  }

  /** serverCron's automatic trigger: the file grew past min-size and by percentage% of its base; the growth. */
  private growthDue(): number | null {
    const percentage = this.deps.config.number('auto-aof-rewrite-percentage');
    if (percentage === 0) return null;
    const files = this.deps.aof.files;
    const size = files.currentSize(files.manifest);
    if (size <= this.deps.config.number('auto-aof-rewrite-min-size')) return null;
    const base = this.state.baseSize > 0 ? this.state.baseSize : 1;
    const growth = Math.floor((size * 100) / base) - 100;
    return growth >= percentage ? growth : null;
  }

  /** Redis's aofRewriteLimited: after repeated failures, wait 1, 2, 4 ... 60 minutes between attempts. */
  private limited(): boolean {
    if (this.state.consecutiveFailures < FAILURES_BEFORE_DELAY) {
      this.delayMinutes = 0;
      this.nextAllowedAt = 0;
      return false;
    }
    const now = Date.now();
    if (this.nextAllowedAt !== 0) {
      if (now < this.nextAllowedAt) return true;
      this.nextAllowedAt = 0;
      return false;
    }
    this.delayMinutes = Math.min(MAX_DELAY_MINUTES, this.delayMinutes === 0 ? 1 : this.delayMinutes * 2);
    this.nextAllowedAt = now + this.delayMinutes * 60_000;
    return true;
  }

  private run(): void {
    this.job = this.rewrite().finally(() => {
      this.job = null;
      this.state.wake(); // a rewrite scheduled meanwhile may start now
    });
  }

  /** The claimed rewrite, started again while a turn-on (or a new claim) ended the epoch it began in. */
  private async rewrite(): Promise<void> {
    for (;;) {
      const outcome = await this.attempt(this.state.epoch);
      if (outcome !== 'cancelled' || this.stopped || !this.state.inProgress) return;
    }
  }

  private async attempt(epoch: number): Promise<Outcome> {
    const cancelled = (): boolean => this.stopped || this.state.epoch !== epoch;
    const { aof, store, config } = this.deps;
    const files = aof.files;
    const log: LogAtCut = logAtCut(this.state.state);
    if (log !== 'off' && this.deps.unloggedWritesEnded !== null) {
      // Writes that began while the file was off are in no record: they must be in the snapshot.
      const ended = this.deps.unloggedWritesEnded();
      while (!ended()) {
        if (cancelled()) return 'cancelled';
        await pause(1);
      }
    }
    aof.endOfBatch(); // this thread's records, in the file the log leaves at the cut
    const tempPath = files.rewriteTempPath();
    try {
      files.ensureDir();
      // On: the next incremental file is listed before the cut, so the log can move there under the lock.
      const next = log === 'on' ? listNewIncr(files).incrSeq : TEMP_INCR_SEQ;
      const switchLog = (): void => {
        // A turn-off (or a new turn-on) since this attempt began: the log is not this attempt's to move.
        if (this.state.epoch === epoch) switchLogTo(files, next, (seq) => (this.state.incrSeq = seq));
      };
      const cut = cutForRewrite(
        store,
        config,
        aof.inFileOrder,
        log === 'off' ? null : switchLog,
        this.deps.functionCodes,
      );
      this.deps.recordPause(cut.pauseMicros);
      this.deps.log('info', `Background append only file rewriting started (pause ${cut.pauseMicros} us)`);
      const encoding = encodeInWorker({ ...cut.job, temp: tempPath });
      while ((await Promise.race([encoding.done, pause(ENCODER_LOOK_MS).then(() => null)])) === null) {
        if (cancelled()) {
          await encoding.cancel();
          return 'cancelled';
        }
      }
      const installed = this.install(tempPath, log, cancelled, cut.job.base.kind === 'rdb');
      if (installed === null) return 'cancelled';
      this.deleteHistory(); // while the rewrite still reads as running, as Redis's done handler runs
      this.end(true, files.currentSize(installed));
      this.deps.log('info', 'Background AOF rewrite finished successfully');
      return 'done';
    } catch (error) {
      if (cancelled()) return 'cancelled';
      this.end(false, 0);
      this.deps.log('error', `Background AOF rewrite failed: ${(error as Error).message}`);
      // appendonly is still waiting for its first rewrite: try again (Redis schedules one).
      if (this.state.state === AOF_WAIT_REWRITE) this.state.request(true);
      return 'failed';
    } finally {
      removeQuietly(tempPath); // gone already once renamed into place
    }
  }

  /**
   * The rewrite ends. A BGSAVE scheduled behind it starts first, as Redis's serverCron starts one in the same turn
   * that reaps the rewrite's child: no client on another thread sees neither running in between (and answers a
   * BGREWRITEAOF sent then as started when Redis would have it scheduled).
   */
  private end(ok: boolean, size: number): void {
    if (this.state.takeScheduledBgsave()) this.deps.bgsave();
    this.state.end(ok, nowSeconds(), size);
  }

  /**
   * The new base and manifest put in place, unless the attempt was cancelled (null). A turn-on's end renames the
   * file every thread writes to and says so, so it runs under the append lock, where a turn-off cannot come between
   * the check and the rename; the others leave the log's file alone and take no lock.
   */
  private install(
    tempPath: string,
    log: LogAtCut,
    cancelled: () => boolean,
    rdb: boolean,
  ): AofManifest | null {
    const { aof } = this.deps;
    if (log !== 'turning-on')
      return cancelled() ? null : installRewrite(aof.files, tempPath, log, () => {}, rdb);
    let installed: AofManifest | null = null;
    aof.inFileOrder(() => {
      if (cancelled()) return;
      installed = installRewrite(
        aof.files,
        tempPath,
        log,
        (seq) => {
          this.state.incrSeq = seq;
          this.state.finishTurnOn(); // the file holds the data now: plain on
        },
        rdb,
      );
    }, true);
    return installed;
  }

  /**
   * aofDelHistoryFiles; a failure costs only disk space until the next start or rewrite retries (Redis ignores it).
   * aof-disable-auto-gc yes keeps them, listed in the manifest as history (type h).
   */
  private deleteHistory(): void {
    const files = this.deps.aof.files;
    if (files.manifest.history.length === 0 || !autoGc(this.deps.config)) return;
    try {
      files.manifest = files.deleteHistory(files.manifest);
    } catch (error) {
      this.deps.log('warn', `Removing the AOF history files failed: ${(error as Error).message}`);
    }
  }
}

/** aof-disable-auto-gc is no: history files are deleted once a rewrite (or start-up) made them history. */
export function autoGc(config: Config): boolean {
  return config.string('aof-disable-auto-gc') === 'no';
}

/** What the log is doing as a rewrite starts (aof-state.ts's state). */
function logAtCut(state: number): LogAtCut {
  if (state === AOF_ON) return 'on';
  return state === AOF_WAIT_REWRITE ? 'turning-on' : 'off';
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => (ms === 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Start-up, once the data is loaded and before any thread serves: appendonly yes means on, its base size the base
 * file's as loaded (Redis's aof_rewrite_base_size), so the automatic rewrite measures growth from there.
 */
export function initialiseAofState(state: AofState, appendonly: boolean, files: AofFiles): void {
  if (!appendonly) return;
  state.state = AOF_ON;
  const base = files.manifest.base;
  state.baseSize = base === null ? 0 : files.sizeOf(base.name);
}
