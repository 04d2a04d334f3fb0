// Blocking operations on each transport, over real sockets with ioredis: how long after an RPUSH is sent the
// client blocked in BLPOP on that key has its reply (the pusher and the blocked client on different threads
// where the transport has several), next to the RPUSH's own round trip and to redis-server 7.0 on the same
// machine; what blocked clients cost while they wait (CPU of the whole process with 16 clients blocked for
// 2 s); and how soon a pool worker notices that its blocked client hung up (it waits in Atomics.wait, not in
// read(2), and looks at the socket every 100 ms). A tool, not a test. Usage (after `npm run build`):
//   node dist/bench/blocking.js [--rounds 1000] [--save]   (writes blocking.md: see lib/paths.ts)

import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type TransportName } from '../src/server.js';
import { bounded } from './lib/cli-args.js';
import { resultsDir } from './lib/paths.js';
import { machineInfo, writeText } from './lib/report.js';

interface Latency {
  readonly server: string;
  /** RPUSH sent to the blocked client's reply, ms. */
  readonly served: readonly number[];
  /** RPUSH sent to its own reply, ms. */
  readonly push: readonly number[];
}

interface Idle {
  readonly transport: TransportName;
  /** CPU ms per second of the whole server process, with nobody blocked and with BLOCKED clients blocked. */
  readonly idleCpu: number;
  readonly blockedCpu: number;
  /** A blocked client hangs up: ms until INFO blocked_clients no longer counts it (median of 5). */
  readonly hangUpMs: number;
}

const BLOCKED = 16;
const at = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(port: number): Promise<Redis> {
  const client = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  return client;
}

async function blockedClients(control: Redis): Promise<number> {
  const info = await control.info('clients');
  return Number(/blocked_clients:(\d+)/.exec(info)?.[1] ?? -1);
}

async function untilBlocked(control: Redis, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await blockedClients(control)) !== n) {
    if (Date.now() > deadline) throw new Error(`never saw ${n} blocked clients`);
  }
}

/** `rounds` times: a client blocks in BLPOP, another pushes; the time from the push to each reply. */
async function latency(name: string, port: number, rounds: number): Promise<Latency> {
  const control = await connect(port);
  const waiter = await connect(port);
  const pusher = await connect(port);
  const served: number[] = [];
  const push: number[] = [];
  try {
    for (let n = 0; n < rounds; n++) {
      const reply = waiter.blpop('bench:q', 0);
      await untilBlocked(control, 1);
      const start = performance.now();
      const pushed = pusher.rpush('bench:q', 'x').then(() => push.push(performance.now() - start));
      await reply;
      served.push(performance.now() - start);
      await pushed;
      if ((n + 1) % 100 === 0) process.stderr.write(`${name}: ${n + 1} rounds\r`);
    }
  } finally {
    control.disconnect();
    waiter.disconnect();
    pusher.disconnect();
  }
  return { server: name, served, push };
}

async function idleCost(port: number): Promise<Omit<Idle, 'transport'>> {
  const control = await connect(port);
  const cpuOver = async (ms: number): Promise<number> => {
    const before = process.cpuUsage();
    await sleep(ms);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / (ms / 1000);
  };
  const idleCpu = await cpuOver(2000);
  const waiters = await Promise.all(Array.from({ length: BLOCKED }, () => connect(port)));
  for (const w of waiters) void w.blpop('bench:idle', 0).catch(() => undefined);
  await untilBlocked(control, BLOCKED);
  const blockedCpu = await cpuOver(2000);
  const hangUps: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    waiters[i].disconnect();
    await untilBlocked(control, BLOCKED - i - 1);
    hangUps.push(performance.now() - start);
  }
  for (const w of waiters) w.disconnect();
  control.disconnect();
  return { idleCpu, blockedCpu, hangUpMs: at(sorted(hangUps), 0.5) };
}

async function measureTransport(transport: TransportName, rounds: number): Promise<[Latency, Idle]> {
  const server = await startServer({
    port: 0,
    transport,
    workers: transport === 'hybrid' ? 2 : BLOCKED + 8,
    logLevel: 'warn',
  });
  try {
    const result = await latency(transport, server.address.port, rounds);
    const idle = await idleCost(server.address.port);
    return [result, { transport, ...idle }];
  } finally {
    await server.close();
  }
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** redis-server 7.0 on a free port, for the same latency rounds; null when it is not installed. */
async function measureRedis(rounds: number): Promise<Latency | null> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const failed = new Promise<null>((resolve) => child.once('error', () => resolve(null)));
  try {
    for (let i = 0; i < 100; i++) {
      const up = await Promise.race([
        new Promise<boolean>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
          s.on('error', () => resolve(false));
        }),
        failed,
      ]);
      if (up === null) return null;
      if (up) return await latency('redis-server 7.0', port, rounds);
      await sleep(20);
    }
    return null;
  } finally {
    child.kill();
  }
}

function report(latencies: readonly Latency[], idle: readonly Idle[], rounds: number): string {
  const m = machineInfo();
  const ms = (v: number): string => v.toFixed(3);
  const rows = latencies.map((l) => {
    const s = sorted(l.served);
    const p = sorted(l.push);
    return `| ${l.server} | ${ms(at(s, 0.5))} | ${ms(at(s, 0.99))} | ${ms(s[s.length - 1])} | ${ms(at(p, 0.5))} |`;
  });
  const idleRows = idle.map(
    (i) =>
      `| ${i.transport} | ${i.idleCpu.toFixed(1)} | ${i.blockedCpu.toFixed(1)} | ${i.hangUpMs.toFixed(1)} |`,
  );
  return [
    '# Blocking operations: from a push to the blocked client',
    '',
    `\`node dist/bench/blocking.js --rounds ${rounds} --save\`: ${rounds} rounds of one ioredis client blocked in`,
    '`BLPOP bench:q 0` (its block confirmed by INFO blocked_clients) and another sending `RPUSH bench:q x`;',
    'the time from sending the RPUSH to the blocked client having its reply, and to the pusher having its own.',
    'The blocked client and the pusher are on different threads on the pool (a worker each) and the hybrid',
    '(its two loops alternate connections).',
    '',
    '| server | served p50 ms | served p99 ms | served max ms | RPUSH round trip p50 ms |',
    '| ------ | ------------- | ------------- | ------------- | ----------------------- |',
    ...rows,
    '',
    `What waiting costs: CPU of the whole server process (ms per second) over 2 s with nobody blocked, then with`,
    `${BLOCKED} clients blocked; and how long until a blocked client that hangs up stops being counted (median`,
    'of 5): the pool worker sleeps in Atomics.wait and looks at its socket every 100 ms.',
    '',
    '| transport | CPU ms/s idle | CPU ms/s with clients blocked | hang-up noticed after ms |',
    '| --------- | ------------- | ----------------------------- | ------------------------ |',
    ...idleRows,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, ${m.platform} ${m.kernel}, load ${m.loadAverage.join(' ')}.`,
    '',
  ].join('\n');
}

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = bounded('rounds', Number(flag('rounds') ?? 1000), 10, 100_000);
const latencies: Latency[] = [];
const idle: Idle[] = [];
for (const transport of ['eventloop', 'pool', 'hybrid'] as const) {
  const [l, i] = await measureTransport(transport, rounds);
  latencies.push(l);
  idle.push(i);
}
const redis = await measureRedis(rounds);
if (redis !== null) latencies.push(redis);
const text = report(latencies, idle, rounds);
process.stdout.write(text);
writeText(path.join(resultsDir, 'blocking.md'), text);
