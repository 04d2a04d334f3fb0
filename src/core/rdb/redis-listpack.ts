// Redis's own listpack byte format (listpack.c), as RDB files and DUMP payloads carry hashes, sorted sets and
// list nodes: a 6-byte header (total bytes, element count, little-endian), entries each followed by their
// back-length, and 0xFF. Integers are stored in the smallest integer encoding, as lpAppend does with a string
// that string2ll accepts. Also Redis's intset (intset.c: encoding, length, sorted little-endian integers).
// Pure byte codecs; the store's own compact encoding (store/listpack.ts) is a different format.

import { listpackEntryBytes } from '../store/listpack-size.js';
import { backlenBytes, lpEncode } from '../store/stream-listpack.js';
import { RdbFormatError } from './format.js';

const EOF = 0xff;

/** The bytes `element` takes in a listpack: its entry (integer or string encoding) and its back length. */
export function listpackEntrySize(element: Uint8Array): number {
  return listpackEntryBytes(element, 0, element.length);
}

/** A listpack of `elements`, in order. */
export function encodeListpack(elements: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [Buffer.alloc(6)];
  let total = 6;
  for (const element of elements) {
    const entry = lpEncode(element); // string2ll's integers in their integer forms, with the back-length
    parts.push(entry);
    total += entry.length;
  }
  parts.push(Buffer.from([EOF]));
  total += 1;
  const out = Buffer.concat(parts, total);
  out.writeUInt32LE(total, 0);
  out.writeUInt16LE(Math.min(elements.length, 65535), 4);
  return out;
}

/** The elements of a listpack, integers as their decimal text. Throws RdbFormatError on a malformed one. */
export function decodeListpack(lp: Buffer): Buffer[] {
  if (lp.length < 7) throw new RdbFormatError('listpack too short');
  const total = lp.readUInt32LE(0);
  if (total !== lp.length) throw new RdbFormatError('listpack length mismatch');
  const count = lp.readUInt16LE(4);
  const out: Buffer[] = [];
  let p = 6;
  const fail = (): never => {
    throw new RdbFormatError('malformed listpack entry');
  };
  while (p < total && lp[p] !== EOF) {
    const start = p;
    const b = lp[p];
    let value: Buffer;
    if ((b & 0x80) === 0) {
      value = Buffer.from(String(b), 'latin1');
      p += 1;
    } else if ((b & 0xc0) === 0x80) {
      const length = b & 0x3f;
      if (p + 1 + length > total) fail();
      value = Buffer.from(lp.subarray(p + 1, p + 1 + length));
      p += 1 + length;
    } else if ((b & 0xe0) === 0xc0) {
      if (p + 2 > total) fail();
      let v = ((b & 0x1f) << 8) | lp[p + 1];
      if (v >= 4096) v -= 8192;
      value = Buffer.from(String(v), 'latin1');
      p += 2;
    } else if ((b & 0xf0) === 0xe0) {
      if (p + 2 > total) fail();
      const length = ((b & 0x0f) << 8) | lp[p + 1];
      if (p + 2 + length > total) fail();
      value = Buffer.from(lp.subarray(p + 2, p + 2 + length));
      p += 2 + length;
    } else if (b === 0xf0) {
      if (p + 5 > total) fail();
      const length = lp.readUInt32LE(p + 1);
      if (p + 5 + length > total) fail();
      value = Buffer.from(lp.subarray(p + 5, p + 5 + length));
      p += 5 + length;
    } else if (b === 0xf1) {
      if (p + 3 > total) fail();
      value = Buffer.from(String(lp.readInt16LE(p + 1)), 'latin1');
      p += 3;
    } else if (b === 0xf2) {
      if (p + 4 > total) fail();
      value = Buffer.from(String(lp.readIntLE(p + 1, 3)), 'latin1');
      p += 4;
    } else if (b === 0xf3) {
      if (p + 5 > total) fail();
      value = Buffer.from(String(lp.readInt32LE(p + 1)), 'latin1');
      p += 5;
    } else if (b === 0xf4) {
      if (p + 9 > total) fail();
      value = Buffer.from(String(lp.readBigInt64LE(p + 1)), 'latin1');
      p += 9;
    } else {
      return fail();
    }
    p += backlenBytes(p - start);
    out.push(value);
  }
  if (p !== total - 1 || lp[p] !== EOF) fail();
  if (count !== 65535 && count !== out.length) fail();
  return out;
}

/** An intset of `members` (integers that fit 64 bits), in the smallest encoding, sorted. */
export function encodeIntset(members: readonly bigint[]): Buffer {
  const sorted = [...members].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const n of sorted) {
    if (n < -(2n ** 31n) || n >= 2n ** 31n) width = 8;
    else if ((n < -32768n || n > 32767n) && width < 4) width = 4;
  }
  const out = Buffer.alloc(8 + width * sorted.length);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(sorted.length, 4);
  sorted.forEach((n, i) => {
    const at = 8 + i * width;
    if (width === 2) out.writeInt16LE(Number(n), at);
    else if (width === 4) out.writeInt32LE(Number(n), at);
    else out.writeBigInt64LE(n, at);
  });
  return out;
}

/** The members of an intset as decimal text. */
export function decodeIntset(bytes: Buffer): Buffer[] {
  if (bytes.length < 8) throw new RdbFormatError('intset too short');
  const width = bytes.readUInt32LE(0);
  const length = bytes.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || bytes.length !== 8 + width * length) {
    throw new RdbFormatError('malformed intset');
  }
  const out: Buffer[] = [];
  for (let i = 0; i < length; i++) {
    const at = 8 + i * width;
    const n =
      width === 2 ? bytes.readInt16LE(at) : width === 4 ? bytes.readInt32LE(at) : bytes.readBigInt64LE(at);
    out.push(Buffer.from(String(n), 'latin1'));
  }
  return out;
}
