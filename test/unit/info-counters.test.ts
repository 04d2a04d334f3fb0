// The shared counters behind INFO's new figures, with two "threads" attached to one buffer (each attach takes a
// slab of its own, as each worker thread's does): traffic, latency histograms, RESETSTAT's baselines and
// histogram generations, latency-tracking's switch, the eviction exceeded time and the replication id.

import { describe, expect, it } from 'vitest';
import { histogramIndex, valueAtPercentile } from '../../src/core/hdr-histogram.js';
import { SharedServerCounters } from '../../src/core/shared-counters.js';

const NO_TOTALS = { connections: 0, rejectedConnections: 0, expiredKeys: 0, evictedKeys: 0 };

function twoThreads(): [SharedServerCounters, SharedServerCounters] {
  const a = SharedServerCounters.create({ commandSlots: 8 });
  return [a, SharedServerCounters.attach(a.buffer)];
}

describe('SharedServerCounters: traffic', () => {
  it('adds every thread bytes and calls, and RESETSTAT starts them again', () => {
    const [a, b] = twoThreads();
    a.bytesRead(100);
    b.bytesRead(23);
    b.bytesRead(0); // end of input: a read, no bytes
    a.bytesWritten(5);
    b.bytesWritten(7);
    expect(a.traffic()).toEqual({ inputBytes: 123, outputBytes: 12, reads: 3, writes: 2 });
    expect(b.traffic()).toEqual(a.traffic());
    b.resetBaseline(NO_TOTALS);
    expect(a.traffic()).toEqual({ inputBytes: 0, outputBytes: 0, reads: 0, writes: 0 });
    a.bytesRead(9);
    expect(b.traffic()).toEqual({ inputBytes: 9, outputBytes: 0, reads: 1, writes: 0 });
  });
});

describe('SharedServerCounters: latency histograms', () => {
  it("sums every thread's histogram of a command, and only commands that ran have one", () => {
    const [a, b] = twoThreads();
    a.commandCalled(3, 7, false); // 7 us
    b.commandCalled(3, 7, true);
    b.commandCalled(3, 100, false);
    const histograms = a.latencyHistograms();
    expect(histograms.filter((h) => h !== null)).toHaveLength(1);
    const counts = histograms[3]!;
    expect(counts[histogramIndex(7000)]).toBe(2);
    expect(counts[histogramIndex(100_000)]).toBe(1);
    expect(valueAtPercentile(counts, 3, 50)).toBe(7007);
  });

  it('records nothing while latency-tracking is off, for every thread', () => {
    const [a, b] = twoThreads();
    b.setLatencyTracking(false);
    expect(a.latencyTracking()).toBe(false);
    a.commandCalled(1, 5, false);
    expect(b.latencyHistograms()[1]).toBeNull();
    expect(a.commandStats()[1].calls).toBe(1); // commandstats still counts
    a.setLatencyTracking(true);
    a.commandCalled(1, 5, false);
    expect(b.latencyHistograms()[1]![histogramIndex(5000)]).toBe(1);
  });

  it('RESETSTAT on one thread empties every thread histograms, each cleared by its thread before it records', () => {
    const [a, b] = twoThreads();
    a.commandCalled(2, 7, false);
    b.commandCalled(2, 7, false);
    a.resetBaseline(NO_TOTALS);
    expect(a.latencyHistograms()[2]).toBeNull();
    b.commandCalled(2, 50, false); // b clears its own, then records
    const counts = a.latencyHistograms()[2]!;
    expect(counts[histogramIndex(7000)]).toBe(0);
    expect(counts[histogramIndex(50_000)]).toBe(1);
  });
});

describe('SharedServerCounters: eviction exceeded time and replication id', () => {
  it('counts the time memory stayed over maxmemory after eviction, per thread, summed', () => {
    const [a, b] = twoThreads();
    a.memoryChecked(false);
    expect(a.evictionExceeded()).toEqual({ total: 0, current: 0 });
    const started = Date.now();
    a.memoryChecked(true);
    b.memoryChecked(true);
    const running = a.evictionExceeded(started + 1000);
    expect(running.current).toBeGreaterThanOrEqual(999);
    expect(running.total).toBeGreaterThanOrEqual(2 * running.current - 2);
    b.memoryChecked(false);
    a.memoryChecked(false);
    const now = Date.now();
    const { total, current } = b.evictionExceeded(now);
    expect(current).toBe(0);
    expect(total).toBeGreaterThanOrEqual(0);
    expect(b.evictionExceeded(now + 5000).total).toBe(total); // no longer grows
  });

  it('gives every thread the same random 40-hex master_replid, another at each start', () => {
    const [a, b] = twoThreads();
    expect(a.replicationId()).toMatch(/^[0-9a-f]{40}$/);
    expect(b.replicationId()).toBe(a.replicationId());
    expect(SharedServerCounters.create().replicationId()).not.toBe(a.replicationId());
  });
});
