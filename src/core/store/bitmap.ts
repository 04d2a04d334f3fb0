// Redis's bit algorithms (bitops.c) over plain bytes: population count and first set/clear bit of a range (BYTE or
// BIT units, negative indexes), BITFIELD's integers of 1..64 bits at any bit offset with WRAP/SAT/FAIL overflow,
// and BITOP's AND/OR/XOR/NOT. Bit 0 is the most significant bit of the first byte. Pure: bytes in, numbers out;
// int64 arithmetic wraps as it does in C, so every edge answers as Redis's does. No locking, no command syntax.

/** A BITCOUNT / BITPOS range as given: start (and end, unless absent) in bytes or bits, Redis's negative indexes. */
export interface BitRange {
  readonly start: number;
  /** Absent: BITPOS without an end (the string is taken as zero-padded on the right). */
  readonly end?: number;
  readonly unit: 'byte' | 'bit';
}

const POPCOUNT = new Uint8Array(256).map((_, i) => {
  let n = 0;
  for (let v = i; v !== 0; v >>= 1) n += v & 1;
  return n;
});

function popcount(p: Uint8Array, from: number, count: number): number {
  let bits = 0;
  for (let i = from; i < from + count; i++) bits += POPCOUNT[p[i]];
  return bits;
}

/** bitops.c redisBitpos: the first bit equal to `bit` in p[from, from+count); for 0, count*8 if none; for 1, -1. */
function firstBit(p: Uint8Array, from: number, count: number, bit: 0 | 1): number {
  const skip = bit === 1 ? 0 : 0xff;
  for (let i = 0; i < count; i++) {
    const byte = p[from + i];
    if (byte === skip) continue;
    for (let b = 0; b < 8; b++) if (((byte >> (7 - b)) & 1) === bit) return i * 8 + b;
  }
  return bit === 1 ? -1 : count * 8;
}

/** The range made absolute, as bitcountCommand / bitposCommand do; masks for a BIT range's edge bytes. */
function resolve(length: number, range: BitRange, end: number) {
  let totlen = length;
  let start = range.start;
  if (range.unit === 'bit') totlen *= 8;
  if (start < 0) start = totlen + start;
  if (end < 0) end = totlen + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= totlen) end = totlen - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (range.unit === 'bit' && start <= end) {
    firstMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
    lastMask = (1 << (7 - (end % 8))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstMask, lastMask };
}

/** BITCOUNT of a value: the whole of it (range null) or a range. */
export function bitCount(p: Uint8Array, range: BitRange | null): number {
  if (range === null) return popcount(p, 0, p.length);
  const { start, end, firstMask, lastMask } = resolve(p.length, range, range.end ?? p.length - 1);
  if (start > end) return 0;
  let count = popcount(p, start, end - start + 1);
  if (firstMask !== 0) count -= POPCOUNT[p[start] & firstMask];
  if (lastMask !== 0) count -= POPCOUNT[p[end] & lastMask];
  return count;
}

/** BITPOS of a value (bitposCommand, step by step): a range null is the whole value. */
export function bitPos(p: Uint8Array, bit: 0 | 1, range: BitRange | null): number {
  let start: number;
  let end: number;
  let firstMask = 0;
  let lastMask = 0;
  const endGiven = range !== null && range.end !== undefined;
  if (range === null) {
    start = 0;
    end = p.length - 1;
  } else {
    const defaultEnd = range.unit === 'bit' ? p.length * 8 + 7 : p.length - 1;
    ({ start, end, firstMask, lastMask } = resolve(p.length, range, range.end ?? defaultEnd));
  }
  if (start > end) return -1;
  let bytes = end - start + 1;
  let pos: number;
  found: {
    if (firstMask !== 0) {
      let tmp = bit === 1 ? p[start] & ~firstMask & 0xff : p[start] | firstMask;
      if (lastMask !== 0 && bytes === 1) tmp = bit === 1 ? tmp & ~lastMask & 0xff : tmp | lastMask;
      pos = firstBit(Uint8Array.of(tmp), 0, 1, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break found;
      start++;
      bytes--;
    }
    const middle = bytes - (lastMask !== 0 ? 1 : 0);
    if (middle > 0) {
      pos = firstBit(p, start, middle, bit);
      if (bytes === middle || (pos !== -1 && pos !== middle * 8)) break found;
      start += middle;
      bytes -= middle;
    }
    const tmp = bit === 1 ? p[end] & ~lastMask & 0xff : p[end] | lastMask;
    pos = firstBit(Uint8Array.of(tmp), 0, 1, bit);
  }
  // An explicit end: the bits right of the range are not zero padding, so "no clear bit" is -1.
  if (endGiven && bit === 0 && pos === bytes * 8) return -1;
  return pos !== -1 ? pos + start * 8 : pos;
}

// ---- BITFIELD ----

export type Overflow = 'wrap' | 'sat' | 'fail';

export interface BitFieldOp {
  readonly op: 'get' | 'set' | 'incrby';
  readonly signed: boolean;
  /** 1..64 signed, 1..63 unsigned. */
  readonly bits: number;
  /** In bits. */
  readonly offset: number;
  /** SET's value or INCRBY's increment (int64). */
  readonly value: bigint;
  readonly overflow: Overflow;
}

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const INT64_MAX = 2n ** 63n - 1n;

/** getUnsignedBitfield; bytes past the end of p read as zero. */
export function getUnsigned(p: Uint8Array, offset: number, bits: number): bigint {
  let value = 0n;
  for (let j = 0; j < bits; j++, offset++) {
    const byte = Math.floor(offset / 8);
    const bit = byte < p.length ? (p[byte] >> (7 - (offset % 8))) & 1 : 0;
    value = (value << 1n) | BigInt(bit);
  }
  return value;
}

/** getSignedBitfield: the sign bit propagated. */
export function getSigned(p: Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(p, offset, bits));
}

/** setUnsignedBitfield: the low `bits` bits of value (uint64), most significant first; p must reach them. */
export function setBits(p: Uint8Array, offset: number, bits: number, value: bigint): void {
  const v = u64(value);
  for (let j = 0; j < bits; j++, offset++) {
    const bitval = Number((v >> BigInt(bits - 1 - j)) & 1n);
    const byte = Math.floor(offset / 8);
    const bit = 7 - (offset % 8);
    p[byte] = (p[byte] & ~(1 << bit)) | (bitval << bit);
  }
}

/** checkUnsignedBitfieldOverflow: [0 | 1 | -1, the value to store on overflow (WRAP or SAT)]. */
function unsignedOverflow(value: bigint, incr: bigint, bits: number, overflow: Overflow): [number, bigint] {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(-value);
  const wrap = (): bigint => u64(value + incr) & max;
  if (value > max || (incr > 0n && incr > maxincr)) return [1, overflow === 'wrap' ? wrap() : max];
  if (incr < 0n && incr < minincr) return [-1, overflow === 'wrap' ? wrap() : 0n];
  return [0, 0n];
}

/** checkSignedBitfieldOverflow, its int64 wrap-arounds included. */
function signedOverflow(value: bigint, incr: bigint, bits: number, overflow: Overflow): [number, bigint] {
  const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(min - value);
  const wrap = (): bigint => BigInt.asIntN(bits, u64(value + incr));
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr))
    return [1, overflow === 'wrap' ? wrap() : max];
  if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr))
    return [-1, overflow === 'wrap' ? wrap() : min];
  return [0, 0n];
}

/**
 * One SET or INCRBY on p (long enough for it): the reply (null: FAIL refused it) and whether the stored bits
 * changed (bitfieldGeneric's oldval != newval).
 */
export function bitFieldWrite(p: Uint8Array, op: BitFieldOp): { reply: bigint | null; changed: boolean } {
  const old = op.signed ? getSigned(p, op.offset, op.bits) : getUnsigned(p, op.offset, op.bits);
  let next: bigint;
  let over: number;
  let limit: bigint;
  if (op.op === 'incrby') {
    [over, limit] = op.signed
      ? signedOverflow(old, op.value, op.bits, op.overflow)
      : unsignedOverflow(old, op.value, op.bits, op.overflow);
    next = over !== 0 ? limit : op.signed ? old + op.value : u64(old + op.value);
  } else {
    next = op.signed ? op.value : u64(op.value);
    [over, limit] = op.signed
      ? signedOverflow(next, 0n, op.bits, op.overflow)
      : unsignedOverflow(next, 0n, op.bits, op.overflow);
    if (over !== 0) next = limit;
  }
  if (over !== 0 && op.overflow === 'fail') return { reply: null, changed: false };
  setBits(p, op.offset, op.bits, next);
  return { reply: i64(op.op === 'incrby' ? next : old), changed: old !== next };
}

/** A GET: the field read from p, zero past its end. */
export function bitFieldRead(p: Uint8Array, op: BitFieldOp): bigint {
  return op.signed ? getSigned(p, op.offset, op.bits) : getUnsigned(p, op.offset, op.bits);
}

// ---- BITOP ----

export type BitOperation = 'and' | 'or' | 'xor' | 'not';

/** bitopCommand's result over the sources (a missing one is empty): as long as the longest, zero-padded. */
export function bitOperation(op: BitOperation, sources: readonly Uint8Array[]): Buffer {
  let maxlen = 0;
  for (const s of sources) if (s.length > maxlen) maxlen = s.length;
  const out = Buffer.alloc(maxlen);
  for (let j = 0; j < maxlen; j++) {
    let output = j < sources[0].length ? sources[0][j] : 0;
    if (op === 'not') output = ~output & 0xff;
    for (let i = 1; i < sources.length; i++) {
      const byte = j < sources[i].length ? sources[i][j] : 0;
      if (op === 'and') output &= byte;
      else if (op === 'or') output |= byte;
      else output ^= byte;
    }
    out[j] = output;
  }
  return out;
}
