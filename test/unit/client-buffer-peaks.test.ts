// INFO's recent client buffer peaks as Redis 7.0 keeps them (server.c clientsCronTrackExpansiveClients): a ring of
// 8 one-second slots per sampling thread, the largest over them reported, each sample stamped with the injected
// time. A peak stays in view for the second it was seen and the 6 after, then drops out, as after Redis's cron
// zeroes the slot ahead of it.

import { describe, expect, it } from 'vitest';
import { ClientBufferPeaks } from '../../src/core/client-buffer-peaks.js';

const T0 = 1_700_000_000_000; // a whole second
const sample = (maxQuery: number, maxOutput: number, total = maxQuery + maxOutput) => ({
  maxQuery,
  maxOutput,
  total,
});

describe('ClientBufferPeaks', () => {
  it('reports nothing before any sample', () => {
    expect(ClientBufferPeaks.create(2).read()).toEqual({ maxQuery: 0, maxOutput: 0, total: 0 });
  });

  it('keeps the largest buffers sampled within one second', () => {
    const peaks = ClientBufferPeaks.create(1);
    peaks.record(0, T0, sample(100, 7));
    peaks.record(0, T0 + 400, sample(30, 900));
    peaks.record(0, T0 + 999, sample(50, 10));
    expect(peaks.read()).toEqual({ maxQuery: 100, maxOutput: 900, total: 60 });
  });

  it("reports a peak for the second it was seen and the 6 after, though the client's buffers are gone", () => {
    const peaks = ClientBufferPeaks.create(1);
    peaks.record(0, T0, sample(5000, 0));
    for (let second = 1; second <= 6; second++) {
      peaks.record(0, T0 + second * 1000, sample(10, 0));
      expect(peaks.read().maxQuery).toBe(5000);
    }
    peaks.record(0, T0 + 7000, sample(10, 0));
    expect(peaks.read()).toEqual({ maxQuery: 10, maxOutput: 0, total: 10 });
  });

  it('drops a peak whose slot comes round again after seconds without a sample', () => {
    const peaks = ClientBufferPeaks.create(1);
    peaks.record(0, T0, sample(5000, 2000));
    // The cron did not run for 8 seconds: the slot of T0 is this second's again, and must not be added to.
    peaks.record(0, T0 + 8000, sample(1, 2));
    expect(peaks.read()).toEqual({ maxQuery: 1, maxOutput: 2, total: 3 });
    peaks.record(0, T0 + 20_500, sample(3, 0));
    expect(peaks.read()).toEqual({ maxQuery: 3, maxOutput: 0, total: 3 });
  });

  it('drops what was sampled at a later time when the clock goes back', () => {
    const peaks = ClientBufferPeaks.create(1);
    peaks.record(0, T0 + 3000, sample(5000, 0));
    peaks.record(0, T0, sample(8, 0));
    expect(peaks.read().maxQuery).toBe(8);
  });

  it("takes the largest of every thread's row and adds up their last totals, each thread attached to one buffer", () => {
    const owner = ClientBufferPeaks.create(3);
    const loops = [0, 1, 2].map(() => ClientBufferPeaks.attach(owner.buffer));
    loops[0].record(0, T0, sample(100, 5, 300));
    loops[1].record(1, T0 + 2000, sample(40, 700, 1000));
    loops[2].record(2, T0 + 1000, sample(0, 0, 0));
    loops[0].record(0, T0 + 3000, sample(1, 1, 2)); // its total is now 2; its peak of second 0 stays
    expect(owner.read()).toEqual({ maxQuery: 100, maxOutput: 700, total: 1002 });
  });

  it('holds buffers beyond 2^32 bytes', () => {
    const peaks = ClientBufferPeaks.create(1);
    peaks.record(0, T0, sample(5 * 2 ** 32, 3 * 2 ** 32));
    expect(peaks.read()).toEqual({ maxQuery: 5 * 2 ** 32, maxOutput: 3 * 2 ** 32, total: 8 * 2 ** 32 });
  });
});
