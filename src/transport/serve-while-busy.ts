// A thread's clients while a script of that thread runs past busy-reply-threshold: Redis's
// processEventsWhileBlocked, which the script's hook calls. The thread's own loop cannot run from inside the script
// (libuv's is not re-entrant, and a hybrid loop's dispatch would re-enter the very client running the script), so
// this reads the sockets itself, through an epoll set of its own made when the script times out: every client but
// the script's own, and the listening socket where this thread accepts. What it reads goes to the client's session
// at once (the executor answers BUSY or runs the allow-busy commands; SHUTDOWN NOSAVE waits for the script to
// unwind: held-while-busy.ts) and the replies are written at once. Bytes read here are gone from the kernel, so the
// thread's own loop never sees them twice; a readiness it had already collected for one of these descriptors
// before the script began ends in EAGAIN, which it expects. A client whose input reaches its end here is left for
// the loop to read the end again once the script is over. Used by the event loop and by each hybrid loop.
// Knows clients as BusyClient and the native reactor's calls; nothing of commands or Lua.

import type { ByteWriter } from '../core/reply-encoding.js';
import { EAGAIN, type NativeReactor } from './hybrid/native-reactor.js';

/** A client as this service serves it. */
export interface BusyClient {
  /** Its descriptor now (-1 once closed: a number seen earlier may have been reused by another client). */
  readonly fd: number;
  /**
   * Whether its input may be read and served now: not the script's own client (inside its request), nor one
   * closing, blocked, not read for its unread output, or holding replies (a reply written now would overtake them).
   */
  readonly servableWhileBusy: boolean;
  /** chunk[0, length), read from inside the script: served now, and its replies written now. */
  receiveWhileBusy(chunk: Buffer, length: number): void;
}

/**
 * Where a client is watched: by its descriptor, with its object, or null for one that has no object until it
 * speaks (a hybrid loop's silent clients: clientOn makes it then).
 */
export type WatchClient = (fd: number, client: BusyClient | null) => void;

/** What the transport lends while a script runs. */
export interface BusyTransport {
  /** Every connected client of the thread, each given to `watch`. */
  forEachClient(watch: WatchClient): void;
  /** The client on `fd` now, made if it had none (it is about to be served); null when none is there. */
  clientOn(fd: number): BusyClient | null;
  /** The listening descriptor this thread accepts from while the script runs, or -1 (none, or another accepts). */
  listeningDescriptor(): number;
  /**
   * Accepts a few of the connections waiting, as the transport accepts (maxclients, its bookkeeping), each new client
   * given to `watch`.
   */
  acceptWaiting(watch: WatchClient): void;
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

export class ServeWhileBusy {
  private epoll = -1;
  private listening = -1;
  /** The clients in the epoll set, by descriptor (null: made when it first speaks: BusyTransport.clientOn). */
  private readonly watched = new Map<number, BusyClient | null>();
  private readonly events = new Int32Array(2 * EVENTS_PER_HOOK);
  /**
   * Not the thread's shared read buffer: the script's client is in the middle of parsing its read from that one,
   * and the requests after its script are still there.
   */
  private buffer: Buffer | null = null;
  private readonly watch: WatchClient = (fd, client) => {
    if (client !== null && (!client.servableWhileBusy || client.fd !== fd)) return;
    const { CTL_ADD, IN } = this.reactor.epoll;
    if (this.reactor.epollCtl(this.epoll, CTL_ADD, fd, IN) === 0) this.watched.set(fd, client);
  };

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
    this.transport.forEachClient(this.watch);
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
        if (fd === this.listening) this.transport.acceptWaiting(this.watch);
        else this.read(fd);
      }
    } finally {
      if (aside !== null) writer.bytes(aside);
    }
  }

  /** The script ended: the thread's loop serves every client again. */
  stop(): void {
    if (this.epoll < 0) return;
    this.reactor.closeFd(this.epoll);
    this.epoll = -1;
    this.listening = -1;
    this.watched.clear();
    this.buffer = null;
  }

  private unwatch(fd: number): void {
    this.watched.delete(fd);
    this.reactor.epollCtl(this.epoll, this.reactor.epoll.CTL_DEL, fd, 0);
  }

  private read(fd: number): void {
    let client = this.watched.get(fd);
    if (client === null) {
      client = this.transport.clientOn(fd);
      if (client !== null) this.watched.set(fd, client);
    }
    // Held (its command waits for the script), closing, or gone: the loop reads it once the script has ended.
    if (client === undefined || client === null || !client.servableWhileBusy || client.fd !== fd) {
      this.unwatch(fd);
      return;
    }
    const buffer = (this.buffer ??= Buffer.allocUnsafe(READ_SIZE));
    const read = this.reactor.readInto(fd, buffer, 0, buffer.length);
    if (read === -EAGAIN) return;
    if (read <= 0) {
      this.unwatch(fd); // its end or an error: read again by the loop, which closes it
      return;
    }
    client.receiveWhileBusy(buffer, read);
  }
}
