// One thread's clients postponed by CLIENT PAUSE (Redis 7.0's BLOCKED_POSTPONE: blockClient in processCommand,
// server.postponed_clients). A postponed client is blocked, not refused: its command stays unrun in its query
// buffer (the session rewinds to it), and when the pause is lifted or less strict it runs again from the start,
// as Redis reprocesses it, and may be postponed again. Lifted by time (each thread with postponed clients wakes at
// the pause's end), by CLIENT UNPAUSE on this thread, or by one on another thread (a mailbox record, then the
// registry's wake cell). Clients run again in the order they were postponed. Knows the pause words, the blocked
// registry's count and the mailboxes; nothing of sockets.

import type { ClientState } from '../command.js';
import type { PubSubHub } from '../pubsub/hub.js';
import { PAUSE_ALL, PAUSE_OFF, PAUSE_WRITE, type ClientPauseWords } from '../store/client-pause.js';
import type { BlockedRegistry } from './registry.js';

/** The session of a postponed client, as this file needs it. */
export interface PostponedTarget {
  /** The pause no longer holds the client: its requests, the postponed one first, run again. */
  postponeEnded(): void;
}

interface Postponed {
  readonly client: ClientState;
  readonly target: PostponedTarget;
  /** Postponed under PAUSE ALL: a pause that became WRITE runs it again (it may be a read). */
  readonly underAll: boolean;
}

export interface PostponedClientsOptions {
  readonly pause: ClientPauseWords;
  readonly registry: BlockedRegistry;
  /** Absent in a thread-less test: nothing to wake elsewhere. */
  readonly pubsub?: PubSubHub;
  /** This thread's endpoint (its own wake cell is not bumped); null: a thread that serves no clients. */
  readonly endpoint: number | null;
  readonly clock: () => number;
  /** The earliest deadline may have changed (the event loop re-arms its timer). */
  readonly deadlinesChanged: () => void;
}

export class PostponedClients {
  /** In the order they were postponed (a Map keeps insertion order). */
  private readonly clients = new Map<number, Postponed>();

  constructor(private readonly options: PostponedClientsOptions) {
    options.pubsub?.setPauseLiftedHandler(() => this.check(options.clock()));
  }

  get size(): number {
    return this.clients.size;
  }

  /** processCommand's blockClient(c, BLOCKED_POSTPONE): the client waits; its command runs once the pause ends. */
  postpone(client: ClientState, target: PostponedTarget): void {
    client.blocked = true;
    this.clients.set(client.id, { client, target, underAll: this.options.pause.type() === PAUSE_ALL });
    this.options.registry.countPostponed(1);
    if (this.clients.size === 1) this.options.deadlinesChanged();
  }

  /**
   * When this thread must look again: just past the pause's end (a pause holds while end >= now), at once if it
   * was lifted meanwhile (a wake from another thread may still be on its way), Infinity with nobody postponed.
   */
  nextDeadline(): number {
    if (this.clients.size === 0) return Infinity;
    const pause = this.options.pause;
    return pause.type() === PAUSE_OFF ? 0 : pause.end() + 1;
  }

  /**
   * Runs again the clients the pause no longer holds: all of them once it is over (its end passed: cleared here,
   * and the other threads told), those postponed under ALL once it is only WRITE (updateClientPauseTypeAndEndTime's
   * unblockPostponedClients when the type became less strict; a write among them is postponed again).
   */
  check(now: number): void {
    if (this.clients.size === 0) return;
    const pause = this.options.pause;
    if (pause.expire(now)) this.wakeOthers();
    const type = pause.type();
    if (type === PAUSE_ALL) return;
    for (const [id, waiting] of [...this.clients]) {
      if (type === PAUSE_WRITE && !waiting.underAll) continue;
      this.release(id, waiting);
    }
    this.options.deadlinesChanged();
  }

  /**
   * CLIENT PAUSE or UNPAUSE ran on this thread: this thread's postponed clients are looked at again (an UNPAUSE
   * runs them; a longer pause moves the deadline), and on a lift the other threads are told.
   */
  pauseChanged(lifted: boolean): void {
    if (lifted) this.wakeOthers();
    this.check(this.options.clock());
    this.options.deadlinesChanged();
  }

  /** The client left (or RESET) while postponed: it stops waiting. */
  remove(client: ClientState): void {
    const waiting = this.clients.get(client.id);
    if (waiting === undefined) return;
    this.clients.delete(client.id);
    client.blocked = false;
    this.options.registry.countPostponed(-1);
  }

  private release(id: number, waiting: Postponed): void {
    this.clients.delete(id);
    waiting.client.blocked = false;
    this.options.registry.countPostponed(-1);
    waiting.target.postponeEnded();
  }

  /** Other threads with postponed clients run them now: a mailbox record for loops, a wake cell for pool workers. */
  private wakeOthers(): void {
    const registry = this.options.registry;
    if (registry.postponedClients() <= this.clients.size) return; // all of them are this thread's
    this.options.pubsub?.mailPauseLifted();
    for (let endpoint = 0; endpoint < registry.endpoints; endpoint++) {
      if (endpoint !== this.options.endpoint) registry.wake(endpoint);
    }
  }
}
