// Databases across real threads (issue 10): four worker_threads attach to one SharedStore and run
// fast-check-generated mixes over the same key names in their own databases (SET, GET, DEL, MOVE there and
// back, COPY ... DB), INCR one counter in a shared database, and SWAPDB two shared databases while reading them
// with MGET. Every thread must read only its own writes, MOVE and COPY must answer as its model says, the
// counter must end exact, an MGET must never see half a SWAPDB, and the swapped pair must end as the number of
// swaps says. The workers run the compiled store (dist/): `npm run build` first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as StoreModule from '../../src/core/store/store.js';
import { builtStore, runStoreWorker } from '../support/store-threads.js';

const workerUrl = new URL('./store-db-worker.mjs', import.meta.url);
const THREADS = 4;

type Op =
  | { kind: 'set'; key: number; seed: number; length: number }
  | { kind: 'get'; key: number }
  | { kind: 'del'; key: number }
  | { kind: 'move'; key: number }
  | { kind: 'copy'; key: number }
  | { kind: 'incr'; delta: number }
  | { kind: 'swap' }
  | { kind: 'mget' };

interface WorkerResult {
  violations: string[];
  swaps: number;
  mgets: number;
  model: [number, string][];
}

const key = fc.nat(12);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key,
      seed: fc.nat(1000),
      length: fc.oneof(fc.nat(16), fc.nat(2000)),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('get' as const), key }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('del' as const), key }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('move' as const), key }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('copy' as const), key }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('incr' as const), delta: fc.integer({ min: -5, max: 9 }) }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: 'swap' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'mget' as const }), weight: 3 },
);

function runWorker(
  handles: StoreModule.StoreHandles,
  id: number,
  script: Op[],
  repeat: number,
): Promise<WorkerResult> {
  return runStoreWorker<Op, WorkerResult>(workerUrl, handles, id, script, repeat);
}

describe('SharedStore databases across worker threads', () => {
  it('keeps every thread in its own database, MOVE/COPY/INCR exact and SWAPDB atomic', async () => {
    const { SharedStore } = await builtStore();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 20, maxLength: 60 }), {
          minLength: THREADS,
          maxLength: THREADS,
        }),
        async (scripts) => {
          // Few segments and a small arena: lock contention, index and arena growth happen often.
          const store = SharedStore.create({ clock: Date.now, segments: 4, initialBytes: 64 * 1024 });
          const group = (value: string) =>
            Array.from({ length: 8 }, (_, i) => [Buffer.from(`group:${i}`), Buffer.from(value)]).flat();
          store.select(14).mset(group('A'), false);
          store.select(15).mset(group('B'), false);
          const repeat = 30;
          const results = await Promise.all(
            scripts.map((script, id) => runWorker(store.handles(), id, script, repeat)),
          );

          expect(results.flatMap((r) => r.violations)).toEqual([]);
          // This thread (the main one) sees what the workers did, database by database.
          results.forEach((result, id) => {
            const own = store.select(1 + id);
            for (const [k, hex] of result.model) {
              expect(own.get(Buffer.from(`own:${k}`))?.toString('hex')).toBe(hex);
            }
            expect(own.dbsize()).toBe(result.model.length);
            expect(store.select(5 + id).dbsize()).toBe(0);
          });
          let total = 0;
          for (const script of scripts) for (const op of script) if (op.kind === 'incr') total += op.delta;
          const counter = store.select(13).get(Buffer.from('counter'));
          const incremented = scripts.some((s) => s.some((op) => op.kind === 'incr'));
          expect(counter?.toString() ?? null).toBe(incremented ? String(total * repeat) : null);
          const swaps = results.reduce((sum, r) => sum + r.swaps, 0);
          const [first, second] = swaps % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
          const groupKeys = Array.from({ length: 8 }, (_, i) => Buffer.from(`group:${i}`));
          expect(
            store
              .select(14)
              .mget(groupKeys)
              .map((v) => v?.toString()),
          ).toEqual(Array(8).fill(first));
          expect(
            store
              .select(15)
              .mget(groupKeys)
              .map((v) => v?.toString()),
          ).toEqual(Array(8).fill(second));
          expect(store.dbsize()).toBe(0);
          expect(store.stats().keys).toBe(store.keyspace().reduce((sum, db) => sum + db.keys, 0));
        },
      ),
      { numRuns: 4 },
    );
  }, 120_000);
});
