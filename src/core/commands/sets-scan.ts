// SSCAN key cursor [MATCH pattern] [COUNT count] (Redis 7.0's t_set.c sscanCommand and db.c
// scanGenericCommand): the cursor is checked first, then the key is looked up (a missing key is an empty scan
// whatever the options), then the options left to right. An intset comes back whole with cursor 0; a hash table
// in steps of about COUNT members; MATCH filters a step's members after the walk, as Redis does.

import { ArgCursor, isKeyword, toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { globMatch } from '../glob.js';
import { array, bulkArray, bulkString, type Reply } from '../reply.js';
import { parseCursor } from './keyspace-scan.js';
import { countedLookup } from './sets-lookup.js';

const DEFAULT_COUNT = 10;
/** COUNT is a hint: past this a step already covers any table this store can hold. */
const MAX_COUNT = 2n ** 31n - 1n;
const EMPTY_SCAN = array([bulkString('0'), array([])]);

function sscan(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  // Only the low 32 bits address a table's buckets (dict.ts): the walk masks the rest off, as dictScan does.
  const cursor = Number(BigInt(parseCursor(argv[2])) & 0xffffffffn);
  // The options are read after the lookup, but the walk needs COUNT: read them first, throw in Redis's order.
  let count = DEFAULT_COUNT;
  let match: Buffer | undefined;
  let optionError: CommandError | undefined;
  try {
    const options = new ArgCursor(argv, 3);
    while (options.hasNext()) {
      const option = options.next();
      if (isKeyword(option, 'COUNT') && options.hasNext()) {
        const n = toBigInt(options.next());
        if (n < 1n) throw new CommandError(ERR.syntax);
        count = Number(n > MAX_COUNT ? MAX_COUNT : n);
      } else if (isKeyword(option, 'MATCH') && options.hasNext()) {
        const pattern = options.next();
        match = pattern.length === 1 && pattern[0] === 0x2a ? undefined : pattern; // "*": no filter
      } else {
        throw new CommandError(ERR.syntax);
      }
    }
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    optionError = error;
  }
  const result = ctx.store.sscan(key, cursor, optionError === undefined ? count : 1);
  countedLookup(ctx, key, result !== null);
  if (result === null) return EMPTY_SCAN;
  if (optionError !== undefined) throw optionError;
  const members = match === undefined ? result.members : result.members.filter((m) => globMatch(match, m));
  return array([bulkString(result.cursor), bulkArray(members)]);
}

export const sscanCommand: CommandSpec = {
  name: 'sscan',
  syntax: 'SSCAN key cursor [MATCH pattern] [COUNT count]',
  summary: 'Incrementally iterate Set elements',
  group: 'set',
  since: '2.8.0',
  arity: -3,
  flags: ['readonly'],
  keys: [1, 1, 1],
  run: sscan,
  tips: ['nondeterministic_output'],
};
