// Command errors: a failure the client caused and is told about with an error reply; the connection stays.
// The message is the whole Redis error line without the leading '-' (code first: "ERR ...", "WRONGTYPE ...").
// Clients and the Redis test suite match on these strings, so they are copied from Redis 7 verbatim.

export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

/** Redis 7's exact error lines, shared by every command so a typo cannot drift between two copies. */
export const ERR = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
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
} as const;
