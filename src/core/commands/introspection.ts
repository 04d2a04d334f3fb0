// COMMAND and its subcommands (redis.io/commands/command): COUNT, INFO, DOCS, LIST, GETKEYS, HELP, in Redis 7.0's
// reply shapes: maps and sets where Redis sends them (RESP2 flattens maps to [name, value, ...] arrays). Everything is derived from the command table
// the server was built with, so a command added to the table is described here without further work.

import { isKeyword } from '../args.js';
import { commandKeys, hasKeyArguments, type KeySpec } from '../key-specs.js';
import type { CommandContext, CommandSpec, CommandTable } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { globMatch } from '../glob.js';
import { array, bulk, bulkString, fieldMap, integer, NIL, set, status, type Reply } from '../reply.js';
import { argumentsFromSyntax, type ArgDoc } from './command-docs.js';
import { helpReply, subcommandBuilder } from './container.js';

const GROUP_CATEGORY: Record<CommandSpec['group'], string | undefined> = {
  connection: '@connection',
  string: '@string',
  bitmap: '@bitmap',
  generic: '@keyspace',
  server: undefined,
  transactions: '@transaction',
  // From the flag, as Redis derives it (CMD_PUBSUB): the PUBSUB container and PUBSUB HELP are not @pubsub.
  pubsub: undefined,
  list: '@list',
  set: '@set',
  'sorted-set': '@sortedset',
  hash: '@hash',
};

/** Redis lists categories in the order of its ACL category bits (acl.c ACLCommandCategories). */
const CATEGORY_ORDER = [
  '@keyspace',
  '@read',
  '@write',
  '@set',
  '@sortedset',
  '@list',
  '@hash',
  '@string',
  '@bitmap',
  '@pubsub',
  '@admin',
  '@fast',
  '@slow',
  '@blocking',
  '@dangerous',
  '@connection',
  '@transaction',
];

/** Redis's ACL categories, derived from the flags as Redis's own generator does (setImplicitACLCategories). */
export function aclCategories(spec: CommandSpec): string[] {
  const out: string[] = [];
  const has = (f: CommandSpec['flags'][number]) => spec.flags.includes(f);
  if (has('write')) out.push('@write');
  else if (has('readonly')) out.push('@read');
  if (GROUP_CATEGORY[spec.group] !== undefined) out.push(GROUP_CATEGORY[spec.group] as string);
  if (has('pubsub')) out.push('@pubsub');
  out.push(has('fast') ? '@fast' : '@slow');
  if (has('blocking')) out.push('@blocking');
  if (has('admin')) out.push('@admin', '@dangerous');
  return out.sort((a, b) => CATEGORY_ORDER.indexOf(a) - CATEGORY_ORDER.indexOf(b));
}

/** The key specs in Redis 7.0's shape (a set of maps), from the legacy first/last/step triple. */
function keySpecs(spec: CommandSpec): Reply {
  if (spec.keySpecs !== undefined) return set(spec.keySpecs.map(declaredKeySpec));
  const [first, last, step] = spec.keys;
  if (first === 0) return set([]);
  // WATCH names keys without reading them: RO alone, as its key spec in Redis 7.0.
  const has = (f: CommandSpec['flags'][number]) => spec.flags.includes(f);
  const flags =
    spec.keyFlags ??
    (spec.notKeys === true
      ? ['not_key']
      : has('write')
        ? ['RW', 'update']
        : has('readonly')
          ? ['RO', 'access']
          : ['RO']);
  return set([
    fieldMap([
      ['flags', set(flags.map(status))],
      [
        'begin_search',
        fieldMap([
          ['type', bulkString('index')],
          ['spec', fieldMap([['index', integer(first)]])],
        ]),
      ],
      [
        'find_keys',
        fieldMap([
          ['type', bulkString('range')],
          [
            'spec',
            fieldMap([
              ['lastkey', integer(last < 0 ? last : last - first)],
              ['keystep', integer(step)],
              ['limit', integer(0)],
            ]),
          ],
        ]),
      ],
    ]),
  ]);
}

/** A key spec a command declares (key-specs.ts), in Redis 7.0's shape. */
function declaredKeySpec(spec: KeySpec): Reply {
  const find = spec.find;
  const findSpec: [string, Reply][] =
    find.type === 'range'
      ? [
          ['lastkey', integer(find.lastkey)],
          ['keystep', integer(find.keystep)],
          ['limit', integer(find.limit)],
        ]
      : [
          ['keynumidx', integer(find.keynumidx)],
          ['firstkey', integer(find.firstkey)],
          ['keystep', integer(find.keystep)],
        ];
  return fieldMap([
    ['flags', set(spec.flags.map(status))],
    [
      'begin_search',
      fieldMap([
        ['type', bulkString('index')],
        ['spec', fieldMap([['index', integer(spec.index)]])],
      ]),
    ],
    [
      'find_keys',
      fieldMap([
        ['type', bulkString(find.type)],
        ['spec', fieldMap(findSpec)],
      ]),
    ],
  ]);
}

/**
 * COMMAND INFO's 10-element array for one command. Flags, categories, tips and key specs are sets; the
 * subcommands an array, or an empty set for a command without any (Redis 7.0's addReplyCommandSubCommands).
 */
export function commandInfo(spec: CommandSpec): Reply {
  return array([
    bulkString(spec.name),
    integer(spec.arity),
    // Redis 7.0 does not list CMD_PROTECTED among a command's flags.
    set(spec.flags.filter((f) => f !== 'protected').map(status)),
    integer(spec.keys[0]),
    integer(spec.keys[1]),
    integer(spec.keys[2]),
    set(aclCategories(spec).map(status)),
    set((spec.tips ?? []).map(bulkString)),
    keySpecs(spec),
    spec.subcommands === undefined ? set([]) : array(spec.subcommands.map(commandInfo)),
  ]);
}

function argDoc(arg: ArgDoc): Reply {
  const out: [string, Reply][] = [
    ['name', bulkString(arg.name)],
    ['type', bulkString(arg.type)],
  ];
  if (arg.type === 'key') out.push(['key_spec_index', integer(0)]);
  if (arg.token !== undefined) out.push(['token', bulkString(arg.token)]);
  if (arg.displayText !== undefined) out.push(['display_text', bulkString(arg.displayText)]);
  if (arg.flags.length > 0) out.push(['flags', set(arg.flags.map(status))]);
  if (arg.arguments !== undefined) out.push(['arguments', array(arg.arguments.map(argDoc))]);
  return fieldMap(out);
}

/** COMMAND DOCS's map for one command. */
export function commandDocs(spec: CommandSpec): Reply {
  const nameWords = spec.name.split('|').length;
  const args = argumentsFromSyntax(spec.syntax, nameWords);
  const out: [string, Reply][] = [
    ['summary', bulkString(spec.summary)],
    ['since', bulkString(spec.since)],
    ['group', bulkString(spec.group)],
  ];
  if (args.length > 0) out.push(['arguments', array(args.map(argDoc))]);
  if (spec.subcommands !== undefined) {
    out.push(['subcommands', fieldMap(spec.subcommands.map((s) => [s.name, commandDocs(s)] as const))]);
  }
  return fieldMap(out);
}

const lookup = (table: CommandTable, name: Buffer): CommandSpec | undefined =>
  table.lookup(name.toString('latin1').toLowerCase());

/** COMMAND INFO [name ...]: all commands without names; nil for an unknown name. */
function info(argv: Buffer[], ctx: CommandContext): Reply {
  const table = ctx.server.commands;
  if (argv.length === 2) return array(table.all().map(commandInfo));
  return array(
    argv.slice(2).map((n) => {
      const spec = lookup(table, n);
      return spec === undefined ? NIL : commandInfo(spec);
    }),
  );
}

/** COMMAND DOCS [name ...]: a map of name to docs; unknown names are left out. */
function docs(argv: Buffer[], ctx: CommandContext): Reply {
  const table = ctx.server.commands;
  const specs = argv.length === 2 ? [...table.all()] : argv.slice(2).map((n) => lookup(table, n));
  return fieldMap(specs.flatMap((s) => (s === undefined ? [] : [[s.name, commandDocs(s)] as const])));
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: full names, subcommands included. */
function list(argv: Buffer[], ctx: CommandContext): Reply {
  const all = ctx.server.commands.all().flatMap((s) => [s, ...(s.subcommands ?? [])]);
  if (argv.length === 2) return array(all.map((s) => bulkString(s.name)));
  if (argv.length !== 5 || !isKeyword(argv[2], 'FILTERBY')) throw new CommandError(ERR.syntax);
  const value = argv[4];
  let keep: (s: CommandSpec) => boolean;
  if (isKeyword(argv[3], 'MODULE')) keep = () => false;
  else if (isKeyword(argv[3], 'ACLCAT')) {
    const category = `@${value.toString('latin1').toLowerCase()}`;
    keep = (s) => aclCategories(s).includes(category);
  } else if (isKeyword(argv[3], 'PATTERN'))
    keep = (s) => globMatch(value, Buffer.from(s.name, 'latin1'), true);
  else throw new CommandError(ERR.syntax);
  return array(all.filter(keep).map((s) => bulkString(s.name)));
}

/** COMMAND GETKEYS command [arg ...]: the key arguments of a full command line (commandGetKeys). */
function getkeys(argv: Buffer[], ctx: CommandContext): Reply {
  const line = argv.slice(2);
  let spec = lookup(ctx.server.commands, line[0]);
  if (spec?.subcommands !== undefined && line.length > 1) {
    spec = ctx.server.commands.lookup(`${spec.name}|${line[1].toString('latin1').toLowerCase()}`);
  }
  if (spec === undefined) throw new CommandError('ERR Invalid command specified');
  if (!hasKeyArguments(spec)) throw new CommandError('ERR The command has no key arguments');
  if ((spec.arity > 0 && spec.arity !== line.length) || line.length < -spec.arity) {
    throw new CommandError('ERR Invalid number of arguments specified for command');
  }
  const keys = commandKeys(spec, line);
  if (keys === null || keys.length === 0)
    throw new CommandError('ERR Invalid arguments specified for command');
  return array(keys.map(bulk));
}

const HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
];

/** The Redis version each subcommand appeared in (COMMAND DOCS "since"). */
const SINCE: Record<string, string> = { docs: '7.0.0', list: '7.0.0', help: '5.0.0' };

const sub = subcommandBuilder('command', 'server', '2.8.13', SINCE);
const FLAGS = ['loading', 'stale'] as const;

/** COMMAND is a container that also runs on its own (no subcommand: every command's info). */
export const commandCommand: CommandSpec = {
  name: 'command',
  syntax: 'COMMAND',
  summary: 'Returns detailed information about all commands.',
  group: 'server',
  since: '2.8.13',
  arity: -1,
  flags: FLAGS,
  keys: [0, 0, 0],
  run: (_argv, ctx) => array(ctx.server.commands.all().map(commandInfo)),
  subcommands: [
    sub('count', 'COMMAND COUNT', 'Returns a count of commands.', 2, FLAGS, (_a, ctx) =>
      integer(ctx.server.commands.all().length),
    ),
    sub(
      'info',
      'COMMAND INFO [command-name [command-name ...]]',
      'Returns information about one, multiple or all commands.',
      -2,
      FLAGS,
      info,
    ),
    sub(
      'docs',
      'COMMAND DOCS [command-name [command-name ...]]',
      'Returns documentary information about one, multiple or all commands.',
      -2,
      FLAGS,
      docs,
    ),
    sub(
      'list',
      'COMMAND LIST [FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]',
      'Returns a list of command names.',
      -2,
      FLAGS,
      list,
    ),
    sub(
      'getkeys',
      'COMMAND GETKEYS command [arg [arg ...]]',
      'Extracts the key names from an arbitrary command.',
      -4, // Redis 7.0: a command and at least one argument
      FLAGS,
      getkeys,
    ),
    sub('help', 'COMMAND HELP', 'Returns helpful text about the different subcommands.', 2, FLAGS, () =>
      helpReply('command', HELP),
    ),
  ],
};
