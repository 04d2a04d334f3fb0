// The store's HyperLogLog operations: PFADD, PFCOUNT (one key, or the union of several), PFMERGE and PFDEBUG, with
// Redis 7.0's semantics (hyperloglog.c). An HLL is a plain string value (T_STRING): a dense one is changed in
// place in its entry, a sparse one copied out, changed (hyperloglog/hll-string.ts) and stored back, keeping its
// TTL. Each runs under its keys' locks through access.ts and calls touchLocked where Redis calls
// signalModifiedKey. Every key Redis reads with lookupKeyRead is reported found or not, up to the one that
// failed, so the command counts hits and misses as Redis does. Knows no command syntax.

import { CommandError, ERR } from '../errors.js';
import { estimate, histogramOf, mergeInto, rawHistogram } from '../hyperloglog/count.js';
import {
  cacheValid,
  decodeSparse,
  denseGet,
  emptyHll,
  ENCODING_AT,
  HLL_DENSE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  invalidateCache,
  isHll,
  readCache,
  writeCache,
} from '../hyperloglog/format.js';
import {
  denseAdd,
  denseSetIfGreater,
  hllAdd,
  HllString,
  sparseSet,
  sparseToDense,
} from '../hyperloglog/hll-string.js';
import type { TableAccess, WriteWork } from './access.js';
import { containerLimit, isString, requireString } from './containers.js';
import { OBJ_RAW } from './layout.js';
import type { Bytes } from './types.js';
import { KEEP_TTL, storeLocked } from './values.js';
import { touchLocked } from './watch.js';

/** isHLLObjectOrReply's reply for a string that is not an HLL. */
export const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
/** hyperloglog.c invalid_hll_err: sparse opcodes that do not add up. */
export const CORRUPT_HLL = 'INVALIDOBJ Corrupted HLL object detected';

const sparseMaxBytes = (a: TableAccess): number => containerLimit(a.control, 'hll-sparse-max-bytes');

/** The key's value checked as an HLL (isHLLObjectOrReply): its bytes in place, or the error to reply. */
function hllView(a: TableAccess, entry: number): Uint8Array | string {
  if (!isString(a.table, entry)) return ERR.wrongType;
  const view = a.table.valueView(entry);
  return isHll(view) ? view : NOT_HLL;
}

function requireHll(a: TableAccess, entry: number): Uint8Array {
  const view = hllView(a, entry);
  if (typeof view === 'string') throw new CommandError(view);
  return view;
}

/** Stores a changed HLL whole, keeping the TTL: a raw string, as Redis's createHLLObject and unshared values are. */
function storeHllLocked(
  a: TableAccess,
  shard: number,
  hash: number,
  key: Bytes,
  entry: number,
  h: HllString,
): number {
  const stored = storeLocked(a, shard, hash, key, entry, h.view(), KEEP_TTL);
  a.table.setObject(stored, OBJ_RAW);
  return stored;
}

export interface PfAddResult {
  /** A register changed or the key was made: PFADD replies 1, signals the key and publishes `pfadd`. */
  readonly updated: boolean;
  readonly created: boolean;
  /** pfaddCommand's `updated`, its change count: the registers changed, and one more for a key it made. */
  readonly changes: number;
}

export function pfAdd(a: TableAccess, db: number, key: Bytes, elements: readonly Bytes[]): PfAddResult {
  return a.writing(db, key, pfAddLocked, elements);
}

/**
 * pfaddCommand. A corrupt sparse HLL fails at the element that walks into the corruption, the registers the
 * elements before it changed staying changed, as Redis leaves them (without signalling the key).
 */
const pfAddLocked: WriteWork<readonly Bytes[], undefined, PfAddResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  elements,
) => {
  requireString(a.table, entry);
  const limit = sparseMaxBytes(a);
  if (entry === 0) {
    const h = new HllString(emptyHll());
    let changes = 1;
    for (const element of elements) changes += hllAdd(h, element, limit); // a fresh HLL is never corrupt
    invalidateCache(h.bytes);
    storeHllLocked(a, shard, hash, key, 0, h);
    touchLocked(a, shard, hash);
    return { updated: true, created: true, changes };
  }
  const view = requireHll(a, entry);
  a.table.setObject(entry, OBJ_RAW); // dbUnshareStringValue
  let updated = 0;
  if (view[ENCODING_AT] === HLL_DENSE) {
    for (const element of elements) updated += denseAdd(view, element);
    if (updated > 0) invalidateCache(view);
  } else {
    const h = new HllString(view);
    let corrupt = false;
    for (const element of elements) {
      const result = hllAdd(h, element, limit);
      if (result < 0) {
        corrupt = true;
        break;
      }
      updated += result;
    }
    if (updated > 0 && !corrupt) invalidateCache(h.bytes);
    if (updated > 0) storeHllLocked(a, shard, hash, key, entry, h);
    if (corrupt) throw new CommandError(CORRUPT_HLL);
  }
  if (updated > 0) touchLocked(a, shard, hash);
  return { updated: updated > 0, created: false, changes: updated };
};

export interface PfCountResult {
  /** Per key looked up, in order, until one failed: whether it was found (a read lookup each). */
  readonly found: readonly boolean[];
  /** The reply's error, after the lookups in `found`. */
  readonly error?: string;
  /** The cardinality (int64). */
  readonly count: bigint;
  /** One key whose stale cached cardinality was computed and stored: Redis propagates the command. */
  readonly cacheWritten: boolean;
}

/** PFCOUNT of one key: its cached cardinality, or computed and cached. */
export function pfCountOne(a: TableAccess, db: number, key: Bytes): PfCountResult {
  return a.writing(db, key, pfCountOneLocked);
}

function pfCountOneLocked(a: TableAccess, entry: number, shard: number, hash: number): PfCountResult {
  if (entry === 0) return { found: [false], count: 0n, cacheWritten: false };
  const view = hllView(a, entry);
  if (typeof view === 'string') return { found: [true], error: view, count: 0n, cacheWritten: false };
  a.table.setObject(entry, OBJ_RAW); // dbUnshareStringValue
  if (cacheValid(view)) return { found: [true], count: readCache(view), cacheWritten: false };
  const { histogram, valid } = histogramOf(view);
  if (!valid) return { found: [true], error: CORRUPT_HLL, count: 0n, cacheWritten: false };
  const count = estimate(histogram);
  writeCache(view, count);
  touchLocked(a, shard, hash);
  return { found: [true], count: BigInt(count), cacheWritten: true };
}

/** PFCOUNT of several keys: the cardinality of their union (a missing key is an empty HLL); nothing cached. */
export function pfCountUnion(a: TableAccess, db: number, keys: readonly Bytes[]): PfCountResult {
  return a.withKeys(db, keys, false, pfCountUnionLocked, undefined, undefined);
}

function pfCountUnionLocked(
  a: TableAccess,
  db: number,
  hashes: number[],
  keys: readonly Bytes[],
): PfCountResult {
  const max = new Uint8Array(HLL_REGISTERS);
  const merged = mergeKeysLocked(a, db, hashes, keys, max, (key, hash, shard) =>
    a.lookupLocked(shard, hash, key),
  );
  if (merged.error !== undefined)
    return { found: merged.found, error: merged.error, count: 0n, cacheWritten: false };
  return { found: merged.found, count: BigInt(estimate(rawHistogram(max))), cacheWritten: false };
}

interface MergeOutcome {
  readonly found: boolean[];
  readonly error?: string;
  /** One of the HLLs was dense. */
  readonly anyDense: boolean;
}

/** The registers of every key folded into max, in order, stopping at the first that is not a valid HLL. */
function mergeKeysLocked(
  a: TableAccess,
  db: number,
  hashes: readonly number[],
  keys: readonly Bytes[],
  max: Uint8Array,
  find: (key: Bytes, hash: number, shard: number) => number,
): MergeOutcome {
  const found: boolean[] = [];
  let anyDense = false;
  for (let i = 0; i < keys.length; i++) {
    const entry = find(keys[i], hashes[i], a.shardOf(db, hashes[i]));
    found.push(entry !== 0);
    if (entry === 0) continue;
    const view = hllView(a, entry);
    if (typeof view === 'string') return { found, error: view, anyDense };
    if (view[ENCODING_AT] === HLL_DENSE) anyDense = true;
    if (!mergeInto(max, view)) return { found, error: CORRUPT_HLL, anyDense };
  }
  return { found, anyDense };
}

export interface PfMergeResult {
  /** Per key of [destination, ...sources], in order, until one failed: whether it was found. */
  readonly found: readonly boolean[];
  readonly error?: string;
  readonly created: boolean;
}

/** PFMERGE destination source...: the destination (itself a source first) and the sources locked together. */
export function pfMerge(
  a: TableAccess,
  db: number,
  destination: Bytes,
  sources: readonly Bytes[],
): PfMergeResult {
  return a.withKeys(db, [destination, ...sources], true, pfMergeLocked, undefined, undefined);
}

/**
 * pfmergeCommand: the union of every key's registers written into the destination register by register, in
 * order, as hllDenseSet or hllSparseSet would (so a sparse destination of sparse sources stays sparse until
 * hll-sparse-max-bytes, and its opcodes are Redis's); dense first if any source was dense.
 */
function pfMergeLocked(a: TableAccess, db: number, hashes: number[], keys: readonly Bytes[]): PfMergeResult {
  const max = new Uint8Array(HLL_REGISTERS);
  const merged = mergeKeysLocked(a, db, hashes, keys, max, (key, hash, shard) =>
    a.findLiveLocked(shard, hash, key),
  );
  if (merged.error !== undefined) return { found: merged.found, error: merged.error, created: false };
  const shard = a.shardOf(db, hashes[0]);
  const entry = a.findLiveLocked(shard, hashes[0], keys[0]);
  const h = new HllString(entry === 0 ? emptyHll() : a.table.valueView(entry));
  // The destination passed mergeInto's check of the same opcodes as a source, so this holds in practice.
  if (merged.anyDense && !sparseToDense(h))
    return { found: merged.found, error: CORRUPT_HLL, created: false };
  const limit = sparseMaxBytes(a);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] === 0) continue;
    if (h.encoding === HLL_DENSE) denseSetIfGreater(h.bytes, j, max[j]);
    else if (h.encoding === HLL_SPARSE) sparseSet(h, j, max[j], limit);
  }
  invalidateCache(h.bytes);
  storeHllLocked(a, shard, hashes[0], keys[0], entry, h);
  touchLocked(a, shard, hashes[0]);
  return { found: merged.found, created: entry === 0 };
}

export type PfDebugOperation = 'getreg' | 'decode' | 'encoding' | 'todense';

export type PfDebugResult =
  /** GETREG's registers; `converted`: it made a sparse HLL dense first (a change Redis propagates). */
  | { readonly registers: number[]; readonly converted: boolean }
  | { readonly decoded: string }
  | { readonly encoding: 'dense' | 'sparse' }
  | { readonly converted: boolean }
  /** A subcommand PFDEBUG does not know: Redis names it only once the key has passed its checks. */
  | { readonly unknown: true };

export function pfDebug(
  a: TableAccess,
  db: number,
  key: Bytes,
  operation: PfDebugOperation | null,
): PfDebugResult {
  return a.writing(db, key, pfDebugLocked, operation);
}

/**
 * pfdebugCommand: the key looked up for writing (no hit or miss counted), checked, unshared; GETREG and TODENSE
 * make a sparse HLL dense (Redis propagates that but signals no key).
 */
const pfDebugLocked: WriteWork<PfDebugOperation | null, undefined, PfDebugResult> = (
  a,
  entry,
  shard,
  hash,
  key,
  operation,
) => {
  if (entry === 0) throw new CommandError('ERR The specified key does not exist');
  const view = requireHll(a, entry);
  a.table.setObject(entry, OBJ_RAW); // dbUnshareStringValue
  const sparse = view[ENCODING_AT] === HLL_SPARSE;
  switch (operation) {
    case 'getreg': {
      let dense = view;
      if (sparse) {
        const h = new HllString(view);
        if (!sparseToDense(h)) throw new CommandError(CORRUPT_HLL);
        dense = h.view();
        storeHllLocked(a, shard, hash, key, entry, h);
      }
      const registers: number[] = [];
      for (let j = 0; j < HLL_REGISTERS; j++) registers.push(denseGet(dense, HLL_HDR_SIZE, j));
      return { registers, converted: sparse };
    }
    case 'decode':
      if (!sparse) throw new CommandError('ERR HLL encoding is not sparse');
      return { decoded: decodeSparse(view) };
    case 'encoding':
      return { encoding: sparse ? 'sparse' : 'dense' };
    case 'todense': {
      if (!sparse) return { converted: false };
      const h = new HllString(view);
      if (!sparseToDense(h)) throw new CommandError(CORRUPT_HLL);
      storeHllLocked(a, shard, hash, key, entry, h);
      return { converted: true };
    }
    default:
      return { unknown: true };
  }
};
