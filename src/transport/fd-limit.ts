// How many clients the descriptor limit allows, as Redis's adjustOpenFilesLimit computes it: every client
// costs one descriptor and the server keeps a reserve of 32 for itself (listening socket, logs, epoll, ...).
// Node already raises the soft limit to the hard one at start-up and offers no setrlimit, so we only read it.
// Used by src/server.ts for every transport; knows nothing of sockets or config.

import { readFileSync } from 'node:fs';

/** Redis's CONFIG_MIN_RESERVED_FDS. */
export const RESERVED_FDS = 32;

/**
 * The assumed limit where /proc/self/limits cannot be read (not Linux; Node has no getrlimit): high enough that
 * Redis's default maxclients (10,000) is not lowered on a guess. If the real limit is lower, accept fails with
 * EMFILE, which every transport survives and logs (accept-policy.ts), as Redis does.
 */
const FALLBACK_LIMIT = 20_000;

/** The soft RLIMIT_NOFILE of this process, read once from /proc/self/limits; 'unlimited' counts as huge. */
export function readOpenFilesLimit(path = '/proc/self/limits'): number {
  try {
    const line = readFileSync(path, 'latin1')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER;
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : FALLBACK_LIMIT;
  } catch {
    return FALLBACK_LIMIT;
  }
}

/** The most clients the descriptor limit allows (at least 1, as Redis never goes below one client). */
export function maxclientsForLimit(openFilesLimit: number): number {
  return Math.max(1, openFilesLimit - RESERVED_FDS);
}
