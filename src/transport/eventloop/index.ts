// The event-loop transport: one net.Server on Node's own epoll loop, every socket non-blocking, one core
// Session per connection (connection.ts). This file owns accepting: maxclients, descriptor exhaustion
// (EMFILE), the idle-timeout sweep, the client registry (CLIENT LIST/KILL, INFO) and graceful close.
// It never imports the parser or commands: bytes go to sessions, reply bytes come back.

import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import type { ClientBuffers, ClientInfo, TransportStats } from '../../core/command.js';
import { Session, type SessionCore } from '../../core/session.js';
import type { Clock } from '../../core/store/types.js';
import type { ListenAddress, Transport, TransportOptions } from '../transport.js';
import {
  AcceptErrorLog,
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_IDLE_CHECK_INTERVAL_MS,
  turnAway,
} from '../accept-policy.js';
import { Connection, connectionOf, type ConnectionHost, type ConnectionLimits } from './connection.js';
import { ReplyTurn } from './reply-turn.js';
import { serveWhileBusyOn, type WatchClient } from '../serve-while-busy.js';
import { asReactor, type NativeReactor } from '../hybrid/native-reactor.js';
import { nativeSocketSend } from './socket-send.js';
import { freeOwnedBuffer } from '../free-buffer.js';
import { asMemory, type NativeMemory } from '../threadpool/native-addon.js';
import { loadNative } from '../threadpool/native.js';
import { ClientBufferPeaks } from '../../core/client-buffer-peaks.js';

export interface EventLoopTransportOptions extends TransportOptions {
  /**
   * The thread's core (store, server context, parser limits, writer) for a client connecting now: limits are
   * read then, so CONFIG SET applies to clients connecting afterwards.
   */
  sessionCore(): SessionCore;
  /** Clock for the idle timeout (default Date.now); tests inject a fake one. */
  readonly clock?: Clock;
}

/** Connections accepted per hook of a busy script (acceptWhileBusy). */
const ACCEPTS_PER_HOOK = 16;

export class EventLoopTransport implements Transport {
  private readonly server: net.Server;
  private readonly connections = new Map<number, Connection>();
  private readonly host: ConnectionHost;
  private readonly limits: ConnectionLimits = {
    outputBufferLimit: 0,
    queryBufferLimit: 0,
    pubsubOutputBufferLimit: 0,
  };
  private maxclients = 0;
  private timeoutSeconds = 0;
  private totalConnections = 0;
  private rejectedConnections = 0;
  /** Large query buffers freed at once instead of left to the GC (INFO pool_buffers_released). */
  private buffersReleased = 0;
  /**
   * Frees a large query buffer a session let go of now (free-buffer.ts), as the hybrid's loops do: the ~130 KiB
   * buffers a pipelining client outgrows and drops at the end of each batch otherwise wait for a collection in
   * malloc's heap, part of the RSS above the arena at maxmemory (bench/eviction.ts --parts cap).
   */
  private readonly memory = nativeMemory();
  private readonly releaseBuffer = (buffer: Buffer): void => {
    if (this.memory !== null && freeOwnedBuffer(this.memory, buffer)) this.buffersReleased++;
  };
  /** INFO's recent buffer peaks, sampled by the cron as Redis's clientsCron does (one row: this thread). */
  private readonly bufferPeaks = ClientBufferPeaks.create(1);
  private idleTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private readonly acceptErrors: AcceptErrorLog;
  /** Every client has the same local address: one string for all (an idle client's memory counts). */
  private laddr = { address: '', port: -1, text: '' };
  /** One 'close' listener for every socket (called with the socket as `this`), not a closure per client. */
  private readonly onSocketClose: (this: net.Socket) => void;
  /** One Pub/Sub listener for every session: its connection writes what the session holds. */
  private readonly onPushed = (session: Session): void => this.connections.get(session.client.id)?.pushed();

  constructor(private readonly options: EventLoopTransportOptions) {
    const connections = this.connections;
    const logger = options.logger;
    this.acceptErrors = new AcceptErrorLog(logger);
    this.onSocketClose = function (this: net.Socket): void {
      const connection = connectionOf(this);
      const id = connection.id;
      connection.session.end();
      connections.delete(id);
      logger.debug({ client: id }, 'client closed');
    };
    this.readSettings();
    options.config.onChange(() => this.readSettings());
    this.host = {
      limits: this.limits,
      logger: options.logger,
      closeGraceMs: options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS,
      // 64 KiB, as libuv suggests per read: a pipelined burst is read in as few calls as before.
      readBuffer: Buffer.allocUnsafe(64 * 1024),
      send: nativeSocketSend(),
    };
    // noDelay: replies are whole; Nagle would only add latency. keepAlive as Redis's tcp-keepalive 300.
    this.server = net.createServer(
      { noDelay: true, keepAlive: true, keepAliveInitialDelay: 300_000 },
      (socket) => void this.accept(socket),
    );
  }

  listen(): Promise<ListenAddress> {
    const { host, port, backlog } = this.options;
    return new Promise((resolve, reject) => {
      const onStartError = (e: Error): void => {
        this.server.off('listening', onListening);
        reject(e);
      };
      const onListening = (): void => {
        this.server.off('error', onStartError);
        // From now on an 'error' is an accept failure: never fatal (an unhandled 'error' would crash).
        this.server.on('error', (e: NodeJS.ErrnoException) => this.onAcceptError(e));
        const interval = this.options.idleCheckIntervalMs ?? DEFAULT_IDLE_CHECK_INTERVAL_MS;
        this.idleTimer = setInterval(() => this.cron(), interval);
        this.idleTimer.unref();
        const address = this.server.address() as net.AddressInfo;
        resolve({ host: address.address, port: address.port });
      };
      this.server.once('error', onStartError);
      this.server.once('listening', onListening);
      this.server.listen({ host, port, backlog });
    });
  }

  /**
   * Stops accepting, closes the listening socket, then ends every connection: each session has already run
   * every whole request it read, so ending flushes their replies before the FIN (a request still half-sent
   * is dropped with the connection). Resolves when every socket is closed; stragglers are destroyed after
   * the grace period.
   */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      if (this.idleTimer !== null) clearInterval(this.idleTimer);
      // The callback runs once the server and every connection it accepted (rejected ones too) are closed.
      this.server.close(() => resolve());
      for (const connection of this.connections.values()) connection.end();
    });
    return this.closing;
  }

  stats(): TransportStats {
    return {
      transport: 'eventloop',
      connectedClients: this.connections.size,
      totalConnections: this.totalConnections,
      rejectedConnections: this.rejectedConnections,
      maxclients: this.maxclients,
      buffersReleased: this.buffersReleased,
    };
  }

  clients(): ClientInfo[] {
    return [...this.connections.values()].map((c) => c.info());
  }

  client(id: number): ClientInfo | undefined {
    return this.connections.get(id)?.info();
  }

  /** The recent peaks and the last sampled total (client-buffer-peaks.ts): what INFO reports, as Redis's. */
  clientBuffers(): ClientBuffers {
    return this.bufferPeaks.read();
  }

  /** Two reads per client, no strings: the cron samples a server holding thousands of clients each second. */
  private sampleClientBuffers(): void {
    let maxQuery = 0;
    let maxOutput = 0;
    let total = 0;
    for (const connection of this.connections.values()) {
      const query = connection.session.queryBufferLength;
      const output = connection.socket.writableLength;
      if (query > maxQuery) maxQuery = query;
      if (output > maxOutput) maxOutput = output;
      total += query + output;
    }
    this.bufferPeaks.record(0, (this.options.clock ?? Date.now)(), { maxQuery, maxOutput, total });
  }

  /** CLIENT KILL: the client's replies already produced are flushed, then it is closed. */
  killClient(id: number): boolean {
    const connection = this.connections.get(id);
    if (connection === undefined) return false;
    connection.end();
    return true;
  }

  private readSettings(): void {
    const { config } = this.options;
    this.limits.outputBufferLimit = config.number('client-output-buffer-limit-bytes');
    this.limits.queryBufferLimit = config.number('client-query-buffer-limit');
    this.limits.pubsubOutputBufferLimit = config.number('client-output-buffer-limit-pubsub-bytes');
    this.maxclients = config.number('maxclients');
    this.timeoutSeconds = config.number('timeout');
  }

  /** The new client's connection, or null when it was turned away. */
  private accept(socket: net.Socket): Connection | null {
    if (this.closing !== null) {
      // Accepted in the same loop turn as close(): there is no one left to serve it.
      socket.destroy();
      return null;
    }
    if (this.connections.size >= this.maxclients) {
      this.rejectedConnections++;
      turnAway(socket, this.host.closeGraceMs);
      return null;
    }
    this.totalConnections++;
    const id = this.options.nextClientId();
    const core = this.options.sessionCore();
    const aof = core.server.aof;
    if (this.host.turn === undefined) {
      this.host.turn = new ReplyTurn(core.writer, aof, this.options.logger);
      this.serveWhileScriptsRun(core);
    }
    this.host.traffic ??= core.server.counters;
    const session = new Session(
      {
        ...core,
        ...(aof === undefined ? {} : { logWrittenByTransport: true }), // the turn writes the file
        ...(this.memory === null ? {} : { releaseBuffer: this.releaseBuffer }),
      },
      {
        id,
        addr: `${socket.remoteAddress}:${socket.remotePort}`,
        laddr: this.localAddressText(socket),
      },
    );
    const connection = new Connection(socket, session, this.host);
    this.connections.set(id, connection);
    session.setPushListener(this.onPushed);
    socket.on('close', this.onSocketClose);
    this.options.logger.debug({ client: id, addr: session.client.addr }, 'client connected');
    return connection;
  }

  /**
   * A script that runs past busy-reply-threshold runs on this one thread: from its hook the clients are read and
   * answered anyway (serve-while-busy.ts), as Redis does. Without the native reactor (no C toolchain, not Linux)
   * they wait for the script instead.
   */
  private serveWhileScriptsRun(core: SessionCore): void {
    const scripting = core.server.scripting;
    const addon = loadNative();
    const reactor = addon instanceof Error ? addon : asReactor(addon);
    if (scripting === undefined || reactor instanceof Error) return;
    serveWhileBusyOn(scripting, reactor, {
      forEachClient: (watch) => {
        for (const connection of this.connections.values()) watch(connection.fd, connection);
      },
      // Every client was given with its object: none is made later.
      clientOn: () => null,
      listeningDescriptor: () => this.listeningDescriptor(),
      acceptWaiting: (watch) => this.acceptWhileBusy(reactor, watch),
      writer: core.writer,
      started: () => this.host.turn?.writeOut(),
    });
  }

  /**
   * From a busy script's hook: the connections waiting on the listening socket, accepted behind libuv's back and
   * made this transport's sockets (a few per hook; the rest at the next).
   */
  private acceptWhileBusy(reactor: NativeReactor, watch: WatchClient): void {
    const listening = this.listeningDescriptor();
    if (listening < 0) return;
    for (let i = 0; i < ACCEPTS_PER_HOOK; i++) {
      const fd = reactor.acceptClient(listening);
      if (fd < 0) return; // nobody waiting, or out of descriptors (the connection waits in the backlog)
      const connection = this.accept(new net.Socket({ fd, readable: true, writable: true }));
      if (connection !== null) watch(connection.fd, connection);
    }
  }

  /** The listening socket's descriptor, or -1 (none, or not one libuv shows). */
  private listeningDescriptor(): number {
    const fd = (this.server as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
    return typeof fd === 'number' ? fd : -1;
  }

  private localAddressText(socket: net.Socket): string {
    const address = socket.localAddress ?? '';
    const port = socket.localPort ?? 0;
    const cached = this.laddr;
    if (address !== cached.address || port !== cached.port) {
      this.laddr = { address, port, text: `${address}:${port}` };
    }
    return this.laddr.text;
  }

  /** Once a second (Redis's clientsCron): idle clients, their buffers, and whether descriptors have run out. */
  private cron(): void {
    this.closeIdleClients();
    this.sampleClientBuffers();
    this.checkDescriptors();
  }

  /**
   * When accept() fails with EMFILE, libuv sheds the pending connections with its reserved-descriptor trick
   * and tells us nothing (net.Server emits 'error' only if the trick itself fails). So we probe: if even one
   * descriptor cannot be opened, new connections are being dropped; say so (rate-limited).
   */
  private checkDescriptors(): void {
    try {
      closeSync(openSync('/dev/null', 'r'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EMFILE' || code === 'ENFILE') this.onAcceptError(e as NodeJS.ErrnoException);
    }
  }

  /** Redis's clientsCronHandleTimeout, on a timer rather than per request: cheap with many idle clients. */
  private closeIdleClients(): void {
    if (this.timeoutSeconds <= 0) return;
    const now = (this.options.clock ?? Date.now)();
    const limitMs = this.timeoutSeconds * 1000;
    for (const connection of this.connections.values()) {
      // Redis never times a subscriber or a monitor out (clientsCronHandleTimeout skips CLIENT_PUBSUB and
      // CLIENT_SLAVE).
      const session = connection.session;
      if (
        now - session.client.lastInteraction > limitMs &&
        !session.subscribed &&
        !session.monitoring &&
        !session.blocked // Redis's clientsCronHandleTimeout leaves blocked clients to their own timeout
      ) {
        this.options.logger.debug({ client: connection.id }, 'closing idle client');
        connection.end();
      }
    }
  }

  /**
   * Out of descriptors (EMFILE/ENFILE) or another accept failure. libuv has already dropped the pending
   * connection (its reserved-descriptor trick), so the loop does not spin; we only log, rate-limited.
   */
  private onAcceptError(e: NodeJS.ErrnoException): void {
    this.acceptErrors.report(e, { connectedClients: this.connections.size, maxclients: this.maxclients });
  }
}

/** The native helper's memory calls, or null where it is not built (the event loop runs without it). */
function nativeMemory(): NativeMemory | null {
  const addon = loadNative();
  return addon instanceof Error ? null : asMemory(addon);
}
