// Redis as a cache, against Redis 7 on this machine with the same settings (issue 16's targets):
// 1. The cap: with `maxmemory 64mb` and each policy, ten times that volume of 1 KB writes (SET with EX for the
//    volatile policies) over pipelined connections; RSS, used_memory, evicted_keys and failed writes after.
// 2. Hit rate: a cache-aside client (GET; on a miss, SET) over keys drawn from a Zipf distribution, more keys than
//    fit; the share of GETs that hit, for allkeys-lru and allkeys-lfu, after a warm-up.
// 3. Throughput at the cap: `redis-benchmark -t set -d 1000 -r 10000000 -P 16 -c 50` with allkeys-lru at the cap,
//    alternating rounds on fresh servers.
// A tool, not a test: bounded in requests and time, every child killed by PID. Usage (after `npm run build`):
//   node dist/bench/eviction.js [--maxmemory-mb 64] [--volume 10] [--zipf-keys 300000] [--rounds 3] [--save]

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { POLICY_NAMES } from '../src/core/store/eviction.js';
import { killAll } from './lib/children.js';
import { BenchClient, parseInfo, replyText } from './lib/client.js';
import { resultsDir } from './lib/paths.js';
import { runRedisBenchmark } from './lib/redis-benchmark.js';
import { RespError } from './lib/resp.js';
import { HOST, launchServer, type ServerKind, type ServerProcess } from './lib/server-process.js';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const MAXMEMORY_MB = argValue('--maxmemory-mb', 64);
const VOLUME = argValue('--volume', 10);
const ZIPF_KEYS = argValue('--zipf-keys', 300_000);
const ROUNDS = argValue('--rounds', 3);
const VALUE = Buffer.alloc(1000, 'v');
const BATCH = 500;
const IN_FLIGHT = 8;
const TIMEOUT_MS = 120_000;
const SERVERS: readonly ServerKind[] = ['eventloop', 'redis'];
/** Every policy that evicts (all but noeviction), in redis.conf's order. */
const POLICIES = POLICY_NAMES.filter((name) => name !== 'noeviction');

async function info(client: BenchClient, section: string): Promise<Map<string, string>> {
  return parseInfo(replyText(await client.call(['INFO', section])));
}

async function capped(
  kind: ServerKind,
  policy: string,
): Promise<{ server: ServerProcess; client: BenchClient }> {
  const server = await launchServer({ kind });
  const client = await BenchClient.connect({ host: HOST, port: server.port });
  replyText(await client.call(['CONFIG', 'SET', 'maxmemory-policy', policy]));
  replyText(await client.call(['CONFIG', 'SET', 'maxmemory', `${MAXMEMORY_MB}mb`]));
  return { server, client };
}

interface CapRow {
  server: string;
  policy: string;
  baselineRssMb: number;
  rssMb: number;
  usedMb: number;
  evicted: number;
  failed: number;
  seconds: number;
}

/** VOLUME x maxmemory of 1 KB values under distinct keys, pipelined; failed writes counted. */
async function capRun(kind: ServerKind, policy: string): Promise<CapRow> {
  const { server, client } = await capped(kind, policy);
  try {
    const baselineRss = server.rssKb() ?? 0;
    const writes = Math.ceil((VOLUME * MAXMEMORY_MB * 1024 * 1024) / VALUE.length);
    const volatile = policy.startsWith('volatile');
    let failed = 0;
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (let from = 0; from < writes; from += BATCH) {
      const replies: Promise<unknown>[] = [];
      for (let i = from; i < Math.min(writes, from + BATCH); i++) {
        const argv: (string | Buffer)[] = ['SET', `key:${i}`, VALUE];
        if (volatile) argv.push('EX', String(100_000 + (i % 1000)));
        replies.push(client.request(argv));
      }
      pending.push(
        Promise.all(replies).then((all) => {
          for (const reply of all) if (reply instanceof RespError) failed++;
        }),
      );
      if (pending.length >= IN_FLIGHT) await pending.shift();
    }
    await Promise.all(pending);
    const seconds = (performance.now() - started) / 1000;
    const memory = await info(client, 'memory');
    const stats = await info(client, 'stats');
    return {
      server: server.label,
      policy,
      baselineRssMb: baselineRss / 1024,
      rssMb: (server.rssKb() ?? 0) / 1024,
      usedMb: Number(memory.get('used_memory')) / 1024 / 1024,
      evicted: Number(stats.get('evicted_keys')),
      failed,
      seconds,
    };
  } finally {
    client.close();
    await server.stop();
  }
}

/** A Zipf(1) sampler over ranks 1..n by inverse CDF on a precomputed table. */
function zipfSampler(n: number, seed: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) cdf[k - 1] = sum += 1 / k;
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

interface HitRow {
  server: string;
  policy: string;
  hitRate: number;
  keys: number;
}

/** Cache-aside over Zipf-drawn keys of 1 KB: the same seeded sequence for both servers. */
async function hitRun(kind: ServerKind, policy: string): Promise<HitRow> {
  const { server, client } = await capped(kind, policy);
  try {
    const next = zipfSampler(ZIPF_KEYS, 42);
    const operations = ZIPF_KEYS * 3;
    const warmup = ZIPF_KEYS;
    let hits = 0;
    let gets = 0;
    for (let done = 0; done < operations; done += BATCH) {
      const keys = Array.from({ length: BATCH }, () => `zipf:${next()}`);
      const replies = await Promise.all(keys.map((key) => client.request(['GET', key])));
      const misses: Promise<unknown>[] = [];
      replies.forEach((reply, i) => {
        const hit = reply !== null;
        if (done >= warmup) {
          gets++;
          if (hit) hits++;
        }
        if (!hit) misses.push(client.request(['SET', keys[i], VALUE]));
      });
      await Promise.all(misses);
    }
    const keyspace = await client.call(['DBSIZE']);
    return { server: server.label, policy, hitRate: hits / gets, keys: Number(keyspace) };
  } finally {
    client.close();
    await server.stop();
  }
}

interface ThroughputRow {
  server: string;
  round: number;
  rps: number | null;
  error: string | null;
}

async function throughputRun(kind: ServerKind, round: number): Promise<ThroughputRow> {
  const { server, client } = await capped(kind, 'allkeys-lru');
  try {
    // Fill to the cap first, so every measured SET evicts.
    await runRedisBenchmark({
      host: HOST,
      port: server.port,
      test: 'set',
      requests: 100_000,
      clients: 50,
      pipeline: 16,
      keyspace: 10_000_000,
      dataSize: VALUE.length,
      timeoutMs: TIMEOUT_MS,
    });
    const result = await runRedisBenchmark({
      host: HOST,
      port: server.port,
      test: 'set',
      requests: 300_000,
      clients: 50,
      pipeline: 16,
      keyspace: 10_000_000,
      dataSize: VALUE.length,
      timeoutMs: TIMEOUT_MS,
      serverPid: server.pid,
    });
    return { server: server.label, round, rps: result.rps, error: result.error };
  } finally {
    client.close();
    await server.stop();
  }
}

const fixed = (n: number, digits = 1): string => n.toFixed(digits);
const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

function markdown(caps: CapRow[], hits: HitRow[], throughput: ThroughputRow[]): string {
  const lines = [
    `# Eviction against Redis 7: the cap, the hit rate, throughput at the cap`,
    '',
    `${new Date().toISOString()}, Node ${process.version}. Command: \`npm run build && node dist/bench/eviction.js` +
      ` --maxmemory-mb ${MAXMEMORY_MB} --volume ${VOLUME} --zipf-keys ${ZIPF_KEYS} --rounds ${ROUNDS}\``,
    '',
    `## The cap: maxmemory ${MAXMEMORY_MB} MB, ${VOLUME}x that in 1 KB SETs (with EX for volatile-*)`,
    '',
    '| server | policy | RSS at start MB | RSS after MB | used_memory MB | evicted | failed writes | s |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...caps.map(
      (r) =>
        `| ${r.server} | ${r.policy} | ${fixed(r.baselineRssMb)} | ${fixed(r.rssMb)} | ${fixed(r.usedMb)} | ` +
        `${r.evicted} | ${r.failed} | ${fixed(r.seconds)} |`,
    ),
    '',
    `## Hit rate: cache-aside over ${ZIPF_KEYS.toLocaleString('en')} Zipf(1) keys of 1 KB, ` +
      `${(ZIPF_KEYS * 2).toLocaleString('en')} GETs measured after a warm-up`,
    '',
    '| server | policy | hit rate | keys held |',
    '|---|---|---:|---:|',
    ...hits.map((r) => `| ${r.server} | ${r.policy} | ${fixed(r.hitRate * 100, 2)}% | ${r.keys} |`),
    '',
    '## SET throughput at the cap (allkeys-lru, -c 50 -P 16 -d 1000 -r 10000000), alternating rounds',
    '',
    '| server | round | req/s | error |',
    '|---|---:|---:|---|',
    ...throughput.map((r) => `| ${r.server} | ${r.round} | ${r.rps ?? '-'} | ${r.error ?? ''} |`),
  ];
  const byServer = (label: string) =>
    throughput.filter((r) => r.server === label && r.rps !== null).map((r) => r.rps as number);
  const ours = byServer(throughput[0]?.server ?? '');
  const redis = byServer(throughput.find((r) => r.server.startsWith('redis'))?.server ?? '');
  if (ours.length > 0 && redis.length > 0) {
    lines.push('', `Median ratio to Redis: ${fixed(median(ours) / median(redis), 2)}x.`);
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const caps: CapRow[] = [];
  for (const [i, policy] of POLICIES.entries()) {
    const order = i % 2 === 0 ? SERVERS : [...SERVERS].reverse();
    for (const kind of order) {
      caps.push(await capRun(kind, policy));
      console.log(JSON.stringify(caps[caps.length - 1]));
    }
  }
  const hits: HitRow[] = [];
  for (const policy of ['allkeys-lru', 'allkeys-lfu']) {
    for (const kind of SERVERS) {
      hits.push(await hitRun(kind, policy));
      console.log(JSON.stringify(hits[hits.length - 1]));
    }
  }
  const throughput: ThroughputRow[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? SERVERS : [...SERVERS].reverse();
    for (const kind of order) {
      throughput.push(await throughputRun(kind, round));
      console.log(JSON.stringify(throughput[throughput.length - 1]));
    }
  }
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, 'eviction.md');
  writeFileSync(file, markdown(caps, hits, throughput));
  console.log(`wrote ${file}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => killAll());
