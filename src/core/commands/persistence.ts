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

/** BGSAVE [SCHEDULE]: with SCHEDULE a running save answers "scheduled" (no second save is queued here). */
function bgsave(argv: Buffer[], ctx: CommandContext): Reply {
  const schedule = argv.length === 2 && isKeyword(argv[1], 'SCHEDULE');
  if (argv.length > 2 || (argv.length === 2 && !schedule)) throw new CommandError(ERR.syntax);
  const persistence = persistenceOf(ctx);
  // Inside EXEC this thread holds its transaction's locks, which the snapshot needs: it is taken right after.
  const started = ctx.client.transaction.executing ? persistence.deferBgsave() : persistence.bgsave();
  if (started) return status('Background saving started');
  if (schedule) return status('Background saving scheduled');
  throw new CommandError('ERR Background save already in progress');
}

/**
 * BGREWRITEAOF: the append-only file replaced by an RDB of the data and the commands since (aof/rewrite.ts), done
 * before the reply. Refused inside EXEC, whose key locks the snapshot would wait for.
 */
function bgrewriteaof(_argv: Buffer[], ctx: CommandContext): Reply {
  const aof = ctx.server.aof;
  if (aof === undefined)
    throw new CommandError('ERR the append only file is not enabled (start with --appendonly yes)');
  if (ctx.client.transaction.executing)
    throw new CommandError('ERR BGREWRITEAOF is not allowed inside MULTI here');
  aof.rewrite();
  return status('Background append only file rewriting started');
}

export const persistenceCommands: readonly CommandSpec[] = [
  {
    name: 'save',
    syntax: 'SAVE',
    summary: 'Synchronously saves the database(s) to disk.',
    group: 'server',
    since: '1.0.0',
    arity: 1,
    flags: ['admin', 'noscript', 'no_multi'],
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
    flags: ['admin', 'noscript'],
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
    flags: ['admin', 'noscript'],
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
    tips: ['nondeterministic_output'],
    run: (_argv, ctx) => integer(persistenceOf(ctx).lastSave()),
  },
];
