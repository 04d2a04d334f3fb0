// The arithmetic of the HdrHistogram Redis 7 keeps per command for INFO latencystats (deps/hdr_histogram,
// hdr_init(1, 1000000000, 2): values from 1 ns to 1 s at 2 significant digits): which count a value goes to,
// and the value a percentile reads back. Pure functions over a counts array; where the counts live (shared
// memory, one histogram per thread and command) is shared-counters.ts's business.

/** LATENCY_HISTOGRAM_MIN_VALUE and _MAX_VALUE (server.h): nanoseconds. */
export const HISTOGRAM_MIN_NS = 1;
export const HISTOGRAM_MAX_NS = 1_000_000_000;

// hdr_init's derived figures for those bounds and 2 significant digits: 2 * 10^2 values at unit resolution need
// 256 sub-buckets (half of them 128, magnitude 7); 23 buckets cover 1e9 (256 << 22 > 1e9); unit magnitude 0.
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF_COUNT - 1;
const BUCKET_COUNT = 23;

/** hdr_histogram's counts_len: (bucket_count + 1) * sub_bucket_half_count. */
export const HISTOGRAM_COUNTS = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT;

/**
 * counts_index_for: the count a value (ns, clamped to the histogram's range as updateCommandLatencyHistogram
 * does) is added to. Values below 2^30, so 32-bit leading zeros do.
 */
export function histogramIndex(nanoseconds: number): number {
  const value =
    nanoseconds < HISTOGRAM_MIN_NS
      ? HISTOGRAM_MIN_NS
      : nanoseconds > HISTOGRAM_MAX_NS
        ? HISTOGRAM_MAX_NS
        : nanoseconds | 0; // truncates, as Redis's integer nanoseconds (below 2^31 here)
  const bucket = 32 - Math.clz32(value | SUB_BUCKET_MASK) - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);
  const subBucket = value >>> bucket;
  return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + subBucket - SUB_BUCKET_HALF_COUNT;
}

/** hdr_value_at_index: the lowest value counted at `index`, and the width of its range. */
function rangeAt(index: number): { lowest: number; width: number } {
  let bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let subBucket = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    subBucket -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return { lowest: subBucket * 2 ** bucket, width: 2 ** bucket };
}

/**
 * hdr_value_at_percentile: the count at the percentile (rounded, at least 1) is found walking the counts; the
 * answer is the highest value equivalent to that count's (the lowest, for percentile 0). 0 for no counts.
 */
export function valueAtPercentile(counts: ArrayLike<number>, total: number, percentile: number): number {
  const requested = percentile < 100 ? percentile : 100;
  const wanted = Math.max(1, Math.trunc((requested / 100) * total + 0.5));
  let seen = 0;
  for (let index = 0; index < HISTOGRAM_COUNTS; index++) {
    seen += counts[index];
    if (seen >= wanted) {
      const { lowest, width } = rangeAt(index);
      return percentile === 0 ? lowest : lowest + width - 1;
    }
  }
  return 0;
}

/**
 * LATENCY HISTOGRAM's buckets (latency.c fillCommandCDF over hdr_iter_log_init(1024, 2)): walking the counts
 * with reporting levels from 1024 ns doubling, each step's highest equivalent value in whole microseconds and
 * the cumulative count up to it, kept where the cumulative count grew.
 */
export function cumulativeDistribution(counts: ArrayLike<number>): [micros: number, cumulative: number][] {
  let total = 0;
  for (let i = 0; i < HISTOGRAM_COUNTS; i++) total += counts[i];
  // lowest_equivalent_value, unclamped (the levels pass the histogram's range: 1024 ns doubled 21 times is 2^31).
  const lowestEquivalent = (value: number): number => {
    let bucket = 0;
    while (value / 2 ** bucket >= 2 * SUB_BUCKET_HALF_COUNT) bucket++;
    return Math.floor(value / 2 ** bucket) * 2 ** bucket;
  };
  let level = 1024;
  let levelLowest = lowestEquivalent(level);
  let index = -1;
  let value = 0;
  let highest = 0;
  let cumulative = 0;
  let previous = 0;
  const out: [number, number][] = [];
  // log_iter_next: one reported step per turn, while counts remain or a later value passes the level.
  while (cumulative < total || (index < HISTOGRAM_COUNTS && rangeAt(index + 1).lowest > levelLowest)) {
    for (;;) {
      if (value >= levelLowest) {
        level *= 2;
        levelLowest = lowestEquivalent(level);
        break;
      }
      index++;
      if (index >= HISTOGRAM_COUNTS) break;
      cumulative += counts[index];
      const range = rangeAt(index);
      value = range.lowest;
      highest = range.lowest + range.width - 1;
    }
    if (cumulative > previous) out.push([Math.trunc(highest / 1000), cumulative]);
    previous = cumulative;
  }
  return out;
}
