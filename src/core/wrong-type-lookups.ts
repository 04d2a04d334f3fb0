// The keyspace lookups behind a WRONGTYPE reply. Redis's lookupKeyRead counts a key it finds as a keyspace hit
// before checkType refuses its type (db.c lookupKey, then e.g. t_list.c's checkType), so every command that
// reads its keys that way counts the refused key a hit, and a loop over several keys (SUNION, ZUNION, PFCOUNT,
// LCS, ...) the keys it looked up before it too, hits or misses with their `keymiss` events. Commands count the
// lookups that succeed; the executor calls this one place for the lookups a WRONGTYPE cut short, so no command
// has to catch it. Write lookups (lookupKeyWrite: LPUSH, SADD, INCR, LMPOP, ...) count nothing.

import type { CommandContext, CommandSpec } from './command.js';
import { WrongTypeError, type CommandError } from './errors.js';
import { notifyMiss } from './pubsub/keyspace-events.js';

/**
 * Commands flagged `write` whose keys Redis reads with lookupKeyRead all the same (each checked against
 * redis-server 7.0.15: the suite test/conformance/keyspace-hits-differential.test.ts); every `readonly` command
 * reads that way.
 */
const WRITES_THAT_READ = new Set([
  'sort',
  'sunionstore',
  'sinterstore',
  'sdiffstore',
  'zunionstore',
  'zinterstore',
  'zdiffstore',
  'zrangestore',
  'georadius',
  'georadiusbymember',
  'geosearchstore',
  'bitop',
  'pfmerge',
  'getdel',
  'getset',
  'getex',
  'set',
  'copy',
  'xreadgroup',
  'xack',
  'xclaim',
  'xautoclaim',
]);

/** Whether `spec` looks its keys up as lookupKeyRead does, so a key of another type is a hit. */
function readsWithLookupKeyRead(spec: CommandSpec): boolean {
  return spec.flags.includes('readonly') || WRITES_THAT_READ.has(spec.name);
}

/** Counts the lookups `error` (a command's WRONGTYPE) stands for: the refused key a hit, the keys before it. */
export function countWrongTypeLookups(spec: CommandSpec, error: CommandError, ctx: CommandContext): void {
  if (error.code !== 'WRONGTYPE') return;
  // A WrongTypeError always comes from a read lookup: a command whose lookup depends on its arguments (BITFIELD)
  // throws one to say so.
  if (!(error instanceof WrongTypeError) && !readsWithLookupKeyRead(spec)) return;
  const counters = ctx.server.counters;
  if (!(error instanceof WrongTypeError)) {
    counters?.keyLookup(true);
    return;
  }
  let hits = 1;
  for (let i = 0; i < error.found.length; i++) {
    if (error.found[i]) hits++;
    else notifyMiss(ctx, error.keys[i], false);
  }
  counters?.keyLookups(hits, error.found.length + 1 - hits);
}
