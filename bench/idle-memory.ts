// Where an idle connection's memory goes on the hybrid transport, against Redis 7: RSS per idle connection of
// fresh servers through the CLI (Redis; the hybrid; the hybrid with V8's young generation capped, which shows
// how much of its RSS is young-generation growth), the kernel's slab growth per connection (not in any RSS),
// and, from a hybrid run in a probe process, the main thread's V8 heap spaces and each loop thread's live heap
// by constructor (what a LoopClient record and its strings cost). Writes idle-memory.{json,md}
// (bench/results/tmp/, or bench/results/ with --save: lib/paths.ts).
// Usage: node dist/bench/idle-memory.js [--idle 19800] [--hybrid-workers 2]

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { killAll, track, waitExit } from './lib/children.js';
import { bounded } from './lib/cli-args.js';
import type {
  HeapGroup,
  ProbeCommand,
  ProbeReply,
  SnapshotFigures,
  SpaceFigures,
} from './lib/hybrid-heap-probe.js';
import { newFleet, openIdle, serverFacts, startServer, type FleetSettings } from './lib/idle-scenario.js';
import { benchLibDir, resultsDir, saveOption } from './lib/paths.js';
import { ephemeralPortRange, fdCount, openFileLimits, rssKb } from './lib/proc.js';
import { log, Progress } from './lib/progress.js';
import { fmt, machineInfo, machineLine, markdownTable, writeJson, writeText } from './lib/report.js';
import { HOST, serverLabel, type ServerKind, type ServerProcess } from './lib/server-process.js';

interface Variant {
  label: string;
  kind: ServerKind;
  workers?: number;
  nodeOptions?: string[];
}

interface VariantResult {
  label: string;
  held: number;
  baselineRssKb: number;
  rssWithIdleKb: number;
  rssPerIdleKb: number | null;
  /** Kernel slab growth per connection (KB): both ends' sockets, system-wide (other tenants add noise). */
  slabPerConnectionKb: number | null;
  /** The caches that grew most, KB per connection each. */
  slabTop: string | null;
}

/**
 * Bytes in use per kernel slab cache (sockets, their files and epoll entries live there, outside every RSS):
 * active objects × object size from /proc/slabinfo (root only), so objects a cache keeps after an earlier run
 * closed its connections are not counted again. Undefined where unreadable.
 */
function slabActive(): Map<string, number> | undefined {
  try {
    const caches = new Map<string, number>();
    for (const line of readFileSync('/proc/slabinfo', 'utf8').split('\n').slice(2)) {
      const [name, active, , size] = line.trim().split(/\s+/);
      if (name && active !== undefined && size !== undefined)
        caches.set(name, (caches.get(name) ?? 0) + Number(active) * Number(size));
    }
    return caches;
  } catch {
    return undefined;
  }
}

/** Growth per connection, whole kernel and the caches that grew most (e.g. "TCP 2.31"), in KB. */
function slabGrowth(
  before: Map<string, number> | undefined,
  after: Map<string, number> | undefined,
  connections: number,
): { totalKb: number; top: string } | null {
  if (!before || !after || connections === 0) return null;
  const grown = [...after].map(([name, bytes]) => [name, bytes - (before.get(name) ?? 0)] as const);
  const total = grown.reduce((sum, [, bytes]) => sum + bytes, 0);
  const top = grown
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, bytes]) => `${name} ${perKb(bytes, connections)}`)
    .join(', ');
  return { totalKb: perKb(total, connections), top };
}

const perKb = (bytes: number, count: number): number => Number((bytes / 1024 / count).toPrecision(3));

async function measureVariant(
  variant: Variant,
  idle: number,
  fleetSettings: FleetSettings,
  lifetimeMs: number,
): Promise<VariantResult> {
  log(`${variant.label}: starting`);
  const { server, facts } = await startServer(variant.kind, variant.workers, idle, variant.nodeOptions);
  const fleet = newFleet(server, fleetSettings, lifetimeMs);
  try {
    const slabBefore = slabActive();
    const phase = await openIdle(
      fleet,
      server,
      facts,
      idle,
      fleetSettings.perAddress,
      60_000 + idle * 5,
      new Progress(),
    );
    const slab = slabGrowth(slabBefore, slabActive(), phase.accepted);
    const result: VariantResult = {
      label: variant.label,
      held: phase.accepted,
      baselineRssKb: facts.baselineRssKb,
      rssWithIdleKb: phase.rssKb,
      rssPerIdleKb:
        phase.accepted > 0
          ? Number(((phase.rssKb - facts.baselineRssKb) / phase.accepted).toPrecision(3))
          : null,
      slabPerConnectionKb: slab?.totalKb ?? null,
      slabTop: slab?.top ?? null,
    };
    log(
      `  ${variant.label}: ${fmt(result.held)} held, RSS ${fmt(result.baselineRssKb / 1024)} → ${fmt(result.rssWithIdleKb / 1024)} MB, ` +
        `${result.rssPerIdleKb} KB per idle; kernel slab +${result.slabPerConnectionKb} KB per connection (both ends)`,
    );
    return result;
  } finally {
    await fleet.stop();
    await server.stop();
  }
}

/** The probe child: a hybrid server in a process that answers questions about its heaps over IPC. */
class Probe {
  private readonly waiters: ((reply: ProbeReply) => void)[] = [];
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: ProbeReply) => this.waiters.shift()?.(reply));
  }

  static spawn(): Probe {
    const script = path.join(benchLibDir, 'hybrid-heap-probe.js');
    // As launchServer: raise the soft descriptor limit to the hard one, then exec node (same PID).
    const child = track(
      spawn(
        '/bin/sh',
        ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, script],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      ),
    );
    return new Probe(child);
  }

  ask<T extends ProbeReply['type']>(
    command: ProbeCommand,
    expect: T,
  ): Promise<Extract<ProbeReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`probe: no answer to ${command.type}`)), 120_000);
      this.waiters.push((reply) => {
        clearTimeout(timer);
        if (reply.type === expect) resolve(reply as Extract<ProbeReply, { type: T }>);
        else reject(new Error(`probe: ${reply.type === 'error' ? reply.message : reply.type}`));
      });
      this.child.send(command);
    });
  }

  /** The probe as the idle benches see a server: its descriptors and RSS from /proc, by PID. */
  asServer(port: number, pid: number, workers: number): ServerProcess {
    const child = this.child;
    return {
      kind: 'hybrid',
      label: `${serverLabel('hybrid', workers)} in the probe`,
      pid,
      host: HOST,
      port,
      startMs: 0,
      rssKb: () => rssKb(pid),
      fdCount: () => fdCount(pid),
      cpuMs: () => undefined,
      logTail: () => '',
      exited: () => child.exitCode !== null || child.signalCode !== null,
      stop: () => this.stop(),
    };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.send({ type: 'stop' } satisfies ProbeCommand);
    await waitExit(this.child, 10_000);
  }
}

/** One probe run: figures before and after `idle` connections, through `measure`. */
async function probeRun<T>(
  what: string,
  idle: number,
  workers: number,
  fleetSettings: FleetSettings,
  lifetimeMs: number,
  measure: (probe: Probe) => Promise<T>,
): Promise<{ before: T; after: T; held: number }> {
  log(`probe (${what}): hybrid with ${workers} loops in a probe process`);
  const probe = Probe.spawn();
  try {
    const started = await probe.ask({ type: 'start', workers, maxclients: idle + 16 }, 'started');
    const server = probe.asServer(started.port, started.pid, workers);
    const facts = await serverFacts(server);
    const before = await measure(probe);
    const fleet = newFleet(server, fleetSettings, lifetimeMs);
    try {
      const phase = await openIdle(
        fleet,
        server,
        facts,
        idle,
        fleetSettings.perAddress,
        60_000 + idle * 5,
        new Progress(),
      );
      const after = await measure(probe);
      return { before, after, held: phase.accepted };
    } finally {
      await fleet.stop();
    }
  } finally {
    await probe.stop();
  }
}

interface GroupGrowth {
  thread: string;
  name: string;
  countDelta: number;
  bytesDelta: number;
}

/** What grew in each isolate between two snapshots, largest first. */
function growth(before: SnapshotFigures, after: SnapshotFigures, top: number): GroupGrowth[] {
  return after.isolates.flatMap((isolate) => {
    const previous = new Map<string, HeapGroup>(
      (before.isolates.find((b) => b.thread === isolate.thread)?.groups ?? []).map((g) => [g.name, g]),
    );
    return isolate.groups
      .map((g) => ({
        thread: isolate.thread,
        name: g.name,
        countDelta: g.count - (previous.get(g.name)?.count ?? 0),
        bytesDelta: g.bytes - (previous.get(g.name)?.bytes ?? 0),
      }))
      .sort((a, b) => b.bytesDelta - a.bytesDelta)
      .slice(0, top);
  });
}

function markdown(
  generatedAt: string,
  command: string,
  idle: number,
  workers: number,
  variants: VariantResult[],
  spaces: { before: SpaceFigures; after: SpaceFigures; held: number } | null,
  snaps: { before: SnapshotFigures; after: SnapshotFigures; held: number } | null,
): string {
  let md = `# Where an idle connection's memory goes: the hybrid transport vs Redis 7\n\n`;
  md += `Generated ${generatedAt} on ${machineLine(machineInfo())}. ${fmt(idle)} idle connections, `;
  md += `hybrid with ${workers} loop threads. Command: \`${command}\`\n\n`;
  md += `## RSS per idle connection (fresh servers through the CLI)\n\n`;
  md += markdownTable(
    [
      'server',
      'idle held',
      'RSS before MB',
      'RSS with idle MB',
      'KB per idle',
      'kernel slab KB per connection (both ends)',
      'largest slab caches, KB per connection',
    ],
    variants.map((v) => [
      v.label,
      v.held,
      fmt(v.baselineRssKb / 1024),
      fmt(v.rssWithIdleKb / 1024),
      v.rssPerIdleKb,
      v.slabPerConnectionKb,
      v.slabTop,
    ]),
  );
  md += `\nThe kernel's side of a connection (socket, file, epoll entry: slab memory) is in no process's RSS, for `;
  md += `Redis as for redis-lite; the slab column counts both ends (the holders' sockets too) and the whole machine.\n`;
  if (spaces) {
    const names = Object.keys(spaces.after.committed);
    md += `\n## The main thread's V8 heap (probe, no GC forced), ${fmt(spaces.held)} idle connections\n\n`;
    md += markdownTable(
      [
        'space',
        'committed before KB',
        'committed after KB',
        'committed bytes per idle',
        'used before KB',
        'used after KB',
      ],
      names.map((n) => [
        n,
        fmt((spaces.before.committed[n] ?? 0) / 1024),
        fmt((spaces.after.committed[n] ?? 0) / 1024),
        fmt(
          ((spaces.after.committed[n] ?? 0) - (spaces.before.committed[n] ?? 0)) / Math.max(1, spaces.held),
        ),
        fmt((spaces.before.used[n] ?? 0) / 1024),
        fmt((spaces.after.used[n] ?? 0) / 1024),
      ]),
    );
    const total = (f: SpaceFigures): number => Object.values(f.committed).reduce((a, b) => a + b, 0);
    md += `\nMain thread heap committed: ${fmt(total(spaces.before) / 2 ** 20)} → ${fmt(total(spaces.after) / 2 ** 20)} MB, `;
    md += `${perKb(total(spaces.after) - total(spaces.before), Math.max(1, spaces.held))} KB per idle connection `;
    md += `(probe RSS ${fmt(spaces.before.rssBytes / 2 ** 20)} → ${fmt(spaces.after.rssBytes / 2 ** 20)} MB).\n`;
  }
  if (snaps) {
    md += `\n## Live JavaScript heap per thread (heap snapshots: live objects only, after V8's own GC), ${fmt(snaps.held)} idle connections\n\n`;
    md += markdownTable(
      [
        'thread',
        'live heap before MB',
        'live heap after MB',
        'bytes per idle connection of the whole server',
      ],
      snaps.after.isolates.map((isolate) => {
        const before = snaps.before.isolates.find((b) => b.thread === isolate.thread)?.totalBytes ?? 0;
        return [
          isolate.thread,
          fmt(before / 2 ** 20),
          fmt(isolate.totalBytes / 2 ** 20),
          fmt((isolate.totalBytes - before) / Math.max(1, snaps.held)),
        ];
      }),
    );
    md += `\n### What grew, per thread (the largest groups)\n\n`;
    md += markdownTable(
      ['thread', 'objects of', 'count added', 'bytes added', 'bytes each'],
      growth(snaps.before, snaps.after, 6).map((g) => [
        g.thread,
        g.name,
        g.countDelta,
        fmt(g.bytesDelta),
        g.countDelta > 0 ? fmt(g.bytesDelta / g.countDelta) : null,
      ]),
    );
    md += `\n"(array)" holds the backing stores of Maps and arrays, "(string)" every string, "(hidden)" V8's `;
    md += `internal objects; other names are constructors.\n`;
  }
  return md;
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('idle-memory')
    .usage('$0 [options]: where an idle connection of the hybrid transport costs memory, against Redis 7')
    .option('idle', { type: 'number', default: 19_800, describe: 'idle connections' })
    .option('hybrid-workers', { type: 'number', default: os.cpus().length, describe: 'loop threads' })
    .option('redis', { type: 'boolean', default: true, describe: '--no-redis: leave out the reference' })
    .option('probe', { type: 'boolean', default: true, describe: '--no-probe: only the RSS figures' })
    .option('write', { type: 'boolean', default: true, describe: '--no-write: print only' })
    .option('out', { type: 'string', default: resultsDir, describe: 'directory for the result files' })
    .option('max-seconds', { type: 'number', default: 600, describe: 'hard bound on the whole run' })
    .option('save', saveOption)
    .strict()
    .help()
    .parseAsync();
  const fdHard = openFileLimits()?.hard ?? 20_000;
  const idle = bounded('idle', argv.idle, 1, fdHard - 64);
  const workers = bounded('hybrid-workers', argv['hybrid-workers'], 1, 256);
  const maxSeconds = bounded('max-seconds', argv['max-seconds'], 5, 3600);
  const watchdog = setTimeout(() => {
    log(`\nidle-memory: --max-seconds ${maxSeconds} reached; stopping every child process`);
    killAll();
    process.exit(2);
  }, maxSeconds * 1000);
  watchdog.unref();
  const lifetimeMs = maxSeconds * 1000 + 10_000;
  const fleetSettings: FleetSettings = {
    idle,
    perProcess: Math.max(1, Math.min(8000, fdHard - 100)),
    perAddress: ephemeralPortRange().size - 500,
    concurrency: 200,
  };
  const generatedAt = new Date().toISOString();
  machineInfo();
  const hybrid = serverLabel('hybrid', workers);
  const variants: Variant[] = [
    ...(argv.redis ? [{ label: 'redis 7', kind: 'redis' as const }] : []),
    { label: hybrid, kind: 'hybrid', workers },
    // Semi-spaces of 1 MB instead of up to 16: what is left is what the young generation's growth is not.
    {
      label: `${hybrid}, --max-semi-space-size=1`,
      kind: 'hybrid',
      workers,
      nodeOptions: ['--max-semi-space-size=1'],
    },
  ];
  const results: VariantResult[] = [];
  for (const variant of variants)
    results.push(await measureVariant(variant, idle, fleetSettings, lifetimeMs));
  const spaces = argv.probe
    ? await probeRun(
        'main thread heap spaces',
        idle,
        workers,
        fleetSettings,
        lifetimeMs,
        async (p) => (await p.ask({ type: 'spaces' }, 'spaces')).figures,
      )
    : null;
  const snaps = argv.probe
    ? await probeRun(
        'heap snapshots',
        idle,
        workers,
        fleetSettings,
        lifetimeMs,
        async (p) => (await p.ask({ type: 'snapshots' }, 'snapshots')).figures,
      )
    : null;
  const command = ['node dist/bench/idle-memory.js', ...process.argv.slice(2)].join(' ');
  const md = markdown(generatedAt, command, idle, workers, results, spaces, snaps);
  process.stdout.write(`\n${md}`);
  if (argv.write) {
    writeJson(path.join(argv.out, 'idle-memory.json'), {
      schema: 'redis-lite/idle-memory@1',
      generatedAt,
      machine: machineInfo(),
      loadAverageEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
      command,
      settings: { idle, workers },
      variants: results,
      mainThreadSpaces: spaces,
      heapSnapshots: snaps && {
        held: snaps.held,
        before: snaps.before.isolates.map((i) => ({ thread: i.thread, totalBytes: i.totalBytes })),
        after: snaps.after.isolates.map((i) => ({ thread: i.thread, totalBytes: i.totalBytes })),
        growth: growth(snaps.before, snaps.after, 12),
      },
    });
    writeText(path.join(argv.out, 'idle-memory.md'), md);
    process.stdout.write(`written ${path.join(argv.out, 'idle-memory.{json,md}')}\n`);
  }
  clearTimeout(watchdog);
}

main().catch((error: unknown) => {
  process.stderr.write(`idle-memory: ${(error as Error).stack ?? String(error)}\n`);
  killAll();
  process.exitCode = 1;
});
