// The shared registry of blocked clients: FIFO order per key across records, removal by client id, the counts
// INFO reads, dropping a dead thread's records, growth past the first buffer, and the wake cell a pool worker
// sleeps on. Plus the timeout argument as redis-server 7.0 reads it.

import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { type BlockedRecord, decodeRecord, encodeRecord } from '../../src/core/blocking/record.js';
import { BlockedRegistry } from '../../src/core/blocking/registry.js';
import { parseTimeout } from '../../src/core/blocking/timeout.js';

function record(clientId: number, keys: string[], extra: Partial<BlockedRecord> = {}): BlockedRecord {
  return {
    kind: 'pop',
    db: 0,
    keys: keys.map((k) => Buffer.from(k)),
    fromHead: true,
    toHead: false,
    count: 1,
    destination: null,
    clientId,
    endpoint: 0,
    protocol: 'resp2',
    timed: false,
    ...extra,
  };
}

describe('blocked client records', () => {
  it('encode and decode every field', () => {
    const original = record(12345678901, ['a', '', 'long-key\u0000bin'], {
      kind: 'move',
      db: 7,
      fromHead: false,
      toHead: true,
      count: 3,
      destination: Buffer.from('dst'),
      endpoint: 5,
      protocol: 'resp3',
      timed: true,
    });
    expect(decodeRecord(encodeRecord(original), 0)).toEqual(original);
  });
});

describe('BlockedRegistry', () => {
  it('lists the keys waited on in one database once each, in the order their first waiter blocked', () => {
    const registry = BlockedRegistry.create(1);
    registry.locked(() => {
      registry.add(record(1, ['b', 'a']));
      registry.add(record(2, ['x'], { db: 1 }));
      registry.add(record(3, ['c', 'b']));
    });
    const keys = (db: number) => registry.locked(() => registry.keysWaitedOn(db).map(String));
    expect(keys(0)).toEqual(['b', 'a', 'c']);
    expect(keys(1)).toEqual(['x']);
    expect(keys(2)).toEqual([]);
  });

  it('lists the clients waiting on a key in the order they blocked, by database', () => {
    const registry = BlockedRegistry.create(2);
    registry.locked(() => {
      registry.add(record(1, ['a', 'b']));
      registry.add(record(2, ['b']));
      registry.add(record(3, ['b'], { db: 1 }));
      registry.add(record(4, ['c', 'b'], { endpoint: 1 }));
    });
    const ids = (db: number, key: string) =>
      registry.locked(() => registry.waitingOn(db, Buffer.from(key)).map((r) => r.clientId));
    expect(ids(0, 'b')).toEqual([1, 2, 4]);
    expect(ids(1, 'b')).toEqual([3]);
    expect(ids(0, 'a')).toEqual([1]);
    expect(ids(0, 'zz')).toEqual([]);
    expect(registry.blockedClients()).toBe(4);
    expect(registry.locked(() => registry.remove(2))?.clientId).toBe(2);
    expect(registry.locked(() => registry.remove(2))).toBeNull();
    expect(ids(0, 'b')).toEqual([1, 4]);
    expect(registry.blockedClients()).toBe(3);
  });

  it('counts the clients with a timeout, and drops the records of a dead endpoint', () => {
    const registry = BlockedRegistry.create(2);
    for (let id = 1; id <= 3; id++) registry.announce();
    registry.locked(() => {
      registry.add(record(1, ['k'], { endpoint: 1, timed: true }));
      registry.add(record(2, ['k'], { endpoint: 0, timed: true }));
      registry.add(record(3, ['k'], { endpoint: 1 }));
    });
    expect(registry.timedClients()).toBe(2);
    registry.locked(() => registry.dropEndpoint(1));
    expect(registry.locked(() => registry.waitingOn(0, Buffer.from('k')).map((r) => r.clientId))).toEqual([
      2,
    ]);
    expect(registry.blockedClients()).toBe(1);
    expect(registry.timedClients()).toBe(1);
    expect(registry.intents()).toBe(1);
  });

  it('grows past its first buffer and keeps every record', () => {
    const registry = BlockedRegistry.create(1);
    const key = 'k'.repeat(1000);
    registry.locked(() => {
      for (let id = 1; id <= 300; id++) registry.add(record(id, [key, `own-${id}`]));
    });
    const waiting = registry.locked(() => registry.waitingOn(0, Buffer.from(key)));
    expect(waiting.map((r) => r.clientId)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const other = BlockedRegistry.attach(registry.buffer);
    expect(other.locked(() => other.waitingOn(0, Buffer.from('own-300')).length)).toBe(1);
  });

  it('wakes a thread sleeping on its endpoint cell', async () => {
    const registry = BlockedRegistry.create(2);
    const seen = registry.wakeCount(1);
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      const cells = new Int32Array(workerData.buffer, 8 * 4, 2);
      parentPort.postMessage('waiting');
      const result = Atomics.wait(cells, 1, workerData.seen, 10000);
      parentPort.postMessage(result);
    `;
    const worker = new Worker(code, { eval: true, workerData: { buffer: registry.buffer, seen } });
    const messages: string[] = [];
    const done = new Promise<void>((resolve) =>
      worker.on('message', (m: string) => {
        messages.push(m);
        if (m === 'waiting') setTimeout(() => registry.wake(1), 20);
        else resolve();
      }),
    );
    await done;
    await worker.terminate();
    expect(messages[1]).toMatch(/^(ok|not-equal)$/);
  });
});

describe('the timeout argument (getTimeoutFromObjectOrReply, checked against redis-server 7.0)', () => {
  const ms = (text: string) => parseTimeout(Buffer.from(text));
  const fails = (text: string) => {
    try {
      ms(text);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('reads decimal seconds, rounding up to whole milliseconds; 0 and (-0.001, 0] block forever', () => {
    expect(ms('0')).toBe(0);
    expect(ms('1')).toBe(1000);
    expect(ms('0.5')).toBe(500);
    expect(ms('0.0001')).toBe(1);
    expect(ms('0.000000001')).toBe(1);
    expect(ms('-0')).toBe(0);
    expect(ms('-0.0001')).toBe(0);
    expect(ms('1e3')).toBe(1_000_000);
    expect(ms('0x10')).toBe(16_000);
  });

  it("answers Redis's errors", () => {
    expect(fails('abc')).toBe('ERR timeout is not a float or out of range');
    expect(fails('nan')).toBe('ERR timeout is not a float or out of range');
    expect(fails(' 1')).toBe('ERR timeout is not a float or out of range');
    expect(fails('')).toBe('ERR timeout is not a float or out of range');
    expect(fails('-1')).toBe('ERR timeout is negative');
    expect(fails('inf')).toBe('ERR timeout is negative');
    expect(fails('-inf')).toBe('ERR timeout is negative');
    expect(fails('1e30')).toBe('ERR timeout is negative');
    expect(fails('9223372036854775807')).toBe('ERR timeout is negative');
    expect(fails('9223372036854775')).toBeNull();
  });
});
