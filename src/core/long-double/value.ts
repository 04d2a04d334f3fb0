// C's `long double` as Redis 7.0 computes with it on x86-64 Linux: the x87 80-bit extended format (sign,
// 64-bit significand with an explicit integer bit, 15-bit exponent, gradual underflow), and the one rounding
// step every operation ends with (round to nearest, ties to even). Exact arithmetic on BigInt.
// Knows nothing of text, commands or Redis.

/**
 * A finite value is (-1)^negative * significand * 2^exponent, kept canonical: zero has significand 0 and
 * exponent 0; a normal value has 2^63 <= significand < 2^64; a subnormal one has 0 < significand < 2^63 and
 * exponent MIN_EXPONENT. A NaN's sign is not modelled (no caller prints or tests it).
 */
export type LongDouble =
  | {
      readonly kind: 'finite';
      readonly negative: boolean;
      readonly significand: bigint;
      readonly exponent: number;
    }
  | { readonly kind: 'infinity'; readonly negative: boolean }
  | { readonly kind: 'nan' };

/** Significand bits, integer bit included (LDBL_MANT_DIG). */
export const PRECISION = 64;
/** Exponent of a subnormal's last bit: 2^-16445 is the least positive value (LDBL_TRUE_MIN). */
export const MIN_EXPONENT = -16445;
/** Exponent of the largest value's last bit: (2^64 - 1) * 2^16320 is LDBL_MAX, just under 2^16384. */
export const MAX_EXPONENT = 16320;

const TOP_BIT = 1n << BigInt(PRECISION - 1);
const CARRY = 1n << BigInt(PRECISION);

export const ZERO: LongDouble = zero(false);
export const NAN: LongDouble = { kind: 'nan' };

export function zero(negative: boolean): LongDouble {
  return { kind: 'finite', negative, significand: 0n, exponent: 0 };
}

export function infinity(negative: boolean): LongDouble {
  return { kind: 'infinity', negative };
}

export function isZero(value: LongDouble): boolean {
  return value.kind === 'finite' && value.significand === 0n;
}

/** Number of bits of a positive BigInt (0 for 0). */
export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/**
 * The long double nearest to (-1)^negative * (magnitude + ε) * 2^exponent, ties to even, where ε is 0 when
 * `sticky` is false and strictly between 0 and 1 when it is true (a division's non-zero remainder).
 * Overflows to infinity; underflows gradually, then to a zero of the same sign.
 * Precondition: when `sticky`, magnitude has at least PRECISION + 2 bits, so ε lies below the rounding bit.
 */
export function roundLongDouble(
  negative: boolean,
  magnitude: bigint,
  exponent: number,
  sticky = false,
): LongDouble {
  if (magnitude === 0n) return zero(negative);
  const top = exponent + bitLength(magnitude) - 1; // the value lies in [2^top, 2^(top+1))
  if (top > MAX_EXPONENT + PRECISION - 1) return infinity(negative);
  if (top < MIN_EXPONENT - 1) return zero(negative); // below half the least subnormal
  const quantum = Math.max(top - (PRECISION - 1), MIN_EXPONENT); // exponent of the result's last bit
  const shift = quantum - exponent;
  if (shift <= 0) return finite(negative, magnitude << BigInt(-shift), quantum); // exact
  const s = BigInt(shift);
  let significand = magnitude >> s;
  const dropped = magnitude - (significand << s);
  const half = 1n << (s - 1n);
  if (dropped > half || (dropped === half && (sticky || (significand & 1n) === 1n))) significand += 1n;
  let resultExponent = quantum;
  if (significand === CARRY) {
    significand = TOP_BIT;
    resultExponent += 1;
  }
  if (resultExponent > MAX_EXPONENT) return infinity(negative);
  if (significand === 0n) return zero(negative);
  return finite(negative, significand, resultExponent);
}

function finite(negative: boolean, significand: bigint, exponent: number): LongDouble {
  return { kind: 'finite', negative, significand, exponent };
}
