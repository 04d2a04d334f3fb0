// The timeout argument of the blocking commands, as Redis 7.0's getTimeoutFromObjectOrReply reads it in seconds:
// a long double (strtold: decimals, exponents, hex floats; no spaces, no NaN), times 1000, rounded up to whole
// milliseconds (so 0.0001 waits 1 ms rather than forever), then converted to a long long: a value past its range
// becomes LLONG_MIN on this hardware, hence "timeout is negative" for 1e30 and inf, as redis-server answers.
// 0 (and anything in (-0.001, 0]) blocks forever. Pure.

import { toLongDouble } from '../args.js';
import { CommandError } from '../errors.js';

export const TIMEOUT_NOT_FLOAT = 'ERR timeout is not a float or out of range';
export const TIMEOUT_NEGATIVE = 'ERR timeout is negative';

const LLONG_LIMIT = 2n ** 63n;

/** The timeout in milliseconds (0: forever), or Redis's error for a bad one. */
export function parseTimeout(argument: Uint8Array): number {
  const value = toLongDouble(argument, TIMEOUT_NOT_FLOAT);
  if (value.kind !== 'finite') throw new CommandError(TIMEOUT_NEGATIVE); // inf converts to LLONG_MIN
  // Exactly, in integers: value = significand * 2^exponent (a double would round 9223372036854775 s up to 2^63 ms).
  if (value.exponent > 64) throw new CommandError(TIMEOUT_NEGATIVE);
  const scaled = value.significand * 1000n;
  let ms: bigint;
  if (value.exponent >= 0) ms = scaled << BigInt(value.exponent);
  else {
    const shift = BigInt(-value.exponent);
    ms = scaled >> shift;
    // Toward +infinity: up for a positive fraction, and a negative one truncates toward zero.
    if (!value.negative && ms << shift !== scaled) ms += 1n;
  }
  if (ms >= LLONG_LIMIT) throw new CommandError(TIMEOUT_NEGATIVE);
  if (value.negative && ms !== 0n) throw new CommandError(TIMEOUT_NEGATIVE);
  return Number(ms); // -0 and (-0.001, 0] are 0: forever
}
