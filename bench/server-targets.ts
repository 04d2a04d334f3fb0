// Measures the Server issue's three comparative targets in one run: event loop vs Redis 7 throughput at
// -c 50 -P 16, server CPU per request at -c 50 -P 1, and the pool (8 workers) vs the event loop at -c 8 -P 1,
// all with redis-benchmark as the client. Rounds interleave the servers so a noisy shared machine hits all
// alike. Appends a run to bench/results/server-targets.json and rewrites server-targets.md from all runs.
// Usage: node dist/bench/server-targets.js [--rounds 5] [--quick] [--label text] [--no-write]

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { killAll } from './lib/children.js';
import { bounded } from './lib/cli-args.js';
import { resultsDir } from './lib/paths.js';
import { cpuTimesMs } from './lib/proc.js';
import { log } from './lib/progress.js';
import { redisBenchmarkAvailable, runRedisBenchmark } from './lib/redis-benchmark.js';
import { fmt, machineInfo, writeJson, writeText } from './lib/report.js';
import { launchServer, type ServerProcess } from './lib/server-process.js';
import {
  evaluate,
  renderMarkdown,
  runSection,
  TESTS,
  type Measurement,
  type Run,
  type Scenario,
  type ServerId,
  type Test,
} from './lib/server-targets-report.js';

const SCHEMA = 'redis-lite/server-targets@1';
const POOL_WORKERS = 8;
/** Generous: 100,000 requests at -P 1 on a loaded 2-core machine have taken ~10 s. */
const RUN_TIMEOUT_MS = 120_000;

interface Settings {
  rounds: number;
  warmupRequests: number;
  keyspace: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the server has let go of the last run's connections: a pool worker is pinned until then. */
async function settle(server: ServerProcess, baselineFds: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline && (server.fdCount() ?? 0) > baselineFds) await sleep(50);
}

function redisServerAvailable(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** One fresh server for one scenario: warm up SET and GET, then measure SET then GET (GET finds the keys). */
async function measureServer(
  server: ServerId,
  scenario: Scenario,
  round: number,
  settings: Settings,
  skipped: Partial<Record<ServerId, string>>,
): Promise<Measurement[]> {
  let proc: ServerProcess;
  try {
    proc = await launchServer({ kind: server, workers: server === 'pool' ? POOL_WORKERS : undefined });
  } catch (error) {
    // The event loop is what every target measures: without it the run is meaningless, so fail loudly.
    if (server === 'eventloop') throw error;
    const reason = (error as Error).message.split('\n').slice(0, 3).join(' ').trim();
    skipped[server] = `could not start: ${reason.slice(0, 500)}`;
    log(`  ${server}: ${skipped[server]}; its rows are skipped`);
    return [];
  }
  const out: Measurement[] = [];
  try {
    const baselineFds = proc.fdCount() ?? 0;
    const run = (test: Test, requests: number) =>
      runRedisBenchmark({
        host: proc.host,
        port: proc.port,
        test: test === 'GET' ? 'get' : 'set',
        requests,
        clients: scenario.clients,
        pipeline: scenario.pipeline,
        keyspace: settings.keyspace,
        timeoutMs: RUN_TIMEOUT_MS,
      });
    for (const test of TESTS) {
      const warm = await run(test, settings.warmupRequests);
      if (warm.error) log(`  ${proc.label} warm-up ${test}: ${warm.error}`);
      await settle(proc, baselineFds);
    }
    for (const test of TESTS) {
      // Sampled here rather than by runRedisBenchmark, which reports only the sum of user and system time.
      const before = cpuTimesMs(proc.pid);
      const row = await run(test, scenario.requests);
      const after = cpuTimesMs(proc.pid);
      const perRequest = (ms: number | undefined): number | null =>
        ms === undefined || row.error ? null : Number(((ms * 1000) / scenario.requests).toPrecision(3));
      const user = before && after ? after.userMs - before.userMs : undefined;
      const system = before && after ? after.systemMs - before.systemMs : undefined;
      const m: Measurement = {
        round,
        scenario: scenario.id,
        server,
        test,
        requests: scenario.requests,
        rps: row.rps,
        p50Ms: row.p50Ms,
        p99Ms: row.p99Ms,
        cpuUsPerRequest: perRequest(user !== undefined && system !== undefined ? user + system : undefined),
        userUsPerRequest: perRequest(user),
        systemUsPerRequest: perRequest(system),
        error: row.error,
      };
      out.push(m);
      log(
        `  ${proc.label.padEnd(16)} ${test} -c ${scenario.clients} -P ${scenario.pipeline}: ` +
          (m.error
            ? m.error
            : `${fmt(Math.round(m.rps ?? 0))} req/s, server CPU ${m.cpuUsPerRequest} µs/req ` +
              `(user ${m.userUsPerRequest}, system ${m.systemUsPerRequest})`),
      );
      await settle(proc, baselineFds);
    }
  } finally {
    await proc.stop();
  }
  return out;
}

/** For the recorded command line, so it can be pasted back into a shell. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length ? by % items.length : 0;
  return [...items.slice(k), ...items.slice(0, k)];
}

function previousRuns(file: string): Run[] {
  if (!existsSync(file)) return [];
  const json = JSON.parse(readFileSync(file, 'utf8')) as { schema?: string; runs?: Run[] };
  if (json.schema !== SCHEMA) throw new Error(`${file} is not ${SCHEMA}: move it away first`);
  return json.runs ?? [];
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('server-targets')
    .usage('$0 [options]: the Server issue targets, event loop vs Redis 7 and pool vs event loop')
    .option('rounds', { type: 'number', describe: 'interleaved rounds (default 5; quick 1)' })
    .option('requests', {
      type: 'number',
      describe: 'redis-benchmark -n at -P 1 (default 100000; quick 20000)',
    })
    .option('requests-p16', { type: 'number', describe: '-n at -P 16 (default 300000; quick 50000)' })
    .option('warmup', { type: 'number', describe: 'warm-up -n per test (default 20000; quick 5000)' })
    .option('keyspace', { type: 'number', default: 10_000, describe: 'redis-benchmark -r' })
    .option('quick', { type: 'boolean', default: false, describe: 'one round of small runs (a smoke test)' })
    .option('label', { type: 'string', describe: 'heading of this run in the results (default: the date)' })
    .option('write', { type: 'boolean', default: true, describe: '--no-write: print only' })
    .option('out', { type: 'string', default: resultsDir, describe: 'directory for the result files' })
    .option('max-seconds', { type: 'number', default: 900, describe: 'hard bound on the whole run' })
    .strict()
    .help()
    .parseAsync();

  const quick = argv.quick;
  const settings: Settings = {
    rounds: bounded('rounds', argv.rounds ?? (quick ? 1 : 5), 1, 50),
    warmupRequests: bounded('warmup', argv.warmup ?? (quick ? 5_000 : 20_000), 100, 10_000_000),
    keyspace: bounded('keyspace', argv.keyspace, 1, 10_000_000),
  };
  const p1 = bounded('requests', argv.requests ?? (quick ? 20_000 : 100_000), 1000, 10_000_000);
  const p16 = bounded('requests-p16', argv['requests-p16'] ?? (quick ? 50_000 : 300_000), 1000, 100_000_000);
  const maxSeconds = bounded('max-seconds', argv['max-seconds'], 5, 7200);
  const watchdog = setTimeout(() => {
    log(`\nserver-targets: --max-seconds ${maxSeconds} reached; stopping every child process`);
    killAll();
    process.exit(2);
  }, maxSeconds * 1000);
  watchdog.unref();

  // Read before measuring, so a foreign file fails the run at once rather than after minutes of work.
  const jsonPath = path.join(argv.out, 'server-targets.json');
  const previous = argv.write ? previousRuns(jsonPath) : [];
  const generatedAt = new Date().toISOString();
  const machine = machineInfo();
  log(`load average at start: ${machine.loadAverage.join(' / ')} (${machine.cpus} CPUs)`);
  if (!redisBenchmarkAvailable()) {
    log(
      'redis-benchmark is not on PATH: it is the client of every measurement here, so nothing was measured',
    );
    clearTimeout(watchdog);
    return;
  }
  const skipped: Partial<Record<ServerId, string>> = {};
  if (!redisServerAvailable()) skipped.redis = 'redis-server is not on PATH';
  const scenarios: Scenario[] = [
    { id: 'p16', clients: 50, pipeline: 16, requests: p16, servers: ['redis', 'eventloop'] },
    { id: 'p1', clients: 50, pipeline: 1, requests: p1, servers: ['redis', 'eventloop'] },
    { id: 'pool', clients: 8, pipeline: 1, requests: p1, servers: ['pool', 'eventloop'] },
  ];
  const measurements: Measurement[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    log(`round ${round + 1}/${settings.rounds} (load ${os.loadavg()[0]!.toFixed(2)})`);
    for (const scenario of scenarios) {
      for (const server of rotate(scenario.servers, round)) {
        if (skipped[server] !== undefined) continue;
        measurements.push(...(await measureServer(server, scenario, round, settings, skipped)));
      }
    }
  }

  const loadAverageEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
  log(`load average at end: ${loadAverageEnd.join(' / ')}`);
  const run: Run = {
    label: argv.label ?? generatedAt.slice(0, 16).replace('T', ' '),
    generatedAt,
    machine,
    loadAverageEnd,
    command: ['node dist/bench/server-targets.js', ...process.argv.slice(2).map(shellQuote)].join(' '),
    settings: { ...settings, poolWorkers: POOL_WORKERS, quick },
    skipped,
    scenarios,
    measurements,
    targets: evaluate(measurements, settings.rounds),
  };
  process.stdout.write(`\n${runSection(run)}`);
  if (argv.write) {
    const runs = [...previous, run];
    writeJson(jsonPath, { schema: SCHEMA, runs });
    writeText(path.join(argv.out, 'server-targets.md'), renderMarkdown(runs));
    process.stdout.write(`written ${path.join(argv.out, 'server-targets.{json,md}')}\n`);
  }
  clearTimeout(watchdog);
}

main().catch((error: unknown) => {
  process.stderr.write(`server-targets: ${(error as Error).stack ?? String(error)}\n`);
  killAll();
  process.exitCode = 1;
});
