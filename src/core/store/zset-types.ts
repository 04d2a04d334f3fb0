// What the sorted set operations of the store take and give back (zsets.ts, zset-multi.ts), and the order of a
// sorted set as Redis 7.0's t_zset.c defines it: by score, then by member bytes (sdscmp: memcmp, then the shorter
// first), with the range tests of ZRANGEBYSCORE and ZRANGEBYLEX (zslValueGteMin, zslLexValueGteMin and friends).
// Pure values and comparisons: no arena, no locks.

import type { Bytes } from './types.js';

/** A member with its score. */
export interface ScoredMember {
  readonly member: Buffer;
  readonly score: number;
}

/** A score interval as ZRANGEBYSCORE reads it: `(` makes a bound exclusive. */
export interface ScoreRange {
  readonly min: number;
  readonly max: number;
  readonly minex: boolean;
  readonly maxex: boolean;
}

/** A lexicographic bound: `-` (below every member), `+` (above every member), or a member, `(` exclusive. */
export type LexBound =
  { readonly kind: 'min' } | { readonly kind: 'max' } | { readonly kind: 'value'; readonly value: Buffer };

export interface LexRange {
  readonly min: LexBound;
  readonly max: LexBound;
  readonly minex: boolean;
  readonly maxex: boolean;
}

/** ZADD's flags (NX/XX, GT/LT, INCR); CH only changes the reply, so the command keeps it. */
export interface ZaddOptions {
  readonly nx: boolean;
  readonly xx: boolean;
  readonly gt: boolean;
  readonly lt: boolean;
  readonly incr: boolean;
}

export interface ZaddResult {
  readonly added: number;
  readonly updated: number;
  /** Pairs that were not a no-op (INCR answers the score only when its pair was processed). */
  readonly processed: number;
  /** The last processed pair's score after the command (INCR's reply). */
  readonly score: number;
}

/** Which elements a range query covers, and in which direction (ZRANGE's BYSCORE, BYLEX, REV, LIMIT). */
export type RangeQuery =
  | { readonly by: 'rank'; readonly start: number; readonly end: number; readonly reverse: boolean }
  | {
      readonly by: 'score';
      readonly range: ScoreRange;
      readonly reverse: boolean;
      readonly offset: number;
      /** -1 (or any negative): no limit. */
      readonly limit: number;
    }
  | {
      readonly by: 'lex';
      readonly range: LexRange;
      readonly reverse: boolean;
      readonly offset: number;
      readonly limit: number;
    };

/** The removal ranges of ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX. */
export type RemoveRange =
  | { readonly by: 'rank'; readonly start: number; readonly end: number }
  | { readonly by: 'score'; readonly range: ScoreRange }
  | { readonly by: 'lex'; readonly range: LexRange };

/** What ZPOPMIN/ZPOPMAX/ZMPOP (and the blocking pops) took, from which key. */
export interface ZpopResult {
  readonly key: Buffer;
  readonly popped: ScoredMember[];
  readonly deleted: boolean;
}

/** A result written to a destination key (ZRANGESTORE, ZUNIONSTORE, ...): its length, 0 when deleted. */
export interface StoreResult {
  readonly length: number;
  /** The destination existed before and was deleted because the result is empty (the `del` event). */
  readonly deleted: boolean;
  /** Whether each source key was found (the read lookups' keyspace hits and misses, `keymiss`). */
  readonly found: readonly boolean[];
}

/** ZUNION / ZINTER / ZDIFF's result, and whether each input key was found. */
export interface SetOperationResult {
  readonly elements: ScoredMember[];
  readonly found: readonly boolean[];
}

/** A read whose key was missing (told apart from a missing member). */
export const MISSING_KEY = 'missing';

export type SetOperation = 'union' | 'inter' | 'diff';
export type Aggregate = 'sum' | 'min' | 'max';

export interface SetOperationQuery {
  readonly op: SetOperation;
  readonly keys: readonly Bytes[];
  /** One per key (all 1 by default). */
  readonly weights: readonly number[];
  readonly aggregate: Aggregate;
}

/** sdscmp: memcmp over the common length, then the shorter first. */
export function compareMembers(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The sorted set order: score, then member. */
export function compareScored(
  scoreA: number,
  memberA: Uint8Array,
  scoreB: number,
  memberB: Uint8Array,
): number {
  if (scoreA < scoreB) return -1;
  if (scoreA > scoreB) return 1;
  return compareMembers(memberA, memberB);
}

/** sdscmplex: a member against a bound (`-` below and `+` above everything). */
function compareLex(member: Uint8Array, bound: LexBound): number {
  if (bound.kind === 'min') return 1;
  if (bound.kind === 'max') return -1;
  return compareMembers(member, bound.value);
}

export function lexGteMin(member: Uint8Array, range: LexRange): boolean {
  const cmp = compareLex(member, range.min);
  return range.minex ? cmp > 0 : cmp >= 0;
}

export function lexLteMax(member: Uint8Array, range: LexRange): boolean {
  const cmp = compareLex(member, range.max);
  return range.maxex ? cmp < 0 : cmp <= 0;
}

/** zslIsInLexRange's first test: a range that can hold nothing whatever the set (min above max). */
export function lexRangeEmpty(range: LexRange): boolean {
  const { min, max } = range;
  let cmp: number;
  if (min.kind === max.kind && min.kind !== 'value') cmp = 0;
  else if (min.kind === 'max' || max.kind === 'min') cmp = 1;
  else if (min.kind === 'min' || max.kind === 'max') cmp = -1;
  else cmp = compareMembers((min as { value: Buffer }).value, (max as { value: Buffer }).value);
  return cmp > 0 || (cmp === 0 && (range.minex || range.maxex));
}

export function scoreGteMin(score: number, range: ScoreRange): boolean {
  return range.minex ? score > range.min : score >= range.min;
}

export function scoreLteMax(score: number, range: ScoreRange): boolean {
  return range.maxex ? score < range.max : score <= range.max;
}

/** zslIsInRange's first test: min above max, or equal with an exclusive bound. */
export function scoreRangeEmpty(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minex || range.maxex));
}
