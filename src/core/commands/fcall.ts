// FCALL and FCALL_RO (functions.c fcallCommandGeneric, script.c scriptPrepareForRun): the named function runs as
// an EVAL script does (scripting/script-run.ts: one atomic unit, its commands checked as a script's), with the
// checks its registered flags call for: a function without no-writes is a write command (refused over
// maxmemory unless allow-oom, and while writes fail to persist), and FCALL_RO refuses it.

import type { CommandContext, CommandSpec } from '../command.js';
import { parseInt64 } from '../args.js';
import { CommandError, ERR } from '../errors.js';
import type { FunctionInfo } from '../functions/functions.js';
import { countedKeys } from '../key-specs.js';
import { refusedForMemory } from '../memory-limit.js';
import { feedMonitor } from '../monitor.js';
import { diskErrorRefusal } from '../disk-error.js';
import type { Reply } from '../reply.js';
import { runScript } from '../scripting/script-run.js';
import { functionsOf } from './functions.js';

function fcall(spec: CommandSpec, argv: Buffer[], ctx: CommandContext, readOnlyCommand: boolean): Reply {
  // Monitors see FCALL before the commands its function runs.
  if (ctx.server.pubsub?.monitoring() === true) feedMonitor(spec, argv, ctx);
  const functions = functionsOf(ctx);
  const fn = functions.find(argv[1].toString('latin1'));
  if (fn === undefined) throw new CommandError('ERR Function not found');
  const writes = !fn.flags.includes('no-writes');
  // processCommand, with the flags fcallGetCommandFlags gives the line (scriptFlagsToCmdFlags).
  const refusal = writes ? diskErrorRefusal(ctx.server) : null;
  if (refusal !== null) throw new CommandError(refusal);
  if (writes && !fn.flags.includes('allow-oom')) {
    if (refusedForMemory(ctx, { ...spec, flags: [...spec.flags, 'denyoom'] }))
      throw new CommandError(ERR.oom);
  }
  const numkeys = parseInt64(argv[2]);
  if (numkeys === null) throw new CommandError('ERR Bad number of keys provided');
  if (numkeys > BigInt(argv.length - 3)) {
    throw new CommandError("ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0n) throw new CommandError("ERR Number of keys can't be negative");
  if (writes && readOnlyCommand) {
    throw new CommandError('ERR Can not execute a script with write flag using *_ro command.');
  }
  const scripting = ctx.server.scripting;
  if (scripting === undefined) throw new CommandError('ERR scripting is unavailable on this server');
  const keyCount = Number(numkeys);
  const keys = argv.slice(3, 3 + keyCount);
  const args = argv.slice(3 + keyCount);
  // Its record, for FUNCTION STATS on other threads: published once this thread holds every segment for the run.
  const invoke: Parameters<typeof runScript>[1] = (host, watch) => {
    functions.registry.publishRunning(fn.name, argv, ctx.server.clock());
    try {
      return functions.call(fn, keys, args, host, watch);
    } finally {
      functions.registry.clearRunning();
    }
  };
  return runScript(scripting, invoke, ctx, {
    readOnly: readOnlyCommand || !writes,
    allowOom: fn.flags.includes('allow-oom'),
    keys,
    name: fn.name,
    isFunction: true,
  });
}

/** processCommand's is_may_replicate_command (CLIENT PAUSE WRITE): the function's flags, when it exists. */
function fcallMayReplicate(argv: readonly Buffer[], ctx: CommandContext, ro: boolean): boolean {
  const fn: FunctionInfo | undefined = ctx.server.functions?.find(argv[1].toString('latin1'));
  if (fn === undefined) return !ro;
  return !fn.flags.includes('no-writes');
}

function fcallSpec(name: string, summary: string, ro: boolean): CommandSpec {
  const spec: CommandSpec = {
    name,
    syntax: `${name.toUpperCase()} function numkeys [key [key ...]] [arg [arg ...]]`,
    summary,
    group: 'scripting',
    since: '7.0.0',
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
    keySpecs: [ro ? countedKeys(2, ['RO', 'access']) : countedKeys(2, ['RW', 'access', 'update'])],
    runsScript: true,
    mayReplicate: (argv, ctx) => fcallMayReplicate(argv, ctx, ro),
    run: (argv, ctx) => fcall(spec, argv, ctx, ro),
  };
  return spec;
}

export const fcallCommands: readonly CommandSpec[] = [
  fcallSpec('fcall', 'Invoke a function', false),
  fcallSpec('fcall_ro', 'Invoke a read-only function', true),
];
