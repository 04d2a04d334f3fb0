// Keyspace notifications through the real executor and store: notify-keyspace-events (CONFIG GET/SET, Redis's
// letters and error), and the events each command publishes, in order, as redis-server 7.0.15 published them for
// the same commands (captured with a PSUBSCRIBE __keyevent@*__:* beside a client running them). Lazy and active
// expiry report `expired` through the store's hook, as the server wires it.

import { describe, expect, it } from 'vitest';
import type { ClientState } from '../../src/core/command.js';
import { ClientContexts } from '../../src/core/command-context.js';
import { execute } from '../../src/core/executor.js';
import {
  formatKeyspaceEvents,
  NOTIFY_EXPIRED,
  parseKeyspaceEvents,
  publishKeyspaceEvent,
} from '../../src/core/pubsub/keyspace-events.js';
import { CollectingTarget } from '../../src/core/pubsub/subscriber.js';
import type { Reply } from '../../src/core/reply.js';
import type { SharedStore } from '../../src/core/store/store.js';
import { Transaction } from '../../src/core/transaction.js';
import { createTestContext, type TestContext } from '../support/context.js';

/** The texts of a pub/sub message's elements (pmessage: pattern, channel, message; or a reply's bulks). */
function texts(reply: Reply): string[] {
  if (reply.kind !== 'push' && reply.kind !== 'array') throw new Error(`not a message: ${reply.kind}`);
  return reply.value.slice(reply.value.length === 4 ? 1 : 0).map((r) => {
    if (r.kind !== 'bulk') throw new Error(`not a bulk: ${r.kind}`);
    return Buffer.from(r.value).toString('latin1');
  });
}

/** The value in CONFIG GET's one-entry map. */
function shown(reply: Reply): string {
  if (reply.kind !== 'map' || reply.value[0][1].kind !== 'bulk') throw new Error(`not a map: ${reply.kind}`);
  return Buffer.from(reply.value[0][1].value).toString('latin1');
}

/** Runs `command` (words split on spaces, "" for an empty word) as a client of the context's server. */
function client(ctx: TestContext, id: number, target = new CollectingTarget()) {
  const state: ClientState = {
    ...ctx.client,
    id,
    transaction: new Transaction(),
    pubsub: undefined,
    pushTarget: target,
  };
  const contexts = new ClientContexts(ctx.store, state, ctx.server);
  return (command: string): Reply =>
    execute(
      command.split(' ').map((w) => Buffer.from(w === '""' ? '' : w)),
      contexts.current(),
    );
}

/** A server with every class on (AKEnm), a subscriber to every keyevent channel, and a client to run commands. */
function setup(classes = 'AKEnm') {
  const ctx = createTestContext();
  const store = ctx.store as SharedStore;
  const hub = ctx.server.pubsub!;
  store.onExpired((db, key) => publishKeyspaceEvent(hub, NOTIFY_EXPIRED, 'expired', key, db));
  const target = new CollectingTarget();
  const subscriber = client(ctx, 2, target);
  subscriber('PSUBSCRIBE __keyevent@*');
  const run = client(ctx, 1);
  expect(run(`CONFIG SET notify-keyspace-events ${classes}`)).toEqual({ kind: 'status', value: 'OK' });
  let seen = 0;
  /** Runs a command and returns the events it published as "event@db:key". */
  const events = (command: string): string => {
    run(command);
    const fresh = target.messages.slice(seen);
    seen = target.messages.length;
    return fresh
      .map((m) => {
        const [, channel, key] = texts(m);
        const [, db, event] = /^__keyevent@(\d+)__:(.*)$/.exec(channel)!;
        return `${event}@${db}:${key}`;
      })
      .join(' ');
  };
  return { ctx, run, events };
}

describe('notify-keyspace-events', () => {
  it("parses Redis's letters and shows them in its canonical order", () => {
    expect(formatKeyspaceEvents(parseKeyspaceEvents('KEA'))).toBe('AKE');
    expect(formatKeyspaceEvents(parseKeyspaceEvents('Ex$gn'))).toBe('g$xnE');
    expect(formatKeyspaceEvents(parseKeyspaceEvents('g$lshzxetd'))).toBe('A');
    expect(formatKeyspaceEvents(parseKeyspaceEvents('Km'))).toBe('Km');
    expect(parseKeyspaceEvents('Q')).toBe(-1);
  });

  it('is set and read with CONFIG, with Redis 7.0 error text', () => {
    const { run } = setup('');
    expect(run('CONFIG SET notify-keyspace-events KEA')).toEqual({ kind: 'status', value: 'OK' });
    expect(shown(run('CONFIG GET notify-keyspace-events'))).toBe('AKE');
    // As Redis prints its flags back: A hides n, which still applies.
    run('CONFIG SET notify-keyspace-events AKEnm');
    expect(shown(run('CONFIG GET notify-keyspace-events'))).toBe('AKEm');
    expect(run('CONFIG SET notify-keyspace-events Q')).toEqual({
      kind: 'error',
      value:
        "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class " +
        "character. Use 'Ag$lshzxeKEtmdn'.",
    });
  });

  it('publishes nothing without a class, or without K and E', () => {
    for (const classes of ['KE', 'A', '']) {
      const { events } = setup(classes);
      expect(events('SET k v')).toBe('');
    }
    const { events } = setup('E$'); // strings only
    expect(events('SET k v EX 100')).toBe('set@0:k');
    // A plain SET (two arguments) takes its own path while `new` is off: it still publishes `set`.
    expect(events('SET k2 v')).toBe('set@0:k2');
  });
});

/** Command, and the events redis-server 7.0.15 published for it (notify-keyspace-events AKEnm), in order. */
const REDIS_EVENTS: readonly [string, string][] = [
  ['SET k v', 'new@0:k set@0:k'],
  ['SET k v2', 'set@0:k'],
  ['SET k v NX', ''],
  ['SET k2 v XX', ''],
  ['SET k3 v GET', 'keymiss@0:k3 new@0:k3 set@0:k3'],
  ['SET k3 w GET EX 100', 'set@0:k3 expire@0:k3'],
  ['GET nokey', 'keymiss@0:nokey'],
  ['GET k', ''],
  ['SETNX k v', ''],
  ['SETNX n1 v', 'new@0:n1 set@0:n1'],
  ['SETEX se 100 v', 'new@0:se set@0:se expire@0:se'],
  ['PSETEX pse 100000 v', 'new@0:pse set@0:pse expire@0:pse'],
  ['GETSET k v3', 'set@0:k'],
  ['GETSET gs v', 'keymiss@0:gs new@0:gs set@0:gs'],
  ['GETDEL k', 'del@0:k'],
  ['GETDEL k', 'keymiss@0:k'],
  ['GETEX k3 PERSIST', 'persist@0:k3'],
  ['GETEX k3 PERSIST', ''],
  ['GETEX k3 EX 100', 'expire@0:k3'],
  ['GETEX k3 PXAT 1', 'del@0:k3'],
  ['GETEX k3', 'keymiss@0:k3'],
  ['GETEX missing EX x', 'keymiss@0:missing'],
  ['INCR i', 'new@0:i incrby@0:i'],
  ['INCRBY i 5', 'incrby@0:i'],
  ['DECR i', 'incrby@0:i'],
  ['INCRBYFLOAT f 1.5', 'new@0:f incrbyfloat@0:f'],
  ['APPEND a x', 'new@0:a append@0:a'],
  ['APPEND a y', 'append@0:a'],
  ['STRLEN zz', 'keymiss@0:zz'],
  ['GETRANGE zz 0 1', 'keymiss@0:zz'],
  ['SETRANGE sr 0 ""', ''],
  ['SETRANGE sr 2 ab', 'new@0:sr setrange@0:sr'],
  ['SETRANGE sr 0 ""', ''],
  ['MGET a nope1 nope2', 'keymiss@0:nope1 keymiss@0:nope2'],
  ['MSET m1 1 m2 2 m1 3', 'new@0:m1 set@0:m1 new@0:m2 set@0:m2 set@0:m1'],
  ['MSETNX x1 1 x1 2', 'new@0:x1 set@0:x1 set@0:x1'],
  ['MSETNX x1 1 x3 3', ''],
  ['DEL a nope m1', 'del@0:a del@0:m1'],
  ['UNLINK m2', 'del@0:m2'],
  ['EXISTS x1 q1 q2', 'keymiss@0:q1 keymiss@0:q2'],
  ['TYPE qq', 'keymiss@0:qq'],
  ['TTL qq', 'keymiss@0:qq'],
  ['PTTL qq', 'keymiss@0:qq'],
  ['EXPIRETIME qq', 'keymiss@0:qq'],
  ['PEXPIRETIME qq', 'keymiss@0:qq'],
  ['RENAME x1 x2', 'new@0:x2 rename_from@0:x1 rename_to@0:x2'],
  ['RENAME x2 x2', ''],
  ['RENAMENX x2 i', ''],
  ['SET r1 a', 'new@0:r1 set@0:r1'],
  ['RENAME r1 i', 'new@0:i rename_from@0:r1 rename_to@0:i'],
  ['COPY i c1', 'new@0:c1 copy_to@0:c1'],
  ['COPY nope c2', 'keymiss@0:nope'],
  ['COPY i c1 REPLACE', 'new@0:c1 copy_to@0:c1'],
  ['COPY i c1 DB 1', 'new@1:c1 copy_to@1:c1'],
  ['MOVE c1 2', 'new@2:c1 move_from@0:c1 move_to@2:c1'],
  ['MOVE nope 2', ''],
  ['EXPIRE i 100', 'expire@0:i'],
  ['EXPIRE i 100 NX', ''],
  ['PEXPIRE i -1', 'del@0:i'],
  ['PERSIST c2', ''],
  ['SET p v EX 100', 'new@0:p set@0:p expire@0:p'],
  ['PERSIST p', 'persist@0:p'],
  ['PERSIST p', ''],
  ['EXPIREAT f 1', 'del@0:f'],
  ['FLUSHDB', ''],
  ['SWAPDB 0 1', ''],
];

/** The sorted set commands' events, as redis-server 7.0.15 published them (AKEnm), in order. */
const ZSET_EVENTS: readonly [string, string][] = [
  ['ZADD z 1 a 2 b', 'new@0:z zadd@0:z'],
  ['ZADD z 1 a', ''],
  ['ZADD z XX 3 c', ''],
  ['ZINCRBY z 1 a', 'zincr@0:z'],
  ['ZADD z INCR 0 a', ''],
  ['ZREM z nope', ''],
  ['ZREM z a', 'zrem@0:z'],
  ['ZADD z2 1 x', 'new@0:z2 zadd@0:z2'],
  ['ZUNIONSTORE d 2 z z2', 'new@0:d zunionstore@0:d'],
  ['ZINTERSTORE d 2 z z2', 'del@0:d'],
  ['ZDIFFSTORE d 1 nokey', 'keymiss@0:nokey'],
  ['ZRANGESTORE r z 0 -1', 'new@0:r zrangestore@0:r'],
  ['ZRANGESTORE r nokey 0 -1', 'keymiss@0:nokey del@0:r'],
  ['ZREMRANGEBYSCORE z 0 1', ''],
  ['ZREMRANGEBYRANK z 0 0', 'zremrangebyrank@0:z del@0:z'],
  ['ZADD l 0 a 0 b', 'new@0:l zadd@0:l'],
  ['ZREMRANGEBYLEX l - +', 'zremrangebylex@0:l del@0:l'],
  ['ZPOPMIN z2', 'zpopmin@0:z2 del@0:z2'],
  ['ZADD p 1 a 2 b', 'new@0:p zadd@0:p'],
  ['ZPOPMAX p', 'zpopmax@0:p'],
  ['ZMPOP 1 p MIN COUNT 5', 'zpopmin@0:p del@0:p'],
  ['ZPOPMIN nokey', ''],
  ['ZRANGEBYSCORE nokey 0 1', 'keymiss@0:nokey'],
  ['ZSCORE nokey a', 'keymiss@0:nokey'],
  ['ZCARD nokey', 'keymiss@0:nokey'],
  ['ZRANK nokey a', 'keymiss@0:nokey'],
  ['ZCOUNT nokey 0 1', 'keymiss@0:nokey'],
  ['ZUNION 2 nokey nokey2', 'keymiss@0:nokey keymiss@0:nokey2'],
  ['ZINTERCARD 1 nokey', 'keymiss@0:nokey'],
  ['ZSCAN nokey 0', 'keymiss@0:nokey'],
];

/** The HyperLogLog commands' events, as redis-server 7.0.15 published them (AKEnm), in order. */
const HLL_EVENTS: readonly [string, string][] = [
  ['PFADD e1 a', 'new@0:e1 pfadd@0:e1'],
  ['PFADD e1 a', ''],
  ['PFADD e1 b', 'pfadd@0:e1'],
  ['PFCOUNT e1', ''], // it caches the cardinality in the value, silently
  ['PFCOUNT nx1 e1', 'keymiss@0:nx1'],
  ['PFMERGE e2 e1 nx2', 'keymiss@0:e2 keymiss@0:nx2 new@0:e2 pfadd@0:e2'],
  ['PFMERGE e2', 'pfadd@0:e2'],
  ['PFDEBUG TODENSE e1', ''],
  ['PFDEBUG GETREG nx3', ''],
];

describe('the events each command publishes', () => {
  it('are those redis-server 7.0 publishes, in its order', () => {
    const { events } = setup();
    const seen = REDIS_EVENTS.map(([command]) => [command, events(command)]);
    expect(seen).toEqual(REDIS_EVENTS);
  });

  it('are those redis-server 7.0 publishes for the sorted set commands, in its order', () => {
    const { events } = setup();
    const seen = ZSET_EVENTS.map(([command]) => [command, events(command)]);
    expect(seen).toEqual(ZSET_EVENTS);
  });

  it('are those redis-server 7.0 publishes for the HyperLogLog commands, in its order', () => {
    const { events } = setup();
    const seen = HLL_EVENTS.map(([command]) => [command, events(command)]);
    expect(seen).toEqual(HLL_EVENTS);
  });

  it("report a key's lazy expiry before what the command itself does", () => {
    const { ctx, events } = setup();
    events('SET short v PX 10');
    ctx.clock.advance(20);
    expect(events('GET short')).toBe('expired@0:short keymiss@0:short');
    events('SET e v PX 10');
    ctx.clock.advance(20);
    expect(events('SET e w')).toBe('expired@0:e new@0:e set@0:e');
    events('SET d v PX 10');
    ctx.clock.advance(20);
    expect(events('DEL d')).toBe('expired@0:d');
  });

  it("report the active expiry cycle's removals, in the key's database", () => {
    const { ctx, events } = setup();
    events('SELECT 3');
    events('SET gone v PX 10');
    ctx.clock.advance(20);
    ctx.store.activeExpireCycle();
    expect(events('PING')).toBe('expired@3:gone');
  });

  it('name the database the command acts on, inside MULTI too', () => {
    const { events } = setup();
    events('MULTI');
    events('SET a 1');
    events('SELECT 5');
    events('SET a 2');
    expect(events('EXEC')).toBe('new@0:a set@0:a new@5:a set@5:a');
  });

  it('go to __keyspace@<db>__:<key> with the event as the message too', () => {
    const ctx = createTestContext();
    const target = new CollectingTarget();
    client(ctx, 2, target)('SUBSCRIBE __keyspace@0__:k');
    const run = client(ctx, 1);
    run('CONFIG SET notify-keyspace-events K$');
    run('SET k v');
    run('SET other v');
    expect(target.messages.map((m) => JSON.stringify(m))).toEqual([
      JSON.stringify({
        kind: 'push',
        value: [
          { kind: 'bulk', value: Buffer.from('message') },
          { kind: 'bulk', value: Buffer.from('__keyspace@0__:k') },
          { kind: 'bulk', value: Buffer.from('set') },
        ],
      }),
    ]);
  });
});
