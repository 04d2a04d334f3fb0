// The transport comparison: pool (several worker counts) vs event loop vs hybrid (several loop counts) vs
// Redis 7 (when installed) across connection counts, with our load generator (closed loop + one fixed-rate
// run) and with redis-benchmark as a neutral client. Writes compare.{json,md} and SVG charts
// (to bench/results/tmp/, or bench/results/ with --save: lib/paths.ts).
// Usage: node dist/bench/compare.js [--quick]

import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { killAll } from './lib/children.js';
import { bounded, numberList, stringList } from './lib/cli-args.js';
import { preload, runLoad } from './lib/load.js';
import { resultsDir, saveOption } from './lib/paths.js';
import { log } from './lib/progress.js';
import { NO_MEASUREMENT, redisBenchmarkAvailable, runRedisBenchmark } from './lib/redis-benchmark.js';
import {
  charts,
  markdown,
  type BenchRow,
  type LoadRow,
  type Settings,
  type Target,
  type TargetInfo,
} from './lib/compare-report.js';
import { fmt, machineInfo, writeJson, writeText } from './lib/report.js';
import {
  launchServer,
  waitForRelease,
  serverLabel,
  type ServerKind,
  type ServerProcess,
} from './lib/server-process.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function measureTarget(
  target: Target,
  settings: Settings,
  loadRows: LoadRow[],
  fixedRows: LoadRow[],
  benchRows: BenchRow[],
): Promise<TargetInfo> {
  const maxConnections = Math.max(...settings.connections, settings.fixedConnections);
  const server = await launchServer({
    kind: target.kind,
    workers: target.workers,
    maxclients: maxConnections + 64,
    backlog: 4096,
  });
  log(`${target.label}: ready in ${Math.round(server.startMs)} ms (pid ${server.pid})`);
  const info: TargetInfo = {
    label: target.label,
    kind: target.kind,
    workers: target.workers ?? null,
    startMs: Math.round(server.startMs),
    rssIdleKb: server.rssKb() ?? null,
  };
  try {
    const base = {
      host: server.host,
      port: server.port,
      keyspace: settings.keyspace,
      valueSize: settings.valueSize,
    };
    await preload(base);
    await sleep(100);
    const baselineFds = server.fdCount() ?? 0;
    const common = {
      ...base,
      readRatio: settings.readRatio,
      protocol: 'resp' as const,
      replyFraming: 'resp' as const,
      serverPid: server.pid,
      warmupMs: settings.warmupMs,
      durationMs: settings.durationMs,
      rate: 0,
    };
    for (const pipeline of settings.pipelines) {
      for (const connections of settings.connections) {
        const result = await runLoad({ ...common, connections, pipeline, mode: 'closed' });
        loadRows.push({ target: target.label, connections, pipeline, result });
        log(
          `  loadgen c=${connections} P=${pipeline}: ${fmt(result.throughput)} req/s, p50 ${result.latencyMs.p50} ms, ` +
            `p99 ${result.latencyMs.p99} ms, client CPU ${result.client.percentOfOneCore}%` +
            `${result.server ? `, server CPU ${result.server.cpuPercent}%` : ''}` +
            `${result.connections.starved ? `, ${result.connections.starved} connections starved` : ''}`,
        );
        await waitForRelease(server, baselineFds);
      }
    }
    if (settings.fixedRate > 0) {
      const result = await runLoad({
        ...common,
        connections: settings.fixedConnections,
        pipeline: 16,
        mode: 'fixed',
        rate: settings.fixedRate,
      });
      fixedRows.push({ target: target.label, connections: settings.fixedConnections, pipeline: 16, result });
      log(
        `  fixed rate ${fmt(settings.fixedRate)}/s over ${settings.fixedConnections} connections: achieved ${fmt(result.throughput)}/s, ` +
          `p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} p99.9 ${result.latencyMs.p999} ms`,
      );
      await waitForRelease(server, baselineFds);
    }
    if (settings.redisBenchmark) {
      for (const pipeline of settings.pipelines) {
        for (const clients of settings.connections) {
          for (const test of ['set', 'get'] as const) {
            const requests = Math.max(
              clients * 4,
              pipeline === 1 ? settings.rbRequestsP1 : settings.rbRequestsPipelined,
            );
            if (target.kind === 'pool' && clients > (target.workers ?? 0)) {
              const reason = `skipped: ${clients} clients > ${target.workers} workers; redis-benchmark waits for every client, and the queued ones are never served`;
              benchRows.push({
                target: target.label,
                test: test.toUpperCase(),
                clients,
                pipeline,
                requests,
                ...NO_MEASUREMENT,
                wallMs: 0,
                error: null,
                skipped: reason,
              });
              continue;
            }
            const row = await runRedisBenchmark({
              host: server.host,
              port: server.port,
              test,
              requests,
              clients,
              pipeline,
              keyspace: settings.keyspace,
              timeoutMs: settings.rbTimeoutMs,
              serverPid: server.pid,
            });
            benchRows.push({ ...row, target: target.label, skipped: null });
            log(
              `  redis-benchmark -t ${test} -c ${clients} -P ${pipeline}: ` +
                (row.error
                  ? row.error
                  : `${fmt(row.rps ?? 0)} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, server ${row.serverCpuUsPerRequest} µs/req`),
            );
            await waitForRelease(server, baselineFds);
          }
        }
      }
    }
  } finally {
    await server.stop();
  }
  return info;
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('compare')
    .usage('$0 [options]: pool vs event loop vs hybrid vs Redis 7 across connection counts')
    .option('quick', { type: 'boolean', default: false, describe: 'a short run: fewer points, 1 s each' })
    .option('targets', {
      type: 'string',
      describe: 'comma list of eventloop, pool, hybrid, redis (default: all; redis if installed)',
    })
    .option('pool-workers', {
      type: 'string',
      describe: 'comma list of pool worker counts (default 8,100; quick: 8)',
    })
    .option('hybrid-workers', {
      type: 'string',
      describe: 'comma list of hybrid loop-thread counts (default 1,2; quick: 2)',
    })
    .option('connections', {
      type: 'string',
      describe: 'comma list (default 1,8,50,200,1000; quick: 1,8,50)',
    })
    .option('pipelines', { type: 'string', describe: 'comma list (default 1,16)' })
    .option('duration', { type: 'number', describe: 'measured seconds per point (default 2; quick 1)' })
    .option('warmup', { type: 'number', describe: 'warm-up seconds per point (default 0.5; quick 0.2)' })
    .option('keyspace', { type: 'number', default: 10_000 })
    .option('read-ratio', { type: 'number', default: 0.5 })
    .option('value-size', { type: 'number', default: 3 })
    .option('rate', { type: 'number', describe: 'fixed-rate run: total req/s (default 20000; 0 skips)' })
    .option('rate-connections', { type: 'number', default: 8 })
    .option('redis-benchmark', {
      type: 'boolean',
      default: true,
      describe: 'also run redis-benchmark when installed',
    })
    .option('rb-requests', {
      type: 'number',
      describe: 'redis-benchmark -n per test (default 50000 at -P 1, 200000 pipelined; quick 10000/50000)',
    })
    // Six servers at the full settings take about 15 minutes on 2 shared cores.
    .option('max-seconds', { type: 'number', default: 1800, describe: 'hard bound on the whole run' })
    .option('out', { type: 'string', default: resultsDir, describe: 'directory for the result files' })
    .option('save', saveOption)
    .strict()
    .help()
    .parseAsync();

  const quick = argv.quick;
  const redisInstalled = redisBenchmarkAvailable();
  const kinds = (
    argv.targets !== undefined ? stringList(argv.targets) : ['eventloop', 'pool', 'hybrid', 'redis']
  ) as ServerKind[];
  const poolWorkers =
    argv['pool-workers'] !== undefined ? numberList(argv['pool-workers']) : quick ? [8] : [8, 100];
  const hybridWorkers =
    argv['hybrid-workers'] !== undefined ? numberList(argv['hybrid-workers']) : quick ? [2] : [1, 2];
  const targets: Target[] = [];
  for (const kind of kinds) {
    if (kind === 'eventloop') targets.push({ kind, label: 'eventloop' });
    else if (kind === 'pool' || kind === 'hybrid')
      for (const w of kind === 'pool' ? poolWorkers : hybridWorkers)
        targets.push({ kind, workers: bounded('workers', w, 1, 10_000), label: serverLabel(kind, w) });
    else if (kind === 'redis') {
      if (redisInstalled) targets.push({ kind, label: 'redis 7' });
      else log('redis-server/redis-benchmark not on PATH: Redis reference skipped');
    } else throw new Error(`unknown target ${kind}`);
  }
  const settings: Settings = {
    targets,
    connections:
      argv.connections !== undefined
        ? numberList(argv.connections)
        : quick
          ? [1, 8, 50]
          : [1, 8, 50, 200, 1000],
    pipelines: argv.pipelines !== undefined ? numberList(argv.pipelines) : [1, 16],
    durationMs: bounded('duration', argv.duration ?? (quick ? 1 : 2), 0.1, 60) * 1000,
    warmupMs: bounded('warmup', argv.warmup ?? (quick ? 0.2 : 0.5), 0, 10) * 1000,
    keyspace: bounded('keyspace', argv.keyspace, 1, 1_000_000),
    readRatio: bounded('read-ratio', argv['read-ratio'], 0, 1),
    valueSize: bounded('value-size', argv['value-size'], 1, 1 << 20),
    fixedRate: bounded('rate', argv.rate ?? 20_000, 0, 10_000_000),
    fixedConnections: bounded('rate-connections', argv['rate-connections'], 1, 10_000),
    redisBenchmark: argv['redis-benchmark'] && redisInstalled,
    rbRequestsP1: argv['rb-requests'] ?? (quick ? 10_000 : 50_000),
    rbRequestsPipelined: argv['rb-requests'] ?? (quick ? 50_000 : 200_000),
    rbTimeoutMs: 60_000,
  };
  for (const c of settings.connections) bounded('connections', c, 1, 19_000);
  for (const p of settings.pipelines) bounded('pipelines', p, 1, 10_000);
  const maxSeconds = bounded('max-seconds', argv['max-seconds'], 5, 3600);
  const watchdog = setTimeout(() => {
    log(`\ncompare: --max-seconds ${maxSeconds} reached; stopping every child process`);
    killAll();
    process.exit(2);
  }, maxSeconds * 1000);
  watchdog.unref();

  const generatedAt = new Date().toISOString();
  machineInfo();
  const infos: TargetInfo[] = [];
  const loadRows: LoadRow[] = [];
  const fixedRows: LoadRow[] = [];
  const benchRows: BenchRow[] = [];
  for (const target of targets)
    infos.push(await measureTarget(target, settings, loadRows, fixedRows, benchRows));

  writeJson(path.join(argv.out, 'compare.json'), {
    schema: 'redis-lite/compare@1',
    generatedAt,
    machine: machineInfo(),
    settings: { ...settings, quick },
    targets: infos,
    loadgen: loadRows,
    fixedRate: fixedRows,
    redisBenchmark: benchRows,
  });
  const md = markdown(settings, generatedAt, infos, loadRows, fixedRows, benchRows);
  writeText(path.join(argv.out, 'compare.md'), md);
  const svgs = charts(settings, infos, loadRows, benchRows, argv.out);
  process.stdout.write(
    `${md}\nwritten ${path.join(argv.out, 'compare.{json,md}')} and ${svgs.length} charts\n`,
  );
  clearTimeout(watchdog);
}

main().catch((error: unknown) => {
  process.stderr.write(`compare: ${(error as Error).stack ?? String(error)}\n`);
  killAll();
  process.exitCode = 1;
});
