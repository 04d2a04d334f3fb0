// Reads an accepted socket into one buffer shared by every connection, bypassing the Readable stream: the
// `onread: { buffer, callback }` mode of net.Socket, which Node 20 offers to client sockets only. Profiled
// (bench/results/eventloop-perf.md): the default path mallocs a 64 KiB buffer per read, wraps it in a new
// Buffer and pushes it through Readable.push/emit('data'); this path does none of that.
// Knows nothing of sessions; relies on net.js internals, so it checks for them and reports false if absent.

import type net from 'node:net';

/** Called with the bytes of one read; they are valid only until it returns (the buffer is reused). */
export type ReadCallback = (this: net.Socket, length: number, buffer: Buffer) => void;

interface UserBufferHandle {
  useUserBuffer(buffer: Uint8Array): void;
}

/** The symbols net.Socket keeps its `onread` option under; found on the first socket seen. */
let symbols: { buffer: symbol; callback: symbol } | null | undefined;

function findSymbols(socket: net.Socket): { buffer: symbol; callback: symbol } | null {
  let buffer: symbol | undefined;
  let callback: symbol | undefined;
  for (const s of Object.getOwnPropertySymbols(socket)) {
    if (s.description === 'kBuffer') buffer = s;
    else if (s.description === 'kBufferCb') callback = s;
  }
  return buffer !== undefined && callback !== undefined ? { buffer, callback } : null;
}

/**
 * Switches a just-accepted socket (before any read was delivered) to reading into `buffer`, calling
 * `callback` with the socket as `this`. The socket then emits no 'data'; pause(), resume(), 'end' and
 * 'close' behave as before (net.js implements them for this mode). Returns false, changing nothing, when
 * this Node does not have the internals it relies on: the caller then listens to 'data'.
 */
export function readIntoSharedBuffer(socket: net.Socket, buffer: Buffer, callback: ReadCallback): boolean {
  const handle = (socket as unknown as { _handle?: Partial<UserBufferHandle> | null })._handle;
  if (handle == null || typeof handle.useUserBuffer !== 'function') return false;
  if (symbols === undefined) symbols = findSymbols(socket);
  if (symbols === null) return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  // net.js reads both on every read (stream_base_commons onStreamRead); the buffer also goes to the handle.
  if (fields[symbols.buffer] !== null || fields[symbols.callback] !== null) return false;
  fields[symbols.buffer] = buffer;
  fields[symbols.callback] = callback;
  handle.useUserBuffer(buffer);
  return true;
}
