// The policy every transport follows where a connection begins and ends on the main thread, in one place so
// the three cannot drift (Redis's networking.c acceptCommonHandler and its lingering close): turning a client
// away at maxclients, ending a socket without losing what is queued for it, and logging accept failures
// (EMFILE and friends) without flooding the log. Knows net.Socket and a logger; nothing of sessions or threads.

import type net from 'node:net';
import type { Logger } from 'pino';
import { ERR } from '../core/errors.js';

/**
 * Ends a socket without losing what is queued for it: `end()` flushes pending writes then sends FIN; reading
 * goes on (and is discarded) so that unread input in the kernel never makes close(2) send a reset, which
 * would throw away replies still in flight to the client. Destroyed after `graceMs` if the peer never closes
 * or never reads.
 */
export function lingeringEnd(socket: net.Socket, graceMs: number, lastWords?: string): void {
  if (lastWords === undefined) socket.end();
  else socket.end(lastWords);
  socket.on('data', discard);
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), graceMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

function discard(): void {}

function ignore(): void {}

/**
 * As Redis's acceptCommonHandler past maxclients: the error goes out raw, whatever protocol the client speaks,
 * then a lingering end (its request, if any, is drained so the close sends no RST).
 */
export function turnAway(socket: net.Socket, graceMs: number): void {
  socket.on('error', ignore); // a reset while being turned away concerns nobody
  lingeringEnd(socket, graceMs, `-${ERR.maxClients}\r\n`);
}

/** How long a closing client may take to flush and hear the peer's FIN before it is destroyed (ms). */
export const DEFAULT_CLOSE_GRACE_MS = 2000;
/** How often idle clients (the `timeout` setting) and lingering closes are looked for (ms): Redis's clientsCron. */
export const DEFAULT_IDLE_CHECK_INTERVAL_MS = 1000;

/** Accept failures are logged at most this often: out of descriptors, every connection attempt fails. */
export const ACCEPT_ERROR_LOG_INTERVAL_MS = 10_000;

/** One warning per interval for accept failures, with how many were not logged since the last one. */
export class AcceptErrorLog {
  private lastLoggedAt = -Infinity;
  private suppressed = 0;

  constructor(private readonly logger: Logger) {}

  report(error: NodeJS.ErrnoException, fields: Record<string, unknown> = {}): void {
    const now = Date.now();
    if (now - this.lastLoggedAt < ACCEPT_ERROR_LOG_INTERVAL_MS) {
      this.suppressed++;
      return;
    }
    const outOfDescriptors = error.code === 'EMFILE' || error.code === 'ENFILE';
    this.logger.warn(
      { code: error.code, err: error.message, suppressed: this.suppressed, ...fields },
      outOfDescriptors
        ? 'out of file descriptors: new connections are dropped (lower maxclients or raise ulimit -n)'
        : 'error accepting a client connection',
    );
    this.lastLoggedAt = now;
    this.suppressed = 0;
  }
}
