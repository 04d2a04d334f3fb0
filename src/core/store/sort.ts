// SORT and SORT_RO over the store (Redis 7.0's sort.c sortCommandGeneric after its parse): the sorted key's
// elements loaded as Redis loads them (a list or a sorted set read in its own order, only LIMIT's range, when
// there is nothing to sort), weights looked up by the BY pattern, the sort (sort/order.ts), the GET lookups,
// and for STORE the destination replaced by the result as a list, or deleted when it is empty. All of it at one
// instant: a line whose patterns name keys from the elements holds every segment's lock (reads, or writes with
// STORE), as KEYS does; otherwise only the key's and the destination's. A listpack sorted set is first turned
// into a skip list under its own write lock, as Redis converts it. Knows no command syntax.

import type { TableAccess, WriteWork } from './access.js';
import { valueEncoding, valueType } from './containers.js';
import { fieldValueCopy } from './hash-fields.js';
import { ENC_ZSET_LISTPACK, T_HASH, T_LIST, T_SET, T_STRING, T_ZSET } from './layout.js';
import { pushLocked } from './lists.js';
import { Quicklist } from './quicklist.js';
import { setMembers, setSize } from './set-object.js';
import type { Bytes } from './types.js';
import { touchLocked } from './watch.js';
import { openZset, ZsetWriter } from './zset-writer.js';
import { rangeOf } from './zsets.js';
import { CommandError, ERR } from '../errors.js';
import { limitRange, numericWeight, patternTarget, sortComparator, type SortItem } from '../sort/order.js';
import type { SortRequest } from '../sort/request.js';

export type SortOutcome =
  /** "One or more scores can't be converted into double". */
  | { readonly kind: 'notDouble'; readonly lookups: Lookup[] }
  /** Without STORE: the elements, or with GET each GET's value (null: missing) per element. */
  | { readonly kind: 'rows'; readonly rows: (Buffer | null)[]; readonly lookups: Lookup[] }
  /** STORE: the destination's length now; whether it existed before (`new` event) and whether it was deleted. */
  | {
      readonly kind: 'stored';
      readonly length: number;
      readonly existed: boolean;
      readonly lookups: Lookup[];
    };

/** A read lookup made (the sorted key, each pattern's key): a keyspace hit or miss each, as lookupKeyRead. */
export interface Lookup {
  readonly key: Buffer;
  readonly found: boolean;
}

/** SORT key with `request` (parsed by sort/request.ts) in logical database `db`. */
export function sort(
  a: TableAccess,
  db: number,
  key: Bytes,
  request: SortRequest,
  patterns: boolean,
): SortOutcome {
  const write = request.store !== null;
  const keys = request.store === null ? [key] : [key, request.store];
  for (;;) {
    const outcome = patterns
      ? a.withAllSegments(write, () => sortLocked(a, db, key, request))
      : a.withKeys(db, keys, write, (a2, db2) => sortLocked(a2, db2, key, request));
    if (outcome !== CONVERT_FIRST) return outcome;
    // Rarely taken (a sorted set's first SORT): its own write lock, then the sort again from the start.
    a.writing(db, key, convertForSort, undefined);
  }
}

/** sortLocked found a listpack sorted set: it is converted (convertForSort) before anything is read. */
const CONVERT_FIRST = Symbol('convert the sorted set first');

/**
 * zsetConvert(sortval, OBJ_ENCODING_SKIPLIST): Redis turns a listpack sorted set it sorts into a skip list for
 * good (OBJECT ENCODING shows it after, SORT_RO's too). Not a change of its contents: no WATCH or event sees it.
 */
const convertForSort: WriteWork<undefined, undefined, void> = (a, entry, shard, hash, key) => {
  if (entry === 0 || valueType(a.table, entry) !== T_ZSET) return;
  if (valueEncoding(a.table, entry) !== ENC_ZSET_LISTPACK) return;
  const writer = ZsetWriter.open(a, shard, hash, key, entry);
  writer.convertToSkiplist();
  writer.finish();
};

function lookupEntry(a: TableAccess, db: number, key: Bytes, lookups: Lookup[]): number {
  const hash = a.hash(key);
  const entry = a.lookupLocked(a.shardOf(db, hash), hash, key);
  lookups.push({ key: Buffer.from(key), found: entry !== 0 });
  if (entry !== 0) a.table.touch(entry);
  return entry;
}

/** lookupKeyByPattern: the element, a string key's value or a hash field's; null when missing or another type. */
function byPattern(
  a: TableAccess,
  db: number,
  pattern: Buffer,
  element: Buffer,
  lookups: Lookup[],
): Buffer | null {
  const target = patternTarget(pattern, element);
  if (target === null) return null;
  if (target.kind === 'self') return element;
  const entry = lookupEntry(a, db, target.key, lookups);
  if (entry === 0) return null;
  if (target.kind === 'field') {
    return valueType(a.table, entry) === T_HASH ? fieldValueCopy(a, entry, target.field) : null;
  }
  return valueType(a.table, entry) === T_STRING ? a.table.valueBuffer(entry) : null;
}

interface Loaded {
  readonly elements: Buffer[];
  /** The output range within elements. */
  readonly start: number;
  readonly end: number;
}

/** The vector Redis loads, and the range to output (a list or sorted set not sorted: only that range, in order). */
function load(a: TableAccess, entry: number, type: number, request: SortRequest, dontsort: boolean): Loaded {
  const length =
    entry === 0
      ? 0
      : type === T_LIST
        ? new Quicklist(a.arena, 0, a.table.valueStart(entry)).count
        : type === T_SET
          ? setSize(a, entry)
          : openZset(a, entry, -1).length;
  const { start, end } = limitRange(length, request.limitStart, request.limitCount);
  if (entry === 0) return { elements: [], start, end };
  const direct = dontsort && type !== T_SET;
  if (type === T_LIST) {
    const list = new Quicklist(a.arena, 0, a.table.valueStart(entry));
    if (!direct) {
      list.seek(0);
      return { elements: list.read(length), start, end };
    }
    if (end < start) return { elements: [], start: 0, end: -1 };
    const count = end - start + 1;
    list.seek(request.desc ? length - 1 - end : start);
    const elements = list.read(count);
    if (request.desc) elements.reverse();
    return { elements, start: 0, end: count - 1 };
  }
  if (type === T_SET) return { elements: setMembers(a, entry), start, end };
  const zset = openZset(a, entry, -1);
  if (!direct) {
    const all = rangeOf(zset, { by: 'rank', start: 0, end: length - 1, reverse: false });
    return { elements: all.map((m) => m.member), start, end };
  }
  if (end < start) return { elements: [], start: 0, end: -1 };
  const range = rangeOf(zset, { by: 'rank', start, end, reverse: request.desc });
  return { elements: range.map((m) => m.member), start: 0, end: range.length - 1 };
}

function sortLocked(
  a: TableAccess,
  db: number,
  key: Bytes,
  request: SortRequest,
): SortOutcome | typeof CONVERT_FIRST {
  const lookups: Lookup[] = [];
  const entry = lookupEntry(a, db, key, lookups);
  const type = entry === 0 ? T_LIST : valueType(a.table, entry);
  if (type !== T_LIST && type !== T_SET && type !== T_ZSET) throw new CommandError(ERR.wrongType);
  if (type === T_ZSET && valueEncoding(a.table, entry) === ENC_ZSET_LISTPACK) return CONVERT_FIRST;
  let { dontsort, alpha, by } = request;
  // A set has no order of its own: with STORE its elements are sorted (ALPHA) so the stored list is the same
  // on a replica or on replay.
  if (dontsort && type === T_SET && request.store !== null) {
    dontsort = false;
    alpha = true;
    by = null;
  }
  const { elements, start, end } = load(a, entry, type, request, dontsort);
  const items: SortItem[] = elements.map((element) => ({ element, score: 0, cmp: null }));
  if (!dontsort) {
    let notDouble = false;
    for (const item of items) {
      const value = by === null ? item.element : byPattern(a, db, by, item.element, lookups);
      if (value === null) continue;
      if (alpha) {
        if (by !== null) item.cmp = value;
      } else {
        const score = numericWeight(value);
        if (score === null) notDouble = true;
        else item.score = score;
      }
    }
    if (notDouble) return { kind: 'notDouble', lookups };
    items.sort(
      sortComparator({ desc: request.desc, alpha, byPattern: by !== null, store: request.store !== null }),
    );
  }
  const rows: (Buffer | null)[] = [];
  for (let j = start; j <= end; j++) {
    const element = items[j].element;
    if (request.gets.length === 0) rows.push(element);
    for (const pattern of request.gets) rows.push(byPattern(a, db, pattern, element, lookups));
  }
  if (request.store === null) return { kind: 'rows', rows, lookups };
  return storeLocked(a, db, request.store, rows, lookups);
}

const EMPTY = Buffer.alloc(0);

/** setKey of the result as a list (its TTL gone), or dbDelete of the destination when the result is empty. */
function storeLocked(
  a: TableAccess,
  db: number,
  destination: Buffer,
  rows: (Buffer | null)[],
  lookups: Lookup[],
): SortOutcome {
  const hash = a.hash(destination);
  const shard = a.shardOf(db, hash);
  const existing = a.findLiveLocked(shard, hash, destination);
  if (existing !== 0) a.table.remove(shard, existing);
  if (rows.length > 0) {
    const elements = rows.map((row) => row ?? EMPTY);
    pushLocked(a, 0, shard, hash, destination, elements, 'right', false);
  } else if (existing !== 0) {
    touchLocked(a, shard, hash);
  }
  return { kind: 'stored', length: rows.length, existed: existing !== 0, lookups };
}
