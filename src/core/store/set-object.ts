// A set's value, whatever its encoding (Redis's setType* functions in t_set.c): an intset in the entry's own
// value bytes (intset.ts) while every member is an integer and there are at most set-max-intset-entries of
// them, else a hash table (dict.ts, members as fields with empty values) whose root is the value bytes. Reads
// need the key's segment lock, writes its write lock; a write may re-create the entry (the new one is returned).
// Knows the two encodings and when one becomes the other; no command semantics, no keyspace events.

import { parseInt64 } from '../args.js';
import type { TableAccess } from './access.js';
import {
  containerLimit,
  registerExternalEncoding,
  setContainerObject,
  T_SET,
  valueEncoding,
} from './containers.js';
import {
  DICT_ROOT_BYTES,
  dictClone,
  dictCount,
  dictDelete,
  dictFind,
  dictFootprint,
  dictForEach,
  dictInit,
  dictRelease,
  dictScan,
  dictSet,
  nodeField,
} from './dict.js';
import {
  encodeIntset,
  intsetLength,
  intsetMember,
  intsetMembers,
  intsetSearch,
  intsetWithAdded,
  intsetWithoutIndex,
} from './intset.js';
import { ENC_SET_HASHTABLE, ENC_SET_INTSET } from './layout.js';
import type { Bytes } from './types.js';
import { storeContainerLocked } from './values.js';

// A hash-table set owns its buckets and nodes: the table frees them with the key and COPY/RENAME clone them.
registerExternalEncoding(T_SET, ENC_SET_HASHTABLE, {
  release: dictRelease,
  clone: dictClone,
  footprint: dictFootprint,
});

const EMPTY = new Uint8Array(0);

export function isIntset(a: TableAccess, entry: number): boolean {
  return valueEncoding(a.table, entry) === ENC_SET_INTSET;
}

/** The member bytes as Redis's isSdsRepresentableAsLongLong reads them: an int64, or null. */
export function asSetInteger(member: Uint8Array): bigint | null {
  return member.length > 20 ? null : parseInt64(member);
}

export function maxIntsetEntries(a: TableAccess): number {
  return containerLimit(a.control, 'set-max-intset-entries');
}

// ---- Reading (read or write lock) ----

export function setSize(a: TableAccess, entry: number): number {
  const at = a.table.valueStart(entry);
  return isIntset(a, entry) ? intsetLength(a.arena.u8, at) : dictCount(a.arena, at);
}

export function setIsMember(a: TableAccess, entry: number, member: Uint8Array): boolean {
  const at = a.table.valueStart(entry);
  if (!isIntset(a, entry)) return dictFind(a.arena, at, member) !== 0;
  const value = asSetInteger(member);
  return value !== null && intsetSearch(a.arena.u8, at, value) >= 0;
}

/** Every member, copied out: an intset's ascending, a hash table's in bucket order (setTypeNext). */
export function setMembers(a: TableAccess, entry: number): Buffer[] {
  const at = a.table.valueStart(entry);
  if (isIntset(a, entry)) return intsetMembers(a.arena.u8, at);
  const out: Buffer[] = [];
  dictForEach(a.arena, at, (node) => out.push(nodeField(a.arena, node)));
  return out;
}

/** A random member (setTypeRandomElement; the set is not empty). */
export function setRandomMember(a: TableAccess, entry: number, random: () => number): Buffer {
  const at = a.table.valueStart(entry);
  if (isIntset(a, entry)) {
    return intsetMember(a.arena.u8, at, Math.floor(random() * intsetLength(a.arena.u8, at)));
  }
  return nodeField(a.arena, fairRandomNode(a, at, random));
}

/** How many members a fair pick samples (dict.c dictGetFairRandomKey's GETFAIR_NUM_ENTRIES). */
const FAIR_SAMPLE = 15;

/**
 * A random node of a non-empty table, fairer than a random bucket's random node (which draws a member in a chain
 * of L about 1/L as often as one alone): as Redis's dictGetFairRandomKey, the nodes of consecutive buckets from a
 * random one are gathered until there are FAIR_SAMPLE of them, and one of those is picked. A table that small is
 * picked from whole.
 */
function fairRandomNode(a: TableAccess, root: number, random: () => number): number {
  const nodes: number[] = [];
  if (dictCount(a.arena, root) <= FAIR_SAMPLE) {
    dictForEach(a.arena, root, (node) => nodes.push(node));
  } else {
    let cursor = Math.floor(random() * 2 ** 32);
    do {
      // From the end of the walk it goes on from its start: more nodes than a sample, so none is seen twice.
      cursor = dictScan(a.arena, root, cursor, FAIR_SAMPLE - nodes.length, nodes);
    } while (nodes.length < FAIR_SAMPLE);
  }
  return nodes[Math.floor(random() * nodes.length)];
}

/**
 * Members (distinct) in the order Redis replies with a set it builds from them by adding them to a new intset
 * (SUNION, SDIFF, and SPOP/SRANDMEMBER when they return a whole set, through sunionDiffGenericCommand): ascending
 * when they are all integers and few enough to stay an intset, else as given (a hash table's order is its own).
 */
export function inResultSetOrder(a: TableAccess, members: Buffer[]): Buffer[] {
  if (members.length > maxIntsetEntries(a)) return members;
  const values: bigint[] = [];
  for (const member of members) {
    const value = asSetInteger(member);
    if (value === null) return members;
    values.push(value);
  }
  return members
    .map((member, i) => [values[i], member] as const)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([, member]) => member);
}

// ---- Writing (write lock) ----

/**
 * A new set under key holding `members` (no duplicates among them, at least one), in the encoding Redis would
 * give a set built by adding them in order to a new intset: an intset if all are integers and they fit, else a
 * hash table. `existing` (key's live entry or 0) is replaced, its TTL kept; an absent key gets none.
 */
export function createSetLocked(
  a: TableAccess,
  shard: number,
  hash: number,
  key: Bytes,
  existing: number,
  members: readonly Uint8Array[],
  forceHashtable = false,
): number {
  if (!forceHashtable && members.length <= maxIntsetEntries(a)) {
    const values: bigint[] = [];
    for (const member of members) {
      const value = asSetInteger(member);
      if (value === null) break;
      values.push(value);
    }
    if (values.length === members.length) {
      values.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      return storeContainerLocked(a, shard, hash, key, existing, encodeIntset(values), T_SET, ENC_SET_INTSET);
    }
  }
  return createHashtableLocked(a, shard, hash, key, existing, members);
}

/**
 * Builds a hash-table set of `members` in a new entry, then puts it in place of `existing` (keeping its TTL) or
 * links it: so if memory runs out half-way nothing has changed (the blocks made so far are given back).
 */
function createHashtableLocked(
  a: TableAccess,
  shard: number,
  hash: number,
  key: Bytes,
  existing: number,
  members: readonly Uint8Array[],
): number {
  const t = a.table;
  const segment = t.segmentOf(shard);
  const created = t.newEntry(shard, hash, key, DICT_ROOT_BYTES, DICT_ROOT_BYTES);
  const root = t.valueStart(created);
  try {
    dictInit(a.arena, segment, root);
  } catch (error) {
    a.arena.free(segment, created, t.blockUnits(created));
    throw error;
  }
  try {
    for (const member of members) dictSet(a.arena, segment, root, member, EMPTY);
  } catch (error) {
    dictRelease(a.arena, segment, root);
    a.arena.free(segment, created, t.blockUnits(created));
    throw error;
  }
  setContainerObject(t, created, T_SET, ENC_SET_HASHTABLE);
  if (existing !== 0) t.replace(shard, existing, created, t.expireAt(existing));
  else t.insert(shard, created, 0);
  return created;
}

/**
 * Adds members in order (setTypeAdd each): an intset takes integers until a member is not one or the count
 * passes set-max-intset-entries, then becomes a hash table holding its members and the rest. Returns the entry
 * now holding the set and how many members were new.
 */
export function setAddLocked(
  a: TableAccess,
  shard: number,
  hash: number,
  key: Bytes,
  entry: number,
  members: readonly Uint8Array[],
): { entry: number; added: number } {
  let added = 0;
  let i = 0;
  if (isIntset(a, entry)) {
    const limit = maxIntsetEntries(a);
    const start = a.table.valueStart(entry);
    let intset: Uint8Array = a.arena.u8;
    let at = start;
    let converting = false;
    for (; i < members.length; i++) {
      const value = asSetInteger(members[i]);
      if (value === null) {
        converting = true;
        break;
      }
      const grown = intsetWithAdded(intset, at, value);
      if (grown === null) continue;
      intset = grown;
      at = 0;
      added++;
      if (intsetLength(intset, 0) > limit) {
        converting = true;
        i++;
        break;
      }
    }
    if (!converting) {
      if (added > 0) {
        entry = storeContainerLocked(a, shard, hash, key, entry, intset, T_SET, ENC_SET_INTSET);
      }
      return { entry, added };
    }
    // setTypeConvert: the intset's members become fields of a new table, then the rest are added to it.
    const merged: Uint8Array[] = intsetMembers(intset, at);
    const before = merged.length;
    const seen = new Set<string>(merged.map((m) => Buffer.from(m).toString('latin1')));
    for (; i < members.length; i++) {
      const text = Buffer.from(members[i]).toString('latin1');
      if (seen.has(text)) continue;
      seen.add(text);
      merged.push(members[i]);
    }
    added += merged.length - before;
    entry = createHashtableLocked(a, shard, hash, key, entry, merged);
    return { entry, added };
  }
  const segment = a.table.segmentOf(shard);
  const root = a.table.valueStart(entry);
  for (; i < members.length; i++) {
    if (dictSet(a.arena, segment, root, members[i], EMPTY).created) added++;
  }
  return { entry, added };
}

/**
 * Removes members (setTypeRemove each), stopping once the set is empty as SREM does. Returns how many were
 * removed and the entry, or 0 when the set became empty (the caller removes the key; the entry is left as is).
 */
export function setRemoveLocked(
  a: TableAccess,
  shard: number,
  hash: number,
  key: Bytes,
  entry: number,
  members: readonly Uint8Array[],
): { entry: number; removed: number } {
  let removed = 0;
  if (isIntset(a, entry)) {
    let intset: Uint8Array = a.arena.u8;
    let at = a.table.valueStart(entry);
    for (const member of members) {
      const value = asSetInteger(member);
      if (value === null) continue;
      const index = intsetSearch(intset, at, value);
      if (index < 0) continue;
      intset = intsetWithoutIndex(intset, at, index);
      at = 0;
      removed++;
      if (intsetLength(intset, 0) === 0) return { entry: 0, removed };
    }
    if (removed > 0) entry = storeContainerLocked(a, shard, hash, key, entry, intset, T_SET, ENC_SET_INTSET);
    return { entry, removed };
  }
  const segment = a.table.segmentOf(shard);
  const root = a.table.valueStart(entry);
  for (const member of members) {
    if (!dictDelete(a.arena, segment, root, member)) continue;
    removed++;
    if (dictCount(a.arena, root) === 0) return { entry: 0, removed };
  }
  return { entry, removed };
}
