// Streams against redis-server 7.0 side by side: XADD (plain and with MAXLEN ~), XRANGE and XREAD of 10 entries
// at a random point of a 100,000-entry stream, XPENDING (summary and a range of 10), XCLAIM and XAUTOCLAIM on a
// group whose PEL holds 10,000 entries, XPENDING and a history XREADGROUP of a consumer owning 10 entries after
// those, each by `redis-benchmark -c 50 -P 16 <command>` (__rand_int__ picks the point), and XREADGROUP > COUNT 10
// followed by the XACK of what it got, by 50 connections of this bench's own
// client (redis-benchmark cannot feed one reply's IDs into the next request). Servers in alternating rounds (the
// machine is shared: the median of each side is reported with every round), with the server's CPU per request,
// the steadier figure. A tool that writes results, not a test; every server it starts is stopped by PID.
// Usage (after `npm run build`): node dist/bench/streams.js [--entries 100000] [--pel 10000] [--rounds 3]
//   [--requests 20000] [--pel-requests 20000] [--readgroups 2000] [--tests xadd,xrange,...] [--save | --out DIR]

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { killAll } from './lib/children.js';
import { BenchClient } from './lib/client.js';
import { resultsDir } from './lib/paths.js';
import { cpuMs } from './lib/proc.js';
import { runRedisBenchmark } from './lib/redis-benchmark.js';
import { RespError, type RespValue } from './lib/resp.js';
import { HOST, launchServer, type ServerProcess } from './lib/server-process.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

function textOption(name: string): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : null;
}

/** Where the results go: bench/results/tmp/ (bench/results/ with --save), or --out DIR. */
const OUT_DIR = textOption('--out') ?? resultsDir;
const ENTRIES = option('--entries', 100_000);
const PEL = option('--pel', 10_000);
const ROUNDS = option('--rounds', 3);
const REQUESTS = option('--requests', 20_000);
/** redis-benchmark's -n for the tests on the PEL (XPENDING, XCLAIM, XAUTOCLAIM), which may be far slower. */
const PEL_REQUESTS = option('--pel-requests', REQUESTS);
/** XREADGROUP + XACK pairs per round (each reads 10 entries of the big stream, so at most ENTRIES / 10). */
const READGROUPS = Math.min(option('--readgroups', 2_000), Math.floor(ENTRIES / 10));
const CLIENTS = 50;
const PIPELINE = 16;
/** One run's bound: a test that takes longer is reported as timed out, and the bench goes on. */
const RUN_TIMEOUT_MS = 120_000;
/** Commands per pipelined batch while filling. */
const FILL_BATCH = 1_000;

const BIG = 'bench:s'; // ENTRIES entries, IDs 1-0 .. ENTRIES-0
const PEL_KEY = 'bench:pel'; // 2 * PEL entries; group g has the first PEL pending, over 4 consumers
/** A consumer of g with RARE entries pending, after the others' PEL: what a consumer's own reads find. */
const RARE = 10;
const VALUE = 'v'.repeat(16);

interface Test {
  readonly name: string;
  /** A redis-benchmark command (with -r `keyspace`), or null for the XREADGROUP + XACK client loop. */
  readonly command: readonly string[] | null;
  readonly keyspace?: number;
  /** On the PEL key: PEL_REQUESTS requests. */
  readonly onPel?: boolean;
}

const TESTS: readonly Test[] = [
  // The control: the project's string path through the same tool, servers and rounds.
  { name: 'SET (control)', command: ['SET', 'bench:str', VALUE] },
  { name: 'XADD', command: ['XADD', 'bench:add', '*', 'field', VALUE] },
  { name: 'XADD MAXLEN ~ 1000', command: ['XADD', 'bench:trim', 'MAXLEN', '~', '1000', '*', 'field', VALUE] },
  {
    name: 'XRANGE COUNT 10',
    command: ['XRANGE', BIG, '__rand_int__', '+', 'COUNT', '10'],
    keyspace: ENTRIES,
  },
  {
    name: 'XREAD COUNT 10',
    command: ['XREAD', 'COUNT', '10', 'STREAMS', BIG, '__rand_int__'],
    keyspace: ENTRIES,
  },
  { name: 'XREADGROUP COUNT 10 + XACK', command: null },
  { name: `XPENDING summary (PEL ${PEL})`, command: ['XPENDING', PEL_KEY, 'g'], onPel: true },
  {
    name: `XPENDING range 10 (PEL ${PEL})`,
    command: ['XPENDING', PEL_KEY, 'g', '__rand_int__', '+', '10'],
    keyspace: PEL,
    onPel: true,
  },
  {
    name: `XPENDING - + 10 of a consumer owning ${RARE} (PEL ${PEL})`,
    command: ['XPENDING', PEL_KEY, 'g', '-', '+', '10', 'rare'],
    onPel: true,
  },
  {
    name: `XREADGROUP history of a consumer owning ${RARE} (PEL ${PEL})`,
    command: ['XREADGROUP', 'GROUP', 'g', 'rare', 'COUNT', '10', 'STREAMS', PEL_KEY, '0'],
    onPel: true,
  },
  {
    name: `XCLAIM 1 (PEL ${PEL})`,
    command: ['XCLAIM', PEL_KEY, 'g', 'c5', '0', '__rand_int__'],
    keyspace: PEL,
    onPel: true,
  },
  {
    name: `XAUTOCLAIM COUNT 10 (PEL ${PEL})`,
    command: ['XAUTOCLAIM', PEL_KEY, 'g', 'c6', '0', '__rand_int__', 'COUNT', '10'],
    keyspace: PEL,
    onPel: true,
  },
];

const chosen = (() => {
  const list = textOption('--tests');
  if (list === null) return TESTS;
  const wanted = list.toLowerCase().split(',');
  return TESTS.filter((t) => wanted.some((w) => t.name.toLowerCase().startsWith(w)));
})();

function check(reply: RespValue): RespValue {
  if (reply instanceof RespError) throw new Error(reply.message);
  return reply;
}

/** Sends commands pipelined, FILL_BATCH at a time, and checks every reply. */
async function pipelined(client: BenchClient, commands: Iterable<readonly string[]>): Promise<void> {
  let batch: Promise<RespValue>[] = [];
  for (const argv of commands) {
    batch.push(client.request(argv));
    if (batch.length === FILL_BATCH) {
      (await Promise.all(batch)).forEach(check);
      batch = [];
    }
  }
  (await Promise.all(batch)).forEach(check);
}

function* range(from: number, to: number): Generator<number> {
  for (let i = from; i <= to; i++) yield i;
}

function* map<T, U>(xs: Iterable<T>, f: (x: T) => U): Generator<U> {
  for (const x of xs) yield f(x);
}

/** The streams the tests read: the big one (with group rg), and the PEL one with PEL entries pending. */
async function fill(server: ServerProcess): Promise<void> {
  const client = await BenchClient.connect({ host: HOST, port: server.port });
  try {
    await pipelined(
      client,
      map(range(1, ENTRIES), (i) => ['XADD', BIG, `${i}-0`, 'field', VALUE]),
    );
    check(await client.call(['XGROUP', 'CREATE', BIG, 'rg', '0']));
    await pipelined(
      client,
      map(range(1, 2 * PEL), (i) => ['XADD', PEL_KEY, `${i}-0`, 'field', VALUE]),
    );
    check(await client.call(['XGROUP', 'CREATE', PEL_KEY, 'g', '0']));
    const perConsumer = Math.ceil(PEL / 4);
    for (let c = 1; c <= 4; c++) {
      const count = Math.min(perConsumer, PEL - (c - 1) * perConsumer);
      check(
        await client.call(
          ['XREADGROUP', 'GROUP', 'g', `c${c}`, 'COUNT', String(count), 'STREAMS', PEL_KEY, '>'],
          60_000,
        ),
      );
    }
    check(
      await client.call(['XREADGROUP', 'GROUP', 'g', 'rare', 'COUNT', String(RARE), 'STREAMS', PEL_KEY, '>']),
    );
    const summary = check(await client.call(['XPENDING', PEL_KEY, 'g'])) as RespValue[];
    if (summary[0] !== PEL + RARE) {
      throw new Error(`${server.label}: PEL of ${String(summary[0])}, not ${PEL + RARE}`);
    }
  } finally {
    client.close();
  }
}

interface Run {
  readonly rps: number | null;
  readonly cpuUs: number | null;
  readonly error: string | null;
}

/**
 * CLIENTS connections, each in turn XREADGROUP GROUP rg c<i> COUNT 10 STREAMS bench:s > and the XACK of the IDs
 * it got, READGROUPS pairs in all (the group is set back to 0-0 first); a pair is one request of the figures.
 */
async function readGroupLoop(server: ServerProcess): Promise<Run> {
  const control = await BenchClient.connect({ host: HOST, port: server.port });
  check(await control.call(['XGROUP', 'SETID', BIG, 'rg', '0']));
  control.close();
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, () => BenchClient.connect({ host: HOST, port: server.port })),
  );
  let left = READGROUPS;
  const cpuStart = cpuMs(server.pid);
  const started = performance.now();
  const deadline = started + RUN_TIMEOUT_MS;
  let done = 0;
  try {
    await Promise.all(
      clients.map(async (client, i) => {
        while (left > 0 && performance.now() < deadline) {
          left--;
          const reply = check(
            await client.call(['XREADGROUP', 'GROUP', 'rg', `c${i}`, 'COUNT', '10', 'STREAMS', BIG, '>']),
          );
          if (reply === null) return; // the stream is used up
          const entries = ((reply as RespValue[])[0] as RespValue[])[1] as RespValue[];
          const ids = entries.map((e) => (e as RespValue[])[0] as Buffer);
          check(await client.call(['XACK', BIG, 'rg', ...ids]));
          done++;
        }
      }),
    );
  } finally {
    for (const client of clients) client.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuEnd = cpuMs(server.pid);
  const error = performance.now() >= deadline ? `timed out after ${RUN_TIMEOUT_MS} ms` : null;
  return {
    rps: Math.round(done / seconds),
    cpuUs:
      cpuStart !== undefined && cpuEnd !== undefined && done > 0
        ? Number((((cpuEnd - cpuStart) * 1000) / done).toPrecision(3))
        : null,
    error,
  };
}

async function runTest(test: Test, server: ServerProcess): Promise<Run> {
  if (test.command === null) return readGroupLoop(server);
  const result = await runRedisBenchmark({
    host: HOST,
    port: server.port,
    test: test.name,
    command: test.command,
    keyspace: test.keyspace,
    requests: test.onPel === true ? PEL_REQUESTS : REQUESTS,
    clients: CLIENTS,
    pipeline: PIPELINE,
    timeoutMs: RUN_TIMEOUT_MS,
    serverPid: server.pid,
  });
  return { rps: result.rps, cpuUs: result.serverCpuUsPerRequest, error: result.error };
}

type Side = 'lite' | 'redis';

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function rows(test: Test, runs: Record<Side, Run[]>): string[] {
  const rps = (side: Side): number[] =>
    runs[side].flatMap((r) => (r.rps === null ? [] : [Math.round(r.rps)]));
  const cpu = (side: Side): number => median(runs[side].flatMap((r) => (r.cpuUs === null ? [] : [r.cpuUs])));
  const errors = (side: Side): string =>
    runs[side].flatMap((r) => (r.error === null ? [] : [r.error])).join('; ');
  const ratio = (x: number, y: number): string => (Number.isFinite(x / y) ? (x / y).toFixed(2) : '-');
  const [lite, redis] = [median(rps('lite')), median(rps('redis'))];
  return [
    `| ${test.name} | redis 7 | ${rps('redis').join(', ')} | ${redis} | ${cpu('redis')} | | ${errors('redis')} |`,
    `| ${test.name} | redis-lite eventloop | ${rps('lite').join(', ')} | ${lite} | ${cpu('lite')} | ` +
      `${ratio(lite, redis)}x (by CPU: ${ratio(cpu('redis'), cpu('lite'))}x) | ${errors('lite')} |`,
  ];
}

async function main(): Promise<void> {
  const servers: Record<Side, ServerProcess> = {
    lite: await launchServer({ kind: 'eventloop' }),
    redis: await launchServer({ kind: 'redis' }),
  };
  const runs = new Map<Test, Record<Side, Run[]>>(chosen.map((t) => [t, { lite: [], redis: [] }]));
  try {
    for (const side of ['redis', 'lite'] as const) {
      const started = performance.now();
      await fill(servers[side]);
      console.error(`${servers[side].label}: filled in ${Math.round(performance.now() - started)} ms`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Who goes first alternates, so a burst of load from elsewhere on the machine hits both sides alike.
      const order: Side[] = round % 2 === 0 ? ['redis', 'lite'] : ['lite', 'redis'];
      for (const test of chosen) {
        for (const side of order) {
          const run = await runTest(test, servers[side]);
          runs.get(test)![side].push(run);
          console.error(
            `${test.name} round ${round + 1} ${servers[side].label}: ${run.rps} rps ${run.error ?? ''}`,
          );
        }
      }
    }
  } finally {
    await Promise.all([servers.lite.stop(), servers.redis.stop()]);
  }
  const text = [
    '# Streams against Redis 7.0',
    '',
    `Command: \`node dist/bench/streams.js --entries ${ENTRIES} --pel ${PEL} --rounds ${ROUNDS} --requests ${REQUESTS} --pel-requests ${PEL_REQUESTS} --readgroups ${READGROUPS} --save\``,
    `(bench/streams.ts), on this shared 2-core machine, ${new Date().toISOString().slice(0, 16)}Z.`,
    '',
    `Each command by \`redis-benchmark -c ${CLIENTS} -P ${PIPELINE} -n ${REQUESTS}\` (\`-n ${PEL_REQUESTS}\` on the PEL;`,
    `\`-r\` for __rand_int__), except`,
    `XREADGROUP + XACK: ${CLIENTS} connections of the bench's client, ${READGROUPS} pairs a round, one pair a request.`,
    `The stream read holds ${ENTRIES} entries (one 16-byte field each); the PEL is ${PEL} entries over 4 consumers`,
    `and ${RARE} of a fifth after them.`,
    '',
    '| test | server | requests/s, each round | median | server CPU µs/request (median) | redis-lite / Redis | errors |',
    '| ---- | ------ | ---------------------- | ------ | ------------------------------ | ------------------ | ------ |',
    ...chosen.flatMap((t) => rows(t, runs.get(t)!)),
    '',
    '"By CPU" is Redis\'s server CPU per request over redis-lite\'s: the throughput ratio when both are CPU-bound,',
    'and far steadier than requests/s on a machine shared with other work. SET is the control: what any request',
    'costs each server through the same tool (parsing, dispatch, the reply, the system calls), streams or not.',
    '',
  ].join('\n');
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(path.join(OUT_DIR, 'streams.md'), text);
  console.log(text);
  console.error(`wrote ${path.join(OUT_DIR, 'streams.md')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  killAll();
  process.exitCode = 1;
});
