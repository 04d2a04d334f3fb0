// A hash table of (field bytes -> value bytes) in the arena: the scalable encoding of hashes, of sets (empty
// values) and of sorted sets' member index. Its 16-byte root sits wherever the container keeps it (inside the
// entry's value bytes, at any byte offset: it is read byte by byte), and its bucket array and nodes are blocks of
// the container key's segment, so the caller holds that segment's write lock to change it (its read lock to read).
//
// Root: count, mask (buckets - 1), the bucket array's unit offset, and a hash seed drawn per table (fields cannot
// be chosen to collide). Node: next (unit offset), hash, field length, value length, then the field and value
// bytes, rounded up to 8. The table doubles when it holds more fields than buckets and halves below an eighth
// full, all at once (Redis rehashes incrementally; here a resize of n fields is one O(n) re-link with no copying).
//
// Offsets survive arena growth but views do not: every function re-reads arena.u8/u32 after it allocates.

import { readU32 as read32, writeU32 as write32 } from './byte-words.js';
import { sizeClass, type Arena } from './arena.js';
import { hashKey } from './hash.js';
import { UNIT } from './layout.js';
import { nextReverseCursor } from './reverse-cursor.js';
import { copyIntoShared } from './shared-copy.js';
import { scaledSample } from './sampled-size.js';

export const DICT_ROOT_BYTES = 16;

const R_COUNT = 0;
const R_MASK = 4;
const R_BUCKETS = 8;
const R_SEED = 12;

const N_NEXT = 0;
const N_HASH = 1;
const N_FIELD_LEN = 2;
const N_VALUE_LEN = 3;
const NODE_HEADER_BYTES = 16;

/** Buckets of a new table (two units). */
const INITIAL_BUCKETS = 4;

function nodeUnits(fieldLength: number, valueLength: number): number {
  return Math.ceil((NODE_HEADER_BYTES + fieldLength + valueLength) / UNIT);
}

function allocBuckets(arena: Arena, segment: number, buckets: number): number {
  const block = arena.alloc(segment, buckets / 2);
  arena.u32.fill(0, block * 2, block * 2 + buckets);
  return block;
}

/** Writes an empty table's root at byte offset `root` (allocating its bucket array). */
export function dictInit(arena: Arena, segment: number, root: number): void {
  const buckets = allocBuckets(arena, segment, INITIAL_BUCKETS);
  const u8 = arena.u8;
  write32(u8, root + R_COUNT, 0);
  write32(u8, root + R_MASK, INITIAL_BUCKETS - 1);
  write32(u8, root + R_BUCKETS, buckets);
  write32(u8, root + R_SEED, (Math.random() * 2 ** 32) >>> 0);
}

export function dictCount(arena: Arena, root: number): number {
  return read32(arena.u8, root + R_COUNT);
}

function fieldHash(arena: Arena, root: number, field: Uint8Array): number {
  return hashKey(field, read32(arena.u8, root + R_SEED));
}

/** Word index (into arena.u32) of the bucket a hash falls in. */
function bucketWord(arena: Arena, root: number, hash: number): number {
  const u8 = arena.u8;
  return read32(u8, root + R_BUCKETS) * 2 + (hash & read32(u8, root + R_MASK));
}

function fieldEquals(arena: Arena, node: number, field: Uint8Array): boolean {
  const u32 = arena.u32;
  if (u32[node * 2 + N_FIELD_LEN] !== field.length) return false;
  const u8 = arena.u8;
  const start = node * UNIT + NODE_HEADER_BYTES;
  for (let i = 0; i < field.length; i++) if (u8[start + i] !== field[i]) return false;
  return true;
}

/** The node holding `field`, or 0. */
export function dictFind(arena: Arena, root: number, field: Uint8Array): number {
  const hash = fieldHash(arena, root, field);
  const u32 = arena.u32;
  for (let node = u32[bucketWord(arena, root, hash)]; node !== 0; node = u32[node * 2 + N_NEXT]) {
    if (u32[node * 2 + N_HASH] === hash && fieldEquals(arena, node, field)) return node;
  }
  return 0;
}

// ---- Nodes ----

export function nodeFieldLength(arena: Arena, node: number): number {
  return arena.u32[node * 2 + N_FIELD_LEN];
}

export function nodeValueLength(arena: Arena, node: number): number {
  return arena.u32[node * 2 + N_VALUE_LEN];
}

/** Byte offset of the node's field. */
export function nodeFieldStart(node: number): number {
  return node * UNIT + NODE_HEADER_BYTES;
}

/** Byte offset of the node's value. */
export function nodeValueStart(arena: Arena, node: number): number {
  return node * UNIT + NODE_HEADER_BYTES + arena.u32[node * 2 + N_FIELD_LEN];
}

/** A view of the field (valid until the next allocation). */
export function nodeFieldView(arena: Arena, node: number): Uint8Array {
  const start = nodeFieldStart(node);
  return arena.u8.subarray(start, start + nodeFieldLength(arena, node));
}

/** A view of the value (valid until the next allocation). */
export function nodeValueView(arena: Arena, node: number): Uint8Array {
  const start = nodeValueStart(arena, node);
  return arena.u8.subarray(start, start + nodeValueLength(arena, node));
}

export function nodeField(arena: Arena, node: number): Buffer {
  return Buffer.from(nodeFieldView(arena, node));
}

export function nodeValue(arena: Arena, node: number): Buffer {
  return Buffer.from(nodeValueView(arena, node));
}

function newNode(arena: Arena, segment: number, hash: number, field: Uint8Array, value: Uint8Array): number {
  const node = arena.alloc(segment, nodeUnits(field.length, value.length));
  const u32 = arena.u32;
  u32[node * 2 + N_NEXT] = 0;
  u32[node * 2 + N_HASH] = hash;
  u32[node * 2 + N_FIELD_LEN] = field.length;
  u32[node * 2 + N_VALUE_LEN] = value.length;
  const start = node * UNIT + NODE_HEADER_BYTES;
  copyIntoShared(arena.u8, start, field);
  copyIntoShared(arena.u8, start + field.length, value);
  return node;
}

// ---- Changing the table (write lock) ----

/**
 * Sets field to value: a new node (created) or the value replaced, in place when the node's block has the same
 * size, else in a new node put where the old one was. Returns the node now holding the field.
 */
export function dictSet(
  arena: Arena,
  segment: number,
  root: number,
  field: Uint8Array,
  value: Uint8Array,
): { node: number; created: boolean } {
  const hash = fieldHash(arena, root, field);
  let slot = bucketWord(arena, root, hash); // the word pointing at the node looked at
  let u32 = arena.u32;
  for (let node = u32[slot]; node !== 0; slot = node * 2 + N_NEXT, node = u32[slot]) {
    if (u32[node * 2 + N_HASH] !== hash || !fieldEquals(arena, node, field)) continue;
    const units = nodeUnits(field.length, u32[node * 2 + N_VALUE_LEN]);
    if (units === nodeUnits(field.length, value.length)) {
      u32[node * 2 + N_VALUE_LEN] = value.length;
      copyIntoShared(arena.u8, nodeFieldStart(node) + field.length, value);
      return { node, created: false };
    }
    const next = u32[node * 2 + N_NEXT];
    const made = newNode(arena, segment, hash, field, value); // may grow the arena: slot is an index, still good
    u32 = arena.u32;
    u32[made * 2 + N_NEXT] = next;
    u32[slot] = made;
    arena.free(segment, node, units);
    return { node: made, created: false };
  }
  const made = newNode(arena, segment, hash, field, value);
  const head = bucketWord(arena, root, hash);
  u32 = arena.u32;
  u32[made * 2 + N_NEXT] = u32[head];
  u32[head] = made;
  const u8 = arena.u8;
  const count = read32(u8, root + R_COUNT) + 1;
  write32(u8, root + R_COUNT, count);
  if (count > read32(u8, root + R_MASK) + 1)
    resize(arena, segment, root, (read32(u8, root + R_MASK) + 1) * 2);
  return { node: made, created: true };
}

/** Removes field; false if it was not there. */
export function dictDelete(arena: Arena, segment: number, root: number, field: Uint8Array): boolean {
  const hash = fieldHash(arena, root, field);
  const u32 = arena.u32;
  let slot = bucketWord(arena, root, hash);
  for (let node = u32[slot]; node !== 0; slot = node * 2 + N_NEXT, node = u32[slot]) {
    if (u32[node * 2 + N_HASH] !== hash || !fieldEquals(arena, node, field)) continue;
    u32[slot] = u32[node * 2 + N_NEXT];
    arena.free(segment, node, nodeUnits(u32[node * 2 + N_FIELD_LEN], u32[node * 2 + N_VALUE_LEN]));
    const u8 = arena.u8;
    const count = read32(u8, root + R_COUNT) - 1;
    write32(u8, root + R_COUNT, count);
    const buckets = read32(u8, root + R_MASK) + 1;
    if (buckets > INITIAL_BUCKETS && count < buckets / 8) resize(arena, segment, root, buckets / 2);
    return true;
  }
  return false;
}

/** Re-links every node into a new bucket array of `buckets` (a power of two) and frees the old one. */
function resize(arena: Arena, segment: number, root: number, buckets: number): void {
  let fresh: number;
  try {
    fresh = allocBuckets(arena, segment, buckets);
  } catch {
    return; // no room (OOM): the table keeps working with longer chains, as the keyspace's index does
  }
  const u8 = arena.u8;
  const u32 = arena.u32;
  const old = read32(u8, root + R_BUCKETS);
  const oldBuckets = read32(u8, root + R_MASK) + 1;
  const mask = buckets - 1;
  for (let b = 0; b < oldBuckets; b++) {
    let node = u32[old * 2 + b];
    while (node !== 0) {
      const next = u32[node * 2 + N_NEXT];
      const slot = fresh * 2 + (u32[node * 2 + N_HASH] & mask);
      u32[node * 2 + N_NEXT] = u32[slot];
      u32[slot] = node;
      node = next;
    }
  }
  write32(u8, root + R_BUCKETS, fresh);
  write32(u8, root + R_MASK, mask);
  arena.free(segment, old, oldBuckets / 2);
}

// ---- Walking the table (read lock) ----

/** Calls fn with every node, bucket by bucket (fn must not change the table). */
export function dictForEach(arena: Arena, root: number, fn: (node: number) => void): void {
  const u8 = arena.u8;
  const u32 = arena.u32;
  const buckets = read32(u8, root + R_BUCKETS);
  const count = read32(u8, root + R_MASK) + 1;
  for (let b = 0; b < count; b++) {
    for (let node = u32[buckets * 2 + b]; node !== 0; node = u32[node * 2 + N_NEXT]) fn(node);
  }
}

/**
 * One step of a scan from `cursor` (0 to start): pushes onto `out` the nodes of whole buckets until at least
 * `count` nodes or the end; returns the next cursor, 0 when the table was covered. A field present for the whole
 * scan is returned at least once even if the table resizes between steps (dict.c dictScan's guarantee).
 */
export function dictScan(arena: Arena, root: number, cursor: number, count: number, out: number[]): number {
  const u8 = arena.u8;
  const u32 = arena.u32;
  const buckets = read32(u8, root + R_BUCKETS);
  const mask = read32(u8, root + R_MASK);
  let v = cursor >>> 0;
  let found = 0;
  let visits = Math.max(1, count) * 10; // bounded work per step on a sparse table, as db.c's maxiterations
  do {
    for (let node = u32[buckets * 2 + (v & mask)]; node !== 0; node = u32[node * 2 + N_NEXT]) {
      out.push(node);
      found++;
    }
    v = nextReverseCursor(v, mask);
  } while (v !== 0 && found < count && --visits > 0);
  return v;
}

/** A random node (0 for an empty table): a random non-empty bucket, then a random node of its chain. */
export function dictRandomNode(arena: Arena, root: number, random: () => number): number {
  const u8 = arena.u8;
  const u32 = arena.u32;
  if (read32(u8, root + R_COUNT) === 0) return 0;
  const buckets = read32(u8, root + R_BUCKETS);
  const mask = read32(u8, root + R_MASK);
  let head = 0;
  while (head === 0) head = u32[buckets * 2 + Math.floor(random() * (mask + 1))];
  let length = 0;
  for (let node = head; node !== 0; node = u32[node * 2 + N_NEXT]) length++;
  let node = head;
  for (let i = Math.floor(random() * length); i > 0; i--) node = u32[node * 2 + N_NEXT];
  return node;
}

// ---- The whole table (the external encoding hooks) ----

/** Frees every node and the bucket array; the root is left dangling (the caller drops it). */
export function dictRelease(arena: Arena, segment: number, root: number): void {
  const u8 = arena.u8;
  const u32 = arena.u32;
  const buckets = read32(u8, root + R_BUCKETS);
  const count = read32(u8, root + R_MASK) + 1;
  for (let b = 0; b < count; b++) {
    let node = u32[buckets * 2 + b];
    while (node !== 0) {
      const next = u32[node * 2 + N_NEXT];
      arena.free(segment, node, nodeUnits(u32[node * 2 + N_FIELD_LEN], u32[node * 2 + N_VALUE_LEN]));
      node = next;
    }
  }
  arena.free(segment, buckets, count / 2);
}

/**
 * The table's bytes (ExternalEncoding.footprint): its bucket array, and its nodes, the first `samples` found
 * (in bucket order) scaled to the whole count, as dict sampling does in Redis's objectComputeSize.
 */
export function dictFootprint(arena: Arena, root: number, samples: number): number {
  const u32 = arena.u32;
  const buckets = read32(arena.u8, root + R_BUCKETS);
  const count = read32(arena.u8, root + R_MASK) + 1;
  const size = read32(arena.u8, root + R_COUNT);
  let seen = 0;
  let nodeBytes = 0;
  for (let b = 0; b < count && seen < samples && seen < size; b++) {
    for (let node = u32[buckets * 2 + b]; node !== 0 && seen < samples; node = u32[node * 2 + N_NEXT]) {
      nodeBytes += sizeClass(nodeUnits(u32[node * 2 + N_FIELD_LEN], u32[node * 2 + N_VALUE_LEN])) * UNIT;
      seen++;
    }
  }
  return sizeClass(count / 2) * UNIT + scaledSample(nodeBytes, seen, size);
}

/**
 * The root at `root` is a byte copy of another table's: gives it a bucket array and nodes of its own, allocated
 * from `segment`, same layout and order. If memory runs out, what was copied is freed and the error goes on.
 */
export function dictClone(arena: Arena, segment: number, root: number): void {
  const source = read32(arena.u8, root + R_BUCKETS);
  const count = read32(arena.u8, root + R_MASK) + 1;
  const copy = allocBuckets(arena, segment, count);
  try {
    for (let b = 0; b < count; b++) {
      let tail = copy * 2 + b; // the word the next copied node is linked from
      for (let node = arena.u32[source * 2 + b]; node !== 0; node = arena.u32[node * 2 + N_NEXT]) {
        const units = nodeUnits(arena.u32[node * 2 + N_FIELD_LEN], arena.u32[node * 2 + N_VALUE_LEN]);
        const made = arena.alloc(segment, units);
        arena.u8.copyWithin(made * UNIT, node * UNIT, (node + units) * UNIT);
        arena.u32[made * 2 + N_NEXT] = 0;
        arena.u32[tail] = made;
        tail = made * 2 + N_NEXT;
      }
    }
  } catch (error) {
    write32(arena.u8, root + R_BUCKETS, copy);
    dictRelease(arena, segment, root); // frees the copies made so far (their chains end where copying stopped)
    throw error;
  }
  write32(arena.u8, root + R_BUCKETS, copy);
}
