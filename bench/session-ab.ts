// A/B of the core hot path across builds: loads the Session, store and command table of each build given (a
// dist/ directory, e.g. a `git worktree` of the commit before, built) into this one process and feeds each the
// same pipelined requests, alternating short rounds between them, so every build meets the same machine
// load. Separate runs of core-throughput.ts on a shared machine differ by more than a few-percent change; this
// tool is for measuring such a change. A tool, not a test: prints ns per request (median, best, first quartile
// of the rounds, per CPU time). Results of use: bench/results/commandstats.md, bench/results/session-set.md.
// --test mix (default): SET k v / GET k alternating, 16-byte values, over a store left empty; --test set|get:
// only SETs, or only GETs of keys filled first, of --value-size bytes (redis-benchmark -t set|get -d, default
// 3). --server-core builds each Session as a server thread does (createThreadCore: INFO counters, persistence
// and append-only file state, Pub/Sub hub), so everything a request pays on the server but its socket is in.
// Usage: node dist/bench/session-ab.js before=/path/to/old/dist after=dist [--pipeline 100] [--rounds 15]
// [--ms 150] [--test mix|set|get] [--keys 10000] [--value-size 3] [--server-core] [--varied]
// --varied: each build first serves a round of some forty other commands, as a server does over its life, so the
// engine's feedback at the executor and encoder has met many command specs and reply kinds before the rounds.

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchThreadCoreDeps, oneClientStats, throwUnexpected } from './lib/in-process.js';

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
const textOption = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const PIPELINE = option('pipeline', 100);
const ROUNDS = option('rounds', 15);
const ROUND_MS = option('ms', 150);
const KEYS = option('keys', 10_000);
const TEST = textOption('test', 'mix');
const VALUE_SIZE = option('value-size', 3);
const SERVER_CORE = args.includes('--server-core');
const VARIED = args.includes('--varied');
if (!['mix', 'set', 'get'].includes(TEST)) throw new Error(`--test is mix, set or get, not ${TEST}`);

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
const values = Array.from({ length: KEYS }, (_, i) =>
  TEST === 'mix' ? sixteen('val:', i) : Buffer.alloc(VALUE_SIZE, 'x'),
);
const resp = (argv: Buffer[]): Buffer =>
  Buffer.concat([
    Buffer.from(`*${argv.length}\r\n`),
    ...argv.flatMap((a) => [Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n')]),
  ]);

const setRequest = (i: number): Buffer => resp([Buffer.from('SET'), keys[i], values[i]]);
const getRequest = (i: number): Buffer => resp([Buffer.from('GET'), keys[i]]);
const isSet = (r: number): boolean => TEST === 'set' || (TEST === 'mix' && r % 2 === 0);

/**
 * Chunks of PIPELINE requests (mix: alternating SET k v / GET k, as core-throughput.ts builds them), over keys
 * in a scattered order; enough of them to cover every key.
 */
const chunks: Buffer[] = [];
for (let c = 0, k = 0; c < Math.max(200, Math.ceil(KEYS / PIPELINE)); c++) {
  const requests: Buffer[] = [];
  for (let r = 0; r < PIPELINE; r++, k++) {
    const i = (k * 7919) % KEYS;
    requests.push(isSet(r) ? setRequest(i) : getRequest(i));
  }
  chunks.push(Buffer.concat(requests));
}
/** --varied: other commands of every group, on keys of their own, with replies of every kind. */
const VARIED_COMMANDS = [
  'PING',
  'ECHO e',
  'SET v:s x EX 100',
  'GET v:s',
  'TTL v:s',
  'PTTL v:s',
  'EXISTS v:s v:none',
  'TYPE v:s',
  'STRLEN v:s',
  'APPEND v:s y',
  'GETRANGE v:s 0 1',
  'INCR v:n',
  'INCRBYFLOAT v:f 1.5',
  'MSET v:a 1 v:b 2',
  'MGET v:a v:b v:none',
  'GET v:none',
  'LPUSH v:l a b c',
  'LRANGE v:l 0 -1',
  'LPOP v:l',
  'LLEN v:l',
  'HSET v:h f 1 g 2',
  'HGETALL v:h',
  'HGET v:h f',
  'HINCRBY v:h f 1',
  'SADD v:t a b',
  'SMEMBERS v:t',
  'SISMEMBER v:t a',
  'ZADD v:z 1 a 2 b',
  'ZRANGE v:z 0 -1 WITHSCORES',
  'ZSCORE v:z a',
  'ZINCRBY v:z 1 a',
  'EXPIRE v:h 100',
  'PERSIST v:h',
  'DEL v:a v:b',
  'DBSIZE',
  'OBJECT ENCODING v:l',
  'SCAN 0 COUNT 10',
  'CLIENT SETNAME ab',
  'CLIENT GETNAME',
  'CONFIG GET maxmemory',
  'UNKNOWNCMD x',
  'GET',
  'SELECT 0',
  'HELLO 2',
];
const variedChunk = Buffer.concat(
  VARIED_COMMANDS.map((line) => resp(line.split(' ').map((word) => Buffer.from(word, 'latin1')))),
);

/** --test get reads keys that exist: every key is SET first. */
const fill: Buffer[] = [];
if (TEST === 'get') {
  for (let i = 0; i < KEYS; i += 100) {
    fill.push(Buffer.concat(Array.from({ length: Math.min(100, KEYS - i) }, (_, j) => setRequest(i + j))));
  }
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
  if (SERVER_CORE) {
    const { createThreadCore } = await module('thread-core.js');
    const core = createThreadCore(benchThreadCoreDeps(store, config, true));
    const session = new Session(core.sessionCore(), { id: 1, addr: '127.0.0.1:1', laddr: '127.0.0.1:6379' });
    build.receive = (chunk) => session.receive(chunk);
    for (const chunk of fill) build.receive(chunk);
    if (VARIED) for (let i = 0; i < 200; i++) build.receive(variedChunk);
    return;
  }
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
  for (const chunk of fill) build.receive(chunk);
  if (VARIED) for (let i = 0; i < 200; i++) build.receive(variedChunk);
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
console.log(
  `${TEST}, ${KEYS} keys, ${SERVER_CORE ? "a server thread's core, " : ''}pipeline ${PIPELINE}, ${ROUNDS} rounds of ${ROUND_MS} ms CPU each, ns per request:`,
);
for (const build of builds) {
  const sorted = [...build.rounds].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))].toFixed(0);
  console.log(`${build.name.padEnd(12)} median ${at(0.5)}  best ${at(0)}  first quartile ${at(0.25)}`);
}
