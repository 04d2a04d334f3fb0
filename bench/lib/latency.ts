// Latency percentiles on Node's HdrHistogram (perf_hooks.createHistogram): record nanoseconds, report
// milliseconds. One recorder per measured stream; summaries are plain JSON for the result files.

import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export interface LatencySummary {
  /** Number of recorded requests. */
  count: number;
  /** Milliseconds, 3 significant figures (HdrHistogram precision). */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export class LatencyRecorder {
  private readonly histogram: RecordableHistogram = createHistogram({
    lowest: 1,
    highest: 3_600_000_000_000,
    figures: 3,
  });

  /** Records one latency given in milliseconds (performance.now() differences). */
  recordMs(ms: number): void {
    this.histogram.record(Math.min(3_600_000_000_000, Math.max(1, Math.round(ms * 1e6))));
  }

  get count(): number {
    return this.histogram.count;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    if (h.count === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
    const ms = (ns: number): number => Number((ns / 1e6).toPrecision(3));
    return {
      count: h.count,
      p50: ms(h.percentile(50)),
      p90: ms(h.percentile(90)),
      p99: ms(h.percentile(99)),
      p999: ms(h.percentile(99.9)),
      max: ms(h.max),
      mean: ms(h.mean),
    };
  }
}

/** This process's own CPU use over an interval, so readers can tell when the client is the bottleneck. */
export class CpuMeter {
  private readonly startUsage = process.cpuUsage();
  private readonly startWall = performance.now();

  stop(): ClientCpu {
    const usage = process.cpuUsage(this.startUsage);
    const wallMs = performance.now() - this.startWall;
    const userMs = usage.user / 1000;
    const systemMs = usage.system / 1000;
    return {
      userMs: Math.round(userMs),
      systemMs: Math.round(systemMs),
      wallMs: Math.round(wallMs),
      /** Percent of one core; a Node client is single-threaded, so near 100 means the client is saturated. */
      percentOfOneCore: wallMs > 0 ? Math.round(((userMs + systemMs) / wallMs) * 100) : 0,
    };
  }
}

export interface ClientCpu {
  userMs: number;
  systemMs: number;
  wallMs: number;
  percentOfOneCore: number;
}
