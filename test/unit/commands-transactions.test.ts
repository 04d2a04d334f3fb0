// MULTI/EXEC/DISCARD/WATCH/UNWATCH through the real executor and store, with a second client on the same store
// for WATCH's "touched by another client". Expected replies are Redis 7.0's (multi.c, server.c
// processCommand); expiry is driven by the fake clock.

import { describe, expect, it } from 'vitest';
import type { ClientState } from '../../src/core/command.js';
import { execute } from '../../src/core/executor.js';
import {
  array,
  bulkString,
  error,
  integer,
  NIL,
  NIL_ARRAY,
  OK,
  status,
  type Reply,
} from '../../src/core/reply.js';
import { databaseMap, H_WATCHING, watchRegistry } from '../../src/core/store/layout.js';
import { SharedStore } from '../../src/core/store/store.js';
import { Transaction } from '../../src/core/transaction.js';
import { createTestContext, type TestContext } from '../support/context.js';

const QUEUED = status('QUEUED');
const EXECABORT = error('EXECABORT Transaction discarded because of previous errors.');
const b = bulkString;

/** Another connection on the same server and store: runs commands as that client. */
function otherClient(ctx: TestContext, id = 2): (...argv: string[]) => Reply {
  const client: ClientState = { ...ctx.client, id, name: '', transaction: new Transaction() };
  const context = { store: ctx.store, server: ctx.server, client };
  return (...argv) =>
    execute(
      argv.map((a) => Buffer.from(a)),
      context,
    );
}

describe('MULTI / EXEC / DISCARD', () => {
  it('queues commands and runs them at EXEC, answering with every reply in order', () => {
    const ctx = createTestContext();
    expect(ctx.run('MULTI')).toEqual(OK);
    expect(ctx.run('SET', 'a', '1')).toEqual(QUEUED);
    expect(ctx.run('INCR', 'a')).toEqual(QUEUED);
    expect(ctx.run('GET', 'a')).toEqual(QUEUED);
    expect(ctx.store.get(Buffer.from('a'))).toBeNull(); // nothing applied before EXEC
    expect(ctx.run('EXEC')).toEqual(array([OK, integer(2n), b('2')]));
    expect(ctx.run('GET', 'a')).toEqual(b('2'));
  });

  it('answers an empty transaction with an empty array', () => {
    const ctx = createTestContext();
    ctx.run('MULTI');
    expect(ctx.run('EXEC')).toEqual(array([]));
  });

  it('refuses EXEC and DISCARD outside MULTI, and a nested MULTI without ending the transaction', () => {
    const ctx = createTestContext();
    expect(ctx.run('EXEC')).toEqual(error('ERR EXEC without MULTI'));
    expect(ctx.run('DISCARD')).toEqual(error('ERR DISCARD without MULTI'));
    ctx.run('MULTI');
    expect(ctx.run('MULTI')).toEqual(error('ERR MULTI calls can not be nested'));
    ctx.run('SET', 'a', '1');
    expect(ctx.run('EXEC')).toEqual(array([OK]));
  });

  it('aborts the whole transaction after an error while queueing (unknown command, arity)', () => {
    for (const bad of [['NOSUCH', 'x'], ['GET'], ['CLIENT', 'NOSUCH']]) {
      const ctx = createTestContext();
      ctx.run('MULTI');
      expect(ctx.run('SET', 'a', '1')).toEqual(QUEUED);
      expect(ctx.run(...bad).kind).toBe('error');
      expect(ctx.run('SET', 'b', '1')).toEqual(QUEUED);
      expect(ctx.run('EXEC')).toEqual(EXECABORT);
      expect(ctx.store.dbsize()).toBe(0);
      expect(ctx.run('EXEC')).toEqual(error('ERR EXEC without MULTI')); // the transaction is over
    }
  });

  it('aborts after NOAUTH inside MULTI', () => {
    const ctx = createTestContext({ requirepass: 'secret' });
    expect(ctx.run('MULTI')).toEqual(error('NOAUTH Authentication required.'));
    ctx.run('AUTH', 'secret');
    ctx.run('MULTI');
    ctx.config.set('requirepass', 'other');
    ctx.client.authenticated = false;
    expect(ctx.run('SET', 'a', '1')).toEqual(error('NOAUTH Authentication required.'));
    ctx.client.authenticated = true;
    expect(ctx.run('EXEC')).toEqual(EXECABORT);
  });

  it('does not roll back: a command failing inside EXEC fails alone', () => {
    const ctx = createTestContext();
    ctx.run('SET', 's', 'text');
    ctx.run('MULTI');
    ctx.run('SET', 'a', '1');
    ctx.run('INCR', 's');
    ctx.run('INCR', 'a');
    expect(ctx.run('EXEC')).toEqual(
      array([OK, error('ERR value is not an integer or out of range'), integer(2n)]),
    );
  });

  it('DISCARD drops the queue and leaves MULTI', () => {
    const ctx = createTestContext();
    ctx.run('MULTI');
    ctx.run('SET', 'a', '1');
    expect(ctx.run('DISCARD')).toEqual(OK);
    expect(ctx.run('GET', 'a')).toEqual(NIL);
    expect(ctx.run('EXEC')).toEqual(error('ERR EXEC without MULTI'));
  });

  it('runs QUIT and RESET at once inside MULTI; RESET ends the transaction', () => {
    const ctx = createTestContext();
    ctx.run('MULTI');
    ctx.run('SET', 'a', '1');
    expect(ctx.run('RESET')).toEqual(status('RESET'));
    expect(ctx.run('EXEC')).toEqual(error('ERR EXEC without MULTI'));
    expect(ctx.run('GET', 'a')).toEqual(NIL);
  });

  it('keeps queued arguments even when the caller reuses its buffers', () => {
    const ctx = createTestContext();
    ctx.run('MULTI');
    const argv = [Buffer.from('SET'), Buffer.from('k'), Buffer.from('v1')];
    execute(argv, ctx);
    argv[2].write('v2'); // as the session's query buffer is overwritten by the next read
    expect(ctx.run('EXEC')).toEqual(array([OK]));
    expect(ctx.run('GET', 'k')).toEqual(b('v1'));
  });

  it('names EXEC as the last command, not what it ran', () => {
    const ctx = createTestContext();
    ctx.run('MULTI');
    ctx.run('GET', 'a');
    ctx.run('EXEC');
    expect(ctx.client.lastCommand).toBe('exec');
  });
});

describe('WATCH / UNWATCH', () => {
  it('makes EXEC answer null, applying nothing, when another client modified a watched key', () => {
    const ctx = createTestContext();
    const other = otherClient(ctx);
    ctx.run('SET', 'a', '1');
    expect(ctx.run('WATCH', 'a', 'b')).toEqual(OK);
    other('SET', 'a', '2');
    ctx.run('MULTI');
    ctx.run('SET', 'c', '1');
    expect(ctx.run('EXEC')).toEqual(NIL_ARRAY);
    expect(ctx.run('GET', 'c')).toEqual(NIL);
  });

  it('runs EXEC when the watched keys were left alone (other keys written, no-op writes)', () => {
    const ctx = createTestContext();
    const other = otherClient(ctx);
    ctx.run('SET', 'a', '1');
    ctx.run('WATCH', 'a', 'missing');
    other('SET', 'b', '1');
    other('SET', 'a', 'x', 'NX'); // did not set
    other('DEL', 'missing'); // removed nothing
    other('PERSIST', 'a'); // no TTL to remove
    other('GET', 'a');
    other('SETRANGE', 'a', '0', ''); // an empty SETRANGE changes nothing
    ctx.run('MULTI');
    ctx.run('INCR', 'a');
    expect(ctx.run('EXEC')).toEqual(array([integer(2n)]));
  });

  it('counts every kind of modification, including a missing key being created', () => {
    const changes: string[][] = [
      ['SET', 'a', '9'],
      ['DEL', 'a'],
      ['APPEND', 'a', ''],
      ['INCR', 'a'],
      ['INCRBYFLOAT', 'a', '1'],
      ['SETRANGE', 'a', '0', 'x'],
      ['EXPIRE', 'a', '100'],
      ['GETDEL', 'a'],
      ['GETEX', 'a', 'EX', '100'],
      ['RENAME', 'a', 'z'],
      ['RENAME', 'z', 'a'],
      ['COPY', 'z', 'a', 'REPLACE'],
      ['MSET', 'z', '1', 'a', '2'],
      ['SET', 'new', '1'],
    ];
    for (const change of changes) {
      const ctx = createTestContext();
      const other = otherClient(ctx);
      ctx.run('SET', 'a', '1');
      ctx.run('SET', 'z', '1');
      const watched =
        change[1] === 'z' && change[0] === 'RENAME' ? 'z' : change.includes('new') ? 'new' : 'a';
      ctx.run('WATCH', watched);
      other(...change);
      ctx.run('MULTI');
      ctx.run('PING');
      expect(ctx.run('EXEC'), change.join(' ')).toEqual(NIL_ARRAY);
    }
  });

  it("dirties the watcher's own EXEC when it modifies the key itself before MULTI", () => {
    const ctx = createTestContext();
    ctx.run('WATCH', 'a');
    ctx.run('SET', 'a', '1');
    ctx.run('MULTI');
    ctx.run('GET', 'a');
    expect(ctx.run('EXEC')).toEqual(NIL_ARRAY);
  });

  it('fails EXEC when a watched key expires before it, but not for a key already expired when watched', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'a', '1', 'PX', '100');
    ctx.run('WATCH', 'a');
    ctx.clock.advance(200);
    ctx.run('MULTI');
    ctx.run('PING');
    expect(ctx.run('EXEC')).toEqual(NIL_ARRAY); // isWatchedKeyExpired

    ctx.run('SET', 'b', '1', 'PX', '100');
    ctx.clock.advance(200);
    ctx.run('WATCH', 'b'); // expired already: its deletion is no change
    ctx.run('GET', 'b'); // lazily deleted
    ctx.run('MULTI');
    ctx.run('PING');
    expect(ctx.run('EXEC')).toEqual(array([status('PONG')]));
  });

  it('fails EXEC after FLUSHALL only when a watched key existed', () => {
    const ctx = createTestContext();
    const other = otherClient(ctx);
    ctx.run('WATCH', 'missing');
    other('SET', 'x', '1');
    other('FLUSHALL');
    ctx.run('MULTI');
    ctx.run('PING');
    expect(ctx.run('EXEC')).toEqual(array([status('PONG')]));

    ctx.run('SET', 'a', '1');
    ctx.run('WATCH', 'a');
    other('FLUSHALL');
    ctx.run('MULTI');
    ctx.run('PING');
    expect(ctx.run('EXEC')).toEqual(NIL_ARRAY);
  });

  it('forgets watched keys after UNWATCH, EXEC, DISCARD and RESET', () => {
    for (const end of [['UNWATCH'], ['MULTI', 'EXEC'], ['MULTI', 'DISCARD'], ['RESET']]) {
      const ctx = createTestContext();
      const other = otherClient(ctx);
      ctx.run('WATCH', 'a');
      for (const command of end) ctx.run(command);
      other('SET', 'a', '1');
      ctx.run('MULTI');
      ctx.run('PING');
      expect(ctx.run('EXEC'), end.join(' ')).toEqual(array([status('PONG')]));
    }
  });

  it('refuses WATCH inside MULTI without aborting the transaction', () => {
    const ctx = createTestContext();
    ctx.run('MULTI');
    expect(ctx.run('WATCH', 'a')).toEqual(error('ERR WATCH inside MULTI is not allowed'));
    ctx.run('SET', 'a', '1');
    expect(ctx.run('EXEC')).toEqual(array([OK]));
  });

  it('sees a watched key touched by another client in the same stamp slot, never misses a change', () => {
    // One segment: every key shares its registry; past its slots, watches share the overflow version.
    const ctx = createTestContext();
    const store = SharedStore.create({ clock: ctx.clock.read, segments: 1 });
    const context = { ...ctx, store };
    const other = { ...context, client: { ...ctx.client, id: 2, transaction: new Transaction() } };
    const run = (c: typeof context, ...argv: string[]) =>
      execute(
        argv.map((a) => Buffer.from(a)),
        c,
      );
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    for (const victim of [keys[0], keys[20], keys[39]]) {
      run(context, 'WATCH', ...keys);
      run(other, 'SET', victim, 'x');
      run(context, 'MULTI');
      expect(run(context, 'EXEC'), victim).toEqual(NIL_ARRAY);
    }
    // The registry is empty again: an unwatched key's write no longer reaches anyone.
    run(context, 'WATCH', keys[0]);
    run(other, 'SET', 'unwatched', 'x');
    run(context, 'MULTI');
    expect(run(context, 'EXEC')).toEqual(array([]));
  });

  it('stops stamping writes once nobody watches (the watcher count returns to zero)', () => {
    const ctx = createTestContext();
    const control = new Int32Array((ctx.store as SharedStore).handles().control);
    const registries = () => control.slice(watchRegistry(64, 0), databaseMap(64));
    ctx.run('WATCH', 'a', 'b');
    expect(control[H_WATCHING]).toBe(1);
    ctx.run('UNWATCH');
    expect(control[H_WATCHING]).toBe(0);
    const before = registries();
    ctx.run('SET', 'a', '1');
    expect(registries()).toEqual(before);
  });
});

describe('a refused EXEC', () => {
  it('ends the transaction with EXECABORT and the reason, as rejectCommand does, in or out of MULTI', () => {
    const ctx = createTestContext({ requirepass: 'pw' });
    expect(ctx.run('EXEC')).toEqual(
      error('EXECABORT Transaction discarded because of: NOAUTH Authentication required.'),
    );
    ctx.run('AUTH', 'pw');
    ctx.run('MULTI');
    ctx.run('SET', 'a', '1');
    expect(ctx.run('exec', 'x')).toEqual(
      error("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"),
    );
    expect(ctx.run('EXEC')).toEqual(error('ERR EXEC without MULTI'));
    expect(ctx.run('GET', 'a')).toEqual(NIL);
  });
});
