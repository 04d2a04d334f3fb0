// The histogram arithmetic INFO latencystats reads, checked against figures redis-server 7.0.15 printed (its
// hdr_histogram with 1 ns .. 1 s at 2 significant digits): a lone 7 us call reads p50=7.007; a bucket of
// 16.000 .. 16.063 us reads 16.063 at p50.5 and 16.000 at p0.

import { describe, expect, it } from 'vitest';
import {
  HISTOGRAM_COUNTS,
  HISTOGRAM_MAX_NS,
  histogramIndex,
  valueAtPercentile,
} from '../../src/core/hdr-histogram.js';

function histogram(values: readonly number[]): { counts: Float64Array; total: number } {
  const counts = new Float64Array(HISTOGRAM_COUNTS);
  for (const v of values) counts[histogramIndex(v)] += 1;
  return { counts, total: values.length };
}

describe('hdr histogram (Redis 7 latency tracking)', () => {
  it('reads back the highest value equivalent to the percentile, the lowest at p0, as Redis printed them', () => {
    const one = histogram([7000]);
    expect(valueAtPercentile(one.counts, one.total, 50)).toBe(7007);
    const bucket = histogram([16010, 16050]);
    expect(valueAtPercentile(bucket.counts, bucket.total, 50.5)).toBe(16063);
    expect(valueAtPercentile(bucket.counts, bucket.total, 0)).toBe(16000);
  });

  it('keeps unit resolution below 256 ns and 2 significant digits above', () => {
    const small = histogram(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(valueAtPercentile(small.counts, small.total, 50)).toBe(100);
    expect(valueAtPercentile(small.counts, small.total, 100)).toBe(200);
    // 300 ns shares a count with 301 (width 2); 1 ms one 4096 ns wide, within 1%.
    expect(histogramIndex(300)).toBe(histogramIndex(301));
    expect(histogramIndex(300)).not.toBe(histogramIndex(302));
    const ms = histogram([1_000_000]);
    const read = valueAtPercentile(ms.counts, ms.total, 99);
    expect(read).toBeGreaterThanOrEqual(1_000_000);
    expect(read).toBeLessThan(1_010_000);
  });

  it('clamps to 1 ns .. 1 s, as updateCommandLatencyHistogram does, and counts the percentile by rank', () => {
    expect(histogramIndex(0)).toBe(histogramIndex(1));
    expect(histogramIndex(5e9)).toBe(histogramIndex(HISTOGRAM_MAX_NS));
    expect(histogramIndex(HISTOGRAM_MAX_NS)).toBeLessThan(HISTOGRAM_COUNTS);
    // 99 fast runs and one slow: p99 is still fast, p99.9 the slow one (count rounded: 99.9% of 100 is 100).
    const mixed = histogram([...new Array<number>(99).fill(1000), 50_000]);
    expect(valueAtPercentile(mixed.counts, mixed.total, 99)).toBe(1003); // 1000 .. 1003 share a count
    expect(valueAtPercentile(mixed.counts, mixed.total, 99.9)).toBeGreaterThanOrEqual(50_000);
    expect(valueAtPercentile(new Float64Array(HISTOGRAM_COUNTS), 0, 50)).toBe(0);
  });
});
