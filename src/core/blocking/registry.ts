// The clients blocked in BLPOP and its kin on every thread, in one growable SharedArrayBuffer every thread
// attaches to: a FIFO of records (who waits, on which thread, for which keys of which database, and what to
// run for it when a key is ready), a lock, a count a writer reads to learn at no cost that nobody waits, and one
// wake cell per endpoint (a thread serving clients) that a pool worker waits on with Atomics.wait.
// Records stay in the order clients blocked: serving walks them in that order, which is Redis's FIFO among the
// clients blocked on one key (blocked.c keeps a list per key in blocking order), across threads too.
//
// LOCKING: one lock guards the records. It comes BEFORE the store's segment locks (a pusher serving a blocked
// client pops from the store while holding it) and before the pub/sub lock (the reply is mailed while holding
// it, so a client that times out meanwhile finds its reply already in its mailbox). Never taken while holding a
// store lock. Knows bytes and Atomics; nothing of clients, sessions or replies.

import { OwnedLock } from '../owned-lock.js';
import {
  type BlockedRecord,
  decodeRecord,
  encodeRecord,
  recordClientId,
  recordDatabase,
  recordWaitsOn,
} from './record.js';

// ---- Control words (Int32). ----
const H_LOCK = 0; // 0 free, else the holder's threadId + 1
// Int 1: threads sleeping on the lock word (owned-lock.ts keeps it).
const H_INTENTS = 2; // clients blocked, or about to look for a key under the lock: writers read this word
const H_RECORDS = 3; // records held (INFO blocked_clients)
const H_USED = 4; // bytes of records
const H_ENDPOINTS = 5;
const H_TIMED = 6; // records with a timeout (INFO clients_in_timeout_table)
const H_POSTPONED = 7; // clients postponed by CLIENT PAUSE on every thread (they hold no record; postponed.ts)
const WAKE_BASE = 8; // + endpoint: a counter bumped to wake that endpoint's thread (Atomics.wait target)

const INITIAL_BYTES = 64 * 1024;
/** Room for the records of every blocked client: far beyond any real use (a record is ~50 bytes plus keys). */
const MAX_BYTES = 256 * 1024 * 1024;

export type BlockingHandles = SharedArrayBuffer;

export class BlockedRegistry {
  private readonly words: Int32Array;
  /** One counter per endpoint; fixed-length views of a growable buffer stay valid as it grows. */
  private readonly cells: Int32Array;
  private readonly recordsAt: number;
  private bytes: Uint8Array;
  private readonly mutex: OwnedLock;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, WAKE_BASE);
    this.mutex = new OwnedLock(this.words, H_LOCK, 'blocking registry');
    const endpoints = this.words[H_ENDPOINTS];
    this.cells = new Int32Array(buffer, WAKE_BASE * 4, Math.max(1, endpoints));
    this.recordsAt = align8((WAKE_BASE + Math.max(1, endpoints)) * 4);
    this.bytes = new Uint8Array(buffer);
  }

  /** A fresh registry for `endpoints` serving threads. */
  static create(endpoints: number): BlockedRegistry {
    const buffer = new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
    new Int32Array(buffer)[H_ENDPOINTS] = endpoints;
    return new BlockedRegistry(buffer);
  }

  static attach(buffer: BlockingHandles): BlockedRegistry {
    return new BlockedRegistry(buffer);
  }

  // ---- Cheap reads, no lock ----

  /** Clients blocked (or about to block) on any thread: a writer with nobody to serve stops here. */
  intents(): number {
    return Atomics.load(this.words, H_INTENTS);
  }

  /** INFO clients_in_timeout_table: blocked clients with a timeout, on every thread. */
  timedClients(): number {
    return Atomics.load(this.words, H_TIMED);
  }

  /** INFO blocked_clients: clients blocked on every thread now, those CLIENT PAUSE postponed included. */
  blockedClients(): number {
    return Atomics.load(this.words, H_RECORDS) + Atomics.load(this.words, H_POSTPONED);
  }

  /** Clients CLIENT PAUSE postponed, on every thread: an UNPAUSE wakes the other threads only when there are some. */
  postponedClients(): number {
    return Atomics.load(this.words, H_POSTPONED);
  }

  /** A client was postponed (+1) or runs again (-1). */
  countPostponed(delta: number): void {
    Atomics.add(this.words, H_POSTPONED, delta);
  }

  /** Endpoints (threads serving clients) this registry has a wake cell for. */
  get endpoints(): number {
    return this.cells.length;
  }

  /**
   * A client is about to look for its keys under the lock and block if they are empty. Counted BEFORE it
   * looks: a writer that pushes after that look reads a non-zero count (sequentially consistent atomics) and
   * serves it; one that pushed before is seen by the look. `withdraw` undoes it (served at once, or unblocked).
   */
  announce(): void {
    Atomics.add(this.words, H_INTENTS, 1);
  }

  withdraw(): void {
    Atomics.sub(this.words, H_INTENTS, 1);
  }

  // ---- Wake cells: how a thread blocked in Atomics.wait (a pool worker) is woken ----

  /** The endpoint's wake counter now: pass it to waitWake, so a wake between the read and the wait is not lost. */
  wakeCount(endpoint: number): number {
    return Atomics.load(this.cells, endpoint);
  }

  /** Wakes `endpoint`'s thread if it waits in waitWake (served, unblocked, killed, shutting down). */
  wake(endpoint: number): void {
    const cells = this.cells;
    if (endpoint < 0 || endpoint >= cells.length) return;
    Atomics.add(cells, endpoint, 1);
    Atomics.notify(cells, endpoint);
  }

  /** Sleeps until `endpoint`'s cell moves past `seen` (from wakeCount) or `ms` pass. */
  waitWake(endpoint: number, seen: number, ms: number): void {
    Atomics.wait(this.cells, endpoint, seen, ms);
  }

  // ---- The lock ----

  lock(): void {
    this.mutex.lock();
  }

  unlock(): void {
    this.mutex.unlock();
  }

  locked<R>(work: () => R): R {
    return this.mutex.locked(work);
  }

  /** A thread that died holding the lock (pool worker crash) must not stall every other: main thread only. */
  releaseDeadHolder(deadThreadId: number): void {
    this.mutex.releaseDeadHolder(deadThreadId);
  }

  // ---- Records (lock held) ----

  private view(): Uint8Array {
    if (this.bytes.length !== this.buffer.byteLength) this.bytes = new Uint8Array(this.buffer);
    return this.bytes;
  }

  /** Appends a blocked client: the last in every key's FIFO. */
  add(record: BlockedRecord): void {
    const encoded = encodeRecord(record);
    const used = this.words[H_USED];
    const end = this.recordsAt + used + encoded.length;
    if (end > this.buffer.byteLength) {
      if (end > this.buffer.maxByteLength) throw new Error('blocking registry is full');
      this.buffer.grow(Math.min(this.buffer.maxByteLength, Math.max(end, this.buffer.byteLength * 2)));
    }
    this.view().set(encoded, this.recordsAt + used);
    this.words[H_USED] = used + encoded.length;
    Atomics.add(this.words, H_RECORDS, 1);
    if (record.timed) Atomics.add(this.words, H_TIMED, 1);
  }

  /** Takes the client's record out (it was served, unblocked, timed out or left); null if it holds none. */
  remove(clientId: number): BlockedRecord | null {
    const at = this.find(clientId);
    if (at < 0) return null;
    const view = this.view();
    const size = readU32(view, at);
    const record = decodeRecord(view, at);
    const end = this.recordsAt + this.words[H_USED];
    view.copyWithin(at, at + size, end);
    this.words[H_USED] -= size;
    Atomics.sub(this.words, H_RECORDS, 1);
    if (record.timed) Atomics.sub(this.words, H_TIMED, 1);
    return record;
  }

  has(clientId: number): boolean {
    return this.find(clientId) >= 0;
  }

  private find(clientId: number): number {
    const view = this.view();
    const end = this.recordsAt + this.words[H_USED];
    for (let at = this.recordsAt; at < end; at += readU32(view, at)) {
      if (recordClientId(view, at) === clientId) return at;
    }
    return -1;
  }

  /**
   * The thread serving `endpoint` is gone (a pool worker died): its clients' records go, so no push pops for a
   * client nobody will answer. Lock held.
   */
  dropEndpoint(endpoint: number): void {
    const view = this.view();
    let end = this.recordsAt + this.words[H_USED];
    for (let at = this.recordsAt; at < end;) {
      const size = readU32(view, at);
      if (new DataView(view.buffer, view.byteOffset).getInt32(at + 4, true) !== endpoint) {
        at += size;
        continue;
      }
      this.remove(recordClientId(view, at));
      this.withdraw();
      end -= size;
    }
  }

  /** The records waiting on `key` of `db`, in the order their clients blocked. */
  waitingOn(db: number, key: Uint8Array): BlockedRecord[] {
    const view = this.view();
    const end = this.recordsAt + this.words[H_USED];
    const out: BlockedRecord[] = [];
    for (let at = this.recordsAt; at < end; at += readU32(view, at)) {
      if (recordWaitsOn(view, at, db, key)) out.push(decodeRecord(view, at));
    }
    return out;
  }

  /** The keys clients wait on in `db`, each once, in the order their first waiter blocked. Lock held. */
  keysWaitedOn(db: number): Buffer[] {
    const view = this.view();
    const end = this.recordsAt + this.words[H_USED];
    const keys = new Map<string, Buffer>();
    for (let at = this.recordsAt; at < end; at += readU32(view, at)) {
      if (recordDatabase(view, at) !== db) continue;
      for (const key of decodeRecord(view, at).keys) keys.set(key.toString('latin1'), key);
    }
    return [...keys.values()];
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function readU32(view: Uint8Array, at: number): number {
  return (view[at] | (view[at + 1] << 8) | (view[at + 2] << 16) | (view[at + 3] << 24)) >>> 0;
}
