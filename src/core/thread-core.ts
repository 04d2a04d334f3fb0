// A thread's composition root: builds the core its sessions run on (the shared store, its config, its own
// ServerContext, its reply writer), the one function every thread that serves clients uses: the main thread
// for the event loop (src/server.ts), each pool worker and each hybrid loop (memcached's thread.c: one setup
// for every worker). The transports supply what only they know (clients, figures, kills) as callbacks.

import { AofLog } from './aof/aof-log.js';
import { AofFiles } from './aof/aof-files.js';
import { FILE_SYSTEM_DISK } from './aof/aof-disk.js';
import { AofFaultSwitch } from './aof/aof-fault-switch.js';
import type { AofReport } from './aof/write-errors.js';
import type {
  ClientBuffers,
  ClientInfo,
  CommandTable,
  ServerContext,
  ServerCounters,
  ShutdownFlags,
  TransportStats,
} from './command.js';
import { ALL_COMMANDS } from './commands/table.js';
import { type DiagnosticsHandles, ServerDiagnostics } from './diagnostics.js';
import { type Config, limitsFromConfig } from './config.js';
import { createCommandTable } from './executor.js';
import { NOTIFY_EXPIRED, publishKeyspaceEvent } from './pubsub/keyspace-events.js';
import { ByteWriter } from './reply-encoding.js';
import { SharedServerCounters, createServerContext, type ServerContextDeps } from './server-context.js';
import type { SessionCore } from './session.js';
import { ClientPauseWords } from './store/client-pause.js';
import type { Snapshot } from './store/snapshot.js';
import type { Clock, KeyValueStore } from './store/types.js';
import { Persistence, type PersistenceLog } from './rdb/persistence.js';
import { loadLuaFrom } from './scripting/lua-addon.js';
import { ScriptCache } from './scripting/script-cache.js';
import { Functions } from './functions/functions.js';
import { AclHub, type AclHandles } from './acl/acl-hub.js';
import { decodeRevocation, encodeRevocation } from './acl/channel-revocation.js';
import { LibraryRegistry } from './functions/library-registry.js';
import { Scripting, type ScriptLogLevel } from './scripting/scripting.js';

export interface ThreadCoreDeps {
  readonly store: KeyValueStore;
  readonly config: Config;
  readonly version: string;
  readonly startedAt: number;
  readonly executable: string;
  readonly tcpPort: number;
  /** INFO's counters: the main thread's own, or (a worker) their shared buffer; null: a set of this thread's. */
  readonly counters: ServerCounters | SharedArrayBuffer | null;
  /** The slow log: the main thread's, or (a worker) its handles; absent: one of this thread's. */
  readonly diagnostics?: ServerDiagnostics | DiagnosticsHandles | null;
  /** Default Date.now; tests inject a fake clock. */
  readonly clock?: Clock;
  /** Default: a table of every command (the main thread passes the one its counters were sized for). */
  readonly commands?: CommandTable;
  /** This thread's part in Pub/Sub; absent: a state of its own (no subscriber on another thread is reached). */
  readonly pubsub?: ServerContextDeps['pubsub'];
  clients(): ClientInfo[];
  client(id: number): ClientInfo | undefined;
  /** The clients' buffers as the transport's cron sampled them (client-buffer-peaks.ts); absent: from clients(). */
  clientBuffers?(): ClientBuffers;
  transportStats(): TransportStats;
  /** Absent where the transport closes clients by itself (CLIENT KILL then answers it cannot). */
  killClient?(id: number): boolean;
  /** MEMORY PURGE on this thread (transport/memory-purge.ts); absent: MEMORY PURGE has nothing to do. */
  purgeMemory?(): void;
  reportUnexpected(error: unknown, command: string): void;
  /** Where persistence reports saves and their failures (the server's logger); absent: not reported. */
  readonly log?: PersistenceLog;
  /** false: never write the append-only file (the core that replays it at start-up); default: while appendonly is on. */
  readonly appendOnly?: boolean;
  /** This thread is the only one that writes data (the event loop): writes need not hold key locks to be logged. */
  readonly aofOnlyWriter?: boolean;
  /** The append-only file's directory (the main thread's holds the manifest); default: one for the config. */
  readonly aofFiles?: AofFiles;
  /** Where the append-only file's failed writes are logged; default: `log`. */
  readonly aofReport?: AofReport;
  /**
   * How the append-only file's writes reach the disk; default: the file system's. A test plays a failing disk with
   * an AofFaultSwitch's buffer (every thread of a server gets the same).
   */
  readonly aofFaults?: SharedArrayBuffer | null;
  /**
   * Redis's exit(1) (a write or sync of the append-only file failed under appendfsync always): the server's stop,
   * or (a worker thread) the request to the main thread that stops it.
   */
  exit?(reason: string): void;
  /** SHUTDOWN: the server's routine, or (a worker thread) the request to the main thread that runs it. */
  shutdown?(flags: ShutdownFlags): boolean;
  /** The script cache every thread shares (its buffer, on a worker); absent: one of this thread's own. */
  readonly scripts?: ScriptCache | SharedArrayBuffer;
  /** The function libraries every thread shares (their buffer, on a worker); absent: this thread's own. */
  readonly libraries?: LibraryRegistry | SharedArrayBuffer;
  /** The ACL users and log every thread shares (their buffers); absent: a set of this thread's own. */
  readonly acl?: AclHandles;
  /** Where redis.log's lines go (the server's log; a worker posts them to the main thread); absent: dropped. */
  scriptLog?(level: ScriptLogLevel, message: string): void;
  /** The package root holding the native helpers (EVAL's Lua interpreter); null or absent: no scripting. */
  readonly nativeRoot?: string | null;
}

export interface ThreadCore {
  readonly server: ServerContext;
  /** A SessionCore for the next client: parser limits are read now, so CONFIG SET applies to new clients. */
  sessionCore(): SessionCore;
  /** Delivers the Pub/Sub messages other threads left for this one (after its eventfd woke it). */
  drainPubSub(): void;
  /** A key this thread found expired was removed: the `expired` keyspace event (the store's expiry hook). */
  expired(db: number, key: Buffer): void;
  /** This thread's append-only file writer, logging while appendonly is on (the server syncs and closes it). */
  readonly aof: AofLog | undefined;
  /** The thread's one reply writer, which every session of the thread encodes into (SessionCore.writer). */
  readonly writer: ByteWriter;
}

/**
 * A snapshot paused writers (BGSAVE, BGREWRITEAOF): Redis's "fork" latency event, and its fork rate (server.c
 * stat_fork_rate: the memory in use over the pause, GB per second) for LATENCY DOCTOR.
 */
function forked(server: ServerContext, store: KeyValueStore, pauseMicros: number): void {
  const latency = server.latency;
  if (latency === undefined) return;
  const used = store.stats().usedMemory;
  latency.setForkRate(pauseMicros > 0 ? (used * 1e6) / pauseMicros / 2 ** 30 : 0);
  latency.sampleIfNeeded('fork', pauseMicros / 1000, Math.floor(server.clock() / 1000));
}

export function createThreadCore(deps: ThreadCoreDeps): ThreadCore {
  const counters =
    deps.counters instanceof SharedArrayBuffer ? SharedServerCounters.attach(deps.counters) : deps.counters;
  const diagnostics =
    deps.diagnostics === undefined ||
    deps.diagnostics === null ||
    deps.diagnostics instanceof ServerDiagnostics
      ? deps.diagnostics
      : ServerDiagnostics.attach(deps.diagnostics);
  const clock = deps.clock ?? Date.now;
  // Every serving thread has a writer, idle while appendonly is off: CONFIG SET turns it on for all at once.
  // Where other threads run commands too, its write fence lets a turn-on wait for writes begun while off.
  const onlyWriter = deps.aofOnlyWriter === true;
  const aof =
    deps.appendOnly !== false && 'handles' in deps.store
      ? new AofLog(
          deps.aofFiles ?? AofFiles.of(deps.config),
          deps.store,
          deps.config,
          clock,
          onlyWriter,
          counters instanceof SharedServerCounters && !onlyWriter ? counters : null,
          deps.aofFaults === undefined || deps.aofFaults === null
            ? FILE_SYSTEM_DISK
            : AofFaultSwitch.attach(deps.aofFaults).disk(FILE_SYSTEM_DISK),
        )
      : undefined;
  if (aof !== undefined) {
    const report = deps.aofReport ?? deps.log;
    if (report !== undefined) aof.errors.report = report;
    if (deps.exit !== undefined) aof.errors.exit = (reason) => deps.exit?.(reason);
  }
  const server = createServerContext({
    clock,
    ...(aof === undefined ? {} : { aof }),
    config: deps.config,
    version: deps.version,
    startedAt: deps.startedAt,
    executable: deps.executable,
    tcpPort: deps.tcpPort,
    commands: deps.commands ?? createCommandTable(ALL_COMMANDS),
    clients: () => deps.clients(),
    client: (id) => deps.client(id),
    ...(deps.clientBuffers === undefined ? {} : { clientBuffers: () => deps.clientBuffers!() }),
    transportStats: () => deps.transportStats(),
    ...(deps.killClient === undefined ? {} : { killClient: (id: number) => deps.killClient?.(id) ?? false }),
    reportUnexpected: (error, command) => deps.reportUnexpected(error, command),
    ...(deps.purgeMemory === undefined ? {} : { purgeMemory: () => deps.purgeMemory?.() }),
    ...(counters === null ? {} : { counters }),
    ...(diagnostics === undefined || diagnostics === null ? {} : { diagnostics }),
    ...(deps.pubsub === undefined ? {} : { pubsub: deps.pubsub }),
    ...(deps.shutdown === undefined
      ? {}
      : { shutdown: (flags: ShutdownFlags) => deps.shutdown?.(flags) ?? false }),
    // One pause for every thread: its words are in the store's control buffer, which they all share.
    ...('handles' in deps.store && typeof deps.store.handles === 'function'
      ? { clientPause: new ClientPauseWords(deps.store.handles().control) }
      : {}),
  });
  const acl = AclHub.attach(deps.acl ?? AclHub.create(deps.config.string('requirepass')), {
    kill: (id) => void server.killClient?.(id),
    release: (client) => {
      if (client.pubsub !== undefined) server.pubsub?.dropSubscriptions(client.pubsub);
    },
    // A SETUSER that takes channels away reaches every other thread now, not at its next command: the mail wakes
    // each loop and each subscribed pool worker through its eventfd (a client in subscribed state waits there,
    // even blocked in RESP3), so a subscriber that sends nothing is cut at once, as Redis cuts it in the SETUSER;
    // the SETUSER replies once they have cut theirs.
    mailRevocation: (revocation) => {
      const { channel, message } = encodeRevocation(revocation);
      server.pubsub?.mailAclRevocation(channel, message);
    },
  });
  server.pubsub?.setAclRevocationHandler((user, rules) => acl.mailed(decodeRevocation(user, rules)));
  Object.assign(server, { acl });
  // CONFIG SET requirepass on this thread sets the default user's password (config.c updateRequirePass); the
  // other threads see the users change, not the setting.
  deps.config.onChange((name, value) => {
    if (name === 'requirepass') acl.setDefaultPassword(value);
  });
  const scripts =
    deps.scripts instanceof SharedArrayBuffer
      ? ScriptCache.attach(deps.scripts)
      : (deps.scripts ?? ScriptCache.create());
  const libraries =
    deps.libraries instanceof SharedArrayBuffer
      ? LibraryRegistry.attach(deps.libraries)
      : (deps.libraries ?? LibraryRegistry.create());
  // busy-reply-threshold in the word every thread's EVAL reads: the same value at every thread's start, then
  // written by whichever thread runs CONFIG SET (its listeners run there only).
  scripts.busy.setThresholdMs(deps.config.number('busy-reply-threshold'));
  deps.config.onChange((name, value) => {
    if (name === 'busy-reply-threshold') scripts.busy.setThresholdMs(Number(value));
  });
  const scriptLog = deps.scriptLog?.bind(deps);
  const lua = loadLuaFrom(deps.nativeRoot ?? null);
  Object.assign(server, {
    scripting: new Scripting(scripts, lua, scriptLog),
    functions: new Functions(libraries, lua, scriptLog),
  });
  if (server.blocking !== undefined) server.blocking.scriptRunning = () => scripts.busy.state() !== 0;
  // Keys the store removes without a command (evicted) are logged where it removes them, under their lock, and
  // invalidated for the clients that may cache them; while neither wants them, none is copied out of the store
  // (one per eviction at the cap: bench/eviction.ts).
  // Not for the core that replays the file at start-up (appendOnly false): it shares the main thread's store
  // hooks, which belong to the main thread's serving core.
  const tracking = deps.appendOnly === false ? undefined : server.tracking;
  if (deps.appendOnly !== false)
    deps.store.onEvicted(
      (db, key) => {
        aof?.recordDeletion(db, key);
        tracking?.evicted(key);
      },
      () => aof?.logging === true || tracking?.active() === true,
    );
  if (tracking !== undefined) deps.store.keepTouched?.(tracking.touched);
  const store = deps.store;
  if ('snapshot' in store && typeof store.snapshot === 'function') {
    const persistence = new Persistence({
      store: store as KeyValueStore & { snapshot(): Snapshot },
      config: deps.config,
      counters: server.counters,
      clock: server.clock,
      ...(deps.log === undefined ? {} : { log: deps.log }),
      forked: (pauseMicros) => forked(server, store, pauseMicros),
      ...(server.functions === undefined ? {} : { functions: server.functions }),
    });
    Object.assign(server, { persistence });
    deps.config.onChange((name, value) => {
      if (name === 'rdb-key-save-delay') persistence.setKeySaveDelay(Number(value));
    });
  }
  // CONFIG SET appendonly on this thread (other threads' copies are applied without listeners).
  if (aof !== undefined) {
    aof.latency = server.latency ?? null;
    aof.backgroundSaving = () => server.persistence?.inProgress() ?? false;
    deps.config.onChange((name, value) => {
      if (name === 'appendonly') aof.setEnabled(value === 'yes', server.persistence?.inProgress() ?? false);
      else if (name === 'aof-timestamp-enabled') aof.timestamps = value === 'yes';
      else if (name === 'aof-disable-auto-gc' && value === 'no') aof.state.wake(); // history files go now
    });
  }
  const writer = new ByteWriter();
  return {
    server,
    writer,
    sessionCore: () => ({ store: deps.store, server, limits: limitsFromConfig(deps.config), writer }),
    drainPubSub: () => {
      // A subscriber whose user lost the channel (a change on another thread) is cut off before any message
      // reaches it (acl-hub.ts): one shared load while the users have not changed.
      acl.sync();
      server.pubsub?.drain();
    },
    aof,
    expired: (db, key) => {
      aof?.recordDeletion(db, key); // under the key's lock, where the store removes it: in order with its writes
      if (server.pubsub !== undefined)
        publishKeyspaceEvent(server.pubsub, NOTIFY_EXPIRED, 'expired', key, db);
      server.tracking?.expired(key);
    },
  };
}
