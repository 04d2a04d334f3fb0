// Bench tool (not a test): what the seed's model costs per request, next to requests per second. Runs
// redis-benchmark (SET, -c C) at -P 1 and -P 16 against servers started through the CLI, and reads from outside
// (/proc) the server's CPU time and the context switches of all its threads: a pool worker blocks in read(2)
// after each reply, so each request costs it a sleep and a wake-up (a voluntary switch); the event loop blocks
// in epoll_wait only when no client has anything to read. Also RSS and threads at the end. Appends its run
// (by --label) to pool-cost.{json,md} in the results folder (the scratch one, or the committed one with --save:
// lib/paths.ts), where other labels stay.
// Usage: node dist/bench/pool-cost.js [--transports pool,eventloop] [--workers 50] [--clients 50]
//        [--requests 200000] [--label NAME] [--env KEY=VALUE]

import { readdirSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { bounded, shellWord, stringList } from './lib/cli-args.js';
import { resultsDir, saveOption } from './lib/paths.js';
import { contextSwitches } from './lib/proc.js';
import { log } from './lib/progress.js';
import { runRedisBenchmark } from './lib/redis-benchmark.js';
import { fmt, machineInfo, machineLine, markdownTable, saveRuns } from './lib/report.js';
import { HOST, launchServer, type ServerKind } from './lib/server-process.js';

interface Row {
  readonly pipeline: number;
  readonly requests: number;
  readonly rps: number | null;
  readonly serverCpuUsPerRequest: number | null;
  readonly voluntaryPerRequest: number | null;
  readonly involuntaryPerRequest: number | null;
  readonly error: string | null;
}

interface Run {
  readonly label: string;
  readonly transport: ServerKind;
  readonly workers: number | null;
  readonly clients: number;
  readonly command: string;
  readonly generatedAt: string;
  /** From spawning the CLI to its first PONG: the median of the --starts fresh starts, and each of them. */
  readonly startMs: number;
  readonly startRunsMs: number[];
  /** RSS and threads a second after that, before any load: what the server holds until clients come. */
  readonly restRssMb: number;
  readonly restThreads: number | null;
  readonly rssMb: number;
  readonly threads: number | null;
  readonly rows: Row[];
}

const PIPELINES = [1, 16];

function threadCount(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return null;
  }
}

/** Fresh starts (launch, first PONG, stop): ms from spawn to first PONG of each. */
async function starts(
  transport: ServerKind,
  workers: number,
  env: Record<string, string>,
  count: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = await launchServer({
      kind: transport,
      ...(transport === 'eventloop' ? {} : { workers }),
      env,
      extraArgs: ['--log-level', 'warn'],
    });
    times.push(Math.round(server.startMs));
    await server.stop();
  }
  return times;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(
  transport: ServerKind,
  options: {
    workers: number;
    clients: number;
    requests: number;
    starts: number;
    env: Record<string, string>;
    label: string;
    command: string;
  },
): Promise<Run> {
  const startRunsMs = await starts(transport, options.workers, options.env, options.starts);
  const server = await launchServer({
    kind: transport,
    ...(transport === 'eventloop' ? {} : { workers: options.workers }),
    env: options.env,
    extraArgs: ['--log-level', 'warn'],
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const restRssMb = Math.round((server.rssKb() ?? 0) / 102.4) / 10;
    const restThreads = threadCount(server.pid);
    log(
      `  ${transport}: first PONG ${Math.round(server.startMs)} ms after spawn; at rest ${restRssMb} MB, ${restThreads} threads`,
    );
    const bench = (pipeline: number, requests: number) =>
      runRedisBenchmark({
        host: HOST,
        port: server.port,
        test: 'set',
        requests,
        clients: options.clients,
        pipeline,
        keyspace: 100_000,
        timeoutMs: 300_000,
        serverPid: server.pid,
      });
    // Every pool worker warms its own JIT: warm them all before measuring (the issue saw ~400k cold requests).
    await bench(16, options.requests * 2);
    await bench(1, options.requests);
    const rows: Row[] = [];
    for (const pipeline of PIPELINES) {
      const requests = options.requests * (pipeline === 1 ? 1 : 4);
      const before = contextSwitches(server.pid);
      const result = await bench(pipeline, requests);
      const after = contextSwitches(server.pid);
      const per = (pick: 'voluntary' | 'involuntary'): number | null =>
        before === undefined || after === undefined
          ? null
          : Number(((after[pick] - before[pick]) / requests).toPrecision(3));
      rows.push({
        pipeline,
        requests,
        rps: result.rps,
        serverCpuUsPerRequest: result.serverCpuUsPerRequest,
        voluntaryPerRequest: per('voluntary'),
        involuntaryPerRequest: per('involuntary'),
        error: result.error,
      });
      log(
        `  ${transport} -P ${pipeline}: ${fmt(result.rps ?? undefined)} req/s, ${result.serverCpuUsPerRequest} µs CPU/req, ` +
          `${per('voluntary')} voluntary switches/req`,
      );
    }
    const threads = threadCount(server.pid);
    return {
      label: options.label,
      transport,
      workers: transport === 'eventloop' ? null : options.workers,
      clients: options.clients,
      command: options.command,
      generatedAt: new Date().toISOString(),
      startMs: median([...startRunsMs, Math.round(server.startMs)]),
      startRunsMs: [...startRunsMs, Math.round(server.startMs)],
      restRssMb,
      restThreads,
      rssMb: Math.round((server.rssKb() ?? 0) / 102.4) / 10,
      threads,
      rows,
    };
  } finally {
    await server.stop();
  }
}

function report(runs: Run[]): string {
  const rows = runs.flatMap((run) =>
    run.rows.map((row) => [
      run.label,
      run.transport + (run.workers === null ? '' : ` (${run.workers} workers)`),
      `${fmt(run.startMs)} ms (${(run.startRunsMs ?? [run.startMs]).join(', ')}); ${fmt(run.restRssMb)} MB, ${run.restThreads} threads`,
      `-c ${run.clients} -P ${row.pipeline}`,
      row.rps === null ? (row.error ?? '—') : fmt(row.rps),
      fmt(row.serverCpuUsPerRequest ?? undefined),
      fmt(row.voluntaryPerRequest ?? undefined),
      fmt(row.involuntaryPerRequest ?? undefined),
      fmt(run.rssMb),
      run.threads,
    ]),
  );
  return [
    '# What a request costs: the pool against the event loop',
    '',
    `Machine: ${machineLine(machineInfo())}.`,
    '',
    'redis-benchmark -t set -r 100000 against servers started through the CLI, after a warm-up of twice the',
    'requests at -P 16 and as many at -P 1 (each pool worker warms its own JIT). From outside, over each',
    "measured run: the server's CPU time (user + system, all threads; /proc ticks are 10 ms) and the context",
    'switches of all its threads (/proc/PID/task/*/status), per request. A voluntary switch is a thread going to sleep because it has',
    'nothing to do (read(2) with nothing to read, epoll_wait): a pool worker sleeps after every reply and is',
    'woken by the next request, the event loop sleeps only when no client has anything to read. RSS and',
    'threads are read at the end of the run; "at rest" a second after the first PONG, before any load. "First',
    'PONG after spawn": the median of --starts fresh starts and the loaded one (each in parentheses), from',
    "spawning the CLI to its first PONG, Node's own start-up included. Rows are kept by label across runs.",
    '',
    markdownTable(
      [
        'label',
        'server',
        'first PONG after spawn; at rest',
        'load',
        'req/s',
        'server CPU µs/req',
        'voluntary switches/req',
        'involuntary switches/req',
        'RSS MB after',
        'threads',
      ],
      rows,
    ),
    'Commands:',
    '',
    ...[...new Set(runs.map((r) => `- ${r.label}: \`${r.command}\``))],
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = yargs(hideBin(process.argv))
    .option('transports', { type: 'string', default: 'pool,eventloop' })
    .option('workers', { type: 'number', default: 50 })
    .option('clients', { type: 'number', default: 50 })
    .option('requests', {
      type: 'number',
      default: 200_000,
      describe: 'at -P 1; four times as many at -P 16',
    })
    .option('starts', { type: 'number', default: 4, describe: 'fresh starts timed before the loaded one' })
    .option('label', { type: 'string', default: 'current' })
    .option('env', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'KEY=VALUE for the server',
    })
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the results, write nothing' })
    .option('save', saveOption)
    .strict()
    .parseSync();
  machineInfo();
  const env = Object.fromEntries(
    args.env.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`--env wants KEY=VALUE (got ${pair})`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const options = {
    workers: bounded('workers', args.workers, 1, 1000),
    clients: bounded('clients', args.clients, 1, 1000),
    requests: bounded('requests', args.requests, 1000, 10_000_000),
    starts: bounded('starts', args.starts, 0, 20),
    env,
    label: args.label,
    command: `node dist/bench/pool-cost.js ${hideBin(process.argv).map(shellWord).join(' ')}`.trim(),
  };
  if (options.workers < options.clients)
    log(`note: ${options.clients} clients on ${options.workers} workers: the pool starves the ones beyond`);
  const fresh: Run[] = [];
  for (const transport of stringList(args.transports) as ServerKind[]) {
    log(`${transport}: starting`);
    fresh.push(await measure(transport, options));
  }
  process.stdout.write(JSON.stringify(fresh, null, 2) + '\n');
  if (args['dry-run']) return;
  log(`written to ${saveRuns(resultsDir, 'pool-cost', fresh, report)}`);
}

await main();
