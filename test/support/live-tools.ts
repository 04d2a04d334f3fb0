// Test fixture for conformance tests: runs external tools (redis-cli, redis-benchmark) to completion with
// given stdin, and starts a real redis-server on a free loopback port for differential tests, waiting for
// its "Ready to accept connections" line (an event, not a sleep) and stopping it by PID.
// Knows nothing of redis-lite: it only runs programs.

import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

/** Whether a program is on PATH. */
export function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

export interface ToolResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a program with `input` on stdin; resolves when it exits (killed after `timeoutMs`). */
export function runTool(
  program: string,
  args: readonly string[],
  input: string | Uint8Array = '',
  timeoutMs = 20_000,
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.on('error', () => undefined); // the tool may exit before reading all of stdin
    child.stdin.end(input);
  });
}

/** A port free on 127.0.0.1 right now (bound to port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface RedisServerProcess {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` without persistence on a free loopback port; resolves once it accepts connections.
 * `extraArgs` come last (e.g. --dir and --dbfilename to load or write a dump).
 */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServerProcess> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ...['--daemonize', 'no', ...extraArgs],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      log += s;
      if (log.includes('Ready to accept connections')) resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (log += s));
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`)),
    );
  });
  const pid = child.pid ?? -1;
  return {
    port,
    pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
      await exited;
    },
  };
}
