// LATENCY LATEST / HISTORY / RESET / DOCTOR / GRAPH / HISTOGRAM / HELP (latency.c latencyCommand), over the
// server's one latency monitor, which every thread shares (latency/latency-monitor.ts), and for HISTOGRAM the
// per-command latency histograms INFO latencystats reads (the shared counters).

import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError } from '../errors.js';
import { cumulativeDistribution } from '../hdr-histogram.js';
import { anonHugePagesBytes } from '../latency/huge-pages.js';
import type { SharedLatencyMonitor } from '../latency/latency-monitor.js';
import { latencyGraph, latencyReport } from '../latency/latency-report.js';
import { array, bulkString, fieldMap, integer, map, type Reply, verbatim } from '../reply.js';
import { helpReply, subcommandBuilder } from './container.js';

function monitorOf(ctx: CommandContext): SharedLatencyMonitor {
  const monitor = ctx.server.latency;
  if (monitor === undefined) throw new CommandError('ERR the latency monitor is not available here');
  return monitor;
}

const nowSeconds = (ctx: CommandContext): number => Math.floor(ctx.server.clock() / 1000);

/** LATENCY LATEST: [event, time of its latest sample, its latency, its all-time high] per event. */
function latest(_argv: Buffer[], ctx: CommandContext): Reply {
  return array(
    monitorOf(ctx)
      .events()
      .map((event) => {
        const last = event.samples.at(-1) ?? { time: 0, latency: 0 };
        return array([bulkString(event.name), integer(last.time), integer(last.latency), integer(event.max)]);
      }),
  );
}

/** LATENCY HISTORY event: its samples, oldest first, as [time, latency]; none for an event without samples. */
function history(argv: Buffer[], ctx: CommandContext): Reply {
  const event = monitorOf(ctx).event(argv[2].toString('latin1'));
  return array((event?.samples ?? []).map((s) => array([integer(s.time), integer(s.latency)])));
}

/** LATENCY RESET [event ...]: every event, or those named (any case); how many were reset. */
function reset(argv: Buffer[], ctx: CommandContext): Reply {
  const monitor = monitorOf(ctx);
  if (argv.length === 2) return integer(monitor.reset(null));
  let resets = 0;
  for (const name of argv.slice(2)) resets += monitor.reset(name.toString('latin1'));
  return integer(resets);
}

function doctor(_argv: Buffer[], ctx: CommandContext): Reply {
  const monitor = monitorOf(ctx);
  const config = ctx.server.config;
  const setting = (name: string): string => config.get(name)[0]?.[1] ?? '';
  const report = latencyReport(monitor.events(), {
    threshold: monitor.threshold(),
    slowlogThreshold: ctx.server.slowlog?.threshold() ?? -1,
    forkRate: monitor.forkRate(),
    appendfsync: setting('appendfsync'),
    hz: Number(setting('hz')),
    anonHugePages: anonHugePagesBytes(),
    now: nowSeconds(ctx),
  });
  return verbatim(report);
}

function graph(argv: Buffer[], ctx: CommandContext): Reply {
  const name = argv[2].toString('latin1');
  const event = monitorOf(ctx).event(name);
  if (event === null) throw new CommandError(`ERR No samples available for event '${name}'`);
  return verbatim(latencyGraph(event, nowSeconds(ctx)));
}

/**
 * LATENCY HISTOGRAM [command ...]: per command run since the last RESETSTAT, {calls, histogram_usec: {µs:
 * cumulative count}}; named commands in the order given (a container with its subcommands), unknown names left
 * out; without names, every command that has run.
 */
function histogram(argv: Buffer[], ctx: CommandContext): Reply {
  const table = ctx.server.commands;
  const histograms = ctx.server.counters?.latencyHistograms() ?? [];
  const entries: (readonly [Reply, Reply])[] = [];
  const add = (spec: CommandSpec): void => {
    const counts = histograms[table.slotOf(spec)];
    if (counts === null || counts === undefined) return;
    const buckets = cumulativeDistribution(counts);
    const calls = buckets.at(-1)?.[1] ?? 0;
    if (calls === 0) return;
    entries.push([
      bulkString(spec.name),
      fieldMap([
        ['calls', integer(calls)],
        ['histogram_usec', map(buckets.map(([micros, count]) => [integer(micros), integer(count)] as const))],
      ]),
    ]);
  };
  const withSubcommands = (spec: CommandSpec): void => {
    add(spec);
    spec.subcommands?.forEach(add);
  };
  if (argv.length === 2) table.all().forEach(withSubcommands);
  else {
    for (const name of argv.slice(2)) {
      const spec = table.lookup(name.toString('latin1').toLowerCase());
      if (spec !== undefined) withSubcommands(spec);
    }
  }
  return map(entries);
}

const HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

const sub = subcommandBuilder('latency', 'server', '2.8.13', { histogram: '7.0.0' });
const admin = ['admin', 'noscript', 'loading', 'stale'] as const;

export const latencyCommand: CommandSpec = {
  name: 'latency',
  syntax: 'LATENCY subcommand [argument ...]',
  summary: 'A container for latency diagnostics commands.',
  group: 'server',
  since: '2.8.13',
  arity: -2,
  flags: [],
  keys: [0, 0, 0],
  subcommands: [
    sub('latest', 'LATENCY LATEST', 'Returns the latest latency samples for all events.', 2, admin, latest),
    sub(
      'history',
      'LATENCY HISTORY event',
      'Returns timestamp-latency samples for an event.',
      3,
      admin,
      history,
    ),
    sub(
      'reset',
      'LATENCY RESET [event [event ...]]',
      'Resets the latency data for one or more events.',
      -2,
      admin,
      reset,
    ),
    sub('doctor', 'LATENCY DOCTOR', 'Returns a human-readable latency analysis report.', 2, admin, doctor),
    sub('graph', 'LATENCY GRAPH event', 'Returns a latency graph for an event.', 3, admin, graph),
    sub(
      'histogram',
      'LATENCY HISTOGRAM [command [command ...]]',
      'Returns the cumulative distribution of latencies of a subset or all commands.',
      -2,
      admin,
      histogram,
    ),
    sub(
      'help',
      'LATENCY HELP',
      'Returns helpful text about the different subcommands.',
      2,
      ['loading', 'stale'],
      () => helpReply('latency', HELP),
    ),
  ],
};
