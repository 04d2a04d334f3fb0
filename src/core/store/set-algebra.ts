// Set algebra over several keys at one instant: SINTER, SINTERCARD, SUNION, SDIFF and their STORE forms (Redis
// 7.0's t_set.c sinterGenericCommand and sunionDiffGenericCommand). Each holds every key's segment lock at once
// (a.withKeys, in the lock order of access.ts), so another thread sees the sources and the destination before
// or after, never between. A result is computed from copies, then stored in the encoding Redis would give it (an
// intset when every member is an integer and they fit, and an SDIFF that went through a hash table stays one).
// Knows no command syntax.

import type { TableAccess } from './access.js';
import { WrongTypeError } from '../errors.js';
import { T_SET, valueType } from './containers.js';
import {
  asSetInteger,
  createSetLocked,
  inResultSetOrder,
  isIntset,
  maxIntsetEntries,
  setIsMember,
  setMembers,
  setSize,
} from './set-object.js';
import type { Bytes } from './types.js';
import { touchLocked } from './watch.js';

export type SetOperation = 'inter' | 'union' | 'diff';

export interface SetAlgebraResult {
  /** The result's members, in the order Redis replies with them where it is deterministic (an intset's). */
  readonly members: Buffer[];
  /** Per source key: whether it was found (a read lookup each, for keyspace hits and misses). */
  readonly found: boolean[];
}

export interface SetStoreResult {
  /** The destination's size now (0: it was deleted, or stays missing). */
  readonly size: number;
  readonly found: boolean[];
  /** The destination existed before (Redis's `new` event when it did not, `del` when it goes). */
  readonly existed: boolean;
}

/**
 * A source set under the lock: its entry (valid until the destination is written: nothing is allocated before)
 * and its size. Members are copied out only where Redis walks a set; membership is probed in place.
 */
interface Source {
  readonly entry: number;
  readonly size: number;
  /** The key, to know the same set named twice. */
  readonly key: string;
}

/**
 * Looks every source up (lookupKeyRead each; WRONGTYPE, with the lookups before it, for any that is no set);
 * missing ones are null.
 */
function readSources(
  a: TableAccess,
  db: number,
  hashes: readonly number[],
  keys: readonly Bytes[],
  from: number,
): { sources: (Source | null)[]; found: boolean[] } {
  const sources: (Source | null)[] = [];
  const found: boolean[] = [];
  for (let i = from; i < keys.length; i++) {
    const entry = a.lookupLocked(a.shardOf(db, hashes[i]), hashes[i], keys[i]);
    if (entry === 0) {
      sources.push(null);
      found.push(false);
      continue;
    }
    if (valueType(a.table, entry) !== T_SET) throw new WrongTypeError(keys.slice(from, i), found);
    a.table.touch(entry);
    sources.push({ entry, size: setSize(a, entry), key: Buffer.from(keys[i]).toString('latin1') });
    found.push(true);
  }
  return { sources, found };
}

const text = (member: Uint8Array): string => Buffer.from(member).toString('latin1');

/**
 * The intersection (sinterGenericCommand): the smallest set's members that every other set holds, stopping at
 * `limit` members (0: none). Empty when any source is missing.
 */
function intersect(a: TableAccess, sources: readonly (Source | null)[], limit: number): Buffer[] {
  if (sources.some((s) => s === null)) return [];
  const sets = (sources as Source[]).slice().sort((x, y) => x.size - y.size);
  const others = sets.slice(1).filter((s) => s.key !== sets[0].key);
  const out: Buffer[] = [];
  for (const member of setMembers(a, sets[0].entry)) {
    if (others.every((other) => setIsMember(a, other.entry, member))) {
      out.push(member);
      if (limit > 0 && out.length >= limit) break;
    }
  }
  return out;
}

function union(a: TableAccess, sources: readonly (Source | null)[]): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const source of sources) {
    if (source === null) continue;
    for (const member of setMembers(a, source.entry))
      if (!seen.has(text(member))) seen.set(text(member), member);
  }
  return [...seen.values()];
}

/**
 * Which of SDIFF's algorithms Redis picks (sunionDiffGenericCommand): the first (walk the first set, probe the
 * others) unless half its work, size(first) x sets, exceeds the second's (add the first set, remove the others).
 */
function diffAlgorithm(sources: readonly (Source | null)[]): 1 | 2 {
  const first = sources[0];
  if (first === null) return 1;
  let one = 0;
  let two = 0;
  for (const source of sources) {
    if (source === null) continue;
    one += first.size;
    two += source.size;
  }
  return Math.floor(one / 2) <= two ? 1 : 2;
}

function difference(a: TableAccess, sources: readonly (Source | null)[]): Buffer[] {
  const first = sources[0];
  if (first === null) return [];
  const others = sources.slice(1).filter((s): s is Source => s !== null);
  if (others.some((s) => s.key === first.key)) return [];
  if (diffAlgorithm(sources) === 1) {
    return setMembers(a, first.entry).filter((m) => !others.some((other) => setIsMember(a, other.entry, m)));
  }
  const left = new Map(setMembers(a, first.entry).map((m) => [text(m), m] as const));
  for (const other of others) {
    for (const member of setMembers(a, other.entry)) left.delete(text(member));
    if (left.size === 0) break;
  }
  return [...left.values()];
}

/**
 * Whether Redis's temporary result set has become a hash table whatever the result: SDIFF's second algorithm
 * adds the whole first set before removing, so it converts when that set holds a non-integer or more than
 * set-max-intset-entries members.
 */
function diffWentThroughHashtable(a: TableAccess, sources: readonly (Source | null)[]): boolean {
  const first = sources[0];
  if (first === null || diffAlgorithm(sources) === 1) return false;
  if (first.size > maxIntsetEntries(a)) return true;
  // A hash table may hold only integers (it converted by size, then shrank): its members decide.
  return !isIntset(a, first.entry) && setMembers(a, first.entry).some((m) => asSetInteger(m) === null);
}

function compute(a: TableAccess, op: SetOperation, sources: readonly (Source | null)[]): Buffer[] {
  return op === 'inter'
    ? intersect(a, sources, 0)
    : op === 'union'
      ? union(a, sources)
      : difference(a, sources);
}

/**
 * SINTER/SUNION/SDIFF (and SMEMBERS: SINTER of one key). The reply's order is Redis's where it is fixed: SINTER
 * walks its smallest set (an intset's ascending order); SUNION and SDIFF walk their result set (ascending when it
 * is an intset). Hash-table orders are this store's own.
 */
export function setAlgebra(
  a: TableAccess,
  db: number,
  op: SetOperation,
  keys: readonly Bytes[],
): SetAlgebraResult {
  return a.withKeys(db, keys, false, setAlgebraLocked, op, undefined);
}

function setAlgebraLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  keys: readonly Bytes[],
  op: SetOperation,
): SetAlgebraResult {
  const { sources, found } = readSources(a, db, hashes, keys, 0);
  const members = compute(a, op, sources);
  if (op === 'inter') return { members, found };
  if (op === 'diff' && diffWentThroughHashtable(a, sources)) return { members, found };
  return { members: inResultSetOrder(a, members), found };
}

/** SINTERCARD: the intersection's size, counting no further than `limit` (0: no limit). */
export function sinterCard(
  a: TableAccess,
  db: number,
  keys: readonly Bytes[],
  limit: number,
): { count: number; found: boolean[] } {
  return a.withKeys(db, keys, false, sinterCardLocked, limit, undefined);
}

function sinterCardLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  keys: readonly Bytes[],
  limit: number,
): { count: number; found: boolean[] } {
  const { sources, found } = readSources(a, db, hashes, keys, 0);
  return { count: intersect(a, sources, limit).length, found };
}

/**
 * SINTERSTORE/SUNIONSTORE/SDIFFSTORE destination key...: the result replaces the destination (its TTL cleared,
 * as setKey), or an empty result deletes it.
 */
export function setAlgebraStore(
  a: TableAccess,
  db: number,
  op: SetOperation,
  destination: Bytes,
  keys: readonly Bytes[],
): SetStoreResult {
  return a.withKeys(db, [destination, ...keys], true, setAlgebraStoreLocked, op, undefined);
}

function setAlgebraStoreLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  keys: readonly Bytes[],
  op: SetOperation,
): SetStoreResult {
  const { sources, found } = readSources(a, db, hashes, keys, 1);
  const members = compute(a, op, sources);
  const shard = a.shardOf(db, hashes[0]);
  const existing = a.findLiveLocked(shard, hashes[0], keys[0]);
  if (existing !== 0) a.table.remove(shard, existing);
  if (members.length > 0) {
    const forceHashtable = op === 'diff' && diffWentThroughHashtable(a, sources);
    createSetLocked(a, shard, hashes[0], keys[0], 0, members, forceHashtable);
  }
  if (members.length > 0 || existing !== 0) touchLocked(a, shard, hashes[0]);
  return { size: members.length, found, existed: existing !== 0 };
}
