// Load generator CLI: drives GET/SET load at a running server (--port) or at a fresh one it starts
// (--server eventloop|pool|hybrid|redis), closed-loop or at a fixed rate, and prints/writes the result.
// Usage: node dist/bench/loadgen.js --server eventloop --connections 50 --pipeline 16 --duration 5

import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { bounded } from './lib/cli-args.js';
import { preload, runLoad, type LoadOptions, type LoadResult } from './lib/load.js';
import { resultsDir, saveOption } from './lib/paths.js';
import { log } from './lib/progress.js';
import { fmt, machineInfo, writeJson } from './lib/report.js';
import { launchServer, type ServerKind, type ServerProcess } from './lib/server-process.js';

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('loadgen')
    .usage('$0 [options]: GET/SET load against redis-lite or Redis over RESP or inline requests')
    .option('server', {
      choices: ['eventloop', 'pool', 'hybrid', 'redis'] as const,
      describe: 'start a fresh server of this kind',
    })
    .option('workers', {
      type: 'number',
      describe:
        'pool worker threads (--server pool, default 8) or hybrid loop threads (--server hybrid, default 2)',
    })
    .option('host', { type: 'string', default: '127.0.0.1' })
    .option('port', { type: 'number', describe: 'use an already running server on this port' })
    .option('server-pid', { type: 'number', describe: 'PID of that server, to report its CPU and RSS' })
    .option('connections', { alias: 'c', type: 'number', default: 50 })
    .option('pipeline', {
      alias: 'P',
      type: 'number',
      default: 1,
      describe: 'requests in flight per connection',
    })
    .option('duration', { alias: 'd', type: 'number', default: 5, describe: 'measured seconds (max 120)' })
    .option('warmup', { type: 'number', default: 1, describe: 'seconds of load before measuring' })
    .option('keyspace', { type: 'number', default: 10000 })
    .option('read-ratio', { type: 'number', default: 0.5, describe: 'fraction of GETs (rest SET)' })
    .option('value-size', {
      type: 'number',
      default: 3,
      describe: 'SET value bytes (redis-benchmark default: 3)',
    })
    .option('protocol', { choices: ['resp', 'inline'] as const, default: 'resp' as const })
    .option('rate', { type: 'number', describe: 'fixed-rate mode: total requests/s (default: closed loop)' })
    .option('preload', { type: 'boolean', default: true, describe: 'SET every key first so GETs hit' })
    .option('seed', { type: 'number', default: 1 })
    .option('out', {
      type: 'string',
      describe: 'JSON result file',
      default: path.join(resultsDir, 'loadgen.json'),
    })
    .option('save', saveOption)
    .strict()
    .help()
    .parseAsync();

  if (argv.port === undefined && argv.server === undefined) throw new Error('give --server KIND or --port N');
  machineInfo();
  let server: ServerProcess | undefined;
  const workers =
    argv.server === 'pool' ? (argv.workers ?? 8) : argv.server === 'hybrid' ? argv.workers : undefined;
  try {
    if (argv.server !== undefined) {
      server = await launchServer({
        kind: argv.server as ServerKind,
        workers,
        maxclients: 19_000,
      });
      log(
        `started ${server.label} on ${server.host}:${server.port} (pid ${server.pid}, ${Math.round(server.startMs)} ms)`,
      );
    }
    const port = server?.port ?? (argv.port as number);
    const options: LoadOptions = {
      host: argv.host,
      port,
      connections: bounded('connections', argv.connections, 1, 19_000),
      pipeline: bounded('pipeline', argv.pipeline, 1, 10_000),
      durationMs: bounded('duration', argv.duration, 0.1, 120) * 1000,
      warmupMs: bounded('warmup', argv.warmup, 0, 30) * 1000,
      keyspace: bounded('keyspace', argv.keyspace, 1, 10_000_000),
      readRatio: bounded('read-ratio', argv['read-ratio'], 0, 1),
      valueSize: bounded('value-size', argv['value-size'], 1, 1 << 20),
      protocol: argv.protocol,
      // Redis answers inline requests in RESP; redis-lite answers them with plaintext lines.
      replyFraming: argv.protocol === 'inline' && argv.server !== 'redis' ? 'line' : 'resp',
      mode: argv.rate === undefined ? 'closed' : 'fixed',
      rate: argv.rate === undefined ? 0 : bounded('rate', argv.rate, 1, 10_000_000),
      seed: argv.seed,
      ...(server
        ? { serverPid: server.pid }
        : argv['server-pid'] !== undefined
          ? { serverPid: argv['server-pid'] }
          : {}),
    };
    if (argv.preload) await preload(options);
    const result = await runLoad(options);
    const target = server ? server.label : `${argv.host}:${port}`;
    writeJson(argv.out, {
      schema: 'redis-lite/loadgen@1',
      generatedAt: new Date().toISOString(),
      machine: machineInfo(),
      target,
      ...(workers !== undefined ? { workers } : {}),
      options: { ...options, host: undefined, port: undefined, serverPid: undefined },
      result,
    });
    process.stdout.write(`${summaryLine(target, result)}\nwritten ${argv.out}\n`);
  } finally {
    await server?.stop();
  }
}

export function summaryLine(target: string, r: LoadResult): string {
  const l = r.latencyMs;
  const starved = r.connections.starved > 0 ? `, ${r.connections.starved} connection(s) never served` : '';
  const server = r.server
    ? `, server CPU ${r.server.cpuPercent}% (${fmt(r.server.cpuUsPerRequest ?? undefined)} µs/req)`
    : '';
  return (
    `${target}: ${r.mode === 'fixed' ? `target ${fmt(r.targetRate ?? 0)}/s, ` : ''}${fmt(r.throughput)} req/s, ` +
    `c=${r.connections.connected} P=${r.pipeline}, latency ms p50 ${l.p50} p90 ${l.p90} p99 ${l.p99} p99.9 ${l.p999} max ${l.max}, ` +
    (r.serviceMs ? `(from actual send: p50 ${r.serviceMs.p50} p99 ${r.serviceMs.p99}), ` : '') +
    `errors ${r.errors}, client CPU ${r.client.percentOfOneCore}% of a core${server}${starved}`
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`loadgen: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
