// PFCOUNT's estimate, as Redis 7.0's hllCount computes it: the histogram of register values (dense, sparse, or
// the plain byte-per-register array of a multi-key union), then Otmar Ertl's estimator ("New cardinality
// estimation algorithms for HyperLogLog sketches", arXiv:1702.01284: hllTau and hllSigma), in the same double
// operations in the same order, so every estimate is Redis's to the unit. And hllMerge: the registers of an HLL
// folded into such an array with max. Pure.

import {
  denseGet,
  ENCODING_AT,
  HLL_DENSE,
  HLL_HDR_SIZE,
  HLL_Q,
  HLL_REGISTERS,
  isVal,
  isXzero,
  isZero,
  valLen,
  valValue,
  xzeroLen,
  zeroLen,
} from './format.js';

/** 0.5 / ln(2). */
const HLL_ALPHA_INF = 0.72134752044448170368;

/** hllSigma. */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous !== z);
  return z;
}

/** hllTau. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1.0;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= Math.pow(1 - x, 2) * y;
  } while (previous !== z);
  return z / 3;
}

/** The cardinality a register histogram (64 counts) gives: hllCount's estimate, rounded as llroundl. */
export function estimate(histogram: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histogram[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * sigma(histogram[0] / m);
  // Positive: Math.round's halves go up, which for these is llroundl's away from zero.
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}

/**
 * The register histogram of an HLL value that passed isHll; `valid` false when sparse opcodes do not cover
 * exactly the 16384 registers (hllSparseRegHisto's invalid), one reaching past the last register included.
 */
export function histogramOf(value: Uint8Array): { histogram: Int32Array; valid: boolean } {
  const histogram = new Int32Array(64);
  if (value[ENCODING_AT] === HLL_DENSE) {
    for (let r = 0; r < HLL_REGISTERS; r++) histogram[denseGet(value, HLL_HDR_SIZE, r)]++;
    return { histogram, valid: true };
  }
  let idx = 0;
  for (let p = HLL_HDR_SIZE; p < value.length;) {
    const op = value[p];
    const run = isZero(op) ? zeroLen(op) : isXzero(op) ? xzeroLen(op, value[p + 1]) : valLen(op);
    if (run + idx > HLL_REGISTERS) return { histogram, valid: false }; // an opcode past the last register
    idx += run;
    histogram[isVal(op) ? valValue(op) : 0] += run;
    p += isXzero(op) ? 2 : 1;
  }
  return { histogram, valid: idx === HLL_REGISTERS };
}

/** hllRawRegHisto: the histogram of a byte-per-register array. */
export function rawHistogram(registers: Uint8Array): Int32Array {
  const histogram = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i]]++;
  return histogram;
}

/**
 * hllMerge: max[i] = max(max[i], register i) over an HLL value that passed isHll. False for sparse opcodes that
 * do not cover exactly the 16384 registers (max may then be partly merged).
 */
export function mergeInto(max: Uint8Array, value: Uint8Array): boolean {
  if (value[ENCODING_AT] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(value, HLL_HDR_SIZE, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  let i = 0;
  for (let p = HLL_HDR_SIZE; p < value.length;) {
    const op = value[p];
    let runlen = isZero(op) ? zeroLen(op) : isXzero(op) ? xzeroLen(op, value[p + 1]) : valLen(op);
    if (runlen + i > HLL_REGISTERS) return false; // an opcode past the last register
    if (isVal(op)) {
      const regval = valValue(op);
      while (runlen-- > 0) {
        if (regval > max[i]) max[i] = regval;
        i++;
      }
      p++;
    } else {
      i += runlen;
      p += isXzero(op) ? 2 : 1;
    }
  }
  return i === HLL_REGISTERS;
}
