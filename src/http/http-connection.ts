// One HTTP client socket: what it reads is parsed into requests (several per read when the client pipelines),
// each answered in order through its RequestHandler, and every response of one read goes out in one write.
// Backpressure in one place (flush): a client that does not read its responses is not read either. A request
// that cannot be parsed gets its 4xx and the connection closes (its framing is lost). While a script of this thread
// runs past busy-reply-threshold it may be served from the script's hook (serve-while-busy.ts), its requests then
// answered BUSY, as Redis answers every client. Never throws into Node.

import type net from 'node:net';
import type { Logger } from 'pino';
import { ByteWriter } from '../core/reply-encoding.js';
import { lingeringEnd } from '../transport/accept-policy.js';
import { readIntoSharedBuffer } from '../transport/eventloop/fast-read.js';
import { descriptorOf, writeNow } from '../transport/eventloop/write-now.js';
import type { BusyClient } from '../transport/serve-while-busy.js';
import type { RequestHandler } from './request-handler.js';
import { parseRequest, type HttpLimits } from './request-parser.js';
import { CONTINUE, writeTextResponse } from './response.js';

export interface ConnectionHost {
  readonly limits: HttpLimits;
  readonly logger: Logger;
  readonly closeGraceMs: number;
  /** Shared by every connection: reads are handled synchronously and leftovers copied out. */
  readonly readBuffer: Buffer;
  /** Shared by every connection: responses are written (or copied) before the next read is handled. */
  readonly out: ByteWriter;
  closed(connection: HttpConnection): void;
}

const EMPTY = Buffer.alloc(0);

export class HttpConnection implements BusyClient {
  /** Bytes of a request not yet whole, copied out of the shared read buffer: pending[0, pendingLength). */
  private pending: Buffer = EMPTY;
  private pendingLength = 0;
  private continued = false;
  private ending = false;
  private pausedForOutput = false;
  /** Inside onData: a request of this read may be the script's own (an EVAL), not to be re-entered. */
  private handling = false;

  constructor(
    readonly socket: net.Socket,
    readonly handler: RequestHandler,
    private readonly host: ConnectionHost,
  ) {
    const onRead = (buf: Buffer, n: number): void => this.onData(buf, n);
    if (!readIntoSharedBuffer(socket, host.readBuffer, (n, buf) => onRead(buf, n))) {
      socket.on('data', (chunk: Buffer) => onRead(chunk, chunk.length));
    }
    socket.on('error', (e: NodeJS.ErrnoException) => {
      host.logger.debug({ client: handler.client.id, code: e.code }, 'http client socket error');
    });
    socket.on('drain', () => {
      if (this.pausedForOutput && !this.ending) {
        this.pausedForOutput = false;
        socket.resume();
      }
    });
    socket.once('close', () => {
      this.ending = true;
      handler.end();
      host.closed(this);
    });
  }

  /** Graceful: responses already written go out, then the connection ends. */
  end(): void {
    if (this.ending) return;
    this.ending = true;
    lingeringEnd(this.socket, this.host.closeGraceMs);
  }

  /** Its socket's descriptor, -1 once closed (serve-while-busy.ts). */
  get fd(): number {
    return descriptorOf(this.socket);
  }

  /** BusyClient.servableWhileBusy: not the script's own, nor closing, nor one not read for its unread output. */
  get servableWhileBusy(): boolean {
    return !this.handling && !this.ending && !this.pausedForOutput && !this.socket.destroyed;
  }

  /** chunk[0, length), read from inside a running script: answered now (its responses are written at once). */
  receiveWhileBusy(chunk: Buffer, length: number): void {
    this.onData(chunk, length);
  }

  private onData(chunk: Buffer, length: number): void {
    if (this.ending) return;
    this.handling = true;
    try {
      this.serve(chunk, length);
    } finally {
      this.handling = false;
    }
  }

  private serve(chunk: Buffer, length: number): void {
    let buf = chunk;
    if (this.pendingLength > 0) {
      this.append(chunk, length);
      buf = this.pending;
      length = this.pendingLength;
    }
    const out = this.host.out;
    let start = 0;
    let close = false;
    try {
      while (start < length) {
        const result = parseRequest(buf, start, length, this.host.limits);
        if (result.kind === 'incomplete') {
          if (result.expectContinue && !this.continued) {
            this.continued = true;
            out.bytes(CONTINUE);
          }
          break;
        }
        if (result.kind === 'error') {
          writeTextResponse(out, result.status, result.message, false);
          close = true;
          break;
        }
        start = result.end;
        this.continued = false;
        if (this.handler.handle(result.request, out)) {
          close = true;
          break;
        }
      }
    } catch (e) {
      // A bug, not the client's doing: answer 500, log it once, and close (its framing may be lost).
      this.host.logger.error(
        { err: e, client: this.handler.client.id },
        'unexpected error serving an http request',
      );
      out.discard();
      writeTextResponse(out, 500, 'internal error', false);
      close = true;
    }
    this.keepRest(buf, start, close ? start : length);
    this.flush(out);
    if (close) this.end();
  }

  /** A partial request waits, copied: the shared read buffer is overwritten by the next read. */
  private keepRest(buf: Buffer, start: number, end: number): void {
    if (start >= end) {
      this.pendingLength = 0;
      if (this.pending.length > 64 * 1024) this.pending = EMPTY; // let a big request's buffer go
      return;
    }
    if (buf === this.pending) {
      this.pending.copyWithin(0, start, end);
      this.pendingLength = end - start;
      return;
    }
    this.pendingLength = 0;
    this.append(buf.subarray(start, end), end - start);
  }

  /** Appends chunk[0, length), doubling the buffer so a large body arriving in many reads costs O(n). */
  private append(chunk: Buffer, length: number): void {
    const needed = this.pendingLength + length;
    if (needed > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.pending.length * 2, 4096));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    chunk.copy(this.pending, this.pendingLength, 0, length);
    this.pendingLength = needed;
  }

  /** Writes what the handler produced: at once when the kernel takes it, else through the stream (copied). */
  private flush(out: ByteWriter): void {
    if (out.length === 0) return;
    const bytes = out.lend();
    const written = writeNow(this.socket, bytes);
    if (typeof written !== 'number') {
      this.socket.destroy(); // the client is gone
      return;
    }
    if (written === bytes.length) return;
    if (!this.socket.write(Buffer.from(bytes.subarray(written))) && !this.ending) {
      this.pausedForOutput = true;
      this.socket.pause();
    }
  }
}
