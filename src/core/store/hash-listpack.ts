// A small hash's compact encoding (Redis's OBJ_ENCODING_LISTPACK for hashes): field, value, field, value, ... in
// one listpack (listpack.ts) in the entry's own value bytes, in insertion order, as t_hash.c keeps it. Reading
// only, over a byte array and the listpack's offset; edits are splices of these bytes (container-bytes.ts)
// made by hashes.ts under the key's write lock. Knows no locks and no commands.

import {
  elementBuffer,
  elementLength,
  elementStart,
  firstElement,
  listpackCount,
  nextElement,
} from './listpack.js';

/** Fields in the listpack hash at `at` (its elements are pairs). */
export function listpackFields(u8: Uint8Array, at: number): number {
  return listpackCount(u8, at) / 2;
}

/**
 * Position of `field`'s element in the listpack hash at `at`, or -1 (its value is the next element). Every
 * HSET and HGET walks this, so an element shorter than 128 bytes (a one-byte length) is read inline.
 */
export function findListpackField(u8: Uint8Array, at: number, field: Uint8Array): number {
  const fields = listpackFields(u8, at);
  const n = field.length;
  let pos = firstElement(at);
  for (let i = 0; i < fields; i++) {
    let length = u8[pos];
    let start = pos + 1;
    if (length >= 0x80) {
      length = elementLength(u8, pos);
      start = elementStart(u8, pos);
    }
    if (length === n && sameBytes(u8, start, field)) return pos;
    pos = skipElement(u8, start + length);
  }
  return -1;
}

/** The position after the element at `pos`. */
export function skipElement(u8: Uint8Array, pos: number): number {
  const length = u8[pos];
  return length < 0x80 ? pos + 1 + length : nextElement(u8, pos);
}

function sameBytes(u8: Uint8Array, start: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (u8[start + i] !== bytes[i]) return false;
  return true;
}

/** The element at `pos` as a view (valid until the next allocation). */
export function elementView(u8: Uint8Array, pos: number): Uint8Array {
  const start = elementStart(u8, pos);
  return u8.subarray(start, start + elementLength(u8, pos));
}

/**
 * The listpack hash's fields, values or both (field, value, ...) copied out in order: HKEYS, HVALS, HGETALL
 * and HSCAN of a small hash.
 */
export function listpackPairs(u8: Uint8Array, at: number, fields: boolean, values: boolean): Buffer[] {
  const pairs = listpackFields(u8, at);
  const out: Buffer[] = [];
  let pos = firstElement(at);
  for (let i = 0; i < pairs; i++) {
    if (fields) out.push(elementBuffer(u8, pos));
    pos = nextElement(u8, pos);
    if (values) out.push(elementBuffer(u8, pos));
    pos = nextElement(u8, pos);
  }
  return out;
}

/** Bytes an element of `length` bytes takes in a listpack: its varint length header, then its bytes. */
export function elementBytes(length: number): number {
  let header = 1;
  for (let n = length; n >= 0x80; n = Math.floor(n / 0x80)) header++;
  return header + length;
}

/** Writes an element (varint length, then bytes) at `pos` of `out`; returns the position after it. */
export function writeElement(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  let n = bytes.length;
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[pos++] = n;
  out.set(bytes, pos);
  return pos + bytes.length;
}
