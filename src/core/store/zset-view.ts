// A read-only view of one sorted set for a caller that decides as it reads (the GEO commands: a member's score,
// the elements of a score interval, stopping early), under the key's lock for the whole of the caller's work,
// and the same for a read that ends by replacing a destination with its result (GEORADIUS ... STORE,
// GEOSEARCHSTORE), both keys locked at once. WRONGTYPE for a source of another type. Knows no command syntax.

import type { TableAccess } from './access.js';
import type { Bytes } from './types.js';
import type { SortedSet } from './zset-encoding.js';
import { storeResultLocked } from './zset-multi.js';
import type { ScoredMember, StoreResult } from './zset-types.js';
import { openZset } from './zset-writer.js';

export interface ZsetView {
  /** The member's score, or undefined. */
  score(member: Uint8Array): number | undefined;
  /**
   * Visits the elements scoring min <= score < max, in the set's order (t_zset.c zslFirstInRange then
   * zslValueLteMax with an exclusive max): `select` sees each score and says whether to take the element, `take`
   * gets the member of each taken one and returns false to stop.
   */
  walkScores(
    min: number,
    max: number,
    select: (score: number) => boolean,
    take: (member: Buffer, score: number) => boolean,
  ): void;
}

function viewOf(z: SortedSet): ZsetView {
  return {
    score: (member) => z.score(member),
    walkScores(min, max, select, take) {
      if (!(min < max)) return;
      const from = z.scoreStart(min, false);
      if (from >= z.length) return;
      z.walkSelected(from, (score) => (score < max ? (select(score) ? 1 : 0) : -1), take);
    },
  };
}

/** Runs `read` over the sorted set at key (null when there is none), under its read lock. */
export function zsetRead<R>(a: TableAccess, db: number, key: Bytes, read: (z: ZsetView | null) => R): R {
  return a.reading(db, key, (a2, entry) => read(entry === 0 ? null : viewOf(openZset(a2, entry, -1))));
}

/**
 * Runs `compute` over the sorted set at source (null when there is none) and replaces destination with the
 * elements it returns, or deletes destination when it returns none; both keys' write locks held throughout. A
 * throw leaves destination as it was.
 */
export function zsetReadStore(
  a: TableAccess,
  db: number,
  destination: Bytes,
  source: Bytes,
  compute: (z: ZsetView | null) => readonly ScoredMember[],
): StoreResult {
  return a.withKeys(db, [destination, source], true, (a2, db2, hashes, keys) => {
    const shard = a2.shardOf(db2, hashes[1]);
    const entry = a2.findLiveLocked(shard, hashes[1], keys[1]);
    const view = entry === 0 ? null : viewOf(openZset(a2, entry, a2.table.segmentOf(shard)));
    const elements = compute(view);
    return storeResultLocked(a2, db2, hashes[0], keys[0], elements, [entry !== 0]);
  });
}
