// The stream commands that read one stream: XLEN, XRANGE, XREVRANGE, XINFO STREAM / HELP (redis.io/commands/<name>,
// Redis 7.0's t_stream.c). Each looks its key up as lookupKeyRead does (a hit or a miss with its `keymiss`
// event; a key of another type is a hit, then WRONGTYPE). Replies in Redis's shapes: an entry is [id, [field,
// value, ...]]; XINFO STREAM is a map (RESP2 flattens it).

import { isKeyword, toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, cString, ERR } from '../errors.js';
import { array, bulk, bulkString, fieldMap, integer, NIL, NIL_ARRAY, type Reply } from '../reply.js';
import { idBuffer, MAX_ID, type StreamId } from '../store/stream-id.js';
import { entryReply } from './stream-reply.js';
import { helpReply } from './container.js';
import { lagReply, xinfoGroupCommands } from './stream-groups-admin.js';
import { INVALID_ENTRIES_READ, pendingByConsumer, type Group } from '../store/stream-groups.js';
import type { StreamInfo } from '../store/streams.js';
import { readHash } from './hashes-read.js';
import { rangeBound } from './stream-args.js';
import { radixTreeNodes } from './stream-rax.js';

const present = (result: unknown): boolean => result !== null;

function xlen(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  return integer(readHash(ctx, key, (store) => store.xlen(key), present) ?? 0);
}

/** XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count] (xrangeGenericCommand). */
function xrange(argv: Buffer[], ctx: CommandContext, reverse: boolean): Reply {
  const key = argv[1];
  const start = rangeBound(reverse ? argv[3] : argv[2], true);
  const end = rangeBound(reverse ? argv[2] : argv[3], false);
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (isKeyword(argv[j], 'COUNT') && j + 1 < argv.length) {
      const n = toBigInt(argv[++j]);
      count = n < 0n ? 0 : Number(n);
    } else throw new CommandError(ERR.syntax);
  }
  const query = { start, end, count: count === -1 ? 0 : Math.max(count, 1), reverse };
  // A COUNT of 0 still looks the key up (and checks its type) before its null reply.
  const entries = readHash(ctx, key, (store) => store.xrange(key, query), present);
  if (entries === null) return array([]);
  if (count === 0) return NIL_ARRAY;
  return array(entries.map(entryReply));
}

const idReply = (id: StreamId): Reply => bulk(idBuffer(id));

/** XINFO STREAM key [FULL [COUNT count]] (xinfoReplyWithStreamInfo). */
function xinfoStream(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[2];
  // The key is looked up before the options are read (xinfoCommand, then xinfoReplyWithStreamInfo).
  const info = readHash(ctx, key, (store) => store.xinfoStream(key), present);
  if (info === null) throw new CommandError(ERR.noSuchKey);
  const options = argv.slice(3);
  let full = false;
  let count = 10;
  if (options.length > 0) {
    const syntax = (): never => {
      throw new CommandError(
        `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1], 128)}'. Try XINFO HELP.`,
      );
    };
    if (options.length !== 1 && options.length !== 3) syntax();
    if (options[0].toString('latin1').toLowerCase() !== 'full') syntax();
    if (options.length === 3) {
      if (options[1].toString('latin1').toLowerCase() !== 'count') syntax();
      const n = toBigInt(options[2]);
      count = n < 0n ? 10 : Number(n);
    }
    full = true;
  }
  const fields: [string, Reply][] = [
    ['length', integer(info.length)],
    ['radix-tree-keys', integer(info.masterIds.length)],
    ['radix-tree-nodes', integer(radixTreeNodes(info.masterIds))],
    ['last-generated-id', idReply(info.lastId)],
    ['max-deleted-entry-id', idReply(info.maxDeletedId)],
    ['entries-added', integer(info.entriesAdded)],
    ['recorded-first-entry-id', idReply(info.firstId)],
  ];
  if (!full) {
    fields.push(
      ['groups', integer(info.groups.length)],
      ['first-entry', info.first === null ? NIL : entryReply(info.first)],
      ['last-entry', info.last === null ? NIL : entryReply(info.last)],
    );
    return fieldMap(fields);
  }
  // The same stream read again, not looked up again: Redis counts XINFO STREAM FULL's one lookup only.
  const entries = ctx.store.xrange(key, { start: 0n, end: MAX_ID, count, reverse: false }) ?? [];
  fields.push(
    ['entries', array(entries.map(entryReply))],
    ['groups', array(info.groups.map((g) => groupFull(g, info, count)))],
  );
  return fieldMap(fields);
}

/** A group as XINFO STREAM FULL shows it: its PEL and consumers, at most `count` pending entries each (0: all). */
function groupFull(group: Group, info: StreamInfo, count: number): Reply {
  const owned = pendingByConsumer(group);
  const limit = <T>(list: readonly T[]): readonly T[] => (count === 0 ? list : list.slice(0, count));
  return fieldMap([
    ['name', bulk(group.name)],
    ['last-delivered-id', idReply(group.lastId)],
    ['entries-read', group.entriesRead === INVALID_ENTRIES_READ ? NIL : integer(group.entriesRead)],
    ['lag', lagReply(info, group)],
    ['pel-count', integer(group.pending.length)],
    [
      'pending',
      array(
        limit(group.pending).map((p) =>
          array([idReply(p.id), bulk(p.consumer), integer(p.deliveryTime), integer(p.deliveryCount)]),
        ),
      ),
    ],
    [
      'consumers',
      array(
        group.consumers.map((c) => {
          const own = owned.get(c.name.toString('latin1'))!;
          return fieldMap([
            ['name', bulk(c.name)],
            ['seen-time', integer(c.seenTime)],
            ['pel-count', integer(own.length)],
            [
              'pending',
              array(
                limit(own).map((p) =>
                  array([idReply(p.id), integer(p.deliveryTime), integer(p.deliveryCount)]),
                ),
              ),
            ],
          ]);
        }),
      ),
    ],
  ]);
}

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

const rangeSpec = {
  group: 'stream',
  since: '5.0.0',
  arity: -4,
  flags: ['readonly'],
  keys: [1, 1, 1],
} as const satisfies Pick<CommandSpec, 'group' | 'since' | 'arity' | 'flags' | 'keys'>;

export const streamReadCommands: readonly CommandSpec[] = [
  {
    name: 'xlen',
    syntax: 'XLEN key',
    summary: 'Return the number of entries in a stream',
    group: 'stream',
    since: '5.0.0',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    run: xlen,
  },
  {
    ...rangeSpec,
    name: 'xrange',
    syntax: 'XRANGE key start end [COUNT count]',
    summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval',
    run: (argv, ctx) => xrange(argv, ctx, false),
  },
  {
    ...rangeSpec,
    name: 'xrevrange',
    syntax: 'XREVRANGE key end start [COUNT count]',
    summary:
      'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE',
    run: (argv, ctx) => xrange(argv, ctx, true),
  },
  {
    name: 'xinfo',
    syntax: 'XINFO subcommand [argument ...]',
    summary: 'A container for stream introspection commands',
    group: 'stream',
    since: '5.0.0',
    arity: -2,
    flags: [],
    keys: [0, 0, 0],
    subcommands: [
      ...xinfoGroupCommands.filter((c) => c.name === 'xinfo|consumers'),
      ...xinfoGroupCommands.filter((c) => c.name === 'xinfo|groups'),
      {
        name: 'xinfo|help',
        syntax: 'XINFO HELP',
        summary: 'Show helpful text about the different subcommands',
        group: 'stream',
        since: '5.0.0',
        arity: 2,
        flags: ['loading', 'stale'],
        keys: [0, 0, 0],
        run: () => helpReply('xinfo', XINFO_HELP),
      },
      {
        name: 'xinfo|stream',
        syntax: 'XINFO STREAM key [FULL [COUNT count]]',
        summary: 'Get information about a stream',
        group: 'stream',
        since: '5.0.0',
        arity: -3,
        flags: ['readonly'],
        keys: [2, 2, 1],
        run: xinfoStream,
      },
    ],
  },
];
