// Fill-and-measure for the container benches (list-, set-, hash-targets, container-memory): starts a fresh
// server, fills one key with N elements over a pipeline of batched commands, checks the count, and reports what
// the server grew by per element: INFO used_memory, used_memory_dataset, and the process's RSS. Each bench says
// only how to build one batch and how to count; the server is stopped by PID whatever happens.

import { BenchClient, parseInfo, replyText } from './client.js';
import { HOST, launchServer, type LaunchOptions } from './server-process.js';

export interface ContainerFill {
  readonly key: string;
  readonly elements: number;
  /** Elements per command. */
  readonly batch: number;
  /** One command that adds elements [from, to) to `key`. */
  readonly command: (key: string, from: number, to: number) => string[];
  /** The command that counts the key's elements (LLEN, SCARD, HLEN, ZCARD), checked against `elements`. */
  readonly countCommand: string;
  /** Commands in flight at once (default 16): enough to fill a million elements in seconds. */
  readonly inFlight?: number;
  /** Give up (throw) if the fill is still running at this Date.now(). */
  readonly deadline?: number;
}

export interface FillMeasurement {
  /** The server's label ("redis 7", "eventloop", ...). */
  readonly server: string;
  readonly elements: number;
  /** OBJECT ENCODING of the filled key. */
  readonly encoding: string;
  /** INFO used_memory growth per element: the allocator's view of everything the key holds. */
  readonly usedPerElement: number;
  /** INFO used_memory_dataset growth per element (used_memory less the server's overhead). */
  readonly datasetPerElement: number;
  /** The server process's resident set growth per element. */
  readonly rssPerElement: number;
  readonly fillSeconds: number;
}

/** A batch command may wait this long: a million-element fill queues many behind it. */
const COMMAND_TIMEOUT_MS = 120_000;

async function memoryInfo(client: BenchClient): Promise<Map<string, string>> {
  return parseInfo(replyText(await client.call(['INFO', 'memory'])));
}

/** Starts a server as `launch` says, fills one container as `fill` says, and measures its growth. */
export async function measureFill(launch: LaunchOptions, fill: ContainerFill): Promise<FillMeasurement> {
  const server = await launchServer(launch);
  try {
    const client = await BenchClient.connect({ host: HOST, port: server.port });
    try {
      const before = await memoryInfo(client);
      const rssBefore = server.rssKb() ?? 0;
      const started = performance.now();
      const pending: Promise<unknown>[] = [];
      for (let from = 0; from < fill.elements; from += fill.batch) {
        if (fill.deadline !== undefined && Date.now() > fill.deadline)
          throw new Error(`out of time filling ${server.label}`);
        const to = Math.min(fill.elements, from + fill.batch);
        pending.push(client.call(fill.command(fill.key, from, to), COMMAND_TIMEOUT_MS));
        if (pending.length >= (fill.inFlight ?? 16)) await pending.shift();
      }
      await Promise.all(pending);
      const fillSeconds = (performance.now() - started) / 1000;
      const count = Number(replyText(await client.call([fill.countCommand, fill.key])));
      if (count !== fill.elements)
        throw new Error(`${server.label}: ${fill.countCommand} ${count}, expected ${fill.elements}`);
      const encoding = replyText(await client.call(['OBJECT', 'ENCODING', fill.key]));
      const after = await memoryInfo(client);
      const grown = (field: string): number => Number(after.get(field)) - Number(before.get(field));
      return {
        server: server.label,
        elements: fill.elements,
        encoding,
        usedPerElement: grown('used_memory') / fill.elements,
        datasetPerElement: grown('used_memory_dataset') / fill.elements,
        rssPerElement: (((server.rssKb() ?? 0) - rssBefore) * 1024) / fill.elements,
        fillSeconds,
      };
    } finally {
      client.close();
    }
  } finally {
    await server.stop();
  }
}
