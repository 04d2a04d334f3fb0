// The sorting itself of SORT (Redis 7.0's sort.c): which key a BY/GET pattern names for an element
// (lookupKeyByPattern), LIMIT's clamping to the vector, an element's numeric weight (strtod, as Redis reads
// it), and the comparison (sortCompare). Pure: no store, no locks. ALPHA compares bytes: Redis uses strcoll,
// which in the C locale is strcmp (it stops at a NUL); with STORE, Redis compares whole strings as memcmp.

import { strtod } from '../strtod.js';

const STAR = 0x2a;
const HASH = 0x23;

/** What a pattern names for one element: the element itself (`#`), a string key, a hash key's field, or nothing. */
export type PatternTarget =
  | { readonly kind: 'self' }
  | { readonly kind: 'key'; readonly key: Buffer }
  | { readonly kind: 'field'; readonly key: Buffer; readonly field: Buffer }
  | null;

/** The length of `b` as a C string (up to its first NUL). */
function cLength(b: Uint8Array): number {
  const nul = b.indexOf(0);
  return nul === -1 ? b.length : nul;
}

/**
 * lookupKeyByPattern's naming: "#" is the element; otherwise the first `*` is replaced by the element, and a
 * "->" after it (with something after the arrow) splits off a hash field. No `*`: nothing (a fixed key would
 * give every element the same value). The searches stop at a NUL, as C's strchr/strstr do.
 */
export function patternTarget(pattern: Buffer, element: Buffer): PatternTarget {
  if (pattern[0] === HASH && (pattern.length === 1 || pattern[1] === 0)) return { kind: 'self' };
  const end = cLength(pattern);
  const star = pattern.subarray(0, end).indexOf(STAR);
  if (star === -1) return null;
  let arrow = -1;
  for (let i = star + 1; i + 1 < end; i++) {
    if (pattern[i] === 0x2d && pattern[i + 1] === 0x3e) {
      arrow = i;
      break;
    }
  }
  const hasField = arrow !== -1 && arrow + 2 < end;
  const fieldLength = hasField ? pattern.length - arrow - 2 : 0;
  const postfixLength = pattern.length - star - 1 - (hasField ? fieldLength + 2 : 0);
  const key = Buffer.concat([
    pattern.subarray(0, star),
    element,
    pattern.subarray(star + 1, star + 1 + postfixLength),
  ]);
  return hasField ? { kind: 'field', key, field: pattern.subarray(arrow + 2) } : { kind: 'key', key };
}

/**
 * LIMIT against a vector of `length` elements: the first and last index output (last < first: none), as
 * sortCommandGeneric clamps them.
 */
export function limitRange(length: number, offset: number, count: number): { start: number; end: number } {
  let start = Math.min(Math.max(offset, 0), length);
  const clampedCount = Math.min(Math.max(count, -1), length);
  let end = clampedCount < 0 ? length - 1 : start + clampedCount - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;
  return { start, end };
}

/**
 * A weight read as Redis reads it for a numeric sort: strtod over the bytes, which must all be read (or end at
 * a NUL, where C's string ends), without overflow or underflow, and not NaN. Null: "can't be converted".
 */
export function numericWeight(text: Uint8Array): number | null {
  const { value, end, rangeError } = strtod(text);
  if ((end !== text.length && text[end] !== 0) || rangeError || Number.isNaN(value)) return null;
  return value;
}

/** memcmp over the common length, then the shorter first: compareStringObjects. */
export function compareBinary(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** strcmp (strcoll in the C locale): the bytes up to each one's first NUL. */
export function compareCString(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a.subarray(0, cLength(a)), b.subarray(0, cLength(b)));
}

/** One element to sort: the element, its score (numeric) or comparison object (ALPHA with BY; null: missing). */
export interface SortItem {
  readonly element: Buffer;
  score: number;
  cmp: Buffer | null;
}

export interface CompareOptions {
  readonly desc: boolean;
  readonly alpha: boolean;
  /** Sorting by a BY pattern's values (ALPHA compares those, a missing one first). */
  readonly byPattern: boolean;
  /** STORE: ALPHA compares as memcmp rather than strcoll. */
  readonly store: boolean;
}

/** sortCompare: numeric by score (ties by the elements' bytes), or ALPHA; DESC reverses. */
export function sortComparator(options: CompareOptions): (x: SortItem, y: SortItem) => number {
  const text = options.store ? compareBinary : compareCString;
  const sign = options.desc ? -1 : 1;
  if (!options.alpha) {
    return (x, y) =>
      sign * (x.score > y.score ? 1 : x.score < y.score ? -1 : compareBinary(x.element, y.element));
  }
  if (options.byPattern) {
    return (x, y) => {
      if (x.cmp === null || y.cmp === null) return sign * (x.cmp === y.cmp ? 0 : x.cmp === null ? -1 : 1);
      return sign * text(x.cmp, y.cmp);
    };
  }
  return (x, y) => sign * text(x.element, y.element);
}
