// Client-side caching's memory every thread of a server shares (Redis's tracking.c TrackingTable and PrefixTable,
// across threads): which keys some client may cache, and on which endpoints (threads serving clients) those
// clients are; the prefixes broadcasting clients follow, and where; which endpoint serves each client (so an
// invalidation finds a REDIRECT target on another thread); and INFO's counts. A SharedRegistry (pubsub/registry.ts)
// holds the three namespaces: tracked keys, prefixes (kept in its dense list, which a writer walks as Redis walks
// its PrefixTable) and the client directory.
//
// Why a shared table of keys by endpoint plus per-thread tables of keys by client, and not one table of keys by
// client id: a write on one thread must learn at once, under one lock, which other threads to tell (their
// mailboxes, as PUBLISH does), and nothing more: each thread keeps its own clients' ids for a key in its own heap
// (tracking/hub.ts) and drops them when told, so the shared entry is one (endpoint, 1) node per thread however
// many of its clients cache the key, and it costs nothing to walk when a key is written that nobody tracks.
//
// LOCKING: the pub/sub lock (pubsub/shared-state.ts) guards the registry, so a writer looks a key up, drops it and
// mails the threads that had it in one critical section. Counts are Atomics words readable without it.

import {
  SharedRegistry,
  CHANNEL,
  LIVE_NAMES,
  PATTERN,
  SHARD,
  type SubscriptionKind,
} from '../pubsub/registry.js';

/** The registry's three namespaces, reusing its kinds. */
export const TRACKED_KEY: SubscriptionKind = CHANNEL;
export const BCAST_PREFIX: SubscriptionKind = PATTERN;
export const CLIENT_ENDPOINT: SubscriptionKind = SHARD;

const W_CLIENTS = 0; // clients with tracking on (INFO tracking_clients)
const W_ITEMS = 1; // (key, client) pairs in every thread's table (INFO tracking_total_items)
const WORDS = 4;

/** Structured-clonable: part of PubSubHandles, attached by every worker. */
export interface TrackingHandles {
  readonly registry: SharedArrayBuffer;
  readonly words: SharedArrayBuffer;
}

export class SharedTracking {
  readonly registry: SharedRegistry;
  private readonly words: Int32Array;
  /** The registry's live-name counts (SharedRegistry.liveCounts), read plainly on every command. */
  private readonly live: Int32Array;

  private constructor(readonly handles: TrackingHandles) {
    this.registry = new SharedRegistry(handles.registry);
    this.words = new Int32Array(handles.words);
    this.live = this.registry.liveCounts();
  }

  /**
   * Whether any client tracks, or any key or prefix is in the table: the check each command pays, so plain loads
   * (an Atomics.load is a runtime call on Node 20). A change made meanwhile by another thread is ordered by the
   * lock a reader's registration takes before it reads (tracking/hub.ts), and seen by the next command.
   */
  inUse(): boolean {
    return (
      this.words[W_CLIENTS] !== 0 ||
      this.live[LIVE_NAMES + TRACKED_KEY] !== 0 ||
      this.live[LIVE_NAMES + BCAST_PREFIX] !== 0
    );
  }

  /** Whether some client tracks (a plain load, for the check before each command). */
  anyClient(): boolean {
    return this.words[W_CLIENTS] !== 0;
  }

  static create(): SharedTracking {
    return new SharedTracking({
      registry: SharedRegistry.create().buffer,
      words: new SharedArrayBuffer(WORDS * 4),
    });
  }

  static attach(handles: TrackingHandles): SharedTracking {
    return new SharedTracking(handles);
  }

  /** INFO tracking_clients. */
  clients(): number {
    return Atomics.load(this.words, W_CLIENTS);
  }

  addClients(delta: number): void {
    Atomics.add(this.words, W_CLIENTS, delta);
  }

  /** INFO tracking_total_items. */
  items(): number {
    return Atomics.load(this.words, W_ITEMS);
  }

  addItems(delta: number): void {
    if (delta !== 0) Atomics.add(this.words, W_ITEMS, delta);
  }

  /** INFO tracking_total_keys: keys some client on some thread may cache (a racy read, no lock). */
  keys(): number {
    return this.registry.liveNames(TRACKED_KEY);
  }

  /** INFO tracking_total_prefixes. */
  prefixes(): number {
    return this.registry.liveNames(BCAST_PREFIX);
  }

  /** Whether (kind, name) has a share on `endpoint` (lock held). */
  hasOn(kind: SubscriptionKind, name: Uint8Array, endpoint: number): boolean {
    const entry = this.registry.find(kind, name);
    if (entry < 0) return false;
    let found = false;
    this.registry.forEachEndpoint(entry, (e) => {
      if (e === endpoint) found = true;
    });
    return found;
  }

  /** The endpoint serving client `id`, or -1 when no thread has it (lock held). */
  endpointOf(id: number): number {
    const entry = this.registry.find(CLIENT_ENDPOINT, clientName(id));
    if (entry < 0) return -1;
    let endpoint = -1;
    this.registry.forEachEndpoint(entry, (e) => {
      endpoint = e;
    });
    return endpoint;
  }
}

/** A client id as the directory's name: 8 bytes. */
export function clientName(id: number): Buffer {
  const name = Buffer.alloc(8);
  name.writeDoubleLE(id);
  return name;
}
