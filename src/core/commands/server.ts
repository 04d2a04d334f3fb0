// The server family (redis.io/commands/?group=server): INFO, TIME, CONFIG (GET SET RESETSTAT REWRITE HELP),
// COMMAND (introspection.ts), DEBUG (debug.ts) and MEMORY (memory.ts). DBSIZE lives with the keyspace commands.
// Settings are read and written through the server context's config registry, figures through info.ts; nothing
// here knows the transport in use.

import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { renderInfo, selectSections } from '../info.js';
import { allowProtectedAction } from '../protected-action.js';
import { array, bulkString, map, OK, verbatim, type Reply } from '../reply.js';
import { helpReply, subcommandBuilder } from './container.js';
import { debugCommand } from './debug.js';
import { commandCommand } from './introspection.js';
import { memoryCommand } from './memory.js';

/**
 * INFO [section [section ...]]: Redis 7 accepts several sections; unknown ones add nothing. Verbatim text in
 * RESP3, a bulk in RESP2.
 */
function info(argv: Buffer[], ctx: CommandContext): Reply {
  const sections = selectSections(argv.slice(1).map((a) => a.toString('latin1')));
  return verbatim(renderInfo({ server: ctx.server, store: ctx.store }, sections));
}

/** TIME: [unix seconds, microseconds] as bulks. The clock has millisecond resolution. */
function time(_argv: Buffer[], ctx: CommandContext): Reply {
  const ms = ctx.server.clock();
  return array([bulkString(String(Math.floor(ms / 1000))), bulkString(String((ms % 1000) * 1000))]);
}

/**
 * CONFIG GET parameter [parameter ...]: a map of name to value (flat in RESP2), each setting once however many
 * patterns match it.
 */
function configGet(argv: Buffer[], ctx: CommandContext): Reply {
  const found = new Map<string, [string, string]>(); // by lower-case name: Redis's dict is case-insensitive
  for (const pattern of argv.slice(2)) {
    for (const [name, value] of ctx.server.config.get(pattern.toString('latin1'))) {
      const key = name.toLowerCase();
      if (!found.has(key)) found.set(key, [name, value]);
    }
  }
  return map([...found.values()].map(([name, value]) => [bulkString(name), bulkString(value)] as const));
}

/** CONFIG SET parameter value [parameter value ...]: all or nothing, with Redis 7's error lines. */
function configSet(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length % 2 !== 0) throw new CommandError(ERR.syntax); // a name without a value (Redis 7)
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2)
    pairs.push([argv[i].toString('latin1'), argv[i + 1].toString('utf8')]);
  const config = ctx.server.config;
  const protectedAllowed = allowProtectedAction(ctx.server.enableProtectedConfigs(), ctx.client);
  if (config.setMany !== undefined) config.setMany(pairs, protectedAllowed);
  else for (const [name, value] of pairs) config.set(name, value);
  return OK;
}

/** CONFIG RESETSTAT: INFO's counters (stats, commandstats, errorstats) start again from zero, on every thread. */
function configResetstat(_argv: Buffer[], ctx: CommandContext): Reply {
  const t = ctx.server.transportStats();
  ctx.server.counters?.resetBaseline({
    connections: t.totalConnections,
    rejectedConnections: t.rejectedConnections,
    expiredKeys: ctx.store.stats().expiredKeys,
    evictedKeys: ctx.store.stats().evictedKeys,
  });
  ctx.server.persistence?.resetStats();
  return OK;
}

const CONFIG_HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

const admin = ['admin', 'noscript', 'loading', 'stale'] as const;
const configSub = subcommandBuilder('config', 'server', '2.0.0', { rewrite: '2.8.0', help: '5.0.0' });

const configCommand: CommandSpec = {
  name: 'config',
  syntax: 'CONFIG subcommand [argument ...]',
  summary: 'A container for server configuration commands.',
  group: 'server',
  since: '2.0.0',
  arity: -2,
  flags: [],
  keys: [0, 0, 0],
  subcommands: [
    configSub(
      'get',
      'CONFIG GET parameter [parameter ...]',
      'Returns the effective values of configuration parameters.',
      -3,
      admin,
      configGet,
    ),
    configSub(
      'set',
      'CONFIG SET parameter value [parameter value ...]',
      'Sets configuration parameters in-flight.',
      -4,
      admin,
      configSet,
    ),
    configSub('resetstat', 'CONFIG RESETSTAT', "Resets the server's statistics.", 2, admin, configResetstat),
    configSub('rewrite', 'CONFIG REWRITE', 'Persists the effective configuration to file.', 2, admin, () => {
      throw new CommandError('ERR The server is running without a config file');
    }),
    configSub(
      'help',
      'CONFIG HELP',
      'Returns helpful text about the different subcommands.',
      2,
      ['loading', 'stale'],
      () => helpReply('config', CONFIG_HELP),
    ),
  ],
};

export const serverCommands: readonly CommandSpec[] = [
  {
    name: 'info',
    syntax: 'INFO [section [section ...]]',
    summary: 'Returns information and statistics about the server.',
    group: 'server',
    since: '1.0.0',
    arity: -1,
    flags: ['loading', 'stale'],
    keys: [0, 0, 0],
    run: info,
  },
  {
    name: 'time',
    syntax: 'TIME',
    summary: 'Returns the server time.',
    group: 'server',
    since: '2.6.0',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    keys: [0, 0, 0],
    run: time,
  },
  configCommand,
  commandCommand,
  debugCommand,
  memoryCommand,
];
