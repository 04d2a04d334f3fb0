// Reply encoding: the exact bytes of every reply kind in RESP2 and RESP3 (as Redis 7.0 writes them: the bytes
// below were read from redis-server 7.0.15, HELLO 2 and HELLO 3, ZSCORE and EVAL for the kinds our commands do
// not send) and in plaintext (redis-cli style lines, docs/protocol.md), the quoting rules, and ByteWriter's buffer
// handling.

import { describe, expect, it } from 'vitest';
import { formatDouble } from '../../src/core/format-double.js';
import {
  ByteWriter,
  encodeReply,
  needsQuoting,
  quoteArgument,
  type ReplyProtocol,
} from '../../src/core/reply-encoding.js';
import {
  array,
  bigNumber,
  boolean,
  bulk,
  bulkString,
  double,
  error,
  fieldMap,
  integer,
  map,
  NIL,
  NIL_ARRAY,
  OK,
  pinned,
  push,
  set,
  status,
  verbatim,
  type Reply,
} from '../../src/core/reply.js';

function encode(reply: Reply, protocol: ReplyProtocol): string {
  const out = new ByteWriter(8); // tiny, so growth is exercised too
  encodeReply(reply, protocol, out);
  return out.take().toString('latin1');
}

const resp = (reply: Reply): string => encode(reply, 'resp2');
const resp3 = (reply: Reply): string => encode(reply, 'resp3');
const plain = (reply: Reply): string => encode(reply, 'plain');
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

  it('writes text across several lines (INFO, CLIENT LIST) as a "(text) N" header and its N lines raw', () => {
    const info =
      '# Server\r\nredis_version:7.0.0\r\ntcp_port:6379\r\n\r\n# Clients\r\nconnected_clients:1\r\n';
    expect(plain(verbatim(info))).toBe(
      '(text) 6\n# Server\nredis_version:7.0.0\ntcp_port:6379\n\n# Clients\nconnected_clients:1\n',
    );
    // CLIENT LIST's lines end in "\n"; a last line without a break is a line too.
    expect(plain(verbatim('id=1 addr=a\nid=2 addr=b\n'))).toBe('(text) 2\nid=1 addr=a\nid=2 addr=b\n');
    expect(plain(verbatim('one\ntwo'))).toBe('(text) 2\none\ntwo\n');
    expect(plain(verbatim('\n'))).toBe('(text) 1\n\n');
    // Inside an array it is one element: the count says where it ends.
    expect(plain(array([verbatim('a\r\nb\r\n'), integer(1)]))).toBe(
      '(array) 2\n(text) 2\na\nb\n(integer) 1\n',
    );
  });

  it('keeps one-line text and every bulk value as before, quoted when needed', () => {
    expect(plain(verbatim('single line'))).toBe('"single line"\n');
    expect(plain(verbatim('word'))).toBe('word\n');
    expect(plain(bulkString('a\nb'))).toBe('"a\\nb"\n');
  });
});

/** Every kind, with its bytes in RESP2, RESP3 and plaintext; the RESP bytes as redis-server 7.0.15 sent them. */
const EVERY_KIND: readonly [string, Reply, string, string, string][] = [
  ['status', status('PONG'), '+PONG\r\n', '+PONG\r\n', 'PONG\n'],
  ['error', error('ERR e'), '-ERR e\r\n', '-ERR e\r\n', '(error) ERR e\n'],
  ['integer', integer(-3), ':-3\r\n', ':-3\r\n', '(integer) -3\n'],
  ['bulk', raw('a b'), '$3\r\na b\r\n', '$3\r\na b\r\n', '"a b"\n'],
  ['nil (GET of a missing key)', NIL, '$-1\r\n', '_\r\n', '(nil)\n'],
  ['nil array (EXEC after a watched key changed)', NIL_ARRAY, '*-1\r\n', '_\r\n', '(nil)\n'],
  [
    'array holding a nil (MGET)',
    array([bulkString('v'), NIL]),
    '*2\r\n$1\r\nv\r\n$-1\r\n',
    '*2\r\n$1\r\nv\r\n_\r\n',
    '(array) 2\nv\n(nil)\n',
  ],
  [
    'map (EVAL return {map={a=1}})',
    map([[bulkString('a'), integer(1)]]),
    '*2\r\n$1\r\na\r\n:1\r\n',
    '%1\r\n$1\r\na\r\n:1\r\n',
    '(array) 2\na\n(integer) 1\n',
  ],
  ['empty map', map([]), '*0\r\n', '%0\r\n', '(array) 0\n'],
  [
    'set (EVAL return {set={a=true}})',
    set([bulkString('a')]),
    '*1\r\n$1\r\na\r\n',
    '~1\r\n$1\r\na\r\n',
    '(array) 1\na\n',
  ],
  ['empty set', set([]), '*0\r\n', '~0\r\n', '(array) 0\n'],
  ['double (ZSCORE)', double(1.5), '$3\r\n1.5\r\n', ',1.5\r\n', '1.5\n'],
  [
    'double, 17 digits',
    double(0.1),
    '$19\r\n0.10000000000000001\r\n',
    ',0.10000000000000001\r\n',
    '0.10000000000000001\n',
  ],
  ['double, exponent', double(1e20), '$5\r\n1e+20\r\n', ',1e+20\r\n', '1e+20\n'],
  [
    'double, small',
    double(1e-5),
    '$22\r\n1.0000000000000001e-05\r\n',
    ',1.0000000000000001e-05\r\n',
    '1.0000000000000001e-05\n',
  ],
  ['double, inf', double(Infinity), '$3\r\ninf\r\n', ',inf\r\n', 'inf\n'],
  ['double, -inf', double(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n', '-inf\n'],
  ['double, -0', double(-0), '$2\r\n-0\r\n', ',-0\r\n', '-0\n'],
  ['boolean true (EVAL redis.setresp(3) return true)', boolean(true), ':1\r\n', '#t\r\n', '(integer) 1\n'],
  ['boolean false', boolean(false), ':0\r\n', '#f\r\n', '(integer) 0\n'],
  [
    'big number (EVAL return {big_number=...})',
    bigNumber(12345678901234567890n),
    '$20\r\n12345678901234567890\r\n',
    '(12345678901234567890\r\n',
    '12345678901234567890\n',
  ],
  [
    'verbatim (INFO, CLIENT LIST)',
    verbatim('hi\nthere'),
    '$8\r\nhi\nthere\r\n',
    '=12\r\ntxt:hi\nthere\r\n',
    '(text) 2\nhi\nthere\n',
  ],
  ['empty verbatim (CLIENT LIST ID of nobody)', verbatim(''), '$0\r\n\r\n', '=4\r\ntxt:\r\n', '""\n'],
  [
    'push (SUBSCRIBE)',
    push([bulkString('subscribe'), bulkString('ch'), integer(1)]),
    '*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n',
    '>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n',
    '(array) 3\nsubscribe\nch\n(integer) 1\n',
  ],
  ['pinned to RESP2', pinned(2, NIL), '$-1\r\n', '$-1\r\n', '(nil)\n'],
  ['pinned to RESP3', pinned(3, array([NIL])), '*1\r\n_\r\n', '*1\r\n_\r\n', '(array) 1\n(nil)\n'],
  [
    'nested: a set of maps holding sets (COMMAND INFO key specs)',
    set([fieldMap([['flags', set([status('RO')])]])]),
    '*1\r\n*2\r\n$5\r\nflags\r\n*1\r\n+RO\r\n',
    '~1\r\n%1\r\n$5\r\nflags\r\n~1\r\n+RO\r\n',
    '(array) 1\n(array) 2\nflags\n(array) 1\nRO\n',
  ],
];

describe('every kind in RESP2, RESP3 and plaintext', () => {
  it.each(EVERY_KIND)('%s', (_name, reply, inResp2, inResp3, inPlain) => {
    expect(resp(reply)).toBe(inResp2);
    expect(resp3(reply)).toBe(inResp3);
    expect(plain(reply)).toBe(inPlain);
  });

  it.each(['resp2', 'resp3', 'plain'] as const)(
    'writes every kind back to back in one chunk (%s) as it writes each alone',
    (protocol) => {
      const out = new ByteWriter(8);
      for (const [, reply] of EVERY_KIND) encodeReply(reply, protocol, out);
      const column = protocol === 'resp2' ? 2 : protocol === 'resp3' ? 3 : 4;
      expect(out.take().toString('latin1')).toBe(EVERY_KIND.map((row) => row[column]).join(''));
    },
  );

  it("writes HELLO 3's map as redis-server 7.0.15 does, and the same map flat for HELLO 2", () => {
    const hello = (proto: number): Reply =>
      fieldMap([
        ['server', bulkString('redis')],
        ['version', bulkString('7.0.15')],
        ['proto', integer(proto)],
        ['id', integer(4)],
        ['mode', bulkString('standalone')],
        ['role', bulkString('master')],
        ['modules', array([])],
      ]);
    const body = (proto: number): string =>
      '$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n' +
      `:${proto}\r\n$2\r\nid\r\n:4\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n` +
      '$7\r\nmodules\r\n*0\r\n';
    expect(resp3(hello(3))).toBe(`%7\r\n${body(3)}`);
    expect(resp(hello(2))).toBe(`*14\r\n${body(2)}`);
  });
});

describe('formatDouble', () => {
  // Expected: C's printf("%.17g") (glibc, as Python's '%.17g' % d prints the same).
  it.each([
    [0.1, '0.10000000000000001'],
    [1.5, '1.5'],
    [-2.5, '-2.5'],
    [3.14159, '3.1415899999999999'],
    [123.456, '123.456'],
    [1e16, '10000000000000000'],
    [1e17, '1e+17'],
    [123456789012345678, '1.2345678901234568e+17'],
    [99999999999999999, '1e+17'],
    [9.999999999999999e22, '9.9999999999999992e+22'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.0001, '0.0001'],
    [0.00001, '1.0000000000000001e-05'],
    [5e-324, '4.9406564584124654e-324'],
    [0, '0'],
    [-0, '-0'],
    // An exact tie at the 17th digit rounds to even, as glibc does (toPrecision would round it up to .3).
    [1000000000000000.25, '1000000000000000.2'],
    [1000000000000000.75, '1000000000000000.8'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ])('%s is %s', (value, text) => {
    expect(formatDouble(value)).toBe(text);
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

  it('needsQuoting follows docs/protocol.md plus quotes anywhere', () => {
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
