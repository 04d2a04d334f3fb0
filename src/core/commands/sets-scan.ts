// SSCAN key cursor [MATCH pattern] [COUNT count] (Redis 7.0's t_set.c sscanCommand and db.c
// scanGenericCommand): the cursor is checked first, then the key is looked up (a missing key is an empty scan
// whatever the options), then the options left to right. An intset comes back whole with cursor 0; a hash table
// in steps of about COUNT members; MATCH filters a step's members after the walk, as Redis does.

import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError } from '../errors.js';
import { globMatch } from '../glob.js';
import { array, bulkArray, bulkString, type Reply } from '../reply.js';
import { parseCursor, scanOptionsOrError } from './scan-args.js';
import { countedLookup } from './sets-lookup.js';

const EMPTY_SCAN = array([bulkString('0'), array([])]);

function sscan(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  // Only the low 32 bits address a table's buckets (dict.ts): the walk masks the rest off, as dictScan does.
  const cursor = Number(BigInt(parseCursor(argv[2])) & 0xffffffffn);
  // The options are read after the lookup, but the walk needs COUNT: read them first, throw in Redis's order.
  const options = scanOptionsOrError(argv, 3);
  const failed = options instanceof CommandError;
  const result = ctx.store.sscan(key, cursor, failed ? 1 : options.count);
  countedLookup(ctx, key, result !== null);
  if (result === null) return EMPTY_SCAN;
  if (failed) throw options;
  const match = options.match;
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
};
