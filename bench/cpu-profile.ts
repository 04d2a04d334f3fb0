// Where a request's CPU goes: the hybrid (--workers 1) against Redis 7 under redis-benchmark -c 50, at -P 1 and
// -P 16. perf stat gives CPU time, context switches and system calls per request; perf record (the hybrid runs
// with --perf-basic-prof, so JIT-compiled JavaScript has names) gives where the samples fall: the kernel, our
// JavaScript, V8 builtins, N-API calls into the native helper, typed-array views, Atomics, GC, libc. Rounds
// alternate the servers. Needs perf (Linux; tracepoints for the system-call counts). Writes
// cpu-profile.{json,md} (bench/results/tmp/, or bench/results/ with --save: lib/paths.ts).
// `--hybrid-workers 1,2 --no-redis --client-cpus 1 --name cpu-profile-scaling` compares loop counts instead.
// Usage: node dist/bench/cpu-profile.js [--rounds 3] [--test get] [--requests-p1 300000] [--requests-p16 2000000]

import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { killAll, track, waitExit } from './lib/children.js';
import { bounded, numberList } from './lib/cli-args.js';
import { resultsDir, saveOption } from './lib/paths.js';
import { log } from './lib/progress.js';
import { runRedisBenchmark } from './lib/redis-benchmark.js';
import { fmt, machineInfo, machineLine, markdownTable, writeJson, writeText } from './lib/report.js';
import { launchServer, serverLabel, type LaunchOptions } from './lib/server-process.js';

interface Server {
  id: string;
  launch: LaunchOptions;
}

const STAT_EVENTS = [
  'task-clock',
  'context-switches',
  'raw_syscalls:sys_enter',
  'syscalls:sys_enter_epoll_wait',
  'syscalls:sys_enter_read',
  'syscalls:sys_enter_write',
  'syscalls:sys_enter_sendto',
];

/** Where a sample falls, by its DSO and symbol (V8's builtins and N-API live in the node binary). */
const CATEGORIES: { name: string; match: (dso: string, sym: string) => boolean }[] = [
  { name: 'kernel', match: (dso) => dso.startsWith('[kernel') },
  { name: 'JavaScript (JIT code)', match: (dso) => dso.startsWith('[JIT]') || dso.startsWith('perf-') },
  {
    name: 'N-API calls (argument checks, typed-array info)',
    match: (_, sym) =>
      /napi_|v8impl|FunctionCallbackWrapper|IsTypedArray|ArrayBufferView|JSTypedArray::type/.test(sym),
  },
  {
    name: 'Buffer / typed-array views (a subarray per read)',
    match: (_, sym) =>
      /CreateTypedArray|JSTypedArray::GetBuffer|FindNonDefaultConstructor|TypedArray/.test(sym),
  },
  { name: 'Atomics (store locks, counters)', match: (_, sym) => /Atomics/.test(sym) },
  {
    name: 'GC and allocation',
    match: (_, sym) => /Scaveng|Heap::|Sweep|Mark|Evacuat|Collect|Semi|NewSpace|Allocat/.test(sym),
  },
  { name: 'other V8 / Node builtins (inline caches, calls)', match: (dso) => dso === 'node' },
  { name: 'redis-server', match: (dso) => dso.startsWith('redis') },
  { name: 'libc, vdso, jemalloc', match: (dso) => /^(libc|libm|\[vdso\]|libjemalloc|libpthread)/.test(dso) },
  { name: 'native helper (fdutil.node)', match: (dso) => dso.startsWith('fdutil') },
];

interface Stat {
  taskClockMs: number | null;
  contextSwitches: number | null;
  syscalls: Record<string, number | null>;
}

interface Point {
  round: number;
  server: string;
  pipeline: number;
  requests: number;
  rps: number | null;
  stat: Stat;
  /** perf record samples per category, and the JavaScript functions with the most samples. */
  samples: number;
  categories: Record<string, number>;
  topFunctions: { symbol: string; samples: number }[];
  error: string | null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs perf (stat or record) on pid while `during` runs, then stops it with SIGINT; resolves its stderr. */
async function perfDuring(args: string[], during: () => Promise<unknown>): Promise<string> {
  const child = track(spawn('perf', args, { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await sleep(300); // perf attaches
  try {
    await during();
  } finally {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGINT');
    await waitExit(child, 30_000);
  }
  return stderr;
}

/** perf stat -x, lines: value,unit,event,... */
function parseStat(text: string): Stat {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const cells = line.split(',');
    if (cells.length >= 3 && cells[0] !== '' && !Number.isNaN(Number(cells[0])))
      values.set(cells[2]!, Number(cells[0]));
  }
  const syscalls: Record<string, number | null> = {};
  for (const event of STAT_EVENTS.slice(2))
    syscalls[event.replace(/^.*sys_enter_?/, '') || 'all'] = values.get(event) ?? null;
  return {
    taskClockMs: values.get('task-clock') ?? null,
    contextSwitches: values.get('context-switches') ?? null,
    syscalls,
  };
}

function report(file: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      'perf',
      ['report', '-i', file, '--no-children', '-g', 'none', '--sort', 'dso,sym', '--stdio', '-n'],
      { maxBuffer: 64 * 2 ** 20, timeout: 120_000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    ),
  );
}

const bundles = new Map<string, string[] | null>();

/**
 * "run /…/loop-worker.bundle.cjs:5220:10" → "run (core/commands/strings-get-set)": esbuild marks where each source
 * module starts in a bundle ("// dist/src/core/….js"), so the line number names the module the function is from.
 */
export function sourceOf(symbol: string): string {
  const m = /^(\S+) (\S+\.bundle\.cjs):(\d+):\d+$/.exec(symbol);
  if (!m) return symbol.replace(/ \S*\/dist\/src\//, ' ');
  let lines = bundles.get(m[2]!);
  if (lines === undefined) {
    try {
      lines = readFileSync(m[2]!, 'utf8').split('\n');
    } catch {
      lines = null;
    }
    bundles.set(m[2]!, lines);
  }
  for (let i = Number(m[3]) - 1; lines && i >= 0; i--) {
    const marker = /^\/\/ dist\/src\/(.*)\.js$/.exec(lines[i]!);
    if (marker) return `${m[1]} (${marker[1]})`;
  }
  return symbol;
}

/** Sums perf report's lines ("12.3%  45  dso  [.] symbol") by category. */
export function categorise(text: string): Pick<Point, 'samples' | 'categories' | 'topFunctions'> {
  const categories: Record<string, number> = {};
  const functions = new Map<string, number>();
  let samples = 0;
  for (const line of text.split('\n')) {
    const m = /^\s+[\d.]+%\s+(\d+)\s+(\[JIT\] tid \d+|\S+)\s+\[.\]\s+(.*)$/.exec(line);
    if (!m) continue;
    const n = Number(m[1]);
    const dso = m[2]!;
    const sym = m[3]!.trim();
    samples += n;
    const category = CATEGORIES.find((c) => c.match(dso, sym))?.name ?? dso;
    categories[category] = (categories[category] ?? 0) + n;
    if (category.startsWith('JavaScript') || category === 'redis-server') {
      const name = sourceOf(sym.replace(/^JS:\*?/, ''));
      functions.set(name, (functions.get(name) ?? 0) + n);
    }
  }
  const topFunctions = [...functions]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([symbol, n]) => ({ symbol, samples: n }));
  return { samples, categories, topFunctions };
}

async function measure(
  server: Server,
  pipeline: number,
  requests: number,
  test: 'get' | 'set',
  round: number,
  clientCpus: string | undefined,
): Promise<Point> {
  const proc = await launchServer(server.launch);
  const data = path.join(os.tmpdir(), `redis-lite-cpu-profile-${process.pid}-${proc.pid}.data`);
  const base = { round, server: server.id, pipeline, requests };
  try {
    const bench = () =>
      runRedisBenchmark({
        host: proc.host,
        port: proc.port,
        test,
        requests,
        clients: 50,
        pipeline,
        keyspace: 10_000,
        timeoutMs: 120_000,
        ...(clientCpus !== undefined ? { cpus: clientCpus } : {}),
      });
    // Warm-up: the JIT settles and GET finds its keys.
    for (const warm of ['set', 'get'] as const)
      await runRedisBenchmark({
        host: proc.host,
        port: proc.port,
        test: warm,
        requests: Math.min(requests, 200_000),
        clients: 50,
        pipeline,
        keyspace: 10_000,
        timeoutMs: 120_000,
      });
    let rps: number | null = null;
    const statText = await perfDuring(
      ['stat', '-x', ',', '-e', STAT_EVENTS.join(','), '-p', String(proc.pid)],
      async () => (rps = (await bench()).rps),
    );
    await perfDuring(['record', '-F', '997', '-g', '-p', String(proc.pid), '-o', data], bench);
    const profile = categorise(await report(data));
    const stat = parseStat(statText);
    log(
      `  ${server.id.padEnd(16)} -P ${pipeline}: ${fmt(Math.round(rps ?? 0))} req/s, ` +
        `${stat.taskClockMs !== null ? fmt((stat.taskClockMs * 1000) / requests) : '?'} µs CPU per request, ` +
        `${profile.samples} samples`,
    );
    return {
      ...base,
      rps,
      stat,
      ...profile,
      error: stat.taskClockMs === null ? statText.slice(0, 300) : null,
    };
  } catch (error) {
    return {
      ...base,
      rps: null,
      stat: { taskClockMs: null, contextSwitches: null, syscalls: {} },
      samples: 0,
      categories: {},
      topFunctions: [],
      error: (error as Error).message,
    };
  } finally {
    await proc.stop();
    rmSync(data, { force: true });
    rmSync(`${data}.old`, { force: true });
    // --perf-basic-prof's symbol map of the server we started.
    rmSync(path.join(os.tmpdir(), `perf-${proc.pid}.map`), { force: true });
  }
}

function median(values: readonly (number | null)[]): number | null {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function markdown(
  servers: Server[],
  points: Point[],
  pipelines: number[],
  test: string,
  clientCpus: string | undefined,
  command: string,
  generatedAt: string,
): string {
  const pinned = clientCpus !== undefined ? ` (pinned to CPU ${clientCpus})` : '';
  let md = `# Where a request's CPU goes: ${servers.map((s) => s.id).join(' vs ')}, redis-benchmark${pinned} -t ${test} -c 50\n\n`;
  md += `Generated ${generatedAt} on ${machineLine(machineInfo())}. Command: \`${command}\`\n\n`;
  md += `CPU per request and system calls per request from \`perf stat -p PID\` over one redis-benchmark run `;
  md += `(medians over the rounds); the split by category is each category's share of \`perf record -F 997 -g\` `;
  md += `samples (all rounds) times that median CPU per request.\n\n`;
  const per = (total: number | null | undefined, requests: number): string =>
    total === null || total === undefined ? '—' : fmt(total / requests);
  for (const pipeline of pipelines) {
    const rows = servers.map((s) =>
      points.filter((p) => p.server === s.id && p.pipeline === pipeline && !p.error),
    );
    md += `## -P ${pipeline}\n\n`;
    md += markdownTable(
      [
        'server',
        'req/s',
        'CPU µs per request',
        'context switches per request',
        'read',
        'write/sendto',
        'epoll_wait',
      ],
      rows.map((ps, i) => {
        const requests = ps[0]?.requests ?? 1;
        const m = (f: (p: Point) => number | null | undefined): number | null =>
          median(ps.map((p) => f(p) ?? null));
        const writes = m((p) => (p.stat.syscalls.write ?? 0) + (p.stat.syscalls.sendto ?? 0));
        return [
          servers[i]!.id,
          fmt(Math.round(m((p) => p.rps) ?? NaN)),
          per(
            m((p) => (p.stat.taskClockMs ?? NaN) * 1000),
            requests,
          ),
          per(
            m((p) => p.stat.contextSwitches),
            requests,
          ),
          per(
            m((p) => p.stat.syscalls.read),
            requests,
          ),
          per(writes, requests),
          per(
            m((p) => p.stat.syscalls.epoll_wait),
            requests,
          ),
        ];
      }),
    );
    const names = [...new Set(rows.flatMap((ps) => ps.flatMap((p) => Object.keys(p.categories))))];
    const split = rows.map((ps) => {
      const samples = ps.reduce((a, p) => a + p.samples, 0);
      const cpu = median(
        ps.map((p) => (p.stat.taskClockMs === null ? null : (p.stat.taskClockMs * 1000) / p.requests)),
      );
      return (name: string): string => {
        const n = ps.reduce((a, p) => a + (p.categories[name] ?? 0), 0);
        if (!samples || n === 0) return '—';
        return `${fmt((100 * n) / samples, 2)}% · ${cpu === null ? '?' : fmt((cpu * n) / samples, 2)} µs`;
      };
    });
    md += `\n### Where the samples fall (share · µs per request)\n\n`;
    md += markdownTable(
      ['category', ...servers.map((s) => s.id)],
      names.sort().map((name) => [name, ...split.map((f) => f(name))]),
    );
    md += `\n### Most sampled functions (all rounds)\n\n`;
    for (const [i, ps] of rows.entries()) {
      const all = new Map<string, number>();
      for (const p of ps)
        for (const f of p.topFunctions) all.set(f.symbol, (all.get(f.symbol) ?? 0) + f.samples);
      const samples = ps.reduce((a, p) => a + p.samples, 0);
      md += `- ${servers[i]!.id}: ${[...all]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([s, n]) => `\`${s}\` ${fmt((100 * n) / Math.max(1, samples), 2)}%`)
        .join(', ')}\n`;
    }
    md += '\n';
  }
  const errors = points.filter((p) => p.error);
  if (errors.length)
    md += `Errors: ${errors.map((p) => `${p.server} -P ${p.pipeline}: ${p.error}`).join('; ')}\n`;
  return md;
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('cpu-profile')
    .usage("$0 [options]: where a request's CPU goes, hybrid (1 loop) vs Redis 7 (needs perf)")
    .option('rounds', { type: 'number', default: 3 })
    .option('hybrid-workers', { type: 'string', default: '1', describe: 'comma list of loop counts' })
    .option('redis', { type: 'boolean', default: true, describe: '--no-redis: leave out the reference' })
    .option('client-cpus', { type: 'string', describe: 'pin redis-benchmark (taskset -c), e.g. 1' })
    .option('name', { type: 'string', default: 'cpu-profile', describe: 'result files: <name>.{json,md}' })
    .option('test', { choices: ['get', 'set'] as const, default: 'get' as const })
    .option('requests-p1', { type: 'number', default: 300_000 })
    .option('requests-p16', { type: 'number', default: 2_000_000 })
    .option('write', { type: 'boolean', default: true, describe: '--no-write: print only' })
    .option('out', { type: 'string', default: resultsDir, describe: 'directory for the result files' })
    .option('max-seconds', { type: 'number', default: 600, describe: 'hard bound on the whole run' })
    .option('save', saveOption)
    .strict()
    .help()
    .parseAsync();
  try {
    execFileSync('perf', ['--version'], { stdio: 'ignore', timeout: 5000 });
  } catch {
    log('perf is not installed: nothing measured');
    return;
  }
  const rounds = bounded('rounds', argv.rounds, 1, 20);
  const maxSeconds = bounded('max-seconds', argv['max-seconds'], 5, 3600);
  const watchdog = setTimeout(() => {
    log(`\ncpu-profile: --max-seconds ${maxSeconds} reached; stopping every child process`);
    killAll();
    process.exit(2);
  }, maxSeconds * 1000);
  watchdog.unref();
  const pipelines = [1, 16];
  const requests: Record<number, number> = {
    1: bounded('requests-p1', argv['requests-p1'], 1000, 1e8),
    16: bounded('requests-p16', argv['requests-p16'], 1000, 1e9),
  };
  const servers: Server[] = [
    ...(argv.redis ? [{ id: 'redis 7', launch: { kind: 'redis' as const } }] : []),
    ...numberList(argv['hybrid-workers']).map((workers) => ({
      id: serverLabel('hybrid', workers),
      // JIT-compiled functions get names in perf's samples (/tmp/perf-PID.map, removed afterwards).
      launch: { kind: 'hybrid' as const, workers, nodeOptions: ['--perf-basic-prof'] },
    })),
  ];
  const clientCpus = argv['client-cpus'];
  const generatedAt = new Date().toISOString();
  machineInfo();
  const points: Point[] = [];
  for (let round = 0; round < rounds; round++) {
    log(`round ${round + 1}/${rounds} (load ${os.loadavg()[0]!.toFixed(2)})`);
    for (const pipeline of pipelines) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order)
        points.push(await measure(server, pipeline, requests[pipeline]!, argv.test, round, clientCpus));
    }
  }
  const command = ['node dist/bench/cpu-profile.js', ...process.argv.slice(2)].join(' ');
  const md = markdown(servers, points, pipelines, argv.test, clientCpus, command, generatedAt);
  process.stdout.write(`\n${md}`);
  if (argv.write) {
    writeJson(path.join(argv.out, `${argv.name}.json`), {
      schema: 'redis-lite/cpu-profile@1',
      generatedAt,
      machine: machineInfo(),
      loadAverageEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
      command,
      settings: { rounds, test: argv.test, requests, servers, clientCpus: clientCpus ?? null },
      points,
    });
    writeText(path.join(argv.out, `${argv.name}.md`), md);
    process.stdout.write(`written ${path.join(argv.out, `${argv.name}.{json,md}`)}\n`);
  }
  clearTimeout(watchdog);
}

main().catch((error: unknown) => {
  process.stderr.write(`cpu-profile: ${(error as Error).stack ?? String(error)}\n`);
  killAll();
  process.exitCode = 1;
});
