// Child process for bench/idle-memory.ts: runs a hybrid redis-lite in this process (startServer from the build)
// and, when asked over IPC, reports where its JavaScript memory is, thread by thread: the main thread's V8 heap
// spaces (committed and used, without forcing a GC, so garbage-driven growth shows), and each loop thread's
// live heap from a heap snapshot, summed by constructor (what a LoopClient and its strings cost). Loop threads
// are found by wrapping worker_threads.Worker before the server loads. Knows the package's public entry and
// V8's snapshot format; nothing of the transport's internals.

import { createRequire, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import type { Worker as WorkerType } from 'node:worker_threads';
import { repoRoot } from './paths.js';

export type ProbeCommand =
  | { type: 'start'; workers: number; maxclients: number }
  | { type: 'spaces' }
  | { type: 'snapshots' }
  | { type: 'stop' };

export interface SpaceFigures {
  /** Committed bytes per V8 space of the main thread (space_size), and the bytes in use. */
  committed: Record<string, number>;
  used: Record<string, number>;
  rssBytes: number;
}

export interface HeapGroup {
  name: string;
  count: number;
  bytes: number;
}

export interface SnapshotFigures {
  /** One per isolate: the main thread first, then each loop thread. */
  isolates: { thread: string; totalBytes: number; groups: HeapGroup[] }[];
}

export type ProbeReply =
  | { type: 'started'; port: number; pid: number }
  | { type: 'spaces'; figures: SpaceFigures }
  | { type: 'snapshots'; figures: SnapshotFigures }
  | { type: 'error'; message: string };

const require = createRequire(import.meta.url);
const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');
const loops: WorkerType[] = [];
// Every Worker made from now on is remembered; syncBuiltinESMExports makes ESM imports see the wrapper too.
const Original = workerThreads.Worker;
workerThreads.Worker = class extends Original {
  constructor(...args: ConstructorParameters<typeof Original>) {
    super(...args);
    loops.push(this);
  }
} as typeof Original;
syncBuiltinESMExports();

interface RunningServer {
  address: { port: number };
  close(): Promise<void>;
}

let server: RunningServer | null = null;

function spaces(): SpaceFigures {
  const committed: Record<string, number> = {};
  const used: Record<string, number> = {};
  for (const space of v8.getHeapSpaceStatistics()) {
    committed[space.space_name] = space.space_size;
    used[space.space_name] = space.space_used_size;
  }
  return { committed, used, rssBytes: process.memoryUsage.rss() };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: string[] = [];
  stream.setEncoding('utf8');
  for await (const chunk of stream) chunks.push(chunk as string);
  return chunks.join('');
}

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: (string[] | string)[] } };
  nodes: number[];
  strings: string[];
}

/**
 * Sums a snapshot's nodes by what they are: objects by constructor name, strings as "(string)", the rest by
 * V8's node type ("(array)" holds Map and Array backing stores, "(hidden)" internal objects).
 */
export function summarise(json: string): { totalBytes: number; groups: HeapGroup[] } {
  const raw = JSON.parse(json) as RawSnapshot;
  const fields = raw.snapshot.meta.node_fields;
  const types = raw.snapshot.meta.node_types[0] as string[];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  let totalBytes = 0;
  for (let i = 0; i < raw.nodes.length; i += width) {
    const type = types[raw.nodes[i + typeAt]!] ?? '?';
    const bytes = raw.nodes[i + sizeAt]!;
    totalBytes += bytes;
    const name =
      type === 'object' || type === 'closure'
        ? (raw.strings[raw.nodes[i + nameAt]!] ?? '?')
        : type === 'string' || type === 'concatenated string' || type === 'sliced string'
          ? '(string)'
          : `(${type})`;
    const group = groups.get(name) ?? { name, count: 0, bytes: 0 };
    group.count++;
    group.bytes += bytes;
    groups.set(name, group);
  }
  return { totalBytes, groups: [...groups.values()].sort((a, b) => b.bytes - a.bytes) };
}

async function snapshots(): Promise<SnapshotFigures> {
  const isolates: SnapshotFigures['isolates'] = [];
  isolates.push({ thread: 'main', ...summarise(await readAll(v8.getHeapSnapshot())) });
  let index = 0;
  for (const worker of loops) {
    // A loop blocked in epoll_wait takes the request when it next runs JavaScript (its sweep wakes it each second).
    const stream = await worker.getHeapSnapshot();
    isolates.push({ thread: `loop ${index++}`, ...summarise(await readAll(stream)) });
  }
  return { isolates };
}

function reply(message: ProbeReply): void {
  process.send?.(message);
}

process.on('message', (command: ProbeCommand) => {
  void (async () => {
    try {
      if (command.type === 'start') {
        const entry = pathToFileURL(path.join(repoRoot, 'dist', 'src', 'index.js')).href;
        const { startServer } = (await import(entry)) as {
          startServer(options: Record<string, unknown>): Promise<RunningServer>;
        };
        server = await startServer({
          host: '127.0.0.1',
          port: 0,
          transport: 'hybrid',
          workers: command.workers,
          maxclients: command.maxclients,
          backlog: 4096,
          logLevel: 'warn',
        });
        reply({ type: 'started', port: server.address.port, pid: process.pid });
      } else if (command.type === 'spaces') reply({ type: 'spaces', figures: spaces() });
      else if (command.type === 'snapshots') reply({ type: 'snapshots', figures: await snapshots() });
      else {
        await server?.close();
        process.exit(0);
      }
    } catch (error) {
      reply({ type: 'error', message: (error as Error).stack ?? String(error) });
    }
  })();
});

// A dead parent must not leave a server behind.
process.on('disconnect', () => process.exit(0));
