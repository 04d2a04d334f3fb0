// A stream ID's reply text (store/stream-id.ts idBuffer, idNumbersBuffer): the digits written by hand for exact
// numbers must spell what the bigints' decimal forms spell, at every digit count and at the edges of exactness.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idBuffer, idNumbersBuffer, makeId, MAX_U64 } from '../../src/core/store/stream-id.js';

const text = (ms: bigint, seq: bigint): string => `${ms}-${seq}`;

describe('stream ID text', () => {
  it('spells the edges: 0, powers of ten, 2^53 - 1, 2^53 and the largest 64-bit value', () => {
    const edges = [0n, 1n, 9n, 10n, 99n, 100n, 1700000000000n, 2n ** 53n - 1n, 2n ** 53n, MAX_U64];
    for (const ms of edges) {
      for (const seq of edges) expect(idBuffer(makeId(ms, seq)).toString('latin1')).toBe(text(ms, seq));
    }
  });

  it('spells any ID as the bigints do, and exact numbers as idNumbersBuffer does', () => {
    const u64 = fc.bigInt({ min: 0n, max: MAX_U64 });
    const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(u64, u64, (ms, seq) => {
        expect(idBuffer(makeId(ms, seq)).toString('latin1')).toBe(text(ms, seq));
      }),
    );
    fc.assert(
      fc.property(safe, safe, (ms, seq) => {
        expect(idNumbersBuffer(ms, seq).toString('latin1')).toBe(`${ms}-${seq}`);
      }),
    );
  });
});
