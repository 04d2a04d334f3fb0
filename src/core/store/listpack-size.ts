// How many bytes an element takes in a Redis 7.0 listpack (listpack.c lpEncodeGetType / lpEncodeBacklen): a string
// that is a canonical 64-bit integer is stored as an integer of 1 to 9 bytes, any other string as a 1-, 2- or 5-byte
// length header and its bytes, each entry followed by its back-length. The quicklist keeps each node's listpack
// size by this count, so its nodes split where Redis's do (quicklist.ts); the RDB writer sizes its nodes by it.
// Pure: bytes in, a number out, nothing allocated for the usual short element.

import { backlenBytes } from './stream-listpack.js';

/** An empty listpack: its 6-byte header and its end byte. */
export const LISTPACK_EMPTY_BYTES = 7;

/** The integer u8[start, start + length) spells canonically (lpStringToInt64), or null. */
function canonicalInteger(u8: Uint8Array, start: number, length: number): number | bigint | null {
  if (length === 0 || length > 20) return null;
  let at = start;
  const end = start + length;
  const negative = u8[at] === 0x2d;
  if (negative) at++;
  if (at === end) return null;
  if (u8[at] === 0x30) return length === 1 ? 0 : null; // "0" only: no leading zeros, no "-0"
  let value = 0;
  for (let i = at; i < end; i++) {
    const digit = u8[i] - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  if (end - at < 16) return negative ? -value : value; // exact in a double
  let big = 0n;
  for (let i = at; i < end; i++) big = big * 10n + BigInt(u8[i] - 0x30);
  if (negative) big = -big;
  return big >= -(2n ** 63n) && big < 2n ** 63n ? big : null;
}

/** Bytes of the integer entry for `n` (lpEncodeGetType's 7-bit, 13-, 16-, 24-, 32- or 64-bit forms). */
function integerEntryBytes(n: number | bigint): number {
  if (n >= 0 && n <= 127) return 1;
  if (n >= -4096 && n <= 4095) return 2;
  if (n >= -32768 && n <= 32767) return 3;
  if (n >= -8388608 && n <= 8388607) return 4;
  if (n >= -2147483648 && n <= 2147483647) return 5;
  return 9;
}

/** Bytes the element u8[start, start + length) takes in a listpack, its back-length included. */
export function listpackEntryBytes(u8: Uint8Array, start: number, length: number): number {
  const n = canonicalInteger(u8, start, length);
  const entry = n !== null ? integerEntryBytes(n) : (length < 64 ? 1 : length < 4096 ? 2 : 5) + length;
  return entry + backlenBytes(entry);
}
