// ACL and its subcommands (acl.c aclCommand), Redis 7.0's replies and error texts: users made and changed with
// SETUSER, shown by GETUSER / LIST / USERS, removed by DELUSER (their clients disconnected on every thread, as
// CLIENT KILL USER reaches them), WHOAMI, CAT, GENPASS, LOG, DRYRUN, LOAD / SAVE of the aclfile, HELP. The
// users live in the thread's ACL hub (acl/acl-hub.ts); this file only reads arguments and words replies.

import { randomBytes } from 'node:crypto';
import { toInteger } from '../args.js';
import type { AclHub } from '../acl/acl-hub.js';
import { ACL_CATEGORIES, CommandUniverse, categoryBit } from '../acl/command-universe.js';
import { describeCommandRules, describeKeyPattern } from '../acl/describe.js';
import { DENIED_COMMAND, DENIED_KEY, checkCommand } from '../acl/permission.js';
import { hasSpaces, type Selector } from '../acl/selector.js';
import { DEFAULT_PUBSUB_DEFAULT, isPubsubDefault, type PubsubDefault } from '../acl/user.js';
import { AclUsers } from '../acl/users.js';
import { loadAclFile, saveAclFile } from '../acl/acl-file.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, cString } from '../errors.js';
import { array, bulk, bulkString, double, integer, map, NIL, OK, set, type Reply } from '../reply.js';
import { helpReply, subcommandBuilder } from './container.js';

const latin1 = (text: string): Reply => bulk(Buffer.from(text, 'latin1'));
const field = (name: string, value: Reply): readonly [Reply, Reply] => [bulkString(name), value];

function hubOf(ctx: CommandContext): AclHub {
  const acl = ctx.server.acl;
  if (acl === undefined) throw new CommandError('ERR ACL is not available on this server');
  acl.sync();
  return acl;
}

/** Disconnects every client (on any thread) authenticated as one of `names`; the caller after its reply. */
function killClientsOf(ctx: CommandContext, names: ReadonlySet<string>): void {
  for (const client of ctx.server.clients()) {
    if (!names.has(client.user ?? 'default')) continue;
    if (client.id === ctx.client.id) ctx.client.closeAfterReply = true;
    else ctx.server.killClient?.(client.id);
  }
}

/** acl-pubsub-default now: what a user or selector made now starts with. */
function pubsubDefault(ctx: CommandContext): PubsubDefault {
  const value = ctx.server.config.get('acl-pubsub-default')[0]?.[1] ?? DEFAULT_PUBSUB_DEFAULT;
  return isPubsubDefault(value) ? value : DEFAULT_PUBSUB_DEFAULT;
}

function setuser(argv: Buffer[], ctx: CommandContext): Reply {
  if (hasSpaces(argv[2])) throw new CommandError("ERR Usernames can't contain spaces or null characters");
  const error = hubOf(ctx).setUser(argv[2].toString('latin1'), argv.slice(3), pubsubDefault(ctx));
  if (error !== null) throw new CommandError(`ERR ${error}`);
  return OK;
}

function deluser(argv: Buffer[], ctx: CommandContext): Reply {
  const names = argv.slice(2).map((a) => a.toString('latin1'));
  if (names.includes('default')) throw new CommandError("ERR The 'default' user cannot be removed");
  const deleted = hubOf(ctx).update((users) => {
    const gone = new Set(names.filter((n) => users.delete(n)));
    return { result: gone, changed: gone.size > 0 };
  });
  killClientsOf(ctx, deleted);
  return integer(deleted.size);
}

/** "commands", "keys" and "channels" of one selector (aclAddReplySelectorDescription). */
function selectorFields(selector: Selector): (readonly [Reply, Reply])[] {
  const keys = selector.allKeys ? '~*' : selector.patterns.map(describeKeyPattern).join(' ');
  const channels = selector.allChannels
    ? '&*'
    : selector.channels.map((c) => `&${c.toString('latin1')}`).join(' ');
  return [
    field('commands', latin1(describeCommandRules(selector))),
    field('keys', latin1(keys)),
    field('channels', latin1(channels)),
  ];
}

function getuser(argv: Buffer[], ctx: CommandContext): Reply {
  const user = hubOf(ctx).user(argv[2].toString('latin1'));
  if (user === undefined) return NIL;
  return map([
    field('flags', set(user.flags().map(bulkString))),
    field('passwords', array(user.passwords.map(bulkString))),
    ...selectorFields(user.root),
    field('selectors', array(user.selectors.slice(1).map((s) => map(selectorFields(s))))),
  ]);
}

function list(_argv: Buffer[], ctx: CommandContext): Reply {
  return array(hubOf(ctx).current().toLines().map(latin1));
}

function users(_argv: Buffer[], ctx: CommandContext): Reply {
  return array(
    hubOf(ctx)
      .current()
      .list()
      .map((u) => latin1(u.name)),
  );
}

function whoami(_argv: Buffer[], ctx: CommandContext): Reply {
  return latin1(ctx.client.user);
}

function cat(argv: Buffer[]): Reply {
  if (argv.length === 2) return array(ACL_CATEGORIES.map((c) => bulkString(c)));
  const bit = categoryBit(argv[2].toString('latin1'));
  if (bit === 0) throw new CommandError(`ERR Unknown category '${cString(argv[2], 128)}'`);
  const names: Reply[] = [];
  for (const command of CommandUniverse.get().byId) {
    if ((command.categories & bit) !== 0) names.push(bulkString(command.fullName));
  }
  return array(names);
}

const GENPASS_MAX_BITS = 4096;

function genpass(argv: Buffer[]): Reply {
  let bits = 256;
  if (argv.length === 3) bits = toInteger(argv[2]);
  if (!(bits > 0 && bits <= GENPASS_MAX_BITS)) {
    throw new CommandError(
      'ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096',
    );
  }
  const chars = Math.floor((bits + 3) / 4);
  return bulkString(
    randomBytes(Math.ceil(chars / 2))
      .toString('hex')
      .slice(0, chars),
  );
}

function log(argv: Buffer[], ctx: CommandContext): Reply {
  const acl = hubOf(ctx);
  let count = 10;
  if (argv.length === 3) {
    if (argv[2].toString('latin1').toLowerCase() === 'reset') {
      acl.log.reset();
      return OK;
    }
    count = Math.max(0, toInteger(argv[2]));
  }
  const now = ctx.server.clock();
  return array(
    acl.log
      .list()
      .slice(0, count)
      .map((e) =>
        map([
          field('count', integer(e.count)),
          field('reason', bulkString(e.reason)),
          field('context', bulkString(e.context)),
          field('object', latin1(e.object)),
          field('username', latin1(e.username)),
          field('age-seconds', double((now - e.ctime) / 1000)),
          field('client-info', latin1(e.cinfo)),
        ]),
      ),
  );
}

function dryrun(argv: Buffer[], ctx: CommandContext): Reply {
  const user = hubOf(ctx).user(argv[2].toString('latin1'));
  if (user === undefined) throw new CommandError(`ERR User '${cString(argv[2])}' not found`);
  const line = argv.slice(3);
  const commands = ctx.server.commands;
  let spec: CommandSpec | undefined = commands.lookup(line[0].toString('latin1').toLowerCase());
  if (spec?.subcommands !== undefined && line.length > 1) {
    spec = commands.lookup(`${spec.name}|${line[1].toString('latin1').toLowerCase()}`);
  }
  if (spec === undefined) throw new CommandError(`ERR Command '${cString(line[0])}' not found`);
  if ((spec.arity > 0 && spec.arity !== line.length) || line.length < -spec.arity) {
    throw new CommandError(`ERR wrong number of arguments for '${spec.name}' command`);
  }
  const denial = checkCommand(user, spec, line);
  if (denial === null) return OK;
  if (denial.reason === DENIED_COMMAND) {
    return bulkString(`This user has no permissions to run the '${spec.name}' command`);
  }
  const what = denial.reason === DENIED_KEY ? 'key' : 'channel';
  return latin1(`This user has no permissions to access the '${cString(line[denial.position])}' ${what}`);
}

const NO_ACL_FILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL ' +
  'SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order ' +
  'to store users in the Redis configuration.';

function aclFile(ctx: CommandContext): string {
  const file = ctx.server.config.get('aclfile')[0]?.[1] ?? '';
  if (file === '') throw new CommandError(NO_ACL_FILE);
  return file;
}

/** ACLLoadFromFile: all users replaced, or none when the file has any error; every non-default client goes. */
function load(_argv: Buffer[], ctx: CommandContext): Reply {
  const file = aclFile(ctx);
  const acl = hubOf(ctx);
  const error = acl.update((current) => {
    const loaded = loadAclFile(file, pubsubDefault(ctx));
    if (!(loaded instanceof AclUsers)) return { result: loaded.error, changed: false };
    current.replaceWith(loaded);
    return { result: null, changed: true };
  });
  if (error !== null) throw new CommandError(`ERR ${error}`);
  const others = new Set(
    ctx.server
      .clients()
      .map((c) => c.user ?? 'default')
      .filter((n) => n !== 'default'),
  );
  killClientsOf(ctx, others);
  return OK;
}

/** ACLSaveToFile. */
function save(_argv: Buffer[], ctx: CommandContext): Reply {
  const file = aclFile(ctx);
  if (!saveAclFile(file, hubOf(ctx).current())) {
    throw new CommandError(
      'ERR There was an error trying to save the ACLs. Please check the server logs for more information',
    );
  }
  return OK;
}

const HELP = [
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
];

/** ACL CAT, GENPASS and LOG take one optional argument; more is Redis's subcommand syntax error. */
function atMostOne(run: (argv: Buffer[], ctx: CommandContext) => Reply) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    if (argv.length > 3) {
      throw new CommandError(
        `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1], 128)}'. Try ACL HELP.`,
      );
    }
    return run(argv, ctx);
  };
}

const sub = subcommandBuilder('acl', 'server', '6.0.0', { dryrun: '7.0.0' });
const admin = ['admin', 'noscript', 'loading', 'stale'] as const;
const quiet = ['noscript', 'loading', 'stale'] as const;

export const aclCommand: CommandSpec = {
  name: 'acl',
  syntax: 'ACL subcommand [argument ...]',
  summary: 'A container for Access List Control commands.',
  group: 'server',
  since: '6.0.0',
  arity: -2,
  flags: [],
  keys: [0, 0, 0],
  subcommands: [
    sub(
      'cat',
      'ACL CAT [categoryname]',
      'Lists the ACL categories, or the commands inside a category.',
      -2,
      quiet,
      atMostOne((argv) => cat(argv)),
    ),
    sub(
      'deluser',
      'ACL DELUSER username [username ...]',
      'Deletes ACL users, and terminates their connections.',
      -3,
      admin,
      deluser,
    ),
    sub(
      'dryrun',
      'ACL DRYRUN username command [arg [arg ...]]',
      'Simulates the execution of a command by a user, without executing the command.',
      -4,
      admin,
      dryrun,
    ),
    sub(
      'genpass',
      'ACL GENPASS [bits]',
      'Generates a pseudorandom, secure password that can be used to identify ACL users.',
      -2,
      quiet,
      atMostOne((argv) => genpass(argv)),
    ),
    sub('getuser', 'ACL GETUSER username', 'Lists the ACL rules of a user.', 3, admin, getuser),
    sub(
      'help',
      'ACL HELP',
      'Returns helpful text about the different subcommands.',
      2,
      ['loading', 'stale'],
      () => helpReply('acl', HELP),
    ),
    sub('list', 'ACL LIST', 'Dumps the effective rules in ACL file format.', 2, admin, list),
    sub('load', 'ACL LOAD', 'Reloads the rules from the configured ACL file.', 2, admin, load),
    sub(
      'log',
      'ACL LOG [count | RESET]',
      'Lists recent security events generated due to ACL rules.',
      -2,
      admin,
      atMostOne(log),
    ),
    sub('save', 'ACL SAVE', 'Saves the effective ACL rules in the configured ACL file.', 2, admin, save),
    sub(
      'setuser',
      'ACL SETUSER username [rule [rule ...]]',
      'Creates and modifies an ACL user and its rules.',
      -3,
      admin,
      setuser,
    ),
    sub('users', 'ACL USERS', 'Lists all ACL users.', 2, admin, users),
    sub(
      'whoami',
      'ACL WHOAMI',
      'Returns the authenticated username of the current connection.',
      2,
      quiet,
      whoami,
    ),
  ],
};
