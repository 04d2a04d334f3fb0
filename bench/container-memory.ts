// Memory per element of one big container, redis-lite against Redis 7: fills one key with N small elements over
// a pipeline (N = 1,000,000 by default) and reads each server's own accounting (INFO used_memory, and for
// redis-lite used_memory_dataset: the store's bytes) and its RSS (/proc) before and after. A tool, not a test;
// bounded (--max-seconds) and every server it starts is stopped by PID.
// Usage (after `npm run build`): node dist/bench/container-memory.js [--type zset] [--elements 1000000]
//   [--servers eventloop,redis] [--max-seconds 300] [--save | --out DIR]
// Types: zset (16-byte members, scores i). Writes container-memory-<type>.{json,md}.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BenchClient, parseInfo, replyText } from './lib/client.js';
import { HOST, launchServer, type ServerKind } from './lib/server-process.js';
import { resultsDir } from './lib/paths.js';

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** One command adding elements [from, to) of a container type to `key`. */
type Filler = (key: string, from: number, to: number) => string[];

/** Element i's 16 bytes: a prefix and zero-padded digits. */
const element = (prefix: string, i: number): string =>
  `${prefix}${String(i).padStart(16 - prefix.length, '0')}`;

const FILLERS: Readonly<Record<string, Filler>> = {
  zset: (key, from, to) => {
    const argv = ['ZADD', key];
    for (let i = from; i < to; i++) argv.push(String(i), element('m:', i));
    return argv;
  },
};

interface Row {
  readonly server: string;
  readonly elements: number;
  readonly encoding: string;
  readonly usedPerElement: number;
  readonly datasetPerElement: number | null;
  readonly rssPerElement: number;
  readonly fillSeconds: number;
}

const BATCH = 1000;
const IN_FLIGHT = 16;

async function measure(kind: ServerKind, type: string, elements: number, deadline: number): Promise<Row> {
  const server = await launchServer({ kind });
  try {
    const client = await BenchClient.connect({ host: HOST, port: server.port, timeoutMs: 5000 });
    const info = async (): Promise<Map<string, string>> =>
      parseInfo(replyText(await client.call(['INFO', 'memory'])));
    const before = await info();
    const rssBefore = (server.rssKb() ?? 0) * 1024;
    const started = Date.now();
    const fill = FILLERS[type];
    const pending: Promise<unknown>[] = [];
    for (let from = 0; from < elements; from += BATCH) {
      if (Date.now() > deadline) throw new Error(`out of time filling ${server.label}`);
      pending.push(client.call(fill('big', from, Math.min(elements, from + BATCH)), 60_000));
      if (pending.length >= IN_FLIGHT) await pending.shift();
    }
    await Promise.all(pending);
    const fillSeconds = (Date.now() - started) / 1000;
    const after = await info();
    const rssAfter = (server.rssKb() ?? 0) * 1024;
    const encoding = replyText(await client.call(['OBJECT', 'ENCODING', 'big']));
    const number = (m: Map<string, string>, k: string): number | null => (m.has(k) ? Number(m.get(k)) : null);
    const used = (number(after, 'used_memory') ?? 0) - (number(before, 'used_memory') ?? 0);
    const datasetBefore = number(before, 'used_memory_dataset');
    const datasetAfter = number(after, 'used_memory_dataset');
    client.close();
    return {
      server: server.label,
      elements,
      encoding,
      usedPerElement: used / elements,
      datasetPerElement:
        kind === 'redis' || datasetBefore === null || datasetAfter === null
          ? null
          : (datasetAfter - datasetBefore) / elements,
      rssPerElement: (rssAfter - rssBefore) / elements,
      fillSeconds,
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const type = argValue('--type', 'zset');
  if (FILLERS[type] === undefined) throw new Error(`no filler for type ${type}`);
  const elements = Number(argValue('--elements', '1000000'));
  const servers = argValue('--servers', 'eventloop,redis').split(',') as ServerKind[];
  const deadline = Date.now() + Number(argValue('--max-seconds', '300')) * 1000;
  const rows: Row[] = [];
  for (const kind of servers) {
    const row = await measure(kind, type, elements, deadline);
    console.log(JSON.stringify(row));
    rows.push(row);
  }
  const command = `node dist/bench/container-memory.js --type ${type} --elements ${elements} --servers ${servers.join(',')}`;
  const fmt = (n: number | null): string => (n === null ? '-' : n.toFixed(1));
  const md = [
    `# Memory per element: one ${type} of ${elements.toLocaleString('en')} elements`,
    '',
    `\`${command}\``,
    '',
    '| server | encoding | used_memory growth / element (B) | store dataset / element (B) | RSS growth / element (B) | fill (s) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.server} | ${r.encoding} | ${fmt(r.usedPerElement)} | ${fmt(r.datasetPerElement)} | ${fmt(r.rssPerElement)} | ${r.fillSeconds.toFixed(1)} |`,
    ),
    '',
  ].join('\n');
  const outDir = argValue('--out', resultsDir);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, `container-memory-${type}.json`),
    JSON.stringify({ command, rows }, null, 2),
  );
  writeFileSync(path.join(outDir, `container-memory-${type}.md`), md);
  console.log(md);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
