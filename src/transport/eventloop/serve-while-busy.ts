// The event loop's clients while a script runs past busy-reply-threshold on its one thread: Redis's
// processEventsWhileBlocked, which the script's hook calls. libuv's loop cannot run from inside the script (it is
// not re-entrant), so this reads the sockets itself, behind libuv's back, through an epoll set of its own made when
// the script times out: every client but the script's own, and the listening socket. What it reads goes to the
// client's session at once (the executor answers BUSY or runs the allow-busy commands; SHUTDOWN NOSAVE waits for
// the script to unwind: held-while-busy.ts) and the replies are written at once. Bytes read here are gone from the
// kernel, so libuv never sees them twice; a readiness libuv had already collected for one of these descriptors
// before the script began ends in EAGAIN, which it expects. A client whose input reaches its end here is left for
// libuv to read the end again once the script is over. New connections are accepted here too.
// Knows connections and the native reactor's calls; nothing of commands or Lua.

import type { ByteWriter } from '../../core/reply-encoding.js';
import { EAGAIN, type NativeReactor } from '../hybrid/native-reactor.js';
import type { Connection } from './connection.js';
import { descriptorOf } from './write-now.js';

/** What the transport lends while a script runs. */
export interface BusyTransport {
  /** Every connected client. */
  connections(): Iterable<Connection>;
  /** The listening socket's descriptor, or -1 (none, or not one libuv shows). */
  listeningDescriptor(): number;
  /** A client accepted here, as the transport's connection; null when it was turned away (maxclients, closing). */
  adopt(fd: number): Connection | null;
  /**
   * Writes now the replies held for the end of the turn (the requests read in the turn before the script's), as
   * Redis writes pending replies while blocked; the script's records are not in the file yet (one block at its end).
   */
  writeHeldReplies(): void;
  /**
   * The thread's reply writer. The script's client may have replies in it not lent yet (the requests before its
   * script in the same read), which the clients served here must not carry: they are set aside meanwhile.
   */
  readonly writer: ByteWriter;
}

/** One read per ready client per hook: a request of up to this many bytes is served whole. */
const READ_SIZE = 64 * 1024;
/** Ready descriptors taken per hook (a hook comes every 100k Lua instructions: the rest are taken at the next). */
const EVENTS_PER_HOOK = 64;
/** Connections accepted per hook. */
const ACCEPTS_PER_HOOK = 16;

export class ServeWhileBusy {
  private epoll = -1;
  private listening = -1;
  /** The clients in the epoll set, by descriptor. */
  private readonly watched = new Map<number, Connection>();
  private readonly events = new Int32Array(2 * EVENTS_PER_HOOK);
  /**
   * Not the transport's shared read buffer: the script's client is in the middle of parsing its read from that one,
   * and the requests after its script are still there.
   */
  private buffer: Buffer | null = null;

  constructor(
    private readonly reactor: NativeReactor,
    private readonly transport: BusyTransport,
  ) {}

  /** The script passed busy-reply-threshold: its clients and the listening socket are watched from now on. */
  start(): void {
    if (this.epoll >= 0) return;
    const epoll = this.reactor.epollCreate();
    if (epoll < 0) return; // out of descriptors: the clients wait for the script, as before
    this.epoll = epoll;
    // A client answered earlier in this turn is still waiting for that reply: it would never send the next request.
    this.transport.writeHeldReplies();
    const listening = this.transport.listeningDescriptor();
    if (
      listening >= 0 &&
      this.reactor.epollCtl(epoll, this.reactor.epoll.CTL_ADD, listening, this.reactor.epoll.IN) === 0
    )
      this.listening = listening;
    for (const connection of this.transport.connections()) this.watch(connection);
  }

  /** From the script's hook: whatever is ready now is read and served (never waits). */
  serve(): void {
    if (this.epoll < 0) return;
    const ready = this.reactor.epollWait(this.epoll, this.events, 0);
    if (ready <= 0) return;
    const writer = this.transport.writer;
    const aside = writer.length > 0 ? writer.take() : null;
    try {
      for (let i = 0; i < ready; i++) {
        const fd = this.events[2 * i];
        if (fd === this.listening) this.acceptWaiting();
        else this.read(fd);
      }
    } finally {
      if (aside !== null) writer.bytes(aside);
    }
  }

  /** The script ended: libuv serves every client again. */
  stop(): void {
    if (this.epoll < 0) return;
    this.reactor.closeFd(this.epoll);
    this.epoll = -1;
    this.listening = -1;
    this.watched.clear();
    this.buffer = null;
  }

  private watch(connection: Connection): void {
    if (!connection.servableWhileBusy) return;
    const fd = descriptorOf(connection.socket);
    if (fd < 0) return;
    const { CTL_ADD, IN } = this.reactor.epoll;
    if (this.reactor.epollCtl(this.epoll, CTL_ADD, fd, IN) === 0) this.watched.set(fd, connection);
  }

  private unwatch(fd: number): void {
    this.watched.delete(fd);
    this.reactor.epollCtl(this.epoll, this.reactor.epoll.CTL_DEL, fd, 0);
  }

  private read(fd: number): void {
    const connection = this.watched.get(fd);
    // Held (its command waits for the script), closing, or gone: libuv reads it once the script has ended.
    if (connection === undefined || !connection.servableWhileBusy || descriptorOf(connection.socket) !== fd) {
      this.unwatch(fd);
      return;
    }
    const buffer = (this.buffer ??= Buffer.allocUnsafe(READ_SIZE));
    const read = this.reactor.readInto(fd, buffer, 0, buffer.length);
    if (read === -EAGAIN) return;
    if (read <= 0) {
      this.unwatch(fd); // its end or an error: read again by libuv, which closes it
      return;
    }
    connection.receiveWhileBusy(buffer, read);
  }

  private acceptWaiting(): void {
    for (let i = 0; i < ACCEPTS_PER_HOOK; i++) {
      const fd = this.reactor.acceptClient(this.listening);
      if (fd < 0) return; // nobody waiting, or out of descriptors (the connection waits in the backlog)
      const connection = this.transport.adopt(fd);
      if (connection !== null) this.watch(connection);
    }
  }
}
