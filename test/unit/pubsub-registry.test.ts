// The shared Pub/Sub memory on its own: the registry against a model under random subscriptions on several
// endpoints (through its rebuilds, tombstones and a thread's departure), the mailboxes (order, growth, a full one
// dropping messages and its subscribers then cut), and the hub's ordering rules between two endpoints of one state
// (as two threads use it; here both live on the test's thread).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNEL, PATTERN, PubSubHub, SHARD, type SubscriptionKind } from '../../src/core/pubsub/hub.js';
import { PubSubState } from '../../src/core/pubsub/shared-state.js';
import { ClientSubscriptions, CollectingTarget } from '../../src/core/pubsub/subscriber.js';
import type { Reply } from '../../src/core/reply.js';

const ENDPOINTS = 4;

type Op =
  | {
      readonly op: 'add' | 'remove';
      readonly kind: SubscriptionKind;
      readonly name: string;
      readonly endpoint: number;
    }
  | { readonly op: 'drop'; readonly endpoint: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constantFrom('add' as const, 'add' as const, 'remove' as const),
      kind: fc.constantFrom<SubscriptionKind>(CHANNEL, PATTERN, SHARD),
      // Many names, so the registry rebuilds several times; some binary, some long.
      name: fc.oneof(
        fc.integer({ min: 0, max: 400 }).map((n) => `ch:${n}`),
        fc.string({ maxLength: 3 }),
        fc.integer({ min: 0, max: 20 }).map((n) => 'x'.repeat(200 + n)),
      ),
      endpoint: fc.integer({ min: 0, max: ENDPOINTS - 1 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('drop' as const),
      endpoint: fc.integer({ min: 0, max: ENDPOINTS - 1 }),
    }),
  },
);

describe('the shared registry', () => {
  it('keeps exact per-endpoint counts, totals and name lists, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 300, maxLength: 1500, size: 'max' }), (ops) => {
        const state = PubSubState.create(ENDPOINTS);
        const registry = state.registry;
        /** kind|name -> counts per endpoint */
        const model = new Map<string, number[]>();
        const keyOf = (kind: SubscriptionKind, name: string) => `${kind}|${name}`;
        state.lock();
        try {
          for (const o of ops) {
            if (o.op === 'drop') {
              registry.dropEndpoint(o.endpoint);
              for (const [k, counts] of model) {
                counts[o.endpoint] = 0;
                if (counts.every((c) => c === 0)) model.delete(k);
              }
              continue;
            }
            const name = Buffer.from(o.name, 'latin1');
            const k = keyOf(o.kind, o.name);
            const counts = model.get(k) ?? new Array<number>(ENDPOINTS).fill(0);
            if (o.op === 'add') {
              registry.add(o.kind, name, o.endpoint);
              counts[o.endpoint]++;
              model.set(k, counts);
            } else if (counts[o.endpoint] > 0) {
              registry.remove(o.kind, name, o.endpoint);
              counts[o.endpoint]--;
              if (counts.every((c) => c === 0)) model.delete(k);
            }
          }
          for (const kind of [CHANNEL, PATTERN, SHARD] as const) {
            const expected = [...model.keys()]
              .filter((k) => k.startsWith(`${kind}|`))
              .map((k) => k.slice(2))
              .sort();
            expect(registry.liveNames(kind)).toBe(expected.length);
            if (kind !== PATTERN) {
              expect(
                registry
                  .names(kind)
                  .map((b) => b.toString('latin1'))
                  .sort(),
              ).toEqual(expected);
            }
            for (const name of expected) {
              const entry = registry.find(kind, Buffer.from(name, 'latin1'));
              expect(entry).toBeGreaterThanOrEqual(0);
              const counts = model.get(keyOf(kind, name))!;
              expect(registry.total(entry)).toBe(counts.reduce((a, b) => a + b, 0));
              const seen = new Array<number>(ENDPOINTS).fill(0);
              registry.forEachEndpoint(entry, (endpoint, count) => (seen[endpoint] = count));
              expect(seen).toEqual(counts);
            }
          }
          const patterns: string[] = [];
          for (let i = 0; i < registry.patternCount(); i++) {
            patterns.push(Buffer.from(registry.nameOf(registry.patternEntry(i))).toString('latin1'));
          }
          expect(patterns.sort()).toEqual(
            [...model.keys()]
              .filter((k) => k.startsWith(`${PATTERN}|`))
              .map((k) => k.slice(2))
              .sort(),
          );
        } finally {
          state.unlock();
        }
      }),
      { numRuns: 40 },
    );
  });
});

const bytes = (reply: Reply): string =>
  reply.kind === 'push'
    ? reply.value.map((r) => (r.kind === 'bulk' ? Buffer.from(r.value).toString('latin1') : '?')).join(' ')
    : '?';

/** Two hubs on one state: endpoints 0 and 1, as two threads would have them. */
function twoThreads(mailboxMaxBytes?: number) {
  const state = PubSubState.create(2, mailboxMaxBytes);
  const signals: number[] = [];
  state.setWakeFd(1, 101);
  state.setWakeFd(0, 100);
  const hubs = [0, 1].map((endpoint) => new PubSubHub({ state, endpoint, signal: (fd) => signals.push(fd) }));
  const subscriber = (endpoint: number) => {
    const target = new CollectingTarget();
    return { hub: hubs[endpoint], subs: new ClientSubscriptions(target), target };
  };
  return { state, hubs, signals, subscriber };
}

describe('mailboxes between two threads', () => {
  it('count receivers on both, deliver the other thread its copy when it drains, and wake it once', () => {
    const { hubs, signals, subscriber } = twoThreads();
    const here = subscriber(0);
    const there = subscriber(1);
    here.hub.change(here.subs, CHANNEL, [Buffer.from('c')], true);
    there.hub.change(there.subs, CHANNEL, [Buffer.from('c')], true);
    there.hub.change(there.subs, PATTERN, [Buffer.from('*')], true);
    expect(hubs[0].publish(CHANNEL, Buffer.from('c'), Buffer.from('one'))).toBe(3);
    expect(hubs[0].publish(CHANNEL, Buffer.from('c'), Buffer.from('two'))).toBe(3);
    expect(signals).toEqual([101]); // one wake for what waits, not one per message
    expect(here.target.messages.map(bytes)).toEqual(['message c one', 'message c two']);
    expect(there.target.messages).toEqual([]);
    hubs[1].drain();
    expect(there.target.messages.map(bytes)).toEqual([
      'message c one',
      'pmessage * c one',
      'message c two',
      'pmessage * c two',
    ]);
    hubs[0].publish(CHANNEL, Buffer.from('c'), Buffer.from('three'));
    expect(signals).toEqual([101, 101]);
  });

  it('deliver what was published before a subscription change, before the change', () => {
    const { hubs, subscriber } = twoThreads();
    const there = subscriber(1);
    there.hub.change(there.subs, CHANNEL, [Buffer.from('c')], true);
    expect(hubs[0].publish(CHANNEL, Buffer.from('c'), Buffer.from('before'))).toBe(1);
    // UNSUBSCRIBE on thread 1 takes its mail first: the message it was counted for still reaches it.
    there.hub.change(there.subs, CHANNEL, [Buffer.from('c')], false);
    expect(there.target.messages.map(bytes)).toEqual(['message c before']);
    expect(hubs[0].publish(CHANNEL, Buffer.from('c'), Buffer.from('after'))).toBe(0);
    // A new subscriber on thread 1 never gets a message published before it subscribed.
    const late = subscriber(1);
    const other = subscriber(1);
    other.hub.change(other.subs, CHANNEL, [Buffer.from('d')], true);
    hubs[0].publish(CHANNEL, Buffer.from('d'), Buffer.from('early'));
    late.hub.change(late.subs, CHANNEL, [Buffer.from('d')], true);
    expect(late.target.messages).toEqual([]);
    expect(other.target.messages.map(bytes)).toEqual(['message d early']);
  });

  it('drop what a full mailbox cannot take, and cut the subscribers of that thread', () => {
    const { hubs, subscriber } = twoThreads(64 * 1024);
    const there = subscriber(1);
    there.hub.change(there.subs, CHANNEL, [Buffer.from('c')], true);
    const payload = Buffer.alloc(1000, 0x61);
    for (let n = 0; n < 100; n++) hubs[0].publish(CHANNEL, Buffer.from('c'), payload);
    hubs[1].drain();
    expect(there.target.messages.length).toBeLessThan(100);
    expect(there.target.messages.length).toBeGreaterThan(50);
    expect(there.target.lostMessages).toBe(true);
  });

  it('forget a departed thread: its subscriptions, its mail and its eventfd', () => {
    const { state, hubs, subscriber } = twoThreads();
    const there = subscriber(1);
    there.hub.change(there.subs, CHANNEL, [Buffer.from('c')], true);
    there.hub.change(there.subs, PATTERN, [Buffer.from('c*')], true);
    hubs[0].publish(CHANNEL, Buffer.from('c'), Buffer.from('x'));
    expect(state.releaseEndpoint(1, 12345)).toBe(101);
    expect(state.wakeFd(1)).toBe(-1);
    expect(state.hasMail(1)).toBe(false);
    expect(hubs[0].publish(CHANNEL, Buffer.from('c'), Buffer.from('y'))).toBe(0);
    expect(hubs[0].count(PATTERN)).toBe(0);
  });
});
