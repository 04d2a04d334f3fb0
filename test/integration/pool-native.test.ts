// The pool's native helper (native/fdutil.c) on real sockets and threads: the measured facts the pool rests
// on (docs/design.md): a duplicated, blocking descriptor read by fs.readSync in a worker thread; shutdown 'read'
// from the main thread waking that read with 0; shutdown 'both' freeing a worker blocked writing; errors
// shaped like Node's system errors; and a clear Error when the addon was never built.

import { closeSync, mkdtempSync, openSync, readSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { type NativeFdUtil, loadNative, loadNativeFrom } from '../../src/transport/threadpool/native.js';

const loaded = loadNative();

/** A connected pair: `client` a normal socket, `fd` a blocking duplicate of the server side's descriptor. */
interface Pair {
  readonly client: net.Socket;
  readonly fd: number;
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

async function acceptedPair(native: NativeFdUtil): Promise<Pair> {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<number>((resolve) =>
    server.once('connection', (socket) => {
      const fd = native.dup((socket as unknown as { _handle: { fd: number } })._handle.fd);
      socket.destroy();
      resolve(fd);
    }),
  );
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  client.on('error', () => undefined);
  const fd = await accepted;
  server.close();
  cleanup.push(() => {
    client.destroy();
    try {
      closeSync(fd);
    } catch {
      // closed by the test
    }
  });
  return { client, fd };
}

/** A worker running `body` (CommonJS, with fd from workerData) that posts messages back; all are collected. */
function runWorker(
  body: string,
  fd: number,
): { messages: unknown[]; next(): Promise<unknown>; done: Promise<number> } {
  const worker = new Worker(
    `const { readSync, writeSync } = require('node:fs');
     const { parentPort, workerData: { fd } } = require('node:worker_threads');
     const post = (m) => parentPort.postMessage(m);
     ${body}`,
    { eval: true, workerData: { fd }, trackUnmanagedFds: false },
  );
  const messages: unknown[] = [];
  const waiting: ((m: unknown) => void)[] = [];
  worker.on('message', (m: unknown) => {
    const waiter = waiting.shift();
    if (waiter) waiter(m);
    else messages.push(m);
  });
  return {
    messages,
    next: () =>
      messages.length > 0 ? Promise.resolve(messages.shift()) : new Promise((r) => waiting.push(r)),
    done: new Promise((resolve) => worker.on('exit', resolve)),
  };
}

describe.skipIf(loaded instanceof Error)('native fd helper (fdutil.node)', () => {
  const native = loaded as NativeFdUtil;

  it('dup gives a new descriptor for the same connection; setBlocking toggles O_NONBLOCK', async () => {
    const { client, fd } = await acceptedPair(native);
    native.setBlocking(fd, false);
    expect(() => readSync(fd, Buffer.alloc(8), 0, 8, null)).toThrow(
      expect.objectContaining({ code: 'EAGAIN' }),
    );
    native.setBlocking(fd, true);
    const reader = runWorker(
      `post('reading'); const b = Buffer.alloc(16); const n = readSync(fd, b, 0, 16, null); post(b.toString('latin1', 0, n));`,
      fd,
    );
    expect(await reader.next()).toBe('reading');
    client.write('hello');
    // A non-blocking read would have thrown EAGAIN before the bytes came; the blocking one waited for them.
    expect(await reader.next()).toBe('hello');
    await reader.done;
  });

  it("shutdown 'read' from the main thread wakes a worker blocked in readSync with 0", async () => {
    const { fd } = await acceptedPair(native);
    native.setBlocking(fd, true);
    const reader = runWorker(`post('reading'); post(readSync(fd, Buffer.alloc(16), 0, 16, null));`, fd);
    expect(await reader.next()).toBe('reading');
    native.shutdown(fd, 'read');
    expect(await reader.next()).toBe(0);
    expect(await reader.done).toBe(0);
  });

  it("shutdown 'both' frees a worker blocked writing to a client that does not read (EPIPE)", async () => {
    const { client, fd } = await acceptedPair(native);
    client.pause();
    native.setBlocking(fd, true);
    const writer = runWorker(
      `const chunk = Buffer.alloc(1 << 20); post('writing');
       try { for (;;) writeSync(fd, chunk); } catch (e) { post(e.code); }`,
      fd,
    );
    expect(await writer.next()).toBe('writing');
    native.shutdown(fd, 'both');
    expect(await writer.next()).toBe('EPIPE');
    expect(await writer.done).toBe(0);
  });

  it('throws errors shaped like Node system errors', async () => {
    const { fd } = await acceptedPair(native);
    const file = openSync(process.execPath, 'r');
    cleanup.push(() => closeSync(file));
    const closed = native.dup(file);
    closeSync(closed);
    expect(() => native.dup(closed)).toThrow(
      expect.objectContaining({
        code: 'EBADF',
        errno: -9,
        syscall: 'dup',
        message: 'dup failed: Bad file descriptor (EBADF)',
      }),
    );
    expect(() => native.setBlocking(closed, true)).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'fcntl' }),
    );
    expect(() => native.shutdown(file, 'read')).toThrow(
      expect.objectContaining({ code: 'ENOTSOCK', syscall: 'shutdown' }),
    );
    expect(() => native.shutdown(fd, 'sideways' as 'read')).toThrow(TypeError);
    expect(() => native.dup(-1)).toThrow(TypeError);
    expect(() => native.setBlocking(fd, 'yes' as unknown as boolean)).toThrow(TypeError);
  });

  it('loadNative is loaded once; a root with no build says what is missing and how to build it', () => {
    expect(loadNative()).toBe(loaded);
    const empty = mkdtempSync(join(tmpdir(), 'redis-lite-nobuild-'));
    const missing = loadNativeFrom(empty);
    expect(missing).toBeInstanceOf(Error);
    expect((missing as Error).message).toContain(join(empty, 'build', 'Release', 'fdutil.node'));
    expect((missing as Error).message).toContain('not built');
    expect((missing as Error).message).toContain('npm rebuild');
  });
});
