// Test helper: HTTP/1.1 over a RawClient, so tests control the bytes (pipelining, malformed requests, keep-alive)
// and read responses one by one, framed by Content-Length (every response of the HTTP interface has one).

import type { RawClient } from './raw-client.js';

export interface HttpResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly text: string;
}

/** Frames one response: its length once the head and the Content-Length bytes of body are all here, else -1. */
function responseLength(received: Buffer): number {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd < 0) return -1;
  const head = received.toString('latin1', 0, headEnd);
  if (/^HTTP\/1\.1 100 /.test(head)) return headEnd + 4;
  const match = /\r\ncontent-length: *(\d+)/i.exec(head);
  const total = headEnd + 4 + (match === null ? 0 : Number(match[1]));
  return received.length >= total ? total : -1;
}

export function parseResponse(bytes: Buffer): HttpResponse {
  const headEnd = bytes.indexOf('\r\n\r\n');
  const lines = bytes.toString('latin1', 0, headEnd).split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = bytes.subarray(headEnd + 4);
  return { status, headers, body, text: body.toString('utf8') };
}

/** Reads the next whole response from the client. */
export async function readResponse(client: RawClient): Promise<HttpResponse> {
  return parseResponse(await client.readFramed(responseLength));
}

/** A GET request's bytes (HTTP/1.1, keep-alive), with extra header lines. */
export function get(path: string, headers: readonly string[] = []): string {
  return `GET ${path} HTTP/1.1\r\nHost: test\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

/** A request with a body (POST or PUT). */
export function withBody(
  method: string,
  path: string,
  body: string | Buffer,
  headers: readonly string[] = [],
): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const head =
    `${method} ${path} HTTP/1.1\r\nHost: test\r\nContent-Length: ${bytes.length}\r\n` +
    `${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

/** Sends one request and reads its response. */
export async function exchange(client: RawClient, request: string | Buffer): Promise<HttpResponse> {
  await client.send(request);
  return readResponse(client);
}
