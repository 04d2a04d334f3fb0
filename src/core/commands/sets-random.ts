// Random members: SPOP and SRANDMEMBER, with and without a count (Redis 7.0's t_set.c). The count is read before
// the key is looked up, as Redis does; SPOP's replies with a count are sets (RESP3 `~`), SRANDMEMBER's are
// arrays (a negative count may repeat a member). Which members come out is the store's draw.

import { toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import { NOTIFY_GENERIC, NOTIFY_SET, notifyKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { bulk, bulkArray, NIL, set, type Reply } from '../reply.js';
import { MAX_RANDOM_PICKS } from './hashes-random-scan.js';
import { countedLookup } from './sets-lookup.js';

/** SPOP's count error (t_set.c: shared.outofrangeerr), for a negative count and for one that is no integer. */
const NOT_POSITIVE = 'ERR value is out of range, must be positive';
const LONG_MAX = 2n ** 63n - 1n;
/** SRANDMEMBER's range error, with the bounds Redis prints (too wide for a double: written out). */
const COUNT_OUT_OF_RANGE =
  'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';

function spop(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length > 3) throw new CommandError(ERR.syntax);
  const key = argv[1];
  let count: number | null = null;
  if (argv.length === 3) {
    const n = toBigInt(argv[2], NOT_POSITIVE);
    if (n < 0n) throw new CommandError(NOT_POSITIVE);
    count = Number(n);
  }
  const { members, deleted } = ctx.store.spop(key, count);
  if (members !== null && members.length > 0) {
    markChanged(ctx, members.length);
    notifyKeyspaceEvent(ctx, NOTIFY_SET, 'spop', key);
    if (deleted) notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', key);
  }
  if (count === null) return members === null ? NIL : bulk(members[0]);
  return set((members ?? []).map(bulk));
}

function srandmember(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length > 3) throw new CommandError(ERR.syntax);
  const key = argv[1];
  let count: number | null = null;
  if (argv.length === 3) {
    // getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): LONG_MIN could not be negated.
    const n = toBigInt(argv[2]);
    if (n < -LONG_MAX) throw new CommandError(COUNT_OUT_OF_RANGE);
    // A reply is built whole here, where Redis streams it: so many repeated picks are refused, as HRANDFIELD's.
    if (n < -BigInt(MAX_RANDOM_PICKS)) throw new CommandError(COUNT_OUT_OF_RANGE);
    count = Number(n);
  }
  const members = ctx.store.srandmember(key, count);
  countedLookup(ctx, key, members !== null);
  if (count === null) return members === null ? NIL : bulk(members[0]);
  return bulkArray(members ?? []);
}

export const setRandomCommands: readonly CommandSpec[] = [
  {
    name: 'spop',
    syntax: 'SPOP key [count]',
    summary: 'Remove and return one or multiple random members from a set',
    group: 'set',
    since: '1.0.0',
    arity: -2,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: spop,
  },
  {
    name: 'srandmember',
    syntax: 'SRANDMEMBER key [count]',
    summary: 'Get one or multiple random members from a set',
    group: 'set',
    since: '1.0.0',
    arity: -2,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: srandmember,
  },
];
