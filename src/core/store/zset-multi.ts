// Sorted set operations over several keys at one instant (t_zset.c, Redis 7.0): ZPOPMIN/ZPOPMAX/ZMPOP's pop from
// the first non-empty key (what the blocking pops call too), ZRANGESTORE, and ZUNION/ZINTER/ZDIFF with their
// STORE forms and ZINTERCARD. Each holds all its keys' segment locks (access.ts withKeys), so no other thread
// sees a source change between reading it and writing the destination. Knows no command syntax.

import { CommandError, ERR, WrongTypeError } from '../errors.js';
import type { TableAccess } from './access.js';
import { valueType } from './containers.js';
import { T_SET, T_ZSET } from './layout.js';
import { setMembers } from './set-object.js';
import type { Bytes } from './types.js';
import { touchLocked } from './watch.js';
import { limits, openZset, ZsetWriter } from './zset-writer.js';
import { rangeOf } from './zsets.js';
import {
  compareScored,
  type Aggregate,
  type ZpopResult,
  type RangeQuery,
  type ScoredMember,
  type SetOperationQuery,
  type SetOperationResult,
  type StoreResult,
} from './zset-types.js';

// ---- Pops ----

/**
 * Pops up to `count` (>= 1) elements from the lowest (min) or highest end of the first of `keys` that exists
 * (genericZpopCommand): WRONGTYPE if that key is not a sorted set; null when none exists. The key is deleted
 * when emptied.
 */
export function zpop(
  a: TableAccess,
  db: number,
  keys: readonly Bytes[],
  min: boolean,
  count: number,
): ZpopResult | null {
  return a.withKeys(db, keys, true, zpopLocked, min, count);
}

function zpopLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  keys: readonly Bytes[],
  min: boolean,
  count: number,
): ZpopResult | null {
  for (let i = 0; i < keys.length; i++) {
    const shard = a.shardOf(db, hashes[i]);
    const entry = a.findLiveLocked(shard, hashes[i], keys[i]);
    if (entry === 0) continue;
    const writer = ZsetWriter.open(a, shard, hashes[i], keys[i], entry);
    const z = writer.set;
    const length = z.length;
    const taken = Math.min(count, length);
    const popped = rangeOf(z, { by: 'rank', start: 0, end: taken - 1, reverse: !min });
    if (min) z.removeRanks(0, taken - 1);
    else z.removeRanks(length - taken, length - 1);
    const deleted = writer.finish();
    touchLocked(a, shard, hashes[i]);
    return { key: Buffer.from(keys[i]), popped, deleted };
  }
  return null;
}

// ---- Writing a result to a destination ----

/**
 * Replaces destination (keys[0] of a withKeys) with these elements, in order, as setKey does (any old value and
 * its TTL go), or deletes it when there are none. A skip list when the result breaks the listpack limits,
 * which is what Redis 7.0 ends with both for ZRANGESTORE (zsetAdd into a listpack) and for the set operations
 * (zsetConvertToListpackIfNeeded).
 */
export function storeResultLocked(
  a: TableAccess,
  db: number,
  hash: number,
  destination: Bytes,
  elements: readonly ScoredMember[],
  found: readonly boolean[],
): StoreResult {
  const shard = a.shardOf(db, hash);
  const entry = a.findLiveLocked(shard, hash, destination);
  if (elements.length === 0) {
    if (entry === 0) return { length: 0, deleted: false, found };
    a.table.remove(shard, entry);
    touchLocked(a, shard, hash);
    return { length: 0, deleted: true, found };
  }
  const limit = limits(a);
  const skiplist =
    elements.length > limit.entries || elements.some(({ member }) => member.length > limit.value);
  const writer = ZsetWriter.create(a, shard, hash, destination, entry, skiplist);
  const z = writer.set;
  for (const { member, score } of elements) z.insert(member, score);
  writer.finish();
  a.table.setExpireAt(shard, writer.current, 0);
  touchLocked(a, shard, hash);
  return { length: elements.length, deleted: false, found };
}

// ---- ZRANGESTORE ----

/** ZRANGESTORE destination source ...: WRONGTYPE for a source of another type (destination untouched). */
export function zrangeStore(
  a: TableAccess,
  db: number,
  destination: Bytes,
  source: Bytes,
  query: RangeQuery,
): StoreResult {
  return a.withKeys(db, [destination, source], true, zrangeStoreLocked, query, undefined);
}

function zrangeStoreLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  keys: readonly Bytes[],
  query: RangeQuery,
): StoreResult {
  const shard = a.shardOf(db, hashes[1]);
  const entry = a.findLiveLocked(shard, hashes[1], keys[1]);
  const elements = entry === 0 ? [] : rangeOf(openZset(a, entry, a.table.segmentOf(shard)), query);
  // Stored in the set's own order whatever the query's direction.
  if (query.reverse) elements.reverse();
  return storeResultLocked(a, db, hashes[0], keys[0], elements, [entry !== 0]);
}

// ---- ZUNION, ZINTER, ZDIFF ----

/**
 * Each source's elements in its order (a missing key: none; a set: its members scoring 1); WRONGTYPE, with the
 * lookups before it, for a key of another type.
 */
function readSources(
  a: TableAccess,
  db: number,
  hashes: readonly number[],
  keys: readonly Bytes[],
  write: boolean,
): (ScoredMember[] | null)[] {
  const found: boolean[] = [];
  return keys.map((key, i) => {
    const shard = a.shardOf(db, hashes[i]);
    const entry = write ? a.findLiveLocked(shard, hashes[i], key) : a.lookupLocked(shard, hashes[i], key);
    found.push(entry !== 0);
    if (entry === 0) return null;
    const type = valueType(a.table, entry);
    // A plain set is an input too (zuiNext): each member with score 1.
    if (type === T_SET) return setMembers(a, entry).map((member) => ({ member, score: 1 }));
    if (type !== T_ZSET) throw new WrongTypeError(keys.slice(0, i), found.slice(0, i));
    return rangeOf(openZset(a, entry, a.table.segmentOf(shard)), {
      by: 'rank',
      start: 0,
      end: -1,
      reverse: false,
    });
  });
}

/** zunionInterAggregate: a sum that is NaN (inf + -inf) is 0. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === 'min') return value < target ? value : target;
  return value > target ? value : target;
}

/** The weighted score of an input's element; NaN (inf * 0) counts as 0. */
function weighted(score: number, weight: number): number {
  const value = score * weight;
  return Number.isNaN(value) ? 0 : value;
}

/** The result of a set operation over the sources (null: a missing key), sorted as a sorted set. */
function combine(
  sources: (ScoredMember[] | null)[],
  keys: readonly Bytes[],
  query: SetOperationQuery,
): ScoredMember[] {
  const inputs = sources.map((elements, i) => ({
    elements: elements ?? [],
    weight: query.weights[i],
    key: keys[i],
  }));
  // Redis sorts the inputs by size (smallest first) for union and intersection; the difference keeps its first.
  if (query.op !== 'diff') inputs.sort((x, y) => x.elements.length - y.elements.length);
  const index = (elements: ScoredMember[]): Map<string, number> =>
    new Map(elements.map(({ member, score }) => [member.toString('latin1'), score]));
  const out: ScoredMember[] = [];
  if (query.op === 'union') {
    const accumulator = new Map<string, ScoredMember>();
    for (const { elements, weight } of inputs) {
      for (const { member, score } of elements) {
        const name = member.toString('latin1');
        const value = weighted(score, weight);
        const seen = accumulator.get(name);
        accumulator.set(name, {
          member,
          score: seen === undefined ? value : aggregate(seen.score, value, query.aggregate),
        });
      }
    }
    out.push(...accumulator.values());
  } else if (query.op === 'inter') {
    const [first, ...rest] = inputs;
    if (first.elements.length > 0) {
      const others = rest.map((input) => ({
        ...input,
        index: Buffer.compare(input.key, first.key) === 0 ? null : index(input.elements),
      }));
      for (const { member, score } of first.elements) {
        let total = weighted(score, first.weight);
        let everywhere = true;
        const name = member.toString('latin1');
        for (const other of others) {
          // The same key named twice is the same object in Redis: its own score, weighted.
          const found = other.index === null ? score : other.index.get(name);
          if (found === undefined) {
            everywhere = false;
            break;
          }
          total = aggregate(total, found * other.weight, query.aggregate);
        }
        if (everywhere) out.push({ member, score: total });
      }
    }
  } else {
    const [first, ...rest] = inputs;
    const others = rest.map((input) => index(input.elements));
    for (const element of first.elements) {
      const name = element.member.toString('latin1');
      if (!others.some((other) => other.has(name))) out.push(element);
    }
  }
  return out.sort((x, y) => compareScored(x.score, x.member, y.score, y.member));
}

/** ZUNION / ZINTER / ZDIFF: the result in order. */
export function zsetOperation(a: TableAccess, db: number, query: SetOperationQuery): SetOperationResult {
  return a.withKeys(db, query.keys, false, (a2, db2, hashes, keys) => {
    const sources = readSources(a2, db2, hashes, keys, false);
    return { elements: combine(sources, keys, query), found: sources.map((source) => source !== null) };
  });
}

/** ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE. */
export function zsetOperationStore(
  a: TableAccess,
  db: number,
  destination: Bytes,
  query: SetOperationQuery,
): StoreResult {
  return a.withKeys(db, [destination, ...query.keys], true, (a2, db2, hashes, keys) => {
    const sources = readSources(a2, db2, hashes.slice(1), keys.slice(1), true);
    const found = sources.map((source) => source !== null);
    return storeResultLocked(a2, db2, hashes[0], keys[0], combine(sources, keys.slice(1), query), found);
  });
}

/** ZINTERCARD: the intersection's size, counting stops at limit (0: no limit). */
export function zinterCard(
  a: TableAccess,
  db: number,
  keys: readonly Bytes[],
  limit: number,
): { count: number; found: boolean[] } {
  return a.withKeys(db, keys, false, (a2, db2, hashes) => {
    const query: SetOperationQuery = { op: 'inter', keys, weights: keys.map(() => 1), aggregate: 'sum' };
    const sources = readSources(a2, db2, hashes, keys, false);
    const size = combine(sources, keys, query).length;
    return {
      count: limit > 0 ? Math.min(size, limit) : size,
      found: sources.map((source) => source !== null),
    };
  });
}
