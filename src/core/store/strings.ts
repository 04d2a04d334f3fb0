// Single-key string operations of the store: GET, SET, GETDEL, GETEX, APPEND, STRLEN, INCRBY, INCRBYFLOAT,
// GETRANGE, SETRANGE, with Redis's semantics (t_string.c). Each runs its *Locked body under its key's segment
// lock through access.ts (reading/writing); values are written through values.ts. Knows no command syntax
// and no memory layout.

import { CommandError, ERR } from '../errors.js';
import { ZERO, type LongDouble } from '../long-double/value.js';
import type { TableAccess, WriteWork } from './access.js';
import { requireString } from './containers.js';
import { OBJ_RAW, OBJ_STRING } from './layout.js';
import { addInt64, addLongDoubleText, storedInteger, storedLongDouble } from './numbers.js';
import type { Bytes, GetExChange, SetOptions, SetResult } from './types.js';
import { checkLength, KEEP_TTL, resizeLocked, setDeadlineLocked, storeLocked, writeBytes } from './values.js';
import { touchLocked } from './watch.js';

export function get(a: TableAccess, db: number, key: Bytes): Buffer | null {
  // Written out rather than through a.reading (which does the same): the hottest read, no work function.
  const hash = a.hash(key);
  const segment = hash & a.mask;
  let expired = false;
  let value: Buffer | null = null;
  a.lockRead(segment);
  try {
    const entry = a.table.find(a.shardOf(db, hash), hash, key);
    if (entry !== 0) {
      if (a.isExpired(entry)) expired = true;
      else {
        requireString(a.table, entry);
        a.table.touch(entry);
        value = a.table.valueBuffer(entry);
      }
    }
  } finally {
    a.locks.readRelease(segment);
  }
  if (expired) a.deleteIfExpired(db, key);
  return value;
}

export function set(a: TableAccess, db: number, key: Bytes, value: Bytes, options?: SetOptions): SetResult {
  return a.writing(db, key, setLocked, value, options);
}

// Results without an old value are shared: a plain SET allocates no result.
const WRITTEN: SetResult = Object.freeze({ written: true, old: null });
const NOT_WRITTEN: SetResult = Object.freeze({ written: false, old: null });

const setLocked: WriteWork<Bytes, SetOptions | undefined, SetResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  value,
  options,
) => {
  if (options?.returnOld) requireString(a.table, entry); // a plain SET replaces a value of any type
  const old = options?.returnOld && entry !== 0 ? a.table.valueBuffer(entry) : null;
  const condition = options?.condition;
  if ((condition === 'NX' && entry !== 0) || (condition === 'XX' && entry === 0))
    return old === null ? NOT_WRITTEN : { written: false, old };
  const at = options?.expireAt ?? (options?.keepTtl ? KEEP_TTL : 0);
  a.table.argumentStored(storeLocked(a, shard, hash, key, entry, value, at));
  touchLocked(a, shard, hash);
  return old === null ? WRITTEN : { written: true, old };
};

export function getDel(a: TableAccess, db: number, key: Bytes): Buffer | null {
  return a.writing(db, key, getDelLocked);
}

function getDelLocked(a: TableAccess, entry: number, shard: number, hash: number): Buffer | null {
  if (entry === 0) return null;
  requireString(a.table, entry);
  const value = a.table.valueBuffer(entry);
  a.table.remove(shard, entry);
  touchLocked(a, shard, hash);
  return value;
}

export function getEx(a: TableAccess, db: number, key: Bytes, change: GetExChange): Buffer | null {
  if (change === undefined) return get(a, db, key);
  return a.writing(db, key, getExLocked, change);
}

const getExLocked: WriteWork<NonNullable<GetExChange>, undefined, Buffer | null> = (
  a,
  entry,
  shard,
  hash,
  _key,
  change,
) => {
  if (entry === 0) return null;
  requireString(a.table, entry);
  const value = a.table.valueBuffer(entry);
  if (!('persist' in change)) setDeadlineLocked(a, shard, entry, change.expireAt);
  else if (a.table.expireAt(entry) !== 0) a.table.setExpireAt(shard, entry, 0);
  else return value; // t_string.c getexCommand: PERSIST of a key without a TTL modifies nothing
  touchLocked(a, shard, hash);
  return value;
};

export function append(a: TableAccess, db: number, key: Bytes, value: Bytes): number {
  return a.writing(db, key, appendLocked, value);
}

const appendLocked: WriteWork<Bytes, undefined, number> = (a, entry, shard, hash, key, value) => {
  requireString(a.table, entry);
  if (entry === 0) {
    checkLength(a, value.length);
    a.table.argumentStored(storeLocked(a, shard, hash, key, 0, value, 0));
    touchLocked(a, shard, hash);
    return value.length;
  }
  const length = a.table.valueLength(entry);
  checkLength(a, length + value.length);
  entry = resizeLocked(a, shard, key, entry, length, length + value.length);
  writeBytes(a, a.table.valueStart(entry) + length, value);
  a.table.setObject(entry, OBJ_RAW); // dbUnshareStringValue: raw from now on, even for a short value
  touchLocked(a, shard, hash); // even when appending nothing, as t_string.c appendCommand
  return length + value.length;
};

export function strlen(a: TableAccess, db: number, key: Bytes): number {
  return a.reading(db, key, strlenLocked);
}

function strlenLocked(a: TableAccess, entry: number): number {
  if (entry === 0) return 0;
  requireString(a.table, entry);
  a.table.touch(entry);
  return a.table.valueLength(entry);
}

export function incrBy(a: TableAccess, db: number, key: Bytes, delta: bigint): bigint {
  return a.writing(db, key, incrByLocked, delta);
}

const incrByLocked: WriteWork<bigint, undefined, bigint> = (a, entry, shard, hash, key, delta) => {
  requireString(a.table, entry);
  const current = entry === 0 ? 0n : storedInteger(a.table.valueView(entry));
  const result = addInt64(current, delta);
  storeLocked(a, shard, hash, key, entry, Buffer.from(result.toString(), 'latin1'), KEEP_TTL); // INCR keeps the TTL
  touchLocked(a, shard, hash);
  return result;
};

export function incrByFloat(a: TableAccess, db: number, key: Bytes, delta: LongDouble): Buffer {
  return a.writing(db, key, incrByFloatLocked, delta);
}

const incrByFloatLocked: WriteWork<LongDouble, undefined, Buffer> = (a, entry, shard, hash, key, delta) => {
  requireString(a.table, entry);
  const current = entry === 0 ? ZERO : storedLongDouble(a.table.valueView(entry));
  const text = Buffer.from(addLongDoubleText(current, delta), 'latin1');
  a.table.setObject(storeLocked(a, shard, hash, key, entry, text, KEEP_TTL), OBJ_STRING); // never int
  touchLocked(a, shard, hash);
  return text;
};

export function getRange(a: TableAccess, db: number, key: Bytes, start: number, end: number): Buffer {
  return a.reading(db, key, getRangeLocked, start, end);
}

/** t_string.c getrangeCommand, step by step. */
function getRangeLocked(a: TableAccess, entry: number, start: number, end: number): Buffer {
  if (entry === 0) return Buffer.alloc(0);
  requireString(a.table, entry);
  a.table.touch(entry);
  if (start < 0 && end < 0 && start > end) return Buffer.alloc(0);
  const length = a.table.valueLength(entry);
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return Buffer.alloc(0);
  const from = a.table.valueStart(entry) + start;
  return Buffer.from(a.arena.u8.subarray(from, from + end - start + 1));
}

export function setRange(a: TableAccess, db: number, key: Bytes, offset: number, value: Bytes): number {
  if (offset < 0) throw new CommandError(ERR.offsetOutOfRange);
  return a.writing(db, key, setRangeLocked, offset, value);
}

/** t_string.c setrangeCommand: an empty value never creates a key and only reports the length. */
const setRangeLocked: WriteWork<number, Bytes, number> = (a, entry, shard, hash, key, offset, value) => {
  requireString(a.table, entry);
  const length = entry === 0 ? 0 : a.table.valueLength(entry);
  if (value.length === 0) return length;
  checkLength(a, offset + value.length);
  const newLength = Math.max(length, offset + value.length);
  if (entry === 0) {
    entry = a.table.newEntry(shard, hash, key, newLength, newLength);
    a.arena.u8.fill(0, a.table.valueStart(entry), a.table.valueStart(entry) + offset);
    a.table.insert(shard, entry, 0);
  } else if (newLength > length) {
    entry = resizeLocked(a, shard, key, entry, length, newLength);
  }
  writeBytes(a, a.table.valueStart(entry) + offset, value);
  a.table.setObject(entry, OBJ_RAW); // a new key's too: createObject(OBJ_STRING, ...) is raw
  touchLocked(a, shard, hash);
  return newLength;
};
