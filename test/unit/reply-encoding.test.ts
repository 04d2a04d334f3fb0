// Reply encoding: the exact bytes of every reply kind in RESP2 (as Redis 7 writes them) and in plaintext
// (redis-cli style lines, PROTOCOL.md), the quoting rules, and ByteWriter's buffer handling.

import { describe, expect, it } from 'vitest';
import { ByteWriter, encodeReply, needsQuoting, quoteArgument } from '../../src/core/reply-encoding.js';
import {
  array,
  bulk,
  bulkString,
  error,
  integer,
  NIL,
  NIL_ARRAY,
  OK,
  status,
  type Reply,
} from '../../src/core/reply.js';
import type { Framing } from '../../src/core/parser.js';

function encode(reply: Reply, framing: Framing): string {
  const out = new ByteWriter(8); // tiny, so growth is exercised too
  encodeReply(reply, framing, out);
  return out.take().toString('latin1');
}

const resp = (reply: Reply): string => encode(reply, 'resp');
const plain = (reply: Reply): string => encode(reply, 'inline');
const raw = (s: string): Reply => bulk(Buffer.from(s, 'latin1'));

describe('RESP2', () => {
  it('encodes status, error and integer replies', () => {
    expect(resp(OK)).toBe('+OK\r\n');
    expect(resp(status('PONG'))).toBe('+PONG\r\n');
    expect(resp(error('ERR syntax error'))).toBe('-ERR syntax error\r\n');
    expect(resp(integer(0))).toBe(':0\r\n');
    expect(resp(integer(42))).toBe(':42\r\n');
    expect(resp(integer(-7))).toBe(':-7\r\n');
    expect(resp(integer(Number.MAX_SAFE_INTEGER))).toBe(':9007199254740991\r\n');
    expect(resp(integer(-(2n ** 63n)))).toBe(':-9223372036854775808\r\n');
    expect(resp(integer(2n ** 63n - 1n))).toBe(':9223372036854775807\r\n');
  });

  it('encodes bulks binary-safe, and nil', () => {
    expect(resp(bulkString('hello'))).toBe('$5\r\nhello\r\n');
    expect(resp(raw(''))).toBe('$0\r\n\r\n');
    expect(resp(raw('a\r\n\0\xff'))).toBe('$5\r\na\r\n\0\xff\r\n');
    expect(resp(NIL)).toBe('$-1\r\n');
    const big = Buffer.alloc(100_000, 0x62);
    expect(resp(bulk(big))).toBe(`$100000\r\n${'b'.repeat(100_000)}\r\n`);
  });

  it('encodes arrays, nested and empty, and the nil array', () => {
    expect(resp(array([bulkString('a'), NIL, integer(3)]))).toBe('*3\r\n$1\r\na\r\n$-1\r\n:3\r\n');
    expect(resp(array([]))).toBe('*0\r\n');
    expect(resp(array([array([bulkString('x')]), array([])]))).toBe('*2\r\n*1\r\n$1\r\nx\r\n*0\r\n');
    expect(resp(NIL_ARRAY)).toBe('*-1\r\n');
  });

  it('replaces CR and LF in status and error lines with spaces, as Redis does', () => {
    expect(resp(error('ERR bad\r\nthing'))).toBe('-ERR bad  thing\r\n');
    expect(resp(status('a\nb'))).toBe('+a b\r\n');
  });

  it('writes latin1 text back as the bytes it came from, and other characters as UTF-8', () => {
    const argv = Buffer.from([0x66, 0xe9, 0xff]).toString('latin1');
    expect(Buffer.from(resp(error(`ERR unknown command '${argv}'`)), 'latin1')).toEqual(
      Buffer.concat([
        Buffer.from("-ERR unknown command 'f"),
        Buffer.from([0xe9, 0xff]),
        Buffer.from("'\r\n"),
      ]),
    );
    expect(Buffer.from(resp(status('π=3')), 'latin1')).toEqual(Buffer.from('+π=3\r\n', 'utf8'));
  });
});

describe('plaintext', () => {
  it('encodes status, error, integer and nil lines', () => {
    expect(plain(OK)).toBe('OK\n');
    expect(plain(status('PONG'))).toBe('PONG\n');
    expect(plain(error('ERR syntax error'))).toBe('(error) ERR syntax error\n');
    expect(plain(error('WRONGTYPE Operation'))).toBe('(error) WRONGTYPE Operation\n');
    expect(plain(error('ERR a\r\nb'))).toBe('(error) ERR a  b\n');
    expect(plain(integer(42))).toBe('(integer) 42\n');
    expect(plain(integer(-1))).toBe('(integer) -1\n');
    expect(plain(integer(-(2n ** 63n)))).toBe('(integer) -9223372036854775808\n');
    expect(plain(NIL)).toBe('(nil)\n');
    expect(plain(NIL_ARRAY)).toBe('(nil)\n');
  });

  it('writes a value raw when unambiguous', () => {
    expect(plain(bulkString('hello'))).toBe('hello\n');
    expect(plain(raw('caf\xe9\xff'))).toBe('caf\xe9\xff\n'); // high bytes stay raw
    expect(plain(raw('a\\b)'))).toBe('a\\b)\n');
    expect(plain(raw('x(y'))).toBe('x(y\n');
  });

  it.each([
    ['', '""'],
    ['a b', '"a b"'],
    ['a\tb', '"a\\tb"'],
    ['line\r\nnext', '"line\\r\\nnext"'],
    ['(nil)', '"(nil)"'],
    ['(integer) 1', '"(integer) 1"'],
    ['"q', '"\\"q"'],
    ["'q", '"\'q"'],
    ["it's", '"it\'s"'],
    ['a"b', '"a\\"b"'],
    ['\0\x01\x7f\x1b', '"\\x00\\x01\\x7f\\x1b"'],
    ['\x07\x08\\', '"\\a\\b\\\\"'],
  ])('quotes %j as %s', (value, line) => {
    expect(plain(raw(value))).toBe(`${line}\n`);
  });

  it('encodes an array as a count line followed by one line per element', () => {
    expect(plain(array([bulkString('a'), NIL, raw('b c'), integer(2)]))).toBe(
      '(array) 4\na\n(nil)\n"b c"\n(integer) 2\n',
    );
    expect(plain(array([]))).toBe('(array) 0\n');
    expect(plain(array([array([bulkString('x'), bulkString('y')]), array([]), bulkString('z')]))).toBe(
      '(array) 3\n(array) 2\nx\ny\n(array) 0\nz\n',
    );
    expect(plain(array([error('ERR e'), OK, NIL_ARRAY]))).toBe('(array) 3\n(error) ERR e\nOK\n(nil)\n');
  });
});

describe('quoteArgument', () => {
  it('always double-quotes, escaping what the inline grammar needs', () => {
    expect(quoteArgument(Buffer.from('abc')).toString('latin1')).toBe('"abc"');
    expect(quoteArgument(Buffer.alloc(0)).toString('latin1')).toBe('""');
    expect(quoteArgument(Buffer.from('a "b" \\ \n\r\t\x00\xff', 'latin1')).toString('latin1')).toBe(
      '"a \\"b\\" \\\\ \\n\\r\\t\\x00\xff"',
    );
  });

  it('needsQuoting follows PROTOCOL.md plus quotes anywhere', () => {
    expect(needsQuoting(Buffer.from('plain'))).toBe(false);
    expect(needsQuoting(Buffer.from('mid"quote'))).toBe(true);
    expect(needsQuoting(Buffer.from('(x'))).toBe(true);
    expect(needsQuoting(Buffer.from([0x80, 0xff]))).toBe(false);
  });
});

describe('ByteWriter', () => {
  it('take() returns the bytes written and starts empty again', () => {
    const out = new ByteWriter(4);
    out.text('hello');
    out.crlf();
    out.integer(12345);
    expect(out.length).toBe(12);
    const first = out.take();
    expect(first.toString()).toBe('hello\r\n12345');
    expect(out.length).toBe(0);
    out.byte(0x21);
    expect(out.take().toString()).toBe('!');
    expect(first.toString()).toBe('hello\r\n12345'); // the caller owns what it took
    expect(out.take().length).toBe(0);
  });

  it('hands over a large buffer and keeps working', () => {
    const out = new ByteWriter();
    const big = Buffer.alloc(200_000, 0x7a);
    out.bytes(big);
    const taken = out.take();
    expect(taken.equals(big)).toBe(true);
    out.bytes(Buffer.from('next'));
    expect(out.take().toString()).toBe('next');
    expect(taken.equals(big)).toBe(true);
  });

  it('lend() returns the bytes written without copying them, and starts empty again', () => {
    const out = new ByteWriter(16);
    out.text('first');
    const lent = out.lend();
    expect(lent.toString()).toBe('first');
    expect(out.length).toBe(0);
    out.text('again');
    // A view of the writer's own buffer: the next write reuses it (callers copy what they keep).
    expect(lent.toString()).toBe('again');
    expect(out.lend().toString()).toBe('again');
  });

  it('lend() hands over large output for good, as take() does', () => {
    const out = new ByteWriter();
    const big = Buffer.alloc(100_000, 0x79);
    out.bytes(big);
    const lent = out.lend();
    out.bytes(Buffer.from('next'));
    expect(out.lend().toString()).toBe('next');
    expect(lent.equals(big)).toBe(true);
  });

  it('writes integers', () => {
    const out = new ByteWriter(1);
    for (const v of [
      0,
      9,
      10,
      99,
      100,
      -1,
      -10,
      1234567890,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ]) {
      out.integer(v);
      out.byte(0x20);
    }
    out.integer(2n ** 64n);
    expect(out.take().toString()).toBe(
      '0 9 10 99 100 -1 -10 1234567890 9007199254740991 -9007199254740991 18446744073709551616',
    );
  });
});
