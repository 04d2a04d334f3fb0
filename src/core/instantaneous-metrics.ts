// INFO stats instantaneous_ops_per_sec, instantaneous_input_kbps and instantaneous_output_kbps, as Redis 7.0's
// server.c computes them: every 100 ms serverCron's trackInstantaneousMetric turns the growth of a total since
// the last sample into a per-second rate (C integer arithmetic: growth * 1000 / elapsed ms) in a ring of 16
// samples, and getInstantaneousMetric reports their mean (integer division). One sampler for the whole server,
// on the main thread; it publishes the means in the shared counters so INFO on any thread reads them.
// Knows nothing of sockets or commands: it reads totals and a clock it is given.

import type { InstantaneousRates } from './shared-counters.js';

/** STATS_METRIC_SAMPLES. */
export const METRIC_SAMPLES = 16;
/** serverCron's run_with_period(100). */
export const SAMPLE_INTERVAL_MS = 100;

/** One metric's ring (Redis's inst_metric). */
class MetricRing {
  private readonly samples = new Array<number>(METRIC_SAMPLES).fill(0);
  private index = 0;
  constructor(
    private lastTime: number,
    private lastReading: number,
  ) {}

  /** trackInstantaneousMetric. */
  track(now: number, reading: number): void {
    const elapsed = now - this.lastTime;
    const growth = reading - this.lastReading;
    this.samples[this.index] = elapsed > 0 ? Math.trunc((growth * 1000) / elapsed) : 0;
    this.index = (this.index + 1) % METRIC_SAMPLES;
    this.lastTime = now;
    this.lastReading = reading;
  }

  /** getInstantaneousMetric. */
  mean(): number {
    let sum = 0;
    for (const sample of this.samples) sum += sample;
    return Math.trunc(sum / METRIC_SAMPLES);
  }
}

/** The totals a sample reads: commands processed, bytes read from and written to clients. */
export interface MetricTotals {
  readonly commands: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
}

export class InstantaneousMetrics {
  private rings: MetricRing[];

  constructor(now: number, totals: MetricTotals) {
    this.rings = InstantaneousMetrics.ringsAt(now, totals);
  }

  private static ringsAt(now: number, totals: MetricTotals): MetricRing[] {
    return [totals.commands, totals.inputBytes, totals.outputBytes].map((r) => new MetricRing(now, r));
  }

  /** One sample of every metric, at `now` (ms). */
  sample(now: number, totals: MetricTotals): void {
    this.rings[0].track(now, totals.commands);
    this.rings[1].track(now, totals.inputBytes);
    this.rings[2].track(now, totals.outputBytes);
  }

  /** CONFIG RESETSTAT (resetServerStats): every ring empty, counting again from these totals. */
  reset(now: number, totals: MetricTotals): void {
    this.rings = InstantaneousMetrics.ringsAt(now, totals);
  }

  rates(): InstantaneousRates {
    return {
      opsPerSec: this.rings[0].mean(),
      inputBytesPerSec: this.rings[1].mean(),
      outputBytesPerSec: this.rings[2].mean(),
    };
  }
}

/** What the sampler reads and where it publishes: the shared counters. */
export interface RateSource {
  commandsProcessed(): number;
  traffic(): { inputBytes: number; outputBytes: number };
  ratesGeneration(): number;
  publishRates(rates: InstantaneousRates): void;
}

export interface SamplerTimers {
  setInterval(fn: () => void, ms: number): { unref?(): unknown };
  clearInterval(handle: unknown): void;
}

/**
 * Samples every 100 ms on this thread (unref'd: it never keeps the process up) and publishes the rates; a
 * RESETSTAT run on any thread (a new generation) empties the rings. Returns the stop function.
 */
export function startRateSampler(
  source: RateSource,
  clock: () => number,
  timers: SamplerTimers = { setInterval, clearInterval: (h) => clearInterval(h as NodeJS.Timeout) },
): () => void {
  const totals = (): MetricTotals => {
    const { inputBytes, outputBytes } = source.traffic();
    return { commands: source.commandsProcessed(), inputBytes, outputBytes };
  };
  const metrics = new InstantaneousMetrics(clock(), totals());
  let generation = source.ratesGeneration();
  const handle = timers.setInterval(() => {
    const now = clock();
    const current = source.ratesGeneration();
    if (current !== generation) {
      generation = current;
      metrics.reset(now, totals());
    } else {
      metrics.sample(now, totals());
    }
    source.publishRates(metrics.rates());
  }, SAMPLE_INTERVAL_MS);
  handle.unref?.();
  return () => timers.clearInterval(handle);
}
