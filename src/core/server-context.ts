// Builds the ServerContext commands see (CONFIG, INFO, CLIENT, AUTH) from what the server wiring provides,
// and the server-wide counters INFO reports. The counters (shared-counters.ts) live in a SharedArrayBuffer so
// the pool's and the hybrid's worker threads add to one total: pass `counters.buffer` to each worker and
// `SharedServerCounters.attach` it there. Knows nothing of sockets or of which transport supplies the client
// list and figures.

import type {
  ClientBuffers,
  ClientInfo,
  CommandTable,
  ServerContext,
  ServerCounters,
  TransportStats,
  AppendOnlyLog,
  ShutdownFlags,
} from './command.js';
import { isMainThread } from 'node:worker_threads';
import type { Config } from './config.js';
import { BlockingHub } from './blocking/hub.js';
import { STORE_POPS } from './blocking/store-pops.js';
import { type HubOptions, PubSubHub } from './pubsub/hub.js';
import { parseKeyspaceEvents } from './pubsub/keyspace-events.js';
import { PubSubState } from './pubsub/shared-state.js';
import { TrackingHub } from './tracking/hub.js';
import { protectedSwitch } from './protected-action.js';
import { SharedServerCounters } from './shared-counters.js';
import { ServerDiagnostics } from './diagnostics.js';
import { blockedCommandEnded } from './slowlog/record.js';
import type { ClientPauseWords } from './store/client-pause.js';
import type { Clock } from './store/types.js';

export { SharedServerCounters } from './shared-counters.js';

export interface ServerContextDeps {
  readonly clock: Clock;
  readonly config: Config;
  /** redis-lite's own version (INFO redis_lite_version); clients see a Redis 7 compatible redis_version. */
  readonly version: string;
  /** Process start time, ms on the clock. */
  readonly startedAt: number;
  readonly tcpPort: number;
  /** INFO executable; this thread's main script when absent (right on the main thread only). */
  readonly executable?: string;
  readonly commands: CommandTable;
  clients(): ClientInfo[];
  /** One client's entry; when absent, found in clients(). */
  client?(id: number): ClientInfo | undefined;
  /** The clients' buffers as the transport sampled them (client-buffer-peaks.ts); absent: added up from clients(). */
  clientBuffers?(): ClientBuffers;
  transportStats(): TransportStats;
  killClient?(id: number): boolean;
  /** MEMORY PURGE on this thread (ServerContext.purgeMemory); absent: nothing to purge. */
  purgeMemory?(): void;
  reportUnexpected(error: unknown, command: string): void;
  /** Shared with the other threads of this server; a fresh set when absent. */
  readonly counters?: ServerCounters;
  /** The slow log, shared with the other threads of this server; a fresh one when absent. */
  readonly diagnostics?: ServerDiagnostics;
  /**
   * Pub/Sub: the state every thread of the server shares, this thread's endpoint (null: it serves no
   * subscribers) and how to wake another thread. Absent: a state of its own with this thread as its one
   * endpoint (the event loop, tests).
   */
  readonly pubsub?: Omit<HubOptions, 'keyspaceFlags'>;
  /** This thread's append-only file writer (appendonly yes). */
  readonly aof?: AppendOnlyLog;
  /** SHUTDOWN's routine (ServerContext.shutdown); absent: SHUTDOWN is refused. */
  shutdown?(flags: ShutdownFlags): boolean;
  /** CLIENT PAUSE's words in the store's control buffer, seen by every thread; absent: a pause of this thread's. */
  readonly clientPause?: ClientPauseWords;
}

/**
 * The notify-keyspace-events classes, which every write reads: one word of the Pub/Sub state all threads share
 * (a load, not a setting lookup per command). The main thread sets it from its config; each thread sets it again
 * at every CONFIG SET it runs (a change relayed from another thread was set there).
 */
function keyspaceFlagsIn(state: PubSubState, config: Config): () => number {
  const flagsOf = (text: string): number => Math.max(0, parseKeyspaceEvents(text));
  if (isMainThread) state.setKeyspaceFlags(flagsOf(config.string('notify-keyspace-events')));
  config.onChange((name, value) => {
    if (name === 'notify-keyspace-events') state.setKeyspaceFlags(flagsOf(value));
  });
  return () => state.keyspaceFlags();
}

/**
 * latency-tracking: a word of the shared counters every command reads. The main thread sets it from its config;
 * each thread sets it again at every CONFIG SET it runs (a change relayed from another thread was set there).
 */
function bindLatencyTracking(counters: ServerCounters, config: Config): void {
  if (isMainThread) counters.setLatencyTracking(config.string('latency-tracking') === 'yes');
  config.onChange((name, value) => {
    if (name === 'latency-tracking') counters.setLatencyTracking(value === 'yes');
  });
}

/**
 * slowlog-log-slower-than, slowlog-max-len and latency-monitor-threshold: in the shared slow log and latency
 * monitor, which every command's end reads. The main
 * thread sets them from its config; each thread sets them again at every CONFIG SET it runs.
 */
function bindDiagnostics({ slowlog, latency }: ServerDiagnostics, config: Config): void {
  const setLatencyThreshold = (milliseconds: number): void => {
    latency.setThreshold(milliseconds);
    slowlog.setLatencyFloor(milliseconds === 0 ? Infinity : milliseconds * 1000);
  };
  if (isMainThread) {
    slowlog.setThreshold(config.number('slowlog-log-slower-than'));
    slowlog.setMaxLen(config.number('slowlog-max-len'));
    setLatencyThreshold(config.number('latency-monitor-threshold'));
  }
  config.onChange((name, value) => {
    if (name === 'slowlog-log-slower-than') slowlog.setThreshold(Number(value));
    else if (name === 'slowlog-max-len') slowlog.setMaxLen(Number(value));
    else if (name === 'latency-monitor-threshold') setLatencyThreshold(Number(value));
  });
}

/** The clients' buffers added up from their entries (CLIENT LIST's qbuf and omem). */
export function buffersOf(clients: readonly ClientInfo[]): ClientBuffers {
  let maxQuery = 0;
  let maxOutput = 0;
  let total = 0;
  for (const c of clients) {
    maxQuery = Math.max(maxQuery, c.queryBuffer);
    maxOutput = Math.max(maxOutput, c.outputBuffer);
    total += c.queryBuffer + c.outputBuffer;
  }
  return { maxQuery, maxOutput, total };
}

/** The running script as INFO names it (Redis: the binary's path). */
export function mainScript(): string {
  return process.argv[1] ?? process.execPath;
}

export function createServerContext(deps: ServerContextDeps): ServerContext {
  const { config } = deps;
  const pubsub = deps.pubsub ?? { state: PubSubState.create(1), endpoint: 0 };
  const hub = new PubSubHub({ ...pubsub, keyspaceFlags: keyspaceFlagsIn(pubsub.state, config) });
  const counters =
    deps.counters ?? SharedServerCounters.create({ commandSlots: deps.commands.slots().length });
  bindLatencyTracking(counters, config);
  const diagnostics = deps.diagnostics ?? ServerDiagnostics.create();
  bindDiagnostics(diagnostics, config);
  const { slowlog, latency } = diagnostics;
  // Client-side caching: this thread's side, over the same endpoint (its mail rides the Pub/Sub mailboxes).
  const tracking = new TrackingHub({
    state: pubsub.state,
    endpoint: pubsub.endpoint,
    signal: pubsub.signal ?? (() => undefined),
    maxKeys: () => config.number('tracking-table-max-keys'),
  });
  hub.setTrackingHandler(tracking);
  // Every field in one order, the optional ones present (undefined when absent) and those thread-core.ts adds
  // later (scripting, functions, persistence) declared here: every command reads ctx.server.pubsub, .counters,
  // .blocking and the like, and server contexts of several shapes (optional fields spread in, others assigned
  // after) made those reads V8's generic load stub, 3.5% of the event loop's CPU at the cap.
  const context: ServerContext = {
    clock: deps.clock,
    aof: deps.aof,
    config,
    version: deps.version,
    startedAt: deps.startedAt,
    tcpPort: deps.tcpPort,
    executable: deps.executable ?? mainScript(),
    commands: deps.commands,
    clients: () => deps.clients(),
    client: (id) => (deps.client === undefined ? deps.clients().find((c) => c.id === id) : deps.client(id)),
    clientBuffers: () => deps.clientBuffers?.() ?? buffersOf(deps.clients()),
    transportStats: () => deps.transportStats(),
    // Read live, so CONFIG SET requirepass applies to the next command of every client.
    requirePass: () => config.string('requirepass'),
    // Read live too: CONFIG SET inline-replies applies to the next inline request of every client.
    inlineReplies: () => (config.string('inline-replies') === 'resp' ? 'resp' : 'plain'),
    enableDebugCommand: () => protectedSwitch(config.string('enable-debug-command')),
    enableProtectedConfigs: () => protectedSwitch(config.string('enable-protected-configs')),
    reportUnexpected: (error, command) => deps.reportUnexpected(error, command),
    purgeMemory: deps.purgeMemory === undefined ? undefined : () => deps.purgeMemory?.(),
    shutdown:
      deps.shutdown === undefined ? undefined : (flags: ShutdownFlags) => deps.shutdown?.(flags) ?? false,
    // Present only when the transport can close a client, so CLIENT KILL can tell "unsupported" from "no such".
    killClient: deps.killClient === undefined ? undefined : (id) => deps.killClient?.(id) ?? false,
    counters,
    slowlog,
    latency,
    pubsub: hub,
    tracking,
    // Blocking commands: this thread's side, over the same endpoint (replies ride the Pub/Sub mailboxes).
    blocking: new BlockingHub({
      registry: pubsub.state.blocking,
      pubsub: hub,
      endpoint: pubsub.endpoint,
      ops: STORE_POPS,
      clock: deps.clock,
      blockEnded: (client, how) => blockedCommandEnded(slowlog, client, how, deps.clock),
      ...(deps.clientPause === undefined ? {} : { pause: deps.clientPause }),
      tracking,
      counters,
    }),
    acl: undefined,
    scripting: undefined,
    functions: undefined,
    persistence: undefined,
  };
  return context;
}
