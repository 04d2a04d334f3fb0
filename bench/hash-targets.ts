// The hash targets of issue 12, against redis-server 7.0 side by side: memory per field of one hash of
// 1,000,000 fields (16-byte fields and values, filled over a pipeline), and `redis-benchmark -c 50 -P 16 -t hset
// -n 200000` on the event loop, in alternating rounds, with SET as the control (the machine is shared: the
// median of each side is reported with every round). A tool that writes results, not a test; every server it starts is stopped by PID.
// Usage (after `npm run build`): node dist/bench/hash-targets.js [--fields 1000000] [--rounds 5]
//   [--requests 200000] [--save | --out DIR]

import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { killAll } from './lib/children.js';
import { measureFill, type FillMeasurement } from './lib/container-fill.js';
import { resultsDir } from './lib/paths.js';
import { runRedisBenchmark, type RedisBenchmarkResult } from './lib/redis-benchmark.js';
import { HOST, launchServer, type ServerKind, type ServerProcess } from './lib/server-process.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

/** Where the results go: bench/results/tmp/ (bench/results/ with --save), or --out DIR. */
const OUT_DIR = (() => {
  const i = process.argv.indexOf('--out');
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : resultsDir;
})();
const FIELDS = option('--fields', 1_000_000);
const ROUNDS = option('--rounds', 5);
const REQUESTS = option('--requests', 200_000);
/** Pairs per HSET while filling. */
const PAIRS_PER_COMMAND = 500;

/** Field or value i: a 6-byte prefix and 10 digits, 16 bytes. */
const sixteen = (prefix: string, i: number): string => `${prefix}${String(i).padStart(10, '0')}`;

/** Starts a server of `kind`, fills one hash, and measures what it grew by. */
function measureMemory(kind: ServerKind): Promise<FillMeasurement> {
  return measureFill(
    { kind },
    {
      key: 'bighash',
      elements: FIELDS,
      batch: PAIRS_PER_COMMAND,
      command: (key, from, to) => {
        const argv = ['HSET', key];
        for (let i = from; i < to; i++) argv.push(sixteen('field:', i), sixteen('value:', i));
        return argv;
      },
      countCommand: 'HLEN',
    },
  );
}

const round = (n: number): number => Math.round(n * 10) / 10;
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

type Rounds = { lite: RedisBenchmarkResult[]; redis: RedisBenchmarkResult[] };

/**
 * redis-benchmark -c 50 -P 16 -t <test> on both servers, alternating, ROUNDS times each: HSET, and SET as the
 * control (the project's string path on the same machine at the same time).
 */
async function measureThroughput(test: 'hset' | 'set'): Promise<Rounds> {
  const servers: Record<'lite' | 'redis', ServerProcess> = {
    lite: await launchServer({ kind: 'eventloop' }),
    redis: await launchServer({ kind: 'redis' }),
  };
  const results = { lite: [] as RedisBenchmarkResult[], redis: [] as RedisBenchmarkResult[] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Who goes first alternates, so a burst of load from elsewhere on the machine hits both sides alike.
      const order: ('lite' | 'redis')[] = round % 2 === 0 ? ['redis', 'lite'] : ['lite', 'redis'];
      for (const side of order) {
        const server = servers[side];
        const result = await runRedisBenchmark({
          host: HOST,
          port: server.port,
          test,
          requests: REQUESTS,
          clients: 50,
          pipeline: 16,
          timeoutMs: 120_000,
          serverPid: server.pid,
        });
        if (result.error !== null) throw new Error(`${server.label}: ${result.error}`);
        results[side].push(result);
        console.error(`${test} round ${round + 1} ${server.label}: ${result.rps} rps`);
      }
    }
  } finally {
    await Promise.all([servers.lite.stop(), servers.redis.stop()]);
  }
  return results;
}

const ratio = (x: number, y: number): string => (x / y).toFixed(2);

function throughputTable(test: string, rounds: Rounds): string[] {
  const rps = (rows: readonly RedisBenchmarkResult[]): number[] => rows.map((r) => Math.round(r.rps ?? 0));
  const cpu = (rows: readonly RedisBenchmarkResult[]): number =>
    median(rows.map((r) => r.serverCpuUsPerRequest ?? 0));
  const [lite, redis] = [median(rps(rounds.lite)), median(rps(rounds.redis))];
  return [
    `| ${test} | redis 7 | ${rps(rounds.redis).join(', ')} | ${redis} | ${cpu(rounds.redis)} | |`,
    `| ${test} | redis-lite eventloop | ${rps(rounds.lite).join(', ')} | ${lite} | ${cpu(rounds.lite)} | ${ratio(lite, redis)}x (by CPU: ${ratio(cpu(rounds.redis), cpu(rounds.lite))}x) |`,
  ];
}

function report(memory: readonly FillMeasurement[], hset: Rounds, set: Rounds): string {
  const [redisMemory, liteMemory] = memory;
  return [
    '# Hashes against Redis 7.0 (issue 12 targets)',
    '',
    `Command: \`node dist/bench/hash-targets.js --fields ${FIELDS} --rounds ${ROUNDS} --requests ${REQUESTS} --save\``,
    `(bench/hash-targets.ts), on this shared 2-core machine, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `## Memory per field: one hash of ${FIELDS.toLocaleString('en')} fields, 16-byte fields and values`,
    '',
    '| server | encoding | used_memory / field | used_memory_dataset / field | RSS / field | fill (s) |',
    '| ------ | -------- | ------------------- | --------------------------- | ----------- | -------- |',
    ...memory.map(
      (m) =>
        `| ${m.server} | ${m.encoding} | ${round(m.usedPerElement)} B | ${round(m.datasetPerElement)} B | ` +
        `${round(m.rssPerElement)} B | ${round(m.fillSeconds)} |`,
    ),
    '',
    `redis-lite / Redis: ${ratio(liteMemory.usedPerElement, redisMemory.usedPerElement)}x by used_memory, ` +
      `${ratio(liteMemory.rssPerElement, redisMemory.rssPerElement)}x by RSS (target: <= 1x).`,
    '',
    `## \`redis-benchmark -c 50 -P 16 -t hset -n ${REQUESTS}\`, the event loop against Redis, ${ROUNDS} alternating rounds`,
    '',
    'SET is the control: the same tool, servers and rounds, so HSET can be told apart from the string path.',
    '',
    '| test | server | requests/s, each round | median | server CPU µs/request (median) | redis-lite / Redis |',
    '| ---- | ------ | ---------------------- | ------ | ------------------------------ | ------------------ |',
    ...throughputTable('HSET', hset),
    ...throughputTable('SET', set),
    '',
    'Target: HSET >= 0.9x Redis. "By CPU" is Redis\'s server CPU per request over redis-lite\'s: the throughput',
    'ratio when both are CPU-bound, and far steadier than requests/s on a machine shared with other work.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const memory = [await measureMemory('redis'), await measureMemory('eventloop')];
  const hset = await measureThroughput('hset');
  const set = await measureThroughput('set');
  const text = report(memory, hset, set);
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(path.join(OUT_DIR, 'hashes.md'), text);
  console.log(text);
  console.error(`wrote ${path.join(OUT_DIR, 'hashes.md')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  killAll();
  process.exitCode = 1;
});
