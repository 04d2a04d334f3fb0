// Whole-database commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, and the parsing of a database number that
// SELECT, MOVE and COPY share. Redis files most of them under "server"; they live with the keyspace family
// because they are one store call each. The store empties and swaps databases atomically (every segment's
// lock); SYNC and ASYNC are accepted and behave the same.

import { isKeyword, toInt32 } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import { integer, OK, type Reply } from '../reply.js';

/**
 * A database number argument as db.c reads one: getIntFromObjectOrReply (with `message` for both of its
 * errors when given), then selectDb's range check.
 */
export function databaseIndex(arg: Buffer, ctx: CommandContext, message?: string): number {
  const db = toInt32(arg, message);
  if (db < 0 || db >= ctx.store.databases) throw new CommandError(ERR.dbIndexOutOfRange);
  return db;
}

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

/** getFlushCommandFlags: one optional SYNC or ASYNC, anything else is a syntax error. */
function checkFlushMode(argv: Buffer[]): void {
  const mode = argv[1];
  if (argv.length > 2 || (mode !== undefined && !isKeyword(mode, 'SYNC') && !isKeyword(mode, 'ASYNC'))) {
    throw new CommandError(ERR.syntax);
  }
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
  run: (argv: Buffer[], ctx: CommandContext): Reply => {
    checkFlushMode(argv);
    markChanged(ctx, ctx.store.flushDb());
    // Every tracking client hears that every key it may cache is invalid (signalFlushedDb).
    ctx.server.tracking?.flushed();
    return OK;
  },
};

/**
 * flushAllDataAndResetRDB: with save points set, the emptied data set is saved at once, so the dump on disk holds
 * no flushed key and the change count starts again from 0. Redis stops a running BGSAVE for it; here a save already
 * running is left to finish, and a failed save is only logged (by persistence), as rdbSave's is.
 */
function saveEmptied(ctx: CommandContext): void {
  const persistence = ctx.server.persistence;
  if (persistence === undefined || !persistence.savePointsSet() || persistence.inProgress()) return;
  try {
    persistence.save();
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
  }
}

export const flushall: CommandSpec = {
  name: 'flushall',
  syntax: 'FLUSHALL [ASYNC | SYNC]',
  summary: 'Removes all keys from all databases.',
  group: 'server',
  since: '1.0.0',
  arity: -1,
  flags: ['write'],
  keys: [0, 0, 0],
  run: (argv: Buffer[], ctx: CommandContext): Reply => {
    checkFlushMode(argv);
    markChanged(ctx, ctx.store.flushAll());
    // Every tracking client hears that every key it may cache is invalid (signalFlushedDb).
    ctx.server.tracking?.flushed();
    saveEmptied(ctx);
    return OK;
  },
};

/**
 * SWAPDB index1 index2 (db.c swapdbCommand): each index is read with its own error text, then both are
 * range-checked; a database swapped with itself is OK and changes nothing. Clients stay on their numbers and
 * see the other database's keys; watchers of either are dirtied as Redis 7.0 does (store/watch.ts), and
 * clients blocked in either are served from the keys it brought in (scanDatabaseForReadyKeys).
 */
export const swapdb: CommandSpec = {
  name: 'swapdb',
  syntax: 'SWAPDB index1 index2',
  summary: 'Swaps two Redis databases.',
  group: 'server',
  since: '4.0.0',
  arity: 3,
  flags: ['write', 'fast'],
  keys: [0, 0, 0],
  run: (argv, ctx) => {
    const x = toInt32(argv[1], 'ERR invalid first DB index');
    const y = toInt32(argv[2], 'ERR invalid second DB index');
    const databases = ctx.store.databases;
    if (x < 0 || x >= databases || y < 0 || y >= databases) throw new CommandError(ERR.dbIndexOutOfRange);
    ctx.store.swapDb(x, y);
    markChanged(ctx); // even a database swapped with itself (dbSwapDatabases succeeds)
    // Clients blocked in either database wait on its number, so they may now find their keys filled.
    const blocking = ctx.server.blocking;
    if (x !== y && blocking?.anyBlocked() === true) {
      blocking.databaseReplaced(x);
      blocking.databaseReplaced(y);
    }
    return OK;
  },
};

export const databaseCommands: readonly CommandSpec[] = [dbsize, flushdb, flushall, swapdb];
