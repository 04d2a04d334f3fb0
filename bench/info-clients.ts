// Bench tool (not a test): what INFO costs a server holding many connected clients. Starts each server through
// the CLI, opens --clients loopback connections from this process that stay idle (with --speak each sends one
// PING first, so every transport holds a session for it), then times --rounds sequential INFO calls per section
// from one more client: median, p90 and max in ms. INFO reads the clients' buffers (client_recent_max_*,
// mem_clients_normal), which on the hybrid live on its loop threads. Bounded by --max-seconds. Appends its run
// (by --label and transport) to info-clients.{json,md} in the results folder (scratch, or bench/results with --save).
// Usage: node dist/bench/info-clients.js [--transports hybrid,eventloop] [--clients 5000] [--workers 2]
//        [--rounds 30] [--sections default,clients,memory] [--speak] [--label NAME] [--save | --out DIR]

import type net from 'node:net';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { bounded, shellWord, stringList } from './lib/cli-args.js';
import { BenchClient, connectSocket } from './lib/client.js';
import { resultsDir, saveOption } from './lib/paths.js';
import { log } from './lib/progress.js';
import { fmt, machineInfo, machineLine, markdownTable, saveRuns } from './lib/report.js';
import { HOST, launchServer, type ServerKind } from './lib/server-process.js';

interface SectionTiming {
  readonly section: string;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly maxMs: number;
}

interface Run {
  readonly label: string;
  readonly transport: ServerKind;
  readonly workers: number | null;
  readonly clients: number;
  readonly speak: boolean;
  readonly rounds: number;
  readonly command: string;
  readonly generatedAt: string;
  readonly timings: SectionTiming[];
  readonly error: string | null;
}

const argv = yargs(hideBin(process.argv))
  .option('transports', { type: 'string', default: 'hybrid,eventloop' })
  .option('clients', { type: 'number', default: 5000 })
  .option('workers', { type: 'number', default: 2, describe: "the hybrid's loops, the pool's workers" })
  .option('rounds', { type: 'number', default: 30 })
  .option('sections', { type: 'string', default: 'default,clients,memory' })
  .option('speak', { type: 'boolean', default: false, describe: 'each connection sends one PING first' })
  .option('max-seconds', { type: 'number', default: 180 })
  .option('label', { type: 'string', default: 'current' })
  .option('out', { type: 'string', default: resultsDir, describe: 'where info-clients.{json,md} go' })
  .option('save', saveOption)
  .strict()
  .parseSync();

const clients = bounded('clients', argv.clients, 1, 15_000);
const rounds = bounded('rounds', argv.rounds, 1, 1000);
const workers = bounded('workers', argv.workers, 1, 64);
const deadline = Date.now() + bounded('max-seconds', argv['max-seconds'], 5, 1800) * 1000;
const kinds = stringList(argv.transports) as ServerKind[];
const sections = stringList(argv.sections);

function checkTime(): void {
  if (Date.now() > deadline) throw new Error(`--max-seconds ${argv['max-seconds']} ran out`);
}

/** Opens `count` connections, 200 at a time; with `speak`, each answers one PING before it idles. */
async function openIdle(port: number, count: number, speak: boolean): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let start = 0; start < count; start += 200) {
    checkTime();
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, count - start) }, () => connectSocket({ host: HOST, port })),
    );
    if (speak) {
      await Promise.all(
        batch.map(
          (socket) =>
            new Promise<void>((resolve) => {
              socket.once('data', () => resolve());
              socket.write('*1\r\n$4\r\nPING\r\n');
            }),
        ),
      );
    }
    sockets.push(...batch);
  }
  return sockets;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function timeSection(probe: BenchClient, section: string): Promise<SectionTiming> {
  const args = section === 'default' ? ['INFO'] : ['INFO', section];
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    checkTime();
    const start = performance.now();
    await probe.call(args, 10_000);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    section,
    medianMs: quantile(times, 0.5),
    p90Ms: quantile(times, 0.9),
    maxMs: times[times.length - 1],
  };
}

async function runOne(kind: ServerKind): Promise<Run> {
  const base = {
    label: argv.label,
    transport: kind,
    workers: kind === 'eventloop' ? null : workers,
    clients,
    speak: argv.speak,
    rounds,
    // Another build measured through BENCH_CLI (lib/paths.ts) is part of the command.
    command: [
      ...(process.env.BENCH_CLI === undefined ? [] : [`BENCH_CLI=${process.env.BENCH_CLI}`]),
      'node',
      'dist/bench/info-clients.js',
      ...process.argv.slice(2),
    ]
      .map(shellWord)
      .join(' '),
    generatedAt: new Date().toISOString(),
  };
  const server = await launchServer({
    kind,
    ...(kind === 'eventloop' ? {} : { workers }),
    maxclients: clients + 100,
  });
  let sockets: net.Socket[] = [];
  try {
    sockets = await openIdle(server.port, clients, argv.speak);
    const probe = await BenchClient.connect({ host: HOST, port: server.port });
    try {
      await timeSection(probe, sections[0]); // warm-up: the first INFO compiles its code
      const timings: SectionTiming[] = [];
      for (const section of sections) timings.push(await timeSection(probe, section));
      log(`${server.label}: ${timings.map((t) => `INFO ${t.section} ${fmt(t.medianMs)} ms`).join(', ')}`);
      return { ...base, timings, error: null };
    } finally {
      probe.close();
    }
  } catch (error) {
    return { ...base, timings: [], error: (error as Error).message };
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  }
}

function report(runs: Run[]): string {
  const rows = runs.flatMap((run) =>
    run.error !== null
      ? [[run.label, run.transport, run.workers, run.clients, run.speak, '—', run.error, '—', '—']]
      : run.timings.map((t) => [
          run.label,
          run.transport,
          run.workers,
          run.clients,
          run.speak,
          t.section,
          fmt(t.medianMs),
          fmt(t.p90Ms),
          fmt(t.maxMs),
        ]),
  );
  return (
    `# INFO with many connected clients\n\n${machineLine(machineInfo())}\n\n` +
    markdownTable(
      ['label', 'transport', 'workers', 'clients', 'spoke', 'INFO section', 'median ms', 'p90 ms', 'max ms'],
      rows,
    ) +
    `\nCommands:\n\n${[...new Set(runs.map((r) => `- \`${r.command}\` (${r.label})`))].join('\n')}\n`
  );
}

const runs: Run[] = [];
for (const kind of kinds) runs.push(await runOne(kind));
log(`wrote ${saveRuns(argv.out, 'info-clients', runs, report)}`);
