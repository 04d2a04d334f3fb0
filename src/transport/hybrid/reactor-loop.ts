// A hybrid loop thread's event loop (Redis's ae.c over epoll, level-triggered): one epoll set holding every
// client of this thread and an eventfd that other threads write to wake it. It blocks in epoll_wait, hands each
// ready client its events, calls onWake when woken, and sweeps idle and lingering clients about once a
// second. Knows clients through LoopClient and the reactor calls; nothing of messages, config or commands.

import type { LoopClient } from './loop-client.js';
import { check, EAGAIN, type NativeReactor } from './native-reactor.js';

export interface ReactorLoopOptions {
  readonly native: NativeReactor;
  readonly sweepIntervalMs: number;
  readonly closeGraceMs: number;
  /** Idle timeout in ms (CONFIG timeout), read at each sweep; 0: never. */
  idleTimeoutMs(): number;
  /** Another thread signalled the eventfd: drain its messages. */
  onWake(): void;
  /** A client's descriptor is closed. */
  onClosed(client: LoopClient): void;
}

/** Most ready descriptors taken per epoll_wait (the native side's batch). */
const BATCH = 256;

export class ReactorLoop {
  readonly wakeFd: number;
  private readonly epfd: number;
  private readonly clients = new Map<number, LoopClient>();
  private readonly ready = new Int32Array(2 * BATCH);
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
    return this.clients.size;
  }

  all(): IterableIterator<LoopClient> {
    return this.clients.values();
  }

  /** Starts serving a client (its descriptor non-blocking, owned by this loop from now on). */
  add(client: LoopClient): void {
    const { native } = this.options;
    this.clients.set(client.fd, client);
    client.events = native.epoll.IN | native.epoll.RDHUP;
    const result = native.epollCtl(this.epfd, native.epoll.CTL_ADD, client.fd, client.events);
    if (result < 0) client.destroy();
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
    if (this.clients.get(client.fd) !== client) return;
    this.clients.delete(client.fd);
    native.epollCtl(this.epfd, native.epoll.CTL_DEL, client.fd, 0);
    native.closeFd(client.fd);
    this.options.onClosed(client);
  }

  find(id: number): LoopClient | undefined {
    for (const client of this.clients.values()) if (client.id === id) return client;
    return undefined;
  }

  /**
   * Graceful stop: every client answers what it has already received, then ends (flush, FIN); the loop returns
   * once all are closed, or destroys the rest when graceMs is up.
   */
  stop(graceMs: number): void {
    this.stopDeadline = Date.now() + graceMs;
    for (const client of [...this.clients.values()]) {
      for (let reads = 0; reads < 64 && client.readable(); reads++);
      client.end();
    }
    this.done = true;
  }

  /** Runs until stop() has run and every client is closed (or the stop's grace is up). */
  run(): void {
    const { native } = this.options;
    this.nextSweep = Date.now() + this.options.sweepIntervalMs;
    for (;;) {
      if (this.done && (this.clients.size === 0 || Date.now() >= this.stopDeadline)) break;
      const timeout = Math.max(
        0,
        Math.min(this.nextSweep, this.done ? this.stopDeadline : Infinity) - Date.now(),
      );
      const count = native.epollWait(this.epfd, this.ready, timeout);
      for (let i = 0; i < count; i++) {
        const fd = this.ready[2 * i];
        if (fd === this.wakeFd) {
          if (native.eventfdDrain(fd) !== -EAGAIN) this.options.onWake();
          continue;
        }
        this.clients.get(fd)?.onEvents(this.ready[2 * i + 1]);
      }
      if (Date.now() >= this.nextSweep) this.sweep();
    }
    for (const client of [...this.clients.values()]) client.destroy();
    // The eventfd stays open: other threads may still signal it; the main thread closes it once we have exited.
    native.closeFd(this.epfd);
  }

  /** Redis's clientsCron: idle clients end, lingering ones past the grace are destroyed. */
  private sweep(): void {
    const now = Date.now();
    this.nextSweep = now + this.options.sweepIntervalMs;
    const idleMs = this.options.idleTimeoutMs();
    for (const client of [...this.clients.values()]) {
      if (client.lingeringSince !== 0) {
        if (now - client.lingeringSince >= this.options.closeGraceMs) client.destroy();
      } else if (idleMs > 0 && now - client.lastInteraction > idleMs) {
        client.end();
      }
    }
  }
}
