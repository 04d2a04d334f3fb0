// What the shared store's locks cost (issue 2, Performance): GET/SET ops/s on one thread with the real
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

const KEYS = 100_000;
const HOT_KEYS = 16;
const BATCH = 10_000;

interface Row {
  readonly scenario: string;
  readonly opsPerSecond: number;
  readonly nsPerOp: number;
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

/** Best of a few rounds of `op` over the keys for about `seconds`. */
function opsPerSecond(seconds: number, keys: Buffer[], op: (key: Buffer) => void): number {
  let best = 0;
  const rounds = 3;
  for (let round = 0; round < rounds; round++) {
    let ops = 0;
    const start = performance.now();
    const deadline = start + (seconds * 1000) / rounds;
    let now = start;
    let i = 0;
    while (now < deadline) {
      for (let n = 0; n < BATCH; n++) {
        op(keys[i]);
        i = i + 1 === keys.length ? 0 : i + 1;
      }
      ops += BATCH;
      now = performance.now();
    }
    best = Math.max(best, ops / ((now - start) / 1000));
  }
  return best;
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

function row(scenario: string, ops: number): Row {
  return { scenario, opsPerSecond: Math.round(ops), nsPerOp: Math.round(1e9 / ops) };
}

async function twoThreads(seconds: number, hot: boolean): Promise<Row> {
  const store = SharedStore.create({ clock: Date.now });
  const keyCount = hot ? HOT_KEYS : KEYS;
  for (const key of makeKeys(keyCount, 0)) store.set(key, VALUE);
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
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const begin = performance.now();
  const mine = mixedLoop(store, makeKeys(keyCount, 0), seconds);
  const total = mine + (await workerOps);
  const elapsed = (performance.now() - begin) / 1000;
  await worker.terminate();
  return row(
    hot
      ? `2 threads, GET/SET 50/50, same ${HOT_KEYS} keys`
      : `2 threads, GET/SET 50/50, own ${KEYS / 1000}k keys each`,
    total / elapsed,
  );
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
        opsPerSecond(seconds, keys, (k) => store.get(k)),
      ),
    );
    rows.push(
      row(
        `1 thread, SET, ${label}`,
        opsPerSecond(seconds, keys, (k) => store.set(k, VALUE)),
      ),
    );
    rows.push(row(`1 thread, GET/SET 50/50, ${label}`, mixedLoop(store, keys, seconds) / seconds));
  }
  const map = new Map<string, Buffer>();
  for (const key of keys) map.set(key.toString('latin1'), VALUE);
  rows.push(
    row(
      '1 thread, GET, Map<string, Buffer> (reference)',
      opsPerSecond(seconds, keys, (k) => map.get(k.toString('latin1'))),
    ),
  );
  rows.push(await twoThreads(seconds, true));
  rows.push(await twoThreads(seconds, false));

  const lines = [
    `# Store lock cost: ${KEYS.toLocaleString('en')} keys of 16 bytes, 16-byte values`,
    '',
    `${new Date().toISOString()}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length} (shared machine: figures vary).`,
    'Command: `npx tsc -p . && node dist/bench/store-locks.js`',
    '',
    '| scenario | ops/s | ns/op |',
    '|---|---:|---:|',
    ...rows.map((r) => `| ${r.scenario} | ${r.opsPerSecond.toLocaleString('en')} | ${r.nsPerOp} |`),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (!process.argv.includes('--no-write')) {
    const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'store-locks.md'), lines.join('\n'));
    writeFileSync(
      path.join(dir, 'store-locks.json'),
      JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n',
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
