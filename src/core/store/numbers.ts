// Number <-> stored-string conversions for INCRBY and INCRBYFLOAT, with Redis's rules (t_string.c, util.c).
// Pure functions over bytes; the store calls them while it holds the key's lock.

import { parseInt64 } from '../args.js';
import { CommandError, ERR } from '../errors.js';
import { addLongDouble } from '../long-double/add.js';
import { ld2stringHuman, string2ld } from '../long-double/redis-text.js';
import type { LongDouble } from '../long-double/value.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The stored value as an int64 (Redis's string2ll rules), or ERR.notInteger. */
export function storedInteger(value: Uint8Array): bigint {
  const v = value.length <= 20 ? parseInt64(value) : null;
  if (v === null) throw new CommandError(ERR.notInteger);
  return v;
}

/** current + delta, or ERR.overflow outside int64. */
export function addInt64(current: bigint, delta: bigint): bigint {
  const result = current + delta;
  if (result < INT64_MIN || result > INT64_MAX) throw new CommandError(ERR.overflow);
  return result;
}

/** The stored value as INCRBYFLOAT reads it (object.c getLongDoubleFromObject: util.c string2ld), or ERR.notFloat. */
export function storedLongDouble(value: Uint8Array): LongDouble {
  const v = string2ld(value);
  if (v === null) throw new CommandError(ERR.notFloat);
  return v;
}

/** current + delta as INCRBYFLOAT stores it (x87 addition, then ld2string LD_STR_HUMAN), or ERR.nanOrInfinity. */
export function addLongDoubleText(current: LongDouble, delta: LongDouble): string {
  const result = addLongDouble(current, delta);
  if (result.kind !== 'finite') throw new CommandError(ERR.nanOrInfinity);
  return ld2stringHuman(result);
}
