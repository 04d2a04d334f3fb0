// SET throughput with the append-only file on, against Redis 7 with the same settings (issue 17's target: with
// appendfsync everysec at least 0.8x Redis's), and the same servers without the file for reference: alternating
// rounds on fresh servers writing to a fresh temporary directory each, `redis-benchmark -t set -c 50 -P 16 -r
// 100000`. A tool, not a test: bounded in requests and time, every child killed by PID, its directories removed.
// Usage (after `npm run build`): node dist/bench/aof.js [--requests 200000] [--rounds 3] [--save]

import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { killAll } from './lib/children.js';
import { resultsDir } from './lib/paths.js';
import { runRedisBenchmark } from './lib/redis-benchmark.js';
import { HOST, launchServer, type ServerKind } from './lib/server-process.js';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const REQUESTS = argValue('--requests', 200_000);
const ROUNDS = argValue('--rounds', 3);
const SERVERS: readonly ServerKind[] = ['eventloop', 'hybrid', 'redis'];
const MODES = ['off', 'everysec', 'always'] as const;

interface Row {
  server: string;
  mode: (typeof MODES)[number];
  round: number;
  rps: number | null;
  cpuUsPerRequest: number | null;
  fileMb: number;
  error: string | null;
}

async function run(kind: ServerKind, mode: Row['mode'], round: number): Promise<Row> {
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-bench-'));
  const extraArgs = mode === 'off' ? [] : ['--appendonly', 'yes', '--appendfsync', mode, '--dir', dir];
  const server = await launchServer({ kind, extraArgs });
  try {
    const result = await runRedisBenchmark({
      host: HOST,
      port: server.port,
      test: 'set',
      requests: mode === 'always' ? Math.floor(REQUESTS / 4) : REQUESTS,
      clients: 50,
      pipeline: 16,
      keyspace: 100_000,
      timeoutMs: 180_000,
      serverPid: server.pid,
    });
    // Both write Redis 7's multi-part file (appendonlydir/ in dir): every byte under dir.
    const fileMb = bytesUnder(dir) / 1024 / 1024;
    return {
      server: server.label,
      mode,
      round,
      rps: result.rps,
      cpuUsPerRequest: result.serverCpuUsPerRequest,
      fileMb,
      error: result.error,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? bytesUnder(full) : statSync(full).size;
  }
  return total;
}

const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

function markdown(rows: Row[]): string {
  const lines = [
    '# SET with the append-only file against Redis 7',
    '',
    `${new Date().toISOString()}, Node ${process.version}. Command: \`npm run build && node dist/bench/aof.js` +
      ` --requests ${REQUESTS} --rounds ${ROUNDS}\` (always: a quarter of the requests).`,
    '',
    '| server | appendfsync | round | req/s | server CPU µs/req | file MB | error |',
    '|---|---|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.server} | ${r.mode} | ${r.round} | ${r.rps ?? '-'} | ${r.cpuUsPerRequest?.toFixed(2) ?? '-'} | ` +
        `${r.fileMb.toFixed(1)} | ${r.error ?? ''} |`,
    ),
    '',
    '## Medians and ratio to Redis',
    '',
    '| server | appendfsync | median req/s | x Redis |',
    '|---|---|---:|---:|',
  ];
  for (const mode of MODES) {
    const of = (label: string) =>
      rows.filter((r) => r.server === label && r.mode === mode && r.rps !== null).map((r) => r.rps as number);
    const redis = of('redis 7');
    for (const label of [...new Set(rows.map((r) => r.server))]) {
      const ours = of(label);
      if (ours.length === 0) continue;
      const ratio = redis.length > 0 ? (median(ours) / median(redis)).toFixed(2) : '-';
      lines.push(`| ${label} | ${mode} | ${median(ours).toFixed(0)} | ${ratio} |`);
    }
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? SERVERS : [...SERVERS].reverse();
    for (const mode of MODES) {
      for (const kind of order) {
        rows.push(await run(kind, mode, round));
        console.log(JSON.stringify(rows[rows.length - 1]));
      }
    }
  }
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, 'aof.md');
  writeFileSync(file, markdown(rows));
  console.log(`wrote ${file}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => killAll());
