// What every value type shares in an entry: the type and encoding bits of its object header (layout.ts E_OBJECT),
// their names as TYPE and OBJECT ENCODING give them, WRONGTYPE, and the life cycle of a container whose value
// bytes point to blocks outside its entry (a hash table, a quicklist, a skip list). Those blocks are allocated
// from the key's segment and guarded by its lock, like the entry; the table frees them with the entry and
// COPY/RENAME deep-copies them into the destination's segment, through the hooks each such encoding registers
// here. Compact encodings (listpack, intset) keep everything in the entry's own value bytes and need no hook:
// the table moves, copies and frees them as it does a string.

import { CommandError, ERR } from '../errors.js';
import { sizeClass, type Arena } from './arena.js';
import {
  ENCODING_SHIFT,
  H_HASH_MAX_LISTPACK_ENTRIES,
  H_HASH_MAX_LISTPACK_VALUE,
  H_HLL_SPARSE_MAX_BYTES,
  H_LIST_MAX_LISTPACK_SIZE,
  H_SET_MAX_INTSET_ENTRIES,
  H_STREAM_NODE_MAX_BYTES,
  H_STREAM_NODE_MAX_ENTRIES,
  H_ZSET_MAX_LISTPACK_ENTRIES,
  H_ZSET_MAX_LISTPACK_VALUE,
  T_HASH,
  T_LIST,
  T_SET,
  T_STREAM,
  T_STRING,
  T_ZSET,
  TYPE_SHIFT,
  UNIT,
} from './layout.js';
import type { Table } from './table.js';

/** Redis 7.0's thresholds of the compact encodings, under its config names (redis.conf defaults). */
export interface ContainerLimits {
  readonly 'hash-max-listpack-entries': number;
  readonly 'hash-max-listpack-value': number;
  readonly 'list-max-listpack-size': number;
  readonly 'set-max-intset-entries': number;
  readonly 'zset-max-listpack-entries': number;
  readonly 'zset-max-listpack-value': number;
  /** A HyperLogLog is a string, but it too leaves its compact (sparse) encoding past a size. */
  readonly 'hll-sparse-max-bytes': number;
  /** A stream's node (stream.ts) takes entries up to these bytes and entries (0: no limit). */
  readonly 'stream-node-max-bytes': number;
  readonly 'stream-node-max-entries': number;
}

export const DEFAULT_CONTAINER_LIMITS: ContainerLimits = {
  'hash-max-listpack-entries': 512,
  'hash-max-listpack-value': 64,
  'list-max-listpack-size': -2,
  'set-max-intset-entries': 512,
  'zset-max-listpack-entries': 128,
  'zset-max-listpack-value': 64,
  'hll-sparse-max-bytes': 3000,
  'stream-node-max-bytes': 4096,
  'stream-node-max-entries': 100,
};

const LIMIT_SLOTS: Readonly<Record<keyof ContainerLimits, number>> = {
  'hash-max-listpack-entries': H_HASH_MAX_LISTPACK_ENTRIES,
  'hash-max-listpack-value': H_HASH_MAX_LISTPACK_VALUE,
  'list-max-listpack-size': H_LIST_MAX_LISTPACK_SIZE,
  'set-max-intset-entries': H_SET_MAX_INTSET_ENTRIES,
  'zset-max-listpack-entries': H_ZSET_MAX_LISTPACK_ENTRIES,
  'zset-max-listpack-value': H_ZSET_MAX_LISTPACK_VALUE,
  'hll-sparse-max-bytes': H_HLL_SPARSE_MAX_BYTES,
  'stream-node-max-bytes': H_STREAM_NODE_MAX_BYTES,
  'stream-node-max-entries': H_STREAM_NODE_MAX_ENTRIES,
};

const INT32_MAX = 2 ** 31 - 1;

/** Stores the given thresholds in the control buffer (clamped to int32), where every thread reads them. */
export function setContainerLimits(control: Int32Array, limits: Partial<ContainerLimits>): void {
  for (const [name, value] of Object.entries(limits) as [keyof ContainerLimits, number][]) {
    Atomics.store(control, LIMIT_SLOTS[name], Math.max(-INT32_MAX, Math.min(INT32_MAX, Math.trunc(value))));
  }
}

/** A threshold as every thread sees it now (a lock held or not: one word). */
export function containerLimit(control: Int32Array, name: keyof ContainerLimits): number {
  return Atomics.load(control, LIMIT_SLOTS[name]);
}

export type TypeName = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

const TYPE_NAMES: readonly TypeName[] = ['string', 'list', 'set', 'zset', 'hash', 'stream'];

/** OBJECT ENCODING's names of each container type's encodings, by ENC_* number (object.c strEncoding). */
const ENCODING_NAMES: Readonly<Record<number, readonly string[]>> = {
  [T_LIST]: ['listpack', 'quicklist'],
  [T_SET]: ['intset', 'hashtable'],
  [T_ZSET]: ['listpack', 'skiplist'],
  [T_HASH]: ['listpack', 'hashtable'],
  [T_STREAM]: ['stream'],
};

/**
 * An encoding whose value bytes (the root) point to blocks of their own in the arena. Both run under the write
 * lock of the segment the blocks belong to, and may be given a root at any offset (the entry's value start).
 */
export interface ExternalEncoding {
  /** Frees every block the root at byte offset `root` points to; they were allocated from `segment`. */
  release(arena: Arena, segment: number, root: number): void;
  /**
   * The root at `root` is a byte copy of another container's root (its blocks still in use by that one): make
   * it point to deep copies, allocated from `segment`. May grow the arena (re-read its views after allocating).
   */
  clone(arena: Arena, segment: number, root: number): void;
  /**
   * The bytes of every block the root points to (MEMORY USAGE): the fixed ones (a bucket array, a header node)
   * exactly, the elements' blocks from the first `samples` of them scaled to all (Infinity: every one, exact),
   * as Redis's objectComputeSize samples. Read lock of the key's segment.
   */
  footprint(arena: Arena, root: number, samples: number): number;
}

/** External encodings by type * 8 + encoding; filled at import by the modules that implement them. */
const external: (ExternalEncoding | undefined)[] = new Array<ExternalEncoding | undefined>(64).fill(
  undefined,
);

/** Called once per external encoding, by the module implementing it, when it is loaded. */
export function registerExternalEncoding(type: number, encoding: number, ops: ExternalEncoding): void {
  external[type * 8 + encoding] = ops;
}

export function valueType(t: Table, entry: number): number {
  return (t.objectWord(entry) >>> TYPE_SHIFT) & 7;
}

export function valueEncoding(t: Table, entry: number): number {
  return t.objectWord(entry) >>> ENCODING_SHIFT;
}

export function typeName(type: number): TypeName {
  return TYPE_NAMES[type];
}

/** The T_* number of a type name, any case (SCAN TYPE); -2, which no key has, for a name that is no type. */
export function typeNumber(name: string): number {
  const index = TYPE_NAMES.indexOf(name.toLowerCase() as TypeName);
  return index === -1 ? -2 : index;
}

/** OBJECT ENCODING's name for a container entry (strings are described by objects.ts). */
export function containerEncodingName(t: Table, entry: number): string {
  return ENCODING_NAMES[valueType(t, entry)][valueEncoding(t, entry)];
}

/** The entry's value is a new container object of this type and encoding, accessed now (write lock). */
export function setContainerObject(t: Table, entry: number, type: number, encoding: number): void {
  t.newObject(entry, (type << TYPE_SHIFT) | (encoding << ENCODING_SHIFT));
}

/** Throws WRONGTYPE unless the (live) entry holds a value of `type`. */
export function requireType(t: Table, entry: number, type: number): void {
  if (valueType(t, entry) !== type) throw new CommandError(ERR.wrongType);
}

/** Throws WRONGTYPE unless the entry is 0 (missing) or a string: what every string command checks first. */
export function requireString(t: Table, entry: number): void {
  if (entry !== 0 && (t.objectWord(entry) >>> TYPE_SHIFT) & 7) throw new CommandError(ERR.wrongType);
}

export function isString(t: Table, entry: number): boolean {
  return ((t.objectWord(entry) >>> TYPE_SHIFT) & 7) === T_STRING;
}

/** The entry's external encoding, if its value points to blocks of its own. */
function externalOf(t: Table, entry: number): ExternalEncoding | undefined {
  const word = t.objectWord(entry);
  const type = (word >>> TYPE_SHIFT) & 7;
  return type === T_STRING ? undefined : external[type * 8 + (word >>> ENCODING_SHIFT)];
}

/** Whether the entry's value owns blocks outside it (so its bytes cannot simply be overwritten). */
export function hasExternalBlocks(t: Table, entry: number): boolean {
  return externalOf(t, entry) !== undefined;
}

/** Frees what the entry's value points to, before the entry is freed or its value overwritten (write lock). */
export function releaseValue(t: Table, segment: number, entry: number): void {
  externalOf(t, entry)?.release(t.arena, segment, t.valueStart(entry));
}

/**
 * The bytes the entry holds: its own block (header, key, value bytes or a container's root, expiry), as its size
 * class, and what its value points to (sampled as ExternalEncoding.footprint says). Read lock of its segment.
 */
export function entryFootprint(t: Table, entry: number, samples: number): number {
  const own = sizeClass(t.blockUnits(entry)) * UNIT;
  return own + (externalOf(t, entry)?.footprint(t.arena, t.valueStart(entry), samples) ?? 0);
}

/**
 * `copy` is a new entry whose value bytes and object header were copied from another entry: gives it blocks of
 * its own in `segment` if its encoding has any (COPY, RENAME to another segment).
 */
export function cloneValue(t: Table, segment: number, copy: number): void {
  externalOf(t, copy)?.clone(t.arena, segment, t.valueStart(copy));
}

export { T_HASH, T_LIST, T_SET, T_STREAM, T_STRING, T_ZSET };
