// Writes a reply to an event-loop socket synchronously when the kernel takes it at once (nearly always): one
// write(2) on the socket's descriptor, which is what libuv's uv_try_write does under socket.write(), without
// the Writable stream's bookkeeping, its WriteWrap and the nextTick it schedules after every write.
// Only when the stream has nothing queued, so bytes never overtake earlier ones; anything left over goes
// through socket.write as before. Knows nothing of sessions; relies on `socket._handle.fd` (checked).

import { writeSync } from 'node:fs';
import type net from 'node:net';
import { constants } from 'node:os';
import { errnoName } from '../errno-name.js';
import type { SocketSend } from './socket-send.js';

const EAGAIN = constants.errno.EAGAIN;
const EWOULDBLOCK = constants.errno.EWOULDBLOCK;

/** The client is gone: the errno code of the failed write (EPIPE, ECONNRESET, ...). */
export interface WriteFailed {
  readonly code: string;
}

/**
 * The socket's descriptor, or -1 where there is none to write to: a handle that exposes no fd (not Unix, a
 * scripted test socket) or a destroyed socket, whose descriptor number may already belong to another client.
 */
export function descriptorOf(socket: net.Socket): number {
  if (socket.destroyed) return -1;
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/**
 * Writes as much of `bytes` as the kernel takes now, if nothing is queued in the socket's stream. Returns
 * how many bytes were written (0: none; write them through the stream) or WriteFailed if the client is gone.
 * `send`: the native helper's send (socket-send.ts); null: fs.writeSync.
 */
export function writeNow(
  socket: net.Socket,
  bytes: Uint8Array,
  send: SocketSend | null = null,
): number | WriteFailed {
  // Corked: the stream holds back what was written, so nothing may be written past it.
  if (socket.writableLength !== 0 || socket.writableCorked !== 0 || !socket.writable) return 0;
  const fd = descriptorOf(socket);
  if (fd < 0) return 0;
  if (send !== null) {
    const written = send(fd, bytes, 0, bytes.length);
    if (written >= 0) return written;
    return written === -EAGAIN || written === -EWOULDBLOCK ? 0 : { code: errnoName(-written) };
  }
  try {
    return writeSync(fd, bytes);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 0;
    if (typeof code === 'string') return { code };
    throw e;
  }
}
