// The stream commands that write: XADD, XDEL, XTRIM (redis.io/commands/<name>, Redis 7.0's t_stream.c).
// Arguments are read here (stream-args.ts); the store appends, deletes and trims atomically. Keyspace events
// as t_stream.c: `new` for a stream XADD created, `xadd`, then `xtrim` when its trim removed entries; `xdel`;
// `xtrim`. Writes look keys up for writing: no hits or misses.

import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import {
  NOTIFY_STREAM,
  notifyCreated,
  notifyKeyspaceEvent,
  writeWithMissing,
} from '../pubsub/keyspace-events.js';
import { isKeyword, toBigInt } from '../args.js';
import { bulk, integer, NIL, OK, ZERO, type Reply } from '../reply.js';
import { idBuffer } from '../store/stream-id.js';
import { ARGS_ERR, parseAddOrTrim, streamIdArg } from './stream-args.js';

/** XADD key [NOMKSTREAM] [(MAXLEN | MINID) [= | ~] threshold [LIMIT count]] (* | id) field value [...] */
function xadd(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const args = parseAddOrTrim(argv, true, ctx.store.containerLimit('stream-node-max-entries'));
  const fieldsAt = args.idIndex + 1;
  const pairs = argv.length - fieldsAt;
  if (pairs < 2 || pairs % 2 === 1) throw new CommandError(ERR.wrongArity('xadd'));
  if (args.id !== null && args.id.seqGiven && args.id.id === 0n) throw new CommandError(ARGS_ERR.zeroId);
  const request = {
    id: args.id,
    noMkStream: args.noMkStream,
    trim: args.trim,
    pairs: argv.slice(fieldsAt),
  };
  const { result, missing } = writeWithMissing(ctx, [key], (store) => store.xadd(key, request));
  if (result.id === null) return NIL;
  markChanged(ctx); // one, whatever the trim removed (xaddCommand)
  if (result.trimmedTo !== null) {
    logExactTrim(ctx, argv, args.trimArgIndex, result.trimmedTo, args.idIndex, idBuffer(result.id));
  }
  notifyCreated(ctx, [key], missing, 0);
  notifyKeyspaceEvent(ctx, NOTIFY_STREAM, 'xadd', key);
  if (result.trimmed > 0) notifyKeyspaceEvent(ctx, NOTIFY_STREAM, 'xtrim', key);
  return bulk(idBuffer(result.id));
}

/**
 * A `~` trim (XADD's or XTRIM's) as Redis propagates it (t_stream.c streamRewriteApproxSpecifier,
 * streamRewriteTrimArgument): `=` and the length (or first ID) it left, so replaying it trims exactly what it
 * trimmed here whatever the node sizes then; XADD's ID as made (`idAt`, else argv.length for XTRIM). LIMIT is
 * left out: Redis keeps it and its AOF loader ignores it, a client refuses LIMIT without `~`, so without it the
 * line replays the same on both. asLogged (aof/as-logged.ts) logs nothing more for a `~` trim.
 */
function logExactTrim(
  ctx: CommandContext,
  argv: readonly Buffer[],
  trimArgIndex: number,
  trimmedTo: string,
  idAt: number,
  id: Buffer | null,
): void {
  const aof = ctx.server.aof;
  if (aof === undefined) return;
  const out: Buffer[] = [argv[0], argv[1]];
  for (let i = 2; i < argv.length; i++) {
    if (i < idAt && isKeyword(argv[i], 'LIMIT')) i++;
    else if (i === trimArgIndex - 1) out.push(Buffer.from('='));
    else if (i === trimArgIndex) out.push(Buffer.from(trimmedTo, 'latin1'));
    else if (i === idAt && id !== null) out.push(id);
    else out.push(argv[i]);
  }
  aof.recordCommand(ctx.store.db, out);
}

/**
 * XDEL key id [id ...]: every ID is checked before any is deleted, after the key's lookup (a missing key is 0
 * whatever the IDs, another type WRONGTYPE).
 */
function xdel(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  let ids: bigint[];
  try {
    ids = argv.slice(2).map((arg) => streamIdArg(arg, 0n, true).id);
  } catch (error) {
    const type = ctx.store.type(key);
    if (type === 'none') return ZERO;
    if (type !== 'stream') throw new CommandError(ERR.wrongType);
    throw error;
  }
  const deleted = ctx.store.xdel(key, ids);
  markChanged(ctx, deleted);
  if (deleted > 0) notifyKeyspaceEvent(ctx, NOTIFY_STREAM, 'xdel', key);
  return integer(deleted);
}

/** XTRIM key (MAXLEN | MINID) [= | ~] threshold [LIMIT count] */
function xtrim(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const { trim, trimArgIndex } = parseAddOrTrim(
    argv,
    false,
    ctx.store.containerLimit('stream-node-max-entries'),
  );
  const { trimmed, trimmedTo } = ctx.store.xtrim(key, trim!);
  markChanged(ctx, trimmed);
  if (trimmed > 0) notifyKeyspaceEvent(ctx, NOTIFY_STREAM, 'xtrim', key);
  if (trimmedTo !== null) logExactTrim(ctx, argv, trimArgIndex, trimmedTo, argv.length, null);
  return integer(trimmed);
}

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] (xsetidCommand). */
function xsetid(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const id = streamIdArg(argv[2], 0n, true).id;
  let entriesAdded = -1;
  let maxDeletedId = 0n;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i;
    if (isKeyword(argv[i], 'ENTRIESADDED') && more > 0) {
      const n = toBigInt(argv[i + 1]);
      if (n < 0n) throw new CommandError('ERR entries_added must be positive');
      entriesAdded = Number(n);
    } else if (isKeyword(argv[i], 'MAXDELETEDID') && more > 0) {
      maxDeletedId = streamIdArg(argv[i + 1], 0n, true).id;
      if (id < maxDeletedId) {
        throw new CommandError(
          'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id',
        );
      }
    } else throw new CommandError(ERR.syntax);
  }
  if (!ctx.store.xsetid(key, { id, entriesAdded, maxDeletedId })) throw new CommandError(ERR.noSuchKey);
  markChanged(ctx);
  notifyKeyspaceEvent(ctx, NOTIFY_STREAM, 'xsetid', key);
  return OK;
}

export const streamWriteCommands: readonly CommandSpec[] = [
  {
    name: 'xadd',
    syntax:
      'XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]',
    summary: 'Appends a new entry to a stream',
    group: 'stream',
    since: '5.0.0',
    arity: -5,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    run: xadd,
  },
  {
    name: 'xdel',
    syntax: 'XDEL key id [id ...]',
    summary:
      'Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.',
    group: 'stream',
    since: '5.0.0',
    arity: -3,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: xdel,
  },
  {
    name: 'xtrim',
    syntax: 'XTRIM key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]',
    summary: "Trims the stream to (approximately if '~' is passed) a certain size",
    group: 'stream',
    since: '5.0.0',
    arity: -4,
    flags: ['write'],
    keys: [1, 1, 1],
    run: xtrim,
  },
  {
    name: 'xsetid',
    syntax: 'XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]',
    summary: 'An internal command for replicating stream values',
    group: 'stream',
    since: '5.0.0',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    run: xsetid,
  },
];
