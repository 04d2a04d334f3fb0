// Bench tool (not a test): what one eviction costs in CPU, on the store alone (no sockets, no parser), for issue
// 16's target of SET at the cap near Redis's. Two stores filled alike with 1 KB values: one capped at what it
// holds, where each SET of a new key is preceded by store.evict() as the executor does it (one eviction per SET);
// one uncapped, where the same SETs go into room freed by DEL beforehand (so both reuse freed blocks and neither
// pays for fresh pages). The difference in process CPU, per key evicted, is eviction's marginal cost. Rounds
// alternate the two; the median is reported. Appends its run (by --label) to eviction-cost.{json,md} in the results
// folder (the scratch one, or the committed one with --save: lib/paths.ts), where other labels stay.
// Usage (after `npm run build`): node dist/bench/eviction-cost.js [--maxmemory-mb 64] [--sets 100000]
//        [--rounds 5] [--policies allkeys-lru,allkeys-lfu,allkeys-random,volatile-ttl] [--label NAME] [--save]

import { execFileSync } from 'node:child_process';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { POLICY_NAMES, type PolicyName } from '../src/core/store/eviction.js';
import { SharedStore } from '../src/core/store/store.js';
import { bounded, shellWord, stringList } from './lib/cli-args.js';
import { repoRoot, resultsDir, saveOption } from './lib/paths.js';
import { log } from './lib/progress.js';
import { fmt, machineInfo, machineLine, markdownTable, saveRuns } from './lib/report.js';

const VALUE = Buffer.alloc(1000, 'v'); // redis-benchmark -d 1000, as bench/eviction.ts
/** The access clock is refreshed this often (in SETs), standing in for the server's cron. */
const CLOCK_EVERY = 1000;

interface Row {
  readonly policy: PolicyName;
  /** Process CPU per SET of a new key into freed room, no cap (µs): the median round. */
  readonly setUs: number;
  /** Process CPU per evict() + SET at the cap (µs): the median round. */
  readonly evictSetUs: number;
  /** Keys evicted per SET at the cap (about one: the values are all one size). */
  readonly evictionsPerSet: number;
  /** (evictSetUs - setUs) per key evicted: what eviction adds. */
  readonly evictionUs: number;
  readonly roundsEvictionUs: number[];
}

interface Run {
  readonly label: string;
  readonly transport: 'store';
  readonly command: string;
  readonly generatedAt: string;
  readonly maxmemoryMb: number;
  readonly sets: number;
  readonly rows: Row[];
}

const argv = yargs(hideBin(process.argv))
  .option('maxmemory-mb', { type: 'number', default: 64, describe: 'what each store holds before the SETs' })
  .option('sets', { type: 'number', default: 100_000, describe: 'SETs of new keys per round and store' })
  .option('rounds', { type: 'number', default: 5 })
  .option('policies', { type: 'string', default: 'allkeys-lru,allkeys-lfu,allkeys-random,volatile-ttl' })
  .option('label', { type: 'string', describe: 'the run to add or replace (default: the commit)' })
  .option('save', saveOption)
  .strict()
  .parseSync();

const maxmemoryMb = bounded('maxmemory-mb', argv['maxmemory-mb'], 1, 1024);
const sets = bounded('sets', argv.sets, 1000, 2_000_000);
const rounds = bounded('rounds', argv.rounds, 1, 50);
const policies = stringList(argv.policies).map((name) => {
  if (!(POLICY_NAMES as readonly string[]).includes(name) || name === 'noeviction') {
    throw new Error(`--policies: ${name} is not an evicting policy`);
  }
  return name as PolicyName;
});

function commitLabel(): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' });
    return hash.trim();
  } catch {
    return 'unlabelled';
  }
}

const keyOf = (prefix: string, i: number): Buffer => Buffer.from(`${prefix}:${String(i).padStart(12, '0')}`);

/** A store holding `bytes` of 1 KB values (with a TTL for volatile-*), the policy set, no cap yet. */
function filledStore(policy: PolicyName, bytes: number): { store: SharedStore; keys: number } {
  const store = SharedStore.create({ clock: Date.now });
  store.setEvictionSettings({ 'maxmemory-policy': policy });
  let keys = 0;
  while (store.stats().usedMemory < bytes) {
    // stats() walks every shard: checked once per 64 SETs, then the cap is whatever that left.
    for (let i = 0; i < 64; i++, keys++) setKey(store, policy, keyOf('fill', keys), keys);
  }
  return { store, keys };
}

function setKey(store: SharedStore, policy: PolicyName, key: Buffer, i: number): void {
  // volatile-ttl needs expiries that differ; far in the future, so none expires during the run.
  const expireAt = policy.startsWith('volatile') ? Date.now() + 3_600_000 + (i % 100_000) * 10 : 0;
  store.set(key, VALUE, expireAt === 0 ? undefined : { expireAt });
}

function cpuMicros(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/** SETs of `sets` new keys into room DEL made, no cap: µs of CPU per SET. */
function setRound(policy: PolicyName, round: number): number {
  const { store, keys } = filledStore(policy, maxmemoryMb * 2 ** 20);
  const freed = Array.from({ length: Math.min(sets, keys) }, (_, i) => keyOf('fill', keys - 1 - i));
  store.del(freed);
  const fresh = Array.from({ length: sets }, (_, i) => keyOf(`set${round}`, i));
  return (
    cpuMicros(() => {
      for (let i = 0; i < sets; i++) {
        if (i % CLOCK_EVERY === 0) store.refreshAccessClock();
        setKey(store, policy, fresh[i], i);
      }
    }) / sets
  );
}

/** evict() + SET of `sets` new keys at the cap: µs of CPU per pair, and keys evicted per SET. */
function evictRound(policy: PolicyName, round: number): { us: number; evictions: number } {
  const { store } = filledStore(policy, maxmemoryMb * 2 ** 20);
  store.setEvictionSettings({ maxmemory: store.stats().usedMemory });
  const fresh = Array.from({ length: sets }, (_, i) => keyOf(`evict${round}`, i));
  const before = store.stats().evictedKeys;
  const us = cpuMicros(() => {
    for (let i = 0; i < sets; i++) {
      if (i % CLOCK_EVERY === 0) store.refreshAccessClock();
      // As the executor calls it when no client listens for `evicted` events: no key copied out.
      if (store.evict(false).status === 'fail') throw new Error('eviction failed');
      setKey(store, policy, fresh[i], i);
    }
  });
  return { us: us / sets, evictions: (store.stats().evictedKeys - before) / sets };
}

const median = (values: readonly number[]): number =>
  [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

function measure(policy: PolicyName): Row {
  const setUs: number[] = [];
  const evictSetUs: number[] = [];
  const perSet: number[] = [];
  const eviction: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternating which goes first, so a drift of the machine's load falls on both alike.
    let evicted: { us: number; evictions: number };
    let plain: number;
    if (round % 2 === 0) {
      plain = setRound(policy, round);
      evicted = evictRound(policy, round);
    } else {
      evicted = evictRound(policy, round);
      plain = setRound(policy, round);
    }
    setUs.push(plain);
    evictSetUs.push(evicted.us);
    perSet.push(evicted.evictions);
    eviction.push((evicted.us - plain) / evicted.evictions);
    log(
      `${policy} round ${round + 1}: SET ${plain.toFixed(2)} µs, evict+SET ${evicted.us.toFixed(2)} µs, ` +
        `${evicted.evictions.toFixed(3)} evictions/SET`,
    );
  }
  return {
    policy,
    setUs: median(setUs),
    evictSetUs: median(evictSetUs),
    evictionsPerSet: median(perSet),
    evictionUs: median(eviction),
    roundsEvictionUs: eviction,
  };
}

function report(runs: Run[]): string {
  const machine = machineInfo();
  const lines = [
    '# What one eviction costs in CPU (bench/eviction-cost.ts)',
    '',
    `${machineLine(machine)}.`,
    '',
    'In one process, on the store alone: two stores filled alike with 1 KB values; one capped at what it holds, where',
    "each SET of a new key follows store.evict() (the executor's order), one uncapped, where the same SETs fill room",
    'freed by DEL. Process CPU per operation, the median of alternating rounds; "eviction" is the difference per key',
    'evicted: what eviction adds to a SET.',
    '',
  ];
  for (const run of runs) {
    lines.push(`## ${run.label} (${run.generatedAt})`, '', `\`${run.command}\``, '');
    lines.push(
      markdownTable(
        ['policy', 'SET µs', 'evict + SET µs', 'evictions / SET', 'eviction µs', 'rounds: eviction µs'],
        run.rows.map((r) => [
          r.policy,
          fmt(r.setUs),
          fmt(r.evictSetUs),
          fmt(r.evictionsPerSet),
          fmt(r.evictionUs),
          r.roundsEvictionUs.map((u) => fmt(u)).join(', '),
        ]),
      ),
    );
  }
  return lines.join('\n');
}

function main(): void {
  machineInfo(); // the load average as the run starts
  const rows = policies.map(measure);
  const run: Run = {
    label: argv.label ?? commitLabel(),
    transport: 'store',
    command: `node dist/bench/eviction-cost.js ${process.argv.slice(2).map(shellWord).join(' ')}`.trim(),
    generatedAt: new Date().toISOString(),
    maxmemoryMb,
    sets,
    rows,
  };
  log(`written to ${saveRuns(resultsDir, 'eviction-cost', [run], report)}`);
}

main();
