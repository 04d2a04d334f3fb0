// Bench tool (not a test): what a storm of malformed and outsized requests leaves in a server's memory. Each
// transport runs as its own process (the CLI); bad clients (bench/lib/bad-input.ts: 1 MiB of an announced
// 300 MiB bulk, 10,001-argument requests, 100 KB inline lines) connect N at a time, send, and leave. RSS is read
// from outside (/proc/PID/status) before, at its peak, right after the bad clients left, and after a settle
// time. Appends its run (by --label) to pool-bad-input.{json,md} in the results folder (the scratch one, or the
// committed one with --save: lib/paths.ts), where earlier labels stay, so a before/after comparison sits in one
// table.
// Usage: node dist/bench/pool-bad-input.js [--transports pool,eventloop] [--workers 16] [--concurrency 16]
//        [--clients 2500] [--settle-ms 5000] [--label NAME] [--env MALLOC_ARENA_MAX=2] [--server-arg --x --y]

import { readdirSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { BAD_INPUT_KINDS, badInputStorm, type BadInputKind } from './lib/bad-input.js';
import { BenchClient, replyText } from './lib/client.js';
import { bounded, shellWord, stringList } from './lib/cli-args.js';
import { resultsDir, saveOption } from './lib/paths.js';
import { log } from './lib/progress.js';
import { fmt, machineInfo, machineLine, markdownTable, saveRuns } from './lib/report.js';
import { HOST, launchServer, type ServerKind } from './lib/server-process.js';

interface KindResult {
  readonly kind: BadInputKind;
  readonly clients: number;
  readonly ms: number;
  readonly timedOut: number;
  readonly failed: number;
  /** RSS right after this kind's clients all left (MB). */
  readonly rssAfterMb: number;
}

interface Run {
  readonly label: string;
  readonly transport: ServerKind;
  readonly workers: number | null;
  readonly command: string;
  readonly generatedAt: string;
  readonly baselineMb: number;
  readonly peakMb: number;
  readonly afterMb: number;
  /** RSS after the settle time, and the settle time. */
  readonly settledMb: number;
  readonly settleMs: number;
  readonly threads: number | null;
  readonly kinds: KindResult[];
  readonly pingAfter: boolean;
}

const mb = (kb: number | undefined): number => Math.round((kb ?? 0) / 102.4) / 10;

function threadCount(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return null;
  }
}

async function answersPing(port: number): Promise<boolean> {
  try {
    const client = await BenchClient.connect({ host: HOST, port, timeoutMs: 2000 });
    try {
      return replyText(await client.call(['PING'], 5000)) === 'PONG';
    } finally {
      client.close();
    }
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(
  transport: ServerKind,
  options: {
    workers: number;
    concurrency: number;
    clients: number;
    kinds: BadInputKind[];
    settleMs: number;
    env: Record<string, string>;
    serverArgs: string[];
    label: string;
    command: string;
  },
): Promise<Run> {
  const server = await launchServer({
    kind: transport,
    ...(transport === 'eventloop' ? {} : { workers: options.workers }),
    env: options.env,
    extraArgs: ['--log-level', 'warn', ...options.serverArgs],
  });
  try {
    await sleep(1000);
    const baseline = server.rssKb() ?? 0;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, server.rssKb() ?? 0)), 100);
    const kinds: KindResult[] = [];
    try {
      for (const kind of options.kinds) {
        const result = await badInputStorm({
          host: HOST,
          port: server.port,
          kind,
          clients: options.clients,
          concurrency: options.concurrency,
        });
        kinds.push({
          kind,
          clients: result.sent,
          ms: result.ms,
          timedOut: result.timedOut,
          failed: result.failed,
          rssAfterMb: mb(server.rssKb()),
        });
        log(
          `  ${transport} ${kind}: ${result.sent} clients in ${result.ms} ms, RSS ${mb(server.rssKb())} MB`,
        );
      }
    } finally {
      clearInterval(sampler);
    }
    const after = server.rssKb() ?? 0;
    await sleep(options.settleMs);
    const settled = server.rssKb() ?? 0;
    const pingAfter = await answersPing(server.port);
    return {
      label: options.label,
      transport,
      workers: transport === 'eventloop' ? null : options.workers,
      command: options.command,
      generatedAt: new Date().toISOString(),
      baselineMb: mb(baseline),
      peakMb: mb(Math.max(peak, after, ...kinds.map((k) => k.rssAfterMb * 1024))),
      afterMb: mb(after),
      settledMb: mb(settled),
      settleMs: options.settleMs,
      threads: threadCount(server.pid),
      kinds,
      pingAfter,
    };
  } finally {
    await server.stop();
  }
}

function report(runs: Run[]): string {
  const rows = runs.map((r) => [
    r.label,
    r.transport + (r.workers === null ? '' : ` (${r.workers} workers)`),
    fmt(r.baselineMb),
    fmt(r.peakMb),
    fmt(r.afterMb),
    `${fmt(r.settledMb)} (+${fmt(r.settleMs / 1000)} s)`,
    fmt(r.afterMb - r.baselineMb),
    fmt(r.settledMb - r.baselineMb),
    r.kinds.map((k) => `${k.kind} ${k.clients}: ${fmt(k.rssAfterMb)}`).join('; '),
    r.pingAfter ? 'yes' : 'NO',
  ]);
  const commands = [...new Set(runs.map((r) => `- ${r.label}: \`${r.command}\``))];
  return [
    '# Memory under bad input: the pool against the event loop',
    '',
    `Machine: ${machineLine(machineInfo())}.`,
    '',
    'Bad clients (bench/lib/bad-input.ts) connect N at a time; each sends one of: 1 MiB of an announced 300 MiB',
    'bulk then closes (huge-bulk), a whole 10,001-argument request (many-args), a 100 KB inline line (long-inline).',
    "RSS is the server process's VmRSS read from /proc/PID/status from outside: before, the peak sampled every",
    '100 ms, right after the last bad client left, and after the settle time. "RSS after kind" is the RSS when',
    "that kind's clients had all left (kinds run one after another). Rows are kept by label across runs.",
    '',
    markdownTable(
      [
        'label',
        'server',
        'baseline MB',
        'peak MB',
        'right after MB',
        'settled MB',
        'growth after MB',
        'growth settled MB',
        'RSS after kind (MB)',
        'PING after',
      ],
      rows,
    ),
    'Commands:',
    '',
    ...commands,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = yargs(hideBin(process.argv))
    .option('transports', { type: 'string', default: 'pool,eventloop' })
    .option('workers', { type: 'number', default: 16 })
    .option('concurrency', { type: 'number', default: 16 })
    .option('clients', { type: 'number', default: 2500, describe: 'bad clients of each kind' })
    .option('kinds', { type: 'string', default: BAD_INPUT_KINDS.join(',') })
    .option('settle-ms', { type: 'number', default: 5000 })
    .option('label', { type: 'string', default: 'current' })
    .option('env', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'KEY=VALUE for the server',
    })
    .option('server-arg', { type: 'string', array: true, default: [] as string[] })
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the results, write nothing' })
    .option('save', saveOption)
    .strict()
    .parseSync();
  machineInfo();
  const transports = stringList(args.transports) as ServerKind[];
  const kinds = stringList(args.kinds) as BadInputKind[];
  for (const kind of kinds)
    if (!BAD_INPUT_KINDS.includes(kind))
      throw new Error(`unknown kind ${kind}: ${BAD_INPUT_KINDS.join(', ')}`);
  const env = Object.fromEntries(
    args.env.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`--env wants KEY=VALUE (got ${pair})`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const command =
    `node dist/bench/pool-bad-input.js ${hideBin(process.argv).map(shellWord).join(' ')}`.trim();
  const options = {
    workers: bounded('workers', args.workers, 1, 1000),
    concurrency: bounded('concurrency', args.concurrency, 1, 1000),
    clients: bounded('clients', args.clients, 1, 100_000),
    kinds,
    settleMs: bounded('settle-ms', args['settle-ms'], 0, 120_000),
    env,
    serverArgs: args['server-arg'],
    label: args.label,
    command,
  };
  const fresh: Run[] = [];
  for (const transport of transports) {
    log(`${transport}: starting`);
    const run = await measure(transport, options);
    log(
      `${transport}: baseline ${run.baselineMb} MB, peak ${run.peakMb}, right after ${run.afterMb}, settled ${run.settledMb} MB; ${run.threads} threads`,
    );
    fresh.push(run);
  }
  process.stdout.write(JSON.stringify(fresh, null, 2) + '\n');
  if (args['dry-run']) return;
  log(`written to ${saveRuns(resultsDir, 'pool-bad-input', fresh, report)}`);
}

await main();
