// What the executor does with a command whose time reached the slow log's gate (shared-slowlog.ts), as server.c
// call() and blocked.c updateStatsOnUnblock do: nothing for a command flagged skip_slowlog (EXEC: its commands
// are logged one by one); for a client the command blocked, nothing yet: the entry is made when it is served or
// CLIENT UNBLOCK ends its wait, with the time its call took (a block that times out is never logged, as in Redis
// 7.0); otherwise the entry, with the arguments as redacted for MONITOR and the client's address and name.
// One difference: Redis compares a served command's time with the threshold of the moment it is served; here a
// command is kept at its call only if it reached the gate then, so that a command that does not block pays
// nothing more, and one that blocked below a threshold lowered while it waited is not logged.

import type { BlockEnd } from '../blocking/hub.js';
import type { ClientState, CommandContext, CommandSpec } from '../command.js';
import { redact } from '../redaction.js';
import type { SharedSlowLog } from './shared-slowlog.js';
import { loggedArguments, type NewSlowlogEntry } from './slowlog-entry.js';

/** A command that blocked its client, kept until it is served: its logged arguments and the time its call took. */
export interface BlockedCall {
  readonly argv: Buffer[];
  readonly microseconds: number;
}

/** The end of a command whose `microseconds` reached `log.gate[0]`. */
export function slowCommandEnded(
  log: SharedSlowLog,
  spec: CommandSpec,
  argv: Buffer[],
  ctx: CommandContext,
  microseconds: number,
): void {
  if (spec.flags.includes('skip_slowlog')) return;
  const client = ctx.client;
  if (client.blocked === true) {
    client.blockedCall = { argv: loggedArguments(redact(spec, argv)), microseconds };
    return;
  }
  const slow = isSlow(log, microseconds);
  log.commandEnded(
    slow ? entryOf(loggedArguments(redact(spec, argv)), microseconds, client, ctx.server.clock()) : null,
  );
}

/**
 * The client stopped waiting: a command that blocked it is logged now, if it was slow, when the client was
 * served or unblocked by CLIENT UNBLOCK; not when it timed out or left.
 */
export function blockedCommandEnded(
  log: SharedSlowLog,
  client: ClientState,
  how: BlockEnd,
  now: () => number,
): void {
  const call = client.blockedCall;
  if (call === undefined) return;
  client.blockedCall = undefined;
  if (how !== 'served') return;
  const slow = isSlow(log, call.microseconds);
  log.commandEnded(slow ? entryOf(call.argv, call.microseconds, client, now()) : null);
}

/** duration >= slowlog-log-slower-than, in Redis's whole microseconds, while the log is on. */
function isSlow(log: SharedSlowLog, microseconds: number): boolean {
  const threshold = log.threshold();
  return threshold >= 0 && Math.floor(microseconds) >= threshold;
}

/** `nowMs`: the server's clock, whose whole seconds are the entry's time (time(NULL)). */
function entryOf(argv: Buffer[], microseconds: number, client: ClientState, nowMs: number): NewSlowlogEntry {
  return {
    time: Math.floor(nowMs / 1000),
    duration: Math.floor(microseconds),
    argv,
    peer: client.peerId ?? client.addr,
    name: client.name,
  };
}
