// The hash commands through the real executor and store (test/support/context.ts), asserting Redis 7.0's exact
// replies, errors, argument-check order, keyspace hits and misses, and keyspace events. Expected replies and
// events were read from redis-server 7.0.15 given the same commands (t_hash.c).

import { describe, expect, it } from 'vitest';
import { ClientContexts } from '../../src/core/command-context.js';
import type { ClientState } from '../../src/core/command.js';
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
  OK,
  ONE,
  ZERO,
  type Reply,
} from '../../src/core/reply.js';
import { bindStoreLimits } from '../../src/core/store-limits.js';
import type { SharedStore } from '../../src/core/store/store.js';
import { Transaction } from '../../src/core/transaction.js';
import { createTestContext, type TestContext } from '../support/context.js';

const b = bulkString;
const wrongArity = (command: string) => error(`ERR wrong number of arguments for '${command}' command`);
const WRONGTYPE = error('WRONGTYPE Operation against a key holding the wrong kind of value');
const SYNTAX = error('ERR syntax error');
const NOT_INTEGER = error('ERR value is not an integer or out of range');
const EMPTY_SCAN = array([b('0'), array([])]);

/** Runs commands written as space-separated words. */
function runner(ctx: TestContext) {
  return (command: string): Reply => ctx.run(...command.split(' '));
}

/** The bulk strings of an array reply, as text. */
function texts(reply: Reply): string[] {
  if (reply.kind !== 'array') throw new Error(`not an array: ${JSON.stringify(reply)}`);
  return reply.value.map((r) => {
    if (r.kind !== 'bulk') throw new Error(`not a bulk: ${r.kind}`);
    return Buffer.from(r.value).toString('latin1');
  });
}

describe('hash command metadata as Redis 7.0 COMMAND INFO reports it', () => {
  const expected: [string, number, string[], string[], string[]][] = [
    ['hset', -4, ['write', 'denyoom', 'fast'], ['RW', 'update'], []],
    ['hsetnx', 4, ['write', 'denyoom', 'fast'], ['RW', 'insert'], []],
    ['hget', 3, ['readonly', 'fast'], ['RO', 'access'], []],
    ['hmget', -3, ['readonly', 'fast'], ['RO', 'access'], []],
    ['hmset', -4, ['write', 'denyoom', 'fast'], ['RW', 'update'], []],
    ['hdel', -3, ['write', 'fast'], ['RW', 'delete'], []],
    ['hexists', 3, ['readonly', 'fast'], ['RO'], []],
    ['hlen', 2, ['readonly', 'fast'], ['RO'], []],
    ['hstrlen', 3, ['readonly', 'fast'], ['RO'], []],
    ['hkeys', 2, ['readonly'], ['RO', 'access'], ['nondeterministic_output_order']],
    ['hvals', 2, ['readonly'], ['RO', 'access'], ['nondeterministic_output_order']],
    ['hgetall', 2, ['readonly'], ['RO', 'access'], ['nondeterministic_output_order']],
    ['hincrby', 4, ['write', 'denyoom', 'fast'], ['RW', 'access', 'update'], []],
    ['hincrbyfloat', 4, ['write', 'denyoom', 'fast'], ['RW', 'access', 'update'], []],
    ['hrandfield', -2, ['readonly'], ['RO', 'access'], ['nondeterministic_output']],
    ['hscan', -3, ['readonly'], ['RO', 'access'], ['nondeterministic_output']],
  ];

  it.each(expected)('%s: arity %i, flags %j, key spec %j, tips %j', (name, arity, flags, keyFlags, tips) => {
    const ctx = createTestContext();
    const info = ctx.run('COMMAND', 'INFO', name);
    if (info.kind !== 'array' || info.value[0].kind !== 'array') throw new Error('no COMMAND INFO');
    const [, arityReply, flagsReply, first, last, step, categories, tipsReply, specs] = info.value[0].value;
    expect(arityReply).toEqual(integer(arity));
    expect(flagsReply).toEqual({ kind: 'set', value: flags.map((f) => ({ kind: 'status', value: f })) });
    expect([first, last, step]).toEqual([ONE, ONE, ONE]);
    expect(JSON.stringify(categories)).toContain('@hash');
    expect(tipsReply).toEqual({ kind: 'set', value: tips.map(b) });
    expect(JSON.stringify(specs)).toContain(
      JSON.stringify(keyFlags.map((f) => ({ kind: 'status', value: f }))),
    );
  });

  it('arity is checked centrally, and HSET/HMSET refuse a field without a value as an arity error', () => {
    const run = runner(createTestContext());
    expect(run('HSET h f')).toEqual(wrongArity('hset'));
    expect(run('HSET h a 1 b')).toEqual(wrongArity('hset'));
    expect(run('HMSET h a 1 b')).toEqual(wrongArity('hmset'));
    expect(run('HGET h')).toEqual(wrongArity('hget'));
    expect(run('HLEN h x')).toEqual(wrongArity('hlen'));
    expect(run('HINCRBY h f')).toEqual(wrongArity('hincrby'));
    expect(run('EXISTS h')).toEqual(ZERO); // none of them created the key
  });
});

describe('HSET, HMSET, HSETNX, HGET, HMGET', () => {
  it('sets fields in order, counts the new ones, and reads them back', () => {
    const run = runner(createTestContext());
    expect(run('HSET h a 1 b 2 a 3')).toEqual(integer(2)); // a named twice is one new field, last value wins
    expect(run('HGET h a')).toEqual(b('3'));
    expect(run('HSET h a 10 c 4')).toEqual(integer(1));
    expect(run('HMSET h d 5')).toEqual(OK);
    expect(run('HGETALL h')).toEqual(
      map([
        [b('a'), b('10')],
        [b('b'), b('2')],
        [b('c'), b('4')],
        [b('d'), b('5')],
      ]),
    );
    expect(run('HMGET h a zz d')).toEqual(array([b('10'), NIL, b('5')]));
    expect(run('HMGET nokey a b')).toEqual(array([NIL, NIL]));
    expect(run('HGET h zz')).toEqual(NIL);
    expect(run('HGET nokey a')).toEqual(NIL);
  });

  it('HSETNX sets a missing field only, creating the key', () => {
    const run = runner(createTestContext());
    expect(run('HSETNX h f 1')).toEqual(ONE);
    expect(run('HSETNX h f 2')).toEqual(ZERO);
    expect(run('HGET h f')).toEqual(b('1'));
  });

  it('is binary safe in fields and values, the empty string included', () => {
    const ctx = createTestContext();
    const field = Uint8Array.from([0, 0xff, 0x0d, 0x0a]);
    const value = Buffer.alloc(300, 7); // a value whose length takes two varint bytes
    expect(ctx.run('HSET', 'h', field, value, '', '')).toEqual(integer(2));
    expect(ctx.run('HGET', 'h', field)).toEqual(bulk(value));
    expect(ctx.run('HGET', 'h', '')).toEqual(b(''));
    expect(ctx.run('HSTRLEN', 'h', field)).toEqual(integer(300));
  });

  it('answers WRONGTYPE for a string, and the string commands answer WRONGTYPE for a hash', () => {
    const run = runner(createTestContext());
    run('SET s v');
    for (const command of [
      'HSET s a b',
      'HSETNX s a b',
      'HGET s a',
      'HMGET s a',
      'HDEL s a',
      'HEXISTS s a',
      'HLEN s',
      'HSTRLEN s a',
      'HKEYS s',
      'HVALS s',
      'HGETALL s',
      'HINCRBY s a 1',
      'HINCRBYFLOAT s a 1',
      'HRANDFIELD s',
      'HRANDFIELD s 2',
      'HSCAN s 0',
    ]) {
      expect(run(command), command).toEqual(WRONGTYPE);
    }
    run('HSET h a b');
    expect(run('GET h')).toEqual(WRONGTYPE);
    expect(run('TYPE h')).toEqual({ kind: 'status', value: 'hash' });
    expect(run('OBJECT ENCODING h')).toEqual(b('listpack'));
  });
});

describe('encodings as OBJECT ENCODING names them', () => {
  it('converts at the thresholds CONFIG SET gives, as Redis 7.0', () => {
    const ctx = createTestContext();
    bindStoreLimits(ctx.store as SharedStore, ctx.config); // as the server does
    const run = runner(ctx);
    expect(run('CONFIG SET hash-max-listpack-entries 2')).toEqual(OK);
    expect(run('CONFIG GET hash-max-listpack-entries')).toEqual(
      map([[b('hash-max-listpack-entries'), b('2')]]),
    );
    run('HSET small a 1 b 2');
    expect(run('OBJECT ENCODING small')).toEqual(b('listpack'));
    run('HSET small c 3');
    expect(run('OBJECT ENCODING small')).toEqual(b('hashtable'));
    expect(texts(run('HKEYS small')).sort()).toEqual(['a', 'b', 'c']); // in the table's order
    expect(run('HMGET small a b c')).toEqual(array([b('1'), b('2'), b('3')]));
    expect(run('CONFIG SET hash-max-listpack-value 3')).toEqual(OK);
    run('HSET v a abc');
    expect(run('OBJECT ENCODING v')).toEqual(b('listpack'));
    run('HSET v a abcd');
    expect(run('OBJECT ENCODING v')).toEqual(b('hashtable'));
  });
});

describe('HDEL, HEXISTS, HLEN, HSTRLEN, HKEYS, HVALS, HGETALL', () => {
  it('deletes the fields present, and the key with its last field', () => {
    const run = runner(createTestContext());
    run('HSET h a 1 b 2 c 3');
    expect(run('HDEL h b zz b')).toEqual(ONE);
    expect(run('HKEYS h')).toEqual(array([b('a'), b('c')]));
    expect(run('HVALS h')).toEqual(array([b('1'), b('3')]));
    expect(run('HLEN h')).toEqual(integer(2));
    expect(run('HDEL h a c zz')).toEqual(integer(2));
    expect(run('EXISTS h')).toEqual(ZERO);
    expect(run('HDEL h a')).toEqual(ZERO);
  });

  it('answers a missing key as an empty hash', () => {
    const ctx = createTestContext();
    const run = runner(ctx);
    expect(run('HEXISTS nokey a')).toEqual(ZERO);
    expect(run('HLEN nokey')).toEqual(ZERO);
    expect(run('HSTRLEN nokey a')).toEqual(ZERO);
    expect(run('HKEYS nokey')).toEqual(array([]));
    expect(run('HGETALL nokey')).toEqual(map([]));
    run('HSET h a xyz');
    expect(run('HEXISTS h a')).toEqual(ONE);
    expect(run('HEXISTS h b')).toEqual(ZERO);
    expect(run('HSTRLEN h a')).toEqual(integer(3));
    expect(run('HSTRLEN h b')).toEqual(ZERO);
  });

  it('counts a keyspace hit or miss per read, a string read as a hash as a hit', () => {
    const ctx = createTestContext();
    const run = runner(ctx);
    const counters = ctx.server.counters!;
    run('HSET h a 1');
    run('SET s v');
    const before = [counters.keyspaceHits(), counters.keyspaceMisses()];
    for (const command of ['HGET h a', 'HGET h zz', 'HLEN h', 'HGETALL s', 'HSCAN h 0', 'HRANDFIELD h 2'])
      run(command);
    for (const command of ['HGET nokey a', 'HMGET nokey a b', 'HEXISTS nokey a', 'HSCAN nokey 0'])
      run(command);
    run('HSET n a 1'); // writes count nothing
    run('HDEL nokey a');
    expect([counters.keyspaceHits() - before[0], counters.keyspaceMisses() - before[1]]).toEqual([6, 4]);
  });
});

describe('HINCRBY, HINCRBYFLOAT', () => {
  it('HINCRBY adds to a field (missing: 0), refusing non-integers and overflow', () => {
    const run = runner(createTestContext());
    expect(run('HINCRBY h n 5')).toEqual(integer(5n));
    expect(run('HINCRBY h n -15')).toEqual(integer(-10n));
    run('HSET h s abc i 9223372036854775807 z 007');
    expect(run('HINCRBY h s 1')).toEqual(error('ERR hash value is not an integer'));
    expect(run('HINCRBY h z 1')).toEqual(error('ERR hash value is not an integer'));
    expect(run('HINCRBY h i 1')).toEqual(error('ERR increment or decrement would overflow'));
    expect(run('HINCRBY h i x')).toEqual(NOT_INTEGER);
    expect(run('HINCRBY nokey i x')).toEqual(NOT_INTEGER);
    expect(run('EXISTS nokey')).toEqual(ZERO);
  });

  it('HINCRBYFLOAT adds in long double and stores what it replies', () => {
    const run = runner(createTestContext());
    run('HSET h f 1.3 big 1e4932 s abc');
    expect(run('HINCRBYFLOAT h f 5.0e3')).toEqual(b('5001.29999999999999982'));
    expect(run('HGET h f')).toEqual(b('5001.29999999999999982'));
    expect(run('HINCRBYFLOAT h new -0')).toEqual(b('0'));
    expect(run('HINCRBYFLOAT h s 1')).toEqual(error('ERR hash value is not a float'));
    expect(run('HINCRBYFLOAT h big 1e4932')).toEqual(error('ERR increment would produce NaN or Infinity'));
    expect(run('HINCRBYFLOAT h f inf')).toEqual(error('ERR value is NaN or Infinity'));
    expect(run('HINCRBYFLOAT h f nan')).toEqual(error('ERR value is not a valid float'));
    expect(run('HINCRBYFLOAT h f abc')).toEqual(error('ERR value is not a valid float'));
    expect(run('HINCRBYFLOAT nokey f inf')).toEqual(error('ERR value is NaN or Infinity'));
    expect(run('EXISTS nokey')).toEqual(ZERO);
  });
});

describe('HRANDFIELD', () => {
  it('checks its count and WITHVALUES before the key, with Redis 7.0.15 texts', () => {
    const run = runner(createTestContext());
    run('SET s v');
    expect(run('HRANDFIELD nokey x')).toEqual(NOT_INTEGER);
    expect(run('HRANDFIELD nokey 1 bogus')).toEqual(SYNTAX);
    expect(run('HRANDFIELD nokey 1 WITHVALUES x')).toEqual(SYNTAX);
    expect(run('HRANDFIELD s 1 bogus')).toEqual(SYNTAX);
    expect(run('HRANDFIELD nokey -9223372036854775808')).toEqual(
      error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
    expect(run('HRANDFIELD nokey 4611686018427387904 WITHVALUES')).toEqual(
      error('ERR value is out of range'),
    );
    expect(run('HRANDFIELD nokey -4611686018427387904 WITHVALUES')).toEqual(
      error('ERR value is out of range'),
    );
    expect(run('HRANDFIELD nokey 4611686018427387903 withvalues')).toEqual(array([]));
    expect(run('HRANDFIELD nokey')).toEqual(NIL);
    expect(run('HRANDFIELD nokey 3')).toEqual(array([]));
  });

  it('a positive count gives distinct fields, all of them in order past the size; a negative one repeats', () => {
    const run = runner(createTestContext());
    run('HSET h a 1 b 2 c 3 d 4 e 5');
    expect(run('HRANDFIELD h 0')).toEqual(array([]));
    expect(run('HRANDFIELD h 10')).toEqual(array(['a', 'b', 'c', 'd', 'e'].map(b)));
    for (let i = 0; i < 20; i++) {
      const three = texts(run('HRANDFIELD h 3'));
      expect(new Set(three).size).toBe(3);
      expect([...three].sort()).toEqual(three); // a sample in the hash's order, as lpRandomPairsUnique
      const many = texts(run('HRANDFIELD h -20'));
      expect(many).toHaveLength(20);
      for (const field of many) expect(['a', 'b', 'c', 'd', 'e']).toContain(field);
      expect(['a', 'b', 'c', 'd', 'e']).toContain(texts(array([run('HRANDFIELD h')]))[0]);
    }
    const seen = new Set(texts(run('HRANDFIELD h -1000')));
    expect(seen.size).toBe(5); // every field is picked (1000 uniform picks of 5 miss one with odds ~1e-96)
  });

  it('WITHVALUES: a flat array in RESP2, a [field, value] array per pick in RESP3', () => {
    const ctx = createTestContext();
    const run = runner(ctx);
    run('HSET h a 1 b 2');
    expect(run('HRANDFIELD h 5 WITHVALUES')).toEqual(array(['a', '1', 'b', '2'].map(b)));
    const picks = texts(run('HRANDFIELD h -4 withvalues'));
    expect(picks).toHaveLength(8);
    for (let i = 0; i < 8; i += 2) expect({ a: '1', b: '2' }[picks[i]]).toBe(picks[i + 1]);
    ctx.client.resp = 3;
    expect(run('HRANDFIELD h 5 WITHVALUES')).toEqual(
      array([array([b('a'), b('1')]), array([b('b'), b('2')])]),
    );
    expect(run('HRANDFIELD h 2')).toEqual(array([b('a'), b('b')]));
  });

  it('refuses more repeated picks than it will build (documented: Redis streams them)', () => {
    const run = runner(createTestContext());
    run('HSET h a 1');
    expect(run('HRANDFIELD h -1048577')).toEqual(error('ERR value is out of range'));
    expect(texts(run('HRANDFIELD h -3'))).toEqual(['a', 'a', 'a']);
  });
});

describe('HSCAN', () => {
  it('returns a small hash whole with cursor 0, whatever the cursor, MATCH filtering by field', () => {
    const run = runner(createTestContext());
    run('HSET h name1 a name2 b other c');
    expect(run('HSCAN h 0')).toEqual(
      array([b('0'), array(['name1', 'a', 'name2', 'b', 'other', 'c'].map(b))]),
    );
    expect(run('HSCAN h 123 COUNT 1')).toEqual(
      array([b('0'), array(['name1', 'a', 'name2', 'b', 'other', 'c'].map(b))]),
    );
    expect(run('HSCAN h 0 MATCH name* COUNT 100')).toEqual(
      array([b('0'), array(['name1', 'a', 'name2', 'b'].map(b))]),
    );
    expect(run('HSCAN h 0 MATCH nothing*')).toEqual(EMPTY_SCAN);
    expect(run('HSCAN h 0 MATCH x MATCH *')).toEqual(run('HSCAN h 0'));
  });

  it('checks the cursor first, then the key, then the options', () => {
    const run = runner(createTestContext());
    run('HSET h a 1');
    run('SET s v');
    expect(run('HSCAN nokey x')).toEqual(error('ERR invalid cursor'));
    expect(run('HSCAN nokey 0 bogus')).toEqual(EMPTY_SCAN);
    expect(run('HSCAN s 0 bogus')).toEqual(WRONGTYPE);
    expect(run('HSCAN h 0 bogus')).toEqual(SYNTAX);
    expect(run('HSCAN h 0 COUNT')).toEqual(SYNTAX);
    expect(run('HSCAN h 0 COUNT 0')).toEqual(SYNTAX);
    expect(run('HSCAN h 0 COUNT x')).toEqual(NOT_INTEGER);
    expect(run('HSCAN h 0 TYPE string')).toEqual(SYNTAX); // SCAN's option only
  });
});

describe('hash keyspace events', () => {
  /** Command, and the events redis-server 7.0.15 published for it (notify-keyspace-events AKEnm), in order. */
  const REDIS_EVENTS: readonly [string, string][] = [
    ['HSET h a 1 b 2', 'new@0:h hset@0:h'],
    ['HSET h a 3', 'hset@0:h'],
    ['HMSET h c 4', 'hset@0:h'],
    ['HSETNX h a 9', ''],
    ['HSETNX h z 9', 'hset@0:h'],
    ['HSETNX n f v', 'new@0:n hset@0:n'],
    ['HGET h a', ''],
    ['HGET nokey a', 'keymiss@0:nokey'],
    ['HMGET nokey a', 'keymiss@0:nokey'],
    ['HLEN nokey', 'keymiss@0:nokey'],
    ['HDEL h zz', ''],
    ['HDEL h a b', 'hdel@0:h'],
    ['HDEL n f', 'hdel@0:n del@0:n'],
    ['HINCRBY i f 1', 'new@0:i hincrby@0:i'],
    ['HINCRBY i f 2', 'hincrby@0:i'],
    ['HINCRBYFLOAT i g 1.5', 'hincrbyfloat@0:i'],
    ['HINCRBYFLOAT fl f 1', 'new@0:fl hincrbyfloat@0:fl'],
    ['HDEL nokey a', ''],
    ['HKEYS nokey', 'keymiss@0:nokey'],
    ['HSCAN nokey 0', 'keymiss@0:nokey'],
    ['HRANDFIELD nokey', 'keymiss@0:nokey'],
    ['HEXISTS nokey a', 'keymiss@0:nokey'],
    ['HSTRLEN nokey a', 'keymiss@0:nokey'],
    ['HGETALL h', ''],
    ['HINCRBY h c x', ''],
    ['HINCRBYFLOAT h c 1e4932', 'hincrbyfloat@0:h'],
  ];

  it('publishes what redis-server 7.0.15 publishes, in order', () => {
    const ctx = createTestContext();
    const target = new CollectingTarget();
    const subscriberState: ClientState = {
      ...ctx.client,
      id: 2,
      transaction: new Transaction(),
      pubsub: undefined,
      pushTarget: target,
    };
    const subscriber = new ClientContexts(ctx.store, subscriberState, ctx.server);
    execute(
      ['PSUBSCRIBE', '__keyevent@*'].map((w) => Buffer.from(w)),
      subscriber.current(),
    );
    ctx.run('CONFIG', 'SET', 'notify-keyspace-events', 'AKEnm');
    let seen = 0;
    for (const [command, events] of REDIS_EVENTS) {
      ctx.run(...command.split(' '));
      const fresh = target.messages.slice(seen).map((m) => {
        const [, , channel, key] = texts(m.kind === 'push' ? array(m.value) : m);
        const [, db, event] = /^__keyevent@(\d+)__:(.*)$/.exec(channel)!;
        return `${event}@${db}:${key}`;
      });
      seen = target.messages.length;
      expect(fresh.join(' '), command).toBe(events);
    }
  });
});
