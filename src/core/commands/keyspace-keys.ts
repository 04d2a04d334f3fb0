// Generic key commands that act on whole keys: DEL, UNLINK, EXISTS, TOUCH, TYPE, RANDOMKEY, RENAME, RENAMENX,
// COPY, MOVE.
// Each parses its arguments and calls one store operation, so every command is atomic in the store; none
// of them knows how keys are stored or locked. Semantics follow Redis 7's db.c (redis.io/commands/<name>).
// EXISTS, TOUCH, TYPE and COPY's source are read lookups in db.c (lookupKeyRead*), so they count keyspace hits and
// misses (and a miss is a `keymiss` event); DEL, UNLINK, RENAME and MOVE look up for writing and RANDOMKEY
// walks the table: none of those count. Keyspace events as db.c: `del` per key deleted, `new` for the key a
// RENAME, COPY or MOVE creates, then `rename_from`/`rename_to`, `copy_to`, `move_from`/`move_to`.

import { ArgCursor, isKeyword } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import {
  NOTIFY_GENERIC,
  NOTIFY_KEY_MISS,
  NOTIFY_NEW,
  notifyKeyspaceEvent,
  notifyMiss,
  wantsEvent,
} from '../pubsub/keyspace-events.js';
import { bulkOrNil, integer, ONE, OK, status, ZERO, type Reply } from '../reply.js';
import type { KeyValueStore } from '../store/types.js';
import { databaseIndex } from './keyspace-db.js';

/** DEL and UNLINK: how many of the keys existed; `del` for each one deleted, in order. */
function deleteKeys(argv: Buffer[], ctx: CommandContext): Reply {
  const keys = argv.slice(1);
  if (!wantsEvent(ctx, NOTIFY_GENERIC)) {
    const count = ctx.store.del(keys);
    markChanged(ctx, count);
    return integer(count);
  }
  // Which ones were deleted, key by key under all their locks: as atomic as one del().
  const deleted = ctx.store.transaction(keys, (locked) => keys.map((key) => locked.del([key]) === 1));
  keys.forEach((key, i) => {
    if (deleted[i]) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', key);
  });
  const count = deleted.filter(Boolean).length;
  markChanged(ctx, count);
  return integer(count);
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
    const keys = argv.slice(1);
    if (wantsEvent(ctx, NOTIFY_KEY_MISS)) {
      // Which ones are missing, at one instant (under their locks), for their keymiss events.
      const each = ctx.store.transaction(keys, (locked) => keys.map((key) => locked.exists([key]) === 1));
      const hits = each.filter(Boolean).length;
      ctx.server.counters?.keyLookups(hits, keys.length - hits);
      keys.forEach((key, i) => notifyMiss(ctx, key, each[i]));
      return integer(hits);
    }
    const found = ctx.store.exists(keys); // a key named twice is looked up, and counted, twice
    ctx.server.counters?.keyLookups(found, keys.length - found);
    return integer(found);
  },
};

/**
 * TOUCH key [key ...] (db.c touchCommand): EXISTS, but each key is a plain read lookup, so a found key's access
 * time (OBJECT IDLETIME) or LFU counter (OBJECT FREQ) is updated as a GET would, where EXISTS leaves it as it was.
 */
export const touch: CommandSpec = {
  name: 'touch',
  syntax: 'TOUCH key [key ...]',
  summary:
    'Returns the number of existing keys out of those specified after updating the time they were last accessed.',
  group: 'generic',
  since: '3.2.1',
  arity: -2,
  flags: ['readonly', 'fast'],
  keys: [1, -1, 1],
  run: (argv, ctx) => {
    const keys = argv.slice(1);
    const found = ctx.store.touch(keys);
    let hits = 0;
    for (const one of found) if (one) hits++;
    ctx.server.counters?.keyLookups(hits, keys.length - hits);
    if (wantsEvent(ctx, NOTIFY_KEY_MISS)) keys.forEach((key, i) => notifyMiss(ctx, key, found[i]));
    return integer(hits);
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
    notifyMiss(ctx, argv[1], found !== 'none');
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
function renameGeneric(argv: Buffer[], ctx: CommandContext, nx: boolean): Reply {
  const [, source, destination] = argv;
  const store: KeyValueStore = ctx.store;
  if (source.equals(destination)) {
    if (store.exists([source]) === 0) throw new CommandError(ERR.noSuchKey);
    return nx ? ZERO : OK;
  }
  const result = store.rename(source, destination, nx);
  if (result === 'missing') throw new CommandError(ERR.noSuchKey);
  if (result === 'ok') {
    markChanged(ctx);
    // dbAdd of the destination (a `new` key, even over one it replaced), then the pair.
    notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', destination);
    notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'rename_from', source);
    notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'rename_to', destination);
  }
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
  run: (argv, ctx) => renameGeneric(argv, ctx, false),
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
  run: (argv, ctx) => renameGeneric(argv, ctx, true),
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
    const found = copied || ctx.store.exists([source]) === 1;
    ctx.server.counters?.keyLookup(found);
    notifyMiss(ctx, source, found);
    if (!copied) return ZERO;
    markChanged(ctx);
    notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', destination, db);
    notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'copy_to', destination, db);
    return ONE;
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
    if (!ctx.store.move(argv[1], db)) return ZERO;
    markChanged(ctx);
    notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', argv[1], db);
    notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'move_from', argv[1]);
    notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'move_to', argv[1], db);
    return ONE;
  },
};

export const keyCommands: readonly CommandSpec[] = [
  del,
  unlink,
  exists,
  touch,
  type,
  randomkey,
  rename,
  renamenx,
  copy,
  move,
];
