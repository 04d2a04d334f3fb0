// store.writeHolding of a write naming one key (the append-only file's path on the pool and hybrid): the command
// runs on the caller's own view with its key's segment write-locked throughout, the store's own locking of that
// segment free meanwhile; reaching for another segment is a loud bug, and the lock is let go however the work
// ends. Several keys still run on EXEC's held view. Across threads: write-holding-threads.test.ts.
import { describe, expect, it } from 'vitest';
import { SharedStore } from '../../src/core/store/store.js';

const b = (s: string): Buffer => Buffer.from(s);

/** A store of two segments with a fixed seed, and a key of each segment (found by the error below). */
function setup(): { store: SharedStore; key: Buffer; other: Buffer } {
  const store = SharedStore.create({ clock: () => 1000, segments: 2, hashSeed: 7 });
  const key = b('k');
  for (let i = 0; i < 64; i++) {
    const candidate = b(`other:${i}`);
    try {
      store.writeHolding([key], (locked) => locked.set(candidate, b('x')));
    } catch {
      return { store, key, other: candidate };
    }
  }
  throw new Error('no key in the other segment');
}

describe('writeHolding of one key', () => {
  it('runs the work on the same view, taking its own segment again for free', () => {
    const { store, key } = setup();
    const result = store.writeHolding([key], (locked) => {
      expect(locked).toBe(store);
      locked.set(key, b('1'));
      return locked.get(key)?.toString();
    });
    expect(result).toBe('1');
  });

  it("refuses another segment's key while it holds one, and lets go of the lock when the work throws", () => {
    const { store, key, other } = setup();
    expect(() => store.writeHolding([key], (locked) => locked.get(other))).toThrow(
      /used while a command holds only segment/,
    );
    // Released: both segments are free again, for this thread's plain calls and a new hold.
    store.set(other, b('2'));
    store.set(key, b('3'));
    expect(store.writeHolding([key], (locked) => locked.get(key)?.toString())).toBe('3');
    expect(store.get(other)?.toString()).toBe('2');
  });

  it('refuses a second hold inside the first, and still lets go of the first', () => {
    const { store, key } = setup();
    expect(() => store.writeHolding([key], (locked) => locked.writeHolding([key], () => 0))).toThrow(
      /used while a command holds only segment/,
    );
    expect(store.writeHolding([key], (locked) => locked.get(key))).toBeNull();
  });

  it('still runs a write naming several keys on the held view of both segments', () => {
    const { store, key, other } = setup();
    store.writeHolding([key, other], (locked) => {
      expect(locked).not.toBe(store);
      locked.set(key, b('a'));
      locked.set(other, b('b'));
    });
    expect([store.get(key)?.toString(), store.get(other)?.toString()]).toEqual(['a', 'b']);
  });
});
