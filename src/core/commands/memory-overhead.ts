// The figures of MEMORY STATS and MEMORY DOCTOR (object.c getMemoryOverheadData), from what this server has:
// used_memory (the store and the process's start-up baseline), its peak, the clients' buffers, the append-only
// file's unwritten bytes, each database's index, the store's arena as the allocator, and the process's RSS.
// What has no counterpart here is 0: replication (no replicas), cluster links, Lua and function caches (no
// scripting). A database's hashtable overhead is its entries' headers (key, value length, type, expiry: Redis's
// dictEntry and robj) and its bucket arrays; an expiry lives in its key's entry header, so the expires overhead
// is 0. Pure arithmetic over a context; no reply format here.

import type { ClientBuffers, CommandContext } from '../command.js';
import { residentSetSize } from '../info-fields.js';
import { ENTRY_HEADER_BYTES } from '../store/layout.js';

export interface DatabaseOverhead {
  readonly db: number;
  readonly main: number;
  readonly expires: number;
}

export interface MemoryOverhead {
  readonly peakAllocated: number;
  readonly totalAllocated: number;
  readonly startupAllocated: number;
  readonly clientsNormal: number;
  readonly clients: number;
  readonly aofBuffer: number;
  readonly databases: readonly DatabaseOverhead[];
  readonly overheadTotal: number;
  readonly totalKeys: number;
  readonly bytesPerKey: number;
  /** used_memory less every overhead above (Redis's dataset.bytes). */
  readonly dataset: number;
  /** The store's own bytes (used_memory_dataset): what MEMORY DOCTOR calls empty when small. */
  readonly storeBytes: number;
  readonly datasetPercentage: number;
  readonly peakPercentage: number;
  readonly allocatorAllocated: number;
  readonly allocatorActive: number;
  readonly allocatorResident: number;
  readonly processRss: number;
}

/** Redis computes its ratios and percentages in C floats: the reply shows a float's digits. */
export const asFloat = (x: number): number => Math.fround(x);

/** `buffers`: the clients' buffers when the caller has them already (INFO reads them once for two sections). */
export function memoryOverhead(
  ctx: Pick<CommandContext, 'store' | 'server'>,
  buffers: ClientBuffers = ctx.server.clientBuffers(),
): MemoryOverhead {
  const { store, server } = ctx;
  const stats = store.stats();
  const totalAllocated = stats.usedMemory + stats.processBaselineBytes;
  const startupAllocated = stats.processBaselineBytes;
  const clientsNormal = buffers.total;
  const aofBuffer = server.aof?.bufferedBytes ?? 0;
  const databases = store.keyspace().map((d) => ({
    db: d.db,
    main: d.keys * ENTRY_HEADER_BYTES + d.indexBytes,
    expires: 0,
  }));
  const overheadTotal =
    startupAllocated + clientsNormal + aofBuffer + databases.reduce((sum, d) => sum + d.main + d.expires, 0);
  const peakAllocated = store.memoryPeak();
  // Metrics after the start-up memory, as Redis's: at least 1 byte, so nothing divides by 0.
  const netUsage = totalAllocated > startupAllocated ? totalAllocated - startupAllocated : 1;
  const dataset = totalAllocated - overheadTotal;
  // The arena as the allocator: allocated is live, active every byte it ever handed out; a SharedArrayBuffer
  // page once written stays resident, so resident is active (INFO's allocator_* say the same).
  const allocatorActive = stats.arenaTouchedBytes + stats.controlBytes;
  return {
    peakAllocated,
    totalAllocated,
    startupAllocated,
    clientsNormal,
    clients: server.transportStats().connectedClients,
    aofBuffer,
    databases,
    overheadTotal,
    totalKeys: stats.keys,
    bytesPerKey: stats.keys > 0 ? Math.floor(netUsage / stats.keys) : 0,
    dataset,
    storeBytes: stats.usedMemory,
    datasetPercentage: asFloat((dataset * 100) / netUsage),
    peakPercentage: asFloat((totalAllocated * 100) / peakAllocated),
    allocatorAllocated: stats.usedMemory,
    allocatorActive,
    allocatorResident: allocatorActive,
    processRss: residentSetSize() ?? 0,
  };
}
