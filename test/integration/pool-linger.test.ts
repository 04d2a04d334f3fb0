// The thread-pool transport's lingering close on real sockets: after QUIT or a protocol error the worker sends
// FIN and drains the client's input; a client that never closes (and keeps sending) holds that worker only
// until the main thread's sweep shuts it down after `closeGraceMs`, and a client that closes at once frees it
// at once. Workers run the compiled dist/ (run `npm run build` first). Waits are on socket events and pool
// stats; the one time check is a lower bound the sweep guarantees (the grace cannot end early).

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { closeTestPools, startTestPool } from '../support/pool-fixture.js';
import { resp } from '../support/raw-client.js';
import { until } from '../support/wait.js';

const native = loadNative();

const PING = resp('PING');
const PONG = '+PONG\r\n';
/** Small enough to keep the test short, large enough that "answered before the grace" cannot pass by luck. */
const GRACE_MS = 300;
const SWEEP_MS = 20;

/**
 * A client that stays open after the server's FIN (allowHalfOpen: RawClient, like any default net.Socket,
 * would answer the FIN with its own and so close promptly) and can keep sending into the drain.
 */
class LingeringClient {
  private received = Buffer.alloc(0);
  private readonly onData: (() => void)[] = [];
  private sender: NodeJS.Timeout | null = null;
  /** Resolves on the server's FIN. */
  readonly ended: Promise<void>;
  /** Resolves when the socket has closed; `byUs` is false when the server closed (or reset) it. */
  readonly closed: Promise<{ byUs: boolean; error: NodeJS.ErrnoException | null }>;
  private destroyedByUs = false;

  private constructor(readonly socket: net.Socket) {
    let lastError: NodeJS.ErrnoException | null = null;
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      for (const wake of this.onData.splice(0)) wake();
    });
    // One error sink: a write into a connection the server has closed gets RST (ECONNRESET or EPIPE).
    socket.on('error', (e: NodeJS.ErrnoException) => (lastError = e));
    this.ended = new Promise((resolve) => socket.once('end', resolve));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.stopSending();
        for (const wake of this.onData.splice(0)) wake();
        resolve({ byUs: this.destroyedByUs, error: lastError });
      }),
    );
  }

  static connect(port: number): Promise<LingeringClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new LingeringClient(socket));
      });
    });
  }

  /** Writes bytes and resolves once they are handed to the kernel. */
  send(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (e) => (e ? reject(e) : resolve())));
  }

  /** Awaits exactly `expected.length` bytes in total received, as latin1; rejects if the socket closes first. */
  async readText(expected: string): Promise<string> {
    const n = Buffer.byteLength(expected, 'latin1');
    while (this.received.length < n) {
      if (this.socket.destroyed) {
        throw new Error(`closed after ${JSON.stringify(this.received.toString('latin1'))}`);
      }
      await new Promise<void>((resolve) => this.onData.push(resolve));
    }
    return this.received.toString('latin1', 0, n);
  }

  /** Everything received so far. */
  text(): string {
    return this.received.toString('latin1');
  }

  /**
   * A client that ignores the close and keeps talking: a few bytes every `everyMs` until the socket closes.
   * The timer is the client's behaviour, not a wait the test relies on.
   */
  keepSending(everyMs = 10): void {
    let n = 0;
    this.sender = setInterval(() => {
      if (!this.socket.writable) return;
      this.socket.write(resp('SET', `ignored:${++n}`, 'x'));
    }, everyMs);
  }

  stopSending(): void {
    if (this.sender !== null) clearInterval(this.sender);
    this.sender = null;
  }

  destroy(): void {
    this.stopSending();
    if (!this.socket.destroyed) this.destroyedByUs = true;
    this.socket.destroy();
  }
}

afterEach(closeTestPools);

/** One worker, so a lingering client blocks the next one; the sweep runs often so the grace ends promptly. */
async function startPool(closeGraceMs: number) {
  const pool = await startTestPool({ workers: 1, closeGraceMs, idleCheckIntervalMs: SWEEP_MS });
  return { ...pool, lingering: async () => pool.adopt(await LingeringClient.connect(pool.port)) };
}

/**
 * `closing` makes the server close A (QUIT, or a protocol error) with `reply` as its last bytes; A then stays
 * open and keeps sending. B, queued behind A on the single worker, must be answered only once the sweep has
 * ended A's grace, and A must see the server close it.
 */
async function lingerPastGrace(closing: Uint8Array, reply: string): Promise<void> {
  const pool = await startPool(GRACE_MS);
  const a = await pool.lingering();
  expect(await a.send(PING).then(() => a.readText(PONG))).toBe(PONG); // A holds the only worker

  // Before the worker can mark A closing: the grace, counted from then, ends after startedAt + GRACE_MS.
  const startedAt = Date.now();
  await a.send(closing);
  expect(await a.readText(PONG + reply)).toBe(PONG + reply);
  await a.ended; // the worker's FIN (shutdown write), after its last reply
  a.keepSending();

  const b = await pool.connect();
  await b.send(PING);
  await until(() => pool.transport.stats().queuedClients === 1, 'B is queued behind the draining worker');
  expect(b.pending.length).toBe(0);

  // Freed only by the sweep: without it B would never be answered (the test times out); with a sweep that
  // ignored the grace B would be answered before GRACE_MS.
  expect(await b.readText(PONG)).toBe(PONG);
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(GRACE_MS);

  // A's writes into the closed connection are refused (RST): the server closed it, A did not.
  const aClosed = await a.closed;
  expect(aClosed.byUs).toBe(false);
  expect([null, 'ECONNRESET', 'EPIPE']).toContain(aClosed.error?.code ?? null);
  // Nothing A sent after the close was executed or answered.
  expect(a.text()).toBe(PONG + reply);
  expect(await b.request(resp('EXISTS', 'ignored:1'), ':0\r\n')).toBe(':0\r\n');
  expect(pool.transport.stats()).toMatchObject({ connectedClients: 1, busyWorkers: 1, queuedClients: 0 });
}

describe.skipIf(native instanceof Error)('thread-pool transport, lingering close', () => {
  it('QUIT, then a client that never closes: the worker is freed when the grace ends', async () => {
    await lingerPastGrace(resp('QUIT'), '+OK\r\n');
  });

  it('a protocol error, then a client that never closes: the error arrives whole, then the grace ends', async () => {
    await lingerPastGrace(
      Buffer.from('*1\r\n$abc\r\nPING\r\n'),
      '-ERR Protocol error: invalid bulk length\r\n',
    );
  });

  it('a client that closes after QUIT frees the worker at once, long before the grace', async () => {
    // A 60 s grace: were the worker freed only by the sweep, B would not be answered within the test timeout.
    const pool = await startPool(60_000);
    const a = await pool.lingering();
    await a.send(PING);
    expect(await a.readText(PONG)).toBe(PONG);
    const b = await pool.connect();
    await b.send(PING);
    await until(() => pool.transport.stats().queuedClients === 1, 'B is queued behind A');

    await a.send(resp('QUIT'));
    expect(await a.readText(PONG + '+OK\r\n')).toBe(PONG + '+OK\r\n');
    await a.ended;
    a.socket.end(); // our FIN: the drain reads end of input and the worker moves on
    expect(await b.readText(PONG)).toBe(PONG);
    expect((await a.closed).error).toBeNull();
    expect(pool.transport.stats()).toMatchObject({ connectedClients: 1, busyWorkers: 1, queuedClients: 0 });
  });
});
