// Warming a pipelined batch's keys (store/warm-keys.ts, Session.run): the session hands the store the keys of a
// read holding several requests, only while the store says warming pays (a dataset bigger than the caches);
// warming reads without locks and changes nothing, whatever the positions it is given.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/parser.js';
import { Session } from '../../src/core/session.js';
import { ByteWriter } from '../../src/core/reply-encoding.js';
import type { KeyValueStore } from '../../src/core/store/types.js';
import { keysWorthWarming, MAX_WARMED_KEYS, type KeyPositions } from '../../src/core/store/warm-keys.js';
import type { TableAccess } from '../../src/core/store/access.js';
import { createTestContext } from '../support/context.js';
import { b, setup } from '../support/store-fixture.js';

const resp = (...args: string[]): string =>
  `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;

/** The store with warming said to pay (or not), recording the keys each warmKeys call was given. */
function spied(store: KeyValueStore, pays: boolean, calls: string[][]): KeyValueStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'select') return (db: number) => spied(target.select(db), pays, calls);
      if (prop === 'keysWorthWarming') return () => pays;
      if (prop === 'warmKeys') {
        return (bytes: Uint8Array, keys: KeyPositions) => {
          calls.push(
            Array.from({ length: keys.count }, (_, i) =>
              Buffer.from(bytes.subarray(keys.starts[i], keys.starts[i] + keys.lengths[i])).toString(
                'latin1',
              ),
            ),
          );
          target.warmKeys!(bytes, keys);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function session(pays: boolean, calls: string[][]): Session {
  const ctx = createTestContext();
  return new Session(
    {
      store: spied(ctx.store, pays, calls),
      server: ctx.server,
      limits: DEFAULT_LIMITS,
      writer: new ByteWriter(),
    },
    { id: 1, addr: '127.0.0.1:5000', laddr: '127.0.0.1:6379' },
  );
}

const replies = (s: Session, input: string): string =>
  s.receive(Buffer.from(input, 'latin1')).bytes?.toString() ?? '';

describe('warming a pipelined batch', () => {
  it("warms the keys of a read's requests together before they run, when the store says it pays", () => {
    const calls: string[][] = [];
    const s = session(true, calls);
    const out = replies(s, resp('SET', 'a', '1') + resp('SET', 'b', '2') + resp('GET', 'a'));
    expect(out).toBe('+OK\r\n+OK\r\n$1\r\n1\r\n');
    expect(calls).toEqual([['a', 'b', 'a']]);
    replies(s, resp('GET', 'b')); // one request: nothing to overlap
    expect(calls).toHaveLength(1);
  });

  it('does not scan or warm while the dataset fits the caches', () => {
    const calls: string[][] = [];
    const s = session(false, calls);
    expect(replies(s, resp('SET', 'a', '1') + resp('GET', 'a'))).toBe('+OK\r\n$1\r\n1\r\n');
    expect(calls).toEqual([]);
  });

  it('says warming pays only for an arena bigger than the caches', () => {
    const { store } = setup({ segments: 4 });
    const access = (store as unknown as { access: TableAccess }).access;
    for (let i = 0; i < 300; i++) keysWorthWarming(access); // past any earlier store's cached answer
    expect(keysWorthWarming(access)).toBe(false);
    const value = Buffer.alloc(64 * 1024, 'v');
    for (let i = 0; i < 160; i++) store.set(b(`big:${i}`), value); // 10 MiB
    for (let i = 0; i < 300; i++) keysWorthWarming(access);
    expect(keysWorthWarming(access)).toBe(true);
  });

  it('changes nothing, whatever bytes it is pointed at', () => {
    const { store } = setup({ segments: 4 });
    for (let i = 0; i < 500; i++) store.set(b(`k${i}`), b(`v${i}`));
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff));
    const keys: KeyPositions = {
      starts: Int32Array.from({ length: MAX_WARMED_KEYS }, (_, i) => (i * 61) % 4000),
      lengths: Int32Array.from({ length: MAX_WARMED_KEYS }, (_, i) => i % 90),
      count: MAX_WARMED_KEYS,
    };
    store.warmKeys(bytes, keys);
    store.select(7).warmKeys(Buffer.from('k1k2k3'), {
      starts: Int32Array.of(0, 2),
      lengths: Int32Array.of(2, 2),
      count: 2,
    });
    for (let i = 0; i < 500; i++) expect(store.get(b(`k${i}`))?.toString()).toBe(`v${i}`);
    expect(store.dbsize()).toBe(500);
  });
});
