// HRANDFIELD and HSCAN (redis.io/commands/<name>, Redis 7.0's t_hash.c hrandfieldCommand and db.c
// scanGenericCommand): their arguments are checked in Redis's order (HRANDFIELD's count and WITHVALUES before
// the key is looked up; HSCAN's cursor before, its options after), and their replies take Redis's shapes
// (HRANDFIELD ... WITHVALUES: flat in RESP2, a [field, value] array per pick in RESP3). Which fields are picked
// and where a scan resumes is the store's.

import { isKeyword, toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { globMatch } from '../glob.js';
import { array, bulk, bulkArray, bulkString, NIL, type Reply } from '../reply.js';
import { readHash } from './hashes-read.js';
import { parseCursor, scanOptionsOrError } from './scan-args.js';

const LONG_MAX = 2n ** 63n - 1n;
/**
 * The most picks a negative count may ask for. Redis streams any number (a count of -10^12 makes it write
 * replies until the client is cut off); redis-lite builds a reply whole, so it refuses more picks than this
 * with Redis's range error rather than run out of memory.
 */
export const MAX_RANDOM_PICKS = 1 << 20;

const EMPTY_ARRAY: Reply = array([]);
const EMPTY_SCAN: Reply = array([bulkString('0'), array([])]);

function hrandfield(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  if (argv.length === 2) {
    const picked = readHash(ctx, key, (store) => store.hrandfield(key, 1, false, false), present);
    return picked === null ? NIL : bulk(picked.fields[0]);
  }
  const n = toBigInt(argv[2]);
  if (n < -LONG_MAX) {
    throw new CommandError(
      'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    );
  }
  if (argv.length > 4 || (argv.length === 4 && !isKeyword(argv[3], 'WITHVALUES'))) {
    throw new CommandError(ERR.syntax);
  }
  const withValues = argv.length === 4;
  // t_hash.c: with values the reply holds 2 * count elements, which must fit a long.
  if (withValues && (n < -LONG_MAX / 2n || n > LONG_MAX / 2n)) throw new CommandError(OUT_OF_RANGE);
  const distinct = n >= 0n;
  const magnitude = distinct ? n : -n;
  if (!distinct && magnitude > BigInt(MAX_RANDOM_PICKS)) throw new CommandError(OUT_OF_RANGE);
  const count = Number(magnitude > LONG_MAX ? LONG_MAX : magnitude);
  const picked = readHash(ctx, key, (store) => store.hrandfield(key, count, distinct, withValues), present);
  if (picked === null) return EMPTY_ARRAY;
  const { fields, values } = picked;
  if (values === null) return bulkArray(fields);
  if (ctx.client.resp === 3) return array(fields.map((field, i) => array([bulk(field), bulk(values[i])])));
  const flat: Reply[] = [];
  for (let i = 0; i < fields.length; i++) flat.push(bulk(fields[i]), bulk(values[i]));
  return array(flat);
}

const OUT_OF_RANGE = 'ERR value is out of range';
const present = (result: unknown): boolean => result !== null;

/** HSCAN: the cursor is checked first, then the key is looked up, then the options are read. */
function hscan(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const cursor = parseCursor(argv[2]);
  const options = scanOptionsOrError(argv, 3);
  if (options instanceof CommandError) {
    // A missing key answers the empty scan and another type WRONGTYPE before a bad option is reported.
    if (
      readHash(
        ctx,
        key,
        (store) => store.hlen(key),
        (fields) => fields > 0,
      ) === 0
    )
      return EMPTY_SCAN;
    throw options;
  }
  const pattern = options.match;
  const match = pattern === undefined ? null : (field: Uint8Array) => globMatch(pattern, field);
  const step = readHash(ctx, key, (store) => store.hscan(key, cursor, options.count, match), present);
  if (step === null) return EMPTY_SCAN;
  return array([bulkString(step.cursor), bulkArray(step.items)]);
}

export const hashRandomScanCommands: readonly CommandSpec[] = [
  {
    name: 'hrandfield',
    syntax: 'HRANDFIELD key [count [WITHVALUES]]',
    summary: 'Get one or multiple random fields from a hash',
    group: 'hash',
    since: '6.2.0',
    arity: -2,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: hrandfield,
  },
  {
    name: 'hscan',
    syntax: 'HSCAN key cursor [MATCH pattern] [COUNT count]',
    summary: 'Incrementally iterate hash fields and associated values',
    group: 'hash',
    since: '2.8.0',
    arity: -3,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: hscan,
  },
];
