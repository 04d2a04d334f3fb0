// The arguments SCAN, SSCAN, HSCAN and ZSCAN share, read once for all four as Redis 7.0 reads them: the cursor
// (db.c parseScanCursorOrReply) and the options after it (scanGenericCommand's "Step 1: Parse options"). What a
// cursor encodes and how a step walks a table are the store's; this file knows only the words.

import { ArgCursor, isKeyword, toBigInt } from '../args.js';
import { CommandError, ERR, cString } from '../errors.js';

const UINT64_MAX = 2n ** 64n - 1n;
const CURSOR_RE = /^\+?[0-9]+$/;

/**
 * COUNT is a hint, and Redis takes any positive long. Past this a step already covers any table this store
 * can hold (a step visits at most count * 10 buckets, a table has at most 2^32), so larger counts are read
 * as this one; it keeps the walks' arithmetic in small integers.
 */
export const MAX_SCAN_COUNT = 2 ** 31 - 1;
const DEFAULT_COUNT = 10;

/**
 * A cursor is an unsigned 64-bit decimal (parseScanCursorOrReply). Redis 7.0 used strtoul, which also took
 * a '-' (wrapped around) and the empty string (0); 7.2 parses with string2ull and rejects both, as we do.
 * Both read the argument as a C string, up to its first NUL byte ("0\0x" is cursor 0; "\0x" is empty).
 * Returned canonical (no sign, no leading zeros) for the store.
 */
export function parseCursor(b: Buffer): string {
  const text = cString(b);
  if (!CURSOR_RE.test(text)) throw new CommandError(ERR.invalidCursor);
  const value = BigInt(text);
  if (value > UINT64_MAX) throw new CommandError(ERR.invalidCursor);
  return value.toString();
}

export interface ScanOptions {
  /** COUNT (10 when absent), at most MAX_SCAN_COUNT. */
  readonly count: number;
  /** MATCH's pattern; undefined when absent or "*", which matches everything, so nothing is matched. */
  readonly match: Buffer | undefined;
  /** TYPE's name as given (SCAN only); undefined when absent. */
  readonly type: string | undefined;
}

/**
 * The options from argv[`from`] on, left to right; a repeated option's last value counts. Each option needs
 * its value (a trailing COUNT is a syntax error, as is anything else unknown); COUNT is a long, and below 1 a
 * syntax error; TYPE is an option of SCAN only (`withType`), a syntax error for the others.
 */
export function parseScanOptions(argv: Buffer[], from: number, withType: boolean): ScanOptions {
  let count = DEFAULT_COUNT;
  let match: Buffer | undefined;
  let type: string | undefined;
  const options = new ArgCursor(argv, from);
  while (options.hasNext()) {
    const option = options.next();
    if (!options.hasNext()) throw new CommandError(ERR.syntax);
    if (isKeyword(option, 'COUNT')) {
      const n = toBigInt(options.next());
      if (n < 1n) throw new CommandError(ERR.syntax);
      count = n > BigInt(MAX_SCAN_COUNT) ? MAX_SCAN_COUNT : Number(n);
    } else if (isKeyword(option, 'MATCH')) {
      const pattern = options.next();
      match = pattern.length === 1 && pattern[0] === 0x2a ? undefined : pattern;
    } else if (withType && isKeyword(option, 'TYPE')) {
      type = options.next().toString('latin1');
    } else {
      throw new CommandError(ERR.syntax);
    }
  }
  return { count, match, type };
}

/**
 * The same, for SSCAN and HSCAN, which look their key up before they read the options (a missing key answers
 * the empty scan whatever follows) but need COUNT for that look: a bad option is returned, to be thrown once
 * the key is known to exist.
 */
export function scanOptionsOrError(argv: Buffer[], from: number): ScanOptions | CommandError {
  try {
    return parseScanOptions(argv, from, false);
  } catch (error) {
    if (error instanceof CommandError) return error;
    throw error;
  }
}
