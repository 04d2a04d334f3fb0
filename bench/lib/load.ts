// The load engine: N connections issuing a GET/SET mix over RESP or inline requests, either closed-loop
// (each connection keeps `pipeline` requests in flight: maximum throughput) or fixed-rate (requests have a
// schedule and each latency runs from its scheduled send time, so a stalled server is charged for the whole
// stall: no coordinated omission). Reports throughput, HdrHistogram percentiles and the client's own CPU.

import net from 'node:net';
import { connectSocket } from './client.js';
import { CpuMeter, LatencyRecorder, type ClientCpu, type LatencySummary } from './latency.js';
import { cpuMs, rssKb } from './proc.js';
import { createReplyReader, encodeCommand, encodeInline, RespError, type ReplyFraming } from './resp.js';

export interface LoadOptions {
  host: string;
  port: number;
  connections: number;
  /** Closed loop: requests kept in flight per connection. Fixed rate: the cap on requests in flight. */
  pipeline: number;
  durationMs: number;
  warmupMs: number;
  keyspace: number;
  /** Fraction of GETs; the rest are SETs. */
  readRatio: number;
  valueSize: number;
  protocol: 'resp' | 'inline';
  /** How replies are framed: RESP (Redis answers inline requests in RESP too) or redis-lite's plaintext lines. */
  replyFraming: ReplyFraming;
  mode: 'closed' | 'fixed';
  /** Fixed mode: total requests per second over all connections. */
  rate: number;
  /** Optional: the server's PID, to report its CPU and RSS over the measured window. */
  serverPid?: number;
  /** Opening many connections: at most this many connects in flight. */
  connectConcurrency?: number;
  seed?: number;
}

export interface LoadResult {
  mode: 'closed' | 'fixed';
  protocol: 'resp' | 'inline';
  connections: {
    requested: number;
    connected: number;
    failed: number;
    served: number;
    starved: number;
    connectErrors: string[];
  };
  pipeline: number;
  durationMs: number;
  requests: number;
  errors: number;
  /** Completed requests per second over the measured window. */
  throughput: number;
  targetRate: number | null;
  /** Closed loop: from send. Fixed rate: from each request's scheduled send time (no coordinated omission). */
  latencyMs: LatencySummary;
  /** Fixed rate only: from the actual send; latencyMs minus this is time the request waited to be sent
   * (behind a full pipeline or a late 1 ms timer tick). */
  serviceMs: LatencySummary | null;
  client: ClientCpu;
  server: { cpuMs: number; cpuPercent: number; cpuUsPerRequest: number | null; rssKb: number | null } | null;
}

/** A deterministic PRNG (mulberry32) so runs with the same seed issue the same key sequence. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function keyName(index: number): string {
  return `key:${String(index).padStart(12, '0')}`;
}

/** Pre-encoded GET and SET requests for every key: the hot loop only picks and concatenates. */
class RequestTable {
  readonly gets: Buffer[] = [];
  readonly sets: Buffer[] = [];
  constructor(options: Pick<LoadOptions, 'keyspace' | 'valueSize' | 'protocol'>) {
    const value = 'x'.repeat(options.valueSize);
    const encode = (argv: string[]): Buffer =>
      options.protocol === 'resp' ? encodeCommand(argv) : encodeInline(argv);
    for (let i = 0; i < options.keyspace; i++) {
      this.gets.push(encode(['GET', keyName(i)]));
      this.sets.push(encode(['SET', keyName(i), value]));
    }
  }
}

interface Conn {
  socket: net.Socket;
  /** Send (closed) or scheduled (fixed) times of requests in flight, oldest first. */
  times: number[];
  /** Fixed mode: actual send times, parallel to times (the difference is the client's own lateness). */
  sent: number[];
  head: number;
  inFlight: number;
  replies: number;
  /** Fixed mode: the scheduled time of this connection's next request. */
  nextAt: number;
}

/** Picks requests from the table by the run's seed and read ratio; `batch(n)` is n of them in one buffer. */
function requestBatcher(options: LoadOptions): (count: number) => Buffer {
  const table = new RequestTable(options);
  const random = prng(options.seed ?? 1);
  const pick = (): Buffer => {
    const key = Math.floor(random() * options.keyspace);
    return random() < options.readRatio ? table.gets[key]! : table.sets[key]!;
  };
  return (count) => {
    if (count === 1) return pick();
    const parts: Buffer[] = [];
    for (let i = 0; i < count; i++) parts.push(pick());
    return Buffer.concat(parts);
  };
}

/**
 * One run's connections and counters. Replies are counted only inside the measured window (`measuring`);
 * once the run stops (`running` false) no connection sends again.
 */
class LoadRun {
  readonly latency = new LatencyRecorder();
  readonly service = new LatencyRecorder();
  requests = 0;
  errors = 0;
  measuring = false;
  running = true;
  private readonly fixed: boolean;
  /** Fixed mode: ms between two requests of one connection. */
  readonly interval: number;

  constructor(
    private readonly options: LoadOptions,
    readonly conns: readonly Conn[],
    private readonly batch: (count: number) => Buffer,
  ) {
    this.fixed = options.mode === 'fixed';
    this.interval = 1000 / (options.rate / Math.max(1, conns.length));
    for (const conn of conns) this.listen(conn);
  }

  /** Fixed mode: sends every request whose scheduled time has come, up to the pipeline cap. */
  sendDue(conn: Conn, now: number): void {
    let count = 0;
    while (conn.nextAt <= now && conn.inFlight < this.options.pipeline) {
      conn.times.push(conn.nextAt);
      conn.sent.push(now);
      conn.nextAt += this.interval;
      conn.inFlight++;
      count++;
    }
    if (count > 0) conn.socket.write(this.batch(count));
  }

  /** Closed loop: fills every connection's pipeline. Fixed rate: starts the 1 ms timer that sends what is due. */
  start(): NodeJS.Timeout | undefined {
    const start = performance.now();
    if (!this.fixed) {
      for (const conn of this.conns) {
        for (let i = 0; i < this.options.pipeline; i++) conn.times.push(start);
        conn.inFlight = this.options.pipeline;
        conn.socket.write(this.batch(this.options.pipeline));
      }
      return undefined;
    }
    // Stagger the connections' schedules evenly across one interval.
    this.conns.forEach(
      (conn, i) => (conn.nextAt = start + (i / Math.max(1, this.conns.length)) * this.interval),
    );
    // A 1 ms timer sends what is due; lateness of the timer is charged to latency (measured from schedule).
    return setInterval(() => {
      const now = performance.now();
      for (const conn of this.conns) this.sendDue(conn, now);
    }, 1);
  }

  private listen(conn: Conn): void {
    const reader = createReplyReader(this.options.replyFraming);
    conn.socket.on('data', (chunk: Buffer) => {
      const replies = reader.feed(chunk);
      const now = performance.now();
      this.count(conn, replies, now);
      if (!this.running) return;
      if (this.fixed) {
        this.sendDue(conn, now);
      } else if (replies.length > 0) {
        // Closed loop: one new request for each reply.
        for (let i = 0; i < replies.length; i++) conn.times.push(now);
        conn.inFlight += replies.length;
        conn.socket.write(this.batch(replies.length));
      }
    });
    conn.socket.on('error', () => undefined);
  }

  /** Matches replies to the oldest requests in flight and records their latency while measuring. */
  private count(conn: Conn, replies: readonly unknown[], now: number): void {
    for (const reply of replies) {
      const started = conn.times[conn.head]!;
      const sentAt = this.fixed ? conn.sent[conn.head]! : started;
      conn.head++;
      conn.inFlight--;
      if (this.measuring) {
        this.latency.recordMs(now - started);
        if (this.fixed) this.service.recordMs(now - sentAt);
        this.requests++;
        conn.replies++;
        if (reply instanceof RespError) this.errors++;
      }
    }
    if (conn.head > 4096) {
      conn.times = conn.times.slice(conn.head);
      if (this.fixed) conn.sent = conn.sent.slice(conn.head);
      conn.head = 0;
    }
  }
}

/** What the measured window cost: its length, the client's CPU, and the server's CPU and RSS when its PID is known. */
interface Window {
  readonly ms: number;
  readonly clientCpu: ClientCpu;
  readonly serverCpuMs?: number;
  readonly serverRssKb?: number;
}

/** Waits out the warm-up, then counts replies for the run's duration, then stops every connection sending. */
async function measureWindow(options: LoadOptions, run: LoadRun): Promise<Window> {
  await sleep(options.warmupMs);
  run.measuring = true;
  const cpu = new CpuMeter();
  const pid = options.serverPid;
  const serverCpuStart = pid !== undefined ? cpuMs(pid) : undefined;
  const windowStart = performance.now();
  await sleep(options.durationMs);
  run.measuring = false;
  run.running = false;
  const ms = performance.now() - windowStart;
  const clientCpu = cpu.stop();
  const serverCpuEnd = pid !== undefined ? cpuMs(pid) : undefined;
  return {
    ms,
    clientCpu,
    serverCpuMs:
      serverCpuStart !== undefined && serverCpuEnd !== undefined ? serverCpuEnd - serverCpuStart : undefined,
    serverRssKb: pid !== undefined ? rssKb(pid) : undefined,
  };
}

function serverUsage(window: Window, requests: number): LoadResult['server'] {
  if (window.serverCpuMs === undefined) return null;
  const used = window.serverCpuMs;
  return {
    cpuMs: used,
    cpuPercent: Math.round((used / window.ms) * 100),
    cpuUsPerRequest: requests > 0 ? Number(((used * 1000) / requests).toPrecision(3)) : null,
    rssKb: window.serverRssKb ?? null,
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const batch = requestBatcher(options);
  const { sockets, failed, errors: connectErrors } = await openConnections(options);
  const conns: Conn[] = sockets.map((socket) => ({
    socket,
    times: [],
    sent: [],
    head: 0,
    inFlight: 0,
    replies: 0,
    nextAt: 0,
  }));
  const run = new LoadRun(options, conns, batch);
  const ticker = run.start();
  const window = await measureWindow(options, run);
  if (ticker) clearInterval(ticker);
  for (const conn of conns) conn.socket.destroy();

  const served = conns.filter((c) => c.replies > 0).length;
  return {
    mode: options.mode,
    protocol: options.protocol,
    connections: {
      requested: options.connections,
      connected: conns.length,
      failed,
      served,
      starved: conns.length - served,
      connectErrors,
    },
    pipeline: options.pipeline,
    durationMs: Math.round(window.ms),
    requests: run.requests,
    errors: run.errors,
    throughput: Math.round((run.requests / window.ms) * 1000),
    targetRate: options.mode === 'fixed' ? options.rate : null,
    latencyMs: run.latency.summary(),
    serviceMs: options.mode === 'fixed' ? run.service.summary() : null,
    client: window.clientCpu,
    server: serverUsage(window, run.requests),
  };
}

async function openConnections(
  options: LoadOptions,
): Promise<{ sockets: net.Socket[]; failed: number; errors: string[] }> {
  const sockets: net.Socket[] = [];
  const errors = new Map<string, number>();
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.connections) {
      next++;
      try {
        sockets.push(await connectSocket({ host: options.host, port: options.port, timeoutMs: 5000 }));
      } catch (error) {
        failed++;
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        errors.set(code, (errors.get(code) ?? 0) + 1);
      }
    }
  };
  const concurrency = Math.min(options.connections, options.connectConcurrency ?? 100);
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sockets, failed, errors: [...errors].map(([code, count]) => `${code} × ${count}`) };
}

/** SETs every key once over one pipelined connection, so GETs hit. */
export async function preload(
  options: Pick<LoadOptions, 'host' | 'port' | 'keyspace' | 'valueSize'>,
): Promise<void> {
  const socket = await connectSocket({ host: options.host, port: options.port });
  const value = 'x'.repeat(options.valueSize);
  const reader = createReplyReader('resp');
  const chunk = 1000;
  try {
    for (let from = 0; from < options.keyspace; from += chunk) {
      const count = Math.min(chunk, options.keyspace - from);
      const parts: Buffer[] = [];
      for (let i = from; i < from + count; i++) parts.push(encodeCommand(['SET', keyName(i), value]));
      await new Promise<void>((resolve, reject) => {
        let got = 0;
        const onData = (data: Buffer): void => {
          for (const reply of reader.feed(data)) {
            if (reply instanceof RespError) reject(new Error(`preload: ${reply.message}`));
            got++;
          }
          if (got >= count) {
            socket.off('data', onData);
            resolve();
          }
        };
        socket.on('data', onData);
        socket.once('error', reject);
        socket.write(Buffer.concat(parts));
      });
    }
  } finally {
    socket.destroy();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
