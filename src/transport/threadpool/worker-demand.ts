// How many worker threads the pool should start or retire, as Apache's worker MPM decides (StartServers,
// MinSpareThreads, MaxSpareThreads, MaxRequestWorkers): --workers is the most there may be, never a number
// started up front; a few spare workers stay ready ahead of the clients; a worker idle for a while is retired
// while more than the spare count are idle. Pure arithmetic over counts and times: no threads live here.

export interface PoolCounts {
  /** Workers ready and waiting for a client. */
  readonly idle: number;
  /** Workers spawned and not yet ready: each will take a waiting client, or become a spare. */
  readonly starting: number;
  /** Clients waiting for a worker. */
  readonly queued: number;
  /** Slots with no thread: how many more workers the maximum allows. */
  readonly vacant: number;
}

/**
 * Workers to start now: enough that every waiting client gets one and `minSpare` are left over, within the
 * maximum. Workers already starting count as on their way.
 */
export function workersToStart(counts: PoolCounts, minSpare: number): number {
  const wanted = counts.queued + minSpare - counts.idle - counts.starting;
  return Math.max(0, Math.min(wanted, counts.vacant));
}

/**
 * Of the idle workers, given as the times they became idle (oldest first), how many to retire: those idle for
 * `idleMs` or more, oldest first, keeping `minSpare` idle. `idleMs` 0: never retire.
 */
export function workersToRetire(
  idleSince: readonly number[],
  now: number,
  idleMs: number,
  minSpare: number,
): number {
  if (idleMs <= 0) return 0;
  let retire = 0;
  const surplus = idleSince.length - minSpare;
  while (retire < surplus && now - idleSince[retire] >= idleMs) retire++;
  return retire;
}
