// Keeps the benchmarks alive: runs each bench script from the built dist in a tiny configuration as a child
// process and checks its JSON output's shape and the key facts (a pinned pool starves the active client,
// the event loop and the hybrid serve it). Not a performance test: no figure is compared against a threshold.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');

async function poolAvailable(): Promise<boolean> {
  const nativePath = path.join(dist, 'src', 'transport', 'threadpool', 'native.js');
  if (!existsSync(nativePath)) return false;
  try {
    const native = (await import(pathToFileURL(nativePath).href)) as { loadNative(): unknown };
    return !(native.loadNative() instanceof Error);
  } catch {
    return false;
  }
}

/** The hybrid needs the same helper built with its reactor (Linux). */
async function hybridAvailable(): Promise<boolean> {
  const nativePath = path.join(dist, 'src', 'transport', 'threadpool', 'native.js');
  const reactorPath = path.join(dist, 'src', 'transport', 'hybrid', 'native-reactor.js');
  if (!existsSync(nativePath) || !existsSync(reactorPath)) return false;
  try {
    const native = (await import(pathToFileURL(nativePath).href)) as { loadNative(): unknown };
    const reactor = (await import(pathToFileURL(reactorPath).href)) as { asReactor(addon: unknown): unknown };
    const addon = native.loadNative();
    return !(addon instanceof Error) && !(reactor.asReactor(addon) instanceof Error);
  } catch {
    return false;
  }
}

function redisInstalled(): Promise<boolean> {
  return new Promise((resolve) =>
    execFile('redis-benchmark', ['--version'], (error) => resolve(error === null)),
  );
}

function installed(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => execFile(command, args, (error) => resolve(error === null)));
}

const hasPool = await poolAvailable();
const hasHybrid = await hybridAvailable();
const hasPerf = await installed('perf', ['--version']);
const hasRedis = await redisInstalled();

/** Each bench run is bounded by its own timeout below; this only leaves room for a slow, shared machine. */
const BENCH_TIMEOUT_MS = 180_000;

let outDir = '';

/** Runs a bench script; rejects with its stderr if it exits non-zero. */
function bench(
  script: string,
  args: string[],
  timeoutMs = 90_000,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(dist, 'bench', script), ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${script} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

interface LoadResult {
  mode: string;
  connections: { connected: number; served: number; starved: number };
  requests: number;
  errors: number;
  throughput: number;
  targetRate: number | null;
  latencyMs: Latency;
  serviceMs: Latency | null;
  client: { percentOfOneCore: number };
  server: { cpuMs: number; rssKb: number | null } | null;
}

function expectLatencyShape(latency: Latency): void {
  expect(latency.count).toBeGreaterThan(0);
  for (const key of ['p50', 'p90', 'p99', 'p999', 'max'] as const) expect(latency[key]).toBeGreaterThan(0);
  expect(latency.p50).toBeLessThanOrEqual(latency.p99);
  expect(latency.p99).toBeLessThanOrEqual(latency.max);
}

beforeAll(() => {
  if (!existsSync(path.join(dist, 'bench', 'loadgen.js')) || !existsSync(path.join(dist, 'src', 'cli.js'))) {
    throw new Error('dist/ is missing the benches or the CLI: run `npm run build` first');
  }
  outDir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
});

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('bench/loadgen', () => {
  it(
    'closed loop over RESP against a fresh event-loop server writes its result',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'loadgen-resp.json');
      const { stdout } = await bench('loadgen.js', [
        '--server',
        'eventloop',
        '-c',
        '2',
        '-P',
        '4',
        '-d',
        '0.5',
        '--warmup',
        '0.1',
        '--keyspace',
        '50',
        '--out',
        out,
      ]);
      const json = JSON.parse(readFileSync(out, 'utf8')) as {
        schema: string;
        target: string;
        result: LoadResult;
      };
      expect(json.schema).toBe('redis-lite/loadgen@1');
      expect(json.target).toBe('eventloop');
      const r = json.result;
      expect(r.mode).toBe('closed');
      expect(r.connections).toMatchObject({ connected: 2, served: 2, starved: 0 });
      expect(r.errors).toBe(0);
      expect(r.requests).toBeGreaterThan(0);
      expect(r.throughput).toBeGreaterThan(0);
      expectLatencyShape(r.latencyMs);
      expect(r.serviceMs).toBeNull();
      expect(r.client.percentOfOneCore).toBeGreaterThanOrEqual(0);
      expect(r.server?.rssKb).toBeGreaterThan(0);
      expect(stdout).toContain('req/s');
    },
  );

  it(
    'fixed rate over inline (plaintext) requests reads plaintext replies without errors',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'loadgen-inline.json');
      await bench('loadgen.js', [
        '--server',
        'eventloop',
        '--protocol',
        'inline',
        '-c',
        '2',
        '--rate',
        '400',
        '-d',
        '0.5',
        '--warmup',
        '0.1',
        '--keyspace',
        '50',
        '--out',
        out,
      ]);
      const r = (JSON.parse(readFileSync(out, 'utf8')) as { result: LoadResult }).result;
      expect(r.mode).toBe('fixed');
      expect(r.targetRate).toBe(400);
      expect(r.errors).toBe(0);
      expect(r.requests).toBeGreaterThan(50);
      expectLatencyShape(r.latencyMs);
      expectLatencyShape(r.serviceMs as Latency);
    },
  );
});

interface IdleRun {
  transport: string;
  server: { maxclients: number | null; baselineRssKb: number; rssWithIdleKb: number };
  idle: { requested: number; opened: number; accepted: number; openMs: number; failed: number };
  active: {
    status: string;
    firstReplyMs: number | null;
    series: { requests: number; latencyMs: Latency } | null;
  };
  recovery: { closeToFirstReplyMs: number | null; series: { requests: number } | null } | null;
  limits: string[];
}

describe('bench/idle-clients', () => {
  const servedBy = ['eventloop', ...(hasHybrid ? ['hybrid'] : [])];
  it(
    `${servedBy.join(' and ')}: 20 idle clients, the active client is served`,
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'idle-eventloop');
      await bench('idle-clients.js', [
        '--transports',
        servedBy.join(','),
        '--hybrid-workers',
        '2',
        '--idle',
        '20',
        '--requests',
        '20',
        '--out',
        out,
      ]);
      const json = JSON.parse(readFileSync(path.join(out, 'idle-clients.json'), 'utf8')) as {
        schema: string;
        runs: IdleRun[];
      };
      expect(json.schema).toBe('redis-lite/idle-clients@1');
      expect(json.runs.map((r) => r.transport)).toEqual(servedBy);
      for (const run of json.runs) {
        expect(run.idle).toMatchObject({ requested: 20, opened: 20, accepted: 20, failed: 0 });
        expect(run.active.status).toBe('served');
        expect(run.active.series?.requests).toBe(20);
        expectLatencyShape(run.active.series!.latencyMs);
        expect(run.recovery).toBeNull();
        expect(run.server.rssWithIdleKb).toBeGreaterThan(0);
      }
      const md = readFileSync(path.join(out, 'idle-clients.md'), 'utf8');
      expect(md).toContain('| eventloop | 20 | served |');
      if (hasHybrid) expect(md).toContain('| hybrid (2 loops) | 20 | served |');
    },
  );

  describe.skipIf(!hasPool)('pool (needs the native helper)', () => {
    it(
      'pool with 4 workers and 20 idle clients starves the active client until they leave',
      { timeout: BENCH_TIMEOUT_MS },
      async () => {
        const out = path.join(outDir, 'idle-pool');
        await bench('idle-clients.js', [
          '--transports',
          'pool',
          '--workers',
          '4',
          '--idle',
          '20',
          '--requests',
          '20',
          '--starve-timeout',
          '500',
          '--out',
          out,
        ]);
        const [run] = (
          JSON.parse(readFileSync(path.join(out, 'idle-clients.json'), 'utf8')) as { runs: IdleRun[] }
        ).runs;
        expect(run?.transport).toBe('pool');
        expect(run?.idle.accepted).toBe(20);
        expect(run?.active.status).toBe('starved');
        expect(run?.active.series).toBeNull();
        expect(run?.recovery?.closeToFirstReplyMs).toBeGreaterThan(0);
        expect(run?.recovery?.series?.requests).toBe(20);
        expect(run?.limits.join('\n')).toContain('all 4 workers are pinned');
      },
    );

    it('--sweep shows the cliff at idle = workers', { timeout: BENCH_TIMEOUT_MS }, async () => {
      const out = path.join(outDir, 'sweep');
      await bench('idle-clients.js', [
        '--sweep',
        '--transports',
        hasHybrid ? 'eventloop,pool,hybrid' : 'eventloop,pool',
        '--workers',
        '4',
        '--hybrid-workers',
        '2',
        '--idle',
        '8',
        '--sweep-points',
        '0,3,4,8',
        '--requests',
        '10',
        // Long enough that a busy shared machine cannot make the event loop look starved.
        '--starve-timeout',
        '2000',
        '--out',
        out,
      ]);
      const json = JSON.parse(readFileSync(path.join(out, 'idle-clients-sweep.json'), 'utf8')) as {
        schema: string;
        sweeps: Record<string, { idle: number; status: string; p99: number | null }[]>;
      };
      expect(json.schema).toBe('redis-lite/idle-clients-sweep@1');
      const status = (label: string): string[] =>
        (json.sweeps[label] ?? []).map((p) => `${p.idle}:${p.status}`);
      expect(status('eventloop')).toEqual(['0:served', '3:served', '4:served', '8:served']);
      expect(status('pool (4 workers)')).toEqual(['0:served', '3:served', '4:starved', '8:starved']);
      if (hasHybrid)
        expect(status('hybrid (2 loops)')).toEqual(['0:served', '3:served', '4:served', '8:served']);
      const svg = readFileSync(path.join(out, 'idle-clients-sweep.svg'), 'utf8');
      expect(svg).toMatch(/^<svg /);
      expect(svg).toContain('workers = 4');
    });
  });
});

describe('bench/compare', () => {
  it(
    'a tiny comparison writes the JSON, the Markdown and the charts',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const targets = [
        'eventloop',
        ...(hasPool ? ['pool'] : []),
        ...(hasHybrid ? ['hybrid'] : []),
        ...(hasRedis ? ['redis'] : []),
      ];
      const out = path.join(outDir, 'compare');
      await bench(
        'compare.js',
        [
          '--quick',
          '--targets',
          targets.join(','),
          '--pool-workers',
          '2',
          '--hybrid-workers',
          '2',
          '--connections',
          '1,4',
          '--pipelines',
          '1',
          '--duration',
          '0.3',
          '--warmup',
          '0.1',
          '--rate',
          '300',
          '--rb-requests',
          '2000',
          '--keyspace',
          '100',
          '--out',
          out,
        ],
        120_000,
      );
      const json = JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8')) as {
        schema: string;
        targets: { label: string }[];
        loadgen: { target: string; connections: number; result: LoadResult }[];
        fixedRate: { target: string; result: LoadResult }[];
        redisBenchmark: {
          target: string;
          clients: number;
          rps: number | null;
          skipped: string | null;
          error: string | null;
        }[];
      };
      expect(json.schema).toBe('redis-lite/compare@1');
      const labels = json.targets.map((t) => t.label);
      const label: Record<string, string> = {
        pool: 'pool (2 workers)',
        hybrid: 'hybrid (2 loops)',
        redis: 'redis 7',
      };
      expect(labels).toEqual(targets.map((t) => label[t] ?? t));
      expect(json.loadgen).toHaveLength(labels.length * 2);
      for (const row of json.loadgen) {
        expect(row.result.errors).toBe(0);
        expect(row.result.throughput).toBeGreaterThan(0);
      }
      expect(json.fixedRate.map((r) => r.target)).toEqual(labels);
      if (hasPool) {
        // 4 connections on 2 workers: two are pinned by the others and never served.
        const pinned = json.loadgen.find((r) => r.target === 'pool (2 workers)' && r.connections === 4);
        expect(pinned?.result.connections).toMatchObject({ served: 2, starved: 2 });
      }
      if (hasHybrid) {
        // 4 connections on 2 loops: every one is served.
        const spread = json.loadgen.find((r) => r.target === 'hybrid (2 loops)' && r.connections === 4);
        expect(spread?.result.connections).toMatchObject({ served: 4, starved: 0 });
      }
      if (hasRedis) {
        expect(json.redisBenchmark.length).toBeGreaterThan(0);
        for (const row of json.redisBenchmark) {
          if (row.target.startsWith('pool') && row.clients > 2) expect(row.skipped).toMatch(/skipped/);
          else expect(row.error === null && (row.rps ?? 0) > 0).toBe(true);
        }
      }
      for (const file of ['compare.md', 'compare-throughput-p1.svg', 'compare-p99-p1.svg']) {
        expect(existsSync(path.join(out, file))).toBe(true);
      }
    },
  );
});

describe('bench/server-targets', () => {
  it(
    'one tiny round writes every measurement and a verdict per target',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'server-targets');
      // 20,000 requests at -P 1: Redis spends ~70 ms of CPU on them, enough for /proc's 10 ms ticks.
      const args = ['--rounds', '1', '--requests', '20000', '--requests-p16', '5000', '--warmup', '500'];
      const { stdout } = await bench('server-targets.js', [...args, '--label', 'smoke', '--out', out]);
      if (!hasRedis) {
        // redis-benchmark is the client of every measurement: without it the tool says so and writes nothing.
        expect(existsSync(path.join(out, 'server-targets.json'))).toBe(false);
        return;
      }
      const json = JSON.parse(readFileSync(path.join(out, 'server-targets.json'), 'utf8')) as {
        schema: string;
        runs: {
          label: string;
          skipped: Record<string, string>;
          measurements: {
            server: string;
            rps: number | null;
            cpuUsPerRequest: number | null;
            error: string | null;
          }[];
          targets: { verdict: string }[];
        }[];
      };
      expect(json.schema).toBe('redis-lite/server-targets@1');
      const [run] = json.runs;
      expect(run?.label).toBe('smoke');
      // 3 scenarios x 2 servers x (SET, GET), less the rows of a server that is missing or cannot start.
      const skipped = run!.skipped;
      expect(run?.measurements).toHaveLength(12 - (skipped.pool ? 2 : 0) - (skipped.redis ? 4 : 0));
      if (hasPool) expect(skipped.pool).toBeUndefined();
      else expect(skipped.pool).toMatch(/could not start/);
      for (const m of run!.measurements) {
        expect(m.error).toBeNull();
        expect(m.rps).toBeGreaterThan(0);
        expect(m.cpuUsPerRequest).toBeGreaterThanOrEqual(0);
      }
      expect(run?.targets).toHaveLength(10);
      if (!skipped.pool && !skipped.redis)
        for (const t of run!.targets) expect(['met', 'not met', 'info']).toContain(t.verdict);
      expect(stdout).toContain('| target | test |');
      expect(readFileSync(path.join(out, 'server-targets.md'), 'utf8')).toContain('## smoke');
    },
  );

  it.skipIf(!hasHybrid || !hasRedis)(
    '--suite hybrid: one tiny round of throughput, scaling and idle connections, a verdict per target',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'hybrid-targets');
      const args = ['--suite', 'hybrid', '--rounds', '1', '--requests', '20000', '--requests-p16', '5000'];
      await bench('server-targets.js', [
        ...args,
        ...['--warmup', '500', '--idle', '50', '--idle-requests', '20', '--label', 'smoke', '--out', out],
      ]);
      const json = JSON.parse(readFileSync(path.join(out, 'hybrid-targets.json'), 'utf8')) as {
        schema: string;
        runs: {
          suite: string;
          skipped: Record<string, string>;
          measurements: {
            scenario: string;
            server: string;
            test: string;
            rps: number | null;
            p99Ms: number | null;
            idleHeld?: number;
            rssPerIdleKb?: number | null;
            error: string | null;
          }[];
          targets: { title: string; verdict: string }[];
        }[];
      };
      expect(json.schema).toBe('redis-lite/hybrid-targets@1');
      const [run] = json.runs;
      expect(run?.suite).toBe('hybrid');
      expect(run?.skipped).toEqual({});
      // 4 benchmark scenarios x 2 servers x (SET, GET), and the idle scenario's 2 servers.
      expect(run?.measurements).toHaveLength(18);
      for (const m of run!.measurements) {
        expect(m.error).toBeNull();
        if (m.test === 'IDLE') {
          expect(m.idleHeld).toBe(50);
          expect(m.rssPerIdleKb).not.toBeNull();
          expect(m.p99Ms).toBeGreaterThan(0);
        } else expect(m.rps).toBeGreaterThan(0);
      }
      // 7 benchmark targets x (GET, SET), 2 idle targets.
      expect(run?.targets).toHaveLength(16);
      for (const t of run!.targets) expect(['met', 'not met', 'info']).toContain(t.verdict);
      const md = readFileSync(path.join(out, 'hybrid-targets.md'), 'utf8');
      expect(md).toContain('## smoke');
      expect(md).toContain('idle: hybrid (2 loops) / Redis RSS per idle connection');
    },
  );
});

describe.skipIf(!hasHybrid)('bench/idle-memory', () => {
  it(
    '50 idle connections: RSS per connection of each variant, heap spaces and snapshots by thread',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'idle-memory');
      await bench('idle-memory.js', [
        '--idle',
        '50',
        '--hybrid-workers',
        '2',
        ...(hasRedis ? [] : ['--no-redis']),
        '--out',
        out,
      ]);
      const json = JSON.parse(readFileSync(path.join(out, 'idle-memory.json'), 'utf8')) as {
        schema: string;
        variants: { label: string; held: number; rssPerIdleKb: number | null }[];
        mainThreadSpaces: { held: number; after: { committed: Record<string, number> } };
        heapSnapshots: { held: number; after: { thread: string; totalBytes: number }[] };
      };
      expect(json.schema).toBe('redis-lite/idle-memory@1');
      expect(json.variants.map((v) => v.label)).toEqual([
        ...(hasRedis ? ['redis 7'] : []),
        'hybrid (2 loops)',
        'hybrid (2 loops), --max-semi-space-size=1',
      ]);
      for (const v of json.variants) {
        expect(v.held).toBe(50);
        expect(v.rssPerIdleKb).not.toBeNull();
      }
      expect(json.mainThreadSpaces.held).toBe(50);
      expect(json.mainThreadSpaces.after.committed.new_space).toBeGreaterThan(0);
      // The main thread and both loops, each with a live heap.
      expect(json.heapSnapshots.after.map((i) => i.thread)).toEqual(['main', 'loop 0', 'loop 1']);
      for (const isolate of json.heapSnapshots.after) expect(isolate.totalBytes).toBeGreaterThan(0);
      expect(readFileSync(path.join(out, 'idle-memory.md'), 'utf8')).toContain(
        'Live JavaScript heap per thread',
      );
    },
  );
});

describe.skipIf(!hasHybrid || !hasRedis || !hasPerf)('bench/cpu-profile', () => {
  it(
    'one tiny round: CPU and system calls per request, samples by category',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'cpu-profile');
      await bench('cpu-profile.js', [
        '--rounds',
        '1',
        '--requests-p1',
        '20000',
        '--requests-p16',
        '50000',
        '--out',
        out,
      ]);
      const json = JSON.parse(readFileSync(path.join(out, 'cpu-profile.json'), 'utf8')) as {
        schema: string;
        points: {
          server: string;
          pipeline: number;
          rps: number | null;
          stat: { taskClockMs: number | null };
          samples: number;
          error: string | null;
        }[];
      };
      expect(json.schema).toBe('redis-lite/cpu-profile@1');
      expect(json.points.map((p) => `${p.pipeline} ${p.server}`).sort()).toEqual([
        '1 hybrid (1 loop)',
        '1 redis 7',
        '16 hybrid (1 loop)',
        '16 redis 7',
      ]);
      // perf may be refused here (perf_event_paranoid): then each point says why instead of measuring.
      for (const p of json.points) {
        if (p.error !== null) continue;
        expect(p.rps).toBeGreaterThan(0);
        expect(p.stat.taskClockMs).toBeGreaterThan(0);
      }
      expect(readFileSync(path.join(out, 'cpu-profile.md'), 'utf8')).toContain('Where the samples fall');
    },
  );
});

describe('bench/http', () => {
  it(
    'one tiny round of autocannon against the HTTP interface and node:http writes a row per target',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'http');
      const args = [
        '--seconds',
        '1',
        '--rounds',
        '1',
        '--connections',
        '4',
        '--targets',
        'eventloop,node-http',
      ];
      await bench('http.js', [...args, '--out', out]);
      const text = readFileSync(path.join(out, 'http.md'), 'utf8');
      for (const target of ['redis-lite eventloop', 'node:http, fixed body']) {
        for (const workload of ['GET', 'INCR']) {
          // target, workload, req/s > 0, ..., failures 0 (the last column).
          expect(text).toMatch(
            new RegExp(`^\\| ${target} \\| ${workload} \\| [1-9][\\d,]* \\|.* \\| 0 \\|$`, 'm'),
          );
        }
      }
    },
  );
  it(
    'container-memory fills one sorted set and writes its memory per element',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'container-memory');
      await bench('container-memory.js', ['--elements', '2000', '--servers', 'eventloop', '--out', out]);
      const json = JSON.parse(readFileSync(path.join(out, 'container-memory-zset.json'), 'utf8')) as {
        rows: { server: string; elements: number; encoding: string; usedPerElement: number }[];
      };
      expect(json.rows).toHaveLength(1);
      expect(json.rows[0]).toMatchObject({ server: 'eventloop', elements: 2000, encoding: 'skiplist' });
      expect(json.rows[0].usedPerElement).toBeGreaterThan(16); // at least the member's own bytes
    },
  );
});

describe('bench/info-clients', () => {
  it(
    'times INFO with a few idle connections and writes a row per section',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'info-clients');
      const args = ['--transports', 'eventloop', '--clients', '20', '--rounds', '2', '--out', out];
      await bench('info-clients.js', args);
      const md = readFileSync(path.join(out, 'info-clients.md'), 'utf8');
      for (const section of ['default', 'clients', 'memory']) {
        // label, transport, workers, clients, spoke, section, then median, p90 and max in ms.
        expect(md).toMatch(
          new RegExp(`^\\| current \\| eventloop \\| — \\| 20 \\| false \\| ${section} \\| [\\d.]+ \\|`, 'm'),
        );
      }
    },
  );
});

describe.skipIf(!hasRedis)('bench/list-targets', () => {
  it(
    'fills a list on both servers and runs every list test of redis-benchmark against each',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const { stdout } = await bench('list-targets.js', [
        '--elements',
        '2000',
        '--requests',
        '2000',
        '--rounds',
        '1',
      ]);
      expect(stdout).toMatch(/\| redis 7 \| quicklist \| [\d.]+ \|/);
      expect(stdout).toMatch(/\| eventloop \| quicklist \| [\d.]+ \|/);
      for (const test of ['LPUSH', 'RPUSH', 'LPOP', 'RPOP', 'LRANGE_100', 'SET', 'GET']) {
        expect(stdout).toMatch(new RegExp(`\\| ${test} \\| \\d+ \\| \\d+ \\| \\d+ \\| \\d+ \\| [\\d.]+ \\|`));
      }
    },
  );
});

describe.skipIf(!hasRedis)('bench/streams', () => {
  it(
    'a tiny run: every stream test on both servers, written as streams.md',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'streams');
      await bench('streams.js', [
        '--entries',
        '2000',
        '--pel',
        '200',
        '--rounds',
        '1',
        '--requests',
        '2000',
        '--readgroups',
        '100',
        '--out',
        out,
      ]);
      const md = readFileSync(path.join(out, 'streams.md'), 'utf8');
      for (const test of [
        'XADD',
        'XRANGE COUNT 10',
        'XREADGROUP COUNT 10 \\+ XACK',
        'XAUTOCLAIM COUNT 10 \\(PEL 200\\)',
      ]) {
        expect(md).toMatch(new RegExp(`\\| ${test} \\| redis-lite eventloop \\| \\d+ \\| \\d+ \\|`));
      }
    },
  );
});

describe.skipIf(!hasRedis)('bench/hash-targets', () => {
  it(
    'a tiny run: memory per field and HSET/SET rounds against Redis, written as hashes.md',
    { timeout: BENCH_TIMEOUT_MS },
    async () => {
      const out = path.join(outDir, 'hash-targets');
      await bench('hash-targets.js', [
        '--fields',
        '3000',
        '--rounds',
        '1',
        '--requests',
        '5000',
        '--out',
        out,
      ]);
      const md = readFileSync(path.join(out, 'hashes.md'), 'utf8');
      expect(md).toMatch(/\| redis 7 \| hashtable \| [\d.]+ B \|/); // 3000 fields: past the listpack threshold
      expect(md).toMatch(/\| eventloop \| hashtable \| [\d.]+ B \|/);
      for (const test of ['HSET', 'SET']) {
        expect(md).toMatch(new RegExp(`\\| ${test} \\| redis-lite eventloop \\| \\d+ \\| \\d+ \\|`));
      }
    },
  );
});
