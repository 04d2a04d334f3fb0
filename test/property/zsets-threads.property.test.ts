// Real concurrency on one sorted set: four worker_threads attach to one SharedStore and run fast-check-generated
// mixes of ZADD, ZINCRBY, ZREM, ZRANGE and ZRANK on one shared key (each thread its own members among everyone's)
// and ZADD / ZPOPMIN on a shared queue, with the listpack limit low so the set converts to a skip list while
// other threads use it. Each thread's members must end as its model says, every read must be in order, and the
// queue must lose and duplicate nothing. The workers run the compiled store (dist/): `npm run build` first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtStore, runStoreWorker } from '../support/store-threads.js';

const workerUrl = new URL('./zsets-worker.mjs', import.meta.url);
const THREADS = 4;

type Op =
  | { kind: 'add'; member: number; score: number }
  | { kind: 'incr'; member: number; delta: number }
  | { kind: 'rem'; member: number }
  | { kind: 'read' }
  | { kind: 'push'; score: number }
  | { kind: 'pop'; count: number };

interface WorkerResult {
  violations: string[];
  model: [string, number][];
  popped: string[];
  queued: number;
}

const member = fc.nat(40);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      member,
      score: fc.integer({ min: -3, max: 3 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('incr' as const),
      member,
      delta: fc.integer({ min: -2, max: 2 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('rem' as const), member }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'read' as const }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('push' as const), score: fc.integer({ min: 0, max: 5 }) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('pop' as const), count: fc.integer({ min: 1, max: 3 }) }),
    weight: 2,
  },
);

describe('sorted sets across worker threads', () => {
  it("keep every thread's members, order every read and lose nothing from a shared queue", async () => {
    const { SharedStore } = await builtStore();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 20, maxLength: 80 }), {
          minLength: THREADS,
          maxLength: THREADS,
        }),
        async (scripts) => {
          const store = SharedStore.create({ clock: Date.now, segments: 4 });
          store.setContainerLimits({ 'zset-max-listpack-entries': 16 });
          const results = await Promise.all(
            scripts.map((script, id) =>
              runStoreWorker<Op, WorkerResult>(workerUrl, store.handles(), id, script, 20),
            ),
          );
          for (const result of results) expect(result.violations).toEqual([]);
          const shared =
            store.zrange(Buffer.from('z:shared'), { by: 'rank', start: 0, end: -1, reverse: false }) ?? [];
          const stored = new Map(shared.map(({ member, score }) => [member.toString(), score]));
          const expected = new Map(results.flatMap((r) => r.model));
          expect(stored).toEqual(expected);
          const left = (
            store.zrange(Buffer.from('z:queue'), { by: 'rank', start: 0, end: -1, reverse: false }) ?? []
          ).map((e) => e.member.toString());
          const taken = results.flatMap((r) => r.popped);
          expect(new Set([...taken, ...left]).size).toBe(taken.length + left.length);
          expect(taken.length + left.length).toBe(results.reduce((sum, r) => sum + r.queued, 0));
        },
      ),
      { numRuns: Number(process.env.FC_NUM_RUNS ?? 5) },
    );
  }, 120_000);
});
