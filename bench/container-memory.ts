// Memory per element of one big container, redis-lite against Redis 7: fills one key with N small elements over
// a pipeline (N = 1,000,000 by default) and reads each server's own accounting (INFO used_memory, and for
// redis-lite used_memory_dataset: the store's bytes) and its RSS (/proc) before and after. A tool, not a test;
// bounded (--max-seconds) and every server it starts is stopped by PID.
// Usage (after `npm run build`): node dist/bench/container-memory.js [--type zset] [--elements 1000000]
//   [--servers eventloop,redis] [--max-seconds 300] [--save | --out DIR]
// Types: zset (16-byte members, scores i). Writes container-memory-<type>.{json,md}.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { measureFill, type ContainerFill, type FillMeasurement } from './lib/container-fill.js';
import { type ServerKind } from './lib/server-process.js';
import { resultsDir } from './lib/paths.js';

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** How to fill a container type: one command adding elements [from, to) to `key`, and its count command. */
type Filler = Pick<ContainerFill, 'command' | 'countCommand'>;

/** Element i's 16 bytes: a prefix and zero-padded digits. */
const element = (prefix: string, i: number): string =>
  `${prefix}${String(i).padStart(16 - prefix.length, '0')}`;

const FILLERS: Readonly<Record<string, Filler>> = {
  zset: {
    command: (key, from, to) => {
      const argv = ['ZADD', key];
      for (let i = from; i < to; i++) argv.push(String(i), element('m:', i));
      return argv;
    },
    countCommand: 'ZCARD',
  },
};

/** A measurement, with the store's dataset bytes only for redis-lite (Redis's is an estimate of its own). */
type Row = Omit<FillMeasurement, 'datasetPerElement'> & { readonly datasetPerElement: number | null };

/** Elements per command while filling. */
const BATCH = 1000;

async function main(): Promise<void> {
  const type = argValue('--type', 'zset');
  if (FILLERS[type] === undefined) throw new Error(`no filler for type ${type}`);
  const elements = Number(argValue('--elements', '1000000'));
  const servers = argValue('--servers', 'eventloop,redis').split(',') as ServerKind[];
  const deadline = Date.now() + Number(argValue('--max-seconds', '300')) * 1000;
  const rows: Row[] = [];
  for (const kind of servers) {
    const measured = await measureFill(
      { kind },
      { key: 'big', elements, batch: BATCH, ...FILLERS[type], deadline },
    );
    const row = { ...measured, datasetPerElement: kind === 'redis' ? null : measured.datasetPerElement };
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
