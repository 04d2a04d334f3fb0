// Command errors: a failure the client caused and is told about with an error reply; the connection stays.
// The message is the whole Redis error line without the leading '-' (code first: "ERR ...", "WRONGTYPE ...").
// Clients and the Redis test suite match on these strings, so they are copied from Redis 7 verbatim.

export class CommandError extends Error {
  /**
   * Redis's error code: the message's first word ("ERR", "WRONGTYPE", "OOM", ...), the part clients and INFO
   * errorstats key on. Code that must tell one failure from another compares this, never the message text.
   */
  readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
    this.code = errorCode(message);
  }
}

/**
 * WRONGTYPE met by a read lookup in a loop over several keys (SUNION, ZUNION, PFCOUNT, ...): Redis's loop looked
 * up, and counted as keyspace hits or misses, every key before the refused one, which the executor counts with
 * it (wrong-type-lookups.ts), whichever the command. `found[i]` says whether `keys[i]` existed; the refused key is not among them.
 */
export class WrongTypeError extends CommandError {
  constructor(
    readonly keys: readonly Uint8Array[],
    readonly found: readonly boolean[],
    message: string = ERR.wrongType,
  ) {
    super(message);
  }
}

/** The code of a Redis error line: its first word, as Redis's afterErrorReply takes it (up to the first space). */
export function errorCode(message: string): string {
  const space = message.indexOf(' ');
  return space === -1 ? message : message.slice(0, space);
}

/**
 * An argument as C's "%s" prints it into one of Redis's error lines (addReplyErrorFormat formats with
 * vsnprintf): its bytes up to the first NUL, one character per byte. `max` is a "%.Ns" precision.
 */
export function cString(arg: Uint8Array, max = Infinity): string {
  const nul = arg.indexOf(0);
  const end = Math.min(nul === -1 ? arg.length : nul, max);
  return Buffer.from(arg.buffer, arg.byteOffset, end).toString('latin1');
}

/** Redis 7's exact error lines, shared by every command so a typo cannot drift between two copies. */
export const ERR = {
  syntax: 'ERR syntax error',
  /** server.c shared.loadingerr: a command refused while the dataset loads at start-up. */
  loading: 'LOADING Redis is loading the dataset in memory',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  /** DECRBY of int64 min: negating it would overflow before the addition is even tried (t_string.c). */
  decrementOverflow: 'ERR decrement would overflow',
  nanOrInfinity: 'ERR increment would produce NaN or Infinity',
  noSuchKey: 'ERR no such key',
  invalidExpire: (command: string) => `ERR invalid expire time in '${command}' command`,
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  offsetOutOfRange: 'ERR offset is out of range',
  dbIndexOutOfRange: 'ERR DB index is out of range',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  noProto: 'NOPROTO unsupported protocol version',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  maxClients: 'ERR max number of clients reached',
  wrongArity: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  clientName: 'ERR Client names cannot contain spaces, newlines or special characters.',
  // Keyspace commands (db.c / expire.c).
  invalidCursor: 'ERR invalid cursor',
  sameObject: 'ERR source and destination objects are the same',
  expireNxConflict: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  expireGtLtConflict: 'ERR GT and LT options at the same time are not compatible',
  unsupportedOption: (option: string) => `ERR Unsupported option ${option}`,
  /** getRangeLongFromObjectOrReply with no custom message (e.g. an int argument outside INT_MIN..INT_MAX). */
  outOfRange: (min: number, max: number) => `ERR value is out of range, value must between ${min} and ${max}`,
  // The store (src/core/store): its arena reached its maximum size (Redis's reply when maxmemory is hit).
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
} as const;
