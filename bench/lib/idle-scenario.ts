// The phases of the idle-clients bench, shared by the single run and the sweep: start a server and take
// its baseline, open idle connections and wait until the server holds them (counted from /proc, which works
// even when every pool worker is pinned), probe with an active client, close the idle connections.

import { BenchClient, parseInfo, replyText, TimeoutError, withTimeout } from './client.js';
import { RespError } from './resp.js';
import { IdleFleet, loopbackAddresses, type FleetStatus } from './idle-fleet.js';
import { LatencyRecorder, type LatencySummary } from './latency.js';
import { openFileLimits } from './proc.js';
import { Progress } from './progress.js';
import { launchServer, type ServerKind, type ServerProcess } from './server-process.js';

export interface ServerFacts {
  label: string;
  pid: number;
  startMs: number;
  /** maxclients as the server reports it (CONFIG GET), after any lowering to its descriptor limit. */
  maxclients: number | null;
  fdLimit: { soft: number; hard: number } | null;
  baselineFds: number;
  baselineRssKb: number;
}

/**
 * workers: the pool's worker threads or the hybrid's loop threads (ignored by the others); nodeOptions: Node's
 * own flags for redis-lite (cost analysis, e.g. --max-semi-space-size=1).
 */
export async function startServer(
  kind: ServerKind,
  workers: number | undefined,
  idle: number,
  nodeOptions?: string[],
): Promise<{ server: ServerProcess; facts: ServerFacts }> {
  // Ask for room for every idle client plus the active client and a probe; the server may lower it.
  const server = await launchServer({
    kind,
    workers,
    maxclients: idle + 16,
    backlog: 4096,
    ...(nodeOptions ? { nodeOptions } : {}),
  });
  return { server, facts: await serverFacts(server) };
}

/** What the idle benches record of a server that answers PING: maxclients, descriptor limit, baseline. */
export async function serverFacts(server: ServerProcess): Promise<ServerFacts> {
  let maxclients: number | null = null;
  try {
    const probe = await BenchClient.connect({ host: server.host, port: server.port });
    try {
      const reply = await probe.call(['CONFIG', 'GET', 'maxclients'], 3000);
      if (Array.isArray(reply) && reply[1] !== undefined) maxclients = Number(replyText(reply[1]));
    } finally {
      probe.close();
    }
  } catch {
    maxclients = null;
  }
  await settleFds(server, undefined, 2000);
  return {
    label: server.label,
    pid: server.pid,
    startMs: Math.round(server.startMs),
    maxclients,
    fdLimit: openFileLimits(server.pid) ?? null,
    baselineFds: server.fdCount() ?? 0,
    baselineRssKb: server.rssKb() ?? 0,
  };
}

/** How a bench spreads its idle connections (idle-clients' Settings has these fields). */
export interface FleetSettings {
  idle: number;
  perProcess: number;
  perAddress: number;
  concurrency: number;
}

/** A fleet of holder processes for up to settings.idle connections to this server. */
export function newFleet(server: ServerProcess, settings: FleetSettings, lifetimeMs: number): IdleFleet {
  const addresses = Math.max(1, Math.ceil(settings.idle / settings.perAddress));
  return new IdleFleet({
    host: server.host,
    port: server.port,
    perProcess: settings.perProcess,
    perAddress: settings.perAddress,
    sourceAddresses: loopbackAddresses(addresses),
    concurrency: settings.concurrency,
    connectTimeoutMs: 10_000,
    lifetimeMs,
  });
}

/** Waits until the server's descriptor count stops falling (or reaches `target`), at most ms. */
export async function settleFds(
  server: ServerProcess,
  target: number | undefined,
  ms: number,
): Promise<number> {
  const deadline = performance.now() + ms;
  let last = server.fdCount() ?? 0;
  while (performance.now() < deadline) {
    await sleep(50);
    const now = server.fdCount() ?? 0;
    if (target !== undefined ? now <= target : now === last) return now;
    last = now;
  }
  return last;
}

export interface IdlePhase {
  requested: number;
  opened: number;
  failed: number;
  closedByServer: number;
  /** Connections the server holds a descriptor for (its fd count minus its baseline). */
  accepted: number;
  /** Until every connect settled, client side. */
  openMs: number;
  /** Until the server held them all (or gave up). */
  acceptedMs: number;
  holders: number;
  sourceAddressesUsed: number;
  errors: Record<string, number>;
  serverMessage: string | null;
  /** INFO's connected_clients where the server can answer (not a pinned pool). */
  infoConnectedClients: number | null;
  rssKb: number;
}

export async function openIdle(
  fleet: IdleFleet,
  server: ServerProcess,
  facts: ServerFacts,
  total: number,
  perAddress: number,
  timeoutMs: number,
  progress: Progress,
): Promise<IdlePhase> {
  const start = performance.now();
  await fleet.openTo(total);
  let status: FleetStatus = await fleet.status();
  const deadline = start + timeoutMs;
  while (!status.settled && performance.now() < deadline) {
    await sleep(100);
    if (server.exited())
      throw new Error(`${server.label} exited while idle connections opened:\n${server.logTail()}`);
    status = await fleet.status();
    const held = (server.fdCount() ?? facts.baselineFds) - facts.baselineFds;
    progress.update(
      `  ${server.label}: opening idle connections ${status.open}/${total} (failed ${status.failed}, server holds ${held})`,
    );
  }
  const openMs = performance.now() - start;
  let accepted = (server.fdCount() ?? facts.baselineFds) - facts.baselineFds;
  while (accepted < status.open && performance.now() < deadline) {
    await sleep(50);
    if (server.exited())
      throw new Error(`${server.label} exited while accepting idle connections:\n${server.logTail()}`);
    accepted = (server.fdCount() ?? facts.baselineFds) - facts.baselineFds;
    status = await fleet.status();
    progress.update(`  ${server.label}: waiting for the server to accept: ${accepted}/${status.open}`);
  }
  const acceptedMs = performance.now() - start;
  // A server may open a descriptor or two of its own for its first clients (the hybrid's second loop does):
  // never count more connections held than are open.
  accepted = Math.min(accepted, status.open);
  progress.done(
    `  ${server.label}: ${status.open} idle connections open in ${Math.round(openMs)} ms, server holds ${accepted} ` +
      `after ${Math.round(acceptedMs)} ms${status.failed ? `, ${status.failed} failed to connect` : ''}` +
      `${status.closedByServer ? `, ${status.closedByServer} closed by the server` : ''}`,
  );
  let infoConnectedClients: number | null = null;
  if (server.kind !== 'pool') {
    try {
      const info = await BenchClient.connect({ host: server.host, port: server.port });
      try {
        const fields = parseInfo(replyText(await info.call(['INFO', 'clients'], 3000)));
        // Minus one: the INFO connection itself.
        infoConnectedClients = Number(fields.get('connected_clients')) - 1;
      } finally {
        info.close();
      }
    } catch {
      infoConnectedClients = null;
    }
  }
  return {
    requested: total,
    opened: status.open,
    failed: status.failed,
    closedByServer: status.closedByServer,
    accepted,
    openMs: Math.round(openMs),
    acceptedMs: Math.round(acceptedMs),
    holders: status.holders,
    sourceAddressesUsed: Math.max(1, Math.ceil(total / perAddress)),
    errors: status.errors,
    serverMessage: status.serverMessage,
    infoConnectedClients,
    rssKb: server.rssKb() ?? 0,
  };
}

export type ActiveStatus = 'served' | 'starved' | 'refused' | 'failed';

export interface ActiveProbe {
  /** refused: the server answered with an error (e.g. maxclients) instead of serving. */
  status: ActiveStatus;
  connectMs: number | null;
  /** From the start of connect to the first reply; null if none came within the starve timeout. */
  firstReplyMs: number | null;
  error: string | null;
  client: BenchClient | null;
  /** The first request's reply, still awaited when starved. */
  pending: Promise<unknown> | null;
  startedAt: number;
}

/** Connects an active client and sends one PING; starved if no reply within starveTimeoutMs. */
export async function probeActive(server: ServerProcess, starveTimeoutMs: number): Promise<ActiveProbe> {
  const startedAt = performance.now();
  let client: BenchClient;
  try {
    client = await BenchClient.connect({ host: server.host, port: server.port, timeoutMs: 5000 });
  } catch (error) {
    return {
      status: 'failed',
      connectMs: null,
      firstReplyMs: null,
      error: (error as Error).message,
      client: null,
      pending: null,
      startedAt,
    };
  }
  const connectMs = Number((performance.now() - startedAt).toPrecision(3));
  const pending = client.request(['PING']);
  try {
    const reply = await withTimeout(pending, starveTimeoutMs, 'PING');
    if (reply instanceof RespError) {
      client.close();
      return {
        status: 'refused',
        connectMs,
        firstReplyMs: null,
        error: reply.message,
        client: null,
        pending: null,
        startedAt,
      };
    }
    return {
      status: 'served',
      connectMs,
      firstReplyMs: Number((performance.now() - startedAt).toPrecision(3)),
      error: null,
      client,
      pending: null,
      startedAt,
    };
  } catch (error) {
    if (error instanceof TimeoutError)
      return { status: 'starved', connectMs, firstReplyMs: null, error: null, client, pending, startedAt };
    client.close();
    return {
      status: 'failed',
      connectMs,
      firstReplyMs: null,
      error: (error as Error).message,
      client: null,
      pending: null,
      startedAt,
    };
  }
}

export interface RequestSeries {
  requests: number;
  timeouts: number;
  errors: number;
  latencyMs: LatencySummary;
}

/** Sequential GET/SET requests (one in flight), each bounded by timeoutMs; stops at the first timeout. */
export async function requestSeries(
  client: BenchClient,
  count: number,
  timeoutMs: number,
): Promise<RequestSeries> {
  return (await interleavedSeries([client], count, timeoutMs))[0]!;
}

/**
 * The same series on several clients (one per server) taking turns request by request, the order rotating,
 * so a burst of load from elsewhere on the machine falls on every server alike: their latencies are paired
 * at the scale of one request rather than of one run. A client stops at its first timeout or error.
 */
export async function interleavedSeries(
  clients: readonly BenchClient[],
  count: number,
  timeoutMs: number,
): Promise<RequestSeries[]> {
  const state = clients.map(() => ({
    latency: new LatencyRecorder(),
    timeouts: 0,
    errors: 0,
    stopped: false,
  }));
  for (let i = 0; i < count; i++) {
    const argv = i % 2 === 0 ? ['SET', `active:${i % 100}`, 'value'] : ['GET', `active:${(i - 1) % 100}`];
    for (let turn = 0; turn < clients.length; turn++) {
      const k = (turn + i) % clients.length;
      const s = state[k]!;
      if (s.stopped) continue;
      const start = performance.now();
      try {
        await clients[k]!.call(argv, timeoutMs);
        s.latency.recordMs(performance.now() - start);
      } catch (error) {
        if (error instanceof TimeoutError) s.timeouts++;
        else s.errors++;
        s.stopped = true;
      }
    }
    if (state.every((s) => s.stopped)) break;
  }
  return state.map((s) => ({
    requests: s.latency.count,
    timeouts: s.timeouts,
    errors: s.errors,
    latencyMs: s.latency.summary(),
  }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
