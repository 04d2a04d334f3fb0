// One thread's side of client-side caching (Redis 7.0's tracking.c), on every transport: the tracking state of
// the clients this thread serves, its own table of tracked keys (key -> ids of its clients that may cache it), the
// broadcasting prefixes its clients follow, and the shared tables every thread keeps in step with
// (shared-table.ts). A write anywhere looks the key up in the shared table under the pub/sub lock, drops it, and
// mails each other thread that had it (as PUBLISH mails a message); this thread's own clients are told at once.
//
// Ordering, as Redis's: an invalidation caused by the client's own command (its write, a key it found expired)
// is written after that command's reply (tracking_pending_keys, flushed after call() at top level: after EXEC's
// or EVAL's reply); one for another client is written at once, so a REDIRECT target that caused it gets it before
// its own reply. Keys for broadcasting clients are gathered and sent once per batch of requests (Redis: once
// per event loop turn, in beforeSleep), sorted as Redis's radix tree sorts them.
//
// Across threads, keys are remembered before the read command runs (and again after it), so a write that
// another thread applies after the read looked at the key always finds the key in the shared table: a reader
// never keeps a value it will not hear about. A client whose key a lazy expiry removes during that very read is
// not told of it unless it tracked the key before, as in Redis (the key was not yet in its table there).
// Knows clients' state, the shared tables and the mailboxes; nothing of sockets or command syntax.

import type { ClientState } from '../command.js';
import { CommandError } from '../errors.js';
import {
  TRACKING_BCAST,
  TRACKING_DELIVER,
  TRACKING_FLUSH,
  TRACKING_KEY,
  type TrackingMailKind,
} from '../pubsub/registry.js';
import type { MailboxRecord, PubSubState } from '../pubsub/shared-state.js';
import { TouchedHashes } from '../store/touched.js';
import {
  decodeDelivery,
  encodeDelivery,
  type Invalidated,
  invalidationFor,
  redirectBroken,
} from './messages.js';
import {
  BCAST_PREFIX,
  CLIENT_ENDPOINT,
  clientName,
  type SharedTracking,
  TRACKED_KEY,
} from './shared-table.js';

/** A client's tracking state (Redis's CLIENT_TRACKING* flags, client_tracking_redirection and prefixes). */
export interface ClientTracking {
  on: boolean;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) given for the next command or transaction. */
  caching: boolean;
  brokenRedirect: boolean;
  /** The client its invalidations go to; 0: itself. */
  redirect: number;
  /** BCAST prefixes (latin1 text of the bytes: one character per byte). */
  readonly prefixes: Set<string>;
}

/** CLIENT TRACKING ON's options, checked by the command. */
export interface TrackingOptions {
  readonly redirect: number;
  readonly bcast: boolean;
  readonly optin: boolean;
  readonly optout: boolean;
  readonly noloop: boolean;
  readonly prefixes: readonly Buffer[];
}

export interface TrackingHubOptions {
  readonly state: PubSubState;
  /** This thread's endpoint, or null for a thread that serves no RESP clients (it only writes). */
  readonly endpoint: number | null;
  readonly signal: (fd: number) => void;
  /** tracking-table-max-keys now (0: no limit). */
  readonly maxKeys: () => number;
}

const latin1 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
const EMPTY = Buffer.alloc(0);

export class TrackingHub {
  private readonly state: PubSubState;
  private readonly shared: SharedTracking;
  private readonly endpoint: number | null;
  private readonly signal: (fd: number) => void;
  private readonly maxKeys: () => number;
  /** Every client this thread serves, by id: trackers and REDIRECT targets alike. */
  private readonly clients = new Map<number, ClientState>();
  /** This thread's tracking table: key -> ids of its clients that may cache it. */
  private readonly table = new Map<string, Set<number>>();
  /** Broadcast prefixes this thread's clients follow -> their ids. */
  private readonly prefixes = new Map<string, Set<number>>();
  /** Keys written since the last broadcast, by prefix, each with the id of the client that wrote it last (0: none). */
  private pendingBroadcast = new Map<string, Map<string, number>>();
  /**
   * Keys written since the last broadcast for other threads' broadcasting clients, as (prefix, key) pairs packed
   * for each endpoint (packPairs): mailed in one record per batch, so a thread sends them in one push per prefix.
   */
  private pendingRemote = new Map<number, Buffer[]>();
  /** The client whose requests this thread is running (server.current_client), or null. */
  private current: ClientState | null = null;
  /** Keys the running read added for its client (see the top of this file). */
  private fresh: Set<string> | null = null;
  private freshClient = 0;
  /** tracking.c's timeout_counter: how many limit passes in a row ended still over the limit. */
  private limitPasses = 0;
  /**
   * The hashes of the keys this thread's store operations modified during the command now running (the store
   * notes them: KeyValueStore.keepTouched), so only the keys it really changed are invalidated, as Redis's
   * signalModifiedKey does (a SET NX that set nothing, a DEL of a missing key invalidate nothing).
   */
  readonly touched = new TouchedHashes();
  /** The script running for a caller (EVAL): its reads remember the keys the script declared, for the caller. */
  scriptCaller: { readonly client: ClientState; readonly keys: readonly Buffer[] } | null = null;

  constructor(options: TrackingHubOptions) {
    this.state = options.state;
    this.shared = options.state.tracking;
    this.endpoint = options.endpoint;
    this.signal = options.signal;
    this.maxKeys = options.maxKeys;
  }

  // ---- Connections ----

  /** A client of this thread: findable as a REDIRECT target from every thread. */
  connected(client: ClientState): void {
    this.clients.set(client.id, client);
    if (this.endpoint === null || this.state.endpoints <= 1) return;
    const endpoint = this.endpoint;
    this.state.locked(() => this.shared.registry.add(CLIENT_ENDPOINT, clientName(client.id), endpoint));
  }

  /** The client is gone (freeClient): its tracking ends; the keys it tracked stay until written, as in Redis. */
  disconnected(client: ClientState): void {
    if (!this.clients.delete(client.id)) return;
    this.disable(client);
    if (this.endpoint === null || this.state.endpoints <= 1) return;
    const endpoint = this.endpoint;
    this.state.locked(() => this.shared.registry.remove(CLIENT_ENDPOINT, clientName(client.id), endpoint));
  }

  /** Whether client `id` is connected to any thread (lookupClientByID). */
  exists(id: number): boolean {
    if (this.clients.has(id)) return true;
    if (this.state.endpoints <= 1) return false;
    return this.state.locked(() => this.shared.endpointOf(id)) >= 0;
  }

  // ---- The batch a session runs: who the current client is, and the broadcast at its end ----

  begin(client: ClientState): void {
    this.current = client;
  }

  /** The batch is over (Redis's beforeSleep): broadcasting clients get the keys written meanwhile. */
  end(): void {
    this.broadcast();
    this.mailBroadcasts();
  }

  /** The session is out of its receive(), however it left it. */
  leave(): void {
    this.current = null;
  }

  /**
   * Batches run inside the current one (the event loop serving its clients from a running script's hook): they
   * broadcast only what they wrote themselves, not the script's keys before it has ended (Redis's beforeSleep
   * skips the broadcast while processing events blocked), and the script's client is the current one again after.
   */
  nested(serve: () => void): void {
    const current = this.current;
    const broadcast = this.pendingBroadcast;
    const remote = this.pendingRemote;
    this.pendingBroadcast = new Map();
    this.pendingRemote = new Map();
    try {
      serve();
    } finally {
      this.current = current;
      this.pendingBroadcast = broadcast;
      this.pendingRemote = remote;
    }
  }

  // ---- CLIENT TRACKING ----

  /** enableTracking: the options were checked by the command. */
  enable(client: ClientState, options: TrackingOptions): void {
    if (this.endpoint === null)
      throw new CommandError('ERR client tracking is not available on this connection');
    const t = (client.tracking ??= {
      on: false,
      bcast: false,
      optin: false,
      optout: false,
      noloop: false,
      caching: false,
      brokenRedirect: false,
      redirect: 0,
      prefixes: new Set(),
    });
    if (!t.on) this.shared.addClients(1);
    t.on = true;
    t.brokenRedirect = t.bcast = t.optin = t.optout = t.noloop = false;
    t.redirect = options.redirect;
    if (options.bcast) {
      t.bcast = true;
      const prefixes = options.prefixes.length === 0 ? [EMPTY] : options.prefixes;
      for (const prefix of prefixes) this.followPrefix(client, t, prefix);
    }
    t.optin = options.optin;
    t.optout = options.optout;
    t.noloop = options.noloop;
  }

  private followPrefix(client: ClientState, t: ClientTracking, prefix: Buffer): void {
    const name = latin1(prefix);
    let ids = this.prefixes.get(name);
    if (ids === undefined) {
      this.prefixes.set(name, (ids = new Set()));
      const endpoint = this.endpoint!;
      this.state.locked(() => this.shared.registry.add(BCAST_PREFIX, prefix, endpoint));
    }
    ids.add(client.id);
    t.prefixes.add(name);
  }

  /** disableTracking. */
  disable(client: ClientState): void {
    const t = client.tracking;
    if (t === undefined) return;
    if (t.bcast) {
      for (const name of t.prefixes) {
        const ids = this.prefixes.get(name);
        ids?.delete(client.id);
        if (ids?.size !== 0) continue;
        this.prefixes.delete(name);
        const endpoint = this.endpoint!;
        this.state.locked(() =>
          this.shared.registry.remove(BCAST_PREFIX, Buffer.from(name, 'latin1'), endpoint),
        );
      }
      t.prefixes.clear();
    }
    if (!t.on) return;
    this.shared.addClients(-1);
    t.on = t.brokenRedirect = t.bcast = t.optin = t.optout = t.caching = t.noloop = false;
  }

  // ---- Remembering what a tracking client read (trackingRememberKeys) ----

  /** Whether the client's reads are remembered now: tracking, not BCAST, and OPTIN/OPTOUT's CACHING as given. */
  remembers(client: ClientState): boolean {
    const t = client.tracking;
    if (t === undefined || !t.on || t.bcast) return false;
    return !((t.optin && !t.caching) || (t.optout && t.caching));
  }

  /** Before a read command runs: its keys go in the tables (see the top of this file). */
  beforeRead(client: ClientState, keys: readonly Buffer[]): void {
    this.fresh = new Set();
    this.freshClient = client.id;
    this.remember(client, keys, this.fresh);
  }

  /** After it ran: again, for a key its own lazy expiry invalidated meanwhile. */
  afterRead(client: ClientState, keys: readonly Buffer[]): void {
    this.fresh = null;
    this.freshClient = 0;
    this.remember(client, keys, null);
  }

  private remember(client: ClientState, keys: readonly Buffer[], fresh: Set<string> | null): void {
    let unshared: Buffer[] | null = null;
    for (const key of keys) {
      const name = latin1(key);
      let ids = this.table.get(name);
      if (ids === undefined) {
        this.table.set(name, (ids = new Set()));
        (unshared ??= []).push(key);
      }
      if (ids.has(client.id)) continue;
      ids.add(client.id);
      this.shared.addItems(1);
      fresh?.add(name);
    }
    if (unshared === null) return;
    const endpoint = this.endpoint!;
    const registry = this.shared.registry;
    this.state.locked(() => {
      for (const key of unshared!) {
        if (!this.shared.hasOn(TRACKED_KEY, key, endpoint)) registry.add(TRACKED_KEY, key, endpoint);
      }
    });
  }

  /** A read ran inside the script: the caller tracks the keys the script declared (call() in server.c). */
  scriptRead(): void {
    const caller = this.scriptCaller;
    if (caller !== null && caller.keys.length > 0 && this.remembers(caller.client))
      this.remember(caller.client, caller.keys, null);
  }

  // ---- Invalidation (trackingInvalidateKey) ----

  /** Whether some key or prefix may be tracked anywhere: otherwise a write has nothing to invalidate. */
  active(): boolean {
    return this.table.size > 0 || this.shared.inUse();
  }

  /** Keys a command of `writer` modified (signalModifiedKey): told after its reply if they are its own. */
  modified(keys: readonly Buffer[], writer: ClientState | null): void {
    const self = this.current?.id ?? 0;
    for (const key of keys) this.invalidate(key, self, true, writer?.id ?? 0, true);
    if (this.current === null) this.end(); // outside a batch (a blocked client served): nothing ends it later
  }

  /** A key this thread removed because it expired (signalModifiedKey with no client). */
  expired(key: Buffer): void {
    this.invalidate(key, this.current?.id ?? 0, true, 0, true);
    if (this.current === null) this.end(); // the active cycle: no batch end follows
  }

  /**
   * A key this thread evicted (maxmemory), before the command that needed the room: its invalidation is written
   * before that command's reply (processCommand flushes the pending keys right after performEvictions).
   */
  evicted(key: Buffer): void {
    this.invalidate(key, this.current?.id ?? 0, false, 0, true);
  }

  private invalidate(
    key: Buffer,
    self: number,
    selfAfterReply: boolean,
    writer: number,
    bcast: boolean,
  ): void {
    const shared = this.shared;
    const name = latin1(key);
    const tracked = shared.keys() > 0;
    const prefixed = bcast && shared.prefixes() > 0;
    if (!tracked && !prefixed && !this.table.has(name)) return;
    let localPrefixes: string[] | null = null;
    const registry = shared.registry;
    this.state.lock();
    try {
      if (tracked) {
        const entry = registry.find(TRACKED_KEY, key);
        if (entry >= 0) {
          registry.forEachEndpoint(entry, (endpoint) => {
            if (endpoint !== this.endpoint) this.mailLocked(endpoint, TRACKING_KEY, key, EMPTY);
          });
          registry.dropEntry(entry);
        }
      }
      if (prefixed) {
        for (let i = 0, n = registry.patternCount(); i < n; i++) {
          const entry = registry.patternEntry(i);
          const prefix = registry.nameOf(entry);
          if (!startsWith(key, prefix)) continue;
          registry.forEachEndpoint(entry, (endpoint) => {
            if (endpoint === this.endpoint) (localPrefixes ??= []).push(latin1(prefix));
            else this.queueRemote(endpoint, prefix, key);
          });
        }
      }
    } finally {
      this.state.unlock();
    }
    this.invalidateLocal(name, key, self, selfAfterReply);
    for (const prefix of localPrefixes ?? []) this.queueBroadcast(prefix, name, writer);
  }

  /** This thread's clients that may cache the key are told, and the key leaves its table. */
  private invalidateLocal(name: string, key: Buffer, self: number, selfAfterReply: boolean): void {
    const ids = this.table.get(name);
    if (ids === undefined) return;
    this.table.delete(name);
    this.shared.addItems(-ids.size);
    for (const id of ids) {
      const client = this.clients.get(id);
      const t = client?.tracking;
      // Switched to BCAST since: keys pending from before are not sent (tracking.c).
      if (client === undefined || t === undefined || !t.on || t.bcast) continue;
      if (t.noloop && id === self) continue;
      if (id === this.freshClient && this.fresh?.has(name) === true) continue;
      this.send(client, [key], id === self && selfAfterReply);
    }
  }

  // ---- Flushes (trackingInvalidateKeysOnFlush) ----

  /** FLUSHALL / FLUSHDB: every tracking client, on every thread, is told every key is invalid; the table empties. */
  flushed(): void {
    const self = this.current?.id ?? 0;
    this.state.locked(() => {
      this.shared.registry.dropKind(TRACKED_KEY);
      for (let endpoint = 0; endpoint < this.state.endpoints; endpoint++) {
        if (endpoint !== this.endpoint) this.mailLocked(endpoint, TRACKING_FLUSH, EMPTY, EMPTY);
      }
    });
    this.flushLocal(self);
  }

  private flushLocal(self: number): void {
    for (const client of this.clients.values()) {
      if (client.tracking?.on === true) this.send(client, null, client.id === self);
    }
    let items = 0;
    for (const ids of this.table.values()) items += ids.size;
    this.table.clear();
    this.shared.addItems(-items);
  }

  // ---- tracking-table-max-keys (trackingLimitUsedSlots) ----

  /**
   * Before a command while clients track: over the limit, random keys are invalidated as if written (never to
   * broadcasting clients) until the table is back under it, with an effort that grows while it stays over.
   */
  limit(): void {
    if (!this.shared.anyClient()) return;
    const max = this.maxKeys();
    if (max === 0) return;
    const shared = this.shared;
    if (shared.keys() <= max) {
      this.limitPasses = 0;
      return;
    }
    const registry = shared.registry;
    const local: Buffer[] = [];
    let under = false;
    this.state.locked(() => {
      for (let effort = 100 * (this.limitPasses + 1); effort > 0; effort--) {
        const entry = registry.randomEntry(TRACKED_KEY, Math.random());
        if (entry < 0) break;
        const key = Buffer.from(registry.nameOf(entry));
        registry.forEachEndpoint(entry, (endpoint) => {
          if (endpoint === this.endpoint) local.push(key);
          else this.mailLocked(endpoint, TRACKING_KEY, key, EMPTY);
        });
        registry.dropEntry(entry);
        if (registry.liveNames(TRACKED_KEY) <= max) {
          under = true;
          break;
        }
      }
    });
    this.limitPasses = under ? 0 : this.limitPasses + 1;
    const self = this.current?.id ?? 0;
    for (const key of local) this.invalidateLocal(latin1(key), key, self, false);
  }

  // ---- Broadcasting (trackingRememberKeyToBroadcast, trackingBroadcastInvalidationMessages) ----

  private queueBroadcast(prefix: string, key: string, writer: number): void {
    let keys = this.pendingBroadcast.get(prefix);
    if (keys === undefined) this.pendingBroadcast.set(prefix, (keys = new Map()));
    keys.set(key, writer);
  }

  /** Each prefix's keys, sorted, to each of its clients (a NOLOOP client without the keys it wrote itself). */
  private broadcast(): void {
    if (this.pendingBroadcast.size === 0) return;
    const pending = this.pendingBroadcast;
    this.pendingBroadcast = new Map();
    for (const prefix of [...pending.keys()].sort()) {
      const ids = this.prefixes.get(prefix);
      if (ids === undefined) continue;
      const written = pending.get(prefix)!;
      // latin1 text compares as its bytes do: the radix tree's order.
      const names = [...written.keys()].sort();
      const keys = names.map((name) => Buffer.from(name, 'latin1'));
      for (const id of ids) {
        const client = this.clients.get(id);
        const t = client?.tracking;
        if (client === undefined || t === undefined || !t.on || !t.bcast) continue;
        const sent = t.noloop ? keys.filter((_, i) => written.get(names[i]) !== id) : keys;
        if (sent.length > 0) this.send(client, sent, false);
      }
    }
  }

  /** Lock held: `key`, written, is for the broadcasting clients of `prefix` on `endpoint`. */
  private queueRemote(endpoint: number, prefix: Uint8Array, key: Uint8Array): void {
    let pairs = this.pendingRemote.get(endpoint);
    if (pairs === undefined) this.pendingRemote.set(endpoint, (pairs = []));
    pairs.push(packPair(prefix, key));
  }

  /** Each other thread gets the batch's keys for its broadcasting clients in one record. */
  private mailBroadcasts(): void {
    if (this.pendingRemote.size === 0) return;
    const pending = this.pendingRemote;
    this.pendingRemote = new Map();
    this.state.locked(() => {
      for (const [endpoint, pairs] of pending)
        this.mailLocked(endpoint, TRACKING_BCAST, EMPTY, Buffer.concat(pairs));
    });
  }

  // ---- Sending (sendTrackingMessage) ----

  private send(tracker: ClientState, keys: Invalidated, afterReply: boolean): void {
    const t = tracker.tracking!;
    if (t.redirect === 0) {
      this.deliver(tracker, false, keys, tracker.resp, afterReply);
      return;
    }
    const target = this.clients.get(t.redirect);
    if (target !== undefined) {
      this.deliver(target, true, keys, tracker.resp, afterReply);
      return;
    }
    const endpoint =
      this.state.endpoints <= 1 ? -1 : this.state.locked(() => this.shared.endpointOf(t.redirect));
    if (endpoint < 0) {
      t.brokenRedirect = true;
      // Only RESP3 can be told: RESP2 has no pushes on a connection that is not subscribed.
      if (tracker.resp === 3) tracker.pushTarget?.push(redirectBroken(t.redirect, afterReply));
      return;
    }
    const { channel, message } = encodeDelivery({ target: t.redirect, trackerResp: tracker.resp, keys });
    this.state.locked(() => this.mailLocked(endpoint, TRACKING_DELIVER, channel, message));
  }

  private deliver(
    target: ClientState,
    redirected: boolean,
    keys: Invalidated,
    trackerResp: ClientState['resp'],
    afterReply: boolean,
  ): void {
    const message = invalidationFor(
      { resp: target.resp, subscribed: target.pubsub?.active === true },
      redirected,
      keys,
      trackerResp,
      afterReply,
    );
    if (message !== null) target.pushTarget?.push(message);
  }

  // ---- Mail between threads ----

  /** Lock held. */
  private mailLocked(
    endpoint: number,
    kind: TrackingMailKind,
    channel: Uint8Array,
    message: Uint8Array,
  ): void {
    if (this.state.append(endpoint, kind, channel, message) !== 'wake') return;
    const fd = this.state.wakeFd(endpoint);
    if (fd >= 0) this.signal(fd); // under the lock: the descriptor cannot be closed and reused meanwhile
  }

  /** A record another thread mailed to this one (the pub/sub hub's drain hands it over). */
  received(record: MailboxRecord): void {
    switch (record.kind) {
      case TRACKING_KEY:
        this.invalidateLocal(latin1(record.channel), record.channel, 0, false);
        return;
      case TRACKING_BCAST:
        for (const [prefix, key] of unpackPairs(record.message)) this.queueBroadcast(prefix, key, 0);
        return;
      case TRACKING_FLUSH:
        this.flushLocal(0);
        return;
      case TRACKING_DELIVER: {
        const delivery = decodeDelivery(record.channel, record.message);
        const target = this.clients.get(delivery.target);
        if (target !== undefined) this.deliver(target, true, delivery.keys, delivery.trackerResp, false);
        return;
      }
    }
  }

  /** The mail taken is all handled: broadcasts go out; if some was dropped, this thread's trackers are cut. */
  drained(overflowed: boolean): void {
    this.broadcast();
    if (!overflowed) return;
    for (const client of this.clients.values()) if (client.tracking?.on === true) client.pushTarget?.lost();
  }

  // ---- INFO ----

  get trackingClients(): number {
    return this.shared.clients();
  }

  get totalKeys(): number {
    return this.shared.keys();
  }

  get totalItems(): number {
    return this.shared.items();
  }

  get totalPrefixes(): number {
    return this.shared.prefixes();
  }
}

/** A (prefix, key) pair of a TRACKING_BCAST record: [prefix length: u32][prefix][key length: u32][key]. */
function packPair(prefix: Uint8Array, key: Uint8Array): Buffer {
  const pair = Buffer.alloc(8 + prefix.length + key.length);
  pair.writeUInt32LE(prefix.length, 0);
  pair.set(prefix, 4);
  pair.writeUInt32LE(key.length, 4 + prefix.length);
  pair.set(key, 8 + prefix.length);
  return pair;
}

/** The (prefix, key) pairs of a TRACKING_BCAST record, as latin1 text. */
function unpackPairs(bytes: Buffer): [string, string][] {
  const pairs: [string, string][] = [];
  for (let at = 0; at < bytes.length;) {
    const prefixLength = bytes.readUInt32LE(at);
    const prefix = bytes.toString('latin1', at + 4, at + 4 + prefixLength);
    at += 4 + prefixLength;
    const keyLength = bytes.readUInt32LE(at);
    pairs.push([prefix, bytes.toString('latin1', at + 4, at + 4 + keyLength)]);
    at += 4 + keyLength;
  }
  return pairs;
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > key.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}
