// Bench tool (not a test): how long the pool transport takes to have N worker threads ready (listen()
// resolving), how much RSS each worker adds, and how long a graceful close takes. Each N runs in a fresh
// child process so RSS is not shared between runs. Writes bench/results/pool-startup.md.
// Run after `npm run build`: node dist/bench/pool-startup.js [N ...]   (default: 1 8 100; 3 runs each)

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Config } from '../src/core/config.js';
import { SharedStore } from '../src/core/store/store.js';
import { ThreadPoolTransport, loadNative } from '../src/transport/threadpool/index.js';

interface Sample {
  readonly workers: number;
  readonly readyMs: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly perWorkerMb: number;
  readonly closeMs: number;
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** One measurement, in this process: prints a Sample as JSON. */
async function measure(workers: number): Promise<void> {
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
    storeHandles: store.handles(),
    version: '0.0.0-bench',
    startedAt: Date.now(),
    native,
  });
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  await transport.listen();
  const readyMs = performance.now() - started;
  if (transport.stats().workers !== workers)
    throw new Error(`only ${transport.stats().workers} workers ready`);
  const rssAfter = process.memoryUsage().rss;
  const closing = performance.now();
  await transport.close();
  const sample: Sample = {
    workers,
    readyMs: Math.round(readyMs),
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

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const counts = process.argv.slice(2).map(Number);
  const runs = 3;
  const rows: string[] = [];
  for (const workers of counts.length > 0 ? counts : [1, 8, 100]) {
    const samples: Sample[] = [];
    for (let run = 0; run < runs; run++) {
      const out = execFileSync(process.execPath, [self, '--one', String(workers)], { encoding: 'utf8' });
      samples.push(JSON.parse(out.trim().split('\n').pop() ?? '') as Sample);
    }
    const line = `| ${workers} | ${median(samples.map((s) => s.readyMs))} (${samples.map((s) => s.readyMs).join(', ')}) | ${median(samples.map((s) => s.perWorkerMb))} | ${median(samples.map((s) => s.rssAfterMb))} | ${median(samples.map((s) => s.closeMs))} |`;
    process.stdout.write(line + '\n');
    rows.push(line);
  }
  const report = [
    '# Pool transport: worker start-up',
    '',
    `Measured ${new Date().toISOString()} on Node ${process.version}, ${cpus().length} cores (shared machine),`,
    'by `npm run build && node dist/bench/pool-startup.js`. Each row: median of 3 fresh processes.',
    '"ready" is ThreadPoolTransport.listen() from call to resolve: every worker thread spawned, its modules',
    'loaded, the shared store attached, and counted ready, then the socket bound. RSS per worker is',
    '(RSS after listen - RSS before) / workers. Target: 100 workers ready in under 2 s.',
    '',
    '| workers | ready ms, median (runs) | RSS per worker MB | process RSS MB | close ms |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  const path = join(dirname(self), '..', '..', 'bench', 'results', 'pool-startup.md');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, report);
  process.stdout.write(`written to ${path}\n`);
}

if (process.argv[2] === '--one') await measure(Number(process.argv[3]));
else main();
