// RDB persistence, redis-lite against Redis 7 under the same settings: fills N keys of V-byte values over a
// pipeline, times SAVE, reads the BGSAVE pause (INFO latest_fork_usec: Redis's fork, our snapshot copy under
// every segment's lock), then restarts each server on its dump and reads the load time it logs ("DB loaded from
// disk: X seconds") and the time until it answers PING. A tool, not a test; every server it starts is stopped
// by PID, temp dirs removed.
// Usage (after `npm run build`): node dist/bench/persistence.js [--keys 1000000] [--value-bytes 32]
//   [--servers eventloop,redis] [--save | --out DIR]
// Writes persistence-<keys>x<bytes>.{json,md}.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BenchClient, parseInfo, replyText } from './lib/client.js';
import { resultsDir } from './lib/paths.js';
import { HOST, launchServer, type ServerKind } from './lib/server-process.js';

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const keys = Number(argValue('--keys', '1000000'));
const valueBytes = Number(argValue('--value-bytes', '32'));
const kinds = argValue('--servers', 'eventloop,redis').split(',') as ServerKind[];
const BATCH = 1000;
const IN_FLIGHT = 16;

interface Row {
  readonly server: string;
  readonly keys: number;
  readonly valueBytes: number;
  readonly usedMemoryMb: number;
  readonly saveSeconds: number;
  readonly fileMb: number;
  readonly bgsavePauseUs: number;
  readonly loadSecondsLogged: number | null;
  readonly readyAfterRestartSeconds: number;
}

async function fill(client: BenchClient): Promise<void> {
  const value = 'v'.repeat(valueBytes);
  const pending: Promise<unknown>[] = [];
  for (let from = 0; from < keys; from += BATCH) {
    const argv = ['MSET'];
    for (let i = from; i < Math.min(keys, from + BATCH); i++)
      argv.push(`key:${i}`, `${i}:${value}`.slice(0, valueBytes));
    pending.push(client.call(argv, 60_000));
    if (pending.length >= IN_FLIGHT) await pending.shift();
  }
  await Promise.all(pending);
}

async function info(client: BenchClient, section: string): Promise<Map<string, string>> {
  return parseInfo(replyText(await client.call(['INFO', section], 60_000)));
}

function loggedLoadSeconds(log: string): number | null {
  const match = /DB loaded from disk: ([0-9.]+) seconds/.exec(log);
  return match === null ? null : Number(match[1]);
}

async function measure(kind: ServerKind): Promise<Row> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-rdb-'));
  const extraArgs = ['--dir', dir, '--dbfilename', 'dump.rdb'];
  try {
    const server = await launchServer({ kind, extraArgs });
    let row: Omit<Row, 'loadSecondsLogged' | 'readyAfterRestartSeconds'>;
    try {
      const client = await BenchClient.connect({ host: HOST, port: server.port, timeoutMs: 5000 });
      await fill(client);
      const used = Number((await info(client, 'memory')).get('used_memory'));
      const t0 = performance.now();
      await client.call(['SAVE'], 600_000);
      const saveSeconds = (performance.now() - t0) / 1000;
      const { statSync } = await import('node:fs');
      const fileMb = statSync(path.join(dir, 'dump.rdb')).size / 2 ** 20;
      await client.call(['BGSAVE'], 60_000);
      while ((await info(client, 'persistence')).get('rdb_bgsave_in_progress') !== '0') {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const pause = Number((await info(client, 'stats')).get('latest_fork_usec'));
      client.close();
      row = {
        server: server.label,
        keys,
        valueBytes,
        usedMemoryMb: used / 2 ** 20,
        saveSeconds,
        fileMb,
        bgsavePauseUs: pause,
      };
    } finally {
      await server.stop();
    }
    const again = await launchServer({ kind, extraArgs, startTimeoutMs: 600_000 });
    try {
      const client = await BenchClient.connect({ host: HOST, port: again.port, timeoutMs: 5000 });
      const size = Number(replyText(await client.call(['DBSIZE'])));
      if (size !== keys) throw new Error(`${again.label} loaded ${size} keys, expected ${keys}`);
      client.close();
      return {
        ...row,
        loadSecondsLogged: loggedLoadSeconds(again.logTail()),
        readyAfterRestartSeconds: again.startMs / 1000,
      };
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const kind of kinds) {
  const row = await measure(kind);
  console.log(JSON.stringify(row));
  rows.push(row);
}
const name = `persistence-${keys}x${valueBytes}`;
mkdirSync(resultsDir, { recursive: true });
writeFileSync(path.join(resultsDir, `${name}.json`), JSON.stringify(rows, null, 2) + '\n');
const md = [
  `| server | keys | value bytes | used_memory MB | SAVE s | file MB | BGSAVE pause (latest_fork_usec) | load s (logged) | ready after restart s |`,
  `|---|---|---|---|---|---|---|---|---|`,
  ...rows.map(
    (r) =>
      `| ${r.server} | ${r.keys} | ${r.valueBytes} | ${r.usedMemoryMb.toFixed(1)} | ${r.saveSeconds.toFixed(2)} | ${r.fileMb.toFixed(1)} | ${r.bgsavePauseUs} us | ${r.loadSecondsLogged ?? '-'} | ${r.readyAfterRestartSeconds.toFixed(2)} |`,
  ),
].join('\n');
writeFileSync(path.join(resultsDir, `${name}.md`), md + '\n');
console.log(md);
