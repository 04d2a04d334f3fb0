// The histogram arithmetic INFO latencystats reads, checked against figures redis-server 7.0.15 printed (its
// hdr_histogram with 1 ns .. 1 s at 2 significant digits): a lone 7 us call reads p50=7.007; a bucket of
// 16.000 .. 16.063 us reads 16.063 at p50.5 and 16.000 at p0.

import { describe, expect, it } from 'vitest';
import {
  cumulativeDistribution,
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

describe('cumulativeDistribution (LATENCY HISTOGRAM)', () => {
  // Expected pairs printed by Redis 7.0.15's own deps/hdr_histogram (hdr_init(1, 1e9, 2), hdr_record_value of
  // each value, then latency.c fillCommandCDF's loop over hdr_iter_log_init(1024, 2)), built with a small C
  // harness: the values here are its input.
  const distribution = (values: readonly number[]): string => {
    const counts = new Float64Array(HISTOGRAM_COUNTS);
    for (const v of values) counts[histogramIndex(v)]++;
    return cumulativeDistribution(counts)
      .map(([micros, count]) => `${micros} ${count}`)
      .join(';');
  };

  it('reports the buckets hdr_histogram reports, where the cumulative count grew', () => {
    expect(distribution([1500, 2000, 70000, 999999999, 5, 12345678])).toBe('1 1;2 3;132 4;16908 5;1073741 6');
  });

  it('matches over values spread from 1 ns to 1 s', () => {
    let x = 12345;
    const values: number[] = [];
    for (let i = 0; i < 200; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      values.push(Math.floor(2 ** ((x / 2147483648) * 30)));
    }
    expect(distribution(values)).toBe(
      '1 63;2 70;4 77;8 85;16 90;33 100;66 107;132 111;264 118;528 123;1056 130;2113 147;4227 155;8454 157;' +
        '16908 164;33816 174;67633 180;135266 186;270532 190;541065 193;1073741 200',
    );
  });

  it('is empty without counts', () => {
    expect(distribution([])).toBe('');
  });
});
