// INFO memory, in Redis 7.0's field order (server.c genRedisInfoString), from this server's figures: used_memory
// is the store's bytes and the process's start-up heap; the allocator is the store's arena (allocated: its live
// bytes, active and resident: every byte its bump pointer handed out, which a SharedArrayBuffer keeps resident);
// the overhead, the dataset's share and the clients' buffers are MEMORY STATS's (commands/memory-overhead.ts).
// What this server has no counterpart for reads as Redis reads with the feature idle:
// no replication backlog or replicas, no cluster links, no defragmentation, nothing freed lazily (every
// delete frees at once). redis-lite's own figures follow Redis's fields.

import os from 'node:os';
import { memoryOverhead } from './commands/memory-overhead.js';
import {
  bytesToHuman,
  floatFixed2,
  ratio,
  residentSetSize,
  setting,
  type Fields,
  type SectionSource,
} from './info-fields.js';
import type { StoreStats } from './store/types.js';
import type { Scripting } from './scripting/scripting.js';
import type { Functions } from './functions/functions.js';

/** INFO mem_allocator: the store's own arena in a SharedArrayBuffer, the rest V8's heap (not jemalloc). */
export const MEM_ALLOCATOR = 'redis-lite-arena';

export function memoryFields(source: SectionSource): Fields {
  const { server, store } = source;
  // INFO samples the peak too, as genRedisInfoString does before it prints it.
  store.recordMemoryPeak();
  const overhead = memoryOverhead(source, source.clientBuffers());
  const stats = store.stats();
  const used = stats.usedMemory + stats.processBaselineBytes;
  const peak = Math.max(store.memoryPeak(), used);
  const rss = residentSetSize() ?? 0;
  const maxmemory = Number(setting(server, 'maxmemory'));
  const active = stats.arenaTouchedBytes + stats.controlBytes;
  const resident = active; // written pages of a SharedArrayBuffer stay resident
  const totalSystem = os.totalmem();
  const t = server.transportStats();
  const fields: Fields = [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', `${floatFixed2(overhead.peakPercentage)}%`],
    ['used_memory_overhead', overhead.overheadTotal],
    // What the process held before any key (its JavaScript heap at start-up): not counted against maxmemory,
    // which caps used_memory_dataset, the store itself (Redis's startup figure is ~1 MB, ours a heap).
    ['used_memory_startup', stats.processBaselineBytes],
    ['used_memory_dataset', stats.usedMemory],
    ['used_memory_dataset_perc', `${floatFixed2(overhead.datasetPercentage)}%`],
    ['allocator_allocated', stats.usedMemory],
    ['allocator_active', active],
    ['allocator_resident', resident],
    ['total_system_memory', totalSystem],
    ['total_system_memory_human', bytesToHuman(totalSystem)],
    ...scriptingFields(server.scripting, server.functions),
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', store.evictionPolicy()],
    ...fragmentationFields(stats, active, resident, rss, used),
    // Outside the store: not counted against maxmemory, which caps the store's bytes only.
    ['mem_not_counted_for_evict', stats.processBaselineBytes],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', overhead.clientsNormal],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', overhead.aofBuffer],
    ['mem_allocator', MEM_ALLOCATOR],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
    // redis-lite's own: the arena's reserved size and its free blocks, on the segments' lists and the shared ones.
    ['used_memory_reserved', stats.reservedMemory],
    ['arena_free_segments', stats.arenaFreeSegmentBytes],
    ['arena_free_shared', stats.arenaFreeSharedBytes],
  ];
  if (t.buffersReleased !== undefined) fields.push(['pool_buffers_released', t.buffersReleased]);
  if (t.memoryTrims !== undefined) fields.push(['pool_memory_trims', t.memoryTrims]);
  return fields;
}

/**
 * EVAL's and Functions' figures: this thread's interpreters (each thread has its own; Redis has one of each), the
 * scripts every thread shares (their bodies and SHA1s, as Redis counts lua_scripts_mem) and the libraries (their
 * codes and names: functions.c's cache_memory without the allocator's struct sizes).
 */
function scriptingFields(scripting: Scripting | undefined, functions: Functions | undefined): Fields {
  const evalVm = scripting?.usedMemory ?? 0;
  const functionsVm = functions?.usedMemory ?? 0;
  const vm = evalVm + functionsVm;
  const scriptsEval = scripting?.cache.bytes ?? 0;
  const counts = functions?.counts() ?? { libraries: 0, functions: 0 };
  const functionsBytes = functions?.cacheBytes() ?? 0;
  const scripts = scriptsEval + functionsBytes;
  return [
    ['used_memory_lua', evalVm],
    ['used_memory_vm_eval', evalVm],
    ['used_memory_lua_human', bytesToHuman(evalVm)],
    ['used_memory_scripts_eval', scriptsEval],
    ['number_of_cached_scripts', scripting?.cache.size ?? 0],
    ['number_of_functions', counts.functions],
    ['number_of_libraries', counts.libraries],
    ['used_memory_vm_functions', functionsVm],
    ['used_memory_vm_total', vm],
    ['used_memory_vm_total_human', bytesToHuman(vm)],
    ['used_memory_functions', functionsBytes],
    ['used_memory_scripts', scripts],
    ['used_memory_scripts_human', bytesToHuman(scripts)],
  ];
}

/**
 * The allocator's fragmentation (freed blocks waiting for reuse: active against allocated), its RSS overhead
 * (resident against active: none here), the process's beyond the allocator (the V8 heap, buffers, code), and
 * RSS against used_memory, each a ratio and a difference as Redis prints them.
 */
function fragmentationFields(
  stats: StoreStats,
  active: number,
  resident: number,
  rss: number,
  used: number,
): Fields {
  return [
    ['allocator_frag_ratio', ratio(active, stats.usedMemory)],
    ['allocator_frag_bytes', active - stats.usedMemory],
    ['allocator_rss_ratio', ratio(resident, active)],
    ['allocator_rss_bytes', resident - active],
    ['rss_overhead_ratio', ratio(rss, resident)],
    ['rss_overhead_bytes', rss - resident],
    ['mem_fragmentation_ratio', ratio(rss, used)],
    ['mem_fragmentation_bytes', rss - used],
  ];
}
