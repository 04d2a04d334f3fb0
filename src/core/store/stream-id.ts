// A stream entry ID (Redis's streamID: two unsigned 64-bit numbers, ms and seq) as one 128-bit bigint,
// ms << 64 | seq: IDs then compare with < and >, and the successor of ms-MAX is (ms+1)-0 as streamIncrID makes
// it. Parsing as t_stream.c streamGenericParseIDOrReply, formatting as createStreamIDString. Pure.

export type StreamId = bigint;

const U64 = 2n ** 64n;
export const MAX_U64 = U64 - 1n;
export const MIN_ID: StreamId = 0n;
export const MAX_ID: StreamId = (MAX_U64 << 64n) | MAX_U64;

export const STREAM_ERR = {
  invalidId: 'ERR Invalid stream ID specified as stream command argument',
} as const;

export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq;
}

export function idMs(id: StreamId): bigint {
  return id >> 64n;
}

export function idSeq(id: StreamId): bigint {
  return id & MAX_U64;
}

export function formatId(id: StreamId): string {
  return `${id >> 64n}-${id & MAX_U64}`;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function decimalDigits(n: number): number {
  let digits = 1;
  for (; n >= 10; digits++) n = Math.floor(n / 10);
  return digits;
}

function writeDecimal(out: Buffer, end: number, n: number): void {
  for (let at = end - 1; ; at--) {
    out[at] = 48 + (n % 10);
    n = Math.floor(n / 10);
    if (n === 0) return;
  }
}

/**
 * `<ms>-<seq>` as bytes (a reply's ID): digits written by hand when both parts are exact numbers (nearly always),
 * where a template string of two bigints and its Buffer cost a fifth of XPENDING's CPU (--cpu-prof).
 */
export function idBuffer(id: StreamId): Buffer {
  const ms = id >> 64n;
  const seq = id & MAX_U64;
  if (ms > SAFE || seq > SAFE) return Buffer.from(`${ms}-${seq}`, 'latin1');
  return idNumbersBuffer(Number(ms), Number(seq));
}

/** `<ms>-<seq>` as bytes, from exact numbers. */
export function idNumbersBuffer(ms: number, seq: number): Buffer {
  const msDigits = decimalDigits(ms);
  const out = Buffer.allocUnsafe(msDigits + 1 + decimalDigits(seq));
  writeDecimal(out, msDigits, ms);
  out[msDigits] = 0x2d; // '-'
  writeDecimal(out, out.length, seq);
  return out;
}

/**
 * util.c string2ull: string2ll's canonical form, else strtoull's (leading white space, a `+`, leading zeros),
 * within 64 bits; null otherwise.
 */
function parseU64(text: string): bigint | null {
  // Plain digits (nearly every ID) without the regular expression: up to 15 of them are an exact number.
  if (text.length > 0 && text.length <= 15) {
    let n = 0;
    let i = 0;
    for (; i < text.length; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === text.length) return BigInt(n);
  }
  const match = /^[ \t\n\v\f\r]*\+?([0-9]+)$/.exec(text);
  if (match === null) return null;
  const n = BigInt(match[1]);
  return n > MAX_U64 ? null : n;
}

export interface ParsedId {
  readonly id: StreamId;
  /** False for the `<ms>-*` form (only where allowed): the sequence is the stream's to choose. */
  readonly seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: `-` and `+` (unless strict), `<ms>`, `<ms>-<seq>`, and `<ms>-*` when `autoSeq`;
 * null for anything else. A missing sequence is `missingSeq`.
 */
export function parseStreamId(
  arg: Uint8Array,
  missingSeq: bigint,
  strict: boolean,
  autoSeq = false,
): ParsedId | null {
  if (arg.length > 127) return null;
  let text = Buffer.from(arg).toString('latin1');
  const nul = text.indexOf('\0'); // the C string ends at a NUL
  if (nul !== -1) text = text.slice(0, nul);
  if (text === '-' || text === '+') {
    if (strict) return null;
    return { id: text === '-' ? MIN_ID : MAX_ID, seqGiven: true };
  }
  const dash = text.indexOf('-');
  const ms = parseU64(dash === -1 ? text : text.slice(0, dash));
  if (ms === null) return null;
  if (dash === -1) return { id: makeId(ms, missingSeq), seqGiven: true };
  const rest = text.slice(dash + 1);
  if (autoSeq && rest === '*') return { id: makeId(ms, 0n), seqGiven: false };
  const seq = parseU64(rest);
  return seq === null ? null : { id: makeId(ms, seq), seqGiven: true };
}
