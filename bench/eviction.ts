// Redis as a cache, against Redis 7 on this machine with the same settings (issue 16's targets):
// 1. The cap: with `maxmemory 64mb` and each policy, ten times that volume of 1 KB writes (SET with EX for the
//    volatile policies) over pipelined connections; RSS, used_memory, evicted_keys and failed writes after.
// 2. Hit rate: a cache-aside client (GET; on a miss, SET) over keys drawn from a Zipf distribution, more keys than
//    fit; the share of GETs that hit, for allkeys-lru and allkeys-lfu, after a warm-up.
// 3. Throughput at the cap: `redis-benchmark -t set -d 1000 -r 10000000 -P 16 -c 50` with allkeys-lru at the cap,
//    alternating rounds on fresh servers, with the server's CPU per request (steadier than req/s on a busy machine).
// 4. (`--parts uncapped`, not by default) the same SET load without maxmemory: what eviction adds to a SET.
// The cap's RSS growth is split into the allocator's active bytes (redis-lite: every byte its arena's bump pointer
// handed out, the live bytes plus freed blocks waiting on the segments' own lists or the shared ones, from INFO;
// Redis: jemalloc's) and the rest (redis-lite: the V8 heap and buffers). Each --node-options=<V8 flags> (with '=':
// the flags start with dashes) adds a redis-lite run under those flags to every part, to see what the rest is.
// A tool, not a test: bounded in requests and time, every child killed by PID. `--parts` runs some of these.
// Appends its run (by --label, default the commit) to eviction.{json,md} in the results folder (the scratch one,
// or the committed one with --save: lib/paths.ts), where other labels stay, so earlier figures sit beside new ones.
// Usage (after `npm run build`):
//   node dist/bench/eviction.js [--maxmemory-mb 64] [--volume 10] [--zipf-keys 300000] [--rounds 3]
//        [--parts cap,hits,throughput,uncapped] [--node-options=--max-semi-space-size=4] [--label NAME] [--save]
//        [--transport eventloop|hybrid|pool] (the hybrid runs 2 loops, the pool 100 workers: lib/server-process.ts)
//        [--warm-requests 0] [--measure-requests 300000] (the throughput parts: SETs after the fill that are not
//        measured, then those measured; a longer warm-up and window show the steady state, JIT and huge pages done)

import { execFileSync } from 'node:child_process';
import { POLICY_NAMES } from '../src/core/store/eviction.js';
import { DEFAULT_MIN_SPARE_WORKERS } from '../src/transport/threadpool/index.js';
import { killAll } from './lib/children.js';
import { BenchClient, parseInfo, replyText } from './lib/client.js';
import { stringList } from './lib/cli-args.js';
import { repoRoot, resultsDir } from './lib/paths.js';
import { runRedisBenchmark } from './lib/redis-benchmark.js';
import { saveRuns } from './lib/report.js';
import { RespError } from './lib/resp.js';
import {
  HOST,
  launchServer,
  serverLabel,
  type ServerKind,
  type ServerProcess,
} from './lib/server-process.js';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const MAXMEMORY_MB = argValue('--maxmemory-mb', 64);
const VOLUME = argValue('--volume', 10);
const ZIPF_KEYS = argValue('--zipf-keys', 300_000);
const ROUNDS = argValue('--rounds', 3);
const WARM_REQUESTS = argValue('--warm-requests', 0);
const MEASURE_REQUESTS = argValue('--measure-requests', 300_000);
const PARTS = ['cap', 'hits', 'throughput', 'uncapped'] as const;
/** What runs without --parts: all but the uncapped load, which only explains the capped one. */
const DEFAULT_PARTS = 'cap,hits,throughput';
type Part = (typeof PARTS)[number];

function argText(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

const TRANSPORTS = ['eventloop', 'hybrid', 'pool'] as const;
type Transport = (typeof TRANSPORTS)[number];
/** The transport redis-lite runs under (the hybrid and the pool: their loop threads or workers write in parallel). */
const TRANSPORT = ((): Transport => {
  const given = argText('--transport') ?? 'eventloop';
  if (!(TRANSPORTS as readonly string[]).includes(given))
    throw new Error(`--transport: no transport ${given}`);
  return given as Transport;
})();

const parts = stringList(argText('--parts') ?? DEFAULT_PARTS).map((part) => {
  if (!(PARTS as readonly string[]).includes(part))
    throw new Error(`--parts: no part ${part} (${PARTS.join(', ')})`);
  return part as Part;
});
const VALUE = Buffer.alloc(1000, 'v');
const BATCH = 500;
const IN_FLIGHT = 8;
const TIMEOUT_MS = 120_000;
/** A server the bench runs: redis-lite under some V8 flags (NODE_OPTIONS), or Redis. */
interface Target {
  readonly kind: ServerKind;
  readonly nodeOptions: readonly string[];
}
/** redis-lite as it starts by default, then under each --node-options=<flags> given, then Redis. */
const SERVERS: readonly Target[] = [
  { kind: TRANSPORT, nodeOptions: [] },
  ...process.argv
    .filter((arg) => arg.startsWith('--node-options='))
    .map((arg): Target => ({
      kind: TRANSPORT,
      nodeOptions: stringList(arg.slice('--node-options='.length)),
    })),
  { kind: 'redis', nodeOptions: [] },
];
/** Every policy that evicts (all but noeviction), in redis.conf's order. */
const POLICIES = POLICY_NAMES.filter((name) => name !== 'noeviction');

const mb = (bytes: number): number => bytes / 1024 / 1024;

async function info(client: BenchClient, section: string): Promise<Map<string, string>> {
  return parseInfo(replyText(await client.call(['INFO', section])));
}

/** The server's label in the results, with the V8 flags it ran under. */
function labelOf(server: ServerProcess, target: Target): string {
  return target.nodeOptions.length === 0 ? server.label : `${server.label} (${target.nodeOptions.join(' ')})`;
}

async function capped(
  target: Target,
  policy: string,
): Promise<{ server: ServerProcess; client: BenchClient; label: string }> {
  const server = await launchServer({ kind: target.kind, nodeOptions: [...target.nodeOptions] });
  const client = await BenchClient.connect({ host: HOST, port: server.port });
  replyText(await client.call(['CONFIG', 'SET', 'maxmemory-policy', policy]));
  replyText(await client.call(['CONFIG', 'SET', 'maxmemory', `${MAXMEMORY_MB}mb`]));
  await sparesStarted(client);
  return { server, client, label: labelOf(server, target) };
}

/** How long the pool may take to start its spare workers before the cap's RSS at start is read. */
const SPARES_TIMEOUT_MS = 30_000;

/**
 * The pool starts its spare workers as clients arrive (worker-demand.ts), about 10 MB each, after it has answered
 * them: RSS at start read before they ran counted their start-up as the load's growth (87-103 MB where the load
 * took ~64 MB). Waits until minSpare idle workers run beside the busy ones; other servers report no workers.
 */
async function sparesStarted(client: BenchClient): Promise<void> {
  const deadline = Date.now() + SPARES_TIMEOUT_MS;
  for (;;) {
    const clients = await info(client, 'clients');
    if (!clients.has('workers') || !clients.has('busy_workers')) return;
    const idle = Number(clients.get('workers')) - Number(clients.get('busy_workers'));
    const wanted = Math.min(DEFAULT_MIN_SPARE_WORKERS, Number(clients.get('workers_max')) - 1);
    if (idle >= wanted) return;
    if (Date.now() > deadline) throw new Error(`the pool started no ${wanted} spare workers in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface CapRow {
  server: string;
  policy: string;
  baselineRssMb: number;
  rssMb: number;
  /** INFO allocator_active before and after (redis-lite: the arena's bump pointer plus the control buffer). */
  activeStartMb?: number;
  activeMb?: number;
  /** INFO allocator_allocated after: the live bytes. */
  allocatedMb?: number;
  /** redis-lite's freed blocks waiting for reuse after: on the segments' own lists, on the shared ones. */
  freeSegmentsMb?: number | null;
  freeSharedMb?: number | null;
  usedMb: number;
  evicted: number;
  failed: number;
  seconds: number;
}

/** VOLUME x maxmemory of 1 KB values under distinct keys, pipelined; failed writes counted. */
async function capRun(target: Target, policy: string): Promise<CapRow> {
  const { server, client, label } = await capped(target, policy);
  try {
    const baselineRss = server.rssKb() ?? 0;
    const activeStart = Number((await info(client, 'memory')).get('allocator_active'));
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
      server: label,
      policy,
      baselineRssMb: baselineRss / 1024,
      rssMb: (server.rssKb() ?? 0) / 1024,
      activeStartMb: mb(activeStart),
      activeMb: mb(Number(memory.get('allocator_active'))),
      allocatedMb: mb(Number(memory.get('allocator_allocated'))),
      freeSegmentsMb: memory.has('arena_free_segments')
        ? mb(Number(memory.get('arena_free_segments')))
        : null,
      freeSharedMb: memory.has('arena_free_shared') ? mb(Number(memory.get('arena_free_shared'))) : null,
      usedMb: mb(Number(memory.get('used_memory'))),
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
async function hitRun(target: Target, policy: string): Promise<HitRow> {
  const { server, client, label } = await capped(target, policy);
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
    return { server: label, policy, hitRate: hits / gets, keys: Number(keyspace) };
  } finally {
    client.close();
    await server.stop();
  }
}

interface ThroughputRow {
  server: string;
  round: number;
  rps: number | null;
  /** The server's CPU per request (µs): steadier than req/s on a busy machine (absent in runs before it was kept). */
  serverCpuUs?: number | null;
  error: string | null;
}

/**
 * The throughput part's load: with allkeys-lru at the cap, or (`cap` false) the same load with no maxmemory, to
 * tell what eviction adds to a SET from what a SET costs.
 */
async function throughputRun(target: Target, round: number, cap = true): Promise<ThroughputRow> {
  const { server, client, label } = cap
    ? await capped(target, 'allkeys-lru')
    : await launchServer({ kind: target.kind, nodeOptions: [...target.nodeOptions] }).then(
        async (server) => ({
          server,
          client: await BenchClient.connect({ host: HOST, port: server.port }),
          label: labelOf(server, target),
        }),
      );
  try {
    // Fill to the cap first, so every measured SET evicts; then any warm-up asked for.
    await runRedisBenchmark({
      host: HOST,
      port: server.port,
      test: 'set',
      requests: 100_000 + WARM_REQUESTS,
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
      requests: MEASURE_REQUESTS,
      clients: 50,
      pipeline: 16,
      keyspace: 10_000_000,
      dataSize: VALUE.length,
      timeoutMs: TIMEOUT_MS,
      serverPid: server.pid,
    });
    return {
      server: label,
      round,
      rps: result.rps,
      serverCpuUs: result.serverCpuUsPerRequest,
      error: result.error,
    };
  } finally {
    client.close();
    await server.stop();
  }
}

const fixed = (n: number, digits = 1): string => n.toFixed(digits);
const maybe = (n: number | null | undefined): string => (n == null ? '-' : fixed(n));
const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

interface Run {
  readonly label: string;
  /** redis-lite's transport (runs saved before --transport say eventloop). */
  readonly transport: Transport;
  readonly command: string;
  readonly generatedAt: string;
  readonly node: string;
  readonly maxmemoryMb: number;
  readonly volume: number;
  readonly zipfKeys: number;
  readonly caps: CapRow[];
  readonly hits: HitRow[];
  readonly throughput: ThroughputRow[];
  /** The same load without maxmemory (absent in runs before it was measured). */
  readonly uncapped?: ThroughputRow[];
  /** Throughput: the median of redis-lite's rounds over the median of Redis's. */
  readonly ratio: number | null;
  /** Redis's server CPU per request over redis-lite's (medians): the throughput ratio if both had a core each. */
  readonly cpuRatio?: number | null;
}

/** redis-lite's label in a run as it starts by default (no V8 flags): "eventloop", "hybrid (2 loops)", ... */
function defaultLabel(transport: Transport): string {
  return serverLabel(transport);
}

/**
 * Median of redis-lite's rounds over the median of Redis's, of `value` (null without both), for the redis-lite
 * labelled `label`: as it starts by default (defaultLabel), or under V8 flags.
 */
function medianRatio(
  throughput: readonly ThroughputRow[],
  value: (row: ThroughputRow) => number | null | undefined,
  label: string,
): number | null {
  const byServer = (redis: boolean): number[] =>
    throughput
      .filter((r) => (redis ? r.server.startsWith('redis') : r.server === label))
      .map(value)
      .filter((v): v is number => typeof v === 'number');
  const ours = byServer(false);
  const redis = byServer(true);
  return ours.length > 0 && redis.length > 0 ? median(ours) / median(redis) : null;
}

function throughputTable(rows: readonly ThroughputRow[]): string[] {
  return [
    '',
    '| server | round | req/s | server CPU µs / request | error |',
    '|---|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.server} | ${r.round} | ${r.rps ?? '-'} | ${r.serverCpuUs == null ? '-' : fixed(r.serverCpuUs, 2)} | ` +
        `${r.error ?? ''} |`,
    ),
  ];
}

function runSections(run: Run): string[] {
  const lines = [`## ${run.label}`, '', `${run.generatedAt}, Node ${run.node}. Command: \`${run.command}\``];
  if (run.caps.length > 0) {
    lines.push(
      '',
      `### The cap: maxmemory ${run.maxmemoryMb} MB, ${run.volume}x that in 1 KB SETs (with EX for volatile-*)`,
      '',
      `Target: RSS grows by at most 1.2x maxmemory (${fixed(1.2 * run.maxmemoryMb)} MB) over RSS at start. The ` +
        "growth splits into the allocator's active bytes (INFO allocator_active: redis-lite's arena bump pointer, " +
        "the live bytes plus freed blocks waiting on the segments' own lists and on the shared ones; Redis's " +
        'jemalloc) and the rest (redis-lite: the V8 heap and buffers).',
      '',
      '| server | policy | RSS at start MB | RSS after MB | growth MB | allocator active +MB | live MB | ' +
        'free: segments MB | free: shared MB | rest of growth MB | used_memory MB | evicted | failed writes | s |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...run.caps.map((r) => {
        const growth = r.rssMb - r.baselineRssMb;
        const active =
          r.activeMb === undefined || r.activeStartMb === undefined
            ? undefined
            : r.activeMb - r.activeStartMb;
        return (
          `| ${r.server} | ${r.policy} | ${fixed(r.baselineRssMb)} | ${fixed(r.rssMb)} | ` +
          `${fixed(growth)}${growth <= 1.2 * run.maxmemoryMb ? '' : ' (over)'} | ${maybe(active)} | ` +
          `${maybe(r.allocatedMb)} | ${maybe(r.freeSegmentsMb)} | ${maybe(r.freeSharedMb)} | ` +
          `${maybe(active === undefined ? undefined : growth - active)} | ${fixed(r.usedMb)} | ` +
          `${r.evicted} | ${r.failed} | ${fixed(r.seconds)} |`
        );
      }),
    );
  }
  if (run.hits.length > 0) {
    lines.push(
      '',
      `### Hit rate: cache-aside over ${run.zipfKeys.toLocaleString('en')} Zipf(1) keys of 1 KB, ` +
        `${(run.zipfKeys * 2).toLocaleString('en')} GETs measured after a warm-up`,
      '',
      '| server | policy | hit rate | keys held |',
      '|---|---|---:|---:|',
      ...run.hits.map((r) => `| ${r.server} | ${r.policy} | ${fixed(r.hitRate * 100, 2)}% | ${r.keys} |`),
    );
  }
  if (run.throughput.length > 0) {
    lines.push(
      '',
      '### SET throughput at the cap (allkeys-lru, -c 50 -P 16 -d 1000 -r 10000000), alternating rounds',
    );
    lines.push(...throughputTable(run.throughput));
    if (run.ratio !== null) lines.push('', `Median ratio to Redis: ${fixed(run.ratio, 2)}x.`);
    if (run.cpuRatio != null) {
      lines.push(`By server CPU per request (Redis's over redis-lite's): ${fixed(run.cpuRatio, 2)}x.`);
    }
    const variants = [...new Set(run.throughput.map((r) => r.server))].filter(
      (server) => server !== defaultLabel(run.transport) && !server.startsWith('redis'),
    );
    for (const variant of variants) {
      const rps = medianRatio(run.throughput, (r) => r.rps, variant);
      const cpu = medianRatio(run.throughput, (r) => r.serverCpuUs, variant);
      if (rps !== null && cpu !== null) {
        lines.push(
          `${variant}: ${fixed(rps, 2)}x Redis's rate, ${fixed(1 / cpu, 2)}x by server CPU per request.`,
        );
      }
    }
  }
  if (run.uncapped !== undefined && run.uncapped.length > 0) {
    lines.push('', '### The same SET load without maxmemory (what a SET costs without eviction)');
    lines.push(...throughputTable(run.uncapped));
    const rps = medianRatio(run.uncapped, (r) => r.rps, defaultLabel(run.transport));
    const cpu = medianRatio(run.uncapped, (r) => r.serverCpuUs, defaultLabel(run.transport));
    if (rps !== null) lines.push('', `Median ratio to Redis: ${fixed(rps, 2)}x.`);
    if (cpu !== null)
      lines.push(`By server CPU per request (Redis's over redis-lite's): ${fixed(1 / cpu, 2)}x.`);
  }
  return lines;
}

function report(runs: Run[]): string {
  const lines = [
    '# Eviction against Redis 7: the cap, the hit rate, throughput at the cap',
    '',
    'Each run below is one invocation of `bench/eviction.ts` (label: the commit measured, or as given), with the parts',
    'it ran; earlier runs are kept for comparison.',
  ];
  for (const run of runs) lines.push('', ...runSections(run));
  return lines.join('\n') + '\n';
}

function commitLabel(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unlabelled';
  }
}

async function main(): Promise<void> {
  const caps: CapRow[] = [];
  for (const [i, policy] of (parts.includes('cap') ? POLICIES : []).entries()) {
    const order = i % 2 === 0 ? SERVERS : [...SERVERS].reverse();
    for (const target of order) {
      caps.push(await capRun(target, policy));
      console.log(JSON.stringify(caps[caps.length - 1]));
    }
  }
  const hits: HitRow[] = [];
  for (const policy of parts.includes('hits') ? ['allkeys-lru', 'allkeys-lfu'] : []) {
    for (const target of SERVERS) {
      hits.push(await hitRun(target, policy));
      console.log(JSON.stringify(hits[hits.length - 1]));
    }
  }
  const throughput: ThroughputRow[] = [];
  const uncapped: ThroughputRow[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? SERVERS : [...SERVERS].reverse();
    for (const target of order) {
      if (parts.includes('throughput')) {
        throughput.push(await throughputRun(target, round));
        console.log(JSON.stringify({ capped: true, ...throughput[throughput.length - 1] }));
      }
      if (parts.includes('uncapped')) {
        uncapped.push(await throughputRun(target, round, false));
        console.log(JSON.stringify({ capped: false, ...uncapped[uncapped.length - 1] }));
      }
    }
  }
  const cpuPerRequest = medianRatio(throughput, (r) => r.serverCpuUs, defaultLabel(TRANSPORT));
  const run: Run = {
    label: argText('--label') ?? commitLabel(),
    transport: TRANSPORT,
    command: `npm run build && node dist/bench/eviction.js ${process.argv.slice(2).join(' ')}`.trim(),
    generatedAt: new Date().toISOString(),
    node: process.version,
    maxmemoryMb: MAXMEMORY_MB,
    volume: VOLUME,
    zipfKeys: ZIPF_KEYS,
    caps,
    hits,
    throughput,
    uncapped,
    ratio: medianRatio(throughput, (r) => r.rps, defaultLabel(TRANSPORT)),
    cpuRatio: cpuPerRequest === null ? null : 1 / cpuPerRequest, // less CPU per request: more throughput
  };
  console.log(`wrote ${saveRuns(resultsDir, 'eviction', [run], report)}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => killAll());
