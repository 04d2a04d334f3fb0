// Loading bucket chains' entries into the cache before the work that reads them (eviction's samples: eviction.ts
// Evictor.warmAhead; pipelined lookups: warm-keys.ts). Two rounds, each started for every entry at once, so their
// cache misses overlap: the entries' headers, then the headers of the entries after them. Only entries are looped
// over, packed one after another: a loop padded with empty slots held a third as many misses in flight. No branch
// depends on a word read here (a branch on a word still on its way from memory is mispredicted half the time, and
// each miss then waits alone). Reads only, without locks: the work reads again under its lock.

import { E_NEXT } from './layout.js';

/** 1 for a non-zero word, 0 for zero, without a branch. */
export function oneIfSet(word: number): number {
  return (word | -word) >>> 31;
}

/**
 * Loads words `first` and `second` (offsets in uint32 words from an entry's first) of the entries in
 * `entries[0, count)`, all non-zero, then word `first` of each entry after them in its chain. Overwrites `entries`.
 * Returns what was read, for the caller to keep where the optimizer cannot prove it useless.
 */
export function warmChains(
  u32: Uint32Array,
  entries: Uint32Array,
  count: number,
  first: number,
  second: number,
): number {
  const nextWord = E_NEXT; // a local: an imported constant is a load and a check per use in optimized code
  let sink = 0;
  let chained = 0;
  for (let i = 0; i < count; i++) {
    const at = entries[i] * 2;
    sink ^= u32[at + first] ^ u32[at + second];
    const next = u32[at + nextWord];
    entries[chained] = next;
    chained += oneIfSet(next);
  }
  for (let i = 0; i < chained; i++) sink ^= u32[entries[i] * 2 + first];
  return sink;
}
