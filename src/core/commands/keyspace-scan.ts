// Key enumeration: KEYS (all at once) and SCAN (a cursor the store defines, Redis's guarantees). The cursor
// and options are read as Redis's db.c does (scan-args.ts); the store walks its own table and matches the
// glob, so nothing here knows the table's layout or what a cursor encodes.

import type { CommandSpec } from '../command.js';
import { array, bulkArray, bulkString } from '../reply.js';
import { parseCursor, parseScanOptions } from './scan-args.js';

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
    const { count, match, type } = parseScanOptions(argv, 2, true);
    const result = ctx.store.scan(cursor, count, match, type);
    return array([bulkString(result.cursor), bulkArray(result.keys)]);
  },
};

export const scanCommands: readonly CommandSpec[] = [keys, scan];
