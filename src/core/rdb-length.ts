// The number of bytes Redis 7.0 would write for a string value in an RDB file, which DEBUG OBJECT reports as
// serializedlength (rdb.c rdbSavedObjectLen -> rdbSaveStringObject): a small integer in 2, 3 or 5 bytes, a string
// longer than 20 bytes LZF-compressed when that saves at least 4 bytes (rdbcompression yes, Redis's default),
// else its length then its bytes. The compressed size is computed as lzf_c.c compresses (Redis's lzfP.h:
// HLOG 16, VERY_FAST, a hash table that starts empty). Pure: bytes in, a number out.

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

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** lzfP.h's IDX with VERY_FAST, on a 32-bit unsigned hash. */
const slot = (h: number): number => ((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);

/**
 * rdbSaveLzfStringObject's compression: the size lzf_compress writes for `input` into a buffer of
 * input.length - 4 bytes, or 0 when it does not fit (or the input is 4 bytes or fewer). Only positions are
 * followed; the output bytes themselves are not needed.
 */
export function lzfCompressedLength(input: Uint8Array): number {
  const inLen = input.length;
  if (inLen <= 4) return 0;
  const outEnd = inLen - 4;
  // Positions + 1, 0 for an empty slot (Redis's table of pointers, where NULL is empty).
  const table = new Int32Array(HSIZE);
  let ip = 0;
  let op = 1; // the first literal run's length byte
  let lit = 0;
  let hval = ((input[0] << 8) | input[1]) >>> 0;
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const h = slot(hval);
    const ref = table[h] - 1;
    table[h] = ip + 1;
    const off = ip - ref - 1; // C's size_t: a reference at or past ip wraps to a huge offset
    if (
      ref > 0 && // "ref > in_data": the first byte is never referred back to
      off >= 0 &&
      off < MAX_OFF &&
      input[ref + 2] === input[ip + 2] &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1]
    ) {
      let len = 2;
      const maxlen = Math.min(inLen - ip - len, MAX_REF);
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;
      if (lit === 0) op--; // undo the empty run
      matching: {
        if (maxlen > 16) {
          for (let k = 0; k < 16; k++) {
            len++;
            if (input[ref + len] !== input[ip + len]) break matching;
          }
        }
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2; // octets - 1
      ip++;
      op += len < 7 ? 1 : 2;
      op++; // the offset's low byte
      lit = 0;
      op++; // the next run's length byte
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // VERY_FAST: hash the last two positions of the match, then go on past it.
      ip -= 2;
      hval = ((input[ip] << 8) | input[ip + 1]) >>> 0;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      table[slot(hval)] = ip + 1;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      table[slot(hval)] = ip + 1;
      ip++;
    } else {
      if (op >= outEnd) return 0;
      lit++;
      op++;
      ip++;
      if (lit === MAX_LIT) {
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return 0;
  while (ip < inLen) {
    lit++;
    op++;
    ip++;
    if (lit === MAX_LIT) {
      lit = 0;
      op++;
    }
  }
  if (lit === 0) op--;
  return op;
}
