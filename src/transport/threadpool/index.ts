// The thread-pool-per-connection transport (docs/design.md, "Thread pool"): the main thread only accepts
// and enqueues; worker threads serve one client each with blocking reads and writes. Accepting here means:
// take the descriptor from libuv (dup, destroy the JS socket, make the duplicate blocking) and hand it to
// the WorkerPool. Also enforces maxclients and the idle timeout, and closes gracefully.
// Knows nothing of commands, the parser or sessions: workers build those for themselves.

import type { AclHandles } from '../../core/acl/acl-hub.js';
import { closeSync, existsSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ClientBuffers, ClientInfo, TransportStats } from '../../core/command.js';
import { ClientBufferPeaks } from '../../core/client-buffer-peaks.js';
import type { PubSubState } from '../../core/pubsub/shared-state.js';
import type { ServerDiagnostics } from '../../core/diagnostics.js';
import { mainScript } from '../../core/server-context.js';
import type { SharedStore } from '../../core/store/store.js';
import {
  AcceptErrorLog,
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_IDLE_CHECK_INTERVAL_MS,
  turnAway,
} from '../accept-policy.js';
import type { ListenAddress, Transport, TransportOptions } from '../transport.js';
import { REJECTED, TCP_PORT, TOTAL_CONNECTIONS } from './layout.js';
import { type NativeFdUtil, loadNative, packageRoot } from './native.js';
import { poolStats, servedClients } from './pool-view.js';
import { PoolState } from './shared-state.js';
import { WorkerPool } from './worker-pool.js';
import { type WorkerEntry, chooseWorkerEntry } from './worker-entry.js';

export type { NativeFdUtil } from './native.js';
export { loadNative } from './native.js';

type StoreHandles = ReturnType<SharedStore['handles']>;

/** Idle workers kept ready ahead of clients when not given (--min-spare-workers). */
export const DEFAULT_MIN_SPARE_WORKERS = 2;
/** A worker idle this long is retired while more than the spare count are idle (--worker-idle-timeout). */
export const DEFAULT_WORKER_IDLE_TIMEOUT_MS = 30_000;

export interface ThreadPoolOptions extends TransportOptions {
  /** The most worker threads: the N-th concurrent client is served, the next one waits. */
  readonly workers: number;
  /** Idle workers kept ready ahead of clients (one is started and ready before listening, the rest right after). */
  readonly minSpareWorkers?: number;
  /** Retire a worker idle this long while more than minSpareWorkers are idle; 0: never. */
  readonly workerIdleTimeoutMs?: number;
  readonly storeHandles: StoreHandles;
  readonly version: string;
  readonly startedAt: number;
  /** SharedServerCounters.buffer from the main thread, so commands counted on every worker add up. */
  readonly countersBuffer?: SharedArrayBuffer;
  /** ScriptCache.buffer from the main thread: a script loaded on any thread runs by its sha on every worker. */
  readonly scriptsBuffer?: SharedArrayBuffer;
  /** LibraryRegistry.buffer from the main thread: a function loaded on any thread is called on every other. */
  readonly librariesBuffer?: SharedArrayBuffer;
  /** The ACL users and log every thread shares. */
  readonly aclHandles?: AclHandles;
  /** The slow log every thread shares (the main thread's). */
  readonly diagnostics?: ServerDiagnostics;
  /** `dir` at start-up, where every thread's append-only log stays (a thread may start after CONFIG SET dir). */
  readonly aofWorkDir?: string;
  /** Pub/Sub's shared state, with an endpoint per worker (slot i is endpoint i). */
  readonly pubsub?: PubSubState;
  /** Defaults to loadNative(); the constructor throws its Error when the helper is missing. */
  readonly native?: NativeFdUtil;
  /**
   * The script each worker thread runs, instead of the production entry (workerEntry()): for tests that wrap
   * the worker (test/support/throwing-pool-worker.ts), so no test hook lives in the workers' protocol.
   */
  readonly workerUrl?: URL;
}

/**
 * The worker entry as JavaScript: beside this module when it runs from dist/, else (TypeScript sources under
 * vitest) the build of it, since worker threads cannot load TypeScript on Node 20. The one-file bundle when
 * it is fresh, else worker.js (worker-entry.ts).
 */
export function workerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  if (moduleUrl.endsWith('.js')) return chooseWorkerEntry(new URL('./', moduleUrl));
  const root = packageRoot(fileURLToPath(moduleUrl)) ?? fileURLToPath(new URL('../../..', moduleUrl));
  return chooseWorkerEntry(pathToFileURL(join(root, 'dist', 'src', 'transport', 'threadpool') + '/'));
}

interface AcceptedHandle {
  readonly _handle?: { readonly fd?: number } | null;
}

export class ThreadPoolTransport implements Transport {
  private readonly native: NativeFdUtil;
  private readonly state: PoolState;
  private readonly pool: WorkerPool;
  /**
   * INFO's recent client buffer peaks, one row sampled by the sweep from what the workers publish of their
   * clients (a worker blocked in read(2) runs no cron of its own); every worker reads it for INFO.
   */
  private readonly bufferPeaks = ClientBufferPeaks.create(1);
  private readonly entry: WorkerEntry = workerEntry();
  // noDelay: replies and Pub/Sub messages are whole. With Nagle a subscriber's second message in a row waited
  // for the ACK of the first, which a client that only listens delays up to 40 ms: over 300 publishes the worst
  // publish-to-message time was 41 ms, 4.5 ms without it. The option stays with the descriptor the worker gets.
  private readonly server = net.createServer({ pauseOnConnect: true, noDelay: true });
  /** Sockets told "max number of clients reached", lingering until the client reads it and leaves. */
  private readonly rejecting = new Set<net.Socket>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly acceptErrors: AcceptErrorLog;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: ThreadPoolOptions) {
    const native = options.native ?? loadNative();
    if (native instanceof Error) throw native;
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new Error(`the pool needs at least one worker (got ${options.workers})`);
    }
    const minSpare = options.minSpareWorkers ?? DEFAULT_MIN_SPARE_WORKERS;
    if (!Number.isInteger(minSpare) || minSpare < 0) {
      throw new Error(`min-spare-workers must be a whole number, 0 or more (got ${minSpare})`);
    }
    const idleTimeout = options.workerIdleTimeoutMs ?? DEFAULT_WORKER_IDLE_TIMEOUT_MS;
    if (!Number.isFinite(idleTimeout) || idleTimeout < 0) {
      throw new Error(`worker-idle-timeout must be 0 or more (got ${idleTimeout})`);
    }
    this.native = native;
    this.acceptErrors = new AcceptErrorLog(options.logger);
    this.state = PoolState.create(options.workers);
    this.pool = new WorkerPool({
      size: options.workers,
      minSpare,
      workerUrl: options.workerUrl ?? this.entry.url,
      state: this.state,
      config: options.config,
      logger: options.logger,
      native,
      storeControl: new Int32Array(options.storeHandles.control),
      init: {
        slots: options.workers,
        poolBuffer: this.state.buffer,
        storeHandles: options.storeHandles,
        countersBuffer: options.countersBuffer ?? null,
        scriptsBuffer: options.scriptsBuffer ?? null,
        librariesBuffer: options.librariesBuffer ?? null,
        aclHandles: options.aclHandles ?? null,
        diagnosticsHandles: options.diagnostics?.handles() ?? null,
        aofWorkDir: options.aofWorkDir ?? null,
        aofFaults: options.aofFaults ?? null,
        version: options.version,
        startedAt: options.startedAt,
        executable: mainScript(),
        // The worker runs as a CommonJS bundle, where import.meta is empty: it loads the addon from here.
        nativeRoot: packageRoot(),
        pubsubHandles: options.pubsub?.handles() ?? null,
        bufferPeaksBuffer: this.bufferPeaks.buffer,
      },
      ...(options.pubsub === undefined ? {} : { pubsub: options.pubsub }),
      ...(options.diagnostics === undefined ? {} : { diagnostics: options.diagnostics }),
      ...(options.shutdown === undefined ? {} : { shutdown: (flags) => options.shutdown?.(flags) ?? false }),
      ...(options.exit === undefined ? {} : { exit: (reason: string) => options.exit?.(reason) }),
    });
    this.server.on('connection', (socket: net.Socket) => this.accept(socket));
  }

  async listen(): Promise<ListenAddress> {
    const entry = this.entry;
    if (!existsSync(fileURLToPath(entry.url))) {
      throw new Error(
        `the pool's worker ${fileURLToPath(entry.url)} is missing: run \`npm run build\` first`,
      );
    }
    if (entry.reason !== undefined) {
      this.options.logger.warn(
        { reason: entry.reason },
        'pool worker bundle is stale; workers start from worker.js (slower): run `npm run build`',
      );
    }
    try {
      await this.pool.start();
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(
          { port: this.options.port, host: this.options.host, backlog: this.options.backlog },
          () => {
            this.server.off('error', reject);
            resolve();
          },
        );
      });
    } catch (e) {
      await this.pool.stop(0);
      throw e;
    }
    // From now on an accept error (EMFILE, ENFILE, ...) is logged, never fatal: libuv keeps listening and
    // sheds the connection it could not take, so the loop does not spin on it.
    this.server.on('error', (error: NodeJS.ErrnoException) => this.acceptFailed(error));
    const address = this.server.address() as net.AddressInfo;
    this.state.store(TCP_PORT, address.port);
    // Workers copied the config before the port was bound (port 0 asks for any): tell them the real one, and
    // put it in the config workers started later copy.
    this.options.config.apply('port', String(address.port));
    this.pool.replicate('port', String(address.port));
    const interval = this.options.idleCheckIntervalMs ?? DEFAULT_IDLE_CHECK_INTERVAL_MS;
    this.sweepTimer = setInterval(() => this.sweep(), interval);
    this.sweepTimer.unref();
    return { host: address.address, port: address.port };
  }

  private accept(socket: net.Socket): void {
    if (this.closing !== null) return void socket.destroy();
    // As Redis's acceptCommonHandler: a refused client counts as rejected, not as a connection received.
    if (this.pool.connected() >= this.options.config.number('maxclients')) return this.reject(socket);
    this.state.add(TOTAL_CONNECTIONS, 1);
    const fd = (socket as unknown as AcceptedHandle)._handle?.fd;
    const addr = `${socket.remoteAddress}:${socket.remotePort}`;
    const laddr = `${socket.localAddress}:${socket.localPort}`;
    let copy: number;
    try {
      if (fd === undefined || fd < 0) throw new Error('the accepted socket has no descriptor');
      copy = this.native.dup(fd);
    } catch (e) {
      socket.destroy();
      return this.acceptFailed(e as NodeJS.ErrnoException);
    }
    // libuv's handle goes; the duplicate keeps the connection open. O_NONBLOCK belongs to the shared open
    // file description, so clear it only once libuv can no longer touch it.
    socket.destroy();
    try {
      this.native.setBlocking(copy, true);
    } catch (e) {
      closeSync(copy);
      this.options.logger.warn({ err: e, addr }, 'could not make a client descriptor blocking; closed it');
      return;
    }
    this.pool.submit({ fd: copy, clientId: this.options.nextClientId(), addr, laddr, createdAt: Date.now() });
  }

  /** As Redis past maxclients: counted as rejected, not as a connection received; told why, then closed. */
  private reject(socket: net.Socket): void {
    this.state.add(REJECTED, 1);
    this.rejecting.add(socket);
    socket.on('close', () => this.rejecting.delete(socket));
    turnAway(socket, this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
  }

  private acceptFailed(error: NodeJS.ErrnoException): void {
    this.acceptErrors.report(error);
  }

  private sweep(): void {
    const timeout = this.options.config.number('timeout');
    this.pool.sweepClosing(Date.now(), this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
    if (timeout > 0) this.pool.sweepIdle(Date.now(), timeout * 1000);
    this.pool.retireIdle(Date.now(), this.options.workerIdleTimeoutMs ?? DEFAULT_WORKER_IDLE_TIMEOUT_MS);
    this.sampleClientBuffers();
  }

  /** Redis's clientsCronTrackExpansiveClients over the served clients (a queued one has no buffers yet). */
  private sampleClientBuffers(): void {
    let maxQuery = 0;
    let total = 0;
    for (const client of servedClients(this.state)) {
      if (client.queryBuffer > maxQuery) maxQuery = client.queryBuffer;
      total += client.queryBuffer; // replies are written synchronously: no output buffer
    }
    this.bufferPeaks.record(0, Date.now(), { maxQuery, maxOutput: 0, total });
  }

  clientBuffers(): ClientBuffers {
    return this.bufferPeaks.read();
  }

  stats(): TransportStats {
    return poolStats(this.state, this.options.config.number('maxclients'));
  }

  clients(): ClientInfo[] {
    return this.pool.clients();
  }

  client(id: number): ClientInfo | undefined {
    return this.pool.clients().find((c) => c.id === id);
  }

  /** CLIENT KILL from the main thread's side (workers route theirs through the pool). */
  killClient(id: number): boolean {
    return this.pool.killClient(id);
  }

  /**
   * The second-signal path: shuts every client down at once so no worker is left inside a blocking read or
   * write, then process.exit() can return. Synchronous; not graceful (replies in flight may be cut).
   */
  abort(): void {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    for (const socket of this.rejecting) socket.destroy();
    this.pool.abort();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    const listening = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
    for (const socket of this.rejecting) socket.destroy();
    await Promise.all([this.pool.stop(this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS), listening]);
  }
}
