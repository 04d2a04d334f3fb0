// The RDB's primitive encodings as Redis writes them (rdb.c rdbSaveLen, rdbSaveRawString with its integer and
// LZF forms, rdbSaveBinaryDoubleValue, rdbSaveMillisecondTime) into a growable byte buffer that a caller drains
// in pieces (take) so a large file is written and checksummed as it is built. Knows no value types.

import { deadlineInt64 } from '../deadline-int64.js';
import { lzfCompress } from './lzf.js';
import { ENCVAL, ENC_INT16, ENC_INT32, ENC_INT8, ENC_LZF, LEN_32BIT, LEN_64BIT } from './format.js';

export class RdbWriter {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private length = 0;

  constructor(readonly compress: boolean) {}

  get size(): number {
    return this.length;
  }

  /** The bytes written since the last take. */
  take(): Buffer {
    const out = Buffer.from(this.buffer.subarray(0, this.length));
    this.length = 0;
    return out;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  bytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** rdbSaveLen: 6, 14, 32 or 64 bits, big-endian past the first byte. */
  len(value: number): void {
    this.reserve(9);
    const b = this.buffer;
    if (value < 1 << 6) {
      b[this.length++] = value;
    } else if (value < 1 << 14) {
      b[this.length++] = ((value >> 8) & 0x3f) | 0x40;
      b[this.length++] = value & 0xff;
    } else if (value <= 0xffffffff) {
      b[this.length++] = LEN_32BIT;
      b.writeUInt32BE(value, this.length);
      this.length += 4;
    } else {
      b[this.length++] = LEN_64BIT;
      b.writeBigUInt64BE(BigInt(value), this.length);
      this.length += 8;
    }
  }

  /** rdbSaveLen of a full 64-bit value (stream IDs). */
  lenBig(value: bigint): void {
    if (value <= 0xffffffffn) {
      this.len(Number(value));
      return;
    }
    this.reserve(9);
    this.buffer[this.length++] = LEN_64BIT;
    this.buffer.writeBigUInt64BE(value, this.length);
    this.length += 8;
  }

  /** rdbSaveMillisecondTime / binary double: 8 bytes little-endian (a deadline kept within int64). */
  millis(value: number): void {
    this.reserve(8);
    this.buffer.writeBigInt64LE(deadlineInt64(value), this.length);
    this.length += 8;
  }

  double(value: number): void {
    this.reserve(8);
    this.buffer.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  /**
   * rdbSaveRawString: an integer-looking string of up to 11 bytes as an encoded integer, a string over 20
   * bytes LZF-compressed when compression is on and it fits in length - 4, else length and bytes.
   */
  string(value: Uint8Array): void {
    if (value.length <= 11 && value.length > 0 && this.integer(value)) return;
    if (this.compress && value.length > 20) {
      const compressed = lzfCompress(value);
      if (compressed !== null) {
        this.byte((ENCVAL << 6) | ENC_LZF);
        this.len(compressed.length);
        this.len(value.length);
        this.bytes(compressed);
        return;
      }
    }
    this.len(value.length);
    this.bytes(value);
  }

  /** rdbTryIntegerEncoding: a canonical decimal in 32 bits, written in 1, 2 or 4 bytes. */
  private integer(value: Uint8Array): boolean {
    const n = canonicalInt32(value);
    if (n === null) return false;
    this.reserve(5);
    const b = this.buffer;
    if (n >= -128 && n <= 127) {
      b[this.length++] = (ENCVAL << 6) | ENC_INT8;
      b.writeInt8(n, this.length);
      this.length += 1;
    } else if (n >= -32768 && n <= 32767) {
      b[this.length++] = (ENCVAL << 6) | ENC_INT16;
      b.writeInt16LE(n, this.length);
      this.length += 2;
    } else {
      b[this.length++] = (ENCVAL << 6) | ENC_INT32;
      b.writeInt32LE(n, this.length);
      this.length += 4;
    }
    return true;
  }
}

/** The 32-bit integer `bytes` spell canonically (string2ll then printed back identically), else null. */
function canonicalInt32(bytes: Uint8Array): number | null {
  let i = 0;
  const negative = bytes[0] === 0x2d;
  if (negative) i = 1;
  if (i >= bytes.length) return null;
  if (bytes[i] === 0x30 && bytes.length > i + 1) return null; // leading zero
  if (negative && bytes[i] === 0x30) return null; // "-0"
  let n = 0;
  for (; i < bytes.length; i++) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  if (negative) n = -n;
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : null;
}
