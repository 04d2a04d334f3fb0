// A value as Redis's robj shows it to OBJECT and DEBUG OBJECT (object.c, debug.c): its encoding (int, embstr or
// raw, by Redis's rules for the way the value was made, kept in the entry's object header: layout.ts E_OBJECT),
// whether it is one of Redis's shared integers (refcount 2147483647), and its access clock (robj.lru, stamped by
// every lookup that Redis's lookupKey stamps). Runs under the key's lock through access.ts; knows no command
// syntax.

import type { TableAccess } from './access.js';
import { containerEncodingName, entryFootprint, isString } from './containers.js';
import {
  E_OBJECT,
  H_LFU_DECAY_TIME,
  H_LFU_MINUTES,
  H_LRU_CLOCK,
  H_MAXMEMORY_POLICY,
  LRU_BITS,
  LRU_MASK,
  OBJ_AS_SET,
  OBJ_INT_OWN,
  OBJ_RAW,
  POLICY_ALLKEYS_LFU,
  POLICY_VOLATILE_LFU,
  UNIT,
} from './layout.js';
import { lfuDecayed, lfuMinutes } from './lfu.js';
import type { Table } from './table.js';
import type { Bytes, ValueObject } from './types.js';

/** server.h: integers 0 .. 9999 set as values are one shared object each, never freed. */
const OBJ_SHARED_INTEGERS = 10000;
const OBJ_SHARED_REFCOUNT = 2147483647;
/** object.c: strings up to this many bytes are embstr. */
const EMBSTR_SIZE_LIMIT = 44;
/** tryObjectEncoding: a longer string is never an integer. */
const INT_MAX_CHARS = 20;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export function objectKind(t: Table, entry: number): number {
  return (t.objectWord(entry) >>> LRU_BITS) & 3;
}

/**
 * util.c string2l: the bytes as a long if they are one written canonically (no '+', no leading zero, not
 * "-0"), else null.
 */
function asLong(bytes: Uint8Array): bigint | null {
  const text = Buffer.from(bytes).toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return null;
  const n = BigInt(text);
  return n >= LONG_MIN && n <= LONG_MAX ? n : null;
}

function isSharedInteger(t: Table, entry: number): boolean {
  if (t.valueLength(entry) > 4) return false; // 9999 has four digits
  const n = asLong(t.valueView(entry));
  return n !== null && n >= 0n && n < OBJ_SHARED_INTEGERS;
}

/**
 * The object header a copy of entry's value gets (COPY: object.c dupStringObject): the same encoding, except
 * that a shared integer's copy is an integer object of its own.
 */
export function duplicateKind(t: Table, entry: number): number {
  const kind = objectKind(t, entry);
  return kind === OBJ_AS_SET && isSharedInteger(t, entry) ? OBJ_INT_OWN : kind;
}

/** Lock held: how the entry's value is kept, and with its bytes when asked (DEBUG OBJECT). */
function describeLocked(a: TableAccess, entry: number, withValue: boolean): ValueObject {
  const t = a.table;
  const word = t.objectWord(entry);
  const kind = (word >>> LRU_BITS) & 3;
  const length = t.valueLength(entry);
  let encoding: ValueObject['encoding'];
  let refcount = 1;
  if (!isString(t, entry)) encoding = containerEncodingName(t, entry);
  else if (kind === OBJ_RAW) encoding = 'raw';
  else if (kind === OBJ_INT_OWN) encoding = 'int';
  else {
    // OBJ_AS_SET: tryObjectEncoding's rules; OBJ_STRING: createStringObject's (never an integer).
    const n = kind === OBJ_AS_SET && length <= INT_MAX_CHARS ? asLong(t.valueView(entry)) : null;
    if (n !== null) {
      encoding = 'int';
      if (n >= 0n && n < OBJ_SHARED_INTEGERS) refcount = OBJ_SHARED_REFCOUNT;
    } else encoding = length <= EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
  }
  // Inside an EXEC, a value that is a queued command's argument object is referenced by that command too.
  if (refcount === 1 && t.execArguments?.has(entry) === true) refcount = 2;
  const lru = word & LRU_MASK;
  const policy = a.control[H_MAXMEMORY_POLICY];
  const lfu = policy === POLICY_ALLKEYS_LFU || policy === POLICY_VOLATILE_LFU;
  // object.c estimateObjectIdleTime, its wrap-around included, in whole seconds (the clock's resolution).
  const clock = a.control[H_LRU_CLOCK];
  const idleSeconds = clock >= lru ? clock - lru : clock + (LRU_MASK - lru);
  return {
    encoding,
    refcount,
    lru,
    idleSeconds,
    address: entry * UNIT,
    ...(lfu ? { frequency: lfuDecayed(lru, a.control[H_LFU_MINUTES], a.control[H_LFU_DECAY_TIME]) } : {}),
    ...(withValue ? { value: t.valueBuffer(entry) } : {}),
  };
}

/**
 * OBJECT's lookup (object.c objectCommandLookup: lookupKeyRead with LOOKUP_NOTOUCH): null when the key is
 * missing; an expired key is deleted, as any read deletes it; the key's access time is left as it was.
 */
export function objectOf(a: TableAccess, db: number, key: Bytes): ValueObject | null {
  return a.reading(db, key, (access, entry) => (entry === 0 ? null : describeLocked(access, entry, false)));
}

/**
 * DEBUG OBJECT's (debug.c reads the dict itself): the key as stored, even past its expiry, nothing deleted or
 * stamped; with its value, for the serialized length.
 */
export function debugObjectOf(a: TableAccess, db: number, key: Bytes): ValueObject | null {
  const hash = a.hash(key);
  const segment = hash & a.mask;
  a.lockRead(segment);
  try {
    const entry = a.table.find(a.shardOf(db, hash), hash, key);
    return entry === 0 ? null : describeLocked(a, entry, true);
  } finally {
    a.locks.readRelease(segment);
  }
}

/** MEMORY USAGE's lookup and figure (KeyValueStore.memoryUsage): dictFind, as DEBUG OBJECT's. */
export function memoryUsageOf(a: TableAccess, db: number, key: Bytes, samples: number): number | null {
  const hash = a.hash(key);
  const segment = hash & a.mask;
  a.lockRead(segment);
  try {
    const entry = a.table.find(a.shardOf(db, hash), hash, key);
    return entry === 0 ? null : entryFootprint(a.table, entry, samples);
  } finally {
    a.locks.readRelease(segment);
  }
}

/** Redis's updateLRUClock from serverCron: the access clock keys are stamped with, for every thread. */
export function refreshAccessClock(a: TableAccess): void {
  const now = a.clock();
  const clock = accessClock(now);
  if (Atomics.load(a.control, H_LRU_CLOCK) !== clock) Atomics.store(a.control, H_LRU_CLOCK, clock);
  const minutes = lfuMinutes(now);
  if (Atomics.load(a.control, H_LFU_MINUTES) !== minutes) Atomics.store(a.control, H_LFU_MINUTES, minutes);
}

/** server.c getLRUClock: seconds, in LRU_BITS bits. */
export function accessClock(ms: number): number {
  return Math.floor(ms / 1000) & LRU_MASK;
}

/** RESTORE's IDLETIME (seconds) or FREQ (0..255): what objectSetLRUOrLFU sets on the key just restored. */
export type AccessSetting = { readonly idleSeconds: bigint } | { readonly frequency: number };

/**
 * object.c objectSetLRUOrLFU: under an LFU policy FREQ sets the counter (stamped this minute); otherwise IDLETIME
 * sets the access clock that many seconds back (wrapping as Redis's 24-bit clock does). The other option is
 * ignored, as in Redis. False when the key is missing.
 */
export function setAccess(a: TableAccess, db: number, key: Bytes, access: AccessSetting): boolean {
  const policy = Atomics.load(a.control, H_MAXMEMORY_POLICY);
  const tracksFrequency = policy === POLICY_ALLKEYS_LFU || policy === POLICY_VOLATILE_LFU;
  // The option the policy does not track sets nothing, and the key is not looked up for writing either: that
  // lookup would stamp its access (an LFU counter of 5 would become 6; Redis's stays LFU_INIT_VAL).
  if (tracksFrequency !== 'frequency' in access) return a.reading(db, key, (_r, entry) => entry !== 0);
  return a.writing(db, key, (w, entry) => {
    if (entry === 0) return false;
    const control = w.control;
    const policy = Atomics.load(control, H_MAXMEMORY_POLICY);
    const lfu = policy === POLICY_ALLKEYS_LFU || policy === POLICY_VOLATILE_LFU;
    let bits: number;
    if (lfu && 'frequency' in access) {
      bits = ((Atomics.load(control, H_LFU_MINUTES) & 0xffff) << 8) | access.frequency;
    } else if (!lfu && 'idleSeconds' in access) {
      // lru_idle*lru_multiplier/LRU_CLOCK_RESOLUTION: seconds to ms and back in a wrapping int64 (C's
      // truncating division), then back from the clock; below 0 it takes LRU_CLOCK_MAX (2^24 - 1), and the
      // 24-bit lru field keeps the low bits of what is still negative.
      const idle = BigInt.asIntN(64, access.idleSeconds * 1000n) / 1000n;
      let at = BigInt(Atomics.load(control, H_LRU_CLOCK)) - idle;
      if (at < 0n) at += BigInt(LRU_MASK);
      bits = Number(BigInt.asUintN(LRU_BITS, at));
    } else {
      return true;
    }
    const u32 = w.arena.u32;
    const word = u32[entry * 2 + E_OBJECT];
    u32[entry * 2 + E_OBJECT] = (word & ~LRU_MASK) | bits;
    return true;
  });
}
