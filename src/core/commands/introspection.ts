// COMMAND and its subcommands (redis.io/commands/command): COUNT, INFO, DOCS, LIST, GETKEYS, HELP, as Redis 7.0.15
// answers them. They walk the command table the server was built with, so a command added to the table is listed
// here without further work; command-description.ts says what each one is.

import { isKeyword } from '../args.js';
import { commandKeyPositions, hasKeyArguments, type KeyPosition } from '../key-specs.js';
import type { CommandContext, CommandSpec, CommandTable } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { globMatch } from '../glob.js';
import { array, bulk, bulkString, fieldMap, integer, NIL, set, status, type Reply } from '../reply.js';
import { aclCategories, commandDocs, commandInfo, keyFlagsOf } from './command-description.js';
import { helpReply, subcommandBuilder } from './container.js';

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

/**
 * The command a COMMAND GETKEYS line names (lookupCommand: a container and its subcommand) and its keys'
 * positions, or Redis's error for the line (getKeysSubcommandImpl).
 */
function keysOfLine(
  argv: Buffer[],
  ctx: CommandContext,
): { spec: CommandSpec; line: Buffer[]; keys: KeyPosition[] } {
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
  const keys = commandKeyPositions(spec, line);
  if (keys === null || keys.length === 0) {
    // CMD_NO_MANDATORY_KEYS (EVAL and kin, whose numkeys may be 0): no keys is an answer, not an error.
    if (spec.flags.includes('no_mandatory_keys')) return { spec, line, keys: [] };
    throw new CommandError('ERR Invalid arguments specified for command');
  }
  return { spec, line, keys };
}

/** COMMAND GETKEYS command [arg ...]: the key arguments of a full command line (commandGetKeys). */
function getkeys(argv: Buffer[], ctx: CommandContext): Reply {
  const { line, keys } = keysOfLine(argv, ctx);
  return array(keys.map((key) => bulk(line[key.position])));
}

/** COMMAND GETKEYSANDFLAGS command [arg ...]: each key with its key spec's flags (addReplyFlagsForKeyArgs). */
function getkeysAndFlags(argv: Buffer[], ctx: CommandContext): Reply {
  const { spec, line, keys } = keysOfLine(argv, ctx);
  return array(
    keys.map((key) => array([bulk(line[key.position]), set(keyFlagsOf(spec, line, key).map(status))])),
  );
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
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

/** The Redis version each subcommand appeared in (COMMAND DOCS "since"). */
const SINCE: Record<string, string> = {
  docs: '7.0.0',
  list: '7.0.0',
  getkeysandflags: '7.0.0',
  help: '5.0.0',
};

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
    sub(
      'getkeysandflags',
      'COMMAND GETKEYSANDFLAGS command [arg [arg ...]]',
      'Extracts the key names and access flags for an arbitrary command.',
      -4,
      FLAGS,
      getkeysAndFlags,
    ),
    sub('help', 'COMMAND HELP', 'Returns helpful text about the different subcommands.', 2, FLAGS, () =>
      helpReply('command', HELP),
    ),
  ],
};
