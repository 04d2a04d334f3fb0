// What twemproxy (Debian's `nutcracker`) costs in front of three instances: redis-benchmark GET and SET straight
// to one instance and through the proxy to three, for redis-lite on the chosen transports and for redis-server 7
// as the reference. Paired rounds, the order alternating between rounds; the proxy's own CPU per request is
// read from /proc. A tool, not a test. Usage (after `npm run build`; needs nutcracker and redis-benchmark):
//   node dist/bench/twemproxy.js [--requests 100000] [--rounds 3] [--clients 50] [--pipeline 1]
//                                [--servers eventloop,hybrid,redis] [--save]   (writes twemproxy.md)

import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { bounded, stringList } from './lib/cli-args.js';
import { cpuMs } from './lib/proc.js';
import { resultsDir, saveOption } from './lib/paths.js';
import { redisBenchmarkAvailable, runRedisBenchmark } from './lib/redis-benchmark.js';
import { fmt, machineInfo, machineLine, markdownTable, writeText } from './lib/report.js';
import { launchServer, SERVER_KINDS, type ServerKind, type ServerProcess } from './lib/server-process.js';
import { nutcrackerAvailable, startTwemproxy, type Twemproxy } from './lib/twemproxy.js';

const args = yargs(hideBin(process.argv))
  .option('requests', { type: 'number', default: 100_000, describe: 'Requests per redis-benchmark run' })
  .option('rounds', { type: 'number', default: 3 })
  .option('clients', { type: 'number', default: 50 })
  .option('pipeline', { type: 'number', default: 1 })
  .option('servers', { type: 'string', default: 'eventloop,hybrid,redis', describe: SERVER_KINDS.join(', ') })
  .option('save', saveOption)
  .option('out', { type: 'string', default: resultsDir, describe: 'Directory to write twemproxy.md to' })
  .strict()
  .parseSync();

const requests = bounded('requests', args.requests, 1000, 2_000_000);
const rounds = bounded('rounds', args.rounds, 1, 10);
const clients = bounded('clients', args.clients, 1, 500);
const pipeline = bounded('pipeline', args.pipeline, 1, 100);
const kinds = stringList(args.servers) as ServerKind[];
for (const kind of kinds) if (!SERVER_KINDS.includes(kind)) throw new Error(`unknown server '${kind}'`);

interface Row {
  readonly server: string;
  readonly test: 'get' | 'set';
  readonly path: 'direct' | 'proxy';
  readonly rps: number[];
  readonly proxyCpuUs: number[];
}

async function main(): Promise<void> {
  if (!nutcrackerAvailable() || !redisBenchmarkAvailable()) {
    process.stderr.write('needs nutcracker and redis-benchmark (apt-get install nutcracker redis-tools)\n');
    process.exit(1);
  }
  const machine = machineInfo();
  const rows: Row[] = [];
  for (const kind of kinds) {
    // The pool needs a worker per connection: redis-benchmark's clients and the proxy's one per backend.
    const workers = kind === 'pool' ? clients + 4 : kind === 'hybrid' ? 2 : undefined;
    const backends: ServerProcess[] = [];
    let proxy: Twemproxy | null = null;
    try {
      for (let i = 0; i < 3; i++) backends.push(await launchServer({ kind, workers }));
      proxy = await startTwemproxy({ backends: backends.map((b) => b.port) });
      const label = backends[0].label;
      for (const test of ['get', 'set'] as const) {
        const direct: Row = { server: label, test, path: 'direct', rps: [], proxyCpuUs: [] };
        const proxied: Row = { server: label, test, path: 'proxy', rps: [], proxyCpuUs: [] };
        for (let round = 0; round < rounds; round++) {
          const order = round % 2 === 0 ? ['direct', 'proxy'] : ['proxy', 'direct'];
          for (const via of order) {
            const port = via === 'direct' ? backends[0].port : proxy.port;
            const before = cpuMs(proxy.pid) ?? NaN;
            const result = await runRedisBenchmark({
              host: '127.0.0.1',
              port,
              test,
              requests,
              clients,
              pipeline,
              keyspace: 100_000,
              timeoutMs: 120_000,
              ...(via === 'direct' ? { serverPid: backends[0].pid } : {}),
            });
            if (result.error !== null) throw new Error(`${label} ${test} ${via}: ${result.error}`);
            const row = via === 'direct' ? direct : proxied;
            row.rps.push(result.rps ?? NaN);
            if (via === 'proxy')
              row.proxyCpuUs.push((((cpuMs(proxy.pid) ?? NaN) - before) * 1000) / requests);
            process.stderr.write(
              `${label} ${test} ${via} round ${round + 1}: ${fmt(result.rps ?? NaN)} req/s\n`,
            );
          }
        }
        rows.push(direct, proxied);
      }
    } finally {
      await proxy?.stop();
      for (const backend of backends) await backend.stop();
    }
  }

  const median = (values: number[]): number =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const table = markdownTable(
    ['servers', 'test', 'path', 'req/s (median)', 'req/s per round', 'proxied / direct', 'proxy CPU us/req'],
    rows.map((row) => {
      const direct = rows.find((r) => r.server === row.server && r.test === row.test && r.path === 'direct');
      return [
        row.server,
        row.test.toUpperCase(),
        row.path === 'direct' ? 'straight to one instance' : 'twemproxy to three',
        fmt(Math.round(median(row.rps))),
        row.rps.map((r) => fmt(Math.round(r))).join(' / '),
        row.path === 'proxy' && direct !== undefined
          ? `${(median(row.rps) / median(direct.rps)).toFixed(2)}x`
          : '',
        row.path === 'proxy' ? fmt(median(row.proxyCpuUs)) : '',
      ];
    }),
  );
  const command =
    `node dist/bench/twemproxy.js --requests ${requests} --rounds ${rounds} --clients ${clients} ` +
    `--pipeline ${pipeline} --servers ${kinds.join(',')}`;
  const text = [
    '# twemproxy (nutcracker 0.5.0) in front of three instances',
    '',
    `\`${command}\`, ${new Date().toISOString()}; ${machineLine(machine)}.`,
    '',
    `redis-benchmark, ${clients} clients, pipeline ${pipeline}, ${requests} requests per run over 100,000 keys, ${rounds}`,
    'paired rounds (direct and proxied alternate which goes first). The proxy is one more process on the same two',
    'cores, so "proxied / direct" is what the extra hop costs here, not what three machines would gain.',
    '',
    table,
  ].join('\n');
  writeText(path.join(args.out, 'twemproxy.md'), text);
  process.stdout.write(text);
}

await main();
