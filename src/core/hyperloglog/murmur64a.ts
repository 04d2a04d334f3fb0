// MurmurHash64A as Redis's hyperloglog.c hashes HyperLogLog elements (seed 0xadc83b19), and hllPatLen: which of
// the 16384 registers an element lands in and the length of its "000...1" pattern. Words are read little-endian
// whatever the machine, as Redis does, and the 64-bit arithmetic runs on 32-bit halves (Math.imul and 16-bit
// limbs) so hashing an element allocates nothing: PFADD and PFSELFTEST hash millions. Pure.

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
/** hyperloglog.c hllPatLen's seed. */
export const HLL_HASH_SEED = 0xadc83b19;
/** HLL_P: 2^14 registers, indexed by the hash's low 14 bits. */
const P_MASK = (1 << 14) - 1;
/** HLL_Q + 1: the longest pattern, when the 50 bits above the index are all zero. */
const LONGEST_PATTERN = 51;

/** The high 32 bits of the 64-bit product of two uint32s (16-bit limbs: every partial sum stays below 2^53). */
function mulHigh(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const low = a0 * b0;
  const mid1 = a1 * b0 + (low >>> 16);
  const mid2 = a0 * b1 + (mid1 & 0xffff);
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16)) >>> 0;
}

/** The last hash, high and low halves (a module buffer: no object per element). */
const result = new Uint32Array(2);

/**
 * MurmurHash64A of data[from, from + length) with a 32-bit seed; the 64-bit hash is left in hashHigh() and
 * hashLow(). Each 64-bit product by m is written out: low = imul(lo, M_LO), high = the carry of lo * M_LO plus
 * the two cross products. Kept in locals: 10M hashes of 8 bytes took 1.67 s with the state in module variables
 * between helper calls, 0.28 s so (node 20, this machine).
 */
export function murmurHash64A(data: Uint8Array, from: number, length: number, seed: number): void {
  // h = seed ^ (len * m)
  let hHi = (mulHigh(length, M_LO) + Math.imul(length, M_HI)) >>> 0;
  let hLo = (Math.imul(length, M_LO) ^ seed) >>> 0;
  let t: number;
  const end = from + length - (length & 7);
  let at = from;
  for (; at !== end; at += 8) {
    let kLo = (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
    let kHi = (data[at + 4] | (data[at + 5] << 8) | (data[at + 6] << 16) | (data[at + 7] << 24)) >>> 0;
    // k *= m; k ^= k >> 47; k *= m
    t = (mulHigh(kLo, M_LO) + Math.imul(kHi, M_LO) + Math.imul(kLo, M_HI)) >>> 0;
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kHi = t;
    kLo = (kLo ^ (kHi >>> 15)) >>> 0;
    t = (mulHigh(kLo, M_LO) + Math.imul(kHi, M_LO) + Math.imul(kLo, M_HI)) >>> 0;
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kHi = t;
    // h ^= k; h *= m
    hHi = (hHi ^ kHi) >>> 0;
    hLo = (hLo ^ kLo) >>> 0;
    t = (mulHigh(hLo, M_LO) + Math.imul(hHi, M_LO) + Math.imul(hLo, M_HI)) >>> 0;
    hLo = Math.imul(hLo, M_LO) >>> 0;
    hHi = t;
  }
  const tail = length & 7;
  if (tail > 0) {
    // The switch's fall-through: bytes 4..6 go to the high half, 0..3 to the low one.
    if (tail >= 7) hHi ^= data[at + 6] << 16;
    if (tail >= 6) hHi ^= data[at + 5] << 8;
    if (tail >= 5) hHi ^= data[at + 4];
    if (tail >= 4) hLo ^= data[at + 3] << 24;
    if (tail >= 3) hLo ^= data[at + 2] << 16;
    if (tail >= 2) hLo ^= data[at + 1] << 8;
    hLo = (hLo ^ data[at]) >>> 0;
    hHi >>>= 0;
    t = (mulHigh(hLo, M_LO) + Math.imul(hHi, M_LO) + Math.imul(hLo, M_HI)) >>> 0;
    hLo = Math.imul(hLo, M_LO) >>> 0;
    hHi = t;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  t = (mulHigh(hLo, M_LO) + Math.imul(hHi, M_LO) + Math.imul(hLo, M_HI)) >>> 0;
  hLo = Math.imul(hLo, M_LO) >>> 0;
  hHi = t;
  result[0] = hHi;
  result[1] = (hLo ^ (hHi >>> 15)) >>> 0;
}

export const hashHigh = (): number => result[0];
export const hashLow = (): number => result[1];

const trailingZeros = (x: number): number => 31 - Math.clz32(x & -x);

/**
 * hllPatLen: the element's register (the hash's low 14 bits) and its pattern length (1 + the zeros above them,
 * at most 51), packed as register * 64 + length.
 */
export function patternOf(data: Uint8Array, from = 0, length = data.length): number {
  murmurHash64A(data, from, length, HLL_HASH_SEED);
  const low = result[1];
  const index = low & P_MASK;
  const above = low >>> 14; // the 18 bits of the low half above the index
  let count: number;
  if (above !== 0) count = 1 + trailingZeros(above);
  else if (result[0] !== 0) count = 19 + trailingZeros(result[0]);
  else count = LONGEST_PATTERN;
  return index * 64 + count;
}
