// The Transport interface: how a concurrency model plugs into the server. A transport accepts connections,
// moves bytes between sockets and core Sessions, and reports its figures; it never imports commands or the
// parser, and the core never knows which transport (or thread) it runs in.

import type { Logger } from 'pino';
import type { ClientBuffers, ClientInfo, ShutdownFlags, TransportStats } from '../core/command.js';
import type { Config } from '../core/config.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** What every transport's constructor takes; each adds what its own model needs. */
export interface TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly backlog: number;
  readonly config: Config;
  readonly logger: Logger;
  /** Default DEFAULT_CLOSE_GRACE_MS (accept-policy.ts); tests shorten it. */
  readonly closeGraceMs?: number;
  /** Default DEFAULT_IDLE_CHECK_INTERVAL_MS (accept-policy.ts); tests shorten it. */
  readonly idleCheckIntervalMs?: number;
  /** Client ids are unique across the whole server, so the server hands them out. */
  nextClientId(): number;
  /**
   * The server's shutdown routine (ServerContext.shutdown), which runs on the main thread: a transport whose
   * clients are served on other threads relays their SHUTDOWN here (core/shutdown-request.ts).
   */
  shutdown?(flags: ShutdownFlags): boolean;
  /**
   * The server's stop where Redis exits(1) (the append-only file failed under appendfsync always), run on the main
   * thread: a transport whose clients are served on other threads relays their threads' request here.
   */
  exit?(reason: string): void;
  /** Test hook: an AofFaultSwitch's buffer, given to every thread's append-only writer (ServerOptions.aofFaults). */
  readonly aofFaults?: SharedArrayBuffer;
}

export interface Transport {
  /** Starts listening; resolves with the bound address once the server accepts connections. */
  listen(): Promise<ListenAddress>;
  /**
   * Graceful close: stop accepting and close the listening socket, let requests already received finish and
   * their replies be written, close idle and queued clients, free threads and memory.
   */
  close(): Promise<void>;
  stats(): TransportStats;
  /** The connected clients as CLIENT LIST shows them (as far as this transport can tell). */
  clients(): ClientInfo[];
  /** One connected client's entry in clients(), found directly. */
  client(id: number): ClientInfo | undefined;
  /** The clients' buffers as its cron sampled them (client-buffer-peaks.ts, for INFO); absent: from clients(). */
  clientBuffers?(): ClientBuffers;
  /** CLIENT KILL from the main thread's side; false if unknown. Where absent, commands run on other threads. */
  killClient?(id: number): boolean;
  /**
   * Abrupt: shut every client's socket down now, dropping what is in flight, so the process can exit at once.
   * The pool needs it: process.exit() hangs while a worker thread is blocked in read(2) (docs/design.md).
   */
  abort?(): void;
}
