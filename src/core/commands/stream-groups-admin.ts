// XGROUP (CREATE [MKSTREAM] [ENTRIESREAD], SETID [ENTRIESREAD], DESTROY, CREATECONSUMER, DELCONSUMER, HELP) and
// XINFO GROUPS / CONSUMERS (redis.io/commands/xgroup, xinfo; Redis 7.0's xgroupCommand and xinfoCommand), with
// their errors in Redis's order (options, then the key, then the group) and their keyspace events
// (`xgroup-create`, `xgroup-setid`, `xgroup-destroy`, `xgroup-createconsumer`, `xgroup-delconsumer`).
// The groups are the store's (store/stream-groups.ts), changed under the key's lock through store.xgroups.

import { isKeyword, toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, cString, ERR } from '../errors.js';
import { NOTIFY_STREAM, notifyKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { array, bulk, fieldMap, integer, NIL, OK, ONE, ZERO, type Reply } from '../reply.js';
import {
  addConsumer,
  deleteConsumer,
  releaseGroup,
  findConsumer,
  findGroup,
  insertByName,
  INVALID_ENTRIES_READ,
  type LiveGroup,
} from '../store/stream-groups.js';
import { idBuffer } from '../store/stream-id.js';
import { groupLag, type StreamFigures } from '../store/stream-lag.js';
import { helpReply } from './container.js';
import { readHash } from './hashes-read.js';
import { streamIdArg } from './stream-args.js';

const KEY_REQUIRED =
  'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.';

const subcommandError = (container: string, argv: Buffer[]): CommandError =>
  new CommandError(
    `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1], 128)}'. Try ${container} HELP.`,
  );

export const noGroup = (key: Uint8Array, group: Uint8Array): CommandError =>
  new CommandError(`NOGROUP No such consumer group '${cString(group)}' for key name '${cString(key)}'`);

function xgroup(argv: Buffer[], ctx: CommandContext): Reply {
  const sub = argv[1].toString('latin1').toLowerCase();
  const [key, groupName] = [argv[2], argv[3]];
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  for (let i = 5; i < argv.length;) {
    if (sub === 'create' && isKeyword(argv[i], 'MKSTREAM')) {
      mkstream = true;
      i++;
    } else if (
      (sub === 'create' || sub === 'setid') &&
      isKeyword(argv[i], 'ENTRIESREAD') &&
      i + 1 < argv.length
    ) {
      const n = toBigInt(argv[i + 1]);
      if (n < 0n && n !== -1n) throw new CommandError('ERR value for ENTRIESREAD must be positive or -1');
      entriesRead = Number(n);
      i += 2;
    } else throw subcommandError('XGROUP', argv);
  }
  const events: string[] = [];
  const reply = ctx.store.xgroups(key, false, (w) => {
    if (w === null && !mkstream) throw new CommandError(KEY_REQUIRED);
    const group = w === null ? null : findGroup(w.groups, groupName);
    if (w !== null && group === null && sub !== 'create' && sub !== 'destroy') throw noGroup(key, groupName);
    switch (sub) {
      case 'create':
        if (argv.length < 5 || argv.length > 8) throw subcommandError('XGROUP', argv);
        return null; // below: it may create the key
      case 'setid': {
        if (argv.length !== 5 && argv.length !== 7) throw subcommandError('XGROUP', argv);
        const isLast = argv[4].length === 1 && argv[4][0] === 0x24;
        group!.lastId = isLast ? w!.stream.lastId : streamIdArg(argv[4], 0n, false).id;
        group!.entriesRead = entriesRead;
        w!.changed();
        events.push('xgroup-setid');
        return OK;
      }
      case 'destroy':
        if (argv.length !== 4) throw subcommandError('XGROUP', argv);
        if (group === null) return ZERO;
        releaseGroup(group);
        w!.groups.splice(w!.groups.indexOf(group), 1);
        w!.changed();
        events.push('xgroup-destroy');
        return ONE;
      case 'createconsumer':
        if (argv.length !== 5) throw subcommandError('XGROUP', argv);
        if (findConsumer(group!, argv[4]) !== null) return ZERO;
        addConsumer(group!, argv[4], w!.now);
        w!.changed();
        events.push('xgroup-createconsumer');
        return ONE;
      case 'delconsumer': {
        if (argv.length !== 5) throw subcommandError('XGROUP', argv);
        const consumer = findConsumer(group!, argv[4]);
        if (consumer === null) return ZERO;
        const pending = deleteConsumer(group!, consumer);
        w!.changed();
        events.push('xgroup-delconsumer');
        return integer(pending);
      }
      default:
        throw subcommandError('XGROUP', argv);
    }
  });
  if (reply !== null) {
    markChanged(ctx, events.length); // xgroupCommand: a change wherever it publishes an event
    for (const event of events) notifyKeyspaceEvent(ctx, NOTIFY_STREAM, event, key);
    return reply;
  }
  return xgroupCreate(argv, ctx, mkstream, entriesRead);
}

/** XGROUP CREATE key group <id | $> [MKSTREAM] [ENTRIESREAD n]: the key made only once nothing can fail. */
function xgroupCreate(argv: Buffer[], ctx: CommandContext, mkstream: boolean, entriesRead: number): Reply {
  const [key, groupName, idArg] = [argv[2], argv[3], argv[4]];
  const isLast = idArg.length === 1 && idArg[0] === 0x24;
  const given = isLast ? null : streamIdArg(idArg, 0n, true).id;
  const made = ctx.store.xgroups(key, mkstream, (w) => {
    if (w === null) throw new CommandError(KEY_REQUIRED);
    if (findGroup(w.groups, groupName) !== null) {
      throw new CommandError('BUSYGROUP Consumer Group name already exists');
    }
    const lastId = given ?? w.stream.lastId;
    insertByName(w.groups, {
      name: Buffer.from(groupName),
      lastId,
      entriesRead,
      consumers: [],
      nextNumber: 1,
      pel: w.stream.emptyPel(),
    });
    w.changed();
    return true;
  });
  if (made) {
    markChanged(ctx);
    notifyKeyspaceEvent(ctx, NOTIFY_STREAM, 'xgroup-create', key);
  }
  return OK;
}

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

// ---- XINFO GROUPS / CONSUMERS ----

/** The groups of the stream at key, with its figures, read under its lock; ERR no such key when missing. */
function readGroups<R>(
  ctx: CommandContext,
  key: Buffer,
  read: (groups: LiveGroup[], s: StreamFigures, now: number) => R,
): R {
  const result = readHash(
    ctx,
    key,
    (store) =>
      store.xgroups(key, false, (w) => (w === null ? null : { value: read(w.groups, w.stream, w.now) })),
    (r) => r !== null,
  );
  if (result === null) throw new CommandError(ERR.noSuchKey);
  return result.value;
}

/** XINFO GROUPS key */
function xinfoGroups(argv: Buffer[], ctx: CommandContext): Reply {
  return readGroups(ctx, argv[2], (groups, s) =>
    array(
      groups.map((g) =>
        fieldMap([
          ['name', bulk(g.name)],
          ['consumers', integer(g.consumers.length)],
          ['pending', integer(g.pel.size)],
          ['last-delivered-id', bulk(idBuffer(g.lastId))],
          ['entries-read', g.entriesRead === INVALID_ENTRIES_READ ? NIL : integer(g.entriesRead)],
          ['lag', lagReply(s, g)],
        ]),
      ),
    ),
  );
}

export function lagReply(s: StreamFigures, group: Parameters<typeof groupLag>[1]): Reply {
  const lag = groupLag(s, group);
  return lag === null ? NIL : integer(lag);
}

/** XINFO CONSUMERS key group */
function xinfoConsumers(argv: Buffer[], ctx: CommandContext): Reply {
  const [key, groupName] = [argv[2], argv[3]];
  return readGroups(ctx, key, (groups, _s, now) => {
    const group = findGroup(groups, groupName);
    if (group === null) throw noGroup(key, groupName);
    return array(
      group.consumers.map((c) =>
        fieldMap([
          ['name', bulk(c.name)],
          ['pending', integer(c.pending)],
          ['idle', integer(Math.max(0, now - c.seenTime))],
        ]),
      ),
    );
  });
}

const groupSpec = (
  name: string,
  syntax: string,
  summary: string,
  since: string,
  arity: number,
  flags: CommandSpec['flags'],
): CommandSpec => ({
  name: `xgroup|${name}`,
  syntax,
  summary,
  group: 'stream',
  since,
  arity,
  flags,
  keys: [2, 2, 1],
  run: xgroup,
});

export const xgroupCommand: CommandSpec = {
  name: 'xgroup',
  syntax: 'XGROUP subcommand [argument ...]',
  summary: 'A container for consumer groups commands',
  group: 'stream',
  since: '5.0.0',
  arity: -2,
  flags: [],
  keys: [0, 0, 0],
  subcommands: [
    groupSpec(
      'create',
      'XGROUP CREATE key groupname <id | $> [MKSTREAM] [ENTRIESREAD entries-read]',
      'Create a consumer group.',
      '5.0.0',
      -5,
      ['write', 'denyoom'],
    ),
    groupSpec(
      'createconsumer',
      'XGROUP CREATECONSUMER key groupname consumername',
      'Create a consumer in a consumer group.',
      '6.2.0',
      5,
      ['write', 'denyoom'],
    ),
    groupSpec(
      'delconsumer',
      'XGROUP DELCONSUMER key groupname consumername',
      'Delete a consumer from a consumer group.',
      '5.0.0',
      5,
      ['write'],
    ),
    groupSpec('destroy', 'XGROUP DESTROY key groupname', 'Destroy a consumer group.', '5.0.0', 4, ['write']),
    {
      name: 'xgroup|help',
      syntax: 'XGROUP HELP',
      summary: 'Show helpful text about the different subcommands',
      group: 'stream',
      since: '5.0.0',
      arity: 2,
      flags: ['loading', 'stale'],
      keys: [0, 0, 0],
      run: () => helpReply('xgroup', XGROUP_HELP),
    },
    groupSpec(
      'setid',
      'XGROUP SETID key groupname <id | $> [ENTRIESREAD entries-read]',
      'Set a consumer group to an arbitrary last delivered ID value.',
      '5.0.0',
      -5,
      ['write'],
    ),
  ],
};

export const xinfoGroupCommands: readonly CommandSpec[] = [
  {
    name: 'xinfo|consumers',
    syntax: 'XINFO CONSUMERS key groupname',
    summary: 'List the consumers in a consumer group',
    group: 'stream',
    since: '5.0.0',
    arity: 4,
    flags: ['readonly'],
    keys: [2, 2, 1],
    run: xinfoConsumers,
  },
  {
    name: 'xinfo|groups',
    syntax: 'XINFO GROUPS key',
    summary: 'List the consumer groups of a stream',
    group: 'stream',
    since: '5.0.0',
    arity: 3,
    flags: ['readonly'],
    keys: [2, 2, 1],
    run: xinfoGroups,
  },
];
