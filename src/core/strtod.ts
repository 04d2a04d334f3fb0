// C's strtod as glibc reads a double in the "C" locale, on bytes: leading white space, an optional sign, then a
// decimal number with an optional exponent, a hexadecimal float (0x1.8p3), "inf"/"infinity" or "nan", any case;
// the longest prefix that is a number is read and its end returned, as strtod's endptr. Decimal text is
// rounded once to the nearest double (JavaScript's Number() rounds correctly, as glibc does); the rarer forms are
// read by the long double reader (long-double/strtold.ts) and rounded to a double. Pure; knows no command.

import { strtold, isSpace } from './long-double/strtold.js';

export interface StrtodResult {
  readonly value: number;
  /** Index just past the number; the start index when there is none (value 0). */
  readonly end: number;
  /** errno ERANGE as Redis tests it: finite text overflowed to an infinity, or non-zero text rounded to 0. */
  readonly rangeError: boolean;
}

const DOT = 0x2e;
/** 10^0 .. 10^15, each exact in a double. */
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

export function strtod(text: Uint8Array, start = 0): StrtodResult {
  let i = start;
  while (i < text.length && isSpace(text[i])) i++;
  const numberStart = i;
  if (text[i] === 0x2b || text[i] === 0x2d) i++;
  const c = text[i] | 0x20;
  if (c === 0x69 /* i */ || c === 0x6e /* n */ || (text[i] === 0x30 && (text[i + 1] | 0x20) === 0x78)) {
    return viaLongDouble(text, start);
  }
  const negative = text[numberStart] === 0x2d;
  let digits = 0;
  let fraction = 0;
  let mantissa = 0; // the digits as an integer, exact while there are at most 15 of them
  let nonZero = false;
  while (isDigit(text[i])) {
    if (text[i] !== 0x30) nonZero = true;
    mantissa = mantissa * 10 + (text[i] - 0x30);
    i++;
    digits++;
  }
  if (text[i] === DOT) {
    i++;
    while (isDigit(text[i])) {
      if (text[i] !== 0x30) nonZero = true;
      mantissa = mantissa * 10 + (text[i] - 0x30);
      i++;
      digits++;
      fraction++;
    }
  }
  if (digits === 0) return { value: 0, end: start, rangeError: false };
  let exponent = false;
  if ((text[i] | 0x20) === 0x65 /* e */) {
    let j = i + 1;
    if (text[j] === 0x2b || text[j] === 0x2d) j++;
    if (isDigit(text[j])) {
      while (isDigit(text[j])) j++;
      i = j;
      exponent = true;
    }
  }
  if (!exponent && digits <= 15) {
    // Clinger's fast path: an integer below 2^53 divided by an exact power of ten is rounded once, correctly.
    const magnitude = fraction === 0 ? mantissa : mantissa / POWERS_OF_TEN[fraction];
    return { value: negative ? -magnitude : magnitude, end: i, rangeError: false };
  }
  const value = Number(
    Buffer.from(text.buffer, text.byteOffset + numberStart, i - numberStart).toString('latin1'),
  );
  const rangeError = !Number.isFinite(value) || (value === 0 && nonZero);
  return { value, end: i, rangeError };
}

/** Hexadecimal floats, infinities and NaN: read as a long double, then rounded to a double. */
function viaLongDouble(text: Uint8Array, start: number): StrtodResult {
  const { value, end } = strtold(text, start);
  if (value.kind === 'nan') return { value: NaN, end, rangeError: false };
  if (value.kind === 'infinity')
    return { value: value.negative ? -Infinity : Infinity, end, rangeError: false };
  const magnitude = Number(value.significand) * 2 ** value.exponent;
  const rounded = value.negative ? -magnitude : magnitude;
  const rangeError = !Number.isFinite(rounded) || (rounded === 0 && value.significand !== 0n);
  return { value: rounded, end, rangeError };
}
