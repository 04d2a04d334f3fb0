// MONITOR (redis.io/commands/monitor): the client sees every command any client runs from now on, as
// `+<time> [<db> <addr>] "<arg>" ...` lines (monitor.ts builds them, the Pub/Sub hub delivers them from every
// thread), until it closes or RESETs. Knows the command contract and the hub; nothing of sockets.

import type { CommandContext, CommandSpec } from '../command.js';
import { OK, error, sequence, type Reply } from '../reply.js';

/** No reply at all: a second MONITOR is ignored (monitorCommand returns before addReply). */
const NO_REPLY = sequence([]);

function monitor(_argv: Buffer[], ctx: CommandContext): Reply {
  const client = ctx.client;
  // Inside EXEC a client expects one reply per command (CLIENT_DENY_BLOCKING).
  if (client.transaction.executing) return error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  if (client.monitor === true) return NO_REPLY;
  const hub = ctx.server.pubsub;
  if (hub === undefined || client.pushTarget === undefined) {
    return error('ERR MONITOR is not available on this connection');
  }
  hub.addMonitor(client.pushTarget);
  client.monitor = true;
  return OK;
}

/** RESET or the end of the connection: the client stops monitoring (clearClientConnectionState). */
export function stopMonitoring(ctx: Pick<CommandContext, 'client' | 'server'>): void {
  const client = ctx.client;
  if (client.monitor !== true) return;
  client.monitor = false;
  if (client.pushTarget !== undefined) ctx.server.pubsub?.removeMonitor(client.pushTarget);
}

export const monitorCommands: readonly CommandSpec[] = [
  {
    name: 'monitor',
    syntax: 'MONITOR',
    summary: 'Listens for all requests received by the server in real-time.',
    group: 'server',
    since: '1.0.0',
    arity: 1,
    flags: ['admin', 'noscript', 'loading', 'stale'],
    keys: [0, 0, 0],
    run: monitor,
  },
];
