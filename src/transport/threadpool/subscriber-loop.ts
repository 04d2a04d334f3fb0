// A subscribed client's session on a pool worker. Blocked in read(2) on its client, a worker could not be handed
// the messages other threads publish; from its client's first subscription on, it waits instead in epoll_wait
// on the client and on the worker's eventfd (the native reactor the hybrid transport uses), which a publisher on
// another thread writes after leaving messages in this worker's mailbox. The descriptor becomes non-blocking:
// replies and messages the kernel does not take wait here, with reading stopped, and the client is cut at its
// output limit, so a subscriber that does not read never blocks its worker, nor a publisher, nor grows without
// bound. Knows the Session contract and the reactor calls; nothing of the pool, the hub or commands.

import type { Session } from '../../core/session.js';
import { EAGAIN, type NativeReactor } from '../hybrid/native-reactor.js';
import { PendingOutput } from '../pending-output.js';
import type { ClientLoopHooks, EndReason } from './client-loop.js';
import type { NativeFdUtil } from './native-addon.js';

/** How often the loop wakes when nothing happens (to keep a subscriber from counting as idle, and relayed config). */
const TICK_MS = 1000;

export interface SubscriberLoopContext {
  readonly native: NativeReactor;
  readonly fdutil: NativeFdUtil;
  /** The worker's eventfd, written by publishers on other threads. */
  readonly wakeFd: number;
  /** The worker's read buffer. */
  readonly buffer: Buffer;
  readonly hooks: ClientLoopHooks;
  /** The eventfd fired, or a tick passed: deliver what other threads left (the hub), apply relayed config. */
  onWake(): void;
  /**
   * Milliseconds until the thread's next timer (a blocked command's timeout, a CLIENT PAUSE's end), Infinity for
   * none: the loop's wait never outlasts it. Absent: the tick alone.
   */
  nextTimerMs?(): number;
  /** Redis never times a subscriber out: called about once a second while the client is subscribed. */
  keepAlive(): void;
  /** The output limit now (0: none): the pub/sub one while subscribed, the normal one after. */
  outputLimit(subscribed: boolean): number;
  warn(fields: Record<string, unknown>, msg: string): void;
}

/** Serves the subscribed client on `fd` until it leaves or is cut. The descriptor is left open and blocking. */
export function serveSubscribed(fd: number, session: Session, ctx: SubscriberLoopContext): EndReason {
  const { native } = ctx;
  const epoll = native.epoll;
  const epfd = native.epollCreate();
  if (epfd < 0) return 'reset';
  const pending = new PendingOutput();
  const ready = new Int32Array(2 * 4);
  let watching = epoll.IN | epoll.RDHUP;
  const watch = (events: number): void => {
    if (events === watching) return;
    watching = events;
    native.epollCtl(epfd, epoll.CTL_MOD, fd, events);
  };
  /** Writes now what the kernel takes, keeps the rest (reading stops until it drains); false: the client is gone. */
  const send = (bytes: Uint8Array): boolean => {
    if (!pending.empty) {
      pending.add(bytes);
      ctx.hooks.traffic?.bytesWritten(bytes.length);
      return true;
    }
    const written = native.writeFrom(fd, bytes, 0, bytes.length);
    if (written < 0 && written !== -EAGAIN) return false;
    ctx.hooks.traffic?.bytesWritten(bytes.length); // what the kernel did not take now is written on EPOLLOUT
    if (written === bytes.length) return true;
    pending.add(bytes.subarray(Math.max(0, written)));
    watch(epoll.OUT | epoll.RDHUP);
    return true;
  };
  try {
    ctx.fdutil.setBlocking(fd, false);
    if (
      native.epollCtl(epfd, epoll.CTL_ADD, fd, watching) < 0 ||
      native.epollCtl(epfd, epoll.CTL_ADD, ctx.wakeFd, epoll.IN) < 0
    ) {
      return 'reset';
    }
    for (;;) {
      const timer = ctx.nextTimerMs?.() ?? Infinity;
      const count = native.epollWait(epfd, ready, Math.max(0, Math.min(TICK_MS, Math.ceil(timer))));
      if (count < 0) return 'reset';
      if (session.subscribed || session.monitoring) ctx.keepAlive();
      // A tick or a timer: relayed config, timeouts, and any message a lost wake-up left behind.
      if (count === 0) ctx.onWake();
      for (let i = 0; i < count; i++) {
        const events = ready[2 * i + 1];
        if (ready[2 * i] === ctx.wakeFd) {
          native.eventfdDrain(ctx.wakeFd);
          ctx.onWake();
          continue;
        }
        if ((events & epoll.OUT) !== 0) {
          if (!pending.flush(native, fd)) return 'reset';
          if (pending.empty) watch(epoll.IN | epoll.RDHUP);
        }
        if ((events & (epoll.IN | epoll.HUP | epoll.RDHUP | epoll.ERR)) === 0) continue;
        const read = native.readInto(fd, ctx.buffer, 0, ctx.buffer.length);
        if (read === -EAGAIN) continue;
        if (read >= 0) ctx.hooks.traffic?.bytesRead(read);
        if (read === 0) return 'eof';
        if (read < 0) return 'reset';
        ctx.hooks.beforeBatch();
        const output = session.receive(ctx.buffer, read);
        ctx.hooks.afterBatch();
        if (output.bytes !== null && !send(output.bytes)) return 'reset';
        if (output.close) {
          try {
            ctx.fdutil.setBlocking(fd, true);
            pending.drainBlocking(fd);
          } catch {
            return 'reset';
          }
          return 'closed-by-server';
        }
      }
      if (session.mustClose) return 'closed-by-server';
      // Messages delivered since (drained mail): after this round's replies, in order.
      const pushed = session.takePushed();
      if (pushed !== null && !send(pushed)) return 'reset';
      // A blocking command's reply came among them: the requests sent while it was blocked run now.
      if (session.needsResume) {
        const resumed = session.resume();
        if (resumed.bytes !== null && !send(resumed.bytes)) return 'reset';
      }
      const limit = ctx.outputLimit(session.subscribed);
      if (session.lostPushes || (limit > 0 && pending.bytes > limit)) {
        ctx.warn(
          { client: session.client.id, addr: session.client.addr, outputBuffer: pending.bytes, limit },
          'client output buffer limit reached: closing the client',
        );
        return 'reset';
      }
    }
  } finally {
    native.epollCtl(epfd, epoll.CTL_DEL, fd, 0);
    native.closeFd(epfd);
    try {
      ctx.fdutil.setBlocking(fd, true); // for the lingering close that may follow
    } catch {
      // The client is gone: the descriptor is closed next anyway.
    }
  }
}
