// OBJECT (redis.io/commands/object): ENCODING, FREQ, IDLETIME, REFCOUNT and HELP for the string values the store
// holds, as Redis 7.0's object.c answers them. The key is looked up as OBJECT does (lookupKeyRead with
// LOOKUP_NOTOUCH: counted as a keyspace hit or miss, an expired key deleted, its access time untouched); a
// missing key is a null reply. What the value looks like to Redis (its encoding, its sharing, its access clock)
// is the store's (store/objects.ts). Under an LFU maxmemory-policy FREQ answers the key's access counter and
// IDLETIME Redis's error; under any other policy the other way round.

import type { CommandContext, CommandFlag, CommandSpec } from '../command.js';
import { CommandError } from '../errors.js';
import { bulkString, integer, NIL, type Reply } from '../reply.js';
import type { ValueObject } from '../store/types.js';
import { helpReply } from './container.js';

const NOT_LFU =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching ' +
  'between policies at runtime LRU and LFU data will take some time to adjust.';

const LFU_SELECTED =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between ' +
  'policies at runtime LRU and LFU data will take some time to adjust.';

/** objectCommandLookupOrReply: the value's description, or null (answered as a null reply). */
function lookup(argv: Buffer[], ctx: CommandContext): ValueObject | null {
  const found = ctx.store.object(argv[2]);
  ctx.server.counters?.keyLookup(found !== null);
  return found;
}

function encoding(argv: Buffer[], ctx: CommandContext): Reply {
  const value = lookup(argv, ctx);
  return value === null ? NIL : bulkString(value.encoding);
}

function refcount(argv: Buffer[], ctx: CommandContext): Reply {
  const value = lookup(argv, ctx);
  return value === null ? NIL : integer(value.refcount);
}

function idletime(argv: Buffer[], ctx: CommandContext): Reply {
  const value = lookup(argv, ctx);
  if (value === null) return NIL;
  if (value.frequency !== undefined) throw new CommandError(LFU_SELECTED);
  return integer(value.idleSeconds);
}

function freq(argv: Buffer[], ctx: CommandContext): Reply {
  const value = lookup(argv, ctx);
  if (value === null) return NIL;
  if (value.frequency === undefined) throw new CommandError(NOT_LFU);
  return integer(value.frequency);
}

const HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

/** A subcommand that reads the key at argv[2] (COMMAND INFO's key positions 2, 2, 1). */
function keyed(
  name: string,
  summary: string,
  since: string,
  run: (argv: Buffer[], ctx: CommandContext) => Reply,
): CommandSpec {
  const flags: readonly CommandFlag[] = ['readonly'];
  return {
    name: `object|${name}`,
    syntax: `OBJECT ${name.toUpperCase()} key`,
    summary,
    group: 'generic',
    since,
    arity: 3,
    flags,
    keys: [2, 2, 1],
    run,
  };
}

export const objectCommand: CommandSpec = {
  name: 'object',
  syntax: 'OBJECT subcommand [argument ...]',
  summary: 'A container for object introspection commands.',
  group: 'generic',
  since: '2.2.3',
  arity: -2,
  flags: [],
  keys: [0, 0, 0],
  subcommands: [
    keyed('encoding', 'Returns the internal encoding of a Redis object.', '2.2.3', encoding),
    keyed('freq', 'Returns the logarithmic access frequency counter of a Redis object.', '4.0.0', freq),
    {
      name: 'object|help',
      syntax: 'OBJECT HELP',
      summary: 'Returns helpful text about the different subcommands.',
      group: 'generic',
      since: '6.2.0',
      arity: 2,
      flags: ['loading', 'stale'],
      keys: [0, 0, 0],
      run: () => helpReply('object', HELP),
    },
    keyed('idletime', 'Returns the time since the last access to a Redis object.', '2.2.3', idletime),
    keyed('refcount', 'Returns the reference count of a value of a key.', '2.2.3', refcount),
  ],
};
