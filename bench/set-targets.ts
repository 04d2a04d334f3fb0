// The set type's targets against Redis 7 (issue 12), side by side on this machine: memory per member of one set
// of 1,000,000 members (16-byte strings, and separately integers), from INFO used_memory and the server's RSS
// before and after filling it over a pipeline; and `redis-benchmark -c 50 -P 16 -t sadd,spop -n 200000` on the
// event loop and on Redis, alternating rounds on fresh servers. A tool, not a test: bounded in members, requests
// and time, every child killed by PID. Usage (after `npm run build`):
//   node dist/bench/set-targets.js [--members 1000000] [--requests 200000] [--rounds 5] [--save]

import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killAll } from './lib/children.js';
import { measureFill, type FillMeasurement } from './lib/container-fill.js';
import { resultsDir } from './lib/paths.js';
import { redisBenchmarkAvailable, runRedisBenchmark } from './lib/redis-benchmark.js';
import { HOST, launchServer, type ServerKind } from './lib/server-process.js';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const MEMBERS = argValue('--members', 1_000_000);
const REQUESTS = argValue('--requests', 200_000);
const ROUNDS = argValue('--rounds', 5);
/** Members per SADD while filling. */
const BATCH = 1000;
const TIMEOUT_MS = 120_000;

type MemberKind = 'string16' | 'integer';

/** Member i: 16 bytes ("mem:" and 12 digits), or i's decimal digits. */
function member(kind: MemberKind, i: number): string {
  return kind === 'integer' ? String(i) : `mem:${String(i).padStart(12, '0')}`;
}

interface MemoryRow extends FillMeasurement {
  kind: MemberKind;
}

async function measureMemory(kind: ServerKind, memberKind: MemberKind): Promise<MemoryRow> {
  const measured = await measureFill(
    { kind },
    {
      key: 'set',
      elements: MEMBERS,
      batch: BATCH,
      command: (key, from, to) => [
        'SADD',
        key,
        ...Array.from({ length: to - from }, (_, i) => member(memberKind, from + i)),
      ],
      countCommand: 'SCARD',
    },
  );
  return { ...measured, kind: memberKind };
}

interface ThroughputRow {
  server: string;
  round: number;
  test: string;
  rps: number | null;
  p50Ms: number | null;
  error: string | null;
}

function runOnce(port: number, pid: number, test: string) {
  return runRedisBenchmark({
    host: HOST,
    port,
    test,
    requests: REQUESTS,
    clients: 50,
    pipeline: 16,
    timeoutMs: TIMEOUT_MS,
    serverPid: pid,
    // redis-benchmark on the last core, so the server under test keeps the others to itself.
    ...(os.cpus().length > 1 ? { cpus: String(os.cpus().length - 1) } : {}),
  });
}

/**
 * One round on a fresh server: SADD then SPOP, as `redis-benchmark -t sadd,spop` runs them, then SET as the
 * reference a string command gives on the same server in the same minute (this machine's load moves both).
 */
async function measureThroughput(kind: ServerKind, round: number): Promise<ThroughputRow[]> {
  const server = await launchServer({ kind });
  try {
    const rows: ThroughputRow[] = [];
    for (const test of ['sadd', 'spop', 'set']) {
      // A first pass of the same test warms the server up (V8 compiles the command path on first use: the
      // first 200,000 requests of a fresh redis-lite ran at a third of the later rate); only the second counts.
      await runOnce(server.port, server.pid, test);
      const result = await runOnce(server.port, server.pid, test);
      rows.push({
        server: server.label,
        round,
        test,
        rps: result.rps,
        p50Ms: result.p50Ms,
        error: result.error,
      });
    }
    return rows;
  } finally {
    await server.stop();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
};

function markdown(memory: MemoryRow[], throughput: ThroughputRow[]): string {
  const lines = [
    `# Sets against Redis 7: memory per member and SADD/SPOP throughput`,
    '',
    `${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} cores, load average ` +
      `${os.loadavg()[0].toFixed(1)} at the end (other work on the machine moves every rate below). ` +
      `Command: \`npm run build && node dist/bench/set-targets.js` +
      ` --members ${MEMBERS} --requests ${REQUESTS} --rounds ${ROUNDS}\``,
    '',
    `## Memory: one set of ${MEMBERS.toLocaleString('en')} members, filled by pipelined SADDs of ${BATCH}`,
    '',
    '| server | members | encoding | used_memory B/member | RSS B/member | fill s |',
    '|---|---|---|---:|---:|---:|',
    ...memory.map(
      (r) =>
        `| ${r.server} | ${r.kind === 'integer' ? 'integers 0..n-1' : '16-byte strings'} | ${r.encoding} | ` +
        `${r.usedPerElement.toFixed(1)} | ${r.rssPerElement.toFixed(1)} | ${r.fillSeconds.toFixed(2)} |`,
    ),
    '',
    `## redis-benchmark -c 50 -P 16 -t sadd,spop -n ${REQUESTS} (requests per second; each round a fresh server, each test run twice and the second counted, SET as a reference; redis-benchmark pinned to the last core)`,
    '',
    '| server | test | rounds (rps) | median rps | median p50 ms |',
    '|---|---|---|---:|---:|',
  ];
  const groups = new Map<string, ThroughputRow[]>();
  for (const row of throughput) {
    const key = `${row.server}|${row.test}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const [key, rows] of groups) {
    const [server, test] = key.split('|');
    const rps = rows.flatMap((r) => (r.rps === null ? [] : [r.rps]));
    const p50 = rows.flatMap((r) => (r.p50Ms === null ? [] : [r.p50Ms]));
    const errors = rows.filter((r) => r.error !== null).map((r) => r.error);
    lines.push(
      `| ${server} | ${test.toUpperCase()} | ${rps.map((v) => Math.round(v)).join(', ')}${errors.length > 0 ? ` (errors: ${errors.join('; ')})` : ''} | ` +
        `${rps.length > 0 ? Math.round(median(rps)) : '-'} | ${p50.length > 0 ? median(p50) : '-'} |`,
    );
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const kinds: ServerKind[] = ['redis', 'eventloop'];
  const memory: MemoryRow[] = [];
  for (const memberKind of ['string16', 'integer'] as const) {
    for (const kind of kinds) memory.push(await measureMemory(kind, memberKind));
  }
  const throughput: ThroughputRow[] = [];
  if (redisBenchmarkAvailable()) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of kinds) throughput.push(...(await measureThroughput(kind, round)));
    }
  }
  const text = markdown(memory, throughput);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'sets.md'), text);
  process.stdout.write(text);
}

main().catch((error: unknown) => {
  console.error(error);
  killAll();
  process.exitCode = 1;
});
