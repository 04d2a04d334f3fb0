// Generic key commands that act on whole keys: DEL, UNLINK, EXISTS, TYPE, RANDOMKEY, RENAME, RENAMENX, COPY,
// MOVE.
// Each parses its arguments and calls one store operation, so every command is atomic in the store; none
// of them knows how keys are stored or locked. Semantics follow Redis 7's db.c (redis.io/commands/<name>).
// EXISTS, TYPE and COPY's source are read lookups in db.c (lookupKeyRead*), so they count keyspace hits and
// misses; DEL, UNLINK, RENAME and MOVE look up for writing and RANDOMKEY walks the table: none of those count.

import { ArgCursor, isKeyword } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { bulkOrNil, integer, ONE, OK, status, ZERO, type Reply } from '../reply.js';
import type { KeyValueStore } from '../store/types.js';
import { databaseIndex } from './keyspace-db.js';

/** DEL and UNLINK: how many of the keys existed. */
function deleteKeys(argv: Buffer[], ctx: CommandContext): Reply {
  return integer(ctx.store.del(argv.slice(1)));
}

export const del: CommandSpec = {
  name: 'del',
  syntax: 'DEL key [key ...]',
  summary: 'Deletes one or more keys.',
  group: 'generic',
  since: '1.0.0',
  arity: -2,
  flags: ['write'],
  keys: [1, -1, 1],
  run: deleteKeys,
};

// UNLINK frees values in the background in Redis; here a delete is already O(1) per key, so it is DEL.
export const unlink: CommandSpec = {
  name: 'unlink',
  syntax: 'UNLINK key [key ...]',
  summary: 'Asynchronously deletes one or more keys.',
  group: 'generic',
  since: '4.0.0',
  arity: -2,
  flags: ['write', 'fast'],
  keys: [1, -1, 1],
  run: deleteKeys,
};

export const exists: CommandSpec = {
  name: 'exists',
  syntax: 'EXISTS key [key ...]',
  summary: 'Determines whether one or more keys exist.',
  group: 'generic',
  since: '1.0.0',
  arity: -2,
  flags: ['readonly', 'fast'],
  keys: [1, -1, 1],
  run: (argv, ctx) => {
    const found = ctx.store.exists(argv.slice(1)); // a key named twice is looked up, and counted, twice
    ctx.server.counters?.keyLookups(found, argv.length - 1 - found);
    return integer(found);
  },
};

export const type: CommandSpec = {
  name: 'type',
  syntax: 'TYPE key',
  summary: 'Determines the type of value stored at a key.',
  group: 'generic',
  since: '1.0.0',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: [1, 1, 1],
  run: (argv, ctx) => {
    const found = ctx.store.type(argv[1]);
    ctx.server.counters?.keyLookup(found !== 'none');
    return status(found);
  },
};

export const randomkey: CommandSpec = {
  name: 'randomkey',
  syntax: 'RANDOMKEY',
  summary: 'Returns a random key name from the database.',
  group: 'generic',
  since: '1.0.0',
  arity: 1,
  flags: ['readonly'],
  keys: [0, 0, 0],
  run: (_argv, ctx) => bulkOrNil(ctx.store.randomKey()),
};

/**
 * RENAME and RENAMENX (renameGenericCommand). Renaming a key to itself is a no-op that still fails on a
 * missing key, and is answered here so the store never sees source === destination.
 */
function renameGeneric(argv: Buffer[], store: KeyValueStore, nx: boolean): Reply {
  const [, source, destination] = argv;
  if (source.equals(destination)) {
    if (store.exists([source]) === 0) throw new CommandError(ERR.noSuchKey);
    return nx ? ZERO : OK;
  }
  const result = store.rename(source, destination, nx);
  if (result === 'missing') throw new CommandError(ERR.noSuchKey);
  if (nx) return result === 'ok' ? ONE : ZERO;
  return OK;
}

export const rename: CommandSpec = {
  name: 'rename',
  syntax: 'RENAME key newkey',
  summary: 'Renames a key and overwrites the destination.',
  group: 'generic',
  since: '1.0.0',
  arity: 3,
  flags: ['write'],
  keys: [1, 2, 1],
  run: (argv, ctx) => renameGeneric(argv, ctx.store, false),
};

export const renamenx: CommandSpec = {
  name: 'renamenx',
  syntax: 'RENAMENX key newkey',
  summary: "Renames a key only when the target key name doesn't exist.",
  group: 'generic',
  since: '1.0.0',
  arity: 3,
  flags: ['write', 'fast'],
  keys: [1, 2, 1],
  run: (argv, ctx) => renameGeneric(argv, ctx.store, true),
};

/**
 * COPY (copyCommand). Options are parsed left to right and the first bad one decides the error; DB names the
 * destination's database. Copying a key onto itself in one database is an error even when the key does not
 * exist, as in Redis.
 */
export const copy: CommandSpec = {
  name: 'copy',
  syntax: 'COPY source destination [DB destination-db] [REPLACE]',
  summary: 'Copies the value of a key to a new key.',
  group: 'generic',
  since: '6.2.0',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: [1, 2, 1],
  run: (argv, ctx) => {
    const [, source, destination] = argv;
    const options = new ArgCursor(argv, 3);
    let replace = false;
    let db = ctx.store.db;
    while (options.hasNext()) {
      const option = options.next();
      if (isKeyword(option, 'REPLACE')) {
        replace = true;
      } else if (isKeyword(option, 'DB') && options.hasNext()) {
        db = databaseIndex(options.next(), ctx);
      } else {
        throw new CommandError(ERR.syntax);
      }
    }
    if (db === ctx.store.db && source.equals(destination)) throw new CommandError(ERR.sameObject);
    const copied = ctx.store.copy(source, destination, replace, db);
    // Not copied is a missing source or a taken destination: only then ask which (not counted again).
    ctx.server.counters?.keyLookup(copied || ctx.store.exists([source]) === 1);
    return copied ? ONE : ZERO;
  },
};

/**
 * MOVE key db (moveCommand): the database is checked before the key is looked up; 1 when moved, 0 when the key
 * is missing here or already there (expired keys count as missing in both, and are deleted).
 */
export const move: CommandSpec = {
  name: 'move',
  syntax: 'MOVE key db',
  summary: 'Moves a key to another database.',
  group: 'generic',
  since: '1.0.0',
  arity: 3,
  flags: ['write', 'fast'],
  keys: [1, 1, 1],
  run: (argv, ctx) => {
    const db = databaseIndex(argv[2], ctx);
    if (db === ctx.store.db) throw new CommandError(ERR.sameObject);
    return ctx.store.move(argv[1], db) ? ONE : ZERO;
  },
};

export const keyCommands: readonly CommandSpec[] = [
  del,
  unlink,
  exists,
  type,
  randomkey,
  rename,
  renamenx,
  copy,
  move,
];
