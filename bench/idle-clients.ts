// Reproduces idle-client starvation: for each transport, a fresh redis-lite server (through the CLI), N idle
// connections held by child processes, then an active client: served or starved, its latency, the server's
// RSS, and the recovery once the idle clients leave. `--sweep` walks the idle count past the worker count.
// Usage: node dist/bench/idle-clients.js [--idle 10000] [--workers 100] [--hybrid-workers 2]
//          [--transports eventloop,pool,hybrid] [--sweep]

import os from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { killAll } from './lib/children.js';
import { bounded, numberList, stringList } from './lib/cli-args.js';
import { withTimeout } from './lib/client.js';
import {
  newFleet,
  openIdle,
  probeActive,
  requestSeries,
  settleFds,
  startServer,
  type IdlePhase,
  type RequestSeries,
  type ServerFacts,
} from './lib/idle-scenario.js';
import { resultsDir, saveOption } from './lib/paths.js';
import { ephemeralPortRange, openFileLimits } from './lib/proc.js';
import { log, Progress } from './lib/progress.js';
import {
  singleMarkdown,
  sweepChart,
  sweepMarkdown,
  type Settings,
  type SweepPoint,
  type TransportRun,
} from './lib/idle-report.js';
import { fmt, machineInfo, writeJson, writeText } from './lib/report.js';
import { SERVER_KINDS, serverLabel, type ServerKind, type ServerProcess } from './lib/server-process.js';

function explainLimits(
  transport: ServerKind,
  facts: ServerFacts,
  idle: IdlePhase,
  settings: Settings,
): string[] {
  const notes: string[] = [];
  const hard = facts.fdLimit?.hard;
  if (facts.maxclients !== null && facts.maxclients < settings.idle + 1) {
    notes.push(
      `server maxclients is ${facts.maxclients} (asked for ${settings.idle + 16}; servers lower it to their descriptor limit` +
        `${hard !== undefined ? ` of ${hard}` : ''} minus a reserve, and that hard limit cannot be raised here): ` +
        `it refuses clients beyond it, so this run is capped below ${settings.idle} idle + 1 active.`,
    );
  }
  if (idle.closedByServer > 0) {
    notes.push(
      `the server closed ${idle.closedByServer} idle connection(s)` +
        (idle.serverMessage ? `, writing "${idle.serverMessage.split('\r')[0]}"` : ' without a message') +
        (/max number of clients/.test(idle.serverMessage ?? '')
          ? ': its maxclients stops the run here.'
          : '.'),
    );
  }
  const errors = idle.errors;
  if (errors.EADDRNOTAVAIL) {
    notes.push(
      `${errors.EADDRNOTAVAIL} connect(s) failed with EADDRNOTAVAIL: a source address ran out of ephemeral ports ` +
        `(${ephemeralPortRange().size} per address); lower --per-address to spread over more 127.0.0.x addresses.`,
    );
  }
  if (errors.EMFILE || errors.ENFILE) {
    notes.push(
      `a holder process ran out of descriptors (EMFILE/ENFILE × ${(errors.EMFILE ?? 0) + (errors.ENFILE ?? 0)}, ` +
        `limit ${openFileLimits()?.hard ?? '?'}); lower --per-process.`,
    );
  }
  const timeouts =
    (errors.CONNECT_TIMEOUT ?? 0) +
    (errors.ETIMEDOUT ?? 0) +
    (errors.ECONNREFUSED ?? 0) +
    (errors.ECONNRESET ?? 0);
  if (timeouts > 0) {
    notes.push(
      `${timeouts} connect(s) refused, reset or timed out: the accept backlog overflowed or the server stopped accepting ` +
        `(errors: ${JSON.stringify(errors)}).`,
    );
  }
  if (idle.accepted < idle.opened) {
    notes.push(
      `the server holds descriptors for only ${idle.accepted} of the ${idle.opened} connections the clients see open: ` +
        `the rest wait in the kernel's accept queue, the server is not accepting them ` +
        `(descriptor limit ${facts.fdLimit ? `${facts.fdLimit.soft}/${facts.fdLimit.hard}` : 'unknown'}, maxclients ${facts.maxclients ?? '?'}).`,
    );
  }
  if (transport === 'pool' && idle.accepted >= settings.workers) {
    notes.push(
      `all ${settings.workers} workers are pinned by idle clients; ${idle.accepted - settings.workers} more wait in the job queue.`,
    );
  }
  return notes;
}

/** The worker (pool) or loop (hybrid) threads this run asks of a transport. */
function workersOf(transport: ServerKind, settings: Settings): number | undefined {
  return transport === 'pool'
    ? settings.workers
    : transport === 'hybrid'
      ? settings.hybridWorkers
      : undefined;
}

async function runTransport(
  transport: ServerKind,
  settings: Settings,
  progress: Progress,
  lifetimeMs: number,
): Promise<TransportRun> {
  log(`${transport}: starting a fresh server`);
  const { server, facts } = await startServer(transport, workersOf(transport, settings), settings.idle);
  const fleet = newFleet(server, settings, lifetimeMs);
  try {
    log(
      `  ${server.label} ready in ${facts.startMs} ms, pid ${server.pid}, RSS ${fmt(facts.baselineRssKb / 1024)} MB, ` +
        `maxclients ${facts.maxclients ?? '?'}, descriptor limit ${facts.fdLimit ? `${facts.fdLimit.soft}/${facts.fdLimit.hard}` : '?'}`,
    );
    const idle = await openIdle(
      fleet,
      server,
      facts,
      settings.idle,
      settings.perAddress,
      settings.openTimeoutMs,
      progress,
    );
    const limits = explainLimits(transport, facts, idle, settings);
    for (const note of limits) log(`  limit: ${note}`);

    const probe = await probeActive(server, settings.starveTimeoutMs);
    let series: RequestSeries | null = null;
    let recovery: TransportRun['recovery'] = null;
    let idleCloseMs = 0;
    if (probe.status === 'served' && probe.client) {
      log(`  active client served: first reply ${probe.firstReplyMs} ms after connecting`);
      series = await requestSeries(probe.client, settings.requests, settings.requestTimeoutMs);
      log(
        `  ${series.requests} requests: p50 ${series.latencyMs.p50} ms, p99 ${series.latencyMs.p99} ms, max ${series.latencyMs.max} ms`,
      );
      const closeStart = performance.now();
      await fleet.closeAll();
      await settleFds(server, facts.baselineFds + 1, 30_000);
      idleCloseMs = Math.round(performance.now() - closeStart);
      probe.client.close();
    } else if (probe.status === 'starved' && probe.client && probe.pending) {
      log(
        `  active client STARVED: no reply within ${settings.starveTimeoutMs} ms; closing the idle connections`,
      );
      const closeStart = performance.now();
      const closing = fleet.closeAll();
      let closeToFirstReplyMs: number | null = null;
      let firstReplyMs: number | null = null;
      try {
        await withTimeout(probe.pending, settings.recoveryTimeoutMs, 'recovery');
        closeToFirstReplyMs = Number((performance.now() - closeStart).toPrecision(3));
        firstReplyMs = Number((performance.now() - probe.startedAt).toPrecision(4));
        log(`  recovered: first reply ${closeToFirstReplyMs} ms after the idle clients began to close`);
      } catch (error) {
        log(`  no recovery within ${settings.recoveryTimeoutMs} ms: ${(error as Error).message}`);
      }
      await closing;
      const recoverySeries =
        closeToFirstReplyMs !== null
          ? await requestSeries(probe.client, settings.requests, settings.requestTimeoutMs)
          : null;
      if (recoverySeries)
        log(
          `  after recovery: p50 ${recoverySeries.latencyMs.p50} ms, p99 ${recoverySeries.latencyMs.p99} ms`,
        );
      recovery = { closeToFirstReplyMs, firstReplyMs, series: recoverySeries };
      await settleFds(server, facts.baselineFds + 1, 30_000);
      idleCloseMs = Math.round(performance.now() - closeStart);
      probe.client.close();
    } else {
      log(`  active client ${probe.status}: ${probe.error}`);
      if (probe.status === 'refused')
        limits.push(`the active client was refused ("${probe.error}"): the server is full.`);
      await fleet.closeAll();
    }
    const stopStart = performance.now();
    await server.stop();
    const stopMs = Math.round(performance.now() - stopStart);
    return {
      transport,
      server: {
        ...facts,
        rssWithIdleKb: idle.rssKb,
        rssPerIdleKb:
          idle.accepted > 0
            ? Number(((idle.rssKb - facts.baselineRssKb) / idle.accepted).toPrecision(3))
            : null,
        stopMs,
      },
      idle,
      active: {
        status: probe.status,
        connectMs: probe.connectMs,
        firstReplyMs: probe.firstReplyMs,
        error: probe.error,
        series,
      },
      recovery,
      idleCloseMs,
      limits,
    };
  } finally {
    await fleet.stop();
    await server.stop();
  }
}

export function defaultSweepPoints(workers: number, idle: number): number[] {
  const points = new Set<number>([
    0,
    Math.floor(workers / 2),
    workers - 1,
    workers,
    workers + 1,
    2 * workers,
  ]);
  for (let decade = 1; decade <= idle * 10; decade *= 10) {
    for (const step of [1, 2, 5]) if (step * decade > 2 * workers) points.add(step * decade);
  }
  points.add(idle);
  return [...points].filter((p) => p >= 0 && p <= idle).sort((a, b) => a - b);
}

async function runSweep(
  transport: ServerKind,
  settings: Settings,
  progress: Progress,
  lifetimeMs: number,
): Promise<SweepPoint[]> {
  const points = settings.sweepPoints ?? defaultSweepPoints(settings.workers, settings.idle);
  log(`${transport}: sweep over idle = ${points.join(', ')}`);
  const { server, facts } = await startServer(transport, workersOf(transport, settings), settings.idle);
  const fleet = newFleet(server, settings, lifetimeMs);
  const results: SweepPoint[] = [];
  try {
    for (const idleCount of points) {
      const idle = await openIdle(
        fleet,
        server,
        facts,
        idleCount,
        settings.perAddress,
        settings.openTimeoutMs,
        progress,
      );
      const probe = await probeActive(server, settings.starveTimeoutMs);
      let series: RequestSeries | null = null;
      if (probe.status === 'served' && probe.client)
        series = await requestSeries(probe.client, settings.requests, settings.requestTimeoutMs);
      probe.client?.close();
      const point: SweepPoint = {
        idle: idleCount,
        accepted: idle.accepted,
        status: probe.status,
        firstReplyMs: probe.firstReplyMs,
        p50: series && series.requests > 0 ? series.latencyMs.p50 : null,
        p99: series && series.requests > 0 ? series.latencyMs.p99 : null,
        rssKb: idle.rssKb,
      };
      results.push(point);
      log(
        `  idle ${idleCount}: ${point.status}${point.p99 !== null ? `, p50 ${point.p50} ms p99 ${point.p99} ms` : ''}`,
      );
      // Let a served active client's worker return to the pool before the next point.
      if (probe.status === 'served') await settleFds(server, facts.baselineFds + idle.accepted, 15_000);
    }
  } finally {
    await fleet.stop();
    await server.stop();
  }
  return results;
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('idle-clients')
    .usage('$0 [options]: N idle connections, then an active client: served or starved?')
    .option('transports', {
      type: 'string',
      default: 'eventloop,pool,hybrid',
      describe: 'comma list: eventloop, pool, hybrid, redis (reference)',
    })
    .option('idle', { alias: 'n', type: 'number', default: 10_000, describe: 'idle connections' })
    .option('workers', { type: 'number', default: 100, describe: 'pool worker threads' })
    .option('hybrid-workers', {
      type: 'number',
      default: os.cpus().length,
      describe: "the hybrid's loop threads (its --workers; default the number of cores, as its CLI)",
    })
    .option('requests', { type: 'number', default: 200, describe: "the active client's sequential requests" })
    .option('starve-timeout', {
      type: 'number',
      default: 3000,
      describe: 'ms without a first reply that count as starved',
    })
    .option('request-timeout', { type: 'number', default: 2000, describe: 'ms per later request' })
    .option('recovery-timeout', {
      type: 'number',
      default: 60_000,
      describe: 'ms to wait for the starved reply after the idle clients close',
    })
    .option('sweep', {
      type: 'boolean',
      default: false,
      describe: 'sweep the idle count from 0 past the worker count to --idle',
    })
    .option('sweep-points', { type: 'string', describe: 'explicit comma list of idle counts for --sweep' })
    .option('per-process', {
      type: 'number',
      default: 8000,
      describe: 'idle connections per holder process (descriptor limit)',
    })
    .option('per-address', {
      type: 'number',
      default: ephemeralPortRange().size - 500,
      describe: 'idle connections per loopback source address',
    })
    .option('connect-concurrency', {
      type: 'number',
      default: 200,
      describe: 'connects in flight per holder process',
    })
    .option('max-seconds', { type: 'number', default: 900, describe: 'hard bound on the whole run' })
    .option('out', { type: 'string', default: resultsDir, describe: 'directory for the result files' })
    .option('save', saveOption)
    .strict()
    .help()
    .parseAsync();

  const transports = stringList(argv.transports) as ServerKind[];
  for (const t of transports) if (!SERVER_KINDS.includes(t)) throw new Error(`unknown transport ${t}`);
  const maxSeconds = bounded('max-seconds', argv['max-seconds'], 5, 3600);
  const settings: Settings = {
    transports,
    idle: bounded('idle', argv.idle, 0, 1_000_000),
    workers: bounded('workers', argv.workers, 1, 10_000),
    hybridWorkers: bounded('hybrid-workers', argv['hybrid-workers'], 1, 256),
    requests: bounded('requests', argv.requests, 1, 100_000),
    starveTimeoutMs: bounded('starve-timeout', argv['starve-timeout'], 10, 600_000),
    requestTimeoutMs: bounded('request-timeout', argv['request-timeout'], 10, 600_000),
    recoveryTimeoutMs: bounded('recovery-timeout', argv['recovery-timeout'], 100, 600_000),
    perProcess: bounded(
      'per-process',
      argv['per-process'],
      1,
      Math.max(1, (openFileLimits()?.hard ?? 20_000) - 100),
    ),
    perAddress: bounded('per-address', argv['per-address'], 1, ephemeralPortRange().size),
    concurrency: bounded('connect-concurrency', argv['connect-concurrency'], 1, 10_000),
    openTimeoutMs: 60_000 + argv.idle * 5,
    sweepPoints: argv['sweep-points'] !== undefined ? numberList(argv['sweep-points']) : null,
  };
  const watchdog = setTimeout(() => {
    log(`\nidle-clients: --max-seconds ${maxSeconds} reached; stopping every child process`);
    killAll();
    process.exit(2);
  }, maxSeconds * 1000);
  watchdog.unref();
  const lifetimeMs = maxSeconds * 1000 + 10_000;
  const progress = new Progress();
  const generatedAt = new Date().toISOString();
  const common = { generatedAt, machine: machineInfo(), settings: { ...settings, maxSeconds } };

  if (argv.sweep) {
    const sweeps: Record<string, SweepPoint[]> = {};
    for (const transport of transports) {
      sweeps[serverLabel(transport, workersOf(transport, settings))] = await runSweep(
        transport,
        settings,
        progress,
        lifetimeMs,
      );
    }
    writeJson(path.join(argv.out, 'idle-clients-sweep.json'), {
      schema: 'redis-lite/idle-clients-sweep@1',
      ...common,
      sweeps,
    });
    writeText(path.join(argv.out, 'idle-clients-sweep.md'), sweepMarkdown(sweeps, settings, generatedAt));
    writeText(path.join(argv.out, 'idle-clients-sweep.svg'), sweepChart(sweeps, settings));
    process.stdout.write(
      `${sweepMarkdown(sweeps, settings, generatedAt)}\nwritten ${argv.out}/idle-clients-sweep.{json,md,svg}\n`,
    );
  } else {
    const runs: TransportRun[] = [];
    for (const transport of transports)
      runs.push(await runTransport(transport, settings, progress, lifetimeMs));
    writeJson(path.join(argv.out, 'idle-clients.json'), {
      schema: 'redis-lite/idle-clients@1',
      ...common,
      runs,
    });
    writeText(path.join(argv.out, 'idle-clients.md'), singleMarkdown(runs, settings, generatedAt));
    process.stdout.write(
      `${singleMarkdown(runs, settings, generatedAt)}\nwritten ${argv.out}/idle-clients.{json,md}\n`,
    );
  }
  clearTimeout(watchdog);
}

main().catch((error: unknown) => {
  process.stderr.write(`idle-clients: ${(error as Error).stack ?? String(error)}\n`);
  killAll();
  process.exitCode = 1;
});
