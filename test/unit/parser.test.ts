// RequestParser: both framings, pipelining, limits and Redis's inline quoting grammar. Every case runs
// whole and byte by byte (and byte by byte with a caller that ignores `end` on 'incomplete') through the
// same session-like incremental path, and all runs must agree.

import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIMITS, RequestParser, type ParserLimits } from '../../src/core/parser.js';
import {
  bytes,
  encodeResp,
  Feeder,
  feedInChunks,
  type FeedOutcome,
  type ParseEvent,
} from './parser-harness.js';

/** Runs input whole and byte by byte; asserts they agree; returns the byte-by-byte outcome. */
function both(input: string | Buffer, limits?: ParserLimits): FeedOutcome {
  const data = typeof input === 'string' ? bytes(input) : input;
  const whole = feedInChunks(data, 'whole', { limits });
  const bytewise = feedInChunks(data, [1], { limits });
  const oldStart = feedInChunks(data, [1], { limits, ignoreIncompleteEnd: true });
  expect(bytewise.events).toEqual(whole.events);
  expect(bytewise.closed).toBe(whole.closed);
  expect(oldStart.events).toEqual(whole.events);
  if (!whole.closed) expect(bytewise.pending).toBe(whole.pending);
  return bytewise;
}

const req = (...argv: string[]): ParseEvent => ({ kind: 'request', argv, framing: 'resp' });
const inl = (...argv: string[]): ParseEvent => ({ kind: 'request', argv, framing: 'inline' });
const fatal = (message: string, framing: 'resp' | 'inline' = 'resp'): ParseEvent => ({
  kind: 'error',
  message,
  framing,
  fatal: true,
});
const unbalanced: ParseEvent = {
  kind: 'error',
  message: 'ERR Protocol error: unbalanced quotes in request',
  framing: 'inline',
  fatal: false,
};

describe('RESP2 multibulk', () => {
  it('parses a request', () => {
    expect(both('*1\r\n$4\r\nPING\r\n').events).toEqual([req('PING')]);
    expect(both('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n').events).toEqual([
      req('SET', 'key', 'value'),
    ]);
  });

  it('accepts empty bulks and any byte inside a bulk', () => {
    const value = '\0\r\n*$\xff\r\n';
    const out = both(`*3\r\n$3\r\nSET\r\n$0\r\n\r\n$${value.length}\r\n${value}\r\n`);
    expect(out.events).toEqual([req('SET', '', value)]);
    expect(out.argvs[0][2]).toEqual(bytes(value));
  });

  it('consumes *0, *-1 and other non-positive counts silently, as Redis does', () => {
    const out = both('*0\r\n*-1\r\n*-10\r\n*1\r\n$4\r\nPING\r\n');
    expect(out.events).toEqual([req('PING')]);
    expect(out.pending).toBe(0);
  });

  it('returns incomplete for a partial request and keeps it', () => {
    const parser = new RequestParser();
    const input = bytes('*2\r\n$3\r\nGET\r\n$3\r\nke');
    expect(parser.parse(input, 0)).toEqual({ kind: 'incomplete', end: 0 });
    const rest = Buffer.concat([bytes('xx'), input, bytes('y\r\n')]); // moved: now at offset 2
    const r = parser.parse(rest, 2);
    expect(r).toMatchObject({ kind: 'request', framing: 'resp', end: rest.length });
    if (r.kind === 'request') expect(r.argv.map(String)).toEqual(['GET', 'key']);
  });

  it('returns argv as views of the input, without copying', () => {
    const input = bytes('*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
    const r = new RequestParser().parse(input, 0);
    if (r.kind !== 'request') throw new Error(r.kind);
    expect(r.argv[1].buffer).toBe(input.buffer);
    expect(r.argv[1].byteOffset).toBe(input.byteOffset + 17);
  });

  it('skips the byte after a header CR and the two bytes after a bulk unchecked, as Redis does', () => {
    expect(both('*1\rX$4\rYPINGzz*1\r\n$1\r\nx\r\n').events).toEqual([req('PING'), req('x')]);
  });

  it('rejects a wrong byte where a bulk header must start', () => {
    const out = both('*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n');
    expect(out.events).toEqual([fatal("ERR Protocol error: expected '$', got 'f'")]);
    expect(out.closed).toBe(true);
    // Once the line's '\r' and the byte after it are there, as Redis reads it (not at the 'f': more may follow).
    expect(out.fedAt).toEqual(['*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n'.length]);
  });

  it.each(['*abc\r\n', '*+1\r\n', '*01\r\n', '*-0\r\n', '*\r\n', '* 1\r\n', '*1 \r\n', '*20000000\r\n'])(
    'rejects the multibulk count in %j',
    (input) => {
      expect(both(input).events).toEqual([fatal('ERR Protocol error: invalid multibulk length')]);
    },
  );

  it('rejects counts over the limit, but not at it', () => {
    expect(both('*1048577\r\n').events).toEqual([fatal('ERR Protocol error: invalid multibulk length')]);
    expect(both('*3000000000\r\n').events).toEqual([fatal('ERR Protocol error: invalid multibulk length')]);
    expect(both('*9223372036854775808\r\n').events).toEqual([
      fatal('ERR Protocol error: invalid multibulk length'),
    ]);
    const atLimit = both('*1048576\r\n');
    expect(atLimit.events).toEqual([]);
    expect(atLimit.pending).toBe(10);
    const small = { ...DEFAULT_LIMITS, multibulkMax: 2 };
    expect(both('*3\r\n', small).events).toEqual([fatal('ERR Protocol error: invalid multibulk length')]);
  });

  it('treats int64 overflow in a negative count as invalid (string2ll), but int64 min as empty', () => {
    expect(both('*-9223372036854775809\r\n').events).toEqual([
      fatal('ERR Protocol error: invalid multibulk length'),
    ]);
    expect(both('*-9223372036854775808\r\n*1\r\n$1\r\na\r\n').events).toEqual([req('a')]);
  });

  it.each(['$-1', '$x', '$01', '$', '$-0', '$1x', '$536870913', '$99999999999999999999'])(
    'rejects the bulk length in %j',
    (header) => {
      expect(both(`*1\r\n${header}\r\n`).events).toEqual([fatal('ERR Protocol error: invalid bulk length')]);
    },
  );

  it('rejects an oversized bulk right after its header, before its data arrives', () => {
    const limits = { ...DEFAULT_LIMITS, bulkMax: 10 };
    const head = '*2\r\n$3\r\nSET\r\n$11\r\n';
    const out = both(`${head}0123456789A\r\n`, limits);
    expect(out.events).toEqual([fatal('ERR Protocol error: invalid bulk length')]);
    expect(out.fedAt).toEqual([head.length]);
    expect(both('*1\r\n$10\r\n0123456789\r\n', limits).events).toEqual([req('0123456789')]);
    // The default limit, 512 MiB: exactly at it only waits for the data.
    expect(both('*1\r\n$536870912\r\n').events).toEqual([]);
  });

  it('rejects a header line that runs on without CR after a few dozen bytes', () => {
    const count = both(`*${'1'.repeat(40)}`);
    expect(count.events).toEqual([fatal('ERR Protocol error: too big mbulk count string')]);
    expect(count.fedAt).toEqual([1 + 33]);
    const bulk = both(`*1\r\n$${'1'.repeat(40)}`);
    expect(bulk.events).toEqual([fatal('ERR Protocol error: too big bulk count string')]);
    expect(bulk.fedAt).toEqual([5 + 33]);
    // 32 bytes with a CR is just a bad number.
    expect(both(`*${'1'.repeat(32)}\r\n`).events).toEqual([
      fatal('ERR Protocol error: invalid multibulk length'),
    ]);
  });

  it('reads a large bulk arriving in 64 KiB chunks without rescanning it', () => {
    const value = Buffer.alloc(8 * 1024 * 1024, 0x61);
    const input = Buffer.concat([bytes(`*2\r\n$3\r\nSET\r\n$${value.length}\r\n`), value, bytes('\r\n')]);
    const out = feedInChunks(input, [65536]);
    expect(out.events.length).toBe(1);
    expect(out.argvs[0][1].equals(value)).toBe(true);
  });

  it('reads a 1M-argument multibulk in chunks reading each bulk header once', () => {
    const argc = 1_048_576;
    const input = Buffer.concat([bytes(`*${argc}\r\n`), Buffer.from('$1\r\na\r\n'.repeat(argc), 'latin1')]);
    // Count header reads by wrapping the (private) method on the prototype.
    const proto = RequestParser.prototype as unknown as { readHeader: (...args: unknown[]) => number };
    const original = proto.readHeader;
    let reads = 0;
    proto.readHeader = function (this: unknown, ...args: unknown[]): number {
      reads++;
      return original.apply(this, args);
    };
    try {
      const feeder = new Feeder();
      for (let i = 0; i < input.length; i += 65536) feeder.feed(input.subarray(i, i + 65536));
      expect(feeder.argvs.length).toBe(1);
      expect(feeder.argvs[0].length).toBe(argc);
      // One read per header, plus at most one retry per chunk for a header cut by a chunk boundary.
      expect(reads).toBeLessThanOrEqual(argc + 1 + Math.ceil(input.length / 65536) * 2);
    } finally {
      proto.readHeader = original;
    }
  }, 60_000);
});

describe('inline requests', () => {
  it('splits a line on spaces and tabs; a CR before LF is dropped', () => {
    expect(both('PING\n').events).toEqual([inl('PING')]);
    expect(both('PING\r\n').events).toEqual([inl('PING')]);
    expect(both(' set \t key  value\t\r\n').events).toEqual([inl('set', 'key', 'value')]);
  });

  it('ignores empty and blank lines, consuming them', () => {
    const out = both('\n\r\n \t\n\r\r\nPING\n');
    expect(out.events).toEqual([inl('PING')]);
    const parser = new RequestParser();
    expect(parser.parse(bytes('\r\n\nPI'), 0)).toEqual({ kind: 'incomplete', end: 3 });
    expect(parser.parse(bytes('\n \n'), 0)).toEqual({ kind: 'incomplete', end: 3 });
  });

  it('handles the blanks of sdssplitargs: \\r splits, \\v and \\f separate only between tokens', () => {
    expect(both('a\rb\n').events).toEqual([inl('a', 'b')]);
    expect(both('\x0ba\x0cb c\n').events).toEqual([inl('a\x0cb', 'c')]);
  });

  it('keeps NUL and high bytes as data', () => {
    expect(both('set k a\0b\xff\n').events).toEqual([inl('set', 'k', 'a\0b\xff')]);
  });

  it('decodes double quotes with escapes', () => {
    const out = both('set "a b" "\\x41\\x7a\\xfF\\n\\r\\t\\b\\a\\\\\\"\\q" ""\n');
    expect(out.events).toEqual([inl('set', 'a b', 'Az\xff\n\r\t\b\x07\\"q', '')]);
  });

  it('reads a malformed \\x as a plain escape, as Redis does', () => {
    expect(both('"\\x4" "\\xg0"\n').events).toEqual([inl('x4', 'xg0')]);
  });

  it("decodes single quotes, where only \\' is an escape", () => {
    expect(both("set 'it\\'s' 'a\\nb' '\"'\n").events).toEqual([inl('set', "it's", 'a\\nb', '"')]);
  });

  it('opens quoting in mid-token and ends the token at the closing quote', () => {
    expect(both('set a"b c" x\'y\'\n').events).toEqual([inl('set', 'ab c', 'xy')]);
  });

  it('a backslash outside quotes is literal', () => {
    expect(both('a\\nb\\\n').events).toEqual([inl('a\\nb\\')]);
  });

  it.each(['set "abc\n', "set 'abc\n", 'set "abc\\"\n', '"a"b\n', "'a'b\n", '"abc\\\n'])(
    'reports unbalanced quotes in %j and carries on with the next line',
    (line) => {
      const out = both(`${line}PING\r\n`);
      expect(out.events).toEqual([unbalanced, inl('PING')]);
      expect(out.closed).toBe(false);
    },
  );

  it('rejects a line over the inline limit as soon as the limit is passed', () => {
    const limits = { ...DEFAULT_LIMITS, inlineMax: 16 };
    expect(both(`${'x'.repeat(16)}\n`, limits).events).toEqual([inl('x'.repeat(16))]);
    const out = both(`${'x'.repeat(40)}\n`, limits);
    expect(out.events).toEqual([fatal('ERR Protocol error: too big inline request', 'inline')]);
    expect(out.fedAt).toEqual([17]);
    // The limit counts every byte before '\n', so the verdict does not depend on chunking.
    expect(both(`${'x'.repeat(16)}\r\n`, limits).events).toEqual([
      fatal('ERR Protocol error: too big inline request', 'inline'),
    ]);
  });

  it('has a 64 KiB default inline limit', () => {
    const max = 64 * 1024;
    expect(feedInChunks(bytes(`${'x'.repeat(max)}\n`), 'whole').events).toEqual([inl('x'.repeat(max))]);
    const out = feedInChunks(bytes('x'.repeat(max + 5000)), [4096]);
    expect(out.events).toEqual([fatal('ERR Protocol error: too big inline request', 'inline')]);
    expect(out.fedAt).toEqual([max + 4096 - (max % 4096)]); // the first chunk that passes the limit
  });

  it('scans a long line arriving byte by byte once, not once per byte', () => {
    const line = bytes(`SET k ${'v'.repeat(30_000)}\n`);
    const spy = vi.spyOn(Buffer.prototype, 'indexOf');
    try {
      const feeder = new Feeder();
      let scanned = 0;
      for (let i = 0; i < line.length; i++) {
        spy.mockClear();
        feeder.feed(line.subarray(i, i + 1));
        for (const [i, call] of spy.mock.calls.entries()) {
          const self = spy.mock.contexts[i] as Buffer;
          scanned += self.length - Number(call[1] ?? 0);
        }
      }
      expect(feeder.argvs.length).toBe(1);
      expect(scanned).toBeLessThan(line.length * 4);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('pipelining and framing', () => {
  it('parses many requests of both framings from one chunk and from any split', () => {
    const input = Buffer.concat([
      encodeResp([bytes('SET'), bytes('k'), bytes('v')]),
      bytes('GET k\r\n'),
      bytes('\r\n'),
      encodeResp([bytes('PING')]),
      bytes('*0\r\n'),
      bytes('ECHO "a b"\n'),
    ]);
    const expected = [req('SET', 'k', 'v'), inl('GET', 'k'), req('PING'), inl('ECHO', 'a b')];
    expect(both(input).events).toEqual(expected);
    for (const size of [2, 3, 5, 7, 11]) expect(feedInChunks(input, [size]).events).toEqual(expected);
  });

  it('decides the framing by the first byte of each request', () => {
    expect(both('\r\n*1\r\n$4\r\nPING\r\n').events).toEqual([req('PING')]);
    expect(both(' *1\r\n').events).toEqual([inl('*1')]);
    expect(both('$4\r\n').events).toEqual([inl('$4')]);
  });

  it('stops at a fatal error: nothing after it is parsed', () => {
    const out = both('PING\n*x\r\nPING\n');
    expect(out.events).toEqual([inl('PING'), fatal('ERR Protocol error: invalid multibulk length')]);
    expect(out.closed).toBe(true);
  });

  it('returns incomplete at the end of the input', () => {
    const parser = new RequestParser();
    expect(parser.parse(bytes('PING\n'), 5)).toEqual({ kind: 'incomplete', end: 5 });
    expect(parser.parse(Buffer.alloc(0), 0)).toEqual({ kind: 'incomplete', end: 0 });
  });
});
