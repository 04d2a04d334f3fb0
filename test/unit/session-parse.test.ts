// The parser and reply encoding as Session drives them: replies that follow the client (session.ts), any
// chunking gives the same bytes, protocol errors (fatal or not), and blank lines that never pile up in the
// query buffer (Session passes the parser's `end` on 'incomplete').

import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ParserLimits } from '../../src/core/parser.js';
import { Session } from '../../src/core/session.js';
import { createTestContext } from '../support/context.js';
import { ByteWriter } from '../../src/core/reply-encoding.js';

function newSession(limits: ParserLimits = DEFAULT_LIMITS): Session {
  const ctx = createTestContext();
  return new Session(
    { store: ctx.store, server: ctx.server, limits, writer: new ByteWriter() },
    { id: 7, addr: '127.0.0.1:5000', laddr: '127.0.0.1:6379' },
  );
}

/** Feeds input in chunks of `size` bytes (0: whole); returns all reply bytes and whether it closed. */
function feed(
  input: string,
  size = 0,
  limits?: ParserLimits,
): { replies: string; close: boolean; session: Session } {
  const session = newSession(limits);
  const data = Buffer.from(input, 'latin1');
  const step = size === 0 ? data.length : size;
  let replies = '';
  let close = false;
  for (let i = 0; i < data.length && !close; i += step) {
    const out = session.receive(data.subarray(i, i + step));
    if (out.bytes !== null) replies += out.bytes.toString('latin1');
    close = out.close;
  }
  return { replies, close, session };
}

function sameForAnyChunking(input: string, limits?: ParserLimits): { replies: string; close: boolean } {
  const whole = feed(input, 0, limits);
  for (const size of [1, 2, 3, 7]) {
    const chunked = feed(input, size, limits);
    expect(chunked.replies).toBe(whole.replies);
    expect(chunked.close).toBe(whole.close);
  }
  return { replies: whole.replies, close: whole.close };
}

describe('Session with the parser', () => {
  it('answers plaintext until the first RESP request, then RESP for both framings, whatever the chunking', () => {
    const input =
      'GET k\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na b\r\nGET k\r\n\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nECHO ""\n';
    expect(sameForAnyChunking(input)).toEqual({
      replies: '(nil)\n+OK\r\n$3\r\na b\r\n$3\r\na b\r\n$0\r\n\r\n',
      close: false,
    });
  });

  it('consumes blank lines even when no request follows, so they do not pile up', () => {
    const { replies, session } = feed('\r\n'.repeat(10_000), 3);
    expect(replies).toBe('');
    expect(session.queryBufferLength).toBe(0);
    const partial = feed('\n\n\nPIN', 1);
    expect(partial.session.queryBufferLength).toBe(3);
    expect(partial.session.receive(Buffer.from('G\n')).bytes?.toString()).toBe('PONG\n');
  });

  it('replies to a fatal protocol error and closes; nothing after it runs', () => {
    expect(sameForAnyChunking('PING\r\n*1\r\n$x\r\nPING\r\n')).toEqual({
      replies: 'PONG\n-ERR Protocol error: invalid bulk length\r\n',
      close: true,
    });
    expect(sameForAnyChunking(`${'x'.repeat(20)}`, { ...DEFAULT_LIMITS, inlineMax: 10 })).toEqual({
      replies: '(error) ERR Protocol error: too big inline request\n',
      close: true,
    });
  });

  it('replies to unbalanced quotes and keeps the connection', () => {
    expect(sameForAnyChunking('SET k "abc\nPING\n')).toEqual({
      replies: '(error) ERR Protocol error: unbalanced quotes in request\nPONG\n',
      close: false,
    });
  });
});
