// What transactions cost, in-process on one thread (no sockets, so the figures are the core's alone): a SET
// through the executor against MULTI + SET + EXEC (EXEC takes every segment's write lock, in order, so its
// cost grows with the number of segments), and what an active WATCH adds to every other write (writes then
// scan their segment's watch registry). A tool, not a test. Usage (after `npm run build`):
//   node dist/bench/transactions.js [--seconds 1] [--save]   (writes transactions.md: see lib/paths.ts)

import path from 'node:path';
import type { ClientState, CommandContext } from '../src/core/command.js';
import { ALL_COMMANDS } from '../src/core/commands/table.js';
import { Config } from '../src/core/config.js';
import { createCommandTable, execute } from '../src/core/executor.js';
import { createServerContext } from '../src/core/server-context.js';
import { SharedStore } from '../src/core/store/store.js';
import { Transaction } from '../src/core/transaction.js';
import { bounded } from './lib/cli-args.js';
import { resultsDir } from './lib/paths.js';
import { machineInfo } from './lib/report.js';
import { writeText } from './lib/report.js';
import { oneClientStats, throwUnexpected } from './lib/in-process.js';

const KEYS = 10_000;
const BATCH = 1_000;

function context(segments: number): CommandContext {
  const clock = Date.now;
  const store = SharedStore.create({ clock, segments });
  const server = createServerContext({
    clock,
    config: new Config({}),
    version: 'bench',
    startedAt: clock(),
    tcpPort: 0,
    commands: createCommandTable(ALL_COMMANDS),
    clients: () => [],
    transportStats: oneClientStats,
    reportUnexpected: throwUnexpected,
  });
  const client: ClientState = {
    id: 1,
    addr: '',
    laddr: '',
    name: '',
    db: 0,
    authenticated: true,
    user: 'default',
    userIncarnation: 1,
    aclUnrestricted: true,
    resp: 2,
    transaction: new Transaction(),
    closeAfterReply: false,
    lastCommand: '',
    createdAt: 0,
    lastInteraction: 0,
  };
  return { store, server, client };
}

const argvOf = (...words: string[]): Buffer[] => words.map((w) => Buffer.from(w));
const keys = Array.from({ length: KEYS }, (_, i) => `key:${i}`);

/** Nanoseconds per `step` (best of three rounds of about seconds/3), stepping through the keys. */
function nsPer(seconds: number, step: (key: string) => void): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let ops = 0;
    const start = performance.now();
    const end = start + (seconds * 1000) / 3;
    while (performance.now() < end) {
      for (let i = 0; i < BATCH; i++) step(keys[(ops + i) % KEYS]);
      ops += BATCH;
    }
    best = Math.min(best, ((performance.now() - start) * 1e6) / ops);
  }
  return best;
}

interface Row {
  readonly scenario: string;
  readonly segments: number;
  readonly ns: number;
}

function run(seconds: number): Row[] {
  const rows: Row[] = [];
  for (const segments of [64, 1024]) {
    const ctx = context(segments);
    const value = 'value-0123456789';
    rows.push({
      scenario: 'SET',
      segments,
      ns: nsPer(seconds, (k) => execute(argvOf('SET', k, value), ctx)),
    });
    rows.push({
      scenario: 'MULTI, SET, EXEC',
      segments,
      ns: nsPer(seconds, (k) => {
        execute(argvOf('MULTI'), ctx);
        execute(argvOf('SET', k, value), ctx);
        execute(argvOf('EXEC'), ctx);
      }),
    });
    rows.push({
      scenario: 'MULTI, PING, EXEC (no keyspace command: no locks)',
      segments,
      ns: nsPer(seconds, () => {
        execute(argvOf('MULTI'), ctx);
        execute(argvOf('PING'), ctx);
        execute(argvOf('EXEC'), ctx);
      }),
    });
    // Another client watches a key: every write now scans its segment's registry.
    const watcher = { ...ctx, client: { ...ctx.client, id: 2, transaction: new Transaction() } };
    execute(argvOf('WATCH', 'watched'), watcher);
    rows.push({
      scenario: 'SET while another client WATCHes a key',
      segments,
      ns: nsPer(seconds, (k) => execute(argvOf('SET', k, value), ctx)),
    });
    execute(argvOf('UNWATCH'), watcher);
  }
  return rows;
}

function report(rows: readonly Row[], seconds: number): string {
  const m = machineInfo();
  return [
    '# Transactions: what EXEC and WATCH cost (in-process, one thread)',
    '',
    `\`node dist/bench/transactions.js --seconds ${seconds} --save\`, ${new Date().toISOString()}; ` +
      `${m.cpus} x ${m.cpuModel}, Node ${m.node}, load ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')}.`,
    'Best of three rounds, nanoseconds per step through the executor (argv built per step, no sockets).',
    '',
    '| scenario | segments | ns per step |',
    '| --- | ---: | ---: |',
    ...rows.map((r) => `| ${r.scenario} | ${r.segments} | ${Math.round(r.ns)} |`),
    '',
  ].join('\n');
}

const at = process.argv.indexOf('--seconds');
const seconds = bounded('seconds', at < 0 ? 1 : Number(process.argv[at + 1]), 0.1, 60);
const rows = run(seconds);
const text = report(rows, seconds);
console.log(text);
writeText(path.join(resultsDir, 'transactions.md'), text);
