// The bytes of a HyperLogLog, as Redis 7.0's hyperloglog.c lays them out in a plain string: a 16-byte header
// ("HYLL", the encoding byte, three unused bytes, the cached cardinality as a little-endian uint64 whose top bit
// says it is stale), then either 16384 dense 6-bit registers packed from each byte's least significant bit, or
// the sparse run-length opcodes ZERO (00xxxxxx), XZERO (01xxxxxx yyyyyyyy) and VAL (1vvvvvxx). Pure byte work.
//
// Corrupt sparse opcodes are refused as by Redis 7.0.15 with the fix of CVE-2025-32023 (the redis-server 7.0.15
// Debian ships, and every Redis release since 6.2.19 / 7.2.10): an opcode whose run reaches past register 16383
// makes the HLL corrupt wherever the opcodes are walked to the end (hllSparseToDense, hllMerge,
// hllSparseRegHisto), where the tag's code stopped at such a VAL and accepted what came before it.
//
// Redis's strings end in an implicit NUL that its macros read past the last byte (the last dense register reads
// one byte beyond the registers; an XZERO cut short reads its second byte there). Here a value is read through a
// view of exactly its length, where an index past the end reads undefined, which every bit operation takes as 0,
// and a write there is dropped: the same answers.

export const HLL_HDR_SIZE = 16;
export const HLL_REGISTERS = 16384;
/** HLL_Q: hash bits above the register index; a pattern is at most HLL_Q + 1 long. */
export const HLL_Q = 50;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8;
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;
const REGISTER_MAX = 63;
/** The encoding byte's offset in the header, and the cached cardinality's. */
export const ENCODING_AT = 4;
const CARD_AT = 8;

export const SPARSE_VAL_MAX_VALUE = 32;
export const SPARSE_VAL_MAX_LEN = 4;
export const SPARSE_ZERO_MAX_LEN = 64;
export const SPARSE_XZERO_MAX_LEN = 16384;

export const isZero = (op: number): boolean => (op & 0xc0) === 0;
export const isXzero = (op: number): boolean => (op & 0xc0) === 0x40;
export const isVal = (op: number): boolean => (op & 0x80) !== 0;
export const zeroLen = (op: number): number => (op & 0x3f) + 1;
export const xzeroLen = (op: number, next: number): number => (((op & 0x3f) << 8) | next) + 1;
export const valValue = (op: number): number => ((op >> 2) & 0x1f) + 1;
export const valLen = (op: number): number => (op & 0x3) + 1;
export const valOpcode = (value: number, len: number): number =>
  (((value - 1) << 2) | (len - 1) | 0x80) & 0xff;
export const zeroOpcode = (len: number): number => len - 1;
/** XZERO's two bytes. */
export const xzeroOpcode = (len: number): [number, number] => [((len - 1) >> 8) | 0x40, (len - 1) & 0xff];

/** HLL_DENSE_GET_REGISTER over registers starting at `base`. */
export function denseGet(p: Uint8Array, base: number, regnum: number): number {
  const bit = regnum * 6;
  const byte = base + (bit >>> 3);
  const fb = bit & 7;
  return ((p[byte] >> fb) | (p[byte + 1] << (8 - fb))) & REGISTER_MAX;
}

/** HLL_DENSE_SET_REGISTER: value (0..63) into the register, its neighbours' bits untouched. */
export function denseSet(p: Uint8Array, base: number, regnum: number, value: number): void {
  const bit = regnum * 6;
  const byte = base + (bit >>> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  p[byte] = (p[byte] & ~(REGISTER_MAX << fb)) | (value << fb);
  p[byte + 1] = (p[byte + 1] & ~(REGISTER_MAX >> fb8)) | (value >> fb8);
}

/**
 * isHLLObjectOrReply's checks of a string value: long enough for the header, "HYLL", a known encoding, and a
 * dense one exactly its size. (A sparse one's opcodes are checked only where they are walked.)
 */
export function isHll(value: Uint8Array): boolean {
  if (value.length < HLL_HDR_SIZE) return false;
  if (value[0] !== 0x48 || value[1] !== 0x59 || value[2] !== 0x4c || value[3] !== 0x4c) return false;
  const encoding = value[ENCODING_AT];
  if (encoding > HLL_MAX_ENCODING) return false;
  return encoding !== HLL_DENSE || value.length === HLL_DENSE_SIZE;
}

/** HLL_VALID_CACHE: the cached cardinality's top bit is clear. */
export const cacheValid = (value: Uint8Array): boolean => (value[CARD_AT + 7] & 0x80) === 0;

/** HLL_INVALIDATE_CACHE. */
export function invalidateCache(value: Uint8Array): void {
  value[CARD_AT + 7] |= 0x80;
}

export function readCache(value: Uint8Array): bigint {
  let card = 0n;
  for (let i = 7; i >= 0; i--) card = (card << 8n) | BigInt(value[CARD_AT + i]);
  return card;
}

export function writeCache(value: Uint8Array, card: number): void {
  let rest = card;
  for (let i = 0; i < 8; i++) {
    value[CARD_AT + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

/**
 * createHLLObject's bytes: a sparse HLL of XZERO opcodes covering every register, its cached cardinality 0 and
 * valid.
 */
export function emptyHll(): Uint8Array {
  const runs = Math.ceil(HLL_REGISTERS / SPARSE_XZERO_MAX_LEN);
  const out = new Uint8Array(HLL_HDR_SIZE + runs * 2);
  out.set([0x48, 0x59, 0x4c, 0x4c, HLL_SPARSE]);
  let left = HLL_REGISTERS;
  for (let at = HLL_HDR_SIZE; left > 0; at += 2) {
    const run = Math.min(left, SPARSE_XZERO_MAX_LEN);
    out.set(xzeroOpcode(run), at);
    left -= run;
  }
  return out;
}

/** PFDEBUG DECODE's text of a sparse HLL's opcodes: "z:<len>", "Z:<len>", "v:<value>,<len>", space separated. */
export function decodeSparse(value: Uint8Array): string {
  const words: string[] = [];
  for (let p = HLL_HDR_SIZE; p < value.length;) {
    const op = value[p];
    if (isZero(op)) {
      words.push(`z:${zeroLen(op)}`);
      p++;
    } else if (isXzero(op)) {
      words.push(`Z:${xzeroLen(op, value[p + 1] | 0)}`);
      p += 2;
    } else {
      words.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return words.join(' ');
}
