// The option grammar SET and GETEX share (NX XX GET KEEPTTL PERSIST EX PX EXAT PXAT), and the conversion of an
// expire argument to an absolute time in ms. Both follow Redis 7's t_string.c (parseExtendedStringArgumentsOrReply
// and getExpireMillisecondsOrReply) so option conflicts and bad times get Redis's exact replies.
// Knows nothing of the store: it turns argv into plain values, or throws CommandError.

import type { KeyValueStore } from '../store/types.js';
import { isKeyword, toBigInt } from '../args.js';
import { CommandError, ERR } from '../errors.js';

export type ExpireUnit = 'EX' | 'PX' | 'EXAT' | 'PXAT';

const EXPIRE_UNITS: readonly ExpireUnit[] = ['EX', 'PX', 'EXAT', 'PXAT'];
const INT64_MAX = 2n ** 63n - 1n;

export interface ExtendedOptions {
  /** NX or XX: SET writes only if the key is missing / present. */
  condition: 'NX' | 'XX' | undefined;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  /** The raw time argument: it is validated later, because GETEX on a missing key never looks at it. */
  expire: { readonly unit: ExpireUnit; readonly value: Buffer } | undefined;
}

/**
 * Parses SET's options (from argv[3]) or GETEX's (from argv[2]). As in Redis, repeating an option is allowed
 * (a repeated EX keeps the last time), while conflicting ones (NX with XX, two different expire units, an
 * expire unit with KEEPTTL or PERSIST) and options of the other command are `ERR syntax error`; an expire
 * option with no argument after it is a syntax error too.
 */
export function parseExtendedOptions(argv: readonly Buffer[], command: 'set' | 'getex'): ExtendedOptions {
  const isSet = command === 'set';
  const options: ExtendedOptions = {
    condition: undefined,
    get: false,
    keepTtl: false,
    persist: false,
    expire: undefined,
  };
  for (let j = isSet ? 3 : 2; j < argv.length; j++) {
    const opt = argv[j];
    const unit = options.expire?.unit;
    if (isSet && isKeyword(opt, 'NX') && options.condition !== 'XX') {
      options.condition = 'NX';
    } else if (isSet && isKeyword(opt, 'XX') && options.condition !== 'NX') {
      options.condition = 'XX';
    } else if (isSet && isKeyword(opt, 'GET')) {
      options.get = true;
    } else if (isSet && isKeyword(opt, 'KEEPTTL') && unit === undefined) {
      options.keepTtl = true;
    } else if (!isSet && isKeyword(opt, 'PERSIST') && unit === undefined) {
      options.persist = true;
    } else {
      const next = EXPIRE_UNITS.find((u) => isKeyword(opt, u));
      const allowed =
        next !== undefined &&
        j + 1 < argv.length &&
        !options.keepTtl &&
        !options.persist &&
        (unit === undefined || unit === next);
      if (!allowed) throw new CommandError(ERR.syntax);
      options.expire = { unit: next, value: argv[++j] };
    }
  }
  return options;
}

/**
 * The absolute expiry time in ms for an EX/PX (relative to `now`) or EXAT/PXAT argument. A non-integer is
 * `ERR value is not an integer or out of range`; zero, a negative time, or one whose conversion to ms would
 * overflow int64 is `ERR invalid expire time in '<command>' command`. An absolute time in the past is valid.
 */
export function expireAtFromArgument(value: Buffer, unit: ExpireUnit, now: number, command: string): number {
  let ms = toBigInt(value);
  const inSeconds = unit === 'EX' || unit === 'EXAT';
  if (ms <= 0n || (inSeconds && ms > INT64_MAX / 1000n)) throw new CommandError(ERR.invalidExpire(command));
  if (inSeconds) ms *= 1000n;
  if (unit === 'EX' || unit === 'PX') ms += BigInt(now);
  // Redis detects the signed wrap-around of `ms + now` as a result <= 0; here the sum is exact, so compare.
  if (ms > INT64_MAX) throw new CommandError(ERR.invalidExpire(command));
  return Number(ms);
}

/**
 * Where Redis checks a key's type before it reads an argument (INCRBYFLOAT's increment, GETEX's time, LCS's
 * options) and this server reads the argument first: an argument error becomes WRONGTYPE when the key holds
 * a container, as Redis would have answered.
 */
export function wrongTypeFirst(store: KeyValueStore, key: Uint8Array, error: unknown): unknown {
  const type = store.type(key);
  return type !== 'none' && type !== 'string' ? new CommandError(ERR.wrongType) : error;
}
