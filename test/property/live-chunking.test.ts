// Chunking against live servers of every transport (fast-check): one pipelined stream of requests — both
// framings mixed, binary arguments, blank lines, command errors and non-fatal protocol errors, ending with
// QUIT — written whole on one connection and in arbitrary chunk sizes (down to single bytes) on another must
// yield byte-identical replies. It starts with FLUSHALL (the server is this test's own): both runs see one state.
// Runs: FC_NUM_RUNS; fast-check prints the seed and the shrunk stream on failure.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeRequest,
  inline,
  numRuns,
  timeoutFor,
  type Arg,
  type Framing,
} from '../support/live-harness.js';
import { RawClient } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

const KEYS = ['a', 'b', Buffer.from([0x00, 0x0d, 0x0a, 0xff]).toString('latin1')];
const key = fc.constantFrom(...KEYS).map((k) => Buffer.from(k, 'latin1'));
const arg = fc.oneof(
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
  fc.constantFrom('1', '-7', 'hello world', '', '"', '(nil)').map((s) => Buffer.from(s)),
);
/** Large arguments: past the socket read size and the parser's buffers. */
const bigArg = fc
  .tuple(fc.constantFrom(20_000, 70_000), fc.integer({ min: 0, max: 255 }))
  .map(([n, byte]) => Buffer.alloc(n, byte));

const request: fc.Arbitrary<Buffer> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fc.oneof(
          fc.tuple(fc.constantFrom('SET', 'APPEND', 'GETSET'), key, arg).map((t): Arg[] => t),
          fc.tuple(fc.constantFrom('GET', 'INCR', 'STRLEN', 'GETDEL', 'TTL'), key).map((t): Arg[] => t),
          fc
            .tuple(fc.constantFrom('DEL', 'EXISTS', 'MGET'), fc.array(key, { minLength: 1, maxLength: 3 }))
            .map(([c, ks]): Arg[] => [c, ...ks]),
          fc.tuple(key, arg, key, arg).map((kv): Arg[] => ['MSET', ...kv]),
          fc.tuple(key, fc.integer({ min: -3, max: 3 })).map(([k, n]): Arg[] => ['INCRBY', k, String(n)]),
          arg.map((a): Arg[] => ['ECHO', a]),
          fc.constant<Arg[]>(['PING']),
          fc.constant<Arg[]>(['NOSUCHCOMMAND', 'x']),
          fc.constant<Arg[]>(['GET']),
        ),
        fc.constantFrom<Framing>('resp', 'inline'),
      )
      .map(([argv, framing]) => encodeRequest(argv, framing)),
  },
  // Large values, in RESP only: inline, a line over 64 KiB is a fatal protocol error, and a client still
  // writing when the server closes may lose replies (see regressions.test.ts: the pool's close is not graceful).
  { weight: 1, arbitrary: fc.tuple(key, bigArg).map(([k, a]) => encodeRequest(['SET', k, a], 'resp')) },
  // Inline oddities that must not desynchronise the stream: blank lines, an unbalanced quote (an error
  // reply, the connection stays), an empty multibulk, a bare LF line ending.
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('\r\n', '\n', '  \t\r\n', 'SET a "open\r\n', '*0\r\n', 'PING\n')
      .map((s) => Buffer.from(s)),
  },
);

// FLUSHALL in either framing: replies follow the client, so a stream that starts in plaintext is answered in
// plaintext up to its first RESP request, and in RESP from there on.
const stream = fc
  .tuple(
    fc.constantFrom<Framing>('resp', 'inline'),
    fc.array(request, { minLength: 1, maxLength: 40 }),
    fc.constantFrom<Framing>('resp', 'inline'),
  )
  .map(([flushFraming, requests, quitFraming]) =>
    Buffer.concat([
      encodeRequest(['FLUSHALL'], flushFraming),
      ...requests,
      encodeRequest(['QUIT'], quitFraming),
    ]),
  );

const cuts = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }),
  // Byte by byte through the first 300 bytes, then an odd size (the last size repeats).
  fc.constant([...Array.from({ length: 300 }, () => 1), 997]),
);

/** Writes `bytes` in pieces of the given sizes (the last size repeats), yielding to the loop between them. */
async function sendChunked(c: RawClient, bytes: Buffer, sizes: readonly number[]): Promise<void> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[Math.min(i, sizes.length - 1)];
    // After a fatal protocol error (an inline line over the limit) the server closes: stop writing.
    if (c.isClosed || c.socket.writableEnded) return;
    const sent = await c.send(bytes.subarray(at, at + n)).then(
      () => true,
      () => false,
    );
    if (!sent) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    at += n;
  }
}

const RUNS = numRuns(60);

describe.each(transports)('%s transport: chunking', (transport) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(transport, { workers: 4 });
  });
  afterAll(async () => {
    await server.close();
  });

  it(
    'replies byte-identically whether a pipelined stream arrives whole or in arbitrary chunks',
    async () => {
      await fc.assert(
        fc.asyncProperty(stream, cuts, async (bytes, sizes) => {
          const whole = await RawClient.connect(server.port);
          await whole.send(bytes);
          const expected = (await whole.readToEnd()).toString('latin1');
          const pieces = await RawClient.connect(server.port);
          await sendChunked(pieces, bytes, sizes);
          const actual = (await pieces.readToEnd()).toString('latin1');
          expect(actual).toBe(expected);
          // QUIT answered last: the whole stream was processed.
          expect(expected.endsWith('+OK\r\n') || expected.endsWith('OK\n')).toBe(true);
        }),
        { numRuns: RUNS },
      );
    },
    timeoutFor(RUNS, 100),
  );

  it('keeps a reply to an inline request that ends mid-way through the query buffer', async () => {
    // A fixed example of the property: an inline line split right before its LF.
    const c = await RawClient.connect(server.port);
    await c.send(inline(['ECHO', 'split']).subarray(0, -1));
    await new Promise<void>((resolve) => setImmediate(resolve));
    await c.send('\n');
    expect(await c.readText('split\n')).toBe('split\n');
    c.destroy();
  });
});
