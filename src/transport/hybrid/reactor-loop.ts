// A hybrid loop thread's event loop (Redis's ae.c over epoll, level-triggered): one epoll set holding every
// client of this thread, an eventfd other threads write to wake it and, on the accepting loop, the listening
// socket. A client that has sent nothing is two numbers in typed arrays indexed by its descriptor (its id and
// when it connected): no object, no session, which is what makes an idle client cost little more than its
// socket. Its first event makes it a LoopClient. The loop blocks in epoll_wait, hands each ready client its
// events, calls onWake when woken, and sweeps idle and lingering clients about once a second.
// Knows clients through LoopClient and the reactor calls; nothing of messages, config or commands.

import type { ClientBuffers, ClientInfo } from '../../core/command.js';
import { MAX_FD } from './layout.js';
import { idleClientInfo, type LoopClient } from './loop-client.js';
import { check, EAGAIN, type NativeReactor } from './native-reactor.js';

export interface ReactorLoopOptions {
  readonly native: NativeReactor;
  readonly idleCheckIntervalMs: number;
  readonly closeGraceMs: number;
  /** Idle timeout in ms (CONFIG timeout), read at each sweep; 0: never. */
  idleTimeoutMs(): number;
  /** Another thread signalled the eventfd: drain its messages, hand-offs and Pub/Sub mail. */
  onWake(): void;
  /** Events have arrived, before any is handled: what must precede every client's bytes (relayed config). */
  beforeEvents(): void;
  /** After each batch of events: write what the batch left for clients (Pub/Sub messages). */
  afterEvents(): void;
  /** The object for a client that has just sent its first bytes (or closed). */
  promote(fd: number, id: number, createdAt: number): LoopClient;
  /** A client's descriptor is closed (counted: not a client turned away). */
  onClosed(fd: number, counted: boolean): void;
  /** The earliest timer (ms since the epoch) the loop must wake for: a blocked client's timeout; Infinity: none. */
  nextTimer(): number;
  /** The time of a timer has come (the loop calls this after each wait once nextTimer() has passed). */
  onTimer(now: number): void;
  /**
   * Each sweep looked at every client's buffers (Redis's clientsCronTrackExpansiveClients): the largest query and
   * output buffer and their total. A client that has sent nothing has none.
   */
  onBuffersSampled(now: number, buffers: ClientBuffers): void;
}

/** Most ready descriptors taken per epoll_wait (the native side's batch). */
const BATCH = 256;

export class ReactorLoop {
  readonly wakeFd: number;
  private readonly epfd: number;
  /** Clients that have spoken, by descriptor. */
  private readonly active = new Map<number, LoopClient>();
  /** Clients that have not, by descriptor: id (0: none) and when they connected. */
  private readonly idleId = new Float64Array(MAX_FD);
  private readonly idleSince = new Float64Array(MAX_FD);
  private idleCount = 0;
  private readonly ready = new Int32Array(2 * BATCH);
  private listenFd = -1;
  private onAcceptable: () => void = () => undefined;
  /** When a listener paused after EMFILE is armed again (0: not paused). */
  private listenPausedUntil = 0;
  private nextSweep = 0;
  private stopDeadline = 0;
  private done = false;

  constructor(private readonly options: ReactorLoopOptions) {
    const native = options.native;
    this.epfd = check(native.epollCreate(), 'epoll_create1');
    this.wakeFd = check(native.eventfdCreate(), 'eventfd');
    check(native.epollCtl(this.epfd, native.epoll.CTL_ADD, this.wakeFd, native.epoll.IN), 'epoll_ctl');
  }

  get size(): number {
    return this.active.size + this.idleCount;
  }

  /** Watches a listening socket; `onAcceptable` accepts what is waiting. */
  listen(fd: number, onAcceptable: () => void): void {
    const native = this.options.native;
    check(native.epollCtl(this.epfd, native.epoll.CTL_ADD, fd, native.epoll.IN), 'epoll_ctl');
    this.listenFd = fd;
    this.onAcceptable = onAcceptable;
  }

  /** Out of descriptors: stop watching the listener for `ms` (level-triggered, it would wake us in a spin). */
  pauseListening(ms: number): void {
    const native = this.options.native;
    if (this.listenFd < 0 || this.listenPausedUntil !== 0) return;
    native.epollCtl(this.epfd, native.epoll.CTL_MOD, this.listenFd, 0);
    this.listenPausedUntil = Date.now() + ms;
  }

  /** No longer watches the listening socket (a standby acceptor's turn is over). */
  stopListening(): void {
    if (this.listenFd < 0) return;
    const native = this.options.native;
    native.epollCtl(this.epfd, native.epoll.CTL_DEL, this.listenFd, 0);
    this.listenFd = -1;
  }

  /** Starts serving a client that has sent nothing yet (its descriptor non-blocking, now this loop's). */
  adopt(fd: number, id: number, createdAt: number): void {
    const native = this.options.native;
    if (fd >= MAX_FD) return this.add(this.options.promote(fd, id, createdAt));
    this.idleId[fd] = id;
    this.idleSince[fd] = createdAt;
    this.idleCount++;
    if (native.epollCtl(this.epfd, native.epoll.CTL_ADD, fd, native.epoll.IN | native.epoll.RDHUP) < 0) {
      this.promote(fd).destroy();
    }
  }

  /** Starts serving a client object at once (a client turned away, or a descriptor beyond MAX_FD). */
  add(client: LoopClient): void {
    const { native } = this.options;
    this.active.set(client.fd, client);
    client.events = native.epoll.IN | native.epoll.RDHUP;
    if (native.epollCtl(this.epfd, native.epoll.CTL_ADD, client.fd, client.events) < 0) client.destroy();
  }

  /** An idle client becomes a LoopClient (its first bytes, a close, a kill, a shutdown). */
  private promote(fd: number): LoopClient {
    const client = this.options.promote(fd, this.idleId[fd], this.idleSince[fd]);
    this.idleId[fd] = 0;
    this.idleCount--;
    client.events = this.options.native.epoll.IN | this.options.native.epoll.RDHUP;
    this.active.set(fd, client);
    return client;
  }

  watch(client: LoopClient, events: number): void {
    const native = this.options.native;
    const wanted = events | native.epoll.RDHUP;
    if (client.events === wanted || client.closed) return;
    client.events = wanted;
    if (native.epollCtl(this.epfd, native.epoll.CTL_MOD, client.fd, wanted) < 0) client.destroy();
  }

  /** Out of the set before the descriptor closes (a closed descriptor leaves the set only with its last dup). */
  release(client: LoopClient): void {
    const native = this.options.native;
    if (this.active.get(client.fd) !== client) return;
    this.active.delete(client.fd);
    native.epollCtl(this.epfd, native.epoll.CTL_DEL, client.fd, 0);
    this.options.onClosed(client.fd, client.id !== 0);
    native.closeFd(client.fd);
  }

  /** A client of this loop by id: made an object if it was idle (the caller is about to act on it). */
  find(id: number): LoopClient | undefined {
    for (const client of this.active.values()) if (client.id === id) return client;
    if (this.idleCount === 0) return undefined;
    const fd = this.idleId.indexOf(id);
    return fd >= 0 && id !== 0 ? this.promote(fd) : undefined;
  }

  /** Every client of this loop, by descriptor: its object, or null for one that has sent nothing yet. */
  forEachClient(visit: (fd: number, client: LoopClient | null) => void): void {
    for (const [fd, client] of this.active) visit(fd, client);
    this.forEachIdle((fd) => visit(fd, null));
  }

  /** The client on `fd`, made an object if it had sent nothing (it is about to be served); undefined: none. */
  clientOn(fd: number): LoopClient | undefined {
    return this.active.get(fd) ?? (fd < MAX_FD && this.idleId[fd] !== 0 ? this.promote(fd) : undefined);
  }

  /** CLIENT LIST entries of every client of this loop. */
  infos(): ClientInfo[] {
    const out: ClientInfo[] = [];
    for (const client of this.active.values()) if (client.id !== 0) out.push(client.info());
    this.forEachIdle((fd) =>
      out.push(idleClientInfo(this.options.native, fd, this.idleId[fd], this.idleSince[fd])),
    );
    return out;
  }

  private forEachIdle(visit: (fd: number) => void): void {
    for (let fd = 0, left = this.idleCount; fd < MAX_FD && left > 0; fd++) {
      if (this.idleId[fd] !== 0) {
        left--;
        visit(fd);
      }
    }
  }

  /**
   * Graceful stop: no more accepting; every client answers what it has already received, then ends (flush,
   * FIN); the loop returns once all are closed, or destroys the rest when graceMs is up.
   */
  stop(graceMs: number): void {
    this.stopListening();
    this.stopDeadline = Date.now() + graceMs;
    const idle: number[] = [];
    this.forEachIdle((fd) => idle.push(fd));
    for (const fd of idle) this.promote(fd);
    for (const client of [...this.active.values()]) {
      for (let reads = 0; reads < 64 && client.readable(); reads++);
      client.end();
    }
    this.done = true;
  }

  /** Runs until stop() has run and every client is closed (or the stop's grace is up). */
  run(): void {
    const { native } = this.options;
    this.nextSweep = Date.now() + this.options.idleCheckIntervalMs;
    for (;;) {
      if (this.done && (this.active.size === 0 || Date.now() >= this.stopDeadline)) break;
      let until = this.nextSweep;
      if (this.done) until = Math.min(until, this.stopDeadline);
      if (this.listenPausedUntil !== 0) until = Math.min(until, this.listenPausedUntil);
      const timer = this.options.nextTimer();
      until = Math.min(until, timer);
      const count = native.epollWait(this.epfd, this.ready, Math.max(0, Math.ceil(until - Date.now())));
      if (count > 0) this.options.beforeEvents();
      for (let i = 0; i < count; i++) this.dispatch(this.ready[2 * i], this.ready[2 * i + 1]);
      let now = Date.now();
      if (now >= timer) this.options.onTimer(now);
      this.options.afterEvents();
      now = Date.now();
      if (this.listenPausedUntil !== 0 && now >= this.listenPausedUntil) {
        this.listenPausedUntil = 0;
        if (this.listenFd >= 0)
          native.epollCtl(this.epfd, native.epoll.CTL_MOD, this.listenFd, native.epoll.IN);
      }
      if (now >= this.nextSweep) this.sweep(now);
    }
    for (const client of [...this.active.values()]) client.destroy();
    // The eventfd stays open: other threads may still signal it; the main thread closes it once we have exited.
    native.closeFd(this.epfd);
  }

  private dispatch(fd: number, events: number): void {
    if (fd === this.wakeFd) {
      if (this.options.native.eventfdDrain(fd) !== -EAGAIN) this.options.onWake();
      return;
    }
    if (fd === this.listenFd) return this.onAcceptable();
    this.clientOn(fd)?.onEvents(events);
  }

  /** Redis's clientsCron: the clients' buffers sampled, idle clients end, lingering ones past the grace are destroyed. */
  private sweep(now: number): void {
    this.nextSweep = now + this.options.idleCheckIntervalMs;
    this.sampleBuffers(now);
    const idleMs = this.options.idleTimeoutMs();
    for (const client of [...this.active.values()]) {
      if (client.lingeringSince !== 0) {
        if (now - client.lingeringSince >= this.options.closeGraceMs) client.destroy();
      } else if (
        idleMs > 0 &&
        now - client.lastInteraction > idleMs &&
        !client.subscribed &&
        !client.monitoring &&
        !client.blocked
      ) {
        // Redis never times a subscriber or a monitor out (clientsCronHandleTimeout skips CLIENT_PUBSUB, CLIENT_SLAVE).
        client.end();
      }
    }
    if (idleMs <= 0 || this.idleCount === 0) return;
    const expired: number[] = [];
    this.forEachIdle((fd) => {
      if (now - this.idleSince[fd] > idleMs) expired.push(fd);
    });
    for (const fd of expired) this.promote(fd).end();
  }

  private sampleBuffers(now: number): void {
    let maxQuery = 0;
    let maxOutput = 0;
    let total = 0;
    for (const client of this.active.values()) {
      const query = client.queryBufferLength;
      const output = client.outputBufferLength;
      if (query > maxQuery) maxQuery = query;
      if (output > maxOutput) maxOutput = output;
      total += query + output;
    }
    this.options.onBuffersSampled(now, { maxQuery, maxOutput, total });
  }
}
