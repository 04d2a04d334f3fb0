// Test fixture: a raw TCP client that sends exact bytes and awaits exact reply bytes, driven by socket events
// only (no sleeps, no polling). A wait that can never be satisfied because the server closed the connection
// rejects at once with what was received, so a broken test fails fast instead of timing out.
// Knows nothing of the server's internals: it only sees bytes on a socket.

import net from 'node:net';

/** Builds one RESP2 multibulk request: resp('SET', 'k', Buffer.from([0, 1])). */
export function resp(...argv: (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : Buffer.from(arg);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** How the connection ended: `error` is set for a reset (ECONNRESET) and the like. */
export interface CloseInfo {
  readonly error: NodeJS.ErrnoException | null;
}

interface Waiter {
  /** Returns true once satisfied (it has consumed what it needed and settled its promise). */
  check(): boolean;
  fail(reason: Error): void;
}

/** Returns how many bytes of `received` make the awaited message, or -1 when more are needed. */
export type Framer = (received: Buffer) => number;

export class RawClient {
  /** Unconsumed bytes as received; joined only when a framer must look at them (large replies stay O(n)). */
  private chunks: Buffer[] = [];
  private receivedLength = 0;
  private readonly waiters: Waiter[] = [];
  private closeInfo: CloseInfo | null = null;
  /** Resolves when the socket has closed (never rejects). */
  readonly closed: Promise<CloseInfo>;

  private constructor(readonly socket: net.Socket) {
    let settle!: (info: CloseInfo) => void;
    this.closed = new Promise((resolve) => (settle = resolve));
    let lastError: NodeJS.ErrnoException | null = null;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.receivedLength += chunk.length;
      this.runWaiters();
    });
    // One error sink; 'close' always follows and settles everything.
    socket.on('error', (e: NodeJS.ErrnoException) => (lastError = e));
    socket.on('close', () => {
      this.closeInfo = { error: lastError };
      settle(this.closeInfo);
      this.runWaiters();
      const why =
        lastError === null ? 'closed by the server' : `closed (${lastError.code ?? lastError.message})`;
      for (const waiter of this.waiters.splice(0)) {
        waiter.fail(new Error(`connection ${why}; unconsumed bytes: ${JSON.stringify(this.text())}`));
      }
    });
  }

  /** Connects; `paused` starts with reading stopped (a client that never reads its replies). */
  static connect(port: number, host = '127.0.0.1', options: { paused?: boolean } = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.setNoDelay(true);
      if (options.paused === true) socket.pause();
      const onError = (e: Error): void => reject(e);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new RawClient(socket));
      });
    });
  }

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  /** Bytes received and not yet consumed by a read. */
  get pending(): Buffer {
    return this.received();
  }

  /** The unconsumed bytes as one Buffer. */
  private received(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.receivedLength)];
    return this.chunks[0];
  }

  private consume(n: number): Buffer {
    const all = this.received();
    const message = Buffer.from(all.subarray(0, n));
    this.chunks = n === all.length ? [] : [all.subarray(n)];
    this.receivedLength -= n;
    return message;
  }

  /** The unconsumed bytes as latin1 text (for messages and loose assertions). */
  text(): string {
    return this.received().toString('latin1');
  }

  /** Writes bytes; resolves once they are handed to the kernel. */
  send(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(data, (e) => (e ? reject(e) : resolve()));
    });
  }

  /** Awaits and consumes exactly n bytes. */
  read(n: number): Promise<Buffer> {
    return this.wait((length) => (length >= n ? n : -1));
  }

  /** Awaits exactly `expected.length` bytes and returns them as latin1, for `expect(...).toBe(expected)`. */
  async readText(expected: string | number): Promise<string> {
    const n = typeof expected === 'number' ? expected : Buffer.byteLength(expected, 'latin1');
    return (await this.read(n)).toString('latin1');
  }

  /** Awaits and consumes one line, including its '\n'. */
  readLine(): Promise<string> {
    return this.readFramed((received) => {
      const at = received.indexOf(0x0a);
      return at < 0 ? -1 : at + 1;
    }).then((b) => b.toString('latin1'));
  }

  /** Sends a request and awaits exactly `expected.length` reply bytes, returned as latin1 text. */
  async request(data: string | Uint8Array, expected: string | number): Promise<string> {
    await this.send(data);
    return this.readText(expected);
  }

  /** Awaits one RESP bulk string reply and returns its payload as latin1. */
  async readBulk(): Promise<string> {
    const reply = await this.readFramed((received) => {
      const lineEnd = received.indexOf('\r\n');
      if (lineEnd < 0) return -1;
      const total = lineEnd + 2 + Number(received.toString('latin1', 1, lineEnd)) + 2;
      return received.length >= total ? total : -1;
    });
    return reply.toString('latin1', reply.indexOf('\r\n') + 2, reply.length - 2);
  }

  /** Awaits and consumes the bytes a framer says form the next message. */
  readFramed(framer: Framer): Promise<Buffer> {
    return this.wait((length) => (length === 0 ? -1 : framer(this.received())));
  }

  /** `size` says from the unconsumed length (and bytes) how many to consume, or -1 to wait for more. */
  private wait(size: (length: number) => number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          const n = size(this.receivedLength);
          if (n < 0) return false;
          resolve(this.consume(n));
          return true;
        },
        fail: reject,
      };
      if (waiter.check()) return;
      if (this.closeInfo !== null) {
        reject(new Error(`connection already closed; unconsumed bytes: ${JSON.stringify(this.text())}`));
        return;
      }
      this.waiters.push(waiter);
    });
  }

  /** Resumes reading if paused and awaits the server closing; returns every unconsumed byte. */
  async readToEnd(): Promise<Buffer> {
    this.socket.resume();
    const info = await this.closed;
    void info;
    return this.consume(this.receivedLength);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Half-closes (sends FIN); the server may still answer. */
  end(): void {
    this.socket.end();
  }

  /** Closes at once, as a client that goes away (RST if data is unread). */
  destroy(): void {
    this.socket.destroy();
  }

  private runWaiters(): void {
    // In order: a waiter that needs more bytes blocks the ones queued after it.
    while (this.waiters.length > 0 && this.waiters[0].check()) this.waiters.shift();
  }
}
