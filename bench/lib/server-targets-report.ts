// The Server issue's three comparative targets as data, the verdicts (median of per-round ratios), and the
// Markdown page rendered from every recorded run (server-targets.json holds the same shapes).
// Knows nothing of servers, processes or redis-benchmark: it reads measurements and renders them.

import { fmt, machineLine, markdownTable, type MachineInfo } from './report.js';

export type ServerId = 'redis' | 'eventloop' | 'pool';
export type Test = 'GET' | 'SET';
export const TESTS: readonly Test[] = ['SET', 'GET'];
type Metric = 'rps' | 'cpuUsPerRequest' | 'userUsPerRequest' | 'systemUsPerRequest';

export interface Scenario {
  id: 'p16' | 'p1' | 'pool';
  clients: number;
  pipeline: number;
  requests: number;
  /** Launch order in round 0; each later round rotates it by one. */
  servers: ServerId[];
}

export interface Measurement {
  round: number;
  scenario: Scenario['id'];
  server: ServerId;
  test: Test;
  requests: number;
  rps: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Server user + system CPU per request, µs; then the two parts. /proc ticks are 10 ms. */
  cpuUsPerRequest: number | null;
  userUsPerRequest: number | null;
  systemUsPerRequest: number | null;
  error: string | null;
}

interface TargetDef {
  title: string;
  scenario: Scenario['id'];
  metric: Metric;
  numerator: ServerId;
  denominator: ServerId;
  better: 'higher' | 'lower';
  /** null: shown for insight, no target. */
  limit: number | null;
}

const ratio = (numerator: ServerId, denominator: ServerId) => ({ numerator, denominator });

const TARGETS: readonly TargetDef[] = [
  {
    title: 'event loop / Redis req/s, -c 50 -P 16',
    scenario: 'p16',
    metric: 'rps',
    ...ratio('eventloop', 'redis'),
    better: 'higher',
    limit: 0.9,
  },
  {
    title: 'event loop / Redis server CPU per request, -c 50 -P 1',
    scenario: 'p1',
    metric: 'cpuUsPerRequest',
    ...ratio('eventloop', 'redis'),
    better: 'lower',
    limit: 1.25,
  },
  // Not targets: user time is where our code differs from Redis; system time is mostly the kernel's sockets.
  {
    title: '… of which user time',
    scenario: 'p1',
    metric: 'userUsPerRequest',
    ...ratio('eventloop', 'redis'),
    better: 'lower',
    limit: null,
  },
  {
    title: '… of which system time',
    scenario: 'p1',
    metric: 'systemUsPerRequest',
    ...ratio('eventloop', 'redis'),
    better: 'lower',
    limit: null,
  },
  {
    title: 'pool (8 workers) / event loop req/s, -c 8 -P 1',
    scenario: 'pool',
    metric: 'rps',
    ...ratio('pool', 'eventloop'),
    better: 'higher',
    limit: 0.8,
  },
];

export interface TargetResult {
  title: string;
  test: Test;
  perRound: (number | null)[];
  median: number | null;
  target: string;
  verdict: 'met' | 'not met' | 'no data' | 'info';
}

export interface Run {
  label: string;
  generatedAt: string;
  machine: MachineInfo;
  loadAverageEnd: number[];
  command: string;
  settings: { rounds: number; warmupRequests: number; keyspace: number; poolWorkers: number; quick: boolean };
  /** Servers left out of the run, with the reason (not installed, failed to start). */
  skipped: Partial<Record<ServerId, string>>;
  scenarios: Scenario[];
  measurements: Measurement[];
  targets: TargetResult[];
}

export function median(values: readonly (number | null)[]): number | null {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Ratios are paired within a round (both servers measured minutes apart at most), then the median is taken. */
export function evaluate(measurements: readonly Measurement[], rounds: number): TargetResult[] {
  const value = (round: number, def: TargetDef, server: ServerId, test: Test): number | null =>
    measurements.find(
      (m) => m.round === round && m.scenario === def.scenario && m.server === server && m.test === test,
    )?.[def.metric] ?? null;
  return TARGETS.flatMap((def) =>
    [...TESTS].reverse().map((test) => {
      const perRound = Array.from({ length: rounds }, (_, round) => {
        const a = value(round, def, def.numerator, test);
        const b = value(round, def, def.denominator, test);
        return a !== null && b ? Number((a / b).toFixed(3)) : null;
      });
      const m = median(perRound);
      const ok = m === null ? null : def.better === 'higher' ? m >= (def.limit ?? 0) : m <= (def.limit ?? 0);
      return {
        title: def.title,
        test,
        perRound,
        median: m === null ? null : Number(m.toFixed(3)),
        target: def.limit === null ? '—' : `${def.better === 'higher' ? '≥' : '≤'} ${def.limit}x`,
        verdict: def.limit === null ? 'info' : ok === null ? 'no data' : ok ? 'met' : 'not met',
      };
    }),
  );
}

const SCENARIO_TITLE: Record<Scenario['id'], string> = {
  p16: 'event loop vs Redis',
  p1: 'event loop vs Redis (CPU)',
  pool: 'pool vs event loop',
};

const list = (values: readonly (number | null)[], digits = 3): string =>
  values.map((v) => (v === null ? '—' : fmt(v, digits))).join(', ');

export function targetsTable(targets: readonly TargetResult[]): string {
  return markdownTable(
    ['target', 'test', 'ratio per round', 'median ratio', 'target', 'verdict'],
    targets.map((t) => [
      t.title,
      t.test,
      list(t.perRound),
      t.median === null ? null : `${fmt(t.median)}x`,
      t.target,
      t.verdict === 'met' || t.verdict === 'not met' ? `**${t.verdict}**` : t.verdict,
    ]),
  );
}

function measurementsTable(run: Run): string {
  const rows = run.scenarios.flatMap((s) =>
    TESTS.flatMap((test) =>
      s.servers.flatMap((server) => {
        const ms = run.measurements.filter(
          (m) => m.scenario === s.id && m.server === server && m.test === test,
        );
        if (ms.length === 0) return []; // skipped: the reason is above the tables
        const pick = (metric: Metric): (number | null)[] => ms.map((m) => m[metric]);
        return [
          [
            `${SCENARIO_TITLE[s.id]}: -c ${s.clients} -P ${s.pipeline}, -n ${fmt(s.requests)}`,
            test,
            server,
            list(pick('rps').map((v) => (v === null ? null : Math.round(v)))),
            fmt(Math.round(median(pick('rps')) ?? NaN)),
            list(pick('cpuUsPerRequest')),
            fmt(median(pick('cpuUsPerRequest')) ?? undefined),
            fmt(median(pick('userUsPerRequest')) ?? undefined),
            fmt(median(pick('systemUsPerRequest')) ?? undefined),
          ],
        ];
      }),
    ),
  );
  return markdownTable(
    [
      'scenario',
      'test',
      'server',
      'req/s per round',
      'median req/s',
      'server CPU µs/req per round',
      'median CPU µs/req',
      'user',
      'system',
    ],
    rows,
  );
}

/** One run's section of the page: what ran, the verdicts, every measurement. */
export function runSection(run: Run): string {
  let md = `## ${run.label}\n\n${run.generatedAt} on ${machineLine(run.machine)}; at the end ${run.loadAverageEnd.join(' / ')}.\n`;
  md += `${run.settings.rounds} round(s), warm-up ${fmt(run.settings.warmupRequests)} requests per test, `;
  md += `-r ${fmt(run.settings.keyspace)}. Command: \`${run.command}\`\n\n`;
  for (const [server, reason] of Object.entries(run.skipped)) md += `Skipped ${server}: ${reason}\n\n`;
  md += targetsTable(run.targets);
  md += '\n';
  md += measurementsTable(run);
  const errors = run.measurements.filter((m) => m.error);
  if (errors.length)
    md += `\nErrors: ${errors.map((m) => `round ${m.round + 1} ${m.scenario} ${m.server} ${m.test}: ${m.error}`).join('; ')}\n`;
  return `${md}\n`;
}

export function renderMarkdown(runs: readonly Run[]): string {
  let md = '# Server targets: event loop vs Redis 7, pool vs event loop\n\n';
  md +=
    "The Server issue's three comparative targets, measured with `redis-benchmark` (Redis 7) as the client. ";
  md +=
    'Each round starts every server fresh, warms it up and measures SET then GET; the servers of a scenario ';
  md +=
    'take turns within a round and the order rotates between rounds, so load from other jobs on the shared ';
  md +=
    'machine falls on every server alike. Ratios are paired within a round; the verdict reads the median ';
  md +=
    'ratio. Server CPU is user + system time of the server process (every thread) from /proc, per request.\n\n';
  md += 'Command: `npm run build && node dist/bench/server-targets.js --label <label>`\n\n';
  return md + runs.map(runSection).join('');
}
