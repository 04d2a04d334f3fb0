// The number of bytes Redis 7.0 would write for a string value in an RDB file, which DEBUG OBJECT reports as
// serializedlength (rdb.c rdbSavedObjectLen -> rdbSaveStringObject): a small integer in 2, 3 or 5 bytes, a string
// longer than 20 bytes LZF-compressed when that saves at least 4 bytes (rdbcompression yes, Redis's default),
// else its length then its bytes. The compressed size is computed as lzf_c.c compresses (Redis's lzfP.h:
// HLOG 16, VERY_FAST, a hash table that starts empty: rdb/lzf.ts). Pure: bytes in, a number out.

import { lzfCompress } from './rdb/lzf.js';

/** rdb.c rdbSaveLen: the bytes a length takes. */
function lengthBytes(length: number): number {
  if (length < 1 << 6) return 1;
  if (length < 1 << 14) return 2;
  if (length <= 0xffffffff) return 5;
  return 9;
}

/** rdb.c rdbEncodeInteger: 2, 3 or 5 bytes for an integer in 8, 16 or 32 bits, 0 when it is larger. */
function integerBytes(value: bigint): number {
  if (value >= -(2n ** 7n) && value <= 2n ** 7n - 1n) return 2;
  if (value >= -(2n ** 15n) && value <= 2n ** 15n - 1n) return 3;
  if (value >= -(2n ** 31n) && value <= 2n ** 31n - 1n) return 5;
  return 0;
}

/** The integer the bytes spell canonically (string2ll, then printed back the same), else null. */
function canonical(bytes: Uint8Array): bigint | null {
  const text = Buffer.from(bytes).toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return null;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : null;
}

/**
 * serializedlength of a string value: `int` when Redis holds it as an integer object (OBJECT ENCODING int),
 * which is saved through its number rather than its bytes.
 */
export function serializedLength(value: Uint8Array, int: boolean): number {
  if (int) {
    // rdbSaveLongLongAsStringObject: as an encoded integer, or as the decimal string (no compression).
    const n = BigInt(Buffer.from(value).toString('latin1'));
    const bytes = integerBytes(n);
    return bytes > 0 ? bytes : lengthBytes(value.length) + value.length;
  }
  // rdbSaveRawString.
  if (value.length <= 11) {
    const n = canonical(value);
    if (n !== null && integerBytes(n) > 0) return integerBytes(n);
  }
  if (value.length > 20) {
    const compressed = lzfCompressedLength(value);
    // rdbSaveLzfBlob: type byte, compressed length, original length, then the compressed bytes.
    if (compressed > 0) return 1 + lengthBytes(compressed) + lengthBytes(value.length) + compressed;
  }
  return lengthBytes(value.length) + value.length;
}

/**
 * rdbSaveLzfStringObject's compression: the size lzf_compress writes for `input` into a buffer of
 * input.length - 4 bytes, or 0 when it does not fit (or the input is 4 bytes or fewer).
 */
export function lzfCompressedLength(input: Uint8Array): number {
  return lzfCompress(input)?.length ?? 0;
}
