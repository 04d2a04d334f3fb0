// The RDB persistence state every thread of a server shares (a SAVE or BGSAVE may run on any of them, INFO
// and LASTSAVE read it from any): words of the server counters' buffer (shared-counters.ts reserves them).
// Plain Atomics loads and stores; the only race that matters, two BGSAVEs at once, is settled by a CAS.

import { LOADING_BYTE, PERSISTENCE_FLOATS_BYTE, PERSISTENCE_WORDS } from '../shared-counters.js';

const IN_PROGRESS = PERSISTENCE_WORDS; // 1 while a BGSAVE (or SAVE) is writing
const LAST_SAVE = PERSISTENCE_WORDS + 1; // unix seconds of the last successful save
const LAST_BGSAVE_FAILED = PERSISTENCE_WORDS + 2;
const LAST_BGSAVE_SECONDS = PERSISTENCE_WORDS + 3; // -1 before the first
const BGSAVE_STARTED = PERSISTENCE_WORDS + 4; // unix seconds
const PAUSE_MICROS = PERSISTENCE_WORDS + 5; // the last snapshot copy's pause (latest_fork_usec)
const LAST_SAVE_ATTEMPT = PERSISTENCE_WORDS + 6; // unix seconds of the last BGSAVE try (retry delay)
const DIRTY_BASE = 0; // successful write calls counted at the last successful save's snapshot
const DIRTY_AT_START = 1; // ... at the running save's snapshot
const LOADED_KEYS = 2; // the start-up load's keys (rdb_last_load_keys_loaded)
const LOADED_EXPIRED = 3; // ... and keys left out as already expired
// The start-up load (Float64s of the loading region; only the main thread writes them):
const LOADING = 0; // 1 while the dataset loads: commands without the `loading` flag answer -LOADING
const LOADING_STARTED = 1; // unix seconds
const LOADING_TOTAL = 2; // the file's bytes
const LOADING_LOADED = 3; // bytes read so far
const LOADING_RDB_USED_MEM = 4; // the dump's used-mem aux field (0 for an append-only file)
// Not the load's, in free slots of its region: rdb-key-save-delay, written by the thread that runs its CONFIG
// SET and read by a save at every key, on whichever thread it runs; then the saves' counts (INFO persistence
// rdb_saves, current_save_keys_*; INFO stats total_forks), each written by the thread that saves.
const KEY_SAVE_DELAY = 5;
const SAVES = 6; // successful saves since start-up or RESETSTAT (rdb_saves)
const FORKS = 7; // snapshots a BGSAVE or BGREWRITEAOF took (Redis's forks: total_forks)
const SAVE_KEYS_DONE = 8; // the running save's keys written so far
const SAVE_KEYS_TOTAL = 9; // ... of its snapshot's keys

export class PersistenceState {
  private readonly words: Int32Array;
  private readonly floats: Float64Array;
  private readonly load: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, 16);
    this.floats = new Float64Array(buffer, PERSISTENCE_FLOATS_BYTE, 4);
    this.load = new Float64Array(buffer, LOADING_BYTE, 16);
  }

  /** The start-up load begins (main thread): every thread refuses commands without the `loading` flag. */
  beginLoading(nowSeconds: number, totalBytes: number): void {
    this.load[LOADING_STARTED] = nowSeconds;
    this.load[LOADING_TOTAL] = totalBytes;
    this.load[LOADING_LOADED] = 0;
    this.load[LOADING_RDB_USED_MEM] = 0;
    this.load[LOADING] = 1;
  }

  loadingProgress(loadedBytes: number, rdbUsedMem?: number): void {
    this.load[LOADING_LOADED] = loadedBytes;
    if (rdbUsedMem !== undefined) this.load[LOADING_RDB_USED_MEM] = rdbUsedMem;
  }

  endLoading(): void {
    this.load[LOADING] = 0;
  }

  get loading(): boolean {
    return this.load[LOADING] === 1;
  }

  /** INFO's loading_* figures while loading: start, total, loaded bytes, the dump's used-mem. */
  get loadingFigures(): { started: number; total: number; loaded: number; rdbUsedMem: number } {
    return {
      started: this.load[LOADING_STARTED],
      total: this.load[LOADING_TOTAL],
      loaded: this.load[LOADING_LOADED],
      rdbUsedMem: this.load[LOADING_RDB_USED_MEM],
    };
  }

  /** Start-up (main thread, before any worker): the counts a fresh server reports. */
  initialise(nowSeconds: number): void {
    Atomics.store(this.words, LAST_SAVE, nowSeconds);
    Atomics.store(this.words, LAST_BGSAVE_SECONDS, -1);
  }

  /** Claims the one save slot; false when a save is already running. */
  begin(nowSeconds: number, dirty: number): boolean {
    if (Atomics.compareExchange(this.words, IN_PROGRESS, 0, 1) !== 0) return false;
    Atomics.store(this.words, BGSAVE_STARTED, nowSeconds);
    Atomics.store(this.words, LAST_SAVE_ATTEMPT, nowSeconds);
    this.floats[DIRTY_AT_START] = dirty;
    return true;
  }

  /** Ends the running save: on success the changes before its snapshot are no longer unsaved. */
  end(ok: boolean, nowSeconds: number, background: boolean): void {
    this.load[SAVE_KEYS_DONE] = 0;
    this.load[SAVE_KEYS_TOTAL] = 0;
    if (ok) {
      this.load[SAVES] += 1;
      Atomics.store(this.words, LAST_SAVE, nowSeconds);
      this.floats[DIRTY_BASE] = this.floats[DIRTY_AT_START];
    }
    if (background) {
      Atomics.store(this.words, LAST_BGSAVE_FAILED, ok ? 0 : 1);
      Atomics.store(this.words, LAST_BGSAVE_SECONDS, nowSeconds - Atomics.load(this.words, BGSAVE_STARTED));
    } else if (ok) {
      // rdbSave clears a previous BGSAVE error (server.lastbgsave_status = C_OK).
      Atomics.store(this.words, LAST_BGSAVE_FAILED, 0);
    }
    Atomics.store(this.words, IN_PROGRESS, 0);
  }

  /** A loaded file counts as saved: nothing is unsaved yet. */
  markLoaded(dirty: number, nowSeconds: number, keys: number, expired: number): void {
    this.floats[DIRTY_BASE] = dirty;
    this.floats[LOADED_KEYS] = keys;
    this.floats[LOADED_EXPIRED] = expired;
    Atomics.store(this.words, LAST_SAVE, nowSeconds);
  }

  set pauseMicros(value: number) {
    Atomics.store(this.words, PAUSE_MICROS, Math.min(2 ** 31 - 1, Math.round(value)));
  }

  get pauseMicros(): number {
    return Atomics.load(this.words, PAUSE_MICROS);
  }

  /** A BGSAVE or an append-only file rewrite took its snapshot (Redis forks for these). */
  forked(): void {
    this.load[FORKS] += 1;
  }

  /** The running save's snapshot holds `keys` keys (current_save_keys_total). */
  saveStarted(keys: number): void {
    this.load[SAVE_KEYS_DONE] = 0;
    this.load[SAVE_KEYS_TOTAL] = keys;
  }

  /** The running save wrote one more key. */
  keySaved(): void {
    this.load[SAVE_KEYS_DONE] += 1;
  }

  /** INFO: rdb_saves, total_forks, current_save_keys_processed and current_save_keys_total. */
  get saveCounts(): { saves: number; forks: number; keysDone: number; keysTotal: number } {
    const load = this.load;
    return {
      saves: load[SAVES],
      forks: load[FORKS],
      keysDone: load[SAVE_KEYS_DONE],
      keysTotal: load[SAVE_KEYS_TOTAL],
    };
  }

  /** CONFIG RESETSTAT: rdb_saves and total_forks start again (resetServerStats). */
  resetCounts(): void {
    this.load[SAVES] = 0;
    this.load[FORKS] = 0;
  }

  /** rdb-key-save-delay: microseconds a save sleeps after each key (negative: debug-delay.ts). */
  set keySaveDelay(micros: number) {
    this.load[KEY_SAVE_DELAY] = micros;
  }

  get keySaveDelay(): number {
    return this.load[KEY_SAVE_DELAY];
  }

  get inProgress(): boolean {
    return Atomics.load(this.words, IN_PROGRESS) !== 0;
  }

  get lastSave(): number {
    return Atomics.load(this.words, LAST_SAVE);
  }

  get lastAttempt(): number {
    return Atomics.load(this.words, LAST_SAVE_ATTEMPT);
  }

  /** Read before every write command (stop-writes-on-bgsave-error): a plain read of a status a save sets. */
  get lastBgsaveFailed(): boolean {
    return this.words[LAST_BGSAVE_FAILED] !== 0;
  }

  get lastBgsaveSeconds(): number {
    return Atomics.load(this.words, LAST_BGSAVE_SECONDS);
  }

  get startedAt(): number {
    return Atomics.load(this.words, BGSAVE_STARTED);
  }

  get loadedKeys(): number {
    return this.floats[LOADED_KEYS];
  }

  get loadedExpired(): number {
    return this.floats[LOADED_EXPIRED];
  }

  get dirtyBase(): number {
    return this.floats[DIRTY_BASE];
  }
}
