// One client socket on the event loop: what it reads goes to its core Session, the replies the session returns
// are written back at the end of the loop's turn (reply-turn.ts), and so are the Pub/Sub messages the session
// holds for it between requests (once per turn, however many arrived). Backpressure is decided in exactly one function (deliver); socket
// errors have one sink; closing is always a lingering close (flush, FIN, drain input, destroy after a grace
// period). Knows nothing of the parser, commands or the listening server; pipelining is the session's business.

import type net from 'node:net';
import type { Logger } from 'pino';
import { clientInfo } from '../../core/client-info.js';
import type { ClientInfo, NetTraffic } from '../../core/command.js';
import type { Session } from '../../core/session.js';
import { lingeringEnd } from '../accept-policy.js';
import { readIntoSharedBuffer } from './fast-read.js';
import { PendingOutput } from '../pending-output.js';
import type { HoldingClient, ReplyTurn } from './reply-turn.js';
import type { BusyClient } from '../serve-while-busy.js';
import type { SocketSend } from './socket-send.js';
import { descriptorOf, writeNow } from './write-now.js';

/** Limits read live from config by the transport (CONFIG SET applies to connected clients too). */
export interface ConnectionLimits {
  /** client-output-buffer-limit-bytes: pending output above this disconnects the client; 0: no limit. */
  outputBufferLimit: number;
  /** client-query-buffer-limit: an unfinished request above this disconnects the client; 0: no limit. */
  queryBufferLimit: number;
  /** client-output-buffer-limit-pubsub-bytes: the output limit of a client in subscribed state; 0: no limit. */
  pubsubOutputBufferLimit: number;
}

export interface ConnectionHost {
  readonly limits: ConnectionLimits;
  readonly logger: Logger;
  /** How long a closing connection may take to flush and hear the peer's FIN before it is destroyed. */
  readonly closeGraceMs: number;
  /**
   * One read buffer shared by every connection of this loop (reads are handled synchronously, and the
   * session copies any unfinished request out of it). Absent: each read is a fresh 'data' chunk.
   */
  readonly readBuffer?: Buffer;
  /**
   * The end of the loop's turn, when held replies are written (after the append-only file's records). Set as the
   * first client connects: the transport is made before the thread's core.
   */
  turn?: ReplyTurn;
  /** The native helper's send for replies (socket-send.ts); null: fs.writeSync. */
  readonly send: SocketSend | null;
  /** Where reads and writes are counted (INFO stats); set as the first client connects, with the core. */
  traffic?: NetTraffic;
}

const NO_INPUT = Buffer.alloc(0);

/** The socket's Connection, for the listeners shared by every socket (no closures per connection). */
const CONNECTION = Symbol('connection');
type OwnedSocket = net.Socket & { [CONNECTION]: Connection };

/** The Connection serving a socket (for listeners shared by every socket, called with it as `this`). */
export function connectionOf(socket: net.Socket): Connection {
  return (socket as OwnedSocket)[CONNECTION];
}

export class Connection implements HoldingClient, BusyClient {
  private pausedForOutput = false;
  private ending = false;
  /** Inside session.receive(): a close requested now (CLIENT KILL of oneself) waits for the reply. */
  private receiving = false;
  private endAfterReceive = false;
  /** Pub/Sub messages wait in the session until the end of this turn of the loop (flushPushes). */
  private pushScheduled = false;
  /** Replies waiting for the end of this turn (reply-turn.ts), in order; empty when none wait. */
  private readonly held = new PendingOutput();
  /** Serving from inside a running script (receiveWhileBusy): replies go out now, the turn ends after the script. */
  private writeThrough = false;

  constructor(
    readonly socket: net.Socket,
    readonly session: Session,
    private readonly host: ConnectionHost,
  ) {
    (socket as OwnedSocket)[CONNECTION] = this;
    const shared = host.readBuffer;
    if (shared === undefined || !readIntoSharedBuffer(socket, shared, Connection.onSharedRead)) {
      socket.on('data', Connection.onDataEvent);
    }
    socket.on('error', Connection.onErrorEvent);
  }

  private static onSharedRead(this: net.Socket, length: number, buffer: Buffer): void {
    const connection = (this as OwnedSocket)[CONNECTION];
    connection.host.traffic?.bytesRead(length);
    connection.onData(buffer, length);
  }

  private static onDataEvent(this: net.Socket, chunk: Buffer): void {
    const connection = (this as OwnedSocket)[CONNECTION];
    connection.host.traffic?.bytesRead(chunk.length);
    connection.onData(chunk, chunk.length);
  }

  private static onErrorEvent(this: net.Socket, e: NodeJS.ErrnoException): void {
    (this as OwnedSocket)[CONNECTION].onError(e);
  }

  get id(): number {
    return this.session.client.id;
  }

  /** Graceful: replies already produced are written, then the connection ends (see lingeringEnd). */
  end(): void {
    if (this.ending) return;
    if (this.receiving) {
      this.endAfterReceive = true;
      return;
    }
    this.ending = true;
    // Its held replies go out with the end: the records they answer are written first.
    if (!this.held.empty) this.host.turn?.writeOut();
    lingeringEnd(this.socket, this.host.closeGraceMs);
  }

  /** Abrupt: pending output is dropped. */
  destroy(): void {
    this.ending = true;
    this.socket.destroy();
  }

  /**
   * The session holds Pub/Sub messages for this client (another client published, or another thread's messages
   * were drained): written at the end of this turn, so a burst costs one write. A client whose pending output
   * would pass its limit is cut now, never buffered without bound.
   */
  pushed(): void {
    if (this.ending) {
      this.session.takePushed(); // closing: nothing more is written to it, nor kept for it
      return;
    }
    const pending = this.socket.writableLength + this.held.bytes + this.session.pushedBytes;
    if (this.cutOverLimit(pending, this.session.lostPushes)) return;
    if (this.pushScheduled) return;
    this.pushScheduled = true;
    queueMicrotask(() => this.flushPushes());
  }

  private flushPushes(): void {
    this.pushScheduled = false;
    const bytes = this.session.takePushed(); // null when a request of the client has written them meanwhile
    // A served blocking pop's reply waits for the pop's record, as replies do (send).
    if (bytes !== null && !this.ending && !this.send(bytes)) return;
    // Unblocked (its BLPOP served, timed out...) with requests that arrived meanwhile: they run now, in a turn
    // of their own, never inside the request of the client whose push served it.
    if (this.session.needsResume && !this.ending) this.onData(NO_INPUT, 0);
  }

  /** A client in subscribed state is Redis's pubsub class: its own, smaller output limit applies. */
  private outputLimit(): number {
    const limits = this.host.limits;
    return this.session.subscribed ? limits.pubsubOutputBufferLimit : limits.outputBufferLimit;
  }

  info(): ClientInfo {
    return clientInfo(this.session.client, {
      queryBuffer: this.session.queryBufferLength,
      outputBuffer: this.socket.writableLength,
      fd: descriptorOf(this.socket),
    });
  }

  /** Its socket's descriptor, -1 once closed (serve-while-busy.ts). */
  get fd(): number {
    return descriptorOf(this.socket);
  }

  /** BusyClient.servableWhileBusy (serve-while-busy.ts). */
  get servableWhileBusy(): boolean {
    return (
      !this.receiving &&
      !this.ending &&
      !this.pausedForOutput &&
      this.held.empty &&
      !this.session.blocked &&
      !this.socket.destroyed
    );
  }

  /** chunk[0, length), read from inside a running script: served now, and its replies written now. */
  receiveWhileBusy(chunk: Buffer, length: number): void {
    this.host.traffic?.bytesRead(length);
    this.writeThrough = true;
    try {
      this.onData(chunk, length);
    } finally {
      this.writeThrough = false;
    }
  }

  /** chunk[0, length) arrived (the shared read buffer is passed whole: no view of it per read). */
  private onData(chunk: Buffer, length: number): void {
    // A closing connection's input is drained, not answered: it arrived after the close was decided.
    if (this.ending) return;
    let output;
    this.receiving = true;
    try {
      output =
        length === 0 && chunk === NO_INPUT ? this.session.resume() : this.session.receive(chunk, length);
    } catch (e) {
      // The session catches command failures itself; reaching here is a bug. It costs this client only.
      this.host.logger.error(
        { err: e, client: this.id },
        'unexpected error while serving a client; closing it',
      );
      this.destroy();
      return;
    } finally {
      this.receiving = false;
    }
    if (output.bytes !== null && !this.send(output.bytes)) return;
    if (output.close || this.endAfterReceive) {
      this.end();
      return;
    }
    const queryLimit = this.host.limits.queryBufferLimit;
    if (queryLimit > 0 && this.session.queryBufferLength > queryLimit) {
      // Redis: "Closing client that reached max query buffer length".
      this.host.logger.warn(
        {
          client: this.id,
          addr: this.session.client.addr,
          queryBuffer: this.session.queryBufferLength,
          limit: queryLimit,
        },
        'closing client that reached max query buffer length',
      );
      this.destroy();
    }
  }

  /**
   * Replies wait for the end of this turn (reply-turn.ts), behind those already waiting, without a copy: the
   * thread's writer keeps them valid until then. Without a turn (not attached yet), they go out now. False when
   * the client was disconnected.
   */
  private send(lent: Buffer): boolean {
    const turn = this.host.turn;
    if (turn === undefined || this.writeThrough) return this.deliver(lent);
    if (this.held.empty) turn.holding(this);
    this.held.keep(lent);
    return !this.cutOverLimit(this.held.bytes + this.socket.writableLength);
  }

  /**
   * Output waiting past the client's limit (`pending` bytes), or `lost` output (messages the session dropped):
   * the client is cut, and true returned.
   */
  private cutOverLimit(pending: number, lost = false): boolean {
    const limit = this.outputLimit();
    if (!lost && (limit === 0 || pending <= limit)) return false;
    this.host.logger.warn(
      { client: this.id, addr: this.session.client.addr, outputBuffer: pending, limit },
      'client output buffer limit reached: closing the client',
    );
    this.destroy();
    return true;
  }

  /** HoldingClient: the turn ends (the append-only file has what the held replies answer): written, in order. */
  releaseHeld(): void {
    if (this.held.empty) return;
    const held = this.held.take();
    if (this.socket.destroyed) return;
    for (const chunk of held) if (!this.deliver(chunk)) return;
  }

  /**
   * The one place backpressure is decided. Writes the replies; a client whose pending output passes the
   * output buffer limit is disconnected (its replies would otherwise grow without bound); one whose replies
   * the kernel cannot take right now stops being read until they drain, so a client that does not read its
   * replies cannot make us queue more of them. Returns false when the client was disconnected.
   */
  private deliver(lent: Buffer): boolean {
    const written = writeNow(this.socket, lent, this.host.send);
    if (typeof written !== 'number') {
      this.onError(written);
      this.socket.destroy();
      return false;
    }
    // Counted whole: what the kernel did not take now goes out through the stream.
    this.host.traffic?.bytesWritten(lent.length);
    if (written === lent.length) return true;
    // The rest waits in the stream: copied, since the session's output is only lent until the next receive.
    const flushed = this.socket.write(Buffer.from(lent.subarray(written)));
    if (this.cutOverLimit(this.socket.writableLength)) return false;
    if (!flushed && !this.pausedForOutput) {
      this.pausedForOutput = true;
      this.socket.pause();
      this.socket.once('drain', () => {
        this.pausedForOutput = false;
        if (!this.ending) this.socket.resume();
      });
    }
    return true;
  }

  /** The connection's one error sink: a reset or broken pipe ends only this client ('close' follows). */
  private onError(e: { code?: string; message?: string }): void {
    this.ending = true;
    this.host.logger.debug({ client: this.id, code: e.code, err: e.message }, 'client connection error');
  }
}
