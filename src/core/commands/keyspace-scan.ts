// Key enumeration: KEYS (all at once) and SCAN (a cursor the store defines, Redis's guarantees). This file
// parses patterns, cursors and options as Redis's db.c does; the store walks its own table and matches the
// glob, so nothing here knows the table's layout or what a cursor encodes.

import { ArgCursor, isKeyword, toBigInt } from '../args.js';
import type { CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { array, bulkArray, bulkString } from '../reply.js';

const UINT64_MAX = 2n ** 64n - 1n;
const CURSOR_RE = /^\+?[0-9]+$/;
/** COUNT is a hint: anything past this already means "the whole table in one call" here. */
const MAX_COUNT = 2n ** 31n - 1n;
const DEFAULT_COUNT = 10;

/**
 * A cursor is an unsigned 64-bit decimal (parseScanCursorOrReply). Redis 7.0 used strtoul, which also took
 * a '-' and wrapped it around; later versions parse with string2ull and reject negatives, as we do.
 * Returned canonical (no sign, no leading zeros) for the store.
 */
export function parseCursor(b: Buffer): string {
  const text = b.toString('latin1');
  if (!CURSOR_RE.test(text)) throw new CommandError(ERR.invalidCursor);
  const value = BigInt(text);
  if (value > UINT64_MAX) throw new CommandError(ERR.invalidCursor);
  return value.toString();
}

export const keys: CommandSpec = {
  name: 'keys',
  syntax: 'KEYS pattern',
  summary: 'Returns all key names that match a pattern.',
  group: 'generic',
  since: '1.0.0',
  arity: 2,
  flags: ['readonly'],
  keys: [0, 0, 0],
  run: (argv, ctx) => bulkArray(ctx.store.keys(argv[1])),
};

/**
 * SCAN (scanGenericCommand). The cursor is checked first, then options left to right. TYPE keeps the keys of
 * that type name (any case); an unknown type name matches none and is not an error (Redis keeps that for 8.0).
 */
export const scan: CommandSpec = {
  name: 'scan',
  syntax: 'SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]',
  summary: 'Iterates over the key names in the database.',
  group: 'generic',
  since: '2.8.0',
  arity: -2,
  flags: ['readonly'],
  keys: [0, 0, 0],
  run: (argv, ctx) => {
    const cursor = parseCursor(argv[1]);
    let count = DEFAULT_COUNT;
    let match: Buffer | undefined;
    let type: string | undefined;
    const options = new ArgCursor(argv, 2);
    while (options.hasNext()) {
      const option = options.next();
      if (isKeyword(option, 'COUNT') && options.hasNext()) {
        const n = toBigInt(options.next());
        if (n < 1n) throw new CommandError(ERR.syntax);
        count = Number(n > MAX_COUNT ? MAX_COUNT : n);
      } else if (isKeyword(option, 'MATCH') && options.hasNext()) {
        const pattern = options.next();
        // "*" matches everything: skip matching, as Redis does.
        match = pattern.length === 1 && pattern[0] === 0x2a ? undefined : pattern;
      } else if (isKeyword(option, 'TYPE') && options.hasNext()) {
        type = options.next().toString('latin1');
      } else {
        throw new CommandError(ERR.syntax);
      }
    }
    const result = ctx.store.scan(cursor, count, match, type);
    return array([bulkString(result.cursor), bulkArray(result.keys)]);
  },
};

export const scanCommands: readonly CommandSpec[] = [keys, scan];
