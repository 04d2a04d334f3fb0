// aof-use-rdb-preamble no: the rewrite's base as the commands Redis 7.0's rewriteAppendOnlyFileRio writes: a #TS
// annotation first when asked, SELECT per database with keys, SET / RPUSH / SADD / ZADD / HMSET per type in
// batches of AOF_REWRITE_ITEMS_PER_CMD (64) items, scores as "%.17g", XADD and XSETID for a stream, and PEXPIREAT
// for a key with a TTL.
import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/core/aof/resp-command.js';
import { AOF_REWRITE_ITEMS_PER_CMD, encodeAofCommands } from '../../src/core/aof/rewrite-commands.js';
import type { RdbDatabase, RdbEntry } from '../../src/core/rdb/file.js';
import type { RdbValue } from '../../src/core/rdb/format.js';
import { makeId } from '../../src/core/store/stream-id.js';
import { setup } from '../support/store-fixture.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const cmd = (...words: string[]): string => encodeCommand(words.map(b)).toString('latin1');
const range = (n: number, name: (i: number) => string): string[] =>
  Array.from({ length: n }, (_, i) => name(i));

function db(index: number, entries: RdbEntry[]): RdbDatabase {
  return { db: index, keys: entries.length, expires: 0, entries };
}

const entry = (key: string, value: RdbValue, expireAt = 0): RdbEntry => ({ key: b(key), value, expireAt });

const encode = (databases: RdbDatabase[], stamp: number | null = null): string =>
  Buffer.concat([...encodeAofCommands(databases, stamp)]).toString('latin1');

/** A stream's RDB form, made by the store (its nodes are Redis listpacks). */
function streamValue(build: (store: ReturnType<typeof setup>['store']) => void): RdbValue {
  const { store } = setup();
  build(store);
  return { type: 'stream', stream: store.streamDump(b('x'))! };
}

const xadd = (ms: number, ...pairs: string[]) => ({
  id: { id: makeId(BigInt(ms), 0n), seqGiven: true },
  noMkStream: false,
  trim: null,
  pairs: pairs.map(b),
});

describe('encodeAofCommands', () => {
  it('writes a stream as rewriteStreamObject: its live entries by XADD, then XSETID; an empty one by XADD MAXLEN 0', () => {
    const stream = streamValue((store) => {
      store.xadd(b('x'), xadd(1, 'f', 'v'));
      store.xadd(b('x'), xadd(2, 'g', 'w', 'h', '7'));
      store.xadd(b('x'), xadd(3, 'f', 'gone'));
      store.xdel(b('x'), [makeId(3n, 0n)]);
    });
    const empty = streamValue((store) => {
      store.xadd(b('x'), xadd(4, 'f', 'v'));
      store.xdel(b('x'), [makeId(4n, 0n)]);
    });
    expect(encode([db(0, [entry('s', stream), entry('e', empty)])])).toBe(
      cmd('SELECT', '0') +
        cmd('XADD', 's', '1-0', 'f', 'v') +
        cmd('XADD', 's', '2-0', 'g', 'w', 'h', '7') +
        cmd('XSETID', 's', '3-0', 'ENTRIESADDED', '3', 'MAXDELETEDID', '3-0') +
        cmd('XADD', 'e', 'MAXLEN', '0', '0-1', 'x', 'y') +
        cmd('XSETID', 'e', '4-0', 'ENTRIESADDED', '1', 'MAXDELETEDID', '4-0'),
    );
  });

  it('writes each type as Redis 7.0 does, with PEXPIREAT after a key with a TTL', () => {
    const text = encode([
      db(0, [
        entry('s', { type: 'string', value: b('v') }, 1_900_000_000_123),
        entry('z', { type: 'zset', entries: [{ member: b('m'), score: 0.1 }] }),
      ]),
      db(1, []),
      db(3, [entry('h', { type: 'hash', pairs: [b('f'), b('1'), b('g'), b('2')] })]),
    ]);
    expect(text).toBe(
      cmd('SELECT', '0') +
        cmd('SET', 's', 'v') +
        cmd('PEXPIREAT', 's', '1900000000123') +
        cmd('ZADD', 'z', '0.10000000000000001', 'm') +
        cmd('SELECT', '3') +
        cmd('HMSET', 'h', 'f', '1', 'g', '2'),
    );
  });

  it("writes a stream's groups as XGROUP CREATE, XCLAIM ... FORCE per pending entry, XGROUP CREATECONSUMER", () => {
    const { store, clock } = setup();
    store.xadd(b('x'), xadd(1, 'f', 'v'));
    store.xadd(b('x'), xadd(2, 'f', 'w'));
    store.xgroups(b('x'), false, (w) => {
      w!.groups.push(
        w!.stream.liveGroup({
          name: b('g'),
          lastId: makeId(2n, 0n),
          entriesRead: 2,
          consumers: [
            { name: b('alice'), seenTime: clock.now },
            { name: b('bob'), seenTime: clock.now },
          ],
          pending: [{ id: makeId(1n, 0n), consumer: b('alice'), deliveryTime: 1234, deliveryCount: 3 }],
        }),
      );
      w!.changed();
    });
    const value: RdbValue = { type: 'stream', stream: store.streamDump(b('x'))! };
    expect(encode([db(0, [entry('s', value)])])).toBe(
      cmd('SELECT', '0') +
        cmd('XADD', 's', '1-0', 'f', 'v') +
        cmd('XADD', 's', '2-0', 'f', 'w') +
        cmd('XSETID', 's', '2-0', 'ENTRIESADDED', '2', 'MAXDELETEDID', '0-0') +
        cmd('XGROUP', 'CREATE', 's', 'g', '2-0', 'ENTRIESREAD', '2') +
        cmd('XCLAIM', 's', 'g', 'alice', '0', '1-0', 'TIME', '1234', 'RETRYCOUNT', '3', 'JUSTID', 'FORCE') +
        cmd('XGROUP', 'CREATECONSUMER', 's', 'g', 'bob'),
    );
  });

  it('batches RPUSH, SADD, ZADD and HMSET at AOF_REWRITE_ITEMS_PER_CMD items each', () => {
    expect(AOF_REWRITE_ITEMS_PER_CMD).toBe(64);
    const elements = range(130, (i) => `e${i}`);
    const text = encode([
      db(0, [
        entry('l', { type: 'list', elements: elements.map(b) }),
        entry('h', { type: 'hash', pairs: range(65, (i) => `f${i}`).flatMap((f) => [b(f), b('v')]) }),
      ]),
    ]);
    expect(text).toBe(
      cmd('SELECT', '0') +
        cmd('RPUSH', 'l', ...elements.slice(0, 64)) +
        cmd('RPUSH', 'l', ...elements.slice(64, 128)) +
        cmd('RPUSH', 'l', ...elements.slice(128)) +
        cmd('HMSET', 'h', ...range(64, (i) => `f${i}`).flatMap((f) => [f, 'v'])) +
        cmd('HMSET', 'h', 'f64', 'v'),
    );
    const members = range(64, (i) => String(i));
    expect(encode([db(0, [entry('s', { type: 'set', members: members.map(b) })])])).toBe(
      cmd('SELECT', '0') + cmd('SADD', 's', ...members),
    );
  });

  it('starts with the #TS annotation when given one, even with no keys (an empty base)', () => {
    expect(encode([], 1_700_000_000)).toBe('#TS:1700000000\r\n');
    expect(encode([])).toBe('');
    expect(encode([db(0, [entry('a', { type: 'string', value: b('1') })])], 5)).toBe(
      '#TS:5\r\n' + cmd('SELECT', '0') + cmd('SET', 'a', '1'),
    );
  });

  it('spells infinite scores as Redis does', () => {
    const text = encode([
      db(0, [
        entry('z', {
          type: 'zset',
          entries: [
            { member: b('lo'), score: -Infinity },
            { member: b('hi'), score: Infinity },
          ],
        }),
      ]),
    ]);
    expect(text).toBe(cmd('SELECT', '0') + cmd('ZADD', 'z', '-inf', 'lo', 'inf', 'hi'));
  });
});
