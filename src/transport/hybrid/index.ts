// The hybrid transport (docs/design.md, "Hybrid"): a pool of event loops, memcached's model. N loop
// threads each serve their clients with epoll (loop-worker.ts); loop 0 also accepts, natively, and gives each
// client to the loop with the fewest (acceptor.ts). An idle client holds no thread, so nobody starves, and
// the loops run commands on the shared store in parallel. The main thread only opens the listening socket,
// starts the loops and relays between them: no JS object per connection is made anywhere but on the loop that
// serves it (a net.Socket per accept on the main thread cost ~1.2 KB of RSS per idle client at 10,000).
// Knows nothing of commands, the parser or sessions: loops build those for themselves.

import type { AclHandles } from '../../core/acl/acl-hub.js';
import { lookup } from 'node:dns/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ClientBuffers, ClientInfo, TransportStats } from '../../core/command.js';
import { ClientBufferPeaks } from '../../core/client-buffer-peaks.js';
import type { PubSubState } from '../../core/pubsub/shared-state.js';
import type { ServerDiagnostics } from '../../core/diagnostics.js';
import { mainScript } from '../../core/server-context.js';
import type { SharedStore } from '../../core/store/store.js';
import { loadNative, type NativeFdUtil, packageRoot } from '../threadpool/native.js';
import { chooseWorkerEntry, type WorkerEntry } from '../threadpool/worker-entry.js';
import { DEFAULT_CLOSE_GRACE_MS, DEFAULT_IDLE_CHECK_INTERVAL_MS } from '../accept-policy.js';
import type { ListenAddress, Transport, TransportOptions } from '../transport.js';
import {
  BUFFERS_RELEASED,
  connectedAt,
  LOOPS,
  REJECTED,
  stateBytes,
  TCP_PORT,
  TOTAL_CONNECTIONS,
} from './layout.js';
import { LoopGroup } from './loop-group.js';
import { asReactor, check, type NativeReactor } from './native-reactor.js';

const LOOP_WORKER = 'loop-worker';

export interface HybridOptions extends TransportOptions {
  /** Loop threads. */
  readonly workers: number;
  readonly storeHandles: ReturnType<SharedStore['handles']>;
  readonly version: string;
  readonly startedAt: number;
  /** SharedServerCounters.buffer from the main thread, so commands counted on every loop add up. */
  readonly countersBuffer?: SharedArrayBuffer;
  /** ScriptCache.buffer from the main thread: a script loaded on any thread runs by its sha on every loop. */
  readonly scriptsBuffer?: SharedArrayBuffer;
  /** LibraryRegistry.buffer from the main thread: a function loaded on any thread is called on every other. */
  readonly librariesBuffer?: SharedArrayBuffer;
  /** The ACL users and log every thread shares. */
  readonly aclHandles?: AclHandles;
  /** The slow log every thread shares (the main thread's). */
  readonly diagnostics?: ServerDiagnostics;
  /** `dir` at start-up, where every thread's append-only log stays (a thread may start after CONFIG SET dir). */
  readonly aofWorkDir?: string;
  /** Pub/Sub's shared state, with an endpoint per loop (loop i is endpoint i). */
  readonly pubsub?: PubSubState;
  /** Defaults to loadNative(); the constructor throws when the helper or its reactor is missing. */
  readonly native?: NativeFdUtil;
  /**
   * The script each loop thread runs, instead of the production entry (loopWorkerEntry()): for tests that wrap
   * the loop (test/support/held-loop-worker.ts), so no test hook lives in the loops' protocol.
   */
  readonly workerUrl?: URL;
}

/**
 * The loop thread's entry as JavaScript: beside this module from dist/, else (vitest on the sources) the build
 * of it, since worker threads cannot load TypeScript on Node 20. Its one-file bundle when fresh.
 */
export function loopWorkerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  if (moduleUrl.endsWith('.js')) return chooseWorkerEntry(new URL('./', moduleUrl), LOOP_WORKER);
  const root = packageRoot(fileURLToPath(moduleUrl)) ?? fileURLToPath(new URL('../../..', moduleUrl));
  return chooseWorkerEntry(
    pathToFileURL(join(root, 'dist', 'src', 'transport', 'hybrid') + '/'),
    LOOP_WORKER,
  );
}

export class HybridTransport implements Transport {
  private readonly native: NativeReactor;
  private readonly state: Int32Array;
  /** INFO's recent client buffer peaks: a row per loop, each sampled by its loop's sweep. */
  private readonly bufferPeaks: ClientBufferPeaks;
  private group: LoopGroup | null = null;
  private listenFd = -1;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: HybridOptions) {
    const native = options.native ?? loadNative();
    if (native instanceof Error) throw native;
    const reactor = asReactor(native);
    if (reactor instanceof Error) throw reactor;
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new Error(`the hybrid transport needs at least one loop thread (got ${options.workers})`);
    }
    this.native = reactor;
    this.state = new Int32Array(new SharedArrayBuffer(stateBytes(options.workers)));
    this.bufferPeaks = ClientBufferPeaks.create(options.workers);
  }

  async listen(): Promise<ListenAddress> {
    const { host, port, backlog } = this.options;
    const root = packageRoot();
    if (root === null) throw new Error('the hybrid transport cannot find its package root (binding.gyp)');
    const { address } = await lookup(host);
    this.listenFd = check(this.native.listenTcp(address, port, backlog), 'listen');
    const bound = check(this.native.boundPort(this.listenFd), 'getsockname');
    Atomics.store(this.state, TCP_PORT, bound);
    const options = this.options;
    const entry = loopWorkerEntry();
    if (entry.reason !== undefined) {
      options.logger.warn(
        { reason: entry.reason },
        'hybrid loop bundle is stale; loops start from loop-worker.js',
      );
    }
    const group = new LoopGroup({
      size: options.workers,
      workerUrl: options.workerUrl ?? entry.url,
      state: this.state,
      config: options.config,
      logger: options.logger,
      native: this.native,
      storeControl: new Int32Array(options.storeHandles.control),
      init: {
        loops: options.workers,
        stateBuffer: this.state.buffer as SharedArrayBuffer,
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
        nativeRoot: root,
        listenFd: this.listenFd,
        closeGraceMs: options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS,
        idleCheckIntervalMs: options.idleCheckIntervalMs ?? DEFAULT_IDLE_CHECK_INTERVAL_MS,
        pubsubHandles: options.pubsub?.handles() ?? null,
        bufferPeaksBuffer: this.bufferPeaks.buffer,
      },
      ...(options.pubsub === undefined ? {} : { pubsub: options.pubsub }),
      ...(options.diagnostics === undefined ? {} : { diagnostics: options.diagnostics }),
      ...(options.shutdown === undefined ? {} : { shutdown: (flags) => options.shutdown?.(flags) ?? false }),
      ...(options.exit === undefined ? {} : { exit: (reason: string) => options.exit?.(reason) }),
    });
    this.group = group;
    // The loops copy the config when they start: the port asked for may have been 0 (any), so tell the real one.
    options.config.apply('port', String(bound));
    try {
      await group.start();
    } catch (e) {
      await group.stop(0);
      this.native.closeFd(this.listenFd);
      throw e;
    }
    return { host: address, port: bound };
  }

  stats(): TransportStats {
    let connected = 0;
    for (let loop = 0; loop < this.options.workers; loop++)
      connected += Atomics.load(this.state, connectedAt(loop));
    return {
      transport: 'hybrid',
      connectedClients: connected,
      totalConnections: Atomics.load(this.state, TOTAL_CONNECTIONS),
      rejectedConnections: Atomics.load(this.state, REJECTED),
      workers: Atomics.load(this.state, LOOPS),
      maxclients: this.options.config.number('maxclients'),
      buffersReleased: Atomics.load(this.state, BUFFERS_RELEASED),
    };
  }

  /**
   * The main thread holds no client: each loop lists the server's clients for its own (CLIENT LIST runs there,
   * gathering the other loops'); no command runs here.
   */
  clients(): ClientInfo[] {
    return [];
  }

  client(): ClientInfo | undefined {
    return undefined;
  }

  /** What the loops sampled (client-buffer-peaks.ts), for the main thread's INFO (the HTTP interface's). */
  clientBuffers(): ClientBuffers {
    return this.bufferPeaks.read();
  }

  abort(): void {
    this.group?.abort();
  }

  /** Stop accepting, let every loop answer what it received and close its clients, then close the listener. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.group?.stop(this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
      if (this.listenFd >= 0) this.native.closeFd(this.listenFd);
      this.listenFd = -1;
    })();
    return this.closing;
  }
}
