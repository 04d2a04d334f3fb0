// The hash operations of the store, with Redis 7.0's semantics (t_hash.c): HSET/HMSET, HSETNX, HGET/HMGET,
// HDEL, HEXISTS, HLEN, HSTRLEN, HKEYS/HVALS/HGETALL, HINCRBY, HINCRBYFLOAT (HRANDFIELD and HSCAN:
// hash-random-scan.ts; the field-level steps they share: hash-fields.ts). Each runs its
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
import { dictCount, dictDelete } from './dict.js';
import {
  addToCount,
  fieldsAreTable,
  fieldValueCopy,
  fieldValueView,
  readable,
  setFieldsLocked,
} from './hash-fields.js';
import { findListpackField, listpackFields, listpackPairs } from './hash-listpack.js';
import { tablePairs } from './hash-table.js';
import { ENC_HASH_HASHTABLE } from './layout.js';
import { nextElement } from './listpack.js';
import type { Bytes, RemovalResult } from './types.js';
import { touchLocked } from './watch.js';

export { hrandfield, hscan, type HashRandomResult, type HashScanResult } from './hash-random-scan.js';

/** t_hash.c's error replies (the rest are shared: ERR.overflow, ERR.nanOrInfinity). */
export const HASH_ERR = {
  notInteger: 'ERR hash value is not an integer',
  notFloat: 'ERR hash value is not a float',
  incrementNotFinite: 'ERR value is NaN or Infinity',
} as const;

/** Which parts of every pair HKEYS, HVALS and HGETALL want. */
export type HashParts = 'fields' | 'values' | 'both';

const EMPTY_BYTES = new Uint8Array(0);

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

export function hdel(a: TableAccess, db: number, key: Bytes, fields: readonly Bytes[]): RemovalResult {
  return a.writing(db, key, hdelLocked, fields);
}

/** hdelCommand: the fields present are deleted; the key goes with the last field. */
const hdelLocked: WriteWork<readonly Bytes[], undefined, RemovalResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  fields,
) => {
  if (entry === 0) return { removed: 0, deleted: false };
  requireType(a.table, entry, T_HASH);
  if (valueEncoding(a.table, entry) === ENC_HASH_HASHTABLE)
    return tableDeleteLocked(a, entry, shard, hash, fields);
  let removed = 0;
  let deleted = false;
  for (const field of fields) {
    const at = a.table.valueStart(entry);
    const pos = findListpackField(a.arena.u8, at, field);
    if (pos < 0) continue;
    removed++;
    if (listpackFields(a.arena.u8, at) === 1) {
      a.table.remove(shard, entry);
      deleted = true;
      break;
    }
    const end = nextElement(a.arena.u8, nextElement(a.arena.u8, pos));
    entry = spliceValueLocked(a, shard, key, entry, pos - at, end - pos, EMPTY_BYTES);
    addToCount(a, entry, -2);
  }
  if (removed > 0) touchLocked(a, shard, hash);
  return { removed, deleted };
};

/** hdelCommand on a hashtable. */
function tableDeleteLocked(
  a: TableAccess,
  entry: number,
  shard: number,
  hash: number,
  fields: readonly Bytes[],
): RemovalResult {
  const root = a.table.valueStart(entry);
  const segment = a.table.segmentOf(shard);
  let removed = 0;
  let deleted = false;
  for (const field of fields) {
    if (!dictDelete(a.arena, segment, root, field)) continue;
    removed++;
    if (dictCount(a.arena, root) === 0) {
      a.table.remove(shard, entry);
      deleted = true;
      break;
    }
  }
  if (removed > 0) touchLocked(a, shard, hash);
  return { removed, deleted };
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
  return fieldsAreTable(a, entry) ? dictCount(a.arena, at) : listpackFields(a.arena.u8, at);
}

/** HKEYS, HVALS, HGETALL (field, value, ...): empty for a missing key. */
export function hgetall(a: TableAccess, db: number, key: Bytes, parts: HashParts): Buffer[] {
  return a.reading(db, key, hgetallLocked, parts, undefined);
}

function hgetallLocked(a: TableAccess, entry: number, parts: HashParts): Buffer[] {
  if (!readable(a, entry)) return [];
  const [fields, values] = [parts !== 'values', parts !== 'fields'];
  const at = a.table.valueStart(entry);
  return fieldsAreTable(a, entry)
    ? tablePairs(a, at, fields, values)
    : listpackPairs(a.arena.u8, at, fields, values);
}
