// The list operations of the store (Redis 7.0's t_list.c semantics over quicklist.ts): pushes and pops at either
// end, LMOVE between two keys at one instant, LMPOP over several, and the index, range and walk operations. Each
// runs under its keys' segment locks through access.ts; the *Locked functions are exported for callers that
// already hold the locks (the blocking commands serve a waiting client with popLocked/moveLocked when its key
// is pushed). A list emptied by a removal is deleted, as Redis never keeps an empty list. Knows no command
// syntax and no replies.

import type { TableAccess, WriteWork } from './access.js';
import { containerLimit, requireType, T_LIST } from './containers.js';
import { ENC_LIST_QUICKLIST } from './layout.js';
import { EMPTY_ROOT, listCount, Quicklist } from './quicklist.js';
import type { Bytes, RemovalResult } from './types.js';
import { storeContainerLocked } from './values.js';
import { touchLocked } from './watch.js';

/** Which end of a list: LEFT is the head (index 0), RIGHT the tail. */
export type ListEnd = 'left' | 'right';

export interface PushResult {
  /** The list's length after the push (0: PUSHX found no list and pushed nothing). */
  readonly length: number;
  /** The push made the key (keyspace event `new`). */
  readonly created: boolean;
}

export interface PopResult {
  /** In the order they were popped (from the end popped). */
  readonly elements: Buffer[];
  /** The pop emptied the list, so the key is gone (event `del`). */
  readonly deleted: boolean;
}

export interface MoveResult {
  readonly value: Buffer;
  /** The destination was made by the move (event `new`). */
  readonly created: boolean;
  /** The source was emptied and deleted (event `del`). */
  readonly deleted: boolean;
}

export interface MultiPopResult extends PopResult {
  /** Index in the keys given of the list popped from. */
  readonly index: number;
}

/** LSET's outcomes. */
export type ListSetResult = 'ok' | 'missing' | 'out of range';
/**
 * LTRIM's outcomes: no list, or a list kept or trimmed to nothing and deleted, with the elements it removed
 * (ltrimCommand's ltrim + rtrim, its change count).
 */
export type TrimResult = 'missing' | { readonly outcome: 'kept' | 'deleted'; readonly removed: number };

/** LPOS's options, as lposCommand holds them once parsed. */
export interface PositionQuery {
  /** The rank-th match is the first reported (1: the first), counted from the tail if fromTail. */
  readonly rank: number;
  readonly fromTail: boolean;
  /** How many matches to report: 0 all of them; -1 (COUNT not given) one. */
  readonly count: number;
  /** Elements compared at most (0: no limit). */
  readonly maxLength: number;
}

/** The list in `entry` (a live list: its type checked), blocks from its shard's segment. */
export function listOf(a: TableAccess, entry: number, shard: number): Quicklist {
  return new Quicklist(
    a.arena,
    a.table.segmentOf(shard),
    a.table.valueStart(entry),
    containerLimit(a.control, 'list-max-listpack-size'),
  );
}

/** A live entry's list, after its type check; null for a missing key. */
function existingList(a: TableAccess, entry: number, shard: number): Quicklist | null {
  if (entry === 0) return null;
  requireType(a.table, entry, T_LIST);
  return listOf(a, entry, shard);
}

// ---- Pushes ----

export function push(
  a: TableAccess,
  db: number,
  key: Bytes,
  elements: readonly Bytes[],
  end: ListEnd,
  onlyIfExists: boolean,
): PushResult {
  // The end and the condition travel as one number, so a push allocates no arguments object.
  return a.writing(db, key, pushWork, elements, (end === 'left' ? 1 : 0) | (onlyIfExists ? 2 : 0));
}

const pushWork: WriteWork<readonly Bytes[], number, PushResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  elements,
  how,
) => pushLocked(a, entry, shard, hash, key, elements, how & 1 ? 'left' : 'right', (how & 2) !== 0);

/** LPUSH/RPUSH (and the X forms) with key's write lock held; entry is its live entry or 0. */
export function pushLocked(
  a: TableAccess,
  entry: number,
  shard: number,
  hash: number,
  key: Bytes,
  elements: readonly Bytes[],
  end: ListEnd,
  onlyIfExists: boolean,
): PushResult {
  let created = false;
  if (entry !== 0) requireType(a.table, entry, T_LIST);
  else if (onlyIfExists) return { length: 0, created: false };
  else {
    entry = storeContainerLocked(a, shard, hash, key, 0, EMPTY_ROOT, T_LIST, ENC_LIST_QUICKLIST);
    created = true;
  }
  const list = listOf(a, entry, shard);
  try {
    if (end === 'left') for (const element of elements) list.pushHead(element);
    else for (const element of elements) list.pushTail(element);
  } catch (error) {
    if (list.count === 0) a.table.remove(shard, entry); // a list made for a push that could not happen
    throw error;
  }
  touchLocked(a, shard, hash);
  return { length: list.count, created };
}

/**
 * Creates the list `key` (missing: the caller deleted it) from an RDB file's or a DUMP payload's nodes: `nodes`
 * gives each node's element count, head first, and every node is kept as it is, not split again by the fill in
 * force (rdbLoadObject appends each listpack of a RDB_TYPE_LIST_QUICKLIST_2 as a node). Empty nodes are skipped.
 */
export function load(
  a: TableAccess,
  db: number,
  key: Bytes,
  elements: readonly Bytes[],
  nodes: readonly number[],
): void {
  a.writing(db, key, loadWork, elements, nodes);
}

const loadWork: WriteWork<readonly Bytes[], readonly number[], void> = (
  a,
  entry,
  shard,
  hash,
  key,
  elements,
  nodes,
) => {
  if (entry !== 0) throw new Error('a list is loaded only into a missing key');
  entry = storeContainerLocked(a, shard, hash, key, 0, EMPTY_ROOT, T_LIST, ENC_LIST_QUICKLIST);
  const list = listOf(a, entry, shard);
  try {
    let at = 0;
    for (const count of nodes) {
      if (count > 0) list.appendNode(elements.slice(at, at + count));
      at += count;
    }
  } catch (error) {
    a.table.remove(shard, entry); // out of memory part way: no half-loaded list is left behind
    throw error;
  }
  touchLocked(a, shard, hash);
};

// ---- Pops ----

/**
 * LPOP/RPOP: one element (count null) or up to count; null for a missing key. A count of 0 pops nothing and
 * leaves the key untouched (popGenericCommand's fast exit).
 */
export function pop(
  a: TableAccess,
  db: number,
  key: Bytes,
  end: ListEnd,
  count: number | null,
): PopResult | null {
  return a.writing(db, key, popWork, end, count);
}

const popWork: WriteWork<ListEnd, number | null, PopResult | null> = (
  a,
  entry,
  shard,
  hash,
  _key,
  end,
  count,
) => popLocked(a, entry, shard, hash, end, count ?? 1);

/** Pops up to `count` elements of the list in entry (its key's write lock held); null for entry 0. */
export function popLocked(
  a: TableAccess,
  entry: number,
  shard: number,
  hash: number,
  end: ListEnd,
  count: number,
): PopResult | null {
  const list = existingList(a, entry, shard);
  if (list === null) return null;
  const n = Math.min(count, list.count);
  if (n === 0) return { elements: [], deleted: false };
  const elements = new Array<Buffer>(n);
  for (let i = 0; i < n; i++) elements[i] = (end === 'left' ? list.popHead() : list.popTail()) as Buffer;
  const deleted = list.count === 0;
  if (deleted) a.table.remove(shard, entry);
  touchLocked(a, shard, hash);
  return { elements, deleted };
}

/** LMPOP: pops up to count from the first non-empty list of keys (all locked at one instant); null if none. */
export function multiPop(
  a: TableAccess,
  db: number,
  keys: readonly Bytes[],
  end: ListEnd,
  count: number,
): MultiPopResult | null {
  return a.withKeys(db, keys, true, (access, database, hashes, names) => {
    for (let i = 0; i < names.length; i++) {
      const shard = access.shardOf(database, hashes[i]);
      const entry = access.findLiveLocked(shard, hashes[i], names[i]);
      if (entry === 0) continue;
      const result = popLocked(access, entry, shard, hashes[i], end, count);
      if (result !== null) return { ...result, index: i };
    }
    return null;
  });
}

/**
 * LMOVE source destination: pops from source's `from` end and pushes to destination's `to` end at one instant;
 * null when source is missing. Source's type is checked before destination's, as lmoveGenericCommand does.
 */
export function move(
  a: TableAccess,
  db: number,
  source: Bytes,
  destination: Bytes,
  from: ListEnd,
  to: ListEnd,
): MoveResult | null {
  return a.withKeys(db, [source, destination], true, (access, database, hashes, keys) =>
    moveLocked(access, database, hashes, keys, from, to),
  );
}

/** LMOVE's body with both keys' write locks held (hashes: the keys' hashes, source first). */
export function moveLocked(
  a: TableAccess,
  db: number,
  hashes: readonly number[],
  keys: readonly Bytes[],
  from: ListEnd,
  to: ListEnd,
): MoveResult | null {
  const sourceShard = a.shardOf(db, hashes[0]);
  const sourceEntry = a.findLiveLocked(sourceShard, hashes[0], keys[0]);
  const source = existingList(a, sourceEntry, sourceShard);
  if (source === null) return null;
  const destinationShard = a.shardOf(db, hashes[1]);
  const destinationEntry = a.findLiveLocked(destinationShard, hashes[1], keys[1]);
  if (destinationEntry !== 0) requireType(a.table, destinationEntry, T_LIST);
  if (destinationEntry === sourceEntry) {
    // The same list: a rotation, never empty in between (so never deleted).
    const value = (from === 'left' ? source.popHead() : source.popTail()) as Buffer;
    if (to === 'left') source.pushHead(value);
    else source.pushTail(value);
    touchLocked(a, sourceShard, hashes[0]);
    return { value, created: false, deleted: false };
  }
  // Pushed before the pop, so a refused allocation (OOM) leaves the source as it was.
  const value = from === 'left' ? readEnd(source, true) : readEnd(source, false);
  const pushed = pushLocked(a, destinationEntry, destinationShard, hashes[1], keys[1], [value], to, false);
  if (from === 'left') source.popHead();
  else source.popTail();
  const deleted = source.count === 0;
  if (deleted) a.table.remove(sourceShard, sourceEntry);
  touchLocked(a, sourceShard, hashes[0]);
  return { value, created: pushed.created, deleted };
}

function readEnd(list: Quicklist, head: boolean): Buffer {
  if (head) list.seekHead();
  else list.seekTail();
  return list.current();
}

// ---- Reads ----

export function length(a: TableAccess, db: number, key: Bytes): number {
  return a.reading(db, key, lengthLocked);
}

function lengthLocked(a: TableAccess, entry: number): number {
  if (entry === 0) return 0;
  requireType(a.table, entry, T_LIST);
  a.table.touch(entry);
  return listCount(a.arena, a.table.valueStart(entry));
}

/** A read lookup of a list: null for a missing key, WRONGTYPE for another type. */
function readList(a: TableAccess, entry: number): Quicklist | null {
  if (entry === 0) return null;
  requireType(a.table, entry, T_LIST);
  a.table.touch(entry);
  return new Quicklist(a.arena, 0, a.table.valueStart(entry)); // read-only: allocates nothing
}

/** Clamps LRANGE/LTRIM's start and stop to the list (t_list.c addListRangeReply): [start, count], or null if empty. */
function clampRange(length: number, start: number, stop: number): [number, number] | null {
  if (start < 0) start = length + start;
  if (stop < 0) stop = length + stop;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return null;
  if (stop >= length) stop = length - 1;
  return [start, stop - start + 1];
}

/** Each node's element count, head first (where DUMP splits the list): null for a missing key. */
export function nodeCounts(a: TableAccess, db: number, key: Bytes): number[] | null {
  return a.reading(db, key, (ra: TableAccess, entry: number) => readList(ra, entry)?.nodeCounts() ?? null);
}

/** LRANGE: null for a missing key. */
export function range(a: TableAccess, db: number, key: Bytes, start: number, stop: number): Buffer[] | null {
  return a.reading(db, key, rangeLocked, start, stop);
}

function rangeLocked(a: TableAccess, entry: number, start: number, stop: number): Buffer[] | null {
  const list = readList(a, entry);
  if (list === null) return null;
  const span = clampRange(list.count, start, stop);
  if (span === null) return [];
  list.seek(span[0]);
  return list.read(span[1]);
}

/** LINDEX: the element, null past either end, or 'missing' for a missing key. */
export function index(a: TableAccess, db: number, key: Bytes, at: number): Buffer | null | 'missing' {
  return a.reading(db, key, indexLocked, at, undefined);
}

function indexLocked(a: TableAccess, entry: number, at: number): Buffer | null | 'missing' {
  const list = readList(a, entry);
  if (list === null) return 'missing';
  const position = at < 0 ? list.count + at : at;
  if (position < 0 || position >= list.count) return null;
  list.seek(position);
  return list.current();
}

/** LPOS: the matching indexes; null for a missing key. */
export function positions(
  a: TableAccess,
  db: number,
  key: Bytes,
  element: Bytes,
  query: PositionQuery,
): number[] | null {
  return a.reading(db, key, positionsLocked, element, query);
}

/** lposCommand's walk. */
function positionsLocked(
  a: TableAccess,
  entry: number,
  element: Bytes,
  query: PositionQuery,
): number[] | null {
  const list = readList(a, entry);
  if (list === null) return null;
  const length = list.count;
  const out: number[] = [];
  if (query.fromTail) list.seekTail();
  else list.seekHead();
  let matches = 0;
  for (let walked = 0; list.node !== 0 && (query.maxLength === 0 || walked < query.maxLength); walked++) {
    if (list.currentEquals(element)) {
      matches++;
      if (matches >= query.rank) {
        out.push(query.fromTail ? length - walked - 1 : walked);
        if (query.count === -1) break;
        if (query.count > 0 && matches - query.rank + 1 >= query.count) break;
      }
    }
    if (!(query.fromTail ? list.retreat() : list.advance())) break;
  }
  return out;
}

// ---- Writes inside a list ----

export function set(a: TableAccess, db: number, key: Bytes, at: number, value: Bytes): ListSetResult {
  return a.writing(db, key, setWork, at, value);
}

const setWork: WriteWork<number, Bytes, ListSetResult> = (a, entry, shard, hash, _key, at, value) => {
  const list = existingList(a, entry, shard);
  if (list === null) return 'missing';
  const position = at < 0 ? list.count + at : at;
  if (position < 0 || position >= list.count) return 'out of range';
  list.seek(position);
  list.replaceCurrent(value);
  touchLocked(a, shard, hash);
  return 'ok';
};

/** LINSERT: the new length, -1 if the pivot is not found, 0 for a missing key. */
export function insert(
  a: TableAccess,
  db: number,
  key: Bytes,
  after: boolean,
  pivot: Bytes,
  value: Bytes,
): number {
  return a.writing(db, key, insertWork, { after, pivot }, value);
}

const insertWork: WriteWork<{ after: boolean; pivot: Bytes }, Bytes, number> = (
  a,
  entry,
  shard,
  hash,
  _key,
  where,
  value,
) => {
  const list = existingList(a, entry, shard);
  if (list === null) return 0;
  for (list.seekHead(); list.node !== 0;) {
    if (list.currentEquals(where.pivot)) {
      list.insertAtCursor(value, where.after);
      touchLocked(a, shard, hash);
      return list.count;
    }
    if (!list.advance()) break;
  }
  return -1;
};

/** LREM: removes up to |count| matches (all if 0), from the tail when count < 0. */
export function remove(a: TableAccess, db: number, key: Bytes, count: number, value: Bytes): RemovalResult {
  return a.writing(db, key, removeWork, count, value);
}

const removeWork: WriteWork<number, Bytes, RemovalResult> = (a, entry, shard, hash, _key, count, value) => {
  const list = existingList(a, entry, shard);
  if (list === null) return { removed: 0, deleted: false };
  const forward = count >= 0;
  const limit = Math.abs(count);
  let removed = 0;
  let more = true;
  if (forward) list.seekHead();
  else list.seekTail();
  while (more && list.node !== 0) {
    if (list.currentEquals(value)) {
      more = list.deleteCurrent(forward);
      removed++;
      if (limit !== 0 && removed === limit) break;
    } else {
      more = forward ? list.advance() : list.retreat();
    }
  }
  if (removed > 0) touchLocked(a, shard, hash);
  const deleted = list.count === 0;
  if (deleted) a.table.remove(shard, entry);
  return { removed, deleted };
};

/** LTRIM: keeps [start, stop] (ltrimCommand's clamping); WATCH sees even a trim that removes nothing. */
export function trim(a: TableAccess, db: number, key: Bytes, start: number, stop: number): TrimResult {
  return a.writing(db, key, trimWork, start, stop);
}

const trimWork: WriteWork<number, number, TrimResult> = (a, entry, shard, hash, _key, start, stop) => {
  const list = existingList(a, entry, shard);
  if (list === null) return 'missing';
  const length = list.count;
  const span = clampRange(length, start, stop);
  const [left, right] = span === null ? [length, 0] : [span[0], length - span[0] - span[1]];
  list.deleteHead(left);
  list.deleteTail(right);
  touchLocked(a, shard, hash);
  if (list.count > 0) return { outcome: 'kept', removed: left + right };
  a.table.remove(shard, entry);
  return { outcome: 'deleted', removed: left + right };
};
