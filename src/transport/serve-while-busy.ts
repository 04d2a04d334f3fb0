// A thread's clients while a script of that thread runs past busy-reply-threshold: Redis's
// processEventsWhileBlocked, which the script's hook calls. The thread's own loop cannot run from inside the script
// (libuv's is not re-entrant, and a hybrid loop's dispatch would re-enter the very client running the script), so
// this reads the sockets itself, through an epoll set of its own made when the script times out: every client but
// the script's own, and the listening socket where this thread accepts. What it reads goes to the client's session
// at once (the executor answers BUSY or runs the allow-busy commands; SHUTDOWN NOSAVE waits for the script to
// unwind: held-while-busy.ts) and the replies are written at once. Bytes read here are gone from the kernel, so the
// thread's own loop never sees them twice; a readiness it had already collected for one of these descriptors
// before the script began ends in EAGAIN, which it expects. A client whose input reaches its end here is left for
// the loop to read the end again once the script is over. One per thread (serveWhileBusyOn), over the sources of
// clients that thread serves: the event loop's or a hybrid loop's RESP clients, and the HTTP interface's.
// Knows clients as BusyClient and the native reactor's calls; nothing of commands or Lua.

import type { ByteWriter } from '../core/reply-encoding.js';
import type { Scripting } from '../core/scripting/scripting.js';
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

/** Clients of one kind a thread serves (a transport's, the HTTP interface's), as lent while a script runs. */
export interface BusySource {
  /** Every connected client, each given to `watch`. */
  forEachClient(watch: WatchClient): void;
  /** The client on `fd` now, made if it had none (it is about to be served); null when none is there. */
  clientOn(fd: number): BusyClient | null;
  /** The listening descriptor this thread accepts from while the script runs, or -1 (none, or another accepts). */
  listeningDescriptor(): number;
  /**
   * Accepts a few of the connections waiting, as the source accepts (maxclients, its bookkeeping), each new client
   * given to `watch`.
   */
  acceptWaiting(watch: WatchClient): void;
  /**
   * The writer its clients' replies are made in, when the script's own client may have replies there not written
   * yet (the requests before its script in the same read), which the clients served here must not carry: they are
   * set aside meanwhile.
   */
  readonly writer?: ByteWriter;
  /**
   * The script has just timed out, before its clients are watched: e.g. the replies held for the end of the turn
   * (the requests read in the turn before the script's) written now, as Redis writes pending replies while blocked
   * (the script's records are not in the file yet: one block at its end).
   */
  started?(): void;
  /** The script ended (its thread's loop serves every client again). */
  stopped?(): void;
}

/** A watched descriptor: its source, and its client (null: made when it first speaks, BusySource.clientOn). */
interface Watched {
  readonly source: BusySource;
  client: BusyClient | null;
}

/** One read per ready client per hook: a request of up to this many bytes is served whole. */
const READ_SIZE = 64 * 1024;
/** Ready descriptors taken per hook (a hook comes every 100k Lua instructions: the rest are taken at the next). */
const EVENTS_PER_HOOK = 64;

/** Each thread's service, made by the first source that asks for it. */
const services = new WeakMap<Scripting, ServeWhileBusy>();

/**
 * `source`'s clients are served from the hook of a script of this thread (`scripting`) that runs past
 * busy-reply-threshold, with every other source's of the thread.
 */
export function serveWhileBusyOn(scripting: Scripting, reactor: NativeReactor, source: BusySource): void {
  let service = services.get(scripting);
  if (service === undefined) {
    const made = new ServeWhileBusy(reactor);
    scripting.busyChanged = (timedOut) => (timedOut ? made.start() : made.stop());
    scripting.serveWhileBusy = () => made.serve();
    services.set(scripting, made);
    service = made;
  }
  service.add(source);
}

export class ServeWhileBusy {
  private readonly sources: BusySource[] = [];
  /** Between a script's time-out and its end. */
  private running = false;
  private epoll = -1;
  /** The listening descriptors watched, with the source that accepts from each. */
  private readonly listening = new Map<number, BusySource>();
  /** The clients in the epoll set, by descriptor. */
  private readonly watched = new Map<number, Watched>();
  private readonly events = new Int32Array(2 * EVENTS_PER_HOOK);
  /**
   * Not the thread's shared read buffers: the script's client is in the middle of parsing its read from one, and
   * the requests after its script are still there.
   */
  private buffer: Buffer | null = null;

  constructor(private readonly reactor: NativeReactor) {}

  add(source: BusySource): void {
    this.sources.push(source);
  }

  /** The script passed busy-reply-threshold: the clients and listening sockets are watched from now on. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const source of this.sources) source.started?.();
    const epoll = this.reactor.epollCreate();
    if (epoll < 0) return; // out of descriptors: the clients wait for the script, as before
    this.epoll = epoll;
    const { CTL_ADD, IN } = this.reactor.epoll;
    for (const source of this.sources) {
      const listening = source.listeningDescriptor();
      if (listening >= 0 && this.reactor.epollCtl(epoll, CTL_ADD, listening, IN) === 0)
        this.listening.set(listening, source);
      source.forEachClient(this.watcher(source));
    }
  }

  /** From the script's hook: whatever is ready now is read and served (never waits). */
  serve(): void {
    if (this.epoll < 0) return;
    const ready = this.reactor.epollWait(this.epoll, this.events, 0);
    if (ready <= 0) return;
    const aside = this.sources.map((source) =>
      source.writer !== undefined && source.writer.length > 0 ? source.writer.take() : null,
    );
    try {
      for (let i = 0; i < ready; i++) {
        const fd = this.events[2 * i];
        const accepting = this.listening.get(fd);
        if (accepting !== undefined) accepting.acceptWaiting(this.watcher(accepting));
        else this.read(fd);
      }
    } finally {
      this.sources.forEach((source, i) => {
        const bytes = aside[i];
        if (bytes !== null) source.writer!.bytes(bytes);
      });
    }
  }

  /** The script ended: the thread's loop serves every client again. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.epoll >= 0) this.reactor.closeFd(this.epoll);
    this.epoll = -1;
    this.listening.clear();
    this.watched.clear();
    this.buffer = null;
    for (const source of this.sources) source.stopped?.();
  }

  private watcher(source: BusySource): WatchClient {
    return (fd, client) => {
      if (client !== null && (!client.servableWhileBusy || client.fd !== fd)) return;
      const { CTL_ADD, IN } = this.reactor.epoll;
      if (this.reactor.epollCtl(this.epoll, CTL_ADD, fd, IN) === 0) this.watched.set(fd, { source, client });
    };
  }

  private unwatch(fd: number): void {
    this.watched.delete(fd);
    this.reactor.epollCtl(this.epoll, this.reactor.epoll.CTL_DEL, fd, 0);
  }

  private read(fd: number): void {
    const watched = this.watched.get(fd);
    if (watched !== undefined && watched.client === null) watched.client = watched.source.clientOn(fd);
    const client = watched?.client ?? null;
    // Held (its command waits for the script), closing, or gone: the loop reads it once the script has ended.
    if (client === null || !client.servableWhileBusy || client.fd !== fd) {
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
