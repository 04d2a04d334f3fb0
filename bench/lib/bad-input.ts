// A bounded storm of malformed and outsized requests, as a careless or hostile client sends them: each request
// on its own connection, N connections at a time. Used by bench/pool-bad-input.ts and by the pool's memory
// test. Knows the wire format of the three inputs; nothing of any server's code.

import net from 'node:net';

/**
 * - huge-bulk: announces a legal 300 MiB bulk (under proto-max-bulk-len), sends 1 MiB of it and closes;
 * - many-args: a whole 10,001-argument request of an unknown command (an error reply), then closes;
 * - long-inline: a 100 KB inline line (past the 64 KiB inline limit: an error reply, the server closes).
 */
export type BadInputKind = 'huge-bulk' | 'many-args' | 'long-inline';

export const BAD_INPUT_KINDS: readonly BadInputKind[] = ['huge-bulk', 'many-args', 'long-inline'];

const MiB = 1024 * 1024;

/** The bytes one bad client sends before it closes. Built once per kind: they are large. */
export function badPayload(kind: BadInputKind): Buffer {
  switch (kind) {
    case 'huge-bulk':
      return Buffer.concat([
        Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${300 * MiB}\r\n`),
        Buffer.alloc(MiB, 0x78),
      ]);
    case 'many-args': {
      const args = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
      const parts = [`*10001\r\n$9\r\nNOSUCHCMD\r\n`, ...args.map((a) => `$${a.length}\r\n${a}\r\n`)];
      return Buffer.from(parts.join(''));
    }
    case 'long-inline':
      return Buffer.concat([Buffer.alloc(100_000, 0x61), Buffer.from('\r\n')]);
  }
}

export interface StormOptions {
  readonly host: string;
  readonly port: number;
  readonly kind: BadInputKind;
  /** Bad clients in all. */
  readonly clients: number;
  /** At most this many connected at once. */
  readonly concurrency: number;
  /** One bad client gives up after this long (a server that neither reads nor closes). */
  readonly clientTimeoutMs?: number;
}

export interface StormResult {
  readonly sent: number;
  /** Clients that hit their timeout (the server stopped reading them). */
  readonly timedOut: number;
  /** Clients whose connection failed (refused, reset before all was sent). */
  readonly failed: number;
  readonly ms: number;
}

type Outcome = 'done' | 'timeout' | 'failed';

/** One bad client: connect, send the payload, half-close, read whatever comes back until the server closes. */
function oneBadClient(host: string, port: number, payload: Buffer, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let outcome: Outcome = 'done';
    const timer = setTimeout(() => {
      outcome = 'timeout';
      socket.destroy();
    }, timeoutMs);
    socket.on('connect', () => socket.end(payload));
    socket.on('data', () => undefined);
    // A reset after the server answered (it closed with our bytes unread) is the expected end, not a failure.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE' && outcome === 'done') outcome = 'failed';
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}

/** Runs `clients` bad clients of one kind, `concurrency` at a time; resolves when every one has closed. */
export async function badInputStorm(options: StormOptions): Promise<StormResult> {
  const payload = badPayload(options.kind);
  const timeoutMs = options.clientTimeoutMs ?? 30_000;
  const started = performance.now();
  let next = 0;
  let timedOut = 0;
  let failed = 0;
  const lane = async (): Promise<void> => {
    while (next < options.clients) {
      next++;
      const outcome = await oneBadClient(options.host, options.port, payload, timeoutMs);
      if (outcome === 'timeout') timedOut++;
      if (outcome === 'failed') failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.clients) }, lane));
  return { sent: options.clients, timedOut, failed, ms: Math.round(performance.now() - started) };
}
