// Argument parsing shared by every command: Redis's strict number grammar and a cursor over argv.
// Integers follow Redis's string2ll (optional '-', no '+', no leading zeros, no spaces, int64 range);
// floats are long doubles read as its string2ld does (long-double/redis-text.ts). Failures throw CommandError
// with Redis's message.

import { CommandError, ERR } from './errors.js';
import { string2ld } from './long-double/redis-text.js';
import type { LongDouble } from './long-double/value.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True if the bytes are a canonical int64 as Redis's string2ll accepts it. */
function isCanonicalInteger(b: Uint8Array): boolean {
  const n = b.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (b[0] === 0x2d /* - */) {
    if (n === 1) return false;
    i = 1;
  }
  if (b[i] === 0x30 /* 0 */) return n === 1; // "0" alone; "-0" and "01" are rejected as Redis does
  for (; i < n; i++) if (b[i] < 0x30 || b[i] > 0x39) return false;
  return true;
}

/** Parses an int64 exactly as Redis does, or returns null. */
export function parseInt64(b: Uint8Array): bigint | null {
  if (!isCanonicalInteger(b)) return null;
  const v = BigInt(Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1'));
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** An int64 argument; throws ERR.notInteger (or the given message). */
export function toBigInt(b: Uint8Array, message: string = ERR.notInteger): bigint {
  const v = parseInt64(b);
  if (v === null) throw new CommandError(message);
  return v;
}

/** An integer argument that must fit a JavaScript safe integer (offsets, counts, lengths). */
export function toInteger(b: Uint8Array, message: string = ERR.notInteger): number {
  // Fast path for the common short case avoids a BigInt allocation.
  if (b.length <= 15 && isCanonicalInteger(b)) {
    let v = 0;
    const neg = b[0] === 0x2d;
    for (let i = neg ? 1 : 0; i < b.length; i++) v = v * 10 + (b[i] - 0x30);
    return neg ? -v : v;
  }
  const v = toBigInt(b, message);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new CommandError(message);
  }
  return Number(v);
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * An int argument as Redis's getIntFromObjectOrReply: an int64 first, then INT_MIN..INT_MAX or a range error.
 * With a message (SWAPDB's "invalid first DB index"), that message is both errors, as Redis's msg argument.
 */
export function toInt32(b: Uint8Array, message?: string): number {
  const v = toBigInt(b, message ?? ERR.notInteger);
  if (v < INT32_MIN || v > INT32_MAX) throw new CommandError(message ?? ERR.outOfRange(INT32_MIN, INT32_MAX));
  return Number(v);
}

/** A float argument as Redis's getLongDoubleFromObjectOrReply: util.c string2ld (strtold, no spaces, no NaN). */
export function toLongDouble(b: Uint8Array, message: string = ERR.notFloat): LongDouble {
  const value = string2ld(b);
  if (value === null) throw new CommandError(message);
  return value;
}

/** Case-insensitive comparison of an argument with an ASCII keyword (keyword given in upper case). */
export function isKeyword(b: Uint8Array, upper: string): boolean {
  if (b.length !== upper.length) return false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] >= 0x61 && b[i] <= 0x7a ? b[i] - 0x20 : b[i];
    if (c !== upper.charCodeAt(i)) return false;
  }
  return true;
}

/** A cursor over argv, the one way commands read their arguments: next(), nextWord(), nextInteger(), finish(), ... */
export class ArgCursor {
  private index: number;

  constructor(
    private readonly argv: readonly Buffer[],
    start = 1,
  ) {
    this.index = start;
  }

  get remaining(): number {
    return this.argv.length - this.index;
  }

  hasNext(): boolean {
    return this.index < this.argv.length;
  }

  /** The next argument; a missing one is a syntax error. */
  next(): Buffer {
    if (this.index >= this.argv.length) throw new CommandError(ERR.syntax);
    return this.argv[this.index++];
  }

  /** The next argument as an upper-case ASCII word, for option matching. */
  nextWord(): string {
    return this.next().toString('latin1').toUpperCase();
  }

  nextInteger(message?: string): number {
    return toInteger(this.next(), message);
  }

  nextBigInt(message?: string): bigint {
    return toBigInt(this.next(), message);
  }

  /** Throws ERR.syntax if arguments are left over. */
  finish(): void {
    if (this.index < this.argv.length) throw new CommandError(ERR.syntax);
  }
}
