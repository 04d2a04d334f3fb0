// What watching a script for busy-reply-threshold costs (native/lua-busy.c, src/core/scripting/script-busy.ts).
// Two parts, each alternating its two sides round by round so the machine's noise falls on both:
// - the engine alone, in this process: a CPU-bound script (a Lua loop of --iterations) run unwatched, as before,
//   and watched (the count hook every 100k instructions, a threshold it never reaches): the per-instruction cost;
// - servers already running (--port A [--port B], e.g. a build before the change and one after): one connection
//   sending --evals trivial EVALs ("return 1") in pipelined batches of 100: what each EVAL pays for the busy
//   word (a compare-and-swap, a store and a wake-up) and the threshold's lookup. Bounded in count and rounds.
//   With --pid (one per --port, the server's process) each round also reads the server's CPU time from /proc:
//   CPU µs per EVAL, which the machine's other load does not inflate as it does the rate.
// Usage: node dist/bench/eval-cost.js [--iterations 20000000] [--rounds 7] [--port 6379 --pid 123 --port 6380
//        --pid 456] [--evals 100000]

import net from 'node:net';
import { loadLuaFrom } from '../src/core/scripting/lua-addon.js';
import { BUSY_RUNNING } from '../src/core/scripting/script-busy.js';
import { packageRoot } from '../src/transport/threadpool/native.js';
import { connectSocket } from './lib/client.js';
import { cpuMs } from './lib/proc.js';
import { createReplyReader, encodeCommand } from './lib/resp.js';

const args = process.argv.slice(2);
const values = (name: string): string[] =>
  args.flatMap((arg, i) => (arg === `--${name}` && i + 1 < args.length ? [args[i + 1]] : []));
const bounded = (name: string, fallback: number, min: number, max: number): number => {
  const value = Number(values(name)[0] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name}: ${min} to ${max}`);
  return value;
};
const iterations = bounded('iterations', 20_000_000, 1000, 1_000_000_000);
const rounds = bounded('rounds', 7, 1, 50);
const evals = bounded('evals', 100_000, 100, 10_000_000);
const ports = values('port').map(Number);
const pids = values('pid').map(Number);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function engineRounds(): void {
  const lua = loadLuaFrom(packageRoot());
  if (lua instanceof Error) throw lua;
  const state = lua.create();
  const failed = lua.load(
    state,
    'f_loop',
    Buffer.from('local n = 0 for i = 1, ARGV[1] do n = n + i end return n'),
  );
  if (failed !== null) throw new Error(failed);
  const host = {
    call: () => Buffer.from('+OK\r\n'),
    log: () => {},
    sha1hex: () => '',
    commandExists: () => true,
  };
  const word = new Int32Array(new SharedArrayBuffer(4));
  word[0] = BUSY_RUNNING;
  const argv = [Buffer.from(String(iterations))];
  const times = { unwatched: [] as number[], watched: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const side of ['unwatched', 'watched'] as const) {
      // CPU time, not wall time: a shared machine's other work then costs neither side.
      const start = process.cpuUsage();
      if (side === 'watched') lua.run(state, 'f_loop', 'sha', [], argv, host, word, 1_000_000_000);
      else lua.run(state, 'f_loop', 'sha', [], argv, host);
      const used = process.cpuUsage(start);
      times[side].push((used.user + used.system) / 1000);
    }
  }
  lua.close(state);
  const base = median(times.unwatched);
  const hooked = median(times.watched);
  console.log(`engine: a loop of ${iterations} iterations, CPU ms, median of ${rounds} rounds each`);
  console.log(`  unwatched ${base.toFixed(1)} ms   watched ${hooked.toFixed(1)} ms   (${pct(hooked, base)})`);
  console.log(`  all unwatched: ${times.unwatched.map((t) => t.toFixed(0)).join(' ')}`);
  console.log(`  all watched:   ${times.watched.map((t) => t.toFixed(0)).join(' ')}`);
}

const pct = (x: number, base: number): string =>
  `${x >= base ? '+' : ''}${(((x - base) / base) * 100).toFixed(1)}%`;

/** EVALs a second from one connection, `evals` of them in pipelined batches of 100. */
async function evalRate(port: number): Promise<number> {
  const socket: net.Socket = await connectSocket({ host: '127.0.0.1', port });
  const reader = createReplyReader('resp');
  const batch = Buffer.concat(Array.from({ length: 100 }, () => encodeCommand(['EVAL', 'return 1', '0'])));
  let waiting: (() => void) | null = null;
  let owed = 0;
  socket.on('data', (chunk: Buffer) => {
    owed -= reader.feed(chunk).length;
    if (owed === 0) waiting?.();
  });
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < evals; sent += 100) {
    owed = 100;
    await new Promise<void>((resolve) => {
      waiting = resolve;
      socket.write(batch);
    });
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  socket.destroy();
  return evals / seconds;
}

async function serverRounds(): Promise<void> {
  const rates = new Map<number, number[]>(ports.map((port) => [port, []]));
  const cpu = new Map<number, number[]>(ports.map((port) => [port, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [i, port] of ports.entries()) {
      const pid = pids[i];
      const before = pid === undefined ? undefined : cpuMs(pid);
      rates.get(port)!.push(await evalRate(port));
      const after = pid === undefined ? undefined : cpuMs(pid);
      if (before !== undefined && after !== undefined) cpu.get(port)!.push(((after - before) * 1000) / evals);
    }
  }
  console.log(
    `servers: ${evals} EVAL "return 1" 0 from one connection, pipelined by 100, median of ${rounds}`,
  );
  for (const [port, list] of rates) {
    const used = cpu.get(port)!;
    const perEval = used.length === 0 ? '' : `, server CPU ${median(used).toFixed(2)} µs per EVAL`;
    console.log(`  port ${port}: ${median(list).toFixed(0)} EVALs/s${perEval}`);
    if (used.length > 0) console.log(`    all µs per EVAL: ${used.map((u) => u.toFixed(2)).join(' ')}`);
  }
}

engineRounds();
if (ports.length > 0) await serverRounds();
