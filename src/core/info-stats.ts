// INFO persistence and INFO stats, in Redis 7.0's field order (server.c genRedisInfoString), from the counters
// every thread shares (shared-counters.ts: commands, traffic, rates, the active expiry's figures), the
// transport's connection counts, the store and the persistence state. What this server has no counterpart for
// reads as Redis reads with the feature idle: no replication (sync_*, repl traffic), no MIGRATE cache, no active
// defragmentation, no I/O threads, no client eviction; reply buffers are
// not resized (reply_buffer_*), and RESTORE payloads are not deep-sanitized (dump_payload_sanitizations).

import { formatFixed } from './format-double.js';
import { setting, type Fields, type InfoSource } from './info-fields.js';
import { CHANNEL, PATTERN, SHARD } from './pubsub/hub.js';

export function persistenceFields({ server }: InfoSource): Fields {
  // loading:1 while the dataset loads at start-up (the server accepts clients then), and its progress at the end.
  return [
    ['loading', server.persistence?.loading() === true ? 1 : 0],
    ['async_loading', 0],
    ...(server.persistence?.infoFields() ?? [
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', '0.00'],
      ['current_save_keys_processed', 0],
      ['current_save_keys_total', 0],
      ['rdb_changes_since_last_save', 0],
      ['rdb_bgsave_in_progress', 0],
      ['rdb_last_save_time', Math.floor(server.startedAt / 1000)],
      ['rdb_last_bgsave_status', 'ok'],
      ['rdb_last_bgsave_time_sec', -1],
      ['rdb_current_bgsave_time_sec', -1],
      ['rdb_saves', 0],
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', 0],
      ['rdb_last_load_keys_loaded', 0],
    ]),
    // The append-only file's state and its rewrites, shared by every thread (aof/aof-state.ts).
    ...(server.aof?.infoFields() ?? [
      ['aof_enabled', setting(server, 'appendonly') === 'yes' ? 1 : 0],
      ['aof_rewrite_in_progress', 0],
      ['aof_rewrite_scheduled', 0],
      ['aof_last_rewrite_time_sec', -1],
      ['aof_current_rewrite_time_sec', -1],
      ['aof_last_bgrewrite_status', 'ok'],
      ['aof_rewrites', 0],
      ['aof_rewrites_consecutive_failures', 0],
      ['aof_last_write_status', 'ok'],
      ['aof_last_cow_size', 0],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
    ]),
    ...(server.persistence?.loadingInfoFields() ?? []),
  ];
}

/** "%.2f" of a rate in bytes per second as KiB per second: (float)bytes / 1024. */
const kbps = (bytesPerSecond: number): string => formatFixed(Math.fround(bytesPerSecond / 1024), 2);

export function statsFields({ server, store }: InfoSource): Fields {
  const t = server.transportStats();
  const counters = server.counters;
  const base = counters?.baseline() ?? {
    connections: 0,
    rejectedConnections: 0,
    expiredKeys: 0,
    evictedKeys: 0,
  };
  const traffic = counters?.traffic() ?? { inputBytes: 0, outputBytes: 0, reads: 0, writes: 0 };
  const rates = counters?.instantaneousRates() ?? { opsPerSec: 0, inputBytesPerSec: 0, outputBytesPerSec: 0 };
  const expiry = counters?.expireCycleStats() ?? { staleShare: 0, capReachedCount: 0, milliseconds: 0 };
  const exceeded = counters?.evictionExceeded() ?? { total: 0, current: 0 };
  const storeStats = store.stats();
  return [
    ['total_connections_received', Math.max(0, t.totalConnections - base.connections)],
    ['total_commands_processed', counters?.commandsProcessed() ?? 0],
    ['instantaneous_ops_per_sec', rates.opsPerSec],
    ['total_net_input_bytes', traffic.inputBytes],
    ['total_net_output_bytes', traffic.outputBytes],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', kbps(rates.inputBytesPerSec)],
    ['instantaneous_output_kbps', kbps(rates.outputBytesPerSec)],
    ['instantaneous_input_repl_kbps', kbps(0)],
    ['instantaneous_output_repl_kbps', kbps(0)],
    ['rejected_connections', Math.max(0, t.rejectedConnections - base.rejectedConnections)],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', Math.max(0, storeStats.expiredKeys - base.expiredKeys)],
    // activeExpireCycle's running estimate of expired keys among those with a TTL, as a percentage.
    ['expired_stale_perc', formatFixed(expiry.staleShare * 100, 2)],
    ['expired_time_cap_reached_count', expiry.capReachedCount],
    ['expire_cycle_cpu_milliseconds', Math.floor(expiry.milliseconds)],
    ['evicted_keys', Math.max(0, storeStats.evictedKeys - base.evictedKeys)],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', Math.floor(exceeded.total)],
    ['current_eviction_exceeded_time', Math.floor(exceeded.current)],
    ['keyspace_hits', counters?.keyspaceHits() ?? 0],
    ['keyspace_misses', counters?.keyspaceMisses() ?? 0],
    // Names with subscribers on any thread (the shared registry's counts, as Redis's dict sizes).
    ['pubsub_channels', server.pubsub?.count(CHANNEL) ?? 0],
    ['pubsub_patterns', server.pubsub?.count(PATTERN) ?? 0],
    ['pubsubshard_channels', server.pubsub?.count(SHARD) ?? 0],
    // Redis's fork time and count; here the pause of the snapshot copy a save or a rewrite makes (snapshot.ts).
    ['latest_fork_usec', server.persistence?.latestPauseMicros() ?? 0],
    ['total_forks', server.persistence?.totalForks() ?? 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', server.tracking?.totalKeys ?? 0],
    ['tracking_total_items', server.tracking?.totalItems ?? 0],
    ['tracking_total_prefixes', server.tracking?.totalPrefixes ?? 0],
    // Error replies sent to a master or a replica: there is no replication here.
    ['unexpected_error_replies', 0],
    ['total_error_replies', counters?.totalErrorReplies() ?? 0],
    ['dump_payload_sanitizations', 0],
    // Every read and write call the transports made on clients' sockets (all threads; none is an I/O thread).
    ['total_reads_processed', traffic.reads],
    ['total_writes_processed', traffic.writes],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ];
}
