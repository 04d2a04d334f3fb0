// INFO's text (redis.io/commands/info): sections in Redis's fixed order, each "# Name\r\n" then "field:value\r\n"
// lines, sections separated by a blank line, field names as Redis 7's server.c genRedisInfoString writes them,
// and which sections INFO's arguments select (server.c genInfoSectionDict).
// Gathers figures from the server context, the transport's stats and the store; computes nothing itself.
// Reading process figures can fail (EMFILE makes /proc unreadable): INFO must still answer, so those are guarded.

import { createHash } from 'node:crypto';
import os from 'node:os';
import type { ServerContext } from './command.js';
import { formatFixed } from './format-double.js';
import { CHANNEL, PATTERN, SHARD } from './pubsub/hub.js';
import { safeInfoName } from './shared-counters.js';
import type { KeyValueStore, StoreStats } from './store/types.js';

/** The Redis version clients see (feature checks on HELLO / INFO); redis-lite's own is redis_lite_version. */
export const REDIS_COMPAT_VERSION = '7.0.0';

const SECTIONS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'commandstats',
  'errorstats',
  'latencystats',
  'cluster',
  'keyspace',
] as const;
type Section = (typeof SECTIONS)[number];

/** What INFO with no argument, or "default", shows: every section but commandstats and latencystats. */
const DEFAULT_SECTIONS: readonly Section[] = SECTIONS.filter(
  (s) => s !== 'commandstats' && s !== 'latencystats',
);

export interface InfoSource {
  readonly server: ServerContext;
  readonly store: KeyValueStore;
}

/** Redis's bytesToHuman: B below 1 KiB, then K, M, G, T, P with two decimals. */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let d = n / 1024;
  let i = 0;
  while (d >= 1024 && i < units.length - 1) {
    d /= 1024;
    i++;
  }
  return `${d.toFixed(2)}${units[i]}`;
}

function setting(server: ServerContext, name: string): string {
  return server.config.get(name)[0]?.[1] ?? '';
}

/** The process's resident set size, bytes; undefined when /proc could not be read. */
export function residentSetSize(): number | undefined {
  try {
    return process.memoryUsage.rss();
  } catch {
    return undefined; // EMFILE/ENFILE while reading /proc/self: leave the figure out, answer anyway
  }
}

type Fields = [string, string | number][];

function serverFields({ server }: InfoSource): Fields {
  const now = server.clock();
  const uptime = Math.max(0, Math.floor((now - server.startedAt) / 1000));
  const runId = createHash('sha1').update(`${process.pid}:${server.startedAt}`).digest('hex');
  const transport = server.transportStats().transport;
  return [
    ['redis_version', REDIS_COMPAT_VERSION],
    ['redis_lite_version', server.version],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.includes('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', transport === 'pool' ? 'blocking threads' : 'epoll'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', runId],
    ['tcp_port', server.tcpPort],
    ['server_time_usec', now * 1000],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', setting(server, 'hz')],
    ['configured_hz', setting(server, 'hz')],
    ['lru_clock', Math.floor(now / 1000) & 0xffffff],
    ['executable', server.executable],
    ['config_file', ''],
    ['io_threads_active', 0],
    ['transport', transport],
  ];
}

function clientFields({ server }: InfoSource): Fields {
  const t = server.transportStats();
  const fields: Fields = [
    ['connected_clients', t.connectedClients],
    ['cluster_connections', 0],
    ['maxclients', t.maxclients],
    ['blocked_clients', server.blocking?.blockedClients() ?? 0],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', server.blocking?.timedClients() ?? 0],
  ];
  if (t.workers !== undefined) fields.push(['workers', t.workers]);
  if (t.workersStarted !== undefined) fields.push(['workers_started', t.workersStarted]);
  if (t.workersMax !== undefined) fields.push(['workers_max', t.workersMax]);
  if (t.busyWorkers !== undefined) fields.push(['busy_workers', t.busyWorkers]);
  if (t.queuedClients !== undefined) fields.push(['queued_clients', t.queuedClients]);
  return fields;
}

function memoryFields({ server, store }: InfoSource): Fields {
  const stats = store.stats();
  const used = stats.usedMemory + stats.processBaselineBytes;
  const resident = residentSetSize();
  const maxmemory = Number(setting(server, 'maxmemory'));
  const fields: Fields = [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
  ];
  if (resident !== undefined) {
    fields.push(['used_memory_rss', resident], ['used_memory_rss_human', bytesToHuman(resident)]);
  }
  fields.push(
    // What the process held before any key (its JavaScript heap at start-up): not counted against maxmemory,
    // which caps used_memory_dataset, the store itself (Redis's startup figure is ~1 MB, ours a heap).
    ['used_memory_startup', stats.processBaselineBytes],
    ['used_memory_dataset', stats.usedMemory],
    ['used_memory_reserved', stats.reservedMemory],
    ...allocatorFields(stats),
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', store.evictionPolicy()],
  );
  if (resident !== undefined && used > 0) {
    // Redis's: the resident set against what is counted, the process's own heap and buffers beside the store.
    fields.push(
      ['mem_fragmentation_ratio', ratio(resident, used)],
      ['mem_fragmentation_bytes', resident - used],
    );
  }
  const t = server.transportStats();
  if (t.buffersReleased !== undefined) fields.push(['pool_buffers_released', t.buffersReleased]);
  if (t.memoryTrims !== undefined) fields.push(['pool_memory_trims', t.memoryTrims]);
  return fields;
}

const ratio = (over: number, under: number): string => (under > 0 ? (over / under).toFixed(2) : '0.00');

/**
 * The store's arena as Redis reports its allocator: allocated is the live bytes (used_memory_dataset), active
 * every byte the bump pointer ever handed out (written, so resident: a SharedArrayBuffer gives nothing back), and
 * the difference the freed blocks waiting for reuse, on the segments' own lists or on the shared ones.
 */
function allocatorFields(stats: StoreStats): Fields {
  const active = stats.arenaTouchedBytes + stats.controlBytes;
  return [
    ['allocator_allocated', stats.usedMemory],
    ['allocator_active', active],
    ['allocator_frag_ratio', ratio(active, stats.usedMemory)],
    ['allocator_frag_bytes', active - stats.usedMemory],
    ['arena_free_segments', stats.arenaFreeSegmentBytes],
    ['arena_free_shared', stats.arenaFreeSharedBytes],
  ];
}

function persistenceFields({ server }: InfoSource): Fields {
  // loading:1 while the dataset loads at start-up (the server accepts clients then), and its progress at the end.
  return [
    ['loading', server.persistence?.loading() === true ? 1 : 0],
    ['async_loading', 0],
    ...(server.persistence?.infoFields() ?? [
      ['rdb_changes_since_last_save', 0],
      ['rdb_bgsave_in_progress', 0],
      ['rdb_last_save_time', Math.floor(server.startedAt / 1000)],
      ['rdb_last_bgsave_status', 'ok'],
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
    ]),
    ...(server.persistence?.loadingInfoFields() ?? []),
  ];
}

function statsFields({ server, store }: InfoSource): Fields {
  const t = server.transportStats();
  const base = server.counters?.baseline() ?? {
    connections: 0,
    rejectedConnections: 0,
    expiredKeys: 0,
    evictedKeys: 0,
  };
  return [
    ['total_connections_received', Math.max(0, t.totalConnections - base.connections)],
    ['total_commands_processed', server.counters?.commandsProcessed() ?? 0],
    ['rejected_connections', Math.max(0, t.rejectedConnections - base.rejectedConnections)],
    ['expired_keys', Math.max(0, store.stats().expiredKeys - base.expiredKeys)],
    ['evicted_keys', Math.max(0, store.stats().evictedKeys - base.evictedKeys)],
    ['keyspace_hits', server.counters?.keyspaceHits() ?? 0],
    ['keyspace_misses', server.counters?.keyspaceMisses() ?? 0],
    // Names with subscribers on any thread (the shared registry's counts, as Redis's dict sizes).
    ['pubsub_channels', server.pubsub?.count(CHANNEL) ?? 0],
    ['pubsub_patterns', server.pubsub?.count(PATTERN) ?? 0],
    ['pubsubshard_channels', server.pubsub?.count(SHARD) ?? 0],
    // Redis's fork time; here the pause of the snapshot copy every save makes (store/snapshot.ts).
    ['latest_fork_usec', server.persistence?.latestPauseMicros() ?? 0],
    // Error replies sent to a master or a replica: there is no replication here.
    ['unexpected_error_replies', 0],
    ['total_error_replies', server.counters?.totalErrorReplies() ?? 0],
  ];
}

/**
 * One line per command called, rejected or failed since the last RESETSTAT, a container's subcommands after it
 * (server.c genRedisInfoStringCommandStats; Redis's order is its dict's, ours the table's). usec_per_call is
 * C's float division printed with "%.2f".
 */
function commandstatsFields({ server }: InfoSource): Fields {
  const stats = server.counters?.commandStats() ?? [];
  const slots = server.commands.slots();
  const fields: Fields = [];
  for (const [slot, spec] of slots.entries()) {
    const s = stats[slot];
    if (s === undefined || (s.calls === 0 && s.rejectedCalls === 0 && s.failedCalls === 0)) continue;
    const usec = Math.floor(s.usec);
    const perCall = s.calls === 0 ? 0 : Math.fround(Math.fround(usec) / Math.fround(s.calls));
    fields.push([
      `cmdstat_${safeInfoName(spec.name)}`,
      `calls=${s.calls},usec=${usec},usec_per_call=${formatFixed(perCall, 2)},` +
        `rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
    ]);
  }
  return fields;
}

/** One line per error code replied since the last RESETSTAT, in Redis's order (by bytes). */
function errorstatsFields({ server }: InfoSource): Fields {
  return (server.counters?.errorStats() ?? []).map(([code, count]) => [
    `errorstat_${safeInfoName(code)}`,
    `count=${count}`,
  ]);
}

function cpuFields(): Fields {
  const cpu = process.cpuUsage();
  return [
    ['used_cpu_sys', (cpu.system / 1e6).toFixed(6)],
    ['used_cpu_user', (cpu.user / 1e6).toFixed(6)],
  ];
}

/** One line per database holding keys, as Redis's "db<N>:keys=..,expires=..,avg_ttl=.." (avg_ttl: always 0). */
function keyspaceFields({ store }: InfoSource): Fields {
  return store
    .keyspace()
    .map(({ db, keys, expires }) => [`db${db}`, `keys=${keys},expires=${expires},avg_ttl=0`]);
}

const TITLES: Record<Section, string> = {
  server: 'Server',
  clients: 'Clients',
  memory: 'Memory',
  persistence: 'Persistence',
  stats: 'Stats',
  replication: 'Replication',
  cpu: 'CPU',
  modules: 'Modules',
  commandstats: 'Commandstats',
  errorstats: 'Errorstats',
  latencystats: 'Latencystats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
};

const FIELDS: Record<Section, (source: InfoSource) => Fields> = {
  server: serverFields,
  clients: clientFields,
  memory: memoryFields,
  persistence: persistenceFields,
  stats: statsFields,
  replication: () => [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_repl_offset', 0],
  ],
  cpu: cpuFields,
  modules: () => [],
  commandstats: commandstatsFields,
  errorstats: errorstatsFields,
  // Per-command latency percentiles are not tracked: the section is empty, as Redis's with latency-tracking no.
  latencystats: () => [],
  cluster: () => [['cluster_enabled', 0]],
  keyspace: keyspaceFields,
};

/**
 * Which sections INFO's arguments ask for, as server.c genInfoSectionDict (names are case-insensitive): none
 * means the default sections; "default" adds them; "all" and "everything" mean every section (there are no
 * module sections, so the two are the same); "module_list" is the Modules section; unknown names add nothing.
 */
export function selectSections(args: readonly string[]): Set<Section> {
  if (args.length === 0) return new Set(DEFAULT_SECTIONS);
  const chosen = new Set<string>();
  for (const arg of args.map((a) => a.toLowerCase())) {
    if (arg === 'all' || arg === 'everything') return new Set(SECTIONS);
    if (arg === 'default') for (const s of DEFAULT_SECTIONS) chosen.add(s);
    else chosen.add(arg === 'module_list' ? 'modules' : arg);
  }
  return new Set(SECTIONS.filter((s) => chosen.has(s)));
}

/** The INFO text for the given sections, in Redis's order; an unknown section name yields nothing. */
export function renderInfo(source: InfoSource, sections: ReadonlySet<string>): string {
  const parts: string[] = [];
  for (const section of SECTIONS) {
    if (!sections.has(section)) continue;
    const lines = FIELDS[section](source).map(([k, v]) => `${k}:${v}\r\n`);
    parts.push(`# ${TITLES[section]}\r\n${lines.join('')}`);
  }
  return parts.join('\r\n');
}
