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

/** The Date header's value, formatted at most once a second (it has one-second resolution). */
let dateText = '';
let dateSecond = -1;
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

export interface ResponseHead {
  readonly status: number;
  /** Absent for a response without a body type (a 404 of a value, an OPTIONS answer). */
  readonly contentType?: string;
  readonly keepAlive: boolean;
  /** Extra header lines, each "Name: value" (no CRLF). */
  readonly headers?: readonly string[];
}

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
  out.text(`HTTP/1.1 ${head.status} ${REASONS[head.status] ?? 'Unknown'}\r\nServer: redis-lite\r\nDate: `);
  out.text(httpDate());
  if (head.contentType !== undefined) {
    out.text('\r\nContent-Type: ');
    out.text(head.contentType);
  }
  out.text('\r\nContent-Length: ');
  out.integer(length);
  out.text(head.keepAlive ? '\r\nConnection: Keep-Alive' : '\r\nConnection: close');
  out.text('\r\nAccess-Control-Allow-Origin: *\r\n');
  for (const line of head.headers ?? []) {
    out.text(line);
    out.crlf();
  }
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
