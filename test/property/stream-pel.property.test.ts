// The PEL's arena structure (store/stream-pel.ts) against a naive model, a sorted array: random sets (new IDs,
// reassignments), deletes and lookups, with IDs drawn from a small range (so they collide and land between
// others, splitting chunks in the middle), from ascending runs (XREADGROUP's appends, new chunks at the end), and
// from the extremes of the 64-bit words (so the four-word comparison is exercised). After every operation the
// structure answers get, ceiling, the walk from an ID, first, last, size and the whole scan as the model does; at
// the end its blocks are freed and the segment's used bytes are back where they started.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Arena } from '../../src/core/store/arena.js';
import { SharedStore } from '../../src/core/store/store.js';
import { Pel, type PelRecord } from '../../src/core/store/stream-pel.js';
import { makeId, MAX_U64, type StreamId } from '../../src/core/store/stream-id.js';

type Op =
  | { kind: 'set'; id: StreamId; consumer: number; time: number; count: number }
  | { kind: 'delete'; id: StreamId }
  | { kind: 'append'; n: number };

const EDGE = [0n, 1n, 0xffffffffn, 0x100000000n, MAX_U64 - 1n, MAX_U64];
const idArb = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 8 }))
    .map(([ms, seq]) => makeId(BigInt(ms), BigInt(seq))),
  fc.tuple(fc.constantFrom(...EDGE), fc.constantFrom(...EDGE)).map(([ms, seq]) => makeId(ms, seq)),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      id: idArb,
      consumer: fc.integer({ min: 0, max: 5 }),
      time: fc.integer({ min: 0, max: 1e12 }),
      count: fc.integer({ min: 0, max: 2 ** 40 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), id: idArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('append' as const), n: fc.integer({ min: 1, max: 150 }) }),
  },
);

/** The naive model: records sorted by ID. */
class Model {
  readonly records: PelRecord[] = [];
  private index(id: StreamId): number {
    return this.records.findIndex((r) => r.id >= id);
  }
  set(r: PelRecord): PelRecord | null {
    const at = this.index(r.id);
    if (at === -1) this.records.push(r);
    else if (this.records[at].id === r.id) return this.records.splice(at, 1, r)[0];
    else this.records.splice(at, 0, r);
    return null;
  }
  delete(id: StreamId): PelRecord | null {
    const at = this.index(id);
    return at !== -1 && this.records[at].id === id ? this.records.splice(at, 1)[0] : null;
  }
  ceiling(id: StreamId): PelRecord | null {
    const at = this.index(id);
    return at === -1 ? null : this.records[at];
  }
}

describe('the PEL in the arena against a sorted array', () => {
  it('answers every lookup as the model after each change, and frees every block at the end', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 120 }),
        fc.array(idArb, { minLength: 1, maxLength: 8 }),
        (ops, probes) => {
          const handles = SharedStore.create({ clock: () => 0, segments: 1 }).handles();
          const arena = new Arena(handles.arena, new Int32Array(handles.control), 1);
          const before = arena.usedBytes(0);
          const pel = new Pel(arena, 0, 0);
          const model = new Model();
          let appendFrom = makeId(1n << 40n, 0n);
          for (const op of ops) {
            if (op.kind === 'set') {
              const r = { id: op.id, consumer: op.consumer, deliveryTime: op.time, deliveryCount: op.count };
              expect(pel.set(r.id, r.consumer, r.deliveryTime, r.deliveryCount)).toEqual(model.set(r));
            } else if (op.kind === 'delete') {
              expect(pel.delete(op.id)).toEqual(model.delete(op.id));
            } else {
              for (let k = 0; k < op.n; k++) {
                appendFrom += 1n;
                const r = { id: appendFrom, consumer: k % 3, deliveryTime: k, deliveryCount: 1 };
                expect(pel.set(r.id, r.consumer, r.deliveryTime, r.deliveryCount)).toEqual(model.set(r));
              }
            }
            expect(pel.size).toBe(model.records.length);
            expect(pel.first()).toEqual(model.records[0] ?? null);
            expect(pel.last()).toEqual(model.records[model.records.length - 1] ?? null);
            for (const id of probes) {
              expect(pel.get(id)).toEqual(model.records.find((r) => r.id === id) ?? null);
              expect(pel.ceiling(id)).toEqual(model.ceiling(id));
              expect([...pel.from(id)]).toEqual(model.records.filter((r) => r.id >= id));
            }
          }
          expect([...pel.all()]).toEqual(model.records);
          const copy = new Pel(arena, 0, pel.cloneBlocks());
          expect([...copy.all()]).toEqual(model.records);
          copy.release();
          pel.release();
          expect(pel.size).toBe(0);
          expect(arena.usedBytes(0)).toBe(before);
        },
      ),
      { numRuns: Number(process.env.FC_NUM_RUNS ?? 150) },
    );
  });
});
