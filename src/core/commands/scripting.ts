// The scripting family (redis.io/docs/interact/programmability/eval-intro): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO
// and SCRIPT LOAD / EXISTS / FLUSH / HELP, with Redis 7.0.15's replies (eval.c). The interpreter and the
// shared script cache are the thread's Scripting (scripting/scripting.ts); one run is scripting/script-run.ts.
// SCRIPT KILL stops another thread's running script through the busy word every thread shares
// (scripting/script-busy.ts). SCRIPT DEBUG is not implemented; FUNCTION and FCALL are commands/functions.ts.

import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { countedKeys } from '../key-specs.js';
import { array, bulkString, OK, ONE, ZERO, type Reply } from '../reply.js';
import { helpReply } from './container.js';
import { runScript } from '../scripting/script-run.js';
import { killRunningScript } from '../scripting/script-kill.js';
import type { LoadedScript, Scripting } from '../scripting/scripting.js';
import { parseInt64 } from '../args.js';
import { feedMonitor } from '../monitor.js';
import { refusedForMemory } from '../memory-limit.js';
import { diskErrorRefusal } from '../disk-error.js';
import { readShebang } from '../scripting/shebang.js';

const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';

function scriptingOf(ctx: CommandContext): Scripting {
  const scripting = ctx.server.scripting;
  if (scripting === undefined) throw new CommandError('ERR scripting is unavailable on this server');
  return scripting;
}

/** eval.c evalGenericCommand: numkeys, the script (compiled here if new), the checks of its flags, the run. */
function evalGeneric(
  spec: CommandSpec,
  argv: Buffer[],
  ctx: CommandContext,
  bySha: boolean,
  readOnlyCommand: boolean,
): Reply {
  // Monitors see EVAL before the commands its script runs (evalCommand feeds them itself: skip_monitor).
  if (ctx.server.pubsub?.monitoring() === true) feedMonitor(spec, argv, ctx);
  // A sha that cannot match is NOSCRIPT before anything else (evalShaCommand).
  if (bySha && argv[1].length !== 40) throw new CommandError(NOSCRIPT);
  const numkeys = parseInt64(argv[2]);
  if (numkeys === null) throw new CommandError(ERR.notInteger);
  if (numkeys > BigInt(argv.length - 3)) {
    throw new CommandError("ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0n) throw new CommandError("ERR Number of keys can't be negative");
  const scripting = scriptingOf(ctx);
  let script: LoadedScript;
  if (bySha) {
    const found = scripting.find(argv[1].toString('latin1'));
    if (found === null) {
      if (scripting.unavailable !== null)
        throw new CommandError(`ERR scripting is unavailable: ${scripting.unavailable}`);
      throw new CommandError(NOSCRIPT);
    }
    script = found;
  } else {
    const loaded = scripting.load(argv[1]);
    if ('error' in loaded) throw new CommandError(loaded.error);
    script = loaded;
  }
  const flags = script.flags;
  // A script that declares its flags is a write command unless no-writes, and may grow memory unless no-writes
  // or allow-oom (eval.c evalGetCommandFlags): Redis's processCommand refuses it as it refuses such a command.
  if (flags !== null && !flags.has('no-writes')) {
    const refusal = diskErrorRefusal(ctx.server);
    if (refusal !== null) throw new CommandError(refusal);
    if (!flags.has('allow-oom') && refusedForMemory(ctx, { ...spec, flags: [...spec.flags, 'denyoom'] })) {
      throw new CommandError(ERR.oom);
    }
    // script.c scriptPrepareForRun.
    if (readOnlyCommand)
      throw new CommandError('ERR Can not execute a script with write flag using *_ro command.');
  }
  const keyCount = Number(numkeys);
  const keys = argv.slice(3, 3 + keyCount);
  const args = argv.slice(3 + keyCount);
  return runScript(scripting, (host, watch) => scripting.run(script, keys, args, host, watch), ctx, {
    readOnly: readOnlyCommand || (flags !== null && flags.has('no-writes')),
    allowOom: flags !== null && flags.has('allow-oom'),
    keys,
    name: script.sha,
    isFunction: false,
  });
}

function scriptLoad(argv: Buffer[], ctx: CommandContext): Reply {
  const loaded = scriptingOf(ctx).load(argv[2]);
  if ('error' in loaded) throw new CommandError(loaded.error);
  return bulkString(loaded.sha);
}

function scriptExists(argv: Buffer[], ctx: CommandContext): Reply {
  const cache = scriptingOf(ctx).cache;
  return array(argv.slice(2).map((sha) => (cache.find(sha.toString('latin1').toLowerCase()) ? ONE : ZERO)));
}

function scriptFlush(argv: Buffer[], ctx: CommandContext): Reply {
  // ASYNC frees the old scripts in the background in Redis; here there is nothing slow to defer.
  const mode = argv.length === 3 ? argv[2].toString('latin1').toLowerCase() : 'default';
  if (argv.length > 3 || (mode !== 'sync' && mode !== 'async' && mode !== 'default')) {
    throw new CommandError('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  }
  scriptingOf(ctx).flush();
  return OK;
}

/** script.c scriptKill: an EVAL script that has not written is stopped at its engine's next hook. */
function scriptKill(_argv: Buffer[], ctx: CommandContext): Reply {
  return killRunningScript(scriptingOf(ctx).cache.busy, false);
}

const HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

function scriptHelp(): Reply {
  return helpReply('script', HELP);
}

/**
 * eval.c evalGetCommandFlags, as processCommand's is_may_replicate_command reads it (CLIENT PAUSE WRITE): a script
 * that declares its flags writes unless no-writes (scriptFlagsToCmdFlags), one without a shebang, or not found,
 * keeps the command's flags (EVAL and EVALSHA may replicate; the _RO forms do not).
 */
function scriptMayReplicate(
  argv: readonly Buffer[],
  ctx: CommandContext,
  bySha: boolean,
  ro: boolean,
): boolean {
  const body = bySha
    ? argv[1].length === 40
      ? ctx.server.scripting?.cache.find(argv[1].toString('latin1').toLowerCase())?.body
      : undefined
    : argv[1];
  if (body === undefined) return !ro;
  const shebang = readShebang(body);
  if ('error' in shebang || shebang.flags === null) return !ro;
  return !shebang.flags.has('no-writes');
}

const evalKeys = countedKeys(2, ['RW', 'access', 'update']);
const evalRoKeys = countedKeys(2, ['RO', 'access']);

function evalSpec(name: string, summary: string, since: string, bySha: boolean, ro: boolean): CommandSpec {
  const spec: CommandSpec = {
    name,
    syntax: `${name.toUpperCase()} ${bySha ? 'sha1' : 'script'} numkeys [key [key ...]] [arg [arg ...]]`,
    summary,
    group: 'scripting',
    since,
    arity: -3,
    flags: [
      ...(ro ? (['readonly'] as const) : []),
      'noscript',
      'stale',
      'skip_monitor',
      'no_mandatory_keys',
      'movablekeys',
    ],
    keys: [0, 0, 0],
    keySpecs: [ro ? evalRoKeys : evalKeys],
    runsScript: true,
    mayReplicate: (argv, ctx) => scriptMayReplicate(argv, ctx, bySha, ro),
    run: (argv, ctx) => evalGeneric(spec, argv, ctx, bySha, ro),
  };
  return spec;
}

export const scriptingCommands: readonly CommandSpec[] = [
  evalSpec('eval', 'Execute a Lua script server side', '2.6.0', false, false),
  evalSpec('evalsha', 'Execute a Lua script server side', '2.6.0', true, false),
  evalSpec('eval_ro', 'Execute a read-only Lua script server side', '7.0.0', false, true),
  evalSpec('evalsha_ro', 'Execute a read-only Lua script server side', '7.0.0', true, true),
  {
    name: 'script',
    syntax: 'SCRIPT subcommand',
    summary: 'A container for Lua scripts management commands',
    group: 'scripting',
    since: '2.6.0',
    arity: -2,
    flags: [],
    keys: [0, 0, 0],
    subcommands: [
      {
        name: 'script|load',
        syntax: 'SCRIPT LOAD script',
        summary: 'Load the specified Lua script into the script cache.',
        group: 'scripting',
        since: '2.6.0',
        arity: 3,
        flags: ['noscript', 'stale'],
        keys: [0, 0, 0],
        run: scriptLoad,
      },
      {
        name: 'script|exists',
        syntax: 'SCRIPT EXISTS sha1 [sha1 ...]',
        summary: 'Check existence of scripts in the script cache.',
        group: 'scripting',
        since: '2.6.0',
        arity: -3,
        flags: ['noscript'],
        keys: [0, 0, 0],
        run: scriptExists,
      },
      {
        name: 'script|flush',
        syntax: 'SCRIPT FLUSH [ASYNC|SYNC]',
        summary: 'Remove all the scripts from the script cache.',
        group: 'scripting',
        since: '2.6.0',
        arity: -2,
        flags: ['noscript'],
        keys: [0, 0, 0],
        run: scriptFlush,
      },
      {
        name: 'script|kill',
        syntax: 'SCRIPT KILL',
        summary: 'Kill the script currently in execution.',
        group: 'scripting',
        since: '2.6.0',
        arity: 2,
        flags: ['noscript', 'allow_busy'],
        keys: [0, 0, 0],
        run: scriptKill,
      },
      {
        name: 'script|help',
        syntax: 'SCRIPT HELP',
        summary: 'Show helpful text about the different subcommands',
        group: 'scripting',
        since: '5.0.0',
        arity: 2,
        flags: ['loading', 'stale'],
        keys: [0, 0, 0],
        run: scriptHelp,
      },
    ],
  },
];
