// An HTTP/1.1 request parser for the Webdis-style interface: bytes and an offset in, one whole request (its
// request line, the few headers this server acts on, its body) / "need more" / an error with its status out.
// Pure, like src/core/parser.ts: no sockets, no timers; "need more bytes" is a value, not an exception.
// Deliberately small (RFC 9112's message syntax, not every extension): measured against node:http, a parser
// that looks only at what it uses keeps the interface above webdis's throughput (bench/results/http.md).
// Lines end in CRLF; a bare LF is accepted too, as most servers do, so `nc` users are not left waiting.

/** The request parts the server acts on; the body is a view of the input, valid until the input is reused. */
export interface HttpRequest {
  readonly method: string;
  /** The request target as sent (latin1, one character per byte), e.g. "/GET/key?type=text/plain". */
  readonly target: string;
  /** HTTP/1.x's minor version: 0 or 1. */
  readonly minor: number;
  /** Whether the connection stays open after the response (HTTP/1.1 unless "close", 1.0 only if asked). */
  readonly keepAlive: boolean;
  /** The Authorization header's value, or null. */
  readonly authorization: string | null;
  readonly body: Buffer;
}

export interface HttpLimits {
  /** The request line and headers together, in bytes (the URL is limited by this). */
  readonly maxHeaderBytes: number;
  /** The body, in bytes (Content-Length). */
  readonly maxBodyBytes: number;
}

export type ParseResult =
  | { readonly kind: 'request'; readonly request: HttpRequest; readonly end: number }
  /** `expectContinue`: the headers are complete, asked for "100 Continue", and the body has not all come. */
  | { readonly kind: 'incomplete'; readonly expectContinue: boolean }
  /** The request cannot be served or resynchronised: answer `status` with `message`, then close. */
  | { readonly kind: 'error'; readonly status: number; readonly message: string };

const LF = 0x0a;
const CR = 0x0d;
const INCOMPLETE: ParseResult = Object.freeze({ kind: 'incomplete', expectContinue: false });
const INCOMPLETE_CONTINUE: ParseResult = Object.freeze({ kind: 'incomplete', expectContinue: true });

const fail = (status: number, message: string): ParseResult => ({ kind: 'error', status, message });

/** RFC 9110's token characters (a method and a header name are tokens), as a byte lookup table. */
const TOKEN_BYTES = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  TOKEN_BYTES[c.charCodeAt(0)] = 1;

function isToken(buf: Buffer, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) if (TOKEN_BYTES[buf[i]] === 0) return false;
  return true;
}

/** The headers this server acts on, by name; any other header is skipped without making a string of it. */
const CONTENT_LENGTH = 1;
const TRANSFER_ENCODING = 2;
const CONNECTION = 3;
const AUTHORIZATION = 4;
const EXPECT = 5;
const KNOWN_HEADERS: readonly (readonly [Buffer, number])[] = [
  [Buffer.from('content-length'), CONTENT_LENGTH],
  [Buffer.from('transfer-encoding'), TRANSFER_ENCODING],
  [Buffer.from('connection'), CONNECTION],
  [Buffer.from('authorization'), AUTHORIZATION],
  [Buffer.from('expect'), EXPECT],
];

/** Which known header buf[start, end) names, ASCII case-insensitively; 0 for any other. */
function headerId(buf: Buffer, start: number, end: number): number {
  const length = end - start;
  for (const [name, id] of KNOWN_HEADERS) {
    if (name.length !== length) continue;
    let i = 0;
    while (i < length && (buf[start + i] | 0x20) === name[i]) i++;
    if (i === length) return id;
  }
  return 0;
}

const HTTP_1_ = Buffer.from('HTTP/1.');

function startsWith(buf: Buffer, start: number, prefix: Buffer): boolean {
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/**
 * The first `byte` in buf[from, to), or -1. A loop, not Buffer.indexOf: header lines are tens of bytes, and
 * a native call per search cost more than the search.
 */
function findByte(buf: Buffer, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === byte) return i;
  return -1;
}

/** The end of the line starting at `start` (the index of its LF), or -1 if it has not all arrived. */
function lineEnd(buf: Buffer, start: number, end: number): number {
  return findByte(buf, LF, start, end);
}

/** Where the line ending at `lf` ends without its CR. */
const contentEnd = (buf: Buffer, start: number, lf: number): number =>
  lf > start && buf[lf - 1] === CR ? lf - 1 : lf;

/** The request line's minor version (0 or 1), or the error it deserves. */
function httpVersion(buf: Buffer, start: number, end: number): number | ParseResult {
  if (end - start === 8 && startsWith(buf, start, HTTP_1_)) {
    const minor = buf[start + 7] - 0x30;
    if (minor === 0 || minor === 1) return minor;
  }
  return /^HTTP\/\d\.\d$/.test(buf.toString('latin1', start, end))
    ? fail(505, 'HTTP Version Not Supported: this server speaks HTTP/1.0 and HTTP/1.1')
    : fail(400, 'malformed request line: expected "METHOD /target HTTP/1.1"');
}

const BAD_REQUEST_LINE = 'malformed request line: expected "METHOD /target HTTP/1.1"';

/**
 * Parses one request from buf[start, end). Blank lines before a request are skipped (RFC 9112 2.2 asks a
 * server to ignore at least one, which some clients send after a POST body). Works on bytes and makes
 * strings only of what it returns: a GET's parse was ~2.5 us with a string per line, well under 1 us so.
 */
export function parseRequest(buf: Buffer, start: number, end: number, limits: HttpLimits): ParseResult {
  while (start < end && (buf[start] === CR || buf[start] === LF)) start++;
  const headerLimit = start + limits.maxHeaderBytes;
  const requestLineEnd = lineEnd(buf, start, Math.min(end, headerLimit));
  if (requestLineEnd < 0) {
    return end - start >= limits.maxHeaderBytes ? fail(414, 'URI Too Long') : INCOMPLETE;
  }
  const lineStop = contentEnd(buf, start, requestLineEnd);
  const space1 = findByte(buf, 0x20, start, lineStop);
  const space2 = space1 < 0 ? -1 : findByte(buf, 0x20, space1 + 1, lineStop);
  if (space2 < 0 || findByte(buf, 0x20, space2 + 1, lineStop) >= 0) return fail(400, BAD_REQUEST_LINE);
  if (!isToken(buf, start, space1) || space2 === space1 + 1) return fail(400, BAD_REQUEST_LINE);
  const minor = httpVersion(buf, space2 + 1, lineStop);
  if (typeof minor !== 'number') return minor;

  let contentLength = -1;
  let connection = '';
  let authorization: string | null = null;
  let expectContinue = false;
  let pos = requestLineEnd + 1;
  for (;;) {
    const lf = lineEnd(buf, pos, Math.min(end, headerLimit));
    if (lf < 0) return end >= headerLimit ? fail(431, 'Request Header Fields Too Large') : INCOMPLETE;
    const stop = contentEnd(buf, pos, lf);
    const lineStart = pos;
    pos = lf + 1;
    if (stop === lineStart) break;
    const colon = findByte(buf, 0x3a, lineStart, stop);
    if (colon < 0) {
      return fail(
        400,
        `malformed header line: ${JSON.stringify(buf.toString('latin1', lineStart, stop).slice(0, 64))}`,
      );
    }
    if (!isToken(buf, lineStart, colon)) {
      return fail(
        400,
        `malformed header name: ${JSON.stringify(buf.toString('latin1', lineStart, colon).slice(0, 64))}`,
      );
    }
    const id = headerId(buf, lineStart, colon);
    if (id === 0) continue;
    const value = buf.toString('latin1', colon + 1, stop).trim();
    switch (id) {
      case CONTENT_LENGTH: {
        // A sender may repeat it with the same value (RFC 9112 6.3); differing values are an attack or a bug.
        if (!/^\d{1,15}$/.test(value)) return fail(400, 'invalid Content-Length');
        const n = Number(value);
        if (contentLength >= 0 && contentLength !== n) return fail(400, 'conflicting Content-Length headers');
        contentLength = n;
        break;
      }
      case TRANSFER_ENCODING:
        // Chunked bodies are not decoded here: refusing them (and closing) is safe, guessing a length is not.
        return fail(501, 'Transfer-Encoding is not supported: send the body with a Content-Length');
      case CONNECTION:
        connection += `${value.toLowerCase()},`;
        break;
      case AUTHORIZATION:
        authorization = value;
        break;
      case EXPECT:
        if (value.toLowerCase() !== '100-continue') return fail(417, 'Expectation Failed');
        expectContinue = true;
        break;
    }
  }

  const bodyLength = Math.max(0, contentLength);
  if (bodyLength > limits.maxBodyBytes) {
    return fail(413, `Payload Too Large: the body limit is ${limits.maxBodyBytes} bytes`);
  }
  if (end - pos < bodyLength) return expectContinue ? INCOMPLETE_CONTINUE : INCOMPLETE;
  const keepAlive = connection === '' ? minor === 1 : keepsAlive(connection, minor);
  return {
    kind: 'request',
    request: {
      method: buf.toString('latin1', start, space1),
      target: buf.toString('latin1', space1 + 1, space2),
      minor,
      keepAlive,
      authorization,
      body: buf.subarray(pos, pos + bodyLength),
    },
    end: pos + bodyLength,
  };
}

/** RFC 9112 9.3: HTTP/1.1 stays open unless "close", HTTP/1.0 closes unless "keep-alive". */
function keepsAlive(connection: string, minor: number): boolean {
  const tokens = connection.split(',').map((t) => t.trim());
  return minor === 1 ? !tokens.includes('close') : tokens.includes('keep-alive');
}
