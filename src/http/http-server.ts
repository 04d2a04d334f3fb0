// The HTTP listener (--http-port): a net.Server on this thread whose connections each get a RequestHandler, a
// client context of their own on the thread's core, so HTTP requests run through the same executor and store
// as RESP clients whatever the RESP transport is (the pool's and the hybrid's store is shared memory), and are
// served from the hook of a script this thread runs past busy-reply-threshold as the RESP clients are. A raw
// socket and a small parser rather than node:http: bench/results/http.md has the figures that chose it.
// Knows sockets and the core's SessionCore; nothing of the RESP transports.

import net from 'node:net';
import type { Logger } from 'pino';
import { ByteWriter } from '../core/reply-encoding.js';
import type { Scripting } from '../core/scripting/scripting.js';
import type { SessionCore } from '../core/session.js';
import { asReactor } from '../transport/hybrid/native-reactor.js';
import { serveWhileBusyOn } from '../transport/serve-while-busy.js';
import { loadNative } from '../transport/threadpool/native.js';
import { AcceptErrorLog, DEFAULT_CLOSE_GRACE_MS } from '../transport/accept-policy.js';
import type { ListenAddress } from '../transport/transport.js';
import { HttpConnection } from './http-connection.js';
import { HttpMetrics } from './metrics.js';
import { RequestHandler } from './request-handler.js';
import type { HttpLimits } from './request-parser.js';

/** Connections accepted per hook of a busy script (serveWhileScriptsRun). */
const ACCEPTS_PER_HOOK = 16;

export interface HttpServerLimits extends HttpLimits {
  /** A keep-alive connection with no request for this long is closed (HTTP has no idle clients to keep). */
  readonly idleTimeoutMs: number;
}

/** A URL (with the request line and headers) up to 1 MiB: values travel in the path with GET. */
export const DEFAULT_HTTP_LIMITS: HttpServerLimits = Object.freeze({
  maxHeaderBytes: 1024 * 1024,
  maxBodyBytes: 64 * 1024 * 1024,
  idleTimeoutMs: 60_000,
});

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** The thread's core; asked for when a client connects (the server builds it after the RESP port binds). */
  sessionCore(): SessionCore;
  /** Client ids are unique across the whole server, RESP clients included. */
  nextClientId(): number;
  readonly limits?: Partial<HttpServerLimits>;
  readonly closeGraceMs?: number;
}

export class HttpServer {
  readonly metrics = new HttpMetrics();
  private readonly server: net.Server;
  private readonly connections = new Set<HttpConnection>();
  private readonly limits: HttpServerLimits;
  private readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  private readonly out = new ByteWriter();
  private readonly acceptErrors: AcceptErrorLog;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: HttpServerOptions) {
    this.limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
    this.acceptErrors = new AcceptErrorLog(options.logger);
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  listen(): Promise<ListenAddress> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        // Once listening, an error is a failed accept (EMFILE...): logged, rate-limited, never fatal.
        this.server.on('error', (e: NodeJS.ErrnoException) => this.acceptErrors.report(e, { http: true }));
        const address = this.server.address() as net.AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** HTTP connections open now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting; every connection finishes the request it has and ends. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const connection of this.connections) connection.end();
    });
    return this.closing;
  }

  /** Abrupt: every connection dropped now. */
  abort(): void {
    this.server.close();
    for (const connection of this.connections) connection.socket.destroy();
  }

  /**
   * A script of this thread that runs past busy-reply-threshold holds it: from its hook the HTTP clients are read and
   * answered anyway (serve-while-busy.ts), BUSY as Redis answers every client, with the thread's RESP clients.
   * Without the native reactor they wait for the script.
   */
  serveWhileScriptsRun(scripting: Scripting): void {
    const addon = loadNative();
    const reactor = addon instanceof Error ? addon : asReactor(addon);
    if (reactor instanceof Error) return;
    serveWhileBusyOn(scripting, reactor, {
      forEachClient: (watch) => {
        for (const connection of this.connections) watch(connection.fd, connection);
      },
      clientOn: () => null, // every client was given with its object
      listeningDescriptor: () => this.listeningDescriptor(),
      acceptWaiting: (watch) => {
        const listening = this.listeningDescriptor();
        for (let i = 0; listening >= 0 && i < ACCEPTS_PER_HOOK; i++) {
          const fd = reactor.acceptClient(listening);
          if (fd < 0) return; // nobody waiting, or out of descriptors (the connection waits in the backlog)
          const connection = this.accept(new net.Socket({ fd, readable: true, writable: true }));
          if (connection !== null) watch(connection.fd, connection);
        }
      },
      writer: this.out,
    });
  }

  /** The listening socket's descriptor, or -1 (none, or not one libuv shows). */
  private listeningDescriptor(): number {
    const fd = (this.server as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
    return typeof fd === 'number' ? fd : -1;
  }

  private accept(socket: net.Socket): HttpConnection | null {
    if (this.closing !== null) {
      socket.destroy();
      return null;
    }
    const handler = new RequestHandler(
      { sessionCore: () => this.options.sessionCore(), metrics: this.metrics },
      {
        id: this.options.nextClientId(),
        addr: `${socket.remoteAddress}:${socket.remotePort}`,
        laddr: `${socket.localAddress}:${socket.localPort}`,
      },
    );
    const connection = new HttpConnection(socket, handler, {
      limits: this.limits,
      logger: this.options.logger,
      closeGraceMs: this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS,
      readBuffer: this.readBuffer,
      out: this.out,
      closed: (c) => {
        this.connections.delete(c);
        this.metrics.connections = this.connections.size;
      },
    });
    // Reset by every read and write (net.js does it); fires only on a connection that went quiet.
    socket.setTimeout(this.limits.idleTimeoutMs, () => connection.end());
    this.connections.add(connection);
    this.metrics.connections = this.connections.size;
    this.metrics.connectionsReceived++;
    return connection;
  }
}
