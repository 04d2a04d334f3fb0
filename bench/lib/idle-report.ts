// Renders the idle-clients results: the Markdown of a single run and of a sweep, and the sweep's chart, plus
// the result types they read (the JSON written by bench/idle-clients.ts has these shapes; see bench/README.md).
// Knows nothing about servers or sockets.

import type { ActiveStatus, IdlePhase, RequestSeries, ServerFacts } from './idle-scenario.js';
import { fmt, machineInfo, machineLine, markdownTable } from './report.js';
import type { ServerKind } from './server-process.js';
import { lineChart } from './svg-chart.js';

export interface Settings {
  transports: ServerKind[];
  idle: number;
  /** Pool worker threads. */
  workers: number;
  /** The hybrid's loop threads. */
  hybridWorkers: number;
  requests: number;
  starveTimeoutMs: number;
  requestTimeoutMs: number;
  recoveryTimeoutMs: number;
  perProcess: number;
  perAddress: number;
  concurrency: number;
  openTimeoutMs: number;
  sweepPoints: number[] | null;
}

export interface TransportRun {
  transport: ServerKind;
  server: ServerFacts & { rssWithIdleKb: number; rssPerIdleKb: number | null; stopMs: number };
  idle: IdlePhase;
  active: {
    status: ActiveStatus;
    connectMs: number | null;
    firstReplyMs: number | null;
    error: string | null;
    /** The active client's requests while the idle clients are connected (served) or after recovery. */
    series: RequestSeries | null;
  };
  recovery: {
    closeToFirstReplyMs: number | null;
    firstReplyMs: number | null;
    series: RequestSeries | null;
  } | null;
  /** Time from asking the holders to close until the server's descriptor count was back to its baseline. */
  idleCloseMs: number;
  limits: string[];
}

export interface SweepPoint {
  idle: number;
  accepted: number;
  status: ActiveStatus;
  firstReplyMs: number | null;
  p50: number | null;
  p99: number | null;
  rssKb: number;
}

/** "Pool workers: 100, hybrid loop threads: 2", naming only the transports this run has. */
function threads(settings: Settings): string {
  const parts: string[] = [];
  if (settings.transports.includes('pool')) parts.push(`pool workers: ${settings.workers}`);
  if (settings.transports.includes('hybrid')) parts.push(`hybrid loop threads: ${settings.hybridWorkers}`);
  const text = parts.length ? parts.join(', ') : 'no worker threads';
  return text[0]!.toUpperCase() + text.slice(1);
}

export function singleMarkdown(runs: TransportRun[], settings: Settings, generatedAt: string): string {
  const machine = machineInfo();
  const rows = runs.map((r) => [
    r.server.label,
    r.idle.accepted,
    r.active.status === 'starved' ? '**starved**' : r.active.status,
    r.active.firstReplyMs ?? r.recovery?.firstReplyMs,
    r.active.series?.latencyMs.p50 ?? r.recovery?.series?.latencyMs.p50,
    r.active.series?.latencyMs.p99 ?? r.recovery?.series?.latencyMs.p99,
    r.recovery?.closeToFirstReplyMs,
    fmt(r.server.baselineRssKb / 1024),
    fmt(r.server.rssWithIdleKb / 1024),
    r.server.rssPerIdleKb,
    r.idle.openMs,
    r.idle.acceptedMs,
  ]);
  let md = `# Idle clients: ${settings.idle} idle connections, then one active client\n\n`;
  md += `Generated ${generatedAt} on ${machineLine(machine)}. ${threads(settings)}. `;
  md += `Starved = no reply within ${settings.starveTimeoutMs} ms. Latencies in ms (p50/p99 over the active client's `;
  md += `${settings.requests} sequential requests: while the idle clients are connected if served, after recovery if starved).\n\n`;
  md += markdownTable(
    [
      'server',
      'idle held',
      'active client',
      'first reply ms',
      'p50 ms',
      'p99 ms',
      'recovery ms',
      'RSS before MB',
      'RSS with idle MB',
      'KB per idle',
      'open ms',
      'held after ms',
    ],
    rows,
  );
  const notes = runs.flatMap((r) => r.limits.map((n) => `- ${r.server.label}: ${n}`));
  if (notes.length) md += `\n## Limits hit\n\n${notes.join('\n')}\n`;
  md += `\nRecovery = from the moment the idle clients began to close until the starved request's reply.\n`;
  return md;
}

export function sweepMarkdown(
  sweeps: Record<string, SweepPoint[]>,
  settings: Settings,
  generatedAt: string,
): string {
  const labels = Object.keys(sweeps);
  const idles = [...new Set(labels.flatMap((l) => sweeps[l]!.map((p) => p.idle)))].sort((a, b) => a - b);
  const cell = (p: SweepPoint | undefined): string =>
    p === undefined
      ? '—'
      : p.status === 'served'
        ? `${p.p50} / ${p.p99}`
        : p.status === 'starved'
          ? '**starved**'
          : p.status;
  let md = `# Idle-client sweep: active client p50 / p99 (ms) against idle connections\n\n`;
  md += `Generated ${generatedAt} on ${machineLine(machineInfo())}. ${threads(settings)}; starved = no reply `;
  md += `within ${settings.starveTimeoutMs} ms. One server per transport; idle connections added between points.\n\n`;
  md += markdownTable(
    ['idle', ...labels],
    idles.map((idle) => [idle, ...labels.map((l) => cell(sweeps[l]!.find((p) => p.idle === idle)))]),
  );
  md += `\n## Server RSS (MB) against idle connections\n\n`;
  md += markdownTable(
    ['idle', ...labels],
    idles.map((idle) => [
      idle,
      ...labels.map((l) => {
        const p = sweeps[l]!.find((q) => q.idle === idle);
        return p ? fmt(p.rssKb / 1024) : null;
      }),
    ]),
  );
  return md;
}

export function sweepChart(sweeps: Record<string, SweepPoint[]>, settings: Settings): string {
  return lineChart({
    title:
      `Active client p99 vs idle connections (pool: ${settings.workers} workers` +
      (settings.transports.includes('hybrid') ? `, hybrid: ${settings.hybridWorkers} loops)` : ')'),
    xLabel: 'idle connections (log scale)',
    yLabel: 'active client p99 latency, ms (log scale)',
    xScale: 'log',
    yScale: 'log',
    nullLabel: `starved (no reply in ${settings.starveTimeoutMs / 1000} s)`,
    markers: [{ x: settings.workers, label: `workers = ${settings.workers}` }],
    series: Object.entries(sweeps).map(([name, points]) => ({
      name,
      points: points.map((p) => ({ x: p.idle, y: p.status === 'served' ? p.p99 : null })),
    })),
  });
}
