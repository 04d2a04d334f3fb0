// Long double addition as the x87 FPU does it (`value += incr` in t_string.c incrbyfloatCommand): the exact
// sum rounded once to 64 significand bits, IEEE 754 rules for infinities, NaN and signed zeros.
// Knows nothing of text, commands or Redis.

import { infinity, NAN, roundLongDouble, zero, type LongDouble } from './value.js';

export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'infinity') return b.kind === 'infinity' && b.negative !== a.negative ? NAN : a;
  if (b.kind === 'infinity') return infinity(b.negative);
  if (a.significand === 0n && b.significand === 0n) return zero(a.negative && b.negative);
  // Both on the smaller exponent's grid: the sum is then an exact integer (at most ~32,800 bits).
  const exponent = Math.min(a.exponent, b.exponent);
  const sum = scaled(a, exponent) + scaled(b, exponent);
  // An exact zero sum of non-zero operands is +0 when rounding to nearest (IEEE 754 section 6.3).
  if (sum === 0n) return zero(false);
  return roundLongDouble(sum < 0n, sum < 0n ? -sum : sum, exponent);
}

function scaled(value: LongDouble & { kind: 'finite' }, exponent: number): bigint {
  const magnitude = value.significand << BigInt(value.exponent - exponent);
  return value.negative ? -magnitude : magnitude;
}
