// INFO stats keyspace_hits / keyspace_misses: which commands count a read lookup, per key, as Redis 7 does.
// The expected counts in CASES were observed on redis-server 7.0.15 (FLUSHALL, the setup, CONFIG RESETSTAT, the
// command, INFO stats); the shared counters are also checked across threads' views and past 2^32.

import { describe, expect, it } from 'vitest';
import { SharedServerCounters } from '../../src/core/server-context.js';
import type { Reply } from '../../src/core/reply.js';
import { createTestContext, type TestContext } from '../support/context.js';

/** INFO's text (a verbatim string, as Redis 7.0 sends INFO). */
function text(reply: Reply): string {
  if (reply.kind !== 'verbatim') throw new Error(`not a verbatim string: ${JSON.stringify(reply)}`);
  return Buffer.from(reply.value).toString('utf8');
}

function lookups(ctx: TestContext): [hits: number, misses: number] {
  const stats = text(ctx.run('INFO', 'stats'));
  const field = (name: string) => Number(new RegExp(`\r\n${name}:(\\d+)\r\n`).exec(stats)?.[1]);
  return [field('keyspace_hits'), field('keyspace_misses')];
}

/** One command after `SET k v` and `SET e ""`: [command, hits, misses]. k exists, e is empty, x is missing. */
const CASES: readonly [string, number, number][] = [
  ['GET k', 1, 0],
  ['GET x', 0, 1],
  ['MGET k x k y', 2, 2],
  ['GETRANGE k 0 1', 1, 0],
  ['GETRANGE x 0 1', 0, 1],
  ['GETRANGE k 5 9', 1, 0], // an empty slice of an existing key is still a hit
  ['GETRANGE k -1 -2', 1, 0], // answered early, but after the lookup
  ['GETRANGE x -1 -2', 0, 1],
  ['GETRANGE k a b', 0, 0], // refused before the lookup
  ['STRLEN k', 1, 0],
  ['STRLEN x', 0, 1],
  ['STRLEN e', 1, 0],
  ['EXISTS k x k', 2, 1],
  ['TYPE k', 1, 0],
  ['TYPE x', 0, 1],
  ['TTL k', 1, 0],
  ['TTL x', 0, 1],
  ['PTTL x', 0, 1],
  ['EXPIRETIME k', 1, 0],
  ['PEXPIRETIME x', 0, 1],
  ['GETEX k', 1, 0],
  ['GETEX x', 0, 1],
  ['GETEX k PERSIST', 1, 0],
  ['GETEX k EX abc', 1, 0], // looked up before the time is parsed: a hit, then the error
  ['GETEX x EX abc', 0, 1],
  ['GETEX k EX 0', 1, 0],
  ['GETEX k EX 1 PX 1', 0, 0],
  ['GETDEL k', 1, 0],
  ['GETDEL x', 0, 1],
  ['GETSET k w', 1, 0],
  ['GETSET x w', 0, 1],
  ['SET k w GET', 1, 0],
  ['SET x w GET', 0, 1],
  ['SET k w NX GET', 1, 0],
  ['SET x w XX GET', 0, 1],
  ['SET k w EX 0 GET', 0, 0],
  ['COPY k n', 1, 0],
  ['COPY x n', 0, 1],
  ['COPY k e', 1, 0], // the destination exists: not copied, but the source was found
  ['COPY k n REPLACE', 1, 0],
  ['COPY k k', 0, 0],
  ['COPY k n bogus', 0, 0],
  // Write lookups and table walks: never counted.
  ['SET k w', 0, 0],
  ['SETNX k w', 0, 0],
  ['SETEX k 10 w', 0, 0],
  ['PSETEX k 10 w', 0, 0],
  ['MSET k 1 x 2', 0, 0],
  ['MSETNX x 1 y 2', 0, 0],
  ['MSETNX k 1 y 2', 0, 0],
  ['INCR x', 0, 0],
  ['DECRBY x 2', 0, 0],
  ['INCRBYFLOAT x 1', 0, 0],
  ['APPEND k z', 0, 0],
  ['APPEND x z', 0, 0],
  ['SETRANGE x 0 z', 0, 0],
  ['DEL k x', 0, 0],
  ['UNLINK k x', 0, 0],
  ['RENAME k n', 0, 0],
  ['RENAME x x', 0, 0],
  ['RENAMENX k e', 0, 0],
  ['EXPIRE k 10', 0, 0],
  ['EXPIRE x 10', 0, 0],
  ['PEXPIREAT k 1', 0, 0],
  ['PERSIST k', 0, 0],
  ['RANDOMKEY', 0, 0],
  ['KEYS *', 0, 0],
  ['SCAN 0', 0, 0],
  ['DBSIZE', 0, 0],
  ['FLUSHALL', 0, 0],
];

describe('keyspace hits and misses', () => {
  it.each(CASES)('%s counts %i hits and %i misses, as Redis 7.0', (command, hits, misses) => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v');
    ctx.run('SET', 'e', '');
    ctx.run('CONFIG', 'RESETSTAT');
    ctx.run(...command.split(' '));
    expect(lookups(ctx)).toEqual([hits, misses]);
  });

  it('counts an expired key as a miss', () => {
    const ctx = createTestContext();
    ctx.run('SET', 't', 'v', 'PX', '10');
    ctx.clock.advance(20);
    ctx.run('GET', 't');
    expect(lookups(ctx)).toEqual([0, 1]);
  });

  it('sits after the eviction figures in INFO stats, adds up, and CONFIG RESETSTAT zeroes it', () => {
    const ctx = createTestContext();
    expect(text(ctx.run('INFO', 'stats'))).toContain(
      'current_eviction_exceeded_time:0\r\nkeyspace_hits:0\r\nkeyspace_misses:0\r\n',
    );
    ctx.run('SET', 'k', 'v');
    for (let i = 0; i < 3; i++) ctx.run('GET', 'k');
    ctx.run('MGET', 'x', 'y', 'k');
    expect(lookups(ctx)).toEqual([4, 2]);
    ctx.run('CONFIG', 'RESETSTAT');
    expect(lookups(ctx)).toEqual([0, 0]);
  });
});

describe('SharedServerCounters keyspace lookups', () => {
  it('shares hits and misses with another thread attached to the same buffer, past 2^32', () => {
    const a = SharedServerCounters.create();
    const b = SharedServerCounters.attach(a.buffer);
    a.keyLookup(true);
    b.keyLookup(false);
    b.keyLookups(2, 3);
    expect([a.keyspaceHits(), a.keyspaceMisses()]).toEqual([3, 4]);
    expect(a.commandsProcessed()).toBe(0); // the three counts are separate
    a.keyLookups(0xffffffff - 3, 0);
    a.keyLookups(2, 0); // wraps the low word: the carry goes to the high word
    expect(b.keyspaceHits()).toBe(2 ** 32 + 1);
    b.resetBaseline({ connections: 0, rejectedConnections: 0, expiredKeys: 0, evictedKeys: 0 });
    expect([a.keyspaceHits(), a.keyspaceMisses()]).toEqual([0, 0]);
    a.keyLookup(true);
    b.keyLookups(1, 1);
    expect([b.keyspaceHits(), b.keyspaceMisses()]).toEqual([2, 1]); // counted again from the reset on
  });

  it("adds the counts of threads past the last slab (the shared words) to the slabs' own", () => {
    const a = SharedServerCounters.create({ commandSlots: 4 });
    const threads = Array.from({ length: 1024 }, () => SharedServerCounters.attach(a.buffer));
    const late = threads[threads.length - 1]; // a's slab and 1023 more: this one has none
    late.keyLookups(5, 7);
    a.keyLookups(1, 2);
    threads[0].keyLookup(true);
    expect([late.keyspaceHits(), late.keyspaceMisses()]).toEqual([7, 9]);
    late.resetBaseline({ connections: 0, rejectedConnections: 0, expiredKeys: 0, evictedKeys: 0 });
    late.keyLookup(false);
    expect([a.keyspaceHits(), a.keyspaceMisses()]).toEqual([0, 1]);
  });
});
