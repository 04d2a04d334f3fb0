// glibc printf "%.<places>Lf" of a long double: the exact decimal expansion of the binary value, rounded to
// `places` fraction digits (ties to even, as glibc rounds in the default rounding mode), never an exponent;
// "-" on every negative value, zero and values that round to zero included. Infinities print "inf"/"-inf".
// Knows nothing of Redis's trimming on top of it (util.c ld2string: see redis-text.ts).

import type { LongDouble } from './value.js';

export function formatFixed(value: LongDouble, places: number): string {
  if (value.kind === 'nan') return 'nan';
  const sign = value.negative ? '-' : '';
  if (value.kind === 'infinity') return `${sign}inf`;
  const fraction = places > 0 ? '.' : '';
  if (value.exponent >= 0) {
    const integer = value.significand << BigInt(value.exponent);
    return `${sign}${integer}${fraction}${'0'.repeat(places)}`;
  }
  // significand * 10^places / 2^-exponent, rounded to an integer: the digits without their point.
  const shift = BigInt(-value.exponent);
  const scaled = value.significand * 10n ** BigInt(places);
  let digits = scaled >> shift;
  const dropped = scaled - (digits << shift);
  const half = 1n << (shift - 1n);
  if (dropped > half || (dropped === half && (digits & 1n) === 1n)) digits += 1n;
  const text = digits.toString().padStart(places + 1, '0');
  const point = text.length - places;
  return `${sign}${text.slice(0, point)}${fraction}${text.slice(point)}`;
}
