// What one hop between the main thread and another thread costs, on this machine: the price of running the event
// loop's scripts on a thread of their own (so the main thread could answer BUSY while one runs long), where every
// EVAL would cross to the script's thread and back, and every redis.call back to the main thread, which owns the
// sessions and the store's single-threaded path, and back again. A round trip here is the main thread waking a
// worker through a shared word (Atomics.notify) and sleeping (Atomics.wait) until the worker wakes it back: the
// cheapest hand-off two Node threads have. Rounds alternate with a same-thread baseline so the noise falls on
// both. Bounded in count and rounds.
// Usage: node dist/bench/thread-hop.js [--trips 200000] [--rounds 7]

import { Worker } from 'node:worker_threads';

const args = process.argv.slice(2);
const option = (name: string, fallback: number, max: number): number => {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name}: 1 to ${max}`);
  return value;
};
const trips = option('trips', 200_000, 10_000_000);
const rounds = option('rounds', 7, 50);

/** Word 0: whose turn it is (0 main, 1 worker, 2 stop). */
const WORKER_SIDE = `
const { workerData } = require('node:worker_threads');
const word = new Int32Array(workerData);
for (;;) {
  Atomics.wait(word, 0, 0);
  if (Atomics.load(word, 0) === 2) break;
  Atomics.store(word, 0, 0);
  Atomics.notify(word, 0);
}
`;

async function hopRound(word: Int32Array): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < trips; i++) {
    Atomics.store(word, 0, 1);
    Atomics.notify(word, 0);
    while (Atomics.load(word, 0) === 1) Atomics.wait(word, 0, 1);
  }
  return Number(process.hrtime.bigint() - start) / trips;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const shared = new SharedArrayBuffer(4);
  const word = new Int32Array(shared);
  const worker = new Worker(WORKER_SIDE, { eval: true, workerData: shared });
  await new Promise((resolve) => worker.once('online', resolve));
  const hops: number[] = [];
  const calls: number[] = [];
  let sink = 0;
  const local = (i: number): number => (i * 31) ^ sink; // a same-thread call, for scale
  for (let round = 0; round < rounds; round++) {
    hops.push(await hopRound(word));
    const start = process.hrtime.bigint();
    for (let i = 0; i < trips; i++) sink = local(i);
    calls.push(Number(process.hrtime.bigint() - start) / trips);
  }
  Atomics.store(word, 0, 2);
  Atomics.notify(word, 0);
  await worker.terminate();
  console.log(`${trips} round trips main -> worker -> main, median of ${rounds} rounds`);
  console.log(
    `  round trip: ${(median(hops) / 1000).toFixed(2)} µs   (all: ${hops.map((h) => (h / 1000).toFixed(2)).join(' ')})`,
  );
  console.log(`  same-thread call: ${median(calls).toFixed(1)} ns (sink ${sink & 1})`);
}

await main();
