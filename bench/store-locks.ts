// What the shared store's locks cost: GET/SET ops/s on one thread with the real
// Atomics locks against the same table with locking disabled (the unlocked single-thread baseline), plus two
// threads on one store, contended (both hammer the same 16 keys) and spread (each its own 100k keys).
// A tool, not a test. Usage (after `npx tsc -p .`): node dist/bench/store-locks.js [--seconds 1] [--no-write]
// The second thread runs this same compiled file (dist/bench/store-locks.js) as a worker.

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SharedStore } from '../src/core/store/store.js';
import type { StoreHandles } from '../src/core/store/types.js';
import { resultsDir } from './lib/paths.js';

const KEYS = 100_000;
const HOT_KEYS = 16;
const BATCH = 10_000;

interface Row {
  readonly scenario: string;
  /** Operations per CPU-second of the whole process (all its threads): the cost, robust to machine load. */
  readonly opsPerCpuSecond: number;
  readonly nsPerOp: number;
  /** Operations per wall-clock second: throughput, which depends on how busy the shared machine is. */
  readonly opsPerWallSecond: number;
}

interface Timing {
  readonly ops: number;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

function timed(run: () => number): Timing {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const ops = run();
  const used = process.cpuUsage(cpu);
  return {
    ops,
    cpuSeconds: (used.user + used.system) / 1e6,
    wallSeconds: (performance.now() - start) / 1000,
  };
}

interface ThreadJob {
  readonly handles: StoreHandles;
  readonly keys: number;
  readonly offset: number;
  readonly seconds: number;
  readonly start: SharedArrayBuffer;
}

function makeKeys(count: number, offset: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`key:${String(i + offset).padStart(12, '0')}`));
}

const VALUE = Buffer.from('value-0123456789'); // 16 bytes

/** Best (by CPU time) of three rounds of `op` cycling over the keys, about `seconds` in all. */
function measureOp(seconds: number, keys: Buffer[], op: (key: Buffer) => void): Timing {
  let best: Timing | null = null;
  for (let round = 0; round < 3; round++) {
    const timing = timed(() => {
      let ops = 0;
      const deadline = performance.now() + (seconds * 1000) / 3;
      let i = 0;
      while (performance.now() < deadline) {
        for (let n = 0; n < BATCH; n++) {
          op(keys[i]);
          i = i + 1 === keys.length ? 0 : i + 1;
        }
        ops += BATCH;
      }
      return ops;
    });
    if (best === null || timing.ops / timing.cpuSeconds > best.ops / best.cpuSeconds) best = timing;
  }
  return best!;
}

/** A 50/50 GET/SET mix until the deadline; returns ops done. Runs on both threads of the 2-thread runs. */
function mixedLoop(store: SharedStore, keys: Buffer[], seconds: number): number {
  let ops = 0;
  const deadline = performance.now() + seconds * 1000;
  let i = 0;
  while (performance.now() < deadline) {
    for (let n = 0; n < BATCH; n++) {
      const key = keys[i];
      if ((n & 1) === 0) store.get(key);
      else store.set(key, VALUE);
      i = i + 1 === keys.length ? 0 : i + 1;
    }
    ops += BATCH;
  }
  return ops;
}

function row(scenario: string, timing: Timing): Row {
  const perCpu = timing.ops / timing.cpuSeconds;
  return {
    scenario,
    opsPerCpuSecond: Math.round(perCpu),
    nsPerOp: Math.round(1e9 / perCpu),
    opsPerWallSecond: Math.round(timing.ops / timing.wallSeconds),
  };
}

async function timedAsync(run: () => Promise<number>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const ops = await run();
  const used = process.cpuUsage(cpu);
  return {
    ops,
    cpuSeconds: (used.user + used.system) / 1e6,
    wallSeconds: (performance.now() - start) / 1000,
  };
}

async function twoThreads(seconds: number, hot: boolean): Promise<Row> {
  const store = SharedStore.create({ clock: Date.now });
  const keyCount = hot ? HOT_KEYS : KEYS;
  const mainKeys = makeKeys(keyCount, 0);
  for (const key of mainKeys) store.set(key, VALUE);
  for (const key of makeKeys(keyCount, KEYS)) store.set(key, VALUE);
  const start = new SharedArrayBuffer(4);
  const job: ThreadJob = { handles: store.handles(), keys: keyCount, offset: hot ? 0 : KEYS, seconds, start };
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: job });
  const workerOps = new Promise<number>((resolve, reject) => {
    worker.once('message', (ops: number) => resolve(ops));
    worker.once('error', reject);
  });
  await new Promise<void>((resolve) => worker.once('online', () => resolve()));
  const flag = new Int32Array(start);
  const timing = await timedAsync(async () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    const mine = mixedLoop(store, mainKeys, seconds);
    return mine + (await workerOps);
  });
  await worker.terminate();
  const keysLabel = hot ? `the same ${HOT_KEYS} keys` : `own ${KEYS / 1000}k keys each`;
  return row(`2 threads, GET/SET 50/50, ${keysLabel}`, timing);
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1] || 1) || 1;
  const keys = makeKeys(KEYS, 0);
  const rows: Row[] = [];
  for (const locking of [false, true]) {
    const store = SharedStore.create({ clock: Date.now, locking });
    for (const key of keys) store.set(key, VALUE);
    const label = locking ? 'locked (Atomics RW locks)' : 'unlocked baseline (locking: false)';
    rows.push(
      row(
        `1 thread, GET, ${label}`,
        measureOp(seconds, keys, (k) => store.get(k)),
      ),
    );
    rows.push(
      row(
        `1 thread, SET, ${label}`,
        measureOp(seconds, keys, (k) => store.set(k, VALUE)),
      ),
    );
    rows.push(
      row(
        `1 thread, GET/SET 50/50, ${label}`,
        timed(() => mixedLoop(store, keys, seconds)),
      ),
    );
  }
  const map = new Map<string, Buffer>();
  for (const key of keys) map.set(key.toString('latin1'), VALUE);
  const mapGet = measureOp(seconds, keys, (k) => map.get(k.toString('latin1')));
  rows.push(row('1 thread, GET, Map<string, Buffer> (reference, not shared)', mapGet));
  rows.push(await twoThreads(seconds, true));
  rows.push(await twoThreads(seconds, false));

  const cpu = os.cpus();
  const lines = [
    `# Store lock cost: ${KEYS.toLocaleString('en')} keys of 16 bytes, 16-byte values`,
    '',
    `${new Date().toISOString()}, Node ${process.version}, ${cpu[0]?.model ?? 'cpu'} x${cpu.length}, load average ` +
      `${os.loadavg()[0].toFixed(1)} (a shared machine: compare rows of one run, not runs).`,
    'ops/CPU-s counts the CPU time of every thread of the process, so it is the cost of an operation;',
    'ops/wall-s is throughput, and depends on how many other jobs share the two cores.',
    '',
    'Command: `npx tsc -p . && node dist/bench/store-locks.js`',
    '',
    '| scenario | ops/CPU-s | ns/op (CPU) | ops/wall-s |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.opsPerCpuSecond.toLocaleString('en')} | ${r.nsPerOp} | ${r.opsPerWallSecond.toLocaleString('en')} |`,
    ),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (!process.argv.includes('--no-write')) {
    const dir = resultsDir;
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'store-locks.md'), lines.join('\n'));
    writeFileSync(
      path.join(dir, 'store-locks.json'),
      JSON.stringify(
        { date: new Date().toISOString(), node: process.version, loadavg: os.loadavg(), rows },
        null,
        2,
      ) + '\n',
    );
  }
}

if (isMainThread) {
  await main();
} else {
  const job = workerData as ThreadJob;
  const store = SharedStore.attach(job.handles, Date.now);
  const keys = makeKeys(job.keys, job.offset);
  Atomics.wait(new Int32Array(job.start), 0, 0);
  parentPort?.postMessage(mixedLoop(store, keys, job.seconds));
}
