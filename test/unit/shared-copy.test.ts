import { describe, expect, it } from 'vitest';
import { bufferFromShared, copyFromShared, copyIntoShared } from '../../src/core/store/shared-copy.js';

// Lengths on each side of the byte loop, of the scratch thresholds, and longer than the scratch buffer (64 KB),
// copied at every skew between the two ends: the scratch path places its copy by the shared end's alignment.
const LENGTHS = [0, 1, 63, 64, 65, 383, 384, 767, 768, 1000, 4099, 64 * 1024 + 13, 3 * 64 * 1024 + 5];

const pattern = (length: number, seed: number): Buffer => {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
};

describe('copying into and out of shared memory', () => {
  const shared = new Uint8Array(new SharedArrayBuffer(4 * 64 * 1024 + 64));

  it('copies every byte into shared memory, whatever the two ends alignments, touching nothing around', () => {
    for (const length of LENGTHS) {
      for (let sourceSkew = 0; sourceSkew < 8; sourceSkew++) {
        for (const at of [0, 3, 8, 13]) {
          shared.fill(0xee);
          const source = pattern(length + sourceSkew, length + at).subarray(sourceSkew);
          copyIntoShared(shared, at, source);
          expect(Buffer.compare(Buffer.from(shared.subarray(at, at + length)), source)).toBe(0);
          expect(at === 0 || shared[at - 1] === 0xee).toBe(true);
          expect(shared[at + length]).toBe(0xee);
        }
      }
    }
  });

  it('copies values of alternating sizes through the same scratch placement (its views are reused per size)', () => {
    // Same skew between the ends each time (source at 1, destination at 8 + 5): each size change needs a new view.
    for (const length of [1000, 500, 1000, 1000, 4099, 500]) {
      shared.fill(0xee);
      const source = pattern(length + 1, length).subarray(1);
      copyIntoShared(shared, 13, source);
      expect(Buffer.compare(Buffer.from(shared.subarray(13, 13 + length)), source)).toBe(0);
      expect(shared[13 + length]).toBe(0xee);
      const out = Buffer.alloc(length + 4, 0xdd);
      copyFromShared(shared, 13, length, out, 3);
      expect(Buffer.compare(out.subarray(3, 3 + length), source)).toBe(0);
      expect(out[3 + length]).toBe(0xdd);
    }
  });

  it('copies every byte out of shared memory into any place of a buffer', () => {
    for (const length of LENGTHS) {
      for (const start of [0, 5, 8, 11]) {
        shared.set(pattern(length, start), start);
        const expected = Buffer.from(shared.subarray(start, start + length));
        expect(Buffer.compare(bufferFromShared(shared, start, length), expected)).toBe(0);
        for (let outAt = 0; outAt < 8; outAt++) {
          const out = Buffer.alloc(length + 9, 0xdd);
          copyFromShared(shared, start, length, out, outAt);
          expect(Buffer.compare(out.subarray(outAt, outAt + length), expected)).toBe(0);
          expect(outAt === 0 || out[outAt - 1] === 0xdd).toBe(true);
          expect(out[outAt + length]).toBe(0xdd);
        }
      }
    }
  });

  it('copies through a view of shared memory that does not start at its buffer start', () => {
    const view = new Uint8Array(shared.buffer, 5, 8192);
    const source = pattern(5000, 9).subarray(2);
    copyIntoShared(view, 7, source);
    expect(Buffer.compare(Buffer.from(shared.subarray(12, 12 + source.length)), source)).toBe(0);
    expect(Buffer.compare(bufferFromShared(view, 7, source.length), source)).toBe(0);
  });
});
