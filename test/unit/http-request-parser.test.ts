// The HTTP request parser (src/http/request-parser.ts): whole, byte by byte (every split point must give the same
// requests), pipelined, and each malformed input answered with its status.

import { describe, expect, it } from 'vitest';
import { parseRequest, type HttpLimits, type HttpRequest } from '../../src/http/request-parser.js';

const LIMITS: HttpLimits = { maxHeaderBytes: 256, maxBodyBytes: 64 };

/** Every request in `input`, fed `step` bytes at a time the way a connection accumulates its reads. */
function parseAll(input: string, step = input.length): { requests: HttpRequest[]; error?: number } {
  const bytes = Buffer.from(input, 'latin1');
  const requests: HttpRequest[] = [];
  let start = 0;
  for (let available = Math.min(step, bytes.length); ; available = Math.min(available + step, bytes.length)) {
    for (;;) {
      const result = parseRequest(bytes, start, available, LIMITS);
      if (result.kind === 'error') return { requests, error: result.status };
      if (result.kind === 'incomplete') break;
      requests.push({ ...result.request, body: Buffer.from(result.request.body) });
      start = result.end;
    }
    if (available === bytes.length) return { requests };
  }
}

describe('HTTP request parser', () => {
  const pipeline =
    'GET /GET/a HTTP/1.1\r\nHost: x\r\n\r\n' +
    'PUT /SET/b HTTP/1.1\r\ncontent-length: 3\r\nAuthorization: Basic eDp5\r\n\r\nabc' +
    'GET /PING HTTP/1.0\n\n' +
    'POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nPING\n';

  it('parses pipelined requests the same whole and split at every byte', () => {
    const whole = parseAll(pipeline);
    expect(whole.error).toBeUndefined();
    expect(whole.requests.map((r) => [r.method, r.target, r.minor, r.keepAlive, r.body.toString()])).toEqual([
      ['GET', '/GET/a', 1, true, ''],
      ['PUT', '/SET/b', 1, true, 'abc'],
      ['GET', '/PING', 0, false, ''],
      ['POST', '/', 1, false, 'PING\n'],
    ]);
    expect(whole.requests[1].authorization).toBe('Basic eDp5');
    for (const step of [1, 2, 7]) expect(parseAll(pipeline, step)).toEqual(whole);
  });

  it('says when the headers are complete but a 100-continue body is not', () => {
    const head = Buffer.from('PUT /SET/k HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nab');
    expect(parseRequest(head, 0, head.length, LIMITS)).toEqual({ kind: 'incomplete', expectContinue: true });
    expect(parseRequest(head, 0, head.length - 4, LIMITS)).toEqual({
      kind: 'incomplete',
      expectContinue: false,
    });
  });

  it.each([
    ['no version', 'GET /\r\n\r\n', 400],
    ['a bad method token', 'G(T / HTTP/1.1\r\n\r\n', 400],
    ['HTTP/2', 'GET / HTTP/2.0\r\n\r\n', 505],
    ['a header without a colon', 'GET / HTTP/1.1\r\nbad\r\n\r\n', 400],
    ['a bad header name', 'GET / HTTP/1.1\r\nba d: 1\r\n\r\n', 400],
    ['a negative length', 'GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 400],
    ['differing lengths', 'GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 400],
    ['chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n', 501],
    ['an unknown expectation', 'GET / HTTP/1.1\r\nExpect: magic\r\n\r\n', 417],
    ['a body over the limit', 'PUT / HTTP/1.1\r\nContent-Length: 65\r\n\r\n', 413],
    ['a request line over the limit', `GET /${'a'.repeat(300)}`, 414],
    ['headers over the limit', `GET / HTTP/1.1\r\n${'A: b\r\n'.repeat(60)}`, 431],
  ])('refuses %s', (_name, input, status) => {
    expect(parseAll(input).error).toBe(status);
    expect(parseAll(input, 1).error).toBe(status);
  });
});
