// The RDB persistence state every thread of a server shares (a SAVE or BGSAVE may run on any of them, INFO
// and LASTSAVE read it from any): words of the server counters' buffer (shared-counters.ts reserves them).
// Plain Atomics loads and stores; the only race that matters, two BGSAVEs at once, is settled by a CAS.

import { PERSISTENCE_FLOATS_BYTE, PERSISTENCE_WORDS } from '../shared-counters.js';

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

export class PersistenceState {
  private readonly words: Int32Array;
  private readonly floats: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, 16);
    this.floats = new Float64Array(buffer, PERSISTENCE_FLOATS_BYTE, 4);
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
    if (ok) {
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

  get inProgress(): boolean {
    return Atomics.load(this.words, IN_PROGRESS) !== 0;
  }

  get lastSave(): number {
    return Atomics.load(this.words, LAST_SAVE);
  }

  get lastAttempt(): number {
    return Atomics.load(this.words, LAST_SAVE_ATTEMPT);
  }

  get lastBgsaveFailed(): boolean {
    return Atomics.load(this.words, LAST_BGSAVE_FAILED) !== 0;
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
