// Which keys a write command may have made ready for blocked clients (Redis's signalKeyAsReady, called from
// dbAdd, list pushes, ZADD, RENAME, MOVE, COPY, SMOVE...): here every key a write command names, in the database
// it lands in. A key that did not gain anything serves nobody (the pop finds it empty or of another type), so
// naming too many keys costs a look, never a wrong reply. Called only while some client is blocked.

import type { CommandContext, CommandSpec } from '../command.js';

/** Marks the keys `argv` of a write command names as ready in their databases (the executor, after it ran). */
export function signalWrittenKeys(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): void {
  const blocking = ctx.server.blocking;
  if (blocking === undefined || !spec.flags.includes('write') || spec.notKeys === true) return;
  const db = ctx.store.db;
  const [first, lastSpec, step] = spec.keys;
  if (first === 0) return;
  const last = lastSpec < 0 ? argv.length + lastSpec : lastSpec;
  // MOVE key db and COPY src dst DB n write into another database: the key lands there.
  if (spec.name === 'move') {
    const target = Number(argv[2]?.toString('latin1'));
    if (Number.isInteger(target)) blocking.keyWritten(target, argv[1]);
    return;
  }
  if (spec.name === 'copy') {
    blocking.keyWritten(copyTarget(argv) ?? db, argv[2]);
    return;
  }
  for (let i = first; i <= last && i < argv.length; i += Math.max(1, step)) blocking.keyWritten(db, argv[i]);
}

function copyTarget(argv: Buffer[]): number | null {
  for (let i = 3; i + 1 < argv.length; i++) {
    if (argv[i].toString('latin1').toLowerCase() === 'db') {
      const db = Number(argv[i + 1].toString('latin1'));
      return Number.isInteger(db) ? db : null;
    }
  }
  return null;
}
