// Renders the comparison results: Markdown tables (including the project's performance targets) and
// SVG charts, plus the result types they read (compare.json has these shapes; see bench/README.md).
// Knows nothing about servers, sockets or how the figures were measured.

import path from 'node:path';
import type { LoadResult } from './load.js';
import type { RedisBenchmarkResult } from './redis-benchmark.js';
import { fmt, machineInfo, machineLine, markdownTable, writeText } from './report.js';
import type { ServerKind } from './server-process.js';
import { lineChart, type ChartPoint } from './svg-chart.js';

export interface Target {
  kind: ServerKind;
  workers?: number;
  label: string;
}

export interface Settings {
  targets: Target[];
  connections: number[];
  pipelines: number[];
  durationMs: number;
  warmupMs: number;
  keyspace: number;
  readRatio: number;
  valueSize: number;
  fixedRate: number;
  fixedConnections: number;
  redisBenchmark: boolean;
  rbRequestsP1: number;
  rbRequestsPipelined: number;
  rbTimeoutMs: number;
}

export interface TargetInfo {
  label: string;
  kind: ServerKind;
  workers: number | null;
  startMs: number;
  rssIdleKb: number | null;
}

export interface LoadRow {
  target: string;
  connections: number;
  pipeline: number;
  result: LoadResult;
}

export interface BenchRow extends RedisBenchmarkResult {
  target: string;
  skipped: string | null;
}

function ratio(a: number | null | undefined, b: number | null | undefined): string {
  return a && b ? `${(a / b).toFixed(2)}x` : '—';
}

export function markdown(
  settings: Settings,
  generatedAt: string,
  targets: TargetInfo[],
  loadRows: LoadRow[],
  fixedRows: LoadRow[],
  benchRows: BenchRow[],
): string {
  return [
    introMarkdown(settings, generatedAt, targets),
    loadMarkdown(settings, targets, loadRows),
    fixedRows.length ? fixedRateMarkdown(settings, fixedRows) : '',
    benchRows.length ? redisBenchmarkMarkdown(settings, targets, benchRows) : '',
    targetsMarkdown(targets, benchRows),
    `\nCharts: compare-throughput-p*.svg, compare-p99-p*.svg, compare-redis-benchmark.svg.\n`,
  ].join('');
}

/** The title, how the load generator ran, and each server's start-up time and idle RSS. */
function introMarkdown(settings: Settings, generatedAt: string, targets: TargetInfo[]): string {
  let md = `# Transport comparison\n\nGenerated ${generatedAt} on ${machineLine(machineInfo())}.\n`;
  md += `Load generator: closed loop, ${settings.durationMs / 1000} s measured after ${settings.warmupMs / 1000} s warm-up, `;
  md += `${settings.readRatio * 100}% GET / ${100 - settings.readRatio * 100}% SET over ${settings.keyspace} preloaded keys, `;
  md += `${settings.valueSize}-byte values, RESP. Client and server share the same 2 cores: read the client CPU column.\n\n`;
  md += `Servers: ${targets.map((t) => `${t.label} (ready in ${t.startMs} ms, idle RSS ${fmt((t.rssIdleKb ?? 0) / 1024)} MB)`).join('; ')}.\n\n`;
  return md;
}

/** Per pipeline depth: the load generator's requests/s, then its latency percentiles, by connections. */
function loadMarkdown(settings: Settings, targets: TargetInfo[], loadRows: LoadRow[]): string {
  const labels = targets.map((t) => t.label);
  const find = (label: string, c: number, p: number): LoadResult | undefined =>
    loadRows.find((r) => r.target === label && r.connections === c && r.pipeline === p)?.result;
  let md = '';
  for (const pipeline of settings.pipelines) {
    md += `## Load generator, pipeline ${pipeline}: requests/s (client CPU % of one core)\n\n`;
    md += markdownTable(
      ['connections', ...labels],
      settings.connections.map((c) => [
        c,
        ...labels.map((l) => {
          const r = find(l, c, pipeline);
          if (!r) return null;
          const starved = r.connections.starved ? `, **${r.connections.starved} starved**` : '';
          return `${fmt(r.throughput)} (${r.client.percentOfOneCore}%${starved})`;
        }),
      ]),
    );
    md += `\n### Pipeline ${pipeline}: latency p50 / p99 / p99.9 ms (served connections only)\n\n`;
    md += markdownTable(
      ['connections', ...labels],
      settings.connections.map((c) => [
        c,
        ...labels.map((l) => {
          const r = find(l, c, pipeline);
          return r ? `${r.latencyMs.p50} / ${r.latencyMs.p99} / ${r.latencyMs.p999}` : null;
        }),
      ]),
    );
    md += '\n';
  }
  return md;
}

/** The fixed-rate run: latency from each request's scheduled send time (no coordinated omission). */
function fixedRateMarkdown(settings: Settings, fixedRows: LoadRow[]): string {
  let md = '';
  md += `## Fixed rate: ${fmt(settings.fixedRate)} req/s over ${settings.fixedConnections} connections (latency from the scheduled send time)\n\n`;
  md += markdownTable(
    [
      'server',
      'achieved req/s',
      'p50',
      'p90',
      'p99',
      'p99.9',
      'max',
      'from actual send p50 / p99',
      'client CPU %',
      'server CPU %',
      'starved conns',
    ],
    fixedRows.map((r) => {
      const l = r.result.latencyMs;
      return [
        r.target,
        fmt(r.result.throughput),
        l.p50,
        l.p90,
        l.p99,
        l.p999,
        l.max,
        r.result.serviceMs ? `${r.result.serviceMs.p50} / ${r.result.serviceMs.p99}` : null,
        r.result.client.percentOfOneCore,
        r.result.server?.cpuPercent,
        r.result.connections.starved,
      ];
    }),
  );
  md += `\nLatencies in ms. The client sends on a 1 ms timer, so "from schedule" includes up to ~1 ms of its own timer lateness; "from actual send" excludes it.\n\n`;
  return md;
}

/** redis-benchmark as a neutral client: requests/s, then the server's CPU per request. */
function redisBenchmarkMarkdown(settings: Settings, targets: TargetInfo[], benchRows: BenchRow[]): string {
  const labels = targets.map((t) => t.label);
  const benchRun = benchRows.filter((r) => r.skipped === null);
  let md = '';
  md += `## redis-benchmark (neutral client): requests/s, SET / GET\n\n`;
  const cell = (l: string, c: number, p: number): string | null => {
    const rows = benchRows.filter((r) => r.target === l && r.clients === c && r.pipeline === p);
    if (!rows.length) return null;
    if (rows.every((r) => r.skipped)) return 'starves (skipped)';
    return rows.map((r) => (r.error ? 'error' : Math.round(r.rps ?? 0).toLocaleString('en-US'))).join(' / ');
  };
  md += markdownTable(
    ['-c', '-P', ...labels],
    settings.pipelines.flatMap((p) =>
      settings.connections.map((c) => [c, p, ...labels.map((l) => cell(l, c, p))]),
    ),
  );
  md += `\n### redis-benchmark: server CPU µs per request (SET / GET; /proc ticks are 10 ms, so short runs are coarse)\n\n`;
  md += markdownTable(
    ['-c', '-P', ...labels],
    settings.pipelines.flatMap((p) =>
      settings.connections.map((c) => [
        c,
        p,
        ...labels.map((l) => {
          const rows = benchRun.filter(
            (r) => r.target === l && r.clients === c && r.pipeline === p && !r.error,
          );
          return rows.length ? rows.map((r) => r.serverCpuUsPerRequest).join(' / ') : null;
        }),
      ]),
    ),
  );
  md += '\n';
  const errors = benchRows.filter((r) => r.error);
  if (errors.length)
    md += `Errors: ${errors.map((r) => `${r.target} ${r.test} -c ${r.clients} -P ${r.pipeline}: ${r.error}`).join('; ')}\n\n`;
  return md;
}

/** The project's performance targets (bench/README.md) as ratios computed from this run's redis-benchmark rows. */
function targetsMarkdown(targets: TargetInfo[], benchRows: BenchRow[]): string {
  const labels = targets.map((t) => t.label);
  const benchRun = benchRows.filter((r) => r.skipped === null);
  // The event loop's and the pool's targets (bench/README.md), computed from this run where its data exists.
  const rb = (l: string | undefined, c: number, p: number, test: string): BenchRow | undefined =>
    benchRun.find(
      (r) => r.target === l && r.clients === c && r.pipeline === p && r.test === test && !r.error,
    );
  const ev = labels.find((l) => l === 'eventloop');
  const redis = labels.find((l) => l === 'redis 7');
  const pool8 = targets.find((t) => t.kind === 'pool' && t.workers === 8)?.label;
  const hybrid1 = targets.find((t) => t.kind === 'hybrid' && t.workers === 1)?.label;
  const hybrid2 = targets.find((t) => t.kind === 'hybrid' && t.workers === 2)?.label;
  const checks: string[][] = [];
  for (const test of ['GET', 'SET']) {
    checks.push([
      `event loop / Redis, redis-benchmark ${test} -c 50 -P 16 (target ≥ 0.9x)`,
      ratio(rb(ev, 50, 16, test)?.rps, rb(redis, 50, 16, test)?.rps),
    ]);
    checks.push([
      `event loop / Redis server CPU per request, ${test} -c 50 -P 1 (target ≤ 1.25x)`,
      ratio(rb(ev, 50, 1, test)?.serverCpuUsPerRequest, rb(redis, 50, 1, test)?.serverCpuUsPerRequest),
    ]);
    checks.push([
      `pool 8 workers / event loop, redis-benchmark ${test} -c 8 -P 1 (target ≥ 0.8x)`,
      ratio(rb(pool8, 8, 1, test)?.rps, rb(ev, 8, 1, test)?.rps),
    ]);
  }
  // The hybrid's throughput targets (its idle and pinned-scaling targets need server-targets --suite hybrid).
  for (const test of ['GET', 'SET']) {
    checks.push([
      `hybrid 1 loop / Redis, redis-benchmark ${test} -c 50 -P 16 (target ≥ 1.0x)`,
      ratio(rb(hybrid1, 50, 16, test)?.rps, rb(redis, 50, 16, test)?.rps),
    ]);
    checks.push([
      `hybrid 1 loop / Redis server CPU per request, ${test} -c 50 -P 1 (target ≤ 1.0x)`,
      ratio(rb(hybrid1, 50, 1, test)?.serverCpuUsPerRequest, rb(redis, 50, 1, test)?.serverCpuUsPerRequest),
    ]);
    checks.push([
      `hybrid 2 loops / 1 loop, redis-benchmark ${test} -c 50 -P 16 (client not pinned; no target)`,
      ratio(rb(hybrid2, 50, 16, test)?.rps, rb(hybrid1, 50, 16, test)?.rps),
    ]);
  }
  let md = `## The performance targets (bench/README.md) from this run (— where the run lacks the data)\n\n`;
  md += markdownTable(['measure', 'ratio'], checks);
  return md;
}

export function charts(
  settings: Settings,
  targets: TargetInfo[],
  loadRows: LoadRow[],
  benchRows: BenchRow[],
  outDir: string,
): string[] {
  const written: string[] = [];
  for (const pipeline of settings.pipelines) {
    const series = (value: (r: LoadResult) => number | null): { name: string; points: ChartPoint[] }[] =>
      targets.map((t) => ({
        name: t.label,
        points: loadRows
          .filter((r) => r.target === t.label && r.pipeline === pipeline)
          .map((r) => ({ x: r.connections, y: value(r.result), hollow: r.result.connections.starved > 0 })),
      }));
    const tp = path.join(outDir, `compare-throughput-p${pipeline}.svg`);
    writeText(
      tp,
      lineChart({
        title: `Throughput vs connections (load generator, pipeline ${pipeline})`,
        xLabel: 'connections (log scale)',
        yLabel: 'requests/s (served connections)',
        xScale: 'log',
        xTicks: settings.connections,
        hollowLabel: 'some connections starved',
        series: series((r) => r.throughput),
      }),
    );
    const lp = path.join(outDir, `compare-p99-p${pipeline}.svg`);
    writeText(
      lp,
      lineChart({
        title: `p99 latency vs connections (pipeline ${pipeline})`,
        xLabel: 'connections (log scale)',
        yLabel: 'p99 latency, ms (log scale)',
        xScale: 'log',
        xTicks: settings.connections,
        yScale: 'log',
        nullLabel: 'some connections never served',
        series: series((r) => (r.connections.starved > 0 ? null : r.latencyMs.p99)),
      }),
    );
    written.push(tp, lp);
  }
  if (benchRows.length) {
    const top = Math.max(...settings.pipelines);
    const file = path.join(outDir, 'compare-redis-benchmark.svg');
    writeText(
      file,
      lineChart({
        title: `redis-benchmark GET requests/s vs clients (-P ${top})`,
        xLabel: 'clients (log scale)',
        yLabel: 'requests/s',
        xScale: 'log',
        xTicks: settings.connections,
        nullLabel: 'starves: clients > workers',
        series: targets.map((t) => ({
          name: t.label,
          points: benchRows
            .filter((r) => r.target === t.label && r.pipeline === top && r.test === 'GET')
            .map((r) => ({ x: r.clients, y: r.rps })),
        })),
      }),
    );
    written.push(file);
  }
  return written;
}
