// Concurrency against live servers of every transport (fast-check picks the shape: how many connections,
// how much work, pipeline depth, framing). On the pool every connection pins its own worker thread, so this
// is real parallelism on one shared store. Checked exactly:
// - INCR: the replies over all connections are exactly 1..N (no lost or duplicated increment), and each
//   connection sees its own replies strictly increase;
// - MSET/MGET: an MSET of one value to a group of keys is never seen half-applied by a concurrent MGET;
// - SET NX/DEL: for every key exactly one connection's SET NX wins, and exactly one DEL then removes it.
// Runs: FC_NUM_RUNS; fast-check prints the seed and the shape on failure.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LiveClient,
  numRuns,
  timeoutFor,
  type Arg,
  type Framing,
  type Value,
} from '../support/live-harness.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

const CONNECTIONS = 6;
const WORKERS = 8; // more than CONNECTIONS: a pinned worker per connection, plus room for FLUSHALL's
const GROUP = Array.from({ length: 8 }, (_, i) => `group:${i}`);

/** Sends `requests` in pipelined batches of `depth`, returning every decoded reply in order. */
async function run(c: LiveClient, requests: Arg[][], depth: number, framing: Framing): Promise<Value[]> {
  const out: Value[] = [];
  for (let i = 0; i < requests.length; i += depth) {
    // Decoded in the framing each reply comes in: RESP once the connection has sent RESP (replies follow
    // the client), so a connection drawn 'inline' after a RESP run is answered in RESP.
    out.push(...(await c.pipelineValues(requests.slice(i, i + depth), framing)));
  }
  return out;
}

const int = (value: Value): number => {
  if (value.type !== 'integer') throw new Error(`expected an integer, got ${JSON.stringify(value)}`);
  return Number(value.value);
};

const text = (value: Value): string | null => {
  if (value.type === 'nil') return null;
  if (value.type === 'bulk') return value.bytes.toString('latin1');
  if (value.type === 'status') return value.text;
  throw new Error(`expected a string, got ${JSON.stringify(value)}`);
};

const shape = fc.record({
  connections: fc.integer({ min: 2, max: CONNECTIONS }),
  work: fc.integer({ min: 20, max: 200 }),
  depth: fc.integer({ min: 1, max: 32 }),
  framings: fc.array(fc.constantFrom<Framing>('resp', 'inline'), {
    minLength: CONNECTIONS,
    maxLength: CONNECTIONS,
  }),
});

const RUNS = numRuns(15);

describe.each(transports)('%s transport: concurrency', (transport) => {
  let server: TestServer;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(transport, { workers: WORKERS });
    for (let i = 0; i < CONNECTIONS; i++) clients.push(new LiveClient(await server.connect()));
  });
  afterAll(async () => {
    await server.close();
  });

  it(
    'counts every INCR exactly once',
    async () => {
      await fc.assert(
        fc.asyncProperty(shape, async ({ connections, work, depth, framings }) => {
          await clients[0].call(['FLUSHALL']);
          const used = clients.slice(0, connections);
          const replies = await Promise.all(
            used.map((c, i) =>
              run(
                c,
                Array.from({ length: work }, () => ['INCR', 'counter']),
                depth,
                framings[i],
              ),
            ),
          );
          const all: number[] = [];
          for (const mine of replies) {
            const numbers = mine.map(int);
            for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]);
            all.push(...numbers);
          }
          all.sort((a, b) => a - b);
          expect(all).toEqual(Array.from({ length: connections * work }, (_, i) => i + 1));
          expect(text(await clients[0].value(['GET', 'counter']))).toBe(String(connections * work));
        }),
        { numRuns: RUNS },
      );
    },
    timeoutFor(RUNS, 1000),
  );

  it(
    'never shows an MSET half-applied to a concurrent MGET',
    async () => {
      await fc.assert(
        fc.asyncProperty(shape, async ({ connections, work, depth, framings }) => {
          await clients[0].call(['MSET', ...GROUP.flatMap((k) => [k, 'initial'])]);
          const used = clients.slice(0, connections);
          const results = await Promise.all(
            used.map((c, i) => {
              const writer = i % 2 === 0;
              const requests = Array.from({ length: work }, (_, j) =>
                writer ? ['MSET', ...GROUP.flatMap((k) => [k, `c${i}:${j}`])] : ['MGET', ...GROUP],
              );
              return run(c, requests, depth, framings[i]).then((r) => ({ writer, replies: r }));
            }),
          );
          for (const { writer, replies } of results) {
            for (const reply of replies) {
              if (writer) {
                expect(text(reply)).toBe('OK');
                continue;
              }
              if (reply.type !== 'array') throw new Error(`MGET replied ${JSON.stringify(reply)}`);
              const values = reply.items.map(text);
              expect(new Set(values).size, `MGET saw a torn MSET: ${values.join(' ')}`).toBe(1);
            }
          }
        }),
        { numRuns: RUNS },
      );
    },
    timeoutFor(RUNS, 1000),
  );

  it(
    'lets exactly one SET NX win per key, and exactly one DEL remove it',
    async () => {
      await fc.assert(
        fc.asyncProperty(shape, async ({ connections, work, depth, framings }) => {
          await clients[0].call(['FLUSHALL']);
          const used = clients.slice(0, connections);
          const keys = Array.from({ length: work }, (_, j) => `race:${j}`);
          const sets = await Promise.all(
            used.map((c, i) =>
              run(
                c,
                keys.map((k) => ['SET', k, `c${i}`, 'NX']),
                depth,
                framings[i],
              ),
            ),
          );
          const winners = keys.map((_, j) =>
            sets.flatMap((replies, i) => (text(replies[j]) === 'OK' ? [i] : [])),
          );
          for (const [j, w] of winners.entries()) expect(w, keys[j]).toHaveLength(1);
          const stored = await run(clients[0], [['MGET', ...keys]], 1, 'resp');
          const values = stored[0].type === 'array' ? stored[0].items.map(text) : [];
          expect(values).toEqual(winners.map((w) => `c${w[0]}`));
          const dels = await Promise.all(
            used.map((c, i) =>
              run(
                c,
                keys.map((k) => ['DEL', k]),
                depth,
                framings[i],
              ),
            ),
          );
          const removed = dels.flat().map(int);
          expect(removed.filter((n) => n === 1)).toHaveLength(keys.length);
          expect(int(await clients[0].value(['EXISTS', ...keys]))).toBe(0);
        }),
        { numRuns: RUNS },
      );
    },
    timeoutFor(RUNS, 1000),
  );
});
