// A/B of eviction's CPU across builds, as session-ab.ts is for the request path: loads the SharedStore of each
// build given (a dist/ directory, e.g. a `git worktree` of the commit before, built) into this one process, fills
// each with 1 KB values to 64 MB and caps it there, then alternates rounds of evict() + SET of new keys between
// them (the executor's order at the cap), so every build meets the same machine load. A tool, not a test: prints
// µs of process CPU per evict() + SET (median, best, first quartile of the rounds).
// Usage: node dist/bench/eviction-ab.js before=/path/to/old/dist after=dist [--rounds 21] [--sets 50000]
//        [--policy allkeys-lru]

import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROUNDS = Number(option('rounds', '21'));
const SETS = Number(option('sets', '50000'));
const POLICY = option('policy', 'allkeys-lru');
/** The access clock is refreshed this often (in SETs), standing in for the server's cron (as eviction-cost.ts). */
const CLOCK_EVERY = 1000;
const VALUE = Buffer.alloc(1000, 'v');

/** What is used of each build's store: only what every build has had. */
interface Store {
  setEvictionSettings(settings: Record<string, string | number>): void;
  stats(): { usedMemory: number };
  set(key: Buffer, value: Buffer, options?: { expireAt: number }): void;
  evict(keysWanted: boolean): { status: string };
  refreshAccessClock(): void;
  collapseArenaPages?(hugePages: unknown, pages: number): number;
}

interface Build {
  readonly name: string;
  readonly dist: string;
  store?: Store;
  round: number;
  readonly rounds: number[];
  /** 2 MiB pages the arena was collapsed into after filling. */
  hugePages?: number;
}

const builds: Build[] = args
  .filter((a) => a.includes('=') && !a.startsWith('--'))
  .map((a) => {
    const [name, dist] = a.split('=');
    return { name, dist: path.resolve(dist), round: 0, rounds: [] };
  });
if (builds.length === 0) {
  console.error('usage: node dist/bench/eviction-ab.js name=/path/to/dist [name=/path/to/dist ...]');
  process.exit(2);
}

/** volatile-* evicts only keys with a TTL: far in the future and all different, so none expires during the run. */
function setKey(store: Store, key: Buffer, i: number): void {
  if (POLICY.startsWith('volatile'))
    store.set(key, VALUE, { expireAt: Date.now() + 3_600_000 + (i % 100_000) * 10 });
  else store.set(key, VALUE);
}

const keyOf = (prefix: string, i: number): Buffer => Buffer.from(`${prefix}:${String(i).padStart(12, '0')}`);

async function load(build: Build): Promise<void> {
  const href = pathToFileURL(path.join(build.dist, 'src/core/store/store.js')).href;
  const { SharedStore } = (await import(href)) as { SharedStore: { create(o: object): Store } };
  const store = SharedStore.create({ clock: Date.now });
  store.setEvictionSettings({ 'maxmemory-policy': POLICY });
  // stats() walks every shard: checked once per 64 SETs, then the cap is whatever that left.
  for (let k = 0; store.stats().usedMemory < 64 * 2 ** 20;) {
    for (let i = 0; i < 64; i++, k++) setKey(store, keyOf('fill', k), k);
  }
  store.setEvictionSettings({ maxmemory: store.stats().usedMemory });
  build.store = store;
  build.hugePages = await collapseArena(build.dist, store);
}

/**
 * The arena in 2 MiB pages, as the server's cron maps it at a cap (store/huge-pages.ts): without them every sample
 * also misses the TLB, and a change to where entries lie in the arena measures the page walks, not the cache.
 * Returns the pages collapsed (0 when the build or the kernel cannot).
 */
async function collapseArena(dist: string, store: Store): Promise<number> {
  if (store.collapseArenaPages === undefined) return 0;
  const at = (file: string): string => pathToFileURL(path.join(dist, file)).href;
  const { loadNative } = (await import(at('src/transport/threadpool/native.js'))) as {
    loadNative(): unknown;
  };
  const { asHugePages } = (await import(at('src/transport/threadpool/native-addon.js'))) as {
    asHugePages(native: unknown): object | null;
  };
  const { ArenaHugePages } = (await import(at('src/core/store/huge-pages.js'))) as {
    ArenaHugePages: new (calls: object) => unknown;
  };
  const native = loadNative();
  const calls = native instanceof Error ? null : asHugePages(native);
  if (calls === null) return 0;
  const hugePages = new ArenaHugePages(calls);
  let pages = 0;
  for (
    let step = store.collapseArenaPages(hugePages, 1024);
    step > 0;
    step = store.collapseArenaPages(hugePages, 1024)
  )
    pages += step;
  return pages;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** One round: µs of CPU per evict() + SET of a new key. */
function round(build: Build): number {
  const store = build.store!;
  const keys = Array.from({ length: SETS }, (_, i) => keyOf(`r${build.round}`, i));
  build.round++;
  const start = cpuMicros();
  for (let i = 0; i < SETS; i++) {
    if (i % CLOCK_EVERY === 0) store.refreshAccessClock();
    // As the executor calls it when no client listens for `evicted` events: no key copied out.
    if (store.evict(false).status === 'fail') throw new Error('eviction failed');
    setKey(store, keys[i], i);
  }
  return (cpuMicros() - start) / SETS;
}

for (const build of builds) await load(build);
for (const build of builds) for (let w = 0; w < 3; w++) round(build); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  // Alternate the order so neither build always runs right after the other.
  for (const build of r % 2 === 0 ? builds : [...builds].reverse()) build.rounds.push(round(build));
}
console.log(`huge pages: ${builds.map((b) => `${b.name} ${b.hugePages ?? 0}`).join(', ')}`);
console.log(`${POLICY}, 64 MB cap, ${ROUNDS} rounds of ${SETS} evict() + SET, µs of CPU per pair:`);
for (const build of builds) {
  const sorted = [...build.rounds].sort((x, y) => x - y);
  const at = (q: number): string => sorted[Math.floor(q * (sorted.length - 1))].toFixed(3);
  console.log(`${build.name.padEnd(12)} median ${at(0.5)}  best ${at(0)}  first quartile ${at(0.25)}`);
}
