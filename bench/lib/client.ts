// A promise-based RESP connection for probes and the idle bench's active client: one command at a time,
// each with its own timeout, so a starved request is reported instead of hanging the bench. The load
// generator uses its own pipelined loop (load.ts); this one favours clarity over throughput.

import net from 'node:net';
import { createReplyReader, encodeCommand, RespError, type RespValue } from './resp.js';

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no reply within ${ms} ms`);
  }
}

export interface ConnectOptions {
  host: string;
  port: number;
  localAddress?: string;
  timeoutMs?: number;
}

export function connectSocket(options: ConnectOptions): Promise<net.Socket> {
  const { host, port, localAddress, timeoutMs = 5000 } = options;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TimeoutError(`connect to ${host}:${port}`, timeoutMs));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', onError);
  });
}

interface Waiter {
  resolve(value: RespValue): void;
  reject(error: Error): void;
}

export class BenchClient {
  private readonly waiters: Waiter[] = [];
  private closedError: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    const reader = createReplyReader('resp');
    socket.on('data', (chunk: Buffer) => {
      for (const reply of reader.feed(chunk)) this.waiters.shift()?.resolve(reply);
    });
    const fail = (error: Error): void => {
      this.closedError ??= error;
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.closedError);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the server')));
  }

  static async connect(options: ConnectOptions): Promise<BenchClient> {
    return new BenchClient(await connectSocket(options));
  }

  /**
   * Sends one command and resolves with its reply, however long that takes: callers bound the wait with
   * withTimeout() and can keep awaiting the same promise after a timeout (that is how a starved request's
   * eventual reply, and so the recovery time, is observed).
   */
  request(argv: readonly (string | Uint8Array)[]): Promise<RespValue> {
    if (this.closedError) return Promise.reject(this.closedError);
    const result = new Promise<RespValue>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.socket.write(encodeCommand(argv));
    return result;
  }

  /** request() bounded by a timeout. */
  call(argv: readonly (string | Uint8Array)[], timeoutMs = 5000): Promise<RespValue> {
    return withTimeout(this.request(argv), timeoutMs, String(argv[0]));
  }

  close(): void {
    this.socket.destroy();
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export function replyText(reply: RespValue): string {
  if (reply instanceof RespError) throw new Error(reply.message);
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return String(reply);
}

/** Parses INFO text into a name → value map. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}
