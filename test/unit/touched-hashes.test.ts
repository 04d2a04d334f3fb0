import { describe, expect, it } from 'vitest';
import { TouchedHashes } from '../../src/core/store/touched.js';

describe('TouchedHashes', () => {
  it('answers for the hashes noted since the last clear, few or many', () => {
    const touched = new TouchedHashes();
    touched.note(7);
    touched.note(9);
    expect([touched.count, touched.has(7), touched.has(9), touched.has(8)]).toEqual([2, true, true, false]);
    for (let h = 100; h < 130; h++) touched.note(h);
    expect([touched.has(7), touched.has(129), touched.has(130)]).toEqual([true, true, false]);
    touched.note(130); // noted after a lookup of many: the lookup sees it
    expect(touched.has(130)).toBe(true);
    touched.clear();
    expect([touched.count, touched.has(7), touched.has(130)]).toEqual([0, false, false]);
    touched.note(130);
    expect([touched.has(130), touched.has(129)]).toEqual([true, false]);
    // As many as before the clear, other hashes: the lookup of many is of these.
    for (let h = 200; h < 232; h++) touched.note(h);
    expect([touched.count, touched.has(231), touched.has(129)]).toEqual([33, true, false]);
  });
});
