// FUNCTION LOAD / DELETE / FLUSH / LIST / DUMP / RESTORE / STATS / KILL / HELP (functions.c), with Redis 7.0.15's
// replies. The libraries are the thread's view of the ones every thread shares (functions/functions.ts); FCALL is
// commands/fcall.ts.

import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError } from '../errors.js';
import { type Functions, LOAD_TIMEOUT_MS, type Library, type RestorePolicy } from '../functions/functions.js';
import { dumpFunctions, readFunctionsDump } from '../functions/functions-payload.js';
import { globMatch } from '../glob.js';
import { verifyDumpPayload } from '../rdb/dump.js';
import { array, bulk, bulkString, fieldMap, integer, NIL, OK, set, status, type Reply } from '../reply.js';
import { helpReply } from './container.js';
import { BUSY_ERROR } from '../scripting/busy-gate.js';
import { BUSY_FUNCTION } from '../scripting/script-busy.js';
import { killRunningScript } from '../scripting/script-kill.js';

/** The engine every library runs on (functions.c registers only Lua's, as "LUA"). */
const ENGINE = 'LUA';

export function functionsOf(ctx: CommandContext): Functions {
  const functions = ctx.server.functions;
  if (functions === undefined) throw new CommandError('ERR functions are unavailable on this server');
  return functions;
}

/** addReplySubcommandSyntaxError. */
function syntaxError(argv: Buffer[]): CommandError {
  return new CommandError(
    `ERR unknown subcommand or wrong number of arguments for '${argv[1].toString('latin1')}'. Try FUNCTION HELP.`,
  );
}

/** FUNCTION LOAD [REPLACE] code (functionLoadCommand). */
function functionLoad(argv: Buffer[], ctx: CommandContext): Reply {
  let replace = false;
  let at = 2;
  while (at < argv.length - 1) {
    const option = argv[at++];
    if (option.toString('latin1').toLowerCase() === 'replace') {
      replace = true;
      continue;
    }
    throw new CommandError(`ERR Unknown option given: ${cString(option)}`);
  }
  // The append-only file's replay is obeyed whatever the time its code takes (mustObeyClient: no limit).
  const timeout = ctx.client.addr === 'aof' ? 0 : LOAD_TIMEOUT_MS;
  const loaded = functionsOf(ctx).load(argv[at], replace, timeout);
  if (typeof loaded !== 'string') throw new CommandError(`ERR ${loaded.error}`);
  return bulkString(loaded);
}

function functionDelete(argv: Buffer[], ctx: CommandContext): Reply {
  if (!functionsOf(ctx).delete(argv[2].toString('latin1'))) throw new CommandError('ERR Library not found');
  return OK;
}

/** FUNCTION FLUSH [ASYNC|SYNC]: ASYNC frees in the background in Redis; here nothing slow is left to defer. */
function functionFlush(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length > 3) throw syntaxError(argv);
  const mode = argv.length === 3 ? argv[2].toString('latin1').toLowerCase() : 'sync';
  if (mode !== 'sync' && mode !== 'async') {
    throw new CommandError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  }
  functionsOf(ctx).flush();
  return OK;
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] (functionListCommand). */
function functionList(argv: Buffer[], ctx: CommandContext): Reply {
  let withCode = false;
  let pattern: Buffer | null = null;
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i].toString('latin1').toLowerCase();
    if (!withCode && word === 'withcode') {
      withCode = true;
      continue;
    }
    if (pattern === null && word === 'libraryname') {
      if (i >= argv.length - 1) throw new CommandError('ERR library name argument was not given');
      pattern = argv[++i];
      continue;
    }
    throw new CommandError(`ERR Unknown argument ${cString(argv[i])}`);
  }
  const libraries = functionsOf(ctx)
    .list()
    .filter((library) => pattern === null || globMatch(pattern, Buffer.from(library.name, 'latin1'), true));
  return array(libraries.map((library) => libraryReply(library, withCode)));
}

function libraryReply(library: Library, withCode: boolean): Reply {
  const fields: [string, Reply][] = [
    ['library_name', bulkString(library.name)],
    ['engine', bulkString(ENGINE)],
    [
      'functions',
      array(
        library.functions.map((fn) =>
          fieldMap([
            ['name', bulkString(fn.name)],
            ['description', fn.description === null ? NIL : bulk(fn.description)],
            ['flags', set(fn.flags.map(status))],
          ]),
        ),
      ),
    ],
  ];
  if (withCode) fields.push(['library_code', bulk(library.code)]);
  return fieldMap(fields);
}

function functionDump(_argv: Buffer[], ctx: CommandContext): Reply {
  const compress = ctx.server.config.get('rdbcompression')[0]?.[1] !== 'no';
  return bulk(
    dumpFunctions(
      functionsOf(ctx)
        .list()
        .map((library) => library.code),
      compress,
    ),
  );
}

const POLICIES: Record<string, RestorePolicy> = { append: 'append', replace: 'replace', flush: 'flush' };

/** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] (functionRestoreCommand). */
function functionRestore(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length > 4) throw syntaxError(argv);
  let policy: RestorePolicy = 'append';
  if (argv.length === 4) {
    const named = POLICIES[argv[3].toString('latin1').toLowerCase()];
    if (named === undefined) {
      throw new CommandError(
        'ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.',
      );
    }
    policy = named;
  }
  if (!verifyDumpPayload(argv[2], true))
    throw new CommandError('ERR DUMP payload version or checksum are wrong');
  const codes = readFunctionsDump(argv[2]);
  if (!Array.isArray(codes)) throw new CommandError(`ERR ${codes.error}`);
  const failed = functionsOf(ctx).restore(codes, policy);
  if (failed !== null) throw new CommandError(`ERR ${failed.error}`);
  return OK;
}

/**
 * FUNCTION STATS (functionStatsCommand): the function another thread runs past busy-reply-threshold (its name, its
 * caller's command and how long it has run), or BUSY while an EVAL script runs.
 */
function functionStats(_argv: Buffer[], ctx: CommandContext): Reply {
  const functions = functionsOf(ctx);
  const busy = ctx.server.scripting?.cache.busy.state() ?? 0;
  if (busy !== 0 && (busy & BUSY_FUNCTION) === 0) throw new CommandError(BUSY_ERROR);
  const running = busy === 0 ? null : functions.registry.running();
  const counts = functions.counts();
  return fieldMap([
    [
      'running_script',
      running === null
        ? NIL
        : fieldMap([
            ['name', bulkString(running.name)],
            ['command', array(running.argv.map(bulk))],
            ['duration_ms', integer(Math.max(0, Math.floor(ctx.server.clock() - running.startMs)))],
          ]),
    ],
    [
      'engines',
      fieldMap([
        [
          ENGINE,
          fieldMap([
            ['libraries_count', integer(counts.libraries)],
            ['functions_count', integer(counts.functions)],
          ]),
        ],
      ]),
    ],
  ]);
}

/** FUNCTION KILL (scriptKill): a function that has not written is stopped at its engine's next hook. */
function functionKill(_argv: Buffer[], ctx: CommandContext): Reply {
  const scripting = ctx.server.scripting;
  if (scripting === undefined) throw new CommandError('NOTBUSY No scripts in execution right now.');
  return killRunningScript(scripting.cache.busy, true);
}

const HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

/** What C's %s prints of an argument: up to its first NUL. */
function cString(arg: Buffer): string {
  const nul = arg.indexOf(0);
  return (nul < 0 ? arg : arg.subarray(0, nul)).toString('latin1');
}

type Flag = CommandSpec['flags'][number];

/** FUNCTION LOAD, DELETE, FLUSH and RESTORE: one change each time they succeed (functions.c's server.dirty++). */
function oneChange(run: NonNullable<CommandSpec['run']>): CommandSpec['run'] {
  return (argv, ctx) => {
    const reply = run(argv, ctx);
    if (reply.kind !== 'error') markChanged(ctx);
    return reply;
  };
}

function subcommand(
  name: string,
  syntax: string,
  summary: string,
  arity: number,
  flags: readonly Flag[],
  run: CommandSpec['run'],
): CommandSpec {
  return {
    name: `function|${name}`,
    syntax: `FUNCTION ${syntax}`,
    summary,
    group: 'scripting',
    since: '7.0.0',
    arity,
    flags: [...flags],
    keys: [0, 0, 0],
    run,
  };
}

export const functionCommands: readonly CommandSpec[] = [
  {
    name: 'function',
    syntax: 'FUNCTION subcommand',
    summary: 'A container for function commands',
    group: 'scripting',
    since: '7.0.0',
    arity: -2,
    flags: [],
    keys: [0, 0, 0],
    subcommands: [
      subcommand(
        'load',
        'LOAD [REPLACE] function-code',
        'Create a function with the given arguments (name, code, description)',
        -3,
        ['write', 'denyoom', 'noscript'],
        oneChange(functionLoad),
      ),
      subcommand(
        'delete',
        'DELETE library-name',
        'Delete a function by name',
        3,
        ['write', 'noscript'],
        oneChange(functionDelete),
      ),
      subcommand(
        'flush',
        'FLUSH [ASYNC|SYNC]',
        'Deleting all functions',
        -2,
        ['write', 'noscript'],
        oneChange(functionFlush),
      ),
      subcommand(
        'list',
        'LIST [LIBRARYNAME library-name-pattern] [WITHCODE]',
        'List information about all the functions',
        -2,
        ['noscript'],
        functionList,
      ),
      subcommand(
        'dump',
        'DUMP',
        'Dump all functions into a serialized binary payload',
        2,
        ['noscript'],
        functionDump,
      ),
      subcommand(
        'restore',
        'RESTORE serialized-value [FLUSH|APPEND|REPLACE]',
        'Restore all the functions on the given payload',
        -3,
        ['write', 'denyoom', 'noscript'],
        oneChange(functionRestore),
      ),
      subcommand(
        'stats',
        'STATS',
        'Return information about the function currently running (name, description, duration)',
        2,
        ['noscript', 'allow_busy'],
        functionStats,
      ),
      subcommand(
        'kill',
        'KILL',
        'Kill the function currently in execution.',
        2,
        ['noscript', 'allow_busy'],
        functionKill,
      ),
      subcommand(
        'help',
        'HELP',
        'Show helpful text about the different subcommands',
        2,
        ['loading', 'stale'],
        () => helpReply('function', HELP),
      ),
    ],
  },
];
