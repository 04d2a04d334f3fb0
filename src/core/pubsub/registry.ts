// The subscription registry every thread shares: which channels, patterns and shard channels have subscribers,
// and how many on each endpoint (a thread that serves clients), in one growable SharedArrayBuffer. A hash table
// of names (kind + bytes) to entries; an entry keeps its total and a short list of (endpoint, count) nodes, so a
// PUBLISH on any thread learns at once how many clients receive the message (its reply) and which threads must
// be handed it. Patterns are also kept in a dense list PUBLISH walks, as Redis walks its pattern dict.
// Precondition of every method but the constructor: the caller holds the pub/sub lock (state.ts). A full region
// is rebuilt at twice the size under that lock; the buffer only grows. Knows nothing of clients or messages.

import { hashKey } from '../store/hash.js';

/**
 * What a name is: a channel, a pattern or a shard channel (three separate namespaces, as in Redis 7.0), or
 * MONITOR: the one empty name MONITOR clients subscribe to, so the lines of the commands every thread runs ride
 * on the same mailboxes and wake-ups as messages (hub.ts feedMonitors).
 */
export type SubscriptionKind = 0 | 1 | 2 | 3;
export const CHANNEL: SubscriptionKind = 0;
export const PATTERN: SubscriptionKind = 1;
export const SHARD: SubscriptionKind = 2;
export const MONITOR: SubscriptionKind = 3;
/**
 * Not a subscription: the kind of a mailbox record that carries a blocked client's reply (its channel is the
 * client's id as 8 bytes), so replies ride the same mailboxes and wake-ups as messages (blocking/hub.ts).
 */
export const BLOCKED_REPLY = 4;
/**
 * Not a subscription either: CLIENT UNPAUSE ran on another thread (no channel, no message), so the clients this
 * thread postponed run again now rather than at the pause's end (blocking/postponed.ts).
 */
export const PAUSE_LIFTED = 5;
/**
 * Client-side caching's mail (tracking/mail.ts): a tracked key to invalidate, a key for the broadcasting
 * clients of a prefix, a flush, and an invalidation for a redirect target served by the receiving thread.
 */
export const TRACKING_KEY = 6;
export const TRACKING_BCAST = 7;
export const TRACKING_FLUSH = 8;
export const TRACKING_DELIVER = 9;
export type TrackingMailKind =
  typeof TRACKING_KEY | typeof TRACKING_BCAST | typeof TRACKING_FLUSH | typeof TRACKING_DELIVER;
/**
 * Not a subscription either: ACL SETUSER on another thread took channels away from a user (channel is the
 * user's name, message the rules it keeps: acl/channel-revocation.ts), so this thread cuts the subscribers it
 * serves that may no longer have their subscriptions, before any message published after the change.
 */
export const ACL_CHANNELS_REVOKED = 10;
/**
 * What a mailbox record carries: a message of a subscription kind, a blocked client's reply, a pause's end,
 * client-side caching's mail, or an ACL revocation.
 */
export type MailKind =
  | SubscriptionKind
  | typeof BLOCKED_REPLY
  | typeof PAUSE_LIFTED
  | TrackingMailKind
  | typeof ACL_CHANNELS_REVOKED;
/** The name every MONITOR client is subscribed to. */
export const MONITOR_NAME = new Uint8Array(0);

// ---- Layout: a header of Int32 words, then buckets, entries, nodes and the pattern list (Int32 regions at the
// int indexes the header records), then name bytes. ----
const R_BUCKETS = 0; // int index of the bucket array
const R_BUCKET_CAP = 1; // a power of two
const R_ENTRIES = 2;
const R_ENTRY_CAP = 3;
const R_ENTRY_TOP = 4; // entries ever handed out since the last rebuild
const R_ENTRY_FREE = 5; // free list head, -1: none
const R_NODES = 6;
const R_NODE_CAP = 7;
const R_NODE_TOP = 8;
const R_NODE_FREE = 9;
const R_PATTERNS = 10; // int index of the dense pattern list (entry indexes)
const R_PATTERN_COUNT = 11;
const R_NAMES = 12; // byte offset of the name region
const R_NAME_CAP = 13;
const R_NAME_TOP = 14;
const R_DEAD_NAME_BYTES = 15; // bytes of names whose entry is gone (reclaimed by the next rebuild)
const R_TOMBSTONES = 16;
const R_LIVE = 17; // + kind (4 words): distinct names with subscribers (PUBSUB NUMPAT, and PUBLISH's early out)
const R_SEED = 21;
const HEADER_INTS = 32;

/** Entry fields (Int32). */
const E_HASH = 0;
const E_KIND = 1;
const E_NAME = 2; // byte offset of the name
const E_LENGTH = 3;
const E_TOTAL = 4; // subscribers on every endpoint
const E_NODES = 5; // first node, -1: none
const E_SLOT = 6; // its place in the pattern list (patterns only), or the next free entry while free
const ENTRY_INTS = 8;

/** Node fields (Int32): one endpoint's subscribers of one entry. */
const N_ENDPOINT = 0;
const N_COUNT = 1;
const N_NEXT = 2;
const NODE_INTS = 4;

const EMPTY = 0;
const TOMBSTONE = -1;
const NONE = -1;

const MIN_ENTRIES = 64;
const MIN_NAME_BYTES = 4096;

/** Where liveCounts()'s words start: + kind. */
export const LIVE_NAMES = R_LIVE;

/** Initial size of the buffer: a few thousand subscriptions fit before the first rebuild. */
export const REGISTRY_INITIAL_BYTES = 64 * 1024;
/** Most the registry may take (reserved, committed as it grows): millions of channels. */
export const REGISTRY_MAX_BYTES = 1024 * 1024 * 1024;

/** One endpoint's share of an entry. */
export interface EndpointCount {
  readonly endpoint: number;
  readonly count: number;
}

interface LiveEntry {
  readonly kind: SubscriptionKind;
  readonly name: Buffer;
  readonly nodes: EndpointCount[];
}

export class RegistryFullError extends Error {
  override name = 'RegistryFullError';
}

export class SharedRegistry {
  private i32!: Int32Array;
  private u8!: Uint8Array;
  private viewBytes = -1;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.refresh();
  }

  /** Lays out an empty registry in a fresh buffer (the main thread, before any other attaches). */
  static create(): SharedRegistry {
    const buffer = new SharedArrayBuffer(REGISTRY_INITIAL_BYTES, { maxByteLength: REGISTRY_MAX_BYTES });
    const registry = new SharedRegistry(buffer);
    registry.i32[R_SEED] = (Math.random() * 2 ** 32) | 0;
    registry.layOut([], MIN_ENTRIES, MIN_ENTRIES, MIN_NAME_BYTES);
    return registry;
  }

  /**
   * The header's live-name counts as a fixed view (it stays valid as the buffer grows: the header never moves),
   * for readers on a hot path that want a plain load, not liveNames' check of the buffer's length: word
   * LIVE_NAMES + kind.
   */
  liveCounts(): Int32Array {
    return new Int32Array(this.buffer, 0, HEADER_INTS);
  }

  /** Distinct names of this kind with subscribers. Safe without the lock (a plain racy read of one word). */
  liveNames(kind: SubscriptionKind): number {
    this.refresh();
    return Atomics.load(this.i32, R_LIVE + kind);
  }

  // ---- Lookups (lock held) ----

  /** MONITOR clients on every endpoint. */
  monitorCount(): number {
    const entry = this.find(MONITOR, MONITOR_NAME);
    return entry < 0 ? 0 : this.total(entry);
  }

  /** The entry of (kind, name), or -1. */
  find(kind: SubscriptionKind, name: Uint8Array): number {
    this.refresh();
    return this.findLocked(kind, name, this.hash(kind, name));
  }

  /** Subscribers of an entry on every endpoint. */
  total(entry: number): number {
    return this.i32[this.entryAt(entry) + E_TOTAL];
  }

  /** Calls visit for each endpoint with subscribers of the entry. */
  forEachEndpoint(entry: number, visit: (endpoint: number, count: number) => void): void {
    const i32 = this.i32;
    for (
      let node = i32[this.entryAt(entry) + E_NODES];
      node !== NONE;
      node = i32[this.nodeAt(node) + N_NEXT]
    ) {
      visit(i32[this.nodeAt(node) + N_ENDPOINT], i32[this.nodeAt(node) + N_COUNT]);
    }
  }

  /** The name of an entry: a view of shared memory, valid only while the lock is held. */
  nameOf(entry: number): Uint8Array {
    const at = this.entryAt(entry);
    const offset = this.i32[at + E_NAME];
    return this.u8.subarray(offset, offset + this.i32[at + E_LENGTH]);
  }

  /** The pattern entries, in the order PUBLISH walks them. */
  patternCount(): number {
    this.refresh();
    return this.i32[R_PATTERN_COUNT];
  }

  patternEntry(index: number): number {
    return this.i32[this.i32[R_PATTERNS] + index];
  }

  /** Every name of this kind with subscribers, copied out (PUBSUB CHANNELS / SHARDCHANNELS). */
  names(kind: SubscriptionKind): Buffer[] {
    this.refresh();
    const out: Buffer[] = [];
    const i32 = this.i32;
    const buckets = i32[R_BUCKETS];
    for (let b = 0; b < i32[R_BUCKET_CAP]; b++) {
      const slot = i32[buckets + b];
      if (slot > 0 && i32[this.entryAt(slot - 1) + E_KIND] === kind)
        out.push(Buffer.from(this.nameOf(slot - 1)));
    }
    return out;
  }

  // ---- Changes (lock held) ----

  /** One more subscriber of (kind, name) on `endpoint`. Throws RegistryFullError at the size limit. */
  add(kind: SubscriptionKind, name: Uint8Array, endpoint: number): void {
    this.refresh();
    const hash = this.hash(kind, name);
    let entry = this.findLocked(kind, name, hash);
    if (entry === NONE) entry = this.insert(kind, name, hash);
    let node = this.nodeOf(entry, endpoint);
    if (node === NONE) {
      node = this.allocNode();
      if (node === NONE) {
        this.rebuild(0, 1, 0);
        return this.add(kind, name, endpoint);
      }
      const e = this.entryAt(entry);
      const n = this.nodeAt(node);
      this.i32[n + N_ENDPOINT] = endpoint;
      this.i32[n + N_COUNT] = 0;
      this.i32[n + N_NEXT] = this.i32[e + E_NODES];
      this.i32[e + E_NODES] = node;
    }
    this.i32[this.nodeAt(node) + N_COUNT]++;
    this.i32[this.entryAt(entry) + E_TOTAL]++;
  }

  /** One subscriber fewer of (kind, name) on `endpoint` (nothing if it had none there). */
  remove(kind: SubscriptionKind, name: Uint8Array, endpoint: number): void {
    this.refresh();
    const entry = this.findLocked(kind, name, this.hash(kind, name));
    if (entry !== NONE) this.subtract(entry, endpoint, 1);
  }

  /** Forgets the entry on every endpoint at once (a tracked key invalidated: every thread's share goes). */
  dropEntry(entry: number): void {
    const shares: EndpointCount[] = [];
    this.forEachEndpoint(entry, (endpoint, count) => shares.push({ endpoint, count }));
    for (const { endpoint, count } of shares) this.subtract(entry, endpoint, count);
  }

  /** Forgets every entry of a kind (FLUSHALL empties the tracking table). */
  dropKind(kind: SubscriptionKind): void {
    this.refresh();
    const i32 = this.i32;
    for (let b = 0; b < i32[R_BUCKET_CAP]; b++) {
      const slot = i32[i32[R_BUCKETS] + b];
      if (slot > 0 && i32[this.entryAt(slot - 1) + E_KIND] === kind) this.dropEntry(slot - 1);
    }
  }

  /**
   * Some entry of a kind, found from a random bucket onwards (`random` in [0, 1)), or -1 when there is none: the
   * tracking table's eviction (tracking.c trackingLimitUsedSlots walks its radix tree at random).
   */
  randomEntry(kind: SubscriptionKind, random: number): number {
    this.refresh();
    const i32 = this.i32;
    const cap = i32[R_BUCKET_CAP];
    const start = Math.floor(random * cap) & (cap - 1);
    for (let i = 0; i < cap; i++) {
      const slot = i32[i32[R_BUCKETS] + ((start + i) & (cap - 1))];
      if (slot > 0 && i32[this.entryAt(slot - 1) + E_KIND] === kind) return slot - 1;
    }
    return NONE;
  }

  /** Forgets every subscriber on `endpoint` (its thread is gone). */
  dropEndpoint(endpoint: number): void {
    this.refresh();
    const i32 = this.i32;
    const buckets = i32[R_BUCKETS];
    for (let b = 0; b < i32[R_BUCKET_CAP]; b++) {
      const slot = i32[buckets + b];
      if (slot <= 0) continue;
      const node = this.nodeOf(slot - 1, endpoint);
      if (node !== NONE) this.subtract(slot - 1, endpoint, i32[this.nodeAt(node) + N_COUNT]);
    }
  }

  // ---- Internals ----

  private refresh(): void {
    const bytes = this.buffer.byteLength;
    if (bytes === this.viewBytes) return;
    this.viewBytes = bytes;
    this.i32 = new Int32Array(this.buffer, 0, bytes >>> 2);
    this.u8 = new Uint8Array(this.buffer, 0, bytes);
  }

  private hash(kind: SubscriptionKind, name: Uint8Array): number {
    // As an int32: it is compared with what an Int32Array stored.
    return hashKey(name, this.i32[R_SEED] ^ Math.imul(kind + 1, 0x9e3779b1)) | 0;
  }

  private entryAt(entry: number): number {
    return this.i32[R_ENTRIES] + entry * ENTRY_INTS;
  }

  private nodeAt(node: number): number {
    return this.i32[R_NODES] + node * NODE_INTS;
  }

  private findLocked(kind: SubscriptionKind, name: Uint8Array, hash: number): number {
    const i32 = this.i32;
    const u8 = this.u8;
    const buckets = i32[R_BUCKETS];
    const mask = i32[R_BUCKET_CAP] - 1;
    for (let b = hash & mask; ; b = (b + 1) & mask) {
      const slot = i32[buckets + b];
      if (slot === EMPTY) return NONE;
      if (slot === TOMBSTONE) continue;
      const e = this.entryAt(slot - 1);
      if (i32[e + E_HASH] !== hash || i32[e + E_KIND] !== kind || i32[e + E_LENGTH] !== name.length) continue;
      const offset = i32[e + E_NAME];
      let same = true;
      for (let i = 0; i < name.length && same; i++) same = u8[offset + i] === name[i];
      if (same) return slot - 1;
    }
  }

  private nodeOf(entry: number, endpoint: number): number {
    const i32 = this.i32;
    for (
      let node = i32[this.entryAt(entry) + E_NODES];
      node !== NONE;
      node = i32[this.nodeAt(node) + N_NEXT]
    ) {
      if (i32[this.nodeAt(node) + N_ENDPOINT] === endpoint) return node;
    }
    return NONE;
  }

  /**
   * A new entry for (kind, name) with no subscribers yet; rebuilds first when a region is full. `counted`:
   * false while a rebuild puts entries back (the live counts never dip, for the readers that take no lock).
   */
  private insert(kind: SubscriptionKind, name: Uint8Array, hash: number, counted = true): number {
    const i32 = this.i32;
    const liveEntries =
      i32[R_LIVE + CHANNEL] + i32[R_LIVE + PATTERN] + i32[R_LIVE + SHARD] + i32[R_LIVE + MONITOR];
    const bucketsFull = (liveEntries + i32[R_TOMBSTONES] + 1) * 2 > i32[R_BUCKET_CAP];
    const namesFull = i32[R_NAME_TOP] + name.length > i32[R_NAME_CAP];
    const entriesFull = i32[R_ENTRY_FREE] === NONE && i32[R_ENTRY_TOP] >= i32[R_ENTRY_CAP];
    if (bucketsFull || namesFull || entriesFull) {
      this.rebuild(1, 0, name.length);
      return this.insert(kind, name, hash);
    }
    let entry = i32[R_ENTRY_FREE];
    if (entry !== NONE) i32[R_ENTRY_FREE] = i32[this.entryAt(entry) + E_SLOT];
    else entry = i32[R_ENTRY_TOP]++;
    const e = this.entryAt(entry);
    const offset = i32[R_NAMES] + i32[R_NAME_TOP];
    this.u8.set(name, offset);
    i32[R_NAME_TOP] += name.length;
    i32[e + E_HASH] = hash;
    i32[e + E_KIND] = kind;
    i32[e + E_NAME] = offset;
    i32[e + E_LENGTH] = name.length;
    i32[e + E_TOTAL] = 0;
    i32[e + E_NODES] = NONE;
    i32[e + E_SLOT] = NONE;
    if (kind === PATTERN) {
      i32[e + E_SLOT] = i32[R_PATTERN_COUNT];
      i32[i32[R_PATTERNS] + i32[R_PATTERN_COUNT]++] = entry;
    }
    const mask = i32[R_BUCKET_CAP] - 1;
    let b = hash & mask;
    while (i32[i32[R_BUCKETS] + b] > 0) b = (b + 1) & mask;
    if (i32[i32[R_BUCKETS] + b] === TOMBSTONE) i32[R_TOMBSTONES]--;
    i32[i32[R_BUCKETS] + b] = entry + 1;
    if (counted) Atomics.add(i32, R_LIVE + kind, 1);
    return entry;
  }

  private allocNode(): number {
    const i32 = this.i32;
    let node = i32[R_NODE_FREE];
    if (node !== NONE) {
      i32[R_NODE_FREE] = i32[this.nodeAt(node) + N_NEXT];
      return node;
    }
    if (i32[R_NODE_TOP] >= i32[R_NODE_CAP]) return NONE;
    return i32[R_NODE_TOP]++;
  }

  /** Takes `count` subscribers of `endpoint` off the entry; frees the node and the entry when they empty. */
  private subtract(entry: number, endpoint: number, count: number): void {
    const i32 = this.i32;
    const e = this.entryAt(entry);
    let previous = NONE;
    let node = i32[e + E_NODES];
    while (node !== NONE && i32[this.nodeAt(node) + N_ENDPOINT] !== endpoint) {
      previous = node;
      node = i32[this.nodeAt(node) + N_NEXT];
    }
    if (node === NONE) return;
    const n = this.nodeAt(node);
    const taken = Math.min(count, i32[n + N_COUNT]);
    i32[n + N_COUNT] -= taken;
    i32[e + E_TOTAL] -= taken;
    if (i32[n + N_COUNT] === 0) {
      if (previous === NONE) i32[e + E_NODES] = i32[n + N_NEXT];
      else i32[this.nodeAt(previous) + N_NEXT] = i32[n + N_NEXT];
      i32[n + N_NEXT] = i32[R_NODE_FREE];
      i32[R_NODE_FREE] = node;
    }
    if (i32[e + E_TOTAL] === 0) this.removeEntry(entry);
  }

  private removeEntry(entry: number): void {
    const i32 = this.i32;
    const e = this.entryAt(entry);
    const kind = i32[e + E_KIND] as SubscriptionKind;
    if (kind === PATTERN) {
      // Swap-remove from the dense list; the entry moved into the hole learns its new place.
      const list = i32[R_PATTERNS];
      const slot = i32[e + E_SLOT];
      const last = --i32[R_PATTERN_COUNT];
      const moved = i32[list + last];
      i32[list + slot] = moved;
      i32[this.entryAt(moved) + E_SLOT] = slot;
    }
    const mask = i32[R_BUCKET_CAP] - 1;
    let b = i32[e + E_HASH] & mask;
    while (i32[i32[R_BUCKETS] + b] !== entry + 1) b = (b + 1) & mask;
    i32[i32[R_BUCKETS] + b] = TOMBSTONE;
    i32[R_TOMBSTONES]++;
    i32[R_DEAD_NAME_BYTES] += i32[e + E_LENGTH];
    i32[e + E_SLOT] = i32[R_ENTRY_FREE];
    i32[R_ENTRY_FREE] = entry;
    Atomics.sub(i32, R_LIVE + kind, 1);
  }

  /** Copies every live entry out, then lays the registry out again with room for the extra asked for. */
  private rebuild(extraEntries: number, extraNodes: number, extraNameBytes: number): void {
    const live: LiveEntry[] = [];
    const i32 = this.i32;
    let nodes = 0;
    let nameBytes = 0;
    for (let b = 0; b < i32[R_BUCKET_CAP]; b++) {
      const slot = i32[i32[R_BUCKETS] + b];
      if (slot <= 0) continue;
      const counts: EndpointCount[] = [];
      this.forEachEndpoint(slot - 1, (endpoint, count) => counts.push({ endpoint, count }));
      const kind = i32[this.entryAt(slot - 1) + E_KIND] as SubscriptionKind;
      live.push({ kind, name: Buffer.from(this.nameOf(slot - 1)), nodes: counts });
      nodes += counts.length;
      nameBytes += i32[this.entryAt(slot - 1) + E_LENGTH];
    }
    this.layOut(
      live,
      Math.max(MIN_ENTRIES, 2 * (live.length + extraEntries)),
      Math.max(MIN_ENTRIES, 2 * (nodes + extraNodes)),
      Math.max(MIN_NAME_BYTES, 2 * (nameBytes + extraNameBytes)),
    );
  }

  private layOut(live: readonly LiveEntry[], entryCap: number, nodeCap: number, nameCap: number): void {
    let bucketCap = 16;
    while (bucketCap < entryCap * 2) bucketCap *= 2;
    const buckets = HEADER_INTS;
    const entries = buckets + bucketCap;
    const nodes = entries + entryCap * ENTRY_INTS;
    const patterns = nodes + nodeCap * NODE_INTS;
    const namesAt = (patterns + entryCap) * 4;
    const bytes = namesAt + nameCap;
    if (bytes > this.buffer.byteLength) {
      if (bytes > this.buffer.maxByteLength) {
        throw new RegistryFullError(`the pub/sub registry would need ${bytes} bytes`);
      }
      this.buffer.grow(Math.min(this.buffer.maxByteLength, Math.max(bytes, this.buffer.byteLength * 2)));
    }
    this.refresh();
    const i32 = this.i32;
    // The seed and the live counts survive: readers without the lock must never see a count dip.
    i32.fill(0, 0, R_LIVE);
    i32.fill(0, HEADER_INTS, patterns + entryCap);
    i32[R_BUCKETS] = buckets;
    i32[R_BUCKET_CAP] = bucketCap;
    i32[R_ENTRIES] = entries;
    i32[R_ENTRY_CAP] = entryCap;
    i32[R_ENTRY_FREE] = NONE;
    i32[R_NODES] = nodes;
    i32[R_NODE_CAP] = nodeCap;
    i32[R_NODE_FREE] = NONE;
    i32[R_PATTERNS] = patterns;
    i32[R_NAMES] = namesAt;
    i32[R_NAME_CAP] = nameCap;
    for (const { kind, name, nodes: counts } of live) {
      const entry = this.insert(kind, name, this.hash(kind, name), false);
      const e = this.entryAt(entry);
      for (const { endpoint, count } of counts) {
        const node = this.allocNode();
        const n = this.nodeAt(node);
        i32[n + N_ENDPOINT] = endpoint;
        i32[n + N_COUNT] = count;
        i32[n + N_NEXT] = i32[e + E_NODES];
        i32[e + E_NODES] = node;
        i32[e + E_TOTAL] += count;
      }
    }
  }
}
