// One client on a hybrid loop thread that has sent something: a non-blocking descriptor, its Session, and the
// output it could not write yet (a client that has sent nothing is no object at all: reactor-loop.ts). Reads feed the session;
// replies are held until the end of the loop's turn and then go to write(2) (as on the event loop: reply-turn.ts
// says why), and so do the Pub/Sub messages the session holds for it between requests (flushPushes, once per
// turn); what the kernel does not take waits here while reading
// stops (backpressure is decided in send() alone) and is cut at the output limit (the pub/sub one while the
// client is subscribed). Closing is a lingering close: flush, FIN, drain the input until the peer closes or the
// grace runs out. While a script of this thread runs past busy-reply-threshold, it may be served from the script's
// hook (serve-while-busy.ts: receiveWhileBusy), its replies written at once. Knows the Session contract and the
// reactor calls; nothing of epoll sets, threads or other clients.

import { clientInfo } from '../../core/client-info.js';
import type { ClientInfo, NetTraffic } from '../../core/command.js';
import type { Session } from '../../core/session.js';
import { PendingOutput } from '../pending-output.js';
import type { BusyClient } from '../serve-while-busy.js';
import { EAGAIN, type NativeReactor } from './native-reactor.js';

/** Limits read live from config (CONFIG SET applies to connected clients too); 0: no limit. */
export interface LoopLimits {
  outputBufferLimit: number;
  queryBufferLimit: number;
  /** The output limit of a client in subscribed state (client-output-buffer-limit-pubsub-bytes). */
  pubsubOutputBufferLimit: number;
}

/** What a client needs from the loop that owns it. */
export interface LoopHost {
  readonly native: NativeReactor;
  /** The loop's one read buffer: reads are handled synchronously and the session copies what it keeps. */
  readonly readBuffer: Buffer;
  readonly limits: LoopLimits;
  now(): number;
  /** Makes epoll report `events` (epoll.IN, epoll.OUT) for this client from now on. */
  watch(client: LoopClient, events: number): void;
  newSession(client: LoopClient): Session;
  /** The client is finished: forget it and close its descriptor. */
  release(client: LoopClient): void;
  shutdownWrite(fd: number): boolean;
  warn(fields: Record<string, unknown>, msg: string): void;
  /** Its session holds Pub/Sub messages: flushPushes at the end of this turn of the loop. */
  pushed(client: LoopClient): void;
  /**
   * The client holds replies until the end of the turn (then releaseHeld), when the append-only file's records
   * are written first.
   */
  holding(client: LoopClient): void;
  /**
   * Whether the thread is serving clients from inside a script it runs (serve-while-busy.ts). A client closed then
   * is closed by closeAfterScript instead: its session's end (UNWATCH, the blocked-client registry) takes locks
   * the script holds.
   */
  insideScript(): boolean;
  /** Closes the client at the end of the turn, once the script has let its locks go (destroy() again). */
  closeAfterScript(client: LoopClient): void;
  /**
   * Where reads and writes are counted (INFO stats): the thread's counters, there once its core is (built for
   * the first client that speaks: the end of input of clients that never spoke before that is not counted).
   */
  readonly traffic?: NetTraffic;
}

export class LoopClient implements BusyClient {
  session: Session | null = null;
  /** Events epoll reports for this client now. */
  events = 0;
  /** When its lingering close began (ms), 0 while open. */
  lingeringSince = 0;
  private pending: PendingOutput | null = null;
  /**
   * Replies waiting for the end of this turn (loop-worker.ts endOfTurn), not copied: the thread's writer keeps
   * what it lent valid until then (ByteWriter.keepLentUntilRewind).
   */
  private readonly held = new PendingOutput();
  /** Close once the pending output is written (QUIT, protocol error, CLIENT KILL, shutdown). */
  private endAfterFlush = false;
  /** Inside session.receive(): a kill of this client waits for the reply it is producing. */
  private receiving = false;
  private released = false;
  /** Closed from inside a script: no longer served nor written to; closed for good after it (destroy). */
  private doomed = false;
  private addresses: { addr: string; laddr: string } | null = null;

  constructor(
    readonly fd: number,
    /** 0: a client turned away at maxclients, not counted among the connected. */
    readonly id: number,
    readonly createdAt: number,
    private readonly host: LoopHost,
  ) {}

  /** Asked of the socket when first needed (a client that never speaks never pays for the strings). */
  get addr(): string {
    this.addresses ??= addressesOf(this.host.native, this.fd);
    return this.addresses.addr;
  }

  get laddr(): string {
    this.addresses ??= addressesOf(this.host.native, this.fd);
    return this.addresses.laddr;
  }

  /** Last activity (ms): its session's, or when it connected if it has sent nothing. */
  get lastInteraction(): number {
    return this.session?.client.lastInteraction ?? this.createdAt;
  }

  get closed(): boolean {
    return this.released;
  }

  onEvents(events: number): void {
    const epoll = this.host.native.epoll;
    if ((events & epoll.OUT) !== 0) this.flush();
    if (!this.released && (events & (epoll.IN | epoll.HUP | epoll.RDHUP | epoll.ERR)) !== 0) this.readable();
  }

  /**
   * One read: level-triggered epoll reports the client again while more is waiting. True when bytes came in
   * and were served (false: nothing to read, or the client is closing or closed).
   */
  readable(): boolean {
    const { native, readBuffer } = this.host;
    const read = native.readInto(this.fd, readBuffer, 0, readBuffer.length);
    if (read === -EAGAIN) return false;
    if (read <= 0) {
      if (read === 0) this.host.traffic?.bytesRead(0);
      return this.destroyed(); // end of input, or the connection failed
    }
    if (this.lingeringSince !== 0 || this.endAfterFlush) {
      this.host.traffic?.bytesRead(read);
      return false; // input after the close was decided
    }
    const session = this.ownSession(); // first: the thread's counters exist once its core does (LoopHost.traffic)
    this.host.traffic?.bytesRead(read);
    return this.serve(session, readBuffer, read);
  }

  /** BusyClient.servableWhileBusy (serve-while-busy.ts). */
  get servableWhileBusy(): boolean {
    return (
      !this.receiving &&
      !this.released &&
      !this.doomed &&
      this.lingeringSince === 0 &&
      !this.endAfterFlush &&
      this.pending === null &&
      this.held.empty &&
      this.session?.blocked !== true
    );
  }

  /** chunk[0, length), read from inside a running script: served now, and its replies written now. */
  receiveWhileBusy(chunk: Buffer, length: number): void {
    const session = this.ownSession();
    this.host.traffic?.bytesRead(length);
    this.serve(session, chunk, length);
    // No allow-busy command writes: nothing for the append-only file to have first (QUIT's end follows its reply).
    this.releaseHeld();
  }

  /** Its session, made at its first bytes. */
  private ownSession(): Session {
    if (this.session === null) {
      this.session = this.host.newSession(this);
      this.session.setPushListener(() => this.host.pushed(this));
    }
    return this.session;
  }

  /** Runs what the session now holds (read bytes, or requests that waited while it was blocked). */
  private serve(session: Session, input: Buffer | null, read: number): boolean {
    let output;
    this.receiving = true;
    try {
      output = input === null ? session.resume() : session.receive(input, read);
    } catch (e) {
      // The session turns command failures into replies; reaching here is a bug, and costs this client only.
      this.host.warn({ err: e, client: this.id }, 'unexpected error while serving a client; closing it');
      return this.destroyed();
    } finally {
      this.receiving = false;
    }
    if (output.bytes !== null && !this.send(output.bytes)) return false;
    if (output.close || this.endAfterFlush) {
      this.end();
      return false;
    }
    const limit = this.host.limits.queryBufferLimit;
    if (limit > 0 && session.queryBufferLength > limit) {
      this.host.warn(
        { client: this.id, addr: this.addr, queryBuffer: session.queryBufferLength, limit },
        'closing client that reached max query buffer length',
      );
      return this.destroyed();
    }
    return true;
  }

  private destroyed(): false {
    this.destroy();
    return false;
  }

  /**
   * Replies wait for the end of the turn, when one write (and for appendfsync always one sync) of the append-only
   * file covers every client the turn served, as Redis's beforeSleep, and then one write(2) per client. The output
   * limit counts them with what the kernel has not taken; past it the client is cut. False when it was closed.
   */
  private send(lent: Buffer): boolean {
    // Counted whole, as handed over: what waits (held or pending) is written later, or dropped with the client.
    this.host.traffic?.bytesWritten(lent.length);
    if (this.held.empty) this.host.holding(this);
    this.held.keep(lent);
    const waiting = this.held.bytes + (this.pending === null ? 0 : this.pending.bytes);
    const limit = this.outputLimit();
    if (limit > 0 && waiting > limit) {
      this.host.warn(
        { client: this.id, addr: this.addr, outputBuffer: waiting, limit },
        'client output buffer limit reached: closing the client',
      );
      this.destroy();
      return false;
    }
    return true;
  }

  /**
   * The end of the turn (the append-only file has what the held replies answer): the one place backpressure is
   * decided. What the kernel takes is written; the rest is copied (the writer lends it only until the turn ends)
   * and waits behind any output pending, with reading stopped, until the socket drains.
   */
  releaseHeld(): void {
    const held = this.held;
    if (held.empty || this.released || this.doomed) return void held.take();
    if (this.pending === null) {
      if (!held.flush(this.host.native, this.fd)) return this.destroy();
      if (held.empty) {
        if (this.endAfterFlush) this.end();
        return;
      }
      this.pending = new PendingOutput();
      this.host.watch(this, this.host.native.epoll.OUT);
    }
    held.ownAll();
    this.pending.takeFrom(held);
  }

  /** A client in subscribed state is Redis's pubsub class: its own, smaller output limit applies. */
  private outputLimit(): number {
    const limits = this.host.limits;
    return this.subscribed ? limits.pubsubOutputBufferLimit : limits.outputBufferLimit;
  }

  /** In MONITOR mode: never timed out either (Redis skips CLIENT_SLAVE). */
  get monitoring(): boolean {
    return this.session?.monitoring === true;
  }

  /** Blocked in BLPOP or its kin: the sweep leaves it to its own timeout, as Redis's clientsCron does. */
  get blocked(): boolean {
    return this.session?.blocked === true;
  }

  /** In subscribed state: the loop's sweep never times it out, as Redis never times a subscriber out. */
  get subscribed(): boolean {
    return this.session?.subscribed === true;
  }

  /**
   * Writes the Pub/Sub messages its session holds (the loop calls this after each turn for the clients that
   * got some); a client whose messages were dropped (its thread fell behind) is cut, as at its output limit.
   */
  flushPushes(): void {
    const session = this.session;
    if (session === null || this.released) return;
    if (session.lostPushes) {
      this.host.warn(
        { client: this.id, addr: this.addr },
        'client output buffer limit reached: closing the client',
      );
      return this.destroy();
    }
    const bytes = session.takePushed();
    if (bytes !== null && this.lingeringSince === 0 && !this.send(bytes)) return;
    // Unblocked (BLPOP served, timed out...) with requests that arrived meanwhile: they run now.
    if (session.needsResume && this.lingeringSince === 0 && !this.endAfterFlush) this.serve(session, null, 0);
  }

  private flush(): void {
    const pending = this.pending;
    if (pending === null) return;
    if (!pending.flush(this.host.native, this.fd)) return this.destroy();
    if (!pending.empty) return;
    this.pending = null;
    if (this.endAfterFlush) return this.end();
    this.host.watch(this, this.host.native.epoll.IN);
  }

  /**
   * Graceful: replies already produced are written, then FIN, then the input is drained until the peer
   * closes (closing with unread input would send RST and lose replies in flight); the loop's sweep destroys
   * it after the close grace.
   */
  end(): void {
    if (this.released || this.doomed || this.lingeringSince !== 0) return;
    if (this.receiving || this.pending !== null || !this.held.empty) {
      this.endAfterFlush = true;
      return;
    }
    if (!this.host.shutdownWrite(this.fd)) return this.destroy(); // the peer is gone already
    this.lingeringSince = this.host.now();
    this.host.watch(this, this.host.native.epoll.IN);
  }

  /** Abrupt: whatever is pending is dropped. */
  destroy(): void {
    if (this.released) return;
    this.pending = null;
    this.held.take();
    if (this.host.insideScript()) {
      if (!this.doomed) this.host.closeAfterScript(this);
      this.doomed = true;
      return;
    }
    this.released = true;
    this.session?.end();
    this.host.release(this);
  }

  /** As Redis past maxclients: the error goes out raw, whatever protocol the client speaks, then a close. */
  turnAway(line: string): void {
    if (this.send(Buffer.from(line, 'latin1'))) this.end();
  }

  /** Bytes waiting in its query buffer (CLIENT LIST qbuf). */
  get queryBufferLength(): number {
    return this.session?.queryBufferLength ?? 0;
  }

  /** Bytes of replies not yet taken by the kernel (CLIENT LIST omem). */
  get outputBufferLength(): number {
    return (this.pending === null ? 0 : this.pending.bytes) + this.held.bytes;
  }

  info(): ClientInfo {
    const buffers = {
      queryBuffer: this.queryBufferLength,
      outputBuffer: this.outputBufferLength,
      fd: this.fd,
    };
    if (this.session !== null) return clientInfo(this.session.client, buffers);
    return idleClientInfo(this.host.native, this.fd, this.id, this.createdAt);
  }
}

function addressesOf(native: NativeReactor, fd: number): { addr: string; laddr: string } {
  return { addr: native.peerName(fd) ?? '?:0', laddr: native.sockName(fd) ?? '?:0' };
}

/** A client that has sent nothing, as Redis lists one: cmd=NULL, idle since it connected, no name. */
export function idleClientInfo(native: NativeReactor, fd: number, id: number, createdAt: number): ClientInfo {
  return {
    id,
    ...addressesOf(native, fd),
    name: '',
    db: 0,
    createdAt,
    lastInteraction: createdAt,
    lastCommand: 'NULL',
    queryBuffer: 0,
    outputBuffer: 0,
    fd,
  };
}
