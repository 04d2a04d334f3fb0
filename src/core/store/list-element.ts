// How one list element is written inside a quicklist node: its length as a LEB128 varint, its bytes, then its
// length again with the varint's bytes in reverse order (a back-length, as Redis's listpack keeps), so a node
// can be walked from either end: LPOP and RPOP, LINDEX from the nearer end, LREM with a negative count. Pure
// byte codec over a Uint8Array and absolute byte positions; no arena, no locks.

import { bufferFromShared, copyIntoShared } from './shared-copy.js';

/** Bytes of the varint of `length`. */
export function varintBytes(length: number): number {
  let bytes = 1;
  while (length >= 0x80) {
    length = Math.floor(length / 0x80);
    bytes++;
  }
  return bytes;
}

/** Bytes an element of `length` bytes takes in a node (header, bytes, back-length). */
export function elementSize(length: number): number {
  return 2 * varintBytes(length) + length;
}

/** Writes `value` as an element at `at`; returns the position just past it. */
export function writeElement(u8: Uint8Array, at: number, value: Uint8Array): number {
  const length = value.length;
  let n = length;
  while (n >= 0x80) {
    u8[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  u8[at++] = n;
  copyIntoShared(u8, at, value);
  at += length;
  // The back-length: the same 7-bit groups, the lowest last, so a reader going backwards meets it first; every
  // group but the highest (the last one read) is flagged "more before me".
  const groups = varintBytes(length);
  for (let g = groups - 1; g >= 0; g--) {
    const bits = Math.floor(length / 2 ** (7 * g)) & 0x7f;
    u8[at++] = g < groups - 1 ? bits | 0x80 : bits;
  }
  return at;
}

/** Length of the element starting at `pos`. */
export function lengthAt(u8: Uint8Array, pos: number): number {
  let length = 0;
  let scale = 1;
  for (;;) {
    const byte = u8[pos++];
    length += (byte & 0x7f) * scale;
    if (byte < 0x80) return length;
    scale *= 0x80;
  }
}

/** Position of the first byte of the element starting at `pos`. */
export function bytesAt(u8: Uint8Array, pos: number): number {
  while (u8[pos] >= 0x80) pos++;
  return pos + 1;
}

/** Position just past the element starting at `pos`. */
export function elementEnd(u8: Uint8Array, pos: number): number {
  const length = lengthAt(u8, pos);
  return pos + 2 * varintBytes(length) + length;
}

/** Start of the element that ends just before `end`, read from its back-length. */
export function elementBefore(u8: Uint8Array, end: number): number {
  let p = end - 1;
  let byte = u8[p];
  let length = byte & 0x7f;
  let scale = 0x80;
  while (byte >= 0x80) {
    byte = u8[--p];
    length += (byte & 0x7f) * scale;
    scale *= 0x80;
  }
  return p - length - varintBytes(length);
}

/** A copy of the element starting at `pos`. */
export function readElement(u8: Uint8Array, pos: number): Buffer {
  const length = lengthAt(u8, pos);
  const start = bytesAt(u8, pos);
  return bufferFromShared(u8, start, length);
}

/** Whether the element starting at `pos` holds exactly `value`'s bytes. */
export function elementEquals(u8: Uint8Array, pos: number, value: Uint8Array): boolean {
  const length = lengthAt(u8, pos);
  if (length !== value.length) return false;
  const start = bytesAt(u8, pos);
  for (let i = 0; i < length; i++) if (u8[start + i] !== value[i]) return false;
  return true;
}
