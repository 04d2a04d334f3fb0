// The RDB's primitive decodings (rdb.c rdbLoadLen, rdbGenericLoadStringObject with its integer and LZF forms,
// rdbLoadBinaryDoubleValue, rdbLoadDoubleValue, rdbLoadMillisecondTime) over one in-memory buffer. Every read
// is bounds-checked: a short or malformed input throws RdbFormatError, never reads past the end.

import { lzfDecompress } from './lzf.js';
import {
  ENCVAL,
  ENC_INT16,
  ENC_INT32,
  ENC_INT8,
  ENC_LZF,
  LEN_14BIT,
  LEN_32BIT,
  LEN_64BIT,
  LEN_6BIT,
  RdbFormatError,
} from './format.js';

export class RdbReader {
  constructor(
    readonly buffer: Buffer,
    public offset = 0,
    /** Where reading must stop (a DUMP payload's footer starts there). */
    readonly end = buffer.length,
  ) {}

  private need(bytes: number): void {
    if (this.offset + bytes > this.end) throw new RdbFormatError('Unexpected EOF reading RDB file');
  }

  byte(): number {
    this.need(1);
    return this.buffer[this.offset++];
  }

  bytes(length: number): Buffer {
    this.need(length);
    const out = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** rdbLoadLenByRef: the length, or the special encoding when `encoded` is set on the result. */
  private lenOrEncoding(): { value: number; encoded: boolean } {
    const first = this.byte();
    const kind = first >> 6;
    if (kind === LEN_6BIT) return { value: first & 0x3f, encoded: false };
    if (kind === LEN_14BIT) return { value: ((first & 0x3f) << 8) | this.byte(), encoded: false };
    if (kind === ENCVAL) return { value: first & 0x3f, encoded: true };
    if (first === LEN_32BIT) {
      this.need(4);
      const value = this.buffer.readUInt32BE(this.offset);
      this.offset += 4;
      return { value, encoded: false };
    }
    if (first === LEN_64BIT) {
      this.need(8);
      const value = this.buffer.readBigUInt64BE(this.offset);
      this.offset += 8;
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbFormatError('Length too large');
      return { value: Number(value), encoded: false };
    }
    throw new RdbFormatError(`Unknown length encoding ${first} in rdbLoadLen()`);
  }

  /** rdbLoadLen of a full 64-bit value (stream IDs), as a bigint. */
  lenBig(): bigint {
    this.need(1);
    const first = this.buffer[this.offset];
    if (first === LEN_64BIT) {
      this.byte();
      this.need(8);
      const value = this.buffer.readBigUInt64BE(this.offset);
      this.offset += 8;
      return value;
    }
    return BigInt(this.len());
  }

  len(): number {
    const { value, encoded } = this.lenOrEncoding();
    if (encoded) throw new RdbFormatError('Unexpected encoded length');
    return value;
  }

  /**
   * A string in any of its forms, as bytes (an encoded integer as its decimal text). A plain string is a view
   * of the input, not a copy: callers store it (the store copies) or copy what they keep.
   */
  string(): Buffer {
    const { value, encoded } = this.lenOrEncoding();
    if (!encoded) return this.bytes(value);
    switch (value) {
      case ENC_INT8:
        return Buffer.from(String(this.bytes(1).readInt8(0)), 'latin1');
      case ENC_INT16:
        return Buffer.from(String(this.bytes(2).readInt16LE(0)), 'latin1');
      case ENC_INT32:
        return Buffer.from(String(this.bytes(4).readInt32LE(0)), 'latin1');
      case ENC_LZF: {
        const compressed = this.len();
        const length = this.len();
        const out = lzfDecompress(this.bytes(compressed), length);
        if (out === null) throw new RdbFormatError('Invalid LZF compressed string');
        return out;
      }
      default:
        throw new RdbFormatError(`Unknown RDB string encoding type ${value}`);
    }
  }

  millis(): number {
    this.need(8);
    const value = this.buffer.readBigInt64LE(this.offset);
    this.offset += 8;
    return Number(value);
  }

  /** RDB_OPCODE_EXPIRETIME's seconds (version < 9 files). */
  seconds(): number {
    this.need(4);
    const value = this.buffer.readInt32LE(this.offset);
    this.offset += 4;
    return value * 1000;
  }

  binaryDouble(): number {
    this.need(8);
    const value = this.buffer.readDoubleLE(this.offset);
    this.offset += 8;
    return value;
  }

  /** rdbLoadDoubleValue (RDB_TYPE_ZSET): a length byte then ASCII; 253 nan, 254 +inf, 255 -inf. */
  asciiDouble(): number {
    const length = this.byte();
    if (length === 253) return NaN;
    if (length === 254) return Infinity;
    if (length === 255) return -Infinity;
    return Number(this.bytes(length).toString('latin1'));
  }
}
