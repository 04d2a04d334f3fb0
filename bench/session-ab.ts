// A/B of the core hot path across builds: loads the Session, store and command table of each build given (a
// dist/ directory, e.g. a `git worktree` of the commit before, built) into this one process and feeds each the
// same pipelined SET/GET chunks, alternating short rounds between them, so every build meets the same machine
// load. Separate runs of core-throughput.ts on a shared machine differ by more than a few-percent change; this
// tool is for measuring such a change. A tool, not a test: prints ns per request (median, best, first quartile
// of the rounds, per CPU time). Results of use: bench/results/commandstats.md.
// Usage: node dist/bench/session-ab.js before=/path/to/old/dist after=dist [--pipeline 100] [--rounds 15] [--ms 150]

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { oneClientStats, throwUnexpected } from './lib/in-process.js';

interface Build {
  readonly name: string;
  readonly dist: string;
  receive?: (chunk: Buffer) => void;
  readonly rounds: number[];
}

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const PIPELINE = option('pipeline', 100);
const ROUNDS = option('rounds', 15);
const ROUND_MS = option('ms', 150);
const KEYS = 10_000;

const builds: Build[] = args
  .filter((a) => a.includes('=') && !a.startsWith('--'))
  .map((a) => {
    const [name, dist] = a.split('=');
    return { name, dist: path.resolve(dist), rounds: [] };
  });
if (builds.length === 0) {
  console.error('usage: node dist/bench/session-ab.js name=/path/to/dist [name=/path/to/dist ...]');
  process.exit(2);
}

const sixteen = (prefix: string, i: number): Buffer =>
  Buffer.from(`${prefix}${i.toString(36).padStart(12, '0')}`, 'latin1');
const keys = Array.from({ length: KEYS }, (_, i) => sixteen('key:', i));
const values = Array.from({ length: KEYS }, (_, i) => sixteen('val:', i));
const resp = (argv: Buffer[]): Buffer =>
  Buffer.concat([
    Buffer.from(`*${argv.length}\r\n`),
    ...argv.flatMap((a) => [Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n')]),
  ]);

/** Chunks of PIPELINE requests alternating SET k v / GET k, as core-throughput.ts builds them. */
const chunks: Buffer[] = [];
for (let c = 0, k = 0; c < 200; c++) {
  const requests: Buffer[] = [];
  for (let r = 0; r < PIPELINE; r++, k++) {
    const i = (k * 7919) % KEYS;
    requests.push(
      r % 2 === 0 ? resp([Buffer.from('SET'), keys[i], values[i]]) : resp([Buffer.from('GET'), keys[i]]),
    );
  }
  chunks.push(Buffer.concat(requests));
}

// The builds' own modules, each with its own types: only what every build has had is used.
async function load(build: Build): Promise<void> {
  const module = (file: string): Promise<any> =>
    import(pathToFileURL(path.join(build.dist, 'src/core', file)).href);
  const [{ Session }, { SharedStore }, { Config, limitsFromConfig }, context, executor, table, encoding] =
    await Promise.all([
      module('session.js'),
      module('store/store.js'),
      module('config.js'),
      module('server-context.js'),
      module('executor.js'),
      module('commands/table.js'),
      module('reply-encoding.js'),
    ]);
  const config = new Config();
  const store = SharedStore.create({ clock: Date.now });
  const server = context.createServerContext({
    clock: Date.now,
    config,
    version: 'ab',
    startedAt: Date.now(),
    tcpPort: 0,
    commands: executor.createCommandTable(table.ALL_COMMANDS),
    clients: () => [],
    transportStats: oneClientStats,
    reportUnexpected: throwUnexpected,
  });
  const session = new Session(
    { store, server, limits: limitsFromConfig(config), writer: new encoding.ByteWriter() },
    { id: 1, addr: '127.0.0.1:1', laddr: '127.0.0.1:6379' },
  );
  build.receive = (chunk) => session.receive(chunk);
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** One round of about ROUND_MS of CPU time: ns per request. */
function round(build: Build, next: { i: number }): number {
  const start = cpuMs();
  let requests = 0;
  while (cpuMs() - start < ROUND_MS) {
    for (let j = 0; j < 20; j++) build.receive!(chunks[next.i++ % chunks.length]);
    requests += 20 * PIPELINE;
  }
  return ((cpuMs() - start) * 1e6) / requests;
}

for (const build of builds) await load(build);
const cursor = new Map(builds.map((b) => [b, { i: 0 }]));
for (const build of builds) for (let w = 0; w < 3; w++) round(build, cursor.get(build)!); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  // Alternate the order so neither build always runs right after the other.
  for (const build of r % 2 === 0 ? builds : [...builds].reverse()) {
    build.rounds.push(round(build, cursor.get(build)!));
  }
}
console.log(`pipeline ${PIPELINE}, ${ROUNDS} rounds of ${ROUND_MS} ms CPU each, ns per request:`);
for (const build of builds) {
  const sorted = [...build.rounds].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))].toFixed(0);
  console.log(`${build.name.padEnd(12)} median ${at(0.5)}  best ${at(0)}  first quartile ${at(0.25)}`);
}
