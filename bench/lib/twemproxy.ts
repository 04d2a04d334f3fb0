// Starts twemproxy (Debian's `nutcracker`) in front of given Redis-protocol servers, on a free loopback port with
// its configuration, log and stats port of its own in a temporary folder, waits until it accepts, and stops it by
// PID. Used by bench/twemproxy.ts and test/integration/twemproxy.test.ts. Knows nutcracker's flags and YAML.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { track } from './children.js';
import { freePort, HOST } from './server-process.js';

export interface TwemproxyOptions {
  /** The backends' ports on 127.0.0.1, named s1, s2, ... in this order. */
  readonly backends: readonly number[];
  /** Sent to every backend as SELECT when the proxy connects; absent: none. */
  readonly db?: number;
  /** twemproxy's key hash; murmur spreads keys evenly (fnv1a_64 did not: see the README). */
  readonly hash?: string;
  /** ms before a request to a backend that does not answer fails (twemproxy's `timeout`). */
  readonly timeoutMs?: number;
}

export interface Twemproxy {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export function nutcrackerAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v nutcracker'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startTwemproxy(options: TwemproxyOptions): Promise<Twemproxy> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twemproxy-'));
  const port = await freePort();
  const statsPort = await freePort();
  const config = [
    'alpha:',
    `  listen: ${HOST}:${port}`,
    `  hash: ${options.hash ?? 'murmur'}`,
    '  distribution: ketama',
    '  redis: true',
    ...(options.db === undefined ? [] : [`  redis_db: ${options.db}`]),
    `  timeout: ${options.timeoutMs ?? 2000}`,
    '  auto_eject_hosts: false',
    '  servers:',
    // Named servers: ketama places keys by the names, so the shares do not depend on the ports.
    ...options.backends.map((backend, i) => `   - ${HOST}:${backend}:1 s${i + 1}`),
    '',
  ].join('\n');
  const file = path.join(dir, 'nutcracker.yml');
  writeFileSync(file, config);
  const args = [
    '-c',
    file,
    '-s',
    String(statsPort),
    '-a',
    HOST,
    '-o',
    path.join(dir, 'log'),
    '-p',
    path.join(dir, 'pid'),
  ];
  const child = track(spawn('nutcracker', args, { stdio: 'ignore' }));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // It starts in milliseconds, but the machine may be busy: wait until it accepts, or says why not.
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await accepts(port)) return { port, pid: child.pid ?? -1, stop };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await stop();
  throw new Error(`nutcracker did not accept on ${HOST}:${port} (exit code ${child.exitCode})`);
}
