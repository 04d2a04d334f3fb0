// The programmatic API: startServer() wires config, logger, store, command table, server context, the
// active-expire timer and the chosen transport, and returns the bound address, stats and a graceful close.
// The CLI is a thin shell over this, and users embed it in their own tests. It knows which transports
// exist, but not how either one moves bytes.

import { AclHub, type AclHandles } from './core/acl/acl-hub.js';
import { startupUsers } from './core/acl/startup.js';
import { Persistence } from './core/rdb/persistence.js';
import { processBaselineBytes } from './core/memory-limit.js';
import { AofFiles } from './core/aof/aof-files.js';
import { AofState } from './core/aof/aof-state.js';
import { initialiseAofState, RewriteScheduler } from './core/aof/rewrite-scheduler.js';
import { planAofLoad, type AofLoadPlan } from './core/aof/aof-loader.js';
import { replayAppendOnlyFiles } from './core/aof/aof-replay.js';
import { openAofOnStart } from './core/aof/aof-startup.js';
import { SharedAppendBuffer } from './core/aof/append-buffer.js';
import {
  DEFAULT_SHUTDOWN,
  ServerShutdown,
  ShutdownSaveError,
  signalSetting,
  signalShutdownFlags,
  type ShutdownSignal,
} from './shutdown.js';
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type {
  CommandTable,
  InlineReplies,
  ServerCounters,
  ShutdownFlags,
  TransportStats,
} from './core/command.js';
import { ALL_COMMANDS } from './core/commands/table.js';
import { Config, InvalidSettingError } from './core/config.js';
import { createCommandTable } from './core/executor.js';
import { PubSubState } from './core/pubsub/shared-state.js';
import { ServerDiagnostics } from './core/diagnostics.js';
import type { SharedLatencyMonitor } from './core/latency/latency-monitor.js';
import { armBlockingTimeouts } from './transport/eventloop/blocking-timer.js';
import { mainScript, SharedServerCounters, type ServerContextDeps } from './core/server-context.js';
import { createThreadCore, type ThreadCore } from './core/thread-core.js';
import { startRateSampler } from './core/instantaneous-metrics.js';
import { SharedStore } from './core/store/store.js';
import { bindStoreLimits } from './core/store-limits.js';
import type { Clock, KeyValueStore } from './core/store/types.js';
import { createLogger, type LogFormat } from './logger.js';
import { EventLoopTransport } from './transport/eventloop/index.js';
import { maxclientsForLimit, readOpenFilesLimit, RESERVED_FDS } from './transport/fd-limit.js';
import { loadNative, packageRoot } from './transport/threadpool/native.js';
import { ScriptCache } from './core/scripting/script-cache.js';
import { LibraryRegistry } from './core/functions/library-registry.js';
import { Functions } from './core/functions/functions.js';
import { loadLuaFrom } from './core/scripting/lua-addon.js';
import type { ThreadPoolOptions } from './transport/threadpool/index.js';
import type { HybridOptions } from './transport/hybrid/index.js';
import { asReactor } from './transport/hybrid/native-reactor.js';
import { asHugePages, asMemory } from './transport/threadpool/native-addon.js';
import { memoryPurge } from './transport/memory-purge.js';
import { ArenaHugePages } from './core/store/huge-pages.js';
import type { ListenAddress, Transport } from './transport/transport.js';
import { HttpServer, type HttpServerLimits } from './http/http-server.js';

export type TransportName = 'eventloop' | 'pool' | 'hybrid';

export interface ServerOptions {
  host: string;
  port: number;
  /**
   * 'eventloop' by default: it serves any number of clients, idle or not, on one thread, while the pool
   * stops answering new clients once every worker is pinned by an idle one (the starvation the bench shows).
   */
  transport: TransportName;
  /** Pool size ('pool': the most worker threads, started on demand), or loop threads ('hybrid'; default: cores). */
  workers: number;
  /** The pool: idle workers kept ready ahead of clients (default 2; one is ready before it listens). */
  minSpareWorkers?: number;
  /** The pool: seconds a worker may idle before it is retired while more than minSpareWorkers idle (default 30; 0: never). */
  workerIdleTimeout?: number;
  backlog: number;
  maxclients: number;
  /** Seconds a client may stay idle before it is closed; 0: never. */
  timeout: number;
  requirepass: string;
  /** Databases clients can SELECT (Redis's `databases`, 16), fixed at start-up. */
  databases: number;
  /**
   * How inline requests of a client that never sent RESP are answered: 'plain' (plaintext, docs/protocol.md) or
   * 'resp' (RESP, as Redis does: for health checkers that send "PING\r\n" and expect "+PONG").
   */
  inlineReplies: InlineReplies;
  logLevel: string;
  logFormat: LogFormat;
  /** Use this logger instead of building one from logLevel/logFormat. */
  logger?: Logger;
  /** The clock for expiry and idle time (tests inject a fake one). */
  clock?: Clock;
  /**
   * ACL users to start with, each a redis.conf "user" directive without its keyword: "alice on >pw ~* +@all".
   * Not together with the aclfile setting.
   */
  users?: readonly string[];
  /** Further settings by their Redis names (CONFIG SET syntax), e.g. { 'client-output-buffer-limit-bytes': '1mb' }. */
  config?: Record<string, string>;
  /** Test hook: how often idle clients are looked for (ms, default 1000). */
  idleCheckIntervalMs?: number;
  /** Test hook: how long a closing connection may linger before it is destroyed (ms, default 2000). */
  closeGraceMs?: number;
  /** The HTTP interface's port (Webdis's URL scheme, /metrics, /healthz; src/http/); absent: no HTTP. */
  httpPort?: number;
  /** Where the HTTP interface listens; default: `host`. */
  httpHost?: string;
  /** Test hook: the HTTP interface's header and body size limits and keep-alive idle timeout. */
  httpLimits?: Partial<HttpServerLimits>;
  /**
   * Called once a SHUTDOWN command has saved and dropped every client, instead of closing the server: the CLI
   * exits the process (code 0), as redis-server does. Absent: the server closes itself (RunningServer.close's
   * promise resolves; no second save is made).
   */
  onShutdown?: () => void;
  /**
   * Called when the server must stop at once, where redis-server exits with status 1 (a write or sync of the
   * append-only file failed under appendfsync always): the CLI exits the process with status 1. Absent: the server
   * drops every client at once (abort), as a process that exited would.
   */
  onFatal?: () => void;
  /**
   * Test hook: an AofFaultSwitch's buffer (core/aof/aof-fault-switch.ts), through which a test makes every thread's
   * writes or syncs of the append-only file fail, and work again.
   */
  aofFaults?: SharedArrayBuffer;
  /** Further fields for the start-up line, set by whoever started the process (the CLI: how it set up V8). */
  readyDetails?: Readonly<Record<string, string | number | boolean>>;
}

export const DEFAULT_OPTIONS: Readonly<ServerOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 6379,
  transport: 'eventloop',
  workers: 100,
  backlog: 511,
  maxclients: 10000,
  timeout: 0,
  requirepass: '',
  databases: 16,
  inlineReplies: 'plain',
  logLevel: 'info',
  logFormat: 'json',
});

export interface RunningServer {
  readonly address: ListenAddress;
  /** The HTTP interface's bound address, when it was asked for (httpPort). */
  readonly httpAddress?: ListenAddress;
  /** Graceful: stop accepting, answer what was received, close every client, free threads. Idempotent. */
  close(): Promise<void>;
  /**
   * SIGINT / SIGTERM's shutdown: close() with its final save run with the flags of shutdown-on-sigint or
   * shutdown-on-sigterm (save points decide, or SAVE / NOSAVE; FORCE exits though the save failed). Rejects
   * with ShutdownSaveError when the save failed without FORCE. close() itself saves as FORCE does.
   */
  closeOnSignal(signal: ShutdownSignal): Promise<void>;
  stats(): TransportStats;
  /** Abrupt: drop every client now (a second SIGINT). The process may exit right after. */
  abort(): void;
  readonly store: KeyValueStore;
}

/** redis-lite's version, from the package.json above this module (src/ under vitest, dist/src/ when built). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'redis-lite-server' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: keep climbing
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}

/** Thrown by startServer when --transport=pool cannot run here; the CLI prints the message as is. */
export class TransportUnavailableError extends Error {
  readonly code = 'ERR_TRANSPORT_UNAVAILABLE';
  override name = 'TransportUnavailableError';
}

/**
 * Thrown by startServer for an option value it refuses (not a number, out of range): the caller's mistake, named
 * by the ServerOptions key, so the CLI can answer with its usage line rather than a start-up failure.
 */
export class InvalidOptionError extends Error {
  readonly code = 'ERR_INVALID_OPTION';
  override name = 'InvalidOptionError';

  /** `value` is the refused text; undefined for a number that is NaN (what a CLI makes of "abc"). */
  constructor(
    readonly option: keyof ServerOptions,
    readonly value: string | undefined,
    readonly reason: string,
  ) {
    super(`invalid ${option}${value === undefined ? '' : ` '${value}'`}: ${reason}`);
  }
}

/** The Config setting each numeric option sets: a refused value is reported under the option's own name. */
const SETTING_OF_OPTION = {
  port: 'port',
  maxclients: 'maxclients',
  timeout: 'timeout',
  backlog: 'tcp-backlog',
  workers: 'io-threads',
  databases: 'databases',
  inlineReplies: 'inline-replies',
} as const satisfies Partial<Record<keyof ServerOptions, string>>;

const OPTION_OF_SETTING = new Map<string, keyof ServerOptions>(
  Object.entries(SETTING_OF_OPTION).map(([option, setting]) => [setting, option as keyof ServerOptions]),
);

/** Options given as undefined (e.g. an unset CLI flag) keep their default; the hybrid's workers default to cores. */
function resolveOptions(partial: Partial<ServerOptions>): ServerOptions {
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const options: ServerOptions = { ...DEFAULT_OPTIONS, ...given };
  if (given.workers === undefined && options.transport === 'hybrid') options.workers = availableParallelism();
  return options;
}

function configFromOptions(options: ServerOptions): Config {
  for (const option of ['port', 'maxclients', 'timeout', 'backlog', 'workers', 'databases'] as const) {
    // A CLI value that is not a number arrives as NaN; "invalid port 'NaN'" would not say what went wrong.
    if (Number.isNaN(options[option])) throw new InvalidOptionError(option, undefined, 'not a number');
  }
  const http = options.httpPort;
  if (http !== undefined && (Number.isNaN(http) || !Number.isSafeInteger(http) || http < 0 || http > 65535)) {
    const value = Number.isNaN(http) ? undefined : String(http);
    throw new InvalidOptionError(
      'httpPort',
      value,
      value === undefined ? 'not a number' : 'must be 0 to 65535',
    );
  }
  // The event loop ignores the number of workers, but a nonsense number is still the user's mistake.
  if (!Number.isSafeInteger(options.workers) || options.workers < 1)
    throw new InvalidOptionError('workers', String(options.workers), 'must be a whole number, at least 1');
  const spare = options.minSpareWorkers;
  if (spare !== undefined && (!Number.isSafeInteger(spare) || spare < 0))
    throw new InvalidOptionError('minSpareWorkers', String(spare), 'must be a whole number, 0 or more');
  const idle = options.workerIdleTimeout;
  if (idle !== undefined && (!Number.isFinite(idle) || idle < 0))
    throw new InvalidOptionError('workerIdleTimeout', String(idle), 'must be a number of seconds, 0 or more');
  try {
    return new Config({
      bind: options.host,
      port: String(options.port),
      maxclients: String(options.maxclients),
      timeout: String(options.timeout),
      requirepass: options.requirepass,
      databases: String(options.databases),
      'inline-replies': options.inlineReplies,
      'tcp-backlog': String(options.backlog),
      'io-threads': options.transport === 'eventloop' ? '1' : String(options.workers),
      ...options.config,
    });
  } catch (e) {
    // A setting set from an option is reported under the option; one from options.config under its own name.
    const option = e instanceof InvalidSettingError ? OPTION_OF_SETTING.get(e.setting) : undefined;
    if (option === undefined || !(e instanceof InvalidSettingError)) throw e;
    throw new InvalidOptionError(option, e.value, e.reason);
  }
}

/** What every thread that serves clients shares: the store, the command table, INFO's counters, Pub/Sub. */
interface SharedState {
  readonly store: SharedStore;
  readonly commands: CommandTable;
  readonly counters: SharedServerCounters;
  readonly pubsub: PubSubState;
  /** EVAL's script cache: a script loaded on one thread runs by its sha on any other. */
  readonly scripts: ScriptCache;
  /** The function libraries: one loaded on any thread is called on every other. */
  readonly libraries: LibraryRegistry;
  /** The slow log, one for the whole server. */
  readonly diagnostics: ServerDiagnostics;
  /** The ACL users and log: a user made or changed on one thread applies to clients on every other. */
  readonly acl: AclHandles;
}

function createSharedState(
  options: ServerOptions,
  config: Config,
  clock: Clock,
  eventClock: Clock,
): SharedState {
  const store = SharedStore.create({
    clock,
    eventClock,
    databases: config.number('databases'),
    processBaselineBytes: processBaselineBytes(),
    // The event loop's store is touched by this thread alone (a BGSAVE or rewrite reads a copy it makes here), so
    // it takes no segment locks: the release's seq-cst store drains the CPU's store buffer after every write
    // (~3% of a SET's CPU at the memory cap: the 1 KB value just copied in).
    locking: options.transport !== 'eventloop',
  });
  bindStoreLimits(store, config);
  const commands = createCommandTable(ALL_COMMANDS);
  // INFO's command counters, in shared memory so the pool's workers add to the same totals.
  const counters = SharedServerCounters.create({ commandSlots: commands.slots().length });
  // Pub/Sub's shared state: an endpoint per thread that serves clients (the event loop's one thread, or each pool
  // worker / hybrid loop), so a PUBLISH on any thread reaches subscribers on all of them.
  const pubsub = PubSubState.create(options.transport === 'eventloop' ? 1 : options.workers);
  return {
    store,
    commands,
    counters,
    pubsub,
    scripts: ScriptCache.create(),
    libraries: LibraryRegistry.create(),
    diagnostics: ServerDiagnostics.create(),
    acl: AclHub.create(config.string('requirepass'), startupUsers(config, options.users ?? [])),
  };
}

/** What the server knows before it listens, and every transport starts from. */
interface StartContext {
  readonly options: ServerOptions;
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly version: string;
  readonly startedAt: number;
  readonly shared: SharedState;
  /** The append-only file's directory and, on this thread, its manifest (aof/aof-files.ts). */
  readonly aofFiles: AofFiles;
  /** Client ids are unique across the whole server: every transport and the HTTP interface take them here. */
  nextClientId(): number;
  /** SHUTDOWN, from any thread: the routine runningServer() builds (refused before it exists). */
  shutdown(flags: ShutdownFlags): boolean;
  /** Redis's exit(1), from any thread (write-errors.ts): the stop runningServer() builds, once. */
  exit(reason: string): void;
}

/**
 * The chosen transport, not yet listening. The event loop serves sessions on this thread, from the core
 * `mainCore()` returns once the server is bound; the pool's workers and the hybrid's loops each build their
 * own core from the shared state's handles.
 */
async function createTransport(start: StartContext, mainCore: () => ThreadCore | null): Promise<Transport> {
  const { options, config, logger, shared } = start;
  const common = {
    host: options.host,
    port: options.port,
    backlog: options.backlog,
    config,
    logger,
    nextClientId: start.nextClientId,
    shutdown: start.shutdown,
    exit: start.exit,
    ...(options.aofFaults === undefined ? {} : { aofFaults: options.aofFaults }),
    idleCheckIntervalMs: options.idleCheckIntervalMs,
    closeGraceMs: options.closeGraceMs,
  };
  if (options.transport === 'eventloop') {
    return new EventLoopTransport({
      ...common,
      sessionCore: () => {
        const core = mainCore();
        if (core === null) throw new Error('a client connected before the server core was built');
        return core.sessionCore();
      },
      clock: start.clock,
    });
  }
  const threaded = {
    ...common,
    pubsub: shared.pubsub,
    workers: options.workers,
    storeHandles: shared.store.handles(),
    version: start.version,
    startedAt: start.startedAt,
    countersBuffer: shared.counters.buffer,
    scriptsBuffer: shared.scripts.buffer,
    librariesBuffer: shared.libraries.buffer,
    aclHandles: shared.acl,
    diagnostics: shared.diagnostics,
    aofWorkDir: start.aofFiles.workDirectory,
  };
  if (options.transport === 'hybrid') return createHybridTransport(threaded);
  return createPoolTransport({
    ...threaded,
    minSpareWorkers: options.minSpareWorkers,
    workerIdleTimeoutMs:
      options.workerIdleTimeout === undefined ? undefined : options.workerIdleTimeout * 1000,
  });
}

/**
 * This thread's core: the event loop's sessions run on it, and on every transport it answers for the server
 * as a whole (the active expiry's keyspace events). Built once the port is bound, which INFO reports.
 */
function createMainCore(start: StartContext, transport: Transport, tcpPort: number): ThreadCore {
  const { shared, logger } = start;
  return createThreadCore({
    store: shared.store,
    config: start.config,
    version: start.version,
    startedAt: start.startedAt,
    executable: mainScript(),
    tcpPort,
    clock: start.clock,
    commands: shared.commands,
    counters: shared.counters,
    diagnostics: shared.diagnostics,
    pubsub: mainThreadPubSub(start.options.transport, shared.pubsub),
    scripts: shared.scripts,
    libraries: shared.libraries,
    acl: shared.acl,
    nativeRoot: packageRoot(),
    scriptLog: (level, message) => logger[level](message),
    aofOnlyWriter: start.options.transport === 'eventloop',
    aofFiles: start.aofFiles,
    aofFaults: start.options.aofFaults ?? null,
    exit: start.exit,
    clients: () => transport.clients(),
    client: (id) => transport.client(id),
    ...(transport.clientBuffers === undefined ? {} : { clientBuffers: () => transport.clientBuffers!() }),
    transportStats: () => transport.stats(),
    killClient: transport.killClient === undefined ? undefined : (id) => transport.killClient?.(id) ?? false,
    purgeMemory: memoryPurge(mainThreadMemoryCalls()),
    reportUnexpected: (error, command) =>
      logger.error({ err: error, command }, 'unexpected error running a command'),
    log: (level, message) => logger[level](message),
    shutdown: start.shutdown,
  });
}

/** The helper's memory calls for MEMORY PURGE's trim; null where it was not built (the event loop runs without). */
function mainThreadMemoryCalls(): ReturnType<typeof asMemory> {
  const addon = loadNative();
  return addon instanceof Error ? null : asMemory(addon);
}

function logReady(start: StartContext, address: ListenAddress): void {
  const { options, config, version } = start;
  start.logger.info(
    {
      version,
      transport: options.transport,
      workers: options.transport === 'eventloop' ? undefined : options.workers,
      host: address.host,
      port: address.port,
      maxclients: config.number('maxclients'),
      ...options.readyDetails,
    },
    `redis-lite ready to accept connections on ${address.host}:${address.port}`,
  );
}

/** What runs until the server stops: the timers, and (closed last, after the final flush) the append-only writer. */
interface Running {
  readonly transport: Transport;
  readonly address: ListenAddress;
  readonly mainCore: ThreadCore;
  readonly http: { server: HttpServer; address: ListenAddress } | null;
  /** The append-only file's rewrites (a running one is dropped at close, as Redis kills its child). */
  readonly rewrites: RewriteScheduler | null;
  stopTimers(): void;
  /** Set once the server starts closing (or is aborted): a load still running stops at its next step. */
  readonly lifecycle: { closing: boolean };
}

/**
 * The handle startServer returns: close is graceful and idempotent (the transports drain, then the final save of
 * shutdown.ts), abort drops every client now. SHUTDOWN runs the same routine from a command (wired here).
 */
function runningServer(
  start: StartContext,
  running: Running,
  bindShutdown: (routine: ServerShutdown) => void,
  bindExit: (exit: () => void) => void,
): RunningServer {
  const { transport, http, mainCore } = running;
  let closing: Promise<void> | null = null;
  let aofOpen = mainCore.aof !== undefined;
  const closeAof = (): void => {
    if (!aofOpen) return;
    aofOpen = false;
    try {
      mainCore.aof?.close();
    } catch (error) {
      // The last write-out failed (a full disk, or a flush lock abandoned by a thread terminated at close).
      start.logger.warn({ err: error }, `closing the append only file failed: ${(error as Error).message}`);
    }
  };
  const abort = (): void => {
    running.lifecycle.closing = true;
    running.stopTimers();
    void running.rewrites?.stop();
    http?.server.abort();
    transport.abort?.();
  };
  /** The graceful close; then, with `flags`, the final save (null: SHUTDOWN has made it already). */
  const closeServer = (flags: ShutdownFlags | null): Promise<void> => {
    closing ??= (async () => {
      running.lifecycle.closing = true;
      running.stopTimers();
      await Promise.all([transport.close(), http?.server.close(), running.rewrites?.stop()]);
      // No client is left to write: the dump holds every write acknowledged.
      const persisted = flags === null || shutdown.finalPersistence(flags);
      closeAof();
      start.logger.debug('server closed');
      if (!persisted) {
        start.logger.warn('Errors trying to shut down the server. Check the logs for more information.');
        throw new ShutdownSaveError('the final save failed (FORCE was not given)');
      }
    })();
    return closing;
  };
  const shutdown = new ServerShutdown({
    logger: start.logger,
    pauseWrites: () => start.shared.store.pauseWrites(),
    persistence: mainCore.server.persistence,
    aof: mainCore.aof,
    abort,
    exit: () => {
      if (start.options.onShutdown !== undefined) return start.options.onShutdown();
      void closeServer(null);
    },
  });
  bindShutdown(shutdown);
  let exited = false;
  bindExit(() => {
    if (exited) return;
    exited = true;
    if (start.options.onFatal !== undefined) return start.options.onFatal();
    abort();
  });
  return {
    address: running.address,
    ...(http === null ? {} : { httpAddress: http.address }),
    stats: () => transport.stats(),
    abort: () => {
      abort();
      closeAof();
    },
    store: start.shared.store,
    close: () => closeServer({ ...DEFAULT_SHUTDOWN, force: true }),
    closeOnSignal: (signal) => closeServer(signalShutdownFlags(start.config.string(signalSetting(signal)))),
  };
}

export async function startServer(partial: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const options = resolveOptions(partial);
  const logger = options.logger ?? createLogger({ level: options.logLevel, format: options.logFormat });
  const clock = options.clock ?? Date.now;
  const config = configFromOptions(options);
  capMaxclients(config, logger);
  let lastClientId = 0;
  let shutdown: ServerShutdown | null = null;
  let exit: (() => void) | null = null;
  // While the append-only file replays, the store's clock reads 0: no key expires mid-history (Redis: loading).
  let loading = false;
  const storeClock: Clock = () => (loading ? 0 : clock());
  const start: StartContext = {
    options,
    config,
    logger,
    clock,
    version: packageVersion(),
    startedAt: clock(),
    // Streams' delivery and seen times read the clock itself, loading or not (TableAccess.eventClock).
    shared: createSharedState(options, config, storeClock, clock),
    aofFiles: AofFiles.of(config),
    nextClientId: () => ++lastClientId,
    shutdown: (flags) => shutdown?.byCommand(flags) ?? false,
    // The reason is logged where it happened (write-errors.ts).
    exit: () => exit?.(),
  };
  // As Redis's loadDataFromDisk: with appendonly on, the append-only file is the data (the dump is not read).
  // Redis listens before it loads and answers -LOADING meanwhile: so does this, loading:1 from before it listens.
  const loader = prepareLoad(start);
  const aofState = new AofState(start.shared.store.handles().control);
  initialiseAofState(aofState, config.string('appendonly') === 'yes', start.aofFiles);
  // aof-timestamp-enabled as started with, for every thread before any logs (a CONFIG SET: thread-core.ts).
  sharedAppendBuffer(start).stamping = config.string('aof-timestamp-enabled') === 'yes';
  if (loader === null) openAofIfOn(start, aofState); // before the first write can come
  // Sessions of the event loop ask for the core only once clients connect, after it is built below.
  let core: ThreadCore | null = null;
  const transport = await createTransport(start, () => core);
  const address = await transport.listen();
  config.apply('port', String(address.port));
  const mainCore = createMainCore(start, transport, address.port);
  core = mainCore;
  start.shared.store.onExpired((db, key) => mainCore.expired(db, key));
  const rewrites = startAofRewrites(start, mainCore);
  // Started once the data is loaded (serverCron does not run while Redis loads); stopped by close and abort.
  const timers: (() => void)[] = [];
  const stopTimers = (): void => timers.splice(0).forEach((stop) => stop());
  let http: { server: HttpServer; address: ListenAddress } | null = null;
  try {
    http = options.httpPort === undefined ? null : await startHttp(start, mainCore);
  } catch (e) {
    await Promise.all([transport.close(), rewrites?.stop()]);
    mainCore.aof?.close();
    throw e;
  }
  const lifecycle = { closing: false };
  const server = runningServer(
    start,
    { transport, address, mainCore, http, stopTimers, lifecycle, rewrites },
    (routine) => {
      shutdown = routine;
    },
    (stop) => {
      exit = stop;
    },
  );
  if (loader !== null) {
    logger.info(
      { host: address.host, port: address.port, file: loader.file },
      'Loading the dataset; accepting connections meanwhile',
    );
    loading = true;
    try {
      await runLoad(loader, () => lifecycle.closing);
    } catch (e) {
      await server.close(); // still loading: no final save of half the data
      throw e;
    } finally {
      loading = false;
      loader.persistence.endLoading();
    }
    if (lifecycle.closing) return server; // SHUTDOWN during the load (an embedded server)
    openAofIfOn(start, aofState);
    // The base as loaded: aof_base_size.
    initialiseAofState(aofState, config.string('appendonly') === 'yes', start.aofFiles);
  }
  timers.push(
    startActiveExpire(
      start.shared.store,
      config,
      start.shared.counters,
      start.shared.diagnostics.latency,
      logger,
      arenaHugePages(),
    ),
    // INFO's instantaneous rates: real elapsed time (a monotonic clock), whatever clock expiry is given.
    startRateSampler(start.shared.counters, () => performance.now()),
    startSavePoints(mainCore, logger),
    startAofSync(mainCore, logger),
  );
  // The event loop's blocked clients time out on a Node timer; the pool's and hybrid's threads keep their own.
  const blocking = mainCore.server.blocking;
  if (options.transport === 'eventloop' && blocking !== undefined)
    timers.push(armBlockingTimeouts(blocking, clock));
  logReady(start, address);
  return server;
}

/** The append-only file's rewrites, run on this thread (aof/rewrite-scheduler.ts); null without a writer. */
function startAofRewrites(start: StartContext, core: ThreadCore): RewriteScheduler | null {
  const aof = core.aof;
  if (aof === undefined) return null;
  const counters = start.shared.counters;
  const scheduler = new RewriteScheduler({
    aof,
    store: start.shared.store,
    config: start.config,
    bgsaveRunning: () => core.server.persistence?.inProgress() ?? false,
    bgsave: () => void core.server.persistence?.bgsave(),
    recordPause: (micros) => core.server.persistence?.recordPause(micros),
    unloggedWritesEnded: () => counters.unloggedWritesEnded(),
    functionCodes: () => start.shared.libraries.read().codes,
    log: (level, message) => start.logger[level](message),
  });
  scheduler.start();
  return scheduler;
}

/** The dataset to load at start-up: the file, and the load as steps, each yielding the bytes read so far. */
interface Loader {
  readonly file: string;
  readonly persistence: Persistence;
  readonly steps: Generator<number, void>;
}

/**
 * Before the server listens: the persistence state initialised and, when there is a file to load (the
 * append-only file when appendonly is on, else the dump in dir), loading:1 set with its size (every thread
 * answers -LOADING from now until runLoad ends), and the load to run; null when there is nothing to load.
 */
function prepareLoad(start: StartContext): Loader | null {
  const { shared, config } = start;
  const persistence = new Persistence({
    store: shared.store,
    config,
    counters: shared.counters,
    clock: start.clock,
    // The dump's function libraries go to the list every thread shares.
    functions: new Functions(shared.libraries, loadLuaFrom(packageRoot())),
  });
  persistence.initialise();
  const files = start.aofFiles;
  const removed = files.removeTempFiles();
  if (removed.length > 0) start.logger.info({ removed }, 'Removed the temporary files a killed rewrite left');
  if (config.string('appendonly') === 'yes') {
    const plan = planAofLoad(files);
    files.manifest = plan.manifest;
    if (plan.upgraded) {
      start.logger.info(
        `Successfully migrated an old-style AOF file (${files.filename}) into the AOF directory (${config.string('appenddirname')}).`,
      );
    }
    if (plan.totalBytes === 0) return null;
    persistence.beginLoading(plan.totalBytes);
    return { file: files.manifestPath, persistence, steps: loadAppendOnlyFiles(start, plan) };
  }
  const file = persistence.path();
  const bytes = fileSize(file);
  if (bytes === null) return null;
  persistence.beginLoading(bytes);
  return { file, persistence, steps: loadDump(start, persistence, file) };
}

/** appendonly yes: the directory, its base and the incremental file every thread logs to, ready (aof-startup.ts). */
function openAofIfOn(start: StartContext, state: AofState): void {
  const { config } = start;
  if (config.string('appendonly') !== 'yes') return;
  const log = (message: string): void => start.logger.info(message);
  const stamped = openAofOnStart(start.aofFiles, state, config, log, start.clock());
  if (stamped !== null) sharedAppendBuffer(start).noteStamp(stamped);
}

/** The append-only file's buffer every thread shares (its header's settings and last annotation). */
function sharedAppendBuffer(start: StartContext): SharedAppendBuffer {
  return new SharedAppendBuffer(start.shared.store.appendBuffer(), null);
}

function fileSize(file: string): number | null {
  try {
    return statSync(file).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Runs the load, answering clients between its steps (setImmediate lets the loop read and answer them), until
 * it ends or `stopped` (SHUTDOWN). A damaged file throws: the start fails, as Redis exits rather than serve part
 * of its data.
 */
async function runLoad(loader: Loader, stopped: () => boolean): Promise<void> {
  for (;;) {
    const step = loader.steps.next();
    if (step.done === true) return;
    loader.persistence.loadingProgress(step.value);
    await new Promise((resolve) => setImmediate(resolve));
    if (stopped()) return;
  }
}

/** The dump in dir into the store (rdb.c rdbLoad), in steps. */
function* loadDump(start: StartContext, persistence: Persistence, file: string): Generator<number, void> {
  const began = process.hrtime.bigint();
  const bytes = readFileSync(file);
  // Clients are answered between steps of this many bytes (rdb.c's loading_process_events_interval_bytes).
  const step = start.config.number('loading-process-events-interval-bytes');
  const loaded = yield* persistence.loadInSteps(bytes, step);
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  start.logger.info(
    { keys: loaded.keys, expired: loaded.expired, file },
    `DB loaded from disk: ${seconds.toFixed(3)} seconds`,
  );
}

/** serverCron's save points, checked ten times a second on this thread (unref'd). */
function startSavePoints(core: ThreadCore, logger: Logger): () => void {
  const persistence = core.server.persistence;
  if (persistence === undefined) return () => {};
  const timer = setInterval(() => {
    try {
      // One background job at a time, as Redis's hasActiveChildProcess: no save point while a rewrite runs.
      if (core.aof?.rewriting !== true) persistence.cron();
    } catch (e) {
      logger.error({ err: e }, 'save point check failed');
    }
  }, 100);
  timer.unref();
  return () => clearInterval(timer);
}

/** The HTTP interface on this thread, serving the main core whatever the RESP transport (src/http/). */
async function startHttp(
  start: StartContext,
  core: ThreadCore,
): Promise<{ server: HttpServer; address: ListenAddress }> {
  const { options } = start;
  const port = options.httpPort ?? 0;
  const server = new HttpServer({
    host: options.httpHost ?? options.host,
    port,
    logger: start.logger,
    sessionCore: () => core.sessionCore(),
    nextClientId: start.nextClientId,
    ...(options.httpLimits === undefined ? {} : { limits: options.httpLimits }),
    ...(options.closeGraceMs === undefined ? {} : { closeGraceMs: options.closeGraceMs }),
  });
  const address = await server.listen();
  const scripting = core.server.scripting;
  if (scripting !== undefined) server.serveWhileScriptsRun(scripting);
  start.logger.info(
    { host: address.host, port: address.port },
    `HTTP interface on ${address.host}:${address.port}`,
  );
  return { server, address };
}

/**
 * As Redis's adjustOpenFilesLimit: every client needs a descriptor, so maxclients above the descriptor limit
 * (minus a reserve) is lowered, with a warning, and CONFIG SET cannot raise it past that later.
 */
function capMaxclients(config: Config, logger: Logger): void {
  const openFiles = readOpenFilesLimit();
  const cap = maxclientsForLimit(openFiles);
  const requested = config.number('maxclients');
  if (requested > cap) {
    logger.warn(
      { requested, openFilesLimit: openFiles, maxclients: cap },
      `You requested maxclients of ${requested} requiring at least ${requested + RESERVED_FDS} max file ` +
        `descriptors. Current maximum open files is ${openFiles}. maxclients has been reduced to ${cap} ` +
        `to compensate for low ulimit.`,
    );
    config.apply('maxclients', String(cap));
  }
  config.addCheck('maxclients', (value) =>
    Number(value) > cap
      ? `The operating system is not able to handle the specified number of clients, try with ${cap}`
      : null,
  );
}

/**
 * Arena pages collapsed into 2 MiB ones per cron tick (each ~0.5-1 ms of this thread, copying): a 64mb cap's arena
 * is covered within a second of being written (store/huge-pages.ts).
 */
const HUGE_PAGES_PER_TICK = 4;

/** The cron's huge-page pacer, when the native helper is built with the calls (the event loop runs without). */
function arenaHugePages(): ArenaHugePages | null {
  const native = loadNative();
  const calls = native instanceof Error ? null : asHugePages(native);
  return calls === null ? null : new ArenaHugePages(calls);
}

/**
 * Redis's serverCron, hz times a second; unref'd so it never keeps the process up. One timer for the whole
 * server, on this thread: it refreshes the store's access clock (updateLRUClock: what OBJECT IDLETIME counts
 * in), samples used_memory for MEMORY STATS's peak (stat_peak_memory) and runs activeExpireCycle, unless DEBUG SET-ACTIVE-EXPIRE, run on any thread, turned that off through the
 * shared counters' switch (server.active_expire_enabled), read at every tick. With maxmemory set, it also maps
 * the arena's written pages by huge pages, where eviction's samples land (without a cap the arena keeps
 * growing, and copying each page as it is written would cost the writes more than the lookups gain).
 */
function startActiveExpire(
  store: KeyValueStore,
  config: Config,
  counters: ServerCounters,
  latency: SharedLatencyMonitor,
  logger: Logger,
  hugePages: ArenaHugePages | null,
): () => void {
  let timer: NodeJS.Timeout | null = null;
  const report = { sampled: 0, expired: 0, capReached: false };
  const schedule = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = setInterval(
      () => {
        try {
          store.refreshAccessClock();
          store.recordMemoryPeak();
          if (counters.activeExpireEnabled()) {
            const started = performance.now();
            if (store.activeExpireCycle(report) >= 0) {
              const { sampled, expired, capReached } = report;
              const milliseconds = performance.now() - started;
              counters.expireCycleRan(sampled, expired, capReached, milliseconds);
              latency.sampleIfNeeded('expire-cycle', milliseconds, Math.floor(Date.now() / 1000));
            }
          }
          if (hugePages !== null && config.number('maxmemory') > 0) {
            store.collapseArenaPages(hugePages, HUGE_PAGES_PER_TICK);
          }
        } catch (e) {
          logger.error({ err: e }, 'active expire cycle failed');
        }
      },
      Math.max(1, Math.round(1000 / Math.max(1, config.number('hz')))),
    );
    timer.unref();
  };
  schedule();
  config.onChange((name) => {
    if (name === 'hz' && timer !== null) schedule();
  });
  return () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
}

/**
 * The main thread's part in Pub/Sub: on the event loop it serves every subscriber (endpoint 0); on the pool and
 * the hybrid it serves none, but publishes (keyspace events of the active expiry) and wakes the threads that do
 * through their eventfds.
 */
function mainThreadPubSub(transport: TransportName, state: PubSubState): ServerContextDeps['pubsub'] {
  if (transport === 'eventloop') return { state, endpoint: 0 };
  const native = loadNative();
  const reactor = native instanceof Error ? native : asReactor(native);
  if (reactor instanceof Error) return { state, endpoint: null };
  return { state, endpoint: null, signal: (fd) => void reactor.eventfdSignal(fd) };
}

/** Loaded only when asked for: the pool needs the native helper, and the event loop must run without it. */
async function createPoolTransport(options: ThreadPoolOptions): Promise<Transport> {
  const native = loadNative();
  if (native instanceof Error) {
    throw new TransportUnavailableError(
      `--transport=pool needs the native helper: ${native.message}; run npm install with a C toolchain`,
    );
  }
  const { ThreadPoolTransport } = await import('./transport/threadpool/index.js');
  return new ThreadPoolTransport({ ...options, native });
}

/** Loaded only when asked for: the hybrid needs the native helper's reactor (Linux epoll). */
async function createHybridTransport(options: HybridOptions): Promise<Transport> {
  const native = loadNative();
  const reactor = native instanceof Error ? native : asReactor(native);
  if (reactor instanceof Error) {
    throw new TransportUnavailableError(
      `--transport=hybrid needs the native helper's reactor: ${reactor.message}; run npm install with a C toolchain`,
    );
  }
  const { HybridTransport } = await import('./transport/hybrid/index.js');
  return new HybridTransport({ ...options, native: native as Exclude<typeof native, Error> });
}

/**
 * Replays the append-only files into the store (aof/aof-replay.ts), on a core that writes no file of its own. A
 * file that cannot be loaded stops the start with the reason (AofFormatError).
 */
function loadAppendOnlyFiles(start: StartContext, plan: AofLoadPlan): Generator<number, void> {
  const replayCore = (): ThreadCore =>
    createThreadCore({
      store: start.shared.store,
      config: start.config,
      version: start.version,
      startedAt: start.startedAt,
      executable: mainScript(),
      tcpPort: 0,
      clock: start.clock,
      commands: start.shared.commands,
      counters: null,
      appendOnly: false,
      // FUNCTION LOAD replayed here reaches every thread, as EVAL's scripts do not need to (they are not logged).
      libraries: start.shared.libraries,
      // Replayed as Redis's AOF client, which has no user: every command allowed, no password asked.
      acl: AclHub.create(''),
      nativeRoot: packageRoot(),
      clients: () => [],
      client: () => undefined,
      transportStats: () => ({
        transport: start.options.transport,
        connectedClients: 0,
        totalConnections: 0,
        rejectedConnections: 0,
        maxclients: 0,
      }),
      reportUnexpected: (error, command) =>
        start.logger.error({ err: error, command }, 'error replaying the AOF'),
    });
  return replayAppendOnlyFiles(
    {
      store: start.shared.store,
      config: start.config,
      replayCore,
      warn: (fields, message) => start.logger.warn(fields, message),
      info: (fields, message) => start.logger.info(fields, message),
    },
    plan,
  );
}

/** appendfsync everysec: the file synced once a second off the request path (libuv's pool); the stop function. */
function startAofSync(core: ThreadCore, logger: Logger): () => void {
  const aof = core.aof;
  if (aof === undefined) return () => undefined;
  const timer = setInterval(() => aof.syncEverySecond(), 1000);
  timer.unref();
  return () => clearInterval(timer);
}
