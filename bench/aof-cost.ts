// What logging a write to the append-only file costs a request, on one thread without sockets: pipelined SETs
// (16-byte keys and values, 100 per read, over 100,000 keys) fed to a Session built as every server thread builds
// its core (createThreadCore), with the file off, on as the event loop runs it (the only writing thread), and on
// as a pool worker or hybrid loop runs it (a write holds its keys' locks until it is logged). CPU per request
// (process.cpuUsage) is the figure: the machine is shared, and wall time would count other processes. The
// difference between the modes is the file's cost; the socket path around it is the same in all three.
// A tool, not a test: bounded rounds, writes aof-cost.md to bench/results/tmp/ (bench/results/ with --save).
// Usage (after `npm run build`): node dist/bench/aof-cost.js [--seconds 2] [--rounds 5]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initialiseAofState } from '../src/core/aof/rewrite-scheduler.js';
import { openAofOnStart } from '../src/core/aof/aof-startup.js';
import { Config } from '../src/core/config.js';
import { Session } from '../src/core/session.js';
import { SharedStore } from '../src/core/store/store.js';
import { createThreadCore } from '../src/core/thread-core.js';
import { resultsDir } from './lib/paths.js';
import { fmt, machineInfo, machineLine, markdownTable, writeText } from './lib/report.js';
import { benchThreadCoreDeps } from './lib/in-process.js';

const KEYS = 100_000;
const PIPELINE = 100;
const CHUNKS = 500;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const SECONDS = arg('seconds', 2);
const ROUNDS = arg('rounds', 5);

type Mode = 'off' | 'only writer (event loop)' | 'key locks held (pool, hybrid)';
const MODES: readonly Mode[] = ['off', 'only writer (event loop)', 'key locks held (pool, hybrid)'];

function setRequest(i: number): Buffer {
  const key = `key:${i.toString(36).padStart(12, '0')}`;
  const value = `val:${i.toString(36).padStart(12, '0')}`;
  return Buffer.from(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`);
}

function chunks(): Buffer[] {
  const out: Buffer[] = [];
  let k = 0;
  for (let c = 0; c < CHUNKS; c++) {
    const requests: Buffer[] = [];
    for (let r = 0; r < PIPELINE; r++) requests.push(setRequest((k++ * 7919) % KEYS));
    out.push(Buffer.concat(requests));
  }
  return out;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** CPU µs per request of each round: SECONDS of CPU split over ROUNDS, after a warm-up round. */
function measure(mode: Mode, input: readonly Buffer[]): number[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-cost-'));
  try {
    const config = new Config({ dir, appendonly: mode === 'off' ? 'no' : 'yes' });
    const store = SharedStore.create({ clock: Date.now });
    const core = createThreadCore(benchThreadCoreDeps(store, config, mode === 'only writer (event loop)'));
    if (core.aof !== undefined && mode !== 'off') {
      // As start-up: the directory, its base and incremental file made, every thread's log pointed there.
      openAofOnStart(core.aof.files, core.aof.state, config, () => undefined);
      initialiseAofState(core.aof.state, true, core.aof.files);
    }
    const session = new Session(core.sessionCore(), { id: 1, addr: 'bench', laddr: 'bench' });
    const perRound = (SECONDS * 1e6) / (ROUNDS + 1);
    const rounds: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const start = cpuMicros();
      let requests = 0;
      // The CPU clock is a system call: read once per 50 reads, or it weighs on the figure.
      for (let c = 0; cpuMicros() - start < perRound;) {
        for (let i = 0; i < 50; i++, c = (c + 1) % input.length) session.receive(input[c]);
        requests += 50 * PIPELINE;
      }
      if (round > 0) rounds.push((cpuMicros() - start) / requests); // round 0 warms the JIT up
    }
    session.end();
    core.aof?.close();
    return rounds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const input = chunks();
const machine = machineInfo();
const results = MODES.map((mode) => ({ mode, rounds: measure(mode, input) }));
const off = median(results[0].rounds);
const rows = results.map(({ mode, rounds }) => [
  mode,
  fmt(median(rounds)),
  fmt(Math.min(...rounds)),
  mode === 'off' ? '—' : fmt(median(rounds) - off),
]);
const table = markdownTable(
  ['append-only file', 'CPU µs/request (median)', 'best round', 'the file costs'],
  rows,
);
process.stdout.write(table);
const file = path.join(resultsDir, 'aof-cost.md');
writeText(
  file,
  `# What logging a SET to the append-only file costs, in process\n\n${new Date().toISOString()}; ${machineLine(machine)}.\n` +
    `Command: \`node dist/bench/aof-cost.js --seconds ${SECONDS} --rounds ${ROUNDS}\`. ${PIPELINE} pipelined SETs per ` +
    `read over ${KEYS.toLocaleString('en-US')} keys, one Session, appendfsync everysec (no sync on the request path).\n\n${table}`,
);
process.stdout.write(`written: ${file}\n`);
