// The set command family (redis.io/commands/?group=set), one list so `grep` finds every member. Each member
// lives in a small file by theme; this file gathers them for the command table and holds the members and
// cardinality commands: SADD, SREM, SISMEMBER, SMISMEMBER, SCARD, SMOVE (Redis 7.0's t_set.c). Reads count a
// keyspace hit or miss as lookupKeyRead does; keyspace events are t_set.c's: `new` for a key made, `sadd`,
// `srem`, `del` for a set emptied.

import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { oneKey } from '../key-specs.js';
import { NOTIFY_GENERIC, NOTIFY_NEW, NOTIFY_SET, notifyKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { array, integer, ONE, ZERO, type Reply } from '../reply.js';
import { setAlgebraCommands } from './sets-algebra.js';
import { countedLookup } from './sets-lookup.js';
import { setRandomCommands } from './sets-random.js';
import { sscanCommand } from './sets-scan.js';

function sadd(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const { added, created } = ctx.store.sadd(key, argv.slice(2));
  markChanged(ctx, added);
  if (created) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', key);
  if (added > 0) notifyKeyspaceEvent(ctx, NOTIFY_SET, 'sadd', key);
  return integer(added);
}

function srem(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const { removed, deleted } = ctx.store.srem(key, argv.slice(2));
  markChanged(ctx, removed);
  if (removed > 0) notifyKeyspaceEvent(ctx, NOTIFY_SET, 'srem', key);
  if (deleted) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', key);
  return integer(removed);
}

function sismember(argv: Buffer[], ctx: CommandContext): Reply {
  const found = ctx.store.smismember(argv[1], [argv[2]]);
  countedLookup(ctx, argv[1], found !== null);
  return found?.[0] === true ? ONE : ZERO;
}

/** An array of 0/1, all 0 for a missing key. */
function smismember(argv: Buffer[], ctx: CommandContext): Reply {
  const members = argv.slice(2);
  const found = ctx.store.smismember(argv[1], members);
  countedLookup(ctx, argv[1], found !== null);
  return array(members.map((_, i) => (found?.[i] === true ? ONE : ZERO)));
}

function scard(argv: Buffer[], ctx: CommandContext): Reply {
  const size = ctx.store.scard(argv[1]);
  countedLookup(ctx, argv[1], size !== null);
  return integer(size ?? 0);
}

/** SMOVE source destination member: `srem` (and `del`) on the source, then `new` and `sadd` on the destination. */
function smove(argv: Buffer[], ctx: CommandContext): Reply {
  const [, source, destination, member] = argv;
  const result = ctx.store.smove(source, destination, member);
  if (!result.moved) return ZERO;
  if (Buffer.compare(source, destination) === 0) return ONE; // a no-op: t_set.c replies before any event
  markChanged(ctx, result.added ? 2 : 1); // a change to the source, another when the destination gained it
  notifyKeyspaceEvent(ctx, NOTIFY_SET, 'srem', source);
  if (result.sourceDeleted) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', source);
  if (result.destinationCreated) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', destination);
  if (result.added) notifyKeyspaceEvent(ctx, NOTIFY_SET, 'sadd', destination);
  return ONE;
}

const membersCommands: readonly CommandSpec[] = [
  {
    name: 'sadd',
    syntax: 'SADD key member [member ...]',
    summary: 'Add one or more members to a set',
    group: 'set',
    since: '1.0.0',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    run: sadd,
  },
  {
    name: 'srem',
    syntax: 'SREM key member [member ...]',
    summary: 'Remove one or more members from a set',
    group: 'set',
    since: '1.0.0',
    arity: -3,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: srem,
  },
  {
    name: 'sismember',
    syntax: 'SISMEMBER key member',
    summary: 'Determine if a given value is a member of a set',
    group: 'set',
    since: '1.0.0',
    arity: 3,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    run: sismember,
  },
  {
    name: 'smismember',
    syntax: 'SMISMEMBER key member [member ...]',
    summary: 'Returns the membership associated with the given elements for a set',
    group: 'set',
    since: '6.2.0',
    arity: -3,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    run: smismember,
  },
  {
    name: 'scard',
    syntax: 'SCARD key',
    summary: 'Get the number of members in a set',
    group: 'set',
    since: '1.0.0',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    run: scard,
  },
  {
    name: 'smove',
    syntax: 'SMOVE source destination member',
    summary: 'Move a member from one set to another',
    group: 'set',
    since: '1.0.0',
    arity: 4,
    flags: ['write', 'fast'],
    keys: [1, 2, 1],
    keySpecs: [oneKey(1, ['RW', 'access', 'delete']), oneKey(2, ['RW', 'insert'])],
    run: smove,
  },
];

export const setCommands: readonly CommandSpec[] = [
  ...membersCommands, // SADD SREM SISMEMBER SMISMEMBER SCARD SMOVE
  ...setRandomCommands, // SPOP SRANDMEMBER
  ...setAlgebraCommands, // SMEMBERS SINTER SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE
  sscanCommand, // SSCAN
];
