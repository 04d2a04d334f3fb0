// How long a published message takes to reach a subscriber on each transport, over real sockets with ioredis:
// PUBLISH sent to the subscriber's `message` event, one message at a time, with the subscriber and the publisher
// on different threads where the transport has several (each pool connection has its own worker; the hybrid's
// two loops get one connection each), and a burst: how fast a publisher can go while a subscriber keeps up.
// A tool, not a test. Usage (after `npm run build`):
//   node dist/bench/pubsub-latency.js [--messages 2000] [--save]   (writes pubsub-latency.md: see lib/paths.ts)

import path from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type TransportName } from '../src/server.js';
import { bounded } from './lib/cli-args.js';
import { resultsDir } from './lib/paths.js';
import { machineInfo } from './lib/report.js';
import { writeText } from './lib/report.js';

interface Result {
  readonly transport: TransportName;
  /** Publish-to-delivery times, ms: p50, p99, max. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Messages a second in a pipelined burst of `messages`, every one received. */
  readonly burstPerSecond: number;
}

const at = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function measure(transport: TransportName, messages: number): Promise<Result> {
  const server = await startServer({
    port: 0,
    transport,
    workers: transport === 'hybrid' ? 2 : 4,
    logLevel: 'warn',
  });
  const connect = async (): Promise<Redis> => {
    const client = new Redis({ port: server.address.port, lazyConnect: true });
    await client.connect();
    return client;
  };
  const sub = await connect();
  const pub = await connect();
  try {
    let received = 0;
    let waiter: (() => void) | null = null;
    sub.on('message', () => {
      received++;
      waiter?.();
    });
    await sub.subscribe('bench');
    const times: number[] = [];
    for (let n = 0; n < messages; n++) {
      const delivered = new Promise<void>((resolve) => (waiter = resolve));
      const start = performance.now();
      await pub.publish('bench', 'x');
      await delivered;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    received = 0;
    const target = messages * 5;
    const start = performance.now();
    const all = new Promise<void>((resolve) => (waiter = () => received === target && resolve()));
    const pipeline = pub.pipeline();
    for (let n = 0; n < target; n++) pipeline.publish('bench', 'payload');
    await pipeline.exec();
    await all;
    const seconds = (performance.now() - start) / 1000;
    return {
      transport,
      p50: at(times, 0.5),
      p99: at(times, 0.99),
      max: times[times.length - 1],
      burstPerSecond: Math.round(target / seconds),
    };
  } finally {
    sub.disconnect();
    pub.disconnect();
    await server.close();
  }
}

function report(results: readonly Result[], messages: number): string {
  const m = machineInfo();
  const rows = results.map(
    (r) =>
      `| ${r.transport} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.max.toFixed(3)} | ${r.burstPerSecond} |`,
  );
  return [
    '# Pub/Sub: publish to delivery',
    '',
    `\`node dist/bench/pubsub-latency.js --messages ${messages} --save\`: ${messages} messages published one at a`,
    'time (each awaited at the subscriber), then a pipelined burst of five times as many; ioredis clients, the',
    'subscriber and the publisher on different threads on the pool and the hybrid.',
    '',
    '| transport | p50 ms | p99 ms | max ms | burst messages/s |',
    '| --------- | ------ | ------ | ------ | ---------------- |',
    ...rows,
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
const messages = bounded('messages', Number(flag('messages') ?? 2000), 10, 1_000_000);
const results: Result[] = [];
for (const transport of ['eventloop', 'pool', 'hybrid'] as const)
  results.push(await measure(transport, messages));
const text = report(results, messages);
process.stdout.write(text);
writeText(path.join(resultsDir, 'pubsub-latency.md'), text);
