// The compact encoding of small containers (Redis's listpack): a sequence of byte strings in one contiguous run
// of bytes, the entry's own value, so a small hash, list or sorted set costs one block with its key. Layout:
// a uint32 count, then per element its length as a LEB128 varint and its bytes. Redis's listpack also stores
// small integers in fewer bytes and a back-length for walking from the tail; at the sizes this encoding is kept
// for (hash-max-listpack-entries and friends: 512 or 128 elements of 64 bytes by default) a forward walk is as fast.
// Pure byte codec: no arena, no locks. Positions are byte offsets into the array given.

import { readU32 } from './byte-words.js';

/** Bytes of the element count at the start of a listpack. */
export const LISTPACK_HEADER = 4;

/** An empty listpack. */
export const EMPTY_LISTPACK: Uint8Array = new Uint8Array(LISTPACK_HEADER);

export function listpackCount(u8: Uint8Array, at: number): number {
  return readU32(u8, at);
}

/** Position of the first element of the listpack at `at` (valid only if its count is above 0). */
export function firstElement(at: number): number {
  return at + LISTPACK_HEADER;
}

/** Byte length of the element at `pos` (its bytes follow its varint header). */
export function elementLength(u8: Uint8Array, pos: number): number {
  let length = 0;
  let shift = 0;
  for (;;) {
    const byte = u8[pos++];
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return length;
    shift += 7;
  }
}

/** Position of the element's first byte. */
export function elementStart(u8: Uint8Array, pos: number): number {
  while (u8[pos] >= 0x80) pos++;
  return pos + 1;
}

/** Position of the next element (or the end of the listpack after the last). */
export function nextElement(u8: Uint8Array, pos: number): number {
  return elementStart(u8, pos) + elementLength(u8, pos);
}

/** A copy of the element's bytes. */
export function elementBuffer(u8: Uint8Array, pos: number): Buffer {
  const start = elementStart(u8, pos);
  return Buffer.from(u8.subarray(start, start + elementLength(u8, pos)));
}

/** Whether the element's bytes are `bytes`. */
export function elementEquals(u8: Uint8Array, pos: number, bytes: Uint8Array): boolean {
  const length = elementLength(u8, pos);
  if (length !== bytes.length) return false;
  const start = elementStart(u8, pos);
  for (let i = 0; i < length; i++) if (u8[start + i] !== bytes[i]) return false;
  return true;
}

/** Every element of the listpack at `at`, copied out, in order. */
export function decodeListpack(u8: Uint8Array, at: number): Buffer[] {
  const count = listpackCount(u8, at);
  const out = new Array<Buffer>(count);
  let pos = firstElement(at);
  for (let i = 0; i < count; i++) {
    out[i] = elementBuffer(u8, pos);
    pos = nextElement(u8, pos);
  }
  return out;
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

/** Bytes a listpack of these elements takes (what encodeListpack returns). */
export function listpackBytes(elements: readonly Uint8Array[]): number {
  let total = LISTPACK_HEADER;
  for (const element of elements) total += varintBytes(element.length) + element.length;
  return total;
}

/** A listpack holding `elements` in order. */
export function encodeListpack(elements: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(listpackBytes(elements));
  out.writeUInt32LE(elements.length, 0);
  let pos = LISTPACK_HEADER;
  for (const element of elements) {
    let n = element.length;
    while (n >= 0x80) {
      out[pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 0x80);
    }
    out[pos++] = n;
    out.set(element, pos);
    pos += element.length;
  }
  return out;
}
