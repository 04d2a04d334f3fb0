// Starts a server under test as its own process on a free loopback port — redis-lite through its CLI
// (any transport) or redis-server as the reference — waits until it answers PING, and stops it by PID.
// Knows the CLI's flags, nothing of the server's code.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { BenchClient, replyText } from './client.js';
import { track, waitExit } from './children.js';
import { requireBuiltCli } from './paths.js';
import { cpuMs, fdCount, rssKb } from './proc.js';

export type ServerKind = 'eventloop' | 'pool' | 'hybrid' | 'redis';

export const SERVER_KINDS: readonly ServerKind[] = ['eventloop', 'pool', 'hybrid', 'redis'];

export interface LaunchOptions {
  kind: ServerKind;
  /** Pool worker threads, or the hybrid's loop threads (default: 100 for the pool, 2 for the hybrid). */
  workers?: number;
  maxclients?: number;
  backlog?: number;
  startTimeoutMs?: number;
  extraArgs?: string[];
  /**
   * Node's own flags for redis-lite (e.g. --perf-basic-prof, --max-semi-space-size=1), for cost analysis. Given
   * through NODE_OPTIONS, not argv: the hybrid passes its execArgv to its loop threads, which refuse V8 flags.
   */
  nodeOptions?: string[];
  /** Further environment variables for the server process (e.g. MALLOC_ARENA_MAX=2, to compare allocators). */
  env?: Record<string, string>;
}

export interface ServerProcess {
  readonly kind: ServerKind;
  /** e.g. "pool (100 workers)", "hybrid (2 loops)", "eventloop", "redis 7". */
  readonly label: string;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  readonly startMs: number;
  rssKb(): number | undefined;
  fdCount(): number | undefined;
  cpuMs(): number | undefined;
  /** The last lines the server wrote (stdout + stderr), for error messages. */
  logTail(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

export const HOST = '127.0.0.1';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The workers a launch asks for when none are given: the pool's CLI default, and 2 loops for the hybrid. */
export function defaultWorkers(kind: ServerKind): number | undefined {
  return kind === 'pool' ? 100 : kind === 'hybrid' ? 2 : undefined;
}

export function serverLabel(kind: ServerKind, workers?: number): string {
  if (kind === 'pool') return `pool (${workers ?? 100} workers)`;
  if (kind === 'hybrid') {
    const loops = workers ?? 2;
    return `hybrid (${loops} loop${loops === 1 ? '' : 's'})`;
  }
  return kind === 'redis' ? 'redis 7' : 'eventloop';
}

function commandLine(options: LaunchOptions, port: number): { file: string; args: string[] } {
  const common = options.extraArgs ?? [];
  if (options.kind === 'redis') {
    // protected-mode off: idle clients also connect from 127.0.0.2 and up; the bind keeps it loopback-only.
    const args = [
      '--port',
      String(port),
      '--bind',
      HOST,
      '--protected-mode',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ];
    if (options.maxclients !== undefined) args.push('--maxclients', String(options.maxclients));
    if (options.backlog !== undefined) args.push('--tcp-backlog', String(options.backlog));
    return { file: 'redis-server', args: [...args, ...common] };
  }
  const args = [requireBuiltCli(), '--transport', options.kind, '--host', HOST, '--port', String(port)];
  // The hybrid's own default is the number of cores: always pass the count, so a label never guesses.
  const workers = options.workers ?? defaultWorkers(options.kind);
  if (workers !== undefined) args.push('--workers', String(workers));
  if (options.maxclients !== undefined) args.push('--maxclients', String(options.maxclients));
  if (options.backlog !== undefined) args.push('--backlog', String(options.backlog));
  return { file: process.execPath, args: [...args, ...common] };
}

export async function launchServer(options: LaunchOptions): Promise<ServerProcess> {
  let lastError: Error | undefined;
  // A free port can be taken by someone else between our probe and the server's bind: retry a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launchOnce(options, await freePort());
    } catch (error) {
      lastError = error as Error;
      if (!/in use|EADDRINUSE/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error('could not start the server');
}

async function launchOnce(options: LaunchOptions, port: number): Promise<ServerProcess> {
  const { file, args } = commandLine(options, port);
  const started = performance.now();
  // Raise the soft descriptor limit to the hard one where the shell may, then exec the server (same PID).
  const child = track(
    spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...options.env,
        ...(options.nodeOptions?.length
          ? { NODE_OPTIONS: [process.env.NODE_OPTIONS ?? '', ...options.nodeOptions].join(' ').trim() }
          : {}),
      },
    }),
  );
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-16_384);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);
  const pid = child.pid;
  if (pid === undefined) await spawnError;
  const label = serverLabel(options.kind, options.workers);
  // Generous: a pool starts one thread per worker, and on a loaded shared machine 100 took 30 s once.
  const startTimeoutMs =
    options.startTimeoutMs ?? 60_000 + 500 * (options.workers ?? defaultWorkers(options.kind) ?? 0);
  await waitUntilReady(child, port, startTimeoutMs, () => log, label);
  const startMs = performance.now() - started;
  const serverPid = pid as number;
  return {
    kind: options.kind,
    label,
    pid: serverPid,
    host: HOST,
    port,
    startMs,
    rssKb: () => rssKb(serverPid),
    fdCount: () => fdCount(serverPid),
    cpuMs: () => cpuMs(serverPid),
    logTail: () => log,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: () => stopChild(child),
  };
}

async function waitUntilReady(
  child: ChildProcess,
  port: number,
  timeoutMs: number,
  log: () => string,
  label: string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${label} exited (code ${child.exitCode}, signal ${child.signalCode}) before it accepted:\n${log()}`,
      );
    }
    try {
      const client = await BenchClient.connect({ host: HOST, port, timeoutMs: 1000 });
      try {
        if (replyText(await client.call(['PING'], 2000)) === 'PONG') return;
      } finally {
        client.close();
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${label} did not answer PING within ${timeoutMs} ms:\n${log()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await waitExit(child, 10_000);
}

/**
 * After a run, waits until the server has let go of the run's connections (a pool worker stays pinned until
 * then): its descriptor count is back to baselineFds, or has stopped falling for 500 ms (a server may keep a
 * descriptor it opened lazily for its first clients: the hybrid's second loop does), at most maxMs.
 */
export async function waitForRelease(
  server: ServerProcess,
  baselineFds: number,
  maxMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + maxMs;
  let last = server.fdCount() ?? 0;
  let steadySince = performance.now();
  while (performance.now() < deadline && last > baselineFds) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = server.fdCount() ?? 0;
    if (now < last) steadySince = performance.now();
    else if (performance.now() - steadySince >= 500) return;
    last = now;
  }
}
