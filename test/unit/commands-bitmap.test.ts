// SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO and LCS through the real executor and store
// (test/support/context.ts), with redis-server 7.0.15's exact replies (bitops.c, t_string.c lcsCommand): values,
// errors in Redis's argument order, keyspace hits and misses, keyspace events, OBJECT ENCODING and WATCH. The
// same commands are compared with a live redis-server at random in test/conformance/differential.test.ts.

import { describe, expect, it } from 'vitest';
import type { ClientState } from '../../src/core/command.js';
import { ClientContexts } from '../../src/core/command-context.js';
import { execute } from '../../src/core/executor.js';
import { CollectingTarget } from '../../src/core/pubsub/subscriber.js';
import {
  array,
  bulk,
  bulkString,
  error,
  integer,
  map,
  NIL,
  NIL_ARRAY,
  OK,
  ONE,
  ZERO,
  type Reply,
} from '../../src/core/reply.js';
import { bitCount, bitPos, getSigned, getUnsigned, setBits } from '../../src/core/store/bitmap.js';
import { Transaction } from '../../src/core/transaction.js';
import { createTestContext, type TestContext } from '../support/context.js';

const b = bulkString;
const raw = (...bytes: number[]) => bulk(Buffer.from(bytes));
const BIT_OFFSET = error('ERR bit offset is not an integer or out of range');
const NOT_A_BIT = error('ERR bit is not an integer or out of range');
const SYNTAX = error('ERR syntax error');
const NOT_INTEGER = error('ERR value is not an integer or out of range');
const BAD_TYPE = error(
  'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.',
);

function lookups(ctx: TestContext): [number, number] {
  const c = ctx.server.counters!;
  return [c.keyspaceHits(), c.keyspaceMisses()];
}

/** The keyevent messages a command published, as "event:key". */
function withEvents(ctx: TestContext) {
  const target = new CollectingTarget();
  const state: ClientState = { ...ctx.client, id: 9, transaction: new Transaction(), pushTarget: target };
  const subscriber = new ClientContexts(ctx.store, state, ctx.server);
  execute([Buffer.from('PSUBSCRIBE'), Buffer.from('__keyevent@*')], subscriber.current());
  expect(ctx.run('CONFIG', 'SET', 'notify-keyspace-events', 'AKEnm')).toEqual(OK);
  let seen = 0;
  return (...argv: string[]): string => {
    seen = target.messages.length;
    ctx.run(...argv);
    const fresh = target.messages.slice(seen);
    seen = target.messages.length;
    return fresh
      .map((m) => {
        const parts = (m as { value: readonly Reply[] }).value.map((r) =>
          r.kind === 'bulk' ? Buffer.from(r.value).toString('latin1') : '',
        );
        return `${parts[2].replace(/^__keyevent@\d+__:/, '')}:${parts[3]}`;
      })
      .join(' ');
  };
}

describe('SETBIT / GETBIT', () => {
  it('sets and clears bits, growing the value zero-filled, and answers the old bit', () => {
    const ctx = createTestContext();
    expect(ctx.run('SETBIT', 'k', '7', '1')).toEqual(ZERO);
    expect(ctx.run('GET', 'k')).toEqual(raw(1));
    expect(ctx.run('SETBIT', 'k', '7', '1')).toEqual(ONE);
    expect(ctx.run('SETBIT', 'k', '20', '1')).toEqual(ZERO);
    expect(ctx.run('GET', 'k')).toEqual(raw(1, 0, 8));
    expect(ctx.run('SETBIT', 'k', '7', '0')).toEqual(ONE);
    expect(ctx.run('GETBIT', 'k', '20')).toEqual(ONE);
    expect(ctx.run('GETBIT', 'k', '7')).toEqual(ZERO);
    expect(ctx.run('GETBIT', 'k', '1000')).toEqual(ZERO);
    expect(ctx.run('GETBIT', 'missing', '0')).toEqual(ZERO);
    ctx.run('SET', 'n', '1'); // '1' is 0x31: 00110001
    expect(['0', '2', '3', '7'].map((o) => ctx.run('GETBIT', 'n', o))).toEqual([ZERO, ONE, ONE, ONE]);
  });

  it('refuses a bad offset before a bad value, and values other than 0 and 1', () => {
    const ctx = createTestContext();
    for (const offset of ['-1', 'x', '#1', '', '4294967296', '01'])
      expect(ctx.run('SETBIT', 'k', offset, 'x'), offset).toEqual(BIT_OFFSET);
    for (const value of ['2', '-1', 'x', '', '01'])
      expect(ctx.run('SETBIT', 'k', '0', value)).toEqual(NOT_A_BIT);
    expect(ctx.run('GETBIT', 'k', '-1')).toEqual(BIT_OFFSET);
    expect(ctx.run('EXISTS', 'k')).toEqual(ZERO);
    expect(ctx.run('SETBIT', 'k')).toEqual(error("ERR wrong number of arguments for 'setbit' command"));
  });

  it('allows offsets up to proto-max-bulk-len bytes', () => {
    const ctx = createTestContext();
    expect(ctx.run('GETBIT', 'k', '4294967295')).toEqual(ZERO); // the last bit of 512 MB
    // The server keeps the store's cap in step with CONFIG SET (store-limits.ts); this fixture does not bind it.
    (ctx.store as unknown as { setMaxValueBytes(n: number): void }).setMaxValueBytes(1024 * 1024);
    expect(ctx.run('SETBIT', 'k', String(8 * 1024 * 1024), '1')).toEqual(BIT_OFFSET);
    expect(ctx.run('SETBIT', 'k', String(8 * 1024 * 1024 - 1), '1')).toEqual(ZERO);
    expect(ctx.run('STRLEN', 'k')).toEqual(integer(1024 * 1024));
  });

  it('makes the value raw, and counts GETBIT as a read lookup but not SETBIT', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', '12');
    expect(ctx.run('OBJECT', 'ENCODING', 'k')).toEqual(b('int'));
    ctx.run('SETBIT', 'k', '2', '1'); // unchanged, still made raw (dbUnshareStringValue)
    expect(ctx.run('OBJECT', 'ENCODING', 'k')).toEqual(b('raw'));
    expect(lookups(ctx)).toEqual([2, 0]); // the two OBJECT lookups
    ctx.run('GETBIT', 'k', '0');
    ctx.run('GETBIT', 'x', '0');
    ctx.run('GETBIT', 'x', 'bad'); // refused before the lookup
    expect(lookups(ctx)).toEqual([3, 1]);
  });

  it('publishes new and setbit only for a change, and touches WATCH only then', () => {
    const ctx = createTestContext();
    const events = withEvents(ctx);
    expect(events('SETBIT', 'k', '1', '0')).toBe('new:k setbit:k'); // created, even with the bit already 0
    expect(events('SETBIT', 'k', '1', '0')).toBe('');
    expect(events('SETBIT', 'k', '1', '1')).toBe('setbit:k');
    expect(events('SETBIT', 'k', '9', '0')).toBe('setbit:k'); // grew
    expect(events('GETBIT', 'x', '0')).toBe('keymiss:x');
    const other = otherClient(ctx);
    ctx.run('WATCH', 'k');
    other('SETBIT', 'k', '1', '1'); // no change
    ctx.run('MULTI');
    ctx.run('GETBIT', 'k', '1');
    expect(ctx.run('EXEC')).toEqual(array([ONE]));
    ctx.run('WATCH', 'k');
    other('SETBIT', 'k', '1', '0');
    ctx.run('MULTI');
    ctx.run('GETBIT', 'k', '1');
    expect(ctx.run('EXEC')).toEqual(NIL_ARRAY);
  });
});

function otherClient(ctx: TestContext): (...argv: string[]) => Reply {
  const client: ClientState = { ...ctx.client, id: 2, name: '', transaction: new Transaction() };
  const context = { store: ctx.store, server: ctx.server, client };
  return (...argv) =>
    execute(
      argv.map((a) => Buffer.from(a)),
      context,
    );
}

describe('BITCOUNT', () => {
  it('counts the whole value or a range of bytes or bits, with negative indexes', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'foobar');
    expect(ctx.run('BITCOUNT', 'k')).toEqual(integer(26));
    expect(ctx.run('BITCOUNT', 'k', '0', '0')).toEqual(integer(4));
    expect(ctx.run('BITCOUNT', 'k', '1', '1')).toEqual(integer(6));
    expect(ctx.run('BITCOUNT', 'k', '1', '1', 'BYTE')).toEqual(integer(6));
    expect(ctx.run('BITCOUNT', 'k', '5', '30', 'BIT')).toEqual(integer(17));
    expect(ctx.run('BITCOUNT', 'k', '-2', '-1')).toEqual(integer(7));
    expect(ctx.run('BITCOUNT', 'k', '-1', '-2', 'BOGUS')).toEqual(ZERO); // answered before the unit is read
    expect(ctx.run('BITCOUNT', 'k', '3', '1')).toEqual(ZERO);
    expect(ctx.run('BITCOUNT', 'k', '0', '9223372036854775807', 'bit')).toEqual(integer(26));
    expect(ctx.run('BITCOUNT', 'k', '-9223372036854775808', '-1')).toEqual(integer(26));
  });

  it('answers 0 for a missing key whatever follows, and refuses bad ranges of an existing one', () => {
    const ctx = createTestContext();
    expect(ctx.run('BITCOUNT', 'x', 'a', 'b', 'c', 'd')).toEqual(ZERO);
    expect(ctx.run('BITCOUNT', 'x', '1')).toEqual(ZERO);
    ctx.run('SET', 'k', 'v');
    expect(ctx.run('BITCOUNT', 'k', '1')).toEqual(SYNTAX);
    expect(ctx.run('BITCOUNT', 'k', 'a', '1')).toEqual(NOT_INTEGER);
    expect(ctx.run('BITCOUNT', 'k', '0', '1', 'BOGUS')).toEqual(SYNTAX);
    expect(ctx.run('BITCOUNT', 'k', '0', '1', 'BIT', 'x')).toEqual(SYNTAX);
    expect(lookups(ctx)).toEqual([4, 2]);
  });
});

describe('BITPOS', () => {
  it('finds the first set or clear bit, in bytes or bits', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', Buffer.from([0xff, 0xf0, 0x00]));
    expect(ctx.run('BITPOS', 'k', '0')).toEqual(integer(12));
    expect(ctx.run('BITPOS', 'k', '1', '2')).toEqual(integer(-1));
    expect(ctx.run('BITPOS', 'k', '1', '1')).toEqual(integer(8));
    expect(ctx.run('BITPOS', 'k', '1', '7', '15', 'BIT')).toEqual(integer(7));
    expect(ctx.run('BITPOS', 'k', '0', '0', '11', 'BIT')).toEqual(integer(-1)); // an explicit end: no padding
    expect(ctx.run('BITPOS', 'k', '0', '2', '-1', 'bit')).toEqual(integer(2 * 1 + 10)); // bit 12
    expect(ctx.run('BITPOS', 'k', '1', '-1')).toEqual(integer(-1));
    ctx.run('SET', 'ones', Buffer.from([0xff, 0xff]));
    expect(ctx.run('BITPOS', 'ones', '0')).toEqual(integer(16)); // zero padding on the right
    expect(ctx.run('BITPOS', 'ones', '0', '0', '-1')).toEqual(integer(-1));
    ctx.run('SET', 'empty', '');
    expect(ctx.run('BITPOS', 'empty', '0')).toEqual(integer(-1));
  });

  it('checks the bit first, then answers a missing key, then the range', () => {
    const ctx = createTestContext();
    expect(ctx.run('BITPOS', 'x', '2')).toEqual(error('ERR The bit argument must be 1 or 0.'));
    expect(ctx.run('BITPOS', 'x', 'a')).toEqual(NOT_INTEGER);
    expect(ctx.run('BITPOS', 'x', '1', 'a', 'b', 'c', 'd')).toEqual(integer(-1));
    expect(ctx.run('BITPOS', 'x', '0', 'a')).toEqual(ZERO);
    ctx.run('SET', 'k', 'a');
    expect(ctx.run('BITPOS', 'k', '0', 'a')).toEqual(NOT_INTEGER);
    expect(ctx.run('BITPOS', 'k', '0', '0', 'a', 'BOGUS')).toEqual(SYNTAX); // the unit before the end
    expect(ctx.run('BITPOS', 'k', '0', '0', '1', 'BIT', 'x')).toEqual(SYNTAX);
  });
});

describe('BITOP', () => {
  it('combines sources into the destination, as long as the longest, missing keys as empty', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'a', Buffer.from([0xf0, 0x0f, 0xaa]));
    ctx.run('SET', 'b', Buffer.from([0xff]));
    expect(ctx.run('BITOP', 'AND', 'd', 'a', 'b')).toEqual(integer(3));
    expect(ctx.run('GET', 'd')).toEqual(raw(0xf0, 0, 0));
    expect(ctx.run('BITOP', 'or', 'd', 'a', 'b', 'missing')).toEqual(integer(3));
    expect(ctx.run('GET', 'd')).toEqual(raw(0xff, 0x0f, 0xaa));
    expect(ctx.run('BITOP', 'XOR', 'd', 'a', 'b')).toEqual(integer(3));
    expect(ctx.run('GET', 'd')).toEqual(raw(0x0f, 0x0f, 0xaa));
    expect(ctx.run('BITOP', 'NOT', 'd', 'd')).toEqual(integer(3));
    expect(ctx.run('GET', 'd')).toEqual(raw(0xf0, 0xf0, 0x55));
    expect(ctx.run('OBJECT', 'ENCODING', 'd')).toEqual(b('raw'));
  });

  it('clears the destination TTL, and deletes it when every source is empty', () => {
    const ctx = createTestContext();
    const events = withEvents(ctx);
    ctx.run('SET', 'd', 'x', 'EX', '100');
    ctx.run('SET', 'a', 'y');
    expect(events('BITOP', 'OR', 'd', 'a')).toBe('set:d');
    expect(ctx.run('TTL', 'd')).toEqual(integer(-1));
    expect(events('BITOP', 'OR', 'e', 'a', 'x')).toBe('keymiss:x new:e set:e');
    expect(events('BITOP', 'AND', 'd', 'x')).toBe('keymiss:x del:d');
    expect(events('BITOP', 'AND', 'd', 'x')).toBe('keymiss:x');
    expect(ctx.run('EXISTS', 'd')).toEqual(ZERO);
  });

  it('refuses an unknown operation and NOT of several keys', () => {
    const ctx = createTestContext();
    expect(ctx.run('BITOP', 'NAND', 'd', 'a')).toEqual(SYNTAX);
    expect(ctx.run('BITOP', 'NOT', 'd', 'a', 'b')).toEqual(
      error('ERR BITOP NOT must be called with a single source key.'),
    );
    expect(ctx.run('BITOP', 'AND', 'd')).toEqual(error("ERR wrong number of arguments for 'bitop' command"));
  });
});

describe('BITFIELD / BITFIELD_RO', () => {
  it('gets, sets and increments fields of any width and offset', () => {
    const ctx = createTestContext();
    expect(
      ctx.run('BITFIELD', 'k', 'SET', 'i8', '0', '-100', 'GET', 'u4', '0', 'INCRBY', 'i5', '100', '1'),
    ).toEqual(array([integer(0n), integer(9n), integer(1n)]));
    expect(ctx.run('BITFIELD', 'k', 'GET', 'i8', '0', 'GET', 'u8', '#0', 'GET', 'i64', '0')).toEqual(
      array([integer(-100n), integer(156n), integer(-7205759403792793600n)]),
    );
    expect(ctx.run('BITFIELD', 'k')).toEqual(array([]));
    expect(ctx.run('BITFIELD', 'x', 'GET', 'u8', '0')).toEqual(array([integer(0n)]));
    expect(ctx.run('EXISTS', 'x')).toEqual(ZERO);
  });

  it('wraps, saturates or fails on overflow', () => {
    const ctx = createTestContext();
    expect(ctx.run('BITFIELD', 'k', 'SET', 'u8', '0', '250', 'INCRBY', 'u8', '0', '10')).toEqual(
      array([integer(0n), integer(4n)]),
    );
    expect(
      ctx.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '-10', 'INCRBY', 'i8', '0', '200'),
    ).toEqual(array([integer(0n), integer(127n)]));
    expect(
      ctx.run('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '1', 'SET', 'u2', '0', '4'),
    ).toEqual(array([NIL, NIL]));
    // C's int64 wrap-around in checkSignedBitfieldOverflow: INT64_MIN saturates an i8 at its maximum.
    expect(ctx.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '-9223372036854775808')).toEqual(
      array([integer(127n)]),
    );
    expect(ctx.run('BITFIELD', 'k', 'GET', 'i8', '0')).toEqual(array([integer(127n)]));
    expect(
      ctx.run('BITFIELD', 'k', 'SET', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '-9223372036854775808'),
    ).toEqual(array([integer(9151314442816847872n), integer(9223372036854775807n)]));
  });

  it('refuses bad operations in argument order, before looking at the key', () => {
    const ctx = createTestContext();
    for (const type of ['u64', 'i65', 'i0', 'I8', 'x8', '8', 'u', 'u-1'])
      expect(ctx.run('BITFIELD', 'k', 'GET', type, '0'), type).toEqual(BAD_TYPE);
    expect(ctx.run('BITFIELD', 'k', 'GET', 'u8', '-1')).toEqual(BIT_OFFSET);
    expect(ctx.run('BITFIELD', 'k', 'GET', 'u8', '#-1')).toEqual(BIT_OFFSET);
    expect(ctx.run('BITFIELD', 'k', 'GET', 'u8', '#')).toEqual(BIT_OFFSET);
    // #n * bits wraps as an int64: 2^61 * 8 is offset 0.
    expect(ctx.run('BITFIELD', 'k', 'GET', 'u8', '#2305843009213693952')).toEqual(array([integer(0n)]));
    expect(ctx.run('BITFIELD', 'k', 'SET', 'u8', '0', 'x')).toEqual(NOT_INTEGER);
    expect(ctx.run('BITFIELD', 'k', 'SET', 'u8', '0')).toEqual(SYNTAX);
    expect(ctx.run('BITFIELD', 'k', 'OVERFLOW', 'BAD')).toEqual(error('ERR Invalid OVERFLOW type specified'));
    expect(ctx.run('BITFIELD', 'k', 'GET', 'u8', '-1', 'GET', 'u64', '0')).toEqual(BIT_OFFSET);
    expect(ctx.run('BITFIELD', 'k', 'FOO')).toEqual(SYNTAX);
    expect(ctx.run('BITFIELD_RO', 'k', 'SET', 'u8', '0', '1')).toEqual(
      error('ERR BITFIELD_RO only supports the GET subcommand'),
    );
    expect(ctx.run('BITFIELD_RO', 'k', 'SET', 'u64', '0', '1')).toEqual(BAD_TYPE);
    expect(ctx.run('EXISTS', 'k')).toEqual(ZERO);
    expect(lookups(ctx)).toEqual([0, 2]); // the #2^61 GET and EXISTS
  });

  it('publishes new and one setbit for a change; a refused write still makes the key', () => {
    const ctx = createTestContext();
    const events = withEvents(ctx);
    expect(events('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '1')).toBe('new:k setbit:k');
    expect(events('BITFIELD', 'k', 'SET', 'u8', '0', '1')).toBe('');
    expect(events('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '9')).toBe('new:f');
    expect(ctx.run('GET', 'f')).toEqual(raw(0));
    expect(events('BITFIELD_RO', 'x', 'GET', 'u2', '0')).toBe('keymiss:x');
  });
});

describe('LCS', () => {
  it('answers the subsequence, its length, or the matching ranges', () => {
    const ctx = createTestContext();
    ctx.run('MSET', 'a', 'ohmytext', 'b', 'mynewtext');
    expect(ctx.run('LCS', 'a', 'b')).toEqual(b('mytext'));
    expect(ctx.run('LCS', 'a', 'b', 'LEN')).toEqual(integer(6));
    const range = (a: number, z: number) => array([integer(a), integer(z)]);
    expect(ctx.run('LCS', 'a', 'b', 'IDX')).toEqual(
      map([
        [b('matches'), array([array([range(4, 7), range(5, 8)]), array([range(2, 3), range(0, 1)])])],
        [b('len'), integer(6)],
      ]),
    );
    expect(ctx.run('LCS', 'a', 'b', 'idx', 'MINMATCHLEN', '4', 'WITHMATCHLEN')).toEqual(
      map([
        [b('matches'), array([array([range(4, 7), range(5, 8), integer(4)])])],
        [b('len'), integer(6)],
      ]),
    );
    expect(ctx.run('LCS', 'a', 'missing')).toEqual(b(''));
    expect(ctx.run('LCS', 'a', 'a', 'LEN')).toEqual(integer(8));
  });

  it('looks both keys up before it reads the options, and refuses bad ones', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'a', 'x');
    expect(ctx.run('LCS', 'a', 'b', 'BAD')).toEqual(SYNTAX);
    expect(ctx.run('LCS', 'a', 'b', 'MINMATCHLEN')).toEqual(SYNTAX);
    expect(ctx.run('LCS', 'a', 'b', 'MINMATCHLEN', 'x')).toEqual(NOT_INTEGER);
    expect(ctx.run('LCS', 'a', 'b', 'LEN', 'IDX')).toEqual(
      error('ERR If you want both the length and indexes, please just use IDX.'),
    );
    expect(lookups(ctx)).toEqual([4, 4]);
    // The server keeps the store's cap in step with CONFIG SET (store-limits.ts); this fixture does not bind it.
    (ctx.store as unknown as { setMaxValueBytes(n: number): void }).setMaxValueBytes(1024 * 1024);
    ctx.run('SET', 'big', 'x'.repeat(600));
    expect(ctx.run('LCS', 'big', 'big')).toEqual(
      error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len'),
    );
  });
});

describe('bitmap.ts against a bit-by-bit model', () => {
  const bitAt = (p: Uint8Array, i: number) => (i < p.length * 8 ? (p[i >> 3] >> (7 - (i & 7))) & 1 : 0);
  it('counts, finds and reads fields as a naive walk over the bits does', () => {
    for (let trial = 0; trial < 300; trial++) {
      const p = Uint8Array.from(
        { length: trial % 7 },
        () => [0, 0xff, 0x80, 1, (trial * 37) & 0xff][trial % 5],
      );
      const nbits = p.length * 8;
      for (const unit of ['byte', 'bit'] as const) {
        const total = unit === 'bit' ? nbits : p.length;
        for (const [s, e] of [
          [0, -1],
          [1, 3],
          [-3, -1],
          [2, 1],
          [5, 100],
        ]) {
          let start = s < 0 ? total + s : s;
          let end = e < 0 ? total + e : e;
          start = Math.max(start, 0);
          end = Math.min(Math.max(end, 0), total - 1);
          const scale = unit === 'bit' ? 1 : 8;
          let ones = 0;
          for (let i = start * scale; i <= end * scale + scale - 1 && start <= end; i++) ones += bitAt(p, i);
          expect(bitCount(p, { start: s, end: e, unit })).toBe(ones);
          let first = -1;
          for (let i = start * scale; i <= end * scale + scale - 1 && start <= end; i++)
            if (bitAt(p, i) === 1) {
              first = i;
              break;
            }
          expect(bitPos(p, 1, { start: s, end: e, unit })).toBe(first);
        }
      }
      const q = Uint8Array.from(p);
      if (q.length >= 2) {
        setBits(q, 3, 9, 0x1a5n);
        expect(getUnsigned(q, 3, 9)).toBe(0x1a5n);
        expect(getSigned(q, 3, 9)).toBe(0x1a5n - 512n);
      }
    }
  });
});
