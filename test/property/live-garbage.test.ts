// Garbage in, against live servers of every transport (fast-check): random bytes, protocol-looking token soup
// and mutations of valid pipelines (truncated, oversized counts and lengths, lengths off by one, NUL bytes,
// mixed framings on one connection), sent in random chunks on a fresh connection that is then half-closed or
// reset. Throughout, a canary client on its own connection writes random binary values and reads back exactly
// what it wrote; after each input the canary must make progress, a fresh client must be served, and the
// server must close the garbage connection. Nothing may be logged as an unexpected error.
// Runs: FC_NUM_RUNS; fast-check prints the seed and the shrunk input on failure.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeRequest,
  LiveClient,
  numRuns,
  timeoutFor,
  respBytes,
  v,
  within,
  type Framing,
} from '../support/live-harness.js';
import { RawClient } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

/** Liveness bound: generous for a 2-core machine shared with others, far below a hang. */
const LIVENESS_MS = 5000;

/** Reads and writes back random values forever on its own connection until stopped; records any mismatch. */
class Canary {
  rounds = 0;
  failure: Error | null = null;
  private stopped = false;
  private readonly progress: (() => void)[] = [];
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly client: LiveClient) {}

  start(): void {
    this.loop = this.run().catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
      for (const wake of this.progress.splice(0)) wake();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const i = this.rounds;
      const key = Buffer.from(`canary:${i % 4}`);
      const value = Buffer.from(Array.from({ length: 1 + (i % 37) }, (_, j) => (i * 31 + j * 7) & 0xff));
      const framing: Framing = i % 3 === 0 ? 'inline' : 'resp';
      const set = await within(this.client.call(['SET', key, value], framing), LIVENESS_MS, 'canary SET');
      // Replies follow the client: plaintext only for its very first request, before it has sent any RESP.
      expect(set.toString('latin1')).toBe(framing === 'inline' && i === 0 ? 'OK\n' : '+OK\r\n');
      const got = await within(this.client.call(['GET', key]), LIVENESS_MS, 'canary GET');
      expect(got.toString('latin1')).toBe(respBytes(v.bulk(value)).toString('latin1'));
      this.rounds++;
      for (const wake of this.progress.splice(0)) wake();
    }
  }

  /** Resolves after the canary completes another round (or rejects if it failed). */
  async next(): Promise<void> {
    const target = this.rounds + 1;
    while (this.rounds < target && this.failure === null) {
      await new Promise<void>((resolve) => this.progress.push(resolve));
    }
    if (this.failure !== null) throw this.failure;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    if (this.failure !== null) throw this.failure;
  }
}

// ---- inputs ----

const TOKENS = [
  '*',
  '$',
  '\r\n',
  '\n',
  '\r',
  '\0',
  ' ',
  '\t',
  '"',
  "'",
  '\\',
  '\\x',
  '\\xZZ',
  '-1',
  '0',
  '1',
  '2',
  '3',
  '-',
  '+',
  ':',
  '*1\r\n',
  '*3\r\n',
  '$3\r\n',
  '$0\r\n',
  '$-1\r\n',
  '*-1\r\n',
  '*0\r\n',
  '1048576',
  '1048577',
  '536870912',
  '536870913',
  '2147483648',
  '9223372036854775807',
  '9223372036854775808',
  '99999999999999999999999',
  'SET',
  'GET',
  'PING',
  'ECHO',
  'QUIT',
  'MSET',
  'INCR',
  'k',
  'v',
  '(nil)',
  '"unbalanced',
  "'x'y",
];

const validRequest = fc
  .tuple(
    fc.constantFrom(
      ['PING'],
      ['SET', 'g'],
      ['GET', 'g'],
      ['ECHO'],
      ['INCR', 'n'],
      ['MGET', 'g', 'n'],
      ['APPEND', 'g'],
    ),
    fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 2 }),
    fc.constantFrom<Framing>('resp', 'inline'),
  )
  .map(([head, extra, framing]) => encodeRequest([...head, ...extra.map((b) => Buffer.from(b))], framing));

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'replace'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'number'; at: number; to: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    byte: fc.constantFrom(0, 0x0a, 0x0d, 0x2a, 0x24, 0x22, 0xff),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant('number' as const),
    at: fc.nat(),
    to: fc.constantFrom('-1', '-2', '0', '1048577', '536870913', '99999999999', 'x', '', '+1', ' 1'),
  }),
);

/** Applies a mutation at a position taken modulo the input length; 'number' rewrites the nth '*N'/'$N' header. */
function mutate(input: Buffer, m: Mutation): Buffer {
  if (input.length === 0) return input;
  const at = m.at % input.length;
  switch (m.kind) {
    case 'truncate':
      return input.subarray(0, at);
    case 'replace': {
      const out = Buffer.from(input);
      out[at] = m.byte;
      return out;
    }
    case 'insert':
      return Buffer.concat([input.subarray(0, at), m.bytes, input.subarray(at)]);
    case 'number': {
      const text = input.toString('latin1');
      const headers = [...text.matchAll(/[*$](-?\d+)\r\n/g)];
      if (headers.length === 0) return input;
      const h = headers[m.at % headers.length];
      const from = (h.index ?? 0) + 1;
      return Buffer.from(text.slice(0, from) + m.to + text.slice(from + h[1].length), 'latin1');
    }
  }
}

const garbage: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => Buffer.from(t.join(''), 'latin1')),
  fc
    .tuple(
      fc.array(validRequest, { minLength: 1, maxLength: 6 }),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
    )
    .map(([requests, mutations]) => mutations.reduce(mutate, Buffer.concat(requests))),
);

const input = fc.record({
  bytes: garbage,
  cuts: fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 8 }),
  ending: fc.constantFrom('half-close', 'half-close', 'reset'),
});

function chunks(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const n of cuts) {
    if (at >= bytes.length) break;
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  if (at < bytes.length) out.push(bytes.subarray(at));
  return out;
}

const FATAL = /Protocol error: (?!unbalanced quotes)/;

const RUNS = numRuns(150);

describe.each(transports)('%s transport: garbage in', (transport) => {
  let server: TestServer;
  let canary: Canary;

  beforeAll(async () => {
    server = await startTestServer(transport, { workers: 4 });
    canary = new Canary(new LiveClient(await server.connect()));
    canary.start();
  });
  afterAll(async () => {
    await server.close();
  });

  it(
    'never crashes, stalls or corrupts: the canary reads back what it wrote throughout',
    async () => {
      await fc.assert(
        fc.asyncProperty(input, async ({ bytes, cuts, ending }) => {
          const g = await RawClient.connect(server.port);
          try {
            for (const chunk of chunks(bytes, cuts)) {
              if (g.isClosed) break;
              await g.send(chunk).catch(() => undefined); // the server may close on a protocol error
            }
            if (ending === 'reset') g.destroy();
            else g.end();
            // Whatever the input, the server ends the connection: on a protocol error, on EOF or on the reset.
            await within(g.closed, LIVENESS_MS, 'the server did not close the garbage connection');
            const received = g.text();
            // A fatal protocol error is the last thing a connection hears.
            const fatal = FATAL.exec(received);
            if (fatal !== null) {
              const rest = received.slice(fatal.index);
              expect(rest.indexOf('\n'), JSON.stringify(received)).toBe(rest.length - 1);
            }
          } finally {
            g.destroy();
          }
          await within(canary.next(), LIVENESS_MS, 'the canary stalled');
          const fresh = await LiveClient.connect(server.port);
          try {
            expect((await within(fresh.call(['PING']), LIVENESS_MS, 'a fresh client')).toString()).toBe(
              '+PONG\r\n',
            );
          } finally {
            await fresh.close();
          }
        }),
        { numRuns: RUNS },
      );
      await canary.stop();
      expect(canary.rounds).toBeGreaterThan(0);
      const unexpected = server.logs.lines.filter((l) => l.level >= 50);
      expect(unexpected, JSON.stringify(unexpected)).toEqual([]);
    },
    timeoutFor(RUNS, 50),
  );
});

describe.each(transports)('%s transport: oversized headers', (transport) => {
  it('refuses counts and lengths over the limits with the exact error, and closes only that connection', async () => {
    const server = await startTestServer(transport, { workers: 4 });
    try {
      const keeper = await server.connect();
      await keeper.request('SET kept 1\r\n', 'OK\n');
      const cases: [string, string][] = [
        ['*1048577\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
        ['*1\r\n$536870913\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
        ['*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
        ['*99999999999999999999999\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
        ['*2\r\n$3\r\nGET\r\n:1\r\n', "-ERR Protocol error: expected '$', got ':'\r\n"],
      ];
      for (const [request, reply] of cases) {
        const c = await server.connect();
        await c.send(request);
        expect((await within(c.readToEnd(), LIVENESS_MS, request)).toString('latin1'), request).toBe(reply);
      }
      // As Redis, the two bytes after a bulk payload are skipped unread, not checked to be CRLF.
      const lax = await server.connect();
      expect(await lax.request('*1\r\n$4\r\nPINGxx', '+PONG\r\n')).toBe('+PONG\r\n');
      // Allowed maxima announced but never sent: the server waits, and ends the connection on EOF.
      const big = await server.connect();
      await big.send('*1048576\r\n$536870912\r\n');
      big.end();
      expect((await within(big.readToEnd(), LIVENESS_MS, 'EOF after a huge header')).length).toBe(0);
      expect(await keeper.request('GET kept\r\n', '1\n')).toBe('1\n');
    } finally {
      await server.close();
    }
  });
});
