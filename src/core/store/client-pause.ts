// CLIENT PAUSE's state, as every thread of a server sees it: three words of the store's control header
// (layout.ts), so the executor of every thread (is a command postponed?), the store (no expiry or eviction while
// paused) and the blocking hubs (when do postponed clients run again?) read one pause. Redis 7.0's networking.c
// pauseClients / unpauseClients / checkClientPauseTimeoutAndReturnIfPaused, for the one purpose a client can set
// (PAUSE_BY_CLIENT_COMMAND). Plain Atomics; knows nothing of clients or commands.

import { H_CLIENT_PAUSE, H_CLIENT_PAUSE_CHANGING, H_CLIENT_PAUSE_END_F64, HEADER_INTS } from './layout.js';

/** Redis's pause_type, in its order of restriction: a stricter pause is a larger number. */
export const PAUSE_OFF = 0;
export const PAUSE_WRITE = 1;
export const PAUSE_ALL = 2;
export type PauseType = typeof PAUSE_OFF | typeof PAUSE_WRITE | typeof PAUSE_ALL;

export class ClientPauseWords {
  private readonly words: Int32Array;
  private readonly floats: Float64Array;

  /** `control`: the store's control buffer (StoreHandles.control), shared by every thread. */
  constructor(control: SharedArrayBuffer) {
    this.words = new Int32Array(control);
    this.floats = new Float64Array(control, 0, H_CLIENT_PAUSE_END_F64 + 1);
  }

  /** A pause for a store-less test or a single-threaded caller: words of its own. */
  static local(): ClientPauseWords {
    return new ClientPauseWords(new SharedArrayBuffer(HEADER_INTS * 4));
  }

  /**
   * The pause in force as last written (one load): PAUSE_OFF means no pause, whatever the clock says. Read for
   * every command, so a plain read rather than Atomics.load (a runtime call on Node 20): the word is written with
   * Atomics.store before CLIENT PAUSE replies, and a later command on any thread reads memory again.
   */
  type(): PauseType {
    return this.words[H_CLIENT_PAUSE] as PauseType;
  }

  /** When the pause ends (ms on the server's clock); meaningful only while type() is not PAUSE_OFF. */
  end(): number {
    return this.floats[H_CLIENT_PAUSE_END_F64];
  }

  /**
   * Redis's checkClientPauseTimeoutAndReturnIfPaused without its clean-up: whether a pause holds at `now` (one
   * whose end has passed does not: end < now, as updateClientPauseTypeAndEndTime drops it).
   */
  pausedAt(now: number): boolean {
    return this.type() !== PAUSE_OFF && !(this.end() < now);
  }

  /**
   * CLIENT PAUSE: pauseClients for the client command's purpose. A pause already in force keeps the stricter type
   * and the later end of the two (p->type = max, p->end = max); one whose end has passed is gone first, as the
   * server cron would have dropped it. `end` may be in the past (CLIENT PAUSE 0): then there is no pause after.
   */
  pause(type: PauseType, end: number, now: number): void {
    this.locked(() => {
      let current = this.type();
      let currentEnd = this.end();
      if (current !== PAUSE_OFF && currentEnd < now) current = PAUSE_OFF;
      if (current === PAUSE_OFF) currentEnd = -Infinity;
      const nextEnd = Math.max(currentEnd, end);
      const next = nextEnd < now ? PAUSE_OFF : (Math.max(current, type) as PauseType);
      this.floats[H_CLIENT_PAUSE_END_F64] = next === PAUSE_OFF ? 0 : nextEnd;
      Atomics.store(this.words, H_CLIENT_PAUSE, next);
    });
  }

  /** CLIENT UNPAUSE: no pause from now on. True when one was in force (clients may be waiting for it). */
  unpause(): boolean {
    return this.locked(() => {
      const was = this.type();
      this.floats[H_CLIENT_PAUSE_END_F64] = 0;
      Atomics.store(this.words, H_CLIENT_PAUSE, PAUSE_OFF);
      return was !== PAUSE_OFF;
    });
  }

  /** A pause whose end has passed is cleared (whichever thread notices first). True when this call cleared it. */
  expire(now: number): boolean {
    if (this.type() === PAUSE_OFF) return false;
    return this.locked(() => {
      if (this.type() === PAUSE_OFF || !(this.end() < now)) return false;
      this.floats[H_CLIENT_PAUSE_END_F64] = 0;
      Atomics.store(this.words, H_CLIENT_PAUSE, PAUSE_OFF);
      return true;
    });
  }

  /** Held for a few loads and stores, by a command or a timer, never across anything that waits. */
  private locked<R>(work: () => R): R {
    while (Atomics.compareExchange(this.words, H_CLIENT_PAUSE_CHANGING, 0, 1) !== 0) {
      // Another thread is between its load and store of these three words: microseconds at most.
    }
    try {
      return work();
    } finally {
      Atomics.store(this.words, H_CLIENT_PAUSE_CHANGING, 0);
    }
  }
}
