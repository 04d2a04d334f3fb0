// Protocol-neutral reply values. Commands return these; the session encodes each one exactly once, as RESP2,
// RESP3 or a plaintext line (see reply-encoding.ts), in the protocol its client speaks. The kinds are Redis 7's
// networking.c addReply* families, so a command says what Redis says (a map, a double) and the encoder writes it
// as Redis writes that for each protocol. Nothing here knows about sockets or about which protocol a client speaks.

export type Reply =
  | { readonly kind: 'status'; readonly value: string }
  /**
   * `counted`: already counted in errorstats by the command that first replied it (a script returning the error
   * a redis.call got: Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE).
   */
  | { readonly kind: 'error'; readonly value: string; readonly counted?: true }
  | { readonly kind: 'integer'; readonly value: number | bigint }
  | { readonly kind: 'bulk'; readonly value: Uint8Array }
  /** addReplyNull: RESP2 null bulk, RESP3 null. */
  | { readonly kind: 'nil'; readonly value: null }
  | { readonly kind: 'array'; readonly value: readonly Reply[] }
  /** addReplyNullArray: RESP2 null array, RESP3 null. */
  | { readonly kind: 'nilArray'; readonly value: null }
  /** addReplyMapLen: RESP3 map; RESP2 flattens it to [key, value, key, value, ...]. */
  | { readonly kind: 'map'; readonly value: readonly (readonly [Reply, Reply])[] }
  /** addReplySetLen: RESP3 set; RESP2 array. */
  | { readonly kind: 'set'; readonly value: readonly Reply[] }
  /**
   * addReplyDouble: RESP3 double; RESP2 bulk string of its %.17g text. With `text`, that text in its place
   * (addReplyHumanLongDouble writes GEOPOS's coordinates as "%.17Lf" trimmed, in both protocols).
   */
  | { readonly kind: 'double'; readonly value: number; readonly text?: string }
  /** addReplyBool: RESP3 boolean; RESP2 integer 1 or 0. */
  | { readonly kind: 'boolean'; readonly value: boolean }
  /** addReplyBigNum: RESP3 big number; RESP2 bulk string of its digits. */
  | { readonly kind: 'bigNumber'; readonly value: bigint }
  /** addReplyVerbatim: RESP3 verbatim string with a 3-letter format ("txt"); RESP2 bulk of the text alone. */
  | { readonly kind: 'verbatim'; readonly value: Uint8Array; readonly format: string }
  /** addReplyPushLen: RESP3 push; RESP2 array. */
  | { readonly kind: 'push'; readonly value: readonly Reply[] }
  /**
   * A reply already written in one RESP version, whatever the client speaks once it is encoded: Redis writes
   * each reply as its command runs, so inside EXEC the replies before a HELLO that switches the protocol stay
   * in the old one (transactions.ts).
   */
  | { readonly kind: 'pinned'; readonly value: Reply; readonly resp: RespVersion }
  /**
   * Several replies written one after another, as one command sends them: SUBSCRIBE answers once per channel
   * (pubsub.c). Inside EXEC's array they stay separate replies, as Redis writes them.
   */
  | { readonly kind: 'sequence'; readonly value: readonly Reply[] };

/** HELLO's protover: the RESP version a client is answered in. */
export type RespVersion = 2 | 3;

// Every reply is made as { kind, value } (a third field after them for the two kinds that need one), and the shared
// ones below are not frozen (a frozen object has a map of its own): so the encoder's `reply.kind` sees at most three
// hidden classes, and V8 inlines that load instead of calling its megamorphic load stub for every reply (2% of the
// event loop's CPU under pipelined SETs).
export const OK: Reply = { kind: 'status', value: 'OK' };
export const NIL: Reply = { kind: 'nil', value: null };
export const NIL_ARRAY: Reply = { kind: 'nilArray', value: null };
export const ZERO: Reply = { kind: 'integer', value: 0 };
export const ONE: Reply = { kind: 'integer', value: 1 };

export const status = (value: string): Reply => ({ kind: 'status', value });
export const error = (value: string): Reply => ({ kind: 'error', value });
export const integer = (value: number | bigint): Reply => ({ kind: 'integer', value });
export const bulk = (value: Uint8Array): Reply => ({ kind: 'bulk', value });
export const bulkString = (value: string): Reply => ({ kind: 'bulk', value: Buffer.from(value) });
export const bulkOrNil = (value: Uint8Array | null): Reply => (value === null ? NIL : bulk(value));
export const array = (value: readonly Reply[]): Reply => ({ kind: 'array', value });
export const bulkArray = (values: readonly (Uint8Array | null)[]): Reply => array(values.map(bulkOrNil));
export const map = (entries: readonly (readonly [Reply, Reply])[]): Reply => ({
  kind: 'map',
  value: entries,
});
/** A map whose keys are bulk strings, as nearly every map Redis sends (addReplyBulkCString keys). */
export const fieldMap = (fields: readonly (readonly [string, Reply])[]): Reply =>
  map(fields.map(([name, value]) => [bulkString(name), value] as const));
export const set = (value: readonly Reply[]): Reply => ({ kind: 'set', value });
export const double = (value: number): Reply => ({ kind: 'double', value });
/** A double written as `text` (addReplyHumanLongDouble): RESP3 `,text`, RESP2 a bulk of it. */
export const doubleText = (value: number, text: string): Reply => ({ kind: 'double', value, text });
export const boolean = (value: boolean): Reply => ({ kind: 'boolean', value });
export const bigNumber = (value: bigint): Reply => ({ kind: 'bigNumber', value });
/** `format` is exactly three characters ("txt", "mkd"), as RESP3 requires. */
export const verbatim = (text: string, format = 'txt'): Reply => ({
  kind: 'verbatim',
  value: Buffer.from(text),
  format,
});
export const push = (value: readonly Reply[]): Reply => ({ kind: 'push', value });
export const pinned = (resp: RespVersion, value: Reply): Reply => ({ kind: 'pinned', value, resp });
export const sequence = (value: readonly Reply[]): Reply => ({ kind: 'sequence', value });
