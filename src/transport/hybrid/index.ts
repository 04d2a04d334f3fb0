// The hybrid transport (DESIGN.md "The hybrid transport"): a pool of event loops, memcached's model. The main
// thread only accepts: it takes each descriptor from libuv (dup, then destroys its own handle; the duplicate
// stays non-blocking) and hands it to the loop thread with the fewest clients, which serves it with epoll for
// as long as it stays (loop-worker.ts). An idle client holds no thread, so nobody starves, and the loops run
// commands on the shared store in parallel. Also enforces maxclients and closes gracefully.
// Knows nothing of commands, the parser or sessions: loops build those for themselves.

import { closeSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ClientInfo, TransportStats } from '../../core/command.js';
import { mainScript } from '../../core/server-context.js';
import type { SharedStore } from '../../core/store/store.js';
import { loadNative, type NativeFdUtil, packageRoot } from '../threadpool/native.js';
import { AcceptErrorLog, turnAway } from '../accept-policy.js';
import type { ListenAddress, Transport, TransportOptions } from '../transport.js';
import { LOOPS, REJECTED, stateBytes, TCP_PORT, TOTAL_CONNECTIONS } from './layout.js';
import { LoopGroup } from './loop-group.js';
import { asReactor } from './native-reactor.js';

export interface HybridOptions extends TransportOptions {
  /** Loop threads. */
  readonly workers: number;
  readonly storeHandles: ReturnType<SharedStore['handles']>;
  readonly version: string;
  readonly startedAt: number;
  /** SharedServerCounters.buffer from the main thread, so commands counted on every loop add up. */
  readonly countersBuffer?: SharedArrayBuffer;
  /** Defaults to loadNative(); the constructor throws when the helper or its reactor is missing. */
  readonly native?: NativeFdUtil;
  /** How long a closing client may take to flush and hear the peer's FIN (ms, default 2000). */
  readonly closeGraceMs?: number;
  /** How often loops look for idle and lingering clients (ms, default 1000). */
  readonly sweepIntervalMs?: number;
}

/** The loop thread's entry as JavaScript: beside this module from dist/, else (vitest on sources) its build. */
export function loopWorkerUrl(moduleUrl: string = import.meta.url): URL {
  if (moduleUrl.endsWith('.js')) return new URL('./loop-worker.js', moduleUrl);
  const root = packageRoot(fileURLToPath(moduleUrl)) ?? fileURLToPath(new URL('../../..', moduleUrl));
  return pathToFileURL(join(root, 'dist', 'src', 'transport', 'hybrid', 'loop-worker.js'));
}

interface AcceptedHandle {
  readonly _handle?: { readonly fd?: number } | null;
}

export class HybridTransport implements Transport {
  private readonly native: NativeFdUtil;
  private readonly state: Int32Array;
  private readonly group: LoopGroup;
  // noDelay: replies are whole, Nagle would only delay them; keepAlive as Redis's tcp-keepalive 300. Both are
  // socket options, so the duplicate a loop serves keeps them.
  private readonly server = net.createServer({
    pauseOnConnect: true,
    noDelay: true,
    keepAlive: true,
    keepAliveInitialDelay: 300_000,
  });
  private readonly rejecting = new Set<net.Socket>();
  private readonly acceptErrors: AcceptErrorLog;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: HybridOptions) {
    const native = options.native ?? loadNative();
    if (native instanceof Error) throw native;
    const reactor = asReactor(native);
    if (reactor instanceof Error) throw reactor;
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new Error(`the hybrid transport needs at least one loop thread (got ${options.workers})`);
    }
    const root = packageRoot();
    if (root === null) throw new Error('the hybrid transport cannot find its package root (binding.gyp)');
    this.native = native;
    this.acceptErrors = new AcceptErrorLog(options.logger);
    this.state = new Int32Array(new SharedArrayBuffer(stateBytes(options.workers)));
    this.group = new LoopGroup({
      size: options.workers,
      workerUrl: loopWorkerUrl(),
      state: this.state,
      config: options.config,
      logger: options.logger,
      native: reactor,
      init: {
        loops: options.workers,
        stateBuffer: this.state.buffer as SharedArrayBuffer,
        storeHandles: options.storeHandles,
        countersBuffer: options.countersBuffer ?? null,
        version: options.version,
        startedAt: options.startedAt,
        executable: mainScript(),
        nativeRoot: root,
        closeGraceMs: options.closeGraceMs ?? 2000,
        sweepIntervalMs: options.sweepIntervalMs ?? 1000,
      },
    });
    this.server.on('connection', (socket: net.Socket) => this.accept(socket));
  }

  async listen(): Promise<ListenAddress> {
    try {
      await this.group.start();
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
      await this.group.stop(0);
      throw e;
    }
    // From now on an accept error (EMFILE, ...) is logged, never fatal: libuv sheds what it could not take.
    this.server.on('error', (error: NodeJS.ErrnoException) => this.acceptFailed(error));
    const address = this.server.address() as net.AddressInfo;
    Atomics.store(this.state, TCP_PORT, address.port);
    // The loops copied the config before the port was bound (port 0 asks for any): tell them the real one.
    this.group.replicate('port', String(address.port));
    return { host: address.address, port: address.port };
  }

  private accept(socket: net.Socket): void {
    if (this.closing !== null) return void socket.destroy();
    // As Redis's acceptCommonHandler: a refused client counts as rejected, not as a connection received.
    if (this.group.connected() >= this.options.config.number('maxclients')) return this.reject(socket);
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
    // libuv's handle goes; the duplicate (non-blocking, as libuv left the shared open file) is the loop's.
    socket.destroy();
    Atomics.add(this.state, TOTAL_CONNECTIONS, 1);
    const handed = this.group.submit({
      fd: copy,
      id: this.options.nextClientId(),
      addr,
      laddr,
      createdAt: Date.now(),
    });
    if (!handed) closeSync(copy); // no loop is running (all restarting): the client is dropped
  }

  /** As Redis past maxclients: counted as rejected, not as a connection received; told why, then closed. */
  private reject(socket: net.Socket): void {
    Atomics.add(this.state, REJECTED, 1);
    this.rejecting.add(socket);
    socket.on('close', () => this.rejecting.delete(socket));
    turnAway(socket, this.options.closeGraceMs ?? 2000);
  }

  private acceptFailed(error: NodeJS.ErrnoException): void {
    this.acceptErrors.report(error);
  }

  stats(): TransportStats {
    return {
      transport: 'hybrid',
      connectedClients: this.group.connected(),
      totalConnections: Atomics.load(this.state, TOTAL_CONNECTIONS),
      rejectedConnections: Atomics.load(this.state, REJECTED),
      workers: Atomics.load(this.state, LOOPS),
      maxclients: this.options.config.number('maxclients'),
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

  abort(): void {
    for (const socket of this.rejecting) socket.destroy();
    this.group.abort();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const listening = new Promise<void>((resolve) => {
        if (!this.server.listening) return resolve();
        this.server.close(() => resolve());
      });
      for (const socket of this.rejecting) socket.destroy();
      await Promise.all([this.group.stop(this.options.closeGraceMs ?? 2000), listening]);
    })();
    return this.closing;
  }
}
