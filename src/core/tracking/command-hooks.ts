// What client-side caching does around each command call() runs (server.c call(): trackingRememberKeys after a
// read-only command; signalModifiedKey inside the store's writes): before a read of a tracking client its keys
// are remembered (tracking/hub.ts says why before), after it again; after a command, the keys it named that the
// store reports it modified are invalidated. Inside a script, a read makes the caller track the keys the script
// declared, as Redis does. Knows command specs and key specs; nothing of threads or sockets.

import type { CommandContext, CommandSpec } from '../command.js';
import { commandKeys } from '../key-specs.js';

/** EVAL_RO and its kin are read-only, but remember keys through the reads their script makes instead. */
const SCRIPT_READS = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);

/**
 * Before the command runs: resets the store's note of modified keys; for a read of a tracking client, remembers
 * its keys and returns them (for afterCommand), else null.
 */
export function beforeCommand(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): Buffer[] | null {
  const hub = ctx.server.tracking;
  if (hub === undefined) return null;
  hub.touched.clear();
  if (hub.scriptCaller !== null) {
    if (spec.flags.includes('readonly')) hub.scriptRead();
    return null;
  }
  if (ctx.client.tracking === undefined || !hub.remembers(ctx.client)) return null;
  if (!spec.flags.includes('readonly') || SCRIPT_READS.has(spec.name)) return null;
  // Shard channels are keys to COMMAND, not to caches (trackingRememberKeys skips CMD_PUBSUB).
  if (spec.flags.includes('pubsub')) return null;
  const keys = commandKeys(spec, argv);
  if (keys === null || keys.length === 0) return null;
  hub.beforeRead(ctx.client, keys);
  return keys;
}

/** After it ran: the read's keys again, and the keys it modified are invalidated. */
export function afterCommand(
  spec: CommandSpec,
  argv: Buffer[],
  ctx: CommandContext,
  readKeys: Buffer[] | null,
): void {
  const hub = ctx.server.tracking;
  if (hub === undefined) return;
  if (readKeys !== null) hub.afterRead(ctx.client, readKeys);
  const touched = hub.touched;
  if (touched.count === 0) return;
  if (hub.active()) {
    const store = ctx.store;
    const modified = (commandKeys(spec, argv) ?? []).filter((key) => {
      const hash = store.keyHash?.(key);
      return hash === undefined || touched.has(hash);
    });
    if (modified.length > 0) hub.modified(modified, ctx.client);
  }
  touched.clear();
}
