// Whole-database commands: DBSIZE, FLUSHDB, FLUSHALL. Redis files them under "server"; they live with the
// keyspace family because they are one store call each. There is one database, so FLUSHALL is FLUSHDB.
// The store empties itself atomically; SYNC and ASYNC are accepted and behave the same.

import { isKeyword } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { integer, OK, type Reply } from '../reply.js';

export const dbsize: CommandSpec = {
  name: 'dbsize',
  syntax: 'DBSIZE',
  summary: 'Returns the number of keys in the database.',
  group: 'server',
  since: '1.0.0',
  arity: 1,
  flags: ['readonly', 'fast'],
  keys: [0, 0, 0],
  run: (_argv, ctx) => integer(ctx.store.dbsize()),
};

/** FLUSHDB and FLUSHALL. getFlushCommandFlags: one optional SYNC or ASYNC, anything else is a syntax error. */
function flush(argv: Buffer[], ctx: CommandContext): Reply {
  const mode = argv[1];
  if (argv.length > 2 || (mode !== undefined && !isKeyword(mode, 'SYNC') && !isKeyword(mode, 'ASYNC'))) {
    throw new CommandError(ERR.syntax);
  }
  ctx.store.flush();
  return OK;
}

export const flushdb: CommandSpec = {
  name: 'flushdb',
  syntax: 'FLUSHDB [ASYNC | SYNC]',
  summary: 'Remove all keys from the current database.',
  group: 'server',
  since: '1.0.0',
  arity: -1,
  flags: ['write'],
  keys: [0, 0, 0],
  run: flush,
};

export const flushall: CommandSpec = {
  name: 'flushall',
  syntax: 'FLUSHALL [ASYNC | SYNC]',
  summary: 'Removes all keys from all databases.',
  group: 'server',
  since: '1.0.0',
  arity: -1,
  flags: ['write'],
  keys: [0, 0, 0],
  run: flush,
};

export const databaseCommands: readonly CommandSpec[] = [dbsize, flushdb, flushall];
