// RDB persistence for one thread of a server (Redis's rdb.c rdbSave/rdbSaveBackground/rdbLoad and serverCron's
// save points): SAVE and BGSAVE take a point-in-time copy of the store (store/snapshot.ts: the only pause
// writers see), encode it and write it as a temp file, fsynced and renamed. Any thread may save; the state
// (in progress, last save, status, the change count's baseline) is shared (persistence-state.ts). BGSAVE
// encodes in steps on the main thread's event loop; a worker thread (pool, hybrid loop), which does not return
// to a Node event loop while it serves, encodes before answering (clients of other threads go on). Changes since the last save
// are Redis's server.dirty, the changes write commands made (dirty.ts: SADD of 3 new members is 3, of members already
// there 0), counted on every thread.

import { isMainThread } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import type { ServerCounters } from '../command.js';
import { formatFixed } from '../format-double.js';
import { CommandError } from '../errors.js';
import { PERSISTENCE_STATE_BYTES, SharedServerCounters } from '../shared-counters.js';
import { SharedStore } from '../store/store.js';
import type { Snapshot } from '../store/snapshot.js';
import type { Clock, KeyValueStore } from '../store/types.js';
import { decodeRdbInSteps, encodeRdb } from './file.js';
import { AUTOSYNC_BYTES } from '../incremental-sync.js';
import { RdbFormatError } from './format.js';
import { PersistenceState } from './persistence-state.js';
import { readDumpFile, writeFileAtomically, writeFileAtomicallyAsync, type FileSink } from './rdb-files.js';
import { storeDatabases, writeStoreValue } from './store-io.js';

/** The settings persistence reads live (CONFIG SET applies to the next save). */
export interface PersistenceConfig {
  string(name: string): string;
}

export type PersistenceLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface PersistenceDeps {
  readonly store: KeyValueStore & { snapshot(): Snapshot };
  readonly config: PersistenceConfig;
  readonly counters: ServerCounters | undefined;
  readonly clock: Clock;
  readonly log?: PersistenceLog;
  /** Test seam: how bytes reach the disk. */
  readonly sink?: FileSink;
  /** A snapshot for BGSAVE or a rewrite paused writers `pauseMicros` (Redis's fork: the latency monitor's). */
  readonly forked?: (pauseMicros: number) => void;
  /** The function libraries, saved with the keys and loaded back; absent: none are saved, loaded ones skipped. */
  readonly functions?: FunctionLibraries;
}

/** DEBUG RELOAD's load into a store that may not be empty (NOFLUSH, MERGE). */
export interface ReloadOptions {
  /** A key the dump has replaces the one here. */
  readonly replaceKeys?: boolean;
  /** A library the dump has replaces the one of its name here (RDBFLAGS_ALLOW_DUP). */
  readonly replaceLibraries?: boolean;
}

/** What persistence needs of the function libraries (functions/functions.ts). */
export interface FunctionLibraries {
  /** Every library's code, in order. */
  codes(): Buffer[];
  /** Adds the libraries of a file being loaded: null, or why one could not be created. */
  restore(codes: readonly Buffer[], policy: 'append' | 'replace'): { readonly error: string } | null;
}

/** server.h CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long before another. */
const RETRY_DELAY_SECONDS = 5;

export const MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
  'Commands that may modify the data set are disabled, because this instance is configured to report errors ' +
  'during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs ' +
  'for details about the RDB error.';

/** The `save` setting's pairs: after `seconds`, save if at least `changes` were made. */
export function parseSavePoints(text: string): { seconds: number; changes: number }[] | null {
  const words = text.trim() === '' ? [] : text.trim().split(/\s+/);
  if (words.length % 2 !== 0 || !words.every((w) => /^[0-9]+$/.test(w))) return null;
  const points: { seconds: number; changes: number }[] = [];
  for (let i = 0; i < words.length; i += 2)
    points.push({ seconds: Number(words[i]), changes: Number(words[i + 1]) });
  return points;
}

/** How a stopped BGSAVE's writer ends (its temporary file is removed on the way out). */
class BackgroundSaveStopped extends Error {
  override name = 'BackgroundSaveStopped';
}

export class Persistence {
  private readonly state: PersistenceState;
  private readonly counters: SharedServerCounters | null;
  /** This thread's BGSAVE, while it runs (tests await it). */
  private running: Promise<void> | null = null;
  /** A BGSAVE EXEC asked for, taken once its locks are released (deferBgsave). */
  private deferred = false;
  /** Stops this thread's running BGSAVE before its next chunk (SHUTDOWN); null when none runs here. */
  private stopRunning: (() => void) | null = null;

  constructor(private readonly deps: PersistenceDeps) {
    this.counters = deps.counters instanceof SharedServerCounters ? deps.counters : null;
    this.state = new PersistenceState(
      this.counters?.buffer ?? new SharedArrayBuffer(PERSISTENCE_STATE_BYTES),
    );
  }

  /** Main thread, at start-up: a fresh server's state. */
  initialise(): void {
    this.state.initialise(this.seconds());
    this.setKeySaveDelay(Number(this.deps.config.string('rdb-key-save-delay')));
  }

  /** CONFIG SET rdb-key-save-delay on this thread: for every thread's saves, a running one included. */
  setKeySaveDelay(micros: number): void {
    this.state.keySaveDelay = micros;
  }

  path(): string {
    const dir = this.deps.config.string('dir');
    return join(resolve(dir === '' ? process.cwd() : dir), this.deps.config.string('dbfilename'));
  }

  private seconds(): number {
    return Math.floor(this.deps.clock() / 1000);
  }

  private dirty(): number {
    return this.counters?.changesMade() ?? 0;
  }

  changesSinceLastSave(): number {
    return Math.max(0, this.dirty() - this.state.dirtyBase);
  }

  lastSave(): number {
    return this.state.lastSave;
  }

  /** A SAVE or BGSAVE is running, on any thread. */
  inProgress(): boolean {
    return this.state.inProgress;
  }

  /** The running BGSAVE of this thread, or a resolved promise. */
  whenIdle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Copies the store (the pause writers see, recorded as latest_fork_usec) and the file's chunks from it. */
  private snapshotChunks(): Generator<Buffer> {
    const handles = this.deps.store.snapshot();
    this.state.pauseMicros = handles.pauseMicros;
    const at = this.deps.clock();
    const copy = SharedStore.attach(handles, () => at);
    this.state.saveStarted(copy.stats().keys);
    return encodeRdb(
      storeDatabases(copy),
      {
        functions: this.deps.functions?.codes() ?? [],
        compress: this.deps.config.string('rdbcompression') === 'yes',
        checksum: this.deps.config.string('rdbchecksum') === 'yes',
        ctime: Math.floor(at / 1000),
        usedMemory: this.deps.store.stats().usedMemory,
      },
      // Asked once per key written: the running save's progress (current_save_keys_processed) counts there.
      () => {
        this.state.keySaved();
        return this.state.keySaveDelay;
      },
    );
  }

  /** rdb-save-incremental-fsync: the dump is synced every 4 MB written (rdbSave's rioSetAutoSync). */
  private autosync(): number {
    return this.deps.config.string('rdb-save-incremental-fsync') === 'yes' ? AUTOSYNC_BYTES : 0;
  }

  /** SAVE: the whole file before returning. */
  save(): void {
    if (!this.state.begin(this.seconds(), this.dirty())) {
      throw new CommandError('ERR Background save already in progress');
    }
    try {
      writeFileAtomically(this.path(), this.snapshotChunks(), this.deps.sink, this.autosync());
    } catch (error) {
      this.state.end(false, this.seconds(), false);
      this.deps.log?.('warn', `Failed saving the DB: ${(error as Error).message}`);
      throw new CommandError('ERR');
    }
    this.state.end(true, this.seconds(), false);
    this.deps.log?.('info', 'DB saved on disk');
  }

  /** BGSAVE: false when a save is already running. */
  bgsave(): boolean {
    if (!this.state.begin(this.seconds(), this.dirty())) return false;
    let chunks: Generator<Buffer>;
    try {
      chunks = this.snapshotChunks();
    } catch (error) {
      this.failBackground(error);
      return true;
    }
    this.state.forked();
    this.deps.forked?.(this.state.pauseMicros);
    this.deps.log?.('info', `Background saving started (pause ${this.state.pauseMicros} us)`);
    if (!isMainThread) {
      try {
        writeFileAtomically(this.path(), chunks, this.deps.sink, this.autosync());
        this.finishBackground();
      } catch (error) {
        this.failBackground(error);
      }
      return true;
    }
    let stopped = false;
    const stoppable: Iterator<Buffer> = {
      next: () => {
        if (stopped) throw new BackgroundSaveStopped();
        return chunks.next();
      },
    };
    this.stopRunning = () => {
      stopped = true;
      this.state.end(false, this.seconds(), false);
    };
    this.running = writeFileAtomicallyAsync(this.path(), stoppable, this.deps.sink, this.autosync()).then(
      () => (stopped ? undefined : this.finishBackground()),
      (error: unknown) => (stopped ? undefined : this.failBackground(error)),
    );
    void this.running.finally(() => {
      this.running = null;
      this.stopRunning = null;
    });
    return true;
  }

  /**
   * SHUTDOWN's final save must not race a BGSAVE (finishShutdown kills the saving child): this thread's BGSAVE
   * stops before its next chunk and removes its temporary file; one another thread runs (it encodes before
   * answering, so it ends soon) is waited for, up to `timeoutMs`. False when a save still runs.
   */
  stopBackgroundSave(timeoutMs: number): boolean {
    if (this.stopRunning !== null) {
      this.deps.log?.('warn', 'There is a background save in progress. Stopping it!');
      this.stopRunning();
      this.stopRunning = null;
    }
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + timeoutMs;
    while (this.state.inProgress && Date.now() < deadline) Atomics.wait(pause, 0, 0, 5);
    return !this.state.inProgress;
  }

  /**
   * BGSAVE run by EXEC: this thread holds the transaction's locks, so the snapshot waits for runDeferred (the
   * executor calls it after every command). False when a save is already running.
   */
  deferBgsave(): boolean {
    if (this.state.inProgress) return false;
    this.deferred = true;
    return true;
  }

  runDeferred(): void {
    if (!this.deferred) return;
    this.deferred = false;
    this.bgsave();
  }

  private finishBackground(): void {
    this.state.end(true, this.seconds(), true);
    this.deps.log?.('info', 'Background saving terminated with success');
  }

  private failBackground(error: unknown): void {
    this.state.end(false, this.seconds(), true);
    this.deps.log?.('error', `Background saving error: ${(error as Error).message}`);
  }

  /** Write commands are refused with MISCONF (server.c writeCommandsDeniedByDiskError). */
  writesRefused(): boolean {
    return (
      this.state.lastBgsaveFailed &&
      this.deps.config.string('stop-writes-on-bgsave-error') === 'yes' &&
      (parseSavePoints(this.deps.config.string('save'))?.length ?? 0) > 0
    );
  }

  /** serverCron's save points: a BGSAVE when one of them is due. */
  cron(): void {
    if (this.state.inProgress) return;
    const points = parseSavePoints(this.deps.config.string('save')) ?? [];
    const now = this.seconds();
    const changes = this.changesSinceLastSave();
    const retryAllowed = !this.state.lastBgsaveFailed || now - this.state.lastAttempt > RETRY_DELAY_SECONDS;
    for (const point of points) {
      if (changes >= point.changes && now - this.state.lastSave > point.seconds && retryAllowed) {
        this.deps.log?.('info', `${point.changes} changes in ${point.seconds} seconds. Saving...`);
        this.bgsave();
        return;
      }
    }
  }

  /** Save points are set (a save is due at shutdown, as Redis's prepareForShutdown). */
  savePointsSet(): boolean {
    return (parseSavePoints(this.deps.config.string('save'))?.length ?? 0) > 0;
  }

  /**
   * Start-up: the dump, when there is one, into the empty store. Keys already expired are left out (a master's
   * rdbLoad). Throws RdbFormatError for a damaged file: the server must not start on half its data.
   */
  load(options: ReloadOptions = {}): { keys: number; expired: number } | null {
    const file = readDumpFile(this.path());
    if (file === null) return null;
    const steps = this.loadInSteps(file, Infinity, options);
    for (;;) {
      const step = steps.next();
      if (step.done === true) return step.value;
    }
  }

  /**
   * The same for a dump already read, pausing after every `stepBytes` of it (yielding the bytes read so far),
   * so a server that already accepts clients answers them -LOADING meanwhile.
   */
  *loadInSteps(
    file: Buffer,
    stepBytes: number,
    options: ReloadOptions = {},
  ): Generator<number, { keys: number; expired: number }> {
    const store = this.deps.store;
    const now = this.deps.clock();
    let keys = 0;
    let expired = 0;
    const libraries: Buffer[] = [];
    const info = yield* decodeRdbInSteps(
      file,
      (db, entry) => {
        if (db >= store.databases) {
          throw new RdbFormatError(
            `FATAL: Data file was created with a Redis server configured to handle more than ${store.databases} databases`,
          );
        }
        if (entry.expireAt !== 0 && entry.expireAt < now) {
          expired++;
          return;
        }
        if (options.replaceKeys === true) store.select(db).del([entry.key]);
        writeStoreValue(store.select(db), entry.key, entry.value, entry.expireAt);
        keys++;
      },
      {
        checksum: this.deps.config.string('rdbchecksum') === 'yes',
        functions: (code) => libraries.push(code),
      },
      stepBytes,
    );
    // rdbFunctionLoad: a library that cannot be created fails the load, as a damaged key does.
    const policy = options.replaceLibraries === true ? 'replace' : 'append';
    const failed = libraries.length === 0 ? null : (this.deps.functions?.restore(libraries, policy) ?? null);
    if (failed !== null) throw new RdbFormatError(`Failed loading library, ${failed.error}`);
    this.state.loadingProgress(file.length, Number(info.aux.get('used-mem') ?? 0));
    this.state.markLoaded(this.dirty(), this.seconds(), keys, expired);
    return { keys, expired };
  }

  /** The start-up load begins: `totalBytes` to read; every thread answers -LOADING until endLoading. */
  beginLoading(totalBytes: number): void {
    this.state.beginLoading(this.seconds(), totalBytes);
  }

  loadingProgress(loadedBytes: number): void {
    this.state.loadingProgress(loadedBytes);
  }

  endLoading(): void {
    this.state.endLoading();
  }

  /** The dataset is loading (server.loading): commands without the `loading` flag are refused. */
  loading(): boolean {
    return this.state.loading;
  }

  /**
   * INFO persistence's loading figures (genRedisInfoString), in Redis 7.0's order: loading_start_time ...
   * loading_eta_seconds while loading, nothing otherwise.
   */
  loadingInfoFields(): [string, string | number][] {
    if (!this.state.loading) return [];
    const { started, total, loaded, rdbUsedMem } = this.state.loadingFigures;
    const elapsed = this.seconds() - started;
    const eta = elapsed === 0 || loaded === 0 ? 1 : Math.floor((elapsed * (total - loaded)) / loaded);
    return [
      ['loading_start_time', started],
      ['loading_total_bytes', total],
      ['loading_rdb_used_mem', rdbUsedMem],
      ['loading_loaded_bytes', loaded],
      ['loading_loaded_perc', ((loaded / Math.max(1, total)) * 100).toFixed(2)],
      ['loading_eta_seconds', eta],
    ];
  }

  /** INFO persistence's RDB fields, in Redis 7.0's order. */
  infoFields(): [string, string | number][] {
    const now = this.seconds();
    const counts = this.state.saveCounts;
    return [
      // No fork, so no copy-on-write: the snapshot is a copy taken while writers pause (latest_fork_usec).
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      [
        'current_fork_perc',
        formatFixed(counts.keysTotal > 0 ? (counts.keysDone * 100) / counts.keysTotal : 0, 2),
      ],
      ['current_save_keys_processed', counts.keysDone],
      ['current_save_keys_total', counts.keysTotal],
      ['rdb_changes_since_last_save', this.changesSinceLastSave()],
      ['rdb_bgsave_in_progress', this.state.inProgress ? 1 : 0],
      ['rdb_last_save_time', this.state.lastSave],
      ['rdb_last_bgsave_status', this.state.lastBgsaveFailed ? 'err' : 'ok'],
      ['rdb_last_bgsave_time_sec', this.state.lastBgsaveSeconds],
      ['rdb_current_bgsave_time_sec', this.state.inProgress ? now - this.state.startedAt : -1],
      ['rdb_saves', counts.saves],
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', this.state.loadedExpired],
      ['rdb_last_load_keys_loaded', this.state.loadedKeys],
    ];
  }

  /** An append-only file rewrite's snapshot paused writers this long (Redis counts its fork the same way). */
  recordPause(micros: number): void {
    this.state.pauseMicros = micros;
    this.state.forked();
    this.deps.forked?.(micros);
  }

  /** INFO stats total_forks: the snapshots BGSAVE and BGREWRITEAOF took since start-up or RESETSTAT. */
  totalForks(): number {
    return this.state.saveCounts.forks;
  }

  /** CONFIG RESETSTAT: rdb_saves and total_forks from zero. */
  resetStats(): void {
    this.state.resetCounts();
  }

  /** INFO stats latest_fork_usec: the last snapshot copy's pause. */
  latestPauseMicros(): number {
    return this.state.pauseMicros;
  }
}
