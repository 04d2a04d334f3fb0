// A HyperLogLog being changed: its bytes copied out of the store into a buffer with room to grow, as Redis's sds
// string with its implicit NUL terminator (kept at bytes[length], because the sparse code reads one byte past
// the last opcode as Redis's does). Redis 7.0's hyperloglog.c algorithms that change the bytes, step by step, so
// the result is the bytes Redis's would be: hllSparseSet (split an opcode, merge equal neighbours, promote past
// hll-sparse-max-bytes or past value 32), hllSparseToDense and hllAdd. Pure: no store, no locks.

import {
  denseGet,
  denseSet,
  ENCODING_AT,
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  invalidateCache,
  isVal,
  isXzero,
  isZero,
  SPARSE_VAL_MAX_LEN,
  SPARSE_VAL_MAX_VALUE,
  SPARSE_ZERO_MAX_LEN,
  valLen,
  valOpcode,
  valValue,
  xzeroLen,
  xzeroOpcode,
  zeroLen,
  zeroOpcode,
} from './format.js';
import { patternOf } from './murmur64a.js';

export class HllString {
  /** The value's bytes, then its terminator (0), then spare room. */
  bytes: Uint8Array;
  length: number;

  constructor(value: Uint8Array) {
    this.bytes = new Uint8Array(value.length + 1 + 16);
    this.bytes.set(value);
    this.length = value.length;
  }

  /** The value as it is now (a view: valid until the next change). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  get encoding(): number {
    return this.bytes[ENCODING_AT];
  }

  /** sdsMakeRoomFor: room for `extra` more bytes and the terminator. */
  makeRoom(extra: number): void {
    if (this.length + extra + 1 <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra + 1));
    grown.set(this.bytes);
    this.bytes = grown;
  }

  /** sdsIncrLen: the new length, and the terminator after it. */
  setLength(length: number): void {
    this.length = length;
    this.bytes[length] = 0;
  }

  /** Replaces the whole value (a conversion); `bytes` holds the value and its terminator. */
  replace(bytes: Uint8Array, length: number): void {
    this.bytes = bytes;
    this.length = length;
  }
}

/** hllDenseSet: the register raised to `count` if that is more; 1 if it was. */
export function denseSetIfGreater(p: Uint8Array, index: number, count: number): 0 | 1 {
  if (count <= denseGet(p, HLL_HDR_SIZE, index)) return 0;
  denseSet(p, HLL_HDR_SIZE, index, count);
  return 1;
}

/** hllDenseAdd over a dense HLL's bytes (a view of exactly the value, changed in place). */
export function denseAdd(p: Uint8Array, element: Uint8Array): 0 | 1 {
  const pattern = patternOf(element);
  return denseSetIfGreater(p, pattern >>> 6, pattern & 63);
}

/**
 * hllSparseToDense: a sparse HLL made dense, its header (cached cardinality and unused bytes included) kept.
 * False when the opcodes do not cover exactly the 16384 registers (the value is then unchanged): an opcode
 * reaching past the last register is corrupt, as in Redis since the fix of CVE-2025-32023 (format.ts).
 */
export function sparseToDense(h: HllString): boolean {
  if (h.encoding === HLL_DENSE) return true;
  const b = h.bytes;
  const end = h.length;
  const dense = new Uint8Array(HLL_DENSE_SIZE + 1);
  dense.set(b.subarray(0, HLL_HDR_SIZE));
  dense[ENCODING_AT] = HLL_DENSE;
  let idx = 0;
  for (let p = HLL_HDR_SIZE; p < end;) {
    const op = b[p];
    let runlen = isZero(op) ? zeroLen(op) : isXzero(op) ? xzeroLen(op, b[p + 1]) : valLen(op);
    if (runlen + idx > HLL_REGISTERS) return false; // an opcode past the last register
    if (isVal(op)) {
      const regval = valValue(op);
      while (runlen-- > 0) denseSet(dense, HLL_HDR_SIZE, idx++, regval);
      p++;
    } else {
      idx += runlen;
      p += isXzero(op) ? 2 : 1;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  h.replace(dense, HLL_DENSE_SIZE);
  return true;
}

/** The promote: label of hllSparseSet: made dense, then the register set there. */
function promote(h: HllString, index: number, count: number): -1 | 0 | 1 {
  if (!sparseToDense(h)) return -1;
  return denseSetIfGreater(h.bytes, index, count);
}

/** Appends a ZERO or XZERO run of `len` registers to `seq`, as hllSparseSet's split writes one. */
function pushZeros(seq: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) seq.push(...xzeroOpcode(len));
  else seq.push(zeroOpcode(len));
}

/**
 * hllSparseSet: register `index` raised to `count` if that is more. 1: it changed (the cached cardinality made
 * stale, unless it went dense), 0: it did not, -1: the opcodes are corrupt. Becomes dense when `count` is past
 * what a VAL holds or the value would grow past `maxBytes` (hll-sparse-max-bytes).
 */
export function sparseSet(h: HllString, index: number, count: number, maxBytes: number): -1 | 0 | 1 {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(h, index, count);
  h.makeRoom(3); // the worst case: an XZERO split into XZERO VAL XZERO
  const b = h.bytes;
  let end = h.length;

  // Step 1: the opcode covering the register.
  let p = HLL_HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p];
    let oplen = 1;
    if (isZero(op)) span = zeroLen(op);
    else if (isVal(op)) span = valLen(op);
    else {
      span = xzeroLen(op, b[p + 1]);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  const op = b[p];
  let next = isXzero(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const zero = isZero(op);
  const xzero = isXzero(op);
  const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(op, b[p + 1]) : valLen(op);

  // Step 2 and 3: update in place, or split the opcode into up to three.
  update: {
    if (!zero && !xzero) {
      if (valValue(op) >= count) return 0;
      if (runlen === 1) {
        b[p] = valOpcode(count, 1);
        break update;
      }
    }
    if (zero && runlen === 1) {
      b[p] = valOpcode(count, 1);
      break update;
    }
    const seq: number[] = [];
    const last = first + span - 1;
    if (zero || xzero) {
      if (index !== first) pushZeros(seq, index - first);
      seq.push(valOpcode(count, 1));
      if (index !== last) pushZeros(seq, last - index);
    } else {
      const current = valValue(op);
      if (index !== first) seq.push(valOpcode(current, index - first));
      seq.push(valOpcode(count, 1));
      if (index !== last) seq.push(valOpcode(current, last - index));
    }
    const delta = seq.length - (xzero ? 2 : 1);
    if (delta > 0 && h.length + delta > maxBytes) return promote(h, index, count);
    if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
    h.setLength(h.length + delta);
    for (let i = 0; i < seq.length; i++) b[p + i] = seq[i];
    end += delta;
  }

  // Step 4: merge adjacent VALs of one value, scanning up to 5 opcodes from the one before.
  p = prev !== -1 ? prev : HLL_HDR_SIZE;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const at = b[p];
    if (isXzero(at)) {
      p += 2;
      continue;
    }
    if (isZero(at)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(b[p + 1])) {
      const value = valValue(at);
      const len = valLen(at) + valLen(b[p + 1]);
      if (value === valValue(b[p + 1]) && len <= SPARSE_VAL_MAX_LEN) {
        b[p + 1] = valOpcode(value, len);
        b.copyWithin(p, p + 1, end + 1);
        h.setLength(h.length - 1);
        end--;
        continue; // the merged opcode may merge with the next one too
      }
    }
    p++;
  }
  invalidateCache(b);
  return 1;
}

/** hllAdd: the element added to a dense or sparse HLL (1: a register changed; -1: corrupt or unknown). */
export function hllAdd(h: HllString, element: Uint8Array, maxBytes: number): -1 | 0 | 1 {
  return hllAddPattern(h, patternOf(element), maxBytes);
}

/** hllAdd of an element already hashed (patternOf's register * 64 + pattern length). */
export function hllAddPattern(h: HllString, pattern: number, maxBytes: number): -1 | 0 | 1 {
  const index = pattern >>> 6;
  const count = pattern & 63;
  if (h.encoding === HLL_DENSE) return denseSetIfGreater(h.bytes, index, count);
  if (h.encoding === HLL_SPARSE) return sparseSet(h, index, count, maxBytes);
  return -1;
}
