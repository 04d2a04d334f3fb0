// A container's size from a sample of its elements (src/core/store/sampled-size.ts): exact when every element was
// sampled (MEMORY USAGE ... SAMPLES 0 must equal what DEL frees), Redis's mean-times-count estimate otherwise.
import { describe, expect, it } from 'vitest';
import { scaledSample } from '../../src/core/store/sampled-size.js';

describe('scaledSample', () => {
  it('is the exact sum when every element was sampled, where the mean times the count falls a byte short', () => {
    expect(Math.floor((240856 / 3000) * 3000)).toBe(240855); // the floating-point estimate alone
    expect(scaledSample(240856, 3000, 3000)).toBe(240856);
  });

  it('scales a partial sample by the mean, rounded down, and is 0 with nothing sampled', () => {
    expect(scaledSample(100, 5, 1000)).toBe(20000);
    expect(scaledSample(101, 5, 7)).toBe(141); // 20.2 x 7 = 141.4
    expect(scaledSample(0, 0, 1000)).toBe(0);
  });
});
