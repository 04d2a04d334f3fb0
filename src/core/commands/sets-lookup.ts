// What every set command that reads a key does after its lookup, as Redis's lookupKeyRead: count a keyspace hit
// or miss, and publish `keymiss` for a miss. Shared by the set command files; knows no set semantics.

import type { CommandContext } from '../command.js';
import { notifyMiss } from '../pubsub/keyspace-events.js';

export function countedLookup(ctx: CommandContext, key: Uint8Array, found: boolean): void {
  ctx.server.counters?.keyLookup(found);
  notifyMiss(ctx, key, found);
}
