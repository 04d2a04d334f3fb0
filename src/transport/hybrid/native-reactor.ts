// The reactor calls of the native helper (native/reactor.c), as the hybrid transport's loops use them: epoll,
// an eventfd to wake a loop from another thread, non-blocking read/write returning -errno (-EAGAIN: not now)
// instead of throwing, and listen/accept without a JS object per connection. Linux only: elsewhere the addon lacks them and asReactor says so.
// Knows the addon's shape; nothing of clients or sessions.

import { constants } from 'node:os';
import { errnoName } from '../errno-name.js';
import type { NativeFdUtil } from '../threadpool/native-addon.js';

export interface EpollConstants {
  readonly IN: number;
  readonly OUT: number;
  readonly ERR: number;
  readonly HUP: number;
  readonly RDHUP: number;
  readonly CTL_ADD: number;
  readonly CTL_DEL: number;
  readonly CTL_MOD: number;
}

/** Every call returns -errno on failure rather than throwing (bad arguments still throw TypeErrors). */
export interface NativeReactor {
  epollCreate(): number;
  epollCtl(epfd: number, op: number, fd: number, events: number): number;
  /** Fills out with [fd, events] pairs; blocks up to timeoutMs (-1: forever). 0 on timeout or EINTR. */
  epollWait(epfd: number, out: Int32Array, timeoutMs: number): number;
  eventfdCreate(): number;
  eventfdSignal(fd: number): number;
  eventfdDrain(fd: number): number;
  readInto(fd: number, bytes: Uint8Array, offset: number, length: number): number;
  writeFrom(fd: number, bytes: Uint8Array, offset: number, length: number): number;
  closeFd(fd: number): number;
  /** A non-blocking listening socket on a numeric IPv4/IPv6 address (SO_REUSEADDR), or -errno. */
  listenTcp(ip: string, port: number, backlog: number): number;
  boundPort(fd: number): number;
  /** A non-blocking client socket with TCP_NODELAY and keepalive, or -errno (-EAGAIN: nobody waiting). */
  acceptClient(listenFd: number): number;
  /** "ip:port" of the peer / of our end; null once the socket has none (the peer is gone). */
  peerName(fd: number): string | null;
  sockName(fd: number): string | null;
  readonly epoll: EpollConstants;
}

export const EAGAIN = constants.errno.EAGAIN;

/** The addon's reactor half, or an Error saying why the hybrid transport cannot run here. */
export function asReactor(addon: NativeFdUtil): NativeReactor | Error {
  const candidate = addon as Partial<NativeReactor>;
  if (typeof candidate.acceptClient !== 'function' || typeof candidate.epoll !== 'object') {
    return new Error(
      process.platform === 'linux'
        ? 'the native helper was built without its reactor (native/reactor.c): rebuild it with `npm rebuild`'
        : `the hybrid transport needs epoll and eventfd, which only Linux has (this is ${process.platform})`,
    );
  }
  return addon as unknown as NativeReactor;
}

/** Throws a Node-style error for a -errno result (for calls whose failure is not part of normal flow). */
export function check(result: number, syscall: string): number {
  if (result >= 0) return result;
  const code = errnoName(-result);
  const error = new Error(`${syscall} failed: ${code}`) as NodeJS.ErrnoException;
  error.code = code;
  error.errno = result;
  error.syscall = syscall;
  throw error;
}
