// LZF as Redis compresses and decompresses RDB strings (lzf_c.c, lzf_d.c with Redis's lzfP.h: HLOG 16,
// VERY_FAST, a hash table that starts empty), so a string compresses to exactly the bytes Redis writes and
// DEBUG OBJECT's serializedlength (rdb-length.ts) matches. Pure: bytes in, bytes out.

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** lzfP.h's IDX with VERY_FAST, on a 32-bit unsigned hash. */
const slot = (h: number): number => ((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);

/**
 * One hash table reused across calls; a slot counts only when stamped with the current call's generation, so
 * "starts empty" costs nothing instead of zeroing 256 KiB per string (most strings compressed are short).
 */
const table = new Int32Array(HSIZE);
const stamps = new Int32Array(HSIZE);
let generation = 0;

function remember(h: number, position: number): void {
  table[h] = position + 1;
  stamps[h] = generation;
}

/**
 * lzf_compress(input, out, outLen) as rdbSaveLzfStringObject calls it, with outLen = input.length - 4: the
 * compressed bytes, or null when they do not fit (or the input is 4 bytes or fewer, which Redis never tries).
 */
export function lzfCompress(input: Uint8Array): Buffer | null {
  const inLen = input.length;
  if (inLen <= 4) return null;
  const outEnd = inLen - 4;
  // Slack past outEnd: the C code checks before each write; a literal may land one byte beyond before the check.
  const out = Buffer.allocUnsafe(outEnd + 8);
  // Positions + 1, 0 for an empty slot (Redis's table of pointers, where NULL is empty).
  if (++generation === 2 ** 31 - 1) {
    generation = 1;
    stamps.fill(0);
  }
  let ip = 0;
  let op = 1; // the first literal run's length byte
  let lit = 0;
  let hval = ((input[0] << 8) | input[1]) >>> 0;
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const h = slot(hval);
    const ref = stamps[h] === generation ? table[h] - 1 : -1;
    table[h] = ip + 1;
    stamps[h] = generation;
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
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = lit - 1; // stop the literal run
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
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // the next run's length byte
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // VERY_FAST: hash the last two positions of the match, then go on past it.
      ip -= 2;
      hval = ((input[ip] << 8) | input[ip + 1]) >>> 0;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      remember(slot(hval), ip);
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      remember(slot(hval), ip);
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inLen) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // end the run
  if (lit === 0) op--;
  return out.subarray(0, op);
}

/** lzf_decompress: the `length` original bytes, or null when the input is malformed (Redis: a load error). */
export function lzfDecompress(input: Uint8Array, length: number): Buffer | null {
  const out = Buffer.allocUnsafe(length);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input[ip++];
    if (ctrl < 1 << 5) {
      ctrl++;
      if (op + ctrl > length || ip + ctrl > input.length) return null;
      for (let k = 0; k < ctrl; k++) out[op++] = input[ip++];
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= input.length) return null;
      if (len === 7) {
        len += input[ip++];
        if (ip >= input.length) return null;
      }
      ref -= input[ip++];
      len += 2;
      if (op + len > length || ref < 0) return null;
      for (let k = 0; k < len; k++) out[op++] = out[ref++];
    }
  }
  return op === length ? out : null;
}
