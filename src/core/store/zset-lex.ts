// Redis 7.0's lexicographic range walks (t_zset.c: z{zl,sl}IsInLexRange, z{zl,sl}{First,Last}InLexRange,
// z{zl,sl}DeleteRangeByLex, zlexcountCommand, genericZrangebylexCommand), over either encoding. They assume the
// members are in lex order, as they are when every score is equal. When scores differ they still walk rank
// (score) order, and the replies follow from where their searches stop and which bounds they check; clients see
// those replies, so this file reproduces each walk step for step rather than "the members in range".
// The two encodings' searches differ (a listpack scans, a skip list descends its levels: SortedSet's lexStart
// and lexEnd), and so do ZLEXCOUNT and ZREMRANGEBYLEX: their encoding-specific halves are SortedSet methods
// (lexCount, lexRemovalStart) built from the functions here. Knows no locks and no command.

import type { SortedSet } from './zset-encoding.js';
import { lexGteMin, lexLteMax, lexRangeEmpty, type LexRange } from './zset-types.js';

/** The member of a valid rank. */
function memberAt(z: SortedSet, rank: number): Buffer {
  let found: Buffer = Buffer.alloc(0);
  z.walk(rank, false, (member) => {
    found = member;
    return false;
  });
  return found;
}

/**
 * z{zl,sl}IsInLexRange: false when the range is empty by itself, or the tail is below min, or the head above
 * max. Only those two members are looked at, so on a set not in lex order this says "maybe".
 */
export function lexRangeMayHold(z: SortedSet, range: LexRange): boolean {
  if (lexRangeEmpty(range) || z.length === 0) return false;
  return lexGteMin(memberAt(z, z.length - 1), range) && lexLteMax(memberAt(z, 0), range);
}

/** z{zl,sl}FirstInLexRange: where the search for min lands, if that member is also within max; else -1. */
export function firstInLexRange(z: SortedSet, range: LexRange): number {
  if (!lexRangeMayHold(z, range)) return -1;
  const rank = z.lexStart(range);
  return rank < z.length && lexLteMax(memberAt(z, rank), range) ? rank : -1;
}

/** z{zl,sl}LastInLexRange: where the search for max lands, if that member is also within min; else -1. */
export function lastInLexRange(z: SortedSet, range: LexRange): number {
  if (!lexRangeMayHold(z, range)) return -1;
  const rank = z.lexEnd(range);
  return rank >= 0 && lexGteMin(memberAt(z, rank), range) ? rank : -1;
}

/** The last rank of the run from `from` (valid) whose members are within max; from - 1 when there is none. */
export function lexRunEnd(z: SortedSet, from: number, range: LexRange): number {
  let end = from - 1;
  z.walk(from, false, (member) => {
    if (!lexLteMax(member, range)) return false;
    end++;
    return true;
  });
  return end;
}

/** ZLEXCOUNT over a listpack: from the first element in range, the run of those within max. */
export function lexCountByWalk(z: SortedSet, range: LexRange): number {
  const first = firstInLexRange(z, range);
  return first < 0 ? 0 : lexRunEnd(z, first, range) - first + 1;
}

/**
 * ZLEXCOUNT over a skip list: the ranks of the first and the last element in range, whatever lies between;
 * with no last, everything from the first on. Redis computes it unsigned and replies with it as a signed
 * 64-bit integer, so a last before the first gives a count of 0 or below, as here.
 */
export function lexCountByRanks(z: SortedSet, range: LexRange): number {
  const first = firstInLexRange(z, range);
  if (first < 0) return 0;
  const last = lastInLexRange(z, range);
  return last < 0 ? z.length - first : last - first + 1;
}

/** ZREMRANGEBYLEX's ranks first..last (inclusive; last < first removes nothing): from its start, the run within max. */
export function lexRemovalRanks(z: SortedSet, range: LexRange): [number, number] {
  const start = z.lexRemovalStart(range);
  if (start < 0 || start >= z.length) return [0, -1];
  return [start, lexRunEnd(z, start, range)];
}
