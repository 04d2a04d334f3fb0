// The list type's targets against Redis 7 (issue 12), side by side on this machine: memory per element of one
// list of 1,000,000 elements of 16 bytes, from INFO used_memory and the server's RSS before and after filling
// it over a pipeline; and `redis-benchmark -c 50 -P 16 -t lpush,rpush,lpop,rpop,lrange_100 -n 200000` on the
// event loop and on Redis, alternating rounds on fresh servers (the tests run one after another on the same
// server, as one redis-benchmark -t list runs them). A tool, not a test: bounded in elements, requests and
// time, every child killed by PID. Usage (after `npm run build`):
//   node dist/bench/list-targets.js [--elements 1000000] [--requests 200000] [--rounds 3] [--save]

import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { killAll } from './lib/children.js';
import { measureFill, type FillMeasurement } from './lib/container-fill.js';
import { resultsDir } from './lib/paths.js';
import { redisBenchmarkAvailable, runRedisBenchmark } from './lib/redis-benchmark.js';
import { HOST, launchServer, type ServerKind } from './lib/server-process.js';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const ELEMENTS = argValue('--elements', 1_000_000);
const REQUESTS = argValue('--requests', 200_000);
const ROUNDS = argValue('--rounds', 3);
/** Elements per RPUSH while filling. */
const BATCH = 1000;
const TIMEOUT_MS = 120_000;
const TESTS = ['lpush', 'rpush', 'lpop', 'rpop', 'lrange_100'];
/** The same run's SET and GET: what this server answers per request whatever the type (no target). */
const REFERENCE = ['set', 'get'];
/** The targets (bench/README.md): each at least this share of Redis's requests per second. */
const TARGET: Readonly<Record<string, number>> = { lrange_100: 0.8 };
const DEFAULT_TARGET = 0.9;

/** Element i: 16 bytes, "elem" and 12 digits (not an integer, so Redis stores it as a string too). */
const element = (i: number): string => `elem${String(i).padStart(12, '0')}`;

function measureMemory(kind: ServerKind): Promise<FillMeasurement> {
  return measureFill(
    { kind },
    {
      key: 'list',
      elements: ELEMENTS,
      batch: BATCH,
      command: (key, from, to) => [
        'RPUSH',
        key,
        ...Array.from({ length: to - from }, (_, i) => element(from + i)),
      ],
      countCommand: 'LLEN',
    },
  );
}

interface ThroughputRow {
  server: string;
  test: string;
  rps: number | null;
  p50Ms: number | null;
  /** The server's CPU (all threads) per request: what a request costs it, whatever else the machine runs. */
  cpuUs: number | null;
  error: string | null;
}

/**
 * One round on a fresh server: every test once unmeasured (a server that has run a while: V8 has compiled its hot
 * paths, as Redis needs no such thing, and the first seconds of a Node process are not what it serves at), then
 * measured, in redis-benchmark's order, on its one list (mylist).
 */
async function measureThroughput(kind: ServerKind): Promise<ThroughputRow[]> {
  const server = await launchServer({ kind });
  try {
    const rows: ThroughputRow[] = [];
    const tests = [...TESTS, ...REFERENCE];
    for (const test of [...tests, ...tests]) {
      const result = await runRedisBenchmark({
        host: HOST,
        port: server.port,
        test,
        requests: REQUESTS,
        clients: 50,
        pipeline: 16,
        timeoutMs: TIMEOUT_MS,
        serverPid: server.pid,
      });
      rows.push({
        server: server.label,
        test,
        rps: result.rps,
        p50Ms: result.p50Ms,
        cpuUs: result.serverCpuUsPerRequest,
        error: result.error,
      });
    }
    return rows.slice(tests.length); // the warm-up rows are dropped
  } finally {
    await server.stop();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
};

function throughputLines(throughput: ThroughputRow[]): string[] {
  const lines = [
    '| test | Redis rounds (rps) | redis-lite rounds (rps) | Redis median | redis-lite median | ratio | target | ' +
      'server CPU µs/request, Redis / redis-lite (medians) | CPU ratio |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const isRedis = (r: ThroughputRow): boolean => r.server.startsWith('redis');
  const values = (rows: ThroughputRow[], redis: boolean, field: 'rps' | 'cpuUs'): number[] =>
    rows.filter((r) => isRedis(r) === redis).flatMap((r) => (r[field] === null ? [] : [r[field]]));
  const med = (v: number[]): number | null => (v.length > 0 ? median(v) : null);
  for (const test of [...TESTS, ...REFERENCE]) {
    const rows = throughput.filter((r) => r.test === test);
    const [theirs, ours] = [values(rows, true, 'rps'), values(rows, false, 'rps')];
    const [theirCpu, ourCpu] = [med(values(rows, true, 'cpuUs')), med(values(rows, false, 'cpuUs'))];
    const errors = rows.filter((r) => r.error !== null).map((r) => `${r.server}: ${r.error}`);
    const ratio = theirs.length > 0 && ours.length > 0 ? median(ours) / median(theirs) : null;
    // Redis's CPU per request over ours: the throughput ratio when both are CPU-bound on a quiet core.
    const cpuRatio = theirCpu !== null && ourCpu !== null && ourCpu > 0 ? theirCpu / ourCpu : null;
    const target = REFERENCE.includes(test) ? null : (TARGET[test] ?? DEFAULT_TARGET);
    const verdict =
      target === null ? 'reference' : `${target} ${ratio === null ? '' : ratio >= target ? 'met' : 'missed'}`;
    lines.push(
      `| ${test.toUpperCase()} | ${theirs.map(Math.round).join(', ')} | ${ours.map(Math.round).join(', ')}` +
        `${errors.length > 0 ? ` (errors: ${errors.join('; ')})` : ''} | ` +
        `${theirs.length > 0 ? Math.round(median(theirs)) : '-'} | ${ours.length > 0 ? Math.round(median(ours)) : '-'} | ` +
        `${ratio === null ? '-' : ratio.toFixed(2)} | ${verdict} | ${theirCpu ?? '-'} / ${ourCpu ?? '-'} | ` +
        `${cpuRatio === null ? '-' : cpuRatio.toFixed(2)} |`,
    );
  }
  return lines;
}

function markdown(memory: FillMeasurement[], throughput: ThroughputRow[]): string {
  return (
    [
      `# Lists against Redis 7: memory per element and LPUSH/RPUSH/LPOP/RPOP/LRANGE_100 throughput`,
      '',
      `${new Date().toISOString()}, Node ${process.version}. Command: \`npm run build && node dist/bench/list-targets.js` +
        ` --elements ${ELEMENTS} --requests ${REQUESTS} --rounds ${ROUNDS}\``,
      '',
      `## Memory: one list of ${ELEMENTS.toLocaleString('en')} 16-byte elements, filled by pipelined RPUSHes of ${BATCH}`,
      '',
      '| server | encoding | used_memory B/element | RSS B/element | fill s |',
      '|---|---|---:|---:|---:|',
      ...memory.map(
        (r) =>
          `| ${r.server} | ${r.encoding} | ${r.usedPerElement.toFixed(1)} | ${r.rssPerElement.toFixed(1)} | ` +
          `${r.fillSeconds.toFixed(2)} |`,
      ),
      '',
      `## redis-benchmark -c 50 -P 16 -t ${TESTS.join(',')} -n ${REQUESTS} (requests per second; each round a fresh`,
      'server, Redis and the event loop alternating)',
      '',
      ...throughputLines(throughput),
    ].join('\n') + '\n'
  );
}

async function main(): Promise<void> {
  const kinds: ServerKind[] = ['redis', 'eventloop'];
  const memory: FillMeasurement[] = [];
  for (const kind of kinds) memory.push(await measureMemory(kind));
  const throughput: ThroughputRow[] = [];
  if (redisBenchmarkAvailable()) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of kinds) throughput.push(...(await measureThroughput(kind)));
    }
  }
  const text = markdown(memory, throughput);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'lists.md'), text);
  process.stdout.write(text);
}

main().catch((error: unknown) => {
  console.error(error);
  killAll();
  process.exitCode = 1;
});
