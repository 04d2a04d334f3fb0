// Writes HTTP/1.1 responses (status line, headers, body) into a ByteWriter, so the responses to every
// request of one read (pipelining) go out in a single write. Headers as Webdis sends them (Content-Type,
// Content-Length, Connection: Keep-Alive, CORS's Access-Control-Allow-Origin) plus Date (RFC 9110 6.6.1) and
// Server. Knows nothing of commands or sockets.

import type { ByteWriter } from '../core/reply-encoding.js';

const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

export const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/** "Date: ..." with its CRLF, as bytes, made at most once a second (the header has one-second resolution). */
let dateLine = Buffer.alloc(0);
let dateSecond = -1;
function dateHeader(): Buffer {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateLine = Buffer.from(`Date: ${new Date(now).toUTCString()}\r\n`, 'latin1');
  }
  return dateLine;
}

export interface ResponseHead {
  readonly status: number;
  /** Absent for a response without a body type (a 404 of a value, an OPTIONS answer). */
  readonly contentType?: string;
  readonly keepAlive: boolean;
  /** Extra header lines, each "Name: value" (no CRLF). */
  readonly headers?: readonly string[];
}

/**
 * The fixed part of a head (status line, Server, Content-Type, Connection, CORS) per status, type and
 * keep-alive, as bytes made once: writing those ~150 characters one by one was a quarter of a GET's CPU in
 * user space (profiled with --cpu-prof). A handful of combinations occur; the cache is bounded anyway, as
 * ?type= lets a client pick the Content-Type.
 */
const heads = [new Map<number, Map<string, Buffer>>(), new Map<number, Map<string, Buffer>>()];
let cachedHeads = 0;
const MAX_CACHED_HEADS = 256;

function fixedHead(head: ResponseHead): Buffer {
  // Nested maps rather than one keyed by a string made per response (that concatenation showed in profiles).
  const byType = heads[head.keepAlive ? 1 : 0].get(head.status);
  const typeKey = head.contentType ?? '';
  let bytes = byType?.get(typeKey);
  if (bytes === undefined) {
    const type = head.contentType === undefined ? '' : `Content-Type: ${head.contentType}\r\n`;
    bytes = Buffer.from(
      `HTTP/1.1 ${head.status} ${REASONS[head.status] ?? 'Unknown'}\r\nServer: redis-lite\r\n${type}` +
        `Connection: ${head.keepAlive ? 'Keep-Alive' : 'close'}\r\nAccess-Control-Allow-Origin: *\r\n`,
      'latin1',
    );
    if (cachedHeads < MAX_CACHED_HEADS) {
      cachedHeads++;
      const map = byType ?? new Map<string, Buffer>();
      heads[head.keepAlive ? 1 : 0].set(head.status, map);
      map.set(typeKey, bytes);
    }
  }
  return bytes;
}

const CONTENT_LENGTH = Buffer.from('Content-Length: ');

/** ASCII only: a string whose characters are all below 0x80 is its own UTF-8 (length = byte length). */
const NON_ASCII = /[^\x00-\x7f]/;

/** Appends one response; `body` as text is sent as UTF-8. */
export function writeResponse(out: ByteWriter, head: ResponseHead, body: string | Uint8Array): void {
  let bytes: Uint8Array | null = null;
  let length: number;
  if (typeof body === 'string') {
    if (NON_ASCII.test(body)) bytes = Buffer.from(body, 'utf8');
    length = bytes === null ? body.length : bytes.length;
  } else {
    bytes = body;
    length = body.length;
  }
  out.bytes(fixedHead(head));
  out.bytes(dateHeader());
  for (const line of head.headers ?? []) {
    out.text(line);
    out.crlf();
  }
  out.bytes(CONTENT_LENGTH);
  out.integer(length);
  out.crlf();
  out.crlf();
  if (bytes !== null) out.bytes(bytes);
  else out.text(body as string);
}

/** A response whose body is a line of text for a person (errors, refusals, /healthz). */
export function writeTextResponse(
  out: ByteWriter,
  status: number,
  message: string,
  keepAlive: boolean,
  headers?: readonly string[],
): void {
  writeResponse(
    out,
    { status, contentType: 'text/plain; charset=utf-8', keepAlive, ...(headers ? { headers } : {}) },
    `${message}\n`,
  );
}
