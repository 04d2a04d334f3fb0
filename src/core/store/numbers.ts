// Number <-> stored-string conversions for INCRBY and INCRBYFLOAT, with Redis's rules (t_string.c, util.c).
// Pure functions over bytes; the store calls them while it holds the key's lock.

import { parseInt64, toFloat } from '../args.js';
import { CommandError, ERR } from '../errors.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Redis refuses to parse a stored float longer than this (MAX_LONG_DOUBLE_CHARS). */
const MAX_FLOAT_CHARS = 5 * 1024;

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

/** The stored value as a float, or ERR.notFloat. */
export function storedFloat(value: Uint8Array): number {
  if (value.length > MAX_FLOAT_CHARS) throw new CommandError(ERR.notFloat);
  return toFloat(value, ERR.notFloat);
}

/**
 * Formats an INCRBYFLOAT result as Redis stores it (util.c ld2string, LD_STR_HUMAN: "%.17Lf", then trailing
 * zeros and a trailing '.' trimmed, "-0" -> "0"). Redis computes in 80-bit long double, where 10.5 + 0.1 prints
 * as "10.6"; a JS double prints "10.59999999999999964" with %.17f. So we start from the shortest decimal that
 * round-trips the double (what the user typed, for ordinary inputs), write it without an exponent and round it
 * to 17 decimals as %.17f would: same text as Redis for every human-sized number.
 */
export function formatIncrFloat(value: number): string {
  if (value === 0) return '0';
  const negative = value < 0;
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const pointAt = 1 + Number(exponentText); // position of the decimal point within `digits`
  let intPart: string;
  let fraction: string;
  if (pointAt <= 0) {
    intPart = '0';
    fraction = '0'.repeat(-pointAt) + digits;
  } else if (pointAt >= digits.length) {
    intPart = digits + '0'.repeat(pointAt - digits.length);
    fraction = '';
  } else {
    intPart = digits.slice(0, pointAt);
    fraction = digits.slice(pointAt);
  }
  if (fraction.length > 17) [intPart, fraction] = roundFraction(intPart, fraction, 17);
  fraction = fraction.replace(/0+$/, '');
  const text = fraction.length > 0 ? `${intPart}.${fraction}` : intPart;
  return negative && text !== '0' ? `-${text}` : text;
}

/** Rounds a decimal at `places` fraction digits, half up (ties cannot occur: the digits are shortest). */
function roundFraction(intPart: string, fraction: string, places: number): [string, string] {
  const roundUp = fraction.charCodeAt(places) >= 0x35; /* '5' */
  const kept = intPart + fraction.slice(0, places);
  if (!roundUp) return [intPart, fraction.slice(0, places)];
  const incremented = (BigInt(kept) + 1n).toString().padStart(kept.length, '0');
  const split = incremented.length - places;
  return [incremented.slice(0, split), incremented.slice(split)];
}
