// maxmemory before each command, as server.c processCommand does it: with a limit set, keys are evicted by the
// policy first (store/eviction.ts), each announced as an `evicted` keyspace event; when the store cannot get under
// the limit (noeviction, or nothing left the policy may evict), a command that may grow memory (denyoom, an EXEC
// queueing one, or any command queued in MULTI) is refused with Redis's OOM error, and every other command runs
// (reads, DEL, ...).

import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { CommandContext, CommandSpec } from './command.js';
import { NOTIFY_EVICTED, notifyKeyspaceEvent, wantsEvent } from './pubsub/keyspace-events.js';

/**
 * The JavaScript heap in use now: what the server process holds beside the store at start-up, given to the store
 * when it is created (StoreOptions.processBaselineBytes) for INFO used_memory and used_memory_startup.
 */
export function processBaselineBytes(): number {
  return v8.getHeapStatistics().used_heap_size;
}

/** What a client in MULTI may still send over the limit: queueing anything else takes memory. */
const ENDS_TRANSACTION = new Set(['exec', 'discard', 'quit', 'reset']);

/**
 * Evicts as the policy says; true when `spec` must be refused with the OOM error: a denyoom command, an EXEC
 * queueing one, or, inside MULTI, any command but those that end it (processCommand's reject_cmd_on_oom).
 */
export function refusedForMemory(ctx: CommandContext, spec: CommandSpec): boolean {
  // The evicted keys are copied out of the store only for an `evicted` event to carry them.
  const outcome = ctx.store.evict(wantsEvent(ctx, NOTIFY_EVICTED));
  for (const { db, key } of outcome.evicted) notifyKeyspaceEvent(ctx, NOTIFY_EVICTED, 'evicted', key, db);
  ctx.server.counters?.memoryChecked(outcome.status !== 'ok');
  // An eviction cycle ran (evict.c performEvictions): timed only while the latency monitor is on.
  const latency = ctx.server.latency;
  if (outcome.cycleStarted !== undefined && latency !== undefined && latency.threshold() > 0) {
    const milliseconds = performance.now() - outcome.cycleStarted;
    latency.sampleIfNeeded('eviction-cycle', milliseconds, Math.floor(ctx.server.clock() / 1000));
  }
  if (outcome.status !== 'fail') return false;
  const transaction = ctx.client.transaction;
  if (transaction.active && !ENDS_TRANSACTION.has(spec.name)) return true;
  return spec.flags.includes('denyoom') || (spec.name === 'exec' && transaction.queuesDenyOom);
}
