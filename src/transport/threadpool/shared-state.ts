// Typed access to the pool's shared memory (layout.ts), the same class on the main thread and in workers:
// counters, each worker slot's lock-guarded descriptor and client id, and the client records CLIENT LIST
// reads. The one place a thread blocks on shared memory is waitWhile(). Knows nothing of sockets or sessions.

import type { PubSubCounts, TrackingCounts } from '../../core/command.js';
import {
  NO_FD,
  RECORD_BYTES,
  SLOT_ANSWERED,
  SLOT_CLIENT,
  SLOT_CLOSING,
  SLOT_CREATED_AT,
  SLOT_FD,
  SLOT_LAST_INTERACTION,
  SLOT_LOCK,
  SLOT_RECORD_LENGTH,
  SLOT_SEQ,
  regions,
  slotBase,
  slotFloatBase,
} from './layout.js';

/** What a worker publishes about its client; the main thread adds nothing it does not know itself. */
export interface ClientRecord {
  readonly addr: string;
  readonly laddr: string;
  readonly name: string;
  readonly cmd: string;
  readonly qbuf: number;
  /** HELLO's protocol version (CLIENT LIST resp=). */
  readonly resp: 2 | 3;
  /** The database it has SELECTed (CLIENT LIST db=). */
  readonly db: number;
  /** Its ACL user (CLIENT LIST user=; CLIENT KILL USER and ACL DELUSER find it by it); absent: default. */
  readonly user?: string;
  /** Its Pub/Sub subscriptions (CLIENT LIST flags=P, sub=, psub=, ssub=); absent before its first. */
  readonly pubsub?: PubSubCounts;
  /** In MONITOR mode (CLIENT LIST flags=O); absent otherwise. */
  readonly monitor?: true;
  /** Blocked in BLPOP or its kin (CLIENT LIST flags=b); absent otherwise. */
  readonly blocked?: true;
  /** CLIENT TRACKING on (CLIENT LIST flags=t, R, B and redir=); absent otherwise. */
  readonly tracking?: TrackingCounts;
}

/** Blocks this thread while i32[index] === value, at most timeoutMs. Every Atomics wait goes through here. */
export function waitWhile(i32: Int32Array, index: number, value: number, timeoutMs: number): void {
  Atomics.wait(i32, index, value, timeoutMs);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class PoolState {
  readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly records: Uint8Array;

  private constructor(
    readonly buffer: SharedArrayBuffer,
    readonly slots: number,
  ) {
    const r = regions(slots);
    this.i32 = new Int32Array(buffer, 0, r.int32Bytes / 4);
    this.f64 = new Float64Array(buffer, r.float64Offset, slots * 2);
    this.records = new Uint8Array(buffer, r.recordsOffset, slots * RECORD_BYTES);
  }

  static create(slots: number): PoolState {
    const state = new PoolState(new SharedArrayBuffer(regions(slots).totalBytes), slots);
    for (let slot = 0; slot < slots; slot++) Atomics.store(state.i32, slotBase(slot) + SLOT_FD, NO_FD);
    return state;
  }

  /** The same memory in another thread. */
  static attach(buffer: SharedArrayBuffer, slots: number): PoolState {
    return new PoolState(buffer, slots);
  }

  counter(index: number): number {
    return Atomics.load(this.i32, index);
  }

  add(index: number, delta: number): void {
    Atomics.add(this.i32, index, delta);
  }

  store(index: number, value: number): void {
    Atomics.store(this.i32, index, value);
  }

  /**
   * Runs `action` holding the slot's lock, so the descriptor it reads cannot be closed (and its number reused)
   * by the worker meanwhile. The lock is held for a few instructions and a syscall at most.
   */
  withSlot<T>(slot: number, action: (fd: number, clientId: number) => T): T {
    const lock = slotBase(slot) + SLOT_LOCK;
    while (Atomics.compareExchange(this.i32, lock, 0, 1) !== 0) waitWhile(this.i32, lock, 1, 5);
    try {
      return action(
        Atomics.load(this.i32, slotBase(slot) + SLOT_FD),
        Atomics.load(this.i32, slotBase(slot) + SLOT_CLIENT),
      );
    } finally {
      Atomics.store(this.i32, lock, 0);
      Atomics.notify(this.i32, lock);
    }
  }

  /**
   * Main thread, when handing a client to the slot's worker (nobody else holds the lock for a free slot). `now`
   * starts its idle time: a client that waited in the queue is served only from now on.
   */
  assign(slot: number, fd: number, clientId: number, createdAt: number, now: number): void {
    this.f64[slotFloatBase(slot) + SLOT_CREATED_AT] = createdAt;
    this.f64[slotFloatBase(slot) + SLOT_LAST_INTERACTION] = now;
    this.withSlot(slot, () => {
      Atomics.store(this.i32, slotBase(slot) + SLOT_FD, fd);
      Atomics.store(this.i32, slotBase(slot) + SLOT_CLIENT, clientId);
    });
  }

  /** Takes the slot's descriptor out of shared view; returns it (or NO_FD) for the caller to close. */
  release(slot: number): number {
    return this.withSlot(slot, (fd) => {
      Atomics.store(this.i32, slotBase(slot) + SLOT_FD, NO_FD);
      Atomics.store(this.i32, slotBase(slot) + SLOT_CLIENT, 0);
      Atomics.store(this.i32, slotBase(slot) + SLOT_RECORD_LENGTH, 0);
      Atomics.store(this.i32, slotBase(slot) + SLOT_CLOSING, 0);
      return fd;
    });
  }

  /** A dead worker may have died holding its lock; only the main thread calls this, after 'exit'. */
  forceUnlock(slot: number): void {
    Atomics.store(this.i32, slotBase(slot) + SLOT_LOCK, 0);
  }

  /** Worker side: its client is being closed; draining it may take until `now` + the close grace. */
  markClosing(slot: number, now: number): void {
    this.touch(slot, now);
    Atomics.store(this.i32, slotBase(slot) + SLOT_CLOSING, 1);
  }

  /** When the slot's worker started draining a closed client, or null when it is not draining one. */
  closingSince(slot: number): number | null {
    return Atomics.load(this.i32, slotBase(slot) + SLOT_CLOSING) === 1 ? this.lastInteraction(slot) : null;
  }

  /** The last question from the slot's worker the main thread answered (queued-query.ts). */
  answered(slot: number): number {
    return Atomics.load(this.i32, slotBase(slot) + SLOT_ANSWERED);
  }

  /** Main thread, after posting the answer to question `request`: wakes the slot's worker waiting on it. */
  markAnswered(slot: number, request: number): void {
    Atomics.store(this.i32, slotBase(slot) + SLOT_ANSWERED, request);
    Atomics.notify(this.i32, slotBase(slot) + SLOT_ANSWERED);
  }

  /** Worker side: blocks while the answered count is still `seen`, at most timeoutMs. */
  waitForAnswer(slot: number, seen: number, timeoutMs: number): void {
    waitWhile(this.i32, slotBase(slot) + SLOT_ANSWERED, seen, timeoutMs);
  }

  /** The slot's client descriptor (CLIENT LIST fd=), NO_FD when none. */
  fd(slot: number): number {
    return Atomics.load(this.i32, slotBase(slot) + SLOT_FD);
  }

  clientId(slot: number): number {
    return Atomics.load(this.i32, slotBase(slot) + SLOT_CLIENT);
  }

  touch(slot: number, now: number): void {
    this.f64[slotFloatBase(slot) + SLOT_LAST_INTERACTION] = now;
  }

  createdAt(slot: number): number {
    return this.f64[slotFloatBase(slot) + SLOT_CREATED_AT];
  }

  lastInteraction(slot: number): number {
    return this.f64[slotFloatBase(slot) + SLOT_LAST_INTERACTION];
  }

  /** Worker side: rewrites its slot's record under the seqlock (odd sequence while writing). */
  publish(slot: number, record: ClientRecord): void {
    const seq = slotBase(slot) + SLOT_SEQ;
    const area = this.records.subarray(slot * RECORD_BYTES, (slot + 1) * RECORD_BYTES);
    Atomics.add(this.i32, seq, 1);
    let json = JSON.stringify(record);
    if (Buffer.byteLength(json) > RECORD_BYTES)
      json = JSON.stringify({ ...record, name: record.name.slice(0, 64) });
    // encodeInto on shared memory is not allowed: encode, then copy.
    const bytes = encoder.encode(json).subarray(0, RECORD_BYTES);
    area.set(bytes);
    Atomics.store(this.i32, slotBase(slot) + SLOT_RECORD_LENGTH, bytes.length);
    Atomics.add(this.i32, seq, 1);
  }

  /** Any thread: the slot's record, retried while the worker is rewriting it; null when none. */
  read(slot: number): ClientRecord | null {
    const seq = slotBase(slot) + SLOT_SEQ;
    for (let attempt = 0; attempt < 100; attempt++) {
      const before = Atomics.load(this.i32, seq);
      if ((before & 1) === 1) continue;
      const length = Atomics.load(this.i32, slotBase(slot) + SLOT_RECORD_LENGTH);
      const copy = this.records.slice(slot * RECORD_BYTES, slot * RECORD_BYTES + length);
      if (Atomics.load(this.i32, seq) !== before) continue;
      if (length === 0) return null;
      try {
        return JSON.parse(decoder.decode(copy)) as ClientRecord;
      } catch {
        return null; // cut mid-character by a very long name: leave the slot out of CLIENT LIST
      }
    }
    return null;
  }
}
