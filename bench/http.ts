// The HTTP interface's throughput, by autocannon (its programmatic API): redis-lite's --http-port on each transport
// against webdis in front of redis-server 7.0 (Debian's `webdis`: what Webdis users switch from), and a bare
// node:http server answering a fixed body (what Node's own HTTP stack costs before any command runs). GET of one
// key and INCR of one counter, in paired rounds: each round runs every target once per workload, in an order that
// alternates between rounds, so a noisy neighbour on this shared machine hurts every target alike. Every run is
// bounded (--seconds per run, --rounds). A tool, not a test. Usage (after `npm run build`):
//   node dist/bench/http.js [--seconds 5] [--rounds 3] [--connections 50] [--pipelining 1] [--targets ...] [--save]
// (writes http.md: see lib/paths.ts; --out DIR elsewhere). Targets: eventloop, pool, hybrid, webdis, node-http.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { bounded, stringList } from './lib/cli-args.js';
import { track } from './lib/children.js';
import { resultsDir, saveOption } from './lib/paths.js';
import { fmt, machineInfo, machineLine, markdownTable, writeText } from './lib/report.js';
import { cpuMs } from './lib/proc.js';
import { freePort, HOST, launchServer, type ServerProcess } from './lib/server-process.js';

const TARGETS = ['eventloop', 'pool', 'hybrid', 'webdis', 'node-http'] as const;
type TargetName = (typeof TARGETS)[number];
const WORKLOADS = [
  { name: 'GET', path: '/GET/bench:key' },
  { name: 'INCR', path: '/INCR/bench:counter' },
] as const;

interface Target {
  readonly name: TargetName;
  readonly label: string;
  readonly port: number;
  /** CPU time its processes have used (webdis's and its redis-server's together), ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

interface Run {
  readonly target: TargetName;
  readonly workload: string;
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The server's CPU time per request (all its processes): robust where req/s swings with the neighbours. */
  readonly cpuUsPerRequest: number;
  /** Connection errors, timeouts and responses other than 2xx: any of them makes the run suspect. */
  readonly failures: number;
}

const args = yargs(hideBin(process.argv))
  .option('seconds', { type: 'number', default: 5, describe: 'Duration of each autocannon run' })
  .option('rounds', { type: 'number', default: 3, describe: 'Paired rounds (each runs every target)' })
  .option('connections', { type: 'number', default: 50 })
  .option('pipelining', { type: 'number', default: 1, describe: 'Requests in flight per connection' })
  .option('targets', { type: 'string', default: TARGETS.join(','), describe: TARGETS.join(', ') })
  .option('save', saveOption)
  .option('out', { type: 'string', default: resultsDir, describe: 'Directory to write http.md to' })
  .strict()
  .parseSync();

const seconds = bounded('seconds', args.seconds, 1, 60);
const rounds = bounded('rounds', args.rounds, 1, 20);
const connections = bounded('connections', args.connections, 1, 1000);
const pipelining = bounded('pipelining', args.pipelining, 1, 100);
const chosen = stringList(args.targets);
for (const name of chosen) {
  if (!(TARGETS as readonly string[]).includes(name)) throw new Error(`unknown target '${name}'`);
}

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Polls `url` until it answers 200 (or the process dies), so a run never starts against a server still booting.
 * Each attempt is bounded (fetch has no timeout of its own: one request left unanswered would use up the whole
 * wait), and a failure says what the last attempt saw, with the server's log when there is one.
 */
async function waitForHttp(
  url: string,
  child: ChildProcess | null,
  label: string,
  logTail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    if (child !== null && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`${label} exited before it answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String((error as Error).cause ?? error); // not listening yet, or no answer within 2 s
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${label} did not answer ${url} within 30 s (last attempt: ${last})\n${logTail()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startRedisLite(kind: 'eventloop' | 'pool' | 'hybrid'): Promise<Target> {
  const port = await freePort();
  // The pool's HTTP requests run on the main thread; its workers serve RESP clients only, so a few suffice.
  const server: ServerProcess = await launchServer({
    kind,
    workers: kind === 'pool' ? 4 : kind === 'hybrid' ? 2 : undefined,
    extraArgs: ['--http-port', String(port), '--log-level', 'warn'],
  });
  await waitForHttp(`http://${HOST}:${port}/PING`, null, server.label, () => server.logTail());
  return {
    name: kind,
    label: `redis-lite ${server.label}`,
    port,
    cpuMs: () => server.cpuMs() ?? NaN,
    stop: () => server.stop(),
  };
}

/** webdis (2 threads, its Debian default) in front of its own redis-server 7. */
async function startWebdis(): Promise<Target> {
  const redis = await launchServer({ kind: 'redis' });
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-webdis-'));
  const config = path.join(dir, 'webdis.json');
  writeFileSync(
    config,
    JSON.stringify({
      redis_host: HOST,
      redis_port: redis.port,
      http_host: HOST,
      http_port: port,
      threads: 2,
      pool_size: 20,
      daemonize: false,
      database: 0,
      verbosity: 0,
      logfile: path.join(dir, 'webdis.log'),
    }),
  );
  const child = track(spawn('webdis', [config], { stdio: 'ignore' }));
  await waitForHttp(`http://${HOST}:${port}/PING`, child, 'webdis');
  return {
    name: 'webdis',
    label: 'webdis 0.1.9 + redis 7',
    port,
    cpuMs: () => (cpuMs(child.pid ?? -1) ?? NaN) + (redis.cpuMs() ?? NaN),
    stop: async () => {
      await stopChild(child);
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** node:http answering every request with a fixed JSON body: Node's HTTP stack alone, no command run. */
async function startNodeHttp(): Promise<Target> {
  const port = await freePort();
  const script =
    'const body = Buffer.from(\'{"GET":"hello"}\');' +
    "require('node:http').createServer((q, s) => { s.writeHead(200, { 'Content-Type': 'application/json'," +
    " 'Content-Length': body.length }); s.end(body); }).listen(Number(process.argv[1]), '127.0.0.1');";
  const child = track(spawn(process.execPath, ['-e', script, String(port)], { stdio: 'ignore' }));
  await waitForHttp(`http://${HOST}:${port}/`, child, 'node:http');
  return {
    name: 'node-http',
    label: 'node:http, fixed body',
    port,
    cpuMs: () => cpuMs(child.pid ?? -1) ?? NaN,
    stop: () => stopChild(child),
  };
}

async function start(name: TargetName): Promise<Target> {
  if (name === 'webdis') return startWebdis();
  if (name === 'node-http') return startNodeHttp();
  return startRedisLite(name);
}

async function measure(target: Target, workload: (typeof WORKLOADS)[number], round: number): Promise<Run> {
  const cpuBefore = target.cpuMs();
  const result = await autocannon({
    url: `http://${HOST}:${target.port}${workload.path}`,
    connections,
    pipelining,
    duration: seconds,
  });
  return {
    target: target.name,
    workload: workload.name,
    round,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuUsPerRequest: ((target.cpuMs() - cpuBefore) * 1000) / Math.max(1, result.requests.total),
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main(): Promise<void> {
  const machine = machineInfo();
  const names = chosen.filter((name) => {
    if (name === 'webdis' && !hasCommand('webdis')) {
      process.stderr.write('webdis is not installed (apt-get install webdis): left out\n');
      return false;
    }
    return true;
  }) as TargetName[];
  const targets: Target[] = [];
  const runs: Run[] = [];
  try {
    for (const name of names) targets.push(await start(name));
    // The GET key holds a short value on every server that stores (node:http answers its fixed body anyway).
    for (const target of targets) await fetch(`http://${HOST}:${target.port}/SET/bench:key/hello`);
    for (let round = 0; round < rounds; round++) {
      for (const workload of WORKLOADS) {
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const target of order) {
          const run = await measure(target, workload, round);
          runs.push(run);
          process.stderr.write(
            `round ${round + 1}/${rounds} ${workload.name} ${target.label}: ${fmt(run.requestsPerSecond)} req/s` +
              `${run.failures > 0 ? ` (${run.failures} failures)` : ''}\n`,
          );
        }
      }
    }
  } finally {
    for (const target of targets) await target.stop();
  }

  const rows = targets.flatMap((target) =>
    WORKLOADS.map((workload) => {
      const mine = runs.filter((r) => r.target === target.name && r.workload === workload.name);
      // Paired: each round's ratio against webdis's run of the same round, then the median of those ratios.
      const ratios = mine.flatMap((run) => {
        const webdis = runs.find(
          (r) => r.target === 'webdis' && r.workload === run.workload && r.round === run.round,
        );
        return webdis === undefined ? [] : [run.requestsPerSecond / webdis.requestsPerSecond];
      });
      return [
        target.label,
        workload.name,
        fmt(Math.round(median(mine.map((r) => r.requestsPerSecond)))),
        mine.map((r) => fmt(Math.round(r.requestsPerSecond))).join(' / '),
        ratios.length === 0 ? '—' : `${median(ratios).toFixed(2)}x`,
        fmt(median(mine.map((r) => r.p50Ms))),
        fmt(median(mine.map((r) => r.p99Ms))),
        fmt(median(mine.map((r) => r.cpuUsPerRequest))),
        mine.reduce((sum, r) => sum + r.failures, 0),
      ];
    }),
  );
  const command =
    `node dist/bench/http.js --seconds ${seconds} --rounds ${rounds} --connections ${connections} ` +
    `--pipelining ${pipelining} --targets ${names.join(',')}`;
  const text = [
    '# HTTP interface: requests per second by autocannon',
    '',
    `\`${command}\`, ${new Date().toISOString()}; ${machineLine(machine)}.`,
    '',
    `autocannon (in the bench's process) with ${connections} connections, ${pipelining} request(s) in flight each,`,
    `${seconds} s per run; ${rounds} paired rounds, each running every target once per workload in an order that`,
    'alternates between rounds. "vs webdis": the median of the per-round ratios against webdis in the same round.',
    "Latencies are medians over rounds of each run's p50 and p99. Server CPU: user + system time of the server's",
    "processes (webdis and its redis-server together) per request, from /proc: it moves less with the machine's load",
    'than req/s. Failures: errors, timeouts and non-2xx responses.',
    '',
    markdownTable(
      [
        'target',
        'workload',
        'req/s (median)',
        'req/s per round',
        'vs webdis',
        'p50 ms',
        'p99 ms',
        'server CPU us/req',
        'failures',
      ],
      rows,
    ),
  ].join('\n');
  writeText(path.join(args.out, 'http.md'), text);
  process.stdout.write(text);
}

await main();
