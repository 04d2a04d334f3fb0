// The control buffer's header (store/layout.ts): every named word has ints of its own (a lock and its waiter
// count, a Float64 slot's two ints), all inside the header, and the bump pointer's cache line holds nothing a
// command reads (a setting there would be a cache miss on every read while other threads allocate). The
// eviction tenacity once shared an int with the grow lock's waiter count: this is what would have caught it.
import { describe, expect, it } from 'vitest';
import * as layout from '../../src/core/store/layout.js';

/** Each header word and the ints it spans. */
function headerWords(): [name: string, ints: number[]][] {
  const words: [string, number[]][] = [];
  for (const [name, value] of Object.entries(layout)) {
    if (!name.startsWith('H_') || typeof value !== 'number') continue;
    if (name.endsWith('_F64')) words.push([name, [value * 2, value * 2 + 1]]);
    else if (name.endsWith('_LOCK'))
      words.push([name, [value, value + 1]]); // the waiter count follows
    else words.push([name, [value]]);
  }
  return words;
}

describe('control buffer header', () => {
  it('gives every word ints of its own, inside the header', () => {
    const owner = new Map<number, string>();
    for (const [name, ints] of headerWords()) {
      for (const int of ints) {
        expect(int, name).toBeLessThan(layout.HEADER_INTS);
        expect(owner.get(int), `${name} overlaps`).toBeUndefined();
        owner.set(int, name);
      }
    }
  });

  it('keeps the bump pointer line for the bump pointer and the grow lock', () => {
    const line = (int: number) => Math.floor(int / 16);
    const sharing = headerWords()
      .filter(([, ints]) => ints.some((int) => line(int) === line(layout.H_TOP)))
      .map(([name]) => name)
      .sort();
    expect(sharing).toEqual(['H_GROW_LOCK', 'H_TOP']);
  });
});
