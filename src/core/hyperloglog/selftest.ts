// PFSELFTEST, as Redis 7.0's pfselftestCommand runs it: (1) every dense register set to a random value and read
// back, 1000 times, neighbours untouched; (2) 10,000,000 distinct 8-byte elements added to a dense HLL and to a
// sparse one (promoted at hll-sparse-max-bytes), checking at 1, 10, 100, ... that the sparse one is still sparse
// while small, that both estimate the same, and that the error is within 6 standard errors (1 for 10). Returns
// null on success or the TESTFAILED message Redis gives. The sizes are parameters so a test can run a short one.

import { estimate, histogramOf } from './count.js';
import {
  denseGet,
  denseSet,
  emptyHll,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
} from './format.js';
import { denseSetIfGreater, hllAddPattern, HllString } from './hll-string.js';
import { patternOf } from './murmur64a.js';

export interface SelfTestSizes {
  /** HLL_TEST_CYCLES: rounds of test 1. */
  readonly cycles: number;
  /** Elements added in test 2. */
  readonly elements: number;
}

export const REDIS_SELFTEST: SelfTestSizes = { cycles: 1000, elements: 10_000_000 };

const randomUint32 = (): number => Math.floor(Math.random() * 2 ** 32);

const count = (value: Uint8Array): number => estimate(histogramOf(value).histogram);

/** Test 1: registers keep what they are set to and do not disturb their neighbours. */
function registerAccess(cycles: number): string | null {
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let j = 0; j < cycles; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = randomUint32() & 63;
      expected[i] = r;
      denseSet(dense, HLL_HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = denseGet(dense, HLL_HDR_SIZE, i);
      if (value !== expected[i]) return `TESTFAILED Register ${i} should be ${expected[i]} but is ${value}`;
    }
  }
  return null;
}

/** Test 2: the estimate of n distinct elements, dense and sparse, at n = 1, 10, 100, ... */
function approximation(elements: number, sparseMaxBytes: number): string | null {
  const dense = new Uint8Array(HLL_DENSE_SIZE); // encoding 0: dense
  const sparse = new HllString(emptyHll());
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = randomUint32();
  const seedHi = randomUint32();
  const element = new Uint8Array(8);
  const words = new DataView(element.buffer);
  let checkpoint = 1;
  for (let j = 1; j <= elements; j++) {
    // ele = j ^ seed, as a little-endian uint64 (j < 2^32 here)
    words.setUint32(0, (j ^ seedLo) >>> 0, true);
    words.setUint32(4, seedHi, true);
    // Hashed once for both (Redis hashes it twice: the same pattern).
    const pattern = patternOf(element);
    denseSetIfGreater(dense, pattern >>> 6, pattern & 63);
    hllAddPattern(sparse, pattern, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && sparse.encoding !== HLL_SPARSE)
      return 'TESTFAILED sparse encoding not used';
    const estimated = count(dense);
    if (estimated !== count(sparse.view())) return 'TESTFAILED dense/sparse disagree';
    const abserr = Math.abs(checkpoint - estimated);
    // At 10 a collision makes a larger error likely now and then: Redis allows 1 there.
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}

/** Runs both tests: null if they pass, else the error line to reply. */
export function hllSelfTest(sparseMaxBytes: number, sizes: SelfTestSizes = REDIS_SELFTEST): string | null {
  return registerAccess(sizes.cycles) ?? approximation(sizes.elements, sparseMaxBytes);
}
