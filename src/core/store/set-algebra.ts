// Set algebra over several keys at one instant: SINTER, SINTERCARD, SUNION, SDIFF and their STORE forms (Redis
// 7.0's t_set.c sinterGenericCommand and sunionDiffGenericCommand). Each holds every key's segment lock at once
// (a.withKeys, in the lock order of access.ts), so another thread sees the sources and the destination before
// or after, never between. A result is computed from copies, then stored in the encoding Redis would give it (an
// intset when every member is an integer and they fit, and an SDIFF that went through a hash table stays one).
// Knows no command syntax.

import type { TableAccess } from './access.js';
import { requireType, T_SET } from './containers.js';
import { asSetInteger, createSetLocked, maxIntsetEntries, setMembers } from './set-object.js';
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

/** A source set read under the lock: its members copied out, and what Redis's algorithms ask of it. */
interface Source {
  readonly members: Buffer[];
  /** The same set as another source (a key named twice). */
  readonly key: string;
}

/** Reads every source (lookupKeyRead each, WRONGTYPE for any that is no set); missing ones are null. */
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
    requireType(a.table, entry, T_SET);
    a.table.touch(entry);
    sources.push({
      members: setMembers(a, entry),
      key: Buffer.from(keys[i]).toString('latin1'),
    });
    found.push(true);
  }
  return { sources, found };
}

const text = (member: Uint8Array): string => Buffer.from(member).toString('latin1');

/**
 * The intersection (sinterGenericCommand): the smallest set's members that every other set holds, stopping at
 * `limit` members (0: none). Empty when any source is missing.
 */
function intersect(sources: readonly (Source | null)[], limit: number): Buffer[] {
  if (sources.some((s) => s === null)) return [];
  const sets = (sources as Source[]).slice().sort((x, y) => x.members.length - y.members.length);
  const others = sets
    .slice(1)
    .filter((s) => s.key !== sets[0].key)
    .map((s) => new Set(s.members.map(text)));
  const out: Buffer[] = [];
  for (const member of sets[0].members) {
    const t = text(member);
    if (others.every((other) => other.has(t))) {
      out.push(member);
      if (limit > 0 && out.length >= limit) break;
    }
  }
  return out;
}

function union(sources: readonly (Source | null)[]): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const source of sources) {
    if (source === null) continue;
    for (const member of source.members) if (!seen.has(text(member))) seen.set(text(member), member);
  }
  return [...seen.values()];
}

function difference(sources: readonly (Source | null)[]): Buffer[] {
  const first = sources[0];
  if (first === null) return [];
  const removed = new Set<string>();
  for (let j = 1; j < sources.length; j++) {
    const source = sources[j];
    if (source === null) continue;
    if (source.key === first.key) return [];
    for (const member of source.members) removed.add(text(member));
  }
  return first.members.filter((member) => !removed.has(text(member)));
}

/**
 * Whether Redis's temporary result set has become a hash table whatever the result: SDIFF's second algorithm
 * (chosen when the first set is large next to the others) adds the whole first set before removing, so it
 * converts when that set holds a non-integer or more than set-max-intset-entries members.
 */
function diffWentThroughHashtable(a: TableAccess, sources: readonly (Source | null)[]): boolean {
  const first = sources[0];
  if (first === null) return false;
  let one = 0;
  let two = 0;
  for (const source of sources) {
    if (source === null) continue;
    one += first.members.length;
    two += source.members.length;
  }
  if (Math.floor(one / 2) <= two) return false; // algorithm 1 adds only the result's members
  return first.members.length > maxIntsetEntries(a) || first.members.some((m) => asSetInteger(m) === null);
}

/** Whether a result built by adding these members to a new intset would still be one. */
function staysIntset(a: TableAccess, members: readonly Buffer[]): boolean {
  return members.length <= maxIntsetEntries(a) && members.every((m) => asSetInteger(m) !== null);
}

function compute(op: SetOperation, sources: readonly (Source | null)[], limit: number): Buffer[] {
  return op === 'inter' ? intersect(sources, limit) : op === 'union' ? union(sources) : difference(sources);
}

/** Members in an intset's order (ascending integers). */
function ascending(members: Buffer[]): Buffer[] {
  return members
    .map((m) => [asSetInteger(m) as bigint, m] as const)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([, m]) => m);
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
  const members = compute(op, sources, 0);
  if (op === 'inter') return { members, found };
  const intset = staysIntset(a, members) && !(op === 'diff' && diffWentThroughHashtable(a, sources));
  return { members: intset ? ascending(members) : members, found };
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
  return { count: intersect(sources, limit).length, found };
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
  const members = compute(op, sources, 0);
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
