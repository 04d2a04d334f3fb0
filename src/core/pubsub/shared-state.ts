// The pub/sub memory every thread of a server shares: the lock, the subscription registry (registry.ts), and one
// mailbox per endpoint (a thread that serves clients: the event loop's one thread, each pool worker, each hybrid
// loop) into which PUBLISH on another thread copies the messages that thread's subscribers are due, with the
// descriptor (an eventfd) that wakes it. Made once on the main thread (create), attached by every worker
// (attach). Knows bytes and Atomics; nothing of clients, sessions or sockets.
//
// LOCKING: one lock guards the registry and every mailbox. It is a leaf of the store's lock order: a thread may
// take it while holding store segment locks (an expiry event published from inside an operation), never the
// other way round, and never while holding it already (re-entry is a bug, reported). Held for a lookup and a
// few copies; never across a socket write.

import { OwnedLock } from '../owned-lock.js';
import { readU32, writeU32 } from '../store/byte-words.js';
import { type MailKind, SharedRegistry } from './registry.js';
import { BlockedRegistry, type BlockingHandles } from '../blocking/registry.js';
import { SharedTracking, type TrackingHandles } from '../tracking/shared-table.js';

// ---- Control words (Int32). ----
const C_LOCK = 0; // 0 free, else the holder's threadId + 1 (so a dead thread's hold can be told and undone)
// Int 1: threads sleeping on the lock word (owned-lock.ts keeps it).
const C_ENDPOINTS = 2;
const C_KEYSPACE_FLAGS = 3; // notify-keyspace-events, parsed (keyspace-events.ts), for every thread to read
const C_MONITORS = 4; // MONITOR clients on every thread: the one word each command reads (hub.ts feedMonitors)
const C_REVOCATIONS = 5; // ACL channel revocations mailed so far: each one's number (hub.ts mailAclRevocation)
const ENDPOINT_BASE = 8;
const ENDPOINT_INTS = 6;
const M_WAKE_FD = 0; // the endpoint's eventfd, -1 while it has none
const M_USED = 1; // bytes waiting in its mailbox
const M_SIGNALLED = 2; // 1 once woken for what waits, until it takes it
const M_OVERFLOWED = 3; // 1 when messages were dropped because the mailbox was full
const M_SUBSCRIPTIONS = 4; // its clients' channel, pattern and shard channel subscriptions (MONITOR not counted)
const M_REVOCATION_SEEN = 5; // the number of the last ACL revocation it has applied

/** First size of a mailbox; it grows as needed, up to MAILBOX_MAX_BYTES. */
const MAILBOX_INITIAL_BYTES = 64 * 1024;
/**
 * Most messages one thread may have waiting for it: a thread that falls this far behind (stuck in a long
 * command while others publish) has messages dropped, and cuts the subscribers it serves, as their output
 * buffer limit would (hub.ts). A thread that keeps up holds a few records at a time.
 */
export const MAILBOX_MAX_BYTES = 64 * 1024 * 1024;

/** A message record: kind (1 byte), channel length and message length (4 bytes each, LE), channel, message. */
const RECORD_HEADER = 9;

/** Structured-clonable: pass to worker threads (workerData) and attach there. */
export interface PubSubHandles {
  readonly control: SharedArrayBuffer;
  readonly registry: SharedArrayBuffer;
  readonly mailboxes: readonly SharedArrayBuffer[];
  /** The blocked clients' registry (blocking/registry.ts), whose replies ride these mailboxes. */
  readonly blocking: BlockingHandles;
  /** Client-side caching's tables (tracking/shared-table.ts), guarded by this state's lock; its mail rides here. */
  readonly tracking: TrackingHandles;
}

/** What append() did: the endpoint must be woken ('wake'), already was ('queued'), or the message was dropped. */
export type AppendResult = 'wake' | 'queued' | 'dropped';

/** One message a mailbox held. */
export interface MailboxRecord {
  readonly kind: MailKind;
  readonly channel: Buffer;
  readonly message: Buffer;
}

export class PubSubState {
  readonly registry: SharedRegistry;
  /** Who is blocked in BLPOP and its kin on every thread (blocking/registry.ts). */
  readonly blocking: BlockedRegistry;
  /** Client-side caching's shared tables (tracking/shared-table.ts); this state's lock guards them. */
  readonly tracking: SharedTracking;
  readonly endpoints: number;
  private readonly control: Int32Array;
  private readonly views: (Uint8Array | null)[];
  private readonly mutex: OwnedLock;

  private constructor(private readonly handles_: PubSubHandles) {
    this.control = new Int32Array(handles_.control);
    this.mutex = new OwnedLock(this.control, C_LOCK, 'pub/sub');
    this.endpoints = this.control[C_ENDPOINTS];
    this.registry = new SharedRegistry(handles_.registry);
    this.blocking = BlockedRegistry.attach(handles_.blocking);
    this.tracking = SharedTracking.attach(handles_.tracking);
    this.views = handles_.mailboxes.map(() => null);
  }

  /**
   * A fresh state for `endpoints` serving threads (0: only publishers, no subscribers anywhere); each mailbox
   * holds at most `mailboxMaxBytes` (a test makes it small).
   */
  static create(endpoints: number, mailboxMaxBytes = MAILBOX_MAX_BYTES): PubSubState {
    const control = new SharedArrayBuffer((ENDPOINT_BASE + endpoints * ENDPOINT_INTS) * 4);
    const words = new Int32Array(control);
    words[C_ENDPOINTS] = endpoints;
    for (let e = 0; e < endpoints; e++) words[ENDPOINT_BASE + e * ENDPOINT_INTS + M_WAKE_FD] = -1;
    const mailboxes = Array.from(
      { length: endpoints },
      () =>
        new SharedArrayBuffer(Math.min(MAILBOX_INITIAL_BYTES, mailboxMaxBytes), {
          maxByteLength: mailboxMaxBytes,
        }),
    );
    return new PubSubState({
      control,
      registry: SharedRegistry.create().buffer,
      mailboxes,
      blocking: BlockedRegistry.create(endpoints).buffer,
      tracking: SharedTracking.create().handles,
    });
  }

  static attach(handles: PubSubHandles): PubSubState {
    return new PubSubState(handles);
  }

  handles(): PubSubHandles {
    return this.handles_;
  }

  // ---- The lock ----

  lock(): void {
    this.mutex.lock();
  }

  unlock(): void {
    this.mutex.unlock();
  }

  /** Runs `work` holding the lock. */
  locked<R>(work: () => R): R {
    return this.mutex.locked(work);
  }

  /** The notify-keyspace-events classes in force (a plain read: a change applies from the next event on). */
  keyspaceFlags(): number {
    return this.control[C_KEYSPACE_FLAGS];
  }

  setKeyspaceFlags(flags: number): void {
    Atomics.store(this.control, C_KEYSPACE_FLAGS, flags);
  }

  /**
   * MONITOR clients on every thread: a plain read, the whole cost of MONITOR to a command while nobody monitors.
   * A monitor that starts meanwhile sees the commands from its +OK on, as in Redis.
   */
  monitors(): number {
    return this.control[C_MONITORS];
  }

  /** One monitor more (1) or fewer (-1); the lock is held (it changes with the registry). */
  countMonitor(delta: 1 | -1): void {
    Atomics.add(this.control, C_MONITORS, delta);
  }

  // ---- Who subscribes where, and ACL revocations applied (hub.ts mailAclRevocation) ----

  /** Subscriptions made (+) or ended (-) on `endpoint`; the lock is held (they change with the registry). */
  countSubscriptions(endpoint: number, delta: number): void {
    this.control[this.word(endpoint, M_SUBSCRIPTIONS)] += delta;
  }

  /** Whether `endpoint`'s clients hold any subscription (lock held). */
  hasSubscriptions(endpoint: number): boolean {
    return this.control[this.word(endpoint, M_SUBSCRIPTIONS)] > 0;
  }

  /** The number of a new revocation (lock held: numbers and mailbox records come in the same order). */
  nextRevocation(): number {
    return ++this.control[C_REVOCATIONS];
  }

  /** `endpoint` has applied revocation `number` (and every one before it): who waits for it goes on. */
  sawRevocation(endpoint: number, number: number): void {
    const at = this.word(endpoint, M_REVOCATION_SEEN);
    Atomics.store(this.control, at, number);
    Atomics.notify(this.control, at);
  }

  /** Waits until `endpoint` has applied revocation `number` or `ms` pass; false when time ran out first. */
  waitRevocation(endpoint: number, number: number, ms: number): boolean {
    const at = this.word(endpoint, M_REVOCATION_SEEN);
    const deadline = Date.now() + ms;
    for (let seen = Atomics.load(this.control, at); seen < number; seen = Atomics.load(this.control, at)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.control, at, seen, left);
    }
    return true;
  }

  // ---- Mailboxes (lock held) ----

  private word(endpoint: number, field: number): number {
    return ENDPOINT_BASE + endpoint * ENDPOINT_INTS + field;
  }

  private view(endpoint: number): Uint8Array {
    const buffer = this.handles_.mailboxes[endpoint];
    let view = this.views[endpoint];
    if (view === null || view.length !== buffer.byteLength) {
      view = new Uint8Array(buffer, 0, buffer.byteLength);
      this.views[endpoint] = view;
    }
    return view;
  }

  /** Copies a message into `endpoint`'s mailbox. */
  append(endpoint: number, kind: MailKind, channel: Uint8Array, message: Uint8Array): AppendResult {
    const words = this.control;
    const used = words[this.word(endpoint, M_USED)];
    const size = RECORD_HEADER + channel.length + message.length;
    const buffer = this.handles_.mailboxes[endpoint];
    if (used + size > buffer.byteLength) {
      if (used + size > buffer.maxByteLength) {
        words[this.word(endpoint, M_OVERFLOWED)] = 1;
        return 'dropped';
      }
      buffer.grow(Math.min(buffer.maxByteLength, Math.max(used + size, buffer.byteLength * 2)));
    }
    const view = this.view(endpoint);
    view[used] = kind;
    writeU32(view, used + 1, channel.length);
    writeU32(view, used + 5, message.length);
    view.set(channel, used + RECORD_HEADER);
    view.set(message, used + RECORD_HEADER + channel.length);
    words[this.word(endpoint, M_USED)] = used + size;
    if (words[this.word(endpoint, M_SIGNALLED)] === 1) return 'queued';
    words[this.word(endpoint, M_SIGNALLED)] = 1;
    return 'wake';
  }

  /** Whether `endpoint` has messages waiting (no lock: a look before taking it). */
  hasMail(endpoint: number): boolean {
    return Atomics.load(this.control, this.word(endpoint, M_USED)) !== 0;
  }

  /**
   * Takes everything waiting in `endpoint`'s mailbox (copied out: the caller delivers it after unlocking), and
   * whether messages were dropped since the last take.
   */
  take(endpoint: number): { records: MailboxRecord[]; overflowed: boolean } {
    const words = this.control;
    const used = words[this.word(endpoint, M_USED)];
    const overflowed = words[this.word(endpoint, M_OVERFLOWED)] === 1;
    words[this.word(endpoint, M_USED)] = 0;
    words[this.word(endpoint, M_SIGNALLED)] = 0;
    words[this.word(endpoint, M_OVERFLOWED)] = 0;
    if (used === 0) return { records: [], overflowed };
    const bytes = Buffer.from(this.view(endpoint).subarray(0, used));
    const records: MailboxRecord[] = [];
    for (let at = 0; at < used;) {
      const kind = bytes[at] as MailKind;
      const channelLength = readU32(bytes, at + 1);
      const messageLength = readU32(bytes, at + 5);
      const channelAt = at + RECORD_HEADER;
      const messageAt = channelAt + channelLength;
      records.push({
        kind,
        channel: bytes.subarray(channelAt, messageAt),
        message: bytes.subarray(messageAt, messageAt + messageLength),
      });
      at = messageAt + messageLength;
    }
    return { records, overflowed };
  }

  /** The eventfd that wakes `endpoint`, -1 when none (read under the lock: it cannot be closed meanwhile). */
  wakeFd(endpoint: number): number {
    return this.control[this.word(endpoint, M_WAKE_FD)];
  }

  /** The serving thread publishes its eventfd (-1: it has none, messages wait for its next request). */
  setWakeFd(endpoint: number, fd: number): void {
    this.locked(() => {
      this.control[this.word(endpoint, M_WAKE_FD)] = fd;
    });
  }

  /**
   * The thread serving `endpoint` is gone (it exited or died): its subscriptions leave the registry, its mailbox
   * is emptied, a hold of the lock it died with is undone, and its eventfd is taken out of view. Returns that
   * descriptor for the caller to close, now that no publisher can signal it (-1 if none). Main thread only.
   */
  releaseEndpoint(endpoint: number, deadThreadId: number): number {
    this.mutex.releaseDeadHolder(deadThreadId);
    this.blocking.releaseDeadHolder(deadThreadId);
    return this.locked(() => {
      this.registry.dropEndpoint(endpoint);
      this.tracking.registry.dropEndpoint(endpoint);
      this.blocking.locked(() => this.blocking.dropEndpoint(endpoint));
      this.take(endpoint);
      // Monitors are counted per name in the registry (one name): the shared count follows it.
      Atomics.store(this.control, C_MONITORS, this.registry.monitorCount());
      this.control[this.word(endpoint, M_SUBSCRIPTIONS)] = 0;
      this.sawRevocation(endpoint, this.control[C_REVOCATIONS]); // nobody waits on a thread that is gone
      const fd = this.control[this.word(endpoint, M_WAKE_FD)];
      this.control[this.word(endpoint, M_WAKE_FD)] = -1;
      return fd;
    });
  }
}
