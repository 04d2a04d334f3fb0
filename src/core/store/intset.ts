// The compact encoding of small sets of integers, Redis's intset (intset.c): a uint32 width in bytes (2, 4 or 8),
// a uint32 count, then the members sorted ascending as little-endian signed integers of that width, all in the
// entry's own value bytes. Every member has the width the widest one needs; a wider member upgrades them all
// and the width never shrinks (as intsetUpgradeAndAdd). Lookups are binary searches. A change builds the new
// bytes (O(n), as Redis's realloc and memmove), which the caller stores. Pure byte codec: no arena, no locks.

import { readU32 as read32 } from './byte-words.js';

/** Bytes before the first member: width and count. */
export const INTSET_HEADER = 8;

export type IntsetWidth = 2 | 4 | 8;

const INT16_MIN = -32768n;
const INT16_MAX = 32767n;
const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

/** The width a value needs (intset.c _intsetValueEncoding). */
export function widthOf(value: bigint): IntsetWidth {
  if (value < INT32_MIN || value > INT32_MAX) return 8;
  if (value < INT16_MIN || value > INT16_MAX) return 4;
  return 2;
}

export function intsetWidth(u8: Uint8Array, at: number): IntsetWidth {
  return read32(u8, at) as IntsetWidth;
}

export function intsetLength(u8: Uint8Array, at: number): number {
  return read32(u8, at + 4);
}

/** Bytes of an intset of `length` members of `width`. */
export function intsetBytes(length: number, width: IntsetWidth): number {
  return INTSET_HEADER + length * width;
}

/** Member i as a number (exact for widths 2 and 4; for width 8 use intsetGet). */
function readSmall(u8: Uint8Array, pos: number, width: 2 | 4): number {
  if (width === 2) return ((u8[pos] | (u8[pos + 1] << 8)) << 16) >> 16;
  return u8[pos] | (u8[pos + 1] << 8) | (u8[pos + 2] << 16) | (u8[pos + 3] << 24);
}

function readWide(u8: Uint8Array, pos: number): bigint {
  const low = read32(u8, pos);
  const high = u8[pos + 4] | (u8[pos + 5] << 8) | (u8[pos + 6] << 16) | (u8[pos + 7] << 24);
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Member i (0 <= i < length). */
export function intsetGet(u8: Uint8Array, at: number, i: number): bigint {
  const width = intsetWidth(u8, at);
  const pos = at + INTSET_HEADER + i * width;
  return width === 8 ? readWide(u8, pos) : BigInt(readSmall(u8, pos, width));
}

/** Member i as its decimal bytes, as Redis replies with an intset member (addReplyBulkLongLong). */
export function intsetMember(u8: Uint8Array, at: number, i: number): Buffer {
  const width = intsetWidth(u8, at);
  const pos = at + INTSET_HEADER + i * width;
  return Buffer.from(String(width === 8 ? readWide(u8, pos) : readSmall(u8, pos, width)), 'latin1');
}

/** Every member's decimal bytes, ascending. */
export function intsetMembers(u8: Uint8Array, at: number): Buffer[] {
  const length = intsetLength(u8, at);
  const out = new Array<Buffer>(length);
  for (let i = 0; i < length; i++) out[i] = intsetMember(u8, at, i);
  return out;
}

/**
 * Binary search (intset.c intsetSearch): the member's index if present, else -(insertion point) - 1. A value
 * wider than the intset's width is outside its range, so it is absent (before every member or after).
 */
export function intsetSearch(u8: Uint8Array, at: number, value: bigint): number {
  const width = intsetWidth(u8, at);
  const length = intsetLength(u8, at);
  const first = at + INTSET_HEADER;
  if (widthOf(value) > width) return value < 0n ? -1 : -length - 1;
  let low = 0;
  let high = length - 1;
  if (width === 8) {
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const current = readWide(u8, first + mid * 8);
      if (current < value) low = mid + 1;
      else if (current > value) high = mid - 1;
      else return mid;
    }
    return -low - 1;
  }
  const target = Number(value);
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const current = readSmall(u8, first + mid * width, width);
    if (current < target) low = mid + 1;
    else if (current > target) high = mid - 1;
    else return mid;
  }
  return -low - 1;
}

function writeMember(out: Uint8Array, pos: number, width: IntsetWidth, value: bigint): void {
  if (width === 8) {
    const bits = BigInt.asUintN(64, value);
    const low = Number(bits & 0xffffffffn);
    const high = Number(bits >> 32n);
    for (let i = 0; i < 4; i++) out[pos + i] = (low >>> (8 * i)) & 0xff;
    for (let i = 0; i < 4; i++) out[pos + 4 + i] = (high >>> (8 * i)) & 0xff;
    return;
  }
  const n = Number(value);
  out[pos] = n & 0xff;
  out[pos + 1] = (n >>> 8) & 0xff;
  if (width === 4) {
    out[pos + 2] = (n >>> 16) & 0xff;
    out[pos + 3] = (n >>> 24) & 0xff;
  }
}

function writeHeader(out: Uint8Array, width: IntsetWidth, length: number): void {
  const view = new DataView(out.buffer, out.byteOffset, INTSET_HEADER);
  view.setUint32(0, width, true);
  view.setUint32(4, length, true);
}

/** An intset of these values (sorted ascending, distinct), at least `minWidth` wide. */
export function encodeIntset(values: readonly bigint[], minWidth: IntsetWidth = 2): Buffer {
  let width = minWidth;
  for (const value of values) if (widthOf(value) > width) width = widthOf(value);
  const out = Buffer.allocUnsafe(intsetBytes(values.length, width));
  writeHeader(out, width, values.length);
  for (let i = 0; i < values.length; i++) writeMember(out, INTSET_HEADER + i * width, width, values[i]);
  return out;
}

/** An empty intset (Redis's intsetNew: 16-bit). */
export function emptyIntset(): Buffer {
  return encodeIntset([]);
}

/**
 * The intset at `at` with `value` added (intsetAdd), or null if it is already a member. A value wider than the
 * width upgrades every member (it then goes first if negative, else last: it is outside the old range).
 */
export function intsetWithAdded(u8: Uint8Array, at: number, value: bigint): Buffer | null {
  const width = intsetWidth(u8, at);
  const length = intsetLength(u8, at);
  const index = intsetSearch(u8, at, value);
  if (index >= 0) return null;
  const insertAt = -index - 1;
  const newWidth = widthOf(value) > width ? widthOf(value) : width;
  const out = Buffer.allocUnsafe(intsetBytes(length + 1, newWidth));
  writeHeader(out, newWidth, length + 1);
  const first = at + INTSET_HEADER;
  if (newWidth === width) {
    out.set(u8.subarray(first, first + insertAt * width), INTSET_HEADER);
    writeMember(out, INTSET_HEADER + insertAt * width, width, value);
    out.set(
      u8.subarray(first + insertAt * width, first + length * width),
      INTSET_HEADER + (insertAt + 1) * width,
    );
    return out;
  }
  for (let i = 0, j = 0; i <= length; i++) {
    const member = i === insertAt ? value : intsetGet(u8, at, j++);
    writeMember(out, INTSET_HEADER + i * newWidth, newWidth, member);
  }
  return out;
}

/** The intset at `at` without member `index` (intsetRemove; the width stays). */
export function intsetWithoutIndex(u8: Uint8Array, at: number, index: number): Buffer {
  const width = intsetWidth(u8, at);
  const length = intsetLength(u8, at);
  const first = at + INTSET_HEADER;
  const out = Buffer.allocUnsafe(intsetBytes(length - 1, width));
  writeHeader(out, width, length - 1);
  out.set(u8.subarray(first, first + index * width), INTSET_HEADER);
  out.set(u8.subarray(first + (index + 1) * width, first + length * width), INTSET_HEADER + index * width);
  return out;
}
