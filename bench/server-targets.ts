// Measures the project's comparative targets (bench/README.md) in one run, with redis-benchmark as the client. `--suite server`
// (default): the event loop's and the pool's — event loop vs Redis 7 at -c 50 -P 16, server CPU per request at -P 1, the pool
// (8 workers) vs the event loop at -c 8 -P 1. `--suite hybrid`: the hybrid's — `--workers 1` vs Redis at
// -P 16 and -P 1, `--workers 1` vs `2` with redis-benchmark pinned to one CPU, and 19,800 idle connections (RSS
// per idle connection, an active client's p99; the servers held side by side, their clients taking turns).
// Rounds interleave the servers so a noisy shared machine hits all alike. Appends a run to the suite's JSON
// (server-targets.json, hybrid-targets.json; in bench/results/tmp/, or bench/results/ with --save) and rewrites its .md from all runs.
// Usage: node dist/bench/server-targets.js [--suite server|hybrid] [--rounds 5] [--quick] [--label text]
//          [--no-write]

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { killAll } from './lib/children.js';
import { bounded } from './lib/cli-args.js';
import type { BenchClient } from './lib/client.js';
import type { IdleFleet } from './lib/idle-fleet.js';
import {
  interleavedSeries,
  newFleet,
  openIdle,
  probeActive,
  startServer,
  type ServerFacts,
} from './lib/idle-scenario.js';
import { resultsDir, saveOption } from './lib/paths.js';
import { busiestThreads, cpuTimesMs, ephemeralPortRange, openFileLimits, threadCpuMs } from './lib/proc.js';
import { log, Progress } from './lib/progress.js';
import { redisBenchmarkAvailable, runRedisBenchmark } from './lib/redis-benchmark.js';
import { fmt, machineInfo, writeJson, writeText } from './lib/report.js';
import {
  launchServer,
  waitForRelease,
  type LaunchOptions,
  type ServerProcess,
} from './lib/server-process.js';
import {
  evaluate,
  renderMarkdown,
  runSection,
  SUITES,
  TESTS,
  type Measurement,
  type Run,
  type Scenario,
  type ServerId,
  type SuiteId,
  type Test,
} from './lib/server-targets-report.js';

const POOL_WORKERS = 8;
/** Generous: 100,000 requests at -P 1 on a loaded 2-core machine have taken ~10 s. */
const RUN_TIMEOUT_MS = 120_000;

/** How each server of the targets is launched. */
const SERVERS: Record<ServerId, Pick<LaunchOptions, 'kind' | 'workers'>> = {
  redis: { kind: 'redis' },
  eventloop: { kind: 'eventloop' },
  pool: { kind: 'pool', workers: POOL_WORKERS },
  'hybrid-1': { kind: 'hybrid', workers: 1 },
  'hybrid-2': { kind: 'hybrid', workers: 2 },
};

/** The server every target of a suite measures: without it the run is meaningless, so it fails loudly. */
const ESSENTIAL: Record<SuiteId, ServerId> = { server: 'eventloop', hybrid: 'hybrid-1' };

interface Settings {
  suite: SuiteId;
  rounds: number;
  warmupRequests: number;
  keyspace: number;
  /** Idle scenarios: how long holders may live, and how connections are spread (as idle-clients). */
  idleLifetimeMs: number;
  perProcess: number;
  perAddress: number;
}

function installed(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

function couldNotStart(
  server: ServerId,
  settings: Settings,
  skipped: Partial<Record<ServerId, string>>,
  error: unknown,
): void {
  if (server === ESSENTIAL[settings.suite]) throw error;
  const reason = (error as Error).message.split('\n').slice(0, 3).join(' ').trim();
  skipped[server] = `could not start: ${reason.slice(0, 500)}`;
  log(`  ${server}: ${skipped[server]}; its rows are skipped`);
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
    proc = await launchServer(SERVERS[server]);
  } catch (error) {
    couldNotStart(server, settings, skipped, error);
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
        ...(scenario.clientCpus !== undefined ? { cpus: scenario.clientCpus } : {}),
      });
    for (const test of TESTS) {
      const warm = await run(test, settings.warmupRequests);
      if (warm.error) log(`  ${proc.label} warm-up ${test}: ${warm.error}`);
      await waitForRelease(proc, baselineFds);
    }
    for (const test of TESTS) {
      // Sampled here rather than by runRedisBenchmark, which reports only the sum of user and system time.
      const before = cpuTimesMs(proc.pid);
      const threadsBefore = threadCpuMs(proc.pid);
      const row = await run(test, scenario.requests);
      const after = cpuTimesMs(proc.pid);
      const threadsAfter = threadCpuMs(proc.pid);
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
        clientCpuPercent: row.clientCpuPercent,
        serverCpuPercent:
          user !== undefined && system !== undefined && !row.error
            ? Math.round(((user + system) / Math.max(1, row.wallMs)) * 100)
            : null,
        busiestThreadsPercent: row.error ? [] : busiestThreads(threadsBefore, threadsAfter, row.wallMs),
      };
      out.push(m);
      log(
        `  ${proc.label.padEnd(16)} ${test} -c ${scenario.clients} -P ${scenario.pipeline}: ` +
          (m.error
            ? m.error
            : `${fmt(Math.round(m.rps ?? 0))} req/s, server CPU ${m.cpuUsPerRequest} µs/req ` +
              `(user ${m.userUsPerRequest}, system ${m.systemUsPerRequest}; ${m.serverCpuPercent}% of a core, ` +
              `client ${m.clientCpuPercent}%)`),
      );
      await waitForRelease(proc, baselineFds);
    }
  } finally {
    await proc.stop();
  }
  return out;
}

/**
 * Every server of an idle scenario at once, each fresh and holding scenario.idle idle connections (held by
 * child processes, as idle-clients does; each server has its own descriptor limit): each one's RSS before and
 * with them, then one active client per server, their sequential SET/GET requests taking turns so that noise
 * from elsewhere on the machine falls on every server alike (with the servers in turn, a p99 of ~0.1-1 ms was
 * a coin toss between runs minutes apart).
 */
async function measureIdle(
  servers: readonly ServerId[],
  scenario: Scenario,
  round: number,
  settings: Settings,
  skipped: Partial<Record<ServerId, string>>,
): Promise<Measurement[]> {
  const idle = scenario.idle ?? 0;
  interface Held {
    id: ServerId;
    proc: ServerProcess;
    facts: ServerFacts;
    fleet: IdleFleet;
  }
  const held: Held[] = [];
  const out: Measurement[] = [];
  const clients: BenchClient[] = [];
  try {
    for (const id of servers) {
      try {
        const { server: proc, facts } = await startServer(SERVERS[id].kind, SERVERS[id].workers, idle);
        const fleetSettings = {
          idle,
          perProcess: settings.perProcess,
          perAddress: settings.perAddress,
          concurrency: 200,
        };
        held.push({ id, proc, facts, fleet: newFleet(proc, fleetSettings, settings.idleLifetimeMs) });
      } catch (error) {
        couldNotStart(id, settings, skipped, error);
      }
    }
    const measured: { held: Held; m: Measurement; client: BenchClient | null }[] = [];
    for (const h of held) {
      const phase = await openIdle(
        h.fleet,
        h.proc,
        h.facts,
        idle,
        settings.perAddress,
        60_000 + idle * 5,
        new Progress(),
      );
      const probe = await probeActive(h.proc, 3000);
      if (probe.client) clients.push(probe.client);
      const m: Measurement = {
        round,
        scenario: scenario.id,
        server: h.id,
        test: 'IDLE',
        requests: scenario.requests,
        rps: null,
        p50Ms: null,
        p99Ms: null,
        cpuUsPerRequest: null,
        userUsPerRequest: null,
        systemUsPerRequest: null,
        error:
          phase.accepted < idle
            ? `the server held ${phase.accepted} of ${idle}`
            : probe.status === 'served'
              ? null
              : `the active client was ${probe.status}${probe.error ? `: ${probe.error}` : ''}`,
        idleHeld: phase.accepted,
        rssBaselineKb: h.facts.baselineRssKb,
        rssWithIdleKb: phase.rssKb,
        rssPerIdleKb:
          phase.accepted > 0
            ? Number(((phase.rssKb - h.facts.baselineRssKb) / phase.accepted).toPrecision(3))
            : null,
      };
      measured.push({ held: h, m, client: probe.status === 'served' ? probe.client : null });
    }
    const active = measured.filter((x) => x.client !== null);
    const series = await interleavedSeries(
      active.map((x) => x.client!),
      scenario.requests,
      2000,
    );
    active.forEach((x, i) => {
      const s = series[i]!;
      if (s.requests === scenario.requests) {
        x.m.p50Ms = s.latencyMs.p50;
        x.m.p99Ms = s.latencyMs.p99;
      } else x.m.error ??= `the active client's request ${s.requests + 1} failed or timed out`;
    });
    for (const { held: h, m } of measured) {
      out.push(m);
      log(
        `  ${h.proc.label.padEnd(16)} ${fmt(m.idleHeld ?? 0)} idle: RSS ${fmt(h.facts.baselineRssKb / 1024)} → ` +
          `${fmt((m.rssWithIdleKb ?? 0) / 1024)} MB, ${m.rssPerIdleKb} KB per idle; active client p50 ${m.p50Ms} ms, ` +
          `p99 ${m.p99Ms} ms${m.error ? ` (${m.error})` : ''}`,
      );
    }
    return out;
  } finally {
    for (const client of clients) client.close();
    for (const h of held) {
      await h.fleet.stop();
      await h.proc.stop();
    }
  }
}

/** For the recorded command line, so it can be pasted back into a shell. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length ? by % items.length : 0;
  return [...items.slice(k), ...items.slice(0, k)];
}

function previousRuns(file: string, schema: string): Run[] {
  if (!existsSync(file)) return [];
  const json = JSON.parse(readFileSync(file, 'utf8')) as { schema?: string; runs?: Run[] };
  if (json.schema !== schema) throw new Error(`${file} is not ${schema}: move it away first`);
  return json.runs ?? [];
}

function scenariosOf(
  suite: SuiteId,
  p1: number,
  p16: number,
  idle: number,
  idleRequests: number,
): Scenario[] {
  if (suite === 'server') {
    return [
      { id: 'p16', clients: 50, pipeline: 16, requests: p16, servers: ['redis', 'eventloop'] },
      { id: 'p1', clients: 50, pipeline: 1, requests: p1, servers: ['redis', 'eventloop'] },
      { id: 'pool', clients: 8, pipeline: 1, requests: p1, servers: ['pool', 'eventloop'] },
    ];
  }
  // Pinned to the last CPU: redis-benchmark gets one core, the server is free to use the rest. Without taskset
  // (or with one CPU) the scaling rows run unpinned, and their title names no CPU.
  const pin = os.cpus().length > 1 && installed('taskset', ['--version']);
  const pinned = pin ? { clientCpus: String(os.cpus().length - 1) } : {};
  return [
    { id: 'hybrid-p16', clients: 50, pipeline: 16, requests: p16, servers: ['redis', 'hybrid-1'] },
    { id: 'hybrid-p1', clients: 50, pipeline: 1, requests: p1, servers: ['redis', 'hybrid-1'] },
    {
      id: 'scaling-p16',
      clients: 50,
      pipeline: 16,
      requests: p16,
      servers: ['hybrid-1', 'hybrid-2'],
      ...pinned,
    },
    {
      id: 'scaling-p1',
      clients: 50,
      pipeline: 1,
      requests: p1,
      servers: ['hybrid-1', 'hybrid-2'],
      ...pinned,
    },
    { id: 'idle', clients: 1, pipeline: 1, requests: idleRequests, servers: ['redis', 'hybrid-2'], idle },
  ];
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('server-targets')
    .usage("$0 [options]: the project's comparative targets against Redis 7 (and between transports)")
    .option('suite', {
      choices: ['server', 'hybrid'] as const,
      default: 'server' as const,
      describe: "server: the event loop's and the pool's targets; hybrid: the hybrid transport's",
    })
    .option('rounds', { type: 'number', describe: 'interleaved rounds (default 5; quick 1)' })
    .option('requests', {
      type: 'number',
      describe: 'redis-benchmark -n at -P 1 (default 100000, hybrid suite 300000; quick 20000)',
    })
    .option('requests-p16', {
      type: 'number',
      describe: '-n at -P 16 (default 300000, hybrid suite 2000000; quick 50000)',
    })
    .option('warmup', { type: 'number', describe: 'warm-up -n per test (default 20000; quick 5000)' })
    .option('keyspace', { type: 'number', default: 10_000, describe: 'redis-benchmark -r' })
    .option('idle', {
      type: 'number',
      describe:
        'hybrid suite: idle connections (default 19800: the 20,000-descriptor limit less room; quick 1000)',
    })
    .option('idle-requests', {
      type: 'number',
      describe: "hybrid suite: each active client's sequential requests (default 10000; quick 200)",
    })
    .option('quick', { type: 'boolean', default: false, describe: 'one round of small runs (a smoke test)' })
    .option('label', { type: 'string', describe: 'heading of this run in the results (default: the date)' })
    .option('write', { type: 'boolean', default: true, describe: '--no-write: print only' })
    .option('out', { type: 'string', default: resultsDir, describe: 'directory for the result files' })
    .option('max-seconds', { type: 'number', default: 900, describe: 'hard bound on the whole run' })
    .option('save', saveOption)
    .strict()
    .help()
    .parseAsync();

  const quick = argv.quick;
  const suite: SuiteId = argv.suite;
  const maxSeconds = bounded('max-seconds', argv['max-seconds'], 5, 7200);
  const fdHard = openFileLimits()?.hard ?? 20_000;
  const settings: Settings = {
    suite,
    rounds: bounded('rounds', argv.rounds ?? (quick ? 1 : 5), 1, 50),
    warmupRequests: bounded('warmup', argv.warmup ?? (quick ? 5_000 : 20_000), 100, 10_000_000),
    keyspace: bounded('keyspace', argv.keyspace, 1, 10_000_000),
    idleLifetimeMs: maxSeconds * 1000 + 10_000,
    perProcess: Math.max(1, Math.min(8000, fdHard - 100)),
    perAddress: ephemeralPortRange().size - 500,
  };
  // The hybrid and Redis serve -P 16 at ~1M req/s here: 300,000 requests would be a 0.3 s run, mostly connection
  // set-up and the last clients' tail, and 30 ticks of /proc CPU time. The hybrid suite runs ~2 s per test.
  const hybrid = suite === 'hybrid';
  const p1 = bounded('requests', argv.requests ?? (quick ? 20_000 : hybrid ? 300_000 : 100_000), 1000, 1e7);
  const p16 = bounded(
    'requests-p16',
    argv['requests-p16'] ?? (quick ? 50_000 : hybrid ? 2_000_000 : 300_000),
    1000,
    100_000_000,
  );
  // Servers lower maxclients to their descriptor limit less 32: stay below it, with room for the active client.
  const idle = bounded('idle', argv.idle ?? (quick ? 1000 : 19_800), 1, fdHard - 64);
  // A p99 over 2,000 requests is their 20th-worst: at load 5 on 2 cores it swung 0.1x-3x between rounds.
  const idleRequests = bounded(
    'idle-requests',
    argv['idle-requests'] ?? (quick ? 200 : 10_000),
    10,
    1_000_000,
  );
  const watchdog = setTimeout(() => {
    log(`\nserver-targets: --max-seconds ${maxSeconds} reached; stopping every child process`);
    killAll();
    process.exit(2);
  }, maxSeconds * 1000);
  watchdog.unref();

  // Read before measuring, so a foreign file fails the run at once rather than after minutes of work.
  const def = SUITES[suite];
  const jsonPath = path.join(argv.out, `${def.file}.json`);
  const previous = argv.write ? previousRuns(jsonPath, def.schema) : [];
  const generatedAt = new Date().toISOString();
  const machine = machineInfo();
  log(`${suite} suite; load average at start: ${machine.loadAverage.join(' / ')} (${machine.cpus} CPUs)`);
  if (!redisBenchmarkAvailable()) {
    log(
      'redis-benchmark is not on PATH: it is the client of every measurement here, so nothing was measured',
    );
    clearTimeout(watchdog);
    return;
  }
  const skipped: Partial<Record<ServerId, string>> = {};
  if (!installed('redis-server', ['--version'])) skipped.redis = 'redis-server is not on PATH';
  const scenarios = scenariosOf(suite, p1, p16, idle, idleRequests);
  const measurements: Measurement[] = [];
  const loadAverageRounds: number[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    loadAverageRounds.push(Number(os.loadavg()[0]!.toFixed(2)));
    log(`round ${round + 1}/${settings.rounds} (load ${os.loadavg()[0]!.toFixed(2)})`);
    for (const scenario of scenarios) {
      const servers = rotate(scenario.servers, round).filter((server) => skipped[server] === undefined);
      if (scenario.idle !== undefined) {
        measurements.push(...(await measureIdle(servers, scenario, round, settings, skipped)));
        continue;
      }
      for (const server of servers)
        measurements.push(...(await measureServer(server, scenario, round, settings, skipped)));
    }
  }

  const loadAverageEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
  log(`load average at end: ${loadAverageEnd.join(' / ')}`);
  const run: Run = {
    suite,
    label: argv.label ?? generatedAt.slice(0, 16).replace('T', ' '),
    generatedAt,
    machine,
    loadAverageEnd,
    loadAverageRounds,
    command: ['node dist/bench/server-targets.js', ...process.argv.slice(2).map(shellQuote)].join(' '),
    settings: {
      rounds: settings.rounds,
      warmupRequests: settings.warmupRequests,
      keyspace: settings.keyspace,
      ...(suite === 'server' ? { poolWorkers: POOL_WORKERS } : { idle }),
      quick,
    },
    skipped,
    scenarios,
    measurements,
    targets: evaluate(suite, measurements, settings.rounds, scenarios),
  };
  process.stdout.write(`\n${runSection(run)}`);
  if (argv.write) {
    const runs = [...previous, run];
    writeJson(jsonPath, { schema: def.schema, runs });
    writeText(path.join(argv.out, `${def.file}.md`), renderMarkdown(suite, runs));
    process.stdout.write(`written ${path.join(argv.out, `${def.file}.{json,md}`)}\n`);
  }
  clearTimeout(watchdog);
}

main().catch((error: unknown) => {
  process.stderr.write(`server-targets: ${(error as Error).stack ?? String(error)}\n`);
  killAll();
  process.exitCode = 1;
});
