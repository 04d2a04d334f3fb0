// Sets under real concurrency: four worker_threads attach to one SharedStore and run fast-check-generated mixes
// of SMOVE between two shared sets (each thread also taking a census of both at one instant: every token in
// exactly one set), SADD of unique members to a shared pool and SPOP from it. At the end no token is lost or
// doubled, and every member added was popped exactly once or is still in the pool. Few segments, so the keys
// share locks with each other often. The workers run the compiled store (dist/): `npm run build` first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as StoreModule from '../../src/core/store/store.js';
import { builtStore, runStoreWorker } from '../support/store-threads.js';

const workerUrl = new URL('./store-sets-worker.mjs', import.meta.url);
const THREADS = 4;
const TOKENS = 64;

type Op =
  | { kind: 'move'; token: number; leftToRight: boolean }
  | { kind: 'census' }
  | { kind: 'add'; count: number }
  | { kind: 'pop'; count: number };

interface WorkerResult {
  violations: string[];
  added: string[];
  popped: string[];
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      token: fc.nat(TOKENS - 1),
      leftToRight: fc.boolean(),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('census' as const) }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('add' as const), count: fc.integer({ min: 1, max: 30 }) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('pop' as const), count: fc.integer({ min: 1, max: 40 }) }),
    weight: 2,
  },
);

function runWorker(handles: StoreModule.StoreHandles, id: number, script: Op[], repeat: number) {
  return runStoreWorker<Op, WorkerResult>(workerUrl, handles, id, script, repeat);
}

describe('sets across worker threads', () => {
  it('SMOVE keeps every token in exactly one set; SADD/SPOP lose and duplicate no member', async () => {
    const { SharedStore } = await builtStore();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 10, maxLength: 40 }), {
          minLength: THREADS,
          maxLength: THREADS,
        }),
        async (scripts) => {
          const store = SharedStore.create({ clock: Date.now, segments: 2, initialBytes: 64 * 1024 });
          store.sadd(
            Buffer.from('left'),
            Array.from({ length: TOKENS }, (_, i) => Buffer.from(String(i))),
          );
          const results = await Promise.all(
            scripts.map((script, id) => runWorker(store.handles(), id, script, 20)),
          );
          expect(results.flatMap((r) => r.violations)).toEqual([]);
          const left = store.setAlgebra('inter', [Buffer.from('left')]).members.map(String);
          const right = store.setAlgebra('inter', [Buffer.from('right')]).members.map(String);
          expect([...left, ...right].sort()).toEqual(
            Array.from({ length: TOKENS }, (_, i) => String(i)).sort(),
          );
          const added = results.flatMap((r) => r.added);
          const popped = results.flatMap((r) => r.popped);
          const remaining = store.setAlgebra('inter', [Buffer.from('pool')]).members.map(String);
          expect(new Set(popped).size).toBe(popped.length);
          expect([...popped, ...remaining].sort()).toEqual([...added].sort());
        },
      ),
      { numRuns: 4 },
    );
  }, 120_000);
});
