// One client's whole session on a worker thread, with real blocking I/O: read(2) on the descriptor until the
// client leaves, feed the session, write(2) every reply before reading again. Runs on a worker only (it blocks
// its thread by design). Knows the Session's receive() contract and errno codes; nothing of the pool.

import { readSync, writeSync } from 'node:fs';
import type { NetTraffic } from '../../core/command.js';
import type { Session } from '../../core/session.js';

/** Large enough that a pipelined burst is one read. */
export const READ_BUFFER_BYTES = 64 * 1024;

/** The client went away or was shut down: the session ends, the worker lives on. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ENOTCONN', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH']);

/**
 * Why serveClient returned: the client left or was closed (by a command, or past client-query-buffer-limit),
 * or ('subscribed') it must be served in reactor mode.
 */
export type EndReason =
  'eof' | 'closed-by-server' | 'query-buffer-limit' | 'reset' | 'unexpected-nonblocking' | 'subscribed';

export interface ClientLoopHooks {
  /** After each read that returned bytes, before the session runs them (apply relayed config, mark activity). */
  beforeBatch(): void;
  /**
   * After the batch ran, before its replies are written (publish the client's record): whoever acts on those
   * replies and lists this client (CLIENT LIST from another worker) sees it as it now is.
   */
  afterBatch(): void;
  /**
   * Whether the client, now subscribed, must leave this loop: blocked in read(2) its worker could not be handed
   * the messages other threads publish (subscriber-loop.ts serves it from then on). Absent: it stays here.
   */
  leaveWhenSubscribed?(): boolean;
  /** client-query-buffer-limit, read live: an unfinished request past it ends the client; 0: no limit. */
  queryBufferLimit?(): number;
  /**
   * The client is blocked (BLPOP and kin): wait, without reading, until it is unblocked (null: its reply is
   * waiting in the session) or gone (why). Absent: a blocked client is never woken, so the worker must have it.
   */
  whileBlocked?(): EndReason | null;
  /** Where reads and writes are counted (INFO stats); absent: not counted. */
  readonly traffic?: NetTraffic;
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}

/** Returns bytes read, 0 at end of input, or an end reason for a socket error. Other errors are bugs: thrown. */
function readSome(fd: number, buffer: Buffer): number | EndReason {
  try {
    return readSync(fd, buffer, 0, buffer.length, null);
  } catch (e) {
    const code = errorCode(e);
    if (code !== undefined && CLIENT_GONE.has(code)) return 'reset';
    // The descriptor must be blocking; if it is not, end the client rather than spin on it.
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 'unexpected-nonblocking';
    throw e;
  }
}

/** Writes all of `bytes` (write(2) may take part); an EndReason if the client is gone. */
function writeAll(fd: number, bytes: Buffer): EndReason | null {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (e) {
      const code = errorCode(e);
      if (code !== undefined && CLIENT_GONE.has(code)) return 'reset';
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 'unexpected-nonblocking';
      throw e;
    }
  }
  return null;
}

/**
 * Serves the client on `fd` until it leaves. The descriptor stays open: the caller closes it.
 * `buffer` is the worker's one read buffer, reused: Session.receive copies whatever it keeps, and commands
 * copy what they store.
 */
export function serveClient(fd: number, session: Session, buffer: Buffer, hooks: ClientLoopHooks): EndReason {
  for (;;) {
    const read = readSome(fd, buffer);
    if (typeof read === 'string') return read;
    hooks.traffic?.bytesRead(read);
    if (read === 0) return 'eof';
    hooks.beforeBatch();
    let output = session.receive(buffer, read);
    for (;;) {
      hooks.afterBatch();
      if (output.bytes !== null) {
        const failed = writeAll(fd, output.bytes);
        if (failed !== null) return failed;
        hooks.traffic?.bytesWritten(output.bytes.length);
      }
      if (output.close) return 'closed-by-server';
      const limit = hooks.queryBufferLimit?.() ?? 0;
      if (limit > 0 && session.queryBufferLength > limit) return 'query-buffer-limit';
      if (!session.blocked || hooks.whileBlocked === undefined) break;
      // Replies before the blocking command are written (above); the requests after it wait in the session.
      const ended = hooks.whileBlocked();
      if (ended !== null) return ended;
      hooks.beforeBatch();
      output = session.resume(); // its reply, then what it sent while blocked
    }
    // A monitor too receives lines from other threads between its requests, and a tracking client invalidations.
    if (
      (session.subscribed || session.monitoring || session.tracking) &&
      hooks.leaveWhenSubscribed?.() === true
    )
      return 'subscribed';
  }
}

/**
 * Lingering close, after our FIN (shutdown(fd, 'write')): reads and discards until the client closes too or
 * the descriptor is shut down (the pool's sweep does so after its close grace). Closing with unread input
 * would make the kernel send RST, and the client would lose replies it has not read yet.
 */
export function drainUntilClosed(fd: number, buffer: Buffer): void {
  for (;;) {
    const read = readSome(fd, buffer);
    if (typeof read === 'string' || read === 0) return;
  }
}
