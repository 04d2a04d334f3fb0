// latency-tracking-info-percentiles (Redis 7.0's config.c set/getConfigLatencyTrackingInfoPercentilesOutputOption)
// and the INFO latencystats line it shapes (server.c fillPercentileDistributionLatencies):
// "latency_percentiles_usec_<command>:p50=1.003,p99=2.007,p99.9=2.007", each percentile's name printed with "%f"
// and its trailing zeros trimmed, each value the histogram's (nanoseconds) / 1000 with "%.3f".
// Pure: text in, text out; the histograms come from the shared counters.

import { formatFixed } from './format-double.js';
import { HISTOGRAM_COUNTS, valueAtPercentile } from './hdr-histogram.js';
import { string2ld } from './long-double/redis-text.js';
import { strtod } from './strtod.js';

/** sprintf("%f") then trimDoubleString: "50", "99.9", "50.5". */
function percentileName(p: number): string {
  const text = formatFixed(p, 6);
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * The setting's refine step: its words (split on single spaces, as config.c splits a multi-argument setting, so
 * "" is no percentiles and a doubled space an empty word), each a number (string2ld) between 0 and 100, stored
 * as CONFIG GET prints them back.
 */
export function normalisePercentiles(value: string): string | { error: string } {
  const words = value === '' ? [] : value.split(' ').map((w) => Buffer.from(w, 'latin1'));
  const percentiles: number[] = [];
  for (const word of words) {
    if (string2ld(word) === null) return { error: 'Invalid latency-tracking-info-percentiles parameters' };
    const p = strtod(word).value;
    if (p > 100 || p < 0) {
      return { error: 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]' };
    }
    percentiles.push(p);
  }
  return percentiles.map(percentileName).join(' ');
}

/** The stored setting as numbers. */
export function parsePercentiles(stored: string): number[] {
  return stored === '' ? [] : stored.split(' ').map(Number);
}

/** One command's line value: "p50=1.003,p99=2.007" (empty with no percentiles set). */
export function percentilesLine(counts: Float64Array, percentiles: readonly number[]): string {
  let total = 0;
  for (let i = 0; i < HISTOGRAM_COUNTS; i++) total += counts[i];
  return percentiles
    .map((p) => `p${percentileName(p)}=${formatFixed(valueAtPercentile(counts, total, p) / 1000, 3)}`)
    .join(',');
}

/** Whether a summed histogram holds any run (Redis lists a command once it has a histogram). */
export function hasCounts(counts: Float64Array): boolean {
  for (let i = 0; i < HISTOGRAM_COUNTS; i++) if (counts[i] > 0) return true;
  return false;
}
