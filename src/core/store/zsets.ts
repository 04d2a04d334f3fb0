// Sorted set operations on one key (t_zset.c, Redis 7.0): ZADD/ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE,
// ZRANK/ZREVRANK, ZCOUNT, ZLEXCOUNT, the ZRANGE family's reads, ZREMRANGEBY*, ZRANDMEMBER and ZSCAN. Each runs its
// *Locked body under its key's segment lock (access.ts reading/writing) over the encoding-neutral SortedSet
// (zset-writer.ts); writes call touchLocked for WATCH, and a set they empty is deleted. Operations over several
// keys are in zset-multi.ts. Knows no command syntax.

import { CommandError } from '../errors.js';
import type { TableAccess, WriteWork } from './access.js';
import { requireType, valueEncoding } from './containers.js';
import { ENC_ZSET_LISTPACK, T_ZSET } from './layout.js';
import { SkiplistZset } from './skiplist.js';
import type { Bytes, RemovalResult } from './types.js';
import { touchLocked } from './watch.js';
import type { SortedSet } from './zset-encoding.js';
import { firstInLexRange, lastInLexRange, lexRemovalRanks } from './zset-lex.js';
import { openZset, zsetLength, zsetScore, ZsetWriter, limits } from './zset-writer.js';
import {
  lexGteMin,
  lexLteMax,
  scoreGteMin,
  scoreLteMax,
  scoreRangeEmpty,
  type RangeQuery,
  type RemoveRange,
  type ScoredMember,
  type ZaddOptions,
  type ZaddResult,
  MISSING_KEY,
} from './zset-types.js';

export const NAN_SCORE = 'ERR resulting score is not a number (NaN)';

// ---- ZADD ----

export function zadd(
  a: TableAccess,
  db: number,
  key: Bytes,
  pairs: readonly ScoredMember[],
  options: ZaddOptions,
): ZaddResult {
  return a.writing(db, key, zaddLocked, pairs, options);
}

const zaddLocked: WriteWork<readonly ScoredMember[], ZaddOptions, ZaddResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  pairs,
  options,
) => {
  let writer: ZsetWriter;
  if (entry === 0) {
    if (options.xx) return { added: 0, updated: 0, processed: 0, score: 0 };
    const limit = limits(a);
    // zaddGenericCommand: a new key is a skip list at once when its first member could never be in a listpack.
    const skiplist = limit.entries === 0 || limit.value < pairs[0].member.length;
    writer = ZsetWriter.create(a, shard, hash, key, 0, skiplist);
  } else {
    writer = ZsetWriter.open(a, shard, hash, key, entry);
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  const state = { score: 0 };
  for (const pair of pairs) {
    const outcome = zsetAdd(writer, pair.member, pair.score, options, state);
    if (outcome === 'added') added++;
    else if (outcome === 'updated') updated++;
    if (outcome !== 'nop') {
      processed++;
    }
  }
  writer.finish();
  if (added + updated > 0) touchLocked(a, shard, hash);
  return { added, updated, processed, score: state.score };
};

/** t_zset.c zsetAdd: one pair with ZADD's flags. A processed pair's new score is left in state.score. */
function zsetAdd(
  writer: ZsetWriter,
  member: Bytes,
  score: number,
  options: ZaddOptions,
  state: { score: number },
): 'added' | 'updated' | 'unchanged' | 'nop' {
  const current = writer.score(member);
  if (current !== undefined) {
    if (options.nx) return 'nop';
    if (options.incr) {
      score += current;
      if (Number.isNaN(score)) throw new CommandError(NAN_SCORE);
    }
    if ((options.lt && score >= current) || (options.gt && score <= current)) return 'nop';
    state.score = score;
    if (score === current) return 'unchanged'; // 0 and -0 are equal: the stored sign stays, as in Redis
    writer.set.setScore(member, current, score);
    return 'updated';
  }
  if (options.xx) return 'nop';
  writer.insert(member, score);
  state.score = score;
  return 'added';
}

// ---- ZREM ----

export function zrem(a: TableAccess, db: number, key: Bytes, members: readonly Bytes[]): RemovalResult {
  return a.writing(db, key, zremLocked, members);
}

const zremLocked: WriteWork<readonly Bytes[], undefined, RemovalResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  members,
) => {
  if (entry === 0) return { removed: 0, deleted: false };
  const writer = ZsetWriter.open(a, shard, hash, key, entry);
  let removed = 0;
  for (const member of members) {
    if (writer.score(member) !== undefined && writer.set.remove(member)) removed++;
  }
  if (removed === 0) return { removed, deleted: false };
  const deleted = writer.finish();
  touchLocked(a, shard, hash);
  return { removed, deleted };
};

// ---- Reads ----

/** Runs a read of the sorted set at key; `missing` when there is none. */
function readZset<R>(a: TableAccess, db: number, key: Bytes, missing: R, read: (z: SortedSet) => R): R {
  return a.reading(db, key, (a2, entry) => (entry === 0 ? missing : read(openZset(a2, entry, -1))));
}

export function zcard(a: TableAccess, db: number, key: Bytes): number {
  return a.reading(db, key, (a2, entry) => (entry === 0 ? 0 : zsetLength(a2, entry)));
}

/** ZSCORE: null for a missing member, MISSING_KEY for a missing key. */
export function zscore(
  a: TableAccess,
  db: number,
  key: Bytes,
  member: Bytes,
): number | null | typeof MISSING_KEY {
  return a.reading(db, key, (a2, entry) =>
    entry === 0 ? MISSING_KEY : (zsetScore(a2, entry, member) ?? null),
  );
}

/** ZMSCORE: a score or null per member; null (not an array) for a missing key. */
export function zmscore(
  a: TableAccess,
  db: number,
  key: Bytes,
  members: readonly Bytes[],
): (number | null)[] | null {
  return a.reading(db, key, (a2, entry) =>
    entry === 0 ? null : members.map((member) => zsetScore(a2, entry, member) ?? null),
  );
}

/** ZRANK / ZREVRANK: null for a missing member, MISSING_KEY for a missing key. */
export function zrank(
  a: TableAccess,
  db: number,
  key: Bytes,
  member: Bytes,
  reverse: boolean,
): number | null | typeof MISSING_KEY {
  return readZset<number | null | typeof MISSING_KEY>(a, db, key, MISSING_KEY, (z) => {
    const rank = z.rank(member);
    if (rank < 0) return null;
    return reverse ? z.length - 1 - rank : rank;
  });
}

/** The ranks first..last (inclusive) a score range covers: by rank arithmetic over the spans. */
function scoreRanks(
  z: SortedSet,
  range: { min: number; max: number; minex: boolean; maxex: boolean },
): [number, number] {
  if (scoreRangeEmpty(range)) return [0, -1];
  return [z.scoreStart(range.min, range.minex), z.scoreStart(range.max, !range.maxex) - 1];
}

/** ZCOUNT: null for a missing key. */
export function zcount(a: TableAccess, db: number, key: Bytes, range: RangeQueryScore): number | null {
  return readZset<number | null>(a, db, key, null, (z) => {
    const [first, last] = scoreRanks(z, range);
    return Math.max(0, last - first + 1);
  });
}

type RangeQueryScore = Extract<RangeQuery, { by: 'score' }>['range'];
type RangeQueryLex = Extract<RangeQuery, { by: 'lex' }>['range'];

/** ZLEXCOUNT: null for a missing key. */
export function zlexcount(a: TableAccess, db: number, key: Bytes, range: RangeQueryLex): number | null {
  return readZset<number | null>(a, db, key, null, (z) => z.lexCount(range));
}

/** ZRANGE and its variants: the elements in order; null for a missing key. */
export function zrange(a: TableAccess, db: number, key: Bytes, query: RangeQuery): ScoredMember[] | null {
  return readZset<ScoredMember[] | null>(a, db, key, null, (z) => rangeOf(z, query));
}

/** The elements a range query selects, in its direction (genericZrangeby{rank,score,lex}Command). */
export function rangeOf(z: SortedSet, query: RangeQuery): ScoredMember[] {
  const out: ScoredMember[] = [];
  const length = z.length;
  const collect = (member: Buffer, score: number): boolean => {
    out.push({ member, score });
    return true;
  };
  if (query.by === 'rank') {
    const [start, end] = rankBounds(query.start, query.end, length);
    if (start > end) return out;
    let count = end - start + 1;
    z.walk(query.reverse ? length - 1 - start : start, query.reverse, (member, score) => {
      out.push({ member, score });
      return --count > 0;
    });
    return out;
  }
  if (query.offset > 0 && query.offset >= length) return out;
  if (query.offset < 0) return out; // Redis's skip loop never ends: nothing is emitted
  let from: number;
  let inRange: (member: Buffer, score: number) => boolean;
  if (query.by === 'score') {
    const [first, last] = scoreRanks(z, query.range);
    if (last < first) return out;
    from = query.reverse ? last - query.offset : first + query.offset;
    const range = query.range;
    inRange = query.reverse ? (_m, s) => scoreGteMin(s, range) : (_m, s) => scoreLteMax(s, range);
  } else {
    // genericZrangebylexCommand: from the first (last) element in range, skip offset elements unchecked, then
    // take elements while within max (min): zset-lex.ts says why that is not "the members in range".
    const range = query.range;
    const first = query.reverse ? lastInLexRange(z, range) : firstInLexRange(z, range);
    if (first < 0) return out;
    from = query.reverse ? first - query.offset : first + query.offset;
    inRange = query.reverse ? (m) => lexGteMin(m, range) : (m) => lexLteMax(m, range);
  }
  let limit = query.limit;
  if (limit === 0) return out;
  z.walk(from, query.reverse, (member, score) => {
    if (!inRange(member, score)) return false;
    collect(member, score);
    return --limit !== 0;
  });
  return out;
}

/** ZRANGE's index rules (genericZrangebyrankCommand): negative from the end, clamped; start > end is empty. */
function rankBounds(start: number, end: number, length: number): [number, number] {
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (start > end || start >= length) return [0, -1];
  if (end >= length) end = length - 1;
  return [start, end];
}

// ---- ZREMRANGEBY* ----

export function zremRange(a: TableAccess, db: number, key: Bytes, range: RemoveRange): RemovalResult {
  return a.writing(db, key, zremRangeLocked, range);
}

const zremRangeLocked: WriteWork<RemoveRange, undefined, RemovalResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  range,
) => {
  if (entry === 0) return { removed: 0, deleted: false };
  const writer = ZsetWriter.open(a, shard, hash, key, entry);
  const z = writer.set;
  const [first, last] =
    range.by === 'rank'
      ? rankBounds(range.start, range.end, z.length)
      : range.by === 'score'
        ? scoreRanks(z, range.range)
        : lexRemovalRanks(z, range.range);
  if (last < first) return { removed: 0, deleted: false };
  z.removeRanks(first, last);
  const deleted = writer.finish();
  touchLocked(a, shard, hash);
  return { removed: last - first + 1, deleted };
};

// ---- ZRANDMEMBER ----

/**
 * ZRANDMEMBER key count: count > 0 distinct members (the whole set when count >= its length, highest score first:
 * Redis's zuiNext walks a sorted set from its tail), count < 0 that many picks with repetition
 * (zrandmemberWithCountCommand). Null for a missing key.
 */
export function zrandMember(
  a: TableAccess,
  db: number,
  key: Bytes,
  count: number,
  random: () => number,
): ScoredMember[] | null {
  return readZset<ScoredMember[] | null>(a, db, key, null, (z) => {
    const length = z.length;
    const at = (rank: number): ScoredMember => {
      let found: ScoredMember = { member: Buffer.alloc(0), score: 0 };
      z.walk(rank, false, (member, score) => {
        found = { member, score };
        return false;
      });
      return found;
    };
    if (count < 0 || count === 1) {
      const picks = Math.abs(count);
      const out: ScoredMember[] = [];
      for (let i = 0; i < picks; i++) out.push(at(Math.floor(random() * length)));
      return out;
    }
    if (count >= length) return rangeOf(z, { by: 'rank', start: 0, end: -1, reverse: true });
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(random() * length));
    return [...chosen].map(at);
  });
}

// ---- ZSCAN ----

export interface ZscanResult {
  readonly cursor: number;
  readonly elements: ScoredMember[];
}

/** One ZSCAN step: a listpack whole (cursor 0), a skip list's member index by Redis's reverse-binary cursor. */
export function zscan(
  a: TableAccess,
  db: number,
  key: Bytes,
  cursor: number,
  count: number,
): ZscanResult | null {
  return a.reading(db, key, (a2, entry) => {
    if (entry === 0) return null;
    requireType(a2.table, entry, T_ZSET);
    if (valueEncoding(a2.table, entry) === ENC_ZSET_LISTPACK) {
      return {
        cursor: 0,
        elements: rangeOf(openZset(a2, entry, -1), { by: 'rank', start: 0, end: -1, reverse: false }),
      };
    }
    return new SkiplistZset(a2.arena, -1, a2.table.valueStart(entry)).scan(cursor, count);
  });
}
