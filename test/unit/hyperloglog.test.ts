// The HyperLogLog algorithms on their own (src/core/hyperloglog/): MurmurHash64A against the C reference, the
// header and opcodes of hyperloglog.c's sparse encoding as its own comment describes them, promotion to dense,
// corrupt opcodes, the dense registers at the edges, the estimator, and PFSELFTEST at a reduced size. Byte-for-byte
// agreement with redis-server itself is the differential suite's (differential-hyperloglog.test.ts).

import { describe, expect, it } from 'vitest';
import { estimate, histogramOf, mergeInto } from '../../src/core/hyperloglog/count.js';
import {
  decodeSparse,
  denseGet,
  denseSet,
  emptyHll,
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  isHll,
  readCache,
} from '../../src/core/hyperloglog/format.js';
import { hllAdd, HllString, sparseSet, sparseToDense } from '../../src/core/hyperloglog/hll-string.js';
import { hashHigh, hashLow, murmurHash64A, patternOf } from '../../src/core/hyperloglog/murmur64a.js';
import { hllSelfTest } from '../../src/core/hyperloglog/selftest.js';

const hex = (): string => hashHigh().toString(16).padStart(8, '0') + hashLow().toString(16).padStart(8, '0');

describe('MurmurHash64A', () => {
  // Printed by Redis's MurmurHash64A compiled from hyperloglog.c (gcc, x86-64) for the bytes
  // (i * 37 + len * 11 + 200) & 0xff, i < len, seed 0xadc83b19: every tail length and several whole words.
  it.each([
    [0, 'd8dfea6585bc9732'],
    [1, '28a3df05e38a73e4'],
    [3, 'eb2b95833227a4cc'],
    [7, '34251daa612a0910'],
    [8, 'f1a854381074b323'],
    [15, '92c8899e4416a96f'],
    [23, '70c0fcc85c7a5bf7'],
    [39, 'b889c4ebcccc82e2'],
  ])('hashes %i bytes as the C reference does', (len, expected) => {
    const data = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len * 11 + 200) & 0xff);
    murmurHash64A(data, 0, len, 0xadc83b19);
    expect(hex()).toBe(expected);
  });

  it('gives a register below 16384 and a pattern length of 1 to 51', () => {
    for (let i = 0; i < 2000; i++) {
      const pattern = patternOf(Buffer.from(`element-${i}`));
      expect(pattern >>> 6).toBeLessThan(HLL_REGISTERS);
      expect(pattern & 63).toBeGreaterThanOrEqual(1);
      expect(pattern & 63).toBeLessThanOrEqual(51);
    }
  });
});

/** A sparse HLL with the given registers set, in the order given. */
function sparseWith(registers: readonly [number, number][], maxBytes = 3000): HllString {
  const h = new HllString(emptyHll());
  for (const [index, value] of registers) expect(sparseSet(h, index, value, maxBytes)).toBe(1);
  return h;
}

describe('the sparse encoding', () => {
  it('starts as the header and XZERO:16384, its cache valid at 0', () => {
    expect(Buffer.from(emptyHll())).toEqual(Buffer.from('HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff', 'latin1'));
    expect(readCache(emptyHll())).toBe(0n);
  });

  it("encodes hyperloglog.c's own example: registers 1000, 1020, 1021 set to 2, 3, 3", () => {
    const h = sparseWith([
      [1000, 2],
      [1020, 3],
      [1021, 3],
    ]);
    expect(decodeSparse(h.view())).toBe('Z:1000 v:2,1 z:19 v:3,2 Z:15362');
    expect(h.length).toBe(HLL_HDR_SIZE + 7); // "just 7 bytes"
    expect(h.view()[15] & 0x80).toBe(0x80); // the cached cardinality made stale
  });

  it('changes nothing for a value not above the register, and merges equal neighbours up to 4', () => {
    const h = sparseWith([
      [0, 5],
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
    ]);
    expect(sparseSet(h, 2, 4, 3000)).toBe(0);
    expect(decodeSparse(h.view())).toBe('v:5,4 v:5,1 Z:16379');
    expect(sparseSet(h, 2, 7, 3000)).toBe(1);
    expect(decodeSparse(h.view())).toBe('v:5,2 v:7,1 v:5,2 Z:16379');
  });

  it('becomes dense for a value past 32 or past hll-sparse-max-bytes, keeping the registers', () => {
    const big = sparseWith([[7, 3]]);
    expect(sparseSet(big, 9000, 33, 3000)).toBe(1);
    expect(big.encoding).toBe(HLL_DENSE);
    expect(big.length).toBe(HLL_DENSE_SIZE);
    expect([denseGet(big.view(), HLL_HDR_SIZE, 7), denseGet(big.view(), HLL_HDR_SIZE, 9000)]).toEqual([
      3, 33,
    ]);
    const small = sparseWith([[100, 1]], 23);
    expect(small.length).toBe(HLL_HDR_SIZE + 5); // Z:100 v:1,1 Z:16283
    expect(sparseSet(small, 5000, 2, 23)).toBe(1); // an XZERO split in three: 3 bytes more, 24 > 23
    expect(small.encoding).toBe(HLL_DENSE);
    expect(denseGet(small.view(), HLL_HDR_SIZE, 5000)).toBe(2);
  });

  it('refuses an opcode past the last register, as Redis since the fix of CVE-2025-32023', () => {
    // XZERO:16384 then VAL:1,1: the tag's hllMerge stopped at the VAL and accepted the HLL; redis-server refuses it.
    const past = Buffer.concat([emptyHll(), Buffer.from([0x80])]);
    expect(mergeInto(new Uint8Array(HLL_REGISTERS), past)).toBe(false);
    expect(histogramOf(past).valid).toBe(false);
    expect(sparseToDense(new HllString(past))).toBe(false);
  });

  it('refuses opcodes that do not cover exactly 16384 registers', () => {
    const short = new HllString(
      Buffer.concat([emptyHll().subarray(0, HLL_HDR_SIZE), Buffer.from([0x40, 99])]),
    );
    expect(sparseToDense(short)).toBe(false);
    expect(short.encoding).toBe(HLL_SPARSE);
    expect(sparseSet(short, 16000, 1, 3000)).toBe(-1); // past the registers the opcodes cover
    expect(sparseSet(short, 5, 40, 3000)).toBe(-1); // a promotion that cannot convert
    expect(histogramOf(short.view()).valid).toBe(false);
    expect(mergeInto(new Uint8Array(HLL_REGISTERS), short.view())).toBe(false);
  });
});

describe('the dense registers and the header checks', () => {
  it('keep 6-bit values side by side, the last one included, writing nothing past the value', () => {
    const value = new Uint8Array(HLL_DENSE_SIZE + 1);
    const registers = value.subarray(0, HLL_DENSE_SIZE);
    for (const r of [0, 1, 2, 3, 16382, 16383]) denseSet(registers, HLL_HDR_SIZE, r, 63 - (r % 7));
    for (const r of [0, 1, 2, 3, 16382, 16383])
      expect(denseGet(registers, HLL_HDR_SIZE, r)).toBe(63 - (r % 7));
    expect(denseGet(registers, HLL_HDR_SIZE, 4)).toBe(0);
    expect(value[HLL_DENSE_SIZE]).toBe(0);
  });

  it('accept only "HYLL", a known encoding and, dense, the exact size', () => {
    const dense = new Uint8Array(HLL_DENSE_SIZE);
    dense.set(Buffer.from('HYLL'));
    expect(isHll(dense)).toBe(true);
    expect(isHll(dense.subarray(0, HLL_DENSE_SIZE - 1))).toBe(false);
    expect(isHll(emptyHll())).toBe(true);
    expect(isHll(emptyHll().subarray(0, 15))).toBe(false);
    const unknown = emptyHll();
    unknown[4] = 2;
    expect(isHll(unknown)).toBe(false);
    expect(isHll(Buffer.from('HYLX\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff', 'latin1'))).toBe(false);
  });
});

describe('the estimate', () => {
  it('is 0 for no element and close to n for n distinct ones, dense and sparse alike', () => {
    expect(estimate(histogramOf(emptyHll()).histogram)).toBe(0);
    const sparse = new HllString(emptyHll());
    const dense = new HllString(emptyHll());
    sparseToDense(dense);
    for (let i = 0; i < 1000; i++) {
      hllAdd(sparse, Buffer.from(`e${i}`), 3000);
      hllAdd(dense, Buffer.from(`e${i}`), 3000);
    }
    const count = estimate(histogramOf(sparse.view()).histogram);
    expect(sparse.encoding).toBe(HLL_SPARSE);
    expect(estimate(histogramOf(dense.view()).histogram)).toBe(count);
    expect(Math.abs(count - 1000)).toBeLessThan(1000 * 0.05);
  });
});

describe('PFSELFTEST', () => {
  it("passes Redis's checks at a reduced size", () => {
    expect(hllSelfTest(3000, { cycles: 3, elements: 100_000 })).toBeNull();
  });

  it('reports a sparse HLL gone dense too early', () => {
    expect(hllSelfTest(30, { cycles: 1, elements: 10 })).toBe('TESTFAILED sparse encoding not used');
  });
});
