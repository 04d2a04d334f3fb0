// Which keys a write command may have made ready for blocked clients (Redis's signalKeyAsReady, called from
// dbAdd, list pushes, ZADD, RENAME, MOVE, COPY, SMOVE...): here every key a write command names, in the database
// it lands in. A key that did not gain anything serves nobody (the pop finds it empty or of another type), so
// naming too many keys costs a look, never a wrong reply. Called only while some client is blocked.

import type { CommandContext, CommandSpec } from '../command.js';
import { commandKeys } from '../key-specs.js';

/** Marks the keys `argv` of a write command names as ready in their databases (the executor, after it ran). */
export function signalWrittenKeys(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): void {
  const blocking = ctx.server.blocking;
  if (blocking === undefined || !spec.flags.includes('write')) return;
  const db = ctx.store.db;
  // MOVE key db and COPY src dst DB n write into another database: the key lands there.
  // The command may have been refused for that index: only a database that exists is looked at.
  if (spec.name === 'move') {
    const target = databaseNumber(argv[2], ctx);
    if (target !== null) blocking.keyWritten(target, argv[1]);
    return;
  }
  if (spec.name === 'copy') {
    const target = copyTarget(argv, ctx);
    if (target !== undefined) blocking.keyWritten(target ?? db, argv[2]);
    return;
  }
  for (const key of commandKeys(spec, argv) ?? []) blocking.keyWritten(db, key);
}

/** COPY's DB argument: null when absent (the current database), undefined when it names none. */
function copyTarget(argv: Buffer[], ctx: CommandContext): number | null | undefined {
  for (let i = 3; i + 1 < argv.length; i++) {
    if (argv[i].toString('latin1').toLowerCase() === 'db')
      return databaseNumber(argv[i + 1], ctx) ?? undefined;
  }
  return null;
}

function databaseNumber(arg: Buffer | undefined, ctx: CommandContext): number | null {
  const db = Number(arg?.toString('latin1'));
  return Number.isInteger(db) && db >= 0 && db < ctx.store.databases ? db : null;
}
