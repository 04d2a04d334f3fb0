// Redis 7.0's text form of a long double (util.c string2ld and ld2string with LD_STR_HUMAN): how INCRBYFLOAT
// (and HINCRBYFLOAT) read a stored value or an argument and write the result back. Built on strtold.ts and
// format.ts, which model glibc; the checks and the trimming here are Redis's own.
// Knows nothing of commands, replies or the store.

import { formatFixed } from './format.js';
import { isSpace, strtold } from './strtold.js';
import { isZero, type LongDouble } from './value.js';

/** Redis's buffer for a long double's text (MAX_LONG_DOUBLE_CHARS), its terminating NUL included. */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/**
 * string2ld: the whole of `text` as one number, or null. Refused: empty or 5120+ bytes, a leading white-space
 * byte, anything left after the number (an embedded NUL too: Redis compares strtold's end with the length),
 * NaN, and a finite input that overflowed to infinity or underflowed to zero (a subnormal result is kept).
 * "inf" and "-inf" are accepted as written.
 */
export function string2ld(text: Uint8Array): LongDouble | null {
  if (text.length === 0 || text.length >= MAX_LONG_DOUBLE_CHARS || isSpace(text[0])) return null;
  const { value, end, rangeError } = strtold(text);
  if (end !== text.length || value.kind === 'nan') return null;
  if (rangeError && (value.kind === 'infinity' || isZero(value))) return null;
  return value;
}

/**
 * ld2string(LD_STR_HUMAN): "%.17Lf", then the fraction's trailing zeros and a bare trailing '.' removed, and
 * "-0" written "0" ("1.5", "-0.25", "5000", "0.00000000000000001"); "inf" / "-inf" for infinities. Redis
 * returns an empty string when the text does not fit its buffer, which no finite long double reaches: the
 * longest, -LDBL_MAX, prints in 4,952 characters.
 */
export function ld2stringHuman(value: LongDouble): string {
  if (value.kind === 'infinity') return value.negative ? '-inf' : 'inf';
  let text = formatFixed(value, 17);
  if (text.length + 1 > MAX_LONG_DOUBLE_CHARS) return '';
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text === '-0' ? '0' : text;
}
