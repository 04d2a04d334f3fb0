// The layout of the pool's shared memory, in one place, imported by the main thread and every worker (as
// pino's thread-stream keeps its Int32Array indexes): pool-wide counters, then one slot per worker holding the
// descriptor it serves, guarded by a lock, and a seqlock-protected record of its client for CLIENT LIST.
// Only constants and index arithmetic live here: no threads, no I/O.

/**
 * Int32 header: pool-wide counters. Written by the main thread only (but MEMORY_TRIMS and BUFFERS_RELEASED,
 * which workers add to); read anywhere with Atomics.load.
 */
export const WORKERS = 0; // workers started and ready (live)
export const BUSY = 1; // workers serving a client
export const QUEUED = 2; // accepted clients waiting for a worker
export const TOTAL_CONNECTIONS = 3; // accepted connections since start (INFO total_connections_received)
export const REJECTED = 4; // refused for maxclients (INFO rejected_connections)
export const TCP_PORT = 5; // the bound port, set before the first client is accepted
export const MEMORY_TRIMS = 6; // malloc_trim calls by workers after outsized clients (memory-give-back.ts)
export const BUFFERS_RELEASED = 7; // large query buffers workers freed at once instead of leaving them to GC
export const WORKERS_STARTED = 8; // worker threads spawned since start (on demand: grows with clients)
export const HEADER_INT32 = 12;

/** Int32 fields of one worker slot, at slotBase(slot) + field. */
export const SLOT_LOCK = 0; // 0 free, 1 held: guards SLOT_FD and SLOT_CLIENT while one thread acts on them
export const SLOT_FD = 1; // descriptor of the client being served, -1 when none
export const SLOT_CLIENT = 2; // that client's id, 0 when none (ids fit in an int32: 2^31 connections)
export const SLOT_SEQ = 3; // seqlock over the record: odd while the worker rewrites it
export const SLOT_RECORD_LENGTH = 4; // bytes of the record in use
export const SLOT_CLOSING = 5; // 1 while the worker drains a client it closed (since SLOT_LAST_INTERACTION)
export const SLOT_ANSWERED = 6; // the last of this worker's questions the main thread answered (queued-query.ts)
export const SLOT_INT32 = 8;

/** Float64 fields of one slot (plain stores: a torn read only skews an idle time in INFO). */
export const SLOT_CREATED_AT = 0; // ms epoch: when the client connected
export const SLOT_LAST_INTERACTION = 1; // ms epoch: the last time the worker read from it
export const SLOT_FLOAT64 = 2;

/** Bytes of one slot's client record (UTF-8 JSON: addr, laddr, name, cmd, qbuf; a long name is cut). */
export const RECORD_BYTES = 512;

export const NO_FD = -1;

export function slotBase(slot: number): number {
  return HEADER_INT32 + slot * SLOT_INT32;
}

export function slotFloatBase(slot: number): number {
  return slot * SLOT_FLOAT64;
}

export interface Regions {
  readonly int32Bytes: number;
  readonly float64Offset: number;
  readonly recordsOffset: number;
  readonly totalBytes: number;
}

/** Byte offsets of the three regions for a pool of `slots` workers (Float64 region 8-byte aligned). */
export function regions(slots: number): Regions {
  const int32Bytes = (HEADER_INT32 + slots * SLOT_INT32) * 4;
  const float64Offset = Math.ceil(int32Bytes / 8) * 8;
  const recordsOffset = float64Offset + slots * SLOT_FLOAT64 * 8;
  return { int32Bytes, float64Offset, recordsOffset, totalBytes: recordsOffset + slots * RECORD_BYTES };
}
