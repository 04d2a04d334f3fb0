// The server's latency monitor (latency.c): for each event Redis names ("command", "fast-command",
// "expire-cycle", "fork", ...), the latest 160 samples of a latency of at least latency-monitor-threshold ms, one
// per second at most (the highest of that second), and the highest ever. In a fixed SharedArrayBuffer every thread
// attaches to, so the pool's workers and the hybrid's loops report into one monitor that LATENCY on any thread
// reads. An event exists from its first sample until LATENCY RESET; events are listed in the order they appeared.
//
// LOCKING: one lock (owned-lock.ts) guards the events; a leaf, taken with no other lock held. Sampling happens
// only for latencies at or past the threshold (milliseconds), so the lock is never on a fast path. Knows events'
// names and samples; nothing of commands or threads.

import { OwnedLock } from '../owned-lock.js';

/** LATENCY_TS_LEN. */
export const SAMPLES_KEPT = 160;

/** Every event redis-server 7.0 may report, so that LATENCY HISTORY / RESET name them alike; not all occur here. */
export const LATENCY_EVENTS = [
  'command',
  'fast-command',
  'command-unblocking',
  'expire-cycle',
  'expire-del',
  'eviction-cycle',
  'eviction-del',
  'eviction-lazyfree',
  'fork',
  'aof-write',
  'aof-write-pending-fsync',
  'aof-write-active-child',
  'aof-write-alone',
  'aof-fsync-always',
  'aof-fstat',
  'aof-rewrite-diff-write',
  'aof-rename',
  'rdb-unlink-temp-file',
  'while-blocked-cron',
  'active-defrag-cycle',
  'module-acquire-GIL',
] as const;

export type LatencyEvent = (typeof LATENCY_EVENTS)[number];

export interface LatencySample {
  /** Unix time, seconds. */
  readonly time: number;
  /** Milliseconds. */
  readonly latency: number;
}

/** One event as LATENCY reads it: its samples oldest first, and its highest latency since it appeared. */
export interface EventSeries {
  readonly name: LatencyEvent;
  readonly samples: readonly LatencySample[];
  readonly max: number;
}

// ---- Layout: Int32 words. ----
const H_LOCK = 0; // and word 1, its sleepers
const H_APPEARED = 2; // events that have appeared so far: the next one's order
const F_THRESHOLD = 2; // Float64 index (byte 16): latency-monitor-threshold, ms
const F_FORK_RATE = 3; // Float64 (byte 24): the last snapshot's "fork rate", GB per second
const EVENTS_AT = 16; // Int32 index (byte 64)
const E_ORDER = 0; // 0: absent; else its place among the events present
const E_IDX = 1; // where the next sample goes
const E_MAX = 2;
const E_SAMPLES = 4; // time, latency pairs
const EVENT_INTS = E_SAMPLES + 2 * SAMPLES_KEPT;
const BYTES = (EVENTS_AT + LATENCY_EVENTS.length * EVENT_INTS) * 4;

export type LatencyHandles = SharedArrayBuffer;

export class SharedLatencyMonitor {
  private readonly words: Int32Array;
  private readonly floats: Float64Array;
  private readonly mutex: OwnedLock;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
    this.floats = new Float64Array(buffer, 0, EVENTS_AT / 2);
    this.mutex = new OwnedLock(this.words, H_LOCK, 'latency monitor');
  }

  static create(): SharedLatencyMonitor {
    return new SharedLatencyMonitor(new SharedArrayBuffer(BYTES));
  }

  static attach(buffer: LatencyHandles): SharedLatencyMonitor {
    return new SharedLatencyMonitor(buffer);
  }

  handles(): LatencyHandles {
    return this.buffer;
  }

  /** latency-monitor-threshold, ms; 0: off. */
  threshold(): number {
    return this.floats[F_THRESHOLD];
  }

  setThreshold(milliseconds: number): void {
    this.floats[F_THRESHOLD] = milliseconds;
  }

  /**
   * latencyAddSampleIfNeeded: `latency` ms (its whole part) is a sample of `event` at `nowSeconds` (whole seconds)
   * when it reaches the threshold.
   */
  sampleIfNeeded(event: LatencyEvent, latency: number, nowSeconds: number): void {
    const threshold = this.floats[F_THRESHOLD];
    const milliseconds = Math.floor(latency); // Redis's whole milliseconds (a duration in µs / 1000)
    if (threshold === 0 || milliseconds < threshold) return;
    this.mutex.locked(() => this.add(LATENCY_EVENTS.indexOf(event), milliseconds, nowSeconds));
  }

  /** The last snapshot copy's rate, for LATENCY DOCTOR's fork line (server.stat_fork_rate). */
  setForkRate(gigabytesPerSecond: number): void {
    this.floats[F_FORK_RATE] = gigabytesPerSecond;
  }

  forkRate(): number {
    return this.floats[F_FORK_RATE];
  }

  /** The events present, in the order they appeared. */
  events(): EventSeries[] {
    return this.mutex.locked(() => {
      const present: { order: number; series: EventSeries }[] = [];
      LATENCY_EVENTS.forEach((name, slot) => {
        const at = EVENTS_AT + slot * EVENT_INTS;
        const order = this.words[at + E_ORDER];
        if (order !== 0) present.push({ order, series: this.seriesAt(name, at) });
      });
      return present.sort((a, b) => a.order - b.order).map((p) => p.series);
    });
  }

  /** One event by its exact name (dictFetchValue), or null when it has no samples. */
  event(name: string): EventSeries | null {
    return this.events().find((e) => e.name === name) ?? null;
  }

  /** latencyResetEvent: every event (null), or those whose name equals `name` ignoring case; how many went. */
  reset(name: string | null): number {
    return this.mutex.locked(() => {
      let resets = 0;
      LATENCY_EVENTS.forEach((event, slot) => {
        const at = EVENTS_AT + slot * EVENT_INTS;
        if (this.words[at + E_ORDER] === 0) return;
        if (name !== null && event.toLowerCase() !== name.toLowerCase()) return;
        this.words.fill(0, at, at + EVENT_INTS);
        resets++;
      });
      return resets;
    });
  }

  /** The thread `deadThreadId` died (main thread only): a hold of the lock it died with is undone. */
  releaseDeadHolder(deadThreadId: number): void {
    this.mutex.releaseDeadHolder(deadThreadId);
  }

  // ---- Lock held ----

  /** latencyAddSample. */
  private add(slot: number, latency: number, now: number): void {
    const words = this.words;
    const at = EVENTS_AT + slot * EVENT_INTS;
    if (words[at + E_ORDER] === 0) {
      words.fill(0, at, at + EVENT_INTS);
      words[H_APPEARED] += 1;
      words[at + E_ORDER] = words[H_APPEARED];
    }
    if (latency > words[at + E_MAX]) words[at + E_MAX] = latency;
    const idx = words[at + E_IDX];
    // A sample in the same second as the previous one only raises that one.
    const prev = at + E_SAMPLES + 2 * ((idx + SAMPLES_KEPT - 1) % SAMPLES_KEPT);
    if (words[prev] === now) {
      if (latency > words[prev + 1]) words[prev + 1] = latency;
      return;
    }
    words[at + E_SAMPLES + 2 * idx] = now;
    words[at + E_SAMPLES + 2 * idx + 1] = latency;
    words[at + E_IDX] = (idx + 1) % SAMPLES_KEPT;
  }

  /** The event's samples oldest first (a sample of time 0 is an empty place). */
  private seriesAt(name: LatencyEvent, at: number): EventSeries {
    const words = this.words;
    const idx = words[at + E_IDX];
    const samples: LatencySample[] = [];
    for (let j = 0; j < SAMPLES_KEPT; j++) {
      const i = at + E_SAMPLES + 2 * ((idx + j) % SAMPLES_KEPT);
      if (words[i] !== 0) samples.push({ time: words[i], latency: words[i + 1] });
    }
    return { name, samples, max: words[at + E_MAX] };
  }
}
