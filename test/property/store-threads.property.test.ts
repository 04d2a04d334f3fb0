// Real concurrency on one SharedStore: four worker_threads attach to it and run fast-check-generated operation
// mixes. INCRs on shared counters must end exact, MGET of a key group written by MSET must always read one
// generation, no value may be torn, and each thread's own keys must end as its model says, while indexes
// and the arena grow under them. The workers run the compiled store (dist/): `npm run build` first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as StoreModule from '../../src/core/store/store.js';
import { builtStore, runStoreWorker } from '../support/store-threads.js';

const workerUrl = new URL('./store-worker.mjs', import.meta.url);
const THREADS = 4;

type Op =
  | { kind: 'incr'; key: number; delta: number }
  | { kind: 'set'; key: number; seed: number; length: number }
  | { kind: 'append'; key: number }
  | { kind: 'del'; key: number }
  | { kind: 'get'; key: number }
  | { kind: 'grow'; count: number }
  | { kind: 'mset'; generation: number }
  | { kind: 'mget' };

interface WorkerResult {
  violations: string[];
  mgets: number;
  model: [number, string][];
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('incr' as const),
      key: fc.nat(3),
      delta: fc.integer({ min: -5, max: 9 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key: fc.nat(20),
      seed: fc.nat(1000),
      length: fc.oneof(fc.nat(16), fc.nat(3000)),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('append' as const), key: fc.nat(20) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('del' as const), key: fc.nat(20) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('get' as const), key: fc.nat(20) }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('grow' as const), count: fc.integer({ min: 1, max: 40 }) }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('mset' as const), generation: fc.nat(100) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('mget' as const) }), weight: 3 },
);

function runWorker(
  handles: StoreModule.StoreHandles,
  id: number,
  script: Op[],
  repeat: number,
): Promise<WorkerResult> {
  return runStoreWorker<Op, WorkerResult>(workerUrl, handles, id, script, repeat);
}

describe('SharedStore across worker threads', () => {
  it('keeps INCRs exact, MSET/MGET atomic, values whole and every thread its own keys', async () => {
    const { SharedStore } = await builtStore();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 20, maxLength: 60 }), {
          minLength: THREADS,
          maxLength: THREADS,
        }),
        async (scripts) => {
          // A small arena and few segments: growth and lock contention happen often.
          const store = SharedStore.create({ clock: Date.now, segments: 4, initialBytes: 64 * 1024 });
          const repeat = 40;
          const results = await Promise.all(
            scripts.map((script, id) => runWorker(store.handles(), id, script, repeat)),
          );

          expect(results.flatMap((r) => r.violations)).toEqual([]);
          for (let key = 0; key <= 3; key++) {
            let expected = 0;
            for (const script of scripts) {
              for (const op of script)
                if (op.kind === 'incr' && op.key === key) expected += op.delta * repeat;
            }
            const stored = store.get(Buffer.from(`counter:${key}`));
            const touched = scripts.some((s) => s.some((op) => op.kind === 'incr' && op.key === key));
            expect(stored === null ? null : stored.toString()).toBe(touched ? String(expected) : null);
          }
          const group = store.mget(Array.from({ length: 8 }, (_, i) => Buffer.from(`group:${i}`)));
          expect(new Set(group.map((v) => v?.toString())).size).toBe(1);
          let ownKeys = 0;
          results.forEach((result, id) => {
            for (const [key, hex] of result.model) {
              expect(store.get(Buffer.from(`own:${id}:${key}`))?.toString('hex')).toBe(hex);
            }
            ownKeys += result.model.length;
          });
          const counters = [0, 1, 2, 3].filter((k) => store.get(Buffer.from(`counter:${k}`)) !== null).length;
          const groupKeys = group[0] === null ? 0 : 8;
          expect(store.dbsize()).toBe(ownKeys + counters + groupKeys);
          expect(store.keys(Buffer.from('*')).length).toBe(store.dbsize());
        },
      ),
      { numRuns: 4 },
    );
  }, 120_000);

  // The random mixes above rarely hit MGET's race window; this fixed, long mix does (a per-key MGET was caught
  // here in 3000 rounds, never in the property's 40).
  it('MGET never mixes two MSET generations under sustained contention', async () => {
    const { SharedStore } = await builtStore();
    const store = SharedStore.create({ clock: Date.now, segments: 4 });
    const script: Op[] = [
      { kind: 'mset', generation: 3 },
      { kind: 'mget' },
      { kind: 'mset', generation: 7 },
      { kind: 'mget' },
    ];
    const results = await Promise.all(
      Array.from({ length: THREADS }, (_, id) => runWorker(store.handles(), id, script, 3000)),
    );
    expect(results.flatMap((r) => r.violations)).toEqual([]);
    expect(results.reduce((sum, r) => sum + r.mgets, 0)).toBe(THREADS * 3000 * 2);
  }, 120_000);
});
