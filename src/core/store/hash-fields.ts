// The field-level steps every hash operation is made of (t_hash.c's hashType* functions), across both encodings,
// with the key's segment lock held by the caller (hashes.ts, hash-random-scan.ts): finding a field's value,
// setting one (converting a listpack to a hashtable where Redis does: hash-table.ts), creating the hash for a
// write. Knows the encodings; no commands, no locking.

import type { TableAccess } from './access.js';
import { spliceValueLocked } from './container-bytes.js';
import { requireType, T_HASH, valueEncoding } from './containers.js';
import { dictFind, dictSet, nodeValueLength, nodeValueStart, nodeValueView } from './dict.js';
import {
  elementBytes,
  elementView,
  findListpackField,
  listpackFields,
  skipElement,
  writeElement,
} from './hash-listpack.js';
import { convertToTableLocked } from './hash-table.js';
import {
  ENC_HASH_HASHTABLE,
  ENC_HASH_LISTPACK,
  H_HASH_MAX_LISTPACK_ENTRIES,
  H_HASH_MAX_LISTPACK_VALUE,
} from './layout.js';
import { EMPTY_LISTPACK, elementLength, elementStart, nextElement } from './listpack.js';
import { bufferFromShared } from './shared-copy.js';
import type { Bytes } from './types.js';
import { storeContainerLocked, writeBytes } from './values.js';

/**
 * hashTypeLookupWriteOrCreate, then hashTypeSet of each pair: the fields that were new. A key this creates is
 * removed again if the arena refuses its first field (OOM), so no empty hash is left behind.
 */
export function setFieldsLocked(
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

/** A read lookup found a hash (touched now), or nothing; WRONGTYPE for another type. */
export function readable(a: TableAccess, entry: number): boolean {
  if (entry === 0) return false;
  requireType(a.table, entry, T_HASH);
  a.table.touch(entry);
  return true;
}

/** hashTypeLookupWriteOrCreate: the hash (already type-checked) or a new empty one under key. */
export function lookupWriteOrCreateLocked(
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

export function fieldsAreTable(a: TableAccess, entry: number): boolean {
  return valueEncoding(a.table, entry) === ENC_HASH_HASHTABLE;
}

/**
 * A copy of the field's value, or null: HGET's and HMGET's path, which copies short values byte by byte (a
 * subarray view and Buffer.from of it cost HGET about as much as the rest of the command: node --cpu-prof).
 */
export function fieldValueCopy(a: TableAccess, entry: number, field: Bytes): Buffer | null {
  const u8 = a.arena.u8;
  const at = a.table.valueStart(entry);
  let start: number;
  let length: number;
  if (fieldsAreTable(a, entry)) {
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
  return bufferFromShared(u8, start, length);
}

/** The field's value as a view (valid until the next allocation), or null. */
export function fieldValueView(a: TableAccess, entry: number, field: Bytes): Uint8Array | null {
  const at = a.table.valueStart(entry);
  if (fieldsAreTable(a, entry)) {
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
export function setFieldLocked(
  a: TableAccess,
  shard: number,
  hash: number,
  key: Bytes,
  entry: number,
  field: Bytes,
  value: Bytes,
): FieldSet {
  if (!fieldsAreTable(a, entry)) {
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
export function addToCount(a: TableAccess, entry: number, delta: number): void {
  const at = a.table.valueStart(entry);
  const u8 = a.arena.u8;
  const count = (u8[at] | (u8[at + 1] << 8) | (u8[at + 2] << 16) | (u8[at + 3] << 24)) + delta;
  u8[at] = count & 0xff;
  u8[at + 1] = (count >>> 8) & 0xff;
  u8[at + 2] = (count >>> 16) & 0xff;
  u8[at + 3] = (count >>> 24) & 0xff;
}
