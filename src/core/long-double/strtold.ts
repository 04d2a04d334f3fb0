// glibc strtold in the "C" locale, on bytes: leading white space, an optional sign, then a decimal number
// with an optional exponent, a C99 hexadecimal float (0x1.8p3), "inf"/"infinity" or "nan"/"nan(chars)",
// any case; the longest prefix that fits is read and the rest left to the caller. Decimal and hexadecimal
// inputs of any length are rounded correctly (once, to nearest even), as glibc's strtold does.
// Knows nothing of Redis's own checks on top of it (util.c string2ld: see redis-text.ts).

import {
  bitLength,
  infinity,
  isZero,
  NAN,
  PRECISION,
  roundLongDouble,
  zero,
  type LongDouble,
} from './value.js';

export interface StrtoldResult {
  readonly value: LongDouble;
  /** Index just past the number read; the start index when no number was found (value +0). */
  readonly end: number;
  /** errno ERANGE as Redis tests it: a finite input overflowed to infinity, or a non-zero one rounded to zero. */
  readonly rangeError: boolean;
}

const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO_DIGIT = 0x30;
const OPEN = 0x28;
const CLOSE = 0x29;
const UNDERSCORE = 0x5f;

/** A decimal with this many digits before its point, or more, is at least 10^4933 > LDBL_MAX (~1.19e4932). */
const OVERFLOW_DIGITS = 4934;
/** One below 10^UNDERFLOW_DIGITS is under half the least subnormal (2^-16446, ~1.82e-4951): it rounds to 0. */
const UNDERFLOW_DIGITS = -4951;
/** Exponents beyond this decide nothing more (inputs are far shorter); stops a long exponent's growth. */
const EXPONENT_CAP = 1e15;

export function strtold(text: Uint8Array, start = 0): StrtoldResult {
  let i = start;
  while (i < text.length && isSpace(text[i])) i++;
  let negative = false;
  if (text[i] === PLUS || text[i] === MINUS) negative = text[i++] === MINUS;
  if (matchesWord(text, i, 'infinity')) return exact(infinity(negative), i + 8);
  if (matchesWord(text, i, 'inf')) return exact(infinity(negative), i + 3);
  if (matchesWord(text, i, 'nan')) return exact(NAN, nanEnd(text, i + 3));
  if (text[i] === ZERO_DIGIT && (text[i + 1] | 0x20) === 0x78 /* x */) {
    // "0x" must be followed by a hex digit (before or after the point); else only the "0" is read.
    const digitAt = text[i + 2] === DOT ? i + 3 : i + 2;
    if (hexDigit(text[digitAt]) >= 0) return hexadecimal(text, i + 2, negative);
    return exact(zero(negative), i + 1);
  }
  return decimal(text, i, negative) ?? exact(zero(false), start);
}

/** C isspace in the "C" locale: space, \t, \n, \v, \f, \r. */
export function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function exact(value: LongDouble, end: number): StrtoldResult {
  return { value, end, rangeError: false };
}

/** A rounded result; ERANGE when it overflowed or underflowed to zero (the input was not zero). */
function rounded(value: LongDouble, end: number): StrtoldResult {
  return { value, end, rangeError: value.kind === 'infinity' || isZero(value) };
}

function matchesWord(text: Uint8Array, at: number, word: string): boolean {
  if (at + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) if ((text[at + k] | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/** After "nan": an optional "(" [A-Za-z0-9_]* ")" is part of it; an unclosed one is not. */
function nanEnd(text: Uint8Array, at: number): number {
  if (text[at] !== OPEN) return at;
  let k = at + 1;
  while (k < text.length && (isDigit(text[k]) || isLetter(text[k]) || text[k] === UNDERSCORE)) k++;
  return text[k] === CLOSE ? k + 1 : at;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (isDigit(c)) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Reads digits, '.', digits from `at`; null when there is no digit at all. */
function mantissa(
  text: Uint8Array,
  at: number,
  isMantissaDigit: (c: number) => boolean,
): { digits: string; fractionDigits: number; end: number } | null {
  let k = at;
  while (k < text.length && isMantissaDigit(text[k])) k++;
  let fractionDigits = 0;
  let digits = latin1(text, at, k);
  if (text[k] === DOT) {
    const from = k + 1;
    k = from;
    while (k < text.length && isMantissaDigit(text[k])) k++;
    fractionDigits = k - from;
    digits += latin1(text, from, k);
  }
  return digits.length === 0 ? null : { digits, fractionDigits, end: k };
}

/** An exponent part at `at` ("e-12", "p+3"): consumed only when at least one digit follows. */
function exponentPart(text: Uint8Array, at: number, marker: number): { value: number; end: number } {
  if ((text[at] | 0x20) !== marker) return { value: 0, end: at };
  let k = at + 1;
  const negative = text[k] === MINUS;
  if (text[k] === PLUS || text[k] === MINUS) k++;
  if (!isDigit(text[k])) return { value: 0, end: at };
  let value = 0;
  for (; k < text.length && isDigit(text[k]); k++) {
    if (value < EXPONENT_CAP) value = value * 10 + (text[k] - ZERO_DIGIT);
  }
  return { value: negative ? -value : value, end: k };
}

function decimal(text: Uint8Array, at: number, negative: boolean): StrtoldResult | null {
  const m = mantissa(text, at, isDigit);
  if (m === null) return null;
  const e = exponentPart(text, m.end, 0x65 /* e */);
  const significant = m.digits.replace(/^0+/, '');
  if (significant.length === 0) return exact(zero(negative), e.end);
  // value = significant * 10^power, with 10^(digits - 1) <= significant < 10^digits.
  const power = e.value - m.fractionDigits;
  const digits = significant.length;
  if (digits + power >= OVERFLOW_DIGITS) return rounded(infinity(negative), e.end);
  if (digits + power <= UNDERFLOW_DIGITS) return rounded(zero(negative), e.end);
  const n = BigInt(significant);
  if (power >= 0) return rounded(roundLongDouble(negative, n * 10n ** BigInt(power), 0), e.end);
  // n / 10^-power = n / 5^-power * 2^power: a quotient of PRECISION + 2 bits or more, the remainder as sticky.
  const divisor = 5n ** BigInt(-power);
  const scale = Math.max(0, PRECISION + 2 + bitLength(divisor) - bitLength(n));
  const dividend = n << BigInt(scale);
  const quotient = dividend / divisor;
  const sticky = quotient * divisor !== dividend;
  return rounded(roundLongDouble(negative, quotient, power - scale, sticky), e.end);
}

function hexadecimal(text: Uint8Array, at: number, negative: boolean): StrtoldResult {
  const m = mantissa(text, at, (c) => hexDigit(c) >= 0) as NonNullable<ReturnType<typeof mantissa>>;
  const e = exponentPart(text, m.end, 0x70 /* p */);
  const n = BigInt(`0x${m.digits}`);
  if (n === 0n) return exact(zero(negative), e.end);
  return rounded(roundLongDouble(negative, n, e.value - 4 * m.fractionDigits), e.end);
}

function latin1(text: Uint8Array, from: number, to: number): string {
  return Buffer.from(text.buffer, text.byteOffset + from, to - from).toString('latin1');
}
