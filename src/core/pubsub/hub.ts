// One thread's side of Pub/Sub (Redis's pubsub.c), on every transport: the subscriptions of the clients this
// thread serves (local maps, for fan-out), kept in step with the registry all threads share (registry.ts), and
// PUBLISH: under the shared lock it counts every receiver on every thread (the reply), copies the message into
// the mailbox of each other thread with receivers and wakes it; then it delivers to this thread's own
// subscribers. A woken thread drains its mailbox (drain) and fans each message out the same way.
//
// Ordering, as Redis's one thread gives it: a thread takes its waiting mail under the lock before it changes a
// subscription, and delivers it before the change, so a message published before a SUBSCRIBE never reaches the
// new subscriber and one published before an UNSUBSCRIBE still does (the receiver count said so); a publisher
// with mail waiting for its own thread delivers that first. Deliveries happen after the lock is released: a
// publisher never waits on a subscriber. Knows clients through ClientSubscriptions; nothing of sockets.

import { CommandError } from '../errors.js';
import { globMatch } from '../glob.js';
import { status } from '../reply.js';
import {
  ACL_CHANNELS_REVOKED,
  BLOCKED_REPLY,
  CHANNEL,
  PAUSE_LIFTED,
  MONITOR,
  MONITOR_NAME,
  PATTERN,
  RegistryFullError,
  SHARD,
  type SubscriptionKind,
  TRACKING_DELIVER,
  TRACKING_KEY,
} from './registry.js';
import type { MailboxRecord, PubSubState } from './shared-state.js';
import {
  channelMessage,
  type ClientSubscriptions,
  nameKey,
  patternMessage,
  PushMessage,
  type PushTarget,
} from './subscriber.js';

export { CHANNEL, PATTERN, SHARD, type SubscriptionKind } from './registry.js';

/** Where a thread's tracking mail goes: each record, then the end of what one drain took. */
export interface TrackingMailHandler {
  received(record: MailboxRecord): void;
  drained(overflowed: boolean): void;
}

interface LocalPattern {
  readonly pattern: Buffer;
  readonly clients: Set<ClientSubscriptions>;
}

/** What a thread's hub needs from the wiring: the shared state, which endpoint it is, and how to wake another. */
export interface HubOptions {
  readonly state: PubSubState;
  /** This thread's endpoint (it serves subscribers), or null for a thread that only publishes. */
  readonly endpoint: number | null;
  /** Writes to an eventfd (the native reactor's eventfdSignal); absent where no other thread serves clients. */
  readonly signal?: (fd: number) => void;
  /** The notify-keyspace-events classes now in force (keyspace-events.ts), read at each event; none if absent. */
  readonly keyspaceFlags?: () => number;
}

/**
 * How long ACL SETUSER waits for the other threads to apply a revocation (mailAclRevocation): a thread takes
 * its mail within a turn of its loop; the bound is for one that cannot meanwhile, which must not hang the caller.
 */
const REVOCATION_WAIT_MS = 1000;

export class PubSubHub {
  private readonly state: PubSubState;
  private readonly endpoint: number | null;
  private readonly signal: (fd: number) => void;
  /** The notify-keyspace-events classes now in force. */
  readonly keyspaceFlags: () => number;
  private readonly channels = new Map<string, Set<ClientSubscriptions>>();
  private readonly shardChannels = new Map<string, Set<ClientSubscriptions>>();
  private readonly patterns = new Map<string, LocalPattern>();
  /** This thread's MONITOR clients, in the order they started. */
  private readonly monitors = new Set<PushTarget>();
  /** Endpoints one PUBLISH reaches: stamped with the publish's number, so nothing is cleared per publish. */
  private readonly stamps: Int32Array;
  private readonly reached: number[] = [];
  private publishes = 0;

  constructor(options: HubOptions) {
    this.state = options.state;
    this.endpoint = options.endpoint;
    this.signal = options.signal ?? (() => undefined);
    this.keyspaceFlags = options.keyspaceFlags ?? (() => 0);
    this.stamps = new Int32Array(Math.max(1, options.state.endpoints));
  }

  // ---- Subscriptions ----

  /**
   * Subscribes (add) or unsubscribes the client to each name, in order; returns which ones changed (a name
   * already in the wanted state, or repeated, changes nothing). Mail waiting for this thread is delivered first.
   */
  change(
    client: ClientSubscriptions,
    kind: SubscriptionKind,
    names: readonly Buffer[],
    add: boolean,
  ): boolean[] {
    const mine = subscriptionsOf(client, kind);
    const touched = new Set<string>();
    const changed = names.map((name) => {
      const key = nameKey(name);
      if (mine.has(key) === add || touched.has(key)) return false;
      touched.add(key);
      return true;
    });
    if (touched.size === 0) return changed;
    const endpoint = this.ownEndpoint();
    const changing = names.filter((_, i) => changed[i]);
    const mail = this.state.locked(() => {
      const waiting = this.state.take(endpoint);
      let done = 0;
      try {
        for (; done < changing.length; done++) {
          if (add) this.state.registry.add(kind, changing[done], endpoint);
          else this.state.registry.remove(kind, changing[done], endpoint);
        }
      } catch (e) {
        for (let i = 0; i < done; i++) this.state.registry.remove(kind, changing[i], endpoint);
        if (!(e instanceof RegistryFullError)) throw e;
        return { waiting, full: true };
      }
      this.state.countSubscriptions(endpoint, add ? changing.length : -changing.length);
      return { waiting, full: false };
    });
    this.deliver(mail.waiting.records, mail.waiting.overflowed);
    if (mail.full) throw new CommandError('ERR the Pub/Sub registry is full');
    for (const name of changing) this.changeLocal(client, kind, name, add);
    return changed;
  }

  /**
   * The client is gone, or RESET: every subscription it has ends, with no reply, and this object receives
   * nothing more (a client that subscribes again gets a new one). Messages published before are delivered.
   */
  removeClient(client: ClientSubscriptions): void {
    if (client.total > 0 && this.endpoint !== null) {
      this.change(client, CHANNEL, [...client.channels.values()], false);
      this.change(client, PATTERN, [...client.patterns.values()], false);
      this.change(client, SHARD, [...client.shardChannels.values()], false);
    }
    client.active = false;
    client.removed = true;
  }

  /**
   * A client cut by ACL (acl/acl-hub.ts): its subscriptions leave the registry now, as Redis's freeClient takes
   * them away inside the ACL SETUSER, so a PUBLISH after that command's reply no longer counts it. Unlike
   * removeClient this takes no mail: it runs while this thread delivers its mail, which must stay in order.
   */
  dropSubscriptions(client: ClientSubscriptions): void {
    if (client.total > 0 && this.endpoint !== null) {
      const endpoint = this.endpoint;
      const held: [SubscriptionKind, Buffer][] = [
        ...[...client.channels.values()].map((n): [SubscriptionKind, Buffer] => [CHANNEL, n]),
        ...[...client.patterns.values()].map((n): [SubscriptionKind, Buffer] => [PATTERN, n]),
        ...[...client.shardChannels.values()].map((n): [SubscriptionKind, Buffer] => [SHARD, n]),
      ];
      this.state.locked(() => {
        for (const [kind, name] of held) this.state.registry.remove(kind, name, endpoint);
        this.state.countSubscriptions(endpoint, -held.length);
      });
      for (const [kind, name] of held) this.changeLocal(client, kind, name, false);
    }
    client.active = false;
    client.removed = true;
  }

  private changeLocal(client: ClientSubscriptions, kind: SubscriptionKind, name: Buffer, add: boolean): void {
    const key = nameKey(name);
    const mine = subscriptionsOf(client, kind);
    if (kind === PATTERN) {
      let local = this.patterns.get(key);
      if (add) {
        const copy = Buffer.from(name);
        mine.set(key, copy);
        if (local === undefined) this.patterns.set(key, (local = { pattern: copy, clients: new Set() }));
        local.clients.add(client);
      } else {
        mine.delete(key);
        local?.clients.delete(client);
        if (local?.clients.size === 0) this.patterns.delete(key);
      }
      return;
    }
    const map = kind === SHARD ? this.shardChannels : this.channels;
    let clients = map.get(key);
    if (add) {
      mine.set(key, Buffer.from(name));
      if (clients === undefined) map.set(key, (clients = new Set()));
      clients.add(client);
    } else {
      mine.delete(key);
      clients?.delete(client);
      if (clients?.size === 0) map.delete(key);
    }
  }

  private ownEndpoint(): number {
    if (this.endpoint === null) throw new Error('pub/sub: this thread serves no subscribers');
    return this.endpoint;
  }

  // ---- Publishing ----

  /**
   * PUBLISH / SPUBLISH: the number of clients that receive the message, on every thread (a client subscribed to
   * the channel and to matching patterns counts once per subscription, as in Redis).
   */
  publish(kind: typeof CHANNEL | typeof SHARD, channel: Uint8Array, message: Uint8Array): number {
    const registry = this.state.registry;
    // Nobody subscribed to anything: no lock (a subscription made meanwhile comes after this publish).
    if (registry.liveNames(kind) === 0 && (kind === SHARD || registry.liveNames(PATTERN) === 0)) return 0;
    const stamp = (this.publishes = (this.publishes + 1) | 0);
    const reached = this.reached;
    reached.length = 0;
    const reach = (endpoint: number): void => {
      if (this.stamps[endpoint] === stamp) return;
      this.stamps[endpoint] = stamp;
      reached.push(endpoint);
    };
    let receivers = 0;
    let local = false;
    let mine: { records: MailboxRecord[]; overflowed: boolean } | null = null;
    this.state.lock();
    try {
      const entry = registry.find(kind, channel);
      if (entry >= 0) {
        receivers += registry.total(entry);
        registry.forEachEndpoint(entry, reach);
      }
      if (kind === CHANNEL) {
        for (let i = 0, n = registry.patternCount(); i < n; i++) {
          const pattern = registry.patternEntry(i);
          if (!globMatch(registry.nameOf(pattern), channel)) continue;
          receivers += registry.total(pattern);
          registry.forEachEndpoint(pattern, reach);
        }
      }
      for (const endpoint of reached) {
        if (endpoint === this.endpoint) {
          local = true;
          continue;
        }
        if (this.state.append(endpoint, kind, channel, message) !== 'wake') continue;
        const fd = this.state.wakeFd(endpoint);
        if (fd >= 0) this.signal(fd); // under the lock: the descriptor cannot be closed and reused meanwhile
      }
      // Mail for this thread published before this message goes out first.
      if (local && this.state.hasMail(this.endpoint!)) mine = this.state.take(this.endpoint!);
    } finally {
      this.state.unlock();
    }
    if (mine !== null) this.deliver(mine.records, mine.overflowed);
    if (local) this.fanOut(kind, channel, message);
    return receivers;
  }

  /** Delivers what other threads left in this thread's mailbox (the transport calls this when woken). */
  drain(): void {
    if (this.endpoint === null) return;
    const endpoint = this.endpoint;
    if (!this.state.hasMail(endpoint)) return;
    const mail = this.state.locked(() => this.state.take(endpoint));
    this.deliver(mail.records, mail.overflowed);
  }

  private deliver(records: readonly MailboxRecord[], overflowed: boolean): void {
    for (const record of records) {
      if (record.kind === BLOCKED_REPLY) this.blockedReply(record.channel, record.message);
      else if (record.kind === PAUSE_LIFTED) this.pauseLiftedHandler?.();
      else if (record.kind === ACL_CHANNELS_REVOKED) this.aclRevoked(record.channel, record.message);
      else if (record.kind >= TRACKING_KEY && record.kind <= TRACKING_DELIVER)
        this.trackingMail?.received(record);
      else this.fanOut(record.kind as SubscriptionKind, record.channel, record.message);
    }
    if (records.length > 0 || overflowed) this.trackingMail?.drained(overflowed);
    if (!overflowed) return;
    for (const client of this.localClients()) client.target.lost();
    for (const monitor of this.monitors) monitor.lost();
  }

  /** This thread's subscribers of the channel, then of each matching pattern (pubsubPublishMessageInternal). */
  private fanOut(kind: SubscriptionKind, channel: Uint8Array, payload: Uint8Array): void {
    if (kind === MONITOR) {
      if (this.monitors.size === 0) return;
      const line = new PushMessage(status(Buffer.from(payload).toString('latin1')), true);
      for (const monitor of [...this.monitors]) monitor.push(line);
      return;
    }
    const clients = (kind === SHARD ? this.shardChannels : this.channels).get(nameKey(channel));
    if (clients !== undefined) send(clients, channelMessage(kind === SHARD, channel, payload));
    if (kind !== CHANNEL) return;
    for (const { pattern, clients: matching } of this.patterns.values()) {
      if (globMatch(pattern, channel)) send(matching, patternMessage(pattern, channel, payload));
    }
  }

  private localClients(): Set<ClientSubscriptions> {
    const all = new Set<ClientSubscriptions>();
    for (const clients of this.channels.values()) for (const c of clients) all.add(c);
    for (const clients of this.shardChannels.values()) for (const c of clients) all.add(c);
    for (const { clients } of this.patterns.values()) for (const c of clients) all.add(c);
    return all;
  }

  // ---- MONITOR: a subscription to the one MONITOR name, fed by every command any thread runs ----

  /** Some client on some thread monitors: the one check a command pays for MONITOR (a read of one word). */
  monitoring(): boolean {
    return this.state.monitors() !== 0;
  }

  /** The client monitors from now on (its +OK precedes every line it gets). Mail waiting is delivered first. */
  addMonitor(target: PushTarget): void {
    this.changeMonitor(target, true);
  }

  /** The client stops monitoring (RESET, or gone); lines fed before are delivered. */
  removeMonitor(target: PushTarget): void {
    if (this.monitors.has(target)) this.changeMonitor(target, false);
  }

  private changeMonitor(target: PushTarget, add: boolean): void {
    const endpoint = this.ownEndpoint();
    const waiting = this.state.locked(() => {
      const mail = this.state.take(endpoint);
      if (add) this.state.registry.add(MONITOR, MONITOR_NAME, endpoint);
      else this.state.registry.remove(MONITOR, MONITOR_NAME, endpoint);
      this.state.countMonitor(add ? 1 : -1);
      return mail;
    });
    this.deliver(waiting.records, waiting.overflowed);
    if (add) this.monitors.add(target);
    else this.monitors.delete(target);
  }

  /**
   * replicationFeedMonitors: `line` (its text, no '+' nor CRLF) to every monitor on every thread, through the
   * mailboxes as PUBLISH does, so the lines of all threads reach a monitor in the order the shared lock saw them.
   */
  feedMonitors(line: Buffer): void {
    const registry = this.state.registry;
    const stamp = (this.publishes = (this.publishes + 1) | 0);
    const reached = this.reached;
    reached.length = 0;
    let local = false;
    let mine: { records: MailboxRecord[]; overflowed: boolean } | null = null;
    this.state.lock();
    try {
      const entry = registry.find(MONITOR, MONITOR_NAME);
      if (entry >= 0) {
        registry.forEachEndpoint(entry, (endpoint) => {
          if (this.stamps[endpoint] === stamp) return;
          this.stamps[endpoint] = stamp;
          reached.push(endpoint);
        });
      }
      for (const endpoint of reached) {
        if (endpoint === this.endpoint) {
          local = true;
          continue;
        }
        if (this.state.append(endpoint, MONITOR, MONITOR_NAME, line) !== 'wake') continue;
        const fd = this.state.wakeFd(endpoint);
        if (fd >= 0) this.signal(fd);
      }
      if (local && this.state.hasMail(this.endpoint!)) mine = this.state.take(this.endpoint!);
    } finally {
      this.state.unlock();
    }
    if (mine !== null) this.deliver(mine.records, mine.overflowed);
    if (local) this.fanOut(MONITOR, MONITOR_NAME, line);
  }

  // ---- Blocked clients' replies (blocking/hub.ts): served on another thread, mailed to this one ----

  private blockedReplyHandler: ((clientId: number, reply: Buffer) => void) | null = null;

  /** Who gives this thread's blocked clients the replies mailed to it (the thread's blocking hub). */
  setBlockedReplyHandler(handler: (clientId: number, reply: Buffer) => void): void {
    this.blockedReplyHandler = handler;
  }

  /**
   * Mails a blocked client's reply (bytes in its protocol) to the thread serving it, waking that thread's loop
   * through its eventfd as a message does. The registry's wake cell is the caller's to bump (pool workers).
   */
  mailBlockedReply(endpoint: number, clientId: number, reply: Uint8Array): void {
    const id = Buffer.alloc(8);
    id.writeDoubleLE(clientId);
    this.state.locked(() => {
      if (this.state.append(endpoint, BLOCKED_REPLY, id, reply) !== 'wake') return;
      const fd = this.state.wakeFd(endpoint);
      if (fd >= 0) this.signal(fd);
    });
  }

  private blockedReply(id: Uint8Array, reply: Uint8Array): void {
    const clientId = Buffer.from(id.buffer, id.byteOffset, 8).readDoubleLE(0);
    this.blockedReplyHandler?.(clientId, Buffer.from(reply));
  }

  // ---- Client-side caching's mail (tracking/hub.ts): invalidations for this thread's tracking clients ----

  private trackingMail: TrackingMailHandler | null = null;

  /** Who handles the tracking records mailed to this thread (the thread's tracking hub). */
  setTrackingHandler(handler: TrackingMailHandler): void {
    this.trackingMail = handler;
  }

  // ---- CLIENT UNPAUSE on one thread: every other thread runs the clients it postponed (blocking/postponed.ts) ----

  private pauseLiftedHandler: (() => void) | null = null;

  /** Who runs this thread's postponed clients again when another thread lifts the pause. */
  setPauseLiftedHandler(handler: () => void): void {
    this.pauseLiftedHandler = handler;
  }

  /**
   * Tells every other endpoint the pause was lifted, waking each loop through its eventfd as a message does. The
   * registry's wake cells are the caller's to bump (pool workers waiting in Atomics.wait).
   */
  mailPauseLifted(): void {
    const none = new Uint8Array(0);
    this.state.locked(() => {
      for (let endpoint = 0; endpoint < this.state.endpoints; endpoint++) {
        if (endpoint === this.endpoint) continue;
        if (this.state.append(endpoint, PAUSE_LIFTED, none, none) !== 'wake') continue;
        const fd = this.state.wakeFd(endpoint);
        if (fd >= 0) this.signal(fd);
      }
    });
  }

  // ---- ACL SETUSER on one thread took channels away: every other thread cuts its subscribers (acl/acl-hub.ts) ----

  private aclRevocationHandler: ((user: Uint8Array, rules: Uint8Array) => void) | null = null;

  /** Who cuts this thread's subscribers when another thread mails a revocation (the thread's ACL hub). */
  setAclRevocationHandler(handler: (user: Uint8Array, rules: Uint8Array) => void): void {
    this.aclRevocationHandler = handler;
  }

  /**
   * Mails a revocation (acl/channel-revocation.ts's record) to every other endpoint whose clients subscribe,
   * waking each through its eventfd as a message does (behind every message published before it, ahead of
   * every one published after), and waits until each has applied it: its cut subscribers are out of the
   * registry when ACL SETUSER replies, as Redis frees them inside the command. The wait is bounded, for a thread
   * that cannot take its mail meanwhile (a long script, a key lock this thread holds in EXEC, another SETUSER
   * waiting on this one): it then applies the revocation as soon as it runs.
   */
  mailAclRevocation(user: Uint8Array, rules: Uint8Array): void {
    const waiting: number[] = [];
    let number = 0;
    this.state.locked(() => {
      number = this.state.nextRevocation();
      const message = Buffer.alloc(4 + rules.length);
      message.writeUInt32LE(number, 0);
      message.set(rules, 4);
      for (let endpoint = 0; endpoint < this.state.endpoints; endpoint++) {
        if (endpoint === this.endpoint || !this.state.hasSubscriptions(endpoint)) continue;
        const appended = this.state.append(endpoint, ACL_CHANNELS_REVOKED, user, message);
        if (appended === 'dropped') continue; // its subscribers are cut anyway, for the mail they lost
        waiting.push(endpoint);
        if (appended !== 'wake') continue;
        const fd = this.state.wakeFd(endpoint);
        if (fd >= 0) this.signal(fd);
      }
    });
    const deadline = Date.now() + REVOCATION_WAIT_MS;
    for (const endpoint of waiting) {
      if (!this.state.waitRevocation(endpoint, number, Math.max(0, deadline - Date.now()))) return;
    }
  }

  /** A revocation another thread mailed: applied (the thread's ACL hub), then acknowledged to its sender. */
  private aclRevoked(user: Uint8Array, message: Uint8Array): void {
    const number = Buffer.from(message.buffer, message.byteOffset, message.byteLength).readUInt32LE(0);
    this.aclRevocationHandler?.(user, message.subarray(4));
    this.state.sawRevocation(this.ownEndpoint(), number);
  }

  // ---- Introspection (PUBSUB, INFO) ----

  /** PUBSUB CHANNELS / SHARDCHANNELS: names with subscribers on any thread, matching the pattern if given. */
  names(kind: typeof CHANNEL | typeof SHARD, pattern: Uint8Array | null): Buffer[] {
    const names = this.state.locked(() => this.state.registry.names(kind));
    return pattern === null ? names : names.filter((name) => globMatch(pattern, name));
  }

  /** PUBSUB NUMSUB / SHARDNUMSUB: subscribers of each name on every thread (patterns not counted). */
  subscribers(kind: typeof CHANNEL | typeof SHARD, names: readonly Uint8Array[]): number[] {
    const registry = this.state.registry;
    return this.state.locked(() =>
      names.map((name) => {
        const entry = registry.find(kind, name);
        return entry < 0 ? 0 : registry.total(entry);
      }),
    );
  }

  /** Distinct names of a kind with subscribers (PUBSUB NUMPAT; INFO pubsub_channels, pubsub_patterns). */
  count(kind: SubscriptionKind): number {
    return this.state.registry.liveNames(kind);
  }
}

function subscriptionsOf(client: ClientSubscriptions, kind: SubscriptionKind): Map<string, Buffer> {
  return kind === CHANNEL ? client.channels : kind === PATTERN ? client.patterns : client.shardChannels;
}

function send(clients: Set<ClientSubscriptions>, message: PushMessage): void {
  for (const client of clients) if (!client.removed) client.target.push(message);
}
