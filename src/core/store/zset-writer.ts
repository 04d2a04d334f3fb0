// One sorted set being read or changed under its key's lock, whichever its encoding: opening it, creating it,
// the listpack -> skip list conversion at zset-max-listpack-entries / zset-max-listpack-value (t_zset.c
// zsetConvert), writing a changed listpack back into the entry, and deleting a key its change emptied (Redis never
// keeps an empty sorted set). Knows the encodings' layouts only through zset-listpack.ts and skiplist.ts.

import type { TableAccess } from './access.js';
import { containerLimit, requireType, valueEncoding } from './containers.js';
import { ENC_ZSET_LISTPACK, ENC_ZSET_SKIPLIST, T_ZSET } from './layout.js';
import { ROOT_BYTES, SkiplistZset, skiplistInit } from './skiplist.js';
import type { Bytes } from './types.js';
import { storeContainerLocked } from './values.js';
import type { SortedSet } from './zset-encoding.js';
import { ListpackZset, listpackZsetFind, listpackZsetLength, readScore } from './zset-listpack.js';
import type { ScoredMember } from './zset-types.js';

/** The sorted set of a live entry (a read or write lock held), WRONGTYPE for another type. */
export function openZset(a: TableAccess, entry: number, segment: number): SortedSet {
  requireType(a.table, entry, T_ZSET);
  const start = a.table.valueStart(entry);
  if (valueEncoding(a.table, entry) === ENC_ZSET_LISTPACK) return ListpackZset.decode(a.arena.u8, start);
  return new SkiplistZset(a.arena, segment, start);
}

/** The length of a live sorted set entry without decoding it. */
export function zsetLength(a: TableAccess, entry: number): number {
  requireType(a.table, entry, T_ZSET);
  const start = a.table.valueStart(entry);
  if (valueEncoding(a.table, entry) === ENC_ZSET_LISTPACK) return listpackZsetLength(a.arena.u8, start);
  return new SkiplistZset(a.arena, -1, start).length;
}

/** A member's score without decoding a listpack (zzlFind walks its bytes). */
export function zsetScore(a: TableAccess, entry: number, member: Bytes): number | undefined {
  requireType(a.table, entry, T_ZSET);
  const start = a.table.valueStart(entry);
  if (valueEncoding(a.table, entry) === ENC_ZSET_LISTPACK) {
    const pos = listpackZsetFind(a.arena.u8, start, member);
    return pos < 0 ? undefined : readScore(a.arena.u8, pos);
  }
  return new SkiplistZset(a.arena, -1, start).score(member);
}

export function limits(a: TableAccess): { entries: number; value: number } {
  return {
    entries: containerLimit(a.control, 'zset-max-listpack-entries'),
    value: containerLimit(a.control, 'zset-max-listpack-value'),
  };
}

/** A sorted set being changed under its key's write lock. Call finish() when done. */
export class ZsetWriter {
  private decoded: SortedSet | null = null;
  private changed = false;

  private constructor(
    private readonly a: TableAccess,
    private readonly shard: number,
    private readonly hash: number,
    private readonly key: Bytes,
    private entry: number,
  ) {}

  /** The live entry's sorted set (WRONGTYPE for another type). */
  static open(a: TableAccess, shard: number, hash: number, key: Bytes, entry: number): ZsetWriter {
    requireType(a.table, entry, T_ZSET);
    return new ZsetWriter(a, shard, hash, key, entry);
  }

  /** A new empty sorted set under key (entry: its live entry, replaced whatever it holds, or 0). */
  static create(
    a: TableAccess,
    shard: number,
    hash: number,
    key: Bytes,
    entry: number,
    skiplist: boolean,
  ): ZsetWriter {
    const writer = new ZsetWriter(a, shard, hash, key, entry);
    if (skiplist) writer.storeSkiplist([]);
    else {
      writer.decoded = new ListpackZset();
      writer.changed = true;
    }
    return writer;
  }

  get isListpack(): boolean {
    return (
      this.decoded instanceof ListpackZset || (this.decoded === null && this.encoding() === ENC_ZSET_LISTPACK)
    );
  }

  private encoding(): number {
    return valueEncoding(this.a.table, this.entry);
  }

  /** The set to change (a listpack is decoded once, and written back by finish()). */
  get set(): SortedSet {
    if (this.decoded === null) {
      const segment = this.a.table.segmentOf(this.shard);
      this.decoded = openZset(this.a, this.entry, segment);
    }
    if (this.decoded instanceof ListpackZset) this.changed = true;
    return this.decoded;
  }

  get length(): number {
    return this.decoded !== null ? this.decoded.length : zsetLength(this.a, this.entry);
  }

  /** A member's score, reading a listpack in place until something changes it. */
  score(member: Bytes): number | undefined {
    return this.decoded !== null ? this.decoded.score(member) : zsetScore(this.a, this.entry, member);
  }

  /** Converts a listpack to a skip list (zsetConvert), keeping the key's TTL. */
  convertToSkiplist(): void {
    if (!this.isListpack) return;
    const lp = this.set as ListpackZset;
    this.storeSkiplist(lp.members.map((member, i) => ({ member, score: lp.scores[i] })));
  }

  /** Adds a member that is not there, converting first when it would break the listpack limits (zsetAdd). */
  insert(member: Bytes, score: number): void {
    if (this.isListpack) {
      const limit = limits(this.a);
      if (this.length + 1 > limit.entries || member.length > limit.value) this.convertToSkiplist();
    }
    this.set.insert(member, score);
  }

  /**
   * Writes a changed listpack back, or deletes the key when it is empty. Returns whether the key was deleted.
   * The entry may move (a new block): later calls see the new one.
   */
  finish(): boolean {
    if (this.length === 0) {
      if (this.entry !== 0) this.a.table.remove(this.shard, this.entry);
      this.entry = 0;
      this.decoded = null;
      return true;
    }
    if (this.changed && this.decoded instanceof ListpackZset) {
      this.entry = storeContainerLocked(
        this.a,
        this.shard,
        this.hash,
        this.key,
        this.entry,
        this.decoded.encode(),
        T_ZSET,
        ENC_ZSET_LISTPACK,
      );
      this.changed = false;
    }
    return false;
  }

  /** The entry now holding the set (after finish). */
  get current(): number {
    return this.entry;
  }

  private storeSkiplist(pairs: readonly ScoredMember[]): void {
    const a = this.a;
    this.entry = storeContainerLocked(
      a,
      this.shard,
      this.hash,
      this.key,
      this.entry,
      new Uint8Array(ROOT_BYTES),
      T_ZSET,
      ENC_ZSET_SKIPLIST,
    );
    const segment = a.table.segmentOf(this.shard);
    const root = a.table.valueStart(this.entry);
    skiplistInit(a.arena, segment, root);
    const skiplist = new SkiplistZset(a.arena, segment, root);
    for (const { member, score } of pairs) skiplist.insert(member, score);
    this.decoded = skiplist;
    this.changed = false;
  }
}
