// SAVE, BGSAVE, LASTSAVE (redis.io/commands/save, bgsave, lastsave): thin commands over the server's RDB
// persistence (rdb/persistence.ts), which knows files and snapshots; these know replies. BGREWRITEAOF over the
// append-only file's writer (aof/rewrite.ts).

import { isKeyword } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import type { Persistence } from '../rdb/persistence.js';
import { integer, OK, status, type Reply } from '../reply.js';

function persistenceOf(ctx: CommandContext): Persistence {
  const persistence = ctx.server.persistence;
  if (persistence === undefined) throw new CommandError('ERR persistence is not available on this server');
  return persistence;
}

function save(_argv: Buffer[], ctx: CommandContext): Reply {
  persistenceOf(ctx).save();
  return OK;
}

const ANOTHER_CHILD =
  "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule " +
  'a BGSAVE whenever possible.';

/**
 * BGSAVE [SCHEDULE] (rdb.c bgsaveCommand): one save at a time; while an append-only file rewrite runs (Redis's other
 * child) it is refused, or with SCHEDULE started once the rewrite ends; inside EXEC it is scheduled for right after.
 */
function bgsave(argv: Buffer[], ctx: CommandContext): Reply {
  const schedule = argv.length === 2 && isKeyword(argv[1], 'SCHEDULE');
  if (argv.length > 2 || (argv.length === 2 && !schedule)) throw new CommandError(ERR.syntax);
  const persistence = persistenceOf(ctx);
  if (persistence.inProgress()) throw new CommandError('ERR Background save already in progress');
  const aof = ctx.server.aof;
  const executing = ctx.client.transaction.executing;
  if (aof?.rewriting === true) {
    if (!schedule && !executing) throw new CommandError(ANOTHER_CHILD);
    aof.scheduleBgsave();
    return status('Background saving scheduled');
  }
  // Inside EXEC this thread holds its transaction's locks, which the snapshot needs: it is taken right after.
  if (executing) {
    persistence.deferBgsave();
    return status('Background saving scheduled');
  }
  if (persistence.bgsave()) return status('Background saving started');
  throw new CommandError('ERR Background save already in progress');
}

/**
 * BGREWRITEAOF (aof.c bgrewriteaofCommand): answered at once; the main thread rewrites the file in the background
 * (aof/rewrite-scheduler.ts). While a BGSAVE runs, or inside EXEC, it is scheduled for when it may start.
 */
function bgrewriteaof(_argv: Buffer[], ctx: CommandContext): Reply {
  const aof = ctx.server.aof;
  if (aof === undefined) throw new CommandError('ERR persistence is not available on this server');
  const mustWait = ctx.client.transaction.executing || (ctx.server.persistence?.inProgress() ?? false);
  const outcome = aof.requestRewrite(mustWait);
  if (outcome === 'in-progress')
    throw new CommandError('ERR Background append only file rewriting already in progress');
  return status(
    outcome === 'started'
      ? 'Background append only file rewriting started'
      : 'Background append only file rewriting scheduled',
  );
}

export const persistenceCommands: readonly CommandSpec[] = [
  {
    name: 'save',
    syntax: 'SAVE',
    summary: 'Synchronously saves the database(s) to disk.',
    group: 'server',
    since: '1.0.0',
    arity: 1,
    flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    keys: [0, 0, 0],
    run: save,
  },
  {
    name: 'bgsave',
    syntax: 'BGSAVE [SCHEDULE]',
    summary: 'Asynchronously saves the database(s) to disk.',
    group: 'server',
    since: '1.0.0',
    arity: -1,
    flags: ['admin', 'noscript', 'no_async_loading'],
    keys: [0, 0, 0],
    run: bgsave,
  },
  {
    name: 'bgrewriteaof',
    syntax: 'BGREWRITEAOF',
    summary: 'Asynchronously rewrites the append-only file to disk.',
    group: 'server',
    since: '1.0.0',
    arity: 1,
    flags: ['admin', 'noscript', 'no_async_loading'],
    keys: [0, 0, 0],
    run: bgrewriteaof,
  },
  {
    name: 'lastsave',
    syntax: 'LASTSAVE',
    summary: 'Returns the Unix timestamp of the last successful save to disk.',
    group: 'server',
    since: '1.0.0',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    keys: [0, 0, 0],
    run: (_argv, ctx) => integer(persistenceOf(ctx).lastSave()),
  },
];
