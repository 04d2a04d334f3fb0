// The memory a batch of key lookups will read, brought into the cache together before the lookups run. A lookup
// is a chain of cache misses (the key's bucket word, then the header of each entry in its chain), each a random
// place in the arena; run one after another, a batch of pipelined requests waits on memory once per miss per
// request. Warming them first starts every request's misses of one step at once: all the bucket words, then all
// the heads' headers, then all the second entries' headers, three waits for the batch. Read without locks and
// only to load lines: the lookups read again under their locks. No branch depends on a word read here (a branch
// on a word still on its way from memory is mispredicted half the time, and each miss then waits alone).

import type { TableAccess } from './access.js';
import { arenaUsedBytes } from './eviction.js';
import { hashBytes } from './hash.js';
import { D_INDEX, D_MASK, E_HASH, ENTRY_HEADER_BYTES } from './layout.js';
import { oneIfSet, warmChains } from './warm-chains.js';

/**
 * The arena's size from which warming pays: below it (a few times a core's 2 MiB L2 here) the lines are mostly
 * cached already and warming is only work: +6% CPU per GET at -P 16 over 1,000 keys, where over 64 MB of keys it
 * saved 12% (old and new servers side by side, redis-benchmark -t get -P 16 -c 50).
 */
export const WARM_MIN_BYTES = 8 * 1024 * 1024;

/** Most keys warmed at once: the rest of a longer batch waits on its own misses. */
export const MAX_WARMED_KEYS = 64;

/** Where the keys are: bytes[starts[i], starts[i] + lengths[i]) for i < count. */
export interface KeyPositions {
  readonly starts: Int32Array;
  readonly lengths: Int32Array;
  count: number;
}

const words = new Uint32Array(MAX_WARMED_KEYS);
/** The word of a key's first bytes, from an entry's first word: key equality reads there once the hash matches. */
const KEY_WORD = ENTRY_HEADER_BYTES / 4;
/** What the reads gave, kept where the optimizer cannot prove them useless. */
export const warmSink = { value: 0 };

let checksLeft = 0;
let pays = false;

/**
 * Whether warming pays: the arena is too big for the caches to hold it anyway. Asked per read of pipelined
 * requests, so the segments' counters are summed again only every 256 calls. The answer is the thread's (one
 * store per thread; with more, as in tests, one may see another's for a while, which only costs time).
 */
export function keysWorthWarming(a: TableAccess): boolean {
  if (--checksLeft <= 0) {
    checksLeft = 256;
    pays = arenaUsedBytes(a) >= WARM_MIN_BYTES;
  }
  return pays;
}

/** Warms the lookups of the keys at `keys` in logical database `db` (no lock needed, none taken). */
export function warmKeys(a: TableAccess, db: number, bytes: Uint8Array, keys: KeyPositions): void {
  const seed = a.hashSeed();
  const control = a.control;
  const u32 = a.arena.u32;
  const count = Math.min(keys.count, MAX_WARMED_KEYS);
  const segmentBits = a.table.segmentBits;
  for (let i = 0; i < count; i++) {
    const hash = hashBytes(bytes, keys.starts[i], keys.lengths[i], seed);
    const shard = a.shardOf(db, hash);
    words[i] = u32[control[shard + D_INDEX] * 2 + ((hash >>> segmentBits) & control[shard + D_MASK])];
  }
  // The heads packed (empty buckets left out), then their chains warmed (warm-chains.ts).
  let heads = 0;
  for (let i = 0; i < count; i++) {
    const head = words[i];
    words[heads] = head;
    heads += oneIfSet(head);
  }
  const sink = warmChains(u32, words, heads, E_HASH, KEY_WORD);
  warmSink.value = sink;
}
