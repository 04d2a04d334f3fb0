// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...] (redis.io/commands/xread, Redis
// 7.0's xreadCommand): the entries after each ID of the streams that have some, at once; with BLOCK and none,
// the client blocks (blocking/hub.ts, kind 'xread') until an XADD on any thread gives one of its keys entries
// past its ID, or the timeout (0: forever) answers a null array. `$` is the stream's last ID when the command
// runs. Each key is looked up as lookupKeyRead does (a hit or a miss), a key of another type is WRONGTYPE.

import { isKeyword } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { notifyMiss } from '../pubsub/keyspace-events.js';
import { NIL_ARRAY, type Reply } from '../reply.js';
import { MAX_ID, type StreamId } from '../store/stream-id.js';
import type { StreamEntry } from '../store/stream.js';
import { blockTimeoutArg, readCountArg, streamIdArg } from './stream-args.js';
import { streamsReply } from './stream-reply.js';

const UNBALANCED =
  "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
/** XREAD_BLOCKED_DEFAULT_COUNT: a blocked client with no COUNT is served at most this many entries. */
const BLOCKED_DEFAULT_COUNT = 1000;

interface XreadRequest {
  /** -1: no BLOCK. */
  readonly timeoutMs: number;
  /** 0: no limit. */
  readonly count: number;
  readonly keys: Buffer[];
  /** The ID arguments, `$` not yet resolved. */
  readonly ids: Buffer[];
}

/** The options and the STREAMS part (xreadCommand's parse loop, XREAD's errors only). */
function parseXread(argv: readonly Buffer[], ctx: CommandContext): XreadRequest {
  let timeoutMs = -1;
  let count = 0;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const option = argv[i];
    if (isKeyword(option, 'BLOCK') && more > 0) {
      timeoutMs = blockTimeoutArg(argv[0], argv[++i], ctx);
    } else if (isKeyword(option, 'COUNT') && more > 0) {
      count = readCountArg(argv[++i]);
    } else if (isKeyword(option, 'STREAMS') && more > 0) {
      const rest = argv.length - (i + 1);
      if (rest % 2 !== 0) throw new CommandError(UNBALANCED);
      const half = rest / 2;
      return {
        timeoutMs,
        count,
        keys: argv.slice(i + 1, i + 1 + half),
        ids: argv.slice(i + 1 + half),
      };
    } else if (isKeyword(option, 'GROUP') && more >= 2) {
      throw new CommandError(
        'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.',
      );
    } else if (isKeyword(option, 'NOACK')) {
      throw new CommandError(
        'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.',
      );
    } else throw new CommandError(ERR.syntax);
  }
  throw new CommandError(ERR.syntax); // no STREAMS
}

function xread(argv: Buffer[], ctx: CommandContext): Reply {
  const request = parseXread(argv, ctx);
  const { keys } = request;
  // Each ID in turn, with its key's lookup: `$` is the stream's last ID (0-0 for a missing one).
  const after: StreamId[] = [];
  for (let i = 0; i < keys.length; i++) {
    const arg = request.ids[i];
    const last = lookup(ctx, keys[i]);
    if (arg.length === 1 && arg[0] === 0x24) after.push(last ?? 0n);
    else if (arg.length === 1 && arg[0] === 0x3e) {
      throw new CommandError(
        'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
      );
    } else after.push(streamIdArg(arg, 0n, true).id);
  }
  const asMap = ctx.client.resp === 3;
  const served: [Buffer, StreamEntry[]][] = [];
  for (let i = 0; i < keys.length; i++) {
    // Looked up again, as Redis's serving loop does (a second hit or miss); nothing follows the largest ID.
    const query = { start: after[i] + 1n, end: MAX_ID, count: request.count, reverse: false };
    const entries =
      after[i] === MAX_ID
        ? ctx.store.xlastId(keys[i]) === null
          ? null
          : []
        : ctx.store.xrange(keys[i], query);
    ctx.server.counters?.keyLookup(entries !== null);
    notifyMiss(ctx, keys[i], entries !== null);
    if (entries !== null && entries.length > 0) served.push([keys[i], entries]);
  }
  if (served.length > 0) return streamsReply(served, asMap);
  if (request.timeoutMs === -1) return NIL_ARRAY;
  const hub = ctx.server.blocking;
  if (hub === undefined) return NIL_ARRAY;
  return hub.block(
    ctx.store,
    ctx.client,
    ctx.client.blockedTarget,
    {
      kind: 'xread',
      db: ctx.store.db,
      keys,
      fromHead: true,
      toHead: true,
      count: request.count === 0 ? BLOCKED_DEFAULT_COUNT : request.count,
      destination: null,
      streamIds: after,
      mapReply: asMap,
    },
    request.timeoutMs,
    NIL_ARRAY,
  );
}

/** lookupKeyRead of one key for its ID: the stream's last ID, null when missing; WRONGTYPE for another type. */
function lookup(ctx: CommandContext, key: Buffer): StreamId | null {
  const type = ctx.store.type(key);
  // Counted as a hit by the executor (wrong-type-lookups.ts), with the keys looked up before it.
  if (type !== 'none' && type !== 'stream') throw new CommandError(ERR.wrongType);
  const last = type === 'none' ? null : ctx.store.xlastId(key);
  ctx.server.counters?.keyLookup(last !== null);
  notifyMiss(ctx, key, last !== null);
  return last;
}

/** xreadGetKeys: the keys are the first half of what follows STREAMS. */
function xreadKeys(argv: readonly Buffer[]): { position: number; spec: number }[] {
  for (let i = 1; i < argv.length; i++) {
    if (isKeyword(argv[i], 'BLOCK') || isKeyword(argv[i], 'COUNT')) i++;
    else if (isKeyword(argv[i], 'GROUP')) i += 2;
    else if (isKeyword(argv[i], 'STREAMS')) {
      const half = Math.floor((argv.length - i - 1) / 2);
      return Array.from({ length: half }, (_, k) => ({ position: i + 1 + k, spec: 0 }));
    }
  }
  return [];
}

export const streamXreadCommands: readonly CommandSpec[] = [
  {
    name: 'xread',
    syntax: 'XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]',
    summary:
      'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.',
    group: 'stream',
    since: '5.0.0',
    arity: -4,
    flags: ['readonly', 'blocking', 'movablekeys'],
    keys: [0, 0, 0],
    getKeys: xreadKeys,
    run: xread,
  },
];
