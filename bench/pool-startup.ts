// Bench tool (not a test): how long the pool transport takes to have N worker threads ready (all N started at
// once, with --min-spare-workers N: what N isolates cost), how much RSS each worker adds, and how long a graceful close takes. Each N runs in a fresh
// child process so RSS is not shared between runs. Writes pool-startup.md
// (bench/results/tmp/, or bench/results/ with --save: lib/paths.ts).
// Run after `npm run build`: node dist/bench/pool-startup.js [N ...]   (default: 1 8 100; 3 runs each)

import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Config } from '../src/core/config.js';
import { SharedStore } from '../src/core/store/store.js';
import { ThreadPoolTransport, loadNative, workerEntry } from '../src/transport/threadpool/index.js';
import { resultsDir, SAVE_FLAG } from './lib/paths.js';

interface Sample {
  readonly workers: number;
  readonly readyMs: number;
  /** The same number of empty worker threads, started the same way: what the machine charges for a thread. */
  readonly bareMs: number;
  readonly barePerWorkerMb: number;
  /** CPU time of the whole process (every thread) while starting, per worker: steady even on a busy machine. */
  readonly cpuPerWorkerMs: number;
  readonly bareCpuPerWorkerMs: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly perWorkerMb: number;
  readonly closeMs: number;
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

function cpuPerWorker(before: NodeJS.CpuUsage, count: number): number {
  const used = process.cpuUsage(before);
  return Math.round((used.user + used.system) / 1000 / count);
}

/** Starts `count` empty workers at once; resolves with ms until all answered and the RSS they added. */
async function bareWorkers(count: number): Promise<{ ms: number; perWorkerMb: number; cpuMs: number }> {
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const threads = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Worker>((resolve) => {
          const worker = new Worker('require("node:worker_threads").parentPort.postMessage(0)', {
            eval: true,
          });
          worker.once('message', () => resolve(worker));
        }),
    ),
  );
  const ms = performance.now() - started;
  const cpuMs = cpuPerWorker(cpuBefore, count);
  const perWorkerMb = mb((process.memoryUsage().rss - rssBefore) / count);
  await Promise.all(threads.map((t) => t.terminate()));
  return { ms: Math.round(ms), perWorkerMb, cpuMs };
}

/** One measurement, in this process: prints a Sample as JSON. */
async function measure(workers: number, bare: boolean): Promise<void> {
  if (bare) {
    const baseline = await bareWorkers(workers);
    const sample = {
      workers,
      bareMs: baseline.ms,
      barePerWorkerMb: baseline.perWorkerMb,
      bareCpuPerWorkerMs: baseline.cpuMs,
    };
    process.stdout.write(JSON.stringify(sample) + '\n');
    return;
  }
  const native = loadNative();
  if (native instanceof Error) throw native;
  const store = SharedStore.create({ clock: Date.now });
  let id = 0;
  const transport = new ThreadPoolTransport({
    host: '127.0.0.1',
    port: 0,
    backlog: 511,
    config: new Config({}),
    logger: pino({ level: 'warn' }),
    nextClientId: () => ++id,
    workers,
    // Every worker at once: this bench measures what N isolates cost (the pool itself starts them on demand).
    minSpareWorkers: workers,
    storeHandles: store.handles(),
    version: '0.0.0-bench',
    startedAt: Date.now(),
    native,
  });
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await transport.listen();
  // listen() resolves once the first worker is ready; the others are still starting.
  while ((transport.stats().workers ?? 0) < workers) await new Promise((resolve) => setTimeout(resolve, 5));
  const readyMs = performance.now() - started;
  const cpuMs = cpuPerWorker(cpuBefore, workers);
  if (transport.stats().workers !== workers)
    throw new Error(`only ${transport.stats().workers} workers ready`);
  const rssAfter = process.memoryUsage().rss;
  const closing = performance.now();
  await transport.close();
  const sample: Sample = {
    workers,
    readyMs: Math.round(readyMs),
    bareMs: 0,
    barePerWorkerMb: 0,
    cpuPerWorkerMs: cpuMs,
    bareCpuPerWorkerMs: 0,
    rssBeforeMb: mb(rssBefore),
    rssAfterMb: mb(rssAfter),
    perWorkerMb: mb((rssAfter - rssBefore) / workers),
    closeMs: Math.round(performance.now() - closing),
  };
  process.stdout.write(JSON.stringify(sample) + '\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Which file the workers started from: the one-file bundle (npm run build) or the ES modules. */
function entryLine(): string {
  const entry = workerEntry();
  const file = entry.url.pathname.split('/').pop() ?? '';
  return entry.bundled
    ? `${file} (bundle)`
    : `${file} (ES modules${entry.reason ? `; ${entry.reason}` : ''})`;
}

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const counts = process.argv
    .slice(2)
    .filter((a) => a !== SAVE_FLAG)
    .map(Number);
  const runs = 3;
  const rows: string[] = [];
  for (const workers of counts.length > 0 ? counts : [1, 8, 100]) {
    const samples: Sample[] = [];
    for (let run = 0; run < runs; run++) {
      const pool = execFileSync(process.execPath, [self, '--one', String(workers)], { encoding: 'utf8' });
      const bare = execFileSync(process.execPath, [self, '--bare', String(workers)], { encoding: 'utf8' });
      const last = (out: string): Sample => JSON.parse(out.trim().split('\n').pop() ?? '') as Sample;
      const { bareMs, barePerWorkerMb, bareCpuPerWorkerMs } = last(bare);
      samples.push({ ...last(pool), bareMs, barePerWorkerMb, bareCpuPerWorkerMs });
    }
    const column = (pick: (s: Sample) => number): string => `${median(samples.map(pick))}`;
    const runsOf = (pick: (s: Sample) => number): string => samples.map(pick).join(', ');
    const line =
      `| ${workers} | ${column((s) => s.readyMs)} (${runsOf((s) => s.readyMs)}) | ` +
      `${column((s) => s.bareMs)} (${runsOf((s) => s.bareMs)}) | ${column((s) => s.perWorkerMb)} | ` +
      `${column((s) => s.barePerWorkerMb)} | ${column((s) => s.cpuPerWorkerMs)} | ` +
      `${column((s) => s.bareCpuPerWorkerMs)} | ${column((s) => s.rssAfterMb)} | ${column((s) => s.closeMs)} |`;
    process.stdout.write(line + '\n');
    rows.push(line);
  }
  const report = [
    '# Pool transport: worker start-up',
    '',
    `Measured ${new Date().toISOString()} on Node ${process.version}, ${cpus().length} cores (shared machine),`,
    'by `npm run build && node dist/bench/pool-startup.js --save`. Each row: median of 3 fresh processes.',
    '"ready" is ThreadPoolTransport.listen() from call to resolve: every worker thread spawned, its modules',
    'loaded, the shared store attached, and counted ready, then the socket bound. RSS per worker is',
    '(RSS after listen - RSS before) / workers. "bare" starts the same number of empty worker threads in a',
    'fresh process: what this machine charges for a thread before any of our code loads. Target: 100 workers',
    'ready in under 2 s.',
    '',
    `Worker entry: ${entryLine()}.`,
    '',
    `Load average when the run ended: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}.`,
    '',
    'CPU/worker is the process CPU time (all threads, user + system) spent until ready, per worker.',
    '',
    '| workers | pool ready ms, median (runs) | bare ms, median (runs) | pool RSS/worker MB | bare RSS/worker MB | pool CPU/worker ms | bare CPU/worker ms | process RSS MB | close ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  const path = join(resultsDir, 'pool-startup.md');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, report);
  process.stdout.write(`written to ${path}\n`);
}

if (process.argv[2] === '--one') await measure(Number(process.argv[3]), false);
else if (process.argv[2] === '--bare') await measure(Number(process.argv[3]), true);
else main();
