// The arena's shared free lists under real threads: four worker_threads write, overwrite and delete values of a
// few hundred bytes to 3 KB in a store of four segments, so every segment frees past its own share and blocks
// pass between segments (and threads) through the shared lists all the time. No value may be torn (a block
// handed to two owners at once would be), each thread's keys end as its model says, every byte the bump pointer
// handed out is live or on exactly one list, and the segments' own lists never hold more than their share.
// The workers run the compiled store (dist/): `npm run build` first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as StoreModule from '../../src/core/store/store.js';
import { SEGMENT_FREE_BYTES } from '../../src/core/store/arena.js';
import { UNIT } from '../../src/core/store/layout.js';
import { builtStore, runStoreWorker } from '../support/store-threads.js';

const workerUrl = new URL('./store-worker.mjs', import.meta.url);
const THREADS = 4;
const SEGMENTS = 4;
const KEYS = 40;

type Op =
  | { kind: 'set'; key: number; seed: number; length: number }
  | { kind: 'del'; key: number }
  | { kind: 'get'; key: number };

interface WorkerResult {
  violations: string[];
  model: [number, string][];
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key: fc.nat(KEYS - 1),
      seed: fc.nat(1000),
      length: fc.integer({ min: 200, max: 3000 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('del' as const), key: fc.nat(KEYS - 1) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('get' as const), key: fc.nat(KEYS - 1) }), weight: 3 },
);

/**
 * Each script ends by writing every key at 3 KB, then deleting them all: 480 KB freed at the end, more than the
 * segments keep for themselves, so whatever the random part did, the shared lists end up holding blocks.
 */
const fillThenDeleteAll: Op[] = [
  ...Array.from({ length: KEYS }, (_, key): Op => ({ kind: 'set', key, seed: key, length: 3000 })),
  ...Array.from({ length: KEYS }, (_, key): Op => ({ kind: 'del', key })),
];

function runWorker(handles: StoreModule.StoreHandles, id: number, script: Op[]): Promise<WorkerResult> {
  return runStoreWorker<Op, WorkerResult>(workerUrl, handles, id, script, 30);
}

describe('arena shared free lists across worker threads', () => {
  it('hands every freed block to one owner at a time and accounts for every byte', async () => {
    const { SharedStore } = await builtStore();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 30, maxLength: 80 }), {
          minLength: THREADS,
          maxLength: THREADS,
        }),
        async (scripts) => {
          const store = SharedStore.create({ clock: Date.now, segments: SEGMENTS, initialBytes: 64 * 1024 });
          const results = await Promise.all(
            scripts.map((script, id) => runWorker(store.handles(), id, [...script, ...fillThenDeleteAll])),
          );
          expect(results.flatMap((r) => r.violations)).toEqual([]);
          results.forEach((result) => expect(result.model).toEqual([]));
          expect(store.dbsize()).toBe(0);

          const stats = store.stats();
          const live = stats.usedMemory - stats.controlBytes;
          const free = stats.arenaFreeSegmentBytes + stats.arenaFreeSharedBytes;
          expect(live + free + UNIT).toBe(stats.arenaTouchedBytes);
          expect(stats.arenaFreeSegmentBytes).toBeLessThanOrEqual(SEGMENTS * SEGMENT_FREE_BYTES);
          expect(stats.arenaFreeSharedBytes).toBeGreaterThan(0);
        },
      ),
      { numRuns: 4 },
    );
  }, 120_000);
});
