// Set operations on one or two keys: SADD, SREM, SISMEMBER/SMISMEMBER, SCARD, SMEMBERS, SPOP, SRANDMEMBER,
// SMOVE, SSCAN, with Redis 7.0's semantics (t_set.c). Each runs its *Locked body under its key's segment lock
// through access.ts (SMOVE holds both keys' locks at once); the encodings are set-object.ts's. Writes call
// touchLocked where Redis calls signalModifiedKey, and an emptied set is deleted. Results say what happened so
// the command can publish Redis's keyspace events. Knows no command syntax.

import type { TableAccess, WriteWork } from './access.js';
import { requireType, T_SET } from './containers.js';
import { dictScan, nodeField } from './dict.js';
import {
  createSetLocked,
  inResultSetOrder,
  isIntset,
  setAddLocked,
  setIsMember,
  setMembers,
  setRandomMember,
  setRemoveLocked,
  setSize,
} from './set-object.js';
import type { Bytes, RemovalResult } from './types.js';
import { touchLocked } from './watch.js';

export interface SetAddResult {
  readonly added: number;
  /** The key did not exist (Redis's dbAdd: a `new` event). */
  readonly created: boolean;
}

export function sadd(a: TableAccess, db: number, key: Bytes, members: readonly Bytes[]): SetAddResult {
  return a.writing(db, key, saddLocked, members);
}

const saddLocked: WriteWork<readonly Bytes[], undefined, SetAddResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  members,
) => {
  const created = entry === 0;
  if (created) {
    // setTypeCreate: the first member decides the first encoding; setTypeAdd of the others may convert it.
    entry = createSetLocked(a, shard, hash, key, 0, [members[0]]);
    const { added } = setAddLocked(a, shard, hash, key, entry, members.slice(1));
    touchLocked(a, shard, hash);
    return { added: added + 1, created };
  }
  requireType(a.table, entry, T_SET);
  const { added } = setAddLocked(a, shard, hash, key, entry, members);
  if (added > 0) touchLocked(a, shard, hash);
  return { added, created };
};

export function srem(a: TableAccess, db: number, key: Bytes, members: readonly Bytes[]): RemovalResult {
  return a.writing(db, key, sremLocked, members);
}

const sremLocked: WriteWork<readonly Bytes[], undefined, RemovalResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  members,
) => {
  if (entry === 0) return { removed: 0, deleted: false };
  requireType(a.table, entry, T_SET);
  const result = setRemoveLocked(a, shard, hash, key, entry, members);
  if (result.removed === 0) return { removed: 0, deleted: false };
  if (result.entry === 0) a.table.remove(shard, entry);
  touchLocked(a, shard, hash);
  return { removed: result.removed, deleted: result.entry === 0 };
};

/** SMISMEMBER (and SISMEMBER with one member): null when the key is missing. */
export function smismember(
  a: TableAccess,
  db: number,
  key: Bytes,
  members: readonly Bytes[],
): boolean[] | null {
  return a.reading(db, key, smismemberLocked, members, undefined);
}

function smismemberLocked(a: TableAccess, entry: number, members: readonly Bytes[]): boolean[] | null {
  if (entry === 0) return null;
  requireType(a.table, entry, T_SET);
  a.table.touch(entry);
  return members.map((member) => setIsMember(a, entry, member));
}

/** SCARD: null when the key is missing. */
export function scard(a: TableAccess, db: number, key: Bytes): number | null {
  return a.reading(db, key, scardLocked);
}

function scardLocked(a: TableAccess, entry: number): number | null {
  if (entry === 0) return null;
  requireType(a.table, entry, T_SET);
  a.table.touch(entry);
  return setSize(a, entry);
}

/** A set's members as its encoding orders them (an intset ascending), or null when the key is missing. */
export function smembers(a: TableAccess, db: number, key: Bytes): Buffer[] | null {
  return a.reading(db, key, smembersLocked);
}

function smembersLocked(a: TableAccess, entry: number): Buffer[] | null {
  if (entry === 0) return null;
  requireType(a.table, entry, T_SET);
  a.table.touch(entry);
  return setMembers(a, entry);
}

export interface SetPopResult {
  /** The members popped (null: the key is missing). */
  readonly members: Buffer[] | null;
  /** The set became empty and its key was deleted. */
  readonly deleted: boolean;
}

/** spopWithCountCommand's strategy switch: keep the set and remove from it, while few of its members go. */
const SPOP_MOVE_STRATEGY_MUL = 5;

/**
 * SPOP key [count] (count null: one member). As t_set.c: all of it when count >= size (the key deleted); else
 * `count` random members removed one by one while the rest is more than a fifth of count; else the members to
 * keep are drawn into a new set and the old one's are the reply.
 */
export function spop(
  a: TableAccess,
  db: number,
  key: Bytes,
  count: number | null,
  random: () => number = Math.random,
): SetPopResult {
  return a.writing(db, key, spopLocked, count, random);
}

const spopLocked: WriteWork<number | null, () => number, SetPopResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  count,
  random,
) => {
  if (entry === 0) return { members: null, deleted: false };
  requireType(a.table, entry, T_SET);
  if (count === 0) return { members: [], deleted: false };
  const size = setSize(a, entry);
  const wanted = count ?? 1;
  let popped: Buffer[];
  let deleted = false;
  if (wanted >= size) {
    popped = inResultSetOrder(a, setMembers(a, entry)); // t_set.c replies through SUNION of the set
    a.table.remove(shard, entry);
    deleted = true;
  } else if ((size - wanted) * SPOP_MOVE_STRATEGY_MUL > wanted) {
    popped = [];
    for (let i = 0; i < wanted; i++) {
      const member = setRandomMember(a, entry, random);
      popped.push(member);
      entry = setRemoveLocked(a, shard, hash, key, entry, [member]).entry;
    }
  } else {
    const kept: Buffer[] = [];
    for (let remaining = size - wanted; remaining > 0; remaining--) {
      const member = setRandomMember(a, entry, random);
      kept.push(member);
      entry = setRemoveLocked(a, shard, hash, key, entry, [member]).entry;
    }
    popped = setMembers(a, entry);
    createSetLocked(a, shard, hash, key, entry, kept);
  }
  touchLocked(a, shard, hash);
  return { members: popped, deleted };
};

/** srandmemberWithCountCommand's switch: copy the set and drop members when count is over a third of it. */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;

/**
 * SRANDMEMBER key [count] (count null: one member); null when the key is missing. A negative count may repeat
 * members; a positive one gives distinct members, the whole set when count >= size (as t_set.c's cases).
 */
export function srandmember(
  a: TableAccess,
  db: number,
  key: Bytes,
  count: number | null,
  random: () => number = Math.random,
): Buffer[] | null {
  return a.reading(db, key, srandmemberLocked, count, random);
}

function srandmemberLocked(
  a: TableAccess,
  entry: number,
  count: number | null,
  random: () => number,
): Buffer[] | null {
  if (entry === 0) return null;
  requireType(a.table, entry, T_SET);
  a.table.touch(entry);
  if (count === null) return [setRandomMember(a, entry, random)];
  if (count === 0) return [];
  if (count < 0) {
    const out = new Array<Buffer>(-count);
    for (let i = 0; i < out.length; i++) out[i] = setRandomMember(a, entry, random);
    return out;
  }
  const size = setSize(a, entry);
  if (count >= size) return setMembers(a, entry); // 7.0 walks the set itself here (SPOP goes through SUNION)
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // Every member, then random ones dropped until count are left.
    const all = setMembers(a, entry);
    for (let left = all.length; left > count; left--) {
      const i = Math.floor(random() * left);
      all[i] = all[left - 1];
    }
    all.length = count;
    return all;
  }
  const picked = new Map<string, Buffer>();
  while (picked.size < count) {
    const member = setRandomMember(a, entry, random);
    picked.set(member.toString('latin1'), member);
  }
  return [...picked.values()];
}

export interface SetMoveResult {
  /** The member was in the source and is now in the destination (SMOVE's 1). */
  readonly moved: boolean;
  /** The source became empty and was deleted. */
  readonly sourceDeleted: boolean;
  /** The destination did not exist (its `new` event). */
  readonly destinationCreated: boolean;
  /** The member was not already in the destination (its `sadd` event). */
  readonly added: boolean;
}

const NOT_MOVED: SetMoveResult = {
  moved: false,
  sourceDeleted: false,
  destinationCreated: false,
  added: false,
};

/** SMOVE source destination member: both keys' locks held at once, so no thread sees the member in neither. */
export function smove(
  a: TableAccess,
  db: number,
  source: Bytes,
  destination: Bytes,
  member: Bytes,
): SetMoveResult {
  return a.withKeys(db, [source, destination], true, smoveLocked, member, undefined);
}

function smoveLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  [source, destination]: readonly Bytes[],
  member: Bytes,
): SetMoveResult {
  const from = a.shardOf(db, hashes[0]);
  const to = a.shardOf(db, hashes[1]);
  const sourceEntry = a.findLiveLocked(from, hashes[0], source);
  let destinationEntry = a.findLiveLocked(to, hashes[1], destination);
  if (sourceEntry === 0) return NOT_MOVED;
  requireType(a.table, sourceEntry, T_SET);
  if (destinationEntry !== 0) requireType(a.table, destinationEntry, T_SET);
  if (sourceEntry === destinationEntry) {
    return { ...NOT_MOVED, moved: setIsMember(a, sourceEntry, member) };
  }
  const removal = setRemoveLocked(a, from, hashes[0], source, sourceEntry, [member]);
  if (removal.removed === 0) return NOT_MOVED;
  const sourceDeleted = removal.entry === 0;
  if (sourceDeleted) a.table.remove(from, sourceEntry);
  const destinationCreated = destinationEntry === 0;
  let added = true;
  if (destinationCreated) destinationEntry = createSetLocked(a, to, hashes[1], destination, 0, [member]);
  else added = setAddLocked(a, to, hashes[1], destination, destinationEntry, [member]).added > 0;
  touchLocked(a, from, hashes[0]);
  touchLocked(a, to, hashes[1]);
  return { moved: true, sourceDeleted, destinationCreated, added };
}

export interface SetScanResult {
  /** The next cursor, '0' when done (decimal). */
  readonly cursor: string;
  readonly members: Buffer[];
}

/**
 * SSCAN's walk of a set (db.c scanGenericCommand), before MATCH: an intset is returned whole with cursor 0; a
 * hash table in steps of about `count` members with dict.ts's reverse-binary cursor. Null when the key is
 * missing.
 */
export function sscan(
  a: TableAccess,
  db: number,
  key: Bytes,
  cursor: number,
  count: number,
): SetScanResult | null {
  return a.reading(db, key, sscanLocked, cursor, count);
}

function sscanLocked(a: TableAccess, entry: number, cursor: number, count: number): SetScanResult | null {
  if (entry === 0) return null;
  requireType(a.table, entry, T_SET);
  a.table.touch(entry);
  if (isIntset(a, entry)) return { cursor: '0', members: setMembers(a, entry) };
  const nodes: number[] = [];
  const next = dictScan(a.arena, a.table.valueStart(entry), cursor, count, nodes);
  return { cursor: String(next), members: nodes.map((node) => nodeField(a.arena, node)) };
}
