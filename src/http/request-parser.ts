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

/** RFC 9110's token characters: a method and a header name are tokens. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The end of the line starting at `start` (the index of its LF), or -1 if it has not all arrived. */
function lineEnd(buf: Buffer, start: number, end: number): number {
  const lf = buf.indexOf(LF, start);
  return lf < 0 || lf >= end ? -1 : lf;
}

/** The line [start, lf) without its CR, as latin1 text (one character per byte). */
function lineText(buf: Buffer, start: number, lf: number): string {
  return buf.toString('latin1', start, lf > start && buf[lf - 1] === CR ? lf - 1 : lf);
}

/**
 * Parses one request from buf[start, end). Blank lines before a request are skipped (RFC 9112 2.2 asks a
 * server to ignore at least one, which some clients send after a POST body).
 */
export function parseRequest(buf: Buffer, start: number, end: number, limits: HttpLimits): ParseResult {
  while (start < end && (buf[start] === CR || buf[start] === LF)) start++;
  const headerLimit = start + limits.maxHeaderBytes;
  const requestLineEnd = lineEnd(buf, start, Math.min(end, headerLimit));
  if (requestLineEnd < 0) {
    return end - start >= limits.maxHeaderBytes ? fail(414, 'URI Too Long') : INCOMPLETE;
  }
  const requestLine = lineText(buf, start, requestLineEnd);
  const parts = requestLine.split(' ');
  if (parts.length !== 3 || !TOKEN.test(parts[0]) || parts[1] === '') {
    return fail(400, 'malformed request line: expected "METHOD /target HTTP/1.1"');
  }
  const [method, target, version] = parts;
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') {
    return /^HTTP\/\d\.\d$/.test(version)
      ? fail(505, 'HTTP Version Not Supported: this server speaks HTTP/1.0 and HTTP/1.1')
      : fail(400, 'malformed request line: expected "METHOD /target HTTP/1.1"');
  }
  const minor = version === 'HTTP/1.1' ? 1 : 0;

  let contentLength = -1;
  let connection = '';
  let authorization: string | null = null;
  let expectContinue = false;
  let pos = requestLineEnd + 1;
  for (;;) {
    const lf = lineEnd(buf, pos, Math.min(end, headerLimit));
    if (lf < 0) return end >= headerLimit ? fail(431, 'Request Header Fields Too Large') : INCOMPLETE;
    const line = lineText(buf, pos, lf);
    pos = lf + 1;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) return fail(400, `malformed header line: ${JSON.stringify(line.slice(0, 64))}`);
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return fail(400, `malformed header name: ${JSON.stringify(name.slice(0, 64))}`);
    const value = line.slice(colon + 1).trim();
    switch (name.toLowerCase()) {
      case 'content-length': {
        // A sender may repeat it with the same value (RFC 9112 6.3); differing values are an attack or a bug.
        if (!/^\d{1,15}$/.test(value)) return fail(400, 'invalid Content-Length');
        const n = Number(value);
        if (contentLength >= 0 && contentLength !== n) return fail(400, 'conflicting Content-Length headers');
        contentLength = n;
        break;
      }
      case 'transfer-encoding':
        // Chunked bodies are not decoded here: refusing them (and closing) is safe, guessing a length is not.
        return fail(501, 'Transfer-Encoding is not supported: send the body with a Content-Length');
      case 'connection':
        connection += `${value.toLowerCase()},`;
        break;
      case 'authorization':
        authorization = value;
        break;
      case 'expect':
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
  const tokens = connection.split(',').map((t) => t.trim());
  const keepAlive = minor === 1 ? !tokens.includes('close') : tokens.includes('keep-alive');
  return {
    kind: 'request',
    request: { method, target, minor, keepAlive, authorization, body: buf.subarray(pos, pos + bodyLength) },
    end: pos + bodyLength,
  };
}
