// Redis's change count, server.dirty: each write command adds the changes it made to the data set where Redis's
// t_*.c add to server.dirty (SADD the members it added, SREM those it removed, DEL the keys it deleted, HSET every
// field it was given, SET 1, ...), and nothing when it changed nothing. INFO's rdb_changes_since_last_save and the
// save points read the total; the executor's call() logs a write to the append-only file only when it moved, as
// Redis propagates a command only when dirty moved. Knows nothing of commands beyond their context.

import type { CommandContext } from './command.js';

/** The command running in `ctx` made `changes` changes to the data set (none counted when 0 or less). */
export function markChanged(ctx: CommandContext, changes = 1): void {
  if (changes > 0) ctx.server.counters?.dataChanged(changes);
}
