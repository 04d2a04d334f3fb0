// INFO's instantaneous rates as Redis 7.0 computes them (trackInstantaneousMetric / getInstantaneousMetric): a
// sample every 100 ms of each total's growth per second (integer arithmetic), the mean of the last 16 samples.
// The clock and the timer are injected: nothing sleeps.

import { describe, expect, it } from 'vitest';
import {
  InstantaneousMetrics,
  METRIC_SAMPLES,
  SAMPLE_INTERVAL_MS,
  startRateSampler,
  type RateSource,
} from '../../src/core/instantaneous-metrics.js';
import type { InstantaneousRates } from '../../src/core/shared-counters.js';

const totals = (commands: number, inputBytes = 0, outputBytes = 0) => ({ commands, inputBytes, outputBytes });

describe('InstantaneousMetrics', () => {
  it('is the mean of the last 16 per-second samples, each growth * 1000 / elapsed ms truncated', () => {
    const m = new InstantaneousMetrics(0, totals(0));
    m.sample(100, totals(50, 1024, 10)); // 500/s, 10240 B/s, 100 B/s
    expect(m.rates()).toEqual({
      opsPerSec: Math.trunc(500 / METRIC_SAMPLES),
      inputBytesPerSec: 10240 / METRIC_SAMPLES,
      outputBytesPerSec: Math.trunc(100 / METRIC_SAMPLES),
    });
    for (let i = 2; i <= METRIC_SAMPLES; i++) m.sample(i * 100, totals(50 * i, 1024 * i, 10 * i));
    expect(m.rates()).toEqual({ opsPerSec: 500, inputBytesPerSec: 10240, outputBytesPerSec: 100 });
    // A 17th sample pushes out the first: 16 samples of 0 growth leave nothing.
    for (let i = 1; i <= METRIC_SAMPLES; i++) m.sample(1600 + i * 100, totals(800, 16384, 160));
    expect(m.rates()).toEqual({ opsPerSec: 0, inputBytesPerSec: 0, outputBytesPerSec: 0 });
  });

  it('uses the real elapsed time (a late tick) and truncates as C does', () => {
    const m = new InstantaneousMetrics(1000, totals(0));
    m.sample(1300, totals(7)); // 7 * 1000 / 300 = 23.33 -> 23
    expect(m.rates().opsPerSec).toBe(Math.trunc(23 / METRIC_SAMPLES));
    m.sample(1300, totals(9)); // no time elapsed: Redis's sample is 0
    expect(m.rates().opsPerSec).toBe(Math.trunc(23 / METRIC_SAMPLES));
  });

  it('starts again from the totals given at a reset', () => {
    const m = new InstantaneousMetrics(0, totals(1000));
    m.sample(100, totals(2000));
    m.reset(100, totals(0));
    expect(m.rates().opsPerSec).toBe(0);
    m.sample(200, totals(16));
    expect(m.rates().opsPerSec).toBe(10);
  });
});

describe('startRateSampler', () => {
  function fakeSource() {
    const state = { commands: 0, input: 0, output: 0, generation: 0, published: [] as InstantaneousRates[] };
    const source: RateSource = {
      commandsProcessed: () => state.commands,
      traffic: () => ({ inputBytes: state.input, outputBytes: state.output }),
      ratesGeneration: () => state.generation,
      publishRates: (rates) => void state.published.push(rates),
    };
    return { state, source };
  }

  it('samples every 100 ms on the timer it is given, publishes the means, and a RESETSTAT empties the rings', () => {
    const { state, source } = fakeSource();
    let now = 0;
    let tick: (() => void) | null = null;
    let period = 0;
    let cleared = false;
    const stop = startRateSampler(source, () => now, {
      setInterval: (fn, ms) => {
        tick = fn;
        period = ms;
        return {};
      },
      clearInterval: () => void (cleared = true),
    });
    expect(period).toBe(SAMPLE_INTERVAL_MS);
    for (let i = 1; i <= METRIC_SAMPLES; i++) {
      now += 100;
      state.commands += 100;
      state.input += 2048;
      tick!();
    }
    expect(state.published.at(-1)).toEqual({
      opsPerSec: 1000,
      inputBytesPerSec: 20480,
      outputBytesPerSec: 0,
    });
    // CONFIG RESETSTAT (on any thread): the totals restart from 0 and so do the rates, at once.
    state.generation++;
    state.commands = 0;
    now += 100;
    tick!();
    expect(state.published.at(-1)).toEqual({ opsPerSec: 0, inputBytesPerSec: 0, outputBytesPerSec: 0 });
    now += 100;
    state.commands = 16;
    tick!();
    expect(state.published.at(-1)?.opsPerSec).toBe(10);
    stop();
    expect(cleared).toBe(true);
  });
});
