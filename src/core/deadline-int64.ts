// A deadline (absolute Unix milliseconds: a key's expiry, a stream entry's delivery time) as the int64 Redis
// keeps it. The store holds deadlines as doubles, exact up to 2^53 ms (the year 287,396); past that a double
// rounds, and the largest deadline Redis takes, 2^63 - 1 (SET ... PXAT 9223372036854775807), rounds up to 2^63,
// one past int64. Whatever prints or saves a deadline goes through here so it never leaves int64: the RDB and
// the AOF rewrite load back, and 2^63 - 1 prints as Redis prints it. Knows nothing of the store.

const INT64_MAX = 2n ** 63n - 1n;

/** `at` (an integer number of ms) as an int64: at most 2^63 - 1. */
export function deadlineInt64(at: number): bigint {
  const exact = BigInt(Math.trunc(at));
  return exact > INT64_MAX ? INT64_MAX : exact;
}

/** What is left until `at` from `now` (ms), exactly as int64s subtract, never below 0. */
export function timeLeftInt64(at: number, now: number): bigint {
  const left = deadlineInt64(at) - BigInt(Math.trunc(now));
  return left < 0n ? 0n : left;
}
