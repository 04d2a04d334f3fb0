// A consumer group's per-consumer lists (store/stream-groups.ts) against the group's PEL they index: random
// deliveries and reassignments (setPending), changes of time and count (touchPending), acknowledgements
// (removePending), consumers made and deleted (addConsumer, deleteConsumer). After every operation each consumer's
// own walk (consumerPending, whole and from a probe ID) is exactly the group's records it owns, in ID order, found
// by one lookup each in the group's PEL (never a walk of it: what makes it cost what the consumer owns), its count
// is their number, and the groups' byte image decodes to lists that walk the same; at the end releaseGroup
// frees every block, the consumers' lists too.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Arena } from '../../src/core/store/arena.js';
import { SharedStore } from '../../src/core/store/store.js';
import {
  addConsumer,
  consumerPending,
  decodeGroups,
  deleteConsumer,
  encodeGroups,
  findConsumer,
  liveGroup,
  releaseGroup,
  removePending,
  setPending,
  touchPending,
  type LiveGroup,
} from '../../src/core/store/stream-groups.js';
import { makeId, type StreamId } from '../../src/core/store/stream-id.js';
import type { Pel } from '../../src/core/store/stream-pel.js';

type Op =
  | { kind: 'deliver'; id: StreamId; consumer: number; time: number }
  | { kind: 'touch'; id: StreamId; time: number }
  | { kind: 'ack'; id: StreamId }
  | { kind: 'delete'; consumer: number }
  | { kind: 'append'; consumer: number; n: number };

const NAMES = ['alice', 'bob', 'carol', 'dave'].map((n) => Buffer.from(n));
const idArb = fc
  .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 5 }))
  .map(([ms, seq]) => makeId(BigInt(ms), BigInt(seq)));
const consumerArb = fc.integer({ min: 0, max: NAMES.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      id: idArb,
      consumer: consumerArb,
      time: fc.integer({ min: 0, max: 1e12 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      id: idArb,
      time: fc.integer({ min: 0, max: 1e12 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ack' as const), id: idArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), consumer: consumerArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      consumer: consumerArb,
      n: fc.integer({ min: 1, max: 150 }),
    }),
  },
);

/**
 * The group seen through a PEL that refuses to be walked and counts its lookups: what a consumer's own walk reads
 * of the group's records.
 */
function lookupsOnly(group: LiveGroup): { group: LiveGroup; lookups: () => number } {
  let lookups = 0;
  const pel: Pel = Object.create(group.pel);
  pel.from = () => {
    throw new Error("a consumer's walk went through the group's PEL");
  };
  pel.get = (id) => {
    lookups++;
    return group.pel.get(id);
  };
  return { group: { ...group, pel }, lookups: () => lookups };
}

/**
 * Every consumer's own walk is the group's records it owns, one lookup in the group's PEL each (never a walk of
 * it); its count their number.
 */
function expectListsMatch(group: LiveGroup, probes: readonly StreamId[]): void {
  const records = [...group.pel.all()];
  for (const consumer of group.consumers) {
    const owned = records.filter((r) => r.consumer === consumer.number);
    const spied = lookupsOnly(group);
    expect([...consumerPending(spied.group, consumer)]).toEqual(owned);
    expect(spied.lookups()).toBe(owned.length);
    expect(consumer.pending).toBe(owned.length);
    for (const from of probes) {
      expect([...consumerPending(group, consumer, from)]).toEqual(owned.filter((r) => r.id >= from));
    }
  }
  const owners = new Set(group.consumers.map((c) => c.number));
  expect(records.every((r) => owners.has(r.consumer))).toBe(true);
}

describe("a group's per-consumer lists against its PEL", () => {
  it('walk exactly what each consumer owns after every change, survive the image, and are freed', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 80 }),
        fc.array(idArb, { minLength: 1, maxLength: 4 }),
        (ops, probes) => {
          const handles = SharedStore.create({ clock: () => 0, segments: 1 }).handles();
          const arena = new Arena(handles.arena, new Int32Array(handles.control), 1);
          const before = arena.usedBytes(0);
          const plain = { name: Buffer.from('g'), lastId: 0n, entriesRead: 0, consumers: [], pending: [] };
          let group = liveGroup(arena, 0, plain);
          const consumer = (i: number) => findConsumer(group, NAMES[i]) ?? addConsumer(group, NAMES[i], 0);
          let appendFrom = makeId(1000n, 0n);
          for (const op of ops) {
            if (op.kind === 'deliver') setPending(group, op.id, consumer(op.consumer), op.time, 1);
            else if (op.kind === 'touch') {
              const record = group.pel.get(op.id);
              if (record !== null) touchPending(group, record, op.time, record.deliveryCount + 1);
            } else if (op.kind === 'ack') removePending(group, op.id);
            else if (op.kind === 'delete') {
              const found = findConsumer(group, NAMES[op.consumer]);
              if (found !== null) {
                const owned = found.pending;
                expect(deleteConsumer(group, found)).toBe(owned);
              }
            } else {
              const owner = consumer(op.consumer);
              for (let k = 0; k < op.n; k++) setPending(group, (appendFrom += 1n), owner, k, 1);
            }
            expectListsMatch(group, probes);
          }
          // The image names every list by its root: decoded, the lists walk the same.
          group = decodeGroups(encodeGroups([group]), arena, 0)[0];
          expectListsMatch(group, probes);
          releaseGroup(group);
          expect(arena.usedBytes(0)).toBe(before);
        },
      ),
      { numRuns: Number(process.env.FC_NUM_RUNS ?? 100) },
    );
  });
});
