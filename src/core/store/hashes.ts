// The hash operations of the store, with Redis 7.0's semantics (t_hash.c): HSET/HMSET, HSETNX, HGET/HMGET,
// HDEL, HEXISTS, HLEN, HSTRLEN, HKEYS/HVALS/HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN. Each runs its
// *Locked body under its key's segment lock through access.ts, as strings.ts does; a write touches WATCH, and a
// hash emptied by HDEL is deleted (Redis never keeps an empty one). Small hashes are a listpack in the entry's own
// bytes (hash-listpack.ts), edited in place (container-bytes.ts); past Redis's thresholds one converts to a
// hashtable (hash-table.ts over dict.ts), never back. Knows no command syntax and no replies.

import { parseInt64 } from '../args.js';
import { CommandError, ERR } from '../errors.js';
import { addLongDouble } from '../long-double/add.js';
import { ld2stringHuman, string2ld } from '../long-double/redis-text.js';
import { ZERO, type LongDouble } from '../long-double/value.js';
import type { TableAccess, WriteWork } from './access.js';
import { spliceValueLocked } from './container-bytes.js';
import { requireType, T_HASH, valueEncoding } from './containers.js';
import {
  dictCount,
  dictDelete,
  dictFind,
  dictSet,
  nodeValueLength,
  nodeValueStart,
  nodeValueView,
} from './dict.js';
import {
  elementBytes,
  elementView,
  findListpackField,
  listpackFields,
  listpackPairs,
  skipElement,
  writeElement,
} from './hash-listpack.js';
import { convertToTableLocked, tablePairs, tableRandom, tableScan } from './hash-table.js';
import {
  ENC_HASH_HASHTABLE,
  ENC_HASH_LISTPACK,
  H_HASH_MAX_LISTPACK_ENTRIES,
  H_HASH_MAX_LISTPACK_VALUE,
} from './layout.js';
import { EMPTY_LISTPACK, elementLength, elementStart, LISTPACK_HEADER, nextElement } from './listpack.js';
import type { Bytes } from './types.js';
import { storeContainerLocked, writeBytes } from './values.js';
import { touchLocked } from './watch.js';

/** t_hash.c's error replies (the rest are shared: ERR.overflow, ERR.nanOrInfinity). */
export const HASH_ERR = {
  notInteger: 'ERR hash value is not an integer',
  notFloat: 'ERR hash value is not a float',
  incrementNotFinite: 'ERR value is NaN or Infinity',
} as const;

/** HDEL's outcome: fields deleted, and whether that emptied the hash, so the key went (a `del` event). */
export interface HashDeleteResult {
  readonly deleted: number;
  readonly keyRemoved: boolean;
}

/** HRANDFIELD's picks: fields, and their values when asked for (same length and order). */
export interface HashRandomResult {
  readonly fields: Buffer[];
  readonly values: Buffer[] | null;
}

/** One HSCAN step: the next cursor ('0': done) and field, value, field, value, ... */
export interface HashScanResult {
  readonly cursor: string;
  readonly items: Buffer[];
}

/** Which parts of every pair HKEYS, HVALS and HGETALL want. */
export type HashParts = 'fields' | 'values' | 'both';

// ---- Writes ----

export function hset(a: TableAccess, db: number, key: Bytes, pairs: readonly Bytes[]): number {
  return a.writing(db, key, hsetLocked, pairs);
}

/** hsetCommand: fields are set in order (a field named twice takes its last value); new fields counted. */
const hsetLocked: WriteWork<readonly Bytes[], undefined, number> = (a, entry, shard, hash, key, pairs) => {
  const created = setFieldsLocked(a, entry, shard, hash, key, pairs);
  touchLocked(a, shard, hash);
  return created;
};

/**
 * hashTypeLookupWriteOrCreate, then hashTypeSet of each pair: the fields that were new. A key this creates is
 * removed again if the arena refuses its first field (OOM), so no empty hash is left behind.
 */
function setFieldsLocked(
  a: TableAccess,
  entry: number,
  shard: number,
  hash: number,
  key: Bytes,
  pairs: readonly Bytes[],
): number {
  const creating = entry === 0;
  entry = lookupWriteOrCreateLocked(a, entry, shard, hash, key);
  let created = 0;
  try {
    for (let i = 0; i < pairs.length; i += 2) {
      const set = setFieldLocked(a, shard, hash, key, entry, pairs[i], pairs[i + 1]);
      entry = set.entry;
      if (set.created) created++;
    }
  } catch (error) {
    if (creating && created === 0) {
      // Found again: a conversion may have moved the new hash to another entry before the field failed.
      const current = a.table.find(shard, hash, key);
      if (current !== 0) a.table.remove(shard, current);
    }
    throw error;
  }
  return created;
}

export function hsetnx(a: TableAccess, db: number, key: Bytes, field: Bytes, value: Bytes): boolean {
  return a.writing(db, key, hsetnxLocked, field, value);
}

/** hsetnxCommand: the field is set only if missing (a missing key is created with it). */
const hsetnxLocked: WriteWork<Bytes, Bytes, boolean> = (a, entry, shard, hash, key, field, value) => {
  if (entry !== 0) {
    requireType(a.table, entry, T_HASH);
    if (fieldValueView(a, entry, field) !== null) return false;
  }
  setFieldsLocked(a, entry, shard, hash, key, [field, value]);
  touchLocked(a, shard, hash);
  return true;
};

export function hdel(a: TableAccess, db: number, key: Bytes, fields: readonly Bytes[]): HashDeleteResult {
  return a.writing(db, key, hdelLocked, fields);
}

/** hdelCommand: the fields present are deleted; the key goes with the last field. */
const hdelLocked: WriteWork<readonly Bytes[], undefined, HashDeleteResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  fields,
) => {
  if (entry === 0) return { deleted: 0, keyRemoved: false };
  requireType(a.table, entry, T_HASH);
  if (valueEncoding(a.table, entry) === ENC_HASH_HASHTABLE)
    return tableDeleteLocked(a, entry, shard, hash, fields);
  let deleted = 0;
  let keyRemoved = false;
  for (const field of fields) {
    const at = a.table.valueStart(entry);
    const pos = findListpackField(a.arena.u8, at, field);
    if (pos < 0) continue;
    deleted++;
    if (listpackFields(a.arena.u8, at) === 1) {
      a.table.remove(shard, entry);
      keyRemoved = true;
      break;
    }
    const end = nextElement(a.arena.u8, nextElement(a.arena.u8, pos));
    entry = spliceValueLocked(a, shard, key, entry, pos - at, end - pos, EMPTY_BYTES);
    addToCount(a, entry, -2);
  }
  if (deleted > 0) touchLocked(a, shard, hash);
  return { deleted, keyRemoved };
};

/** hdelCommand on a hashtable. */
function tableDeleteLocked(
  a: TableAccess,
  entry: number,
  shard: number,
  hash: number,
  fields: readonly Bytes[],
): HashDeleteResult {
  const root = a.table.valueStart(entry);
  const segment = a.table.segmentOf(shard);
  let deleted = 0;
  let keyRemoved = false;
  for (const field of fields) {
    if (!dictDelete(a.arena, segment, root, field)) continue;
    deleted++;
    if (dictCount(a.arena, root) === 0) {
      a.table.remove(shard, entry);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) touchLocked(a, shard, hash);
  return { deleted, keyRemoved };
}

export function hincrBy(a: TableAccess, db: number, key: Bytes, field: Bytes, delta: bigint): bigint {
  return a.writing(db, key, hincrByLocked, field, delta);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** hincrbyCommand: a missing field counts as 0; the value must be an int64 (string2ll) and stay one. */
const hincrByLocked: WriteWork<Bytes, bigint, bigint> = (a, entry, shard, hash, key, field, delta) => {
  if (entry !== 0) requireType(a.table, entry, T_HASH);
  const current = entry === 0 ? null : fieldValueView(a, entry, field);
  let value = 0n;
  if (current !== null) {
    const parsed = current.length <= 20 ? parseInt64(current) : null;
    if (parsed === null) throw new CommandError(HASH_ERR.notInteger);
    value = parsed;
  }
  const result = value + delta;
  if (result < INT64_MIN || result > INT64_MAX) throw new CommandError(ERR.overflow);
  setFieldsLocked(a, entry, shard, hash, key, [field, Buffer.from(result.toString(), 'latin1')]);
  touchLocked(a, shard, hash);
  return result;
};

export function hincrByFloat(
  a: TableAccess,
  db: number,
  key: Bytes,
  field: Bytes,
  delta: LongDouble,
): Buffer {
  return a.writing(db, key, hincrByFloatLocked, field, delta);
}

/**
 * hincrbyfloatCommand: in long double as Redis (x87 addition, then ld2string LD_STR_HUMAN); a missing field
 * counts as 0. The increment's own NaN/Infinity check is the command's, before the key is looked at.
 */
const hincrByFloatLocked: WriteWork<Bytes, LongDouble, Buffer> = (
  a,
  entry,
  shard,
  hash,
  key,
  field,
  delta,
) => {
  if (entry !== 0) requireType(a.table, entry, T_HASH);
  const current = entry === 0 ? null : fieldValueView(a, entry, field);
  let value: LongDouble | null = null;
  if (current !== null) {
    value = string2ld(current);
    if (value === null) throw new CommandError(HASH_ERR.notFloat);
  }
  const sum = addLongDouble(value ?? ZERO, delta); // 0 + -0 is +0, as Redis's value = 0; value += incr
  if (sum.kind !== 'finite') throw new CommandError(ERR.nanOrInfinity);
  const text = Buffer.from(ld2stringHuman(sum), 'latin1');
  setFieldsLocked(a, entry, shard, hash, key, [field, text]);
  touchLocked(a, shard, hash);
  return text;
};

// ---- Reads (null: no such key) ----

export function hmget(
  a: TableAccess,
  db: number,
  key: Bytes,
  fields: readonly Bytes[],
): (Buffer | null)[] | null {
  return a.reading(db, key, hmgetLocked, fields, undefined);
}

function hmgetLocked(a: TableAccess, entry: number, fields: readonly Bytes[]): (Buffer | null)[] | null {
  if (!readable(a, entry)) return null;
  const values = new Array<Buffer | null>(fields.length);
  for (let i = 0; i < fields.length; i++) values[i] = fieldValueCopy(a, entry, fields[i]);
  return values;
}

/** HGET: the field's value, null for a missing field, undefined for a missing key. */
export function hget(a: TableAccess, db: number, key: Bytes, field: Bytes): Buffer | null | undefined {
  return a.reading(db, key, hgetLocked, field, undefined);
}

function hgetLocked(a: TableAccess, entry: number, field: Bytes): Buffer | null | undefined {
  return readable(a, entry) ? fieldValueCopy(a, entry, field) : undefined;
}

export function hexists(a: TableAccess, db: number, key: Bytes, field: Bytes): boolean | null {
  return a.reading(db, key, hexistsLocked, field, undefined);
}

function hexistsLocked(a: TableAccess, entry: number, field: Bytes): boolean | null {
  if (!readable(a, entry)) return null;
  return fieldValueView(a, entry, field) !== null;
}

export function hstrlen(a: TableAccess, db: number, key: Bytes, field: Bytes): number | null {
  return a.reading(db, key, hstrlenLocked, field, undefined);
}

function hstrlenLocked(a: TableAccess, entry: number, field: Bytes): number | null {
  if (!readable(a, entry)) return null;
  return fieldValueView(a, entry, field)?.length ?? 0;
}

/** HLEN: 0 for a missing key (a hash is never empty, so 0 also says the key is missing). */
export function hlen(a: TableAccess, db: number, key: Bytes): number {
  return a.reading(db, key, hlenLocked);
}

function hlenLocked(a: TableAccess, entry: number): number {
  if (!readable(a, entry)) return 0;
  const at = a.table.valueStart(entry);
  return isTable(a, entry) ? dictCount(a.arena, at) : listpackFields(a.arena.u8, at);
}

/** HKEYS, HVALS, HGETALL (field, value, ...): empty for a missing key. */
export function hgetall(a: TableAccess, db: number, key: Bytes, parts: HashParts): Buffer[] {
  return a.reading(db, key, hgetallLocked, parts, undefined);
}

function hgetallLocked(a: TableAccess, entry: number, parts: HashParts): Buffer[] {
  if (!readable(a, entry)) return [];
  const [fields, values] = [parts !== 'values', parts !== 'fields'];
  const at = a.table.valueStart(entry);
  return isTable(a, entry)
    ? tablePairs(a, at, fields, values)
    : listpackPairs(a.arena.u8, at, fields, values);
}

/**
 * HRANDFIELD with a count (t_hash.c hrandfieldWithCountCommand): `distinct` (a positive count) gives up to
 * `count` different fields, all of them in the hash's order when count >= its size; otherwise `count` picks,
 * each uniform and independent (repeats possible). Null for a missing key.
 */
export function hrandfield(
  a: TableAccess,
  db: number,
  key: Bytes,
  count: number,
  distinct: boolean,
  withValues: boolean,
  random: () => number = Math.random,
): HashRandomResult | null {
  return a.reading(db, key, hrandfieldLocked, { count, distinct, withValues, random }, undefined);
}

interface RandomRequest {
  readonly count: number;
  readonly distinct: boolean;
  readonly withValues: boolean;
  readonly random: () => number;
}

function hrandfieldLocked(a: TableAccess, entry: number, request: RandomRequest): HashRandomResult | null {
  if (!readable(a, entry)) return null;
  const u8 = a.arena.u8;
  const at = a.table.valueStart(entry);
  const { count, distinct, withValues, random } = request;
  if (isTable(a, entry)) return tableRandom(a, at, count, distinct, withValues, random);
  const size = listpackFields(u8, at);
  const fields: Buffer[] = [];
  const values: Buffer[] | null = withValues ? [] : null;
  const pick = (pos: number): void => {
    fields.push(Buffer.from(elementView(u8, pos)));
    values?.push(Buffer.from(elementView(u8, nextElement(u8, pos))));
  };
  if (!distinct || count === 1) {
    // Each pair copied out once, the picks sharing its buffers: a count of -100000 is not 100000 walks.
    const pairs = listpackPairs(u8, at, true, true);
    for (let i = 0; i < count; i++) {
      const picked = Math.floor(random() * size) * 2;
      fields.push(pairs[picked]);
      values?.push(pairs[picked + 1]);
    }
  } else if (count >= size) {
    for (let i = 0, pos = at + LISTPACK_HEADER; i < size; i++, pos = nextElement(u8, nextElement(u8, pos)))
      pick(pos);
  } else {
    // lpRandomPairsUnique: a uniform sample of `count` distinct pairs in listpack order (selection sampling).
    let wanted = count;
    for (
      let i = 0, pos = at + LISTPACK_HEADER;
      wanted > 0;
      i++, pos = nextElement(u8, nextElement(u8, pos))
    ) {
      if (random() * (size - i) < wanted) {
        pick(pos);
        wanted--;
      }
    }
  }
  return { fields, values };
}

/**
 * One HSCAN step (db.c scanGenericCommand): a listpack hash is returned whole with cursor 0, whatever the
 * cursor. MATCH keeps the pairs whose field matches. Null for a missing key.
 */
export function hscan(
  a: TableAccess,
  db: number,
  key: Bytes,
  cursor: string,
  count: number,
  match: ((field: Uint8Array) => boolean) | null,
): HashScanResult | null {
  return a.reading(db, key, hscanLocked, { cursor, count, match }, undefined);
}

interface ScanRequest {
  readonly cursor: string;
  readonly count: number;
  readonly match: ((field: Uint8Array) => boolean) | null;
}

function hscanLocked(a: TableAccess, entry: number, request: ScanRequest): HashScanResult | null {
  if (!readable(a, entry)) return null;
  const at = a.table.valueStart(entry);
  const step = isTable(a, entry)
    ? tableScan(a, at, request.cursor, request.count)
    : { cursor: '0', items: listpackPairs(a.arena.u8, at, true, true) };
  return { cursor: step.cursor, items: filterPairs(step.items, request.match) };
}

/** The field, value pairs whose field matches. */
function filterPairs(items: Buffer[], match: ((field: Uint8Array) => boolean) | null): Buffer[] {
  if (match === null) return items;
  const out: Buffer[] = [];
  for (let i = 0; i < items.length; i += 2) {
    if (match(items[i])) out.push(items[i], items[i + 1]);
  }
  return out;
}

// ---- Shared steps (the key's lock held) ----

const EMPTY_BYTES = new Uint8Array(0);

/** A read lookup found a hash (touched now), or nothing; WRONGTYPE for another type. */
function readable(a: TableAccess, entry: number): boolean {
  if (entry === 0) return false;
  requireType(a.table, entry, T_HASH);
  a.table.touch(entry);
  return true;
}

/** hashTypeLookupWriteOrCreate: the hash (already type-checked) or a new empty one under key. */
function lookupWriteOrCreateLocked(
  a: TableAccess,
  entry: number,
  shard: number,
  hash: number,
  key: Bytes,
): number {
  if (entry !== 0) {
    requireType(a.table, entry, T_HASH);
    return entry;
  }
  return storeContainerLocked(a, shard, hash, key, 0, EMPTY_LISTPACK, T_HASH, ENC_HASH_LISTPACK);
}

function isTable(a: TableAccess, entry: number): boolean {
  return valueEncoding(a.table, entry) === ENC_HASH_HASHTABLE;
}

/**
 * A copy of the field's value, or null: HGET's and HMGET's path, which copies short values byte by byte (a
 * subarray view and Buffer.from of it cost HGET about as much as the rest of the command: node --cpu-prof).
 */
function fieldValueCopy(a: TableAccess, entry: number, field: Bytes): Buffer | null {
  const u8 = a.arena.u8;
  const at = a.table.valueStart(entry);
  let start: number;
  let length: number;
  if (isTable(a, entry)) {
    const node = dictFind(a.arena, at, field);
    if (node === 0) return null;
    start = nodeValueStart(a.arena, node);
    length = nodeValueLength(a.arena, node);
  } else {
    const pos = findListpackField(u8, at, field);
    if (pos < 0) return null;
    const valuePos = skipElement(u8, pos);
    length = u8[valuePos];
    start = valuePos + 1;
    if (length >= 0x80) {
      length = elementLength(u8, valuePos);
      start = elementStart(u8, valuePos);
    }
  }
  const out = Buffer.allocUnsafe(length);
  if (length <= 64) for (let i = 0; i < length; i++) out[i] = u8[start + i];
  else out.set(u8.subarray(start, start + length));
  return out;
}

/** The field's value as a view (valid until the next allocation), or null. */
function fieldValueView(a: TableAccess, entry: number, field: Bytes): Uint8Array | null {
  const at = a.table.valueStart(entry);
  if (isTable(a, entry)) {
    const node = dictFind(a.arena, at, field);
    return node === 0 ? null : nodeValueView(a.arena, node);
  }
  const pos = findListpackField(a.arena.u8, at, field);
  return pos < 0 ? null : elementView(a.arena.u8, nextElement(a.arena.u8, pos));
}

interface FieldSet {
  /** The entry now holding the hash (the value may have moved to a larger block). */
  readonly entry: number;
  readonly created: boolean;
}

/**
 * hashTypeSet: the field's value replaced, or the pair added. A listpack converts to a hashtable first when the
 * field or value is longer than hash-max-listpack-value, and after a set that leaves it with more fields than
 * hash-max-listpack-entries.
 */
function setFieldLocked(
  a: TableAccess,
  shard: number,
  hash: number,
  key: Bytes,
  entry: number,
  field: Bytes,
  value: Bytes,
): FieldSet {
  if (!isTable(a, entry)) {
    // The thresholds are read as plain words (CONFIG SET stores them atomically; an int32 cannot tear): two
    // containerLimit calls cost HSET ~50 ns of its ~1.2 us in a profile of 3M HSETs (Atomics.load and a lookup
    // by name).
    const longest = a.control[H_HASH_MAX_LISTPACK_VALUE];
    if (field.length <= longest && value.length <= longest) {
      const set = setListpackFieldLocked(a, shard, key, entry, field, value);
      const most = a.control[H_HASH_MAX_LISTPACK_ENTRIES];
      // After an update too: a CONFIG SET may have lowered the threshold below the hash's size meanwhile.
      if (listpackFields(a.arena.u8, a.table.valueStart(set.entry)) <= most) return set;
      return { entry: convertToTableLocked(a, shard, hash, key, set.entry), created: set.created };
    }
    entry = convertToTableLocked(a, shard, hash, key, entry);
  }
  const { created } = dictSet(a.arena, a.table.segmentOf(shard), a.table.valueStart(entry), field, value);
  return { entry, created };
}

/** The field's value replaced in the listpack, or the pair appended. */
function setListpackFieldLocked(
  a: TableAccess,
  shard: number,
  key: Bytes,
  entry: number,
  field: Bytes,
  value: Bytes,
): FieldSet {
  const t = a.table;
  const at = t.valueStart(entry);
  const u8 = a.arena.u8;
  const pos = findListpackField(u8, at, field);
  if (pos >= 0) {
    const valuePos = skipElement(u8, pos);
    if (value.length < 0x80 && u8[valuePos] === value.length) {
      // Same length (HSET of a counter, a fixed-width value): overwritten where it is.
      writeBytes(a, valuePos + 1, value);
      return { entry, created: false };
    }
    const oldBytes = skipElement(u8, valuePos) - valuePos;
    const element = Buffer.allocUnsafe(elementBytes(value.length));
    writeElement(element, 0, value);
    return {
      entry: spliceValueLocked(a, shard, key, entry, valuePos - at, oldBytes, element),
      created: false,
    };
  }
  const pair = Buffer.allocUnsafe(elementBytes(field.length) + elementBytes(value.length));
  writeElement(pair, writeElement(pair, 0, field), value);
  entry = spliceValueLocked(a, shard, key, entry, t.valueLength(entry), 0, pair);
  addToCount(a, entry, 2);
  return { entry, created: true };
}

/** Adds to the listpack's element count. */
function addToCount(a: TableAccess, entry: number, delta: number): void {
  const at = a.table.valueStart(entry);
  const u8 = a.arena.u8;
  const count = (u8[at] | (u8[at + 1] << 8) | (u8[at + 2] << 16) | (u8[at + 3] << 24)) + delta;
  u8[at] = count & 0xff;
  u8[at + 1] = (count >>> 8) & 0xff;
  u8[at + 2] = (count >>> 16) & 0xff;
  u8[at + 3] = (count >>> 24) & 0xff;
}
