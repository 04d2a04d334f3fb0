// The event loop's write(2) of a reply, made through the native helper where it is built: its writeFrom is one
// send(2) (MSG_NOSIGNAL | MSG_DONTWAIT) behind one N-API call. fs.writeSync makes the same system call through
// libuv's file-system request path (JS argument validation, a request object, a trace-category check), which
// cost about 0.6 us more per call on Node 20 (bench/results/eventloop-write.md): one call per read of a
// pipelined batch, and one per request at -P 1. Without the helper (no C toolchain at install), fs.writeSync.

import { loadNative } from '../threadpool/native.js';

/** bytes[offset, offset + length) sent on socket descriptor fd: the bytes taken, or -errno. */
export type SocketSend = (fd: number, bytes: Uint8Array, offset: number, length: number) => number;

/** The native helper's send, or null where the helper is not built (or predates writeFrom). */
export function nativeSocketSend(): SocketSend | null {
  const addon = loadNative();
  if (addon instanceof Error) return null;
  const writeFrom = (addon as { writeFrom?: unknown }).writeFrom;
  return typeof writeFrom === 'function' ? (writeFrom as SocketSend) : null;
}
