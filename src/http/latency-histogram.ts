// A Prometheus-style latency histogram: cumulative counts per upper bound, a sum and a count. Fixed buckets,
// an array of counters and one comparison loop per observation, so recording costs next to nothing on the
// request path. Knows nothing of HTTP; metrics.ts writes it out.

/** Upper bounds in seconds: 25 us (an in-memory GET) up to 1 s (a KEYS over a large keyspace). */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.25, 1,
];

export class LatencyHistogram {
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last slot counts those above every bound. */
  private readonly counts: number[];
  private sum = 0;
  private total = 0;

  constructor(readonly bounds: readonly number[] = LATENCY_BUCKETS_SECONDS) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(seconds: number): void {
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += seconds;
    this.total++;
  }

  /** Cumulative counts per bound (Prometheus's `le` buckets), then +Inf: the total. */
  cumulative(): { le: number; count: number }[] {
    let running = 0;
    return this.bounds.map((le, i) => {
      running += this.counts[i];
      return { le, count: running };
    });
  }

  get count(): number {
    return this.total;
  }

  get sumSeconds(): number {
    return this.sum;
  }
}
