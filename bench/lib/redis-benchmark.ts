// Runs redis-benchmark (the neutral client, from Redis 7) against any server, one test at a time, with a
// hard timeout, and parses its --csv output. Also samples the server's and redis-benchmark's CPU time so
// CPU per request can be compared between servers.

import { execFileSync, spawn } from 'node:child_process';
import { track } from './children.js';
import { cpuMs, reapedChildrenCpuMs } from './proc.js';

export interface RedisBenchmarkOptions {
  host: string;
  port: number;
  /** A redis-benchmark -t test that prints one CSV row named after it: get, set, sadd, spop, ... (the label with `command`). */
  test: string;
  /**
   * An arbitrary command to run in place of a -t test (`redis-benchmark ... XADD s '*' f v`), `__rand_int__`
   * replaced by a random number below `keyspace`; its one CSV row is named after the command's text.
   */
  command?: readonly string[];
  requests: number;
  clients: number;
  pipeline: number;
  /** -r: random keys (and SADD members) out of this many; absent, __rand_int__ stays one fixed value. */
  keyspace?: number;
  /** -d: the value size of SET/GET in bytes (redis-benchmark's default is 3). */
  dataSize?: number;
  timeoutMs: number;
  serverPid?: number;
  /** Pin redis-benchmark to these CPUs (`taskset -c`, e.g. "1"), so the server keeps the other core(s). */
  cpus?: string;
}

export interface RedisBenchmarkResult {
  test: string;
  clients: number;
  pipeline: number;
  requests: number;
  rps: number | null;
  avgMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Server CPU (user + system, all threads) per request, µs; /proc ticks are 10 ms, so short runs are coarse. */
  serverCpuUsPerRequest: number | null;
  /**
   * redis-benchmark's own CPU over its run, % of one core: exact (the children's CPU time the kernel adds up
   * when it is reaped), else sampled every 50 ms, which misses the last 50 ms.
   */
  clientCpuPercent: number | null;
  wallMs: number;
  error: string | null;
}

/** The measured fields of a row that has no measurement (failed, timed out or skipped). */
export const NO_MEASUREMENT = {
  rps: null,
  avgMs: null,
  p50Ms: null,
  p95Ms: null,
  p99Ms: null,
  maxMs: null,
  serverCpuUsPerRequest: null,
  clientCpuPercent: null,
} as const;

export function redisBenchmarkAvailable(): boolean {
  try {
    execFileSync('redis-benchmark', ['--version'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

export async function runRedisBenchmark(options: RedisBenchmarkOptions): Promise<RedisBenchmarkResult> {
  const args = [
    '-h',
    options.host,
    '-p',
    String(options.port),
    ...(options.command === undefined ? ['-t', options.test] : []),
    '-n',
    String(options.requests),
    '-c',
    String(options.clients),
    '-P',
    String(options.pipeline),
    ...(options.keyspace !== undefined ? ['-r', String(options.keyspace)] : []),
    ...(options.dataSize !== undefined ? ['-d', String(options.dataSize)] : []),
    '--csv',
    ...(options.command ?? []),
  ];
  const serverStart = options.serverPid !== undefined ? cpuMs(options.serverPid) : undefined;
  const reapedStart = reapedChildrenCpuMs();
  const started = performance.now();
  // taskset execs redis-benchmark in its own process: the PID tracked and killed stays redis-benchmark's.
  const [file, fileArgs] =
    options.cpus !== undefined
      ? ['taskset', ['-c', options.cpus, 'redis-benchmark', ...args]]
      : ['redis-benchmark', args];
  const child = track(spawn(file, fileArgs, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  let clientCpu: number | undefined;
  const sampler = setInterval(() => {
    if (child.pid !== undefined) clientCpu = cpuMs(child.pid) ?? clientCpu;
  }, 50);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (exitCode) => resolve(exitCode));
    child.once('error', () => resolve(-1));
  });
  clearTimeout(timer);
  clearInterval(sampler);
  // 'exit' comes after libuv reaped the child, so its CPU time is in ours now.
  const reapedEnd = reapedChildrenCpuMs();
  if (reapedStart !== undefined && reapedEnd !== undefined && reapedEnd > reapedStart)
    clientCpu = reapedEnd - reapedStart;
  const wallMs = performance.now() - started;
  const serverEnd = options.serverPid !== undefined ? cpuMs(options.serverPid) : undefined;
  const base = {
    test: options.test.toUpperCase(),
    clients: options.clients,
    pipeline: options.pipeline,
    requests: options.requests,
  };
  if (timedOut || code !== 0) {
    const error = timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : `exit code ${code}: ${stderr.trim() || stdout.trim()}`;
    return { ...base, ...NO_MEASUREMENT, wallMs: Math.round(wallMs), error };
  }
  const row = stdout
    .split('\n')
    .map((line) =>
      line
        .trim()
        .split(',')
        .map((cell) => cell.replace(/^"|"$/g, '')),
    )
    // LRANGE_100's row is named "LRANGE_100 (first 100 elements)".
    .find((cells) =>
      options.command !== undefined
        ? cells[0] !== 'test' && cells.length > 1
        : cells[0] === base.test || cells[0].startsWith(`${base.test} (`),
    );
  if (!row)
    return {
      ...base,
      ...NO_MEASUREMENT,
      wallMs: Math.round(wallMs),
      error: `no CSV row in: ${stdout.slice(0, 300)}`,
    };
  const num = (i: number): number | null => (row[i] === undefined ? null : Number(row[i]));
  const serverCpu =
    serverStart !== undefined && serverEnd !== undefined ? serverEnd - serverStart : undefined;
  return {
    ...base,
    rps: num(1),
    avgMs: num(2),
    p50Ms: num(4),
    p95Ms: num(5),
    p99Ms: num(6),
    maxMs: num(7),
    serverCpuUsPerRequest:
      serverCpu !== undefined ? Number(((serverCpu * 1000) / options.requests).toPrecision(3)) : null,
    clientCpuPercent: clientCpu !== undefined ? Math.round((clientCpu / wallMs) * 100) : null,
    wallMs: Math.round(wallMs),
    error: null,
  };
}
