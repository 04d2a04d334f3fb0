// Redis's listpack byte format (listpack.c) read and edited in place, for a stream's nodes: a 6-byte header
// (total bytes, element count, little-endian), entries each followed by their back-length, and 0xFF. A stream
// node is kept byte for byte as Redis keeps it, so its size decides node boundaries exactly as Redis's does
// (stream-node-max-bytes), and RDB and DUMP carry it as it is. Positions are byte offsets into the array given;
// the caller owns the block around the listpack and its room to grow. Pure byte codec: no arena, no locks.

const EOF = 0xff;
/** LP_HDR_NUMELE_UNKNOWN: the header's count once it reached 65535. */
const COUNT_UNKNOWN = 65535;
export const LP_HEADER = 6;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function lpTotalBytes(u8: Uint8Array, lp: number): number {
  return (u8[lp] | (u8[lp + 1] << 8) | (u8[lp + 2] << 16) | (u8[lp + 3] << 24)) >>> 0;
}

function setTotalBytes(u8: Uint8Array, lp: number, total: number): void {
  u8[lp] = total & 0xff;
  u8[lp + 1] = (total >>> 8) & 0xff;
  u8[lp + 2] = (total >>> 16) & 0xff;
  u8[lp + 3] = total >>> 24;
}

/** lpEncodeBacklen's size: the bytes that store an entry's length backwards. */
export function backlenBytes(length: number): number {
  if (length <= 127) return 1;
  if (length < 16383) return 2;
  if (length < 2097151) return 3;
  if (length < 268435455) return 4;
  return 5;
}

/** The encoding and data bytes of the element at p (without its back-length). */
function encodedLength(u8: Uint8Array, p: number): number {
  const b = u8[p];
  if (b < 0x80) return 1;
  if (b < 0xc0) return 1 + (b & 0x3f);
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 2 + (((b & 0x0f) << 8) | u8[p + 1]);
  switch (b) {
    case 0xf0:
      return 5 + ((u8[p + 1] | (u8[p + 2] << 8) | (u8[p + 3] << 16) | (u8[p + 4] << 24)) >>> 0);
    case 0xf1:
      return 3;
    case 0xf2:
      return 4;
    case 0xf3:
      return 5;
    case 0xf4:
      return 9;
  }
  throw new Error(`corrupt listpack element 0x${b.toString(16)}`);
}

/** The whole bytes of the element at p, back-length included. */
function elementBytes(u8: Uint8Array, p: number): number {
  const length = encodedLength(u8, p);
  return length + backlenBytes(length);
}

/** lpFirst: the first element, or -1 for an empty listpack. */
export function lpFirst(u8: Uint8Array, lp: number): number {
  return u8[lp + LP_HEADER] === EOF ? -1 : lp + LP_HEADER;
}

/** lpNext: the element after p, or -1 past the last. */
export function lpNext(u8: Uint8Array, p: number): number {
  const next = p + elementBytes(u8, p);
  return u8[next] === EOF ? -1 : next;
}

/** lpPrev: the element before p, or -1 before the first (lp: the listpack's start). */
export function lpPrev(u8: Uint8Array, lp: number, p: number): number {
  if (p === lp + LP_HEADER) return -1;
  let at = p - 1;
  let length = 0;
  let shift = 0;
  for (;;) {
    const b = u8[at];
    length += (b & 127) * 2 ** shift;
    if (b < 128) break;
    shift += 7;
    at--;
  }
  return p - backlenBytes(length) - length;
}

/** lpLast: the last element, or -1 for an empty listpack. */
export function lpLast(u8: Uint8Array, lp: number): number {
  const end = lp + lpTotalBytes(u8, lp) - 1;
  return lpPrev(u8, lp, end);
}

/** The element at p as an integer, when it is stored as one (the integer encodings), else null. */
export function lpInteger(u8: Uint8Array, p: number): bigint | null {
  const b = u8[p];
  if (b < 0x80) return BigInt(b);
  if (b >= 0xc0 && b < 0xe0) {
    let v = ((b & 0x1f) << 8) | u8[p + 1];
    if (v >= 4096) v -= 8192;
    return BigInt(v);
  }
  const view = Buffer.from(u8.buffer, u8.byteOffset + p + 1, 8 > u8.length - p - 1 ? u8.length - p - 1 : 8);
  switch (b) {
    case 0xf1:
      return BigInt(view.readInt16LE(0));
    case 0xf2:
      return BigInt(view.readIntLE(0, 3));
    case 0xf3:
      return BigInt(view.readInt32LE(0));
    case 0xf4:
      return view.readBigInt64LE(0);
  }
  return null;
}

/**
 * The element at p as a number, without a bigint: exact for every integer encoding up to 32 bits and for 64-bit
 * ones within ±2^53; NaN for a 64-bit one beyond that, or a string.
 */
export function lpNumber(u8: Uint8Array, p: number): number {
  const b = u8[p];
  if (b < 0x80) return b;
  if (b >= 0xc0 && b < 0xe0) {
    const v = ((b & 0x1f) << 8) | u8[p + 1];
    return v >= 4096 ? v - 8192 : v;
  }
  switch (b) {
    case 0xf1:
      return ((u8[p + 1] | (u8[p + 2] << 8)) << 16) >> 16;
    case 0xf2:
      return ((u8[p + 1] | (u8[p + 2] << 8) | (u8[p + 3] << 16)) << 8) >> 8;
    case 0xf3:
      return u8[p + 1] | (u8[p + 2] << 8) | (u8[p + 3] << 16) | (u8[p + 4] << 24);
    case 0xf4: {
      const lo = (u8[p + 1] | (u8[p + 2] << 8) | (u8[p + 3] << 16) | (u8[p + 4] << 24)) >>> 0;
      const hi = u8[p + 5] | (u8[p + 6] << 8) | (u8[p + 7] << 16) | (u8[p + 8] << 24);
      const n = hi * 0x100000000 + lo;
      return Number.isSafeInteger(n) ? n : NaN;
    }
  }
  return NaN;
}

/** The element at p as a small number (counts and flags: always stored as integers a stream writes). */
export function lpSmall(u8: Uint8Array, p: number): number {
  const n = lpInteger(u8, p);
  if (n === null) throw new Error('stream listpack: integer expected');
  return Number(n);
}

/** `length` bytes at `at` in a Buffer of their own: short ones copied by hand, without a subarray view. */
function copyOut(u8: Uint8Array, at: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  if (length > 64) out.set(u8.subarray(at, at + length));
  else for (let i = 0; i < length; i++) out[i] = u8[at + i];
  return out;
}

/** lpGet: the element's bytes (an integer as its decimal text), copied out. */
export function lpBytes(u8: Uint8Array, p: number): Buffer {
  const b = u8[p];
  if (b >= 0x80 && b < 0xc0) return copyOut(u8, p + 1, b & 0x3f);
  if (b >= 0xe0 && b < 0xf0) return copyOut(u8, p + 2, ((b & 0x0f) << 8) | u8[p + 1]);
  if (b === 0xf0) {
    return copyOut(u8, p + 5, (u8[p + 1] | (u8[p + 2] << 8) | (u8[p + 3] << 16) | (u8[p + 4] << 24)) >>> 0);
  }
  return Buffer.from(String(lpInteger(u8, p)), 'latin1');
}

/** Whether the element at p spells `bytes` (lpGet then memcmp). */
export function lpEquals(u8: Uint8Array, p: number, bytes: Uint8Array): boolean {
  const b = u8[p];
  let start: number;
  let length: number;
  if (b >= 0x80 && b < 0xc0) {
    start = p + 1;
    length = b & 0x3f;
  } else if (b >= 0xe0 && b < 0xf0) {
    start = p + 2;
    length = ((b & 0x0f) << 8) | u8[p + 1];
  } else if (b === 0xf0) {
    start = p + 5;
    length = encodedLength(u8, p) - 5;
  } else return Buffer.from(bytes).equals(lpBytes(u8, p));
  if (length !== bytes.length) return false;
  for (let i = 0; i < length; i++) if (u8[start + i] !== bytes[i]) return false;
  return true;
}

// ---- Encoding ----

/** lpStringToInt64: the integer a string spells canonically within 64 bits (lpAppend stores it as one). */
function stringAsInteger(bytes: Uint8Array): bigint | null {
  const length = bytes.length;
  if (length === 0 || length > 20) return null;
  let i = 0;
  if (bytes[0] === 0x2d) {
    if (length === 1) return null;
    i = 1;
  }
  if (bytes[i] === 0x30 && length > i + 1) return null; // leading zero
  if (bytes[i] === 0x30 && i === 1) return null; // "-0"
  for (let j = i; j < length; j++) if (bytes[j] < 0x30 || bytes[j] > 0x39) return null;
  const n = BigInt(Buffer.from(bytes).toString('latin1'));
  return n >= INT64_MIN && n <= INT64_MAX ? n : null;
}

/** The encoding and data of an integer, smallest first (lpEncodeIntegerGetType); RDB's listpacks use it too. */
export function encodeListpackInteger(n: bigint): Buffer {
  if (n >= 0n && n <= 127n) return Buffer.from([Number(n)]);
  if (n >= -4096n && n <= 4095n) {
    const v = Number(n) & 0x1fff;
    return Buffer.from([0xc0 | (v >> 8), v & 0xff]);
  }
  if (n >= -32768n && n <= 32767n) {
    const out = Buffer.alloc(3);
    out[0] = 0xf1;
    out.writeInt16LE(Number(n), 1);
    return out;
  }
  if (n >= -8388608n && n <= 8388607n) {
    const out = Buffer.alloc(4);
    out[0] = 0xf2;
    out.writeIntLE(Number(n), 1, 3);
    return out;
  }
  if (n >= -(2n ** 31n) && n < 2n ** 31n) {
    const out = Buffer.alloc(5);
    out[0] = 0xf3;
    out.writeInt32LE(Number(n), 1);
    return out;
  }
  const out = Buffer.alloc(9);
  out[0] = 0xf4;
  out.writeBigInt64LE(n, 1);
  return out;
}

function encodeString(bytes: Uint8Array): Buffer {
  const length = bytes.length;
  let head: Buffer;
  if (length < 64) head = Buffer.from([0x80 | length]);
  else if (length < 4096) head = Buffer.from([0xe0 | (length >> 8), length & 0xff]);
  else {
    head = Buffer.alloc(5);
    head[0] = 0xf0;
    head.writeUInt32LE(length, 1);
  }
  return Buffer.concat([head, bytes]);
}

/** An encoded element with its back-length: lpAppendInteger's for a bigint, lpAppend's for bytes. */
export function lpEncode(value: bigint | Uint8Array): Buffer {
  let encoded: Buffer;
  if (typeof value === 'bigint') encoded = encodeListpackInteger(value);
  else {
    const n = stringAsInteger(value);
    encoded = n === null ? encodeString(value) : encodeListpackInteger(n);
  }
  const size = backlenBytes(encoded.length);
  const out = Buffer.allocUnsafe(encoded.length + size);
  encoded.copy(out, 0);
  for (let i = size - 1, l = encoded.length; i >= 0; i--, l = Math.floor(l / 128)) {
    out[encoded.length + i] = (l & 127) | (i === 0 ? 0 : 128);
  }
  return out;
}

// ---- Writing in place (XADD's hot path: no Buffer per element) ----

/** What lpAppend stores: an integer (a number within 32 bits is written without a bigint) or bytes. */
export type ListpackValue = number | bigint | Uint8Array;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** lpStringToInt64 for short strings, as a number: up to 15 digits, so exact; null when not canonical. */
function shortStringAsNumber(bytes: Uint8Array): number | null {
  const length = bytes.length;
  if (length === 0 || length > 15) return null;
  let i = 0;
  if (bytes[0] === 0x2d) {
    if (length === 1) return null;
    i = 1;
  }
  if (bytes[i] === 0x30 && (length > i + 1 || i === 1)) return null; // leading zero, "-0"
  let n = 0;
  for (let j = i; j < length; j++) {
    const d = bytes[j] - 0x30;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return i === 1 ? -n : n;
}

/** The encoding bytes (without back-length) of an integer within 32 bits. */
function int32EncodedLength(n: number): number {
  if (n >= 0 && n <= 127) return 1;
  if (n >= -4096 && n <= 4095) return 2;
  if (n >= -32768 && n <= 32767) return 3;
  if (n >= -8388608 && n <= 8388607) return 4;
  return 5;
}

/** A value as lpAppend would store it: an int32 number, a bigint, or string bytes (null: use lpEncode). */
function normalise(value: ListpackValue): number | null {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX ? value : null;
  if (typeof value === 'bigint') return null;
  const n = value.length <= 15 ? shortStringAsNumber(value) : null;
  return n !== null && n >= INT32_MIN && n <= INT32_MAX ? n : null;
}

function stringEncodedLength(length: number): number {
  return length < 64 ? 1 + length : length < 4096 ? 2 + length : 5 + length;
}

/** Whether bytes are stored as a string (not an integer lpStringToInt64 would take). */
function storedAsString(bytes: Uint8Array): boolean {
  const first = bytes.length === 0 ? 0 : bytes[0];
  // Only strings that start with a digit or '-' can be integers: the rest skip the parse.
  if (!(first === 0x2d || (first >= 0x30 && first <= 0x39))) return true;
  return stringAsInteger(bytes) === null;
}

/** The bytes lpAppend adds for `value`, back-length included. */
export function lpElementSize(value: ListpackValue): number {
  const n = normalise(value);
  let length: number;
  if (n !== null) length = int32EncodedLength(n);
  else if (typeof value !== 'number' && typeof value !== 'bigint' && storedAsString(value)) {
    length = stringEncodedLength(value.length);
  } else return lpEncode(typeof value === 'number' ? BigInt(value) : value).length;
  return length + backlenBytes(length);
}

function writeBacklen(u8: Uint8Array, at: number, length: number): number {
  const size = backlenBytes(length);
  for (let i = size - 1, l = length; i >= 0; i--, l = Math.floor(l / 128)) {
    u8[at + i] = (l & 127) | (i === 0 ? 0 : 128);
  }
  return at + size;
}

/** Writes `value` as an element at `at`; returns the position after it. */
function writeElement(u8: Uint8Array, at: number, value: ListpackValue): number {
  const n = normalise(value);
  if (n !== null) {
    const start = at;
    if (n >= 0 && n <= 127) u8[at++] = n;
    else if (n >= -4096 && n <= 4095) {
      const v = n & 0x1fff;
      u8[at++] = 0xc0 | (v >> 8);
      u8[at++] = v & 0xff;
    } else {
      const bytes = n >= -32768 && n <= 32767 ? 2 : n >= -8388608 && n <= 8388607 ? 3 : 4;
      u8[at++] = bytes === 2 ? 0xf1 : bytes === 3 ? 0xf2 : 0xf3;
      for (let k = 0; k < bytes; k++) u8[at++] = (n >> (8 * k)) & 0xff;
    }
    return writeBacklen(u8, at, at - start);
  }
  if (typeof value !== 'number' && typeof value !== 'bigint' && storedAsString(value)) {
    const length = value.length;
    const start = at;
    if (length < 64) u8[at++] = 0x80 | length;
    else if (length < 4096) {
      u8[at++] = 0xe0 | (length >> 8);
      u8[at++] = length & 0xff;
    } else {
      u8[at++] = 0xf0;
      u8[at++] = length & 0xff;
      u8[at++] = (length >>> 8) & 0xff;
      u8[at++] = (length >>> 16) & 0xff;
      u8[at++] = length >>> 24;
    }
    u8.set(value, at);
    at += length;
    return writeBacklen(u8, at, at - start);
  }
  const encoded = lpEncode(typeof value === 'number' ? BigInt(value) : value);
  u8.set(encoded, at);
  return at + encoded.length;
}

/**
 * Appends values before the end marker, each encoded where it lands (lpAppend's encodings: an integer-looking
 * string is stored as the integer). The block must have room for lpElementSize of each; returns the new total.
 */
export function lpAppendValues(u8: Uint8Array, lp: number, values: readonly ListpackValue[]): number {
  let at = lp + lpTotalBytes(u8, lp) - 1;
  for (const value of values) at = writeElement(u8, at, value);
  u8[at] = EOF;
  const total = at + 1 - lp;
  setTotalBytes(u8, lp, total);
  addCount(u8, lp, values.length);
  return total;
}

/** A new empty listpack's bytes (lpNew). */
export function lpEmpty(): Buffer {
  const out = Buffer.from([7, 0, 0, 0, 0, 0, EOF]);
  return out;
}

function addCount(u8: Uint8Array, lp: number, delta: number): void {
  const count = u8[lp + 4] | (u8[lp + 5] << 8);
  if (count === COUNT_UNKNOWN) return;
  const next = count + delta;
  const stored = next >= COUNT_UNKNOWN ? COUNT_UNKNOWN : next;
  u8[lp + 4] = stored & 0xff;
  u8[lp + 5] = stored >> 8;
}

/**
 * Appends encoded elements (lpEncode's) before the end marker. The block must have room for their bytes; returns
 * the listpack's new total bytes.
 */
export function lpAppendEncoded(u8: Uint8Array, lp: number, elements: readonly Buffer[]): number {
  let at = lp + lpTotalBytes(u8, lp) - 1;
  for (const element of elements) {
    u8.set(element, at);
    at += element.length;
  }
  u8[at] = EOF;
  const total = at + 1 - lp;
  setTotalBytes(u8, lp, total);
  addCount(u8, lp, elements.length);
  return total;
}

/**
 * lpReplaceInteger: the element at p becomes the integer n, the bytes after it moved if its size changes. The
 * block must have room for the growth (at most 9 bytes). Returns the change in total bytes.
 */
export function lpReplaceInteger(u8: Uint8Array, lp: number, p: number, n: bigint | number): number {
  const size = lpElementSize(n);
  const old = elementBytes(u8, p);
  const total = lpTotalBytes(u8, lp);
  const delta = size - old;
  if (delta !== 0) u8.copyWithin(p + size, p + old, lp + total);
  writeElement(u8, p, n);
  if (delta !== 0) setTotalBytes(u8, lp, total + delta);
  return delta;
}
