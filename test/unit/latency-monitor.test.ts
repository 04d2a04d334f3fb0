// The latency monitor (latency.c latencyAddSample, latencyResetEvent) and LATENCY DOCTOR's and GRAPH's text
// (createLatencyReport, latencyCommandGenSparkeline): sampling at the threshold only, one sample a second (its
// highest), 160 kept, the all-time high, events in the order they appeared, RESET by name in any case; the
// report's lines and advice for each kind of event and setting.

import { describe, expect, it } from 'vitest';
import { SAMPLES_KEPT, SharedLatencyMonitor } from '../../src/core/latency/latency-monitor.js';
import { latencyGraph, latencyReport, type ReportFacts } from '../../src/core/latency/latency-report.js';

const facts = (over: Partial<ReportFacts> = {}): ReportFacts => ({
  threshold: 10,
  slowlogThreshold: 10000,
  forkRate: 50,
  appendfsync: 'everysec',
  hz: 10,
  anonHugePages: 0,
  now: 1000,
  ...over,
});

describe('SharedLatencyMonitor', () => {
  it('samples nothing while off, and only latencies at or past the threshold, in whole ms', () => {
    const monitor = SharedLatencyMonitor.create();
    monitor.sampleIfNeeded('command', 500, 100);
    expect(monitor.events()).toEqual([]);
    monitor.setThreshold(10);
    monitor.sampleIfNeeded('command', 9.99, 100);
    expect(monitor.events()).toEqual([]);
    monitor.sampleIfNeeded('command', 10.7, 100);
    expect(monitor.event('command')).toEqual({
      name: 'command',
      samples: [{ time: 100, latency: 10 }],
      max: 10,
    });
  });

  it('keeps the highest latency of a second, 160 seconds of samples, and the all-time high', () => {
    const monitor = SharedLatencyMonitor.create();
    monitor.setThreshold(1);
    monitor.sampleIfNeeded('fast-command', 5, 100);
    monitor.sampleIfNeeded('fast-command', 3, 100);
    monitor.sampleIfNeeded('fast-command', 7, 100);
    expect(monitor.event('fast-command')?.samples).toEqual([{ time: 100, latency: 7 }]);
    for (let t = 101; t < 101 + SAMPLES_KEPT; t++) monitor.sampleIfNeeded('fast-command', 2, t);
    const series = monitor.event('fast-command')!;
    expect(series.samples).toHaveLength(SAMPLES_KEPT);
    expect(series.samples[0]).toEqual({ time: 101, latency: 2 });
    expect(series.samples.at(-1)).toEqual({ time: 100 + SAMPLES_KEPT, latency: 2 });
    expect(series.max).toBe(7);
  });

  it('lists events in the order they appeared; RESET takes a name in any case and counts what went', () => {
    const monitor = SharedLatencyMonitor.create();
    monitor.setThreshold(1);
    monitor.sampleIfNeeded('expire-cycle', 3, 10);
    monitor.sampleIfNeeded('command', 4, 11);
    expect(monitor.events().map((e) => e.name)).toEqual(['expire-cycle', 'command']);
    expect(monitor.event('COMMAND')).toBeNull(); // HISTORY and GRAPH look names up exactly
    expect(monitor.reset('COMMAND')).toBe(1);
    expect(monitor.reset('command')).toBe(0);
    monitor.sampleIfNeeded('command', 4, 12);
    expect(monitor.events().map((e) => e.name)).toEqual(['expire-cycle', 'command']);
    expect(monitor.reset(null)).toBe(2);
    expect(monitor.events()).toEqual([]);
  });

  it('is one monitor for every thread that attaches to it', () => {
    const monitor = SharedLatencyMonitor.create();
    const other = SharedLatencyMonitor.attach(monitor.handles());
    monitor.setThreshold(1);
    other.sampleIfNeeded('fork', 2, 5);
    expect(monitor.events().map((e) => e.name)).toEqual(['fork']);
  });
});

const series = (
  name: 'command' | 'fork' | 'expire-cycle' | 'aof-fsync-always' | 'fast-command',
  ...latencies: number[]
) => ({
  name,
  samples: latencies.map((latency, i) => ({ time: 990 + i, latency })),
  max: Math.max(...latencies),
});

describe('LATENCY DOCTOR', () => {
  it('says monitoring is disabled, or that nothing was observed', () => {
    expect(latencyReport([], facts({ threshold: 0 }))).toMatch(
      /^I'm sorry, Dave, I can't do that\. Latency monitoring is disabled/,
    );
    expect(latencyReport([], facts())).toBe(
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n',
    );
  });

  it('reports each event with its figures and the advice it calls for', () => {
    const report = latencyReport(
      [series('command', 20, 40), series('expire-cycle', 15)],
      facts({ slowlogThreshold: -1 }),
    );
    expect(report).toBe(
      "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n" +
        '1. command: 2 latency spikes (average 30ms, mean deviation 10ms, period 5.00 sec). Worst all time event 40ms.\n' +
        '2. expire-cycle: 1 latency spikes (average 15ms, mean deviation 0ms, period 10.00 sec). Worst all time event 15ms.\n' +
        '\nI have a few advices for you:\n\n' +
        "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than 10000'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n" +
        '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n' +
        "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n" +
        '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n',
    );
  });

  it('rates a fork, asks to tune a slow log slower than the threshold, and knows when advice does not apply', () => {
    const fork = latencyReport([series('fork', 12)], facts({ forkRate: 3.456 }));
    expect(fork).toContain('Worst all time event 12ms. Fork rate is 3.46 GB/sec (terrible).\n');
    expect(fork).toContain('- If you are using a virtual machine, consider upgrading it');
    expect(latencyReport([series('fork', 12)], facts({ forkRate: 150 }))).toContain(
      " Fork rate is 150.00 GB/sec (excellent).\n\nWhile there are latency events logged, I'm not able to suggest any easy fix.",
    );
    expect(latencyReport([series('command', 12)], facts({ slowlogThreshold: 50000 }))).toContain(
      "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 10000'.\n",
    );
    // Counted as advice, but shown only with appendfsync always: the report then has no advice line at all.
    expect(latencyReport([series('aof-fsync-always', 12)], facts())).toMatch(
      /I have a few advices for you:\n\n$/,
    );
    expect(latencyReport([series('aof-fsync-always', 12)], facts({ appendfsync: 'always' }))).toContain(
      "policy is set to 'always'",
    );
    expect(latencyReport([], facts({ anonHugePages: 4096 }))).toContain(
      '- I detected a non zero amount of anonymous huge pages',
    );
  });
});

describe('LATENCY GRAPH', () => {
  it("draws one sample as Redis 7.0 does: four rows, a blank line, then each label's characters", () => {
    expect(latencyGraph(series('command', 50), 990)).toBe(
      'command - high 50 ms, low 50 ms (all time high 50 ms)\n' + `${'-'.repeat(80)}\n \n \n \n_\n \n0\ns\n`,
    );
  });
  it('draws 90 samples in two slices of 80 as sparkline.c does', () => {
    // The expected lines are what Redis 7.0.15's sparkline.c (sparklineRender, 80 columns, 4 rows, SPARKLINE_FILL)
    // printed for these samples, built with a small C harness around it.
    const now = 100000;
    const samples = Array.from({ length: 90 }, (_, i) => ({
      time: now - (90 - i) * 7,
      latency: 10 + ((i * 37) % 200),
    }));
    const graph = latencyGraph({ name: 'command', samples, max: 500 }, now);
    expect(graph.split('\n').slice(0, 2)).toEqual([
      'command - high 209 ms, low 10 ms (all time high 500 ms)',
      '-'.repeat(80),
    ]);
    expect(graph.split('\n').slice(2)).toEqual([
      '     #    o    _#    o    _#    #    o    _#    o    _#    #    o    _#    o    ',
      '   _#|   #|   o||  _#|   o||  _#|   o|   o||  _#|   o||  _#|   o|   _||  _#|   o',
      '  o||| _#||  o||| _||| _#||| o||| _#||  o||| _||| _#||| o||| _#||  o||| _|||  #|',
      '_#||||o||||_#||||o||||_|||||#||||o||||_#||||o||||_|||||#||||o||||_#||||o||||_#||',
      '                                                                                ',
      '11111999999998888888887777777776666666655555555544444444333333333222222221111111',
      '00000mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm',
      'mmmmm                                                                           ',
      '',
      '_#    o   ',
      '||  _#|   ',
      '|| o||| _#',
      '||#||||o||',
      '          ',
      '1154432217',
      'mm6925814s',
      '  sssssss ',
      '',
    ]);
  });
});
