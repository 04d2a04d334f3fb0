// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT] (redis.io/commands/shutdown; server.c shutdownCommand): the
// arguments and the replies; the shutdown itself is the server's routine (ServerContext.shutdown, src/shutdown.ts),
// which saves, syncs the append-only file and exits the process. Knows no files and no threads.

import { isKeyword } from '../args.js';
import type { CommandContext, CommandSpec, ShutdownFlags } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import type { Reply } from '../reply.js';
import { busyError, scriptTimedOut } from '../scripting/busy-gate.js';

/** What a successful SHUTDOWN answers: nothing (Redis exits before replying; the connection just closes). */
const NO_REPLY: Reply = { kind: 'sequence', value: [] };

/** The arguments, as shutdownCommand reads them: any order, repeats allowed, ABORT alone, not SAVE with NOSAVE. */
export function parseShutdown(argv: readonly Buffer[]): ShutdownFlags | 'abort' {
  let nosave = false;
  let save = false;
  let now = false;
  let force = false;
  let abort = false;
  for (const arg of argv.slice(1)) {
    if (isKeyword(arg, 'NOSAVE')) nosave = true;
    else if (isKeyword(arg, 'SAVE')) save = true;
    else if (isKeyword(arg, 'NOW')) now = true;
    else if (isKeyword(arg, 'FORCE')) force = true;
    else if (isKeyword(arg, 'ABORT')) abort = true;
    else throw new CommandError(ERR.syntax);
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) throw new CommandError(ERR.syntax);
  return abort ? 'abort' : { nosave, save, now, force };
}

function shutdown(argv: Buffer[], ctx: CommandContext): Reply {
  const flags = parseShutdown(argv);
  // A shutdown is only ever "in progress" while Redis waits for lagging replicas; there are none here.
  if (flags === 'abort') throw new CommandError('ERR No shutdown in progress.');
  const routine = ctx.server.shutdown;
  if (routine === undefined) throw new CommandError('ERR SHUTDOWN is not available on this server');
  // A script past busy-reply-threshold (it holds every lock): only NOSAVE goes down, and stops it first, so that
  // its thread lets the locks go that the shutdown's final steps take.
  const scripting = ctx.server.scripting;
  const busy = scripting?.cache.busy;
  if (busy !== undefined && scriptTimedOut(busy)) {
    if (!flags.nosave) throw new CommandError(busyError(busy.state()));
    busy.killForShutdown();
    // Read from inside the script on its own thread (the event loop): the script stops at its next hook, and the
    // shutdown runs again from the start once it has, when no script holds the locks it takes.
    if (busy.servingFromHook) {
      const held = scripting!.held.hold(ctx.client);
      if (held !== null) return held;
    }
  }
  if (!routine(flags)) throw new CommandError('ERR Errors trying to SHUTDOWN. Check logs.');
  // Only an embedded server gets here (the CLI's process has exited): its clients are being dropped.
  ctx.client.closeAfterReply = true;
  return NO_REPLY;
}

export const shutdownCommands: readonly CommandSpec[] = [
  {
    name: 'shutdown',
    syntax: 'SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]',
    summary: 'Synchronously saves the database(s) to disk and shuts down the Redis server.',
    group: 'server',
    since: '1.0.0',
    arity: -1,
    flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'],
    keys: [0, 0, 0],
    run: shutdown,
  },
];
