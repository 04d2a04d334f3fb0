// The commands' side of two store fixes: EXPIRE ... XX LT / XX GT reach the store as one expireAt call with
// both conditions (so no other thread's PERSIST can fall between the two checks), and SCAN of an empty
// keyspace answers cursor 0 from the store itself, with no separate DBSIZE look.
import { describe, expect, it } from 'vitest';
import { array, bulkString, integer } from '../../src/core/reply.js';
import type { ExpireConditions } from '../../src/core/store/types.js';
import { createTestContext } from '../support/context.js';

describe('store call sites', () => {
  it('EXPIRE with XX and LT (or GT) is one store call carrying both conditions', () => {
    const ctx = createTestContext();
    const calls: string[] = [];
    const store = ctx.store;
    const expireAt = store.expireAt.bind(store);
    const expireTime = store.expireTime.bind(store);
    store.expireAt = (key, at, condition?: ExpireConditions) => {
      calls.push(`expireAt ${JSON.stringify(condition)}`);
      return expireAt(key, at, condition);
    };
    store.expireTime = (key) => {
      calls.push('expireTime');
      return expireTime(key);
    };
    store.set(Buffer.from('k'), Buffer.from('v'));
    expect(ctx.run('EXPIRE', 'k', '100', 'XX', 'LT')).toEqual(integer(0));
    expect(ctx.run('EXPIRE', 'k', '100', 'LT', 'XX')).toEqual(integer(0));
    expect(ctx.run('EXPIRE', 'k', '100', 'XX', 'GT')).toEqual(integer(0));
    expect(ctx.run('EXPIRE', 'k', '200')).toEqual(integer(1));
    expect(ctx.run('EXPIRE', 'k', '100', 'XX', 'LT')).toEqual(integer(1));
    expect(ctx.run('TTL', 'k')).toEqual(integer(100));
    expect(calls).toEqual([
      'expireAt ["XX","LT"]',
      'expireAt ["XX","LT"]',
      'expireAt ["XX","GT"]',
      'expireAt []',
      'expireAt ["XX","LT"]',
    ]);
  });

  it('SCAN of an empty keyspace asks the store only for the scan', () => {
    const ctx = createTestContext();
    let dbsizeCalls = 0;
    const dbsize = ctx.store.dbsize.bind(ctx.store);
    ctx.store.dbsize = () => {
      dbsizeCalls++;
      return dbsize();
    };
    expect(ctx.run('SCAN', '0')).toEqual(array([bulkString('0'), array([])]));
    expect(ctx.run('SCAN', '7', 'COUNT', '1')).toEqual(array([bulkString('0'), array([])]));
    expect(dbsizeCalls).toBe(0);
  });
});
