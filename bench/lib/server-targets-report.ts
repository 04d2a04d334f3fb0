// The project's comparative targets as data (bench/README.md) — the event loop's and the pool's (against Redis 7
// and each other) and the hybrid's (throughput, scaling and idle connections) — the verdicts (median of per-round ratios), and the
// Markdown page rendered from every recorded run of a suite (its JSON file holds the same shapes).
// Knows nothing of servers, processes or redis-benchmark: it reads measurements and renders them.

import { fmt, machineLine, markdownTable, type MachineInfo } from './report.js';

export type SuiteId = 'server' | 'hybrid';
export type ServerId = 'redis' | 'eventloop' | 'pool' | 'hybrid-1' | 'hybrid-2';
/** GET and SET are redis-benchmark tests; IDLE is one active client among many idle connections. */
export type Test = 'GET' | 'SET' | 'IDLE';
export const TESTS: readonly Test[] = ['SET', 'GET'];
type Metric =
  'rps' | 'cpuUsPerRequest' | 'userUsPerRequest' | 'systemUsPerRequest' | 'rssPerIdleKb' | 'p99Ms';

export type ScenarioId =
  'p16' | 'p1' | 'pool' | 'hybrid-p16' | 'hybrid-p1' | 'scaling-p16' | 'scaling-p1' | 'idle';

export interface Scenario {
  id: ScenarioId;
  /** redis-benchmark -c; 1 (the active client) for an idle scenario. */
  clients: number;
  pipeline: number;
  /** redis-benchmark -n per test; the active client's sequential requests for an idle scenario. */
  requests: number;
  /** Launch order in round 0; each later round rotates it by one. */
  servers: ServerId[];
  /** redis-benchmark pinned to these CPUs (taskset -c), leaving the rest to the server. */
  clientCpus?: string;
  /** Idle connections held while the active client runs (idle scenarios only). */
  idle?: number;
}

export interface Measurement {
  round: number;
  scenario: ScenarioId;
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
  /** Over the measured run, % of one core: the client (redis-benchmark), the server, its busiest threads. */
  clientCpuPercent?: number | null;
  serverCpuPercent?: number | null;
  busiestThreadsPercent?: number[];
  /** Idle scenarios: connections the server held, its RSS before and with them, per idle connection. */
  idleHeld?: number | null;
  rssBaselineKb?: number | null;
  rssWithIdleKb?: number | null;
  rssPerIdleKb?: number | null;
}

interface TargetDef {
  title: string;
  scenario: ScenarioId;
  metric: Metric;
  tests: readonly Test[];
  numerator: ServerId;
  denominator: ServerId;
  better: 'higher' | 'lower';
  /** null: shown for insight, no target. */
  limit: number | null;
}

const BENCH: readonly Test[] = ['GET', 'SET'];
const IDLE: readonly Test[] = ['IDLE'];

const ratio = (numerator: ServerId, denominator: ServerId) => ({ numerator, denominator });

const SERVER_TARGETS: readonly TargetDef[] = [
  {
    title: 'event loop / Redis req/s, -c 50 -P 16',
    scenario: 'p16',
    metric: 'rps',
    tests: BENCH,
    ...ratio('eventloop', 'redis'),
    better: 'higher',
    limit: 0.9,
  },
  {
    title: 'event loop / Redis server CPU per request, -c 50 -P 1',
    scenario: 'p1',
    metric: 'cpuUsPerRequest',
    tests: BENCH,
    ...ratio('eventloop', 'redis'),
    better: 'lower',
    limit: 1.25,
  },
  // Not targets: user time is where our code differs from Redis; system time is mostly the kernel's sockets.
  {
    title: '… of which user time',
    scenario: 'p1',
    metric: 'userUsPerRequest',
    tests: BENCH,
    ...ratio('eventloop', 'redis'),
    better: 'lower',
    limit: null,
  },
  {
    title: '… of which system time',
    scenario: 'p1',
    metric: 'systemUsPerRequest',
    tests: BENCH,
    ...ratio('eventloop', 'redis'),
    better: 'lower',
    limit: null,
  },
  {
    title: 'pool (8 workers) / event loop req/s, -c 8 -P 1',
    scenario: 'pool',
    metric: 'rps',
    tests: BENCH,
    ...ratio('pool', 'eventloop'),
    better: 'higher',
    limit: 0.8,
  },
];

const HYBRID_TARGETS: readonly TargetDef[] = [
  {
    title: 'hybrid (1 loop) / Redis req/s, -c 50 -P 16',
    scenario: 'hybrid-p16',
    metric: 'rps',
    tests: BENCH,
    ...ratio('hybrid-1', 'redis'),
    better: 'higher',
    limit: 1.0,
  },
  {
    title: '… server CPU per request at -P 16',
    scenario: 'hybrid-p16',
    metric: 'cpuUsPerRequest',
    tests: BENCH,
    ...ratio('hybrid-1', 'redis'),
    better: 'lower',
    limit: null,
  },
  {
    title: 'hybrid (1 loop) / Redis server CPU per request, -c 50 -P 1',
    scenario: 'hybrid-p1',
    metric: 'cpuUsPerRequest',
    tests: BENCH,
    ...ratio('hybrid-1', 'redis'),
    better: 'lower',
    limit: 1.0,
  },
  {
    title: '… of which user time',
    scenario: 'hybrid-p1',
    metric: 'userUsPerRequest',
    tests: BENCH,
    ...ratio('hybrid-1', 'redis'),
    better: 'lower',
    limit: null,
  },
  {
    title: '… of which system time',
    scenario: 'hybrid-p1',
    metric: 'systemUsPerRequest',
    tests: BENCH,
    ...ratio('hybrid-1', 'redis'),
    better: 'lower',
    limit: null,
  },
  // Scaling has no numeric target on two cores: the report shows it and what limits it.
  {
    title: 'scaling: hybrid 2 loops / 1 loop req/s, -c 50 -P 16, client pinned',
    scenario: 'scaling-p16',
    metric: 'rps',
    tests: BENCH,
    ...ratio('hybrid-2', 'hybrid-1'),
    better: 'higher',
    limit: null,
  },
  {
    title: 'scaling: hybrid 2 loops / 1 loop req/s, -c 50 -P 1, client pinned',
    scenario: 'scaling-p1',
    metric: 'rps',
    tests: BENCH,
    ...ratio('hybrid-2', 'hybrid-1'),
    better: 'higher',
    limit: null,
  },
  {
    title: 'idle: hybrid (2 loops) / Redis RSS per idle connection',
    scenario: 'idle',
    metric: 'rssPerIdleKb',
    tests: IDLE,
    ...ratio('hybrid-2', 'redis'),
    better: 'lower',
    limit: 0.75,
  },
  {
    title: "idle: hybrid (2 loops) / Redis, active client's p99",
    scenario: 'idle',
    metric: 'p99Ms',
    tests: IDLE,
    ...ratio('hybrid-2', 'redis'),
    better: 'lower',
    limit: 2.0,
  },
];

export interface SuiteDef {
  id: SuiteId;
  /** Results are <file>.{json,md} in the results directory (lib/paths.ts). */
  file: string;
  schema: string;
  title: string;
  intro: string;
  targets: readonly TargetDef[];
}

const COMMON_INTRO =
  'Each round starts every server fresh, warms it up and measures SET then GET; the servers of a scenario ' +
  'take turns within a round and the order rotates between rounds, so load from other jobs on the shared ' +
  'machine falls on every server alike. Ratios are paired within a round; the verdict reads the median ' +
  'ratio. Server CPU is user + system time of the server process (every thread) from /proc, per request.';

export const SUITES: Record<SuiteId, SuiteDef> = {
  server: {
    id: 'server',
    file: 'server-targets',
    schema: 'redis-lite/server-targets@1',
    title: 'Server targets: event loop vs Redis 7, pool vs event loop',
    intro:
      "The event loop's and the pool's three comparative targets (bench/README.md), measured with `redis-benchmark` (Redis 7) as the client. " +
      COMMON_INTRO,
    targets: SERVER_TARGETS,
  },
  hybrid: {
    id: 'hybrid',
    file: 'hybrid-targets',
    schema: 'redis-lite/hybrid-targets@1',
    title: 'Hybrid targets: the hybrid transport vs Redis 7, 1 vs 2 loops, idle connections',
    intro:
      "The hybrid transport's targets (bench/README.md): throughput and CPU per request with `--workers 1` against Redis 7 " +
      '(`redis-benchmark` as the client), `--workers 1` vs `2` with redis-benchmark pinned to one CPU ' +
      '(taskset) so the server keeps the other, and idle connections held by child processes (RSS per idle ' +
      'connection from /proc). For the idle rows the servers of a round run side by side, each holding its idle ' +
      'connections, and one active client per server sends sequential SET/GET, the clients taking turns request ' +
      'by request (p50/p99 of each), so a burst of load from elsewhere hits both alike. ' +
      COMMON_INTRO +
      ' In the scaling rows, client and server CPU are % of one core over the run and "busiest threads" are ' +
      "the server's three busiest threads (a loop thread at ~100% is a saturated loop).",
    targets: HYBRID_TARGETS,
  },
};

export interface TargetResult {
  title: string;
  test: Test;
  perRound: (number | null)[];
  median: number | null;
  target: string;
  verdict: 'met' | 'not met' | 'no data' | 'info';
}

export interface Run {
  /** Absent in runs recorded before suites existed: those are the 'server' suite's. */
  suite?: SuiteId;
  label: string;
  generatedAt: string;
  machine: MachineInfo;
  loadAverageEnd: number[];
  /** The 1-minute load average as each round began. */
  loadAverageRounds?: number[];
  command: string;
  settings: {
    rounds: number;
    warmupRequests: number;
    keyspace: number;
    poolWorkers?: number;
    quick: boolean;
    idle?: number;
  };
  /** Servers left out of the run, with the reason (not installed, failed to start). */
  skipped: Partial<Record<ServerId, string>>;
  scenarios: Scenario[];
  measurements: Measurement[];
  targets: TargetResult[];
}

export function median(values: readonly (number | null | undefined)[]): number | null {
  const sorted = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Ratios are paired within a round (both servers measured minutes apart at most), then the median is taken. */
export function evaluate(
  suite: SuiteId,
  measurements: readonly Measurement[],
  rounds: number,
  scenarios: readonly Scenario[],
): TargetResult[] {
  const present = new Set(scenarios.map((s) => s.id));
  const value = (round: number, def: TargetDef, server: ServerId, test: Test): number | null =>
    measurements.find(
      (m) => m.round === round && m.scenario === def.scenario && m.server === server && m.test === test,
    )?.[def.metric] ?? null;
  return SUITES[suite].targets
    .filter((def) => present.has(def.scenario))
    .flatMap((def) =>
      def.tests.map((test) => {
        const perRound = Array.from({ length: rounds }, (_, round) => {
          const a = value(round, def, def.numerator, test);
          const b = value(round, def, def.denominator, test);
          return a !== null && b ? Number((a / b).toFixed(3)) : null;
        });
        const m = median(perRound);
        const ok =
          m === null ? null : def.better === 'higher' ? m >= (def.limit ?? 0) : m <= (def.limit ?? 0);
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

const SCENARIO_TITLE: Record<ScenarioId, string> = {
  p16: 'event loop vs Redis',
  p1: 'event loop vs Redis (CPU)',
  pool: 'pool vs event loop',
  'hybrid-p16': 'hybrid vs Redis',
  'hybrid-p1': 'hybrid vs Redis (CPU)',
  'scaling-p16': '1 vs 2 loops',
  'scaling-p1': '1 vs 2 loops',
  idle: 'idle connections',
};

const list = (values: readonly (number | null | undefined)[], digits = 3): string =>
  values.map((v) => (typeof v !== 'number' ? '—' : fmt(v, digits))).join(', ');

const medianCell = (values: readonly (number | null | undefined)[]): string =>
  fmt(median(values) ?? undefined);

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

function scenarioTitle(s: Scenario): string {
  const pinned = s.clientCpus !== undefined ? `, client on CPU ${s.clientCpus}` : '';
  return `${SCENARIO_TITLE[s.id]}: -c ${s.clients} -P ${s.pipeline}, -n ${fmt(s.requests)}${pinned}`;
}

function measurementsTable(run: Run): string {
  const scenarios = run.scenarios.filter((s) => s.idle === undefined);
  if (scenarios.length === 0) return '';
  // Client / server CPU columns appear only where this run recorded them (older runs did not).
  const withCpu = run.measurements.some((m) => typeof m.serverCpuPercent === 'number');
  const rows = scenarios.flatMap((s) =>
    TESTS.flatMap((test) =>
      s.servers.flatMap((server) => {
        const ms = run.measurements.filter(
          (m) => m.scenario === s.id && m.server === server && m.test === test,
        );
        if (ms.length === 0) return []; // skipped: the reason is above the tables
        const pick = (metric: Metric): (number | null | undefined)[] => ms.map((m) => m[metric]);
        const row = [
          scenarioTitle(s),
          test,
          server,
          list(pick('rps').map((v) => (typeof v === 'number' ? Math.round(v) : null))),
          fmt(Math.round(median(pick('rps')) ?? NaN)),
          list(pick('cpuUsPerRequest')),
          medianCell(pick('cpuUsPerRequest')),
          medianCell(pick('userUsPerRequest')),
          medianCell(pick('systemUsPerRequest')),
        ];
        if (withCpu) {
          const busiest = ms.map((m) => m.busiestThreadsPercent ?? []);
          row.push(
            medianCell(ms.map((m) => m.clientCpuPercent)),
            medianCell(ms.map((m) => m.serverCpuPercent)),
            [0, 1, 2].map((i) => medianCell(busiest.map((b) => b[i]))).join(' / '),
          );
        }
        return [row];
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
      ...(withCpu ? ['client CPU %', 'server CPU %', 'busiest threads %'] : []),
    ],
    rows,
  );
}

const mb = (kb: number | null | undefined): number | null => (typeof kb === 'number' ? kb / 1024 : null);

function idleTable(run: Run): string {
  const scenarios = run.scenarios.filter((s) => s.idle !== undefined);
  if (scenarios.length === 0) return '';
  const rows = scenarios.flatMap((s) =>
    s.servers.flatMap((server) => {
      const ms = run.measurements.filter((m) => m.scenario === s.id && m.server === server);
      if (ms.length === 0) return [];
      return [
        [
          `${fmt(s.idle)} idle, active client ${fmt(s.requests)} requests`,
          server,
          list(ms.map((m) => m.idleHeld)),
          medianCell(ms.map((m) => mb(m.rssBaselineKb))),
          medianCell(ms.map((m) => mb(m.rssWithIdleKb))),
          list(ms.map((m) => m.rssPerIdleKb)),
          medianCell(ms.map((m) => m.rssPerIdleKb)),
          list(ms.map((m) => m.p99Ms)),
          medianCell(ms.map((m) => m.p50Ms)),
          medianCell(ms.map((m) => m.p99Ms)),
        ],
      ];
    }),
  );
  return markdownTable(
    [
      'scenario',
      'server',
      'idle held per round',
      'RSS before MB',
      'RSS with idle MB',
      'KB per idle per round',
      'median KB per idle',
      'p99 ms per round',
      'median p50 ms',
      'median p99 ms',
    ],
    rows,
  );
}

/** One run's section of the page: what ran, the verdicts, every measurement. */
export function runSection(run: Run): string {
  let md = `## ${run.label}\n\n${run.generatedAt} on ${machineLine(run.machine)}; at the end ${run.loadAverageEnd.join(' / ')}`;
  if (run.loadAverageRounds)
    md += ` (1-minute load as each round began: ${run.loadAverageRounds.join(', ')})`;
  md += `.\n${run.settings.rounds} round(s), warm-up ${fmt(run.settings.warmupRequests)} requests per test, `;
  md += `-r ${fmt(run.settings.keyspace)}. Command: \`${run.command}\`\n\n`;
  for (const [server, reason] of Object.entries(run.skipped)) md += `Skipped ${server}: ${reason}\n\n`;
  md += targetsTable(run.targets);
  const tables = [measurementsTable(run), idleTable(run)].filter((t) => t !== '');
  for (const table of tables) md += `\n${table}`;
  const errors = run.measurements.filter((m) => m.error);
  if (errors.length)
    md += `\nErrors: ${errors.map((m) => `round ${m.round + 1} ${m.scenario} ${m.server} ${m.test}: ${m.error}`).join('; ')}\n`;
  return `${md}\n`;
}

export function renderMarkdown(suite: SuiteId, runs: readonly Run[]): string {
  const def = SUITES[suite];
  let md = `# ${def.title}\n\n${def.intro}\n\n`;
  const flag = suite === 'server' ? '' : ` --suite ${suite}`;
  md += `Command: \`npm run build && node dist/bench/server-targets.js${flag} --label <label>\`\n\n`;
  return md + runs.map(runSection).join('');
}
