// Hashes under real concurrency: four worker_threads attach to one SharedStore and run fast-check-generated
// mixes of HSET/HDEL/HGET of their own fields in one hash all of them share (a value past
// hash-max-listpack-value converts it to a hashtable while they run, in a store with few segments and a small
// arena that grows under them), HINCRBY of shared counters, and full HSCANs, HGETALLs and HRANDFIELDs. No value
// may be torn or land under another field, no thread's write may be lost, HSCAN must return every field that
// stayed put, and the counters must end exact. The workers run the compiled store (dist/): `npm run build` first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as StoreModule from '../../src/core/store/store.js';
import { builtStore, runStoreWorker } from '../support/store-threads.js';

const workerUrl = new URL('./hash-worker.mjs', import.meta.url);
const THREADS = 4;

type Op =
  | { kind: 'hset'; field: number; seed: number; length: number }
  | { kind: 'hdel'; field: number }
  | { kind: 'hget'; field: number }
  | { kind: 'hincrby'; counter: number; delta: number }
  | { kind: 'scan' }
  | { kind: 'random'; count: number };

interface WorkerResult {
  violations: string[];
  counted: number;
  model: [string, string][];
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('hset' as const),
      field: fc.nat(59),
      seed: fc.nat(9),
      length: fc.oneof(fc.nat(8), fc.nat(90)), // past hash-max-listpack-value (64) now and then
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('hdel' as const), field: fc.nat(59) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('hget' as const), field: fc.nat(59) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('hincrby' as const),
      counter: fc.nat(2),
      delta: fc.integer({ min: -5, max: 9 }),
    }),
    weight: 3,
  },
  { arbitrary: fc.constant({ kind: 'scan' as const }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('random' as const), count: fc.integer({ min: -5, max: 50 }) }),
    weight: 1,
  },
);

function runWorker(
  handles: StoreModule.StoreHandles,
  id: number,
  script: Op[],
  repeat: number,
): Promise<WorkerResult> {
  return runStoreWorker<Op, WorkerResult>(workerUrl, handles, id, script, repeat);
}

describe('hashes across worker threads', () => {
  it('lose no field, tear no value and keep HINCRBY exact while the shared hash converts', async () => {
    const { SharedStore } = await builtStore();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 20, maxLength: 60 }), {
          minLength: THREADS,
          maxLength: THREADS,
        }),
        async (scripts) => {
          const store = SharedStore.create({ clock: Date.now, segments: 4, initialBytes: 64 * 1024 });
          const results = await Promise.all(
            scripts.map((script, id) => runWorker(store.handles(), id, script, 20)),
          );
          expect(results.flatMap((r) => r.violations)).toEqual([]);
          const total = results.reduce((sum, r) => sum + r.counted, 0);
          const counters = store.hgetall(Buffer.from('counters'), 'values');
          expect(counters.reduce((sum, v) => sum + Number(v), 0)).toBe(total);
          const fields = results.flatMap((r) => r.model);
          expect(store.hlen(Buffer.from('shared'))).toBe(fields.length);
          const values = store.hmget(
            Buffer.from('shared'),
            fields.map(([field]) => Buffer.from(field)),
          );
          expect((values ?? []).map((v) => v?.toString())).toEqual(fields.map(([, value]) => value));
        },
      ),
      { numRuns: 4 },
    );
  }, 120_000);
});
