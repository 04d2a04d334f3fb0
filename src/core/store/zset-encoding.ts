// The one face both encodings of a sorted set show to the operations in zsets.ts: the listpack (zset-listpack.ts,
// small sets, decoded from the entry's own value bytes) and the skip list (skiplist.ts, large ones, in blocks of
// the key's segment). Ranks are 0-based in ascending order. Knows no locks and no command.

import type { LexRange } from './zset-types.js';

export interface SortedSet {
  readonly length: number;
  /** The member's score, or undefined. */
  score(member: Uint8Array): number | undefined;
  /** The member's rank, or -1. */
  rank(member: Uint8Array): number;
  /**
   * How many elements score below `bound` (at most `bound` when `inclusive`): the rank of the first element of
   * a range starting at bound (exclusive bound: inclusive true).
   */
  scoreStart(bound: number, inclusive: boolean): number;
  /**
   * Where Redis's search for the range's min lands (zset-lex.ts uses it): the rank after the elements it passes
   * over as below min; length if none. A listpack scans from the head, so that is the first member at or past
   * min; a skip list descends its levels, so when the members are not in lex order it can be any member at or
   * past min whose predecessor is below it.
   */
  lexStart(range: LexRange): number;
  /** Where the search for the range's max lands: the last rank it passes over as within max; -1 if none. */
  lexEnd(range: LexRange): number;
  /** ZLEXCOUNT (zlexcountCommand: a listpack counts a walk, a skip list subtracts ranks; zset-lex.ts). */
  lexCount(range: LexRange): number;
  /**
   * The rank ZREMRANGEBYLEX starts deleting at, or -1: zzlDeleteRangeByLex starts at zzlFirstInLexRange,
   * zslDeleteRangeByLex where its own search for min lands, without zslIsInLexRange's test.
   */
  lexRemovalStart(range: LexRange): number;
  /** Visits the elements from rank `from` on (downwards when reverse) while visit returns true. */
  walk(from: number, reverse: boolean, visit: (member: Buffer, score: number) => boolean): void;
  /**
   * Visits the elements from rank `from` upwards, showing `select` each score: below 0 stops, 0 skips, above 0
   * hands the member (a copy) and score to `take`, which returns false to stop. For a reader that keeps few of
   * many elements (a GEO search): the others cost no member copy.
   */
  walkSelected(
    from: number,
    select: (score: number) => number,
    take: (member: Buffer, score: number) => boolean,
  ): void;

  /** Adds a member that is not there (the caller checked). */
  insert(member: Uint8Array, score: number): void;
  /** Gives a member (there, with score `old`) a new score. */
  setScore(member: Uint8Array, old: number, score: number): void;
  /** Removes a member; false if it was not there. */
  remove(member: Uint8Array): boolean;
  /** Removes the elements of ranks start..end (inclusive, valid). */
  removeRanks(start: number, end: number): void;
}
