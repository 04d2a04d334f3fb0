// Databases through the real executor and store (issue 10): SELECT, SWAPDB, MOVE, COPY ... DB, FLUSHDB and
// FLUSHALL, DBSIZE / KEYS / SCAN / RANDOMKEY per database, INFO keyspace, CLIENT LIST db=, CONFIG databases,
// SELECT inside MULTI, WATCH per database, and lazy expiry on every lookup. Expected replies are redis-server
// 7.0.15's, each checked against it; expiry is driven by the fake clock.

import { describe, expect, it } from 'vitest';
import { ClientContexts } from '../../src/core/command-context.js';
import type { ClientState } from '../../src/core/command.js';
import { execute } from '../../src/core/executor.js';
import {
  array,
  bulkString,
  error,
  integer,
  map,
  NIL,
  NIL_ARRAY,
  status,
  type Reply,
} from '../../src/core/reply.js';
import { Transaction } from '../../src/core/transaction.js';
import { createTestContext, type TestContext } from '../support/context.js';

const OK = status('OK');
const QUEUED = status('QUEUED');
const OUT_OF_RANGE = error('ERR DB index is out of range');
const NOT_INTEGER = error('ERR value is not an integer or out of range');
const SAME = error('ERR source and destination objects are the same');
const b = bulkString;

/** Another connection on the same server and store, with its own selected database. */
function otherClient(ctx: TestContext, id = 2): { run: (...argv: string[]) => Reply; client: ClientState } {
  const client: ClientState = { ...ctx.client, id, db: 0, name: '', transaction: new Transaction() };
  const contexts = new ClientContexts(ctx.store, client, ctx.server);
  return {
    client,
    run: (...argv) =>
      execute(
        argv.map((a) => Buffer.from(a)),
        contexts.current(),
      ),
  };
}

const text = (reply: Reply): string => {
  if (reply.kind !== 'bulk' && reply.kind !== 'verbatim') throw new Error(`not text: ${reply.kind}`);
  return Buffer.from(reply.value).toString('latin1');
};

describe('SELECT', () => {
  it('every key command acts on the selected database', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'zero');
    expect(ctx.run('SELECT', '1')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(NIL);
    expect(ctx.run('SET', 'k', 'one')).toEqual(OK);
    expect(ctx.run('MSET', 'a', '1', 'b', '2')).toEqual(OK);
    expect(ctx.run('INCR', 'a')).toEqual(integer(2n));
    expect(ctx.run('EXPIRE', 'b', '100')).toEqual(integer(1));
    expect(ctx.run('DBSIZE')).toEqual(integer(3));
    expect(ctx.run('SELECT', '0')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(b('zero'));
    expect(ctx.run('DBSIZE')).toEqual(integer(1));
    expect(ctx.run('EXISTS', 'a', 'b')).toEqual(integer(0));
  });

  it('reads its index as an int, then checks the range (getIntFromObjectOrReply, selectDb)', () => {
    const ctx = createTestContext();
    expect(ctx.run('SELECT', 'x')).toEqual(NOT_INTEGER);
    expect(ctx.run('SELECT', '1.5')).toEqual(NOT_INTEGER);
    expect(ctx.run('SELECT', '99999999999')).toEqual(
      error('ERR value is out of range, value must between -2147483648 and 2147483647'),
    );
    expect(ctx.run('SELECT', '16')).toEqual(OUT_OF_RANGE);
    expect(ctx.run('SELECT', '-1')).toEqual(OUT_OF_RANGE);
    expect(ctx.client.db).toBe(0);
  });

  it('follows the databases setting', () => {
    const ctx = createTestContext({ databases: 2 });
    expect(ctx.run('SELECT', '1')).toEqual(OK);
    expect(ctx.run('SELECT', '2')).toEqual(OUT_OF_RANGE);
    expect(ctx.run('CONFIG', 'GET', 'databases')).toEqual(map([[b('databases'), b('2')]]));
  });

  it('RESET goes back to database 0; CLIENT INFO shows db=', () => {
    const ctx = createTestContext();
    ctx.run('SELECT', '9');
    expect(text(ctx.run('CLIENT', 'INFO'))).toContain(' db=9 ');
    ctx.run('RESET');
    expect(ctx.client.db).toBe(0);
    expect(text(ctx.run('CLIENT', 'INFO'))).toContain(' db=0 ');
  });
});

describe('SWAPDB', () => {
  it('swaps two databases for every client; clients keep their numbers', () => {
    const ctx = createTestContext();
    const other = otherClient(ctx);
    ctx.run('SET', 'k', 'zero');
    other.run('SELECT', '1');
    other.run('SET', 'k', 'one');
    other.run('SET', 'j', 'one');
    expect(ctx.run('SWAPDB', '0', '1')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(b('one'));
    expect(ctx.run('DBSIZE')).toEqual(integer(2));
    expect(other.run('GET', 'k')).toEqual(b('zero'));
    expect(other.run('DBSIZE')).toEqual(integer(1));
    expect(ctx.run('SWAPDB', '1', '0')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(b('zero'));
    expect(ctx.run('SWAPDB', '3', '3')).toEqual(OK);
  });

  it('has its own error for each index, then the range check', () => {
    const ctx = createTestContext();
    expect(ctx.run('SWAPDB', 'x', '0')).toEqual(error('ERR invalid first DB index'));
    expect(ctx.run('SWAPDB', 'x', 'y')).toEqual(error('ERR invalid first DB index'));
    expect(ctx.run('SWAPDB', '0', 'x')).toEqual(error('ERR invalid second DB index'));
    expect(ctx.run('SWAPDB', '99999999999', '0')).toEqual(error('ERR invalid first DB index'));
    expect(ctx.run('SWAPDB', '0', '99999999999')).toEqual(error('ERR invalid second DB index'));
    expect(ctx.run('SWAPDB', '0', '16')).toEqual(OUT_OF_RANGE);
    expect(ctx.run('SWAPDB', '-1', '0')).toEqual(OUT_OF_RANGE);
    expect(ctx.run('SWAPDB', '0')).toEqual(error("ERR wrong number of arguments for 'swapdb' command"));
  });
});

describe('MOVE', () => {
  it('moves a key and its TTL; 0 when missing here or present there', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v', 'EX', '100');
    expect(ctx.run('MOVE', 'k', '1')).toEqual(integer(1));
    expect(ctx.run('EXISTS', 'k')).toEqual(integer(0));
    expect(ctx.run('MOVE', 'k', '1')).toEqual(integer(0));
    ctx.run('SELECT', '1');
    expect(ctx.run('GET', 'k')).toEqual(b('v'));
    expect(ctx.run('TTL', 'k')).toEqual(integer(100));
    ctx.run('SELECT', '0');
    ctx.run('SET', 'k', 'other');
    expect(ctx.run('MOVE', 'k', '1')).toEqual(integer(0));
    expect(ctx.run('GET', 'k')).toEqual(b('other'));
  });

  it('checks the database before the key', () => {
    const ctx = createTestContext();
    expect(ctx.run('MOVE', 'nope', '0')).toEqual(SAME);
    expect(ctx.run('MOVE', 'nope', 'x')).toEqual(NOT_INTEGER);
    expect(ctx.run('MOVE', 'nope', '16')).toEqual(OUT_OF_RANGE);
    expect(ctx.run('MOVE', 'nope', '-1')).toEqual(OUT_OF_RANGE);
    ctx.run('SELECT', '4');
    expect(ctx.run('MOVE', 'nope', '4')).toEqual(SAME);
    expect(ctx.run('MOVE', 'nope', '0')).toEqual(integer(0));
  });
});

describe('COPY ... DB', () => {
  it('copies into another database, the same name allowed there, REPLACE honoured', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v', 'PX', '5000');
    expect(ctx.run('COPY', 'k', 'k', 'DB', '2')).toEqual(integer(1));
    expect(ctx.run('COPY', 'k', 'k', 'DB', '2')).toEqual(integer(0));
    expect(ctx.run('COPY', 'k', 'k', 'DB', '2', 'REPLACE')).toEqual(integer(1));
    expect(ctx.run('COPY', 'k', 'k', 'DB', '0')).toEqual(SAME);
    ctx.run('SELECT', '2');
    expect(ctx.run('PTTL', 'k')).toEqual(integer(5000));
    expect(ctx.run('COPY', 'k', 'k')).toEqual(SAME);
    expect(ctx.run('COPY', 'k', 'k', 'DB', '0', 'REPLACE')).toEqual(integer(1));
  });
});

describe('FLUSHDB / FLUSHALL / DBSIZE / KEYS / SCAN / RANDOMKEY per database', () => {
  it('FLUSHDB empties the selected database only; FLUSHALL every one', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'a', '1');
    ctx.run('SELECT', '1');
    ctx.run('SET', 'b', '1');
    ctx.run('SET', 'c', '1');
    expect(ctx.run('DBSIZE')).toEqual(integer(2));
    expect(ctx.run('FLUSHDB')).toEqual(OK);
    expect(ctx.run('DBSIZE')).toEqual(integer(0));
    ctx.run('SELECT', '0');
    expect(ctx.run('DBSIZE')).toEqual(integer(1));
    ctx.run('SELECT', '1');
    ctx.run('SET', 'b', '1');
    expect(ctx.run('FLUSHALL')).toEqual(OK);
    expect(ctx.run('DBSIZE')).toEqual(integer(0));
    ctx.run('SELECT', '0');
    expect(ctx.run('DBSIZE')).toEqual(integer(0));
  });

  it('KEYS, SCAN and RANDOMKEY see the selected database only', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'zero', '0');
    ctx.run('SELECT', '1');
    expect(ctx.run('RANDOMKEY')).toEqual(NIL);
    expect(ctx.run('KEYS', '*')).toEqual(array([]));
    expect(ctx.run('SCAN', '0')).toEqual(array([b('0'), array([])]));
    ctx.run('SET', 'one', '1');
    expect(ctx.run('KEYS', '*')).toEqual(array([b('one')]));
    expect(ctx.run('SCAN', '0', 'COUNT', '1000')).toEqual(array([b('0'), array([b('one')])]));
    expect(ctx.run('RANDOMKEY')).toEqual(b('one'));
  });

  it('INFO keyspace has one line per database holding keys', () => {
    const ctx = createTestContext();
    expect(text(ctx.run('INFO', 'keyspace'))).toBe('# Keyspace\r\n');
    ctx.run('SELECT', '3');
    ctx.run('SET', 'a', '1');
    ctx.run('SELECT', '5');
    ctx.run('SET', 'b', '1', 'EX', '100');
    ctx.run('SET', 'c', '1');
    expect(text(ctx.run('INFO', 'keyspace'))).toBe(
      '# Keyspace\r\ndb3:keys=1,expires=0,avg_ttl=0\r\ndb5:keys=2,expires=1,avg_ttl=0\r\n',
    );
    ctx.run('SWAPDB', '3', '0');
    expect(text(ctx.run('INFO', 'keyspace'))).toBe(
      '# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb5:keys=2,expires=1,avg_ttl=0\r\n',
    );
  });

  it('CONFIG: databases is 16 and read-only', () => {
    const ctx = createTestContext();
    expect(ctx.run('CONFIG', 'GET', 'databases')).toEqual(map([[b('databases'), b('16')]]));
    expect(ctx.run('CONFIG', 'SET', 'databases', '4')).toEqual(
      error("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"),
    );
  });
});

describe('MULTI with SELECT inside', () => {
  it('runs each queued command on the database selected at that point, as Redis 7.0', () => {
    const ctx = createTestContext();
    ctx.run('MULTI');
    for (const argv of [
      ['SELECT', '1'],
      ['SET', 'k', 'v'],
      ['SELECT', '2'],
      ['GET', 'k'],
      ['SELECT', '99'],
    ]) {
      expect(ctx.run(...argv)).toEqual(QUEUED);
    }
    ctx.run('DBSIZE');
    expect(ctx.run('EXEC')).toEqual(array([OK, OK, OK, NIL, OUT_OF_RANGE, integer(0)]));
    expect(ctx.client.db).toBe(2); // the selection made inside stays
    ctx.run('SELECT', '1');
    expect(ctx.run('GET', 'k')).toEqual(b('v'));
  });

  it('SWAPDB and MOVE inside EXEC', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v');
    ctx.run('MULTI');
    ctx.run('SWAPDB', '0', '1');
    ctx.run('GET', 'k');
    ctx.run('SELECT', '1');
    ctx.run('MOVE', 'k', '7');
    ctx.run('SELECT', '7');
    ctx.run('GET', 'k');
    expect(ctx.run('EXEC')).toEqual(array([OK, NIL, OK, integer(1), OK, b('v')]));
  });
});

describe('WATCH per database', () => {
  it('a write to the same name in another database does not touch the watch', () => {
    const ctx = createTestContext();
    const other = otherClient(ctx);
    ctx.run('SET', 'k', 'v');
    ctx.run('WATCH', 'k');
    other.run('SELECT', '1');
    other.run('SET', 'k', 'x');
    ctx.run('MULTI');
    ctx.run('PING');
    expect(ctx.run('EXEC')).toEqual(array([status('PONG')]));
    ctx.run('WATCH', 'k');
    other.run('SELECT', '0');
    other.run('SET', 'k', 'x');
    ctx.run('MULTI');
    expect(ctx.run('EXEC')).toEqual(NIL_ARRAY);
  });

  it('the same key watched in two databases is two watches', () => {
    const ctx = createTestContext();
    const other = otherClient(ctx);
    ctx.run('WATCH', 'k');
    ctx.run('SELECT', '1');
    ctx.run('WATCH', 'k');
    expect(ctx.client.transaction.watchedCount).toBe(2);
    other.run('SELECT', '1');
    other.run('SET', 'k', 'x');
    ctx.run('MULTI');
    expect(ctx.run('EXEC')).toEqual(NIL_ARRAY);
  });

  it('SWAPDB dirties a watch when the key is live in either database; FLUSHDB when it existed', () => {
    const ctx = createTestContext();
    const other = otherClient(ctx);
    const outcome = (between: () => void): Reply => {
      ctx.run('WATCH', 'k');
      between();
      ctx.run('MULTI');
      return ctx.run('EXEC');
    };
    expect(outcome(() => other.run('SWAPDB', '0', '1'))).toEqual(array([]));
    other.run('SELECT', '1');
    other.run('SET', 'k', 'v');
    expect(outcome(() => other.run('SWAPDB', '0', '1'))).toEqual(NIL_ARRAY); // k swapped in
    expect(outcome(() => other.run('SWAPDB', '0', '1'))).toEqual(NIL_ARRAY); // k swapped out
    expect(outcome(() => other.run('FLUSHDB'))).toEqual(array([])); // other is on db 1, empty now
    other.run('SELECT', '0');
    other.run('SET', 'k', 'v');
    expect(outcome(() => other.run('FLUSHDB'))).toEqual(NIL_ARRAY);
  });
});

describe('lazy expiry on every lookup (db.c lookupKey)', () => {
  it.each([
    ['EXISTS', ['EXISTS', 'k']],
    ['TYPE', ['TYPE', 'k']],
    ['TTL', ['TTL', 'k']],
    ['PTTL', ['PTTL', 'k']],
    ['EXPIRETIME', ['EXPIRETIME', 'k']],
    ['STRLEN', ['STRLEN', 'k']],
    ['GETRANGE', ['GETRANGE', 'k', '0', '-1']],
    ['MGET', ['MGET', 'x', 'k']],
    ['GET', ['GET', 'k']],
    ['SCAN', ['SCAN', '0']],
    ['RANDOMKEY', ['RANDOMKEY']],
    ['COPY', ['COPY', 'k', 'c']],
    ['MOVE', ['MOVE', 'k', '1']],
    ['SET NX', ['SET', 'k', 'v', 'NX']],
  ])('%s deletes a key it finds expired and counts it in INFO expired_keys', (_name, argv) => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v', 'PX', '10');
    ctx.clock.advance(11);
    expect(ctx.run('DBSIZE')).toEqual(integer(1));
    ctx.run(...argv);
    expect(ctx.run('DBSIZE')).toEqual(integer(argv[0] === 'SET' ? 1 : 0));
    expect(text(ctx.run('INFO', 'stats'))).toContain('\r\nexpired_keys:1\r\n');
  });

  it('KEYS and WATCH do not delete (keyIsExpired only), as Redis 7.0', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v', 'PX', '10');
    ctx.clock.advance(11);
    expect(ctx.run('KEYS', '*')).toEqual(array([]));
    ctx.run('WATCH', 'k');
    ctx.run('UNWATCH');
    expect(ctx.run('DBSIZE')).toEqual(integer(1));
  });
});
