// Memory per key of the shared store: 1,000,000 keys of 16-byte keys and 16-byte
// values, measured by the store's own accounting and by the process's RSS growth, against a JS Map holding
// the same data and against Redis 7 (INFO used_memory) when redis-server is on PATH. A tool, not a test.
// Each subject is measured in its own child process so one's heap never pollutes another's RSS.
// Usage (after `npx tsc -p .`): node dist/bench/store-memory.js [--keys 1000000] [--no-write]

import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SharedStore } from '../src/core/store/store.js';
import { resultsDir } from './lib/paths.js';

interface Measurement {
  readonly subject: string;
  readonly keys: number;
  /** Bytes per key from the subject's own accounting (store stats / Redis used_memory), when it has one. */
  readonly accountedPerKey: number | null;
  /** Bytes per key of resident memory growth of the process that holds the data. */
  readonly rssPerKey: number;
  readonly seconds: number;
  readonly note: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** key i and value i: exactly 16 bytes each. */
function key(i: number): Buffer {
  return Buffer.from(`key:${String(i).padStart(12, '0')}`, 'latin1');
}
function value(i: number): Buffer {
  return Buffer.from(`val:${String(i).padStart(12, '0')}`, 'latin1');
}

/** Rewrites the last 12 bytes of a key/value buffer with i, zero-padded: the same bytes as key(i)/value(i). */
function writeDigits(buffer: Buffer, i: number): void {
  for (let at = 15; at >= 4; at--) {
    buffer[at] = 0x30 + (i % 10);
    i = Math.floor(i / 10);
  }
}

function settledRss(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().rss;
}

// ---- Child parts: each prints one JSON Measurement ----

function measureStore(keys: number): Measurement {
  const before = settledRss();
  const start = performance.now();
  const store = SharedStore.create({ clock: Date.now });
  // One key and one value buffer rewritten in place: the store copies the bytes, and the loop then leaves no
  // garbage on the JS heap that the RSS figure would otherwise charge to the store.
  const k = key(0);
  const v = value(0);
  for (let i = 0; i < keys; i++) {
    writeDigits(k, i);
    writeDigits(v, i);
    store.set(k, v);
  }
  const seconds = (performance.now() - start) / 1000;
  const after = settledRss();
  const stats = store.stats();
  if (store.dbsize() !== keys || store.get(key(keys - 1))?.equals(value(keys - 1)) !== true) {
    throw new Error('store lost keys');
  }
  return {
    subject: 'SharedStore',
    keys,
    accountedPerKey: stats.usedMemory / keys,
    rssPerKey: (after - before) / keys,
    seconds,
    note: `arena ${(stats.reservedMemory / 2 ** 20).toFixed(1)} MiB reserved`,
  };
}

function measureMap(keys: number): Measurement {
  const before = settledRss();
  const start = performance.now();
  const map = new Map<string, string>();
  for (let i = 0; i < keys; i++) map.set(key(i).toString('latin1'), value(i).toString('latin1'));
  const seconds = (performance.now() - start) / 1000;
  const after = settledRss();
  if (map.size !== keys) throw new Error('map lost keys');
  return {
    subject: 'Map<string, string>',
    keys,
    accountedPerKey: null,
    rssPerKey: (after - before) / keys,
    seconds,
    note: 'one-byte strings as keys and values',
  };
}

// ---- Redis, driven from the parent ----

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function redisCli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    encoding: 'latin1',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

function infoField(info: string, field: string): number {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  if (match === null) throw new Error(`INFO has no ${field}`);
  return Number(match[1]);
}

async function measureRedis(keys: number): Promise<Measurement | null> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return null;
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  try {
    for (let tries = 0; ; tries++) {
      try {
        if (redisCli(port, 'PING').trim() === 'PONG') break;
      } catch {
        if (tries > 100) throw new Error('redis-server did not start');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = redisCli(port, 'INFO', 'memory');
    const chunks: Buffer[] = [];
    for (let i = 0; i < keys; i++) {
      chunks.push(
        Buffer.from(
          `*3\r\n$3\r\nSET\r\n$16\r\n${key(i).toString('latin1')}\r\n$16\r\n${value(i).toString('latin1')}\r\n`,
        ),
      );
    }
    const start = performance.now();
    const pipe = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--pipe'], {
      input: Buffer.concat(chunks),
      encoding: 'latin1',
    });
    const seconds = (performance.now() - start) / 1000;
    if (pipe.status !== 0) throw new Error(`redis-cli --pipe failed: ${pipe.stderr}`);
    const after = redisCli(port, 'INFO', 'memory');
    if (Number(redisCli(port, 'DBSIZE').trim()) !== keys) throw new Error('redis lost keys');
    return {
      subject: `Redis ${execFileSync('redis-server', ['--version'], { encoding: 'latin1' }).split(' ')[2]}`,
      keys,
      accountedPerKey: (infoField(after, 'used_memory') - infoField(before, 'used_memory')) / keys,
      rssPerKey: (infoField(after, 'used_memory_rss') - infoField(before, 'used_memory_rss')) / keys,
      seconds,
      note: 'INFO used_memory / used_memory_rss deltas',
    };
  } finally {
    if (server.pid !== undefined) process.kill(server.pid, 'SIGKILL');
  }
}

function runChild(part: string, keys: number): Measurement {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), '--part', part, '--keys', String(keys)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (child.status !== 0) throw new Error(`${part} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Measurement;
}

async function main(): Promise<void> {
  const keys = Number(argValue('--keys', '1000000'));
  const part = argValue('--part', '');
  if (part !== '') {
    process.stdout.write(JSON.stringify(part === 'store' ? measureStore(keys) : measureMap(keys)));
    return;
  }
  const results: Measurement[] = [runChild('store', keys), runChild('map', keys)];
  const redis = await measureRedis(keys);
  if (redis !== null) results.push(redis);

  const fmt = (n: number | null) => (n === null ? '-' : n.toFixed(1));
  const lines = [
    `# Store memory per key: ${keys.toLocaleString('en')} keys, 16-byte keys, 16-byte values`,
    '',
    `${new Date().toISOString()}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}.`,
    'Command: `npx tsc -p . && node dist/bench/store-memory.js`',
    '',
    '| subject | accounted B/key | RSS B/key | load s | note |',
    '|---|---:|---:|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.subject} | ${fmt(r.accountedPerKey)} | ${fmt(r.rssPerKey)} | ${r.seconds.toFixed(2)} | ${r.note} |`,
    ),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (!process.argv.includes('--no-write')) {
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(path.join(resultsDir, 'store-memory.md'), lines.join('\n'));
    writeFileSync(
      path.join(resultsDir, 'store-memory.json'),
      JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2) + '\n',
    );
  }
}

await main();
