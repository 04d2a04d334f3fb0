// The request parser: bytes and an offset in; one whole request (argv), "need more" or a protocol error out.
// Both framings of docs/protocol.md: '*' starts a RESP2 multibulk (Redis networking.c processMultibulkBuffer),
// anything else is an inline line split with Redis's sdssplitargs grammar (processInlineBuffer).
// Pure: no sockets, streams or timers. It never copies the query buffer; argv are subarrays of it (except
// quoted inline tokens with escapes, which are decoded into fresh buffers).

/** Named limits (Redis: PROTO_INLINE_MAX_SIZE, the 1024*1024 multibulk cap, proto-max-bulk-len). */
export interface ParserLimits {
  /** Longest inline line, in bytes before its '\n'. */
  readonly inlineMax: number;
  /** Largest multibulk count ('*N'). */
  readonly multibulkMax: number;
  /** Largest bulk length ('$N'). */
  readonly bulkMax: number;
}

export const DEFAULT_LIMITS: ParserLimits = Object.freeze({
  inlineMax: 64 * 1024,
  multibulkMax: 1_048_576,
  bulkMax: 512 * 1024 * 1024,
});

export type Framing = 'resp' | 'inline';

/**
 * - request: argv of the next request (subarrays of buf: valid until the caller changes those bytes) and the
 *   offset just past it.
 * - incomplete: no whole request yet. Bytes before `end` (blank lines, '*0' requests) are consumed: pass
 *   `end` as the next start. Passing the old start again is also correct, only slower.
 * - error: a protocol error; reply with `message`. Fatal: close the connection after the reply (the stream
 *   cannot be resynchronised). Not fatal (unbalanced quotes): carry on from `end`.
 */
export type ParseResult =
  | { kind: 'request'; argv: Buffer[]; framing: Framing; end: number }
  | { kind: 'incomplete'; end: number }
  | { kind: 'error'; message: string; framing: Framing; fatal: boolean; end: number };

/**
 * A '*N' or '$N' header holds at most 20 characters ("-9223372036854775808"); a longer one can never be
 * valid, so it is rejected after this many bytes instead of after 64 KiB as Redis does.
 */
const HEADER_MAX = 32;

const CR = 0x0d;
const LF = 0x0a;
const STAR = 0x2a;
const DOLLAR = 0x24;
const MINUS = 0x2d;
const SPACE = 0x20;
const TAB = 0x09;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;

// readHeader() results other than a position.
const HDR_INCOMPLETE = -1;
const HDR_TOO_LONG = -2;
const HDR_INVALID = -3;

const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';

const E_TOO_BIG_INLINE = 'ERR Protocol error: too big inline request';
const E_MBULK_COUNT_STRING = 'ERR Protocol error: too big mbulk count string';
const E_BULK_COUNT_STRING = 'ERR Protocol error: too big bulk count string';
const E_MBULK_LENGTH = 'ERR Protocol error: invalid multibulk length';
const E_BULK_LENGTH = 'ERR Protocol error: invalid bulk length';
const E_UNBALANCED = 'ERR Protocol error: unbalanced quotes in request';
const E_UNAUTH_MBULK = 'ERR Protocol error: unauthenticated multibulk length';
const E_UNAUTH_BULK = 'ERR Protocol error: unauthenticated bulk length';
/** What a client that must still authenticate may send (networking.c processMultibulkBuffer, authRequired). */
const UNAUTHENTICATED_ARGS_MAX = 10;
const UNAUTHENTICATED_BULK_MAX = 16384;
/** Redis's own bound on a multibulk count (INT_MAX), past which it is invalid whoever sends it. */
const INT32_MAX = 2 ** 31 - 1;

/** sdssplitargs skips isspace() between tokens; an unquoted token ends only at ' ', '\t', '\r', '\n'. */
// Byte classes for the inline tokenizer, as bits, looked up once per byte (bench: the per-byte comparisons
// were most of the inline parse time). ENDS_TOKEN: ' ' '\t' '\r' '\n' end an unquoted token; BLANK: those and
// '\v' '\f' (isspace) are skipped between tokens and may follow a closing quote; QUOTE: '"' and "'".
const ENDS_TOKEN = 1;
const QUOTE = 2;
const BLANK = 4;
const INLINE_CLASS = new Uint8Array(256);
for (const c of [SPACE, TAB, CR, LF]) INLINE_CLASS[c] = ENDS_TOKEN | BLANK;
INLINE_CLASS[0x0b] = BLANK;
INLINE_CLASS[0x0c] = BLANK;
INLINE_CLASS[DQUOTE] = QUOTE;
INLINE_CLASS[SQUOTE] = QUOTE;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** 19-digit values: within int64 (Redis string2ll rejects overflow)? */
function fitsInt64(buf: Buffer, from: number, negative: boolean): boolean {
  const bound = negative ? INT64_MIN_DIGITS : INT64_MAX_DIGITS;
  for (let i = 0; i < 19; i++) {
    const d = buf[from + i];
    const b = bound.charCodeAt(i);
    if (d !== b) return d < b;
  }
  return true;
}

/**
 * The argv views. Buffer#subarray re-reads `buffer` and `byteOffset` and normalises its arguments on every
 * call; a Uint8Array subclass whose prototype chain includes Buffer.prototype is a Buffer in every respect
 * that matters (Buffer.isBuffer, instanceof Buffer, every Buffer method) and costs half as much to make.
 * Profiled: subarray was ~11% of the CPU time of a pipelined GET/SET (bench/results/core-throughput.md).
 */
class ArgView extends Uint8Array {}
Object.setPrototypeOf(ArgView.prototype, Buffer.prototype);
// As Node does for its own FastBuffer: `constructor` is Buffer, so equality checks and species see a Buffer.
Object.defineProperty(ArgView.prototype, 'constructor', {
  value: Buffer,
  writable: true,
  configurable: true,
});

/** buf[from, from + length) as a Buffer sharing buf's memory; `ab`/`base` are buf.buffer/buf.byteOffset. */
function view(ab: ArrayBufferLike, base: number, from: number, length: number): Buffer {
  return new ArgView(ab as ArrayBuffer, base + from, length) as unknown as Buffer;
}

function error(message: string, framing: Framing, fatal: boolean, end: number): ParseResult {
  return { kind: 'error', message, framing, fatal, end };
}

/** Shared by every idle parser (never pushed to: suspend() makes a fresh array before anything is added). */
const NO_ARGS: number[] = [];

export class RequestParser {
  private readonly limits: ParserLimits;
  /**
   * The client must still authenticate (Redis's authRequired): a multibulk of more than 10 arguments, or a bulk
   * longer than 16384 bytes, is then a protocol error, so a stranger cannot make the server buffer much. The
   * session sets it before each request, as Redis checks it per request.
   */
  unauthenticated = false;
  /** The number in the last header readHeader() or shortBulkHeader() accepted. */
  private headerValue = 0;

  // Progress on the request that starts at `start`, kept between calls that returned 'incomplete' so a big
  // request is scanned once, whatever the chunking. Offsets are relative to that start: the caller may move
  // the bytes. Only ever kept when the pending request begins exactly at the start the caller passed.
  /** Multibulk: arguments still to read; 0 when no multibulk is pending. */
  private mbRemaining = 0;
  /** Multibulk: (relative offset, length) pairs of the arguments read so far. */
  private mbArgs: number[] = NO_ARGS;
  /** Multibulk: relative offset of the first unread byte. */
  private mbPos = 0;
  /** Multibulk: length of the bulk whose header was read but whose data has not all arrived; -1: none. */
  private mbBulkLen = -1;
  /** Inline: relative offset up to which the line is known to hold no '\n'. */
  private inlineScanned = 0;

  constructor(limits: ParserLimits = DEFAULT_LIMITS) {
    this.limits = limits;
  }

  /**
   * Parses the next request in buf[start, end) (end: buf.length by default; a transport's read buffer is
   * passed whole with the length read, so no view of it is made per read). See ParseResult.
   */
  parse(buf: Buffer, start: number, end: number = buf.length): ParseResult {
    const n = end;
    let p = start;
    while (p < n) {
      const r = buf[p] === STAR ? this.multibulk(buf, p, n) : this.inline(buf, p, n);
      if (typeof r !== 'number') return r;
      if (r < 0) {
        // Incomplete. State describes the request at p; if blank requests were skipped before it, the
        // caller may pass either start, so drop the state (rare: costs one rescan) unless p === start.
        if (p !== start) this.reset();
        return { kind: 'incomplete', end: p };
      }
      p = r; // an empty request (blank line, '*0', '*-1'): consumed silently, as Redis does
    }
    return { kind: 'incomplete', end: p };
  }

  private reset(): void {
    this.mbRemaining = 0;
    this.mbBulkLen = -1;
    this.mbPos = 0;
    if (this.mbArgs.length > 0) this.mbArgs = NO_ARGS;
    this.inlineScanned = 0;
  }

  /**
   * Reads a '*N' / '$N' header's number from buf[from] up to its '\r' and the byte after it (which Redis
   * skips unchecked). Returns the position after the header, or HDR_INCOMPLETE / HDR_TOO_LONG /
   * HDR_INVALID (not a number as Redis's string2ll reads it: no '+', no leading zeros, no spaces, int64).
   */
  private readHeader(buf: Buffer, from: number, n: number): number {
    let q = from;
    let value = 0;
    let digits = true;
    const negative = q < n && buf[q] === MINUS;
    if (negative) q++;
    const first = q;
    for (;;) {
      if (q - from > HEADER_MAX) return HDR_TOO_LONG;
      if (q >= n) return HDR_INCOMPLETE;
      const c = buf[q];
      if (c === CR) break;
      if (c >= 0x30 && c <= 0x39) value = value * 10 + (c - 0x30);
      else digits = false;
      q++;
    }
    if (q + 1 >= n) return HDR_INCOMPLETE;
    const count = q - first;
    if (!digits || count === 0 || count > 19) return HDR_INVALID;
    if (buf[first] === 0x30 && (count > 1 || negative)) return HDR_INVALID; // "01", "-0"
    if (count === 19 && !fitsInt64(buf, first, negative)) return HDR_INVALID;
    this.headerValue = negative ? -value : value;
    return q + 2;
  }

  /**
   * The usual bulk header, '$' and 1 to 9 digits with no leading zero then CR and one more byte, read in one
   * tight loop (bench: the general readHeader was a third of RESP parse time). Returns the position after it
   * (value in headerValue), or -1 for anything else, which readHeader then handles or rejects.
   */
  private shortBulkHeader(buf: Buffer, pos: number, n: number): number {
    if (buf[pos] !== DOLLAR || pos + 3 >= n) return -1;
    let q = pos + 1;
    let c = buf[q];
    if (c < 0x31 || c > 0x39) return -1;
    let value = c - 0x30;
    const limit = Math.min(n, q + 9);
    for (q++; q < limit; q++) {
      c = buf[q];
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
    }
    if (q + 1 >= n || buf[q] !== CR) return -1;
    this.headerValue = value;
    return q + 2;
  }

  /** A multibulk at s. Returns the result, the end of an empty request, or -1 (incomplete, state kept). */
  private multibulk(buf: Buffer, s: number, n: number): ParseResult | number {
    if (this.mbRemaining > 0) return this.resumeMultibulk(buf, s, n);
    const h = this.readHeader(buf, s + 1, n);
    if (h === HDR_INCOMPLETE) return -1;
    if (h === HDR_TOO_LONG) return error(E_MBULK_COUNT_STRING, 'resp', true, n);
    const count = this.headerValue;
    if (h === HDR_INVALID || count > INT32_MAX) return error(E_MBULK_LENGTH, 'resp', true, n);
    // Before redis-lite's own (lower) limit, so a logged-out client hears what Redis tells it.
    if (count > UNAUTHENTICATED_ARGS_MAX && this.unauthenticated)
      return error(E_UNAUTH_MBULK, 'resp', true, n);
    if (count > this.limits.multibulkMax) return error(E_MBULK_LENGTH, 'resp', true, n);
    if (count <= 0) return h;
    // Fast path: the whole request is usually here; collect argv directly, into an array of the exact size
    // when small (a growing [] starts at 16 slots: garbage per request). A huge count grows as bulks arrive.
    const argv: Buffer[] = count <= 64 ? new Array<Buffer>(count) : [];
    const ab = buf.buffer;
    const base = buf.byteOffset;
    let pos = h;
    for (let i = 0; i < count; i++) {
      if (pos >= n) return this.suspend(buf, s, argv, i, count - i, pos, -1);
      let d = this.shortBulkHeader(buf, pos, n);
      if (d < 0) {
        const bad = this.checkBulkStart(buf, pos, n);
        if (bad !== null) return bad;
        d = this.readHeader(buf, pos + 1, n);
        if (d === HDR_INCOMPLETE) return this.suspend(buf, s, argv, i, count - i, pos, -1);
        if (d < 0) return this.bulkHeaderError(d, n);
      }
      const len = this.headerValue;
      if (len < 0 || len > this.limits.bulkMax) return error(E_BULK_LENGTH, 'resp', true, n);
      if (len > UNAUTHENTICATED_BULK_MAX && this.unauthenticated)
        return error(E_UNAUTH_BULK, 'resp', true, n);
      if (n - d < len + 2) return this.suspend(buf, s, argv, i, count - i, d, len);
      argv[i] = view(ab, base, d, len);
      pos = d + len + 2;
    }
    return { kind: 'request', argv, framing: 'resp', end: pos };
  }

  /** Remembers a partly received multibulk (relative to s; argv[0, read) are done) and reports incomplete. */
  private suspend(
    buf: Buffer,
    s: number,
    argv: Buffer[],
    read: number,
    remaining: number,
    pos: number,
    bulkLen: number,
  ): number {
    const base = buf.byteOffset + s;
    const args: number[] = [];
    for (let i = 0; i < read; i++) args.push(argv[i].byteOffset - base, argv[i].length);
    this.mbArgs = args;
    this.mbRemaining = remaining;
    this.mbPos = pos - s;
    this.mbBulkLen = bulkLen;
    return -1;
  }

  private resumeMultibulk(buf: Buffer, s: number, n: number): ParseResult | number {
    const args = this.mbArgs;
    let pos = s + this.mbPos;
    let bulkLen = this.mbBulkLen;
    let remaining = this.mbRemaining;
    while (remaining > 0) {
      if (bulkLen < 0) {
        if (pos >= n) break;
        const bad = this.checkBulkStart(buf, pos, n);
        if (bad !== null) return this.failed(bad);
        const d = this.readHeader(buf, pos + 1, n);
        if (d === HDR_INCOMPLETE) break;
        if (d < 0) return this.failed(this.bulkHeaderError(d, n));
        bulkLen = this.headerValue;
        if (bulkLen < 0 || bulkLen > this.limits.bulkMax)
          return this.failed(error(E_BULK_LENGTH, 'resp', true, n));
        if (bulkLen > UNAUTHENTICATED_BULK_MAX && this.unauthenticated)
          return this.failed(error(E_UNAUTH_BULK, 'resp', true, n));
        pos = d;
      }
      if (n - pos < bulkLen + 2) break;
      args.push(pos - s, bulkLen);
      pos += bulkLen + 2;
      bulkLen = -1;
      remaining--;
    }
    if (remaining > 0) {
      this.mbPos = pos - s;
      this.mbBulkLen = bulkLen;
      this.mbRemaining = remaining;
      return -1;
    }
    const argv: Buffer[] = new Array<Buffer>(args.length / 2);
    const ab = buf.buffer;
    const base = buf.byteOffset;
    for (let i = 0; i < argv.length; i++) argv[i] = view(ab, base, s + args[2 * i], args[2 * i + 1]);
    this.reset();
    return { kind: 'request', argv, framing: 'resp', end: pos };
  }

  private failed(result: ParseResult): ParseResult {
    this.reset();
    return result;
  }

  /** Every multibulk argument starts with '$'; known from its first byte once its header's line is here. */
  private checkBulkStart(buf: Buffer, pos: number, n: number): ParseResult | null {
    const c = buf[pos];
    if (c === DOLLAR) return null;
    // Redis looks at the byte only once the header's line is here (a '\r' and a byte after it): before that
    // the request is incomplete (readHeader then says so, or that the line is too long).
    const cr = buf.indexOf(CR, pos);
    if (cr < 0 || cr + 1 >= n) return null;
    return error(`ERR Protocol error: expected '$', got '${String.fromCharCode(c)}'`, 'resp', true, n);
  }

  private bulkHeaderError(code: number, n: number): ParseResult {
    return error(code === HDR_TOO_LONG ? E_BULK_COUNT_STRING : E_BULK_LENGTH, 'resp', true, n);
  }

  /** An inline line at s. Returns the result, the end of a blank line, or -1 (incomplete, state kept). */
  private inline(buf: Buffer, s: number, n: number): ParseResult | number {
    const max = this.limits.inlineMax;
    let nl = buf.indexOf(LF, s + this.inlineScanned);
    if (nl >= n) nl = -1; // past the bytes given: what lies there is not input
    // The line (with any '\r') may not exceed the limit, complete or not, so the verdict does not depend on
    // how the bytes were chunked.
    if (nl < 0 ? n - s > max : nl - s > max) {
      this.reset();
      return error(E_TOO_BIG_INLINE, 'inline', true, n);
    }
    if (nl < 0) {
      this.inlineScanned = n - s;
      return -1;
    }
    this.inlineScanned = 0;
    const lineEnd = nl > s && buf[nl - 1] === CR ? nl - 1 : nl;
    const argv = splitArgs(buf, s, lineEnd);
    if (argv === null) return error(E_UNBALANCED, 'inline', false, nl + 1);
    if (argv.length === 0) return nl + 1;
    return { kind: 'request', argv, framing: 'inline', end: nl + 1 };
  }
}

/**
 * Redis's sdssplitargs over buf[from, to): blanks separate tokens; "..." knows \" \\ \n \r \t \b \a \xHH
 * (any other escaped byte stands for itself); '...' knows only \'; a closing quote must be followed by a
 * blank or the end; a quote inside an unquoted token opens quoting there. Unlike Redis (which works on a C
 * string) a NUL byte is ordinary data. Returns null for unbalanced quotes.
 */
export function splitArgs(buf: Buffer, from: number, to: number): Buffer[] | null {
  const argv: Buffer[] = [];
  // Quoted tokens are decoded into one scratch buffer per line (decoding never lengthens, so the line's
  // size bounds them all); each token is a subarray of it.
  let scratch: Buffer | null = null;
  let w = 0;
  let p = from;
  const ab = buf.buffer;
  const base = buf.byteOffset;
  for (;;) {
    while (p < to && (INLINE_CLASS[buf[p]] & BLANK) !== 0) p++;
    if (p >= to) return argv;
    const tokenStart = p;
    while (p < to && (INLINE_CLASS[buf[p]] & (ENDS_TOKEN | QUOTE)) === 0) p++;
    if (p >= to || (INLINE_CLASS[buf[p]] & ENDS_TOKEN) !== 0) {
      argv.push(view(ab, base, tokenStart, p - tokenStart)); // plain token: zero-copy
      continue;
    }
    if (scratch === null) scratch = Buffer.allocUnsafe(to - tokenStart);
    const tokenAt = w;
    w += buf.copy(scratch, w, tokenStart, p);
    const end = decodeQuoted(buf, p, to, scratch, w);
    if (end === null) return null;
    w = end.written;
    argv.push(scratch.subarray(tokenAt, w));
    p = end.next;
  }
}

/**
 * Decodes the quoted part starting at buf[q] (a quote) into out[w...]. Returns where the input continues and
 * how far out was written, or null for an unbalanced or badly closed quote.
 */
function decodeQuoted(
  buf: Buffer,
  q: number,
  to: number,
  out: Buffer,
  w: number,
): { next: number; written: number } | null {
  const quote = buf[q];
  let p = q + 1;
  for (;;) {
    if (p >= to) return null;
    const c = buf[p];
    if (c === quote) {
      if (p + 1 < to && (INLINE_CLASS[buf[p + 1]] & BLANK) === 0) return null;
      return { next: p + 1, written: w };
    }
    if (c === BACKSLASH && quote === SQUOTE) {
      if (p + 1 < to && buf[p + 1] === SQUOTE) {
        out[w++] = SQUOTE;
        p += 2;
      } else {
        out[w++] = c;
        p++;
      }
    } else if (c === BACKSLASH && p + 1 < to) {
      const e = buf[p + 1];
      const hi = p + 3 < to && e === 0x78 ? hexValue(buf[p + 2]) : -1;
      const lo = hi >= 0 ? hexValue(buf[p + 3]) : -1;
      if (lo >= 0) {
        out[w++] = hi * 16 + lo;
        p += 4;
      } else {
        out[w++] =
          e === 0x6e ? LF : e === 0x72 ? CR : e === 0x74 ? TAB : e === 0x62 ? 0x08 : e === 0x61 ? 0x07 : e;
        p += 2;
      }
    } else {
      out[w++] = c;
      p++;
    }
  }
}
