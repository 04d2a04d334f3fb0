// INFO's text (redis.io/commands/info): sections in Redis's fixed order, each "# Name\r\n" then "field:value\r\n"
// lines, sections separated by a blank line, field names and their order as Redis 7.0's server.c
// genRedisInfoString writes them (redis-lite's own figures after Redis's in their section), and which sections
// INFO's arguments select (server.c genInfoSectionDict). The server, clients, replication, CPU, cluster and
// keyspace sections are here; memory, persistence, stats and the per-command ones in the info-*.ts beside it.
// Gathers figures from the server context, the transport's stats and the store; computes nothing itself.
// Reading process figures can fail (EMFILE makes /proc unreadable): INFO must still answer, so those are guarded.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { commandstatsFields, errorstatsFields, latencystatsFields } from './info-commands.js';
import type { ClientBuffers } from './command.js';
import { setting, type Fields, type InfoSource, type SectionSource } from './info-fields.js';
import { memoryFields } from './info-memory.js';
import { persistenceFields, statsFields } from './info-stats.js';

export { bytesToHuman, residentSetSize, type InfoSource } from './info-fields.js';

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

/**
 * Redis's redis_build_id is a hash of its version and build; here of redis-lite's version and the Node.js that
 * runs it, printed as Redis prints its 64-bit id ("%llx": hexadecimal, no leading zeros).
 */
function buildId(version: string): string {
  const digest = createHash('sha1').update(`${version}:${process.version}:${process.arch}`).digest();
  return digest.readBigUInt64BE(0).toString(16);
}

function serverFields({ server }: InfoSource): Fields {
  const now = server.clock();
  const uptime = Math.max(0, Math.floor((now - server.startedAt) / 1000));
  const runId = createHash('sha1').update(`${process.pid}:${server.startedAt}`).digest('hex');
  const transport = server.transportStats().transport;
  return [
    ['redis_version', REDIS_COMPAT_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', buildId(server.version)],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.includes('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', transport === 'pool' ? 'blocking threads' : 'epoll'],
    // Counters shared by threads are JavaScript's Atomics on SharedArrayBuffers (Redis: C11's builtins).
    ['atomicvar_api', 'js-atomics'],
    // Redis prints its compiler's version, 0.0.0 when not built by GCC: JavaScript is not.
    ['gcc_version', '0.0.0'],
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
    ['redis_lite_version', server.version],
    ['transport', transport],
  ];
}

function clientFields({ server, clientBuffers }: SectionSource): Fields {
  const t = server.transportStats();
  // Redis's figures: the largest buffers its clientsCron saw over the last seconds (client-buffer-peaks.ts).
  const { maxQuery: maxInput, maxOutput } = clientBuffers();
  const fields: Fields = [
    ['connected_clients', t.connectedClients],
    ['cluster_connections', 0],
    ['maxclients', t.maxclients],
    ['client_recent_max_input_buffer', maxInput],
    ['client_recent_max_output_buffer', maxOutput],
    ['blocked_clients', server.blocking?.blockedClients() ?? 0],
    ['tracking_clients', server.tracking?.trackingClients ?? 0],
    ['clients_in_timeout_table', server.blocking?.timedClients() ?? 0],
  ];
  if (t.workers !== undefined) fields.push(['workers', t.workers]);
  if (t.workersStarted !== undefined) fields.push(['workers_started', t.workersStarted]);
  if (t.workersMax !== undefined) fields.push(['workers_max', t.workersMax]);
  if (t.busyWorkers !== undefined) fields.push(['busy_workers', t.busyWorkers]);
  if (t.queuedClients !== undefined) fields.push(['queued_clients', t.queuedClients]);
  return fields;
}

/** A master without replicas, as Redis reports one that never had any: its own random id, no backlog. */
function replicationFields({ server }: InfoSource): Fields {
  return [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', server.counters?.replicationId() ?? '0'.repeat(40)],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    // repl-backlog-size's default: the backlog a replica's first sync would create (there is none yet).
    ['repl_backlog_size', 1048576],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ];
}

/** Seconds as Redis prints a timeval ("%ld.%06ld"). */
const seconds = (micros: number): string => (Math.floor(micros) / 1e6).toFixed(6);

/**
 * The process's main thread's CPU time (Redis: getrusage RUSAGE_THREAD on its main thread), from
 * /proc/self/task/<pid>/stat: utime and stime in clock ticks (USER_HZ, 100 a second). Zero where it cannot be read.
 */
function mainThreadCpuMicros(): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
    return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
  } catch {
    return { user: 0, system: 0 };
  }
}

function cpuFields(): Fields {
  const cpu = process.cpuUsage();
  const main = mainThreadCpuMicros();
  return [
    ['used_cpu_sys', seconds(cpu.system)],
    ['used_cpu_user', seconds(cpu.user)],
    // No child processes: saves and rewrites run in this process (no fork).
    ['used_cpu_sys_children', seconds(0)],
    ['used_cpu_user_children', seconds(0)],
    ['used_cpu_sys_main_thread', seconds(main.system)],
    ['used_cpu_user_main_thread', seconds(main.user)],
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

const FIELDS: Record<Section, (source: SectionSource) => Fields> = {
  server: serverFields,
  clients: clientFields,
  memory: memoryFields,
  persistence: persistenceFields,
  stats: statsFields,
  replication: replicationFields,
  cpu: cpuFields,
  modules: () => [],
  commandstats: commandstatsFields,
  errorstats: errorstatsFields,
  latencystats: latencystatsFields,
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
  // Read once for the clients and memory sections, from the figures the transports' crons sampled.
  let buffers: ClientBuffers | undefined;
  const sectionSource: SectionSource = {
    ...source,
    clientBuffers: () => (buffers ??= source.server.clientBuffers()),
  };
  for (const section of SECTIONS) {
    if (!sections.has(section)) continue;
    const lines = FIELDS[section](sectionSource).map(([k, v]) => `${k}:${v}\r\n`);
    parts.push(`# ${TITLES[section]}\r\n${lines.join('')}`);
  }
  return parts.join('\r\n');
}
