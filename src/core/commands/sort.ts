// SORT and SORT_RO (redis.io/commands/sort, Redis 7.0's sort.c): the arguments (sort/request.ts), the store's
// sort (store/sort.ts), and what the command does around it as Redis does: a keyspace hit or miss (and
// `keymiss`) for every key read, the sorted key's and each pattern's; for STORE, `new` when the destination is
// made, `sortstore`, or `del` when an empty result removes it. SORT ... STORE is logged and propagated as sent
// (aof/as-logged.ts); SORT without STORE changes nothing and is not logged.

import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError } from '../errors.js';
import { NOTIFY_GENERIC, NOTIFY_LIST, NOTIFY_NEW, notifyKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { bulkArray, integer, type Reply } from '../reply.js';
import { parseSortRequest, readsUnnamedKeys, sortKeyPositions } from '../sort/request.js';
import { countedLookup } from './sets-lookup.js';

const NOT_DOUBLE = "ERR One or more scores can't be converted into double";

function sorter(readonly: boolean) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const request = parseSortRequest(argv, readonly);
    const outcome = ctx.store.sort(argv[1], request, readsUnnamedKeys(argv));
    for (const lookup of outcome.lookups) countedLookup(ctx, lookup.key, lookup.found);
    if (outcome.kind === 'notDouble') throw new CommandError(NOT_DOUBLE);
    if (outcome.kind === 'rows') return bulkArray(outcome.rows);
    const destination = request.store!;
    if (outcome.length > 0) {
      markChanged(ctx, outcome.length); // sortCommandGeneric: a change per element stored
      if (!outcome.existed) notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', destination);
      notifyKeyspaceEvent(ctx, NOTIFY_LIST, 'sortstore', destination);
    } else if (outcome.existed) {
      markChanged(ctx);
      notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', destination);
    }
    return integer(outcome.length);
  };
}

const SYNTAX =
  'SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA] [STORE destination]';

export const sortCommands: readonly CommandSpec[] = [
  {
    name: 'sort',
    syntax: SYNTAX,
    summary: 'Sort the elements in a list, set or sorted set',
    group: 'generic',
    since: '1.0.0',
    arity: -2,
    flags: ['write', 'denyoom', 'movablekeys'],
    keys: [1, 1, 1],
    getKeys: sortKeyPositions,
    readsUnnamedKeys,
    run: sorter(false),
  },
  {
    name: 'sort_ro',
    syntax:
      'SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]',
    summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.',
    group: 'generic',
    since: '7.0.0',
    arity: -2,
    flags: ['readonly', 'movablekeys'],
    keys: [1, 1, 1],
    readsUnnamedKeys,
    run: sorter(true),
  },
];
