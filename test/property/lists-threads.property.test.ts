// Lists under real concurrency (issue 12's target): many clients, served by several threads (one worker thread
// each on the pool, spread over the hybrid's loops), push, pop, move and LMPOP on the same few lists at once,
// each sending a fast-check-generated plan as one pipeline. Every element pushed is unique, so at the end the
// elements popped plus those left in the lists must be exactly the elements pushed: none lost, none twice.
// The event loop serves every client on one thread and is left out (nothing runs in parallel there).

import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numRuns, timeoutFor } from '../support/live-harness.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

const LISTS = ['queue:a', 'queue:b'];
const RUNS = numRuns(6);

type Op =
  | { kind: 'push'; list: number; left: boolean; count: number }
  | { kind: 'pop'; list: number; left: boolean; count: number | null }
  | { kind: 'move'; from: number; to: number; fromLeft: boolean; toLeft: boolean }
  | { kind: 'mpop'; left: boolean; count: number };

const list = fc.nat(LISTS.length - 1);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('push' as const),
      list,
      left: fc.boolean(),
      count: fc.integer({ min: 1, max: 20 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pop' as const),
      list,
      left: fc.boolean(),
      count: fc.option(fc.integer({ min: 0, max: 15 })),
    }),
  },
  fc.record({
    kind: fc.constant('move' as const),
    from: list,
    to: list,
    fromLeft: fc.boolean(),
    toLeft: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('mpop' as const),
    left: fc.boolean(),
    count: fc.integer({ min: 1, max: 10 }),
  }),
);

/** Sends one client's plan as a pipeline; returns what it pushed and what it popped. */
async function runPlan(
  client: Redis,
  id: number,
  plan: readonly Op[],
): Promise<{ pushed: string[]; popped: string[] }> {
  const pipeline = client.pipeline();
  const pushed: string[] = [];
  let next = 0;
  for (const o of plan) {
    if (o.kind === 'push') {
      const values = Array.from({ length: o.count }, () => `${id}:${next++}`);
      pushed.push(...values);
      if (o.left) pipeline.lpush(LISTS[o.list], ...values);
      else pipeline.rpush(LISTS[o.list], ...values);
    } else if (o.kind === 'pop') {
      const command = o.left ? 'LPOP' : 'RPOP';
      pipeline.call(command, LISTS[o.list], ...(o.count === null ? [] : [String(o.count)]));
    } else if (o.kind === 'move') {
      pipeline.call(
        'LMOVE',
        LISTS[o.from],
        LISTS[o.to],
        o.fromLeft ? 'LEFT' : 'RIGHT',
        o.toLeft ? 'LEFT' : 'RIGHT',
      );
    } else {
      pipeline.call(
        'LMPOP',
        String(LISTS.length),
        ...LISTS,
        o.left ? 'LEFT' : 'RIGHT',
        'COUNT',
        String(o.count),
      );
    }
  }
  const results = (await pipeline.exec()) ?? [];
  const popped: string[] = [];
  results.forEach(([error, reply], i) => {
    if (error !== null) throw error;
    const o = plan[i];
    if (o.kind === 'pop' && reply !== null)
      popped.push(...(typeof reply === 'string' ? [reply] : (reply as string[])));
    if (o.kind === 'mpop' && reply !== null) popped.push(...(reply as [string, string[]])[1]);
  });
  return { pushed, popped };
}

describe.each(transports.filter((t) => t !== 'eventloop'))(
  '%s transport: lists under concurrent clients',
  (transport) => {
    // The pool pins a worker thread per client, so it gets fewer clients (each a thread); the hybrid takes 50.
    const CLIENTS = transport === 'pool' ? 12 : 50;
    let server: TestServer;
    let clients: Redis[] = [];

    beforeAll(async () => {
      server = await startTestServer(transport, { workers: transport === 'pool' ? CLIENTS + 1 : 3 });
      clients = await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          const client = new Redis({
            host: server.host,
            port: server.port,
            lazyConnect: true,
            maxRetriesPerRequest: 0,
          });
          await client.connect();
          return client;
        }),
      );
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.quit()));
      await server?.close();
    });

    it(
      'loses and duplicates no element while clients on several threads push, pop, move and LMPOP the same lists',
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(op, { minLength: 5, maxLength: 40 }), {
              minLength: CLIENTS,
              maxLength: CLIENTS,
            }),
            async (plans) => {
              await clients[0].del(...LISTS);
              const outcomes = await Promise.all(plans.map((plan, id) => runPlan(clients[id], id, plan)));
              const pushed = outcomes.flatMap((o) => o.pushed);
              const seen = outcomes.flatMap((o) => o.popped);
              for (const key of LISTS) seen.push(...(await clients[0].lrange(key, 0, -1)));
              expect(new Set(seen).size).toBe(seen.length); // nothing twice
              expect(seen.sort()).toEqual(pushed.sort()); // nothing lost
            },
          ),
          { numRuns: RUNS },
        );
      },
      timeoutFor(RUNS, 20_000),
    );
  },
);
